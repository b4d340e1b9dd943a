/*
 * test_model_seed.c - the demo and benchmark data (seed.c): the demo set
 * as the integration and browser tests know it, the benchmark sets over
 * it, and the refusals (a database with users, no demo account, a viewer
 * other than arborctl) changing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "arena.h"
#include "db.h"
#include "seed.h"

/* Every row a refused seed must leave alone. */
static const char SNAPSHOT_SQL[] =
    "SELECT (SELECT count(*) FROM customers) || ':' || "
    "(SELECT count(*) FROM users) || ':' || "
    "(SELECT count(*) FROM locations) || ':' || "
    "(SELECT count(*) FROM user_locations) || ':' || "
    "(SELECT count(*) FROM devices) || ':' || "
    "(SELECT count(*) FROM events)";

/* The demo data, row by row, in id order. */
static const struct {
	const char *sql;
	const char *want;
} demo_rows[] = {
	{ "SELECT group_concat(id || ',' || coalesce(parent_id, '-') || ',' "
	  "|| path || ',' || name || ',' || email || ',' || "
	  "coalesce(owner_email, '-') || ',' || country || ',' || time_zone "
	  "|| ',' || time_format || ',' || units, ';') FROM "
	  "(SELECT * FROM customers ORDER BY id)",
	  "1,-,/1/,Northwind Fleet,fleet@northwind.example,"
	  "owner@northwind.example,DK,Europe/Copenhagen,24h,metric;"
	  "2,1,/1/2/,Northwind Denmark,denmark@northwind.example,-,DK,"
	  "Europe/Copenhagen,24h,metric;"
	  "3,2,/1/2/3/,Aarhus,aarhus@northwind.example,-,DK,"
	  "Europe/Copenhagen,24h,metric;"
	  "4,1,/1/4/,Northwind Sweden,sweden@northwind.example,-,SE,"
	  "Europe/Stockholm,24h,metric;"
	  "5,-,/5/,Contoso Charging,ops@contoso.example,"
	  "owner@contoso.example,US,America/New_York,12h,imperial" },
	{ "SELECT group_concat(id || ',' || coalesce(customer_id, '-') || ',' "
	  "|| is_operator || ',' || username || ',' || email || ',' || "
	  "full_name || ',' || groups || ',' || active || ',' || "
	  "must_change_password, ';') FROM (SELECT * FROM users ORDER BY id)",
	  "1,-,1,operator,operator@arbor.example,Platform Operator,447,1,0;"
	  "2,1,0,admin,admin@northwind.example,Nora Admin,447,1,0;"
	  "3,2,0,dk.admin,dk.admin@northwind.example,Dan Jensen,1,1,0;"
	  "4,3,0,driver,driver@northwind.example,Dina Driver,0,1,0;"
	  "5,4,0,se.user,se.user@northwind.example,Sven User,2,1,0;"
	  "6,1,0,former,former@northwind.example,Former Employee,1,0,0;"
	  "7,5,0,contoso.admin,admin@contoso.example,Carla Contoso,447,1,0" },
	{ "SELECT group_concat(id || ',' || customer_id || ',' || name, ';') "
	  "FROM (SELECT * FROM locations ORDER BY id)",
	  "1,3,North Terminal;2,2,Central Garage;3,4,Stockholm Hub" },
	{ "SELECT group_concat(user_id || ',' || location_id, ';') FROM "
	  "user_locations", "4,1" },
	{ "SELECT group_concat(id || ',' || unit_id || ',' || name || ',' || "
	  "vehicle_name || ',' || coalesce(vin, '-') || ',' || customer_id || "
	  "',' || coalesce(location_id, '-') || ',' || "
	  "coalesce(registered_by, '-'), ';') FROM "
	  "(SELECT * FROM devices ORDER BY id)",
	  "1,NW-100001,Tracker 1,Van 11,-,1,-,-;"
	  "2,NW-100002,Tracker 2,Van 12,-,2,2,-;"
	  "3,NW-100003,Tracker 3,Truck 31,-,3,1,-;"
	  "4,NW-100004,Tracker 4,Truck 32,-,3,-,-;"
	  "5,NW-100005,Charger A,,-,4,3,-;"
	  "6,CT-200001,Charger 1,,-,5,-,-" },
	{ "SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%'",
	  "7" },
	{ "SELECT count(*) FROM events", "0" },
};

