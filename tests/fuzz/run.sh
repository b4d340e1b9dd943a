#!/bin/bash
# run.sh SECONDS HARNESS... - run each libFuzzer harness (build/fuzz/bin/
# fuzz_NAME) for SECONDS, FUZZ_JOBS at a time (default 1: a long run
# leaves the other cores to other work), on its working corpus
# build/fuzz/corpus/NAME seeded from tests/fuzz/corpus/NAME, with
# tests/fuzz/NAME.dict when there is one. FUZZ_RUNS=N stops a harness
# after N executions instead (SECONDS still bounds it). Prints each
# harness's executions; exits 1 when any found a crash, leak, UB or
# timeout (its input is kept in build/fuzz/artifacts/, its log in
# build/fuzz/log/NAME.log).
set -u

seconds=${1:?usage: run.sh SECONDS HARNESS...}
shift

# The largest input each parser takes at the door: what nginx and
# http_read() let through (http.h, form.h, csvfile.h); a cookie header,
# a path and a template have no limit of ours, so nginx's header line
# (8 KB) and a template file's size (64 KB) stand in.
max_len() {
	case $1 in
	form | json) echo 1048576 ;;		# HTTP_MAX_BODY
	multipart) echo 24117248 ;;		# HTTP_MAX_IMPORT_BODY
	csv) echo 16777216 ;;			# CSV_MAX_BYTES
	ids) echo 524288 ;;			# FORM_MAX_VALUE
	mustache) echo 65536 ;;
	*) echo 8192 ;;				# cookies, routes, url
	esac
}

mkdir -p build/fuzz/artifacts build/fuzz/log
results=$(mktemp -d /tmp/arbor-fuzz.XXXXXX)
trap 'rm -rf "$results"' EXIT

# One harness: its line of figures, and its name in $results/failed when
# it found something.
run_one() {
	local bin=$1 name corpus log opts seeds start rc runs kept verdict
	name=$(basename "$bin")
	name=${name#fuzz_}
	corpus=build/fuzz/corpus/$name
	log=build/fuzz/log/$name.log
	mkdir -p "$corpus"
	opts=(-max_total_time="$seconds" -max_len="$(max_len "$name")"
		-timeout=10 -print_final_stats=1
		-artifact_prefix="build/fuzz/artifacts/$name-")
	[ -n "${FUZZ_RUNS:-}" ] && opts+=(-runs="$FUZZ_RUNS")
	[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
	seeds=()
	[ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
	start=$SECONDS
	"$bin" "${opts[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	# the inputs libFuzzer keeps (the folder also holds those it has
	# since replaced by smaller ones)
	kept=$(grep -o 'corp: [0-9]*' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		verdict=ok
	else
		verdict="FAILED (exit $rc; see $log)"
		echo "$name" >>"$results/failed"
	fi
	printf 'fuzz %-10s %12s executions in %4d s, corpus %5s inputs: %s\n' \
		"$name" "${runs:-0}" $((SECONDS - start)) "${kept#corp: }" \
		"$verdict"
}

for bin in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "${FUZZ_JOBS:-1}" ]; do
		wait -n
	done
	run_one "$bin" &
done
wait
failed=
[ -f "$results/failed" ] && failed=$(tr '\n' ' ' <"$results/failed")
if [ -n "$failed" ]; then
	echo "fuzz: FAILED: $failed" >&2
	exit 1
fi
