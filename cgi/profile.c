/*
 * profile.c - the own profile's reads and writes.
 */
#include "profile.h"

#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "catalog.h"
#include "db.h"
#include "event.h"
#include "login.h"
#include "password.h"
#include "perm.h"
#include "user.h"

#define FIELD(m) CHECK_FIELD(struct profile_errors, m, #m, #m)
const struct check_field profile_error_fields[] = {
	FIELD(time_zone), FIELD(time_format), FIELD(units), FIELD(language),
	{ NULL, NULL, 0 }
};
#undef FIELD

/* Whether s is one or the other. */
static bool
one_of(const char *s, const char *a, const char *b)
{
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

enum model_result
profile_settings_save(const struct viewer *v,
    const struct profile_settings *in, struct profile_errors *e)
{
	const char *language;
	struct db_stmt *s;

	memset(e, 0, sizeof(*e));
	if (!catalog_zone_valid(&v->app->catalog, in->time_zone))
		check_fail(&e->time_zone, 400, "Choose a time zone from the "
		    "list.");
	if (!one_of(in->time_format, "12h", "24h"))
		check_fail(&e->time_format, 400, "Choose 12 or 24 hours.");
	if (!one_of(in->units, "metric", "imperial"))
		check_fail(&e->units, 400, "Choose metric or imperial.");
	/* not sent: kept (a form or script from before it existed) */
	language = in->language != NULL ? in->language :
	    v->user->own_language != NULL ? v->user->own_language : "";
	if (*language != '\0' && !one_of(language, "en", "nl"))
		check_fail(&e->language, 400, "Choose English, Dutch or your "
		    "account's language.");
	if (check_count(e, profile_error_fields) > 0)
		return MODEL_INVALID;
	s = db_stmt(v->db, STMT_USER_SET_SETTINGS);
	db_bind_text(s, ":time_zone", in->time_zone);
	db_bind_text(s, ":time_format", in->time_format);
	db_bind_text(s, ":units", in->units);
	if (*language != '\0')
		db_bind_text(s, ":language", language);
	else
		db_bind_null(s, ":language");
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", v->user->id);
	return db_exec(v->db, s) == 0 ? MODEL_DONE : MODEL_FAILED;
}

int
profile_sessions(const struct viewer *v,
    void (*row)(void *arg, const struct profile_session *s), void *arg)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SESSIONS_OF_USER);
	struct profile_session ps;
	int rc;

	db_bind_int(s, ":user_id", v->user->id);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		ps.id = db_col_int(s, 0);
		ps.created_at = db_col_int(s, 1);
		ps.last_seen_at = db_col_int(s, 2);
		ps.ip = db_text(v->arena, s, 3);
		ps.user_agent = db_text(v->arena, s, 4);
		row(arg, &ps);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

enum model_result
profile_session_end(const struct viewer *v, int64_t id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SESSION_DELETE_OWN);

	/* bound to the user's own id: another user's session id ends
	 * nothing */
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":user_id", v->user->id);
	if (db_exec(v->db, s) != 0)
		return MODEL_FAILED;
	if (db_changes(v->db) != 1)
		return MODEL_NOT_FOUND;
	event_log(v, "session_ended", v->user->id, v->user->id, "");
	return MODEL_DONE;
}

enum model_result
profile_sessions_end_others(const struct viewer *v, int64_t keep)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SESSION_DELETE_USER);

	db_bind_int(s, ":user_id", v->user->id);
	db_bind_int(s, ":keep", keep);
	if (db_exec(v->db, s) != 0)
		return MODEL_FAILED;
	event_log(v, "sessions_ended", v->user->id, v->user->id, "");
	return MODEL_DONE;
}

enum model_result
profile_password_change(const struct viewer *v, int64_t keep,
    const char *current, const char *fresh, const char *confirm,
    struct password_errors *e, const char **token)
{
	const struct user *u = v->user;
	char hash[crypto_pwhash_STRBYTES];
	enum model_result rc;
	const char *why;
	bool failed;

	memset(e, 0, sizeof(*e));
	/* a wrong one is reported with the new one's error; after one
	 * too many the session is over: nothing more to check */
	if ((rc = login_check_password(v, keep, current,
	    &e->current_password)) == MODEL_FAILED ||
	    e->current_password.status == 401)
		return rc;
	why = fresh ? password_policy(fresh, u->username, u->email) :
	    "Enter a new password.";
	if (why == NULL && current != NULL && strcmp(current, fresh) == 0)
		why = "Choose a password different from the current one.";
	if (why != NULL)
		check_fail(&e->new_password, 400, why);
	else if (confirm == NULL || strcmp(fresh, confirm) != 0)
		check_fail(&e->confirm_password, 400, "The two passwords "
		    "differ. Type the same password twice.");
	if (check_count(e, password_error_fields) > 0)
		return MODEL_INVALID;
	if (password_hash(fresh, hash) != 0 || db_begin(v->db) != 0) {
		sodium_memzero(hash, sizeof(hash));
		return MODEL_FAILED;
	}
	/* a new token too: one seen with the old password ends with it */
	failed = password_set(v, u->id, hash, u->must_change_password ?
	    PASSWORD_OWN_FORCED : PASSWORD_OWN, keep) != 0 ||
	    (*token = login_session_rotate(v, keep)) == NULL;
	sodium_memzero(hash, sizeof(hash));
	return db_finish(v->db, failed, NULL, NULL);
}
