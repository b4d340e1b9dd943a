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

#endif
