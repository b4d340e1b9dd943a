/*
 * test_model_user.c - the Users model (user.c) on the fixture's tree:
 * the list and one user as each viewer sees them, every rule of
 * user_save() and user_remove() with the refusals leaving the database
 * as it was, the events telling where a change came from, arborctl's
 * operator and password commands, and the one way a password is set
 * (password_set(): every outstanding link dies, sessions end).
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
#include "db.h"
#include "password.h"
#include "user.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define NOW XSTR(FIXTURE_NOW)

/* The id the next user gets: one past the tree's. */
#define NEW_ID (FX_EAST_DEVICES + 1)
/* A password the policy takes (12 characters or more, no word). */
#define GOOD_PW "tidal-Lantern-47-orbit"

#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10
#define X100 X50 X50

/* ------------------------------------------------------------ helpers */

/* customer_id given, but not an id. */
#define NOT_AN_ID (-1)
/* nloc: locations given, none chosen. */
#define NO_LOCATIONS (-1)

/*
 * What a case changes on its base: the user as they are (an update, as
 * the form shows them) or new.user at Acme North East, active, no
 * groups, no locations (a create). NULL, 0 and false keep the base's
 * value.
 */
struct change {
	const char *email, *username, *full_name, *phone, *address;
	int64_t customer;	/* NOT_AN_ID: given, but not an id */
	const char *groups;	/* group keys, space-separated; "" none */
	int nloc;		/* NO_LOCATIONS; past 3, loc[0] nloc times */
	int64_t loc[3];
	const char *mode;	/* password_mode as given */
	const char *password;
	bool inactive;
};

/* The group keys in s (space-separated) into *keys; how many. */
static size_t
group_keys(struct fixture *f, const char *s, const char *const **keys)
{
	/* a key and its space take two characters at the least */
	const char **k = arena_calloc(f->arena, strlen(s) / 2 + 1,
	    sizeof(*k));
	char *copy = arena_printf(f->arena, "%s", s), *save = NULL, *w;
	size_t n = 0;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		k[n++] = w;
	*keys = k;
	return n;
}

/* What v's form sends for case ch on user id (0: a new user). */
static struct user_input
input_of(struct fixture *f, const struct viewer *v, int64_t id,
    const struct change *ch)
{
	struct user_input in;
	struct user_row t;
	int64_t *ids;
	size_t i, n;

	if (id != 0 && user_get(v, id, &t) == 1) {
		user_input_init(&in, f->arena, &t);
	} else {
		user_input_init(&in, f->arena, NULL);
		in.email = "new.user@example.test";
		in.username = "new.user";
		in.customer_id = FX_EAST;
	}
	in.email = ch->email ? ch->email : in.email;
	in.username = ch->username ? ch->username : in.username;
	in.full_name = ch->full_name ? ch->full_name : in.full_name;
	in.phone = ch->phone ? ch->phone : in.phone;
	in.address = ch->address ? ch->address : in.address;
	if (ch->customer != 0)
		in.customer_id = ch->customer == NOT_AN_ID ? 0 : ch->customer;
	if (ch->groups != NULL)
		in.ngroups = group_keys(f, ch->groups, &in.groups);
	if (ch->nloc != 0) {
		n = ch->nloc < 0 ? 0 : (size_t)ch->nloc;
		ids = arena_calloc(f->arena, n + 1, sizeof(*ids));
		for (i = 0; i < n; i++)
			ids[i] = ch->loc[n <= 3 ? i : 0];
		in.locations = ids;
		in.nlocations = n;
	}
	if (ch->mode != NULL)
		in.password_mode = ch->mode;
	if (ch->password != NULL)
		in.password = ch->password;
	if (ch->inactive)
		in.active = false;
	return in;
}

/* User id as stored: "email|username|customer|groups|active|
 * must_change|has a password|full name|phone|address|location ids". */
static const char *
user_text(struct fixture *f, int64_t id)
{
	return fixture_text(f, "SELECT email || '|' || username || '|' || "
	    "coalesce(customer_id, '-') || '|' || groups || '|' || active || "
	    "'|' || must_change_password || '|' || (password_hash IS NOT "
	    "NULL) || '|' || full_name || '|' || phone || '|' || address || "
	    "'|' || (SELECT coalesce(group_concat(location_id), '') FROM "
	    "user_locations WHERE user_id = u.id) FROM users u WHERE id = %lld",
	    (long long)id);
}

/* User id's links as "purpose,used_at;" ("-": unused), in id order. */
static const char *
links_text(struct fixture *f, int64_t id)
{
	return fixture_text(f, "SELECT group_concat(purpose || ',' || "
	    "coalesce(used_at, '-'), ';') FROM (SELECT * FROM user_links "
	    "WHERE user_id = %lld ORDER BY id)", (long long)id);
}

/* User id's sessions: "1,2". */
static const char *
sessions_text(struct fixture *f, int64_t id)
{
	return fixture_text(f, "SELECT group_concat(id) FROM (SELECT id FROM "
	    "sessions WHERE user_id = %lld ORDER BY id)", (long long)id);
}

/* User id's API tokens as "id,revoked_at;" ("-": in use or expired), in
 * id order. */
static const char *
tokens_text(struct fixture *f, int64_t id)
{
	return fixture_text(f, "SELECT group_concat(id || ',' || "
	    "coalesce(revoked_at, '-'), ';') FROM (SELECT * FROM api_tokens "
	    "WHERE user_id = %lld ORDER BY id)", (long long)id);
}

/* Every queued mail's recipient, in order. */
static const char *
mail_text(struct fixture *f)
{
	return fixture_text(f, "SELECT group_concat(recipient, ';') FROM "
	    "(SELECT recipient FROM mail_queue ORDER BY id)");
}

/* The fields in error with their statuses, in the order they are
 * reported: "email 409, username 409", "" for none. A status without a
 * message fails the test. */
static const char *
error_text(struct fixture *f, const struct user_errors *e)
{
	const struct check_field *fl;
	const struct check_error *ce;
	const char *s = "";

	for (fl = user_error_fields; fl->form != NULL; fl++) {
		ce = check_error_of(e, fl);
		if ((ce->status != 0) != (ce->msg != NULL))
			fail_msg("%s: status %d, message %s", fl->json,
			    ce->status, ce->msg ? ce->msg : "none");
		if (ce->msg != NULL)
			s = arena_printf(f->arena, "%s%s%s %d", s,
			    *s ? ", " : "", fl->json, ce->status);
	}
	return s;
}

/* ------------------------------------------------------------ reading */

#define U(id) FX_BIT(id)

/* Who sees which users, searched and filtered; a filter outside the
 * scope (or missing) is "not found". Both plans answer alike: a scope of
 * a third of the users table or more reads the table in order (acme.admin,
 * north.admin, the operator), a smaller one its customers' users. */
