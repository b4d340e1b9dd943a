/*
 * ui-customers.c - the Customers tab (Nested Customer Administrator):
 * the user's subtree as a list, creating nested customers, and editing
 * their settings and their place in the tree.
 *
 * Which customers exist for the user is only ever asked through the
 * scoped statements of sql.h (perm_scope / SCOPE_CUSTOMER). A customer
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
 * These rules live in customer.c (customer_check, customer_save), which
 * the API uses too; this file reads the form, asks the model and renders.
 */
#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "check.h"
#include "customer.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

static const char *const not_found = "There is no page at this address.";
static const char *const db_failed = "The change could not be saved "
    "because of a database error. Nothing was changed; please try again.";

/* ------------------------------------------------------------ the list */

static const char *const sort_keys[] = { "name", "email", "country",
    "users", NULL };
static const enum stmt_id list_stmts[][2] = {
	{ STMT_CUSTOMER_LIST_NAME_ASC, STMT_CUSTOMER_LIST_NAME_DESC },
	{ STMT_CUSTOMER_LIST_EMAIL_ASC, STMT_CUSTOMER_LIST_EMAIL_DESC },
	{ STMT_CUSTOMER_LIST_COUNTRY_ASC, STMT_CUSTOMER_LIST_COUNTRY_DESC },
	{ STMT_CUSTOMER_LIST_USERS_ASC, STMT_CUSTOMER_LIST_USERS_DESC },
};
_Static_assert(sizeof(list_stmts) / sizeof(list_stmts[0]) ==
    sizeof(sort_keys) / sizeof(sort_keys[0]) - 1, "a statement per key");

