/*
 * api-users.c - /api/v1/me and /api/v1/users: list, get, create, update
 * and delete, on the scoped statements of sql.h and the rules of user.c,
 * the same as the Users tab.
 *
 * A body is read over defaults (a new user: active, nothing else; an
 * update: the user as they are), so an update is partial: a member left
 * out stays as it is.
 */
#include <stdlib.h>
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
#include "user.h"

/* The groups bit set as a list of their API names. */
static json_t *
groups_json(unsigned bits)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < GROUP_COUNT; i++)
		if (bits & perm_groups[i].bit)
			json_array_append_new(list,
			    json_string(perm_groups[i].key));
	return list;
}

void
api_me(struct request *req)
{
	const struct user *u = req->user;

	api_json(req, 200, json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o, "
	    "s:s, s:s, s:s, s:b}",
	    "id", (json_int_t)u->id, "username", u->username, "email",
	    u->email, "full_name", u->full_name,
	    "customer_id", u->is_operator ? json_null() :
	    json_integer(u->customer_id), "is_operator", u->is_operator,
	    "groups", groups_json(u->is_operator ? GROUP_ALL : u->groups),
	    "time_zone", u->time_zone, "time_format", u->time_format,
	    "units", u->units, "mfa_enabled", u->totp_enabled));
}

/* ------------------------------------------------------------- /users */

static const char *const members[] = { "email", "username", "customer_id",
    "groups", "locations", "password_mode", "password", "full_name",
    "phone", "address", "active", NULL };
static const char *const no_such = "There is no such user.";

/* A group_concat of ids ("3,7", NULL for none) as a JSON array. */
static json_t *
ids_json(const char *text)
{
	json_t *list = json_array();
	const char *p = text;
	char *end;
	long long id;

	while (p != NULL && *p != '\0') {
		id = strtoll(p, &end, 10);
		if (end == p)
			break;
		json_array_append_new(list, json_integer(id));
		p = *end == ',' ? end + 1 : end;
	}
	return list;
}

/* A row of USER_API_SELECT as a JSON user. */
static json_t *
user_json(struct request *req, sqlite3_stmt *s)
{
	(void)req;
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:b, "
	    "s:b, s:b, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0),
	    "username", (const char *)sqlite3_column_text(s, 1),
	    "email", (const char *)sqlite3_column_text(s, 2),
	    "full_name", (const char *)sqlite3_column_text(s, 3),
	    "phone", (const char *)sqlite3_column_text(s, 4),
	    "address", (const char *)sqlite3_column_text(s, 5),
	    "customer_id", (json_int_t)sqlite3_column_int64(s, 6),
	    "groups", groups_json((unsigned)sqlite3_column_int(s, 7)),
	    "locations", ids_json((const char *)sqlite3_column_text(s, 8)),
	    "active", sqlite3_column_int(s, 9) != 0,
	    "password_set", sqlite3_column_int(s, 10) != 0,
	    "must_change_password", sqlite3_column_int(s, 11) != 0,
	    "last_login_at", api_time(sqlite3_column_int64(s, 12)),
	    "created_at", api_time(sqlite3_column_int64(s, 13)));
}

void
api_users_list(struct request *req)
{
	struct api_page p;
	sqlite3_stmt *s = api_list_start(req, STMT_USER_API_LIST, &p);
	int rc;

	if (s == NULL)
		return;
	/* like the page: a filter outside the scope is a customer that is
	 * not there (perm_sees_customer runs another statement: s waits) */
	if (p.lq.customer_id != 0 && (rc = perm_sees_customer(&req->viewer, p.lq.customer_id)) != 1) {
		if (rc == 0)
			api_problem(req, 404, "There is no such customer.",
			    "customer_id");
		else
			api_problem(req, 503, "The users could not be read just "
			    "now; please try again.", NULL);
		return;
	}
	db_bind_int(s, ":customer_id", p.lq.customer_id);
	db_bind_text(s, ":like", p.lq.like);
	api_send_list(req, s, &p, user_json, "The users");
}

void
api_user_get(struct request *req)
{
	api_send_scoped(req, 200, STMT_USER_API_GET, req->id, user_json,
	    no_such);
}

