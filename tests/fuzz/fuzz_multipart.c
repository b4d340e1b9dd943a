/*
 * fuzz_multipart.c - upload bodies: form_parse_multipart() with the
 * arguments http_read() gives it on the import routes. The input's first
 * line is the Content-Type (a header: up to a NUL), the rest the body.
 */
#include <string.h>

#include "arena.h"
#include "form.h"
#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl != NULL ? (size_t)(nl - data) : size;
	const char *type = fuzz_cstr(a, data, tlen);
	const char *body;
	size_t blen = nl != NULL ? size - tlen - 1 : 0, i;
	struct params p;
	char *copy;

	/* the body as http_read() keeps it: NUL-terminated, may hold NULs */
	copy = arena_alloc(a, blen + 1);
	memcpy(copy, data + size - blen, blen);
	body = copy;
	if (form_is_multipart(type) && form_parse_multipart(a, body, blen,
	    type, HTTP_MAX_IMPORT_BODY, "file", &p) == FORM_OK) {
		for (i = 0; i < p.n; i++)
			if (p.v[i].name[0] == '\0' ||
			    strlen(p.v[i].name) > FORM_MAX_NAME ||
			    (strcmp(p.v[i].name, "file") != 0 &&
			    !utf8_valid(p.v[i].value, p.v[i].len)))
				__builtin_trap();
		(void)param_get(&p, "file");
	}
	arena_free(a);
	return 0;
}
