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

/*
 * Where the engines' dialects differ (issue 19). This file is read by
 * db.c for SQLite and by db-pg.c, with SQL_POSTGRESQL defined, for
 * PostgreSQL: each gets its own text of every statement from the one
 * table below. Everything outside these macros is SQL both engines read
 * alike, and mean alike.
 *
 *   NOCASE(x)          x to sort and compare ignoring ASCII case:
 *                      SQLite's NOCASE collation; on PostgreSQL lower(x)
 *                      (its database sorts bytes, like SQLite's BINARY,
 *                      and schema-pg.sql indexes lower(x))
 *   NOCASE_EQ(a, b)    a equal to b ignoring ASCII case
 *   ILIKE              LIKE ignoring ASCII case, as SQLite's LIKE does
 *   CROSS_JOIN         a join SQLite must take in the order written; the
 *                      PostgreSQL planner orders joins itself, and allows
 *                      no ON after CROSS JOIN
 *   INDEXED_BY(index), NOT_INDEXED   SQLite's index hints; none there
 *   IS_SAME            equal, a NULL to a NULL too (SQLite's IS)
 *   GROUP_CONCAT(x, sep, order)   the texts of x joined by sep, in the
 *                      order of order (SQLite joins them in the order it
 *                      reads the rows, which the statement's index gives)
 *   LEAST(a, b)        the smaller of a and b
 *   ACCOUNT_ID_OF(path)   the first id of a customer path: the account's
 *   RANDOM_HEX         random hexadecimal digits
 *   SKIP_LOCKED        PostgreSQL passes over rows another transaction
 *                      holds (senders claiming mail on several nodes);
 *                      SQLite's one writer makes that needless
 *   ID_LIST(param)     the ids of param, bound by db_bind_ids() as a
 *                      JSON array ("[1,5,23]"): a list of any length in
 *                      one statement (json_each; jsonb on PostgreSQL)
 *   SCHEMA_VERSION_SELECT   the database's schema version: SQLite's
 *                      user_version, PostgreSQL's table schema_version
 *   SQLITE_ONLY(sql)   a statement about SQLite's own files: none on
 *                      PostgreSQL (dbcheck.c asks db_has_stmt)
 *
 * A parameter has one type on PostgreSQL, the one its first use in the
 * statement implies (db-pg.c widens integers to 8 bytes): ":p = ''"
 * makes it text, and a later "uid >= :p" of a citext column then
 * compares case by case. Test a search's presence on :q, never on a
 * parameter that is compared with such a column.
 */
#ifdef SQL_POSTGRESQL
#define NOCASE(x) "lower(" x ")"
#define NOCASE_EQ(a, b) "lower(" a ") = lower(" b ")"
#define ILIKE "ILIKE"
#define CROSS_JOIN "JOIN"
#define INDEXED_BY(index) ""
#define NOT_INDEXED ""
#define IS_SAME "IS NOT DISTINCT FROM"
#define GROUP_CONCAT(x, sep, order) \
	"string_agg((" x ")::text, " sep " ORDER BY " order ")"
#define LEAST(a, b) "least(" a ", " b ")"
#define ACCOUNT_ID_OF(path) "CAST(split_part(" path ", '/', 2) AS BIGINT)"
#define RANDOM_HEX "md5(gen_random_uuid()::text)"
#define SKIP_LOCKED " FOR UPDATE SKIP LOCKED"
#define ID_LIST(param) \
	"SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(" \
	param " AS jsonb))"
#define SCHEMA_VERSION_SELECT "SELECT version FROM schema_version"
#define SQLITE_ONLY(sql) NULL
#else
#define NOCASE(x) x " COLLATE NOCASE"
#define NOCASE_EQ(a, b) a " = " b " COLLATE NOCASE"
#define ILIKE "LIKE"
#define CROSS_JOIN "CROSS JOIN"
#define INDEXED_BY(index) "INDEXED BY " index
#define NOT_INDEXED "NOT INDEXED"
#define IS_SAME "IS"
#define GROUP_CONCAT(x, sep, order) "group_concat(" x ", " sep ")"
#define LEAST(a, b) "min(" a ", " b ")"
#define ACCOUNT_ID_OF(path) \
	"CAST(substr(" path ", 2, instr(substr(" path ", 2), '/') - 1) AS " \
	"INTEGER)"
#define RANDOM_HEX "hex(randomblob(8))"
#define SKIP_LOCKED ""
#define ID_LIST(param) "SELECT value FROM json_each(" param ")"
#define SCHEMA_VERSION_SELECT "SELECT user_version FROM pragma_user_version"
#define SQLITE_ONLY(sql) sql
#endif

/*
 * Whether customer id (an SQL expression) or one above it requires MFA,
 * as one value: deliberately not scoped (a requirement comes from above);
 * it answers one boolean about a customer the caller found in the scope.
 * The customers above are those on its path (the view
 * customer_ancestors of schema.sql): a primary-key lookup each.
 */
#define MFA_REQUIRED(id) \
	"(SELECT coalesce(max(a.require_mfa), 0) FROM customer_ancestors x " \
	"JOIN customers a ON a.id = x.ancestor_id WHERE x.customer_id = " \
	id ")"

/* The shares guest :guest_id accepted that still hold, with their
 * location and its customer (share.c fill_guest_share). */
#define SHARE_OF_GUEST_SELECT \
	"SELECT s.id, l.id, l.name, c.name, s.expires_at, s.accepted_at " \
	"FROM location_shares s JOIN locations l ON l.id = " \
	"s.location_id JOIN customers c ON c.id = l.customer_id WHERE " \
	"s.guest_id = :guest_id AND s.revoked_at IS NULL AND s.expires_at > " \
	":now"

/* A user group's columns as usergroup.c fill_group() reads them, and
 * the tables they come from (g the group, a its account). The counts
 * are the whole group's (an operator's list). */
#define UGROUP_COLUMNS \
	"g.id, g.name, g.description, coalesce(g.account_id, 0), " \
	"coalesce(a.name, ''), g.auto_assign, " \
	"coalesce(g.financial_owner_id, 0), g.max_discount_percent, " \
	"coalesce(g.discount_percent, 0), g.created_at, g.updated_at, " \
	"(SELECT count(*) FROM user_group_members m WHERE m.group_id = " \
	"g.id), (SELECT count(*) FROM user_group_devices x WHERE " \
	"x.group_id = g.id)"
#define UGROUP_FROM \
	"FROM user_groups g LEFT JOIN customers a ON a.id = g.account_id "
/* the groups a list shows: by name (its index), searched by name or
 * description; :account_id 0 every group (operators), else that
 * account's and the all-accounts groups; :scope '', 'all' or
 * 'account' */
#define UGROUP_LIST_WHERE \
	"(:account_id = 0 OR g.account_id = :account_id OR g.account_id IS " \
	"NULL) AND (:scope = '' OR (:scope = 'all') = (g.account_id IS " \
	"NULL)) AND (:q = '' OR g.name " ILIKE " :like ESCAPE '\\' OR " \
	"g.description " ILIKE " :like ESCAPE '\\')"

/*
 * RFID tags (issue 15) as access.c fill_tag() reads them: the tag and its
 * holder (u) of customer c. A list searches the uid, the label and the
 * holder's username and e-mail (:like), in the order of the uid.
 */
#define TAG_COLUMNS \
	"t.id, t.uid, t.label, t.user_id, u.username, t.active, " \
	"t.created_at, t.updated_at"
#define TAG_FROM \
	"FROM rfid_tags t JOIN users u ON u.id = t.user_id JOIN customers c " \
	"ON c.id = u.customer_id "
#define TAG_LIST_WHERE \
	SCOPE_CUSTOMER("c") " AND (:like = '%%' OR t.uid " ILIKE \
	" :like ESCAPE " \
	"'\\' OR t.label " ILIKE " :like ESCAPE '\\' OR u.username " ILIKE \
	" :like " \
	"ESCAPE '\\' OR u.email " ILIKE " :like ESCAPE '\\')"
/* a list page in the uid's order: _NARROW the scope's tags sorted (a
 * scope of few users), _WIDE the tags in that order, each checked
 * against the scope, stopping after the page (most of the users) */
#define TAG_FROM_WIDE \
	"FROM rfid_tags t " INDEXED_BY("rfid_tags_uid") " " CROSS_JOIN \
	" users u ON " \
	"u.id = t.user_id " CROSS_JOIN " customers c ON c.id = u.customer_id "
#define TAG_LIST_PAGE(from, dir) \
	"SELECT " TAG_COLUMNS " " from "WHERE " TAG_LIST_WHERE " ORDER BY " \
	"t.uid " dir ", t.id " dir " LIMIT :limit OFFSET :offset"

/*
 * The scan history (issue 15): the scans v sees by the device rule
 * (SCOPE_DEVICE) on the customer and location each device had at its
 * scan, filtered by :device_id,
 * :result (1 allowed, 2 denied) and a search (:lo, :hi) by the start of
 * a uid, a unit id, or the username or e-mail of a holder v sees (a
 * search must not find by a name the rows do not show), each an index
 * range. Ordered by the device's time of the scan, in three plans that
 * access.c chooses between, as the other lists have:
 *   _WIDE    the scans in time order (access_scans_at), each checked
 *            against the scope, stopping after the page: the scope is
 *            most of the devices (an account's own administrators).
 *   _NARROW  the scope's customers, their scans (access_scans_customer),
 *            then sorted: the scope is a small part (a nested customer).
 *   _DEVICE  one device's scans in time order (access_scans_device).
 *   _DENIED  the refusals in time order (access_scans_denied, a partial
 *            index: few among many accepted scans), each checked.
 *   _HITS    a search with few candidates (SCAN_CANDIDATES: the scans of
 *            the uids, devices and holders that start with it, found by
 *            their indexes, up to a bound): those, checked, then sorted.
 * The page's rows are selected first; device, tag and holder are looked
 * up for those only. A holder, and a tag's label, are named only when v
 * sees that user (NULL otherwise: another customer's user may scan a
 * device of v's).
 * No search is :q = '', not :lo = '': PostgreSQL gives a parameter the
 * type of its first use, and text (from '') would compare the citext
 * uids by case.
 */
#define SCAN_WHERE \
	SCOPE_DEVICE("c", "s") " AND (:device_id = 0 OR s.device_id = " \
	":device_id) AND (:result = 0 OR (s.allowed = 1) = (:result = 1)) " \
	"AND (:q = '' OR (s.uid >= :lo AND s.uid < :hi) OR s.device_id IN " \
	"(SELECT id FROM devices WHERE unit_id >= :lo AND unit_id < :hi) OR " \
	"s.user_id IN (" SCAN_HOLDERS("username") " UNION ALL " \
	SCAN_HOLDERS("email") "))"
/* the users v sees whose username (e-mail) starts with the search, by
 * that column's index: the scope's users may be 100,000 */
#define SCAN_HOLDERS(col) \
	"SELECT u.id FROM users u " CROSS_JOIN " customers hc ON hc.id = " \
	"u.customer_id WHERE u." col " >= :lo AND u." col " < :hi AND " \
	SCOPE_CUSTOMER("hc")
#define SCAN_FROM_WIDE \
	"access_scans s " INDEXED_BY("access_scans_at") " " CROSS_JOIN \
	" customers c ON " \
	"c.id = s.customer_id WHERE "
#define SCAN_CANDIDATES \
	"SELECT id FROM access_scans WHERE uid >= :lo AND uid < :hi UNION " \
	"ALL SELECT id FROM access_scans WHERE device_id IN (SELECT id FROM " \
	"devices WHERE unit_id >= :lo AND unit_id < :hi) UNION ALL SELECT " \
	"id FROM access_scans WHERE user_id IN (SELECT id FROM users WHERE " \
	"username >= :lo AND username < :hi UNION ALL SELECT id FROM users " \
	"WHERE email >= :lo AND email < :hi)"
#define SCAN_FROM_HITS \
	"access_scans s " CROSS_JOIN \
	" customers c ON c.id = s.customer_id WHERE " \
	"s.id IN (" SCAN_CANDIDATES ") AND "
#define SCAN_FROM_NARROW \
	"customers c " CROSS_JOIN " access_scans s " \
	INDEXED_BY("access_scans_customer") " ON s.customer_id = c.id WHERE "
#define SCAN_FROM_DENIED \
	"access_scans s " INDEXED_BY("access_scans_denied") " " CROSS_JOIN \
	" customers " \
	"c ON c.id = s.customer_id WHERE s.allowed = 0 AND "
#define SCAN_FROM_DEVICE \
	"access_scans s " INDEXED_BY("access_scans_device") " " CROSS_JOIN \
	" customers " \
	"c ON c.id = s.customer_id WHERE s.device_id = :device_id AND "
/* the scan at the position :after, in the scope */
#define SCAN_AT_AFTER \
	"FROM access_scans s JOIN customers c ON c.id = s.customer_id WHERE " \
	"s.id = :after AND " SCOPE_DEVICE("c", "s")
#define SCAN_LIST_PAGE(from, dir, keyset) \
	"SELECT p.id, p.at, coalesce(p.device_id, 0), (SELECT unit_id FROM " \
	"devices WHERE id = p.device_id), p.uid, coalesce(p.tag_id, 0), " \
	"(SELECT t.label FROM rfid_tags t JOIN users tu ON tu.id = t.user_id " \
	"JOIN customers tc ON tc.id = tu.customer_id WHERE t.id = p.tag_id " \
	"AND " SCOPE_CUSTOMER("tc") "), coalesce(p.user_id, 0), (SELECT " \
	"u.username FROM users u JOIN customers hc ON hc.id = u.customer_id " \
	"WHERE u.id = p.user_id AND " SCOPE_CUSTOMER("hc") "), p.allowed, " \
	"p.status, p.reason FROM (SELECT s.id, s.at, s.device_id, s.uid, " \
	"s.tag_id, s.user_id, s.allowed, s.status, s.reason, s.at AS k FROM " \
	from SCAN_WHERE " AND " keyset("s.at", "s.id", SCAN_AT_AFTER) \
	" ORDER BY k " dir ", s.id " dir " LIMIT :limit OFFSET :offset) p " \
	"ORDER BY p.k " dir ", p.id " dir
#define SCAN_PLAN_STMTS(X, PLAN) \
	X(SCAN_LIST_ASC_##PLAN, SCAN_LIST_PAGE(SCAN_FROM_##PLAN, "ASC", \
	    KEYSET_ASC)) \
	X(SCAN_LIST_DESC_##PLAN, SCAN_LIST_PAGE(SCAN_FROM_##PLAN, "DESC", \
	    KEYSET_DESC))

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
	MFA_REQUIRED("u.customer_id") ", u.language"

