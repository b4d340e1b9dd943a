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
 */
#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
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

#define NAME_MAX_CHARS 200
#define EMAIL_MAX_BYTES 254

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
	int64_t top = perm_top_depth(req->user), count, id;
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
		tv_set_str(row, "path", customer_path_text(db, a, id, top));
		tv_push(list, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		page_error(req, 503, "The list of customers could not be "
		    "read. Please try again.");
		return;
	}
	tv_set_bool(d, "has_customers", tv_len(list) > 0);
	tv_set_int(d, "count", count);
	tv_set_bool(d, "count_one", count == 1);
	tv_set_str(d, "q", lq.q);
	tv_set_str(d, "sort", sort_keys[lq.sort]);
	tv_set_str(d, "dir", lq.desc ? "desc" : "asc");
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "customers", d);
}

/* ------------------------------------------------------- one customer */

/* A row of CUSTOMER_DETAIL. */
struct cust {
	int64_t id;
	int64_t parent_id;	/* 0 for an account */
	const char *path;
	int64_t depth;
	const char *name;
	const char *email;
	const char *owner_email;	/* NULL unless an account */
	const char *country;
	const char *time_zone;
	const char *time_format;
	const char *units;
	bool require_mfa;
	int64_t users;
	int64_t children;
};

/* Customer id if it is in the scope: 1, 0 when it is not (or does not
 * exist: the same answer), -1 on a database error. */
static int
load_customer(struct request *req, const struct scope *sc, int64_t id,
    struct cust *c)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_DETAIL);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	rc = db_step(db, s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	c->id = sqlite3_column_int64(s, 0);
	c->parent_id = sqlite3_column_int64(s, 1);
	c->path = db_text(a, s, 2);
	c->depth = sqlite3_column_int64(s, 3);
	c->name = db_text(a, s, 4);
	c->email = db_text(a, s, 5);
	c->owner_email = db_text_or_null(a, s, 6);
	c->country = db_text(a, s, 7);
	c->time_zone = db_text(a, s, 8);
	c->time_format = db_text(a, s, 9);
	c->units = db_text(a, s, 10);
	c->require_mfa = sqlite3_column_int(s, 11) != 0;
	c->users = sqlite3_column_int64(s, 12);
	c->children = sqlite3_column_int64(s, 13);
	sqlite3_reset(s);
	return 1;
}

/* The submitted (or current) values of the form, as text. */
struct cform {
	const char *name;
	const char *email;
	const char *owner_email;
	const char *country;
	const char *time_zone;
	const char *time_format;
	const char *units;
	const char *parent;	/* raw parent_id; NULL when not sent */
	bool require_mfa;
};

/* Everything the form page shows besides the values. */
struct cview {
	const struct cust *cur;	/* the customer edited; NULL when new */
	int64_t parent_id;	/* selected parent, 0 for none */
	bool inherited;		/* a customer above requires MFA */
	bool mfa_checked;
	struct tval *errors;	/* NULL when there are none */
};

/* Leading and trailing ASCII white space removed (a copy in a). */
static const char *
trimmed(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

/* Characters (code points) of a valid UTF-8 string. */
static size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * A plausible address: local@domain, at most 254 bytes, a local part of
 * 1..64 bytes without spaces, quotes or brackets and without a leading,
 * trailing or double dot, a domain of two or more labels of letters,
 * digits, '-' or non-ASCII (IDN) that neither start nor end with '-'.
 * Deliverability is the mail server's business.
 */
static bool
email_plausible(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t local;
	int labels = 0;

	if (at == NULL || strchr(at + 1, '@') != NULL ||
	    strlen(s) > EMAIL_MAX_BYTES)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch == 0x7f || strchr("\"(),:;<>[\\]", ch) ||
		    (ch == '.' && p[1] == '.'))
			return false;
	}
	for (label = p = at + 1;; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '.' || ch == '\0') {
			if (p == label || label[0] == '-' || p[-1] == '-' ||
			    p - label > 63)
				return false;
			labels++;
			if (ch == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-'))
			return false;
	}
	return labels >= 2;
}

static void
set_error(struct arena *a, struct tval **errors, const char *field,
    const char *msg)
{
	if (*errors == NULL)
		*errors = tv_map(a);
	if (tv_get(*errors, field) == NULL)	/* the first error stays */
		tv_set_str(*errors, field, msg);
}

/* The form's fields as posted; text trimmed. */
static void
read_form(struct request *req, struct cform *f)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	const char *mfa = param_get(p, "require_mfa");

	f->name = trimmed(a, param_get(p, "name"));
	f->email = trimmed(a, param_get(p, "email"));
	f->owner_email = trimmed(a, param_get(p, "owner_email"));
	f->country = trimmed(a, param_get(p, "country"));
	f->time_zone = trimmed(a, param_get(p, "time_zone"));
	f->time_format = trimmed(a, param_get(p, "time_format"));
	f->units = trimmed(a, param_get(p, "units"));
	f->parent = param_get(p, "parent_id");
	f->require_mfa = mfa != NULL && (strcmp(mfa, "1") == 0 ||
	    strcmp(mfa, "on") == 0);
}

