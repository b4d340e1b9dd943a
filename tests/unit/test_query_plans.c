/*
 * test_query_plans.c - the query plans of every statement of sql.h
 * (issue 14: a list never reads more rows than it shows, whatever the
 * size of the scope; docs/ARCHITECTURE.md, "Lists at scale").
 *
 * SQLite says how it will run each statement of the X-macro table
 * (EXPLAIN QUERY PLAN, with the plans of the schema's triggers and,
 * for a statement that deletes, of its foreign keys' actions), and the
 * test fails on
 *   - a read of a whole table: "SCAN t" without an index (an index
 *     walk, "SCAN t USING [COVERING] INDEX i", reads in the order a
 *     page wants and stops after it, and is allowed), or an automatic
 *     index, which SQLite builds by reading all of t each time the
 *     statement runs. Every table of schema.sql grows with the tenants
 *     or their traffic (auth_failures with client addresses, mail_queue
 *     with mail sent, events for ever): there is no fixed lookup table
 *     to leave out, so the test takes every table the schema has and a
 *     new one is covered as it comes;
 *   - in a list statement (a page of rows: LIMIT :limit), a sort of
 *     what it read, "USE TEMP B-TREE FOR ORDER BY", which reads every
 *     row of the scope before the first is shown. The second sort of
 *     the Users and Locations lists, of the page their inner query
 *     selected (at most :limit rows), is not one: a sort whose query
 *     reads only such a subquery is judged by the subquery's plan.
 * except where the allowlist below names the statement and the finding
 * with the reason. An entry that no longer matches fails the test too,
 * so the list only ever holds what is still true.
 *
 * Each statement is planned twice:
 *   - on the schema as shipped, without statistics: what a new or small
 *     install runs (nothing in Arbor runs ANALYZE but arborctl
 *     bench-data), where SQLite guesses the sizes from the indexes alone;
 *   - with the statistics (sqlite_stat1) of 1,000 customers, 100,000
 *     users, 10,000 locations and 1,000,000 devices: what the planner
 *     chooses once a database at that size is analysed. This is the case
 *     that matters at scale, and it differs: with the sizes known, SQLite
 *     may prefer a scan that the guesses ruled out, or the other way
 *     round. A plan must be right in both.
 * The statistics are written into sqlite_stat1 and read back with
 * "ANALYZE sqlite_schema"; test_statistics checks that every index has
 * its row and that they change plans, i.e. that the planner used them.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The statements of sql.h, by id, named for the report. */
static const struct statement {
	const char *name, *sql;
} statements[STMT__MAX] = {
#define X(id, sql) [STMT_##id] = { #id, sql },
	SQL_STATEMENTS(X)
#undef X
};

/* The findings besides "SCAN t": a sort of a list's rows. */
#define SORT "USE TEMP B-TREE FOR ORDER BY"

/* A finding the test accepts: statement id, what (the plan line "SCAN
 * t", for an automatic index on t too, or SORT) and why. */
struct allowed {
	enum stmt_id id;
	const char *what, *why;
};

