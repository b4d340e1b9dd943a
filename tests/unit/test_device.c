/*
 * test_device.c - the devices model: field rules, pasted id lists, and,
 * against a fresh database per test, the list in each viewer's scope,
 * registration, the bulk move and the history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "device.h"
#include "perm.h"
#include "user.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_unit_id_rules(void **state)
{
	static const struct {
		const char *unit_id;
		bool ok;
	} cases[] = {
		{ "ABCD", true }, { "357207051234567", true },
		{ "unit_01-x", true }, { "ABC", false }, { "", false },
		{ "A23456789012345678901234567890123", false },	/* 33 */
		{ "A2345678901234567890123456789012", true },	/* 32 */
		{ "has space", false }, { "semi;colon", false },
		{ "\xc3\xa6\xc3\xb8\xc3\xa5x", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if ((device_unit_id_error(cases[i].unit_id) == NULL) !=
		    cases[i].ok)
			fail_msg("unit id \"%s\"", cases[i].unit_id);
	assert_non_null(device_unit_id_error(NULL));
}

static void
test_vin_rules(void **state)
{
	static const struct {
		const char *vin;
		bool ok;
	} cases[] = {
		{ "1HGCM82633A004352", true }, { "WVWZZZ1JZXW000001", true },
		{ "1HGCM82633A00435", false },	/* 16 */
		{ "1HGCM82633A0043521", false },	/* 18 */
		{ "1HGCM82633A00435I", false }, { "1HGCM82633A00435O", false },
		{ "1HGCM82633A00435Q", false }, { "1hgcm82633a004352", false },
		{ "1HGCM82633A00435-", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if ((device_vin_error(cases[i].vin) == NULL) != cases[i].ok)
			fail_msg("VIN \"%s\"", cases[i].vin);
}

static void
test_uuid_v4(void **state)
{
	char a[DEVICE_UUID_LEN + 1], b[DEVICE_UUID_LEN + 1];

	(void)state;
	device_uuid_new(a);
	device_uuid_new(b);
	assert_int_equal(strlen(a), DEVICE_UUID_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(a[8], '-');
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static void
test_split_ids(void **state)
{
	struct arena *a = arena_new();
	const char **ids;
	size_t n;

	(void)state;
	n = device_split_ids(a, "A1\n\n B2 ,C3;D4\tE5\r\nF6,,\n", 100, &ids);
	assert_int_equal(n, 6);
	assert_string_equal(ids[0], "A1");
	assert_string_equal(ids[1], "B2");
	assert_string_equal(ids[4], "E5");
	assert_string_equal(ids[5], "F6");
	assert_int_equal(device_split_ids(a, "", 100, &ids), 0);
	assert_int_equal(device_split_ids(a, NULL, 100, &ids), 0);
	assert_int_equal(device_split_ids(a, " ,;\n\t", 100, &ids), 0);
	/* one more than the limit is reported, no more */
	assert_int_equal(device_split_ids(a, "a b c d e", 3, &ids), 4);
	arena_free(a);
}

/* ------------------------------------------------------------------
 * The model against a database: Fleet (1) with Denmark (2) and Aarhus
 * (3) below it, and Sweden (4); another account (5). Six devices, one a
 * customer; Aarhus has two locations, Sweden one.
 */

static const char fixture[] =
    "INSERT INTO customers (id, parent_id, path, depth, name, email, "
    "owner_email, country, created_at, updated_at) VALUES "
    "(1, NULL, '/1/', 0, 'Fleet', 'f@x.example', 'f@x.example', 'DK', 0, 0),"
    "(2, 1, '/1/2/', 1, 'Denmark', 'd@x.example', NULL, 'DK', 0, 0),"
    "(3, 2, '/1/2/3/', 2, 'Aarhus', 'a@x.example', NULL, 'DK', 0, 0),"
    "(4, 1, '/1/4/', 1, 'Sweden', 's@x.example', NULL, 'SE', 0, 0),"
    "(5, NULL, '/5/', 0, 'Other', 'o@x.example', 'o@x.example', 'US', 0, 0);"
    "INSERT INTO locations (id, customer_id, name, created_at, updated_at) "
    "VALUES (1, 3, 'Depot', 0, 0), (2, 3, 'Harbour', 0, 0), "
    "(3, 4, 'Hub', 0, 0);"
    "INSERT INTO users (id, customer_id, email, username, groups, "
    "created_at, updated_at) VALUES (1, 1, 'admin@x.example', 'admin', 63, "
    "0, 0), (2, 2, 'dk@x.example', 'dk', 10, 0, 0), (3, 3, "
    "'loc@x.example', 'loc', 2, 0, 0), (4, 2, 'dm@x.example', 'dm', 4, 0, "
    "0);"
    "INSERT INTO user_locations VALUES (3, 1);"
    "INSERT INTO devices (id, unit_id, device_uuid, name, customer_id, "
    "location_id, registered_at) VALUES "
    "(1, 'HQ-1', '00000000-0000-4000-8000-000000000001', 'HQ', 1, NULL, 1),"
    "(2, 'DK-1', '00000000-0000-4000-8000-000000000002', 'DK', 2, NULL, 2),"
    "(3, 'AA-1', '00000000-0000-4000-8000-000000000003', 'AA one', 3, 1, 3),"
    "(4, 'AA-2', '00000000-0000-4000-8000-000000000004', 'AA two', 3, 2, 4),"
    "(5, 'SE-1', '00000000-0000-4000-8000-000000000005', 'SE', 4, 3, 5),"
    "(6, 'OT-1', '00000000-0000-4000-8000-000000000006', 'OT', 5, NULL, 6);";

/* The users of the fixture, as the gate would load them. */
enum who { ADMIN, DK, LOC, DM, NWHO };
static const struct {
	int64_t id, customer_id;
	const char *path;
	unsigned groups;
	bool has_locations;
} people[NWHO] = {
	[ADMIN] = { 1, 1, "/1/", GROUP_ALL, false },
	[DK] = { 2, 2, "/1/2/", GROUP_FULL_DEVICE_ACCESS |
	    GROUP_NESTED_CUSTOMER_ADMIN, false },
	[LOC] = { 3, 3, "/1/2/3/", GROUP_FULL_DEVICE_ACCESS, true },
	[DM] = { 4, 2, "/1/2/", GROUP_DEVICE_MANAGEMENT, false },
};

struct world {
	char dir[64];
	char path[96];
	struct app app;
	struct arena *arena;
	struct user users[NWHO];
	struct viewer v[NWHO];
};

static int
world_up(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char err[256];
	size_t i;

	if (w == NULL)
		return -1;
	snprintf(w->dir, sizeof(w->dir), "/tmp/arbor-device-XXXXXX");
	if (mkdtemp(w->dir) == NULL)
		return -1;
	snprintf(w->path, sizeof(w->path), "%s/arbor.db", w->dir);
	if (db_open(&w->app.db, w->path, DB_INIT, err, sizeof(err)) != 0 ||
	    db_init_schema(&w->app.db, schema_sql, err, sizeof(err)) != 0 ||
	    sqlite3_exec(w->app.db.conn, fixture, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "fixture: %s %s\n", err,
		    sqlite3_errmsg(w->app.db.conn));
		return -1;
	}
	db_close(&w->app.db);
	if (db_open(&w->app.db, w->path, DB_SERVE, err, sizeof(err)) != 0)
		return -1;
	w->arena = arena_new();
	for (i = 0; i < NWHO; i++) {
		w->users[i].id = people[i].id;
		w->users[i].customer_id = people[i].customer_id;
		w->users[i].customer_path = people[i].path;
		w->users[i].groups = people[i].groups;
		w->users[i].has_locations = people[i].has_locations;
		w->users[i].username = "x";
		perm_viewer(&w->v[i], &w->app, w->arena, 1000, ORIGIN_PAGE,
		    "127.0.0.1", &w->users[i]);
	}
	*state = w;
	return 0;
}

static int
world_down(void **state)
{
	struct world *w = *state;
	char file[128];
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	size_t i;

	db_close(&w->app.db);
	for (i = 0; i < NELEM(suffixes); i++) {
		snprintf(file, sizeof(file), "%s%s", w->path, suffixes[i]);
		unlink(file);
	}
	rmdir(w->dir);
	arena_free(w->arena);
	free(w);
	return 0;
}

/* One number from the database. */
static int64_t
number(struct world *w, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	if (sqlite3_prepare_v2(w->app.db.conn, sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A list query as the pages read it, sorted by key. */
static struct list_query
query(struct arena *a, const char *q, int64_t customer_id,
    int64_t location_id, size_t sort, bool desc)
{
	struct list_query lq;

	memset(&lq, 0, sizeof(lq));
	lq.q = q;
	lq.like = rows_like(a, q);
	lq.page = 1;
	lq.sort = sort;
	lq.desc = desc;
	lq.customer_id = customer_id;
	lq.location_id = location_id;
	lq.limit = LIST_PAGE_SIZE;
	return lq;
}

/* Who sees how many devices, with which filter; a filter outside the
 * scope (or missing) is "not found", whatever the plan and sort. */
static void
test_list_scope(void **state)
{
	static const struct {
		enum who who;
		const char *q;
		int64_t customer_id, location_id;
		int rc;
		int64_t count;
	} cases[] = {
		{ ADMIN, "", 0, 0, 1, 5 },	/* never another account */
		{ DK, "", 0, 0, 1, 3 },
		{ LOC, "", 0, 0, 1, 1 },	/* only at the own location */
		{ DM, "", 0, 0, 1, 0 },		/* no device access */
		{ DK, "AA", 0, 0, 1, 2 },
		{ DK, "", 3, 0, 1, 2 },
		{ DK, "", 0, 2, 1, 1 },
		{ ADMIN, "", 4, 0, 1, 1 },
		{ DK, "", 4, 0, 0, 0 },		/* a sibling */
		{ DK, "", 1, 0, 0, 0 },		/* the parent */
		{ DK, "", 5, 0, 0, 0 },		/* another account */
		{ DK, "", 99, 0, 0, 0 },	/* missing */
		{ DK, "", 0, 3, 0, 0 },		/* a sibling's location */
		{ DK, "", 0, 99, 0, 0 },
		{ LOC, "", 2, 0, 0, 0 },
	};
	struct world *w = *state;
	struct list_query lq;
	struct rows_page p;
	size_t i, sort;
	int dir, rc;

	for (i = 0; i < NELEM(cases); i++)
		for (sort = 0; device_sort_keys[sort] != NULL; sort++)
			for (dir = 0; dir < 2; dir++) {
				lq = query(w->arena, cases[i].q,
				    cases[i].customer_id,
				    cases[i].location_id, sort, dir);
				rc = device_list(&w->v[cases[i].who], &lq, &p);
				if (rc != cases[i].rc || (rc == 1 &&
				    (p.count != cases[i].count ||
				    (int64_t)p.n != cases[i].count)))
					fail_msg("case %zu sort %zu: rc %d, "
					    "count %lld, rows %zu", i, sort,
					    rc, (long long)p.count, p.n);
			}
}

/* The API's pages: by id, after the cursor, not counted. */
static void
test_list_keyset(void **state)
{
	struct world *w = *state;
	struct list_query lq = query(w->arena, "", 0, 0, 0, false);
	struct rows_page p;
	struct device *d;

	lq.keyset = true;
	lq.limit = 2;
	assert_int_equal(device_list(&w->v[DK], &lq, &p), 1);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.count, -1);
	d = p.rows;
	assert_int_equal(d[0].id, 2);
	assert_int_equal(d[1].id, 3);
	assert_null(d[1].customer);
	lq.after = d[1].id;
	assert_int_equal(device_list(&w->v[DK], &lq, &p), 1);
	assert_int_equal(p.n, 1);
	assert_int_equal(((struct device *)p.rows)[0].id, 4);
	lq.customer_id = 4;
	assert_int_equal(device_list(&w->v[DK], &lq, &p), 0);
}

static void
test_get_scope(void **state)
{
	static const struct {
		enum who who;
		int64_t id;
		int rc;
	} cases[] = {
		{ ADMIN, 1, 1 }, { ADMIN, 6, 0 }, { DK, 3, 1 }, { DK, 1, 0 },
		{ DK, 5, 0 }, { DK, 99, 0 }, { LOC, 3, 1 }, { LOC, 4, 0 },
		{ DM, 2, 0 },
	};
	struct world *w = *state;
	struct device d;
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		if (device_get(&w->v[cases[i].who], cases[i].id, &d) !=
		    cases[i].rc)
			fail_msg("case %zu", i);
	assert_int_equal(device_get(&w->v[DK], 3, &d), 1);
	assert_string_equal(d.unit_id, "AA-1");
	assert_string_equal(d.location, "Depot");
	assert_null(d.vin);
}

/* A pasted list: a device already there, one named three ways, one of a
 * sibling and an unknown id. The preview and the move count the same. */
static void
test_move_counts(void **state)
{
	static const char *const keys[] = { "DK-1", "AA-1", "dk-1",
	    "00000000-0000-4000-8000-000000000002", "SE-1", "NOPE" };
	struct world *w = *state;
	struct device_move_errors e;
	struct device_move_plan p, q;

	assert_int_equal(device_move_preview(&w->v[DK], 3, keys,
	    NELEM(keys), &p, &e), MODEL_DONE);
	assert_int_equal(p.nitems, 2);
	assert_int_equal(p.moved, 1);
	assert_string_equal(p.items[0].unit_id, "DK-1");
	assert_false(p.items[0].unchanged);
	assert_string_equal(p.items[0].from, "Denmark");
	assert_true(p.items[1].unchanged);
	assert_int_equal(p.nmissing, 2);
	assert_string_equal(p.missing[0], "SE-1");
	assert_string_equal(p.missing[1], "NOPE");
	assert_string_equal(p.target_path, "Denmark \xe2\x80\xba Aarhus");
	assert_int_equal(number(w, "SELECT customer_id FROM devices WHERE "
	    "id = 2"), 2);

	assert_int_equal(device_move_many(&w->v[DK], 3, keys, NELEM(keys),
	    &q, &e), MODEL_DONE);
	assert_int_equal(q.moved, p.moved);
	assert_int_equal(q.nitems, p.nitems);
	assert_int_equal(q.nmissing, p.nmissing);
	assert_int_equal(number(w, "SELECT customer_id FROM devices WHERE "
	    "id = 2"), 3);
	assert_int_equal(number(w, "SELECT count(*) FROM device_moves"), 1);
	assert_int_equal(number(w, "SELECT count(*) FROM events WHERE kind = "
	    "'devices_moved' AND detail = '1 devices to customer 3' AND "
	    "actor_id = 2"), 1);
	assert_int_equal(number(w, "SELECT device_count FROM customers WHERE "
	    "id = 3"), 3);
}

/* The door is said by the viewer's origin, not by the caller. */
static void
test_move_event_says_the_door(void **state)
{
	static const char *const keys[] = { "DK-1" };
	struct world *w = *state;
	struct device_move_errors e;
	struct device_move_plan p;
	struct viewer api = w->v[DK];

	api.origin = ORIGIN_API;
	assert_int_equal(device_move_many(&api, 3, keys, 1, &p, &e),
	    MODEL_DONE);
	assert_int_equal(number(w, "SELECT count(*) FROM events WHERE detail "
	    "= '1 devices to customer 3 (API)'"), 1);
}

/* A location of another customer does not follow the device. */
static void
test_move_clears_location(void **state)
{
	static const char *const keys[] = { "AA-1", "AA-2" };
	struct world *w = *state;
	struct device_move_errors e;
	struct device_move_plan p;

	assert_int_equal(device_move_many(&w->v[DK], 2, keys, 2, &p, &e),
	    MODEL_DONE);
	assert_int_equal(p.moved, 2);
	assert_int_equal(number(w, "SELECT count(*) FROM devices WHERE "
	    "customer_id = 2 AND location_id IS NULL"), 3);
}

static void
test_move_refusals(void **state)
{
	static const struct {
		int64_t target;
		size_t n;
		int customer_status, ids_status;
	} cases[] = {
		{ 0, 1, 400, 0 }, { 4, 1, 404, 0 }, { 1, 1, 404, 0 },
		{ 5, 1, 404, 0 }, { 99, 1, 404, 0 },
		{ 3, DEVICE_MANAGE_MAX + 1, 0, 413 },
		{ 3, DEVICE_MANAGE_MAX, 0, 0 },
	};
	struct world *w = *state;
	const char **keys = arena_calloc(w->arena, DEVICE_MANAGE_MAX + 1,
	    sizeof(*keys));
	struct device_move_errors e;
	struct device_move_plan p;
	enum model_result rc;
	size_t i;

	for (i = 0; i <= DEVICE_MANAGE_MAX; i++)
		keys[i] = "DK-1";
	for (i = 0; i < NELEM(cases); i++) {
		rc = device_move_many(&w->v[DK], cases[i].target, keys,
		    cases[i].n, &p, &e);
		if (rc != (cases[i].customer_status || cases[i].ids_status ?
		    MODEL_INVALID : MODEL_DONE) ||
		    (e.customer_id.msg ? e.customer_id.status : 0) !=
		    cases[i].customer_status ||
		    (e.ids.msg ? e.ids.status : 0) != cases[i].ids_status)
			fail_msg("case %zu: %d", i, rc);
	}
	/* the one that went through moved one device, once */
	assert_int_equal(number(w, "SELECT count(*) FROM device_moves"), 1);
	assert_int_equal(number(w, "SELECT count(*) FROM events"), 1);
}

/* A move from outside the viewer's view, by someone above it, names
 * neither; the one who did it sees both. */
static void
test_history(void **state)
{
	static const char *const keys[] = { "SE-1" };
	struct world *w = *state;
	struct device_move_errors e;
	struct device_move_entry *h;
	struct device_move_plan p;
	struct device d;
	size_t n;

	assert_int_equal(device_move_many(&w->v[ADMIN], 2, keys, 1, &p, &e),
	    MODEL_DONE);
	assert_int_equal(device_detail(&w->v[DK], 5, &d, &h, &n), 1);
	assert_string_equal(d.customer, "Denmark");
	assert_int_equal(n, 1);
	assert_string_equal(h[0].from, "a customer outside your view");
	assert_string_equal(h[0].to, "Denmark");
	assert_string_equal(h[0].by, "an administrator outside your view");
	assert_int_equal(h[0].at, 1000);
	assert_int_equal(device_detail(&w->v[ADMIN], 5, &d, &h, &n), 1);
	assert_string_equal(h[0].from, "Fleet \xe2\x80\xba Sweden");
	assert_string_equal(h[0].to, "Fleet \xe2\x80\xba Denmark");
	assert_string_equal(h[0].by, "admin");
	assert_int_equal(device_detail(&w->v[LOC], 5, &d, &h, &n), 0);
}

static void
test_add_rules(void **state)
{
	static const struct {
		const char *unit_id, *vin;
		int64_t customer_id, location_id;
		size_t field;	/* index in device_error_fields */
		int status;	/* 0: registered */
	} cases[] = {
		{ "NEW-1", "", 3, 1, 0, 0 },
		{ "NEW-2", "1HGCM82633A004352", 2, 0, 0, 0 },
		{ "x", "", 3, 0, 0, 400 },
		{ "hq-1", "", 3, 0, 0, 409 },	/* taken, in any account */
		{ "NEW-3", "1HGCM82633A00435O", 3, 0, 3, 400 },
		{ "NEW-3", "", 0, 0, 4, 400 },
		{ "NEW-3", "", 4, 0, 4, 404 },	/* a sibling */
		{ "NEW-3", "", 5, 0, 4, 404 },
		{ "NEW-3", "", 2, 1, 5, 400 },	/* Aarhus's location */
		{ "NEW-3", "", 3, 3, 5, 404 },	/* Sweden's */
		{ "NEW-3", "", 3, 99, 5, 404 },
		{ "NEW-3", "", 3, -1, 5, 400 },	/* not an id */
	};
	struct world *w = *state;
	char uuid[DEVICE_UUID_LEN + 1];
	const struct check_error *ce;
	struct device_input in;
	struct device_errors e;
	enum model_result rc;
	struct device d;
	int64_t id;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		in = (struct device_input){ cases[i].unit_id, "Van", "",
		    cases[i].vin, cases[i].customer_id, cases[i].location_id };
		rc = device_add(&w->v[DK], &in, &e, &id, uuid);
		ce = check_error_of(&e, &device_error_fields[cases[i].field]);
		if (cases[i].status == 0 ? rc != MODEL_DONE ||
		    device_get(&w->v[DK], id, &d) != 1 ||
		    strcmp(d.uuid, uuid) != 0 : rc != MODEL_INVALID ||
		    ce->status != cases[i].status)
			fail_msg("case %zu: %d", i, rc);
	}
	assert_int_equal(number(w, "SELECT count(*) FROM devices"), 8);
	assert_int_equal(number(w, "SELECT count(*) FROM devices WHERE "
	    "unit_id = 'NEW-1' AND registered_by = 2 AND location_id = 1"), 1);
}

/* The locations of the scope, labelled with their customer. */
static void
test_locations(void **state)
{
	struct world *w = *state;
	struct device_location *l;

	assert_int_equal(device_locations(&w->v[DK], &l), 2);
	assert_string_equal(l[0].label, "Depot (Denmark \xe2\x80\xba Aarhus)");
	assert_int_equal(device_locations(&w->v[ADMIN], &l), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_id_rules),
		cmocka_unit_test(test_vin_rules),
		cmocka_unit_test(test_uuid_v4),
		cmocka_unit_test(test_split_ids),
		cmocka_unit_test_setup_teardown(test_list_scope, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_list_keyset, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_get_scope, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_move_counts, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_move_event_says_the_door,
		    world_up, world_down),
		cmocka_unit_test_setup_teardown(test_move_clears_location,
		    world_up, world_down),
		cmocka_unit_test_setup_teardown(test_move_refusals, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_history, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_add_rules, world_up,
		    world_down),
		cmocka_unit_test_setup_teardown(test_locations, world_up,
		    world_down),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
