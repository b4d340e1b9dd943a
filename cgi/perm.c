/*
 * perm.c - the permission matrix and the visibility scope.
 *
 * The table below is the spec's matrix, one row per action; operators
 * pass every check. The scope turns "own customer and everything below"
 * into the half-open range of materialised paths [path, path_end).
 */
#include "perm.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "principal.h"

const struct perm_group_info perm_groups[GROUP_COUNT] = {
	{ GROUP_ACCOUNT_ADMIN, "account_admin", "Account Administrator",
	  "Manages the users of this customer and below: creates, edits, "
	  "deactivates and deletes them, sets their groups and locations "
	  "(the \"Account admin\" role)." },
	{ GROUP_FULL_DEVICE_ACCESS, "full_device_access",
	  "Full Device Access",
	  "Sees every device of this customer and below (limited to the "
	  "user's locations, if any)." },
	{ GROUP_DEVICE_MANAGEMENT, "device_management", "Device Management",
	  "Registers devices and edits their settings (the \"Field Service "
	  "Technician\" role)." },
	{ GROUP_NESTED_CUSTOMER_ADMIN, "nested_customer_admin",
	  "Nested Customer Administrator",
	  "Creates and edits the nested customers below this one, with "
	  "their cloud and security settings." },
	{ GROUP_FLEET_MANAGEMENT, "fleet_management", "Fleet Management",
	  "Creates and edits locations." },
	{ GROUP_ACCESS_CONTROL, "access_control", "Access Control Management",
	  "Manages access control for the fleet (drivers' access to "
	  "vehicles and chargers)." },
	{ GROUP_API_DEVELOPER, "api_developer", "API Developer",
	  "Reads everything of this customer and below, on these pages and "
	  "through the API, and changes nothing: every API token they make "
	  "is read-only." },
	{ GROUP_BILLING_ADMIN, "billing_admin", "Billing Administrator",
	  "Keeps the account's profile: plan, contact, billing address and "
	  "payment (only at the account itself, not a nested customer)." },
	{ GROUP_LOCATION_FACILITATOR, "location_facilitator",
	  "Location Facilitator",
	  "Accepts a location another account shares with their e-mail "
	  "address and then sees that location's devices, read-only, until "
	  "the share ends." },
};

unsigned
perm_group_by_key(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < GROUP_COUNT; i++)
		if (strcmp(perm_groups[i].key, key) == 0)
			return perm_groups[i].bit;
	return 0;
}

/*
 * One row per action: a user needs any group of any_of and, if all_of is
 * not 0, every group of all_of. ACT_ANY has neither; ACT_OPERATOR has a
 * bit no user holds, so only the operator short-cut passes it. read_by
 * are the groups that may besides read what the action shows
 * (perm_may_read): API Developers, wherever an Account Administrator
 * with Full Device Access and Nested Customer Administrator reads.
 */
static const struct {
	unsigned any_of;
	unsigned all_of;
	unsigned read_by;
} matrix[] = {
	[ACT_ANY] = { 0, 0, 0 },
	[ACT_CUSTOMERS] = { GROUP_NESTED_CUSTOMER_ADMIN, 0,
	    GROUP_API_DEVELOPER },
	[ACT_USERS] = { GROUP_ACCOUNT_ADMIN, 0, GROUP_API_DEVELOPER },
	[ACT_DEVICES_LIST] = { GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN,
	    0, GROUP_API_DEVELOPER },
	/* seed 001: Device Management alone opens Devices, "no devices
	 * listed unless paired with Full Device Access" */
	[ACT_DEVICES_PAGE] = { GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN |
	    GROUP_DEVICE_MANAGEMENT, 0, GROUP_API_DEVELOPER },
	[ACT_DEVICES_REGISTER] = { GROUP_DEVICE_MANAGEMENT, 0, 0 },
	[ACT_DEVICE_EDIT] = { GROUP_DEVICE_MANAGEMENT | GROUP_ACCOUNT_ADMIN, 0,
	    0 },
	[ACT_DEVICES_MANAGE] = { GROUP_ACCOUNT_ADMIN |
	    GROUP_NESTED_CUSTOMER_ADMIN, GROUP_FULL_DEVICE_ACCESS, 0 },
	[ACT_LOCATIONS] = { GROUP_ACCOUNT_ADMIN | GROUP_FLEET_MANAGEMENT, 0,
	    GROUP_API_DEVELOPER },
	[ACT_ENFORCE_MFA] = { GROUP_ACCOUNT_ADMIN, 0, 0 },
	[ACT_ACCOUNT_PROFILE] = { GROUP_BILLING_ADMIN | GROUP_ACCOUNT_ADMIN, 0,
	    GROUP_API_DEVELOPER },
	[ACT_LOCATION_SHARES] = { GROUP_ACCOUNT_ADMIN, 0,
	    GROUP_API_DEVELOPER },
	[ACT_SHARED] = { GROUP_LOCATION_FACILITATOR, 0, 0 },
	/* a Billing Administrator reads discounts and who pays (seed 003) */
	[ACT_USER_GROUPS] = { GROUP_ACCOUNT_ADMIN, 0, GROUP_API_DEVELOPER |
	    GROUP_BILLING_ADMIN },
	[ACT_ACCESS_CONTROL] = { GROUP_ACCESS_CONTROL, 0,
	    GROUP_API_DEVELOPER },
	[ACT_OPERATOR] = { 1u << 30, 0, 0 },
};

