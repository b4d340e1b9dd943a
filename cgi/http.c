/*
 * http.c - reading FastCGI parameters, writing responses.
 */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "arena.h"
#include "log.h"

/*
 * The policy every response carries. No inline script or style is ever
 * needed: the pages work without JavaScript and the stylesheet is a file.
 */
#define CSP "default-src 'self'; object-src 'none'; base-uri 'none'; " \
	"frame-ancestors 'none'; form-action 'self'"

static enum http_method
method_of(const char *m)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {
		{ "GET", METHOD_GET }, { "HEAD", METHOD_HEAD },
		{ "POST", METHOD_POST }, { "PUT", METHOD_PUT },
		{ "PATCH", METHOD_PATCH }, { "DELETE", METHOD_DELETE },
	};
	size_t i;

	for (i = 0; m != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].method;
	return METHOD_OTHER;
}

static const char *
param_or_empty(FCGX_Request *fcgi, const char *name)
{
	const char *v = FCGX_GetParam(name, fcgi->envp);

	return v ? v : "";
}

/*
 * The User-Agent as sessions keep it (the Profile page lists them): its
 * first HTTP_USER_AGENT_MAX bytes that are well-formed UTF-8, cut before
 * a character the limit would split. A header is bytes, and a
 * database's text is UTF-8: PostgreSQL refuses anything else, and a
 * sign-in must not fail on a client's odd header.
 */
static const char *
user_agent(struct arena *a, const char *raw)
{
	size_t len = strlen(raw);

	return arena_strndup(a, raw, utf8_valid_prefix(raw,
	    len < HTTP_USER_AGENT_MAX ? len : HTTP_USER_AGENT_MAX));
}

static bool
request_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= '0' && id[n] <= '9') ||
		    (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == HTTP_REQUEST_ID_LEN;
}

/* nginx's id when it is one (it cannot hold anything but hex then: safe
 * in a header and a log line), else a random one of the same form. */
static const char *
request_id(struct arena *a, const char *given)
{
	unsigned char raw[HTTP_REQUEST_ID_LEN / 2];
	char *id;

	if (request_id_valid(given))
		return arena_strdup(a, given);
	id = arena_alloc(a, HTTP_REQUEST_ID_LEN + 1);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, HTTP_REQUEST_ID_LEN + 1, raw, sizeof(raw));
	return id;
}

