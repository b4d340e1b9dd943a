#!/usr/bin/env bash
# pg.sh - `make bench-pg`: make bench's rows on PostgreSQL (issue 19),
# with one app node and then two behind the same nginx on the same
# database, each row against the trivial FastCGI program at that row's
# size in the same run (tests/bench/measure.sh, as run.sh measures). A
# throwaway cluster in the work folder (tests/pg/cluster.sh); the data of
# make bench: arborctl demo, then bench-data at the same sizes (timed).
# Writes the section "## PostgreSQL (issue 19)" of docs/PERFORMANCE.md,
# keeping every other, and reads the SQLite figures of the same rows from
# the sections run.sh wrote there, when they are of the same sizes.
#
# Environment: DURATION, CONNECTIONS, BENCH_CUSTOMERS, BENCH_USERS and
# BENCH_DEVICES as for make bench; WORKERS (per node, default the
# cores); PORT_BASE (default 18420); KEEP=1
# keeps the work folder, the cluster stopped (tests/pg/cluster.sh start
# DIR/pg starts it again, to look at the plans).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT_BASE=${PORT_BASE:-18420}
KEEP=${KEEP:-}
. "$ROOT/tests/bench/measure.sh"
bench_places "$PORT_BASE" arbor-bench-pg
CLUSTER=$WORK/pg
WORKERS=${WORKERS:-$(nproc)}
export WORKERS

cleanup() {
	stop_stacks
	bash "$ROOT/tests/pg/cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 || true
	if [ -n "$KEEP" ]; then
		echo "bench: kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

url=$(bash "$ROOT/tests/pg/cluster.sh" start "$CLUSTER")
mkdir -p "$APP_VAR"
bench_init "engine = postgresql
url = $url"
psql_at() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$url" -c "$1"; }
start_trivial "$TRIVIAL_VAR" "$TRIVIAL_PORT"
# start_app NODES: the application's stack with that many app nodes
start_app() {
	VAR=$APP_VAR PORT=$APP_PORT BIN=$ROOT/bin NODES=$1 \
		"$ROOT/nginx/stack.sh" start >/dev/null
}
start_app 1

# as admin (all groups: the fullest Accounts page, and every list)
. "$ROOT/tests/bench/web.sh"
sign_in admin
api_token bench
bearer="Authorization: Bearer $token"

echo "bench: PostgreSQL, $DURATION s per run, $CONNECTIONS connections, $WORKERS workers per node"
generate

# a tag for every 10th user of the demo account's tree, as run.sh makes
# them in SQLite: the uid is the holder's id in 8 hex digits
psql_at "INSERT INTO rfid_tags (uid, user_id, label, active, created_at,
	updated_at) SELECT upper(lpad(to_hex(id), 8, '0')), id, '', 1, 0, 0
	FROM users WHERE id % 10 = 0 AND customer_id IN (SELECT id FROM
	customers WHERE path LIKE (SELECT path FROM customers WHERE name =
	'Northwind Fleet') || '%')"
read -r tag_lo tag_hi <<<"$(psql_at "SELECT min(user_id), max(user_id)
	FROM rfid_tags" | tr '|' ' ')"

# The deep pages of make bench (500 and 2000) where the data has them,
# else half-way down the list.
users_page=$((BENCH_USERS / 100 < 500 ? BENCH_USERS / 100 : 500))
devices_page=$((BENCH_DEVICES / 100 < 2000 ? BENCH_DEVICES / 100 : 2000))
users_next="/users?page=$users_page (next link of page $((users_page - 1)))"
devices_next="/devices?page=$devices_page (next link of page $((devices_page - 1)))"
users_next_url=$(next_of "$APP/users?page=$((users_page - 1))")
devices_next_url=$(next_of "$APP/devices?page=$((devices_page - 1))")

