/*
 * test_model_location.c - the locations model (location.c) on the
 * fixture's tree: the list and one location as each viewer sees them,
 * and every write flow of location_save(), its refusals leaving the
 * database as it was and its events telling where the change came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "arena.h"
#include "location.h"
#include "user.h"

#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define AE10 "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6" \
	"\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"	/* æ × 10 */
#define AE100 AE10 AE10 AE10 AE10 AE10 AE10 AE10 AE10 AE10 AE10

/* The page's rows as "name|customer path|users;" one after another. */
static const char *
rows_text(struct fixture *f, const struct rows_page *p)
{
	const struct location *l = p->rows;
	const char *s = "";
	size_t i;

	for (i = 0; i < p->n; i++)
		s = arena_printf(f->arena, "%s%s|%s|%lld;", s, l[i].name,
		    l[i].customer, (long long)l[i].users);
	return s;
}

static void
test_list_as_each_viewer(void **state)
{
	/* sort: location_sort_keys: name, customer, users */
	static const struct fixture_rows_case cases[] = {
		/* paths start at the viewer's customer; users counts only
		 * users the viewer sees (north.fleet is above east.driver) */
		{ "north.admin", FX_NORTH_ADMIN, "", 0, false, 0, 1,
		    "East Dock|Acme North \xe2\x80\xba Acme North East|2;"
		    "Harbour|Acme North \xe2\x80\xba Acme North East|1;"
		    "Yard|Acme North|1;" },
		{ "east.driver", FX_EAST_DRIVER, "", 0, false, 0, 1,
		    "East Dock|Acme North East|1;"
		    "Harbour|Acme North East|1;" },
		{ "acme.admin by customer", FX_ACME_ADMIN, "", 1, false, 0, 1,
		    "HQ|Acme|0;"
		    "Yard|Acme \xe2\x80\xba Acme North|1;"
		    "East Dock|Acme \xe2\x80\xba Acme North \xe2\x80\xba "
		    "Acme North East|2;"
		    "Harbour|Acme \xe2\x80\xba Acme North \xe2\x80\xba "
		    "Acme North East|1;"
		    "Yard|Acme \xe2\x80\xba Acme South|0;" },
		/* a tie goes by id, in the same direction (a page's
		 * position is the key and the id) */
		{ "by users, descending", FX_NORTH_ADMIN, "", 2, true, 0, 1,
		    "East Dock|Acme North \xe2\x80\xba Acme North East|2;"
		    "Harbour|Acme North \xe2\x80\xba Acme North East|1;"
		    "Yard|Acme North|1;" },
		{ "q: a location's name", FX_ACME_ADMIN, "dock", 0, false, 0, 1,
		    "East Dock|Acme \xe2\x80\xba Acme North \xe2\x80\xba "
		    "Acme North East|2;" },
		{ "q: a customer's name", FX_ACME_ADMIN, "south", 0, false, 0,
		    1, "Yard|Acme \xe2\x80\xba Acme South|0;" },
		{ "q: LIKE wildcards are literal", FX_ACME_ADMIN, "%", 0, false,
		    0, 1, "" },
		{ "q: nothing outside the scope", FX_NORTH_ADMIN, "lot", 0,
		    false, 0, 1, "" },
		{ "customer filter", FX_NORTH_ADMIN, "", 0, false, FX_NORTH, 1,
		    "Yard|Acme North|1;" },
		{ "parent as filter", FX_NORTH_ADMIN, "", 0, false, FX_ACME, 0,
		    "" },
		{ "sibling as filter", FX_NORTH_ADMIN, "", 0, false, FX_SOUTH,
		    0, "" },
		{ "other account as filter", FX_NORTH_ADMIN, "", 0, false,
		    FX_OTHER, 0, "" },
		{ "operator", FX_OPERATOR, "", 0, false, FX_OTHER, 1,
		    "Lot|Other|0;" },
		{ "anonymous", 0, "", 0, false, 0, 1, "" },
	};

	fixture_check_rows(*state, cases, NELEM(cases), location_list,
	    rows_text);
}

