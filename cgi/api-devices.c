/*
 * api-devices.c - /api/v1/devices: list, get, register and the bulk
 * assign, on the same scoped statements and device.c rules as the pages.
 */
#include <string.h>

#include "api.h"
#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "device.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "perm.h"
#include "session.h"
#include "ui.h"
#include "user.h"

/* A row with the columns of DEVICE_FIND as a JSON device. */
static json_t *
device_json(sqlite3_stmt *s)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0),
	    "unit_id", (const char *)sqlite3_column_text(s, 1),
	    "device_id", (const char *)sqlite3_column_text(s, 2),
	    "name", (const char *)sqlite3_column_text(s, 3),
	    "vehicle_name", (const char *)sqlite3_column_text(s, 4),
	    "vin", api_text_or_null(s, 5),
	    "customer_id", (json_int_t)sqlite3_column_int64(s, 6),
	    "location_id", api_id_or_null(s, 7),
	    "location", api_text_or_null(s, 8),
	    "registered_at", api_time(sqlite3_column_int64(s, 9)));
}

static json_t *
device_row(struct request *req, sqlite3_stmt *s)
{
	(void)req;
	return device_json(s);
}

void
api_devices_list(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct api_page p;
	sqlite3_stmt *s;

	s = api_list_start(req, device_scope_wide(&req->app->db, &sc) ?
	    STMT_DEVICE_API_WIDE : STMT_DEVICE_API_LIST, &p);
	if (s == NULL)
		return;
	db_bind_int(s, ":customer_id", p.lq.customer_id);
	db_bind_int(s, ":location_id", p.lq.location_id);
	db_bind_text(s, ":like", p.lq.like);
	api_send_list(req, s, &p, device_row, "The devices");
}

/* Send device id (in the scope) as JSON with status; 404 if absent. */
static void
send_device(struct request *req, int status, int64_t id)
{
	api_send_scoped(req, status, STMT_DEVICE_BY_ID, id, device_row,
	    "There is no such device.");
}

void
api_device_get(struct request *req)
{
	send_device(req, 200, req->id);
}

static const char *const device_members[] = { "unit_id", "name",
    "vehicle_name", "vin", "customer_id", "location_id", NULL };
static const char *const assign_members[] = { "customer_id", "ids", NULL };

/* The first field in error, for the problem document. */
static bool
first_error(const struct device_errors *e, const char **field,
    const char **msg)
{
	static const char *const names[] = { "unit_id", "name",
	    "vehicle_name", "vin", "customer_id", "location_id" };
	const char *const msgs[] = { e->unit_id, e->name, e->vehicle_name,
	    e->vin, e->customer_id, e->location_id };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (msgs[i] != NULL) {
			*field = names[i];
			*msg = msgs[i];
			return true;
		}
	return false;
}

void
api_device_create(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_fields f;
	struct device_errors e;
	const char *field, *msg;
	json_t *body = api_body(req);
	int64_t id;

	if (body == NULL)
		return;
	memset(&f, 0, sizeof(f));
	f.vehicle_name = "";
	if (!api_members_known(req, body, device_members) ||
	    api_opt_string(req, body, "unit_id", &f.unit_id) < 0 ||
	    api_opt_string(req, body, "name", &f.name) < 0 ||
	    api_opt_string(req, body, "vehicle_name", &f.vehicle_name) < 0 ||
	    api_opt_string(req, body, "vin", &f.vin) < 0 ||
	    api_opt_id(req, body, "customer_id", &f.customer_id) < 0 ||
	    api_opt_id(req, body, "location_id", &f.location_id) < 0)
		goto out;
	if (device_validate(db, &sc, &f, &e) > 0 &&
	    first_error(&e, &field, &msg)) {
		/* an id outside the view reads as missing, as everywhere */
		api_problem(req, e.customer_id != NULL ? 404 : 400,
		    e.customer_id != NULL ? "There is no such customer." : msg,
		    field);
		goto out;
	}
	switch (device_add(db, req->now, req->user->id, &f, &id, uuid)) {
	case DEVICE_ADDED:
		break;
	case DEVICE_DUPLICATE:
		api_problem(req, 409, "A device with this unit id is already "
		    "registered.", "unit_id");
		goto out;
	case DEVICE_ADD_FAILED:
		api_unavailable(req);
		goto out;
	}
	json_decref(body);
	http_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/devices/%lld", (long long)id));
	if (sc.devices_visible)
		send_device(req, 201, id);
	else	/* Device Management alone: registered, but not visible */
		api_json(req, 201, json_pack("{s:I, s:s, s:s}", "id",
		    (json_int_t)id, "unit_id", f.unit_id, "device_id", uuid));
	return;
out:
	json_decref(body);
}

