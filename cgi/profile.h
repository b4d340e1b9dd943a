/*
 * profile.h - the signed-in user's own profile: settings, sessions and
 * password. Every statement here is keyed by the viewer's own id: a
 * user's profile is the one thing that needs no visibility rule.
 *
 * Every function takes a viewer with a user (the Profile routes are for
 * signed-in users only).
 */
#ifndef ARBOR_PROFILE_H
#define ARBOR_PROFILE_H

#include <stdint.h>

#include "check.h"

struct password_errors;
struct viewer;

/* The settings as submitted; NULL for a field not sent. */
struct profile_settings {
	const char *time_zone;
	const char *time_format;	/* "12h" or "24h" */
	const char *units;		/* "metric" or "imperial" */
	const char *language;		/* of e-mails: "en", "nl" or "" (the
					 * account's); NULL keeps it */
};

struct profile_errors {
	struct check_error time_zone;
	struct check_error time_format;
	struct check_error units;
	struct check_error language;
};

/* The fields of struct profile_errors, in the order they are reported. */
extern const struct check_field profile_error_fields[];

/* Save v's own settings: a known time zone, 12h/24h, metric/imperial,
 * an e-mail language en, nl or none (the account's) (400 each), or
 * MODEL_INVALID with *e. */
enum model_result profile_settings_save(const struct viewer *v,
    const struct profile_settings *in, struct profile_errors *e);

/* A session of the viewer's. */
struct profile_session {
	int64_t id;
	int64_t created_at;
	int64_t last_seen_at;
	const char *ip;
	const char *user_agent;
};

/* Call row(arg, session) for each of v's sessions, the latest used
 * first. 0, or -1 on a database error. */
int profile_sessions(const struct viewer *v,
    void (*row)(void *arg, const struct profile_session *s), void *arg);

/* Sign out v's session id (logs session_ended); MODEL_NOT_FOUND when v
 * has no such session. */
enum model_result profile_session_end(const struct viewer *v, int64_t id);

/* Sign out every session of v's but keep (logs sessions_ended). */
enum model_result profile_sessions_end_others(const struct viewer *v,
    int64_t keep);

/*
 * Change v's own password from current to fresh, typed again as confirm,
 * from session keep: the current one right (e->current_password, counted
 * by login_check_password(): status 401 when that ended the session), the
 * new one by the policy and not the current one (e->new_password), the
 * same text twice (e->confirm_password), else MODEL_INVALID. Then, in one transaction, password_set() voids their
 * links, ends every other session and revokes their API tokens (whoever
 * knew the old password may have used it to sign in somewhere, or made a
 * token with it) and session keep gets a new token (*token, in v's
 * arena), so that the user stays signed in.
 */
enum model_result profile_password_change(const struct viewer *v,
    int64_t keep, const char *current, const char *fresh,
    const char *confirm, struct password_errors *e, const char **token);

#endif
