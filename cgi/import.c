/*
 * import.c - users in and out as CSV (import.h).
 */
#include "import.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "app.h"
#include "arena.h"
#include "buf.h"
#include "csvfile.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "form.h"
#include "guard.h"
#include "list.h"
#include "perm.h"
#include "principal.h"
#include "user.h"

enum column {
	C_EMAIL, C_USERNAME, C_FULL_NAME, C_PHONE, C_ADDRESS, C_CUSTOMER_ID,
	C_GROUPS, C_LOCATIONS, C_ACTIVE, C_GENDER, C_LANGUAGE, C_MIGRATED,
	C_COUNT
};

/* in enum column's order */
const char *const import_user_columns[] = {
	"email", "username", "full_name", "phone", "address", "customer_id",
	"groups", "locations", "active", "contact.gender", "defaultLangCode",
	"migrated", NULL
};

/* the columns a file must have: the key, and what a new user needs */
static const int user_required[] = { C_EMAIL, C_USERNAME, C_CUSTOMER_ID };

/* The Users form's fields (user_error_fields' form names) as columns. */
static const struct {
	const char *field;
	const char *column;
} field_columns[] = {
	{ "email", "email" }, { "username", "username" },
	{ "customer_id", "customer_id" }, { "group", "groups" },
	{ "location", "locations" }, { "password_mode", "active" },
	{ "full_name", "full_name" }, { "phone", "phone" },
	{ "address", "address" }, { "active", "active" },
	{ "language", "defaultLangCode" }, { "gender", "contact.gender" },
};

const char *
import_action_name(enum import_action a)
{
	switch (a) {
	case IMPORT_CREATE: return "create";
	case IMPORT_UPDATE: return "update";
	case IMPORT_UNCHANGED: return "unchanged";
	case IMPORT_ERROR: return "error";
	}
	return "error";
}

/* ------------------------------------------------- a set of strings */

/* The e-mail addresses and usernames seen so far, compared as the users
 * table compares them (ignoring ASCII case): open addressing. */
struct seen {
	const char **slots;
	size_t cap;
};

static void
seen_init(struct arena *a, struct seen *s, size_t n)
{
	for (s->cap = 64; s->cap < 2 * n + 2; s->cap *= 2)
		;
	s->slots = arena_calloc(a, s->cap, sizeof(*s->slots));
}

/* Add key: false when it was there already. */
static bool
seen_add(struct seen *s, const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	size_t i;

	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)tolower((unsigned char)*p)) *
		    1099511628211ULL;
	for (i = h & (s->cap - 1); s->slots[i] != NULL;
	    i = (i + 1) & (s->cap - 1))
		if (strcasecmp(s->slots[i], key) == 0)
			return false;
	s->slots[i] = key;
	return true;
}

/* ------------------------------------------------------------ a row */

/* What the rows share: the file's columns, the sets, the counts. */
struct importing {
	const struct viewer *v;
	int idx[C_COUNT];		/* the cell of each column; -1: absent */
	struct seen emails, usernames;
	bool commit;
	size_t taken;			/* 409s: values of other users */
	size_t taken_left;		/* the guard's allowance of them */
	bool over;			/* more than that: stop, tell nothing */
};

static void
fail(struct import_line *l, const char *column, const char *reason)
{
	l->action = IMPORT_ERROR;
	l->column = column;
	l->reason = reason;
}

/* Column c of record r, trimmed and without the '\'' that neutralised
 * it; NULL when the file has no such column. */
static const char *
cell(const struct importing *im, const struct csv_record *r, enum column c)
{
	if (im->idx[c] < 0)
		return NULL;
	return check_trim(im->v->arena, csvfile_value(r->cells[im->idx[c]]));
}

/* The comma-separated items of text, trimmed, empty ones dropped. */
static const char **
split(struct arena *a, const char *text, size_t *n)
{
	size_t cap = 1, i;
	const char **items, *p, *comma;

	for (p = text; *p != '\0'; p++)
		cap += *p == ',';
	items = arena_calloc(a, cap, sizeof(*items));
	*n = 0;
	for (p = text;; p = comma + 1) {
		comma = strchr(p, ',');
		i = comma != NULL ? (size_t)(comma - p) : strlen(p);
		items[*n] = check_trim(a, arena_strndup(a, p, i));
		if (*items[*n] != '\0')
			(*n)++;
		if (comma == NULL)
			return items;
	}
}

