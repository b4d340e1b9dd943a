/*
 * config.c - arbor.conf through libinih, with defaults and range checks.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

struct loader {
	struct config *c;
	const char *dir;	/* directory of the file, for relative paths */
	char err[256];
};

enum kind { K_PATH, K_STRING, K_INT, K_ENGINE };

struct setting {
	const char *section;
	const char *name;
	enum kind kind;
	size_t offset;
	int min, max;		/* K_INT only */
};

#define S(sec, nm, k, field, lo, hi) \
	{ sec, nm, k, offsetof(struct config, field), lo, hi }
/* A setting's older name, still read: files written before there was a
 * choice of engine name SQLite's file [server] database. */
#define OLDER_NAME(sec, nm, k, field) S(sec, nm, k, field, 0, 0)

static const struct setting settings[] = {
	S("database", "engine", K_ENGINE, engine, 0, 0),
	S("database", "path", K_PATH, database, 0, 0),
	S("database", "url", K_STRING, database_url, 0, 0),
	OLDER_NAME("server", "database", K_PATH, database),
	S("server", "keys", K_PATH, keys, 0, 0),
	S("server", "templates", K_PATH, templates, 0, 0),
	S("server", "base_url", K_STRING, base_url, 0, 0),
	S("session", "idle_minutes", K_INT, session_idle_minutes, 1, 24 * 60),
	S("session", "absolute_hours", K_INT, session_absolute_hours, 1, 24 * 30),
	S("session", "max_per_user", K_INT, session_max_per_user, 1, 10000),
	S("login", "max_failures", K_INT, login_max_failures, 1, 1000),
	S("login", "window_minutes", K_INT, login_window_minutes, 1, 24 * 60),
	S("login", "max_lockout_minutes", K_INT, login_max_lockout_minutes, 1, 24 * 60),
	S("login", "max_failures_per_ip", K_INT, login_max_failures_per_ip, 1, 100000),
	S("login", "max_attempts_per_ip_minute", K_INT,
	    login_max_attempts_per_ip_minute, 1, 100000),
	S("login", "max_password_checks", K_INT, login_max_password_checks, 1, 1000),
	S("login", "max_taken_per_ip", K_INT, login_max_taken_per_ip, 1, 100000),
	S("signup", "max_per_ip_hour", K_INT, signup_max_per_ip_hour, 1, 1000000),
	S("signup", "max_mails_per_address_hour", K_INT,
	    signup_max_mails_per_address_hour, 1, 1000),
	S("mail", "spool", K_PATH, mail_spool, 0, 0),
	S("mail", "from", K_STRING, mail_from, 0, 0),
	S("mail", "smtp_url", K_STRING, smtp_url, 0, 0),
	S("mail", "smtp_user", K_STRING, smtp_user, 0, 0),
	S("mail", "smtp_password", K_STRING, smtp_password, 0, 0),
	S("plans", "names", K_STRING, plans, 0, 0),
};

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		perror("strdup");
		abort();
	}
	return p;
}

static char *
resolve(const char *dir, const char *value)
{
	char *p;

	if (value[0] == '/' || value[0] == '\0')
		return xstrdup(value);
	if (asprintf(&p, "%s/%s", dir, value) < 0) {
		perror("asprintf");
		abort();
	}
	return p;
}

static void
set_string(char **field, char *value)
{
	free(*field);
	*field = value;
}

