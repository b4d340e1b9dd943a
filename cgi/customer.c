/*
 * customer.c - the customer tree: its reads, and the one flow that
 * creates, moves and updates customers for the pages, the API and
 * arborctl.
 */
#include "customer.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "perm.h"
#include "principal.h"

#define NAME_MAX_CHARS 200

/* The settings of f that an INSERT and an UPDATE store alike (the owner
 * e-mail depends on where the customer is: the callers bind it). */
static void
bind_fields(struct db_stmt *s, const struct customer_fields *f)
{
	db_bind_text(s, ":name", f->name);
	db_bind_text(s, ":email", f->email);
	db_bind_text(s, ":country", f->country);
	db_bind_text(s, ":time_zone", f->time_zone);
	db_bind_text(s, ":time_format", f->time_format);
	db_bind_text(s, ":units", f->units);
	db_bind_int(s, ":require_mfa", f->require_mfa);
}

int64_t
customer_create(struct db *db, int64_t now, int64_t parent_id,
    const struct customer_fields *f)
{
	struct db_stmt *s;
	char parent_path[4096] = "/", path[4096 + 32];
	int64_t depth = 0, id;
	int n;

	if (parent_id != 0) {
		s = db_stmt(db, STMT_CUSTOMER_PATH);
		db_bind_int(s, ":id", parent_id);
		if (db_step(db, s) != DB_ROW) {
			db_reset(s);
			return 0;
		}
		n = snprintf(parent_path, sizeof(parent_path), "%s",
		    db_col_text(s, 0));
		depth = db_col_int(s, 1) + 1;
		db_reset(s);
		if (n < 0 || (size_t)n >= sizeof(parent_path))
			return 0;
	}
	s = db_stmt(db, STMT_CUSTOMER_INSERT);
	if (parent_id != 0)
		db_bind_int(s, ":parent_id", parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_int(s, ":depth", depth);
	bind_fields(s, f);
	db_bind_text(s, ":owner_email", parent_id ? NULL : f->owner_email);
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

/* Names known to one list, by customer id: open addressing, a table a
 * page's rows never fill (past PATHS_FULL, names are read each time). */
#define PATHS_SLOTS 512
#define PATHS_FULL 384
#define PATHS_SPARE PATHS_SLOTS	/* past the table: a name not kept */
struct customer_paths {
	int64_t ids[PATHS_SLOTS];	/* 0: free */
	const char *names[PATHS_SLOTS + 1];
	const char *paths[PATHS_SLOTS + 1];	/* NULL: not read */
	bool require_mfa[PATHS_SLOTS + 1];
	size_t n;
	int64_t wanted[PATHS_FULL];	/* for customer_paths_read() */
	size_t nwanted;
};

struct customer_paths *
customer_paths_new(const struct viewer *v)
{
	return arena_calloc(v->arena, 1, sizeof(struct customer_paths));
}

/* The slot of customer id in paths, or PATHS_SLOTS when it has none. */
static size_t
slot_of(const struct customer_paths *paths, int64_t id)
{
	size_t slot = (size_t)id % PATHS_SLOTS;

	while (paths->ids[slot] != 0) {
		if (paths->ids[slot] == id)
			return slot;
		slot = (slot + 1) % PATHS_SLOTS;
	}
	return PATHS_SLOTS;
}

/* A slot for customer id, which has none: PATHS_SPARE, good until the
 * next call, when the table is full. */
static size_t
new_slot(struct customer_paths *paths, int64_t id)
{
	size_t slot = (size_t)id % PATHS_SLOTS;

	if (paths->n >= PATHS_FULL)
		return PATHS_SPARE;
	while (paths->ids[slot] != 0)
		slot = (slot + 1) % PATHS_SLOTS;
	paths->n++;
	paths->ids[slot] = id;
	paths->paths[slot] = NULL;
	return slot;
}

/* The slot of customer id in paths, its name and require_mfa read from
 * the database if they were not there ("" and false if it does not
 * exist). */
static size_t
known(const struct viewer *v, struct customer_paths *paths, int64_t id)
{
	size_t slot = slot_of(paths, id);
	struct db_stmt *s;
	bool found;

	if (slot != PATHS_SLOTS)
		return slot;
	slot = new_slot(paths, id);
	s = db_stmt(v->db, STMT_CUSTOMER_NAME);
	db_bind_int(s, ":id", id);
	found = db_step(v->db, s) == DB_ROW;
	paths->names[slot] = found ? db_text(v->arena, s, 0) : "";
	paths->require_mfa[slot] = found && db_col_int(s, 1) != 0;
	db_reset(s);
	return slot;
}

void
customer_paths_want_id(struct customer_paths *paths, int64_t id)
{
	size_t i;

	if (id <= 0 || slot_of(paths, id) != PATHS_SLOTS ||
	    paths->nwanted == PATHS_FULL)
		return;
	for (i = 0; i < paths->nwanted; i++)
		if (paths->wanted[i] == id)
			return;
	paths->wanted[paths->nwanted++] = id;
}

void
customer_paths_want(struct customer_paths *paths, const char *path)
{
	const char *c;

	for (c = path; *c == '/' && c[1] != '\0';)
		customer_paths_want_id(paths, strtoll(c + 1, (char **)&c, 10));
}

/*
 * Two rounds at most: the customers wanted, then those on the paths of
 * customers wanted by id, which the first round brought.
 */
int
customer_paths_read(const struct viewer *v, struct customer_paths *paths)
{
	struct db_stmt *s;
	size_t slot;
	int round, rc = DB_DONE;

	for (round = 0; round < 2 && paths->nwanted > 0; round++) {
		s = db_stmt(v->db, STMT_CUSTOMER_NAMES);
		db_bind_ids(s, ":ids", paths->wanted, paths->nwanted);
		paths->nwanted = 0;
		while ((rc = db_step(v->db, s)) == DB_ROW) {
			if (slot_of(paths, db_col_int(s, 0)) != PATHS_SLOTS ||
			    (slot = new_slot(paths, db_col_int(s, 0))) ==
			    PATHS_SPARE)
				continue;
			paths->names[slot] = db_text(v->arena, s, 1);
			paths->require_mfa[slot] = db_col_int(s, 2) != 0;
			paths->paths[slot] = db_text(v->arena, s, 3);
			customer_paths_want(paths, paths->paths[slot]);
		}
		db_reset(s);
		if (rc != DB_DONE)
			return -1;
	}
	return 0;
}

const char *
customer_paths_label(const struct viewer *v, struct customer_paths *paths,
    const char *path, bool *mfa_required)
{
	int64_t depth = 0, id;
	size_t slot;
	const char *c;
	struct buf b;

	buf_init(&b, v->arena);
	buf_puts(&b, "");
	*mfa_required = false;
	/* '/1/5/23/': the ids from the account down; the names above the
	 * top of v's view are not v's to see (a requirement from there
	 * holds all the same) */
	for (c = path; *c == '/' && c[1] != '\0'; depth++) {
		id = strtoll(c + 1, (char **)&c, 10);
		slot = known(v, paths, id);
		*mfa_required = *mfa_required || paths->require_mfa[slot];
		if (depth < v->top_depth)
			continue;
		if (b.len > 0)
			buf_puts(&b, " \xe2\x80\xba ");	/* › */
		buf_puts(&b, paths->names[slot]);
	}
	return b.data;
}

const char *
customer_paths_text(const struct viewer *v, struct customer_paths *paths,
    int64_t customer_id)
{
	size_t slot = slot_of(paths, customer_id);
	struct db_stmt *s;
	const char *path;
	bool mfa;

	if (slot != PATHS_SLOTS && paths->paths[slot] != NULL)
		path = paths->paths[slot];
	else {
		s = db_stmt(v->db, STMT_CUSTOMER_PATH);
		db_bind_int(s, ":id", customer_id);
		path = db_step(v->db, s) == DB_ROW ? db_text(v->arena, s, 0) :
		    "";
		db_reset(s);
	}
	return customer_paths_label(v, paths, path, &mfa);
}

const char *
customer_path_text(const struct viewer *v, int64_t customer_id)
{
	return customer_paths_text(v, customer_paths_new(v), customer_id);
}

int64_t
customer_scope_size(const struct viewer *v)
{
	struct db_stmt *s = db_stmt(v->db, STMT_CUSTOMERS_IN_SCOPE);
	int64_t n = -1;

	perm_bind_scope(s, &v->scope);
	db_bind_int(s, ":customer_id", 0);
	if (db_step(v->db, s) == DB_ROW)
		n = db_col_int(s, 0);
	db_reset(s);
	return n;
}

ssize_t
customer_choices(const struct viewer *v, const char *exclude_path,
    struct customer_choice **out)
{
	struct arena *a = v->arena;
	struct db_stmt *s = db_stmt(v->db, STMT_CUSTOMER_OPTIONS);
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
	while ((rc = db_step(v->db, s)) == DB_ROW) {
		id = db_col_int(s, 0);
		depth = db_col_int(s, 1);
		path = db_col_text(s, 3);
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
	db_reset(s);
	*out = list;
	return rc == DB_DONE ? (ssize_t)n : -1;
}

/* ------------------------------------------------------------ reads */

/* The sort keys, and per key its statements of sql.h in each plan. */
#define SORT_NAME(X_, KEY, name, col, index) name,
const char *const customer_sort_keys[] = {
	CUSTOMER_SORTS(SORT_NAME, _) NULL
};
#undef SORT_NAME
/* a row of a plan's statements: the sort key's, ascending and descending */
#define PLAN_ROW(KEY, PLAN) \
	{ STMT_CUSTOMER_LIST_##KEY##_ASC_##PLAN, \
	    STMT_CUSTOMER_LIST_##KEY##_DESC_##PLAN },
#define ROW_SCOPE(X_, KEY, name, col, index) PLAN_ROW(KEY, SCOPE)
#define ROW_SCAN(X_, KEY, name, col, index) PLAN_ROW(KEY, SCAN)
#define ROW_HITS(X_, KEY, name, col, index) PLAN_ROW(KEY, HITS)
static const enum stmt_id plan_scope[][2] = { CUSTOMER_SORTS(ROW_SCOPE, _) };
static const enum stmt_id plan_scan[][2] = { CUSTOMER_SORTS(ROW_SCAN, _) };
static const enum stmt_id plan_hits[][2] = { CUSTOMER_SORTS(ROW_HITS, _) };
#undef PLAN_ROW
#undef ROW_SCOPE
#undef ROW_SCAN
#undef ROW_HITS

/* A row of CUSTOMER_LIST_PAGE: id, name, email, country, require_mfa,
 * users. */
static void
fill_list_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct customer *c = row;

	memset(c, 0, sizeof(*c));
	c->id = db_col_int(s, 0);
	c->name = db_text(a, s, 1);
	c->email = db_text(a, s, 2);
	c->country = db_text(a, s, 3);
	c->require_mfa = db_col_int(s, 4) != 0;
	c->users = db_col_int(s, 5);
}

/* A row of CUSTOMER_COLUMNS (or CUSTOMER_COLUMNS_MFA). */
static void
fill_row(struct db_stmt *s, struct arena *a, void *row)
{
	struct customer *c = row;

	memset(c, 0, sizeof(*c));
	c->id = db_col_int(s, 0);
	c->parent_id = db_col_int(s, 1);
	c->path = db_text(a, s, 2);
	c->depth = db_col_int(s, 3);
	c->name = db_text(a, s, 4);
	c->email = db_text(a, s, 5);
	c->owner_email = db_text_or_null(a, s, 6);
	c->country = db_text(a, s, 7);
	c->time_zone = db_text(a, s, 8);
	c->time_format = db_text(a, s, 9);
	c->units = db_text(a, s, 10);
	c->require_mfa = db_col_int(s, 11) != 0;
	c->mfa_required = db_col_int(s, 12) != 0;
	c->top = db_col_int(s, 13) != 0;
	c->created_at = db_col_int(s, 14);
	c->updated_at = db_col_int(s, 15);
}

/* A row of CUSTOMER_DETAIL: CUSTOMER_COLUMNS, then mfa_inherited, users
 * and children. */
static void
fill_detail(struct db_stmt *s, struct arena *a, void *row)
{
	struct customer *c = row;

	fill_row(s, a, row);
	c->mfa_inherited = db_col_int(s, 16) != 0;
	c->users = db_col_int(s, 17);
	c->children = db_col_int(s, 18);
}

/*
 * Choose the list's plan (sql.h): when the list holds a third of the
 * tree or more, reading customers in the sort key's order (the scan
 * plan) beats finding the scope's and sorting them; otherwise the
 * children of the customer filter, or a search's candidates when the
 * whole table has at most the count's bound of them, are read alone.
 * The count is the counters' without a search, else counted in the plan
 * up to LIST_COUNT_BOUND. 0 or -1.
 */
static int
choose_plan(const struct viewer *v, const struct list_query *lq,
    struct rows_list *l)
{
	int64_t rows = 0, tree = 0, hits;
	bool wide;

	/* the list's rows without a search (the scope, or the children of
	 * the customer filter) and the tree's, from the counters */
	if (rows_pair(v, STMT_CUSTOMER_LIST_SHARE, lq, &rows, &tree) != 0)
		return -1;
	wide = rows > 0 && rows * 3 >= tree;
	l->sorted = wide ? plan_scan : plan_scope;
	l->count = wide ? STMT_CUSTOMER_LIST_COUNT_SCAN :
	    STMT_CUSTOMER_LIST_COUNT_SCOPE;
	if (lq->search == LIST_SEARCH_NONE) {
		if (!wide && lq->customer_id != 0)
			l->sorted = plan_hits;
		l->count = STMT_CUSTOMER_LIST_COUNT_TREE;
		l->count_exact = true;
		return 0;
	}
	/* the search's candidates in the whole table, up to the bound */
	if ((hits = rows_candidates(v, STMT_CUSTOMER_HIT_CANDIDATES, lq)) < 0)
		return -1;
	if (hits <= LIST_COUNT_BOUND) {
		l->sorted = plan_hits;
		l->count = STMT_CUSTOMER_LIST_COUNT_HITS;
	}
	return 0;
}

int
customer_list(const struct viewer *v, const struct list_query *lq,
    struct rows_page *out)
{
	struct rows_list api = { STMT__MAX, false, NULL, 0,
	    STMT_CUSTOMER_API_LIST, sizeof(struct customer), fill_row };
	struct rows_list pages = { STMT__MAX, false, plan_scope,
	    sizeof(plan_scope) / sizeof(plan_scope[0]), STMT__MAX,
	    sizeof(struct customer), fill_list_row };
	struct list_query q = *lq;
	struct customer_paths *paths;
	struct customer *c;
	size_t i;
	int rc;

	/* customer_id: the nested customers of that one, on the pages (a
	 * customer page links there); the API's list and location_id know
	 * no such filter: ignored like any other parameter they do not know */
	if (q.keyset)
		q.customer_id = 0;
	q.location_id = 0;
	if (choose_plan(v, &q, &pages) != 0)
		return -1;
	/* the API: a search's candidates when they are few, else the scope
	 * in id order, from the table's order when it is most of it */
	if (q.keyset) {
		api.keyset = pages.sorted == plan_hits ?
		    STMT_CUSTOMER_API_HITS : pages.sorted == plan_scan ?
		    STMT_CUSTOMER_API_WIDE : STMT_CUSTOMER_API_LIST;
		return rows_read_list(v, &api, &q, out);
	}
	rc = rows_read_list(v, &pages, &q, out);
	if (rc != 1)
		return rc;
	/* the path of each row, after the list's statement is done */
	paths = customer_paths_new(v);
	for (i = 0, c = out->rows; i < out->n; i++)
		customer_paths_want_id(paths, c[i].id);
	if (customer_paths_read(v, paths) != 0)
		return -1;
	for (i = 0; i < out->n; i++)
		c[i].path_text = customer_paths_text(v, paths, c[i].id);
	return 1;
}

int
customer_get(const struct viewer *v, int64_t id, struct customer *c)
{
	return rows_read_one(v, STMT_CUSTOMER_DETAIL, id, fill_detail, c);
}

int
customer_new_parent(const struct viewer *v, int64_t want,
    struct customer *parent)
{
	int rc = want != 0 ? customer_get(v, want, parent) : 0;

	/* only an operator makes accounts: anyone else starts below their
	 * own customer */
	if (rc == 0 && !perm_allows(v, ACT_OPERATOR))
		rc = customer_get(v, v->user->customer_id, parent);
	return rc;
}

/* A row of ACCOUNTS_LIST. */
static void
fill_account(struct db_stmt *s, struct arena *a, void *row)
{
	struct customer_account *c = row;

	c->id = db_col_int(s, 0);
	c->name = db_text(a, s, 1);
	c->email = db_text(a, s, 2);
	c->owner_email = db_text(a, s, 3);
	c->customers = db_col_int(s, 4);
	c->users = db_col_int(s, 5);
}

int
customer_overview(const struct viewer *v, struct customer_overview *o)
{
	static const enum stmt_id by_name[][2] = {
		{ STMT_ACCOUNTS_LIST, STMT_ACCOUNTS_LIST } };
	static const struct rows_list accounts = { STMT__MAX, false, by_name, 1,
	    STMT__MAX, sizeof(struct customer_account), fill_account };
	struct list_query all;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((o->every_account = perm_allows(v, ACT_OPERATOR))) {
		memset(&all, 0, sizeof(all));
		return rows_read_list(v, &accounts, &all, &o->accounts);
	}
	if ((rc = rows_read_one(v, STMT_CUSTOMER_VISIBLE, v->user->customer_id,
	    fill_row, &o->own)) < 0)
		return -1;
	o->has_own = rc == 1;
	return 1;
}

/* ------------------------------------------------------------ the flow */

void
customer_input_init(struct customer_input *in, const struct customer *from,
    bool is_new)
{
	memset(in, 0, sizeof(*in));
	in->parent = PARENT_KEEP;
	in->require_mfa = -1;
	in->name = in->email = in->owner_email = "";
	if (from == NULL) {
		in->country = "";
		in->time_zone = "UTC";
		in->time_format = "24h";
		in->units = "metric";
		return;
	}
	if (!is_new) {
		in->name = from->name;
		in->email = from->email;
		if (from->owner_email != NULL)
			in->owner_email = from->owner_email;
	}
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

/*
 * Where given->parent puts the customer c->cur (id 0: a new one):
 * c->parent_id (0: an account) and c->parent, or an error at parent_id
 * (c->parent_id then stays where the customer is: its own parent, or none
 * for a new one). 0, or -1 on a database error.
 */
static int
resolve_parent(const struct viewer *v, const struct customer_input *given,
    struct customer_change *c, struct customer_errors *e)
{
	static const char *const not_listed = "Choose a customer from the "
	    "list.";
	const struct customer *cur = &c->cur;
	bool operator = perm_allows(v, ACT_OPERATOR);
	int rc;

	c->parent_id = cur->parent_id;
	if (cur->id != 0 && cur->top) {
		/* the top of the viewer's view: its parent is not theirs to
		 * see, let alone change ("none" is how it looks to them) */
		if (given->parent == PARENT_ID || given->parent == PARENT_BAD)
			check_fail(&e->parent_id, 403, "Your own customer is "
			    "the top of what you manage: it cannot be moved.");
		return 0;
	}
	switch (given->parent) {
	case PARENT_KEEP:
		/* a new customer needs a parent unless it is an account */
		if (cur->id == 0 && !operator)
			check_fail(&e->parent_id, 400, "Choose the customer to "
			    "create it under.");
		return 0;
	case PARENT_NONE:
		/* an account: only operators make or move to the top */
		if (!operator)
			check_fail(&e->parent_id, 403, cur->id != 0 ? "Choose "
			    "the customer to put it under." : "Choose the "
			    "customer to create it under.");
		else
			c->parent_id = 0;
		return 0;
	case PARENT_BAD:
		check_fail(&e->parent_id, 400, not_listed);
		return 0;
	case PARENT_ID:
		break;
	}
	if ((rc = customer_get(v, given->parent_id, &c->parent)) <= 0) {
		if (rc == 0)
			check_fail(&e->parent_id, 404, not_listed);
		return rc;
	}
	if (cur->id != 0 && strncmp(c->parent.path, cur->path,
	    strlen(cur->path)) == 0) {
		check_fail(&e->parent_id, 400, "A customer cannot be moved "
		    "under itself or a customer below it.");
		return 0;
	}
	c->parent_id = given->parent_id;
	return 0;
}

/* given over what an update keeps (the customer edited) or a new
 * customer starts with (its parent's settings), into *in. */
static void
complete_input(const struct customer_change *c,
    const struct customer_input *given, struct customer_input *in)
{
	const char *const text[] = { given->name, given->email,
	    given->owner_email, given->country, given->time_zone,
	    given->time_format, given->units };
	const char **slot[] = { &in->name, &in->email, &in->owner_email,
	    &in->country, &in->time_zone, &in->time_format, &in->units };
	size_t i;

	customer_input_init(in, c->cur.id != 0 ? &c->cur :
	    c->parent_id != 0 ? &c->parent : NULL, c->cur.id == 0);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text[i] != NULL)
			*slot[i] = text[i];
	in->parent = given->parent;
	in->parent_id = given->parent_id;
	in->require_mfa = given->require_mfa;
}

/* The rules of the fields that need no database. */
static void
check_fields(const struct viewer *v, const struct customer_input *in,
    struct customer_errors *e)
{
	const struct catalog *cat = &v->app->catalog;

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
	if (perm_allows(v, ACT_OPERATOR) && *in->owner_email != '\0' &&
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
 * The customer's own MFA flag where it is (to be): changed only by who
 * may enforce MFA, and only where nothing above already requires it (a
 * descendant never loosens); a move that lifts a requirement needs the
 * same right.
 */
static void
check_mfa(const struct viewer *v, const struct customer_input *in,
    struct customer_change *c, struct customer_errors *e)
{
	bool may_mfa = perm_allows(v, ACT_ENFORCE_MFA);
	bool old_flag = c->cur.require_mfa, own_flag;

	c->moved = c->cur.id != 0 && c->parent_id != c->cur.parent_id;
	c->inherited = c->cur.id != 0 && !c->moved ? c->cur.mfa_inherited :
	    c->parent_id != 0 && c->parent.mfa_required;
	if (in->require_mfa >= 0 && !may_mfa &&
	    (in->require_mfa == 1) != old_flag)
		check_fail(&e->require_mfa, 403, "Only an Account "
		    "Administrator can change this setting.");
	own_flag = may_mfa && !c->inherited && in->require_mfa >= 0 ?
	    in->require_mfa == 1 : old_flag;
	if (c->moved && (old_flag || c->cur.mfa_inherited) &&
	    !(own_flag || c->inherited) && !may_mfa)
		check_fail(&e->parent_id, 403, "There, this customer would no "
		    "longer require MFA; only an Account Administrator can "
		    "lift that requirement.");
	c->f.require_mfa = own_flag;
}

/* Whether given asks for nothing but the MFA flag of an existing
 * customer. */
static bool
mfa_only(const struct customer_change *c, const struct customer_input *given)
{
	return c->cur.id != 0 && given->name == NULL && given->email == NULL &&
	    given->owner_email == NULL && given->country == NULL &&
	    given->time_zone == NULL && given->time_format == NULL &&
	    given->units == NULL && given->parent == PARENT_KEEP;
}

/*
 * A nested customer's name unique among its siblings ignoring case (409),
 * checked when it is new, renamed or moved, so that a name taken before
 * this rule does not block other changes. Accounts are not compared, nor
 * the top of v's view with siblings v does not see. 0, or -1.
 */
static int
check_sibling_name(const struct viewer *v, const struct customer_change *c,
    const char *name, struct customer_errors *e)
{
	struct db_stmt *s;
	int rc;

	if (c->parent_id == 0 || e->name.status != 0 || (c->cur.id != 0 &&
	    !c->moved && strcmp(name, c->cur.name) == 0))
		return 0;
	s = db_stmt(v->db, STMT_CUSTOMER_SIBLING_NAMED);
	db_bind_int(s, ":parent_id", c->parent_id);
	db_bind_int(s, ":id", c->cur.id);
	db_bind_text(s, ":name", name);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_exists(v->db, s)) == 1)
		check_fail(&e->name, 409, "Another customer under the same "
		    "parent already has this name (ignoring upper and lower "
		    "case).");
	return rc < 0 ? -1 : 0;
}

/* Check given against c->cur and decide c (the values to store, where
 * to); the errors into *e. 0, or -1 on a database error. */
static int
decide(const struct viewer *v, const struct customer_input *given,
    struct customer_change *c, struct customer_errors *e)
{
	struct customer_input in;

	if (resolve_parent(v, given, c, e) != 0)
		return -1;
	complete_input(c, given, &in);
	check_fields(v, &in, e);
	check_mfa(v, &in, c, e);
	if (check_sibling_name(v, c, in.name, e) != 0)
		return -1;
	c->f.name = in.name;
	c->f.email = in.email;
	c->f.country = in.country;
	c->f.time_zone = in.time_zone;
	c->f.time_format = in.time_format;
	c->f.units = in.units;
	/* an account has an owner e-mail, set by operators only: theirs is
	 * the one typed or else the main e-mail; others keep what is */
	if (c->parent_id != 0)
		c->f.owner_email = NULL;
	else if (perm_allows(v, ACT_OPERATOR))
		c->f.owner_email = *in.owner_email != '\0' ? in.owner_email :
		    in.email;
	else
		c->f.owner_email = c->cur.owner_email;
	/* an Account Administrator without Nested Customer Administrator
	 * enforces MFA (ACT_ENFORCE_MFA) but changes nothing else: refused
	 * as a whole when the rest would pass */
	if (!perm_allows(v, ACT_CUSTOMERS) && !mfa_only(c, given) &&
	    check_count(e, customer_error_fields) == 0)
		check_fail(&e->name, 403, "Only a Nested Customer "
		    "Administrator can create customers or change their other "
		    "settings.");
	return 0;
}

/* The detail of a customer's events. */
static const char *
about(const struct viewer *v, int64_t id)
{
	return arena_printf(v->arena, "customer %lld", (long long)id);
}

/*
 * Move c->cur with everything below it to c->parent_id: one UPDATE gives
 * every row of the subtree the new path prefix and depth, and the
 * customer its parent and owner e-mail. 0, or -1 on a database error (or
 * nothing moved, which the checks rule out).
 */
static int
move_subtree(const struct viewer *v, const struct customer_change *c)
{
	const struct customer *cur = &c->cur;
	struct db_stmt *s = db_stmt(v->db, STMT_CUSTOMER_MOVE);
	const char *new_prefix = c->parent_id != 0 ?
	    arena_printf(v->arena, "%s%lld/", c->parent.path,
	    (long long)cur->id) : arena_printf(v->arena, "/%lld/",
	    (long long)cur->id);

	db_bind_text(s, ":new_prefix", new_prefix);
	db_bind_text(s, ":old_prefix", cur->path);
	db_bind_text(s, ":old_end", perm_subtree_end(v->arena, cur->path));
	db_bind_int(s, ":delta", (c->parent_id != 0 ? c->parent.depth + 1 :
	    0) - cur->depth);
	db_bind_int(s, ":id", cur->id);
	if (c->parent_id != 0)
		db_bind_int(s, ":parent_id", c->parent_id);
	else
		db_bind_null(s, ":parent_id");
	db_bind_text(s, ":owner_email", c->f.owner_email);
	db_bind_int(s, ":now", v->now);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0 || db_changes(v->db) < 1)
		return -1;
	event_log(v, "customer_moved", 0, perm_actor(v), arena_printf(
	    v->arena, "customer %lld: parent %lld -> %lld", (long long)cur->id,
	    (long long)cur->parent_id, (long long)c->parent_id));
	return 0;
}

/* Store the settings f of customer id (in v's scope). 0, or -1. */
static int
update_row(const struct viewer *v, int64_t id, const struct customer_fields *f)
{
	struct db_stmt *s = db_stmt(v->db, STMT_CUSTOMER_UPDATE);

	bind_fields(s, f);
	db_bind_text(s, ":owner_email", f->owner_email);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	if (db_exec(v->db, s) != 0)
		return -1;
	return db_changes(v->db) == 1 ? 0 : -1;
}

/* Write what c decided, with its events; *id is the customer's. 0, or
 * -1 on a database error. */
static int
write_change(const struct viewer *v, const struct customer_change *c,
    int64_t *id)
{
	const struct customer *cur = &c->cur;
	int64_t actor = perm_actor(v);

	if (cur->id == 0) {
		if ((*id = customer_create(v->db, v->now, c->parent_id,
		    &c->f)) == 0)
			return -1;
		event_log(v, "customer_created", 0, actor, about(v, *id));
		if (c->f.require_mfa)
			event_log(v, "mfa_enforced", 0, actor, about(v, *id));
		return 0;
	}
	*id = cur->id;
	if ((c->moved && move_subtree(v, c) != 0) ||
	    update_row(v, cur->id, &c->f) != 0)
		return -1;
	if (c->f.require_mfa != cur->require_mfa)
		event_log(v, c->f.require_mfa ? "mfa_enforced" :
		    "mfa_unenforced", 0, actor, about(v, cur->id));
	event_log(v, "customer_updated", 0, actor, about(v, cur->id));
	return 0;
}

enum model_result
customer_save_in(const struct viewer *v, int64_t id,
    const struct customer_input *in, struct customer_change *c,
    struct customer_errors *e, int64_t *saved)
{
	int rc;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	if (id != 0 && (rc = customer_get(v, id, &c->cur)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if (decide(v, in, c, e) != 0)
		return MODEL_FAILED;
	if (check_count(e, customer_error_fields) > 0)
		return MODEL_INVALID;
	return write_change(v, c, saved) == 0 ? MODEL_DONE : MODEL_FAILED;
}

enum model_result
customer_save(const struct viewer *v, int64_t id,
    const struct customer_input *in, struct customer_change *c,
    struct customer_errors *e, int64_t *saved)
{
	enum model_result r;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((r = customer_save_in(v, id, in, c, e, saved)) == MODEL_NOT_FOUND) {
		db_rollback(v->db);
		return r;
	}
	return db_finish(v->db, r == MODEL_FAILED, e, customer_error_fields);
}
