/*
 * ui-tokens.c - the API tokens tab: a user's own tokens, creating one
 * (its secret shown once) and revoking one. Every statement is bound to
 * the signed-in user's id.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "page.h"
#include "session.h"
#include "timefmt.h"
#include "token.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

static void
add_tokens(struct request *req, struct tval *d)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_TOKENS_OF_USER);
	struct tval *list = tv_set_list(d, "tokens"), *row;
	struct arena *a = req->arena;
	int64_t expires;

	db_bind_int(s, ":user_id", req->user->id);
	while (db_step(db, s) == SQLITE_ROW) {
		row = tv_map(a);
		tv_set_int(row, "id", sqlite3_column_int64(s, 0));
		tv_set_str(row, "name", db_text(a, s, 1));
		tv_set_str(row, "created", time_text(a, req->user,
		    sqlite3_column_int64(s, 2)));
		expires = sqlite3_column_int64(s, 3);
		tv_set_str(row, "expires", time_text(a, req->user, expires));
		tv_set_str(row, "last_used", time_text(a, req->user,
		    sqlite3_column_int64(s, 4)));
		tv_set_str(row, "last_ip", db_text(a, s, 5));
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			tv_set_str(row, "status", "revoked");
		else if (expires <= req->now)
			tv_set_str(row, "status", "expired");
		else
			tv_set_bool(row, "active", true);
		tv_push(list, row);
	}
	sqlite3_reset(s);
	tv_set_bool(d, "has_tokens", tv_len(list) > 0);
}

static void
render_tokens(struct request *req, int status, const char *name,
    const char *expires_on, const char *error)
{
	struct tval *d = page_data(req), *form;

	form = tv_set_map(d, "form");
	tv_set_str(form, "name", name ? name : "");
	tv_set_str(form, "expires_on", expires_on ? expires_on :
	    token_default_expiry(req->arena, req->now));
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "token", error);
	add_tokens(req, d);
	page_render(req, status, "tokens", d);
}

void
ui_tokens(struct request *req)
{
	render_tokens(req, 200, NULL, NULL, NULL);
}

/* The secret is in this one response only (sent with no-store, like
 * every page behind login), never in a redirect, a log or a later page. */
void
ui_token_new(struct request *req)
{
	const char *name = param_get(&req->form, "name");
	const char *expires_on = param_get(&req->form, "expires_on");
	const char *error = NULL, *secret;
	struct tval *d;

	secret = token_create(req, name, expires_on, &error);
	if (secret == NULL) {
		render_tokens(req, 400, name, expires_on, error);
		return;
	}
	event_log(&req->viewer, "token_created", req->user->id, req->user->id, name);
	d = page_data(req);
	tv_set_str(d, "name", name);
	tv_set_str(d, "secret", secret);
	page_render(req, 200, "token_created", d);
}

void
ui_token_revoke(struct request *req)
{
	sqlite3_stmt *s = db_stmt(&req->app->db, STMT_TOKEN_REVOKE);

	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", req->id);
	db_bind_int(s, ":user_id", req->user->id);
	if (db_exec(&req->app->db, s) != 0) {
		page_error(req, 503, "The token could not be revoked. Please try "
		    "again.");
		return;
	}
	if (db_changes(&req->app->db) != 1) {
		page_error(req, 404, "There is no such active token.");
		return;
	}
	event_log(&req->viewer, "token_revoked", req->user->id, req->user->id, "");
	flash_set(req, "The token was revoked; it no longer works.");
	http_redirect(req, "/tokens");
}
