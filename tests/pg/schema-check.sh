#!/usr/bin/env bash
# schema-check.sh - schema-pg.sql on a throwaway cluster: it loads, it has
# schema.sql's tables, columns, indexes and triggers, its counters, names
# and tree behave (schema-check.sql), and its indexes answer the queries
# they are for. Exits 1 at the first failure, saying which.
#
#   tests/pg/schema-check.sh      (from anywhere; needs postgresql-15,
#                                  postgresql-contrib's citext and
#                                  pg_trgm, and sqlite3)
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd -P)
psql=/usr/lib/postgresql/15/bin/psql
command -v sqlite3 >/dev/null || { echo "FAIL: needs sqlite3" >&2; exit 1; }

dir=$(mktemp -d /tmp/arbor-pg.XXXXXX)
stop() {
	"$root/tests/pg/cluster.sh" stop "$dir" 2>/dev/null || true
	rm -rf "$dir"
}
trap stop EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

conninfo=$("$root/tests/pg/cluster.sh" start "$dir")
echo "cluster: $conninfo"
sql() { "$psql" -X -q -v ON_ERROR_STOP=1 "$conninfo" "$@"; }

sql -f "$root/schema-pg.sql" || fail "schema-pg.sql does not load"
echo "ok: schema-pg.sql loads"

# Tables and views, their columns in order, which may be NULL and the
# type (citext counts as text; a view's columns have none in SQLite):
# schema.sql's, read by SQLite itself, less the FTS5 tables.
sqlite_columns=$(sqlite3 -batch -noheader -separator ' ' :memory: \
    ".read $root/schema.sql" \
    "SELECT m.name, p.cid, p.name, (p.\"notnull\" OR p.pk > 0),
	CASE WHEN m.type = 'view' THEN '-' WHEN p.type = 'INTEGER'
	THEN 'bigint' WHEN p.type = 'BLOB' THEN 'bytea' ELSE 'text' END
	FROM sqlite_schema m, pragma_table_info(m.name) p
	WHERE m.type IN ('table', 'view') AND m.name NOT LIKE '%\_fts%'
	ESCAPE '\' ORDER BY m.name, p.cid")
pg_columns=$(sql -At -F ' ' -c "SELECT c.table_name,
	c.ordinal_position - 1, c.column_name, (c.is_nullable = 'NO')::int,
	CASE WHEN t.table_type = 'VIEW' THEN '-' WHEN c.udt_name = 'citext'
	THEN 'text' ELSE c.data_type END
	FROM information_schema.columns c JOIN information_schema.tables t
	USING (table_schema, table_name) WHERE c.table_schema = 'public'
	AND c.table_name != 'schema_version'
	ORDER BY c.table_name, c.ordinal_position")
diff <(echo "$sqlite_columns") <(echo "$pg_columns") >&2 ||
    fail "the columns differ from schema.sql's (< SQLite, > PostgreSQL)"
echo "ok: $(echo "$sqlite_columns" | wc -l) columns of" \
    "$(echo "$sqlite_columns" | cut -d' ' -f1 | sort -u | wc -l)" \
    "tables and views as schema.sql's: order, NOT NULL, type"

# The columns declared COLLATE NOCASE are exactly the citext ones.
nocase=$(awk '/^CREATE TABLE/ { table = $3 }
	/^\t[a-z_]+ +TEXT .*COLLATE NOCASE/ { print table "." $1 }' \
    "$root/schema.sql" | sort)
citext=$(sql -At -c "SELECT table_name || '.' || column_name
	FROM information_schema.columns WHERE table_schema = 'public'
	AND udt_name = 'citext' ORDER BY 1")
diff <(echo "$nocase") <(echo "$citext") >&2 ||
    fail "the citext columns are not schema.sql's NOCASE ones"
echo "ok: the $(echo "$citext" | wc -l) COLLATE NOCASE columns are citext"

# Every named index and every counter trigger of schema.sql, by name.
missing=$(comm -23 <(sqlite3 -batch :memory: ".read $root/schema.sql" \
    "SELECT name FROM sqlite_schema WHERE (type = 'index' AND sql IS NOT
	NULL) OR (type = 'trigger' AND name NOT LIKE '%\_fts\_%' ESCAPE '\')
	ORDER BY 1" | LC_ALL=C sort) \
    <(sql -At -c "SELECT indexname FROM pg_indexes WHERE schemaname =
	'public' UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal" |
    LC_ALL=C sort))
[ -z "$missing" ] ||
    fail "schema.sql's indexes or triggers missing: $(tr '\n' ' ' <<<"$missing")"
echo "ok: every index and counter trigger of schema.sql is there"

sql -f "$root/tests/pg/schema-check.sql" ||
    fail "tests/pg/schema-check.sql (the ERROR above says what)"

# plan_uses INDEX STATEMENT: EXPLAIN's plan of STATEMENT reads INDEX when
# a sequential scan is the last resort (the tables hold a few rows only)
plan_uses() {
	local plan statement
	plan=$(sql -At -c "SET enable_seqscan = off" -c "$2") ||
	    fail "$2 does not run"
	grep -q " on $1\b\| using $1\b" <<<"$plan" ||
	    fail "$2 does not use $1:"$'\n'"$plan"
	statement=$(tr -s '\n\t' '  ' <<<"$2")
	echo "ok: $1 answers ${statement% }"
}
plan_uses users_email_trgm \
    "EXPLAIN SELECT id FROM users WHERE email::text ILIKE '%abc%'"
plan_uses users_username_trgm \
    "EXPLAIN SELECT id FROM users WHERE username::text ILIKE '%abc%'"
plan_uses users_full_name_trgm \
    "EXPLAIN SELECT id FROM users WHERE full_name ILIKE '%abc%'"
plan_uses customers_name_trgm \
    "EXPLAIN SELECT id FROM customers WHERE name ILIKE '%abc%'"
plan_uses customers_email_trgm \
    "EXPLAIN SELECT id FROM customers WHERE email ILIKE '%abc%'"
plan_uses locations_name_trgm \
    "EXPLAIN SELECT id FROM locations WHERE name ILIKE '%abc%'"
plan_uses devices_unit_id_trgm \
    "EXPLAIN SELECT id FROM devices WHERE unit_id::text ILIKE '%abc%'"
plan_uses devices_name_trgm \
    "EXPLAIN SELECT id FROM devices WHERE name ILIKE '%abc%'"
plan_uses devices_vehicle_name_trgm \
    "EXPLAIN SELECT id FROM devices WHERE vehicle_name ILIKE '%abc%'"
plan_uses devices_vin_trgm \
    "EXPLAIN SELECT id FROM devices WHERE vin ILIKE '%abc%'"
plan_uses customers_path_key \
    "EXPLAIN SELECT id FROM customers WHERE path >= '/1/5/' AND path < '/1/50'"
plan_uses customers_name \
    "EXPLAIN SELECT id FROM customers ORDER BY lower(name) LIMIT 10"
plan_uses users_email_key \
    "EXPLAIN SELECT id FROM users WHERE email >= 'ab' AND email < 'ac'"
plan_uses customers_pkey \
    "EXPLAIN UPDATE customers SET tree_users = tree_users + 1 WHERE id IN
	(SELECT ancestor_id FROM customer_ancestors WHERE customer_id = 3)"

"$root/tests/pg/cluster.sh" stop "$dir"
"$root/tests/pg/cluster.sh" status "$dir" && fail "the cluster still runs"
echo "ok: the cluster stopped"
echo "PASS"
