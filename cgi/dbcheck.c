/*
 * dbcheck.c - the database check and health (dbcheck.h).
 */
#include "dbcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "perm.h"

/* One run of the check: where findings go, how many there were. */
struct run {
	struct db *db;
	dbcheck_report report;
	void *ctx;
	long found;
};

static void finding(struct run *r, const char *table, int64_t row,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct run *r, const char *table, int64_t row, const char *fmt,
    ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r->report(r->ctx, table, row, what);
	r->found++;
}

/* Column i as text, "" for NULL. */
static const char *
text(struct db_stmt *s, int i)
{
	const char *t = db_col_text(s, i);

	return t != NULL ? (const char *)t : "";
}

static long long
num(struct db_stmt *s, int i)
{
	return (long long)db_col_int(s, i);
}

/* SQLite's own verdict: one row "ok", or one row per problem. */
static void
integrity_row(struct run *r, struct db_stmt *s)
{
	if (strcmp(text(s, 0), "ok") != 0)
		finding(r, "database", 0, "%s", text(s, 0));
}

static void
foreign_key_row(struct run *r, struct db_stmt *s)
{
	finding(r, text(s, 0), num(s, 1), "%s names a row of %s that does "
	    "not exist", text(s, 3), text(s, 2));
}

static void
tree_row(struct run *r, struct db_stmt *s)
{
	if (db_col_null(s, 3))
		finding(r, "customers", num(s, 0), "is under no account: its "
		    "parent links go round (path %s)", text(s, 1));
	else
		finding(r, "customers", num(s, 0), "path %s depth %lld, its "
		    "parents make path %s depth %lld", text(s, 1), num(s, 2),
		    text(s, 3), num(s, 4));
}

/* CHECK_CUSTOMER_COUNTERS's pairs of columns, in its order. */
static const char *const customer_counters[] = {
	"user_count", "device_count", "location_count", "tree_customers",
	"tree_users", "tree_devices", "tree_locations"
};

static void
customer_counters_row(struct run *r, struct db_stmt *s)
{
	size_t i;
	int col;

	for (i = 0; i < sizeof(customer_counters) /
	    sizeof(customer_counters[0]); i++) {
		col = 1 + 2 * (int)i;
		if (num(s, col) != num(s, col + 1))
			finding(r, "customers", num(s, 0), "%s is %lld, its "
			    "rows make %lld", customer_counters[i],
			    num(s, col), num(s, col + 1));
	}
}

static void
location_counter_row(struct run *r, struct db_stmt *s)
{
	finding(r, "locations", num(s, 0), "device_count is %lld, its rows "
	    "make %lld", num(s, 1), num(s, 2));
}

static void
orphan_row(struct run *r, struct db_stmt *s)
{
	finding(r, text(s, 0), num(s, 1), "%s", text(s, 2));
}

typedef void (*row_reader)(struct run *, struct db_stmt *);

static const struct {
	enum stmt_id id;
	row_reader read;
} checks[] = {
	{ STMT_CHECK_INTEGRITY, integrity_row },
	{ STMT_CHECK_FOREIGN_KEYS, foreign_key_row },
	{ STMT_CHECK_TREE, tree_row },
	{ STMT_CHECK_CUSTOMER_COUNTERS, customer_counters_row },
	{ STMT_CHECK_LOCATION_COUNTERS, location_counter_row },
	{ STMT_CHECK_ORPHANS, orphan_row },
};

/* Every row of statement id through read: 0, or -1 on an error. */
static int
each_row(struct run *r, enum stmt_id id, row_reader read)
{
	struct db_stmt *s = db_stmt(r->db, id);
	int rc;

	while ((rc = db_step(r->db, s)) == DB_ROW)
		read(r, s);
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

long
dbcheck_run(struct db *db, dbcheck_report report, void *ctx)
{
	struct run r = { db, report, ctx, 0 };
	bool failed = false;
	size_t i;

	if (db_begin_read(db) != 0)
		return -1;
	/* PostgreSQL has no integrity check of its files to ask, holds
	 * every foreign key always, and keeps its search indexes itself:
	 * the tree and the counters are what it checks */
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (db_has_stmt(db, checks[i].id) &&
		    each_row(&r, checks[i].id, checks[i].read) != 0)
			failed = true;
	db_rollback(db);
	return failed ? -1 : r.found;
}

long
dbcheck_integrity(struct db *db, dbcheck_report report, void *ctx)
{
	struct run r = { db, report, ctx, 0 };

	return each_row(&r, STMT_CHECK_INTEGRITY, integrity_row) != 0 ? -1 :
	    r.found;
}

int
dbcheck_health(const struct viewer *v, int64_t *schema_version)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SCHEMA_VERSION_READ);
	int rc = db_step(v->db, s);

	if (rc == DB_ROW)
		*schema_version = db_col_int(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}
