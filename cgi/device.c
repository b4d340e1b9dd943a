/*
 * device.c - the devices model: the list and its plans, one device and
 * its history, registration, and the bulk move.
 */
#include "device.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "perm.h"
#include "usergroup.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define UNIT_ID_MIN 4
#define UNIT_ID_MAX 32
#define VIN_LEN 17
#define NAME_MAX_BYTES 200

const char *const device_sort_keys[] = { "unit_id", "name", "customer",
    "location", "registered", NULL };
/* per sort key (DEVICE_SORTS, in this order), the statements of its
 * three plans; for a wide scope, the key's own choice */
#define PLAN_ROW_NARROW(X_, KEY, key, wide) \
	{ STMT_DEVICES_##KEY##_ASC_NARROW, STMT_DEVICES_##KEY##_DESC_NARROW },
#define PLAN_ROW_WIDE(X_, KEY, key, wide) \
	{ STMT_DEVICES_##KEY##_ASC_##wide, STMT_DEVICES_##KEY##_DESC_##wide },
#define PLAN_ROW_HITS(X_, KEY, key, wide) \
	{ STMT_DEVICES_##KEY##_ASC_HITS, STMT_DEVICES_##KEY##_DESC_HITS },
static const enum stmt_id plan_narrow[][2] = {
	DEVICE_SORTS(PLAN_ROW_NARROW, _)
};
static const enum stmt_id plan_wide[][2] = {
	DEVICE_SORTS(PLAN_ROW_WIDE, _)
};
static const enum stmt_id plan_hits[][2] = {
	DEVICE_SORTS(PLAN_ROW_HITS, _)
};
#undef PLAN_ROW_NARROW
#undef PLAN_ROW_WIDE
#undef PLAN_ROW_HITS
_Static_assert(NELEM(plan_narrow) == NELEM(device_sort_keys) - 1,
    "a statement per key and plan");

/* ------------------------------------------------------------------
 * Reading devices
 */

/* A row of DEVICE_COLUMNS (sql.h). */
static void
fill_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct device *d = row;

	memset(d, 0, sizeof(*d));
	d->id = db_col_int(s, 0);
	d->unit_id = db_text(a, s, 1);
	d->uuid = db_text(a, s, 2);
	d->name = db_text(a, s, 3);
	d->vehicle_name = db_text(a, s, 4);
	d->vin = db_text_or_null(a, s, 5);
	d->customer_id = db_col_int(s, 6);
	d->location_id = db_col_int(s, 7);
	d->location = db_text_or_null(a, s, 8);
	d->registered_at = db_col_int(s, 9);
	d->tree_path = db_text(a, s, 10);
}

/*
 * Choose the list's plan and count (sql.h): a search with few candidates
 * in the whole table reads just them; otherwise a scope of a third of
 * the devices or more walks the sort key's index, a smaller one its
 * customers' devices. Without a search, a location filter or a location
 * restriction the counters give the count; else it is counted in the
 * plan up to LIST_COUNT_BOUND. 0 or -1.
 */
static int
choose_plan(const struct viewer *v, const struct list_query *lq,
    struct rows_list *l)
{
	int64_t in_scope = 0, table = 0, candidates;
	bool wide;

	if (rows_pair(v, STMT_DEVICES_SHARE, lq, &in_scope, &table) != 0)
		return -1;
	wide = in_scope > 0 && in_scope * 3 >= table;
	l->sorted = wide ? plan_wide : plan_narrow;
	l->keyset = wide ? STMT_DEVICE_API_WIDE : STMT_DEVICE_API_LIST;
	l->count = wide ? STMT_DEVICES_COUNT_WIDE : STMT_DEVICES_COUNT_NARROW;
	if (lq->search == LIST_SEARCH_NONE && lq->location_id == 0 &&
	    v->scope.location_user == 0 && v->scope.devices_visible) {
		l->count = STMT_DEVICES_COUNT_TREE;
		l->count_exact = true;
	}
	if (lq->search == LIST_SEARCH_NONE)
		return 0;
	if ((candidates = rows_candidates(v, STMT_DEVICES_HIT_CANDIDATES,
	    lq)) < 0)
		return -1;
	if (candidates <= LIST_COUNT_BOUND) {
		l->sorted = plan_hits;
		l->keyset = STMT_DEVICE_API_HITS;
		l->count = STMT_DEVICES_COUNT_HITS;
	}
	return 0;
}

/* A search that is exactly one device's unit id or device id, asked as
 * such (not match=any): that device alone, by the unique indexes. 1
 * found (out filled), 0 not, -1 on a database error. */
static int
exact_device(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	static const enum stmt_id exact[][2] = {
		{ STMT_DEVICES_EXACT, STMT_DEVICES_EXACT }
	};
	static const struct rows_list l = { STMT__MAX, true, exact, 1,
	    STMT__MAX, sizeof(struct device), fill_row };
	struct list_query first = *lq;

	if (lq->search == LIST_SEARCH_NONE || lq->any || lq->keyset)
		return 0;
	first.page = 1;
	first.offset = first.after = first.before = 0;
	if (rows_read_list(v, &l, &first, out) != 1)
		return -1;
	if (out->n == 0)
		return 0;
	out->count = (int64_t)out->n;
	out->exact = true;
	return 1;
}

int
device_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	struct rows_list l = { STMT__MAX, false, NULL, NELEM(plan_narrow),
	    STMT__MAX, sizeof(struct device), fill_row };
	struct customer_paths *paths = customer_paths_new(v);
	struct device *d;
	bool mfa;
	size_t i;
	int rc;

	/* a filter outside the scope is "not found" */
	if ((lq->customer_id != 0 &&
	    (rc = perm_sees_customer(v, lq->customer_id)) != 1) ||
	    (lq->location_id != 0 &&
	    (rc = perm_sees_location(v, lq->location_id)) != 1))
		return rc;
	if ((rc = exact_device(v, lq, out)) < 0)
		return -1;
	if (rc == 0 && (choose_plan(v, lq, &l) != 0 ||
	    rows_read_list(v, &l, lq, out) != 1))
		return -1;
	/* after the list's statement is done */
	if (lq->keyset)
		return 1;
	for (i = 0, d = out->rows; i < out->n; i++)
		customer_paths_want(paths, d[i].tree_path);
	if (customer_paths_read(v, paths) != 0)
		return -1;
	for (i = 0; i < out->n; i++)
		d[i].customer = customer_paths_label(v, paths, d[i].tree_path,
		    &mfa);
	return 1;
}

int
device_get(const struct viewer *v, int64_t id, struct device *d)
{
	return rows_read_one(v, STMT_DEVICE_BY_ID, id, fill_row, d);
}

/* A customer's path if v sees it, else a neutral phrase. */
static const char *
customer_or_outside(const struct viewer *v, int64_t id)
{
	return perm_sees_customer(v, id) == 1 ? customer_path_text(v, id) :
	    "a customer outside your view";
}

/* Who did something, as far as v may know: a user outside the scope (an
 * administrator above, an operator) is not named. */
static const char *
actor_name(const struct viewer *v, int64_t user_id)
{
	struct db_stmt *s;
	const char *name = "an administrator outside your view";

	if (user_id == 0)
		return "unknown";
	s = db_stmt(v->db, STMT_USER_NAME_VISIBLE);
	db_bind_int(s, ":id", user_id);
	perm_bind_scope(s, &v->scope);
	if (db_step(v->db, s) == DB_ROW)
		name = db_text(v->arena, s, 0);
	db_reset(s);
	return name;
}

/* A row of DEVICE_HISTORY, before its names are looked up. */
struct move_row {
	int64_t at, from, to, by;
};

/* The moves of device id (in v's scope) into *out; 0 or -1. */
static int
read_moves(const struct viewer *v, int64_t id, struct move_row **out,
    size_t *n)
{
	struct db_stmt *s = db_stmt(v->db, STMT_DEVICE_HISTORY);
	size_t cap = 8;
	struct move_row *m = arena_calloc(v->arena, cap, sizeof(*m)), *more;
	int rc;

	*n = 0;
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (*n == cap) {
			more = arena_calloc(v->arena, 2 * cap, sizeof(*m));
			memcpy(more, m, cap * sizeof(*m));
			m = more;
			cap *= 2;
		}
		m[(*n)++] = (struct move_row){ db_col_int(s, 0),
		    db_col_int(s, 1), db_col_int(s, 2),
		    db_col_int(s, 3) };
	}
	db_reset(s);
	*out = m;
	return rc == DB_DONE ? 0 : -1;
}

