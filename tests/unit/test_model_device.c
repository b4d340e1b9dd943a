/*
 * test_model_device.c - the devices model: field rules, pasted id lists,
 * and, on the fixture's tree, the list in each viewer's scope,
 * registration, the bulk move and the history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "model_fixture.h"

#include "arena.h"
#include "device.h"

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
 * The model on the fixture's tree. Its devices, by customer: HQ-1 at
 * Acme; NORTH-1 at Acme North; EAST-1 (at Harbour) and EAST-2 (at East
 * Dock) at Acme North East; SOUTH-1 at Acme South; OTHER-1 at Other.
 * Who looks: acme.admin (every group), north.nca (Full Device Access and
 * Nested Customer Administrator), east.devices (Full Device Access, at
 * Harbour) and north.dm (Device Management alone: no device to see).
 */

#define D(id) FX_BIT(id)

/* Who sees which devices, with which filter; a filter outside the
 * scope (or missing) is "not found", whatever the plan and sort. */
static void
test_list_scope(void **state)
{
	static const struct fixture_list_case cases[] = {
		{ "acme.admin: never another account", FX_ACME_ADMIN, "", 0, 0,
		    1, D(1) | D(2) | D(3) | D(4) | D(5) },
		{ "north.nca", FX_NORTH_NCA, "", 0, 0, 1, D(2) | D(3) | D(4) },
		{ "east.devices: only at the own location", FX_EAST_DEVICES,
		    "", 0, 0, 1, D(FX_DEV_EAST1) },
		{ "north.dm: no device access", FX_NORTH_DM, "", 0, 0, 1, 0 },
		{ "q", FX_NORTH_NCA, "EAST", 0, 0, 1, D(3) | D(4) },
		{ "a child", FX_NORTH_NCA, "", FX_EAST, 0, 1, D(3) | D(4) },
		{ "a location", FX_NORTH_NCA, "", 0, FX_EAST_DOCK, 1,
		    D(FX_DEV_EAST2) },
		{ "acme.admin, a child", FX_ACME_ADMIN, "", FX_SOUTH, 0, 1,
		    D(FX_DEV_SOUTH) },
		{ "a sibling", FX_NORTH_NCA, "", FX_SOUTH, 0, 0, 0 },
		{ "the parent", FX_NORTH_NCA, "", FX_ACME, 0, 0, 0 },
		{ "another account", FX_NORTH_NCA, "", FX_OTHER, 0, 0, 0 },
		{ "a missing customer", FX_NORTH_NCA, "", FX_MISSING, 0, 0, 0 },
		{ "a sibling's location", FX_NORTH_NCA, "", 0, FX_SOUTH_YARD, 0,
		    0 },
		{ "a missing location", FX_NORTH_NCA, "", 0, FX_MISSING, 0, 0 },
		{ "east.devices, the parent", FX_EAST_DEVICES, "", FX_NORTH, 0,
		    0, 0 },
	};

	fixture_check_lists(*state, cases, NELEM(cases), device_sort_keys,
	    device_list, sizeof(struct device));
}

/* The API's pages: by id, after the cursor, not counted. */
static void
test_list_keyset(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_API);
	struct list_query lq = fixture_list_query(f);
	struct rows_page p;
	struct device *d;

	lq.keyset = true;
	lq.limit = 2;
	assert_int_equal(device_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.count, -1);
	d = p.rows;
	assert_int_equal(d[0].id, FX_DEV_NORTH);
	assert_int_equal(d[1].id, FX_DEV_EAST1);
	assert_null(d[1].customer);
	lq.after = d[1].id;
	assert_int_equal(device_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 1);
	assert_int_equal(((struct device *)p.rows)[0].id, FX_DEV_EAST2);
	lq.customer_id = FX_SOUTH;
	assert_int_equal(device_list(&v, &lq, &p), 0);
}

/* device_get() without the row. */
static int
find_device(const struct viewer *v, int64_t id)
{
	struct device d;

	return device_get(v, id, &d);
}

