/*
 * access.c - the access decision, RFID tags and the scan history
 * (access.h).
 */
#include "access.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "event.h"
#include "perm.h"
#include "principal.h"

const char *const access_scan_sort_keys[] = { "time", NULL };
const char *const access_tag_sort_keys[] = { "uid", NULL };

const struct check_field tag_error_fields[] = {
	CHECK_FIELD(struct tag_errors, uid, "uid", "uid"),
	CHECK_FIELD(struct tag_errors, label, "label", "label"),
	CHECK_FIELD(struct tag_errors, user, "user", "user"),
	{ NULL, NULL, 0 }
};

const char *
access_uid(struct arena *a, const char *text)
{
	char *uid = arena_alloc(a, TAG_UID_MAX + 1);
	size_t n = 0;
	const char *c;

	for (c = text; *c != '\0'; c++) {
		if (*c == ':' || *c == '-' || *c == ' ')
			continue;
		if (!isxdigit((unsigned char)*c) || n == TAG_UID_MAX)
			return NULL;
		uid[n++] = (char)toupper((unsigned char)*c);
	}
	uid[n] = '\0';
	return n > 0 ? uid : NULL;
}

/* --------------------------------------------------- the decision */

static int
decide(struct access_decision *out, bool allowed, const char *status,
    const char *reason)
{
	out->allowed = allowed;
	out->status = status;
	out->reason = reason;
	return 1;
}

/*
 * The tag of uid rfid in the account of device_path into out (tag_id,
 * user_id) with whether it is active: 1 found, 0 none of that account
 * (another account's tag is told apart from no tag by nothing), -1.
 * Were two tags of one account to have it (an operator moved a holder
 * between accounts), the first registered counts.
 */
static int
account_tag(const struct viewer *v, const char *device_path,
    const char *rfid, struct access_decision *out, bool *active)
{
	struct db_stmt *s = db_stmt(v->db, STMT_ACCESS_TAG);
	int rc;

	db_bind_text(s, ":uid", rfid);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (!perm_same_account(device_path, db_text(v->arena, s, 3)))
			continue;
		out->tag_id = db_col_int(s, 0);
		*active = db_col_int(s, 1) != 0;
		out->user_id = db_col_int(s, 2);
		break;
	}
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
access_decide(const struct viewer *v, const char *unit_id, int64_t user_id,
    const char *rfid, struct access_decision *out)
{
	struct db_stmt *s = db_stmt(v->db, STMT_ACCESS_DEVICE);
	const char *device_path = NULL, *user_path = NULL;
	bool grouped = false, active = false, tag_active = false;
	int rc;

	memset(out, 0, sizeof(*out));
	db_bind_text(s, ":unit_id", unit_id);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		out->device_id = db_col_int(s, 0);
		device_path = db_text(v->arena, s, 1);
		out->customer_id = db_col_int(s, 2);
		out->location_id = db_col_int(s, 3);
		grouped = db_col_int(s, 4) != 0;
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	if (rfid != NULL) {
		if ((rc = account_tag(v, device_path, rfid, out,
		    &tag_active)) < 0)
			return -1;
		if (rc == 0)
			return decide(out, false, "Invalid", "There is no such "
			    "tag for this device's account.");
		if (!tag_active)
			return decide(out, false, "Blocked", "The tag is "
			    "inactive.");
		user_id = out->user_id;
	}
	s = db_stmt(v->db, STMT_ACCESS_USER);
	db_bind_int(s, ":user_id", user_id);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		active = db_col_int(s, 0) != 0;
		user_path = db_text(v->arena, s, 1);
	}
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return -1;
	/* another account's user is told apart from no user by nothing */
	if (user_path == NULL || !perm_same_account(device_path, user_path)) {
		out->user_id = 0;
		return decide(out, false, "Invalid", "There is no such user "
		    "for this device's account.");
	}
	out->user_id = user_id;
	if (!active)
		return decide(out, false, "Blocked", rfid != NULL ? "The tag's "
		    "holder is inactive." : "The user is inactive.");
	if (grouped) {
		s = db_stmt(v->db, STMT_ACCESS_MEMBER);
		db_bind_int(s, ":device_id", out->device_id);
		db_bind_int(s, ":user_id", user_id);
		if ((rc = db_exists(v->db, s)) < 0)
			return -1;
		if (rc == 0)
			return decide(out, false, "Invalid", "The user is in "
			    "none of the device's user groups.");
	}
	decide(out, true, "Accepted", grouped ? "The user is a member of "
	    "one of the device's user groups." : "The device has no user "
	    "group: it is open to every active user of its account.");
	return ugroup_effect(v, user_id, &out->effect) == 0 ? 1 : -1;
}

