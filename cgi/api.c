/*
 * api.c - JSON documents and problem details.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "check.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "ui.h"

void
api_json(struct request *req, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);

	json_decref(body);
	if (text == NULL) {
		log_error("json_dumps failed");
		http_body(req, 500, "application/problem+json",
		    "{\"status\":500}", 14);
		return;
	}
	/* copied: the response lives in the arena, jansson's text does not */
	http_body(req, status, status >= 400 ?
	    "application/problem+json" : "application/json", text,
	    strlen(text));
	free(text);
}

void
api_problem(struct request *req, int status, const char *detail,
    const char *field)
{
	/* request_id: an extension member (RFC 9457 3.2) that finds the
	 * request's log line */
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
	    "about:blank", "title", http_status_text(status), "status", status,
	    "detail", detail, "request_id", req->request_id);

	if (p == NULL) {
		api_json(req, 500, json_object());
		return;
	}
	if (field != NULL)
		json_object_set_new(p, "field", json_string(field));
	api_json(req, status, p);
}

static bool
is_json(const char *type)
{
	size_t n = strlen("application/json");

	return strncasecmp(type, "application/json", n) == 0 &&
	    (type[n] == '\0' || type[n] == ';');
}

/*
 * What jansson says is wrong with a body, for a problem document, which
 * holds only UTF-8. jansson ends its message with the bytes it stopped
 * at ("invalid escape near '\"n\\ud8<byte>'"), cut off where they may
 * split a character of the body (found by fuzz_json: the problem could
 * not be made, and the client got a 500): such a message loses its
 * "near" part, and keeps what went wrong and where.
 */
static const char *
json_error_detail(struct arena *a, const json_error_t *err)
{
	const char *near;

	if (utf8_valid(err->text, strlen(err->text)))
		return arena_printf(a, "The body is not valid JSON: %s "
		    "(line %d).", err->text, err->line);
	near = strstr(err->text, " near '");
	if (near == NULL || !utf8_valid(err->text, (size_t)(near -
	    err->text)))
		return arena_printf(a, "The body is not valid JSON (line %d, "
		    "column %d).", err->line, err->column);
	return arena_printf(a, "The body is not valid JSON: %.*s (line %d, "
	    "column %d).", (int)(near - err->text), err->text, err->line,
	    err->column);
}

json_t *
api_body(struct request *req)
{
	json_error_t err;
	json_t *j;

	if (!is_json(req->content_type)) {
		api_problem(req, 415, "Send the body as application/json.",
		    NULL);
		return NULL;
	}
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		api_problem(req, 400, j != NULL ? "The body must be a JSON "
		    "object." : json_error_detail(req->arena, &err), NULL);
		return NULL;
	}
	return j;
}

int
api_page(struct request *req, int64_t *limit, int64_t *after)
{
	const char *l = param_get(&req->query, "limit");
	const char *c = param_get(&req->query, "cursor");

	*limit = API_LIMIT_DEFAULT;
	*after = 0;
	if (l != NULL && ((*limit = parse_id(l)) == 0 ||
	    *limit > API_LIMIT_MAX)) {
		api_problem(req, 400, "limit must be 1 to 500.", "limit");
		return -1;
	}
	if (c != NULL && (*after = parse_id(c)) == 0) {
		api_problem(req, 400, "cursor is not one this API gave out.",
		    "cursor");
		return -1;
	}
	return 0;
}

json_t *
api_list_document(json_t *items, bool more, int64_t last_id)
{
	char cursor[24];

	if (!more)
		return json_pack("{s:o, s:n}", "items", items, "next_cursor");
	snprintf(cursor, sizeof(cursor), "%lld", (long long)last_id);
	return json_pack("{s:o, s:s}", "items", items, "next_cursor", cursor);
}

json_t *
api_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[32];

	if (t == 0)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(out);
}

bool
api_members_known(struct request *req, json_t *body,
    const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(body, key, v) {
		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], key) != 0;
		    i++)
			;
		if (allowed[i] == NULL) {
			/* the name as sent may hold anything: not echoed */
			api_problem(req, 400, "The body has a member this "
			    "resource does not know; see the OpenAPI document.",
			    utf8_valid(key, strlen(key)) && strlen(key) <= 64 ?
			    key : NULL);
			return false;
		}
	}
	return true;
}

/* A 400 problem: key must be of a type; -1 for the callers' return. */
static int
wrong_type(struct request *req, const char *key, const char *what)
{
	api_problem(req, 400, arena_printf(req->arena, "%s must be %s.", key,
	    what), key);
	return -1;
}

/* A JSON string without NUL (jansson admits "\u0000" when asked to). */
static bool
plain_string(const json_t *v)
{
	return json_is_string(v) &&
	    strlen(json_string_value(v)) == json_string_length(v);
}

static bool
is_bool(const json_t *v)
{
	return json_is_boolean(v);
}

static bool
is_id(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0;
}

/*
 * The member key of body into *out when it is of the type is_type tells:
 * 0 when absent or null, 1, or -1 after a 400 problem saying it must be
 * what.
 */
static int
member(struct request *req, json_t *body, const char *key,
    bool (*is_type)(const json_t *), const char *what, json_t **out)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!is_type(v))
		return wrong_type(req, key, what);
	*out = v;
	return 1;
}

int
api_opt_string(struct request *req, json_t *body, const char *key,
    const char **out)
{
	json_t *v;
	int rc = member(req, body, key, plain_string, "a string", &v);

	if (rc == 1)
		*out = json_string_value(v);
	return rc;
}

