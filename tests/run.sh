#!/usr/bin/env bash
# tests/run.sh - runs every test suite against $KRM_FN and prints the
# total as "N passed, N failed" (the last line). Exit 0 only if nothing
# failed. Called by `make test` (and `make sanitize`).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KRM_FN:=$HERE/../krm-fn}"
KRM_FN=$(cd "$(dirname "$KRM_FN")" && pwd)/$(basename "$KRM_FN")
export KRM_FN
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/costmon-tests.XXXXXX")
RESULTS=$TEST_TMP/results
: >"$RESULTS"
export RESULTS TEST_TMP
trap 'rm -rf "$TEST_TMP"' EXIT

suites=${SUITES:-"unit cli golden failures fnschema promtool schema dashboard report presets dataeq fidelity fuzz e2e static examples-kustomize examples-kpt"}
status=0
for s in $suites; do
	echo "# suite: $s"
	if ! bash "$HERE/$s.sh"; then
		echo "# suite $s exited non-zero"
		printf 'fail suite-%s-exit\n' "$s" >>"$RESULTS"
	fi
done
passed=$(grep -c '^pass ' "$RESULTS")
failed=$(grep -c '^fail ' "$RESULTS")
skipped=$(grep -c '^skip ' "$RESULTS")
[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
