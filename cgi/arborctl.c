/*
 * arborctl.c - the command line: set-up, demo data, operators,
 * passwords and template previews, on the same arbor.conf and database
 * as the workers.
 *
 *   arborctl init                        schema (or migrations) and keys
 *   arborctl demo                        demo customers and users
 *   arborctl operator add USERNAME EMAIL password from standard input
 *   arborctl passwd USERNAME             password from standard input
 *   arborctl render DIR NAME DATA.json   print a rendered template
 *   arborctl mail send [--loop]          deliver the mail queue (once, or
 *                                        every few seconds until SIGTERM)
 *   arborctl mail status                 what is queued, failures
 *   arborctl bench-data USERS CUSTOMERS  benchmark customers and users
 *   arborctl bench-devices DEVICES       benchmark devices over them
 */
#include <errno.h>
#include <signal.h>
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
#include "buf.h"
#include "check.h"
#include "customer.h"
#include "db.h"
#include "device.h"
#include "mail.h"
#include "perm.h"
#include "tmpl.h"
#include "tval.h"
#include "tval_json.h"
#include "user.h"

#define DEMO_PASSWORD "arbor-demo-password"

static int
usage(void)
{
	fputs("usage: arborctl init\n"
	    "       arborctl demo\n"
	    "       arborctl operator add USERNAME EMAIL  (password on stdin)\n"
	    "       arborctl passwd USERNAME              (password on stdin)\n"
	    "       arborctl render TEMPLATE_DIR NAME DATA.json\n"
	    "       arborctl mail send [--loop]\n"
	    "       arborctl mail status\n"
	    "       arborctl bench-data USERS CUSTOMERS\n"
	    "       arborctl bench-devices DEVICES\n", stderr);
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

static int
open_db(struct db *db, const struct config *cfg, enum db_open_mode mode)
{
	char err[512];

	if (db_open(db, cfg->database, mode, err, sizeof(err)) != 0) {
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

static int
cmd_init(void)
{
	struct config cfg;
	struct db db;
	char err[512];
	int rc = 1;

	if (load_config(&cfg) != 0)
		return 1;
	if (access(cfg.keys, F_OK) != 0) {
		if (keys_create(cfg.keys, err, sizeof(err)) != 0) {
			fprintf(stderr, "arborctl: %s\n", err);
			goto out;
		}
		printf("created key file %s (mode 0600)\n", cfg.keys);
	}
	if (open_db(&db, &cfg, DB_INIT) != 0)
		goto out;
	if (db_init_schema(&db, schema_sql, err, sizeof(err)) != 0)
		fprintf(stderr, "arborctl: %s\n", err);
	else {
		printf("database %s is at schema version %d\n", cfg.database,
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
	struct arena *a;
	struct app app;
	char *pw;
	int rc = 1;

	memset(&app, 0, sizeof(app));
	if (open_work(&app.cfg, &app.db) != 0)
		return 1;
	a = arena_new();
	perm_viewer(&v, &app, a, time(NULL), ORIGIN_CLI, NULL, NULL);
	if ((pw = read_password()) == NULL)
		fputs("arborctl: no password on standard input\n", stderr);
	else if (email != NULL)
		rc = password_result(user_add_operator(&v, username, email, pw,
		    &e), &e, arena_printf(a, "operator %s added", username));
	else
		rc = password_result(user_passwd(&v, username, pw, &e), &e,
		    arena_printf(a, "password of %s changed; their sessions "
		    "ended and their links voided", username));
	if (pw != NULL) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
	arena_free(a);
	db_close(&app.db);
	config_free(&app.cfg);
	return rc;
}

/* The demo tree: each customer names its parent by index (-1: none). */
static const struct demo_customer {
	int parent;
	struct customer_fields f;
} demo_customers[] = {
	{ -1, { "Northwind Fleet", "fleet@northwind.example",
	    "owner@northwind.example", "DK", "Europe/Copenhagen", "24h",
	    "metric", false } },
	{ 0, { "Northwind Denmark", "denmark@northwind.example", NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false } },
	{ 1, { "Aarhus", "aarhus@northwind.example", NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false } },
	{ 0, { "Northwind Sweden", "sweden@northwind.example", NULL, "SE",
	    "Europe/Stockholm", "24h", "metric", false } },
	{ -1, { "Contoso Charging", "ops@contoso.example",
	    "owner@contoso.example", "US", "America/New_York", "12h",
	    "imperial", false } },
};

static const struct demo_user {
	int customer;		/* index in demo_customers, -1: operator */
	const char *username;
	const char *email;
	const char *full_name;
	unsigned groups;
	bool active;
	const char *what;
} demo_users[] = {
	{ -1, "operator", "operator@arbor.example", "Platform Operator",
	  GROUP_ALL, true, "platform operator, sees every account" },
	{ 0, "admin", "admin@northwind.example", "Nora Admin", GROUP_ALL,
	  true, "all groups on Northwind Fleet" },
	{ 1, "dk.admin", "dk.admin@northwind.example", "Dan Jensen",
	  GROUP_ACCOUNT_ADMIN, true, "Account Administrator of Northwind "
	  "Denmark" },
	{ 2, "driver", "driver@northwind.example", "Dina Driver", 0, true,
	  "no groups, Aarhus" },
	{ 3, "se.user", "se.user@northwind.example", "Sven User",
	  GROUP_FULL_DEVICE_ACCESS, true, "Full Device Access, Northwind "
	  "Sweden" },
	{ 0, "former", "former@northwind.example", "Former Employee",
	  GROUP_ACCOUNT_ADMIN, false, "inactive: cannot log in" },
	{ 4, "contoso.admin", "admin@contoso.example", "Carla Contoso",
	  GROUP_ALL, true, "all groups on Contoso Charging" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Demo locations (customer index, name) and devices (unit id, name,
 * vehicle, customer index, location index or -1). driver works at the
 * first location, so the location restriction can be seen in the demo. */
static const struct demo_location {
	int customer;
	const char *name;
} demo_locations[] = {
	{ 2, "North Terminal" },
	{ 1, "Central Garage" },
	{ 3, "Stockholm Hub" },
};

static const struct demo_device {
	const char *unit_id;
	const char *name;
	const char *vehicle;
	int customer;
	int location;
} demo_devices[] = {
	{ "NW-100001", "Tracker 1", "Van 11", 0, -1 },
	{ "NW-100002", "Tracker 2", "Van 12", 1, 1 },
	{ "NW-100003", "Tracker 3", "Truck 31", 2, 0 },
	{ "NW-100004", "Tracker 4", "Truck 32", 2, -1 },
	{ "NW-100005", "Charger A", "", 3, 2 },
	{ "CT-200001", "Charger 1", "", 4, -1 },
};



/* The demo locations and devices, in the caller's transaction (v:
 * arborctl itself). */
static int
demo_places(const struct viewer *v, const int64_t *customers)
{
	int64_t locations[NELEM(demo_locations)];
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_input in;
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < NELEM(demo_locations); i++) {
		s = db_stmt(v->db, STMT_LOCATION_INSERT);
		db_bind_int(s, ":customer_id",
		    customers[demo_locations[i].customer]);
		db_bind_text(s, ":name", demo_locations[i].name);
		db_bind_int(s, ":now", v->now);
		if (db_exec(v->db, s) != 0)
			return -1;
		locations[i] = db_last_id(v->db);
	}
	s = db_stmt(v->db, STMT_USER_LOCATION_ADD);
	db_bind_int(s, ":user_id", user_id_by_username(v->db, "driver"));
	db_bind_int(s, ":location_id", locations[0]);
	if (db_exec(v->db, s) != 0)
		return -1;
	for (i = 0; i < NELEM(demo_devices); i++) {
		in.unit_id = demo_devices[i].unit_id;
		in.name = demo_devices[i].name;
		in.vehicle_name = demo_devices[i].vehicle;
		in.vin = "";
		in.customer_id = customers[demo_devices[i].customer];
		in.location_id = demo_devices[i].location < 0 ? 0 :
		    locations[demo_devices[i].location];
		if (device_insert(v, &in, uuid) == 0)
			return -1;
	}
	return 0;
}

static int
cmd_demo(void)
{
	int64_t ids[NELEM(demo_customers)], now = time(NULL);
	char hash[crypto_pwhash_STRBYTES];
	struct user_fields uf;
	struct viewer v;
	struct arena *a;
	struct app app;
	sqlite3_stmt *s;
	size_t i;
	int rc = 1;

	memset(&app, 0, sizeof(app));
	if (open_work(&app.cfg, &app.db) != 0)
		return 1;
	a = arena_new();
	perm_viewer(&v, &app, a, now, ORIGIN_CLI, NULL, NULL);
	s = db_stmt(&app.db, STMT_USER_COUNT);
	if (db_step(&app.db, s) != SQLITE_ROW ||
	    sqlite3_column_int64(s, 0) > 0) {
		fputs("arborctl: the database already has users; demo data "
		    "goes into a new database only\n", stderr);
		goto close;
	}
	sqlite3_reset(s);
	if (password_hash(DEMO_PASSWORD, hash) != 0 || db_begin(&app.db) != 0)
		goto fail;
	for (i = 0; i < NELEM(demo_customers); i++) {
		ids[i] = customer_create(&app.db, now,
		    demo_customers[i].parent < 0 ? 0 :
		    ids[demo_customers[i].parent], &demo_customers[i].f);
		if (ids[i] == 0)
			goto fail;
	}
	for (i = 0; i < NELEM(demo_users); i++) {
		memset(&uf, 0, sizeof(uf));
		uf.is_operator = demo_users[i].customer < 0;
		uf.customer_id = uf.is_operator ? 0 :
		    ids[demo_users[i].customer];
		uf.email = demo_users[i].email;
		uf.username = demo_users[i].username;
		uf.full_name = demo_users[i].full_name;
		uf.password_hash = hash;
		uf.active = demo_users[i].active;
		uf.groups = demo_users[i].groups;
		if (user_create(&app.db, now, &uf) == 0)
			goto fail;
	}
	if (demo_places(&v, ids) != 0 || db_commit(&app.db) != 0)
		goto fail;
	printf("demo data added; every demo user's password is %s\n",
	    DEMO_PASSWORD);
	for (i = 0; i < NELEM(demo_users); i++)
		printf("  %-14s %s\n", demo_users[i].username,
		    demo_users[i].what);
	rc = 0;
	goto close;
fail:
	db_rollback(&app.db);
	fputs("arborctl: could not add the demo data\n", stderr);
close:
	arena_free(a);
	db_close(&app.db);
	config_free(&app.cfg);
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

	json = json_load_file(data_path, 0, &jerr);
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
	struct config cfg;
	struct db db;
	sqlite3_stmt *s;
	int64_t unsent = 0, failing = 0, sent = 0;
	int rc = 1, step;

	if (open_work(&cfg, &db) != 0)
		return 1;
	s = db_stmt(&db, STMT_MAIL_SENT_COUNT);
	if (db_step(&db, s) == SQLITE_ROW)
		sent = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	printf("delivery: %s\n", cfg.smtp_url[0] ? cfg.smtp_url : cfg.mail_spool);
	s = db_stmt(&db, STMT_MAIL_PENDING);
	while ((step = db_step(&db, s)) == SQLITE_ROW) {
		if (unsent++ == 0)
			printf("%-6s %-8s %-19s %-19s %s\n", "id", "attempts",
			    "created (UTC)", "next try (UTC)", "recipient");
		failing += sqlite3_column_int64(s, 3) > 0;
		printf("%-6lld %-8lld %-19s %-19s %s\n",
		    (long long)sqlite3_column_int64(s, 0),
		    (long long)sqlite3_column_int64(s, 3),
		    utc_text(made, sizeof(made), sqlite3_column_int64(s, 6)),
		    utc_text(when, sizeof(when), sqlite3_column_int64(s, 4)),
		    (const char *)sqlite3_column_text(s, 1));
		if (sqlite3_column_bytes(s, 5) > 0)
			printf("       last error: %s\n",
			    (const char *)sqlite3_column_text(s, 5));
	}
	sqlite3_reset(s);
	if (step == SQLITE_DONE) {
		printf("%lld queued (%lld of them failed before), %lld sent\n",
		    (long long)unsent, (long long)failing, (long long)sent);
		rc = 0;
	}
	db_close(&db);
	config_free(&cfg);
	return rc;
}

/* A whole number in 1..max, or 0. */
static long
count_arg(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > max)
		return 0;
	return n;
}

/* Customers per parent in the benchmark tree, and its deepest level
 * below the account. */
#define BENCH_FANOUT 8
#define BENCH_DEPTH 5

/* The demo account's administrator, whose account the benchmark data
 * goes into; NULL (with a message) when there is no demo data. */
static struct user *
demo_admin(struct db *db, struct arena *a)
{
	int64_t uid = user_id_by_username(db, "admin");
	struct user *admin = uid ? user_load(db, a, uid) : NULL;

	if (admin == NULL || admin->customer_id == 0) {
		fputs("arborctl: no demo account: run `arborctl demo` first\n",
		    stderr);
		return NULL;
	}
	return admin;
}

/*
 * Benchmark data under the demo account "Northwind Fleet" (admin's
 * customer): ncust customers in a tree BENCH_FANOUT wide and at most
 * BENCH_DEPTH deep, and nusers users spread over them round-robin, all
 * sharing one password hash (the demo password), in one transaction.
 */
static int
cmd_bench_data(const char *users_arg, const char *cust_arg)
{
	long nusers = count_arg(users_arg, 10000000);
	long ncust = count_arg(cust_arg, 1000000);
	char hash[crypto_pwhash_STRBYTES], name[64], email[96], full[64];
	struct arena *a = NULL;
	struct customer_fields cf = { NULL, NULL, NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false };
	struct user_fields uf;
	struct config cfg;
	struct user *admin;
	struct db db;
	sqlite3_stmt *s;
	int64_t *ids = NULL, *depth = NULL, root, now = time(NULL), uid;
	long i, p;
	int rc = 1;

	if (nusers == 0 || ncust == 0) {
		fputs("arborctl: bench-data wants USERS (1 to 10000000) and "
		    "CUSTOMERS (1 to 1000000)\n", stderr);
		return 2;
	}
	if (open_work(&cfg, &db) != 0)
		return 1;
	a = arena_new();
	if ((admin = demo_admin(&db, a)) == NULL)
		goto close;
	if (user_id_by_username(&db, "bench.u0000001") != 0) {
		fputs("arborctl: this database has benchmark data already\n",
		    stderr);
		goto close;
	}
	root = admin->customer_id;
	ids = calloc((size_t)ncust, sizeof(*ids));
	depth = calloc((size_t)ncust, sizeof(*depth));
	if (ids == NULL || depth == NULL || password_hash(DEMO_PASSWORD,
	    hash) != 0 || db_begin(&db) != 0)
		goto fail;
	for (i = 0; i < ncust; i++) {
		/* 0..7 under the account, then 8 under each, breadth first */
		p = i < BENCH_FANOUT ? -1 : i / BENCH_FANOUT - 1;
		if (p >= 0 && depth[p] >= BENCH_DEPTH)
			p = i % BENCH_FANOUT;
		depth[i] = p < 0 ? 1 : depth[p] + 1;
		snprintf(name, sizeof(name), "Bench customer %06ld", i + 1);
		snprintf(email, sizeof(email), "bench.c%06ld@bench.example",
		    i + 1);
		cf.name = name;
		cf.email = email;
		ids[i] = customer_create(&db, now, p < 0 ? root : ids[p], &cf);
		if (ids[i] == 0)
			goto fail;
	}
	for (i = 0; i < nusers; i++) {
		memset(&uf, 0, sizeof(uf));
		snprintf(name, sizeof(name), "bench.u%07ld", i + 1);
		snprintf(email, sizeof(email), "bench.u%07ld@bench.example",
		    i + 1);
		snprintf(full, sizeof(full), "Bench User %ld", i + 1);
		uf.customer_id = ids[i % ncust];
		uf.email = email;
		uf.username = name;
		uf.full_name = full;
		uf.password_hash = hash;
		uf.active = i % 20 != 19;
		uf.groups = i % 10 == 0 ? GROUP_FULL_DEVICE_ACCESS : 0;
		if ((uid = user_create(&db, now, &uf)) == 0)
			goto fail;
		if (i % 3 != 2) {
			s = db_stmt(&db, STMT_USER_SET_LAST_LOGIN);
			db_bind_int(s, ":id", uid);
			db_bind_int(s, ":now", now - (i * 7919) % (90 * 86400));
			if (db_exec(&db, s) != 0)
				goto fail;
		}
	}
	if (db_commit(&db) != 0)
		goto fail;
	/* statistics, so the planner knows how the tree and users spread */
	if (db_exec(&db, db_stmt(&db, STMT_ANALYZE)) != 0)
		fputs("arborctl: ANALYZE failed (the data is in)\n", stderr);
	printf("bench data: %ld customers and %ld users under %s (password "
	    "%s)\n", ncust, nusers, admin->customer_name, DEMO_PASSWORD);
	rc = 0;
	goto close;
fail:
	db_rollback(&db);
	fputs("arborctl: could not add the benchmark data\n", stderr);
close:
	free(ids);
	free(depth);
	arena_free(a);
	db_close(&db);
	config_free(&cfg);
	return rc;
}

/*
 * DEVICES devices spread round-robin over every customer of the demo
 * account (bench-data's customers included), in one transaction.
 */
static int
cmd_bench_devices(const char *devices_arg)
{
	long n = count_arg(devices_arg, 10000000), i;
	char unit[32], name[48], uuid[DEVICE_UUID_LEN + 1];
	int64_t *ids = NULL, now = time(NULL);
	struct arena *a = arena_new();
	struct device_input in;
	size_t nids = 0, cap = 0;
	struct user *admin;
	struct viewer v;
	struct scope sc;
	struct app app;
	sqlite3_stmt *s;
	int rc = 1;

	if (n == 0) {
		fputs("arborctl: bench-devices wants DEVICES (1 to 10000000)\n",
		    stderr);
		arena_free(a);
		return 2;
	}
	memset(&app, 0, sizeof(app));
	if (open_work(&app.cfg, &app.db) != 0) {
		arena_free(a);
		return 1;
	}
	if ((admin = demo_admin(&app.db, a)) == NULL)
		goto close;
	sc = perm_scope(admin, a);
	s = db_stmt(&app.db, STMT_CUSTOMER_IDS_UNDER);
	db_bind_text(s, ":path", sc.path);
	db_bind_text(s, ":path_end", sc.path_end);
	while (db_step(&app.db, s) == SQLITE_ROW) {
		if (nids == cap) {
			int64_t *grown;

			cap = cap ? cap * 2 : 1024;
			if ((grown = realloc(ids, cap * sizeof(*ids))) == NULL)
				goto close;
			ids = grown;
		}
		ids[nids++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (nids == 0 || db_begin(&app.db) != 0)
		goto fail;
	perm_viewer(&v, &app, a, now, ORIGIN_CLI, NULL, NULL);
	in.unit_id = unit;
	in.name = name;
	in.vehicle_name = in.vin = "";
	in.location_id = 0;
	for (i = 0; i < n; i++) {
		snprintf(unit, sizeof(unit), "BD%09ld", i + 1);
		snprintf(name, sizeof(name), "Bench device %ld", i + 1);
		in.customer_id = ids[(size_t)i % nids];
		v.now = now - i % 86400;	/* a day of registrations */
		if (device_insert(&v, &in, uuid) == 0)
			goto fail;
	}
	if (db_commit(&app.db) != 0)
		goto fail;
	if (db_exec(&app.db, db_stmt(&app.db, STMT_ANALYZE)) != 0)
		fputs("arborctl: ANALYZE failed (the data is in)\n", stderr);
	printf("bench devices: %ld over %zu customers\n", n, nids);
	rc = 0;
	goto close;
fail:
	db_rollback(&app.db);
	fputs("arborctl: could not add the benchmark devices\n", stderr);
close:
	free(ids);
	db_close(&app.db);
	config_free(&app.cfg);
	arena_free(a);
	return rc;
}

int
main(int argc, char *argv[])
{
	if (sodium_init() < 0) {
		fputs("arborctl: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "init") == 0)
		return cmd_init();
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
	if (argc == 3 && strcmp(argv[1], "bench-devices") == 0)
		return cmd_bench_devices(argv[2]);
	if (argc == 4 && strcmp(argv[1], "bench-data") == 0)
		return cmd_bench_data(argv[2], argv[3]);
	return usage();
}
