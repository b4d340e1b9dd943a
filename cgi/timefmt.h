/*
 * timefmt.h - timestamps as a user reads them: in their time zone and
 * their 12 h / 24 h format.
 */
#ifndef ARBOR_TIMEFMT_H
#define ARBOR_TIMEFMT_H

#include <stdint.h>

struct arena;
struct user;

/* "2026-11-23 14:05" or "2026-11-23 2:05 PM" in u's zone, in a; "never"
 * for 0. The zone name was checked against the catalog when it was saved;
 * an unknown one falls back to UTC (the C library's rule). */
const char *time_text(struct arena *a, const struct user *u, int64_t t);

/* The day of t in u's zone as "YYYY-MM-DD", in a. */
const char *time_date(struct arena *a, const struct user *u, int64_t t);

/* The end of day date ("YYYY-MM-DD") in u's zone: the first second of
 * the next day there. -1 when date is not a date of the calendar. */
int64_t time_day_end(const struct user *u, const char *date);
/*
 * date as the last day of something made at now that lasts at most
 * max_days (tokens, shares): its end (time_day_end) in *end, and NULL;
 * or why it cannot be (a sentence: not a date, in the past, beyond
 * max_days, which longest names: "one year").
 */
const char *time_last_day(struct arena *a, const struct user *u,
    int64_t now, const char *date, int max_days, const char *longest,
    int64_t *end);

/*
 * An RFC 3339 time ("2026-12-07T17:05:00Z", "…T18:05:00.250+01:00": the
 * form OCPP and JSON APIs send; a fraction is dropped) as seconds since
 * the epoch into *out: 0, or -1 when s is not one.
 */
int time_parse_rfc3339(const char *s, int64_t *out);

#endif
