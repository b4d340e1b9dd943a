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

#define NAME_MAX_CHARS 200

const char *const location_sort_keys[] = { "name", "customer", "users",
    NULL };
static const enum stmt_id sorted[][2] = {
	{ STMT_LOCATION_LIST_NAME_ASC, STMT_LOCATION_LIST_NAME_DESC },
	{ STMT_LOCATION_LIST_CUSTOMER_ASC, STMT_LOCATION_LIST_CUSTOMER_DESC },
	{ STMT_LOCATION_LIST_USERS_ASC, STMT_LOCATION_LIST_USERS_DESC },
};
_Static_assert(sizeof(sorted) / sizeof(sorted[0]) ==
    sizeof(location_sort_keys) / sizeof(location_sort_keys[0]) - 1,
    "a statement per key");

/* A row of LOCATION_LIST_SQL: id, name, customer_id, users. */
static void
fill_list_row(sqlite3_stmt *s, struct arena *a, void *row)
{
	struct location *l = row;

	memset(l, 0, sizeof(*l));
	l->id = sqlite3_column_int64(s, 0);
	l->name = db_text(a, s, 1);
	l->customer_id = sqlite3_column_int64(s, 2);
	l->users = sqlite3_column_int64(s, 3);
}

/* A row of LOCATION_API_SELECT: id, name, customer_id, created_at,
 * updated_at. */
static void
fill_row(sqlite3_stmt *s, struct arena *a, void *row)
{
	struct location *l = row;

	memset(l, 0, sizeof(*l));
	l->id = sqlite3_column_int64(s, 0);
	l->name = db_text(a, s, 1);
	l->customer_id = sqlite3_column_int64(s, 2);
	l->created_at = sqlite3_column_int64(s, 3);
	l->updated_at = sqlite3_column_int64(s, 4);
}

int
location_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	static const struct rows_list pages = { STMT_LOCATION_LIST_COUNT, false,
	    sorted, sizeof(sorted) / sizeof(sorted[0]), STMT__MAX,
	    sizeof(struct location), fill_list_row };
	static const struct rows_list api = { STMT__MAX, false, NULL, 0,
	    STMT_LOCATION_API_LIST, sizeof(struct location), fill_row };
	struct location *l;
	size_t i;
	int rc = rows_read_list(v, lq->keyset ? &api : &pages, lq, out);

	/* the path of each row's customer, after the list's statement is
	 * done: customer_path_text runs one of its own */
	for (i = 0, l = out->rows; rc == 1 && !lq->keyset && i < out->n; i++)
		l[i].customer = customer_path_text(v, l[i].customer_id);
	return rc;
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
	sqlite3_stmt *s = db_stmt(v->db, STMT_LOCATION_INSERT);

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
	sqlite3_stmt *s = db_stmt(v->db, STMT_LOCATION_UPDATE);

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

enum model_result
location_save(const struct viewer *v, int64_t id,
    const struct location_input *in, struct location_errors *e,
    int64_t *saved)
{
	struct location cur;
	enum model_result r;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (id != 0 && (rc = location_get(v, id, &cur)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	failed = check_input(v, in, e) < 0 || (check_count(e,
	    location_error_fields) == 0 && write_location(v, &id, in, e) < 0);
	if ((r = db_finish(v->db, failed, e, location_error_fields)) ==
	    MODEL_DONE)
		*saved = id;
	return r;
}

int
location_ties(const struct viewer *v, int64_t id, struct location *l,
    struct location_ties *t)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = location_get(v, id, l)) != 1)
		return rc;
	s = db_stmt(v->db, STMT_LOCATION_TIES);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	if (rc == SQLITE_ROW) {
		t->users = sqlite3_column_int64(s, 0);
		t->last = sqlite3_column_int64(s, 1);
		t->devices = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	/* gone between the two reads: as if never seen */
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

enum model_result
location_remove(const struct viewer *v, int64_t id, struct location *gone,
    struct location_ties *t)
{
	sqlite3_stmt *s;
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
