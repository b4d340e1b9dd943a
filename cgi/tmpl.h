/*
 * tmpl.h - the templates of a worker, parsed once at start.
 *
 * Every NAME.mustache of the template folder is parsed when the worker
 * starts (a syntax error stops the start, not a request) and kept for the
 * worker's life; partials and parents ({{> NAME}}, {{< NAME}}) resolve to
 * the same cache.
 */
#ifndef ARBOR_TMPL_H
#define ARBOR_TMPL_H

#include <stddef.h>

struct buf;
struct tval;
struct tmpl_cache;

/* Parse every *.mustache in dir. NULL on error, with a message. */
struct tmpl_cache *tmpl_load(const char *dir, char *err, size_t errlen);

/* NULL is accepted. */
void tmpl_free(struct tmpl_cache *c);

/* Render template name with data, appending to out. 0, or -1 when there
 * is no such template or the nesting is too deep. */
int tmpl_render(const struct tmpl_cache *c, const char *name,
    const struct tval *data, struct buf *out);

#endif
