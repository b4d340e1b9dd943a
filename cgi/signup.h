/*
 * signup.h - joining without an invitation to one's own address (issue
 * 17, seed 004's "onboarded through an account invitation link" and
 * "self-registered via domain"):
 *
 * - join links: an administrator makes a reusable link to a customer
 *   with groups they hold, a number of uses and an expiry; whoever has
 *   it gives an e-mail, username and password, and the user is made when
 *   they follow the confirmation mail (a user who never confirmed never
 *   signs in);
 * - sign-up domains: addresses of a customer's domains may ask for a
 *   link at /signup, which opens the form that makes their user.
 *
 * Both pending states are a sign-up (the signups table): a link by mail
 * that works once, for 72 hours. The public pages answer the same
 * whether or not an address has a user or a domain is known: a known
 * address gets a mail saying so instead, and the guard caps the posts
 * per client address and the mails per address (guard.h).
 */
#ifndef ARBOR_SIGNUP_H
#define ARBOR_SIGNUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct viewer;
struct user_errors;
struct user_joining;

#define JOIN_LINKS_SHOWN 100
#define JOIN_MAX_USES 10000
#define JOIN_DEFAULT_USES 50
#define JOIN_DEFAULT_DAYS 30
#define JOIN_MAX_DAYS 365
#define SIGNUP_DOMAINS_MAX 20
/* a sign-up's mail link works this long */
#define SIGNUP_SECONDS (72 * 3600)

/* A join link as its customer's administrators see it. */
struct join_link {
	int64_t id;
	unsigned groups;
	int64_t max_uses;
	int64_t uses;
	const char *created_by;	/* username, if v sees them */
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at;	/* 0: not */
	const char *status;	/* "open", "used" (up), "expired", "revoked" */
};

/* The newest JOIN_LINKS_SHOWN join links of customer id if v sees it
 * (ACT_USERS, read): 1, 0 (not found), -1. */
int join_links_of(const struct viewer *v, int64_t id, struct join_link **out,
    size_t *n);

struct join_link_input {
	const char *const *groups;	/* group keys */
	size_t ngroups;
	const char *max_uses;		/* as typed; "" for the default */
	const char *expires_on;		/* "YYYY-MM-DD" in v's zone */
};

struct join_link_errors {
	struct check_error groups;
	struct check_error max_uses;
	struct check_error expires_on;
};

extern const struct check_field join_link_error_fields[];

/* The expiry date a new link's form offers. */
const char *join_default_expiry(const struct viewer *v);

/*
 * Make a join link to customer id as v (ACT_USERS): groups as the Users
 * form checks them (known 400, held 403), max_uses 1 to 10,000, expiry
 * from today to a year ahead (400). Logs join_link_created. On
 * MODEL_DONE *url is the link: it is shown once, as only its hash is
 * kept. MODEL_NOT_FOUND: v does not see the customer.
 */
enum model_result join_link_create(const struct viewer *v, int64_t id,
    const struct join_link_input *in, struct join_link_errors *e,
    const char **url);

/* Revoke link link_id of customer id as v (ACT_USERS): *was_open false
 * when it was revoked already. Logs join_link_revoked. */
enum model_result join_link_revoke(const struct viewer *v, int64_t id,
    int64_t link_id, bool *was_open);

/* The customer a join link joins, as its visitor sees it. */
struct join_target {
	int64_t link_id;
	int64_t customer_id;
	const char *customer;
	unsigned groups;
	int64_t created_by;
};

/* Join link token if it still works (not revoked, expired or used up,
 * and its maker could still grant it): 1, 0, -1. */
int join_find(const struct viewer *v, const char *token,
    struct join_target *out);

/*
 * A visitor of join link token gives j (e-mail, username, password twice)
 * : checked (MODEL_INVALID, *e) and the link as join_find() says
 * (MODEL_NOT_FOUND); a username taken is 409 (counted by the guard).
 * Then, whatever the address: if it has a user, that user is told by
 * mail; else a sign-up waits for the confirmation mail's link. No mail
 * when the address had its mails of the hour. The same MODEL_DONE in
 * each case.
 */
enum model_result join_register(const struct viewer *v, const char *token,
    const struct user_joining *j, struct user_errors *e,
    struct join_target *out);

/* Sign-up domains (lower case) of customer id if v sees it (ACT_USERS,
 * read), comma-separated in *domains: 1, 0 (not found), -1. */
int signup_domains_of(const struct viewer *v, int64_t id,
    const char **domains);

struct domain_errors {
	struct check_error domains;
};

extern const struct check_field domain_error_fields[];

/*
 * Replace the sign-up domains of customer id by the comma-separated
 * domains as v, an operator (ACT_OPERATOR: a domain lets everyone with
 * an address there join, so the platform sets it once it knows the
 * account owns the domain; else MODEL_NOT_FOUND): each a domain name and
 * not a public mail service (400), at most SIGNUP_DOMAINS_MAX, none
 * another customer's (409, naming it). Logs signup_domains_set.
 */
enum model_result signup_domains_set(const struct viewer *v, int64_t id,
    const char *domains, struct domain_errors *e);

/*
 * /signup: a visitor asks for a link for email. Malformed: MODEL_INVALID
 * (e->email). Otherwise MODEL_DONE whatever happened: a domain known to
 * a customer gets a mail with a link to the form (or, for an address
 * that has a user, a mail saying so); an unknown one gets nothing. No
 * mail when the address had its mails of the hour.
 */
enum model_result signup_request(const struct viewer *v, const char *email,
    struct user_errors *e);

/* A sign-up waiting behind a mail's link. */
struct signup {
	int64_t id;
	int64_t customer_id;
	const char *customer;
	int64_t join_link_id;	/* 0: by domain */
	const char *email;
	const char *username;	/* a join link's: chosen already */
};

/* Sign-up link token of kind join (true: a join link's confirmation) if
 * it still works: 1, 0, -1. */
int signup_find(const struct viewer *v, const char *token, bool join,
    struct signup *out);

/*
 * Finish sign-up token, in one transaction, making the user with
 * user_onboard(): a join link's (join: the username and password given
 * before, j->password the same password again -- else MODEL_INVALID,
 * e->password: the address's owner did not choose it --, the link still
 * open and counted) or a domain's (j: the
 * username, full name and password, checked as MODEL_INVALID *e; the
 * domain still the same customer's). MODEL_NOT_FOUND as signup_find;
 * 409 in *e when the address or username was taken meanwhile. Logs
 * signup_confirmed.
 */
enum model_result signup_finish(const struct viewer *v, const char *token,
    bool join, const struct user_joining *j, struct user_errors *e,
    struct signup *out);

#endif
