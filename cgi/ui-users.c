/*
 * ui-users.c - the Users tab: list, create, edit, delete (Account
 * Administrator; routes.c has checked the group before any of these run).
 *
 * Which users exist for the viewer is decided only by the scoped
 * statements of sql.h (perm_scope / SCOPE_CUSTOMER): a user outside the
 * viewer's subtree answers 404 exactly like a missing one, for GET and
 * POST alike, and the writes are scoped again in SQL (user.c).
 *
 * The rules of the form, besides the field checks:
 *  - groups: an editor changes only the groups they hold themselves
 *    (operators hold all). A group the editor lacks is shown disabled and
 *    stays as it was on the user; asking to grant one is refused with an
 *    error next to the groups (perm_may_grant).
 *  - nobody deactivates, deletes or moves themselves, removes their own
 *    Account Administrator group, or sets their own password here (that
 *    is the profile's job, with the current password).
 *  - the e-mail address and the password (manual or a new set-up link)
 *    of a user who holds a group the editor lacks can only be changed by
 *    someone holding all of that user's groups: otherwise an
 *    administrator could take over a stronger account and so gain its
 *    groups.
 *  - locations: those the editor sees at the user's customer or below it
 *    (a user could not see a location above their customer).
 *
 * These rules live in user.c (user_check and the writes after it), which
 * the API uses too; this file reads the form, asks the model and renders.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "buf.h"
#include "check.h"
#include "customer.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

/* ---------------------------------------------------------------- list */

/* The sort keys of the list, and per key the four statements of sql.h:
 * ascending/descending, scope plan/scan plan. */
#define SORT_NAME(X_, KEY, name, col) name,
static const char *const sort_keys[] = {
	USER_LIST_SORTS(SORT_NAME, unused) NULL
};
#undef SORT_NAME
#define SORT_STMTS(X_, KEY, name, col) { STMT_USERS_##KEY##_ASC_SCOPE, \
	STMT_USERS_##KEY##_DESC_SCOPE, STMT_USERS_##KEY##_ASC_SCAN, \
	STMT_USERS_##KEY##_DESC_SCAN },
static const enum stmt_id sort_stmts[][4] = {
	USER_LIST_SORTS(SORT_STMTS, unused)
};
#undef SORT_STMTS
#define SORT_CUSTOMER 2	/* tree order: the scope plan walks it already */

/* "Account Administrator, Fleet Management", "All groups", or "" for
 * none. */
