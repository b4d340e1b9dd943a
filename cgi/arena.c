/*
 * arena.c - a chain of blocks; allocation bumps a pointer.
 *
 * Large requests (above a quarter block) get a block of their own so a
 * single 1 MiB form body does not waste the tail of a normal block.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)
#define ARENA_ALIGN (_Alignof(max_align_t))

struct block {
	struct block *next;
	size_t size;	/* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

struct arena {
	struct block *head;	/* current block; the chain ends at the first */
	size_t bytes;
};

static void
arena_oom(size_t n)
{
	fprintf(stderr, "arena: out of memory allocating %zu bytes\n", n);
	abort();
}

static struct block *
block_new(size_t size)
{
	struct block *b;

	if (size > SIZE_MAX - sizeof(*b))
		arena_oom(size);
	b = malloc(sizeof(*b) + size);
	if (b == NULL)
		arena_oom(size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *
arena_new(void)
{
	struct arena *a = malloc(sizeof(*a));

	if (a == NULL)
		arena_oom(sizeof(*a));
	a->head = block_new(ARENA_BLOCK);
	a->bytes = ARENA_BLOCK;
	return a;
}

void
arena_reset(struct arena *a)
{
	struct block *b = a->head, *next;

	while (b->next != NULL) {
		next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
	a->bytes = b->size;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head, *big;
	size_t start = (b->used + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	void *p;

	if (n == 0)
		n = 1;
	if (start <= b->size && n <= b->size - start) {
		p = (char *)b->data + start;
		b->used = start + n;
	} else if (n > ARENA_BLOCK / 4) {
		/* Oversized: its own block, linked behind the current one so
		 * the current block's free tail stays in use. */
		big = block_new(n);
		big->used = n;
		big->next = b->next;
		b->next = big;
		a->bytes += n;
		p = big->data;
	} else {
		b = block_new(ARENA_BLOCK);
		b->next = a->head;
		a->head = b;
		a->bytes += ARENA_BLOCK;
		b->used = n;
		p = b->data;
	}
	memset(p, 0, n);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		arena_oom(SIZE_MAX);
	return arena_alloc(a, n * sz);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);	/* like strndup(3): stop at the end of s */
	p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char small[256], *p;
	va_list ap2;
	int n;

	/* most strings fit the stack buffer: one formatting pass */
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	if ((size_t)n < sizeof(small))
		return arena_strndup(a, small, (size_t)n);
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
arena_bytes(const struct arena *a)
{
	return a->bytes;
}
