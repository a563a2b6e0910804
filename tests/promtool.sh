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
# api-observability: request and error rates (2) + 8 SLI windows (5m 30m
#   1h 2h 6h 1d 3d and the SLO window) x 3 SLOs (availability, error
#   rate, latency) + objective, budget, budget remaining and info x 3 SLOs
#   + 3 latency quantiles = 41 recording rules; 2 burn-rate alerts (page,
#   ticket) x 3 SLOs + Down + NoTraffic + SLOMetricAbsent +
#   HighMemoryUsage + MemoryNearThreshold + HighCPUUsage +
#   CPUNearThreshold + CrashLooping = 14 alerting rules.
# orders-api-28d / -7d, spring-apptag: team profiles without resource
#   alerts: 41 and 9.
# worker-observability: no SLOs; Down + 4 resource alerts + CrashLooping.
# batch-observability: no scraping; 4 resource alerts + JobFailed.
# nightly-report (a CronJob under batch-cost) is batch-observability too.
# Each case also gets its budget rules (PrometheusRule
# <service>-budget-alerts): 1 recording rule (the hourly cost) and, for
# the 2 alert rules every built-in cost profile used here has, 2
# projected-spend alerts + CostBudgetServiceLabelNotExported. Added below.
BUDGET_RECORDING=1
BUDGET_ALERTING=3
declare -A EXPECTED=(
	[payment-processor]="41 14"
	[checkout]="41 14"
	[checkout-p95-1s]="41 14"
	[orders-api]="41 14"
	[orders-api-int]="41 14"
	[orders-api-28d]="41 9"
	[orders-api-7d]="41 9"
	[ledger-worker]="0 6"
	[nightly-settlement]="0 5"
	[checkout-web]="41 14"
	[spring-apptag]="41 9"
	[nightly-report]="0 5"
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
# The same service in a test environment, and with a 7-day window.
sed 's/environment: prod$/environment: int-stable/; s/^        prod: {sloLatencyP95ms/        int-stable: {sloLatencyP95ms/' \
	"$DIR/orders-api.input.yaml" >"$T/in/orders-api-int.input.yaml"
grep -q 'int-stable: {sloLatencyP95ms' "$T/in/orders-api-int.input.yaml" ||
	not_ok "promtool/generate/orders-api-int" "orders-api.input.yaml has no prod override to change"
sed 's/window: 28d}$/window: 7d}/' "$DIR/orders-api-28d.input.yaml" >"$T/in/orders-api-7d.input.yaml"
grep -q 'window: 7d}$' "$T/in/orders-api-7d.input.yaml" ||
	not_ok "promtool/generate/orders-api-7d" "orders-api-28d.input.yaml has no 'window: 28d}' to change"

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
		timeout 300 promtool test rules "$base" >"$base.log" 2>&1
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

# ---- the regex check agrees with promtool ----
# tests/unit.c checks that krm-fn accepts or refuses these matcher values
# (cm_re2_problem); here promtool judges the same values, so the two lists
# cannot drift from what Prometheus really accepts.
REGEXES=$(cat <<'LIST'
1	5..
1	5..|429
1	(?i)get|post
1	[(]x\d+
1	x-([a-z]{5})?
0	5..|(429
0	5..)
0	[abc
0	/health\q
0	(a)\1
0	x(?=y)
0	*x
LIST
)
while IFS=$'\t' read -r want re; do
	"$PY" - "$re" "$T/re.rules.yaml" <<'PY'
import sys
re_, out = sys.argv[1:3]
lit = re_.replace("\\", "\\\\").replace('"', '\\"')
open(out, "w").write("groups:\n- name: re\n  rules:\n  - record: re:up:test\n"
                     "    expr: '%s'\n" % ('up{x=~"%s"}' % lit).replace("'", "''"))
PY
	if (cd "$T" && promtool check rules re.rules.yaml >/dev/null 2>&1); then got=1; else got=0; fi
	if [ "$got" = "$want" ]; then
		ok "promtool/regex/$re ($([ "$want" = 1 ] && echo accepted || echo refused))"
	else
		not_ok "promtool/regex/$re" "promtool $([ "$got" = 1 ] && echo accepts || echo refuses) it; tests/unit.c expects the opposite"
	fi
done <<<"$REGEXES"
