/*
 * test_form.c - the door: query/body parsing, cookies, ids, redirects.
 * Table-driven: each case is an input and the outcome it must have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "form.h"

static const struct {
	const char *input;
	enum form_err want;
	size_t fields;
	const char *name0, *value0;
} parse_cases[] = {
	{ "", FORM_OK, 0, NULL, NULL },
	{ "a=1", FORM_OK, 1, "a", "1" },
	{ "a=1&b=2", FORM_OK, 2, "a", "1" },
	{ "a=1&&b=2&", FORM_OK, 2, "a", "1" },
	{ "flag", FORM_OK, 1, "flag", "" },
	{ "q=a+b%2Bc", FORM_OK, 1, "q", "a b+c" },
	{ "n%C3%A6vn=%C3%A6%C3%B8%C3%A5", FORM_OK, 1, "n\xc3\xa6vn",
	  "\xc3\xa6\xc3\xb8\xc3\xa5" },
	{ "x=%zz", FORM_BAD_ESCAPE, 0, NULL, NULL },
	{ "x=%4", FORM_BAD_ESCAPE, 0, NULL, NULL },
	{ "x=%", FORM_BAD_ESCAPE, 0, NULL, NULL },
	{ "x%G1=1", FORM_BAD_ESCAPE, 0, NULL, NULL },
	{ "x=a%00b", FORM_NUL, 0, NULL, NULL },
	{ "x=%C3%28", FORM_BAD_UTF8, 0, NULL, NULL },
	{ "x=%C0%AF", FORM_BAD_UTF8, 0, NULL, NULL },	/* overlong '/' */
	{ "x=%ED%A0%80", FORM_BAD_UTF8, 0, NULL, NULL },	/* surrogate */
	{ "=1", FORM_EMPTY_NAME, 0, NULL, NULL },
};

static void
test_parse_table(void **state)
{
	struct arena *a = arena_new();
	struct params p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		enum form_err e = form_parse(a, parse_cases[i].input,
		    strlen(parse_cases[i].input), &p);

		if (e != parse_cases[i].want)
			fail_msg("case %zu (%s): got %d, want %d", i,
			    parse_cases[i].input, e, parse_cases[i].want);
		if (e != FORM_OK)
			continue;
		assert_int_equal(p.n, parse_cases[i].fields);
		if (parse_cases[i].name0 != NULL) {
			assert_string_equal(p.v[0].name, parse_cases[i].name0);
			assert_string_equal(p.v[0].value, parse_cases[i].value0);
		}
	}
	arena_free(a);
}

static void
test_embedded_nul_in_raw_body(void **state)
{
	struct arena *a = arena_new();
	struct params p;

	(void)state;
	assert_int_equal(form_parse(a, "a=1\0b", 5, &p), FORM_NUL);
	arena_free(a);
}

static void
test_limits(void **state)
{
	struct arena *a = arena_new();
	struct params p;
	char *s;
	size_t i, n;

	(void)state;
	/* FORM_MAX_FIELDS fields pass, one more does not */
	s = malloc(FORM_MAX_FIELDS * 4 + 8);
	for (i = 0, n = 0; i < FORM_MAX_FIELDS; i++)
		n += (size_t)sprintf(s + n, "%sa=", i ? "&" : "");
	assert_int_equal(form_parse(a, s, n, &p), FORM_OK);
	assert_int_equal(p.n, FORM_MAX_FIELDS);
	n += (size_t)sprintf(s + n, "&b=");
	assert_int_equal(form_parse(a, s, n, &p), FORM_TOO_MANY);
	free(s);

	/* names up to FORM_MAX_NAME bytes */
	s = calloc(1, FORM_MAX_NAME + 8);
	memset(s, 'n', FORM_MAX_NAME);
	assert_int_equal(form_parse(a, s, strlen(s), &p), FORM_OK);
	s[FORM_MAX_NAME] = 'n';
	assert_int_equal(form_parse(a, s, strlen(s), &p), FORM_NAME_TOO_LONG);
	free(s);

	/* values up to FORM_MAX_VALUE bytes */
	s = calloc(1, FORM_MAX_VALUE + 8);
	memcpy(s, "v=", 2);
	memset(s + 2, 'x', FORM_MAX_VALUE);
	assert_int_equal(form_parse(a, s, strlen(s), &p), FORM_OK);
	s[FORM_MAX_VALUE + 2] = 'x';
	assert_int_equal(form_parse(a, s, strlen(s), &p),
	    FORM_VALUE_TOO_LONG);
	free(s);
	arena_free(a);
}

