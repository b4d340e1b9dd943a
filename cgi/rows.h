/*
 * rows.h - reading rows in a viewer's scope: one object by id, or one
 * page of a list. The skeleton every model's reads share, so that each
 * model says only which statements and how a row becomes a struct.
 *
 * Both bind the viewer's scope (perm_bind_scope) and the parameters
 * below that a statement has, by name; a statement without one of them
 * simply does not get it. A filter (customer_id, location_id) outside the
 * scope is "not found", exactly like an object id outside it.
 */
#ifndef ARBOR_ROWS_H
#define ARBOR_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql.h"

struct arena;
struct viewer;
typedef struct sqlite3_stmt sqlite3_stmt;

#define LIST_PAGE_SIZE 50
#define LIST_Q_MAX 200

/* What a list asks for; the pages' query string and the API's
 * parameters are both read into this (list.c, api.c). */
struct list_query {
	const char *q;		/* search text, "" for none; at most LIST_Q_MAX */
	const char *like;	/* q as a LIKE pattern ("%q%", escaped with \) */
	int64_t page;		/* from 1 */
	size_t sort;		/* index into the list's sort keys */
	bool desc;
	int64_t customer_id;	/* filter, 0 = none */
	int64_t location_id;	/* filter, 0 = none */
	/* the Users list's filters (other lists have none): 0 = none */
	unsigned group;		/* a permission group bit (perm.h) */
	int active;		/* LIST_ACTIVE_YES / _NO */
	int mfa;		/* LIST_MFA_ON / _OFF / _REQUIRED */
	int64_t limit;
	int64_t offset;
	/* the API's keyset pages: rows with id > after, in id order, not
	 * counted (a cursor stays right while rows come and go) */
	bool keyset;
	int64_t after;
};

enum { LIST_ACTIVE_YES = 1, LIST_ACTIVE_NO };
/* on: TOTP enrolled; off: not, and not required; required: not, but the
 * customer (or one above) requires it */
enum { LIST_MFA_ON = 1, LIST_MFA_OFF, LIST_MFA_REQUIRED };

/* Bind the viewer's scope and whichever of lq's parameters statement s
 * has (a model's own count over a list's filters). */
void rows_bind_list(sqlite3_stmt *s, const struct viewer *v,
    const struct list_query *lq);

/* "%text%" for LIKE … ESCAPE '\', with % _ and \ taken literally. */
const char *rows_like(struct arena *a, const char *q);

/* Fill the struct at row (in the viewer's arena a) from the current row
 * of s. */
typedef void (*rows_fill_fn)(sqlite3_stmt *s, struct arena *a, void *row);

/*
 * One list: count counts the rows (STMT__MAX: none), sorted[key][desc]
 * reads a page by offset for each sort key, keyset a page by id for the
 * API (STMT__MAX: none). Statements bind :customer_id, :location_id,
 * :like, :limit, :offset and :after as they need.
 */
struct rows_list {
	enum stmt_id count;
	const enum stmt_id (*sorted)[2];
	size_t nsorted;
	enum stmt_id keyset;
	size_t row_size;
	rows_fill_fn fill;
};

struct rows_page {
	int64_t count;		/* the rows matching; -1: not counted */
	int64_t page;		/* the page read: lq's, or another the list
				 * chose (the Users list shows its last page
				 * for one past the end) */
	void *rows;		/* n structs of row_size, in the arena */
	size_t n;
};

/*
 * Check lq's filters against v's scope, count (unless keyset) and read
 * one page of list l into *out. Returns 1; 0 when a filter is outside the
 * scope (or does not exist); -1 on a database error (logged).
 */
int rows_read_list(const struct viewer *v, const struct rows_list *l,
    const struct list_query *lq, struct rows_page *out);

/*
 * Read object id with statement st (which has :id and the scope) into
 * *row through fill. Returns 1 found, 0 not found (missing, or outside
 * the scope: the same answer), -1 on a database error.
 */
int rows_read_one(const struct viewer *v, enum stmt_id st, int64_t id,
    rows_fill_fn fill, void *row);

#endif
