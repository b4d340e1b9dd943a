#!/usr/bin/env bash
# run.sh - `make soak`: the real stack (nginx + workers) under a mixed
# load for SOAK_SECONDS (default 60) at SOAK_CONNECTIONS (default 64),
# on the demo data plus generated customers, users and devices: sign-ins,
# lists, searches and writes at the same time, one wrk per page so that
# each page has its own p99. Passes when every answer was the page's
# status (303 for the sign-in, 200 for the others),
# no worker died (the same worker processes at the end as at the start)
# and each worker's resident memory at the end is within 10 % of what it
# was after the warm-up. Writes the figures into docs/RELIABILITY.md's
# "## Load soak" section, keeping the other sections.
#
# Environment: SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_USERS (20000),
# SOAK_DEVICES (200000), SOAK_CUSTOMERS (200), PORT_BASE (18500),
# NO_WRITE=1 (report only, leave the document alone).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-64}
SOAK_USERS=${SOAK_USERS:-20000}
SOAK_DEVICES=${SOAK_DEVICES:-200000}
SOAK_CUSTOMERS=${SOAK_CUSTOMERS:-200}
PORT=${PORT_BASE:-18500}
APP=http://127.0.0.1:$PORT
DOC=$ROOT/docs/RELIABILITY.md
WORK=$(mktemp -d /tmp/arbor-soak.XXXXXX)
chmod 755 "$WORK"
VAR=$WORK/var

cleanup() {
	VAR=$VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "soak: $*" >&2; exit 1; }

# The sign-in limits are per client address, and every request here comes
# from 127.0.0.1: they are raised so that the soak measures the pages,
# not the throttle (whose refusals are tested in the integration suite).
mkdir -p "$VAR"
cat >"$WORK/arbor.conf" <<CONF
[database]
path = $VAR/arbor.db
[server]
keys = $VAR/arbor.keys
templates = $ROOT/templates
base_url = $APP
[login]
max_failures_per_ip = 100000
max_attempts_per_ip_minute = 100000
[mail]
spool = $VAR/mail
CONF
export ARBOR_CONF=$WORK/arbor.conf
"$ROOT/bin/arborctl" init >/dev/null
"$ROOT/bin/arborctl" demo >/dev/null
echo "soak: generating $SOAK_CUSTOMERS customers, $SOAK_USERS users, $SOAK_DEVICES devices"
"$ROOT/bin/arborctl" bench-data --customers "$SOAK_CUSTOMERS" \
	--users "$SOAK_USERS" --devices "$SOAK_DEVICES" >"$WORK/gen.txt"
example() { sed -n "s/^example $1=//p" "$WORK/gen.txt"; }
last_name=$(example last_name | sed 's/ users=.*//')
device_text=$(example device_text | sed 's/ devices=.*//')
[ -n "$last_name" ] && [ -n "$device_text" ] || die "no examples from bench-data"
VAR=$VAR PORT=$PORT BIN=$ROOT/bin "$ROOT/nginx/stack.sh" start >/dev/null

# admin's session (the lists and searches) and API token (the writes)
. "$ROOT/tests/bench/web.sh"
sign_in admin
api_token soak

