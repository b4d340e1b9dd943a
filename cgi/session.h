/*
 * session.h - browser sessions, CSRF tokens and flash messages.
 *
 * The session cookie __Host-arbor_session holds a random token; the
 * sessions table holds its hash. A session ends after idle_minutes
 * without a request or absolute_hours after login, at logout, and when
 * its user is deactivated or changes password.
 *
 * A CSRF token is a MAC (keyed BLAKE2b) of the session's token hash, so
 * it needs no storage and is worthless for any other session. Before
 * login, forms are bound the same way to a random pre-session cookie
 * (__Host-arbor_pre), which stops login CSRF.
 */
#ifndef ARBOR_SESSION_H
#define ARBOR_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"

struct request;

struct session {
	int64_t id;
	int64_t user_id;
	bool mfa_passed;
	int mfa_failures;
	int64_t created_at;
	int64_t last_seen_at;
	unsigned char hash[TOKEN_HASH_BYTES];
};

/* Where a logged-in user stands: everything but STAGE_FULL confines the
 * session to the pages of that step (route flags in routes.c). */
enum auth_stage {
	STAGE_MFA,		/* password given, TOTP code still due */
	STAGE_PASSWORD,		/* must change an administrator-set password */
	STAGE_ENROL,		/* the customer requires MFA: enrol first */
	STAGE_FULL
};

/* Read the session cookie; on a live session set req->session and
 * req->user. An expired session is deleted and req->session_expired set. */
void session_load(struct request *req);

/* Start a new session for user_id (a new token: never reuse the old
 * one), set the cookie and req->session/req->user. 0 or -1. */
int session_start(struct request *req, int64_t user_id);

/* Delete the current session and its cookie. */
void session_end(struct request *req);

/* The stage of the current session; call only when req->user is set. */
enum auth_stage session_stage(const struct request *req);

/* The CSRF token for this request's forms (sets the pre-session cookie
 * when there is neither session nor pre-session yet). */
const char *csrf_token(struct request *req);

/* Whether the POST carries the csrf_token this session expects. */
bool csrf_valid(struct request *req);

/* A message for the next page (post/redirect/get), in a MAC'ed cookie. */
void flash_set(struct request *req, const char *msg);
/* Move the flash cookie, if valid, into req->flash and clear it. */
void flash_take(struct request *req);

#endif
