/*
 * list.c - list queries, pagination and sortable columns.
 */
#include "list.h"

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "rows.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "tval.h"

static int64_t
query_id(struct request *req, const char *name)
{
	return parse_id(param_get(&req->query, name));
}

/* The filter values, at their LIST_* numbers (0: none). */
static const char *const active_values[] = { "", "1", "0", NULL };
static const char *const mfa_values[] = { "", "on", "off", "required",
    NULL };
/* match=any: search as text even for an exact e-mail or id */
static const char *const match_values[] = { "", "any", NULL };
static const char *const result_values[] = { "", "allowed", "denied",
    NULL };
/* list.h LIST_STATUS_* */
static const char *const status_values[] = { "", "pending", "accepted",
    "expired", "revoked", NULL };

/* The index of s in values (NULL-ended), 0 when it is none of them. */
static int
one_of(const char *s, const char *const *values)
{
	int i;

	for (i = 1; s != NULL && values[i] != NULL; i++)
		if (strcmp(values[i], s) == 0)
			return i;
	return 0;
}

/* The form/API key of group bit, "" for none. */
static const char *
group_key(unsigned bit)
{
	size_t i;

	for (i = 0; i < GROUP_COUNT; i++)
		if (perm_groups[i].bit == bit)
			return perm_groups[i].key;
	return "";
}

void
list_query_read(struct request *req, const char *const *keys,
    struct list_query *lq)
{
	const char *q = param_get(&req->query, "q");
	const char *sort = param_get(&req->query, "sort");
	const char *dir = param_get(&req->query, "dir");
	size_t i;

	memset(lq, 0, sizeof(*lq));
	lq->q = q && strlen(q) <= LIST_Q_MAX ? q : "";
	rows_search(req->arena, lq);
	lq->any = one_of(param_get(&req->query, "match"), match_values) != 0;
	lq->page = query_id(req, "page");
	if (lq->page == 0 || lq->page > 1000000)
		lq->page = 1;
	for (i = 0; sort != NULL && keys[i] != NULL; i++)
		if (strcmp(keys[i], sort) == 0)
			lq->sort = i;
	lq->desc = dir != NULL && strcmp(dir, "desc") == 0;
	lq->customer_id = query_id(req, "customer_id");
	lq->location_id = query_id(req, "location_id");
	lq->group = perm_group_by_key(param_get(&req->query, "group"));
	lq->active = one_of(param_get(&req->query, "active"), active_values);
	lq->mfa = one_of(param_get(&req->query, "mfa"), mfa_values);
	lq->device_id = query_id(req, "device_id");
	lq->result = one_of(param_get(&req->query, "result"), result_values);
	lq->status = one_of(param_get(&req->query, "status"), status_values);
	lq->limit = LIST_PAGE_SIZE;
	lq->offset = (lq->page - 1) * LIST_PAGE_SIZE;
	/* a position only with the page it leads to */
	if (lq->page > 1) {
		lq->after = query_id(req, "after");
		lq->before = lq->after == 0 ? query_id(req, "before") : 0;
	}
}

/* lq's search and filters, each as "&name=value", into b. */
static void
put_filters(struct arena *a, struct buf *b, const struct list_query *lq)
{
	if (*lq->q != '\0')
		buf_printf(b, "&q=%s", url_encode(a, lq->q));
	if (lq->customer_id != 0)
		buf_printf(b, "&customer_id=%lld", (long long)lq->customer_id);
	if (lq->location_id != 0)
		buf_printf(b, "&location_id=%lld", (long long)lq->location_id);
	if (lq->group != 0)
		buf_printf(b, "&group=%s", group_key(lq->group));
	if (lq->active != 0)
		buf_printf(b, "&active=%s", active_values[lq->active]);
	if (lq->mfa != 0)
		buf_printf(b, "&mfa=%s", mfa_values[lq->mfa]);
	if (lq->device_id != 0)
		buf_printf(b, "&device_id=%lld", (long long)lq->device_id);
	if (lq->result != 0)
		buf_printf(b, "&result=%s", result_values[lq->result]);
	if (lq->status != 0)
		buf_printf(b, "&status=%s", status_values[lq->status]);
	if (lq->any)
		buf_puts(b, "&match=any");
}

const char *
list_href(struct request *req, const struct list_query *lq,
    const char *const *keys, size_t sort, bool desc, int64_t page,
    const char *position)
{
	struct arena *a = req->arena;
	struct buf b;

	buf_init(&b, a);
	buf_printf(&b, "%s?sort=%s&dir=%s", req->path, keys[sort],
	    desc ? "desc" : "asc");
	put_filters(a, &b, lq);
	if (page > 1)
		buf_printf(&b, "&page=%lld%s", (long long)page,
		    position != NULL ? position : "");
	return b.data;
}

