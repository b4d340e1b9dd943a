/*
 * mfa.h - a user's second factor in the database: checking a code
 * (TOTP or recovery code), enrolment and recovery codes.
 */
#ifndef ARBOR_MFA_H
#define ARBOR_MFA_H

#include <stdbool.h>
#include <stdint.h>

#include "totp.h"

struct request;
struct tval;

enum mfa_result {
	MFA_WRONG,		/* wrong, malformed or already used */
	MFA_TOTP,		/* a current TOTP code, now used up */
	MFA_RECOVERY		/* a recovery code, now used up */
};

/*
 * Check code for user_id: a 6-digit TOTP code against the stored secret
 * (enabled, or pending during enrolment), or (with recovery_ok) one of
 * the unused recovery codes. A code that passes is used up at once.
 */
enum mfa_result mfa_check(struct request *req, int64_t user_id,
    const char *code, bool recovery_ok);

/* Store a new pending secret for the user (not yet enabled) and return
 * it in secret. 0 or -1. */
int mfa_begin(struct request *req, int64_t user_id,
    unsigned char secret[TOTP_SECRET_BYTES]);

/* The user's stored secret (pending or enabled). 0 or -1. */
int mfa_secret(struct request *req, int64_t user_id,
    unsigned char secret[TOTP_SECRET_BYTES]);

/*
 * Replace the user's recovery codes with new ones (inside the caller's
 * transaction); returns them as a tval list of strings, or NULL.
 */
struct tval *mfa_new_recovery_codes(struct request *req, int64_t user_id);

#endif
