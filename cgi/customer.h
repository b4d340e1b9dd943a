/*
 * customer.h - the customer tree: its reads and the one create, update
 * and move flow of the Customers tab, /api/v1/customers and the Accounts
 * tab alike.
 *
 * A customer's path is its parent's path plus its own id ('/1/5/23/'),
 * which is what makes "this customer and everything below" one index
 * range (see schema.sql). The id is known only after the INSERT, so a
 * customer is inserted with a placeholder path and given its real one in
 * the same transaction.
 *
 * Every read and write takes the viewer: a customer outside the viewer's
 * scope is not found, exactly like a missing one.
 */
#ifndef ARBOR_CUSTOMER_H
#define ARBOR_CUSTOMER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "rows.h"

struct db;
struct viewer;

/* The values a customer is stored with. */
struct customer_fields {
	const char *name;
	const char *email;
	const char *owner_email;	/* accounts (no parent) only */
	const char *country;		/* ISO 3166-1 alpha-2 */
	const char *time_zone;
	const char *time_format;	/* "12h" / "24h" */
	const char *units;		/* "metric" / "imperial" */
	bool require_mfa;
};

/*
 * Insert a customer below parent_id (0: a new account), unchecked: the
 * low-level step of customer_save() and of arborctl's demo and benchmark
 * data. The caller holds a write transaction and has checked the fields.
 * Returns the new id, or 0 on a database error.
 */
int64_t customer_create(struct db *db, int64_t now, int64_t parent_id,
    const struct customer_fields *f);

/*
 * "Northwind Fleet › Denmark › Aarhus": the names from the customer up to
 * (and including) v's own customer, top-down, in v's arena, so that the
 * names above the viewer never show. "" when the customer does not exist.
 */
const char *customer_path_text(const struct viewer *v, int64_t customer_id);

/*
 * The same for the many rows of one list: the names read stay in *paths
 * (from customer_paths_new, in v's arena) for the next row, so that a
 * page of fifty rows under a handful of customers reads each name once
 * instead of walking the tree per row.
 */
struct customer_paths;
struct customer_paths *customer_paths_new(const struct viewer *v);
const char *customer_paths_text(const struct viewer *v,
    struct customer_paths *paths, int64_t customer_id);

/* The same from the customer's path of ids ('/1/5/23/', which a list's
 * row brings along), and in *mfa_required whether it or one above it
 * requires MFA. */
const char *customer_paths_label(const struct viewer *v,
    struct customer_paths *paths, const char *path, bool *mfa_required);

/*
 * A page's rows are labelled in one statement or two instead of one per
 * customer on their paths (on PostgreSQL each is a round trip to the
 * server, which was most of a list page's time): first note each row's
 * path (customer_paths_want) or customer (customer_paths_want_id), then
 * customer_paths_read() reads them, and the labels read nothing more.
 * 0, or -1 on a database error (the labels then read what is missing).
 */
void customer_paths_want(struct customer_paths *paths, const char *path);
void customer_paths_want_id(struct customer_paths *paths, int64_t id);
int customer_paths_read(const struct viewer *v, struct customer_paths *paths);

/* A customer to choose (a form's parent, customer or filter). */
struct customer_choice {
	int64_t id;
	const char *label;	/* its path below the viewer: "Denmark › Aarhus" */
};

/* How many customers v sees (the subtree counters): -1 on a database
 * error. */
int64_t customer_scope_size(const struct viewer *v);

/*
 * The customers v sees, in tree order, into *out (in v's arena), leaving
 * out those whose path starts with exclude_path (a subtree; NULL for
 * none). Returns how many, or -1 on a database error.
 */
ssize_t customer_choices(const struct viewer *v, const char *exclude_path,
    struct customer_choice **out);

/*
 * A customer v sees. customer_get() fills every member but path_text;
 * the Customers list fills id, name, email, country, require_mfa, users
 * and path_text; the API's list every member but mfa_inherited, users
 * and children.
 */
struct customer {
	int64_t id;			/* first: the API's cursor */
	int64_t parent_id;		/* 0 for an account */
	const char *path;
	int64_t depth;
	const char *name;
	const char *email;
	const char *owner_email;	/* NULL unless an account */
	const char *country;
	const char *time_zone;
	const char *time_format;
	const char *units;
	bool require_mfa;		/* its own flag */
	bool mfa_required;		/* it or one above requires MFA */
	bool mfa_inherited;		/* one above it requires MFA */
	bool top;			/* the top of v's view: v does not see
					 * its parent (nor may move it) */
	int64_t created_at;
	int64_t updated_at;
	int64_t users;
	int64_t children;
	const char *path_text;		/* customer_path_text() (the list) */
};

/* The Customers list's sort keys, the first the default. */
extern const char *const customer_sort_keys[];

/* One page of the customers v sees, matching lq (q: name or e-mail;
 * customer_id, pages only: the customers directly below that one; no
 * location_id filter), as struct customer. 1, 0 when the customer_id
 * filter is outside the scope, or -1 on a database error. */
int customer_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* Customer id, if v sees it: 1, 0 (not found), -1 (database error). */
int customer_get(const struct viewer *v, int64_t id, struct customer *c);

