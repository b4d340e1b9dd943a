/*
 * api.h - the JSON side of /api/v1: bodies in, documents and RFC 9457
 * problem details out (jansson), and the list conventions.
 *
 * API routes sit in the one route table (routes.c) with the flag R_API:
 * the gate authenticates them by bearer token instead of the session
 * cookie (so no CSRF token is needed: a browser never sends the header on
 * its own), and every refusal is an application/problem+json document.
 */
#ifndef ARBOR_API_H
#define ARBOR_API_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct request;

#define API_LIMIT_DEFAULT 50
#define API_LIMIT_MAX 500

/* A problem document: status, its title, detail and (if not NULL) the
 * offending field. */
void api_problem(struct request *req, int status, const char *detail,
    const char *field);

/* Send body (a new reference, consumed) as JSON with status. */
void api_json(struct request *req, int status, json_t *body);

/*
 * The request's JSON object body. On a wrong Content-Type (415), bad JSON
 * or a non-object (400) the problem is sent and NULL returned.
 */
json_t *api_body(struct request *req);

/*
 * Read a string member: NULL when absent; on a wrong type a 400 problem
 * is sent and *bad set. The value lives as long as the body.
 */
const char *api_string(struct request *req, json_t *body, const char *key,
    bool *bad);

/* An optional id member: 0 when absent or null, -1 when not a positive
 * integer. */
int64_t api_id(json_t *body, const char *key);

/* Column helpers for documents: RFC 3339 UTC times, NULL as null. */
typedef struct sqlite3_stmt sqlite3_stmt;
json_t *api_time(int64_t t);
json_t *api_text_or_null(sqlite3_stmt *s, int col);
json_t *api_id_or_null(sqlite3_stmt *s, int col);

/* limit and cursor of a list (cursor: the last id of the previous page).
 * 0, or -1 after a 400 problem. */
int api_page(struct request *req, int64_t *limit, int64_t *after);

/* {"items": items, "next_cursor": "…" or null}. */
json_t *api_list(json_t *items, int64_t limit, int64_t last_id);

#endif