enum model_result
access_scan(const struct viewer *v, const char *unit_id, const char *rfid,
    int64_t at, struct access_decision *out)
{
	struct db_stmt *s;
	int rc;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = access_decide(v, unit_id, 0, rfid, out)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	s = db_stmt(v->db, STMT_SCAN_INSERT);
	db_bind_int(s, ":customer_id", out->customer_id);
	db_bind_int(s, ":device_id", out->device_id);
	db_bind_int(s, ":location_id", out->location_id);
	db_bind_text(s, ":uid", rfid);
	db_bind_int(s, ":tag_id", out->tag_id);
	db_bind_int(s, ":user_id", out->user_id);
	db_bind_int(s, ":at", at);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":allowed", out->allowed);
	db_bind_text(s, ":status", out->status);
	db_bind_text(s, ":reason", out->reason);
	return db_finish(v->db, db_exec(v->db, s) != 0, NULL, NULL);
}

/* ------------------------------------------------- the scan history */

/* A row of SCAN_LIST_PAGE into struct access_scan_row. */
static void
fill_scan(struct db_stmt *s, struct arena *a, void *row)
{
	struct access_scan_row *r = row;

	memset(r, 0, sizeof(*r));
	r->id = db_col_int(s, 0);
	r->at = db_col_int(s, 1);
	r->device_id = db_col_int(s, 2);
	r->unit_id = db_col_null(s, 3) ? NULL :
	    db_text(a, s, 3);
	r->uid = db_text(a, s, 4);
	/* NULL: a tag and holder v does not see, or gone */
	if (!db_col_null(s, 6)) {
		r->tag_id = db_col_int(s, 5);
		r->label = db_text(a, s, 6);
	}
	if (!db_col_null(s, 8)) {
		r->user_id = db_col_int(s, 7);
		r->holder = db_text(a, s, 8);
	}
	r->allowed = db_col_int(s, 9) != 0;
	r->status = db_text(a, s, 10);
	r->reason = db_text(a, s, 11);
	/* why a holder v does not see was refused (inactive, in no group)
	 * is theirs: v learns only that the device answered someone */
	if (db_col_int(s, 7) != 0 && r->holder == NULL) {
		r->status = NULL;
		r->reason = "The tag's holder is outside your view.";
	}
}

static const enum stmt_id scan_wide[][2] = {
	{ STMT_SCAN_LIST_ASC_WIDE, STMT_SCAN_LIST_DESC_WIDE } };
static const enum stmt_id scan_narrow[][2] = {
	{ STMT_SCAN_LIST_ASC_NARROW, STMT_SCAN_LIST_DESC_NARROW } };
static const enum stmt_id scan_device[][2] = {
	{ STMT_SCAN_LIST_ASC_DEVICE, STMT_SCAN_LIST_DESC_DEVICE } };
static const enum stmt_id scan_hits[][2] = {
	{ STMT_SCAN_LIST_ASC_HITS, STMT_SCAN_LIST_DESC_HITS } };
static const enum stmt_id scan_denied[][2] = {
	{ STMT_SCAN_LIST_ASC_DENIED, STMT_SCAN_LIST_DESC_DENIED } };

