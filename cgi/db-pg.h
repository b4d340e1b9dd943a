/*
 * db-pg.h - the PostgreSQL engine behind db.h (issue 19).
 *
 * Only db.c calls these: the models see db.h alone, whichever engine
 * arbor.conf chose. Each function does for PostgreSQL what its db_*
 * namesake does for SQLite.
 */
#ifndef ARBOR_DB_PG_H
#define ARBOR_DB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Connect with the libpq connection string url; DB_SERVE checks the
 * schema version and prepares every statement. 0 or -1 (err). */
int pg_open(struct db *db, const char *url, enum db_open_mode mode,
    char *err, size_t errlen);
void pg_close(struct db *db);

/* Create the schema (schema-pg.sql's text) in an empty database when
 * create is true, or migrate an existing one to SCHEMA_VERSION; *from:
 * the version it had (0: none). 0 or -1 (err). */
int pg_init_schema(struct db *db, const char *schema, bool create,
    int64_t *from, char *err, size_t errlen);

/* A connection the server dropped (a restart, a fail-over) is made
 * again and its statements prepared again: 0, or -1 when it cannot be
 * (logged). Called before each request. */
int pg_check_connection(struct db *db);

void pg_reset(struct pg_stmt *s);
void pg_clear_bindings(struct pg_stmt *s);
bool pg_has_param(const struct pg_stmt *s, const char *name);
/* Bind v[0..n) to parameter name: as text, or as bytes (a blob); NULL
 * v binds SQL NULL. Aborts on a name the statement lacks. */
void pg_bind(struct pg_stmt *s, const char *name, const void *v, size_t n,
    bool bytes);
enum db_step_result pg_step(struct db *db, struct pg_stmt *s);
int64_t pg_col_int(struct pg_stmt *s, int col);
const char *pg_col_text(struct pg_stmt *s, int col);
const void *pg_col_blob(struct pg_stmt *s, int col, size_t *len);
bool pg_col_null(struct pg_stmt *s, int col);

/* Run sql (no parameters, no rows: BEGIN, COMMIT...). 0 or -1 (logged;
 * a serialization failure sets db->retry). */
int pg_command(struct db *db, const char *sql);
int pg_changes(struct db *db);
int64_t pg_last_id(struct db *db);

#endif
