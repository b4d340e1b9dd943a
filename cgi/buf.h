/*
 * buf.h - a growable byte buffer whose storage lives in an arena.
 *
 * Used for response bodies, rendered templates and SQL-free string
 * assembly. The data is always NUL-terminated so it can be passed to
 * C string functions; len does not count the terminator.
 */
#ifndef ARBOR_BUF_H
#define ARBOR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct buf {
	struct arena *arena;
	char *data;
	size_t len;
	size_t cap;
};

/* An empty buffer drawing on arena a. */
void buf_init(struct buf *b, struct arena *a);

void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Drop the contents, keep the storage. */
void buf_clear(struct buf *b);

#endif
