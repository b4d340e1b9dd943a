/*
 * location.c - the locations model.
 */
#include "location.h"

#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "perm.h"
#include "share.h"

#define NAME_MAX_CHARS 200

/* The sort keys, and per key its statements of sql.h in each plan. */
#define SORT_NAME(X_, KEY, name, col) name,
const char *const location_sort_keys[] = {
	LOCATION_SORTS(SORT_NAME, _) NULL
};
#undef SORT_NAME
/* a row of a plan's statements: the sort key's, ascending and descending */
#define PLAN_ROW(KEY, PLAN) \
	{ STMT_LOCATION_LIST_##KEY##_ASC_##PLAN, \
	    STMT_LOCATION_LIST_##KEY##_DESC_##PLAN },
#define ROW_SCOPE(X_, KEY, name, col) PLAN_ROW(KEY, SCOPE)
#define ROW_HITS(X_, KEY, name, col) PLAN_ROW(KEY, HITS)
static const enum stmt_id plan_scope[][2] = { LOCATION_SORTS(ROW_SCOPE, _) };
static const enum stmt_id plan_hits[][2] = { LOCATION_SORTS(ROW_HITS, _) };
/* only the name has an order over the locations to walk */
static const enum stmt_id plan_scan[][2] = {
	PLAN_ROW(NAME, SCAN) PLAN_ROW(CUSTOMER, SCOPE) PLAN_ROW(USERS, SCOPE)
};
#undef PLAN_ROW
#undef ROW_SCOPE
#undef ROW_HITS
_Static_assert(sizeof(plan_scan) == sizeof(plan_scope), "a row per key");

/* A row of LOCATION_LIST_PAGE: id, name, customer_id, users. */
static void
fill_list_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct location *l = row;

	memset(l, 0, sizeof(*l));
	l->id = db_col_int(s, 0);
	l->name = db_text(a, s, 1);
	l->customer_id = db_col_int(s, 2);
	l->users = db_col_int(s, 3);
}

/* A row of LOCATION_API_SELECT: id, name, customer_id, created_at,
 * updated_at. */
static void
fill_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct location *l = row;

	memset(l, 0, sizeof(*l));
	l->id = db_col_int(s, 0);
	l->name = db_text(a, s, 1);
	l->customer_id = db_col_int(s, 2);
	l->created_at = db_col_int(s, 3);
	l->updated_at = db_col_int(s, 4);
}

/*
 * Choose the list's plan (sql.h) into *l: without a search, the
 * locations of the customer filter alone, or else when the scope holds a
 * third of the locations or more the walk in name order; a search whose
 * candidates in the whole table are at most the count's bound reads
 * just them. The count is the counters' without a search, else counted
 * in the plan up to LIST_COUNT_BOUND. 0 or -1.
 */
static int
choose_plan(const struct viewer *v, const struct list_query *lq,
    struct rows_list *l)
{
	int64_t rows = 0, table = 0, hits;

	if (rows_pair(v, STMT_LOCATION_LIST_SHARE, lq, &rows, &table) != 0)
		return -1;
	l->sorted = rows > 0 && rows * 3 >= table ? plan_scan : plan_scope;
	if (lq->search == LIST_SEARCH_NONE) {
		if (lq->customer_id != 0)
			l->sorted = plan_hits;
		l->count = STMT_LOCATION_LIST_COUNT_TREE;
		l->count_exact = true;
		return 0;
	}
	/* the search's candidates in the whole table, up to the bound */
	if ((hits = rows_candidates(v, STMT_LOCATION_HIT_CANDIDATES, lq)) < 0)
		return -1;
	if (hits <= LIST_COUNT_BOUND) {
		l->sorted = plan_hits;
		l->count = STMT_LOCATION_LIST_COUNT_HITS;
	}
	return 0;
}