static void
test_get_scope(void **state)
{
	static const struct fixture_places places = { FX_DEV_NORTH,
	    FX_DEV_EAST1, FX_DEV_HQ, FX_DEV_SOUTH, FX_DEV_OTHER };
	static const struct fixture_find_case cases[] = {
		/* only at the own location */
		{ FX_EAST_DEVICES, FX_DEV_EAST1, 1 },
		{ FX_EAST_DEVICES, FX_DEV_EAST2, 0 },
		/* no device access */
		{ FX_NORTH_DM, FX_DEV_NORTH, 0 },
		{ FX_EAST_DRIVER, FX_DEV_EAST2, 0 },
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct device d;

	/* Full Device Access; an Account Administrator's in the rule */
	fixture_check_places(f, &places, FX_NORTH_NCA, find_device);
	fixture_check_places(f, &places, FX_NORTH_ADMIN, find_device);
	fixture_check_finds(f, cases, NELEM(cases), find_device);
	assert_int_equal(device_get(&v, FX_DEV_EAST1, &d), 1);
	assert_string_equal(d.unit_id, "EAST-1");
	assert_string_equal(d.location, "Harbour");
	assert_null(d.vin);
}

/* A pasted list: a device already there, one named three ways, one of a
 * sibling and an unknown id. The preview and the move count the same. */
static void
test_move_counts(void **state)
{
	static const char *const keys[] = { "NORTH-1", "EAST-1", "north-1",
	    "00000000-0000-4000-8000-000000000002", "SOUTH-1", "NOPE" };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct device_move_errors e;
	struct device_move_plan p, q;

	assert_int_equal(device_move_preview(&v, FX_EAST, keys, NELEM(keys),
	    &p, &e), MODEL_DONE);
	assert_int_equal(p.nitems, 2);
	assert_int_equal(p.moved, 1);
	assert_string_equal(p.items[0].unit_id, "NORTH-1");
	assert_false(p.items[0].unchanged);
	assert_string_equal(p.items[0].from, "Acme North");
	assert_true(p.items[1].unchanged);
	assert_int_equal(p.nmissing, 2);
	assert_string_equal(p.missing[0], "SOUTH-1");
	assert_string_equal(p.missing[1], "NOPE");
	assert_string_equal(p.target_path,
	    "Acme North \xe2\x80\xba Acme North East");
	/* a preview moves nothing */
	assert_int_equal(fixture_int(f, "SELECT customer_id FROM devices "
	    "WHERE id = %d", FX_DEV_NORTH), FX_NORTH);

	assert_int_equal(device_move_many(&v, FX_EAST, keys, NELEM(keys), &q,
	    &e), MODEL_DONE);
	assert_int_equal(q.moved, p.moved);
	assert_int_equal(q.nitems, p.nitems);
	assert_int_equal(q.nmissing, p.nmissing);
	assert_int_equal(fixture_int(f, "SELECT customer_id FROM devices "
	    "WHERE id = %d", FX_DEV_NORTH), FX_EAST);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM device_moves"),
	    1);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'devices_moved' AND detail = '1 devices to customer %d' "
	    "AND actor_id = %d", FX_EAST, FX_NORTH_NCA), 1);
	assert_int_equal(fixture_int(f, "SELECT device_count FROM customers "
	    "WHERE id = %d", FX_EAST), 3);
}

/* The door is said by the viewer's origin, not by the caller. */
static void
test_move_event_says_the_door(void **state)
{
	static const char *const keys[] = { "NORTH-1" };
	struct fixture *f = *state;
	struct viewer api = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_API);
	struct device_move_errors e;
	struct device_move_plan p;

	assert_int_equal(device_move_many(&api, FX_EAST, keys, 1, &p, &e),
	    MODEL_DONE);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "detail = '1 devices to customer %d (API)'", FX_EAST), 1);
}

/* Nothing to move (every device already at the target, or unknown, or
 * outside the view): done, and nothing written, no event either. */
static void
test_move_of_nothing_logs_nothing(void **state)
{
	static const struct {
		const char *what;
		const char *keys[2];
		size_t n;
	} cases[] = {
		{ "already there", { "EAST-1", "EAST-2" }, 2 },
		{ "unknown", { "NOPE" }, 1 },
		{ "outside the view", { "SOUTH-1", "OTHER-1" }, 2 },
		{ "none at all", { NULL }, 0 },
	};
	struct fixture *f = *state;
	const char *before = fixture_snapshot(f);
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v = fixture_viewer(f, FX_NORTH_NCA,
		    i % 2 ? ORIGIN_API : ORIGIN_PAGE);
		struct device_move_errors e;
		struct device_move_plan p;

		if (device_move_many(&v, FX_EAST, cases[i].keys, cases[i].n,
		    &p, &e) != MODEL_DONE || p.moved != 0)
			fail_msg("%s: refused, or moved %zu", cases[i].what,
			    p.moved);
		if (strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("%s: changed the database", cases[i].what);
	}
}

