/*
 * ui-users.c - the Users tab: list, create, edit, delete (Account
 * Administrator; routes.c has checked the group before any of these run).
 *
 * Which users exist for the viewer is decided only by the scoped
 * statements of sql.h (perm_scope / SCOPE_CUSTOMER): a user, or a
 * customer_id filter, outside the viewer's subtree answers 404 exactly
 * like a missing one, for GET and POST alike, and the writes are scoped
 * again in SQL (user.c).
 *
 * The rules of the form, besides the field checks:
 *  - a user who holds a group the editor lacks is out of the editor's
 *    reach: shown read-only, saying why, with neither form nor Delete
 *    (a POST anyway answers 403): otherwise an administrator could take
 *    over a stronger account (its e-mail, its password) and so gain its
 *    groups, or strip, move, deactivate or delete it.
 *  - groups: an editor gives only the groups they hold themselves
 *    (operators hold all). A group the editor lacks is shown disabled;
 *    asking to grant one is refused with an error next to the groups
 *    (perm_may_grant).
 *  - nobody deactivates, deletes or moves themselves, removes their own
 *    Account Administrator group, or sets their own password here (that
 *    is the profile's job, with the current password).
 *  - locations: those the editor sees at the user's customer or below it
 *    (a user could not see a location above their customer).
 *
 * These rules live in user.c (user_save and user_remove), which the API
 * uses too; this file reads the form, calls the model once and renders.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "customer.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "mfa.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "user.h"
#include "usergroup.h"

static const char *const no_such = "There is no such user.";

/* ---------------------------------------------------------------- list */

static void
list_row(struct request *req, const void *row, struct tval *t)
{
	const struct user_row *u = row;
	struct arena *a = req->arena;

	tv_set_str(t, "delete_href", arena_printf(a, "/users/%lld/delete",
	    (long long)u->id));
	tv_set_bool(t, "may_delete", user_why_not_remove(&req->viewer, u) ==
	    NULL);
	tv_set_bool(t, "read_only", user_out_of_reach(&req->viewer, u) !=
	    NULL);
	tv_set_str(t, "email", u->email);
	tv_set_str(t, "username", u->username);
	tv_set_str(t, "customer", u->customer);
	tv_set_str(t, "customer_href", arena_printf(a,
	    "/users?customer_id=%lld", (long long)u->customer_id));
	tv_set_str(t, "last_login", time_text(a, req->user,
	    u->last_login_at));
	tv_set_str(t, "groups", page_group_names(a, u->groups));
	tv_set_bool(t, "active", u->active);
	tv_set_str(t, "locations", u->location_names);
	tv_set_bool(t, "mfa_on", u->mfa_on);
	tv_set_bool(t, "mfa_missing", !u->mfa_on && u->mfa_required);
	tv_set_bool(t, "mfa_off", !u->mfa_on && !u->mfa_required);
}

/* {value, label, selected} into list. */
static void
push_choice(struct arena *a, struct tval *list, const char *value,
    const char *label, bool selected)
{
	struct tval *o = tv_map(a);

	tv_set_str(o, "value", value);
	tv_set_str(o, "label", label);
	tv_set_bool(o, "selected", selected);
	tv_push(list, o);
}

/* The filter selects next to the search, showing lq's values: false
 * after an error page was sent. */
static bool
add_filters(struct request *req, struct tval *d, const struct list_query *lq)
{
	static const char *const active[][2] = { { "1", "Active" },
	    { "0", "Inactive" } };
	static const char *const mfa[][2] = { { "on", "On" },
	    { "off", "Off" }, { "required", "Required but not set up" } };
	struct arena *a = req->arena;
	struct tval *l;
	size_t i;

	if (!page_list_customers(req, d, "customers", lq->customer_id))
		return false;
	l = tv_set_list(d, "group_choices");
	for (i = 0; i < GROUP_COUNT; i++)
		push_choice(a, l, perm_groups[i].key, perm_groups[i].name,
		    lq->group == perm_groups[i].bit);
	l = tv_set_list(d, "active_choices");
	for (i = 0; i < 2; i++)
		push_choice(a, l, active[i][0], active[i][1],
		    lq->active == (int)i + LIST_ACTIVE_YES);
	l = tv_set_list(d, "mfa_choices");
	for (i = 0; i < 3; i++)
		push_choice(a, l, mfa[i][0], mfa[i][1],
		    lq->mfa == (int)i + LIST_MFA_ON);
	tv_set_bool(d, "filtered", *lq->q != '\0' || lq->customer_id != 0 ||
	    lq->group != 0 || lq->active != 0 || lq->mfa != 0);
	return true;
}

