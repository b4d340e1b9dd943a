/*
 * mfa.h - the second factor of the viewer's own user: checking a code
 * (TOTP or recovery code), enrolment, new recovery codes, turning MFA
 * off, and the MFA state of a session.
 *
 * Every function but mfa_reset() acts on v->user and nobody else: MFA is
 * a user's own business (an administrator never enrols or disables it for
 * them; they only reset it for a user who lost it). The flows own their
 * write transaction and event; a code is used up only when its flow
 * commits.
 */
#ifndef ARBOR_MFA_H
#define ARBOR_MFA_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "totp.h"

struct viewer;

enum mfa_result {
	MFA_WRONG,		/* wrong or malformed */
	MFA_USED,		/* a TOTP code used already: the next one will
				 * do */
	MFA_TOTP,		/* a current TOTP code, now used up */
	MFA_RECOVERY		/* a recovery code, now used up */
};

/* What to tell whoever entered a code used already (MFA_USED): most
 * likely the same code again, and it will not change for up to 30 s. */
#define MFA_USED_TEXT "That code was used already. Wait for the next " \
	"code in your app (a new one every 30 seconds), then enter it."

/*
 * Check code for v's user, inside the caller's write transaction: a
 * 6-digit TOTP code against the stored secret (enabled, or pending during
 * enrolment), or (with recovery_ok) one of the unused recovery codes. A
 * code that passes is used up (if the caller commits).
 */
enum mfa_result mfa_check(const struct viewer *v, const char *code,
    bool recovery_ok);

/* Record in session session_id that the second factor was given
 * (passed) or that one more code was wrong, inside the caller's write
 * transaction. 0 or -1. */
int mfa_session_result(const struct viewer *v, int64_t session_id,
    bool passed);

/* Start enrolment: store a fresh pending secret for v's user (MFA stays
 * off until a code from it is entered) and return it in secret. 0 or
 * -1. */
int mfa_begin(const struct viewer *v, unsigned char secret[TOTP_SECRET_BYTES]);

/*
 * Finish enrolment with a code from the pending secret, in one
 * transaction: MFA on, session session_id counts as having given its
 * second factor (the code just entered), RECOVERY_CODES new recovery
 * codes in *codes (in v's arena), event mfa_enrolled. MODEL_NOT_FOUND
 * when MFA is already on or nothing is pending (the page was not opened
 * first); MODEL_INVALID for a wrong or used code (*e says which), with
 * the pending secret in secret to show again.
 */
enum model_result mfa_enrol(const struct viewer *v, int64_t session_id,
    const char *code, unsigned char secret[TOTP_SECRET_BYTES],
    const char ***codes, struct check_error *e);

/* The unused recovery codes of v's user, -1 on a database error. */
int64_t mfa_codes_left(const struct viewer *v);

/* What is wrong with a request to turn MFA off or renew the codes:
 * required (403: the organisation requires MFA), the password (400; 401
 * when one wrong password too many ended the session: see
 * login_check_password()), the code (400). */
struct mfa_errors {
	struct check_error required;
	struct check_error password;
	struct check_error code;
};

/* The password and code fields of the MFA page's two forms (their form
 * names differ, one page holds both). */
extern const struct check_field mfa_disable_fields[];
extern const struct check_field mfa_renew_fields[];
extern const struct check_field mfa_reset_fields[];

/*
 * Turn MFA off for v's user in session session_id, with their password
 * and a current TOTP code, in one transaction: secret and recovery codes
 * gone, event mfa_disabled. MODEL_NOT_FOUND when MFA is off;
 * MODEL_INVALID fills *e (a customer that requires MFA: e->required).
 */
enum model_result mfa_disable(const struct viewer *v, int64_t session_id,
    const char *password, const char *code, struct mfa_errors *e);

/*
 * Replace the recovery codes of v's user in session session_id, with
 * their password and a current TOTP code, in one transaction:
 * RECOVERY_CODES new codes in *codes (in v's arena), event
 * recovery_codes_renewed. MODEL_NOT_FOUND when MFA is off; MODEL_INVALID
 * fills *e.
 */
enum model_result mfa_renew_codes(const struct viewer *v, int64_t session_id,
    const char *password, const char *code, struct mfa_errors *e,
    const char ***codes);

/*
 * Reset the MFA of user user_id for an administrator v in session
 * session_id, who confirms with their own password (checked and counted
 * as login_check_password() does) and, if v uses MFA, a current code of
 * theirs, in one transaction: the user's secret and recovery codes gone,
 * every session of theirs ended, a mail to them, event mfa_reset. At the
 * next sign-in they enrol again if their customer requires MFA (and may
 * anyway). MODEL_NOT_FOUND outside v's scope; MODEL_INVALID fills *e:
 * e->required 403 without ACT_USERS, for v's own user and for a user
 * holding a group v lacks (perm_may_change_user), 409 for a user without
 * MFA. *t is the user. v acts as a signed-in user (the password is
 * theirs).
 */
struct user_row;
enum model_result mfa_reset(const struct viewer *v, int64_t session_id,
    int64_t user_id, const char *password, const char *code,
    struct mfa_errors *e, struct user_row *t);

#endif
