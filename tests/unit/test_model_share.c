/*
 * test_model_share.c - location shares (share.c) on the fixture's tree:
 * who may share which location, what the invitation link is worth to
 * whom, and that a guest reads exactly the shared location's devices for
 * as long as the share holds, and nothing once it ends.
 *
 * The guest is other.admin (account Other), given Location Facilitator;
 * the location is East Dock of Acme North East, where EAST-2 stands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "arena.h"
#include "location.h"
#include "share.h"

#define GUEST_EMAIL "other.admin@example.test"
#define MAKE_GUEST "UPDATE users SET groups = groups | 256 WHERE id = 7"

/* Share location id as user who with email, until 30 days ahead. */
static enum model_result
share(struct fixture *f, int64_t who, int64_t id, const char *email,
    struct share_errors *e)
{
	struct viewer v = fixture_viewer(f, who, ORIGIN_PAGE);
	struct share_input in = { email, share_default_expiry(&v) };
	int64_t saved = 0;

	return share_create(&v, id, &in, e, &saved);
}

/* The token of the last invitation mail's link. */
static const char *
last_token(struct fixture *f)
{
	const char *body = fixture_text(f, "SELECT body FROM mail_queue "
	    "ORDER BY id DESC LIMIT 1");
	const char *at = strstr(body, "/shares/");

	assert_non_null(at);
	return arena_strndup(f->arena, at + 8, 43);
}

/* Who may share which location; every refusal changes nothing. */
static void
test_who_may_share(void **state)
{
	static const struct {
		const char *what;
		int64_t who, location;
		const char *email, *expires_on;	/* NULL: the default */
		enum model_result rc;
	} cases[] = {
		{ "own customer's child", FX_NORTH_ADMIN, FX_EAST_DOCK,
		    GUEST_EMAIL, NULL, MODEL_DONE },
		{ "the operator", FX_OPERATOR, FX_OTHER_LOT, GUEST_EMAIL, NULL,
		    MODEL_DONE },
		{ "a sibling's", FX_NORTH_ADMIN, FX_SOUTH_YARD, GUEST_EMAIL,
		    NULL, MODEL_NOT_FOUND },
		{ "the parent's", FX_NORTH_ADMIN, FX_HQ, GUEST_EMAIL, NULL,
		    MODEL_NOT_FOUND },
		{ "another account's", FX_OTHER_ADMIN, FX_EAST_DOCK,
		    GUEST_EMAIL, NULL, MODEL_NOT_FOUND },
		{ "missing", FX_ACME_ADMIN, FX_MISSING, GUEST_EMAIL, NULL,
		    MODEL_NOT_FOUND },
		{ "Fleet Management only", FX_NORTH_FLEET, FX_EAST_DOCK,
		    GUEST_EMAIL, NULL, MODEL_NOT_FOUND },
		{ "no group", FX_EAST_DRIVER, FX_EAST_DOCK, GUEST_EMAIL, NULL,
		    MODEL_NOT_FOUND },
		{ "anonymous", 0, FX_EAST_DOCK, GUEST_EMAIL, NULL,
		    MODEL_NOT_FOUND },
		{ "not an address", FX_NORTH_ADMIN, FX_EAST_DOCK, "nobody",
		    NULL, MODEL_INVALID },
		{ "in the past", FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
		    "2000-01-01", MODEL_INVALID },
		{ "beyond a year", FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
		    "2099-01-01", MODEL_INVALID },
		{ "not a date", FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
		    "2024-02-30", MODEL_INVALID },
	};
	struct fixture *f = *state;
	struct share_errors e;
	const char *before;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v;
		struct share_input in;
		int64_t saved = 0;

		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		in.email = cases[i].email;
		in.expires_on = cases[i].expires_on != NULL ?
		    cases[i].expires_on : share_default_expiry(&v);
		before = fixture_snapshot(f);
		if (share_create(&v, cases[i].location, &in, &e, &saved) !=
		    cases[i].rc)
			fail_msg("%s: wrong answer", cases[i].what);
		if (cases[i].rc != MODEL_DONE) {
			if (strcmp(before, fixture_snapshot(f)) != 0)
				fail_msg("%s: a refusal changed something",
				    cases[i].what);
			continue;
		}
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM "
		    "location_shares WHERE id = %lld AND email = '"
		    GUEST_EMAIL "' AND guest_id IS NULL", (long long)saved), 1);
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM "
		    "mail_queue WHERE recipient = '" GUEST_EMAIL "'"), 1);
		assert_int_equal(fixture_int(f, "SELECT count(*) FROM events "
		    "WHERE kind = 'location_shared'"), 1);
	}
	/* limited to locations: only those (a share shows every device of
	 * the location) */
	fixture_renew(f);
	fixture_exec(f, "UPDATE users SET groups = 1 WHERE id = %d",
	    FX_EAST_DEVICES);
	assert_int_equal(share(f, FX_EAST_DEVICES, FX_EAST_DOCK, GUEST_EMAIL,
	    &e), MODEL_NOT_FOUND);
	assert_int_equal(share(f, FX_EAST_DEVICES, FX_HARBOUR, GUEST_EMAIL,
	    &e), MODEL_DONE);
	/* one open share per address and location, whatever its case */
	fixture_renew(f);
	assert_int_equal(share(f, FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
	    &e), MODEL_DONE);
	assert_int_equal(share(f, FX_NORTH_ADMIN, FX_EAST_DOCK,
	    "OTHER.ADMIN@example.test", &e), MODEL_INVALID);
	assert_int_equal(e.email.status, 409);
}

