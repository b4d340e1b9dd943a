/*
 * usergroup.c - account-level user groups: the operators' definitions,
 * the account administrators' discounts and members, auto-assign and a
 * user's effective discount and financial owner (usergroup.h).
 */
#include "usergroup.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "device.h"
#include "event.h"
#include "perm.h"
#include "principal.h"

#define NAME_MAX_CHARS 200
#define DESCRIPTION_MAX_CHARS 1000

/* The account (root customer) id of v's user; 0 for operators, the
 * command line and nobody, who belong to none. */
static int64_t
viewer_account(const struct viewer *v)
{
	const char *p;

	if (v->system || v->user == NULL || v->user->is_operator)
		return 0;
	p = v->user->customer_path;	/* '/1/5/' */
	return p[0] == '/' ? strtoll(p + 1, NULL, 10) : 0;
}

static bool
operator(const struct viewer *v)
{
	return perm_allows(v, ACT_OPERATOR);
}

/* Whether v sees group g: operators every one; others with the Users
 * groups' read their account's and the all-accounts groups. */
static bool
sees(const struct viewer *v, const struct user_group *g)
{
	if (operator(v))
		return true;
	if (!perm_may_read(v, ACT_USER_GROUPS))
		return false;
	return g->account_id == 0 || g->account_id == viewer_account(v);
}

/* Whether v changes g's discount and members: operators; an Account
 * Administrator of g's account (never an all-accounts group's). */
static bool
edits(const struct viewer *v, const struct user_group *g)
{
	return operator(v) || (g->account_id != 0 &&
	    g->account_id == viewer_account(v) &&
	    perm_allows(v, ACT_USER_GROUPS));
}

/* User id's username if v sees them, else NULL. */
static const char *
user_name_for(const struct viewer *v, int64_t id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_NAME_VISIBLE);
	const char *name = NULL;

	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	if (db_step(v->db, s) == DB_ROW)
		name = db_text(v->arena, s, 0);
	db_reset(s);
	return name;
}

/* Row s of UGROUP_COLUMNS into *g. */
static void
fill_group(const struct viewer *v, struct db_stmt *s, struct user_group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = db_col_int(s, 0);
	g->name = db_text(v->arena, s, 1);
	g->description = db_text(v->arena, s, 2);
	g->account_id = db_col_int(s, 3);
	g->account = db_text(v->arena, s, 4);
	g->auto_assign = db_col_int(s, 5) != 0;
	g->financial_owner_id = db_col_int(s, 6);
	g->max_discount = (int)db_col_int(s, 7);
	g->discount = (int)db_col_int(s, 8);
	g->created_at = db_col_int(s, 9);
	g->updated_at = db_col_int(s, 10);
	g->members = db_col_int(s, 11);
	g->devices = db_col_int(s, 12);
}

/* The names and permissions of g as v may know them (after the row's
 * statement was reset: this reads another). */
static void
finish_group(const struct viewer *v, struct user_group *g)
{
	const char *owner = g->financial_owner_id == 0 ? "" :
	    user_name_for(v, g->financial_owner_id);

	g->financial_owner = owner != NULL ? owner : "a user outside your view";
	g->counts_visible = operator(v);
	g->editable = edits(v, g);
	/* the discount is the account's: its administrators at the account
	 * itself set it, not a nested customer's for users they never see */
	g->discount_editable = g->editable && g->account_id != 0 &&
	    (operator(v) || v->user->customer_id == g->account_id);
}

