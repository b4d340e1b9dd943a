/*
 * ui-shares.c - location shares (issue 16): the owner's page of a
 * location's shares (/locations/{id}/shares: share, revoke), the
 * invitee's page behind the mail's link (/shares/{token}) and the
 * guest's read-only view (/shared, /shared/{id}).
 *
 * Parse, call share.c, render: who may see a shared location is the
 * model's rule, checked again on every request.
 */
#include <stdbool.h>

#include "arena.h"
#include "check.h"
#include "form.h"
#include "http.h"
#include "location.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "share.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"

/* The devices a page of /shared/{id} shows. */
#define SHARED_PAGE_DEVICES 50

/* ------------------------------------------------------- the owner */

static void
render_shares(struct request *req, int status, const struct share_input *in,
    struct tval *errors)
{
	struct arena *a = req->arena;
	struct location_share *sh;
	struct location l;
	struct tval *d, *form, *list, *row;
	const char *cannot;
	size_t n, i;
	bool more;

	if (!page_found(req, share_list_of_location(&req->viewer, req->id, &l,
	    &sh, &n, &more, &cannot), "The location"))
		return;
	d = page_data(req);
	tv_set_int(d, "location_id", req->id);
	tv_set_str(d, "location_name", l.name);
	/* an API Developer reads (the layout says why); a viewer limited
	 * to other locations is told why there is no form */
	if (page_read_only(req, d, ACT_LOCATION_SHARES) == NULL &&
	    cannot != NULL)
		tv_set_str(d, "read_only", cannot);
	form = tv_set_map(d, "form");
	tv_set_str(form, "email", in != NULL ? in->email : "");
	tv_set_str(form, "expires_on", in != NULL ? in->expires_on :
	    share_default_expiry(&req->viewer));
	if (errors != NULL)
		tv_set(d, "errors", errors);
	list = tv_set_list(d, "shares");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_int(row, "id", sh[i].id);
		tv_set_str(row, "email", sh[i].email);
		tv_set_str(row, "shared_by", sh[i].shared_by);
		tv_set_str(row, "created", time_text(a, req->user,
		    sh[i].created_at));
		/* the last day it holds, as picked */
		tv_set_str(row, "expires", time_date(a, req->user,
		    sh[i].expires_at - 1));
		if (sh[i].accepted_at != 0)
			tv_set_str(row, "accepted", time_text(a, req->user,
			    sh[i].accepted_at));
		tv_set_str(row, "status", share_status_name(sh[i].status));
		tv_set_bool(row, "open", sh[i].status == SHARE_PENDING ||
		    sh[i].status == SHARE_ACTIVE);
		tv_push(list, row);
	}
	tv_set_bool(d, "has_shares", n > 0);
	tv_set_bool(d, "shares_cut", more);
	page_render(req, status, "location_shares", d);
}

void
ui_location_shares_get(struct request *req)
{
	render_shares(req, 200, NULL, NULL);
}

