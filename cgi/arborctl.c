/*
 * arborctl.c - the command line: set-up, demo data, operators,
 * passwords and template previews, on the same arbor.conf and database
 * as the workers.
 *
 *   arborctl init                        schema (or migrations) and keys
 *   arborctl migrate                     the migrations of an existing
 *                                        database, never a new one
 *   arborctl demo                        demo customers and users
 *   arborctl operator add USERNAME EMAIL password from standard input
 *   arborctl passwd USERNAME             password from standard input
 *   arborctl render DIR NAME DATA.json   print a rendered template (data:
 *                                        any JSON value)
 *   arborctl import users|accounts FILE [--dry-run]  a CSV file (import.h)
 *   arborctl export users|accounts       the same as CSV, on stdout
 *   arborctl mail send [--loop]          deliver the mail queue (once, or
 *                                        every few seconds until SIGTERM)
 *   arborctl mail status                 what is queued, failures
 *   arborctl bench-data [--customers N] [--users N] [--devices N]
 *       [--width W] [--depth D] [--seed S]
 *                                        benchmark customers, users and
 *                                        devices under the demo account
 *   arborctl check                       the database's consistency
 *                                        (dbcheck.h): "ok", or one line
 *                                        per finding and exit status 1
 *   arborctl backup FILE                 a consistent copy to a new file
 *                                        (0600) while the site serves;
 *                                        restoring: deploy/README.md
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "backup.h"
#include "buf.h"
#include "catalog.h"
#include "check.h"
#include "csvfile.h"
#include "db.h"
#include "dbcheck.h"
#include "import.h"
#include "list.h"
#include "mail.h"
#include "perm.h"
#include "seed.h"
#include "tmpl.h"
#include "tval.h"
#include "tval_json.h"
#include "user.h"

static int
usage(void)
{
	fputs("usage: arborctl init\n"
	    "       arborctl migrate\n"
	    "       arborctl demo\n"
	    "       arborctl operator add USERNAME EMAIL  (password on stdin)\n"
	    "       arborctl passwd USERNAME              (password on stdin)\n"
	    "       arborctl render TEMPLATE_DIR NAME DATA.json\n"
	    "       arborctl import users|accounts FILE [--dry-run]\n"
	    "       arborctl export users|accounts        (CSV on stdout)\n"
	    "       arborctl mail send [--loop]\n"
	    "       arborctl mail status\n"
	    "       arborctl bench-data [--customers N] [--users N] "
	    "[--devices N]\n"
	    "                           [--width W] [--depth D] [--seed S]\n"
	    "       arborctl check\n"
	    "       arborctl backup FILE\n",
	    stderr);
	return 2;
}

static int
load_config(struct config *cfg)
{
	char err[512];

	if (config_load(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "arborctl: %s\n", err);
		return -1;
	}
	return 0;
}

/* The database cfg names, for messages: SQLite's file, or the words
 * "the PostgreSQL database" (its connection string may hold a
 * password). */
static const char *
database_name(const struct config *cfg)
{
	return cfg->engine == ENGINE_SQLITE ? cfg->database :
	    "the PostgreSQL database";
}

static int
open_db(struct db *db, const struct config *cfg, enum db_open_mode mode)
{
	char err[512];

	if (db_connect(db, cfg, mode, err, sizeof(err)) != 0) {
		fprintf(stderr, "arborctl: %s\n", err);
		return -1;
	}
	return 0;
}

/* The configuration and the database of a command that works on the data;
 * -1 (with a message, nothing left open) when either fails. */