/* "true" or "false" as *b; "" leaves *b as it is. false when neither. */
static bool
truth(const char *text, bool *b)
{
	if (strcmp(text, "true") == 0)
		*b = true;
	else if (strcmp(text, "false") == 0)
		*b = false;
	else if (*text != '\0')
		return false;
	return true;
}

/* The commas a location's name may hold: a list's item is tried as the
 * longest run of up to this many more items that names a location. */
#define NAME_COMMAS_MAX 7

/* The location named name (any case) at customer_id or below it, in v's
 * scope, into *id: 1; 0 none; 2 more than one, none of them among
 * prefer[0..n) (the user's own); -1 on a database error. */
static int
location_named(const struct viewer *v, const char *name, int64_t customer_id,
    const int64_t *prefer, size_t n, int64_t *id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_IMPORT_LOCATION_BY_NAME);
	int64_t found_id, preferred = 0;
	size_t found = 0, j;
	int rc;

	db_bind_int(s, ":customer_id", customer_id);
	db_bind_text(s, ":name", name);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		found_id = db_col_int(s, 0);
		if (found++ == 0)
			*id = found_id;
		for (j = 0; j < n; j++)
			if (prefer[j] == found_id)
				preferred = found_id;
	}
	db_reset(s);
	if (rc != DB_DONE)
		return -1;
	if (found > 1 && preferred != 0)
		*id = preferred;
	return found == 0 ? 0 : found == 1 || preferred != 0 ? 1 : 2;
}

/*
 * The ids of the locations named in text, comma-separated, at customer_id
 * or below it and in v's scope (a name may hold commas: each item is the
 * longest run of items that names a location; of names held twice in the
 * subtree, the user t's own): 1, 0 (*l failed: unknown, ambiguous, too
 * many), -1.
 */
static int
location_ids(const struct viewer *v, const char *text, int64_t customer_id,
    const struct user_row *t, struct user_input *in, struct import_line *l)
{
	const char *p = text, *ends[NAME_COMMAS_MAX + 1], *e;
	size_t cap = 1, n = 0, k, ne;
	int64_t *ids, id = 0;
	const char *name = "";
	int rc = 0;

	for (e = text; *e != '\0'; e++)
		cap += *e == ',';
	if (cap > USER_LOCATIONS_MAX) {
		fail(l, "locations", "Give fewer locations.");
		return 0;
	}
	ids = arena_calloc(v->arena, cap, sizeof(*ids));
	for (;;) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		/* where the runs of 1, 2 … items end */
		for (ne = 0, e = p; ne <= NAME_COMMAS_MAX; e++)
			if (*e == ',' || *e == '\0') {
				ends[ne++] = e;
				if (*e == '\0')
					break;
			}
		for (k = ne; k-- > 0;) {
			name = check_trim(v->arena, arena_strndup(v->arena, p,
			    (size_t)(ends[k] - p)));
			if ((rc = location_named(v, name, customer_id, t ?
			    t->locations : NULL, t ? t->nlocations : 0, &id)) !=
			    0)
				break;
		}
		if (rc < 0)
			return -1;
		if (rc != 1) {
			/* one outside the view is not there at all */
			if (rc == 0)
				name = check_trim(v->arena, arena_strndup(
				    v->arena, p, (size_t)(ends[0] - p)));
			fail(l, "locations", arena_printf(v->arena, rc == 0 ?
			    "There is no location \"%s\" at the user's "
			    "customer or below it." : "More than one location "
			    "is called \"%s\" at the user's customer or below "
			    "it: give the user that location on the Users "
			    "page.", name));
			return 0;
		}
		ids[n++] = id;
		p = ends[k];
	}
	in->locations = ids;
	in->nlocations = n;
	return 1;
}

/*
 * The user_input of record r into *in, and the user it names into *t
 * (NULL: a new one): 1, 0 (*l failed), -1. Columns left out keep what t
 * has.
 */
static int
read_row(struct importing *im, const struct csv_record *r,
    struct user_input *in, struct user_row *t, bool *existing,
    struct import_line *l)
{
	const struct viewer *v = im->v;
	const char *email = cell(im, r, C_EMAIL), *text;
	bool migrated = false;
	int64_t id;
	int rc;

