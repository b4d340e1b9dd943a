/*
 * fuzz_json.c - JSON request bodies: api_body() (jansson with the API's
 * flags), then what every resource does with the object before its
 * model runs: api_members_known() and the typed member readers, here
 * over the users resource's members with each reader on each, so every
 * type check meets every kind of value. A body that passes is also
 * turned into template values (tv_from_json, as arborctl render does).
 */
#include <string.h>

#include "api.h"
#include "arena.h"
#include "fuzz.h"
#include "http.h"
#include "tval_json.h"

static const char *const members[] = { "email", "username", "full_name",
    "phone", "address", "language", "password", "password_mode",
    "customer_id", "active", "groups", "locations", NULL };

/* A reader's answer rc: a refusal (-1) must have sent a 400 problem.
 * Resets the status for the next reader. */
static void
check_refusal(struct request *req, int rc)
{
	if (rc < 0 && req->status != 400)
		__builtin_trap();	/* refused without a problem */
	req->status = 200;
}

/* Every reader on member key, each on its own: a refusal must have sent
 * a problem, and what is read must be what the body holds. */
static void
read_member(struct request *req, json_t *body, const char *key)
{
	const char *s, **strings;
	int64_t id, *ids;
	size_t n;
	bool b;
	int rc;

	req->status = 200;
	rc = api_opt_string(req, body, key, &s);
	if (rc == 1 && strlen(s) > json_string_length(json_object_get(body,
	    key)))
		__builtin_trap();
	check_refusal(req, rc);
	check_refusal(req, api_opt_bool(req, body, key, &b));
	rc = api_opt_id(req, body, key, &id);
	if (rc == 1 && id < 0)
		__builtin_trap();
	check_refusal(req, rc);
	rc = api_opt_strings(req, body, key, &strings, &n);
	if (rc == 1 && strings[n] != NULL)
		__builtin_trap();
	check_refusal(req, rc);
	rc = api_opt_ids(req, body, key, &ids, &n);
	if (rc == 1 && n > 0 && ids[n - 1] <= 0)
		__builtin_trap();
	check_refusal(req, rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct request req;
	json_t *body;
	size_t i;
	char *copy = arena_alloc(a, size + 1);

	memset(&req, 0, sizeof(req));
	req.arena = a;
	buf_init(&req.headers, a);
	buf_init(&req.body_out, a);
	req.content_type = "application/json; charset=utf-8";
	/* what http_read() sets: every problem document names it */
	req.request_id = "0123456789abcdef0123456789abcdef";
	memcpy(copy, data, size);	/* as http_read() keeps a body */
	req.body = copy;
	req.body_len = size;
	if ((body = api_body(&req)) == NULL) {
		if (req.status != 400)
			__builtin_trap();	/* refused without a problem */
	} else {
		if (api_members_known(&req, body, members))
			for (i = 0; members[i] != NULL; i++)
				read_member(&req, body, members[i]);
		(void)tv_from_json(a, body);
		json_decref(body);
	}
	arena_free(a);
	return 0;
}
