/*
 * csvfile.c - CSV files in and out (csvfile.h).
 */
#include "csvfile.h"

#include <string.h>

#include <csv.h>

#include "arena.h"
#include "buf.h"
#include "form.h"

/* What a parse builds: the records so far and the one being read. */
struct reading {
	struct arena *a;
	struct csv_record *records;
	size_t n, cap;
	const char **cells;	/* of the record being read */
	size_t ncells;		/* its cells, kept or not */
	size_t width;		/* the cells a record keeps: the header's
				 * (CSV_MAX_COLUMNS while reading it) */
	bool too_many_columns;
	bool too_many_rows;
};

static void
on_cell(void *s, size_t len, void *data)
{
	struct reading *r = data;

	/* a record's cells beyond the header's are counted, not kept: a
	 * row of them is refused whole, and need not cost memory */
	if (r->ncells >= r->width) {
		r->too_many_columns = r->too_many_columns || r->n == 0;
		r->ncells++;
		return;
	}
	if (r->cells == NULL)
		r->cells = arena_calloc(r->a, r->width, sizeof(*r->cells));
	r->cells[r->ncells++] = arena_strndup(r->a, s ? s : "", len);
}

static void
on_record(int c, void *data)
{
	struct reading *r = data;
	struct csv_record *grown;

	(void)c;
	if (r->n == CSV_MAX_ROWS + 1) {
		r->too_many_rows = true;
		r->ncells = 0;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		grown = arena_calloc(r->a, r->cap, sizeof(*grown));
		if (r->n > 0)
			memcpy(grown, r->records, r->n * sizeof(*grown));
		r->records = grown;
	}
	r->records[r->n] = (struct csv_record){ r->n + 1, r->cells,
	    r->ncells };
	if (r->n++ == 0)
		r->width = r->ncells;	/* the header's */
	/* the next record's cells are an array of their own */
	r->cells = NULL;
	r->ncells = 0;
}

/* ';' when the first line holds more of them than ',' outside quotes. */
static unsigned char
separator_of(const char *text, size_t len)
{
	size_t i, commas = 0, semicolons = 0;
	bool quoted = false;

	for (i = 0; i < len && (quoted || (text[i] != '\n' &&
	    text[i] != '\r')); i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (!quoted && text[i] == ',')
			commas++;
		else if (!quoted && text[i] == ';')
			semicolons++;
	}
	return semicolons > commas ? ';' : ',';
}

int
csvfile_parse(struct arena *a, const char *text, size_t len,
    struct csv_table *out, const char **why)
{
	struct reading r;
	struct csv_parser p;
	int failed;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.width = CSV_MAX_COLUMNS;
	if (len > CSV_MAX_BYTES) {
		*why = "The file is larger than 16 MB: split it, and import "
		    "the parts one after the other.";
		return -1;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		*why = "The file is not UTF-8 text. Save it as \"CSV UTF-8\" "
		    "and try again.";
		return -1;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		*why = "The file could not be read just now.";
		return -1;
	}
	csv_set_delim(&p, separator_of(text, len));
	failed = csv_parse(&p, text, len, on_cell, on_record, &r) != len ||
	    csv_fini(&p, on_cell, on_record, &r) != 0;
	csv_free(&p);
	if (failed) {
		*why = arena_printf(a, "The file is not valid CSV after record "
		    "%zu: a quote is left open or stray (a cell with quotes "
		    "or separators is written \"like \"\"this\"\", here\").",
		    r.n);
		return -1;
	}
	if (r.too_many_rows) {
		*why = "The file has more than 100,000 rows: split it, and "
		    "import the parts one after the other.";
		return -1;
	}
	if (r.too_many_columns) {
		*why = "The header has more than 64 columns.";
		return -1;
	}
	if (r.n == 0) {
		*why = "The file is empty: its first line names the columns.";
		return -1;
	}
	out->header = r.records[0];
	out->rows = r.records + 1;
	out->nrows = r.n - 1;
	return 0;
}

/* Whether a spreadsheet would run a cell starting with c. */
static bool
formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

/* Whether value is written with a '\'' before it: a formula, or a value
 * that starts with a '\'' (which the import would otherwise take for a
 * guard of its own). */
static bool
needs_guard(const char *value)
{
	return formula_start(value[0]) || value[0] == '\'';
}

const char *
csvfile_value(const char *cell)
{
	/* what csvfile_cell() guarded: a formula, or a value that starts
	 * with '\''; any other leading '\'' was typed */
	return cell[0] == '\'' && needs_guard(cell + 1) ? cell + 1 : cell;
}

void
csvfile_cell(struct buf *b, const char *value, bool first)
{
	size_t n = strlen(value);
	const char *p;

	if (!first)
		buf_putc(b, ',');
	/* quoted: what libcsv would split on or trim */
	if (strpbrk(value, ",;\"\r\n") == NULL && !needs_guard(value) &&
	    (n == 0 || (value[0] != ' ' && value[0] != '\t' &&
	    value[n - 1] != ' ' && value[n - 1] != '\t'))) {
		buf_puts(b, value);
		return;
	}
	buf_putc(b, '"');
	if (needs_guard(value))
		buf_putc(b, '\'');
	for (p = value; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

void
csvfile_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}
