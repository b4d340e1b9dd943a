/*
 * ui-import.c - the Users list as CSV (/users/export.csv) and a CSV file
 * of users into it (/users/import: preview, then commit); the same for
 * the accounts (operators: /accounts/export.csv, /accounts/import).
 *
 * Parse, call import.c, render. The file comes pasted (csv) or uploaded
 * (file, multipart); the preview's commit button sends the same text back
 * (nothing of an import is kept between the two requests), and the
 * commit checks every row again before it writes any.
 */
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "http.h"
#include "import.h"
#include "list.h"
#include "page.h"
#include "perm.h"
#include "session.h"
#include "tval.h"
#include "ui.h"
#include "user.h"

/* The lines a preview lists at most: every error first, then the rest. */
#define PREVIEW_LINES 500

/* What an import page imports. */
struct import_kind {
	bool accounts;
	const char *action;		/* the page */
	const char *done;		/* where a commit leads */
	enum model_result (*import)(const struct viewer *v, const char *text,
	    size_t len, bool commit, struct import_result *out);
};

static const struct import_kind users_kind = { false, "/users/import",
	"/users", import_users };
static const struct import_kind accounts_kind = { true, "/accounts/import",
	"/accounts", import_accounts };

/* The CSV of an export (rc as export_users() answers) as a download. */
static void
send_csv(struct request *req, int rc, const struct buf *b,
    const char *filename)
{
	if (rc != 1) {
		if (rc == 0)
			page_error(req, 404, "There is no page at this "
			    "address.");
		else
			page_error(req, 503, "The users could not be read just "
			    "now. Please try again.");
		return;
	}
	req->no_store = true;
	http_header(req, "Content-Disposition", arena_printf(req->arena,
	    "attachment; filename=\"%s\"", filename));
	http_body(req, 200, "text/csv; charset=utf-8", b->data, b->len);
}

void
ui_users_export(struct request *req)
{
	struct list_query lq;
	struct buf b;

	list_query_read(req, user_sort_keys, &lq);
	buf_init(&b, req->arena);
	send_csv(req, export_users(&req->viewer, &lq, &b), &b, "users.csv");
}

void
ui_accounts_export(struct request *req)
{
	struct buf b;

	buf_init(&b, req->arena);
	send_csv(req, export_accounts(&req->viewer, &b), &b, "accounts.csv");
}

/* The file of the POST: the preview's, sent back by its commit button
 * (file_b64: a textarea would turn each line break into CRLF, inside
 * quoted cells too), an upload (file) if one was chosen, else the pasted
 * text (csv). NULL when file_b64 is not base64. */
