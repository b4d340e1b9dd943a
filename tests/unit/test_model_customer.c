/*
 * test_model_customer.c - the customer model on the fixture's tree: the
 * rules of customer_save() (table-driven), moves of a subtree, partial
 * updates, MFA that never loosens below, and the scoped reads.
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
#include "customer.h"

/* The latest event of kind: "actor_id detail". */
static const char *
last_event(struct fixture *f, const char *kind)
{
	return fixture_text(f, "SELECT actor_id || ' ' || detail FROM events "
	    "WHERE kind = '%s' ORDER BY id DESC LIMIT 1", kind);
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
		int64_t who;
		int64_t target;		/* 0: new */
		enum customer_parent parent;
		int64_t parent_id;	/* for PARENT_ID */
		const char *name;	/* NULL: not given */
		const char *email;
		const char *country;
		int require_mfa;
		enum model_result want;
		const char *field;	/* in error, with status */
		int status;
	} cases[] = {
		/* where a new customer may go */
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_SOUTH, "X", "x@example.com",
		  "DK", -1, MODEL_INVALID, "parent_id", 404 },
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_ACME, "X", "x@example.com",
		  "DK", -1, MODEL_INVALID, "parent_id", 404 },
		{ FX_OTHER_ADMIN, 0, PARENT_ID, FX_EAST, "X", "x@example.com",
		  "DK", -1, MODEL_INVALID, "parent_id", 404 },
		{ FX_NORTH_NCA, 0, PARENT_NONE, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 403 },
		{ FX_ACME_ADMIN, 0, PARENT_NONE, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 403 },
		{ FX_NORTH_NCA, 0, PARENT_KEEP, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 400 },
		{ FX_NORTH_NCA, 0, PARENT_BAD, 0, "X", "x@example.com", "DK",
		  -1, MODEL_INVALID, "parent_id", 400 },
		/* the fields */
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_EAST, NULL, "x@example.com",
		  NULL, -1, MODEL_INVALID, "name", 400 },
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_EAST, "two\nlines",
		  "x@example.com", NULL, -1, MODEL_INVALID, "name", 400 },
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_EAST, "X", "not-an-address",
		  NULL, -1, MODEL_INVALID, "email", 400 },
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_EAST, "X", "x@example.com",
		  "XX", -1, MODEL_INVALID, "country", 400 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_KEEP, 0, "", NULL, NULL, -1,
		  MODEL_INVALID, "name", 400 },
		/* MFA: the Account Administrator's */
		{ FX_NORTH_NCA, 0, PARENT_ID, FX_EAST, "X", "x@example.com",
		  NULL, 1, MODEL_INVALID, "require_mfa", 403 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_KEEP, 0, NULL, NULL, NULL, 1,
		  MODEL_INVALID, "require_mfa", 403 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_KEEP, 0, NULL, NULL, NULL, 0,
		  MODEL_DONE, NULL, 0 },
		/* where an existing one may go */
		{ FX_NORTH_NCA, FX_NORTH, PARENT_ID, FX_EAST, NULL, NULL, NULL,
		  -1, MODEL_INVALID, "parent_id", 403 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_ID, FX_EAST, NULL, NULL, NULL,
		  -1, MODEL_INVALID, "parent_id", 400 },
		{ FX_ACME_ADMIN, FX_NORTH, PARENT_ID, FX_EAST, NULL, NULL, NULL,
		  -1, MODEL_INVALID, "parent_id", 400 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_ID, FX_SOUTH, NULL, NULL, NULL,
		  -1, MODEL_INVALID, "parent_id", 404 },
		{ FX_NORTH_NCA, FX_EAST, PARENT_NONE, 0, NULL, NULL, NULL, -1,
		  MODEL_INVALID, "parent_id", 403 },
		/* the top of the view keeps its parent, shown as none */
		{ FX_NORTH_NCA, FX_NORTH, PARENT_NONE, 0, NULL, NULL, NULL, -1,
		  MODEL_DONE, NULL, 0 },
		/* outside the view: not found, before anything is checked */
		{ FX_NORTH_NCA, FX_ACME, PARENT_KEEP, 0, "", NULL, NULL, -1,
		  MODEL_NOT_FOUND, NULL, 0 },
		{ FX_NORTH_NCA, FX_SOUTH, PARENT_ID, FX_NORTH, NULL, NULL, NULL,
		  -1, MODEL_NOT_FOUND, NULL, 0 },
		{ FX_OTHER_ADMIN, FX_EAST, PARENT_KEEP, 0, "X", NULL, NULL, -1,
		  MODEL_NOT_FOUND, NULL, 0 },
		/* an Account Administrator without Nested Customer
		 * Administrator: the MFA flag (own customer included) and
		 * nothing else */
		{ FX_NORTH_ADMIN, FX_EAST, PARENT_KEEP, 0, NULL, NULL, NULL, 1,
		  MODEL_DONE, NULL, 0 },
		{ FX_NORTH_ADMIN, FX_EAST, PARENT_KEEP, 0, NULL, NULL, NULL, 0,
		  MODEL_DONE, NULL, 0 },
		{ FX_NORTH_ADMIN, FX_NORTH, PARENT_KEEP, 0, NULL, NULL, NULL, 0,
		  MODEL_DONE, NULL, 0 },
		{ FX_NORTH_ADMIN, FX_EAST, PARENT_KEEP, 0, "X", NULL, NULL, 1,
		  MODEL_INVALID, "name", 403 },
		{ FX_NORTH_ADMIN, FX_EAST, PARENT_ID, FX_NORTH, NULL, NULL,
		  NULL, -1, MODEL_INVALID, "name", 403 },
		{ FX_NORTH_ADMIN, 0, PARENT_ID, FX_EAST, "X", "x@example.com",
		  "DK", -1, MODEL_INVALID, "name", 403 },
		{ FX_NORTH_ADMIN, FX_SOUTH, PARENT_KEEP, 0, NULL, NULL, NULL, 1,
		  MODEL_NOT_FOUND, NULL, 0 },
		/* a sibling's name, ignoring case: new, renamed, moved */
		{ FX_ACME_ADMIN, 0, PARENT_ID, FX_ACME, "acme SOUTH",
		  "x@example.com", "DK", -1, MODEL_INVALID, "name", 409 },
		{ FX_ACME_ADMIN, FX_NORTH, PARENT_KEEP, 0, "ACME SOUTH", NULL,
		  NULL, -1, MODEL_INVALID, "name", 409 },
		{ FX_ACME_ADMIN, FX_EAST, PARENT_ID, FX_ACME, "Acme South",
		  NULL, NULL, -1, MODEL_INVALID, "name", 409 },
		{ FX_ACME_ADMIN, FX_SOUTH, PARENT_KEEP, 0, "ACME south", NULL,
		  NULL, -1, MODEL_DONE, NULL, 0 },
		{ FX_ACME_ADMIN, 0, PARENT_ID, FX_NORTH, "Acme South",
		  "x@example.com", "DK", -1, MODEL_DONE, NULL, 0 },
		/* the top of the view: siblings it does not see are not
		 * compared (a 409 would tell of them) */
		{ FX_NORTH_NCA, FX_NORTH, PARENT_KEEP, 0, "acme south", NULL,
		  NULL, -1, MODEL_DONE, NULL, 0 },
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

	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		in = nothing_given();
		in.parent = cases[i].parent;
		in.parent_id = cases[i].parent_id;
		in.name = cases[i].name;
		in.email = cases[i].email;
		in.country = cases[i].country;
		in.require_mfa = cases[i].require_mfa;
		before = fixture_snapshot(f);
		if (customer_save(&v, cases[i].target, &in, &c, &e, &saved) !=
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
		    strcmp(before, fixture_snapshot(f)) != 0)
			fail_msg("case %zu: a refusal changed something", i);
	}
	/* the kept parent of the top of north.nca's view */
	assert_int_equal(fixture_int(f, "SELECT parent_id FROM customers "
	    "WHERE id = %d", FX_NORTH), FX_ACME);
}

