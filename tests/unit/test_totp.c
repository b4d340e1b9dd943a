/*
 * test_totp.c - RFC 6238 test vectors, base32, the otpauth URI, the
 * one-use rule, sealing of secrets and recovery codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <liboath/oath.h>

#include "app.h"
#include "arena.h"
#include "totp.h"
#include "tval.h"

/* RFC 6238 appendix B, SHA-1: the 8-digit codes' last 6 digits. */
static const unsigned char rfc_secret[TOTP_SECRET_BYTES] =
    "12345678901234567890";

static void
test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} vectors[] = {
		{ 59, "287082" }, { 1111111109, "081804" },
		{ 1111111111, "050471" }, { 1234567890, "005924" },
		{ 2000000000, "279037" }, { 20000000000LL, "353130" },
	};
	char code[TOTP_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(totp_code(rfc_secret, vectors[i].t, code), 0);
		assert_string_equal(code, vectors[i].code);
	}
}

static void
test_check_window_and_reuse(void **state)
{
	int64_t now = 1111111109, step = now / TOTP_STEP;

	(void)state;
	/* the current step and one either side pass; two away do not */
	assert_int_equal(totp_check(rfc_secret, "081804", now, 0), step);
	assert_int_equal(totp_check(rfc_secret, "081804", now + 30, 0), step);
	assert_int_equal(totp_check(rfc_secret, "081804", now - 30, 0), step);
	assert_int_equal(totp_check(rfc_secret, "081804", now + 60, 0), 0);
	/* a step at or below the last accepted one is refused, as used:
	 * the same code again, or an older one after a newer */
	assert_int_equal(totp_check(rfc_secret, "081804", now, step),
	    TOTP_USED);
	assert_int_equal(totp_check(rfc_secret, "081804", now + 30, step + 1),
	    TOTP_USED);
	assert_int_equal(totp_check(rfc_secret, "081804", now, step - 1), step);
	/* a wrong code stays wrong, whatever was used */
	assert_int_equal(totp_check(rfc_secret, "123456", now, step), 0);
	/* malformed codes */
	assert_int_equal(totp_check(rfc_secret, "81804", now, 0), 0);
	assert_int_equal(totp_check(rfc_secret, "0818040", now, 0), 0);
	assert_int_equal(totp_check(rfc_secret, "08180a", now, 0), 0);
	assert_int_equal(totp_check(rfc_secret, NULL, now, 0), 0);
}

static void
test_base32_and_uri(void **state)
{
	struct arena *a = arena_new();
	const char *b32 = totp_base32(a, rfc_secret);

	(void)state;
	/* RFC 4648 base32 of "12345678901234567890" */
	assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_string_equal(totp_uri(a, b32, "dk.admin@x y"),
	    "otpauth://totp/Arbor:dk.admin%40x%20y?secret="
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Arbor&algorithm=SHA1"
	    "&digits=6&period=30");
	arena_free(a);
}

static void
test_secret_sealing(void **state)
{
	unsigned char secret[TOTP_SECRET_BYTES], back[TOTP_SECRET_BYTES];
	unsigned char sealed[TOTP_SEALED_BYTES], other[TOTP_SEALED_BYTES];
	struct keys k, wrong;

	(void)state;
	randombytes_buf(&k, sizeof(k));
	randombytes_buf(&wrong, sizeof(wrong));
	totp_secret_new(secret);
	totp_seal(&k, secret, sealed);
	assert_null(memmem(sealed, sizeof(sealed), secret, sizeof(secret)));
	assert_int_equal(totp_open(&k, sealed, sizeof(sealed), back), 0);
	assert_memory_equal(secret, back, sizeof(secret));
	assert_int_equal(totp_open(&wrong, sealed, sizeof(sealed), back), -1);
	memcpy(other, sealed, sizeof(other));
	other[sizeof(other) - 1] ^= 1;
	assert_int_equal(totp_open(&k, other, sizeof(other), back), -1);
	assert_int_equal(totp_open(&k, sealed, sizeof(sealed) - 1, back), -1);
	/* a new nonce each time: sealing twice differs */
	totp_seal(&k, secret, other);
	assert_memory_not_equal(sealed, other, sizeof(other));
}

static void
test_recovery_codes(void **state)
{
	unsigned char h1[RECOVERY_HASH_BYTES], h2[RECOVERY_HASH_BYTES];
	char code[RECOVERY_CODE_LEN + 1], other[RECOVERY_CODE_LEN + 1];
	struct keys k, k2;

	(void)state;
	randombytes_buf(&k, sizeof(k));
	randombytes_buf(&k2, sizeof(k2));
	recovery_code_new(code);
	recovery_code_new(other);
	assert_int_equal(strlen(code), RECOVERY_CODE_LEN);
	assert_int_equal(code[5], '-');
	assert_string_not_equal(code, other);
	assert_int_equal(recovery_code_hash(&k, "abcde-fghij", h1), 0);
	/* case, dashes and spaces do not matter */
	assert_int_equal(recovery_code_hash(&k, "ABCDE FGHIJ", h2), 0);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(recovery_code_hash(&k, "abcdefghij", h2), 0);
	assert_memory_equal(h1, h2, sizeof(h1));
	/* another key, another code: another hash */
	assert_int_equal(recovery_code_hash(&k2, "abcde-fghij", h2), 0);
	assert_memory_not_equal(h1, h2, sizeof(h1));
	assert_int_equal(recovery_code_hash(&k, "abcde-fghik", h2), 0);
	assert_memory_not_equal(h1, h2, sizeof(h1));
	/* not a code: wrong length or alphabet */
	assert_int_equal(recovery_code_hash(&k, "abcde-fghi", h2), -1);
	assert_int_equal(recovery_code_hash(&k, "abcde-fghijk", h2), -1);
	assert_int_equal(recovery_code_hash(&k, "abcde-fgh1j", h2), -1);
	assert_int_equal(recovery_code_hash(&k, "", h2), -1);
}

static void
test_qr_has_quiet_zone(void **state)
{
	struct arena *a = arena_new();
	struct tval *qr = totp_qr(a, "otpauth://totp/Arbor:x?secret=AAAA");
	struct tval *runs, *run;
	int64_t size;
	size_t i;

	(void)state;
	assert_non_null(qr);
	size = tv_get(qr, "size")->u.i;
	runs = tv_get(qr, "runs");
	assert_true(tv_len(runs) > 20);
	for (i = 0; i < tv_len(runs); i++) {
		run = tv_at(runs, i);
		assert_true(tv_get(run, "x")->u.i >= 4);
		assert_true(tv_get(run, "y")->u.i >= 4);
		assert_true(tv_get(run, "x")->u.i + tv_get(run, "w")->u.i <=
		    size - 4);
	}
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_check_window_and_reuse),
		cmocka_unit_test(test_base32_and_uri),
		cmocka_unit_test(test_secret_sealing),
		cmocka_unit_test(test_recovery_codes),
		cmocka_unit_test(test_qr_has_quiet_zone),
	};
	int rc;

	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	oath_done();
	return rc;
}
