/*
 * seed.h - demo and benchmark data: what `arborctl demo` and
 * `arborctl bench-data` put into a database (seed.c, seed-bench.c).
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
#include <stdint.h>

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

/* What to add as benchmark data (arborctl bench-data's options). */
struct seed_bench_spec {
	long customers;		/* in a tree width wide, depth deep */
	long users;
	long devices;
	long width;		/* customers per parent, from 1 */
	long depth;		/* levels below the account, from 1 */
	long seed;		/* the same seed draws the same words */
	const char *schema;	/* schema.sql's text: a bulk load makes its
				 * triggers again from it (db_bulk_end) */
};

/* What a benchmark set went into, and rows of it to search for. */
struct seed_bench {
	const char *account;	/* the demo account's name */
	size_t spread;		/* the customers users and devices went to */
	bool analyzed;		/* the planner's statistics were refreshed
				 * (if not, the data is in all the same) */
	/* one of each, NULL when none was added */
	const char *email;	/* a user's e-mail address */
	const char *unit_id;	/* a device's unit id ... */
	const char *device_id;	/* ... and its device id */
	/* a family name of the users added and how many of them have it,
	 * which is also how many of them contain it anywhere (no other
	 * word of the lists does); a text in device names, mostly of the
	 * number plate, and how many added devices contain it anywhere.
	 * The same seed draws them again, so after n runs with one seed
	 * about n times as many rows hold them. */
	const char *last_name;
	long last_name_users;
	const char *device_text;
	long device_text_devices;
};

/*
 * Add benchmark data under the demo account (admin's customer) as v
 * (allowed ACT_OPERATOR), in one transaction, then refresh the planner's
 * statistics: spec->customers customers breadth first, spec->width under
 * each parent, wrapping to the account's top level below spec->depth;
 * spec->users users and spec->devices devices spread at random over
 * every customer of the account (the new ones, the demo ones and those
 * of earlier runs). Names, e-mails and vehicles come from word lists
 * (bench-words.h) drawn by spec->seed; unique keys carry the row's own
 * id, so running it again adds more. Every user has the demo password;
 * every tenth has Full Device Access, every twentieth is inactive, two
 * in three signed in during the last 90 days. Devices were registered
 * over the last three years, half with a VIN.
 * MODEL_NOT_FOUND: no demo account (or v may not); MODEL_FAILED: a
 * database error, or a generated unit id or username taken by hand
 * (nothing added).
 */
enum model_result seed_bench(const struct viewer *v,
    const struct seed_bench_spec *spec, struct seed_bench *out);

#endif
