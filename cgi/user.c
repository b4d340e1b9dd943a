/*
 * user.c - reading a user row (sql.h USER_COLUMNS) into struct user, and
 * the Users model: the list, the rules of managing users and their
 * writes, which the Users tab, the API and arborctl share.
 */
#include "user.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "auth.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "password.h"
#include "perm.h"
#include "usergroup.h"

#define USERNAME_MAX 64
#define FULL_NAME_MAX 200
#define PHONE_MAX 50
#define ADDRESS_MAX 500

/* ------------------------------------------------------- the principal */

struct user *
user_load(struct db *db, struct arena *a, int64_t id)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_BY_ID);
	struct user *u;
	int c = 0;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) != DB_ROW)
		return NULL;
	u = arena_alloc(a, sizeof(*u));
	u->id = db_col_int(s, c++);
	u->customer_id = db_col_int(s, c++);
	u->is_operator = db_col_int(s, c++) != 0;
	u->username = db_text(a, s, c++);
	u->email = db_text(a, s, c++);
	u->full_name = db_text(a, s, c++);
	u->phone = db_text(a, s, c++);
	u->address = db_text(a, s, c++);
	u->groups = (unsigned)db_col_int(s, c++);
	u->active = db_col_int(s, c++) != 0;
	u->must_change_password = db_col_int(s, c++) != 0;
	u->totp_enabled = db_col_int(s, c++) != 0;
	u->totp_last_step = db_col_int(s, c++);
	u->last_login_at = db_col_int(s, c++);
	u->created_at = db_col_int(s, c++);
	u->customer_path = db_text(a, s, c++);
	u->customer_name = db_text(a, s, c++);
	u->own_time_zone = db_text_or_null(a, s, c++);
	u->own_time_format = db_text_or_null(a, s, c++);
	u->own_units = db_text_or_null(a, s, c++);
	u->time_zone = db_text(a, s, c++);
	u->time_format = db_text(a, s, c++);
	u->units = db_text(a, s, c++);
	u->has_locations = db_col_int(s, c++) != 0;
	u->mfa_required = db_col_int(s, c++) != 0;
	u->own_language = db_text_or_null(a, s, c++);
	db_reset(s);
	return u;
}

int64_t
user_create(struct db *db, int64_t now, const struct user_fields *f)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_INSERT);

	if (f->is_operator)
		db_bind_null(s, ":customer_id");
	else
		db_bind_int(s, ":customer_id", f->customer_id);
	db_bind_int(s, ":is_operator", f->is_operator);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":username", f->username);
	db_bind_text(s, ":full_name", f->full_name ? f->full_name : "");
	db_bind_text(s, ":hash", f->password_hash);
	db_bind_int(s, ":must_change", f->must_change_password);
	db_bind_int(s, ":active", f->active);
	db_bind_int(s, ":groups", f->groups);
	db_bind_int(s, ":now", now);
	return db_exec(db, s) == 0 ? db_last_id(db) : 0;
}

int
user_location_add(struct db *db, int64_t user_id, int64_t location_id)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_LOCATION_ADD);

	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":location_id", location_id);
	return db_exec(db, s);
}

int
user_set_last_login(struct db *db, int64_t id, int64_t at)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_SET_LAST_LOGIN);

	db_bind_int(s, ":id", id);
	db_bind_int(s, ":now", at);
	return db_exec(db, s);
}

bool
user_password_ok(struct db *db, struct arena *a, int64_t id, const char *pw)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_PASSWORD_HASH);
	const char *hash = NULL;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) == DB_ROW)
		hash = db_text_or_null(a, s, 0);
	db_reset(s);
	return hash != NULL && pw != NULL &&
	    strlen(pw) <= PASSWORD_MAX_BYTES && password_verify(hash, pw);
}

static int64_t
id_lookup(struct db *db, enum stmt_id id, const char *name,
    const char *value)
{
	struct db_stmt *s = db_stmt(db, id);
	int64_t found = 0;

	db_bind_text(s, name, value);
	if (db_step(db, s) == DB_ROW)
		found = db_col_int(s, 0);
	db_reset(s);
	return found;
}

int64_t
user_id_by_email(struct db *db, const char *email)
{
	return id_lookup(db, STMT_USER_ID_BY_EMAIL, ":email", email);
}

int64_t
user_id_by_username(struct db *db, const char *username)
{
	return id_lookup(db, STMT_USER_ID_BY_USERNAME, ":username", username);
}

/* ------------------------------------------------------------- reading */

/* A group_concat of ids ("3,7", NULL for none) into u->locations. */
static void
fill_location_ids(struct db_stmt *s, struct arena *a, int col,
    struct user_row *u)
{
	const char *p = db_col_text(s, col);
	int64_t *ids;
	size_t n = p != NULL && *p != '\0' ? 1 : 0;
	char *end;

	for (; p != NULL && *p != '\0'; p++)
		n += *p == ',';
	ids = arena_calloc(a, n ? n : 1, sizeof(*ids));
	p = db_col_text(s, col);
	while (p != NULL && u->nlocations < n) {
		ids[u->nlocations++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : NULL;
	}
	u->locations = ids;
}

/* A row of USER_API_SELECT: id, username, email, full_name, phone,
 * address, customer_id, groups, location ids, active, has_password,
 * must_change_password, last_login_at, created_at, totp_enabled, whether
 * the customer (or one above) requires MFA, the latest link's expires_at
 * and used_at, the e-mail language (NULL: the account's). */
static void
fill_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct user_row *u = row;

