/*
 * test_openapi.c - static/openapi.json describes exactly the API routes of
 * the route table: every R_API route is in the document and every
 * operation of the document is a route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "perm.h"
#include "routes.h"

#define API_PREFIX "/api/v1"

static const char *
method_key(enum http_method m)
{
	switch (m) {
	case METHOD_GET: return "get";
	case METHOD_POST: return "post";
	case METHOD_PUT: return "put";
	case METHOD_PATCH: return "patch";
	case METHOD_DELETE: return "delete";
	default: return "?";
	}
}

static json_t *
load_doc(void)
{
	const char *path = getenv("OPENAPI_JSON");
	json_error_t err;
	json_t *doc = json_load_file(path ? path : "static/openapi.json", 0,
	    &err);

	if (doc == NULL)
		fail_msg("openapi.json: %s (line %d)", err.text, err.line);
	return doc;
}

static void
test_every_route_is_documented(void **state)
{
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths");
	const struct route *r = NULL;
	size_t n, i, api = 0;

	(void)state;
	r = route_table(&n);
	for (i = 0; i < n; i++) {
		if (!(r[i].flags & R_API))
			continue;
		api++;
		assert_true(strncmp(r[i].pattern, API_PREFIX "/",
		    strlen(API_PREFIX) + 1) == 0);
		if (json_object_get(json_object_get(paths, r[i].pattern +
		    strlen(API_PREFIX)), method_key(r[i].method)) == NULL)
			fail_msg("%s %s is not in openapi.json",
			    method_key(r[i].method), r[i].pattern);
	}
	assert_true(api > 0);
	json_decref(doc);
}

static void
test_every_operation_is_a_route(void **state)
{
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths");
	const struct route *r;
	json_t *ops, *op;
	const char *path, *method;
	char full[256];
	size_t n, i;
	bool found;

	(void)state;
	r = route_table(&n);
	json_object_foreach(paths, path, ops) {
		snprintf(full, sizeof(full), API_PREFIX "%s", path);
		json_object_foreach(ops, method, op) {
			found = false;
			for (i = 0; i < n && !found; i++)
				found = (r[i].flags & R_API) &&
				    strcmp(r[i].pattern, full) == 0 &&
				    strcasecmp(method_key(r[i].method),
				    method) == 0;
			if (!found)
				fail_msg("openapi.json has %s %s, the route "
				    "table does not", method, full);
		}
	}
	json_decref(doc);
}

/* Whether the enum e names a permission group anywhere. */
static bool
names_a_group(json_t *e)
{
	json_t *item;
	size_t i;

	json_array_foreach(e, i, item)
		if (json_is_string(item) &&
		    perm_group_by_key(json_string_value(item)) != 0)
			return true;
	return false;
}

/* The enums under j (any depth) that name a permission group: each must
 * be perm.c's keys in order; their number in *n. */
static void
check_group_enums(json_t *j, int *n)
{
	json_t *v, *e = json_is_object(j) ? json_object_get(j, "enum") : NULL;
	const char *key;
	size_t i;

	if (json_is_array(e) && names_a_group(e)) {
		(*n)++;
		if (json_array_size(e) != GROUP_COUNT)
			fail_msg("a group enum of %zu keys, not %d",
			    json_array_size(e), GROUP_COUNT);
		for (i = 0; i < GROUP_COUNT && i < json_array_size(e); i++)
			if (strcmp(json_string_value(json_array_get(e, i)),
			    perm_groups[i].key) != 0)
				fail_msg("group enum item %zu is not %s", i,
				    perm_groups[i].key);
	}
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			check_group_enums(v, n);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			check_group_enums(v, n);
	}
}

/* Every list of permission groups in the document is perm.c's. */
static void
test_group_enums_are_the_groups(void **state)
{
	json_t *doc = load_doc();
	int n = 0;

	(void)state;
	check_group_enums(doc, &n);
	assert_int_equal(n, 5);	/* the users' filter, documents and bodies */
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_is_documented),
		cmocka_unit_test(test_every_operation_is_a_route),
		cmocka_unit_test(test_group_enums_are_the_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