static int
open_work(struct config *cfg, struct db *db)
{
	if (load_config(cfg) != 0)
		return -1;
	if (open_db(db, cfg, DB_SERVE) != 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* A viewer for arborctl itself on the configured database, in *app; -1
 * (with a message, nothing left open) when that cannot be opened. */
static int
open_viewer(struct app *app, struct viewer *v)
{
	memset(app, 0, sizeof(*app));
	if (open_work(&app->cfg, &app->db) != 0)
		return -1;
	perm_viewer(v, app, arena_new(), time(NULL), ORIGIN_CLI, NULL, NULL);
	return 0;
}

static void
close_viewer(struct app *app, struct viewer *v)
{
	arena_free(v->arena);
	db_close(&app->db);
	config_free(&app->cfg);
}

/*
 * arborctl init (create true): the key file and the schema, or the
 * migrations of an older database; arborctl migrate: the migrations of a
 * database that exists, never a new one (a mistyped path or url makes
 * nothing).
 */
static int
cmd_schema(bool create)
{
	struct config cfg;
	struct db db;
	char err[512];
	int64_t from = 0;
	int rc = 1;

	if (load_config(&cfg) != 0)
		return 1;
	if (create && access(cfg.keys, F_OK) != 0) {
		if (keys_create(cfg.keys, err, sizeof(err)) != 0) {
			fprintf(stderr, "arborctl: %s\n", err);
			goto out;
		}
		printf("created key file %s (mode 0600)\n", cfg.keys);
	}
	if (open_db(&db, &cfg, create ? DB_INIT : DB_MIGRATE) != 0)
		goto out;
	if ((create ? db_init_schema : db_migrate)(&db, cfg.engine ==
	    ENGINE_SQLITE ? schema_sql : schema_pg_sql, &from, err,
	    sizeof(err)) != 0)
		fprintf(stderr, "arborctl: %s\n", err);
	else {
		if (from != 0 && from != SCHEMA_VERSION)
			printf("%s migrated from schema version %lld\n",
			    database_name(&cfg), (long long)from);
		printf("%s is at schema version %d\n", database_name(&cfg),
		    SCHEMA_VERSION);
		rc = 0;
	}
	db_close(&db);
out:
	config_free(&cfg);
	return rc;
}

/*
 * Read a password from standard input: one line, without its newline.
 * Returns a malloc'ed string or NULL.
 */
static char *
read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (isatty(STDIN_FILENO))
		fputs("password: ", stderr);
	n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	if (line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

/* The first field a model found in error, as arborctl's message. */
static void
print_errors(const void *errors, const struct check_field *fields)
{
	const struct check_error *e;

	for (; fields->form != NULL; fields++)
		if ((e = check_error_of(errors, fields))->msg != NULL) {
			fprintf(stderr, "arborctl: %s: %s\n", fields->json,
			    e->msg);
			return;
		}
}

/* Tell what a password command's model answered; the exit code. */
static int
password_result(enum model_result rc, const struct user_errors *e,
    const char *done)
{
	switch (rc) {
	case MODEL_DONE:
		puts(done);
		return 0;
	case MODEL_INVALID:
		print_errors(e, user_error_fields);
		return 1;
	case MODEL_NOT_FOUND:
		fputs("arborctl: no such user\n", stderr);
		return 1;
	case MODEL_FAILED:
		break;
	}
	fputs("arborctl: the database refused the change\n", stderr);
	return 1;
}

/*
 * `operator add USERNAME EMAIL` (email not NULL) or `passwd USERNAME`:
 * the password from standard input, through the Users model as arborctl
 * itself (ORIGIN_CLI, every customer in view).
 */
static int
cmd_password(const char *username, const char *email)
{
	struct user_errors e;
	struct viewer v;
	struct app app;
	char *pw;
	int rc = 1;

	if (open_viewer(&app, &v) != 0)
		return 1;
	if ((pw = read_password()) == NULL)
		fputs("arborctl: no password on standard input\n", stderr);
	else if (email != NULL)
		rc = password_result(user_add_operator(&v, username, email, pw,
		    &e), &e, arena_printf(v.arena, "operator %s added",
		    username));
	else
		rc = password_result(user_passwd(&v, username, pw, &e), &e,
		    arena_printf(v.arena, "password of %s changed; their "
		    "sessions ended, their links voided and their API tokens "
		    "revoked", username));
	if (pw != NULL) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
	close_viewer(&app, &v);
	return rc;
}

/* Tell what a model that adds a set of data answered: refused is why it
 * refuses (NULL: it never does); done is for the caller to print. The
 * exit code. */
static int
seed_result(enum model_result rc, const char *what, const char *refused)
{
	switch (rc) {
	case MODEL_DONE:
		return 0;
	case MODEL_INVALID:
		if (refused == NULL)
			break;
		fprintf(stderr, "arborctl: %s\n", refused);
		return 1;
	case MODEL_NOT_FOUND:
		fputs("arborctl: no demo account: run `arborctl demo` first\n",
		    stderr);
		return 1;
	case MODEL_FAILED:
		break;
	}
	fprintf(stderr, "arborctl: could not add the %s\n", what);
	return 1;
}

/* The whole of file path (at most CSV_MAX_BYTES and one more, which
 * import_users() refuses as too large), in a; NULL with a message. */
static char *
read_file(struct arena *a, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;

	if (f == NULL) {
		fprintf(stderr, "arborctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	text = arena_alloc(a, CSV_MAX_BYTES + 2);
	*len = fread(text, 1, CSV_MAX_BYTES + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "arborctl: %s: cannot read\n", path);
		text = NULL;
	}
	fclose(f);
	if (text != NULL)
		text[*len] = '\0';
	return text;
}

/* arborctl import users FILE [--dry-run]: the page's import, as arborctl
 * itself (it sees every customer), with the worker's mail templates (a
 * new user's welcome mail). Each row in error on stderr; exit 1 when the
 * file or a row is refused (then nothing changed). */
static int
cmd_import(bool accounts, const char *path, bool dry_run)
{
	struct import_result r;
	struct viewer v;
	struct app app;
	char err[512];
	const char *text;
	size_t len, i;
	int rc = 1;

	if (open_viewer(&app, &v) != 0)
		return 1;
	/* the worker's templates (a welcome mail) and catalog (countries,
	 * time zones: an account's fields) */
	if ((app.templates = tmpl_load(app.cfg.templates, err,
	    sizeof(err))) == NULL || catalog_load(&app.catalog, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "arborctl: %s\n", err);
		tmpl_free(app.templates);
		close_viewer(&app, &v);
		return 1;
	}
	if ((text = read_file(v.arena, path, &len)) == NULL)
		;
	else if ((accounts ? import_accounts : import_users)(&v, text, len,
	    !dry_run, &r) != MODEL_DONE)
		fputs("arborctl: the import failed; nothing was changed\n",
		    stderr);
	else if (r.file_error != NULL)
		fprintf(stderr, "arborctl: %s: %s\n", path, r.file_error);
	else {
		for (i = 0; i < r.n; i++)
			if (r.lines[i].action == IMPORT_ERROR)
				fprintf(stderr, "row %zu (%s): %s%s%s\n",
				    r.lines[i].row, r.lines[i].email,
				    r.lines[i].column, *r.lines[i].column ?
				    ": " : "", r.lines[i].reason);
		printf("%zu rows: %zu %s, %zu %s, %zu unchanged, %zu with an "
		    "error%s\n", r.n, r.created, r.committed ? "created" :
		    "to create", r.updated, r.committed ? "changed" :
		    "to change", r.unchanged, r.errors, r.errors > 0 ?
		    ": nothing was imported" : dry_run ? " (a dry run: "
		    "nothing was imported)" : "");
		rc = r.errors > 0 ? 1 : 0;
	}
	catalog_free(&app.catalog);
	tmpl_free(app.templates);
	close_viewer(&app, &v);
	return rc;
}

/* arborctl export users|accounts: every one, as the import reads them. */
static int
cmd_export(bool accounts)
{
	struct list_query lq;
	struct viewer v;
	struct app app;
	struct buf b;
	int rc;

	if (open_viewer(&app, &v) != 0)
		return 1;
	memset(&lq, 0, sizeof(lq));
	lq.q = "";
	rows_search(v.arena, &lq);
	buf_init(&b, v.arena);
	if ((rc = accounts ? export_accounts(&v, &b) : export_users(&v, &lq,
	    &b)) == 1 &&
	    fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0)
		rc = 0;
	else {
		fputs("arborctl: the export failed\n", stderr);
		rc = 1;
	}
	close_viewer(&app, &v);
	return rc;
}

static int
cmd_demo(void)
{
	const char *name, *what;
	struct viewer v;
	struct app app;
	size_t i;
	int rc;

	if (open_viewer(&app, &v) != 0)
		return 1;
	rc = seed_result(seed_demo(&v), "demo data", "the database already "
	    "has users; demo data goes into a new database only");
	if (rc == 0) {
		printf("demo data added; every demo user's password is %s\n",
		    SEED_DEMO_PASSWORD);
		for (i = 0; (name = seed_demo_login(i, &what)) != NULL; i++)
			printf("  %-14s %s\n", name, what);
	}
	close_viewer(&app, &v);
	return rc;
}

static int
cmd_render(const char *dir, const char *name, const char *data_path)
{
	struct tmpl_cache *c;
	struct arena *a;
	json_error_t jerr;
	json_t *json;
	struct buf out;
	char err[512];
	int rc = 1;

	/* any JSON value: the spec's implicit-iterator tests render a bare
	 * string or number as {{.}} */
	json = json_load_file(data_path, JSON_DECODE_ANY, &jerr);
	if (json == NULL) {
		fprintf(stderr, "arborctl: %s:%d: %s\n", data_path, jerr.line,
		    jerr.text);
		return 1;
	}
	c = tmpl_load(dir, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "arborctl: %s\n", err);
		json_decref(json);
		return 1;
	}
	a = arena_new();
	buf_init(&out, a);
	if (tmpl_render(c, name, tv_from_json(a, json), &out) != 0)
		fprintf(stderr, "arborctl: no template %s in %s (or it nests "
		    "too deep)\n", name, dir);
	else if (fwrite(out.data, 1, out.len, stdout) == out.len &&
	    fflush(stdout) == 0)
		rc = 0;
	arena_free(a);
	tmpl_free(c);
	json_decref(json);
	return rc;
}

/* ---------------------------------------------- mail (issue 4) */

/* Seconds between two rounds of `mail send --loop`. */
#define MAIL_LOOP_SECONDS 2

static volatile sig_atomic_t mail_stop;

static void
on_mail_stop(int sig)
{
	(void)sig;
	mail_stop = 1;
}

/*
 * Deliver the due mail once, or (loop) every MAIL_LOOP_SECONDS until
 * SIGTERM or SIGINT. Once: exit status 1 when a message failed (it stays
 * queued for a later attempt, see `mail status`).
 */
static int
cmd_mail_send(bool loop)
{
	struct mail_result res;
	struct sigaction sa;
	struct timespec nap = { MAIL_LOOP_SECONDS, 0 };
	struct config cfg;
	struct db db;
	int rc = 1;

	if (open_work(&cfg, &db) != 0)
		return 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("arborctl: libcurl failed to initialise\n", stderr);
		goto close;
	}
	if (loop) {
		/* no SA_RESTART: the signal cuts the nap short */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_mail_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		fprintf(stderr, "arborctl: mail sender started (every %d s, %s)\n",
		    MAIL_LOOP_SECONDS, cfg.smtp_url[0] ? "smtp" : "spool");
		while (!mail_stop) {
			mail_send_due(&cfg, &db, &res);
			if (!mail_stop)
				nanosleep(&nap, NULL);
		}
		fputs("arborctl: mail sender stopped\n", stderr);
		rc = 0;
	} else if (mail_send_due(&cfg, &db, &res) != 0) {
		fputs("arborctl: could not read the mail queue\n", stderr);
	} else {
		printf("mail: %d sent, %d failed\n", res.sent, res.failed);
		if (res.failed > 0)
			fputs("arborctl: failed messages stay queued for a later "
			    "attempt; see `arborctl mail status`\n", stderr);
		rc = res.failed > 0;
	}
	curl_global_cleanup();
close:
	db_close(&db);
	config_free(&cfg);
	return rc;
}

static const char *
utc_text(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* The unsent messages, with their attempts and last errors. */
static int
cmd_mail_status(void)
{
	char when[32], made[32];
	const struct mail_pending *p;
	struct mail_status st;
	struct config cfg;
	struct arena *a;
	struct db db;
	int64_t failing = 0;
	size_t i;
	int rc = 1;

	if (open_work(&cfg, &db) != 0)
		return 1;
	a = arena_new();
	if (mail_read_status(&db, a, &st) != 0) {
		fputs("arborctl: could not read the mail queue\n", stderr);
		goto close;
	}
	printf("delivery: %s\n", cfg.smtp_url[0] ? cfg.smtp_url : cfg.mail_spool);
	for (i = 0, p = st.pending; i < st.npending; i++, p++) {
		if (i == 0)
			printf("%-6s %-8s %-19s %-19s %s\n", "id", "attempts",
			    "created (UTC)", "next try (UTC)", "recipient");
		failing += p->attempts > 0;
		printf("%-6lld %-8lld %-19s %-19s %s\n", (long long)p->id,
		    (long long)p->attempts,
		    utc_text(made, sizeof(made), p->created_at),
		    utc_text(when, sizeof(when), p->next_attempt_at),
		    p->recipient);
		if (p->last_error[0] != '\0')
			printf("       last error: %s\n", p->last_error);
	}
	printf("%zu queued (%lld of them failed before), %lld sent\n",
	    st.npending, (long long)failing, (long long)st.sent);
	rc = 0;
close:
	arena_free(a);
	db_close(&db);
	config_free(&cfg);
	return rc;
}

/* The options of bench-data: where each goes, its range and default. */
static const struct bench_option {
	const char *name;
	size_t offset;		/* of a long in struct seed_bench_spec */
	long min, max, fallback;
} bench_options[] = {
	{ "--customers", offsetof(struct seed_bench_spec, customers), 0,
	  1000000, 1000 },
	{ "--users", offsetof(struct seed_bench_spec, users), 0, 10000000,
	  100000 },
	{ "--devices", offsetof(struct seed_bench_spec, devices), 0,
	  10000000, 0 },
	{ "--width", offsetof(struct seed_bench_spec, width), 1, 1000, 8 },
	{ "--depth", offsetof(struct seed_bench_spec, depth), 1, 100, 5 },
	{ "--seed", offsetof(struct seed_bench_spec, seed), 0, LONG_MAX, 1 },
};
#define BENCH_OPTIONS_END (bench_options + \
    sizeof(bench_options) / sizeof(bench_options[0]))

static long *
bench_field(struct seed_bench_spec *spec, const struct bench_option *o)
{
	return (long *)(void *)((char *)spec + o->offset);
}

/* argv (pairs of an option and its value) into spec, the defaults for
 * what it leaves out: 0, or -1 after saying what is wrong. */
static int
bench_options_read(int argc, char *argv[], struct seed_bench_spec *spec)
{
	const struct bench_option *o;
	char *end;
	long n;
	int i;

	for (o = bench_options; o < BENCH_OPTIONS_END; o++)
		*bench_field(spec, o) = o->fallback;
	for (i = 0; i < argc; i += 2) {
		for (o = bench_options; o < BENCH_OPTIONS_END &&
		    strcmp(o->name, argv[i]) != 0; o++)
			;
		if (o == BENCH_OPTIONS_END || i + 1 >= argc) {
			fprintf(stderr, "arborctl: bench-data: %s %s\n",
			    argv[i], i + 1 >= argc ? "wants a number" :
			    "is no option");
			return -1;
		}
		errno = 0;
		n = strtol(argv[i + 1], &end, 10);
		if (errno != 0 || end == argv[i + 1] || *end != '\0' ||
		    n < o->min || n > o->max) {
			fprintf(stderr, "arborctl: bench-data: %s wants a "
			    "number from %ld to %ld\n", o->name, o->min,
			    o->max);
			return -1;
		}
		*bench_field(spec, o) = n;
	}
	return 0;
}

/* What bench-data added, and one of each kind for a benchmark to search
 * for, as "example KEY=VALUE" lines. */
static void
bench_print(const struct seed_bench_spec *spec, const struct seed_bench *b,
    double seconds)
{
	printf("bench data: %ld customers (%ld wide, %ld deep), %ld users "
	    "and %ld devices added under %s, spread over %zu customers, in "
	    "%.1f s (password %s)\n", spec->customers, spec->width,
	    spec->depth, spec->users, spec->devices, b->account, b->spread,
	    seconds, SEED_DEMO_PASSWORD);
	if (!b->analyzed)
		fputs("arborctl: ANALYZE failed (the data is in)\n", stderr);
	if (b->email != NULL)
		printf("example email=%s\n", b->email);
	if (b->last_name != NULL)
		printf("example last_name=%s users=%ld\n", b->last_name,
		    b->last_name_users);
	if (b->unit_id != NULL)
		printf("example unit_id=%s\nexample device_id=%s\n"
		    "example device_text=%s devices=%ld\n", b->unit_id,
		    b->device_id, b->device_text, b->device_text_devices);
}

/*
 * Benchmark data under the demo account, added in one transaction (see
 * seed_bench()); argv holds the options.
 */
static int
cmd_bench_data(int argc, char *argv[])
{
	struct seed_bench_spec spec;
	struct timespec t0, t1;
	struct seed_bench b;
	struct viewer v;
	struct app app;
	int rc;

	if (bench_options_read(argc, argv, &spec) != 0)
		return 2;
	spec.schema = schema_sql;
	if (open_viewer(&app, &v) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = seed_result(seed_bench(&v, &spec, &b), "benchmark data", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0)
		bench_print(&spec, &b, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	close_viewer(&app, &v);
	return rc;
}

/* ---------------------------------------------- database care (issue 18) */

/* A finding of the check as one line: table, row id and what. */
static void
print_finding(void *ctx, const char *table, int64_t row, const char *what)
{
	(void)ctx;
	if (row != 0)
		printf("%s %lld: %s\n", table, (long long)row, what);
	else
		printf("%s: %s\n", table, what);
}

/* arborctl check: "ok" (exit 0), or each finding (exit 1). */
static int
cmd_check(void)
{
	struct config cfg;
	struct db db;
	long found;

	if (open_work(&cfg, &db) != 0)
		return 1;
	found = dbcheck_run(&db, print_finding, NULL);
	if (found == 0)
		puts("ok");
	else if (found > 0)
		fprintf(stderr, "arborctl: %s: %ld finding%s\n", database_name(&cfg),
		    found, found == 1 ? "" : "s");
	else
		fprintf(stderr, "arborctl: %s: the check could not read all of "
		    "the database (its findings are above)\n",
		    database_name(&cfg));
	db_close(&db);
	config_free(&cfg);
	return found == 0 ? 0 : 1;
}

/* arborctl backup FILE: the live database into the new file. */
static int
cmd_backup(const char *path)
{
	struct config cfg;
	struct db db;
	char err[1024];
	int pages = 0, rc;
	long long bytes = 0;

	if (open_work(&cfg, &db) != 0)
		return 1;
	if (cfg.engine == ENGINE_POSTGRESQL) {
		if ((rc = backup_write_postgresql(cfg.database_url, path, &bytes,
		    err, sizeof(err))) == 0)
			printf("%s copied to %s (a pg_dump archive of %lld "
			    "bytes, mode 0600, read back whole)\n",
			    database_name(&cfg), path, bytes);
	} else if ((rc = backup_write(&db, path, &pages, err,
	    sizeof(err))) == 0)
		printf("%s copied to %s (%d pages, mode 0600, integrity ok)\n",
		    database_name(&cfg), path, pages);
	if (rc != 0)
		fprintf(stderr, "arborctl: backup: %s\n", err);
	db_close(&db);
	config_free(&cfg);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (sodium_init() < 0) {
		fputs("arborctl: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "init") == 0)
		return cmd_schema(true);
	if (argc == 2 && strcmp(argv[1], "migrate") == 0)
		return cmd_schema(false);
	if (argc == 2 && strcmp(argv[1], "demo") == 0)
		return cmd_demo();
	if (argc == 5 && strcmp(argv[1], "operator") == 0 &&
	    strcmp(argv[2], "add") == 0)
		return cmd_password(argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "passwd") == 0)
		return cmd_password(argv[2], NULL);
	if (argc == 5 && strcmp(argv[1], "render") == 0)
		return cmd_render(argv[2], argv[3], argv[4]);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "mail") == 0 &&
	    strcmp(argv[2], "send") == 0 && (argc == 3 ||
	    strcmp(argv[3], "--loop") == 0))
		return cmd_mail_send(argc == 4);
	if (argc == 3 && strcmp(argv[1], "mail") == 0 &&
	    strcmp(argv[2], "status") == 0)
		return cmd_mail_status();
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "import") == 0 &&
	    (strcmp(argv[2], "users") == 0 || strcmp(argv[2], "accounts") ==
	    0) && (argc == 4 || strcmp(argv[4], "--dry-run") == 0))
		return cmd_import(argv[2][0] == 'a', argv[3], argc == 5);
	if (argc == 3 && strcmp(argv[1], "export") == 0 &&
	    (strcmp(argv[2], "users") == 0 || strcmp(argv[2], "accounts") ==
	    0))
		return cmd_export(argv[2][0] == 'a');
	if (argc == 2 && strcmp(argv[1], "check") == 0)
		return cmd_check();
	if (argc == 3 && strcmp(argv[1], "backup") == 0)
		return cmd_backup(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "bench-data") == 0)
		return cmd_bench_data(argc - 2, argv + 2);
	return usage();
}
