/*
 * customer.c - the customer tree: creating, moving and updating
 * customers, and the rules of their fields for the pages and the API.
 */
#include "customer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "http.h"
#include "perm.h"
#include "tval.h"
#include "user.h"

#define NAME_MAX_CHARS 200

int64_t
customer_create(struct db *db, int64_t now, int64_t parent_id,
    const struct customer_fields *f)
{
	sqlite3_stmt *s;
	char parent_path[4096] = "/", path[4096 + 32];
	int64_t depth = 0, id;
	int n;

	if (parent_id != 0) {
		s = db_stmt(db, STMT_CUSTOMER_PATH);
		db_bind_int(s, ":id", parent_id);
		if (db_step(db, s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return 0;
		}
		n = snprintf(parent_path, sizeof(parent_path), "%s",
		    (const char *)sqlite3_column_text(s, 0));
		depth = sqlite3_column_int64(s, 1) + 1;
		sqlite3_reset(s);
		if (n < 0 || (size_t)n >= sizeof(parent_path))
			return 0;
	}
	s = db_stmt(db, STMT_CUSTOMER_INSERT);
	if (parent_id != 0)
		db_bind_int(s, ":parent_id", parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_int(s, ":depth", depth);
	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":owner_email", parent_id ? NULL : f->owner_email);
	db_bind_text(s, ":country", f->country);
	db_bind_text(s, ":time_zone", f->time_zone);
	db_bind_text(s, ":time_format", f->time_format);
	db_bind_text(s, ":units", f->units);
	db_bind_int(s, ":require_mfa", f->require_mfa);
	db_bind_int(s, ":now", now);
	if (db_exec(db, s) != 0)
		return 0;
	id = db_last_id(db);
	snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)id);
	s = db_stmt(db, STMT_CUSTOMER_SET_PATH);
	db_bind_text(s, ":path", path);
	db_bind_int(s, ":id", id);
	return db_exec(db, s) == 0 ? id : 0;
}

const char *
customer_path_text(const struct viewer *v, int64_t customer_id)
{
	sqlite3_stmt *s = db_stmt(v->db, STMT_CUSTOMER_ANCESTRY);
	struct buf b;

	buf_init(&b, v->arena);
	db_bind_int(s, ":id", customer_id);
	db_bind_int(s, ":from_depth", v->top_depth);
	while (db_step(v->db, s) == SQLITE_ROW) {
		if (b.len > 0)
			buf_puts(&b, " \xe2\x80\xba ");	/* › */
		buf_puts(&b, (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_reset(s);
	return b.data;
}

int
customer_move(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const char *old_prefix, const char *new_prefix,
    int64_t delta, int64_t parent_id, const char *owner_email)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_MOVE);
	size_t n = strlen(old_prefix);
	char *old_end;

	if (n == 0)
		return -1;
	/* '/1/5/' → '/1/50': the first string after every '/1/5/…' */
	old_end = strdup(old_prefix);
	if (old_end == NULL)
		return -1;
	old_end[n - 1] = '0';
	db_bind_text(s, ":new_prefix", new_prefix);
	db_bind_text(s, ":old_prefix", old_prefix);
	db_bind_text(s, ":old_end", old_end);
	db_bind_int(s, ":delta", delta);
	db_bind_int(s, ":id", id);
	if (parent_id != 0)
		db_bind_int(s, ":parent_id", parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_text(s, ":owner_email", owner_email);
	db_bind_int(s, ":now", now);
	perm_bind_scope(s, sc);
	free(old_end);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db);
}

int
customer_update(struct db *db, int64_t now, const struct scope *sc,
    int64_t id, const struct customer_fields *f)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_UPDATE);

	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":owner_email", f->owner_email);
	db_bind_text(s, ":country", f->country);
	db_bind_text(s, ":time_zone", f->time_zone);
	db_bind_text(s, ":time_format", f->time_format);
	db_bind_text(s, ":units", f->units);
	db_bind_int(s, ":require_mfa", f->require_mfa);
	db_bind_int(s, ":now", now);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	if (db_exec(db, s) != 0)
		return -1;
	return db_changes(db) == 1 ? 0 : -1;
}

int
customer_mfa_inherited(struct db *db, int64_t id)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_MFA_CHAIN);
	int rc, v;

	db_bind_int(s, ":id", id);
	rc = db_step(db, s);
	v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) != 0 : -1;
	sqlite3_reset(s);
	return v;
}

