/*
 * password.c - the password policy, password_set() and the set-up and
 * reset links.
 */
#include "password.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <crack.h>
#include <zxcvbn.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "form.h"
#include "mail.h"
#include "perm.h"
#include "token.h"
#include "tval.h"

/* How long a link works: a welcome link 72 hours, a reset link one. */
#define SETUP_SECONDS (72 * 3600)
#define RESET_SECONDS 3600
/* reset mails to one address an hour */
#define RESET_PER_HOUR 3

/*
 * Whether pw is a dictionary word or a simple variation of one (cracklib
 * reverses, strips digits, changes case…). Only that verdict of
 * cracklib counts: its other complaints are composition rules, which the
 * policy leaves out on purpose. zxcvbn below judges patterns, but its
 * word lists are short (some 30,000 words each): about one in twelve of
 * cracklib's words of 12 letters or more ("acclimatization") it takes
 * for random letters, which a dictionary attack tries early.
 */
static bool
dictionary_word(const char *pw)
{
	const char *why = FascistCheckUser(pw, GetDefaultCracklibDict(),
	    "arbor", NULL);

	return why != NULL && strstr(why, "dictionary word") != NULL;
}

/*
 * The least guesses a password must cost by zxcvbn's estimate: 10^8, in
 * bits (log2). zxcvbn calls that score 3, "moderate protection from an
 * offline slow-hash attack", which argon2id is.
 */
#define MIN_GUESS_BITS 26.6

/* Why a password of the pattern zxcvbn found is weak, and what helps. */
static const char *
weak_reason(ZxcTypeMatch_t type)
{
	/* a part said again ("monkeymonkey") is a repeat of whatever */
	if (type & MULTIPLE_MATCH)
		type = REPEATS_MATCH;
	switch (type) {
	case DICTIONARY_MATCH:
		return "This password is too easy to guess: it is built on a "
		    "common password, word or name. Add more words, less "
		    "common ones.";
	case DICT_LEET_MATCH:
		return "This password is too easy to guess: it is a common "
		    "word with letters swapped for look-alikes (p@ssw0rd), "
		    "which is tried early. Add more words, less common "
		    "ones.";
	case USER_MATCH:
	case USER_LEET_MATCH:
		return "This password is too easy to guess: it contains your "
		    "username or e-mail. Leave them out.";
	case REPEATS_MATCH:
		return "This password is too easy to guess: it repeats "
		    "characters or a word (aaaa, abcabc). Use a few "
		    "unrelated words instead.";
	case SEQUENCE_MATCH:
		return "This password is too easy to guess: it uses a "
		    "sequence (abcd, 1234). Use a few unrelated words "
		    "instead.";
	case SPATIAL_MATCH:
		return "This password is too easy to guess: it follows keys "
		    "next to each other on the keyboard (qwerty, 1qaz). Use "
		    "a few unrelated words instead.";
	case DATE_MATCH:
	case YEAR_MATCH:
		return "This password is too easy to guess: dates and years "
		    "are tried early. Add more words, less common ones.";
	default:
		return "This password is too easy to guess. Add more words, "
		    "less common ones.";
	}
}

/* Words of the user's own shorter than this are left out: "e" of
 * e@example.com would match every e in a password. */
#define MIN_USER_WORD 3

/*
 * NULL when zxcvbn estimates pw (with the username, the e-mail and its
 * name before the @ as words of the user's own) to cost at least 10^8
 * guesses, else why not: named after the longest pattern it found, most
 * of what makes the password guessable.
 */
static const char *
easy_to_guess(const char *pw, const char *username, const char *email)
{
	char local[256];
	const char *words[4] = { NULL };
	const char *at, *why = NULL;
	ZxcMatch_t *info, *m, *worst = NULL;
	size_t n = 0;

	if (username != NULL && strlen(username) >= MIN_USER_WORD)
		words[n++] = username;
	if (email != NULL && strlen(email) >= MIN_USER_WORD) {
		words[n++] = email;
		if ((at = strchr(email, '@')) != NULL &&
		    at - email >= MIN_USER_WORD &&
		    (size_t)(at - email) < sizeof(local)) {
			memcpy(local, email, (size_t)(at - email));
			local[at - email] = '\0';
			words[n++] = local;
		}
	}
	if (ZxcvbnMatch(pw, words, &info) >= MIN_GUESS_BITS) {
		ZxcvbnFreeInfo(info);
		return NULL;
	}
	for (m = info; m != NULL; m = m->Next)
		if (m->Type != BRUTE_MATCH && m->Type != LONG_PWD_MATCH &&
		    (worst == NULL || m->Length > worst->Length))
			worst = m;
	why = weak_reason(worst != NULL ? worst->Type : BRUTE_MATCH);
	ZxcvbnFreeInfo(info);
	return why;
}

