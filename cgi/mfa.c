/*
 * mfa.c - TOTP and recovery codes against the users, recovery_codes and
 * sessions tables.
 */
#include "mfa.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "event.h"
#include "login.h"
#include "mail.h"
#include "perm.h"
#include "tval.h"
#include "user.h"

/* The stored secret of v's user (pending or enabled) and the last step
 * used. 0 or -1 (none, or a database error). */
static int
read_secret(const struct viewer *v, unsigned char secret[TOTP_SECRET_BYTES],
    int64_t *last_step)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_TOTP);
	int rc = -1;

	db_bind_int(s, ":id", v->user->id);
	if (db_step(v->db, s) == DB_ROW) {
		size_t n;
		const void *sealed = db_col_blob(s, 0, &n);

		rc = totp_open(&v->app->keys, sealed, n, secret);
		*last_step = db_col_int(s, 1);
	}
	db_reset(s);
	return rc;
}

static enum mfa_result
check_totp(const struct viewer *v, const char *code)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct db_stmt *s;
	int64_t last, step;

	if (read_secret(v, secret, &last) != 0)
		return MFA_WRONG;
	step = totp_check(secret, code, v->now, last);
	sodium_memzero(secret, sizeof(secret));
	if (step == 0 || step == TOTP_USED)
		return step == 0 ? MFA_WRONG : MFA_USED;
	s = db_stmt(v->db, STMT_USER_TOTP_ADVANCE);
	db_bind_int(s, ":step", step);
	db_bind_int(s, ":id", v->user->id);
	if (db_exec(v->db, s) != 0)
		return MFA_WRONG;
	/* no row changed: another session used it first */
	return db_changes(v->db) == 1 ? MFA_TOTP : MFA_USED;
}

enum mfa_result
mfa_check(const struct viewer *v, const char *code, bool recovery_ok)
{
	unsigned char hash[RECOVERY_HASH_BYTES];
	struct db_stmt *s;

	if (code == NULL)
		return MFA_WRONG;
	if (strlen(code) == TOTP_DIGITS)
		return check_totp(v, code);
	if (!recovery_ok || recovery_code_hash(&v->app->keys, code,
	    hash) != 0)
		return MFA_WRONG;
	s = db_stmt(v->db, STMT_RECOVERY_USE);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":user_id", v->user->id);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if (db_exec(v->db, s) != 0 || db_changes(v->db) != 1)
		return MFA_WRONG;
	return MFA_RECOVERY;
}

int
mfa_session_result(const struct viewer *v, int64_t session_id, bool passed)
{
	struct db_stmt *s = db_stmt(v->db, passed ? STMT_SESSION_MFA_PASSED :
	    STMT_SESSION_MFA_FAILED);

	db_bind_int(s, ":id", session_id);
	return db_exec(v->db, s);
}

/* Store sealed (NULL: none) as user_id's secret, enabled or not, with
 * no step used yet. 0 or -1. */
static int
store_secret(const struct viewer *v, int64_t user_id,
    const unsigned char *sealed, bool enabled)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_SET_TOTP);

	if (sealed != NULL)
		db_bind_blob(s, ":secret", sealed, TOTP_SEALED_BYTES);
	else
		db_bind_null(s, ":secret");
	db_bind_int(s, ":enabled", enabled);
	db_bind_int(s, ":step", 0);
	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", user_id);
	return db_exec(v->db, s);
}

/* The same for v's own user. */
static int
write_secret(const struct viewer *v, const unsigned char *sealed,
    bool enabled)
{
	return store_secret(v, v->user->id, sealed, enabled);
}

int
mfa_begin(const struct viewer *v, unsigned char secret[TOTP_SECRET_BYTES])
{
	unsigned char sealed[TOTP_SEALED_BYTES];

	totp_secret_new(secret);
	totp_seal(&v->app->keys, secret, sealed);
	return write_secret(v, sealed, false);
}

/* Replace the recovery codes of v's user with new ones (inside the
 * caller's transaction): RECOVERY_CODES strings in v's arena, or NULL. */
static const char **
new_recovery_codes(const struct viewer *v)
{
	unsigned char hash[RECOVERY_HASH_BYTES];
	char code[RECOVERY_CODE_LEN + 1];
	const char **codes = arena_calloc(v->arena, RECOVERY_CODES,
	    sizeof(*codes));
	struct db_stmt *s;
	int i;

	s = db_stmt(v->db, STMT_RECOVERY_DELETE_USER);
	db_bind_int(s, ":user_id", v->user->id);
	if (db_exec(v->db, s) != 0)
		return NULL;
	for (i = 0; i < RECOVERY_CODES; i++) {
		recovery_code_new(code);
		if (recovery_code_hash(&v->app->keys, code, hash) != 0)
			return NULL;
		s = db_stmt(v->db, STMT_RECOVERY_INSERT);
		db_bind_int(s, ":user_id", v->user->id);
		db_bind_blob(s, ":hash", hash, sizeof(hash));
		if (db_exec(v->db, s) != 0)
			return NULL;
		codes[i] = arena_strdup(v->arena, code);
	}
	sodium_memzero(code, sizeof(code));
	return codes;
}

