/*
 * device.h - devices: the rules and every statement of the Devices tab
 * and /api/v1/devices alike: the list, one device with its customer
 * history, registration and the bulk move between customers.
 *
 * Every read and write takes the viewer and binds its scope, so a device
 * outside the viewer's view is found exactly as often as one that does
 * not exist: never. A filter (customer_id, location_id) outside the scope
 * is "not found" too.
 */
#ifndef ARBOR_DEVICE_H
#define ARBOR_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "rows.h"

struct arena;
struct viewer;

#define DEVICE_UUID_LEN 36
#define DEVICE_MANAGE_MAX 10000	/* ids in one bulk move */

/* A device the viewer sees. */
struct device {
	int64_t id;			/* first: the API's cursor */
	const char *unit_id;
	const char *uuid;		/* the device id */
	const char *name;
	const char *vehicle_name;	/* "" for none */
	const char *vin;		/* NULL for none */
	int64_t customer_id;
	const char *customer;		/* its path below the viewer; NULL
					 * in the API's pages and device_get */
	const char *tree_path;		/* its customer's path of ids */
	int64_t location_id;		/* 0 for none */
	const char *location;		/* NULL for none */
	int64_t registered_at;
};

/* The Devices list's sort keys, the first the default. */
extern const char *const device_sort_keys[];

/*
 * One page of the devices v sees, matching lq (q: unit id, device id or
 * name; customer_id; location_id), as struct device. The plan (the
 * "wide" or the "narrow" statements of sql.h) and the count (the
 * per-customer counters when nothing narrows it) are chosen here. 1, 0
 * when a filter is outside the scope, -1 on a database error.
 */
int device_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* Device id, if v sees it: 1, 0 (not found), -1 (database error). */
int device_get(const struct viewer *v, int64_t id, struct device *d);

/* A move in a device's history, as the viewer may know it. */
struct device_move_entry {
	int64_t at;
	const char *from;	/* the customer's path, or "a customer
				 * outside your view" */
	const char *to;
	const char *by;		/* a username, "an administrator outside
				 * your view" or "unknown" */
};

/* Device id with its customer's path, and its moves newest first in
 * *history (n of them): 1, 0 (not found), -1 (database error). */
int device_detail(const struct viewer *v, int64_t id, struct device *d,
    struct device_move_entry **history, size_t *n);

/*
 * Whether v may edit devices' settings (Device Management), and so
 * which: those v lists through Full Device Access or Account
 * Administrator. An API Developer's reading (perm_may_read) shows
 * devices but lets no other group change them.
 */
bool device_may_edit(const struct viewer *v);

/* Whether v sets the user groups of the devices v lists (their charger
 * scope, seed 004): an Account Administrator, of the account's groups.
 * The edit form's other part, beside device_may_edit()'s. */
bool device_may_scope(const struct viewer *v);

/* Device id as device_detail() reads it, if v may edit either part of
 * it: 1, 0 (not found, or not v's to edit), -1. */
int device_for_edit(const struct viewer *v, int64_t id, struct device *d);

/* A location a device may be put at. */
struct device_location {
	int64_t id;
	const char *label;	/* "Depot (Denmark › Aarhus)" */
};

/* The locations of the customers v sees, in tree order, into *out.
 * Returns how many, or -1 on a database error. */
ssize_t device_locations(const struct viewer *v, struct device_location **out);

/* The locations an edit may put a device of customer customer_id at:
 * that customer's, and for a viewer with locations only theirs, by name.
 * How many, or -1 (a database error, or a customer v does not see). */
ssize_t device_places(const struct viewer *v, int64_t customer_id,
    struct device_location **out);

/* A device as submitted for registration or an edit. */
struct device_input {
	const char *unit_id;		/* never NULL */
	const char *name;		/* never NULL */
	const char *vehicle_name;	/* "" for none */
	const char *vin;		/* "" for none */
	int64_t customer_id;		/* 0: not given, or not an id */
	int64_t location_id;		/* 0: none; -1: given, but not an id */
	/* an edit's user groups (the charger scope, seed 004), when its
	 * form listed them: NULL keeps them */
	const int64_t *user_groups;
	size_t nuser_groups;
};

struct device_errors {
	struct check_error unit_id;
	struct check_error name;
	struct check_error vehicle_name;
	struct check_error vin;
	struct check_error customer_id;
	struct check_error location_id;
	struct check_error user_group;
};

/* The fields of struct device_errors, in the order they are reported. */
extern const struct check_field device_error_fields[];

