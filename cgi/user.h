/*
 * user.h - users: the principal of a request, and the Users model that
 * the Users tab, /api/v1/users and arborctl share.
 *
 * The principal (struct user, principal.h) is loaded once per request by
 * the session (or, for the API, the token) and never changed by a
 * handler: a change is written to the database and the next request sees
 * it.
 *
 * The Users model below takes the viewer: a user whose customer is
 * outside the viewer's scope is not found, exactly like a missing one.
 * The few functions above it take the database: they load the principal
 * before there is a viewer, or are unscoped steps (an insert, a lookup by
 * name) of arborctl's bulk data and of the model's own flows.
 */
#ifndef ARBOR_USER_H
#define ARBOR_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "password.h"
#include "principal.h"
#include "rows.h"

struct arena;
struct db;
struct viewer;

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

/* Give user user_id location location_id too (inside the caller's write
 * transaction; already given: nothing changes). 0, or -1. */
int user_location_add(struct db *db, int64_t user_id, int64_t location_id);

/* Record that user id signed in at at. 0, or -1. */
int user_set_last_login(struct db *db, int64_t id, int64_t at);

/* Whether pw is user id's current password (argon2id verify). */
bool user_password_ok(struct db *db, struct arena *a, int64_t id,
    const char *pw);

/* The id of the user with this e-mail (any case), or 0. */
int64_t user_id_by_email(struct db *db, const char *email);
/* The id of the user with this username (any case), or 0. */
int64_t user_id_by_username(struct db *db, const char *username);

/* ------------------------------------------------------------------
 * The Users model. A handler reads its form or body into a struct
 * user_input and calls one function per action; the rules, the
 * transaction, the writes, the mail and the events are here.
 */

#define USER_LOCATIONS_MAX 500

/* A user as a viewer sees them. user_get() and the API's list fill every
 * field but customer and location_names; the Users list fills id, email,
 * username, customer_id, customer, last_login_at, groups, active,
 * mfa_on, mfa_required and location_names. */
struct ugroup_effect;

struct user_row {
	int64_t id;			/* first: the API's cursor */
	int64_t customer_id;
	const char *email;
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;
	bool active;
	bool has_password;
	bool must_change_password;
	int64_t last_login_at;		/* 0: never */
	int64_t created_at;
	bool mfa_on;			/* TOTP enrolled */
	bool mfa_required;		/* by the customer or one above it */
	int64_t link_expires_at;	/* latest set-up/reset link; 0: none */
	int64_t link_used_at;		/* 0: not used (nor voided) */
	const char *language;		/* of e-mails: "en", "nl", or NULL:
					 * the account's */
	const char *gender;		/* "female", "male", or NULL */
	const int64_t *locations;	/* the ids of those the viewer sees */
	size_t nlocations;
	const char *customer;		/* list: its path below the viewer */
	const char *tree_path;		/* list: its customer's path of ids */
	const char *location_names;	/* list: "Depot, Yard", "" for none */
	/* the API's: their user groups, discount and who pays; NULL when
	 * they could not be read */
	const struct ugroup_effect *effect;
};

/* The Users list's sort keys, the first the default. */
extern const char *const user_sort_keys[];

/*
 * One page of the users v sees, matching lq (q: e-mail, username or full
 * name; customer_id, group, active, mfa), as struct user_row. A page past the end reads the
 * last one (out->page says which). 1, 0 when the customer
 * filter is outside the scope, -1 on a database error.
 */