	memset(u, 0, sizeof(*u));
	u->id = db_col_int(s, 0);
	u->username = db_text(a, s, 1);
	u->email = db_text(a, s, 2);
	u->full_name = db_text(a, s, 3);
	u->phone = db_text(a, s, 4);
	u->address = db_text(a, s, 5);
	u->customer_id = db_col_int(s, 6);
	u->groups = (unsigned)db_col_int(s, 7);
	fill_location_ids(s, a, 8, u);
	u->active = db_col_int(s, 9) != 0;
	u->has_password = db_col_int(s, 10) != 0;
	u->must_change_password = db_col_int(s, 11) != 0;
	u->last_login_at = db_col_int(s, 12);
	u->created_at = db_col_int(s, 13);
	u->mfa_on = db_col_int(s, 14) != 0;
	u->mfa_required = db_col_int(s, 15) != 0;
	u->link_expires_at = db_col_int(s, 16);
	u->link_used_at = db_col_int(s, 17);
	u->language = db_text_or_null(a, s, 18);
	u->gender = db_text_or_null(a, s, 19);
}

enum user_link
user_link_state(const struct user_row *u, int64_t now)
{
	if (u->link_expires_at == 0)
		return USER_LINK_NONE;
	/* LINK_USE needs expires_at > now; LINK_USE_ALL (the voiding)
	 * lowers expires_at to used_at */
	if (u->link_used_at != 0)
		return u->link_used_at >= u->link_expires_at ?
		    USER_LINK_VOIDED : USER_LINK_USED;
	return u->link_expires_at > now ? USER_LINK_PENDING :
	    USER_LINK_EXPIRED;
}

/* A row of USER_LIST_PAGE: id, email, username, customer_id,
 * last_login_at, groups, active, location names, totp_enabled, the
 * customer's path of ids (user_list makes the customer's names and
 * whether MFA is required of it). */
static void
fill_list_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct user_row *u = row;

	memset(u, 0, sizeof(*u));
	u->id = db_col_int(s, 0);
	u->email = db_text(a, s, 1);
	u->username = db_text(a, s, 2);
	u->customer_id = db_col_int(s, 3);
	u->last_login_at = db_col_int(s, 4);
	u->groups = (unsigned)db_col_int(s, 5);
	u->active = db_col_int(s, 6) != 0;
	u->location_names = db_text(a, s, 7);
	u->mfa_on = db_col_int(s, 8) != 0;
	u->tree_path = db_text(a, s, 9);
}

/* The sort keys, and per key its statements of sql.h in each plan. */
#define SORT_NAME(X_, KEY, name, col, wide) name,
const char *const user_sort_keys[] = {
	USER_SORTS(SORT_NAME, unused) NULL
};
#undef SORT_NAME
/* per sort key and direction, the statement of each plan (sql.h):
 * plan_WIDE is the key's plan for a wide scope */
#define SORT_PLAN(PLAN) \
	static const enum stmt_id plan_##PLAN[][2] = { \
		USER_SORTS(SORT_PLAN_ROW_##PLAN, unused) \
	};
