/*
 * test_model_guard.c - the brute-force guard on the fixture's database:
 * an account locks per client address (a stranger elsewhere cannot lock
 * it), the address has its own limit across accounts, locks double up
 * to the maximum, sign-in attempts are throttled per address and minute,
 * wrong current passwords add up to their limit, and 409 answers are
 * rate-limited per address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "model_fixture.h"

#include "arena.h"
#include "device.h"
#include "guard.h"

#define HERE "192.0.2.1"
#define ELSEWHERE "198.51.100.7"

/* A page viewer of user id from address addr, at now. */
static struct viewer
viewer_at(struct fixture *f, int64_t id, const char *addr, int64_t now)
{
	struct viewer v = fixture_viewer(f, id, ORIGIN_PAGE);

	v.addr = addr;
	v.now = now;
	return v;
}

/* n failed sign-ins on user (0: the unknown name "nobody") from addr;
 * what the last guard_fail() answered. */
static int
fail_n(struct fixture *f, const char *addr, int64_t user, int n)
{
	struct viewer v = viewer_at(f, 0, addr, FIXTURE_NOW);
	struct guard_subjects gs;
	int i, rc = 0;

	guard_subjects(&v, user, user ? NULL : "Nobody", &gs);
	for (i = 0; i < n; i++)
		rc = guard_fail(&v, &gs, user);
	return rc;
}

/* Whether the subjects of user (0: "nobody") from addr are locked. */
static void
locked_at(struct fixture *f, const char *addr, int64_t user, bool *account,
    bool *ip)
{
	struct viewer v = viewer_at(f, 0, addr, FIXTURE_NOW);
	struct guard_subjects gs;

	guard_subjects(&v, user, user ? NULL : "nobody", &gs);
	*account = guard_wait_minutes(&v, gs.account) > 0;
	*ip = guard_wait_minutes(&v, gs.ip) > 0;
}

static void
test_lock_per_account_and_address(void **state)
{
	static const struct {
		const char *what;
		int64_t user;		/* failures on (0: "nobody") */
		int n;			/* how many, from HERE */
		int last;		/* what the last one answered */
		const char *addr;	/* then, from here */
		int64_t other;		/* this user */
		bool account, ip;	/* is locked, and the address */
	} cases[] = {
		{ "4 failures", FX_EAST_DRIVER, 4, 0, HERE, FX_EAST_DRIVER,
		    false, false },
		{ "5 failures", FX_EAST_DRIVER, 5, 1, HERE, FX_EAST_DRIVER,
		    true, false },
		{ "the owner elsewhere", FX_EAST_DRIVER, 5, 1, ELSEWHERE,
		    FX_EAST_DRIVER, false, false },
		{ "another account here", FX_EAST_DRIVER, 5, 1, HERE,
		    FX_NORTH_FLEET, false, false },
		{ "an unknown name locks like an account", 0, 5, 1, HERE, 0,
		    true, false },
		{ "an unknown name elsewhere", 0, 5, 1, ELSEWHERE, 0, false,
		    false },
	};
	struct fixture *f = *state;
	bool account, ip;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		if (fail_n(f, HERE, cases[i].user, cases[i].n) !=
		    cases[i].last)
			fail_msg("%s: the last failure", cases[i].what);
		locked_at(f, cases[i].addr, cases[i].other, &account, &ip);
		if (account != cases[i].account || ip != cases[i].ip)
			fail_msg("%s: account %d, address %d", cases[i].what,
			    account, ip);
	}
}

/* The address's own limit: 50 failures across accounts lock it for
 * every account, and only it. */
static void
test_address_limit_across_accounts(void **state)
{
	static const int64_t users[] = {
		FX_EAST_DRIVER, FX_NORTH_FLEET, FX_SOUTH_ADMIN, FX_OTHER_ADMIN,
		FX_NORTH_DM, 0, FX_ACME_NCA, FX_NORTH_NCA, FX_EAST_DEVICES,
		FX_ACME_ADMIN
	};
	struct fixture *f = *state;
	bool account, ip;
	size_t i;
	int last = 0;

	for (i = 0; i < NELEM(users); i++)
		last = fail_n(f, HERE, users[i], 4);
	assert_int_equal(last, 0);
	assert_int_equal(fail_n(f, HERE, FX_NORTH_ADMIN, 4), 0);
	/* the 50th */
	assert_int_equal(fail_n(f, HERE, FX_OPERATOR, 6), 1);
	locked_at(f, HERE, FX_NORTH_FLEET, &account, &ip);
	assert_false(account);
	assert_true(ip);
	locked_at(f, ELSEWHERE, FX_NORTH_FLEET, &account, &ip);
	assert_false(ip);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'lockout' AND detail = 'ip:" HERE "'"), 1);
}

/* Each lockout of a streak lasts twice as long, up to the maximum. */
static void
test_lock_doubles_up_to_the_maximum(void **state)
{
	static const int64_t minutes[] = { 1, 2, 4, 8, 15, 15 };
	struct fixture *f = *state;
	struct guard_subjects gs;
	struct viewer v;
	int64_t now = FIXTURE_NOW;
	size_t i;
	int k;

	for (i = 0; i < NELEM(minutes); i++) {
		v = viewer_at(f, 0, HERE, now);
		guard_subjects(&v, FX_EAST_DRIVER, NULL, &gs);
		for (k = 0; k < 5; k++)
			guard_fail(&v, &gs, FX_EAST_DRIVER);
		if (guard_wait_minutes(&v, gs.account) != minutes[i])
			fail_msg("lockout %zu: %lld minutes", i,
			    (long long)guard_wait_minutes(&v, gs.account));
		now += minutes[i] * 60;
		v.now = now;
		assert_int_equal(guard_wait_minutes(&v, gs.account), 0);
	}
	/* the whole sign-in succeeded: the streak is forgotten */
	assert_int_equal(guard_clear(&v, &gs), 0);
	for (k = 0; k < 5; k++)
		guard_fail(&v, &gs, FX_EAST_DRIVER);
	assert_int_equal(guard_wait_minutes(&v, gs.account), 1);
}