bool
perm_allows(const struct viewer *v, enum perm_action a)
{
	const struct user *u = v->user;

	if (a < 0 || (size_t)a >= sizeof(matrix) / sizeof(matrix[0]))
		return false;
	if (v->system)
		return true;
	if (u == NULL)
		return false;
	if (u->is_operator)
		return true;
	if (matrix[a].any_of != 0 && (u->groups & matrix[a].any_of) == 0)
		return false;
	return (u->groups & matrix[a].all_of) == matrix[a].all_of;
}

bool
perm_may_read(const struct viewer *v, enum perm_action a)
{
	if (perm_allows(v, a))
		return true;
	if (a < 0 || (size_t)a >= sizeof(matrix) / sizeof(matrix[0]) ||
	    v->user == NULL)
		return false;
	return (v->user->groups & matrix[a].read_by) != 0;
}

/* The groups whose reading API Developer gives: who holds all three
 * gives no more than they have by granting it. */
#define API_DEVELOPER_READS (GROUP_ACCOUNT_ADMIN | \
	GROUP_FULL_DEVICE_ACCESS | GROUP_NESTED_CUSTOMER_ADMIN)

unsigned
perm_grantable(const struct viewer *v)
{
	unsigned held;

	if (v->system || (v->user != NULL && v->user->is_operator))
		return GROUP_ALL;
	held = v->user != NULL ? v->user->groups & GROUP_ALL : 0;
	if ((held & API_DEVELOPER_READS) == API_DEVELOPER_READS)
		held |= GROUP_API_DEVELOPER;
	return held;
}

bool
perm_may_grant(const struct viewer *v, unsigned bits)
{
	if ((bits & ~GROUP_ALL) != 0)
		return false;
	return (bits & ~perm_grantable(v)) == 0;
}

bool
perm_may_change_user(const struct viewer *v, unsigned groups)
{
	return (groups & GROUP_ALL & ~perm_grantable(v)) == 0;
}

bool
perm_same_account(const char *a, const char *b)
{
	const char *end = a[0] == '/' ? strchr(a + 1, '/') : NULL;
	size_t n = end != NULL ? (size_t)(end - a) + 1 : 0;

	return n > 2 && strncmp(a, b, n) == 0;
}

int64_t
perm_top_depth(const struct user *u)
{
	const char *p;
	int64_t slashes = 0;

	/* '/1/5/' is depth 1: one '/' more than the depth, plus the first */
	for (p = u->customer_path; *p != '\0'; p++)
		slashes += *p == '/';
	return slashes >= 2 ? slashes - 2 : 0;
}

const char *
perm_subtree_end(struct arena *a, const char *path)
{
	size_t n = strlen(path);
	char *end = arena_strdup(a, path);

	/* the last character of a path is its closing '/', which sorts
	 * just before '0' */
	if (n > 0)
		end[n - 1] = '0';
	return end;
}

struct scope
perm_scope(const struct user *u, struct arena *a)
{
	struct scope sc = { "", "", false, 0 };

	if (u == NULL)		/* no principal sees nothing: empty range */
		return sc;
	sc.path = u->customer_path;
	sc.path_end = perm_subtree_end(a, u->customer_path);
	sc.devices_visible = u->is_operator || (u->groups &
	    (GROUP_FULL_DEVICE_ACCESS | GROUP_ACCOUNT_ADMIN |
	    GROUP_API_DEVELOPER)) != 0;
	sc.location_user = u->has_locations ? u->id : 0;
	return sc;
}

void
perm_viewer(struct viewer *v, struct app *app, struct arena *a, int64_t now,
    enum origin origin, const char *addr, const struct user *u)
{
	memset(v, 0, sizeof(*v));
	v->app = app;
	v->db = &app->db;
	v->arena = a;
	v->now = now;
	v->origin = origin;
	v->addr = addr != NULL ? addr : "";
	v->user = u;
	v->system = u == NULL && origin == ORIGIN_CLI;
	if (v->system) {
		/* every path starts with '/' and sorts before "0" */
		v->scope = (struct scope){ "/", "0", true, 0 };
		v->top_depth = 0;
	} else {
		v->scope = perm_scope(u, a);
		v->top_depth = u != NULL ? perm_top_depth(u) : 0;
	}
}

void
perm_bind_scope(struct db_stmt *s, const struct scope *sc)
{
	db_bind_text(s, ":scope_path", sc->path);
	db_bind_text(s, ":scope_end", sc->path_end);
	if (db_has_param(s, ":scope_devices"))
		db_bind_int(s, ":scope_devices", sc->devices_visible);
	if (db_has_param(s, ":scope_loc_user"))
		db_bind_int(s, ":scope_loc_user", sc->location_user);
}

int64_t
perm_actor(const struct viewer *v)
{
	return v->user != NULL ? v->user->id : 0;
}

/* Whether statement st (:id and the scope) finds id for v. */
static int
sees(const struct viewer *v, enum stmt_id st, int64_t id)
{
	struct db_stmt *s = db_stmt(v->db, st);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	rc = db_step(v->db, s);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
perm_sees_customer(const struct viewer *v, int64_t id)
{
	return sees(v, STMT_CUSTOMER_VISIBLE, id);
}

int
perm_sees_location(const struct viewer *v, int64_t id)
{
	return sees(v, STMT_LOCATION_VISIBLE, id);
}
