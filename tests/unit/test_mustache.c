/*
 * test_mustache.c - the mustache engine against the official spec files,
 * plus the behaviour Arbor relies on beyond the spec.
 *
 * The spec directory is $MUSTACHE_SPEC_DIR, by default
 * tests/mustache-spec (run from the repository root). Each spec file is
 * one cmocka test that prints "<file>: passed/total passed" and the names
 * of the failures; lambdas (~lambdas.json) are not supported and not run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "mustache.h"
#include "tval.h"
#include "tval_json.h"

/* Named templates served to mu_render through lookup(). */
struct partials {
	size_t n;
	const char **names;
	struct mu_template **tmpl;
};

static const struct mu_template *
lookup(void *ctx, const char *name)
{
	const struct partials *ps = ctx;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->names[i], name) == 0)
			return ps->tmpl[i];
	return NULL;
}

static void
partials_free(struct partials *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		mu_free(ps->tmpl[i]);
	free(ps->names);
	free(ps->tmpl);
	ps->n = 0;
}

/* Adds a partial parsed from src; returns -1 (with err) if it fails. */
static int
partials_add(struct partials *ps, const char *name, const char *src,
    size_t len, char *err, size_t errlen)
{
	struct mu_template *t = mu_parse(src, len, err, errlen);

	if (t == NULL)
		return -1;
	ps->names = realloc(ps->names, (ps->n + 1) * sizeof(*ps->names));
	ps->tmpl = realloc(ps->tmpl, (ps->n + 1) * sizeof(*ps->tmpl));
	assert_non_null(ps->names);
	assert_non_null(ps->tmpl);
	ps->names[ps->n] = name;
	ps->tmpl[ps->n] = t;
	ps->n++;
	return 0;
}

/*
 * Runs one spec test. Returns 1 when the output matches "expected", else
 * 0 with the reason in why.
 */
static int
run_spec_test(const json_t *test, char *why, size_t whylen)
{
	const json_t *tmpl = json_object_get(test, "template");
	const json_t *want = json_object_get(test, "expected");
	json_t *parts = json_object_get(test, "partials");
	struct partials ps = { 0, NULL, NULL };
	struct mu_template *t = NULL;
	struct arena *a = arena_new();
	struct buf out;
	const char *name;
	json_t *src;
	char err[256];
	int ok = 0;

	if (!json_is_string(tmpl) || !json_is_string(want)) {
		snprintf(why, whylen, "malformed test");
		goto done;
	}
	json_object_foreach(parts, name, src) {
		if (partials_add(&ps, name, json_string_value(src),
		    json_string_length(src), err, sizeof(err)) < 0) {
			snprintf(why, whylen, "partial %s: %s", name, err);
			goto done;
		}
	}
	t = mu_parse(json_string_value(tmpl), json_string_length(tmpl), err,
	    sizeof(err));
	if (t == NULL) {
		snprintf(why, whylen, "parse: %s", err);
		goto done;
	}
	buf_init(&out, a);
	if (mu_render(t, tv_from_json(a, json_object_get(test, "data")),
	    lookup, &ps, &out) < 0) {
		snprintf(why, whylen, "render failed");
		goto done;
	}
	if (out.len == json_string_length(want) &&
	    memcmp(out.data, json_string_value(want), out.len) == 0)
		ok = 1;
	else
		snprintf(why, whylen, "expected \"%s\", got \"%s\"",
		    json_string_value(want), out.data);
done:
	mu_free(t);
	partials_free(&ps);
	arena_free(a);
	return ok;
}

/* One spec file; state is its name. */
static void
test_spec_file(void **state)
{
	const char *file = *state;
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	char path[1024], why[2048];
	json_error_t jerr;
	json_t *root, *tests, *test;
	size_t i, total, passed = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = "tests/mustache-spec";
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s", path, jerr.text);
	tests = json_object_get(root, "tests");
	assert_true(json_is_array(tests));
	total = json_array_size(tests);
	for (i = 0; i < total; i++) {
		test = json_array_get(tests, i);
		if (run_spec_test(test, why, sizeof(why)))
			passed++;
		else
			printf("  FAIL %s: %s\n", json_string_value(
			    json_object_get(test, "name")), why);
	}
	printf("%s: %zu/%zu passed\n", file, passed, total);
	json_decref(root);
	assert_int_equal(passed, total);
}

/* Parses src, failing the test on error. */
static struct mu_template *
parse_ok(const char *src)
{
	char err[256];
	struct mu_template *t = mu_parse(src, strlen(src), err, sizeof(err));

	if (t == NULL)
		fail_msg("parse \"%s\": %s", src, err);
	return t;
}

