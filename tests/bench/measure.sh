# measure.sh - how `make bench` (tests/bench/run.sh) and `make bench-pg`
# (tests/bench/pg.sh) measure: wrk runs against the application at $APP
# and against the trivial FastCGI program at $TRIVIAL, answering the same
# number of bytes; the generated data set and its examples; the RFID
# scans row. Sourced, after the caller has set ROOT; bench_places sets
# the rest; the requests' credentials come from web.sh (cookie, bearer).

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
BENCH_CUSTOMERS=${BENCH_CUSTOMERS:-1000}
BENCH_USERS=${BENCH_USERS:-100000}
BENCH_DEVICES=${BENCH_DEVICES:-1000000}

die() { echo "bench: $*" >&2; exit 1; }

# A run's places: the application on port $1 and the trivial program on
# the next, a work folder /tmp/$2.* that the stacks' other users (nginx's
# workers, PostgreSQL's owner) may enter. Sets APP_PORT, TRIVIAL_PORT,
# APP, TRIVIAL, DOC, WORK, APP_VAR and TRIVIAL_VAR.
bench_places() {
	APP_PORT=$1
	TRIVIAL_PORT=$(($1 + 1))
	APP=http://127.0.0.1:$APP_PORT
	TRIVIAL=http://127.0.0.1:$TRIVIAL_PORT
	DOC=$ROOT/docs/PERFORMANCE.md
	WORK=$(mktemp -d "/tmp/$2.XXXXXX")
	chmod 755 "$WORK"
	APP_VAR=$WORK/app
	TRIVIAL_VAR=$WORK/trivial
}

# arbor.conf in WORK, its [database] section $1, then a new database
# with the demo data.
bench_init() {
	cat >"$WORK/arbor.conf" <<CONF
[database]
$1
[server]
keys = $APP_VAR/arbor.keys
templates = $ROOT/templates
base_url = $APP
[mail]
spool = $APP_VAR/mail
CONF
	export ARBOR_CONF=$WORK/arbor.conf
	"$ROOT/bin/arborctl" init >/dev/null
	"$ROOT/bin/arborctl" demo >/dev/null
}

# Stops both stacks, whatever state they are in (for the exit trap).
stop_stacks() {
	VAR=$APP_VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true
	VAR=$TRIVIAL_VAR "$ROOT/nginx/stack.sh" stop >/dev/null 2>&1 || true
}

# The trivial program behind a stack of its own in $1 on port $2: one
# program for every page size (?bytes=N asks for N bytes).
start_trivial() {
	mkdir -p "$1/bin"
	cp "$ROOT/bin/trivial-fcgi" "$1/bin/arbor-fcgi"
	VAR=$1 PORT=$2 BIN=$1/bin "$ROOT/nginx/stack.sh" start >/dev/null
}