void
ui_users_list(struct request *req)
{
	static const struct list_page users = { "users", "/users/",
	    user_sort_keys, user_list, sizeof(struct user_row), list_row,
	    false };
	struct tval *d = page_data(req), *f;
	struct list_query lq;

	tv_set_bool(d, "may_create", perm_allows(&req->viewer, ACT_USERS));
	if (!list_page(req, d, &users, &lq) || !add_filters(req, d, &lq))
		return;
	/* the same filters, as CSV */
	tv_set_str(d, "export_href", list_filter_href(req, "/users/export.csv",
	    &lq));
	if (lq.customer_id != 0) {
		f = tv_set_map(d, "filter");
		tv_set_str(f, "customer", customer_path_text(&req->viewer,
		    lq.customer_id));
		tv_set_str(f, "customer_id", arena_printf(req->arena, "%lld",
		    (long long)lq.customer_id));
	}
	page_render(req, 200, "users", d);
}

/* ---------------------------------------------------------------- form */

/* The user groups of the form into d (page_ugroup_boxes): checked as
 * posted in f, else as stored for t, else a new user's auto-assign
 * groups. -1 on a database error. */
static int
add_user_group_choices(struct request *req, struct tval *d,
    const struct user_input *f, const struct user_row *t)
{
	struct ugroup_choice *c;
	size_t n;

	if (ugroup_choices(&req->viewer, t != NULL ? t->id : 0, &c, &n) != 0)
		return -1;
	page_ugroup_boxes(req, d, c, n, t == NULL, f->user_groups,
	    f->nuser_groups);
	return 0;
}

/* The state of user t's latest set-up or reset link, in words, and
 * whether the page offers a new one: a user without a password and
 * without a usable link could not sign in at all. */
static void
add_link(struct request *req, struct tval *info, const struct user_row *t)
{
	enum user_link state = user_link_state(t, req->now);
	static const char *const words[] = {
		[USER_LINK_NONE] = "None sent",
		[USER_LINK_USED] = "Used",
		[USER_LINK_VOIDED] = "Voided (by deactivation or a new "
		    "password): it no longer works",
		[USER_LINK_EXPIRED] = "Expired unused",
	};

	tv_set_str(info, "link", state == USER_LINK_PENDING ?
	    arena_printf(req->arena, "Waiting to be used, until %s",
	    time_text(req->arena, req->user, t->link_expires_at)) :
	    words[state]);
	tv_set_bool(info, "link_voided", state == USER_LINK_VOIDED);
	tv_set_bool(info, "may_send_link", !t->has_password && t->active &&
	    state != USER_LINK_PENDING);
}

/* The user groups of user id, their discount and who pays (seed 004),
 * into info; nothing on a database error (the rest of the page
 * stands). */