/* Read exactly len bytes of body, or fail. */
static int
read_body(struct request *req, FCGX_Request *fcgi, size_t len)
{
	char *body = arena_alloc(req->arena, len + 1);
	size_t got = 0;
	int n;

	while (got < len) {
		n = FCGX_GetStr(body + got, (int)(len - got), fcgi->in);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	body[len] = '\0';
	req->body = body;
	req->body_len = len;
	return 0;
}

static bool
is_urlencoded(const char *type)
{
	size_t n = strlen("application/x-www-form-urlencoded");

	return strncasecmp(type, "application/x-www-form-urlencoded", n) ==
	    0 && (type[n] == '\0' || type[n] == ';');
}

/* The routes that take a CSV file (up to CSV_MAX_BYTES) as their body. */
static bool
import_path(const char *path)
{
	return strcmp(path, "/users/import") == 0 ||
	    strcmp(path, "/accounts/import") == 0 ||
	    strcmp(path, "/api/v1/users/import") == 0;
}

enum http_read_err
http_read(struct request *req, FCGX_Request *fcgi, const char **msg)
{
	const char *uri, *q, *cl;
	enum form_err fe;
	char *end;
	unsigned long long len = 0;

	buf_init(&req->headers, req->arena);
	buf_init(&req->body_out, req->arena);
	req->request_id = request_id(req->arena, FCGX_GetParam("REQUEST_ID",
	    fcgi->envp));
	req->status = 200;
	req->response_type = "text/html; charset=utf-8";
	req->method = method_of(FCGX_GetParam("REQUEST_METHOD", fcgi->envp));
	uri = param_or_empty(fcgi, "REQUEST_URI");
	q = strchr(uri, '?');
	req->path = q ? arena_strndup(req->arena, uri, (size_t)(q - uri)) :
	    arena_strdup(req->arena, uri);
	req->query_string = param_or_empty(fcgi, "QUERY_STRING");
	req->remote_addr = param_or_empty(fcgi, "REMOTE_ADDR");
	req->user_agent = user_agent(req->arena, param_or_empty(fcgi,
	    "HTTP_USER_AGENT"));
	req->content_type = param_or_empty(fcgi, "CONTENT_TYPE");
	req->authorization = param_or_empty(fcgi, "HTTP_AUTHORIZATION");
	req->body = "";
	form_parse_cookies(req->arena, FCGX_GetParam("HTTP_COOKIE",
	    fcgi->envp), &req->cookies);

	fe = form_parse(req->arena, req->query_string,
	    strlen(req->query_string), &req->query);
	if (fe != FORM_OK) {
		*msg = form_strerror(fe);
		return HTTP_READ_BAD;
	}
	cl = FCGX_GetParam("CONTENT_LENGTH", fcgi->envp);
	if (cl != NULL && *cl != '\0') {
		len = strtoull(cl, &end, 10);
		if (*end != '\0' || *cl == '-') {
			*msg = "The request's Content-Length is not a number.";
			return HTTP_READ_BAD;
		}
		if (len > (import_path(req->path) ? HTTP_MAX_IMPORT_BODY :
		    HTTP_MAX_BODY))
			return HTTP_READ_TOO_LARGE;
	}
	if (len > 0 && read_body(req, fcgi, (size_t)len) != 0) {
		*msg = "The request body ended early.";
		return HTTP_READ_BAD;
	}
	/* an upload only where a file is read: every other route's form is
	 * urlencoded text, checked as such */
	if (req->method == METHOD_POST && (is_urlencoded(req->content_type) ||
	    (form_is_multipart(req->content_type) &&
	    import_path(req->path)))) {
		fe = is_urlencoded(req->content_type) ? form_parse(req->arena,
		    req->body, req->body_len, &req->form) :
		    form_parse_multipart(req->arena, req->body, req->body_len,
		    req->content_type, HTTP_MAX_IMPORT_BODY, "file",
		    &req->form);
		if (fe != FORM_OK) {
			*msg = form_strerror(fe);
			return HTTP_READ_BAD;
		}
	}
	return HTTP_READ_OK;
}

void
http_viewer(struct request *req)
{
	perm_viewer(&req->viewer, req->app, req->arena, req->now,
	    req->api ? ORIGIN_API : ORIGIN_PAGE, req->remote_addr, req->user);
}

static bool
header_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

void
http_header(struct request *req, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		/* A programming error: never let it split the response. */
		log_error("refused header with CR/LF: %s", name);
		return;
	}
	buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

void
http_cookie(struct request *req, const char *name, const char *value,
    int max_age)
{
	char *line;

	if (max_age < 0)
		line = arena_printf(req->arena, "__Host-%s=%s; Path=/; Secure; "
		    "HttpOnly; SameSite=Lax", name, value);
	else
		line = arena_printf(req->arena, "__Host-%s=%s; Path=/; Secure; "
		    "HttpOnly; SameSite=Lax; Max-Age=%d", name, value, max_age);
	http_header(req, "Set-Cookie", line);
}

const char *
http_cookie_get(const struct request *req, const char *name)
{
	char full[80];

	snprintf(full, sizeof(full), "__Host-%s", name);
	return param_get(&req->cookies, full);
}

void
http_redirect(struct request *req, const char *location)
{
	req->status = 303;
	http_header(req, "Location", location);
	buf_clear(&req->body_out);
}

void
http_body(struct request *req, int status, const char *type,
    const char *data, size_t len)
{
	req->status = status;
	req->response_type = type;
	buf_clear(&req->body_out);
	buf_append(&req->body_out, data, len);
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

const char *
http_method_name(enum http_method m)
{
	switch (m) {
	case METHOD_GET: return "GET";
	case METHOD_HEAD: return "HEAD";
	case METHOD_POST: return "POST";
	case METHOD_PUT: return "PUT";
	case METHOD_PATCH: return "PATCH";
	case METHOD_DELETE: return "DELETE";
	case METHOD_OTHER: break;
	}
	return "OTHER";
}

void
http_send(struct request *req, FCGX_Request *fcgi)
{
	/* formatted here: libfcgi's own printf knows no %zu */
	char *head = arena_printf(req->arena,
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Content-Security-Policy: " CSP "\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cross-Origin-Opener-Policy: same-origin\r\n"
	    "Cache-Control: %s\r\n"
	    "X-Request-Id: %s\r\n"
	    "%s\r\n",
	    req->status, http_status_text(req->status), req->response_type,
	    req->body_out.len,
	    req->no_store ? "no-store" : "private, no-cache",
	    req->request_id, req->headers.data);

	FCGX_PutStr(head, (int)strlen(head), fcgi->out);
	if (req->method != METHOD_HEAD)
		FCGX_PutStr(req->body_out.data, (int)req->body_out.len,
		    fcgi->out);
}