	*existing = false;
	l->email = email;
	if ((id = user_id_by_email(v->db, email)) != 0) {
		/* one outside the view is a new user whose address is taken:
		 * the form's answer (409) */
		if ((rc = user_get(v, id, t)) < 0)
			return -1;
		*existing = rc == 1;
	}
	user_input_init(in, v->arena, *existing ? t : NULL);
	in->email = email;
	if ((text = cell(im, r, C_USERNAME)) != NULL)
		in->username = text;
	if ((text = cell(im, r, C_FULL_NAME)) != NULL)
		in->full_name = text;
	if ((text = cell(im, r, C_PHONE)) != NULL)
		in->phone = text;
	if ((text = cell(im, r, C_ADDRESS)) != NULL)
		in->address = text;
	if ((text = cell(im, r, C_CUSTOMER_ID)) != NULL)
		in->customer_id = parse_id(text);	/* 0: the form's 400 */
	if ((text = cell(im, r, C_GROUPS)) != NULL)
		in->groups = split(v->arena, text, &in->ngroups);
	if ((text = cell(im, r, C_ACTIVE)) != NULL && !truth(text,
	    &in->active)) {
		fail(l, "active", "Write true or false.");
		return 0;
	}
	if ((text = cell(im, r, C_GENDER)) != NULL)	/* seed 003's rule */
		in->gender = *text == '\0' ? "" : strcmp(text, "female") == 0 ?
		    "female" : "male";
	if ((text = cell(im, r, C_LANGUAGE)) != NULL)	/* seed 003's rule */
		in->language = *text == '\0' ? "" : strcmp(text, "nl") == 0 ?
		    "nl" : "en";
	if ((text = cell(im, r, C_MIGRATED)) != NULL && !truth(text,
	    &migrated)) {
		fail(l, "migrated", "Write true or false (empty is false).");
		return 0;
	}
	/* an existing user's password stays; a new one gets the welcome
	 * mail, or (migrated) nothing */
	in->password_mode = *existing || migrated ? "keep" : "welcome";
	in->migrated = migrated && !*existing;
	/* names only at a customer v sees: the customer's own error says
	 * the rest (an unseen one's locations would tell what is there) */
	if ((text = cell(im, r, C_LOCATIONS)) != NULL && in->customer_id != 0 &&
	    (rc = perm_sees_customer(v, in->customer_id)) != 0 && (rc < 0 ||
	    (rc = location_ids(v, text, in->customer_id, *existing ? t : NULL,
	    in, l)) != 1))
		return rc;
	if (!seen_add(&im->emails, email)) {
		fail(l, "email", "An earlier row has this e-mail address.");
		return 0;
	}
	if (!seen_add(&im->usernames, in->username)) {
		fail(l, "username", "An earlier row has this username.");
		return 0;
	}
	return 1;
}

/* The first field of e in error as *l, counting a taken value. */
static void
fail_with(struct importing *im, const struct user_errors *e,
    struct import_line *l)
{
	const struct check_field *f;
	const struct check_error *ce;
	size_t i;

	for (f = user_error_fields; f->form != NULL; f++) {
		if ((ce = check_error_of(e, f))->msg == NULL)
			continue;
		for (i = 0; i < sizeof(field_columns) /
		    sizeof(field_columns[0]) && strcmp(field_columns[i].field,
		    f->form) != 0; i++)
			;
		fail(l, i < sizeof(field_columns) / sizeof(field_columns[0]) ?
		    field_columns[i].column : "", ce->msg);
		/* a 409 tells that the value is someone's: as many as the
		 * Users form would tell this address, and no more */
		if (ce->status == 409 && ++im->taken > im->taken_left)
			im->over = true;
		return;
	}
	fail(l, "", "This row cannot be imported.");
}

/* Check (and with im->commit write) record r into *l: 0 or -1. */
static int
import_row(struct importing *im, const struct csv_record *r,
    struct import_line *l)
{
	static const enum import_action of[] = {
		[USER_IMPORT_CREATE] = IMPORT_CREATE,
		[USER_IMPORT_UPDATE] = IMPORT_UPDATE,
		[USER_IMPORT_UNCHANGED] = IMPORT_UNCHANGED,
	};
	enum user_import_what what;
	struct user_input in;
	struct user_errors e;
	struct user_row t;
	bool existing;
	int rc;