/* Renders src with data and partials ps; returns the output (in a). */
static const char *
render_str(struct arena *a, const char *src, const struct tval *data,
    struct partials *ps)
{
	struct mu_template *t = parse_ok(src);
	struct buf out;

	buf_init(&out, a);
	assert_int_equal(mu_render(t, data, ps != NULL ? lookup : NULL, ps,
	    &out), 0);
	mu_free(t);
	return out.data;
}

static void
test_escaping(void **state)
{
	struct arena *a = arena_new();
	struct tval *d = tv_map(a);

	(void)state;
	tv_set_str(d, "s", "a&b <i> \"q\" 'x'");
	assert_string_equal(render_str(a, "{{s}}", d, NULL),
	    "a&amp;b &lt;i&gt; &quot;q&quot; &#39;x&#39;");
	assert_string_equal(render_str(a, "{{{s}}}|{{&s}}", d, NULL),
	    "a&b <i> \"q\" 'x'|a&b <i> \"q\" 'x'");
	arena_free(a);
}

/* Asserts that rendering src with partials ps is refused (-1). */
static void
render_refused(struct arena *a, const char *src, struct partials *ps)
{
	struct mu_template *t = parse_ok(src);
	struct buf out;

	buf_init(&out, a);
	assert_int_equal(mu_render(t, NULL, lookup, ps, &out), -1);
	mu_free(t);
}

static void
test_recursive_partial(void **state)
{
	struct partials ps = { 0, NULL, NULL };
	struct arena *a = arena_new();
	char err[256];

	(void)state;
	assert_int_equal(partials_add(&ps, "self", "x{{>self}}", 10, err,
	    sizeof(err)), 0);
	assert_int_equal(partials_add(&ps, "up", "{{<up}}{{/up}}", 14, err,
	    sizeof(err)), 0);
	render_refused(a, "{{>self}}", &ps);
	/* A parent that extends itself. */
	render_refused(a, "{{<up}}{{/up}}", &ps);
	partials_free(&ps);
	arena_free(a);
}

/* An override holding a block of its own name fills that block with
 * itself again (found by the fuzzer: it recursed until the stack
 * overflowed); a block of another name inside one renders. */
static void
test_recursive_block(void **state)
{
	static const char parent[] = "{{$x}}default{{/x}}";
	static const char outer[] = "<{{$y}}{{$x}}in y{{/x}}{{/y}}>";
	struct partials ps = { 0, NULL, NULL };
	struct arena *a = arena_new();
	char err[256];

	(void)state;
	assert_int_equal(partials_add(&ps, "parent", parent,
	    sizeof(parent) - 1, err, sizeof(err)), 0);
	assert_int_equal(partials_add(&ps, "outer", outer, sizeof(outer) - 1,
	    err, sizeof(err)), 0);
	render_refused(a, "{{<parent}}{{$x}}[{{$x}}inner{{/x}}]{{/x}}"
	    "{{/parent}}", &ps);
	assert_string_equal(render_str(a, "{{<outer}}{{$x}}[{{$y}}deep{{/y}}]"
	    "{{/x}}{{/outer}}", NULL, &ps), "<[deep]>");
	assert_string_equal(render_str(a, "{{<outer}}{{/outer}}", NULL, &ps),
	    "<in y>");
	partials_free(&ps);
	arena_free(a);
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char *src;
		const char *msg;
	} cases[] = {
		{ "a\n{{#list}}\nitem\n", "line 2" },		/* unclosed */
		{ "{{#a}}\n\n{{/b}}", "line 3" },		/* mismatched */
		{ "x\n{{/a}}", "line 2" },			/* stray close */
		{ "a\nb\n{{name", "line 3" },			/* unclosed tag */
		{ "a\n{{{name}}", "line 2" },
		{ "{{= x =}}", "line 1" },			/* bad delimiters */
		{ "\n{{#}}{{/}}", "line 2" },			/* empty name */
		{ "{{<p}}{{$b}}{{/p}}", "line 1" },
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_null(mu_parse(cases[i].src, strlen(cases[i].src), err,
		    sizeof(err)));
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"",
			    cases[i].src, err, cases[i].msg);
	}
	/* A NULL message buffer is allowed. */
	assert_null(mu_parse("{{#a}}", 6, NULL, 0));
}

static void
test_empty_string_falsy(void **state)
{
	struct arena *a = arena_new();
	struct tval *d = tv_map(a);

	(void)state;
	tv_set_str(d, "s", "");
	tv_set_str(d, "t", "msg");
	assert_string_equal(render_str(a, "[{{#s}}x{{/s}}]", d, NULL), "[]");
	assert_string_equal(render_str(a, "[{{^s}}y{{/s}}]", d, NULL), "[y]");
	assert_string_equal(render_str(a, "[{{#t}}<{{.}}>{{/t}}]", d, NULL),
	    "[<msg>]");
	arena_free(a);
}