/*
 * List pages (issue 4): ORDER BY cannot be a bound parameter, so each
 * sort key and direction is a statement of its own, made from one text by
 * SORTED_LIST(X, ID, LIST_SQL, "expression"): ID_ASC and ID_DESC. A page
 * maps its list.h sort keys to these ids; the client never chooses SQL,
 * and each variant has a fixed plan (a CASE in ORDER BY would make SQLite
 * evaluate every key for every row).
 */
#define SORTED_LIST(X, id, list, expr) \
	X(id##_ASC, list(expr " ASC")) \
	X(id##_DESC, list(expr " DESC"))

/*
 * Pages by position (issue 14). The next link of a list page names the
 * last row it showed (:after); the next page is the rows after that
 * row's (key, id) in the list's order, found by a seek on the sort key's
 * index rather than by counting :offset rows from the top, so page 2000
 * costs what page 1 does. The previous link reads backwards the same way
 * (the other direction's statement; rows.c turns the page round).
 * KEYSET_ASC/DESC(key, id, row) is that condition for a sort key (an
 * SQL expression, never NULL), the row's id column, and row: the text
 * after SELECT that finds row :after in the scope (outside it, or gone:
 * no row, no page, and rows.c counts from the top instead). With :after
 * = 0 the start is a value below (above) every number and text, so one
 * statement serves the first page too. The leading "key >=" is the
 * same condition loosened to the key alone: SQLite seeks an index by a
 * row value only when the key is a plain column, and by this one always.
 */
#ifdef SQL_POSTGRESQL
/* PostgreSQL has no value below (above) every number and text, and
 * plans the OR of the first page by the value :after is bound to */
#define KEYSET_FROM(key, id, cmp, row) \
	"(:after = 0 OR ((" key ") " cmp "= (SELECT " key " " row ") AND (" \
	key ", " id ") " cmp " (SELECT " key ", " id " " row ")))"
#define KEYSET_ASC(key, id, row) KEYSET_FROM(key, id, ">", row)
#define KEYSET_DESC(key, id, row) KEYSET_FROM(key, id, "<", row)
#else
#define KEYSET_FROM(key, id, cmp, start, row) \
	"(" key ") " cmp "= (SELECT " key " " row " UNION ALL SELECT " start \
	" WHERE :after = 0) AND (" key ", " id ") " cmp " (SELECT " key \
	", " id " " row " UNION ALL SELECT " start ", 0 WHERE :after = 0)"
#define KEYSET_ASC(key, id, row) \
	KEYSET_FROM(key, id, ">", "-9223372036854775808", row)
#define KEYSET_DESC(key, id, row) KEYSET_FROM(key, id, "<", "x''", row)
#endif

/*
 * How many rows a scope holds, from the counters of schema.sql (issue 14):
 * the scope's top customer's subtree counter, or for a scope of every
 * account (operators, arborctl) the accounts' sum; with :customer_id (a
 * filter the caller found in the scope), that customer's own counter.
 */
#define SCOPE_COUNT(tree, own) \
	"SELECT CASE WHEN :customer_id != 0 THEN (SELECT " own " FROM " \
	"customers WHERE id = :customer_id) ELSE (SELECT coalesce(sum(n), 0) " \
	"FROM (SELECT " tree " AS n FROM customers c WHERE c.path = " \
	":scope_path AND " SCOPE_CUSTOMER("c") " UNION ALL SELECT " tree \
	" FROM customers c WHERE :scope_path = '/' AND c.parent_id IS NULL " \
	"AND " SCOPE_CUSTOMER("c") ") AS scope) END"
/* the scope's rows and the table's (every account's), to choose a plan */
#define SCOPE_SHARE(tree) \
	"SELECT (" SCOPE_COUNT(tree, "0") "), (SELECT coalesce(sum(" tree \
	"), 0) FROM customers WHERE parent_id IS NULL)"
/* at most :bound rows of a select: a search says "more than" beyond */
#define COUNT_UPTO(select) \
	"SELECT count(*) FROM (" select " LIMIT :bound) AS upto"

/*
 * A customer of the scope as customer.c reads it: its row, whether it or
 * one above it requires MFA, and whether it is the top of the viewer's
 * view (whose parent the viewer does not see).
 */
#define CUSTOMER_COLUMNS_MFA(mfa_required) \
	"c.id, c.parent_id, c.path, c.depth, c.name, c.email, " \
	"c.owner_email, c.country, c.time_zone, c.time_format, c.units, " \
	"c.require_mfa, " mfa_required ", c.path = :scope_path, " \
	"c.created_at, c.updated_at"
#define CUSTOMER_COLUMNS CUSTOMER_COLUMNS_MFA(MFA_REQUIRED("c.id"))

/*
 * The Customers list (issue 14), tuned for 100,000 customers: each sort
 * key and direction has statements in three plans, as the Users list
 * has, that customer.c chooses between:
 *   _SCOPE  the planner's own: the scope's customers by the path index,
 *           then sorted. Best when the scope is a small part of the tree.
 *   _SCAN   the customers in the order of the sort key's index (name,
 *           e-mail), each checked against the scope, stopping after the
 *           page; country and users have no index of their own, and
 *           their scan reads the table once (most of it is the scope).
 *           Best when the scope is most of the tree.
 *   _HITS   few candidates, each checked and then sorted: the search's
 *           hits (the trigram index, or for one or two characters the
 *           prefix indexes), or without a search the customers directly
 *           below :customer_id (customers_parent).
 * S(X, KEY, "key", column, index) per sort key, in the order of the
 * page's sort keys (the first is the default); column is never NULL
 * (KEYSET_*) and index is how the scan plan reads the table.
 */
/*
 * A search of three characters or more (:match not ''): its candidates
 * by the trigrams of the text. SQLite reads the list's FTS5 trigram
 * table with :match; PostgreSQL answers the list's own ILIKE :like from
 * the pg_trgm GIN indexes of the same columns (schema-pg.sql), so its
 * candidates are already the rows the list's LIKE keeps. A citext
 * column is searched as text, the way its index is made.
 */
#ifdef SQL_POSTGRESQL
#define TRIGRAMS(table, cond) \
	"SELECT id FROM " table " WHERE :match != '' AND (" cond ")"
#define CUSTOMER_TRIGRAM_HITS TRIGRAMS("customers", "name ILIKE :like " \
	"ESCAPE '\\' OR email ILIKE :like ESCAPE '\\'")
#define LOCATION_TRIGRAM_HITS TRIGRAMS("locations", "name ILIKE :like " \
	"ESCAPE '\\'")
#define USER_TRIGRAM_HITS TRIGRAMS("users", "email::text ILIKE :like " \
	"ESCAPE '\\' OR username::text ILIKE :like ESCAPE '\\' OR " \
	"full_name ILIKE :like ESCAPE '\\'")
#define DEVICE_TRIGRAM_HITS TRIGRAMS("devices", "unit_id::text ILIKE " \
	":like ESCAPE '\\' OR name ILIKE :like ESCAPE '\\' OR " \
	"vehicle_name ILIKE :like ESCAPE '\\' OR vin ILIKE :like ESCAPE " \
	"'\\'")
#else
#define TRIGRAMS(fts) \
	"SELECT rowid FROM " fts " WHERE :match != '' AND " fts " MATCH " \
	":match"
#define CUSTOMER_TRIGRAM_HITS TRIGRAMS("customers_fts")
#define LOCATION_TRIGRAM_HITS TRIGRAMS("locations_fts")
#define USER_TRIGRAM_HITS TRIGRAMS("users_fts")
#define DEVICE_TRIGRAM_HITS TRIGRAMS("devices_fts")
#endif
#define CUSTOMER_HITS \
	CUSTOMER_TRIGRAM_HITS " UNION ALL SELECT id FROM customers WHERE " \
	":match = '' AND " NOCASE("name") " >= :lo AND " NOCASE("name") \
	" < :hi UNION ALL SELECT id FROM customers WHERE :match = '' AND " \
	NOCASE("email") " >= :lo AND " NOCASE("email") " < :hi"
#define CUSTOMER_CANDIDATES \
	CUSTOMER_HITS " UNION ALL SELECT id FROM customers WHERE " \
	":like = '%%' AND parent_id = :customer_id"
/* the customers of the scope whose name or e-mail is LIKE :like ("%q%",
 * or "q%" for a prefix search), and (a customer page's "nested
 * customers" link) directly below :customer_id unless that is 0 */
#define CUSTOMER_LIST_WHERE \
	SCOPE_CUSTOMER("c") " AND (:customer_id = 0 OR " \
	"c.parent_id = :customer_id) AND (:like = '%%' OR c.name " ILIKE \
	" :like " \
	"ESCAPE '\\' OR c.email " ILIKE " :like ESCAPE '\\')"
#define CUSTOMER_SORTS(S, X) \
	S(X, NAME, "name", NOCASE("c.name"), \
	    INDEXED_BY("customers_name")) \
	S(X, EMAIL, "email", NOCASE("c.email"), \
	    INDEXED_BY("customers_email")) \
	S(X, COUNTRY, "country", "c.country", NOT_INDEXED) \
	S(X, USERS, "users", "c.user_count", NOT_INDEXED)
/* the plans' FROM and the start of their WHERE */
#define CUSTOMER_FROM_SCOPE(index) "customers c WHERE "
#define CUSTOMER_FROM_SCAN(index) "customers c " index " WHERE "
#define CUSTOMER_FROM_HITS(index) \
	"customers c WHERE c.id IN (" CUSTOMER_CANDIDATES ") AND "
/* the customer at the position :after, in the scope */
#define CUSTOMER_AT_AFTER \
	"FROM customers c WHERE c.id = :after AND " SCOPE_CUSTOMER("c")
#define CUSTOMER_LIST_PAGE(from, col, dir, keyset) \
	"SELECT c.id, c.name, c.email, c.country, c.require_mfa, " \
	"c.user_count FROM " from CUSTOMER_LIST_WHERE " AND " \
	keyset(col, "c.id", CUSTOMER_AT_AFTER) " ORDER BY " col " " dir \
	", c.id " dir " LIMIT :limit OFFSET :offset"
