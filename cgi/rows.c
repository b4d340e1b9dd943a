/*
 * rows.c - the scoped list runner and the scoped row loader.
 */
#include "rows.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "perm.h"

/* The LIKE pattern of q, with % _ and \ taken literally: "%q%", or for
 * a prefix search "q%". */
static const char *
like_pattern(struct arena *a, const char *q, bool prefix)
{
	struct buf b;

	buf_init(&b, a);
	if (!prefix)
		buf_putc(&b, '%');
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *q);
	}
	buf_putc(&b, '%');
	return b.data;
}

const char *
rows_like(struct arena *a, const char *q)
{
	return like_pattern(a, q, false);
}

/* The length in bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	size_t i;

	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* At most this many of q's trigrams go to the index: enough to make a
 * search selective, few enough that reading their row lists stays
 * cheap; the LIKE checks the rest. */
#define MATCH_TRIGRAMS_MAX 12

/*
 * The FTS5 query for q: each distinct trigram (three characters, as the
 * trigram tokenizer cuts them) as a quoted string, " doubled, all of
 * them required. detail=none indexes keep no positions, so a phrase
 * cannot be asked; the list's LIKE puts the trigrams back in order.
 */
static const char *
trigram_match(struct arena *a, const char *q)
{
	const char *seen[MATCH_TRIGRAMS_MAX];
	size_t seen_len[MATCH_TRIGRAMS_MAX];
	size_t nseen = 0, i, len;
	const char *c;
	struct buf b;

	buf_init(&b, a);
	buf_puts(&b, "");	/* "" rather than NULL when q has none */
	for (; *q != '\0' && nseen < MATCH_TRIGRAMS_MAX; q += char_len(q)) {
		for (c = q, i = 0; i < 3 && *c != '\0'; i++)
			c += char_len(c);
		if (i < 3)
			break;
		len = (size_t)(c - q);
		for (i = 0; i < nseen; i++)
			if (seen_len[i] == len && memcmp(seen[i], q, len) == 0)
				break;
		if (i < nseen)
			continue;
		seen[nseen] = q;
		seen_len[nseen++] = len;
		if (b.len > 0)
			buf_putc(&b, ' ');
		buf_putc(&b, '"');
		for (c = q; c < q + len; c++) {
			if (*c == '"')
				buf_putc(&b, '"');
			buf_putc(&b, *c);
		}
		buf_putc(&b, '"');
	}
	return b.data;
}

void
rows_search(struct arena *a, struct list_query *lq)
{
	size_t chars = 0, n;
	const char *c;
	char *lo, *hi;

	for (c = lq->q; *c != '\0'; c += char_len(c))
		chars++;
	lq->search = chars == 0 ? LIST_SEARCH_NONE : chars < 3 ?
	    LIST_SEARCH_PREFIX : LIST_SEARCH_TRIGRAMS;
	lq->like = like_pattern(a, lq->q, lq->search == LIST_SEARCH_PREFIX);
	lq->like_start = like_pattern(a, lq->q, true);
	lq->match = lq->search == LIST_SEARCH_TRIGRAMS ?
	    trigram_match(a, lq->q) : "";
	/* [lo, hi): every string that starts with q, in lower case as the
	 * NOCASE indexes compare (device ids are lower case themselves) */
	n = strlen(lq->q);
	lo = arena_alloc(a, n + 1);
	hi = arena_alloc(a, n + 2);
	for (c = lq->q; *c != '\0'; c++)
		lo[c - lq->q] = (char)tolower((unsigned char)*c);
	lo[n] = '\0';
	memcpy(hi, lo, n + 1);
	if (n > 0)
		hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	lq->lo = lo;
	lq->hi = hi;
}