/* The members of body over in. 0, or -1 after a problem was sent. */
static int
read_body(struct request *req, json_t *body, struct user_input *in)
{
	static const char *const text[] = { "email", "username", "full_name",
	    "phone", "address" };
	const char **slot[] = { &in->email, &in->username, &in->full_name,
	    &in->phone, &in->address };
	const char *v, **keys;
	int64_t *ids;
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if ((rc = api_opt_string(req, body, text[i], &v)) < 0)
			return -1;
		if (rc == 1)	/* trimmed like the form's */
			*slot[i] = check_trim(req->arena, v);
	}
	if (api_opt_string(req, body, "password", &in->password) < 0 ||
	    api_opt_string(req, body, "password_mode",
	    &in->password_mode) < 0 ||
	    api_opt_id(req, body, "customer_id", &in->customer_id) < 0 ||
	    api_opt_bool(req, body, "active", &in->active) < 0 ||
	    (rc = api_opt_strings(req, body, "groups", &keys, &n)) < 0)
		return -1;
	if (rc == 1) {
		in->groups = keys;
		in->ngroups = n;
	}
	if ((rc = api_opt_ids(req, body, "locations", &ids, &n)) < 0)
		return -1;
	if (rc == 1) {
		in->locations = ids;
		in->nlocations = n;
	}
	/* the page ignores a password typed with another mode; a script
	 * that sends one surely meant to set it: say so, set nothing */
	if (*in->password != '\0' && (in->password_mode == NULL ||
	    strcmp(in->password_mode, "manual") != 0)) {
		api_problem(req, 400, "A password is only taken with "
		    "\"password_mode\": \"manual\".", "password");
		return -1;
	}
	return 0;
}

/*
 * Create (t NULL) or update t from the members of body read over in;
 * answers the user (201 or 200), a problem, or 503.
 */
static void
save(struct request *req, const struct user_target *t, json_t *body,
    struct user_input *in)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_change c;
	struct user_errors e;
	int64_t id = t ? t->id : 0;
	int rc;

	if (!api_members_known(req, body, members) ||
	    read_body(req, body, in) != 0)
		return;
	if ((rc = user_check(req, &sc, t, in, &c, &e)) < 0)
		goto fail;
	if (rc == 0) {
		if (user_hash_password(req->arena, in, &c) != 0 ||
		    db_begin(db) != 0)
			goto fail;
		rc = user_check_unique(db, in, id, &e);
	}
	if (rc > 0) {
		db_rollback(db);
		api_errors(req, &e, user_error_fields);
		return;
	}
	if ((t == NULL ? (id = user_add(req, &sc, in, &c)) == 0 :
	    user_save(req, &sc, t, in, &c) != 0) || db_commit(db) != 0)
		goto fail;
	if (t == NULL)
		http_header(req, "Location", arena_printf(req->arena,
		    "/api/v1/users/%lld", (long long)id));
	api_send_scoped(req, t == NULL ? 201 : 200, STMT_USER_API_GET, id,
	    user_json, no_such);
	return;
fail:
	api_unavailable(req);
}

void
api_user_create(struct request *req)
{
	json_t *body = api_body(req);
	struct user_input in;

	if (body == NULL)
		return;
	user_input_init(&in, req->arena, NULL, NULL, 0);
	save(req, NULL, body, &in);
	json_decref(body);
}

void
api_user_update(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_target *t;
	struct user_input in;
	int64_t *ids;
	size_t n;
	json_t *body;

	/* like the page: the user is looked for before the body */
	t = user_target_load(&req->app->db, req->arena, &sc, req->id);
	if (t == NULL) {
		api_problem(req, 404, no_such, NULL);
		return;
	}
	if ((body = api_body(req)) == NULL)
		return;
	/* what is left out stays: the user as they are, with the locations
	 * the editor sees (the others are never touched) */
	n = user_target_locations(&req->app->db, req->arena, &sc, t->id, &ids);
	user_input_init(&in, req->arena, t, ids, n);
	save(req, t, body, &in);
	json_decref(body);
}

void
api_user_delete(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct db *db = &req->app->db;
	struct user_target *t = user_target_load(db, req->arena, &sc, req->id);

	if (t == NULL) {
		api_problem(req, 404, no_such, NULL);
		return;
	}
	if (!user_may_remove(req->user, t)) {
		api_problem(req, 403, "You cannot delete your own user.", NULL);
		return;
	}
	if (db_begin(db) != 0 || user_remove(req, &sc, t) != 0 ||
	    db_commit(db) != 0) {
		api_unavailable(req);
		return;
	}
	http_body(req, 204, "application/json", "", 0);
}
