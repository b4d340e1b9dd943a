/*
 * trivial-fcgi.c - the smallest useful libfcgi worker: the baseline that
 * `make bench` measures Arbor against, and a stand-in worker for testing
 * nginx/stack.sh.
 *
 * Answers every request with 200, Content-Type text/html; charset=utf-8
 * and a body of exactly $TRIVIAL_BODY_BYTES bytes (default 4096), or of
 * N bytes when the query string starts with bytes=N (so one program
 * stands for pages of every size): a fixed HTML page padded with a
 * comment (or the page cut short when the size asked for is smaller
 * than the page). The body is built once per size in a row, as a static
 * page would be. Reads and discards any request body so that nginx
 * never waits on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

static const char page_head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head><meta charset=\"utf-8\"><title>trivial</title></head>\n"
	"<body><h1>trivial</h1><p>A baseline FastCGI answer.</p></body>\n"
	"</html>\n";

static const char pad_open[] = "<!-- ";
static const char pad_close[] = " -->\n";

/* Build the body once: the page, then a comment of 'x' up to n bytes. */
static char *
make_body(size_t n)
{
	char *body = malloc(n + 1);
	size_t head = sizeof page_head - 1;
	size_t frame = sizeof pad_open - 1 + sizeof pad_close - 1;

	if (body == NULL)
		return NULL;
	if (n <= head + frame) {
		/* Too small for a comment: the page itself, cut to n bytes. */
		memcpy(body, page_head, n < head ? n : head);
		if (n > head)
			memset(body + head, '\n', n - head);
	} else {
		size_t fill = n - head - frame;
		char *p = body;

		memcpy(p, page_head, head);
		p += head;
		memcpy(p, pad_open, sizeof pad_open - 1);
		p += sizeof pad_open - 1;
		memset(p, 'x', fill);
		p += fill;
		memcpy(p, pad_close, sizeof pad_close - 1);
	}
	body[n] = '\0';
	return body;
}

static size_t
body_size(void)
{
	const char *s = getenv("TRIVIAL_BODY_BYTES");
	int n;

	if (s == NULL || *s == '\0')
		return 4096;
	n = atoi(s);
	return n < 0 ? 0 : (size_t)n;
}

/* The size a query string "bytes=N…" asks for (at most 16 MiB), else
 * fallback. */
static size_t
query_size(const char *query, size_t fallback)
{
	long n;

	if (query == NULL || strncmp(query, "bytes=", 6) != 0)
		return fallback;
	n = strtol(query + 6, NULL, 10);
	return n < 0 || n > 16L << 20 ? fallback : (size_t)n;
}

/* One answer of n bytes: the header, then the body in pieces
 * (FCGX_PutStr takes an int). */
static void
answer(FCGX_Stream *out, const char *body, size_t n)
{
	char header[160];
	int hlen = snprintf(header, sizeof header,
	    "Status: 200 OK\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "\r\n", n);

	if (hlen < 0 || (size_t)hlen >= sizeof header)
		return;
	FCGX_PutStr(header, hlen, out);
	for (size_t off = 0; off < n;) {
		size_t chunk = n - off > 65536 ? 65536 : n - off;

		if (FCGX_PutStr(body + off, (int)chunk, out) < 0)
			break;
		off += chunk;
	}
}

int
main(void)
{
	FCGX_Request req;
	size_t fallback = body_size(), n = fallback, want;
	char *body = make_body(n), *other;

	if (body == NULL) {
		fputs("trivial-fcgi: out of memory\n", stderr);
		return 1;
	}
	if (FCGX_Init() != 0) {
		fputs("trivial-fcgi: FCGX_Init failed\n", stderr);
		free(body);
		return 1;
	}
	if (FCGX_InitRequest(&req, 0, 0) != 0) {
		fputs("trivial-fcgi: FCGX_InitRequest failed\n", stderr);
		free(body);
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		char discard[4096];

		while (FCGX_GetStr(discard, (int)sizeof discard, req.in) > 0)
			;
		want = query_size(FCGX_GetParam("QUERY_STRING", req.envp),
		    fallback);
		if (want != n && (other = make_body(want)) != NULL) {
			free(body);
			body = other;
			n = want;
		}
		answer(req.out, body, n);
		FCGX_Finish_r(&req);
	}
	free(body);
	return 0;
}
