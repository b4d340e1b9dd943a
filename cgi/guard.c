/*
 * guard.c - counting failures and locking subjects out.
 */
#include "guard.h"

#include <ctype.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "perm.h"

/* A lockout streak is forgotten after a day without failures. */
#define STREAK_RESET (24 * 3600)
/* the window of the sign-in throttle per address */
#define ATTEMPT_WINDOW 60
/* the window of the public pages' throttles */
#define PUBLIC_WINDOW 3600

/* A row of auth_failures; for "rate:" subjects failures counts every
 * attempt. */
struct guard_row {
	int64_t failures, window_start, locked_until, lockouts;
};

static void
guard_read(struct db *db, const char *subject, struct guard_row *r)
{
	struct db_stmt *s = db_stmt(db, STMT_GUARD_GET);

	r->failures = r->window_start = r->locked_until = r->lockouts = 0;
	db_bind_text(s, ":subject", subject);
	if (db_step(db, s) == DB_ROW) {
		r->failures = db_col_int(s, 0);
		r->window_start = db_col_int(s, 1);
		r->locked_until = db_col_int(s, 2);
		r->lockouts = db_col_int(s, 3);
	}
	db_reset(s);
}

static int
guard_write(struct db *db, const char *subject, const struct guard_row *r)
{
	struct db_stmt *s = db_stmt(db, STMT_GUARD_PUT);

	db_bind_text(s, ":subject", subject);
	db_bind_int(s, ":failures", r->failures);
	db_bind_int(s, ":window_start", r->window_start);
	db_bind_int(s, ":locked_until", r->locked_until);
	db_bind_int(s, ":lockouts", r->lockouts);
	return db_exec(db, s);
}

static int
forget(const struct viewer *v, const char *subject)
{
	struct db_stmt *s = db_stmt(v->db, STMT_GUARD_CLEAR);

	db_bind_text(s, ":subject", subject);
	return db_exec(v->db, s);
}

void
guard_subjects(const struct viewer *v, int64_t user_id, const char *login,
    struct guard_subjects *gs)
{
	char *name;
	size_t i;

	if (user_id != 0) {
		gs->account = arena_printf(v->arena, "user:%lld@%s",
		    (long long)user_id, v->addr);
	} else {
		/* the login as typed, case-folded like the lookup does */
		name = arena_strndup(v->arena, login ? login : "", 254);
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		gs->account = arena_printf(v->arena, "name:%s@%s", name,
		    v->addr);
	}
	gs->ip = arena_printf(v->arena, "ip:%s", v->addr);
}

int64_t
guard_wait_minutes(const struct viewer *v, const char *subject)
{
	struct guard_row r;

	guard_read(v->db, subject, &r);
	if (r.locked_until <= v->now)
		return 0;
	return (r.locked_until - v->now + 59) / 60;
}

int64_t
guard_attempt(const struct viewer *v)
{
	const char *subject = arena_printf(v->arena, "rate:%s", v->addr);
	int max = v->app->cfg.login_max_attempts_per_ip_minute;
	struct guard_row r;

	if (db_begin(v->db) != 0)
		return -1;
	guard_read(v->db, subject, &r);
	if (r.window_start <= v->now - ATTEMPT_WINDOW) {
		r.failures = 0;
		r.window_start = v->now;
	}
	if (r.failures >= max) {
		db_rollback(v->db);
		return 1;	/* the window is a minute */
	}
	if (++r.failures == max)
		event_log(v, "login_throttled", 0, 0, subject);
	if (guard_write(v->db, subject, &r) != 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return -1;
	}
	return 0;
}

/* Add a failure to subject with limit max: 1 if it now locks, 0, -1. */
static int
fail_one(const struct viewer *v, const char *subject, int max)
{
	const struct config *cfg = &v->app->cfg;
	struct guard_row r;
	int64_t wait;
	int locked = 0;

	guard_read(v->db, subject, &r);
	if (r.window_start < v->now - STREAK_RESET)
		r.lockouts = 0;
	if (r.window_start < v->now - cfg->login_window_minutes * 60) {
		r.failures = 0;
		r.window_start = v->now;
	}
	if (++r.failures >= max) {
		/* 1, 2, 4 … minutes, capped; the count starts over */
		wait = r.lockouts < 20 ? (int64_t)1 << r.lockouts : INT64_MAX;
		if (wait > cfg->login_max_lockout_minutes)
			wait = cfg->login_max_lockout_minutes;
		r.locked_until = v->now + wait * 60;
		r.lockouts++;
		r.failures = 0;
		r.window_start = v->now;
		locked = 1;
	}
	return guard_write(v->db, subject, &r) != 0 ? -1 : locked;
}

int
guard_fail(const struct viewer *v, const struct guard_subjects *gs,
    int64_t user_id)
{
	const struct config *cfg = &v->app->cfg;
	int account_locked, ip_locked;

	if ((account_locked = fail_one(v, gs->account,
	    cfg->login_max_failures)) < 0 ||
	    (ip_locked = fail_one(v, gs->ip,
	    cfg->login_max_failures_per_ip)) < 0)
		return -1;
	if (account_locked)
		event_log(v, "lockout", user_id, 0, gs->account);
	if (ip_locked)
		event_log(v, "lockout", 0, 0, gs->ip);
	return account_locked || ip_locked;
}

