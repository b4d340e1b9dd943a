/*
 * arena.h - per-request memory.
 *
 * Everything a request allocates comes from one arena and is released in
 * one call when the request ends, so a worker that serves millions of
 * requests cannot accumulate leaks from a forgotten free() in a handler.
 * Allocation never fails from the caller's point of view: on exhaustion
 * the process aborts (as redis does), because a worker without memory
 * cannot answer anyway and the supervisor restarts it.
 */
#ifndef ARBOR_ARENA_H
#define ARBOR_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new empty arena. Free it with arena_free(). */
struct arena *arena_new(void);

/* Release every block; the arena itself stays usable and keeps its first
 * block so the next request does not go back to malloc for small pages. */
void arena_reset(struct arena *a);

/* Release the arena and everything allocated from it. NULL is accepted. */
void arena_free(struct arena *a);

/* n bytes aligned for any type, zero-filled. */
void *arena_alloc(struct arena *a, size_t n);

/* n elements of size sz, with overflow check. */
void *arena_calloc(struct arena *a, size_t n, size_t sz);

/* Copies of strings, NUL-terminated; arena_strndup copies at most n
 * bytes and stops early at a NUL, like strndup(3). */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Bytes currently held (for the worker's memory statistics and tests). */
size_t arena_bytes(const struct arena *a);

#endif