int
ugroup_list(const struct viewer *v, const struct ugroup_query *query,
    struct ugroup_page *out)
{
	const char *q = query->q != NULL ? query->q : "";
	const char *scope = query->scope != NULL ? query->scope : "";
	int64_t account = operator(v) ? 0 : viewer_account(v), pages;
	struct db_stmt *s;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!operator(v) && (account == 0 ||
	    !perm_may_read(v, ACT_USER_GROUPS)))
		return 0;
	if (strcmp(scope, "all") != 0 && strcmp(scope, "account") != 0)
		scope = "";
	s = db_stmt(v->db, STMT_UGROUP_COUNT);
	db_bind_int(s, ":account_id", account);
	db_bind_text(s, ":scope", scope);
	db_bind_text(s, ":q", q);
	db_bind_text(s, ":like", rows_like(v->arena, q));
	if ((rc = db_step(v->db, s)) == DB_ROW)
		out->total = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return -1;
	pages = out->total > 0 ? (out->total + UGROUP_PAGE_SIZE - 1) /
	    UGROUP_PAGE_SIZE : 1;
	out->page = query->page < 1 ? 1 : query->page > pages ? pages :
	    query->page;
	out->rows = arena_calloc(v->arena, UGROUP_PAGE_SIZE,
	    sizeof(*out->rows));
	s = db_stmt(v->db, STMT_UGROUP_LIST);
	db_bind_int(s, ":account_id", account);
	db_bind_text(s, ":scope", scope);
	db_bind_text(s, ":q", q);
	db_bind_text(s, ":like", rows_like(v->arena, q));
	db_bind_int(s, ":limit", UGROUP_PAGE_SIZE);
	db_bind_int(s, ":offset", (out->page - 1) * UGROUP_PAGE_SIZE);
	while ((rc = db_step(v->db, s)) == DB_ROW &&
	    out->n < UGROUP_PAGE_SIZE)
		fill_group(v, s, &out->rows[out->n++]);
	db_reset(s);
	if (rc != DB_DONE && rc != DB_ROW)
		return -1;
	for (i = 0; i < out->n; i++)
		finish_group(v, &out->rows[i]);
	return 0;
}

