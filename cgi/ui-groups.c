/*
 * ui-groups.c - user groups (seed 004, issue 15): the operators' pages
 * (/operator/groups: list, create, edit, delete) and the account
 * administrators' (/groups: the account's groups and the all-accounts
 * ones; a group's discount and members).
 *
 * Parse, call usergroup.c, render: which groups a viewer sees and may
 * change is the model's rule.
 */
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "usergroup.h"

/* ------------------------------------------------------------ lists */

/* The href of page n of a group list at base with query q and scope. */
static const char *
page_href(struct request *req, const char *base, const char *q,
    const char *scope, int64_t n)
{
	return arena_printf(req->arena, "%s?q=%s&scope=%s&page=%lld", base,
	    url_encode(req->arena, q), url_encode(req->arena, scope),
	    (long long)n);
}

/* The list of groups at base into d (rows link to item_base/ID): q,
 * scope, the rows and the pagination partial's map. false after the 503
 * page. */
static bool
fill_list(struct request *req, struct tval *d, const char *base,
    const char *item_base)
{
	struct arena *a = req->arena;
	struct ugroup_query query;
	struct ugroup_page p;
	struct tval *rows, *row, *pg, *scopes;
	int64_t pages;
	size_t i;

	query.q = check_trim(a, param_get(&req->query, "q"));
	query.scope = param_get(&req->query, "scope");
	if (query.scope == NULL)
		query.scope = "";
	query.page = parse_id(param_get(&req->query, "page"));
	if (ugroup_list(&req->viewer, &query, &p) != 0) {
		page_error(req, 503, "The user groups could not be read just "
		    "now. Please try again.");
		return false;
	}
	tv_set_str(d, "q", query.q);
	tv_set_str(d, "action", base);
	tv_set_bool(d, "operator_view", perm_allows(&req->viewer,
	    ACT_OPERATOR));
	scopes = tv_set_list(d, "scopes");
	page_push_option(a, scopes, "", "All scopes", query.scope);
	page_push_option(a, scopes, "all", "All accounts", query.scope);
	page_push_option(a, scopes, "account", "One account", query.scope);
	tv_set_int(d, "count", p.total);
	tv_set_bool(d, "count_one", p.total == 1);
	rows = tv_set_list(d, "groups");
	for (i = 0; i < p.n; i++) {
		const struct user_group *g = &p.rows[i];

		row = tv_map(a);
		tv_set_str(row, "href", arena_printf(a, "%s%lld", item_base,
		    (long long)g->id));
		tv_set_str(row, "members_href", arena_printf(a, "/groups/%lld",
		    (long long)g->id));
		tv_set_str(row, "name", g->name);
		tv_set_str(row, "description", g->description);
		tv_set_str(row, "account", g->account);
		tv_set_bool(row, "all_accounts", g->account_id == 0);
		tv_set_bool(row, "auto_assign", g->auto_assign);
		tv_set_str(row, "financial_owner", g->financial_owner);
		tv_set_int(row, "max_discount", g->max_discount);
		tv_set_int(row, "discount", g->account_id == 0 ?
		    g->max_discount : g->discount);
		tv_set_bool(row, "editable", g->editable);
		/* the group's page lists the members the viewer sees */
		if (g->counts_visible) {
			tv_set_int(row, "members", g->members);
			tv_set_int(row, "devices", g->devices);
			tv_set_bool(row, "counted", true);
		}
		tv_push(rows, row);
	}
	tv_set_bool(d, "has_groups", p.n > 0);
	pages = p.total > 0 ? (p.total + UGROUP_PAGE_SIZE - 1) /
	    UGROUP_PAGE_SIZE : 1;
	pg = tv_set_map(d, "pagination");
	tv_set_int(pg, "count", p.total);
	tv_set_int(pg, "page", p.page);
	tv_set_int(pg, "pages", pages);
	tv_set_bool(pg, "empty", p.n == 0);
	tv_set_int(pg, "first_row", (p.page - 1) * UGROUP_PAGE_SIZE + 1);
	tv_set_int(pg, "last_row", (p.page - 1) * UGROUP_PAGE_SIZE +
	    (int64_t)p.n);
	if (p.page > 1)
		tv_set_str(pg, "prev_href", page_href(req, base, query.q,
		    query.scope, p.page - 1));
	if (p.page < pages)
		tv_set_str(pg, "next_href", page_href(req, base, query.q,
		    query.scope, p.page + 1));
	return true;
}