/* What the link is worth to whom: only the addressee holding Location
 * Facilitator, once, while the share holds. */
static void
test_invitation_refusals(void **state)
{
	static const struct {
		const char *what;
		int64_t who;
		const char *sql;		/* the state, or NULL */
		enum share_refusal refusal;
	} cases[] = {
		{ "the addressee", FX_OTHER_ADMIN, MAKE_GUEST, SHARE_OK },
		{ "without the group", FX_OTHER_ADMIN, NULL,
		    SHARE_NOT_FACILITATOR },
		{ "another user", FX_NORTH_ADMIN, "UPDATE users SET groups = "
		    "groups | 256 WHERE id = 3", SHARE_OTHER_EMAIL },
		{ "revoked", FX_OTHER_ADMIN, "UPDATE location_shares SET "
		    "revoked_at = 1", SHARE_REVOKED_LINK },
		{ "expired", FX_OTHER_ADMIN, "UPDATE location_shares SET "
		    "expires_at = 1700000000", SHARE_EXPIRED_LINK },
		{ "accepted by another", FX_OTHER_ADMIN, "UPDATE "
		    "location_shares SET guest_id = 3, accepted_at = 1",
		    SHARE_USED },
		/* the state of a link is told to its addressee only */
		{ "another user, revoked", FX_NORTH_ADMIN, "UPDATE "
		    "location_shares SET revoked_at = 1", SHARE_OTHER_EMAIL },
		/* a share is for another account */
		{ "the own account", FX_OTHER_ADMIN, "UPDATE users SET "
		    "customer_id = 2, groups = groups | 256 WHERE id = 7",
		    SHARE_SAME_ACCOUNT },
	};
	struct fixture *f = *state;
	struct share_invitation inv;
	struct share_errors e;
	const char *token, *before;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v;

		fixture_renew(f);
		assert_int_equal(share(f, FX_NORTH_ADMIN, FX_EAST_DOCK,
		    GUEST_EMAIL, &e), MODEL_DONE);
		token = last_token(f);
		if (cases[i].sql != NULL)
			fixture_exec(f, "%s", cases[i].sql);
		v = fixture_viewer(f, cases[i].who, ORIGIN_PAGE);
		assert_int_equal(share_invitation(&v, token, &inv), 0);
		if (inv.refusal != cases[i].refusal)
			fail_msg("%s: refusal %d", cases[i].what, inv.refusal);
		/* what it shares is told only to the one it is for */
		if ((inv.location != NULL) != (cases[i].refusal == SHARE_OK))
			fail_msg("%s: the location told", cases[i].what);
		before = fixture_snapshot(f);
		if ((share_accept(&v, token, &inv) == MODEL_DONE) !=
		    (cases[i].refusal == SHARE_OK))
			fail_msg("%s: accepted", cases[i].what);
		if (cases[i].refusal != SHARE_OK &&
		    strcmp(before, fixture_snapshot(f)) != 0)
			fail_msg("%s: a refusal changed something",
			    cases[i].what);
	}
	/* a link made up, or not a link */
	{
		struct viewer v = fixture_viewer(f, FX_OTHER_ADMIN,
		    ORIGIN_PAGE);

		assert_int_equal(share_invitation(&v, "nonsense", &inv), 0);
		assert_int_equal(inv.refusal, SHARE_UNKNOWN);
		assert_int_equal(share_invitation(&v,
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &inv), 0);
		assert_int_equal(inv.refusal, SHARE_UNKNOWN);
	}
}

/* The guest reads exactly the location's devices, while the share holds
 * and they hold the group; each read is an event. */
