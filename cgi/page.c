/*
 * page.c - layout data, rendering and error pages.
 */
#include "page.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "customer.h"
#include "http.h"
#include "log.h"
#include "perm.h"
#include "principal.h"
#include "rows.h"
#include "session.h"
#include "tmpl.h"
#include "tval.h"
#include "usergroup.h"
#include "user.h"

/* The tabs, in order; each shown only to users the matrix allows. Each
 * href is a page of the route table (test_foundation.py follows them). */
static const struct {
	const char *href;
	const char *label;
	enum perm_action action;
} tabs[] = {
	{ "/accounts", "Accounts", ACT_ANY },
	{ "/customers", "Customers", ACT_CUSTOMERS },
	{ "/users", "Users", ACT_USERS },
	{ "/devices", "Devices", ACT_DEVICES_PAGE },
	{ "/locations", "Locations", ACT_LOCATIONS },
	{ "/groups", "User groups", ACT_USER_GROUPS },
	{ "/access", "Access control", ACT_ACCESS_CONTROL },
	{ "/shared", "Shared with me", ACT_SHARED },
	{ "/tokens", "API tokens", ACT_ANY },
	{ "/profile", "Profile", ACT_ANY },
};

/* Whether path is href or below it ("/users/7" is under "/users"). */
static bool
under(const char *path, const char *href)
{
	size_t n = strlen(href);

	return strncmp(path, href, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

const char *
page_read_only(struct request *req, struct tval *d, enum perm_action a)
{
	const char *why;

	if (perm_allows(&req->viewer, a))
		return NULL;
	why = "You can read this but not change it: your permission groups "
	    "(API Developer) allow reading only.";
	tv_set_str(d, "read_only", why);
	return why;
}

void
page_push_option(struct arena *a, struct tval *list, const char *value,
    const char *label, const char *current)
{
	struct tval *o = tv_map(a);

	tv_set_str(o, "value", value);
	tv_set_str(o, "label", label);
	tv_set_bool(o, "selected", current != NULL &&
	    strcmp(value, current) == 0);
	tv_push(list, o);
}

bool
page_found(struct request *req, int rc, const char *what)
{
	if (rc == 0)
		page_error(req, 404, "There is no page at this address.");
	else if (rc < 0)
		page_error(req, 503, arena_printf(req->arena, "%s could not "
		    "be read. Please try again.", what));
	return rc == 1;
}

void
page_unchanged(struct request *req, enum model_result rc,
    const char *failure)
{
	if (rc == MODEL_NOT_FOUND)
		page_error(req, 404, "There is no page at this address.");
	else
		page_error(req, 503, arena_printf(req->arena, "%s because of a "
		    "database error. Nothing was changed; please try again.",
		    failure));
}

struct tval *
page_data(struct request *req)
{
	struct arena *a = req->arena;
	struct tval *d = tv_map(a), *u, *nav, *item;
	size_t i;

	tv_set_str(d, "csrf_token", csrf_token(req));
	if (req->flash != NULL)
		tv_set_str(d, "flash", req->flash);
	if (req->user == NULL || req->session == NULL)
		return d;
	u = tv_set_map(d, "user");
	tv_set_str(u, "username", req->user->username);
	tv_set_str(u, "email", req->user->email);
	tv_set_bool(u, "is_operator", perm_allows(&req->viewer, ACT_OPERATOR));
	if (session_stage(req) != STAGE_FULL) {
		/* no tabs, no profile, no home link before the login is
		 * complete: the gate sends each back to the stage's page */
		tv_set_bool(d, "confined", true);
		return d;
	}
	tv_set_bool(d, "has_nav", true);
	nav = tv_set_list(d, "nav");
	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		if (!perm_may_read(&req->viewer, tabs[i].action))
			continue;
		item = tv_map(a);
		tv_set_str(item, "href", tabs[i].href);
		tv_set_str(item, "label", tabs[i].label);
		tv_set_bool(item, "current", under(req->path, tabs[i].href));
		tv_push(nav, item);
	}
	return d;
}

void
page_render(struct request *req, int status, const char *name,
    struct tval *data)
{
	buf_clear(&req->body_out);
	req->response_type = "text/html; charset=utf-8";
	if (tmpl_render(req->app->templates, name, data,
	    &req->body_out) != 0) {
		/* no template to fall back on: say so in plain text, the one
		 * answer here that is not HTML from the engine */
		log_error("template %s failed to render", name);
		buf_clear(&req->body_out);
		buf_puts(&req->body_out, "Internal error: this page could not "
		    "be drawn. Please try again later.\nRequest id: ");
		buf_puts(&req->body_out, req->request_id);
		buf_puts(&req->body_out, "\n");
		req->response_type = "text/plain; charset=utf-8";
		status = 500;
	}
	req->status = status;
}

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 403: return "Forbidden";
	case 404: return "Page not found";
	case 405: return "Method not allowed";
	case 413: return "Request too large";
	case 429: return "Too many requests";
	case 503: return "Service unavailable";
	}
	return "Something went wrong";
}