int
guard_clear(const struct viewer *v, const struct guard_subjects *gs)
{
	return forget(v, gs->account);
}

int
guard_check_failed(const struct viewer *v, int64_t user_id)
{
	/* the lock this may set is never asked for: reaching the limit
	 * ends the session, and signing in again takes the password */
	return fail_one(v, arena_printf(v->arena, "check:user:%lld",
	    (long long)user_id), v->app->cfg.login_max_password_checks);
}

int
guard_check_passed(const struct viewer *v, int64_t user_id)
{
	return forget(v, arena_printf(v->arena, "check:user:%lld",
	    (long long)user_id));
}

enum model_result
guard_finish(const struct viewer *v, bool failed, void *errors,
    const struct check_field *fields)
{
	const char *subject = arena_printf(v->arena, "taken:%s", v->addr);
	const struct check_field *f;
	enum model_result rc;
	bool taken = false;
	int locked;

	if (v->origin == ORIGIN_CLI)
		return db_finish(v->db, failed, errors, fields);
	if (!failed && guard_wait_minutes(v, subject) > 0) {
		db_rollback(v->db);
		for (f = fields; f->form != NULL; f++)
			*(struct check_error *)(void *)((char *)errors +
			    f->offset) = (struct check_error){ NULL, 0 };
		check_fail((struct check_error *)(void *)((char *)errors +
		    fields->offset), 429, "Too many changes from your address "
		    "were refused. Wait a few minutes and try again.");
		return MODEL_INVALID;
	}
	for (f = fields; errors != NULL && f->form != NULL; f++)
		taken = taken || check_error_of(errors, f)->status == 409;
	rc = db_finish(v->db, failed, errors, fields);
	if (rc != MODEL_INVALID || !taken)
		return rc;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((locked = fail_one(v, subject,
	    v->app->cfg.login_max_taken_per_ip)) > 0)
		event_log(v, "lockout", 0, perm_actor(v), subject);
	if (locked < 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return MODEL_FAILED;
	}
	return rc;
}

/* Count one more of subject's at most max per window seconds, inside the
 * caller's write transaction: 1 counted, 0 used up (not counted), -1. */
static int
count_within(const struct viewer *v, const char *subject, int max,
    int64_t window)
{
	struct guard_row r;

	guard_read(v->db, subject, &r);
	if (r.window_start <= v->now - window) {
		r.failures = 0;
		r.window_start = v->now;
	}
	if (r.failures >= max)
		return 0;
	r.failures++;
	return guard_write(v->db, subject, &r) != 0 ? -1 : 1;
}

int64_t
guard_public_post(const struct viewer *v)
{
	const char *subject = arena_printf(v->arena, "public:%s", v->addr);
	struct guard_row r;
	int rc;

	if (db_begin(v->db) != 0)
		return -1;
	if ((rc = count_within(v, subject, v->app->cfg.signup_max_per_ip_hour,
	    PUBLIC_WINDOW)) == 0) {
		db_rollback(v->db);
		guard_read(v->db, subject, &r);
		return (r.window_start + PUBLIC_WINDOW - v->now + 59) / 60;
	}
	if (rc < 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return -1;
	}
	return 0;
}

int
guard_mail_to(const struct viewer *v, const char *from, const char *email)
{
	char *subject = arena_printf(v->arena, "mailto:%s:%s", from, email);
	size_t i;

	/* the address as the users table compares it */
	for (i = 0; subject[i] != '\0'; i++)
		subject[i] = (char)tolower((unsigned char)subject[i]);
	return count_within(v, subject,
	    v->app->cfg.signup_max_mails_per_address_hour, PUBLIC_WINDOW);
}

int64_t
guard_taken_left(const struct viewer *v)
{
	const struct config *cfg = &v->app->cfg;
	struct guard_row r;

	guard_read(v->db, arena_printf(v->arena, "taken:%s", v->addr), &r);
	if (r.locked_until > v->now)
		return 0;
	if (r.window_start < v->now - cfg->login_window_minutes * 60)
		return cfg->login_max_taken_per_ip;
	return r.failures < cfg->login_max_taken_per_ip ?
	    cfg->login_max_taken_per_ip - r.failures : 0;
}

int
guard_taken_count(const struct viewer *v, size_t n)
{
	const char *subject = arena_printf(v->arena, "taken:%s", v->addr);
	int max = v->app->cfg.login_max_taken_per_ip, locked = 0, rc = 0;
	size_t i;

	if (db_begin(v->db) != 0)
		return -1;
	/* past the limit, more do not lock longer: one lockout per file */
	for (i = 0; i < n && i < (size_t)max && rc >= 0 && locked == 0; i++)
		if ((rc = fail_one(v, subject, max)) > 0)
			locked = 1;
	if (locked)
		event_log(v, "lockout", 0, perm_actor(v), subject);
	if (rc < 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return -1;
	}
	return 0;
}