/* MFA on, the session's second factor given, new codes: 0 or -1. */
static int
turn_on(const struct viewer *v, int64_t session_id, const char ***codes)
{
	struct db_stmt *s = db_stmt(v->db, STMT_USER_ENABLE_TOTP);

	db_bind_int(s, ":now", v->now);
	db_bind_int(s, ":id", v->user->id);
	if (db_exec(v->db, s) != 0 ||
	    mfa_session_result(v, session_id, true) != 0 ||
	    (*codes = new_recovery_codes(v)) == NULL)
		return -1;
	event_log(v, "mfa_enrolled", v->user->id, perm_actor(v), "");
	return 0;
}

enum model_result
mfa_enrol(const struct viewer *v, int64_t session_id, const char *code,
    unsigned char secret[TOTP_SECRET_BYTES], const char ***codes,
    struct check_error *e)
{
	enum mfa_result r;
	int64_t last;

	memset(e, 0, sizeof(*e));
	if (v->user->totp_enabled || read_secret(v, secret, &last) != 0)
		return MODEL_NOT_FOUND;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	if ((r = mfa_check(v, code, false)) != MFA_TOTP) {
		db_rollback(v->db);
		check_fail(e, 400, r == MFA_USED ? MFA_USED_TEXT : "That code "
		    "is not valid. Enter the 6-digit code your app shows "
		    "now.");
		return MODEL_INVALID;
	}
	return db_finish(v->db, turn_on(v, session_id, codes) != 0,
	    NULL, NULL);
}

int64_t
mfa_codes_left(const struct viewer *v)
{
	struct db_stmt *s = db_stmt(v->db, STMT_RECOVERY_LEFT);
	int64_t n = -1;

	db_bind_int(s, ":user_id", v->user->id);
	if (db_step(v->db, s) == DB_ROW)
		n = db_col_int(s, 0);
	db_reset(s);
	return n;
}

#define FIELD(m, form) CHECK_FIELD(struct mfa_errors, m, form, #m)
const struct check_field mfa_disable_fields[] = {
	FIELD(password, "off_password"), FIELD(code, "off_code"),
	{ NULL, NULL, 0 }
};
const struct check_field mfa_renew_fields[] = {
	FIELD(password, "regen_password"), FIELD(code, "regen_code"),
	{ NULL, NULL, 0 }
};
const struct check_field mfa_reset_fields[] = {
	FIELD(password, "reset_password"), FIELD(code, "reset_code"),
	{ NULL, NULL, 0 }
};
#undef FIELD

/*
 * Begin the transaction of a flow that needs the password and a current
 * code of v's user in session session_id. MODEL_DONE with the transaction
 * open and the code used up in it; otherwise nothing is open. The
 * password is checked (and a wrong one counted) first: argon2id takes
 * ~50 ms and must not hold the write lock.
 */
static enum model_result
confirm_identity(const struct viewer *v, int64_t session_id,
    const char *password, const char *code, struct mfa_errors *e)
{
	enum model_result rc = login_check_password(v, session_id, password,
	    &e->password);

	/* a wrong one is reported with the code's error; after one too
	 * many the session is over: nothing more to check */
	if (rc == MODEL_FAILED || e->password.status == 401)
		return rc;
	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	/* only who uses MFA has a code to give (an administrator resetting
	 * someone else's may not) */
	switch (v->user->totp_enabled ? mfa_check(v, code, false) : MFA_TOTP) {
	case MFA_TOTP:
		break;
	case MFA_USED:
		check_fail(&e->code, 400, MFA_USED_TEXT);
		break;
	case MFA_WRONG:
	case MFA_RECOVERY:
		check_fail(&e->code, 400, "That code is not valid.");
		break;
	}
	if (e->password.msg != NULL || e->code.msg != NULL) {
		/* the code, if right, stays unused */
		db_rollback(v->db);
		return MODEL_INVALID;
	}
	return MODEL_DONE;
}

