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
