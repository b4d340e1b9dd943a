/*
 * test_perm.c - the permission matrix, granting and the scope range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "arena.h"
#include "perm.h"
#include "user.h"

static struct user
user_with(unsigned groups)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	u.customer_id = 5;
	u.customer_path = "/1/5/";
	u.groups = groups;
	return u;
}

/* What the gate would build for u (only the parts the rule reads). */
static struct viewer
viewer_of(const struct user *u)
{
	struct viewer v;

	memset(&v, 0, sizeof(v));
	v.user = u;
	return v;
}

static bool
allows(const struct user *u, enum perm_action a)
{
	struct viewer v = viewer_of(u);

	return perm_allows(&v, a);
}

static bool
may_read(const struct user *u, enum perm_action a)
{
	struct viewer v = viewer_of(u);

	return perm_may_read(&v, a);
}

static bool
may_grant(const struct user *u, unsigned bits)
{
	struct viewer v = viewer_of(u);

	return perm_may_grant(&v, bits);
}

/* Every row of the spec's matrix, for every single group: what it
 * allows, and what it lets read (API Developer reads what an Account
 * Administrator with Full Device Access and Nested Customer Administrator
 * reads, and does none of it). */
static void
test_matrix(void **state)
{
	static const struct {
		enum perm_action action;
		unsigned allowed_single;	/* groups that alone allow it */
		unsigned read_single;		/* ... that alone let read it */
	} rows[] = {
		{ ACT_ANY, GROUP_ALL, GROUP_ALL },
		{ ACT_CUSTOMERS, GROUP_NESTED_CUSTOMER_ADMIN,
		    GROUP_NESTED_CUSTOMER_ADMIN | GROUP_API_DEVELOPER },
		{ ACT_USERS, GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN |
		    GROUP_API_DEVELOPER },
		{ ACT_DEVICES_LIST, GROUP_FULL_DEVICE_ACCESS |
		    GROUP_ACCOUNT_ADMIN, GROUP_FULL_DEVICE_ACCESS |
		    GROUP_ACCOUNT_ADMIN | GROUP_API_DEVELOPER },
		{ ACT_DEVICES_PAGE, GROUP_FULL_DEVICE_ACCESS |
		    GROUP_ACCOUNT_ADMIN | GROUP_DEVICE_MANAGEMENT,
		    GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN |
		    GROUP_DEVICE_MANAGEMENT | GROUP_API_DEVELOPER },
		{ ACT_DEVICES_REGISTER, GROUP_DEVICE_MANAGEMENT,
		    GROUP_DEVICE_MANAGEMENT },
		{ ACT_DEVICES_MANAGE, 0, 0 },	/* needs two groups */
		/* each their part of the form: device.c */
		{ ACT_DEVICE_EDIT, GROUP_DEVICE_MANAGEMENT | GROUP_ACCOUNT_ADMIN,
		    GROUP_DEVICE_MANAGEMENT | GROUP_ACCOUNT_ADMIN },
		{ ACT_LOCATIONS, GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT,
		    GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT |
		    GROUP_API_DEVELOPER },
		/* the security settings are a form, not a page to read */
		{ ACT_ENFORCE_MFA, GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN },
		/* whose account: account.c */
		{ ACT_ACCOUNT_PROFILE, GROUP_BILLING_ADMIN | GROUP_ACCOUNT_ADMIN,
		    GROUP_BILLING_ADMIN | GROUP_ACCOUNT_ADMIN |
		    GROUP_API_DEVELOPER },
		/* sharing a location is an administrator's; accepting and
		 * reading one is a Location Facilitator's (share.h) */
		{ ACT_LOCATION_SHARES, GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN |
		    GROUP_API_DEVELOPER },
		{ ACT_SHARED, GROUP_LOCATION_FACILITATOR,
		    GROUP_LOCATION_FACILITATOR },
		{ ACT_USER_GROUPS, GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN |
		    GROUP_API_DEVELOPER | GROUP_BILLING_ADMIN },
		{ ACT_ACCESS_CONTROL, GROUP_ACCESS_CONTROL,
		    GROUP_ACCESS_CONTROL | GROUP_API_DEVELOPER },
		{ ACT_OPERATOR, 0, 0 },
	};
	struct user u;
	size_t r, g;
	unsigned bit;

	(void)state;
	/* one row per action: a new action is not left out */
	assert_int_equal(sizeof(rows) / sizeof(rows[0]), ACT_OPERATOR + 1);
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (g = 0; g < GROUP_COUNT; g++) {
			bit = perm_groups[g].bit;
			u = user_with(bit);
			if (allows(&u, rows[r].action) !=
			    ((rows[r].allowed_single & bit) != 0) ||
			    may_read(&u, rows[r].action) !=
			    ((rows[r].read_single & bit) != 0))
				fail_msg("action %d, group %s", rows[r].action,
				    perm_groups[g].key);
		}
		u = user_with(0);
		assert_int_equal(allows(&u, rows[r].action),
		    rows[r].action == ACT_ANY);
		assert_int_equal(may_read(&u, rows[r].action),
		    rows[r].action == ACT_ANY);
	}
	assert_false(allows(NULL, ACT_ANY));
	assert_false(may_read(NULL, ACT_ANY));
}

