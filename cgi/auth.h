/*
 * auth.h - secrets: the key file, passwords and random tokens.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str,
 * INTERACTIVE limits: about 50 ms and 64 MiB each). Tokens (sessions,
 * set-up links, API tokens) are 32 random bytes shown to their holder in
 * base64url and stored only as their BLAKE2b hash: a copy of the database
 * opens nothing.
 */
#ifndef ARBOR_AUTH_H
#define ARBOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

struct arena;
struct keys;

#define TOKEN_BYTES 32
#define TOKEN_HASH_BYTES 32
/* base64url of TOKEN_BYTES without padding */
#define TOKEN_TEXT_LEN 43

/* Create the key file at path with mode 0600; refuses to overwrite.
 * Returns 0 or -1 with a message in err. */
int keys_create(const char *path, char *err, size_t errlen);

/* Read the key file; refuses one readable by group or others. */
int keys_load(struct keys *k, const char *path, char *err, size_t errlen);

/* argon2id hash of pw into out; 0, or -1 when out of memory. */
int password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]);
bool password_verify(const char *hash, const char *pw);
/* Whether hash was made with other limits than today's. */
bool password_needs_rehash(const char *hash);

/* A new random token as text (in a) and its hash. */
char *token_new(struct arena *a, unsigned char hash[TOKEN_HASH_BYTES]);
/* The hash of a token given by a client; -1 if it is not a well-formed
 * token (wrong length or alphabet), so junk never reaches the database. */
int token_hash(const char *text, unsigned char hash[TOKEN_HASH_BYTES]);

/* base64url (no padding) of n bytes, in a. */
char *b64url(struct arena *a, const unsigned char *data, size_t n);

#endif
