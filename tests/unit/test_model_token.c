/*
 * test_model_token.c - API tokens (token.c) on the fixture's tree: what a
 * bearer header is worth for each state of its token and its user (a
 * user who owes a password change or an MFA enrolment is refused, not
 * revoked), and token_revoke_all(), what a new password and a
 * deactivation revoke.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_fixture.h"

#include "arena.h"
#include "db.h"
#include "principal.h"
#include "token.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define NOW XSTR(FIXTURE_NOW)

/* A new token of east.driver, made as the Tokens page makes it: the
 * header that carries it. */
static const char *
driver_header(struct fixture *f)
{
	struct viewer v = fixture_viewer(f, FX_EAST_DRIVER, ORIGIN_PAGE);
	struct token_errors e;
	const char *secret = NULL;
	int64_t id;

	assert_int_equal(token_create(&v, "made", token_default_expiry(&v),
	    NULL, &e, &secret, &id), MODEL_DONE);
	return arena_printf(f->arena, "Bearer %s", secret);
}

/* What east.driver may owe, or have done. */
#define MUST_CHANGE "UPDATE users SET must_change_password = 1 WHERE id = 5"
#define REQUIRE_MFA "UPDATE customers SET require_mfa = 1 WHERE id = 3"
#define ENROLLED "UPDATE users SET totp_enabled = 1 WHERE id = 5"

static void
test_authenticate(void **state)
{
	static const struct {
		const char *what;
		const char *sql[2];	/* the state, from the tree's */
		enum token_auth result;
	} cases[] = {
		{ "in use", { NULL, NULL }, TOKEN_OK },
		{ "MFA on, not required", { ENROLLED, NULL }, TOKEN_OK },
		/* owed: refused until done, and the token stays */
		{ "a forced password change", { MUST_CHANGE, NULL },
		    TOKEN_PASSWORD_DUE },
		{ "MFA required above, not enrolled", { "UPDATE customers SET "
		    "require_mfa = 1 WHERE id = 2", NULL }, TOKEN_ENROL_DUE },
		{ "MFA required, enrolled", { REQUIRE_MFA, ENROLLED },
		    TOKEN_OK },
		/* the order of the pages' stages */
		{ "both owed", { REQUIRE_MFA, MUST_CHANGE },
		    TOKEN_PASSWORD_DUE },
		{ "revoked", { "UPDATE api_tokens SET revoked_at = 1 WHERE "
		    "name = 'made'", NULL }, TOKEN_REFUSED },
		{ "expired", { "UPDATE api_tokens SET expires_at = " NOW
		    " WHERE name = 'made'", NULL }, TOKEN_REFUSED },
		{ "its user inactive", { "UPDATE users SET active = 0 WHERE "
		    "id = 5", NULL }, TOKEN_REFUSED },
		{ "its user deleted", { "DELETE FROM users WHERE id = 5",
		    NULL }, TOKEN_REFUSED },
	};
	struct fixture *f = *state;
	size_t i, j;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v;
		const char *header, *tokens;
		struct user *u = (struct user *)f;	/* not NULL */
		bool read_only;
		enum token_auth rc;

		fixture_renew(f);
		header = driver_header(f);
		for (j = 0; j < NELEM(cases[i].sql); j++)
			if (cases[i].sql[j] != NULL)
				fixture_exec(f, "%s", cases[i].sql[j]);
		tokens = fixture_text(f, "SELECT group_concat(coalesce("
		    "revoked_at, '-')) FROM api_tokens");
		v = fixture_viewer(f, 0, ORIGIN_API);
		rc = token_authenticate(&v, header, &u, &read_only);
		if (rc != cases[i].result)
			fail_msg("%s: %d", cases[i].what, rc);
		if (rc == TOKEN_OK ? u == NULL || u->id != FX_EAST_DRIVER :
		    u != NULL)
			fail_msg("%s: the user", cases[i].what);
		/* refused is not revoked */
		if (strcmp(fixture_text(f, "SELECT group_concat(coalesce("
		    "revoked_at, '-')) FROM api_tokens"), tokens) != 0)
			fail_msg("%s: revoked a token", cases[i].what);
	}
}

