/*
 * test_model_access.c - access control (access.c) on the fixture's tree:
 * the decision for every reason, by user and by RFID tag; the tags'
 * rules; the scans recorded and the history each viewer reads.
 *
 * The device is EAST-2 (Acme North East, account Acme); the asking
 * viewer acme.admin, who sees every device of Acme and holds Access
 * Control Management.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "access.h"

/* Tags: 11 and 12 east.driver's (12 inactive), 13 other.admin's (Other),
 * 14 acme.admin's; uid 0000000A is in both accounts. */
#define TAGS \
	"INSERT INTO rfid_tags (id, uid, user_id, label, active, created_at, " \
	"updated_at) VALUES (11, 'AABBCCDD', 5, 'Van', 1, 0, 0), " \
	"(12, 'DEADBEEF', 5, '', 0, 0, 0), (13, '0000000A', 7, '', 1, 0, 0), " \
	"(14, '0000000B', 2, 'Boss', 1, 0, 0), (15, '0000000A', 5, '', 1, 0, 0)"

static void
test_decision(void **state)
{
	static const struct {
		const char *what;
		const char *sql[3];	/* the state, from the tree's */
		int64_t user;
		int rc;			/* 1 decided, 0 no such device */
		const char *status;
	} cases[] = {
		{ "no group: an active user of the account", { NULL },
		    FX_EAST_DRIVER, 1, "Accepted" },
		{ "no group: a user of another account", { NULL },
		    FX_OTHER_ADMIN, 1, "Invalid" },
		{ "no group: nobody", { NULL }, FX_MISSING, 1, "Invalid" },
		{ "inactive", { "UPDATE users SET active = 0 WHERE id = 5" },
		    FX_EAST_DRIVER, 1, "Blocked" },
		{ "grouped: a member", { FX_USER_GROUPS, "INSERT INTO "
		    "user_group_devices VALUES (1, 4)", "INSERT INTO "
		    "user_group_members VALUES (1, 5)" }, FX_EAST_DRIVER, 1,
		    "Accepted" },
		{ "grouped: not a member", { FX_USER_GROUPS, "INSERT INTO "
		    "user_group_devices VALUES (1, 4)", "INSERT INTO "
		    "user_group_members VALUES (2, 5)" }, FX_EAST_DRIVER, 1,
		    "Invalid" },
		{ "grouped: a member of another account", { FX_USER_GROUPS,
		    "INSERT INTO user_group_devices VALUES (3, 4)",
		    "INSERT INTO user_group_members VALUES (3, 7)" },
		    FX_OTHER_ADMIN, 1, "Invalid" },
		{ "grouped, all accounts: a member of the account", {
		    FX_USER_GROUPS,
		    "INSERT INTO user_group_devices VALUES (3, 4)",
		    "INSERT INTO user_group_members VALUES (3, 5)" },
		    FX_EAST_DRIVER, 1, "Accepted" },
	};
	struct fixture *f = *state;
	struct access_decision d;
	struct viewer v;
	size_t i, j;
	int rc;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		for (j = 0; j < 3 && cases[i].sql[j] != NULL; j++)
			fixture_exec(f, "%s", cases[i].sql[j]);
		v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_API);
		rc = access_decide(&v, "EAST-2", cases[i].user, NULL,
		    &d);
		if (rc != cases[i].rc || strcmp(d.status, cases[i].status) != 0
		    || d.allowed != (strcmp(cases[i].status, "Accepted") == 0))
			fail_msg("%s: %d %s", cases[i].what, rc, d.status);
	}
	/* a device outside the viewer's view: not decided, as a missing one */
	fixture_renew(f);
	v = fixture_viewer(f, FX_SOUTH_ADMIN, ORIGIN_API);
	assert_int_equal(access_decide(&v, "EAST-2", FX_EAST_DRIVER, NULL,
	    &d), 0);
	assert_int_equal(access_decide(&v, "NO-SUCH", FX_EAST_DRIVER, NULL,
	    &d), 0);
}


