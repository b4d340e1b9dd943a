/*
 * ui-devices.c - the Devices tab: the list, a device's page with its
 * customer history, registration and bulk re-assignment ("manage").
 *
 * Parse, call device.c, render: which devices a user sees, the rules and
 * the writes are the model's (the API uses the same functions). A device,
 * or a customer_id / location_id filter, outside the viewer's scope
 * answers 404 like a missing one and, in a pasted list, reads "not found"
 * like an unknown id.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "device.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "usergroup.h"

static const char *const not_found = "There is no page at this address.";
static const char *const read_failed = "The devices could not be read. "
    "Please try again.";

/* The customers of the scope as <option>s; selected is marked. */
static void
add_customer_options(struct request *req, struct tval *d, int64_t selected)
{
	struct tval *list = page_customer_options(req, selected, NULL);

	tv_set(d, "customers", list ? list : tv_list(req->arena));
}

/* Locations l[0..n) as d's "locations" <option>s; selected is marked. */
static void
set_location_options(struct request *req, struct tval *d,
    const struct device_location *l, ssize_t n, int64_t selected)
{
	struct tval *list = tv_set_list(d, "locations"), *o;
	ssize_t i;

	for (i = 0; i < n; i++) {
		o = tv_map(req->arena);
		tv_set_int(o, "id", l[i].id);
		tv_set_str(o, "label", l[i].label);
		tv_set_bool(o, "selected", l[i].id == selected);
		tv_push(list, o);
	}
}

/* The locations of the scope as <option>s ("Name (Customer)"). */
static void
add_location_options(struct request *req, struct tval *d, int64_t selected)
{
	struct device_location *l;
	ssize_t n = device_locations(&req->viewer, &l);

	set_location_options(req, d, l, n, selected);
	tv_set_bool(d, "has_locations", n > 0);
}

static void
list_row(struct request *req, const void *row, struct tval *t)
{
	const struct device *dev = row;
	struct arena *a = req->arena;

	tv_set_str(t, "unit_id", dev->unit_id);
	tv_set_str(t, "uuid", dev->uuid);
	tv_set_str(t, "name", dev->name);
	tv_set_str(t, "vehicle", dev->vehicle_name);
	tv_set_str(t, "customer", dev->customer);
	tv_set_str(t, "customer_href", arena_printf(a,
	    "/devices?customer_id=%lld", (long long)dev->customer_id));
	tv_set_str(t, "location", dev->location ? dev->location : "");
	tv_set_str(t, "registered", time_text(a, req->user,
	    dev->registered_at));
}

static const struct list_page devices = { "devices", "/devices/",
    device_sort_keys, device_list, sizeof(struct device), list_row, false };

/*
 * GET /devices. Device Management alone lists no devices (seed 001): the
 * page says so instead of answering 403, and offers what that group does
 * (registering). The list is not read then: it would be empty anyway.
 */
void
ui_devices(struct request *req)
{
	struct tval *d = page_data(req);
	struct list_query lq;

	tv_set_bool(d, "may_register", perm_allows(&req->viewer,
	    ACT_DEVICES_REGISTER));
	tv_set_bool(d, "may_manage", perm_allows(&req->viewer,
	    ACT_DEVICES_MANAGE));
	if (!perm_may_read(&req->viewer, ACT_DEVICES_LIST)) {
		tv_set_bool(d, "no_device_access", true);
		page_render(req, 200, "devices", d);
		return;
	}
	if (!list_page(req, d, &devices, &lq) ||
	    !page_list_customers(req, d, "customers", lq.customer_id))
		return;
	add_location_options(req, d, lq.location_id);
	page_render(req, 200, "devices", d);
}

