/*
 * token.c - API tokens.
 */
#include "token.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "login.h"
#include "perm.h"
#include "user.h"

#define DAY (24 * 3600)
#define NAME_MAX_BYTES 100
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

ssize_t
token_list(const struct viewer *v, struct token **out)
{
	sqlite3_stmt *s = db_stmt(v->db, STMT_TOKENS_OF_USER);
	struct token *t = NULL, *grown;
	size_t n = 0, cap = 0;
	int rc;

	db_bind_int(s, ":user_id", perm_actor(v));
	while ((rc = db_step(v->db, s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = arena_calloc(v->arena, cap, sizeof(*t));
			if (n > 0)
				memcpy(grown, t, n * sizeof(*t));
			t = grown;
		}
		t[n].id = sqlite3_column_int64(s, 0);
		t[n].name = db_text(v->arena, s, 1);
		t[n].created_at = sqlite3_column_int64(s, 2);
		t[n].expires_at = sqlite3_column_int64(s, 3);
		t[n].last_used_at = sqlite3_column_int64(s, 4);
		t[n].last_ip = db_text(v->arena, s, 5);
		t[n].revoked = sqlite3_column_type(s, 6) != SQLITE_NULL;
		n++;
	}
	sqlite3_reset(s);
	*out = t;
	return rc == SQLITE_DONE ? (ssize_t)n : -1;
}

/* The rules of a new token; its expiry (the end of the day) in *expires. */
static void
check_input(const struct viewer *v, const char *name, const char *expires_on,
    struct token_errors *e, int64_t *expires)
{
	int64_t day = parse_date(expires_on), today = v->now - v->now % DAY;

	memset(e, 0, sizeof(*e));
	*expires = day + DAY;
	if (name == NULL || strlen(name) < 1 || strlen(name) > NAME_MAX_BYTES)
		check_fail(&e->name, 400, "Give the token a name of 1 to 100 "
		    "characters.");
	if (day < 0)
		check_fail(&e->expires_on, 400, "Enter the expiry date as "
		    "YYYY-MM-DD.");
	else if (day < today)
		check_fail(&e->expires_on, 400, "The expiry date is in the "
		    "past.");
	else if (day > today + (int64_t)TOKEN_MAX_DAYS * DAY)
		check_fail(&e->expires_on, 400, "A token can live at most one "
		    "year.");
}

/*
 * The one write of a flow on v's tokens: s in its own transaction with
 * event kind (detail), about and by v's user. MODEL_NOT_FOUND when s
 * changed no row.
 */
static enum model_result
write_logged(const struct viewer *v, sqlite3_stmt *s, const char *kind,
    const char *detail)
{
	enum model_result rc = MODEL_FAILED;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (db_exec(v->db, s) == 0) {
		rc = db_changes(v->db) == 1 ? MODEL_DONE : MODEL_NOT_FOUND;
		if (rc == MODEL_DONE)
			event_log(v, kind, perm_actor(v), perm_actor(v),
			    detail);
	}
	if (rc != MODEL_DONE || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return rc == MODEL_DONE ? MODEL_FAILED : rc;
	}
	return MODEL_DONE;
}

enum model_result
token_create(const struct viewer *v, const char *name, const char *expires_on,
    struct token_errors *e, const char **secret)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	enum model_result rc;
	sqlite3_stmt *s;
	int64_t expires;
	char *random;

	check_input(v, name, expires_on, e, &expires);
	if (e->name.msg != NULL || e->expires_on.msg != NULL)
		return MODEL_INVALID;
	random = token_new(v->arena, hash);
	s = db_stmt(v->db, STMT_TOKEN_INSERT);
	db_bind_int(s, ":user_id", perm_actor(v));
	db_bind_text(s, ":name", name);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":expires_at", expires);
	if ((rc = write_logged(v, s, "token_created", name)) == MODEL_DONE)
		*secret = arena_printf(v->arena, TOKEN_PREFIX "%s", random);
	return rc;
}

enum model_result
token_revoke(const struct viewer *v, int64_t id)
{
	sqlite3_stmt *s = db_stmt(v->db, STMT_TOKEN_REVOKE);

	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":user_id", perm_actor(v));
	return write_logged(v, s, "token_revoked", "");
}

int
token_revoke_all(const struct viewer *v, int64_t user_id, int64_t actor)
{
	sqlite3_stmt *s = db_stmt(v->db, STMT_TOKEN_REVOKE_USER);
	int n;

	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return -1;
	if ((n = db_changes(v->db)) > 0)
		event_log(v, "tokens_revoked", user_id, actor, arena_printf(
		    v->arena, "%d token%s", n, n == 1 ? "" : "s"));
	return 0;
}

/* The hash of the secret in an "Authorization: Bearer arbor_…" value.
 * 0 or -1 (not a bearer token of ours). */
static int
bearer_hash(const char *h, unsigned char hash[TOKEN_HASH_BYTES])
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	h += 7;
	while (*h == ' ')
		h++;
	if (strncmp(h, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return -1;
	return token_hash(h + strlen(TOKEN_PREFIX), hash);
}

enum token_auth
token_authenticate(const struct viewer *v, const char *authorization,
    struct user **u)
{
	static const struct session mfa_passed = { .mfa_passed = true };
	unsigned char hash[TOKEN_HASH_BYTES];
	const char *last_ip;
	int64_t id, user_id, last_used;
	struct user *owner;
	sqlite3_stmt *s;
	bool usable;

	*u = NULL;
	if (bearer_hash(authorization, hash) != 0)
		return TOKEN_REFUSED;
	s = db_stmt(v->db, STMT_TOKEN_AUTH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if (db_step(v->db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return TOKEN_REFUSED;
	}
	id = sqlite3_column_int64(s, 0);
	user_id = sqlite3_column_int64(s, 1);
	usable = sqlite3_column_int64(s, 2) > v->now &&
	    sqlite3_column_type(s, 3) == SQLITE_NULL;
	last_used = sqlite3_column_int64(s, 4);
	last_ip = db_text(v->arena, s, 5);
	sqlite3_reset(s);
	if (!usable || (owner = user_load(v->db, v->arena, user_id)) ==
	    NULL || !owner->active)
		return TOKEN_REFUSED;
	/* the pages confine such a user to the step they owe; the API has
	 * no such step, so it refuses until they have done it on a page */
	switch (login_stage(owner, &mfa_passed)) {
	case STAGE_PASSWORD:
		return TOKEN_PASSWORD_DUE;
	case STAGE_ENROL:
		return TOKEN_ENROL_DUE;
	case STAGE_MFA:
	case STAGE_FULL:
		break;
	}
	if (v->now - last_used >= TOUCH_INTERVAL ||
	    strcmp(last_ip, v->addr) != 0) {
		s = db_stmt(v->db, STMT_TOKEN_TOUCH);
		db_bind_int(s, ":now", v->now);
		db_bind_text(s, ":ip", v->addr);
		db_bind_int(s, ":id", id);
		db_exec(v->db, s);
	}
	*u = owner;
	return TOKEN_OK;
}
