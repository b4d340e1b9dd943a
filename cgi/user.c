/*
 * user.c - reading a user row (sql.h USER_COLUMNS) into struct user,
 * the scoped writes of the Users tab, and the rules of managing users
 * that the Users tab and the API share.
 */
#include "user.h"

#include <string.h>
#include <strings.h>

#include <crack.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "customer.h"
#include "db.h"
#include "event.h"
#include "mail.h"
#include "form.h"
#include "http.h"
#include "location.h"
#include "perm.h"

#define USERNAME_MAX 64
#define FULL_NAME_MAX 200
#define PHONE_MAX 50
#define ADDRESS_MAX 500

struct user *
user_load(struct db *db, struct arena *a, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_BY_ID);
	struct user *u;
	int c = 0;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) != SQLITE_ROW)
		return NULL;
	u = arena_alloc(a, sizeof(*u));
	u->id = sqlite3_column_int64(s, c++);
	u->customer_id = sqlite3_column_int64(s, c++);
	u->is_operator = sqlite3_column_int(s, c++) != 0;
	u->username = db_text(a, s, c++);
	u->email = db_text(a, s, c++);
	u->full_name = db_text(a, s, c++);
	u->phone = db_text(a, s, c++);
	u->address = db_text(a, s, c++);
	u->groups = (unsigned)sqlite3_column_int(s, c++);
	u->active = sqlite3_column_int(s, c++) != 0;
	u->must_change_password = sqlite3_column_int(s, c++) != 0;
	u->totp_enabled = sqlite3_column_int(s, c++) != 0;
	u->totp_last_step = sqlite3_column_int64(s, c++);
	u->last_login_at = sqlite3_column_int64(s, c++);
	u->created_at = sqlite3_column_int64(s, c++);
	u->customer_path = db_text(a, s, c++);
	u->customer_name = db_text(a, s, c++);
	u->own_time_zone = db_text_or_null(a, s, c++);
	u->own_time_format = db_text_or_null(a, s, c++);
	u->own_units = db_text_or_null(a, s, c++);
	u->time_zone = db_text(a, s, c++);
	u->time_format = db_text(a, s, c++);
	u->units = db_text(a, s, c++);
	u->has_locations = sqlite3_column_int(s, c++) != 0;
	u->mfa_required = sqlite3_column_int(s, c++) != 0;
	sqlite3_reset(s);
	return u;
}

int64_t
user_create(struct db *db, int64_t now, const struct user_fields *f)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_INSERT);

	if (f->is_operator)
		db_bind_null(s, ":customer_id");
	else
		db_bind_int(s, ":customer_id", f->customer_id);
	db_bind_int(s, ":is_operator", f->is_operator);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":username", f->username);
	db_bind_text(s, ":full_name", f->full_name ? f->full_name : "");
	db_bind_text(s, ":hash", f->password_hash);
	db_bind_int(s, ":must_change", f->must_change_password);
	db_bind_int(s, ":active", f->active);
	db_bind_int(s, ":groups", f->groups);
	db_bind_int(s, ":now", now);
	return db_exec(db, s) == 0 ? db_last_id(db) : 0;
}

bool
user_password_ok(struct db *db, struct arena *a, int64_t id, const char *pw)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_PASSWORD_HASH);
	const char *hash = NULL;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) == SQLITE_ROW)
		hash = db_text_or_null(a, s, 0);
	sqlite3_reset(s);
	return hash != NULL && pw != NULL &&
	    strlen(pw) <= PASSWORD_MAX_BYTES && password_verify(hash, pw);
}

/*
 * The writes of managing users. Each is scoped: it changes nothing unless
 * the user (and, for an update, the customer they go to) lies in sc, so
 * a caller that forgot a check still cannot reach outside the editor's
 * subtree. All run inside the caller's write transaction and return 0,
 * or -1 when nothing was changed (out of scope, gone, or a database
 * error).
 */
static int
user_update(struct db *db, const struct scope *sc, int64_t now, int64_t id,
    const struct user_input *in, const struct user_change *c)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_UPDATE);

	db_bind_int(s, ":id", id);
	db_bind_int(s, ":customer_id", c->customer_id);
	db_bind_text(s, ":email", in->email);
	db_bind_text(s, ":username", in->username);
	db_bind_text(s, ":full_name", in->full_name);
	db_bind_text(s, ":phone", in->phone);
	db_bind_text(s, ":address", in->address);
	db_bind_int(s, ":groups", c->groups);
	db_bind_int(s, ":active", in->active);
	db_bind_int(s, ":now", now);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

