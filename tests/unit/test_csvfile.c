/*
 * test_csvfile.c - CSV files in and out (cgi/csvfile.h): what the import
 * accepts (RFC 4180 quoting, a byte order mark, CRLF, ';'), what it
 * refuses as a whole, and that a written cell reads back as it was,
 * formulas neutralised.
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
#include "buf.h"
#include "csvfile.h"

static void
test_reads_what_spreadsheets_write(void **state)
{
	static const char *const files[] = {
		"a,b\nx,\"y, \"\"z\"\"\nw\"\n",
		"\xEF\xBB\xBF" "a,b\r\nx,\"y, \"\"z\"\"\nw\"\r\n",
		"a;b\r\nx;\"y, \"\"z\"\"\nw\"\r\n",
		"\"a\";\"b\"\n\nx;\"y, \"\"z\"\"\nw\"",	/* an empty line */
	};
	struct arena *a = arena_new();
	struct csv_table t;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (csvfile_parse(a, files[i], strlen(files[i]), &t, &why) != 0)
			fail_msg("file %zu: %s", i, why);
		assert_int_equal(t.header.n, 2);
		assert_string_equal(t.header.cells[0], "a");
		assert_int_equal(t.nrows, 1);
		assert_int_equal(t.rows[0].number, 2);
		assert_string_equal(t.rows[0].cells[0], "x");
		assert_string_equal(t.rows[0].cells[1], "y, \"z\"\nw");
	}
	arena_free(a);
}

static void
test_refuses_as_a_whole(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "a,b\n\xff,1\n", "not UTF-8" },
		{ "a,b\nx\0y,1\n", "not UTF-8" },
		{ "a,b\n\"open,1\n", "not valid CSV" },
		{ "a,b\nx\"y\",1\n", "not valid CSV" },
		{ "", "empty" },
	};
	struct arena *a = arena_new();
	struct csv_table t;
	const char *why;
	struct buf b;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = i == 1 ? 10 : strlen(cases[i].text);
		why = NULL;
		if (csvfile_parse(a, cases[i].text, len, &t, &why) == 0)
			fail_msg("case %zu was read", i);
		if (why == NULL || strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: %s", i, why ? why : "(no reason)");
	}
	/* the limits, each named */
	buf_init(&b, a);
	buf_puts(&b, "a\n");
	for (i = 0; i <= CSV_MAX_ROWS; i++)
		buf_puts(&b, "1\n");
	assert_int_equal(csvfile_parse(a, b.data, b.len, &t, &why), -1);
	assert_non_null(strstr(why, "100,000 rows"));
	assert_int_equal(csvfile_parse(a, b.data, CSV_MAX_BYTES + 1, &t, &why),
	    -1);
	assert_non_null(strstr(why, "16 MB"));
	arena_free(a);
}

static void
test_cells_read_back(void **state)
{
	static const char *const values[] = {
		"plain", "", "with, comma", "with; semicolon", "quote \" in",
		"line\nbreak", "=1+2", "+31 6 1234", "-5", "@SUM(A1)",
		"\ttabbed", "'=already", "'quoted", " spaced ", "caf\xc3\xa9",
		"''=x", ", ", "\r-cr",
	};
	struct arena *a = arena_new();
	struct csv_table t;
	const char *why;
	struct buf b;
	size_t i, n = sizeof(values) / sizeof(values[0]);

	(void)state;
	buf_init(&b, a);
	for (i = 0; i < n; i++)
		csvfile_cell(&b, "h", i == 0);
	csvfile_end(&b);
	for (i = 0; i < n; i++)
		csvfile_cell(&b, values[i], i == 0);
	csvfile_end(&b);
	/* nothing a spreadsheet runs starts a cell as written */
	assert_null(strstr(b.data, ",="));
	assert_null(strstr(b.data, ",+"));
	assert_null(strstr(b.data, ",-"));
	assert_null(strstr(b.data, ",@"));
	assert_null(strstr(b.data, ",\"="));
	assert_null(strstr(b.data, ",\"\t"));
	assert_null(strstr(b.data, ",\"\r"));
	if (csvfile_parse(a, b.data, b.len, &t, &why) != 0)
		fail_msg("%s", why);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(t.rows[0].n, n);
	for (i = 0; i < n; i++)
		if (strcmp(csvfile_value(t.rows[0].cells[i]), values[i]) != 0)
			fail_msg("cell %zu: wrote \"%s\", read \"%s\"", i,
			    values[i], csvfile_value(t.rows[0].cells[i]));
	/* a plain leading ' stays; one before a formula character goes */
	assert_string_equal(csvfile_value("'x"), "'x");
	assert_string_equal(csvfile_value("'=x"), "=x");
	assert_string_equal(csvfile_value("''=x"), "'=x");
	assert_string_equal(csvfile_value("'hello"), "'hello");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_what_spreadsheets_write),
		cmocka_unit_test(test_refuses_as_a_whole),
		cmocka_unit_test(test_cells_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