#define CUSTOMER_PLAN_STMTS(X, KEY, PLAN, col, index) \
	X(CUSTOMER_LIST_##KEY##_ASC_##PLAN, CUSTOMER_LIST_PAGE( \
	    CUSTOMER_FROM_##PLAN(index), col, "ASC", KEYSET_ASC)) \
	X(CUSTOMER_LIST_##KEY##_DESC_##PLAN, CUSTOMER_LIST_PAGE( \
	    CUSTOMER_FROM_##PLAN(index), col, "DESC", KEYSET_DESC))
#define CUSTOMER_SORT_STMTS(X, KEY, name, col, index) \
	CUSTOMER_PLAN_STMTS(X, KEY, SCOPE, col, index) \
	CUSTOMER_PLAN_STMTS(X, KEY, SCAN, col, index) \
	CUSTOMER_PLAN_STMTS(X, KEY, HITS, col, index)
/* how many customers the list has without a search: the scope's counter,
 * or those directly below the filter's customer */
#define CUSTOMER_LIST_TREE \
	SCOPE_COUNT("tree_customers", "(SELECT count(*) FROM customers k " \
	"WHERE k.parent_id = :customer_id)")

/*
 * The Locations list (issue 14): the locations of the scope's customers,
 * optionally of one customer, whose name or customer's name is LIKE
 * :like. Plans per sort key and direction, which location.c chooses
 * between:
 *   _SCOPE  the planner's own: the scope's customers and their
 *           locations (or, when there are few locations, the other way
 *           round), then sorted;
 *   _SCAN   by name only: the locations in the order of locations_name,
 *           each checked against the scope, stopping after the page.
 *           Best when the scope holds most of the locations. (The
 *           customer's name has no such order over locations, and the
 *           users are counted for the viewer's scope.)
 *   _HITS   few candidates, each checked and sorted: a search's, the
 *           locations whose name the trigram (or prefix) index names and
 *           those of the customers whose name or e-mail it names; without
 *           a search the locations of :customer_id.
 * The page is selected in an inner query; its users (only those in the
 * scope) are counted by the outer one for that page's rows only.
 */
#define LOCATION_USERS(l) \
	"(SELECT count(*) FROM user_locations ul JOIN users u ON " \
	"u.id = ul.user_id JOIN customers uc ON uc.id = u.customer_id " \
	"WHERE ul.location_id = " l ".id AND " SCOPE_CUSTOMER("uc") ")"
#define LOCATION_HITS \
	LOCATION_TRIGRAM_HITS " UNION ALL SELECT id FROM locations WHERE " \
	":match = '' AND " NOCASE("name") " >= :lo AND " NOCASE("name") \
	" < :hi UNION ALL SELECT id FROM locations WHERE customer_id IN (" \
	CUSTOMER_HITS ")"
#define LOCATION_CANDIDATES \
	LOCATION_HITS " UNION ALL SELECT id FROM locations WHERE " \
	":like = '%%' AND customer_id = :customer_id"
#define LOCATION_LIST_WHERE \
	SCOPE_CUSTOMER("c") " AND (:customer_id = 0 OR " \
	"l.customer_id = :customer_id) AND (:like = '%%' OR l.name " ILIKE " " \
	":like ESCAPE '\\' OR c.name " ILIKE " :like ESCAPE '\\')"
#define LOCATION_SORTS(S, X) \
	S(X, NAME, "name", NOCASE("l.name")) \
	S(X, CUSTOMER, "customer", NOCASE("c.name")) \
	S(X, USERS, "users", LOCATION_USERS("l"))
#define LOCATION_FROM_SCOPE \
	"locations l JOIN customers c ON c.id = l.customer_id WHERE "
#define LOCATION_FROM_SCAN \
	"locations l " INDEXED_BY("locations_name") " " CROSS_JOIN \
	" customers c ON " \
	"c.id = l.customer_id WHERE "
#define LOCATION_FROM_HITS \
	"locations l " CROSS_JOIN " customers c ON c.id = l.customer_id " \
	"WHERE l.id IN (" LOCATION_CANDIDATES ") AND "
/* the location at the position :after, in the scope */
#define LOCATION_AT_AFTER "FROM " LOCATION_FROM_SCOPE "l.id = :after AND " \
	SCOPE_CUSTOMER("c")
#define LOCATION_LIST_PAGE(from, col, dir, keyset) \
	"SELECT p.id, p.name, p.customer_id, " LOCATION_USERS("p") " FROM " \
	"(SELECT l.id, l.name, l.customer_id, " col " AS k FROM " from \
	LOCATION_LIST_WHERE " AND " keyset(col, "l.id", LOCATION_AT_AFTER) \
	" ORDER BY k " dir ", l.id " dir " LIMIT :limit OFFSET :offset) p " \
	"ORDER BY p.k " dir ", p.id " dir
#define LOCATION_PLAN_STMTS(X, KEY, PLAN, col) \
	X(LOCATION_LIST_##KEY##_ASC_##PLAN, LOCATION_LIST_PAGE( \
	    LOCATION_FROM_##PLAN, col, "ASC", KEYSET_ASC)) \
	X(LOCATION_LIST_##KEY##_DESC_##PLAN, LOCATION_LIST_PAGE( \
	    LOCATION_FROM_##PLAN, col, "DESC", KEYSET_DESC))
#define LOCATION_SORT_STMTS(X, KEY, name, col) \
	LOCATION_PLAN_STMTS(X, KEY, SCOPE, col) \
	LOCATION_PLAN_STMTS(X, KEY, HITS, col)

/*
 * The Users list (issues 4 and 14), tuned for 100,000 users
 * (docs/PERFORMANCE.md). ORDER BY cannot be bound, and "ORDER BY CASE
 * :sort ..." is opaque to the planner, which must then read and sort
 * every row in the scope whatever the LIMIT. So each sort key and
 * direction has statements of its own, in three plans that user.c
 * chooses between:
 *   _SCOPE  the planner's own: the scope's customers by the path index,
 *           their users by users_customer, then sort. Best when the
 *           scope is a small part of the table (a nested customer).
 *   _SCAN   CROSS JOIN makes users the outer loop: for email and username
 *           it seeks that unique index and stops after the page; for the
 *           other keys it reads the table in order. Best when the scope
 *           is most of the table (the account's own administrators).
 *   _HITS   a search with few candidates: the users the trigram index
 *           (or, for one or two characters, the prefix indexes) names,
 *           each checked against the scope and the LIKE, then sorted.
 * The page is selected in an inner query and the locations, a subquery
 * per row, are looked up by the outer one for that page's rows only.
 * S(X, KEY, "key", column) per sort key, in the order of the page's
 * sort keys (the first is the default); a key is never NULL (KEYSET_*).
 */
#define USER_LIST_LOCATIONS(u) \
	"(SELECT " GROUP_CONCAT("l.name", "', '", "l.id") " FROM " \
	"user_locations ul JOIN " \
	"locations l ON l.id = ul.location_id JOIN customers lc ON " \
	"lc.id = l.customer_id WHERE ul.user_id = " u ".id AND " \
	SCOPE_CUSTOMER("lc") ")"
/* the customer filter (0: none); "+" keeps the planner from turning it
 * into a users_customer lookup, so that both plans stay as chosen */
#define USER_LIST_CUSTOMER \
	"(:customer_id = 0 OR +c.id = :customer_id)"
/*
 * The customers that require MFA, themselves or through one above: the
 * few that require it by their partial index (CROSS JOIN: first, even
 * without statistics), then each one's subtree by the path index.
 * Uncorrelated, so SQLite builds it once per statement, and only when
 * the mfa filter asks.
 */
#define MFA_REQUIRED_CUSTOMERS \
	"(SELECT d.id FROM customers a " CROSS_JOIN " customers d ON " \
	"d.path >= a.path AND d.path < " SUBTREE_END("a.path") " " \
	"WHERE a.require_mfa = 1)"
/* the filters of the list's form (list.h, 0: none): a group held,
 * active or not, MFA on / off / required but not set up; each a
 * parameter test first, so that an unused one costs nothing */
#define USER_LIST_FILTERS \
	"(:group = 0 OR (u.groups & :group) != 0) AND " \
	"(:active = 0 OR (u.active = 1) = (:active = 1)) AND " \
	"(:mfa = 0 OR (:mfa = 1 AND u.totp_enabled = 1) OR (:mfa > 1 AND " \
	"u.totp_enabled = 0 AND (+c.id IN " MFA_REQUIRED_CUSTOMERS ") = " \
	"(:mfa = 3)))"
/* the search, :like being "%q%" or for a prefix search "q%" */
#define USER_LIST_LIKE \
	"(:like = '%%' OR u.email " ILIKE " :like ESCAPE '\\' " \
	"OR u.username " ILIKE " :like ESCAPE '\\' OR u.full_name " ILIKE \
	" :like " \
	"ESCAPE '\\')"
#define USER_LIST_WHERE \
	SCOPE_CUSTOMER("c") " AND " USER_LIST_CUSTOMER " AND " \
	USER_LIST_FILTERS " AND " USER_LIST_LIKE
/*
 * The search's candidates: the rows whose trigram index entries hold all
 * of :match's trigrams (list.c makes it), or with :match empty, those
 * whose e-mail, username or full name starts with [:lo, :hi) (a query
 * too short for a trigram). Either way index lookups only; the LIKE of
 * the list then decides.
 */
#define USER_HITS \
	USER_TRIGRAM_HITS \
	" UNION ALL SELECT id FROM users WHERE :match = '' AND " \
	"email >= :lo AND email < :hi UNION ALL SELECT id FROM users WHERE " \
	":match = '' AND username >= :lo AND username < :hi UNION ALL " \
	"SELECT id FROM users WHERE :match = '' AND " NOCASE("full_name") " " \
	">= :lo AND " NOCASE("full_name") " < :hi"
/* per sort key: its name, its column, and its plan for a wide scope:
 * SCAN walks users in the key's order; the customer order is the tree's,
 * which the SCOPE plan walks already (it has no SCAN statement) */
#define USER_SORTS(S, X) \
	S(X, EMAIL, "email", "u.email", SCAN) \
	S(X, USERNAME, "username", "u.username", SCAN) \
	S(X, CUSTOMER, "customer", "c.path", SCOPE) \
	S(X, LOCATIONS, "locations", \
	    "coalesce(" USER_LIST_LOCATIONS("u") ", '')", SCAN) \
	S(X, LAST_LOGIN, "last_login", "coalesce(u.last_login_at, 0)", SCAN) \
	S(X, GROUPS, "groups", "u.groups", SCAN) \
	S(X, ACTIVE, "active", "u.active", SCAN)
/* the plans' FROM and the start of their WHERE */
#define USER_FROM_SCOPE \
	"users u JOIN customers c ON c.id = u.customer_id WHERE "
#define USER_FROM_SCAN \
	"users u " CROSS_JOIN " customers c ON c.id = u.customer_id WHERE "
#define USER_FROM_HITS USER_FROM_SCAN "u.id IN (" USER_HITS ") AND "
/* the user at the position :after, in the scope */
#define USER_AT_AFTER \
	"FROM users u JOIN customers c ON c.id = u.customer_id " \
	"WHERE u.id = :after AND " SCOPE_CUSTOMER("c")
#define USER_LIST_PAGE(from, col, dir, keyset) \
	"SELECT p.id, p.email, p.username, p.customer_id, p.last_login_at, " \
	"p.groups, p.active, " USER_LIST_LOCATIONS("p") ", p.totp_enabled, " \
	"p.path FROM (SELECT " \
	"u.id, u.email, u.username, u.customer_id, u.last_login_at, " \
	"u.groups, u.active, u.totp_enabled, c.path, " col " AS k FROM " from \
	USER_LIST_WHERE " AND " keyset(col, "u.id", USER_AT_AFTER) \
	" ORDER BY k " dir ", u.id " dir " LIMIT :limit OFFSET :offset) p " \
	"ORDER BY p.k " dir ", p.id " dir
#define USER_PLAN_STMTS(X, KEY, PLAN, col) \
	X(USERS_##KEY##_ASC_##PLAN, USER_LIST_PAGE(USER_FROM_##PLAN, col, \
	    "ASC", KEYSET_ASC)) \
	X(USERS_##KEY##_DESC_##PLAN, USER_LIST_PAGE(USER_FROM_##PLAN, col, \
	    "DESC", KEYSET_DESC))
#define USER_SORT_STMTS(X, KEY, name, col, wide) \
	USER_PLAN_STMTS(X, KEY, SCOPE, col) \
	USER_WIDE_STMTS_##wide(X, KEY, col) \
	USER_PLAN_STMTS(X, KEY, HITS, col)
#define USER_WIDE_STMTS_SCAN(X, KEY, col) USER_PLAN_STMTS(X, KEY, SCAN, col)
#define USER_WIDE_STMTS_SCOPE(X, KEY, col)

/*
 * The Devices list (issues 5 and 14): the devices of the scope
 * (SCOPE_DEVICE: the subtree, the device groups and the user's
 * locations), optionally of one customer and location, whose unit id,
 * device id, name, vehicle name or VIN is LIKE :like.
 *
 * Three plans per sort key and direction, as for the Users list: a
 * "wide" scope (a third of the table or more) walks the devices in the
 * order of the sort key's index from the page's position and checks
 * each against the scope (CROSS JOIN keeps devices the outer loop),
 * stopping after the page; a "narrow" one starts from its customers'
 * path range and sorts what it finds; a search with few candidates
 * reads just those (DEVICE_HITS). device.c picks the plan by the
 * counters. Locations are joined for the page's location names and
 * sort key only.
 */
/* the search: :like in the unit id, name, vehicle name or VIN; the
 * device id (a UUID) by its start, :like_start */
#define DEVICE_LIKE \
	"(:like = '%%' OR d.unit_id " ILIKE " :like ESCAPE '\\' OR " \
	"d.device_uuid " ILIKE " :like_start ESCAPE '\\' OR d.name " ILIKE \
	" :like ESCAPE " \
	"'\\' OR d.vehicle_name " ILIKE " :like ESCAPE '\\' OR d.vin " ILIKE \
	" :like " \
	"ESCAPE '\\')"
#define DEVICE_FILTERS \
	SCOPE_DEVICE("c", "d") " AND " \
	"(:customer_id = 0 OR d.customer_id = :customer_id) AND " \
	"(:location_id = 0 OR d.location_id = :location_id) AND " DEVICE_LIKE
/* a search's candidates (as USER_HITS): trigrams, or the start of the
 * unit id, name, vehicle name or VIN; and the start of the device id
 * whatever the length */
#define DEVICE_HITS \
	DEVICE_TRIGRAM_HITS " UNION ALL SELECT id FROM devices WHERE " \
	":match = '' AND unit_id >= :lo AND unit_id < :hi UNION ALL SELECT " \
	"id FROM devices WHERE device_uuid >= :lo AND device_uuid < :hi " \
	"UNION ALL SELECT id FROM devices WHERE :match = '' AND " \
	NOCASE("name") " >= :lo AND " NOCASE("name") " < :hi UNION ALL " \
	"SELECT id FROM devices WHERE :match = '' AND " NOCASE("vehicle_name") \
	" >= :lo AND " NOCASE("vehicle_name") " < :hi UNION ALL SELECT id " \
	"FROM devices WHERE :match = '' AND " NOCASE("vin") " >= :lo AND " \
	NOCASE("vin") " < :hi"
/* The columns of a device row as device.c reads them (fill_row). */
#define DEVICE_COLUMNS \
	"d.id, d.unit_id, d.device_uuid, d.name, d.vehicle_name, d.vin, " \
	"d.customer_id, d.location_id, l.name, d.registered_at, c.path"
/* per sort key: its expression and its plan for a wide scope (WIDE
 * walks the key's index; the customer order is the tree's, which the
 * NARROW plan walks already, customer by customer) */
#define DEVICE_SORTS(S, X) \
	S(X, UNIT, "d.unit_id", WIDE) \
	S(X, NAME, NOCASE("d.name"), WIDE) \
	S(X, CUSTOMER, "c.path", NARROW) \
	S(X, LOCATION, "coalesce(l.name, '')", WIDE) \
	S(X, REGISTERED, "d.registered_at", WIDE)
#define DEVICE_JOINS(join) \
	"devices d " join " customers c ON c.id = d.customer_id LEFT JOIN " \
	"locations l ON l.id = d.location_id WHERE "
#define DEVICE_FROM_NARROW DEVICE_JOINS("JOIN")
#define DEVICE_FROM_WIDE DEVICE_JOINS(CROSS_JOIN)
#define DEVICE_FROM_HITS DEVICE_FROM_WIDE "d.id IN (" DEVICE_HITS ") AND "
/* the device at the position :after, in the scope */
#define DEVICE_AT_AFTER "FROM " DEVICE_JOINS("JOIN") "d.id = :after AND " \
	SCOPE_DEVICE("c", "d")
#define DEVICE_LIST_PAGE(from, key, dir, keyset) \
	"SELECT " DEVICE_COLUMNS " FROM " from DEVICE_FILTERS " AND " \
	keyset(key, "d.id", DEVICE_AT_AFTER) " ORDER BY " key " " dir \
	", d.id " dir " LIMIT :limit OFFSET :offset"
#define DEVICE_PLAN_STMTS(X, KEY, PLAN, key) \
	X(DEVICES_##KEY##_ASC_##PLAN, DEVICE_LIST_PAGE(DEVICE_FROM_##PLAN, \
	    key, "ASC", KEYSET_ASC)) \
	X(DEVICES_##KEY##_DESC_##PLAN, DEVICE_LIST_PAGE(DEVICE_FROM_##PLAN, \
	    key, "DESC", KEYSET_DESC))
#define DEVICE_SORT_STMTS(X, KEY, key, wide) \
	DEVICE_PLAN_STMTS(X, KEY, NARROW, key) \
	DEVICE_WIDE_STMTS_##wide(X, KEY, key) \
	DEVICE_PLAN_STMTS(X, KEY, HITS, key)
#define DEVICE_WIDE_STMTS_WIDE(X, KEY, key) \
	DEVICE_PLAN_STMTS(X, KEY, WIDE, key)
#define DEVICE_WIDE_STMTS_NARROW(X, KEY, key)
/* the API's pages: keyset by id, the columns of DEVICE_FIND */
#define DEVICE_API_SQL(from) \
	"SELECT " DEVICE_COLUMNS " FROM " from DEVICE_FILTERS \
	" AND d.id > :after ORDER BY d.id LIMIT :limit"
/* One device of the scope, by id, unit id or device id. */
#define DEVICE_FIND(key) \
	"SELECT " DEVICE_COLUMNS " " \
	"FROM devices d JOIN customers c ON c.id = d.customer_id " \
	"LEFT JOIN locations l ON l.id = d.location_id WHERE " key \
	" AND " SCOPE_DEVICE("c", "d")

/*
 * The API's customers, users and locations (issue 6): per resource one
 * select of the document's columns, shared by its list (a keyset page:
 * ids above :after, in id order) and its one-object statement, so both
 * answer with the same document; *_API_FROM(how the table is read) ends
 * with WHERE, and what follows holds the scope. A customer's
 * parent is null for the top of the viewer's scope: the id above it is
 * not theirs to see.
 */
#define CUSTOMER_API_FROM(index) \
	"SELECT " CUSTOMER_COLUMNS " FROM customers c " index " WHERE "
/* the API list's filters and keyset page, after USER_API_SELECT */
#define USER_API_FILTERS \
	"(:customer_id = 0 OR u.customer_id = :customer_id) AND " \
	USER_LIST_FILTERS " AND " USER_LIST_LIKE " AND u.id > :after " \
	"ORDER BY u.id LIMIT :limit"