/* A new customer: below its parent in the tree, with the parent's
 * settings where none were given, and an event. */
static void
test_create_under_a_parent(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer east, made;
	int64_t id;

	in.name = "Odense";
	in.email = "odense@example.com";
	in.parent = PARENT_ID;
	in.parent_id = FX_EAST;
	in.units = "imperial";
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &id), MODEL_DONE);
	assert_int_equal(customer_get(&v, FX_EAST, &east), 1);
	assert_int_equal(customer_get(&v, id, &made), 1);
	assert_string_equal(made.path, arena_printf(f->arena, "%s%lld/",
	    east.path, (long long)id));
	assert_int_equal(made.depth, east.depth + 1);
	assert_int_equal(made.parent_id, FX_EAST);
	assert_null(made.owner_email);
	assert_string_equal(made.country, "DK");
	assert_string_equal(made.time_format, "12h");	/* Acme North East's */
	assert_string_equal(made.units, "imperial");	/* given */
	assert_string_equal(last_event(f, "customer_created"), arena_printf(
	    f->arena, "%d customer %lld", FX_NORTH_NCA, (long long)id));
}

/* An operator's account: no parent, the main e-mail as owner when none
 * is given, a new account's defaults. */
static void
test_operator_makes_an_account(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_OPERATOR, ORIGIN_PAGE);
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
	assert_string_equal(made.path, arena_printf(f->arena, "/%lld/",
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
	struct viewer v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer a, b, south;
	int64_t ida, idb, id;

	in.name = "A";
	in.email = "a@example.com";
	in.parent = PARENT_ID;
	in.parent_id = FX_NORTH;
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &ida), MODEL_DONE);
	in.name = "B";
	in.parent_id = ida;
	assert_int_equal(customer_save(&v, 0, &in, &c, &e, &idb), MODEL_DONE);

	in = nothing_given();
	in.parent = PARENT_ID;
	in.parent_id = FX_SOUTH;
	assert_int_equal(customer_save(&v, ida, &in, &c, &e, &id), MODEL_DONE);
	assert_int_equal(id, ida);
	assert_int_equal(customer_get(&v, FX_SOUTH, &south), 1);
	assert_int_equal(customer_get(&v, ida, &a), 1);
	assert_int_equal(customer_get(&v, idb, &b), 1);
	assert_string_equal(a.path, arena_printf(f->arena, "%s%lld/",
	    south.path, (long long)ida));
	assert_string_equal(b.path, arena_printf(f->arena, "%s%lld/", a.path,
	    (long long)idb));
	assert_int_equal(b.depth, south.depth + 2);
	assert_string_equal(a.name, "A");		/* not given: kept */
	assert_string_equal(a.email, "a@example.com");
	assert_string_equal(last_event(f, "customer_moved"), arena_printf(
	    f->arena, "%d customer %lld: parent %d -> %d", FX_ACME_ADMIN,
	    (long long)ida, FX_NORTH, FX_SOUTH));
}

