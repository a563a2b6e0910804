#!/usr/bin/env bash
# tests/fnschema.sh - `krm-fn schema`, `krm-fn profiles` and the expand
# hint. The schema is built from the decoders' field tables: it must be a
# valid draft 2020-12 schema, accept function-config.yaml and every
# example, and refuse a typo'd field exactly where the function does.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)

if ! "$PYTHON" -c 'import jsonschema, yaml' 2>/dev/null; then
	skip "fnschema: all" "python3-jsonschema and python3-yaml needed (make deps)"
	exit 0
fi

"$KRM_FN" schema >"$T/schema.json"; rc=$?
cat >"$T/check.py" <<'PY'
"""check.py SCHEMA FILE...: validate every costmon object of each YAML
file (and the functionConfig of a ResourceList); print one line per
error, exit 1 if any."""
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
kinds = ("ServiceProfile", "CostProfile", "MonitoringProfile")
bad = n = 0
for f in sys.argv[2:]:
    for d in yaml.safe_load_all(open(f)):
        if isinstance(d, dict) and d.get("kind") == "ResourceList":
            d = d.get("functionConfig")
        if not isinstance(d, dict) or d.get("kind") not in kinds:
            continue
        n += 1
        sub = dict(schema["$defs"][d["kind"]], **{"$defs": schema["$defs"]})
        for e in jsonschema.Draft202012Validator(sub).iter_errors(d):
            bad += 1
            print("%s: %s: %s" % (f, "/".join(map(str, e.path)), e.message[:200]))
print("checked %d objects" % n, file=sys.stderr)
sys.exit(1 if bad or n == 0 else 0)
PY
if [ $rc = 0 ] && "$PYTHON" -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
for k in ("ServiceProfile", "CostProfile", "MonitoringProfile"):
    d = s["$defs"][k]
    assert d["properties"]["spec"]["additionalProperties"] is False, k
    assert d["properties"]["spec"]["properties"], k
sp = s["$defs"]["ServiceProfile"]["properties"]["spec"]["properties"]
assert "description" in sp["failOnWarnings"]
assert sp["labels"]["properties"]["omit"]["items"]["enum"][0] == "service"
cm = s["$defs"]["ServiceProfileConfigMap"]["properties"]["data"]["properties"]
for k in ("serviceName", "serviceSelector", "monitoringLabels", "dashboardInstanceSelector"):
    assert cm[k]["type"] == "string" and cm[k]["description"], k
' "$T/schema.json" 2>"$T/err"; then
	ok "schema: valid draft 2020-12 with the three kinds, descriptions and enums"
else
	not_ok "schema: valid draft 2020-12 with the three kinds, descriptions and enums" \
		"exit $rc" "$(cat "$T/err")"
fi

files=("$ROOT/function-config.yaml")
while IFS= read -r f; do files+=("$f"); done < <(grep -rlE 'kind: (ServiceProfile|CostProfile|MonitoringProfile)' "$ROOT/examples" --include='*.yaml' | sort)
if "$PYTHON" "$T/check.py" "$T/schema.json" "${files[@]}" >"$T/out" 2>"$T/err"; then
	ok "schema: function-config.yaml and every example validate ($(cat "$T/err"))"
else
	not_ok "schema: function-config.yaml and every example validate" "$(cat "$T/out" "$T/err")"
fi

# typo CASE FILE SED FIELD: the typo'd copy of FILE fails the schema and
# the function, both naming FIELD.
typo() {
	local name=$1 file=$2 expr=$3 field=$4 run=$5 rc
	sed "$expr" "$file" >"$T/typo.yaml"
	if cmp -s "$file" "$T/typo.yaml"; then
		not_ok "$name" "the sed made no typo"; return
	fi
	if "$PYTHON" "$T/check.py" "$T/schema.json" "$T/typo.yaml" >"$T/out" 2>&1 ||
		! grep -qF "$field" "$T/out"; then
		not_ok "$name" "the schema accepted it or did not name '$field':" "$(cat "$T/out")"
		return
	fi
	case $run in
	legacy) "$KRM_FN" "$T/typo.yaml" <"$ROOT/testdata/golden/legacy-stream/input" >/dev/null 2>"$T/err" ;;
	catalog) "$KRM_FN" profiles "$T/typo.yaml" >/dev/null 2>"$T/err" ;;
	esac
	rc=$?
	expect_fail "$name" "$rc" "$T/err" "unknown field" "$field"
}
typo "schema+function: typo in ServiceProfile spec" "$ROOT/function-config.yaml" \
	's/^  costProfile:/  costProfle:/' costProfle legacy