static const char *
group_names(struct arena *a, unsigned bits)
{
	struct buf b;
	size_t i;

	if ((bits & GROUP_ALL) == GROUP_ALL)
		return "All groups";
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

/* Customer paths of the rows of one page: few distinct customers, each
 * looked up once. */
struct path_cache {
	int64_t ids[LIST_PAGE_SIZE];
	const char *text[LIST_PAGE_SIZE];
	size_t n;
};

static const char *
cached_path(struct request *req, struct path_cache *pc, int64_t id)
{
	size_t i;
	const char *t;

	for (i = 0; i < pc->n; i++)
		if (pc->ids[i] == id)
			return pc->text[i];
	t = customer_path_text(&req->viewer, id);
	if (pc->n < LIST_PAGE_SIZE) {
		pc->ids[pc->n] = id;
		pc->text[pc->n++] = t;
	}
	return t;
}

/* Bind the scope, the customer filter and (like not NULL) the search. */
static void
bind_list(sqlite3_stmt *s, const struct scope *sc,
    const struct list_query *lq, const char *like)
{
	perm_bind_scope(s, sc);
	db_bind_int(s, ":customer_lo", lq->customer_id ? lq->customer_id : 1);
	db_bind_int(s, ":customer_hi", lq->customer_id ? lq->customer_id :
	    INT64_MAX);
	if (like != NULL)
		db_bind_text(s, ":like", like);
}

static int
count_rows(struct db *db, enum stmt_id id, const struct scope *sc,
    const struct list_query *lq, const char *like, int64_t *out)
{
	sqlite3_stmt *s = db_stmt(db, id);
	int rc;

	bind_list(s, sc, lq, like);
	rc = db_step(db, s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

void
ui_users_list(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct tval *d = page_data(req), *list, *row, *f;
	struct path_cache *pc = arena_alloc(req->arena, sizeof(*pc));
	struct list_query lq;
	sqlite3_stmt *s;
	int64_t in_scope = 0, count = 0, table = 0, id, cid;
	const char *locs;
	bool dense;
	int rc;

	list_query_read(req, sort_keys, &lq);
	if (lq.customer_id != 0) {
		/* a filter outside the scope is a customer that is not there */
		if ((rc = perm_sees_customer(&req->viewer, lq.customer_id)) < 0)
			goto fail;
		if (rc == 0) {
			page_error(req, 404, "There is no such customer.");
			return;
		}
		f = tv_set_map(d, "filter");
		tv_set_str(f, "customer", customer_path_text(&req->viewer, lq.customer_id));
		tv_set_str(f, "customer_id", arena_printf(req->arena, "%lld",
		    (long long)lq.customer_id));
	}
	/*
	 * The plan (see sql.h): when the scope holds a third of the table or
	 * more, reading the users table in order (the scan plan) beats
	 * finding the scope's users one by one. The scope's size without the
	 * search is one cheap count over the users_customer index alone
	 * (2.6 ms for 100,000 users; with the search clause in the statement
	 * the same count reads every user row and takes 9).
	 */
	s = db_stmt(db, STMT_USERS_MAX_ID);
	if (db_step(db, s) == SQLITE_ROW)
		table = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (count_rows(db, STMT_USERS_IN_SCOPE, &sc, &lq, NULL,
	    &in_scope) != 0)
		goto fail;
	dense = in_scope > 0 && in_scope * 3 >= table;
	if (*lq.q == '\0')
		count = in_scope;
	else if (count_rows(db, dense ? STMT_USERS_COUNT_SCAN :
	    STMT_USERS_COUNT_SCOPE, &sc, &lq, lq.like, &count) != 0)
		goto fail;
	if (count > 0 && lq.offset >= count) {	/* past the end: last page */
		lq.page = (count + LIST_PAGE_SIZE - 1) / LIST_PAGE_SIZE;
		lq.offset = (lq.page - 1) * LIST_PAGE_SIZE;
	}

	s = db_stmt(db, sort_stmts[lq.sort][(lq.desc ? 1 : 0) +
	    (dense && lq.sort != SORT_CUSTOMER ? 2 : 0)]);
	bind_list(s, &sc, &lq, lq.like);
	db_bind_int(s, ":limit", lq.limit);
	db_bind_int(s, ":offset", lq.offset);
	list = tv_set_list(d, "users");
	while ((rc = db_step(db, s)) == SQLITE_ROW) {
		row = tv_map(req->arena);
		id = sqlite3_column_int64(s, 0);
		cid = sqlite3_column_int64(s, 3);
		tv_set_str(row, "href", arena_printf(req->arena, "/users/%lld",
		    (long long)id));
		tv_set_str(row, "delete_href", arena_printf(req->arena,
		    "/users/%lld/delete", (long long)id));
		tv_set_bool(row, "is_self", id == req->user->id);
		tv_set_str(row, "email", db_text(req->arena, s, 1));
		tv_set_str(row, "username", db_text(req->arena, s, 2));
		tv_set_str(row, "customer", cached_path(req, pc, cid));
		tv_set_str(row, "customer_href", arena_printf(req->arena,
		    "/users?customer_id=%lld", (long long)cid));
		tv_set_str(row, "last_login", time_text(req->arena, req->user,
		    sqlite3_column_int64(s, 4)));
		tv_set_str(row, "groups", group_names(req->arena,
		    (unsigned)sqlite3_column_int(s, 5)));
		tv_set_bool(row, "active", sqlite3_column_int(s, 6) != 0);
		locs = db_text(req->arena, s, 7);
		tv_set_str(row, "locations", locs);
		tv_push(list, row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	tv_set_bool(d, "has_users", tv_len(list) > 0);
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "users", d);
	return;
fail:
	page_error(req, 503, "The list of users could not be read just now. "
	    "Please try again.");
}

/* ---------------------------------------------------------------- form */

static bool
has_location(const struct user_change *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->nlocations; i++)
		if (c->locations[i] == id)
			return true;
	return false;
}

/* The group checkboxes: each with its summary; those the editor lacks
 * are disabled and show the user's current state (t, NULL on create). */
static void
add_groups(struct request *req, struct tval *d, unsigned asked,
    const struct user_target *t)
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
		tv_set_bool(g, "checked", held ? (asked &
		    perm_groups[i].bit) != 0 : t != NULL && (t->groups &
		    perm_groups[i].bit) != 0);
		tv_set_bool(g, "disabled", !held);
		tv_push(list, g);
	}
}

/* The locations the viewer sees, labelled with their customer's path. */
static void
add_locations(struct request *req, struct tval *d, const struct scope *sc,
    const struct user_change *c)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_LOCATIONS_IN_SCOPE);
	struct tval *list = tv_set_list(d, "locations"), *l;
	struct path_cache *pc = arena_alloc(req->arena, sizeof(*pc));
	int64_t *ids = NULL, *cids = NULL, id;
	const char **names = NULL;
	size_t n = 0, cap = 0, i;

	/* read first: customer_path_text runs a statement of its own */
	perm_bind_scope(s, sc);
	while (db_step(db, s) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			int64_t *ni = arena_calloc(req->arena, ncap, sizeof(*ni));
			int64_t *nc = arena_calloc(req->arena, ncap, sizeof(*nc));
			const char **nn = arena_calloc(req->arena, ncap,
			    sizeof(*nn));

			if (n > 0) {
				memcpy(ni, ids, n * sizeof(*ni));
				memcpy(nc, cids, n * sizeof(*nc));
				memcpy(nn, names, n * sizeof(*nn));
			}
			ids = ni;
			cids = nc;
			names = nn;
			cap = ncap;
		}
		ids[n] = sqlite3_column_int64(s, 0);
		names[n] = db_text(req->arena, s, 1);
		cids[n++] = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	for (i = 0; i < n; i++) {
		id = ids[i];
		l = tv_map(req->arena);
		tv_set_str(l, "value", arena_printf(req->arena, "%lld",
		    (long long)id));
		tv_set_str(l, "label", names[i]);
		tv_set_str(l, "customer", cached_path(req, pc, cids[i]));
		tv_set_bool(l, "checked", has_location(c, id));
		tv_push(list, l);
	}
	tv_set_bool(d, "has_locations", n > 0);
}

