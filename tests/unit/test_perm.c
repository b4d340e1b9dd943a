/*
 * test_perm.c - the permission matrix, granting and the scope range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

/* Every row of the spec's matrix, for every single group. */
static void
test_matrix(void **state)
{
	static const struct {
		enum perm_action action;
		unsigned allowed_single;	/* groups that alone allow it */
	} rows[] = {
		{ ACT_ANY, GROUP_ALL },
		{ ACT_CUSTOMERS, GROUP_NESTED_CUSTOMER_ADMIN },
		{ ACT_USERS, GROUP_ACCOUNT_ADMIN },
		{ ACT_DEVICES_LIST, GROUP_FULL_DEVICE_ACCESS |
		    GROUP_ACCOUNT_ADMIN },
		{ ACT_DEVICES_REGISTER, GROUP_DEVICE_MANAGEMENT },
		{ ACT_DEVICES_MANAGE, 0 },	/* needs two groups */
		{ ACT_LOCATIONS, GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT },
		{ ACT_ENFORCE_MFA, GROUP_ACCOUNT_ADMIN },
		{ ACT_OPERATOR, 0 },
	};
	struct user u;
	size_t r, g;

	(void)state;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (g = 0; g < GROUP_COUNT; g++) {
			u = user_with(perm_groups[g].bit);
			if (perm_allows(&u, rows[r].action) !=
			    ((rows[r].allowed_single & perm_groups[g].bit) != 0))
				fail_msg("action %d, group %s", rows[r].action,
				    perm_groups[g].key);
		}
		u = user_with(0);
		assert_int_equal(perm_allows(&u, rows[r].action),
		    rows[r].action == ACT_ANY);
	}
	assert_false(perm_allows(NULL, ACT_ANY));
}

static void
test_manage_devices_needs_both(void **state)
{
	struct user u;

	(void)state;
	u = user_with(GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN);
	assert_true(perm_allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_FULL_DEVICE_ACCESS | GROUP_NESTED_CUSTOMER_ADMIN);
	assert_true(perm_allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_NESTED_CUSTOMER_ADMIN);
	assert_false(perm_allows(&u, ACT_DEVICES_MANAGE));
	u = user_with(GROUP_ALL);
	assert_true(perm_allows(&u, ACT_DEVICES_MANAGE));
	assert_false(perm_allows(&u, ACT_OPERATOR));
	u.is_operator = true;
	assert_true(perm_allows(&u, ACT_OPERATOR));
}

static void
test_grant_only_held_groups(void **state)
{
	struct user u = user_with(GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT);

	(void)state;
	assert_true(perm_may_grant(&u, 0));
	assert_true(perm_may_grant(&u, GROUP_FLEET_MANAGEMENT));
	assert_true(perm_may_grant(&u, GROUP_ACCOUNT_ADMIN |
	    GROUP_FLEET_MANAGEMENT));
	assert_false(perm_may_grant(&u, GROUP_FULL_DEVICE_ACCESS));
	assert_false(perm_may_grant(&u, GROUP_ACCOUNT_ADMIN |
	    GROUP_NESTED_CUSTOMER_ADMIN));
	assert_false(perm_may_grant(&u, 1u << 6));	/* no such group */
	u.is_operator = true;
	assert_true(perm_may_grant(&u, GROUP_ALL));
	assert_false(perm_may_grant(&u, 1u << 6));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_manage_devices_needs_both),
		cmocka_unit_test(test_grant_only_held_groups),
		cmocka_unit_test(test_group_keys),
		cmocka_unit_test(test_scope_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