static void
test_decision_by_tag(void **state)
{
	static const struct {
		const char *what;
		const char *sql[3];
		const char *uid;
		const char *status;
		int64_t tag, user;	/* what the decision names */
	} cases[] = {
		{ "an active tag of an active user", { NULL }, "AABBCCDD",
		    "Accepted", 11, FX_EAST_DRIVER },
		{ "an inactive tag", { NULL }, "DEADBEEF", "Blocked", 12,
		    FX_EAST_DRIVER },
		{ "the holder inactive", { "UPDATE users SET active = 0 "
		    "WHERE id = 5" }, "AABBCCDD", "Blocked", 11,
		    FX_EAST_DRIVER },
		{ "an unknown uid", { NULL }, "12345678", "Invalid", 0, 0 },
		/* another account's tag: as unknown, holder unnamed */
		{ "another account's tag", { "DELETE FROM rfid_tags WHERE id "
		    "= 15" }, "0000000A", "Invalid", 0, 0 },
		{ "a uid in two accounts: the device's account's tag", { NULL },
		    "0000000A", "Accepted", 15, FX_EAST_DRIVER },
		{ "grouped: the holder in none of the groups", { FX_USER_GROUPS,
		    "INSERT INTO user_group_devices VALUES (1, 4)" },
		    "AABBCCDD", "Invalid", 11, FX_EAST_DRIVER },
		{ "grouped: the holder a member", { FX_USER_GROUPS,
		    "INSERT INTO user_group_devices VALUES (1, 4)",
		    "INSERT INTO user_group_members VALUES (1, 5)" },
		    "AABBCCDD", "Accepted", 11, FX_EAST_DRIVER },
	};
	struct fixture *f = *state;
	struct access_decision d;
	struct viewer v;
	const char *unknown_reason = NULL;
	size_t i, j;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		fixture_exec(f, TAGS);
		for (j = 0; j < 3 && cases[i].sql[j] != NULL; j++)
			fixture_exec(f, "%s", cases[i].sql[j]);
		v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_API);
		if (access_decide(&v, "EAST-2", 0, cases[i].uid, &d) != 1 ||
		    strcmp(d.status, cases[i].status) != 0 ||
		    d.tag_id != cases[i].tag || d.user_id != cases[i].user ||
		    d.allowed != (strcmp(cases[i].status, "Accepted") == 0))
			fail_msg("%s: %s tag %lld user %lld", cases[i].what,
			    d.status, (long long)d.tag_id,
			    (long long)d.user_id);
		if (cases[i].tag == 0 && unknown_reason == NULL)
			unknown_reason = d.reason;
		else if (cases[i].tag == 0)
			assert_string_equal(d.reason, unknown_reason);
	}
}

static void
test_uid(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(access_uid(f->arena, "aa:bb:cc:dd"), "AABBCCDD");
	assert_string_equal(access_uid(f->arena, "04 a2-1f"), "04A21F");
	assert_string_equal(access_uid(f->arena, "0123456789abcdef0123"),
	    "0123456789ABCDEF0123");
	assert_null(access_uid(f->arena, "0123456789abcdef01234"));
	assert_null(access_uid(f->arena, "AABBCCDG"));
	assert_null(access_uid(f->arena, ""));
	assert_null(access_uid(f->arena, "::"));
}

