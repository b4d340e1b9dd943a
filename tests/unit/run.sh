#!/usr/bin/env bash
# run.sh - `make unit`: every unit test program twice, JOBS at a time
# (default: the number of cores): the ASan/UBSan build as it is, and the
# plain build under valgrind, which sees what ASan does not (reads of
# memory never written). The valgrind runs start first: they are the long
# ones. Each run's output is printed whole when it ends. Exits 1 when any
# run failed, naming them.
#
#   tests/unit/run.sh ASAN_PROGRAM... -- PLAIN_PROGRAM...
set -uo pipefail

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# Without --track-origins, which finds the same errors at twice the cost:
# add it by hand to see where a reported value came from.
VALGRIND="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1"
runs=() plain=false
for p in "$@"; do
	if [ "$p" = -- ]; then plain=true; continue; fi
	if $plain; then runs=("valgrind $p" "${runs[@]}"); else runs+=("asan $p"); fi
done

out=$(mktemp -d /tmp/arbor-unit.XXXXXX)
trap 'rm -rf "$out"' EXIT

# one run: KIND PROGRAM; its output to a file of its own, printed whole
# under a lock
one() {
	local kind=$1 prog=$2 log status
	log=$(mktemp "$out/run.XXXXXX")
	if [ "$kind" = valgrind ]; then
		# shellcheck disable=SC2086
		$VALGRIND "$prog" >"$log" 2>&1
	else
		"$prog" >"$log" 2>&1
	fi
	status=$?
	[ $status -eq 0 ] || echo "$kind:$prog" >>"$out/failed"
	echo "$kind:$prog" >>"$out/done"
	flock "$out/lock" sh -c 'echo "== $1 $2"; cat "$3"' _ "$kind" "$prog" "$log"
}
export -f one
export VALGRIND out

printf '%s\n' "${runs[@]}" | xargs -P "$JOBS" -L 1 bash -c 'one "$@"' _
xargs_status=$?
if [ -s "$out/failed" ]; then
	echo "unit: FAILED: $(tr '\n' ' ' <"$out/failed")" >&2
	exit 1
fi
# a run that never ended (xargs stopped, a shell killed) is no pass
ran=$(wc -l <"$out/done" 2>/dev/null || echo 0)
if [ "$xargs_status" -ne 0 ] || [ "$ran" -ne "${#runs[@]}" ]; then
	echo "unit: FAILED: $ran of ${#runs[@]} runs ended (xargs: $xargs_status)" >&2
	exit 1
fi
echo "unit: $ran runs passed"
