/*
 * api-users.c - /api/v1/me and /api/v1/users.
 */
#include "api.h"
#include "app.h"
#include "http.h"
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
