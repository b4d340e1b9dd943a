/*
 * signup.c - join links, sign-up domains and the sign-ups waiting for
 * their mail's link (signup.h).
 */
#include "signup.h"

#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "guard.h"
#include "mail.h"
#include "password.h"
#include "perm.h"
#include "principal.h"
#include "timefmt.h"
#include "tval.h"
#include "user.h"

#define DAY (24 * 3600)

/* Customer id as v may manage its onboarding (write: ACT_USERS, else
 * read): 1, 0 (not found), -1. */
static int
managed(const struct viewer *v, int64_t id, bool write)
{
	if (!(write ? perm_allows(v, ACT_USERS) : perm_may_read(v,
	    ACT_USERS)))
		return 0;
	return perm_sees_customer(v, id);
}

/* ---------------------------------------------------------- join links */

int
join_links_of(const struct viewer *v, int64_t id, struct join_link **out,
    size_t *n)
{
	struct db_stmt *s;
	struct join_link *l;
	int rc;

	*n = 0;
	*out = arena_calloc(v->arena, JOIN_LINKS_SHOWN, sizeof(**out));
	if ((rc = managed(v, id, false)) != 1)
		return rc;
	s = db_stmt(v->db, STMT_JOIN_LINKS_OF_CUSTOMER);
	db_bind_int(s, ":customer_id", id);
	db_bind_int(s, ":limit", JOIN_LINKS_SHOWN);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		l = &(*out)[(*n)++];
		l->id = db_col_int(s, 0);
		l->groups = (unsigned)db_col_int(s, 1);
		l->max_uses = db_col_int(s, 2);
		l->uses = db_col_int(s, 3);
		l->created_by = db_col_null(s, 4) ?
		    NULL : db_text(v->arena, s, 4);
		l->created_at = db_col_int(s, 5);
		l->expires_at = db_col_int(s, 6);
		l->revoked_at = db_col_int(s, 7);
		l->status = l->revoked_at != 0 ? "revoked" :
		    l->expires_at <= v->now ? "expired" :
		    l->uses >= l->max_uses ? "used" : "open";
	}
	db_reset(s);
	return rc == DB_DONE ? 1 : -1;
}

#define FIELD(m) CHECK_FIELD(struct join_link_errors, m, #m, #m)
const struct check_field join_link_error_fields[] = {
	CHECK_FIELD(struct join_link_errors, groups, "group", "groups"),
	FIELD(max_uses), FIELD(expires_on), { NULL, NULL, 0 }
};
#undef FIELD

const char *
join_default_expiry(const struct viewer *v)
{
	return time_date(v->arena, v->user, v->now +
	    (int64_t)JOIN_DEFAULT_DAYS * DAY);
}

/* max_uses as typed: 1 to JOIN_MAX_USES, "" the default; 0: neither. */
static int64_t
uses_of(const char *text)
{
	long n;

	if (*text == '\0')
		return JOIN_DEFAULT_USES;
	return check_number(text, 1, JOIN_MAX_USES, &n) ? n : 0;
}