int
ugroup_accounts(const struct viewer *v, struct ugroup_account **out,
    size_t *n)
{
	struct db_stmt *s;
	int rc;

	*n = 0;
	*out = arena_calloc(v->arena, UGROUP_ACCOUNTS_MAX, sizeof(**out));
	if (!operator(v))
		return 0;
	s = db_stmt(v->db, STMT_UGROUP_ACCOUNTS);
	db_bind_int(s, ":limit", UGROUP_ACCOUNTS_MAX);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		(*out)[*n].id = db_col_int(s, 0);
		(*out)[(*n)++].name = db_text(v->arena, s, 1);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
ugroup_get(const struct viewer *v, int64_t id, struct user_group *g)
{
	struct db_stmt *s = db_stmt(v->db, STMT_UGROUP_GET);
	int rc;

	db_bind_int(s, ":id", id);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		fill_group(v, s, g);
	db_reset(s);
	if (rc == DB_DONE || (rc == DB_ROW && !sees(v, g)))
		return 0;
	if (rc != DB_ROW)
		return -1;
	finish_group(v, g);
	return 1;
}

/* ------------------------------------------------------- operators */

#define FIELD(m) CHECK_FIELD(struct ugroup_errors, m, #m, #m)
const struct check_field ugroup_error_fields[] = {
	FIELD(name), FIELD(description), FIELD(scope), FIELD(account_id),
	FIELD(auto_assign), FIELD(financial_owner),
	FIELD(max_discount_percent), { NULL, NULL, 0 }
};
#undef FIELD

/* s as a percent 0..100 ("" is 0); -1 when it is none. */
static int
percent(const char *s)
{
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	return check_number(s, 0, 100, &n) ? (int)n : -1;
}

/* The user named login (username or e-mail) among those v sees, of the
 * account at account_path ("" any): their id, 0 none, -1 error. */
static int64_t
user_by_login(const struct viewer *v, const char *login,
    const char *account_path)
{
	struct db_stmt *s = db_stmt(v->db, STMT_UGROUP_USER_BY_LOGIN);
	int64_t id = 0;
	int rc;

	db_bind_text(s, ":login", login);
	perm_bind_scope(s, &v->scope);
	db_bind_text(s, ":account_path", account_path);
	db_bind_text(s, ":account_end", *account_path != '\0' ?
	    perm_subtree_end(v->arena, account_path) : "");
	if ((rc = db_step(v->db, s)) == DB_ROW)
		id = db_col_int(s, 0);
	db_reset(s);
	return rc == DB_ROW ? id : rc == DB_DONE ? 0 : -1;
}

/* The rules of a group, inside the transaction: its account's path in
 * *account_path, its owner in *owner, its cap in *cap. 0, or -1. */
static int
check_group(const struct viewer *v, int64_t id, const struct ugroup_input *in,
    struct ugroup_errors *e, const char **account_path, int64_t *owner,
    int *cap)
{
	bool account = in->scope != NULL && strcmp(in->scope, "account") == 0;
	size_t chars = check_chars(in->name);
	struct db_stmt *s;
	int rc;

	*account_path = "";
	*owner = 0;
	if (!check_plain(in->name, false) || chars == 0 ||
	    chars > NAME_MAX_CHARS)
		check_fail(&e->name, 400, "Give the group a name of 1 to 200 "
		    "characters on one line.");
	if (!check_plain(in->description, true) ||
	    check_chars(in->description) > DESCRIPTION_MAX_CHARS)
		check_fail(&e->description, 400, "Use at most 1,000 "
		    "characters.");
	if (!account && (in->scope == NULL || strcmp(in->scope, "all") != 0))
		check_fail(&e->scope, 400, "Choose all accounts or one "
		    "account.");
	if (account) {
		s = db_stmt(v->db, STMT_UGROUP_ACCOUNT);
		db_bind_int(s, ":id", in->account_id);
		if ((rc = db_step(v->db, s)) == DB_ROW)
			*account_path = arena_printf(v->arena, "/%lld/",
			    (long long)in->account_id);
		db_reset(s);
		if (rc != DB_ROW && rc != DB_DONE)
			return -1;
		if (rc == DB_DONE)
			check_fail(&e->account_id, 400, "Choose the account "
			    "of the group.");
	} else if (in->auto_assign)
		check_fail(&e->auto_assign, 400, "Only a group of one account "
		    "can take that account's new users.");
	if ((*cap = percent(in->max_discount)) < 0)
		check_fail(&e->max_discount_percent, 400, "Enter a whole "
		    "percent from 0 to 100.");
	if (*in->financial_owner != '\0') {
		if ((*owner = user_by_login(v, in->financial_owner,
		    *account_path)) < 0)
			return -1;
		if (*owner == 0)
			check_fail(&e->financial_owner, 400, account ?
			    "There is no user of this account with that "
			    "username or e-mail." : "There is no user with "
			    "that username or e-mail.");
	}
	/* a group that changes account keeps none of another's */
	if (id != 0 && account && **account_path != '\0') {
		int64_t users = 0, devices = 0;

		s = db_stmt(v->db, STMT_UGROUP_OUTSIDE);
		db_bind_int(s, ":id", id);
		db_bind_text(s, ":account_path", *account_path);
		db_bind_text(s, ":account_end", perm_subtree_end(v->arena,
		    *account_path));
		if ((rc = db_step(v->db, s)) == DB_ROW) {
			users = db_col_int(s, 0);
			devices = db_col_int(s, 1);
		}
		db_reset(s);
		if (rc != DB_ROW)
			return -1;
		if (users + devices > 0)
			check_fail(&e->account_id, 409, arena_printf(v->arena,
			    "%lld member%s and %lld device%s of the group are "
			    "of other accounts: remove them first, or make a "
			    "new group.", (long long)users, users == 1 ? "" :
			    "s", (long long)devices, devices == 1 ? "" : "s"));
	}
	if (e->name.msg != NULL || (account && **account_path == '\0'))
		return 0;
	s = db_stmt(v->db, STMT_UGROUP_NAME_TAKEN);
	db_bind_text(s, ":name", in->name);
	if (account)
		db_bind_int(s, ":account_id", in->account_id);
	else
		db_bind_null(s, ":account_id");
	db_bind_int(s, ":id", id);
	if ((rc = db_exists(v->db, s)) < 0)
		return -1;
	if (rc == 1)
		check_fail(&e->name, 409, "Another group of this scope has "
		    "this name.");
	return 0;
}

enum model_result
ugroup_save(const struct viewer *v, int64_t id, const struct ugroup_input *in,
    struct ugroup_errors *e, int64_t *saved)
{
	struct user_group cur;
	const char *account_path;
	bool account = in->scope != NULL && strcmp(in->scope, "account") == 0;
	struct db_stmt *s;
	int64_t owner;
	bool failed;
	int cap, rc;

	memset(e, 0, sizeof(*e));
	if (!operator(v))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if (id != 0 && (rc = ugroup_get(v, id, &cur)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	failed = check_group(v, id, in, e, &account_path, &owner, &cap) != 0;
	if (!failed && check_count(e, ugroup_error_fields) == 0) {
		s = db_stmt(v->db, id == 0 ? STMT_UGROUP_INSERT :
		    STMT_UGROUP_UPDATE);
		if (id != 0)
			db_bind_int(s, ":id", id);
		db_bind_text(s, ":name", in->name);
		db_bind_text(s, ":description", in->description);
		if (account)
			db_bind_int(s, ":account_id", in->account_id);
		else
			db_bind_null(s, ":account_id");
		db_bind_int(s, ":auto_assign", account && in->auto_assign);
		if (owner != 0)
			db_bind_int(s, ":financial_owner_id", owner);
		else
			db_bind_null(s, ":financial_owner_id");
		db_bind_int(s, ":max_discount", cap);
		/* a lower cap lowers the discount given under the old one */
		db_bind_int(s, ":discount", id != 0 && cur.discount < cap ?
		    cur.discount : id != 0 ? cap : 0);
		db_bind_int(s, ":now", v->now);
		failed = db_exec(v->db, s) != 0;
		if (!failed) {
			event_log(v, id == 0 ? "user_group_created" :
			    "user_group_updated", 0, perm_actor(v),
			    arena_printf(v->arena, "\"%s\" (%s)", in->name,
			    account ? "one account" : "all accounts"));
			*saved = id != 0 ? id : db_last_id(v->db);
		}
	}
	return db_finish(v->db, failed, e, ugroup_error_fields);
}

enum model_result
ugroup_delete(const struct viewer *v, int64_t id, struct user_group *gone)
{
	struct db_stmt *s;
	int rc;

	if (!operator(v))
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = ugroup_get(v, id, gone)) != 1) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	s = db_stmt(v->db, STMT_UGROUP_DELETE);
	db_bind_int(s, ":id", id);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "user_group_deleted", 0, perm_actor(v),
	    arena_printf(v->arena, "\"%s\": %lld members and %lld devices "
	    "detached", gone->name, (long long)gone->members,
	    (long long)gone->devices));
	return db_finish(v->db, false, NULL, NULL);
}

