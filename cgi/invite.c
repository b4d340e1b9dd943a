/*
 * invite.c - invitations: made, listed, sent again and revoked by
 * administrators; accepted by the invitee through the link (invite.h).
 */
#include "invite.h"

#include <string.h>

#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "mail.h"
#include "password.h"
#include "perm.h"
#include "principal.h"
#include "tval.h"
#include "user.h"

const char *
invite_status_name(int status)
{
	switch (status) {
	case LIST_STATUS_PENDING: return "pending";
	case LIST_STATUS_ACCEPTED: return "accepted";
	case LIST_STATUS_EXPIRED: return "expired";
	case LIST_STATUS_REVOKED: return "revoked";
	}
	return "unknown";
}

/* ------------------------------------------------------------ reading */

const char *const invite_sort_keys[] = { "sent", "email", NULL };

static void
fill_invite(struct db_stmt *s, struct arena *a, void *row)
{
	struct invite *i = row;

	i->id = db_col_int(s, 0);
	i->email = db_text(a, s, 1);
	i->customer_id = db_col_int(s, 2);
	i->customer = db_text(a, s, 3);
	i->groups = (unsigned)db_col_int(s, 4);
	i->invited_by = db_col_null(s, 5) ? NULL :
	    db_text(a, s, 5);
	i->created_at = db_col_int(s, 6);
	i->sent_at = db_col_int(s, 7);
	i->expires_at = db_col_int(s, 8);
	i->accepted_at = db_col_int(s, 9);
	i->revoked_at = db_col_int(s, 10);
	i->user_id = db_col_int(s, 11);
	i->username = db_col_null(s, 12) ? NULL :
	    db_text(a, s, 12);
	i->message = db_text(a, s, 13);
	i->days = db_col_int(s, 14);
	i->status = (int)db_col_int(s, 15);
}

static const enum stmt_id invite_sorted[][2] = {
	{ STMT_INVITE_LIST_SENT_ASC, STMT_INVITE_LIST_SENT_DESC },
	{ STMT_INVITE_LIST_EMAIL_ASC, STMT_INVITE_LIST_EMAIL_DESC } };

int
invite_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	const struct rows_list l = { STMT_INVITE_LIST_COUNT, false,
	    invite_sorted, 2, STMT__MAX, sizeof(struct invite), fill_invite };

	if (!perm_may_read(v, ACT_USERS))
		return 0;
	return rows_read_list(v, &l, lq, out);
}

int
invite_get(const struct viewer *v, int64_t id, struct invite *out,
    const char ***locations, size_t *n)
{
	struct db_stmt *s;
	size_t cap = 8;
	int rc;

	*locations = NULL;
	*n = 0;
	if (!perm_may_read(v, ACT_USERS))
		return 0;
	if ((rc = rows_read_one(v, STMT_INVITE_GET, id, fill_invite, out)) !=
	    1)
		return rc;
	*locations = arena_calloc(v->arena, cap, sizeof(**locations));
	s = db_stmt(v->db, STMT_INVITE_LOCATION_NAMES);
	db_bind_int(s, ":id", id);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (*n == cap) {
			const char **grown = arena_calloc(v->arena, cap * 2,
			    sizeof(*grown));

			memcpy(grown, *locations, cap * sizeof(*grown));
			*locations = grown;
			cap *= 2;
		}
		(*locations)[(*n)++] = db_text(v->arena, s, 0);
	}
	db_reset(s);
	return rc == DB_DONE ? 1 : -1;
}

/* ----------------------------------------------------------- writing */

#define FIELD(m) CHECK_FIELD(struct invite_errors, m, #m, #m)
const struct check_field invite_error_fields[] = {
	FIELD(email), FIELD(customer_id),
	CHECK_FIELD(struct invite_errors, groups, "group", "groups"),
	CHECK_FIELD(struct invite_errors, locations, "location", "locations"),
	FIELD(expires_days), FIELD(message), { NULL, NULL, 0 }
};
#undef FIELD

/* expires_days as typed: 1 to 30, "" the default; 0 when neither. */
static int64_t
days_of(const char *text)
{
	long n;

	if (*text == '\0')
		return INVITE_DAYS_DEFAULT;
	return check_number(text, INVITE_DAYS_MIN, INVITE_DAYS_MAX, &n) ? n : 0;
}

