/*
 * ui-mfa.c - enrolment in TOTP, recovery codes and turning MFA off.
 *
 * Enrolment stores a fresh secret as pending on every visit of the page
 * (a new secret per attempt) and turns MFA on only when a code from it
 * is entered. Pages that show a secret or recovery codes are sent with
 * Cache-Control: no-store (the gate sets it for every page behind login).
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "mfa.h"
#include "page.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

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

static int64_t
codes_left(struct request *req)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_RECOVERY_LEFT);
	int64_t n = 0;

	db_bind_int(s, ":user_id", req->user->id);
	if (db_step(db, s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

/* The status page; errors name the form fields that failed. */
static void
render_status(struct request *req, int status, struct tval *errors)
{
	struct tval *d = page_data(req);

	tv_set_bool(d, "enabled", true);
	tv_set_int(d, "codes_left", codes_left(req));
	tv_set_bool(d, "may_disable", !req->user->mfa_required);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "mfa", d);
}

static void
render_codes(struct request *req, struct tval *codes, bool enrolled)
{
	struct tval *d = page_data(req);

	tv_set(d, "codes", codes);
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
	if (mfa_begin(req, req->user->id, secret) != 0) {
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
	struct db *db = &req->app->db;
	struct tval *codes;
	sqlite3_stmt *s;

	if (req->user->totp_enabled) {
		http_redirect(req, "/profile/mfa");
		return;
	}
	if (mfa_secret(req, req->user->id, secret) != 0) {
		/* no pending secret: the page was not opened first */
		http_redirect(req, "/profile/mfa");
		return;
	}
	if (db_begin(db) != 0)
		goto fail;
	if (mfa_check(req, req->user->id, param_get(&req->form, "code"),
	    false) != MFA_TOTP) {
		db_rollback(db);
		render_enrol(req, 400, secret, "That code is not valid. Enter "
		    "the 6-digit code your app shows now.");
		sodium_memzero(secret, sizeof(secret));
		return;
	}
	sodium_memzero(secret, sizeof(secret));
	s = db_stmt(db, STMT_USER_ENABLE_TOTP);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", req->user->id);
	if (db_exec(db, s) != 0)
		goto fail;
	/* the code just given is this session's second factor */
	s = db_stmt(db, STMT_SESSION_MFA_PASSED);
	db_bind_int(s, ":id", req->session->id);
	if (db_exec(db, s) != 0 ||
	    (codes = mfa_new_recovery_codes(req, req->user->id)) == NULL)
		goto fail;
	event_log(&req->viewer, "mfa_enrolled", req->user->id, req->user->id, "");
	if (db_commit(db) != 0)
		goto fail;
	render_codes(req, codes, true);
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "Two-factor authentication could not be turned "
	    "on. Please try again.");
}

/*
 * Password and a current code, as both disabling and new recovery codes
 * require; on failure the errors are set under prefix_password and
 * prefix_code. Runs inside the caller's transaction (the code is used up
 * only if the caller commits).
 */
static bool
confirm_identity(struct request *req, struct tval *errors,
    const char *prefix)
{
	bool ok = true;

	if (!user_password_ok(&req->app->db, req->arena, req->user->id,
	    param_get(&req->form, "password"))) {
		tv_set_str(errors, arena_printf(req->arena, "%s_password",
		    prefix), "That is not your password.");
		ok = false;
	}
	if (mfa_check(req, req->user->id, param_get(&req->form, "code"),
	    false) != MFA_TOTP) {
		tv_set_str(errors, arena_printf(req->arena, "%s_code", prefix),
		    "That code is not valid.");
		ok = false;
	}
	return ok;
}

void
ui_mfa_disable(struct request *req)
{
	struct tval *errors = tv_map(req->arena);
	struct db *db = &req->app->db;
	sqlite3_stmt *s;

	if (!req->user->totp_enabled) {
		http_redirect(req, "/profile/mfa");
		return;
	}
	if (req->user->mfa_required) {
		page_error(req, 403, "Your organisation requires two-factor "
		    "authentication, so it cannot be turned off.");
		return;
	}
	if (db_begin(db) != 0)
		goto fail;
	if (!confirm_identity(req, errors, "off")) {
		db_rollback(db);
		render_status(req, 400, errors);
		return;
	}
	s = db_stmt(db, STMT_USER_SET_TOTP);
	db_bind_null(s, ":secret");
	db_bind_int(s, ":enabled", 0);
	db_bind_int(s, ":step", 0);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", req->user->id);
	if (db_exec(db, s) != 0)
		goto fail;
	s = db_stmt(db, STMT_RECOVERY_DELETE_USER);
	db_bind_int(s, ":user_id", req->user->id);
	if (db_exec(db, s) != 0)
		goto fail;
	event_log(&req->viewer, "mfa_disabled", req->user->id, req->user->id, "");
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, "Two-factor authentication is off.");
	http_redirect(req, "/profile");
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "Please try again.");
}

void
ui_mfa_recovery(struct request *req)
{
	struct tval *errors = tv_map(req->arena), *codes;
	struct db *db = &req->app->db;

	if (!req->user->totp_enabled) {
		http_redirect(req, "/profile/mfa");
		return;
	}
	if (db_begin(db) != 0)
		goto fail;
	if (!confirm_identity(req, errors, "regen")) {
		db_rollback(db);
		render_status(req, 400, errors);
		return;
	}
	if ((codes = mfa_new_recovery_codes(req, req->user->id)) == NULL)
		goto fail;
	event_log(&req->viewer, "recovery_codes_renewed", req->user->id, req->user->id,
	    "");
	if (db_commit(db) != 0)
		goto fail;
	render_codes(req, codes, false);
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "Please try again.");
}
