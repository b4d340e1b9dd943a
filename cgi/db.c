/*
 * db.c - connection settings, the statement table and transactions.
 */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "db-pg.h"
#include "log.h"

#define BUSY_TIMEOUT_MS 10000

static int db_simple(struct db *db, const char *sql);

static const char *const stmt_sql[STMT__MAX] = {
#define X(id, sql) [STMT_##id] = sql,
	SQL_STATEMENTS(X)
#undef X
};

/*
 * The counters made anew from the rows (in SQL both engines read alike),
 * and on SQLite the search indexes too: the end of a bulk load
 * (db_bulk_end) and of the migration that brought them.
 */
#define RECOUNT \
	"UPDATE customers SET " \
	"device_count = (SELECT count(*) FROM devices d " \
	"WHERE d.customer_id = customers.id), " \
	"user_count = (SELECT count(*) FROM users u " \
	"WHERE u.customer_id = customers.id), " \
	"location_count = (SELECT count(*) FROM locations l " \
	"WHERE l.customer_id = customers.id);" \
	"UPDATE customers SET (tree_customers, tree_users, tree_devices, " \
	"tree_locations) = (SELECT count(*), sum(d.user_count), " \
	"sum(d.device_count), sum(d.location_count) FROM customers d " \
	"WHERE d.path >= customers.path AND d.path < substr(customers.path, " \
	"1, length(customers.path) - 1) || '0');" \
	"UPDATE locations SET device_count = (SELECT count(*) FROM devices d " \
	"WHERE d.location_id = locations.id);"
#define RECOUNT_AND_REINDEX RECOUNT \
	"INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');" \
	"INSERT INTO users_fts (users_fts) VALUES ('rebuild');" \
	"INSERT INTO locations_fts (locations_fts) VALUES ('rebuild');" \
	"INSERT INTO devices_fts (devices_fts) VALUES ('rebuild');"

/*
 * Every trigger of schema.sql: they keep the counters and the search
 * indexes, one row at a time, which a bulk load does better at its end
 * (db_bulk_begin checks that this list misses none).
 */
#define DROP_TRIGGERS \
	"DROP TRIGGER customers_tree_insert; DROP TRIGGER customers_tree_delete;" \
	"DROP TRIGGER customers_tree_move; DROP TRIGGER customers_fts_insert;" \
	"DROP TRIGGER customers_fts_delete; DROP TRIGGER customers_fts_update;" \
	"DROP TRIGGER users_count_insert; DROP TRIGGER users_count_delete;" \
	"DROP TRIGGER users_count_move; DROP TRIGGER users_fts_insert;" \
	"DROP TRIGGER users_fts_delete; DROP TRIGGER users_fts_update;" \
	"DROP TRIGGER locations_count_insert;" \
	"DROP TRIGGER locations_count_delete;" \
	"DROP TRIGGER locations_count_move; DROP TRIGGER locations_fts_insert;" \
	"DROP TRIGGER locations_fts_delete; DROP TRIGGER locations_fts_update;" \
	"DROP TRIGGER devices_count_insert; DROP TRIGGER devices_count_delete;" \
	"DROP TRIGGER devices_count_move; DROP TRIGGER devices_count_place;" \
	"DROP TRIGGER devices_fts_insert; DROP TRIGGER devices_fts_delete;" \
	"DROP TRIGGER devices_fts_update;"

/*
 * migrations[v - 1] takes a database from version v to v + 1 and sets
 * user_version itself. schema.sql always describes the newest version, so
 * a new database never runs these. A migration runs its sql, then (when
 * it says so) creates every index, view, trigger and table of schema.sql
 * that the database does not have yet, then its then_sql: so that the
 * definitions of new triggers and indexes are written once, in
 * schema.sql. The list ends with an empty entry, which keeps the array
 * valid C while there are no migrations yet.
 */
/*
 * A change to a table's CREATE text that every stored row already
 * satisfies (a CHECK that allows more): from becomes to in its text.
 */
struct table_edit {
	const char *table;
	const char *from;
	const char *to;
};

