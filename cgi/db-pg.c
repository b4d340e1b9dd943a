/*
 * db-pg.c - the PostgreSQL engine behind db.h (issue 19).
 *
 * The statements are sql.h's, read with SQL_POSTGRESQL defined: where
 * the dialects differ, sql.h's macros give PostgreSQL's text. libpq
 * numbers parameters ($1, $2...) where SQLite names them, so when a
 * connection prepares a statement each ":name" of its fixed text
 * becomes "$n" (a name used twice is one parameter); no value ever
 * becomes SQL text. Values travel as text (blobs as bytes) and results
 * come back as text, which db_col_* read.
 *
 * A statement's whole result is read at its first step (PQexecPrepared),
 * not row by row: the models step one statement while they run others,
 * and a connection streaming rows could run nothing else. Lists read a
 * page at a time, so a result is small; an export of every user is the
 * largest.
 */
#define SQL_POSTGRESQL
#include "db-pg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"

static const char *const pg_sql[STMT__MAX] = {
#define X(id, sql) [STMT_##id] = sql,
	SQL_STATEMENTS(X)
#undef X
};
static const char *const pg_names[STMT__MAX] = {
#define X(id, sql) [STMT_##id] = #id,
	SQL_STATEMENTS(X)
#undef X
};

struct pg_stmt {
	char name[16];		/* "s123": its name on the server */
	char *sql;		/* the text prepared, $n numbered */
	int nparams;
	char **param_names;	/* ":name" of $1..$n */
	char **values;		/* bound values, NULL for SQL NULL */
	int *lengths;		/* for bytes */
	int *formats;		/* 0 text, 1 bytes */
	size_t *caps;		/* allocated size of each values[i] */
	char **owned;		/* the buffers behind values[] */
	PGresult *res;		/* the result, from the first step */
	int row;		/* the current row; -1 before the first */
	unsigned char *blob;	/* the last blob column read, decoded */
};

struct pg_conn {
	PGconn *conn;
	struct pg_stmt stmts[STMT__MAX];
	int changes;		/* rows the last INSERT, UPDATE or DELETE
				 * changed (a SELECT leaves it, as in SQLite) */
};

/* Whether the statement exists on this engine (a check of SQLite's own
 * files has no PostgreSQL text: SQLITE_ONLY in sql.h). */
static bool
present(enum stmt_id id)
{
	return pg_sql[id] != NULL;
}

/*
 * The fixed text sql with ":name" numbered as "$n", its names in
 * st->param_names. Quoted text and identifiers are copied as they are,
 * and "::" (a cast) is not a parameter. 0 or -1 (out of memory).
 */
static int
number_params(struct pg_stmt *st, const char *sql)
{
	size_t len = strlen(sql), o = 0, cap = len * 2 + 1;
	char *out = malloc(cap), quote = 0;
	const char *p = sql, *start;
	int i;

	if (out == NULL)
		return -1;
	while (*p != '\0') {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
			out[o++] = *p++;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			out[o++] = *p++;
			continue;
		}
		if (*p != ':' || p[1] == ':' || (p > sql && p[-1] == ':') ||
		    !(isalpha((unsigned char)p[1]) || p[1] == '_')) {
			out[o++] = *p++;
			continue;
		}
		start = p++;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		for (i = 0; i < st->nparams; i++)
			if (strlen(st->param_names[i]) == (size_t)(p - start) &&
			    strncmp(st->param_names[i], start,
			    (size_t)(p - start)) == 0)
				break;
		if (i == st->nparams) {
			char **names = realloc(st->param_names,
			    sizeof(*names) * (size_t)(st->nparams + 1));

			if (names == NULL) {
				free(out);
				return -1;
			}
			st->param_names = names;
			names[i] = strndup(start, (size_t)(p - start));
			if (names[i] == NULL) {
				free(out);
				return -1;
			}
			st->nparams++;
		}
		/* "$n" is never longer than the ":name" it replaces plus
		 * the room doubled above */
		o += (size_t)snprintf(out + o, cap - o, "$%d", i + 1);
	}
	out[o] = '\0';
	st->sql = out;
	return 0;
}

