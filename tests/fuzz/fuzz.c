/*
 * fuzz.c - helpers of the harnesses (fuzz.h).
 */
#include "fuzz.h"

#include "arena.h"

char *
fuzz_cstr(struct arena *a, const uint8_t *data, size_t size)
{
	return arena_strndup(a, (const char *)data, size);
}
