/*
 * csvfile.h - CSV files in and out (issue 17's import and export): read
 * with Debian's libcsv (RFC 4180 quoting, which a hand-written splitter
 * gets wrong on quoted separators and line breaks), written here.
 *
 * A file is UTF-8, may start with a byte order mark, ends its lines with
 * CRLF or LF, and separates cells with ',' or with ';' (what spreadsheets
 * write in many locales): the header line decides, by which of the two it
 * holds more of outside quotes. A cell written that starts with '=', '+',
 * '-', '@', a tab or a carriage return is neutralised with a leading '\''
 * (a spreadsheet would run it as a formula), and so is one that starts
 * with '\'' itself; csvfile_value() drops that '\'' again, so that an
 * export imports unchanged.
 */
#ifndef ARBOR_CSVFILE_H
#define ARBOR_CSVFILE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;

/* What a file may hold at most: its bytes, its rows (the header's not
 * counted) and its columns. */
#define CSV_MAX_BYTES (16 * 1024 * 1024)
#define CSV_MAX_ROWS 100000
#define CSV_MAX_COLUMNS 64

/* One record of a file. */
struct csv_record {
	size_t number;		/* in the file, the header being 1 */
	const char **cells;	/* as read, NUL-terminated: the first
				 * min(n, the header's n) of them */
	size_t n;		/* the cells the record has */
};

struct csv_table {
	struct csv_record header;
	struct csv_record *rows;
	size_t nrows;
};

/*
 * Parse the len bytes of text into *out (in a): the header, then the
 * rows. 0, or -1 with *why a sentence for the person who sent the file
 * (not UTF-8, too large and by which limit, a quote left open, no
 * header).
 */
int csvfile_parse(struct arena *a, const char *text, size_t len,
    struct csv_table *out, const char **why);

/* A cell as read, without the '\'' that neutralised it: one before '=',
 * '+', '-', '@', a tab, a carriage return or another '\'' (a value that
 * starts with one is guarded too, so that every value reads back). */
const char *csvfile_value(const char *cell);

/* Append value to b as one cell: after a ',' unless first, quoted when
 * it holds a separator, a quote or a line break, neutralised when a
 * spreadsheet would run it. */
void csvfile_cell(struct buf *b, const char *value, bool first);

/* End the record written to b (CRLF, as RFC 4180 has it). */
void csvfile_end(struct buf *b);

#endif