static void
test_tag_save(void **state)
{
	static const struct {
		const char *what;
		int64_t who;
		struct tag_input in;
		enum model_result r;
		int uid, label, user;	/* each field's status, 0: none */
	} refused[] = {
		{ "too short", FX_ACME_ADMIN, { "AABBCC", "", "east.driver",
		    true }, MODEL_INVALID, 400, 0, 0 },
		{ "not hex", FX_ACME_ADMIN, { "AABBCCDZ", "", "east.driver",
		    true }, MODEL_INVALID, 400, 0, 0 },
		{ "taken in the account", FX_ACME_ADMIN, { "aa:bb:cc:dd", "",
		    "north.fleet", true }, MODEL_INVALID, 409, 0, 0 },
		{ "a label on two lines", FX_ACME_ADMIN, { "01020304",
		    "a\nb", "east.driver", true }, MODEL_INVALID, 0, 400, 0 },
		{ "a holder of another account", FX_ACME_ADMIN, { "01020304",
		    "", "other.admin", true }, MODEL_INVALID, 0, 0, 404 },
		{ "a holder above the viewer", FX_NORTH_ADMIN, { "01020304",
		    "", "acme.admin", true }, MODEL_INVALID, 0, 0, 404 },
		{ "no holder", FX_ACME_ADMIN, { "01020304", "", "", true },
		    MODEL_INVALID, 0, 0, 400 },
		{ "without Access Control Management", FX_SOUTH_ADMIN, {
		    "01020304", "", "south.admin", true }, MODEL_NOT_FOUND,
		    0, 0, 0 },
		{ "an API Developer, who reads it", FX_NORTH_DM, {
		    "01020304", "", "east.driver", true }, MODEL_NOT_FOUND,
		    0, 0, 0 },
	};
	struct fixture *f = *state;
	struct tag_errors e;
	struct viewer v;
	const char *before;
	int64_t saved = 0;
	size_t i;

	fixture_exec(f, TAGS);
	/* north.admin with Access Control Management, to test the scope;
	 * north.dm an API Developer */
	fixture_exec(f, "UPDATE users SET groups = groups | 32 WHERE id = 3");
	fixture_exec(f, "UPDATE users SET groups = 64 WHERE id = 10");
	before = fixture_snapshot(f);
	for (i = 0; i < NELEM(refused); i++) {
		v = fixture_viewer(f, refused[i].who, ORIGIN_PAGE);
		if (access_tag_save(&v, 0, &refused[i].in, &e, &saved) !=
		    refused[i].r || e.uid.status != refused[i].uid ||
		    e.label.status != refused[i].label ||
		    e.user.status != refused[i].user)
			fail_msg("%s: %d %d %d", refused[i].what, e.uid.status,
			    e.label.status, e.user.status);
		assert_string_equal(fixture_snapshot(f), before);
	}
	/* another account's uid is free here, and not told */
	fixture_exec(f, "UPDATE users SET groups = groups | 32 WHERE id = 7");
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_tag_save(&v, 0, &(struct tag_input){
	    "aabbccdd", "Key", "other.admin", true }, &e, &saved), MODEL_DONE);
	assert_string_equal(fixture_text(f, "SELECT uid || ' ' || user_id "
	    "FROM rfid_tags WHERE id = %lld", (long long)saved), "AABBCCDD 7");
	/* an edit: its own uid is no conflict; the holder changes */
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_tag_save(&v, 11, &(struct tag_input){
	    "AA-BB-CC-DD", "Truck", "north.fleet@example.test", false }, &e,
	    &saved), MODEL_DONE);
	assert_string_equal(fixture_text(f, "SELECT uid || ' ' || user_id || "
	    "' ' || label || ' ' || active FROM rfid_tags WHERE id = 11"),
	    "AABBCCDD 4 Truck 0");
	assert_non_null(strstr(fixture_events(f), "rfid_tag_updated"));
	/* a tag whose holder the viewer does not see is not found */
	before = fixture_snapshot(f);
	v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_tag_save(&v, 14, &(struct tag_input){
	    "0000000B", "", "north.admin", true }, &e, &saved),
	    MODEL_NOT_FOUND);
	assert_string_equal(fixture_snapshot(f), before);
	/* uids are one per account, so a nested administrator learns that
	 * a uid is taken above them (409), never by whom: the price of a
	 * card naming one person wherever the account's devices read it */
	assert_int_equal(access_tag_save(&v, 0, &(struct tag_input){
	    "0000000B", "", "north.admin", true }, &e, &saved),
	    MODEL_INVALID);
	assert_int_equal(e.uid.status, 409);
	assert_null(strstr(e.uid.msg, "acme"));
}

/* The ids of the scans page p holds, as bits. */
static uint64_t
scan_bits(const struct rows_page *p)
{
	return fixture_id_bits(p, sizeof(struct access_scan_row));
}