void
page_error(struct request *req, int status, const char *message)
{
	struct tval *d = page_data(req);

	tv_set_int(d, "status", status);
	tv_set_str(d, "title", status_title(status));
	tv_set_str(d, "message", message);
	tv_set_str(d, "request_id", req->request_id);
	page_render(req, status, "error", d);
}

struct tval *
page_errors(struct arena *a, const void *errors,
    const struct check_field *fields)
{
	const struct check_error *e;
	struct tval *map = NULL;

	for (; fields->form != NULL; fields++) {
		e = check_error_of(errors, fields);
		if (e->msg == NULL)
			continue;
		if (map == NULL)
			map = tv_map(a);
		tv_set_str(map, fields->form, e->msg);
	}
	return map;
}

struct tval *
page_customer_options(struct request *req, int64_t selected_id,
    const char *exclude_path)
{
	struct customer_choice *c;
	ssize_t n = customer_choices(&req->viewer, exclude_path, &c), i;
	struct tval *list, *o;

	if (n < 0)
		return NULL;
	list = tv_list(req->arena);
	for (i = 0; i < n; i++) {
		o = tv_map(req->arena);
		tv_set_str(o, "value", arena_printf(req->arena, "%lld",
		    (long long)c[i].id));
		tv_set_str(o, "label", c[i].label);
		tv_set_bool(o, "selected", c[i].id == selected_id);
		tv_push(list, o);
	}
	return list;
}

bool
page_list_customers(struct request *req, struct tval *d, const char *name,
    int64_t selected)
{
	int64_t n = customer_scope_size(&req->viewer);
	struct tval *options = NULL;

	if (n > PAGE_FILTER_CUSTOMERS_MAX) {
		/* the search form keeps the filter the select cannot show */
		tv_set_int(d, "customers_many", n);
		if (selected != 0)
			tv_set_int(d, "customer_id_kept", selected);
		options = tv_list(req->arena);
	} else if (n >= 0) {
		options = page_customer_options(req, selected, NULL);
	}
	if (options == NULL) {
		page_error(req, 503, "The list could not be read because of a "
		    "database error. Please try again.");
		return false;
	}
	tv_set(d, name, options);
	return true;
}

bool
page_customer_filter(struct request *req, struct tval *d,
    const struct list_query *lq)
{
	if (!page_list_customers(req, d, "customer_filter", lq->customer_id))
		return false;
	tv_set_bool(d, "filtered", *lq->q != '\0' || lq->customer_id != 0);
	return true;
}

