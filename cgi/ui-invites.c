/*
 * ui-invites.c - invitations (issue 17): the list (/invites), a new one
 * (/invites/new), one invitation (/invites/{id}) with resend and revoke.
 *
 * Parse, call invite.c, render: which invitations a viewer sees and what
 * an invitation may give is the model's rule.
 */
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "form.h"
#include "http.h"
#include "invite.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

static void
invite_row(struct request *req, const void *row, struct tval *t)
{
	const struct invite *i = row;

	tv_set_str(t, "email", i->email);
	tv_set_str(t, "customer", i->customer);
	tv_set_str(t, "customer_href", arena_printf(req->arena,
	    "/customers/%lld", (long long)i->customer_id));
	tv_set_str(t, "status", invite_status_name(i->status));
	tv_set_str(t, "groups", page_group_names(req->arena, i->groups));
	tv_set_str(t, "sent", time_text(req->arena, req->user, i->sent_at));
	tv_set_str(t, "invited_by", i->invited_by ? i->invited_by : "—");
}

void
ui_invites(struct request *req)
{
	static const struct list_page invites = { "invites", "/invites/",
	    invite_sort_keys, invite_list, sizeof(struct invite), invite_row,
	    true };
	static const char *const statuses[] = { "pending", "accepted",
	    "expired", "revoked" };
	struct tval *d = page_data(req), *list, *o;
	struct list_query lq;
	size_t i;

	if (!list_page(req, d, &invites, &lq))
		return;
	list = tv_set_list(d, "statuses");
	for (i = 0; i < 4; i++) {
		o = tv_map(req->arena);
		tv_set_str(o, "value", statuses[i]);
		tv_set_bool(o, "selected", lq.status == (int)i + 1);
		tv_push(list, o);
	}
	tv_set_bool(d, "may_create", perm_allows(&req->viewer, ACT_USERS));
	tv_set_bool(d, "filtered", *lq.q != '\0' || lq.status != 0);
	page_render(req, 200, "invites", d);
}

/* ---------------------------------------------------------- the form */

static void
render_form(struct request *req, int status, const struct invite_input *in,
    const struct user_change *c, struct tval *errors)
{
	struct tval *d = page_data(req), *form, *customers;

	customers = page_customer_options(req, in->customer_id, NULL);
	if (customers == NULL || page_location_boxes(req, d, c->locations,
	    c->nlocations) != 0) {
		page_error(req, 503, "This page could not be shown just now.");
		return;
	}
	tv_set(d, "customers", customers);
	page_group_boxes(req, d, c->asked, 0);
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", in->email);
	tv_set_str(form, "expires_days", *in->expires_days ? in->expires_days :
	    arena_printf(req->arena, "%d", INVITE_DAYS_DEFAULT));
	tv_set_str(form, "message", in->message);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "invite_form", d);
}

void
ui_invite_new_get(struct request *req)
{
	struct invite_input in;
	struct user_change c;

	memset(&in, 0, sizeof(in));
	memset(&c, 0, sizeof(c));
	in.email = in.expires_days = in.message = "";
	/* a link from a customer's page chooses it */
	in.customer_id = parse_id(param_get(&req->query, "customer_id"));
	render_form(req, 200, &in, &c, NULL);
}