int
device_detail(const struct viewer *v, int64_t id, struct device *d,
    struct device_move_entry **history, size_t *n)
{
	struct device_move_entry *h;
	struct move_row *m;
	size_t i, k;
	int rc;

	if ((rc = device_get(v, id, d)) != 1)
		return rc;
	if (read_moves(v, id, &m, &k) != 0)
		return -1;
	/* names after the moves are read: one statement at a time */
	d->customer = customer_path_text(v, d->customer_id);
	h = arena_calloc(v->arena, k + 1, sizeof(*h));
	for (i = 0; i < k; i++) {
		h[i].at = m[i].at;
		h[i].from = customer_or_outside(v, m[i].from);
		h[i].to = customer_or_outside(v, m[i].to);
		h[i].by = actor_name(v, m[i].by);
	}
	*history = h;
	*n = k;
	return 1;
}

/* A row of LOCATIONS_IN_SCOPE: id, name, customer_id. */
struct location_row {
	int64_t id;
	const char *name;
	int64_t customer_id;
};

static void
fill_location(struct db_stmt *s, struct arena *a, void *row)
{
	struct location_row *r = row;

	r->id = db_col_int(s, 0);
	r->name = db_text(a, s, 1);
	r->customer_id = db_col_int(s, 2);
}

/* The locations statement st lists (LOCATIONS_IN_SCOPE, or DEVICE_PLACES
 * of customer_id), labelled with their customer's path when with_path;
 * how many, or -1. */