/* Check the fields that need no database; errors go into *errors. */
static void
check_fields(struct request *req, const struct cform *f,
    struct tval **errors)
{
	struct arena *a = req->arena;

	if (*f->name == '\0')
		set_error(a, errors, "name", "Enter the company name.");
	else if (utf8_len(f->name) > NAME_MAX_CHARS || has_control(f->name))
		set_error(a, errors, "name", "The name must be at most 200 "
		    "characters on one line.");
	if (*f->email == '\0')
		set_error(a, errors, "email", "Enter the main work e-mail.");
	else if (!email_plausible(f->email))
		set_error(a, errors, "email", "Enter an e-mail address like "
		    "name@example.com (at most 254 characters).");
	if (req->user->is_operator && *f->owner_email != '\0' &&
	    !email_plausible(f->owner_email))
		set_error(a, errors, "owner_email", "Enter an e-mail address "
		    "like name@example.com, or leave it empty.");
	if (catalog_country_name(&req->app->catalog, f->country) == NULL)
		set_error(a, errors, "country", "Choose a country from the "
		    "list.");
	if (!catalog_zone_valid(&req->app->catalog, f->time_zone))
		set_error(a, errors, "time_zone", "Choose a time zone from the "
		    "list.");
	if (strcmp(f->time_format, "24h") != 0 &&
	    strcmp(f->time_format, "12h") != 0)
		set_error(a, errors, "time_format", "Choose 24-hour or 12-hour "
		    "time.");
	if (strcmp(f->units, "metric") != 0 &&
	    strcmp(f->units, "imperial") != 0)
		set_error(a, errors, "units", "Choose metric or imperial "
		    "units.");
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
add_choices(struct request *req, struct tval *d, const struct cform *f)
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
is_own(const struct request *req, const struct cust *c)
{
	return !req->user->is_operator && c->id == req->user->customer_id;
}

/* Render the create or edit form (customer_form.mustache). */
static void
render_form(struct request *req, int status, const struct cform *f,
    const struct cview *v)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	int64_t top = perm_top_depth(req->user);
	struct tval *d = page_data(req), *form, *mfa, *c, *parents;
	bool may_mfa = perm_allows(req->user, ACT_ENFORCE_MFA);
	const struct cust *cur = v->cur;
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
		parents = customer_options(db, a, &sc, top, v->parent_id,
		    cur ? cur->path : NULL);
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
		tv_set_str(c, "path", customer_path_text(db, a, cur->id, top));
		tv_set_str(c, "owner_email", cur->owner_email);
		tv_set_int(c, "users", cur->users);
		tv_set_int(c, "children", cur->children);
		tv_set_bool(c, "own", is_own(req, cur));
		tv_set_bool(c, "mfa_effective", above == 1);
		tv_set_str(c, "new_child_href", arena_printf(a,
		    "/customers/new?parent_id=%lld", (long long)cur->id));
		if (perm_allows(req->user, ACT_USERS))
			tv_set_str(c, "users_href", arena_printf(a,
			    "/users?customer_id=%lld", (long long)cur->id));
		if (perm_allows(req->user, ACT_LOCATIONS))
			tv_set_str(c, "locations_href", arena_printf(a,
			    "/locations?customer_id=%lld", (long long)cur->id));
	}
	if (v->errors != NULL)
		tv_set(d, "errors", v->errors);
	page_render(req, status, "customer_form", d);
}

static void
form_from_customer(struct cform *f, const struct cust *c)
{
	f->name = c->name;
	f->email = c->email;
	f->owner_email = c->owner_email ? c->owner_email : "";
	f->country = c->country;
	f->time_zone = c->time_zone;
	f->time_format = c->time_format;
	f->units = c->units;
	f->parent = NULL;
	f->require_mfa = c->require_mfa;
}