void
ui_operator_groups(struct request *req)
{
	struct tval *d = page_data(req);

	if (fill_list(req, d, "/operator/groups", "/operator/groups/"))
		page_render(req, 200, "operator_groups", d);
}

void
ui_groups(struct request *req)
{
	struct tval *d = page_data(req);

	if (fill_list(req, d, "/groups", "/groups/"))
		page_render(req, 200, "groups", d);
}

/* --------------------------------------------------- operators' form */

/* The operator's form of group id (0: new) with in's values. */
static void
render_form(struct request *req, int status, int64_t id, const char *title,
    const struct ugroup_input *in, struct tval *errors)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *form, *accounts;
	struct ugroup_account *acc;
	size_t n, i;

	if (ugroup_accounts(&req->viewer, &acc, &n) != 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	tv_set_bool(d, "is_new", id == 0);
	tv_set_str(d, "title", title);
	tv_set_str(d, "action", id == 0 ? "/operator/groups/new" :
	    arena_printf(a, "/operator/groups/%lld", (long long)id));
	if (id != 0) {
		tv_set_str(d, "delete_href", arena_printf(a,
		    "/operator/groups/%lld/delete", (long long)id));
		tv_set_str(d, "members_href", arena_printf(a,
		    "/groups/%lld", (long long)id));
	}
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", in->name);
	tv_set_str(form, "description", in->description);
	tv_set_bool(form, "scope_all", strcmp(in->scope, "account") != 0);
	tv_set_bool(form, "scope_account", strcmp(in->scope, "account") == 0);
	tv_set_bool(form, "auto_assign", in->auto_assign);
	tv_set_str(form, "financial_owner", in->financial_owner);
	tv_set_str(form, "max_discount_percent", in->max_discount);
	accounts = tv_set_list(d, "accounts");
	for (i = 0; i < n; i++)
		page_push_option(a, accounts, arena_printf(a, "%lld",
		    (long long)acc[i].id), acc[i].name, arena_printf(a, "%lld",
		    (long long)in->account_id));
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "operator_group_form", d);
}

/* The form's fields. */
static void
read_form(struct request *req, struct ugroup_input *in)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;

	in->name = check_trim(a, param_get(p, "name"));
	in->description = check_trim(a, param_get(p, "description"));
	in->scope = param_get(p, "scope");
	if (in->scope == NULL)
		in->scope = "";
	in->account_id = parse_id(param_get(p, "account_id"));
	in->auto_assign = param_get(p, "auto_assign") != NULL;
	in->financial_owner = check_trim(a, param_get(p, "financial_owner"));
	in->max_discount = check_trim(a, param_get(p,
	    "max_discount_percent"));
}

void
ui_operator_group_new_get(struct request *req)
{
	struct ugroup_input in = { "", "", "all", 0, false, "", "0" };

	render_form(req, 200, 0, "Create user group", &in, NULL);
}

/* The stored group id as the form shows it; false after the 404/503. */
static bool
stored(struct request *req, int64_t id, struct user_group *g,
    struct ugroup_input *in)
{
	if (!page_found(req, ugroup_get(&req->viewer, id, g), "The group"))
		return false;
	in->name = g->name;
	in->description = g->description;
	in->scope = g->account_id != 0 ? "account" : "all";
	in->account_id = g->account_id;
	in->auto_assign = g->auto_assign;
	in->financial_owner = g->financial_owner;
	in->max_discount = arena_printf(req->arena, "%d", g->max_discount);
	return true;
}

void
ui_operator_group_get(struct request *req)
{
	struct user_group g;
	struct ugroup_input in;

	if (stored(req, req->id, &g, &in))
		render_form(req, 200, req->id, g.name, &in, NULL);
}

