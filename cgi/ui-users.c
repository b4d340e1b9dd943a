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
 */
#include <string.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "buf.h"
#include "customer.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

#define USERNAME_MAX 64
#define EMAIL_MAX 254
#define FULL_NAME_MAX 200
#define PHONE_MAX 50
#define ADDRESS_MAX 500
#define LOCATIONS_MAX 500

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

/*
 * A last login as UTC "YYYY-MM-DD HH:MM". For now: the time module of the
 * profile work (timefmt.h, the user's zone and 12/24 h format) replaces
 * it when that lands.
 */
static const char *
utc_text(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (t == 0)
		return "Never";
	if (gmtime_r(&tt, &tm) == NULL)
		return "?";
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
	return arena_strdup(a, buf);
}

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
	t = customer_path_text(&req->app->db, req->arena, id,
	    perm_top_depth(req->user));
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
		s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
		db_bind_int(s, ":id", lq.customer_id);
		perm_bind_scope(s, &sc);
		rc = db_step(db, s);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			page_error(req, 404, "There is no such customer.");
			return;
		}
		f = tv_set_map(d, "filter");
		tv_set_str(f, "customer", customer_path_text(db, req->arena,
		    lq.customer_id, perm_top_depth(req->user)));
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
		tv_set_str(row, "last_login", utc_text(req->arena,
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
	tv_set_str(d, "q", lq.q);
	tv_set_str(d, "sort", sort_keys[lq.sort]);
	tv_set_str(d, "dir", lq.desc ? "desc" : "asc");
	tv_set_int(d, "count", count);
	tv_set_bool(d, "count_one", count == 1);
	list_fill(req, d, &lq, sort_keys, count);
	page_render(req, 200, "users", d);
	return;
fail:
	page_error(req, 503, "The list of users could not be read just now. "
	    "Please try again.");
}

/* ---------------------------------------------------------------- form */

/* What the form holds: submitted values, or the user's for a new edit. */
struct user_form {
	const char *email;
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	const char *password;
	const char *password_mode;	/* "welcome", "manual", "keep" */
	int64_t customer_id;
	unsigned groups;		/* as asked (checked boxes) */
	int64_t *locations;
	size_t nlocations;
	bool active;
};

/* The user being edited, as read through the scope. */
struct target {
	int64_t id;
	int64_t customer_id;
	const char *email;
	const char *username;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;
	bool active;
	int64_t last_login_at;
	int64_t created_at;
	bool has_password;
	bool must_change_password;
};

/* The user id of req (the route's {id}) if the viewer may see them. */
static struct target *
target_load(struct request *req, const struct scope *sc)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_VISIBLE);
	struct target *t = NULL;

	db_bind_int(s, ":id", req->id);
	perm_bind_scope(s, sc);
	if (db_step(db, s) == SQLITE_ROW) {
		t = arena_alloc(req->arena, sizeof(*t));
		t->id = sqlite3_column_int64(s, 0);
		t->customer_id = sqlite3_column_int64(s, 1);
		t->email = db_text(req->arena, s, 2);
		t->username = db_text(req->arena, s, 3);
		t->full_name = db_text(req->arena, s, 4);
		t->phone = db_text(req->arena, s, 5);
		t->address = db_text(req->arena, s, 6);
		t->groups = (unsigned)sqlite3_column_int(s, 7);
		t->active = sqlite3_column_int(s, 8) != 0;
		t->last_login_at = sqlite3_column_int64(s, 9);
		t->created_at = sqlite3_column_int64(s, 10);
		t->has_password = sqlite3_column_int(s, 11) != 0;
		t->must_change_password = sqlite3_column_int(s, 12) != 0;
	}
	sqlite3_reset(s);
	return t;
}

/* The ids of the target's locations that the viewer sees. */
static void
target_locations(struct request *req, const struct scope *sc,
    int64_t user_id, struct user_form *f)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOCATION_IDS);

	f->locations = arena_calloc(req->arena, LOCATIONS_MAX,
	    sizeof(*f->locations));
	f->nlocations = 0;
	db_bind_int(s, ":user_id", user_id);
	perm_bind_scope(s, sc);
	while (f->nlocations < LOCATIONS_MAX && db_step(db, s) == SQLITE_ROW)
		f->locations[f->nlocations++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
}