static ssize_t
read_locations(const struct viewer *v, enum stmt_id st, int64_t customer_id,
    bool with_path, struct device_location **out)
{
	const enum stmt_id all[][2] = { { st, st } };
	const struct rows_list l = { STMT__MAX, false, all, 1, STMT__MAX,
	    sizeof(struct location_row), fill_location };
	struct device_location *list;
	struct location_row *r;
	struct list_query lq;
	struct rows_page p;
	size_t i;

	memset(&lq, 0, sizeof(lq));
	lq.customer_id = customer_id;
	if (rows_read_list(v, &l, &lq, &p) != 1)
		return -1;
	list = arena_calloc(v->arena, p.n + 1, sizeof(*list));
	for (i = 0, r = p.rows; i < p.n; i++) {
		list[i].id = r[i].id;
		list[i].label = with_path ? arena_printf(v->arena, "%s (%s)",
		    r[i].name, customer_path_text(v, r[i].customer_id)) :
		    r[i].name;
	}
	*out = list;
	return (ssize_t)p.n;
}

ssize_t
device_locations(const struct viewer *v, struct device_location **out)
{
	return read_locations(v, STMT_LOCATIONS_IN_SCOPE, 0, true, out);
}

ssize_t
device_places(const struct viewer *v, int64_t customer_id,
    struct device_location **out)
{
	return read_locations(v, STMT_DEVICE_PLACES, customer_id, false, out);
}

/* ------------------------------------------------------------------
 * Registering devices
 */

const char *
device_unit_id_error(const char *unit_id)
{
	size_t n = unit_id ? strlen(unit_id) : 0, i;

	if (n < UNIT_ID_MIN || n > UNIT_ID_MAX)
		return "A unit id has 4 to 32 characters.";
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)unit_id[i]) &&
		    unit_id[i] != '-' && unit_id[i] != '_')
			return "A unit id has only letters, digits, '-' and "
			    "'_'.";
	return NULL;
}

const char *
device_vin_error(const char *vin)
{
	size_t i;

	if (strlen(vin) != VIN_LEN)
		return "A VIN has exactly 17 characters.";
	for (i = 0; i < VIN_LEN; i++) {
		/* ISO 3779: capital letters and digits, never I, O or Q */
		if (!isdigit((unsigned char)vin[i]) &&
		    !(vin[i] >= 'A' && vin[i] <= 'Z'))
			return "A VIN has only capital letters and digits.";
		if (vin[i] == 'I' || vin[i] == 'O' || vin[i] == 'Q')
			return "A VIN never contains I, O or Q.";
	}
	return NULL;
}

#define FIELD(m) CHECK_FIELD(struct device_errors, m, #m, #m)
const struct check_field device_error_fields[] = {
	FIELD(unit_id), FIELD(name), FIELD(vehicle_name), FIELD(vin),
	FIELD(customer_id), FIELD(location_id),
	{ "user_group", "user_groups", offsetof(struct device_errors,
	    user_group) }, { NULL, NULL, 0 }
};
#undef FIELD

/* Record msg (if not NULL) as a 400 of e. */
static void
fail_if(struct check_error *e, const char *msg)
{
	if (msg != NULL)
		check_fail(e, 400, msg);
}