static void
add_user_groups(struct request *req, struct tval *info, int64_t id)
{
	struct arena *a = req->arena;
	struct ugroup_effect eff;
	struct buf b;
	size_t i;

	if (ugroup_effect(&req->viewer, id, &eff) != 0)
		return;
	buf_init(&b, a);
	for (i = 0; i < eff.ngroups; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", eff.groups[i]);
	tv_set_str(info, "user_groups", eff.ngroups ? b.data : "none");
	tv_set_int(info, "discount", eff.discount);
	tv_set_str(info, "financial_owner", eff.financial_owner != NULL ?
	    eff.financial_owner : eff.financial_owner_hidden ? "a user "
	    "outside your view" : "the user's account (their most "
	    "favourable group names no financial owner)");
}

/* What the edit page says about user t besides the form's fields. */
static void
add_target(struct request *req, struct tval *d, const struct user_row *t)
{
	struct arena *a = req->arena;
	struct tval *info = tv_set_map(d, "target");

	tv_set_str(d, "action", arena_printf(a, "/users/%lld",
	    (long long)t->id));
	tv_set_str(info, "username", t->username);
	tv_set_str(info, "email", t->email);
	tv_set_str(info, "groups", page_group_names(a, t->groups));
	add_user_groups(req, info, t->id);
	tv_set_str(info, "customer", customer_path_text(&req->viewer,
	    t->customer_id));
	tv_set_str(info, "last_login", time_text(a, req->user,
	    t->last_login_at));
	tv_set_str(info, "created", time_text(a, req->user, t->created_at));
	tv_set_bool(info, "active", t->active);
	tv_set_str(info, "password", !t->has_password ? "Not set yet "
	    "(waiting for the set-up link)" : t->must_change_password ?
	    "Set by an administrator: to be changed at the next sign-in" :
	    "Set by the user");
	add_link(req, info, t);
	tv_set_bool(info, "mfa_on", t->mfa_on);
	tv_set_bool(info, "mfa_missing", !t->mfa_on && t->mfa_required);
	tv_set_bool(info, "mfa_off", !t->mfa_on && !t->mfa_required);
	tv_set_bool(info, "mfa_required", t->mfa_required);
	tv_set_bool(info, "may_delete", user_why_not_remove(&req->viewer, t) ==
	    NULL);
	tv_set_str(info, "delete_href", arena_printf(a, "/users/%lld/delete",
	    (long long)t->id));
}

/* User t out of the viewer's reach (why): the edit page without the
 * form, saying why. */
static void
render_read_only(struct request *req, int status, const struct user_row *t,
    const char *why)
{
	struct tval *d = page_data(req);

	add_target(req, d, t);
	tv_set_str(d, "read_only", why);
	page_render(req, status, "user_form", d);
}

/* Render the create (t == NULL) or edit form into d (page_data(); NULL:
 * a new one): the values of f, the choices of c (mode, customer, groups,
 * locations). */
static void
render_form(struct request *req, struct tval *d, int status,
    const struct user_input *f, const struct user_change *c,
    const struct user_row *t, struct tval *errors)
{
	struct tval *form, *customers;
	const char *mode = c->password_mode, *language;

	if (d == NULL)
		d = page_data(req);
	tv_set_bool(d, "is_new", t == NULL);
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", f->email);
	tv_set_str(form, "username", f->username);
	tv_set_str(form, "full_name", f->full_name);
	tv_set_str(form, "phone", f->phone);
	tv_set_str(form, "address", f->address);
	tv_set_bool(form, "active", f->active);
	language = c->language != NULL ? c->language : "";
	tv_set_bool(form, "language_account", *language == '\0');
	tv_set_bool(form, "language_en", strcmp(language, "en") == 0);
	tv_set_bool(form, "language_nl", strcmp(language, "nl") == 0);
	tv_set_bool(form, "mode_welcome", strcmp(mode, "welcome") == 0);
	tv_set_bool(form, "mode_manual", strcmp(mode, "manual") == 0);
	tv_set_bool(form, "mode_keep", strcmp(mode, "keep") == 0);
	customers = page_customer_options(req, c->customer_id, NULL);
	if (customers == NULL || page_location_boxes(req, d, c->locations, c->nlocations) != 0 ||
	    add_user_group_choices(req, d, f, t) != 0) {
		page_error(req, 503, "This page could not be read just now. "
		    "Please try again.");
		return;
	}
	tv_set(d, "customers", customers);
	page_group_boxes(req, d, c->asked, t != NULL ? t->groups : 0);
	if (t != NULL)
		add_target(req, d, t);
	else
		tv_set_str(d, "action", "/users/new");
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "user_form", d);
}

