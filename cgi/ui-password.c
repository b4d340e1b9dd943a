/*
 * ui-password.c - "forgot password" and the pages a set-up or reset link
 * opens (password.h says what a link is and does).
 *
 * The forgot-password answer is the same page, status and (near enough)
 * time whether or not the address belongs to someone (password_forgot).
 * An unknown, used or expired link answers 404. Tokens never reach the
 * log.
 */
#include <string.h>

#include "arena.h"
#include "check.h"
#include "http.h"
#include "page.h"
#include "password.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

/* ---------------------------------------------------- forgot password */

static void
render_forgot(struct request *req, int status, const char *email,
    struct tval *errors, bool sent)
{
	struct tval *d = page_data(req), *form;

	req->no_store = true;
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", email ? email : "");
	if (errors != NULL)
		tv_set(d, "errors", errors);
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
	const char *email = param_get(&req->form, "email");
	struct password_errors e;

	switch (password_forgot(&req->viewer, email, &e)) {
	case MODEL_DONE:
		render_forgot(req, 200, email, NULL, true);
		return;
	case MODEL_INVALID:
		render_forgot(req, 400, email, page_errors(req->arena, &e,
		    password_error_fields), false);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "This did not work just now. Please try again.");
}

/* -------------------------------------------------- the link's pages */

/* "setup" or "reset", from the route's path. */
static const char *
link_purpose(const struct request *req)
{
	return strncmp(req->path, "/password/setup/", 16) == 0 ? "setup" :
	    "reset";
}

/* The form of link l (NULL: the link does not work). */
static void
render_set(struct request *req, int status, const struct password_link *l,
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
	struct password_link l;
	int rc = password_link_find(&req->viewer, link_purpose(req),
	    req->token, &l);

	if (rc < 0)
		page_error(req, 503, "This did not work just now. Please try "
		    "again.");
	else
		render_set(req, rc == 1 ? 200 : 404, rc == 1 ? &l : NULL, NULL);
}

void
ui_password_link_post(struct request *req)
{
	struct password_errors e;
	struct password_link l;

	switch (password_link_use(&req->viewer, link_purpose(req), req->token,
	    param_get(&req->form, "new_password"),
	    param_get(&req->form, "confirm_password"), &e, &l)) {
	case MODEL_DONE:
		if (req->session != NULL && req->session->user_id == l.user_id)
			session_end(req);	/* its row is gone: drop the cookie */
		flash_set(req, "Your password is set. Sign in with it.");
		http_redirect(req, "/login");
		return;
	case MODEL_INVALID:
		render_set(req, 400, &l, page_errors(req->arena, &e,
		    password_error_fields));
		return;
	case MODEL_NOT_FOUND:
		render_set(req, 404, NULL, NULL);
		return;
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "Your password could not be saved just now. "
	    "The link still works: please try again.");
}