# The sign-in's form as a browser sends it: the login page's cookie and
# token, then driver's password (driver, so that admin's session above is
# not among the sessions a user may hold at once).
login_jar=$WORK/login-cookies
curl -s -c "$login_jar" "$APP/login" -o "$WORK/login2.html"
login_cookie=$(awk '{ sub(/^#HttpOnly_/, "") } $1 !~ /^#/ && NF >= 7 {
	printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$login_jar")
login_body="csrf_token=$(urlencode "$(csrf_of "$WORK/login2.html")")&username=driver&password=arbor-demo-password"

read -r user_lo user_hi <<<"$(sqlite3 -separator ' ' "$VAR/arbor.db" \
	"SELECT min(id), max(id) FROM users WHERE customer_id IN (SELECT id FROM
	customers WHERE path LIKE (SELECT path FROM customers WHERE name =
	'Northwind Fleet') || '%_%')")"
[ -n "$user_lo" ] || die "no generated users"

# The pages: name | share of the connections (of 64) | wrk arguments.
# Each wrk has its own script (tests/soak/soak.lua) choosing its request.
declare -a names=(sign-in accounts users-list devices-list users-search
	devices-search user-write)
# A sign-in costs an argon2id hash (~100 ms of a core, on purpose), and
# wrk sends each connection's next request as soon as the last is
# answered: one connection of sign-ins keeps one worker hashing a good
# part of the time, more would measure little else.
declare -A share=([sign-in]=1 [accounts]=9 [users-list]=12 [devices-list]=12
	[users-search]=11 [devices-search]=11 [user-write]=8)
declare -A what=(
	[sign-in]="POST /login (driver; 303)"
	[accounts]="GET /accounts"
	[users-list]="GET /users?page=1..200"
	[devices-list]="GET /devices?page=1..200"
	[users-search]="GET /users?q=(a name)"
	[devices-search]="GET /devices?q=(a plate's start)"
	[user-write]="PATCH /api/v1/users/{id} (API token)")
start_wrk() { # name seconds connections
	local name=$1 seconds=$2 conns=$3 url header
	case $name in
	sign-in) url=$APP/login header="Cookie: $login_cookie" ;;
	accounts) url=$APP/accounts header=$cookie ;;
	users-list) url=$APP/users header=$cookie ;;
	devices-list) url=$APP/devices header=$cookie ;;
	users-search) url="$APP/users?q=$(urlencode "$last_name")" header=$cookie ;;
	devices-search) url="$APP/devices?q=$(urlencode "$device_text")" header=$cookie ;;
	user-write) url=$APP/api/v1/users header="Authorization: Bearer $token" ;;
	esac
	SOAK_PAGE=$name SOAK_BODY=$login_body USER_LO=$user_lo USER_HI=$user_hi \
		wrk -t1 "-c$conns" "-d${seconds}s" --latency --timeout 10s \
		-H "$header" -s "$ROOT/tests/soak/soak.lua" "$url" \
		>"$WORK/wrk-$name.txt" 2>&1 &
}
# Runs every page's wrk at once for $1 seconds, scaled to $2 connections.
run_all() {
	local name conns pid pids=()
	for name in "${names[@]}"; do
		conns=$(((${share[$name]} * $2 + 32) / 64))
		[ "$conns" -ge 1 ] || conns=1
		start_wrk "$name" "$1" "$conns"
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || die "a wrk failed: $(cat "$WORK"/wrk-*.txt)"
	done
}

# The workers: multiwatch's children, and their resident memory (kB),
# read when they are idle: a sign-in still being hashed holds 64 MiB.
top_pid=$(cat "$VAR/run/fcgi.pid")
workers() { pgrep -P "$top_pid" | sort -n | tr '\n' ' '; }
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
settle() {
	curl -s -o /dev/null --max-time 60 "$APP/login" || die "the workers do not answer"
	sleep 1
}

echo "soak: warm-up (10 s)"
run_all 10 "$SOAK_CONNECTIONS"
settle
start_workers=$(workers)
[ -n "$start_workers" ] || die "no workers under multiwatch ($top_pid)"
declare -A rss_start
for p in $start_workers; do rss_start[$p]=$(rss_of "$p"); done
echo "soak: $SOAK_SECONDS s at $SOAK_CONNECTIONS connections; workers $start_workers"
run_all "$SOAK_SECONDS" "$SOAK_CONNECTIONS"
settle
end_workers=$(workers)

fail=
[ "$start_workers" = "$end_workers" ] ||
	fail+=" workers changed ($start_workers -> $end_workers: one died and was restarted)"