#define SORT_PLAN_ROW_SCOPE(X_, KEY, name, col, wide) \
	{ STMT_USERS_##KEY##_ASC_SCOPE, STMT_USERS_##KEY##_DESC_SCOPE },
#define SORT_PLAN_ROW_WIDE(X_, KEY, name, col, wide) \
	{ STMT_USERS_##KEY##_ASC_##wide, STMT_USERS_##KEY##_DESC_##wide },
#define SORT_PLAN_ROW_HITS(X_, KEY, name, col, wide) \
	{ STMT_USERS_##KEY##_ASC_HITS, STMT_USERS_##KEY##_DESC_HITS },
SORT_PLAN(SCOPE)
SORT_PLAN(WIDE)
SORT_PLAN(HITS)
#undef SORT_PLAN
#undef SORT_PLAN_ROW_SCOPE
#undef SORT_PLAN_ROW_WIDE
#undef SORT_PLAN_ROW_HITS
#define NSORTS (sizeof(plan_SCOPE) / sizeof(plan_SCOPE[0]))

/* Whether lq asks for the whole scope: no search, no filter but the
 * customer, whose rows the counters know. */
static bool
unfiltered(const struct list_query *lq)
{
	return lq->search == LIST_SEARCH_NONE && lq->group == 0 &&
	    lq->active == 0 && lq->mfa == 0;
}

/*
 * Choose the list's plan (sql.h): a search with few candidates in the
 * whole table (at most the count's bound) reads just them; otherwise,
 * when the scope holds a third of the table or more, reading users in
 * the sort key's order (the scan plan) beats finding the scope's users
 * one by one and sorting them. The sizes come from the counters; the
 * candidates from the search indexes, counted up to the bound. The
 * count is the counters' when nothing filters, else counted in the plan
 * up to LIST_COUNT_BOUND. 0 or -1.
 */
/* Whether lq's scope holds a third of the users or more (*wide), by the
 * counters. 0 or -1. */
static int
wide_scope(const struct viewer *v, const struct list_query *lq, bool *wide)
{
	int64_t in_scope = 0, table = 0;

	if (rows_pair(v, STMT_USERS_SHARE, lq, &in_scope, &table) != 0)
		return -1;
	*wide = in_scope > 0 && in_scope * 3 >= table;
	return 0;
}

static int
choose_plan(const struct viewer *v, const struct list_query *lq,
    struct rows_list *l)
{
	int64_t candidates = 0;
	bool wide;

	if (wide_scope(v, lq, &wide) != 0)
		return -1;
	l->sorted = wide ? plan_WIDE : plan_SCOPE;
	l->count = wide ? STMT_USERS_COUNT_SCAN : STMT_USERS_COUNT_SCOPE;
	if (unfiltered(lq)) {
		l->count = STMT_USERS_COUNT_TREE;
		l->count_exact = true;
		return 0;
	}
	if (lq->search == LIST_SEARCH_NONE)
		return 0;
	if ((candidates = rows_candidates(v, STMT_USERS_HIT_CANDIDATES,
	    lq)) < 0)
		return -1;
	if (candidates <= LIST_COUNT_BOUND) {
		l->sorted = plan_HITS;
		l->count = STMT_USERS_COUNT_HITS;
	}
	return 0;
}

/* A search that is exactly one user's e-mail or username, asked as an
 * e-mail or username (not match=any): that user alone, by the unique
 * indexes. 1 found (out filled), 0 not, -1 on a database error. */
static int
exact_user(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	static const enum stmt_id exact[][2] = {
		{ STMT_USERS_EXACT, STMT_USERS_EXACT }
	};
	static const struct rows_list l = { STMT__MAX, true, exact, 1,
	    STMT__MAX, sizeof(struct user_row), fill_list_row };
	struct list_query first = *lq;

	if (lq->search == LIST_SEARCH_NONE || lq->any)
		return 0;
	first.page = 1;
	first.offset = first.after = first.before = 0;
	if (rows_read_list(v, &l, &first, out) != 1)
		return -1;
	if (out->n == 0)
		return 0;
	out->count = (int64_t)out->n;
	out->exact = true;
	return 1;
}

/* The effect of the groups of every row of page out, one statement for
 * all (the API's rows): row.effect stays NULL when it cannot be read. */
static void
read_effects(const struct viewer *v, struct rows_page *out)
{
	struct user_row *u = out->rows;
	struct ugroup_effect *eff;
	int64_t *ids;
	size_t i;

	if (out->n == 0)
		return;
	ids = arena_calloc(v->arena, out->n, sizeof(*ids));
	eff = arena_calloc(v->arena, out->n, sizeof(*eff));
	for (i = 0; i < out->n; i++)
		ids[i] = u[i].id;
	if (ugroup_effects(v, ids, out->n, eff) != 0)
		return;
	for (i = 0; i < out->n; i++)
		u[i].effect = &eff[i];
}

int
user_list(const struct viewer *v, const struct list_query *asked,
    struct rows_page *out)
{
	static const struct rows_list api = { STMT__MAX, false, NULL, 0,
	    STMT_USER_API_LIST, sizeof(struct user_row), fill_row };
	static const struct rows_list api_wide = { STMT__MAX, false, NULL, 0,
	    STMT_USER_API_WIDE, sizeof(struct user_row), fill_row };
	static const struct rows_list api_hits = { STMT__MAX, false, NULL, 0,
	    STMT_USER_API_HITS, sizeof(struct user_row), fill_row };
	int64_t candidates;
	bool wide;
	struct rows_list l = { STMT__MAX, false, NULL, NSORTS, STMT__MAX,
	    sizeof(struct user_row), fill_list_row };
	struct list_query page = *asked, *lq = &page;
	struct customer_paths *paths;
	struct user_row *u;
	size_t i;
	int rc;

	/* the API: pages by id; a search with few candidates reads them,
	 * a wide scope walks users in id order, a narrow one sorts its own */
	if (lq->keyset) {
		candidates = lq->search == LIST_SEARCH_NONE ? LIST_COUNT_BOUND +
		    1 : rows_candidates(v, STMT_USERS_HIT_CANDIDATES, lq);
		if (candidates < 0)
			return -1;
		if (candidates <= LIST_COUNT_BOUND)
			rc = rows_read_list(v, &api_hits, lq, out);
		else if (wide_scope(v, lq, &wide) != 0)
			return -1;
		else
			rc = rows_read_list(v, wide ? &api_wide : &api, lq,
			    out);
		if (rc == 1)
			read_effects(v, out);
		return rc;
	}
	/* a customer filter outside the scope is "not found" */
	if (lq->customer_id != 0 &&
	    (rc = perm_sees_customer(v, lq->customer_id)) != 1)
		return rc;
	if ((rc = exact_user(v, lq, out)) < 0 || (rc == 0 &&
	    (choose_plan(v, lq, &l) != 0 ||
	    rows_read_list(v, &l, lq, out) != 1)))
		return -1;
	/* after the list's statement is done */
	paths = customer_paths_new(v);
	for (i = 0, u = out->rows; i < out->n; i++)
		customer_paths_want(paths, u[i].tree_path);
	if (customer_paths_read(v, paths) != 0)
		return -1;
	for (i = 0; i < out->n; i++)
		u[i].customer = customer_paths_label(v, paths, u[i].tree_path,
		    &u[i].mfa_required);
	return 1;
}

int
user_get(const struct viewer *v, int64_t id, struct user_row *u)
{
	return rows_read_one(v, STMT_USER_VISIBLE, id, fill_row, u);
}

int
user_get_with_groups(const struct viewer *v, int64_t id, struct user_row *u)
{
	struct rows_page one = { .rows = u, .n = 1 };
	int rc = user_get(v, id, u);

	if (rc == 1)
		read_effects(v, &one);
	return rc;
}

/* A row of LOCATIONS_IN_SCOPE: id, name, customer_id. */
static void
fill_choice(struct db_stmt *s, struct arena *a, void *row)
{
	struct user_location_choice *l = row;

	l->id = db_col_int(s, 0);
	l->name = db_text(a, s, 1);
	l->customer_id = db_col_int(s, 2);
	l->customer = NULL;
}

int
user_location_choices(const struct viewer *v, struct rows_page *out)
{
	static const enum stmt_id all[][2] = {
		{ STMT_LOCATIONS_IN_SCOPE, STMT_LOCATIONS_IN_SCOPE }
	};
	static const struct rows_list l = { STMT__MAX, false, all, 1, STMT__MAX,
	    sizeof(struct user_location_choice), fill_choice };
	struct user_location_choice *c;
	struct list_query lq;
	struct customer_paths *paths;
	size_t i;

	memset(&lq, 0, sizeof(lq));
	if (rows_read_list(v, &l, &lq, out) != 1)
		return -1;
	paths = customer_paths_new(v);
	for (i = 0, c = out->rows; i < out->n; i++)
		customer_paths_want_id(paths, c[i].customer_id);
	if (customer_paths_read(v, paths) != 0)
		return -1;
	for (i = 0; i < out->n; i++)
		c[i].customer = customer_paths_text(v, paths, c[i].customer_id);
	return 1;
}

/* ----------------------------------------------------------- the rules */

void
user_input_init(struct user_input *in, struct arena *a,
    const struct user_row *u)
{
	const char **keys;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->password = "";
	if (u == NULL) {
		in->email = in->username = in->full_name = in->phone =
		    in->address = "";
		in->active = true;
		return;
	}
	in->email = u->email;
	in->username = u->username;
	in->full_name = u->full_name;
	in->phone = u->phone;
	in->address = u->address;
	in->customer_id = u->customer_id;
	keys = arena_calloc(a, GROUP_COUNT, sizeof(*keys));
	for (i = 0; i < GROUP_COUNT; i++)
		if (u->groups & perm_groups[i].bit)
			keys[in->ngroups++] = perm_groups[i].key;
	in->groups = keys;
	in->locations = u->locations;
	in->nlocations = u->nlocations;
	in->active = u->active;
	in->language = u->language;
	in->gender = u->gender;
}

#define FIELD(m) CHECK_FIELD(struct user_errors, m, #m, #m)
const struct check_field user_error_fields[] = {
	FIELD(email), FIELD(username), FIELD(customer_id),
	CHECK_FIELD(struct user_errors, groups, "group", "groups"),
	CHECK_FIELD(struct user_errors, locations, "location", "locations"),
	FIELD(password_mode), FIELD(password), FIELD(confirm_password),
	FIELD(full_name), FIELD(phone),
	FIELD(address), FIELD(active), FIELD(language),
	CHECK_FIELD(struct user_errors, user_groups, "user_group",
	    "user_groups"), FIELD(gender), { NULL, NULL, 0 }
};
#undef FIELD

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

/* An e-mail address or username: required, and of the form valid()
 * accepts unless it is the one the user had (NULL: a new user) -- a value
 * stored under older rules must not block every other change. */
static void
check_identity(struct check_error *e, const char *value, const char *had,
    bool (*valid)(const char *), const char *missing, const char *bad)
{
	if (*value == '\0')
		check_fail(e, 400, missing);
	else if (!(had != NULL && strcmp(value, had) == 0) && !valid(value))
		check_fail(e, 400, bad);
}

/* The e-mail address and username of a user (t: as they are, NULL for a
 * new one). */
static void
check_identities(const struct user_row *t, const char *email,
    const char *username, struct user_errors *e)
{
	check_identity(&e->email, email, t ? t->email : NULL, check_email,
	    "Enter the user's e-mail address.", "Enter an e-mail address like "
	    "name@example.com.");
	check_identity(&e->username, username, t ? t->username : NULL,
	    username_ok, "Enter a username.", "Use 1 to 64 letters, digits, "
	    "dots, dashes or underscores.");
}

/* The fields that need no database. t is the user edited (NULL: new). */
static void
check_fields(const struct user_row *t, const struct user_input *in,
    struct user_change *c, struct user_errors *e)
{
	const char *m = in->password_mode;

	check_identities(t, in->email, in->username, e);
	if (check_chars(in->full_name) > FULL_NAME_MAX ||
	    !check_plain(in->full_name, false))
		check_fail(&e->full_name, 400, "Use at most 200 characters on "
		    "one line.");
	if (check_chars(in->phone) > PHONE_MAX ||
	    !check_plain(in->phone, false))
		check_fail(&e->phone, 400, "Use at most 50 characters on one "
		    "line.");
	if (check_chars(in->address) > ADDRESS_MAX ||
	    !check_plain(in->address, true))
		check_fail(&e->address, 400, "Use at most 500 characters.");
	/* not given: as it is */
	c->language = in->language != NULL ? in->language : t != NULL &&
	    t->language != NULL ? t->language : "";
	if (*c->language != '\0' && strcmp(c->language, "en") != 0 &&
	    strcmp(c->language, "nl") != 0)
		check_fail(&e->language, 400, "Choose English, Dutch or the "
		    "account's language.");
	c->gender = in->gender != NULL ? in->gender : t != NULL &&
	    t->gender != NULL ? t->gender : "";
	if (*c->gender != '\0' && strcmp(c->gender, "female") != 0 &&
	    strcmp(c->gender, "male") != 0)
		check_fail(&e->gender, 400, "Choose female, male or none.");
	/* one of three ways; a new user has no password to keep (but one
	 * migrated from another system, who sets it by "forgot password") */
	c->password_mode = m != NULL && (strcmp(m, "welcome") == 0 ||
	    strcmp(m, "manual") == 0 || strcmp(m, "keep") == 0) ? m :
	    t == NULL ? "welcome" : "keep";
	if ((m != NULL && c->password_mode != m) || (t == NULL &&
	    strcmp(c->password_mode, "keep") == 0 && !in->migrated))
		check_fail(&e->password_mode, 400, "Choose how the user gets a "
		    "password.");
}

/* Whether location id may be given to a user of c->customer_id: visible
 * and at that customer or below it (a user could not see a location
 * above). 1, 0 (e->locations set), -1. */
static int
check_location(const struct viewer *v, int64_t id,
    const struct user_change *c, struct user_errors *e)
{
	struct db_stmt *s = db_stmt(v->db, STMT_LOCATION_ASSIGNABLE);
	int rc;

	db_bind_int(s, ":id", id);
	db_bind_int(s, ":customer_id", c->customer_id);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	if (rc != DB_DONE || (rc = perm_sees_location(v, id)) < 0)
		return -1;
	/* one outside the scope is not there at all */
	check_fail(&e->locations, rc == 1 ? 400 : 404, "Choose locations of "
	    "the user's customer or of a customer below it.");
	return 0;
}

/* The locations ids[0..n): each once, each as check_location() says.
 * 0, or -1 on a database error. */
static int
check_locations(const struct viewer *v, const int64_t *given, size_t n,
    struct user_change *c, struct user_errors *e)
{
	size_t i, j;
	int64_t *ids = arena_calloc(v->arena, n ? n : 1, sizeof(*ids)), id;

	c->locations = ids;
	if (n > USER_LOCATIONS_MAX) {
		check_fail(&e->locations, 400, "Choose fewer locations.");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		id = given[i];
		for (j = 0; j < c->nlocations && ids[j] != id; j++)
			;
		if (id == 0) {
			check_fail(&e->locations, 400, "Choose locations from "
			    "the list.");
			continue;
		}
		if (j < c->nlocations)
			continue;	/* the same one twice */
		ids[c->nlocations++] = id;
		if (c->customer_id != 0 && check_location(v, id, c, e) < 0)
			return -1;
	}
	return 0;
}

int
user_check_placement(const struct viewer *v, int64_t customer_id,
    const char *const *groups, size_t ngroups, const int64_t *locations,
    size_t nlocations, struct user_change *c, struct user_errors *e)
{
	unsigned bit;
	size_t i;
	int rc;

	c->customer_id = customer_id;
	if (customer_id == 0) {
		check_fail(&e->customer_id, 400, "Choose the customer the user "
		    "belongs to.");
	} else if ((rc = perm_sees_customer(v, customer_id)) != 1) {
		if (rc < 0)
			return -1;
		check_fail(&e->customer_id, 404, "Choose one of the customers "
		    "in the list.");
		c->customer_id = 0;
	}
	for (i = 0; i < ngroups; i++) {
		if ((bit = perm_group_by_key(groups[i])) == 0)
			check_fail(&e->groups, 400, "Choose groups from the "
			    "list.");
		c->asked |= bit;
	}
	if (!perm_may_grant(v, c->asked))
		check_fail(&e->groups, 403, (c->asked & ~perm_grantable(v)) ==
		    GROUP_API_DEVELOPER ? "You can give API Developer only "
		    "if you hold it, or hold Account Administrator, Full "
		    "Device Access and Nested Customer Administrator (what it "
		    "reads)." : "You can only grant the groups you hold "
		    "yourself.");
	return check_locations(v, locations, nlocations, c, e);
}

/* The rules about who may change what on whom: groups and oneself
 * (user.h, user_save; a user out of reach never gets here). */
static void
check_powers(const struct viewer *v, const struct user_row *t,
    const struct user_input *in, struct user_change *c,
    struct user_errors *e)
{
	unsigned prior = t ? t->groups : 0;
	bool self = t != NULL && t->id == perm_actor(v);
	bool sets = strcmp(c->password_mode, "keep") != 0;

	c->groups = c->asked;
	if (self) {
		if (!in->active)
			check_fail(&e->active, 403, "You cannot deactivate "
			    "yourself.");
		if ((prior & GROUP_ACCOUNT_ADMIN) &&
		    !(c->groups & GROUP_ACCOUNT_ADMIN))
			check_fail(&e->groups, 403, "You cannot remove your own "
			    "Account Administrator group.");
		if (c->customer_id != 0 && c->customer_id != t->customer_id)
			check_fail(&e->customer_id, 403, "You cannot move "
			    "yourself to another customer.");
		if (sets)
			check_fail(&e->password_mode, 403, "Change your own "
			    "password under Profile.");
	}
}

/*
 * Check in (a new user when t is NULL, else changes to t) as v: every
 * rule of user_save() but uniqueness. Fills *c and *e; returns the
 * number of fields in error, or -1 on a database error.
 */
static int
check_input(const struct viewer *v, const struct user_row *t,
    const struct user_input *in, struct user_change *c,
    struct user_errors *e)
{
	const char *why;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	check_fields(t, in, c, e);
	if (user_check_placement(v, in->customer_id, in->groups, in->ngroups,
	    in->locations, in->nlocations, c, e) != 0)
		return -1;
	if (in->user_groups != NULL) {
		if ((rc = ugroup_settable(v, in->user_groups,
		    in->nuser_groups)) < 0)
			return -1;
		if (rc == 0)
			check_fail(&e->user_groups, 400, "Choose user groups "
			    "from the list.");
	}
	if (strcmp(c->password_mode, "manual") == 0) {
		why = *in->password == '\0' ? "Enter a password, or choose "
		    "the welcome e-mail." : password_policy(in->password,
		    in->username, in->email);
		if (why != NULL)
			check_fail(&e->password, 400, why);
		if (in->confirm_password != NULL &&
		    strcmp(in->confirm_password, in->password) != 0)
			check_fail(&e->confirm_password, 400,
			    *in->confirm_password == '\0' ? "Enter the "
			    "password again." : "The two passwords differ: "
			    "type the same password twice.");
	}
	if (strcmp(c->password_mode, "welcome") == 0 && !in->active)
		check_fail(&e->password_mode, 400, "A welcome e-mail goes to "
		    "active users only: make the user active, or set a "
		    "password now.");
	check_powers(v, t, in, c, e);
	c->deactivated = t != NULL && t->active && !in->active;
	return check_count(e, user_error_fields);
}

/* For the manual mode, hash in->password into c->hash (in a), before the
 * write transaction: argon2id must not hold the write lock. 0 or -1. */
static int
hash_password(struct arena *a, const struct user_input *in,
    struct user_change *c)
{
	char *hash;

	c->hash = NULL;
	if (strcmp(c->password_mode, "manual") != 0)
		return 0;
	hash = arena_alloc(a, crypto_pwhash_STRBYTES);
	if (password_hash(in->password, hash) != 0)
		return -1;
	c->hash = hash;
	return 0;
}

/* An e-mail address or username in use by another user than self (0 for
 * none): 409 errors in *e. Inside the write transaction, so that no other
 * writer slips one in between. Returns the number of fields in error. */
static int
check_unique(struct db *db, const char *email, const char *username,
    int64_t self, struct user_errors *e)
{
	int64_t id;

	id = user_id_by_email(db, email);
	if (id != 0 && id != self)
		check_fail(&e->email, 409, "This e-mail address is already in "
		    "use.");
	id = user_id_by_username(db, username);
	if (id != 0 && id != self)
		check_fail(&e->username, 409, "This username is already "
		    "taken.");
	return check_count(e, user_error_fields);
}

/* ---------------------------------------------------------- the writes */

/*
 * The writes of managing users. Each is scoped: it changes nothing unless
 * the user (and, for an update, the customer they go to) lies in v's
 * scope, so a caller that forgot a check still cannot reach outside the
 * viewer's subtree. All run inside the caller's write transaction and
 * return 0, or -1 when nothing was changed (out of scope, gone, or a
 * database error).
 */
/* :language: "" is NULL, the account's language */
static void
bind_language(struct db_stmt *s, const char *language)
{
	if (*language != '\0')
		db_bind_text(s, ":language", language);
	else
		db_bind_null(s, ":language");
}

/* :gender: "" is NULL, not given */
static void
bind_gender(struct db_stmt *s, const char *gender)
{
	if (*gender != '\0')
		db_bind_text(s, ":gender", gender);
	else
		db_bind_null(s, ":gender");
}

static int
update_user(const struct viewer *v, int64_t id, const struct user_input *in,
    const struct user_change *c)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_UPDATE);

	db_bind_int(s, ":id", id);
	db_bind_int(s, ":customer_id", c->customer_id);
	db_bind_text(s, ":email", in->email);
	db_bind_text(s, ":username", in->username);
	db_bind_text(s, ":full_name", in->full_name);
	db_bind_text(s, ":phone", in->phone);
	db_bind_text(s, ":address", in->address);
	db_bind_int(s, ":groups", c->groups);
	db_bind_int(s, ":active", in->active);
	bind_language(s, c->language);
	bind_gender(s, c->gender);
	db_bind_int(s, ":now", v->now);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0)
		return -1;
	return db_changes(v->db) == 1 ? 0 : -1;
}

