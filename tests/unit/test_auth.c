/*
 * test_auth.c - passwords (hash, verify, rehash, policy), tokens, CSRF
 * tokens, flash cookies and the stages of a login.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "http.h"
#include "login.h"
#include "session.h"
#include "user.h"

static void
test_password_hash_and_verify(void **state)
{
	char hash[crypto_pwhash_STRBYTES], weak[crypto_pwhash_STRBYTES];

	(void)state;
	assert_int_equal(password_hash("a long passphrase \xc3\xa6", hash), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(password_verify(hash, "a long passphrase \xc3\xa6"));
	assert_false(password_verify(hash, "a long passphrase "));
	assert_false(password_verify(hash, "A long passphrase \xc3\xa6"));
	assert_false(password_needs_rehash(hash));
	/* a hash made with weaker limits is upgraded at the next login */
	assert_int_equal(crypto_pwhash_str(weak, "pw", 2,
	    crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), 0);
	assert_true(password_needs_rehash(weak));
	assert_true(password_verify(weak, "pw"));
	assert_false(password_verify("not a hash", "pw"));
}

static void
test_password_policy(void **state)
{
	/* reason: a word the refusal's sentence must hold, NULL: accepted */
	static const struct {
		const char *pw;
		const char *reason;
	} cases[] = {
		{ "correct horse battery staple", NULL },
		{ "Quiet-Harbor-Lantern-4471", NULL },
		{ "arbor-demo-password", NULL },
		{ "kqmzvtrbwplx", NULL },		/* random letters */
		{ "\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa6"
		  "\xc3\xb8\xc3\xa5\xc3\xa6\xc3\xb8\xc3\xa5", NULL }, /* 12 chars */
		{ "\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa6"
		  "\xc3\xb8\xc3\xa5\xc3\xa6\xc3\xb8", "12 characters" }, /* 11 */
		{ "short", "12 characters" },
		{ "elevenchars", "12 characters" },
		{ "dk.admin@northwind.example", "username or e-mail" },
		{ "DK.ADMIN.LONGNAME", "username or e-mail" },
		/* what issue 13 found accepted */
		{ "password1234", "common password" },
		{ "aaaaaaaaaaaa", "repeats" },
		{ "123456789012", "sequence" },
		/* cracklib's verdict: a word zxcvbn's lists lack */
		{ "administrator", "dictionary word" },
		{ "acclimatization", "dictionary word" },
		{ "abcdefghijklmn", "sequence" },
		{ "monkeymonkey", "repeats" },
		{ "zxcvbnm,./12", "keyboard" },
		{ "p@ssw0rd1234", "look-alikes" },
		{ "dk.admin.longname1", "username or e-mail" },
		{ "dk.admin-2024", "username or e-mail" },	/* e-mail's name */
		{ "Copenhagen2025", "easy to guess" },
		{ "iloveyou2024", "easy to guess" },
	};
	char long_pw[200];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = password_policy(cases[i].pw, "dk.admin.longname",
		    "dk.admin@northwind.example");
		if (cases[i].reason == NULL && why != NULL)
			fail_msg("\"%s\" refused: %s", cases[i].pw, why);
		if (cases[i].reason != NULL && (why == NULL ||
		    strstr(why, cases[i].reason) == NULL))
			fail_msg("\"%s\": %s, not \"%s\"", cases[i].pw,
			    why ? why : "accepted", cases[i].reason);
	}
	/* 128 characters are the most: not a repeat, so only the length
	 * counts */
	for (i = 0; i < 129; i++)
		long_pw[i] = (char)('a' + (i * 7 + i / 26) % 26);
	long_pw[128] = '\0';
	assert_null(password_policy(long_pw, "u", "e@x"));
	long_pw[128] = 'q';
	long_pw[129] = '\0';
	assert_string_equal(password_policy(long_pw, "u", "e@x"),
	    "Use at most 128 characters.");
	assert_non_null(password_policy("\xff\xfe not utf-8 at all", "u",
	    "e@x"));
}

static void
test_tokens(void **state)
{
	unsigned char h1[TOKEN_HASH_BYTES], h2[TOKEN_HASH_BYTES];
	struct arena *a = arena_new();
	char *t1, *t2, bad[TOKEN_TEXT_LEN + 2];

	(void)state;
	t1 = token_new(a, h1);
	t2 = token_new(a, h2);
	assert_int_equal(strlen(t1), TOKEN_TEXT_LEN);
	assert_string_not_equal(t1, t2);
	assert_int_equal(token_hash(t1, h2), 0);
	assert_memory_equal(h1, h2, sizeof(h1));
	/* wrong length, wrong alphabet, padding */
	snprintf(bad, sizeof(bad), "%s", t1);
	bad[TOKEN_TEXT_LEN - 1] = '\0';
	assert_int_equal(token_hash(bad, h2), -1);
	snprintf(bad, sizeof(bad), "%s", t1);
	bad[3] = '+';
	assert_int_equal(token_hash(bad, h2), -1);
	snprintf(bad, sizeof(bad), "%s=", t1);
	assert_int_equal(token_hash(bad, h2), -1);
	assert_int_equal(token_hash(NULL, h2), -1);
	arena_free(a);
}

