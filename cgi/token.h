/*
 * token.h - API tokens: creation, listing, revocation and the bearer
 * authentication of /api/v1.
 *
 * A token is "arbor_" followed by 32 random bytes in base64url: the fixed
 * prefix lets secret scanners find leaked tokens. Only the BLAKE2b hash
 * of the random part is stored; the secret is shown once, at creation. A
 * token acts as its user, with exactly that user's permissions, and stops
 * working when it expires, is revoked, or its user is deactivated or
 * deleted.
 */
#ifndef ARBOR_TOKEN_H
#define ARBOR_TOKEN_H

#include <stdint.h>

struct request;

#define TOKEN_PREFIX "arbor_"
#define TOKEN_DEFAULT_DAYS 90
#define TOKEN_MAX_DAYS 365

/*
 * Create a token for the signed-in user. expires_on is YYYY-MM-DD: the
 * token works until the end of that day (UTC). Returns the secret (in the
 * request's arena), or NULL with *error set to a sentence for the form.
 */
const char *token_create(struct request *req, const char *name,
    const char *expires_on, const char **error);

/*
 * Authenticate req by its "Authorization: Bearer" header: on success set
 * req->user and return 0; -1 when there is no usable token (missing,
 * malformed, unknown, expired, revoked, or its user is inactive).
 * Records the time and address of use.
 */
int token_authenticate(struct request *req);

/* The default expiry date (today + 90 days) as YYYY-MM-DD, in a. */
struct arena;
const char *token_default_expiry(struct arena *a, int64_t now);

#endif
