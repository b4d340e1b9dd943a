/*
 * db.h - the database connection of a process and its statement table.
 *
 * Two engines sit behind these functions (issue 19): SQLite (db.c), the
 * default, and PostgreSQL (db-pg.c), for several app nodes sharing one
 * database; arbor.conf's [database] engine chooses. The models see only
 * this header.
 *
 * Every SQL statement the program runs is listed once in sql.h and
 * prepared once per connection, with bound parameters only. A write goes
 * through db_begin() and db_commit()/db_rollback(), and writers take
 * turns on either engine: SQLite's BEGIN IMMEDIATE takes its write lock
 * first (so two workers never both hold a read snapshot they then try
 * to upgrade, which SQLite can only answer with SQLITE_BUSY);
 * PostgreSQL's writers take one advisory lock before their SERIALIZABLE
 * transaction begins (db.c says why).
 */
#ifndef ARBOR_DB_H
#define ARBOR_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "check.h"
#include "config.h"
#include "sql.h"

#define SCHEMA_VERSION 13

/*
 * A statement of the table, as the models hold it: they bind, step and
 * read columns through the functions below, never through an engine's
 * own API, so that one model runs on either engine.
 */
struct pg_conn;
struct pg_stmt;

struct db_stmt {
	struct db *db;
	sqlite3_stmt *lite;	/* SQLite's, or NULL */
	struct pg_stmt *pg;	/* PostgreSQL's (db-pg.c), or NULL */
};

/* What db_step() answers. */
enum db_step_result {
	DB_ERROR = -1,	/* logged; a constraint violation: db_is_constraint */
	DB_DONE = 0,	/* no (more) rows */
	DB_ROW = 1	/* a row is ready to read */
};

struct db {
	sqlite3 *conn;		/* SQLite's connection, or NULL */
	struct pg_conn *pg;	/* PostgreSQL's (db-pg.c), or NULL */
	struct db_stmt stmts[STMT__MAX];
	bool in_transaction;
	bool writing;		/* the transaction is a writer's */
	bool constraint_failed;	/* the last step's error was a constraint */
	/* PostgreSQL found no serial order for the transaction (or a
	 * deadlock), or lost the connection, and nothing of the statement
	 * or its transaction stands: run the request again */
	bool retry;
	int commits;		/* writes committed since db_request_start:
				 * transactions, and single statements outside
				 * one (PostgreSQL) */
};

enum db_open_mode {
	DB_SERVE,	/* schema must be at SCHEMA_VERSION */
	DB_INIT,	/* create or migrate (arborctl init) */
	DB_MIGRATE	/* migrate one that exists (arborctl migrate) */
};

/*
 * Open the database cfg names: its [database] engine, path or url.
 * What db_open() says for SQLite; for PostgreSQL the server must have
 * the schema at SCHEMA_VERSION (DB_SERVE) and every statement is
 * prepared. Returns 0 or -1 with a message in err.
 */
int db_connect(struct db *db, const struct config *cfg,
    enum db_open_mode mode, char *err, size_t errlen);

/*
 * Open SQLite's path, apply and verify the connection settings (WAL,
 * synchronous=FULL, foreign keys, busy timeout) and, for DB_SERVE,
 * prepare every statement. The database and its -wal and -shm files are
 * created 0600 whatever the umask, and existing ones lose their group
 * and other bits (the umask is changed while opening: call this before
 * any thread starts). Returns 0 or -1 with a message in err.
 */
int db_open(struct db *db, const char *path, enum db_open_mode mode,
    char *err, size_t errlen);

/*
 * A new, private in-memory database with schema sql and every statement
 * prepared, for the models' unit tests: foreign keys on, as db_open()
 * has them (WAL and the other file settings do not apply to memory).
 * Returns 0 or -1 with a message in err.
 */
int db_open_memory(struct db *db, const char *sql, char *err,
    size_t errlen);

/* Finalise the statements and close. Safe on a db that failed to open. */
void db_close(struct db *db);

/*
 * Create the schema in a new database (sql: the text of schema.sql, or
 * of schema-pg.sql on PostgreSQL), or run the migrations of an older
 * one. *from: the version it had (0: none, a new database). Returns 0
 * or -1 with a message in err.
 */
int db_init_schema(struct db *db, const char *sql, int64_t *from,
    char *err, size_t errlen);

/* The same for a database that exists: one without Arbor's schema is
 * refused, not made (a mistyped path or url makes nothing). */
int db_migrate(struct db *db, const char *sql, int64_t *from, char *err,
    size_t errlen);

/*
 * A request begins: forget the last one's retry and commits, and on
 * PostgreSQL connect again if the server dropped the connection. 0, or
 * -1 when the database cannot be reached (logged).
 */
int db_request_start(struct db *db);

/*
 * Whether the request should run again from the start: on PostgreSQL a
 * transaction of it failed to serialize, or the connection was lost
 * (not at a COMMIT), and nothing of the request had committed (no
 * transaction, no write outside one), so that running it again does no
 * more than running it once would have.
 */
