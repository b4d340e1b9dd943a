/*
 * buf.c - doubling growth; old storage stays in the arena until the
 * request ends, which is cheaper than realloc bookkeeping for the sizes a
 * page reaches.
 */
#include "buf.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"

void
buf_init(struct buf *b, struct arena *a)
{
	b->arena = a;
	b->cap = 256;
	b->len = 0;
	b->data = arena_alloc(a, b->cap);
}

static void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap;
	char *data;

	if (b->len + n + 1 <= cap)
		return;
	while (b->len + n + 1 > cap)
		cap *= 2;
	data = arena_alloc(b->arena, cap);
	memcpy(data, b->data, b->len);
	b->data = data;
	b->cap = cap;
}

void
buf_append(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_clear(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}