/* The location rule: none, or one v sees (404, like a missing one) of
 * the customer. 0 or -1. */
static int
check_location(const struct viewer *v, const struct device_input *in,
    struct device_errors *e)
{
	int rc = in->location_id > 0 ?
	    perm_sees_location(v, in->location_id) : 0;
	struct db_stmt *s;

	if (rc < 0)
		return -1;
	if (in->location_id == 0)
		return 0;
	if (rc == 0) {	/* or not an id at all */
		check_fail(&e->location_id, in->location_id > 0 ? 404 : 400,
		    "Choose a location from the list.");
		return 0;
	}
	if (e->customer_id.msg != NULL)
		return 0;
	s = db_stmt(v->db, STMT_LOCATION_OF_CUSTOMER);
	db_bind_int(s, ":id", in->location_id);
	db_bind_int(s, ":customer_id", in->customer_id);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	db_reset(s);
	if (rc == DB_DONE)
		check_fail(&e->location_id, 400, "That location belongs to "
		    "another customer.");
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* The rules of what registering and editing both set: name, vehicle
 * name, VIN. */
static void
check_details(const struct device_input *in, struct device_errors *e)
{
	size_t name = strlen(in->name);

	if (name < 1 || name > NAME_MAX_BYTES)
		check_fail(&e->name, 400, "Give the device a name of 1 to 200 "
		    "characters.");
	if (strlen(in->vehicle_name) > NAME_MAX_BYTES)
		check_fail(&e->vehicle_name, 400, "At most 200 characters.");
	if (*in->vin != '\0')
		fail_if(&e->vin, device_vin_error(in->vin));
}

/* The rules of the fields; -1 on a database error. */
static int
check_input(const struct viewer *v, const struct device_input *in,
    struct device_errors *e)
{
	int rc;

	memset(e, 0, sizeof(*e));
	fail_if(&e->unit_id, device_unit_id_error(in->unit_id));
	check_details(in, e);
	if (in->customer_id == 0) {
		check_fail(&e->customer_id, 400, "Choose a customer from the "
		    "list.");
	} else if ((rc = perm_sees_customer(v, in->customer_id)) != 1) {
		if (rc < 0)
			return -1;
		check_fail(&e->customer_id, 404, "Choose a customer from the "
		    "list.");
	}
	return check_location(v, in, e);
}

void
device_uuid_new(char out[DEVICE_UUID_LEN + 1])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, DEVICE_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

/* Bind v's user as :name, NULL for nobody (arborctl acting as itself). */
static void
bind_actor(struct db_stmt *s, const char *name, const struct viewer *v)
{
	if (perm_actor(v) != 0)
		db_bind_int(s, name, perm_actor(v));
	else
		db_bind_null(s, name);
}

int64_t
device_insert(const struct viewer *v, const struct device_input *in,
    char uuid[DEVICE_UUID_LEN + 1])
{
	struct db_stmt *s = db_stmt(v->db, STMT_DEVICE_INSERT);

	device_uuid_new(uuid);
	db_bind_text(s, ":unit_id", in->unit_id);
	db_bind_text(s, ":uuid", uuid);
	db_bind_text(s, ":name", in->name);
	db_bind_text(s, ":vehicle_name", in->vehicle_name);
	db_bind_text(s, ":vin", *in->vin != '\0' ? in->vin : NULL);
	db_bind_int(s, ":customer_id", in->customer_id);
	if (in->location_id > 0)
		db_bind_int(s, ":location_id", in->location_id);
	else
		db_bind_null(s, ":location_id");
	db_bind_int(s, ":now", v->now);
	bind_actor(s, ":user_id", v);
	return db_exec(v->db, s) == 0 ? db_last_id(v->db) : 0;
}

enum model_result
device_add(const struct viewer *v, const struct device_input *in,
    struct device_errors *e, int64_t *id, char uuid[DEVICE_UUID_LEN + 1])
{
	memset(e, 0, sizeof(*e));
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (check_input(v, in, e) < 0)
		goto fail;
	if (check_count(e, device_error_fields) == 0 &&
	    (*id = device_insert(v, in, uuid)) == 0) {
		if (!db_is_constraint(v->db))
			goto fail;
		/* says nothing about who holds it: it may be another
		 * account */
		check_fail(&e->unit_id, 409, "A device with this unit id is "
		    "already registered.");
		/* the guard reads in a new transaction: PostgreSQL refuses
		 * every statement after the failed INSERT in this one,
		 * which wrote nothing */
		db_rollback(v->db);
		if (db_begin(v->db) != 0)
			return MODEL_FAILED;
	}
	/* which the guard rate-limits per address */
	return guard_finish(v, false, e, device_error_fields);
fail:
	return db_finish(v->db, true, NULL, NULL);
}

/* ------------------------------------------------------------------
 * Editing devices
 */

/*
 * A viewer with locations sees only the devices at them: an edit that
 * put a device at none, or at another location, would take it out of
 * their view, so the location must be one of theirs. 0 or -1.
 */
static int
check_own_location(const struct viewer *v, const struct device_input *in,
    struct device_errors *e)
{
	struct db_stmt *s;
	int rc;

