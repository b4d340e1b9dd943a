/*
 * guard.h - brute-force protection for passwords and MFA codes.
 *
 * Failures are counted per subject: an account ("user:ID"), a login name
 * that matches no account ("name:…", so an unknown username behaves
 * exactly like a known one) and a client address ("ip:…"). Reaching the
 * limit within the window locks the subject for a wait that doubles with
 * each lockout (1, 2, 4, 8… minutes) up to the configured maximum, as
 * Keycloak does; a successful login clears the account's count.
 *
 * The sign-in model (login.c) is the one caller: it counts a failure in
 * the same write transaction as the failure's event.
 */
#ifndef ARBOR_GUARD_H
#define ARBOR_GUARD_H

#include <stdint.h>

struct viewer;

/* The subjects of a login attempt: the account (or the name tried when
 * there is none) and the client address. */
struct guard_subjects {
	const char *account;
	const char *ip;
};

/* The subjects of an attempt on user_id (0: login names no account) from
 * v's address, in v's arena. */
void guard_subjects(const struct viewer *v, int64_t user_id,
    const char *login, struct guard_subjects *gs);

/* Minutes until both subjects are free again; 0 when neither is locked. */
int64_t guard_wait_minutes(const struct viewer *v,
    const struct guard_subjects *gs);

/* Count a failure against both subjects, inside the caller's write
 * transaction (so that concurrent failures all count), and log a lockout
 * event for each subject this failure locked. 1 when it locked the
 * account or the address, 0 when not, -1 on a database error. */
int guard_fail(const struct viewer *v, const struct guard_subjects *gs,
    int64_t user_id);

/* Forget the account's failures (after a successful login). 0 or -1. */
int guard_clear(const struct viewer *v, const struct guard_subjects *gs);

#endif
