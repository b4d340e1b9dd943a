/*
 * backup.c - the online backup of the database (backup.h).
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db.h"
#include "dbcheck.h"

/* Pages per step (400 KiB of 4 KiB pages) and the nap between steps:
 * each step is a short read, and the naps leave the disk to the
 * workers. */
#define BACKUP_PAGES 100
#define BACKUP_NAP_NS (5 * 1000 * 1000)
/* Naps a step may find the databases busy before the backup gives up
 * (10 s). */
#define BACKUP_BUSY_MAX 2000

/* Take the partial copy at path and what SQLite may have left beside it
 * off the disk (all of them this backup's own: the name is mkstemp's). */
static void
remove_copy(const char *path)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	char side[4096];
	size_t i;

	unlink(path);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if ((size_t)snprintf(side, sizeof(side), "%s%s", path,
		    suffixes[i]) < sizeof(side))
			unlink(side);
}

/* The first finding of the copy's integrity check, into the err buffer
 * that ctx is (struct msg). */
struct msg {
	char *text;
	size_t len;
};

static void
first_finding(void *ctx, const char *table, int64_t row, const char *what)
{
	struct msg *m = ctx;

	(void)table;
	(void)row;
	if (m->text[0] == '\0')
		snprintf(m->text, m->len, "the copy fails SQLite's integrity "
		    "check: %s", what);
}

/* Step b to its end, BACKUP_PAGES at a time with a nap between steps:
 * SQLITE_DONE, or what stopped it (an error, or busy for too long). */
static int
step_all(sqlite3_backup *b)
{
	struct timespec nap = { 0, BACKUP_NAP_NS };
	int rc, busy = 0;

	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy >= BACKUP_BUSY_MAX)
				return rc;
		} else if (rc != SQLITE_OK)
			return rc;
		nanosleep(&nap, NULL);
	}
}

/*
 * Copy db into the empty database file path, from one snapshot: a read
 * transaction on db holds it for the whole copy, so a worker's commit
 * between two steps does not start the copy again (in WAL mode a reader
 * blocks no writer). 0 (*pages) or -1 with a message in err.
 */
static int
copy_pages(struct db *db, const char *path, int *pages, char *err,
    size_t errlen)
{
	sqlite3_backup *b;
	sqlite3 *copy = NULL;
	int done, rc = -1;

	if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, copy ?
		    sqlite3_errmsg(copy) : "out of memory");
		sqlite3_close(copy);
		return -1;
	}
	if (db_begin_read(db) != 0 ||
	    db_step(db, db_stmt(db, STMT_SCHEMA_VERSION_READ)) != DB_ROW)
		snprintf(err, errlen, "cannot read the database: %s",
		    sqlite3_errmsg(db->conn));
	else if ((b = sqlite3_backup_init(copy, "main", db->conn, "main")) ==
	    NULL)
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(copy));
	else {
		done = step_all(b);
		*pages = sqlite3_backup_pagecount(b);
		/* finish reports errors, not a copy left unfinished */
		if (sqlite3_backup_finish(b) != SQLITE_OK || done != SQLITE_DONE)
			snprintf(err, errlen, "copying to %s: %s", path,
			    sqlite3_errstr(done != SQLITE_DONE ? done :
			    sqlite3_errcode(copy)));
		else
			rc = 0;
	}
	db_reset_all(db);
	db_rollback(db);
	if (sqlite3_close(copy) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "%s: cannot close the copy", path);
		rc = -1;
	}
	return rc;
}

/* Open the copy at path as a worker would and check its integrity: 0,
 * or -1 with a message in err. */
static int
verify_copy(const char *path, char *err, size_t errlen)
{
	struct msg m = { err, errlen };
	struct db copy;
	long found;

	if (db_open(&copy, path, DB_SERVE, err, errlen) != 0)
		return -1;
	err[0] = '\0';
	found = dbcheck_integrity(&copy, first_finding, &m);
	if (found < 0)
		snprintf(err, errlen, "%s: the integrity check failed: %s",
		    path, sqlite3_errmsg(copy.conn));
	db_close(&copy);
	return found == 0 ? 0 : -1;
}

/* A file SQLite would take for the journal of a database at path,
 * left by another (it would be played into the copy), or NULL. */
static const char *
stale_journal(const char *path, char *name, size_t n)
{
	static const char *const suffixes[] = { "-wal", "-journal" };
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if ((size_t)snprintf(name, n, "%s%s", path, suffixes[i]) >= n ||
		    access(name, F_OK) == 0)
			return name;
	return NULL;
}

