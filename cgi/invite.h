/*
 * invite.h - invitations (issue 17, seed 003's "Create Invite"; seed
 * 004's "invited manually"): an administrator invites one e-mail address
 * to a customer of their subtree with permission groups they hold and
 * locations; the invitee chooses a username and password on the link's
 * page and becomes a user, with the account's auto-assign groups.
 *
 * A link is 32 random bytes of which only the hash is kept; it works
 * once, until it expires (1 to 30 days), and dies when the invitation is
 * revoked or sent again (a new link, the days start again). When it is
 * accepted, the inviter must still hold the groups and see the customer:
 * an administrator who lost them grants nothing through their old
 * invitations.
 */
#ifndef ARBOR_INVITE_H
#define ARBOR_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "rows.h"

struct viewer;
struct user_errors;
struct user_joining;

#define INVITE_DAYS_MIN 1
#define INVITE_DAYS_MAX 30
#define INVITE_DAYS_DEFAULT 7
#define INVITE_MESSAGE_MAX 500

/* "pending", "accepted", "expired", "revoked" (list.h LIST_STATUS_*). */
const char *invite_status_name(int status);

/* An invitation as the viewer sees it. */
struct invite {
	int64_t id;
	const char *email;
	int64_t customer_id;
	const char *customer;
	unsigned groups;
	const char *invited_by;	/* the inviter's username if v sees them */
	int64_t created_at;
	int64_t sent_at;
	int64_t expires_at;
	int64_t accepted_at;	/* 0: not */
	int64_t revoked_at;	/* 0: not */
	int64_t user_id;	/* the user it made, if v sees them; else 0 */
	const char *username;
	const char *message;
	int64_t days;
	int status;		/* LIST_STATUS_* */
};

extern const char *const invite_sort_keys[];

/* The invitations of v's subtree (ACT_USERS, read) by lq: q searches the
 * address, lq->status filters. 0, or -1 (database error). */
int invite_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* Invitation id if v sees it: 1, 0 (not found), -1. Its locations'
 * names (those that still exist) in *locations, *n. */
int invite_get(const struct viewer *v, int64_t id, struct invite *out,
    const char ***locations, size_t *n);

/* An invitation as submitted. */
struct invite_input {
	const char *email;		/* trimmed, never NULL */
	int64_t customer_id;		/* 0: not given or not an id */
	const char *const *groups;	/* group keys */
	size_t ngroups;
	const int64_t *locations;	/* 0: not an id */
	size_t nlocations;
	const char *expires_days;	/* as typed; "" for the default */
	const char *message;		/* plain text, never NULL */
};

struct invite_errors {
	struct check_error email;
	struct check_error customer_id;
	struct check_error groups;
	struct check_error locations;
	struct check_error expires_days;
	struct check_error message;
};

extern const struct check_field invite_error_fields[];

/*
 * Invite in->email as v (ACT_USERS), in one transaction: the address
 * well-formed (400), not a user's (409, counted by the guard like every
 * 409), without a working invitation to the same customer (409: resend
 * that one), not sent more mail this hour than the guard allows (429);
 * customer, groups and locations as the Users form checks them
 * (user_check_placement); expires_days 1 to 30; message at most 500
 * characters. Queues the mail (in the account's language) and logs
 * invite_created. MODEL_DONE sets *saved.
 */
enum model_result invite_create(const struct viewer *v,
    const struct invite_input *in, struct invite_errors *e, int64_t *saved);

/*
 * Send invitation id again with a new link (the old one dies, the days
 * start again), or revoke it, as v (ACT_USERS): an invitation v sees
 * (else MODEL_NOT_FOUND) that was not accepted or revoked (MODEL_INVALID
 * with *why). A resend is refused while the address had its mails of the
 * hour (MODEL_INVALID, *status 429). Logs invite_resent / invite_revoked.
 */
enum model_result invite_resend(const struct viewer *v, int64_t id,
    const char **why, int *status);
enum model_result invite_revoke(const struct viewer *v, int64_t id,
    const char **why);

/* An invitation as the person who got its link sees it. */
struct invitation {
	int64_t id;
	const char *email;
	int64_t customer_id;
	const char *customer;
	unsigned groups;
	int64_t invited_by;
	const char *inviter;	/* the inviter's full name or username */
	const char *message;
	int64_t expires_at;
};

/* The invitation of link token if it still works: 1, 0 (unknown,
 * accepted, revoked, expired, or its inviter may no longer give it), -1. */
int invite_find(const struct viewer *v, const char *token,
    struct invitation *out);

/*
 * Accept the invitation of link token with the username, full name and
 * password of j (its e-mail is the invitation's), in one transaction:
 * j by user_check_joining (MODEL_INVALID, *e), the link as invite_find
 * says (MODEL_NOT_FOUND), then user_onboard() (409: the address or the
 * username is taken) with the invitation's customer, groups and the
 * locations still at that customer; the invitation accepted; event
 * invite_accepted. *out is the invitation (from MODEL_INVALID on).
 */
enum model_result invite_accept(const struct viewer *v, const char *token,
    const struct user_joining *j, struct user_errors *e,
    struct invitation *out);

#endif