/* ------------------------------------------- account administrators */

/* Group id, if v sees it, into *g inside an open transaction: MODEL_DONE
 * when v edits it; MODEL_NOT_FOUND; MODEL_INVALID with a 403 in e when
 * v sees it read-only; MODEL_FAILED. Rolls back unless MODEL_DONE. */
static enum model_result
editable_group(const struct viewer *v, int64_t id, struct user_group *g,
    struct check_error *e)
{
	int rc = ugroup_get(v, id, g);

	if (rc == 1 && g->editable)
		return MODEL_DONE;
	db_rollback(v->db);
	if (rc != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	check_fail(e, 403, g->account_id == 0 ? "This group is for all "
	    "accounts: only an operator changes it or its members." :
	    "Your permission groups do not allow changing this group.");
	return MODEL_INVALID;
}

enum model_result
ugroup_set_discount(const struct viewer *v, int64_t id, const char *text,
    struct check_error *e)
{
	struct user_group g;
	enum model_result r;
	struct db_stmt *s;
	int n;

	memset(e, 0, sizeof(*e));
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((r = editable_group(v, id, &g, e)) != MODEL_DONE)
		return r;
	if (!g.discount_editable) {
		check_fail(e, 403, g.account_id == 0 ? "An all-accounts "
		    "group's discount is its cap: change it on the group's "
		    "definition." : "The discount is set by the account's "
		    "administrators at the account itself.");
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	if (text == NULL || *text == '\0' || (n = percent(text)) < 0 ||
	    n > g.max_discount) {
		check_fail(e, 400, g.max_discount == 0 ? "The operator allows "
		    "no discount for this group: enter 0." : arena_printf(
		    v->arena, "Enter a whole percent from 0 to %d, the "
		    "operator's limit for this group.", g.max_discount));
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	s = db_stmt(v->db, STMT_UGROUP_SET_DISCOUNT);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":discount", n);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "user_group_discount_set", 0, perm_actor(v),
	    arena_printf(v->arena, "\"%s\": %d%% (was %d%%)", g.name, n,
	    g.discount));
	return db_finish(v->db, false, NULL, NULL);
}

/* What a paste adds to a group: its users or its devices. */
struct paste_kind {
	enum stmt_id find;	/* :login, the scope, :account_path/_end */
	enum stmt_id add;	/* :id, :user_id (the row found) */
	enum stmt_id remove;	/* :id, :user_id, the scope */
	const char *what;	/* "usernames or e-mail addresses" */
	const char *added;	/* the event */
	const char *removed;
};

static const struct paste_kind members_kind = {
	STMT_UGROUP_USER_BY_LOGIN, STMT_UGROUP_MEMBER_ADD,
	STMT_UGROUP_MEMBER_REMOVE, "usernames or e-mail addresses of the "
	"users", "user_group_members_added", "user_group_member_removed"
};
static const struct paste_kind devices_kind = {
	STMT_UGROUP_DEVICE_BY_IDENT, STMT_UGROUP_DEVICE_ADD,
	STMT_UGROUP_DEVICE_REMOVE, "unit ids or device ids of the devices",
	"user_group_devices_added", "user_group_device_removed"
};

static enum model_result
add_pasted(const struct viewer *v, const struct paste_kind *k, int64_t id,
    const char *text, bool dry_run, struct ugroup_paste *out,
    struct check_error *e)
{
	struct user_group g;
	enum model_result r;
	const char **logins, *account_path, *name;
	struct db_stmt *s;
	size_t n, i;
	int64_t found;
	bool failed = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(e, 0, sizeof(*e));
	n = device_split_ids(v->arena, text, UGROUP_PASTE_MAX, &logins);
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((r = editable_group(v, id, &g, e)) != MODEL_DONE)
		return r;
	if (n == 0 || n > UGROUP_PASTE_MAX) {
		check_fail(e, 400, n == 0 ? arena_printf(v->arena, "Paste the "
		    "%s to add.", k->what) : "Paste at most 500 at once.");
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	account_path = g.account_id != 0 ? arena_printf(v->arena, "/%lld/",
	    (long long)g.account_id) : "";
	out->items = arena_calloc(v->arena, n, sizeof(*out->items));
	for (i = 0; i < n && !failed; i++) {
		struct ugroup_paste_item *it = &out->items[out->n++];

		it->login = logins[i];
		s = db_stmt(v->db, k->find);
		db_bind_text(s, ":login", logins[i]);
		perm_bind_scope(s, &v->scope);
		db_bind_text(s, ":account_path", account_path);
		db_bind_text(s, ":account_end", *account_path != '\0' ?
		    perm_subtree_end(v->arena, account_path) : "");
		found = 0;
		name = NULL;
		if ((rc = db_step(v->db, s)) == DB_ROW) {
			found = db_col_int(s, 0);
			name = db_text(v->arena, s, 1);
		}
		db_reset(s);
		if (rc != DB_ROW && rc != DB_DONE) {
			failed = true;
			break;
		}
		it->match = name;
		if (found == 0) {
			it->result = UGROUP_NOT_FOUND;
			out->not_found++;
			continue;
		}
		s = db_stmt(v->db, k->add);
		db_bind_int(s, ":id", id);
		db_bind_int(s, ":user_id", found);
		failed = db_exec(v->db, s) != 0;
		/* a second mention of one is "already" too */
		it->result = db_changes(v->db) == 1 ? UGROUP_ADDED :
		    UGROUP_ALREADY;
		if (it->result == UGROUP_ADDED)
			out->added++;
		else
			out->already++;
	}
	if (failed || dry_run) {
		db_rollback(v->db);
		return failed ? MODEL_FAILED : MODEL_DONE;
	}
	if (out->added > 0)
		event_log(v, k->added, 0, perm_actor(v), arena_printf(v->arena,
		    "\"%s\": %zu added", g.name, out->added));
	return db_finish(v->db, false, NULL, NULL);
}

enum model_result
ugroup_add_members(const struct viewer *v, int64_t id, const char *text,
    bool dry_run, struct ugroup_paste *out, struct check_error *e)
{
	return add_pasted(v, &members_kind, id, text, dry_run, out, e);
}

enum model_result
ugroup_add_devices(const struct viewer *v, int64_t id, const char *text,
    bool dry_run, struct ugroup_paste *out, struct check_error *e)
{
	return add_pasted(v, &devices_kind, id, text, dry_run, out, e);
}

static enum model_result
remove_one(const struct viewer *v, const struct paste_kind *k, int64_t id,
    int64_t row, struct check_error *e)
{
	struct user_group g;
	enum model_result r;
	struct db_stmt *s;

	memset(e, 0, sizeof(*e));
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((r = editable_group(v, id, &g, e)) != MODEL_DONE)
		return r;
	s = db_stmt(v->db, k->remove);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":user_id", row);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	if (db_changes(v->db) == 0) {
		db_rollback(v->db);
		return MODEL_NOT_FOUND;
	}
	event_log(v, k->removed, k == &members_kind ? row : 0, perm_actor(v),
	    arena_printf(v->arena, "\"%s\"%s", g.name, k == &members_kind ?
	    "" : arena_printf(v->arena, ": device %lld", (long long)row)));
	return db_finish(v->db, false, NULL, NULL);
}

enum model_result
ugroup_remove_member(const struct viewer *v, int64_t id, int64_t user_id,
    struct check_error *e)
{
	return remove_one(v, &members_kind, id, user_id, e);
}

enum model_result
ugroup_remove_device(const struct viewer *v, int64_t id, int64_t device_id,
    struct check_error *e)
{
	return remove_one(v, &devices_kind, id, device_id, e);
}

int
ugroup_devices(const struct viewer *v, int64_t id, int64_t after,
    struct ugroup_device **out, size_t *n, bool *more)
{
	struct user_group g;
	struct db_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	*more = false;
	if ((rc = ugroup_get(v, id, &g)) != 1)
		return rc;
	*out = arena_calloc(v->arena, UGROUP_PAGE_SIZE + 1, sizeof(**out));
	s = db_stmt(v->db, STMT_UGROUP_DEVICES);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":after", after);
	db_bind_int(s, ":limit", UGROUP_PAGE_SIZE + 1);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		struct ugroup_device *d = &(*out)[(*n)++];

