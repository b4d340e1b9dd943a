/*
 * model_fixture.c - the in-memory database and viewers of the models'
 * unit tests (see model_fixture.h for the tree and how a test uses it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "arena.h"
#include "db.h"
#include "user.h"

/* The tree of model_fixture.h; passwords stay NULL (no model test signs
 * in), so nothing here costs an argon2id hash. */
static const char TREE_SQL[] =
    "INSERT INTO customers (id, parent_id, path, depth, name, email, "
    "owner_email, country, time_format, created_at, updated_at) VALUES "
    "(1, NULL, '/1/', 0, 'Acme', 'acme@example.test', "
    "'owner@acme.example.test', 'DK', '24h', 0, 0), "
    "(2, 1, '/1/2/', 1, 'Acme North', 'north@example.test', NULL, 'DK', "
    "'24h', 0, 0), "
    "(3, 2, '/1/2/3/', 2, 'Acme North East', 'east@example.test', NULL, "
    "'DK', '12h', 0, 0), "
    "(20, 1, '/1/20/', 1, 'Acme South', 'south@example.test', NULL, "
    "'SE', '24h', 0, 0), "
    "(5, NULL, '/5/', 0, 'Other', 'other@example.test', "
    "'owner@other.example.test', 'NO', '24h', 0, 0);"
    "INSERT INTO users (id, customer_id, is_operator, email, username, "
    "groups, created_at, updated_at) VALUES "
    "(1, NULL, 1, 'operator@example.test', 'operator', 0, 0, 0), "
    "(2, 1, 0, 'acme.admin@example.test', 'acme.admin', 63, 0, 0), "
    "(3, 2, 0, 'north.admin@example.test', 'north.admin', 1, 0, 0), "
    "(4, 2, 0, 'north.fleet@example.test', 'north.fleet', 16, 0, 0), "
    "(5, 3, 0, 'east.driver@example.test', 'east.driver', 0, 0, 0), "
    "(6, 20, 0, 'south.admin@example.test', 'south.admin', 1, 0, 0), "
    "(7, 5, 0, 'other.admin@example.test', 'other.admin', 17, 0, 0), "
    "(8, 1, 0, 'acme.nca@example.test', 'acme.nca', 8, 0, 0), "
    "(9, 2, 0, 'north.nca@example.test', 'north.nca', 10, 0, 0), "
    "(10, 2, 0, 'north.dm@example.test', 'north.dm', 4, 0, 0), "
    "(11, 3, 0, 'east.devices@example.test', 'east.devices', 2, 0, 0);"
    "INSERT INTO locations (id, customer_id, name, created_at, "
    "updated_at) VALUES "
    "(1, 1, 'HQ', 0, 0), (2, 2, 'Yard', 0, 0), (3, 3, 'East Dock', 0, 0), "
    "(4, 20, 'Yard', 0, 0), (5, 5, 'Lot', 0, 0), (6, 3, 'Harbour', 0, 0);"
    "INSERT INTO user_locations (user_id, location_id) VALUES "
    "(4, 2), (4, 3), (5, 3), (11, 6);"
    "INSERT INTO devices (id, unit_id, device_uuid, name, customer_id, "
    "location_id, registered_at) VALUES "
    "(1, 'HQ-1', '00000000-0000-4000-8000-000000000001', 'Acme van', 1, "
    "NULL, 1), "
    "(2, 'NORTH-1', '00000000-0000-4000-8000-000000000002', 'North van', "
    "2, NULL, 2), "
    "(3, 'EAST-1', '00000000-0000-4000-8000-000000000003', 'East one', 3, "
    "6, 3), "
    "(4, 'EAST-2', '00000000-0000-4000-8000-000000000004', 'East two', 3, "
    "3, 4), "
    "(5, 'SOUTH-1', '00000000-0000-4000-8000-000000000005', 'South van', "
    "20, 4, 5), "
    "(6, 'OTHER-1', '00000000-0000-4000-8000-000000000006', 'Other van', "
    "5, NULL, 6);"
    "INSERT INTO sessions (id, token_hash, user_id, created_at, "
    "last_seen_at) VALUES "
    "(1, X'01', 5, 0, 0), (2, X'02', 5, 0, 0), (3, X'03', 4, 0, 0);"
    /* outstanding links expire an hour after FIXTURE_NOW */
    "INSERT INTO user_links (id, user_id, purpose, token_hash, created_at, "
    "expires_at, used_at) VALUES "
    "(1, 5, 'setup', X'11', 0, 1700003600, NULL), "
    "(2, 5, 'reset', X'12', 0, 1700003600, NULL), "
    "(3, 5, 'reset', X'13', 0, 1700003600, 1), "
    "(4, 4, 'reset', X'14', 0, 1700003600, NULL);";

