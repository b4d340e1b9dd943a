/*
 * guard.h - brute-force protection and throttles.
 *
 * Failures are counted per subject:
 *   "user:ID@ADDR"   an account tried from one client address (the
 *                    password and the MFA step),
 *   "name:TEXT@ADDR" a login name that matches no account, from one
 *                    address: counted like an account, so that an
 *                    unknown name costs and answers exactly like a known
 *                    one,
 *   "ip:ADDR"        a client address, whichever account it tried,
 *   "check:user:ID"  wrong current passwords of a signed-in account
 *                    (profile password, MFA off, new recovery codes),
 *   "taken:ADDR"     answers from an address that an e-mail, username or
 *                    unit id is taken (409): they tell that it exists,
 *                    in whichever account,
 *   "rate:ADDR"      sign-in attempts from an address, right or wrong,
 *   "public:ADDR"    posts to the public pages (invitations, join links,
 *                    sign-up) from an address, per hour,
 *   "mailto:FROM:EMAIL" onboarding mails to an address per hour, from
 *                    the public pages (FROM "public") or one customer's
 *                    invitations (FROM its id).
 * Reaching a limit within the window locks the subject for a wait that
 * doubles with each lockout (1, 2, 4, 8… minutes) up to the configured
 * maximum, as Keycloak does. An account locks per address, so that a
 * stranger elsewhere cannot keep its owner out; the address's own,
 * higher limit on top caps what one address tries across accounts.
 *
 * The models of signing in (login.c) and of the writes that answer 409
 * (user.c, device.c) are the callers.
 */
#ifndef ARBOR_GUARD_H
#define ARBOR_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

struct viewer;

/* The subjects of a sign-in attempt: the account (or the name tried
 * when there is none) from the client's address, and the address. */
struct guard_subjects {
	const char *account;
	const char *ip;
};

/* The subjects of an attempt on user_id (0: login names no account) from
 * v's address, in v's arena. */
void guard_subjects(const struct viewer *v, int64_t user_id,
    const char *login, struct guard_subjects *gs);

/* Minutes until subject is free again; 0 when it is not locked. */
int64_t guard_wait_minutes(const struct viewer *v, const char *subject);

/* Count a sign-in attempt from v's address, right or wrong, in a write
 * transaction of its own (before the password is hashed: the throttle
 * is what spares the CPU). 0 when it may go on; the minutes to wait when
 * the address has used up its attempts of the minute (it is not
 * counted); -1 on a database error. */
int64_t guard_attempt(const struct viewer *v);

/* Count a failure against both subjects, inside the caller's write
 * transaction (so that concurrent failures all count), and log a lockout
 * event for each subject this failure locked. 1 when it locked the
 * account or the address, 0 when not, -1 on a database error. */
int guard_fail(const struct viewer *v, const struct guard_subjects *gs,
    int64_t user_id);

/* Forget the account's failures from this address (once the whole
 * sign-in, MFA step included, succeeded). 0 or -1. */
int guard_clear(const struct viewer *v, const struct guard_subjects *gs);

/* Count a wrong current password of user_id, inside the caller's write
 * transaction: 1 when it reached the limit (the count starts over), 0
 * when not, -1 on a database error. */
int guard_check_failed(const struct viewer *v, int64_t user_id);

/* Forget user_id's wrong current passwords (a right one was given). 0
 * or -1. */
int guard_check_passed(const struct viewer *v, int64_t user_id);

/*
 * db_finish() for a flow that answers 409 when an e-mail, username or
 * unit id is taken (fields describe errors). While v's address is locked
 * for its 409s, the flow is rolled back and refused with 429 on the first
 * field, whatever its answer would have been: neither "taken" nor "saved"
 * tells anything. Otherwise db_finish(), and a 409 in errors counts
 * against the address (in a transaction of its own, after the rollback).
 * arborctl is not counted.
 */
enum model_result guard_finish(const struct viewer *v, bool failed,
    void *errors, const struct check_field *fields);

/* How many more answers that a value is taken (409s) v's address may
 * get before guard_finish's lock: 0 while it is locked. */
int64_t guard_taken_left(const struct viewer *v);

/* Count n answers that a value is taken (a CSV import's 409 rows) against
 * v's address, as guard_finish() counts one, in a transaction of its own.
 * 0, or -1 on a database error. */
int guard_taken_count(const struct viewer *v, size_t n);

/*
 * Count a post to a public page (an invitation's, a join link's, sign-up)
 * from v's address, in a write transaction of its own: 0 when it may go
 * on; the minutes to wait when the address has used up its posts of the
 * hour ([signup] max_per_ip_hour; not counted); -1 on a database error.
 */
int64_t guard_public_post(const struct viewer *v);

/*
 * Whether one more onboarding mail may go to address email from source
 * from ([signup] max_mails_per_address_hour), inside the caller's write
 * transaction: 1 yes (counted), 0 no, -1 on a database error. The public
 * pages count as one source ("public"), each customer's invitations as
 * another (its id): a visitor cannot use up an administrator's mails, nor
 * one account's invitations tell another's. A public page that may not
 * send answers as if it had: the limit must not tell that the address is
 * known.
 */
int guard_mail_to(const struct viewer *v, const char *from,
    const char *email);

#endif