/* arborctl acting as itself may do everything and sees every customer;
 * an anonymous page visitor may do nothing and sees none. */
static void
test_system_and_anonymous_viewers(void **state)
{
	struct app app;
	struct arena *a = arena_new();
	struct viewer v;

	(void)state;
	memset(&app, 0, sizeof(app));
	perm_viewer(&v, &app, a, 1, ORIGIN_CLI, NULL, NULL);
	assert_true(v.system);
	assert_true(perm_allows(&v, ACT_OPERATOR));
	assert_int_equal(perm_grantable(&v), GROUP_ALL);
	assert_true(strcmp("/1/5/", v.scope.path) >= 0 &&
	    strcmp("/1/5/", v.scope.path_end) < 0);
	perm_viewer(&v, &app, a, 1, ORIGIN_PAGE, "127.0.0.1", NULL);
	assert_false(v.system);
	assert_false(perm_allows(&v, ACT_ANY));
	assert_int_equal(perm_grantable(&v), 0);
	assert_false(strcmp("/1/", v.scope.path) >= 0 &&
	    strcmp("/1/", v.scope.path_end) < 0);
	arena_free(a);
}

static void
test_manage_devices_needs_both(void **state)
{
	struct user u;

	(void)state;
	u = user_with(GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN);
	assert_true(allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_FULL_DEVICE_ACCESS | GROUP_NESTED_CUSTOMER_ADMIN);
	assert_true(allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_NESTED_CUSTOMER_ADMIN);
	assert_false(allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_ALL);
	assert_true(allows(&u, ACT_DEVICES_MANAGE));
	assert_false(allows(&u, ACT_OPERATOR));
	u.is_operator = true;
	assert_true(allows(&u, ACT_OPERATOR));
}

static void
test_grant_only_held_groups(void **state)
{
	struct user u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT);

	(void)state;
	assert_true(may_grant(&u, 0));
	assert_true(may_grant(&u, GROUP_FLEET_MANAGEMENT));
	assert_true(may_grant(&u, GROUP_ACCOUNT_ADMIN |
	    GROUP_FLEET_MANAGEMENT));
	assert_false(may_grant(&u, GROUP_FULL_DEVICE_ACCESS));
	assert_false(may_grant(&u, GROUP_ACCOUNT_ADMIN |
	    GROUP_NESTED_CUSTOMER_ADMIN));
	assert_false(may_grant(&u, GROUP_API_DEVELOPER));
	assert_false(may_grant(&u, GROUP_ALL + 1));	/* no such group */
	/* API Developer reads what these three read: who holds them may
	 * give it; two of them are not enough */
	u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_NESTED_CUSTOMER_ADMIN);
	assert_false(may_grant(&u, GROUP_API_DEVELOPER));
	u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_NESTED_CUSTOMER_ADMIN |
	    GROUP_FULL_DEVICE_ACCESS);
	assert_true(may_grant(&u, GROUP_API_DEVELOPER));
	assert_false(may_grant(&u, GROUP_API_DEVELOPER |
	    GROUP_FLEET_MANAGEMENT));
	u = user_with(GROUP_API_DEVELOPER);
	assert_true(may_grant(&u, GROUP_API_DEVELOPER));
	assert_false(may_grant(&u, GROUP_ACCOUNT_ADMIN));
	u.is_operator = true;
	assert_true(may_grant(&u, GROUP_ALL));
	assert_false(may_grant(&u, GROUP_ALL + 1));
}

/* A user is changed (or deleted) only by someone who holds every group
 * they hold: the editor's groups against the user's. */