struct migration {
	const char *sql;
	bool add_missing;	/* create schema.sql's objects not yet here */
	const char *then_sql;
	const struct table_edit *edit;	/* after sql, or NULL */
};
static const struct migration migrations[] = {
	/* 1 → 2: per-customer device counters for the Devices list's
	 * count, and an index for sorting devices by registration */
	{ "ALTER TABLE customers ADD COLUMN device_count INTEGER NOT NULL "
	"DEFAULT 0;"
	"UPDATE customers SET device_count = (SELECT count(*) FROM devices d "
	"WHERE d.customer_id = customers.id);"
	"CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN "
	"UPDATE customers SET device_count = device_count + 1 "
	"WHERE id = NEW.customer_id; END;"
	"CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN "
	"UPDATE customers SET device_count = device_count - 1 "
	"WHERE id = OLD.customer_id; END;"
	"CREATE TRIGGER devices_count_move AFTER UPDATE OF customer_id ON "
	"devices WHEN OLD.customer_id != NEW.customer_id BEGIN "
	"UPDATE customers SET device_count = device_count - 1 "
	"WHERE id = OLD.customer_id; "
	"UPDATE customers SET device_count = device_count + 1 "
	"WHERE id = NEW.customer_id; END;"
	"CREATE INDEX devices_registered ON devices(registered_at);"
	"PRAGMA user_version = 2;", false, NULL, NULL },
	/* 2 → 3: location names unique per customer ignoring case. Of
	 * names that already differ only in case, the oldest location keeps
	 * its name and every later one is renamed to "NAME (location ID)"
	 * (cut to fit 200 characters): nothing is merged or lost, users and
	 * devices stay where they are, and an event per renamed location
	 * says what became of it, for an administrator to tidy up. Should a
	 * new name still collide, the index fails and the migration rolls
	 * back whole, naming the index. */
	{ "CREATE TEMP TABLE renamed AS SELECT l.id, l.customer_id, l.name, "
	"substr(l.name, 1, 200 - length(' (location ' || l.id || ')')) || "
	"' (location ' || l.id || ')' AS new_name FROM locations l "
	"WHERE EXISTS (SELECT 1 FROM locations o WHERE "
	"o.customer_id = l.customer_id AND o.name = l.name COLLATE NOCASE "
	"AND o.id < l.id);"
	"UPDATE locations SET name = (SELECT new_name FROM renamed r WHERE "
	"r.id = locations.id), updated_at = CAST(strftime('%s', 'now') AS "
	"INTEGER) WHERE id IN (SELECT id FROM renamed);"
	"INSERT INTO events (at, kind, detail) SELECT "
	"CAST(strftime('%s', 'now') AS INTEGER), 'location_renamed', "
	"'location ' || id || ' of customer ' || customer_id || ': \"' || "
	"name || '\" -> \"' || new_name || '\" (a name taken ignoring case; "
	"schema version 3)' FROM renamed ORDER BY id;"
	"DROP TABLE renamed;"
	"CREATE UNIQUE INDEX locations_customer_name ON "
	"locations(customer_id, name COLLATE NOCASE);"
	"PRAGMA user_version = 3;", false, NULL, NULL },
	/* 3 → 4 (issue 14): counters per customer and per subtree, and the
	 * trigram search indexes, all kept by triggers (schema.sql); the
	 * old device counters' triggers give way to the new ones, then
	 * every counter is counted once and the search indexes built */
	{ "DROP TRIGGER devices_count_insert;"
	"DROP TRIGGER devices_count_delete;"
	"DROP TRIGGER devices_count_move;"
	"ALTER TABLE customers ADD COLUMN user_count INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE customers ADD COLUMN location_count INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE customers ADD COLUMN tree_customers INTEGER NOT NULL "
	"DEFAULT 1;"
	"ALTER TABLE customers ADD COLUMN tree_users INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE customers ADD COLUMN tree_devices INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE customers ADD COLUMN tree_locations INTEGER NOT NULL "
	"DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN device_count INTEGER NOT NULL "
	"DEFAULT 0;", true,
	RECOUNT_AND_REINDEX "PRAGMA user_version = 4;", NULL },
	/* 4 → 5 (issue 16): tokens with a scope; those made before could
	 * write, so they keep doing so */
	{ "ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT "
	"'write' CHECK (scope IN ('read', 'write'));"
	"PRAGMA user_version = 5;", false, NULL, NULL },
	/* 5 → 6 (issue 16): users.groups holds the three account roles of
	 * seed 003 too; the rows are as they were, only the CHECK allows
	 * more */
	{ "PRAGMA user_version = 6;", false, NULL, &(const struct table_edit){
	    "users", "CHECK (groups BETWEEN 0 AND 63)",
	    "CHECK (groups BETWEEN 0 AND 511)" } },
	/* 6 → 7 (issue 16): account profiles, a table of their own */
	{ "PRAGMA user_version = 7;", true, NULL, NULL },
	/* 7 → 8 (issue 16): a user's own e-mail language; none yet */
	{ "ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN "
	"('en', 'nl'));"
	"PRAGMA user_version = 8;", false, NULL, NULL },
	/* 8 → 9 (issue 16): location shares, a table of their own */
	{ "PRAGMA user_version = 9;", true, NULL, NULL },
	/* 9 → 10 (issue 15): user groups get a description, the operator's
	 * cap of their discount and a time of change; nothing wrote them
	 * before, so no row needs a value other than the defaults */
	{ "ALTER TABLE user_groups ADD COLUMN description TEXT NOT NULL "
	"DEFAULT '';"
	"ALTER TABLE user_groups ADD COLUMN max_discount_percent INTEGER NOT "
	"NULL DEFAULT 0 CHECK (max_discount_percent BETWEEN 0 AND 100);"
	"ALTER TABLE user_groups ADD COLUMN updated_at INTEGER NOT NULL "
	"DEFAULT 0;", true, "PRAGMA user_version = 10;", NULL },
	/* 10 → 11 (issue 15): RFID tags and scans, tables of their own */
	{ "PRAGMA user_version = 11;", true, NULL, NULL },
	/* 11 → 12 (issue 17): invitations, join links, sign-up domains and
	 * pending sign-ups, tables of their own */
	{ "PRAGMA user_version = 12;", true, NULL, NULL },
	/* 12 → 13 (issue 17): a user's gender (the CSV import's
	 * contact.gender); the partial index of unconfirmed sign-ups */
	{ "ALTER TABLE users ADD COLUMN gender TEXT CHECK (gender IN "
	"('female', 'male'));"
	"PRAGMA user_version = 13;", true, NULL, NULL },
	{ NULL, false, NULL, NULL }
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    SCHEMA_VERSION, "one migration per schema version after the first");