int
api_opt_bool(struct request *req, json_t *body, const char *key, bool *out)
{
	json_t *v;
	int rc = member(req, body, key, is_bool, "true or false", &v);

	if (rc == 1)
		*out = json_is_true(v);
	return rc;
}

int
api_opt_id(struct request *req, json_t *body, const char *key, int64_t *out)
{
	json_t *v;
	int rc;

	if (json_is_null(json_object_get(body, key))) {
		*out = 0;	/* null: none */
		return 1;
	}
	rc = member(req, body, key, is_id, "a positive integer id", &v);
	if (rc == 1)
		*out = (int64_t)json_integer_value(v);
	return rc;
}

static bool
is_array(const json_t *v)
{
	return json_is_array(v);
}

/*
 * The array member key of body whose elements each pass is_type: its
 * size in *n and a zeroed copy of n + 1 elements of size each in *out,
 * for the caller to fill. 0, 1 or -1 as member().
 */
static int
array(struct request *req, json_t *body, const char *key,
    bool (*is_type)(const json_t *), const char *what, size_t size,
    json_t **v, void **out, size_t *n)
{
	json_t *e;
	size_t i;
	int rc = member(req, body, key, is_array, what, v);

	if (rc != 1)
		return rc;
	json_array_foreach(*v, i, e)
		if (!is_type(e))
			return wrong_type(req, key, what);
	*n = json_array_size(*v);
	*out = arena_calloc(req->arena, *n + 1, size);
	return 1;
}

int
api_opt_strings(struct request *req, json_t *body, const char *key,
    const char ***out, size_t *n)
{
	json_t *v, *e;
	void *copy;
	size_t i;
	int rc = array(req, body, key, plain_string, "an array of strings",
	    sizeof(**out), &v, &copy, n);

	if (rc != 1)
		return rc;
	*out = copy;
	json_array_foreach(v, i, e)
		(*out)[i] = json_string_value(e);
	return 1;
}

int
api_opt_ids(struct request *req, json_t *body, const char *key,
    int64_t **out, size_t *n)
{
	json_t *v, *e;
	void *copy;
	size_t i;
	int rc = array(req, body, key, is_id, "an array of positive integer "
	    "ids", sizeof(**out), &v, &copy, n);

	if (rc != 1)
		return rc;
	*out = copy;
	json_array_foreach(v, i, e)
		(*out)[i] = (int64_t)json_integer_value(e);
	return 1;
}

bool
api_errors(struct request *req, const void *errors,
    const struct check_field *fields)
{
	const struct check_error *e;

	for (; fields->form != NULL; fields++) {
		e = check_error_of(errors, fields);
		if (e->msg != NULL) {
			api_problem(req, e->status, e->msg, fields->json);
			return true;
		}
	}
	return false;
}

void
api_unavailable(struct request *req)
{
	api_problem(req, 503, "The change could not be saved because of a "
	    "database error; nothing was changed. Please try again.", NULL);
}

/* Each row struct of a resource starts with its id (the cursor). */
static int64_t
row_id(const void *row)
{
	int64_t id;

	memcpy(&id, row, sizeof(id));
	return id;
}

void
api_list(struct request *req, const struct api_resource *r)
{
	struct list_query lq;
	struct rows_page p;
	json_t *items;
	bool more;
	size_t i;
	int rc;

	list_query_read(req, (const char *const[]){ "id", NULL }, &lq);
	lq.keyset = true;
	if (api_page(req, &lq.limit, &lq.after) != 0)
		return;
	/* one row more than the page: whether it exists is whether there is
	 * a next page (a full last page must not promise one) */
	lq.limit++;
	if ((rc = r->list(&req->viewer, &lq, &p)) == 0) {
		api_problem(req, 404, "There is no such customer or location "
		    "to filter by.", lq.customer_id != 0 ? "customer_id" :
		    "location_id");
		return;
	}
	if (rc < 0) {
		api_problem(req, 503, arena_printf(req->arena, "%s could not "
		    "be read just now; please try again.", r->plural), NULL);
		return;
	}
	if ((more = (int64_t)p.n == lq.limit))
		p.n--;
	items = json_array();
	for (i = 0; i < p.n; i++)
		json_array_append_new(items, r->json(req,
		    (const char *)p.rows + i * r->row_size));
	api_json(req, 200, api_list_document(items, more, p.n > 0 ?
	    row_id((const char *)p.rows + (p.n - 1) * r->row_size) : 0));
}

void
api_get(struct request *req, const struct api_resource *r, int64_t id,
    int status)
{
	void *row = arena_alloc(req->arena, r->row_size);
	int rc = r->get(&req->viewer, id, row);

	if (rc == 1)
		api_json(req, status, r->json(req, row));
	else if (rc == 0)
		api_problem(req, 404, r->missing, NULL);
	else
		api_problem(req, 503, "This could not be read just now; "
		    "please try again.", NULL);
}

void
api_list_route(struct request *req)
{
	api_list(req, req->route_data);
}

void
api_get_route(struct request *req)
{
	api_get(req, req->route_data, req->id, 200);
}

void
api_saved(struct request *req, const struct api_resource *r,
    enum model_result rc, bool created, int64_t id, const void *errors,
    const struct check_field *fields)
{
	switch (rc) {
	case MODEL_DONE:
		if (created)
			http_header(req, "Location", arena_printf(req->arena,
			    "%s%lld", r->path, (long long)id));
		api_get(req, r, id, created ? 201 : 200);
		return;
	case MODEL_INVALID:
		api_errors(req, errors, fields);
		return;
	case MODEL_NOT_FOUND:
		api_problem(req, 404, r->missing, NULL);
		return;
	case MODEL_FAILED:
		break;
	}
	api_unavailable(req);
}
