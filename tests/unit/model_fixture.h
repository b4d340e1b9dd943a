/*
 * model_fixture.h - the models' unit tests: an in-memory Arbor database
 * (the whole schema, every statement of sql.h prepared) holding a small
 * tree, and viewers on it built as the gate builds them.
 *
 *   Acme (account, 1)            acme.admin: every group
 *   |                            acme.nca: Nested Customer Administrator
 *   |_ Acme North (2)            north.admin: Account Administrator
 *   |  |                         north.fleet: Fleet Management, at Yard
 *   |  |                           and at East Dock
 *   |  |                         north.nca: Nested Customer
 *   |  |                           Administrator + Full Device Access
 *   |  |                         north.dm: Device Management
 *   |  |_ Acme North East (3)    east.driver: no group, at East Dock
 *   |                            east.devices: Full Device Access, at
 *   |                              Harbour
 *   |_ Acme South (20)           south.admin: Account Administrator
 *   Other (account, 5)           other.admin: Account Administrator +
 *                                  Fleet Management
 *   operator (no customer)
 *
 *   locations: HQ (Acme), Yard (Acme North), East Dock and Harbour
 *   (Acme North East), Yard (Acme South), Lot (Other)
 *
 *   devices (unit id, at): HQ-1 (Acme), NORTH-1 (Acme North), EAST-1
 *   (Acme North East, at Harbour), EAST-2 (Acme North East, at East
 *   Dock), SOUTH-1 (Acme South, at its Yard), OTHER-1 (Other); device N
 *   has the device id 00000000-0000-4000-8000-00000000000N
 *
 *   east.driver has two sessions, two outstanding links (a set-up and a
 *   reset link) besides a used one, and an API token in use besides a
 *   revoked and an expired one; north.fleet has a session, an
 *   outstanding reset link and a token in use: what a new password must
 *   end, and must leave alone.
 *
 * Acme South is 20 so that its path '/1/20/' sorts right after North's
 * range ['/1/2/', '/1/20'): the sibling the path rule must not let in.
 * Acme North East shows 12-hour times (the others the 24-hour default),
 * so that a new customer below it visibly takes its parent's settings.
 *
 * How a model's tests plug in: a tests/unit/test_model_NAME.c (the
 * Makefile links this fixture into every test_model_*) includes this
 * header, runs each test with
 *	cmocka_unit_test_setup_teardown(test_x, fixture_setup,
 *	    fixture_teardown)
 * so that each starts from this same fresh tree (a test whose cases each
 * write starts each case with fixture_renew()), takes the fixture from
 * *state, acts through fixture_viewer() (lists with a query from
 * fixture_list_query() or fixture_search()) and reads what changed with
 * fixture_int(), fixture_text() and fixture_events(), and that a refusal
 * changed nothing with fixture_snapshot(). Scope tables of a model's
 * reads go through fixture_check_places() (the one rule), _finds(),
 * _lists() and _rows(). Rows a model needs that the tree lacks go into
 * TREE_SQL in model_fixture.c, with an id in the enums below, so that
 * every model's tests share one picture of the data.
 *
 * The tests of one program share one connection (preparing every
 * statement for each test cost more than the tests): set-up copies the
 * tree back over it, ends a transaction left open and turns foreign keys
 * and CHECK constraints back on. A test must leave nothing else on it:
 * no other PRAGMA, temporary table, function or authorizer.
 */
#ifndef ARBOR_MODEL_FIXTURE_H
#define ARBOR_MODEL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "perm.h"
#include "rows.h"

/* The number of elements of an array: a table of cases. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The clock of every viewer: updated_at and events say this. */
#define FIXTURE_NOW 1700000000

/* The rows of the tree, by id. FX_MISSING is no row of any table. */
enum {
	FX_ACME = 1, FX_NORTH = 2, FX_EAST = 3, FX_OTHER = 5, FX_SOUTH = 20
};
enum {
	FX_OPERATOR = 1, FX_ACME_ADMIN, FX_NORTH_ADMIN, FX_NORTH_FLEET,
	FX_EAST_DRIVER, FX_SOUTH_ADMIN, FX_OTHER_ADMIN, FX_ACME_NCA,
	FX_NORTH_NCA, FX_NORTH_DM, FX_EAST_DEVICES
};
enum {
	FX_HQ = 1, FX_NORTH_YARD, FX_EAST_DOCK, FX_SOUTH_YARD, FX_OTHER_LOT,
	FX_HARBOUR
};
enum {
	FX_DEV_HQ = 1, FX_DEV_NORTH, FX_DEV_EAST1, FX_DEV_EAST2, FX_DEV_SOUTH,
	FX_DEV_OTHER
};
#define FX_MISSING 999

/* Three user groups (issue 15): 1 and 2 of Acme, 3 of all accounts. */
#define FX_USER_GROUPS \
	"INSERT INTO user_groups (id, name, account_id, " \
	"max_discount_percent, discount_percent, financial_owner_id, created_at) VALUES " \
	"(1, 'Acme drivers', 1, 30, 10, 3, 5), " \
	"(2, 'Acme staff', 1, 30, 25, 4, 7), " \
	"(3, 'Everyone', NULL, 25, NULL, 2, 6)"


