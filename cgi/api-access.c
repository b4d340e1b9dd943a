/*
 * api-access.c - POST /api/v1/authorize: may this user use this device,
 * at what discount, paid by whom (seed 004), on access_decide() of
 * usergroup.c. A charger asks with the token of a user who sees it.
 */
#include "api.h"
#include "arena.h"
#include "http.h"
#include "ui.h"
#include "usergroup.h"

void
api_authorize(struct request *req)
{
	static const char *const members[] = { "unit_id", "user_id", NULL };
	json_t *body = api_body(req), *groups;
	struct access_decision d;
	const char *unit_id = NULL;
	int64_t user_id = 0;
	size_t i;
	int rc;

	if (body == NULL)
		return;
	if (!api_members_known(req, body, members) ||
	    api_opt_string(req, body, "unit_id", &unit_id) < 0 ||
	    api_opt_id(req, body, "user_id", &user_id) < 0)
		goto out;
	if (unit_id == NULL || *unit_id == '\0') {
		api_problem(req, 400, "unit_id is required: the device asking.",
		    "unit_id");
		goto out;
	}
	if (user_id == 0) {
		api_problem(req, 400, "user_id is required: the user asking "
		    "for the device.", "user_id");
		goto out;
	}
	if ((rc = access_decide(&req->viewer, unit_id, user_id, &d)) <= 0) {
		if (rc == 0)
			api_problem(req, 404, "There is no such device.",
			    "unit_id");
		else
			api_unavailable(req);
		goto out;
	}
	groups = json_array();
	for (i = 0; i < d.effect.ngroups; i++)
		json_array_append_new(groups, json_string(d.effect.groups[i]));
	api_json(req, 200, json_pack("{s:b, s:s, s:s, s:i, s:o, s:o}",
	    "allowed", d.allowed, "status", d.status, "reason", d.reason,
	    "discount_percent", d.effect.discount,
	    "financial_owner", d.effect.financial_owner != NULL ?
	    json_string(d.effect.financial_owner) : json_null(),
	    "groups", groups));
out:
	json_decref(body);
}
