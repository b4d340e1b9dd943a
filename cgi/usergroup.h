/*
 * usergroup.h - account-level user groups (seed 004, issue 15): who may
 * use which device, at what discount, paid by whom. Not permission groups
 * (perm.h), which say what a user may administer.
 *
 * Operators make groups (ACT_OPERATOR): a name, a description, a scope
 * (all accounts, or one account), auto-assign of an account's new users,
 * a financial owner and the cap of the discount. An Account
 * Administrator (ACT_USER_GROUPS) of an account sees its groups and the
 * all-accounts ones; changes the discount (up to the cap) and the members
 * of the account's own groups, members only among the users they see;
 * the all-accounts groups are read-only to them. A group of another
 * account is not found, like a missing one.
 */
#ifndef ARBOR_USERGROUP_H
#define ARBOR_USERGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct viewer;

#define UGROUP_PAGE_SIZE 50
/* Names pasted at once into a group's members. */
#define UGROUP_PASTE_MAX 500

struct user_group {
	int64_t id;
	const char *name;
	const char *description;
	int64_t account_id;		/* 0: all accounts */
	const char *account;		/* its name, "" for all accounts */
	bool auto_assign;
	int64_t financial_owner_id;	/* 0: none */
	const char *financial_owner;	/* as v may know them ("" none) */
	int max_discount;		/* the operator's cap, percent */
	int discount;			/* the account's, 0 to the cap */
	int64_t created_at;
	int64_t updated_at;
	int64_t members;		/* the whole group's: shown only */
	int64_t devices;		/* when counts_visible */
	bool counts_visible;		/* v sees every member and device it
					 * may hold (operators): a count
					 * tells nothing of what v does not
					 * see */
	bool editable;			/* v may change its members and
					 * devices */
	bool discount_editable;		/* ... and its discount */
};

/* A page of groups: q searches name and description; scope "", "all" or
 * "account". */
struct ugroup_query {
	const char *q;
	const char *scope;
	int64_t page;			/* from 1 */
};

struct ugroup_page {
	struct user_group *rows;
	size_t n;
	int64_t total;			/* matching the query */
	int64_t page;			/* the page read (the last, if past) */
};

/*
 * The groups v sees matching query: an operator every group; anyone
 * else with ACT_USER_GROUPS (or reading it) their account's and the
 * all-accounts groups. 0, or -1 (database error).
 */
int ugroup_list(const struct viewer *v, const struct ugroup_query *query,
    struct ugroup_page *out);

/* The accounts an operator's form offers for a group's scope, by name
 * (at most UGROUP_ACCOUNTS_MAX). 0, or -1. */
#define UGROUP_ACCOUNTS_MAX 1000
struct ugroup_account {
	int64_t id;
	const char *name;
};
int ugroup_accounts(const struct viewer *v, struct ugroup_account **out,
    size_t *n);

/* Group id if v sees it: 1, 0 (not found), -1 (database error). */
int ugroup_get(const struct viewer *v, int64_t id, struct user_group *g);

/* A group as an operator submits it. */
struct ugroup_input {
	const char *name;		/* trimmed, never NULL */
	const char *description;
	const char *scope;		/* "all" or "account" */
	int64_t account_id;		/* for scope "account" */
	bool auto_assign;
	const char *financial_owner;	/* username or e-mail, "" none */
	const char *max_discount;	/* "0" to "100", "" for 0 */
};

struct ugroup_errors {
	struct check_error name;
	struct check_error description;
	struct check_error scope;
	struct check_error account_id;
	struct check_error auto_assign;
	struct check_error financial_owner;
	struct check_error max_discount_percent;
};

extern const struct check_field ugroup_error_fields[];

/*
 * Create (id 0) or change group id as an operator, in one transaction: a
 * name of 1 to 200 characters on one line, unique ignoring case in its
 * scope (409); a description of at most 1,000 characters; scope "all"
 * or "account" with an account (a root customer, 400); auto-assign only
 * for an account; a financial owner who is a user (of that account, for
 * an account's group; 400 when not found); a cap of 0 to 100. A lower
 * cap lowers the account's discount to it. Turning auto-assign off
 * leaves the members as they are. Logs user_group_created or
 * user_group_updated. *saved is its id on MODEL_DONE.
 */
enum model_result ugroup_save(const struct viewer *v, int64_t id,
    const struct ugroup_input *in, struct ugroup_errors *e,
    int64_t *saved);

/* Delete group id as an operator, in one transaction, with its members
 * and devices (*gone says how many). Logs user_group_deleted. */
enum model_result ugroup_delete(const struct viewer *v, int64_t id,
    struct user_group *gone);

/*
 * Set the discount of group id (percent, "0" to its cap) as v: an
 * editable group (else MODEL_NOT_FOUND for one v does not see, 403 in
 * e for one v sees read-only). Logs user_group_discount_set.
 */
enum model_result ugroup_set_discount(const struct viewer *v, int64_t id,
    const char *percent, struct check_error *e);

/* What a paste of names did, each as its line of the answer. */
enum ugroup_paste_result {
	UGROUP_ADDED,
	UGROUP_ALREADY,
	UGROUP_NOT_FOUND	/* unknown, or a user v does not see: the
				 * same */
};