static int
on_setting(void *user, const char *section, const char *name,
    const char *value)
{
	struct loader *l = user;
	const struct setting *s;
	char *end;
	long n;
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		s = &settings[i];
		if (strcasecmp(s->section, section) != 0 ||
		    strcasecmp(s->name, name) != 0)
			continue;
		switch (s->kind) {
		case K_PATH:
			set_string((char **)((char *)l->c + s->offset),
			    resolve(l->dir, value));
			return 1;
		case K_STRING:
			set_string((char **)((char *)l->c + s->offset),
			    xstrdup(value));
			return 1;
		case K_INT:
			errno = 0;
			n = strtol(value, &end, 10);
			if (errno != 0 || end == value || *end != '\0' ||
			    n < s->min || n > s->max) {
				snprintf(l->err, sizeof(l->err),
				    "[%s] %s: want a number from %d to %d",
				    section, name, s->min, s->max);
				return 0;
			}
			*(int *)((char *)l->c + s->offset) = (int)n;
			return 1;
		case K_ENGINE:
			if (strcmp(value, "sqlite") == 0)
				l->c->engine = ENGINE_SQLITE;
			else if (strcmp(value, "postgresql") == 0)
				l->c->engine = ENGINE_POSTGRESQL;
			else {
				snprintf(l->err, sizeof(l->err), "[%s] %s: want "
				    "sqlite or postgresql", section, name);
				return 0;
			}
			return 1;
		}
	}
	snprintf(l->err, sizeof(l->err), "unknown setting [%s] %s",
	    section, name);
	return 0;
}

static void
config_defaults(struct config *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	c->engine = ENGINE_SQLITE;
	c->database = resolve(dir, "var/arbor.db");
	c->database_url = xstrdup("");
	c->keys = resolve(dir, "var/arbor.keys");
	c->templates = resolve(dir, "templates");
	c->base_url = xstrdup("http://127.0.0.1:8080");
	c->session_idle_minutes = 30;
	c->session_absolute_hours = 12;
	/* a browser per device and some to spare; more is a script */
	c->session_max_per_user = 20;
	c->login_max_failures = 5;
	c->login_window_minutes = 15;
	c->login_max_lockout_minutes = 15;
	/* one address may be a whole office behind NAT: a higher bar */
	c->login_max_failures_per_ip = 50;
	/* every sign-in costs argon2id (~50 ms, 64 MiB): one a second
	 * on average per address, a whole office's morning included */
	c->login_max_attempts_per_ip_minute = 60;
	c->login_max_password_checks = 5;
	/* an administrator mistypes now and then; a script probing for
	 * addresses in use does it all the time */
	c->login_max_taken_per_ip = 20;
	/* a person signs up once or twice; a script tries addresses */
	c->signup_max_per_ip_hour = 30;
	/* the invitation, a resend or two: more is a mailbox flooded */
	c->signup_max_mails_per_address_hour = 3;
	c->mail_spool = resolve(dir, "var/mail");
	c->mail_from = xstrdup("Arbor <no-reply@arbor.invalid>");
	c->smtp_url = xstrdup("");
	c->smtp_user = xstrdup("");
	c->smtp_password = xstrdup("");
	c->plans = xstrdup("");
}

int
config_load(struct config *c, char *err, size_t errlen)
{
	const char *path = getenv("ARBOR_CONF");
	struct loader l;
	char *abs, *dir;
	int rc;

	memset(c, 0, sizeof(*c));
	if (path == NULL || *path == '\0')
		path = "arbor.conf";
	abs = realpath(path, NULL);
	if (abs == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	dir = xstrdup(abs);
	*strrchr(dir, '/') = '\0';	/* realpath() is absolute: a '/' exists */
	config_defaults(c, *dir == '\0' ? "/" : dir);
	c->path = abs;
	l.c = c;
	l.dir = *dir == '\0' ? "/" : dir;
	l.err[0] = '\0';
	rc = ini_parse(abs, on_setting, &l);
	free(dir);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "%s:%d: %s", path, rc,
			    l.err[0] ? l.err : "syntax error");
		else
			snprintf(err, errlen, "%s: cannot read", path);
		config_free(c);
		return -1;
	}
	if (c->engine == ENGINE_POSTGRESQL && c->database_url[0] == '\0') {
		snprintf(err, errlen, "%s: [database] engine = postgresql "
		    "needs [database] url (a libpq connection string)", path);
		config_free(c);
		return -1;
	}
	return 0;
}

void
config_free(struct config *c)
{
	size_t i;
	char **field;

	/* a field two names share ([server] database) is freed once: the
	 * first free leaves NULL behind */
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (settings[i].kind == K_PATH ||
		    settings[i].kind == K_STRING) {
			field = (char **)((char *)c + settings[i].offset);
			free(*field);
			*field = NULL;
		}
	free(c->path);
	memset(c, 0, sizeof(*c));
}
