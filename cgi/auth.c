/*
 * auth.c - key file, password hashing and tokens.
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"

int
keys_create(const char *path, char *err, size_t errlen)
{
	struct keys k;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(&k, sizeof(k));
	n = write(fd, &k, sizeof(k));
	sodium_memzero(&k, sizeof(k));
	if (n != (ssize_t)sizeof(k) || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

int
keys_load(struct keys *k, const char *path, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s (run arborctl init)", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: must be readable by its owner "
		    "only (chmod 600)", path);
		close(fd);
		return -1;
	}
	n = read(fd, k, sizeof(*k));
	close(fd);
	if (n != (ssize_t)sizeof(*k)) {
		snprintf(err, errlen, "%s: not a key file (want %zu bytes)",
		    path, sizeof(*k));
		return -1;
	}
	return 0;
}

int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool
password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool
password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

char *
b64url(struct arena *a, const unsigned char *data, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);

	return sodium_bin2base64(out, len, data, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *
token_new(struct arena *a, unsigned char hash[TOKEN_HASH_BYTES])
{
	unsigned char raw[TOKEN_BYTES];
	char *text;

	randombytes_buf(raw, sizeof(raw));
	text = b64url(a, raw, sizeof(raw));
	crypto_generichash(hash, TOKEN_HASH_BYTES, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return text;
}

int
token_hash(const char *text, unsigned char hash[TOKEN_HASH_BYTES])
{
	unsigned char raw[TOKEN_BYTES];
	size_t got = 0;
	const char *end = NULL;

	if (text == NULL || strlen(text) != TOKEN_TEXT_LEN)
		return -1;
	if (sodium_base642bin(raw, sizeof(raw), text, TOKEN_TEXT_LEN, NULL,
	    &got, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got != sizeof(raw) || *end != '\0')
		return -1;
	crypto_generichash(hash, TOKEN_HASH_BYTES, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}
