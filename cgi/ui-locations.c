/*
 * ui-locations.c - the Locations tab (Account Administrator or Fleet
 * Management): the locations of the customers in the user's subtree,
 * creating and renaming them or giving them to another customer.
 *
 * As everywhere, the rows a user may see come only from the scoped
 * statements of sql.h: a location of a customer outside the scope answers
 * 404 like a missing one (GET and POST alike, before any field is read),
 * and a customer_id outside it is "not in the list".
 */
#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "customer.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

#define NAME_MAX_CHARS 200

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
	tv_set_int(d, "count", count);
	tv_set_bool(d, "count_one", count == 1);
	tv_set_str(d, "q", lq.q);
	tv_set_str(d, "sort", sort_keys[lq.sort]);
	tv_set_str(d, "dir", lq.desc ? "desc" : "asc");
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "locations", d);
	return;
fail:
	page_error(req, 503, "The list of locations could not be read. "
	    "Please try again.");
}

/* A location of the scope: 1, 0 when not in it (or missing), -1 on a
 * database error. */
static int
load_location(struct request *req, const struct scope *sc, int64_t id,
    const char **name, int64_t *customer_id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_LOCATION_VISIBLE);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	rc = db_step(db, s);
	if (rc == SQLITE_ROW) {
		*name = db_text(req->arena, s, 1);
		*customer_id = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Whether customer id is in the scope: 1, 0, or -1 on an error. */
static int
customer_visible(struct request *req, const struct scope *sc, int64_t id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	rc = db_step(db, s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
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

static void
set_error(struct arena *a, struct tval **errors, const char *field,
    const char *msg)
{
	if (*errors == NULL)
		*errors = tv_map(a);
	if (tv_get(*errors, field) == NULL)
		tv_set_str(*errors, field, msg);
}

/* The name without surrounding spaces, in a. */
static const char *
trimmed(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return "";
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

static void
check_name(struct arena *a, const char *name, struct tval **errors)
{
	size_t chars = 0;
	const char *p;

	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			set_error(a, errors, "name", "The name must be on one "
			    "line.");
			return;
		}
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	}
	if (chars == 0)
		set_error(a, errors, "name", "Enter a name for the location.");
	else if (chars > NAME_MAX_CHARS)
		set_error(a, errors, "name", "The name must be at most 200 "
		    "characters.");
}

void
ui_location_new_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	int64_t want = parse_id(param_get(&req->query, "customer_id"));
	int rc = want ? customer_visible(req, &sc, want) : 0;

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
	const char *name = trimmed(a, param_get(&req->form, "name"));
	const char *cid_text = param_get(&req->form, "customer_id");
	const char *current_name = NULL;
	int64_t cid = parse_id(cid_text), old_cid = 0;
	struct tval *errors = NULL;
	sqlite3_stmt *s;
	int rc;

	if (db_begin(db) != 0)
		goto fail;
	if (id != 0) {
		if ((rc = load_location(req, &sc, id, &current_name,
		    &old_cid)) < 0)
			goto fail;
		if (rc == 0) {
			db_rollback(db);
			page_error(req, 404, not_found);
			return;
		}
	}
	check_name(a, name, &errors);
	if (cid == 0) {
		set_error(a, &errors, "customer_id", "Choose the customer the "
		    "location belongs to.");
	} else if ((rc = customer_visible(req, &sc, cid)) != 1) {
		if (rc < 0)
			goto fail;
		set_error(a, &errors, "customer_id", "Choose a customer from "
		    "the list.");
	}
	if (errors == NULL) {
		if (id == 0) {
			s = db_stmt(db, STMT_LOCATION_INSERT);
		} else {
			s = db_stmt(db, STMT_LOCATION_UPDATE);
			db_bind_int(s, ":id", id);
			perm_bind_scope(s, &sc);
		}
		db_bind_int(s, ":customer_id", cid);
		db_bind_text(s, ":name", name);
		db_bind_int(s, ":now", req->now);
		if (db_exec(db, s) != 0) {
			if (!db_is_constraint(db))
				goto fail;
			set_error(a, &errors, "name", "This customer already "
			    "has a location with this name.");
		} else if (db_changes(db) != 1) {
			goto fail;
		}
	}
	if (errors != NULL) {
		db_rollback(db);
		render_form(req, 400, id, current_name, name, cid, errors);
		return;
	}
	if (id == 0)
		id = db_last_id(db);
	event_log(req, current_name ? "location_updated" :
	    "location_created", 0, req->user->id, arena_printf(a,
	    "location %lld", (long long)id));
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(a, "Location \xe2\x80\x9c%s\xe2\x80\x9d "
	    "was %s.", name, current_name ? "saved" : "created"));
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
	const char *name = NULL;
	int64_t cid = 0;
	int rc = load_location(req, &sc, req->id, &name, &cid);

	if (rc == 0) {
		page_error(req, 404, not_found);
		return;
	}
	if (rc < 0) {
		page_error(req, 503, "The location could not be read. Please "
		    "try again.");
		return;
	}
	render_form(req, 200, req->id, name, name, cid, NULL);
}

void
ui_location_post(struct request *req)
{
	save_location(req, req->id);
}
