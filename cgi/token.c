/*
 * token.c - API tokens.
 */
#include "token.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "login.h"
#include "perm.h"
#include "timefmt.h"
#include "user.h"

#define DAY (24 * 3600)
#define NAME_MAX_BYTES 100
/* last use is written at most once a minute per token (or on a new IP) */
#define TOUCH_INTERVAL 60

bool
token_read_only_user(const struct user *u)
{
	return u != NULL && !u->is_operator &&
	    (u->groups & GROUP_API_DEVELOPER) != 0;
}

const char *
token_default_expiry(const struct viewer *v)
{
	return time_date(v->arena, v->user, v->now +
	    (int64_t)TOKEN_DEFAULT_DAYS * DAY);
}

/* Row s of TOKENS_OF_USER or TOKEN_OF_USER into *t. */
static void
fill_token(const struct viewer *v, struct db_stmt *s, struct token *t)
{
	t->id = db_col_int(s, 0);
	t->name = db_text(v->arena, s, 1);
	t->created_at = db_col_int(s, 2);
	t->expires_at = db_col_int(s, 3);
	t->last_used_at = db_col_int(s, 4);
	t->last_ip = db_text(v->arena, s, 5);
	t->revoked = !db_col_null(s, 6);
	t->read_only = strcmp(db_text(v->arena, s, 7), "read") == 0;
}

int
token_get(const struct viewer *v, int64_t id, struct token *t)
{
	struct db_stmt *s = db_stmt(v->db, STMT_TOKEN_OF_USER);
	int rc;

	db_bind_int(s, ":id", id);
	db_bind_int(s, ":user_id", perm_actor(v));
	if ((rc = db_step(v->db, s)) == DB_ROW)
		fill_token(v, s, t);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

ssize_t
token_list(const struct viewer *v, struct token **out)
{
	struct db_stmt *s = db_stmt(v->db, STMT_TOKENS_OF_USER);
	struct token *t = NULL, *grown;
	size_t n = 0, cap = 0;
	int rc;

	db_bind_int(s, ":user_id", perm_actor(v));
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = arena_calloc(v->arena, cap, sizeof(*t));
			if (n > 0)
				memcpy(grown, t, n * sizeof(*t));
			t = grown;
		}
		fill_token(v, s, &t[n++]);
	}
	db_reset(s);
	*out = t;
	return rc == DB_DONE ? (ssize_t)n : -1;
}

#define FIELD(m) CHECK_FIELD(struct token_errors, m, #m, #m)
const struct check_field token_error_fields[] = {
	FIELD(name), FIELD(expires_on), FIELD(scope), { NULL, NULL, 0 }
};
#undef FIELD

/*
 * The rules of a new token, inside the write transaction; its expiry
 * (the end of the day in the user's zone, so that the list shows the
 * date picked) in *expires and its scope in *scope ("write" when none
 * is given: a token could always write). 0, or -1 on a database error.
 */
static int
check_input(const struct viewer *v, const char *name, const char *expires_on,
    struct token_errors *e, int64_t *expires, const char **scope)
{
	const char *why = time_last_day(v->arena, v->user, v->now, expires_on,
	    TOKEN_MAX_DAYS, "one year", expires);
	struct db_stmt *s;
	int rc;

	memset(e, 0, sizeof(*e));
	if (why != NULL)
		check_fail(&e->expires_on, 400, why);
	if (token_read_only_user(v->user)) {
		if (*scope != NULL && strcmp(*scope, "write") == 0)
			check_fail(&e->scope, 403, "As an API Developer you "
			    "can only make read-only tokens.");
		*scope = "read";
	} else if (*scope == NULL || **scope == '\0')
		*scope = "write";
	else if (strcmp(*scope, "read") != 0 && strcmp(*scope, "write") != 0)
		check_fail(&e->scope, 400, "Choose the scope \"read\" or "
		    "\"write\".");
	if (name == NULL || strlen(name) < 1 || strlen(name) > NAME_MAX_BYTES) {
		check_fail(&e->name, 400, "Give the token a name of 1 to 100 "
		    "characters.");
		return 0;
	}
	s = db_stmt(v->db, STMT_TOKEN_NAME_TAKEN);
	db_bind_int(s, ":user_id", perm_actor(v));
	db_bind_text(s, ":name", name);
	db_bind_int(s, ":now", v->now);
	if ((rc = db_exists(v->db, s)) == 1)
		check_fail(&e->name, 409, "You already have a token with this "
		    "name (ignoring upper and lower case); choose another or "
		    "revoke that one first.");
	return rc < 0 ? -1 : 0;
}