/* Render the create (t == NULL) or edit form: the values of f, the
 * choices of c (mode, customer, groups, locations). */
static void
render_form(struct request *req, int status, const struct user_input *f,
    const struct user_change *c, const struct user_target *t,
    struct tval *errors)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct tval *d = page_data(req), *form, *customers, *info;
	const char *mode = c->password_mode;

	tv_set_bool(d, "is_new", t == NULL);
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", f->email);
	tv_set_str(form, "username", f->username);
	tv_set_str(form, "full_name", f->full_name);
	tv_set_str(form, "phone", f->phone);
	tv_set_str(form, "address", f->address);
	tv_set_bool(form, "active", f->active);
	tv_set_bool(form, "mode_welcome", strcmp(mode, "welcome") == 0);
	tv_set_bool(form, "mode_manual", strcmp(mode, "manual") == 0);
	tv_set_bool(form, "mode_keep", strcmp(mode, "keep") == 0);
	customers = page_customer_options(req, c->customer_id, NULL);
	if (customers == NULL) {
		page_error(req, 503, "This page could not be read just now. "
		    "Please try again.");
		return;
	}
	tv_set(d, "customers", customers);
	add_groups(req, d, c->asked, t);
	add_locations(req, d, &sc, c);
	if (t != NULL) {
		tv_set_str(d, "action", arena_printf(req->arena, "/users/%lld",
		    (long long)t->id));
		info = tv_set_map(d, "target");
		tv_set_str(info, "username", t->username);
		tv_set_str(info, "customer", customer_path_text(&req->viewer, t->customer_id));
		tv_set_str(info, "last_login", time_text(req->arena,
		    req->user, t->last_login_at));
		tv_set_str(info, "created", time_text(req->arena, req->user,
		    t->created_at));
		tv_set_bool(info, "active", t->active);
		tv_set_str(info, "password", !t->has_password ? "Not set yet "
		    "(waiting for the set-up link)" : t->must_change_password ?
		    "Set by an administrator: to be changed at the next "
		    "sign-in" : "Set by the user");
		tv_set_bool(info, "is_self", t->id == req->user->id);
		tv_set_str(info, "delete_href", arena_printf(req->arena,
		    "/users/%lld/delete", (long long)t->id));
	} else {
		tv_set_str(d, "action", "/users/new");
	}
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "user_form", d);
}