/* The statements of a list's sort key KEY in plan PLAN, both ways. */
#define BOTH(LIST, KEY, PLAN, what, why) \
	{ STMT_##LIST##_##KEY##_ASC_##PLAN, what, why }, \
	{ STMT_##LIST##_##KEY##_DESC_##PLAN, what, why },
/* The same, reading table "SCAN t" whole and sorting it. */
#define SCAN_SORT(LIST, KEY, PLAN, scan, why) \
	BOTH(LIST, KEY, PLAN, scan, why) BOTH(LIST, KEY, PLAN, SORT, why)

/* The reasons shared by several statements. */
#define WHY_SCOPE "sorts the scope's rows: chosen only for a scope under " \
	"a third of the table (choose_plan)"
#define WHY_HITS "sorts a search's candidates: at most LIST_COUNT_BOUND " \
	"(choose_plan counts them first)"
#define WHY_HITS_OR_ONE "sorts a search's candidates (at most " \
	"LIST_COUNT_BOUND) or, unsearched, one customer's children/locations"
#define WHY_EXACT "sorts at most two rows: the one whose e-mail and the " \
	"one whose username (unit id, device id) is :q, all unique"
#define WHY_USERS_KEY "no index orders users by this key: the wide plan " \
	"reads the table once and sorts (sql.h, the Users list)"
#define WHY_CUSTOMERS_KEY "no index orders customers by country or users: " \
	"the wide plan reads the table once and sorts (sql.h)"
#define WHY_COUNT_WIDE "counts a search or filter of a wide scope up to " \
	":bound in table order: all of it when fewer rows match"
#define WHY_DEVICES_KEY "no index orders devices by location name (it " \
	"is another table's): the wide plan reads and sorts every device"

#define WHY_CHECK "the database check reads every row by design: " \
	"arborctl check, an operator's command (dbcheck.c)"

#define WHY_INVITES "sorts the scope's invitations: administrators send " \
	"them one by one, an account's hundreds or thousands, not millions"

/* per sort key of each list (sql.h's X-macros): what its plans do */
#define ALLOW_CUSTOMER_SMALL(X_, KEY, name, col, index) \
	BOTH(CUSTOMER_LIST, KEY, SCOPE, SORT, WHY_SCOPE) \
	BOTH(CUSTOMER_LIST, KEY, HITS, SORT, WHY_HITS_OR_ONE)
#define ALLOW_LOCATION_HITS(X_, KEY, name, col) \
	BOTH(LOCATION_LIST, KEY, HITS, SORT, WHY_HITS_OR_ONE)
#define ALLOW_DEVICE_HITS(X_, KEY, key, wide) \
	BOTH(DEVICES, KEY, HITS, SORT, WHY_HITS)
#define ALLOW_USER_HITS(X_, KEY, name, col, wide) \
	BOTH(USERS, KEY, HITS, SORT, WHY_HITS)

static const struct allowed allowlist[] = {
	/* few rows: the lists' plans for a small scope, a search with
	 * few candidates, an exact key; the API's pages alike */
	CUSTOMER_SORTS(ALLOW_CUSTOMER_SMALL, _)
	LOCATION_SORTS(ALLOW_LOCATION_HITS, _)
	BOTH(LOCATION_LIST, NAME, SCOPE, SORT, WHY_SCOPE)
	DEVICE_SORTS(ALLOW_DEVICE_HITS, _)
	BOTH(DEVICES, UNIT, NARROW, SORT, WHY_SCOPE)
	BOTH(DEVICES, NAME, NARROW, SORT, WHY_SCOPE)
	BOTH(DEVICES, LOCATION, NARROW, SORT, WHY_SCOPE)
	BOTH(DEVICES, REGISTERED, NARROW, SORT, WHY_SCOPE)
	USER_SORTS(ALLOW_USER_HITS, _)
	BOTH(USERS, EMAIL, SCOPE, SORT, WHY_SCOPE)
	BOTH(USERS, USERNAME, SCOPE, SORT, WHY_SCOPE)
	BOTH(USERS, LOCATIONS, SCOPE, SORT, WHY_SCOPE)
	BOTH(USERS, LAST_LOGIN, SCOPE, SORT, WHY_SCOPE)
	BOTH(USERS, GROUPS, SCOPE, SORT, WHY_SCOPE)
	BOTH(USERS, ACTIVE, SCOPE, SORT, WHY_SCOPE)
	{ STMT_USERS_EXACT, SORT, WHY_EXACT },
	{ STMT_DEVICES_EXACT, SORT, WHY_EXACT },
	{ STMT_CUSTOMER_API_LIST, SORT, WHY_SCOPE },
	{ STMT_LOCATION_API_LIST, SORT, WHY_SCOPE },
	{ STMT_DEVICE_API_LIST, SORT, WHY_SCOPE },
	{ STMT_USER_API_LIST, SORT, WHY_SCOPE },
	{ STMT_CUSTOMER_API_HITS, SORT, WHY_HITS },
	/* user groups are made one by one by operators: hundreds, not
	 * the millions of the tables above */
	{ STMT_UGROUP_COUNT, "SCAN g", "counts the user groups a search "
	    "matches: a table that operators fill by hand" },
	{ STMT_UGROUP_ACCOUNTS, SORT, "sorts the accounts (one row per "
	    "tenant) by name for the operator's group form" },
	/* access control: a small scope's tags and scans, sorted */
	{ STMT_TAG_LIST_ASC_NARROW, SORT, WHY_SCOPE },
	{ STMT_TAG_LIST_DESC_NARROW, SORT, WHY_SCOPE },
	{ STMT_SCAN_LIST_ASC_NARROW, SORT, WHY_SCOPE },
	{ STMT_SCAN_LIST_DESC_NARROW, SORT, WHY_SCOPE },
	{ STMT_SCAN_LIST_ASC_HITS, SORT, WHY_HITS },
	{ STMT_SCAN_LIST_DESC_HITS, SORT, WHY_HITS },
	/* invitations are sent one by one: a scope's are sorted per page */
	{ STMT_INVITE_LIST_SENT_ASC, SORT, WHY_INVITES },
	{ STMT_INVITE_LIST_SENT_DESC, SORT, WHY_INVITES },
	{ STMT_INVITE_LIST_EMAIL_ASC, SORT, WHY_INVITES },
	{ STMT_INVITE_LIST_EMAIL_DESC, SORT, WHY_INVITES },

	/* a wide scope sorted by a key without an index: the whole table */
	SCAN_SORT(CUSTOMER_LIST, COUNTRY, SCAN, "SCAN c", WHY_CUSTOMERS_KEY)
	SCAN_SORT(CUSTOMER_LIST, USERS, SCAN, "SCAN c", WHY_CUSTOMERS_KEY)
	BOTH(LOCATION_LIST, USERS, SCOPE, SORT, "no index orders locations "
	    "by their users: the scope's are counted and sorted, at any size")
	SCAN_SORT(USERS, LOCATIONS, SCAN, "SCAN u", WHY_USERS_KEY)
	SCAN_SORT(USERS, LAST_LOGIN, SCAN, "SCAN u", WHY_USERS_KEY)
	SCAN_SORT(USERS, GROUPS, SCAN, "SCAN u", WHY_USERS_KEY)
	SCAN_SORT(USERS, ACTIVE, SCAN, "SCAN u", WHY_USERS_KEY)
	SCAN_SORT(DEVICES, LOCATION, WIDE, "SCAN d", WHY_DEVICES_KEY)
	{ STMT_CUSTOMER_LIST_COUNT_SCAN, "SCAN c", WHY_COUNT_WIDE },
	{ STMT_USERS_COUNT_SCAN, "SCAN u", WHY_COUNT_WIDE },
	{ STMT_DEVICES_COUNT_WIDE, "SCAN d", WHY_COUNT_WIDE },

	/* arborctl check (issue 18): an operator's command that judges
	 * every row, run once in a read transaction, never by a page */
	{ STMT_CHECK_TREE, "SCAN c", WHY_CHECK },
	{ STMT_CHECK_TREE, "SCAN t", WHY_CHECK },
	{ STMT_CHECK_CUSTOMER_COUNTERS, "SCAN c", WHY_CHECK },
	{ STMT_CHECK_CUSTOMER_COUNTERS, "SCAN o", WHY_CHECK },
	{ STMT_CHECK_CUSTOMER_COUNTERS, "SCAN t", WHY_CHECK },
	{ STMT_CHECK_LOCATION_COUNTERS, "SCAN l", WHY_CHECK },
	{ STMT_CHECK_ORPHANS, "SCAN d", WHY_CHECK },
};

#undef BOTH
#undef SCAN_SORT
#undef ALLOW_CUSTOMER_SMALL
#undef ALLOW_LOCATION_HITS
#undef ALLOW_DEVICE_HITS
#undef ALLOW_USER_HITS

/*
 * sqlite_stat1 of a database at scale: "rows, then rows per distinct
 * value of the first column, of the first two, ...". Customers, users
 * and devices as ANALYZE measured them after `arborctl bench-data
 * --devices 1000000` (rounded): 1,000 customers 8 to a parent, 100,000
 * users (100 a customer), 1,000,000 devices (1,000 a customer). Beyond
 * what bench-data makes, estimated: 10,000 locations (10 a customer,
 * 100 devices each), half the users at 2 locations, and what that many
 * people leave: sessions, tokens, links, recovery codes, mail, moves
 * and 10,000,000 events.
 */
static const char SCALE_STATS[] =
    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
    "('customers', 'sqlite_autoindex_customers_1', '1000 1'), "
    "('customers', 'customers_parent', '1000 8'), "
    "('customers', 'customers_name', '1000 1'), "
    "('customers', 'customers_email', '1000 1'), "
    "('customers', 'customers_require_mfa', '10 1'), "
    "('users', 'sqlite_autoindex_users_1', '100000 1'), "
    "('users', 'sqlite_autoindex_users_2', '100000 1'), "
    "('users', 'users_customer', '100000 100'), "
    "('users', 'users_full_name', '100000 3'), "
    "('locations', 'sqlite_autoindex_locations_1', '10000 10 1'), "
    "('locations', 'locations_customer_name', '10000 10 1'), "
    "('locations', 'locations_name', '10000 3'), "
    "('user_locations', 'sqlite_autoindex_user_locations_1', "
    "'100000 2 1'), "
    "('user_locations', 'user_locations_location', '100000 10'), "
    "('devices', 'sqlite_autoindex_devices_1', '1000000 1'), "
    "('devices', 'sqlite_autoindex_devices_2', '1000000 1'), "
    "('devices', 'devices_customer', '1000000 1000'), "
    "('devices', 'devices_location', '1000000 100'), "
    "('devices', 'devices_name', '1000000 1'), "
    "('devices', 'devices_registered', '1000000 1'), "
    "('devices', 'devices_vehicle_name', '1000000 200'), "
    "('devices', 'devices_vin', '1000000 3'), "
    "('devices', 'devices_registered_by', '1000000 1000'), "
    "('device_moves', 'device_moves_device', '1000000 2 1'), "
    "('device_moves', 'device_moves_moved_by', '1000000 1000'), "
    "('sessions', 'sqlite_autoindex_sessions_1', '20000 1'), "
    "('sessions', 'sessions_user', '20000 2'), "
    "('api_tokens', 'sqlite_autoindex_api_tokens_1', '2000 1'), "
    "('api_tokens', 'api_tokens_user', '2000 2'), "
    "('user_links', 'sqlite_autoindex_user_links_1', '100000 1'), "
    "('user_links', 'user_links_user', '100000 1'), "
    "('recovery_codes', 'recovery_codes_user', '100000 10'), "
    "('auth_failures', 'sqlite_autoindex_auth_failures_1', '5000 1'), "
    "('events', 'events_user', '10000000 100 1'), "
    "('events', 'events_at', '10000000 1'), "
    "('events', 'events_actor', '10000000 1000'), "
    "('mail_queue', 'mail_queue_due', '100000 1 1'), "
    "('user_groups', 'sqlite_autoindex_user_groups_1', '100 1 1'), "
    "('user_groups', 'user_groups_financial_owner', '100 1'), "
    "('user_groups', 'user_groups_global_name', '20 1'), "
    "('user_groups', 'user_groups_name', '100 1'), "
    "('user_group_members', 'sqlite_autoindex_user_group_members_1', "
    "'10000 100 1'), "
    "('user_group_members', 'user_group_members_user', '10000 1'), "
    "('user_group_devices', 'sqlite_autoindex_user_group_devices_1', "
    "'100000 1000 1'), "
    "('user_group_devices', 'user_group_devices_device', '100000 1'), "
    "('location_shares', 'sqlite_autoindex_location_shares_1', "
    "'10000 1'), "
    "('location_shares', 'location_shares_location', '10000 5'), "
    "('location_shares', 'location_shares_guest', '10000 5'), "
    "('location_shares', 'location_shares_created_by', '10000 50'), "
    "('rfid_tags', 'rfid_tags_uid', '100000 1'), "
    "('rfid_tags', 'rfid_tags_user', '100000 1'), "
    "('access_scans', 'access_scans_at', '1000000 1 1'), "
    "('access_scans', 'access_scans_customer', '1000000 1000 1 1'), "
    "('access_scans', 'access_scans_device', '1000000 10 1 1'), "
    "('access_scans', 'access_scans_uid', '1000000 10 1 1'), "
    "('access_scans', 'access_scans_denied', '50000 1 1'), "
    "('access_scans', 'access_scans_tag', '1000000 10'), "
    "('access_scans', 'access_scans_user', '1000000 10'), "
    "('access_scans', 'access_scans_location', '1000000 100'), "
    "('invites', 'sqlite_autoindex_invites_1', '100000 1'), "
    "('invites', 'invites_customer', '100000 100 1'), "
    "('invites', 'invites_email', '100000 1'), "
    "('invites', 'invites_invited_by', '100000 100'), "
    "('invites', 'invites_user', '80000 1'), "
    "('invite_locations', 'sqlite_autoindex_invite_locations_1', "
    "'20000 2 1'), "
    "('invite_locations', 'invite_locations_location', '20000 20'), "
    "('join_links', 'sqlite_autoindex_join_links_1', '1000 1'), "
    "('join_links', 'join_links_customer', '1000 2 1'), "
    "('join_links', 'join_links_created_by', '1000 2'), "
    "('signup_domains', 'sqlite_autoindex_signup_domains_1', '1000 1'), "
    "('signup_domains', 'signup_domains_customer', '1000 1'), "
    "('signups', 'sqlite_autoindex_signups_1', '10000 1'), "
    "('signups', 'signups_customer', '10000 10'), "
    "('signups', 'signups_join_link', '5000 5'), "
    "('signups', 'signups_pending', '100 1')";

enum plan_case { AS_SHIPPED, AT_SCALE, NCASES };
static const char *const case_names[NCASES] = {
	"as shipped, no statistics", "at scale, with statistics"
};

/* A row of EXPLAIN QUERY PLAN. A NULL detail or one starting "--" (a
 * trigger's name) starts another program, whose ids start again. */
struct plan_row {
	int id, parent;
	const char *detail;
};

struct plan {
	struct plan_row *rows;
	size_t n;
};

struct plans {
	struct arena *arena;
	struct db db;
	const char **virtuals;		/* the FTS tables, NULL-ended */
	bool deletes[STMT__MAX];	/* the statement deletes rows */
	struct plan plan[NCASES][STMT__MAX];
};

/* Run sql on conn; 0, or -1 with the reason printed. */
static int
exec(sqlite3 *conn, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	print_error("%s: %s\n", sql, msg ? msg : sqlite3_errmsg(conn));
	sqlite3_free(msg);
	return -1;
}

/* The authorizer that notes a delete (bool *p), allowing everything. */
static int
note_delete(void *p, int action, const char *a, const char *b,
    const char *c, const char *d)
{
	(void)a, (void)b, (void)c, (void)d;
	if (action == SQLITE_DELETE)
		*(bool *)p = true;
	return SQLITE_OK;
}

/*
 * Whether statement sql deletes rows (into *deletes): such a statement
 * is planned with the foreign keys on, so that its plan holds the
 * searches of the child tables that their ON DELETE actions make.
 * Other statements are planned with them off: an insert's plan would
 * show scans of child tables that run only to settle deferred
 * violations (the schema has none), and no update changes a key that
 * others refer to. 0, or -1 with the reason printed.
 */
static int
classify(sqlite3 *conn, const char *name, const char *sql, bool *deletes)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*deletes = false;
	if (sqlite3_set_authorizer(conn, note_delete, deletes) != SQLITE_OK)
		return -1;
	rc = sqlite3_prepare_v2(conn, sql, -1, &s, NULL);
	sqlite3_finalize(s);
	sqlite3_set_authorizer(conn, NULL, NULL);
	if (rc != SQLITE_OK)
		print_error("%s: %s\n", name, sqlite3_errmsg(conn));
	return rc == SQLITE_OK ? 0 : -1;
}

/* The plan of statement id into *p (in f->arena); 0, or -1 with the
 * reason printed. */
static int
read_plan(struct plans *f, enum stmt_id id, struct plan *p)
{
	sqlite3 *conn = f->db.conn;
	sqlite3_stmt *s = NULL;
	struct plan_row *r;
	const char *sql;
	size_t cap = 16;
	int rc;

	if (exec(conn, f->deletes[id] ? "PRAGMA foreign_keys = ON" :
	    "PRAGMA foreign_keys = OFF") != 0)
		return -1;
	sql = arena_printf(f->arena, "EXPLAIN QUERY PLAN %s",
	    statements[id].sql);
	if (sqlite3_prepare_v2(conn, sql, -1, &s, NULL) != SQLITE_OK) {
		print_error("%s: %s\n", statements[id].name,
		    sqlite3_errmsg(conn));
		return -1;
	}
	p->n = 0;
	p->rows = arena_calloc(f->arena, cap, sizeof(*p->rows));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->n == cap) {
			r = arena_calloc(f->arena, cap * 2, sizeof(*r));
			memcpy(r, p->rows, cap * sizeof(*r));
			p->rows = r;
			cap *= 2;
		}
		r = &p->rows[p->n++];
		r->id = sqlite3_column_int(s, 0);
		r->parent = sqlite3_column_int(s, 1);
		r->detail = sqlite3_column_type(s, 3) == SQLITE_NULL ? NULL :
		    arena_strdup(f->arena, (const char *)
		    sqlite3_column_text(s, 3));
	}
	if (rc != SQLITE_DONE)
		print_error("%s: %s\n", statements[id].name,
		    sqlite3_errmsg(conn));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every statement's plan for case c; 0 or -1. */