	if (v->scope.location_user == 0 || e->location_id.msg != NULL)
		return 0;
	if (in->location_id > 0) {
		s = db_stmt(v->db, STMT_USER_HAS_LOCATION);
		db_bind_int(s, ":user_id", v->scope.location_user);
		db_bind_int(s, ":id", in->location_id);
		rc = db_step(v->db, s);
		db_reset(s);
		if (rc == DB_ROW)
			return 0;
		if (rc != DB_DONE)
			return -1;
	}
	check_fail(&e->location_id, 400, "You see only the devices at your "
	    "locations: choose one of them.");
	return 0;
}

/* The words of an edit's event: what changed of cur ("name, location"). */
static const char *
changed_fields(struct arena *a, const struct device *cur,
    const struct device_input *in)
{
	const char *vin = cur->vin != NULL ? cur->vin : "";
	const char *out = "";

	if (strcmp(cur->name, in->name) != 0)
		out = "name";
	if (strcmp(cur->vehicle_name, in->vehicle_name) != 0)
		out = arena_printf(a, "%s%svehicle name", out, *out ? ", " : "");
	if (strcmp(vin, in->vin) != 0)
		out = arena_printf(a, "%s%sVIN", out, *out ? ", " : "");
	if (cur->location_id != in->location_id)
		out = arena_printf(a, "%s%slocation", out, *out ? ", " : "");
	return out;
}

bool
device_may_edit(const struct viewer *v)
{
	return perm_allows(v, ACT_DEVICES_REGISTER) &&
	    perm_allows(v, ACT_DEVICES_LIST);
}

bool
device_may_scope(const struct viewer *v)
{
	return ugroup_sets_on_forms(v) && perm_allows(v, ACT_DEVICES_LIST);
}

int
device_for_edit(const struct viewer *v, int64_t id, struct device *d)
{
	struct device_move_entry *history;
	size_t n;

	if (!device_may_edit(v) && !device_may_scope(v))
		return 0;
	return device_detail(v, id, d, &history, &n);
}

enum model_result
device_update(const struct viewer *v, int64_t id,
    const struct device_input *in, struct device_errors *e)
{
	struct device_input x = *in;
	bool settings = device_may_edit(v);
	bool scope = device_may_scope(v) && in->user_groups != NULL;
	struct device cur;
	const char *what = "";
	struct db_stmt *s;
	bool failed = false;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!settings && !device_may_scope(v))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = device_get(v, id, &cur)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	if (settings) {
		/* the unit id and the customer are not an edit's to change */
		x.unit_id = cur.unit_id;
		x.customer_id = cur.customer_id;
		check_details(&x, e);
		failed = check_location(v, &x, e) < 0 ||
		    check_own_location(v, &x, e) < 0;
		what = changed_fields(v->arena, &cur, &x);
	}
	if (!failed && scope) {
		if ((rc = ugroup_settable(v, in->user_groups,
		    in->nuser_groups)) < 0)
			failed = true;
		else if (rc == 0)
			check_fail(&e->user_group, 400, "Choose user groups of "
			    "your account from the list.");
	}
	if (!failed && check_count(e, device_error_fields) == 0 &&
	    *what != '\0') {
		s = db_stmt(v->db, STMT_DEVICE_UPDATE);
		db_bind_text(s, ":name", x.name);
		db_bind_text(s, ":vehicle_name", x.vehicle_name);
		db_bind_text(s, ":vin", *x.vin != '\0' ? x.vin : NULL);
		if (x.location_id > 0)
			db_bind_int(s, ":location_id", x.location_id);
		else
			db_bind_null(s, ":location_id");
		db_bind_int(s, ":id", id);
		perm_bind_scope(s, &v->scope);
		failed = db_exec(v->db, s) != 0 || db_changes(v->db) != 1;
		if (!failed)
			event_log(v, "device_updated", 0, perm_actor(v),
			    arena_printf(v->arena, "device %s: %s",
			    cur.unit_id, what));
	}
	if (!failed && scope && check_count(e, device_error_fields) == 0)
		failed = ugroup_set_for_device(v, id, cur.unit_id,
		    in->user_groups, in->nuser_groups) != 0;
	return db_finish(v->db, failed, e, device_error_fields);
}