bool db_request_retry(const struct db *db);

/* Before the request runs again: on PostgreSQL connect again if the
 * connection was lost. 0, or -1 when the database cannot be reached. */
int db_request_again(struct db *db);

/* Reset every statement: called after each request so that no
 * half-read SELECT keeps a read snapshot (and the WAL) pinned. */
void db_reset_all(struct db *db);

/* schema.sql and schema-pg.sql, compiled in (build/schema_sql.c and
 * build/schema_pg_sql.c, made by the Makefile). */
extern const char schema_sql[];
extern const char schema_pg_sql[];

/* The statement id, reset and with its bindings cleared. */
struct db_stmt *db_stmt(struct db *db, enum stmt_id id);
/* Whether the engine has statement id: one about SQLite's own files
 * (SQLITE_ONLY in sql.h) has no PostgreSQL text. */
bool db_has_stmt(const struct db *db, enum stmt_id id);

/* Bind by parameter name (":name"); a name the statement lacks is a
 * programming error and aborts, so a typo cannot silently bind nothing. */
void db_bind_int(struct db_stmt *s, const char *name, int64_t v);
void db_bind_text(struct db_stmt *s, const char *name, const char *v);
void db_bind_blob(struct db_stmt *s, const char *name, const void *v,
    size_t n);
void db_bind_null(struct db_stmt *s, const char *name);
/* Bind ids[0..n) as the JSON array that sql.h's ID_LIST() reads: a list
 * of any length to one parameter. */
void db_bind_ids(struct db_stmt *s, const char *name, const int64_t *ids,
    size_t n);
/* Whether the statement has parameter name (for the shared binders of
 * list statements, which bind what each one takes). */
bool db_has_param(struct db_stmt *s, const char *name);

/* The next row: DB_ROW, DB_DONE or DB_ERROR (logged with the
 * statement's SQL, unless a constraint refused it). After DB_DONE or
 * DB_ERROR a statement runs again only from db_stmt() or db_reset(). */
enum db_step_result db_step(struct db *db, struct db_stmt *s);

/* Let go of the statement's rows (and the snapshot they hold) and its
 * bindings' effect; db_stmt() does it too. */
void db_reset(struct db_stmt *s);

/* Run a statement that returns no rows; 0 or -1. */
int db_exec(struct db *db, struct db_stmt *s);

/* Whether s (bound) returns a row, then reset it: 1, 0, or -1 on a
 * database error. */
int db_exists(struct db *db, struct db_stmt *s);

/* Columns of the current row. An integer column (0 for NULL); text,
 * valid until the next step or reset (NULL for NULL); a blob and its
 * length (NULL, 0 for NULL), valid until the statement's next step,
 * reset or blob read; whether the column is NULL. */
int64_t db_col_int(struct db_stmt *s, int col);
const char *db_col_text(struct db_stmt *s, int col);
const void *db_col_blob(struct db_stmt *s, int col, size_t *len);
bool db_col_null(struct db_stmt *s, int col);

/* Column helpers: text as a copy in the arena ("" for NULL). */
struct arena;
char *db_text(struct arena *a, struct db_stmt *s, int col);
/* NULL for SQL NULL, else a copy in the arena. */
char *db_text_or_null(struct arena *a, struct db_stmt *s, int col);

/*
 * A bulk load, inside an open transaction (db_begin): db_bulk_begin drops
 * the triggers that keep the counters and search indexes row by row; the
 * caller inserts; db_bulk_end counts every counter and builds every
 * search index once, and makes the triggers again from schema (the text
 * of schema.sql). Other connections never see the schema without its
 * triggers, and a rollback takes it all back. 0 or -1 (logged).
 */
int db_bulk_begin(struct db *db);
int db_bulk_end(struct db *db, const char *schema);

int db_begin(struct db *db);
/* A read transaction (BEGIN, deferred: no write lock): the statements
 * until db_rollback() see one snapshot while others write. 0 or -1. */
int db_begin_read(struct db *db);
int db_commit(struct db *db);
/* Roll back if a transaction is open; harmless otherwise. */
void db_rollback(struct db *db);

/*
 * The end of a model's write flow (enum model_result, check.h): after a
 * failure roll back, MODEL_FAILED; with a field of errors in error
 * (fields describes them; errors NULL: none) roll back, MODEL_INVALID;
 * else commit, MODEL_DONE (MODEL_FAILED, rolled back, if that fails).
 */
struct check_field;
enum model_result db_finish(struct db *db, bool failed, const void *errors,
    const struct check_field *fields);

/*
 * Whether the last failed step was a constraint violation (a duplicate).
 * After a failed statement a transaction may only be rolled back: SQLite
 * would go on with it, PostgreSQL refuses every later statement of it.
 * A flow that answers a duplicate and still needs the database (a rate
 * limit to count) does so in a new transaction (device_add()).
 */
bool db_is_constraint(struct db *db);

/* Rows changed by the last statement. */
int db_changes(struct db *db);
int64_t db_last_id(struct db *db);

#endif
