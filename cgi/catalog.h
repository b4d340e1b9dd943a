/*
 * catalog.h - the fixed choices of forms: time zones and countries.
 *
 * Read once per worker from Debian's data (tzdata's zone.tab, iso-codes'
 * ISO 3166-1 list), so a form offers exactly what the system knows and a
 * submitted value is checked against the same list.
 */
#ifndef ARBOR_CATALOG_H
#define ARBOR_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define ZONE_TAB "/usr/share/zoneinfo/zone.tab"
#define ISO_3166_JSON "/usr/share/iso-codes/json/iso_3166-1.json"

struct country {
	char code[3];		/* alpha-2 */
	char *name;
};

struct catalog {
	char **zones;		/* sorted, "UTC" included */
	size_t nzones;
	struct country *countries;	/* sorted by name */
	size_t ncountries;
};

/* Load both lists. 0, or -1 with a message in err. */
int catalog_load(struct catalog *c, char *err, size_t errlen);
void catalog_free(struct catalog *c);

bool catalog_zone_valid(const struct catalog *c, const char *zone);
/* The country's name, or NULL when code is not an ISO 3166-1 alpha-2. */
const char *catalog_country_name(const struct catalog *c, const char *code);

#endif
