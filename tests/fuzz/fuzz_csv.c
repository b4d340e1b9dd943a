/*
 * fuzz_csv.c - CSV import files: csvfile_parse() on the bytes of an
 * upload, then csvfile_value() on every cell, as the import reads them.
 * A file read whole is written again with csvfile_cell(), as the export
 * writes, and must read back to the same values (csvfile.h: an export
 * imports unchanged).
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "csvfile.h"
#include "fuzz.h"

/* Append record r's values (width of them) as the export writes them. */
static void
write_record(struct buf *b, const struct csv_record *r, size_t width)
{
	size_t c;

	for (c = 0; c < width; c++)
		csvfile_cell(b, csvfile_value(r->cells[c]), c == 0);
	csvfile_end(b);
}

/* Whether records x and y hold the same values. */
static bool
same_values(const struct csv_record *x, const struct csv_record *y,
    size_t width)
{
	size_t c;

	if (y->n != width)
		return false;
	for (c = 0; c < width; c++)
		if (strcmp(csvfile_value(x->cells[c]),
		    csvfile_value(y->cells[c])) != 0)
			return false;
	return true;
}

/* Write t (every record as wide as its header, of two columns or more:
 * an export's) and read it back. */
static void
round_trip(struct arena *a, const struct csv_table *t)
{
	struct csv_table back;
	const char *why;
	struct buf b;
	size_t r, width = t->header.n;

	if (width < 2 || strncmp(t->header.cells[0], "\xEF\xBB\xBF", 3) == 0)
		return;
	for (r = 0; r < t->nrows; r++)
		if (t->rows[r].n != width)
			return;
	buf_init(&b, a);
	write_record(&b, &t->header, width);
	for (r = 0; r < t->nrows; r++)
		write_record(&b, &t->rows[r], width);
	if (csvfile_parse(a, b.data, b.len, &back, &why) != 0 ||
	    back.nrows != t->nrows || !same_values(&t->header, &back.header,
	    width))
		__builtin_trap();
	for (r = 0; r < t->nrows; r++)
		if (!same_values(&t->rows[r], &back.rows[r], width))
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct csv_table t;
	const char *why = NULL;

	if (csvfile_parse(a, (const char *)data, size, &t, &why) != 0) {
		if (why == NULL)
			__builtin_trap();	/* refused without a reason */
	} else {
		round_trip(a, &t);
	}
	arena_free(a);
	return 0;
}