static void
test_list_scope(void **state)
{
	static const struct fixture_list_case cases[] = {
		{ "acme.admin", FX_ACME_ADMIN, "", 0, 0, 1, U(2) | U(3) | U(4) |
		    U(5) | U(6) | U(8) | U(9) | U(10) | U(11) },
		{ "north.admin", FX_NORTH_ADMIN, "", 0, 0, 1, U(3) | U(4) |
		    U(5) | U(9) | U(10) | U(11) },
		{ "east.driver", FX_EAST_DRIVER, "", 0, 0, 1, U(5) | U(11) },
		{ "south.admin", FX_SOUTH_ADMIN, "", 0, 0, 1, U(6) },
		{ "other.admin", FX_OTHER_ADMIN, "", 0, 0, 1, U(7) },
		/* every user of every account, never an operator */
		{ "operator", FX_OPERATOR, "", 0, 0, 1, U(2) | U(3) | U(4) |
		    U(5) | U(6) | U(7) | U(8) | U(9) | U(10) | U(11) },
		{ "anonymous", 0, "", 0, 0, 1, 0 },
		{ "q: a username", FX_NORTH_ADMIN, "fleet", 0, 0, 1, U(4) },
		{ "q: any case", FX_NORTH_ADMIN, "EAST", 0, 0, 1,
		    U(5) | U(11) },
		{ "q: an e-mail's domain", FX_SOUTH_ADMIN, "@example", 0, 0, 1,
		    U(6) },
		{ "q: nothing outside the scope", FX_NORTH_ADMIN, "other", 0,
		    0, 1, 0 },
		{ "q: LIKE wildcards are literal", FX_NORTH_ADMIN, "%", 0, 0,
		    1, 0 },
		{ "q: an underscore too", FX_NORTH_ADMIN, "_", 0, 0, 1, 0 },
		{ "own customer", FX_NORTH_ADMIN, "", FX_NORTH, 0, 1, U(3) |
		    U(4) | U(9) | U(10) },
		{ "child", FX_NORTH_ADMIN, "", FX_EAST, 0, 1, U(5) | U(11) },
		{ "child, searched", FX_NORTH_ADMIN, "driver", FX_EAST, 0, 1,
		    U(5) },
		{ "parent as filter", FX_NORTH_ADMIN, "", FX_ACME, 0, 0, 0 },
		{ "sibling as filter", FX_NORTH_ADMIN, "", FX_SOUTH, 0, 0, 0 },
		{ "other account as filter", FX_NORTH_ADMIN, "", FX_OTHER, 0,
		    0, 0 },
		{ "missing customer", FX_NORTH_ADMIN, "", FX_MISSING, 0, 0, 0 },
		{ "operator, other account", FX_OPERATOR, "", FX_OTHER, 0, 1,
		    U(7) },
		{ "anonymous, a filter", 0, "", FX_NORTH, 0, 0, 0 },
	};

	fixture_check_lists(*state, cases, NELEM(cases), user_sort_keys,
	    user_list, sizeof(struct user_row));
}

/* The page's rows as "username|customer path|location names;". */
static const char *
rows_text(struct fixture *f, const struct rows_page *p)
{
	const struct user_row *u = p->rows;
	const char *s = "";
	size_t i;

	for (i = 0; i < p->n; i++)
		s = arena_printf(f->arena, "%s%s|%s|%s;", s, u[i].username,
		    u[i].customer, u[i].location_names);
	return s;
}

#define NORTH_PATH "Acme North"
#define EAST_PATH "Acme North \xe2\x80\xba Acme North East"

static void
test_list_rows(void **state)
{
	/* sort: user_sort_keys: email, username, customer, locations,
	 * last_login, groups, active */
	static const struct fixture_rows_case cases[] = {
		/* paths start at the viewer's customer */
		{ "by e-mail", FX_NORTH_ADMIN, "", 0, false, 0, 1,
		    "east.devices|" EAST_PATH "|Harbour;"
		    "east.driver|" EAST_PATH "|East Dock;"
		    "north.admin|" NORTH_PATH "|;"
		    "north.dm|" NORTH_PATH "|;"
		    "north.fleet|" NORTH_PATH "|Yard, East Dock;"
		    "north.nca|" NORTH_PATH "|;" },
		{ "a narrow scope", FX_EAST_DRIVER, "", 0, false, 0, 1,
		    "east.devices|Acme North East|Harbour;"
		    "east.driver|Acme North East|East Dock;" },
		{ "by username, descending", FX_EAST_DRIVER, "", 1, true, 0, 1,
		    "east.driver|Acme North East|East Dock;"
		    "east.devices|Acme North East|Harbour;" },
		/* the tree's order; within a customer by id */
		{ "by customer", FX_NORTH_ADMIN, "", 2, false, 0, 1,
		    "north.admin|" NORTH_PATH "|;"
		    "north.fleet|" NORTH_PATH "|Yard, East Dock;"
		    "north.nca|" NORTH_PATH "|;"
		    "north.dm|" NORTH_PATH "|;"
		    "east.driver|" EAST_PATH "|East Dock;"
		    "east.devices|" EAST_PATH "|Harbour;" },
		{ "by groups", FX_NORTH_ADMIN, "", 5, false, 0, 1,
		    "east.driver|" EAST_PATH "|East Dock;"
		    "north.admin|" NORTH_PATH "|;"
		    "east.devices|" EAST_PATH "|Harbour;"
		    "north.dm|" NORTH_PATH "|;"
		    "north.nca|" NORTH_PATH "|;"
		    "north.fleet|" NORTH_PATH "|Yard, East Dock;" },
	};
	struct fixture *f = *state;
	struct list_query lq = fixture_list_query(f);
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	struct rows_page p;

	fixture_check_rows(f, cases, NELEM(cases), user_list, rows_text);
	/* a page past the end becomes the last one */
	lq.page = 3;
	lq.offset = 2 * LIST_PAGE_SIZE;
	assert_int_equal(user_list(&v, &lq, &p), 1);
	assert_int_equal(p.page, 1);
	assert_int_equal(p.n, 6);
}

/* The API's pages: the users after the cursor in id order, not counted,
 * each with the ids of the locations the viewer sees. */
static void
test_list_keyset(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_API);
	struct list_query lq = fixture_list_query(f);
	const struct user_row *u;
	struct rows_page p;

	lq.keyset = true;
	lq.limit = 4;
	assert_int_equal(user_list(&v, &lq, &p), 1);
	assert_int_equal(p.count, -1);
	assert_int_equal(fixture_id_bits(&p, sizeof(*u)),
	    U(3) | U(4) | U(5) | U(9));
	u = p.rows;
	assert_int_equal(u[1].id, FX_NORTH_FLEET);
	assert_string_equal(u[1].email, "north.fleet@example.test");
	assert_int_equal(u[1].groups, GROUP_FLEET_MANAGEMENT);
	assert_int_equal(u[1].nlocations, 2);
	assert_int_equal(u[1].locations[0], FX_NORTH_YARD);
	assert_int_equal(u[1].locations[1], FX_EAST_DOCK);
	lq.after = u[3].id;
	assert_int_equal(user_list(&v, &lq, &p), 1);
	assert_int_equal(fixture_id_bits(&p, sizeof(*u)), U(10) | U(11));
	lq.after = FX_EAST_DEVICES;
	assert_int_equal(user_list(&v, &lq, &p), 1);
	assert_int_equal(p.n, 0);
	lq.after = 0;
	lq.customer_id = FX_SOUTH;
	assert_int_equal(user_list(&v, &lq, &p), 0);
}

/* user_get() without the row. */
static int
find_user(const struct viewer *v, int64_t id)
{
	struct user_row u;

	return user_get(v, id, &u);
}