/* A location of another customer does not follow the device. */
static void
test_move_clears_location(void **state)
{
	static const char *const keys[] = { "EAST-1", "EAST-2" };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct device_move_errors e;
	struct device_move_plan p;

	assert_int_equal(device_move_many(&v, FX_NORTH, keys, 2, &p, &e),
	    MODEL_DONE);
	assert_int_equal(p.moved, 2);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices WHERE "
	    "customer_id = %d AND location_id IS NULL", FX_NORTH), 3);
}

static void
test_move_refusals(void **state)
{
	static const struct {
		int64_t target;
		size_t n;
		int customer_status, ids_status;
	} cases[] = {
		{ 0, 1, 400, 0 }, { FX_SOUTH, 1, 404, 0 },
		{ FX_ACME, 1, 404, 0 }, { FX_OTHER, 1, 404, 0 },
		{ FX_MISSING, 1, 404, 0 },
		{ FX_EAST, DEVICE_MANAGE_MAX + 1, 0, 413 },
		{ FX_EAST, DEVICE_MANAGE_MAX, 0, 0 },
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	const char **keys = arena_calloc(f->arena, DEVICE_MANAGE_MAX + 1,
	    sizeof(*keys));
	struct device_move_errors e;
	struct device_move_plan p;
	enum model_result rc;
	size_t i;

	for (i = 0; i <= DEVICE_MANAGE_MAX; i++)
		keys[i] = "NORTH-1";
	for (i = 0; i < NELEM(cases); i++) {
		rc = device_move_many(&v, cases[i].target, keys, cases[i].n,
		    &p, &e);
		if (rc != (cases[i].customer_status || cases[i].ids_status ?
		    MODEL_INVALID : MODEL_DONE) ||
		    (e.customer_id.msg ? e.customer_id.status : 0) !=
		    cases[i].customer_status ||
		    (e.ids.msg ? e.ids.status : 0) != cases[i].ids_status)
			fail_msg("case %zu: %d", i, rc);
	}
	/* the one that went through moved one device, once */
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM device_moves"),
	    1);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events"), 1);
}

/* A move from outside the viewer's view, by someone above it, names
 * neither; the one who did it sees both. */
static void
test_history(void **state)
{
	static const char *const keys[] = { "SOUTH-1" };
	struct fixture *f = *state;
	struct viewer admin = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	struct viewer nca = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct viewer loc = fixture_viewer(f, FX_EAST_DEVICES, ORIGIN_PAGE);
	struct device_move_errors e;
	struct device_move_entry *h;
	struct device_move_plan p;
	struct device d;
	size_t n;

	assert_int_equal(device_move_many(&admin, FX_NORTH, keys, 1, &p, &e),
	    MODEL_DONE);
	assert_int_equal(device_detail(&nca, FX_DEV_SOUTH, &d, &h, &n), 1);
	assert_string_equal(d.customer, "Acme North");
	assert_int_equal(n, 1);
	assert_string_equal(h[0].from, "a customer outside your view");
	assert_string_equal(h[0].to, "Acme North");
	assert_string_equal(h[0].by, "an administrator outside your view");
	assert_int_equal(h[0].at, FIXTURE_NOW);
	assert_int_equal(device_detail(&admin, FX_DEV_SOUTH, &d, &h, &n), 1);
	assert_string_equal(h[0].from, "Acme \xe2\x80\xba Acme South");
	assert_string_equal(h[0].to, "Acme \xe2\x80\xba Acme North");
	assert_string_equal(h[0].by, "acme.admin");
	assert_int_equal(device_detail(&loc, FX_DEV_SOUTH, &d, &h, &n), 0);
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
		{ "NEW-1", "", FX_EAST, FX_HARBOUR, 0, 0 },
		{ "NEW-2", "1HGCM82633A004352", FX_NORTH, 0, 0, 0 },
		{ "x", "", FX_EAST, 0, 0, 400 },
		/* taken, in any account */
		{ "hq-1", "", FX_EAST, 0, 0, 409 },
		{ "NEW-3", "1HGCM82633A00435O", FX_EAST, 0, 3, 400 },
		{ "NEW-3", "", 0, 0, 4, 400 },
		/* a sibling, another account */
		{ "NEW-3", "", FX_SOUTH, 0, 4, 404 },
		{ "NEW-3", "", FX_OTHER, 0, 4, 404 },
		/* a child's location, a sibling's, a missing one, not an id */
		{ "NEW-3", "", FX_NORTH, FX_HARBOUR, 5, 400 },
		{ "NEW-3", "", FX_EAST, FX_SOUTH_YARD, 5, 404 },
		{ "NEW-3", "", FX_EAST, FX_MISSING, 5, 404 },
		{ "NEW-3", "", FX_EAST, -1, 5, 400 },
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
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
		    cases[i].vin, cases[i].customer_id, cases[i].location_id,
		    NULL, 0 };
		rc = device_add(&v, &in, &e, &id, uuid);
		ce = check_error_of(&e, &device_error_fields[cases[i].field]);
		if (cases[i].status == 0 ? rc != MODEL_DONE ||
		    device_get(&v, id, &d) != 1 ||
		    strcmp(d.uuid, uuid) != 0 : rc != MODEL_INVALID ||
		    ce->status != cases[i].status)
			fail_msg("case %zu: %d", i, rc);
	}
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices"), 8);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices WHERE "
	    "unit_id = 'NEW-1' AND registered_by = %d AND location_id = %d",
	    FX_NORTH_NCA, FX_HARBOUR), 1);
}

