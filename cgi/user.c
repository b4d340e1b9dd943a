/*
 * user.c - reading a user row (sql.h USER_COLUMNS) into struct user.
 */
#include "user.h"

#include <string.h>
#include <strings.h>

#include <crack.h>

#include "arena.h"
#include "db.h"
#include "form.h"

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