static int
read_plans(struct plans *f, enum plan_case c)
{
	int id;

	for (id = 0; id < STMT__MAX; id++)
		if (read_plan(f, (enum stmt_id)id, &f->plan[c][id]) != 0)
			return -1;
	return 0;
}

/* The first column of every row of sql, in f->arena, NULL-ended; NULL
 * with the reason printed on an error. */
static const char **
column_list(struct plans *f, const char *sql)
{
	sqlite3_stmt *s = NULL;
	const char **list;
	size_t n = 0, cap = 64;
	int rc;

	if (sqlite3_prepare_v2(f->db.conn, sql, -1, &s, NULL) != SQLITE_OK) {
		print_error("%s: %s\n", sql, sqlite3_errmsg(f->db.conn));
		return NULL;
	}
	list = arena_calloc(f->arena, cap + 1, sizeof(*list));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < cap)
		list[n++] = arena_strdup(f->arena, (const char *)
		    sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return list;
	print_error("%s: %s\n", sql, rc == SQLITE_ROW ? "too many rows" :
	    sqlite3_errmsg(f->db.conn));
	return NULL;
}

/* The statistics of SCALE_STATS in force: ANALYZE of the empty tables
 * makes sqlite_stat1, "ANALYZE sqlite_schema" has the planner read it
 * again. 0 or -1. */