/* the locations listed are those the viewer sees; join: how users and
 * their customers are read (CROSS JOIN: users in id order, for a wide
 * scope, as DEVICE_API_WIDE) */
#define USER_API_FROM(join) \
	"SELECT u.id, u.username, u.email, u.full_name, u.phone, u.address, " \
	"u.customer_id, u.groups, (SELECT " GROUP_CONCAT("ul.location_id", \
	"','", "ul.location_id") " FROM " \
	"user_locations ul JOIN locations l ON l.id = ul.location_id JOIN " \
	"customers lc ON lc.id = l.customer_id WHERE ul.user_id = u.id AND " \
	SCOPE_CUSTOMER("lc") "), u.active, u.password_hash IS NOT NULL, " \
	"u.must_change_password, u.last_login_at, u.created_at, " \
	"u.totp_enabled, " MFA_REQUIRED("u.customer_id") ", " \
	"(SELECT expires_at FROM user_links WHERE user_id = u.id ORDER BY " \
	"id DESC LIMIT 1), (SELECT used_at FROM user_links WHERE user_id = " \
	"u.id ORDER BY id DESC LIMIT 1), u.language, u.gender " \
	"FROM users u " join " customers c ON c.id = u.customer_id WHERE " \
	SCOPE_CUSTOMER("c")
#define USER_API_SELECT USER_API_FROM("JOIN")
#define LOCATION_API_FROM(join) \
	"SELECT l.id, l.name, l.customer_id, l.created_at, l.updated_at " \
	"FROM locations l " join " customers c ON c.id = l.customer_id WHERE "
#define LOCATION_API_SELECT LOCATION_API_FROM("JOIN") SCOPE_CUSTOMER("c")
/*
 * The pages of the customers and locations: from(narrow) reads the
 * scope the planner's way and sorts it by id, from(wide) walks the table
 * in id order (a scope of most of it: no sort of the whole scope for
 * each page), each row checked with the list's where (the scope and the
 * LIKE of q: without q, or when q has many candidates, then dense);
 * _HITS reads only the candidates of the lists' HITS plan, when there
 * are few.
 */
