/*
 * tval.c - the template value tree.
 *
 * Every node, list array and map array comes from the arena, so a tree is
 * released with the request. Growing a list or map copies its array into
 * a bigger one and leaves the old one in the arena until the request ends;
 * page data is small enough that this costs less than bookkeeping would.
 */
#include "tval.h"

#include <string.h>

#include "arena.h"

/* A new node of type t; the arena zero-fills, so its value is empty. */
static struct tval *
tv_new(struct arena *a, enum tv_type t)
{
	struct tval *v = arena_alloc(a, sizeof(*v));

	v->type = t;
	v->arena = a;
	return v;
}

struct tval *
tv_null(struct arena *a)
{
	return tv_new(a, TV_NULL);
}

struct tval *
tv_bool(struct arena *a, bool b)
{
	struct tval *v = tv_new(a, TV_BOOL);

	v->u.b = b;
	return v;
}

struct tval *
tv_int(struct arena *a, int64_t i)
{
	struct tval *v = tv_new(a, TV_INT);

	v->u.i = i;
	return v;
}

struct tval *
tv_real(struct arena *a, double r)
{
	struct tval *v = tv_new(a, TV_REAL);

	v->u.r = r;
	return v;
}

struct tval *
tv_str(struct arena *a, const char *s)
{
	if (s == NULL)
		return tv_null(a);
	return tv_strn(a, s, strlen(s));
}

struct tval *
tv_strn(struct arena *a, const char *s, size_t len)
{
	struct tval *v;

	if (s == NULL)
		return tv_null(a);
	v = tv_new(a, TV_STRING);
	v->u.str.s = s;
	v->u.str.len = len;
	return v;
}

struct tval *
tv_list(struct arena *a)
{
	return tv_new(a, TV_LIST);
}

struct tval *
tv_map(struct arena *a)
{
	return tv_new(a, TV_MAP);
}

/*
 * Makes room for one more element of size sz in v's array, doubling it
 * when full. Returns the array (possibly moved).
 */
static void *
tv_grow(struct tval *v, size_t sz)
{
	size_t cap;
	void *items;

	if (v->u.arr.len < v->u.arr.cap)
		return v->u.arr.items;
	cap = v->u.arr.cap == 0 ? 8 : v->u.arr.cap * 2;
	items = arena_calloc(v->arena, cap, sz);
	if (v->u.arr.len > 0)
		memcpy(items, v->u.arr.items, v->u.arr.len * sz);
	v->u.arr.items = items;
	v->u.arr.cap = cap;
	return items;
}

void
tv_push(struct tval *list, struct tval *v)
{
	struct tval **items;

	if (list == NULL || list->type != TV_LIST)
		return;
	items = tv_grow(list, sizeof(*items));
	items[list->u.arr.len++] = v;
}

size_t
tv_len(const struct tval *v)
{
	if (v == NULL || (v->type != TV_LIST && v->type != TV_MAP))
		return 0;
	return v->u.arr.len;
}

struct tval *
tv_at(const struct tval *list, size_t i)
{
	struct tval **items;

	if (list == NULL || list->type != TV_LIST || i >= list->u.arr.len)
		return NULL;
	items = list->u.arr.items;
	return items[i];
}

/* The entry for key in map, or NULL. */
static struct tv_entry *
tv_find(const struct tval *map, const char *key)
{
	struct tv_entry *e;
	size_t i;

	if (map == NULL || map->type != TV_MAP)
		return NULL;
	e = map->u.arr.items;
	for (i = 0; i < map->u.arr.len; i++)
		if (strcmp(e[i].key, key) == 0)
			return &e[i];
	return NULL;
}

void
tv_set(struct tval *map, const char *key, struct tval *v)
{
	struct tv_entry *e;

	if (map == NULL || map->type != TV_MAP)
		return;
	e = tv_find(map, key);
	if (e == NULL) {
		e = tv_grow(map, sizeof(*e));
		e = &e[map->u.arr.len++];
		e->key = key;
	}
	e->value = v;
}

void
tv_set_str(struct tval *map, const char *key, const char *s)
{
	if (map != NULL)
		tv_set(map, key, tv_str(map->arena, s));
}

void
tv_set_int(struct tval *map, const char *key, int64_t i)
{
	if (map != NULL)
		tv_set(map, key, tv_int(map->arena, i));
}

void
tv_set_bool(struct tval *map, const char *key, bool b)
{
	if (map != NULL)
		tv_set(map, key, tv_bool(map->arena, b));
}

struct tval *
tv_set_map(struct tval *map, const char *key)
{
	struct tval *v;

	if (map == NULL)
		return NULL;
	v = tv_map(map->arena);
	tv_set(map, key, v);
	return v;
}

struct tval *
tv_set_list(struct tval *map, const char *key)
{
	struct tval *v;

	if (map == NULL)
		return NULL;
	v = tv_list(map->arena);
	tv_set(map, key, v);
	return v;
}

struct tval *
tv_get(const struct tval *map, const char *key)
{
	struct tv_entry *e = tv_find(map, key);

	return e != NULL ? e->value : NULL;
}

struct tv_entry *
tv_entry_at(const struct tval *map, size_t i)
{
	struct tv_entry *e;

	if (map == NULL || map->type != TV_MAP || i >= map->u.arr.len)
		return NULL;
	e = map->u.arr.items;
	return &e[i];
}

bool
tv_truthy(const struct tval *v)
{
	if (v == NULL)
		return false;
	switch (v->type) {
	case TV_NULL:
		return false;
	case TV_BOOL:
		return v->u.b;
	case TV_STRING:
		return v->u.str.len > 0;
	case TV_LIST:
		return v->u.arr.len > 0;
	case TV_INT:
	case TV_REAL:
	case TV_MAP:
		return true;
	}
	return false;
}
