/*
 * routes.h - the route table and the gate every request passes.
 *
 * One table lists every page: method, path pattern ({id} a positive
 * decimal id, {token} a URL-safe token), handler, flags and the action of
 * the permission matrix it needs. route_dispatch() checks, in this order
 * and for every route alike: the route exists (404) and takes the method
 * (405), the CSRF token of a POST (403), the login (redirect), the login
 * stage (MFA, forced password change, forced enrolment) and the
 * permission (403). Handlers run only after all of these passed.
 */
#ifndef ARBOR_ROUTES_H
#define ARBOR_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "perm.h"

typedef void (*route_handler)(struct request *req);

enum route_flag {
	R_PUBLIC = 1 << 0,	/* no login needed */
	/* allowed while the login is not complete, per stage */
	R_STAGE_MFA = 1 << 1,
	R_STAGE_PASSWORD = 1 << 2,
	R_STAGE_ENROL = 1 << 3,
	R_API = 1 << 4,		/* /api/v1: bearer token, JSON problems */
	R_READ = 1 << 5,	/* a GET that shows data and offers no change
				 * of its own: the gate asks perm_may_read(),
				 * so that API Developers read it too */
	R_PROBE = 1 << 6	/* a machine's question (GET /healthz): public,
				 * and no cookie is read or set */
};
#define R_ANY_STAGE (R_STAGE_MFA | R_STAGE_PASSWORD | R_STAGE_ENROL)

struct route {
	enum http_method method;
	const char *pattern;
	route_handler handler;
	unsigned flags;
	enum perm_action action;
	const void *data;	/* for the handler: an API resource (api.h) */
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NO_PATH,		/* 404 */
	ROUTE_BAD_METHOD	/* 405; allow lists the methods */
};

/*
 * Find the route for method and path; on ROUTE_FOUND *out is set and
 * req->id / req->token get the pattern's values; on ROUTE_BAD_METHOD
 * allow receives e.g. "GET, HEAD, POST".
 */
enum route_result route_find(struct request *req, const struct route **out,
    char *allow, size_t allowlen);

/* The route table, for the OpenAPI consistency test. */
const struct route *route_table(size_t *n);

/* Whether a GET route serves path: pages link only to what exists. */
bool route_exists(const char *path);

/* Route, gate and run the handler for req (see above). */
void route_dispatch(struct request *req);

#endif
