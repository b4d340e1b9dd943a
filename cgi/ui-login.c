/*
 * ui-login.c - signing in and out.
 *
 * A wrong password, an unknown user and an inactive user get the same
 * answer, and an unknown user is checked against a dummy hash so that
 * the answer also takes the same time: the login page must not tell
 * which usernames exist.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "http.h"
#include "log.h"
#include "mfa.h"
#include "page.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

#define LOGIN_MAX 254
#define MFA_MAX_FAILURES 5

static const char *
next_path(struct request *req)
{
	const char *next = param_get(&req->form, "next");

	if (next == NULL)
		next = param_get(&req->query, "next");
	return local_path(next) ? next : NULL;
}

static void
render_login(struct request *req, int status, const char *username,
    const char *error)
{
	struct tval *d = page_data(req), *form;
	const char *next = next_path(req);

	if (next != NULL)
		tv_set_str(d, "next", next);
	form = tv_set_map(d, "form");
	tv_set_str(form, "username", username ? username : "");
	if (error != NULL)
		tv_set_str(d, "error", error);
	if (req->session_expired)
		tv_set_str(d, "notice", "Your session has ended. Please "
		    "sign in again.");
	page_render(req, status, "login", d);
}

void
ui_root(struct request *req)
{
	http_redirect(req, "/accounts");	/* the gate sent visitors to log in */
}

void
ui_login_get(struct request *req)
{
	const char *next = next_path(req);

	if (req->user != NULL && session_stage(req) == STAGE_FULL) {
		http_redirect(req, next ? next : "/accounts");
		return;
	}
	render_login(req, 200, NULL, NULL);
}

/* The account a login names: its id and hash (NULL when it has none). */
static int64_t
lookup_login(struct request *req, const char *login, const char **hash,
    bool *active)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOGIN_LOOKUP);
	int64_t id = 0;

	*hash = NULL;
	*active = false;
	db_bind_text(s, ":login", login);
	if (db_step(db, s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*hash = db_text_or_null(req->arena, s, 1);
		*active = sqlite3_column_int(s, 2) != 0;
	}
	sqlite3_reset(s);
	return id;
}

/* Replace the stored hash when it was made with older limits. */
static void
upgrade_hash(struct request *req, int64_t id, const char *hash,
    const char *pw)
{
	char fresh[crypto_pwhash_STRBYTES];
	sqlite3_stmt *s;

	if (!password_needs_rehash(hash) || password_hash(pw, fresh) != 0)
		return;
	s = db_stmt(&req->app->db, STMT_USER_SET_HASH);
	db_bind_text(s, ":hash", fresh);
	db_bind_int(s, ":id", id);
	db_exec(&req->app->db, s);
}

static void
render_locked(struct request *req, const char *login, int64_t minutes)
{
	render_login(req, 429, login, arena_printf(req->arena, "Too many "
	    "failed attempts. Wait %lld minute%s and try again.",
	    (long long)minutes, minutes == 1 ? "" : "s"));
}

/* Where to go once the password is right: the MFA step or the page. */
static const char *
after_password(struct request *req, const char *next)
{
	if (session_stage(req) != STAGE_MFA)
		return next ? next : "/accounts";
	return next ? arena_printf(req->arena, "/login/mfa?next=%s",
	    url_encode(req->arena, next)) : "/login/mfa";
}

void
ui_login_post(struct request *req)
{
	const char *login = param_get(&req->form, "username");
	const char *pw = param_get(&req->form, "password");
	const char *next = next_path(req), *hash = NULL;
	struct db *db = &req->app->db;
	struct guard_subjects gs;
	sqlite3_stmt *s;
	int64_t id = 0, wait;
	bool active = false, ok;

	if (login == NULL || *login == '\0' || pw == NULL || *pw == '\0') {
		render_login(req, 400, login, "Enter your username or e-mail "
		    "and your password.");
		return;
	}
	if (strlen(login) <= LOGIN_MAX)
		id = lookup_login(req, login, &hash, &active);
	guard_subjects(req, id, login, &gs);
	if ((wait = guard_wait_minutes(req, &gs)) > 0) {
		render_locked(req, login, wait);
		return;
	}
	/* the dummy hash costs an unknown user the same time as a known one */
	ok = strlen(pw) <= PASSWORD_MAX_BYTES && password_verify(hash ? hash :
	    req->app->dummy_hash, pw) && hash != NULL && active;
	if (!ok) {
		event_log(&req->viewer, "login_failed", id, 0, id == 0 ?
		    "unknown user" : active ? "wrong password" :
		    "inactive user");
		if (guard_fail(req, &gs, id))
			render_locked(req, login, guard_wait_minutes(req, &gs));
		else
			render_login(req, 401, login, "Wrong username or "
			    "password.");
		return;
	}
	upgrade_hash(req, id, hash, pw);
	if (db_begin(db) != 0)
		goto fail;
	if (req->session != NULL)
		session_end(req);	/* a new session id at every login */
	if (session_start(req, id) != 0)
		goto fail;
	s = db_stmt(db, STMT_USER_SET_LAST_LOGIN);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":now", req->now);
	if (db_exec(db, s) != 0)
		goto fail;
	guard_clear(req, &gs);
	event_log(&req->viewer, session_stage(req) == STAGE_MFA ? "login_password" :
	    "login", id, id, "");
	if (db_commit(db) != 0)
		goto fail;
	http_redirect(req, after_password(req, next));
	return;
