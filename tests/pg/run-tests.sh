#!/usr/bin/env bash
# run-tests.sh - `make test-pg`: the PostgreSQL schema check, then the
# whole integration suite and the browser tests on PostgreSQL with two app
# nodes per stack (issue 19).
#
#   tests/pg/run-tests.sh [MODULE...]    modules: integration only
#
# One throwaway cluster (tests/pg/cluster.sh) serves every stack, each on
# a database of its own (tests/integration/arbor_stack.py); it is stopped
# and removed whatever happens. Environment: BIN (the ASan binaries the
# integration tests run), PLAIN_BIN (the browser tests'), ROOT.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${ROOT:-$(cd "$here/../.." && pwd)}
BIN=${BIN:-$ROOT/build/asan/bin}
PLAIN_BIN=${PLAIN_BIN:-$ROOT/bin}
# short: a unix socket's path must fit in 107 bytes
cluster=$(mktemp -d /tmp/arbor-pg.XXXXXX)

finish() {
	bash "$here/cluster.sh" stop "$cluster" >/dev/null 2>&1 || true
	rm -rf "$cluster"
}
trap finish EXIT

fail=
phase() {
	local name=$1 began=$SECONDS
	shift
	"$@" || fail="$fail $name"
	echo "make test-pg: $name took $((SECONDS - began)) s"
}

phase schema-check bash "$here/schema-check.sh"
url=$(bash "$here/cluster.sh" start "$cluster") || {
	echo "make test-pg: the cluster did not start" >&2
	exit 1
}
export ARBOR_PG_URL=$url ARBOR_NODES=2 ROOT
phase integration env BIN="$BIN" VALGRIND_BIN="$PLAIN_BIN" \
	/usr/bin/python3 "$ROOT/tests/integration/run.py" "$@"
if [ $# -eq 0 ]; then
	phase browser env BIN="$PLAIN_BIN" /usr/bin/python3 "$ROOT/tests/browser/run.py"
fi
if [ -n "$fail" ]; then
	echo "make test-pg: FAILED:$fail" >&2
	exit 1
fi
echo "make test-pg: all passed"