		d->id = db_col_int(s, 0);
		d->unit_id = db_text(v->arena, s, 1);
		d->name = db_text(v->arena, s, 2);
		d->vehicle_name = db_text(v->arena, s, 3);
	}
	db_reset(s);
	if ((*more = *n > UGROUP_PAGE_SIZE))
		*n = UGROUP_PAGE_SIZE;
	return rc == DB_DONE ? 1 : -1;
}

int
ugroup_members(const struct viewer *v, int64_t id, int64_t after,
    struct ugroup_member **out, size_t *n, bool *more)
{
	struct user_group g;
	struct db_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	*more = false;
	if ((rc = ugroup_get(v, id, &g)) != 1)
		return rc;
	*out = arena_calloc(v->arena, UGROUP_PAGE_SIZE + 1, sizeof(**out));
	s = db_stmt(v->db, STMT_UGROUP_MEMBERS);
	db_bind_int(s, ":id", id);
	db_bind_int(s, ":after", after);
	db_bind_int(s, ":limit", UGROUP_PAGE_SIZE + 1);
	perm_bind_scope(s, &v->scope);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		struct ugroup_member *m = &(*out)[(*n)++];

		m->id = db_col_int(s, 0);
		m->username = db_text(v->arena, s, 1);
		m->email = db_text(v->arena, s, 2);
		m->full_name = db_text(v->arena, s, 3);
		m->active = db_col_int(s, 4) != 0;
	}
	db_reset(s);
	if ((*more = *n > UGROUP_PAGE_SIZE))
		*n = UGROUP_PAGE_SIZE;
	return rc == DB_DONE ? 1 : -1;
}