/* An edit: the fields as registration checks them, a location of the
 * device's own customer only, and a viewer with locations keeps the
 * device at one of theirs; outside the view is not found. */
static void
test_update_rules(void **state)
{
	static const struct {
		int64_t user, device, location_id;
		const char *vin;
		enum model_result rc;
		size_t field;	/* index in device_error_fields */
		int status;
	} cases[] = {
		{ FX_ACME_ADMIN, FX_DEV_EAST1, FX_EAST_DOCK, "", MODEL_DONE, 0, 0 },
		{ FX_ACME_ADMIN, FX_DEV_EAST1, FX_HARBOUR, "1HGCM82633A004352",
		  MODEL_DONE, 0, 0 },
		{ FX_ACME_ADMIN, FX_DEV_NORTH, 0, "", MODEL_DONE, 0, 0 },
		{ FX_ACME_ADMIN, FX_DEV_EAST1, 0, "SHORT", MODEL_INVALID, 3,
		  400 },
		/* the parent's location, another account's, a sibling's, a
		 * missing one, not an id */
		{ FX_ACME_ADMIN, FX_DEV_EAST1, FX_NORTH_YARD, "", MODEL_INVALID,
		  5, 400 },
		{ FX_ACME_ADMIN, FX_DEV_EAST1, FX_OTHER_LOT, "", MODEL_INVALID,
		  5, 404 },
		{ FX_NORTH_NCA, FX_DEV_EAST1, FX_SOUTH_YARD, "", MODEL_INVALID,
		  5, 404 },
		{ FX_ACME_ADMIN, FX_DEV_EAST1, FX_MISSING, "", MODEL_INVALID,
		  5, 404 },
		{ FX_ACME_ADMIN, FX_DEV_EAST1, -1, "", MODEL_INVALID, 5, 400 },
		/* outside the view: a sibling's device, another account's */
		{ FX_NORTH_NCA, FX_DEV_SOUTH, 0, "", MODEL_NOT_FOUND, 0, 0 },
		{ FX_ACME_ADMIN, FX_DEV_OTHER, 0, "", MODEL_NOT_FOUND, 0, 0 },
		/* east.devices sees only Harbour's devices */
		{ FX_EAST_DEVICES, FX_DEV_EAST2, FX_HARBOUR, "",
		  MODEL_NOT_FOUND, 0, 0 },
		{ FX_EAST_DEVICES, FX_DEV_EAST1, 0, "", MODEL_INVALID, 5, 400 },
		{ FX_EAST_DEVICES, FX_DEV_EAST1, FX_EAST_DOCK, "",
		  MODEL_INVALID, 5, 400 },
		{ FX_EAST_DEVICES, FX_DEV_EAST1, FX_HARBOUR, "", MODEL_DONE,
		  0, 0 },
		/* Device Management edits only what its holder lists with
		 * Full Device Access or Account Administrator: not alone,
		 * and not what API Developer only shows (north.admin, below) */
		{ FX_NORTH_DM, FX_DEV_NORTH, 0, "", MODEL_NOT_FOUND, 0, 0 },
		{ FX_NORTH_ADMIN, FX_DEV_NORTH, 0, "", MODEL_NOT_FOUND, 0, 0 },
	};
	struct fixture *f = *state;
	const struct check_error *ce;
	struct device_input in;
	struct device_errors e;
	enum model_result rc;
	struct viewer v;
	const char *before;
	size_t i;

	/* the edit is Device Management's: the viewers above that list
	 * devices hold it too; north.admin becomes Device Management + API
	 * Developer */
	fixture_exec(f, "UPDATE users SET groups = groups | %d WHERE id IN "
	    "(%d, %d)", GROUP_DEVICE_MANAGEMENT, FX_NORTH_NCA, FX_EAST_DEVICES);
	fixture_exec(f, "UPDATE users SET groups = %d WHERE id = %d",
	    GROUP_DEVICE_MANAGEMENT | GROUP_API_DEVELOPER, FX_NORTH_ADMIN);
	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].user, ORIGIN_PAGE);
		before = fixture_snapshot(f);
		in = (struct device_input){ "ignored", "Edited", "", cases[i].vin,
		    FX_OTHER, cases[i].location_id, NULL, 0 };
		rc = device_update(&v, cases[i].device, &in, &e);
		ce = check_error_of(&e, &device_error_fields[cases[i].field]);
		if (rc != cases[i].rc || (rc == MODEL_INVALID &&
		    ce->status != cases[i].status))
			fail_msg("case %zu: %d", i, rc);
		if (rc != MODEL_DONE && strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("case %zu: changed the database", i);
	}
	/* neither the unit id nor the customer moved */
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices WHERE "
	    "id = %d AND unit_id = 'EAST-1' AND customer_id = %d AND name = "
	    "'Edited' AND location_id = %d", FX_DEV_EAST1, FX_EAST,
	    FX_HARBOUR), 1);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'device_updated' AND detail = 'device EAST-1: name, "
	    "location'"), 1);
	/* the same values again: nothing written, nothing logged */
	v = fixture_viewer(f, FX_EAST_DEVICES, ORIGIN_PAGE);
	in = (struct device_input){ "", "Edited", "", "", 0, FX_HARBOUR, NULL,
	    0 };
	assert_int_equal(device_update(&v, FX_DEV_EAST1, &in, &e), MODEL_DONE);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'device_updated'"), 4);
}

