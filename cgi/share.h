/*
 * share.h - location shares (issue 16, seed 003's Location Facilitator):
 * the one exception to top-down visibility.
 *
 * An Account Administrator who sees a location (and, if limited to
 * locations, has it among theirs) shares it with an e-mail address; the
 * mail's link works once, for the signed-in user with that address who
 * holds Location Facilitator, in another account. From then on that
 * guest reads the location and the devices of its customer at it, and
 * nothing else of the owner, until the share expires or is revoked, or
 * the location moves to another customer (which revokes its shares):
 * every guest read checks the share and the group again, so each of
 * these ends it on the next request. Every grant, acceptance,
 * revocation and view is an event.
 *
 * The guest's reads live here and nowhere else: perm_scope() never
 * includes a shared location, so every other page, API call and export
 * of the guest stays inside their own subtree.
 */
#ifndef ARBOR_SHARE_H
#define ARBOR_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct viewer;
struct location;

/* The days a share may last at most, and by default. */
#define SHARE_MAX_DAYS 365
#define SHARE_DEFAULT_DAYS 30
/* The shares of a location its page lists (newest first), and the
 * shares a guest's page and API list. */
#define SHARES_SHOWN_MAX 100
/* The devices of each shared location on the guest's overview. */
#define SHARE_OVERVIEW_DEVICES 20

enum share_status {
	SHARE_PENDING,		/* sent, not accepted yet */
	SHARE_ACTIVE,		/* accepted */
	SHARE_EXPIRED,
	SHARE_REVOKED,
	SHARE_ENDED		/* the user who accepted it was deleted */
};

/* "pending", "active", "expired", "revoked", "ended". */
const char *share_status_name(enum share_status s);

/* A share as the location's owner sees it. */
struct location_share {
	int64_t id;
	const char *email;
	const char *shared_by;		/* the sharer's username, if v sees
					 * them */
	int64_t created_at;
	int64_t expires_at;
	int64_t accepted_at;		/* 0: not yet */
	int64_t revoked_at;		/* 0: not revoked */
	enum share_status status;
};

/*
 * Location id, if v sees it, in *l and its shares (the newest
 * SHARES_SHOWN_MAX; *more when older ones exist) in *out, and in
 * *cannot why v may not share it (NULL: v may): 1, 0 (not found), -1
 * (database error).
 */
int share_list_of_location(const struct viewer *v, int64_t id,
    struct location *l, struct location_share **out, size_t *n,
    bool *more, const char **cannot);

/* A share as submitted. */
struct share_input {
	const char *email;	/* trimmed, never NULL */
	const char *expires_on;	/* "YYYY-MM-DD" in v's zone, never NULL */
};

struct share_errors {
	struct check_error email;
	struct check_error expires_on;
};

extern const struct check_field share_error_fields[];

/* The expiry date a new share's form offers: SHARE_DEFAULT_DAYS ahead. */
const char *share_default_expiry(const struct viewer *v);

/*
 * Share location id as v (ACT_LOCATION_SHARES), in one transaction: a
 * well-formed e-mail (400) that has no open share of this location yet
 * (409); an expiry from today to SHARE_MAX_DAYS ahead (400); location id
 * seen by v, and among v's locations if v is limited to some (else
 * MODEL_NOT_FOUND: v could otherwise show devices v does not see).
 * Queues the invitation mail (in the
 * language of the address's user, if there is one, else English) and
 * logs location_shared. Whether a user has that e-mail is never told to
 * v: the answer is the same. On MODEL_DONE *saved is the share's id.
 */
enum model_result share_create(const struct viewer *v, int64_t id,
    const struct share_input *in, struct share_errors *e, int64_t *saved);

/*
 * Revoke share share_id of location id as v, in one transaction: the
 * location as for share_create() and the share its own (else
 * MODEL_NOT_FOUND). A share that had ended (revoked, expired, its guest
 * deleted) stays as it is (MODEL_DONE, *was_open false, no event). Logs
 * location_share_revoked.
 */
enum model_result share_revoke(const struct viewer *v, int64_t id,
    int64_t share_id, bool *was_open);

/*
 * Revoke every open share of location id inside v's write transaction,
 * logging one location_share_revoked event saying why when there were
 * any: what a location's move to another customer does, whose owner
 * granted none of them. 0, or -1 (database error).
 */
int share_end_all(const struct viewer *v, int64_t id, const char *name,
    const char *why);

/* Why an invitation link cannot be accepted by the viewer. */
enum share_refusal {
	SHARE_OK,
	SHARE_UNKNOWN,		/* no such link (malformed or made up) */
	SHARE_REVOKED_LINK,
	SHARE_EXPIRED_LINK,
	SHARE_USED,		/* accepted by someone else, or before */
	SHARE_OTHER_EMAIL,	/* sent to another address than v's */
	SHARE_NOT_FACILITATOR,	/* v lacks Location Facilitator */
	SHARE_SAME_ACCOUNT	/* the location is of v's own account */
};

/* The invitation behind a link, as its invitee sees it. The state of a
 * link sent to another address is not told (SHARE_OTHER_EMAIL first);
 * location and owner are filled only when nothing refuses it. */
struct share_invitation {
	enum share_refusal refusal;
	int64_t share_id;
	bool accepted_by_viewer;
	const char *location;
	const char *owner;		/* the location's customer's name */
	int64_t expires_at;
};

/* The invitation of link token for v: 0, or -1 (database error). */
int share_invitation(const struct viewer *v, const char *token,
    struct share_invitation *out);

/*
 * Accept the invitation of link token as v, in one transaction: nothing
 * refuses it (else MODEL_INVALID with out->refusal saying why). Logs
 * location_share_accepted. On MODEL_DONE out->share_id names the share.
 */
enum model_result share_accept(const struct viewer *v, const char *token,
    struct share_invitation *out);

/* A device of a shared location, as its guest sees it. */
struct shared_device {
	int64_t id;
	const char *unit_id;
	const char *name;
	const char *vehicle_name;
	int64_t registered_at;
};

/* A share as its guest sees it: the location and the first devices. */
struct guest_share {
	int64_t id;
	int64_t location_id;
	const char *location;
	const char *owner;		/* the location's customer's name */
	int64_t expires_at;
	int64_t accepted_at;
	struct shared_device *devices;
	size_t ndevices;
	bool more;			/* devices follow the last one */
};

/*
 * The shares v (ACT_SHARED) accepted that still hold, newest first (at
 * most SHARES_SHOWN_MAX), each with its first devices_each devices
 * (0: none read): 0, or -1 (database error). Logs location_share_viewed
 * for each share listed, saying what it showed.
 */
int share_list_of_guest(const struct viewer *v, size_t devices_each,
    struct guest_share **out, size_t *n);

/*
 * Share share_id of guest v with up to limit devices after device id
 * after: 1, 0 (not v's, revoked or expired: not found), -1 (database
 * error). Logs location_share_viewed.
 */
int share_of_guest(const struct viewer *v, int64_t share_id, int64_t after,
    size_t limit, struct guest_share *out);

#endif
