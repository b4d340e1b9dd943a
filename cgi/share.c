/*
 * share.c - location shares: the owner's grant and revocation, the
 * guest's acceptance and reads (share.h).
 */
#include "share.h"

#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "location.h"
#include "mail.h"
#include "perm.h"
#include "principal.h"
#include "timefmt.h"
#include "tval.h"

#define DAY (24 * 3600)

const char *
share_status_name(enum share_status s)
{
	switch (s) {
	case SHARE_PENDING: return "pending";
	case SHARE_ACTIVE: return "active";
	case SHARE_EXPIRED: return "expired";
	case SHARE_REVOKED: return "revoked";
	case SHARE_ENDED: return "ended";
	}
	return "unknown";
}

static enum share_status
status_of(int64_t now, int64_t expires_at, int64_t accepted_at,
    int64_t revoked_at, bool has_guest)
{
	if (revoked_at != 0)
		return SHARE_REVOKED;
	if (expires_at <= now)
		return SHARE_EXPIRED;
	if (accepted_at == 0)
		return SHARE_PENDING;
	return has_guest ? SHARE_ACTIVE : SHARE_ENDED;
}

/* ------------------------------------------------------- the owner */

/* Location id as v may share it into *l: 1, 0 (not seen, or not among
 * the locations v is limited to), -1 (database error). *cannot (if not
 * NULL) says why a location v sees cannot be shared. */
static int
sharable(const struct viewer *v, int64_t id, struct location *l,
    const char **cannot)
{
	struct db_stmt *s;
	int rc;

	if (cannot != NULL)
		*cannot = NULL;
	if ((rc = location_get(v, id, l)) != 1 || v->scope.location_user == 0)
		return rc;
	/* a viewer who sees devices only at their locations shares only
	 * those: a share shows every device of the location */
	s = db_stmt(v->db, STMT_USER_HAS_LOCATION);
	db_bind_int(s, ":user_id", v->scope.location_user);
	db_bind_int(s, ":id", id);
	if ((rc = db_exists(v->db, s)) == 0 && cannot != NULL) {
		*cannot = "You see devices only at the locations assigned to "
		    "you, so you can share only those; this is not one of "
		    "them.";
		return 1;
	}
	return rc;
}

int
share_list_of_location(const struct viewer *v, int64_t id,
    struct location *l, struct location_share **out, size_t *n,
    bool *more, const char **cannot)
{
	struct db_stmt *s;
	struct location_share *sh;
	int rc;

	*out = NULL;
	*n = 0;
	*more = false;
	if ((rc = sharable(v, id, l, cannot)) != 1)
		return rc;
	sh = arena_calloc(v->arena, SHARES_SHOWN_MAX + 1, sizeof(*sh));
	s = db_stmt(v->db, STMT_SHARES_OF_LOCATION);
	db_bind_int(s, ":location_id", id);
	db_bind_int(s, ":limit", SHARES_SHOWN_MAX + 1);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		struct location_share *x = &sh[(*n)++];
		const char *by = db_text_or_null(v->arena, s, 2);

		x->id = db_col_int(s, 0);
		x->email = db_text(v->arena, s, 1);
		x->shared_by = by == NULL ? "an administrator outside your "
		    "view" : *by == '\0' ? "a deleted user" : by;
		x->created_at = db_col_int(s, 3);
		x->expires_at = db_col_int(s, 4);
		x->accepted_at = db_col_int(s, 5);
		x->revoked_at = db_col_int(s, 6);
		x->status = status_of(v->now, x->expires_at, x->accepted_at,
		    x->revoked_at, db_col_int(s, 7) != 0);
	}
	db_reset(s);
	if ((*more = *n > SHARES_SHOWN_MAX))
		*n = SHARES_SHOWN_MAX;
	*out = sh;
	return rc == DB_DONE ? 1 : -1;
}

#define FIELD(m) CHECK_FIELD(struct share_errors, m, #m, #m)
const struct check_field share_error_fields[] = {
	FIELD(email), FIELD(expires_on), { NULL, NULL, 0 }
};
#undef FIELD

const char *
share_default_expiry(const struct viewer *v)
{
	return time_date(v->arena, v->user, v->now +
	    (int64_t)SHARE_DEFAULT_DAYS * DAY);
}

/* The rules of a new share of location_id, inside the transaction; its
 * expiry (the end of the chosen day in the sharer's zone) in *expires.
 * 0, or -1 on a database error. */