void
page_ugroup_boxes(struct request *req, struct tval *d,
    const struct ugroup_choice *c, size_t n, bool is_new,
    const int64_t *chosen, size_t nchosen)
{
	struct arena *a = req->arena;
	struct tval *boxes = tv_set_list(d, "user_group_choices"), *b;
	struct buf fixed;
	size_t i, j;
	bool checked;

	buf_init(&fixed, a);
	for (i = 0; i < n; i++) {
		if (!c[i].editable) {
			if (c[i].member)
				buf_printf(&fixed, "%s%s", fixed.len ? ", " :
				    "", c[i].name);
			continue;
		}
		checked = is_new ? c[i].auto_assign : c[i].member;
		if (chosen != NULL)
			for (j = 0, checked = false; j < nchosen && !checked;
			    j++)
				checked = chosen[j] == c[i].id;
		b = tv_map(a);
		tv_set_str(b, "value", arena_printf(a, "%lld",
		    (long long)c[i].id));
		tv_set_str(b, "label", c[i].name);
		tv_set_bool(b, "checked", checked);
		tv_set_bool(b, "auto_assign", c[i].auto_assign && is_new);
		tv_push(boxes, b);
	}
	tv_set_bool(d, "has_user_group_choices", tv_len(boxes) > 0);
	if (fixed.len > 0)
		tv_set_str(d, "user_groups_fixed", fixed.data);
}

const int64_t *
page_ugroup_ids(struct request *req, size_t *n)
{
	const char **values;
	int64_t *ids;
	size_t i;

	*n = 0;
	if (param_get(&req->form, "user_groups_listed") == NULL)
		return NULL;
	values = param_all(req->arena, &req->form, "user_group", n);
	ids = arena_calloc(req->arena, *n ? *n : 1, sizeof(*ids));
	for (i = 0; i < *n; i++)
		ids[i] = parse_id(values[i]);
	return ids;
}

/* ------------------------------------------- groups and locations boxes */

void
page_group_boxes(struct request *req, struct tval *d, unsigned asked,
    unsigned current)
{
	unsigned mine = perm_grantable(&req->viewer);
	struct tval *list = tv_set_list(d, "groups"), *g;
	size_t i;
	bool held;

	for (i = 0; i < GROUP_COUNT; i++) {
		held = (mine & perm_groups[i].bit) != 0;
		g = tv_map(req->arena);
		tv_set_str(g, "value", perm_groups[i].key);
		tv_set_str(g, "label", perm_groups[i].name);
		tv_set_str(g, "explanation", perm_groups[i].summary);
		tv_set_bool(g, "checked", (held ? asked : current) &
		    perm_groups[i].bit);
		tv_set_bool(g, "disabled", !held);
		tv_set_bool(g, "api_developer", perm_groups[i].bit ==
		    GROUP_API_DEVELOPER);
		tv_push(list, g);
	}
}

int
page_location_boxes(struct request *req, struct tval *d,
    const int64_t *checked, size_t nchecked)
{
	struct tval *list = tv_set_list(d, "locations"), *l;
	struct user_location_choice *ch;
	struct rows_page p;
	size_t i, j;

	if (user_location_choices(&req->viewer, &p) != 1)
		return -1;
	for (i = 0, ch = p.rows; i < p.n; i++) {
		l = tv_map(req->arena);
		tv_set_str(l, "value", arena_printf(req->arena, "%lld",
		    (long long)ch[i].id));
		tv_set_str(l, "label", ch[i].name);
		tv_set_str(l, "customer", ch[i].customer);
		for (j = 0; j < nchecked && checked[j] != ch[i].id; j++)
			;
		tv_set_bool(l, "checked", j < nchecked);
		tv_push(list, l);
	}
	tv_set_bool(d, "has_locations", p.n > 0);
	return 0;
}

/* "Account Administrator, Fleet Management", "All groups", "All groups
 * but API Developer" (what owners hold), or "" for none. */
const char *
page_group_names(struct arena *a, unsigned bits)
{
	struct buf b;
	size_t i;

	if ((bits & GROUP_ALL) == GROUP_ALL)
		return "All groups";
	if ((bits & GROUP_ALL) == GROUP_OWNER)
		return "All groups but API Developer";
	buf_init(&b, a);
	for (i = 0; i < GROUP_COUNT; i++) {
		if (!(bits & perm_groups[i].bit))
			continue;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, perm_groups[i].name);
	}
	return b.data;
}
