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
#include <stddef.h>
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

/* Whether pw is user id's current password (argon2id verify). */
bool user_password_ok(struct db *db, struct arena *a, int64_t id,
    const char *pw);

/*
 * Editing users (the Users tab, issue 4). Every write below is scoped:
 * it changes nothing unless the user (and, for an update, the customer
 * it goes to) lies in sc, so a caller that forgot a check still cannot
 * reach outside the editor's subtree. All run inside the caller's write
 * transaction and return 0, or -1 when nothing was changed (out of
 * scope, gone, or a database error; db_is_constraint() tells a duplicate
 * e-mail or username).
 */
struct scope;

struct user_edit {
	int64_t id;
	int64_t customer_id;
	const char *email;
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;
	bool active;
};

int user_update(struct db *db, const struct scope *sc, int64_t now,
    const struct user_edit *e);

/* Phone and address of a user just made by user_create(). */
int user_set_contact(struct db *db, int64_t id, const char *phone,
    const char *address);

/* Replace the locations of user_id that sc can see by ids[0..n). */
int user_set_locations(struct db *db, const struct scope *sc,
    int64_t user_id, const int64_t *ids, size_t n);

/* Delete a user; the schema cascades to sessions, links, tokens. */
int user_delete(struct db *db, const struct scope *sc, int64_t id);

/* The id of the user with this e-mail (any case), or 0. */
int64_t user_id_by_email(struct db *db, const char *email);
/* The id of the user with this username (any case), or 0. */
int64_t user_id_by_username(struct db *db, const char *username);

/*
 * Check a new password against the policy: 12 to 128 characters (any
 * Unicode, compared byte for byte), not the username or e-mail, not a
 * common password (cracklib's dictionary). NULL when acceptable, else a
 * sentence for the form.
 */
const char *password_policy(const char *pw, const char *username,
    const char *email);

#endif