/* A request as http_read() would leave it, with the given cookie
 * header and urlencoded form. */
static void
request_init(struct request *req, struct app *app, struct arena *a,
    const char *cookies, const char *form)
{
	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->app = app;
	req->now = 1700000000;
	buf_init(&req->headers, a);
	buf_init(&req->body_out, a);
	form_parse_cookies(a, cookies, &req->cookies);
	assert_int_equal(form_parse(a, form, strlen(form), &req->form),
	    FORM_OK);
}

/* The value of the Set-Cookie for name in req's headers, in a. */
static char *
set_cookie_value(struct request *req, const char *name)
{
	char key[64], *p, *end;

	snprintf(key, sizeof(key), "Set-Cookie: __Host-%s=", name);
	p = strstr(req->headers.data, key);
	if (p == NULL)
		return NULL;
	p += strlen(key);
	end = strchr(p, ';');
	return arena_strndup(req->arena, p, (size_t)(end - p));
}

static void
test_csrf_pre_session(void **state)
{
	struct arena *a = arena_new();
	struct request req;
	struct app app;
	const char *token;
	char *pre, *cookies, *form;

	(void)state;
	memset(&app, 0, sizeof(app));
	randombytes_buf(&app.keys, sizeof(app.keys));

	/* first visit: a pre-session cookie and a token bound to it */
	request_init(&req, &app, a, NULL, "");
	token = csrf_token(&req);
	pre = set_cookie_value(&req, "arbor_pre");
	assert_non_null(pre);
	assert_string_equal(csrf_token(&req), token);	/* stable */

	/* the POST with both is valid */
	cookies = arena_printf(a, "__Host-arbor_pre=%s", pre);
	form = arena_printf(a, "csrf_token=%s", token);
	request_init(&req, &app, a, cookies, form);
	assert_true(csrf_valid(&req));

	/* missing token, missing cookie, another cookie: refused */
	request_init(&req, &app, a, cookies, "username=x");
	assert_false(csrf_valid(&req));
	request_init(&req, &app, a, NULL, form);
	assert_false(csrf_valid(&req));
	request_init(&req, &app, a, NULL, "");
	(void)csrf_token(&req);
	cookies = arena_printf(a, "__Host-arbor_pre=%s",
	    set_cookie_value(&req, "arbor_pre"));
	request_init(&req, &app, a, cookies, form);
	assert_false(csrf_valid(&req));

	/* a token made with another key is worthless */
	cookies = arena_printf(a, "__Host-arbor_pre=%s", pre);
	randombytes_buf(&app.keys, sizeof(app.keys));
	request_init(&req, &app, a, cookies, form);
	assert_false(csrf_valid(&req));
	arena_free(a);
}

static void
test_flash_roundtrip_and_forgery(void **state)
{
	struct arena *a = arena_new();
	struct request req;
	struct app app;
	char *value, *cookies;

	(void)state;
	memset(&app, 0, sizeof(app));
	randombytes_buf(&app.keys, sizeof(app.keys));
	request_init(&req, &app, a, NULL, "");
	flash_set(&req, "Customer \xe2\x80\x9c" "A\xe2\x80\x9d created.");
	value = set_cookie_value(&req, "arbor_flash");
	assert_non_null(value);

	cookies = arena_printf(a, "__Host-arbor_flash=%s", value);
	request_init(&req, &app, a, cookies, "");
	flash_take(&req);
	assert_string_equal(req.flash, "Customer \xe2\x80\x9c" "A\xe2\x80\x9d "
	    "created.");
	/* and the cookie is cleared */
	assert_non_null(strstr(req.headers.data, "__Host-arbor_flash=; "));

	/* a changed message with the old MAC is ignored */
	value[0] = value[0] == 'A' ? 'B' : 'A';
	cookies = arena_printf(a, "__Host-arbor_flash=%s", value);
	request_init(&req, &app, a, cookies, "");
	flash_take(&req);
	assert_null(req.flash);
	arena_free(a);
}

static void
test_login_stages(void **state)
{
	/* MFA first, then a forced password change, then forced enrolment */
	static const struct {
		bool totp, passed, must_change, required;
		enum auth_stage want;
	} cases[] = {
		{ false, false, false, false, STAGE_FULL },
		{ true, false, false, false, STAGE_MFA },
		{ true, false, true, true, STAGE_MFA },
		{ true, true, false, false, STAGE_FULL },
		{ true, true, true, false, STAGE_PASSWORD },
		{ false, false, true, true, STAGE_PASSWORD },
		{ false, false, false, true, STAGE_ENROL },
		{ true, true, false, true, STAGE_FULL },
	};
	struct session s;
	struct user u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&u, 0, sizeof(u));
		memset(&s, 0, sizeof(s));
		u.totp_enabled = cases[i].totp;
		u.must_change_password = cases[i].must_change;
		u.mfa_required = cases[i].required;
		s.mfa_passed = cases[i].passed;
		if (login_stage(&u, &s) != cases[i].want)
			fail_msg("case %zu: stage %d", i,
			    (int)login_stage(&u, &s));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_hash_and_verify),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_csrf_pre_session),
		cmocka_unit_test(test_flash_roundtrip_and_forgery),
		cmocka_unit_test(test_login_stages),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
