/*
 * fuzz_csv.c - CSV import files: csvfile_parse() on the bytes of an
 * upload, then csvfile_value() on every cell, as the import reads them.
 */
#include <string.h>

#include "arena.h"
#include "csvfile.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct csv_table t;
	const char *why = NULL;
	size_t r, c, width;

	if (csvfile_parse(a, (const char *)data, size, &t, &why) != 0) {
		if (why == NULL)
			__builtin_trap();	/* refused without a reason */
	} else {
		width = t.header.n;
		for (c = 0; c < width; c++)
			(void)csvfile_value(t.header.cells[c]);
		for (r = 0; r < t.nrows; r++)
			for (c = 0; c < t.rows[r].n && c < width; c++)
				(void)strlen(csvfile_value(t.rows[r].cells[c]));
	}
	arena_free(a);
	return 0;
}