/* Acme North requires MFA: below it the flag is locked, and moving out
 * from under it needs an Account Administrator. */
static void
test_mfa_never_loosens_below(void **state)
{
	struct fixture *f = *state;
	struct viewer boss = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	struct viewer nca = fixture_viewer(f, FX_ACME_NCA, ORIGIN_PAGE);
	struct viewer admin = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	struct customer_input in = nothing_given();
	struct customer_change c;
	struct customer_errors e;
	struct customer east;
	int64_t id;
	int status;

	in.require_mfa = 1;
	assert_int_equal(customer_save(&boss, FX_NORTH, &in, &c, &e, &id),
	    MODEL_DONE);
	assert_int_equal(last_event(f, "mfa_enforced")[0] != '\0', 1);
	assert_int_equal(customer_get(&boss, FX_EAST, &east), 1);
	assert_true(east.mfa_inherited && east.mfa_required);
	assert_false(east.require_mfa);

	/* a value given below the requirement does not change the flag */
	in.require_mfa = 1;
	assert_int_equal(customer_save(&boss, FX_EAST, &in, &c, &e, &id),
	    MODEL_DONE);
	assert_true(c.inherited);
	assert_false(c.f.require_mfa);

	in = nothing_given();
	in.parent = PARENT_ID;
	in.parent_id = FX_SOUTH;
	assert_int_equal(customer_save(&nca, FX_EAST, &in, &c, &e, &id),
	    MODEL_INVALID);
	assert_string_equal(field_in_error(&e, &status), "parent_id");
	assert_int_equal(status, 403);
	assert_int_equal(customer_save(&admin, FX_EAST, &in, &c, &e, &id),
	    MODEL_DONE);
	assert_int_equal(customer_get(&admin, FX_EAST, &east), 1);
	assert_false(east.mfa_required);
}