/* Whether every line of text has at most 200 characters: a mail's line
 * holds 900 bytes (mail.c), and a character up to 4. */
static bool
short_lines(struct arena *a, const char *text)
{
	const char *p, *nl;

	for (p = text;; p = nl + 1) {
		nl = strchr(p, '\n');
		if (check_chars(arena_strndup(a, p, nl ? (size_t)(nl - p) :
		    strlen(p))) > 200)
			return false;
		if (nl == NULL)
			return true;
	}
}

/* The fields' rules but uniqueness; fills *c (what the groups are) and
 * *e. The number of fields in error, or -1. */
static int
check_invite(const struct viewer *v, const struct invite_input *in,
    struct user_change *c, int64_t *days, struct invite_errors *e)
{
	struct user_errors ue;

	memset(c, 0, sizeof(*c));
	memset(&ue, 0, sizeof(ue));
	if (*in->email == '\0')
		check_fail(&e->email, 400, "Enter the e-mail address to "
		    "invite.");
	else if (!check_email(in->email))
		check_fail(&e->email, 400, "Enter an e-mail address like "
		    "name@example.com.");
	if (user_check_placement(v, in->customer_id, in->groups, in->ngroups,
	    in->locations, in->nlocations, c, &ue) != 0)
		return -1;
	e->customer_id = ue.customer_id;
	e->groups = ue.groups;
	e->locations = ue.locations;
	if ((*days = days_of(in->expires_days)) == 0)
		check_fail(&e->expires_days, 400, "Choose 1 to 30 days.");
	if (check_chars(in->message) > INVITE_MESSAGE_MAX ||
	    !check_plain(in->message, true))
		check_fail(&e->message, 400, "Use at most 500 characters.");
	else if (!short_lines(v->arena, in->message))
		check_fail(&e->message, 400, "Break the message into lines of "
		    "at most 200 characters.");
	return check_count(e, invite_error_fields);
}

/* Queue the invitation's mail with a new link whose hash is *hash, inside
 * the write transaction. 0 or -1. */
static int
send_invitation(const struct viewer *v, const char *email,
    int64_t customer_id, const char *customer, const char *message,
    int64_t days, unsigned char hash[TOKEN_HASH_BYTES])
{
	const struct user *u = v->user;
	char *token = token_new(v->arena, hash);
	struct tval *data = tv_map(v->arena);
	int rc;

	tv_set_str(data, "inviter", u == NULL ? "Arbor" : *u->full_name ?
	    u->full_name : u->username);
	tv_set_str(data, "customer", customer);
	tv_set_str(data, "message", message);
	tv_set_bool(data, "has_message", *message != '\0');
	tv_set_int(data, "days", days);
	tv_set_str(data, "url", mail_url(v, arena_printf(v->arena,
	    "/invite/%s", token)));
	rc = mail_queue_to_customer(v, customer_id, email, "invite", data);
	sodium_memzero(token, strlen(token));
	return rc;
}

/* Whether the address already has a user or a working invitation to the
 * customer: 409s in *e. The number of fields in error, or -1. */
static int
check_unique(const struct viewer *v, const struct invite_input *in,
    struct invite_errors *e)
{
	struct db_stmt *s;
	int rc;

	if (user_id_by_email(v->db, in->email) != 0) {
		check_fail(&e->email, 409, "This address already has a user: "
		    "they can sign in (or reset their password) with it.");
		return 1;
	}
	s = db_stmt(v->db, STMT_INVITE_OPEN_FOR);
	db_bind_text(s, ":email", in->email);
	db_bind_int(s, ":customer_id", in->customer_id);
	db_bind_int(s, ":now", v->now);
	if ((rc = db_exists(v->db, s)) < 0)
		return -1;
	if (rc == 1)
		check_fail(&e->email, 409, "This address has an open "
		    "invitation to this customer already: send that one "
		    "again.");
	return rc;
}

/* One more invitation of customer_id to email this hour, or a 429 on e. */
static int
mail_allowed(const struct viewer *v, int64_t customer_id, const char *email,
    struct check_error *e)
{
	int rc = guard_mail_to(v, arena_printf(v->arena, "%lld",
	    (long long)customer_id), email);

