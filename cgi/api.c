/*
 * api.c - JSON documents and problem details.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#include "arena.h"
#include "form.h"
#include "http.h"
#include "log.h"

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
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank",
	    "title", http_status_text(status), "status", status, "detail",
	    detail);

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
		api_problem(req, 400, j == NULL ? arena_printf(req->arena,
		    "The body is not valid JSON: %s (line %d).", err.text,
		    err.line) : "The body must be a JSON object.", NULL);
		return NULL;
	}
	return j;
}

const char *
api_string(struct request *req, json_t *body, const char *key, bool *bad)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || !utf8_valid(json_string_value(v),
	    json_string_length(v)) || strlen(json_string_value(v)) !=
	    json_string_length(v)) {
		if (!*bad)
			api_problem(req, 400, arena_printf(req->arena,
			    "%s must be a string.", key), key);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
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
api_list(json_t *items, int64_t limit, int64_t last_id)
{
	char cursor[24];

	if ((int64_t)json_array_size(items) < limit)
		return json_pack("{s:o, s:n}", "items", items, "next_cursor");
	snprintf(cursor, sizeof(cursor), "%lld", (long long)last_id);
	return json_pack("{s:o, s:s}", "items", items, "next_cursor", cursor);
}

int64_t
api_id(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -1;
	return (int64_t)json_integer_value(v);
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

json_t *
api_text_or_null(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? json_null() :
	    json_string((const char *)sqlite3_column_text(s, col));
}

json_t *
api_id_or_null(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(s, col));
}
