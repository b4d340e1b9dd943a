/*
 * tval.h - the data a template is rendered with.
 *
 * A small JSON-like tree (null, booleans, numbers, strings, lists, maps)
 * allocated in the request's arena, so a handler can build a page's data
 * without any free() and without a JSON library on the hot path. Strings
 * are not copied: the caller guarantees they live as long as the tree
 * (arena strings or string literals). Maps keep insertion order and are
 * searched linearly: page data has tens of keys, not thousands.
 */
#ifndef ARBOR_TVAL_H
#define ARBOR_TVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum tv_type {
	TV_NULL,
	TV_BOOL,
	TV_INT,
	TV_REAL,
	TV_STRING,
	TV_LIST,
	TV_MAP
};

struct tval;

struct tv_entry {
	const char *key;
	struct tval *value;
};

struct tval {
	enum tv_type type;
	union {
		bool b;
		int64_t i;
		double r;
		struct {
			const char *s;
			size_t len;
		} str;
		struct {		/* TV_LIST: items; TV_MAP: entries */
			void *items;
			size_t len;
			size_t cap;
		} arr;
	} u;
	struct arena *arena;	/* for growth of lists and maps */
};

struct tval *tv_null(struct arena *a);
struct tval *tv_bool(struct arena *a, bool b);
struct tval *tv_int(struct arena *a, int64_t i);
struct tval *tv_real(struct arena *a, double r);
/* s must outlive the tree; NULL gives TV_NULL. */
struct tval *tv_str(struct arena *a, const char *s);
struct tval *tv_strn(struct arena *a, const char *s, size_t len);
struct tval *tv_list(struct arena *a);
struct tval *tv_map(struct arena *a);

/* Lists. */
void tv_push(struct tval *list, struct tval *v);
size_t tv_len(const struct tval *v);		/* list/map length, else 0 */
struct tval *tv_at(const struct tval *list, size_t i);

/* Maps: tv_set replaces an existing key. */
void tv_set(struct tval *map, const char *key, struct tval *v);
void tv_set_str(struct tval *map, const char *key, const char *s);
void tv_set_int(struct tval *map, const char *key, int64_t i);
void tv_set_bool(struct tval *map, const char *key, bool b);
/* A new empty map/list stored under key, returned for filling. */
struct tval *tv_set_map(struct tval *map, const char *key);
struct tval *tv_set_list(struct tval *map, const char *key);
/* NULL when absent or when map is not a map. */
struct tval *tv_get(const struct tval *map, const char *key);
struct tv_entry *tv_entry_at(const struct tval *map, size_t i);

/* Mustache truthiness: null, false and the empty list are false, as the
 * spec says; the empty string is false too (the spec leaves it open), so
 * a template can write {{#error}}…{{/error}} for an optional message. */
bool tv_truthy(const struct tval *v);

#endif
