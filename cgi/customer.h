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
 * (and including) depth from_depth, top-down, in a. A viewer passes their
 * own customer's depth (perm_top_depth), so the names above them never
 * show. Returns "" when the customer does not exist.
 */
struct arena;
const char *customer_path_text(struct db *db, struct arena *a,
    int64_t customer_id, int64_t from_depth);

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

/*
 * The customers of the scope sc as <select> options, in tree order: a
 * list of {value, label, selected} where label is the path below depth
 * top_depth ("Northwind Denmark › Aarhus") and selected is true for
 * selected_id. Customers whose path starts with exclude_path (a subtree;
 * NULL for none) are left out. Returns NULL on a database error.
 */
struct tval;
struct tval *customer_options(struct db *db, struct arena *a,
    const struct scope *sc, int64_t top_depth, int64_t selected_id,
    const char *exclude_path);

#endif