void
ui_invite_new_post(struct request *req)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	struct invite_input in;
	struct invite_errors e;
	struct user_change c;
	const char **values, *v;
	int64_t *ids, saved = 0;
	enum model_result r;
	size_t n, i;

	memset(&c, 0, sizeof(c));
	in.email = check_trim(a, param_get(p, "email"));
	in.customer_id = parse_id(param_get(p, "customer_id"));
	in.groups = param_all(a, p, "group", &in.ngroups);
	values = param_all(a, p, "location", &n);
	ids = arena_calloc(a, n ? n : 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = parse_id(values[i]);
	in.locations = ids;
	in.nlocations = n;
	in.expires_days = check_trim(a, param_get(p, "expires_days"));
	in.message = (v = param_get(p, "message")) != NULL ? v : "";
	switch ((r = invite_create(&req->viewer, &in, &e, &saved))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, "The invitation to %s is sent.",
		    in.email));
		http_redirect(req, arena_printf(a, "/invites/%lld",
		    (long long)saved));
		return;
	case MODEL_INVALID:
		/* the boxes as posted */
		for (i = 0; i < in.ngroups; i++)
			c.asked |= perm_group_by_key(in.groups[i]);
		c.locations = in.locations;
		c.nlocations = in.nlocations;
		render_form(req, check_form_status(&e, invite_error_fields),
		    &in, &c, page_errors(a, &e, invite_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The invitation could not be sent");
}

/* ------------------------------------------------------ one invitation */

void
ui_invite_get(struct request *req)
{
	struct arena *a = req->arena;
	const char **locations, *names;
	struct tval *d;
	struct invite i;
	size_t n, k;

	if (!page_found(req, invite_get(&req->viewer, req->id, &i, &locations,
	    &n), "The invitation"))
		return;
	d = page_data(req);
	tv_set_int(d, "id", i.id);
	tv_set_str(d, "email", i.email);
	tv_set_str(d, "customer", i.customer);
	tv_set_str(d, "customer_href", arena_printf(a, "/customers/%lld",
	    (long long)i.customer_id));
	tv_set_str(d, "status", invite_status_name(i.status));
	tv_set_str(d, "groups", page_group_names(a, i.groups));
	tv_set_str(d, "invited_by", i.invited_by ? i.invited_by : "—");
	tv_set_str(d, "created", time_text(a, req->user, i.created_at));
	tv_set_str(d, "sent", time_text(a, req->user, i.sent_at));
	tv_set_str(d, "expires", time_text(a, req->user, i.expires_at));
	if (i.accepted_at != 0)
		tv_set_str(d, "accepted", time_text(a, req->user,
		    i.accepted_at));
	if (i.revoked_at != 0)
		tv_set_str(d, "revoked", time_text(a, req->user,
		    i.revoked_at));
	if (i.username != NULL) {
		tv_set_str(d, "username", i.username);
		tv_set_str(d, "user_href", arena_printf(a, "/users/%lld",
		    (long long)i.user_id));
	}
	if (*i.message != '\0')
		tv_set_str(d, "message", i.message);
	for (k = 0, names = ""; k < n; k++)
		names = arena_printf(a, "%s%s%s", names, k ? ", " : "",
		    locations[k]);
	if (n > 0)
		tv_set_str(d, "locations", names);
	tv_set_bool(d, "open", i.status == LIST_STATUS_PENDING ||
	    i.status == LIST_STATUS_EXPIRED);
	page_read_only(req, d, ACT_USERS);
	page_render(req, 200, "invite", d);
}

/* After a resend or revoke: the invitation's page, or why not. */
static void
changed(struct request *req, enum model_result r, const char *why,
    int status, const char *done)
{
	switch (r) {
	case MODEL_DONE:
		flash_set(req, done);
		http_redirect(req, arena_printf(req->arena, "/invites/%lld",
		    (long long)req->id));
		return;
	case MODEL_INVALID:
		page_error(req, status, why);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The invitation could not be changed");
}

void
ui_invite_resend(struct request *req)
{
	const char *why = NULL;
	int status = 400;
	enum model_result r = invite_resend(&req->viewer, req->id, &why,
	    &status);

	changed(req, r, why, status, "The invitation is sent again with a "
	    "new link; the old link no longer works.");
}

void
ui_invite_revoke(struct request *req)
{
	const char *why = NULL;
	enum model_result r = invite_revoke(&req->viewer, req->id, &why);

	changed(req, r, why, 400, "The invitation is revoked: its link no "
	    "longer works.");
}