enum model_result
join_link_create(const struct viewer *v, int64_t id,
    const struct join_link_input *in, struct join_link_errors *e,
    const char **url)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct user_errors ue;
	struct user_change c;
	int64_t uses, expires = 0;
	const char *why;
	struct db_stmt *s;
	char *token;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	memset(&c, 0, sizeof(c));
	memset(&ue, 0, sizeof(ue));
	if ((rc = managed(v, id, true)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	/* the groups by the Users form's rule, for a user of customer id */
	if (user_check_placement(v, id, in->groups, in->ngroups, NULL, 0, &c,
	    &ue) != 0)
		return MODEL_FAILED;
	e->groups = ue.groups;
	if ((uses = uses_of(in->max_uses)) == 0)
		check_fail(&e->max_uses, 400, "Choose 1 to 10,000 uses.");
	if ((why = time_last_day(v->arena, v->user, v->now, in->expires_on,
	    JOIN_MAX_DAYS, "one year", &expires)) != NULL)
		check_fail(&e->expires_on, 400, why);
	if (check_count(e, join_link_error_fields) > 0)
		return MODEL_INVALID;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	token = token_new(v->arena, hash);
	s = db_stmt(v->db, STMT_JOIN_LINK_INSERT);
	db_bind_int(s, ":customer_id", id);
	db_bind_int(s, ":groups", c.asked);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":max_uses", uses);
	db_bind_int(s, ":created_by", perm_actor(v));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":expires_at", expires);
	failed = db_exec(v->db, s) != 0;
	if (!failed) {
		*url = mail_url(v, arena_printf(v->arena, "/join/%s", token));
		event_log(v, "join_link_created", 0, perm_actor(v),
		    arena_printf(v->arena, "customer %lld, %lld uses until "
		    "%s (link %lld)", (long long)id, (long long)uses,
		    in->expires_on, (long long)db_last_id(v->db)));
	}
	sodium_memzero(token, strlen(token));
	return db_finish(v->db, failed, NULL, NULL);
}

enum model_result
join_link_revoke(const struct viewer *v, int64_t id, int64_t link_id,
    bool *was_open)
{
	struct db_stmt *s;
	int rc;

	*was_open = false;
	if ((rc = managed(v, id, true)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	s = db_stmt(v->db, STMT_JOIN_LINK_EXISTS);
	db_bind_int(s, ":id", link_id);
	db_bind_int(s, ":customer_id", id);
	if ((rc = db_exists(v->db, s)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	s = db_stmt(v->db, STMT_JOIN_LINK_REVOKE);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", link_id);
	db_bind_int(s, ":customer_id", id);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	if ((*was_open = db_changes(v->db) == 1)) {
		/* its sign-ups waiting for a confirmation die with it */
		s = db_stmt(v->db, STMT_SIGNUPS_OF_LINK_END);
		db_bind_int(s, ":now", v->now);
		db_bind_int(s, ":join_link_id", link_id);
		if (db_exec(v->db, s) != 0)
			return db_finish(v->db, true, NULL, NULL);
		event_log(v, "join_link_revoked", 0, perm_actor(v),
		    arena_printf(v->arena, "customer %lld (link %lld)",
		    (long long)id, (long long)link_id));
	}
	return db_finish(v->db, false, NULL, NULL);
}

/* The open join link of token (token NULL: of id). 1, 0, -1. */
static int
open_link(const struct viewer *v, const char *token, int64_t id,
    struct join_target *out)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(hash, 0, sizeof(hash));
	if (token != NULL && token_hash(token, hash) != 0)
		return 0;
	s = db_stmt(v->db, STMT_JOIN_LINK_OPEN);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":id", token != NULL ? 0 : id);
	db_bind_int(s, ":now", v->now);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		out->link_id = db_col_int(s, 0);
		out->customer_id = db_col_int(s, 1);
		out->customer = db_text(v->arena, s, 2);
		out->groups = (unsigned)db_col_int(s, 3);
		out->created_by = db_col_int(s, 4);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	/* what its maker may no longer give, the link does not give */
	return user_grant_holds(v, out->created_by, out->customer_id,
	    out->groups);
}

int
join_find(const struct viewer *v, const char *token, struct join_target *out)
{
	return open_link(v, token, 0, out);
}

/*
 * The mail to email of a sign-up of customer_id (join_link_id 0: by
 * domain; username and hash: a join link's choice), inside the write
 * transaction, unless the address had its mails of the hour: an address
 * with a user is told so instead. 0 or -1.
 */
static int
send_signup(const struct viewer *v, int64_t customer_id,
    const char *customer, int64_t join_link_id, const char *email,
    const char *username, const char *hash)
{
	unsigned char token_hash_[TOKEN_HASH_BYTES];
	int64_t user = user_id_by_email(v->db, email);
	struct tval *data = tv_map(v->arena);
	struct db_stmt *s;
	char *token;
	int rc;

	if ((rc = guard_mail_to(v, "public", email)) != 1)
		return rc;
	tv_set_str(data, "customer", customer);
	if (user != 0) {
		tv_set_str(data, "login_url", mail_url(v, "/login"));
		tv_set_str(data, "forgot_url", mail_url(v, "/password/forgot"));
		return mail_queue_for(v, user, email, "account_exists", data);
	}
	token = token_new(v->arena, token_hash_);
	s = db_stmt(v->db, STMT_SIGNUP_INSERT);
	db_bind_int(s, ":customer_id", customer_id);
	if (join_link_id != 0) {
		db_bind_int(s, ":join_link_id", join_link_id);
		db_bind_text(s, ":username", username);
		db_bind_text(s, ":password_hash", hash);
	} else {
		db_bind_null(s, ":join_link_id");
		db_bind_null(s, ":username");
		db_bind_null(s, ":password_hash");
	}
	db_bind_text(s, ":email", email);
	db_bind_blob(s, ":hash", token_hash_, sizeof(token_hash_));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":expires_at", v->now + SIGNUP_SECONDS);
	tv_set_str(data, "url", mail_url(v, arena_printf(v->arena, "%s%s",
	    join_link_id != 0 ? "/join/confirm/" : "/signup/", token)));
	rc = db_exec(v->db, s) != 0 ? -1 : mail_queue_to_customer(v,
	    customer_id, email, join_link_id != 0 ? "join_confirm" : "signup",
	    data);
	sodium_memzero(token, strlen(token));
	return rc;
}

enum model_result
join_register(const struct viewer *v, const char *token,
    const struct user_joining *j, struct user_errors *e,
    struct join_target *out)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_stmt *s;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = join_find(v, token, out)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if (user_check_joining(j, e) != 0)
		return MODEL_INVALID;
	if (password_hash(j->password, hash) != 0 || db_begin(v->db) != 0) {
		sodium_memzero(hash, sizeof(hash));
		return MODEL_FAILED;
	}
	if ((rc = join_find(v, token, out)) != 1) {
		sodium_memzero(hash, sizeof(hash));
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	/* the password hashes of sign-ups nobody confirmed go */
	s = db_stmt(v->db, STMT_SIGNUPS_PURGE);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0) {
		sodium_memzero(hash, sizeof(hash));
		return db_finish(v->db, true, NULL, NULL);
	}
	if (user_id_by_username(v->db, j->username) != 0) {
		check_fail(&e->username, 409, "This username is already "
		    "taken.");
		failed = false;
	} else {
		failed = send_signup(v, out->customer_id, out->customer,
		    out->link_id, j->email, j->username, hash) != 0;
		event_log(v, "join_requested", 0, 0, arena_printf(v->arena,
		    "link %lld of customer %lld", (long long)out->link_id,
		    (long long)out->customer_id));
	}
	sodium_memzero(hash, sizeof(hash));
	return guard_finish(v, failed, e, user_joining_fields);
}