# The rows: page (as the tables show it) | URL | header | the pattern of
# the same row's page in the SQLite tables (awk, on the first column).
rows=$WORK/rows
printf '%s|%s|%s|%s\n' \
	"GET /login" "$APP/login" "" '^ `GET /login` $' \
	"GET /accounts (logged in)" "$APP/accounts" "$cookie" '^ `GET /accounts` \(logged in\) $' \
	"/users?page=1" "$APP/users?page=1" "$cookie" '^ `/users\?page=1` $' \
	"/devices?page=1" "$APP/devices?page=1" "$cookie" '^ `/devices\?page=1` $' \
	"/customers?page=1" "$APP/customers?page=1" "$cookie" '^ `/customers\?page=1` $' \
	"$users_next" "$users_next_url" "$cookie" "^ \`/users\\?page=$users_page \\(next link" \
	"$devices_next" "$devices_next_url" "$cookie" "^ \`/devices\\?page=$devices_page \\(next link" \
	"/devices?q=$unit_id (unit id)" "$APP/devices?q=$unit_id" "$cookie" '\(unit id\)` $' \
	"/devices?q=$device_id (device id)" "$APP/devices?q=$device_id" "$cookie" '\(device id\)` $' \
	"/users?q=$email (e-mail)" "$APP/users?q=$(urlencode "$email")" "$cookie" '\(e-mail\)` $' \
	"/users?q=$last_name ($last_users users)" "$APP/users?q=$(urlencode "$last_name")" "$cookie" '^ `/users\?q=.* \([0-9]+ users\)` $' \
	"/devices?q=$device_text ($text_devices devices)" "$APP/devices?q=$(urlencode "$device_text")" "$cookie" '^ `/devices\?q=.* \([0-9]+ devices\)` $' \
	"/api/v1/users?limit=50" "$APP/api/v1/users?limit=50" "$bearer" '^ `/api/v1/users\?limit=50` $' \
	"/api/v1/devices?limit=50" "$APP/api/v1/devices?limit=50" "$bearer" '^ `/api/v1/devices\?limit=50` $' \
	>"$rows"
scans_row="POST /api/v1/access/scans"
scans_pattern='^ `POST /api/v1/access/scans` '

# Each row with one node, then with two: result[NODES|page] is
# "req/s|share|p99" and the row's size and trivial req/s are those of the
# one-node run (the two-node share is of its own trivial figure).
declare -A result bytes_of treq_of
for nodes in 1 2; do
	[ "$nodes" = 1 ] || start_app "$nodes"
	while IFS='|' read -r page row_url header _; do
		measure "$row_url" "$header"
		result[$nodes|$page]="$req|$share %|$latency"
		bytes_of[$page]=${bytes_of[$page]:-$bytes}
		treq_of[$page]=${treq_of[$page]:-$treq}
		echo "bench: $nodes node(s): \`$page\`: $req req/s, $share % of $treq, p99 $latency"
	done <"$rows"
	bench_scans "$tag_lo" "$tag_hi" "$unit_id"
	share=$(ratio "$req" "$treq")
	result[$nodes|$scans_row]="$req|$share %|$p99 ms"
	bytes_of[$scans_row]=${bytes_of[$scans_row]:-$scans_bytes}
	treq_of[$scans_row]=${treq_of[$scans_row]:-$treq}
	echo "bench: $nodes node(s): \`$scans_row\`: $req req/s, $share % of $treq, p99 $p99 ms"
	VAR=$APP_VAR "$ROOT/nginx/stack.sh" stop >/dev/null
done
recorded=$(psql_at "SELECT count(*) FROM access_scans")

# The SQLite figures of run.sh's last run, when it was of these sizes:
# the req/s of the row whose first column matches $1.
sqlite_run=$(sed -n 's/^`arborctl bench-data` in \([0-9.]*\) s .*/\1/p' "$DOC" 2>/dev/null || true)
grep -q "^$BENCH_CUSTOMERS customers (" "$DOC" 2>/dev/null &&
	grep -q " $BENCH_USERS users and $BENCH_DEVICES devices, generated" "$DOC" ||
	sqlite_run=
sqlite_req() {
	[ -n "$sqlite_run" ] || return 0
	RE=$1 awk -F'|' '$2 ~ ENVIRON["RE"] { v = NF == 5 ? $3 : $4
		gsub(/ /, "", v); print v; exit }' "$DOC"
}
sqlite_date=$(sed -n 's/^Machine: .*; \([0-9-]*\)\.$/\1/p' "$DOC" 2>/dev/null || true)

# The table, and per row: two nodes' req/s over one node's and one node's
# over SQLite's (for the paragraph's medians).
table="| page | bytes | trivial req/s | SQLite, 1 node: req/s | PostgreSQL, 1 node: req/s | share of trivial | p99 | 2 nodes: req/s | share of trivial | p99 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
: >"$WORK/two-over-one"
: >"$WORK/pg-over-sqlite"
while IFS='|' read -r page pattern; do
	IFS='|' read -r one_req one_share one_p99 <<<"${result[1|$page]}"
	IFS='|' read -r two_req two_share two_p99 <<<"${result[2|$page]}"
	lite=$(sqlite_req "$pattern")
	echo "$(ratio "$two_req" "$one_req")" >>"$WORK/two-over-one"
	[ -z "$lite" ] || echo "$(ratio "$one_req" "$lite")" >>"$WORK/pg-over-sqlite"
	table+=$'\n'"| \`$page\` | ${bytes_of[$page]} | ${treq_of[$page]} | ${lite:-–} | $one_req | $one_share | $one_p99 | $two_req | $two_share | $two_p99 |"
done < <(cut -d'|' -f1,4 "$rows"; echo "$scans_row|$scans_pattern")
echo "$table"

