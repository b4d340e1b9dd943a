/*
 * rows.c - the scoped list runner and the scoped row loader.
 */
#include "rows.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "perm.h"

const char *
rows_like(struct arena *a, const char *q)
{
	struct buf b;

	buf_init(&b, a);
	buf_putc(&b, '%');
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *q);
	}
	buf_putc(&b, '%');
	return b.data;
}

static bool
has_param(sqlite3_stmt *s, const char *name)
{
	return sqlite3_bind_parameter_index(s, name) != 0;
}

void
rows_bind_list(sqlite3_stmt *s, const struct viewer *v,
    const struct list_query *lq)
{
	perm_bind_scope(s, &v->scope);
	if (has_param(s, ":customer_id"))
		db_bind_int(s, ":customer_id", lq->customer_id);
	if (has_param(s, ":location_id"))
		db_bind_int(s, ":location_id", lq->location_id);
	if (has_param(s, ":group"))
		db_bind_int(s, ":group", lq->group);
	if (has_param(s, ":active"))
		db_bind_int(s, ":active", lq->active);
	if (has_param(s, ":mfa"))
		db_bind_int(s, ":mfa", lq->mfa);
	if (has_param(s, ":like"))
		db_bind_text(s, ":like", lq->like);
	if (has_param(s, ":limit"))
		db_bind_int(s, ":limit", lq->limit);
	if (has_param(s, ":offset"))
		db_bind_int(s, ":offset", lq->offset);
	if (has_param(s, ":after"))
		db_bind_int(s, ":after", lq->after);
}

int
rows_read_list(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out)
{
	size_t cap = 16;
	sqlite3_stmt *s;
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
	if (!lq->keyset && l->count != STMT__MAX) {
		s = db_stmt(v->db, l->count);
		rows_bind_list(s, v, lq);
		rc = db_step(v->db, s);
		if (rc == SQLITE_ROW)
			out->count = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			return -1;
	}
	s = db_stmt(v->db, lq->keyset ? l->keyset :
	    l->sorted[lq->sort < l->nsorted ? lq->sort : 0][lq->desc]);
	rows_bind_list(s, v, lq);
	out->rows = arena_alloc(v->arena, cap * l->row_size);
	while ((rc = db_step(v->db, s)) == SQLITE_ROW) {
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
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 1 : -1;
}

int
rows_read_one(const struct viewer *v, enum stmt_id st, int64_t id,
    rows_fill_fn fill, void *row)
{
	sqlite3_stmt *s = db_stmt(v->db, st);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_step(v->db, s)) == SQLITE_ROW)
		fill(s, v->arena, row);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