static const char *
posted_file(struct request *req, size_t *len)
{
	const char *csv = param_get(&req->form, "csv");
	const char *b64 = param_get(&req->form, "file_b64");
	size_t i, n;
	char *bin;

	if (b64 != NULL) {
		n = strlen(b64);
		bin = arena_alloc(req->arena, n / 4 * 3 + 1);
		if (sodium_base642bin((unsigned char *)bin, n / 4 * 3 + 1, b64, n,
		    NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return NULL;
		bin[*len] = '\0';
		return bin;
	}

	for (i = 0; i < req->form.n; i++)
		if (strcmp(req->form.v[i].name, "file") == 0 &&
		    req->form.v[i].len > 0) {
			*len = req->form.v[i].len;
			return req->form.v[i].value;
		}
	*len = csv != NULL ? strlen(csv) : 0;
	return csv != NULL ? csv : "";
}

static void
push_line(struct request *req, struct tval *list,
    const struct import_line *l)
{
	struct tval *t = tv_map(req->arena);

	tv_set_int(t, "row", (int64_t)l->row);
	tv_set_str(t, "email", l->email);
	tv_set_str(t, "action", import_action_name(l->action));
	if (l->action == IMPORT_ERROR) {
		tv_set_str(t, "column", l->column);
		tv_set_str(t, "reason", l->reason);
	}
	tv_push(list, t);
}

/* text as base64 (the original alphabet), in a. */
static const char *
base64(struct arena *a, const char *text, size_t len)
{
	size_t n = sodium_base64_encoded_len(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(a, n);

	return sodium_bin2base64(out, n, (const unsigned char *)text, len,
	    sodium_base64_VARIANT_ORIGINAL);
}

static void
render(struct request *req, const struct import_kind *k, int status,
    const char *text, size_t len, const struct import_result *r)
{
	struct tval *d = page_data(req), *list, *counts;
	size_t i, shown = 0;

	tv_set_bool(d, "accounts", k->accounts);
	tv_set_str(d, "action", k->action);
	tv_set_str(d, "csv", utf8_valid(text, len) ? text : "");
	if (r != NULL && r->file_error != NULL)
		tv_set_str(d, "file_error", r->file_error);
	if (r != NULL && r->file_error == NULL) {
		counts = tv_set_map(d, "preview");
		tv_set_int(counts, "rows", (int64_t)r->n);
		tv_set_int(counts, "created", (int64_t)r->created);
		tv_set_int(counts, "updated", (int64_t)r->updated);
		tv_set_int(counts, "unchanged", (int64_t)r->unchanged);
		tv_set_int(counts, "errors", (int64_t)r->errors);
		tv_set_bool(counts, "may_commit", r->errors == 0 &&
		    r->created + r->updated > 0);
		if (r->errors == 0 && r->created + r->updated > 0)
			tv_set_str(d, "file_b64", base64(req->arena, text, len));
		list = tv_set_list(d, "lines");
		for (i = 0; i < r->n && shown < PREVIEW_LINES; i++)
			if (r->lines[i].action == IMPORT_ERROR) {
				push_line(req, list, &r->lines[i]);
				shown++;
			}
		for (i = 0; i < r->n && shown < PREVIEW_LINES; i++)
			if (r->lines[i].action != IMPORT_ERROR) {
				push_line(req, list, &r->lines[i]);
				shown++;
			}
		if (r->n > shown)
			tv_set_int(d, "lines_left", (int64_t)(r->n - shown));
	}
	page_render(req, status, "import", d);
}

static void
import_post(struct request *req, const struct import_kind *k)
{
	const char *step = param_get(&req->form, "step");
	bool commit = step != NULL && strcmp(step, "commit") == 0;
	struct import_result r;
	const char *text;
	size_t len;

	if ((text = posted_file(req, &len)) == NULL) {
		page_error(req, 400, "The file sent back by the preview is "
		    "damaged: preview it again.");
		return;
	}
	switch (k->import(&req->viewer, text, len, commit, &r)) {
	case MODEL_DONE:
		break;
	case MODEL_NOT_FOUND:
	case MODEL_FAILED:
		page_error(req, 503, "The import did not work just now. "
		    "Nothing was changed: please try again.");
		return;
	case MODEL_INVALID:
		break;
	}
	if (r.committed) {
		flash_set(req, arena_printf(req->arena, "Imported: %zu created, "
		    "%zu updated, %zu unchanged.", r.created, r.updated,
		    r.unchanged));
		http_redirect(req, k->done);
		return;
	}
	/* the text goes back into the form (a file's too), unless it is
	 * not UTF-8 (it cannot be shown); the commit button sends it as it
	 * was */
	render(req, k, r.file_error != NULL ? r.status : r.errors > 0 ? 400 :
	    200, text, len, &r);
}

void
ui_users_import_get(struct request *req)
{
	render(req, &users_kind, 200, "", 0, NULL);
}

void
ui_users_import_post(struct request *req)
{
	import_post(req, &users_kind);
}

void
ui_accounts_import_get(struct request *req)
{
	render(req, &accounts_kind, 200, "", 0, NULL);
}

void
ui_accounts_import_post(struct request *req)
{
	import_post(req, &accounts_kind);
}
