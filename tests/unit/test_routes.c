/*
 * test_routes.c - route matching: patterns, {id}/{sub}/{token}, 404 vs
 * 405.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "http.h"
#include "routes.h"

static enum route_result
find(struct arena *a, enum http_method m, const char *path,
    const struct route **r, char *allow, size_t n)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.method = m;
	req.path = path;
	return route_find(&req, r, allow, n);
}

static void
test_known_routes(void **state)
{
	struct arena *a = arena_new();
	const struct route *r = NULL;
	char allow[128];

	(void)state;
	assert_int_equal(find(a, METHOD_GET, "/login", &r, allow,
	    sizeof(allow)), ROUTE_FOUND);
	assert_string_equal(r->pattern, "/login");
	assert_int_equal(r->method, METHOD_GET);
	assert_true(r->flags & R_PUBLIC);
	/* HEAD is served by the GET route */
	assert_int_equal(find(a, METHOD_HEAD, "/accounts", &r, allow,
	    sizeof(allow)), ROUTE_FOUND);
	assert_false(r->flags & R_PUBLIC);
	assert_int_equal(find(a, METHOD_POST, "/login", &r, allow,
	    sizeof(allow)), ROUTE_FOUND);
	assert_int_equal(r->method, METHOD_POST);
	arena_free(a);
}

/* {id} and {sub}: two ids of one path, each a positive decimal */
static void
test_two_ids(void **state)
{
	struct arena *a = arena_new();
	struct request req;
	const struct route *r = NULL;
	char allow[128];

	(void)state;
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.method = METHOD_POST;
	req.path = "/locations/12/shares/345/revoke";
	assert_int_equal(route_find(&req, &r, allow, sizeof(allow)),
	    ROUTE_FOUND);
	assert_int_equal(req.id, 12);
	assert_int_equal(req.sub_id, 345);
	assert_string_equal(r->pattern, "/locations/{id}/shares/{sub}/revoke");
	assert_int_equal(find(a, METHOD_POST, "/locations/12/shares/x/revoke",
	    &r, allow, sizeof(allow)), ROUTE_NO_PATH);
	assert_int_equal(find(a, METHOD_POST, "/locations/12/shares/0/revoke",
	    &r, allow, sizeof(allow)), ROUTE_NO_PATH);
	assert_int_equal(find(a, METHOD_POST, "/locations/12/shares//revoke",
	    &r, allow, sizeof(allow)), ROUTE_NO_PATH);
	arena_free(a);
}

static void
test_unknown_paths(void **state)
{
	static const char *const paths[] = {
		"/nope", "/login/", "/accounts/x", "", "/LOGIN", "//login",
		"/login?x",
	};
	struct arena *a = arena_new();
	const struct route *r;
	char allow[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (find(a, METHOD_GET, paths[i], &r, allow, sizeof(allow)) !=
		    ROUTE_NO_PATH)
			fail_msg("%s matched", paths[i]);
	arena_free(a);
}

static void
test_wrong_method_lists_allowed(void **state)
{
	struct arena *a = arena_new();
	const struct route *r;
	char allow[128];

	(void)state;
	assert_int_equal(find(a, METHOD_DELETE, "/login", &r, allow,
	    sizeof(allow)), ROUTE_BAD_METHOD);
	assert_string_equal(allow, "GET, HEAD, POST");
	assert_int_equal(find(a, METHOD_POST, "/accounts", &r, allow,
	    sizeof(allow)), ROUTE_BAD_METHOD);
	assert_string_equal(allow, "GET, HEAD");
	assert_int_equal(find(a, METHOD_GET, "/logout", &r, allow,
	    sizeof(allow)), ROUTE_BAD_METHOD);
	assert_string_equal(allow, "POST");
	arena_free(a);
}

/*
 * A route that lets API Developers in because it only reads (R_READ) is a
 * GET that needs a login, and every API GET of tenant data is one: a
 * change can never be let through for a viewer who may only read it.
 */
static void
test_read_routes_are_logged_in_gets(void **state)
{
	const struct route *t;
	size_t n, i, reads = 0;

	(void)state;
	t = route_table(&n);
	for (i = 0; i < n; i++) {
		if ((t[i].flags & R_READ) && (t[i].method != METHOD_GET ||
		    (t[i].flags & R_PUBLIC) || t[i].action == ACT_ANY))
			fail_msg("%s: R_READ on a write, public or open route",
			    t[i].pattern);
		if ((t[i].flags & R_API) && t[i].method == METHOD_GET &&
		    t[i].action != ACT_ANY && !(t[i].flags & R_READ))
			fail_msg("%s: an API GET without R_READ", t[i].pattern);
		reads += (t[i].flags & R_READ) != 0;
	}
	assert_true(reads >= 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_routes),
		cmocka_unit_test(test_two_ids),
		cmocka_unit_test(test_unknown_paths),
		cmocka_unit_test(test_wrong_method_lists_allowed),
		cmocka_unit_test(test_read_routes_are_logged_in_gets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