void
ui_device(struct request *req)
{
	struct arena *a = req->arena;
	struct tval *d, *dev, *hist, *row;
	struct device_move_entry *h;
	struct device x;
	size_t i, n;
	int rc;

	if ((rc = device_detail(&req->viewer, req->id, &x, &h, &n)) != 1) {
		page_error(req, rc == 0 ? 404 : 503, rc == 0 ? not_found :
		    "The device could not be read. Please try again.");
		return;
	}
	d = page_data(req);
	dev = tv_set_map(d, "device");
	tv_set_str(dev, "unit_id", x.unit_id);
	tv_set_str(dev, "uuid", x.uuid);
	tv_set_str(dev, "name", x.name);
	tv_set_str(dev, "vehicle", x.vehicle_name);
	tv_set_str(dev, "vin", x.vin ? x.vin : "");
	tv_set_str(dev, "customer", x.customer);
	tv_set_str(dev, "location", x.location ? x.location : "");
	tv_set_str(dev, "registered", time_text(a, req->user,
	    x.registered_at));
	hist = tv_set_list(d, "history");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_str(row, "at", time_text(a, req->user, h[i].at));
		tv_set_str(row, "from", h[i].from);
		tv_set_str(row, "to", h[i].to);
		tv_set_str(row, "by", h[i].by);
		tv_push(hist, row);
	}
	tv_set_bool(d, "has_history", n > 0);
	tv_set_bool(d, "may_edit", device_may_edit(&req->viewer) ||
	    device_may_scope(&req->viewer));
	tv_set_int(d, "id", x.id);
	page_render(req, 200, "device", d);
}

/* The registration form with the fields as typed. */
static void
render_register(struct request *req, int status, struct tval *form,
    struct tval *errors)
{
	struct tval *d = page_data(req);
	struct tval *cid = tv_get(form, "customer_id");
	struct tval *lid = tv_get(form, "location_id");