/* Phone, address and e-mail language of a user just made by
 * user_create(). */
static int
set_contact(const struct viewer *v, int64_t id, const struct user_input *in,
    const struct user_change *c)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_SET_CONTACT);

	db_bind_int(s, ":id", id);
	db_bind_text(s, ":phone", in->phone);
	db_bind_text(s, ":address", in->address);
	bind_language(s, c->language);
	bind_gender(s, c->gender);
	if (db_exec(v->db, s) != 0)
		return -1;
	return db_changes(v->db) == 1 ? 0 : -1;
}

/* Replace the locations of user_id that v can see by ids[0..n); those
 * v cannot see stay. */
static int
set_locations(const struct viewer *v, int64_t user_id, const int64_t *ids,
    size_t n)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_LOCATIONS_CLEAR);
	size_t i;

	db_bind_int(s, ":user_id", user_id);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (user_location_add(v->db, user_id, ids[i]) != 0)
			return -1;
	return 0;
}

/* Insert a checked new user with their contact details and locations,
 * queue the welcome mail with a set-up link (welcome mode) and log
 * user_created. Returns the id, or 0. */
static int64_t
add_user(const struct viewer *v, const struct user_input *in,
    const struct user_change *c)
{
	bool welcome = strcmp(c->password_mode, "welcome") == 0;
	struct user_fields uf;
	int64_t id;

	memset(&uf, 0, sizeof(uf));
	uf.customer_id = c->customer_id;
	uf.email = in->email;
	uf.username = in->username;
	uf.full_name = in->full_name;
	uf.password_hash = c->hash;	/* NULL: set through the link */
	uf.must_change_password = !welcome;
	uf.active = in->active;
	uf.groups = c->groups;
	id = user_create(v->db, v->now, &uf);
	if (id == 0 || set_contact(v, id, in, c) != 0 ||
	    set_locations(v, id, c->locations, c->nlocations) != 0 ||
	    ugroup_auto_assign(v, id, c->customer_id) != 0 ||
	    (in->user_groups != NULL && ugroup_set_for_user(v, id,
	    in->user_groups, in->nuser_groups) != 0) ||
	    (welcome && password_link_send(v, id, "setup", in->email,
	    in->username, in->full_name) != 0))
		return 0;
	event_log(v, "user_created", id, perm_actor(v), in->username);
	return id;
}