static int
load_statistics(struct plans *f)
{
	return exec(f->db.conn, "ANALYZE; DELETE FROM sqlite_stat1;") != 0 ||
	    exec(f->db.conn, SCALE_STATS) != 0 ||
	    exec(f->db.conn, "ANALYZE sqlite_schema;") != 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	struct plans *f = *state;

	if (f == NULL)
		return 0;
	db_close(&f->db);
	arena_free(f->arena);
	free(f);
	*state = NULL;
	return 0;
}

/*
 * The database of schema.sql as db_open_memory() makes it for the
 * models, and every statement's plan in both cases. Trigger plans are
 * asked for (SQLITE_DBCONFIG_TRIGGER_EQP): a trigger runs as part of
 * the statement that fires it. 0 or -1.
 */
static int
open_plans(struct plans *f)
{
	char err[256];
	int id, on = 0;

	if (db_open_memory(&f->db, schema_sql, err, sizeof(err)) != 0) {
		print_error("%s\n", err);
		return -1;
	}
	if (sqlite3_db_config(f->db.conn, SQLITE_DBCONFIG_TRIGGER_EQP, 1,
	    &on) != SQLITE_OK || on != 1 ||
	    (f->virtuals = column_list(f, "SELECT name FROM pragma_table_list "
	    "WHERE schema = 'main' AND type = 'virtual'")) == NULL)
		return -1;
	for (id = 0; id < STMT__MAX; id++)
		if (classify(f->db.conn, statements[id].name,
		    statements[id].sql, &f->deletes[id]) != 0)
			return -1;
	return read_plans(f, AS_SHIPPED) != 0 || load_statistics(f) != 0 ||
	    read_plans(f, AT_SCALE) != 0 ? -1 : 0;
}