static int
check_input(const struct viewer *v, int64_t location_id,
    const struct share_input *in, struct share_errors *e, int64_t *expires)
{
	const char *why = time_last_day(v->arena, v->user, v->now,
	    in->expires_on, SHARE_MAX_DAYS, "one year", expires);
	struct db_stmt *s;
	int rc;

	memset(e, 0, sizeof(*e));
	if (why != NULL)
		check_fail(&e->expires_on, 400, why);
	if (!check_email(in->email)) {
		check_fail(&e->email, 400, "Enter the e-mail address of the "
		    "person to share the location with.");
		return 0;
	}
	s = db_stmt(v->db, STMT_SHARE_OPEN_FOR_EMAIL);
	db_bind_int(s, ":location_id", location_id);
	db_bind_text(s, ":email", in->email);
	db_bind_int(s, ":now", v->now);
	if ((rc = db_exists(v->db, s)) < 0)
		return -1;
	if (rc == 1)
		check_fail(&e->email, 409, "This location is shared with this "
		    "address already: revoke that share first to send a new "
		    "invitation.");
	return 0;
}

/* The invitation mail of a new share, its link made from token. */
static int
send_invitation(const struct viewer *v, const struct location *l,
    const struct share_input *in, const char *token)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_ID_BY_EMAIL);
	int64_t recipient = 0;
	struct tval *data;
	int rc;

	/* the language of the address's user, whichever account it is in;
	 * the sharer learns nothing of it */
	db_bind_text(s, ":email", in->email);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		recipient = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return -1;
	data = tv_map(v->arena);
	tv_set_str(data, "sharer", v->user != NULL ? (*v->user->full_name ?
	    v->user->full_name : v->user->username) : "Arbor");
	tv_set_str(data, "location", l->name);
	tv_set_str(data, "expires_on", in->expires_on);
	tv_set_str(data, "url", mail_url(v, arena_printf(v->arena,
	    "/shares/%s", token)));
	return mail_queue_for(v, recipient, in->email, "location_share", data);
}

enum model_result
share_create(const struct viewer *v, int64_t id, const struct share_input *in,
    struct share_errors *e, int64_t *saved)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct location l;
	struct db_stmt *s;
	int64_t expires;
	char *token;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!perm_allows(v, ACT_LOCATION_SHARES))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = sharable(v, id, &l, NULL)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	failed = check_input(v, id, in, e, &expires) != 0;
	if (!failed && check_count(e, share_error_fields) == 0) {
		token = token_new(v->arena, hash);
		s = db_stmt(v->db, STMT_SHARE_INSERT);
		db_bind_int(s, ":location_id", id);
		db_bind_text(s, ":email", in->email);
		db_bind_blob(s, ":hash", hash, sizeof(hash));
		db_bind_int(s, ":actor", perm_actor(v));
		db_bind_int(s, ":now", v->now);
		db_bind_int(s, ":expires_at", expires);
		failed = db_exec(v->db, s) != 0;
		*saved = db_last_id(v->db);
		failed = failed || send_invitation(v, &l, in, token) != 0;
		sodium_memzero(token, strlen(token));
		if (!failed)
			event_log(v, "location_shared", 0, perm_actor(v),
			    arena_printf(v->arena, "location \"%s\" (%lld) "
			    "with %s until %s (share %lld)", l.name,
			    (long long)id, in->email, in->expires_on,
			    (long long)*saved));
	}
	return db_finish(v->db, failed, e, share_error_fields);
}

enum model_result
share_revoke(const struct viewer *v, int64_t id, int64_t share_id,
    bool *was_open)
{
	struct location l;
	struct db_stmt *s;
	int64_t guest = 0, expires_at = 0, accepted_at = 0, revoked_at = 0;
	const char *email = "";
	int rc;

	*was_open = false;
	if (!perm_allows(v, ACT_LOCATION_SHARES))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = sharable(v, id, &l, NULL)) == 1) {
		s = db_stmt(v->db, STMT_SHARE_OF_LOCATION);
		db_bind_int(s, ":id", share_id);
		db_bind_int(s, ":location_id", id);
		if ((rc = db_step(v->db, s)) == DB_ROW) {
			email = db_text(v->arena, s, 1);
			guest = db_col_int(s, 2);
			expires_at = db_col_int(s, 3);
			accepted_at = db_col_int(s, 4);
			revoked_at = db_col_int(s, 5);
		}
		db_reset(s);
		rc = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
	}
	if (rc != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	if (status_of(v->now, expires_at, accepted_at, revoked_at, guest != 0) >
	    SHARE_ACTIVE)
		return db_finish(v->db, false, NULL, NULL);
	*was_open = true;
	s = db_stmt(v->db, STMT_SHARE_REVOKE);
	db_bind_int(s, ":id", share_id);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "location_share_revoked", guest, perm_actor(v),
	    arena_printf(v->arena, "location \"%s\" (%lld) with %s (share "
	    "%lld)", l.name, (long long)id, email, (long long)share_id));
	return db_finish(v->db, false, NULL, NULL);
}

