/*
 * api-devices.c - /api/v1/devices: list, get, register and the bulk
 * assign, on the functions of device.c, the same as the Devices tab.
 */
#include <string.h>

#include "api.h"
#include "arena.h"
#include "check.h"
#include "device.h"
#include "http.h"
#include "ui.h"

static json_t *
or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
device_json(struct request *req, const void *row)
{
	const struct device *d = row;

	(void)req;
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o}",
	    "id", (json_int_t)d->id,
	    "unit_id", d->unit_id,
	    "device_id", d->uuid,
	    "name", d->name,
	    "vehicle_name", d->vehicle_name,
	    "vin", or_null(d->vin),
	    "customer_id", (json_int_t)d->customer_id,
	    "location_id", d->location_id != 0 ?
	    json_integer(d->location_id) : json_null(),
	    "location", or_null(d->location),
	    "registered_at", api_time(d->registered_at));
}

static int
get_device(const struct viewer *v, int64_t id, void *row)
{
	return device_get(v, id, row);
}

const struct api_resource api_devices = {
	device_list, get_device, sizeof(struct device), device_json,
	"The devices", "There is no such device.",
	"/api/v1/devices/"
};

/* The members of a new device into *in; false after a 400 problem. */
static bool
read_device(struct request *req, json_t *body, struct device_input *in)
{
	static const char *const members[] = { "unit_id", "name",
	    "vehicle_name", "vin", "customer_id", "location_id", NULL };

	in->unit_id = in->name = in->vehicle_name = in->vin = "";
	in->customer_id = in->location_id = 0;
	return api_members_known(req, body, members) &&
	    api_opt_string(req, body, "unit_id", &in->unit_id) >= 0 &&
	    api_opt_string(req, body, "name", &in->name) >= 0 &&
	    api_opt_string(req, body, "vehicle_name", &in->vehicle_name) >= 0 &&
	    api_opt_string(req, body, "vin", &in->vin) >= 0 &&
	    api_opt_id(req, body, "customer_id", &in->customer_id) >= 0 &&
	    api_opt_id(req, body, "location_id", &in->location_id) >= 0;
}

void
api_device_create(struct request *req)
{
	json_t *body = api_body(req);
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_input in;
	struct device_errors e;
	struct device d;
	int64_t id;

	if (body == NULL)
		return;
	if (!read_device(req, body, &in))
		goto out;
	switch (device_add(&req->viewer, &in, &e, &id, uuid)) {
	case MODEL_DONE:
		http_header(req, "Location", arena_printf(req->arena,
		    "%s%lld", api_devices.path, (long long)id));
		/* Device Management alone (or a location restriction)
		 * registers devices it does not see: their ids only */
		api_json(req, 201, device_get(&req->viewer, id, &d) == 1 ?
		    device_json(req, &d) : json_pack("{s:I, s:s, s:s}", "id",
		    (json_int_t)id, "unit_id", in.unit_id, "device_id", uuid));
		break;
	case MODEL_INVALID:
		api_errors(req, &e, device_error_fields);
		break;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		api_unavailable(req);
		break;
	}
out:
	json_decref(body);
}

/* The ids member: an array of strings of at most 100 bytes without NUL,
 * as keys; false after a 400 problem. */
static bool
read_ids(struct request *req, json_t *body, const char ***keys, size_t *n)
{
	json_t *ids = json_object_get(body, "ids"), *v;
	size_t i;

	if (!json_is_array(ids)) {
		api_problem(req, 400, "ids must be an array of unit ids or "
		    "device ids.", "ids");
		return false;
	}
	*n = json_array_size(ids);
	*keys = arena_calloc(req->arena, *n + 1, sizeof(**keys));
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v) || json_string_length(v) > 100 ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			api_problem(req, 400, "ids must be strings.", "ids");
			return false;
		}
		(*keys)[i] = json_string_value(v);	/* lives with body */
	}
	return true;
}

/* The devices of p, those that moved (moved) or were already at the
 * target (not moved), as documents. */
static json_t *
moves_json(const struct device_move_plan *p, bool moved)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < p->nitems; i++)
		if (p->items[i].unchanged != moved)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s, "
			    "s:I, s:I}", "id", (json_int_t)p->items[i].id,
			    "unit_id", p->items[i].unit_id, "device_id",
			    p->items[i].uuid, "from_customer_id",
			    (json_int_t)p->items[i].from_id, "to_customer_id",
			    (json_int_t)p->target));
	return list;
}

/*
 * POST /api/v1/devices/assign {"customer_id": N, "ids": ["unit id or
 * device id", …]}: the manage page's move, in one transaction; the answer
 * lists what moved, what was already there and which ids were not found
 * (unknown and invisible alike).
 */
void
api_devices_assign(struct request *req)
{
	static const char *const members[] = { "customer_id", "ids", NULL };
	json_t *body = api_body(req), *missing;
	struct device_move_errors e;
	struct device_move_plan p;
	const char **keys;
	int64_t target = 0;
	size_t i, n;

	if (body == NULL)
		return;
	if (!api_members_known(req, body, members) ||
	    api_opt_id(req, body, "customer_id", &target) < 0 ||
	    !read_ids(req, body, &keys, &n))
		goto out;
	switch (device_move_many(&req->viewer, target, keys, n, &p, &e)) {
	case MODEL_DONE:
		missing = json_array();
		for (i = 0; i < p.nmissing; i++)
			json_array_append_new(missing,
			    json_string(p.missing[i]));
		api_json(req, 200, json_pack("{s:o, s:o, s:o}", "moved",
		    moves_json(&p, true), "unchanged", moves_json(&p, false),
		    "not_found", missing));
		break;
	case MODEL_INVALID:
		api_errors(req, &e, device_move_error_fields);
		break;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		api_problem(req, 503, "The devices could not be moved; "
		    "nothing was changed.", NULL);
		break;
	}
out:
	json_decref(body);
}
