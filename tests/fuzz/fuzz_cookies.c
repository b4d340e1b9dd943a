/*
 * fuzz_cookies.c - the Cookie header: form_parse_cookies(), as
 * http_read() calls it, then http_cookie_get() for the cookies the
 * session reads.
 */
#include <string.h>

#include "arena.h"
#include "form.h"
#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "arbor_session", "arbor_pre",
	    "arbor_flash", "arbor_reveal" };
	struct arena *a = arena_new();
	struct request req;
	size_t i;

	memset(&req, 0, sizeof(req));
	req.arena = a;
	form_parse_cookies(a, fuzz_cstr(a, data, size), &req.cookies);
	if (req.cookies.n > FORM_MAX_FIELDS)
		__builtin_trap();
	for (i = 0; i < req.cookies.n; i++)
		if (req.cookies.v[i].name[0] == '\0' ||
		    strlen(req.cookies.v[i].value) != req.cookies.v[i].len)
			__builtin_trap();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)http_cookie_get(&req, names[i]);
	arena_free(a);
	return 0;
}
