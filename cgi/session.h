/*
 * session.h - browser sessions, CSRF tokens and flash messages: the
 * request's side of signing in (cookies and the principal); the rows and
 * the rules are login.c's.
 *
 * The session cookie __Host-arbor_session holds a random token; the
 * sessions table holds its hash. A session ends after idle_minutes
 * without a request or absolute_hours after login, at logout, when its
 * user is deactivated or changes password elsewhere, when the user's
 * max_per_user newer sessions push it out, and after too many wrong
 * current passwords in it. Its token is new at login, after the MFA
 * step and after a password change in it.
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

#include "login.h"

struct request;

/* Read the session cookie; on a live session set req->session and
 * req->user (the caller rebuilds req->viewer). An expired session is
 * deleted and req->session_expired set. */
void session_load(struct request *req);

/* Make the session the password step started (login_password) this
 * request's: its cookie, req->session, req->user and req->viewer; forms
 * from now on belong to it. */
void session_set(struct request *req, const struct login_session *ls);

/* The current session's new token (login_session_rotate): its cookie;
 * forms from now on carry the CSRF token that goes with it. */
void session_renew(struct request *req, const char *token);

/* The model ended the current session (too many wrong passwords): forget
 * it and send the browser to sign in again, saying why (msg). */
void session_signed_out(struct request *req, const char *msg);

/* End the current session: its row, its cookie and the principal. */
void session_end(struct request *req);

/* Forget the current session whose row a model has already ended: its
 * cookie and the principal. */
void session_drop(struct request *req);

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

/*
 * A secret a POST made (an API token's), for the next page of this
 * session only: post/redirect/get without a second token on a reload. It
 * is sealed in a cookie under a key of the MAC key and this session's
 * hash, so neither the database nor another session can open it, and
 * bound to id (the token it belongs to); the cookie lasts 5 minutes.
 * reveal_take() gives it back for id once and deletes the cookie; NULL
 * when there is none for id.
 */
void reveal_set(struct request *req, int64_t id, const char *secret);
const char *reveal_take(struct request *req, int64_t id);

#endif
