/*
 * ui-onboard.c - the public pages by which a person becomes a user
 * (issue 17): an invitation's link (/invite/{token}), a join link
 * (/join/{token}) and its confirmation (/join/confirm/{token}), sign-up by
 * domain (/signup, /signup/{token}).
 *
 * Parse, call invite.c or signup.c, render onboard.mustache. A link that
 * does not work (unknown, used, expired, revoked) answers 404; /signup
 * and a join link answer the same whether or not an address has a user
 * or a domain is known. Every POST is counted against the client's
 * address first (guard_public_post). Tokens never reach the log.
 */
#include <string.h>

#include "arena.h"
#include "check.h"
#include "form.h"
#include "guard.h"
#include "http.h"
#include "invite.h"
#include "page.h"
#include "session.h"
#include "signup.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

/* Which page: what it says and which fields it asks. */
enum onboard_page {
	PAGE_INVITE,		/* username, full name, password */
	PAGE_JOIN,		/* e-mail, username, password */
	PAGE_JOIN_CONFIRM,	/* a button */
	PAGE_SIGNUP,		/* e-mail */
	PAGE_SIGNUP_FINISH	/* username, full name, password */
};

/* What a page shows beyond its form. */
struct onboard_view {
	const char *email;	/* the address it is for (fixed), or NULL */
	const char *username;	/* a join link's sign-up: chosen already */
	const char *customer;	/* who the person joins, or NULL */
	const char *inviter;
	const char *message;	/* the inviter's */
	const char *sent_to;	/* the mail went (or would go) here */
	bool invalid;		/* the link does not work: no form */
};

/* Whether page shows field (a user_joining_fields form name). */
static bool
shows(enum onboard_page page, const char *field)
{
	if (strcmp(field, "email") == 0)
		return page == PAGE_JOIN || page == PAGE_SIGNUP;
	if (strcmp(field, "new_password") == 0)
		return page != PAGE_SIGNUP;
	if (strcmp(field, "full_name") == 0)
		return page == PAGE_INVITE || page == PAGE_SIGNUP_FINISH;
	/* username, confirm_password */
	return page != PAGE_JOIN_CONFIRM && page != PAGE_SIGNUP;
}

/* The first error of a field page does not show (a 429 put on the first
 * field, a username taken since a join): for the top of the page. */
static const char *
unshown_error(enum onboard_page page, const struct user_errors *e)
{
	const struct check_field *f;
	const struct check_error *ce;

	for (f = user_joining_fields; e != NULL && f->form != NULL; f++)
		if ((ce = check_error_of(e, f))->msg != NULL &&
		    !shows(page, f->form))
			return ce->msg;
	return NULL;
}

static void
render(struct request *req, int status, enum onboard_page page,
    const struct onboard_view *view, const struct user_joining *typed,
    const struct user_errors *e)
{
	struct tval *d = page_data(req), *form;
	const char *top = unshown_error(page, e);

	req->no_store = true;	/* pages opened by secret links */
	tv_set_bool(d, "invite", page == PAGE_INVITE);
	tv_set_bool(d, "join", page == PAGE_JOIN);
	tv_set_bool(d, "join_confirm", page == PAGE_JOIN_CONFIRM);
	tv_set_bool(d, "signup", page == PAGE_SIGNUP);
	tv_set_bool(d, "signup_finish", page == PAGE_SIGNUP_FINISH);
	tv_set_bool(d, "ask_email", page == PAGE_JOIN || page == PAGE_SIGNUP);
	tv_set_bool(d, "ask_account", page != PAGE_JOIN_CONFIRM &&
	    page != PAGE_SIGNUP);
	tv_set_bool(d, "ask_full_name", page == PAGE_INVITE ||
	    page == PAGE_SIGNUP_FINISH);
	tv_set_str(d, "action", req->path);
	tv_set_bool(d, "invalid", view->invalid);
	if (view->email != NULL)
		tv_set_str(d, "email", view->email);
	if (view->username != NULL)
		tv_set_str(d, "username", view->username);
	if (top != NULL)
		tv_set_str(d, "page_error", top);
	if (view->customer != NULL)
		tv_set_str(d, "customer", view->customer);
	if (view->inviter != NULL)
		tv_set_str(d, "inviter", view->inviter);
	if (view->message != NULL && *view->message != '\0')
		tv_set_str(d, "message", view->message);
	if (view->sent_to != NULL)
		tv_set_str(d, "sent_to", view->sent_to);
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", typed ? typed->email : "");
	tv_set_str(form, "username", typed ? typed->username : "");
	tv_set_str(form, "full_name", typed ? typed->full_name : "");
	if (e != NULL && check_count(e, user_joining_fields) > 0)
		tv_set(d, "errors", page_errors(req->arena, e,
		    user_joining_fields));
	page_render(req, status, "onboard", d);
}

