/*
 * session.c - session cookies, CSRF and flash messages.
 */
#include "session.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "http.h"
#include "principal.h"

#define SESSION_COOKIE "arbor_session"
#define PRE_COOKIE "arbor_pre"
#define FLASH_COOKIE "arbor_flash"
#define FLASH_MAX 300
#define REVEAL_COOKIE "arbor_reveal"
#define REVEAL_MAX 200
/* long enough to follow the redirect, not to linger */
#define REVEAL_SECONDS 300
#define MAC_BYTES 16

void
session_load(struct request *req)
{
	const char *cookie = http_cookie_get(req, SESSION_COOKIE);
	struct session *ses;
	struct user *u = NULL;

	if (cookie == NULL)
		return;
	ses = arena_calloc(req->arena, 1, sizeof(*ses));
	if (token_hash(cookie, ses->hash) == 0) {
		http_viewer(req);	/* nobody yet: the model's context */
		switch (login_resume(&req->viewer, ses, &u)) {
		case SESSION_LIVE:
			req->session = ses;
			req->user = u;
			return;
		case SESSION_EXPIRED:
			req->session_expired = true;
			break;
		case SESSION_REFUSED:
			break;
		}
	}
	http_cookie(req, SESSION_COOKIE, "", 0);
}

void
session_set(struct request *req, const struct login_session *ls)
{
	req->session = ls->session;
	req->user = ls->user;
	req->csrf = NULL;	/* forms from now on belong to the session */
	http_viewer(req);
	http_cookie(req, SESSION_COOKIE, ls->token, -1);
}

void
session_renew(struct request *req, const char *token)
{
	token_hash(token, req->session->hash);
	req->csrf = NULL;
	http_cookie(req, SESSION_COOKIE, token, -1);
}

void
session_signed_out(struct request *req, const char *msg)
{
	session_drop(req);
	flash_set(req, msg);
	http_redirect(req, "/login");
}

void
session_drop(struct request *req)
{
	http_cookie(req, SESSION_COOKIE, "", 0);
	if (req->user != NULL)
		req->ended_user_id = req->user->id;
	req->session = NULL;
	req->user = NULL;
	req->csrf = NULL;
	http_viewer(req);
}

void
session_end(struct request *req)
{
	if (req->session != NULL)
		login_session_end(&req->viewer, req->session->id);
	session_drop(req);
}

enum auth_stage
session_stage(const struct request *req)
{
	return login_stage(req->user, req->session);
}

/* MAC over a label and data with the key file's MAC key, as base64url. */
static char *
mac_text(struct request *req, const char *label, const void *data,
    size_t n)
{
	crypto_generichash_state st;
	unsigned char mac[MAC_BYTES];

	crypto_generichash_init(&st, req->app->keys.mac,
	    sizeof(req->app->keys.mac), sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)label,
	    strlen(label) + 1);
	crypto_generichash_update(&st, data, n);
	crypto_generichash_final(&st, mac, sizeof(mac));
	return b64url(req->arena, mac, sizeof(mac));
}

/* The token expected from this request's forms, or NULL when there is
 * nothing to bind it to (no session and no well-formed pre cookie). */
static const char *
csrf_expected(struct request *req)
{
	unsigned char pre_hash[TOKEN_HASH_BYTES];
	const char *pre;

	if (req->session != NULL)
		return mac_text(req, "csrf-session", req->session->hash,
		    sizeof(req->session->hash));
	pre = http_cookie_get(req, PRE_COOKIE);
	if (pre == NULL || token_hash(pre, pre_hash) != 0)
		return NULL;
	return mac_text(req, "csrf-pre", pre_hash, sizeof(pre_hash));
}

const char *
csrf_token(struct request *req)
{
	unsigned char pre_hash[TOKEN_HASH_BYTES];
	char *pre;

	if (req->csrf != NULL)
		return req->csrf;
	req->csrf = csrf_expected(req);
	if (req->csrf == NULL) {
		pre = token_new(req->arena, pre_hash);
		http_cookie(req, PRE_COOKIE, pre, -1);
		req->csrf = mac_text(req, "csrf-pre", pre_hash,
		    sizeof(pre_hash));
	}
	return req->csrf;
}

