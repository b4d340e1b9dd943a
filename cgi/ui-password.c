/*
 * ui-password.c - set-up and reset links: "forgot password", the pages
 * the links open, and the mail that carries them.
 *
 * A link is /password/setup/TOKEN (welcome mail, 72 hours) or
 * /password/reset/TOKEN (forgot password, 1 hour). TOKEN is 32 random
 * bytes; user_links keeps only its hash, and a link works once: using it
 * voids every other outstanding link of the user and ends all of their
 * sessions. Tokens never reach the log.
 *
 * The forgot-password answer is the same page, status and (near enough)
 * time whether or not the address belongs to someone: both paths write
 * one transaction. Operators reset with `arborctl passwd`, never by mail,
 * and an address gets at most RESET_PER_HOUR reset mails an hour.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "mail.h"
#include "page.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

#define RESET_PER_HOUR 3

/* ---------------------------------------------------- forgot password */

static void
render_forgot(struct request *req, int status, const char *email,
    const char *error, bool sent)
{
	struct tval *d = page_data(req), *form;

	req->no_store = true;
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", email ? email : "");
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "email", error);
	tv_set_bool(d, "sent", sent);
	page_render(req, status, "password_forgot", d);
}

void
ui_password_forgot_get(struct request *req)
{
	render_forgot(req, 200, NULL, NULL, false);
}

