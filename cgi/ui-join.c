/*
 * ui-join.c - a customer's ways in without an invitation (issue 17): its
 * join links (/customers/{id}/join-links, revoke) and its sign-up
 * domains (/customers/{id}/signup-domains).
 *
 * Parse, call signup.c, render. A new join link's address is shown once,
 * on the page that made it: only its hash is kept.
 */
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "customer.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "signup.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

/* The customer of the page into d, or false after the 404/503 page. */
static bool
customer_of(struct request *req, struct tval *d)
{
	struct customer c;

	if (!page_found(req, customer_get(&req->viewer, req->id, &c),
	    "The customer"))
		return false;
	tv_set_int(d, "customer_id", req->id);
	tv_set_str(d, "customer_name", c.name);
	return true;
}

/* ---------------------------------------------------------- join links */

static void
render_links(struct request *req, int status,
    const struct join_link_input *in, unsigned asked, const char *url,
    struct tval *errors)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *list, *row, *form;
	struct join_link *l;
	size_t n, i;

	if (!customer_of(req, d) || !page_found(req, join_links_of(
	    &req->viewer, req->id, &l, &n), "The customer"))
		return;
	page_read_only(req, d, ACT_USERS);
	page_group_boxes(req, d, asked, 0);
	form = tv_set_map(d, "form");
	tv_set_str(form, "max_uses", *in->max_uses ? in->max_uses :
	    arena_printf(a, "%d", JOIN_DEFAULT_USES));
	tv_set_str(form, "expires_on", in->expires_on);
	if (url != NULL)
		tv_set_str(d, "created_url", url);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	list = tv_set_list(d, "links");
	for (i = 0; i < n; i++) {
		row = tv_map(a);
		tv_set_int(row, "id", l[i].id);
		tv_set_str(row, "groups", page_group_names(a, l[i].groups));
		tv_set_int(row, "uses", l[i].uses);
		tv_set_int(row, "max_uses", l[i].max_uses);
		tv_set_str(row, "created_by", l[i].created_by ?
		    l[i].created_by : "—");
		tv_set_str(row, "created", time_text(a, req->user,
		    l[i].created_at));
		/* the last day it works, as it was chosen */
		tv_set_str(row, "expires", time_date(a, req->user,
		    l[i].expires_at - 1));
		tv_set_str(row, "status", l[i].status);
		tv_set_bool(row, "open", l[i].revoked_at == 0 &&
		    l[i].expires_at > req->viewer.now);
		tv_push(list, row);
	}
	tv_set_bool(d, "has_links", n > 0);
	page_render(req, status, "join_links", d);
}

void
ui_join_links_get(struct request *req)
{
	struct join_link_input in;

	memset(&in, 0, sizeof(in));
	in.max_uses = "";
	in.expires_on = join_default_expiry(&req->viewer);
	render_links(req, 200, &in, 0, NULL, NULL);
}

void
ui_join_links_post(struct request *req)
{
	struct arena *a = req->arena;
	const struct params *p = &req->form;
	struct join_link_input in;
	struct join_link_errors e;
	const char *url = NULL;
	enum model_result r;
	unsigned asked = 0;
	size_t i;

	in.groups = param_all(a, p, "group", &in.ngroups);
	in.max_uses = check_trim(a, param_get(p, "max_uses"));
	in.expires_on = check_trim(a, param_get(p, "expires_on"));
	for (i = 0; i < in.ngroups; i++)
		asked |= perm_group_by_key(in.groups[i]);
	switch ((r = join_link_create(&req->viewer, req->id, &in, &e,
	    &url))) {
	case MODEL_DONE:
		/* shown once, so not through a redirect: a fresh form */
		in.groups = NULL;
		in.ngroups = 0;
		in.max_uses = "";
		in.expires_on = join_default_expiry(&req->viewer);
		render_links(req, 201, &in, 0, url, NULL);
		return;
	case MODEL_INVALID:
		render_links(req, check_form_status(&e,
		    join_link_error_fields), &in, asked, NULL,
		    page_errors(a, &e, join_link_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The join link could not be made");
}

void
ui_join_link_revoke(struct request *req)
{
	bool was_open = false;
	enum model_result r = join_link_revoke(&req->viewer, req->id,
	    req->sub_id, &was_open);

	if (r != MODEL_DONE) {
		page_unchanged(req, r, "The join link could not be revoked");
		return;
	}
	flash_set(req, was_open ? "The join link is revoked: it no longer "
	    "works." : "The join link was revoked already.");
	http_redirect(req, arena_printf(req->arena,
	    "/customers/%lld/join-links", (long long)req->id));
}

/* ----------------------------------------------------- sign-up domains */

static void
render_domains(struct request *req, int status, const char *typed,
    struct tval *errors)
{
	struct tval *d = page_data(req), *form;
	const char *domains;

	if (!customer_of(req, d) || !page_found(req, signup_domains_of(
	    &req->viewer, req->id, &domains), "The customer"))
		return;
	if (!perm_allows(&req->viewer, ACT_OPERATOR))
		tv_set_str(d, "read_only", "The platform's operators set "
		    "sign-up domains, once they know the account owns the "
		    "domain: everyone with an address there can join. Ask "
		    "them for a change.");
	tv_set_str(d, "domains", domains);
	form = tv_set_map(d, "form");
	tv_set_str(form, "domains", typed != NULL ? typed : domains);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "signup_domains", d);
}

void
ui_signup_domains_get(struct request *req)
{
	render_domains(req, 200, NULL, NULL);
}

void
ui_signup_domains_post(struct request *req)
{
	const char *typed = param_get(&req->form, "domains");
	struct domain_errors e;
	enum model_result r;

	if (typed == NULL)
		typed = "";
	switch ((r = signup_domains_set(&req->viewer, req->id, typed, &e))) {
	case MODEL_DONE:
		flash_set(req, "The sign-up domains are saved.");
		http_redirect(req, arena_printf(req->arena,
		    "/customers/%lld/signup-domains", (long long)req->id));
		return;
	case MODEL_INVALID:
		render_domains(req, check_form_status(&e,
		    domain_error_fields), typed, page_errors(req->arena, &e,
		    domain_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The sign-up domains could not be saved");
}
