/*
 * ui-health.c - GET /healthz (issue 18), for load balancers and systemd
 * watchdogs: whether this worker reads the database, and its schema
 * version. Nothing else (no paths, no versions of libraries), no
 * session and no cookie: routes.c's R_PROBE.
 */
#include <jansson.h>

#include "api.h"
#include "dbcheck.h"
#include "http.h"
#include "ui.h"

void
ui_healthz(struct request *req)
{
	int64_t version;

	req->no_store = true;
	if (dbcheck_health(&req->viewer, &version) != 0) {
		api_problem(req, 503, "The database cannot be read.", NULL);
		return;
	}
	api_json(req, 200, json_pack("{s:s, s:I}", "status", "ok",
	    "schema_version", (json_int_t)version));
}
