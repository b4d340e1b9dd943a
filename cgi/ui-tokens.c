/*
 * ui-tokens.c - the API tokens tab: a user's own tokens, creating one
 * (its secret shown once) and revoking one. Parse, call token.c, render:
 * the model binds every statement to the signed-in user.
 */
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
		tv_set_str(row, "expires", time_text(a, req->user,
		    t[i].expires_at));
		tv_set_str(row, "last_used", time_text(a, req->user,
		    t[i].last_used_at));
		tv_set_str(row, "last_ip", t[i].last_ip);
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
    const char *expires_on, const char *error)
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
	    token_default_expiry(req->arena, req->now));
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "token", error);
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
	struct token_errors e;
	const char *secret;
	struct tval *d;

	switch (token_create(&req->viewer, name, expires_on, &e, &secret)) {
	case MODEL_DONE:
		d = page_data(req);
		tv_set_str(d, "name", name);
		tv_set_str(d, "secret", secret);
		page_render(req, 200, "token_created", d);
		return;
	case MODEL_INVALID:
		/* the form has room for one message: the first */
		render_tokens(req, 400, name, expires_on, e.name.msg != NULL ?
		    e.name.msg : e.expires_on.msg);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	render_tokens(req, 503, name, expires_on, "The token could not be "
	    "saved. Please try again.");
}

void
ui_token_revoke(struct request *req)
{
	switch (token_revoke(&req->viewer, req->id)) {
	case MODEL_DONE:
		flash_set(req, "The token was revoked; it no longer works.");
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
