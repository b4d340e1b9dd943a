/*
 * test_model_dbcheck.c - the database check (dbcheck.c) on the fixture's
 * tree: clean, it finds nothing; each kind of damage, made by hand as a
 * bug, a crash or a hand edit would leave it, is found and named by
 * table, row and what is wrong, and nothing else is.
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
#include "buf.h"
#include "dbcheck.h"

/* The findings so far, one line each, as arborctl check prints them. */
static void
note(void *ctx, const char *table, int64_t row, const char *what)
{
	struct buf *b = ctx;

	if (row != 0)
		buf_printf(b, "%s %lld: %s\n", table, (long long)row, what);
	else
		buf_printf(b, "%s: %s\n", table, what);
}

/* What the check finds in f's database; the count it returns must be
 * the number of lines. */
static const char *
check(struct fixture *f)
{
	struct buf b;
	const char *p;
	long lines = 0;
	long found;

	buf_init(&b, f->arena);
	buf_puts(&b, "");
	found = dbcheck_run(&f->app.db, note, &b);
	for (p = b.data; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(found, lines);
	return b.data;
}

static void
test_the_fixture_is_consistent(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(check(f), "");
}

static void
test_damage_is_found(void **state)
{
	static const struct {
		const char *what;
		const char *sql[4];	/* run in turn; NULL ends */
		const char *found;
	} cases[] = {
		{ "a customer's own counter", { "UPDATE customers SET "
		  "user_count = user_count + 1 WHERE id = 3" },
		  "customers 3: user_count is 3, its rows make 2\n" },
		{ "a subtree's counter", { "UPDATE customers SET "
		  "tree_devices = 0 WHERE id = 1" },
		  "customers 1: tree_devices is 0, its rows make 5\n" },
		{ "a location's devices", { "UPDATE locations SET "
		  "device_count = 7 WHERE id = 6" },
		  "locations 6: device_count is 7, its rows make 1\n" },
		{ "a path that is not its parents'", { "UPDATE customers "
		  "SET path = '/1/3/' WHERE id = 3" },
		  "customers 3: path /1/3/ depth 2, its parents make path "
		  "/1/2/3/ depth 2\n" },
		{ "a depth", { "UPDATE customers SET depth = 4 WHERE id = "
		  "20" },
		  "customers 20: path /1/20/ depth 4, its parents make path "
		  "/1/20/ depth 1\n" },
		{ "a row of a search index without its row", { "INSERT "
		  "INTO devices_fts_docsize (id, sz) VALUES (99, X'')" },
		  "devices_fts 99: indexes row 99 of devices, which does not "
		  "exist\n" },
		{ "a row without its search index entry", { "DELETE FROM "
		  "users_fts_docsize WHERE id = 5" },
		  "users 5: has no entry in the search index users_fts\n" },
		{ "rows a foreign key misses", { "PRAGMA foreign_keys = OFF",
		  "INSERT INTO api_tokens (id, user_id, name, token_hash, "
		  "created_at, expires_at) VALUES (9, 999, 'lost', X'99', 0, "
		  "0)", "INSERT INTO user_locations (user_id, location_id) "
		  "VALUES (5, 999)", "PRAGMA foreign_keys = ON" },
		  "api_tokens 9: user_id names a row of users that does not "
		  "exist\n"
		  "user_locations: location_id names a row of locations that "
		  "does not exist\n" },
		{ "a row SQLite itself finds wrong", { "PRAGMA "
		  "ignore_check_constraints = ON", "UPDATE users SET active = "
		  "7 WHERE id = 5", "PRAGMA ignore_check_constraints = OFF" },
		  "database: CHECK constraint failed in users\n" },
	};
	struct fixture *f = *state;
	size_t i, j;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		for (j = 0; j < NELEM(cases[i].sql) && cases[i].sql[j]; j++)
			fixture_exec(f, "%s", cases[i].sql[j]);
		if (strcmp(check(f), cases[i].found) != 0)
			fail_msg("%s: found\n%s", cases[i].what, check(f));
	}
}

/* Parent links that go round: neither customer is under an account
 * (whatever their paths say), and the counters the move's triggers
 * wrote by the old paths differ from what the links make. */
static void
test_a_cycle_is_found(void **state)
{
	struct fixture *f = *state;
	const char *found;

	fixture_exec(f, "UPDATE customers SET parent_id = 3 WHERE id = 2");
	found = check(f);
	assert_non_null(strstr(found, "customers 2: is under no account: "
	    "its parent links go round (path /1/2/)\n"));
	assert_non_null(strstr(found, "customers 3: is under no account: "
	    "its parent links go round (path /1/2/3/)\n"));
	assert_non_null(strstr(found, "customers 1: tree_customers is 4, "
	    "its rows make 2\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_fixture_is_consistent,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_damage_is_found,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_a_cycle_is_found,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