static void
save_form(struct request *req, int64_t id)
{
	enum model_result r;
	struct ugroup_input in;
	struct ugroup_errors e;
	struct user_group g;
	struct ugroup_input shown;
	int64_t saved = 0;

	read_form(req, &in);
	switch ((r = ugroup_save(&req->viewer, id, &in, &e, &saved))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "User group "
		    "\xe2\x80\x9c%s\xe2\x80\x9d was %s.", in.name, id != 0 ?
		    "saved" : "created"));
		http_redirect(req, "/operator/groups");
		return;
	case MODEL_INVALID:
		if (id != 0 && !stored(req, id, &g, &shown))
			return;
		render_form(req, check_form_status(&e, ugroup_error_fields),
		    id, id != 0 ? g.name : "Create user group", &in,
		    page_errors(req->arena, &e, ugroup_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The group could not be saved");
}

void
ui_operator_group_new_post(struct request *req)
{
	save_form(req, 0);
}

void
ui_operator_group_post(struct request *req)
{
	save_form(req, req->id);
}

void
ui_operator_group_delete_get(struct request *req)
{
	struct user_group g;
	struct tval *d;

	if (!page_found(req, ugroup_get(&req->viewer, req->id, &g),
	    "The group"))
		return;
	d = page_data(req);
	tv_set_str(d, "name", g.name);
	tv_set_int(d, "members", g.members);
	tv_set_bool(d, "members_one", g.members == 1);
	tv_set_int(d, "devices", g.devices);
	tv_set_bool(d, "devices_one", g.devices == 1);
	tv_set_str(d, "action", arena_printf(req->arena,
	    "/operator/groups/%lld/delete", (long long)req->id));
	tv_set_str(d, "cancel_href", arena_printf(req->arena,
	    "/operator/groups/%lld", (long long)req->id));
	page_render(req, 200, "operator_group_delete", d);
}

void
ui_operator_group_delete_post(struct request *req)
{
	enum model_result r;
	struct user_group gone;

	switch ((r = ugroup_delete(&req->viewer, req->id, &gone))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "User group "
		    "\xe2\x80\x9c%s\xe2\x80\x9d was deleted; %lld member%s and "
		    "%lld device%s were detached.", gone.name,
		    (long long)gone.members, gone.members == 1 ? "" : "s",
		    (long long)gone.devices, gone.devices == 1 ? "" : "s"));
		http_redirect(req, "/operator/groups");
		return;
	case MODEL_NOT_FOUND:
	case MODEL_INVALID:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The group could not be deleted");
}

/* ------------------------------------------------ one group's page */

/* A paste's answer as the template's map at key of d. */
static void
add_paste(struct request *req, struct tval *d, const char *key,
    const struct ugroup_paste *paste, bool previewed, bool devices)
{
	const char *already = devices ? "already in the group" :
	    "already a member";
	const char *const said[] = {
		[UGROUP_ADDED] = "added",
		[UGROUP_ALREADY] = already,
		[UGROUP_NOT_FOUND] = "not found",
	};
	const char *const will[] = {
		[UGROUP_ADDED] = "will be added",
		[UGROUP_ALREADY] = already,
		[UGROUP_NOT_FOUND] = "not found",
	};
	struct arena *a = req->arena;
	struct tval *p = tv_set_map(d, key), *items, *row;
	size_t i;

	tv_set_bool(p, "preview", previewed);
	tv_set_int(p, "added", (int64_t)paste->added);
	tv_set_int(p, "already", (int64_t)paste->already);
	tv_set_int(p, "not_found", (int64_t)paste->not_found);
	items = tv_set_list(p, "items");
	for (i = 0; i < paste->n; i++) {
		row = tv_map(a);
		tv_set_str(row, "login", paste->items[i].login);
		tv_set_str(row, "match", paste->items[i].match ?
		    paste->items[i].match : "");
		tv_set_str(row, "result", (previewed ? will :
		    said)[paste->items[i].result]);
		tv_set_bool(row, "found", paste->items[i].result !=
		    UGROUP_NOT_FOUND);
		tv_push(items, row);
	}
}