static void
test_guest_reads_while_it_holds(void **state)
{
	struct fixture *f = *state;
	struct share_invitation inv;
	struct share_errors e;
	struct guest_share *g, one;
	struct viewer v, owner;
	bool was_open;
	size_t n;

	fixture_exec(f, MAKE_GUEST);
	assert_int_equal(share(f, FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
	    &e), MODEL_DONE);
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_accept(&v, last_token(f), &inv), MODEL_DONE);
	/* a second acceptance by the same guest changes nothing */
	assert_int_equal(share_accept(&v, last_token(f), &inv), MODEL_DONE);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'location_share_accepted'"), 1);

	assert_int_equal(share_list_of_guest(&v, 10, &g, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(g[0].location, "East Dock");
	assert_string_equal(g[0].owner, "Acme North East");
	assert_int_equal(g[0].ndevices, 1);
	assert_string_equal(g[0].devices[0].unit_id, "EAST-2");
	assert_false(g[0].more);
	assert_int_equal(share_of_guest(&v, g[0].id, 0, 10, &one), 1);
	assert_int_equal(one.ndevices, 1);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'location_share_viewed' AND user_id = 7"), 2);
	/* another user, Location Facilitator too, reads nothing of it */
	fixture_exec(f, "UPDATE users SET groups = groups | 256 WHERE id = 3");
	owner = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_of_guest(&owner, one.id, 0, 10, &one), 0);
	assert_int_equal(share_list_of_guest(&owner, 10, &g, &n), 0);
	assert_int_equal(n, 0);

	/* without the group: nothing, the share kept */
	fixture_exec(f, "UPDATE users SET groups = 1 WHERE id = 7");
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_of_guest(&v, one.id, 0, 10, &one), 0);
	fixture_exec(f, MAKE_GUEST);
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_of_guest(&v, one.id, 0, 10, &one), 1);

	/* revoked by someone who does not see the location: not found */
	owner = fixture_viewer(f, FX_SOUTH_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_revoke(&owner, FX_EAST_DOCK, one.id, &was_open),
	    MODEL_NOT_FOUND);
	owner = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_revoke(&owner, FX_NORTH_YARD, one.id,
	    &was_open), MODEL_NOT_FOUND);
	assert_int_equal(share_of_guest(&v, one.id, 0, 10, &one), 1);
	/* revoked: gone at once, and a second revocation logs nothing */
	assert_int_equal(share_revoke(&owner, FX_EAST_DOCK, one.id, &was_open),
	    MODEL_DONE);
	assert_true(was_open);
	assert_int_equal(share_revoke(&owner, FX_EAST_DOCK, one.id, &was_open),
	    MODEL_DONE);
	assert_false(was_open);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM events WHERE "
	    "kind = 'location_share_revoked' AND user_id = 7"), 1);
	assert_int_equal(share_of_guest(&v, one.id, 0, 10, &one), 0);
	assert_int_equal(share_list_of_guest(&v, 10, &g, &n), 0);
	assert_int_equal(n, 0);
}

/* Pages of devices follow the ids; devices of customers above the
 * location's (a location serves those too) are not its customer's to
 * share; an expired share reads nothing. */
static void
test_expiry_and_pages(void **state)
{
	struct fixture *f = *state;
	struct share_invitation inv;
	struct share_errors e;
	struct guest_share one;
	struct viewer v;
	int64_t id;

	fixture_exec(f, MAKE_GUEST);
	fixture_exec(f, "UPDATE devices SET location_id = %d", FX_EAST_DOCK);
	assert_int_equal(share(f, FX_NORTH_ADMIN, FX_EAST_DOCK, GUEST_EMAIL,
	    &e), MODEL_DONE);
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(share_accept(&v, last_token(f), &inv), MODEL_DONE);
	id = inv.share_id;
	assert_int_equal(share_of_guest(&v, id, 0, 1, &one), 1);
	assert_int_equal(one.ndevices, 1);
	assert_string_equal(one.devices[0].unit_id, "EAST-1");
	assert_true(one.more);
	assert_int_equal(share_of_guest(&v, id, one.devices[0].id, 1, &one),
	    1);
	assert_int_equal(one.ndevices, 1);
	assert_string_equal(one.devices[0].unit_id, "EAST-2");
	assert_false(one.more);
	fixture_exec(f, "UPDATE location_shares SET expires_at = %d",
	    FIXTURE_NOW);
	assert_int_equal(share_of_guest(&v, id, 0, 4, &one), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_who_may_share,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_invitation_refusals,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_guest_reads_while_it_holds,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_expiry_and_pages,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