int
access_scan_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	struct rows_list l = { STMT_SCAN_LIST_COUNT, false, scan_narrow, 1,
	    STMT__MAX, sizeof(struct access_scan_row), fill_scan };
	int64_t devices = 0, table = 0, hits;
	struct db_stmt *s;
	int rc;

	if (!perm_may_read(v, ACT_ACCESS_CONTROL))
		return 0;
	if (lq->device_id != 0) {
		s = db_stmt(v->db, STMT_SCAN_DEVICE_SEEN);
		db_bind_int(s, ":device_id", lq->device_id);
		perm_bind_scope(s, &v->scope);
		if ((rc = db_exists(v->db, s)) != 1)
			return rc;
		l.sorted = scan_device;
		l.count = STMT_SCAN_LIST_COUNT_DEVICE;
	} else {
		/* the scope's share of the devices stands for its share of
		 * the scans, which nothing counts */
		if (rows_pair(v, STMT_DEVICES_SHARE, lq, &devices,
		    &table) != 0)
			return -1;
		if (devices > 0 && devices * 3 >= table)
			l.sorted = scan_wide;
		/* the refusals: their own index, whatever the scope */
		if (lq->result == LIST_RESULT_DENIED) {
			l.sorted = scan_denied;
			l.count = STMT_SCAN_LIST_COUNT_DENIED;
		}
		/* a search: its few candidates, else the plan above (many
		 * match, so the page fills soon) */
		if (*lq->lo != '\0') {
			if ((hits = rows_candidates(v,
			    STMT_SCAN_HIT_CANDIDATES, lq)) < 0)
				return -1;
			if (hits <= LIST_COUNT_BOUND)
				l.sorted = scan_hits;
		}
	}
	return rows_read_list(v, &l, lq, out);
}

/* ------------------------------------------------------------ tags */

/* A row of TAG_COLUMNS into struct rfid_tag. */
static void
fill_tag(struct db_stmt *s, struct arena *a, void *row)
{
	struct rfid_tag *t = row;

	t->id = db_col_int(s, 0);
	t->uid = db_text(a, s, 1);
	t->label = db_text(a, s, 2);
	t->user_id = db_col_int(s, 3);
	t->holder = db_text(a, s, 4);
	t->active = db_col_int(s, 5) != 0;
	t->created_at = db_col_int(s, 6);
	t->updated_at = db_col_int(s, 7);
}

static const enum stmt_id tag_narrow[][2] = {
	{ STMT_TAG_LIST_ASC_NARROW, STMT_TAG_LIST_DESC_NARROW } };
static const enum stmt_id tag_wide[][2] = {
	{ STMT_TAG_LIST_ASC_WIDE, STMT_TAG_LIST_DESC_WIDE } };

int
access_tag_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	struct rows_list l = { STMT_TAG_LIST_COUNT, false, tag_narrow, 1,
	    STMT__MAX, sizeof(struct rfid_tag), fill_tag };
	int64_t users = 0, table = 0;

	if (!perm_may_read(v, ACT_ACCESS_CONTROL))
		return 0;
	/* the scope's share of the users stands for its share of the tags */
	if (rows_pair(v, STMT_USERS_SHARE, lq, &users, &table) != 0)
		return -1;
	if (users > 0 && users * 3 >= table) {
		l.sorted = tag_wide;
		l.count = STMT_TAG_LIST_COUNT_WIDE;
	}
	return rows_read_list(v, &l, lq, out);
}

int
access_tag_get(const struct viewer *v, int64_t id, struct rfid_tag *t)
{
	if (!perm_may_read(v, ACT_ACCESS_CONTROL))
		return 0;
	return rows_read_one(v, STMT_TAG_GET, id, fill_tag, t);
}

