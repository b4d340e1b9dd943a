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

#include "check.h"
#include "list.h"

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

/* limit and cursor of a list (cursor: the last id of the previous
 * page). 0, or -1 after a 400 problem. */
int api_page(struct request *req, int64_t *limit, int64_t *after);

/* {"items": items (consumed), "next_cursor": "…" or null (more: rows
 * follow the last item, whose id last_id is). */
json_t *api_list_document(json_t *items, bool more, int64_t last_id);

/* A time as RFC 3339 UTC, 0 (never) as null. */
json_t *api_time(int64_t t);

/*
 * The resources of issue 6 (customers, users, locations) read their
 * bodies with the functions below. Their rules, for the OpenAPI document:
 * a member the resource does not know is refused (400 naming it: a typo
 * must not pass silently, least of all in a security setting); null is
 * the same as leaving a member out, except for an id, where it means
 * "none"; a member of the wrong type is a 400 naming it.
 */

/* Whether every member of body is in allowed (NULL-ended); else a 400
 * problem naming the first other one was sent. */
bool api_members_known(struct request *req, json_t *body,
    const char *const *allowed);

/*
 * Optional members: 0 when absent (or null), 1 when read into *out, -1
 * when of the wrong type (a 400 problem with the field was sent). A
 * string holds no NUL and lives as long as the body; an id is a positive
 * integer, null reads as 0 ("none", returning 1); arrays are copied into
 * the request's arena.
 */
int api_opt_string(struct request *req, json_t *body, const char *key,
    const char **out);
int api_opt_bool(struct request *req, json_t *body, const char *key,
    bool *out);
int api_opt_id(struct request *req, json_t *body, const char *key,
    int64_t *out);
int api_opt_strings(struct request *req, json_t *body, const char *key,
    const char ***out, size_t *n);
int api_opt_ids(struct request *req, json_t *body, const char *key,
    int64_t **out, size_t *n);

/*
 * If a model found fields in error (errors and fields as in check.h),
 * send the problem of the first one, with its status and JSON name, and
 * return true.
 */
struct check_field;
bool api_errors(struct request *req, const void *errors,
    const struct check_field *fields);

/*
 * A resource's reads as its model offers them, for the one list and get
 * path of the API: list (lq->keyset pages, as rows.h), get by id (1, 0
 * not found, -1), and a row as a JSON document. Every row struct starts
 * with its int64_t id, which the cursor follows.
 */
struct viewer;
struct rows_page;
struct api_resource {
	int (*list)(const struct viewer *v, const struct list_query *lq,
	    struct rows_page *out);
	int (*get)(const struct viewer *v, int64_t id, void *row);
	size_t row_size;
	json_t *(*json)(struct request *req, const void *row);
	const char *plural;	/* "The locations", for a 503 */
	const char *missing;	/* "There is no such location.", for a 404 */
	const char *path;	/* "/api/v1/locations/": then an object's id */
};

/* A list request (limit, cursor, q, customer_id, location_id): the page
 * or a problem (400 bad limit or cursor, 404 a filter outside the view,
 * 503). */
void api_list(struct request *req, const struct api_resource *r);

/* Object id with status, or a 404 / 503 problem. */
void api_get(struct request *req, const struct api_resource *r, int64_t id,
    int status);

/*
 * The answer to a model's write of an object of r (rc as it answered;
 * errors and fields its errors, as in check.h): the object id (201 with
 * Location when created, else 200), the problem of the first field in
 * error, 404 or 503.
 */
struct check_field;
void api_saved(struct request *req, const struct api_resource *r,
    enum model_result rc, bool created, int64_t id, const void *errors,
    const struct check_field *fields);

/* A write the model could not make (a database error; it rolled back,
 * nothing changed): 503. */
void api_unavailable(struct request *req);

#endif
