/*
 * ui-customers.c - the Customers tab (Nested Customer Administrator):
 * the user's subtree as a list, creating nested customers, and editing
 * their settings and their place in the tree.
 *
 * Which customers exist for the user is only ever asked through
 * customer.c, whose statements bind the viewer's scope. A customer
 * outside the scope answers 404 exactly like a missing one, on GET and on
 * POST, before any field is looked at; a parent outside it is "not in the
 * list", the same answer as a parent that does not exist.
 *
 * Decisions a reader should know:
 * - Owner e-mail: a customer without parent is an account, and an account
 *   has an owner e-mail. Only operators create accounts or turn a
 *   customer into one; their form has an extra owner_email field, and
 *   when it is left empty the main e-mail is taken as the owner's.
 *   Everybody else never sees or changes an owner e-mail.
 * - The user's own customer is the top of their view: it can be edited
 *   but never moved (a posted parent_id is a field error).
 * - require_mfa: only users the matrix allows ACT_ENFORCE_MFA change it;
 *   for others the box is disabled and a posted value is ignored. When a
 *   customer above the (new) parent requires MFA, the box shows "required
 *   by a customer above" and the customer's own flag stays as it is, so a
 *   descendant can tighten but never loosen. Moving a customer out from
 *   under a requirement is refused to users who may not change it.
 * - Every write is one BEGIN IMMEDIATE transaction that first re-reads
 *   the customer and the parent inside the scope; any failure rolls the
 *   whole of it back.
 *
 * These rules and every read and write live in customer.c (customer_save
 * is the whole flow), which the API uses too; this file reads the form,
 * asks the model and renders.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "app.h"
#include "arena.h"
#include "check.h"
#include "customer.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

static const char *const not_found = "There is no page at this address.";
static const char *const db_failed = "The change could not be saved "
    "because of a database error. Nothing was changed; please try again.";

/* ------------------------------------------------------------ the list */

static void
list_row(struct request *req, const void *row, struct tval *t)
{
	const struct customer *c = row;

	tv_set_str(t, "name", c->name);
	tv_set_str(t, "email", c->email);
	tv_set_str(t, "country", c->country);
	tv_set_str(t, "country_name", catalog_country_name(&req->app->catalog,
	    c->country));
	tv_set_bool(t, "require_mfa", c->require_mfa);
	tv_set_int(t, "users", c->users);
	tv_set_str(t, "path", c->path_text);
}

void
ui_customers(struct request *req)
{
	static const struct list_page customers = { "customers",
	    "/customers/", customer_sort_keys, customer_list,
	    sizeof(struct customer), list_row, false };
	struct tval *d = page_data(req);
	struct list_query lq;

	tv_set_bool(d, "may_create", perm_allows(&req->viewer, ACT_CUSTOMERS));
	if (list_page(req, d, &customers, &lq) &&
	    page_customer_filter(req, d, &lq))
		page_render(req, 200, "customers", d);
}

/* ------------------------------------------------------- one customer */

/* Everything the form page shows besides the values. */
struct cview {
	const struct customer *cur;	/* the customer edited; NULL when new */
	int64_t parent_id;	/* selected parent, 0 for none */
	bool inherited;		/* a customer above requires MFA */
	bool mfa_checked;
	struct tval *errors;	/* NULL when there are none */
};

/* The form's fields as posted; text trimmed. */
static void
read_form(struct request *req, struct customer_input *in)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	const char *mfa = param_get(p, "require_mfa");
	const char *parent = param_get(p, "parent_id");

	customer_input_init(in, NULL, true);
	in->name = check_trim(a, param_get(p, "name"));
	in->email = check_trim(a, param_get(p, "email"));
	in->owner_email = check_trim(a, param_get(p, "owner_email"));
	in->country = check_trim(a, param_get(p, "country"));
	in->time_zone = check_trim(a, param_get(p, "time_zone"));
	in->time_format = check_trim(a, param_get(p, "time_format"));
	in->units = check_trim(a, param_get(p, "units"));
	if (parent == NULL)
		in->parent = PARENT_KEEP;
	else if (*parent == '\0')
		in->parent = PARENT_NONE;
	else if ((in->parent_id = parse_id(parent)) != 0)
		in->parent = PARENT_ID;
	else
		in->parent = PARENT_BAD;
	/* the box is disabled (so never sent) for those who may not change
	 * it: for them the form has no such field */
	if (perm_allows(&req->viewer, ACT_ENFORCE_MFA))
		in->require_mfa = mfa != NULL && (strcmp(mfa, "1") == 0 ||
		    strcmp(mfa, "on") == 0);
}