static void
test_get(void **state)
{
	static const struct fixture_places places = { FX_NORTH_FLEET,
	    FX_EAST_DRIVER, FX_ACME_ADMIN, FX_SOUTH_ADMIN, FX_OTHER_ADMIN };
	static const struct fixture_find_case cases[] = {
		{ FX_NORTH_ADMIN, FX_NORTH_ADMIN, 1 },	/* oneself */
		{ FX_EAST_DRIVER, FX_NORTH_FLEET, 0 },	/* the parent's */
		/* operators are nobody's users, not even an operator's */
		{ FX_NORTH_ADMIN, FX_OPERATOR, 0 },
		{ FX_OPERATOR, FX_OPERATOR, 0 },
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_EAST_DRIVER, ORIGIN_PAGE);
	struct user_row u;

	fixture_check_places(f, &places, FX_NORTH_ADMIN, find_user);
	fixture_check_finds(f, cases, NELEM(cases), find_user);
	assert_int_equal(user_get(&v, FX_EAST_DEVICES, &u), 1);
	assert_int_equal(u.id, FX_EAST_DEVICES);
	assert_string_equal(u.username, "east.devices");
	assert_int_equal(u.customer_id, FX_EAST);
	assert_int_equal(u.groups, GROUP_FULL_DEVICE_ACCESS);
	assert_true(u.active);
	assert_false(u.has_password);
	assert_int_equal(u.nlocations, 1);
	assert_int_equal(u.locations[0], FX_HARBOUR);
}

/* The locations a user may be given: those the viewer sees, in tree
 * order, each with its customer's path below the viewer. */
static void
test_location_choices(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	const struct user_location_choice *c;
	struct rows_page p;
	const char *s = "";
	size_t i;

	assert_int_equal(user_location_choices(&v, &p), 1);
	for (i = 0, c = p.rows; i < p.n; i++)
		s = arena_printf(f->arena, "%s%s|%s;", s, c[i].name,
		    c[i].customer);
	assert_string_equal(s, "Yard|" NORTH_PATH ";East Dock|" EAST_PATH
	    ";Harbour|" EAST_PATH ";");
}

/* ------------------------------------------------------------ writes */

/* east.driver's links and sessions as the fixture has them, and as a
 * new password or a deactivation leaves them. */
#define DRIVER_LINKS "setup,-;reset,-;reset,1"
#define DRIVER_LINKS_VOID "setup," NOW ";reset," NOW ";reset,1"
#define DRIVER_SESSIONS "1,2"
/* the token in use is revoked; the revoked and the expired one stay */
#define DRIVER_TOKENS "1,-;2,1;3,-"
#define DRIVER_TOKENS_REVOKED "1," NOW ";2,1;3,-"