/* Phone and address of a user just made by user_create(). */
static int
user_set_contact(struct db *db, int64_t id, const char *phone,
    const char *address)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_SET_CONTACT);

	db_bind_int(s, ":id", id);
	db_bind_text(s, ":phone", phone);
	db_bind_text(s, ":address", address);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

/* Replace the locations of user_id that sc can see by ids[0..n); those
 * the editor cannot see stay. */
static int
user_set_locations(struct db *db, const struct scope *sc, int64_t user_id,
    const int64_t *ids, size_t n)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOCATIONS_CLEAR);
	size_t i;

	db_bind_int(s, ":user_id", user_id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		s = db_stmt(db, STMT_USER_LOCATION_ADD);
		db_bind_int(s, ":user_id", user_id);
		db_bind_int(s, ":location_id", ids[i]);
		if (db_exec(db, s) != 0)
			return -1;
	}
	return 0;
}

/* Delete a user; the schema cascades to sessions, links, tokens. */
static int
user_delete(struct db *db, const struct scope *sc, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_DELETE);

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

static int64_t
id_lookup(struct db *db, enum stmt_id id, const char *name,
    const char *value)
{
	sqlite3_stmt *s = db_stmt(db, id);
	int64_t found = 0;

	db_bind_text(s, name, value);
	if (db_step(db, s) == SQLITE_ROW)
		found = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return found;
}

int64_t
user_id_by_email(struct db *db, const char *email)
{
	return id_lookup(db, STMT_USER_ID_BY_EMAIL, ":email", email);
}

int64_t
user_id_by_username(struct db *db, const char *username)
{
	return id_lookup(db, STMT_USER_ID_BY_USERNAME, ":username", username);
}

/*
 * Whether pw is a dictionary word or a simple variation of one (cracklib
 * reverses, strips digits, changes case…). Only that verdict of
 * cracklib counts: its other complaints are composition rules, which the
 * policy leaves out on purpose.
 */
static bool
common_password(const char *pw)
{
	const char *why = FascistCheckUser(pw, GetDefaultCracklibDict(),
	    "arbor", NULL);

	return why != NULL && strstr(why, "dictionary word") != NULL;
}

const char *
password_policy(const char *pw, const char *username, const char *email)
{
	size_t n;

	if (!utf8_valid(pw, strlen(pw)))
		return "The password is not valid text.";
	n = check_chars(pw);
	if (n < PASSWORD_MIN_CHARS)
		return "Use at least 12 characters.";
	if (n > PASSWORD_MAX_CHARS)
		return "Use at most 128 characters.";
	if ((username && strcasecmp(pw, username) == 0) ||
	    (email && strcasecmp(pw, email) == 0))
		return "The password must not be your username or e-mail.";
	if (common_password(pw))
		return "This password is too common. Choose another.";
	return NULL;
}

/* ------------------------------------------------------------ the rules */

struct user_target *
user_target_load(struct db *db, struct arena *a, const struct scope *sc,
    int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_VISIBLE);
	struct user_target *t = NULL;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	if (db_step(db, s) == SQLITE_ROW) {
		t = arena_alloc(a, sizeof(*t));
		t->id = sqlite3_column_int64(s, 0);
		t->customer_id = sqlite3_column_int64(s, 1);
		t->email = db_text(a, s, 2);
		t->username = db_text(a, s, 3);
		t->full_name = db_text(a, s, 4);
		t->phone = db_text(a, s, 5);
		t->address = db_text(a, s, 6);
		t->groups = (unsigned)sqlite3_column_int(s, 7);
		t->active = sqlite3_column_int(s, 8) != 0;
		t->last_login_at = sqlite3_column_int64(s, 9);
		t->created_at = sqlite3_column_int64(s, 10);
		t->has_password = sqlite3_column_int(s, 11) != 0;
		t->must_change_password = sqlite3_column_int(s, 12) != 0;
	}
	sqlite3_reset(s);
	return t;
}