grep -q 'runtime error\|AddressSanitizer\|Segmentation' "$VAR/log/arbor-fcgi.log" &&
	fail+=" the workers' log has a crash report"
rss_rows=
for p in $start_workers; do
	[ -d "/proc/$p" ] || continue
	a=${rss_start[$p]} b=$(rss_of "$p")
	growth=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
	rss_rows+="| worker $p | $a kB | $b kB | $growth % |"$'\n'
	awk -v g="$growth" 'BEGIN { exit !(g > 10) }' &&
		fail+=" worker $p grew $growth %"
done

ms() { # a wrk latency ("812.00us", "4.20ms", "1.02s") in ms
	awk -v v="$1" 'BEGIN { u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		printf "%.1f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : 1) }'
}
page_rows= total=0 bad_total=0
for name in "${names[@]}"; do
	f=$WORK/wrk-$name.txt
	n=$(awk '/requests in/ { print $1 }' "$f")
	rate=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$f")
	p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$f")")
	p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$f")")
	# answers other than the page's own status (soak.lua counts them:
	# "303=2 502=1"), and requests that got none (wrk's socket errors)
	statuses=$(sed -n 's/^unexpected: *//p' "$f")
	bad=$(awk -v s="$statuses" 'BEGIN { n = split(s, a, /[ =]+/);
		for (i = 2; i <= n; i += 2) t += a[i]; print t + 0 }')
	errors=$(awk '/Socket errors/ { sub(/.*connect /, ""); split($0, a, /[ ,]+/);
		print a[1] + a[3] + a[5] + a[7] }' "$f")
	bad=$((bad + ${errors:-0}))
	total=$((total + n)) bad_total=$((bad_total + bad))
	page_rows+="| ${what[$name]} | $(((${share[$name]} * SOAK_CONNECTIONS + 32) / 64)) | $n | $rate | $p50 | $p99 | $bad${statuses:+ ($statuses)} |"$'\n'
done
[ "$bad_total" -eq 0 ] || fail+=" $bad_total answers not the page's status, or none"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
section="## Load soak

\`make soak\` (tests/soak/run.sh), run $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu):
$SOAK_SECONDS s at $SOAK_CONNECTIONS connections over the pages below at once, one
wrk each, after a 10-second warm-up, on the demo data plus $SOAK_CUSTOMERS customers,
$SOAK_USERS users and $SOAK_DEVICES devices. $(nproc) workers.

| page | connections | requests | req/s | p50 ms | p99 ms | other answers |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${page_rows}
wrk sends a connection's next request as soon as the last is answered, and
the workers take the queued requests in turn, so with the machine saturated
(wrk, nginx and the workers share its cores) every page waits about as long
as the queue: connections divided by the total rate. The sign-ins (an
argon2id hash each, ~100 ms of a core, on purpose) and the writes (each a
transaction synced to disk) take a good part of the two workers. What a
page costs on its own is in docs/PERFORMANCE.md; this run is about staying
up and staying the same size.

$total requests; $bad_total answered other than the page's status (303 for the
sign-in, 200 for the others) or not at all; workers at the end: the
same processes as at the start (${end_workers% }) — $([ "$start_workers" = "$end_workers" ] && echo "none died" || echo "SOME DIED").

| worker | RSS after warm-up | RSS at the end | growth |
| --- | ---: | ---: | ---: |
${rss_rows}"
echo "$section"

if [ -z "${NO_WRITE:-}" ] && [ -z "$fail" ]; then
	touch "$DOC"
	awk -v section="$section" '
		/^## / { skip = ($0 == "## Load soak") }
		/^## Load soak$/ { print section; done = 1 }
		!skip { print }
		END { if (!done) { print ""; print section } }' "$DOC" >"$DOC.tmp"
	mv -f "$DOC.tmp" "$DOC"
	echo "soak: wrote $DOC"
fi
[ -z "$fail" ] || die "FAILED:$fail"
echo "soak: passed"