	memset(l, 0, sizeof(*l));
	l->row = r->number;
	l->email = "";
	if ((rc = read_row(im, r, &in, &t, &existing, l)) != 1)
		return rc;
	switch (user_import_row(im->v, existing ? &t : NULL, &in,
	    !im->commit, &what, &e)) {
	case MODEL_DONE:
		l->action = of[what];
		return 0;
	case MODEL_INVALID:
		fail_with(im, &e, l);
		return 0;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	return -1;
}

/* ----------------------------------------------------------- the file */

/*
 * The header h of a file whose columns are columns (NULL-ended), those of
 * the indexes required[0..nrequired) required, into idx (the cell of
 * each; -1: absent): NULL, or why the file is refused (unknown columns,
 * one twice, required ones missing).
 */
static const char *
read_header(struct arena *a, const struct csv_record *h,
    const char *const *columns, const int *required, size_t nrequired,
    int *idx)
{
	const char *unknown = "", *missing = "", *all = "", *name;
	size_t i, c, count;

	for (count = 0; columns[count] != NULL; count++)
		idx[count] = -1;
	for (i = 0; i < h->n; i++) {
		name = check_trim(a, h->cells[i]);
		for (c = 0; c < count && strcmp(name, columns[c]) != 0; c++)
			;
		if (c == count)
			unknown = arena_printf(a, "%s%s\"%s\"", unknown,
			    *unknown ? ", " : "", name);
		else if (idx[c] >= 0)
			return arena_printf(a, "The column \"%s\" is there "
			    "twice.", name);
		else
			idx[c] = (int)i;
	}
	for (i = 0; i < nrequired; i++)
		if (idx[required[i]] < 0)
			missing = arena_printf(a, "%s%s%s", missing, *missing ?
			    ", " : "", columns[required[i]]);
	if (*unknown != '\0') {
		for (c = 0; c < count; c++)
			all = arena_printf(a, "%s%s%s", all, c == 0 ? "" : c + 1
			    == count ? " and " : ", ", columns[c]);
		return arena_printf(a, "Unknown columns: %s. The columns are "
		    "%s.", unknown, all);
	}
	if (*missing != '\0')
		return arena_printf(a, "Required columns are missing: %s.",
		    missing);
	return NULL;
}

static const char too_many[] = "Too many rows name an e-mail address or "
    "username that is in use elsewhere, or too many changes from your "
    "address were refused: wait a few minutes and try again.";

/* The file refused as a whole with status: MODEL_DONE, nothing read. */
static enum model_result
refuse(struct import_result *out, int status, const char *why)
{
	out->file_error = why;
	out->status = status;
	return MODEL_DONE;
}

/* Count the rows' 409s against v's address (the guard's "taken:"), as
 * the Users form's are. 0, or -1. */
static int
count_taken(const struct viewer *v, size_t taken)
{
	return v->origin == ORIGIN_CLI || taken == 0 ? 0 :
	    guard_taken_count(v, taken);
}

enum model_result
import_users(const struct viewer *v, const char *text, size_t len,
    bool commit, struct import_result *out)
{
	struct importing im;
	struct csv_table t;
	const char *why;
	struct import_line *l;
	size_t i, width;
	bool failed = false;

	memset(out, 0, sizeof(*out));
	if (!perm_allows(v, ACT_USERS))
		return MODEL_NOT_FOUND;
	memset(&im, 0, sizeof(im));
	im.v = v;
	im.commit = commit;
	im.taken_left = v->origin == ORIGIN_CLI ? SIZE_MAX :
	    (size_t)guard_taken_left(v);
	if (im.taken_left == 0)
		return refuse(out, 429, too_many);
	if (csvfile_parse(v->arena, text, len, &t, &why) != 0)
		return refuse(out, len > CSV_MAX_BYTES ? 413 : 400, why);
	if ((why = read_header(v->arena, &t.header, import_user_columns,
	    user_required, sizeof(user_required) / sizeof(user_required[0]),
	    im.idx)) != NULL)
		return refuse(out, 400, why);
	seen_init(v->arena, &im.emails, t.nrows);
	seen_init(v->arena, &im.usernames, t.nrows);
	out->lines = arena_calloc(v->arena, t.nrows ? t.nrows : 1,
	    sizeof(*out->lines));
	if (commit && db_begin(v->db) != 0)
		return MODEL_FAILED;
	width = t.header.n;
	for (i = 0; i < t.nrows && !failed && !im.over; i++) {
		l = &out->lines[out->n++];
		if (t.rows[i].n != width) {
			memset(l, 0, sizeof(*l));
			l->row = t.rows[i].number;
			l->email = (size_t)im.idx[C_EMAIL] < t.rows[i].n ?
			    csvfile_value(t.rows[i].cells[im.idx[C_EMAIL]]) :
			    "";
			fail(l, "", arena_printf(v->arena, "The row has %zu "
			    "cells; the header has %zu.", t.rows[i].n, width));
		} else {
			failed = import_row(&im, &t.rows[i], l) != 0;
		}
		out->created += l->action == IMPORT_CREATE;
		out->updated += l->action == IMPORT_UPDATE;
		out->unchanged += l->action == IMPORT_UNCHANGED;
		out->errors += l->action == IMPORT_ERROR;
	}
	if (im.over) {
		/* the rows would tell whose values these are: none of them */
		if (commit)
			db_rollback(v->db);
		if (count_taken(v, im.taken) != 0)
			return MODEL_FAILED;
		memset(out, 0, sizeof(*out));
		return refuse(out, 429, too_many);
	}
	if (commit) {
		/* all rows or none */
		if (failed || out->errors > 0 || db_commit(v->db) != 0)
			db_rollback(v->db);
		else
			out->committed = true;
		failed = failed || (out->errors == 0 && !out->committed);
		if (out->committed)
			event_log(v, "users_imported", 0, perm_actor(v),
			    arena_printf(v->arena, "%zu created, %zu updated, "
			    "%zu unchanged", out->created, out->updated,
			    out->unchanged));
	}
	if (failed || count_taken(v, im.taken) != 0)
		return MODEL_FAILED;
	return MODEL_DONE;
}

/* ------------------------------------------------------------ export */

int
export_users(const struct viewer *v, const struct list_query *lq,
    struct buf *b)
{
	struct db_stmt *s;
	const char *groups;
	unsigned bits;
	size_t i;
	int rc;

