/*
 * token.h - API tokens: the tokens of the viewer's own user (create,
 * list, revoke) and the bearer authentication of /api/v1.
 *
 * A token is "arbor_" followed by 32 random bytes in base64url: the fixed
 * prefix lets secret scanners find leaked tokens. Only the BLAKE2b hash
 * of the random part is stored; the secret is shown once, at creation. A
 * token acts as its user, with exactly that user's permissions, and stops
 * working when it expires, is revoked, or its user is deactivated or
 * deleted. Every statement on the tokens of a user binds v's user id: no
 * viewer reaches another user's tokens.
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
};

/* The tokens of v's user, newest first, in *out (v's arena): their
 * number, or -1 on a database error. */
ssize_t token_list(const struct viewer *v, struct token **out);

/* The default expiry date (today + 90 days) as YYYY-MM-DD, in a. */
const char *token_default_expiry(struct arena *a, int64_t now);

struct token_errors {
	struct check_error name;
	struct check_error expires_on;
};

/*
 * Create a token for v's user named name (1 to 100 bytes) that works
 * until the end (UTC) of expires_on (YYYY-MM-DD, from today up to a year
 * ahead), and log token_created. MODEL_DONE puts the secret, which exists
 * nowhere else, in *secret (v's arena); MODEL_INVALID fills *e.
 */
enum model_result token_create(const struct viewer *v, const char *name,
    const char *expires_on, struct token_errors *e, const char **secret);

/* Revoke v's user's active token id and log token_revoked;
 * MODEL_NOT_FOUND when v's user has no such active token. */
enum model_result token_revoke(const struct viewer *v, int64_t id);

/*
 * The user an "Authorization: Bearer arbor_…" header stands for (v: the
 * anonymous viewer of the request, for its time, address and arena), or
 * NULL when there is no usable token (missing, malformed, unknown,
 * expired, revoked, or its user is inactive). Records the time and
 * address of use.
 */
struct user *token_authenticate(const struct viewer *v,
    const char *authorization);

#endif
