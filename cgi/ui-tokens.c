/*
 * ui-tokens.c - the API tokens tab: a user's own tokens, creating one
 * (its secret shown once, on the page the creation redirects to) and
 * revoking one after a confirmation. Parse, call token.c, render: the
 * model binds every statement to the signed-in user.
 */
#include <string.h>

#include "arena.h"
#include "http.h"
#include "page.h"
#include "session.h"
#include "timefmt.h"
#include "token.h"
#include "tval.h"
#include "ui.h"

/* The rows of the tokens list; false on a database error. */
static bool
add_tokens(struct request *req, struct tval *d)
{
	struct arena *a = req->arena;
	struct tval *list, *row;
	struct token *t;
	ssize_t n = token_list(&req->viewer, &t), i;

	if (n < 0)
		return false;
	list = tv_set_list(d, "tokens");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_int(row, "id", t[i].id);
		tv_set_str(row, "name", t[i].name);
		tv_set_str(row, "created", time_text(a, req->user,
		    t[i].created_at));
		/* the last day it works, as picked: it ends with that day
		 * in the user's zone */
		tv_set_str(row, "expires", time_date(a, req->user,
		    t[i].expires_at - 1));
		tv_set_str(row, "last_used", time_text(a, req->user,
		    t[i].last_used_at));
		tv_set_str(row, "last_ip", t[i].last_ip);
		tv_set_str(row, "scope", t[i].read_only ? "read" : "write");
		if (t[i].revoked)
			tv_set_str(row, "status", "revoked");
		else if (t[i].expires_at <= req->now)
			tv_set_str(row, "status", "expired");
		else
			tv_set_bool(row, "active", true);
		tv_push(list, row);
	}
	tv_set_bool(d, "has_tokens", n > 0);
	return true;
}

static void
render_tokens(struct request *req, int status, const char *name,
    const char *expires_on, const char *scope, struct tval *errors)
{
	struct tval *d = page_data(req), *form;

	if (!add_tokens(req, d)) {
		page_error(req, 503, "Your tokens could not be read. Please "
		    "try again.");
		return;
	}
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", name ? name : "");
	tv_set_str(form, "expires_on", expires_on ? expires_on :
	    token_default_expiry(&req->viewer));
	tv_set_bool(form, "read", scope != NULL && strcmp(scope, "read") == 0);
	tv_set_bool(form, "read_only_user", token_read_only_user(req->user));
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "tokens", d);
}

void
ui_tokens(struct request *req)
{
	render_tokens(req, 200, NULL, NULL, NULL, NULL);
}

/* The secret goes to the page this redirects to, sealed for this session
 * and that one GET (reveal_set): a reload of either makes no second token
 * and shows the secret no second time; it is never in a log. */
void
ui_token_new(struct request *req)
{
	const char *name = param_get(&req->form, "name");
	const char *expires_on = param_get(&req->form, "expires_on");
	const char *scope = param_get(&req->form, "scope");
	struct token_errors e;
	const char *secret;
	int64_t id;

	switch (token_create(&req->viewer, name, expires_on, scope, &e,
	    &secret, &id)) {
	case MODEL_DONE:
		reveal_set(req, id, secret);
		http_redirect(req, arena_printf(req->arena,
		    "/tokens/%lld/created", (long long)id));
		return;
	case MODEL_INVALID:
		render_tokens(req, check_form_status(&e, token_error_fields),
		    name, expires_on, scope, page_errors(
		    req->arena, &e, token_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "The token could not be saved because of a "
	    "database error. Please try again.");
}

/* Token req->id of the user, or a 404/503 page: 1, or 0 (answered). */
static int
own_token(struct request *req, struct token *t)
{
	int rc = token_get(&req->viewer, req->id, t);

	if (rc == 0)
		page_error(req, 404, "There is no such token.");
	else if (rc < 0)
		page_error(req, 503, "Your tokens could not be read. Please "
		    "try again.");
	return rc == 1;
}

void
ui_token_created(struct request *req)
{
	struct token t;
	const char *secret;
	struct tval *d;

	if (!own_token(req, &t))
		return;
	/* taken before rendering: this GET is its one showing */
	secret = reveal_take(req, t.id);
	d = page_data(req);
	tv_set_str(d, "name", t.name);
	tv_set_str(d, "expires", time_date(req->arena, req->user,
	    t.expires_at - 1));
	tv_set_bool(d, "read_only", t.read_only);
	if (secret != NULL)
		tv_set_str(d, "secret", secret);
	page_render(req, 200, "token_created", d);
}

void
ui_token_revoke_get(struct request *req)
{
	struct arena *a = req->arena;
	struct token t;
	struct tval *d;

	if (!own_token(req, &t))
		return;
	if (t.revoked) {
		page_error(req, 404, "This token is already revoked.");
		return;
	}
	d = page_data(req);
	tv_set_str(d, "name", t.name);
	tv_set_str(d, "created", time_text(a, req->user, t.created_at));
	tv_set_str(d, "expires", time_date(a, req->user, t.expires_at - 1));
	tv_set_str(d, "last_used", time_text(a, req->user, t.last_used_at));
	tv_set_str(d, "action", arena_printf(a, "/tokens/%lld/revoke",
	    (long long)t.id));
	page_render(req, 200, "token_revoke", d);
}

void
ui_token_revoke(struct request *req)
{
	struct token gone;

	switch (token_revoke(&req->viewer, req->id, &gone)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "Token \xe2\x80\x9c"
		    "%s\xe2\x80\x9d was revoked; it no longer works.",
		    gone.name));
		http_redirect(req, "/tokens");
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, "There is no such active token.");
		return;
	case MODEL_INVALID:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "The token could not be revoked. Please try "
	    "again.");
}
