/*
 * totp.h - the second factor: RFC 6238 TOTP (liboath), its enrolment QR
 * code (libqrencode), the sealing of secrets at rest (secretbox with the
 * key file's key) and recovery codes.
 *
 * TOTP here is SHA-1, 6 digits, 30-second steps, one step of tolerance
 * each way, which is what authenticator apps implement. A code is
 * accepted once: the caller stores the step totp_check() returns and
 * passes it back as last_step, and any code at or below it is refused.
 */
#ifndef ARBOR_TOTP_H
#define ARBOR_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

struct arena;
struct keys;
struct tval;

#define TOTP_SECRET_BYTES 20	/* 160 bits, RFC 4226's recommendation */
#define TOTP_DIGITS 6
#define TOTP_STEP 30
#define TOTP_SEALED_BYTES (crypto_secretbox_NONCEBYTES + \
	crypto_secretbox_MACBYTES + TOTP_SECRET_BYTES)
#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 11	/* "xxxxx-xxxxx" */
#define RECOVERY_HASH_BYTES 32

/* A new random secret. */
void totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES]);

/* The secret in base32 (RFC 4648, no padding), in a. */
char *totp_base32(struct arena *a, const unsigned char *secret);

/* otpauth://totp/Arbor:ACCOUNT?secret=…&issuer=Arbor&… in a. */
char *totp_uri(struct arena *a, const char *base32, const char *account);

/* The code of secret at time t into out (TOTP_DIGITS + NUL). 0 or -1. */
int totp_code(const unsigned char *secret, int64_t t, char *out);

/* What totp_check() returns for the code of a step at or below
 * last_step: right, but used already (or older than the one used). */
#define TOTP_USED (-1)

/*
 * Check code at time now against the steps now-1, now, now+1 that are
 * above last_step. Returns the step that matched (to store as the new
 * last step), TOTP_USED when it is the code of one of those steps at or
 * below last_step (the user entered the same code again: the next one
 * will do), or 0 when the code is wrong or malformed.
 */
int64_t totp_check(const unsigned char *secret, const char *code,
    int64_t now, int64_t last_step);

/* Seal / open a secret for the users.totp_secret column. */
void totp_seal(const struct keys *k, const unsigned char *secret,
    unsigned char sealed[TOTP_SEALED_BYTES]);
int totp_open(const struct keys *k, const void *sealed, size_t len,
    unsigned char secret[TOTP_SECRET_BYTES]);

/*
 * The QR code of text as template data: {size, runs: [{x, y, w}]}, the
 * dark modules as horizontal runs in a size×size grid that includes a
 * four-module quiet zone. The template draws them as SVG rectangles, so
 * no HTML is built outside the template engine. NULL on failure.
 */
struct tval *totp_qr(struct arena *a, const char *text);

/* A new recovery code "xxxxx-xxxxx" (about 50 bits) into out. */
void recovery_code_new(char out[RECOVERY_CODE_LEN + 1]);

/*
 * The stored form of a recovery code: a keyed hash of the code without
 * spaces and dashes, lower-cased, so "ABCDE FGHIJ" matches "abcde-fghij".
 * -1 when the input cannot be a recovery code.
 */
int recovery_code_hash(const struct keys *k, const char *code,
    unsigned char out[RECOVERY_HASH_BYTES]);

#endif