# "median % (from min to max %)" of the numbers in file $1, one a line
spread() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) exit
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.0f %% (from %.0f to %.0f %%)", m, v[1], v[NR] }'
}
IFS='|' read -r scans_one _ scans_one_p99 <<<"${result[1|$scans_row]}"
IFS='|' read -r scans_two _ scans_two_p99 <<<"${result[2|$scans_row]}"
scans_lite=$(sqlite_req "$scans_pattern")
if [ -n "$sqlite_run" ]; then
	sqlite_said="The SQLite column is the table above (\`make bench\` of
$sqlite_date, the same sizes and rows; \`/login\` and \`/accounts\` from its
first table, on the demo data): with one node on PostgreSQL the
rows answered a median $(spread "$WORK/pg-over-sqlite") of SQLite's
req/s. Each statement is now a round trip to another process over a
socket, where SQLite runs it in the worker's own process, and the
database server's work takes its share of the same two cores. bench-data
took $gen_seconds s here, $sqlite_run s on SQLite."
else
	sqlite_said="No SQLite figures of these sizes are in this file (\`make
bench\` at the same sizes writes them), so the SQLite column is empty."
fi
# what two nodes' median over one node's says (a percentage)
two_median=$(spread "$WORK/two-over-one" | cut -d' ' -f1)
if [ "$two_median" -ge 110 ]; then
	two_said="more than one node's, though no processor was added: on
PostgreSQL a worker waits for the server's answer to each statement (a
list page runs one per customer named in its rows' paths,
\`CUSTOMER_NAME\`), and one node's $WORKERS workers leave the cores idle
while they all wait; the second node's workers fill those waits. That is
what more workers give on these cores, not what a second machine gives."
elif [ "$two_median" -le 90 ]; then
	two_said="less than one node's: the second pool only adds processes
taking turns on the same cores."
else
	two_said="about one node's: the cores were busy with one node already."
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)

section="## PostgreSQL (issue 19)

Measured by \`make bench-pg\` (tests/bench/pg.sh) on $(date -u +%Y-%m-%d), $(nproc)
cores, $cpu, the way the tables above are: wrk, 2 threads, $CONNECTIONS
connections, $DURATION s per target, each row against the trivial FastCGI
program answering that row's size behind the same nginx in the same run,
p99 from \`wrk --latency\`, the same data (demo, then \`arborctl
bench-data\`: $BENCH_CUSTOMERS customers, $BENCH_USERS users and
$BENCH_DEVICES devices, in $gen_seconds s) and the generator's examples as
the searched values. What differs: the database is PostgreSQL 15, a
throwaway cluster on this machine reached over its unix socket
(tests/pg/cluster.sh: shared_buffers 64 MB, fsync on); the application
ran first as one app node, then as two (separate pools of $WORKERS
workers on separate sockets, behind one nginx upstream) on the same
database; \`/login\` and \`/accounts\` are measured on the generated data
like the rest, each against the trivial program at its own size; the
tags of the write row were made with psql; the scan history, the bulk
move and the CSV import are not measured here. Bytes and trivial req/s
are the one-node run's. $recorded scans were recorded by the two write
rows.

$table

What this machine can and cannot show about scaling out: both app nodes,
PostgreSQL, nginx and wrk share the same $(nproc) cores, so a second node
adds workers but no processor: it cannot show what a second machine adds.
With two nodes the rows answered a median $(spread "$WORK/two-over-one")
of one node's req/s, $two_said What the figures
do show: two nodes serve every row on one database (the run stops at any
answer that is not 2xx). $sqlite_said Writers take turns on PostgreSQL too
(an advisory lock before each write transaction: docs/ARCHITECTURE.md,
\"Two engines\"): \`POST /api/v1/access/scans\` recorded $scans_one scans a
second with one node (p99 $scans_one_p99) and $scans_two with two (p99
$scans_two_p99)${scans_lite:+, SQLite $scans_lite}; writes grow with the
database server, not with the nodes."

# this section replaces its former self, or follows the others
printf '%s\n' "$section" >"$WORK/section.md"
if [ -f "$DOC" ]; then
	awk -v f="$WORK/section.md" '
		function put(l) { while ((getline l <f) > 0) print l; done = 1 }
		/^## / { if (skip) print ""; skip = 0 }
		/^## PostgreSQL \(issue 19\)$/ { put(); skip = 1; next }
		!skip { print }
		END { if (!done) { print ""; put() } }' "$DOC" >"$WORK/doc.md"
	cat "$WORK/doc.md" >"$DOC"
else
	cp "$WORK/section.md" "$DOC"
fi
echo "bench: figures written to docs/PERFORMANCE.md, section PostgreSQL (issue 19)"