const char *
password_policy(const char *pw, const char *username, const char *email)
{
	size_t n;

	if (!utf8_valid(pw, strlen(pw)))
		return "The password is not valid text.";
	n = check_chars(pw);
	if (n < PASSWORD_MIN_CHARS)
		return "Use at least 12 characters.";
	if (n > PASSWORD_MAX_CHARS)
		return "Use at most 128 characters.";
	if ((username && strcasecmp(pw, username) == 0) ||
	    (email && strcasecmp(pw, email) == 0))
		return "The password must not be your username or e-mail.";
	if (dictionary_word(pw))
		return "This password is too easy to guess: it is a "
		    "dictionary word or a small change of one. Add more "
		    "words, less common ones.";
	return easy_to_guess(pw, username, email);
}

int
password_lock_out(const struct viewer *v, int64_t user_id, int64_t actor,
    int64_t keep_session)
{
	struct db_stmt *s = db_stmt(v->db, STMT_SESSION_DELETE_USER);

	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":keep", keep_session);
	if (db_exec(v->db, s) != 0 || password_links_void(v, user_id) != 0)
		return -1;
	return token_revoke_all(v, user_id, actor);
}

int
password_links_void(const struct viewer *v, int64_t user_id)
{
	struct db_stmt *s = db_stmt(v->db, STMT_LINK_USE_ALL);

	db_bind_int(s, ":user_id", user_id);
	db_bind_int(s, ":now", v->now);
	return db_exec(v->db, s);
}

int
password_set(const struct viewer *v, int64_t user_id, const char *hash,
    enum password_why why, int64_t keep_session)
{
	static const struct {
		const char *kind;
		bool must_change;
	} what[] = {
		[PASSWORD_OWN] = { "password_changed", false },
		[PASSWORD_OWN_FORCED] = { "password_changed", false },
		[PASSWORD_SETUP_LINK] = { "password_reset", false },
		[PASSWORD_RESET_LINK] = { "password_reset", false },
		[PASSWORD_BY_ADMIN] = { "password_set_by_admin", true },
		[PASSWORD_BY_CLI] = { "password_set", false },
	};
	struct db_stmt *s = db_stmt(v->db, STMT_USER_SET_PASSWORD);
	int64_t actor = perm_actor(v);
	const char *detail = "";

	db_bind_text(s, ":hash", hash);
	db_bind_int(s, ":must_change", what[why].must_change);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", user_id);
	if (db_exec(v->db, s) != 0 || db_changes(v->db) != 1)
		return -1;
	switch (why) {
	case PASSWORD_OWN:
		break;
	case PASSWORD_OWN_FORCED:
		detail = "forced change";
		break;
	case PASSWORD_SETUP_LINK:
	case PASSWORD_RESET_LINK:
		/* the visitor with the link is the user */
		detail = why == PASSWORD_SETUP_LINK ? "setup" : "reset";
		actor = user_id;
		break;
	case PASSWORD_BY_ADMIN:
	case PASSWORD_BY_CLI:
		break;
	}
	/* whoever knew the old password may have signed in with it, made
	 * a token with it, or hold a link that would set another one */
	if (password_lock_out(v, user_id, actor, keep_session) != 0)
		return -1;
	event_log(v, what[why].kind, user_id, actor, detail);
	return 0;
}

enum model_result
password_save(const struct viewer *v, int64_t user_id, const char *hash,
    enum password_why why, int64_t keep_session)
{
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	return db_finish(v->db, password_set(v, user_id, hash, why,
	    keep_session) != 0, NULL, NULL);
}

int
password_link_send(const struct viewer *v, int64_t user_id,
    const char *purpose, const char *email, const char *username,
    const char *full_name)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	bool setup = strcmp(purpose, "setup") == 0;
	const char *url;
	struct tval *data;
	struct db_stmt *s;
	char *token;

	token = token_new(v->arena, hash);
	s = db_stmt(v->db, STMT_LINK_INSERT);
	db_bind_int(s, ":user_id", user_id);
	db_bind_text(s, ":purpose", setup ? "setup" : "reset");
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":expires_at", v->now + (setup ? SETUP_SECONDS :
	    RESET_SECONDS));
	if (db_exec(v->db, s) != 0)
		return -1;
	url = mail_url(v, arena_printf(v->arena, "/password/%s/%s", setup ?
	    "setup" : "reset", token));
	sodium_memzero(token, strlen(token));
	data = tv_map(v->arena);
	tv_set_str(data, "name", *full_name ? full_name : username);
	tv_set_str(data, "username", username);
	tv_set_str(data, "url", url);
	return mail_queue_for(v, user_id, email, setup ? "welcome" : "reset",
	    data);
}

#define FIELD(m) CHECK_FIELD(struct password_errors, m, #m, #m)
const struct check_field password_error_fields[] = {
	FIELD(email), FIELD(current_password), FIELD(new_password),
	FIELD(confirm_password), { NULL, NULL, 0 }
};
#undef FIELD

