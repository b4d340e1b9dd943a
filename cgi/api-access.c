/*
 * api-access.c - access control's API (issue 15): POST /api/v1/authorize
 * (may this user, or the holder of this RFID tag, use this device, at
 * what discount, paid by whom: seed 004) and POST /api/v1/access/scans
 * (a device reports a scan; the same answer, and the scan recorded).
 * Both are access.c's one decision; a device asks with the token of a
 * user who sees it.
 */
#include "access.h"
#include "api.h"
#include "arena.h"
#include "http.h"
#include "principal.h"
#include "timefmt.h"
#include "ui.h"

/* How far a scan's time may lie ahead of Arbor's clock (a device's clock
 * runs fast), and behind it (a device that was offline reports late). */
#define SCAN_AHEAD_SECONDS 300
#define SCAN_BEHIND_SECONDS (366 * 86400)

/* The decision as both routes answer it. */
static json_t *
decision_json(const struct access_decision *d)
{
	json_t *groups = json_array();
	size_t i;

	for (i = 0; i < d->effect.ngroups; i++)
		json_array_append_new(groups,
		    json_string(d->effect.groups[i]));
	return json_pack("{s:b, s:s, s:s, s:i, s:o, s:o}",
	    "allowed", d->allowed, "status", d->status, "reason", d->reason,
	    "discount_percent", d->effect.discount,
	    "financial_owner", d->effect.financial_owner != NULL ?
	    json_string(d->effect.financial_owner) : json_null(),
	    "groups", groups);
}

/* The body's unit_id and rfid (as access_uid() gives it, NULL when
 * absent): false after a 400. */
static bool
read_device_and_tag(struct request *req, json_t *body, const char **unit_id,
    const char **rfid)
{
	const char *text = NULL;

	*rfid = NULL;
	*unit_id = NULL;
	if (api_opt_string(req, body, "unit_id", unit_id) < 0 ||
	    api_opt_string(req, body, "rfid", &text) < 0)
		return false;
	if (*unit_id == NULL || **unit_id == '\0') {
		api_problem(req, 400, "unit_id is required: the device asking.",
		    "unit_id");
		return false;
	}
	if (text != NULL && (*rfid = access_uid(req->arena, text)) == NULL) {
		api_problem(req, 400, "rfid is a tag's uid: 1 to 20 hex "
		    "digits.", "rfid");
		return false;
	}
	return true;
}

void
api_authorize(struct request *req)
{
	static const char *const members[] = { "unit_id", "user_id", "rfid",
	    NULL };
	json_t *body = api_body(req);
	struct access_decision d;
	const char *unit_id, *rfid;
	int64_t user_id = 0;
	int rc;

	if (body == NULL)
		return;
	if (!api_members_known(req, body, members) ||
	    !read_device_and_tag(req, body, &unit_id, &rfid) ||
	    api_opt_id(req, body, "user_id", &user_id) < 0)
		goto out;
	if ((user_id == 0) == (rfid == NULL)) {
		api_problem(req, 400, "Give either user_id (the user asking "
		    "for the device) or rfid (the uid of their tag).",
		    user_id == 0 ? "user_id" : "rfid");
		goto out;
	}
	if ((rc = access_decide(&req->viewer, unit_id, user_id, rfid,
	    &d)) <= 0) {
		if (rc == 0)
			api_problem(req, 404, "There is no such device.",
			    "unit_id");
		else
			api_unavailable(req);
		goto out;
	}
	api_json(req, 200, decision_json(&d));
out:
	json_decref(body);
}

void
api_access_scan(struct request *req)
{
	static const char *const members[] = { "unit_id", "rfid", "at", NULL };
	json_t *body = api_body(req);
	struct access_decision d;
	const char *unit_id, *rfid, *at_text = NULL;
	int64_t at;

	if (body == NULL)
		return;
	if (!api_members_known(req, body, members) ||
	    !read_device_and_tag(req, body, &unit_id, &rfid) ||
	    api_opt_string(req, body, "at", &at_text) < 0)
		goto out;
	if (rfid == NULL) {
		api_problem(req, 400, "rfid is required: the uid the device "
		    "read.", "rfid");
		goto out;
	}
	at = req->viewer.now;
	if (at_text != NULL && (time_parse_rfc3339(at_text, &at) != 0 ||
	    at > req->viewer.now + SCAN_AHEAD_SECONDS ||
	    at < req->viewer.now - SCAN_BEHIND_SECONDS)) {
		api_problem(req, 400, "at is the time of the scan (RFC 3339, "
		    "such as 2026-12-07T17:05:00Z), at most a year ago and "
		    "not ahead of now.", "at");
		goto out;
	}
	switch (access_scan(&req->viewer, unit_id, rfid, at, &d)) {
	case MODEL_DONE:
		api_json(req, 201, decision_json(&d));
		break;
	case MODEL_NOT_FOUND:
		api_problem(req, 404, "There is no such device.", "unit_id");
		break;
	default:
		api_unavailable(req);
		break;
	}
out:
	json_decref(body);
}
