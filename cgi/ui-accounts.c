/*
 * ui-accounts.c - the Accounts tab: the customer the user is under and
 * the subsections their groups open; operators get every account. The
 * rows are customer_overview()'s; this file renders them.
 */
#include <string.h>

#include "account.h"
#include "app.h"
#include "arena.h"
#include "customer.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "routes.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

static const struct {
	const char *href;
	const char *label;
	const char *summary;
	enum perm_action action;
} sections[] = {
	{ "/customers", "Customers", "Nested customers below yours, with "
	  "their cloud and security settings.", ACT_CUSTOMERS },
	{ "/users", "Users", "Users, their permission groups and "
	  "locations.", ACT_USERS },
	{ "/devices", "Devices", "Devices and their assignment to "
	  "customers.", ACT_DEVICES_PAGE },
	{ "/locations", "Locations", "Named places that limit which devices "
	  "a user sees.", ACT_LOCATIONS },
	{ "/accounts/security", "Security", "Require two-factor "
	  "authentication (MFA) for your customer or one below it.",
	  ACT_ENFORCE_MFA },
};

static void
add_accounts(struct request *req, struct tval *d, const struct rows_page *p)
{
	struct arena *a = req->arena;
	const struct customer_account *acc = p->rows;
	struct tval *list = tv_set_list(d, "accounts"), *row;
	size_t i;

	for (i = 0; i < p->n; i++) {
		row = tv_map(a);
		tv_set_str(row, "href", arena_printf(a, "/customers/%lld",
		    (long long)acc[i].id));
		tv_set_str(row, "name", acc[i].name);
		tv_set_str(row, "email", acc[i].email);
		tv_set_str(row, "owner_email", acc[i].owner_email);
		tv_set_int(row, "customers", acc[i].customers);
		tv_set_int(row, "users", acc[i].users);
		tv_set_str(row, "profile_href", arena_printf(a,
		    "/customers/%lld/profile", (long long)acc[i].id));
		tv_push(list, row);
	}
	tv_set_bool(d, "has_accounts", p->n > 0);
	tv_set_int(d, "accounts_count", (int64_t)p->n);
}

static void
add_customer(struct request *req, struct tval *d, const struct customer *own)
{
	const char *country = catalog_country_name(&req->app->catalog,
	    own->country);
	struct tval *c = tv_set_map(d, "customer");

	tv_set_str(c, "name", own->name);
	tv_set_str(c, "email", own->email);
	tv_set_str(c, "owner_email", own->owner_email);
	tv_set_str(c, "country", country != NULL ? country : own->country);
	tv_set_str(c, "time_zone", own->time_zone);
}

/* The summary of the viewer's own account's profile, if the viewer may
 * see it (account.c decides): false on a database error. */
static bool
add_profile(struct request *req, struct tval *d, int64_t account)
{
	struct account_profile p;
	struct tval *t;
	int rc = account_profile_get(&req->viewer, account, &p);

	if (rc != 1)
		return rc == 0;
	t = tv_set_map(d, "profile");
	tv_set_str(t, "href", arena_printf(req->arena,
	    "/customers/%lld/profile", (long long)account));
	tv_set_str(t, "plan", *p.f.plan != '\0' ? p.f.plan : "No plan");
	tv_set_str(t, "account_type", strcmp(p.f.account_type, "private") ==
	    0 ? "Private" : "Company");
	tv_set_str(t, "payment", strcmp(p.f.payment_method, "direct_debit") ==
	    0 ? "Direct debit" : "Invoice");
	tv_set_str(t, "contact", p.f.contact_name);
	tv_set_str(t, "contact_email", p.f.contact_email);
	return true;
}

void
ui_accounts(struct request *req)
{
	struct customer_overview o;
	struct tval *d, *list, *item;
	size_t i;

	if (customer_overview(&req->viewer, &o) != 1) {
		page_error(req, 503, "Your account could not be read. Please "
		    "try again.");
		return;
	}
	d = page_data(req);
	if (o.every_account) {
		tv_set_bool(d, "is_operator", true);
		add_accounts(req, d, &o.accounts);
	} else if (o.has_own) {
		add_customer(req, d, &o.own);
		if (o.own.parent_id == 0 && !add_profile(req, d, o.own.id)) {
			page_error(req, 503, "Your account could not be read. "
			    "Please try again.");
			return;
		}
	}
	list = tv_set_list(d, "sections");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!perm_may_read(&req->viewer, sections[i].action) ||
		    !route_exists(sections[i].href))
			continue;
		item = tv_map(req->arena);
		tv_set_str(item, "href", sections[i].href);
		tv_set_str(item, "label", sections[i].label);
		tv_set_str(item, "summary", sections[i].summary);
		tv_push(list, item);
	}
	tv_set_bool(d, "has_sections", tv_len(list) > 0);
	page_render(req, 200, "accounts", d);
}

