/*
 * location.h - the rules of a location (a named place of a customer) for
 * the Locations tab and the API alike.
 *
 * A caller reads its form or body into a struct location_input, checks it
 * with location_check() and writes it with location_save(), both inside
 * one write transaction. Which locations exist for a user is only ever
 * asked through the scope (perm_scope): one of a customer outside it is
 * not found, exactly like a missing one.
 */
#ifndef ARBOR_LOCATION_H
#define ARBOR_LOCATION_H

#include <stdint.h>

#include "check.h"

struct arena;
struct db;
struct request;
struct scope;

/* A location of the scope (LOCATION_VISIBLE). */
struct location {
	int64_t id;
	const char *name;
	int64_t customer_id;
};

/* Location id if its customer is in the scope sc, into *l (strings in
 * a): 1; 0 when it is not (or does not exist); -1 on a database error. */
int location_load(struct db *db, struct arena *a, const struct scope *sc,
    int64_t id, struct location *l);

/* A location as submitted. */
struct location_input {
	const char *name;	/* trimmed, never NULL */
	int64_t customer_id;	/* 0: not given, or not an id */
};

struct location_errors {
	struct check_error name;
	struct check_error customer_id;
};

/* The fields of struct location_errors, in the order they are reported. */
extern const struct check_field location_error_fields[];

/*
 * Check in: a name of 1 to 200 characters on one line (400), a customer
 * given (400) and in the scope sc (404 otherwise, like a missing one).
 * Fills *e; returns the number of fields in error, or -1 on a database
 * error.
 */
int location_check(struct db *db, const struct scope *sc,
    const struct location_input *in, struct location_errors *e);

/*
 * Insert (id 0) or update location id (scoped: both its customer and the
 * new one must be in sc) from a checked input, inside the caller's write
 * transaction, and log location_created or location_updated. Returns the
 * location's id; 0 when its customer already has a location of that name
 * (e->name is then set, status 409); -1 on a database error.
 */
int64_t location_save(struct request *req, const struct scope *sc,
    int64_t id, const struct location_input *in, struct location_errors *e);

#endif
