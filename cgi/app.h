/*
 * app.h - what a worker holds for its whole life: the configuration,
 * the database connection with its prepared statements, the keys and the
 * parsed templates. Created once in main() and passed to every request
 * as req->app; nothing request-specific is kept here.
 */
#ifndef ARBOR_APP_H
#define ARBOR_APP_H

#include <sodium.h>

#include "catalog.h"
#include "config.h"
#include "db.h"

struct tmpl_cache;

/* The key file: 64 bytes, mode 0600, written by `arborctl init`. */
struct keys {
	unsigned char seal[crypto_secretbox_KEYBYTES];	/* TOTP secrets */
	unsigned char mac[crypto_generichash_KEYBYTES];	/* CSRF, flash */
};

struct app {
	struct config cfg;
	struct db db;
	struct keys keys;
	struct tmpl_cache *templates;
	struct catalog catalog;		/* time zones, countries */
	/* verified against when the user is unknown, so that a wrong
	 * username costs the same time as a wrong password */
	char dummy_hash[crypto_pwhash_STRBYTES];
};

#endif
