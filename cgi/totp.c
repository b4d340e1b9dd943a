/*
 * totp.c - TOTP codes, secrets at rest, QR codes and recovery codes.
 */
#include "totp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <qrencode.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "form.h"
#include "tval.h"

#define QR_QUIET_ZONE 4

void
totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES])
{
	randombytes_buf(secret, TOTP_SECRET_BYTES);
}

char *
totp_base32(struct arena *a, const unsigned char *secret)
{
	char *out = NULL, *copy;
	size_t len = 0;

	if (oath_base32_encode((const char *)secret, TOTP_SECRET_BYTES, &out,
	    &len) != OATH_OK)
		return NULL;
	/* 20 bytes are 32 characters exactly: no '=' padding to strip */
	copy = arena_strndup(a, out, len);
	free(out);
	return copy;
}

char *
totp_uri(struct arena *a, const char *base32, const char *account)
{
	return arena_printf(a, "otpauth://totp/Arbor:%s?secret=%s"
	    "&issuer=Arbor&algorithm=SHA1&digits=%d&period=%d",
	    url_encode(a, account), base32, TOTP_DIGITS, TOTP_STEP);
}

int
totp_code(const unsigned char *secret, int64_t t, char *out)
{
	return oath_totp_generate2((const char *)secret, TOTP_SECRET_BYTES,
	    (time_t)t, TOTP_STEP, 0, TOTP_DIGITS, 0, out) == OATH_OK ? 0 : -1;
}

int64_t
totp_check(const unsigned char *secret, const char *code, int64_t now,
    int64_t last_step)
{
	char want[TOTP_DIGITS + 1];
	int64_t step, current = now / TOTP_STEP, found = 0;
	size_t i;

	if (code == NULL || strlen(code) != TOTP_DIGITS)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (!isdigit((unsigned char)code[i]))
			return 0;
	for (step = current - 1; step <= current + 1 && found <= 0; step++) {
		if (totp_code(secret, step * TOTP_STEP, want) != 0)
			return 0;
		if (sodium_memcmp(want, code, TOTP_DIGITS) == 0)
			/* at or below the last step: used already, from
			 * any session */
			found = step > last_step ? step : TOTP_USED;
	}
	return found;
}

void
totp_seal(const struct keys *k, const unsigned char *secret,
    unsigned char sealed[TOTP_SEALED_BYTES])
{
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, secret,
	    TOTP_SECRET_BYTES, sealed, k->seal);
}

int
totp_open(const struct keys *k, const void *sealed, size_t len,
    unsigned char secret[TOTP_SECRET_BYTES])
{
	const unsigned char *s = sealed;

	if (s == NULL || len != TOTP_SEALED_BYTES)
		return -1;
	return crypto_secretbox_open_easy(secret,
	    s + crypto_secretbox_NONCEBYTES,
	    len - crypto_secretbox_NONCEBYTES, s, k->seal);
}

struct tval *
totp_qr(struct arena *a, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct tval *d, *runs, *run;
	int x, y, start;

	if (qr == NULL)
		return NULL;
	d = tv_map(a);
	tv_set_int(d, "size", qr->width + 2 * QR_QUIET_ZONE);
	runs = tv_set_list(d, "runs");
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x++) {
			if (!(qr->data[y * qr->width + x] & 1))
				continue;
			start = x;
			while (x + 1 < qr->width &&
			    (qr->data[y * qr->width + x + 1] & 1))
				x++;
			run = tv_map(a);
			tv_set_int(run, "x", start + QR_QUIET_ZONE);
			tv_set_int(run, "y", y + QR_QUIET_ZONE);
			tv_set_int(run, "w", x - start + 1);
			tv_push(runs, run);
		}
	}
	QRcode_free(qr);
	return d;
}

/* base32's alphabet, lower-cased: no 0/1/8/9, so no O/I/B confusion */
static const char recovery_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
recovery_code_new(char out[RECOVERY_CODE_LEN + 1])
{
	size_t i, j = 0;

	for (i = 0; i < 10; i++) {
		if (i == 5)
			out[j++] = '-';
		out[j++] = recovery_alphabet[randombytes_uniform(32)];
	}
	out[j] = '\0';
}

int
recovery_code_hash(const struct keys *k, const char *code,
    unsigned char out[RECOVERY_HASH_BYTES])
{
	char norm[11];
	size_t n = 0;

	for (; code != NULL && *code != '\0'; code++) {
		if (*code == '-' || *code == ' ')
			continue;
		if (n == 10 || strchr(recovery_alphabet,
		    tolower((unsigned char)*code)) == NULL)
			return -1;
		norm[n++] = (char)tolower((unsigned char)*code);
	}
	if (n != 10)
		return -1;
	crypto_generichash(out, RECOVERY_HASH_BYTES, (unsigned char *)norm, n,
	    k->mac, sizeof(k->mac));
	return 0;
}