/* The form's fields as posted; text trimmed. */
static void
read_form(struct request *req, struct user_input *in)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	const char **values;
	int64_t *ids;
	size_t n, i;

	user_input_init(in, a, NULL, NULL, 0);
	in->email = check_trim(a, param_get(p, "email"));
	in->username = check_trim(a, param_get(p, "username"));
	in->full_name = check_trim(a, param_get(p, "full_name"));
	in->phone = check_trim(a, param_get(p, "phone"));
	in->address = check_trim(a, param_get(p, "address"));
	if ((in->password = param_get(p, "password")) == NULL)
		in->password = "";
	in->password_mode = param_get(p, "password_mode");
	in->customer_id = parse_id(param_get(p, "customer_id"));
	in->groups = param_all(a, p, "group", &in->ngroups);
	values = param_all(a, p, "location", &n);
	ids = arena_calloc(a, n ? n : 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = parse_id(values[i]);	/* 0: not an id */
	in->locations = ids;
	in->nlocations = n;
	/* an unchecked box is not sent */
	in->active = param_get(p, "active") != NULL;
}

static void
save_failed(struct request *req)
{
	db_rollback(&req->app->db);
	buf_clear(&req->headers);
	page_error(req, 503, "Saving failed for a moment; nothing was "
	    "changed. Please try again.");
}

/* Check the posted form for a new user (t NULL) or changes to t, and
 * save it: the redirect, the form again (400) or 503. */
static void
save_form(struct request *req, const struct user_target *t)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_input f;
	struct user_change c;
	struct user_errors e;
	bool welcome;
	int64_t id = t ? t->id : 0;
	int rc;

	read_form(req, &f);
	if ((rc = user_check(req, &sc, t, &f, &c, &e)) < 0) {
		save_failed(req);
		return;
	}
	if (rc == 0) {
		if (user_hash_password(req->arena, &f, &c) != 0 ||
		    db_begin(db) != 0) {
			save_failed(req);
			return;
		}
		rc = user_check_unique(db, &f, id, &e);
	}
	if (rc > 0) {
		db_rollback(db);
		render_form(req, 400, &f, &c, t, page_errors(req->arena, &e,
		    user_error_fields));
		return;
	}
	if ((t == NULL ? (id = user_add(req, &sc, &f, &c)) == 0 :
	    user_save(req, &sc, t, &f, &c) != 0) || db_commit(db) != 0) {
		save_failed(req);
		return;
	}
	welcome = strcmp(c.password_mode, "welcome") == 0;
	if (t == NULL)
		flash_set(req, arena_printf(req->arena, welcome ? "User %s was "
		    "created. A welcome e-mail with a set-up link is on its way "
		    "to %s." : "User %s was created. They must change the "
		    "password at their first sign-in.", f.username, f.email));
	else
		flash_set(req, arena_printf(req->arena, "Changes to %s were "
		    "saved.%s", f.username, welcome ? " A set-up link is on its "
		    "way." : t->active && !f.active ? " The user is signed out "
		    "everywhere." : ""));
	http_redirect(req, arena_printf(req->arena, "/users/%lld",
	    (long long)id));
}

