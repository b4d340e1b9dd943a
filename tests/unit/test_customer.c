/*
 * test_customer.c - the customer model against a real database: the
 * rules of customer_save() (table-driven), moves of a subtree, partial
 * updates, MFA that never loosens below, and the scoped reads.
 *
 * Each test gets a new database file in a temporary directory (the
 * connection settings need WAL, which an in-memory database has not)
 * with this tree and these users:
 *
 *   Northwind Fleet (account)   admin (all groups), fleet.nca (NCA)
 *   |_ Northwind Denmark        dk.nca (NCA), dk.boss (AA + NCA)
 *   |  |_ Aarhus
 *   |_ Northwind Sweden
 *   Contoso Charging (account)  contoso (NCA)
 *                               operator
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

#include "app.h"
#include "arena.h"
#include "customer.h"
#include "db.h"
#include "perm.h"
#include "user.h"

#define NOW 1700000000

enum { FLEET, DENMARK, AARHUS, SWEDEN, CONTOSO, NTREE };
#define NEW (-1)

static const struct {
	int parent;		/* index, -1: an account */
	struct customer_fields f;
} tree[NTREE] = {
	{ -1, { "Northwind Fleet", "fleet@example.com", "owner@example.com",
	    "DK", "Europe/Copenhagen", "24h", "metric", false } },
	{ FLEET, { "Northwind Denmark", "dk@example.com", NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false } },
	{ DENMARK, { "Aarhus", "aarhus@example.com", NULL, "DK",
	    "Europe/Copenhagen", "12h", "metric", false } },
	{ FLEET, { "Northwind Sweden", "se@example.com", NULL, "SE",
	    "Europe/Stockholm", "24h", "metric", false } },
	{ -1, { "Contoso Charging", "ops@contoso.example",
	    "owner@contoso.example", "US", "America/New_York", "12h",
	    "imperial", false } },
};

static const struct {
	const char *username;
	int customer;		/* index, -1: an operator */
	unsigned groups;
} people[] = {
	{ "operator", -1, GROUP_ALL },
	{ "admin", FLEET, GROUP_ALL },
	{ "fleet.nca", FLEET, GROUP_NESTED_CUSTOMER_ADMIN },
	{ "dk.nca", DENMARK, GROUP_NESTED_CUSTOMER_ADMIN },
	{ "dk.boss", DENMARK, GROUP_NESTED_CUSTOMER_ADMIN |
	    GROUP_ACCOUNT_ADMIN },
	{ "contoso", CONTOSO, GROUP_NESTED_CUSTOMER_ADMIN },
};
#define NPEOPLE (sizeof(people) / sizeof(people[0]))

