/*
 * model_fixture.h - the models' unit tests: an in-memory Arbor database
 * (the whole schema, every statement of sql.h prepared) holding a small
 * tree, and viewers on it built as the gate builds them.
 *
 *   Acme (account, 1)            acme.admin: every group
 *   |_ Acme North (2)            north.admin: Account Administrator
 *   |  |                         north.fleet: Fleet Management, at Yard
 *   |  |                           and at East Dock
 *   |  |_ Acme North East (3)    east.driver: no group, at East Dock
 *   |_ Acme South (20)           south.admin: Account Administrator
 *   Other (account, 5)           other.admin: Account Administrator +
 *                                  Fleet Management
 *   operator (no customer)
 *
 *   locations: HQ (Acme), Yard (Acme North), East Dock (Acme North East),
 *   Yard (Acme South), Lot (Other)
 *
 * Acme South is 20 so that its path '/1/20/' sorts right after North's
 * range ['/1/2/', '/1/20'): the sibling the path rule must not let in.
 *
 * How a model's tests plug in: a tests/unit/test_model_NAME.c (the
 * Makefile links this fixture into every test_model_*) includes this
 * header, runs each test with
 *	cmocka_unit_test_setup_teardown(test_x, fixture_setup,
 *	    fixture_teardown)
 * so that each starts from this same fresh tree, takes the fixture from
 * *state, acts through fixture_viewer() (lists with a query from
 * fixture_list_query()) and reads what changed with fixture_int() and
 * fixture_text(). The user, customer and device models
 * take the same viewers and find their rows here; rows a model needs
 * that the tree lacks (devices, tokens, links) go into TREE_SQL in
 * model_fixture.c, with an id in the enums below, so that every model's
 * tests share one picture of the data.
 */
#ifndef ARBOR_MODEL_FIXTURE_H
#define ARBOR_MODEL_FIXTURE_H

#include <stdint.h>

#include "app.h"
#include "perm.h"
#include "rows.h"

/* The clock of every viewer: updated_at and events say this. */
#define FIXTURE_NOW 1700000000

/* The rows of the tree, by id. FX_MISSING is no row of any table. */
enum {
	FX_ACME = 1, FX_NORTH = 2, FX_EAST = 3, FX_OTHER = 5, FX_SOUTH = 20
};
enum {
	FX_OPERATOR = 1, FX_ACME_ADMIN, FX_NORTH_ADMIN, FX_NORTH_FLEET,
	FX_EAST_DRIVER, FX_SOUTH_ADMIN, FX_OTHER_ADMIN
};
enum {
	FX_HQ = 1, FX_NORTH_YARD, FX_EAST_DOCK, FX_SOUTH_YARD, FX_OTHER_LOT
};
#define FX_MISSING 999

struct fixture {
	struct app app;		/* only app.db is set: what viewers reach */
	struct arena *arena;	/* the viewers' users, what models return */
};

/* cmocka set-up and tear-down: *state is a struct fixture *. */
int fixture_setup(void **state);
/* The same database without the tree: the schema and no row (where the
 * demo data goes). */
int fixture_setup_empty(void **state);
int fixture_teardown(void **state);

/*
 * A viewer for user id acting through origin, as perm_viewer() makes it
 * for the gate (pages and API, from 127.0.0.1) or arborctl. User 0 is
 * nobody: an anonymous visitor, or with ORIGIN_CLI arborctl itself.
 */
struct viewer fixture_viewer(struct fixture *f, int64_t user,
    enum origin origin);

/* A list query as a list page reads an empty query string: no search,
 * no filter, page 1 of LIST_PAGE_SIZE, the first sort key ascending. */
struct list_query fixture_list_query(struct fixture *f);

/* The first column of the first row sql returns: an integer (0 for no
 * row), or text in f->arena ("" for no row or NULL). An SQL error fails
 * the test. */
int64_t fixture_int(struct fixture *f, const char *sql);
const char *fixture_text(struct fixture *f, const char *sql);

#endif
