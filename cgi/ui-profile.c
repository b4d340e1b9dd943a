/*
 * ui-profile.c - the Profile tab: the user's own settings, password and
 * sessions. Every statement here is keyed by the signed-in user's own id:
 * a user's profile is the one thing that needs no visibility rule.
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
#include "tval.h"
#include "ui.h"
#include "user.h"

/* The settings form's values: the submitted ones, or the user's. */
static void
add_settings(struct request *req, struct tval *d, const char *zone,
    const char *format, const char *units)
{
	const struct catalog *cat = &req->app->catalog;
	struct tval *form = tv_set_map(d, "form");
	struct tval *zones = tv_set_list(d, "zones"), *z;
	size_t i;

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

static void
add_sessions(struct request *req, struct tval *d)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_SESSIONS_OF_USER);
	struct tval *list = tv_set_list(d, "sessions"), *row;
	int64_t id;

	db_bind_int(s, ":user_id", req->user->id);
	while (db_step(db, s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		row = tv_map(req->arena);
		tv_set_int(row, "id", id);
		tv_set_str(row, "created", time_text(req->arena, req->user,
		    sqlite3_column_int64(s, 1)));
		tv_set_str(row, "last_seen", time_text(req->arena, req->user,
		    sqlite3_column_int64(s, 2)));
		tv_set_str(row, "ip", db_text(req->arena, s, 3));
		tv_set_str(row, "user_agent", db_text(req->arena, s, 4));
		tv_set_bool(row, "current", id == req->session->id);
		tv_push(list, row);
	}
	sqlite3_reset(s);
	tv_set_bool(d, "has_other_sessions", tv_len(list) > 1);
}

static void
render_profile(struct request *req, int status, struct tval *errors,
    const char *zone, const char *format, const char *units)
{
	struct tval *d = page_data(req), *p;

	p = tv_set_map(d, "profile");
	tv_set_str(p, "username", req->user->username);
	tv_set_str(p, "email", req->user->email);
	tv_set_str(p, "full_name", req->user->full_name);
	tv_set_str(p, "customer", req->user->customer_name);
	tv_set_bool(d, "mfa_enabled", req->user->totp_enabled);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	add_settings(req, d, zone, format, units);
	add_sessions(req, d);
	page_render(req, status, "profile", d);
}

void
ui_profile_get(struct request *req)
{
	render_profile(req, 200, NULL, req->user->time_zone,
	    req->user->time_format, req->user->units);
}

void
ui_profile_post(struct request *req)
{
	const char *zone = param_get(&req->form, "time_zone");
	const char *format = param_get(&req->form, "time_format");
	const char *units = param_get(&req->form, "units");
	struct tval *errors = tv_map(req->arena);
	sqlite3_stmt *s;

	if (!catalog_zone_valid(&req->app->catalog, zone))
		tv_set_str(errors, "time_zone", "Choose a time zone from the "
		    "list.");
	if (format == NULL || (strcmp(format, "12h") != 0 &&
	    strcmp(format, "24h") != 0))
		tv_set_str(errors, "time_format", "Choose 12 or 24 hours.");
	if (units == NULL || (strcmp(units, "metric") != 0 &&
	    strcmp(units, "imperial") != 0))
		tv_set_str(errors, "units", "Choose metric or imperial.");
	if (tv_len(errors) > 0) {
		render_profile(req, 400, errors, zone ? zone : "",
		    format ? format : "", units ? units : "");
		return;
	}
	s = db_stmt(&req->app->db, STMT_USER_SET_SETTINGS);
	db_bind_text(s, ":time_zone", zone);
	db_bind_text(s, ":time_format", format);
	db_bind_text(s, ":units", units);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", req->user->id);
	if (db_exec(&req->app->db, s) != 0) {
		page_error(req, 503, "Your settings could not be saved. Please "
		    "try again.");
		return;
	}
	flash_set(req, "Your settings were saved.");
	http_redirect(req, "/profile");
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

/*
 * A new password ends every other session of the user: whoever knew the
 * old one may have used it to sign in somewhere.
 */
void
ui_password_post(struct request *req)
{
	const char *current = param_get(&req->form, "current_password");
	const char *fresh = param_get(&req->form, "new_password");
	struct tval *errors = tv_map(req->arena);
	char hash[crypto_pwhash_STRBYTES];
	struct db *db = &req->app->db;
	const char *why;
	sqlite3_stmt *s;
	bool forced = req->user->must_change_password;

	if (!user_password_ok(db, req->arena, req->user->id, current))
		tv_set_str(errors, "current_password", "That is not your "
		    "current password.");
	why = fresh ? password_policy(fresh, req->user->username,
	    req->user->email) : "Enter a new password.";
	if (why == NULL && current != NULL && strcmp(current, fresh) == 0)
		why = "Choose a password different from the current one.";
	if (why != NULL)
		tv_set_str(errors, "new_password", why);
	if (tv_len(errors) > 0) {
		render_password(req, 400, errors);
		return;
	}
	if (password_hash(fresh, hash) != 0 || db_begin(db) != 0)
		goto fail;
	s = db_stmt(db, STMT_USER_SET_PASSWORD);
	db_bind_text(s, ":hash", hash);
	db_bind_int(s, ":must_change", 0);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", req->user->id);
	if (db_exec(db, s) != 0)
		goto fail;
	s = db_stmt(db, STMT_SESSION_DELETE_USER);
	db_bind_int(s, ":user_id", req->user->id);
	db_bind_int(s, ":keep", req->session->id);
	if (db_exec(db, s) != 0)
		goto fail;
	event_log(&req->viewer, "password_changed", req->user->id, req->user->id,
	    forced ? "forced change" : "");
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, "Your password was changed. Your other sessions "
	    "were signed out.");
	http_redirect(req, forced ? "/accounts" : "/profile");
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "Your password could not be changed. Please try "
	    "again.");
}

void
ui_session_end(struct request *req)
{
	sqlite3_stmt *s = db_stmt(&req->app->db, STMT_SESSION_DELETE_OWN);

	if (req->id == req->session->id) {
		ui_logout(req);
		return;
	}
	/* bound to the user's own id: another user's session id ends nothing */
	db_bind_int(s, ":id", req->id);
	db_bind_int(s, ":user_id", req->user->id);
	if (db_exec(&req->app->db, s) != 0 || db_changes(&req->app->db) != 1) {
		page_error(req, 404, "There is no such session.");
		return;
	}
	event_log(&req->viewer, "session_ended", req->user->id, req->user->id, "");
	flash_set(req, "The session was signed out.");
	http_redirect(req, "/profile");
}

void
ui_sessions_end_others(struct request *req)
{
	sqlite3_stmt *s = db_stmt(&req->app->db, STMT_SESSION_DELETE_USER);

	db_bind_int(s, ":user_id", req->user->id);
	db_bind_int(s, ":keep", req->session->id);
	if (db_exec(&req->app->db, s) != 0) {
		page_error(req, 503, "Please try again.");
		return;
	}
	event_log(&req->viewer, "sessions_ended", req->user->id, req->user->id, "");
	flash_set(req, "Your other sessions were signed out.");
	http_redirect(req, "/profile");
}
