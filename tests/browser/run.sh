#!/usr/bin/env bash
# Browser tests: each tests/browser/*.test.mjs (or the files named as
# arguments) runs in headless Chromium against a private demo stack started
# by tests/integration/arbor_stack.py (a fresh one per file). Screenshots go
# to tests/artifacts/. Environment: ROOT, BIN as for the integration tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tests="$(cd "$here/.." && pwd)"
ROOT="${ROOT:-$(cd "$tests/.." && pwd)}"
ARTIFACTS="${ARTIFACTS:-$tests/artifacts}"
export ROOT ARTIFACTS
mkdir -p "$ARTIFACTS"

if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && npm install --no-audit --no-fund)
fi

if [ "$#" -gt 0 ]; then
	files=("$@")
else
	files=("$here"/*.test.mjs)
fi

passed=0
failed=0
for test in "${files[@]}"; do
	echo "== $(basename "$test")"
	if /usr/bin/python3 "$tests/integration/arbor_stack.py" serve -- \
		node "$test"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $test"
	fi
done

echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