static void
test_scans(void **state)
{
	struct fixture *f = *state;
	struct access_decision d;
	struct list_query lq;
	struct rows_page p;
	struct viewer v;
	const struct access_scan_row *r;

	fixture_exec(f, TAGS);
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_API);
	/* scans 1 to 3: east.driver's tag, acme.admin's, an unknown one */
	assert_int_equal(access_scan(&v, "EAST-2", "AABBCCDD", 100, &d),
	    MODEL_DONE);
	assert_true(d.allowed);
	assert_int_equal(access_scan(&v, "EAST-2", "0000000B", 300, &d),
	    MODEL_DONE);
	assert_int_equal(access_scan(&v, "EAST-2", "1234", 200, &d),
	    MODEL_DONE);
	assert_false(d.allowed);
	/* a device outside the view records nothing */
	assert_int_equal(access_scan(&v, "OTHER-1", "AABBCCDD", 100, &d),
	    MODEL_NOT_FOUND);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM access_scans"),
	    3);
	assert_int_equal(fixture_int(f, "SELECT count(*) FROM access_scans "
	    "WHERE customer_id = 3 AND device_id = 4"), 3);

	/* the history: newest first when asked descending */
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	lq = fixture_search(f, "", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 3);
	r = p.rows;
	assert_int_equal(r[0].at, 300);
	assert_string_equal(r[0].holder, "acme.admin");
	assert_string_equal(r[0].label, "Boss");
	assert_int_equal(r[1].at, 200);
	assert_null(r[1].holder);
	assert_string_equal(r[2].unit_id, "EAST-2");
	/* filters: denied; a uid's start; a device */
	lq.result = LIST_RESULT_DENIED;
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(scan_bits(&p), FX_BIT(3));
	lq = fixture_search(f, "aabb", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(scan_bits(&p), FX_BIT(1));
	lq = fixture_search(f, "east.d", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(scan_bits(&p), FX_BIT(1));
	lq = fixture_search(f, "", 0, 0, 0, true);
	lq.device_id = FX_DEV_EAST2;
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 3);
	lq.device_id = FX_DEV_EAST1;
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	lq.device_id = FX_DEV_OTHER;
	assert_int_equal(access_scan_list(&v, &lq, &p), 0);

	/* a nested viewer sees the scans, not a holder above them */
	fixture_exec(f, "UPDATE users SET groups = groups | 32 WHERE id IN "
	    "(3, 6, 7)");
	v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	lq = fixture_search(f, "", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 3);
	r = p.rows;
	assert_null(r[0].holder);
	assert_null(r[0].label);
	assert_int_equal(r[0].tag_id, 0);
	assert_string_equal(r[2].holder, "east.driver");
	/* nor finds by the name of a holder above them */
	lq = fixture_search(f, "acme.ad", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(scan_bits(&p), FX_BIT(2));
	v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	/* the device rule: a viewer at Harbour does not see East Dock's
	 * device, nor its scans, nor may filter by it (EAST-2 is there) */
	fixture_exec(f, "UPDATE users SET groups = groups | 32 WHERE id = 11");
	v = fixture_viewer(f, FX_EAST_DEVICES, ORIGIN_PAGE);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	lq.device_id = FX_DEV_EAST2;
	assert_int_equal(access_scan_list(&v, &lq, &p), 0);
	lq.device_id = 0;
	/* a sibling sees none */
	v = fixture_viewer(f, FX_SOUTH_ADMIN, ORIGIN_PAGE);
	lq = fixture_search(f, "", 0, 0, 0, true);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);

	/* the device moves to another account: its history stays */
	fixture_exec(f, "UPDATE devices SET customer_id = 5 WHERE id = 4");
	v = fixture_viewer(f, FX_OTHER_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	assert_int_equal(access_scan_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 3);
	/* without Access Control Management: nothing */
	v = fixture_viewer(f, FX_NORTH_FLEET, ORIGIN_PAGE);
	assert_int_equal(access_scan_list(&v, &lq, &p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decision, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_decision_by_tag,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_uid, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_tag_save, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_scans, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