	if (!perm_may_read(v, ACT_USERS))
		return 0;
	if (lq->customer_id != 0 &&
	    (rc = perm_sees_customer(v, lq->customer_id)) != 1)
		return rc;
	for (i = 0; import_user_columns[i] != NULL; i++)
		csvfile_cell(b, import_user_columns[i], i == 0);
	csvfile_end(b);
	s = db_stmt(v->db, STMT_USER_EXPORT);
	rows_bind_list(s, v, lq);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		for (i = 0; i < 6; i++)
			csvfile_cell(b, i == 5 ? arena_printf(v->arena, "%lld",
			    (long long)db_col_int(s, 5)) :
			    db_text(v->arena, s, (int)i), i == 0);
		bits = (unsigned)db_col_int(s, 6);
		for (i = 0, groups = ""; i < GROUP_COUNT; i++)
			if (bits & perm_groups[i].bit)
				groups = arena_printf(v->arena, "%s%s%s", groups,
				    *groups ? ", " : "", perm_groups[i].key);
		csvfile_cell(b, groups, false);
		csvfile_cell(b, db_text(v->arena, s, 7), false);
		csvfile_cell(b, db_col_int(s, 8) ? "true" : "false",
		    false);
		csvfile_cell(b, db_text(v->arena, s, 9), false);
		csvfile_cell(b, db_text(v->arena, s, 10), false);
		csvfile_cell(b, "false", false);	/* migrated: here now */
		csvfile_end(b);
	}
	db_reset(s);
	return rc == DB_DONE ? 1 : -1;
}

/* ---------------------------------------------------------- accounts */

enum account_column {
	A_NAME, A_EMAIL, A_COUNTRY, A_TIME_ZONE, A_TIME_FORMAT, A_UNITS,
	A_OWNER_EMAIL, A_PLAN, A_TYPE, A_LANGUAGE, A_CONTACT_NAME,
	A_CONTACT_PHONE, A_CONTACT_EMAIL, A_CONTACT_GENDER, A_STREET,
	A_POSTAL_CODE, A_CITY, A_BILLING_COUNTRY, A_FLAGS, A_NOTIFICATIONS,
	A_COUNT
};