struct fixture {
	char dir[32];
	char path[64];
	struct app app;
	struct arena *a;
	int64_t ids[NTREE];
	int64_t uids[NPEOPLE];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct user_fields uf;
	char err[256];
	size_t i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/arbor-customer-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	if (catalog_load(&f->app.catalog, err, sizeof(err)) != 0 ||
	    db_open(&f->app.db, f->path, DB_INIT, err, sizeof(err)) != 0 ||
	    db_init_schema(&f->app.db, schema_sql, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	db_close(&f->app.db);
	if (db_open(&f->app.db, f->path, DB_SERVE, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	f->a = arena_new();
	assert_int_equal(db_begin(&f->app.db), 0);
	for (i = 0; i < NTREE; i++) {
		f->ids[i] = customer_create(&f->app.db, NOW,
		    tree[i].parent < 0 ? 0 : f->ids[tree[i].parent],
		    &tree[i].f);
		assert_true(f->ids[i] > 0);
	}
	for (i = 0; i < NPEOPLE; i++) {
		memset(&uf, 0, sizeof(uf));
		uf.is_operator = people[i].customer < 0;
		uf.customer_id = uf.is_operator ? 0 :
		    f->ids[people[i].customer];
		uf.username = people[i].username;
		uf.email = arena_printf(f->a, "%s@example.com",
		    people[i].username);
		uf.full_name = "";
		uf.active = true;
		uf.groups = people[i].groups;
		f->uids[i] = user_create(&f->app.db, NOW, &uf);
		assert_true(f->uids[i] > 0);
	}
	assert_int_equal(db_commit(&f->app.db), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char side[80];

	db_close(&f->app.db);
	catalog_free(&f->app.catalog);
	arena_free(f->a);
	unlink(f->path);
	/* what WAL may leave beside the file */
	snprintf(side, sizeof(side), "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", f->path);
	unlink(side);
	rmdir(f->dir);
	free(f);
	return 0;
}

static size_t
person(const char *username)
{
	size_t i;

	for (i = 0; i < NPEOPLE; i++)
		if (strcmp(people[i].username, username) == 0)
			return i;
	fail_msg("no user %s", username);
	return 0;
}

/* The viewer of a page request by username. */
static struct viewer
viewer(struct fixture *f, const char *username)
{
	struct viewer v;
	const struct user *u = user_load(&f->app.db, f->a,
	    f->uids[person(username)]);

	assert_non_null(u);
	perm_viewer(&v, &f->app, f->a, NOW + 60, ORIGIN_PAGE, "", u);
	return v;
}

/* The first column of the first row of sql, as text ("" for none). */
static const char *
query(struct fixture *f, const char *sql)
{
	sqlite3_stmt *s;
	const char *out = "";

	assert_int_equal(sqlite3_prepare_v2(f->app.db.conn, sql, -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		out = db_text(f->a, s, 0);
	sqlite3_finalize(s);
	return out;
}

/* Every row a save can write: customers and events. */
static const char *
snapshot(struct fixture *f)
{
	return arena_printf(f->a, "%s|%s", query(f, "SELECT group_concat("
	    "id || coalesce(parent_id, '-') || path || depth || name || "
	    "email || coalesce(owner_email, '-') || country || time_zone || "
	    "time_format || units || require_mfa || updated_at, ';') FROM "
	    "(SELECT * FROM customers ORDER BY id)"), query(f,
	    "SELECT count(*) FROM events"));
}

/* The latest event of kind: "actor_id detail". */
static const char *
last_event(struct fixture *f, const char *kind)
{
	return query(f, arena_printf(f->a, "SELECT actor_id || ' ' || detail "
	    "FROM events WHERE kind = '%s' ORDER BY id DESC LIMIT 1", kind));
}

/* An input that gives nothing. */
static struct customer_input
nothing_given(void)
{
	struct customer_input in;

	memset(&in, 0, sizeof(in));
	in.parent = PARENT_KEEP;
	in.require_mfa = -1;
	return in;
}

/* The JSON name of the one field in error, NULL for none. */
static const char *
field_in_error(const struct customer_errors *e, int *status)
{
	const struct check_field *fl;
	const struct check_error *ce;

	assert_true(check_count(e, customer_error_fields) <= 1);
	for (fl = customer_error_fields; fl->form != NULL; fl++) {
		ce = check_error_of(e, fl);
		if (ce->msg != NULL) {
			*status = ce->status;
			return fl->json;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ the rules */

static void
test_save_rules(void **state)
{
	static const struct {
		const char *who;
		int target;		/* NEW or a tree index */
		enum customer_parent parent;
		int parent_of;		/* a tree index for PARENT_ID */
		const char *name;	/* NULL: not given */
		const char *email;
		const char *country;
		int require_mfa;
		enum model_result want;
		const char *field;	/* in error, with status */
		int status;
	} cases[] = {
		/* where a new customer may go */
		{ "dk.nca", NEW, PARENT_ID, SWEDEN, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 404 },
		{ "dk.nca", NEW, PARENT_ID, FLEET, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 404 },
		{ "contoso", NEW, PARENT_ID, AARHUS, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 404 },
		{ "dk.nca", NEW, PARENT_NONE, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 403 },
		{ "admin", NEW, PARENT_NONE, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 403 },
		{ "dk.nca", NEW, PARENT_KEEP, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 400 },
		{ "dk.nca", NEW, PARENT_BAD, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 400 },
		/* the fields */
		{ "dk.nca", NEW, PARENT_ID, AARHUS, NULL, "x@example.com",
		  NULL, -1, MODEL_INVALID, "name", 400 },
		{ "dk.nca", NEW, PARENT_ID, AARHUS, "two\nlines",
		  "x@example.com", NULL, -1, MODEL_INVALID, "name", 400 },
		{ "dk.nca", NEW, PARENT_ID, AARHUS, "X", "not-an-address",
		  NULL, -1, MODEL_INVALID, "email", 400 },
		{ "dk.nca", NEW, PARENT_ID, AARHUS, "X", "x@example.com", "XX",
		  -1, MODEL_INVALID, "country", 400 },
		{ "dk.nca", AARHUS, PARENT_KEEP, 0, "", NULL, NULL, -1,
		  MODEL_INVALID, "name", 400 },
		/* MFA: the Account Administrator's */
		{ "dk.nca", NEW, PARENT_ID, AARHUS, "X", "x@example.com", NULL,
		  1, MODEL_INVALID, "require_mfa", 403 },
		{ "dk.nca", AARHUS, PARENT_KEEP, 0, NULL, NULL, NULL, 1,
		  MODEL_INVALID, "require_mfa", 403 },
		{ "dk.nca", AARHUS, PARENT_KEEP, 0, NULL, NULL, NULL, 0,
		  MODEL_DONE, NULL, 0 },
		/* where an existing one may go */
		{ "dk.nca", DENMARK, PARENT_ID, AARHUS, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 403 },
		{ "dk.nca", AARHUS, PARENT_ID, AARHUS, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 400 },
		{ "admin", DENMARK, PARENT_ID, AARHUS, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 400 },
		{ "dk.nca", AARHUS, PARENT_ID, SWEDEN, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 404 },
		{ "dk.nca", AARHUS, PARENT_NONE, 0, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 403 },
		/* the top of the view keeps its parent, shown as none */
		{ "dk.nca", DENMARK, PARENT_NONE, 0, NULL, NULL, NULL, -1,
		  MODEL_DONE, NULL, 0 },
		/* outside the view: not found, before anything is checked */
		{ "dk.nca", FLEET, PARENT_KEEP, 0, "", NULL, NULL, -1,
		  MODEL_NOT_FOUND, NULL, 0 },
		{ "dk.nca", SWEDEN, PARENT_ID, DENMARK, NULL, NULL, NULL, -1,
		  MODEL_NOT_FOUND, NULL, 0 },
		{ "contoso", AARHUS, PARENT_KEEP, 0, "X", NULL, NULL, -1,
		  MODEL_NOT_FOUND, NULL, 0 },
	};
	struct fixture *f = *state;
	struct customer_input in;
	struct customer_change c;
	struct customer_errors e;
	struct viewer v;
	const char *before, *field;
	int64_t saved;
	size_t i;
	int status;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = viewer(f, cases[i].who);
		in = nothing_given();
		in.parent = cases[i].parent;
		in.parent_id = cases[i].parent == PARENT_ID ?
		    f->ids[cases[i].parent_of] : 0;
		in.name = cases[i].name;
		in.email = cases[i].email;
		in.country = cases[i].country;
		in.require_mfa = cases[i].require_mfa;
		before = snapshot(f);
		if (customer_save(&v, cases[i].target == NEW ? 0 :
		    f->ids[cases[i].target], &in, &c, &e, &saved) !=
		    cases[i].want)
			fail_msg("case %zu: another result", i);
		status = 0;
		field = field_in_error(&e, &status);
		if ((field == NULL) != (cases[i].field == NULL) ||
		    (field != NULL && (strcmp(field, cases[i].field) != 0 ||
		    status != cases[i].status)))
			fail_msg("case %zu: %s %d", i, field ? field : "none",
			    status);
		if (cases[i].want != MODEL_DONE &&
		    strcmp(before, snapshot(f)) != 0)
			fail_msg("case %zu: a refusal changed something", i);
	}
	/* the kept parent of the top of dk.nca's view */
	assert_string_equal(query(f, arena_printf(f->a, "SELECT parent_id "
	    "FROM customers WHERE id = %lld", (long long)f->ids[DENMARK])),
	    arena_printf(f->a, "%lld", (long long)f->ids[FLEET]));
}

/* A new customer: below its parent in the tree, with the parent's
 * settings where none were given, and an event. */
static void
test_create_under_a_parent(void **state)
{
	struct fixture *f = *state;
	struct viewer v = viewer(f, "dk.nca");
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer aarhus, made;
	int64_t id;

	in.name = "Odense";
	in.email = "odense@example.com";
	in.parent = PARENT_ID;
	in.parent_id = f->ids[AARHUS];
	in.units = "imperial";
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &id), MODEL_DONE);
	assert_int_equal(customer_get(&v, f->ids[AARHUS], &aarhus), 1);
	assert_int_equal(customer_get(&v, id, &made), 1);
	assert_string_equal(made.path, arena_printf(f->a, "%s%lld/",
	    aarhus.path, (long long)id));
	assert_int_equal(made.depth, aarhus.depth + 1);
	assert_int_equal(made.parent_id, f->ids[AARHUS]);
	assert_null(made.owner_email);
	assert_string_equal(made.country, "DK");
	assert_string_equal(made.time_format, "12h");	/* Aarhus's */
	assert_string_equal(made.units, "imperial");	/* given */
	assert_string_equal(last_event(f, "customer_created"), arena_printf(
	    f->a, "%lld customer %lld", (long long)f->uids[person("dk.nca")],
	    (long long)id));
}

/* An operator's account: no parent, the main e-mail as owner when none
 * is given, a new account's defaults. */
static void
test_operator_makes_an_account(void **state)
{
	struct fixture *f = *state;
	struct viewer v = viewer(f, "operator");
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer made;
	int64_t id;

	in.name = "Fabrikam";
	in.email = "ops@fabrikam.example";
	in.country = "US";
	in.parent = PARENT_NONE;
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &id), MODEL_DONE);
	assert_int_equal(customer_get(&v, id, &made), 1);
	assert_int_equal(made.parent_id, 0);
	assert_int_equal(made.depth, 0);
	assert_string_equal(made.path, arena_printf(f->a, "/%lld/",
	    (long long)id));
	assert_string_equal(made.owner_email, "ops@fabrikam.example");
	assert_string_equal(made.time_zone, "UTC");
	assert_false(made.top);
}

/* A move rewrites the path and depth of everything below, and a partial
 * update keeps what it does not give. */
static void
test_move_and_partial_update(void **state)
{
	struct fixture *f = *state;
	struct viewer v = viewer(f, "admin");
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer a, b, sweden;
	int64_t ida, idb, id;

	in.name = "A";
	in.email = "a@example.com";
	in.parent = PARENT_ID;
	in.parent_id = f->ids[DENMARK];
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &ida), MODEL_DONE);
	in.name = "B";
	in.parent_id = ida;
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &idb), MODEL_DONE);

	in = nothing_given();
	in.parent = PARENT_ID;
	in.parent_id = f->ids[SWEDEN];
	assert_int_equal(customer_save(&v, ida, &in, &c, &e, &id), MODEL_DONE);
	assert_int_equal(id, ida);
	assert_int_equal(customer_get(&v, f->ids[SWEDEN], &sweden), 1);
	assert_int_equal(customer_get(&v, ida, &a), 1);
	assert_int_equal(customer_get(&v, idb, &b), 1);
	assert_string_equal(a.path, arena_printf(f->a, "%s%lld/", sweden.path,
	    (long long)ida));
	assert_string_equal(b.path, arena_printf(f->a, "%s%lld/", a.path,
	    (long long)idb));
	assert_int_equal(b.depth, sweden.depth + 2);
	assert_string_equal(a.name, "A");		/* not given: kept */
	assert_string_equal(a.email, "a@example.com");
	assert_string_equal(last_event(f, "customer_moved"), arena_printf(f->a,
	    "%lld customer %lld: parent %lld -> %lld",
	    (long long)f->uids[person("admin")], (long long)ida,
	    (long long)f->ids[DENMARK], (long long)f->ids[SWEDEN]));
}

/* Denmark requires MFA: below it the flag is locked, and moving out from
 * under it needs an Account Administrator. */
static void
test_mfa_never_loosens_below(void **state)
{
	struct fixture *f = *state;
	struct viewer boss = viewer(f, "dk.boss");
	struct viewer nca = viewer(f, "fleet.nca");
	struct viewer admin = viewer(f, "admin");
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer aarhus;
	int64_t id;
	int status;

	in.require_mfa = 1;
	assert_int_equal(customer_save(&boss, f->ids[DENMARK], &in, &c, &e,
	    &id), MODEL_DONE);
	assert_int_equal(last_event(f, "mfa_enforced")[0] != '\0', 1);
	assert_int_equal(customer_get(&boss, f->ids[AARHUS], &aarhus), 1);
	assert_true(aarhus.mfa_inherited && aarhus.mfa_required);
	assert_false(aarhus.require_mfa);

	/* a value given below the requirement does not change the flag */
	in.require_mfa = 1;
	assert_int_equal(customer_save(&boss, f->ids[AARHUS], &in, &c, &e,
	    &id), MODEL_DONE);
	assert_true(c.inherited);
	assert_false(c.f.require_mfa);

	in = nothing_given();
	in.parent = PARENT_ID;
	in.parent_id = f->ids[SWEDEN];
	assert_int_equal(customer_save(&nca, f->ids[AARHUS], &in, &c, &e,
	    &id), MODEL_INVALID);
	assert_string_equal(field_in_error(&e, &status), "parent_id");
	assert_int_equal(status, 403);
	assert_int_equal(customer_save(&admin, f->ids[AARHUS], &in, &c, &e,
	    &id), MODEL_DONE);
	assert_int_equal(customer_get(&admin, f->ids[AARHUS], &aarhus), 1);
	assert_false(aarhus.mfa_required);
}

/* ------------------------------------------------------------ reads */

static void
test_reads_stay_in_the_view(void **state)
{
	struct fixture *f = *state;
	struct viewer dk = viewer(f, "dk.nca");
	struct viewer op = viewer(f, "operator");
	struct customer_overview o;
	struct list_query lq;
	struct rows_page p;
	struct customer c, *rows;
	const struct customer_account *acc;

	memset(&lq, 0, sizeof(lq));
	lq.like = "%";
	lq.limit = 50;
	assert_int_equal(customer_list(&dk, &lq, &p), 1);
	assert_int_equal(p.count, 2);
	rows = p.rows;
	assert_int_equal(p.n, 2);
	assert_int_equal(rows[0].id, f->ids[AARHUS]);	/* by name */
	assert_string_equal(rows[0].path_text,
	    "Northwind Denmark \xe2\x80\xba Aarhus");
	/* a customer_id is no filter of the tree, even outside the view */
	lq.customer_id = f->ids[CONTOSO];
	assert_int_equal(customer_list(&dk, &lq, &p), 1);
	assert_int_equal(p.n, 2);

	assert_int_equal(customer_get(&dk, f->ids[FLEET], &c), 0);
	assert_int_equal(customer_get(&dk, f->ids[SWEDEN], &c), 0);
	assert_int_equal(customer_get(&dk, f->ids[DENMARK], &c), 1);
	assert_true(c.top);
	assert_int_equal(c.children, 1);
	assert_int_equal(c.users, 2);
	assert_int_equal(customer_get(&op, f->ids[DENMARK], &c), 1);
	assert_false(c.top);

	/* a new customer's form: the parent asked for if seen, else the
	 * own customer; an operator's: a new account */
	assert_int_equal(customer_new_parent(&dk, f->ids[SWEDEN], &c), 1);
	assert_int_equal(c.id, f->ids[DENMARK]);
	assert_int_equal(customer_new_parent(&dk, f->ids[AARHUS], &c), 1);
	assert_int_equal(c.id, f->ids[AARHUS]);
	assert_int_equal(customer_new_parent(&op, 0, &c), 0);

	assert_int_equal(customer_overview(&dk, &o), 1);
	assert_false(o.every_account);
	assert_true(o.has_own);
	assert_string_equal(o.own.name, "Northwind Denmark");
	assert_int_equal(customer_overview(&op, &o), 1);
	assert_true(o.every_account);
	assert_int_equal(o.accounts.n, 2);
	acc = o.accounts.rows;
	assert_string_equal(acc[0].name, "Contoso Charging");
	assert_int_equal(acc[0].customers, 1);
	assert_int_equal(acc[0].users, 1);
	assert_string_equal(acc[1].name, "Northwind Fleet");
	assert_int_equal(acc[1].customers, 4);
	assert_int_equal(acc[1].users, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_create_under_a_parent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_operator_makes_an_account,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_and_partial_update,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mfa_never_loosens_below,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_stay_in_the_view,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