void
ui_user_new_get(struct request *req)
{
	struct user_input f;
	struct user_change c;

	user_input_init(&f, req->arena, NULL, NULL, 0);
	memset(&c, 0, sizeof(c));
	c.password_mode = "welcome";
	c.customer_id = req->user->customer_id;
	render_form(req, 200, &f, &c, NULL, NULL);
}

void
ui_user_new_post(struct request *req)
{
	save_form(req, NULL);
}

/* The user of the route's {id} if the viewer may see them; else the
 * 404 page was sent. */
static struct user_target *
target_or_404(struct request *req, const struct scope *sc)
{
	struct user_target *t = user_target_load(&req->app->db, req->arena,
	    sc, req->id);

	if (t == NULL)
		page_error(req, 404, "There is no such user.");
	return t;
}

void
ui_user_edit_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_target *t = target_or_404(req, &sc);
	struct user_input f;
	struct user_change c;

	if (t == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.nlocations = user_target_locations(&req->app->db, req->arena, &sc,
	    t->id, &c.locations);
	user_input_init(&f, req->arena, t, c.locations, c.nlocations);
	c.password_mode = "keep";
	c.asked = t->groups;
	c.customer_id = t->customer_id;
	render_form(req, 200, &f, &c, t, NULL);
}

void
ui_user_edit_post(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_target *t = target_or_404(req, &sc);

	if (t != NULL)
		save_form(req, t);
}

/* -------------------------------------------------------------- delete */

/* The user of the route's {id} if the viewer may delete them; else the
 * 404 or 403 page was sent. */
static struct user_target *
deletable(struct request *req, const struct scope *sc)
{
	struct user_target *t = target_or_404(req, sc);

	if (t != NULL && !user_may_remove(req->user, t)) {
		page_error(req, 403, "You cannot delete your own user.");
		return NULL;
	}
	return t;
}

void
ui_user_delete_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_target *t = deletable(req, &sc);
	struct tval *d, *info;

	if (t == NULL)
		return;
	d = page_data(req);
	info = tv_set_map(d, "target");
	tv_set_str(info, "username", t->username);
	tv_set_str(info, "email", t->email);
	tv_set_str(info, "full_name", t->full_name);
	tv_set_str(info, "customer", customer_path_text(&req->viewer, t->customer_id));
	tv_set_str(info, "groups", group_names(req->arena, t->groups));
	tv_set_str(info, "last_login", time_text(req->arena, req->user,
	    t->last_login_at));
	tv_set_str(d, "action", arena_printf(req->arena, "/users/%lld/delete",
	    (long long)t->id));
	tv_set_str(d, "back_href", arena_printf(req->arena, "/users/%lld",
	    (long long)t->id));
	page_render(req, 200, "user_delete", d);
}

void
ui_user_delete_post(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct user_target *t = deletable(req, &sc);
	struct db *db = &req->app->db;

	if (t == NULL)
		return;
	if (db_begin(db) != 0 || user_remove(req, &sc, t) != 0 ||
	    db_commit(db) != 0) {
		save_failed(req);
		return;
	}
	flash_set(req, arena_printf(req->arena, "User %s was deleted.",
	    t->username));
	http_redirect(req, "/users");
}