static int
pragma_int(sqlite3 *conn, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(conn, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
pragma_text_is(sqlite3 *conn, const char *sql, const char *want)
{
	sqlite3_stmt *s;
	int ok = 0;

	if (sqlite3_prepare_v2(conn, sql, -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) &&
	    strcmp((const char *)sqlite3_column_text(s, 0), want) == 0)
		ok = 1;
	sqlite3_finalize(s);
	return ok;
}

/*
 * WAL lets readers go on while one worker writes; synchronous=FULL makes
 * a committed change (a revoked token, a disabled user) survive power
 * loss, which NORMAL does not promise in WAL mode. trusted_schema=ON:
 * the schema's triggers write the FTS5 search indexes, which SQLite
 * allows only a trusted schema; the database is Arbor's own (made by
 * arborctl init, mode 0600), never a file from elsewhere. The settings are read
 * back because a PRAGMA that fails (or a journal mode the file system
 * cannot do) does so silently.
 */
static int
db_configure(sqlite3 *conn, char *err, size_t errlen)
{
	int64_t sync = -1, fk = -1, busy = -1;

	sqlite3_busy_timeout(conn, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(conn, 1);
	if (sqlite3_exec(conn, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
	    "PRAGMA trusted_schema=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "settings: %s", sqlite3_errmsg(conn));
		return -1;
	}
	if (!pragma_text_is(conn, "PRAGMA journal_mode", "wal") ||
	    pragma_int(conn, "PRAGMA synchronous", &sync) != 0 ||
	    pragma_int(conn, "PRAGMA foreign_keys", &fk) != 0 ||
	    pragma_int(conn, "PRAGMA busy_timeout", &busy) != 0 ||
	    sync != 2 || fk != 1 || busy < 5000) {
		snprintf(err, errlen, "connection settings did not take "
		    "(want WAL, synchronous=FULL, foreign_keys=ON, "
		    "busy_timeout>=5000; got sync=%lld fk=%lld busy=%lld)",
		    (long long)sync, (long long)fk, (long long)busy);
		return -1;
	}
	return 0;
}

/* Prepare every statement of the table; 0 or -1 with a message in err. */
static int
prepare_all(struct db *db, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < STMT__MAX; i++) {
		db->stmts[i].db = db;
		if (sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmts[i].lite, NULL) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "statement %d: %s", i,
			    sqlite3_errmsg(db->conn));
			return -1;
		}
	}
	return 0;
}

/* Take the group and other bits off file path (if it exists): 0 or -1
 * with a message in err. */
static int
owner_only(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & 077) != 0 && chmod(path, st.st_mode & 0700) != 0) {
		snprintf(err, errlen, "%s: readable by others and cannot be "
		    "changed (%s): make it the owner's alone (chmod 600)", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The database and its -wal and -shm files hold password and token
 * hashes and personal data: they are the owner's alone (0600) whatever
 * the umask of whoever runs us. SQLite creates the database with 0644
 * less the umask, and the -wal and -shm files with the database file's
 * mode: so a new database is created under umask 077, and an existing
 * one (of an older version, or copied in) loses its group and other bits
 * before the connection settings create the other two. 0 or -1.
 */
static int
open_owner_only(struct db *db, const char *path, int flags, char *err,
    size_t errlen)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	mode_t umask_was = umask(077);
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		goto out;
	}
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *file = sqlite3_mprintf("%s%s", path, suffixes[i]);

		if (file == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		rc = owner_only(file, err, errlen);
		sqlite3_free(file);
		if (rc != 0)
			goto out;
	}
	rc = db_configure(db->conn, err, errlen);
out:
	umask(umask_was);
	return rc;
}