/* The options of the fixed selects: countries, zones, formats, units. */
static void
add_choices(struct request *req, struct tval *d,
    const struct customer_input *f)
{
	struct arena *a = req->arena;
	const struct catalog *cat = &req->app->catalog;
	struct tval *l;
	size_t i;

	l = tv_set_list(d, "countries");
	for (i = 0; i < cat->ncountries; i++)
		page_push_option(a, l, cat->countries[i].code,
		    cat->countries[i].name, f->country);
	l = tv_set_list(d, "zones");
	for (i = 0; i < cat->nzones; i++)
		page_push_option(a, l, cat->zones[i], cat->zones[i], f->time_zone);
	l = tv_set_list(d, "time_formats");
	page_push_option(a, l, "24h", "24-hour (14:30)", f->time_format);
	page_push_option(a, l, "12h", "12-hour (2:30 PM)", f->time_format);
	l = tv_set_list(d, "units_options");
	page_push_option(a, l, "metric", "Metric (km, °C)", f->units);
	page_push_option(a, l, "imperial", "Imperial (miles, °F)", f->units);
}

/*
 * How customer cur is billed, into c: an account's profile link when the
 * viewer may see the profile (account.c decides); for a customer below,
 * "billed through" its account, named only if the viewer sees it (never
 * a name above the viewer's own customer).
 */
static void
add_billing(struct request *req, struct tval *c, const struct customer *cur)
{
	struct account_profile p;
	struct customer account;
	int64_t id = strtoll(cur->path + 1, NULL, 10);

	if (cur->parent_id == 0) {
		if (account_profile_get(&req->viewer, cur->id, &p) == 1)
			tv_set_str(c, "profile_href", arena_printf(req->arena,
			    "/customers/%lld/profile", (long long)cur->id));
		return;
	}
	tv_set_str(c, "billed_through", customer_get(&req->viewer, id,
	    &account) == 1 ? account.name : "its account");
}

/* Render the create or edit form (customer_form.mustache). */
static void
render_form(struct request *req, int status, const struct customer_input *f,
    const struct cview *v)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *form, *mfa, *c, *parents;
	bool may_mfa = perm_allows(&req->viewer, ACT_ENFORCE_MFA);
	const struct customer *cur = v->cur;
	const char *read_only = page_read_only(req, d, ACT_CUSTOMERS);

	tv_set_bool(d, "is_new", cur == NULL);
	tv_set_str(d, "action", cur == NULL ? "/customers/new" :
	    arena_printf(a, "/customers/%lld", (long long)cur->id));
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", f->name);
	tv_set_str(form, "email", f->email);
	tv_set_str(form, "owner_email", f->owner_email);
	add_choices(req, d, f);

	/* the parent: every customer of the scope but the edited subtree */
	if (cur == NULL || !cur->top) {
		parents = page_customer_options(req, v->parent_id,
		    cur != NULL ? cur->path : NULL);
		if (parents == NULL) {
			page_error(req, 503, "The form could not be shown "
			    "because of a database error. Please try again.");
			return;
		}
		tv_set(d, "parents", parents);
		tv_set_bool(d, "show_parent", true);
	}
	if (perm_allows(&req->viewer, ACT_OPERATOR)) {
		tv_set_bool(d, "allow_account", true);
		tv_set_bool(d, "account_selected", v->parent_id == 0);
		tv_set_bool(d, "show_owner_email", true);
	}

	mfa = tv_set_map(d, "mfa");
	tv_set_bool(mfa, "checked", v->mfa_checked);
	tv_set_bool(mfa, "disabled", v->inherited || !may_mfa);
	tv_set_bool(mfa, "inherited", v->inherited);
	tv_set_str(mfa, "hint", v->inherited ? "It applies to this "
	    "customer and all below it, and cannot be turned off here." :
	    !may_mfa ? "Only an "
	    "Account Administrator can change this setting." : "Users "
	    "without MFA set it up at their next sign-in. Customers below "
	    "this one cannot turn it off.");

	if (cur != NULL) {
		c = tv_set_map(d, "customer");
		tv_set_str(c, "name", cur->name);
		tv_set_str(c, "path", customer_path_text(&req->viewer,
		    cur->id));
		tv_set_str(c, "owner_email", cur->owner_email);
		tv_set_int(c, "users", cur->users);
		tv_set_int(c, "children", cur->children);
		tv_set_bool(c, "own", cur->top);
		tv_set_bool(c, "mfa_effective", cur->mfa_required);
		if (read_only == NULL)
			tv_set_str(c, "new_child_href", arena_printf(a,
			    "/customers/new?parent_id=%lld",
			    (long long)cur->id));
		tv_set_str(c, "children_href", arena_printf(a,
		    "/customers?customer_id=%lld", (long long)cur->id));
		if (perm_may_read(&req->viewer, ACT_USERS))
			tv_set_str(c, "users_href", arena_printf(a,
			    "/users?customer_id=%lld", (long long)cur->id));
		if (perm_allows(&req->viewer, ACT_USERS))
			tv_set_str(c, "new_user_href", arena_printf(a,
			    "/users/new?customer_id=%lld", (long long)cur->id));
		/* invitations, join links, sign-up domains (issue 17) */
		if (perm_may_read(&req->viewer, ACT_USERS)) {
			tv_set_bool(c, "onboarding", true);
			tv_set_int(c, "id", cur->id);
		}
		if (perm_may_read(&req->viewer, ACT_DEVICES_LIST))
			tv_set_str(c, "devices_href", arena_printf(a,
			    "/devices?customer_id=%lld", (long long)cur->id));
		add_billing(req, c, cur);
		if (perm_may_read(&req->viewer, ACT_LOCATIONS))
			tv_set_str(c, "locations_href", arena_printf(a,
			    "/locations?customer_id=%lld", (long long)cur->id));
	}
	if (v->errors != NULL)
		tv_set(d, "errors", v->errors);
	page_render(req, status, "customer_form", d);
}

