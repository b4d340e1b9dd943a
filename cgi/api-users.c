/*
 * api-users.c - /api/v1/me and /api/v1/users: list, get, create, update
 * and delete, on the functions of user.c, the same as the Users tab.
 *
 * A body is read over defaults (a new user: active, nothing else; an
 * update: the user as they are), so an update is partial: a member left
 * out stays as it is.
 */
#include <string.h>

#include "api.h"
#include "arena.h"
#include "check.h"
#include "http.h"
#include "perm.h"
#include "ui.h"
#include "user.h"
#include "usergroup.h"

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
	    "groups", groups_json(u->is_operator ? GROUP_OWNER : u->groups),
	    "time_zone", u->time_zone, "time_format", u->time_format,
	    "units", u->units, "mfa_enabled", u->totp_enabled));
}

/* ------------------------------------------------------------- /users */

static const char *const members[] = { "email", "username", "customer_id",
    "groups", "locations", "password_mode", "password", "full_name",
    "phone", "address", "active", "language", NULL };

static json_t *
user_json(struct request *req, const void *row)
{
	const struct user_row *u = row;
	const struct ugroup_effect *eff = u->effect;
	json_t *locations = json_array(), *user_groups = json_array();
	size_t i;

	(void)req;
	for (i = 0; i < u->nlocations; i++)
		json_array_append_new(locations, json_integer(u->locations[i]));
	/* seed 004: their user groups, the most favourable first; null
	 * when they could not be read (never an empty list instead) */
	for (i = 0; eff != NULL && i < eff->ngroups; i++)
		json_array_append_new(user_groups, json_string(eff->groups[i]));
	if (eff == NULL) {
		json_decref(user_groups);
		user_groups = json_null();
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:b, "
	    "s:b, s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
	    "id", (json_int_t)u->id,
	    "username", u->username,
	    "email", u->email,
	    "full_name", u->full_name,
	    "phone", u->phone,
	    "address", u->address,
	    "customer_id", (json_int_t)u->customer_id,
	    "groups", groups_json(u->groups),
	    "locations", locations,
	    "active", u->active,
	    "password_set", u->has_password,
	    "must_change_password", u->must_change_password,
	    "mfa", u->mfa_on ? "on" : u->mfa_required ? "required" : "off",
	    "last_login_at", api_time(u->last_login_at),
	    "created_at", api_time(u->created_at),
	    "language", u->language != NULL ? json_string(u->language) :
	    json_null(),
	    "user_groups", user_groups,
	    "discount_percent", eff != NULL ? json_integer(eff->discount) :
	    json_null(),
	    "financial_owner", eff != NULL && eff->financial_owner != NULL ?
	    json_string(eff->financial_owner) : json_null(),
	    "financial_owner_outside_view", eff != NULL &&
	    eff->financial_owner_hidden);
}

/* The API's pages are keyset pages, which user_list() never moves. */
static int
get_user(const struct viewer *v, int64_t id, void *row)
{
	return user_get_with_groups(v, id, row);
}

const struct api_resource api_users = {
	user_list, get_user, sizeof(struct user_row), user_json,
	"The users", "There is no such user.",
	"/api/v1/users/"
};

/* The members of body over in. 0, or -1 after a problem was sent. */
static int
read_body(struct request *req, json_t *body, struct user_input *in)
{
	static const char *const text[] = { "email", "username", "full_name",
	    "phone", "address", "language" };
	const char **slot[] = { &in->email, &in->username, &in->full_name,
	    &in->phone, &in->address, &in->language };
	const char *v, **keys;
	int64_t *ids;
	size_t i, n;
	int rc;

	if (!api_members_known(req, body, members))
		return -1;
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
 * Create (id 0) or update user id from the members of the request's body
 * read over in; answers the user (201 or 200) or a problem.
 */
static void
save(struct request *req, int64_t id, struct user_input *in)
{
	json_t *body = api_body(req);
	struct user_change c;
	struct user_errors e;
	enum model_result rc;
	int64_t saved = 0;

	if (body == NULL)
		return;
	if (read_body(req, body, in) != 0)
		goto out;
	rc = user_save(&req->viewer, id, in, &c, &e, &saved);
	api_saved(req, &api_users, rc, id == 0, saved, &e, user_error_fields);
out:
	json_decref(body);
}

void
api_user_create(struct request *req)
{
	struct user_input in;

	user_input_init(&in, req->arena, NULL);
	save(req, 0, &in);
}

void
api_user_update(struct request *req)
{
	struct user_input in;
	struct user_row u;
	int rc;

	/* like the page: the user is looked for before the body; what is
	 * left out stays as it is (the locations the viewer cannot see are
	 * never touched) */
	if ((rc = user_get(&req->viewer, req->id, &u)) != 1) {
		if (rc == 0)
			api_problem(req, 404, api_users.missing, NULL);
		else
			api_unavailable(req);
		return;
	}
	user_input_init(&in, req->arena, &u);
	save(req, req->id, &in);
}

void
api_user_delete(struct request *req)
{
	struct user_row gone;

	switch (user_remove(&req->viewer, req->id, &gone)) {
	case MODEL_DONE:
		http_body(req, 204, "application/json", "", 0);
		break;
	case MODEL_NOT_FOUND:
		api_problem(req, 404, api_users.missing, NULL);
		break;
	case MODEL_INVALID:
		api_problem(req, 403, user_why_not_remove(&req->viewer, &gone),
		    NULL);
		break;
	case MODEL_FAILED:
		api_unavailable(req);
		break;
	}
}
