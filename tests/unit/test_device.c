/*
 * test_device.c - device field rules and the parsing of pasted id lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "arena.h"
#include "device.h"

static void
test_unit_id_rules(void **state)
{
	static const struct {
		const char *unit_id;
		bool ok;
	} cases[] = {
		{ "ABCD", true }, { "357207051234567", true },
		{ "unit_01-x", true }, { "ABC", false }, { "", false },
		{ "A23456789012345678901234567890123", false },	/* 33 */
		{ "A2345678901234567890123456789012", true },	/* 32 */
		{ "has space", false }, { "semi;colon", false },
		{ "\xc3\xa6\xc3\xb8\xc3\xa5x", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((device_unit_id_error(cases[i].unit_id) == NULL) !=
		    cases[i].ok)
			fail_msg("unit id \"%s\"", cases[i].unit_id);
	assert_non_null(device_unit_id_error(NULL));
}

static void
test_vin_rules(void **state)
{
	static const struct {
		const char *vin;
		bool ok;
	} cases[] = {
		{ "1HGCM82633A004352", true }, { "WVWZZZ1JZXW000001", true },
		{ "1HGCM82633A00435", false },	/* 16 */
		{ "1HGCM82633A0043521", false },	/* 18 */
		{ "1HGCM82633A00435I", false }, { "1HGCM82633A00435O", false },
		{ "1HGCM82633A00435Q", false }, { "1hgcm82633a004352", false },
		{ "1HGCM82633A00435-", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((device_vin_error(cases[i].vin) == NULL) != cases[i].ok)
			fail_msg("VIN \"%s\"", cases[i].vin);
}

static void
test_uuid_v4(void **state)
{
	char a[DEVICE_UUID_LEN + 1], b[DEVICE_UUID_LEN + 1];

	(void)state;
	device_uuid_new(a);
	device_uuid_new(b);
	assert_int_equal(strlen(a), DEVICE_UUID_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(a[8], '-');
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static void
test_split_ids(void **state)
{
	struct arena *a = arena_new();
	const char **ids;
	size_t n;

	(void)state;
	n = device_split_ids(a, "A1\n\n B2 ,C3;D4\tE5\r\nF6,,\n", 100, &ids);
	assert_int_equal(n, 6);
	assert_string_equal(ids[0], "A1");
	assert_string_equal(ids[1], "B2");
	assert_string_equal(ids[4], "E5");
	assert_string_equal(ids[5], "F6");
	assert_int_equal(device_split_ids(a, "", 100, &ids), 0);
	assert_int_equal(device_split_ids(a, NULL, 100, &ids), 0);
	assert_int_equal(device_split_ids(a, " ,;\n\t", 100, &ids), 0);
	/* one more than the limit is reported, no more */
	assert_int_equal(device_split_ids(a, "a b c d e", 3, &ids), 4);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_id_rules),
		cmocka_unit_test(test_vin_rules),
		cmocka_unit_test(test_uuid_v4),
		cmocka_unit_test(test_split_ids),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