static unsigned
editor_groups(const struct user *u)
{
	return u->is_operator ? GROUP_ALL : u->groups;
}

static void
set_error(struct request *req, struct tval **errors, const char *field,
    const char *msg)
{
	if (*errors == NULL)
		*errors = tv_map(req->arena);
	if (tv_get(*errors, field) == NULL)	/* the first error counts */
		tv_set_str(*errors, field, msg);
}

static bool
has_location(const struct user_form *f, int64_t id)
{
	size_t i;

	for (i = 0; i < f->nlocations; i++)
		if (f->locations[i] == id)
			return true;
	return false;
}

/* The group checkboxes: each with its summary; those the editor lacks
 * are disabled and show the user's current state (t, NULL on create). */
static void
add_groups(struct request *req, struct tval *d, const struct user_form *f,
    const struct target *t)
{
	unsigned mine = editor_groups(req->user);
	struct tval *list = tv_set_list(d, "groups"), *g;
	size_t i;
	bool held;

	for (i = 0; i < GROUP_COUNT; i++) {
		held = (mine & perm_groups[i].bit) != 0;
		g = tv_map(req->arena);
		tv_set_str(g, "value", perm_groups[i].key);
		tv_set_str(g, "label", perm_groups[i].name);
		tv_set_str(g, "explanation", perm_groups[i].summary);
		tv_set_bool(g, "checked", held ? (f->groups &
		    perm_groups[i].bit) != 0 : t != NULL && (t->groups &
		    perm_groups[i].bit) != 0);
		tv_set_bool(g, "disabled", !held);
		tv_push(list, g);
	}
}

/* The locations the viewer sees, labelled with their customer's path. */
static void
add_locations(struct request *req, struct tval *d, const struct scope *sc,
    const struct user_form *f)
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
		tv_set_bool(l, "checked", has_location(f, id));
		tv_push(list, l);
	}
	tv_set_bool(d, "has_locations", n > 0);
}

/* Render the create (t == NULL) or edit form. */
static void
render_form(struct request *req, int status, const struct user_form *f,
    const struct target *t, struct tval *errors)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct tval *d = page_data(req), *form, *customers, *info;
	const char *mode = f->password_mode;

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
	customers = customer_options(db, req->arena, &sc,
	    perm_top_depth(req->user), f->customer_id, NULL);
	if (customers == NULL) {
		page_error(req, 503, "This page could not be read just now. "
		    "Please try again.");
		return;
	}
	tv_set(d, "customers", customers);
	add_groups(req, d, f, t);
	add_locations(req, d, &sc, f);
	if (t != NULL) {
		tv_set_str(d, "action", arena_printf(req->arena, "/users/%lld",
		    (long long)t->id));
		info = tv_set_map(d, "target");
		tv_set_str(info, "username", t->username);
		tv_set_str(info, "customer", customer_path_text(db, req->arena,
		    t->customer_id, perm_top_depth(req->user)));
		tv_set_str(info, "last_login", utc_text(req->arena,
		    t->last_login_at));
		tv_set_str(info, "created", utc_text(req->arena,
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

/* ASCII whitespace off both ends, as a copy. */
static const char *
trimmed(struct arena *a, const char *s)
{
	const char *end;

	if (s == NULL)
		return "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return arena_strndup(a, s, (size_t)(end - s));
}

/* Characters of a valid UTF-8 string. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* No control characters (a newline only where allowed). */
static bool
plain_text(const char *s, bool newlines)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && !(newlines && (c == '\n' || c == '\r'))) ||
		    c == 0x7f)
			return false;
	}
	return true;
}

/* A usable address: local@domain, nothing that could break a header. */
static bool
email_ok(const char *e)
{
	const char *at = strchr(e, '@');

	return strlen(e) <= EMAIL_MAX && at != NULL && at != e &&
	    at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    strchr(at + 1, '.') != NULL && at[strlen(at) - 1] != '.' &&
	    plain_text(e, false) &&
	    strpbrk(e, " <>()[],;:\"\\") == NULL;
}