/* in enum account_column's order */
const char *const import_account_columns[] = {
	"name", "email", "country", "time_zone", "time_format", "units",
	"owner_email", "plan", "account_type", "language", "contact.name",
	"contact.phone", "contact.email", "contact.gender", "billing.street",
	"billing.postal_code", "billing.city", "billing.country",
	"featureFlags", "notifications", NULL
};

/* The profile's fields (account.h) of the columns from A_PLAN on. */
static const char *const profile_fields[] = {
	"plan", "account_type", "language", "contact_name", "contact_phone",
	"contact_email", "contact_gender", "billing_street",
	"billing_postal_code", "billing_city", "billing_country",
	"feature_flags", "notifications"
};

/* The slot of profile field name (account.h) in f. */
static const char **
profile_slot(struct account_fields *f, const char *name)
{
	size_t i;

	for (i = 0; strcmp(account_field_names[i], name) != 0; i++)
		;
	return account_field(f, i);
}

/* the columns an accounts file must have: the key, what a new one needs */
static const int account_required[] = { A_NAME, A_EMAIL, A_COUNTRY };

/* The first field in error of e (fields), as column: the profile's
 * columns after the customer's. */
static const char *
first_error(const void *e, const struct check_field *fields,
    const char **column)
{
	const struct check_field *f;
	const struct check_error *ce;
	size_t c;

	for (f = fields; f->form != NULL; f++) {
		if ((ce = check_error_of(e, f))->msg == NULL)
			continue;
		*column = "";
		for (c = 0; c < A_COUNT; c++)
			if (strcmp(f->form, c < A_PLAN ?
			    import_account_columns[c] :
			    profile_fields[c - A_PLAN]) == 0)
				*column = import_account_columns[c];
		return ce->msg;
	}
	return NULL;
}

/* The account named name (of several, the one whose e-mail is email):
 * its id, 0 for none; -2 when that leaves more than one; -1 on a
 * database error. *count: the accounts of that name. */
static int64_t
account_named(const struct viewer *v, const char *name, const char *email,
    int *count)
{
	struct db_stmt *s = db_stmt(v->db, STMT_ACCOUNT_BY_NAME);
	int64_t id = 0, by_email = 0;
	int rc, n = 0, m = 0;

	db_bind_text(s, ":name", name);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		id = db_col_int(s, 0), n++;
		if (email != NULL && db_col_text(s, 1) != NULL &&
		    strcasecmp(email, db_col_text(s, 1)) == 0)
			by_email = id, m++;
	}
	db_reset(s);
	*count = n;
	if (rc != DB_DONE)
		return -1;
	if (n <= 1)
		return id;
	return m == 1 ? by_email : -2;
}

/* Whether the customer of in would differ from cur. */
static bool
customer_differs(const struct customer *cur, const struct customer_input *in)
{
	/* an empty owner e-mail is the main one (customer.c stores that) */
	const char *owner = *in->owner_email != '\0' ? in->owner_email :
	    in->email;

	return strcmp(in->name, cur->name) != 0 ||
	    strcmp(in->email, cur->email) != 0 ||
	    strcmp(owner, cur->owner_email ? cur->owner_email : "") != 0 ||
	    strcmp(in->country, cur->country) != 0 ||
	    strcmp(in->time_zone, cur->time_zone) != 0 ||
	    strcmp(in->time_format, cur->time_format) != 0 ||
	    strcmp(in->units, cur->units) != 0;
}

/* Check and write record r (inside the transaction) into *l: 0, or -1
 * (database error). */
