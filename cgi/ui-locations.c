/*
 * ui-locations.c - the Locations tab (Account Administrator or Fleet
 * Management): the locations of the customers in the user's subtree,
 * creating and renaming them or giving them to another customer.
 *
 * As everywhere, the rows a user may see come only from the scoped
 * statements of sql.h: a location of a customer outside the scope answers
 * 404 like a missing one (GET and POST alike, before any field is read),
 * and a customer_id outside it is "not in the list".
 *
 * The rules of the fields and the writes are location.c's, which the API
 * uses too; this file reads the form, asks the model and renders.
 */
#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "check.h"
#include "customer.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "location.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

static const char *const not_found = "There is no page at this address.";
static const char *const db_failed = "The change could not be saved "
    "because of a database error. Nothing was changed; please try again.";

static const char *const sort_keys[] = { "name", "customer", "users",
    NULL };
static const enum stmt_id list_stmts[][2] = {
	{ STMT_LOCATION_LIST_NAME_ASC, STMT_LOCATION_LIST_NAME_DESC },
	{ STMT_LOCATION_LIST_CUSTOMER_ASC, STMT_LOCATION_LIST_CUSTOMER_DESC },
	{ STMT_LOCATION_LIST_USERS_ASC, STMT_LOCATION_LIST_USERS_DESC },
};
_Static_assert(sizeof(list_stmts) / sizeof(list_stmts[0]) ==
    sizeof(sort_keys) / sizeof(sort_keys[0]) - 1, "a statement per key");

void
ui_locations(struct request *req)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	int64_t top = perm_top_depth(req->user), count, cid;
	bool customers_tab = perm_allows(req->user, ACT_CUSTOMERS);
	struct tval *d, *list, *row, *filter;
	struct list_query lq;
	sqlite3_stmt *s;
	int rc;

	list_query_read(req, sort_keys, &lq);
	s = db_stmt(db, STMT_LOCATION_LIST_COUNT);
	perm_bind_scope(s, &sc);
	db_bind_int(s, ":customer_id", lq.customer_id);
	db_bind_text(s, ":like", lq.like);
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		goto fail;
	}
	count = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	d = page_data(req);
	list = tv_set_list(d, "locations");
	s = db_stmt(db, list_stmts[lq.sort][lq.desc]);
	perm_bind_scope(s, &sc);
	db_bind_int(s, ":customer_id", lq.customer_id);
	db_bind_text(s, ":like", lq.like);
	db_bind_int(s, ":limit", lq.limit);
	db_bind_int(s, ":offset", lq.offset);
	while ((rc = db_step(db, s)) == SQLITE_ROW) {
		row = tv_map(a);
		tv_set_str(row, "href", arena_printf(a, "/locations/%lld",
		    (long long)sqlite3_column_int64(s, 0)));
		tv_set_str(row, "name", db_text(a, s, 1));
		cid = sqlite3_column_int64(s, 2);
		tv_set_str(row, "customer", customer_path_text(db, a, cid,
		    top));
		if (customers_tab)
			tv_set_str(row, "customer_href", arena_printf(a,
			    "/customers/%lld", (long long)cid));
		tv_set_int(row, "users", sqlite3_column_int64(s, 3));
		tv_push(list, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	/* the filter offers the customers of the scope; an id outside it
	 * simply matches nothing */
	filter = customer_options(db, a, &sc, top, lq.customer_id, NULL);
	if (filter == NULL)
		goto fail;
	tv_set(d, "customer_filter", filter);
	tv_set_bool(d, "has_locations", tv_len(list) > 0);
	tv_set_bool(d, "filtered", *lq.q != '\0' || lq.customer_id != 0);
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "locations", d);
	return;
fail:
	page_error(req, 503, "The list of locations could not be read. "
	    "Please try again.");
}

static void
render_form(struct request *req, int status, int64_t id,
    const char *current_name, const char *name, int64_t customer_id,
    struct tval *errors)
{
	struct arena *a = req->arena;
	struct scope sc = perm_scope(req->user, a);
	struct tval *d = page_data(req), *form, *opts;

	opts = customer_options(&req->app->db, a, &sc,
	    perm_top_depth(req->user), customer_id, NULL);
	if (opts == NULL) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	tv_set(d, "customers", opts);
	tv_set_bool(d, "is_new", id == 0);
	tv_set_str(d, "action", id == 0 ? "/locations/new" :
	    arena_printf(a, "/locations/%lld", (long long)id));
	if (current_name != NULL)
		tv_set_str(d, "location_name", current_name);
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", name);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "location_form", d);
}

void
ui_location_new_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	int64_t want = parse_id(param_get(&req->query, "customer_id"));
	int rc = want ? customer_in_scope(&req->app->db, &sc, want) : 0;

	if (rc < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	render_form(req, 200, 0, NULL, "", rc == 1 ? want :
	    req->user->customer_id, NULL);
}

/*
 * Create (id 0) or update location id from the posted name and
 * customer_id, in one transaction. Answers the redirect, the form again
 * (400), 404 for a location outside the scope, or 503.
 */
static void
save_location(struct request *req, int64_t id)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	struct location_input in;
	struct location_errors e;
	struct location cur;
	int rc;

	cur.name = NULL;
	in.name = check_trim(a, param_get(&req->form, "name"));
	in.customer_id = parse_id(param_get(&req->form, "customer_id"));
	if (db_begin(db) != 0)
		goto fail;
	if (id != 0) {
		if ((rc = location_load(db, a, &sc, id, &cur)) < 0)
			goto fail;
		if (rc == 0) {
			db_rollback(db);
			page_error(req, 404, not_found);
			return;
		}
	}
	if ((rc = location_check(db, &sc, &in, &e)) < 0)
		goto fail;
	if (rc == 0 && location_save(req, &sc, id, &in, &e) < 0)
		goto fail;
	if (check_count(&e, location_error_fields) > 0) {
		db_rollback(db);
		render_form(req, 400, id, cur.name, in.name, in.customer_id,
		    page_errors(a, &e, location_error_fields));
		return;
	}
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(a, "Location \xe2\x80\x9c%s\xe2\x80\x9d "
	    "was %s.", in.name, id != 0 ? "saved" : "created"));
	http_redirect(req, "/locations");
	return;
fail:
	db_rollback(db);
	page_error(req, 503, db_failed);
}

void
ui_location_new_post(struct request *req)
{
	save_location(req, 0);
}

void
ui_location_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct location cur;
	int rc = location_load(&req->app->db, req->arena, &sc, req->id, &cur);

	if (rc == 0) {
		page_error(req, 404, not_found);
		return;
	}
	if (rc < 0) {
		page_error(req, 503, "The location could not be read. Please "
		    "try again.");
		return;
	}
	render_form(req, 200, req->id, cur.name, cur.name, cur.customer_id,
	    NULL);
}

void
ui_location_post(struct request *req)
{
	save_location(req, req->id);
}