static bool
username_ok(const char *u)
{
	size_t n = strlen(u);

	if (n < 1 || n > USERNAME_MAX)
		return false;
	for (; *u != '\0'; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '.' || *u == '_' ||
		    *u == '-'))
			return false;
	return true;
}

/*
 * Read and check the fields every form shares. t is the user being
 * edited (NULL on create): a field they already have passes as it is.
 */
static void
read_form(struct request *req, const struct scope *sc,
    const struct target *t, struct user_form *f, struct tval **errors)
{
	struct db *db = &req->app->db;
	const struct params *p = &req->form;
	const char **values, *mode;
	size_t n, i, j;
	unsigned bit;
	int64_t id;
	sqlite3_stmt *s;
	int rc;

	memset(f, 0, sizeof(*f));
	f->email = trimmed(req->arena, param_get(p, "email"));
	f->username = trimmed(req->arena, param_get(p, "username"));
	f->full_name = trimmed(req->arena, param_get(p, "full_name"));
	f->phone = trimmed(req->arena, param_get(p, "phone"));
	f->address = trimmed(req->arena, param_get(p, "address"));
	f->password = param_get(p, "password");
	if (f->password == NULL)
		f->password = "";
	f->active = param_get(p, "active") != NULL;
	mode = param_get(p, "password_mode");
	f->password_mode = mode != NULL && (strcmp(mode, "welcome") == 0 ||
	    strcmp(mode, "manual") == 0 || strcmp(mode, "keep") == 0) ?
	    mode : t == NULL ? "welcome" : "keep";

	if (*f->email == '\0')
		set_error(req, errors, "email", "Enter the user's e-mail "
		    "address.");
	else if (!(t != NULL && strcmp(f->email, t->email) == 0) &&
	    !email_ok(f->email))
		set_error(req, errors, "email", "Enter an e-mail address like "
		    "name@example.com.");
	if (*f->username == '\0')
		set_error(req, errors, "username", "Enter a username.");
	else if (!(t != NULL && strcmp(f->username, t->username) == 0) &&
	    !username_ok(f->username))
		set_error(req, errors, "username", "Use 1 to 64 letters, "
		    "digits, dots, dashes or underscores.");
	if (chars(f->full_name) > FULL_NAME_MAX ||
	    !plain_text(f->full_name, false))
		set_error(req, errors, "full_name", "Use at most 200 "
		    "characters on one line.");
	if (chars(f->phone) > PHONE_MAX || !plain_text(f->phone, false))
		set_error(req, errors, "phone", "Use at most 50 characters on "
		    "one line.");
	if (chars(f->address) > ADDRESS_MAX || !plain_text(f->address, true))
		set_error(req, errors, "address", "Use at most 500 "
		    "characters.");
	if (mode != NULL && f->password_mode != mode)
		set_error(req, errors, "password_mode", "Choose how the user "
		    "gets a password.");
	else if (t == NULL && strcmp(f->password_mode, "keep") == 0)
		set_error(req, errors, "password_mode", "Choose how the user "
		    "gets a password.");

	/* the customer: one the editor sees */
	f->customer_id = parse_id(param_get(p, "customer_id"));
	if (f->customer_id == 0) {
		set_error(req, errors, "customer_id", "Choose the customer "
		    "the user belongs to.");
	} else {
		s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
		db_bind_int(s, ":id", f->customer_id);
		perm_bind_scope(s, sc);
		rc = db_step(db, s);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			set_error(req, errors, "customer_id", "Choose one of "
			    "the customers in the list.");
			f->customer_id = 0;
		}
	}

	/* groups: known keys only */
	values = param_all(req->arena, p, "group", &n);
	for (i = 0; i < n; i++) {
		bit = perm_group_by_key(values[i]);
		if (bit == 0)
			set_error(req, errors, "group", "Choose groups from the "
			    "list.");
		f->groups |= bit;
	}

	/* locations: visible, at the user's customer or below it */
	values = param_all(req->arena, p, "location", &n);
	f->locations = arena_calloc(req->arena, n ? n : 1,
	    sizeof(*f->locations));
	if (n > LOCATIONS_MAX) {
		set_error(req, errors, "location", "Choose fewer locations.");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		id = parse_id(values[i]);
		for (j = 0; j < f->nlocations && f->locations[j] != id; j++)
			;
		if (id == 0) {
			set_error(req, errors, "location", "Choose locations "
			    "from the list.");
			continue;
		}
		if (j < f->nlocations)
			continue;	/* the same one twice */
		f->locations[f->nlocations++] = id;
		if (f->customer_id == 0)
			continue;
		s = db_stmt(db, STMT_LOCATION_ASSIGNABLE);
		db_bind_int(s, ":id", id);
		db_bind_int(s, ":customer_id", f->customer_id);
		perm_bind_scope(s, sc);
		rc = db_step(db, s);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			set_error(req, errors, "location", "Choose locations of "
			    "the user's customer or of a customer below it.");
	}

	if (strcmp(f->password_mode, "manual") == 0) {
		const char *why = *f->password == '\0' ? "Enter a password, "
		    "or choose the welcome e-mail." : password_policy(
		    f->password, f->username, f->email);

		if (why != NULL)
			set_error(req, errors, "password", why);
	}
	if (strcmp(f->password_mode, "welcome") == 0 && !f->active)
		set_error(req, errors, "password_mode", "A welcome e-mail goes "
		    "to active users only: make the user active, or set a "
		    "password now.");
}

