/*
 * backup.h - a consistent copy of the live database while the workers
 * serve (issue 18, `arborctl backup FILE`), through SQLite's online
 * backup API, or on PostgreSQL (issue 19) pg_dump. Restoring it is
 * deploy/README.md's "Backups".
 */
#ifndef ARBOR_BACKUP_H
#define ARBOR_BACKUP_H

#include <stddef.h>

struct db;

/*
 * Copy db to a new file path, created 0600 (an existing path is refused,
 * never overwritten), as of one moment: the copy holds the transactions
 * committed before it started, whole, and none after. It is copied a
 * few pages at a time with short naps in between, then opened as the
 * workers open a database and checked with SQLite's integrity check,
 * all under the name path.partial-XXXXXX, and only then linked to path.
 * Returns 0 (*pages: its size in pages), or -1 with a message in err
 * and no file left at path. A backup killed half way leaves only its
 * .partial- file, which may be deleted.
 */
int backup_write(struct db *db, const char *path, int *pages, char *err,
    size_t errlen);

/*
 * The same for the PostgreSQL database of libpq connection string url:
 * pg_dump's custom archive (restored with pg_restore: deploy/README.md),
 * from one snapshot, checked by reading it back whole with pg_restore,
 * under path.partial-XXXXXX until done. pg_dump and pg_restore come
 * from PATH (Debian's postgresql-client); pg_dump gets url's settings
 * as libpq's environment variables (PGHOST, PGPASSWORD...), never as
 * arguments, which any user of the machine can read.
 * Returns 0 (*bytes: its size), or -1 with a message in err.
 */
int backup_write_postgresql(const char *url, const char *path,
    long long *bytes, char *err, size_t errlen);

#endif
