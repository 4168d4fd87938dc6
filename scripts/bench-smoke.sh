#!/usr/bin/env bash
# Runs BenchSmokeTests (driverdesk-bench --scale small) on its own, after the other tests, and fails unless that
# test really ran and passed: `swift test --filter` exits 0 when the filter matches nothing or the test is skipped.
set -u
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
$SWIFT test --skip-build --filter BenchSmokeTests >"$log" 2>&1
status=$?
cat "$log"
if [ "$status" -ne 0 ]; then
  echo "bench-smoke: swift test exited $status" >&2
  exit "$status"
fi
if ! grep -qE 'Test "driverdesk-bench --scale small[^"]*" passed' "$log" || grep -qE 'skipped|Test run with 0 tests' "$log"; then
  echo "bench-smoke: BenchSmokeTests did not run and pass (filtered out or skipped)" >&2
  exit 1
fi
echo "bench-smoke: the small benchmark ran and passed"