static void
test_repeated_fields(void **state)
{
	struct arena *a = arena_new();
	struct params p;
	const char **all;
	size_t n;

	(void)state;
	assert_int_equal(form_parse(a, "group=a&x=1&group=b", 19, &p),
	    FORM_OK);
	assert_string_equal(param_get(&p, "group"), "a");
	assert_null(param_get(&p, "missing"));
	all = param_all(a, &p, "group", &n);
	assert_int_equal(n, 2);
	assert_string_equal(all[0], "a");
	assert_string_equal(all[1], "b");
	arena_free(a);
}

static void
test_cookies(void **state)
{
	struct arena *a = arena_new();
	struct params p;

	(void)state;
	form_parse_cookies(a, "a=1; __Host-arbor_session=xyz;junk; b = 2",
	    &p);
	assert_string_equal(param_get(&p, "a"), "1");
	assert_string_equal(param_get(&p, "__Host-arbor_session"), "xyz");
	assert_string_equal(param_get(&p, "b"), " 2");
	assert_null(param_get(&p, "junk"));
	form_parse_cookies(a, NULL, &p);
	assert_int_equal(p.n, 0);
	arena_free(a);
}

static void
test_parse_id(void **state)
{
	static const struct {
		const char *s;
		int64_t want;
	} cases[] = {
		/* at most 18 digits: no overflow check needed, and more
		 * than any table will hold */
		{ "1", 1 }, { "42", 42 },
		{ "999999999999999999", 999999999999999999LL },
		{ "1000000000000000000", 0 },
		{ "0", 0 }, { "007", 0 }, { "-1", 0 }, { "+1", 0 }, { " 1", 0 },
		{ "1 ", 0 }, { "1a", 0 }, { "", 0 },
		{ "9223372036854775808", 0 }, { "99999999999999999999", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (parse_id(cases[i].s) != cases[i].want)
			fail_msg("parse_id(\"%s\")", cases[i].s);
	assert_int_equal(parse_id(NULL), 0);
}

static void
test_local_path(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "/accounts", true }, { "/users?q=a&page=2", true },
		{ "/", true }, { "//evil.example", false },
		{ "/\\evil.example", false }, { "https://evil.example", false },
		{ "evil", false }, { "", false }, { "/a\r\nSet-Cookie:x", false },
		{ "/a\\b", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (local_path(cases[i].s) != cases[i].ok)
			fail_msg("local_path(\"%s\")", cases[i].s);
	assert_false(local_path(NULL));
}

static void
test_url_encode(void **state)
{
	struct arena *a = arena_new();

	(void)state;
	assert_string_equal(url_encode(a, "/users?q=a b&x=1"),
	    "%2Fusers%3Fq%3Da%20b%26x%3D1");
	assert_string_equal(url_encode(a, "Az09-._~"), "Az09-._~");
	assert_string_equal(url_encode(a, "\xc3\xa6"), "%C3%A6");
	arena_free(a);
}

/* A local path for Location: what may stand stays, the rest is
 * escaped, and escaping twice changes nothing. */
static void
test_url_encode_path(void **state)
{
	static const struct {
		const char *s, *want;
	} cases[] = {
		{ "/users?q=a&page=2", "/users?q=a&page=2" },
		{ "/users?q=a b", "/users?q=a%20b" },
		{ "/x?q=\"<b>\"", "/x?q=%22%3Cb%3E%22" },
		{ "/x?q=\xc3\xa6", "/x?q=%C3%A6" },
		{ "/a%20b", "/a%20b" },		/* an escape stays */
		{ "/a%zz%4", "/a%25zz%254" },	/* a lone '%' does not */
		{ "/a#b", "/a%23b" },
		{ "/a!$&'()*+,;=:@~", "/a!$&'()*+,;=:@~" },
		{ "/a{|}^`[]", "/a%7B%7C%7D%5E%60%5B%5D" },
	};
	struct arena *a = arena_new();
	const char *once;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		once = url_encode_path(a, cases[i].s);
		if (strcmp(once, cases[i].want) != 0 ||
		    strcmp(url_encode_path(a, once), once) != 0)
			fail_msg("url_encode_path(\"%s\"): %s", cases[i].s,
			    once);
	}
	arena_free(a);
}

/* ------------------------------------------------ multipart/form-data */

#define MP_TYPE "multipart/form-data; boundary=XyZ"

static const struct {
	const char *body;
	enum form_err want;
	size_t fields;
	const char *name1, *value1;	/* the second field, if any */
} multipart_cases[] = {
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\n"
	  "preview\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
	  "filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n"
	  "--XyZ--\r\n", FORM_OK, 2, "file", "a,b\r\n1,2" },
	/* a preamble, a quoted name with a ';' in the filename */
	{ "preamble\r\n--XyZ\r\ncontent-disposition: form-data; "
	  "filename=\"a;b.csv\"; name=\"csv\"\r\n\r\nx\r\n--XyZ\r\n"
	  "Content-Disposition: form-data; name=\"q\"\r\n\r\n\r\n--XyZ--",
	  FORM_OK, 2, "q", "" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
	  FORM_BAD_MULTIPART, 0, NULL, NULL },		/* no closing */
	{ "--Other\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	  "--Other--", FORM_BAD_MULTIPART, 0, NULL, NULL },
	{ "--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--",
	  FORM_BAD_MULTIPART, 0, NULL, NULL },		/* no disposition */
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n"
	  "--XyZ--", FORM_EMPTY_NAME, 0, NULL, NULL },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n"
	  "--XyZ--", FORM_BAD_UTF8, 0, NULL, NULL },	/* text is UTF-8 */
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
	  "filename=\"x\"\r\n\r\n\xff\xfe\r\n--XyZ--", FORM_OK, 1, NULL,
	  NULL },				/* the file read is bytes */
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"full_name\"; "
	  "filename=\"x\"\r\n\r\n\xff\xfe\r\n--XyZ--", FORM_BAD_UTF8, 0,
	  NULL, NULL },			/* any other part is text */
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	  "--XyZjunk", FORM_BAD_MULTIPART, 0, NULL, NULL },
};