void
ui_customers(struct request *req)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	int64_t count, id;
	struct tval *d, *list, *row;
	struct list_query lq;
	const char *country;
	sqlite3_stmt *s;
	int rc;

	list_query_read(req, sort_keys, &lq);
	s = db_stmt(db, STMT_CUSTOMER_LIST_COUNT);
	perm_bind_scope(s, &sc);
	db_bind_text(s, ":like", lq.like);
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		page_error(req, 503, "The list of customers could not be "
		    "read. Please try again.");
		return;
	}
	count = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	d = page_data(req);
	list = tv_set_list(d, "customers");
	s = db_stmt(db, list_stmts[lq.sort][lq.desc]);
	perm_bind_scope(s, &sc);
	db_bind_text(s, ":like", lq.like);
	db_bind_int(s, ":limit", lq.limit);
	db_bind_int(s, ":offset", lq.offset);
	while ((rc = db_step(db, s)) == SQLITE_ROW) {
		row = tv_map(a);
		id = sqlite3_column_int64(s, 0);
		tv_set_str(row, "href", arena_printf(a, "/customers/%lld",
		    (long long)id));
		tv_set_str(row, "name", db_text(a, s, 1));
		tv_set_str(row, "email", db_text(a, s, 2));
		country = db_text(a, s, 3);
		tv_set_str(row, "country", country);
		tv_set_str(row, "country_name", catalog_country_name(
		    &req->app->catalog, country));
		tv_set_bool(row, "require_mfa", sqlite3_column_int(s, 4) != 0);
		tv_set_int(row, "users", sqlite3_column_int64(s, 5));
		tv_set_str(row, "path", customer_path_text(&req->viewer, id));
		tv_push(list, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		page_error(req, 503, "The list of customers could not be "
		    "read. Please try again.");
		return;
	}
	tv_set_bool(d, "has_customers", tv_len(list) > 0);
	list_fill(req, d, &lq, sort_keys, count);
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

	customer_input_init(in, NULL);
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

/* {value, label, selected} */
static void
push_option(struct arena *a, struct tval *list, const char *value,
    const char *label, const char *current)
{
	struct tval *o = tv_map(a);

	tv_set_str(o, "value", value);
	tv_set_str(o, "label", label);
	tv_set_bool(o, "selected", current != NULL &&
	    strcmp(value, current) == 0);
	tv_push(list, o);
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
		push_option(a, l, cat->countries[i].code,
		    cat->countries[i].name, f->country);
	l = tv_set_list(d, "zones");
	for (i = 0; i < cat->nzones; i++)
		push_option(a, l, cat->zones[i], cat->zones[i], f->time_zone);
	l = tv_set_list(d, "time_formats");
	push_option(a, l, "24h", "24-hour (14:30)", f->time_format);
	push_option(a, l, "12h", "12-hour (2:30 PM)", f->time_format);
	l = tv_set_list(d, "units_options");
	push_option(a, l, "metric", "Metric (km, °C)", f->units);
	push_option(a, l, "imperial", "Imperial (miles, °F)", f->units);
}

static bool
is_own(const struct request *req, const struct customer *c)
{
	return !req->user->is_operator && c->id == req->user->customer_id;
}

/* Render the create or edit form (customer_form.mustache). */
static void
render_form(struct request *req, int status, const struct customer_input *f,
    const struct cview *v)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct tval *d = page_data(req), *form, *mfa, *c, *parents;
	bool may_mfa = perm_allows(&req->viewer, ACT_ENFORCE_MFA);
	const struct customer *cur = v->cur;
	int above;

	tv_set_bool(d, "is_new", cur == NULL);
	tv_set_str(d, "action", cur == NULL ? "/customers/new" :
	    arena_printf(a, "/customers/%lld", (long long)cur->id));
	form = tv_set_map(d, "form");
	tv_set_str(form, "name", f->name);
	tv_set_str(form, "email", f->email);
	tv_set_str(form, "owner_email", f->owner_email);
	add_choices(req, d, f);

	/* the parent: every customer of the scope but the edited subtree */
	if (cur == NULL || !is_own(req, cur)) {
		parents = page_customer_options(req, v->parent_id, cur ? cur->path : NULL);
		if (parents == NULL) {
			page_error(req, 503, "The form could not be shown "
			    "because of a database error. Please try again.");
			return;
		}
		tv_set(d, "parents", parents);
		tv_set_bool(d, "show_parent", true);
	}
	if (req->user->is_operator) {
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
		if ((above = customer_mfa_inherited(db, cur->id)) < 0) {
			page_error(req, 503, "The customer could not be read "
			    "because of a database error. Please try again.");
			return;
		}
		c = tv_set_map(d, "customer");
		tv_set_str(c, "name", cur->name);
		tv_set_str(c, "path", customer_path_text(&req->viewer, cur->id));
		tv_set_str(c, "owner_email", cur->owner_email);
		tv_set_int(c, "users", cur->users);
		tv_set_int(c, "children", cur->children);
		tv_set_bool(c, "own", is_own(req, cur));
		tv_set_bool(c, "mfa_effective", above == 1);
		tv_set_str(c, "new_child_href", arena_printf(a,
		    "/customers/new?parent_id=%lld", (long long)cur->id));
		if (perm_allows(&req->viewer, ACT_USERS))
			tv_set_str(c, "users_href", arena_printf(a,
			    "/users?customer_id=%lld", (long long)cur->id));
		if (perm_allows(&req->viewer, ACT_LOCATIONS))
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
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	int64_t want = parse_id(param_get(&req->query, "parent_id"));
	struct customer_input f;
	struct cview v;
	struct customer parent;
	int rc, inherited = 0;

	memset(&v, 0, sizeof(v));
	/* under ?parent_id= if visible, else the user's own customer (the
	 * operator: a new account); the settings start as the parent's */
	if (want == 0 && !req->user->is_operator)
		want = req->user->customer_id;
	rc = want ? customer_load(db, req->arena, &sc, want, &parent) : 0;
	if (rc == 0 && !req->user->is_operator && want !=
	    req->user->customer_id)
		rc = customer_load(db, req->arena, &sc,
		    req->user->customer_id, &parent);
	if (rc == 1)
		inherited = customer_mfa_inherited(db, parent.id);
	if (rc < 0 || inherited < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	customer_input_init(&f, rc == 1 ? &parent : NULL);
	if (rc == 1)
		v.parent_id = parent.id;
	f.name = f.email = f.owner_email = "";
	v.inherited = inherited == 1;
	v.mfa_checked = v.inherited;
	render_form(req, 200, &f, &v);
}

/*
 * Check the posted form against cur (NULL: a new customer) and save it,
 * in one transaction. Answers the redirect, the form again (400) or 503;
 * 404 when customer req->id is not in the scope.
 */
static void
save_form(struct request *req, bool is_new)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	struct customer_input f;
	struct customer_change c;
	struct customer_errors e;
	struct customer cur;
	struct cview v;
	int64_t id;
	int rc;

	if (db_begin(db) != 0)
		goto fail;
	if (!is_new) {
		if ((rc = customer_load(db, a, &sc, req->id, &cur)) < 0)
			goto fail;
		if (rc == 0) {
			db_rollback(db);
			page_error(req, 404, not_found);
			return;
		}
	}
	read_form(req, &f);
	if ((rc = customer_check(req, &sc, is_new ? NULL : &cur, &f, &c,
	    &e)) < 0)
		goto fail;
	if (rc > 0) {
		db_rollback(db);
		memset(&v, 0, sizeof(v));
		v.cur = c.cur;
		v.parent_id = c.parent_id;
		v.inherited = c.inherited;
		v.mfa_checked = c.inherited || c.f.require_mfa;
		v.errors = page_errors(a, &e, customer_error_fields);
		render_form(req, 400, &f, &v);
		return;
	}
	if ((id = customer_save(req, &sc, &c)) == 0 || db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(a, "Customer \xe2\x80\x9c%s\xe2\x80\x9d "
	    "was %s.", f.name, is_new ? "created" : "saved"));
	http_redirect(req, arena_printf(a, "/customers/%lld", (long long)id));
	return;
fail:
	db_rollback(db);
	page_error(req, 503, db_failed);
}

void
ui_customer_new_post(struct request *req)
{
	save_form(req, true);
}

void
ui_customer_get(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct customer cur;
	struct customer_input f;
	struct cview v;
	int rc, inherited = 0;

	memset(&v, 0, sizeof(v));
	rc = customer_load(db, req->arena, &sc, req->id, &cur);
	if (rc == 0) {
		page_error(req, 404, not_found);
		return;
	}
	if (rc == 1 && cur.parent_id != 0)
		inherited = customer_mfa_inherited(db, cur.parent_id);
	if (rc < 0 || inherited < 0) {
		page_error(req, 503, "The customer could not be read. Please "
		    "try again.");
		return;
	}
	customer_input_init(&f, &cur);
	v.cur = &cur;
	v.parent_id = cur.parent_id;
	v.inherited = inherited == 1;
	v.mfa_checked = v.inherited || cur.require_mfa;
	render_form(req, 200, &f, &v);
}

void
ui_customer_post(struct request *req)
{
	save_form(req, false);
}