/* The holder in->user names, if v sees them, into *holder and *path. */
static int
find_holder(const struct viewer *v, const char *name, int64_t *holder,
    const char **path)
{
	struct db_stmt *s = db_stmt(v->db, STMT_TAG_HOLDER);
	int rc;

	db_bind_text(s, ":name", name);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		*holder = db_col_int(s, 0);
		*path = db_text(v->arena, s, 2);
	}
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Whether another tag than id of the account of path has uid: 1, 0, -1. */
static int
uid_taken(const struct viewer *v, int64_t id, const char *uid,
    const char *path)
{
	struct db_stmt *s = db_stmt(v->db, STMT_TAG_UID_HOLDERS);
	int rc, taken = 0;

	db_bind_text(s, ":uid", uid);
	db_bind_int(s, ":id", id);
	while (!taken && (rc = db_step(v->db, s)) == DB_ROW)
		taken = perm_same_account(path, db_text(v->arena, s, 0));
	db_reset(s);
	return taken ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Check in as v into *uid and *holder, filling *e: 0, or -1. */
static int
check_tag(const struct viewer *v, int64_t id, const struct tag_input *in,
    struct tag_errors *e, const char **uid, int64_t *holder)
{
	const char *path = NULL;
	size_t digits;
	int rc;

	*uid = access_uid(v->arena, in->uid);
	digits = *uid != NULL ? strlen(*uid) : 0;
	if (digits < TAG_UID_MIN)
		check_fail(&e->uid, 400, "Enter the tag's uid: 8 to 20 hex "
		    "digits (0-9, A-F), as the reader shows it.");
	if (!check_plain(in->label, false) ||
	    check_chars(in->label) > TAG_LABEL_MAX)
		check_fail(&e->label, 400, "Enter a label of at most 200 "
		    "characters on one line.");
	if (*in->user == '\0') {
		check_fail(&e->user, 400, "Enter the username or e-mail of "
		    "the user who holds the tag.");
		return 0;
	}
	if ((rc = find_holder(v, in->user, holder, &path)) < 0)
		return -1;
	if (rc == 0) {
		check_fail(&e->user, 404, "There is no such user among those "
		    "you see.");
		return 0;
	}
	if (digits >= TAG_UID_MIN) {
		if ((rc = uid_taken(v, id, *uid, path)) < 0)
			return -1;
		if (rc == 1)
			check_fail(&e->uid, 409, "Another tag of this account "
			    "has this uid.");
	}
	return 0;
}

enum model_result
access_tag_save(const struct viewer *v, int64_t id,
    const struct tag_input *in, struct tag_errors *e, int64_t *saved)
{
	struct rfid_tag cur;
	const char *uid = NULL;
	int64_t holder = 0;
	struct db_stmt *s;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!perm_allows(v, ACT_ACCESS_CONTROL))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (id != 0 && (rc = access_tag_get(v, id, &cur)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	failed = check_tag(v, id, in, e, &uid, &holder) != 0;
	if (!failed && check_count(e, tag_error_fields) == 0) {
		s = db_stmt(v->db, id == 0 ? STMT_TAG_INSERT : STMT_TAG_UPDATE);
		if (id != 0)
			db_bind_int(s, ":id", id);
		db_bind_text(s, ":uid", uid);
		db_bind_int(s, ":user_id", holder);
		db_bind_text(s, ":label", in->label);
		db_bind_int(s, ":active", in->active);
		db_bind_int(s, ":now", v->now);
		failed = db_exec(v->db, s) != 0;
		if (!failed) {
			*saved = id != 0 ? id : db_last_id(v->db);
			event_log(v, id == 0 ? "rfid_tag_created" :
			    "rfid_tag_updated", holder, perm_actor(v),
			    arena_printf(v->arena, "tag %s (%lld)%s", uid,
			    (long long)*saved, in->active ? "" :
			    ", inactive"));
		}
	}
	return db_finish(v->db, failed, e, tag_error_fields);
}
