/*
 * test_check.c - the input rules shared by the pages and the API
 * (check.h): trimming, characters, control characters, e-mail addresses
 * and the field-error records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "check.h"

/* IBANs: the registry's examples pass, written with spaces or in small
 * letters too; one character changed, two swapped, a wrong shape or a
 * character outside ASCII letters and digits fail. */
static void
test_iban(void **state)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} cases[] = {
		{ "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432" },
		{ "NL91ABNA0417164300", "NL91ABNA0417164300" },
		{ "nl91 abna 0417 1643 00", "NL91ABNA0417164300" },
		{ "DE89 3704 0044 0532 0130 00", "DE89370400440532013000" },
		{ "DK50 0040 0440 1162 43", "DK5000400440116243" },
		{ "BE68 5390 0754 7034", "BE68539007547034" },
		{ "FR14 2004 1010 0505 0001 3M02 606",
		    "FR1420041010050500013M02606" },
		{ "GB82 WEST 1234 5698 7654 33", NULL },	/* one digit */
		{ "NL91ABNA0417164030", NULL },		/* two swapped */
		{ "GB28 WEST 1234 5698 7654 32", NULL },	/* check digits */
		{ "NL91ABNA04", NULL },			/* too short */
		{ "NL91ABNA04171643001234567890123456789", NULL },
		{ "9L91ABNA0417164300", NULL },		/* no country */
		{ "NLX1ABNA0417164300", NULL },
		{ "GB82-WEST-1234-5698-7654-32", NULL },
		{ "NL91ABNA041716430\xc3\x96", NULL },
		{ "", NULL }, { "   ", NULL },
		/* mod-97 right, but check digits never issued */
		{ "GB00WEST12345700000069", NULL },
		{ "GB01WEST12345700000051", NULL },
		{ "GB99WEST12345700000033", NULL },
	};
	struct arena *a = arena_new();
	const char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = check_iban(a, cases[i].in);
		if (cases[i].out == NULL ? got != NULL : got == NULL ||
		    strcmp(got, cases[i].out) != 0)
			fail_msg("%s: %s", cases[i].in, got ? got : "refused");
	}
	arena_free(a);
}

static void
test_trim(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" }, { "   ", "" }, { "a", "a" }, { " \t\r\na b\r\n ", "a b" },
		{ "a\nb", "a\nb" },	/* inside stays: the line rules see it */
		{ "\xc2\xa0x", "\xc2\xa0x" },	/* only ASCII space is trimmed */
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(check_trim(a, cases[i].in), cases[i].out);
	assert_string_equal(check_trim(a, NULL), "");
	arena_free(a);
}

static void
test_chars_and_plain(void **state)
{
	(void)state;
	assert_int_equal(check_chars(""), 0);
	assert_int_equal(check_chars("abc"), 3);
	assert_int_equal(check_chars("\xc3\xa6\xc3\xb8\xc3\xa5"), 3);	/* æøå */
	assert_int_equal(check_chars("\xf0\x9f\x9a\x97"), 1);	/* one emoji */
	assert_true(check_plain("plain text \xc3\xa6", false));
	assert_false(check_plain("two\nlines", false));
	assert_true(check_plain("two\r\nlines", true));
	assert_false(check_plain("tab\there", true));
	assert_false(check_plain("del\x7f", true));
}

static void
test_number(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		long n;
	} cases[] = {
		{ "7", true, 7 }, { "1", true, 1 }, { "30", true, 30 },
		{ "0", false, 0 }, { "31", false, 0 }, { "", false, 0 },
		{ "+5", false, 0 }, { "-5", false, 0 }, { " 5", false, 0 },
		{ "5 ", false, 0 }, { "5x", false, 0 }, { "007", true, 7 },
		{ "99999999999999999999", false, 0 },
	};
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = -1;
		if (check_number(cases[i].s, 1, 30, &n) != cases[i].ok ||
		    (cases[i].ok && n != cases[i].n))
			fail_msg("check_number(\"%s\")", cases[i].s);
	}
	assert_false(check_number(NULL, 1, 30, &n));
}

static void
test_email(void **state)
{
	static const struct {
		const char *email;
		bool ok;
	} cases[] = {
		{ "name@example.com", true }, { "a.b+c@sub.example.co.uk", true },
		{ "DK.Admin@Northwind.Example", true },
		{ "x@b\xc3\xa6r.example", true },	/* IDN label */
		{ "", false }, { "no-at.example", false }, { "@example.com", false },
		{ "a@b", false }, { "a@@b.example", false }, { "a@b@c.example", false },
		{ ".a@b.example", false }, { "a.@b.example", false },
		{ "a..b@c.example", false }, { "a b@c.example", false },
		{ "a@-b.example", false }, { "a@b-.example", false },
		{ "a@b..example", false }, { "a@b.example.", false },
		{ "\"a\"@b.example", false }, { "a<b>@c.example", false },
		{ "a@b.example\r\nBcc: x@y.example", false },
		{ "a@b_c.example", false },
	};
	char longer[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (check_email(cases[i].email) != cases[i].ok)
			fail_msg("e-mail \"%s\"", cases[i].email);
	/* 64 bytes of local part pass, 65 do not; 254 bytes in all */
	memset(longer, 'a', sizeof(longer));
	strcpy(longer + 64, "@example.com");
	assert_true(check_email(longer));
	memset(longer, 'a', sizeof(longer));
	strcpy(longer + 65, "@example.com");
	assert_false(check_email(longer));
	memset(longer, 'a', sizeof(longer));
	memcpy(longer, "a@", 2);
	for (i = 10; i < 256; i += 10)
		longer[i] = '.';
	longer[255] = '\0';	/* 255 bytes: one too many */
	assert_false(check_email(longer));
	longer[254] = '\0';
	assert_true(check_email(longer));
}

struct two {
	struct check_error first;
	struct check_error second;
};

static const struct check_field two_fields[] = {
	CHECK_FIELD(struct two, first, "first", "first_json"),
	CHECK_FIELD(struct two, second, "second", "second_json"),
	{ NULL, NULL, 0 }
};

static void
test_errors(void **state)
{
	struct two e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(check_count(&e, two_fields), 0);
	check_fail(&e.second, 404, "missing");
	check_fail(&e.second, 400, "later");	/* the first one stays */
	assert_int_equal(check_count(&e, two_fields), 1);
	assert_ptr_equal(check_error_of(&e, &two_fields[1]), &e.second);
	assert_string_equal(e.second.msg, "missing");
	assert_int_equal(e.second.status, 404);
	check_fail(&e.first, 403, "no");
	assert_int_equal(check_count(&e, two_fields), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_chars_and_plain),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