int user_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* user_get() and the effect of the user's groups, as the API shows a
 * user (the list's pages of the API read it for every row at once). */
int user_get_with_groups(const struct viewer *v, int64_t id,
    struct user_row *u);

/* What became of user u's latest set-up or reset link (user_get's row). */
enum user_link {
	USER_LINK_NONE,			/* never sent one */
	USER_LINK_PENDING,		/* usable until u->link_expires_at */
	USER_LINK_USED,
	USER_LINK_VOIDED,		/* by deactivation or a new password */
	USER_LINK_EXPIRED
};
enum user_link user_link_state(const struct user_row *u, int64_t now);

/* User id, if v sees them: 1, 0 (not found), -1 (database error). */
int user_get(const struct viewer *v, int64_t id, struct user_row *u);

/* A location a user may be given, for the user form's choices. */
struct user_location_choice {
	int64_t id;
	const char *name;
	int64_t customer_id;
	const char *customer;		/* its customer's path below v */
};

/* The locations v sees, in tree order, as struct user_location_choice:
 * 1, or -1 on a database error. */
int user_location_choices(const struct viewer *v, struct rows_page *out);

/* A user as submitted. */
struct user_input {
	const char *email;		/* text trimmed, never NULL */
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	const char *password;		/* "" for none */
	/* the page's second entry of password ("" when empty); NULL where
	 * nothing asks for one (the API: a script does not mistype) */
	const char *confirm_password;
	const char *password_mode;	/* as given; NULL when not given */
	int64_t customer_id;		/* 0: not given, or not an id */
	const char *const *groups;	/* group keys (perm_groups[].key) */
	size_t ngroups;
	const int64_t *locations;	/* location ids; 0: not an id */
	size_t nlocations;
	bool active;
	const char *language;		/* of e-mails: "en", "nl" or "" (the
					 * account's); NULL: not given, kept */
	/* the user groups of the form (usergroup.h ugroup_choices) the
	 * user is to be in; NULL: not given, kept */
	const int64_t *user_groups;
	size_t nuser_groups;
	const char *gender;		/* "female", "male", "" none; NULL:
					 * not given, kept */
	/* a CSV import's user from another system: a new one is made with
	 * password mode "keep", so without password or welcome mail */
	bool migrated;
};

/* The values of user u as they are (u NULL: a new, active user with
 * nothing else); password mode not given. */
void user_input_init(struct user_input *in, struct arena *a,
    const struct user_row *u);

struct user_errors {
	struct check_error email;
	struct check_error username;
	struct check_error customer_id;
	struct check_error groups;
	struct check_error locations;
	struct check_error password_mode;
	struct check_error password;
	struct check_error confirm_password;
	struct check_error full_name;
	struct check_error phone;
	struct check_error address;
	struct check_error active;
	struct check_error language;
	struct check_error user_groups;
	struct check_error gender;
};

/* The fields of struct user_errors in the order they are reported: the
 * form names groups "group" and locations "location". */
extern const struct check_field user_error_fields[];

/* What user_save() made of an input: what it would write, and so what a
 * form shown again selects. */
struct user_change {
	const char *password_mode;	/* "welcome", "manual" or "keep" */
	unsigned asked;			/* the groups asked for */
	unsigned groups;		/* the groups to store */
	int64_t customer_id;		/* 0 when not in the scope */
	const int64_t *locations;	/* each once */
	size_t nlocations;
	const char *hash;		/* manual: the password's (argon2id) */
	bool deactivated;		/* an active user made inactive */
	const char *language;		/* "en", "nl" or "" (the account's) */
	const char *gender;		/* "female", "male" or "" */
};

/*
 * Where a new user goes and what they hold, as v gives it: customer_id in
 * v's scope (404 otherwise, like a missing one; 0: 400), the group keys
 * known (400) and held by v (perm_may_grant: 403), the locations each
 * once, in the scope and at the customer or below it. Fills c's
 * customer_id (0 when not in the scope), asked and locations, and *e.
 * The Users form and invitations (invite.c) check with it. 0, or -1 on
 * a database error.
 */
int user_check_placement(const struct viewer *v, int64_t customer_id,
    const char *const *groups, size_t ngroups, const int64_t *locations,
    size_t nlocations, struct user_change *c, struct user_errors *e);

/* What a person types to join (an invitation, a join link, sign-up by
 * domain): never NULL; "" for a field the page does not ask. */
struct user_joining {
	const char *email;
	const char *username;
	const char *full_name;
	const char *password;
	const char *confirm;
};

/* The fields of those pages: e->password is the form's new_password. */
extern const struct check_field user_joining_fields[];

/* Check j by the Users form's rules (e-mail, username, full name) and the
 * password policy, typed twice: fills *e (cleared first), returns the
 * number of fields in error. */
int user_check_joining(const struct user_joining *j, struct user_errors *e);

/*
 * Whether user grantor, as they are now, could still give groups to a
 * new user of customer_id: active, allowed to manage users, holding the
 * groups and seeing the customer. A link an administrator made
 * (invitation, join link) grants nothing more than its maker still
 * could. 1, 0, -1 (database error).
 */
int user_grant_holds(const struct viewer *v, int64_t grantor,
    int64_t customer_id, unsigned groups);

/* A user who joins by themselves, their fields checked. */
struct user_onboarding {
	int64_t customer_id;
	const char *email;
	const char *username;
	const char *full_name;
	const char *hash;	/* argon2id of the password they chose */
	unsigned groups;
	const char *how;	/* the event's detail: "invitation"… */
};

/*
 * The one way a person makes their own user, inside the caller's write
 * transaction: the e-mail and username not another user's (409 in *e:
 * returns 0), then an active user of o->customer_id with o's groups and
 * password (not to be changed), the customer's auto-assign user groups
 * (seed 004), and the event user_created with the new user as its actor.
 * The id, 0 (taken), or -1 (database error).
 */
int64_t user_onboard(const struct viewer *v, const struct user_onboarding *o,
    struct user_errors *e);

/*
 * Why v may not change or delete user u at all, as a sentence in v's
 * arena naming the groups v lacks, or NULL when v may: u holds a group v
 * lacks (perm_may_change_user). The Users page shows such a user
 * read-only with it; user_save() and user_remove() refuse with it (403).
 */
const char *user_out_of_reach(const struct viewer *v,
    const struct user_row *u);

/*
 * Create (id 0) or change user id as v. A user out of v's reach
 * (user_out_of_reach) is refused as a whole (e->groups, 403; *c stays
 * empty), whatever the input. Besides the fields' rules (400):
 * - the customer and the locations: in the scope (404 otherwise, like
 *   missing ones); a location at the user's customer or below it (400);
 * - groups: v gives only groups v holds; asking for another is refused
 *   (403);
 * - nobody deactivates or moves themselves, removes their own Account
 *   Administrator group or sets their own password here (403: that is
 *   the profile's job, with the current password);
 * - the e-mail address and username: not another user's (409).
 * Then, in one transaction: the user's fields, groups and locations (the
 * locations v cannot see stay); a new e-mail address voids their links
 * (they went to the old one); a manual password through password_set()
 * (changed at the next sign-in) or a set-up link by mail (welcome); a
 * deactivation ends their sessions, voids their links and revokes their
 * API tokens (password_lock_out: a re-activation brings none back); the
 * events user_created or user_updated (and password_set_by_admin,
 * user_deactivated, tokens_revoked). MODEL_NOT_FOUND: user id is not in
 * v's scope. MODEL_INVALID fills *e. *c is filled from MODEL_INVALID on
 * (but for a user out of reach); MODEL_DONE sets *saved to the user's id.
 */
enum model_result user_save(const struct viewer *v, int64_t id,
    const struct user_input *in, struct user_change *c,
    struct user_errors *e, int64_t *saved);

/* What a row of a CSV import does to its user. */
enum user_import_what {
	USER_IMPORT_CREATE,
	USER_IMPORT_UPDATE,
	USER_IMPORT_UNCHANGED
};

/*
 * One row of a CSV import (import.c) as v, inside the caller's write
 * transaction: in for user t (NULL: a new one), checked by every rule of
 * user_save() (t out of reach: e->groups 403; the e-mail and username
 * not another user's: 409) into *e (MODEL_INVALID). *what says whether
 * it creates, changes or leaves t as it is; unless dry, it then writes
 * as user_save() does: a new user gets the welcome mail unless
 * in->migrated. MODEL_DONE, MODEL_INVALID, or MODEL_FAILED.
 */
enum model_result user_import_row(const struct viewer *v,
    const struct user_row *t, const struct user_input *in, bool dry,
    enum user_import_what *what, struct user_errors *e);

/* Why v may not delete u, as a sentence (v's arena), or NULL when v
 * may: u is v's own user, or out of v's reach (user_out_of_reach). */
const char *user_why_not_remove(const struct viewer *v,
    const struct user_row *u);

/*
 * Delete user id as v (the schema cascades to sessions, links, tokens)
 * and log user_deleted, naming them in the detail (the event's user_id
 * would be cleared with them); *gone is the user as they were.
 * MODEL_NOT_FOUND outside the scope; MODEL_INVALID (403) when
 * user_why_not_remove(v, gone) says why not.
 */
enum model_result user_remove(const struct viewer *v, int64_t id,
    struct user_row *gone);

/*
 * arborctl: add an operator (no customer, every group, active) with
 * password pw, which is not to be changed at the first sign-in. The
 * username and e-mail follow the Users form's rules (400) and are not
 * another user's (409); pw the policy (e->password). Logs user_created
 * and, through password_set(), password_set. v must be allowed
 * ACT_OPERATOR; MODEL_INVALID fills *e.
 */
enum model_result user_add_operator(const struct viewer *v,
    const char *username, const char *email, const char *pw,
    struct user_errors *e);

/*
 * arborctl passwd: give user username password pw (the policy:
 * e->password), not to be changed at the next sign-in, through
 * password_set(): their sessions end, their links die, their API tokens
 * are revoked. v must be
 * allowed ACT_OPERATOR; MODEL_NOT_FOUND when there is no such user.
 */
enum model_result user_passwd(const struct viewer *v, const char *username,
    const char *pw, struct user_errors *e);

#endif