static int
setup(void **state)
{
	struct plans *f = calloc(1, sizeof(*f));

	if ((*state = f) == NULL)
		return -1;
	f->arena = arena_new();
	if (open_plans(f) == 0)
		return 0;
	teardown(state);
	return -1;
}

/* Whether s starts with word w followed by the end or a space. */
static bool
starts_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ');
}

/* The name a plan line reads ("SCAN name ...", "SEARCH name ..."), in
 * f->arena. */
static const char *
line_name(struct plans *f, const char *detail)
{
	const char *s = strchr(detail, ' ') + 1;

	return arena_strndup(f->arena, s, strcspn(s, " "));
}

/* Whether name is a subquery of plan p (its rows are judged by its own
 * plan): one of CO-ROUTINE name, MATERIALIZE name, or "(subquery-N)". */
static bool
is_subquery(const struct plan *p, const char *name)
{
	size_t i;

	if (name[0] == '(')
		return true;
	for (i = 0; i < p->n; i++)
		if (p->rows[i].detail != NULL &&
		    (starts_word(p->rows[i].detail, "CO-ROUTINE") ||
		    starts_word(p->rows[i].detail, "MATERIALIZE")) &&
		    strcmp(strchr(p->rows[i].detail, ' ') + 1, name) == 0)
			return true;
	return false;
}

