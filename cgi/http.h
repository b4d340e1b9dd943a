/*
 * http.h - the request and the response of one FastCGI exchange.
 *
 * A request is a struct created by http_read(), handled, written out by
 * http_send() and released with its arena by the caller; nothing in it
 * survives into the next request. Security headers are added here for
 * every response, so no handler can forget them.
 */
#ifndef ARBOR_HTTP_H
#define ARBOR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "form.h"
#include "perm.h"

struct app;
struct arena;
struct session;
struct user;
struct tval;
typedef struct FCGX_Request FCGX_Request;

#define HTTP_MAX_BODY (1024 * 1024)
/* the body of a CSV import: the file (csvfile.h CSV_MAX_BYTES) or, from
 * the preview's commit button, its base64 (4/3 of it), and an upload's
 * framing; nginx's limit on those routes is the same */
#define HTTP_MAX_IMPORT_BODY (23 * 1024 * 1024)

enum http_method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD_OTHER
};

/* A request id: 32 lowercase hex characters (nginx's $request_id). */
#define HTTP_REQUEST_ID_LEN 32
/* The bytes of a User-Agent a session keeps (the Profile page's list) */
#define HTTP_USER_AGENT_MAX 300

struct request {
	struct arena *arena;
	struct app *app;
	int64_t now;			/* time of arrival, Unix seconds */
	/* nginx's REQUEST_ID, or one of our own when it is missing or not
	 * 32 hex characters: in the log line, the X-Request-Id header, error
	 * pages and problem documents, so a user's report can be found */
	const char *request_id;

	enum http_method method;
	const char *path;		/* raw path, without the query */
	const char *query_string;
	const char *remote_addr;
	const char *user_agent;		/* valid UTF-8, at most
					 * HTTP_USER_AGENT_MAX bytes */
	const char *content_type;
	const char *authorization;
	const char *body;		/* NUL-terminated; may hold NULs */
	size_t body_len;
	struct params query;
	struct params form;		/* urlencoded POST bodies only */
	struct params cookies;

	/* Filled by the dispatcher. */
	const char *route;		/* the pattern matched, for the log;
					 * NULL when no route has the path */
	int64_t id;			/* the {id} of the route */
	int64_t sub_id;			/* its {sub} */
	const char *token;		/* the {token} of the route */
	const void *route_data;		/* the route's data (routes.h) */
	struct session *session;	/* NULL when not logged in */
	struct user *user;		/* the principal, NULL when anonymous */
	int64_t ended_user_id;		/* whose session this request ended
					 * (a sign-out): the log names them */
	const char *flash;		/* message carried over a redirect */
	bool session_expired;		/* a session cookie that timed out */
	const char *csrf;		/* this request's form token, once made */
	bool api;			/* came through the API gate (R_API) */
	struct viewer viewer;		/* user, origin, scope: what models take */

	/* The response. */
	int status;
	const char *response_type;	/* Content-Type, with charset */
	bool no_store;			/* Cache-Control: no-store */
	struct buf headers;		/* extra header lines, CRLF-ended */
	struct buf body_out;
};

/* The outcome of reading a request, before routing. */
enum http_read_err {
	HTTP_READ_OK,
	HTTP_READ_TOO_LARGE,	/* 413 */
	HTTP_READ_BAD		/* 400, message in *msg */
};

/*
 * Fill req from a FastCGI request: parameters, cookies, the query and (for
 * urlencoded POSTs) the body. req->arena and req->app must be set.
 */
enum http_read_err http_read(struct request *req, FCGX_Request *fcgi,
    const char **msg);

/* (Re)build req->viewer from req->user and req->api: after the gate has
 * found the principal, and whenever a handler signs someone in or out. */
void http_viewer(struct request *req);

/* Append a header line; name and value must not contain CR or LF. */
void http_header(struct request *req, const char *name, const char *value);

/* A cookie with our fixed attributes: __Host- prefix, Secure, HttpOnly,
 * SameSite=Lax, Path=/. max_age < 0 means a session cookie, 0 deletes. */
void http_cookie(struct request *req, const char *name, const char *value,
    int max_age);

/* 303 See Other to a path on this site. */
void http_redirect(struct request *req, const char *location);

/* Plain body with a type, e.g. for JSON. */
void http_body(struct request *req, int status, const char *type,
    const char *data, size_t len);

/* Write status, headers and body to the FastCGI stream. */
void http_send(struct request *req, FCGX_Request *fcgi);

/* The cookie named name without its __Host- prefix, or NULL. */
const char *http_cookie_get(const struct request *req, const char *name);

const char *http_status_text(int status);

/* "GET", "POST"...; "OTHER" for a method Arbor has no route for. */
const char *http_method_name(enum http_method m);

#endif