fail:
	db_rollback(db);
	req->session = NULL;
	req->user = NULL;
	http_viewer(req);
	buf_clear(&req->headers);
	page_error(req, 503, "Signing in failed for a moment. Please try "
	    "again.");
}

static void
render_mfa(struct request *req, int status, const char *error)
{
	struct tval *d = page_data(req);
	const char *next = next_path(req);

	if (next != NULL)
		tv_set_str(d, "next", next);
	if (error != NULL) {
		tv_set_str(tv_set_map(d, "errors"), "code", error);
	}
	page_render(req, status, "login_mfa", d);
}

void
ui_login_mfa_get(struct request *req)
{
	if (session_stage(req) != STAGE_MFA) {
		http_redirect(req, "/accounts");
		return;
	}
	render_mfa(req, 200, NULL);
}

/*
 * The second step of a login with MFA. Wrong codes count against the
 * account like wrong passwords; after MFA_MAX_FAILURES in one session
 * the login starts over, so a stolen password alone gets few guesses.
 */
void
ui_login_mfa_post(struct request *req)
{
	const char *code = param_get(&req->form, "code");
	const char *next = next_path(req);
	struct db *db = &req->app->db;
	struct guard_subjects gs;
	enum mfa_result r;
	sqlite3_stmt *s;
	int64_t uid = req->user->id, wait;

	if (session_stage(req) != STAGE_MFA) {
		http_redirect(req, "/accounts");
		return;
	}
	guard_subjects(req, uid, NULL, &gs);
	if ((wait = guard_wait_minutes(req, &gs)) > 0) {
		render_mfa(req, 429, arena_printf(req->arena, "Too many failed "
		    "attempts. Wait %lld minute%s and try again.",
		    (long long)wait, wait == 1 ? "" : "s"));
		return;
	}
	if (db_begin(db) != 0) {
		render_mfa(req, 503, "Please try again.");
		return;
	}
	r = mfa_check(req, uid, code, true);
	s = db_stmt(db, r == MFA_WRONG ? STMT_SESSION_MFA_FAILED :
	    STMT_SESSION_MFA_PASSED);
	db_bind_int(s, ":id", req->session->id);
	if (db_exec(db, s) != 0) {
		db_rollback(db);
		render_mfa(req, 503, "Please try again.");
		return;
	}
	event_log(&req->viewer, r == MFA_WRONG ? "mfa_failed" : r == MFA_TOTP ?
	    "login" : "login_recovery_code", uid, uid, "");
	if (db_commit(db) != 0) {
		render_mfa(req, 503, "Please try again.");
		return;
	}
	if (r != MFA_WRONG) {
		guard_clear(req, &gs);
		if (r == MFA_RECOVERY)
			flash_set(req, "You signed in with a recovery code; it "
			    "cannot be used again. Generate new codes under "
			    "Profile when you run low.");
		http_redirect(req, next ? next : "/accounts");
		return;
	}
	guard_fail(req, &gs, uid);
	if (req->session->mfa_failures + 1 >= MFA_MAX_FAILURES) {
		event_log(&req->viewer, "mfa_restart", uid, uid, "");
		session_end(req);
		flash_set(req, "Too many wrong codes. Sign in again.");
		http_redirect(req, "/login");
		return;
	}
	render_mfa(req, 401, "That code is not valid. Enter the current "
	    "6-digit code from your authenticator app, or a recovery code.");
}

void
ui_logout(struct request *req)
{
	if (req->session != NULL) {
		event_log(&req->viewer, "logout", req->user ? req->user->id : 0,
		    req->user ? req->user->id : 0, "");
		session_end(req);
		flash_set(req, "You have signed out.");
	}
	http_redirect(req, "/login");
}
