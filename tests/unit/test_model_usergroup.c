/*
 * test_model_usergroup.c - user groups (usergroup.c) on the fixture's
 * tree: the most favourable discount and who pays, who sees and
 * changes which group, the operators' definitions and the lists. The
 * access decision's tests are test_model_access.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "usergroup.h"

/* The most favourable discount; its group names who pays; an all-accounts
 * group's discount is its cap; ties go to the group made first. */
static void
test_effect(void **state)
{
	struct fixture *f = *state;
	struct ugroup_effect eff;
	struct viewer v;

	fixture_exec(f, FX_USER_GROUPS);
	fixture_exec(f, "INSERT INTO user_group_members VALUES (1, 5), "
	    "(2, 5), (3, 5)");
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	assert_int_equal(ugroup_effect(&v, FX_EAST_DRIVER, &eff), 0);
	assert_int_equal(eff.ngroups, 3);
	/* 25 twice: Everyone (made at 6) before Acme staff (at 7) */
	assert_int_equal(eff.discount, 25);
	assert_string_equal(eff.groups[0], "Everyone");
	assert_string_equal(eff.financial_owner, "acme.admin");
	assert_string_equal(eff.groups[2], "Acme drivers");
	fixture_exec(f, "UPDATE user_groups SET created_at = 8 WHERE id = 3");
	assert_int_equal(ugroup_effect(&v, FX_EAST_DRIVER, &eff), 0);
	assert_string_equal(eff.financial_owner, "north.fleet");
	/* a payer the viewer does not see is not named */
	v = fixture_viewer(f, FX_NORTH_FLEET, ORIGIN_PAGE);
	fixture_exec(f, "UPDATE user_groups SET financial_owner_id = 2");
	assert_int_equal(ugroup_effect(&v, FX_EAST_DRIVER, &eff), 0);
	assert_null(eff.financial_owner);
	assert_true(eff.financial_owner_hidden);
	/* another account's group is not the user's, whatever the table */
	fixture_exec(f, "DELETE FROM user_group_members");
	fixture_exec(f, "INSERT INTO user_groups (id, name, account_id, "
	    "max_discount_percent, discount_percent, created_at) VALUES (9, "
	    "'Other', 5, 90, 90, 1)");
	fixture_exec(f, "INSERT INTO user_group_members VALUES (9, 5)");
	assert_int_equal(ugroup_effect(&v, FX_EAST_DRIVER, &eff), 0);
	assert_int_equal(eff.ngroups, 0);
	assert_int_equal(eff.discount, 0);
}

/* Who sees and who changes which group. */
static void
test_who_sees_which_group(void **state)
{
	static const struct {
		int64_t who, group;
		int found;
		bool editable, discount;
	} cases[] = {
		{ FX_ACME_ADMIN, 1, 1, true, true },
		{ FX_ACME_ADMIN, 3, 1, false, false },	/* all accounts */
		{ FX_NORTH_ADMIN, 1, 1, true, false },	/* nested: members */
		{ FX_OTHER_ADMIN, 1, 0, false, false },	/* another account */
		{ FX_OTHER_ADMIN, 3, 1, false, false },
		{ FX_EAST_DRIVER, 1, 0, false, false },	/* no group */
		{ FX_OPERATOR, 1, 1, true, true },
		{ FX_OPERATOR, 3, 1, true, false },
	};
	struct fixture *f = *state;
	struct user_group g;
	struct viewer v;
	size_t i;

	fixture_exec(f, FX_USER_GROUPS);
	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		if (ugroup_get(&v, cases[i].group, &g) != cases[i].found)
			fail_msg("case %zu: found", i);
		if (cases[i].found && (g.editable != cases[i].editable ||
		    g.discount_editable != cases[i].discount))
			fail_msg("case %zu: editable %d, discount %d", i,
			    g.editable, g.discount_editable);
	}
}

