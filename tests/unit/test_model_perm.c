/*
 * test_model_perm.c - the visibility rule on a real database: which
 * customers and locations each kind of viewer sees (perm_sees_customer,
 * perm_sees_location), and the list runner's answer to a filter in and
 * out of the scope (rows_read_list).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "rows.h"

#define NTARGETS 5

/* Each target customer, and the location that belongs to it. */
static const int64_t customers[NTARGETS] = {
	FX_ACME, FX_NORTH, FX_EAST, FX_SOUTH, FX_OTHER
};
static const int64_t locations[NTARGETS] = {
	FX_HQ, FX_NORTH_YARD, FX_EAST_DOCK, FX_SOUTH_YARD, FX_OTHER_LOT
};

/* Who sees which of the targets (in the order above). */
static const struct {
	const char *who;
	int64_t user;		/* 0: nobody */
	enum origin origin;
	int sees[NTARGETS];
} viewers[] = {
	/* own customer and child yes; parent, sibling, other account no */
	{ "north.admin", FX_NORTH_ADMIN, ORIGIN_PAGE, { 0, 1, 1, 0, 0 } },
	{ "north.admin (API)", FX_NORTH_ADMIN, ORIGIN_API, { 0, 1, 1, 0, 0 } },
	/* a user's own locations narrow its devices, not its locations */
	{ "north.fleet", FX_NORTH_FLEET, ORIGIN_PAGE, { 0, 1, 1, 0, 0 } },
	{ "east.driver", FX_EAST_DRIVER, ORIGIN_PAGE, { 0, 0, 1, 0, 0 } },
	{ "acme.admin", FX_ACME_ADMIN, ORIGIN_PAGE, { 1, 1, 1, 1, 0 } },
	{ "south.admin", FX_SOUTH_ADMIN, ORIGIN_PAGE, { 0, 0, 0, 1, 0 } },
	{ "other.admin", FX_OTHER_ADMIN, ORIGIN_API, { 0, 0, 0, 0, 1 } },
	{ "operator", FX_OPERATOR, ORIGIN_PAGE, { 1, 1, 1, 1, 1 } },
	{ "operator (API)", FX_OPERATOR, ORIGIN_API, { 1, 1, 1, 1, 1 } },
	{ "arborctl", 0, ORIGIN_CLI, { 1, 1, 1, 1, 1 } },
	{ "anonymous", 0, ORIGIN_PAGE, { 0, 0, 0, 0, 0 } },
	{ "anonymous (API)", 0, ORIGIN_API, { 0, 0, 0, 0, 0 } },
};
#define NVIEWERS NELEM(viewers)

static void
test_sees_customer_and_location(void **state)
{
	struct fixture *f = *state;
	struct viewer v;
	size_t i, t;

	for (i = 0; i < NVIEWERS; i++) {
		v = fixture_viewer(f, viewers[i].user, viewers[i].origin);
		for (t = 0; t < NTARGETS; t++) {
			if (perm_sees_customer(&v, customers[t]) !=
			    viewers[i].sees[t])
				fail_msg("%s, customer %lld", viewers[i].who,
				    (long long)customers[t]);
			if (perm_sees_location(&v, locations[t]) !=
			    viewers[i].sees[t])
				fail_msg("%s, location %lld", viewers[i].who,
				    (long long)locations[t]);
		}
		/* a missing id is the same answer as a hidden one */
		assert_int_equal(perm_sees_customer(&v, FX_MISSING), 0);
		assert_int_equal(perm_sees_location(&v, FX_MISSING), 0);
	}
}

/* A list of location ids, on the Locations statements, for the runner
 * alone: which rows, not how a model turns them into structs. */
static void
fill_id(struct db_stmt *s, struct arena *a, void *row)
{
	(void)a;
	*(int64_t *)row = db_col_int(s, 0);
}

static const enum stmt_id by_name[][2] = {
	{ STMT_LOCATION_LIST_NAME_ASC_SCOPE,
	    STMT_LOCATION_LIST_NAME_DESC_SCOPE },
};
static const struct rows_list location_ids = {
	STMT_LOCATION_LIST_COUNT_SCOPE, false, by_name, 1, STMT__MAX,
	sizeof(int64_t),
	fill_id
};

#define L(id) FX_BIT(id)

static void
test_list_filters_in_and_out_of_the_scope(void **state)
{
	static const struct {
		const char *what;
		int64_t user;
		int64_t customer_id, location_id;
		int rc;		/* 1 listed, 0 a filter outside the scope */
		uint64_t ids;
	} cases[] = {
		{ "no filter", FX_NORTH_ADMIN, 0, 0, 1,
		    L(FX_NORTH_YARD) | L(FX_EAST_DOCK) | L(FX_HARBOUR) },
		{ "own customer", FX_NORTH_ADMIN, FX_NORTH, 0, 1,
		    L(FX_NORTH_YARD) },
		{ "child", FX_NORTH_ADMIN, FX_EAST, 0, 1,
		    L(FX_EAST_DOCK) | L(FX_HARBOUR) },
		{ "parent", FX_NORTH_ADMIN, FX_ACME, 0, 0, 0 },
		{ "sibling", FX_NORTH_ADMIN, FX_SOUTH, 0, 0, 0 },
		{ "other account", FX_NORTH_ADMIN, FX_OTHER, 0, 0, 0 },
		{ "missing customer", FX_NORTH_ADMIN, FX_MISSING, 0, 0, 0 },
		/* the locations statements take no location filter: only
		 * its scope is checked */
		{ "own location", FX_NORTH_ADMIN, 0, FX_EAST_DOCK, 1,
		    L(FX_NORTH_YARD) | L(FX_EAST_DOCK) | L(FX_HARBOUR) },
		{ "parent's location", FX_NORTH_ADMIN, 0, FX_HQ, 0, 0 },
		{ "sibling's location", FX_NORTH_ADMIN, 0, FX_SOUTH_YARD, 0,
		    0 },
		{ "missing location", FX_NORTH_ADMIN, 0, FX_MISSING, 0, 0 },
		{ "both in", FX_NORTH_ADMIN, FX_NORTH, FX_NORTH_YARD, 1,
		    L(FX_NORTH_YARD) },
		{ "customer in, location out", FX_NORTH_ADMIN, FX_NORTH,
		    FX_OTHER_LOT, 0, 0 },
		{ "operator, other account", FX_OPERATOR, FX_OTHER, 0, 1,
		    L(FX_OTHER_LOT) },
		{ "anonymous", 0, 0, 0, 1, 0 },
		{ "anonymous, a filter", 0, FX_NORTH, 0, 0, 0 },
	};
	struct fixture *f = *state;
	struct list_query lq;
	struct rows_page p;
	struct viewer v;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].user, ORIGIN_PAGE);
		lq = fixture_search(f, "", cases[i].customer_id,
		    cases[i].location_id, 0, false);
		if (rows_read_list(&v, &location_ids, &lq, &p) !=
		    cases[i].rc)
			fail_msg("%s: not %d", cases[i].what, cases[i].rc);
		if (fixture_id_bits(&p, sizeof(int64_t)) != cases[i].ids)
			fail_msg("%s: rows %#llx", cases[i].what,
			    (unsigned long long)fixture_id_bits(&p,
			    sizeof(int64_t)));
		/* refused: nothing counted, nothing read */
		if (p.count != (cases[i].rc == 1 ? (int64_t)p.n : -1))
			fail_msg("%s: count %lld", cases[i].what,
			    (long long)p.count);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sees_customer_and_location,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_filters_in_and_out_of_the_scope, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
