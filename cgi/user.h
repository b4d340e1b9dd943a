/*
 * user.h - the principal of a request: a user row with what the rest of
 * the program needs to know about it (groups, customer, settings).
 *
 * Loaded once per request by the session (or, for the API, the token)
 * and never changed by a handler: a change is written to the database
 * and the next request sees it.
 */
#ifndef ARBOR_USER_H
#define ARBOR_USER_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128
#define PASSWORD_MAX_BYTES (PASSWORD_MAX_CHARS * 4)

struct user {
	int64_t id;
	int64_t customer_id;		/* 0 for operators */
	bool is_operator;
	const char *username;
	const char *email;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;		/* enum perm_group bits */
	bool active;
	bool must_change_password;
	bool totp_enabled;
	int64_t totp_last_step;
	int64_t last_login_at;		/* 0: never */
	int64_t created_at;
	const char *customer_path;	/* '/1/5/' or '/' for operators */
	const char *customer_name;
	/* the user's own settings, NULL when the customer's apply */
	const char *own_time_zone;
	const char *own_time_format;
	const char *own_units;
	/* the settings in effect */
	const char *time_zone;
	const char *time_format;	/* "12h" or "24h" */
	const char *units;		/* "metric" or "imperial" */
	bool has_locations;		/* sees only devices at them */
	bool mfa_required;		/* by the customer or one above it */
};

/*
 * Load user id into a struct allocated in a. Returns NULL when there is
 * no such user (or on a database error, which is logged).
 */
struct user *user_load(struct db *db, struct arena *a, int64_t id);

/* The fields of a new user; the caller has validated them. */
struct user_fields {
	int64_t customer_id;		/* 0 for an operator */
	bool is_operator;
	const char *email;
	const char *username;
	const char *full_name;
	const char *password_hash;	/* NULL until set through a link */
	bool must_change_password;
	bool active;
	unsigned groups;
};

/*
 * Insert a user (inside the caller's write transaction). Returns the new
 * id, or 0 on error; db_is_constraint() then tells a duplicate e-mail or
 * username from other failures.
 */
int64_t user_create(struct db *db, int64_t now, const struct user_fields *f);

/*
 * Check a new password against the policy: 12 to 128 characters (any
 * Unicode, compared byte for byte), not the username or e-mail, not a
 * common password (cracklib's dictionary). NULL when acceptable, else a
 * sentence for the form.
 */
const char *password_policy(const char *pw, const char *username,
    const char *email);

#endif
