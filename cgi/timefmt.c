/*
 * timefmt.c - formatting times in a user's zone.
 *
 * The C library converts to local time through the TZ variable; a worker
 * is single-threaded, so switching TZ per call is safe, and tzset() is
 * only called when the zone differs from the last one (it reads the
 * zone file).
 */
#include "timefmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "principal.h"

static void
use_zone(const char *zone)
{
	static char current[128];

	if (strcmp(current, zone) == 0)
		return;
	if (strlen(zone) >= sizeof(current))
		zone = "UTC";
	strcpy(current, zone);
	setenv("TZ", zone, 1);
	tzset();
}

const char *
time_text(struct arena *a, const struct user *u, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[64];
	bool h12 = u != NULL && strcmp(u->time_format, "12h") == 0;

	if (t == 0)
		return "never";
	use_zone(u != NULL ? u->time_zone : "UTC");
	if (localtime_r(&tt, &tm) == NULL)
		return "?";
	strftime(out, sizeof(out), h12 ? "%Y-%m-%d %I:%M %p %Z" :
	    "%Y-%m-%d %H:%M %Z", &tm);
	return arena_strdup(a, out);
}