# One wrk run: URL [header [script]] (a wrk Lua script of requests). Sets req (req/s), p99 (ms, of the answers
# that came) and timeouts (requests wrk gave up on after 2 s: their
# latency is in no percentile); stops the bench when an answer was not
# 2xx. Then waits for the workers to work off what the run left queued,
# so that the next run starts on idle workers.
bench() {
	local args=(-t2 "-c$CONNECTIONS" "-d${DURATION}s" --latency) out bad
	[ $# -gt 1 ] && [ -n "$2" ] && args+=(-H "$2")
	[ $# -gt 2 ] && args+=(-s "$3")
	out=$(wrk "${args[@]}" "$1")
	req=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u);
		sub(/[a-z]+$/, "", v); f = u == "us" ? 0.001 : u == "s" ? 1000 : 1;
		printf "%.1f", v * f }' <<<"$out")
	timeouts=$(awk '/Socket errors/ { sub(/.*timeout /, ""); print $1 + 0 }
		' <<<"$out")
	timeouts=${timeouts:-0}
	bad=$(awk '/Non-2xx/ { n += $NF } END { print n + 0 }' <<<"$out")
	[ "$bad" -eq 0 ] || die "$bad answers of $1 were not 2xx"
	settle
}

# Wait until the application answers again (nginx gives a request up
# after a minute of queueing: try a few times).
settle() {
	local tries=0
	until curl -sf -o /dev/null "$APP/login"; do
		[ $((tries += 1)) -lt 10 ] || die "the workers did not come back"
	done
}

# The trivial program at n bytes, measured once per size: sets treq.
declare -A trivial_req
trivial_at() {
	if [ -z "${trivial_req[$1]:-}" ]; then
		bench "$TRIVIAL/page?bytes=$1"
		trivial_req[$1]=$req
	fi
	treq=${trivial_req[$1]}
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }

# The size of one answer (curl), which must be 2xx: URL [header].
answer_bytes() {
	local code_size
	code_size=$(curl -s -o "$WORK/answer" -w '%{http_code} %{size_download}' \
		${2:+-H "$2"} "$1")
	[[ ${code_size% *} == 2* ]] || die "GET $1 answered ${code_size% *}"
	echo "${code_size#* }"
}

# One row: URL [header], against the trivial program at the answer's
# size. Sets bytes, req, p99, timeouts, treq, share (% of the trivial
# program) and latency (p99 as the tables show it).
measure() {
	bytes=$(answer_bytes "$@")
	trivial_at "$bytes"
	bench "$@"
	share=$(ratio "$req" "$treq")
	latency="$p99 ms"
	[ "$timeouts" -eq 0 ] || latency="over 2 s ($timeouts timed out)"
}

# The generated data set (arborctl bench-data, which prints its time and
# examples); sets gen_seconds and the examples: email, unit_id,
# device_id, last_name (held by last_users users) and device_text (in
# text_devices devices).
generate() {
	echo "bench: generating $BENCH_CUSTOMERS customers, $BENCH_USERS users, $BENCH_DEVICES devices"
	"$ROOT/bin/arborctl" bench-data --customers "$BENCH_CUSTOMERS" \
		--users "$BENCH_USERS" --devices "$BENCH_DEVICES" >"$WORK/gen.txt"
	cat "$WORK/gen.txt"
	gen_seconds=$(sed -n 's/^bench data: .* in \([0-9.]*\) s .*/\1/p' "$WORK/gen.txt")
	email=$(example email)
	unit_id=$(example unit_id)
	device_id=$(example device_id)
	last_name=$(example last_name | sed 's/ users=.*//')
	last_users=$(example last_name | sed 's/.* users=//')
	device_text=$(example device_text | sed 's/ devices=.*//')
	text_devices=$(example device_text | sed 's/.* devices=//')
	[ -n "$email" ] && [ -n "$unit_id" ] || die "no examples from bench-data"
}
example() { sed -n "s/^example $1=//p" "$WORK/gen.txt"; }

# The "next" link of a page, as the page writes it: URL -> URL.
next_of() {
	local href
	curl -s -H "$cookie" "$1" -o "$WORK/page.html"
	href=$(sed -n 's/.*<a href="\([^"]*\)" rel="next".*/\1/p' "$WORK/page.html" |
		head -1 | sed 's/&amp;/\&/g')
	[ -n "$href" ] || die "no next link on $1"
	case $href in
	\?*) echo "${1%%\?*}$href" ;;
	/*) echo "$APP$href" ;;
	*) echo "$href" ;;
	esac
}

# The write row: a device (unit id $3) reports RFID scans through
# POST /api/v1/access/scans, each of a random tag of every 10th user from
# $1 to $2 (tags whose uid is the holder's id in 8 hex digits). One by
# curl first, which must be recorded (201): its size is the trivial
# program's. Sets scan_body (that one scan), scans_bytes and what bench
# and trivial_at set.
bench_scans() {
	local code_size
	scan_body="{\"unit_id\":\"$3\",\"rfid\":\"$(printf '%08X' "$1")\"}"
	code_size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' \
		-H "$bearer" -H 'Content-Type: application/json' \
		--data "$scan_body" "$APP/api/v1/access/scans")
	[ "${code_size% *}" = 201 ] || die "POST /api/v1/access/scans answered ${code_size% *}"
	scans_bytes=${code_size#* }
	trivial_at "$scans_bytes"
	TAG_LO=$1 TAG_HI=$2 TAG_EVERY=10 SCAN_UNIT=$3 \
		bench "$APP/api/v1/access/scans" "$bearer" "$ROOT/tests/bench/scans.lua"
}
