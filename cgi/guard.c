/*
 * guard.c - counting failures and locking subjects out.
 */
#include "guard.h"

#include <ctype.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "session.h"

/* A lockout streak is forgotten after a day without failures. */
#define STREAK_RESET (24 * 3600)

struct guard_row {
	int64_t failures, window_start, locked_until, lockouts;
};

static void
guard_read(struct db *db, const char *subject, struct guard_row *r)
{
	sqlite3_stmt *s = db_stmt(db, STMT_GUARD_GET);

	r->failures = r->window_start = r->locked_until = r->lockouts = 0;
	db_bind_text(s, ":subject", subject);
	if (db_step(db, s) == SQLITE_ROW) {
		r->failures = sqlite3_column_int64(s, 0);
		r->window_start = sqlite3_column_int64(s, 1);
		r->locked_until = sqlite3_column_int64(s, 2);
		r->lockouts = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
}

void
guard_subjects(struct request *req, int64_t user_id, const char *login,
    struct guard_subjects *gs)
{
	char *name;
	size_t i;

	if (user_id != 0) {
		gs->account = arena_printf(req->arena, "user:%lld",
		    (long long)user_id);
	} else {
		/* the login as typed, case-folded like the lookup does */
		name = arena_strndup(req->arena, login ? login : "", 254);
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		gs->account = arena_printf(req->arena, "name:%s", name);
	}
	gs->ip = arena_printf(req->arena, "ip:%s", req->remote_addr);
}

static int64_t
wait_of(struct request *req, const char *subject)
{
	struct guard_row r;

	guard_read(&req->app->db, subject, &r);
	if (r.locked_until <= req->now)
		return 0;
	return (r.locked_until - req->now + 59) / 60;
}

int64_t
guard_wait_minutes(struct request *req, const struct guard_subjects *gs)
{
	int64_t a = wait_of(req, gs->account), b = wait_of(req, gs->ip);

	return a > b ? a : b;
}

/* Add a failure to subject with limit max; true if it now locks. */
static bool
fail_one(struct request *req, const char *subject, int max)
{
	const struct config *cfg = &req->app->cfg;
	struct db *db = &req->app->db;
	struct guard_row r;
	sqlite3_stmt *s;
	int64_t wait;
	bool locked = false;

	guard_read(db, subject, &r);
	if (r.window_start < req->now - STREAK_RESET)
		r.lockouts = 0;
	if (r.window_start < req->now - cfg->login_window_minutes * 60) {
		r.failures = 0;
		r.window_start = req->now;
	}
	if (++r.failures >= max) {
		/* 1, 2, 4 … minutes, capped; the count starts over */
		wait = r.lockouts < 20 ? (int64_t)1 << r.lockouts : INT64_MAX;
		if (wait > cfg->login_max_lockout_minutes)
			wait = cfg->login_max_lockout_minutes;
		r.locked_until = req->now + wait * 60;
		r.lockouts++;
		r.failures = 0;
		r.window_start = req->now;
		locked = true;
	}
	s = db_stmt(db, STMT_GUARD_PUT);
	db_bind_text(s, ":subject", subject);
	db_bind_int(s, ":failures", r.failures);
	db_bind_int(s, ":window_start", r.window_start);
	db_bind_int(s, ":locked_until", r.locked_until);
	db_bind_int(s, ":lockouts", r.lockouts);
	db_exec(db, s);
	return locked;
}

bool
guard_fail(struct request *req, const struct guard_subjects *gs,
    int64_t user_id)
{
	const struct config *cfg = &req->app->cfg;
	struct db *db = &req->app->db;
	bool account_locked, ip_locked;

	if (db_begin(db) != 0)
		return false;
	account_locked = fail_one(req, gs->account, cfg->login_max_failures);
	ip_locked = fail_one(req, gs->ip, cfg->login_max_failures_per_ip);
	if (account_locked)
		event_log(&req->viewer, "lockout", user_id, 0, gs->account);
	if (ip_locked)
		event_log(&req->viewer, "lockout", 0, 0, gs->ip);
	if (db_commit(db) != 0) {
		log_error("failure count not recorded");
		return false;
	}
	return account_locked || ip_locked;
}

void
guard_clear(struct request *req, const struct guard_subjects *gs)
{
	sqlite3_stmt *s = db_stmt(&req->app->db, STMT_GUARD_CLEAR);

	db_bind_text(s, ":subject", gs->account);
	db_exec(&req->app->db, s);
}
