/*
 * check.h - input rules shared by the pages and the API: trimming,
 * lengths in characters, control characters, e-mail addresses, and the
 * record of what is wrong with a field.
 *
 * The models (customer.c, location.c, user.c) check a struct of fields
 * and fill an errors struct that has one struct check_error per field.
 * A page shows each message next to its field (page_errors()); the API
 * answers with a problem document for the first field in error
 * (api_errors()), with the status the model gave it. So a rule, its
 * message and its meaning exist once, whichever door the input came in.
 */
#ifndef ARBOR_CHECK_H
#define ARBOR_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define EMAIL_MAX_BYTES 254

/* s without leading and trailing ASCII white space (space, tab, CR, LF),
 * as a copy in a; "" for NULL. */
const char *check_trim(struct arena *a, const char *s);

/* The characters (code points) of a valid UTF-8 string. */
size_t check_chars(const char *s);

/* Whether s holds no control character; with lines, CR and LF pass. */
bool check_plain(const char *s, bool lines);

/* s as a number from min to max, written in decimal digits only (no sign,
 * no spaces): true and *out, or false. */
bool check_number(const char *s, long min, long max, long *out);

/*
 * Whether s is a plausible e-mail address: local@domain, at most 254
 * bytes, a local part of 1..64 bytes without spaces, quotes or brackets
 * and without a leading, trailing or double dot, a domain of two or more
 * labels of letters, digits, '-' or non-ASCII (IDN) that neither start
 * nor end with '-'. Deliverability is the mail server's business; what
 * matters here is that nothing in it can break a mail header.
 */
bool check_email(const char *s);

/*
 * s as an IBAN (ISO 13616) in a, without spaces and in capitals: two
 * letters of a country, two check digits (02 to 98) and up to 30 letters
 * or digits, 15 to 34 in all, whose mod-97 check (ISO 7064, the letters
 * as 10 to 35) is 1. The length each country's registry entry gives is
 * not checked. NULL when s is not one: a typo in one character or two
 * characters swapped always fails the check.
 */
const char *check_iban(struct arena *a, const char *s);

/*
 * What is wrong with one field: a sentence for the person who typed it
 * (NULL: nothing) and what it means as an HTTP status: 400 invalid, 403
 * not allowed (an escalation or a rule about oneself), 404 no such
 * object in the viewer's scope (missing and invisible alike), 409 taken.
 */
/*
 * What a model's write flow answers: done; refused for the reasons in its
 * errors struct (nothing changed); the object is not in the viewer's
 * scope (404, like a missing one; nothing changed); or a database error
 * (rolled back, nothing changed).
 */
enum model_result {
	MODEL_DONE,
	MODEL_INVALID,
	MODEL_NOT_FOUND,
	MODEL_FAILED
};

struct check_error {
	const char *msg;
	int status;
};

/* Record an error; the first one of a field stays. */
void check_fail(struct check_error *e, int status, const char *msg);

/*
 * The fields of an errors struct, in the order they are reported: the
 * name in the HTML form, the member in the API's JSON, and where the
 * field's struct check_error lies. A table ends with a NULL form name.
 */
struct check_field {
	const char *form;
	const char *json;
	size_t offset;
};

#define CHECK_FIELD(type, member, form, json) \
	{ form, json, offsetof(type, member) }

/* The error of field f in the errors struct at errors. */
const struct check_error *check_error_of(const void *errors,
    const struct check_field *f);

/* The number of fields in error. */
int check_count(const void *errors, const struct check_field *fields);

/* The status a refused form page answers: 429 when a field says the
 * client must wait (a throttle), else 400. */
int check_form_status(const void *errors, const struct check_field *fields);

#endif