/* The form's fields as posted; text trimmed. */
static void
read_form(struct request *req, struct user_input *in)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	const char **values;
	int64_t *ids;
	size_t n, i;

	user_input_init(in, a, NULL);
	in->email = check_trim(a, param_get(p, "email"));
	in->username = check_trim(a, param_get(p, "username"));
	in->full_name = check_trim(a, param_get(p, "full_name"));
	in->phone = check_trim(a, param_get(p, "phone"));
	in->address = check_trim(a, param_get(p, "address"));
	if ((in->password = param_get(p, "password")) == NULL)
		in->password = "";
	if ((in->confirm_password = param_get(p, "confirm_password")) ==
	    NULL)
		in->confirm_password = "";
	in->password_mode = param_get(p, "password_mode");
	/* the "Send a new set-up link" button: the welcome mode, saved */
	if (param_get(p, "send_link") != NULL)
		in->password_mode = "welcome";
	in->customer_id = parse_id(param_get(p, "customer_id"));
	in->groups = param_all(a, p, "group", &in->ngroups);
	values = param_all(a, p, "location", &n);
	ids = arena_calloc(a, n ? n : 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = parse_id(values[i]);	/* 0: not an id */
	in->locations = ids;
	in->nlocations = n;
	/* an unchecked box is not sent */
	in->active = param_get(p, "active") != NULL;
	/* absent (a form from before the field): kept */
	in->language = param_get(p, "language");
	in->user_groups = page_ugroup_ids(req, &in->nuser_groups);
}

static void
save_failed(struct request *req)
{
	page_error(req, 503, "Saving failed for a moment; nothing was "
	    "changed. Please try again.");
}

/* The flash after saving user f (new: created). */
static const char *
saved_message(struct arena *a, const struct user_input *f,
    const struct user_change *c, bool created)
{
	bool welcome = strcmp(c->password_mode, "welcome") == 0;

	if (created)
		return arena_printf(a, welcome ? "User %s was created. A "
		    "welcome e-mail with a set-up link is on its way to %s." :
		    "User %s was created. They must change the password at "
		    "their first sign-in.", f->username, f->email);
	return arena_printf(a, "Changes to %s were saved.%s", f->username,
	    welcome ? " A set-up link is on its way." : c->deactivated ?
	    " The user is signed out everywhere." : "");
}

/* Save the posted form as a new user (id 0) or as changes to user id:
 * the redirect, the form again (400), 404 or 503. */
static void
save_form(struct request *req, int64_t id)
{
	const char *why;
	struct user_input f;
	struct user_change c;
	struct user_errors e;
	struct user_row t;
	int64_t saved;

	read_form(req, &f);
	switch (user_save(&req->viewer, id, &f, &c, &e, &saved)) {
	case MODEL_DONE:
		flash_set(req, saved_message(req->arena, &f, &c, id == 0));
		http_redirect(req, arena_printf(req->arena, "/users/%lld",
		    (long long)saved));
		return;
	case MODEL_INVALID:
		/* the panel shows the user as stored, the form what was
		 * typed */
		if (id != 0 && user_get(&req->viewer, id, &t) != 1) {
			save_failed(req);
			return;
		}
		if (id != 0 && (why = user_out_of_reach(&req->viewer, &t)) !=
		    NULL) {
			render_read_only(req, 403, &t, why);
			return;
		}
		render_form(req, NULL, check_form_status(&e,
		    user_error_fields), &f, &c, id != 0 ? &t : NULL,
		    page_errors(req->arena, &e, user_error_fields));
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, no_such);
		return;
	case MODEL_FAILED:
		break;
	}
	save_failed(req);
}

void
ui_user_new_get(struct request *req)
{
	int64_t want = parse_id(param_get(&req->query, "customer_id"));
	int rc = want != 0 ? perm_sees_customer(&req->viewer, want) : 0;
	struct user_input f;
	struct user_change c;

	if (rc < 0) {
		page_error(req, 503, "The form could not be shown because of "
		    "a database error. Please try again.");
		return;
	}
	user_input_init(&f, req->arena, NULL);
	memset(&c, 0, sizeof(c));
	c.password_mode = "welcome";
	/* ?customer_id= (a customer page's "Create user here") preselects
	 * that customer; one outside the view is ignored, as if not asked */
	c.customer_id = rc == 1 ? want : req->user->customer_id;
	render_form(req, NULL, 200, &f, &c, NULL, NULL);
}

void
ui_user_new_post(struct request *req)
{
	save_form(req, 0);
}

/* The user of the route's {id} if the viewer may see them into *t; else
 * the 404 or 503 page was sent and false returned. */
static bool
target(struct request *req, struct user_row *t)
{
	int rc = user_get(&req->viewer, req->id, t);

	if (rc == 0)
		page_error(req, 404, no_such);
	else if (rc < 0)
		page_error(req, 503, "This user could not be read just now. "
		    "Please try again.");
	return rc == 1;
}