int
share_end_all(const struct viewer *v, int64_t id, const char *name,
    const char *why)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SHARES_REVOKE_OF_LOCATION);
	int n;

	db_bind_int(s, ":location_id", id);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return -1;
	if ((n = db_changes(v->db)) > 0)
		event_log(v, "location_share_revoked", 0, perm_actor(v),
		    arena_printf(v->arena, "location \"%s\" (%lld): its %d "
		    "open share%s, as %s", name, (long long)id, n,
		    n == 1 ? "" : "s", why));
	return 0;
}

/* ------------------------------------------------------- the guest */


int
share_invitation(const struct viewer *v, const char *token,
    struct share_invitation *out)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db_stmt *s;
	const char *email, *location, *owner, *path;
	int64_t guest, expires_at, revoked_at, accepted_at;
	int rc;

	memset(out, 0, sizeof(*out));
	out->refusal = SHARE_UNKNOWN;
	if (v->user == NULL || token_hash(token, hash) != 0)
		return 0;
	s = db_stmt(v->db, STMT_SHARE_BY_HASH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if ((rc = db_step(v->db, s)) != DB_ROW) {
		db_reset(s);
		return rc == DB_DONE ? 0 : -1;
	}
	out->share_id = db_col_int(s, 0);
	email = db_text(v->arena, s, 1);
	guest = db_col_int(s, 2);
	expires_at = db_col_int(s, 3);
	revoked_at = db_col_int(s, 4);
	accepted_at = db_col_int(s, 5);
	location = db_text(v->arena, s, 6);
	owner = db_text(v->arena, s, 7);
	path = db_text(v->arena, s, 8);
	db_reset(s);

	/* the guest who accepted it keeps it, whatever their address now;
	 * anyone else learns nothing of a link sent to another address */
	out->accepted_by_viewer = guest != 0 && guest == v->user->id;
	if (!out->accepted_by_viewer &&
	    strcasecmp(email, v->user->email) != 0)
		out->refusal = SHARE_OTHER_EMAIL;
	else if (accepted_at != 0 && !out->accepted_by_viewer)
		out->refusal = SHARE_USED;
	else if (revoked_at != 0)
		out->refusal = SHARE_REVOKED_LINK;
	else if (expires_at <= v->now)
		out->refusal = SHARE_EXPIRED_LINK;
	else if (!perm_allows(v, ACT_SHARED))
		out->refusal = SHARE_NOT_FACILITATOR;
	else if (perm_same_account(path, v->user->customer_path))
		out->refusal = SHARE_SAME_ACCOUNT;
	else
		out->refusal = SHARE_OK;
	/* what the link shares is shown only to the one it is for */
	if (out->refusal == SHARE_OK) {
		out->location = location;
		out->owner = owner;
		out->expires_at = expires_at;
	}
	return 0;
}

enum model_result
share_accept(const struct viewer *v, const char *token,
    struct share_invitation *out)
{
	struct db_stmt *s;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (share_invitation(v, token, out) != 0)
		return db_finish(v->db, true, NULL, NULL);
	if (out->refusal != SHARE_OK) {
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	if (out->accepted_by_viewer)	/* a second click changes nothing */
		return db_finish(v->db, false, NULL, NULL);
	s = db_stmt(v->db, STMT_SHARE_ACCEPT);
	db_bind_int(s, ":id", out->share_id);
	db_bind_int(s, ":guest_id", v->user->id);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "location_share_accepted", v->user->id, v->user->id,
	    arena_printf(v->arena, "location \"%s\" of %s (share %lld)",
	    out->location, out->owner, (long long)out->share_id));
	return db_finish(v->db, false, NULL, NULL);
}

