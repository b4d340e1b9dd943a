/*
 * list.h - the query of a list page: q, page, sort, dir and the filters
 * customer_id / location_id (and the Users list's group, active and mfa,
 * the scan history's device_id and result, the invitations' status),
 * read and checked in one place, and the
 * pagination and sortable-header data every list template shows. The
 * rows themselves come from the models (rows.h runs their statements).
 *
 * Sorting uses only the keys a page declares (an unknown key falls back
 * to the first), so a client never chooses SQL: each key maps to its own
 * prepared statement or ORDER BY variant in sql.h.
 */
#ifndef ARBOR_LIST_H
#define ARBOR_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rows.h"

struct request;
struct tval;


/* Read the list query of req; keys lists the page's sort keys (NULL-ended,
 * the first is the default). Malformed values fall back to defaults. */
void list_query_read(struct request *req, const char *const *keys,
    struct list_query *lq);

/* The page's own URL with the list query, with sort, direction and page
 * as given, and for a page after the first its position (position:
 * "&after=ID" or "&before=ID", or NULL): used for pagination and column
 * links. */
const char *list_href(struct request *req, const struct list_query *lq,
    const char *const *keys, size_t sort, bool desc, int64_t page,
    const char *position);

/* path with lq's search and filters (not its sort or page): the same
 * rows elsewhere (the Users list's CSV export). */
const char *list_filter_href(struct request *req, const char *path,
    const struct list_query *lq);

/*
 * Put into d: "count", "count_one", "count_more" (count is a bound: more
 * match), "q", "sort", "dir" (the list query for the search form),
 * "exact_any_href" (when the search found exactly one row's key: the
 * same search as text), "pagination" {count, count_more, page, pages
 * (not with count_more), first_row, last_row, prev_href, next_href,
 * empty} and "columns" {KEY: {href, sort}} where sort is
 * "ascending"/"descending" for the current column (aria-sort). rp is the
 * page read, its rows of row_size bytes each.
 */
void list_fill(struct request *req, struct tval *d,
    const struct list_query *lq, const char *const *keys,
    const struct rows_page *rp, size_t row_size);

/*
 * A list page: name is the template's list ("users": also "has_users"),
 * href where a row's page is ("/users/": then its id; every row struct
 * starts with its int64_t id), then the sort keys, the model's
 * list function, and what one row shows (added to t, which has "href").
 */
struct viewer;
struct list_page {
	const char *name;
	const char *href;
	const char *const *sort_keys;
	int (*read)(const struct viewer *v, const struct list_query *lq,
	    struct rows_page *out);
	size_t row_size;
	void (*row)(struct request *req, const void *row, struct tval *t);
	bool desc_first;	/* descending unless dir says otherwise (a
				 * history: the newest first) */
};

/*
 * The one runner of every list page: read the request's list query into
 * *lq, the rows through lp->read, and put into d the rows as lp->name,
 * "has_NAME" and list_fill's data. false after an error page was sent
 * (404 for a filter outside the view, like a missing one; 503).
 */
bool list_page(struct request *req, struct tval *d,
    const struct list_page *lp, struct list_query *lq);

#endif