/* Headers that carry no token of ours. */
static void
test_authenticate_malformed(void **state)
{
	static const char *const headers[] = {
		NULL, "", "Basic abc", "Bearer", "Bearer arbor_",
		"Bearer arbor_" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, 0, ORIGIN_API);
	const char *good = driver_header(f);
	struct user *u;
	bool ro;
	size_t i;

	for (i = 0; i < NELEM(headers); i++) {
		u = (struct user *)f;
		if (token_authenticate(&v, headers[i], &u, &ro) !=
		    TOKEN_REFUSED || u != NULL)
			fail_msg("header %zu", i);
	}
	/* the secret without its prefix, or with a character more */
	assert_int_equal(token_authenticate(&v, arena_printf(f->arena,
	    "Bearer %s", good + strlen("Bearer arbor_")), &u, &ro),
	    TOKEN_REFUSED);
	assert_int_equal(token_authenticate(&v, arena_printf(f->arena,
	    "%sx", good), &u, &ro), TOKEN_REFUSED);
	assert_int_equal(token_authenticate(&v, good, &u, &ro), TOKEN_OK);
}

/* Every token of the user still in use, and only theirs: one event that
 * counts them, by the actor given; none when there was nothing to
 * revoke. */
static void
test_revoke_all(void **state)
{
	static const struct {
		const char *what;
		int64_t who;		/* the viewer; 0 with ORIGIN_CLI */
		enum origin origin;
		int64_t user, actor;
		const char *tokens;	/* "id,revoked_at;" of every token */
		const char *events;
	} cases[] = {
		/* the revoked and the expired one stay as they are */
		{ "east.driver's one in use", FX_NORTH_ADMIN, ORIGIN_PAGE,
		    FX_EAST_DRIVER, FX_NORTH_ADMIN,
		    "1," NOW ";2,1;3,-;4,-",
		    "tokens_revoked|5|3|127.0.0.1|1 token" },
		{ "by the user, through the API", FX_NORTH_FLEET, ORIGIN_API,
		    FX_NORTH_FLEET, FX_NORTH_FLEET, "1,-;2,1;3,-;4," NOW,
		    "tokens_revoked|4|4|127.0.0.1|1 token (API)" },
		{ "arborctl", 0, ORIGIN_CLI, FX_EAST_DRIVER, 0,
		    "1," NOW ";2,1;3,-;4,-",
		    "tokens_revoked|5|-||1 token (arborctl)" },
		{ "none in use", FX_NORTH_ADMIN, ORIGIN_PAGE, FX_NORTH_DM,
		    FX_NORTH_ADMIN, "1,-;2,1;3,-;4,-", "" },
	};
	struct fixture *f = *state;
	struct viewer v;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		fixture_renew(f);
		v = fixture_viewer(f, cases[i].who, cases[i].origin);
		assert_int_equal(db_begin(&f->app.db), 0);
		assert_int_equal(token_revoke_all(&v, cases[i].user,
		    cases[i].actor), 0);
		assert_int_equal(db_commit(&f->app.db), 0);
		if (strcmp(fixture_text(f, "SELECT group_concat(id || ',' || "
		    "coalesce(revoked_at, '-'), ';') FROM (SELECT * FROM "
		    "api_tokens ORDER BY id)"), cases[i].tokens) != 0 ||
		    strcmp(fixture_events(f), cases[i].events) != 0)
			fail_msg("%s: tokens or events %s", cases[i].what,
			    fixture_events(f));
	}
	/* two at once */
	fixture_renew(f);
	driver_header(f);
	v = fixture_viewer(f, 0, ORIGIN_CLI);
	assert_int_equal(db_begin(&f->app.db), 0);
	assert_int_equal(token_revoke_all(&v, FX_EAST_DRIVER, 0), 0);
	assert_int_equal(db_commit(&f->app.db), 0);
	assert_string_equal(fixture_events(f), "token_created|5|5|127.0.0.1|"
	    "made (write);tokens_revoked|5|-||2 tokens (arborctl)");
}

/* token_create()'s rules: a name unique among the user's tokens in use,
 * ignoring case; the expiry day in the user's zone, ending there. */