/* Write checked changes to t: fields, groups, locations; a new e-mail
 * address voids the links; a manual password or a set-up link; a
 * deactivation. 0 or -1. */
static int
change_user(const struct viewer *v, const struct user_row *t,
    const struct user_input *in, const struct user_change *c)
{
	int64_t actor = perm_actor(v);

	if (update_user(v, t->id, in, c) != 0 ||
	    set_locations(v, t->id, c->locations, c->nlocations) != 0 ||
	    (in->user_groups != NULL && ugroup_set_for_user(v, t->id,
	    in->user_groups, in->nuser_groups) != 0))
		return -1;
	/* the links went to the old address, which may not be the user's
	 * (mistyped, or left): none of them may set the password. Only
	 * its case changed: the same mailbox, as the users table has it */
	if (strcasecmp(in->email, t->email) != 0 &&
	    password_links_void(v, t->id) != 0)
		return -1;
	if (strcmp(c->password_mode, "manual") == 0 &&
	    password_set(v, t->id, c->hash, PASSWORD_BY_ADMIN, 0) != 0)
		return -1;
	if (strcmp(c->password_mode, "welcome") == 0 &&
	    password_link_send(v, t->id, "setup", in->email, in->username,
	    in->full_name) != 0)
		return -1;
	if (c->deactivated) {
		if (password_lock_out(v, t->id, actor, 0) != 0)
			return -1;
		event_log(v, "user_deactivated", t->id, actor, in->username);
	}
	event_log(v, "user_updated", t->id, actor, in->username);
	return 0;
}