static void
test_demo_data(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_CLI);
	const char *before, *name, *what;
	size_t i;

	assert_int_equal(seed_demo(&v), MODEL_DONE);
	assert_false(f->app.db.in_transaction);
	for (i = 0; i < sizeof(demo_rows) / sizeof(demo_rows[0]); i++)
		assert_string_equal(fixture_text(f, "%s", demo_rows[i].sql),
		    demo_rows[i].want);
	/* what arborctl prints: every demo user, in the table's order */
	for (i = 0; (name = seed_demo_login(i, &what)) != NULL; i++) {
		assert_string_equal(name, fixture_text(f,
		    "SELECT username FROM users WHERE id = %zu", i + 1));
		assert_true(what[0] != '\0');
	}
	assert_int_equal(i, 7);
	/* a second time: the database has users */
	before = fixture_text(f, "%s", SNAPSHOT_SQL);
	assert_int_equal(seed_demo(&v), MODEL_INVALID);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(fixture_text(f, "%s", SNAPSHOT_SQL), before);
}

/* 10 customers 8 wide and 5 deep, 20 users and 30 devices. */
static const struct seed_bench_spec small = { 10, 20, 30, 8, 5, 1,
    schema_sql };

/* What the examples say, checked against the rows: the counts are of
 * the rows the run added, and before it there were users and devices
 * holding the same texts. */
static void
check_examples(struct fixture *f, const struct seed_bench *b,
    long users_before, long devices_before)
{
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM users WHERE "
	    "email = '%s'", b->email), 1);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices WHERE "
	    "unit_id = '%s' AND device_uuid = '%s'", b->unit_id,
	    b->device_id), 1);
	/* a search for the family name finds its holders and nobody else */
	assert_true(b->last_name_users > 0);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM users WHERE "
	    "full_name LIKE '%% %s'", b->last_name),
	    users_before + b->last_name_users);
	assert_int_equal(fixture_int(f, "WITH t(t) AS (SELECT '%%%s%%') "
	    "SELECT count(*) FROM users, t WHERE email LIKE t OR username LIKE "
	    "t OR full_name LIKE t", b->last_name),
	    users_before + b->last_name_users);
	assert_int_equal(fixture_int(f, "WITH t(t) AS (SELECT '%%%s%%') "
	    "SELECT count(*) FROM devices, t WHERE unit_id LIKE t OR "
	    "device_uuid LIKE t OR name LIKE t OR vehicle_name LIKE t OR vin "
	    "LIKE t", b->device_text),
	    devices_before + b->device_text_devices);
}

static void
test_bench_data(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_CLI);
	struct seed_bench b, first;

	assert_int_equal(seed_demo(&v), MODEL_DONE);
	assert_int_equal(seed_bench(&v, &small, &b), MODEL_DONE);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(b.account, "Northwind Fleet");
	assert_true(b.analyzed);
	/* the account's 4 demo customers and the 10 new ones */
	assert_int_equal(b.spread, 14);
	/* 8 under the account, then 8 under the first of them */
	assert_string_equal(fixture_text(f, "SELECT group_concat(path, ' ') "
	    "FROM (SELECT path FROM customers WHERE id > 5 ORDER BY id)"),
	    "/1/6/ /1/7/ /1/8/ /1/9/ /1/10/ /1/11/ /1/12/ /1/13/ /1/6/14/ "
	    "/1/6/15/");
	assert_int_equal(fixture_int(f, "SELECT count(DISTINCT name) FROM "
	    "customers WHERE id > 5 AND name GLOB '[A-Z]* [A-Z]* [A-Z]*' AND "
	    "email GLOB '*@*-*.example'"), 10);
	assert_string_equal(fixture_text(f, "SELECT count(*) || ',' || "
	    "sum(active) || ',' || sum(groups = 2) || ',' || "
	    "count(last_login_at) || ',' || sum(username = lower(replace("
	    "full_name, ' ', '.')) || id) || ',' || sum(email GLOB "
	    "username || '@*.example') || ',' || sum(customer_id IN (SELECT "
	    "id FROM customers WHERE path LIKE '/1/%%')) FROM users "
	    "WHERE id > 7"), "20,19,2,14,20,20,20");
	assert_string_equal(fixture_text(f, "SELECT count(*) || ',' || "
	    "count(DISTINCT unit_id) || ',' || sum(unit_id GLOB '"
	    "[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]"
	    "[0-9A-Z][0-9A-Z][0-9A-Z]') || ',' || count(registered_by) || ',' "
	    "|| sum(vin GLOB '*[IOQ]*') || ',' || sum(customer_id IN (SELECT "
	    "id FROM customers WHERE path LIKE '/1/%%')) FROM devices WHERE "
	    "id > 6"), "30,30,30,0,0,30");
	assert_in_range(fixture_int(f, "SELECT count(vin) FROM devices WHERE "
	    "id > 6"), 1, 29);
	assert_int_equal(fixture_int(f, "SELECT device_count FROM customers "
	    "WHERE id = 1"), 1 + fixture_int(f, "SELECT count(*) FROM devices "
	    "WHERE id > 6 AND customer_id = 1"));
	check_examples(f, &b, 0, 0);

	/* again: as much again, every unique key new, the same words */
	first = b;
	assert_int_equal(seed_bench(&v, &small, &b), MODEL_DONE);
	assert_string_equal(b.last_name, first.last_name);
	assert_string_equal(b.device_text, first.device_text);
	assert_int_equal(b.spread, 24);
	assert_string_equal(fixture_text(f, "SELECT (SELECT count(*) FROM "
	    "customers WHERE parent_id = 1) || ',' || (SELECT count(*) FROM "
	    "users) || ',' || (SELECT count(*) FROM devices)"), "18,47,66");
	check_examples(f, &b, first.last_name_users, first.device_text_devices);
}