enum model_result
mfa_disable(const struct viewer *v, int64_t session_id, const char *password,
    const char *code, struct mfa_errors *e)
{
	enum model_result rc;
	struct db_stmt *s;

	memset(e, 0, sizeof(*e));
	if (!v->user->totp_enabled)
		return MODEL_NOT_FOUND;
	if (v->user->mfa_required) {
		check_fail(&e->required, 403, "Your organisation requires "
		    "two-factor authentication, so it cannot be turned off.");
		return MODEL_INVALID;
	}
	if ((rc = confirm_identity(v, session_id, password,
	    code, e)) != MODEL_DONE)
		return rc;
	s = db_stmt(v->db, STMT_RECOVERY_DELETE_USER);
	db_bind_int(s, ":user_id", v->user->id);
	if (write_secret(v, NULL, false) != 0 || db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "mfa_disabled", v->user->id, perm_actor(v), "");
	return db_finish(v->db, false, NULL, NULL);
}

enum model_result
mfa_renew_codes(const struct viewer *v, int64_t session_id,
    const char *password, const char *code, struct mfa_errors *e,
    const char ***codes)
{
	enum model_result rc;

	memset(e, 0, sizeof(*e));
	if (!v->user->totp_enabled)
		return MODEL_NOT_FOUND;
	if ((rc = confirm_identity(v, session_id, password,
	    code, e)) != MODEL_DONE)
		return rc;
	if ((*codes = new_recovery_codes(v)) == NULL)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "recovery_codes_renewed", v->user->id, perm_actor(v),
	    "");
	return db_finish(v->db, false, NULL, NULL);
}

/* Why v may not reset t's MFA, as a sentence (status in *status), or
 * NULL when v may. */
static const char *
why_not_reset(const struct viewer *v, const struct user_row *t, int *status)
{
	const char *why;

	*status = 403;
	if (!perm_allows(v, ACT_USERS))
		return "Only an Account Administrator can reset another "
		    "user's two-factor authentication.";
	if (t->id == v->user->id)
		return "Your own two-factor authentication is on your "
		    "profile page.";
	if ((why = user_out_of_reach(v, t)) != NULL)
		return why;
	*status = 409;
	return !t->mfa_on ? arena_printf(v->arena, "%s has not set up "
	    "two-factor authentication: there is nothing to reset.",
	    t->username) : NULL;
}

/* Queue the mail that tells t what happened (inside the caller's
 * transaction). 0 or -1. */
static int
reset_mail(const struct viewer *v, const struct user_row *t)
{
	struct tval *data = tv_map(v->arena);

	tv_set_str(data, "name", *t->full_name ? t->full_name : t->username);
	tv_set_str(data, "admin", v->user->username);
	tv_set_str(data, "username", t->username);
	tv_set_bool(data, "required", t->mfa_required);
	return mail_queue_for(v, t->id, t->email, "mfa_reset", data);
}

enum model_result
mfa_reset(const struct viewer *v, int64_t session_id, int64_t user_id,
    const char *password, const char *code, struct mfa_errors *e,
    struct user_row *t)
{
	const char *why;
	enum model_result rc;
	struct db_stmt *s;
	int found, status;

	memset(e, 0, sizeof(*e));
	if ((found = user_get(v, user_id, t)) != 1)
		return found == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if ((why = why_not_reset(v, t, &status)) != NULL) {
		check_fail(&e->required, status, why);
		return MODEL_INVALID;
	}
	if ((rc = confirm_identity(v, session_id, password, code,
	    e)) != MODEL_DONE)
		return rc;
	/* again inside the transaction: the user may have changed while
	 * the password was checked */
	if ((found = user_get(v, user_id, t)) != 1) {
		db_rollback(v->db);
		return found == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	}
	if ((why = why_not_reset(v, t, &status)) != NULL) {
		db_rollback(v->db);
		check_fail(&e->required, status, why);
		return MODEL_INVALID;
	}
	if (store_secret(v, t->id, NULL, false) != 0)
		return db_finish(v->db, true, NULL, NULL);
	s = db_stmt(v->db, STMT_RECOVERY_DELETE_USER);
	db_bind_int(s, ":user_id", t->id);
	if (db_exec(v->db, s) != 0)
		return db_finish(v->db, true, NULL, NULL);
	/* whoever holds the lost phone may be signed in with it */
	s = db_stmt(v->db, STMT_SESSION_DELETE_USER);
	db_bind_int(s, ":user_id", t->id);
	db_bind_int(s, ":keep", 0);
	if (db_exec(v->db, s) != 0 || reset_mail(v, t) != 0)
		return db_finish(v->db, true, NULL, NULL);
	event_log(v, "mfa_reset", t->id, perm_actor(v), "");
	return db_finish(v->db, false, NULL, NULL);
}
