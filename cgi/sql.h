/*
 * sql.h - every SQL statement of the program, in one table.
 *
 * Each X(ID, "sql") becomes STMT_ID, prepared once per connection by
 * db_open() with named parameters (":name") bound by db_bind_*(). There is
 * no other place that hands SQL text to SQLite, so a reviewer reads this
 * file to know everything the program can do to the data. Statements that
 * return rows of a tenant include the scope of perm.h (SCOPE_CUSTOMER /
 * SCOPE_DEVICE), which is the visibility rule; none decides it itself.
 */
#ifndef ARBOR_SQL_H
#define ARBOR_SQL_H

#include "perm.h"

/* The columns of a user row as user_fill() (user.c) reads them. */
#define USER_COLUMNS \
	"u.id, u.customer_id, u.is_operator, u.username, u.email, " \
	"u.full_name, u.phone, u.address, u.groups, u.active, " \
	"u.must_change_password, u.totp_enabled, u.totp_last_step, " \
	"u.last_login_at, u.created_at, " \
	"COALESCE(c.path, '/'), COALESCE(c.name, ''), " \
	"u.time_zone, u.time_format, u.units, " \
	"COALESCE(u.time_zone, c.time_zone, 'UTC'), " \
	"COALESCE(u.time_format, c.time_format, '24h'), " \
	"COALESCE(u.units, c.units, 'metric'), " \
	"EXISTS (SELECT 1 FROM user_locations l WHERE l.user_id = u.id), " \
	"(WITH RECURSIVE up(id, parent_id, req) AS (" \
	"  SELECT id, parent_id, require_mfa FROM customers " \
	"  WHERE id = u.customer_id " \
	"  UNION ALL SELECT p.id, p.parent_id, p.require_mfa " \
	"  FROM customers p JOIN up ON p.id = up.parent_id) " \
	" SELECT COALESCE(max(req), 0) FROM up)"