/* Whether sql names table as name: "table name" or "table AS name",
 * whole words. */
static bool
names_as(const char *sql, const char *table, const char *name)
{
	size_t t = strlen(table), n = strlen(name);
	const char *s, *a;

	for (s = strstr(sql, table); s != NULL; s = strstr(s + 1, table)) {
		if (s > sql && (s[-1] == '_' || isalnum((unsigned char)s[-1])))
			continue;
		a = s + t;
		if (*a++ != ' ')
			continue;
		if (strncmp(a, "AS ", 3) == 0)
			a += 3;
		if (strncmp(a, name, n) == 0 && a[n] != '_' &&
		    !isalnum((unsigned char)a[n]))
			return true;
	}
	return false;
}

/* Whether a read of name without a constraint, in statement id, is a
 * full scan: of an FTS table (by its name or another); not of a
 * table-valued function such as the json_each of customer_ancestors. */
static bool
is_virtual_table(struct plans *f, enum stmt_id id, const char *name)
{
	const char **v;

	for (v = f->virtuals; *v != NULL; v++)
		if (strcmp(*v, name) == 0 ||
		    names_as(statements[id].sql, *v, name))
			return true;
	return false;
}

/*
 * What line i of plan p of statement id reads in full: "SCAN name" for
 * a table read without an index, or by an automatic index (built from
 * the whole table each time); NULL if nothing.
 */
