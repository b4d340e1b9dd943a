/*
 * config.h - arbor.conf, read once per process.
 *
 * An INI file (parsed by Debian's libinih) with every setting the
 * workers and arborctl share. Relative paths are resolved against the
 * directory that holds the file, so `make run` and a systemd unit can
 * use the same file from any working directory.
 */
#ifndef ARBOR_CONFIG_H
#define ARBOR_CONFIG_H

#include <stddef.h>

/* [database] engine */
enum config_engine {
	ENGINE_SQLITE,		/* the default: one file, no server */
	ENGINE_POSTGRESQL	/* a server that several app nodes share */
};

struct config {
	char *path;		/* the file read */
	enum config_engine engine;	/* [database] engine */
	char *database;		/* [database] path (its older name:
				 * [server] database): SQLite's file */
	char *database_url;	/* [database] url: PostgreSQL's libpq
				 * connection string */
	char *keys;		/* [server] keys: the 0600 key file */
	char *templates;	/* [server] templates */
	char *base_url;		/* [server] base_url: for links in mail */
	int session_idle_minutes;	/* [session] idle_minutes */
	int session_absolute_hours;	/* [session] absolute_hours */
	int session_max_per_user;	/* [session] max_per_user */
	int login_max_failures;		/* [login] max_failures */
	int login_window_minutes;	/* [login] window_minutes */
	int login_max_lockout_minutes;	/* [login] max_lockout_minutes */
	int login_max_failures_per_ip;	/* [login] max_failures_per_ip */
	int login_max_attempts_per_ip_minute;
				/* [login] max_attempts_per_ip_minute */
	int login_max_password_checks;	/* [login] max_password_checks */
	int login_max_taken_per_ip;	/* [login] max_taken_per_ip */
	int signup_max_per_ip_hour;	/* [signup] max_per_ip_hour */
	int signup_max_mails_per_address_hour;
				/* [signup] max_mails_per_address_hour */
	char *mail_spool;	/* [mail] spool: folder for .eml files */
	char *mail_from;	/* [mail] from */
	char *smtp_url;		/* [mail] smtp_url: empty = spool */
	char *smtp_user;	/* [mail] smtp_user */
	char *smtp_password;	/* [mail] smtp_password */
	char *plans;		/* [plans] names: the plans an account
				 * profile offers, comma-separated */
};

/*
 * Read the file named by $ARBOR_CONF (default ./arbor.conf). Returns 0,
 * or -1 with a message in err (at most errlen bytes). An unknown key is
 * an error: a misspelt setting must not be silently ignored.
 */
int config_load(struct config *c, char *err, size_t errlen);

/* Free what config_load allocated. */
void config_free(struct config *c);

#endif