/* Duplicates, checked inside the write transaction (so no other writer
 * can slip one in between). self is the user being edited, 0 on create. */
static void
check_unique(struct request *req, const struct user_form *f, int64_t self,
    struct tval **errors)
{
	struct db *db = &req->app->db;
	int64_t id;

	id = user_id_by_email(db, f->email);
	if (id != 0 && id != self)
		set_error(req, errors, "email", "This e-mail address is "
		    "already in use.");
	id = user_id_by_username(db, f->username);
	if (id != 0 && id != self)
		set_error(req, errors, "username", "This username is already "
		    "taken.");
}

static void
save_failed(struct request *req)
{
	db_rollback(&req->app->db);
	buf_clear(&req->headers);
	page_error(req, 503, "Saving failed for a moment; nothing was "
	    "changed. Please try again.");
}

/* Hash a manual password before the transaction (argon2id takes ~50 ms
 * and must not hold the write lock). */
static const char *
manual_hash(struct request *req, const struct user_form *f)
{
	char *hash;

	if (strcmp(f->password_mode, "manual") != 0)
		return NULL;
	hash = arena_alloc(req->arena, crypto_pwhash_STRBYTES);
	return password_hash(f->password, hash) == 0 ? hash : NULL;
}

void
ui_user_new_get(struct request *req)
{
	struct user_form f;

	memset(&f, 0, sizeof(f));
	f.email = f.username = f.full_name = f.phone = f.address = "";
	f.password_mode = "welcome";
	f.customer_id = req->user->customer_id;
	f.active = true;
	render_form(req, 200, &f, NULL, NULL);
}

void
ui_user_new_post(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct tval *errors = NULL;
	struct user_fields uf;
	struct user_form f;
	const char *hash;
	bool welcome;
	int64_t id;

	read_form(req, &sc, NULL, &f, &errors);
	if (!perm_may_grant(req->user, f.groups))
		set_error(req, &errors, "group", "You can only grant the groups "
		    "you hold yourself.");
	if (errors != NULL) {
		render_form(req, 400, &f, NULL, errors);
		return;
	}
	welcome = strcmp(f.password_mode, "welcome") == 0;
	hash = manual_hash(req, &f);
	if (!welcome && hash == NULL) {
		save_failed(req);
		return;
	}
	if (db_begin(db) != 0) {
		save_failed(req);
		return;
	}
	check_unique(req, &f, 0, &errors);
	if (errors != NULL) {
		db_rollback(db);
		render_form(req, 400, &f, NULL, errors);
		return;
	}
	memset(&uf, 0, sizeof(uf));
	uf.customer_id = f.customer_id;
	uf.email = f.email;
	uf.username = f.username;
	uf.full_name = f.full_name;
	uf.password_hash = hash;	/* NULL: set through the link */
	uf.must_change_password = !welcome;
	uf.active = f.active;
	uf.groups = f.groups;
	id = user_create(db, req->now, &uf);
	if (id == 0 || user_set_contact(db, id, f.phone, f.address) != 0 ||
	    user_set_locations(db, &sc, id, f.locations, f.nlocations) != 0 ||
	    (welcome && password_link_send(req, id, "setup", f.email,
	    f.username, f.full_name) != 0)) {
		save_failed(req);
		return;
	}
	event_log(req, "user_created", id, req->user->id, f.username);
	if (db_commit(db) != 0) {
		save_failed(req);
		return;
	}
	flash_set(req, arena_printf(req->arena, welcome ? "User %s was "
	    "created. A welcome e-mail with a set-up link is on its way to "
	    "%s." : "User %s was created. They must change the password at "
	    "their first sign-in.", f.username, f.email));
	http_redirect(req, arena_printf(req->arena, "/users/%lld",
	    (long long)id));
}