/*
 * The Accounts tab's security settings: the require_mfa flag of the
 * viewer's own customer or of one below it (?customer_id=, default the
 * own), for an Account Administrator whatever other groups they hold
 * (ACT_ENFORCE_MFA; the Customers tab needs Nested Customer
 * Administrator). customer_save() decides, so the rule is the tab's: a
 * customer below one that requires MFA cannot turn it off.
 */
static void
render_security(struct request *req, int status, const struct customer *cur,
    bool checked, struct tval *errors)
{
	struct tval *d = page_data(req), *options, *c, *mfa;

	options = page_customer_options(req, cur != NULL ? cur->id : 0, NULL);
	if (options == NULL) {
		page_error(req, 503, "The customers could not be read. Please "
		    "try again.");
		return;
	}
	tv_set(d, "customers", options);
	if (cur != NULL) {
		c = tv_set_map(d, "customer");
		tv_set_int(c, "id", cur->id);
		tv_set_str(c, "name", cur->name);
		tv_set_str(c, "path", customer_path_text(&req->viewer,
		    cur->id));
		tv_set_bool(c, "mfa_effective", cur->mfa_required);
		mfa = tv_set_map(d, "mfa");
		tv_set_bool(mfa, "checked", checked || cur->mfa_inherited);
		tv_set_bool(mfa, "inherited", cur->mfa_inherited);
		tv_set_str(mfa, "hint", cur->mfa_inherited ? "A customer above "
		    "requires it: it applies here and cannot be turned off "
		    "here." : "Users without MFA set it up at their next "
		    "sign-in. Customers below this one cannot turn it off.");
	}
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "accounts_security", d);
}

void
ui_accounts_security_get(struct request *req)
{
	const char *want = param_get(&req->query, "customer_id");
	const struct user *u = req->viewer.user;
	int64_t id = want != NULL ? parse_id(want) : u->customer_id;
	struct customer cur;
	int rc = 0;

	/* an operator has no customer of their own: only the choice */
	if ((want != NULL || id != 0) &&
	    (rc = customer_get(&req->viewer, id, &cur)) <= 0) {
		page_error(req, rc < 0 ? 503 : 404, rc < 0 ? "The customer "
		    "could not be read. Please try again." : "There is no "
		    "such customer.");
		return;
	}
	render_security(req, 200, rc == 1 ? &cur : NULL, rc == 1 &&
	    cur.require_mfa, NULL);
}

void
ui_accounts_security_post(struct request *req)
{
	struct arena *a = req->arena;
	const char *mfa = param_get(&req->form, "require_mfa");
	int64_t id = parse_id(param_get(&req->form, "customer_id"));
	struct customer_input in;
	struct customer_change c;
	struct customer_errors e;
	int64_t saved;

	/* nothing but the flag is given: the customer keeps the rest */
	memset(&in, 0, sizeof(in));
	in.parent = PARENT_KEEP;
	in.require_mfa = mfa != NULL && strcmp(mfa, "1") == 0;
	switch (id == 0 ? MODEL_NOT_FOUND : customer_save(&req->viewer, id,
	    &in, &c, &e, &saved)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, c.f.require_mfa || c.inherited ?
		    "\xe2\x80\x9c%s\xe2\x80\x9d and every customer below it "
		    "require MFA." : "\xe2\x80\x9c%s\xe2\x80\x9d no longer "
		    "requires MFA.", c.cur.name));
		http_redirect(req, arena_printf(a,
		    "/accounts/security?customer_id=%lld", (long long)saved));
		return;
	case MODEL_INVALID:
		render_security(req, check_form_status(&e, customer_error_fields),
		    &c.cur, in.require_mfa == 1, page_errors(a, &e,
		    customer_error_fields));
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, "There is no such customer.");
		return;
	case MODEL_FAILED:
		break;
	}
	page_error(req, 503, "The setting could not be saved. Please try "
	    "again.");
}