/* ------------------------------------------------------ sign-up domains */

#define FIELD(m) CHECK_FIELD(struct domain_errors, m, #m, #m)
const struct check_field domain_error_fields[] = {
	FIELD(domains), { NULL, NULL, 0 }
};
#undef FIELD

int
signup_domains_of(const struct viewer *v, int64_t id, const char **domains)
{
	struct db_stmt *s;
	struct buf b;
	int rc;

	*domains = "";
	if ((rc = managed(v, id, false)) != 1)
		return rc;
	buf_init(&b, v->arena);
	s = db_stmt(v->db, STMT_SIGNUP_DOMAINS_OF);
	db_bind_int(s, ":customer_id", id);
	while ((rc = db_step(v->db, s)) == DB_ROW)
		buf_printf(&b, "%s%s", b.len ? ", " : "", db_text(v->arena, s,
		    0));
	db_reset(s);
	*domains = b.len ? b.data : "";
	return rc == DB_DONE ? 1 : -1;
}

/* Whether d (lower case) is a domain name: dot-separated labels of
 * letters, digits and inner hyphens, at most 63 each, 253 in all, and a
 * last label that is not a number. */
static bool
domain_ok(const char *d)
{
	size_t n = strlen(d), label = 0, labels = 1, i;
	bool digits = true;

	if (n < 3 || n > 253 || d[0] == '.' || d[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (d[i] == '.') {
			if (label == 0 || d[i - 1] == '-')
				return false;
			label = 0;
			labels++;
			digits = true;
			continue;
		}
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= '0' &&
		    d[i] <= '9') || d[i] == '-'))
			return false;
		if (d[i] == '-' && label == 0)
			return false;
		digits = digits && d[i] >= '0' && d[i] <= '9';
		if (++label > 63)
			return false;
	}
	return labels >= 2 && d[n - 1] != '-' && !digits;
}

