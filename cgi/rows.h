/*
 * rows.h - reading rows in a viewer's scope: one object by id, or one
 * page of a list. The skeleton every model's reads share, so that each
 * model says only which statements and how a row becomes a struct.
 *
 * Both bind the viewer's scope (perm_bind_scope), :now (the viewer's
 * clock: an invitation's status) and the parameters
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
struct db_stmt;

#define LIST_PAGE_SIZE 50
#define LIST_Q_MAX 200
/* A search or filter counts its rows up to this many, then says "more
 * than" (a count of the whole scope is what made lists slow) */
#define LIST_COUNT_BOUND 1000

/*
 * How a search finds its candidates (issue 14): by the trigram indexes
 * when q has three characters or more, else by the start of the indexed
 * columns (a trigram index knows nothing shorter).
 */
enum list_search { LIST_SEARCH_NONE, LIST_SEARCH_PREFIX, LIST_SEARCH_TRIGRAMS };

/* What a list asks for; the pages' query string and the API's
 * parameters are both read into this (list.c, api.c). */
struct list_query {
	const char *q;		/* search text, "" for none; at most LIST_Q_MAX */
	enum list_search search;
	const char *like;	/* q as a LIKE pattern, escaped with \: "%q%",
				 * or "q%" for a prefix search */
	const char *like_start;	/* "q%" whatever q's length: a column
				 * searched by its start only */
	const char *match;	/* FTS5 query: q's trigrams, each quoted (all
				 * of them must be there); "" for none */
	const char *lo, *hi;	/* prefix search: q in lower case, and the
				 * first string after every one it starts */
	bool any;		/* a substring search even when q is exactly
				 * one row's e-mail, username or unit id */
	int64_t page;		/* from 1 */
	size_t sort;		/* index into the list's sort keys */
	bool desc;
	int64_t customer_id;	/* filter, 0 = none */
	int64_t location_id;	/* filter, 0 = none */
	/* the Users list's filters (other lists have none): 0 = none */
	unsigned group;		/* a permission group bit (perm.h) */
	int active;		/* LIST_ACTIVE_YES / _NO */
	int mfa;		/* LIST_MFA_ON / _OFF / _REQUIRED */
	/* the scan history's filters: 0 = none */
	int64_t device_id;
	int result;		/* LIST_RESULT_ALLOWED / _DENIED */
	/* the invitations' filter: 0 = none */
	int status;		/* LIST_STATUS_PENDING … _REVOKED */
	int64_t limit;
	int64_t offset;
	/* the API's keyset pages: rows with id > after, in id order, not
	 * counted (a cursor stays right while rows come and go) */
	bool keyset;
	/* the API's cursor; a page's position: the row just before it
	 * (its next link) or, as before, just after it (its previous link);
	 * 0 for none, when the page is counted from the top */
	int64_t after;
	int64_t before;
};

enum { LIST_ACTIVE_YES = 1, LIST_ACTIVE_NO };
enum { LIST_RESULT_ALLOWED = 1, LIST_RESULT_DENIED };
/* as sql.h INVITE_STATUS_OF numbers them */
enum { LIST_STATUS_PENDING = 1, LIST_STATUS_ACCEPTED, LIST_STATUS_EXPIRED,
	LIST_STATUS_REVOKED };
/* on: TOTP enrolled; off: not, and not required; required: not, but the
 * customer (or one above) requires it */
enum { LIST_MFA_ON = 1, LIST_MFA_OFF, LIST_MFA_REQUIRED };

/* Bind the viewer's scope and whichever of lq's parameters statement s
 * has (a model's own count over a list's filters). */
void rows_bind_list(struct db_stmt *s, const struct viewer *v,
    const struct list_query *lq);

/* q as a LIKE pattern "%q%", with % _ and \ taken literally (ESCAPE
 * '\'), in a: a search of a short list that needs no index. */
const char *rows_like(struct arena *a, const char *q);

/* Set lq's search fields (search, like, match, lo, hi) for lq->q. */
void rows_search(struct arena *a, struct list_query *lq);

/* How many candidates statement st (:match if it has it, :lo, :hi,
 * :bound: a model's *_HIT_CANDIDATES) finds for lq's search, up to
 * :bound; -1 on a database error. */
int64_t rows_candidates(const struct viewer *v, enum stmt_id st,
    const struct list_query *lq);

/* The two numbers statement st (bound like a list's, rows_bind_list)
 * answers for v and lq, into *a and *b: a model's sizes of its scope
 * and of the table, to choose a plan. 0, or -1 on a database error. */
int rows_pair(const struct viewer *v, enum stmt_id st,
    const struct list_query *lq, int64_t *a, int64_t *b);

/* Fill the struct at row (in the viewer's arena a) from the current row
 * of s. */
typedef void (*rows_fill_fn)(struct db_stmt *s, struct arena *a, void *row);

/*
 * One list: count counts the rows (STMT__MAX: none), exactly from the
 * counters or else up to :bound; sorted[key][desc] reads a page for each
 * sort key (from its position, KEYSET_* of sql.h, or by offset); keyset
 * a page by id for the API (STMT__MAX: none). Statements bind the
 * scope and the parameters of struct list_query they name.
 */
struct rows_list {
	enum stmt_id count;
	bool count_exact;	/* count is exact whatever its size */
	const enum stmt_id (*sorted)[2];
	size_t nsorted;
	enum stmt_id keyset;
	size_t row_size;
	rows_fill_fn fill;
};

struct rows_page {
	int64_t count;		/* the rows matching; -1: not counted */
	bool count_more;	/* more than count match (a bounded count) */
	bool has_next;		/* rows follow this page */
	bool exact;		/* q was exactly one row's key: that row */
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