ssize_t
customer_choices(const struct viewer *v, const char *exclude_path,
    struct customer_choice **out)
{
	struct arena *a = v->arena;
	sqlite3_stmt *s = db_stmt(v->db, STMT_CUSTOMER_OPTIONS);
	const char **names = NULL;
	size_t cap = 0, level, i, n = 0, ncap = 16;
	size_t excl = exclude_path ? strlen(exclude_path) : 0;
	struct customer_choice *list = arena_calloc(a, ncap, sizeof(*list));
	const char *path;
	struct buf b;
	int64_t id, depth;
	int rc;

	perm_bind_scope(s, &v->scope);
	/* Rows come in path order, which is depth-first: a customer's
	 * parent came before it, so names[0..level-1] are its ancestors
	 * below the viewer's top. */
	while ((rc = db_step(v->db, s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		depth = sqlite3_column_int64(s, 1);
		path = (const char *)sqlite3_column_text(s, 3);
		if (depth < v->top_depth || path == NULL)
			continue;	/* cannot happen inside the scope */
		level = (size_t)(depth - v->top_depth);
		if (level >= cap) {
			const char **grown = arena_calloc(a, level + 16,
			    sizeof(*grown));

			for (i = 0; i < cap; i++)
				grown[i] = names[i];
			names = grown;
			cap = level + 16;
		}
		names[level] = db_text(a, s, 2);
		if (excl > 0 && strncmp(path, exclude_path, excl) == 0)
			continue;
		buf_init(&b, a);
		for (i = 0; i <= level; i++) {
			if (i > 0)
				buf_puts(&b, " \xe2\x80\xba ");	/* › */
			buf_puts(&b, names[i] ? names[i] : "");
		}
		if (n == ncap) {
			struct customer_choice *grown = arena_calloc(a,
			    2 * ncap, sizeof(*grown));

			memcpy(grown, list, n * sizeof(*list));
			list = grown;
			ncap *= 2;
		}
		list[n].id = id;
		list[n].label = b.data;
		n++;
	}
	sqlite3_reset(s);
	*out = list;
	return rc == SQLITE_DONE ? (ssize_t)n : -1;
}

/* ------------------------------------------------------------ the rules */

int
customer_load(struct db *db, struct arena *a, const struct scope *sc,
    int64_t id, struct customer *c)
{
	sqlite3_stmt *s = db_stmt(db, STMT_CUSTOMER_DETAIL);
	int rc;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, sc);
	rc = db_step(db, s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	c->id = sqlite3_column_int64(s, 0);
	c->parent_id = sqlite3_column_int64(s, 1);
	c->path = db_text(a, s, 2);
	c->depth = sqlite3_column_int64(s, 3);
	c->name = db_text(a, s, 4);
	c->email = db_text(a, s, 5);
	c->owner_email = db_text_or_null(a, s, 6);
	c->country = db_text(a, s, 7);
	c->time_zone = db_text(a, s, 8);
	c->time_format = db_text(a, s, 9);
	c->units = db_text(a, s, 10);
	c->require_mfa = sqlite3_column_int(s, 11) != 0;
	c->users = sqlite3_column_int64(s, 12);
	c->children = sqlite3_column_int64(s, 13);
	sqlite3_reset(s);
	return 1;
}

void
customer_input_init(struct customer_input *in, const struct customer *from)
{
	memset(in, 0, sizeof(*in));
	in->parent = PARENT_KEEP;
	in->require_mfa = -1;
	in->owner_email = "";
	if (from == NULL) {
		in->name = in->email = in->country = "";
		in->time_zone = "UTC";
		in->time_format = "24h";
		in->units = "metric";
		return;
	}
	in->name = from->name;
	in->email = from->email;
	if (from->owner_email != NULL)
		in->owner_email = from->owner_email;
	in->country = from->country;
	in->time_zone = from->time_zone;
	in->time_format = from->time_format;
	in->units = from->units;
}

#define FIELD(m) CHECK_FIELD(struct customer_errors, m, #m, #m)
const struct check_field customer_error_fields[] = {
	FIELD(name), FIELD(email), FIELD(country), FIELD(time_zone),
	FIELD(time_format), FIELD(units), FIELD(parent_id), FIELD(owner_email),
	FIELD(require_mfa), { NULL, NULL, 0 }
};
#undef FIELD

/* The rules of the fields that need no database. */
static void
check_fields(struct request *req, const struct customer_input *in,
    struct customer_errors *e)
{
	const struct catalog *cat = &req->app->catalog;

	if (*in->name == '\0')
		check_fail(&e->name, 400, "Enter the company name.");
	else if (check_chars(in->name) > NAME_MAX_CHARS ||
	    !check_plain(in->name, false))
		check_fail(&e->name, 400, "The name must be at most 200 "
		    "characters on one line.");
	if (*in->email == '\0')
		check_fail(&e->email, 400, "Enter the main work e-mail.");
	else if (!check_email(in->email))
		check_fail(&e->email, 400, "Enter an e-mail address like "
		    "name@example.com (at most 254 characters).");
	/* only operators make accounts, so only theirs is looked at */
	if (req->user->is_operator && *in->owner_email != '\0' &&
	    !check_email(in->owner_email))
		check_fail(&e->owner_email, 400, "Enter an e-mail address like "
		    "name@example.com, or leave it empty.");
	if (catalog_country_name(cat, in->country) == NULL)
		check_fail(&e->country, 400, "Choose a country from the list.");
	if (!catalog_zone_valid(cat, in->time_zone))
		check_fail(&e->time_zone, 400, "Choose a time zone from the "
		    "list.");
	if (strcmp(in->time_format, "24h") != 0 &&
	    strcmp(in->time_format, "12h") != 0)
		check_fail(&e->time_format, 400, "Choose 24-hour or 12-hour "
		    "time.");
	if (strcmp(in->units, "metric") != 0 &&
	    strcmp(in->units, "imperial") != 0)
		check_fail(&e->units, 400, "Choose metric or imperial units.");
}

/*
 * Where in->parent puts the customer: c->parent_id (0: an account) and
 * c->parent, or an error at parent_id (c->parent_id then stays where the
 * customer is: its own parent, or none for a new one). 0, or -1 on a
 * database error.
 */
static int
resolve_parent(struct request *req, const struct scope *sc,
    const struct customer *cur, const struct customer_input *in,
    struct customer_change *c, struct customer_errors *e)
{
	static const char *const not_listed = "Choose a customer from the "
	    "list.";
	const struct user *u = req->user;
	int rc;

	c->parent_id = cur != NULL ? cur->parent_id : 0;
	if (cur != NULL && !u->is_operator && cur->id == u->customer_id) {
		/* the top of the user's view: its parent is not theirs to
		 * see, let alone change ("none" is how it looks to them) */
		if (in->parent == PARENT_ID || in->parent == PARENT_BAD)
			check_fail(&e->parent_id, 403, "Your own customer is "
			    "the top of what you manage: it cannot be moved.");
		return 0;
	}
	switch (in->parent) {
	case PARENT_KEEP:
		/* a new customer needs a parent unless it is an account */
		if (cur == NULL && !u->is_operator)
			check_fail(&e->parent_id, 400, "Choose the customer to "
			    "create it under.");
		return 0;
	case PARENT_NONE:
		/* an account: only operators make or move to the top */
		if (!u->is_operator)
			check_fail(&e->parent_id, 403, cur != NULL ? "Choose the "
			    "customer to put it under." : "Choose the customer "
			    "to create it under.");
		else
			c->parent_id = 0;
		return 0;
	case PARENT_BAD:
		check_fail(&e->parent_id, 400, not_listed);
		return 0;
	case PARENT_ID:
		break;
	}
	rc = customer_load(&req->app->db, req->arena, sc, in->parent_id,
	    &c->parent);
	if (rc <= 0) {
		if (rc == 0)
			check_fail(&e->parent_id, 404, not_listed);
		return rc;
	}
	if (cur != NULL && strncmp(c->parent.path, cur->path,
	    strlen(cur->path)) == 0) {
		check_fail(&e->parent_id, 400, "A customer cannot be moved "
		    "under itself or a customer below it.");
		return 0;
	}
	c->parent_id = in->parent_id;
	return 0;
}

int
customer_check(struct request *req, const struct scope *sc,
    const struct customer *cur, const struct customer_input *in,
    struct customer_change *c, struct customer_errors *e)
{
	struct db *db = &req->app->db;
	const struct user *u = req->user;
	bool may_mfa = perm_allows(&req->viewer, ACT_ENFORCE_MFA);
	bool old_flag = cur != NULL && cur->require_mfa, own_flag;
	int inh_old = 0, inh_new;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	c->cur = cur;
	check_fields(req, in, e);
	if (resolve_parent(req, sc, cur, in, c, e) != 0)
		return -1;
	c->moved = cur != NULL && c->parent_id != cur->parent_id;
	if (cur != NULL && cur->parent_id != 0 &&
	    (inh_old = customer_mfa_inherited(db, cur->parent_id)) < 0)
		return -1;
	inh_new = inh_old;
	if (cur == NULL || c->moved)
		inh_new = c->parent_id != 0 ?
		    customer_mfa_inherited(db, c->parent_id) : 0;
	if (inh_new < 0)
		return -1;
	c->inherited = inh_new == 1;

	/* the own flag: changed only by who may enforce MFA, and only where
	 * nothing above already requires it (a descendant never loosens) */
	if (in->require_mfa >= 0 && !may_mfa &&
	    (in->require_mfa == 1) != old_flag)
		check_fail(&e->require_mfa, 403, "Only an Account "
		    "Administrator can change this setting.");
	own_flag = may_mfa && !c->inherited && in->require_mfa >= 0 ?
	    in->require_mfa == 1 : old_flag;
	if (c->moved && (old_flag || inh_old == 1) &&
	    !(own_flag || c->inherited) && !may_mfa)
		check_fail(&e->parent_id, 403, "There, this customer would no "
		    "longer require MFA; only an Account Administrator can "
		    "lift that requirement.");

	c->f.name = in->name;
	c->f.email = in->email;
	c->f.country = in->country;
	c->f.time_zone = in->time_zone;
	c->f.time_format = in->time_format;
	c->f.units = in->units;
	c->f.require_mfa = own_flag;
	/* an account has an owner e-mail, set by operators only: theirs is
	 * the one typed or else the main e-mail; others keep what is */
	if (c->parent_id != 0)
		c->f.owner_email = NULL;
	else if (u->is_operator)
		c->f.owner_email = *in->owner_email != '\0' ?
		    in->owner_email : in->email;
	else
		c->f.owner_email = cur != NULL ? cur->owner_email : NULL;
	return check_count(e, customer_error_fields);
}

int64_t
customer_save(struct request *req, const struct scope *sc,
    const struct customer_change *c)
{
	struct arena *a = req->arena;
	struct db *db = &req->app->db;
	const struct customer *cur = c->cur;
	int64_t uid = req->user->id, id;
	const char *new_prefix;

	if (cur == NULL) {
		if ((id = customer_create(db, req->now, c->parent_id,
		    &c->f)) == 0)
			return 0;
		event_log(&req->viewer, "customer_created", 0, uid, arena_printf(a, "customer %lld", (long long)id));
		if (c->f.require_mfa)
			event_log(&req->viewer, "mfa_enforced", 0, uid, arena_printf(a, "customer %lld", (long long)id));
		return id;
	}
	if (c->moved) {
		new_prefix = c->parent_id != 0 ? arena_printf(a, "%s%lld/",
		    c->parent.path, (long long)cur->id) : arena_printf(a,
		    "/%lld/", (long long)cur->id);
		if (customer_move(db, req->now, sc, cur->id, cur->path,
		    new_prefix, (c->parent_id != 0 ? c->parent.depth + 1 : 0) -
		    cur->depth, c->parent_id, c->f.owner_email) < 1)
			return 0;
		event_log(&req->viewer, "customer_moved", 0, uid, arena_printf(a, "customer %lld: parent %lld -> %lld",
		    (long long)cur->id, (long long)cur->parent_id,
		    (long long)c->parent_id));
	}
	if (customer_update(db, req->now, sc, cur->id, &c->f) != 0)
		return 0;
	if (c->f.require_mfa != cur->require_mfa)
		event_log(&req->viewer, c->f.require_mfa ? "mfa_enforced" :
		    "mfa_unenforced", 0, uid, arena_printf(a,
		    "customer %lld", (long long)cur->id));
	event_log(&req->viewer, "customer_updated", 0, uid, arena_printf(a, "customer %lld", (long long)cur->id));
	return cur->id;
}