int
ugroup_auto_assign(const struct viewer *v, int64_t user_id,
    int64_t customer_id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_UGROUP_AUTO_ASSIGN);

	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":customer_id", customer_id);
	return db_exec(v->db, s);
}

/* Group name onto out's list, which grows in v's arena. */
static void
effect_add(const struct viewer *v, struct ugroup_effect *out, size_t *cap,
    const char *name)
{
	const char **grown;

	if (out->ngroups == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = arena_calloc(v->arena, *cap, sizeof(*grown));
		if (out->ngroups > 0)
			memcpy(grown, out->groups,
			    out->ngroups * sizeof(*grown));
		out->groups = grown;
	}
	out->groups[out->ngroups++] = name;
}

int
ugroup_effects(const struct viewer *v, const int64_t *ids, size_t n,
    struct ugroup_effect *out)
{
	struct db_stmt *s = db_stmt(v->db, STMT_UGROUP_OF_USERS);
	int64_t *owner = arena_calloc(v->arena, n + 1, sizeof(*owner)), user;
	size_t *cap = arena_calloc(v->arena, n + 1, sizeof(*cap)), i;
	int rc;

	memset(out, 0, n * sizeof(*out));
	db_bind_ids(s, ":ids", ids, n);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		user = db_col_int(s, 0);
		for (i = 0; i < n && ids[i] != user; i++)
			;
		if (i == n)
			continue;
		/* each user's first row is the most favourable (sql.h) */
		if (out[i].ngroups == 0) {
			out[i].discount = (int)db_col_int(s, 2);
			owner[i] = db_col_int(s, 3);
		}
		effect_add(v, &out[i], &cap[i], db_text(v->arena, s, 1));
	}
	db_reset(s);
	if (rc != DB_DONE)
		return -1;
	for (i = 0; i < n; i++) {
		out[i].financial_owner = owner[i] != 0 ?
		    user_name_for(v, owner[i]) : NULL;
		out[i].financial_owner_hidden = owner[i] != 0 &&
		    out[i].financial_owner == NULL;
	}
	return 0;
}

