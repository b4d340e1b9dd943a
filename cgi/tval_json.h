/*
 * tval_json.h - build a template value tree from a jansson value.
 *
 * For data that arrives as JSON: `arborctl render` and the template
 * tests. Handlers build their trees directly with the tval calls.
 */
#ifndef ARBOR_TVAL_JSON_H
#define ARBOR_TVAL_JSON_H

#include <jansson.h>

struct arena;
struct tval;

/*
 * Convert j into a tree allocated in a. Strings and keys are copied into
 * the arena, so the tree does not depend on j afterwards. Integers become
 * TV_INT, reals TV_REAL, true/false TV_BOOL, null TV_NULL; objects keep
 * their key order. A NULL j gives TV_NULL.
 */
struct tval *tv_from_json(struct arena *a, const json_t *j);

#endif
