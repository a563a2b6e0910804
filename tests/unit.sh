#!/usr/bin/env bash
# tests/unit.sh - runs the C unit tests (tests/unit, built by make test).
set -u
. "$(dirname "$0")/lib.sh"
UNIT=${UNIT_BIN:-$ROOT/tests/unit}
if [ ! -x "$UNIT" ]; then
	not_ok "unit: tests/unit is built" "run make test (it builds tests/unit)"
	exit 0
fi
"$UNIT" | while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	esac
done
