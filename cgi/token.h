/*
 * token.h - API tokens: the tokens of the viewer's own user (create,
 * list, revoke) and the bearer authentication of /api/v1.
 *
 * A token is "arbor_" followed by 32 random bytes in base64url: the fixed
 * prefix lets secret scanners find leaked tokens. Only the BLAKE2b hash
 * of the random part is stored; the secret is shown once, at creation. A
 * token acts as its user, with exactly that user's permissions. It ends
 * when it expires, when its user revokes it, and with what ends the
 * user's sessions: a new password, however set (the user's own change, a
 * set-up or reset link, an administrator, arborctl), and a deactivation
 * revoke every token of the user (token_revoke_all), so that whoever
 * knew the old password, or the person deactivated, keeps no way in, and
 * a re-activation brings none back; deleting the user deletes them. While
 * the user owes a password change or an MFA enrolment the tokens are
 * refused, not revoked: they work again once that is done, as a
 * session's pages do. Every statement on the tokens of a user binds v's
 * user id: no viewer reaches another user's tokens.
 */
#ifndef ARBOR_TOKEN_H
#define ARBOR_TOKEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"

struct arena;
struct user;
struct viewer;

#define TOKEN_PREFIX "arbor_"
#define TOKEN_DEFAULT_DAYS 90
#define TOKEN_MAX_DAYS 365

/* A token of the viewer's user, as the list shows it. */
struct token {
	int64_t id;
	const char *name;
	int64_t created_at;
	int64_t expires_at;		/* its first second out of use */
	int64_t last_used_at;		/* 0: never */
	const char *last_ip;		/* "" when never used */
	bool revoked;
	bool read_only;			/* scope "read": GET only */
};

/* The tokens of v's user, newest first, in *out (v's arena): their
 * number, or -1 on a database error. */
ssize_t token_list(const struct viewer *v, struct token **out);

/* Token id of v's user: 1, 0 (none such: another user's is none), -1
 * on a database error. */
int token_get(const struct viewer *v, int64_t id, struct token *t);

/* Whether u's tokens can only read, whatever scope they were made with:
 * an API Developer's (operators are none). */
bool token_read_only_user(const struct user *u);

/* The default expiry date (today + 90 days in v's user's zone) as
 * YYYY-MM-DD, in v's arena. */
const char *token_default_expiry(const struct viewer *v);

struct token_errors {
	struct check_error name;
	struct check_error expires_on;
	struct check_error scope;
};

/* The fields of struct token_errors, in the order they are reported. */
extern const struct check_field token_error_fields[];

/*
 * Create a token for v's user named name (1 to 100 bytes; 409 when a
 * token of the user still in use has that name, ignoring case) that
 * works until the end of expires_on (YYYY-MM-DD, from today up to a year
 * ahead) in the user's time zone, with scope "read" (GET only) or
 * "write" (NULL or "": write; an API Developer's is "read" whatever is
 * asked, and asking "write" is refused, 403), and log token_created. MODEL_DONE puts
 * the secret, which exists nowhere else, in *secret (v's arena) and the
 * token's id in *id; MODEL_INVALID fills *e.
 */
enum model_result token_create(const struct viewer *v, const char *name,
    const char *expires_on, const char *scope, struct token_errors *e,
    const char **secret, int64_t *id);

/* Revoke v's user's token id (not revoked yet), filling *gone, and log
 * token_revoked naming it; MODEL_NOT_FOUND when v's user has no such
 * token still to revoke. */
enum model_result token_revoke(const struct viewer *v, int64_t id,
    struct token *gone);

/*
 * Revoke every token of user_id still in use and log tokens_revoked
 * ("2 tokens", about user_id, by actor) if there was one, inside the
 * caller's write transaction: what password_lock_out() does. 0 or -1.
 */
int token_revoke_all(const struct viewer *v, int64_t user_id,
    int64_t actor);

/* What an "Authorization: Bearer arbor_…" header is worth. */
enum token_auth {
	TOKEN_OK,
	TOKEN_REFUSED,		/* missing, malformed, unknown, expired,
				 * revoked, or its user inactive */
	TOKEN_PASSWORD_DUE,	/* its user must change the password an
				 * administrator set (STAGE_PASSWORD) */
	TOKEN_ENROL_DUE		/* its user's customer requires MFA and the
				 * user has not enrolled (STAGE_ENROL) */
};

/*
 * The user the header authorization stands for, in *u (v's arena; NULL
 * unless TOKEN_OK), and whether the token may only read, in *read_only;
 * v is the anonymous viewer of the request, for its time, address and
 * arena. A token is made in a session that passed the MFA step, so what
 * its user may still owe is what a session's stage (login_stage) owes
 * after it. Records the time and address of a use.
 */
enum token_auth token_authenticate(const struct viewer *v,
    const char *authorization, struct user **u, bool *read_only);

#endif