void
rows_bind_list(struct db_stmt *s, const struct viewer *v,
    const struct list_query *lq)
{
	perm_bind_scope(s, &v->scope);
	if (db_has_param(s, ":customer_id"))
		db_bind_int(s, ":customer_id", lq->customer_id);
	if (db_has_param(s, ":location_id"))
		db_bind_int(s, ":location_id", lq->location_id);
	if (db_has_param(s, ":group"))
		db_bind_int(s, ":group", lq->group);
	if (db_has_param(s, ":active"))
		db_bind_int(s, ":active", lq->active);
	if (db_has_param(s, ":mfa"))
		db_bind_int(s, ":mfa", lq->mfa);
	if (db_has_param(s, ":device_id"))
		db_bind_int(s, ":device_id", lq->device_id);
	if (db_has_param(s, ":result"))
		db_bind_int(s, ":result", lq->result);
	if (db_has_param(s, ":status"))
		db_bind_int(s, ":status", lq->status);
	if (db_has_param(s, ":now"))
		db_bind_int(s, ":now", v->now);
	if (db_has_param(s, ":like"))
		db_bind_text(s, ":like", lq->like);
	if (db_has_param(s, ":like_start"))
		db_bind_text(s, ":like_start", lq->like_start);
	if (db_has_param(s, ":q"))
		db_bind_text(s, ":q", lq->q);
	if (db_has_param(s, ":match"))
		db_bind_text(s, ":match", lq->match);
	if (db_has_param(s, ":lo"))
		db_bind_text(s, ":lo", lq->lo);
	if (db_has_param(s, ":hi"))
		db_bind_text(s, ":hi", lq->hi);
	if (db_has_param(s, ":bound"))
		db_bind_int(s, ":bound", LIST_COUNT_BOUND + 1);
	if (db_has_param(s, ":limit"))
		db_bind_int(s, ":limit", lq->limit);
	if (db_has_param(s, ":offset"))
		db_bind_int(s, ":offset", lq->offset);
	if (db_has_param(s, ":after"))
		db_bind_int(s, ":after", lq->after);
}

int64_t
rows_candidates(const struct viewer *v, enum stmt_id st,
    const struct list_query *lq)
{
	struct db_stmt *s = db_stmt(v->db, st);
	int64_t n = -1;

	/* a list's candidates by index ranges alone have no trigrams */
	if (db_has_param(s, ":match"))
		db_bind_text(s, ":match", lq->match);
	db_bind_text(s, ":lo", lq->lo);
	db_bind_text(s, ":hi", lq->hi);
	db_bind_int(s, ":bound", LIST_COUNT_BOUND + 1);
	if (db_step(v->db, s) == DB_ROW)
		n = db_col_int(s, 0);
	db_reset(s);
	return n;
}

int
rows_pair(const struct viewer *v, enum stmt_id st,
    const struct list_query *lq, int64_t *a, int64_t *b)
{
	struct db_stmt *s = db_stmt(v->db, st);
	int rc;

	rows_bind_list(s, v, lq);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		*a = db_col_int(s, 0);
		*b = db_col_int(s, 1);
	}
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

/* Read the rows statement s finds (bound already) into out, after the
 * n it holds. 0 or -1. */
static int
read_rows(const struct viewer *v, const struct rows_list *l,
    struct db_stmt *s, struct rows_page *out)
{
	size_t cap = out->n > 16 ? out->n : 16;
	int rc;