/*
 * Where the form of a new customer starts for v: under want (0: none
 * asked) if v sees it, else under v's own customer, and for an operator
 * (who has none) as a new account. 1 with the parent in *parent, 0 for a
 * new account, -1 on a database error.
 */
int customer_new_parent(const struct viewer *v, int64_t want,
    struct customer *parent);

/* The Accounts tab's view of v: an operator's every account, anyone
 * else's own customer. */
struct customer_account {
	int64_t id;
	const char *name;
	const char *email;
	const char *owner_email;
	int64_t customers;	/* the account and everything below it */
	int64_t users;		/* of those customers */
};
struct customer_overview {
	bool every_account;		/* v is an operator: accounts */
	struct rows_page accounts;	/* struct customer_account */
	bool has_own;			/* own was found */
	/* v's own customer: its columns, not the computed ones but top
	 * (mfa_required, mfa_inherited, users, children) */
	struct customer own;
};

/* Fill *o for v: 1, or -1 on a database error. */
int customer_overview(const struct viewer *v, struct customer_overview *o);

/* What is asked about the parent. */
enum customer_parent {
	PARENT_KEEP,		/* not given: an edited customer stays */
	PARENT_NONE,		/* none: an account (operators only) */
	PARENT_ID,		/* under parent_id */
	PARENT_BAD		/* given, but not an id */
};

/*
 * A customer as submitted: text trimmed. A text member NULL is not given:
 * an update keeps the customer's value, a new customer takes its parent's
 * settings (a new account the defaults of customer_input_init()) and an
 * empty name and e-mails.
 */
struct customer_input {
	const char *name;
	const char *email;
	const char *owner_email;	/* "" for the main e-mail */
	const char *country;
	const char *time_zone;
	const char *time_format;
	const char *units;
	enum customer_parent parent;
	int64_t parent_id;
	int require_mfa;		/* -1 not given, 0 or 1 */
};

/*
 * The values of from as a form shows them: the customer edited, or (new)
 * the parent whose settings a new customer starts with, its name and
 * e-mails empty; from NULL: those of a new account (no country yet, UTC,
 * 24-hour time, metric units). Parent and require_mfa not given.
 */
void customer_input_init(struct customer_input *in,
    const struct customer *from, bool is_new);

struct customer_errors {
	struct check_error name;
	struct check_error email;
	struct check_error country;
	struct check_error time_zone;
	struct check_error time_format;
	struct check_error units;
	struct check_error parent_id;
	struct check_error owner_email;
	struct check_error require_mfa;
};

/* The fields of struct customer_errors, in the order they are reported. */
extern const struct check_field customer_error_fields[];

/* What customer_save() decided; after MODEL_INVALID, what the form shows
 * again besides the values typed. */
struct customer_change {
	struct customer cur;	/* the customer edited, as stored; id 0: new */
	int64_t parent_id;	/* where it is (to be); 0: an account. After
				 * an error at parent_id, where it is now */
	struct customer parent;	/* that parent, when parent_id is not 0 */
	bool moved;		/* cur gets another parent */
	bool inherited;		/* a customer above that place requires MFA */
	struct customer_fields f;	/* the values to store */
};

/*
 * Create (id 0) or change customer id as v, in one write transaction that
 * first reads the customer and the parent in v's scope:
 * - customer id seen by v (else MODEL_NOT_FOUND, nothing read further);
 * - the fields' rules (400);
 * - a nested customer's name unique among the children of its parent
 *   ignoring case (409), checked when new, renamed or moved, and only
 *   under a parent v sees;
 * - the parent: a customer of the scope (404 otherwise, like a missing
 *   one), never the edited customer or one below it (400); no parent (an
 *   account) only for operators (403); the top of v's view never moves
 *   (403);
 * - MFA: only an Account Administrator (ACT_ENFORCE_MFA) changes the
 *   customer's own flag (given with another value by someone else: 403);
 *   below a customer that requires MFA the flag stays as it is, and a move
 *   that would lift a requirement needs the same group (403);
 * - without ACT_CUSTOMERS (an Account Administrator who is no Nested
 *   Customer Administrator) only the MFA flag of an existing customer
 *   may be given (403 at name otherwise);
 * - an account's owner e-mail is the operator's to set (empty: the main
 *   e-mail); others keep what is.
 * Then inserts the customer, or moves it with everything below it and
 * updates it, and logs customer_created, customer_moved,
 * customer_updated, mfa_enforced or mfa_unenforced. Fills *c and *e; on
 * MODEL_DONE *saved is the customer's id.
 */
enum model_result customer_save(const struct viewer *v, int64_t id,
    const struct customer_input *in, struct customer_change *c,
    struct customer_errors *e, int64_t *saved);

/* customer_save() inside the caller's write transaction (an accounts
 * import's, over every row): on MODEL_INVALID and MODEL_FAILED the caller
 * rolls back. */
enum model_result customer_save_in(const struct viewer *v, int64_t id,
    const struct customer_input *in, struct customer_change *c,
    struct customer_errors *e, int64_t *saved);

#endif
