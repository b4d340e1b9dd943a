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
#include "buf.h"
#include "db.h"
#include "tmpl.h"
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
    "(4, 4, 'reset', X'14', 0, 1700003600, NULL);"
    /* a token in use, a revoked and an expired one; in use until an
     * hour after FIXTURE_NOW */
    "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, "
    "expires_at, revoked_at) VALUES "
    "(1, 5, 'script', X'21', 0, 1700003600, NULL), "
    "(2, 5, 'revoked', X'22', 0, 1700003600, 1), "
    "(3, 5, 'expired', X'23', 0, 1, NULL), "
    "(4, 4, 'script', X'24', 0, 1700003600, NULL);";

/* What links in mail start with. */
static char base_url[] = "https://arbor.example.test";

/* Copy database from over to: 0, or -1 with the reason printed. The
 * statements prepared on to stay valid (the same schema, page for
 * page). */
static int
copy_db(sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");

	if (b == NULL || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		print_error("fixture: copy: %s\n", sqlite3_errmsg(to));
		sqlite3_backup_finish(b);
		return -1;
	}
	return sqlite3_backup_finish(b) == SQLITE_OK ? 0 : -1;
}

/*
 * What the tests of one program share, made by the first set-up: loading
 * the catalog and the templates and preparing every statement cost more
 * than most tests do (seconds a test under valgrind), and no test changes
 * them. Each test gets the one database back as the tree (or the empty
 * schema) was, copied over it page for page; its prepared statements stay
 * valid. Freed at exit, so that the leak checkers see nothing left.
 */
static struct {
	int made;		/* 0 not yet, 1 made, -1 failed */
	struct app app;		/* catalog, templates, db */
	sqlite3 *tree, *empty;	/* the database as set up, either way */
} shared;

static void
shared_free(void)
{
	sqlite3_close(shared.tree);
	sqlite3_close(shared.empty);
	db_close(&shared.app.db);
	catalog_free(&shared.app.catalog);
	tmpl_free(shared.app.templates);
}