/*
 * SQLite for a single-threaded process (every worker and arborctl): no
 * mutexes and no memory statistics, which otherwise take a lock around
 * every allocation (a few per cent of a list page). Only possible before
 * the library's first use, so before the first connection.
 */
static void
configure_library(void)
{
	static bool done;

	if (!done) {
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		done = true;
	}
}

int
db_open(struct db *db, const char *path, enum db_open_mode mode, char *err,
    size_t errlen)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int64_t version = -1;
	struct stat st;

	configure_library();
	memset(db, 0, sizeof(*db));
	if (mode == DB_INIT)
		flags |= SQLITE_OPEN_CREATE;
	/* DB_MIGRATE: no file, or an empty one, is not a database to
	 * migrate, and the settings below would write to it */
	if (mode == DB_MIGRATE && stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s: `arborctl init` makes one", path,
		    strerror(errno));
		return -1;
	}
	if (mode == DB_MIGRATE && st.st_size == 0) {
		snprintf(err, errlen, "%s: an empty file: `arborctl init` makes "
		    "one", path);
		return -1;
	}
	if (open_owner_only(db, path, flags, err, errlen) != 0) {
		db_close(db);
		return -1;
	}
	if (mode != DB_SERVE)
		return 0;
	if (pragma_int(db->conn, "PRAGMA user_version", &version) != 0 ||
	    version != SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %lld, this program "
		    "needs %d: run `arborctl init`", path, (long long)version,
		    SCHEMA_VERSION);
		db_close(db);
		return -1;
	}
	if (prepare_all(db, err, errlen) != 0) {
		db_close(db);
		return -1;
	}
	return 0;
}

int
db_connect(struct db *db, const struct config *cfg, enum db_open_mode mode,
    char *err, size_t errlen)
{
	if (cfg->engine == ENGINE_SQLITE)
		return db_open(db, cfg->database, mode, err, errlen);
	memset(db, 0, sizeof(*db));
	if (pg_open(db, cfg->database_url, mode, err, errlen) != 0) {
		db_close(db);
		return -1;
	}
	return 0;
}