typo "schema+function: typo in spec.cost" "$ROOT/function-config.yaml" \
	's/^    costCenter:/    costCentre:/' costCentre legacy
typo "schema+function: typo in spec.labels" "$ROOT/function-config.yaml" \
	's/^    strict:/    strikt:/' strikt legacy
typo "schema+function: typo in CostProfile spec" "$ROOT/examples/profiles/cost-profiles.yaml" \
	'0,/^  currency:/s//  curency:/' curency catalog
typo "schema+function: typo in MonitoringProfile spec.slo" "$ROOT/examples/profiles/monitoring-profiles.yaml" \
	'0,/availability:/s//availabilty:/' availabilty catalog

# --- krm-fn profiles, text and JSON ------------------------------------------
CAT=("$ROOT/examples/profiles/cost-profiles.yaml" "$ROOT/examples/profiles/monitoring-profiles.yaml")
"$KRM_FN" profiles --output=json "${CAT[@]}" >"$T/p.json" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && "$PYTHON" - "$T/p.json" "${CAT[0]}" <<'PY' 2>"$T/err2"
import json, sys
ps = json.load(open(sys.argv[1]))
by = {(p["kind"], p["name"]): p for p in ps}
s = by[("CostProfile", "standard-api-cost")]
assert s["source"] == "built-in" and s["environments"]["prod"]["base"] == "3000", s
assert s["sizes"]["large"] == "2", s
a = by[("MonitoringProfile", "api-observability")]
assert a["slo"] == {"availability": "99.9", "errorRate": "0.1", "latencyP95ms": "500"}, a
assert by[("CostProfile", "payments-api-cost")]["source"] == sys.argv[2]
assert len([p for p in ps if p["source"] == "built-in"]) == 7, len(ps)
assert [(p["kind"], p["name"]) for p in ps] == sorted(by), "not sorted"
PY
then ok "profiles: JSON lists built-in and catalog profiles with sources, sizes, SLOs"; else
	not_ok "profiles: JSON lists built-in and catalog profiles with sources, sizes, SLOs" \
		"exit $rc" "$(cat "$T/err" "$T/err2")"; fi
"$KRM_FN" profiles "${CAT[@]}" >"$T/p.txt" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && head -1 "$T/p.txt" | grep -q '^KIND  *NAME  *SOURCE  *DETAILS' &&
	grep -qE '^CostProfile +standard-api-cost +built-in +environments \(base USD\): int-stable 500, pre-stable 1500, prod 3000; sizes: small 0.5, medium 1, large 2, xlarge 4$' "$T/p.txt" &&
	grep -qE '^MonitoringProfile +api-observability +built-in +SLOs: availability 99.9, errorRate 0.1, latencyP95ms 500' "$T/p.txt" &&
	grep -q "payments-api-cost .*${CAT[0]}" "$T/p.txt" && [ "$(wc -l <"$T/p.txt")" = 11 ]; then
	ok "profiles: text table"
else
	not_ok "profiles: text table" "exit $rc" "$(cat "$T/p.txt" "$T/err")"
fi
printf 'apiVersion: costmon.dev/v1alpha1\nkind: CostProfile\nmetadata: {name: broken}\nspec: {currency: usd}\n' >"$T/broken.yaml"
"$KRM_FN" profiles "$T/broken.yaml" >"$T/out" 2>"$T/err"; rc=$?
expect_fail "profiles: a broken catalog profile is an error, not left out" "$rc" "$T/err" 'broken'
"$KRM_FN" profiles --output=yaml >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 2 ]; then ok "profiles: unknown output format is a usage error"; else
	not_ok "profiles: unknown output format is a usage error" "exit $rc"; fi

# --- krm-fn expand: a missing profile says how to pass a catalog --------------
sed 's/costProfile: standard-api-cost/costProfile: payments-api-cost/' \
	"$ROOT/function-config.yaml" >"$T/p.yaml"
"$KRM_FN" expand "$T/p.yaml" >"$T/out" 2>"$T/err"; rc=$?
expect_fail "expand: missing profile names the catalog file argument" "$rc" "$T/err" \
	'unknown cost profile "payments-api-cost"' "pass that file too: krm-fn expand $T/p.yaml CATALOG_FILE"
"$KRM_FN" expand "$T/p.yaml" "${CAT[0]}" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && grep -q '"profile": "payments-api-cost"' "$T/out"; then
	ok "expand: with the catalog file it expands"
else
	not_ok "expand: with the catalog file it expands" "exit $rc" "$(cat "$T/err")"
fi