void
ui_user_edit_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct target *t = target_load(req, &sc);
	struct user_form f;

	if (t == NULL) {
		page_error(req, 404, "There is no such user.");
		return;
	}
	memset(&f, 0, sizeof(f));
	f.email = t->email;
	f.username = t->username;
	f.full_name = t->full_name;
	f.phone = t->phone;
	f.address = t->address;
	f.password_mode = "keep";
	f.customer_id = t->customer_id;
	f.groups = t->groups;
	f.active = t->active;
	target_locations(req, &sc, t->id, &f);
	render_form(req, 200, &f, t, NULL);
}

/* End every session of user id and void their outstanding links. */
static int
lock_out(struct request *req, int64_t id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_SESSION_DELETE_USER);

	db_bind_int(s, ":user_id", id);
	db_bind_int(s, ":keep", 0);
	if (db_exec(db, s) != 0)
		return -1;
	s = db_stmt(db, STMT_LINK_USE_ALL);
	db_bind_int(s, ":user_id", id);
	db_bind_int(s, ":now", req->now);
	return db_exec(db, s);
}

void
ui_user_edit_post(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct target *t = target_load(req, &sc);
	unsigned mine = editor_groups(req->user), groups;
	struct tval *errors = NULL;
	struct user_edit e;
	struct user_form f;
	const char *hash;
	sqlite3_stmt *s;
	bool self, stronger, welcome, manual;

	if (t == NULL) {
		page_error(req, 404, "There is no such user.");
		return;
	}
	read_form(req, &sc, t, &f, &errors);
	self = t->id == req->user->id;
	stronger = (t->groups & ~mine) != 0;
	welcome = strcmp(f.password_mode, "welcome") == 0;
	manual = strcmp(f.password_mode, "manual") == 0;
	/* bits the editor lacks stay as they were; asking for one the user
	 * does not have is an attempt to grant it */
	if ((f.groups & ~mine & ~t->groups) != 0)
		set_error(req, &errors, "group", "You can only grant the groups "
		    "you hold yourself.");
	groups = (t->groups & ~mine) | (f.groups & mine);
	if (self) {
		if (!f.active)
			set_error(req, &errors, "active", "You cannot "
			    "deactivate yourself.");
		if ((t->groups & GROUP_ACCOUNT_ADMIN) &&
		    !(groups & GROUP_ACCOUNT_ADMIN))
			set_error(req, &errors, "group", "You cannot remove "
			    "your own Account Administrator group.");
		if (f.customer_id != 0 && f.customer_id != t->customer_id)
			set_error(req, &errors, "customer_id", "You cannot move "
			    "yourself to another customer.");
		if (welcome || manual)
			set_error(req, &errors, "password_mode", "Change your "
			    "own password under Profile.");
	}
	if (stronger && !self) {
		if (strcmp(f.email, t->email) != 0)
			set_error(req, &errors, "email", "Only someone who "
			    "holds all of this user's groups can change their "
			    "e-mail address.");
		if (welcome || manual)
			set_error(req, &errors, "password_mode", "Only someone "
			    "who holds all of this user's groups can set their "
			    "password or send them a set-up link.");
	}
	if (errors != NULL) {
		render_form(req, 400, &f, t, errors);
		return;
	}
	hash = manual_hash(req, &f);
	if ((manual && hash == NULL) || db_begin(db) != 0) {
		save_failed(req);
		return;
	}
	check_unique(req, &f, t->id, &errors);
	if (errors != NULL) {
		db_rollback(db);
		render_form(req, 400, &f, t, errors);
		return;
	}
	e.id = t->id;
	e.customer_id = f.customer_id;
	e.email = f.email;
	e.username = f.username;
	e.full_name = f.full_name;
	e.phone = f.phone;
	e.address = f.address;
	e.groups = groups;
	e.active = f.active;
	if (user_update(db, &sc, req->now, &e) != 0 ||
	    user_set_locations(db, &sc, t->id, f.locations,
	    f.nlocations) != 0)
		goto fail;
	if (manual) {
		s = db_stmt(db, STMT_USER_SET_PASSWORD);
		db_bind_text(s, ":hash", hash);
		db_bind_int(s, ":must_change", 1);
		db_bind_int(s, ":now", req->now);
		db_bind_int(s, ":id", t->id);
		/* a new password ends the sessions of the old one */
		if (db_exec(db, s) != 0 || lock_out(req, t->id) != 0)
			goto fail;
		event_log(req, "password_set_by_admin", t->id, req->user->id,
		    "");
	}
	if (welcome && password_link_send(req, t->id, "setup", f.email,
	    f.username, f.full_name) != 0)
		goto fail;
	if (t->active && !f.active) {
		if (lock_out(req, t->id) != 0)
			goto fail;
		event_log(req, "user_deactivated", t->id, req->user->id,
		    f.username);
	}
	event_log(req, "user_updated", t->id, req->user->id, f.username);
	if (db_commit(db) != 0)
		goto fail;
	flash_set(req, arena_printf(req->arena, "Changes to %s were saved.%s",
	    f.username, welcome ? " A set-up link is on its way." :
	    t->active && !f.active ? " The user is signed out everywhere." :
	    ""));
	http_redirect(req, arena_printf(req->arena, "/users/%lld",
	    (long long)t->id));
	return;
fail:
	save_failed(req);
}