static void
test_save_writes_and_logs(void **state)
{
	static const struct {
		const char *what;
		int64_t who;		/* 0 with ORIGIN_CLI: arborctl */
		enum origin origin;
		int64_t id;		/* 0: create */
		struct change ch;
		const char *user;	/* user_text() after */
		const char *links;	/* links_text() after */
		const char *sessions;	/* sessions_text() after */
		const char *mail;	/* mail_text() after */
		const char *events;	/* fixture_events() after */
		bool revoked;		/* DRIVER_TOKENS_REVOKED after */
	} cases[] = {
		{ "create: a set-up link by mail", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    0, { 0 },
		    "new.user@example.test|new.user|3|0|1|0|0||||",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|3|127.0.0.1|new.user", false },
		{ "create through the API", FX_NORTH_ADMIN, ORIGIN_API, 0,
		    { 0 },
		    "new.user@example.test|new.user|3|0|1|0|0||||",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|3|127.0.0.1|new.user (API)", false },
		{ "create with arborctl", 0, ORIGIN_CLI, 0, { 0 },
		    "new.user@example.test|new.user|3|0|1|0|0||||",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|-||new.user (arborctl)", false },
		{ "create with every field", FX_NORTH_ADMIN, ORIGIN_PAGE, 0,
		    { .full_name = "New User", .phone = "+45 1234",
		    .address = "Dock 1\nAarhus", .groups = "account_admin",
		    .nloc = 2, .loc = { FX_HARBOUR, FX_EAST_DOCK } },
		    "new.user@example.test|new.user|3|1|1|0|0|New User|"
		    "+45 1234|Dock 1\nAarhus|3,6",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|3|127.0.0.1|new.user", false },
		{ "a location below the user's customer, twice",
		    FX_NORTH_ADMIN, ORIGIN_PAGE, 0,
		    { .customer = FX_NORTH, .nloc = 2,
		    .loc = { FX_EAST_DOCK, FX_EAST_DOCK } },
		    "new.user@example.test|new.user|2|0|1|0|0||||3",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|3|127.0.0.1|new.user", false },
		{ "the most locations, all the same", FX_NORTH_ADMIN,
		    ORIGIN_PAGE, 0,
		    { .nloc = USER_LOCATIONS_MAX, .loc = { FX_HARBOUR } },
		    "new.user@example.test|new.user|3|0|1|0|0||||6",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|3|127.0.0.1|new.user", false },
		/* set now, changed at the first sign-in: no link, no mail */
		{ "create inactive with a password", FX_NORTH_ADMIN,
		    ORIGIN_PAGE, 0,
		    { .mode = "manual", .password = GOOD_PW, .inactive = true },
		    "new.user@example.test|new.user|3|0|0|1|1||||",
		    "", "", "", "user_created|12|3|127.0.0.1|new.user", false },
		{ "an operator, every group in another account", FX_OPERATOR,
		    ORIGIN_PAGE, 0,
		    { .customer = FX_OTHER, .groups = "account_admin "
		    "full_device_access device_management "
		    "nested_customer_admin fleet_management access_control" },
		    "new.user@example.test|new.user|5|63|1|0|0||||",
		    "setup,-", "", "new.user@example.test",
		    "user_created|12|1|127.0.0.1|new.user", false },
		/* the links went to the old address: whoever reads it must
		 * not open the account with one */
		{ "update every field", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_EAST_DRIVER,
		    { .email = "driver@example.test", .username = "driver",
		    .full_name = "E. Driver", .phone = "1", .address = "Dock",
		    .groups = "account_admin", .nloc = 1,
		    .loc = { FX_HARBOUR } },
		    "driver@example.test|driver|3|1|1|0|0|E. Driver|1|Dock|6",
		    DRIVER_LINKS_VOID, DRIVER_SESSIONS, "",
		    "user_updated|5|3|127.0.0.1|driver", false },
		{ "a new e-mail address and a new set-up link",
		    FX_NORTH_ADMIN, ORIGIN_PAGE, FX_EAST_DRIVER,
		    { .email = "driver@example.test", .mode = "welcome" },
		    "driver@example.test|east.driver|3|0|1|0|0||||3",
		    DRIVER_LINKS_VOID ";setup,-", DRIVER_SESSIONS,
		    "driver@example.test",
		    "user_updated|5|3|127.0.0.1|east.driver", false },
		{ "the username alone keeps the links", FX_NORTH_ADMIN,
		    ORIGIN_PAGE, FX_EAST_DRIVER, { .username = "driver" },
		    "east.driver@example.test|driver|3|0|1|0|0||||3",
		    DRIVER_LINKS, DRIVER_SESSIONS, "",
		    "user_updated|5|3|127.0.0.1|driver", false },
		{ "update through the API", FX_NORTH_ADMIN, ORIGIN_API,
		    FX_EAST_DRIVER, { .nloc = NO_LOCATIONS },
		    "east.driver@example.test|east.driver|3|0|1|0|0||||",
		    DRIVER_LINKS, DRIVER_SESSIONS, "",
		    "user_updated|5|3|127.0.0.1|east.driver (API)", false },
		/* the own e-mail in another case is no other user's, and
		 * the same mailbox: the links stay */
		{ "the e-mail in another case", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_EAST_DRIVER, { .email = "East.Driver@example.test" },
		    "East.Driver@example.test|east.driver|3|0|1|0|0||||3",
		    DRIVER_LINKS, DRIVER_SESSIONS, "",
		    "user_updated|5|3|127.0.0.1|east.driver", false },
		/* a re-activation brings no token back */
		{ "deactivate: sessions end, links die, tokens revoked",
		    FX_NORTH_ADMIN, ORIGIN_PAGE, FX_EAST_DRIVER,
		    { .inactive = true },
		    "east.driver@example.test|east.driver|3|0|0|0|0||||3",
		    DRIVER_LINKS_VOID, "", "",
		    "tokens_revoked|5|3|127.0.0.1|1 token;"
		    "user_deactivated|5|3|127.0.0.1|east.driver;"
		    "user_updated|5|3|127.0.0.1|east.driver", true },
		{ "deactivate through the API", FX_NORTH_ADMIN, ORIGIN_API,
		    FX_EAST_DRIVER, { .inactive = true },
		    "east.driver@example.test|east.driver|3|0|0|0|0||||3",
		    DRIVER_LINKS_VOID, "", "",
		    "tokens_revoked|5|3|127.0.0.1|1 token (API);"
		    "user_deactivated|5|3|127.0.0.1|east.driver (API);"
		    "user_updated|5|3|127.0.0.1|east.driver (API)", true },
		/* through password_set(): changed at the next sign-in */
		{ "a password now", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_EAST_DRIVER, { .mode = "manual", .password = GOOD_PW },
		    "east.driver@example.test|east.driver|3|0|1|1|1||||3",
		    DRIVER_LINKS_VOID, "", "",
		    "tokens_revoked|5|3|127.0.0.1|1 token;"
		    "password_set_by_admin|5|3|127.0.0.1|;"
		    "user_updated|5|3|127.0.0.1|east.driver", true },
		{ "a new set-up link", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_EAST_DRIVER, { .mode = "welcome" },
		    "east.driver@example.test|east.driver|3|0|1|0|0||||3",
		    DRIVER_LINKS ";setup,-", DRIVER_SESSIONS,
		    "east.driver@example.test",
		    "user_updated|5|3|127.0.0.1|east.driver", false },
		{ "move to a child, a location there", FX_ACME_ADMIN,
		    ORIGIN_PAGE, FX_NORTH_FLEET,
		    { .customer = FX_EAST, .nloc = 1, .loc = { FX_EAST_DOCK } },
		    "north.fleet@example.test|north.fleet|3|16|1|0|0||||3",
		    "reset,-", "3", "",
		    "user_updated|4|2|127.0.0.1|north.fleet", false },
		/* north.fleet holds Fleet Management: only someone who
		 * holds it too changes them (see the refusals) */
		{ "a user whose every group the editor holds", FX_ACME_ADMIN,
		    ORIGIN_PAGE, FX_NORTH_FLEET,
		    { .email = "fleet@example.test", .username = "fleet",
		    .groups = "account_admin" },
		    "fleet@example.test|fleet|2|1|1|0|0||||2,3",
		    "reset," NOW, "3", "", "user_updated|4|2|127.0.0.1|fleet",
		    false },
		{ "one's own details", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_NORTH_ADMIN, { .full_name = "N. Admin", .nloc = 1,
		    .loc = { FX_NORTH_YARD } },
		    "north.admin@example.test|north.admin|2|1|1|0|0|N. Admin"
		    "|||2",
		    "", "", "", "user_updated|3|3|127.0.0.1|north.admin", false },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct user_change c;
		struct user_errors e;
		struct user_input in;
		struct viewer v;
		int64_t saved = 0, id;

		/* a write must not see another's */
		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, cases[i].origin);
		in = input_of(f, &v, cases[i].id, &cases[i].ch);
		if (user_save(&v, cases[i].id, &in, &c, &e, &saved) !=
		    MODEL_DONE)
			fail_msg("%s: refused: %s", cases[i].what,
			    error_text(f, &e));
		id = cases[i].id != 0 ? cases[i].id : NEW_ID;
		assert_int_equal(saved, id);
		assert_false(f->app.db.in_transaction);
		if (strcmp(user_text(f, id), cases[i].user) != 0)
			fail_msg("%s: user %s", cases[i].what,
			    user_text(f, id));
		if (strcmp(links_text(f, id), cases[i].links) != 0 ||
		    strcmp(sessions_text(f, id), cases[i].sessions) != 0 ||
		    strcmp(mail_text(f), cases[i].mail) != 0)
			fail_msg("%s: links %s, sessions %s, mail %s",
			    cases[i].what, links_text(f, id),
			    sessions_text(f, id), mail_text(f));
		if (strcmp(fixture_events(f), cases[i].events) != 0)
			fail_msg("%s: events %s", cases[i].what,
			    fixture_events(f));
		if (strcmp(tokens_text(f, FX_EAST_DRIVER), cases[i].revoked ?
		    DRIVER_TOKENS_REVOKED : DRIVER_TOKENS) != 0)
			fail_msg("%s: tokens %s", cases[i].what,
			    tokens_text(f, FX_EAST_DRIVER));
		/* another user's session, link and token stay */
		if (id != FX_NORTH_FLEET &&
		    (strcmp(sessions_text(f, FX_NORTH_FLEET), "3") != 0 ||
		    strcmp(links_text(f, FX_NORTH_FLEET), "reset,-") != 0 ||
		    strcmp(tokens_text(f, FX_NORTH_FLEET), "4,-") != 0))
			fail_msg("%s: north.fleet's session, link or token",
			    cases[i].what);
	}
}

static void
test_save_refusals_change_nothing(void **state)
{
	static const struct {
		const char *what;
		int64_t who;		/* 0: anonymous */
		int64_t id;		/* 0: create */
		struct change ch;
		enum model_result result;
		const char *errors;	/* error_text() */
	} cases[] = {
		/* create, by north.admin unless said */
		{ "an e-mail in use", FX_NORTH_ADMIN, 0,
		    { .email = "north.fleet@example.test" }, MODEL_INVALID,
		    "email 409" },
		{ "an e-mail in use, in another case", FX_NORTH_ADMIN, 0,
		    { .email = "North.Fleet@Example.TEST" }, MODEL_INVALID,
		    "email 409" },
		{ "an e-mail in use outside the scope", FX_NORTH_ADMIN, 0,
		    { .email = "other.admin@example.test" }, MODEL_INVALID,
		    "email 409" },
		{ "an operator's e-mail", FX_NORTH_ADMIN, 0,
		    { .email = "operator@example.test" }, MODEL_INVALID,
		    "email 409" },
		{ "a username in use", FX_NORTH_ADMIN, 0,
		    { .username = "north.fleet" }, MODEL_INVALID,
		    "username 409" },
		{ "a username in use, in another case", FX_NORTH_ADMIN, 0,
		    { .username = "NORTH.Fleet" }, MODEL_INVALID,
		    "username 409" },
		{ "both in use", FX_NORTH_ADMIN, 0,
		    { .email = "south.admin@example.test",
		    .username = "south.admin" }, MODEL_INVALID,
		    "email 409, username 409" },
		{ "no e-mail", FX_NORTH_ADMIN, 0, { .email = "" },
		    MODEL_INVALID, "email 400" },
		{ "not an e-mail", FX_NORTH_ADMIN, 0, { .email = "new.user" },
		    MODEL_INVALID, "email 400" },
		{ "no username", FX_NORTH_ADMIN, 0, { .username = "" },
		    MODEL_INVALID, "username 400" },
		{ "a space in the username", FX_NORTH_ADMIN, 0,
		    { .username = "new user" }, MODEL_INVALID,
		    "username 400" },
		{ "65 characters of username", FX_NORTH_ADMIN, 0,
		    { .username = X50 "123456789012345" }, MODEL_INVALID,
		    "username 400" },
		{ "no customer", FX_NORTH_ADMIN, 0, { .customer = NOT_AN_ID },
		    MODEL_INVALID, "customer_id 400" },
		{ "the parent", FX_NORTH_ADMIN, 0, { .customer = FX_ACME },
		    MODEL_INVALID, "customer_id 404" },
		{ "a sibling", FX_NORTH_ADMIN, 0, { .customer = FX_SOUTH },
		    MODEL_INVALID, "customer_id 404" },
		{ "another account", FX_NORTH_ADMIN, 0,
		    { .customer = FX_OTHER }, MODEL_INVALID,
		    "customer_id 404" },
		{ "a missing customer", FX_NORTH_ADMIN, 0,
		    { .customer = FX_MISSING }, MODEL_INVALID,
		    "customer_id 404" },
		{ "the parent's location", FX_NORTH_ADMIN, 0,
		    { .nloc = 1, .loc = { FX_HQ } }, MODEL_INVALID,
		    "locations 404" },
		{ "a sibling's location", FX_NORTH_ADMIN, 0,
		    { .nloc = 1, .loc = { FX_SOUTH_YARD } }, MODEL_INVALID,
		    "locations 404" },
		{ "a missing location", FX_NORTH_ADMIN, 0,
		    { .nloc = 1, .loc = { FX_MISSING } }, MODEL_INVALID,
		    "locations 404" },
		{ "not a location id", FX_NORTH_ADMIN, 0,
		    { .nloc = 1, .loc = { 0 } }, MODEL_INVALID,
		    "locations 400" },
		/* the user could not see a location above their customer */
		{ "a location above the user's customer", FX_NORTH_ADMIN, 0,
		    { .nloc = 2, .loc = { FX_HARBOUR, FX_NORTH_YARD } },
		    MODEL_INVALID, "locations 400" },
		{ "too many locations", FX_NORTH_ADMIN, 0,
		    { .nloc = USER_LOCATIONS_MAX + 1, .loc = { FX_HARBOUR } },
		    MODEL_INVALID, "locations 400" },
		{ "no such group", FX_NORTH_ADMIN, 0, { .groups = "root" },
		    MODEL_INVALID, "groups 400" },
		{ "a group the editor lacks", FX_NORTH_ADMIN, 0,
		    { .groups = "fleet_management" }, MODEL_INVALID,
		    "groups 403" },
		{ "one held, one lacked", FX_NORTH_ADMIN, 0,
		    { .groups = "account_admin full_device_access" },
		    MODEL_INVALID, "groups 403" },
		{ "no such password mode", FX_NORTH_ADMIN, 0,
		    { .mode = "email" }, MODEL_INVALID, "password_mode 400" },
		{ "keep, for a new user", FX_NORTH_ADMIN, 0, { .mode = "keep" },
		    MODEL_INVALID, "password_mode 400" },
		{ "manual without a password", FX_NORTH_ADMIN, 0,
		    { .mode = "manual" }, MODEL_INVALID, "password 400" },
		{ "a short password", FX_NORTH_ADMIN, 0,
		    { .mode = "manual", .password = "short-pw" },
		    MODEL_INVALID, "password 400" },
		{ "the username as password", FX_NORTH_ADMIN, 0,
		    { .username = "long.user.name", .mode = "manual",
		    .password = "LONG.USER.NAME" }, MODEL_INVALID,
		    "password 400" },
		{ "a welcome mail to an inactive user", FX_NORTH_ADMIN, 0,
		    { .inactive = true }, MODEL_INVALID, "password_mode 400" },
		{ "a name on two lines", FX_NORTH_ADMIN, 0,
		    { .full_name = "New\nUser" }, MODEL_INVALID,
		    "full_name 400" },
		{ "201 characters of name", FX_NORTH_ADMIN, 0,
		    { .full_name = X100 X100 "x" }, MODEL_INVALID,
		    "full_name 400" },
		{ "51 characters of phone", FX_NORTH_ADMIN, 0,
		    { .phone = X50 "1" }, MODEL_INVALID, "phone 400" },
		{ "501 characters of address", FX_NORTH_ADMIN, 0,
		    { .address = X100 X100 X100 X100 X100 "x" }, MODEL_INVALID,
		    "address 400" },
		{ "a control character in the address", FX_NORTH_ADMIN, 0,
		    { .address = "Dock\x01" }, MODEL_INVALID, "address 400" },
		{ "anonymous", 0, 0, { 0 }, MODEL_INVALID, "customer_id 404" },
		/* a stronger user: north.fleet holds a group north.admin
		 * lacks (Fleet Management), north.dm another (Device
		 * Management); nothing of theirs changes, whatever the
		 * input, valid or not */
		{ "a stronger user's e-mail", FX_NORTH_ADMIN, FX_NORTH_FLEET,
		    { .email = "fleet@example.test" }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user's password", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .mode = "manual", .password = GOOD_PW },
		    MODEL_INVALID, "groups 403" },
		{ "a stronger user's set-up link", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .mode = "welcome" }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user's username", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .username = "fleet" }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user's name", FX_NORTH_ADMIN, FX_NORTH_DM,
		    { .full_name = "D. M." }, MODEL_INVALID, "groups 403" },
		{ "a stronger user, groups taken", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .groups = "" }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user, a group given", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .groups = "account_admin "
		    "fleet_management" }, MODEL_INVALID, "groups 403" },
		{ "a stronger user moved", FX_NORTH_ADMIN, FX_NORTH_FLEET,
		    { .customer = FX_EAST }, MODEL_INVALID, "groups 403" },
		{ "a stronger user's locations", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .nloc = NO_LOCATIONS }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user deactivated", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .inactive = true }, MODEL_INVALID,
		    "groups 403" },
		{ "a stronger user, as they are", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { 0 }, MODEL_INVALID, "groups 403" },
		{ "a stronger user, bad fields", FX_NORTH_ADMIN,
		    FX_NORTH_FLEET, { .email = "", .customer = FX_OTHER },
		    MODEL_INVALID, "groups 403" },
		/* oneself */
		{ "deactivate oneself", FX_NORTH_ADMIN, FX_NORTH_ADMIN,
		    { .inactive = true }, MODEL_INVALID, "active 403" },
		{ "move oneself", FX_NORTH_ADMIN, FX_NORTH_ADMIN,
		    { .customer = FX_EAST }, MODEL_INVALID,
		    "customer_id 403" },
		{ "drop one's own Account Administrator", FX_NORTH_ADMIN,
		    FX_NORTH_ADMIN, { .groups = "" }, MODEL_INVALID,
		    "groups 403" },
		{ "one's own password", FX_NORTH_ADMIN, FX_NORTH_ADMIN,
		    { .mode = "manual", .password = GOOD_PW }, MODEL_INVALID,
		    "password_mode 403" },
		{ "one's own set-up link", FX_NORTH_ADMIN, FX_NORTH_ADMIN,
		    { .mode = "welcome" }, MODEL_INVALID, "password_mode 403" },
		/* update */
		{ "another user's e-mail", FX_NORTH_ADMIN, FX_EAST_DRIVER,
		    { .email = "north.nca@example.test" }, MODEL_INVALID,
		    "email 409" },
		{ "another user's username", FX_NORTH_ADMIN, FX_EAST_DRIVER,
		    { .username = "East.Devices" }, MODEL_INVALID,
		    "username 409" },
		{ "moved out of the scope", FX_NORTH_ADMIN, FX_EAST_DRIVER,
		    { .customer = FX_SOUTH }, MODEL_INVALID,
		    "customer_id 404" },
		{ "moved above its location", FX_ACME_ADMIN, FX_EAST_DRIVER,
		    { .customer = FX_SOUTH }, MODEL_INVALID, "locations 400" },
		{ "the parent's user", FX_NORTH_ADMIN, FX_ACME_ADMIN, { 0 },
		    MODEL_NOT_FOUND, "" },
		{ "a sibling's user", FX_NORTH_ADMIN, FX_SOUTH_ADMIN, { 0 },
		    MODEL_NOT_FOUND, "" },
		{ "another account's user", FX_NORTH_ADMIN, FX_OTHER_ADMIN,
		    { 0 }, MODEL_NOT_FOUND, "" },
		{ "an operator", FX_OPERATOR, FX_OPERATOR, { 0 },
		    MODEL_NOT_FOUND, "" },
		{ "a missing user", FX_NORTH_ADMIN, FX_MISSING, { 0 },
		    MODEL_NOT_FOUND, "" },
		/* not found comes first: nothing about the fields leaks */
		{ "a hidden user, bad fields", FX_NORTH_ADMIN, FX_ACME_ADMIN,
		    { .email = "", .customer = FX_OTHER }, MODEL_NOT_FOUND,
		    "" },
		{ "anonymous update", 0, FX_EAST_DRIVER, { 0 },
		    MODEL_NOT_FOUND, "" },
	};
	struct fixture *f = *state;
	const char *before = fixture_snapshot(f);
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v = fixture_viewer(f, cases[i].who, ORIGIN_API);
		struct user_input in = input_of(f, &v, cases[i].id,
		    &cases[i].ch);
		struct user_change c;
		struct user_errors e;
		int64_t saved = -1;
		enum model_result rc;

		rc = user_save(&v, cases[i].id, &in, &c, &e, &saved);
		if (rc != cases[i].result)
			fail_msg("%s: result %d, not %d (%s)", cases[i].what,
			    rc, cases[i].result, error_text(f, &e));
		if (strcmp(error_text(f, &e), cases[i].errors) != 0)
			fail_msg("%s: errors \"%s\"", cases[i].what,
			    error_text(f, &e));
		if (saved != -1 || f->app.db.in_transaction)
			fail_msg("%s: saved %lld, transaction %d",
			    cases[i].what, (long long)saved,
			    f->app.db.in_transaction);
		/* the one write of a refusal: a 409 counts against the
		 * address (guard_finish), whose 409s are rate-limited */
		if ((strstr(cases[i].errors, "409") != NULL) !=
		    (fixture_int(f, "SELECT failures FROM auth_failures "
		    "WHERE subject = 'taken:127.0.0.1'") == 1))
			fail_msg("%s: 409s counted wrong", cases[i].what);
		fixture_exec(f, "DELETE FROM auth_failures");
		if (strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("%s: changed the database", cases[i].what);
	}
}

/* An e-mail address or username stored under older rules blocks no
 * other change; as a new value it is refused. */
static void
test_save_keeps_values_of_older_rules(void **state)
{
	static const struct change name = { .full_name = "E. Driver" };
	static const struct change taken = { .username = "east driver" };
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	struct user_change c;
	struct user_errors e;
	struct user_input in;
	int64_t saved;

	fixture_exec(f, "UPDATE users SET username = 'east driver', email = "
	    "'east driver@example' WHERE id = %d", FX_EAST_DRIVER);
	in = input_of(f, &v, FX_EAST_DRIVER, &name);
	assert_int_equal(user_save(&v, FX_EAST_DRIVER, &in, &c, &e, &saved),
	    MODEL_DONE);
	assert_string_equal(user_text(f, FX_EAST_DRIVER), "east "
	    "driver@example|east driver|3|0|1|0|0|E. Driver|||3");
	/* north.dm holds a group north.admin lacks: acme.admin tries */
	v = fixture_viewer(f, FX_ACME_ADMIN, ORIGIN_PAGE);
	in = input_of(f, &v, FX_NORTH_DM, &taken);
	assert_int_equal(user_save(&v, FX_NORTH_DM, &in, &c, &e, &saved),
	    MODEL_INVALID);
	assert_string_equal(error_text(f, &e), "username 400");
}

/* ------------------------------------------------------------ removal */

static void
test_remove(void **state)
{
	static const struct {
		const char *what;
		int64_t who;		/* 0 with ORIGIN_CLI: arborctl */
		enum origin origin;
		int64_t id;
		enum model_result result;
		const char *events;	/* after a removal */
	} cases[] = {
		{ "a child's user", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_EAST_DRIVER,
		    MODEL_DONE, "user_deleted|-|3|127.0.0.1|east.driver "
		    "<east.driver@example.test> (id 5)" },
		{ "through the API", FX_NORTH_ADMIN, ORIGIN_API, FX_EAST_DRIVER,
		    MODEL_DONE, "user_deleted|-|3|127.0.0.1|east.driver "
		    "<east.driver@example.test> (id 5) (API)" },
		{ "with arborctl", 0, ORIGIN_CLI, FX_EAST_DRIVER, MODEL_DONE,
		    "user_deleted|-|-||east.driver <east.driver@example.test> "
		    "(id 5) (arborctl)" },
		/* anyone in the scope whose every group the remover holds */
		{ "a user whose every group the remover holds", FX_ACME_ADMIN,
		    ORIGIN_PAGE, FX_NORTH_FLEET, MODEL_DONE,
		    "user_deleted|-|2|127.0.0.1|north.fleet "
		    "<north.fleet@example.test> (id 4)" },
		{ "a stronger user", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_NORTH_FLEET, MODEL_INVALID, NULL },
		{ "a stronger user through the API", FX_NORTH_ADMIN,
		    ORIGIN_API, FX_NORTH_DM, MODEL_INVALID, NULL },
		{ "operator, another account", FX_OPERATOR, ORIGIN_PAGE,
		    FX_OTHER_ADMIN, MODEL_DONE,
		    "user_deleted|-|1|127.0.0.1|other.admin "
		    "<other.admin@example.test> (id 7)" },
		{ "oneself", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_NORTH_ADMIN,
		    MODEL_INVALID, NULL },
		{ "the parent's user", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_ACME_ADMIN, MODEL_NOT_FOUND, NULL },
		{ "a sibling's user", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_SOUTH_ADMIN, MODEL_NOT_FOUND, NULL },
		{ "another account's user", FX_NORTH_ADMIN, ORIGIN_API,
		    FX_OTHER_ADMIN, MODEL_NOT_FOUND, NULL },
		{ "an operator", FX_OPERATOR, ORIGIN_PAGE, FX_OPERATOR,
		    MODEL_NOT_FOUND, NULL },
		{ "a missing user", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_MISSING,
		    MODEL_NOT_FOUND, NULL },
		{ "anonymous", 0, ORIGIN_PAGE, FX_EAST_DRIVER,
		    MODEL_NOT_FOUND, NULL },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct user_row gone;
		struct viewer v;
		const char *before;
		enum model_result rc;

		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, cases[i].origin);
		before = fixture_snapshot(f);
		if ((rc = user_remove(&v, cases[i].id, &gone)) !=
		    cases[i].result)
			fail_msg("%s: result %d", cases[i].what, rc);
		assert_false(f->app.db.in_transaction);
		if (rc != MODEL_DONE) {
			if (strcmp(fixture_snapshot(f), before) != 0)
				fail_msg("%s: changed the database",
				    cases[i].what);
			continue;
		}
		assert_int_equal(gone.id, cases[i].id);
		/* the user and what hangs on them: the schema cascades */
		if (fixture_int(f, "SELECT count(*) FROM (SELECT id AS u FROM "
		    "users UNION ALL SELECT user_id FROM sessions UNION ALL "
		    "SELECT user_id FROM user_links UNION ALL SELECT user_id "
		    "FROM user_locations) WHERE u = %lld",
		    (long long)cases[i].id) != 0)
			fail_msg("%s: not all gone", cases[i].what);
		if (strcmp(fixture_events(f), cases[i].events) != 0)
			fail_msg("%s: events %s", cases[i].what,
			    fixture_events(f));
	}
}

