/*
 * tval_json.c - jansson value to tval tree.
 */
#include "tval_json.h"

#include "arena.h"
#include "tval.h"

struct tval *
tv_from_json(struct arena *a, const json_t *j)
{
	struct tval *v;
	const char *key;
	json_t *item;
	size_t i;

	if (j == NULL)
		return tv_null(a);
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = tv_map(a);
		/* jansson iterates objects in insertion order, which for a
		 * decoded document is the order of the source. The jansson
		 * iteration macros take a non-const object but do not modify
		 * it. */
		json_object_foreach((json_t *)j, key, item)
			tv_set(v, arena_strdup(a, key), tv_from_json(a, item));
		return v;
	case JSON_ARRAY:
		v = tv_list(a);
		json_array_foreach(j, i, item)
			tv_push(v, tv_from_json(a, item));
		return v;
	case JSON_STRING:
		return tv_strn(a, arena_strndup(a, json_string_value(j),
		    json_string_length(j)), json_string_length(j));
	case JSON_INTEGER:
		return tv_int(a, (int64_t)json_integer_value(j));
	case JSON_REAL:
		return tv_real(a, json_real_value(j));
	case JSON_TRUE:
		return tv_bool(a, true);
	case JSON_FALSE:
		return tv_bool(a, false);
	case JSON_NULL:
		break;
	}
	return tv_null(a);
}