/* ------------------------------------------------------------------
 * Moving devices
 */

size_t
device_split_ids(struct arena *a, const char *text, size_t max,
    const char ***ids)
{
	const char **v = arena_calloc(a, max + 1, sizeof(*v));
	const char *p = text ? text : "", *start;
	size_t n = 0;

	while (*p != '\0' && n <= max) {
		while (*p != '\0' && strchr(",; \t\r\n", *p) != NULL)
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && strchr(",; \t\r\n", *p) == NULL)
			p++;
		v[n++] = arena_strndup(a, start, (size_t)(p - start));
	}
	*ids = v;
	return n;
}

/* Whether s has the 8-4-4-4-12 hex form of a UUID. */
static bool
looks_like_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != DEVICE_UUID_LEN)
		return false;
	for (i = 0; i < DEVICE_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* Find key (a unit id, or a device id in UUID form) in v's scope: 1, 0
 * (no such device in the scope), -1. */
static int
find_device(const struct viewer *v, const char *key, struct device *d)
{
	bool uuid = looks_like_uuid(key);
	struct db_stmt *s = db_stmt(v->db, uuid ? STMT_DEVICE_BY_UUID :
	    STMT_DEVICE_BY_UNIT);
	char *lower = NULL;
	size_t i;
	int rc;

	if (uuid) {	/* stored lower-case; people paste either */
		lower = arena_strdup(v->arena, key);
		for (i = 0; lower[i] != '\0'; i++)
			lower[i] = (char)tolower((unsigned char)lower[i]);
	}
	db_bind_text(s, ":key", uuid ? lower : key);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		fill_row(s, v->arena, d);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* An item's key and place, to sort items by a key and keep their order
 * among equal keys. */
struct keyed {
	int64_t key;
	size_t pos;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The items sorted by key (their device id when by_device, else their
 * customer's), in a's memory. */
static struct keyed *
sorted_items(struct arena *a, const struct device_move_plan *p,
    bool by_device)
{
	struct keyed *k = arena_calloc(a, p->nitems + 1, sizeof(*k));
	size_t i;

	for (i = 0; i < p->nitems; i++)
		k[i] = (struct keyed){ by_device ? p->items[i].id :
		    p->items[i].from_id, i };
	qsort(k, p->nitems, sizeof(*k), keyed_cmp);
	return k;
}

/* Keep the first of the items that name the same device (pasted twice,
 * or by unit id and device id: moved once). */
static void
drop_repeats(struct arena *a, struct device_move_plan *p)
{
	struct keyed *k = sorted_items(a, p, true);
	bool *repeat = arena_calloc(a, p->nitems + 1, sizeof(*repeat));
	size_t i, n = 0;

	for (i = 1; i < p->nitems; i++)
		repeat[k[i].pos] = k[i].key == k[i - 1].key;
	for (i = 0; i < p->nitems; i++)
		if (!repeat[i])
			p->items[n++] = p->items[i];
	p->nitems = n;
}

/* Each item's customer path, looked up once per customer. */
static void
set_paths(const struct viewer *v, struct device_move_plan *p)
{
	struct keyed *k = sorted_items(v->arena, p, false);
	const char *path = NULL;
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		if (i == 0 || k[i].key != k[i - 1].key)
			path = customer_path_text(v, k[i].key);
		p->items[k[i].pos].from = path;
	}
	p->target_path = customer_path_text(v, p->target);
}

#define MOVE_FIELD(m) CHECK_FIELD(struct device_move_errors, m, #m, #m)
const struct check_field device_move_error_fields[] = {
	MOVE_FIELD(customer_id), MOVE_FIELD(ids), { NULL, NULL, 0 }
};
#undef MOVE_FIELD

/* The target and the number of keys; -1 on a database error. */
static int
check_move(const struct viewer *v, int64_t target, size_t n,
    struct device_move_errors *e)
{
	int rc = target != 0 ? perm_sees_customer(v, target) : 0;

	memset(e, 0, sizeof(*e));
	if (rc < 0)
		return -1;
	if (rc == 0)
		check_fail(&e->customer_id, target != 0 ? 404 : 400,
		    "Choose the customer the devices go to.");
	if (n > DEVICE_MANAGE_MAX)
		check_fail(&e->ids, 413, "At most 10000 devices can be moved "
		    "at once.");
	return 0;
}

/* Whether moving item to target clears its location (DEVICE_MOVE keeps
 * only a location of the target): 1, 0 or -1. */
static int
clears_location(const struct viewer *v, const struct device_move_item *it,
    int64_t location_id, int64_t target)
{
	struct db_stmt *s;
	int rc;

	if (it->unchanged || location_id == 0)
		return 0;
	s = db_stmt(v->db, STMT_LOCATION_OF_CUSTOMER);
	db_bind_int(s, ":id", location_id);
	db_bind_int(s, ":customer_id", target);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	db_reset(s);
	return rc == DB_DONE ? 1 : rc == DB_ROW ? 0 : -1;
}

enum model_result
device_move_preview(const struct viewer *v, int64_t target,
    const char *const *keys, size_t n, struct device_move_plan *p,
    struct device_move_errors *e)
{
	struct device_move_item *it;
	struct device d;
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	p->target = target;
	if (check_move(v, target, n, e) < 0)
		return MODEL_FAILED;
	if (check_count(e, device_move_error_fields) > 0)
		return MODEL_INVALID;
	p->items = arena_calloc(v->arena, n + 1, sizeof(*p->items));
	p->missing = arena_calloc(v->arena, n + 1, sizeof(*p->missing));
	for (i = 0; i < n; i++) {
		if ((rc = find_device(v, keys[i], &d)) < 0)
			return MODEL_FAILED;
		if (rc == 0) {
			p->missing[p->nmissing++] = keys[i];
			continue;
		}
		it = &p->items[p->nitems++];
		*it = (struct device_move_item){ d.id, d.unit_id, d.uuid,
		    d.name, d.customer_id, NULL, d.customer_id == target,
		    d.location, false };
		if ((rc = clears_location(v, it, d.location_id, target)) < 0)
			return MODEL_FAILED;
		it->clears_location = rc == 1;
	}
	drop_repeats(v->arena, p);
	for (i = 0; i < p->nitems; i++) {
		p->moved += !p->items[i].unchanged;
		p->cleared += p->items[i].clears_location;
	}
	set_paths(v, p);
	return MODEL_DONE;
}

/* Move one device to p->target and record it (v's transaction). */
static int
move_one(const struct viewer *v, const struct device_move_item *it,
    int64_t target)
{
	struct db_stmt *s = db_stmt(v->db, STMT_DEVICE_MOVE);

	db_bind_int(s, ":customer_id", target);
	db_bind_int(s, ":id", it->id);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0 || db_changes(v->db) != 1)
		return -1;	/* no change: found in the scope, so a race */
	s = db_stmt(v->db, STMT_DEVICE_MOVE_LOG);
	db_bind_int(s, ":id", it->id);
	db_bind_int(s, ":from_id", it->from_id);
	db_bind_int(s, ":to_id", target);
	bind_actor(s, ":user_id", v);
	db_bind_int(s, ":now", v->now);
	return db_exec(v->db, s);
}

enum model_result
device_move_many(const struct viewer *v, int64_t target,
    const char *const *keys, size_t n, struct device_move_plan *p,
    struct device_move_errors *e)
{
	enum model_result rc;
	size_t i;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = device_move_preview(v, target, keys, n, p, e)) !=
	    MODEL_DONE) {
		db_rollback(v->db);
		return rc;
	}
	for (i = 0; i < p->nitems; i++)
		if (!p->items[i].unchanged &&
		    move_one(v, &p->items[i], target) != 0)
			goto fail;
	/* the log records changes: a move of devices all already at the
	 * target (or unknown) changed nothing */
	if (p->moved > 0)
		event_log(v, "devices_moved", 0, perm_actor(v), arena_printf(
		    v->arena, "%zu devices to customer %lld", p->moved,
		    (long long)target));
	return db_finish(v->db, false, NULL, NULL);
fail:
	return db_finish(v->db, true, NULL, NULL);
}
