#!/usr/bin/env bash
# tests/report.sh - `krm-fn report` on a rendered build of three services
# (payment-processor: USD monthly per region; ledger: EUR monthly, one
# budget shared by both regions; nightly-settlement: USD quarterly per
# region), three environments and two regions (tests/report.py renders
# it with krm-fn in legacy mode, as kustomize build would). Each format,
# from a file, from stdin, as a ResourceList and split over two files,
# must give exactly the budgets and totals tests/report.py computes from
# the profiles' numbers: currencies and periods never added together, the
# shared budget counted once. Then bad input: each error names the place
# and the fix, exits 1 and prints nothing.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=$PYTHON
HELPER=$ROOT/tests/report.py

if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "report" "$PY with PyYAML is missing (Debian package python3-yaml)"
	exit 0
fi
if ! msg=$("$PY" "$HELPER" build "$KRM_FN" "$T" 2>&1); then
	not_ok "report: render the build" "$msg"
	exit 0
fi

# the build split in two files (first half, second half of the documents)
"$PY" - "$T/build.yaml" "$T/part1.yaml" "$T/part2.yaml" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
h = len(docs) // 2
yaml.safe_dump_all(docs[:h], open(sys.argv[2], "w"))
yaml.safe_dump_all(docs[h:][::-1], open(sys.argv[3], "w"))
PY

for fmt in table csv json; do
	for how in file stdin resourcelist split; do
		name="report: $fmt from $how"
		case $how in
		file) "$KRM_FN" report --output=$fmt "$T/build.yaml" >"$T/out" 2>"$T/err" ;;
		stdin) "$KRM_FN" report --output=$fmt <"$T/build.yaml" >"$T/out" 2>"$T/err" ;;
		resourcelist) "$KRM_FN" report --output=$fmt - <"$T/build-rl.yaml" >"$T/out" 2>"$T/err" ;;
		split) "$KRM_FN" report --format=$fmt "$T/part2.yaml" "$T/part1.yaml" >"$T/out" 2>"$T/err" ;;
		esac
		rc=$?
		if [ "$rc" = 0 ] && msg=$("$PY" "$HELPER" check $fmt "$T/out" 2>&1); then
			ok "$name ($msg)"
		else
			not_ok "$name" "exit $rc" "${msg:-}" "$(head -5 "$T/err")"
		fi
		cp "$T/out" "$T/$fmt.$how"
	done
	if cmp -s "$T/$fmt.file" "$T/$fmt.split" && cmp -s "$T/$fmt.file" "$T/$fmt.resourcelist"; then
		ok "report: $fmt is the same whatever the input's order and shape"
	else
		not_ok "report: $fmt is the same whatever the input's order and shape" "$(diff "$T/$fmt.file" "$T/$fmt.split" | head)"
	fi
done
"$KRM_FN" report "$T/build.yaml" >"$T/default" 2>&1
if grep -q '^x_BudgetName .*BillingCurrency .*x_BudgetPeriod' "$T/default"; then
	ok "report: the table is the default and uses FOCUS column names"
else
	not_ok "report: the table is the default and uses FOCUS column names"
fi

# An input without budgets (an empty stream) is a report of none.
if out=$(printf '' | "$KRM_FN" report --format=json 2>"$T/err") &&
	"$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(d != {"budgets": [], "totals": []})' "$out"; then
	ok "report: no budgets in the input, none reported"
else
	not_ok "report: no budgets in the input, none reported" "$out" "$(cat "$T/err")"
fi

# ---- bad input ----
# fail NAME EXPECTED-STDERR-REGEX FILE...: exit 1, nothing on stdout.
fail() {
	local name=$1 re=$2
	shift 2
	"$KRM_FN" report "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$T/out" ] && grep -Eq "$re" "$T/err"; then
		ok "report: $name"
	else
		not_ok "report: $name" "exit $rc, stdout $(wc -c <"$T/out") bytes" "$(head -5 "$T/err")"
	fi
}

sed 's/"amount":"6000","currency"/"amount":"6000",,"currency"/' "$T/build.yaml" >"$T/badjson.yaml"
fail "malformed record JSON at file:line:col" \
	"badjson\.yaml:[0-9]+:[0-9]+: data\.budget\.json of ConfigMap \"payment-processor-budget\" is not a JSON object" \
	"$T/badjson.yaml"
"$PY" - "$T/build.yaml" "$T/norecord.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1]))
        if not (d["kind"] == "ConfigMap" and d["metadata"]["name"] == "ledger-budget")]
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
PY
fail "objects with budgets but no record" \
	"norecord\.yaml:[0-9]+:[0-9]+: service \"ledger\" has budget annotations but the input holds no budget record" \
	"$T/norecord.yaml"
# the same per-region budget twice with different amounts
"$PY" - "$T/build.yaml" "$T/dup.yaml" <<'PY'
import sys, yaml, json
docs = list(yaml.safe_load_all(open(sys.argv[1])))
rec = [d for d in docs if d["kind"] == "ConfigMap" and
       json.loads(d["data"]["budget.json"])["name"] == "payment-processor-prod-euw1"][0]
twin = json.loads(json.dumps(rec))
twin["metadata"]["namespace"] = "elsewhere"
b = json.loads(twin["data"]["budget.json"])
b["amount"] = "7000"
twin["data"]["budget.json"] = json.dumps(b)
docs.append(twin)
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
PY
fail "one budget with two different amounts" \
	"budget \"payment-processor-prod-euw1\" is also defined at .*build|dup\.yaml:[0-9]+:[0-9]+: budget \"payment-processor-prod-euw1\" is also defined at" \
	"$T/dup.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {costmon.dev/record: budget}\ndata:\n  other: "1"\n' >"$T/nodata.yaml"
fail "a record without budget.json" \
	"nodata\.yaml:[0-9]+:[0-9]+: ConfigMap \"x\" is labelled costmon.dev/record: budget but has no data\.budget\.json" \
	"$T/nodata.yaml"
printf 'kind: ConfigMap\nmetadata: {name: x\n' >"$T/notyaml.yaml"
fail "input that is not YAML" "notyaml\.yaml:[0-9]+:[0-9]+" "$T/notyaml.yaml"
"$KRM_FN" report --format=xml "$T/build.yaml" >"$T/out" 2>"$T/err"
if [ $? = 2 ] && grep -q 'unknown report format "xml"; use --output=table' "$T/err"; then
	ok "report: an unknown format is a usage error"
else
	not_ok "report: an unknown format is a usage error" "$(cat "$T/err")"
fi
"$KRM_FN" report "$T/missing.yaml" >"$T/out" 2>"$T/err"
if [ $? = 2 ] && grep -q 'input file ".*missing.yaml" does not exist' "$T/err"; then
	ok "report: a missing file is named"
else
	not_ok "report: a missing file is named" "$(cat "$T/err")"
fi