#define SQL_STATEMENTS(X) \
	/* --- users --- */ \
	X(USER_BY_ID, "SELECT " USER_COLUMNS " FROM users u " \
	    "LEFT JOIN customers c ON c.id = u.customer_id " \
	    "WHERE u.id = :id") \
	X(USER_LOGIN_LOOKUP, "SELECT id, password_hash, active FROM users " \
	    "WHERE username = :login OR email = :login " \
	    "ORDER BY username = :login DESC LIMIT 1") \
	X(USER_ID_BY_USERNAME, "SELECT id FROM users WHERE username = :username") \
	X(USER_SET_PASSWORD, "UPDATE users SET password_hash = :hash, " \
	    "must_change_password = :must_change, updated_at = :now " \
	    "WHERE id = :id") \
	X(USER_SET_HASH, "UPDATE users SET password_hash = :hash " \
	    "WHERE id = :id") \
	X(USER_SET_LAST_LOGIN, "UPDATE users SET last_login_at = :now " \
	    "WHERE id = :id") \
	X(USER_INSERT, "INSERT INTO users (customer_id, is_operator, email, " \
	    "username, full_name, password_hash, must_change_password, " \
	    "active, groups, created_at, updated_at) VALUES (:customer_id, " \
	    ":is_operator, :email, :username, :full_name, :hash, " \
	    ":must_change, :active, :groups, :now, :now)") \
	X(USER_COUNT, "SELECT count(*) FROM users") \
	\
	/* --- sessions --- */ \
	X(SESSION_INSERT, "INSERT INTO sessions (token_hash, user_id, " \
	    "created_at, last_seen_at, ip, user_agent) VALUES (:hash, " \
	    ":user_id, :now, :now, :ip, :user_agent)") \
	X(SESSION_BY_HASH, "SELECT id, user_id, mfa_passed, mfa_failures, " \
	    "created_at, last_seen_at FROM sessions WHERE token_hash = :hash") \
	X(SESSION_TOUCH, "UPDATE sessions SET last_seen_at = :now " \
	    "WHERE id = :id") \
	X(SESSION_DELETE, "DELETE FROM sessions WHERE id = :id") \
	/* every session of a user but :keep (0: all) */ \
	X(SESSION_DELETE_USER, "DELETE FROM sessions WHERE user_id = :user_id " \
	    "AND id != :keep") \
	/* at each login: a user's sessions that ran out, so abandoned ones \
	 * do not pile up */ \
	X(SESSION_DELETE_EXPIRED, "DELETE FROM sessions WHERE user_id = " \
	    ":user_id AND (last_seen_at < :idle_before OR " \
	    "created_at < :created_before)") \
	\
	/* --- customers --- */ \
	X(CUSTOMER_INSERT, "INSERT INTO customers (parent_id, path, depth, " \
	    "name, email, owner_email, country, time_zone, time_format, " \
	    "units, require_mfa, created_at, updated_at) VALUES (:parent_id, " \
	    "'/pending/' || hex(randomblob(8)), :depth, :name, :email, " \
	    ":owner_email, :country, :time_zone, :time_format, :units, " \
	    ":require_mfa, :now, :now)") \
	X(CUSTOMER_SET_PATH, "UPDATE customers SET path = :path " \
	    "WHERE id = :id") \
	X(CUSTOMER_PATH, "SELECT path, depth FROM customers WHERE id = :id") \
	X(CUSTOMER_VISIBLE, "SELECT c.id, c.parent_id, c.path, c.name, " \
	    "c.email, c.owner_email, c.country, c.time_zone, c.time_format, " \
	    "c.units, c.require_mfa, c.created_at, c.updated_at " \
	    "FROM customers c WHERE c.id = :id AND " SCOPE_CUSTOMER("c")) \
	/* the names from a customer up to depth :from_depth, top-down */ \
	X(CUSTOMER_ANCESTRY, "WITH RECURSIVE up(id, parent_id, name, depth) " \
	    "AS (SELECT id, parent_id, name, depth FROM customers " \
	    "WHERE id = :id UNION ALL SELECT p.id, p.parent_id, p.name, " \
	    "p.depth FROM customers p JOIN up ON p.id = up.parent_id " \
	    "WHERE up.depth > :from_depth) " \
	    "SELECT name FROM up ORDER BY depth") \
	X(ACCOUNTS_LIST, "SELECT c.id, c.name, c.email, c.owner_email, " \
	    "(SELECT count(*) FROM customers d WHERE d.path >= c.path AND " \
	    " d.path < substr(c.path, 1, length(c.path) - 1) || '0'), " \
	    "(SELECT count(*) FROM users u JOIN customers d ON " \
	    " d.id = u.customer_id WHERE d.path >= c.path AND " \
	    " d.path < substr(c.path, 1, length(c.path) - 1) || '0') " \
	    "FROM customers c WHERE c.parent_id IS NULL ORDER BY c.name") \
	\
	/* --- locations --- */ \
	X(LOCATION_INSERT, "INSERT INTO locations (customer_id, name, " \
	    "created_at, updated_at) VALUES (:customer_id, :name, :now, :now)") \
	X(USER_LOCATION_ADD, "INSERT OR IGNORE INTO user_locations " \
	    "(user_id, location_id) VALUES (:user_id, :location_id)") \
	\
	/* --- customers and locations pages (issue 4) --- */ \
	\
	/* --- users, password links and mail (issue 4) --- */ \
	\
	/* --- profile, MFA and brute-force protection (issue 3) --- */ \
	\
	/* --- events --- */ \
	X(EVENT_INSERT, "INSERT INTO events (at, kind, user_id, actor_id, " \
	    "ip, detail) VALUES (:now, :kind, :user_id, :actor_id, :ip, " \
	    ":detail)")

enum stmt_id {
#define X(id, sql) STMT_##id,
	SQL_STATEMENTS(X)
#undef X
	STMT__MAX
};

#endif
