/*
 * fuzz_form.c - query strings and urlencoded bodies: form_parse(), as
 * http_read() calls it, and what handlers then ask of the fields.
 */
#include <string.h>

#include "arena.h"
#include "form.h"
#include "fuzz.h"

#define LOOKUPS 8

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct params p;
	const char **all;
	size_t i, n;

	/* a body may hold NULs; the parser must refuse them, not stop */
	if (form_parse(a, (const char *)data, size, &p) == FORM_OK) {
		for (i = 0; i < p.n; i++) {
			if (strlen(p.v[i].value) != p.v[i].len ||
			    !utf8_valid(p.v[i].value, p.v[i].len) ||
			    strlen(p.v[i].name) > FORM_MAX_NAME)
				__builtin_trap();	/* a broken promise */
			(void)parse_id(p.v[i].value);
		}
		/* a handler asks for a few names (each lookup scans all) */
		for (i = 0; i < p.n && i < LOOKUPS; i++) {
			all = param_all(a, &p, p.v[i].name, &n);
			if (n == 0 || all[n] != NULL ||
			    param_get(&p, p.v[i].name) != all[0])
				__builtin_trap();
		}
	}
	arena_free(a);
	return 0;
}