/* The group's devices the viewer sees into d (the page's "devices" and
 * "devices_next_href"); false after the 404/503 page. */
static bool
add_devices(struct request *req, struct tval *d, int64_t after)
{
	struct arena *a = req->arena;
	struct ugroup_device *dev;
	struct tval *list, *row;
	size_t n, i;
	bool more;

	if (!page_found(req, ugroup_devices(&req->viewer, req->id, after,
	    &dev, &n, &more), "The group"))
		return false;
	list = tv_set_list(d, "devices");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_int(row, "id", dev[i].id);
		tv_set_str(row, "unit_id", dev[i].unit_id);
		tv_set_str(row, "name", dev[i].name);
		tv_set_str(row, "vehicle_name", dev[i].vehicle_name);
		tv_push(list, row);
	}
	tv_set_bool(d, "has_devices", n > 0);
	if (more)
		tv_set_str(d, "devices_next_href", arena_printf(a,
		    "/groups/%lld?device_after=%lld", (long long)req->id,
		    (long long)dev[n - 1].id));
	return true;
}

/* What the group page shows besides the group: the values of its forms
 * as sent, the errors, and a paste's answer. */
struct group_page {
	const char *discount;		/* NULL: the stored one */
	const char *users;		/* the members' paste field */
	const char *ids;		/* the devices' paste field */
	struct tval *errors;
	const struct ugroup_paste *paste;
	bool devices;			/* the paste was of devices */
	bool previewed;
};

/* Group id's page: its details, the discount form, the members and the
 * devices. */
static void
render_group(struct request *req, int status, const struct group_page *gp)
{
	struct arena *a = req->arena;
	const char *after_text = param_get(&req->query, "after");
	int64_t after = after_text != NULL ? parse_id(after_text) : 0;
	struct ugroup_member *m;
	struct user_group g;
	struct tval *d, *list, *row;
	size_t n, i;
	bool more;

	if (!page_found(req, ugroup_get(&req->viewer, req->id, &g),
	    "The group") || !page_found(req, ugroup_members(&req->viewer,
	    req->id, after, &m, &n, &more), "The group"))
		return;
	d = page_data(req);
	tv_set_int(d, "id", g.id);
	tv_set_int(d, "group_id", g.id);	/* within the members' rows */
	tv_set_str(d, "name", g.name);
	tv_set_str(d, "description", g.description);
	tv_set_str(d, "account", g.account);
	tv_set_bool(d, "all_accounts", g.account_id == 0);
	tv_set_bool(d, "auto_assign", g.auto_assign);
	tv_set_str(d, "financial_owner", g.financial_owner);
	tv_set_int(d, "max_discount", g.max_discount);
	tv_set_int(d, "discount", g.account_id == 0 ? g.max_discount :
	    g.discount);
	tv_set_bool(d, "editable", g.editable);
	tv_set_bool(d, "discount_editable", g.discount_editable);
	tv_set_bool(d, "operator", perm_allows(&req->viewer, ACT_OPERATOR));
	tv_set_str(d, "discount_value", gp->discount != NULL ? gp->discount :
	    arena_printf(a, "%d", g.discount));
	tv_set_str(d, "users", gp->users != NULL ? gp->users : "");
	tv_set_str(d, "ids", gp->ids != NULL ? gp->ids : "");
	if (gp->errors != NULL)
		tv_set(d, "errors", gp->errors);
	if (gp->paste != NULL)
		add_paste(req, d, gp->devices ? "device_paste" : "paste",
		    gp->paste, gp->previewed, gp->devices);
	after_text = param_get(&req->query, "device_after");
	if (!add_devices(req, d, after_text != NULL ? parse_id(after_text) :
	    0))
		return;
	list = tv_set_list(d, "members");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_int(row, "id", m[i].id);
		tv_set_str(row, "username", m[i].username);
		tv_set_str(row, "email", m[i].email);
		tv_set_str(row, "full_name", m[i].full_name);
		tv_set_bool(row, "active", m[i].active);
		tv_push(list, row);
	}
	tv_set_bool(d, "has_members", n > 0);
	tv_set_bool(d, "later_page", after != 0);
	if (more)
		tv_set_str(d, "next_href", arena_printf(a,
		    "/groups/%lld?after=%lld", (long long)g.id,
		    (long long)m[n - 1].id));
	page_render(req, status, "group", d);
}

