/*
 * ui-devices.c - the Devices tab: the list, a device's page with its
 * customer history, registration and bulk re-assignment ("manage").
 *
 * Which devices a user sees is the scope of perm.h (SCOPE_DEVICE in every
 * statement): the subtree, Full Device Access or Account Administrator,
 * and the user's locations if they have any. A device outside it answers
 * 404 and, in a pasted list, reads "not found" like an unknown id.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "device.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

static const char *const sort_keys[] = { "unit_id", "name", "customer",
    "location", "registered", NULL };
/* [wide plan][sort key][descending] (sql.h DEVICE_SORT) */
static const enum stmt_id list_stmts[2][5][2] = {
	{
		{ STMT_DEVICE_LIST_UNIT_ASC, STMT_DEVICE_LIST_UNIT_DESC },
		{ STMT_DEVICE_LIST_NAME_ASC, STMT_DEVICE_LIST_NAME_DESC },
		{ STMT_DEVICE_LIST_CUSTOMER_ASC, STMT_DEVICE_LIST_CUSTOMER_DESC },
		{ STMT_DEVICE_LIST_LOCATION_ASC, STMT_DEVICE_LIST_LOCATION_DESC },
		{ STMT_DEVICE_LIST_REGISTERED_ASC,
		  STMT_DEVICE_LIST_REGISTERED_DESC },
	}, {
		{ STMT_DEVICE_WIDE_UNIT_ASC, STMT_DEVICE_WIDE_UNIT_DESC },
		{ STMT_DEVICE_WIDE_NAME_ASC, STMT_DEVICE_WIDE_NAME_DESC },
		{ STMT_DEVICE_WIDE_CUSTOMER_ASC, STMT_DEVICE_WIDE_CUSTOMER_DESC },
		{ STMT_DEVICE_WIDE_LOCATION_ASC, STMT_DEVICE_WIDE_LOCATION_DESC },
		{ STMT_DEVICE_WIDE_REGISTERED_ASC,
		  STMT_DEVICE_WIDE_REGISTERED_DESC },
	},
};
_Static_assert(sizeof(list_stmts[0]) / sizeof(list_stmts[0][0]) ==
    sizeof(sort_keys) / sizeof(sort_keys[0]) - 1, "a statement per key");

static const char *const read_failed = "The devices could not be read. "
    "Please try again.";

/* The customers of the scope as <option>s; selected is marked. */
static void
add_customer_options(struct request *req, struct tval *d, int64_t selected)
{
	struct tval *list = page_customer_options(req, selected, NULL);

	tv_set(d, "customers", list ? list : tv_list(req->arena));
}

/* The locations of the scope as <option>s ("Name (Customer)"). */
static void
add_location_options(struct request *req, struct tval *d, int64_t selected)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	sqlite3_stmt *s = db_stmt(db, STMT_LOCATIONS_IN_SCOPE);
	struct tval *list = tv_set_list(d, "locations"), *o;
	int64_t id;

	perm_bind_scope(s, &sc);
	while (db_step(db, s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		o = tv_map(req->arena);
		tv_set_int(o, "id", id);
		tv_set_str(o, "label", arena_printf(req->arena, "%s (%s)",
		    (const char *)sqlite3_column_text(s, 1),
		    customer_path_text(&req->viewer, sqlite3_column_int64(s, 2))));
		tv_set_bool(o, "selected", id == selected);
		tv_push(list, o);
	}
	sqlite3_reset(s);
	tv_set_bool(d, "has_locations", tv_len(list) > 0);
}