static void
test_create_rules(void **state)
{
	static const struct {
		const char *what;
		const char *name;
		const char *day;
		enum model_result want;
		int name_status, day_status;
		int64_t expires;	/* on MODEL_DONE */
	} cases[] = {
		/* FIXTURE_NOW is 2023-11-15 11:13 in Auckland (UTC+13) */
		{ "today there ends at midnight there", "new", "2023-11-15",
		    MODEL_DONE, 0, 0, 1700046000 },
		{ "yesterday there, today in UTC", "new", "2023-11-14",
		    MODEL_INVALID, 0, 400, 0 },
		{ "a year ahead there", "new", "2024-11-14", MODEL_DONE, 0, 0,
		    1731582000 },
		{ "a year and a day", "new", "2024-11-16", MODEL_INVALID, 0,
		    400, 0 },
		{ "not a date", "new", "2023-02-30", MODEL_INVALID, 0, 400, 0 },
		{ "a name in use, another case", "SCRIPT", "2023-12-01",
		    MODEL_INVALID, 409, 0, 0 },
		{ "a revoked token's name", "Revoked", "2023-12-01",
		    MODEL_DONE, 0, 0, 0 },
		{ "an expired token's name", "expired", "2023-12-01",
		    MODEL_DONE, 0, 0, 0 },
		{ "both wrong", "", "soon", MODEL_INVALID, 400, 400, 0 },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct token_errors e;
		const char *secret = NULL, *before;
		struct viewer v;
		int64_t id = 0;

		fixture_renew(f);
		fixture_exec(f, "UPDATE users SET time_zone = "
		    "'Pacific/Auckland' WHERE id = %d", FX_EAST_DRIVER);
		v = fixture_viewer(f, FX_EAST_DRIVER, ORIGIN_PAGE);
		before = fixture_snapshot(f);
		if (token_create(&v, cases[i].name, cases[i].day, NULL, &e,
		    &secret, &id) != cases[i].want || e.name.status !=
		    cases[i].name_status || e.expires_on.status !=
		    cases[i].day_status)
			fail_msg("%s: name %d, expires_on %d", cases[i].what,
			    e.name.status, e.expires_on.status);
		assert_false(f->app.db.in_transaction);
		if (cases[i].want != MODEL_DONE) {
			assert_string_equal(fixture_snapshot(f), before);
			continue;
		}
		assert_non_null(secret);
		if (cases[i].expires != 0)
			assert_int_equal(fixture_int(f, "SELECT expires_at FROM "
			    "api_tokens WHERE id = %lld", (long long)id),
			    cases[i].expires);
	}
}

/* The scope chosen is the scope the token has when it is used: "read"
 * only if asked for (none given is "write", as tokens always were);
 * anything else is refused and makes no token. */
static void
test_scope(void **state)
{
	static const struct {
		const char *scope;
		enum model_result want;
		bool read_only;		/* on MODEL_DONE */
		const char *stored;
	} cases[] = {
		{ "read", MODEL_DONE, true, "read" },
		{ "write", MODEL_DONE, false, "write" },
		{ NULL, MODEL_DONE, false, "write" },
		{ "", MODEL_DONE, false, "write" },
		{ "READ", MODEL_INVALID, false, NULL },
		{ "admin", MODEL_INVALID, false, NULL },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct viewer v;
		struct token_errors e;
		struct token t;
		const char *secret = NULL, *before;
		struct user *u;
		bool ro = !cases[i].read_only;
		int64_t id = 0;

		fixture_renew(f);
		v = fixture_viewer(f, FX_EAST_DRIVER, ORIGIN_PAGE);
		before = fixture_snapshot(f);
		if (token_create(&v, "scoped", token_default_expiry(&v),
		    cases[i].scope, &e, &secret, &id) != cases[i].want)
			fail_msg("scope %s", cases[i].scope);
		if (cases[i].want != MODEL_DONE) {
			assert_int_equal(e.scope.status, 400);
			assert_string_equal(fixture_snapshot(f), before);
			continue;
		}
		assert_string_equal(fixture_text(f, "SELECT scope FROM "
		    "api_tokens WHERE id = %lld", (long long)id),
		    cases[i].stored);
		assert_int_equal(token_get(&v, id, &t), 1);
		assert_int_equal(t.read_only, cases[i].read_only);
		v = fixture_viewer(f, 0, ORIGIN_API);
		assert_int_equal(token_authenticate(&v, arena_printf(f->arena,
		    "Bearer %s", secret), &u, &ro), TOKEN_OK);
		assert_int_equal(ro, cases[i].read_only);
	}
}

/* Revoking names the token in its event; once revoked, not found. */
static void
test_revoke(void **state)
{
	struct fixture *f = *state;
	struct viewer v = fixture_viewer(f, FX_EAST_DRIVER, ORIGIN_PAGE);
	struct viewer other = fixture_viewer(f, FX_NORTH_FLEET, ORIGIN_PAGE);
	struct token gone;

	assert_int_equal(token_revoke(&other, 1, &gone), MODEL_NOT_FOUND);
	assert_int_equal(token_revoke(&v, 2, &gone), MODEL_NOT_FOUND);
	assert_int_equal(token_revoke(&v, 1, &gone), MODEL_DONE);
	assert_string_equal(gone.name, "script");
	assert_string_equal(fixture_events(f), "token_revoked|5|5|"
	    "127.0.0.1|script");
	assert_int_equal(token_revoke(&v, 1, &gone), MODEL_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_authenticate,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_authenticate_malformed,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_revoke_all,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_create_rules,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_scope,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_revoke,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