/* Flush the folder of path, so that a name linked in it lasts. */
static int
sync_folder(const char *path)
{
	char folder[4096];
	char *slash;
	int fd, rc;

	if ((size_t)snprintf(folder, sizeof(folder), "%s", path) >=
	    sizeof(folder))
		return -1;
	if ((slash = strrchr(folder, '/')) == NULL)
		strcpy(folder, ".");
	else if (slash == folder)
		folder[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* What fills a backup's private file (its name: partial) and checks
 * it: 0, or -1 with a message in err. */
typedef int (*backup_fill)(void *ctx, const char *partial, char *err,
    size_t errlen);

/*
 * The copy is made and checked under a private name beside path
 * (path.partial-XXXXXX, 0600 from mkstemp), then linked to path, which
 * fails rather than replace a file that appeared meanwhile. A backup
 * stopped half way (a signal, a full disk) thus never leaves a file at
 * path that could be taken for a whole copy.
 */
static int
publish(const char *path, backup_fill fill, void *ctx, char *err,
    size_t errlen)
{
	char partial[4096];
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0) {
		snprintf(err, errlen, "%s exists already (a backup never "
		    "overwrites a file)", path);
		return -1;
	}
	if ((size_t)snprintf(partial, sizeof(partial), "%s.partial-XXXXXX",
	    path) >= sizeof(partial)) {
		snprintf(err, errlen, "%s: the name is too long", path);
		return -1;
	}
	if ((fd = mkstemp(partial)) < 0) {
		snprintf(err, errlen, "%s: %s", partial, strerror(errno));
		return -1;
	}
	close(fd);
	if (fill(ctx, partial, err, errlen) != 0) {
		remove_copy(partial);
		return -1;
	}
	if (link(partial, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "exists already (made while the copy ran; a backup never "
		    "overwrites a file)" : strerror(errno));
		remove_copy(partial);
		return -1;
	}
	remove_copy(partial);
	if (sync_folder(path) != 0) {
		snprintf(err, errlen, "%s: cannot flush its folder: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

struct sqlite_copy {
	struct db *db;
	int *pages;
};

static int
fill_sqlite(void *ctx, const char *partial, char *err, size_t errlen)
{
	struct sqlite_copy *c = ctx;

	return copy_pages(c->db, partial, c->pages, err, errlen) != 0 ||
	    verify_copy(partial, err, errlen) != 0 ? -1 : 0;
}

int
backup_write(struct db *db, const char *path, int *pages, char *err,
    size_t errlen)
{
	struct sqlite_copy c = { db, pages };
	char journal[4096];

	if (stale_journal(path, journal, sizeof(journal)) != NULL) {
		snprintf(err, errlen, "%s exists (a journal of another "
		    "database): choose another name", journal);
		return -1;
	}
	return publish(path, fill_sqlite, &c, err, errlen);
}

/*
 * Run argv (a program found on PATH) with its standard output to
 * /dev/null and its errors to ours, and with the settings of a libpq
 * connection (conn, or NULL) as the environment variables libpq reads
 * (PGHOST, PGPASSWORD...): a program's arguments are public, its
 * environment is not. 0 when it exits 0, or -1 with a message in err.
 */
static int
run(char *const argv[], const PQconninfoOption *conn, char *err,
    size_t errlen)
{
	const PQconninfoOption *o;
	pid_t pid;
	int status, fd;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "cannot start %s: %s", argv[0],
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, STDOUT_FILENO);
		for (o = conn; o != NULL && o->keyword != NULL; o++)
			if (o->val != NULL && o->envvar != NULL)
				setenv(o->envvar, o->val, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "arborctl: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: %s", argv[0],
			    strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s failed (%s %d; its message is above)",
		    argv[0], WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

/*
 * pg_dump's archive (custom format) of the database url names, from
 * one snapshot: it runs in one REPEATABLE READ transaction, so the
 * workers go on writing and none of it is half in the copy. pg_restore
 * then reads the whole archive back into a script it throws away: a
 * cut-off or damaged file is refused there, not on the day of a
 * restore. (pg_restore --list reads only the table of contents at the
 * start, and passed an archive cut off at 10% of its length.)
 */
static int
fill_postgresql(void *ctx, const char *partial, char *err, size_t errlen)
{
	char *dump[] = { "pg_dump", "--format=custom", "--no-owner",
	    "--file", (char *)partial, NULL };
	char *read_back[] = { "pg_restore", "--file=/dev/null",
	    (char *)partial, NULL };

	return run(dump, ctx, err, errlen) != 0 ||
	    run(read_back, NULL, err, errlen) != 0 ? -1 : 0;
}

int
backup_write_postgresql(const char *url, const char *path, long long *bytes,
    char *err, size_t errlen)
{
	PQconninfoOption *conn, *o;
	struct stat st;
	char *msg = NULL;
	int rc = -1;

	if ((conn = PQconninfoParse(url, &msg)) == NULL) {
		snprintf(err, errlen, "[database] url: %s", msg ? msg :
		    "out of memory");
		PQfreemem(msg);
		return -1;
	}
	for (o = conn; o->keyword != NULL; o++)
		if (o->val != NULL && o->envvar == NULL) {
			snprintf(err, errlen, "[database] url: %s has no "
			    "environment variable to give pg_dump", o->keyword);
			goto out;
		}
	if (publish(path, fill_postgresql, conn, err, errlen) != 0)
		goto out;
	*bytes = stat(path, &st) == 0 ? (long long)st.st_size : 0;
	rc = 0;
out:
	PQconninfoFree(conn);
	return rc;
}