static void
render_invalid(struct request *req, enum onboard_page page)
{
	const struct onboard_view none = { NULL, NULL, NULL, NULL, NULL,
	    NULL, true };

	render(req, 404, page, &none, NULL, NULL);
}

static void
failed(struct request *req)
{
	page_error(req, 503, "This did not work just now. Nothing was "
	    "changed: please try again.");
}

/* The POST's fields, trimmed but for the passwords. */
static void
read_joining(struct request *req, struct user_joining *j)
{
	struct arena *a = req->arena;
	const char *pw = param_get(&req->form, "new_password");
	const char *again = param_get(&req->form, "confirm_password");

	j->email = check_trim(a, param_get(&req->form, "email"));
	j->username = check_trim(a, param_get(&req->form, "username"));
	j->full_name = check_trim(a, param_get(&req->form, "full_name"));
	j->password = pw != NULL ? pw : "";
	j->confirm = again != NULL ? again : "";
}

/* Count the POST against the client's address: false after the 429. */
static bool
may_post(struct request *req)
{
	int64_t wait = guard_public_post(&req->viewer);

	if (wait == 0)
		return true;
	if (wait < 0)
		failed(req);
	else
		page_error(req, 429, arena_printf(req->arena, "Too many "
		    "requests came from your address. Try again in %lld "
		    "minutes.", (long long)wait));
	return false;
}

/* The user was made: sign in with it (the person's own session, if one
 * was open, is someone else's). */
static void
done(struct request *req, const char *msg)
{
	if (req->session != NULL)
		session_end(req);
	flash_set(req, msg);
	http_redirect(req, "/login");
}

/* ------------------------------------------------------ an invitation */

static void
invitation_view(const struct invitation *inv, struct onboard_view *view)
{
	*view = (struct onboard_view){ inv->email, NULL, inv->customer,
	    inv->inviter, inv->message, NULL, false };
}

void
ui_invite_accept_get(struct request *req)
{
	struct onboard_view view;
	struct invitation inv;
	int rc = invite_find(&req->viewer, req->token, &inv);

	if (rc < 0)
		failed(req);
	else if (rc == 0)
		render_invalid(req, PAGE_INVITE);
	else {
		invitation_view(&inv, &view);
		render(req, 200, PAGE_INVITE, &view, NULL, NULL);
	}
}

void
ui_invite_accept_post(struct request *req)
{
	struct onboard_view view;
	struct invitation inv;
	struct user_joining j;
	struct user_errors e;

	if (!may_post(req))
		return;
	read_joining(req, &j);
	switch (invite_accept(&req->viewer, req->token, &j, &e, &inv)) {
	case MODEL_DONE:
		done(req, "Welcome! Your user is ready: sign in with your "
		    "username and password.");
		return;
	case MODEL_INVALID:
		invitation_view(&inv, &view);
		render(req, check_form_status(&e, user_joining_fields),
		    PAGE_INVITE, &view, &j, &e);
		return;
	case MODEL_NOT_FOUND:
		render_invalid(req, PAGE_INVITE);
		return;
	case MODEL_FAILED:
		break;
	}
	failed(req);
}

/* --------------------------------------------------------- a join link */

void
ui_join_get(struct request *req)
{
	struct onboard_view view = { NULL, NULL, NULL, NULL, NULL, NULL, false };
	struct join_target t;
	int rc = join_find(&req->viewer, req->token, &t);

	if (rc < 0) {
		failed(req);
		return;
	}
	if (rc == 0) {
		render_invalid(req, PAGE_JOIN);
		return;
	}
	view.customer = t.customer;
	render(req, 200, PAGE_JOIN, &view, NULL, NULL);
}