static const char *
full_read(struct plans *f, enum stmt_id id, const struct plan *p,
    size_t i)
{
	const char *d = p->rows[i].detail, *name, *vt;

	if (d == NULL)
		return NULL;
	if (starts_word(d, "SEARCH") && strstr(d, " USING AUTOMATIC ") !=
	    NULL)
		return arena_printf(f->arena, "SCAN %s", line_name(f, d));
	if (!starts_word(d, "SCAN") || strcmp(d, "SCAN CONSTANT ROW") == 0 ||
	    strstr(d, " USING INDEX ") != NULL ||
	    strstr(d, " USING COVERING INDEX ") != NULL)
		return NULL;
	name = line_name(f, d);
	if (is_subquery(p, name))
		return NULL;
	/* a virtual table says how it is read after the colon: empty is
	 * without a constraint (no MATCH, no rowid) */
	if ((vt = strstr(d, " VIRTUAL TABLE INDEX ")) != NULL &&
	    (strchr(vt, ':')[1] != '\0' || !is_virtual_table(f, id, name)))
		return NULL;
	return arena_printf(f->arena, "SCAN %s", name);
}

/* The first row of the program (trigger, foreign key action) that row
 * i of p belongs to. */
static size_t
program_start(const struct plan *p, size_t i)
{
	while (i > 0 && p->rows[i].detail != NULL &&
	    strncmp(p->rows[i].detail, "--", 2) != 0)
		i--;
	return i;
}

/* Whether the sort on row i of p sorts rows of subqueries only: its
 * query's loops (the rows of its program with the same parent) all
 * read subqueries. */
static bool
sorts_subquery(struct plans *f, const struct plan *p, size_t i)
{
	size_t j;
	bool loops = false;
	const char *d;

	for (j = program_start(p, i); j < p->n; j++) {
		d = p->rows[j].detail;
		if (j > i && (d == NULL || strncmp(d, "--", 2) == 0))
			break;
		if (d == NULL || p->rows[j].parent != p->rows[i].parent ||
		    !(starts_word(d, "SCAN") || starts_word(d, "SEARCH")))
			continue;
		if (!is_subquery(p, line_name(f, d)))
			return false;
		loops = true;
	}
	return loops;
}

/* What row i of plan p of statement id is found to do ("SCAN t" or
 * SORT), NULL if nothing. */
static const char *
finding(struct plans *f, enum stmt_id id, const struct plan *p, size_t i)
{
	const char *d = p->rows[i].detail;

	if (d != NULL && strcmp(d, SORT) == 0)
		return strstr(statements[id].sql, "LIMIT :limit") != NULL &&
		    !sorts_subquery(f, p, i) ? SORT : NULL;
	return full_read(f, id, p, i);
}

/* The allowlist's entry for what in statement id, NULL if none. */
static const struct allowed *
allowed(enum stmt_id id, const char *what)
{
	const struct allowed *a;

	for (a = allowlist; a < allowlist + NELEM(allowlist); a++)
		if (a->id == id && strcmp(a->what, what) == 0)
			return a;
	return NULL;
}

/* How deep row i of p is in SQLite's tree of its program. */
static int
row_depth(const struct plan *p, size_t i)
{
	size_t j;

	for (j = i; j-- > program_start(p, i);)
		if (p->rows[j].id == p->rows[i].parent)
			return row_depth(p, j) + 1;
	return 0;
}

/* Plan p as text into b, indented as SQLite draws its tree. */
static void
put_plan(struct buf *b, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		buf_printf(b, "    %*s%s\n", row_depth(p, i) * 2, "",
		    p->rows[i].detail ? p->rows[i].detail :
		    "-- (a foreign key's action)");
}