const char *
list_filter_href(struct request *req, const char *path,
    const struct list_query *lq)
{
	struct buf b;

	buf_init(&b, req->arena);
	put_filters(req->arena, &b, lq);
	return b.len == 0 ? path : arena_printf(req->arena, "%s?%s", path,
	    b.data + 1);
}

/* The id at the start of row i of p (every row struct starts with it). */
static int64_t
row_id(const struct rows_page *p, size_t row_size, size_t i)
{
	int64_t id;

	memcpy(&id, (const char *)p->rows + i * row_size, sizeof(id));
	return id;
}

void
list_fill(struct request *req, struct tval *d, const struct list_query *lq,
    const char *const *keys, const struct rows_page *rp, size_t row_size)
{
	struct tval *p = tv_set_map(d, "pagination");
	struct tval *cols = tv_set_map(d, "columns"), *col;
	int64_t count = rp->count;
	int64_t pages = (count + LIST_PAGE_SIZE - 1) / LIST_PAGE_SIZE;
	/* past the last page: an empty page, not "51–4 of 4" */
	bool past = rp->n == 0;
	size_t i;
	bool desc;

	if (pages == 0)
		pages = 1;
	/* what every list page shows above its table: the count and the
	 * query, for the search form's fields */
	tv_set_int(d, "count", count);
	tv_set_bool(d, "count_one", count == 1 && !rp->count_more);
	tv_set_bool(d, "count_more", rp->count_more);
	tv_set_str(d, "q", lq->q);
	tv_set_str(d, "sort", keys[lq->sort]);
	tv_set_str(d, "dir", lq->desc ? "desc" : "asc");
	if (rp->exact) {
		struct list_query any = *lq;

		any.any = true;
		tv_set_str(d, "exact_any_href", list_href(req, &any, keys,
		    lq->sort, lq->desc, 1, NULL));
	}

	tv_set_int(p, "count", count);
	tv_set_bool(p, "count_more", rp->count_more);
	tv_set_int(p, "page", lq->page);
	/* a bounded count knows no last page */
	if (!rp->count_more)
		tv_set_int(p, "pages", pages);
	tv_set_int(p, "first_row", past ? 0 : lq->offset + 1);
	tv_set_int(p, "last_row", past ? 0 : lq->offset + (int64_t)rp->n);
	tv_set_bool(p, "empty", past);
	/* the links name the row next to the page they lead to: that page
	 * starts from it, wherever it is (rows.c) */
	if (lq->page > 1)
		tv_set_str(p, "prev_href", list_href(req, lq, keys, lq->sort,
		    lq->desc, past ? (lq->page - 1 < pages ? lq->page - 1 :
		    pages) : lq->page - 1, past || lq->page == 2 ? NULL :
		    arena_printf(req->arena, "&before=%lld", (long long)
		    row_id(rp, row_size, 0))));
	if (rp->has_next)
		tv_set_str(p, "next_href", list_href(req, lq, keys, lq->sort,
		    lq->desc, lq->page + 1, arena_printf(req->arena,
		    "&after=%lld", (long long)row_id(rp, row_size,
		    rp->n - 1))));
	for (i = 0; keys[i] != NULL; i++) {
		col = tv_set_map(cols, keys[i]);
		/* the current column flips direction, others start ascending */
		desc = i == lq->sort ? !lq->desc : false;
		tv_set_str(col, "href", list_href(req, lq, keys, i, desc, 1,
		    NULL));
		if (i == lq->sort)
			tv_set_str(col, "sort", lq->desc ? "descending" :
			    "ascending");
	}
}

bool
list_page(struct request *req, struct tval *d, const struct list_page *lp,
    struct list_query *lq)
{
	struct tval *list, *t;
	struct rows_page p;
	const void *row;
	int64_t id;
	size_t i;
	int rc;

	list_query_read(req, lp->sort_keys, lq);
	if (lp->desc_first && param_get(&req->query, "dir") == NULL)
		lq->desc = true;
	if ((rc = lp->read(&req->viewer, lq, &p)) != 1) {
		page_error(req, rc == 0 ? 404 : 503, rc == 0 ? "There is no "
		    "page at this address." : "The list could not be read "
		    "just now. Please try again.");
		return false;
	}
	lq->page = p.page;
	lq->offset = (p.page - 1) * LIST_PAGE_SIZE;
	list = tv_set_list(d, lp->name);
	for (i = 0; i < p.n; i++) {
		row = (const char *)p.rows + i * lp->row_size;
		memcpy(&id, row, sizeof(id));
		t = tv_map(req->arena);
		tv_set_str(t, "href", arena_printf(req->arena, "%s%lld",
		    lp->href, (long long)id));
		lp->row(req, row, t);
		tv_push(list, t);
	}
	tv_set_bool(d, arena_printf(req->arena, "has_%s", lp->name), p.n > 0);
	list_fill(req, d, lq, lp->sort_keys, &p, lp->row_size);
	return true;
}