int
location_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	struct rows_list api = { STMT__MAX, false, NULL, 0,
	    STMT__MAX, sizeof(struct location), fill_row };
	struct rows_list pages = { STMT_LOCATION_LIST_COUNT_SCOPE, false,
	    plan_scope, sizeof(plan_scope) / sizeof(plan_scope[0]),
	    STMT__MAX, sizeof(struct location), fill_list_row };
	struct customer_paths *paths;
	struct location *l;
	size_t i;
	int rc;

	if (choose_plan(v, lq, &pages) != 0)
		return -1;
	if (lq->keyset) {
		/* the pages' candidates, else the scope in id order, from the
		 * locations when it is most of them */
		api.keyset = pages.sorted == plan_hits ?
		    STMT_LOCATION_API_HITS : pages.sorted == plan_scan ?
		    STMT_LOCATION_API_WIDE : STMT_LOCATION_API_LIST;
		return rows_read_list(v, &api, lq, out);
	}
	rc = rows_read_list(v, &pages, lq, out);
	if (rc != 1)
		return rc;
	/* the path of each row's customer, after the list's statement is
	 * done */
	paths = customer_paths_new(v);
	for (i = 0, l = out->rows; i < out->n; i++)
		customer_paths_want_id(paths, l[i].customer_id);
	if (customer_paths_read(v, paths) != 0)
		return -1;
	for (i = 0; i < out->n; i++)
		l[i].customer = customer_paths_text(v, paths,
		    l[i].customer_id);
	return 1;
}

int
location_get(const struct viewer *v, int64_t id, struct location *l)
{
	return rows_read_one(v, STMT_LOCATION_VISIBLE, id, fill_row, l);
}

#define FIELD(m) CHECK_FIELD(struct location_errors, m, #m, #m)
const struct check_field location_error_fields[] = {
	FIELD(name), FIELD(customer_id), { NULL, NULL, 0 }
};
#undef FIELD

/* The rules of the fields; -1 on a database error. */
static int
check_input(const struct viewer *v, const struct location_input *in,
    struct location_errors *e)
{
	size_t chars = check_chars(in->name);
	int rc;

	memset(e, 0, sizeof(*e));
	if (!check_plain(in->name, false))
		check_fail(&e->name, 400, "The name must be on one line.");
	else if (chars == 0)
		check_fail(&e->name, 400, "Enter a name for the location.");
	else if (chars > NAME_MAX_CHARS)
		check_fail(&e->name, 400, "The name must be at most 200 "
		    "characters.");
	if (in->customer_id == 0) {
		check_fail(&e->customer_id, 400, "Choose the customer the "
		    "location belongs to.");
	} else if ((rc = perm_sees_customer(v, in->customer_id)) != 1) {
		if (rc < 0)
			return -1;
		check_fail(&e->customer_id, 404, "Choose a customer from the "
		    "list.");
	}
	return 0;
}

int64_t
location_insert(const struct viewer *v, const struct location_input *in)
{
	struct db_stmt *s = db_stmt(v->db, STMT_LOCATION_INSERT);

	db_bind_int(s, ":customer_id", in->customer_id);
	db_bind_text(s, ":name", in->name);
	db_bind_int(s, ":now", v->now);
	return db_exec(v->db, s) == 0 ? db_last_id(v->db) : 0;
}

/* Update location id of the scope: 0, or -1 (db_is_constraint(): the
 * name is taken; else a database error, or the location left the scope
 * since it was read: a race). */
static int
update_location(const struct viewer *v, int64_t id,
    const struct location_input *in)
{
	struct db_stmt *s = db_stmt(v->db, STMT_LOCATION_UPDATE);

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	db_bind_int(s, ":customer_id", in->customer_id);
	db_bind_text(s, ":name", in->name);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return -1;
	return db_changes(v->db) == 1 ? 0 : -1;
}

