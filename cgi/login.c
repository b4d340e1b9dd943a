/*
 * login.c - the sign-in model.
 */
#include "login.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "mfa.h"
#include "perm.h"
#include "user.h"

#define LOGIN_MAX 254
#define MFA_MAX_FAILURES 5
/* last_seen_at is written at most this often: one write a minute per
 * session instead of one per request */
#define TOUCH_INTERVAL 60

enum auth_stage
login_stage(const struct user *u, const struct session *s)
{
	if (u->totp_enabled && !s->mfa_passed)
		return STAGE_MFA;
	if (u->must_change_password)
		return STAGE_PASSWORD;
	if (u->mfa_required && !u->totp_enabled)
		return STAGE_ENROL;
	return STAGE_FULL;
}

int
login_session_end(const struct viewer *v, int64_t id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SESSION_DELETE);

	db_bind_int(s, ":id", id);
	return db_exec(v->db, s);
}

/* The row of SESSION_BY_HASH into *s; false when there is none. */
static bool
read_session(const struct viewer *v, struct session *s)
{
	struct db_stmt *st = db_stmt(v->db, STMT_SESSION_BY_HASH);
	bool found;

	db_bind_blob(st, ":hash", s->hash, sizeof(s->hash));
	if ((found = db_step(v->db, st) == DB_ROW)) {
		s->id = db_col_int(st, 0);
		s->user_id = db_col_int(st, 1);
		s->mfa_passed = db_col_int(st, 2) != 0;
		s->mfa_failures = (int)db_col_int(st, 3);
		s->created_at = db_col_int(st, 4);
		s->last_seen_at = db_col_int(st, 5);
	}
	db_reset(st);
	return found;
}

enum session_state
login_resume(const struct viewer *v, struct session *s, struct user **u)
{
	const struct config *cfg = &v->app->cfg;
	struct db_stmt *st;

	if (!read_session(v, s))
		return SESSION_EXPIRED;
	if (s->last_seen_at < v->now - cfg->session_idle_minutes * 60 ||
	    s->created_at < v->now -
	    (int64_t)cfg->session_absolute_hours * 3600) {
		login_session_end(v, s->id);
		return SESSION_EXPIRED;
	}
	*u = user_load(v->db, v->arena, s->user_id);
	if (*u == NULL || !(*u)->active) {
		login_session_end(v, s->id);
		return SESSION_REFUSED;
	}
	if (v->now - s->last_seen_at >= TOUCH_INTERVAL) {
		st = db_stmt(v->db, STMT_SESSION_TOUCH);
		db_bind_int(st, ":id", s->id);
		db_bind_int(st, ":now", v->now);
		db_exec(v->db, st);
	}
	return SESSION_LIVE;
}

/* The account a login names: its id (0: none) and hash (NULL when it has
 * none). */
static int64_t
lookup_login(const struct viewer *v, const char *login, const char **hash,
    bool *active)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_LOGIN_LOOKUP);
	int64_t id = 0;

	*hash = NULL;
	*active = false;
	db_bind_text(s, ":login", login);
	if (db_step(v->db, s) == DB_ROW) {
		id = db_col_int(s, 0);
		*hash = db_text_or_null(v->arena, s, 1);
		*active = db_col_int(s, 2) != 0;
	}
	db_reset(s);
	return id;
}

/* Replace the stored hash when it was made with older limits. */
static void
upgrade_hash(const struct viewer *v, int64_t id, const char *hash,
    const char *pw)
{
	char fresh[crypto_pwhash_STRBYTES];
	struct db_stmt *s;

	if (!password_needs_rehash(hash) || password_hash(pw, fresh) != 0)
		return;
	s = db_stmt(v->db, STMT_USER_SET_HASH);
	db_bind_text(s, ":hash", fresh);
	db_bind_int(s, ":id", id);
	db_exec(v->db, s);
}

/* Insert a new session for user_id into *out (inside the transaction):
 * a new token, never the old one. 0 or -1. */
