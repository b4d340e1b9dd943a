/*
 * bench-words.h - the word lists benchmark data is drawn from
 * (seed-bench.c): names, companies, cities, mail domains and vehicles,
 * so that searching the generated data finds as much, or as little, as
 * searching a real fleet's would.
 *
 * Every word is ASCII letters (digits in models and mail domains) so it
 * fits a username and an e-mail address as it is, lower-cased.
 */
#ifndef ARBOR_BENCH_WORDS_H
#define ARBOR_BENCH_WORDS_H

#include <stddef.h>

/* A few hundred given names and family names, each list without
 * repeats; seed-bench.c draws the family names skewed, as real ones
 * are. */
extern const char *const bench_first_names[];
extern const size_t bench_first_name_count;
extern const char *const bench_last_names[];
extern const size_t bench_last_name_count;

/* The middle word of a company name: "Hansen Logistics Aarhus". */
extern const char *const bench_industries[];
extern const size_t bench_industry_count;

/* Where a customer is, with the settings a customer there would have. */
struct bench_city {
	const char *name;
	const char *country;	/* ISO 3166 alpha-2 */
	const char *time_zone;
};
extern const struct bench_city bench_cities[];
extern const size_t bench_city_count;

/* The domains of users' e-mail addresses (all under .example). */
extern const char *const bench_mail_domains[];
extern const size_t bench_mail_domain_count;

/* A vehicle a tracker sits in: make, model and the maker's VIN prefix
 * (world manufacturer identifier, 3 characters of the VIN alphabet). */
struct bench_vehicle {
	const char *make;
	const char *model;
	const char *wmi;
};
extern const struct bench_vehicle bench_vehicles[];
extern const size_t bench_vehicle_count;

/* What a fleet calls a vehicle: "Van", "Truck"… */
extern const char *const bench_vehicle_kinds[];
extern const size_t bench_vehicle_kind_count;

#endif