int
ugroup_effect(const struct viewer *v, int64_t user_id,
    struct ugroup_effect *out)
{
	return ugroup_effects(v, &user_id, 1, out);
}

/* ------------------------------------------------- the user form */

/* The account whose groups v sets on users' forms: v's own, if v
 * administers users (ACT_USER_GROUPS); 0 none (operators, readers). */
static int64_t
form_account(const struct viewer *v)
{
	return !operator(v) && perm_allows(v, ACT_USER_GROUPS) ?
	    viewer_account(v) : 0;
}

/*
 * What the user form and the device form set alike (seed 004: who is in
 * a group, and which devices it opens): the groups a member's form
 * shows, membership's insert and delete (both bind the member as
 * :user_id), and the event of a change.
 */
struct member_kind {
	enum stmt_id choices, add, drop;
	const char *event;
};
static const struct member_kind of_user = { STMT_UGROUP_CHOICES,
	STMT_UGROUP_MEMBER_ADD, STMT_UGROUP_MEMBER_DROP, "user_groups_set" };
static const struct member_kind of_device = { STMT_UGROUP_DEVICE_CHOICES,
	STMT_UGROUP_DEVICE_ADD, STMT_UGROUP_DEVICE_DROP,
	"device_user_groups_set" };

bool
ugroup_sets_on_forms(const struct viewer *v)
{
	return form_account(v) != 0;
}

