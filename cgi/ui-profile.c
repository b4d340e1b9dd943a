/*
 * ui-profile.c - the Profile tab: the user's own settings, password and
 * sessions. Parse, call profile.c, render.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "check.h"
#include "http.h"
#include "page.h"
#include "password.h"
#include "principal.h"
#include "profile.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"

/* The settings form's values: the submitted ones, or the user's. */
static void
add_settings(struct request *req, struct tval *d,
    const struct profile_settings *shown)
{
	const struct catalog *cat = &req->app->catalog;
	struct tval *form = tv_set_map(d, "form");
	struct tval *zones = tv_set_list(d, "zones"), *z;
	const char *zone = shown->time_zone, *format = shown->time_format;
	const char *units = shown->units, *language = shown->language;
	size_t i;

	tv_set_bool(form, "language_account", *language == '\0');
	tv_set_bool(form, "language_en", strcmp(language, "en") == 0);
	tv_set_bool(form, "language_nl", strcmp(language, "nl") == 0);
	tv_set_bool(form, "h12", strcmp(format, "12h") == 0);
	tv_set_bool(form, "h24", strcmp(format, "12h") != 0);
	tv_set_bool(form, "imperial", strcmp(units, "imperial") == 0);
	tv_set_bool(form, "metric", strcmp(units, "imperial") != 0);
	for (i = 0; i < cat->nzones; i++) {
		z = tv_map(req->arena);
		tv_set_str(z, "name", cat->zones[i]);
		tv_set_bool(z, "selected", strcmp(cat->zones[i], zone) == 0);
		tv_push(zones, z);
	}
}

/* The list a session row goes to, for profile_sessions(). */
struct session_rows {
	struct request *req;
	struct tval *list;
};

static void
add_session(void *arg, const struct profile_session *ps)
{
	struct session_rows *sr = arg;
	struct request *req = sr->req;
	struct tval *row = tv_map(req->arena);

	tv_set_int(row, "id", ps->id);
	tv_set_str(row, "created", time_text(req->arena, req->user,
	    ps->created_at));
	tv_set_str(row, "last_seen", time_text(req->arena, req->user,
	    ps->last_seen_at));
	tv_set_str(row, "ip", ps->ip);
	tv_set_str(row, "user_agent", ps->user_agent);
	tv_set_bool(row, "current", ps->id == req->session->id);
	tv_push(sr->list, row);
}

static void
render_profile(struct request *req, int status, struct tval *errors,
    const struct profile_settings *shown)
{
	struct tval *d = page_data(req), *p;
	struct session_rows sr = { req, tv_set_list(d, "sessions") };

	if (profile_sessions(&req->viewer, add_session, &sr) != 0) {
		page_error(req, 503, "Your profile could not be read just now. "
		    "Please try again.");
		return;
	}
	tv_set_bool(d, "has_other_sessions", tv_len(sr.list) > 1);
	p = tv_set_map(d, "profile");
	tv_set_str(p, "username", req->user->username);
	tv_set_str(p, "email", req->user->email);
	tv_set_str(p, "full_name", req->user->full_name);
	tv_set_str(p, "customer", req->user->customer_name);
	tv_set_bool(d, "mfa_enabled", req->user->totp_enabled);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	add_settings(req, d, shown);
	page_render(req, status, "profile", d);
}

void
ui_profile_get(struct request *req)
{
	const struct user *u = req->user;
	struct profile_settings shown = { u->time_zone, u->time_format,
	    u->units, u->own_language ? u->own_language : "" };

	render_profile(req, 200, NULL, &shown);
}

void
ui_profile_post(struct request *req)
{
	struct profile_settings in, shown;
	struct profile_errors e;

	in.time_zone = param_get(&req->form, "time_zone");
	in.time_format = param_get(&req->form, "time_format");
	in.units = param_get(&req->form, "units");
	in.language = param_get(&req->form, "language");
	switch (profile_settings_save(&req->viewer, &in, &e)) {
	case MODEL_DONE:
		flash_set(req, "Your settings were saved.");
		http_redirect(req, "/profile");
		return;
	case MODEL_INVALID:
		shown = (struct profile_settings){ in.time_zone ? in.time_zone :
		    "", in.time_format ? in.time_format : "", in.units ?
		    in.units : "", in.language ? in.language : "" };
		render_profile(req, 400, page_errors(req->arena, &e,
		    profile_error_fields), &shown);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "Your settings could not be saved. Please try "
	    "again.");
}

static void
render_password(struct request *req, int status, struct tval *errors)
{
	struct tval *d = page_data(req);

	tv_set_bool(d, "forced", req->user->must_change_password);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "profile_password", d);
}

void
ui_password_get(struct request *req)
{
	render_password(req, 200, NULL);
}

void
ui_password_post(struct request *req)
{
	bool forced = req->user->must_change_password;
	struct password_errors e;
	const char *token;

	switch (profile_password_change(&req->viewer, req->session->id,
	    param_get(&req->form, "current_password"),
	    param_get(&req->form, "new_password"),
	    param_get(&req->form, "confirm_password"), &e, &token)) {
	case MODEL_DONE:
		session_renew(req, token);
		flash_set(req, "Your password was changed. Your other sessions "
		    "were signed out.");
		http_redirect(req, forced ? "/accounts" : "/profile");
		return;
	case MODEL_INVALID:
		if (e.current_password.status == 401) {
			session_signed_out(req, e.current_password.msg);
			return;
		}
		render_password(req, 400, page_errors(req->arena, &e,
		    password_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "Your password could not be changed. Please try "
	    "again.");
}

void
ui_session_end(struct request *req)
{
	enum model_result rc;

	if (req->id == req->session->id) {
		ui_logout(req);
		return;
	}
	if ((rc = profile_session_end(&req->viewer, req->id)) != MODEL_DONE) {
		page_error(req, rc == MODEL_NOT_FOUND ? 404 : 503,
		    rc == MODEL_NOT_FOUND ? "There is no such session." :
		    "Please try again.");
		return;
	}
	flash_set(req, "The session was signed out.");
	http_redirect(req, "/profile");
}

void
ui_sessions_end_others(struct request *req)
{
	if (profile_sessions_end_others(&req->viewer, req->session->id) !=
	    MODEL_DONE) {
		page_error(req, 503, "Please try again.");
		return;
	}
	flash_set(req, "Your other sessions were signed out.");
	http_redirect(req, "/profile");
}
