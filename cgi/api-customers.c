/*
 * api-customers.c - /api/v1/customers: list, get, create and update, on
 * the functions of customer.c, the same as the Customers tab.
 *
 * A member left out of a body is not given: an update keeps the
 * customer's value (so an update is partial), a new customer takes its
 * parent's settings like the page's form. parent_id null asks for an
 * account (operators only); require_mfa left out keeps the flag.
 */
#include <string.h>

#include "account.h"
#include "api.h"
#include "arena.h"
#include "check.h"
#include "customer.h"
#include "http.h"
#include "ui.h"

static const char *const members[] = { "name", "email", "country",
    "time_zone", "time_format", "units", "parent_id", "require_mfa",
    "owner_email", NULL };

/* A customer's document; its parent is null for an account and for the
 * top of the viewer's view (the id above it is not theirs to see). */
static json_t *
customer_json(struct request *req, const void *row)
{
	const struct customer *c = row;

	(void)req;
	return json_pack("{s:I, s:o, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:b, "
	    "s:b, s:o, s:o}",
	    "id", (json_int_t)c->id,
	    "parent_id", c->top || c->parent_id == 0 ? json_null() :
	    json_integer(c->parent_id),
	    "name", c->name,
	    "email", c->email,
	    "owner_email", c->owner_email,
	    "country", c->country,
	    "time_zone", c->time_zone,
	    "time_format", c->time_format,
	    "units", c->units,
	    "require_mfa", c->require_mfa,
	    "mfa_required", c->mfa_required,
	    "created_at", api_time(c->created_at),
	    "updated_at", api_time(c->updated_at));
}

static int
get_customer(const struct viewer *v, int64_t id, void *row)
{
	return customer_get(v, id, row);
}

const struct api_resource api_customers = {
	customer_list, get_customer, sizeof(struct customer), customer_json,
	"The customers", "There is no such customer.",
	"/api/v1/customers/"
};

/*
 * The members of body into *in (trimmed like the form's; those left out
 * not given). 0, or -1 after a problem was sent.
 */
static int
read_body(struct request *req, json_t *body, struct customer_input *in)
{
	static const char *const text[] = { "name", "email", "owner_email",
	    "country", "time_zone", "time_format", "units" };
	const char **slot[] = { &in->name, &in->email, &in->owner_email,
	    &in->country, &in->time_zone, &in->time_format, &in->units };
	const char *value;
	int64_t parent;
	size_t i;
	bool mfa;
	int rc;

	memset(in, 0, sizeof(*in));
	in->parent = PARENT_KEEP;
	in->require_mfa = -1;
	if (!api_members_known(req, body, members))
		return -1;
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if ((rc = api_opt_string(req, body, text[i], &value)) < 0)
			return -1;
		if (rc == 1)
			*slot[i] = check_trim(req->arena, value);
	}
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

/* Create (id 0) or update customer id from the request's body: the
 * customer (201 with its Location, or 200), a problem, or 503. */
static void
save(struct request *req, int64_t id)
{
	json_t *body = api_body(req);
	struct customer_input in;
	struct customer_change c;
	struct customer_errors e;
	enum model_result rc;
	int64_t saved = 0;

	if (body == NULL)
		return;
	if (read_body(req, body, &in) != 0)
		goto out;
	rc = customer_save(&req->viewer, id, &in, &c, &e, &saved);
	api_saved(req, &api_customers, rc, id == 0, saved, &e,
	    customer_error_fields);
out:
	json_decref(body);
}

void
api_customer_create(struct request *req)
{
	save(req, 0);
}

void
api_customer_update(struct request *req)
{
	save(req, req->id);
}

/* ---------------------------------------- an account's profile (issue 16) */

/* The profile's document: its fields by name (notifications a boolean),
 * the account's id, and when it was last saved (null: never). */
static json_t *
profile_json(struct request *req, const void *row)
{
	struct account_profile p = *(const struct account_profile *)row;
	json_t *j = json_pack("{s:I, s:o}", "customer_id", (json_int_t)p.id,
	    "updated_at", p.updated_at != 0 ? api_time(p.updated_at) :
	    json_null());
	const char *value;
	size_t i;

	(void)req;
	for (i = 0; j != NULL && account_field_names[i] != NULL; i++) {
		value = *account_field(&p.f, i);
		json_object_set_new(j, account_field_names[i],
		    account_field(&p.f, i) == &p.f.notifications ?
		    json_boolean(strcmp(value, "1") == 0) : json_string(value));
	}
	return j;
}

static int
get_profile(const struct viewer *v, int64_t id, void *row)
{
	return account_profile_get(v, id, row);
}

const struct api_resource api_account_profiles = {
	NULL, get_profile, sizeof(struct account_profile), profile_json,
	"The account profiles", "There is no such account profile.",
	"/api/v1/customers/"
};

/*
 * PATCH /api/v1/customers/{id}/profile: the members given change, the
 * others stay; every member a string but notifications, a boolean. The
 * profile, or a problem naming the member at fault.
 */
void
api_account_profile_update(struct request *req)
{
	json_t *body = api_body(req);
	struct account_fields in;
	struct account_errors e;
	const char *value;
	size_t i;
	bool on;
	int rc;

	if (body == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if (!api_members_known(req, body, account_field_names))
		goto out;
	for (i = 0; account_field_names[i] != NULL; i++) {
		if (account_field(&in, i) == &in.notifications)
			continue;
		if ((rc = api_opt_string(req, body, account_field_names[i],
		    &value)) < 0)
			goto out;
		if (rc == 1)
			*account_field(&in, i) = value;
	}
	if ((rc = api_opt_bool(req, body, "notifications", &on)) < 0)
		goto out;
	if (rc == 1)
		in.notifications = on ? "1" : "0";
	api_saved(req, &api_account_profiles, account_profile_save(
	    &req->viewer, req->id, &in, &e), false, req->id, &e,
	    account_error_fields);
out:
	json_decref(body);
}
