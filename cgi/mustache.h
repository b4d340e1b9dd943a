/*
 * mustache.h - a mustache template engine (spec v1.4: comments,
 * delimiters, interpolation, inverted sections, sections, partials and
 * inheritance; no lambdas).
 *
 * Templates are parsed once into an immutable tree (malloc'ed, owned by
 * the caller, freed with mu_free) and rendered many times. Rendering
 * writes into a struct buf, so its output lives in the request's arena.
 * {{name}} escapes & < > " ' for HTML; {{{name}}} and {{&name}} do not and
 * are reserved for pre-rendered fragments such as the QR-code SVG.
 */
#ifndef ARBOR_MUSTACHE_H
#define ARBOR_MUSTACHE_H

#include <stddef.h>

struct buf;
struct tval;
struct mu_template;

/*
 * Parse len bytes of src. On success returns the template; on failure
 * returns NULL and, if err is not NULL, writes a message (with the line
 * number) of at most errlen bytes into err.
 */
struct mu_template *mu_parse(const char *src, size_t len, char *err,
    size_t errlen);

/* Release a parsed template. NULL is accepted. */
void mu_free(struct mu_template *t);

/*
 * Looks up a partial or parent template by name; returns NULL when there
 * is none (the spec renders a missing partial as nothing).
 */
typedef const struct mu_template *(*mu_lookup_fn)(void *ctx,
    const char *name);

/*
 * Render t with data into out (appending). Partials ({{> name}}) and
 * parents ({{< name}}) are resolved through lookup(ctx, name); lookup may
 * be NULL when the template uses neither. Returns 0, or -1 when nesting
 * exceeds a fixed depth (a partial that includes itself forever).
 */
int mu_render(const struct mu_template *t, const struct tval *data,
    mu_lookup_fn lookup, void *ctx, struct buf *out);

#endif