/* ------------------------------------------------------------ reads */

static void
test_reads_stay_in_the_view(void **state)
{
	struct fixture *f = *state;
	struct viewer nca = fixture_viewer(f, FX_NORTH_NCA, ORIGIN_PAGE);
	struct viewer op = fixture_viewer(f, FX_OPERATOR, ORIGIN_PAGE);
	struct list_query lq = fixture_list_query(f);
	struct customer_overview o;
	struct rows_page p;
	struct customer c, *rows;
	const struct customer_account *acc;

	assert_int_equal(customer_list(&nca, &lq, &p), 1);
	assert_int_equal(p.count, 2);
	rows = p.rows;
	assert_int_equal(p.n, 2);
	assert_int_equal(rows[0].id, FX_NORTH);		/* by name */
	assert_string_equal(rows[0].path_text, "Acme North");
	assert_int_equal(rows[1].id, FX_EAST);
	assert_string_equal(rows[1].path_text,
	    "Acme North \xe2\x80\xba Acme North East");
	/* customer_id: the customers directly below it; outside the view
	 * not found; the API's keyset pages know no such filter */
	lq.customer_id = FX_NORTH;
	assert_int_equal(customer_list(&nca, &lq, &p), 1);
	assert_int_equal(p.n, 1);
	assert_int_equal(((struct customer *)p.rows)->id, FX_EAST);
	lq.customer_id = FX_OTHER;
	assert_int_equal(customer_list(&nca, &lq, &p), 0);
	lq.keyset = true;
	assert_int_equal(customer_list(&nca, &lq, &p), 1);
	assert_int_equal(p.n, 2);
	lq.keyset = false;
	lq.customer_id = 0;

	assert_int_equal(customer_get(&nca, FX_ACME, &c), 0);
	assert_int_equal(customer_get(&nca, FX_SOUTH, &c), 0);
	assert_int_equal(customer_get(&nca, FX_NORTH, &c), 1);
	assert_true(c.top);
	assert_int_equal(c.children, 1);
	/* north.admin, north.fleet, north.nca, north.dm */
	assert_int_equal(c.users, 4);
	assert_int_equal(customer_get(&op, FX_NORTH, &c), 1);
	assert_false(c.top);

	/* a new customer's form: the parent asked for if seen, else the
	 * own customer; an operator's: a new account */
	assert_int_equal(customer_new_parent(&nca, FX_SOUTH, &c), 1);
	assert_int_equal(c.id, FX_NORTH);
	assert_int_equal(customer_new_parent(&nca, FX_EAST, &c), 1);
	assert_int_equal(c.id, FX_EAST);
	assert_int_equal(customer_new_parent(&op, 0, &c), 0);

	assert_int_equal(customer_overview(&nca, &o), 1);
	assert_false(o.every_account);
	assert_true(o.has_own);
	assert_string_equal(o.own.name, "Acme North");
	assert_int_equal(customer_overview(&op, &o), 1);
	assert_true(o.every_account);
	assert_int_equal(o.accounts.n, 2);
	acc = o.accounts.rows;
	assert_string_equal(acc[0].name, "Acme");
	assert_int_equal(acc[0].customers, 4);
	/* every user but the operator and other.admin */
	assert_int_equal(acc[0].users, 9);
	assert_string_equal(acc[1].name, "Other");
	assert_int_equal(acc[1].customers, 1);
	assert_int_equal(acc[1].users, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_rules, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_create_under_a_parent,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_operator_makes_an_account,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_move_and_partial_update,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_mfa_never_loosens_below,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reads_stay_in_the_view,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
