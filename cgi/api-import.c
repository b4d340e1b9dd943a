/*
 * api-import.c - the users as CSV through the API (issue 17):
 * GET /api/v1/users/export (text/csv, the /api/v1/users filters) and
 * POST /api/v1/users/import (a text/csv body; ?dry_run=1 only checks),
 * which answers one result per row as JSON. The same import.c as the
 * page and arborctl.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "arena.h"
#include "buf.h"
#include "form.h"
#include "http.h"
#include "import.h"
#include "list.h"
#include "ui.h"
#include "user.h"

void
api_users_export(struct request *req)
{
	struct list_query lq;
	struct buf b;
	int rc;

	list_query_read(req, user_sort_keys, &lq);
	buf_init(&b, req->arena);
	if ((rc = export_users(&req->viewer, &lq, &b)) == 1)
		http_body(req, 200, "text/csv; charset=utf-8", b.data, b.len);
	else if (rc == 0)
		api_problem(req, 404, "There is no such customer.",
		    "customer_id");
	else
		api_unavailable(req);
}

static bool
is_csv(const char *type)
{
	size_t n = strlen("text/csv");

	return strncasecmp(type, "text/csv", n) == 0 && (type[n] == '\0' ||
	    type[n] == ';');
}

static json_t *
result_json(const struct import_result *r, bool dry_run)
{
	json_t *rows = json_array(), *row;
	const struct import_line *l;
	size_t i;

	for (i = 0; i < r->n; i++) {
		l = &r->lines[i];
		row = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)l->row,
		    "email", l->email, "action", import_action_name(l->action));
		if (l->action == IMPORT_ERROR) {
			json_object_set_new(row, "column", json_string(l->column));
			json_object_set_new(row, "reason", json_string(l->reason));
		}
		json_array_append_new(rows, row);
	}
	return json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:o}", "dry_run",
	    dry_run, "committed", r->committed, "created",
	    (json_int_t)r->created, "updated", (json_int_t)r->updated,
	    "unchanged", (json_int_t)r->unchanged, "errors",
	    (json_int_t)r->errors, "rows", rows);
}

void
api_users_import(struct request *req)
{
	const char *dry = param_get(&req->query, "dry_run");
	bool dry_run = dry != NULL && strcmp(dry, "1") == 0;
	struct import_result r;
	json_t *body;
	char *text;

	if (dry != NULL && !dry_run && strcmp(dry, "0") != 0) {
		api_problem(req, 400, "dry_run is 1 or 0.", "dry_run");
		return;
	}
	if (!is_csv(req->content_type)) {
		api_problem(req, 415, "Send the file as text/csv.", NULL);
		return;
	}
	switch (import_users(&req->viewer, req->body, req->body_len, !dry_run,
	    &r)) {
	case MODEL_DONE:
		break;
	case MODEL_NOT_FOUND:
	case MODEL_INVALID:
	case MODEL_FAILED:
		api_unavailable(req);
		return;
	}
	if (r.file_error != NULL) {
		api_problem(req, r.status, r.file_error, NULL);
		return;
	}
	if (dry_run || r.committed || r.errors == 0) {
		api_json(req, 200, result_json(&r, dry_run));
		return;
	}
	/* a commit refused by its rows changed nothing: 422, and the same
	 * document (not a problem: the rows say why) */
	body = result_json(&r, dry_run);
	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (text == NULL) {
		api_unavailable(req);
		return;
	}
	http_body(req, 422, "application/json", text, strlen(text));
	free(text);
}