/* --------------------------------------------------------- onboarding */

#define JOIN_FIELD(m, form) CHECK_FIELD(struct user_errors, m, form, #m)
const struct check_field user_joining_fields[] = {
	JOIN_FIELD(email, "email"), JOIN_FIELD(username, "username"),
	JOIN_FIELD(full_name, "full_name"),
	JOIN_FIELD(password, "new_password"),
	JOIN_FIELD(confirm_password, "confirm_password"), { NULL, NULL, 0 }
};
#undef JOIN_FIELD

int
user_check_joining(const struct user_joining *j, struct user_errors *e)
{
	const char *why;

	memset(e, 0, sizeof(*e));
	check_identities(NULL, j->email, j->username, e);
	if (check_chars(j->full_name) > FULL_NAME_MAX ||
	    !check_plain(j->full_name, false))
		check_fail(&e->full_name, 400, "Use at most 200 characters on "
		    "one line.");
	why = *j->password == '\0' ? "Choose a password." :
	    password_policy(j->password, j->username, j->email);
	if (why != NULL)
		check_fail(&e->password, 400, why);
	else if (strcmp(j->confirm, j->password) != 0)
		check_fail(&e->confirm_password, 400, *j->confirm == '\0' ?
		    "Enter the password again." : "The two passwords differ: "
		    "type the same password twice.");
	return check_count(e, user_joining_fields);
}