static void
test_dotted_names(void **state)
{
	struct arena *a = arena_new();
	struct tval *d = tv_map(a), *b;

	(void)state;
	b = tv_set_map(tv_set_map(d, "a"), "b");
	tv_set_str(b, "c", "deep");
	tv_set_int(b, "n", 42);
	tv_set_str(d, "c", "top");
	assert_string_equal(render_str(a, "{{a.b.c}} {{a.b.n}}", d, NULL),
	    "deep 42");
	/* Each part after the first resolves only in its parent. */
	assert_string_equal(render_str(a, "[{{a.c}}][{{a.b.x.y}}]", d, NULL),
	    "[][]");
	assert_string_equal(render_str(a, "{{#a.b}}{{c}}/{{a.b.n}}{{/a.b}}",
	    d, NULL), "deep/42");
	arena_free(a);
}

static void
test_implicit_iterator(void **state)
{
	struct arena *a = arena_new();
	struct tval *d = tv_map(a), *l;

	(void)state;
	l = tv_set_list(d, "list");
	tv_push(l, tv_str(a, "a<"));
	tv_push(l, tv_int(a, -7));
	tv_push(l, tv_real(a, 1.5));
	tv_push(l, tv_real(a, 0.1));
	tv_push(l, tv_bool(a, true));
	assert_string_equal(render_str(a, "{{#list}}({{.}}){{/list}}", d,
	    NULL), "(a&lt;)(-7)(1.5)(0.1)(true)");
	assert_string_equal(render_str(a, "{{.}}", tv_str(a, "root"), NULL),
	    "root");
	arena_free(a);
}

/* The same parsed partial at two indentations, rendered twice: the
 * template is not changed by rendering. */
static void
test_partial_reuse(void **state)
{
	struct partials ps = { 0, NULL, NULL };
	struct arena *a = arena_new();
	struct mu_template *t;
	struct buf out;
	char err[256];
	int i;

	(void)state;
	assert_int_equal(partials_add(&ps, "p", "a\n{{#x}}\nb\n{{/x}}\n", 18,
	    err, sizeof(err)), 0);
	t = parse_ok("<\n  {{>p}}\n    {{>p}}\n>\n");
	for (i = 0; i < 2; i++) {
		buf_init(&out, a);
		assert_int_equal(mu_render(t, tv_map(a), lookup, &ps, &out), 0);
		assert_string_equal(out.data, "<\n  a\n    a\n>\n");
	}
	mu_free(t);
	partials_free(&ps);
	arena_free(a);
}

static void
test_tval(void **state)
{
	struct arena *a = arena_new();
	struct tval *m = tv_map(a), *l = tv_list(a);
	int i;

	(void)state;
	tv_set_int(m, "k", 1);
	tv_set_int(m, "j", 2);
	tv_set_int(m, "k", 3);		/* replaces */
	assert_int_equal(tv_len(m), 2);
	assert_string_equal(tv_entry_at(m, 0)->key, "k");
	assert_int_equal(tv_get(m, "k")->u.i, 3);
	assert_null(tv_get(m, "missing"));
	assert_null(tv_get(l, "k"));
	for (i = 0; i < 100; i++)
		tv_push(l, tv_int(a, i));
	assert_int_equal(tv_len(l), 100);
	assert_int_equal(tv_at(l, 99)->u.i, 99);
	assert_null(tv_at(l, 100));
	assert_true(tv_str(a, NULL)->type == TV_NULL);
	assert_false(tv_truthy(NULL));
	assert_false(tv_truthy(tv_null(a)));
	assert_false(tv_truthy(tv_list(a)));
	assert_false(tv_truthy(tv_str(a, "")));
	assert_true(tv_truthy(tv_int(a, 0)));
	assert_true(tv_truthy(tv_map(a)));
	assert_true(tv_truthy(l));
	arena_free(a);
}

/* A spec file as a test named after it. */
#define SPEC(file) { "spec " file, test_spec_file, NULL, NULL, file }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SPEC("comments.json"),
		SPEC("delimiters.json"),
		SPEC("interpolation.json"),
		SPEC("inverted.json"),
		SPEC("partials.json"),
		SPEC("sections.json"),
		SPEC("~inheritance.json"),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_recursive_partial),
		cmocka_unit_test(test_recursive_block),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_empty_string_falsy),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_implicit_iterator),
		cmocka_unit_test(test_partial_reuse),
		cmocka_unit_test(test_tval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