/* The edit page of user t as stored (status 200, or 400 with
 * reset_errors: a refused MFA reset), the MFA reset form when t has MFA
 * and is not the viewer's own user. */
static void
render_edit(struct request *req, int status, const struct user_row *t,
    struct tval *reset_errors)
{
	struct user_input f;
	struct user_change c;
	struct tval *d, *reset;
	const char *why;

	if ((why = user_out_of_reach(&req->viewer, t)) != NULL) {
		render_read_only(req, status, t, why);
		return;
	}
	d = page_data(req);
	if (t->mfa_on && t->id != req->user->id) {
		reset = tv_set_map(d, "reset");
		tv_set_str(reset, "action", arena_printf(req->arena,
		    "/users/%lld/mfa/reset", (long long)t->id));
		tv_set_bool(reset, "ask_code", req->user->totp_enabled);
	}
	if (reset_errors != NULL)
		tv_set(d, "reset_errors", reset_errors);
	user_input_init(&f, req->arena, t);
	memset(&c, 0, sizeof(c));
	c.locations = t->locations;
	c.nlocations = t->nlocations;
	c.password_mode = "keep";
	c.asked = t->groups;
	c.customer_id = t->customer_id;
	c.language = t->language;
	render_form(req, d, status, &f, &c, t, NULL);
}

void
ui_user_edit_get(struct request *req)
{
	struct user_row t;

	if (target(req, &t))
		render_edit(req, 200, &t, NULL);
}

void
ui_user_mfa_reset(struct request *req)
{
	struct mfa_errors e;
	struct user_row t;

	switch (mfa_reset(&req->viewer, req->session->id, req->id,
	    param_get(&req->form, "password"), param_get(&req->form, "code"),
	    &e, &t)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "The two-factor "
		    "authentication of %s was reset. They were signed out and "
		    "told by e-mail.", t.username));
		http_redirect(req, arena_printf(req->arena, "/users/%lld",
		    (long long)t.id));
		return;
	case MODEL_INVALID:
		if (e.password.status == 401)
			session_signed_out(req, e.password.msg);
		else if (e.required.msg != NULL)
			page_error(req, e.required.status, e.required.msg);
		else
			render_edit(req, 400, &t, page_errors(req->arena, &e,
			    mfa_reset_fields));
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, no_such);
		return;
	case MODEL_FAILED:
		break;
	}
	save_failed(req);
}

void
ui_user_edit_post(struct request *req)
{
	save_form(req, req->id);
}

/* -------------------------------------------------------------- delete */

void
ui_user_delete_get(struct request *req)
{
	struct tval *d, *info;
	struct user_row t;
	const char *why;

	if (!target(req, &t))
		return;
	if ((why = user_why_not_remove(&req->viewer, &t)) != NULL) {
		page_error(req, 403, why);
		return;
	}
	d = page_data(req);
	info = tv_set_map(d, "target");
	tv_set_str(info, "username", t.username);
	tv_set_str(info, "email", t.email);
	tv_set_str(info, "full_name", t.full_name);
	tv_set_str(info, "customer", customer_path_text(&req->viewer,
	    t.customer_id));
	tv_set_str(info, "groups", page_group_names(req->arena, t.groups));
	tv_set_str(info, "last_login", time_text(req->arena, req->user,
	    t.last_login_at));
	tv_set_str(d, "action", arena_printf(req->arena, "/users/%lld/delete",
	    (long long)t.id));
	tv_set_str(d, "back_href", arena_printf(req->arena, "/users/%lld",
	    (long long)t.id));
	page_render(req, 200, "user_delete", d);
}

void
ui_user_delete_post(struct request *req)
{
	struct user_row gone;

	switch (user_remove(&req->viewer, req->id, &gone)) {
	case MODEL_DONE:
		flash_set(req, arena_printf(req->arena, "User %s was deleted.",
		    gone.username));
		http_redirect(req, "/users");
		return;
	case MODEL_NOT_FOUND:
		page_error(req, 404, no_such);
		return;
	case MODEL_INVALID:
		page_error(req, 403, user_why_not_remove(&req->viewer, &gone));
		return;
	case MODEL_FAILED:
		break;
	}
	save_failed(req);
}
