/*
 * login.h - signing in and out: the password step (with the brute-force
 * guard), the MFA step, and the rows of the sessions table that a
 * browser's session cookie stands for.
 *
 * A wrong password, an unknown user and an inactive user get the same
 * answer, and an unknown user is checked against a dummy hash so that the
 * answer also takes the same time: signing in must not tell which
 * usernames exist. Each step is one function that owns its write
 * transaction and events; session.c turns what they return into cookies
 * and the request's principal, so nothing here sees a request.
 */
#ifndef ARBOR_LOGIN_H
#define ARBOR_LOGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"

struct user;
struct viewer;

/* A row of the sessions table. */
struct session {
	int64_t id;
	int64_t user_id;
	bool mfa_passed;
	int mfa_failures;
	int64_t created_at;
	int64_t last_seen_at;
	unsigned char hash[TOKEN_HASH_BYTES];	/* of the cookie's token */
};

/* Where a logged-in user stands: everything but STAGE_FULL confines the
 * session to the pages of that step (route flags in routes.c). */
enum auth_stage {
	STAGE_MFA,		/* password given, TOTP code still due */
	STAGE_PASSWORD,		/* must change an administrator-set password */
	STAGE_ENROL,		/* the customer requires MFA: enrol first */
	STAGE_FULL
};

/* The stage of user u in session s. */
enum auth_stage login_stage(const struct user *u, const struct session *s);

/* What a session cookie stands for. */
enum session_state {
	SESSION_LIVE,		/* a session in time, of an active user */
	SESSION_EXPIRED,	/* unknown, or idle or too old (now deleted) */
	SESSION_REFUSED		/* its user is gone or inactive (now deleted;
				 * deactivation ends sessions, this catches
				 * any left over) */
};

/*
 * The session whose token hashes to s->hash: on SESSION_LIVE the rest of
 * *s and its user in *u (v's arena); its last use is recorded at most
 * once a minute. v is the request's anonymous viewer.
 */
enum session_state login_resume(const struct viewer *v, struct session *s,
    struct user **u);

/* The answers of the two steps of signing in. */
enum login_result {
	LOGIN_DONE,		/* signed in: the password step passed, or
				 * the MFA step with a TOTP code */
	LOGIN_RECOVERY,		/* MFA step: passed with a recovery code,
				 * now used up */
	LOGIN_WRONG,		/* unknown user, inactive user, wrong password
				 * or wrong code: one answer */
	LOGIN_RESTART,		/* MFA step: too many wrong codes in this
				 * session, which is now ended */
	LOGIN_LOCKED,		/* too many failures: wait some minutes */
	LOGIN_FAILED		/* a database error; nothing changed */
};

/* The password step's input. */
struct login_attempt {
	const char *login;	/* username or e-mail, not empty */
	const char *password;	/* not empty */
	const char *user_agent;	/* kept with the session, cut short */
	int64_t old_session;	/* the browser's session so far, 0: none;
				 * a login always starts a new one */
};

/* What the password step gives. */
struct login_session {
	struct session *session;	/* LOGIN_DONE: the new session, */
	struct user *user;		/* its user */
	const char *token;		/* and the cookie's value */
	int64_t wait;			/* LOGIN_LOCKED: the minutes to wait */
};

/*
 * The password step as v (nobody yet, or the browser's old user): check
 * the password against the brute-force guard; on success, in one
 * transaction, end the old session, start a new one (*out), record the
 * login time, clear the account's failures and log login (or
 * login_password when the MFA step is still due). A failure is counted
 * (LOGIN_LOCKED when it locked the account or the address) and logged
 * as login_failed.
 */
enum login_result login_password(const struct viewer *v,
    const struct login_attempt *in, struct login_session *out);

/*
 * The MFA step of v's user in session s with code (TOTP or recovery
 * code), in one transaction: a right code marks the session as passed,
 * clears the account's failures and logs login (or login_recovery_code).
 * A wrong one counts in the session and against the account like a wrong
 * password (mfa_failed); the last one allowed ends the session
 * (mfa_restart, LOGIN_RESTART), so a stolen password alone gets few
 * guesses. LOGIN_LOCKED puts the minutes to wait in *wait.
 */
enum login_result login_mfa(const struct viewer *v, const struct session *s,
    const char *code, int64_t *wait);

/* Sign v's user out of session id: the session ends and the event logout
 * is logged, in one transaction. 0 or -1. */
int login_sign_out(const struct viewer *v, int64_t id);

/* End session id, without an event (what ended it logged its own). 0 or
 * -1. */
int login_session_end(const struct viewer *v, int64_t id);

#endif
