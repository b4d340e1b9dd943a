/*
 * password.h - passwords: the policy, the one way a password is set, and
 * the set-up and reset links (the welcome mail, "forgot password").
 *
 * Whoever sets a password (the user on the profile page or through a
 * link, an administrator, arborctl) sets it with password_set(), which
 * voids every outstanding link of the user, ends the user's sessions
 * (all of them, but the one changing its own password on the profile
 * page) and records the event, inside the caller's write transaction.
 * Hashing (argon2id, ~50 ms and 64 MiB) happens before that transaction
 * begins: never while it holds the database's write lock.
 *
 * A link is /password/setup/TOKEN (welcome mail, 72 hours) or
 * /password/reset/TOKEN (forgot password, 1 hour). TOKEN is 32 random
 * bytes; user_links keeps only its hash, and a link works once.
 */
#ifndef ARBOR_PASSWORD_H
#define ARBOR_PASSWORD_H

#include <stdint.h>

#include "check.h"

struct viewer;

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128
#define PASSWORD_MAX_BYTES (PASSWORD_MAX_CHARS * 4)

/*
 * Check a new password against the policy: 12 to 128 characters (any
 * Unicode, compared byte for byte), not the username or e-mail, not a
 * dictionary word (cracklib), and at least 10^8 guesses by zxcvbn's
 * estimate (which knows common passwords, words and names, repeats,
 * sequences, keyboard rows, dates and the username and e-mail inside
 * it). NULL when acceptable, else a sentence for the form that says why
 * and what helps.
 */
const char *password_policy(const char *pw, const char *username,
    const char *email);

/* Who sets a password, which decides the event and whether it must be
 * changed at the next sign-in. */
enum password_why {
	PASSWORD_OWN,		/* the user, with the current one (profile) */
	PASSWORD_OWN_FORCED,	/* the same, replacing one an administrator
				 * set (the forced change) */
	PASSWORD_SETUP_LINK,	/* the user, through the welcome mail's link */
	PASSWORD_RESET_LINK,	/* the user, through a forgot-password link */
	PASSWORD_BY_ADMIN,	/* an administrator: changed at next sign-in */
	PASSWORD_BY_CLI		/* arborctl passwd, operator add */
};

/*
 * Give user_id the password of hash (argon2id, made before the write
 * transaction) as v, for why, inside the caller's write transaction:
 * password_lock_out() (every outstanding link void, every session of the
 * user ended but keep_session -- the profile's own session; 0 for every
 * other why -- every API token revoked) and log the event
 * (password_changed, password_reset, password_set_by_admin or
 * password_set). The user's own change revokes their tokens too: whoever
 * knew the old password may have made one, and a change is what a user
 * does who fears just that. 0, or -1 (no such user, or a database
 * error).
 */
int password_set(const struct viewer *v, int64_t user_id, const char *hash,
    enum password_why why, int64_t keep_session);

/* password_set() in a write transaction of its own: MODEL_DONE, or
 * MODEL_FAILED with nothing changed. */
enum model_result password_save(const struct viewer *v, int64_t user_id,
    const char *hash, enum password_why why, int64_t keep_session);

/* End every session of user_id but keep_session (0: all), void their
 * outstanding links and revoke their API tokens (token_revoke_all, the
 * event by actor), inside the caller's write transaction: what a new
 * password and a deactivation both do. 0 or -1. */
int password_lock_out(const struct viewer *v, int64_t user_id,
    int64_t actor, int64_t keep_session);

/* Void every outstanding link of user_id, inside the caller's write
 * transaction: what password_lock_out() does to links, and what a new
 * e-mail address does (the links went to the old one). 0 or -1. */
int password_links_void(const struct viewer *v, int64_t user_id);

/*
 * Make a single-use link for user_id ("setup": 72 hours, "reset": 1 hour)
 * and queue the mail that carries it to email, inside the caller's write
 * transaction. Only the token's hash is stored. Returns 0 or -1.
 */
int password_link_send(const struct viewer *v, int64_t user_id,
    const char *purpose, const char *email, const char *username,
    const char *full_name);

/* What is wrong with the fields of the password forms. */
struct password_errors {
	struct check_error email;
	struct check_error current_password;
	struct check_error new_password;
	struct check_error confirm_password;
};

/* The fields of struct password_errors, in the order they are reported. */
extern const struct check_field password_error_fields[];

/*
 * Forgot password: when email belongs to an active user who is not an
 * operator (operators use arborctl passwd), and fewer than 3 reset links
 * went to them in the last hour, make a reset link and queue its mail.
 * Whether or not that happened, one transaction writes one event, so the
 * answer looks and takes the same. MODEL_INVALID (e->email) when email is
 * not an address at all.
 */
enum model_result password_forgot(const struct viewer *v, const char *email,
    struct password_errors *e);

/* A link that can still be used, and its user. */
struct password_link {
	int64_t id;
	int64_t user_id;
	const char *username;
	const char *email;
};

/* Link token for purpose ("setup" or "reset") if it can still be used:
 * known, unused, unexpired, its user active. 1 (*l filled), 0 (no such
 * link, which a malformed token is too), -1 on a database error. */
int password_link_find(const struct viewer *v, const char *purpose,
    const char *token, struct password_link *l);

/*
 * Set the password of link token's user to pw, typed again as confirm:
 * the policy (e->new_password) and the same text twice
 * (e->confirm_password) or MODEL_INVALID with *l filled; then, in one
 * transaction, the link is used (single use: of two requests with the
 * same link one sets the password, the other finds MODEL_NOT_FOUND) and
 * password_set() does the rest. MODEL_NOT_FOUND as password_link_find().
 */
enum model_result password_link_use(const struct viewer *v,
    const char *purpose, const char *token, const char *pw,
    const char *confirm, struct password_errors *e, struct password_link *l);

#endif
