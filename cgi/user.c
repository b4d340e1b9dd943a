/*
 * user.c - reading a user row (sql.h USER_COLUMNS) into struct user,
 * and the scoped writes of the Users tab.
 */
#include "user.h"

#include <string.h>
#include <strings.h>

#include <crack.h>

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "form.h"
#include "perm.h"

struct user *
user_load(struct db *db, struct arena *a, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_BY_ID);
	struct user *u;
	int c = 0;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) != SQLITE_ROW)
		return NULL;
	u = arena_alloc(a, sizeof(*u));
	u->id = sqlite3_column_int64(s, c++);
	u->customer_id = sqlite3_column_int64(s, c++);
	u->is_operator = sqlite3_column_int(s, c++) != 0;
	u->username = db_text(a, s, c++);
	u->email = db_text(a, s, c++);
	u->full_name = db_text(a, s, c++);
	u->phone = db_text(a, s, c++);
	u->address = db_text(a, s, c++);
	u->groups = (unsigned)sqlite3_column_int(s, c++);
	u->active = sqlite3_column_int(s, c++) != 0;
	u->must_change_password = sqlite3_column_int(s, c++) != 0;
	u->totp_enabled = sqlite3_column_int(s, c++) != 0;
	u->totp_last_step = sqlite3_column_int64(s, c++);
	u->last_login_at = sqlite3_column_int64(s, c++);
	u->created_at = sqlite3_column_int64(s, c++);
	u->customer_path = db_text(a, s, c++);
	u->customer_name = db_text(a, s, c++);
	u->own_time_zone = db_text_or_null(a, s, c++);
	u->own_time_format = db_text_or_null(a, s, c++);
	u->own_units = db_text_or_null(a, s, c++);
	u->time_zone = db_text(a, s, c++);
	u->time_format = db_text(a, s, c++);
	u->units = db_text(a, s, c++);
	u->has_locations = sqlite3_column_int(s, c++) != 0;
	u->mfa_required = sqlite3_column_int(s, c++) != 0;
	sqlite3_reset(s);
	return u;
}

int64_t
user_create(struct db *db, int64_t now, const struct user_fields *f)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_INSERT);

	if (f->is_operator)
		db_bind_null(s, ":customer_id");
	else
		db_bind_int(s, ":customer_id", f->customer_id);
	db_bind_int(s, ":is_operator", f->is_operator);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":username", f->username);
	db_bind_text(s, ":full_name", f->full_name ? f->full_name : "");
	db_bind_text(s, ":hash", f->password_hash);
	db_bind_int(s, ":must_change", f->must_change_password);
	db_bind_int(s, ":active", f->active);
	db_bind_int(s, ":groups", f->groups);
	db_bind_int(s, ":now", now);
	return db_exec(db, s) == 0 ? db_last_id(db) : 0;
}

bool
user_password_ok(struct db *db, struct arena *a, int64_t id, const char *pw)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_PASSWORD_HASH);
	const char *hash = NULL;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) == SQLITE_ROW)
		hash = db_text_or_null(a, s, 0);
	sqlite3_reset(s);
	return hash != NULL && pw != NULL &&
	    strlen(pw) <= PASSWORD_MAX_BYTES && password_verify(hash, pw);
}

int
user_update(struct db *db, const struct scope *sc, int64_t now,
    const struct user_edit *e)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_UPDATE);

	db_bind_int(s, ":id", e->id);
	db_bind_int(s, ":customer_id", e->customer_id);
	db_bind_text(s, ":email", e->email);
	db_bind_text(s, ":username", e->username);
	db_bind_text(s, ":full_name", e->full_name);
	db_bind_text(s, ":phone", e->phone);
	db_bind_text(s, ":address", e->address);
	db_bind_int(s, ":groups", e->groups);
	db_bind_int(s, ":active", e->active);
	db_bind_int(s, ":now", now);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

int
user_set_contact(struct db *db, int64_t id, const char *phone,
    const char *address)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_SET_CONTACT);

	db_bind_int(s, ":id", id);
	db_bind_text(s, ":phone", phone);
	db_bind_text(s, ":address", address);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

int
user_set_locations(struct db *db, const struct scope *sc, int64_t user_id,
    const int64_t *ids, size_t n)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOCATIONS_CLEAR);
	size_t i;

	db_bind_int(s, ":user_id", user_id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		s = db_stmt(db, STMT_USER_LOCATION_ADD);
		db_bind_int(s, ":user_id", user_id);
		db_bind_int(s, ":location_id", ids[i]);
		if (db_exec(db, s) != 0)
			return -1;
	}
	return 0;
}

int
user_delete(struct db *db, const struct scope *sc, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_DELETE);

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

static int64_t
id_lookup(struct db *db, enum stmt_id id, const char *name,
    const char *value)
{
	sqlite3_stmt *s = db_stmt(db, id);
	int64_t found = 0;

	db_bind_text(s, name, value);
	if (db_step(db, s) == SQLITE_ROW)
		found = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return found;
}

int64_t
user_id_by_email(struct db *db, const char *email)
{
	return id_lookup(db, STMT_USER_ID_BY_EMAIL, ":email", email);
}

int64_t
user_id_by_username(struct db *db, const char *username)
{
	return id_lookup(db, STMT_USER_ID_BY_USERNAME, ":username", username);
}

/* Code points in a valid UTF-8 string. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Whether pw is a dictionary word or a simple variation of one (cracklib
 * reverses, strips digits, changes case…). Only that verdict of
 * cracklib counts: its other complaints are composition rules, which the
 * policy leaves out on purpose.
 */
static bool
common_password(const char *pw)
{
	const char *why = FascistCheckUser(pw, GetDefaultCracklibDict(),
	    "arbor", NULL);

	return why != NULL && strstr(why, "dictionary word") != NULL;
}

const char *
password_policy(const char *pw, const char *username, const char *email)
{
	size_t n;

	if (!utf8_valid(pw, strlen(pw)))
		return "The password is not valid text.";
	n = utf8_chars(pw);
	if (n < PASSWORD_MIN_CHARS)
		return "Use at least 12 characters.";
	if (n > PASSWORD_MAX_CHARS)
		return "Use at most 128 characters.";
	if ((username && strcasecmp(pw, username) == 0) ||
	    (email && strcasecmp(pw, email) == 0))
		return "The password must not be your username or e-mail.";
	if (common_password(pw))
		return "This password is too common. Choose another.";
	return NULL;
}
