/*
 * customer.c - creating customers in the materialised-path tree.
 */
#include "customer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "perm.h"
#include "tval.h"

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

int
customer_move(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const char *old_prefix, const char *new_prefix,
    int64_t delta, int64_t parent_id, const char *owner_email)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_MOVE);
	size_t n = strlen(old_prefix);
	char *old_end;

	if (n == 0)
		return -1;
	/* '/1/5/' → '/1/50': the first string after every '/1/5/…' */
	old_end = strdup(old_prefix);
	if (old_end == NULL)
		return -1;
	old_end[n - 1] = '0';
	db_bind_text(s, ":new_prefix", new_prefix);
	db_bind_text(s, ":old_prefix", old_prefix);
	db_bind_text(s, ":old_end", old_end);
	db_bind_int(s, ":delta", delta);
	db_bind_int(s, ":id", id);
	if (parent_id != 0)
		db_bind_int(s, ":parent_id", parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_text(s, ":owner_email", owner_email);
	db_bind_int(s, ":now", now);
	perm_bind_scope(s, sc);
	free(old_end);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db);
}

int
customer_update(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const struct customer_fields *f)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_UPDATE);

	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":owner_email", f->owner_email);
	db_bind_text(s, ":country", f->country);
	db_bind_text(s, ":time_zone", f->time_zone);
	db_bind_text(s, ":time_format", f->time_format);
	db_bind_text(s, ":units", f->units);
	db_bind_int(s, ":require_mfa", f->require_mfa);
	db_bind_int(s, ":now", now);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

int
customer_mfa_inherited(struct db *db, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_MFA_CHAIN);
	int rc, v;

	db_bind_int(s, ":id", id);
	rc = db_step(db, s);
	v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) != 0 : -1;
	sqlite3_reset(s);
	return v;
}

struct tval *
customer_options(struct db *db, struct arena *a, const struct scope *sc,
    int64_t top_depth, int64_t selected_id, const char *exclude_path)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_OPTIONS);
	struct tval *list = tv_list(a), *o;
	const char **names = NULL;
	size_t cap = 0, level, i, excl = exclude_path ? strlen(exclude_path) : 0;
	const char *path;
	struct buf b;
	int64_t id, depth;
	int rc;

	perm_bind_scope(s, sc);
	/* Rows come in path order, which is depth-first: a customer's
	 * parent came before it, so names[0..level-1] are its ancestors
	 * below top_depth. */
	while ((rc = db_step(db, s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		depth = sqlite3_column_int64(s, 1);
		path = (const char *)sqlite3_column_text(s, 3);
		if (depth < top_depth || path == NULL)
			continue;	/* cannot happen inside the scope */
		level = (size_t)(depth - top_depth);
		if (level >= cap) {
			const char **grown = arena_calloc(a, level + 16,
			    sizeof(*grown));

			for (i = 0; i < cap; i++)
				grown[i] = names[i];
			names = grown;
			cap = level + 16;
		}
		names[level] = db_text(a, s, 2);
		if (excl > 0 && strncmp(path, exclude_path, excl) == 0)
			continue;
		buf_init(&b, a);
		for (i = 0; i <= level; i++) {
			if (i > 0)
				buf_puts(&b, " \xe2\x80\xba ");	/* › */
			buf_puts(&b, names[i] ? names[i] : "");
		}
		o = tv_map(a);
		tv_set_str(o, "value", arena_printf(a, "%lld", (long long)id));
		tv_set_str(o, "label", b.data);
		tv_set_bool(o, "selected", id == selected_id);
		tv_push(list, o);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? list : NULL;
}