/* The preview names the locations a move clears: not the target's. */
static void
test_preview_side_effects(void **state)
{
	static const char *const keys[] = { "EAST-1", "NORTH-1", "HQ-1" };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	struct device_move_errors e;
	struct device_move_plan p;

	assert_int_equal(device_move_preview(&v, FX_NORTH, keys, 3, &p, &e),
	    MODEL_DONE);
	assert_int_equal(p.moved, 2);
	assert_int_equal(p.cleared, 1);
	assert_true(p.items[0].clears_location);
	assert_string_equal(p.items[0].location, "Harbour");
	assert_true(p.items[1].unchanged);
	assert_false(p.items[1].clears_location);
	assert_false(p.items[2].clears_location);	/* it has none */
}

/* The locations of the scope in tree order, labelled with their
 * customer. */
static void
test_locations(void **state)
{
	struct fixture *f = *state;
	struct viewer nca = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct viewer admin = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	struct device_location *l;

	assert_int_equal(device_locations(&nca, &l), 3);
	assert_string_equal(l[0].label, "Yard (Acme North)");
	assert_string_equal(l[1].label,
	    "East Dock (Acme North \xe2\x80\xba Acme North East)");
	assert_int_equal(device_locations(&admin, &l), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_id_rules),
		cmocka_unit_test(test_vin_rules),
		cmocka_unit_test(test_uuid_v4),
		cmocka_unit_test(test_split_ids),
		cmocka_unit_test_setup_teardown(test_list_scope, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_keyset,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_get_scope, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_move_counts,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_move_event_says_the_door,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_move_of_nothing_logs_nothing, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_move_clears_location,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_move_refusals,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_add_rules, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_update_rules,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_preview_side_effects,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_locations, fixture_setup,
		    fixture_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