/* The visible devices matching lq as rows; -1 on a database error. */
static int
add_device_rows(struct request *req, struct tval *d,
    const struct list_query *lq, int64_t *count)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	int64_t id;
	struct tval *list = tv_set_list(d, "devices"), *row;
	sqlite3_stmt *s;
	int rc;

	/* without a search, a location filter or a location restriction,
	 * the per-customer counters answer without reading the devices */
	if (*lq->q == '\0' && lq->location_id == 0 &&
	    sc.location_user == 0 && sc.devices_visible) {
		s = db_stmt(db, STMT_DEVICE_SCOPE_COUNT);
		perm_bind_scope(s, &sc);
		db_bind_int(s, ":customer_id", lq->customer_id);
	} else {
		s = db_stmt(db, STMT_DEVICE_LIST_COUNT);
		perm_bind_scope(s, &sc);
		db_bind_int(s, ":customer_id", lq->customer_id);
		db_bind_int(s, ":location_id", lq->location_id);
		db_bind_text(s, ":like", lq->like);
	}
	if (db_step(db, s) != SQLITE_ROW)
		return -1;
	*count = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	s = db_stmt(db, list_stmts[device_scope_wide(db, &sc)][lq->sort]
	    [lq->desc]);
	perm_bind_scope(s, &sc);
	db_bind_int(s, ":customer_id", lq->customer_id);
	db_bind_int(s, ":location_id", lq->location_id);
	db_bind_text(s, ":like", lq->like);
	db_bind_int(s, ":limit", lq->limit);
	db_bind_int(s, ":offset", lq->offset);
	while ((rc = db_step(db, s)) == SQLITE_ROW) {
		row = tv_map(a);
		id = sqlite3_column_int64(s, 0);
		tv_set_str(row, "href", arena_printf(a, "/devices/%lld",
		    (long long)id));
		tv_set_str(row, "unit_id", db_text(a, s, 1));
		tv_set_str(row, "uuid", db_text(a, s, 2));
		tv_set_str(row, "name", db_text(a, s, 3));
		tv_set_str(row, "vehicle", db_text(a, s, 4));
		tv_set_str(row, "customer", customer_path_text(&req->viewer, sqlite3_column_int64(s, 5)));
		tv_set_str(row, "location", db_text(a, s, 6));
		tv_set_str(row, "registered", time_text(a, req->user,
		    sqlite3_column_int64(s, 7)));
		tv_push(list, row);
	}
	sqlite3_reset(s);
	tv_set_bool(d, "has_devices", tv_len(list) > 0);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
ui_devices(struct request *req)
{
	struct tval *d = page_data(req);
	struct list_query lq;
	int64_t count = 0;

	list_query_read(req, sort_keys, &lq);
	if (add_device_rows(req, d, &lq, &count) != 0) {
		page_error(req, 503, read_failed);
		return;
	}
	add_customer_options(req, d, lq.customer_id);
	add_location_options(req, d, lq.location_id);
	tv_set_bool(d, "may_register", perm_allows(&req->viewer,
	    ACT_DEVICES_REGISTER));
	tv_set_bool(d, "may_manage", perm_allows(&req->viewer,
	    ACT_DEVICES_MANAGE));
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "devices", d);
}

/* Who did something, as far as the viewer may know: a user outside the
 * scope (an administrator above, an operator) is not named. */
static const char *
actor_name(struct request *req, const struct scope *sc, int64_t user_id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_NAME_VISIBLE);
	const char *name = "an administrator outside your view";

	if (user_id == 0)
		return "unknown";
	db_bind_int(s, ":id", user_id);
	perm_bind_scope(s, sc);
	if (db_step(db, s) == SQLITE_ROW)
		name = db_text(req->arena, s, 0);
	sqlite3_reset(s);
	return name;
}

/* A customer's path if it is in the scope, else a neutral phrase. */
static const char *
customer_or_outside(struct request *req, const struct scope *sc, int64_t id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	bool visible;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	visible = db_step(db, s) == SQLITE_ROW;
	sqlite3_reset(s);
	return visible ? customer_path_text(&req->viewer, id) : "a customer outside your view";
}