static int
stmt_setup(struct pg_stmt *st, enum stmt_id id)
{
	size_t n;

	snprintf(st->name, sizeof(st->name), "s%d", (int)id);
	st->row = -1;
	if (number_params(st, pg_sql[id]) != 0)
		return -1;
	n = (size_t)st->nparams;
	if (n == 0)
		return 0;
	st->values = calloc(n, sizeof(*st->values));
	st->lengths = calloc(n, sizeof(*st->lengths));
	st->formats = calloc(n, sizeof(*st->formats));
	st->caps = calloc(n, sizeof(*st->caps));
	st->owned = calloc(n, sizeof(*st->owned));
	return st->values && st->lengths && st->formats && st->caps &&
	    st->owned ? 0 : -1;
}

static void
stmt_free(struct pg_stmt *st)
{
	int i;

	PQclear(st->res);
	PQfreemem(st->blob);
	for (i = 0; i < st->nparams; i++) {
		free(st->param_names[i]);
		if (st->owned != NULL)	/* NULL: stmt_setup ran out */
			free(st->owned[i]);
	}
	free(st->param_names);
	free(st->owned);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->caps);
	free(st->sql);
	memset(st, 0, sizeof(*st));
}

/* The server's message of res (or of the connection): its lines end in
 * '\n', the last one too. */
static const char *
message(PGconn *conn, const PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);

	return m && *m ? m : "no message";
}

/* The OIDs of PostgreSQL's integer types (catalog/pg_type.h, which a
 * client does not include). */
#define INT8_OID 20
#define INT2_OID 21
#define INT4_OID 23
#define PARAMS_MAX 64

/*
 * Prepare st under its name. PostgreSQL gives a parameter the type its
 * first use implies, and ":after = 0" makes it a 4-byte integer: an id
 * above 2^31 bound there would fail to convert where SQLite compares it.
 * So st is prepared first as the unnamed statement, which the next one
 * replaces, to learn those types, then under its name with every int2
 * and int4 as int8, the type of every integer the program binds. The
 * result of the step that failed, or of the last.
 */
static PGresult *
prepare_one(struct pg_conn *pc, const struct pg_stmt *st)
{
	Oid types[PARAMS_MAX];
	PGresult *res;
	int i, n;

	if (st->nparams == 0)
		return PQprepare(pc->conn, st->name, st->sql, 0, NULL);
	res = PQprepare(pc->conn, "", st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	res = PQdescribePrepared(pc->conn, "");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	if ((n = PQnparams(res)) > PARAMS_MAX) {	/* its own types */
		PQclear(res);
		return PQprepare(pc->conn, st->name, st->sql, st->nparams,
		    NULL);
	}
	for (i = 0; i < n; i++) {
		types[i] = PQparamtype(res, i);
		if (types[i] == INT2_OID || types[i] == INT4_OID)
			types[i] = INT8_OID;
	}
	PQclear(res);
	return PQprepare(pc->conn, st->name, st->sql, n, types);
}

/* Prepare every statement on the server; each that fails is logged, the
 * first is in err. */
static int
prepare_all(struct pg_conn *pc, char *err, size_t errlen)
{
	PGresult *res;
	int i, failures = 0;

	for (i = 0; i < STMT__MAX; i++) {
		if (!present((enum stmt_id)i))
			continue;
		res = prepare_one(pc, &pc->stmts[i]);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (failures++ == 0)
				snprintf(err, errlen, "statement %s: %s%s",
				    pg_names[i], message(pc->conn, res),
				    pc->stmts[i].sql);
			log_error("postgresql: statement %s: %s%s",
			    pg_names[i], message(pc->conn, res),
			    pc->stmts[i].sql);
		}
		PQclear(res);
	}
	return failures == 0 ? 0 : -1;
}