	tv_set(d, "form", form);
	if (errors != NULL)
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

/* Field name of the posted form, also kept in form for the page again. */
static const char *
field(struct request *req, struct tval *form, const char *name)
{
	const char *v = param_get(&req->form, name);

	tv_set_str(form, name, v ? v : "");
	return v ? v : "";
}

/* The fields registering and editing share, into *in and form. */
static void
read_details(struct request *req, struct tval *form, struct device_input *in)
{
	const char *loc;

	in->name = field(req, form, "name");
	in->vehicle_name = field(req, form, "vehicle_name");
	in->vin = field(req, form, "vin");
	loc = field(req, form, "location_id");
	in->location_id = parse_id(loc);
	if (*loc != '\0' && in->location_id == 0)
		in->location_id = -1;	/* given, but not an id */
}

void
ui_device_new_post(struct request *req)
{
	struct tval *form = tv_map(req->arena);
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_input in;
	struct device_errors e;
	int64_t id;

	in.unit_id = field(req, form, "unit_id");
	in.customer_id = parse_id(field(req, form, "customer_id"));
	read_details(req, form, &in);
	switch (device_add(&req->viewer, &in, &e, &id, uuid)) {
	case MODEL_DONE:
		break;
	case MODEL_INVALID:
		/* 409 taken, or 429 while the address may not ask */
		render_register(req, e.unit_id.status > 400 ?
		    e.unit_id.status : 400, form, page_errors(req->arena, &e,
		    device_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		page_error(req, 503, "The device could not be registered. "
		    "Please try again.");
		return;
	}
	flash_set(req, arena_printf(req->arena, "Device %s registered with "
	    "device id %s.", in.unit_id, uuid));
	/* a Device Manager without device access cannot open its page */
	http_redirect(req, perm_allows(&req->viewer, ACT_DEVICES_LIST) ?
	    arena_printf(req->arena, "/devices/%lld", (long long)id) :
	    "/devices/new");
}

/* The edit form of device x with the fields of form (as stored, or as
 * typed); the locations are those of its customer it may be put at. */
static void
render_edit(struct request *req, int status, const struct device *x,
    struct tval *form, const struct device_input *in, struct tval *errors)
{
	struct tval *d = page_data(req);
	struct tval *lid = tv_get(form, "location_id");
	struct device_location *l;
	struct ugroup_choice *c;
	size_t nc;
	ssize_t n;

	if ((n = device_places(&req->viewer, x->customer_id, &l)) < 0 ||
	    ugroup_device_choices(&req->viewer, x->id, &c, &nc) != 0) {
		page_error(req, 503, read_failed);
		return;
	}
	/* each sees their part: the settings, the user groups */
	tv_set_bool(d, "settings", device_may_edit(&req->viewer));
	if (device_may_scope(&req->viewer))
		page_ugroup_boxes(req, d, c, nc, false, in != NULL ?
		    in->user_groups : NULL, in != NULL ? in->nuser_groups : 0);
	tv_set_int(d, "id", x->id);
	tv_set_str(d, "unit_id", x->unit_id);
	tv_set_str(d, "customer", x->customer);
	tv_set(d, "form", form);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	set_location_options(req, d, l, n, lid ? parse_id(lid->u.str.s) : 0);
	/* a viewer with locations keeps the device at one of them */
	tv_set_bool(d, "may_clear", req->viewer.scope.location_user == 0);
	page_render(req, status, "device_edit", d);
}

/* The device of the edit routes, with its customer's path: false after
 * the error page (404 outside the view, like a missing one). */
static bool
edited_device(struct request *req, struct device *x)
{
	int rc;

	if ((rc = device_for_edit(&req->viewer, req->id, x)) == 1)
		return true;
	page_error(req, rc == 0 ? 404 : 503, rc == 0 ? not_found :
	    "The device could not be read. Please try again.");
	return false;
}

void
ui_device_edit_get(struct request *req)
{
	struct tval *form = tv_map(req->arena);
	struct device x;

	if (!edited_device(req, &x))
		return;
	tv_set_str(form, "name", x.name);
	tv_set_str(form, "vehicle_name", x.vehicle_name);
	tv_set_str(form, "vin", x.vin ? x.vin : "");
	tv_set_str(form, "location_id", x.location_id ? arena_printf(
	    req->arena, "%lld", (long long)x.location_id) : "");
	render_edit(req, 200, &x, form, NULL, NULL);
}

void
ui_device_edit_post(struct request *req)
{
	struct tval *form = tv_map(req->arena);
	struct device_input in;
	struct device_errors e;
	struct device x;

	if (!edited_device(req, &x))
		return;
	memset(&in, 0, sizeof(in));
	read_details(req, form, &in);
	in.user_groups = page_ugroup_ids(req, &in.nuser_groups);
	switch (device_update(&req->viewer, req->id, &in, &e)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "Device %s saved.",
		    x.unit_id));
		http_redirect(req, arena_printf(req->arena, "/devices/%lld",
		    (long long)req->id));
		return;
	case MODEL_INVALID:
		render_edit(req, check_form_status(&e, device_error_fields),
		    &x, form, &in, page_errors(req->arena, &e,
		    device_error_fields));
		return;
	case MODEL_NOT_FOUND:	/* gone since it was read */
		page_error(req, 404, not_found);
		return;
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "The device could not be saved; nothing was "
	    "changed. Please try again.");
}

/* The manage page: choosing the target and the devices. */
static void
render_manage(struct request *req, int status, int64_t target,
    const char *ids, struct tval *errors)
{
	struct tval *d = page_data(req);
	const char *mode = param_get(&req->query, "mode");
	struct list_query lq;

	if (!list_page(req, d, &devices, &lq))
		return;
	add_customer_options(req, d, target);
	tv_set_str(d, "ids", ids ? ids : "");
	tv_set_bool(d, "text_mode", mode != NULL && strcmp(mode, "text") == 0);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "devices_manage", d);
}

void
ui_devices_manage_get(struct request *req)
{
	render_manage(req, 200, parse_id(param_get(&req->query,
	    "customer_id")), NULL, NULL);
}

/* The ids a manage form names: the devices picked from the list, then
 * those pasted (at most one more than a move takes, so the model can
 * tell "too many"). */