void
ui_device(struct request *req)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	sqlite3_stmt *s = db_stmt(db, STMT_DEVICE_BY_ID);
	struct tval *d = page_data(req), *dev, *hist, *row;
	int64_t customer_id;

	db_bind_int(s, ":id", req->id);
	perm_bind_scope(s, &sc);
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		page_error(req, 404, "There is no page at this address.");
		return;
	}
	dev = tv_set_map(d, "device");
	tv_set_str(dev, "unit_id", db_text(a, s, 1));
	tv_set_str(dev, "uuid", db_text(a, s, 2));
	tv_set_str(dev, "name", db_text(a, s, 3));
	tv_set_str(dev, "vehicle", db_text(a, s, 4));
	tv_set_str(dev, "vin", db_text(a, s, 5));
	customer_id = sqlite3_column_int64(s, 6);
	tv_set_str(dev, "location", db_text(a, s, 8));
	tv_set_str(dev, "registered", time_text(a, req->user,
	    sqlite3_column_int64(s, 9)));
	sqlite3_reset(s);
	tv_set_str(dev, "customer", customer_path_text(&req->viewer, customer_id));

	hist = tv_set_list(d, "history");
	s = db_stmt(db, STMT_DEVICE_HISTORY);
	db_bind_int(s, ":id", req->id);
	while (db_step(db, s) == SQLITE_ROW) {
		row = tv_map(a);
		tv_set_str(row, "at", time_text(a, req->user,
		    sqlite3_column_int64(s, 0)));
		tv_set_int(row, "from", sqlite3_column_int64(s, 1));
		tv_set_int(row, "to", sqlite3_column_int64(s, 2));
		tv_set_int(row, "by", sqlite3_column_int64(s, 3));
		tv_push(hist, row);
	}
	sqlite3_reset(s);
	/* names resolved after the loop: one statement at a time */
	for (size_t i = 0; i < tv_len(hist); i++) {
		row = tv_at(hist, i);
		tv_set_str(row, "from", customer_or_outside(req, &sc,
		    tv_get(row, "from")->u.i));
		tv_set_str(row, "to", customer_or_outside(req, &sc,
		    tv_get(row, "to")->u.i));
		tv_set_str(row, "by", actor_name(req, &sc,
		    tv_get(row, "by")->u.i));
	}
	tv_set_bool(d, "has_history", tv_len(hist) > 0);
	page_render(req, 200, "device", d);
}

static void
render_register(struct request *req, int status, struct tval *form,
    struct tval *errors)
{
	struct tval *d = page_data(req);
	struct tval *cid = tv_get(form, "customer_id");
	struct tval *lid = tv_get(form, "location_id");

	tv_set(d, "form", form);
	if (errors != NULL && tv_len(errors) > 0)
		tv_set(d, "errors", errors);
	add_customer_options(req, d, cid ? parse_id(cid->u.str.s) : 0);
	add_location_options(req, d, lid ? parse_id(lid->u.str.s) : 0);
	page_render(req, status, "device_form", d);
}

void
ui_device_new_get(struct request *req)
{
	struct tval *form = tv_map(req->arena);

	tv_set_str(form, "customer_id", arena_printf(req->arena, "%lld",
	    (long long)req->user->customer_id));
	render_register(req, 200, form, NULL);
}

/* Whether customer id is in the user's scope. */
static bool
customer_visible(struct request *req, int64_t id)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	bool ok;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &sc);
	ok = id != 0 && db_step(db, s) == SQLITE_ROW;
	sqlite3_reset(s);
	return ok;
}

static const char *
field(struct request *req, struct tval *form, const char *name)
{
	const char *v = param_get(&req->form, name);

	tv_set_str(form, name, v ? v : "");
	return v ? v : "";
}

static void
set_error(struct tval *errors, const char *field, const char *message)
{
	if (message != NULL)
		tv_set_str(errors, field, message);
}

