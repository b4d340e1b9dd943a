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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "buf.h"
#include "customer.h"
#include "db.h"
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
	    "       arborctl render TEMPLATE_DIR NAME DATA.json\n", stderr);
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

/* A password from stdin that passes the policy, hashed into hash. */
static int
new_password_hash(const char *username, const char *email,
    char hash[crypto_pwhash_STRBYTES])
{
	char *pw = read_password();
	const char *why;
	int rc = -1;

	if (pw == NULL) {
		fputs("arborctl: no password on standard input\n", stderr);
		return -1;
	}
	why = password_policy(pw, username, email);
	if (why != NULL)
		fprintf(stderr, "arborctl: %s\n", why);
	else if (password_hash(pw, hash) != 0)
		fputs("arborctl: out of memory hashing the password\n", stderr);
	else
		rc = 0;
	sodium_memzero(pw, strlen(pw));
	free(pw);
	return rc;
}

static int
cmd_operator_add(const char *username, const char *email)
{
	char hash[crypto_pwhash_STRBYTES];
	struct user_fields f = { 0 };
	struct config cfg;
	struct db db;
	int rc = 1;

	if (load_config(&cfg) != 0)
		return 1;
	if (open_db(&db, &cfg, DB_SERVE) != 0)
		goto out;
	if (strlen(username) < 1 || strlen(username) > 64 ||
	    strchr(email, '@') == NULL) {
		fputs("arborctl: want a username of 1 to 64 characters and "
		    "an e-mail address\n", stderr);
		goto close;
	}
	if (new_password_hash(username, email, hash) != 0)
		goto close;
	f.is_operator = true;
	f.email = email;
	f.username = username;
	f.password_hash = hash;
	f.active = true;
	f.groups = GROUP_ALL;
	if (db_begin(&db) != 0 || user_create(&db, time(NULL), &f) == 0 ||
	    db_commit(&db) != 0) {
		fprintf(stderr, "arborctl: %s\n", db_is_constraint(&db) ?
		    "that username or e-mail is taken" :
		    "the database refused the change");
		db_rollback(&db);
		goto close;
	}
	printf("operator %s added\n", username);
	rc = 0;
close:
	db_close(&db);
out:
	config_free(&cfg);
	return rc;
}

static int
cmd_passwd(const char *username)
{
	char hash[crypto_pwhash_STRBYTES];
	struct arena *a = arena_new();
	struct config cfg;
	struct user *u;
	struct db db;
	sqlite3_stmt *s;
	int rc = 1;

	if (load_config(&cfg) != 0) {
		arena_free(a);
		return 1;
	}
	if (open_db(&db, &cfg, DB_SERVE) != 0)
		goto out;
	s = db_stmt(&db, STMT_USER_ID_BY_USERNAME);
	db_bind_text(s, ":username", username);
	u = db_step(&db, s) == SQLITE_ROW ?
	    user_load(&db, a, sqlite3_column_int64(s, 0)) : NULL;
	if (u == NULL) {
		fprintf(stderr, "arborctl: no user %s\n", username);
		goto close;
	}
	if (new_password_hash(u->username, u->email, hash) != 0)
		goto close;
	if (db_begin(&db) != 0)
		goto fail;
	s = db_stmt(&db, STMT_USER_SET_PASSWORD);
	db_bind_text(s, ":hash", hash);
	db_bind_int(s, ":must_change", 0);
	db_bind_int(s, ":now", time(NULL));
	db_bind_int(s, ":id", u->id);
	if (db_exec(&db, s) != 0)
		goto fail;
	/* a new password ends every session opened with the old one */
	s = db_stmt(&db, STMT_SESSION_DELETE_USER);
	db_bind_int(s, ":user_id", u->id);
	db_bind_int(s, ":keep", 0);
	if (db_exec(&db, s) != 0 || db_commit(&db) != 0)
		goto fail;
	printf("password of %s changed; their sessions ended\n", username);
	rc = 0;
	goto close;
fail:
	db_rollback(&db);
	fputs("arborctl: the database refused the change\n", stderr);
close:
	db_close(&db);
out:
	config_free(&cfg);
	arena_free(a);
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

static int
cmd_demo(void)
{
	int64_t ids[NELEM(demo_customers)], now = time(NULL);
	char hash[crypto_pwhash_STRBYTES];
	struct user_fields uf;
	struct config cfg;
	struct db db;
	sqlite3_stmt *s;
	size_t i;
	int rc = 1;

	if (load_config(&cfg) != 0)
		return 1;
	if (open_db(&db, &cfg, DB_SERVE) != 0)
		goto out;
	s = db_stmt(&db, STMT_USER_COUNT);
	if (db_step(&db, s) != SQLITE_ROW || sqlite3_column_int64(s, 0) > 0) {
		fputs("arborctl: the database already has users; demo data "
		    "goes into a new database only\n", stderr);
		goto close;
	}
	sqlite3_reset(s);
	if (password_hash(DEMO_PASSWORD, hash) != 0 || db_begin(&db) != 0)
		goto fail;
	for (i = 0; i < NELEM(demo_customers); i++) {
		ids[i] = customer_create(&db, now, demo_customers[i].parent < 0 ?
		    0 : ids[demo_customers[i].parent], &demo_customers[i].f);
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
		if (user_create(&db, now, &uf) == 0)
			goto fail;
	}
	if (db_commit(&db) != 0)
		goto fail;
	printf("demo data added; every demo user's password is %s\n",
	    DEMO_PASSWORD);
	for (i = 0; i < NELEM(demo_users); i++)
		printf("  %-14s %s\n", demo_users[i].username,
		    demo_users[i].what);
	rc = 0;
	goto close;
fail:
	db_rollback(&db);
	fputs("arborctl: could not add the demo data\n", stderr);
close:
	db_close(&db);
out:
	config_free(&cfg);
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
		return cmd_operator_add(argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "passwd") == 0)
		return cmd_passwd(argv[2]);
	if (argc == 5 && strcmp(argv[1], "render") == 0)
		return cmd_render(argv[2], argv[3], argv[4]);
	return usage();
}