/* The API's pages: the locations after the cursor in id order, never
 * counted (a cursor stays right while rows come and go). */
static void
test_list_keyset(void **state)
{
	static const int64_t want[] = { FX_HQ, FX_NORTH_YARD, FX_EAST_DOCK,
	    FX_SOUTH_YARD, FX_HARBOUR };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_API);
	struct list_query lq = fixture_list_query(f);
	struct rows_page p;
	const struct location *l;
	size_t i;

	lq.keyset = true;
	lq.limit = 1;
	for (i = 0; i < NELEM(want); i++) {
		assert_int_equal(location_list(&v, &lq, &p), 1);
		assert_int_equal(p.count, -1);
		assert_int_equal(p.n, 1);
		l = p.rows;
		assert_int_equal(l->id, want[i]);
		lq.after = l->id;
	}
	assert_int_equal(location_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	lq.after = FX_NORTH_YARD - 1;
	lq.limit = LIST_PAGE_SIZE;
	lq.customer_id = FX_NORTH;
	assert_int_equal(location_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 1);
	l = p.rows;
	assert_string_equal(l->name, "Yard");
	assert_int_equal(l->customer_id, FX_NORTH);
}

/* location_get() without the row. */
static int
find_location(const struct viewer *v, int64_t id)
{
	struct location l;

	return location_get(v, id, &l);
}