static int
account_row(const struct viewer *v, const int *idx, struct seen *names,
    const struct csv_record *r, struct import_line *l)
{
	const char *cells[A_COUNT], *why, *column = "";
	struct customer_input in;
	struct customer_change cc;
	struct customer_errors ce;
	struct account_fields af;
	struct account_errors ae;
	struct account_profile before;
	struct customer cur;
	enum model_result rc;
	int64_t id, saved = 0;
	bool changed = false, differs, created;
	size_t c, n;
	const char **flags;
	int count;

	for (c = 0; c < A_COUNT; c++)
		cells[c] = idx[c] < 0 ? NULL : check_trim(v->arena,
		    csvfile_value(r->cells[idx[c]]));
	l->email = cells[A_NAME];	/* the key shown */
	if ((id = account_named(v, cells[A_NAME], cells[A_EMAIL], &count)) ==
	    -1)
		return -1;
	/* a name once, unless accounts of that name are there already,
	 * told apart by their e-mail (an export of them) */
	if (*cells[A_NAME] != '\0' && !seen_add(names, arena_printf(v->arena,
	    "%s\n%s", cells[A_NAME], count > 1 ? cells[A_EMAIL] : ""))) {
		fail(l, "name", "An earlier row has this name.");
		return 0;
	}
	if (id == -2) {
		fail(l, "name", "More than one account has this name and "
		    "e-mail: change that one on its page.");
		return 0;
	}
	if (id != 0 && (customer_get(v, id, &cur) != 1 ||
	    account_profile_get(v, id, &before) != 1))
		return -1;
	customer_input_init(&in, id != 0 ? &cur : NULL, id == 0);
	in.parent = PARENT_NONE;
	{
		const char **slot[] = { &in.name, &in.email, &in.country,
		    &in.time_zone, &in.time_format, &in.units,
		    &in.owner_email };

		for (c = A_NAME; c <= A_OWNER_EMAIL; c++)
			if (cells[c] != NULL)
				*slot[c] = cells[c];
	}
	created = id == 0;
	differs = created || customer_differs(&cur, &in);
	if (differs) {
		rc = customer_save_in(v, id, &in, &cc, &ce, &saved);
		if (rc == MODEL_INVALID) {
			why = first_error(&ce, customer_error_fields, &column);
			fail(l, column, why ? why : "This row cannot be "
			    "imported.");
			return 0;
		}
		if (rc != MODEL_DONE)
			return -1;
		id = saved;
	}
	memset(&af, 0, sizeof(af));
	for (c = A_PLAN; c < A_COUNT; c++)
		if (cells[c] != NULL)
			*profile_slot(&af, profile_fields[c - A_PLAN]) =
			    cells[c];
	/* a profile never saved shows defaults, some the customer's (its
	 * e-mail, its country): a cell that repeats one is not given, so
	 * that it goes on following the customer */
	for (c = A_PLAN; id != 0 && !created && before.updated_at == 0 &&
	    c < A_COUNT; c++) {
		const char **slot = profile_slot(&af, profile_fields[c -
		    A_PLAN]);

		if (*slot != NULL && strcmp(*slot, *profile_slot(&before.f,
		    profile_fields[c - A_PLAN])) == 0)
			*slot = NULL;
	}
	if (af.contact_gender != NULL && *af.contact_gender != '\0')
		af.contact_gender = strcmp(af.contact_gender, "female") == 0 ?
		    "female" : "male";		/* seed 003's rule */
	if (af.feature_flags != NULL) {
		flags = split(v->arena, af.feature_flags, &n);
		for (c = 0, af.feature_flags = ""; c < n; c++)
			af.feature_flags = arena_printf(v->arena, "%s%s%s",
			    af.feature_flags, c ? "," : "", flags[c]);
	}
	if (af.notifications != NULL) {
		if (strcmp(af.notifications, "true") == 0)
			af.notifications = "1";
		else if (strcmp(af.notifications, "false") == 0)
			af.notifications = "0";
		else if (*af.notifications == '\0')
			af.notifications = NULL;
		else {
			fail(l, "notifications", "Write true or false.");
			return 0;
		}
	}
	rc = account_profile_save_in(v, id, &af, &ae, &changed);
	if (rc == MODEL_INVALID) {
		why = first_error(&ae, account_error_fields, &column);
		fail(l, column, why ? why : "This row cannot be imported.");
		return 0;
	}
	if (rc != MODEL_DONE)
		return -1;
	l->action = created ? IMPORT_CREATE : differs || changed ?
	    IMPORT_UPDATE : IMPORT_UNCHANGED;
	return 0;
}

