/*
 * perm.h - who may do what, and who may see which rows: the one rule.
 *
 * The permission matrix of the spec is perm_allows(); the visibility rule
 * ("a user sees their own customer and everything below it, devices only
 * with Full Device Access or as Account Administrator, and only at their
 * locations if they have any") is the struct scope that perm_scope()
 * computes and that every scoped statement in sql.h binds through
 * perm_bind_scope(). Handlers, the API and exports ask these functions;
 * none of them decides visibility itself.
 */
#ifndef ARBOR_PERM_H
#define ARBOR_PERM_H

#include <stdbool.h>
#include <stdint.h>

struct db_stmt;
struct user;

/* The fixed permission groups; the values are the bits of users.groups. */
enum perm_group {
	GROUP_ACCOUNT_ADMIN = 1 << 0,
	GROUP_FULL_DEVICE_ACCESS = 1 << 1,
	GROUP_DEVICE_MANAGEMENT = 1 << 2,
	GROUP_NESTED_CUSTOMER_ADMIN = 1 << 3,
	GROUP_FLEET_MANAGEMENT = 1 << 4,
	GROUP_ACCESS_CONTROL = 1 << 5,
	/* the account roles of seed 003 */
	GROUP_API_DEVELOPER = 1 << 6,	/* reads what an Account Administrator
					 * with Full Device Access and Nested
					 * Customer Administrator reads;
					 * changes nothing */
	GROUP_BILLING_ADMIN = 1 << 7,	/* the account profile and billing */
	GROUP_LOCATION_FACILITATOR = 1 << 8	/* accepts locations other
						 * accounts share (share.h) */
};
#define GROUP_ALL 511u
#define GROUP_COUNT 9
/* Every group but API Developer, whose tokens can only read: what an
 * operator, an account's first administrator and the demo's "all
 * groups" users hold. */
#define GROUP_OWNER (GROUP_ALL & ~GROUP_API_DEVELOPER)

struct perm_group_info {
	enum perm_group bit;
	const char *key;	/* form value and API name */
	const char *name;
	const char *summary;	/* one line for the user form */
};

/* The groups in display order. */
extern const struct perm_group_info perm_groups[GROUP_COUNT];

/* The group with form/API key key, or 0. */
unsigned perm_group_by_key(const char *key);

/* The actions of the matrix. */
enum perm_action {
	ACT_ANY,		/* any logged-in user */
	ACT_CUSTOMERS,		/* list/create/edit nested customers */
	ACT_USERS,		/* list/create/edit/delete users */
	ACT_DEVICES_LIST,
	ACT_DEVICES_PAGE,	/* the Devices tab: its list is empty
				 * without ACT_DEVICES_LIST, saying why */
	ACT_DEVICES_REGISTER,	/* register, edit device settings */
	ACT_DEVICES_MANAGE,	/* re-assign devices to customers */
	ACT_DEVICE_EDIT,	/* the edit form of a device: its settings
				 * (Device Management) or its user groups
				 * (Account Administrator), each their part */
	ACT_LOCATIONS,		/* list/create/edit locations */
	ACT_ENFORCE_MFA,	/* the require_mfa setting of a customer */
	ACT_ACCOUNT_PROFILE,	/* the profile of the viewer's own account
				 * (account.h decides which account) */
	ACT_LOCATION_SHARES,	/* share a location with another account's
				 * user, revoke a share */
	ACT_SHARED,		/* accept and read locations shared with
				 * the viewer */
	ACT_USER_GROUPS,	/* the account's user groups: discount and
				 * members (usergroup.h decides which) */
	ACT_ACCESS_CONTROL,	/* RFID tags and the scan history */
	ACT_OPERATOR		/* operators only: create accounts */
};

struct viewer;

/* Whether v may do a: the spec's matrix; operators and the command line
 * may do everything, an anonymous viewer nothing. */
bool perm_allows(const struct viewer *v, enum perm_action a);

/*
 * Whether v may read what a shows (its lists, pages and API GETs) without
 * changing anything: those perm_allows() lets do a, and API Developers
 * for every action whose data an Account Administrator with Full Device
 * Access and Nested Customer Administrator reads. A handler asks
 * perm_allows() before it offers a change.
 */
bool perm_may_read(const struct viewer *v, enum perm_action a);

/* The groups v may give to someone, and so change on them: those v
 * holds (operators and the command line hold all), and API Developer to
 * whoever holds Account Administrator, Full Device Access and Nested
 * Customer Administrator, whose reading it is. */