void
ui_group_get(struct request *req)
{
	struct group_page gp = { 0 };

	render_group(req, 200, &gp);
}

/* A refused change of the group: 404 for a group v does not see, the
 * page with the message at field for one v sees (403 read-only, 400),
 * the rest of gp as sent. */
static void
refused(struct request *req, enum model_result r, const char *field,
    const struct check_error *e, struct group_page *gp)
{
	if (r == MODEL_NOT_FOUND || r == MODEL_FAILED) {
		page_unchanged(req, r, "The change could not be saved");
		return;
	}
	gp->errors = tv_map(req->arena);
	tv_set_str(gp->errors, field, e->msg);
	render_group(req, e->status, gp);
}

void
ui_group_post(struct request *req)
{
	const char *discount = check_trim(req->arena, param_get(&req->form,
	    "discount_percent"));
	struct group_page gp = { 0 };
	struct check_error e;
	enum model_result r;

	gp.discount = discount;
	r = ugroup_set_discount(&req->viewer, req->id, discount, &e);
	if (r == MODEL_DONE) {
		flash_set(req, arena_printf(req->arena, "The discount is now "
		    "%s%%.", discount));
		http_redirect(req, arena_printf(req->arena, "/groups/%lld",
		    (long long)req->id));
		return;
	}
	refused(req, r, "discount_percent", &e, &gp);
}

/* A paste of members (devices false) or devices into the group. */
static void
paste_into(struct request *req, bool devices)
{
	const char *field = devices ? "ids" : "users";
	const char *text = param_get(&req->form, field);
	bool preview = param_get(&req->form, "preview") != NULL;
	struct group_page gp = { 0 };
	struct ugroup_paste paste;
	struct check_error e;
	enum model_result r;

	r = (devices ? ugroup_add_devices : ugroup_add_members)(&req->viewer,
	    req->id, text, preview, &paste, &e);
	if (devices)
		gp.ids = text;
	else
		gp.users = text;
	if (r != MODEL_DONE) {
		refused(req, r, field, &e, &gp);
		return;
	}
	if (!preview && paste.not_found == 0 && paste.already == 0) {
		flash_set(req, arena_printf(req->arena, "%zu %s%s added.",
		    paste.added, devices ? "device" : "member",
		    paste.added == 1 ? "" : "s"));
		http_redirect(req, arena_printf(req->arena, "/groups/%lld",
		    (long long)req->id));
		return;
	}
	/* a preview keeps the paste for the next step; an answer that
	 * names what was not added starts afresh */
	if (!preview) {
		gp.ids = gp.users = NULL;
	}
	gp.paste = &paste;
	gp.devices = devices;
	gp.previewed = preview;
	render_group(req, 200, &gp);
}

void
ui_group_members_post(struct request *req)
{
	paste_into(req, false);
}

void
ui_group_devices_post(struct request *req)
{
	paste_into(req, true);
}

/* The removal of one member (devices false) or device. */
static void
remove_from(struct request *req, bool devices)
{
	struct group_page gp = { 0 };
	struct check_error e;
	enum model_result r;

	r = (devices ? ugroup_remove_device : ugroup_remove_member)(
	    &req->viewer, req->id, req->sub_id, &e);
	if (r == MODEL_DONE) {
		flash_set(req, devices ? "The device was removed from the "
		    "group." : "The member was removed from the group.");
		http_redirect(req, arena_printf(req->arena, "/groups/%lld",
		    (long long)req->id));
		return;
	}
	refused(req, r, "remove", &e, &gp);
}

void
ui_group_member_remove(struct request *req)
{
	remove_from(req, false);
}

void
ui_group_device_remove(struct request *req)
{
	remove_from(req, true);
}
