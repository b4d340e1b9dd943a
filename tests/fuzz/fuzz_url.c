/*
 * fuzz_url.c - the URL and UTF-8 helpers of the door: utf8_valid(),
 * parse_id(), local_path(), url_encode() and url_encode_path(), with the
 * promises form.h makes of them: an id is read only from its own
 * decimal, url_encode() output decodes back through form_parse() to what
 * was encoded, url_encode_path() changes nothing when applied again, and
 * both emit only URI characters.
 */
#include <string.h>

#include "arena.h"
#include "form.h"
#include "fuzz.h"

/* Whether s holds only characters a URI may (RFC 3986). */
static bool
uri_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("\"<>\\^`{|}", *s) != NULL)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *s = fuzz_cstr(a, data, size), *enc, *path;
	struct params p;
	int64_t id;

	/* the raw bytes too: a body's text is checked with its NULs */
	(void)utf8_valid((const char *)data, size);
	/* an id is the decimal it was written as, nothing else */
	id = parse_id(s);
	if (id < 0 || (id > 0 && strcmp(arena_printf(a, "%lld",
	    (long long)id), s) != 0))
		__builtin_trap();
	(void)local_path(s);
	enc = url_encode(a, s);
	path = url_encode_path(a, s);
	if (!uri_chars(enc) || !uri_chars(path) ||
	    strcmp(url_encode_path(a, path), path) != 0)
		__builtin_trap();
	/* what is encoded as a value reads back as that value */
	if (*s != '\0' && utf8_valid(s, strlen(s)) &&
	    (form_parse(a, arena_printf(a, "v=%s", enc), strlen(enc) + 2,
	    &p) != FORM_OK || p.n != 1 || strcmp(p.v[0].value, s) != 0))
		__builtin_trap();
	arena_free(a);
	return 0;
}