static void
test_multipart(void **state)
{
	struct arena *a = arena_new();
	struct params p;
	enum form_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(multipart_cases) / sizeof(multipart_cases[0]);
	    i++) {
		e = form_parse_multipart(a, multipart_cases[i].body,
		    strlen(multipart_cases[i].body), MP_TYPE, 1024, "file", &p);
		if (e != multipart_cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, (int)e,
			    (int)multipart_cases[i].want);
		if (e != FORM_OK)
			continue;
		assert_int_equal(p.n, multipart_cases[i].fields);
		if (multipart_cases[i].name1 != NULL) {
			assert_string_equal(p.v[1].name,
			    multipart_cases[i].name1);
			assert_string_equal(p.v[1].value,
			    multipart_cases[i].value1);
			assert_int_equal(p.v[1].len,
			    strlen(multipart_cases[i].value1));
		}
	}
	/* the limit of a value, the boundary's presence */
	e = form_parse_multipart(a, multipart_cases[0].body,
	    strlen(multipart_cases[0].body), MP_TYPE, 4, "file", &p);
	assert_int_equal(e, FORM_VALUE_TOO_LONG);
	e = form_parse_multipart(a, multipart_cases[0].body,
	    strlen(multipart_cases[0].body), "multipart/form-data", 1024,
	    "file", &p);
	assert_int_equal(e, FORM_BAD_MULTIPART);
	assert_true(form_is_multipart(MP_TYPE));
	assert_false(form_is_multipart("application/x-www-form-urlencoded"));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_embedded_nul_in_raw_body),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_repeated_fields),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_local_path),
		cmocka_unit_test(test_url_encode),
		cmocka_unit_test(test_url_encode_path),
		cmocka_unit_test(test_multipart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
