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

const char *
time_date(struct arena *a, const struct user *u, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[16];

	use_zone(u != NULL ? u->time_zone : "UTC");
	if (localtime_r(&tt, &tm) == NULL)
		return "?";
	strftime(out, sizeof(out), "%Y-%m-%d", &tm);
	return arena_strdup(a, out);
}

int64_t
time_day_end(const struct user *u, const char *date)
{
	char *end, back[11];
	struct tm tm, check;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (date == NULL || strlen(date) != 10)
		return -1;
	end = strptime(date, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	/* strptime accepts 2026-02-31, timegm normalises it: refuse that */
	t = timegm(&tm);
	if (gmtime_r(&t, &check) == NULL)
		return -1;
	strftime(back, sizeof(back), "%Y-%m-%d", &check);
	if (strcmp(back, date) != 0)
		return -1;
	/* midnight starting the next day there, whatever DST does */
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	use_zone(u != NULL ? u->time_zone : "UTC");
	return (int64_t)mktime(&tm);
}

const char *
time_last_day(struct arena *a, const struct user *u, int64_t now,
    const char *date, int max_days, const char *longest, int64_t *end)
{
	if ((*end = time_day_end(u, date)) < 0)
		return "Enter the expiry date as YYYY-MM-DD.";
	if (strcmp(date, time_date(a, u, now)) < 0)
		return "The expiry date is in the past.";
	if (strcmp(date, time_date(a, u, now + (int64_t)max_days * 24 *
	    3600)) > 0)
		return arena_printf(a, "The expiry date can be at most %s "
		    "ahead.", longest);
	return NULL;
}

/* The number of the n digits at s, or -1 when one is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int
time_parse_rfc3339(const char *s, int64_t *out)
{
	int year, mon, day, hour, min, sec, offset = 0;
	struct tm tm;
	time_t t;
	const char *p;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	year = digits(s, 4);
	mon = digits(s + 5, 2);
	day = digits(s + 8, 2);
	hour = digits(s + 11, 2);
	min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		if (p == s + 20)
			return -1;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    digits(p + 1, 2) >= 0 && digits(p + 1, 2) <= 23 &&
	    digits(p + 4, 2) >= 0 && digits(p + 4, 2) <= 59) {
		offset = digits(p + 1, 2) * 3600 + digits(p + 4, 2) * 60;
		if (*p == '-')
			offset = -offset;
	} else {
		return -1;
	}
	if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
	    sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* timegm() carries 31 April into May: such a day is no date */
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != day)
		return -1;
	*out = (int64_t)t - offset;
	return 0;
}