/* Operators define groups; every refusal changes nothing. */
static void
test_save(void **state)
{
	static const struct {
		const char *what;
		int64_t who;
		struct ugroup_input in;
		enum model_result rc;
	} cases[] = {
		{ "an account's", FX_OPERATOR, { "Drivers", "", "account",
		    FX_ACME, true, "north.admin", "20" }, MODEL_DONE },
		{ "all accounts'", FX_OPERATOR, { "Roaming", "", "all", 0,
		    false, "other.admin", "5" }, MODEL_DONE },
		{ "not an operator", FX_ACME_ADMIN, { "Drivers", "", "all", 0,
		    false, "", "0" }, MODEL_NOT_FOUND },
		{ "no name", FX_OPERATOR, { "", "", "all", 0, false, "", "0" },
		    MODEL_INVALID },
		{ "no scope", FX_OPERATOR, { "X", "", "", 0, false, "", "0" },
		    MODEL_INVALID },
		{ "a nested customer as account", FX_OPERATOR, { "X", "",
		    "account", FX_NORTH, false, "", "0" }, MODEL_INVALID },
		{ "auto-assign for all accounts", FX_OPERATOR, { "X", "", "all",
		    0, true, "", "0" }, MODEL_INVALID },
		{ "a payer of another account", FX_OPERATOR, { "X", "",
		    "account", FX_ACME, false, "other.admin", "0" },
		    MODEL_INVALID },
		{ "a cap over 100", FX_OPERATOR, { "X", "", "all", 0, false, "",
		    "101" }, MODEL_INVALID },
	};
	struct fixture *f = *state;
	struct ugroup_errors e;
	const char *before;
	struct viewer v;
	int64_t saved;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		before = fixture_snapshot(f);
		saved = 0;
		if (ugroup_save(&v, 0, &cases[i].in, &e, &saved) !=
		    cases[i].rc)
			fail_msg("%s: wrong answer", cases[i].what);
		if (cases[i].rc != MODEL_DONE &&
		    strcmp(before, fixture_snapshot(f)) != 0)
			fail_msg("%s: a refusal changed something",
			    cases[i].what);
		if (cases[i].rc == MODEL_DONE && saved == 0)
			fail_msg("%s: no id", cases[i].what);
	}
	/* one name per scope, ignoring case */
	fixture_renew(f);
	v = fixture_viewer(f, FX_OPERATOR, ORIGIN_PAGE);
	assert_int_equal(ugroup_save(&v, 0, &cases[0].in, &e, &saved),
	    MODEL_DONE);
	{
		struct ugroup_input again = cases[0].in;

		again.name = "DRIVERS";
		assert_int_equal(ugroup_save(&v, 0, &again, &e, &saved),
		    MODEL_INVALID);
		assert_int_equal(e.name.status, 409);
		again.scope = "all";	/* another scope: free */
		again.auto_assign = false;
		again.financial_owner = "";
		assert_int_equal(ugroup_save(&v, 0, &again, &e, &saved),
		    MODEL_DONE);
	}
}

/* The lists: operators every group, an account's users theirs and the
 * all-accounts ones; search and scope filter. */
static void
test_list(void **state)
{
	static const struct {
		int64_t who;
		const char *q, *scope;
		int64_t total;
	} cases[] = {
		{ FX_OPERATOR, "", "", 4 },
		{ FX_OPERATOR, "", "all", 1 },
		{ FX_OPERATOR, "", "account", 3 },
		{ FX_OPERATOR, "acme", "", 2 },
		{ FX_ACME_ADMIN, "", "", 3 },
		{ FX_NORTH_ADMIN, "", "", 3 },
		{ FX_OTHER_ADMIN, "", "", 2 },
		{ FX_EAST_DRIVER, "", "", 0 },
		{ FX_ACME_ADMIN, "100%", "", 0 },
	};
	struct fixture *f = *state;
	struct ugroup_query q;
	struct ugroup_page p;
	struct viewer v;
	size_t i;

	fixture_exec(f, FX_USER_GROUPS);
	fixture_exec(f, "INSERT INTO user_groups (id, name, account_id, "
	    "created_at) VALUES (4, 'Other drivers', 5, 1)");
	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		q.q = cases[i].q;
		q.scope = cases[i].scope;
		q.page = 1;
		assert_int_equal(ugroup_list(&v, &q, &p), 0);
		if (p.total != cases[i].total || (int64_t)p.n != p.total)
			fail_msg("case %zu: %lld groups, %zu rows", i,
			    (long long)p.total, p.n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_effect, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_who_sees_which_group,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_save, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
