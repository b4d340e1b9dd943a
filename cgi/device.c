/*
 * device.c - device fields, registration, lookup and moves.
 */
#include "device.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "db.h"
#include "perm.h"

#define UNIT_ID_MIN 4
#define UNIT_ID_MAX 32
#define VIN_LEN 17

const char *
device_unit_id_error(const char *unit_id)
{
	size_t n = unit_id ? strlen(unit_id) : 0, i;

	if (n < UNIT_ID_MIN || n > UNIT_ID_MAX)
		return "A unit id has 4 to 32 characters.";
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)unit_id[i]) &&
		    unit_id[i] != '-' && unit_id[i] != '_')
			return "A unit id has only letters, digits, '-' and "
			    "'_'.";
	return NULL;
}

const char *
device_vin_error(const char *vin)
{
	size_t i;

	if (strlen(vin) != VIN_LEN)
		return "A VIN has exactly 17 characters.";
	for (i = 0; i < VIN_LEN; i++) {
		/* ISO 3779: capital letters and digits, never I, O or Q */
		if (!isdigit((unsigned char)vin[i]) &&
		    !(vin[i] >= 'A' && vin[i] <= 'Z'))
			return "A VIN has only capital letters and digits.";
		if (vin[i] == 'I' || vin[i] == 'O' || vin[i] == 'Q')
			return "A VIN never contains I, O or Q.";
	}
	return NULL;
}

bool
device_scope_wide(struct db *db, const struct scope *sc)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_SCOPE_SHARE);
	bool wide = false;

	perm_bind_scope(s, sc);
	if (db_step(db, s) == SQLITE_ROW)
		wide = sqlite3_column_int64(s, 0) * 3 >=
		    sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return wide;
}

int
device_validate(struct db *db, const struct scope *sc,
    const struct device_fields *f, struct device_errors *e)
{
	sqlite3_stmt *s;
	int n = 0;

	memset(e, 0, sizeof(*e));
	n += (e->unit_id = device_unit_id_error(f->unit_id)) != NULL;
	if (f->name == NULL || strlen(f->name) < 1 || strlen(f->name) > 200)
		n++, e->name = "Give the device a name of 1 to 200 "
		    "characters.";
	if (f->vehicle_name != NULL && strlen(f->vehicle_name) > 200)
		n++, e->vehicle_name = "At most 200 characters.";
	if (f->vin != NULL && *f->vin != '\0')
		n += (e->vin = device_vin_error(f->vin)) != NULL;
	s = db_stmt(db, STMT_CUSTOMER_VISIBLE);
	db_bind_int(s, ":id", f->customer_id);
	perm_bind_scope(s, sc);
	if (f->customer_id == 0 || db_step(db, s) != SQLITE_ROW)
		n++, e->customer_id = "Choose a customer from the list.";
	sqlite3_reset(s);
	if (f->location_id != 0 && e->customer_id == NULL) {
		s = db_stmt(db, STMT_LOCATION_OF_CUSTOMER);
		db_bind_int(s, ":id", f->location_id);
		db_bind_int(s, ":customer_id", f->customer_id);
		if (db_step(db, s) != SQLITE_ROW)
			n++, e->location_id = "That location belongs to "
			    "another customer.";
		sqlite3_reset(s);
	}
	return n;
}

void
device_uuid_new(char out[DEVICE_UUID_LEN + 1])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, DEVICE_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

int64_t
device_register(struct db *db, int64_t now, int64_t user_id,
    const struct device_fields *f, char uuid[DEVICE_UUID_LEN + 1])
{
	sqlite3_stmt *s = db_stmt(db, STMT_DEVICE_INSERT);

	device_uuid_new(uuid);
	db_bind_text(s, ":unit_id", f->unit_id);
	db_bind_text(s, ":uuid", uuid);
	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":vehicle_name", f->vehicle_name);
	db_bind_text(s, ":vin", f->vin && *f->vin ? f->vin : NULL);
	db_bind_int(s, ":customer_id", f->customer_id);
	if (f->location_id != 0)
		db_bind_int(s, ":location_id", f->location_id);
	else
		db_bind_null(s, ":location_id");
	db_bind_int(s, ":now", now);
	if (user_id != 0)
		db_bind_int(s, ":user_id", user_id);
	else	/* arborctl: nobody registered it through Arbor */
		db_bind_null(s, ":user_id");
	return db_exec(db, s) == 0 ? db_last_id(db) : 0;
}

enum device_add_result
device_add(struct db *db, int64_t now, int64_t user_id,
    const struct device_fields *f, int64_t *id,
    char uuid[DEVICE_UUID_LEN + 1])
{
	if (db_begin(db) != 0)
		return DEVICE_ADD_FAILED;
	*id = device_register(db, now, user_id, f, uuid);
	if (*id == 0) {
		bool duplicate = db_is_constraint(db);

		db_rollback(db);
		return duplicate ? DEVICE_DUPLICATE : DEVICE_ADD_FAILED;
	}
	return db_commit(db) == 0 ? DEVICE_ADDED : DEVICE_ADD_FAILED;
}

/* Whether s has the 8-4-4-4-12 hex form of a UUID. */
static bool
looks_like_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != DEVICE_UUID_LEN)
		return false;
	for (i = 0; i < DEVICE_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int
device_find(struct db *db, struct arena *a, const struct scope *sc,
    const char *key, struct device_ref *out)
{
	bool uuid = looks_like_uuid(key);
	sqlite3_stmt *s = db_stmt(db, uuid ? STMT_DEVICE_BY_UUID :
	    STMT_DEVICE_BY_UNIT);
	char *lower = NULL;
	size_t i;
	int rc = -1;

	if (uuid) {	/* stored lower-case; people paste either */
		lower = arena_strdup(a, key);
		for (i = 0; lower[i] != '\0'; i++)
			lower[i] = (char)tolower((unsigned char)lower[i]);
	}
	db_bind_text(s, ":key", uuid ? lower : key);
	perm_bind_scope(s, sc);
	if (db_step(db, s) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->unit_id = db_text(a, s, 1);
		out->uuid = db_text(a, s, 2);
		out->name = db_text(a, s, 3);
		out->customer_id = sqlite3_column_int64(s, 6);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

size_t
device_split_ids(struct arena *a, const char *text, size_t max,
    const char ***ids)
{
	const char **v = arena_calloc(a, max + 1, sizeof(*v));
	const char *p = text ? text : "", *start;
	size_t n = 0;

	while (*p != '\0' && n <= max) {
		while (*p != '\0' && strchr(",; \t\r\n", *p) != NULL)
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && strchr(",; \t\r\n", *p) == NULL)
			p++;
		v[n++] = arena_strndup(a, start, (size_t)(p - start));
	}
	*ids = v;
	return n;
}

int
device_move(struct db *db, int64_t now, int64_t user_id,
    const struct device_ref *d, int64_t to)
{
	sqlite3_stmt *s = db_stmt(db, STMT_DEVICE_MOVE);

	db_bind_int(s, ":customer_id", to);
	db_bind_int(s, ":id", d->id);
	if (db_exec(db, s) != 0)
		return -1;
	s = db_stmt(db, STMT_DEVICE_MOVE_LOG);
	db_bind_int(s, ":id", d->id);
	db_bind_int(s, ":from_id", d->customer_id);
	db_bind_int(s, ":to_id", to);
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":now", now);
	return db_exec(db, s);
}
