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

#include "check.h"

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

struct scope;

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

/* ------------------------------------------------------------------
 * The rules of managing users, for the Users tab and the API alike. A
 * caller reads its form or body into a struct user_input, checks it with
 * user_check(), hashes a manual password with user_hash_password()
 * (argon2id takes ~50 ms and must not hold the write lock), then inside
 * one write transaction checks for duplicates (user_check_unique()) and
 * writes (user_add() / user_save()).
 */

#define USER_LOCATIONS_MAX 500

/* A user of the viewer's scope, as USER_VISIBLE reads it. */
struct user_target {
	int64_t id;
	int64_t customer_id;
	const char *email;
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;
	bool active;
	int64_t last_login_at;
	int64_t created_at;
	bool has_password;
	bool must_change_password;
};

/* User id if their customer is in the scope sc (in a), else NULL: a user
 * outside it is not found, exactly like a missing one (or on a database
 * error). */
struct user_target *user_target_load(struct db *db, struct arena *a,
    const struct scope *sc, int64_t id);

/* The ids of user_id's locations that sc sees (at most
 * USER_LOCATIONS_MAX) in *ids (in a); returns the count. */
size_t user_target_locations(struct db *db, struct arena *a,
    const struct scope *sc, int64_t user_id, int64_t **ids);

/* A user as submitted. */
struct user_input {
	const char *email;		/* text trimmed, never NULL */
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	const char *password;		/* "" for none */
	const char *password_mode;	/* as given; NULL when not given */
	int64_t customer_id;		/* 0: not given, or not an id */
	const char *const *groups;	/* group keys (perm_groups[].key) */
	size_t ngroups;
	const int64_t *locations;	/* location ids; 0: not an id */
	size_t nlocations;
	bool active;
};

/* The values of user t with its visible locations ids[0..n) (t NULL: a
 * new, active user with nothing else); password mode not given. */
void user_input_init(struct user_input *in, struct arena *a,
    const struct user_target *t, const int64_t *ids, size_t n);

struct user_errors {
	struct check_error email;
	struct check_error username;
	struct check_error customer_id;
	struct check_error groups;
	struct check_error locations;
	struct check_error password_mode;
	struct check_error password;
	struct check_error full_name;
	struct check_error phone;
	struct check_error address;
	struct check_error active;
};

/* The fields of struct user_errors in the order they are reported: the
 * form names groups "group" and locations "location". */
extern const struct check_field user_error_fields[];

/* What user_check() made of an input: what would be written. */
struct user_change {
	const char *password_mode;	/* "welcome", "manual" or "keep" */
	unsigned asked;			/* the groups asked for */
	unsigned groups;		/* the groups to store */
	int64_t customer_id;		/* 0 when not in the scope */
	int64_t *locations;		/* each once */
	size_t nlocations;
	const char *hash;		/* manual: the password's (argon2id) */
};

/*
 * Check in (a new user when t is NULL, else changes to t) as req's user,
 * in the scope sc. Besides the fields' rules (400):
 * - the customer and the locations: in the scope (404 otherwise, like
 *   missing ones); a location at the user's customer or below it (400);
 * - groups: the editor changes only groups they hold; the others stay as
 *   they are on the user, and asking to grant one is refused (403);
 * - nobody deactivates or moves themselves, removes their own Account
 *   Administrator group or sets their own password here (403: that is
 *   the profile's job, with the current password);
 * - the e-mail address and the password (manual or a set-up link) of a
 *   user who holds a group the editor lacks can only be changed by
 *   someone holding all of that user's groups (403): otherwise an
 *   administrator could take over a stronger account and so gain its
 *   groups.
 * Fills *c and *e; returns the number of fields in error, or -1 on a
 * database error.
 */
struct request;
int user_check(struct request *req, const struct scope *sc,
    const struct user_target *t, const struct user_input *in,
    struct user_change *c, struct user_errors *e);

/* For the manual mode, hash in->password into c->hash (in a). 0 or -1. */
int user_hash_password(struct arena *a, const struct user_input *in,
    struct user_change *c);

/* An e-mail address or username in use by another user than self (0 for
 * none): 409 errors in *e. Inside the write transaction, so that no other
 * writer slips one in between. Returns the number of fields in error. */
int user_check_unique(struct db *db, const struct user_input *in,
    int64_t self, struct user_errors *e);

/* Insert a checked new user with their contact details and locations,
 * queue the welcome mail with a set-up link (welcome mode) and log
 * user_created. Returns the id, or 0 on a database error. */
int64_t user_add(struct request *req, const struct scope *sc,
    const struct user_input *in, const struct user_change *c);

/* Write checked changes to t: fields, groups, locations; a manual
 * password (ends their sessions, must be changed at the next sign-in) or
 * a set-up link; deactivation ends their sessions and links. Logs
 * user_updated (and password_set_by_admin, user_deactivated). 0 or -1. */
int user_save(struct request *req, const struct scope *sc,
    const struct user_target *t, const struct user_input *in,
    const struct user_change *c);

/* Whether editor may delete t: anyone in the scope but themselves. */
bool user_may_remove(const struct user *editor,
    const struct user_target *t);

/* Delete t (the schema cascades to sessions, links, tokens) and log
 * user_deleted, naming them in the detail (the event's user_id would be
 * cleared with them). 0 or -1. */
int user_remove(struct request *req, const struct scope *sc,
    const struct user_target *t);

#endif