/* Row s of SHARES_OF_GUEST or SHARE_OF_GUEST into *g. */
static void
fill_guest_share(const struct viewer *v, struct db_stmt *s,
    struct guest_share *g)
{
	memset(g, 0, sizeof(*g));
	g->id = db_col_int(s, 0);
	g->location_id = db_col_int(s, 1);
	g->location = db_text(v->arena, s, 2);
	g->owner = db_text(v->arena, s, 3);
	g->expires_at = db_col_int(s, 4);
	g->accepted_at = db_col_int(s, 5);
}

/* Up to limit devices of g's location after device id after into g:
 * 0, or -1 (database error). */
static int
read_devices(const struct viewer *v, struct guest_share *g, int64_t after,
    size_t limit)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SHARED_DEVICES);
	int rc;

	g->devices = arena_calloc(v->arena, limit + 1, sizeof(*g->devices));
	g->ndevices = 0;
	db_bind_int(s, ":location_id", g->location_id);
	db_bind_int(s, ":after", after);
	db_bind_int(s, ":limit", (int64_t)limit + 1);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		struct shared_device *d = &g->devices[g->ndevices++];

		d->id = db_col_int(s, 0);
		d->unit_id = db_text(v->arena, s, 1);
		d->name = db_text(v->arena, s, 2);
		d->vehicle_name = db_text(v->arena, s, 3);
		d->registered_at = db_col_int(s, 4);
	}
	db_reset(s);
	if (rc != DB_DONE)
		return -1;
	g->more = g->ndevices > limit;
	if (g->more)
		g->ndevices = limit;
	return 0;
}

/* The event of v's view of share g: what it showed (its devices, when
 * with_devices). */
static void
log_view(const struct viewer *v, const struct guest_share *g,
    bool with_devices, int64_t after)
{
	event_log(v, "location_share_viewed", v->user->id, v->user->id,
	    arena_printf(v->arena, "location \"%s\" of %s (share %lld): %s",
	    g->location, g->owner, (long long)g->id, !with_devices ?
	    "listed" : arena_printf(v->arena, "%zu devices%s", g->ndevices,
	    after != 0 ? " (a later page)" : "")));
}

/* Statement id of the guest's shares, bound to v and now, in a
 * transaction (a view is logged): NULL when v is no Location
 * Facilitator (*rc 0) or on a database error (*rc -1). */
static struct db_stmt *
guest_statement(const struct viewer *v, enum stmt_id id, int *rc)
{
	struct db_stmt *s;

	*rc = 0;
	if (v->user == NULL || !perm_allows(v, ACT_SHARED))
		return NULL;
	if (db_begin(v->db) != 0) {
		*rc = -1;
		return NULL;
	}
	s = db_stmt(v->db, id);
	db_bind_int(s, ":guest_id", v->user->id);
	db_bind_int(s, ":now", v->now);
	return s;
}

int
share_list_of_guest(const struct viewer *v, size_t devices_each,
    struct guest_share **out, size_t *n)
{
	struct db_stmt *s;
	struct guest_share *g;
	bool failed = false;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((s = guest_statement(v, STMT_SHARES_OF_GUEST, &rc)) == NULL)
		return rc;
	g = arena_calloc(v->arena, SHARES_SHOWN_MAX, sizeof(*g));
	db_bind_int(s, ":limit", SHARES_SHOWN_MAX);
	while ((rc = db_step(v->db, s)) == DB_ROW)
		fill_guest_share(v, s, &g[(*n)++]);
	db_reset(s);
	failed = rc != DB_DONE;
	for (i = 0; !failed && i < *n; i++) {
		failed = devices_each > 0 &&
		    read_devices(v, &g[i], 0, devices_each) != 0;
		if (!failed)
			log_view(v, &g[i], devices_each > 0, 0);
	}
	if (db_finish(v->db, failed, NULL, NULL) != MODEL_DONE) {
		*n = 0;
		return -1;
	}
	*out = g;
	return 0;
}

int
share_of_guest(const struct viewer *v, int64_t share_id, int64_t after,
    size_t limit, struct guest_share *out)
{
	struct db_stmt *s;
	bool failed;
	int rc;

	if ((s = guest_statement(v, STMT_SHARE_OF_GUEST, &rc)) == NULL)
		return rc;
	db_bind_int(s, ":id", share_id);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		fill_guest_share(v, s, out);
	db_reset(s);
	if (rc == DB_DONE) {
		db_rollback(v->db);
		return 0;
	}
	failed = rc != DB_ROW || read_devices(v, out, after, limit) != 0;
	if (!failed)
		log_view(v, out, true, after);
	return db_finish(v->db, failed, NULL, NULL) == MODEL_DONE ? 1 : -1;
}
