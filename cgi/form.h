/*
 * form.h - the door: query strings, urlencoded bodies and cookies.
 *
 * Everything a client sends is decoded here, strictly, before a handler
 * sees it: '%' must be followed by two hex digits, a decoded NUL or a
 * byte sequence that is not UTF-8 is refused, and the number and size of
 * fields are bounded. Handlers then read plain C strings.
 */
#ifndef ARBOR_FORM_H
#define ARBOR_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

#define FORM_MAX_FIELDS 1000
#define FORM_MAX_NAME 64
#define FORM_MAX_VALUE (512 * 1024)	/* 10,000 pasted UUIDs fit */

struct param {
	const char *name;
	const char *value;
	size_t len;
};

struct params {
	struct param *v;
	size_t n;
};

enum form_err {
	FORM_OK,
	FORM_BAD_ESCAPE,	/* '%' not followed by two hex digits */
	FORM_NUL,		/* a decoded NUL byte */
	FORM_BAD_UTF8,
	FORM_TOO_MANY,		/* more than FORM_MAX_FIELDS */
	FORM_NAME_TOO_LONG,
	FORM_VALUE_TOO_LONG,
	FORM_EMPTY_NAME,
	FORM_BAD_MULTIPART	/* no boundary, or a part not framed by it */
};

/* Parse application/x-www-form-urlencoded data (a query string or body). */
enum form_err form_parse(struct arena *a, const char *s, size_t len,
    struct params *out);

/* Whether Content-Type type is multipart/form-data. */
bool form_is_multipart(const char *type);

/*
 * Parse a multipart/form-data body (RFC 7578: an upload) of Content-Type
 * type: each part's name and value, with the limits of form_parse() but
 * values of up to max_value bytes (a route that takes files says how
 * large). The file part named raw_name (a part with a file name) is kept
 * as it is (len says how long: its reader checks it); every other value
 * must be UTF-8 without NUL.
 */
enum form_err form_parse_multipart(struct arena *a, const char *body,
    size_t len, const char *type, size_t max_value, const char *raw_name,
    struct params *out);

/*
 * Parse a Cookie header. Lenient by design: other programs on the same
 * host may set cookies we cannot read, and one of those must not lock a
 * user out; pairs that are not name=value are skipped.
 */
void form_parse_cookies(struct arena *a, const char *header,
    struct params *out);

/* A sentence for the 400 page. */
const char *form_strerror(enum form_err e);

/* The first value of name, or NULL. */
const char *param_get(const struct params *p, const char *name);

/* Every value of a repeated name, in order; *n is set to the count. */
const char **param_all(struct arena *a, const struct params *p,
    const char *name, size_t *n);

/* Whether len bytes of s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/* How many of the first len bytes of s are well-formed UTF-8: up to the
 * first byte that is not, or a character len would cut. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* A decimal id in 1..INT64_MAX with no sign, spaces or leading zeros;
 * 0 when s is anything else. */
int64_t parse_id(const char *s);

/* Percent-encode everything but unreserved characters (RFC 3986). */
char *url_encode(struct arena *a, const char *s);

/* Percent-encode what cannot stand in a URI's path and query as it is
 * (RFC 3986: all but unreserved and sub-delims, ':', '@', '/', '?' and a
 * '%' that starts an escape), for a Location header: the same path, and
 * encoding it again changes nothing. */
char *url_encode_path(struct arena *a, const char *s);

/* Whether s is a path on this site, safe for a redirect after login:
 * starts with one '/', not "//" or "/\", no control characters. */
bool local_path(const char *s);

#endif