void
ui_device_new_post(struct request *req)
{
	struct tval *form = tv_map(req->arena), *errors = tv_map(req->arena);
	struct db *db = &req->app->db;
	struct device_errors e;
	struct device_fields f;
	char uuid[DEVICE_UUID_LEN + 1];
	struct scope sc;
	const char *loc;
	int64_t id;

	memset(&f, 0, sizeof(f));
	f.unit_id = field(req, form, "unit_id");
	f.name = field(req, form, "name");
	f.vehicle_name = field(req, form, "vehicle_name");
	f.vin = field(req, form, "vin");
	f.customer_id = parse_id(field(req, form, "customer_id"));
	loc = field(req, form, "location_id");
	f.location_id = parse_id(loc);
	if (*loc != '\0' && f.location_id == 0)
		tv_set_str(errors, "location_id", "Choose a location from the "
		    "list.");
	sc = perm_scope(req->user, req->arena);
	device_validate(db, &sc, &f, &e);
	set_error(errors, "unit_id", e.unit_id);
	set_error(errors, "name", e.name);
	set_error(errors, "vehicle_name", e.vehicle_name);
	set_error(errors, "vin", e.vin);
	set_error(errors, "customer_id", e.customer_id);
	set_error(errors, "location_id", e.location_id);
	if (tv_len(errors) > 0) {
		render_register(req, 400, form, errors);
		return;
	}
	switch (device_add(db, req->now, req->user->id, &f, &id, uuid)) {
	case DEVICE_ADDED:
		break;
	case DEVICE_DUPLICATE:
		/* says nothing about who holds it: it may be another account */
		tv_set_str(errors, "unit_id", "A device with this unit id is "
		    "already registered.");
		render_register(req, 409, form, errors);
		return;
	case DEVICE_ADD_FAILED:
		page_error(req, 503, "The device could not be registered. "
		    "Please try again.");
		return;
	}
	flash_set(req, arena_printf(req->arena, "Device %s registered with "
	    "device id %s.", f.unit_id, uuid));
	/* a Device Manager without device access cannot open its page */
	http_redirect(req, sc.devices_visible ?
	    arena_printf(req->arena, "/devices/%lld", (long long)id) :
	    "/devices/new");
}

/* The manage page: choosing the target and the devices. */
static void
render_manage(struct request *req, int status, int64_t target,
    const char *ids, const char *error)
{
	struct tval *d = page_data(req);
	struct list_query lq;
	int64_t count = 0;

	list_query_read(req, sort_keys, &lq);
	if (add_device_rows(req, d, &lq, &count) != 0) {
		page_error(req, 503, read_failed);
		return;
	}
	add_customer_options(req, d, target);
	tv_set_str(d, "ids", ids ? ids : "");
	tv_set_bool(d, "text_mode", param_get(&req->query, "mode") != NULL &&
	    strcmp(param_get(&req->query, "mode"), "text") == 0);
	if (error != NULL)
		tv_set_str(tv_set_map(d, "errors"), "customer_id", error);
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, status, "devices_manage", d);
}

void
ui_devices_manage_get(struct request *req)
{
	render_manage(req, 200, parse_id(param_get(&req->query,
	    "customer_id")), NULL, NULL);
}

/* The devices a manage form names, found in the scope, without
 * duplicates; unknown and invisible ids go to missing alike. */
struct selection {
	struct device_ref *found;
	size_t nfound;
	const char **missing;
	size_t nmissing;
	bool too_many;
};

static void
resolve(struct request *req, struct selection *sel)
{
	struct scope sc = perm_scope(req->user, req->arena);
	const char **keys, **picked;
	size_t n, npicked, i, j;
	struct device_ref ref;

	memset(sel, 0, sizeof(*sel));
	picked = param_all(req->arena, &req->form, "device", &npicked);
	if (npicked > DEVICE_MANAGE_MAX) {
		sel->too_many = true;
		return;
	}
	n = device_split_ids(req->arena, param_get(&req->form, "ids"),
	    DEVICE_MANAGE_MAX - npicked, &keys);
	if (n > DEVICE_MANAGE_MAX - npicked) {
		sel->too_many = true;
		return;
	}
	sel->found = arena_calloc(req->arena, n + npicked + 1,
	    sizeof(*sel->found));
	sel->missing = arena_calloc(req->arena, n + npicked + 1,
	    sizeof(*sel->missing));
	for (i = 0; i < n + npicked; i++) {
		const char *key = i < npicked ? picked[i] : keys[i - npicked];

		if (device_find(&req->app->db, req->arena, &sc, key,
		    &ref) != 0) {
			sel->missing[sel->nmissing++] = key;
			continue;
		}
		for (j = 0; j < sel->nfound; j++)
			if (sel->found[j].id == ref.id)
				break;
		if (j == sel->nfound)	/* pasted twice: moved once */
			sel->found[sel->nfound++] = ref;
	}
}