/* One value of a query without parameters, as text, into out. */
static int
query_text(PGconn *conn, const char *sql, char *out, size_t outlen,
    char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(err, errlen, "%s: %s", sql, message(conn, res));
		PQclear(res);
		return -1;
	}
	snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * The session's settings.
 * - Times are Unix seconds computed by the program, so the time zone
 *   only names the server's own; UTC keeps its log lines comparable.
 * - Every execution is planned for its values (force_custom_plan): the
 *   list statements say "(:customer_id = 0 OR ...)" and "(:after = 0 OR
 *   ...)", which a generic plan, made once for any value, cannot cut
 *   away, and PostgreSQL switches to one after five executions whenever
 *   it guesses it no dearer.
 * - A lock waited for longer than SQLite's busy timeout is an error, as
 *   on SQLite: the writers' lock too, which a node that hangs with it
 *   would otherwise hold from every writer of every node. A session
 *   idle inside a transaction for a minute (a hung worker) is ended by
 *   the server, and its locks with it.
 * - sql.h's LIKE escapes are '\\' in standard strings.
 * The database must sort text as bytes and fold only ASCII case (locale
 * C, libc's), as SQLite does: the customers' path ranges, so the scope
 * of every statement, and every sorted list depend on it.
 */
static int
configure(struct pg_conn *pc, char *err, size_t errlen)
{
	char locale[64];
	PGresult *res = PQexec(pc->conn, "SET TIME ZONE 'UTC'; "
	    "SET client_min_messages = warning; "
	    "SET plan_cache_mode = force_custom_plan; "
	    "SET lock_timeout = '10s'; "
	    "SET idle_in_transaction_session_timeout = '60s'; "
	    "SET standard_conforming_strings = on");

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "settings: %s", message(pc->conn, res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (query_text(pc->conn, "SELECT datlocprovider::text || ' ' || "
	    "datcollate || ' ' || datctype FROM pg_database WHERE datname = "
	    "current_database()", locale, sizeof(locale), err, errlen) != 0)
		return -1;
	if (strcmp(locale, "c C C") != 0 &&
	    strcmp(locale, "c POSIX POSIX") != 0) {
		snprintf(err, errlen, "the database's locale is \"%s\" "
		    "(provider, collate, ctype); Arbor needs \"c C C\": "
		    "CREATE DATABASE ... TEMPLATE template0 LOCALE 'C' "
		    "ENCODING 'UTF8'", locale);
		return -1;
	}
	return 0;
}

static int
schema_version(struct pg_conn *pc, long long *version, char *err,
    size_t errlen)
{
	char text[32];

	if (query_text(pc->conn, "SELECT version FROM schema_version", text,
	    sizeof(text), err, errlen) != 0)
		return -1;
	*version = strtoll(text, NULL, 10);
	return 0;
}

int
pg_open(struct db *db, const char *url, enum db_open_mode mode, char *err,
    size_t errlen)
{
	struct pg_conn *pc = calloc(1, sizeof(*pc));
	long long version = -1;
	int i;

	if (pc == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	db->pg = pc;
	pc->conn = PQconnectdb(url);
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "postgresql: %s", message(pc->conn,
		    NULL));
		return -1;
	}
	if (configure(pc, err, errlen) != 0)
		return -1;
	for (i = 0; i < STMT__MAX; i++) {
		db->stmts[i].db = db;
		if (!present((enum stmt_id)i))
			continue;
		db->stmts[i].pg = &pc->stmts[i];
		if (stmt_setup(&pc->stmts[i], (enum stmt_id)i) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (mode != DB_SERVE)
		return 0;
	if (schema_version(pc, &version, err, errlen) != 0)
		return -1;
	if (version != SCHEMA_VERSION) {
		snprintf(err, errlen, "postgresql: schema version %lld, this "
		    "program needs %d: run `arborctl init`", version,
		    SCHEMA_VERSION);
		return -1;
	}
	return prepare_all(pc, err, errlen);
}

void
pg_close(struct db *db)
{
	struct pg_conn *pc = db->pg;
	int i;

	if (pc == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		stmt_free(&pc->stmts[i]);
	PQfinish(pc->conn);
	free(pc);
	db->pg = NULL;
}

/*
 * pg_migrations[v - PG_FIRST_VERSION] takes a PostgreSQL database from
 * version v to v + 1, in one transaction with the version's update; as
 * in db.c, schema-pg.sql always describes the newest version. A schema
 * change adds its step here, to db.c's migrations[] and to both schema
 * files (tests/pg/schema-check.sh compares the two schemas); the list
 * ends with an empty entry, which keeps it valid C while it has no step.
 */
#define PG_FIRST_VERSION 13
static const char *const pg_migrations[] = {
	NULL
};
_Static_assert(sizeof(pg_migrations) / sizeof(pg_migrations[0]) ==
    SCHEMA_VERSION - PG_FIRST_VERSION + 1,
    "one PostgreSQL migration per schema version after the first");

/* Run sql (several statements: one simple query is one transaction,
 * all or nothing); 0 or -1 with a message in err. */
static int
run_script(struct pg_conn *pc, const char *what, const char *sql, char *err,
    size_t errlen)
{
	PGresult *res = PQexec(pc->conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "%s: %s", what, message(pc->conn, res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int
pg_init_schema(struct db *db, const char *schema, bool create,
    int64_t *from, char *err, size_t errlen)
{
	struct pg_conn *pc = db->pg;
	char have[8];
	long long version;
	size_t v;

	*from = 0;
	if (query_text(pc->conn, "SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = current_schema() AND tablename = 'schema_version'",
	    have, sizeof(have), err, errlen) != 0)
		return -1;
	if (strcmp(have, "0") == 0) {
		if (!create) {
			snprintf(err, errlen, "the database has no Arbor schema: "
			    "`arborctl init` makes it");
			return -1;
		}
		return run_script(pc, "schema-pg.sql", schema, err, errlen);
	}
	if (schema_version(pc, &version, err, errlen) != 0)
		return -1;
	*from = version;
	if (version < PG_FIRST_VERSION || version > SCHEMA_VERSION) {
		snprintf(err, errlen, "database has schema version %lld; this "
		    "program knows %d to %d", version, PG_FIRST_VERSION,
		    SCHEMA_VERSION);
		return -1;
	}
	for (v = (size_t)version; v < SCHEMA_VERSION; v++)
		if (run_script(pc, "migration", pg_migrations[v -
		    PG_FIRST_VERSION], err, errlen) != 0)
			return -1;
	return 0;
}

int
pg_check_connection(struct db *db)
{
	struct pg_conn *pc = db->pg;
	char err[512];
	int i;

	/* a connection left inside a transaction (it cannot be: every
	 * request ends with db_rollback) would hold its locks: start anew */
	if (PQstatus(pc->conn) == CONNECTION_OK &&
	    PQtransactionStatus(pc->conn) == PQTRANS_IDLE)
		return 0;
	for (i = 0; i < STMT__MAX; i++)
		pg_reset(&pc->stmts[i]);
	PQreset(pc->conn);
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		log_error("postgresql: cannot connect again: %s",
		    message(pc->conn, NULL));
		return -1;
	}
	if (configure(pc, err, sizeof(err)) != 0 ||
	    prepare_all(pc, err, sizeof(err)) != 0) {
		log_error("postgresql: after connecting again: %s", err);
		return -1;
	}
	log_info("postgresql: connected again");
	return 0;
}

void
pg_reset(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
}

void
pg_clear_bindings(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nparams; i++) {
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

static int
param_number(const struct pg_stmt *s, const char *name)
{
	int i;

	for (i = 0; i < s->nparams; i++)
		if (strcmp(s->param_names[i], name) == 0)
			return i;
	return -1;
}

bool
pg_has_param(const struct pg_stmt *s, const char *name)
{
	return param_number(s, name) >= 0;
}

void
pg_bind(struct pg_stmt *s, const char *name, const void *v, size_t n,
    bool bytes)
{
	int i = param_number(s, name);

	if (i < 0) {
		log_error("statement has no parameter %s: %s", name, s->sql);
		abort();
	}
	if (v == NULL) {
		s->values[i] = NULL;
		return;
	}
	/* a copy, as SQLite's SQLITE_TRANSIENT makes: the caller's value
	 * may be gone by the step */
	if (s->caps[i] < n + 1) {
		char *p = realloc(s->owned[i], n + 1);

		if (p == NULL) {
			log_error("out of memory binding %s", name);
			abort();
		}
		s->owned[i] = p;
		s->caps[i] = n + 1;
	}
	memcpy(s->owned[i], v, n);
	s->owned[i][n] = '\0';
	s->values[i] = s->owned[i];
	s->lengths[i] = (int)n;
	s->formats[i] = bytes ? 1 : 0;
}

/* SQLSTATE classes and codes the program answers differently. */
static bool
is_constraint(const char *state)
{
	return state != NULL && strncmp(state, "23", 2) == 0;
}

static bool
is_serialization(const char *state)
{
	return state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0);
}

/*
 * Note what failed res says about the transaction and the request, and
 * log it unless it is a constraint (which the models answer). The
 * request may run again after a serialization failure or a deadlock
 * (rolled back whole), and after a connection the server dropped, unless
 * that happened to a COMMIT, whose outcome is then unknown.
 */
static void
failed(struct db *db, const PGresult *res, const char *sql)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	db->constraint_failed = is_constraint(state);
	if (is_serialization(state) || (PQstatus(db->pg->conn) ==
	    CONNECTION_BAD && strcmp(sql, "COMMIT") != 0))
		db->retry = true;
	if (!db->constraint_failed)
		log_error("postgresql: %s (%s) in: %s",
		    message(db->pg->conn, res), state ? state : "?", sql);
}

/* Whether res is of an INSERT, UPDATE or DELETE (its tag says). */
static bool
wrote(PGresult *res)
{
	const char *tag = PQcmdStatus(res);

	return strncmp(tag, "INSERT", 6) == 0 ||
	    strncmp(tag, "UPDATE", 6) == 0 || strncmp(tag, "DELETE", 6) == 0;
}

enum db_step_result
pg_step(struct db *db, struct pg_stmt *s)
{
	ExecStatusType status;

	if (s->res == NULL) {
		s->res = PQexecPrepared(db->pg->conn, s->name, s->nparams,
		    (const char *const *)s->values, s->lengths, s->formats, 0);
		status = PQresultStatus(s->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
			failed(db, s->res, s->sql);
			PQclear(s->res);
			s->res = NULL;
			return DB_ERROR;
		}
		db->constraint_failed = false;
		if (wrote(s->res)) {
			db->pg->changes = atoi(PQcmdTuples(s->res));
			/* a write outside a transaction is committed: the
			 * request must not run again (db_request_retry) */
			if (!db->in_transaction)
				db->commits++;
		}
		s->row = -1;
	}
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return DB_ROW;
	}
	s->row = PQntuples(s->res);
	return DB_DONE;
}

/* The current row's column, or NULL outside a row. */
static const char *
value(struct pg_stmt *s, int col)
{
	if (s->res == NULL || s->row < 0 || s->row >= PQntuples(s->res) ||
	    col >= PQnfields(s->res) || PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

/* An integer column; a boolean (what a comparison returns) is 0 or 1,
 * as SQLite has it. */
int64_t
pg_col_int(struct pg_stmt *s, int col)
{
	const char *v = value(s, col);

	if (v == NULL)
		return 0;
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	return strtoll(v, NULL, 10);
}

const char *
pg_col_text(struct pg_stmt *s, int col)
{
	return value(s, col);
}

const void *
pg_col_blob(struct pg_stmt *s, int col, size_t *len)
{
	const char *v = value(s, col);

	PQfreemem(s->blob);
	s->blob = NULL;
	*len = 0;
	if (v == NULL)
		return NULL;
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

bool
pg_col_null(struct pg_stmt *s, int col)
{
	return value(s, col) == NULL;
}

int
pg_command(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->pg->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		failed(db, res, sql);
		rc = -1;
	} else if (strcmp(sql, "COMMIT") == 0 &&
	    strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		/* the COMMIT of a transaction a statement failed in rolls
		 * it back, and says so only in its tag */
		log_error("postgresql: COMMIT answered %s: a statement of the "
		    "transaction had failed", PQcmdStatus(res));
		rc = -1;
	}
	PQclear(res);
	return rc;
}

int
pg_changes(struct db *db)
{
	return db->pg->changes;
}

/*
 * The id the last INSERT gave its row: the value the session's last
 * nextval() returned, which is the row's own identity column because
 * no trigger of schema-pg.sql inserts into a table with one.
 */
int64_t
pg_last_id(struct db *db)
{
	PGresult *res = PQexec(db->pg->conn, "SELECT lastval()");
	int64_t id = 0;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		failed(db, res, "SELECT lastval()");
	PQclear(res);
	return id;
}
