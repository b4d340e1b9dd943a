#!/usr/bin/env bash
# run.sh - `make bench`: wrk against the real stack (nginx + workers) and,
# in the same run, against a trivial FastCGI program that answers a page
# of the same size, so the ratio shows what Arbor's own work costs.
# Writes the figures to docs/PERFORMANCE.md.
#
# Environment: DURATION (seconds per run, default 10), CONNECTIONS
# (default 32), PORT_BASE (default 18400).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT_BASE=${PORT_BASE:-18400}
APP_PORT=$PORT_BASE
TRIVIAL_PORT=$((PORT_BASE + 1))
WORK=$(mktemp -d /tmp/arbor-bench.XXXXXX)
chmod 755 "$WORK"
APP_VAR=$WORK/app
TRIVIAL_VAR=$WORK/trivial

cleanup() {
	VAR=$APP_VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true
	VAR=$TRIVIAL_VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$APP_VAR" "$TRIVIAL_VAR/bin"
cat >"$WORK/arbor.conf" <<CONF
[server]
database = $APP_VAR/arbor.db
keys = $APP_VAR/arbor.keys
templates = $ROOT/templates
base_url = http://127.0.0.1:$APP_PORT
[mail]
spool = $APP_VAR/mail
CONF
export ARBOR_CONF=$WORK/arbor.conf
"$ROOT/bin/arborctl" init >/dev/null
"$ROOT/bin/arborctl" demo >/dev/null
VAR=$APP_VAR PORT=$APP_PORT BIN=$ROOT/bin "$ROOT/nginx/stack.sh" start >/dev/null

# log in as admin (all groups: the fullest Accounts page)
jar=$WORK/cookies
curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$APP_PORT/login" -o "$WORK/login.html"
csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/login.html" | head -1)
curl -s -c "$jar" -b "$jar" -o /dev/null \
	--data-urlencode "csrf_token=$csrf" --data-urlencode "username=admin" \
	--data-urlencode "password=arbor-demo-password" "http://127.0.0.1:$APP_PORT/login"
session=$(awk '$6 == "__Host-arbor_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "bench: login failed" >&2; exit 1; }
cookie="__Host-arbor_session=$session"
page_bytes=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$APP_PORT/accounts" | wc -c)

cp "$ROOT/bin/trivial-fcgi" "$TRIVIAL_VAR/bin/arbor-fcgi"
TRIVIAL_BODY_BYTES=$page_bytes VAR=$TRIVIAL_VAR PORT=$TRIVIAL_PORT \
	BIN=$TRIVIAL_VAR/bin "$ROOT/nginx/stack.sh" start >/dev/null

# requests per second of one wrk run: bench URL [header]
bench() {
	local args=(-t2 "-c$CONNECTIONS" "-d${DURATION}s" --latency)
	[ $# -gt 1 ] && args+=(-H "$2")
	wrk "${args[@]}" "$1" | tee -a "$WORK/wrk.log" |
		awk '/Requests\/sec/ { printf "%.0f", $2 }'
}

echo "bench: $DURATION s per run, $CONNECTIONS connections, page $page_bytes bytes"
trivial=$(bench "http://127.0.0.1:$TRIVIAL_PORT/accounts")
login=$(bench "http://127.0.0.1:$APP_PORT/login")
accounts=$(bench "http://127.0.0.1:$APP_PORT/accounts" "Cookie: $cookie")
errors=$(grep -c "Non-2xx" "$WORK/wrk.log" || true)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
report="| target | req/s | vs trivial |
| --- | ---: | ---: |
| trivial FastCGI, $page_bytes-byte page | $trivial | 100 % |
| \`GET /login\` | $login | $(ratio "$login" "$trivial") |
| \`GET /accounts\` (logged in) | $accounts | $(ratio "$accounts" "$trivial") |"
echo "$report"
[ "$errors" -eq 0 ] || echo "bench: warning: $errors runs had non-2xx answers" >&2

cat >"$ROOT/docs/PERFORMANCE.md" <<DOC
# Performance

Measured by \`make bench\` (tests/bench/run.sh): wrk, 2 threads,
$CONNECTIONS connections, $DURATION s per target, against nginx and the
FastCGI workers ($(nproc) workers, one per core) on loopback, and in the
same run against a trivial FastCGI program (tests/bench/trivial-fcgi.c)
that answers a page of the same size behind the same nginx.

Machine: $(nproc) cores, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"); $(date -u +%Y-%m-%d).

$report

Aim: \`/accounts\` at 50 % or more of the trivial program.
DOC
echo "bench: figures written to docs/PERFORMANCE.md"

# ---------------------------------------------------------------------
# The Users list with BENCH_USERS users over BENCH_CUSTOMERS customers
# (default 100,000 over 1,000; issue 4), logged in as admin, who sees
# them all: the first page, a search, and a page deep in the list; and
# the trivial program answering a page of the Users list's size.
BENCH_USERS=${BENCH_USERS:-100000}
BENCH_CUSTOMERS=${BENCH_CUSTOMERS:-1000}
TRIVIAL2_VAR=$WORK/trivial2
TRIVIAL2_PORT=$((PORT_BASE + 2))
trap 'VAR=$TRIVIAL2_VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true; cleanup' EXIT
"$ROOT/bin/arborctl" bench-data "$BENCH_USERS" "$BENCH_CUSTOMERS" >/dev/null
users_url="http://127.0.0.1:$APP_PORT/users"
code=$(curl -s -o "$WORK/users.html" -w '%{http_code}' -H "Cookie: $cookie" "$users_url")
[ "$code" = 200 ] || { echo "bench: GET /users answered $code" >&2; exit 1; }
users_bytes=$(wc -c <"$WORK/users.html")
mkdir -p "$TRIVIAL2_VAR/bin"
cp "$ROOT/bin/trivial-fcgi" "$TRIVIAL2_VAR/bin/arbor-fcgi"
TRIVIAL_BODY_BYTES=$users_bytes VAR=$TRIVIAL2_VAR PORT=$TRIVIAL2_PORT \
	BIN=$TRIVIAL2_VAR/bin "$ROOT/nginx/stack.sh" start >/dev/null
: >"$WORK/wrk.log"
echo "bench: Users list, $BENCH_USERS users over $BENCH_CUSTOMERS customers, page $users_bytes bytes"
trivial_users=$(bench "http://127.0.0.1:$TRIVIAL2_PORT/users")
users_first=$(bench "$users_url" "Cookie: $cookie")
users_search=$(bench "$users_url?q=u00042" "Cookie: $cookie")
users_deep=$(bench "$users_url?sort=username&dir=desc&page=1000" "Cookie: $cookie")
users_errors=$(grep -c "Non-2xx" "$WORK/wrk.log" || true)
users_report="| target | req/s | vs trivial |
| --- | ---: | ---: |
| trivial FastCGI, $users_bytes-byte page | $trivial_users | 100 % |
| \`GET /users\` (first page, by e-mail) | $users_first | $(ratio "$users_first" "$trivial_users") |
| \`GET /users?q=u00042\` (search) | $users_search | $(ratio "$users_search" "$trivial_users") |
| \`GET /users?sort=username&dir=desc&page=1000\` | $users_deep | $(ratio "$users_deep" "$trivial_users") |"
echo "$users_report"
[ "$users_errors" -eq 0 ] || echo "bench: warning: $users_errors Users runs had non-2xx answers" >&2

cat >>"$ROOT/docs/PERFORMANCE.md" <<DOC

## The Users list

$BENCH_USERS users over $BENCH_CUSTOMERS customers (\`arborctl bench-data\`:
a tree 8 wide and up to 5 deep under the demo account), as \`admin\`, who
sees all of them; same wrk settings, and the trivial program answering a
page of the Users list's size ($users_bytes bytes).

$users_report

Each request counts the matching users and reads one page of 50. The
scope's size decides the plan (cgi/sql.h): a scope holding most of the
table walks the e-mail or username index in order and stops after the
page; a small one (a nested customer) reads just its customers' users.
A search (\`LIKE '%…%'\` on e-mail, username and full name) reads every
user in the scope, so its cost grows with the scope.
DOC
echo "bench: Users figures appended to docs/PERFORMANCE.md"

# ---------------------------------------------------------------------
# Devices (issue 5) and the API (issue 6): BENCH_DEVICES devices (default
# 1,000,000) spread over every customer of the demo account, as admin:
# the Devices list, a search, GET /api/v1/devices with a token, and one
# bulk move of 10,000 pasted unit ids (preview, then process), timed.
BENCH_DEVICES=${BENCH_DEVICES:-1000000}
"$ROOT/bin/arborctl" bench-devices "$BENCH_DEVICES" >/dev/null
devices_url="http://127.0.0.1:$APP_PORT/devices"
api_url="http://127.0.0.1:$APP_PORT/api/v1/devices"
curl -s -b "$jar" -c "$jar" "http://127.0.0.1:$APP_PORT/tokens" -o "$WORK/tokens.html"
csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/tokens.html" | head -1)
expires=$(date -u -d '+30 days' +%Y-%m-%d)
token=$(curl -s -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" \
	--data-urlencode "name=bench" --data-urlencode "expires_on=$expires" \
	"http://127.0.0.1:$APP_PORT/tokens/new" |
	sed -n 's/.*id="token-secret">\([^<]*\)<.*/\1/p')
[ -n "$token" ] || { echo "bench: could not create an API token" >&2; exit 1; }
: >"$WORK/wrk.log"
echo "bench: Devices, $BENCH_DEVICES devices"
devices_first=$(bench "$devices_url" "Cookie: $cookie")
devices_search=$(bench "$devices_url?q=BD000123" "Cookie: $cookie")
devices_api=$(bench "$api_url?limit=50" "Authorization: Bearer $token")
devices_errors=$(grep -c "Non-2xx" "$WORK/wrk.log" || true)

# 10,000 unit ids, pasted as one text field; then the previewed ids back
seq -f 'BD%09g' 1 10000 >"$WORK/ids.txt"
target=$(sqlite3 "$APP_VAR/arbor.db" "SELECT id FROM customers WHERE name = 'Northwind Sweden'")
curl -s -b "$jar" "http://127.0.0.1:$APP_PORT/devices/manage?mode=text" -o "$WORK/manage.html"
csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/manage.html" | head -1)
preview_time=$(curl -s -b "$jar" -o "$WORK/preview.html" -w '%{time_total}' \
	--data-urlencode "csrf_token=$csrf" --data-urlencode "step=preview" \
	--data-urlencode "customer_id=$target" --data-urlencode "ids@$WORK/ids.txt" "$devices_url/manage")
sed -n 's/.*name="ids" value="\([^"]*\)".*/\1/p' "$WORK/preview.html" >"$WORK/moves.txt"
process_code_time=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' \
	--data-urlencode "csrf_token=$csrf" --data-urlencode "step=process" \
	--data-urlencode "customer_id=$target" --data-urlencode "ids@$WORK/moves.txt" "$devices_url/manage")
moved=$(sqlite3 "$APP_VAR/arbor.db" "SELECT count(*) FROM devices WHERE customer_id = $target AND unit_id BETWEEN 'BD000000001' AND 'BD000010000'")
devices_report="| target | req/s or time |
| --- | ---: |
| \`GET /devices\` (first page) | $devices_first req/s |
| \`GET /devices?q=BD000123\` (search) | $devices_search req/s |
| \`GET /api/v1/devices?limit=50\` | $devices_api req/s |
| bulk move, 10,000 pasted unit ids: preview | ${preview_time} s |
| bulk move, 10,000 devices: process (HTTP ${process_code_time% *}) | ${process_code_time#* } s ($moved moved) |"
echo "$devices_report"
[ "$devices_errors" -eq 0 ] || echo "bench: warning: $devices_errors Devices runs had non-2xx answers" >&2

cat >>"$ROOT/docs/PERFORMANCE.md" <<DOC

## Devices and the API

$BENCH_DEVICES devices (\`arborctl bench-devices\`) spread over the demo
account's customers, as \`admin\` (sees all of them); same wrk settings.
The bulk move is one request each for preview and process, timed by curl
(aim: under a second).

$devices_report

A wide scope (a third of the customers or more) walks the devices in the
sort key's index order and stops after the page (cgi/sql.h, "wide"
plans); the API pages by id the same way. The unfiltered count sums
per-customer counters kept by triggers (schema.sql). A search is a
\`LIKE '%…%'\` over unit id, device id and name, which reads every device
in the scope: it is the slow case at this size, and a trigram index
(SQLite FTS5) is the way to make it fast.
DOC
echo "bench: Devices figures appended to docs/PERFORMANCE.md"