static void
render_preview(struct request *req, int64_t target,
    const struct selection *sel)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *moves, *missing, *row;
	const char *to = customer_path_text(&req->viewer, target);
	struct buf ids;
	size_t i;

	buf_init(&ids, a);
	moves = tv_set_list(d, "moves");
	for (i = 0; i < sel->nfound; i++) {
		row = tv_map(a);
		tv_set_str(row, "unit_id", sel->found[i].unit_id);
		tv_set_str(row, "uuid", sel->found[i].uuid);
		tv_set_str(row, "name", sel->found[i].name);
		tv_set_str(row, "from", customer_path_text(&req->viewer, sel->found[i].customer_id));
		tv_set_str(row, "to", to);
		tv_set_bool(row, "unchanged", sel->found[i].customer_id ==
		    target);
		tv_push(moves, row);
		buf_printf(&ids, "%s ", sel->found[i].uuid);
	}
	missing = tv_set_list(d, "missing");
	for (i = 0; i < sel->nmissing; i++)
		tv_push(missing, tv_str(a, sel->missing[i]));
	tv_set_int(d, "move_count", (int64_t)sel->nfound);
	tv_set_int(d, "missing_count", (int64_t)sel->nmissing);
	tv_set_bool(d, "has_moves", sel->nfound > 0);
	tv_set_bool(d, "has_missing", sel->nmissing > 0);
	tv_set_int(d, "customer_id", target);
	tv_set_str(d, "target", to);
	tv_set_str(d, "ids", ids.data);
	page_render(req, 200, "devices_preview", d);
}

/*
 * POST /devices/manage: step "preview" lists what would move and what was
 * not found; step "process" moves the previewed devices (sent back as
 * device ids) in one transaction, each move recorded.
 */
void
ui_devices_manage_post(struct request *req)
{
	const char *step = param_get(&req->form, "step");
	int64_t target = parse_id(param_get(&req->form, "customer_id"));
	struct db *db = &req->app->db;
	struct selection sel;
	size_t i, moved = 0;

	if (!customer_visible(req, target)) {
		render_manage(req, 400, 0, param_get(&req->form, "ids"),
		    "Choose the customer the devices go to.");
		return;
	}
	resolve(req, &sel);
	if (sel.too_many) {
		render_manage(req, 413, target, NULL, arena_printf(req->arena,
		    "At most %d devices can be moved at once.",
		    DEVICE_MANAGE_MAX));
		return;
	}
	if (step == NULL || strcmp(step, "process") != 0) {
		render_preview(req, target, &sel);
		return;
	}
	if (db_begin(db) != 0)
		goto fail;
	for (i = 0; i < sel.nfound; i++) {
		if (sel.found[i].customer_id == target)
			continue;
		if (device_move(db, req->now, req->user->id, &sel.found[i],
		    target) != 0)
			goto fail;
		moved++;
	}
	event_log(&req->viewer, "devices_moved", 0, req->user->id, arena_printf(
	    req->arena, "%zu devices to customer %lld", moved,
	    (long long)target));
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(req->arena, "%zu device%s moved to %s.%s",
	    moved, moved == 1 ? "" : "s", customer_path_text(&req->viewer, target), sel.nmissing ? " Some ids "
	    "were not found; nothing was done with them." : ""));
	http_redirect(req, perm_allows(&req->viewer, ACT_DEVICES_LIST) ?
	    arena_printf(req->arena, "/devices?customer_id=%lld",
	    (long long)target) : "/devices/manage");
	return;
fail:
	db_rollback(db);
	page_error(req, 503, "The devices could not be moved; nothing was "
	    "changed. Please try again.");
}
