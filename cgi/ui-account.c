/*
 * ui-account.c - an account's profile page, /customers/{id}/profile:
 * parse, call account.c, render account_profile.mustache. Every field
 * is a form field of the same name (account.h ACCOUNT_FIELDS); who may
 * see or change the profile is the model's answer.
 */
#include <string.h>

#include "account.h"
#include "app.h"
#include "arena.h"
#include "catalog.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"

/* {value, label, selected} of each choice into a list named name. */
static void
add_choices(struct arena *a, struct tval *d, const char *name,
    const char *const *values, const char *const *labels,
    const char *current)
{
	struct tval *list = tv_set_list(d, name);
	size_t i;

	for (i = 0; values[i] != NULL; i++)
		page_push_option(a, list, values[i], labels[i], current);
}

static void
render(struct request *req, int status, const struct account_profile *p,
    const struct account_fields *f, struct tval *errors)
{
	static const char *const types[] = { "company", "private", NULL };
	static const char *const type_labels[] = { "Company", "Private",
	    NULL };
	static const char *const languages[] = { "en", "nl", NULL };
	static const char *const language_labels[] = { "English",
	    "Nederlands (Dutch)", NULL };
	static const char *const genders[] = { "", "female", "male", NULL };
	static const char *const gender_labels[] = { "Not given", "Female",
	    "Male", NULL };
	static const char *const methods[] = { "invoice", "direct_debit",
	    NULL };
	static const char *const method_labels[] = { "Invoice",
	    "Direct debit", NULL };
	const struct catalog *cat = &req->app->catalog;
	struct arena *a = req->arena;
	struct tval *d = page_data(req), *form, *list;
	const char **plans = account_plans(&req->viewer);
	size_t i;

	tv_set_str(d, "account", p->account);
	tv_set_str(d, "action", arena_printf(a, "/customers/%lld/profile",
	    (long long)p->id));
	/* back to the account's page if the viewer may read it (Nested
	 * Customer Administrators), else to the Accounts tab */
	if (perm_may_read(&req->viewer, ACT_CUSTOMERS)) {
		tv_set_str(d, "back_href", arena_printf(a, "/customers/%lld",
		    (long long)p->id));
		tv_set_str(d, "back_label", "Back to the account");
	} else {
		tv_set_str(d, "back_href", "/accounts");
		tv_set_str(d, "back_label", "Back to Accounts");
	}
	if (!p->may_change)
		tv_set_str(d, "read_only", "You can read this profile but not "
		    "change it: your permission groups (API Developer) allow "
		    "reading only.");
	tv_set_bool(d, "may_flag", p->may_flag);
	form = tv_set_map(d, "form");
	for (i = 0; account_field_names[i] != NULL; i++)
		tv_set_str(form, account_field_names[i],
		    *account_field((struct account_fields *)f, i));
	tv_set_bool(form, "notifications_on", strcmp(f->notifications, "1") ==
	    0);
	list = tv_set_list(d, "plans");
	for (i = 0; plans[i] != NULL; i++)
		page_push_option(a, list, plans[i], plans[i], f->plan);
	add_choices(a, d, "types", types, type_labels, f->account_type);
	add_choices(a, d, "languages", languages, language_labels,
	    f->language);
	add_choices(a, d, "genders", genders, gender_labels,
	    f->contact_gender);
	add_choices(a, d, "methods", methods, method_labels,
	    f->payment_method);
	list = tv_set_list(d, "countries");
	for (i = 0; i < cat->ncountries; i++)
		page_push_option(a, list, cat->countries[i].code,
		    cat->countries[i].name, f->billing_country);
	if (errors != NULL)
		tv_set(d, "errors", errors);
	page_render(req, status, "account_profile", d);
}

/* The profile of account req->id, or a 404/503 page: true, or false. */
static bool
profile(struct request *req, struct account_profile *p)
{
	return page_found(req, account_profile_get(&req->viewer, req->id, p),
	    "The profile");
}

void
ui_account_profile_get(struct request *req)
{
	struct account_profile p;

	if (profile(req, &p))
		render(req, 200, &p, &p.f, NULL);
}

void
ui_account_profile_post(struct request *req)
{
	enum model_result r;
	struct account_fields in;
	struct account_profile p;
	struct account_errors e;
	size_t i;

	memset(&in, 0, sizeof(in));
	for (i = 0; account_field_names[i] != NULL; i++)
		*account_field(&in, i) = param_get(&req->form,
		    account_field_names[i]);
	/* a checkbox is absent when off; the feature flags are a field
	 * for operators only (absent: kept); the other fields are always
	 * sent, so absent is empty */
	in.notifications = in.notifications != NULL ? in.notifications : "0";
	for (i = 0; account_field_names[i] != NULL; i++)
		if (*account_field(&in, i) == NULL &&
		    account_field(&in, i) != &in.feature_flags)
			*account_field(&in, i) = "";
	switch ((r = account_profile_save(&req->viewer, req->id, &in, &e))) {
	case MODEL_DONE:
		flash_set(req, "The account profile was saved.");
		http_redirect(req, arena_printf(req->arena,
		    "/customers/%lld/profile", (long long)req->id));
		return;
	case MODEL_INVALID:
		if (!profile(req, &p))
			return;
		if (in.feature_flags == NULL)	/* not the viewer's to send */
			in.feature_flags = p.f.feature_flags;
		render(req, check_form_status(&e, account_error_fields), &p,
		    &in, page_errors(req->arena, &e, account_error_fields));
		return;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		break;
	}
	page_unchanged(req, r, "The profile could not be saved");
}
