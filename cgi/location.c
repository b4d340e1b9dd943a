/*
 * location.c - checking and writing locations.
 */
#include "location.h"

#include <stdbool.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "customer.h"
#include "db.h"
#include "http.h"
#include "perm.h"
#include "session.h"
#include "user.h"

#define NAME_MAX_CHARS 200

int
location_load(struct db *db, struct arena *a, const struct scope *sc,
    int64_t id, struct location *l)
{
	sqlite3_stmt *s = db_stmt(db, STMT_LOCATION_VISIBLE);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	rc = db_step(db, s);
	if (rc == SQLITE_ROW) {
		l->id = sqlite3_column_int64(s, 0);
		l->name = db_text(a, s, 1);
		l->customer_id = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

#define FIELD(m) CHECK_FIELD(struct location_errors, m, #m, #m)
const struct check_field location_error_fields[] = {
	FIELD(name), FIELD(customer_id), { NULL, NULL, 0 }
};
#undef FIELD

int
location_check(struct db *db, const struct scope *sc,
    const struct location_input *in, struct location_errors *e)
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
	} else if ((rc = customer_in_scope(db, sc, in->customer_id)) != 1) {
		if (rc < 0)
			return -1;
		check_fail(&e->customer_id, 404, "Choose a customer from the "
		    "list.");
	}
	return check_count(e, location_error_fields);
}

int64_t
location_save(struct request *req, const struct scope *sc, int64_t id,
    const struct location_input *in, struct location_errors *e)
{
	struct db *db = &req->app->db;
	bool created = id == 0;
	sqlite3_stmt *s;

	if (created) {
		s = db_stmt(db, STMT_LOCATION_INSERT);
	} else {
		s = db_stmt(db, STMT_LOCATION_UPDATE);
		db_bind_int(s, ":id", id);
		perm_bind_scope(s, sc);
	}
	db_bind_int(s, ":customer_id", in->customer_id);
	db_bind_text(s, ":name", in->name);
	db_bind_int(s, ":now", req->now);
	if (db_exec(db, s) != 0) {
		if (!db_is_constraint(db))
			return -1;
		check_fail(&e->name, 409, "This customer already has a "
		    "location with this name.");
		return 0;
	}
	if (db_changes(db) != 1)
		return -1;	/* out of the scope: checked, so a race */
	/* before the event: its own INSERT changes db_last_id() */
	if (created)
		id = db_last_id(db);
	event_log(req, created ? "location_created" : "location_updated", 0,
	    req->user->id, event_detail(req, arena_printf(req->arena,
	    "location %lld", (long long)id)));
	return id;
}