/* What links in mail start with. */
static char base_url[] = "https://arbor.example.test";

int
fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	char *msg = NULL;

	if (f == NULL)
		return -1;
	if (catalog_load(&f->app.catalog, err, sizeof(err)) != 0) {
		print_error("fixture: %s\n", err);
		free(f);
		return -1;
	}
	if (db_open_memory(&f->app.db, schema_sql, err, sizeof(err)) != 0) {
		print_error("fixture: %s\n", err);
		catalog_free(&f->app.catalog);
		free(f);
		return -1;
	}
	if (sqlite3_exec(f->app.db.conn, TREE_SQL, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		print_error("fixture: the tree: %s\n", msg ? msg : "?");
		sqlite3_free(msg);
		db_close(&f->app.db);
		catalog_free(&f->app.catalog);
		free(f);
		return -1;
	}
	f->app.cfg.base_url = base_url;
	f->arena = arena_new();
	*state = f;
	return 0;
}

int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(f->arena);
	db_close(&f->app.db);
	catalog_free(&f->app.catalog);
	free(f);
	return 0;
}

struct viewer
fixture_viewer(struct fixture *f, int64_t user, enum origin origin)
{
	const struct user *u = NULL;
	struct viewer v;

	if (user != 0) {
		u = user_load(&f->app.db, f->arena, user);
		assert_non_null(u);
	}
	perm_viewer(&v, &f->app, f->arena, FIXTURE_NOW, origin,
	    origin == ORIGIN_CLI ? NULL : "127.0.0.1", u);
	return v;
}

struct list_query
fixture_list_query(struct fixture *f)
{
	struct list_query lq;

	memset(&lq, 0, sizeof(lq));
	lq.q = "";
	lq.like = rows_like(f->arena, "");
	lq.page = 1;
	lq.limit = LIST_PAGE_SIZE;
	return lq;
}

/* The SQL of fmt and ap prepared and stepped once; the caller reads and
 * finalizes it. */
static sqlite3_stmt *
first_row(struct fixture *f, const char *fmt, va_list ap, int *rc)
{
	const char *sql = arena_vprintf(f->arena, fmt, ap);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(f->app.db.conn, sql, -1, &s, NULL) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(f->app.db.conn));
	*rc = sqlite3_step(s);
	if (*rc != SQLITE_ROW && *rc != SQLITE_DONE) {
		sqlite3_finalize(s);
		fail_msg("%s: %s", sql, sqlite3_errmsg(f->app.db.conn));
	}
	return s;
}

int64_t
fixture_int(struct fixture *f, const char *fmt, ...)
{
	va_list ap;
	int rc;
	sqlite3_stmt *s;
	int64_t n;

	va_start(ap, fmt);
	s = first_row(f, fmt, ap, &rc);
	va_end(ap);
	n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return n;
}

const char *
fixture_text(struct fixture *f, const char *fmt, ...)
{
	va_list ap;
	int rc;
	sqlite3_stmt *s;
	const char *t;

	va_start(ap, fmt);
	s = first_row(f, fmt, ap, &rc);
	va_end(ap);
	t = rc == SQLITE_ROW ? db_text(f->arena, s, 0) : "";
	sqlite3_finalize(s);
	return t;
}