/* The user who may reset by mail with this address, and how many reset
 * links they got in the last hour: 1, 0 (nobody), -1. */
static int
reset_candidate(const struct viewer *v, const char *email,
    struct password_link *u, const char **full_name, int64_t *recent)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_FOR_RESET);
	int rc;

	db_bind_text(s, ":email", email);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		u->user_id = db_col_int(s, 0);
		u->username = db_text(v->arena, s, 1);
		u->email = db_text(v->arena, s, 2);
		*full_name = db_text(v->arena, s, 3);
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	s = db_stmt(v->db, STMT_LINK_RECENT);
	db_bind_int(s, ":user_id", u->user_id);
	db_bind_text(s, ":purpose", "reset");
	db_bind_int(s, ":since", v->now - 3600);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		*recent = db_col_int(s, 0);
	db_reset(s);
	return rc == DB_ROW ? 1 : -1;
}

enum model_result
password_forgot(const struct viewer *v, const char *email,
    struct password_errors *e)
{
	struct password_link u;
	const char *full_name = "";
	int64_t recent = 0;
	int rc;

	memset(e, 0, sizeof(*e));
	if (email == NULL || *email == '\0' || strlen(email) > MAIL_ADDR_MAX ||
	    strchr(email, '@') == NULL) {
		check_fail(&e->email, 400, "Enter the e-mail address of your "
		    "account.");
		return MODEL_INVALID;
	}
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((rc = reset_candidate(v, email, &u, &full_name, &recent)) < 0)
		goto fail;
	if (rc == 0) {
		/* the same write as the other paths, so the same time */
		event_log(v, "password_reset_unknown", 0, 0, "");
	} else if (recent >= RESET_PER_HOUR) {
		event_log(v, "password_reset_throttled", u.user_id, 0, "");
	} else {
		if (password_link_send(v, u.user_id, "reset", u.email,
		    u.username, full_name) != 0)
			goto fail;
		event_log(v, "password_reset_requested", u.user_id, 0, "");
	}
	return db_finish(v->db, false, NULL, NULL);
fail:
	return db_finish(v->db, true, NULL, NULL);
}

int
password_link_find(const struct viewer *v, const char *purpose,
    const char *token, struct password_link *l)
{
	unsigned char hash[TOKEN_HASH_BYTES];
	struct db_stmt *s;
	int rc, found = 0;

	if (token_hash(token, hash) != 0)
		return 0;
	s = db_stmt(v->db, STMT_LINK_BY_HASH);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	db_bind_text(s, ":purpose", purpose);
	if ((rc = db_step(v->db, s)) == DB_ROW &&
	    db_col_null(s, 3) &&
	    db_col_int(s, 2) > v->now &&
	    db_col_int(s, 6) != 0) {
		l->id = db_col_int(s, 0);
		l->user_id = db_col_int(s, 1);
		l->username = db_text(v->arena, s, 4);
		l->email = db_text(v->arena, s, 5);
		found = 1;
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? found : -1;
}

/* Use link l (single use: only one request can) and give its user hash,
 * inside the write transaction: 1, 0 when the link was used meanwhile,
 * -1. */
static int
use_link(const struct viewer *v, const struct password_link *l,
    const char *hash, enum password_why why)
{
	struct db_stmt *s = db_stmt(v->db, STMT_LINK_USE);

	db_bind_int(s, ":id", l->id);
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return -1;
	if (db_changes(v->db) != 1)
		return 0;
	return password_set(v, l->user_id, hash, why, 0) == 0 ? 1 : -1;
}

enum model_result
password_link_use(const struct viewer *v, const char *purpose,
    const char *token, const char *pw, const char *confirm,
    struct password_errors *e, struct password_link *l)
{
	char hash[crypto_pwhash_STRBYTES];
	enum password_why why = strcmp(purpose, "setup") == 0 ?
	    PASSWORD_SETUP_LINK : PASSWORD_RESET_LINK;
	const char *bad;
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = password_link_find(v, purpose, token, l)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	bad = pw == NULL || *pw == '\0' ? "Enter a new password." :
	    password_policy(pw, l->username, l->email);
	if (bad != NULL)
		check_fail(&e->new_password, 400, bad);
	else if (confirm == NULL || strcmp(pw, confirm) != 0)
		check_fail(&e->confirm_password, 400, "The two passwords "
		    "differ. Type the same password twice.");
	if (check_count(e, password_error_fields) > 0)
		return MODEL_INVALID;
	if (password_hash(pw, hash) != 0 || db_begin(v->db) != 0) {
		sodium_memzero(hash, sizeof(hash));
		return MODEL_FAILED;
	}
	rc = use_link(v, l, hash, why);
	sodium_memzero(hash, sizeof(hash));
	if (rc != 1 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	return MODEL_DONE;
}