static int
shared_make(void)
{
	char err[256];
	char *msg = NULL;

	/* the mails' templates, from the repository (tests run there) */
	if (catalog_load(&shared.app.catalog, err, sizeof(err)) != 0 ||
	    (shared.app.templates = tmpl_load("templates", err, sizeof(err))) ==
	    NULL || db_open_memory(&shared.app.db, schema_sql, err,
	    sizeof(err)) != 0) {
		print_error("fixture: %s\n", err);
		return -1;
	}
	if (sqlite3_open(":memory:", &shared.empty) != SQLITE_OK ||
	    copy_db(shared.empty, shared.app.db.conn) != 0)
		return -1;
	if (sqlite3_exec(shared.app.db.conn, TREE_SQL, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		print_error("fixture: the tree: %s\n", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	if (sqlite3_open(":memory:", &shared.tree) != SQLITE_OK ||
	    copy_db(shared.tree, shared.app.db.conn) != 0)
		return -1;
	return 0;
}

static int
shared_setup(void)
{
	if (shared.made == 0) {
		atexit(shared_free);
		shared.made = shared_make() == 0 ? 1 : -1;
	}
	return shared.made == 1 ? 0 : -1;
}

static int
setup(void **state, bool empty)
{
	struct fixture *f;
	sqlite3_stmt *s = NULL;

	if (shared_setup() != 0)
		return -1;
	/* what an earlier test may have left: a transaction, a statement
	 * stopped half way (a failed test), the settings a test turns off
	 * to write what the models refuse (and back on, unless it fails) */
	while ((s = sqlite3_next_stmt(shared.app.db.conn, s)) != NULL)
		sqlite3_reset(s);
	if (!sqlite3_get_autocommit(shared.app.db.conn))
		sqlite3_exec(shared.app.db.conn, "ROLLBACK", NULL, NULL, NULL);
	if (sqlite3_exec(shared.app.db.conn, "PRAGMA foreign_keys = ON; "
	    "PRAGMA ignore_check_constraints = OFF", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->app = shared.app;
	f->tree = empty ? shared.empty : shared.tree;
	if (copy_db(f->app.db.conn, f->tree) != 0) {
		free(f);
		return -1;
	}
	f->app.cfg.base_url = base_url;
	f->app.cfg.login_max_failures = 5;
	f->app.cfg.login_window_minutes = 15;
	f->app.cfg.login_max_lockout_minutes = 15;
	f->app.cfg.login_max_failures_per_ip = 50;
	f->app.cfg.login_max_attempts_per_ip_minute = 60;
	f->app.cfg.login_max_password_checks = 5;
	f->app.cfg.login_max_taken_per_ip = 20;
	f->arena = arena_new();
	*state = f;
	return 0;
}

int
fixture_setup(void **state)
{
	return setup(state, false);
}

int
fixture_setup_empty(void **state)
{
	return setup(state, true);
}

void
fixture_renew(struct fixture *f)
{
	if (copy_db(f->app.db.conn, f->tree) != 0)
		fail_msg("fixture: no new tree");
}

int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(f->arena);
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
	rows_search(f->arena, &lq);
	lq.page = 1;
	lq.limit = LIST_PAGE_SIZE;
	return lq;
}

struct list_query
fixture_search(struct fixture *f, const char *q, int64_t customer_id,
    int64_t location_id, size_t sort, bool desc)
{
	struct list_query lq = fixture_list_query(f);

	lq.q = q;
	rows_search(f->arena, &lq);
	lq.customer_id = customer_id;
	lq.location_id = location_id;
	lq.sort = sort;
	lq.desc = desc;
	return lq;
}

uint64_t
fixture_id_bits(const struct rows_page *p, size_t row_size)
{
	const char *row = p->rows;
	uint64_t bits = 0;
	int64_t id;
	size_t i;

	for (i = 0; i < p->n; i++, row += row_size) {
		memcpy(&id, row, sizeof(id));
		bits |= FX_BIT(id);
	}
	return bits;
}

void
fixture_check_lists(struct fixture *f, const struct fixture_list_case *cases,
    size_t n, const char *const *keys, fixture_list_fn list, size_t row_size)
{
	const struct fixture_list_case *c;
	struct list_query lq;
	struct rows_page p;
	struct viewer v;
	size_t sort;
	int desc, rc;

	for (c = cases; c < cases + n; c++) {
		v = fixture_viewer(f, c->who, ORIGIN_PAGE);
		for (sort = 0; keys[sort] != NULL; sort++)
			for (desc = 0; desc < 2; desc++) {
				lq = fixture_search(f, c->q, c->customer_id,
				    c->location_id, sort, desc);
				memset(&p, 0, sizeof(p));
				rc = list(&v, &lq, &p);
				if (rc == c->rc &&
				    fixture_id_bits(&p, row_size) == c->ids &&
				    (rc != 1 || p.count == (int64_t)p.n))
					continue;
				fail_msg("%s, by %s%s: %d, rows %#llx, count "
				    "%lld", c->what, keys[sort], desc ?
				    " descending" : "", rc, (unsigned long long)
				    fixture_id_bits(&p, row_size),
				    (long long)p.count);
			}
	}
}

void
fixture_check_rows(struct fixture *f, const struct fixture_rows_case *cases,
    size_t n, fixture_list_fn list, fixture_rows_fn text)
{
	const struct fixture_rows_case *c;
	struct list_query lq;
	struct rows_page p;
	struct viewer v;
	int rc;

	for (c = cases; c < cases + n; c++) {
		v = fixture_viewer(f, c->who, ORIGIN_PAGE);
		lq = fixture_search(f, c->q, c->customer_id, 0, c->sort,
		    c->desc);
		memset(&p, 0, sizeof(p));
		if ((rc = list(&v, &lq, &p)) != c->rc)
			fail_msg("%s: %d, not %d", c->what, rc, c->rc);
		if (strcmp(text(f, &p), c->rows) != 0)
			fail_msg("%s: rows \"%s\"", c->what, text(f, &p));
		if (rc == 1 && p.count != (int64_t)p.n)
			fail_msg("%s: count %lld", c->what,
			    (long long)p.count);
	}
}

void
fixture_check_finds(struct fixture *f, const struct fixture_find_case *cases,
    size_t n, fixture_find_fn find)
{
	const struct fixture_find_case *c;
	struct viewer v;

	for (c = cases; c < cases + n; c++) {
		v = fixture_viewer(f, c->who, ORIGIN_PAGE);
		if (find(&v, c->id) != c->found)
			fail_msg("user %lld finds %lld: not %d",
			    (long long)c->who, (long long)c->id, c->found);
	}
}

void
fixture_check_places(struct fixture *f, const struct fixture_places *p,
    int64_t north, fixture_find_fn find)
{
	/* who finds which: own, child, parent, sibling, other account */
	const struct {
		int64_t who;
		int finds[5];
	} rule[] = {
		{ north, { 1, 1, 0, 0, 0 } },
		{ FX_ACME_ADMIN, { 1, 1, 1, 1, 0 } },
		{ FX_OTHER_ADMIN, { 0, 0, 0, 0, 1 } },
		{ FX_OPERATOR, { 1, 1, 1, 1, 1 } },
		{ 0, { 0, 0, 0, 0, 0 } },
	};
	const int64_t ids[] = { p->own, p->child, p->parent, p->sibling,
	    p->other, FX_MISSING };
	struct fixture_find_case c[sizeof(rule) / sizeof(rule[0]) * 6];
	size_t i, j, n = 0;

	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		for (j = 0; j < 6; j++)
			c[n++] = (struct fixture_find_case){ rule[i].who,
			    ids[j], j < 5 ? rule[i].finds[j] : 0 };
	fixture_check_finds(f, c, n, find);
}

/* sql prepared; an error fails the test. */
static sqlite3_stmt *
prepare(struct fixture *f, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(f->app.db.conn, sql, -1, &s, NULL) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(f->app.db.conn));
	return s;
}

/* The SQL of fmt and ap prepared and stepped once; the caller reads and
 * finalizes it. */
static sqlite3_stmt *
first_row(struct fixture *f, const char *fmt, va_list ap, int *rc)
{
	const char *sql = arena_vprintf(f->arena, fmt, ap);
	sqlite3_stmt *s = prepare(f, sql);

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
	t = rc == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL ?
	    arena_strdup(f->arena, (const char *)sqlite3_column_text(s, 0)) :
	    "";
	sqlite3_finalize(s);
	return t;
}

void
fixture_exec(struct fixture *f, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sqlite3_finalize(first_row(f, fmt, ap, &rc));
	va_end(ap);
}

/* Column i of the current row of s as text into b: NULL as "-", a blob
 * in hex. */
static void
put_column(sqlite3_stmt *s, int i, struct buf *b)
{
	const unsigned char *blob;
	int j, n;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		buf_putc(b, '-');
		break;
	case SQLITE_BLOB:
		blob = sqlite3_column_blob(s, i);
		n = sqlite3_column_bytes(s, i);
		for (j = 0; j < n; j++)
			buf_printf(b, "%02x", blob[j]);
		break;
	default:
		buf_puts(b, (const char *)sqlite3_column_text(s, i));
	}
}

/* Every row of table into b: columns separated by '|', a line a row. */
static void
dump_table(struct fixture *f, const char *table, struct buf *b)
{
	sqlite3_stmt *s = prepare(f, arena_printf(f->arena,
	    "SELECT * FROM \"%s\"", table));
	int i;

	buf_printf(b, "%s:\n", table);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(s); i++) {
			if (i > 0)
				buf_putc(b, '|');
			put_column(s, i, b);
		}
		buf_putc(b, '\n');
	}
	sqlite3_finalize(s);
}

const char *
fixture_snapshot(struct fixture *f)
{
	sqlite3_stmt *t = prepare(f, "SELECT name FROM sqlite_schema WHERE "
	    "type = 'table' ORDER BY name");
	struct buf b;

	buf_init(&b, f->arena);
	while (sqlite3_step(t) == SQLITE_ROW)
		dump_table(f, (const char *)sqlite3_column_text(t, 0), &b);
	sqlite3_finalize(t);
	return b.data;
}

const char *
fixture_events(struct fixture *f)
{
	return fixture_text(f, "SELECT group_concat(kind || '|' || "
	    "coalesce(user_id, '-') || '|' || coalesce(actor_id, '-') || '|' "
	    "|| ip || '|' || detail, ';') FROM (SELECT * FROM events ORDER BY "
	    "id)");
}
