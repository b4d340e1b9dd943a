/*
 * customer.c - creating customers in the materialised-path tree.
 */
#include "customer.h"

#include <stdio.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

int64_t
customer_create(struct db *db, int64_t now, int64_t parent_id,
    const struct customer_fields *f)
{
	sqlite3_stmt *s;
	char parent_path[4096] = "/", path[4096 + 32];
	int64_t depth = 0, id;
	int n;

	if (parent_id != 0) {
		s = db_stmt(db, STMT_CUSTOMER_PATH);
		db_bind_int(s, ":id", parent_id);
		if (db_step(db, s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return 0;
		}
		n = snprintf(parent_path, sizeof(parent_path), "%s",
		    (const char *)sqlite3_column_text(s, 0));
		depth = sqlite3_column_int64(s, 1) + 1;
		sqlite3_reset(s);
		if (n < 0 || (size_t)n >= sizeof(parent_path))
			return 0;
	}
	s = db_stmt(db, STMT_CUSTOMER_INSERT);
	if (parent_id != 0)
		db_bind_int(s, ":parent_id", parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_int(s, ":depth", depth);
	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":owner_email", parent_id ? NULL : f->owner_email);
	db_bind_text(s, ":country", f->country);
	db_bind_text(s, ":time_zone", f->time_zone);
	db_bind_text(s, ":time_format", f->time_format);
	db_bind_text(s, ":units", f->units);
	db_bind_int(s, ":require_mfa", f->require_mfa);
	db_bind_int(s, ":now", now);
	if (db_exec(db, s) != 0)
		return 0;
	id = db_last_id(db);
	snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)id);
	s = db_stmt(db, STMT_CUSTOMER_SET_PATH);
	db_bind_text(s, ":path", path);
	db_bind_int(s, ":id", id);
	return db_exec(db, s) == 0 ? id : 0;
}

const char *
customer_path_text(struct db *db, struct arena *a, int64_t customer_id,
    int64_t from_depth)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_ANCESTRY);
	struct buf b;

	buf_init(&b, a);
	db_bind_int(s, ":id", customer_id);
	db_bind_int(s, ":from_depth", from_depth);
	while (db_step(db, s) == SQLITE_ROW) {
		if (b.len > 0)
			buf_puts(&b, " \xe2\x80\xba ");	/* › */
		buf_puts(&b, (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_reset(s);
	return b.data;
}
