/*
 * access.h - access control (issue 15, seed 004 and Access Control
 * Management): the one decision "may this person use this device, at
 * what discount, paid by whom", the RFID tags that name people to
 * devices, and the scans devices report.
 *
 * access_decide() is the only place that answers the question, for
 * POST /api/v1/authorize and for every recorded scan alike. A tag is
 * seen by whoever sees its holder; a scan by whoever sees the customer
 * its device had at the time of the scan.
 */
#ifndef ARBOR_ACCESS_H
#define ARBOR_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "rows.h"
#include "usergroup.h"

struct arena;
struct viewer;

/* A tag's uid: hex digits (OCPP 1.6's idTag is at most 20 characters). */
#define TAG_UID_MIN 8
#define TAG_UID_MAX 20
#define TAG_LABEL_MAX 200

/*
 * text as a uid: its hex digits in upper case, with the separators a
 * reader prints (':', '-', ' ') dropped, if it has from 1 to TAG_UID_MAX
 * of them and nothing else; else NULL. A tag needs TAG_UID_MIN; a scan
 * reports whatever its reader read.
 */
const char *access_uid(struct arena *a, const char *text);

/*
 * The decision (seed 004) for the user user_id, or the holder of the tag
 * rfid (a uid as access_uid() gives it), at the device with unit id
 * unit_id, seen by v. A device with no user group is open to every
 * active user of its account (its root customer and below); a device
 * with groups to the active members of at least one of them. status is
 * OCPP 1.6's idTagInfo status: "Accepted"; "Blocked" (an inactive user
 * or tag); "Invalid" (an unknown tag or user, one of another account,
 * or a user in none of the device's groups: another account's tag or
 * user reads as unknown). When allowed, effect holds the user's groups,
 * discount and payer.
 */
struct access_decision {
	bool allowed;
	const char *status;
	const char *reason;
	int64_t device_id;
	int64_t customer_id;	/* the device's */
	int64_t location_id;	/* the device's, 0: none */
	int64_t tag_id;		/* the tag rfid named, 0: none */
	int64_t user_id;	/* the user asked about or the tag's
				 * holder, 0: none of the account */
	struct ugroup_effect effect;
};

/* Exactly one of user_id (0: none) and rfid (NULL: none) is given.
 * 1 decided, 0 (no such device in v's view), -1 (database error). */
int access_decide(const struct viewer *v, const char *unit_id,
    int64_t user_id, const char *rfid, struct access_decision *out);

/*
 * Decide as access_decide() for the tag rfid at unit_id and record the
 * scan, reported for time at (the device's clock), in one transaction:
 * MODEL_DONE, MODEL_NOT_FOUND (no such device in v's view) or
 * MODEL_FAILED.
 */
enum model_result access_scan(const struct viewer *v, const char *unit_id,
    const char *rfid, int64_t at, struct access_decision *out);

/* A scan of the history. Tag and holder are named only when v sees the
 * holder (0 and NULL otherwise, or when they are gone). */
struct access_scan_row {
	int64_t id;		/* first: the list's position */
	int64_t at;
	int64_t device_id;	/* 0: the device was deleted */
	const char *unit_id;	/* NULL: likewise */
	const char *uid;
	int64_t tag_id;
	const char *label;
	int64_t user_id;
	const char *holder;	/* username */
	bool allowed;
	const char *status;	/* NULL for a holder v does not see, whose */
	const char *reason;	/* reason is not told either */
};

/* The history's sort keys: the time of the scan alone. */
extern const char *const access_scan_sort_keys[];

/*
 * One page of the scans v sees (ACT_ACCESS_CONTROL), matching lq: q by
 * the start of a uid, unit id, or holder's username or e-mail;
 * device_id (a device of v's customers, else 0 like any filter outside
 * the view); result. As struct access_scan_row: 1, 0, or -1.
 */
int access_scan_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* An RFID tag. */
struct rfid_tag {
	int64_t id;		/* first: the list's link */
	const char *uid;
	const char *label;
	int64_t user_id;
	const char *holder;	/* username */
	bool active;
	int64_t created_at;
	int64_t updated_at;
};

/* The tag list's sort keys: the uid alone. */
extern const char *const access_tag_sort_keys[];

/* One page of the tags v sees, matching lq's q (uid, label, holder's
 * username or e-mail), as struct rfid_tag: 1, or -1. */
int access_tag_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out);

/* Tag id, if v sees its holder: 1, 0 (not found), -1. */
int access_tag_get(const struct viewer *v, int64_t id, struct rfid_tag *t);

/* A tag as submitted. */
struct tag_input {
	const char *uid;	/* trimmed, never NULL */
	const char *label;
	const char *user;	/* the holder's username or e-mail */
	bool active;
};

struct tag_errors {
	struct check_error uid;
	struct check_error label;
	struct check_error user;
};

extern const struct check_field tag_error_fields[];

/*
 * Create (id 0) or change tag id as v (ACT_ACCESS_CONTROL), in one
 * transaction: a uid of TAG_UID_MIN to TAG_UID_MAX hex digits (400) no
 * other tag of the holder's account has (409; another account's tags
 * are not looked at); a label of at most TAG_LABEL_MAX characters on
 * one line (400); a holder v sees (404, like an unknown one); tag id
 * seen by v (else MODEL_NOT_FOUND). Logs rfid_tag_created or
 * rfid_tag_updated. On MODEL_DONE *saved is the tag's id.
 */
enum model_result access_tag_save(const struct viewer *v, int64_t id,
    const struct tag_input *in, struct tag_errors *e, int64_t *saved);

#endif