void
ui_customer_new_get(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	int64_t want = parse_id(param_get(&req->query, "parent_id"));
	struct cform f;
	struct cview v;
	struct cust parent;
	int rc, inherited = 0;

	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	/* under ?parent_id= if visible, else the user's own customer (the
	 * operator: a new account); the settings start as the parent's */
	if (want == 0 && !req->user->is_operator)
		want = req->user->customer_id;
	rc = want ? load_customer(req, &sc, want, &parent) : 0;
	if (rc == 0 && !req->user->is_operator && want !=
	    req->user->customer_id)
		rc = load_customer(req, &sc, req->user->customer_id, &parent);
	if (rc == 1)
		inherited = customer_mfa_inherited(db, parent.id);
	if (rc < 0 || inherited < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	if (rc == 1) {
		form_from_customer(&f, &parent);
		v.parent_id = parent.id;
	} else {
		f.country = "";
		f.time_zone = "UTC";
		f.time_format = "24h";
		f.units = "metric";
	}
	f.name = f.email = f.owner_email = "";
	f.require_mfa = false;
	v.inherited = inherited == 1;
	v.mfa_checked = v.inherited;
	render_form(req, 200, &f, &v);
}

void
ui_customer_new_post(struct request *req)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	bool may_mfa = perm_allows(req->user, ACT_ENFORCE_MFA);
	struct customer_fields cf;
	struct cust parent;
	struct cform f;
	struct cview v;
	int64_t id, uid = req->user->id;
	int rc, inherited = 0;

	memset(&v, 0, sizeof(v));
	read_form(req, &f);
	check_fields(req, &f, &v.errors);
	if (f.parent == NULL || *f.parent == '\0') {
		if (!req->user->is_operator)
			set_error(a, &v.errors, "parent_id", "Choose the "
			    "customer to create it under.");
	} else if ((v.parent_id = parse_id(f.parent)) == 0) {
		set_error(a, &v.errors, "parent_id", "Choose a customer from "
		    "the list.");
	}
	if (db_begin(db) != 0)
		goto fail;
	if (v.parent_id != 0) {
		rc = load_customer(req, &sc, v.parent_id, &parent);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			set_error(a, &v.errors, "parent_id", "Choose a "
			    "customer from the list.");
			v.parent_id = 0;
		} else if ((inherited = customer_mfa_inherited(db,
		    parent.id)) < 0) {
			goto fail;
		}
	}
	v.inherited = inherited == 1;
	v.mfa_checked = v.inherited || (may_mfa && f.require_mfa);
	if (v.errors != NULL) {
		db_rollback(db);
		render_form(req, 400, &f, &v);
		return;
	}
	memset(&cf, 0, sizeof(cf));
	cf.name = f.name;
	cf.email = f.email;
	cf.owner_email = v.parent_id != 0 ? NULL : *f.owner_email ?
	    f.owner_email : f.email;
	cf.country = f.country;
	cf.time_zone = f.time_zone;
	cf.time_format = f.time_format;
	cf.units = f.units;
	/* own flag: only who may enforce, and only where nothing above
	 * already does */
	cf.require_mfa = may_mfa && !v.inherited && f.require_mfa;
	if ((id = customer_create(db, req->now, v.parent_id, &cf)) == 0)
		goto fail;
	event_log(req, "customer_created", 0, uid, arena_printf(a,
	    "customer %lld", (long long)id));
	if (cf.require_mfa)
		event_log(req, "mfa_enforced", 0, uid, arena_printf(a,
		    "customer %lld", (long long)id));
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(a, "Customer \xe2\x80\x9c%s\xe2\x80\x9d "
	    "was created.", f.name));
	http_redirect(req, arena_printf(a, "/customers/%lld", (long long)id));
	return;
fail:
	db_rollback(db);
	page_error(req, 503, db_failed);
}

void
ui_customer_get(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct cust cur;
	struct cform f;
	struct cview v;
	int rc, inherited = 0;

	memset(&v, 0, sizeof(v));
	rc = load_customer(req, &sc, req->id, &cur);
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
	form_from_customer(&f, &cur);
	v.cur = &cur;
	v.parent_id = cur.parent_id;
	v.inherited = inherited == 1;
	v.mfa_checked = v.inherited || cur.require_mfa;
	render_form(req, 200, &f, &v);
}

/*
 * Where the form wants the customer: sets v->parent_id (0: an account)
 * and *parent, or a field error. 0, or -1 on a database error.
 */
static int
resolve_parent(struct request *req, const struct scope *sc,
    const struct cform *f, const struct cust *cur, struct cview *v,
    struct cust *parent)
{
	struct arena *a = req->arena;
	int64_t pid;
	size_t n;
	int rc;

	v->parent_id = cur->parent_id;
	if (is_own(req, cur)) {
		/* the top of the user's view: its parent is not theirs to
		 * see, let alone change */
		if (f->parent != NULL && *f->parent != '\0')
			set_error(a, &v->errors, "parent_id", "Your own "
			    "customer is the top of what you manage: it "
			    "cannot be moved.");
		return 0;
	}
	if (f->parent == NULL)
		return 0;	/* not sent: stays where it is */
	if (*f->parent == '\0') {
		if (req->user->is_operator)
			v->parent_id = 0;
		else
			set_error(a, &v->errors, "parent_id", "Choose the "
			    "customer to put it under.");
		return 0;
	}
	if ((pid = parse_id(f->parent)) == 0) {
		set_error(a, &v->errors, "parent_id", "Choose a customer from "
		    "the list.");
		return 0;
	}
	if ((rc = load_customer(req, sc, pid, parent)) < 0)
		return -1;
	if (rc == 0) {
		set_error(a, &v->errors, "parent_id", "Choose a customer from "
		    "the list.");
		return 0;
	}
	n = strlen(cur->path);
	if (strncmp(parent->path, cur->path, n) == 0) {
		set_error(a, &v->errors, "parent_id", "A customer cannot be "
		    "moved under itself or a customer below it.");
		return 0;
	}
	v->parent_id = pid;
	return 0;
}

