/*
 * account.h - an account's profile (seed 003): plan, type, the language
 * of its e-mail, contact, billing address, payment and IBANs,
 * notifications and feature flags; for /customers/{id}/profile and
 * /api/v1/customers/{id}/profile alike.
 *
 * Only an account (a customer without parent) has one. Who may see it:
 * operators, and the users of that account itself (not of a customer
 * below it, who are billed through it) who hold Billing Administrator or
 * Account Administrator, who may also change it, or API Developer, who
 * reads it. Anyone else, and any other id, finds no profile: 404.
 */
#ifndef ARBOR_ACCOUNT_H
#define ARBOR_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

struct viewer;

/* The fields, in the order of the form, the API document and the SQL
 * (sql.h ACCOUNT_PROFILE); the name is the form field and JSON member. */
#define ACCOUNT_FIELDS(X) \
	X(plan) X(account_type) X(language) X(contact_name) \
	X(contact_phone) X(contact_email) X(contact_gender) \
	X(billing_street) X(billing_postal_code) X(billing_city) \
	X(billing_country) X(payment_method) X(iban) X(reimbursement_iban) \
	X(notifications) X(feature_flags)

/* The values, as text: notifications is "1" or "0"; IBANs without
 * spaces; feature flags "a,b". In an input, NULL keeps the stored value
 * (the API's partial update; the form sends every field). */
struct account_fields {
#define X(name) const char *name;
	ACCOUNT_FIELDS(X)
#undef X
};

/* The names of the fields, in ACCOUNT_FIELDS order, NULL-ended. */
extern const char *const account_field_names[];

/* The field named i of f. */
const char **account_field(struct account_fields *f, size_t i);

struct account_profile {
	int64_t id;			/* the account's customer id */
	const char *account;		/* its name */
	struct account_fields f;
	int64_t updated_at;		/* 0: never saved (the defaults) */
	bool may_change;		/* v may save it */
	bool may_flag;			/* v may change feature_flags */
};

/* Account id's profile as v sees it: 1, 0 (no such account, or v may not
 * see its profile), -1 on a database error. */
int account_profile_get(const struct viewer *v, int64_t id,
    struct account_profile *p);

struct account_errors {
#define X(name) struct check_error name;
	ACCOUNT_FIELDS(X)
#undef X
};

/* The fields of struct account_errors, in the order they are reported. */
extern const struct check_field account_error_fields[];

/*
 * Save account id's profile as v, in one transaction: the stored values
 * (or the defaults) with in's given ones over them, checked whole. A plan
 * of arbor.conf's [plans] or none; account_type private or company;
 * language en or nl; contact and address on one line each, at most 200
 * characters (a postal code 20, a phone 50 of digits, spaces and
 * "+-()./"); a contact e-mail that is one; billing_country an ISO 3166
 * code; payment_method invoice or direct_debit, which needs the iban;
 * both IBANs ISO 13616 (kept without spaces); notifications 1 or 0;
 * feature flags a comma list of up to 20 names of a-z, 0-9, '_' and '-',
 * changed by operators only (403). 400 for the rest. Logs
 * account_profile_updated naming the fields that changed. MODEL_NOT_FOUND
 * as account_profile_get() finds none; MODEL_INVALID fills *e (a viewer
 * who may only read it: 403 on plan).
 */
enum model_result account_profile_save(const struct viewer *v, int64_t id,
    const struct account_fields *in, struct account_errors *e);

/* account_profile_save() inside the caller's write transaction. With
 * changed (an accounts import's row) it writes only when a field's value
 * differs, and says so in *changed. On MODEL_INVALID and MODEL_FAILED
 * the caller rolls back. */
enum model_result account_profile_save_in(const struct viewer *v, int64_t id,
    const struct account_fields *in, struct account_errors *e,
    bool *changed);

/* The plans arbor.conf's [plans] names offer, in v's arena (NULL-ended;
 * none: an empty list). */
const char **account_plans(const struct viewer *v);

#endif