/* Sign-in attempts, right or wrong, per address and minute. */
static void
test_attempts_per_address_and_minute(void **state)
{
	static const struct {
		const char *addr;
		int64_t at;		/* seconds after FIXTURE_NOW */
		int64_t wait;		/* what guard_attempt() answers */
	} steps[] = {
		{ HERE, 0, 0 }, { HERE, 10, 0 }, { HERE, 20, 0 },
		{ HERE, 30, 1 },	/* the 4th of the minute */
		{ ELSEWHERE, 30, 0 },	/* another address */
		{ HERE, 59, 1 },
		{ HERE, 60, 0 },	/* a new minute */
		{ HERE, 61, 0 }, { HERE, 62, 0 }, { HERE, 63, 1 },
	};
	struct fixture *f = *state;
	struct viewer v;
	size_t i;

	f->app.cfg.login_max_attempts_per_ip_minute = 3;
	for (i = 0; i < NELEM(steps); i++) {
		v = viewer_at(f, 0, steps[i].addr, FIXTURE_NOW + steps[i].at);
		if (guard_attempt(&v) != steps[i].wait)
			fail_msg("step %zu", i);
		assert_false(f->app.db.in_transaction);
	}
	/* once per address and minute that reached the limit */
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'login_throttled' AND detail = 'rate:" HERE "'"), 2);
}

/* Wrong current passwords add up per account to the limit, then start
 * over; a right one forgets them. */
static void
test_password_checks(void **state)
{
	struct fixture *f = *state;
	struct viewer v = viewer_at(f, FX_EAST_DRIVER, HERE, FIXTURE_NOW);
	struct viewer there = viewer_at(f, FX_EAST_DRIVER, ELSEWHERE,
	    FIXTURE_NOW);
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(guard_check_failed(&v, FX_EAST_DRIVER), 0);
	/* the account's count, whichever session or address */
	assert_int_equal(guard_check_failed(&there, FX_EAST_DRIVER), 0);
	assert_int_equal(guard_check_failed(&v, FX_NORTH_FLEET), 0);
	assert_int_equal(guard_check_failed(&v, FX_EAST_DRIVER), 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(guard_check_failed(&v, FX_EAST_DRIVER), 0);
	assert_int_equal(guard_check_passed(&v, FX_EAST_DRIVER), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(guard_check_failed(&v, FX_EAST_DRIVER), 0);
	assert_int_equal(guard_check_failed(&v, FX_EAST_DRIVER), 1);
}

/* A taken unit id answers 409 until the address has had its 20 of them;
 * then every registration from there is refused (429) for a while,
 * taken or not, and nothing is written; other addresses go on. */
static void
test_taken_answers_per_address(void **state)
{
	static const struct {
		const char *addr;
		int64_t at;		/* seconds after FIXTURE_NOW */
		const char *unit_id;
		int status;		/* 0: registered */
	} steps[] = {
		{ HERE, 0, "hq-1", 409 },	/* 20 of them, below */
		{ HERE, 0, "FREE-1", 429 },
		{ HERE, 0, "hq-1", 429 },
		{ ELSEWHERE, 0, "hq-1", 409 },
		{ ELSEWHERE, 0, "FREE-2", 0 },
		{ HERE, 59, "FREE-3", 429 },
		{ HERE, 60, "FREE-3", 0 },	/* the lock's minute is over */
		{ HERE, 60, "hq-1", 409 },
	};
	struct fixture *f = *state;
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_input in;
	enum model_result rc = MODEL_FAILED;
	struct device_errors e;
	struct viewer v;
	int64_t id;
	size_t i;
	int k;

	for (i = 0; i < NELEM(steps); i++) {
		v = viewer_at(f, FX_NORTH_NCA, steps[i].addr, FIXTURE_NOW +
		    steps[i].at);
		in = (struct device_input){ steps[i].unit_id, "Van", "", "",
		    FX_NORTH, 0, NULL, 0 };
		for (k = 0; k < (i == 0 ? 20 : 1); k++)
			rc = device_add(&v, &in, &e, &id, uuid);
		if (steps[i].status == 0 ? rc != MODEL_DONE :
		    rc != MODEL_INVALID || e.unit_id.status != steps[i].status)
			fail_msg("step %zu: %d, %d", i, rc, e.unit_id.status);
		assert_false(f->app.db.in_transaction);
	}
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM devices WHERE "
	    "unit_id LIKE 'FREE-%%'"), 2);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'lockout' AND detail = 'taken:" HERE "' AND actor_id = %d",
	    FX_NORTH_NCA), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_lock_per_account_and_address, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_address_limit_across_accounts, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_lock_doubles_up_to_the_maximum, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_attempts_per_address_and_minute, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_password_checks,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_taken_answers_per_address,
		    fixture_setup, fixture_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