/* Width 1, depth 3: a chain that starts again under the first customer
 * once three deep; depth 1: all of them under the account. */
static void
test_bench_tree_shapes(void **state)
{
	static const struct seed_bench_spec chain = { 5, 0, 0, 1, 3, 7,
	    schema_sql };
	static const struct seed_bench_spec flat = { 12, 0, 0, 2, 1, 7,
	    schema_sql };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_CLI);
	struct seed_bench b;

	assert_int_equal(seed_demo(&v), MODEL_DONE);
	assert_int_equal(seed_bench(&v, &chain, &b), MODEL_DONE);
	assert_null(b.email);
	assert_null(b.unit_id);
	assert_string_equal(fixture_text(f, "SELECT group_concat(path, ' ') "
	    "FROM (SELECT path FROM customers WHERE id > 5 ORDER BY id)"),
	    "/1/6/ /1/6/7/ /1/6/7/8/ /1/6/9/ /1/6/9/10/");
	assert_int_equal(seed_bench(&v, &flat, &b), MODEL_DONE);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM customers "
	    "WHERE id > 10 AND parent_id = 1"), 12);
}

/* A unit id the next run would generate is taken (by a device moved to
 * a lower id): the run fails and adds nothing. */
static void
test_bench_collision_adds_nothing(void **state)
{
	static const struct seed_bench_spec one = { 1, 1, 1, 8, 5, 1,
	    schema_sql };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_CLI);
	struct seed_bench b;
	const char *before;

	assert_int_equal(seed_demo(&v), MODEL_DONE);
	assert_int_equal(seed_bench(&v, &one, &b), MODEL_DONE);
	fixture_exec(f, "DELETE FROM devices WHERE id = 6");
	fixture_exec(f, "UPDATE devices SET id = 6 WHERE id = 7");
	before = fixture_text(f, "%s", SNAPSHOT_SQL);
	assert_int_equal(seed_bench(&v, &one, &b), MODEL_FAILED);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(fixture_text(f, "%s", SNAPSHOT_SQL), before);
}

/* On the fixture's tree: users, but no demo account. */
static void
test_refusals_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct viewer cli = fixture_viewer(f, 0, ORIGIN_CLI);
	struct viewer admin = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	const char *before = fixture_text(f, "%s", SNAPSHOT_SQL);
	struct seed_bench b;

	assert_int_equal(seed_demo(&cli), MODEL_INVALID);
	assert_int_equal(seed_bench(&cli, &small, &b), MODEL_NOT_FOUND);
	/* only arborctl (or an operator) seeds */
	assert_int_equal(seed_demo(&admin), MODEL_NOT_FOUND);
	assert_int_equal(seed_bench(&admin, &small, &b), MODEL_NOT_FOUND);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(fixture_text(f, "%s", SNAPSHOT_SQL), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_demo_data,
		    fixture_setup_empty, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bench_data,
		    fixture_setup_empty, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bench_tree_shapes,
		    fixture_setup_empty, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_bench_collision_adds_nothing, fixture_setup_empty,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