void
ui_customer_post(struct request *req)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, a);
	bool may_mfa = perm_allows(req->user, ACT_ENFORCE_MFA);
	bool moved, own_flag, before, after;
	struct customer_fields cf;
	struct cust cur, parent;
	struct cform f;
	struct cview v;
	int64_t uid = req->user->id;
	int rc, inh_old = 0, inh_new = 0;
	const char *new_prefix;

	memset(&v, 0, sizeof(v));
	if (db_begin(db) != 0)
		goto fail;
	if ((rc = load_customer(req, &sc, req->id, &cur)) < 0)
		goto fail;
	if (rc == 0) {
		db_rollback(db);
		page_error(req, 404, not_found);
		return;
	}
	v.cur = &cur;
	read_form(req, &f);
	check_fields(req, &f, &v.errors);
	if (resolve_parent(req, &sc, &f, &cur, &v, &parent) != 0)
		goto fail;
	moved = v.parent_id != cur.parent_id;
	if (cur.parent_id != 0 &&
	    (inh_old = customer_mfa_inherited(db, cur.parent_id)) < 0)
		goto fail;
	inh_new = inh_old;
	if (moved)
		inh_new = v.parent_id != 0 ?
		    customer_mfa_inherited(db, v.parent_id) : 0;
	if (inh_new < 0)
		goto fail;

	/* the own flag: kept unless the user may change it and nothing
	 * above already requires MFA (a descendant never loosens) */
	own_flag = may_mfa && inh_new == 0 ? f.require_mfa : cur.require_mfa;
	before = cur.require_mfa || inh_old == 1;
	after = own_flag || inh_new == 1;
	if (moved && before && !after && !may_mfa)
		set_error(a, &v.errors, "parent_id", "There, this customer "
		    "would no longer require MFA; only an Account "
		    "Administrator can lift that requirement.");
	v.inherited = inh_new == 1;
	v.mfa_checked = v.inherited || (may_mfa ? f.require_mfa :
	    cur.require_mfa);
	if (v.errors != NULL) {
		db_rollback(db);
		render_form(req, 400, &f, &v);
		return;
	}

	memset(&cf, 0, sizeof(cf));
	cf.name = f.name;
	cf.email = f.email;
	cf.country = f.country;
	cf.time_zone = f.time_zone;
	cf.time_format = f.time_format;
	cf.units = f.units;
	cf.require_mfa = own_flag;
	/* only operators make or change accounts (see the top) */
	if (v.parent_id != 0)
		cf.owner_email = NULL;
	else if (req->user->is_operator)
		cf.owner_email = *f.owner_email ? f.owner_email : f.email;
	else
		cf.owner_email = cur.owner_email;
	if (moved) {
		new_prefix = v.parent_id != 0 ? arena_printf(a, "%s%lld/",
		    parent.path, (long long)cur.id) : arena_printf(a,
		    "/%lld/", (long long)cur.id);
		if (customer_move(db, req->now, &sc, cur.id, cur.path,
		    new_prefix, (v.parent_id != 0 ? parent.depth + 1 : 0) -
		    cur.depth, v.parent_id, cf.owner_email) < 1)
			goto fail;
		event_log(req, "customer_moved", 0, uid, arena_printf(a,
		    "customer %lld: parent %lld -> %lld", (long long)cur.id,
		    (long long)cur.parent_id, (long long)v.parent_id));
	}
	if (customer_update(db, req->now, &sc, cur.id, &cf) != 0)
		goto fail;
	if (own_flag != cur.require_mfa)
		event_log(req, own_flag ? "mfa_enforced" : "mfa_unenforced",
		    0, uid, arena_printf(a, "customer %lld",
		    (long long)cur.id));
	event_log(req, "customer_updated", 0, uid, arena_printf(a,
	    "customer %lld", (long long)cur.id));
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(a, "Customer \xe2\x80\x9c%s\xe2\x80\x9d "
	    "was saved.", f.name));
	http_redirect(req, arena_printf(a, "/customers/%lld",
	    (long long)cur.id));
	return;
fail:
	db_rollback(db);
	page_error(req, 503, db_failed);
}
