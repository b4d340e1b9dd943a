/*
 * token.c - API tokens.
 */
#include "token.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "db.h"
#include "http.h"
#include "user.h"

#define DAY (24 * 3600)
/* last use is written at most once a minute per token (or on a new IP) */
#define TOUCH_INTERVAL 60

/* Midnight UTC at the start of YYYY-MM-DD, or -1 if it is not a date. */
static int64_t
parse_date(const char *s)
{
	char *end, back[11];
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 10)
		return -1;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	t = timegm(&tm);
	/* strptime accepts 2026-02-31; timegm normalises it: refuse that */
	gmtime_r(&t, &tm);
	strftime(back, sizeof(back), "%Y-%m-%d", &tm);
	return strcmp(back, s) == 0 ? (int64_t)t : -1;
}

const char *
token_default_expiry(struct arena *a, int64_t now)
{
	time_t t = (time_t)(now + (int64_t)TOKEN_DEFAULT_DAYS * DAY);
	struct tm tm;
	char out[11];

	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%d", &tm);
	return arena_strdup(a, out);
}

const char *
token_create(struct request *req, const char *name, const char *expires_on,
    const char **error)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db *db = &req->app->db;
	int64_t day = parse_date(expires_on), today = req->now - req->now % DAY;
	sqlite3_stmt *s;
	char *secret;

	if (name == NULL || strlen(name) < 1 || strlen(name) > 100) {
		*error = "Give the token a name of 1 to 100 characters.";
		return NULL;
	}
	if (day < 0) {
		*error = "Enter the expiry date as YYYY-MM-DD.";
		return NULL;
	}
	if (day < today) {
		*error = "The expiry date is in the past.";
		return NULL;
	}
	if (day > today + (int64_t)TOKEN_MAX_DAYS * DAY) {
		*error = "A token can live at most one year.";
		return NULL;
	}
	secret = token_new(req->arena, hash);
	s = db_stmt(db, STMT_TOKEN_INSERT);
	db_bind_int(s, ":user_id", req->user->id);
	db_bind_text(s, ":name", name);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":expires_at", day + DAY);	/* end of that day */
	if (db_exec(db, s) != 0) {
		*error = "The token could not be saved. Please try again.";
		return NULL;
	}
	return arena_printf(req->arena, TOKEN_PREFIX "%s", secret);
}

int
token_authenticate(struct request *req)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db *db = &req->app->db;
	const char *h = req->authorization, *last_ip;
	int64_t id, user_id, last_used;
	sqlite3_stmt *s;
	bool usable;

	if (strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	h += 7;
	while (*h == ' ')
		h++;
	if (strncmp(h, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
	    token_hash(h + strlen(TOKEN_PREFIX), hash) != 0)
		return -1;
	s = db_stmt(db, STMT_TOKEN_AUTH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	id = sqlite3_column_int64(s, 0);
	user_id = sqlite3_column_int64(s, 1);
	usable = sqlite3_column_int64(s, 2) > req->now &&
	    sqlite3_column_type(s, 3) == SQLITE_NULL;
	last_used = sqlite3_column_int64(s, 4);
	last_ip = db_text(req->arena, s, 5);
	sqlite3_reset(s);
	if (!usable)
		return -1;
	req->user = user_load(db, req->arena, user_id);
	if (req->user == NULL || !req->user->active) {
		req->user = NULL;
		return -1;
	}
	if (req->now - last_used >= TOUCH_INTERVAL ||
	    strcmp(last_ip, req->remote_addr) != 0) {
		s = db_stmt(db, STMT_TOKEN_TOUCH);
		db_bind_int(s, ":now", req->now);
		db_bind_text(s, ":ip", req->remote_addr);
		db_bind_int(s, ":id", id);
		db_exec(db, s);
	}
	return 0;
}
