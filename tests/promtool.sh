#!/usr/bin/env bash
# tests/promtool.sh - the generated Prometheus rules under promtool.
#
# For each input testdata/promtool/*.input.yaml (and checkout-p95-1s, made
# here from checkout.input.yaml with a latency objective of 1000 ms),
# krm-fn runs and the groups of every PrometheusRule it writes go to
#   $T/<case>.rules.yaml        as generated
#   $T/<case>.bare.rules.yaml   the same without annotations
# (tests/monitoring.py). Then:
#   1. `promtool check rules` must pass on <case>.rules.yaml with exactly
#      the expected number of recording and alerting rules (EXPECTED).
#   2. each testdata/promtool/*.test.yaml is copied next to the rules and
#      run with `promtool test rules` (all at once); its rule_files name
#      the rules of the cases above. One ok/not ok per test file. What
#      each file proves is written at its top.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=$PYTHON # tests/lib.sh: /usr/bin/python3 when it exists
HELPER=$ROOT/tests/monitoring.py
DIR=$ROOT/testdata/promtool

# case -> "RECORDING ALERTING".
# api-observability: 1 request rate + 7 windows (5m 30m 1h 2h 6h 1d 3d)
#   x 3 SLIs (availability, error rate, latency) = 22 recording rules;
#   2 burn-rate alerts (page, ticket) x 3 SLOs + Down + NoTraffic +
#   HighMemoryUsage + MemoryNearThreshold + HighCPUUsage +
#   CPUNearThreshold + CrashLooping = 13 alerting rules.
# worker-observability: no SLOs; Down + 4 resource alerts + CrashLooping.
# batch-observability: no scraping; 4 resource alerts + JobFailed.
# Each case also gets its budget rules (PrometheusRule
# <service>-budget-alerts): 1 recording rule (the hourly cost) and, for
# the 2 alert rules every built-in cost profile used here has, 2
# projected-spend alerts + CostBudgetServiceLabelNotExported. Added below.
BUDGET_RECORDING=1
BUDGET_ALERTING=3
declare -A EXPECTED=(
	[payment-processor]="22 13"
	[checkout]="22 13"
	[checkout-p95-1s]="22 13"
	[ledger-worker]="0 6"
	[nightly-settlement]="0 5"
)

why=
if ! command -v promtool >/dev/null 2>&1; then
	why="promtool is not installed (Debian package prometheus)"
elif ! command -v "$PY" >/dev/null 2>&1 || ! "$PY" -c 'import yaml' 2>/dev/null; then
	why="$PY with PyYAML is missing (Debian package python3-yaml)"
fi
if [ -n "$why" ]; then
	skip "promtool" "$why"
	exit 0
fi

# ---- generate the rules ----
mkdir -p "$T/in"
for input in "$DIR"/*.input.yaml; do
	cp "$input" "$T/in/"
done
sed 's/sloLatencyP95ms: 250$/sloLatencyP95ms: 1000/' "$DIR/checkout.input.yaml" \
	>"$T/in/checkout-p95-1s.input.yaml"
grep -q 'sloLatencyP95ms: 1000$' "$T/in/checkout-p95-1s.input.yaml" ||
	not_ok "promtool/generate/checkout-p95-1s" "checkout.input.yaml has no 'sloLatencyP95ms: 250' to change"

for input in "$T"/in/*.input.yaml; do
	case=$(basename "$input" .input.yaml)
	name="promtool/check/$case"
	if ! timeout 20 "$KRM_FN" <"$input" >"$T/$case.out" 2>"$T/$case.err"; then
		not_ok "$name" "krm-fn failed:" "$(head -20 "$T/$case.err")"
		continue
	fi
	if ! counts=$("$PY" "$HELPER" rules "$T/$case.out" "$T/$case.rules.yaml" 2>&1) ||
		! "$PY" "$HELPER" rules "$T/$case.out" "$T/$case.bare.rules.yaml" \
			--no-annotations >/dev/null 2>&1; then
		not_ok "$name" "cannot extract the rules:" "$counts"
		continue
	fi
	want=${EXPECTED[$case]:-}
	read -r records alerts <<<"$counts"
	out=$(cd "$T" && promtool check rules "$case.rules.yaml" 2>&1)
	rc=$?
	problems=()
	[ "$rc" = 0 ] || problems+=("promtool check rules exited $rc")
	grep -q 'SUCCESS' <<<"$out" || problems+=("promtool did not report SUCCESS")
	if [ -z "$want" ]; then
		problems+=("no expected rule count for case $case in tests/promtool.sh")
	else
		read -r want_records want_alerts <<<"$want"
		want_records=$((want_records + BUDGET_RECORDING))
		want_alerts=$((want_alerts + BUDGET_ALERTING))
		[ "$records $alerts" = "$want_records $want_alerts" ] ||
			problems+=("$records recording and $alerts alerting rules, expected $want_records and $want_alerts")
		grep -q "SUCCESS: $((want_records + want_alerts)) rules found" <<<"$out" ||
			problems+=("promtool did not find $((want_records + want_alerts)) rules")
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		ok "$name ($records recording, $alerts alerting)"
	else
		not_ok "$name" "${problems[@]}" "$out"
	fi
done

# ---- unit tests (the files run in parallel, and report in order) ----
for test in "$DIR"/*.test.yaml; do
	base=$(basename "$test")
	cp "$test" "$T/$base"
	(
		cd "$T" || exit
		timeout 120 promtool test rules "$base" >"$base.log" 2>&1
		echo $? >"$base.rc"
	) &
done
wait
for test in "$DIR"/*.test.yaml; do
	base=$(basename "$test")
	name="promtool/test/${base%.test.yaml}"
	rc=$(cat "$T/$base.rc" 2>/dev/null || echo none)
	if [ "$rc" = 0 ] && grep -q 'SUCCESS' "$T/$base.log"; then
		ok "$name"
	else
		not_ok "$name" "promtool test rules exited $rc:" "$(head -60 "$T/$base.log")"
	fi
done