size_t
user_target_locations(struct db *db, struct arena *a, const struct scope *sc,
    int64_t user_id, int64_t **ids)
{
	sqlite3_stmt *s = db_stmt(db, STMT_USER_LOCATION_IDS);
	size_t n = 0;

	*ids = arena_calloc(a, USER_LOCATIONS_MAX, sizeof(**ids));
	db_bind_int(s, ":user_id", user_id);
	perm_bind_scope(s, sc);
	while (n < USER_LOCATIONS_MAX && db_step(db, s) == SQLITE_ROW)
		(*ids)[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

void
user_input_init(struct user_input *in, struct arena *a,
    const struct user_target *t, const int64_t *ids, size_t n)
{
	const char **keys;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->password = "";
	if (t == NULL) {
		in->email = in->username = in->full_name = in->phone =
		    in->address = "";
		in->active = true;
		return;
	}
	in->email = t->email;
	in->username = t->username;
	in->full_name = t->full_name;
	in->phone = t->phone;
	in->address = t->address;
	in->customer_id = t->customer_id;
	keys = arena_calloc(a, GROUP_COUNT, sizeof(*keys));
	for (i = 0; i < GROUP_COUNT; i++)
		if (t->groups & perm_groups[i].bit)
			keys[in->ngroups++] = perm_groups[i].key;
	in->groups = keys;
	in->locations = ids;
	in->nlocations = n;
	in->active = t->active;
}

#define FIELD(m) CHECK_FIELD(struct user_errors, m, #m, #m)
const struct check_field user_error_fields[] = {
	FIELD(email), FIELD(username), FIELD(customer_id),
	CHECK_FIELD(struct user_errors, groups, "group", "groups"),
	CHECK_FIELD(struct user_errors, locations, "location", "locations"),
	FIELD(password_mode), FIELD(password), FIELD(full_name), FIELD(phone),
	FIELD(address), FIELD(active), { NULL, NULL, 0 }
};
#undef FIELD

static bool
username_ok(const char *u)
{
	size_t n = strlen(u);

	if (n < 1 || n > USERNAME_MAX)
		return false;
	for (; *u != '\0'; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '.' || *u == '_' ||
		    *u == '-'))
			return false;
	return true;
}

/* An e-mail address or username: required, and of the form valid()
 * accepts unless it is the one the user had (NULL: a new user) -- a value
 * stored under older rules must not block every other change. */
static void
check_identity(struct check_error *e, const char *value, const char *had,
    bool (*valid)(const char *), const char *missing, const char *bad)
{
	if (*value == '\0')
		check_fail(e, 400, missing);
	else if (!(had != NULL && strcmp(value, had) == 0) && !valid(value))
		check_fail(e, 400, bad);
}

/* The fields that need no database. t is the user edited (NULL: new). */
static void
check_fields(const struct user_target *t, const struct user_input *in,
    struct user_change *c, struct user_errors *e)
{
	const char *m = in->password_mode;

	check_identity(&e->email, in->email, t ? t->email : NULL, check_email,
	    "Enter the user's e-mail address.", "Enter an e-mail address like "
	    "name@example.com.");
	check_identity(&e->username, in->username, t ? t->username : NULL,
	    username_ok, "Enter a username.", "Use 1 to 64 letters, digits, "
	    "dots, dashes or underscores.");
	if (check_chars(in->full_name) > FULL_NAME_MAX ||
	    !check_plain(in->full_name, false))
		check_fail(&e->full_name, 400, "Use at most 200 characters on "
		    "one line.");
	if (check_chars(in->phone) > PHONE_MAX ||
	    !check_plain(in->phone, false))
		check_fail(&e->phone, 400, "Use at most 50 characters on one "
		    "line.");
	if (check_chars(in->address) > ADDRESS_MAX ||
	    !check_plain(in->address, true))
		check_fail(&e->address, 400, "Use at most 500 characters.");
	/* one of three ways; a new user has no password to keep */
	c->password_mode = m != NULL && (strcmp(m, "welcome") == 0 ||
	    strcmp(m, "manual") == 0 || strcmp(m, "keep") == 0) ? m :
	    t == NULL ? "welcome" : "keep";
	if ((m != NULL && c->password_mode != m) ||
	    (t == NULL && strcmp(c->password_mode, "keep") == 0))
		check_fail(&e->password_mode, 400, "Choose how the user gets a "
		    "password.");
}

/* The locations: each once, visible, at the user's customer or below it
 * (a user could not see a location above). 0, or -1 on a database
 * error. */
static int
check_locations(struct request *req, const struct scope *sc,
    const struct user_input *in, struct user_change *c,
    struct user_errors *e)
{
	struct db *db = &req->app->db;
	size_t n = in->nlocations, i, j;
	sqlite3_stmt *s;
	int64_t id;
	int rc;

	c->locations = arena_calloc(req->arena, n ? n : 1,
	    sizeof(*c->locations));
	if (n > USER_LOCATIONS_MAX) {
		check_fail(&e->locations, 400, "Choose fewer locations.");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		id = in->locations[i];
		for (j = 0; j < c->nlocations && c->locations[j] != id; j++)
			;
		if (id == 0) {
			check_fail(&e->locations, 400, "Choose locations from "
			    "the list.");
			continue;
		}
		if (j < c->nlocations)
			continue;	/* the same one twice */
		c->locations[c->nlocations++] = id;
		if (c->customer_id == 0)
			continue;
		s = db_stmt(db, STMT_LOCATION_ASSIGNABLE);
		db_bind_int(s, ":id", id);
		db_bind_int(s, ":customer_id", c->customer_id);
		perm_bind_scope(s, sc);
		rc = db_step(db, s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW)
			continue;
		if (rc != SQLITE_DONE ||
		    (rc = perm_sees_location(&req->viewer, id)) < 0)
			return -1;
		/* one outside the scope is not there at all */
		check_fail(&e->locations, rc == 1 ? 400 : 404, "Choose "
		    "locations of the user's customer or of a customer below "
		    "it.");
	}
	return 0;
}

int
user_check(struct request *req, const struct scope *sc,
    const struct user_target *t, const struct user_input *in,
    struct user_change *c, struct user_errors *e)
{
	const struct user *u = req->user;
	unsigned mine = perm_grantable(&req->viewer), prior = t ? t->groups : 0, bit;
	bool self = t != NULL && t->id == u->id, welcome, manual;
	const char *why;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	check_fields(t, in, c, e);
	welcome = strcmp(c->password_mode, "welcome") == 0;
	manual = strcmp(c->password_mode, "manual") == 0;

	c->customer_id = in->customer_id;
	if (in->customer_id == 0) {
		check_fail(&e->customer_id, 400, "Choose the customer the user "
		    "belongs to.");
	} else if ((rc = perm_sees_customer(&req->viewer, in->customer_id)) != 1) {
		if (rc < 0)
			return -1;
		check_fail(&e->customer_id, 404, "Choose one of the customers "
		    "in the list.");
		c->customer_id = 0;
	}
	for (i = 0; i < in->ngroups; i++) {
		if ((bit = perm_group_by_key(in->groups[i])) == 0)
			check_fail(&e->groups, 400, "Choose groups from the "
			    "list.");
		c->asked |= bit;
	}
	if (check_locations(req, sc, in, c, e) != 0)
		return -1;
	if (manual) {
		why = *in->password == '\0' ? "Enter a password, or choose "
		    "the welcome e-mail." : password_policy(in->password,
		    in->username, in->email);
		if (why != NULL)
			check_fail(&e->password, 400, why);
	}
	if (welcome && !in->active)
		check_fail(&e->password_mode, 400, "A welcome e-mail goes to "
		    "active users only: make the user active, or set a "
		    "password now.");

	/* groups the editor lacks stay as they were; asking for one the
	 * user does not have is an attempt to grant it */
	if (!perm_may_grant(&req->viewer, c->asked & ~prior))
		check_fail(&e->groups, 403, "You can only grant the groups you "
		    "hold yourself.");
	c->groups = (prior & ~mine) | (c->asked & mine);
	if (self) {
		if (!in->active)
			check_fail(&e->active, 403, "You cannot deactivate "
			    "yourself.");
		if ((prior & GROUP_ACCOUNT_ADMIN) &&
		    !(c->groups & GROUP_ACCOUNT_ADMIN))
			check_fail(&e->groups, 403, "You cannot remove your own "
			    "Account Administrator group.");
		if (c->customer_id != 0 && c->customer_id != t->customer_id)
			check_fail(&e->customer_id, 403, "You cannot move "
			    "yourself to another customer.");
		if (welcome || manual)
			check_fail(&e->password_mode, 403, "Change your own "
			    "password under Profile.");
	} else if (t != NULL && (prior & ~mine) != 0) {
		if (strcmp(in->email, t->email) != 0)
			check_fail(&e->email, 403, "Only someone who holds all "
			    "of this user's groups can change their e-mail "
			    "address.");
		if (welcome || manual)
			check_fail(&e->password_mode, 403, "Only someone who "
			    "holds all of this user's groups can set their "
			    "password or send them a set-up link.");
	}
	return check_count(e, user_error_fields);
}

int
user_hash_password(struct arena *a, const struct user_input *in,
    struct user_change *c)
{
	char *hash;

	c->hash = NULL;
	if (strcmp(c->password_mode, "manual") != 0)
		return 0;
	hash = arena_alloc(a, crypto_pwhash_STRBYTES);
	if (password_hash(in->password, hash) != 0)
		return -1;
	c->hash = hash;
	return 0;
}

int
user_check_unique(struct db *db, const struct user_input *in, int64_t self,
    struct user_errors *e)
{
	int64_t id;

	id = user_id_by_email(db, in->email);
	if (id != 0 && id != self)
		check_fail(&e->email, 409, "This e-mail address is already in "
		    "use.");
	id = user_id_by_username(db, in->username);
	if (id != 0 && id != self)
		check_fail(&e->username, 409, "This username is already "
		    "taken.");
	return check_count(e, user_error_fields);
}

int64_t
user_add(struct request *req, const struct scope *sc,
    const struct user_input *in, const struct user_change *c)
{
	struct db *db = &req->app->db;
	bool welcome = strcmp(c->password_mode, "welcome") == 0;
	struct user_fields uf;
	int64_t id;

	memset(&uf, 0, sizeof(uf));
	uf.customer_id = c->customer_id;
	uf.email = in->email;
	uf.username = in->username;
	uf.full_name = in->full_name;
	uf.password_hash = c->hash;	/* NULL: set through the link */
	uf.must_change_password = !welcome;
	uf.active = in->active;
	uf.groups = c->groups;
	id = user_create(db, req->now, &uf);
	if (id == 0 || user_set_contact(db, id, in->phone, in->address) != 0 ||
	    user_set_locations(db, sc, id, c->locations, c->nlocations) != 0 ||
	    (welcome && password_link_send(req, id, "setup", in->email,
	    in->username, in->full_name) != 0))
		return 0;
	event_log(&req->viewer, "user_created", id, req->user->id, in->username);
	return id;
}

/* End every session of user id and void their outstanding links. */
static int
lock_out(struct request *req, int64_t id)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_SESSION_DELETE_USER);

	db_bind_int(s, ":user_id", id);
	db_bind_int(s, ":keep", 0);
	if (db_exec(db, s) != 0)
		return -1;
	s = db_stmt(db, STMT_LINK_USE_ALL);
	db_bind_int(s, ":user_id", id);
	db_bind_int(s, ":now", req->now);
	return db_exec(db, s);
}

