/*
 * list.h - the query of a list page: q, page, sort, dir and the filters
 * customer_id / location_id, read and checked in one place, and the
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

/* The page's own URL with the list query, one value changed: used for
 * pagination and column links. page 0 keeps the current page. */
const char *list_href(struct request *req, const struct list_query *lq,
    const char *const *keys, size_t sort, bool desc, int64_t page);

/*
 * Put into d: "count", "count_one", "q", "sort", "dir" (the list query
 * for the search form), "pagination" {count, page, pages, first_row, last_row,
 * prev_href, next_href, empty} and "columns" {KEY: {href, sort}} where
 * sort is "ascending"/"descending" for the current column (aria-sort).
 */
void list_fill(struct request *req, struct tval *d,
    const struct list_query *lq, const char *const *keys, int64_t count);

#endif
