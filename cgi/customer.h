/*
 * customer.h - writing the customer tree.
 *
 * A customer's path is its parent's path plus its own id ('/1/5/23/'),
 * which is what makes "this customer and everything below" one index
 * range (see schema.sql). The id is known only after the INSERT, so a
 * customer is inserted with a placeholder path and given its real one in
 * the same transaction.
 */
#ifndef ARBOR_CUSTOMER_H
#define ARBOR_CUSTOMER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"

struct db;

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
 * Insert a customer below parent_id (0: a new account). The caller holds
 * a write transaction and has checked the fields. Returns the new id, or
 * 0 on a database error.
 */
int64_t customer_create(struct db *db, int64_t now, int64_t parent_id,
    const struct customer_fields *f);

/*
 * "Northwind Fleet › Denmark › Aarhus": the names from the customer up to
 * (and including) v's own customer, top-down, in v's arena, so that the
 * names above the viewer never show. "" when the customer does not exist.
 */
struct arena;
struct viewer;
const char *customer_path_text(const struct viewer *v, int64_t customer_id);

/*
 * Rewrite the place of customer id in the tree: it and every customer
 * below it (paths [old_prefix, old_end)) get new_prefix instead of
 * old_prefix and their depth changed by delta, in one UPDATE; the
 * customer itself gets parent_id (0: it becomes an account) and
 * owner_email (NULL unless it becomes or stays an account). Only rows in
 * the scope sc are touched. The caller holds a write transaction and has
 * checked that the new parent is visible and not inside the subtree (so
 * no new path equals an existing one; a new_prefix inside the subtree,
 * which would make a cycle, moves nothing). Returns the number of rows
 * moved, or -1 on a database error.
 */
struct scope;
int customer_move(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const char *old_prefix, const char *new_prefix,
    int64_t delta, int64_t parent_id, const char *owner_email);

/*
 * Update the settings of customer id (in the scope sc): the fields of f,
 * owner_email included (NULL for a nested customer). The caller holds a
 * write transaction. Returns 0, or -1 on a database error or when the
 * customer is not in the scope.
 */
int customer_update(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const struct customer_fields *f);

/*
 * Whether customer id or one above it requires MFA (1), not (0), or -1
 * on a database error. This looks above the viewer on purpose: the
 * requirement of a customer is the strictest on its chain, and only the
 * answer (not the customer that set it) is shown.
 */
int customer_mfa_inherited(struct db *db, int64_t id);

/* A customer to choose (a form's parent, customer or filter). */
struct customer_choice {
	int64_t id;
	const char *label;	/* its path below the viewer: "Denmark › Aarhus" */
};

/*
 * The customers v sees, in tree order, into *out (in v's arena), leaving
 * out those whose path starts with exclude_path (a subtree; NULL for
 * none). Returns how many, or -1 on a database error.
 */
ssize_t customer_choices(const struct viewer *v, const char *exclude_path,
    struct customer_choice **out);


/* ------------------------------------------------------------------
 * The rules of a customer, for the Customers tab and the API alike. A
 * caller reads its form or body into a struct customer_input, checks it
 * with customer_check() and, when no field is in error, writes it with
 * customer_save(), both inside one write transaction (db_begin), so that
 * what was checked is what is written.
 */

/* A customer of the viewer's scope, as CUSTOMER_DETAIL reads it. */
struct customer {
	int64_t id;
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
	int64_t users;
	int64_t children;
};

/* Customer id if it is in the scope sc, into *c (strings in a): 1; 0 when
 * it is not (or does not exist: the same answer); -1 on a database
 * error. */
int customer_load(struct db *db, struct arena *a, const struct scope *sc,
    int64_t id, struct customer *c);


/* What is asked about the parent. */
enum customer_parent {
	PARENT_KEEP,		/* not given: an edited customer stays */
	PARENT_NONE,		/* none: an account (operators only) */
	PARENT_ID,		/* under parent_id */
	PARENT_BAD		/* given, but not an id */
};

/* A customer as submitted: text trimmed, never NULL. */
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

/* The values of customer from (NULL: those of a new account: no country
 * yet, UTC, 24-hour time, metric units); parent PARENT_KEEP and
 * require_mfa not given. */
void customer_input_init(struct customer_input *in,
    const struct customer *from);

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

/* What customer_check() decided: the write customer_save() makes. */
struct customer_change {
	const struct customer *cur;	/* the customer edited; NULL: new */
	int64_t parent_id;	/* where it is (to be); 0: an account. After
				 * an error, the choice to show again. */
	struct customer parent;	/* that parent, when parent_id is not 0 */
	bool moved;		/* cur gets another parent */
	bool inherited;		/* a customer above that place requires MFA */
	struct customer_fields f;	/* the values to store */
};

/*
 * Check in (a new customer when cur is NULL, else changes to cur, which
 * the caller read through customer_load()) as req's user, in the scope
 * sc:
 * - the fields' rules (400);
 * - the parent: a customer of the scope (404 otherwise, like a missing
 *   one), never the edited customer or one below it (400); no parent
 *   (an account) only for operators (403); the user's own customer, the
 *   top of their view, never moves (403);
 * - MFA: only an Account Administrator (ACT_ENFORCE_MFA) changes the
 *   customer's own flag (given with another value by someone else: 403);
 *   below a customer that requires MFA the flag stays as it is, and a move
 *   that would lift a requirement needs the same group (403).
 * Fills *c and *e. Returns the number of fields in error, or -1 on a
 * database error.
 */
struct request;
int customer_check(struct request *req, const struct scope *sc,
    const struct customer *cur, const struct customer_input *in,
    struct customer_change *c, struct customer_errors *e);

/*
 * Write a checked change inside the caller's write transaction: insert
 * the new customer, or move (with everything below it) and update the
 * edited one, and log the events (customer_created, customer_moved,
 * customer_updated, mfa_enforced, mfa_unenforced). Returns the
 * customer's id, or 0 on a database error.
 */
int64_t customer_save(struct request *req, const struct scope *sc,
    const struct customer_change *c);

#endif