void
ui_location_shares_post(struct request *req)
{
	enum model_result r;
	struct arena *a = req->arena;
	struct share_input in;
	struct share_errors e;
	const char *date = param_get(&req->form, "expires_on");
	int64_t saved;

	in.email = check_trim(a, param_get(&req->form, "email"));
	in.expires_on = date != NULL ? date : "";
	switch ((r = share_create(&req->viewer, req->id, &in, &e, &saved))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, "The invitation to %s was "
		    "sent. The location is shared once they accept it.",
		    in.email));
		http_redirect(req, arena_printf(a, "/locations/%lld/shares",
		    (long long)req->id));
		return;
	case MODEL_INVALID:
		render_shares(req, check_form_status(&e, share_error_fields),
		    &in, page_errors(a, &e, share_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The location could not be shared");
}

void
ui_location_share_revoke(struct request *req)
{
	enum model_result r;
	bool was_open;

	r = share_revoke(&req->viewer, req->id, req->sub_id, &was_open);
	switch (r) {
	case MODEL_DONE:
		flash_set(req, was_open ? "The share was revoked: it ends "
		    "now." : "The share had ended already.");
		http_redirect(req, arena_printf(req->arena,
		    "/locations/%lld/shares", (long long)req->id));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_INVALID:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The share could not be revoked");
}

/* ------------------------------------------------------- the guest */

/* The page of invitation inv (refused, or to accept). */
static void
render_invitation(struct request *req, const struct share_invitation *inv)
{
	static const struct {
		int status;
		const char *why;
	} refusals[] = {
		[SHARE_OK] = { 200, NULL },
		[SHARE_UNKNOWN] = { 404, "This invitation link is not valid. "
		    "Check that you opened the whole link from the mail." },
		[SHARE_REVOKED_LINK] = { 410, "This share was revoked by the "
		    "account that made it." },
		[SHARE_EXPIRED_LINK] = { 410, "This invitation has expired. "
		    "Ask the account that shared the location for a new "
		    "one." },
		[SHARE_USED] = { 410, "This invitation was accepted already. "
		    "An invitation link works once." },
		[SHARE_OTHER_EMAIL] = { 403, "This invitation was sent to "
		    "another e-mail address than yours. Sign in as the user "
		    "with that address to accept it." },
		[SHARE_NOT_FACILITATOR] = { 403, "Accepting a shared location "
		    "needs the Location Facilitator permission group. Ask an "
		    "Account Administrator of your account for it, then open "
		    "the link again." },
		[SHARE_SAME_ACCOUNT] = { 403, "This location belongs to your "
		    "own account: a share is for people of other accounts. "
		    "Within an account, an administrator assigns locations "
		    "and permission groups instead." },
	};
	struct tval *d = page_data(req);

	if (refusals[inv->refusal].why != NULL) {
		tv_set_str(d, "refused", refusals[inv->refusal].why);
		page_render(req, refusals[inv->refusal].status, "share_accept",
		    d);
		return;
	}
	tv_set_str(d, "location", inv->location);
	tv_set_str(d, "owner", inv->owner);
	tv_set_str(d, "expires", time_date(req->arena, req->user,
	    inv->expires_at - 1));
	tv_set_str(d, "action", arena_printf(req->arena, "/shares/%s",
	    req->token));
	page_render(req, 200, "share_accept", d);
}

void
ui_share_get(struct request *req)
{
	struct share_invitation inv;

	if (share_invitation(&req->viewer, req->token, &inv) != 0) {
		page_error(req, 503, "The invitation could not be read because "
		    "of a database error. Please try again.");
		return;
	}
	if (inv.refusal == SHARE_OK && inv.accepted_by_viewer) {
		http_redirect(req, arena_printf(req->arena, "/shared/%lld",
		    (long long)inv.share_id));
		return;
	}
	render_invitation(req, &inv);
}

void
ui_share_post(struct request *req)
{
	enum model_result r;
	struct share_invitation inv;

	switch ((r = share_accept(&req->viewer, req->token, &inv))) {
	case MODEL_DONE:
		flash_set(req, "You accepted the shared location. It is listed "
		    "here until the share ends.");
		http_redirect(req, arena_printf(req->arena, "/shared/%lld",
		    (long long)inv.share_id));
		return;
	case MODEL_INVALID:
		render_invitation(req, &inv);
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The invitation could not be accepted");
}

/* share g as the template's map: the location, its owner, its devices */
static struct tval *
share_map(struct request *req, const struct guest_share *g)
{
	struct arena *a = req->arena;
	struct tval *m = tv_map(a), *list, *row;
	size_t i;

	tv_set_int(m, "id", g->id);
	tv_set_str(m, "location", g->location);
	tv_set_str(m, "owner", g->owner);
	tv_set_str(m, "expires", time_date(a, req->user, g->expires_at - 1));
	tv_set_bool(m, "has_devices", g->ndevices > 0);
	tv_set_bool(m, "more", g->more);
	if (g->more)
		tv_set_int(m, "last_id", g->devices[g->ndevices - 1].id);
	list = tv_set_list(m, "devices");
	for (i = 0; i < g->ndevices; i++) {
		row = tv_map(a);
		tv_set_str(row, "unit_id", g->devices[i].unit_id);
		tv_set_str(row, "name", g->devices[i].name);
		tv_set_str(row, "vehicle_name", g->devices[i].vehicle_name);
		tv_set_str(row, "registered", time_text(a, req->user,
		    g->devices[i].registered_at));
		tv_push(list, row);
	}
	return m;
}

void
ui_shared(struct request *req)
{
	struct guest_share *g;
	struct tval *d, *list;
	size_t n, i;

	if (share_list_of_guest(&req->viewer, SHARE_OVERVIEW_DEVICES, &g,
	    &n) != 0) {
		page_error(req, 503, "The shared locations could not be read "
		    "because of a database error. Please try again.");
		return;
	}
	d = page_data(req);
	list = tv_set_list(d, "shares");
	for (i = 0; i < n; i++)
		tv_push(list, share_map(req, &g[i]));
	tv_set_bool(d, "has_shares", n > 0);
	page_render(req, 200, "shared", d);
}

void
ui_shared_location(struct request *req)
{
	const char *after_text = param_get(&req->query, "after");
	int64_t after = after_text != NULL ? parse_id(after_text) : 0;
	struct guest_share g;
	struct tval *d;

	if (after_text != NULL && after == 0) {
		page_error(req, 400, "The page asked for is not one this site "
		    "links to.");
		return;
	}
	if (!page_found(req, share_of_guest(&req->viewer, req->id, after,
	    SHARED_PAGE_DEVICES, &g), "The shared location"))
		return;
	d = page_data(req);
	tv_set(d, "share", share_map(req, &g));
	tv_set_bool(d, "later_page", after != 0);
	tv_set_bool(d, "paged", after != 0 || g.more);
	page_render(req, 200, "shared_location", d);
}
