/*
 * api-customers.c - /api/v1/customers: list, get, create and update, on
 * the scoped statements of sql.h and the rules of customer.c, the same
 * as the Customers tab.
 *
 * A body is read over defaults (a new customer: the parent's settings,
 * like the page's form; an update: the customer as it is), so an update
 * is partial: a member left out stays as it is. parent_id null asks for
 * an account (operators only); require_mfa left out keeps the flag.
 */
#include <string.h>

#include "api.h"
#include "app.h"
#include "arena.h"
#include "check.h"
#include "customer.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "perm.h"
#include "ui.h"

static const char *const members[] = { "name", "email", "country",
    "time_zone", "time_format", "units", "parent_id", "require_mfa",
    "owner_email", NULL };
static const char *const no_such = "There is no such customer.";

/* A row of CUSTOMER_API_SELECT as a JSON customer. */
static json_t *
customer_json(struct request *req, sqlite3_stmt *s)
{
	(void)req;
	return json_pack("{s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b, "
	    "s:b, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0),
	    "parent_id", api_id_or_null(s, 1),
	    "name", (const char *)sqlite3_column_text(s, 2),
	    "email", (const char *)sqlite3_column_text(s, 3),
	    "owner_email", api_text_or_null(s, 4),
	    "country", (const char *)sqlite3_column_text(s, 5),
	    "time_zone", (const char *)sqlite3_column_text(s, 6),
	    "time_format", (const char *)sqlite3_column_text(s, 7),
	    "units", (const char *)sqlite3_column_text(s, 8),
	    "require_mfa", sqlite3_column_int(s, 9) != 0,
	    "mfa_required", sqlite3_column_int(s, 10) != 0,
	    "created_at", api_time(sqlite3_column_int64(s, 11)),
	    "updated_at", api_time(sqlite3_column_int64(s, 12)));
}

void
api_customers_list(struct request *req)
{
	struct api_page p;
	sqlite3_stmt *s = api_list_start(req, STMT_CUSTOMER_API_LIST, &p);

	if (s == NULL)
		return;
	db_bind_text(s, ":like", p.lq.like);
	api_send_list(req, s, &p, customer_json, "The customers");
}

void
api_customer_get(struct request *req)
{
	api_send_scoped(req, 200, STMT_CUSTOMER_API_GET, req->id, customer_json,
	    no_such);
}

/* A text member, trimmed like the form's, over *out. */
static int
text_member(struct request *req, json_t *body, const char *key,
    const char **out)
{
	const char *v;
	int rc = api_opt_string(req, body, key, &v);

	if (rc == 1)
		*out = check_trim(req->arena, v);
	return rc;
}

/* The members of body over in. 0, or -1 after a problem was sent. */
static int
read_body(struct request *req, json_t *body, struct customer_input *in)
{
	static const char *const text[] = { "name", "email", "owner_email",
	    "country", "time_zone", "time_format", "units" };
	const char **slot[] = { &in->name, &in->email, &in->owner_email,
	    &in->country, &in->time_zone, &in->time_format, &in->units };
	int64_t parent;
	size_t i;
	bool mfa;
	int rc;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text_member(req, body, text[i], slot[i]) < 0)
			return -1;
	if ((rc = api_opt_id(req, body, "parent_id", &parent)) < 0)
		return -1;
	if (rc == 1) {
		in->parent = parent != 0 ? PARENT_ID : PARENT_NONE;
		in->parent_id = parent;
	}
	if ((rc = api_opt_bool(req, body, "require_mfa", &mfa)) < 0)
		return -1;
	if (rc == 1)
		in->require_mfa = mfa;
	return 0;
}

/*
 * Create (cur NULL) or update cur from the members of body, inside the
 * caller's transaction; answers the customer (status), a problem, or 503.
 */
static void
save(struct request *req, const struct scope *sc, const struct customer *cur,
    json_t *body, const struct customer_input *defaults)
{
	struct db *db = &req->app->db;
	struct customer_input in = *defaults;
	struct customer_change c;
	struct customer_errors e;
	int64_t id;
	int rc;

	if (read_body(req, body, &in) != 0) {
		db_rollback(db);
		return;
	}
	if ((rc = customer_check(req, sc, cur, &in, &c, &e)) < 0)
		goto fail;
	if (rc > 0) {
		db_rollback(db);
		api_errors(req, &e, customer_error_fields);
		return;
	}
	if ((id = customer_save(req, sc, &c)) == 0 || db_commit(db) != 0)
		goto fail;
	if (cur == NULL)
		http_header(req, "Location", arena_printf(req->arena,
		    "/api/v1/customers/%lld", (long long)id));
	api_send_scoped(req, cur == NULL ? 201 : 200, STMT_CUSTOMER_API_GET, id,
	    customer_json, no_such);
	return;
fail:
	api_unavailable(req);
}

void
api_customer_create(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	json_t *body = api_body(req);
	struct customer_input defaults;
	struct customer parent;
	int64_t want = 0;
	int rc = 0;

	if (body == NULL)
		return;
	if (!api_members_known(req, body, members) ||
	    api_opt_id(req, body, "parent_id", &want) < 0)
		goto out;
	if (db_begin(db) != 0) {
		api_unavailable(req);
		goto out;
	}
	/* the settings start as the parent's, like the page's form; a parent
	 * outside the scope gives none (customer_check answers 404) */
	if (want != 0 && (rc = customer_load(db, req->arena, &sc, want,
	    &parent)) < 0) {
		api_unavailable(req);
		goto out;
	}
	customer_input_init(&defaults, rc == 1 ? &parent : NULL);
	defaults.name = defaults.email = defaults.owner_email = "";
	save(req, &sc, NULL, body, &defaults);
out:
	json_decref(body);
}

void
api_customer_update(struct request *req)
{
	struct customer cur;
	struct customer_input defaults;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	json_t *body;
	int rc;

	/* like the page: the customer is looked for, inside the write
	 * transaction that changes it, before the body is read */
	if (db_begin(db) != 0) {
		api_unavailable(req);
		return;
	}
	if ((rc = customer_load(db, req->arena, &sc, req->id, &cur)) <= 0) {
		db_rollback(db);
		if (rc == 0)
			api_problem(req, 404, no_such, NULL);
		else
			api_unavailable(req);
		return;
	}
	if ((body = api_body(req)) == NULL) {
		db_rollback(db);
		return;
	}
	if (api_members_known(req, body, members)) {
		customer_input_init(&defaults, &cur);
		save(req, &sc, &cur, body, &defaults);
	} else {
		db_rollback(db);
	}
	json_decref(body);
}