static int
start_session(const struct viewer *v, int64_t user_id,
    const char *user_agent, struct login_session *out)
{
	const struct config *cfg = &v->app->cfg;
	struct session *ses = arena_calloc(v->arena, 1, sizeof(*ses));
	struct db_stmt *s;

	/* the user's sessions that ran out, so abandoned ones do not pile
	 * up */
	s = db_stmt(v->db, STMT_SESSION_DELETE_EXPIRED);
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":idle_before", v->now - cfg->session_idle_minutes * 60);
	db_bind_int(s, ":created_before", v->now -
	    (int64_t)cfg->session_absolute_hours * 3600);
	if (db_exec(v->db, s) != 0)
		return -1;
	/* room for the new one within the cap: the oldest end */
	s = db_stmt(v->db, STMT_SESSION_DELETE_OLDEST);
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":keep", cfg->session_max_per_user - 1);
	if (db_exec(v->db, s) != 0)
		return -1;
	out->token = token_new(v->arena, ses->hash);
	s = db_stmt(v->db, STMT_SESSION_INSERT);
	db_bind_blob(s, ":hash", ses->hash, sizeof(ses->hash));
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":now", v->now);
	db_bind_text(s, ":ip", v->addr);
	/* bounded: the sessions list shows it, a client chooses it */
	db_bind_text(s, ":user_agent", user_agent != NULL ? user_agent : "");
	if (db_exec(v->db, s) != 0)
		return -1;
	ses->id = db_last_id(v->db);
	ses->user_id = user_id;
	ses->created_at = ses->last_seen_at = v->now;
	out->session = ses;
	out->user = user_load(v->db, v->arena, user_id);
	return out->user != NULL ? 0 : -1;
}

/* The password is right: the new session and its records, in one
 * transaction. */
static enum login_result
sign_in(const struct viewer *v, int64_t id, const struct login_attempt *in,
    const struct guard_subjects *gs, struct login_session *out)
{
	bool mfa_due;

	if (db_begin(v->db) != 0)
		return LOGIN_FAILED;
	if ((in->old_session != 0 &&
	    login_session_end(v, in->old_session) != 0) ||
	    start_session(v, id, in->user_agent, out) != 0 ||
	    user_set_last_login(v->db, id, v->now) != 0)
		goto fail;
	/* wrong codes must add up across sign-ins: only the whole login
	 * clears them */
	mfa_due = login_stage(out->user, out->session) == STAGE_MFA;
	if (!mfa_due && guard_clear(v, gs) != 0)
		goto fail;
	event_log(v, mfa_due ? "login_password" : "login", id, id, "");
	if (db_commit(v->db) != 0)
		goto fail;
	return LOGIN_DONE;
fail:
	db_rollback(v->db);
	out->session = NULL;
	out->user = NULL;
	return LOGIN_FAILED;
}

enum login_result
login_password(const struct viewer *v, const struct login_attempt *in,
    struct login_session *out)
{
	const char *hash = NULL;
	struct guard_subjects gs;
	int64_t id = 0;
	bool active = false, ok, locked;

	memset(out, 0, sizeof(*out));
	if (strlen(in->login) <= LOGIN_MAX)
		id = lookup_login(v, in->login, &hash, &active);
	guard_subjects(v, id, in->login, &gs);
	/* the address's limits say nothing about the account tried */
	if ((out->wait = guard_wait_minutes(v, gs.ip)) > 0)
		return LOGIN_LOCKED;
	if ((out->wait = guard_attempt(v)) != 0)
		return out->wait > 0 ? LOGIN_LOCKED : LOGIN_FAILED;
	locked = guard_wait_minutes(v, gs.account) > 0;
	/* the dummy hash costs an unknown user the same time as a known
	 * one, and a locked account is hashed like an open one */
	ok = strlen(in->password) <= PASSWORD_MAX_BYTES &&
	    password_verify(hash ? hash : v->app->dummy_hash, in->password) &&
	    hash != NULL && active;
	if (ok && !locked) {
		upgrade_hash(v, id, hash, in->password);
		return sign_in(v, id, in, &gs, out);
	}
	if (db_begin(v->db) != 0)
		return LOGIN_FAILED;
	event_log(v, "login_failed", id, 0, id == 0 ? "unknown user" :
	    ok ? "locked" : active ? "wrong password" : "inactive user");
	/* the right password while locked is no guess: it does not
	 * lengthen the lock */
	if ((!ok && guard_fail(v, &gs, id) < 0) || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return LOGIN_FAILED;
	}
	return LOGIN_WRONG;
}

