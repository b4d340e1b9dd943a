/*
 * seed.c - the demo data of arborctl (see seed.h).
 */
#include "seed.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "auth.h"
#include "customer.h"
#include "db.h"
#include "device.h"
#include "location.h"
#include "perm.h"
#include "user.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The demo tree: each customer names its parent by index (-1: none). */
static const struct demo_customer {
	int parent;
	struct customer_fields f;
} demo_customers[] = {
	{ -1, { "Northwind Fleet", "fleet@northwind.example",
	    "owner@northwind.example", "DK", "Europe/Copenhagen", "24h",
	    "metric", false } },
	{ 0, { "Northwind Denmark", "denmark@northwind.example", NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false } },
	{ 1, { "Aarhus", "aarhus@northwind.example", NULL, "DK",
	    "Europe/Copenhagen", "24h", "metric", false } },
	{ 0, { "Northwind Sweden", "sweden@northwind.example", NULL, "SE",
	    "Europe/Stockholm", "24h", "metric", false } },
	{ -1, { "Contoso Charging", "ops@contoso.example",
	    "owner@contoso.example", "US", "America/New_York", "12h",
	    "imperial", false } },
};

/* The demo users; location: an index in demo_locations (-1: none).
 * driver works at the first location, so the location restriction can
 * be seen in the demo. */
static const struct demo_user {
	int customer;		/* index in demo_customers, -1: operator */
	const char *username;
	const char *email;
	const char *full_name;
	unsigned groups;
	bool active;
	int location;
	const char *what;
} demo_users[] = {
	{ -1, "operator", "operator@arbor.example", "Platform Operator",
	  GROUP_OWNER, true, -1, "platform operator, sees every account" },
	{ 0, "admin", "admin@northwind.example", "Nora Admin", GROUP_OWNER,
	  true, -1, "all groups on Northwind Fleet" },
	{ 1, "dk.admin", "dk.admin@northwind.example", "Dan Jensen",
	  GROUP_ACCOUNT_ADMIN, true, -1, "Account Administrator of Northwind "
	  "Denmark" },
	{ 2, "driver", "driver@northwind.example", "Dina Driver", 0, true, 0,
	  "no groups, Aarhus" },
	{ 3, "se.user", "se.user@northwind.example", "Sven User",
	  GROUP_FULL_DEVICE_ACCESS, true, -1, "Full Device Access, Northwind "
	  "Sweden" },
	{ 0, "former", "former@northwind.example", "Former Employee",
	  GROUP_ACCOUNT_ADMIN, false, -1, "inactive: cannot log in" },
	{ 4, "contoso.admin", "admin@contoso.example", "Carla Contoso",
	  GROUP_OWNER, true, -1, "all groups on Contoso Charging" },
};

/* Demo locations (customer index, name) and devices (unit id, name,
 * vehicle, customer index, location index or -1). */
static const struct demo_location {
	int customer;
	const char *name;
} demo_locations[] = {
	{ 2, "North Terminal" },
	{ 1, "Central Garage" },
	{ 3, "Stockholm Hub" },
};

static const struct demo_device {
	const char *unit_id;
	const char *name;
	const char *vehicle;
	int customer;
	int location;
} demo_devices[] = {
	{ "NW-100001", "Tracker 1", "Van 11", 0, -1 },
	{ "NW-100002", "Tracker 2", "Van 12", 1, 1 },
	{ "NW-100003", "Tracker 3", "Truck 31", 2, 0 },
	{ "NW-100004", "Tracker 4", "Truck 32", 2, -1 },
	{ "NW-100005", "Charger A", "", 3, 2 },
	{ "CT-200001", "Charger 1", "", 4, -1 },
};

/* The ids the demo rows got, by their index in the tables above. */
struct demo_ids {
	int64_t customers[NELEM(demo_customers)];
	int64_t locations[NELEM(demo_locations)];
};

const char *
seed_demo_login(size_t i, const char **what)
{
	if (i >= NELEM(demo_users))
		return NULL;
	*what = demo_users[i].what;
	return demo_users[i].username;
}

/* Whether the database has no user yet: 1, 0, -1 on a database error. */
static int
no_users(struct db *db)
{
	struct db_stmt *s = db_stmt(db, STMT_USER_COUNT);
	int rc = db_step(db, s);
	int64_t n = rc == DB_ROW ? db_col_int(s, 0) : -1;

	db_reset(s);
	return n < 0 ? -1 : n == 0;
}

static int
demo_customers_add(const struct viewer *v, struct demo_ids *ids)
{
	size_t i;
	int p;

	for (i = 0; i < NELEM(demo_customers); i++) {
		p = demo_customers[i].parent;
		ids->customers[i] = customer_create(v->db, v->now,
		    p < 0 ? 0 : ids->customers[p], &demo_customers[i].f);
		if (ids->customers[i] == 0)
			return -1;
	}
	return 0;
}

static int
demo_locations_add(const struct viewer *v, struct demo_ids *ids)
{
	struct location_input in;
	size_t i;

	for (i = 0; i < NELEM(demo_locations); i++) {
		in.name = demo_locations[i].name;
		in.customer_id = ids->customers[demo_locations[i].customer];
		if ((ids->locations[i] = location_insert(v, &in)) == 0)
			return -1;
	}
	return 0;
}

static int
demo_users_add(const struct viewer *v, const struct demo_ids *ids,
    const char *hash)
{
	const struct demo_user *d;
	struct user_fields uf;
	int64_t id;

	for (d = demo_users; d < demo_users + NELEM(demo_users); d++) {
		memset(&uf, 0, sizeof(uf));
		uf.is_operator = d->customer < 0;
		uf.customer_id = uf.is_operator ? 0 :
		    ids->customers[d->customer];
		uf.email = d->email;
		uf.username = d->username;
		uf.full_name = d->full_name;
		uf.password_hash = hash;
		uf.active = d->active;
		uf.groups = d->groups;
		if ((id = user_create(v->db, v->now, &uf)) == 0 ||
		    (d->location >= 0 && user_location_add(v->db, id,
		    ids->locations[d->location]) != 0))
			return -1;
	}
	return 0;
}

static int
demo_devices_add(const struct viewer *v, const struct demo_ids *ids)
{
	char uuid[DEVICE_UUID_LEN + 1];
	const struct demo_device *d;
	struct device_input in;

	for (d = demo_devices; d < demo_devices + NELEM(demo_devices); d++) {
		in.unit_id = d->unit_id;
		in.name = d->name;
		in.vehicle_name = d->vehicle;
		in.vin = "";
		in.customer_id = ids->customers[d->customer];
		in.location_id = d->location < 0 ? 0 :
		    ids->locations[d->location];
		if (device_insert(v, &in, uuid) == 0)
			return -1;
	}
	return 0;
}

enum model_result
seed_demo(const struct viewer *v)
{
	char hash[crypto_pwhash_STRBYTES];
	struct demo_ids ids;
	int rc;

	if (!perm_allows(v, ACT_OPERATOR))
		return MODEL_NOT_FOUND;
	if (password_hash(SEED_DEMO_PASSWORD, hash) != 0 ||
	    db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = no_users(v->db)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_INVALID : MODEL_FAILED;
	}
	/* each table in the order of its ids: locations before the users
	 * who work at them */
	if (demo_customers_add(v, &ids) != 0 ||
	    demo_locations_add(v, &ids) != 0 ||
	    demo_users_add(v, &ids, hash) != 0 ||
	    demo_devices_add(v, &ids) != 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return MODEL_FAILED;
	}
	return MODEL_DONE;
}