/* ------------------------------------------------------------ passwords */

/* password_set() for each reason, on east.driver, from each door. */
static void
test_password_set(void **state)
{
	static const struct {
		const char *what;
		int64_t who;		/* 0: anonymous (a link), or arborctl */
		enum origin origin;
		enum password_why why;
		int64_t keep;		/* the session kept */
		const char *sessions;	/* east.driver's after */
		const char *must_change;
		const char *event;
	} cases[] = {
		/* the user's own change revokes their tokens too */
		{ "on the profile", FX_EAST_DRIVER, ORIGIN_PAGE, PASSWORD_OWN,
		    1, "1", "0", "tokens_revoked|5|5|127.0.0.1|1 token;"
		    "password_changed|5|5|127.0.0.1|" },
		{ "the forced change", FX_EAST_DRIVER, ORIGIN_PAGE,
		    PASSWORD_OWN_FORCED, 2, "2", "0",
		    "tokens_revoked|5|5|127.0.0.1|1 token;"
		    "password_changed|5|5|127.0.0.1|forced change" },
		/* the visitor with the link is the user */
		{ "a set-up link", 0, ORIGIN_PAGE, PASSWORD_SETUP_LINK, 0, "",
		    "0", "tokens_revoked|5|5|127.0.0.1|1 token;"
		    "password_reset|5|5|127.0.0.1|setup" },
		{ "a reset link", 0, ORIGIN_PAGE, PASSWORD_RESET_LINK, 0, "",
		    "0", "tokens_revoked|5|5|127.0.0.1|1 token;"
		    "password_reset|5|5|127.0.0.1|reset" },
		{ "an administrator", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    PASSWORD_BY_ADMIN, 0, "", "1",
		    "tokens_revoked|5|3|127.0.0.1|1 token;"
		    "password_set_by_admin|5|3|127.0.0.1|" },
		{ "an administrator through the API", FX_NORTH_ADMIN,
		    ORIGIN_API, PASSWORD_BY_ADMIN, 0, "", "1",
		    "tokens_revoked|5|3|127.0.0.1|1 token (API);"
		    "password_set_by_admin|5|3|127.0.0.1|(API)" },
		{ "arborctl", 0, ORIGIN_CLI, PASSWORD_BY_CLI, 0, "", "0",
		    "tokens_revoked|5|-||1 token (arborctl);"
		    "password_set|5|-||(arborctl)" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v;

		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, cases[i].origin);
		assert_int_equal(db_begin(&f->app.db), 0);
		assert_int_equal(password_set(&v, FX_EAST_DRIVER, "HASH",
		    cases[i].why, cases[i].keep), 0);
		assert_int_equal(db_commit(&f->app.db), 0);
		if (strcmp(fixture_text(f, "SELECT password_hash || '|' || "
		    "must_change_password || '|' || updated_at FROM users "
		    "WHERE id = %d", FX_EAST_DRIVER), arena_printf(f->arena,
		    "HASH|%s|%d", cases[i].must_change, FIXTURE_NOW)) != 0)
			fail_msg("%s: the user's row", cases[i].what);
		/* every outstanding link dies, every token in use is
		 * revoked; a used one stays as it was */
		if (strcmp(links_text(f, FX_EAST_DRIVER),
		    DRIVER_LINKS_VOID) != 0 ||
		    strcmp(sessions_text(f, FX_EAST_DRIVER),
		    cases[i].sessions) != 0 ||
		    strcmp(tokens_text(f, FX_EAST_DRIVER),
		    DRIVER_TOKENS_REVOKED) != 0)
			fail_msg("%s: links %s, sessions %s, tokens %s",
			    cases[i].what, links_text(f, FX_EAST_DRIVER),
			    sessions_text(f, FX_EAST_DRIVER),
			    tokens_text(f, FX_EAST_DRIVER));
		/* nobody else's */
		assert_string_equal(links_text(f, FX_NORTH_FLEET), "reset,-");
		assert_string_equal(sessions_text(f, FX_NORTH_FLEET), "3");
		assert_string_equal(tokens_text(f, FX_NORTH_FLEET), "4,-");
		if (strcmp(fixture_events(f), cases[i].event) != 0)
			fail_msg("%s: events %s", cases[i].what,
			    fixture_events(f));
	}
}