enum model_result
import_accounts(const struct viewer *v, const char *text, size_t len,
    bool commit, struct import_result *out)
{
	int idx[A_COUNT];
	struct seen names;
	struct csv_table t;
	struct import_line *l;
	const char *why;
	bool failed = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!perm_allows(v, ACT_OPERATOR))
		return MODEL_NOT_FOUND;
	if (csvfile_parse(v->arena, text, len, &t, &why) != 0)
		return refuse(out, len > CSV_MAX_BYTES ? 413 : 400, why);
	if ((why = read_header(v->arena, &t.header, import_account_columns,
	    account_required, sizeof(account_required) /
	    sizeof(account_required[0]), idx)) != NULL)
		return refuse(out, 400, why);
	/* the preview writes and rolls back: its write lock is short only
	 * for a file of accounts, not of everything */
	if (t.nrows > IMPORT_ACCOUNTS_MAX)
		return refuse(out, 413, "A file of accounts has at most 5,000 "
		    "rows: split it, and import the parts one after the "
		    "other.");
	seen_init(v->arena, &names, t.nrows);
	out->lines = arena_calloc(v->arena, t.nrows ? t.nrows : 1,
	    sizeof(*out->lines));
	/* the preview runs the writes too, and rolls them back: a new
	 * account's profile is checked on the account it makes */
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	for (i = 0; i < t.nrows && !failed; i++) {
		l = &out->lines[out->n++];
		memset(l, 0, sizeof(*l));
		l->row = t.rows[i].number;
		l->email = "";
		if (t.rows[i].n != t.header.n) {
			if ((size_t)idx[A_NAME] < t.rows[i].n)
				l->email = t.rows[i].cells[idx[A_NAME]];
			fail(l, "", arena_printf(v->arena, "The row has %zu "
			    "cells; the header has %zu.", t.rows[i].n,
			    t.header.n));
		} else
			failed = account_row(v, idx, &names, &t.rows[i], l) !=
			    0;
		out->created += l->action == IMPORT_CREATE;
		out->updated += l->action == IMPORT_UPDATE;
		out->unchanged += l->action == IMPORT_UNCHANGED;
		out->errors += l->action == IMPORT_ERROR;
	}
	if (failed || !commit || out->errors > 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		failed = failed || (commit && out->errors == 0);
	} else {
		out->committed = true;
		event_log(v, "accounts_imported", 0, perm_actor(v),
		    arena_printf(v->arena, "%zu created, %zu updated, %zu "
		    "unchanged", out->created, out->updated, out->unchanged));
	}
	return failed ? MODEL_FAILED : MODEL_DONE;
}

int
export_accounts(const struct viewer *v, struct buf *b)
{
	struct db_stmt *s;
	struct account_profile p;
	struct customer c;
	int64_t *ids;
	size_t n = 0, cap = 64, i, k;
	const char *value;
	int rc;

	if (!perm_allows(v, ACT_OPERATOR))
		return 0;
	for (i = 0; import_account_columns[i] != NULL; i++)
		csvfile_cell(b, import_account_columns[i], i == 0);
	csvfile_end(b);
	ids = arena_calloc(v->arena, cap, sizeof(*ids));
	s = db_stmt(v->db, STMT_UGROUP_ACCOUNTS);
	db_bind_int(s, ":limit", INT64_MAX);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		if (n == cap) {
			int64_t *grown = arena_calloc(v->arena, cap * 2,
			    sizeof(*grown));

			memcpy(grown, ids, cap * sizeof(*grown));
			ids = grown;
			cap *= 2;
		}
		ids[n++] = db_col_int(s, 0);
	}
	db_reset(s);
	if (rc != DB_DONE)
		return -1;
	for (i = 0; i < n; i++) {
		if (customer_get(v, ids[i], &c) != 1 ||
		    account_profile_get(v, ids[i], &p) != 1)
			return -1;
		csvfile_cell(b, c.name, true);
		csvfile_cell(b, c.email, false);
		csvfile_cell(b, c.country, false);
		csvfile_cell(b, c.time_zone, false);
		csvfile_cell(b, c.time_format, false);
		csvfile_cell(b, c.units, false);
		csvfile_cell(b, c.owner_email ? c.owner_email : "", false);
		for (k = 0; k < A_COUNT - A_PLAN; k++) {
			value = *profile_slot(&p.f, profile_fields[k]);
			if (k == A_NOTIFICATIONS - A_PLAN)
				value = strcmp(value, "1") == 0 ? "true" :
				    "false";
			csvfile_cell(b, value, false);
		}
		csvfile_end(b);
	}
	return 1;
}
