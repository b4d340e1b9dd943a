/*
 * test_mail.c - the message format (RFC 5322, RFC 2047 subjects), header
 * safety and the retry back-off of the mail module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mail.h"

static char *
format(const char *subject, const char *body)
{
	char *m = mail_format("Arbor <no-reply@arbor.example>", "a@b.example",
	    subject, body, "Mon, 01 Jan 2024 00:00:00 +0000",
	    "<arbor.1.2.ab@arbor.example>");

	assert_non_null(m);
	return m;
}

static void
test_headers_and_crlf(void **state)
{
	char *m = format("Hello", "line one\nline two");

	(void)state;
	assert_non_null(strstr(m, "From: Arbor <no-reply@arbor.example>\r\n"));
	assert_non_null(strstr(m, "\r\nTo: a@b.example\r\n"));
	assert_non_null(strstr(m, "\r\nSubject: Hello\r\n"));
	assert_non_null(strstr(m, "\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000\r\n"));
	assert_non_null(strstr(m, "\r\nMessage-ID: <arbor.1.2.ab@arbor.example>\r\n"));
	assert_non_null(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Transfer-Encoding: 8bit\r\n"));
	/* the body after one empty line, every line CRLF-ended */
	assert_non_null(strstr(m, "\r\n\r\nline one\r\nline two\r\n"));
	for (const char *p = m; *p; p++)
		if (*p == '\n')
			assert_true(p > m && p[-1] == '\r');
	free(m);
}

/* Decode every encoded word of the Subject header back to UTF-8. */
static void
decoded_subject(const char *m, char *out, size_t n)
{
	const char *p = strstr(m, "\r\nSubject: "), *end, *w;
	size_t used = 0, got;

	assert_non_null(p);
	end = strstr(p + 2, "\r\nDate:");
	assert_non_null(end);
	out[0] = '\0';
	for (w = strstr(p, "=?UTF-8?B?"); w != NULL && w < end;
	    w = strstr(w, "=?UTF-8?B?")) {
		const char *q = strstr(w + 10, "?=");
		unsigned char bin[64];

		assert_non_null(q);
		assert_true(q - w + 2 <= 75);	/* RFC 2047: a word <= 75 */
		assert_int_equal(sodium_base642bin(bin, sizeof(bin), w + 10,
		    (size_t)(q - w - 10), NULL, &got, NULL,
		    sodium_base64_VARIANT_ORIGINAL), 0);
		/* no word ends inside a UTF-8 sequence */
		assert_true(got == 0 || (bin[got - 1] & 0xc0) != 0xc0);
		assert_true(used + got < n);
		memcpy(out + used, bin, got);
		used += got;
		out[used] = '\0';
		w = q + 2;
	}
}

static void
test_non_ascii_subject_is_encoded(void **state)
{
	/* 3-byte and 2-byte sequences across the 45-byte word boundary */
	static const char *const subjects[] = {
		"Welcome to Arbor \xe2\x80\x93 set your password",
		"\xc3\xa6\xc3\xb8\xc3\xa5 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 "
		"\xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 "
		"\xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 "
		"\xe2\x80\x93 \xe2\x80\x93 end",
	};
	char out[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		char *m = format(subjects[i], "x");

		assert_null(strstr(m, subjects[i]));	/* not raw */
		decoded_subject(m, out, sizeof(out));
		assert_string_equal(out, subjects[i]);
		free(m);
	}
}

static void
test_header_safety(void **state)
{
	(void)state;
	assert_true(mail_header_safe("Reset your Arbor password"));
	assert_true(mail_header_safe("caf\xc3\xa9"));
	assert_false(mail_header_safe("x\r\nBcc: evil@example.com"));
	assert_false(mail_header_safe("x\nBcc: evil@example.com"));
	assert_false(mail_header_safe("tab\there"));
	assert_false(mail_header_safe("del\x7f"));
}

static void
test_retry_delay_doubles_up_to_an_hour(void **state)
{
	(void)state;
	assert_int_equal(mail_retry_delay(1), 60);
	assert_int_equal(mail_retry_delay(2), 120);
	assert_int_equal(mail_retry_delay(3), 240);
	assert_int_equal(mail_retry_delay(6), 1920);
	assert_int_equal(mail_retry_delay(7), 3600);
	assert_int_equal(mail_retry_delay(1000), 3600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_crlf),
		cmocka_unit_test(test_non_ascii_subject_is_encoded),
		cmocka_unit_test(test_header_safety),
		cmocka_unit_test(test_retry_delay_doubles_up_to_an_hour),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