/* No such user: -1 inside the caller's transaction; password_save()
 * rolls its own back and changes nothing. */
static void
test_password_set_missing_user(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_NORTH_ADMIN, ORIGIN_PAGE);
	const char *before = fixture_snapshot(f);

	assert_int_equal(password_save(&v, FX_MISSING, "HASH",
	    PASSWORD_BY_ADMIN, 0), MODEL_FAILED);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(fixture_snapshot(f), before);
	assert_int_equal(password_save(&v, FX_EAST_DRIVER, "HASH",
	    PASSWORD_BY_ADMIN, 0), MODEL_DONE);
	assert_false(f->app.db.in_transaction);
	assert_string_equal(links_text(f, FX_EAST_DRIVER), DRIVER_LINKS_VOID);
}

/* A reset link, as its mail carries it: the same path, used once; a
 * refused try changes nothing. */
static void
test_reset_link(void **state)
{
	static const char prefix[] = "https://arbor.example.test/password/"
	    "reset/";
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_PAGE);
	struct password_errors pe;
	struct password_link l;
	const char *token, *before;

	assert_int_equal(password_forgot(&v, "East.Driver@example.test", &pe),
	    MODEL_DONE);
	token = strstr(fixture_text(f, "SELECT body FROM mail_queue WHERE "
	    "recipient = 'east.driver@example.test'"), prefix);
	assert_non_null(token);
	token += sizeof(prefix) - 1;
	token = arena_printf(f->arena, "%.*s", (int)strcspn(token, "\n"),
	    token);

	before = fixture_snapshot(f);
	assert_int_equal(password_link_use(&v, "reset", token, GOOD_PW,
	    GOOD_PW "!", &pe, &l), MODEL_INVALID);
	assert_int_equal(pe.confirm_password.status, 400);
	assert_int_equal(password_link_use(&v, "reset", token, "short",
	    "short", &pe, &l), MODEL_INVALID);
	assert_int_equal(pe.new_password.status, 400);
	assert_int_equal(password_link_use(&v, "setup", token, GOOD_PW,
	    GOOD_PW, &pe, &l), MODEL_NOT_FOUND);
	assert_int_equal(password_link_use(&v, "reset", "not-a-token",
	    GOOD_PW, GOOD_PW, &pe, &l), MODEL_NOT_FOUND);
	assert_string_equal(fixture_snapshot(f), before);

	assert_int_equal(password_link_use(&v, "reset", token, GOOD_PW,
	    GOOD_PW, &pe, &l), MODEL_DONE);
	assert_false(f->app.db.in_transaction);
	assert_int_equal(l.user_id, FX_EAST_DRIVER);
	assert_true(user_password_ok(&f->app.db, f->arena, FX_EAST_DRIVER,
	    GOOD_PW));
	assert_string_equal(links_text(f, FX_EAST_DRIVER),
	    DRIVER_LINKS_VOID ";reset," NOW);
	assert_string_equal(sessions_text(f, FX_EAST_DRIVER), "");
	assert_string_equal(tokens_text(f, FX_EAST_DRIVER),
	    DRIVER_TOKENS_REVOKED);
	assert_string_equal(fixture_events(f),
	    "password_reset_requested|5|-|127.0.0.1|;"
	    "tokens_revoked|5|5|127.0.0.1|1 token;"
	    "password_reset|5|5|127.0.0.1|reset");
	/* once */
	assert_int_equal(password_link_use(&v, "reset", token, GOOD_PW,
	    GOOD_PW, &pe, &l), MODEL_NOT_FOUND);
}