/* Domains anyone can have an address at: as a sign-up domain, each would
 * let the whole world join. */
static const char *const public_mail[] = {
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com",
	"live.com", "msn.com", "yahoo.com", "icloud.com", "me.com",
	"aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net",
	"gmx.de", "web.de", "mail.com", "yandex.com", "zoho.com",
	"hotmail.nl", "live.nl", "ziggo.nl", "kpnmail.nl", "home.nl",
	"planet.nl", "xs4all.nl", NULL
};

static bool
public_domain(const char *d)
{
	size_t i;

	for (i = 0; public_mail[i] != NULL; i++)
		if (strcmp(d, public_mail[i]) == 0)
			return true;
	return false;
}

/* The domains of text (separated by commas or white space; a leading
 * '@' dropped, lower case, each once) into *out. Their number, or -1
 * with e set. */
static int
parse_domains(struct arena *a, const char *text, const char ***out,
    struct domain_errors *e)
{
	const char **d = arena_calloc(a, SIGNUP_DOMAINS_MAX, sizeof(*d));
	const char *p = text, *start;
	size_t len, i;
	int n = 0, k;
	char *one;

	*out = d;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return n;
		for (start = p; *p != '\0' && *p != ',' &&
		    !isspace((unsigned char)*p); p++)
			;
		len = (size_t)(p - start);
		if (*start == '@') {
			start++;
			len--;
		}
		one = arena_strndup(a, start, len < 300 ? len : 300);
		for (i = 0; one[i] != '\0'; i++)
			one[i] = (char)tolower((unsigned char)one[i]);
		if (!domain_ok(one)) {
			check_fail(&e->domains, 400, arena_printf(a, "\"%s\" is "
			    "not a domain name like example.com.", one));
			return -1;
		}
		if (public_domain(one)) {
			check_fail(&e->domains, 400, arena_printf(a, "%s is a "
			    "public mail service: anyone could join with an "
			    "address there.", one));
			return -1;
		}
		for (k = 0; k < n && strcmp(d[k], one) != 0; k++)
			;
		if (k < n)
			continue;
		if (n == SIGNUP_DOMAINS_MAX) {
			check_fail(&e->domains, 400, "Give at most 20 "
			    "domains.");
			return -1;
		}
		d[n++] = one;
	}
}

enum model_result
signup_domains_set(const struct viewer *v, int64_t id, const char *domains,
    struct domain_errors *e)
{
	const char **d;
	struct db_stmt *s;
	int64_t holder;
	const char *name;
	bool failed;
	int n, i, rc;

