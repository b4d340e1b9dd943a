/*
 * location.h - locations (named places of a customer): the rules and
 * every statement of the Locations tab and /api/v1/locations alike.
 *
 * Every read and write takes the viewer: a location of a customer outside
 * the viewer's scope is not found, exactly like a missing one.
 */
#ifndef ARBOR_LOCATION_H
#define ARBOR_LOCATION_H

#include <stdint.h>

#include "check.h"
#include "rows.h"

struct viewer;

/* A location the viewer sees. Lists fill customer and users; one read by
 * id fills created_at and updated_at. */
struct location {
	int64_t id;			/* first: the API's cursor */
	const char *name;
	int64_t customer_id;
	const char *customer;		/* its path below the viewer (lists) */
	int64_t users;			/* its users in the viewer's scope */
	int64_t created_at;
	int64_t updated_at;
};

/* The Locations list's sort keys, the first the default. */
extern const char *const location_sort_keys[];

/* One page of the locations v sees, matching lq (q: the location's or
 * its customer's name; customer_id), as struct location. 1, 0 when a
 * filter is outside the scope, -1 on a database error. */
int location_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* Location id, if v sees it: 1, 0 (not found), -1 (database error). */
int location_get(const struct viewer *v, int64_t id, struct location *l);

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
 * Create (id 0) or change location id as v, in one transaction: a name of
 * 1 to 200 characters on one line (400), unique per customer ignoring
 * case (409); a customer given (400) and seen by v (404, like a missing
 * one), and for a location that moves, none of the devices and users at
 * it of a customer it would no longer serve (409, naming how many);
 * location id seen by v. Logs location_created or location_updated; a
 * location that moves to another customer loses its open shares
 * (share_end_all: its old customer granted them). On
 * MODEL_DONE
 * *saved is the location's id; MODEL_INVALID fills *e.
 */
enum model_result location_save(const struct viewer *v, int64_t id,
    const struct location_input *in, struct location_errors *e,
    int64_t *saved);

/* What deleting a location detaches, counted whoever sees them. */
struct location_ties {
	int64_t users;		/* the users assigned to it */
	int64_t last;		/* of those, users with no other location:
				 * no longer limited by location after */
	int64_t devices;	/* the devices at it */
};

/* Location id, if v sees it, with what deleting it detaches: 1, 0 (not
 * found), -1 (database error). The confirmation page's numbers. */
int location_ties(const struct viewer *v, int64_t id, struct location *l,
    struct location_ties *t);

/*
 * Delete location id as v, in one transaction: id seen by v (else
 * MODEL_NOT_FOUND). Its users lose it and its devices get no location.
 * Logs location_deleted, naming it and what it detached. *gone and *t
 * (the location and its ties) are filled on MODEL_DONE.
 */
enum model_result location_remove(const struct viewer *v, int64_t id,
    struct location *gone, struct location_ties *t);

/*
 * Insert location in->name of customer in->customer_id unchecked, inside
 * v's open write transaction, at v->now, logging nothing: the step of
 * location_save() and of arborctl's demo data. Returns its id, or 0
 * (db_is_constraint(): the customer has a location of that name).
 */
int64_t location_insert(const struct viewer *v,
    const struct location_input *in);

#endif