struct ugroup_paste_item {
	const char *login;		/* as pasted */
	const char *match;		/* the username or unit id found, or
					 * NULL */
	enum ugroup_paste_result result;
};

struct ugroup_paste {
	struct ugroup_paste_item *items;
	size_t n;
	size_t added, already, not_found;
};

/*
 * Add the users named in text (usernames or e-mails, any separators; at
 * most UGROUP_PASTE_MAX) to editable group id as v, in one transaction:
 * each found among the users v sees (and, for an account's group, of
 * that account) is added unless a member already; the others are "not
 * found", unknown and foreign alike. dry_run reads what would happen
 * and changes nothing. Logs user_group_members_added. MODEL_INVALID
 * with e for no names, too many, or a group v sees read-only (403).
 */
enum model_result ugroup_add_members(const struct viewer *v, int64_t id,
    const char *text, bool dry_run, struct ugroup_paste *out,
    struct check_error *e);

/* Remove user user_id, whom v sees, from editable group id (403 in e
 * for a read-only one). Logs user_group_member_removed. */
enum model_result ugroup_remove_member(const struct viewer *v, int64_t id,
    int64_t user_id, struct check_error *e);

/*
 * The charger scope (seed 004): the same for the devices named in text
 * (unit ids or device ids) among the devices v sees, of the group's
 * account: a device with groups is open to their members only. Logs
 * user_group_devices_added / user_group_device_removed.
 */
enum model_result ugroup_add_devices(const struct viewer *v, int64_t id,
    const char *text, bool dry_run, struct ugroup_paste *out,
    struct check_error *e);
enum model_result ugroup_remove_device(const struct viewer *v, int64_t id,
    int64_t device_id, struct check_error *e);

struct ugroup_device {
	int64_t id;
	const char *unit_id;
	const char *name;
	const char *vehicle_name;
};

/* The devices of group id that v sees, as ugroup_members(). */
int ugroup_devices(const struct viewer *v, int64_t id, int64_t after,
    struct ugroup_device **out, size_t *n, bool *more);

struct ugroup_member {
	int64_t id;
	const char *username;
	const char *email;
	const char *full_name;
	bool active;
};

/* The members of group id that v sees, by id, after user id after: up
 * to UGROUP_PAGE_SIZE in *out, *more when others follow. 1, 0 (group
 * not found), -1. */
int ugroup_members(const struct viewer *v, int64_t id, int64_t after,
    struct ugroup_member **out, size_t *n, bool *more);

/*
 * Put user_id, just made at customer customer_id, into its account's
 * auto-assign groups, inside v's write transaction (every path that
 * creates a user calls it). 0, or -1.
 */
int ugroup_auto_assign(const struct viewer *v, int64_t user_id,
    int64_t customer_id);

/* A user group on the user form. */
struct ugroup_choice {
	int64_t id;
	const char *name;
	bool member;
	bool editable;		/* a checkbox (else text: all accounts) */
	bool auto_assign;	/* a new user joins it */
};

/*
 * The user groups user_id's form (0: a new user) shows to v: the groups
 * of v's account, which an Account Administrator sets there, and the
 * all-accounts groups user_id is in, read-only. Operators set
 * membership on the groups' pages: none. 0, or -1.
 */
int ugroup_choices(const struct viewer *v, int64_t user_id,
    struct ugroup_choice **out, size_t *n);

/*
 * Whether ids are all groups v sets on a user's form (of v's account):
 * 1 yes, 0 no, -1 on a database error.
 */
int ugroup_settable(const struct viewer *v, const int64_t *ids, size_t n);

/*
 * Make user_id a member of exactly the groups ids among those v sets on
 * the form, inside v's write transaction; other groups stay. Logs
 * user_groups_set when something changed. 0, or -1.
 */
int ugroup_set_for_user(const struct viewer *v, int64_t user_id,
    const int64_t *ids, size_t n);

/* Whether v sets the groups of its account on users' and devices' forms
 * (an Account Administrator, not an operator: they use the groups'
 * pages). */
bool ugroup_sets_on_forms(const struct viewer *v);

/* The same for device device_id's form (its charger scope): the groups
 * of v's account that open it, which an Account Administrator sets
 * there, and the all-accounts groups that open it, read-only. */
int ugroup_device_choices(const struct viewer *v, int64_t device_id,
    struct ugroup_choice **out, size_t *n);

/* The same for device device_id (unit id unit_id): logs
 * device_user_groups_set when something changed. 0, or -1. */
int ugroup_set_for_device(const struct viewer *v, int64_t device_id,
    const char *unit_id, const int64_t *ids, size_t n);

/* A user's groups and what follows from them (seed 004). */
struct ugroup_effect {
	const char **groups;		/* names, most favourable first */
	size_t ngroups;
	int discount;			/* the largest of their discounts */
	const char *financial_owner;	/* that group's username, NULL: none
					 * or hidden */
	bool financial_owner_hidden;	/* there is one v does not see */
};

/* The effect of user user_id's groups, as v may know it. 0, or -1. */
int ugroup_effect(const struct viewer *v, int64_t user_id,
    struct ugroup_effect *out);

/* The same for users ids[0..n) at once, into out[0..n) (a page of the
 * API's users: one statement, not one per user). 0, or -1. */
int ugroup_effects(const struct viewer *v, const int64_t *ids, size_t n,
    struct ugroup_effect *out);

#endif