	out->rows = arena_alloc(v->arena, cap * l->row_size);
	out->n = 0;
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (out->n == cap) {
			void *bigger = arena_alloc(v->arena,
			    2 * cap * l->row_size);

			memcpy(bigger, out->rows, cap * l->row_size);
			out->rows = bigger;
			cap *= 2;
		}
		l->fill(s, v->arena, (char *)out->rows + out->n * l->row_size);
		out->n++;
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Turn the n rows of out round: a previous page is read backwards. */
static void
reverse_rows(const struct viewer *v, size_t size, struct rows_page *out)
{
	char *tmp = arena_alloc(v->arena, size), *rows = out->rows;
	size_t i, j;

	for (i = 0, j = out->n; out->n > 0 && i < --j; i++) {
		memcpy(tmp, rows + i * size, size);
		memcpy(rows + i * size, rows + j * size, size);
		memcpy(rows + j * size, tmp, size);
	}
}

/* The count of list l into out: exact, or up to LIST_COUNT_BOUND. */
static int
count_rows(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out)
{
	struct db_stmt *s = db_stmt(v->db, l->count);
	int rc;

	rows_bind_list(s, v, lq);
	rc = db_step(v->db, s);
	if (rc == DB_ROW)
		out->count = db_col_int(s, 0);
	db_reset(s);
	if (!l->count_exact && out->count > LIST_COUNT_BOUND) {
		out->count = LIST_COUNT_BOUND;
		out->count_more = true;
	}
	return rc == DB_ROW ? 0 : -1;
}

/*
 * One page of a list page: from its position when it has one (the row
 * before it, or for a previous link the row after it, read backwards),
 * else by offset; one row more than the page, to know whether another
 * follows. A position that no longer finds its row (deleted, moved out
 * of the scope) gives no rows: then the page is counted from the top.
 */
static int
read_page(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out)
{
	const enum stmt_id *dirs = l->sorted[lq->sort < l->nsorted ?
	    lq->sort : 0];
	/* a list without positions (no :after) counts from the top */
	bool positions = db_has_param(db_stmt(v->db, dirs[0]), ":after");
	bool back = positions && lq->before != 0;
	struct list_query at = *lq;
	struct db_stmt *s;

	at.after = !positions ? 0 : back ? lq->before : lq->after;
	at.offset = at.after != 0 ? 0 : lq->offset;
	at.limit = lq->limit > 0 ? lq->limit + 1 : 0;
	s = db_stmt(v->db, dirs[lq->desc != back]);
	rows_bind_list(s, v, &at);
	if (read_rows(v, l, s, out) != 0)
		return -1;
	if (out->n == 0 && at.after != 0 && lq->page > 1) {
		at.after = 0;
		at.offset = lq->offset;
		back = false;
		s = db_stmt(v->db, dirs[lq->desc]);
		rows_bind_list(s, v, &at);
		if (read_rows(v, l, s, out) != 0)
			return -1;
	}
	/* backwards to the first row: fewer rows before the position than
	 * a page (some were deleted since), so this is the first page */
	if (back && lq->limit > 0 && out->n < (size_t)lq->limit) {
		at.after = at.offset = 0;
		back = false;
		out->page = 1;
		s = db_stmt(v->db, dirs[lq->desc]);
		rows_bind_list(s, v, &at);
		if (read_rows(v, l, s, out) != 0)
			return -1;
	}
	/* backwards, the extra row is one before the previous page; a list
	 * without a limit (0: every row) has no next page */
	out->has_next = lq->limit > 0 && (back ||
	    out->n > (size_t)lq->limit);
	if (lq->limit > 0 && out->n > (size_t)lq->limit)
		out->n = (size_t)lq->limit;
	if (back)
		reverse_rows(v, l->row_size, out);
	return 0;
}

/* Past the end of an exactly counted list (a page number typed, or rows
 * deleted since the link was made): its last page instead, by number. */
static int
read_last_page(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out)
{
	struct list_query last = *lq;

	last.page = (out->count + lq->limit - 1) / lq->limit;
	last.offset = (last.page - 1) * lq->limit;
	last.after = last.before = 0;
	out->page = last.page;
	return read_page(v, l, &last, out);
}

int
rows_read_list(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out)
{
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	out->count = -1;
	out->page = lq->page;
	if (lq->customer_id != 0 &&
	    (rc = perm_sees_customer(v, lq->customer_id)) != 1)
		return rc;
	if (lq->location_id != 0 &&
	    (rc = perm_sees_location(v, lq->location_id)) != 1)
		return rc;
	if (lq->keyset) {
		s = db_stmt(v->db, l->keyset);
		rows_bind_list(s, v, lq);
		return read_rows(v, l, s, out) == 0 ? 1 : -1;
	}
	if (l->count != STMT__MAX && count_rows(v, l, lq, out) != 0)
		return -1;
	if (read_page(v, l, lq, out) != 0)
		return -1;
	if (out->n == 0 && l->count_exact && out->count > 0 &&
	    lq->limit > 0 && lq->page > 1 && read_last_page(v, l, lq,
	    out) != 0)
		return -1;
	return 1;
}

int
rows_read_one(const struct viewer *v, enum stmt_id st, int64_t id,
    rows_fill_fn fill, void *row)
{
	struct db_stmt *s = db_stmt(v->db, st);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	if (db_has_param(s, ":now"))
		db_bind_int(s, ":now", v->now);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		fill(s, v->arena, row);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}
