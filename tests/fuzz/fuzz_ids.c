/*
 * fuzz_ids.c - pasted id lists: device_split_ids(), which splits the
 * "ids" field of a bulk device move and the logins or unit ids pasted
 * into a user group, at the bulk move's limit.
 */
#include <string.h>

#include "arena.h"
#include "device.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char **ids;
	size_t i, n;

	n = device_split_ids(a, fuzz_cstr(a, data, size), DEVICE_MANAGE_MAX,
	    &ids);
	if (n > DEVICE_MANAGE_MAX + 1 || ids[n] != NULL)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (ids[i][0] == '\0' || strpbrk(ids[i], ",; \t\r\n") != NULL)
			__builtin_trap();
	arena_free(a);
	return 0;
}
