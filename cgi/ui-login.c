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
#include "http.h"
#include "log.h"
#include "page.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

#define LOGIN_MAX 254

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
	http_redirect(req, req->user ? "/accounts" : "/login");
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

/* The user id whose password is pw, or 0 (after the same work). */
static int64_t
check_password(struct request *req, const char *login, const char *pw)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOGIN_LOOKUP);
	const char *hash = req->app->dummy_hash;
	int64_t id = 0;
	bool active = false, ok;

	db_bind_text(s, ":login", login);
	if (db_step(db, s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			hash = db_text(req->arena, s, 1);
		active = sqlite3_column_int(s, 2) != 0;
	}
	sqlite3_reset(s);
	ok = password_verify(hash, pw) && hash != req->app->dummy_hash;
	if (!ok || !active) {
		event_log(req, "login_failed", id, 0, id == 0 ?
		    "unknown user" : active ? "wrong password" :
		    "inactive user");
		return 0;
	}
	if (password_needs_rehash(hash)) {
		char fresh[crypto_pwhash_STRBYTES];

		if (password_hash(pw, fresh) == 0) {
			s = db_stmt(db, STMT_USER_SET_HASH);
			db_bind_text(s, ":hash", fresh);
			db_bind_int(s, ":id", id);
			db_exec(db, s);
		}
	}
	return id;
}

void
ui_login_post(struct request *req)
{
	const char *login = param_get(&req->form, "username");
	const char *pw = param_get(&req->form, "password");
	const char *next = next_path(req);
	struct db *db = &req->app->db;
	sqlite3_stmt *s;
	int64_t id;

	if (login == NULL || *login == '\0' || pw == NULL || *pw == '\0') {
		render_login(req, 400, login, "Enter your username or e-mail "
		    "and your password.");
		return;
	}
	if (strlen(login) > LOGIN_MAX || strlen(pw) > PASSWORD_MAX_BYTES)
		id = 0;
	else
		id = check_password(req, login, pw);
	if (id == 0) {
		render_login(req, 401, login, "Wrong username or password.");
		return;
	}
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
	event_log(req, "login", id, id, "");
	if (db_commit(db) != 0)
		goto fail;
	if (session_stage(req) == STAGE_MFA)
		http_redirect(req, next ? arena_printf(req->arena,
		    "/login/mfa?next=%s", url_encode(req->arena, next)) :
		    "/login/mfa");
	else
		http_redirect(req, next ? next : "/accounts");
	return;
fail:
	db_rollback(db);
	req->session = NULL;
	req->user = NULL;
	buf_clear(&req->headers);
	page_error(req, 503, "Signing in failed for a moment. Please try "
	    "again.");
}

void
ui_logout(struct request *req)
{
	if (req->session != NULL) {
		event_log(req, "logout", req->user ? req->user->id : 0,
		    req->user ? req->user->id : 0, "");
		session_end(req);
		flash_set(req, "You have signed out.");
	}
	http_redirect(req, "/login");
}
