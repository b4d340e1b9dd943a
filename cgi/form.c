/*
 * form.c - strict decoding of client input.
 */
#include "form.h"

#include <string.h>
#include <strings.h>

#include "arena.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into a new arena string; '+' is a space. */
static enum form_err
decode(struct arena *a, const char *s, size_t len, char **out,
    size_t *outlen)
{
	char *d = arena_alloc(a, len + 1);
	size_t i, j = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[j++] = ' ';
		} else if (s[i] == '%') {
			if (len - i < 3)
				return FORM_BAD_ESCAPE;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return FORM_BAD_ESCAPE;
			if (hi == 0 && lo == 0)
				return FORM_NUL;
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0') {
			return FORM_NUL;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	if (!utf8_valid(d, j))
		return FORM_BAD_UTF8;
	*out = d;
	*outlen = j;
	return FORM_OK;
}

enum form_err
form_parse(struct arena *a, const char *s, size_t len, struct params *out)
{
	const char *p = s, *end = s + len, *amp, *eq;
	size_t n = 0, cap = 0, namelen;
	struct param *v = NULL, *grown;
	enum form_err e;
	char *name, *value;
	size_t vlen;

	out->v = NULL;
	out->n = 0;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {		/* "a=1&&b=2": an empty pair */
			p++;
			continue;
		}
		if (n == FORM_MAX_FIELDS)
			return FORM_TOO_MANY;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (eq == p)
			return FORM_EMPTY_NAME;
		if ((size_t)(eq - p) > FORM_MAX_NAME * 3)
			return FORM_NAME_TOO_LONG;
		if ((e = decode(a, p, (size_t)(eq - p), &name, &namelen)) !=
		    FORM_OK)
			return e;
		if (namelen > FORM_MAX_NAME)
			return FORM_NAME_TOO_LONG;
		if (eq == amp) {
			value = arena_strdup(a, "");
			vlen = 0;
		} else if ((e = decode(a, eq + 1, (size_t)(amp - eq - 1),
		    &value, &vlen)) != FORM_OK) {
			return e;
		}
		if (vlen > FORM_MAX_VALUE)
			return FORM_VALUE_TOO_LONG;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = arena_calloc(a, cap, sizeof(*v));
			if (n)
				memcpy(grown, v, n * sizeof(*v));
			v = grown;
		}
		v[n].name = name;
		v[n].value = value;
		v[n].len = vlen;
		n++;
		p = amp + 1;
	}
	out->v = v;
	out->n = n;
	return FORM_OK;
}

/* ------------------------------------------------ multipart/form-data */

/* The boundary of a multipart/form-data Content-Type (RFC 7578: 1 to 70
 * characters, perhaps quoted), or NULL when type is none. */
static const char *
multipart_boundary(struct arena *a, const char *type)
{
	const char *p;
	size_t n;

	if (strncasecmp(type, "multipart/form-data", 19) != 0 ||
	    (type[19] != ';' && type[19] != ' ' && type[19] != '\0') ||
	    (p = strcasestr(type, "boundary=")) == NULL)
		return NULL;
	p += 9;
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
		if (p[n] != '"')
			return NULL;
	} else {
		n = strcspn(p, "; \t");
	}
	return n >= 1 && n <= 70 ? arena_strndup(a, p, n) : NULL;
}

/* The value of parameter key (name, filename) of the Content-Disposition
 * header in [h, end), unquoted; NULL when it has none. */
static const char *
disposition_param(struct arena *a, const char *h, const char *end,
    const char *key)
{
	size_t klen = strlen(key);
	const char *p = h, *q;

	while (p < end) {
		q = memchr(p, ';', (size_t)(end - p));
		if (q == NULL)
			q = end;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(q - p) > klen + 1 && strncasecmp(p, key, klen) ==
		    0 && p[klen] == '=') {
			p += klen + 1;
			if (*p == '"') {
				p++;
				q = memchr(p, '"', (size_t)(end - p));
				if (q == NULL)
					return NULL;
			}
			return arena_strndup(a, p, (size_t)(q - p));
		}
		p = q + 1;
	}
	return NULL;
}

bool
form_is_multipart(const char *type)
{
	return strncasecmp(type, "multipart/form-data", 19) == 0;
}

enum form_err
form_parse_multipart(struct arena *a, const char *body, size_t len,
    const char *type, size_t max_value, const char *raw_name,
    struct params *out)
{
	const char *end = body + len, *p, *hend, *next, *line, *eol;
	const char *boundary = multipart_boundary(a, type), *name, *file;
	const char *disposition;
	size_t dlen, n = 0, cap = 0, vlen;
	struct param *v = NULL, *grown;
	char *delim;
	bool raw;

