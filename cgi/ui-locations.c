/*
 * ui-locations.c - the Locations tab (Account Administrator or Fleet
 * Management): the locations of the customers in the user's subtree,
 * creating and renaming them or giving them to another customer, and
 * deleting them after a page that says what that detaches.
 *
 * Parse, call location.c, render: the rows, the rules and the writes are
 * the model's (the API uses the same functions). A location, or a
 * customer_id filter, outside the viewer's scope answers 404 like a
 * missing one.
 */
#include <stdbool.h>

#include "arena.h"
#include "check.h"
#include "customer.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "location.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

static void
list_row(struct request *req, const void *row, struct tval *t)
{
	const struct location *l = row;
	struct arena *a = req->arena;

	tv_set_str(t, "name", l->name);
	tv_set_str(t, "customer", l->customer);
	if (perm_may_read(&req->viewer, ACT_CUSTOMERS))
		tv_set_str(t, "customer_href", arena_printf(a,
		    "/customers/%lld", (long long)l->customer_id));
	tv_set_int(t, "users", l->users);
}

void
ui_locations(struct request *req)
{
	static const struct list_page locations = { "locations",
	    "/locations/", location_sort_keys, location_list,
	    sizeof(struct location), list_row, false };
	struct tval *d = page_data(req);
	struct list_query lq;

	tv_set_bool(d, "may_create", perm_allows(&req->viewer, ACT_LOCATIONS));
	if (list_page(req, d, &locations, &lq) &&
	    page_customer_filter(req, d, &lq))
		page_render(req, 200, "locations", d);
}

static void
render_form(struct request *req, int status, int64_t id,
    const char *current_name, const char *name, int64_t customer_id,
    struct tval *errors)
{
	struct arena *a = req->arena;
	struct tval *d, *form, *opts;

	opts = page_customer_options(req, customer_id, NULL);
	if (opts == NULL) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	d = page_data(req);
	tv_set(d, "customers", opts);
	tv_set_bool(d, "is_new", id == 0);
	tv_set_str(d, "action", id == 0 ? "/locations/new" :
	    arena_printf(a, "/locations/%lld", (long long)id));
	if (current_name != NULL)
		tv_set_str(d, "location_name", current_name);
	if (id != 0 && page_read_only(req, d, ACT_LOCATIONS) == NULL)
		tv_set_str(d, "delete_href", arena_printf(a,
		    "/locations/%lld/delete", (long long)id));
	if (id != 0 && perm_may_read(&req->viewer, ACT_LOCATION_SHARES))
		tv_set_str(d, "shares_href", arena_printf(a,
		    "/locations/%lld/shares", (long long)id));
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", name);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "location_form", d);
}

void
ui_location_new_get(struct request *req)
{
	int64_t want = parse_id(param_get(&req->query, "customer_id"));
	int rc = want ? perm_sees_customer(&req->viewer, want) : 0;

	if (rc < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	render_form(req, 200, 0, NULL, "", rc == 1 ? want :
	    req->user->customer_id, NULL);
}

/* Create (id 0) or update location id from the posted name and
 * customer_id: the redirect, the form again, 404 or 503. */
static void
save_location(struct request *req, int64_t id)
{
	enum model_result r;
	struct arena *a = req->arena;
	struct location_input in;
	struct location_errors e;
	struct location cur;
	int64_t saved;

	in.name = check_trim(a, param_get(&req->form, "name"));
	in.customer_id = parse_id(param_get(&req->form, "customer_id"));
	switch ((r = location_save(&req->viewer, id, &in, &e, &saved))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, "Location \xe2\x80\x9c%s"
		    "\xe2\x80\x9d was %s.", in.name, id != 0 ? "saved" :
		    "created"));
		http_redirect(req, "/locations");
		return;
	case MODEL_INVALID:
		/* the heading keeps the stored name while the form shows
		 * what was typed */
		cur.name = NULL;
		if (id != 0 && location_get(&req->viewer, id, &cur) != 1)
			cur.name = NULL;
		render_form(req, 400, id, cur.name, in.name, in.customer_id,
		    page_errors(a, &e, location_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The change could not be saved");
}

void
ui_location_new_post(struct request *req)
{
	save_location(req, 0);
}

/* Whether the read of the route's location found it (rc 1); else the
 * 404 (outside the view or missing) or 503 page was sent. */
static bool
location_found(struct request *req, int rc)
{
	return page_found(req, rc, "The location");
}

void
ui_location_get(struct request *req)
{
	struct location cur;

	if (!location_found(req, location_get(&req->viewer, req->id, &cur)))
		return;
	render_form(req, 200, req->id, cur.name, cur.name, cur.customer_id,
	    NULL);
}

void
ui_location_post(struct request *req)
{
	save_location(req, req->id);
}

/* -------------------------------------------------------------- delete */

void
ui_location_delete_get(struct request *req)
{
	struct arena *a = req->arena;
	struct location_ties t;
	struct location l;
	struct tval *d;

	if (!location_found(req, location_ties(&req->viewer, req->id, &l,
	    &t)))
		return;
	d = page_data(req);
	tv_set_str(d, "location_name", l.name);
	tv_set_str(d, "customer", customer_path_text(&req->viewer,
	    l.customer_id));
	tv_set_int(d, "users", t.users);
	tv_set_bool(d, "users_one", t.users == 1);
	tv_set_int(d, "last", t.last);
	tv_set_bool(d, "last_one", t.last == 1);
	tv_set_bool(d, "has_last", t.last > 0);
	tv_set_int(d, "devices", t.devices);
	tv_set_bool(d, "devices_one", t.devices == 1);
	tv_set_str(d, "action", arena_printf(a, "/locations/%lld/delete",
	    (long long)req->id));
	tv_set_str(d, "back_href", arena_printf(a, "/locations/%lld",
	    (long long)req->id));
	page_render(req, 200, "location_delete", d);
}

void
ui_location_delete_post(struct request *req)
{
	enum model_result r;
	struct location_ties t;
	struct location gone;

	switch ((r = location_remove(&req->viewer, req->id, &gone, &t))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "Location \xe2\x80\x9c"
		    "%s\xe2\x80\x9d was deleted: %lld user%s and %lld "
		    "device%s detached.", gone.name, (long long)t.users,
		    t.users == 1 ? "" : "s", (long long)t.devices,
		    t.devices == 1 ? "" : "s"));
		http_redirect(req, "/locations");
		return;
	case MODEL_NOT_FOUND:
	case MODEL_INVALID:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The location could not be deleted");
}
