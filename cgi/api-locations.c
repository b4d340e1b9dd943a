/*
 * api-locations.c - /api/v1/locations: list, get and create, on the
 * functions of location.c, the same as the Locations tab.
 */
#include "api.h"
#include "arena.h"
#include "check.h"
#include "http.h"
#include "location.h"
#include "ui.h"

static json_t *
location_json(struct request *req, const void *row)
{
	const struct location *l = row;

	(void)req;
	return json_pack("{s:I, s:s, s:I, s:o, s:o}",
	    "id", (json_int_t)l->id,
	    "name", l->name,
	    "customer_id", (json_int_t)l->customer_id,
	    "created_at", api_time(l->created_at),
	    "updated_at", api_time(l->updated_at));
}

static int
get_location(const struct viewer *v, int64_t id, void *row)
{
	return location_get(v, id, row);
}

const struct api_resource api_locations = {
	location_list, get_location, sizeof(struct location), location_json,
	"The locations", "There is no such location.",
	"/api/v1/locations/"
};

void
api_location_create(struct request *req)
{
	static const char *const members[] = { "name", "customer_id", NULL };
	json_t *body = api_body(req);
	struct location_input in;
	struct location_errors e;
	const char *name = "";
	enum model_result rc;
	int64_t id = 0;

	if (body == NULL)
		return;
	in.customer_id = 0;
	if (!api_members_known(req, body, members) ||
	    api_opt_string(req, body, "name", &name) < 0 ||
	    api_opt_id(req, body, "customer_id", &in.customer_id) < 0)
		goto out;
	in.name = check_trim(req->arena, name);
	rc = location_save(&req->viewer, 0, &in, &e, &id);
	api_saved(req, &api_locations, rc, true, id, &e,
	    location_error_fields);
out:
	json_decref(body);
}
