/*
 * catalog.c - loading time zones and countries.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
country_cmp(const void *a, const void *b)
{
	return strcoll(((const struct country *)a)->name,
	    ((const struct country *)b)->name);
}

static int
add_zone(struct catalog *c, const char *name)
{
	char **v = realloc(c->zones, (c->nzones + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	c->zones = v;
	if ((v[c->nzones] = strdup(name)) == NULL)
		return -1;
	c->nzones++;
	return 0;
}

/* zone.tab: "CC<TAB>coordinates<TAB>Zone/Name[<TAB>comment]". */
static int
load_zones(struct catalog *c, char *err, size_t errlen)
{
	FILE *f = fopen(ZONE_TAB, "r");
	char line[512], *zone, *save;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read (install tzdata)",
		    ZONE_TAB);
		return -1;
	}
	if (add_zone(c, "UTC") != 0)
		goto oom;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || strtok_r(line, "\t\n", &save) == NULL ||
		    strtok_r(NULL, "\t\n", &save) == NULL ||
		    (zone = strtok_r(NULL, "\t\n", &save)) == NULL)
			continue;
		if (add_zone(c, zone) != 0)
			goto oom;
	}
	fclose(f);
	qsort(c->zones, c->nzones, sizeof(c->zones[0]), str_cmp);
	return 0;
oom:
	fclose(f);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
load_countries(struct catalog *c, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *list, *item;
	const char *code, *name;
	size_t i;

	root = json_load_file(ISO_3166_JSON, 0, &jerr);
	list = root ? json_object_get(root, "3166-1") : NULL;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "%s: cannot read (install iso-codes)",
		    ISO_3166_JSON);
		json_decref(root);
		return -1;
	}
	c->countries = calloc(json_array_size(list), sizeof(*c->countries));
	if (c->countries == NULL)
		goto oom;
	json_array_foreach(list, i, item) {
		code = json_string_value(json_object_get(item, "alpha_2"));
		name = json_string_value(json_object_get(item, "common_name"));
		if (name == NULL)
			name = json_string_value(json_object_get(item, "name"));
		if (code == NULL || strlen(code) != 2 || name == NULL)
			continue;
		memcpy(c->countries[c->ncountries].code, code, 3);
		if ((c->countries[c->ncountries].name = strdup(name)) == NULL)
			goto oom;
		c->ncountries++;
	}
	json_decref(root);
	qsort(c->countries, c->ncountries, sizeof(c->countries[0]),
	    country_cmp);
	return 0;
oom:
	json_decref(root);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
catalog_load(struct catalog *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (load_zones(c, err, errlen) != 0 ||
	    load_countries(c, err, errlen) != 0) {
		catalog_free(c);
		return -1;
	}
	return 0;
}

void
catalog_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->nzones; i++)
		free(c->zones[i]);
	free(c->zones);
	for (i = 0; i < c->ncountries; i++)
		free(c->countries[i].name);
	free(c->countries);
	memset(c, 0, sizeof(*c));
}

bool
catalog_zone_valid(const struct catalog *c, const char *zone)
{
	return zone != NULL && bsearch(&zone, c->zones, c->nzones,
	    sizeof(c->zones[0]), str_cmp) != NULL;
}

const char *
catalog_country_name(const struct catalog *c, const char *code)
{
	size_t i;

	/* sorted by name, not code: a linear scan of 249 is cheap enough */
	for (i = 0; code != NULL && i < c->ncountries; i++)
		if (strcmp(c->countries[i].code, code) == 0)
			return c->countries[i].name;
	return NULL;
}
