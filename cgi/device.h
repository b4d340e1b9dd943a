/*
 * device.h - devices: checking their fields, registering them, finding
 * them by the ids people paste, and moving them between customers.
 *
 * Every lookup goes through the scoped statements of sql.h with the
 * caller's struct scope, so a device outside the user's view is found
 * exactly as often as one that does not exist: never.
 */
#ifndef ARBOR_DEVICE_H
#define ARBOR_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct scope;

#define DEVICE_UUID_LEN 36
#define DEVICE_MANAGE_MAX 10000	/* ids in one bulk move */

struct device_fields {
	const char *unit_id;
	const char *name;
	const char *vehicle_name;	/* "" for none */
	const char *vin;		/* NULL for none */
	int64_t customer_id;
	int64_t location_id;		/* 0 for none */
};

/*
 * Whether the scope holds so much of the tree (a third of the customers
 * or more) that walking all devices in index order beats collecting the
 * scope's devices and sorting them: the "wide" plans of sql.h.
 */
bool device_scope_wide(struct db *db, const struct scope *sc);

/* A sentence for the form, or NULL when the value is acceptable. */
const char *device_unit_id_error(const char *unit_id);
const char *device_vin_error(const char *vin);

/* What is wrong with each field of a new device (NULL: nothing). */
struct device_errors {
	const char *unit_id;
	const char *name;
	const char *vehicle_name;
	const char *vin;
	const char *customer_id;
	const char *location_id;
};

/*
 * Check a new device for the pages and the API alike: the fields' rules,
 * the customer in the scope sc, the location of that customer. Returns
 * the number of fields in error (0: register it). f->vin "" means none.
 */
int device_validate(struct db *db, const struct scope *sc,
    const struct device_fields *f, struct device_errors *e);

/* A new random (version 4) UUID. */
void device_uuid_new(char out[DEVICE_UUID_LEN + 1]);

/*
 * Insert a device inside the caller's write transaction (user_id 0: not
 * registered by a user, e.g. demo data). Returns its id,
 * or 0 (db_is_constraint(): the unit id exists). uuid receives the new
 * device id.
 */
int64_t device_register(struct db *db, int64_t now, int64_t user_id,
    const struct device_fields *f, char uuid[DEVICE_UUID_LEN + 1]);

enum device_add_result {
	DEVICE_ADDED,
	DEVICE_DUPLICATE,	/* the unit id is registered (anywhere) */
	DEVICE_ADD_FAILED	/* a database error; nothing changed */
};

/*
 * Register a checked device in a transaction of its own, for the page and
 * the API alike. *id and uuid receive the new device's ids.
 */
enum device_add_result device_add(struct db *db, int64_t now,
    int64_t user_id, const struct device_fields *f, int64_t *id,
    char uuid[DEVICE_UUID_LEN + 1]);

/* A device as found in the scope. */
struct device_ref {
	int64_t id;
	const char *unit_id;
	const char *uuid;
	const char *name;
	int64_t customer_id;
};

/* Find key (a unit id, or a device id in UUID form) in the scope.
 * 0, or -1 when there is no such device in the scope. */
int device_find(struct db *db, struct arena *a, const struct scope *sc,
    const char *key, struct device_ref *out);

/* Split pasted text into ids: one a line, or separated by commas,
 * semicolons, spaces or tabs; blank entries are skipped. Returns the
 * count (at most max + 1, so the caller can tell "too many"). */
size_t device_split_ids(struct arena *a, const char *text, size_t max,
    const char ***ids);

/* Move a device to customer to and record the move (caller's
 * transaction). A location of another customer is cleared. 0 or -1. */
int device_move(struct db *db, int64_t now, int64_t user_id,
    const struct device_ref *d, int64_t to);

#endif
