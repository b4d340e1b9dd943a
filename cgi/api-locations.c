/*
 * api-locations.c - /api/v1/locations: list, get and create, on the
 * scoped statements of sql.h and the rules of location.c, the same as the
 * Locations tab.
 */
#include "api.h"
#include "app.h"
#include "arena.h"
#include "check.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "location.h"
#include "perm.h"
#include "ui.h"

/* A row of LOCATION_API_SELECT as a JSON location. */
static json_t *
location_json(struct request *req, sqlite3_stmt *s)
{
	(void)req;
	return json_pack("{s:I, s:s, s:I, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0),
	    "name", (const char *)sqlite3_column_text(s, 1),
	    "customer_id", (json_int_t)sqlite3_column_int64(s, 2),
	    "created_at", api_time(sqlite3_column_int64(s, 3)),
	    "updated_at", api_time(sqlite3_column_int64(s, 4)));
}

void
api_locations_list(struct request *req)
{
	struct api_page p;
	sqlite3_stmt *s = api_list_start(req, STMT_LOCATION_API_LIST, &p);

	if (s == NULL)
		return;
	/* like the page: a customer filter outside the scope matches
	 * nothing, as a customer without locations would */
	db_bind_int(s, ":customer_id", p.lq.customer_id);
	db_bind_text(s, ":like", p.lq.like);
	api_send_list(req, s, &p, location_json, "The locations");
}

void
api_location_get(struct request *req)
{
	api_send_scoped(req, 200, STMT_LOCATION_API_GET, req->id, location_json,
	    "There is no such location.");
}

void
api_location_create(struct request *req)
{
	static const char *const members[] = { "name", "customer_id", NULL };
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	json_t *body = api_body(req);
	struct location_input in;
	struct location_errors e;
	const char *name = "";
	int64_t id = 0;
	int rc;

	if (body == NULL)
		return;
	in.customer_id = 0;
	if (!api_members_known(req, body, members) ||
	    api_opt_string(req, body, "name", &name) < 0 ||
	    api_opt_id(req, body, "customer_id", &in.customer_id) < 0)
		goto out;
	in.name = check_trim(req->arena, name);
	if (db_begin(db) != 0 || (rc = location_check(db, &sc, &in, &e)) < 0 ||
	    (rc == 0 && (id = location_save(req, &sc, 0, &in, &e)) < 0))
		goto fail;
	if (api_errors(req, &e, location_error_fields)) {
		db_rollback(db);
		goto out;
	}
	if (db_commit(db) != 0)
		goto fail;
	http_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/locations/%lld", (long long)id));
	api_send_scoped(req, 201, STMT_LOCATION_API_GET, id, location_json,
	    "There is no such location.");
	goto out;
fail:
	api_unavailable(req);
out:
	json_decref(body);
}
