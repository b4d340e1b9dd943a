/*
 * tmpl.c - loading the template folder into a sorted array.
 */
#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"

#define TEMPLATE_SUFFIX ".mustache"
#define TEMPLATE_MAX_BYTES (1024 * 1024)

struct tmpl_entry {
	char *name;
	struct mu_template *t;
};

struct tmpl_cache {
	struct tmpl_entry *v;
	size_t n;
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct tmpl_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
key_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct tmpl_entry *)e)->name);
}

static const struct mu_template *
lookup(void *ctx, const char *name)
{
	const struct tmpl_cache *c = ctx;
	const struct tmpl_entry *e;

	e = bsearch(name, c->v, c->n, sizeof(c->v[0]), key_cmp);
	return e ? e->t : NULL;
}

/* Read a whole file into a malloc'ed buffer; NULL with errno set. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;

	if (f == NULL)
		return NULL;
	data = malloc(TEMPLATE_MAX_BYTES + 1);
	if (data == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(data, 1, TEMPLATE_MAX_BYTES + 1, f);
	if (ferror(f) || n > TEMPLATE_MAX_BYTES) {
		fclose(f);
		free(data);
		errno = EFBIG;
		return NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

/* Parse dir/file into a new entry of c. 0 or -1 with err. */
static int
load_one(struct tmpl_cache *c, const char *dir, const char *file,
    char *err, size_t errlen)
{
	char path[4096], perr[256];
	size_t len, namelen = strlen(file) - strlen(TEMPLATE_SUFFIX);
	struct tmpl_entry *v;
	char *src;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	src = read_file(path, &len);
	if (src == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (v == NULL) {
		free(src);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->v = v;
	v[c->n].t = mu_parse(src, len, perr, sizeof(perr));
	free(src);
	if (v[c->n].t == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	v[c->n].name = strndup(file, namelen);
	if (v[c->n].name == NULL) {
		mu_free(v[c->n].t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->n++;
	return 0;
}

struct tmpl_cache *
tmpl_load(const char *dir, char *err, size_t errlen)
{
	struct tmpl_cache *c = calloc(1, sizeof(*c));
	struct dirent *de;
	size_t len, slen = strlen(TEMPLATE_SUFFIX);
	DIR *d;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(c);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= slen || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - slen, TEMPLATE_SUFFIX) != 0)
			continue;
		if (load_one(c, dir, de->d_name, err, errlen) != 0) {
			closedir(d);
			tmpl_free(c);
			return NULL;
		}
	}
	closedir(d);
	qsort(c->v, c->n, sizeof(c->v[0]), entry_cmp);
	return c;
}

void
tmpl_free(struct tmpl_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		mu_free(c->v[i].t);
	}
	free(c->v);
	free(c);
}

int
tmpl_render(const struct tmpl_cache *c, const char *name,
    const struct tval *data, struct buf *out)
{
	const struct mu_template *t = lookup((void *)c, name);

	if (t == NULL)
		return -1;
	return mu_render(t, data, lookup, (void *)c, out);
}
