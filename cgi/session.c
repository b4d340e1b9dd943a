/*
 * session.c - sessions, CSRF, flash messages and events.
 */
#include "session.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "user.h"

#define SESSION_COOKIE "arbor_session"
#define PRE_COOKIE "arbor_pre"
#define FLASH_COOKIE "arbor_flash"
#define FLASH_MAX 300
#define MAC_BYTES 16
/* last_seen_at is written at most this often: one write a minute per
 * session instead of one per request */
#define TOUCH_INTERVAL 60

static void
session_delete(struct request *req, int64_t id)
{
	sqlite3_stmt *s = db_stmt(&req->app->db, STMT_SESSION_DELETE);

	db_bind_int(s, ":id", id);
	db_exec(&req->app->db, s);
}

void
session_load(struct request *req)
{
	struct db *db = &req->app->db;
	const struct config *cfg = &req->app->cfg;
	const char *cookie = http_cookie_get(req, SESSION_COOKIE);
	struct session *ses;
	sqlite3_stmt *s;

	if (cookie == NULL)
		return;
	ses = arena_alloc(req->arena, sizeof(*ses));
	if (token_hash(cookie, ses->hash) != 0) {
		http_cookie(req, SESSION_COOKIE, "", 0);
		return;
	}
	s = db_stmt(db, STMT_SESSION_BY_HASH);
	db_bind_blob(s, ":hash", ses->hash, sizeof(ses->hash));
	if (db_step(db, s) != SQLITE_ROW) {
		sqlite3_reset(s);
		http_cookie(req, SESSION_COOKIE, "", 0);
		req->session_expired = true;
		return;
	}
	ses->id = sqlite3_column_int64(s, 0);
	ses->user_id = sqlite3_column_int64(s, 1);
	ses->mfa_passed = sqlite3_column_int(s, 2) != 0;
	ses->mfa_failures = sqlite3_column_int(s, 3);
	ses->created_at = sqlite3_column_int64(s, 4);
	ses->last_seen_at = sqlite3_column_int64(s, 5);
	sqlite3_reset(s);

	if (ses->last_seen_at < req->now - cfg->session_idle_minutes * 60 ||
	    ses->created_at < req->now -
	    (int64_t)cfg->session_absolute_hours * 3600) {
		session_delete(req, ses->id);
		http_cookie(req, SESSION_COOKIE, "", 0);
		req->session_expired = true;
		return;
	}
	req->user = user_load(db, req->arena, ses->user_id);
	if (req->user == NULL || !req->user->active) {
		/* deactivation ends sessions; this catches any left over */
		req->user = NULL;
		session_delete(req, ses->id);
		http_cookie(req, SESSION_COOKIE, "", 0);
		return;
	}
	if (req->now - ses->last_seen_at >= TOUCH_INTERVAL) {
		s = db_stmt(db, STMT_SESSION_TOUCH);
		db_bind_int(s, ":id", ses->id);
		db_bind_int(s, ":now", req->now);
		db_exec(db, s);
	}
	req->session = ses;
}

int
session_start(struct request *req, int64_t user_id)
{
	struct db *db = &req->app->db;
	struct session *ses = arena_alloc(req->arena, sizeof(*ses));
	sqlite3_stmt *s;
	char *token;

	s = db_stmt(db, STMT_SESSION_DELETE_EXPIRED);
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":idle_before", req->now -
	    req->app->cfg.session_idle_minutes * 60);
	db_bind_int(s, ":created_before", req->now -
	    (int64_t)req->app->cfg.session_absolute_hours * 3600);
	if (db_exec(db, s) != 0)
		return -1;
	token = token_new(req->arena, ses->hash);
	s = db_stmt(db, STMT_SESSION_INSERT);
	db_bind_blob(s, ":hash", ses->hash, sizeof(ses->hash));
	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":now", req->now);
	db_bind_text(s, ":ip", req->remote_addr);
	/* bounded: the sessions list shows it, a client chooses it */
	db_bind_text(s, ":user_agent", arena_strndup(req->arena,
	    req->user_agent, 300));
	if (db_exec(db, s) != 0)
		return -1;
	ses->id = db_last_id(db);
	ses->user_id = user_id;
	ses->created_at = ses->last_seen_at = req->now;
	req->user = user_load(db, req->arena, user_id);
	http_viewer(req);
	if (req->user == NULL)
		return -1;
	req->session = ses;
	req->csrf = NULL;	/* forms from now on belong to the session */
	http_cookie(req, SESSION_COOKIE, token, -1);
	return 0;
}

void
session_end(struct request *req)
{
	if (req->session != NULL)
		session_delete(req, req->session->id);
	http_cookie(req, SESSION_COOKIE, "", 0);
	req->session = NULL;
	req->user = NULL;
	req->csrf = NULL;
	http_viewer(req);
}

enum auth_stage
session_stage(const struct request *req)
{
	const struct user *u = req->user;

	if (u->totp_enabled && !req->session->mfa_passed)
		return STAGE_MFA;
	if (u->must_change_password)
		return STAGE_PASSWORD;
	if (u->mfa_required && !u->totp_enabled)
		return STAGE_ENROL;
	return STAGE_FULL;
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