bool
csrf_valid(struct request *req)
{
	const char *given = param_get(&req->form, "csrf_token");
	const char *want = csrf_expected(req);

	if (given == NULL || want == NULL || strlen(given) != strlen(want))
		return false;
	return sodium_memcmp(given, want, strlen(want)) == 0;
}

void
flash_set(struct request *req, const char *msg)
{
	size_t n = strnlen(msg, FLASH_MAX);
	char *text = b64url(req->arena, (const unsigned char *)msg, n);

	http_cookie(req, FLASH_COOKIE, arena_printf(req->arena, "%s.%s",
	    text, mac_text(req, "flash", msg, n)), -1);
}

void
flash_take(struct request *req)
{
	const char *cookie = http_cookie_get(req, FLASH_COOKIE);
	const char *dot, *end = NULL;
	unsigned char msg[FLASH_MAX + 1];
	size_t n = 0;
	const char *mac;

	if (cookie == NULL)
		return;
	http_cookie(req, FLASH_COOKIE, "", 0);
	dot = strchr(cookie, '.');
	if (dot == NULL || sodium_base642bin(msg, FLASH_MAX, cookie,
	    (size_t)(dot - cookie), NULL, &n, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != dot)
		return;
	mac = mac_text(req, "flash", msg, n);
	if (strlen(mac) != strlen(dot + 1) ||
	    sodium_memcmp(mac, dot + 1, strlen(mac)) != 0 ||
	    !utf8_valid((const char *)msg, n))
		return;
	req->flash = arena_strndup(req->arena, (const char *)msg, n);
}


/* The key sealing this session's reveal cookie. */
static void
reveal_key(struct request *req, unsigned char key[crypto_secretbox_KEYBYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, req->app->keys.mac,
	    sizeof(req->app->keys.mac), crypto_secretbox_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)"reveal", 7);
	crypto_generichash_update(&st, req->session->hash,
	    sizeof(req->session->hash));
	crypto_generichash_final(&st, key, crypto_secretbox_KEYBYTES);
}

void
reveal_set(struct request *req, int64_t id, const char *secret)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char box[crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + REVEAL_MAX];
	const char *plain = arena_printf(req->arena, "%lld:%s", (long long)id,
	    secret);
	size_t n = strlen(plain);

	if (req->session == NULL || n > REVEAL_MAX)
		return;
	reveal_key(req, key);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plain, n, box, key);
	sodium_memzero(key, sizeof(key));
	http_cookie(req, REVEAL_COOKIE, b64url(req->arena, box,
	    crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n),
	    REVEAL_SECONDS);
}

const char *
reveal_take(struct request *req, int64_t id)
{
	const char *cookie = http_cookie_get(req, REVEAL_COOKIE);
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char box[crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + REVEAL_MAX];
	unsigned char plain[REVEAL_MAX + 1];
	const char *prefix, *end = NULL;
	size_t n = 0;
	int opened;

	if (cookie == NULL)
		return NULL;
	/* shown at most once, whoever asks */
	http_cookie(req, REVEAL_COOKIE, "", 0);
	if (req->session == NULL || sodium_base642bin(box, sizeof(box),
	    cookie, strlen(cookie), NULL, &n, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    *end != '\0' || n <= crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES)
		return NULL;
	reveal_key(req, key);
	opened = crypto_secretbox_open_easy(plain, box +
	    crypto_secretbox_NONCEBYTES, n - crypto_secretbox_NONCEBYTES, box,
	    key);
	sodium_memzero(key, sizeof(key));
	if (opened != 0)
		return NULL;
	n -= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	plain[n] = '\0';
	prefix = arena_printf(req->arena, "%lld:", (long long)id);
	if (strlen((const char *)plain) != n ||
	    strncmp((const char *)plain, prefix, strlen(prefix)) != 0)
		return NULL;
	return arena_strdup(req->arena, (const char *)plain + strlen(prefix));
}