static void
test_change_only_users_within_held_groups(void **state)
{
	static const struct {
		unsigned editor, target;
		bool operator, may;
	} cases[] = {
		{ GROUP_ACCOUNT_ADMIN, 0, false, true },
		{ GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN, false, true },
		{ GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT,
		    GROUP_FLEET_MANAGEMENT, false, true },
		{ GROUP_ACCOUNT_ADMIN, GROUP_ACCOUNT_ADMIN |
		    GROUP_FULL_DEVICE_ACCESS, false, false },
		{ GROUP_ACCOUNT_ADMIN, GROUP_ACCESS_CONTROL, false, false },
		{ GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT, GROUP_ALL,
		    false, false },
		{ GROUP_ALL, GROUP_ALL, false, true },
		{ 0, GROUP_ALL, true, true },
	};
	struct user u;
	struct viewer v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u = user_with(cases[i].editor);
		u.is_operator = cases[i].operator;
		v = viewer_of(&u);
		if (perm_may_change_user(&v, cases[i].target) != cases[i].may)
			fail_msg("case %zu", i);
	}
	/* arborctl itself holds every group */
	memset(&v, 0, sizeof(v));
	v.system = true;
	assert_true(perm_may_change_user(&v, GROUP_ALL));
}

static void
test_group_keys(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < GROUP_COUNT; i++)
		assert_int_equal(perm_group_by_key(perm_groups[i].key),
		    perm_groups[i].bit);
	assert_int_equal(perm_group_by_key("root"), 0);
	assert_int_equal(perm_group_by_key(NULL), 0);
}

static void
test_scope_range(void **state)
{
	struct arena *a = arena_new();
	struct user u = user_with(GROUP_FULL_DEVICE_ACCESS);
	struct scope sc;

	(void)state;
	sc = perm_scope(&u, a);
	assert_string_equal(sc.path, "/1/5/");
	assert_string_equal(sc.path_end, "/1/50");
	/* the own customer and below are in, the parent and '/1/50/' out */
	assert_true(strcmp("/1/5/", sc.path) >= 0 &&
	    strcmp("/1/5/", sc.path_end) < 0);
	assert_true(strcmp("/1/5/23/", sc.path) >= 0 &&
	    strcmp("/1/5/23/", sc.path_end) < 0);
	assert_false(strcmp("/1/", sc.path) >= 0);
	assert_false(strcmp("/1/50/", sc.path_end) < 0);
	assert_false(strcmp("/1/6/", sc.path_end) < 0);
	assert_true(sc.devices_visible);
	assert_int_equal(sc.location_user, 0);

	u = user_with(GROUP_DEVICE_MANAGEMENT);
	u.has_locations = true;
	sc = perm_scope(&u, a);
	assert_false(sc.devices_visible);
	assert_int_equal(sc.location_user, 7);

	/* an API Developer reads the devices, at their locations if any */
	u = user_with(GROUP_API_DEVELOPER);
	u.has_locations = true;
	sc = perm_scope(&u, a);
	assert_true(sc.devices_visible);
	assert_int_equal(sc.location_user, 7);

	u = user_with(0);
	u.is_operator = true;
	u.customer_path = "/";
	sc = perm_scope(&u, a);
	assert_string_equal(sc.path, "/");
	assert_string_equal(sc.path_end, "0");
	assert_true(sc.devices_visible);

	sc = perm_scope(NULL, a);	/* nobody sees nothing */
	assert_string_equal(sc.path, "");
	assert_string_equal(sc.path_end, "");
	arena_free(a);
}

/* The end of a subtree, the one place the path-range trick is made;
 * moves range over the subtree they rewrite with it. */
static void
test_subtree_end(void **state)
{
	static const struct {
		const char *path;
		const char *end;
	} cases[] = {
		{ "/1/5/", "/1/50" },
		{ "/1/5/23/", "/1/5/230" },
		{ "/", "0" },
		{ "", "" },
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(perm_subtree_end(a, cases[i].path),
		    cases[i].end);
	/* '/1/5/' ends before its sibling '/1/50/' */
	assert_true(strcmp("/1/50/", perm_subtree_end(a, "/1/5/")) >= 0);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_system_and_anonymous_viewers),
		cmocka_unit_test(test_manage_devices_needs_both),
		cmocka_unit_test(test_grant_only_held_groups),
		cmocka_unit_test(test_change_only_users_within_held_groups),
		cmocka_unit_test(test_group_keys),
		cmocka_unit_test(test_scope_range),
		cmocka_unit_test(test_subtree_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
