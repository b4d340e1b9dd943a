#!/usr/bin/env bash
# previous-db.sh - write tests/integration/db-previous.sql: a database made
# by an earlier version of Arbor (`arborctl init`, `demo` and a little
# `bench-data` of COMMIT, built in a temporary worktree), dumped as SQL
# with its schema version. test_migration_previous.py migrates it with today's arborctl.
# Run it again with the last commit of the old version each time the
# schema's version goes up (the test says so when the dump is stale).
#
#   tests/integration/previous-db.sh COMMIT
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 COMMIT" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/tests/integration/db-previous.sql
WORK=$(mktemp -d /tmp/arbor-previous.XXXXXX)
cleanup() {
	git -C "$ROOT" worktree remove --force "$WORK/src" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

git -C "$ROOT" worktree add --detach "$WORK/src" "$1" >/dev/null
make -C "$WORK/src" -j"$(nproc)" bin/arborctl >"$WORK/build.log" 2>&1 ||
	{ tail -20 "$WORK/build.log" >&2; exit 1; }
cat >"$WORK/arbor.conf" <<CONF
[server]
database = $WORK/arbor.db
keys = $WORK/arbor.keys
templates = $WORK/src/templates
base_url = http://127.0.0.1:1
[mail]
spool = $WORK/mail
CONF
ARBOR_CONF=$WORK/arbor.conf "$WORK/src/bin/arborctl" init >/dev/null
ARBOR_CONF=$WORK/arbor.conf "$WORK/src/bin/arborctl" demo >/dev/null
ARBOR_CONF=$WORK/arbor.conf "$WORK/src/bin/arborctl" bench-data --customers 6 \
	--users 40 --devices 60 --width 2 --depth 3 >/dev/null
version=$(sqlite3 "$WORK/arbor.db" 'PRAGMA user_version')
{
	echo "-- Made by tests/integration/previous-db.sh from $(git -C "$ROOT" rev-parse --short "$1"):"
	echo "-- arborctl init, demo and bench-data of schema version $version. Do not edit."
	sqlite3 "$WORK/arbor.db" .dump
	echo "PRAGMA user_version = $version;"
} >"$OUT"
echo "wrote $OUT (schema version $version)"