	if (rc == 0)
		check_fail(e, 429, "This address got as many invitations as "
		    "it may within an hour. Try again later.");
	return rc;
}

enum model_result
invite_create(const struct viewer *v, const struct invite_input *in,
    struct invite_errors *e, int64_t *saved)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct user_change c;
	const char *customer = "";
	struct db_stmt *s;
	int64_t days;
	size_t i;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!perm_allows(v, ACT_USERS))
		return MODEL_NOT_FOUND;
	if ((rc = check_invite(v, in, &c, &days, e)) != 0)
		return rc < 0 ? MODEL_FAILED : MODEL_INVALID;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = check_unique(v, in, e)) != 0) {
		failed = rc < 0;
		goto done;
	}
	if ((rc = mail_allowed(v, in->customer_id, in->email,
	    &e->email)) != 1) {
		failed = rc < 0;
		goto done;
	}
	s = db_stmt(v->db, STMT_CUSTOMER_NAME);
	db_bind_int(s, ":id", in->customer_id);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		customer = db_text(v->arena, s, 0);
	db_reset(s);
	failed = rc != DB_ROW || send_invitation(v, in->email, in->customer_id, customer,
	    in->message, days, hash) != 0;
	s = db_stmt(v->db, STMT_INVITE_INSERT);
	db_bind_int(s, ":customer_id", in->customer_id);
	db_bind_text(s, ":email", in->email);
	db_bind_int(s, ":groups", c.asked);
	db_bind_text(s, ":message", in->message);
	db_bind_int(s, ":days", days);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":invited_by", perm_actor(v));
	db_bind_int(s, ":now", v->now);
	failed = failed || db_exec(v->db, s) != 0;
	*saved = db_last_id(v->db);
	for (i = 0; !failed && i < c.nlocations; i++) {
		s = db_stmt(v->db, STMT_INVITE_LOCATION_ADD);
		db_bind_int(s, ":invite_id", *saved);
		db_bind_int(s, ":location_id", c.locations[i]);
		failed = db_exec(v->db, s) != 0;
	}
	if (!failed)
		event_log(v, "invite_created", 0, perm_actor(v),
		    arena_printf(v->arena, "%s to customer %lld for %lld days "
		    "(invitation %lld)", in->email, (long long)in->customer_id,
		    (long long)days, (long long)*saved));
done:
	/* a 409 tells that the address has a user: the guard counts it */
	return guard_finish(v, failed, e, invite_error_fields);
}

/* Begin the write transaction of a change to invitation id as v:
 * MODEL_DONE with *i, or the answer, rolled back (MODEL_INVALID with *why:
 * it was accepted or revoked). */
static enum model_result
begin_change(const struct viewer *v, int64_t id, struct invite *i,
    const char **why)
{
	const char **names;
	size_t n;
	int rc;

	*why = NULL;
	if (!perm_allows(v, ACT_USERS))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = invite_get(v, id, i, &names, &n)) == 1) {
		if (i->status == LIST_STATUS_ACCEPTED)
			*why = "This invitation was accepted already.";
		else if (i->status == LIST_STATUS_REVOKED)
			*why = "This invitation was revoked: invite the "
			    "address again.";
		else
			return MODEL_DONE;
	}
	db_rollback(v->db);
	return rc < 0 ? MODEL_FAILED : rc == 0 ? MODEL_NOT_FOUND :
	    MODEL_INVALID;
}

enum model_result
invite_resend(const struct viewer *v, int64_t id, const char **why,
    int *status)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct check_error limit = { NULL, 0 };
	enum model_result r;
	struct invite i;
	struct db_stmt *s;
	int rc;

	*status = 400;
	if ((r = begin_change(v, id, &i, why)) != MODEL_DONE)
		return r;
	if (!perm_may_grant(v, i.groups)) {
		/* a resend renews what it gives: only for someone who could
		 * give it (revoking takes nothing from anyone) */
		db_rollback(v->db);
		*why = "This invitation gives groups you do not hold: only "
		    "someone who holds them can send it again.";
		*status = 403;
		return MODEL_INVALID;
	}
	if ((rc = mail_allowed(v, i.customer_id, i.email, &limit)) != 1) {
		db_rollback(v->db);
		*why = limit.msg;
		*status = 429;
		return rc < 0 ? MODEL_FAILED : MODEL_INVALID;
	}
	rc = send_invitation(v, i.email, i.customer_id, i.customer, i.message,
	    i.days, hash);
	s = db_stmt(v->db, STMT_INVITE_RESEND);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", id);
	if (rc == 0 && db_exec(v->db, s) == 0 && db_changes(v->db) == 1)
		event_log(v, "invite_resent", 0, perm_actor(v),
		    arena_printf(v->arena, "%s (invitation %lld)", i.email,
		    (long long)id));
	else
		rc = -1;
	return db_finish(v->db, rc != 0, NULL, NULL);
}