void
ui_join_post(struct request *req)
{
	struct onboard_view view = { NULL, NULL, NULL, NULL, NULL, NULL, false };
	struct join_target t;
	struct user_joining j;
	struct user_errors e;

	if (!may_post(req))
		return;
	read_joining(req, &j);
	switch (join_register(&req->viewer, req->token, &j, &e, &t)) {
	case MODEL_DONE:
		/* the same page whether or not the address has a user */
		view.customer = t.customer;
		view.sent_to = j.email;
		render(req, 200, PAGE_JOIN, &view, NULL, NULL);
		return;
	case MODEL_INVALID:
		view.customer = t.customer;
		render(req, check_form_status(&e, user_joining_fields),
		    PAGE_JOIN, &view, &j, &e);
		return;
	case MODEL_NOT_FOUND:
		render_invalid(req, PAGE_JOIN);
		return;
	case MODEL_FAILED:
		break;
	}
	failed(req);
}

/* The sign-up behind token for page (join confirmation or by domain):
 * its page, or 404. */
static void
signup_get(struct request *req, enum onboard_page page)
{
	struct onboard_view view = { NULL, NULL, NULL, NULL, NULL, NULL, false };
	struct signup su;
	int rc = signup_find(&req->viewer, req->token,
	    page == PAGE_JOIN_CONFIRM, &su);

	if (rc < 0) {
		failed(req);
		return;
	}
	if (rc == 0) {
		render_invalid(req, page);
		return;
	}
	view.email = su.email;
	view.username = su.username;
	view.customer = su.customer;
	render(req, 200, page, &view, NULL, NULL);
}

static void
signup_post(struct request *req, enum onboard_page page)
{
	struct onboard_view view = { NULL, NULL, NULL, NULL, NULL, NULL, false };
	bool join = page == PAGE_JOIN_CONFIRM;
	struct user_joining j;
	struct user_errors e;
	struct signup su;

	if (!may_post(req))
		return;
	read_joining(req, &j);
	switch (signup_finish(&req->viewer, req->token, join, &j, &e, &su)) {
	case MODEL_DONE:
		done(req, join ? "Your e-mail address is confirmed and your "
		    "user is ready: sign in." : "Welcome! Your user is ready: "
		    "sign in with your username and password.");
		return;
	case MODEL_INVALID:
		view.email = su.email;
		view.username = su.username;
		view.customer = su.customer;
		render(req, check_form_status(&e, user_joining_fields), page,
		    &view, &j, &e);
		return;
	case MODEL_NOT_FOUND:
		render_invalid(req, page);
		return;
	case MODEL_FAILED:
		break;
	}
	failed(req);
}

void
ui_join_confirm_get(struct request *req)
{
	signup_get(req, PAGE_JOIN_CONFIRM);
}

void
ui_join_confirm_post(struct request *req)
{
	signup_post(req, PAGE_JOIN_CONFIRM);
}

/* ---------------------------------------------------- sign-up by domain */

void
ui_signup_get(struct request *req)
{
	const struct onboard_view view = { NULL, NULL, NULL, NULL, NULL,
	    NULL, false };

	render(req, 200, PAGE_SIGNUP, &view, NULL, NULL);
}

void
ui_signup_post(struct request *req)
{
	struct onboard_view view = { NULL, NULL, NULL, NULL, NULL, NULL, false };
	struct user_joining j;
	struct user_errors e;

	if (!may_post(req))
		return;
	read_joining(req, &j);
	switch (signup_request(&req->viewer, j.email, &e)) {
	case MODEL_DONE:
		/* the same page whether or not the domain is known */
		view.sent_to = j.email;
		render(req, 200, PAGE_SIGNUP, &view, NULL, NULL);
		return;
	case MODEL_INVALID:
		render(req, 400, PAGE_SIGNUP, &view, &j, &e);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	failed(req);
}

void
ui_signup_finish_get(struct request *req)
{
	signup_get(req, PAGE_SIGNUP_FINISH);
}

void
ui_signup_finish_post(struct request *req)
{
	signup_post(req, PAGE_SIGNUP_FINISH);
}