	memset(e, 0, sizeof(*e));
	/* a domain lets everyone with an address there in: the platform's
	 * operators set it, once they know the account owns it */
	if (!perm_allows(v, ACT_OPERATOR))
		return MODEL_NOT_FOUND;
	if ((rc = managed(v, id, true)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if ((n = parse_domains(v->arena, domains, &d, e)) < 0)
		return MODEL_INVALID;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	failed = false;
	for (i = 0; i < n && !failed; i++) {
		s = db_stmt(v->db, STMT_SIGNUP_DOMAIN_HOLDER);
		db_bind_text(s, ":domain", d[i]);
		holder = 0;
		name = "";
		if ((rc = db_step(v->db, s)) == DB_ROW) {
			holder = db_col_int(s, 0);
			name = db_text(v->arena, s, 1);
		}
		db_reset(s);
		failed = rc != DB_ROW && rc != DB_DONE;
		if (failed || holder == 0 || holder == id)
			continue;
		/* operators see every customer: the conflict is named */
		check_fail(&e->domains, 409, arena_printf(v->arena, "%s is the "
		    "sign-up domain of %s (customer %lld) already: remove it "
		    "there first.", d[i], name, (long long)holder));
	}
	if (!failed && check_count(e, domain_error_fields) == 0) {
		s = db_stmt(v->db, STMT_SIGNUP_DOMAINS_CLEAR);
		db_bind_int(s, ":customer_id", id);
		failed = db_exec(v->db, s) != 0;
		for (i = 0; i < n && !failed; i++) {
			s = db_stmt(v->db, STMT_SIGNUP_DOMAIN_INSERT);
			db_bind_text(s, ":domain", d[i]);
			db_bind_int(s, ":customer_id", id);
			db_bind_int(s, ":now", v->now);
			failed = db_exec(v->db, s) != 0;
		}
		if (!failed)
			event_log(v, "signup_domains_set", 0, perm_actor(v),
			    arena_printf(v->arena, "customer %lld: %d "
			    "domains", (long long)id, n));
	}
	return db_finish(v->db, failed, e, domain_error_fields);
}

/* The customer whose sign-up domain is email's (0: none): 0 or -1. */
static int
domain_holder(const struct viewer *v, const char *email, int64_t *id,
    const char **name)
{
	const char *at = strrchr(email, '@');
	struct db_stmt *s = db_stmt(v->db, STMT_SIGNUP_DOMAIN_HOLDER);
	char *domain = arena_strdup(v->arena, at != NULL ? at + 1 : "");
	size_t i;
	int rc;

	*id = 0;
	*name = "";
	for (i = 0; domain[i] != '\0'; i++)
		domain[i] = (char)tolower((unsigned char)domain[i]);
	db_bind_text(s, ":domain", domain);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		*id = db_col_int(s, 0);
		*name = db_text(v->arena, s, 1);
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

enum model_result
signup_request(const struct viewer *v, const char *email,
    struct user_errors *e)
{
	const char *customer;
	int64_t holder;
	bool failed;

	memset(e, 0, sizeof(*e));
	if (!check_email(email)) {
		check_fail(&e->email, 400, "Enter your e-mail address, like "
		    "name@example.com.");
		return MODEL_INVALID;
	}
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	failed = domain_holder(v, email, &holder, &customer) != 0 ||
	    (holder != 0 && send_signup(v, holder, customer, 0, email, NULL,
	    NULL) != 0);
	/* one write whatever the domain: the same answer, about the same
	 * time */
	event_log(v, "signup_requested", 0, 0, holder != 0 ?
	    arena_printf(v->arena, "for customer %lld", (long long)holder) :
	    "domain unknown");
	return db_finish(v->db, failed, NULL, NULL);
}

/* ----------------------------------------------------- the mail's link */

/* Sign-up token of kind join if it still works, and the password hash a
 * join link's sign-up keeps (NULL for a domain's): 1, 0, -1. */
static int
open_signup(const struct viewer *v, const char *token, bool join,
    struct signup *out, const char **hash)
{
	unsigned char h[TOKEN_HASH_BYTES];
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	*hash = NULL;
	if (token_hash(token, h) != 0)
		return 0;
	s = db_stmt(v->db, STMT_SIGNUP_OPEN);
	db_bind_blob(s, ":hash", h, sizeof(h));
	db_bind_int(s, ":now", v->now);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		out->id = db_col_int(s, 0);
		out->customer_id = db_col_int(s, 1);
		out->customer = db_text(v->arena, s, 2);
		out->join_link_id = db_col_int(s, 3);
		out->email = db_text(v->arena, s, 4);
		out->username = db_col_null(s, 5) ?
		    NULL : db_text(v->arena, s, 5);
		*hash = db_col_null(s, 6) ? NULL :
		    db_text(v->arena, s, 6);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	return (out->join_link_id != 0) == join ? 1 : 0;
}

int
signup_find(const struct viewer *v, const char *token, bool join,
    struct signup *out)
{
	const char *hash;

	return open_signup(v, token, join, out, &hash);
}

/* Whether sign-up su may still make its user, inside the transaction:
 * a join link still open (and its groups into *groups), or the domain
 * still its customer's. 1, 0, -1. */
static int
still_open(const struct viewer *v, const struct signup *su,
    unsigned *groups)
{
	struct join_target t;
	const char *name;
	int64_t holder;
	int rc;

	*groups = 0;
	if (su->join_link_id != 0) {
		if ((rc = open_link(v, NULL, su->join_link_id, &t)) == 1)
			*groups = t.groups;
		return rc;
	}
	if (domain_holder(v, su->email, &holder, &name) != 0)
		return -1;
	return holder == su->customer_id;
}

enum model_result
signup_finish(const struct viewer *v, const char *token, bool join,
    const struct user_joining *j, struct user_errors *e, struct signup *out)
{
	char typed[crypto_pwhash_STRBYTES];
	struct user_onboarding o;
	struct user_joining with;
	const char *hash;
	struct db_stmt *s;
	unsigned groups;
	int64_t id;
	bool failed;
	int rc;

	memset(e, 0, sizeof(*e));
	memset(typed, 0, sizeof(typed));
	if ((rc = open_signup(v, token, join, out, &hash)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if (join) {
		/* whoever had the join link chose the password, for any
		 * address: the address's owner confirms only by knowing it
		 * (else a stranger's password would open their user) */
		rc = crypto_pwhash_str_verify(hash, j->password,
		    strlen(j->password));
		sodium_memzero((char *)hash, strlen(hash));
		if (rc != 0) {
			check_fail(&e->password, 400, *j->password == '\0' ?
			    "Enter the password you chose when you joined." :
			    "This is not the password chosen when joining. "
			    "If you did not ask to join, ignore the mail.");
			return MODEL_INVALID;
		}
	} else {
		with = *j;
		with.email = out->email;
		if (user_check_joining(&with, e) != 0)
			return MODEL_INVALID;
		if (password_hash(j->password, typed) != 0)
			return MODEL_FAILED;
	}
	if (db_begin(v->db) != 0) {
		sodium_memzero(typed, sizeof(typed));
		return MODEL_FAILED;
	}
	if ((rc = open_signup(v, token, join, out, &hash)) != 1 ||
	    (rc = still_open(v, out, &groups)) != 1) {
		sodium_memzero(typed, sizeof(typed));
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	o = (struct user_onboarding){ out->customer_id, out->email,
	    join ? out->username : j->username, join ? "" : j->full_name,
	    join ? hash : typed, groups, join ? "join link" :
	    "sign-up by domain" };
	id = user_onboard(v, &o, e);
	sodium_memzero(typed, sizeof(typed));
	if (hash != NULL)
		sodium_memzero((char *)hash, strlen(hash));
	failed = id < 0;
	if (id > 0) {
		s = db_stmt(v->db, STMT_SIGNUP_USE);
		db_bind_int(s, ":now", v->now);
		db_bind_int(s, ":id", out->id);
		failed = db_exec(v->db, s) != 0 || db_changes(v->db) != 1;
		if (!failed && join) {
			s = db_stmt(v->db, STMT_JOIN_LINK_USE);
			db_bind_int(s, ":id", out->join_link_id);
			db_bind_int(s, ":now", v->now);
			failed = db_exec(v->db, s) != 0 ||
			    db_changes(v->db) != 1;
		}
		if (!failed)
			event_log(v, "signup_confirmed", id, id,
			    arena_printf(v->arena, "%s as %s (%s)", out->email,
			    o.username, o.how));
	}
	return guard_finish(v, failed, e, user_joining_fields);
}