enum model_result
invite_revoke(const struct viewer *v, int64_t id, const char **why)
{
	enum model_result r;
	struct invite i;
	struct db_stmt *s;
	int rc;

	if ((r = begin_change(v, id, &i, why)) != MODEL_DONE)
		return r;
	s = db_stmt(v->db, STMT_INVITE_REVOKE);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", id);
	rc = db_exec(v->db, s) == 0 && db_changes(v->db) == 1 ? 0 : -1;
	if (rc == 0)
		event_log(v, "invite_revoked", 0, perm_actor(v),
		    arena_printf(v->arena, "%s (invitation %lld)", i.email,
		    (long long)id));
	return db_finish(v->db, rc != 0, NULL, NULL);
}

/* ------------------------------------------------------ the invitee */

int
invite_find(const struct viewer *v, const char *token,
    struct invitation *out)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (token_hash(token, hash) != 0)
		return 0;
	s = db_stmt(v->db, STMT_INVITE_BY_HASH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", v->now);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		out->id = db_col_int(s, 0);
		out->email = db_text(v->arena, s, 1);
		out->customer_id = db_col_int(s, 2);
		out->customer = db_text(v->arena, s, 3);
		out->groups = (unsigned)db_col_int(s, 4);
		out->invited_by = db_col_int(s, 5);
		out->inviter = db_text(v->arena, s, 6);
		out->message = db_text(v->arena, s, 7);
		out->expires_at = db_col_int(s, 8);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	/* what its inviter may no longer give, the link does not give */
	return user_grant_holds(v, out->invited_by, out->customer_id,
	    out->groups);
}

enum model_result
invite_accept(const struct viewer *v, const char *token,
    const struct user_joining *j, struct user_errors *e,
    struct invitation *out)
{
	char hash[crypto_pwhash_STRBYTES];
	struct user_onboarding o;
	struct user_joining with;
	struct db_stmt *s;
	int64_t id = 0;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = invite_find(v, token, out)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	with = *j;
	with.email = out->email;
	if (user_check_joining(&with, e) != 0)
		return MODEL_INVALID;
	if (password_hash(j->password, hash) != 0)
		return MODEL_FAILED;
	if (db_begin(v->db) != 0) {
		sodium_memzero(hash, sizeof(hash));
		return MODEL_FAILED;
	}
	/* again inside the transaction: accepted, revoked or sent again
	 * meanwhile */
	if ((rc = invite_find(v, token, out)) != 1) {
		sodium_memzero(hash, sizeof(hash));
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	o = (struct user_onboarding){ out->customer_id, out->email,
	    j->username, j->full_name, hash, out->groups, "invitation" };
	id = user_onboard(v, &o, e);
	sodium_memzero(hash, sizeof(hash));
	failed = id < 0;
	if (id > 0) {
		s = db_stmt(v->db, STMT_INVITE_LOCATIONS_GIVE);
		db_bind_int(s, ":user_id", id);
		db_bind_int(s, ":customer_id", out->customer_id);
		db_bind_int(s, ":id", out->id);
		failed = db_exec(v->db, s) != 0;
		s = db_stmt(v->db, STMT_INVITE_ACCEPT);
		db_bind_int(s, ":now", v->now);
		db_bind_int(s, ":user_id", id);
		db_bind_int(s, ":id", out->id);
		failed = failed || db_exec(v->db, s) != 0 ||
		    db_changes(v->db) != 1;
		if (!failed)
			event_log(v, "invite_accepted", id, id,
			    arena_printf(v->arena, "%s as %s (invitation "
			    "%lld)", out->email, j->username,
			    (long long)out->id));
	}
	return guard_finish(v, failed, e, user_joining_fields);
}
