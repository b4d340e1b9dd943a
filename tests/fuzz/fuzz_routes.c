/*
 * fuzz_routes.c - the route matcher: route_find() on a request's method
 * and raw path, as route_dispatch() calls it. The input's first byte
 * picks the method, the rest is the path (a FastCGI parameter: up to a
 * NUL).
 */
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "http.h"
#include "routes.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct request req;
	const struct route *r = NULL;
	char allow[128];

	if (size == 0)
		return 0;
	a = arena_new();
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.method = (enum http_method)(data[0] % (METHOD_OTHER + 1));
	req.path = fuzz_cstr(a, data + 1, size - 1);
	memset(allow, 'x', sizeof(allow));	/* no terminator until written */
	switch (route_find(&req, &r, allow, sizeof(allow))) {
	case ROUTE_FOUND:
		if (r == NULL || req.id < 0 || req.sub_id < 0 ||
		    (r->method != req.method && !(r->method == METHOD_GET &&
		    req.method == METHOD_HEAD)))
			__builtin_trap();
		break;
	case ROUTE_BAD_METHOD:
		/* an Allow header: some method, and ended inside the buffer */
		if (memchr(allow, '\0', sizeof(allow)) == NULL ||
		    allow[0] == '\0')
			__builtin_trap();
		break;
	case ROUTE_NO_PATH:
		break;
	}
	(void)route_exists(req.path);
	arena_free(a);
	return 0;
}