unsigned perm_grantable(const struct viewer *v);

/* Whether v may give the groups in bits to someone. */
bool perm_may_grant(const struct viewer *v, unsigned bits);

/*
 * Whether v may change anything of, or delete, a user who holds groups:
 * only if v holds every one of them (operators and the command line hold
 * all). Otherwise a weaker administrator could take over a stronger
 * account (its e-mail, its password) and so gain its groups, or strip,
 * move, deactivate or delete it.
 */
bool perm_may_change_user(const struct viewer *v, unsigned groups);

/*
 * The rows a user may see. Customers: those whose path lies in
 * [path, path_end). Devices: additionally devices_visible, and when
 * location_user is not 0, only devices at one of that user's locations.
 */
struct scope {
	const char *path;
	const char *path_end;
	bool devices_visible;
	int64_t location_user;
};

/* Whether customer paths a and b ('/1/5/', '/' for operators) lie in
 * one account: the same first id. */
bool perm_same_account(const char *a, const char *b);

/* The depth of the top customer u may see (its own; 0 for operators):
 * names above it are never shown to u, not even in a path. */
int64_t perm_top_depth(const struct user *u);

struct arena;
struct scope perm_scope(const struct user *u, struct arena *a);

/*
 * The end of the subtree at path, in a: '/1/5/' -> '/1/50', the first
 * string after every '/1/5/...', so that the subtree is the half-open
 * range [path, end). SUBTREE_END is the same in SQL, for a statement that
 * ranges over a path it reads (path is an SQL expression).
 */
const char *perm_subtree_end(struct arena *a, const char *path);
#define SUBTREE_END(path) \
	"(substr(" path ", 1, length(" path ") - 1) || '0')"

/* Where an action comes from: events say so, models never ask a request. */
enum origin {
	ORIGIN_PAGE,		/* a page of the web interface */
	ORIGIN_API,		/* /api/v1 with a bearer token */
	ORIGIN_CLI		/* arborctl */
};

/*
 * Who acts, from where, and what they see: what every model function
 * takes instead of an HTTP request. Built once per request by the gate
 * (perm_viewer), or by arborctl. A model reads its database, arena and
 * clock from here, asks perm_allows() what the viewer may do, and binds
 * scope to every scoped statement; it never decides visibility itself.
 */
struct app;
struct db;
struct viewer {
	struct app *app;		/* configuration, keys */
	struct db *db;			/* &app->db */
	struct arena *arena;		/* what a model returns lives here */
	int64_t now;			/* Unix seconds */
	enum origin origin;
	const char *addr;		/* the client's address, "" for the CLI */
	const struct user *user;	/* the principal; NULL: nobody */
	bool system;			/* arborctl acting as itself */
	struct scope scope;		/* the rows user may see */
	int64_t top_depth;		/* perm_top_depth(user) */
};

/*
 * Fill *v for user u (NULL: an anonymous visitor, who sees nothing; or,
 * with ORIGIN_CLI, arborctl itself, which sees every customer).
 */
void perm_viewer(struct viewer *v, struct app *app, struct arena *a,
    int64_t now, enum origin origin, const char *addr,
    const struct user *u);

/* The id of the user acting as v, 0 for nobody or arborctl itself: the
 * actor of v's events. */
int64_t perm_actor(const struct viewer *v);

/* Whether v sees customer id / location id (a location: by its
 * customer): 1 yes, 0 no (missing or outside: the same), -1 on a
 * database error. What a filter or a chosen parent is checked with. */
int perm_sees_customer(const struct viewer *v, int64_t id);
int perm_sees_location(const struct viewer *v, int64_t id);

/*
 * Bind the scope to a statement's :scope_path, :scope_end and (if the
 * statement has it) :scope_loc_user and :scope_devices parameters.
 */
void perm_bind_scope(struct db_stmt *s, const struct scope *sc);

/*
 * The SQL of the rule, used by every scoped statement in sql.h. c is the
 * alias of the customers row that owns the object, d of the device.
 */
#define SCOPE_CUSTOMER(c) \
	"(" c ".path >= :scope_path AND " c ".path < :scope_end)"
#define SCOPE_DEVICE(c, d) \
	"(" SCOPE_CUSTOMER(c) " AND :scope_devices = 1 AND " \
	"(:scope_loc_user = 0 OR " d ".location_id IN " \
	"(SELECT location_id FROM user_locations WHERE user_id = " \
	":scope_loc_user)))"

#endif