void
ui_customer_new_get(struct request *req)
{
	int64_t want = parse_id(param_get(&req->query, "parent_id"));
	struct customer parent;
	struct customer_input f;
	struct cview v;
	int rc;

	/* under ?parent_id= if visible, else where the model starts it; the
	 * settings start as the parent's */
	if ((rc = customer_new_parent(&req->viewer, want, &parent)) < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	memset(&v, 0, sizeof(v));
	customer_input_init(&f, rc == 1 ? &parent : NULL, true);
	if (rc == 1) {
		v.parent_id = parent.id;
		v.inherited = parent.mfa_required;
	}
	v.mfa_checked = v.inherited;
	render_form(req, 200, &f, &v);
}

/*
 * Save the posted form as customer id (0: a new one): the redirect, the
 * form again (400), 404 when customer id is not in the scope, or 503.
 */
static void
save_form(struct request *req, int64_t id)
{
	struct arena *a = req->arena;
	struct customer_input f;
	struct customer_change c;
	struct customer_errors e;
	struct cview v;
	int64_t saved;

	read_form(req, &f);
	switch (customer_save(&req->viewer, id, &f, &c, &e, &saved)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, "Customer \xe2\x80\x9c%s"
		    "\xe2\x80\x9d was %s.", f.name, id == 0 ? "created" :
		    "saved"));
		http_redirect(req, arena_printf(a, "/customers/%lld",
		    (long long)saved));
		return;
	case MODEL_INVALID:
		memset(&v, 0, sizeof(v));
		v.cur = id != 0 ? &c.cur : NULL;
		v.parent_id = c.parent_id;
		v.inherited = c.inherited;
		v.mfa_checked = c.inherited || c.f.require_mfa;
		v.errors = page_errors(a, &e, customer_error_fields);
		render_form(req, 400, &f, &v);
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, not_found);
		return;
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, db_failed);
}

void
ui_customer_new_post(struct request *req)
{
	save_form(req, 0);
}

void
ui_customer_get(struct request *req)
{
	struct customer cur;
	struct customer_input f;
	struct cview v;
	int rc = customer_get(&req->viewer, req->id, &cur);

	if (rc == 0) {
		page_error(req, 404, not_found);
		return;
	}
	if (rc < 0) {
		page_error(req, 503, "The customer could not be read. Please "
		    "try again.");
		return;
	}
	memset(&v, 0, sizeof(v));
	customer_input_init(&f, &cur, false);
	v.cur = &cur;
	v.parent_id = cur.parent_id;
	v.inherited = cur.mfa_inherited;
	v.mfa_checked = v.inherited || cur.require_mfa;
	render_form(req, 200, &f, &v);
}

void
ui_customer_post(struct request *req)
{
	save_form(req, req->id);
}