#define API_AFTER(id) " AND " id " > :after ORDER BY " id " LIMIT :limit"
#define API_KEYSET_STMTS(X, RES, from, narrow, wide, where, id, candidates) \
	X(RES##_API_LIST, from(narrow) where API_AFTER(id)) \
	X(RES##_API_WIDE, from(wide) where API_AFTER(id)) \
	X(RES##_API_HITS, from(narrow) id " IN (" candidates ") AND " where \
	    API_AFTER(id))

/*
 * Invitations (issue 17) as invite.c fill_invite() reads them: the
 * invitation of customer c, its inviter (named only to a viewer who sees
 * them) and the user it made (likewise). :status is 1 pending, 2
 * accepted, 3 expired, 4 revoked (0: any); a search matches the address.
 */
#define INVITE_STATUS_OF(i) \
	"CASE WHEN " i ".accepted_at IS NOT NULL THEN 2 WHEN " i ".revoked_at " \
	"IS NOT NULL THEN 4 WHEN " i ".expires_at <= :now THEN 3 ELSE 1 END"
#define INVITE_COLUMNS \
	"i.id, i.email, i.customer_id, c.name, i.groups, CASE WHEN " \
	SCOPE_CUSTOMER("ic") " THEN iu.username END, i.created_at, " \
	"i.sent_at, i.expires_at, i.accepted_at, i.revoked_at, CASE WHEN " \
	SCOPE_CUSTOMER("nc") " THEN nu.id END, CASE WHEN " \
	SCOPE_CUSTOMER("nc") " THEN nu.username END, i.message, i.days, " \
	INVITE_STATUS_OF("i")
#define INVITE_FROM \
	"FROM invites i JOIN customers c ON c.id = i.customer_id LEFT JOIN " \
	"users iu ON iu.id = i.invited_by LEFT JOIN customers ic ON ic.id = " \
	"iu.customer_id LEFT JOIN users nu ON nu.id = i.user_id LEFT JOIN " \
	"customers nc ON nc.id = nu.customer_id "
#define INVITE_LIST_WHERE \
	SCOPE_CUSTOMER("c") " AND (:like = '%%' OR i.email " ILIKE \
	" :like ESCAPE " \
	"'\\') AND (:status = 0 OR " INVITE_STATUS_OF("i") " = :status)"
#define INVITE_LIST_PAGE(order) \
	"SELECT " INVITE_COLUMNS " " INVITE_FROM "WHERE " INVITE_LIST_WHERE \
	" ORDER BY " order ", i.id LIMIT :limit OFFSET :offset"

/* The check's orphans of search index table_fts: entries whose row of
 * table is gone, rows of table without an entry (table, row, what). */
#define CHECK_INDEX_ROWS(table) \
	"SELECT '" table "_fts', d.id, 'indexes row ' || d.id || ' of " \
	table ", which does not exist' FROM " table "_fts_docsize d WHERE " \
	"d.id NOT IN (SELECT id FROM " table ") UNION ALL SELECT '" table \
	"', t.id, 'has no entry in the search index " table "_fts' FROM " \
	table " t WHERE t.id NOT IN (SELECT id FROM " table "_fts_docsize)"

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
	/* at each login: all but the user's :keep newest sessions, so that \
	 * a new one stays within the cap */ \
	X(SESSION_DELETE_OLDEST, "DELETE FROM sessions WHERE user_id = " \
	    ":user_id AND id NOT IN (SELECT id FROM sessions WHERE user_id = " \
	    ":user_id ORDER BY id DESC LIMIT :keep)") \
	/* a new token for the same session: the MFA step, a new password */ \
	X(SESSION_ROTATE, "UPDATE sessions SET token_hash = :hash " \
	    "WHERE id = :id") \
	\
	/* --- customers --- */ \
	X(CUSTOMER_INSERT, "INSERT INTO customers (parent_id, path, depth, " \
	    "name, email, owner_email, country, time_zone, time_format, " \
	    "units, require_mfa, created_at, updated_at) VALUES (:parent_id, " \
	    "'/pending/' || " RANDOM_HEX ", :depth, :name, :email, " \
	    ":owner_email, :country, :time_zone, :time_format, :units, " \
	    ":require_mfa, :now, :now)") \
	X(CUSTOMER_SET_PATH, "UPDATE customers SET path = :path " \
	    "WHERE id = :id") \
	X(CUSTOMER_PATH, "SELECT path, depth FROM customers WHERE id = :id") \
	/* a name on a path the caller may show (customer_paths_text) */ \
	X(CUSTOMER_NAME, "SELECT name, require_mfa FROM customers " \
	    "WHERE id = :id") \
	/* the same for the customers on a page's rows' paths, and their \
	 * own paths, at once (customer_paths_read) */ \
	X(CUSTOMER_NAMES, "SELECT id, name, require_mfa, path FROM customers " \
	    "WHERE id IN (" ID_LIST(":ids") ")") \
	/* the customer's own columns, without the walk up the tree for \
	 * mfa_required (0 here): every Accounts visit reads it */ \
	X(CUSTOMER_VISIBLE, "SELECT " CUSTOMER_COLUMNS_MFA("0") " " \
	    "FROM customers c WHERE c.id = :id AND " SCOPE_CUSTOMER("c")) \
	/* the accounts of the scope, each with its customers and users */ \
	X(ACCOUNTS_LIST, "SELECT c.id, c.name, c.email, c.owner_email, " \
	    "(SELECT count(*) FROM customers d WHERE d.path >= c.path AND " \
	    " d.path < " SUBTREE_END("c.path") "), " \
	    "(SELECT count(*) FROM users u JOIN customers d ON " \
	    " d.id = u.customer_id WHERE d.path >= c.path AND " \
	    " d.path < " SUBTREE_END("c.path") ") " \
	    "FROM customers c WHERE c.parent_id IS NULL AND " \
	    SCOPE_CUSTOMER("c") " ORDER BY c.name") \
	\
	/* --- locations --- */ \
	X(LOCATION_INSERT, "INSERT INTO locations (customer_id, name, " \
	    "created_at, updated_at) VALUES (:customer_id, :name, :now, :now)") \
	X(USER_LOCATION_ADD, "INSERT INTO user_locations " \
	    "(user_id, location_id) VALUES (:user_id, :location_id) " \
	    "ON CONFLICT DO NOTHING") \
	\
	/* --- customers and locations pages (issue 4) --- */ \
	CUSTOMER_SORTS(CUSTOMER_SORT_STMTS, X) \
	/* how many customers the list has: without a search the counters \
	 * (or the filter's children) say; else at most :bound, counted in \
	 * the list's plan */ \
	X(CUSTOMER_LIST_COUNT_TREE, CUSTOMER_LIST_TREE) \
	X(CUSTOMER_LIST_COUNT_SCOPE, COUNT_UPTO("SELECT 1 FROM " \
	    CUSTOMER_FROM_SCOPE() CUSTOMER_LIST_WHERE)) \
	X(CUSTOMER_LIST_COUNT_SCAN, COUNT_UPTO("SELECT 1 FROM " \
	    CUSTOMER_FROM_SCAN(NOT_INDEXED) CUSTOMER_LIST_WHERE)) \
	X(CUSTOMER_LIST_COUNT_HITS, COUNT_UPTO("SELECT 1 FROM " \
	    CUSTOMER_FROM_HITS() CUSTOMER_LIST_WHERE)) \
	/* to choose a plan: the list's rows without a search and the \
	 * tree's (every account's) */ \
	X(CUSTOMER_LIST_SHARE, "SELECT (" CUSTOMER_LIST_TREE "), (SELECT " \
	    "coalesce(sum(tree_customers), 0) FROM customers WHERE parent_id " \
	    "IS NULL)") \
	/* a search's candidates in the whole table, up to :bound: not \
	 * scoped, as it only chooses a plan and is never shown */ \
	X(CUSTOMER_HIT_CANDIDATES, COUNT_UPTO(CUSTOMER_HITS)) \
	/* one customer of the scope with what its page shows: whether one \
	 * above it requires MFA, its users and its children */ \
	X(CUSTOMER_DETAIL, "SELECT " CUSTOMER_COLUMNS ", " \
	    MFA_REQUIRED("c.parent_id") ", " \
	    "(SELECT count(*) FROM users u WHERE u.customer_id = c.id), " \
	    "(SELECT count(*) FROM customers k WHERE k.parent_id = c.id) " \
	    "FROM customers c WHERE c.id = :id AND " SCOPE_CUSTOMER("c")) \
	/* a customer other than :id named :name ignoring case under \
	 * :parent_id, if the viewer sees that parent: the siblings of the \
	 * top of one's view are not one's to know of */ \
	X(CUSTOMER_SIBLING_NAMED, "SELECT 1 FROM customers k JOIN customers " \
	    "p ON p.id = k.parent_id WHERE k.parent_id = :parent_id AND " \
	    "k.id != :id AND " NOCASE_EQ("k.name", ":name") " AND " \
	    SCOPE_CUSTOMER("p") " LIMIT 1") \
	/* how many customers the scope holds (the counters) */ \
	X(CUSTOMERS_IN_SCOPE, SCOPE_COUNT("tree_customers", "1")) \
	/* the scope in path order, which is depth-first (customer_choices) */ \
	X(CUSTOMER_OPTIONS, "SELECT c.id, c.depth, c.name, c.path " \
	    "FROM customers c WHERE " SCOPE_CUSTOMER("c") " ORDER BY c.path") \
	X(CUSTOMER_UPDATE, "UPDATE customers AS c SET name = :name, " \
	    "email = :email, owner_email = :owner_email, country = :country, " \
	    "time_zone = :time_zone, time_format = :time_format, " \
	    "units = :units, require_mfa = :require_mfa, updated_at = :now " \
	    "WHERE c.id = :id AND " SCOPE_CUSTOMER("c")) \
	/* a subtree to a new parent: one UPDATE rewrites the path prefix and \
	 * depth of every row in [:old_prefix, :old_end); parent_id and \
	 * owner_email change with it in the same row so that the CHECKs \
	 * (root = depth 0 = owner e-mail) hold for every row it writes; \
	 * a new prefix inside the subtree (a cycle) changes nothing */ \
	X(CUSTOMER_MOVE, "UPDATE customers AS c SET " \
	    "path = :new_prefix || substr(c.path, length(:old_prefix) + 1), " \
	    "depth = c.depth + :delta, " \
	    "parent_id = CASE WHEN c.id = :id THEN :parent_id " \
	    "ELSE c.parent_id END, " \
	    "owner_email = CASE WHEN c.id = :id THEN :owner_email " \
	    "ELSE c.owner_email END, updated_at = :now " \
	    "WHERE c.path >= :old_prefix AND c.path < :old_end AND " \
	    SCOPE_CUSTOMER("c") " AND NOT (:new_prefix >= :old_prefix AND " \
	    ":new_prefix < :old_end)") \
	LOCATION_SORTS(LOCATION_SORT_STMTS, X) \
	LOCATION_PLAN_STMTS(X, NAME, SCAN, NOCASE("l.name")) \
	X(LOCATION_LIST_SHARE, SCOPE_SHARE("tree_locations")) \
	/* how many locations the list has: without a search the counters \
	 * say; else at most :bound, counted in the list's plan */ \
	X(LOCATION_LIST_COUNT_TREE, SCOPE_COUNT("tree_locations", \
	    "location_count")) \
	X(LOCATION_LIST_COUNT_SCOPE, COUNT_UPTO("SELECT 1 FROM " \
	    LOCATION_FROM_SCOPE LOCATION_LIST_WHERE)) \
	X(LOCATION_LIST_COUNT_HITS, COUNT_UPTO("SELECT 1 FROM " \
	    LOCATION_FROM_HITS LOCATION_LIST_WHERE)) \
	/* a search's candidates in the whole table, up to :bound (plan \
	 * choice only, never shown) */ \
	X(LOCATION_HIT_CANDIDATES, COUNT_UPTO(LOCATION_HITS)) \
	X(LOCATION_VISIBLE, LOCATION_API_SELECT " AND l.id = :id") \
	/* both the location's customer and the new one in the scope */ \
	X(LOCATION_UPDATE, "UPDATE locations SET name = :name, " \
	    "customer_id = :customer_id, updated_at = :now WHERE id = :id " \
	    "AND customer_id IN (SELECT c.id FROM customers c WHERE " \
	    SCOPE_CUSTOMER("c") ") AND :customer_id IN (SELECT c.id " \
	    "FROM customers c WHERE " SCOPE_CUSTOMER("c") ")") \
	/* the devices and users at location :id whose customer could not \
	 * use it at customer :customer_id (LOCATION_ASSIGNABLE: a location \
	 * serves its own customer and those above it), seen or not */ \
	X(LOCATION_MOVE_TIES, "SELECT (SELECT count(*) FROM devices d " \
	    "JOIN customers dc ON dc.id = d.customer_id WHERE d.location_id = " \
	    ":id AND NOT (t.path >= dc.path AND t.path < " \
	    SUBTREE_END("dc.path") ")), (SELECT count(*) FROM user_locations " \
	    "ul JOIN users u ON u.id = ul.user_id JOIN customers uc ON uc.id " \
	    "= u.customer_id WHERE ul.location_id = :id AND NOT (t.path >= " \
	    "uc.path AND t.path < " SUBTREE_END("uc.path") ")) FROM " \
	    "customers t WHERE t.id = :customer_id") \
	/* what deleting location :id of the scope detaches: its users, \
	 * those of them it leaves with no location (so no longer limited \
	 * by location), its devices; all of them, seen or not, as the \
	 * delete detaches them all */ \
	X(LOCATION_TIES, "SELECT (SELECT count(*) FROM user_locations ul " \
	    "WHERE ul.location_id = l.id), (SELECT count(*) FROM " \
	    "user_locations ul WHERE ul.location_id = l.id AND NOT EXISTS " \
	    "(SELECT 1 FROM user_locations o WHERE o.user_id = ul.user_id " \
	    "AND o.location_id != l.id)), (SELECT count(*) FROM devices d " \
	    "WHERE d.location_id = l.id) FROM locations l JOIN customers c " \
	    "ON c.id = l.customer_id WHERE l.id = :id AND " \
	    SCOPE_CUSTOMER("c")) \
	/* the schema detaches: user_locations cascade, devices' \
	 * location_id becomes NULL */ \
	X(LOCATION_DELETE, "DELETE FROM locations WHERE id = :id AND " \
	    "customer_id IN (SELECT c.id FROM customers c WHERE " \
	    SCOPE_CUSTOMER("c") ")") \
	\
	/* --- users, password links and mail (issue 4) --- */ \
	/* The Users tab: every statement that reads or writes another user \
	 * is scoped by SCOPE_CUSTOMER of the user's customer, so an id \
	 * outside the viewer's subtree behaves exactly like a missing one. */ \
	/* how many users the list has: without a search or filter the \
	 * counters say; else at most :bound, counted in the list's plan */ \
	X(USERS_COUNT_TREE, SCOPE_COUNT("tree_users", "user_count")) \
	X(USERS_SHARE, SCOPE_SHARE("tree_users")) \
	X(USERS_COUNT_SCOPE, COUNT_UPTO("SELECT 1 FROM " USER_FROM_SCOPE \
	    USER_LIST_WHERE)) \
	X(USERS_COUNT_SCAN, COUNT_UPTO("SELECT 1 FROM " USER_FROM_SCAN \
	    USER_LIST_WHERE)) \
	X(USERS_COUNT_HITS, COUNT_UPTO("SELECT 1 FROM " USER_FROM_HITS \
	    USER_LIST_WHERE)) \
	/* a search's candidates in the whole table, up to :bound: not \
	 * scoped, as it only chooses a plan (user.c) and is never shown; \
	 * both plans answer the same rows */ \
	X(USERS_HIT_CANDIDATES, COUNT_UPTO(USER_HITS)) \
	USER_SORTS(USER_SORT_STMTS, X) \
	/* a search for exactly an e-mail or a username: that user */ \
	X(USERS_EXACT, USER_LIST_PAGE(USER_FROM_SCOPE "(u.email = :q OR " \
	    "u.username = :q) AND ", "u.email", "ASC", KEYSET_ASC)) \
	/* one user: the edit and delete pages and the API alike */ \
	X(USER_VISIBLE, USER_API_SELECT " AND u.id = :id") \
	X(USER_ID_BY_EMAIL, "SELECT id FROM users WHERE email = :email") \
	/* both the user and the customer it goes to must be in the scope */ \
	X(USER_UPDATE, "UPDATE users SET customer_id = :customer_id, " \
	    "email = :email, username = :username, full_name = :full_name, " \
	    "phone = :phone, address = :address, groups = :groups, " \
	    "active = :active, language = :language, gender = :gender, " \
	    "updated_at = :now " \
	    "WHERE id = :id AND " \
	    "is_operator = 0 AND customer_id IN (SELECT c.id FROM customers c " \
	    "WHERE " SCOPE_CUSTOMER("c") ") AND :customer_id IN (SELECT c.id " \
	    "FROM customers c WHERE " SCOPE_CUSTOMER("c") ")") \
	X(USER_SET_CONTACT, "UPDATE users SET phone = :phone, " \
	    "address = :address, language = :language, gender = :gender " \
	    "WHERE id = :id") \
	X(USER_DELETE, "DELETE FROM users WHERE id = :id AND is_operator = 0 " \
	    "AND customer_id IN (SELECT c.id FROM customers c WHERE " \
	    SCOPE_CUSTOMER("c") ")") \
	/* locations the editor cannot see stay as they are */ \
	X(USER_LOCATIONS_CLEAR, "DELETE FROM user_locations WHERE user_id = " \
	    ":user_id AND location_id IN (SELECT l.id FROM locations l JOIN " \
	    "customers c ON c.id = l.customer_id WHERE " SCOPE_CUSTOMER("c") ")") \
	/* the locations of the scope, for the user form */ \
	X(LOCATIONS_IN_SCOPE, "SELECT l.id, l.name, l.customer_id FROM " \
	    "locations l JOIN customers c ON c.id = l.customer_id WHERE " \
	    SCOPE_CUSTOMER("c") " ORDER BY c.path, " NOCASE("l.name") "") \
	/* a location a user of customer :customer_id may get: visible to \
	 * the editor and at that customer or below it (the user could not \
	 * see a location above) */ \
	X(LOCATION_ASSIGNABLE, "SELECT 1 FROM locations l JOIN customers c " \
	    "ON c.id = l.customer_id JOIN customers t ON t.id = :customer_id " \
	    "WHERE l.id = :id AND " SCOPE_CUSTOMER("c") " AND " \
	    "c.path >= t.path AND c.path < substr(t.path, 1, " \
	    "length(t.path) - 1) || '0'") \
	\
	/* set-up and reset links (user_links): only the token's hash */ \
	X(LINK_INSERT, "INSERT INTO user_links (user_id, purpose, token_hash, " \
	    "created_at, expires_at) VALUES (:user_id, :purpose, :hash, :now, " \
	    ":expires_at)") \
	X(LINK_BY_HASH, "SELECT l.id, l.user_id, l.expires_at, l.used_at, " \
	    "u.username, u.email, u.active FROM user_links l JOIN users u ON " \
	    "u.id = l.user_id WHERE l.token_hash = :hash AND " \
	    "l.purpose = :purpose") \
	/* single use: only one request can change this row */ \
	X(LINK_USE, "UPDATE user_links SET used_at = :now WHERE id = :id " \
	    "AND used_at IS NULL AND expires_at > :now") \
	/* a new password voids every other outstanding link; a voided link \
	 * has used_at >= expires_at, which LINK_USE never writes, so that \
	 * the user page tells it from a used one (user_link_state) */ \
	X(LINK_USE_ALL, "UPDATE user_links SET used_at = :now, expires_at = " \
	    LEAST("expires_at", ":now") \
	    " WHERE user_id = :user_id AND used_at IS " \
	    "NULL") \
	X(LINK_RECENT, "SELECT count(*) FROM user_links WHERE user_id = " \
	    ":user_id AND purpose = :purpose AND created_at > :since") \
	/* who may reset by mail: active, not an operator (arborctl passwd) */ \
	X(USER_FOR_RESET, "SELECT id, username, email, full_name FROM users " \
	    "WHERE " \
	    "email = :email AND active = 1 AND is_operator = 0") \
	\
	/* mail_queue (mail.c) */ \
	X(MAIL_INSERT, "INSERT INTO mail_queue (created_at, recipient, " \
	    "subject, body, next_attempt_at) VALUES (:now, :recipient, " \
	    ":subject, :body, :now)") \
	/* a sender leases the messages due before sending them, so two \
	 * senders never deliver the same one (a crashed one's lease runs \
	 * out). On PostgreSQL senders on several nodes pass over the rows \
	 * another is claiming (SKIP_LOCKED) instead of waiting for them */ \
	X(MAIL_CLAIM_DUE, "UPDATE mail_queue SET next_attempt_at = :lease " \
	    "WHERE id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL " \
	    "AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT " \
	    ":limit" SKIP_LOCKED ") AND sent_at IS NULL AND next_attempt_at " \
	    "<= :now RETURNING id") \
	X(MAIL_GET, "SELECT recipient, subject, body, created_at, attempts " \
	    "FROM mail_queue WHERE id = :id") \
	/* a delivered body is blanked: it holds a live single-use link, and \
	 * a copy of the database must open nothing */ \
	X(MAIL_SENT, "UPDATE mail_queue SET sent_at = :now, attempts = " \
	    "attempts + 1, last_error = NULL, body = '' WHERE id = :id") \
	X(MAIL_FAILED, "UPDATE mail_queue SET attempts = attempts + 1, " \
	    "next_attempt_at = :next, last_error = :error WHERE id = :id") \
	X(MAIL_PENDING, "SELECT id, recipient, subject, attempts, " \
	    "next_attempt_at, coalesce(last_error, ''), created_at " \
	    "FROM mail_queue WHERE sent_at IS NULL ORDER BY id") \
	X(MAIL_SENT_COUNT, "SELECT count(*) FROM mail_queue " \
	    "WHERE sent_at IS NOT NULL") \
	/* arborctl bench-data: statistics for the query planner */ \
	X(ANALYZE, "ANALYZE") \
	\
	/* --- profile, MFA and brute-force protection (issue 3) --- */ \
	X(GUARD_GET, "SELECT failures, window_start, locked_until, lockouts " \
	    "FROM auth_failures WHERE subject = :subject") \
	X(GUARD_PUT, "INSERT INTO auth_failures (subject, failures, " \
	    "window_start, locked_until, lockouts) VALUES (:subject, " \
	    ":failures, :window_start, :locked_until, :lockouts) ON CONFLICT " \
	    "(subject) DO UPDATE SET failures = excluded.failures, " \
	    "window_start = excluded.window_start, locked_until = " \
	    "excluded.locked_until, lockouts = excluded.lockouts") \
	X(GUARD_CLEAR, "DELETE FROM auth_failures WHERE subject = :subject") \
	X(USER_PASSWORD_HASH, "SELECT password_hash FROM users WHERE id = :id") \
	X(USER_TOTP, "SELECT totp_secret, totp_last_step FROM users " \
	    "WHERE id = :id") \
	/* succeeds (1 change) only for a step above the last one used: two \
	 * sessions racing with the same code cannot both pass */ \
	X(USER_TOTP_ADVANCE, "UPDATE users SET totp_last_step = :step " \
	    "WHERE id = :id AND totp_last_step < :step") \
	X(USER_SET_TOTP, "UPDATE users SET totp_secret = :secret, " \
	    "totp_enabled = :enabled, totp_last_step = :step, " \
	    "updated_at = :now WHERE id = :id") \
	X(USER_ENABLE_TOTP, "UPDATE users SET totp_enabled = 1, " \
	    "updated_at = :now WHERE id = :id AND totp_secret IS NOT NULL") \
	X(USER_SET_SETTINGS, "UPDATE users SET time_zone = :time_zone, " \
	    "time_format = :time_format, units = :units, language = " \
	    ":language, updated_at = :now WHERE id = :id") \
	/* the language of user :id's e-mails: their own, else their \
	 * account's (the first id of their customer's path), else English */ \
	X(USER_MAIL_LANGUAGE, "SELECT coalesce(u.language, (SELECT " \
	    "p.language FROM account_profiles p WHERE p.customer_id = " \
	    ACCOUNT_ID_OF("c.path") "), 'en') FROM users u LEFT JOIN " \
	    "customers c ON c.id = " \
	    "u.customer_id WHERE u.id = :id") \
	/* the e-mail language of customer :id's account (its profile's) */ \
	X(CUSTOMER_MAIL_LANGUAGE, "SELECT p.language FROM customers c JOIN " \
	    "account_profiles p ON p.customer_id = " ACCOUNT_ID_OF("c.path") \
	    " WHERE c.id = :id " \
	    "AND p.language IS NOT NULL") \
	X(RECOVERY_INSERT, "INSERT INTO recovery_codes (user_id, code_hash) " \
	    "VALUES (:user_id, :hash)") \
	X(RECOVERY_DELETE_USER, "DELETE FROM recovery_codes " \
	    "WHERE user_id = :user_id") \
	X(RECOVERY_USE, "UPDATE recovery_codes SET used_at = :now " \
	    "WHERE user_id = :user_id AND code_hash = :hash AND used_at IS NULL") \
	X(RECOVERY_LEFT, "SELECT count(*) FROM recovery_codes " \
	    "WHERE user_id = :user_id AND used_at IS NULL") \
	X(SESSION_MFA_PASSED, "UPDATE sessions SET mfa_passed = 1, " \
	    "mfa_failures = 0 WHERE id = :id") \
	X(SESSION_MFA_FAILED, "UPDATE sessions SET mfa_failures = " \
	    "mfa_failures + 1 WHERE id = :id") \
	X(SESSIONS_OF_USER, "SELECT id, created_at, last_seen_at, ip, " \
	    "user_agent FROM sessions WHERE user_id = :user_id " \
	    "ORDER BY last_seen_at DESC") \
	X(SESSION_DELETE_OWN, "DELETE FROM sessions WHERE id = :id " \
	    "AND user_id = :user_id") \
	\
	/* --- devices (issues 5 and 14) --- */ \
	DEVICE_SORTS(DEVICE_SORT_STMTS, X) \
	/* a search for exactly a unit id or device id: that device */ \
	X(DEVICES_EXACT, DEVICE_LIST_PAGE(DEVICE_FROM_NARROW "(d.unit_id = " \
	    ":q OR d.device_uuid = :q) AND ", "d.unit_id", "ASC", KEYSET_ASC)) \
	/* how many devices the list has: the counters when nothing but \
	 * the customer filters (device.c), else at most :bound */ \
	X(DEVICES_COUNT_TREE, SCOPE_COUNT("tree_devices", "device_count")) \
	X(DEVICES_SHARE, SCOPE_SHARE("tree_devices")) \
	X(DEVICES_COUNT_NARROW, COUNT_UPTO("SELECT 1 FROM " \
	    DEVICE_FROM_NARROW DEVICE_FILTERS)) \
	X(DEVICES_COUNT_WIDE, COUNT_UPTO("SELECT 1 FROM " DEVICE_FROM_WIDE \
	    DEVICE_FILTERS)) \
	X(DEVICES_COUNT_HITS, COUNT_UPTO("SELECT 1 FROM " DEVICE_FROM_HITS \
	    DEVICE_FILTERS)) \
	/* as USERS_HIT_CANDIDATES: the whole table, for the plan only */ \
	X(DEVICES_HIT_CANDIDATES, COUNT_UPTO(DEVICE_HITS)) \
	X(DEVICE_BY_ID, DEVICE_FIND("d.id = :id")) \
	/* the API's pages: keyset by id, the columns of DEVICE_FIND */ \
	X(DEVICE_API_LIST, DEVICE_API_SQL(DEVICE_FROM_NARROW)) \
	X(DEVICE_API_WIDE, DEVICE_API_SQL(DEVICE_FROM_WIDE)) \
	X(DEVICE_API_HITS, DEVICE_API_SQL(DEVICE_FROM_HITS)) \
	X(DEVICE_BY_UNIT, DEVICE_FIND("d.unit_id = :key")) \
	X(DEVICE_BY_UUID, DEVICE_FIND("d.device_uuid = :key")) \
	X(DEVICE_INSERT, "INSERT INTO devices (unit_id, device_uuid, name, " \
	    "vehicle_name, vin, customer_id, location_id, registered_at, " \
	    "registered_by) VALUES (:unit_id, :uuid, :name, :vehicle_name, " \
	    ":vin, :customer_id, :location_id, :now, :user_id)") \
	/* a location of another customer does not follow the device; both \
	 * the device and the customer it goes to in the scope (EXISTS by \
	 * primary key: a bulk move runs this 10,000 times, and "IN (the \
	 * scope's customers)" would list the scope each time) */ \
	X(DEVICE_MOVE, "UPDATE devices SET customer_id = :customer_id, " \
	    "location_id = CASE WHEN location_id IN (SELECT id FROM locations " \
	    "WHERE customer_id = :customer_id) THEN location_id END " \
	    "WHERE id = :id AND EXISTS (SELECT 1 FROM customers c WHERE " \
	    "c.id = devices.customer_id AND " SCOPE_DEVICE("c", "devices") \
	    ") AND EXISTS (SELECT 1 FROM customers c WHERE c.id = " \
	    ":customer_id AND " SCOPE_CUSTOMER("c") ")") \
	X(DEVICE_MOVE_LOG, "INSERT INTO device_moves (device_id, " \
	    "from_customer_id, to_customer_id, moved_by, moved_at) VALUES " \
	    "(:id, :from_id, :to_id, :user_id, :now)") \
	/* the moves of a device of the scope, newest first */ \
	X(DEVICE_HISTORY, "SELECT m.moved_at, m.from_customer_id, " \
	    "m.to_customer_id, m.moved_by FROM device_moves m JOIN devices d " \
	    "ON d.id = m.device_id JOIN customers c ON c.id = d.customer_id " \
	    "WHERE m.device_id = :id AND " SCOPE_DEVICE("c", "d") " " \
	    "ORDER BY m.moved_at DESC, m.id DESC") \
	/* the name of a user in the scope (who registered or moved a device) */ \
	X(USER_NAME_VISIBLE, "SELECT u.username FROM users u JOIN customers c " \
	    "ON c.id = u.customer_id WHERE u.id = :id AND " SCOPE_CUSTOMER("c")) \
	/* --- arborctl bench-data --- */ \
	/* every customer of the scope (the demo account's) */ \
	X(CUSTOMER_IDS_UNDER, "SELECT c.id FROM customers c WHERE " \
	    SCOPE_CUSTOMER("c") " ORDER BY c.id") \
	/* the last id of each table: generated names carry the id their \
	 * row will get, so a second run never repeats a unique key */ \
	X(BENCH_LAST_IDS, "SELECT (SELECT coalesce(max(id), 0) FROM " \
	    "customers), (SELECT coalesce(max(id), 0) FROM users), " \
	    "(SELECT coalesce(max(id), 0) FROM devices)") \
	/* an edit (issue 13): a device of the scope, its own customer kept */ \
	X(DEVICE_UPDATE, "UPDATE devices SET name = :name, vehicle_name = " \
	    ":vehicle_name, vin = :vin, location_id = :location_id WHERE id = " \
	    ":id AND EXISTS (SELECT 1 FROM customers c WHERE c.id = " \
	    "devices.customer_id AND " SCOPE_DEVICE("c", "devices") ")") \
	/* the locations an edit may put a device of :customer_id at: that \
	 * customer's and, for a viewer with locations, only theirs (the \
	 * device would leave their view at any other) */ \
	X(DEVICE_PLACES, "SELECT l.id, l.name, l.customer_id FROM locations " \
	    "l JOIN customers c ON c.id = l.customer_id WHERE l.customer_id = " \
	    ":customer_id AND " SCOPE_CUSTOMER("c") " AND (:scope_loc_user = 0 " \
	    "OR l.id IN (SELECT location_id FROM user_locations WHERE " \
	    "user_id = :scope_loc_user)) ORDER BY " NOCASE("l.name") ", l.id") \
	X(USER_HAS_LOCATION, "SELECT 1 FROM user_locations WHERE user_id = " \
	    ":user_id AND location_id = :id") \
	/* a location of customer :customer_id, in the scope */ \
	X(LOCATION_OF_CUSTOMER, "SELECT 1 FROM locations l JOIN customers c " \
	    "ON c.id = l.customer_id WHERE l.id = :id AND l.customer_id = " \
	    ":customer_id AND " SCOPE_CUSTOMER("c")) \
	\
	/* --- account profiles (issue 16): account.h; the columns in \
	 * ACCOUNT_FIELDS order, the defaults until the first save --- */ \
	X(ACCOUNT_PROFILE, "SELECT c.id, c.name, coalesce(p.plan, ''), " \
	    "coalesce(p.account_type, 'company'), coalesce(p.language, 'en'), " \
	    "coalesce(p.contact_name, ''), coalesce(p.contact_phone, ''), " \
	    "coalesce(p.contact_email, c.email), coalesce(p.contact_gender, " \
	    "''), coalesce(p.billing_street, ''), coalesce(" \
	    "p.billing_postal_code, ''), coalesce(p.billing_city, ''), " \
	    "coalesce(p.billing_country, c.country), coalesce(" \
	    "p.payment_method, 'invoice'), coalesce(p.iban, ''), coalesce(" \
	    "p.reimbursement_iban, ''), coalesce(p.notifications, 1), " \
	    "coalesce(p.feature_flags, ''), coalesce(p.updated_at, 0) FROM " \
	    "customers c LEFT JOIN account_profiles p ON p.customer_id = c.id " \
	    "WHERE c.id = :id AND c.parent_id IS NULL AND " \
	    SCOPE_CUSTOMER("c")) \
	X(ACCOUNT_PROFILE_SAVE, "INSERT INTO account_profiles (customer_id, " \
	    "plan, account_type, language, contact_name, contact_phone, " \
	    "contact_email, contact_gender, billing_street, " \
	    "billing_postal_code, billing_city, billing_country, " \
	    "payment_method, iban, reimbursement_iban, notifications, " \
	    "feature_flags, updated_at) VALUES (:id, :plan, :account_type, " \
	    ":language, :contact_name, :contact_phone, :contact_email, " \
	    ":contact_gender, :billing_street, :billing_postal_code, " \
	    ":billing_city, :billing_country, :payment_method, :iban, " \
	    ":reimbursement_iban, :notifications, :feature_flags, :now) " \
	    "ON CONFLICT (customer_id) DO UPDATE SET plan = excluded.plan, " \
	    "account_type = excluded.account_type, language = " \
	    "excluded.language, contact_name = excluded.contact_name, " \
	    "contact_phone = excluded.contact_phone, contact_email = " \
	    "excluded.contact_email, contact_gender = excluded.contact_gender, " \
	    "billing_street = excluded.billing_street, billing_postal_code = " \
	    "excluded.billing_postal_code, billing_city = " \
	    "excluded.billing_city, billing_country = excluded.billing_country, " \
	    "payment_method = excluded.payment_method, iban = excluded.iban, " \
	    "reimbursement_iban = excluded.reimbursement_iban, notifications " \
	    "= excluded.notifications, feature_flags = excluded.feature_flags, " \
	    "updated_at = excluded.updated_at") \
	\
	/* --- location shares (issue 16): share.h. The owner's side reads \
	 * a location the model found in the scope first; the guest's side \
	 * is the one exception to top-down visibility: it binds the guest \
	 * and reads only shares they accepted that are neither revoked nor \
	 * expired --- */ \
	X(SHARE_INSERT, "INSERT INTO location_shares (location_id, email, " \
	    "token_hash, created_by, created_at, expires_at) VALUES " \
	    "(:location_id, :email, :hash, :actor, :now, :expires_at)") \
	X(SHARE_OPEN_FOR_EMAIL, "SELECT 1 FROM location_shares WHERE " \
	    "location_id = :location_id AND email = :email AND revoked_at IS " \
	    "NULL AND expires_at > :now LIMIT 1") \
	/* the sharer named only to a viewer who sees them (an administrator \
	 * above, an operator: NULL), '' for a deleted one */ \
	X(SHARES_OF_LOCATION, "SELECT s.id, s.email, CASE WHEN s.created_by " \
	    "IS NULL THEN '' ELSE (SELECT b.username FROM users b JOIN " \
	    "customers bc ON bc.id = b.customer_id WHERE b.id = s.created_by " \
	    "AND " SCOPE_CUSTOMER("bc") ") END, s.created_at, s.expires_at, " \
	    "s.accepted_at, s.revoked_at, s.guest_id IS NOT NULL FROM " \
	    "location_shares s WHERE s.location_id = :location_id ORDER BY " \
	    "s.id DESC LIMIT :limit") \
	X(SHARE_OF_LOCATION, "SELECT s.id, s.email, s.guest_id, " \
	    "s.expires_at, s.accepted_at, s.revoked_at FROM location_shares s " \
	    "WHERE s.id = :id AND s.location_id = :location_id") \
	X(SHARE_REVOKE, "UPDATE location_shares SET revoked_at = :now WHERE " \
	    "id = :id AND revoked_at IS NULL") \
	/* the open shares of a location that changes hands */ \
	X(SHARES_REVOKE_OF_LOCATION, "UPDATE location_shares SET revoked_at = " \
	    ":now WHERE location_id = :location_id AND revoked_at IS NULL AND " \
	    "expires_at > :now") \
	/* the invitation behind a link, whoever follows it: the model \
	 * shows its location only to the user it is for */ \
	X(SHARE_BY_HASH, "SELECT s.id, s.email, s.guest_id, s.expires_at, " \
	    "s.revoked_at, s.accepted_at, l.name, c.name, c.path FROM " \
	    "location_shares s JOIN " \
	    "locations l ON l.id = s.location_id JOIN customers c ON c.id = " \
	    "l.customer_id WHERE s.token_hash = :hash") \
	X(SHARE_ACCEPT, "UPDATE location_shares SET guest_id = :guest_id, " \
	    "accepted_at = :now WHERE id = :id AND accepted_at IS NULL AND " \
	    "revoked_at IS NULL AND expires_at > :now") \
	X(SHARES_OF_GUEST, SHARE_OF_GUEST_SELECT " ORDER BY s.id DESC " \
	    "LIMIT :limit") \
	X(SHARE_OF_GUEST, SHARE_OF_GUEST_SELECT " AND s.id = :id") \
	/* a shared location's devices, by id, those of its customer's \
	 * subtree only: a location also serves the customers above its own, \
	 * whose devices at it are not its customer's to share. The share \
	 * was read first. */ \
	X(SHARED_DEVICES, "SELECT d.id, d.unit_id, d.name, d.vehicle_name, " \
	    "d.registered_at FROM locations l JOIN customers lc ON lc.id = " \
	    "l.customer_id JOIN devices d ON d.location_id = l.id JOIN " \
	    "customers dc ON dc.id = d.customer_id WHERE l.id = :location_id " \
	    "AND d.id > :after AND dc.path >= lc.path AND dc.path < " \
	    SUBTREE_END("lc.path") " ORDER BY d.id LIMIT :limit") \
	\
	/* --- user groups (issue 15): usergroup.h. Few rows (operators \
	 * make them by hand); members and devices are read by group or by \
	 * user through the keys of their tables --- */ \
	X(UGROUP_LIST, "SELECT " UGROUP_COLUMNS " " UGROUP_FROM "WHERE " \
	    UGROUP_LIST_WHERE " ORDER BY " NOCASE("g.name") ", g.id LIMIT " \
	    ":limit OFFSET :offset") \
	X(UGROUP_COUNT, "SELECT count(*) FROM user_groups g WHERE " \
	    UGROUP_LIST_WHERE) \
	X(UGROUP_GET, "SELECT " UGROUP_COLUMNS " " UGROUP_FROM "WHERE g.id = " \
	    ":id") \
	X(UGROUP_INSERT, "INSERT INTO user_groups (name, description, " \
	    "account_id, auto_assign, financial_owner_id, max_discount_percent, " \
	    "discount_percent, created_at, updated_at) VALUES (:name, " \
	    ":description, :account_id, :auto_assign, :financial_owner_id, " \
	    ":max_discount, :discount, :now, :now)") \
	X(UGROUP_UPDATE, "UPDATE user_groups SET name = :name, description = " \
	    ":description, account_id = :account_id, auto_assign = " \
	    ":auto_assign, financial_owner_id = :financial_owner_id, " \
	    "max_discount_percent = :max_discount, discount_percent = " \
	    ":discount, updated_at = :now WHERE id = :id") \
	X(UGROUP_SET_DISCOUNT, "UPDATE user_groups SET discount_percent = " \
	    ":discount, updated_at = :now WHERE id = :id") \
	X(UGROUP_DELETE, "DELETE FROM user_groups WHERE id = :id") \
	/* a name taken: in the account, or among the all-accounts groups */ \
	X(UGROUP_NAME_TAKEN, "SELECT 1 FROM user_groups WHERE " \
	    NOCASE_EQ("name", ":name") " AND account_id " IS_SAME \
	    " :account_id AND id != :id") \
	X(UGROUP_ACCOUNTS, "SELECT id, name FROM customers WHERE parent_id IS " \
	    "NULL ORDER BY " NOCASE("name") ", id LIMIT :limit") \
	/* the members and devices of group :id outside the account at \
	 * :account_path: what a change of the group's account must not \
	 * strand in it */ \
	X(UGROUP_OUTSIDE, "SELECT (SELECT count(*) FROM user_group_members m " \
	    "JOIN users u ON u.id = m.user_id JOIN customers c ON c.id = " \
	    "u.customer_id WHERE m.group_id = :id AND NOT (c.path >= " \
	    ":account_path AND c.path < :account_end)), (SELECT count(*) FROM " \
	    "user_group_devices x JOIN devices d ON d.id = x.device_id JOIN " \
	    "customers c ON c.id = d.customer_id WHERE x.group_id = :id AND NOT " \
	    "(c.path >= :account_path AND c.path < :account_end))") \
	/* an account (a root customer) by id, for a group's scope */ \
	X(UGROUP_ACCOUNT, "SELECT name FROM customers WHERE id = :id AND " \
	    "parent_id IS NULL") \
	/* a user by username or e-mail: in v's scope, and in the account of \
	 * path :account_path (its range; '' and '' for any) */ \
	X(UGROUP_USER_BY_LOGIN, "SELECT u.id, u.username FROM users u JOIN " \
	    "customers c ON c.id = u.customer_id WHERE (u.username = :login OR " \
	    "u.email = :login) AND " SCOPE_CUSTOMER("c") " AND (:account_path " \
	    "= '' OR (c.path >= :account_path AND c.path < :account_end))") \
	/* a device by unit id or device id: in v's scope (devices seen), \
	 * and in the account of :account_path as above */ \
	X(UGROUP_DEVICE_BY_IDENT, "SELECT d.id, d.unit_id FROM devices d JOIN " \
	    "customers c ON c.id = d.customer_id WHERE (d.unit_id = :login OR " \
	    "d.device_uuid = lower(:login)) AND " SCOPE_DEVICE("c", "d") " AND " \
	    "(:account_path = '' OR (c.path >= :account_path AND c.path < " \
	    ":account_end))") \
	X(UGROUP_DEVICE_ADD, "INSERT INTO user_group_devices " \
	    "(group_id, device_id) VALUES (:id, :user_id) " \
	    "ON CONFLICT DO NOTHING") \
	X(UGROUP_DEVICE_REMOVE, "DELETE FROM user_group_devices WHERE " \
	    "group_id = :id AND device_id = :user_id AND device_id IN (SELECT " \
	    "d.id FROM devices d JOIN customers c ON c.id = d.customer_id WHERE " \
	    "d.id = :user_id AND " SCOPE_DEVICE("c", "d") ")") \
	/* a group's devices v sees, by id */ \
	X(UGROUP_DEVICES, "SELECT d.id, d.unit_id, d.name, d.vehicle_name " \
	    "FROM user_group_devices x JOIN devices d ON d.id = x.device_id " \
	    "JOIN customers c ON c.id = d.customer_id WHERE x.group_id = :id " \
	    "AND x.device_id > :after AND " SCOPE_DEVICE("c", "d") " ORDER BY " \
	    "x.device_id LIMIT :limit") \
	/* the user form's user groups: account :account_id's (checkboxes \
	 * to its administrators) and the all-accounts ones user :user_id \
	 * is in (read-only) */ \
	X(UGROUP_CHOICES, "SELECT g.id, g.name, EXISTS (SELECT 1 FROM " \
	    "user_group_members m WHERE m.group_id = g.id AND m.user_id = " \
	    ":user_id), g.account_id IS NOT NULL, g.auto_assign FROM " \
	    "user_groups g WHERE " \
	    "g.account_id = :account_id OR (g.account_id IS NULL AND g.id IN " \
	    "(SELECT group_id FROM user_group_members WHERE user_id = " \
	    ":user_id)) ORDER BY " NOCASE("g.name") ", g.id") \
	/* the same for device :user_id's form (its charger scope) */ \
	X(UGROUP_DEVICE_CHOICES, "SELECT g.id, g.name, EXISTS (SELECT 1 FROM " \
	    "user_group_devices x WHERE x.group_id = g.id AND x.device_id = " \
	    ":user_id), g.account_id IS NOT NULL, g.auto_assign FROM " \
	    "user_groups g WHERE " \
	    "g.account_id = :account_id OR (g.account_id IS NULL AND g.id IN " \
	    "(SELECT group_id FROM user_group_devices WHERE device_id = " \
	    ":user_id)) ORDER BY " NOCASE("g.name") ", g.id") \
	X(UGROUP_DEVICE_DROP, "DELETE FROM user_group_devices WHERE group_id " \
	    "= :id AND device_id = :user_id") \
	X(UGROUP_MEMBER_DROP, "DELETE FROM user_group_members WHERE group_id " \
	    "= :id AND user_id = :user_id") \
	/* --- the access decision (seed 004): one device of v's scope, \
	 * then the user asked about, whatever v sees of them: the answer \
	 * says only whether they may use the device --- */ \
	X(ACCESS_DEVICE, "SELECT d.id, c.path, d.customer_id, " \
	    "coalesce(d.location_id, 0), EXISTS (SELECT " \
	    "1 FROM user_group_devices x WHERE x.device_id = d.id) FROM " \
	    "devices d JOIN customers c ON c.id = d.customer_id WHERE " \
	    "d.unit_id = :unit_id AND " SCOPE_DEVICE("c", "d")) \
	X(ACCESS_USER, "SELECT u.active, c.path FROM users u JOIN customers c " \
	    "ON c.id = u.customer_id WHERE u.id = :user_id") \
	X(ACCESS_MEMBER, "SELECT 1 FROM user_group_devices x JOIN " \
	    "user_group_members m ON m.group_id = x.group_id AND m.user_id = " \
	    ":user_id WHERE x.device_id = :device_id LIMIT 1") \
	/* the tags of uid :uid and their holders' customers, whatever v \
	 * sees: access.c takes the one of the device's account */ \
	X(ACCESS_TAG, "SELECT t.id, t.active, t.user_id, c.path FROM " \
	    "rfid_tags t JOIN users u ON u.id = t.user_id JOIN customers c ON " \
	    "c.id = u.customer_id WHERE t.uid = :uid ORDER BY t.id") \
	X(SCAN_INSERT, "INSERT INTO access_scans (customer_id, device_id, " \
	    "location_id, uid, tag_id, user_id, at, recorded_at, allowed, " \
	    "status, reason) VALUES (:customer_id, :device_id, " \
	    "nullif(:location_id, 0), :uid, nullif(:tag_id, 0), " \
	    "nullif(:user_id, 0), :at, :now, :allowed, :status, :reason)") \
	/* --- RFID tags (issue 15): seen by whoever sees their holder --- */ \
	X(TAG_GET, "SELECT " TAG_COLUMNS " " TAG_FROM "WHERE t.id = :id AND " \
	    SCOPE_CUSTOMER("c")) \
	X(TAG_LIST_COUNT, COUNT_UPTO("SELECT 1 " TAG_FROM "WHERE " \
	    TAG_LIST_WHERE)) \
	X(TAG_LIST_COUNT_WIDE, COUNT_UPTO("SELECT 1 " TAG_FROM_WIDE "WHERE " \
	    TAG_LIST_WHERE)) \
	X(TAG_LIST_ASC_NARROW, TAG_LIST_PAGE(TAG_FROM, "ASC")) \
	X(TAG_LIST_DESC_NARROW, TAG_LIST_PAGE(TAG_FROM, "DESC")) \
	X(TAG_LIST_ASC_WIDE, TAG_LIST_PAGE(TAG_FROM_WIDE, "ASC")) \
	X(TAG_LIST_DESC_WIDE, TAG_LIST_PAGE(TAG_FROM_WIDE, "DESC")) \
	/* the holders' customers of the other tags of uid :uid */ \
	X(TAG_UID_HOLDERS, "SELECT c.path FROM rfid_tags t JOIN users u ON " \
	    "u.id = t.user_id JOIN customers c ON c.id = u.customer_id WHERE " \
	    "t.uid = :uid AND t.id != :id") \
	/* a holder named by username or e-mail, in the scope */ \
	X(TAG_HOLDER, "SELECT u.id, u.username, c.path FROM users u JOIN " \
	    "customers c ON c.id = u.customer_id WHERE (u.username = :name " \
	    "OR u.email = :name) AND " SCOPE_CUSTOMER("c")) \
	X(TAG_INSERT, "INSERT INTO rfid_tags (uid, user_id, label, active, " \
	    "created_at, updated_at) VALUES (:uid, :user_id, :label, " \
	    ":active, :now, :now)") \
	X(TAG_UPDATE, "UPDATE rfid_tags SET uid = :uid, user_id = :user_id, " \
	    "label = :label, active = :active, updated_at = :now WHERE id = " \
	    ":id") \
	/* --- the scan history (issue 15): a scan belongs to the customer \
	 * its device had then --- */ \
	X(SCAN_LIST_COUNT, COUNT_UPTO("SELECT 1 FROM access_scans s JOIN " \
	    "customers c ON c.id = s.customer_id WHERE " SCAN_WHERE)) \
	X(SCAN_LIST_COUNT_DEVICE, COUNT_UPTO("SELECT 1 FROM " \
	    SCAN_FROM_DEVICE SCAN_WHERE)) \
	SCAN_PLAN_STMTS(X, WIDE) \
	SCAN_PLAN_STMTS(X, NARROW) \
	SCAN_PLAN_STMTS(X, DEVICE) \
	SCAN_PLAN_STMTS(X, HITS) \
	SCAN_PLAN_STMTS(X, DENIED) \
	X(SCAN_LIST_COUNT_DENIED, COUNT_UPTO("SELECT 1 FROM " \
	    SCAN_FROM_DENIED SCAN_WHERE)) \
	X(SCAN_HIT_CANDIDATES, COUNT_UPTO(SCAN_CANDIDATES)) \
	/* a device filter: a device v sees, or one with a scan v sees (it \
	 * may have moved on since) */ \
	X(SCAN_DEVICE_SEEN, "SELECT 1 WHERE EXISTS (SELECT 1 FROM devices d JOIN " \
	    "customers c ON c.id = d.customer_id WHERE d.id = :device_id AND " \
	    SCOPE_DEVICE("c", "d") ") OR EXISTS (SELECT 1 FROM access_scans " \
	    "s JOIN customers c ON c.id = s.customer_id WHERE s.device_id = " \
	    ":device_id AND " SCOPE_DEVICE("c", "s") ")") \
	X(UGROUP_MEMBER_ADD, "INSERT INTO user_group_members " \
	    "(group_id, user_id) VALUES (:id, :user_id) " \
	    "ON CONFLICT DO NOTHING") \
	X(UGROUP_MEMBER_REMOVE, "DELETE FROM user_group_members WHERE " \
	    "group_id = :id AND user_id = :user_id AND user_id IN (SELECT u.id " \
	    "FROM users u JOIN customers c ON c.id = u.customer_id WHERE u.id = " \
	    ":user_id AND " SCOPE_CUSTOMER("c") ")") \
	/* a group's members v sees, by id */ \
	X(UGROUP_MEMBERS, "SELECT u.id, u.username, u.email, u.full_name, " \
	    "u.active FROM user_group_members m JOIN users u ON u.id = " \
	    "m.user_id JOIN customers c ON c.id = u.customer_id WHERE " \
	    "m.group_id = :id AND m.user_id > :after AND " SCOPE_CUSTOMER("c") \
	    " ORDER BY m.user_id LIMIT :limit") \
	/* what a new user of customer :customer_id joins: its account's \
	 * auto-assign groups (seed 004) */ \
	X(UGROUP_AUTO_ASSIGN, "INSERT INTO user_group_members (group_id, " \
	    "user_id) SELECT g.id, :user_id FROM user_groups g WHERE " \
	    "g.account_id = (SELECT " ACCOUNT_ID_OF("c.path") " FROM " \
	    "customers c WHERE c.id = " \
	    ":customer_id) AND g.auto_assign = 1") \
	/* the groups of users :ids (db_bind_ids), each user's most \
	 * favourable discount first, ties: the group made first (seed \
	 * 004); an all-accounts group's discount is the operator's, an \
	 * account group's its administrator's */ \
	X(UGROUP_OF_USERS, "SELECT m.user_id, g.name, CASE WHEN " \
	    "g.account_id IS NULL THEN g.max_discount_percent ELSE coalesce(" \
	    "g.discount_percent, 0) END AS discount, coalesce(" \
	    "g.financial_owner_id, 0) FROM user_group_members m JOIN " \
	    "user_groups g ON g.id = m.group_id JOIN users u ON u.id = " \
	    "m.user_id JOIN customers uc ON uc.id = u.customer_id WHERE " \
	    "m.user_id IN (" ID_LIST(":ids") ") AND (g.account_id IS NULL OR " \
	    "(uc.path >= '/' || g.account_id || '/' AND uc.path < '/' || " \
	    "g.account_id || '0')) ORDER BY m.user_id, discount DESC, " \
	    "g.created_at, g.id") \
	\
	/* --- API tokens (issue 6) --- */ \
	X(TOKEN_INSERT, "INSERT INTO api_tokens (user_id, name, token_hash, " \
	    "created_at, expires_at, scope) VALUES (:user_id, :name, :hash, " \
	    ":now, :expires_at, :scope)") \
	X(TOKENS_OF_USER, "SELECT id, name, created_at, expires_at, " \
	    "last_used_at, last_used_ip, revoked_at, scope FROM api_tokens " \
	    "WHERE user_id = :user_id ORDER BY created_at DESC, id DESC") \
	X(TOKEN_OF_USER, "SELECT id, name, created_at, expires_at, " \
	    "last_used_at, last_used_ip, revoked_at, scope FROM api_tokens " \
	    "WHERE id = :id AND user_id = :user_id") \
	/* a name the user's tokens in use have, ignoring case: one that \
	 * was revoked or ran out may be used again */ \
	X(TOKEN_NAME_TAKEN, "SELECT 1 FROM api_tokens WHERE user_id = " \
	    ":user_id AND " NOCASE_EQ("name", ":name") " AND revoked_at " \
	    "IS NULL AND expires_at > :now LIMIT 1") \
	/* bound to the owner: another user's token id revokes nothing */ \
	X(TOKEN_REVOKE, "UPDATE api_tokens SET revoked_at = :now WHERE " \
	    "id = :id AND user_id = :user_id AND revoked_at IS NULL") \
	/* what a new password and a deactivation end: every token of the \
	 * user still in use (expired ones stay as they ran out) */ \
	X(TOKEN_REVOKE_USER, "UPDATE api_tokens SET revoked_at = :now WHERE " \
	    "user_id = :user_id AND revoked_at IS NULL AND expires_at > :now") \
	X(TOKEN_AUTH, "SELECT id, user_id, expires_at, revoked_at, " \
	    "last_used_at, last_used_ip, scope FROM api_tokens WHERE " \
	    "token_hash = :hash") \
	X(TOKEN_TOUCH, "UPDATE api_tokens SET last_used_at = :now, " \
	    "last_used_ip = :ip WHERE id = :id") \
	\
	/* --- the API's customers, users and locations (issue 6) --- */ \
	API_KEYSET_STMTS(X, CUSTOMER, CUSTOMER_API_FROM, "", NOT_INDEXED, \
	    CUSTOMER_LIST_WHERE, "c.id", CUSTOMER_HITS) \
	X(USER_API_LIST, USER_API_SELECT " AND " USER_API_FILTERS) \
	X(USER_API_WIDE, USER_API_FROM(CROSS_JOIN) " AND " \
	    USER_API_FILTERS) \
	X(USER_API_HITS, USER_API_SELECT " AND u.id IN (" USER_HITS ") AND " \
	    USER_API_FILTERS) \
	API_KEYSET_STMTS(X, LOCATION, LOCATION_API_FROM, "JOIN", \
	    CROSS_JOIN, LOCATION_LIST_WHERE, "l.id", LOCATION_CANDIDATES) \
	\
	/* --- onboarding (issue 17): invitations, join links, sign-up \
	 * domains, sign-ups; links by their token's hash --- */ \
	X(INVITE_LIST_COUNT, COUNT_UPTO("SELECT 1 FROM invites i JOIN " \
	    "customers c ON c.id = i.customer_id WHERE " INVITE_LIST_WHERE)) \
	SORTED_LIST(X, INVITE_LIST_SENT, INVITE_LIST_PAGE, "i.sent_at") \
	SORTED_LIST(X, INVITE_LIST_EMAIL, INVITE_LIST_PAGE, "i.email") \
	X(INVITE_GET, "SELECT " INVITE_COLUMNS " " INVITE_FROM "WHERE i.id = " \
	    ":id AND " SCOPE_CUSTOMER("c")) \
	X(INVITE_LOCATION_NAMES, "SELECT l.name FROM invite_locations il " \
	    "JOIN locations l ON l.id = il.location_id WHERE il.invite_id = " \
	    ":id ORDER BY l.name") \
	/* an invitation of the customer to the address that still works */ \
	X(INVITE_OPEN_FOR, "SELECT 1 FROM invites WHERE email = :email AND " \
	    "customer_id = :customer_id AND accepted_at IS NULL AND " \
	    "revoked_at IS NULL AND expires_at > :now") \
	X(INVITE_INSERT, "INSERT INTO invites (customer_id, email, groups, " \
	    "message, days, token_hash, invited_by, created_at, sent_at, " \
	    "expires_at) VALUES (:customer_id, :email, :groups, :message, " \
	    ":days, :hash, :invited_by, :now, :now, :now + CAST(:days AS " \
	    "BIGINT) * 86400)") \
	X(INVITE_LOCATION_ADD, "INSERT INTO invite_locations " \
	    "(invite_id, location_id) VALUES (:invite_id, :location_id) " \
	    "ON CONFLICT DO NOTHING") \
	/* a new link: the old one dies, the days start again */ \
	X(INVITE_RESEND, "UPDATE invites SET token_hash = :hash, sent_at = " \
	    ":now, expires_at = :now + days * 86400 WHERE id = :id AND " \
	    "accepted_at IS NULL AND revoked_at IS NULL") \
	X(INVITE_REVOKE, "UPDATE invites SET revoked_at = :now WHERE id = " \
	    ":id AND accepted_at IS NULL AND revoked_at IS NULL") \
	X(INVITE_BY_HASH, "SELECT i.id, i.email, i.customer_id, c.name, " \
	    "i.groups, i.invited_by, coalesce(nullif(iu.full_name, ''), " \
	    "iu.username), i.message, i.expires_at FROM invites i JOIN " \
	    "customers c ON c.id = i.customer_id LEFT JOIN users iu ON iu.id " \
	    "= i.invited_by WHERE i.token_hash = :hash AND i.accepted_at IS " \
	    "NULL AND i.revoked_at IS NULL AND i.expires_at > :now") \
	X(INVITE_ACCEPT, "UPDATE invites SET accepted_at = :now, user_id = " \
	    ":user_id WHERE id = :id AND accepted_at IS NULL AND revoked_at " \
	    "IS NULL AND expires_at > :now") \
	/* the invitation's locations still at its customer or below it */ \
	X(INVITE_LOCATIONS_GIVE, "INSERT INTO user_locations (user_id, " \
	    "location_id) SELECT :user_id, il.location_id FROM " \
	    "invite_locations il JOIN locations l ON l.id = il.location_id " \
	    "JOIN customers lc ON lc.id = l.customer_id JOIN customers t ON " \
	    "t.id = :customer_id WHERE il.invite_id = :id AND lc.path >= " \
	    "t.path AND lc.path < substr(t.path, 1, length(t.path) - 1) || " \
	    "'0'") \
	/* join links of a customer, newest first; the maker named only to \
	 * a viewer who sees them */ \
	X(JOIN_LINKS_OF_CUSTOMER, "SELECT j.id, j.groups, j.max_uses, " \
	    "j.uses, CASE WHEN " SCOPE_CUSTOMER("uc") " THEN u.username END, " \
	    "j.created_at, j.expires_at, j.revoked_at FROM join_links j LEFT " \
	    "JOIN users u ON u.id = j.created_by LEFT JOIN customers uc ON " \
	    "uc.id = u.customer_id WHERE j.customer_id = :customer_id ORDER " \
	    "BY j.created_at DESC, j.id DESC LIMIT :limit") \
	X(JOIN_LINK_INSERT, "INSERT INTO join_links (customer_id, groups, " \
	    "token_hash, max_uses, created_by, created_at, expires_at) VALUES " \
	    "(:customer_id, :groups, :hash, :max_uses, :created_by, :now, " \
	    ":expires_at)") \
	X(JOIN_LINK_REVOKE, "UPDATE join_links SET revoked_at = :now WHERE " \
	    "id = :id AND customer_id = :customer_id AND revoked_at IS NULL") \
	X(JOIN_LINK_EXISTS, "SELECT 1 FROM join_links WHERE id = :id AND " \
	    "customer_id = :customer_id") \
	/* a link that still works: by its token, or by id */ \
	X(JOIN_LINK_OPEN, "SELECT j.id, j.customer_id, c.name, j.groups, " \
	    "j.created_by FROM join_links j JOIN customers c ON c.id = " \
	    "j.customer_id WHERE (j.token_hash = :hash OR j.id = :id) AND " \
	    "j.revoked_at IS NULL AND j.expires_at > :now AND j.uses < " \
	    "j.max_uses") \
	X(JOIN_LINK_USE, "UPDATE join_links SET uses = uses + 1 WHERE id = " \
	    ":id AND uses < max_uses AND revoked_at IS NULL AND expires_at > " \
	    ":now") \
	X(SIGNUP_DOMAINS_OF, "SELECT domain FROM signup_domains WHERE " \
	    "customer_id = :customer_id ORDER BY domain") \
	X(SIGNUP_DOMAIN_HOLDER, "SELECT d.customer_id, c.name FROM " \
	    "signup_domains d JOIN customers c ON c.id = d.customer_id WHERE " \
	    "d.domain = :domain") \
	X(SIGNUP_DOMAINS_CLEAR, "DELETE FROM signup_domains WHERE " \
	    "customer_id = :customer_id") \
	X(SIGNUP_DOMAIN_INSERT, "INSERT INTO signup_domains (domain, " \
	    "customer_id, created_at) VALUES (:domain, :customer_id, :now)") \
	X(SIGNUP_INSERT, "INSERT INTO signups (customer_id, join_link_id, " \
	    "email, username, password_hash, token_hash, created_at, " \
	    "expires_at) VALUES (:customer_id, :join_link_id, :email, " \
	    ":username, :password_hash, :hash, :now, :expires_at)") \
	/* a sign-up whose link still works */ \
	X(SIGNUP_OPEN, "SELECT s.id, s.customer_id, c.name, s.join_link_id, " \
	    "s.email, s.username, s.password_hash FROM signups s JOIN " \
	    "customers c ON c.id = s.customer_id WHERE s.token_hash = :hash " \
	    "AND s.used_at IS NULL AND s.expires_at > :now") \
	X(SIGNUP_USE, "UPDATE signups SET used_at = :now, password_hash = " \
	    "NULL WHERE id = :id AND used_at IS NULL") \
	X(SIGNUPS_PURGE, "UPDATE signups SET password_hash = NULL WHERE " \
	    "password_hash IS NOT NULL AND expires_at <= :now") \
	X(SIGNUPS_OF_LINK_END, "UPDATE signups SET used_at = :now, " \
	    "password_hash = NULL WHERE join_link_id = :join_link_id AND " \
	    "used_at IS NULL") \
	/* --- CSV import and export (issue 17) --- */ \
	/* a location named :name (any case) at customer :customer_id or \
	 * below, in the scope: the import's names (of several, the user's \
	 * own is meant) */ \
	X(IMPORT_LOCATION_BY_NAME, "SELECT l.id FROM customers t JOIN " \
	    "customers lc ON lc.path >= t.path AND lc.path < " \
	    SUBTREE_END("t.path") " JOIN locations l ON l.customer_id = " \
	    "lc.id AND " NOCASE_EQ("l.name", ":name") " WHERE t.id = " \
	    ":customer_id AND " SCOPE_CUSTOMER("lc") " LIMIT 50") \
	/* the accounts of a name (any case): an accounts import's key */ \
	X(ACCOUNT_BY_NAME, "SELECT id, email FROM customers WHERE parent_id " \
	    "IS NULL AND " NOCASE_EQ("name", ":name") " LIMIT 50") \
	/* the users of the Users list's filters, customer by customer in \
	 * the tree's order and by id within each: one pass, no sort */ \
	X(USER_EXPORT, "SELECT u.email, u.username, u.full_name, u.phone, " \
	    "u.address, u.customer_id, u.groups, (SELECT " \
	    GROUP_CONCAT("name", "', '", "name") " FROM (SELECT l.name " \
	    "FROM user_locations ul JOIN locations " \
	    "l ON l.id = ul.location_id JOIN customers lc ON lc.id = " \
	    "l.customer_id WHERE ul.user_id = u.id AND " \
	    SCOPE_CUSTOMER("lc") " ORDER BY l.name) AS names), u.active, " \
	    "u.gender, " \
	    "u.language FROM customers c JOIN users u ON u.customer_id = " \
	    "c.id WHERE " USER_LIST_WHERE " ORDER BY c.path, u.id") \
	\
	/* --- the database check and health (issue 18, dbcheck.c): \
	 * every row of a table, by design; arborctl check runs them once, \
	 * in one read transaction, never a page --- */ \
	X(CHECK_INTEGRITY, SQLITE_ONLY("PRAGMA integrity_check")) \
	/* each row a foreign key misses, with the column that names it */ \
	X(CHECK_FOREIGN_KEYS, SQLITE_ONLY("SELECT f.\"table\", " \
	    "coalesce(f.rowid, 0), f.parent, k.\"from\" FROM " \
	    "pragma_foreign_key_check f JOIN pragma_foreign_key_list(" \
	    "f.\"table\") k ON k.id = f.fkid AND k.seq = 0 ORDER BY 1, 2")) \
	/* the customers whose path or depth differ from what their parent \
	 * links make, walked down from the accounts (as the triggers write \
	 * them: the parent's path and the id); one the walk never reaches \
	 * (its parents go round) has NULLs */ \
	X(CHECK_TREE, "WITH RECURSIVE tree(id, path, depth) AS (SELECT id, " \
	    "'/' || id || '/', 0 FROM customers WHERE parent_id IS NULL " \
	    "UNION ALL SELECT c.id, t.path || c.id || '/', t.depth + 1 FROM " \
	    "tree t JOIN customers c ON c.parent_id = t.id) SELECT c.id, " \
	    "c.path, c.depth, t.path, t.depth FROM customers c LEFT JOIN " \
	    "tree t ON t.id = c.id WHERE t.id IS NULL OR t.path != c.path " \
	    "OR t.depth != c.depth ORDER BY c.id") \
	/* every customer counter that differs from the rows: stored and \
	 * counted in pairs, own users, devices, locations, then the \
	 * subtree's customers, users, devices, locations; the subtree \
	 * by the parent links (UNION: a cycle ends the walk), not the \
	 * paths the check above judges */ \
	X(CHECK_CUSTOMER_COUNTERS, "WITH RECURSIVE up(id, ancestor_id) AS " \
	    "(SELECT id, id FROM customers UNION SELECT up.id, c.parent_id " \
	    "FROM up JOIN customers c ON c.id = up.ancestor_id WHERE " \
	    "c.parent_id IS NOT NULL), own(id, users, devices, locations) " \
	    "AS (SELECT c.id, (SELECT count(*) FROM users u WHERE " \
	    "u.customer_id = c.id), (SELECT count(*) FROM devices d WHERE " \
	    "d.customer_id = c.id), (SELECT count(*) FROM locations l WHERE " \
	    "l.customer_id = c.id) FROM customers c), tree(id, customers, " \
	    "users, devices, locations) AS (SELECT up.ancestor_id, count(*), " \
	    "sum(o.users), sum(o.devices), sum(o.locations) FROM up JOIN own " \
	    "o ON o.id = up.id GROUP BY up.ancestor_id) SELECT c.id, " \
	    "c.user_count, o.users, c.device_count, o.devices, " \
	    "c.location_count, o.locations, c.tree_customers, t.customers, " \
	    "c.tree_users, t.users, c.tree_devices, t.devices, " \
	    "c.tree_locations, t.locations FROM customers c JOIN own o ON " \
	    "o.id = c.id JOIN tree t ON t.id = c.id WHERE c.user_count != " \
	    "o.users OR c.device_count != o.devices OR c.location_count != " \
	    "o.locations OR c.tree_customers != t.customers OR " \
	    "c.tree_users != t.users OR c.tree_devices != t.devices OR " \
	    "c.tree_locations != t.locations ORDER BY c.id") \
	X(CHECK_LOCATION_COUNTERS, "SELECT id, device_count, counted FROM " \
	    "(SELECT l.id, l.device_count, (SELECT count(*) FROM devices d " \
	    "WHERE d.location_id = l.id) AS counted FROM locations l) AS n " \
	    "WHERE " \
	    "device_count != counted ORDER BY id") \
	/* rows no foreign key can hold to: a search index's entry whose \
	 * row is gone, or a row without one. (An account's profile and \
	 * user groups stay with it when an operator moves it under \
	 * another customer: the app makes that state, so it is none.) */ \
	X(CHECK_ORPHANS, SQLITE_ONLY(CHECK_INDEX_ROWS("customers") \
	    " UNION ALL " CHECK_INDEX_ROWS("users") " UNION ALL " \
	    CHECK_INDEX_ROWS("locations") " UNION ALL " \
	    CHECK_INDEX_ROWS("devices"))) \
	/* the schema version as the database says: GET /healthz (can a \
	 * worker read the database?) and the snapshot a backup copies */ \
	X(SCHEMA_VERSION_READ, SCHEMA_VERSION_SELECT) \
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
