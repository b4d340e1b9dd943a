/*
 * login.h - signing in and out: the password step (with the brute-force
 * guard), the MFA step, and the rows of the sessions table that a
 * browser's session cookie stands for.
 *
 * A wrong password, an unknown user, an inactive user and an account
 * locked from the client's address get the same answer, and an unknown
 * user is checked against a dummy hash so that the answer also takes the
 * same time: signing in must not tell which usernames exist, nor which
 * are locked. Each step is one function that owns its write
 * transaction and events; session.c turns what they return into cookies
 * and the request's principal, so nothing here sees a request.
 */
#ifndef ARBOR_LOGIN_H
#define ARBOR_LOGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "check.h"

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
	LOGIN_WRONG,		/* unknown user, inactive user, wrong password,
				 * an account locked from this address or a
				 * wrong code: one answer */
	LOGIN_USED,		/* MFA step: a TOTP code used already (the
				 * same code again), counted as a wrong one:
				 * the next code will do */
	LOGIN_RESTART,		/* MFA step: too many wrong codes in this
				 * session, which is now ended */
	LOGIN_LOCKED,		/* the address is throttled or locked (the
				 * password step) or the account locked from
				 * it (the MFA step, whose session is now
				 * ended): wait some minutes */
	LOGIN_FAILED		/* a database error; nothing changed */
};

/* The password step's input. */
struct login_attempt {
	const char *login;	/* username or e-mail, not empty */
	const char *password;	/* not empty */
	const char *user_agent;	/* kept with the session: valid UTF-8,
				 * at most HTTP_USER_AGENT_MAX bytes */
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
 * The password step as v (nobody yet, or the browser's old user). The
 * address first: LOGIN_LOCKED, before the password is hashed, when it
 * is locked for its failures or has used up its attempts of the minute
 * (right ones count too). Then the password: on success, in one
 * transaction, end the old session, start a new one (*out; the user's
 * oldest sessions end beyond [session] max_per_user), record the login
 * time and log login, clearing the account's failures from this
 * address, or login_password when the MFA step is still due (which
 * clears them once it passes). A wrong password, an unknown or inactive
 * user, and an account locked from this address (whatever the password)
 * are LOGIN_WRONG alike, after the same argon2id work; the failure is
 * counted and logged as login_failed.
 */
enum login_result login_password(const struct viewer *v,
    const struct login_attempt *in, struct login_session *out);

/*
 * The MFA step of v's user in session s with code (TOTP or recovery
 * code), in one transaction: a right code marks the session as passed,
 * gives it a new token (*token, in v's arena: the one that went with the
 * password alone stops working), clears the account's failures from this
 * address and logs login (or login_recovery_code). A wrong one counts in
 * the session and against the account like a wrong password
 * (mfa_failed), and so does a right one used already (LOGIN_USED: it
 * may be a replay); the last one allowed ends the session (mfa_restart,
 * LOGIN_RESTART), so a stolen password alone gets few guesses. When the
 * account or address is locked, before the code or by it, the session
 * ends too: LOGIN_LOCKED with the minutes to wait in *wait.
 */
enum login_result login_mfa(const struct viewer *v, const struct session *s,
    const char *code, const char **token, int64_t *wait);

/* Give session id a new token, inside the caller's write transaction:
 * the new cookie value in v's arena, NULL on a database error. */
const char *login_session_rotate(const struct viewer *v, int64_t id);

/*
 * Check the current password of v's user, asked for again in session
 * session_id (a new password, MFA off, new recovery codes). A right one
 * clears the count: MODEL_DONE. A wrong one counts against the account
 * and is logged (password_check_failed): MODEL_INVALID with *e (400);
 * the one that reaches [login] max_password_checks within the window
 * ends the session (password_check_restart), so that whoever holds a
 * stolen session cannot guess on: *e is 401 then, and the flow must stop.
 * MODEL_FAILED on a database error.
 */
enum model_result login_check_password(const struct viewer *v,
    int64_t session_id, const char *password, struct check_error *e);

/* Sign v's user out of session id: the session ends and the event logout
 * is logged, in one transaction. 0 or -1. */
int login_sign_out(const struct viewer *v, int64_t id);

/* End session id, without an event (what ended it logged its own). 0 or
 * -1. */
int login_session_end(const struct viewer *v, int64_t id);

#endif