int
user_grant_holds(const struct viewer *v, int64_t grantor,
    int64_t customer_id, unsigned groups)
{
	struct user *g = grantor != 0 ? user_load(v->db, v->arena, grantor) :
	    NULL;
	struct viewer gv;
	int rc;

	if (g == NULL || !g->active)
		return 0;
	perm_viewer(&gv, v->app, v->arena, v->now, v->origin, v->addr, g);
	if (!perm_allows(&gv, ACT_USERS) || !perm_may_grant(&gv, groups))
		return 0;
	if ((rc = perm_sees_customer(&gv, customer_id)) < 0)
		return -1;
	return rc;
}

int64_t
user_onboard(const struct viewer *v, const struct user_onboarding *o,
    struct user_errors *e)
{
	struct user_fields uf;
	int64_t id;

	if (check_unique(v->db, o->email, o->username, 0, e) != 0)
		return 0;
	memset(&uf, 0, sizeof(uf));
	uf.customer_id = o->customer_id;
	uf.email = o->email;
	uf.username = o->username;
	uf.full_name = o->full_name;
	uf.password_hash = o->hash;
	uf.must_change_password = false;	/* they chose it */
	uf.active = true;
	uf.groups = o->groups;
	if ((id = user_create(v->db, v->now, &uf)) == 0 ||
	    ugroup_auto_assign(v, id, o->customer_id) != 0)
		return -1;
	/* the person who joined is the actor: nobody else typed it */
	event_log(v, "user_created", id, id, arena_printf(v->arena,
	    "%s (%s)", o->username, o->how));
	return id;
}

/* ----------------------------------------------------------- the flows */

const char *
user_out_of_reach(const struct viewer *v, const struct user_row *u)
{
	unsigned lacked = u->groups & ~perm_grantable(v);
	const char *names = "";
	size_t i, n = 0, left;

	if (!perm_allows(v, ACT_USERS))
		return "You can read this user but not change them: your "
		    "permission groups (API Developer) allow reading only.";
	if (perm_may_change_user(v, u->groups))
		return NULL;
	for (i = 0; i < GROUP_COUNT; i++)
		n += (lacked & perm_groups[i].bit) != 0;
	/* "A", "A and B", "A, B and C" */
	for (i = 0, left = n; i < GROUP_COUNT; i++) {
		if (!(lacked & perm_groups[i].bit))
			continue;
		left--;
		names = arena_printf(v->arena, "%s%s%s", names,
		    left + 1 == n ? "" : left == 0 ? " and " : ", ",
		    perm_groups[i].name);
	}
	return arena_printf(v->arena, "You cannot change or delete %s: they "
	    "hold %s, which you do not. Only someone who holds all of their "
	    "groups can.", u->username, names);
}