/* Every finding of case c the allowlist lacks, with its plan, into b. */
static void
check_case(struct plans *f, enum plan_case c, struct buf *b)
{
	const struct plan *p;
	const char *what;
	size_t i;
	int id;

	for (id = 0; id < STMT__MAX; id++) {
		p = &f->plan[c][id];
		for (i = 0; i < p->n; i++) {
			what = finding(f, (enum stmt_id)id, p, i);
			if (what == NULL || allowed((enum stmt_id)id, what))
				continue;
			buf_printf(b, "STMT_%s, %s: %s (\"%s\")\n  plan:\n",
			    statements[id].name, case_names[c], what,
			    p->rows[i].detail);
			put_plan(b, p);
		}
	}
}

/* The test of case c. The report goes to stderr: cmocka cuts a
 * message at 1024 bytes, less than one plan of the Users list. */
static void
test_case(void **state, enum plan_case c)
{
	struct plans *f = *state;
	struct buf b;

	buf_init(&b, f->arena);
	check_case(f, c, &b);
	if (b.len == 0)
		return;
	fputs(b.data, stderr);
	fail_msg("the plans above read a whole table or sort a list "
	    "(docs/ARCHITECTURE.md, \"Lists at scale\"): add an index or "
	    "change the statement; only a reason that is true goes into "
	    "the allowlist of %s", __FILE__);
}

static void
test_plans_as_shipped(void **state)
{
	test_case(state, AS_SHIPPED);
}

static void
test_plans_at_scale(void **state)
{
	test_case(state, AT_SCALE);
}

/* Whether what is found in statement id's plan in either case. */
static bool
found_anywhere(struct plans *f, enum stmt_id id, const char *what)
{
	const char *w;
	size_t i;
	int c;

	for (c = 0; c < NCASES; c++)
		for (i = 0; i < f->plan[c][id].n; i++)
			if ((w = finding(f, id, &f->plan[c][id], i)) != NULL &&
			    strcmp(w, what) == 0)
				return true;
	return false;
}

/* Every entry of the allowlist still matches a plan, and only once. */
static void
test_allowlist_is_current(void **state)
{
	struct plans *f = *state;
	const struct allowed *a;
	struct buf b;

	buf_init(&b, f->arena);
	for (a = allowlist; a < allowlist + NELEM(allowlist); a++) {
		if (allowed(a->id, a->what) != a)
			buf_printf(&b, "STMT_%s: %s twice\n",
			    statements[a->id].name, a->what);
		else if (!found_anywhere(f, a->id, a->what))
			buf_printf(&b, "STMT_%s: no \"%s\" in either plan: "
			    "take it off the allowlist\n",
			    statements[a->id].name, a->what);
	}
	if (b.len > 0)
		fail_msg("stale allowlist entries:\n%s", b.data);
}

/* Whether plans a and b are the same, line for line. */
static bool
same_plan(const struct plan *a, const struct plan *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->rows[i].detail == NULL || b->rows[i].detail == NULL ?
		    a->rows[i].detail != b->rows[i].detail :
		    strcmp(a->rows[i].detail, b->rows[i].detail) != 0)
			return false;
	return true;
}

/*
 * The statistics are in force: every index of every table has its row
 * in SCALE_STATS (a new index needs its sizes at scale, or the plans at
 * scale are guesses again), and they change plans (the planner read
 * them).
 */
static void
test_statistics(void **state)
{
	struct plans *f = *state;
	const char **missing;
	int id;

	missing = column_list(f, "SELECT il.name FROM pragma_table_list tl, "
	    "pragma_index_list(tl.name) il WHERE tl.schema = 'main' AND "
	    "tl.type = 'table' AND tl.name NOT LIKE 'sqlite_%' AND il.name "
	    "NOT IN (SELECT idx FROM sqlite_stat1) ORDER BY il.name");
	assert_non_null(missing);
	if (missing[0] != NULL)
		fail_msg("index %s (and any after it) has no row in "
		    "SCALE_STATS", missing[0]);
	for (id = 0; id < STMT__MAX; id++)
		if (!same_plan(&f->plan[AS_SHIPPED][id],
		    &f->plan[AT_SCALE][id]))
			return;
	fail_msg("the statistics changed no plan: the planner did not read "
	    "them");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_plans_as_shipped),
		cmocka_unit_test(test_plans_at_scale),
		cmocka_unit_test(test_allowlist_is_current),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
