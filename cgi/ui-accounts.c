/*
 * ui-accounts.c - the Accounts tab: the customer the user is under and
 * the subsections their groups open; operators get every account.
 */
#include "app.h"
#include "arena.h"
#include "db.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "routes.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

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
	  "customers.", ACT_DEVICES_LIST },
	{ "/locations", "Locations", "Named places that limit which devices "
	  "a user sees.", ACT_LOCATIONS },
};

static void
add_accounts(struct request *req, struct tval *d)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_ACCOUNTS_LIST);
	struct tval *list = tv_set_list(d, "accounts"), *row;

	while (db_step(db, s) == SQLITE_ROW) {
		row = tv_map(req->arena);
		tv_set_str(row, "href", arena_printf(req->arena,
		    "/customers/%lld", (long long)sqlite3_column_int64(s, 0)));
		tv_set_str(row, "name", db_text(req->arena, s, 1));
		tv_set_str(row, "email", db_text(req->arena, s, 2));
		tv_set_str(row, "owner_email", db_text(req->arena, s, 3));
		tv_set_int(row, "customers", sqlite3_column_int64(s, 4));
		tv_set_int(row, "users", sqlite3_column_int64(s, 5));
		tv_push(list, row);
	}
	sqlite3_reset(s);
	tv_set_bool(d, "has_accounts", tv_len(list) > 0);
	tv_set_int(d, "accounts_count", (int64_t)tv_len(list));
}

static void
add_customer(struct request *req, struct tval *d)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	const char *country;
	struct tval *c;

	db_bind_int(s, ":id", req->user->customer_id);
	perm_bind_scope(s, &sc);
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return;
	}
	c = tv_set_map(d, "customer");
	tv_set_str(c, "name", db_text(req->arena, s, 3));
	tv_set_str(c, "email", db_text(req->arena, s, 4));
	tv_set_str(c, "owner_email", db_text(req->arena, s, 5));
	country = catalog_country_name(&req->app->catalog,
	    (const char *)sqlite3_column_text(s, 6));
	tv_set_str(c, "country", country ? country :
	    db_text(req->arena, s, 6));
	tv_set_str(c, "time_zone", db_text(req->arena, s, 7));
	sqlite3_reset(s);
}

void
ui_accounts(struct request *req)
{
	struct tval *d = page_data(req), *list, *item;
	size_t i;

	if (req->user->is_operator) {
		tv_set_bool(d, "is_operator", true);
		add_accounts(req, d);
	} else {
		add_customer(req, d);
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
