/*
 * dbcheck.h - the database's own consistency (issue 18): what `arborctl
 * check` reports and `arborctl backup` proves of its copy, and the
 * health answer of GET /healthz.
 *
 * The check reads every row of the tables it judges (sql.h, CHECK_*):
 * an operator's command, never a page. It finds what the schema cannot
 * refuse by itself: a page SQLite reports damaged, a row a foreign key
 * misses (written while foreign keys were off), a customer whose path
 * or depth is not what its parent links make (or whose parents go
 * round), a counter the triggers kept that differs from the rows, and
 * rows that must have a parent row no foreign key names (a search index
 * entry without its row, or a row without its entry).
 */
#ifndef ARBOR_DBCHECK_H
#define ARBOR_DBCHECK_H

#include <stdint.h>

struct db;
struct viewer;

/* A finding: table, the row's id (0: none, as for SQLite's own
 * findings and WITHOUT ROWID tables) and what is wrong; the texts are
 * valid during the call only. */
typedef void (*dbcheck_report)(void *ctx, const char *table, int64_t row,
    const char *what);

/*
 * Check db, all of it in one read transaction (one snapshot; writers go
 * on), calling report for each finding. Returns the number of findings,
 * or -1 when a statement failed (logged; the findings before it were
 * reported, the checks after it still run).
 */
long dbcheck_run(struct db *db, dbcheck_report report, void *ctx);

/* SQLite's integrity check of db alone, as dbcheck_run() reports it. */
long dbcheck_integrity(struct db *db, dbcheck_report report, void *ctx);

/* The schema version v's database holds: 0, or -1 when the database
 * cannot be read (logged). */
int dbcheck_health(const struct viewer *v, int64_t *schema_version);

#endif