/* -------------------------------------------------------------- delete */

void
ui_user_delete_get(struct request *req)
{
	struct scope sc = perm_scope(req->user, req->arena);
	struct target *t = target_load(req, &sc);
	struct tval *d, *info;

	if (t == NULL) {
		page_error(req, 404, "There is no such user.");
		return;
	}
	if (t->id == req->user->id) {
		page_error(req, 403, "You cannot delete your own user.");
		return;
	}
	d = page_data(req);
	info = tv_set_map(d, "target");
	tv_set_str(info, "username", t->username);
	tv_set_str(info, "email", t->email);
	tv_set_str(info, "full_name", t->full_name);
	tv_set_str(info, "customer", customer_path_text(&req->app->db,
	    req->arena, t->customer_id, perm_top_depth(req->user)));
	tv_set_str(info, "groups", group_names(req->arena, t->groups));
	tv_set_str(info, "last_login", utc_text(req->arena, t->last_login_at));
	tv_set_str(d, "action", arena_printf(req->arena, "/users/%lld/delete",
	    (long long)t->id));
	tv_set_str(d, "back_href", arena_printf(req->arena, "/users/%lld",
	    (long long)t->id));
	page_render(req, 200, "user_delete", d);
}

void
ui_user_delete_post(struct request *req)
{
	struct db *db = &req->app->db;
	struct scope sc = perm_scope(req->user, req->arena);
	struct target *t = target_load(req, &sc);

	if (t == NULL) {
		page_error(req, 404, "There is no such user.");
		return;
	}
	if (t->id == req->user->id) {
		page_error(req, 403, "You cannot delete your own user.");
		return;
	}
	if (db_begin(db) != 0) {
		save_failed(req);
		return;
	}
	/* the event names the user in its detail: its user_id would be
	 * cleared by the delete (ON DELETE SET NULL) */
	event_log(req, "user_deleted", 0, req->user->id, arena_printf(
	    req->arena, "%s <%s> (id %lld)", t->username, t->email,
	    (long long)t->id));
	if (user_delete(db, &sc, t->id) != 0 || db_commit(db) != 0) {
		save_failed(req);
		return;
	}
	flash_set(req, arena_printf(req->arena, "User %s was deleted.",
	    t->username));
	http_redirect(req, "/users");
}