int
db_open_memory(struct db *db, const char *sql, char *err, size_t errlen)
{
	int64_t from;

	configure_library();
	memset(db, 0, sizeof(*db));
	if (sqlite3_open_v2(":memory:", &db->conn, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, ":memory:: %s",
		    db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		db_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	if (sqlite3_exec(db->conn, "PRAGMA foreign_keys=ON; "
	    "PRAGMA trusted_schema=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "settings: %s",
		    sqlite3_errmsg(db->conn));
		db_close(db);
		return -1;
	}
	if (db_init_schema(db, sql, &from, err, errlen) != 0 ||
	    prepare_all(db, err, errlen) != 0) {
		db_close(db);
		return -1;
	}
	return 0;
}

void
db_close(struct db *db)
{
	int i;

	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(db->stmts[i].lite);
	sqlite3_close(db->conn);
	pg_close(db);
	memset(db, 0, sizeof(*db));
}

/*
 * Create in conn every object of schema (the text of schema.sql) that
 * conn lacks, in schema.sql's order: a table before its indexes and
 * triggers, a virtual table before the shadow tables it makes itself.
 * The names come from schema.sql run in a private in-memory database;
 * the statements run are schema.sql's own. 0 or -1 (message in *msg).
 */
static int
add_missing(sqlite3 *conn, const char *schema, char **msg)
{
	sqlite3 *fresh = NULL;
	sqlite3_stmt *objects = NULL, *have = NULL;
	int rc = -1, step;

	if (sqlite3_open_v2(":memory:", &fresh, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_exec(fresh, schema, NULL, NULL, msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(fresh, "SELECT name, sql FROM sqlite_schema "
	    "WHERE sql IS NOT NULL ORDER BY rowid", -1, &objects, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(conn, "SELECT 1 FROM sqlite_schema "
	    "WHERE name = ?", -1, &have, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(objects)) == SQLITE_ROW) {
		sqlite3_bind_text(have, 1,
		    (const char *)sqlite3_column_text(objects, 0), -1,
		    SQLITE_TRANSIENT);
		rc = sqlite3_step(have);
		sqlite3_reset(have);
		if ((rc != SQLITE_ROW && rc != SQLITE_DONE) ||
		    (rc == SQLITE_DONE && sqlite3_exec(conn, (const char *)
		    sqlite3_column_text(objects, 1), NULL, NULL, msg) !=
		    SQLITE_OK)) {
			rc = -1;
			goto out;
		}
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc != 0 && *msg == NULL)
		*msg = sqlite3_mprintf("%s", sqlite3_errmsg(fresh ? fresh :
		    conn));
	sqlite3_finalize(objects);
	sqlite3_finalize(have);
	sqlite3_close(fresh);
	return rc;
}

/*
 * Make edit e in the current transaction the way SQLite documents for a
 * change that leaves every stored row valid ("making other kinds of
 * table schema changes", lang_altertable.html): the table's CREATE text
 * is changed in sqlite_schema and the schema cookie moved on, so that
 * every connection reads the schema again; no row is copied, and no
 * foreign key action can fire as it would when the table were dropped
 * and made again. The text must be found exactly once, and quick_check
 * then reads the table against its new definition. 0 or -1 (*msg).
 */
static int
edit_table(sqlite3 *conn, const struct table_edit *e, char **msg)
{
	sqlite3_stmt *s = NULL;
	int64_t cookie;
	char *sql = NULL;
	int rc = -1;

	if (pragma_int(conn, "PRAGMA schema_version", &cookie) != 0 ||
	    sqlite3_exec(conn, "PRAGMA writable_schema = ON", NULL, NULL,
	    msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(conn, "UPDATE sqlite_schema SET sql = "
	    "replace(sql, ?2, ?3) WHERE type = 'table' AND name = ?1 AND "
	    "instr(sql, ?2) > 0 AND instr(substr(sql, instr(sql, ?2) + 1), "
	    "?2) = 0", -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, e->table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->to, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto out;
	if (sqlite3_changes(conn) != 1) {
		*msg = sqlite3_mprintf("table %s: \"%s\" is not in its "
		    "definition exactly once", e->table, e->from);
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* a PRAGMA takes no parameters: the cookie and the table name are
	 * the program's own values */
	if ((sql = sqlite3_mprintf("PRAGMA schema_version = %lld; "
	    "PRAGMA writable_schema = OFF", (long long)cookie + 1)) == NULL ||
	    sqlite3_exec(conn, sql, NULL, NULL, msg) != SQLITE_OK)
		goto out;
	sqlite3_free(sql);
	if ((sql = sqlite3_mprintf("PRAGMA quick_check(%Q)", e->table)) ==
	    NULL || sqlite3_prepare_v2(conn, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto out;
	if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		*msg = sqlite3_mprintf("table %s after the change: %s",
		    e->table, sqlite3_column_text(s, 0));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && *msg == NULL)
		*msg = sqlite3_mprintf("%s", sqlite3_errmsg(conn));
	sqlite3_finalize(s);
	sqlite3_free(sql);
	sqlite3_exec(conn, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	return rc;
}

/* Run migration m (schema: schema.sql's text, for add_missing) in one
 * transaction: all of it or nothing. 0 or -1 with a message in err. */
static int
migrate(sqlite3 *conn, const struct migration *m, const char *schema,
    char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
	    SQLITE_OK || sqlite3_exec(conn, m->sql, NULL, NULL, &msg) !=
	    SQLITE_OK || (m->edit != NULL && edit_table(conn, m->edit,
	    &msg) != 0) || (m->add_missing && add_missing(conn, schema,
	    &msg) != 0) || (m->then_sql != NULL && sqlite3_exec(conn,
	    m->then_sql, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(conn, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(conn));
		sqlite3_free(msg);
		sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int
exec_in_transaction(sqlite3 *conn, const char *sql, char *err,
    size_t errlen)
{
	struct migration m = { sql, false, NULL, NULL };

	return migrate(conn, &m, NULL, err, errlen);
}

/* db_init_schema(), or with create false db_migrate(). */
static int
init_schema(struct db *db, const char *sql, bool create, int64_t *from,
    char *err, size_t errlen)
{
	int64_t version = -1, tables = -1;
	size_t v;

	if (db->pg != NULL)
		return pg_init_schema(db, sql, create, from, err, errlen);
	if (pragma_int(db->conn, "PRAGMA user_version", &version) != 0 ||
	    pragma_int(db->conn, "SELECT count(*) FROM sqlite_schema",
	    &tables) != 0) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db->conn));
		return -1;
	}
	*from = version;
	if (version == 0 && tables == 0) {
		if (create)
			return exec_in_transaction(db->conn, sql, err, errlen);
		snprintf(err, errlen, "an empty database: `arborctl init` "
		    "makes one");
		return -1;
	}
	if (version < 1 || version > SCHEMA_VERSION) {
		snprintf(err, errlen, "database has schema version %lld; this "
		    "program knows 1 to %d", (long long)version,
		    SCHEMA_VERSION);
		return -1;
	}
	for (v = (size_t)version; v < SCHEMA_VERSION; v++)
		if (migrate(db->conn, &migrations[v - 1], sql, err,
		    errlen) != 0)
			return -1;
	return 0;
}

int
db_init_schema(struct db *db, const char *sql, int64_t *from, char *err,
    size_t errlen)
{
	return init_schema(db, sql, true, from, err, errlen);
}

int
db_migrate(struct db *db, const char *sql, int64_t *from, char *err,
    size_t errlen)
{
	return init_schema(db, sql, false, from, err, errlen);
}

/*
 * The page cache of a bulk load's connection: big enough for a million
 * rows' indexes, which random keys (unit ids, device ids) would otherwise
 * make every insert read and spill. Set by sqlite3_exec, never prepared
 * with the statements of sql.h: SQLite applies PRAGMA cache_size when it
 * prepares one, and every worker would then keep 256 MiB of pages.
 */
#define BULK_CACHE "PRAGMA cache_size = -262144;"
#define NORMAL_CACHE "PRAGMA cache_size = -2000;"

/*
 * PostgreSQL's bulk load: the counters' triggers of schema-pg.sql are
 * off for the load's transaction (ALTER TABLE is transactional there,
 * and holds the tables until it ends), then every counter is counted
 * once. Its search indexes (GIN) keep themselves.
 */
#define PG_TRIGGER_TABLES(state) \
	"ALTER TABLE customers " state " TRIGGER USER;" \
	"ALTER TABLE users " state " TRIGGER USER;" \
	"ALTER TABLE locations " state " TRIGGER USER;" \
	"ALTER TABLE devices " state " TRIGGER USER;"

int
db_bulk_begin(struct db *db)
{
	int64_t left = -1;

	if (db->pg != NULL)
		return db_simple(db, PG_TRIGGER_TABLES("DISABLE"));

	if (sqlite3_exec(db->conn, BULK_CACHE DROP_TRIGGERS, NULL, NULL,
	    NULL) !=
	    SQLITE_OK || pragma_int(db->conn, "SELECT count(*) FROM "
	    "sqlite_schema WHERE type = 'trigger'", &left) != 0) {
		log_error("bulk load: %s", sqlite3_errmsg(db->conn));
		return -1;
	}
	if (left != 0) {
		log_error("bulk load: %lld triggers of schema.sql are not in "
		    "db.c's DROP_TRIGGERS", (long long)left);
		return -1;
	}
	return 0;
}

int
db_bulk_end(struct db *db, const char *schema)
{
	char *msg = NULL;

	if (db->pg != NULL)
		return db_simple(db, RECOUNT PG_TRIGGER_TABLES("ENABLE"));

	if (sqlite3_exec(db->conn, RECOUNT_AND_REINDEX NORMAL_CACHE, NULL,
	    NULL, &msg) != SQLITE_OK || add_missing(db->conn, schema,
	    &msg) != 0) {
		log_error("bulk load: %s", msg ? msg : sqlite3_errmsg(db->conn));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void
db_reset_all(struct db *db)
{
	int i;

	for (i = 0; i < STMT__MAX; i++)
		db_reset(&db->stmts[i]);
}

int
db_request_start(struct db *db)
{
	db->retry = false;
	db->commits = 0;
	return db->pg != NULL ? pg_check_connection(db) : 0;
}

bool
db_request_retry(const struct db *db)
{
	return db->retry && db->commits == 0;
}

int
db_request_again(struct db *db)
{
	db->retry = false;
	return db->pg != NULL ? pg_check_connection(db) : 0;
}

struct db_stmt *
db_stmt(struct db *db, enum stmt_id id)
{
	struct db_stmt *s = &db->stmts[id];

	if (s->pg != NULL) {
		pg_reset(s->pg);
		pg_clear_bindings(s->pg);
	} else if (s->lite != NULL) {
		sqlite3_reset(s->lite);
		sqlite3_clear_bindings(s->lite);
	} else {
		log_error("statement %d has no text for this engine", (int)id);
		abort();
	}
	return s;
}

bool
db_has_stmt(const struct db *db, enum stmt_id id)
{
	return db->stmts[id].lite != NULL || db->stmts[id].pg != NULL;
}

void
db_reset(struct db_stmt *s)
{
	if (s->pg != NULL)
		pg_reset(s->pg);
	else if (s->lite != NULL)
		sqlite3_reset(s->lite);
}

bool
db_has_param(struct db_stmt *s, const char *name)
{
	if (s->pg != NULL)
		return pg_has_param(s->pg, name);
	return sqlite3_bind_parameter_index(s->lite, name) != 0;
}

static int
param_index(struct db_stmt *s, const char *name)
{
	int i = sqlite3_bind_parameter_index(s->lite, name);

	if (i == 0) {
		log_error("statement has no parameter %s: %s", name,
		    sqlite3_sql(s->lite));
		abort();
	}
	return i;
}

void
db_bind_int(struct db_stmt *s, const char *name, int64_t v)
{
	char text[24];

	if (s->pg != NULL) {
		snprintf(text, sizeof(text), "%lld", (long long)v);
		pg_bind(s->pg, name, text, strlen(text), false);
	} else
		sqlite3_bind_int64(s->lite, param_index(s, name), v);
}

void
db_bind_text(struct db_stmt *s, const char *name, const char *v)
{
	if (s->pg != NULL)
		pg_bind(s->pg, name, v, v != NULL ? strlen(v) : 0, false);
	else if (v == NULL)
		sqlite3_bind_null(s->lite, param_index(s, name));
	else
		sqlite3_bind_text(s->lite, param_index(s, name), v, -1,
		    SQLITE_TRANSIENT);
}

void
db_bind_blob(struct db_stmt *s, const char *name, const void *v, size_t n)
{
	if (s->pg != NULL)
		pg_bind(s->pg, name, v, n, true);
	else
		sqlite3_bind_blob64(s->lite, param_index(s, name), v, n,
		    SQLITE_TRANSIENT);
}

void
db_bind_ids(struct db_stmt *s, const char *name, const int64_t *ids,
    size_t n)
{
	/* "[" and "]", and each id with its comma: 20 digits and a sign */
	char *text = malloc(n * 22 + 3);
	size_t i, o = 0;

	if (text == NULL) {
		log_error("out of memory binding %s", name);
		abort();
	}
	text[o++] = '[';
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(text + o, "%s%lld", i > 0 ? "," : "",
		    (long long)ids[i]);
	text[o++] = ']';
	text[o] = '\0';
	db_bind_text(s, name, text);
	free(text);
}

void
db_bind_null(struct db_stmt *s, const char *name)
{
	if (s->pg != NULL)
		pg_bind(s->pg, name, NULL, 0, false);
	else
		sqlite3_bind_null(s->lite, param_index(s, name));
}

enum db_step_result
db_step(struct db *db, struct db_stmt *s)
{
	int rc;

	if (s->pg != NULL)
		return pg_step(db, s->pg);
	rc = sqlite3_step(s->lite);
	db->constraint_failed = (rc & 0xff) == SQLITE_CONSTRAINT;
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if (!db->constraint_failed)
		log_error("sqlite: %s (%d) in: %s", sqlite3_errmsg(db->conn),
		    rc, sqlite3_sql(s->lite));
	return DB_ERROR;
}

int
db_exists(struct db *db, struct db_stmt *s)
{
	enum db_step_result rc = db_step(db, s);

	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
db_exec(struct db *db, struct db_stmt *s)
{
	enum db_step_result rc = db_step(db, s);

	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int64_t
db_col_int(struct db_stmt *s, int col)
{
	if (s->pg != NULL)
		return pg_col_int(s->pg, col);
	return sqlite3_column_int64(s->lite, col);
}

const char *
db_col_text(struct db_stmt *s, int col)
{
	if (s->pg != NULL)
		return pg_col_text(s->pg, col);
	return (const char *)sqlite3_column_text(s->lite, col);
}

const void *
db_col_blob(struct db_stmt *s, int col, size_t *len)
{
	const void *p;

	if (s->pg != NULL)
		return pg_col_blob(s->pg, col, len);
	p = sqlite3_column_blob(s->lite, col);
	*len = (size_t)sqlite3_column_bytes(s->lite, col);
	return p;
}

bool
db_col_null(struct db_stmt *s, int col)
{
	if (s->pg != NULL)
		return pg_col_null(s->pg, col);
	return sqlite3_column_type(s->lite, col) == SQLITE_NULL;
}

char *
db_text(struct arena *a, struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);

	return arena_strdup(a, t != NULL ? t : "");
}

char *
db_text_or_null(struct arena *a, struct db_stmt *s, int col)
{
	if (db_col_null(s, col))
		return NULL;
	return db_text(a, s, col);
}

static int
db_simple(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (db->pg != NULL)
		return pg_command(db, sql);
	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sqlite: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * PostgreSQL's writers take turns, as SQLite's do: each takes this
 * advisory lock (a session lock, so a worker that dies lets go of it
 * with its connection; lock_timeout bounds the wait, db-pg.c) before its
 * transaction begins. Every write of an account moves the counters of
 * the account's own row (the subtree counters of schema-pg.sql), so two
 * writers of one account would conflict in any case; taking turns makes
 * that a short wait instead of a serialization failure to retry. The
 * lock is taken before BEGIN because a SERIALIZABLE transaction's
 * snapshot is taken at its first statement: taken after the wait, it
 * sees every write before it. What the lock does not order are the
 * single statements that write outside a transaction (a session's last
 * use, a mail's lease): a writer that then changes a row one of them
 * changed since its snapshot fails to serialize (40001) and runs again.
 */
#define PG_LOCK_WRITERS "SELECT pg_advisory_lock(1098017391)"
#define PG_UNLOCK_WRITERS "SELECT pg_advisory_unlock(1098017391)"

int
db_begin(struct db *db)
{
	/* SQLite refuses a BEGIN inside a transaction; PostgreSQL only warns
	 * and would take the writers' lock twice */
	if (db->in_transaction) {
		log_error("db_begin inside a transaction");
		return -1;
	}
	if (db->pg != NULL) {
		if (db_simple(db, PG_LOCK_WRITERS) != 0)
			return -1;
		if (db_simple(db, "BEGIN ISOLATION LEVEL SERIALIZABLE") != 0) {
			db_simple(db, PG_UNLOCK_WRITERS);
			return -1;
		}
	} else if (db_simple(db, "BEGIN IMMEDIATE") != 0)
		return -1;
	db->in_transaction = true;
	db->writing = true;
	return 0;
}

/* A read transaction sees one snapshot and takes no lock: SQLite's
 * deferred BEGIN, PostgreSQL's REPEATABLE READ READ ONLY (which never
 * fails to serialize). */
int
db_begin_read(struct db *db)
{
	if (db_simple(db, db->pg != NULL ? "BEGIN ISOLATION LEVEL "
	    "REPEATABLE READ READ ONLY" : "BEGIN") != 0)
		return -1;
	db->in_transaction = true;
	db->writing = false;
	return 0;
}

/* The end of a transaction, committed or not: the writers' lock goes. */
static void
ended(struct db *db)
{
	if (db->pg != NULL && db->writing)
		db_simple(db, PG_UNLOCK_WRITERS);
	db->in_transaction = false;
	db->writing = false;
}

int
db_commit(struct db *db)
{
	if (db_simple(db, "COMMIT") != 0) {
		db_rollback(db);
		return -1;
	}
	if (db->writing)
		db->commits++;
	ended(db);
	return 0;
}

void
db_rollback(struct db *db)
{
	if (!db->in_transaction)
		return;
	if (db->pg != NULL || !sqlite3_get_autocommit(db->conn))
		db_simple(db, "ROLLBACK");
	ended(db);
}

bool
db_is_constraint(struct db *db)
{
	return db->constraint_failed;
}

int
db_changes(struct db *db)
{
	if (db->pg != NULL)
		return pg_changes(db);
	return sqlite3_changes(db->conn);
}

int64_t
db_last_id(struct db *db)
{
	if (db->pg != NULL)
		return pg_last_id(db);
	return sqlite3_last_insert_rowid(db->conn);
}

enum model_result
db_finish(struct db *db, bool failed, const void *errors,
    const struct check_field *fields)
{
	if (!failed && errors != NULL && check_count(errors, fields) > 0) {
		db_rollback(db);
		return MODEL_INVALID;
	}
	if (failed || db_commit(db) != 0) {
		db_rollback(db);
		return MODEL_FAILED;
	}
	return MODEL_DONE;
}