struct fixture {
	/* what viewers reach: app.db, app.catalog (countries, time zones),
	 * app.templates (the mails'), app.cfg.base_url (the links in mail)
	 * and the [login] limits (arbor.conf's defaults: the guard);
	 * nothing else is set */
	struct app app;
	struct arena *arena;	/* the viewers' users, what models return */
	sqlite3 *tree;		/* the tree as set up: fixture_renew() */
};

/* cmocka set-up and tear-down: *state is a struct fixture *. */
int fixture_setup(void **state);
/* The same database without the tree: the schema and no row (where the
 * demo data goes). */
int fixture_setup_empty(void **state);
int fixture_teardown(void **state);

/* The tree afresh (copied back over the database, whose statements stay
 * prepared): for a test whose cases each write and must not see
 * another's writes. Viewers made before it are stale. */
void fixture_renew(struct fixture *f);

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

/* The same with search text q, the filters customer_id and location_id
 * (0: none) and sort key sort, descending when desc. */
struct list_query fixture_search(struct fixture *f, const char *q,
    int64_t customer_id, int64_t location_id, size_t sort, bool desc);

/* The first column of the first row the SQL of printf format fmt
 * returns: an integer (0 for no row), or text in f->arena ("" for no row
 * or NULL). An SQL error fails the test. */
int64_t fixture_int(struct fixture *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *fixture_text(struct fixture *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run the SQL of printf format fmt for its effect: data that the models
 * would not write (rows of older rules). An SQL error fails the test. */
void fixture_exec(struct fixture *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The ids of a page's rows as bits FX_BIT(id); row_size is the size of
 * a row, which starts with its int64_t id as every model's row does. */
#define FX_BIT(id) ((uint64_t)1 << (id))
uint64_t fixture_id_bits(const struct rows_page *p, size_t row_size);

/* A list, as a model's X_list(): 1, 0 for a filter outside the scope,
 * -1 on a database error. */
typedef int (*fixture_list_fn)(const struct viewer *v,
    const struct list_query *lq, struct rows_page *out);

/* A case of a list's scope: the rows viewer who (0: anonymous) sees as
 * a page, searching q with the filters (0: none). */
struct fixture_list_case {
	const char *what;
	int64_t who;
	const char *q;
	int64_t customer_id, location_id;
	int rc;			/* 1 listed, 0 a filter outside the scope */
	uint64_t ids;		/* FX_BIT()s of the rows */
};

/*
 * Each case through list, sorted by every key of keys (NULL-terminated)
 * each way, so that every plan a model chooses between answers alike:
 * the answer, the rows, and a count that counts them. A wrong one fails
 * the test, naming the case.
 */
void fixture_check_lists(struct fixture *f,
    const struct fixture_list_case *cases, size_t n,
    const char *const *keys, fixture_list_fn list, size_t row_size);

/* A case of a list's rows: what viewer who (0: anonymous) sees as a
 * page, searching q, sorted by key sort of the list, with a customer
 * filter (0: none), as the test's text of them. */
struct fixture_rows_case {
	const char *what;
	int64_t who;
	const char *q;
	size_t sort;
	bool desc;
	int64_t customer_id;
	int rc;			/* 1 listed, 0 a filter outside the scope */
	const char *rows;
};

/* The rows of a page as a test writes them, in f->arena. */
typedef const char *(*fixture_rows_fn)(struct fixture *f,
    const struct rows_page *p);

/* Each case through list: the answer, the rows as text() writes them,
 * and a count that counts them. A wrong one fails the test. */
void fixture_check_rows(struct fixture *f,
    const struct fixture_rows_case *cases, size_t n, fixture_list_fn list,
    fixture_rows_fn text);

/* One object by id, as a model's X_get() without the row: 1 found, 0
 * not (missing and out of sight alike), -1 on a database error. */
typedef int (*fixture_find_fn)(const struct viewer *v, int64_t id);

/* A case of finding object id as viewer who (0: anonymous). */
struct fixture_find_case {
	int64_t who, id;
	int found;
};

/* Each case through find as a page viewer; a wrong answer fails the
 * test, naming the case. */
void fixture_check_finds(struct fixture *f,
    const struct fixture_find_case *cases, size_t n, fixture_find_fn find);

/* An object in each place of the tree as seen from Acme North: of its
 * own customer, of a child (Acme North East), of the parent (Acme), of a
 * sibling (Acme South), of another account (Other). */
struct fixture_places {
	int64_t own, child, parent, sibling, other;
};

/*
 * The one visibility rule on a model's objects, through find: north (a
 * user of Acme North who may see such objects) finds its own and the
 * child's; acme.admin all of Acme's; other.admin only Other's; the
 * operator every one; anonymous none; and nobody FX_MISSING.
 */
void fixture_check_places(struct fixture *f, const struct fixture_places *p,
    int64_t north, fixture_find_fn find);

/* Every row of every table, as text: equal before and after a call
 * when the call changed nothing. */
const char *fixture_snapshot(struct fixture *f);

/* Every event in order, as "kind|user_id|actor_id|ip|detail" ("-" for
 * NULL) joined by ';'; "" for none. */
const char *fixture_events(struct fixture *f);

#endif