/*
 * POST /api/v1/devices/assign {"customer_id": N, "ids": ["unit id or
 * device id", …]}: like the manage page, in one transaction; the answer
 * lists what moved and which ids were not found (unknown and invisible
 * alike).
 */
void
api_devices_assign(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	json_t *body = api_body(req), *ids, *moved, *missing, *v;
	struct device_ref ref, *done;
	int64_t target;
	size_t i, j, n, ndone = 0;
	sqlite3_stmt *s;
	bool visible;

	if (body == NULL)
		return;
	target = 0;
	if (!api_members_known(req, body, assign_members) ||
	    api_opt_id(req, body, "customer_id", &target) < 0)
		goto out;
	ids = json_object_get(body, "ids");
	if (target <= 0) {
		api_problem(req, 400, "customer_id is required.",
		    "customer_id");
		goto out;
	}
	if (!json_is_array(ids)) {
		api_problem(req, 400, "ids must be an array of unit ids or "
		    "device ids.", "ids");
		goto out;
	}
	n = json_array_size(ids);
	if (n > DEVICE_MANAGE_MAX) {
		api_problem(req, 413, "At most 10000 ids at once.", "ids");
		goto out;
	}
	s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	db_bind_int(s, ":id", target);
	perm_bind_scope(s, &sc);
	visible = db_step(db, s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (!visible) {
		api_problem(req, 404, "There is no such customer.",
		    "customer_id");
		goto out;
	}
	json_array_foreach(ids, i, v)
		if (!json_is_string(v) || json_string_length(v) > 100) {
			api_problem(req, 400, "ids must be strings.", "ids");
			goto out;
		}
	moved = json_array();
	missing = json_array();
	done = arena_calloc(req->arena, n + 1, sizeof(*done));
	if (db_begin(db) != 0)
		goto fail;
	json_array_foreach(ids, i, v) {
		if (device_find(db, req->arena, &sc, json_string_value(v),
		    &ref) != 0) {
			json_array_append_new(missing, json_copy(v));
			continue;
		}
		for (j = 0; j < ndone && done[j].id != ref.id; j++)
			;
		if (j < ndone)
			continue;	/* named twice: moved once */
		done[ndone++] = ref;
		if (ref.customer_id != target &&
		    device_move(db, req->now, req->user->id, &ref,
		    target) != 0)
			goto fail;
		json_array_append_new(moved, json_pack("{s:I, s:s, s:s, s:I, "
		    "s:I}", "id", (json_int_t)ref.id, "unit_id", ref.unit_id,
		    "device_id", ref.uuid, "from_customer_id",
		    (json_int_t)ref.customer_id, "to_customer_id",
		    (json_int_t)target));
	}
	event_log(&req->viewer, "devices_moved", 0, req->user->id, arena_printf(
	    req->arena, "%zu devices to customer %lld", ndone,
	    (long long)target));
	if (db_commit(db) != 0)
		goto fail;
	api_json(req, 200, json_pack("{s:o, s:o}", "moved", moved,
	    "not_found", missing));
	json_decref(body);
	return;
fail:
	db_rollback(db);
	json_decref(moved);
	json_decref(missing);
	api_problem(req, 503, "The devices could not be moved; nothing was "
	    "changed.", NULL);
out:
	json_decref(body);
}
