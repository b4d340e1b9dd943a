/*
 * test_api.c - reading a JSON request body (api_body): what is refused,
 * and that every refusal is a 400 problem document in UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "arena.h"
#include "form.h"
#include "http.h"

/* A request whose JSON body is the len bytes of body. */
static void
request_with(struct request *req, struct arena *a, const char *body,
    size_t len)
{
	memset(req, 0, sizeof(*req));
	req->arena = a;
	buf_init(&req->headers, a);
	buf_init(&req->body_out, a);
	req->content_type = "application/json";
	/* what http_read() sets: every problem document names it */
	req->request_id = "0123456789abcdef0123456789abcdef";
	req->body = body;
	req->body_len = len;
	req->status = 200;
}

static const struct {
	const char *body;
	const char *detail;	/* the start of the problem's detail */
} refused[] = {
	{ "[1]", "The body must be a JSON object." },
	{ "{\"a\":1,\"a\":2}", "The body is not valid JSON: duplicate" },
	{ "{", "The body is not valid JSON: " },
	/* found by fuzz_json: jansson's message ends with the bytes of the
	 * bad escape, cut in the middle of the character U+051B (not UTF-8
	 * any more); the problem was a 500 with "{}" */
	{ "{\"n\\ud8\324\233\": 1}", "The body is not valid JSON: invalid "
	  "escape (line 1, column " },
	{ "{\"\xff\": 1}", "The body is not valid JSON: unable to decode" },
};

static void
test_refused_bodies(void **state)
{
	struct arena *a = arena_new();
	struct request req;
	json_t *problem;
	const char *detail;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		request_with(&req, a, refused[i].body, strlen(refused[i].body));
		assert_null(api_body(&req));
		if (req.status != 400)
			fail_msg("case %zu: status %d", i, req.status);
		problem = json_loadb(req.body_out.data, req.body_out.len, 0,
		    NULL);
		assert_non_null(problem);
		detail = json_string_value(json_object_get(problem, "detail"));
		assert_non_null(detail);
		if (strncmp(detail, refused[i].detail,
		    strlen(refused[i].detail)) != 0)
			fail_msg("case %zu: detail \"%s\"", i, detail);
		assert_true(utf8_valid(detail, strlen(detail)));
		assert_string_equal(json_string_value(json_object_get(problem,
		    "request_id")), req.request_id);
		json_decref(problem);
	}
	arena_free(a);
}

static void
test_object_read(void **state)
{
	static const char body[] = "{\"name\":\"x\"}";
	struct arena *a = arena_new();
	struct request req;
	json_t *j;

	(void)state;
	request_with(&req, a, body, sizeof(body) - 1);
	j = api_body(&req);
	assert_non_null(j);
	assert_int_equal(req.status, 200);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
	    "x");
	json_decref(j);
	req.content_type = "text/plain";
	assert_null(api_body(&req));
	assert_int_equal(req.status, 415);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_bodies),
		cmocka_unit_test(test_object_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
