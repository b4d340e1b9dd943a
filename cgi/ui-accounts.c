/*
 * ui-accounts.c - the Accounts tab: the customer the user is under and
 * the subsections their groups open; operators get every account. The
 * rows are customer_overview()'s; this file renders them.
 */
#include "app.h"
#include "arena.h"
#include "customer.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "routes.h"
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
	}
	list = tv_set_list(d, "sections");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!perm_allows(&req->viewer, sections[i].action) ||
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