/* Insert or update; 1, 0 on a duplicate name (e->name set), -1. */
static int
write_location(const struct viewer *v, int64_t *id,
    const struct location_input *in, struct location_errors *e)
{
	bool created = *id == 0;
	int rc;

	/* the id before the event: its own INSERT changes db_last_id() */
	if (created)
		rc = (*id = location_insert(v, in)) != 0 ? 0 : -1;
	else
		rc = update_location(v, *id, in);
	if (rc != 0) {
		if (!db_is_constraint(v->db))
			return -1;
		/* the index ignores case: "Depot" takes "depot" */
		check_fail(&e->name, 409, "This customer already has a "
		    "location with this name (ignoring upper and lower "
		    "case).");
		return 0;
	}
	event_log(v, created ? "location_created" : "location_updated", 0,
	    perm_actor(v), arena_printf(v->arena,
	    "location %lld", (long long)*id));
	return 1;
}

/*
 * Whether location cur can move to in's customer: not while a device or
 * user uses it whose customer could not use it there (a location serves
 * its own customer and those above it). Detaching them instead would
 * lose their places silently, and a user left with no location would
 * see every device of their customer. 0, or -1 on a database error.
 */
static int
check_move(const struct viewer *v, const struct location *cur,
    const struct location_input *in, struct location_errors *e)
{
	struct db_stmt *s;
	int64_t devices, users;
	int rc;

	if (in->customer_id == cur->customer_id)
		return 0;
	s = db_stmt(v->db, STMT_LOCATION_MOVE_TIES);
	db_bind_int(s, ":id", cur->id);
	db_bind_int(s, ":customer_id", in->customer_id);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		devices = db_col_int(s, 0);
		users = db_col_int(s, 1);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return -1;
	if (devices + users > 0)
		check_fail(&e->customer_id, 409, arena_printf(v->arena,
		    "%lld device%s and %lld user%s of other customers use "
		    "this location and could not use it there: a location "
		    "serves its own customer and those above it. Give them "
		    "another location first.", (long long)devices,
		    devices == 1 ? "" : "s", (long long)users,
		    users == 1 ? "" : "s"));
	return 0;
}

enum model_result
location_save(const struct viewer *v, int64_t id,
    const struct location_input *in, struct location_errors *e,
    int64_t *saved)
{
	struct location cur;
	enum model_result r;
	bool failed, moving;
	int rc;

	memset(e, 0, sizeof(*e));
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (id != 0 && (rc = location_get(v, id, &cur)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	moving = id != 0 && in->customer_id != cur.customer_id;
	failed = check_input(v, in, e) < 0 || (id != 0 && check_count(e,
	    location_error_fields) == 0 && check_move(v, &cur, in, e) < 0) ||
	    (check_count(e, location_error_fields) == 0 &&
	    write_location(v, &id, in, e) < 0);
	/* its shares were granted by the customer it leaves */
	if (!failed && moving && check_count(e, location_error_fields) == 0)
		failed = share_end_all(v, id, in->name, "the location moved to "
		    "another customer") != 0;
	if ((r = db_finish(v->db, failed, e, location_error_fields)) ==
	    MODEL_DONE)
		*saved = id;
	return r;
}

int
location_ties(const struct viewer *v, int64_t id, struct location *l,
    struct location_ties *t)
{
	struct db_stmt *s;
	int rc;

	if ((rc = location_get(v, id, l)) != 1)
		return rc;
	s = db_stmt(v->db, STMT_LOCATION_TIES);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	if (rc == DB_ROW) {
		t->users = db_col_int(s, 0);
		t->last = db_col_int(s, 1);
		t->devices = db_col_int(s, 2);
	}
	db_reset(s);
	/* gone between the two reads: as if never seen */
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

enum model_result
location_remove(const struct viewer *v, int64_t id, struct location *gone,
    struct location_ties *t)
{
	struct db_stmt *s;
	int rc;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = location_ties(v, id, gone, t)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	event_log(v, "location_deleted", 0, perm_actor(v), arena_printf(
	    v->arena, "location %lld \xe2\x80\x9c%s\xe2\x80\x9d of customer "
	    "%lld: %lld users, %lld devices detached", (long long)id,
	    gone->name, (long long)gone->customer_id, (long long)t->users,
	    (long long)t->devices));
	s = db_stmt(v->db, STMT_LOCATION_DELETE);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	return db_finish(v->db, db_exec(v->db, s) != 0 ||
	    db_changes(v->db) != 1, NULL, NULL);
}