static void
test_get(void **state)
{
	static const struct fixture_places places = { FX_NORTH_YARD,
	    FX_EAST_DOCK, FX_HQ, FX_SOUTH_YARD, FX_OTHER_LOT };
	/* a child's user does not see its parent's */
	static const struct fixture_find_case cases[] = {
		{ FX_EAST_DRIVER, FX_NORTH_YARD, 0 },
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	struct location l;

	fixture_check_places(f, &places, FX_NORTH_ADMIN, find_location);
	fixture_check_finds(f, cases, NELEM(cases), find_location);
	assert_int_equal(location_get(&v, FX_EAST_DOCK, &l), 1);
	assert_int_equal(l.id, FX_EAST_DOCK);
	assert_string_equal(l.name, "East Dock");
	assert_int_equal(l.customer_id, FX_EAST);
}

/* The event location_save() logs for a change of location id by v: about
 * no user, by v's user, from v's address, the door after the detail. */
static const char *
event_of(struct fixture *f, const struct viewer *v, const char *kind,
    int64_t id, const char *door)
{
	const char *actor = v->user != NULL ? arena_printf(f->arena, "%lld",
	    (long long)v->user->id) : "-";

	return arena_printf(f->arena, "%s|-|%s|%s|location %lld%s", kind,
	    actor, v->addr, (long long)id, door);
}

static void
test_save_writes_and_logs(void **state)
{
	static const struct {
		const char *what;
		int64_t user;		/* 0 with ORIGIN_CLI: arborctl */
		enum origin origin;
		int64_t id;		/* 0: create */
		const char *name;
		int64_t customer;
		const char *kind;	/* of the event */
		const char *door;	/* after the event's "location ID" */
	} cases[] = {
		{ "create", FX_NORTH_ADMIN, ORIGIN_PAGE, 0, "Gate", FX_NORTH,
		    "location_created", "" },
		{ "create through the API", FX_NORTH_ADMIN, ORIGIN_API, 0,
		    "Gate", FX_EAST, "location_created", " (API)" },
		{ "create with arborctl", 0, ORIGIN_CLI, 0, "Gate", FX_OTHER,
		    "location_created", " (arborctl)" },
		{ "a name another customer has", FX_NORTH_ADMIN, ORIGIN_PAGE, 0,
		    "Yard", FX_EAST, "location_created", "" },
		{ "200 characters, not bytes", FX_NORTH_ADMIN, ORIGIN_PAGE, 0,
		    AE100 AE100, FX_NORTH, "location_created", "" },
		{ "rename", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_NORTH_YARD,
		    "Main Yard", FX_NORTH, "location_updated", "" },
		{ "rename through the API", FX_NORTH_ADMIN, ORIGIN_API,
		    FX_NORTH_YARD, "Main Yard", FX_NORTH, "location_updated",
		    " (API)" },
		{ "keep the name", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_NORTH_YARD,
		    "Yard", FX_NORTH, "location_updated", "" },
		{ "move to a child", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_NORTH_YARD,
		    "Yard", FX_EAST, "location_updated", "" },
		{ "operator, another account", FX_OPERATOR, ORIGIN_PAGE,
		    FX_OTHER_LOT, "Car Park", FX_OTHER, "location_updated",
		    "" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct location_input in = { cases[i].name, cases[i].customer };
		struct location_errors e;
		struct viewer v;
		int64_t saved = 0, before;
		const char *row;

		/* a write must not see another's */
		fixture_renew(f);
		v = fixture_viewer(f, cases[i].user, cases[i].origin);
		before = fixture_int(f, "SELECT count(*) FROM locations");
		if (location_save(&v, cases[i].id, &in, &e, &saved) !=
		    MODEL_DONE)
			fail_msg("%s: refused (name %d, customer %d)",
			    cases[i].what, e.name.status,
			    e.customer_id.status);
		assert_false(f->app.db.in_transaction);
		if (cases[i].id != 0)
			assert_int_equal(saved, cases[i].id);
		assert_int_equal(fixture_int(f,
		    "SELECT count(*) FROM locations"),
		    before + (cases[i].id == 0));
		row = fixture_text(f, "SELECT name || '|' || customer_id || "
		    "'|' || updated_at FROM locations WHERE id = %lld",
		    (long long)saved);
		assert_string_equal(row, arena_printf(f->arena, "%s|%lld|%d",
		    cases[i].name, (long long)cases[i].customer,
		    FIXTURE_NOW));
		/* that one event */
		assert_string_equal(fixture_events(f), event_of(f, &v,
		    cases[i].kind, saved, cases[i].door));
	}
}

static void
test_save_refusals_change_nothing(void **state)
{
	static const struct {
		const char *what;
		int64_t user;		/* 0: anonymous */
		int64_t id;		/* 0: create */
		const char *name;
		int64_t customer;
		enum model_result result;
		int name_status, customer_status;
	} cases[] = {
		{ "empty name", FX_NORTH_ADMIN, 0, "", FX_NORTH,
		    MODEL_INVALID, 400, 0 },
		{ "two lines", FX_NORTH_ADMIN, 0, "Gate\nWest", FX_NORTH,
		    MODEL_INVALID, 400, 0 },
		{ "a carriage return", FX_NORTH_ADMIN, 0, "Gate\rWest",
		    FX_NORTH, MODEL_INVALID, 400, 0 },
		{ "a tab", FX_NORTH_ADMIN, 0, "Gate\tWest", FX_NORTH,
		    MODEL_INVALID, 400, 0 },
		{ "201 characters", FX_NORTH_ADMIN, 0, X100 X100 "x", FX_NORTH,
		    MODEL_INVALID, 400, 0 },
		{ "nothing given", FX_NORTH_ADMIN, 0, "", 0, MODEL_INVALID,
		    400, 400 },
		{ "taken at the customer", FX_NORTH_ADMIN, 0, "Yard", FX_NORTH,
		    MODEL_INVALID, 409, 0 },
		/* North's Yard (north.fleet's) down to Acme North East,
		 * which has a Harbour: its user could still use it there */
		{ "taken, on a move", FX_NORTH_ADMIN, FX_NORTH_YARD,
		    "harbour", FX_EAST, MODEL_INVALID, 409, 0 },
		/* East Dock up to Acme North: EAST-2 and east.driver, of
		 * Acme North East, could not use a location above them */
		{ "a move its device and user cannot follow", FX_NORTH_ADMIN,
		    FX_EAST_DOCK, "East Dock", FX_NORTH, MODEL_INVALID, 0, 409 },
		{ "no customer", FX_NORTH_ADMIN, 0, "Gate", 0, MODEL_INVALID,
		    0, 400 },
		{ "the parent", FX_NORTH_ADMIN, 0, "Gate", FX_ACME,
		    MODEL_INVALID, 0, 404 },
		{ "a sibling", FX_NORTH_ADMIN, 0, "Gate", FX_SOUTH,
		    MODEL_INVALID, 0, 404 },
		{ "another account", FX_NORTH_ADMIN, 0, "Gate", FX_OTHER,
		    MODEL_INVALID, 0, 404 },
		{ "a missing customer", FX_NORTH_ADMIN, 0, "Gate", FX_MISSING,
		    MODEL_INVALID, 0, 404 },
		{ "moved out of the scope", FX_NORTH_ADMIN, FX_NORTH_YARD,
		    "Yard", FX_SOUTH, MODEL_INVALID, 0, 404 },
		{ "the parent's location", FX_NORTH_ADMIN, FX_HQ, "Gate",
		    FX_NORTH, MODEL_NOT_FOUND, 0, 0 },
		{ "a sibling's location", FX_NORTH_ADMIN, FX_SOUTH_YARD, "Gate",
		    FX_NORTH, MODEL_NOT_FOUND, 0, 0 },
		{ "another account's location", FX_NORTH_ADMIN, FX_OTHER_LOT,
		    "Gate", FX_NORTH, MODEL_NOT_FOUND, 0, 0 },
		{ "a missing location", FX_NORTH_ADMIN, FX_MISSING, "Gate",
		    FX_NORTH, MODEL_NOT_FOUND, 0, 0 },
		/* not found comes first: nothing about the fields leaks */
		{ "a hidden location, bad fields", FX_NORTH_ADMIN, FX_HQ, "",
		    0, MODEL_NOT_FOUND, 0, 0 },
		{ "anonymous create", 0, 0, "Gate", FX_NORTH, MODEL_INVALID, 0,
		    404 },
		{ "anonymous rename", 0, FX_NORTH_YARD, "Gate", FX_NORTH,
		    MODEL_NOT_FOUND, 0, 0 },
	};
	struct fixture *f = *state;
	const char *before;
	size_t i;

	before = fixture_snapshot(f);
	for (i = 0; i < NELEM(cases); i++) {
		struct location_input in = { cases[i].name, cases[i].customer };
		struct viewer v = fixture_viewer(f, cases[i].user, ORIGIN_API);
		struct location_errors e;
		int64_t saved = -1;

		if (location_save(&v, cases[i].id, &in, &e, &saved) !=
		    cases[i].result)
			fail_msg("%s: not result %d", cases[i].what,
			    cases[i].result);
		if (e.name.status != cases[i].name_status ||
		    e.customer_id.status != cases[i].customer_status)
			fail_msg("%s: name %d, customer %d", cases[i].what,
			    e.name.status, e.customer_id.status);
		if ((e.name.status != 0) != (e.name.msg != NULL) ||
		    (e.customer_id.status != 0) != (e.customer_id.msg != NULL))
			fail_msg("%s: a status without a message",
			    cases[i].what);
		if (saved != -1 || f->app.db.in_transaction)
			fail_msg("%s: saved %lld, transaction %d",
			    cases[i].what, (long long)saved,
			    f->app.db.in_transaction);
		if (strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("%s: changed the database", cases[i].what);
	}
}

/* location_ties() and location_remove(): what a delete detaches, counted
 * whoever sees it; the delete itself, its event, and its refusals. */
static void
test_remove(void **state)
{
	static const struct {
		const char *what;
		int64_t user;
		int64_t id;
		enum model_result result;
		int64_t users, last, devices;
	} cases[] = {
		/* north.fleet keeps Yard; east.driver had only East Dock */
		{ "users and a device", FX_NORTH_ADMIN, FX_EAST_DOCK,
		    MODEL_DONE, 2, 1, 1 },
		{ "by the operator", FX_OPERATOR, FX_OTHER_LOT, MODEL_DONE, 0,
		    0, 0 },
		{ "the parent's location", FX_NORTH_ADMIN, FX_HQ,
		    MODEL_NOT_FOUND, 0, 0, 0 },
		{ "a sibling's location", FX_NORTH_ADMIN, FX_SOUTH_YARD,
		    MODEL_NOT_FOUND, 0, 0, 0 },
		{ "another account's location", FX_NORTH_ADMIN, FX_OTHER_LOT,
		    MODEL_NOT_FOUND, 0, 0, 0 },
		{ "a missing location", FX_NORTH_ADMIN, FX_MISSING,
		    MODEL_NOT_FOUND, 0, 0, 0 },
		{ "anonymous", 0, FX_NORTH_YARD, MODEL_NOT_FOUND, 0, 0, 0 },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct location_ties t, seen;
		struct location gone, l;
		struct viewer v;
		const char *before;

		fixture_renew(f);
		v = fixture_viewer(f, cases[i].user, ORIGIN_PAGE);
		before = fixture_snapshot(f);
		assert_int_equal(location_ties(&v, cases[i].id, &l, &seen),
		    cases[i].result == MODEL_DONE);
		if (location_remove(&v, cases[i].id, &gone, &t) !=
		    cases[i].result)
			fail_msg("%s: not result %d", cases[i].what,
			    cases[i].result);
		assert_false(f->app.db.in_transaction);
		if (cases[i].result != MODEL_DONE) {
			if (strcmp(fixture_snapshot(f), before) != 0)
				fail_msg("%s: changed the database",
				    cases[i].what);
			continue;
		}
		if (t.users != cases[i].users || t.last != cases[i].last ||
		    t.devices != cases[i].devices || seen.users != t.users ||
		    seen.last != t.last || seen.devices != t.devices)
			fail_msg("%s: ties %lld %lld %lld", cases[i].what,
			    (long long)t.users, (long long)t.last,
			    (long long)t.devices);
		/* gone, its users without it, its devices without location */
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM "
		    "locations WHERE id = %lld", (long long)cases[i].id), 0);
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM "
		    "user_locations WHERE location_id = %lld",
		    (long long)cases[i].id), 0);
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices "
		    "WHERE location_id = %lld", (long long)cases[i].id), 0);
		assert_string_equal(fixture_events(f), arena_printf(f->arena,
		    "location_deleted|-|%lld|%s|location %lld \xe2\x80\x9c%s"
		    "\xe2\x80\x9d of customer %lld: %lld users, %lld devices "
		    "detached", (long long)cases[i].user, v.addr,
		    (long long)cases[i].id, gone.name,
		    (long long)gone.customer_id, (long long)cases[i].users,
		    (long long)cases[i].devices));
	}
	/* the device stays with its customer */
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices"), 6);
}

/* Names unique per customer ignoring case: the index, as a 409. */
static void
test_save_name_ignoring_case(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	struct location_input in = { "yARD", FX_NORTH };
	struct location_errors e;
	const char *before = fixture_snapshot(f);
	int64_t saved = 0;

	assert_int_equal(location_save(&v, 0, &in, &e, &saved),
	    MODEL_INVALID);
	assert_int_equal(e.name.status, 409);
	assert_string_equal(fixture_snapshot(f), before);
	/* its own name in another case is a rename */
	assert_int_equal(location_save(&v, FX_NORTH_YARD, &in, &e, &saved),
	    MODEL_DONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_as_each_viewer,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_keyset,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_get, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_save_writes_and_logs,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_save_refusals_change_nothing, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_remove, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_save_name_ignoring_case,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