static size_t
selection(struct request *req, const char ***keys)
{
	const char **picked, **typed, **all;
	size_t npicked, n;

	picked = param_all(req->arena, &req->form, "device", &npicked);
	if (npicked > DEVICE_MANAGE_MAX) {
		*keys = picked;
		return npicked;
	}
	n = device_split_ids(req->arena, param_get(&req->form, "ids"),
	    DEVICE_MANAGE_MAX - npicked, &typed);
	all = arena_calloc(req->arena, npicked + n + 1, sizeof(*all));
	memcpy(all, picked, npicked * sizeof(*all));
	memcpy(all + npicked, typed, n * sizeof(*all));
	*keys = all;
	return npicked + n;
}

static void
render_preview(struct request *req, const struct device_move_plan *p)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *moves, *staying, *cleared, *missing;
	struct tval *row;
	const struct device_move_item *it;
	struct buf ids;
	size_t i;

	buf_init(&ids, a);
	moves = tv_set_list(d, "moves");
	staying = tv_set_list(d, "unchanged");
	cleared = tv_set_list(d, "cleared");
	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		row = tv_map(a);
		tv_set_str(row, "unit_id", it->unit_id);
		tv_set_str(row, "uuid", it->uuid);
		tv_set_str(row, "name", it->name);
		tv_set_str(row, "from", it->from);
		tv_set_str(row, "location", it->location ? it->location : "");
		tv_push(it->unchanged ? staying : moves, row);
		if (it->clears_location)
			tv_push(cleared, row);
		buf_printf(&ids, "%s ", it->uuid);
	}
	missing = tv_set_list(d, "missing");
	for (i = 0; i < p->nmissing; i++)
		tv_push(missing, tv_str(a, p->missing[i]));
	tv_set_int(d, "move_count", (int64_t)p->moved);
	tv_set_int(d, "unchanged_count", (int64_t)(p->nitems - p->moved));
	tv_set_int(d, "missing_count", (int64_t)p->nmissing);
	tv_set_int(d, "cleared_count", (int64_t)p->cleared);
	tv_set_bool(d, "has_items", p->nitems > 0);
	tv_set_bool(d, "has_moves", p->moved > 0);
	tv_set_bool(d, "has_unchanged", p->nitems > p->moved);
	tv_set_bool(d, "has_cleared", p->cleared > 0);
	tv_set_bool(d, "has_missing", p->nmissing > 0);
	tv_set_int(d, "customer_id", p->target);
	tv_set_str(d, "target", p->target_path);
	tv_set_str(d, "ids", ids.data);
	page_render(req, 200, "devices_preview", d);
}

/* After a move: where it went, and how many, as the flash says. */
static void
moved(struct request *req, const struct device_move_plan *p)
{
	flash_set(req, arena_printf(req->arena, "%zu device%s moved to %s.%s",
	    p->moved, p->moved == 1 ? "" : "s", p->target_path,
	    p->nmissing ? " Some ids were not found; nothing was done with "
	    "them." : ""));
	http_redirect(req, perm_allows(&req->viewer, ACT_DEVICES_LIST) ?
	    arena_printf(req->arena, "/devices?customer_id=%lld",
	    (long long)p->target) : "/devices/manage");
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
	bool process = step != NULL && strcmp(step, "process") == 0;
	int64_t target = parse_id(param_get(&req->form, "customer_id"));
	struct device_move_errors e;
	struct device_move_plan p;
	const char **keys;
	size_t n = selection(req, &keys);

	switch (process ? device_move_many(&req->viewer, target, keys, n, &p,
	    &e) : device_move_preview(&req->viewer, target, keys, n, &p, &e)) {
	case MODEL_DONE:
		if (process)
			moved(req, &p);
		else
			render_preview(req, &p);
		return;
	case MODEL_INVALID:
		/* a target to choose again comes first; too many ids are
		 * not sent back */
		if (e.customer_id.msg != NULL)
			render_manage(req, 400, 0, param_get(&req->form,
			    "ids"), page_errors(req->arena, &e,
			    device_move_error_fields));
		else
			render_manage(req, e.ids.status, target, NULL,
			    page_errors(req->arena, &e,
			    device_move_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, process ? "The devices could not be moved; "
	    "nothing was changed. Please try again." : read_failed);
}