enum model_result
token_create(const struct viewer *v, const char *name, const char *expires_on,
    const char *scope, struct token_errors *e, const char **secret,
    int64_t *id)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	enum model_result rc;
	struct db_stmt *s;
	int64_t expires;
	char *random;
	bool failed;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	failed = check_input(v, name, expires_on, e, &expires, &scope) != 0;
	if (failed || check_count(e, token_error_fields) > 0)
		return db_finish(v->db, failed, e, token_error_fields);
	random = token_new(v->arena, hash);
	s = db_stmt(v->db, STMT_TOKEN_INSERT);
	db_bind_int(s, ":user_id", perm_actor(v));
	db_bind_text(s, ":name", name);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":expires_at", expires);
	db_bind_text(s, ":scope", scope);
	failed = db_exec(v->db, s) != 0;
	if (!failed) {
		*id = db_last_id(v->db);
		event_log(v, "token_created", perm_actor(v), perm_actor(v),
		    arena_printf(v->arena, "%s (%s)", name, scope));
	}
	if ((rc = db_finish(v->db, failed, NULL, NULL)) == MODEL_DONE)
		*secret = arena_printf(v->arena, TOKEN_PREFIX "%s", random);
	return rc;
}

enum model_result
token_revoke(const struct viewer *v, int64_t id, struct token *gone)
{
	struct db_stmt *s;
	int rc;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = token_get(v, id, gone)) != 1 || gone->revoked) {
		db_rollback(v->db);
		return rc < 0 ? MODEL_FAILED : MODEL_NOT_FOUND;
	}
	s = db_stmt(v->db, STMT_TOKEN_REVOKE);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":user_id", perm_actor(v));
	event_log(v, "token_revoked", perm_actor(v), perm_actor(v),
	    gone->name);
	return db_finish(v->db, db_exec(v->db, s) != 0 ||
	    db_changes(v->db) != 1, NULL, NULL);
}

int
token_revoke_all(const struct viewer *v, int64_t user_id, int64_t actor)
{
	struct db_stmt *s = db_stmt(v->db, STMT_TOKEN_REVOKE_USER);
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
    struct user **u, bool *read_only)
{
	static const struct session mfa_passed = { .mfa_passed = true };
	unsigned char hash[TOKEN_HASH_BYTES];
	const char *last_ip;
	int64_t id, user_id, last_used;
	struct user *owner;
	struct db_stmt *s;
	bool usable;

	*u = NULL;
	*read_only = true;
	if (bearer_hash(authorization, hash) != 0)
		return TOKEN_REFUSED;
	s = db_stmt(v->db, STMT_TOKEN_AUTH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if (db_step(v->db, s) != DB_ROW) {
		db_reset(s);
		return TOKEN_REFUSED;
	}
	id = db_col_int(s, 0);
	user_id = db_col_int(s, 1);
	usable = db_col_int(s, 2) > v->now &&
	    db_col_null(s, 3);
	last_used = db_col_int(s, 4);
	last_ip = db_text(v->arena, s, 5);
	*read_only = strcmp(db_text(v->arena, s, 6), "write") != 0;
	db_reset(s);
	if (!usable || (owner = user_load(v->db, v->arena, user_id)) ==
	    NULL || !owner->active)
		return TOKEN_REFUSED;
	/* a token made before its user became an API Developer reads
	 * only from then on, like the tokens they make now */
	*read_only = *read_only || token_read_only_user(owner);
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