/* arborctl passwd: the one path again, not changed at the next sign-in;
 * only for arborctl (or an operator), only the policy's passwords. */
static void
test_passwd(void **state)
{
	static const struct {
		const char *what;
		int64_t who;
		enum origin origin;
		const char *username, *pw;
		enum model_result result;
		const char *errors;
	} refusals[] = {
		{ "an administrator", FX_ACME_ADMIN, ORIGIN_PAGE,
		    "east.driver", GOOD_PW, MODEL_NOT_FOUND, "" },
		{ "no such user", 0, ORIGIN_CLI, "nobody", GOOD_PW,
		    MODEL_NOT_FOUND, "" },
		{ "a short password", 0, ORIGIN_CLI, "east.driver", "short",
		    MODEL_INVALID, "password 400" },
		{ "the e-mail as password", 0, ORIGIN_CLI, "east.driver",
		    "east.driver@example.test", MODEL_INVALID, "password 400" },
	};
	struct fixture *f = *state;
	const char *before = fixture_snapshot(f);
	struct user_errors e;
	struct viewer v;
	size_t i;

	for (i = 0; i < NELEM(refusals); i++) {
		v = fixture_viewer(f, refusals[i].who, refusals[i].origin);
		if (user_passwd(&v, refusals[i].username, refusals[i].pw, &e) !=
		    refusals[i].result ||
		    strcmp(error_text(f, &e), refusals[i].errors) != 0)
			fail_msg("%s: %s", refusals[i].what, error_text(f, &e));
		if (strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("%s: changed the database", refusals[i].what);
	}
	v = fixture_viewer(f, 0, ORIGIN_CLI);
	assert_int_equal(user_passwd(&v, "East.Driver", GOOD_PW, &e),
	    MODEL_DONE);
	assert_false(f->app.db.in_transaction);
	assert_true(user_password_ok(&f->app.db, f->arena, FX_EAST_DRIVER,
	    GOOD_PW));
	assert_int_equal(fixture_int(f, "SELECT must_change_password FROM "
	    "users WHERE id = %d", FX_EAST_DRIVER), 0);
	assert_string_equal(links_text(f, FX_EAST_DRIVER), DRIVER_LINKS_VOID);
	assert_string_equal(sessions_text(f, FX_EAST_DRIVER), "");
	assert_string_equal(tokens_text(f, FX_EAST_DRIVER),
	    DRIVER_TOKENS_REVOKED);
	assert_string_equal(fixture_events(f), "tokens_revoked|5|-||1 token "
	    "(arborctl);password_set|5|-||(arborctl)");
}

/* arborctl operator add (an operator may too): every group, no
 * customer, a password set now through password_set() and not to be
 * changed; the names by the Users form's rules; a refusal changes
 * nothing. */
static void
test_add_operator(void **state)
{
	static const struct {
		const char *what;
		int64_t who;
		enum origin origin;
		const char *username, *email, *pw;
		enum model_result result;
		const char *errors;
	} cases[] = {
		/* the first adds op2, who is checked below */
		{ "an operator's page", FX_OPERATOR, ORIGIN_PAGE, "op2",
		    "op2@example.test", GOOD_PW, MODEL_DONE, "" },
		{ "an administrator", FX_ACME_ADMIN, ORIGIN_PAGE, "op3",
		    "op3@example.test", GOOD_PW, MODEL_NOT_FOUND, "" },
		{ "a bad username", 0, ORIGIN_CLI, "op 3", "op3@example.test",
		    GOOD_PW, MODEL_INVALID, "username 400" },
		{ "a bad e-mail", 0, ORIGIN_CLI, "op3", "op3", GOOD_PW,
		    MODEL_INVALID, "email 400" },
		{ "a short password", 0, ORIGIN_CLI, "op3", "op3@example.test",
		    "short", MODEL_INVALID, "password 400" },
		{ "a username in use", 0, ORIGIN_CLI, "Operator",
		    "op3@example.test", GOOD_PW, MODEL_INVALID,
		    "username 409" },
	};
	struct fixture *f = *state;
	struct user_errors e;
	struct viewer v;
	const char *before;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		v = fixture_viewer(f, cases[i].who, cases[i].origin);
		before = fixture_snapshot(f);
		if (user_add_operator(&v, cases[i].username,
		    cases[i].email, cases[i].pw, &e) !=
		    cases[i].result ||
		    strcmp(error_text(f, &e), cases[i].errors) != 0)
			fail_msg("%s: %s", cases[i].what, error_text(f, &e));
		assert_false(f->app.db.in_transaction);
		if (cases[i].result != MODEL_DONE &&
		    strcmp(fixture_snapshot(f), before) != 0)
			fail_msg("%s: changed the database", cases[i].what);
	}
	assert_string_equal(user_text(f, NEW_ID),
	    "op2@example.test|op2|-|447|1|0|1||||");
	assert_int_equal(fixture_int(f, "SELECT is_operator FROM users WHERE "
	    "id = %d", NEW_ID), 1);
	assert_true(user_password_ok(&f->app.db, f->arena, NEW_ID, GOOD_PW));
	assert_string_equal(fixture_events(f),
	    "user_created|12|1|127.0.0.1|op2;password_set|12|1|127.0.0.1|");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_scope, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_rows, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_keyset,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_get, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_location_choices,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_save_writes_and_logs,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_save_refusals_change_nothing, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_save_keeps_values_of_older_rules, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_remove,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_password_set,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_password_set_missing_user,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reset_link, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_passwd, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_add_operator,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
