/*
 * check.c - input rules shared by the pages and the API.
 */
#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *
check_trim(struct arena *a, const char *s)
{
	size_t n;

	if (s == NULL)
		return "";
	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

size_t
check_chars(const char *s)
{
	size_t n = 0;

	/* every byte but a continuation byte (10xxxxxx) starts a character */
	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

bool
check_plain(const char *s, bool lines)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && !(lines && (c == '\n' || c == '\r'))) ||
		    c == 0x7f)
			return false;
	}
	return true;
}

bool
check_number(const char *s, long min, long max, long *out)
{
	char *end;
	long n;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < min || n > max)
		return false;
	*out = n;
	return true;
}

bool
check_email(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t local;
	int labels = 0;

	if (at == NULL || strchr(at + 1, '@') != NULL ||
	    strlen(s) > EMAIL_MAX_BYTES)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch == 0x7f || strchr("\"(),:;<>[\\]", ch) ||
		    (ch == '.' && p[1] == '.'))
			return false;
	}
	for (label = p = at + 1;; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '.' || ch == '\0') {
			if (p == label || label[0] == '-' || p[-1] == '-' ||
			    p - label > 63)
				return false;
			labels++;
			if (ch == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-'))
			return false;
	}
	return labels >= 2;
}

void
check_fail(struct check_error *e, int status, const char *msg)
{
	if (e->msg != NULL)
		return;
	e->msg = msg;
	e->status = status;
}

const struct check_error *
check_error_of(const void *errors, const struct check_field *f)
{
	return (const struct check_error *)(const void *)
	    ((const char *)errors + f->offset);
}

int
check_count(const void *errors, const struct check_field *fields)
{
	int n = 0;

	for (; fields->form != NULL; fields++)
		n += check_error_of(errors, fields)->msg != NULL;
	return n;
}

int
check_form_status(const void *errors, const struct check_field *fields)
{
	for (; fields->form != NULL; fields++)
		if (check_error_of(errors, fields)->status == 429)
			return 429;
	return 400;
}

const char *
check_iban(struct arena *a, const char *s)
{
	char *iban = arena_alloc(a, strlen(s) + 1);
	size_t n = 0, i;
	unsigned rest = 0;
	char c;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if ((unsigned char)*s > 127 || !isalnum((unsigned char)*s))
			return NULL;
		c = (char)toupper((unsigned char)*s);
		iban[n++] = c;
	}
	iban[n] = '\0';
	if (n < 15 || n > 34 || !isupper((unsigned char)iban[0]) ||
	    !isupper((unsigned char)iban[1]) ||
	    !isdigit((unsigned char)iban[2]) || !isdigit((unsigned char)iban[3]))
		return NULL;
	/* the check digits are 02 to 98: 00, 01 and 99 pass mod-97 like
	 * 97, 98 and 02 but are never issued */
	if ((iban[2] == '0' && iban[3] <= '1') || (iban[2] == '9' &&
	    iban[3] == '9'))
		return NULL;
	/* the first four characters go to the end; a letter is two digits */
	for (i = 0; i < n; i++) {
		c = iban[(i + 4) % n];
		if (isdigit((unsigned char)c))
			rest = (rest * 10 + (unsigned)(c - '0')) % 97;
		else
			rest = (rest * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return rest == 1 ? iban : NULL;
}
