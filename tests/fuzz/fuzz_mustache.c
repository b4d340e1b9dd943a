/*
 * fuzz_mustache.c - the template engine on hostile templates: mu_parse()
 * and mu_render(). The input is split at each 0x1e byte into templates;
 * the first is rendered, the others are the partials and parents named
 * "a", "b", "c"... (in order), so that partials, parents and blocks can
 * refer to each other, and to themselves. The data has a value of every
 * kind, for sections, inverted sections and dotted names.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "fuzz.h"
#include "mustache.h"
#include "tval.h"

#define TEMPLATES 8
#define SEPARATOR 0x1e

struct templates {
	struct mu_template *t[TEMPLATES];
	size_t n;
};

static const struct mu_template *
lookup(void *ctx, const char *name)
{
	const struct templates *ts = ctx;

	if (name[0] >= 'a' && name[1] == '\0' &&
	    (size_t)(name[0] - 'a') + 1 < ts->n)
		return ts->t[name[0] - 'a' + 1];
	return NULL;
}

static struct tval *
data_of(struct arena *a)
{
	struct tval *d = tv_map(a), *list = tv_set_list(d, "list");
	struct tval *m = tv_set_map(d, "map"), *item;
	int i;

	tv_set_str(d, "s", "a&b <i> \"q\" 'x'");
	tv_set_str(d, "empty", "");
	tv_set_int(d, "n", -42);
	tv_set(d, "r", tv_real(a, 1.5));
	tv_set_bool(d, "t", true);
	tv_set_bool(d, "f", false);
	tv_set(d, "null", tv_null(a));
	tv_set_list(d, "none");
	for (i = 0; i < 3; i++) {
		item = tv_map(a);
		tv_set_int(item, "n", i);
		tv_set(item, "list", tv_list(a));
		tv_push(list, item);
	}
	tv_push(list, tv_str(a, "x"));
	tv_set_str(m, "s", "inner");
	tv_set_map(m, "map");
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct templates ts;
	const uint8_t *p = data, *end = data + size, *sep;
	struct arena *a;
	struct buf out;
	char err[256];
	size_t i;

	memset(&ts, 0, sizeof(ts));
	while (ts.n < TEMPLATES) {
		sep = memchr(p, SEPARATOR, (size_t)(end - p));
		if (sep == NULL || ts.n == TEMPLATES - 1)
			sep = end;
		err[0] = '\0';
		ts.t[ts.n] = mu_parse((const char *)p, (size_t)(sep - p), err,
		    sizeof(err));
		if (ts.t[ts.n] == NULL && err[0] == '\0')
			__builtin_trap();	/* refused without a message */
		ts.n++;
		if (sep == end)
			break;
		p = sep + 1;
	}
	if (ts.t[0] != NULL) {
		a = arena_new();
		buf_init(&out, a);
		(void)mu_render(ts.t[0], data_of(a), lookup, &ts, &out);
		arena_free(a);
	}
	for (i = 0; i < ts.n; i++)
		mu_free(ts.t[i]);
	return 0;
}
