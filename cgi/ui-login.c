/*
 * ui-login.c - signing in and out.
 *
 * Parse, call login.c, render: the password step, the MFA step and
 * signing out are the model's flows (with the brute-force guard and the
 * events); this file turns their answers into pages, cookies and
 * redirects.
 */
#include "arena.h"
#include "http.h"
#include "login.h"
#include "mfa.h"
#include "page.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

/* Where to go after signing in, percent-encoded for Location (and the
 * same whether it comes back from the form once more or not); NULL when
 * not a path on this site. */
static const char *
next_path(struct request *req)
{
	const char *next = param_get(&req->form, "next");

	if (next == NULL)
		next = param_get(&req->query, "next");
	return local_path(next) ? url_encode_path(req->arena, next) : NULL;
}

static const char *
minutes_text(struct request *req, int64_t minutes)
{
	return arena_printf(req->arena, "%lld minute%s", (long long)minutes,
	    minutes == 1 ? "" : "s");
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
	struct login_attempt in;
	struct login_session out;

	in.login = param_get(&req->form, "username");
	in.password = param_get(&req->form, "password");
	if (in.login == NULL || *in.login == '\0' || in.password == NULL ||
	    *in.password == '\0') {
		render_login(req, 400, in.login, "Enter your username or "
		    "e-mail and your password.");
		return;
	}
	in.user_agent = req->user_agent;
	in.old_session = req->session != NULL ? req->session->id : 0;
	switch (login_password(&req->viewer, &in, &out)) {
	case LOGIN_DONE:
		session_set(req, &out);
		http_redirect(req, after_password(req, next_path(req)));
		return;
	case LOGIN_WRONG:
		/* the same for a locked account, which must not show */
		render_login(req, 401, in.login, "Wrong username or "
		    "password. After repeated failures, signing in to an "
		    "account from here pauses for a few minutes.");
		return;
	case LOGIN_LOCKED:
		/* the address's limits: nothing about the account */
		render_login(req, 429, in.login, arena_printf(req->arena,
		    "Too many sign-in attempts from your address. Wait %s "
		    "and try again.", minutes_text(req, out.wait)));
		return;
	case LOGIN_RECOVERY:
	case LOGIN_USED:
	case LOGIN_RESTART:
	case LOGIN_FAILED:
		break;
	}
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
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "code", error);
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

void
ui_login_mfa_post(struct request *req)
{
	const char *next = next_path(req), *token;
	int64_t wait;

	if (session_stage(req) != STAGE_MFA) {
		http_redirect(req, "/accounts");
		return;
	}
	switch (login_mfa(&req->viewer, req->session, param_get(&req->form,
	    "code"), &token, &wait)) {
	case LOGIN_RECOVERY:
		flash_set(req, "You signed in with a recovery code; it cannot "
		    "be used again. Generate new codes under Profile when you "
		    "run low.");
		/* FALLTHROUGH */
	case LOGIN_DONE:
		session_renew(req, token);
		http_redirect(req, next ? next : "/accounts");
		return;
	case LOGIN_RESTART:
		session_drop(req);
		flash_set(req, "Too many wrong codes. Sign in again.");
		http_redirect(req, "/login");
		return;
	case LOGIN_WRONG:
		render_mfa(req, 401, "That code is not valid. Enter the "
		    "current 6-digit code from your authenticator app, or a "
		    "recovery code.");
		return;
	case LOGIN_USED:
		render_mfa(req, 401, MFA_USED_TEXT);
		return;
	case LOGIN_LOCKED:
		/* this session gave the password: the lock may show */
		session_drop(req);
		flash_set(req, arena_printf(req->arena, "Too many failed "
		    "attempts. Wait %s, then sign in again.",
		    minutes_text(req, wait)));
		http_redirect(req, "/login");
		return;
	case LOGIN_FAILED:
		break;
	}
	render_mfa(req, 503, "Please try again.");
}

void
ui_logout(struct request *req)
{
	if (req->session != NULL) {
		if (login_sign_out(&req->viewer, req->session->id) != 0) {
			/* the session still works: say so, keep the cookie */
			page_error(req, 503, "Signing out failed for a moment. "
			    "Please try again.");
			return;
		}
		session_drop(req);
		flash_set(req, "You have signed out.");
	}
	http_redirect(req, "/login");
}