static int
choices(const struct viewer *v, const struct member_kind *k,
    int64_t member_id, struct ugroup_choice **out, size_t *n)
{
	int64_t account = form_account(v);
	struct db_stmt *s;
	size_t cap = 16;
	int rc;

	*n = 0;
	*out = arena_calloc(v->arena, cap, sizeof(**out));
	if (operator(v) || !perm_may_read(v, ACT_USER_GROUPS))
		return 0;
	if (account == 0)
		account = viewer_account(v);
	s = db_stmt(v->db, k->choices);
	db_bind_int(s, ":account_id", account);
	db_bind_int(s, ":user_id", member_id);
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		struct ugroup_choice *c;

		if (*n == cap) {
			struct ugroup_choice *grown = arena_calloc(v->arena,
			    cap * 2, sizeof(*grown));

			memcpy(grown, *out, cap * sizeof(*grown));
			*out = grown;
			cap *= 2;
		}
		c = &(*out)[(*n)++];
		c->id = db_col_int(s, 0);
		c->name = db_text(v->arena, s, 1);
		c->member = db_col_int(s, 2) != 0;
		c->editable = db_col_int(s, 3) != 0 &&
		    form_account(v) != 0;
		c->auto_assign = db_col_int(s, 4) != 0;
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
ugroup_choices(const struct viewer *v, int64_t user_id,
    struct ugroup_choice **out, size_t *n)
{
	return choices(v, &of_user, user_id, out, n);
}

int
ugroup_device_choices(const struct viewer *v, int64_t device_id,
    struct ugroup_choice **out, size_t *n)
{
	return choices(v, &of_device, device_id, out, n);
}

int
ugroup_settable(const struct viewer *v, const int64_t *ids, size_t n)
{
	struct ugroup_choice *c;
	size_t nc, i, j;

	if (n == 0)
		return 1;
	if (form_account(v) == 0)
		return 0;
	if (ugroup_choices(v, 0, &c, &nc) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < nc && !(c[j].editable && c[j].id == ids[i]);
		    j++)
			;
		if (j == nc)
			return 0;
	}
	return 1;
}

/* Make member_id (a user or a device, as k says) a member of exactly
 * the groups ids among those v sets on its form; the event names what
 * (the user's id, or text naming the device). 0, or -1. */
static int
set_for(const struct viewer *v, const struct member_kind *k,
    int64_t member_id, int64_t event_user, const char *what,
    const int64_t *ids, size_t n)
{
	struct ugroup_choice *c;
	struct buf joined, left;
	struct db_stmt *s;
	size_t nc, i, j;
	bool want;

	if (form_account(v) == 0)
		return 0;
	if (choices(v, k, member_id, &c, &nc) != 0)
		return -1;
	buf_init(&joined, v->arena);
	buf_init(&left, v->arena);
	for (i = 0; i < nc; i++) {
		if (!c[i].editable)
			continue;
		for (j = 0, want = false; j < n && !want; j++)
			want = ids[j] == c[i].id;
		if (want == c[i].member)
			continue;
		s = db_stmt(v->db, want ? k->add : k->drop);
		db_bind_int(s, ":id", c[i].id);
		db_bind_int(s, ":user_id", member_id);
		if (db_exec(v->db, s) != 0)
			return -1;
		buf_printf(want ? &joined : &left, "%s\"%s\"",
		    (want ? joined.len : left.len) ? ", " : "", c[i].name);
	}
	if (joined.len + left.len > 0)
		event_log(v, k->event, event_user, perm_actor(v),
		    arena_printf(v->arena, "%sjoined %s; left %s", what,
		    joined.len ? joined.data : "none",
		    left.len ? left.data : "none"));
	return 0;
}

int
ugroup_set_for_user(const struct viewer *v, int64_t user_id,
    const int64_t *ids, size_t n)
{
	return set_for(v, &of_user, user_id, user_id, "", ids, n);
}

int
ugroup_set_for_device(const struct viewer *v, int64_t device_id,
    const char *unit_id, const int64_t *ids, size_t n)
{
	return set_for(v, &of_device, device_id, 0, arena_printf(v->arena,
	    "device %s: ", unit_id), ids, n);
}

