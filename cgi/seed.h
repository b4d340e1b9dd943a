/*
 * seed.h - demo and benchmark data: what `arborctl demo`, `bench-data`
 * and `bench-devices` put into a database.
 *
 * Each set goes in through the models' own unchecked inserts
 * (customer_create, user_create, location_insert, device_insert), in one
 * transaction with the statements prepared once, and logs no event. The
 * demo data is what the integration and browser tests and the README's
 * logins rely on: its names, the order of its ids, its password, groups,
 * locations and devices stay as they are.
 */
#ifndef ARBOR_SEED_H
#define ARBOR_SEED_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

struct viewer;

/* Every demo and benchmark user's password. */
#define SEED_DEMO_PASSWORD "arbor-demo-password"

/*
 * Add the demo customers, users, locations and devices as v (allowed
 * ACT_OPERATOR: arborctl itself) into a database without users.
 * MODEL_INVALID: the database has users already; MODEL_NOT_FOUND: v may
 * not; MODEL_FAILED: a database error. Nothing changes unless MODEL_DONE.
 */
enum model_result seed_demo(const struct viewer *v);

/* The username of the i-th demo user, with who they are in *what; NULL
 * past the last. */
const char *seed_demo_login(size_t i, const char **what);

/* What a benchmark set went into. */
struct seed_bench {
	const char *account;	/* the demo account's name */
	size_t customers;	/* devices: the customers they spread over */
	bool analyzed;		/* the planner's statistics were refreshed
				 * (if not, the data is in all the same) */
};

/*
 * Benchmark data under the demo account (admin's customer) as v (allowed
 * ACT_OPERATOR): ncust customers in a tree 8 wide and at most 5 deep, and
 * nusers users spread over them round-robin (every tenth with Full Device
 * Access, every twentieth inactive, two in three signed in during the
 * last 90 days), all with the demo password. MODEL_NOT_FOUND: no demo
 * account (or v may not); MODEL_INVALID: the benchmark data is there
 * already; MODEL_FAILED: a database error (nothing added).
 */
enum model_result seed_bench_data(const struct viewer *v, long nusers,
    long ncust, struct seed_bench *out);

/*
 * n benchmark devices spread round-robin over every customer of the demo
 * account (bench-data's included), registered over one day, as v
 * (allowed ACT_OPERATOR). MODEL_NOT_FOUND: no demo account (or v may
 * not); MODEL_FAILED: a database error, or a unit id taken (nothing
 * added).
 */
enum model_result seed_bench_devices(const struct viewer *v, long n,
    struct seed_bench *out);

#endif