/* A sentence for the form, or NULL when the value is acceptable. */
const char *device_unit_id_error(const char *unit_id);
const char *device_vin_error(const char *vin);

/*
 * Register a device as v, in one transaction: a unit id of 4 to 32
 * letters, digits, '-' or '_' (400), not registered anywhere yet (409,
 * naming no one); a name of 1 to 200 bytes; a VIN of ISO 3779 if any; a
 * customer v sees (404, like a missing one); a location, if any, that v
 * sees (404) of that customer (400). On MODEL_DONE *id and uuid are the
 * new device's ids; MODEL_INVALID fills *e.
 */
enum model_result device_add(const struct viewer *v,
    const struct device_input *in, struct device_errors *e, int64_t *id,
    char uuid[DEVICE_UUID_LEN + 1]);

/*
 * Edit device id as v, in one transaction, each part only by whom it is
 * for (the other part of in is not read). The settings (device_may_edit):
 * the name, vehicle name and VIN as device_add checks them, and the
 * location: none, or one of the device's customer (400 another
 * customer's, 404 one v does not see); a viewer with locations must
 * keep the device at one of theirs (400), or it would leave their view;
 * a device_updated event names the fields that changed (none: nothing
 * is written). The user groups (device_may_scope, when
 * in->user_groups is not NULL): groups of v's account only (400), set
 * by ugroup_set_for_device(). in->unit_id and in->customer_id are not
 * read: neither is an edit's to change (a move is device_move_many).
 * MODEL_NOT_FOUND for a device outside v's view or not v's to edit.
 */
enum model_result device_update(const struct viewer *v, int64_t id,
    const struct device_input *in, struct device_errors *e);

/*
 * Insert a device unchecked, inside v's open write transaction, at
 * v->now and by v's user (none for arborctl): arborctl's demo and
 * benchmark data. Returns its id, or 0 (db_is_constraint(): the unit id
 * exists). uuid receives the new device id.
 */
int64_t device_insert(const struct viewer *v, const struct device_input *in,
    char uuid[DEVICE_UUID_LEN + 1]);

/* A new random (version 4) UUID. */
void device_uuid_new(char out[DEVICE_UUID_LEN + 1]);

/* Split pasted text into ids: one a line, or separated by commas,
 * semicolons, spaces or tabs; blank entries are skipped. Returns the
 * count (at most max + 1, so the caller can tell "too many"). */
size_t device_split_ids(struct arena *a, const char *text, size_t max,
    const char ***ids);

/* A device a bulk move names, found in the viewer's scope. */
struct device_move_item {
	int64_t id;
	const char *unit_id;
	const char *uuid;
	const char *name;
	int64_t from_id;	/* its customer before the move */
	const char *from;	/* that customer's path below the viewer */
	bool unchanged;		/* already at the target: not moved */
	const char *location;	/* its location, NULL for none */
	bool clears_location;	/* the move clears it: not a location of
				 * the target (a side effect to show) */
};

/*
 * What a bulk move does: each device named once, in the order it was
 * first named; moved counts those not already at the target (what both
 * the page and the API report as moved); missing holds the ids, as
 * given, that name no device in the viewer's scope (unknown and
 * invisible alike).
 */
struct device_move_plan {
	int64_t target;
	const char *target_path;	/* its path below the viewer */
	struct device_move_item *items;
	size_t nitems;
	size_t moved;
	size_t cleared;			/* items with clears_location */
	const char **missing;
	size_t nmissing;
};

struct device_move_errors {
	struct check_error customer_id;	/* 400 none, 404 not in the scope */
	struct check_error ids;		/* 413 more than DEVICE_MANAGE_MAX */
};

/* The fields of struct device_move_errors, in the order they are
 * reported. */
extern const struct check_field device_move_error_fields[];

/*
 * What moving the devices named by keys[0..n) (unit ids or device ids,
 * any case) to customer target as v would do, into *p: the preview of
 * the manage page, and the first step of device_move_many. MODEL_INVALID
 * fills *e: a target v does not see, or more than DEVICE_MANAGE_MAX keys.
 */
enum model_result device_move_preview(const struct viewer *v,
    int64_t target, const char *const *keys, size_t n,
    struct device_move_plan *p, struct device_move_errors *e);

/*
 * Move them, as previewed, in one transaction: each device not already
 * at the target gets it (a location of another customer is cleared) and
 * a line in its history; one devices_moved event says how many (none
 * when nothing moved). Page and API alike; *p is what was done.
 */
enum model_result device_move_many(const struct viewer *v, int64_t target,
    const char *const *keys, size_t n, struct device_move_plan *p,
    struct device_move_errors *e);

#endif