const char *
login_session_rotate(const struct viewer *v, int64_t id)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	const char *token = token_new(v->arena, hash);
	struct db_stmt *s = db_stmt(v->db, STMT_SESSION_ROTATE);

	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":id", id);
	if (db_exec(v->db, s) != 0 || db_changes(v->db) != 1)
		return NULL;
	return token;
}

/* The minutes until the account and the address are both free from v's
 * address. */
static int64_t
mfa_wait(const struct viewer *v, const struct guard_subjects *gs)
{
	int64_t a = guard_wait_minutes(v, gs->account);
	int64_t b = guard_wait_minutes(v, gs->ip);

	return a > b ? a : b;
}

enum login_result
login_mfa(const struct viewer *v, const struct session *s, const char *code,
    const char **token, int64_t *wait)
{
	int64_t uid = perm_actor(v);
	struct guard_subjects gs;
	enum mfa_result r = MFA_WRONG;
	bool restart, passed;
	int locked;

	guard_subjects(v, uid, NULL, &gs);
	if (db_begin(v->db) != 0)
		return LOGIN_FAILED;
	/* locked meanwhile (by another session's codes): no code is tried */
	if ((locked = mfa_wait(v, &gs) > 0) == 0) {
		r = mfa_check(v, code, true);
		passed = r == MFA_TOTP || r == MFA_RECOVERY;
		if (mfa_session_result(v, s->id, passed) != 0)
			goto fail;
		if (passed) {
			event_log(v, r == MFA_TOTP ? "login" :
			    "login_recovery_code", uid, uid, "");
			/* the token that went with the password alone ends */
			if ((*token = login_session_rotate(v, s->id)) ==
			    NULL || guard_clear(v, &gs) != 0 ||
			    db_commit(v->db) != 0)
				goto fail;
			return r == MFA_TOTP ? LOGIN_DONE : LOGIN_RECOVERY;
		}
		/* a wrong code counts like a wrong password; so does a
		 * used one, which may be replayed */
		event_log(v, "mfa_failed", uid, uid, "");
		if ((locked = guard_fail(v, &gs, uid)) < 0)
			goto fail;
	}
	restart = locked || s->mfa_failures + 1 >= MFA_MAX_FAILURES;
	if (restart) {
		event_log(v, "mfa_restart", uid, uid, "");
		if (login_session_end(v, s->id) != 0)
			goto fail;
	}
	if (db_commit(v->db) != 0)
		goto fail;
	*wait = mfa_wait(v, &gs);
	return locked ? LOGIN_LOCKED : restart ? LOGIN_RESTART :
	    r == MFA_USED ? LOGIN_USED : LOGIN_WRONG;
fail:
	db_rollback(v->db);
	return LOGIN_FAILED;
}

enum model_result
login_check_password(const struct viewer *v, int64_t session_id,
    const char *password, struct check_error *e)
{
	int64_t uid = v->user->id;
	int reached;

	/* argon2id outside the write transaction, as everywhere */
	if (user_password_ok(v->db, v->arena, uid, password))
		return guard_check_passed(v, uid) == 0 ? MODEL_DONE :
		    MODEL_FAILED;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	event_log(v, "password_check_failed", uid, uid, "");
	if ((reached = guard_check_failed(v, uid)) < 0)
		goto fail;
	if (reached) {
		event_log(v, "password_check_restart", uid, uid, "");
		if (login_session_end(v, session_id) != 0)
			goto fail;
	}
	if (db_commit(v->db) != 0)
		goto fail;
	if (reached)
		check_fail(e, 401, "Too many wrong passwords: you were signed "
		    "out. Sign in again.");
	else
		check_fail(e, 400, "That is not your current password.");
	return MODEL_INVALID;
fail:
	db_rollback(v->db);
	return MODEL_FAILED;
}

int
login_sign_out(const struct viewer *v, int64_t id)
{
	if (db_begin(v->db) != 0)
		return -1;
	event_log(v, "logout", perm_actor(v), perm_actor(v), "");
	if (login_session_end(v, id) != 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return -1;
	}
	return 0;
}