void
ui_password_forgot_post(struct request *req)
{
	struct db *db = &req->app->db;
	const char *email = param_get(&req->form, "email");
	int64_t id = 0, recent = 0;
	const char *username = NULL, *address = NULL, *full_name = NULL;
	sqlite3_stmt *s;

	if (email == NULL || *email == '\0' || strlen(email) > MAIL_ADDR_MAX ||
	    strchr(email, '@') == NULL) {
		render_forgot(req, 400, email, "Enter the e-mail address of "
		    "your account.", false);
		return;
	}
	if (db_begin(db) != 0)
		goto fail;
	s = db_stmt(db, STMT_USER_FOR_RESET);
	db_bind_text(s, ":email", email);
	if (db_step(db, s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		username = db_text(req->arena, s, 1);
		address = db_text(req->arena, s, 2);
		full_name = db_text(req->arena, s, 3);
	}
	sqlite3_reset(s);
	if (id != 0) {
		s = db_stmt(db, STMT_LINK_RECENT);
		db_bind_int(s, ":user_id", id);
		db_bind_text(s, ":purpose", "reset");
		db_bind_int(s, ":since", req->now - 3600);
		if (db_step(db, s) == SQLITE_ROW)
			recent = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	if (id == 0) {
		/* the same write as the other paths, so the same time */
		event_log(&req->viewer, "password_reset_unknown", 0, 0, "");
	} else if (recent >= RESET_PER_HOUR) {
		event_log(&req->viewer, "password_reset_throttled", id, 0, "");
	} else {
		if (password_link_send(req, id, "reset", address, username,
		    full_name) != 0)
			goto fail;
		event_log(&req->viewer, "password_reset_requested", id, 0, "");
	}
	if (db_commit(db) != 0)
		goto fail;
	render_forgot(req, 200, email, NULL, true);
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "This did not work just now. Please try again.");
}

/* -------------------------------------------------- the link's pages */

struct link {
	int64_t id;
	int64_t user_id;
	const char *username;
	const char *email;
};

/* "setup" or "reset", from the route's path. */
static const char *
link_purpose(const struct request *req)
{
	return strncmp(req->path, "/password/setup/", 16) == 0 ? "setup" :
	    "reset";
}

/* The link of req->token if it can still be used: known, unused,
 * unexpired, its user active. */
static bool
link_find(struct request *req, struct link *l)
{
	struct db *db = &req->app->db;
	unsigned char hash[TOKEN_HASH_BYTES];
	sqlite3_stmt *s;
	bool ok = false;

	if (token_hash(req->token, hash) != 0)
		return false;
	s = db_stmt(db, STMT_LINK_BY_HASH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_text(s, ":purpose", link_purpose(req));
	if (db_step(db, s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 3) == SQLITE_NULL &&
	    sqlite3_column_int64(s, 2) > req->now &&
	    sqlite3_column_int(s, 6) != 0) {
		l->id = sqlite3_column_int64(s, 0);
		l->user_id = sqlite3_column_int64(s, 1);
		l->username = db_text(req->arena, s, 4);
		l->email = db_text(req->arena, s, 5);
		ok = true;
	}
	sqlite3_reset(s);
	return ok;
}

static void
render_set(struct request *req, int status, const struct link *l,
    struct tval *errors)
{
	struct tval *d = page_data(req);
	bool setup = strcmp(link_purpose(req), "setup") == 0;

	req->no_store = true;	/* a page opened by a secret link */
	tv_set_bool(d, "setup", setup);
	if (l == NULL) {
		tv_set_bool(d, "invalid", true);
	} else {
		tv_set_str(d, "username", l->username);
		tv_set_str(d, "action", req->path);
	}
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "password_set", d);
}

void
ui_password_link_get(struct request *req)
{
	struct link l;

	if (!link_find(req, &l)) {
		render_set(req, 404, NULL, NULL);
		return;
	}
	render_set(req, 200, &l, NULL);
}

void
ui_password_link_post(struct request *req)
{
	struct db *db = &req->app->db;
	const char *pw = param_get(&req->form, "new_password");
	const char *again = param_get(&req->form, "confirm_password");
	char hash[crypto_pwhash_STRBYTES];
	struct tval *errors = NULL;
	const char *why;
	sqlite3_stmt *s;
	struct link l;

	if (!link_find(req, &l)) {
		render_set(req, 404, NULL, NULL);
		return;
	}
	if (pw == NULL || *pw == '\0')
		why = "Enter a new password.";
	else
		why = password_policy(pw, l.username, l.email);
	if (why != NULL) {
		errors = tv_map(req->arena);
		tv_set_str(errors, "new_password", why);
	} else if (again == NULL || strcmp(pw, again) != 0) {
		errors = tv_map(req->arena);
		tv_set_str(errors, "confirm_password", "The two passwords "
		    "differ. Type the same password twice.");
	}
	if (errors != NULL) {
		render_set(req, 400, &l, errors);
		return;
	}
	if (password_hash(pw, hash) != 0 || db_begin(db) != 0)
		goto fail;
	/* single use: of two requests with the same link, one changes it */
	s = db_stmt(db, STMT_LINK_USE);
	db_bind_int(s, ":id", l.id);
	db_bind_int(s, ":now", req->now);
	if (db_exec(db, s) != 0)
		goto fail;
	if (db_changes(db) != 1) {
		db_rollback(db);
		render_set(req, 404, NULL, NULL);
		return;
	}
	s = db_stmt(db, STMT_USER_SET_PASSWORD);
	db_bind_text(s, ":hash", hash);
	db_bind_int(s, ":must_change", 0);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", l.user_id);
	if (db_exec(db, s) != 0)
		goto fail;
	s = db_stmt(db, STMT_LINK_USE_ALL);
	db_bind_int(s, ":user_id", l.user_id);
	db_bind_int(s, ":now", req->now);
	if (db_exec(db, s) != 0)
		goto fail;
	s = db_stmt(db, STMT_SESSION_DELETE_USER);
	db_bind_int(s, ":user_id", l.user_id);
	db_bind_int(s, ":keep", 0);
	if (db_exec(db, s) != 0)
		goto fail;
	event_log(&req->viewer, "password_reset", l.user_id, l.user_id,
	    link_purpose(req));
	if (db_commit(db) != 0)
		goto fail;
	sodium_memzero(hash, sizeof(hash));
	if (req->session != NULL && req->session->user_id == l.user_id)
		session_end(req);	/* its row is gone: drop the cookie */
	flash_set(req, "Your password is set. Sign in with it.");
	http_redirect(req, "/login");
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "Your password could not be saved just now. "
	    "The link still works: please try again.");
}
