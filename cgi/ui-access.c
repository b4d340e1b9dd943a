/*
 * ui-access.c - Access Control Management (issue 15): the scan history
 * (/access), the RFID tags (/access/tags) and a tag's form.
 *
 * Parse, call access.c, render: which scans and tags a viewer sees is
 * the model's rule, and so is whether a holder is named.
 */
#include <stdbool.h>

#include "access.h"
#include "arena.h"
#include "check.h"
#include "form.h"
#include "http.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "principal.h"
#include "session.h"
#include "timefmt.h"
#include "tval.h"
#include "ui.h"

/* The holder's username, linked to their page for who may read it. */
static void
set_holder(struct request *req, struct tval *t, int64_t user_id,
    const char *holder)
{
	tv_set_str(t, "holder", holder);
	if (perm_may_read(&req->viewer, ACT_USERS))
		tv_set_str(t, "holder_href", arena_printf(req->arena,
		    "/users/%lld", (long long)user_id));
}

static void
scan_row(struct request *req, const void *row, struct tval *t)
{
	const struct access_scan_row *r = row;
	struct arena *a = req->arena;

	tv_set_str(t, "time", time_text(a, req->user, r->at));
	if (r->unit_id != NULL) {
		tv_set_str(t, "unit_id", r->unit_id);
		tv_set_str(t, "device_href", arena_printf(a,
		    "/access?device_id=%lld", (long long)r->device_id));
	}
	tv_set_str(t, "uid", r->uid);
	if (r->tag_id != 0) {
		tv_set_str(t, "label", r->label);
		tv_set_str(t, "tag_href", arena_printf(a, "/access/tags/%lld",
		    (long long)r->tag_id));
	}
	if (r->holder != NULL)
		set_holder(req, t, r->user_id, r->holder);
	tv_set_bool(t, "allowed", r->allowed);
	if (r->status != NULL)
		tv_set_str(t, "status", r->status);
	tv_set_str(t, "reason", r->reason);
}

void
ui_access(struct request *req)
{
	static const struct list_page scans = { "scans", "/access#scan-",
	    access_scan_sort_keys, access_scan_list,
	    sizeof(struct access_scan_row), scan_row, true };
	struct tval *d = page_data(req), *results, *first;
	struct list_query lq;

	if (!list_page(req, d, &scans, &lq))
		return;
	tv_set_bool(d, "may_create", perm_allows(&req->viewer,
	    ACT_ACCESS_CONTROL));
	/* the history is of the devices the viewer sees (the device rule) */
	tv_set_bool(d, "sees_no_devices", !req->viewer.scope.devices_visible);
	results = tv_set_list(d, "results");
	page_push_option(req->arena, results, "", "Allowed and denied",
	    param_get(&req->query, "result"));
	page_push_option(req->arena, results, "allowed", "Allowed",
	    param_get(&req->query, "result"));
	page_push_option(req->arena, results, "denied", "Denied",
	    param_get(&req->query, "result"));
	if (lq.device_id != 0) {
		tv_set_int(d, "device_id", lq.device_id);
		/* the device's unit id, from its newest scan shown */
		first = tv_at(tv_get(d, "scans"), 0);
		if (first != NULL && tv_get(first, "unit_id") != NULL)
			tv_set(d, "device_unit_id", tv_get(first, "unit_id"));
	}
	tv_set_bool(d, "filtered", *lq.q != '\0' || lq.device_id != 0 ||
	    lq.result != 0);
	page_render(req, 200, "access", d);
}

/* ------------------------------------------------------------ tags */

static void
tag_row(struct request *req, const void *row, struct tval *t)
{
	const struct rfid_tag *g = row;

	tv_set_str(t, "uid", g->uid);
	tv_set_str(t, "label", g->label);
	set_holder(req, t, g->user_id, g->holder);
	tv_set_bool(t, "active", g->active);
	tv_set_str(t, "updated", time_text(req->arena, req->user,
	    g->updated_at));
}

void
ui_access_tags(struct request *req)
{
	static const struct list_page tags = { "tags", "/access/tags/",
	    access_tag_sort_keys, access_tag_list, sizeof(struct rfid_tag),
	    tag_row, false };
	struct tval *d = page_data(req);
	struct list_query lq;

	if (!list_page(req, d, &tags, &lq))
		return;
	tv_set_bool(d, "may_create", perm_allows(&req->viewer,
	    ACT_ACCESS_CONTROL));
	tv_set_bool(d, "filtered", *lq.q != '\0');
	page_render(req, 200, "access_tags", d);
}

static void
render_tag_form(struct request *req, int status, int64_t id,
    const struct rfid_tag *cur, const struct tag_input *in,
    struct tval *errors)
{
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *form;

	tv_set_bool(d, "is_new", id == 0);
	tv_set_str(d, "action", id == 0 ? "/access/tags/new" :
	    arena_printf(a, "/access/tags/%lld", (long long)id));
	if (cur != NULL) {
		tv_set_str(d, "tag_uid", cur->uid);
		tv_set_str(d, "created", time_text(a, req->user,
		    cur->created_at));
		tv_set_str(d, "updated", time_text(a, req->user,
		    cur->updated_at));
		tv_set_str(d, "scans_href", arena_printf(a, "/access?q=%s",
		    url_encode(a, cur->uid)));
		page_read_only(req, d, ACT_ACCESS_CONTROL);
	}
	form = tv_set_map(d, "form");
	tv_set_str(form, "uid", in->uid);
	tv_set_str(form, "label", in->label);
	tv_set_str(form, "user", in->user);
	tv_set_bool(form, "active", in->active);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "access_tag_form", d);
}

void
ui_access_tag_new_get(struct request *req)
{
	static const struct tag_input in = { "", "", "", true };

	render_tag_form(req, 200, 0, NULL, &in, NULL);
}

void
ui_access_tag_get(struct request *req)
{
	struct tag_input in;
	struct rfid_tag cur;

	if (!page_found(req, access_tag_get(&req->viewer, req->id, &cur),
	    "The tag"))
		return;
	in.uid = cur.uid;
	in.label = cur.label;
	in.user = cur.holder;
	in.active = cur.active;
	render_tag_form(req, 200, req->id, &cur, &in, NULL);
}

/* Create (id 0) or change tag id from the posted fields: the redirect,
 * the form again, 404 or 503. */
static void
save_tag(struct request *req, int64_t id)
{
	struct arena *a = req->arena;
	struct tag_input in;
	struct tag_errors e;
	struct rfid_tag cur;
	enum model_result r;
	int64_t saved;

	in.uid = check_trim(a, param_get(&req->form, "uid"));
	in.label = check_trim(a, param_get(&req->form, "label"));
	in.user = check_trim(a, param_get(&req->form, "user"));
	in.active = param_get(&req->form, "active") != NULL;
	switch ((r = access_tag_save(&req->viewer, id, &in, &e, &saved))) {
	case MODEL_DONE:
		flash_set(req, arena_printf(a, "Tag %s was %s.",
		    access_uid(a, in.uid), id != 0 ? "saved" : "added"));
		http_redirect(req, "/access/tags");
		return;
	case MODEL_INVALID:
		/* the heading keeps the stored uid while the form shows
		 * what was typed */
		render_tag_form(req, check_form_status(&e, tag_error_fields),
		    id, id != 0 && access_tag_get(&req->viewer, id,
		    &cur) == 1 ? &cur : NULL, &in,
		    page_errors(a, &e, tag_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The tag could not be saved");
}

void
ui_access_tag_new_post(struct request *req)
{
	save_tag(req, 0);
}

void
ui_access_tag_post(struct request *req)
{
	save_tag(req, req->id);
}
