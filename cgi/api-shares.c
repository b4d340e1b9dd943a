/*
 * api-shares.c - /api/v1/shared: the locations shared with a Location
 * Facilitator and their devices, read-only, on the functions of share.c
 * (the same as /shared).
 */
#include "api.h"
#include "arena.h"
#include "http.h"
#include "share.h"
#include "ui.h"

static json_t *
share_json(const struct guest_share *g)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:s, s:o, s:o}",
	    "id", (json_int_t)g->id,
	    "location", "id", (json_int_t)g->location_id, "name", g->location,
	    "owner", g->owner,
	    "accepted_at", api_time(g->accepted_at),
	    "expires_at", api_time(g->expires_at));
}

void
api_shared(struct request *req)
{
	struct guest_share *g;
	json_t *items;
	size_t n, i;

	if (share_list_of_guest(&req->viewer, 0, &g, &n) != 0) {
		api_problem(req, 503, "The shared locations could not be read "
		    "just now; please try again.", NULL);
		return;
	}
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, share_json(&g[i]));
	api_json(req, 200, json_pack("{s:o}", "items", items));
}

void
api_shared_devices(struct request *req)
{
	struct guest_share g;
	json_t *items;
	int64_t limit, after;
	size_t i;
	int rc;

	if (api_page(req, &limit, &after) != 0)
		return;
	rc = share_of_guest(&req->viewer, req->id, after, (size_t)limit, &g);
	if (rc <= 0) {
		api_problem(req, rc == 0 ? 404 : 503, rc == 0 ? "There is no "
		    "such shared location (or its share has ended)." : "The "
		    "devices could not be read just now; please try again.",
		    NULL);
		return;
	}
	items = json_array();
	for (i = 0; i < g.ndevices; i++)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:o}", "id", (json_int_t)g.devices[i].id,
		    "unit_id", g.devices[i].unit_id,
		    "name", g.devices[i].name,
		    "vehicle_name", g.devices[i].vehicle_name,
		    "registered_at", api_time(g.devices[i].registered_at)));
	api_json(req, 200, api_list_document(items, g.more, g.ndevices > 0 ?
	    g.devices[g.ndevices - 1].id : 0));
}