int
user_save(struct request *req, const struct scope *sc,
    const struct user_target *t, const struct user_input *in,
    const struct user_change *c)
{
	struct db *db = &req->app->db;
	int64_t actor = req->user->id;
	sqlite3_stmt *s;

	if (user_update(db, sc, req->now, t->id, in, c) != 0 ||
	    user_set_locations(db, sc, t->id, c->locations,
	    c->nlocations) != 0)
		return -1;
	if (strcmp(c->password_mode, "manual") == 0) {
		if (c->hash == NULL)
			return -1;	/* user_hash_password() was not called */
		s = db_stmt(db, STMT_USER_SET_PASSWORD);
		db_bind_text(s, ":hash", c->hash);
		db_bind_int(s, ":must_change", 1);
		db_bind_int(s, ":now", req->now);
		db_bind_int(s, ":id", t->id);
		/* a new password ends the sessions of the old one */
		if (db_exec(db, s) != 0 || lock_out(req, t->id) != 0)
			return -1;
		event_log(&req->viewer, "password_set_by_admin", t->id, actor,
		    "");
	}
	if (strcmp(c->password_mode, "welcome") == 0 &&
	    password_link_send(req, t->id, "setup", in->email, in->username,
	    in->full_name) != 0)
		return -1;
	if (t->active && !in->active) {
		if (lock_out(req, t->id) != 0)
			return -1;
		event_log(&req->viewer, "user_deactivated", t->id, actor,
		    in->username);
	}
	event_log(&req->viewer, "user_updated", t->id, actor, in->username);
	return 0;
}

bool
user_may_remove(const struct user *editor, const struct user_target *t)
{
	return t->id != editor->id;
}

int
user_remove(struct request *req, const struct scope *sc,
    const struct user_target *t)
{
	if (!user_may_remove(req->user, t))
		return -1;
	event_log(&req->viewer, "user_deleted", 0, req->user->id, arena_printf(req->arena, "%s <%s> (id %lld)", t->username,
	    t->email, (long long)t->id));
	return user_delete(&req->app->db, sc, t->id);
}
