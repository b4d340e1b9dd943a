/*
 * ui-mfa.c - enrolment in TOTP, recovery codes and turning MFA off.
 *
 * Enrolment stores a fresh secret as pending on every visit of the page
 * (a new secret per attempt) and turns MFA on only when a code from it
 * is entered. Pages that show a secret or recovery codes are sent with
 * Cache-Control: no-store (the gate sets it for every page behind login).
 * Parse, call mfa.c, render: the flows are the model's.
 */
#include "arena.h"
#include "http.h"
#include "mfa.h"
#include "page.h"
#include "principal.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

/* The enrolment page for the pending secret. */
static void
render_enrol(struct request *req, int status,
    const unsigned char *secret, const char *error)
{
	struct tval *d = page_data(req), *qr;
	const char *b32 = totp_base32(req->arena, secret);
	const char *uri;

	if (b32 == NULL) {
		page_error(req, 500, "The key could not be encoded.");
		return;
	}
	uri = totp_uri(req->arena, b32, req->user->username);
	qr = totp_qr(req->arena, uri);
	if (qr == NULL) {
		page_error(req, 500, "The QR code could not be drawn.");
		return;
	}
	tv_set_bool(d, "enabled", false);
	tv_set_bool(d, "required", req->user->mfa_required);
	tv_set(d, "qr", qr);
	tv_set_str(d, "secret", b32);
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "code", error);
	page_render(req, status, "mfa", d);
}

/* The status page; errors name the form fields that failed. */
static void
render_status(struct request *req, int status, struct tval *errors)
{
	int64_t left = mfa_codes_left(&req->viewer);
	struct tval *d;

	if (left < 0) {
		page_error(req, 503, "Please try again.");
		return;
	}
	d = page_data(req);
	tv_set_bool(d, "enabled", true);
	tv_set_int(d, "codes_left", left);
	tv_set_bool(d, "may_disable", !req->user->mfa_required);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "mfa", d);
}

static void
render_codes(struct request *req, const char **codes, bool enrolled)
{
	struct tval *d = page_data(req), *list = tv_set_list(d, "codes");
	int i;

	for (i = 0; i < RECOVERY_CODES; i++)
		tv_push(list, tv_str(req->arena, codes[i]));
	tv_set_bool(d, "enrolled", enrolled);
	page_render(req, 200, "mfa_codes", d);
}

void
ui_mfa_get(struct request *req)
{
	unsigned char secret[TOTP_SECRET_BYTES];

	if (req->user->totp_enabled) {
		render_status(req, 200, NULL);
		return;
	}
	if (mfa_begin(&req->viewer, secret) != 0) {
		page_error(req, 503, "Please try again.");
		return;
	}
	render_enrol(req, 200, secret, NULL);
	sodium_memzero(secret, sizeof(secret));
}

void
ui_mfa_post(struct request *req)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct check_error e;
	const char **codes;
	enum model_result rc = mfa_enrol(&req->viewer, req->session->id,
	    param_get(&req->form, "code"), secret, &codes, &e);

	if (rc == MODEL_INVALID)
		render_enrol(req, 400, secret, e.msg);
	sodium_memzero(secret, sizeof(secret));
	switch (rc) {
	case MODEL_DONE:
		render_codes(req, codes, true);
		return;
	case MODEL_INVALID:
		return;
	case MODEL_NOT_FOUND:
		/* on already, or the page was not opened first */
		http_redirect(req, "/profile/mfa");
		return;
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "Two-factor authentication could not be turned "
	    "on. Please try again.");
}

/* Every answer to a disable or renewal but MODEL_DONE: the
 * organisation's rule as an error page, a wrong password or code on the
 * status page (one wrong password too many signs out), back to the page
 * when MFA is off. */
static void
render_not_done(struct request *req, enum model_result rc,
    const struct mfa_errors *e, const struct check_field *fields)
{
	if (rc == MODEL_INVALID && e->password.status == 401)
		session_signed_out(req, e->password.msg);
	else if (rc == MODEL_INVALID && e->required.msg != NULL)
		page_error(req, e->required.status, e->required.msg);
	else if (rc == MODEL_INVALID)
		render_status(req, 400, page_errors(req->arena, e, fields));
	else if (rc == MODEL_NOT_FOUND)
		http_redirect(req, "/profile/mfa");
	else
		page_error(req, 503, "Please try again.");
}

void
ui_mfa_disable(struct request *req)
{
	struct mfa_errors e;
	enum model_result rc = mfa_disable(&req->viewer, req->session->id,
	    param_get(&req->form, "password"), param_get(&req->form, "code"),
	    &e);

	if (rc != MODEL_DONE) {
		render_not_done(req, rc, &e, mfa_disable_fields);
		return;
	}
	flash_set(req, "Two-factor authentication is off.");
	http_redirect(req, "/profile");
}

void
ui_mfa_recovery(struct request *req)
{
	struct mfa_errors e;
	const char **codes;
	enum model_result rc = mfa_renew_codes(&req->viewer, req->session->id,
	    param_get(&req->form, "password"), param_get(&req->form, "code"),
	    &e, &codes);

	if (rc != MODEL_DONE) {
		render_not_done(req, rc, &e, mfa_renew_fields);
		return;
	}
	render_codes(req, codes, false);
}