enum model_result
user_save(const struct viewer *v, int64_t id, const struct user_input *in,
    struct user_change *c, struct user_errors *e, int64_t *saved)
{
	const char *why;
	struct user_row t;
	enum model_result r;
	bool failed;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	if (id != 0 && (rc = user_get(v, id, &t)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	/* refused before any field is read: nothing about them matters */
	if (id != 0 && (why = user_out_of_reach(v, &t)) != NULL) {
		check_fail(&e->groups, 403, why);
		return MODEL_INVALID;
	}
	if ((rc = check_input(v, id ? &t : NULL, in, c, e)) != 0)
		return rc < 0 ? MODEL_FAILED : MODEL_INVALID;
	if (hash_password(v->arena, in, c) != 0 || db_begin(v->db) != 0)
		return MODEL_FAILED;
	failed = check_unique(v->db, in->email, in->username, id, e) == 0 &&
	    (id == 0 ? (id = add_user(v, in, c)) == 0 :
	    change_user(v, &t, in, c) != 0);
	/* a 409 tells that the address or name exists, in whichever
	 * account: the guard rate-limits those answers per address */
	if ((r = guard_finish(v, failed, e, user_error_fields)) ==
	    MODEL_DONE)
		*saved = id;
	return r;
}

/* Whether in, checked into c, leaves t as it is. */
static bool
unchanged(const struct user_row *t, const struct user_input *in,
    const struct user_change *c)
{
	size_t i, j;

	if (strcmp(in->email, t->email) != 0 ||
	    strcmp(in->username, t->username) != 0 ||
	    strcmp(in->full_name, t->full_name) != 0 ||
	    strcmp(in->phone, t->phone) != 0 ||
	    strcmp(in->address, t->address) != 0 ||
	    c->customer_id != t->customer_id || c->groups != t->groups ||
	    in->active != t->active ||
	    strcmp(c->language, t->language ? t->language : "") != 0 ||
	    strcmp(c->gender, t->gender ? t->gender : "") != 0 ||
	    c->nlocations != t->nlocations)
		return false;
	for (i = 0; i < c->nlocations; i++) {
		for (j = 0; j < t->nlocations && t->locations[j] !=
		    c->locations[i]; j++)
			;
		if (j == t->nlocations)
			return false;
	}
	return true;
}

/* What in would store for t, without the checks (which a user out of
 * reach fails whatever the input): into *c, which it returns. */
static const struct user_change *
as_stored(struct arena *a, const struct user_row *t,
    const struct user_input *in, struct user_change *c)
{
	int64_t *ids = arena_calloc(a, in->nlocations ? in->nlocations : 1,
	    sizeof(*ids));
	size_t i, j;

	memset(c, 0, sizeof(*c));
	c->customer_id = in->customer_id;
	for (i = 0; i < in->ngroups; i++)
		c->groups |= perm_group_by_key(in->groups[i]);
	for (i = 0; i < in->nlocations; i++) {
		for (j = 0; j < c->nlocations && ids[j] != in->locations[i]; j++)
			;
		if (j == c->nlocations)
			ids[c->nlocations++] = in->locations[i];
	}
	c->locations = ids;
	c->language = in->language != NULL ? in->language : t->language ?
	    t->language : "";
	c->gender = in->gender != NULL ? in->gender : t->gender ? t->gender :
	    "";
	return c;
}

enum model_result
user_import_row(const struct viewer *v, const struct user_row *t,
    const struct user_input *in, bool dry, enum user_import_what *what,
    struct user_errors *e)
{
	struct user_change c;
	const char *why;
	int rc;

	memset(e, 0, sizeof(*e));
	if (t != NULL && (why = user_out_of_reach(v, t)) != NULL) {
		/* a row that changes nothing is no change, whoever reads it
		 * (an export of the list, imported again) */
		if (unchanged(t, in, as_stored(v->arena, t, in, &c))) {
			*what = USER_IMPORT_UNCHANGED;
			return MODEL_DONE;
		}
		check_fail(&e->groups, 403, why);
		return MODEL_INVALID;
	}
	if ((rc = check_input(v, t, in, &c, e)) != 0)
		return rc < 0 ? MODEL_FAILED : MODEL_INVALID;
	if (check_unique(v->db, in->email, in->username, t ? t->id : 0,
	    e) != 0)
		return MODEL_INVALID;
	*what = t == NULL ? USER_IMPORT_CREATE : unchanged(t, in, &c) ?
	    USER_IMPORT_UNCHANGED : USER_IMPORT_UPDATE;
	if (dry || *what == USER_IMPORT_UNCHANGED)
		return MODEL_DONE;
	if (t == NULL)
		return add_user(v, in, &c) != 0 ? MODEL_DONE : MODEL_FAILED;
	return change_user(v, t, in, &c) == 0 ? MODEL_DONE : MODEL_FAILED;
}

const char *
user_why_not_remove(const struct viewer *v, const struct user_row *u)
{
	if (u->id == perm_actor(v))
		return "You cannot delete your own user.";
	return user_out_of_reach(v, u);
}

enum model_result
user_remove(const struct viewer *v, int64_t id, struct user_row *gone)
{
	struct db_stmt *s;
	int rc;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = user_get(v, id, gone)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	if (user_why_not_remove(v, gone) != NULL) {
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	event_log(v, "user_deleted", 0, perm_actor(v), arena_printf(v->arena,
	    "%s <%s> (id %lld)", gone->username, gone->email, (long long)id));
	/* the schema cascades to sessions, links, tokens */
	s = db_stmt(v->db, STMT_USER_DELETE);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	return db_finish(v->db, db_exec(v->db, s) != 0 ||
	    db_changes(v->db) != 1, NULL, NULL);
}

/* pw checked against the policy for username and email (e->password) and
 * hashed into hash, before any write transaction: 1, 0 refused, -1. */
static int
new_hash(const char *pw, const char *username, const char *email,
    char hash[crypto_pwhash_STRBYTES], struct user_errors *e)
{
	const char *why = password_policy(pw, username, email);

	if (why != NULL) {
		check_fail(&e->password, 400, why);
		return 0;
	}
	return password_hash(pw, hash) == 0 ? 1 : -1;
}

/* Insert operator username (no password yet) and give them hash, inside
 * the write transaction: 1, 0 when the username or e-mail is taken (*e),
 * -1. */
static int
insert_operator(const struct viewer *v, const char *username,
    const char *email, const char *hash, struct user_errors *e)
{
	struct user_fields f;
	int64_t id;

	if (check_unique(v->db, email, username, 0, e) > 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.is_operator = true;
	f.email = email;
	f.username = username;
	f.active = true;
	f.groups = GROUP_OWNER;
	if ((id = user_create(v->db, v->now, &f)) == 0)
		return -1;
	event_log(v, "user_created", id, perm_actor(v), username);
	return password_set(v, id, hash, PASSWORD_BY_CLI, 0) == 0 ? 1 : -1;
}

enum model_result
user_add_operator(const struct viewer *v, const char *username,
    const char *email, const char *pw, struct user_errors *e)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	memset(e, 0, sizeof(*e));
	if (!perm_allows(v, ACT_OPERATOR))
		return MODEL_NOT_FOUND;
	check_identities(NULL, email, username, e);
	if (check_count(e, user_error_fields) > 0)
		return MODEL_INVALID;
	if ((rc = new_hash(pw, username, email, hash, e)) != 1)
		return rc == 0 ? MODEL_INVALID : MODEL_FAILED;
	if (db_begin(v->db) != 0)
		rc = -1;
	else if ((rc = insert_operator(v, username, email, hash, e)) == 1 &&
	    db_commit(v->db) != 0)
		rc = -1;
	if (rc != 1)
		db_rollback(v->db);
	sodium_memzero(hash, sizeof(hash));
	return rc == 0 ? MODEL_INVALID : rc < 0 ? MODEL_FAILED : MODEL_DONE;
}

enum model_result
user_passwd(const struct viewer *v, const char *username, const char *pw,
    struct user_errors *e)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t id = user_id_by_username(v->db, username);
	enum model_result rc;
	struct user *u;

	memset(e, 0, sizeof(*e));
	if (!perm_allows(v, ACT_OPERATOR) || id == 0 ||
	    (u = user_load(v->db, v->arena, id)) == NULL)
		return MODEL_NOT_FOUND;
	switch (new_hash(pw, u->username, u->email, hash, e)) {
	case 0:
		return MODEL_INVALID;
	case 1:
		break;
	default:
		return MODEL_FAILED;
	}
	rc = password_save(v, id, hash, PASSWORD_BY_CLI, 0);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}