	out->v = NULL;
	out->n = 0;
	if (boundary == NULL)
		return FORM_BAD_MULTIPART;
	delim = arena_printf(a, "\r\n--%s", boundary);
	dlen = strlen(delim);
	/* the first delimiter may open the body (no CRLF before it) */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = memmem(body, len, delim, dlen)) != NULL)
		p += dlen;
	else
		return FORM_BAD_MULTIPART;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;		/* the closing delimiter */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return FORM_BAD_MULTIPART;
		p += 2;
		if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) ==
		    NULL)
			return FORM_BAD_MULTIPART;
		disposition = NULL;
		for (line = p; line < hend; line = eol + 2) {
			if ((eol = memmem(line, (size_t)(hend + 2 - line),
			    "\r\n", 2)) == NULL)
				eol = hend;
			if ((size_t)(eol - line) > 20 && strncasecmp(line,
			    "Content-Disposition:", 20) == 0)
				disposition = line + 20;
			if (eol == hend)
				break;
		}
		if (disposition == NULL)
			return FORM_BAD_MULTIPART;
		eol = memmem(disposition, (size_t)(hend - disposition), "\r\n",
		    2);
		if (eol == NULL)
			eol = hend;
		name = disposition_param(a, disposition, eol, "name");
		file = disposition_param(a, disposition, eol, "filename");
		p = hend + 4;
		if ((next = memmem(p, (size_t)(end - p), delim, dlen)) == NULL)
			return FORM_BAD_MULTIPART;
		vlen = (size_t)(next - p);
		if (name == NULL || *name == '\0')
			return FORM_EMPTY_NAME;
		if (strlen(name) > FORM_MAX_NAME)
			return FORM_NAME_TOO_LONG;
		if (!utf8_valid(name, strlen(name)))
			return FORM_BAD_UTF8;
		/* the file the route reads goes to its reader as it is (the
		 * CSV import says what is wrong with it); every other value,
		 * a part with a file name too, is text */
		raw = file != NULL && raw_name != NULL && strcmp(name,
		    raw_name) == 0;
		if (vlen > max_value)
			return FORM_VALUE_TOO_LONG;
		if (!raw && memchr(p, '\0', vlen) != NULL)
			return FORM_NUL;
		if (!raw && !utf8_valid(p, vlen))
			return FORM_BAD_UTF8;
		if (n == FORM_MAX_FIELDS)
			return FORM_TOO_MANY;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = arena_calloc(a, cap, sizeof(*v));
			if (n)
				memcpy(grown, v, n * sizeof(*v));
			v = grown;
		}
		v[n].name = name;
		v[n].value = arena_strndup(a, p, vlen);
		v[n].len = vlen;
		n++;
		p = next + dlen;
	}
	out->v = v;
	out->n = n;
	return FORM_OK;
}

void
form_parse_cookies(struct arena *a, const char *header, struct params *out)
{
	const char *p = header, *semi, *eq, *name, *nend;
	struct param *v;
	size_t n = 0, cap = 1;

	out->v = NULL;
	out->n = 0;
	if (header == NULL)
		return;
	for (p = header; *p; p++)
		if (*p == ';')
			cap++;
	if (cap > FORM_MAX_FIELDS)
		cap = FORM_MAX_FIELDS;
	v = arena_calloc(a, cap, sizeof(*v));
	for (p = header; *p && n < cap; p = *semi ? semi + 1 : semi) {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		while (p < semi && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq == NULL || eq == p)
			continue;
		name = p;
		nend = eq;
		while (nend > name && (nend[-1] == ' ' || nend[-1] == '\t'))
			nend--;
		v[n].name = arena_strndup(a, name, (size_t)(nend - name));
		v[n].value = arena_strndup(a, eq + 1, (size_t)(semi - eq - 1));
		v[n].len = (size_t)(semi - eq - 1);
		n++;
	}
	out->v = v;
	out->n = n;
}

const char *
form_strerror(enum form_err e)
{
	switch (e) {
	case FORM_OK:
		return "no error";
	case FORM_BAD_ESCAPE:
		return "A percent sign in the request is not followed by two "
		    "hexadecimal digits.";
	case FORM_NUL:
		return "The request contains a NUL character.";
	case FORM_BAD_UTF8:
		return "The request contains text that is not valid UTF-8.";
	case FORM_TOO_MANY:
		return "The request has too many fields.";
	case FORM_NAME_TOO_LONG:
		return "A field name in the request is too long.";
	case FORM_VALUE_TOO_LONG:
		return "A field in the request is too long.";
	case FORM_EMPTY_NAME:
		return "The request has a field without a name.";
	case FORM_BAD_MULTIPART:
		return "The upload could not be read: its parts are not framed "
		    "by the boundary its Content-Type names.";
	}
	return "The request could not be read.";
}

const char *
param_get(const struct params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

const char **
param_all(struct arena *a, const struct params *p, const char *name,
    size_t *n)
{
	const char **out;
	size_t i, k = 0;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			k++;
	out = arena_calloc(a, k + 1, sizeof(*out));
	k = 0;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			out[k++] = p->v[i].value;
	*n = k;
	return out;
}

size_t
utf8_valid_prefix(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, need, k;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3; cp = s[i] & 0x07; min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= need)
			return i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += need + 1;
	}
	return i;
}

bool
utf8_valid(const char *str, size_t len)
{
	return utf8_valid_prefix(str, len) == len;
}

int64_t
parse_id(const char *s)
{
	int64_t v = 0;
	const char *p;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s >= 18)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

static bool
hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
	    (c >= 'a' && c <= 'f');
}

/* s with every byte but letters, digits and those in keep as %XX; with
 * escapes, a '%' that starts one stays. */
static char *
encode(struct arena *a, const char *s, const char *keep, bool escapes)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr(keep, c) != NULL ||
		    (escapes && c == '%' && hex_digit(s[1]) &&
		    hex_digit(s[2]))) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
url_encode(struct arena *a, const char *s)
{
	return encode(a, s, "-._~", false);
}

char *
url_encode_path(struct arena *a, const char *s)
{
	return encode(a, s, "-._~!$&'()*+,;=:@/?", true);
}

bool
local_path(const char *s)
{
	/* "/x" is ours; "//host" and "/\host" are other sites to browsers */
	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return false;
	return true;
}
