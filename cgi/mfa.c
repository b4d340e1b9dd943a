/*
 * mfa.c - TOTP and recovery codes against the users and recovery_codes
 * tables.
 */
#include "mfa.h"

#include <string.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "http.h"
#include "tval.h"

int
mfa_secret(struct request *req, int64_t user_id,
    unsigned char secret[TOTP_SECRET_BYTES])
{
	struct db *db = &req->app->db;
	sqlite3_stmt *s = db_stmt(db, STMT_USER_TOTP);
	int rc = -1;

	db_bind_int(s, ":id", user_id);
	if (db_step(db, s) == SQLITE_ROW)
		rc = totp_open(&req->app->keys, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0), secret);
	sqlite3_reset(s);
	return rc;
}

static enum mfa_result
check_totp(struct request *req, int64_t user_id, const char *code)
{
	struct db *db = &req->app->db;
	unsigned char secret[TOTP_SECRET_BYTES];
	sqlite3_stmt *s = db_stmt(db, STMT_USER_TOTP);
	int64_t last = 0, step;

	db_bind_int(s, ":id", user_id);
	if (db_step(db, s) != SQLITE_ROW ||
	    totp_open(&req->app->keys, sqlite3_column_blob(s, 0),
	    (size_t)sqlite3_column_bytes(s, 0), secret) != 0) {
		sqlite3_reset(s);
		return MFA_WRONG;
	}
	last = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	step = totp_check(secret, code, req->now, last);
	sodium_memzero(secret, sizeof(secret));
	if (step == 0)
		return MFA_WRONG;
	s = db_stmt(db, STMT_USER_TOTP_ADVANCE);
	db_bind_int(s, ":step", step);
	db_bind_int(s, ":id", user_id);
	if (db_exec(db, s) != 0 || db_changes(db) != 1)
		return MFA_WRONG;	/* another session used it first */
	return MFA_TOTP;
}

enum mfa_result
mfa_check(struct request *req, int64_t user_id, const char *code,
    bool recovery_ok)
{
	unsigned char hash[RECOVERY_HASH_BYTES];
	struct db *db = &req->app->db;
	sqlite3_stmt *s;

	if (code == NULL)
		return MFA_WRONG;
	if (strlen(code) == TOTP_DIGITS)
		return check_totp(req, user_id, code);
	if (!recovery_ok || recovery_code_hash(&req->app->keys, code,
	    hash) != 0)
		return MFA_WRONG;
	s = db_stmt(db, STMT_RECOVERY_USE);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":user_id", user_id);
	db_bind_blob(s, ":hash", hash, sizeof(hash));
	if (db_exec(db, s) != 0 || db_changes(db) != 1)
		return MFA_WRONG;
	return MFA_RECOVERY;
}

int
mfa_begin(struct request *req, int64_t user_id,
    unsigned char secret[TOTP_SECRET_BYTES])
{
	unsigned char sealed[TOTP_SEALED_BYTES];
	struct db *db = &req->app->db;
	sqlite3_stmt *s;

	totp_secret_new(secret);
	totp_seal(&req->app->keys, secret, sealed);
	s = db_stmt(db, STMT_USER_SET_TOTP);
	db_bind_blob(s, ":secret", sealed, sizeof(sealed));
	db_bind_int(s, ":enabled", 0);
	db_bind_int(s, ":step", 0);
	db_bind_int(s, ":now", req->now);
	db_bind_int(s, ":id", user_id);
	return db_exec(db, s);
}

struct tval *
mfa_new_recovery_codes(struct request *req, int64_t user_id)
{
	unsigned char hash[RECOVERY_HASH_BYTES];
	char code[RECOVERY_CODE_LEN + 1];
	struct db *db = &req->app->db;
	struct tval *list = tv_list(req->arena);
	sqlite3_stmt *s;
	int i;

	s = db_stmt(db, STMT_RECOVERY_DELETE_USER);
	db_bind_int(s, ":user_id", user_id);
	if (db_exec(db, s) != 0)
		return NULL;
	for (i = 0; i < RECOVERY_CODES; i++) {
		recovery_code_new(code);
		if (recovery_code_hash(&req->app->keys, code, hash) != 0)
			return NULL;
		s = db_stmt(db, STMT_RECOVERY_INSERT);
		db_bind_int(s, ":user_id", user_id);
		db_bind_blob(s, ":hash", hash, sizeof(hash));
		if (db_exec(db, s) != 0)
			return NULL;
		tv_push(list, tv_str(req->arena, arena_strdup(req->arena,
		    code)));
	}
	return list;
}
