/*
 * guard.h - brute-force protection for passwords and MFA codes.
 *
 * Failures are counted per subject: an account ("user:ID"), a login name
 * that matches no account ("name:…", so an unknown username behaves
 * exactly like a known one) and a client address ("ip:…"). Reaching the
 * limit within the window locks the subject for a wait that doubles with
 * each lockout (1, 2, 4, 8… minutes) up to the configured maximum, as
 * Keycloak does; a successful login clears the account's count.
 */
#ifndef ARBOR_GUARD_H
#define ARBOR_GUARD_H

#include <stdbool.h>
#include <stdint.h>

struct request;

/* The subjects of a login attempt: the account (or the name tried when
 * there is none) and the client address. */
struct guard_subjects {
	const char *account;
	const char *ip;
};

void guard_subjects(struct request *req, int64_t user_id, const char *login,
    struct guard_subjects *gs);

/* Minutes until both subjects are free again; 0 when neither is locked. */
int64_t guard_wait_minutes(struct request *req,
    const struct guard_subjects *gs);

/* Count a failure against both subjects (in its own write transaction,
 * so concurrent failures all count). Returns true when this failure
 * locked the account or the address. */
bool guard_fail(struct request *req, const struct guard_subjects *gs,
    int64_t user_id);

/* Forget the account's failures (after a successful login). */
void guard_clear(struct request *req, const struct guard_subjects *gs);

#endif
