#!/usr/bin/env bash
# tests/schema.sh - the generated ServiceMonitors and PrometheusRules
# against the Prometheus Operator's CRD schemas.
#
# For each input testdata/promtool/*.input.yaml (the seed payment-processor,
# a second API in the same namespace, a worker and a batch job), krm-fn
# runs and every ServiceMonitor and PrometheusRule it writes is validated
# against spec.versions[v1].schema.openAPIV3Schema of its CRD in
# ../shared/schemas/prometheus-operator/ (not copied into this
# repository), as the API server would with strict field validation:
# jsonschema Draft 7 (x-kubernetes-* keywords ignored), unknown fields
# rejected, and the ObjectMeta syntax rules (tests/monitoring.py).
#
# So that the check is known to be able to fail, every object in
# testdata/schema/*.yaml is broken on purpose and must fail validation at
# the path its first line names ("# expect: PATH").
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=$PYTHON # tests/lib.sh: /usr/bin/python3 when it exists
HELPER=$ROOT/tests/monitoring.py
CRDS=$ROOT/../shared/schemas/prometheus-operator
SM_CRD=$CRDS/monitoring.coreos.com_servicemonitors.yaml
PR_CRD=$CRDS/monitoring.coreos.com_prometheusrules.yaml

why=
if ! command -v "$PY" >/dev/null 2>&1; then
	why="$PY is missing"
elif ! "$PY" -c 'import yaml, jsonschema' 2>/dev/null; then
	why="python3 modules yaml and jsonschema are missing (apt-get install python3-yaml python3-jsonschema)"
elif [ ! -d "$CRDS" ]; then
	why="no CRD schemas in $CRDS"
elif [ ! -f "$SM_CRD" ] || [ ! -f "$PR_CRD" ]; then
	why="$CRDS lacks monitoring.coreos.com_servicemonitors.yaml or monitoring.coreos.com_prometheusrules.yaml"
fi
if [ -n "$why" ]; then
	skip "schema" "$why"
	exit 0
fi

crd_for() {
	case $1 in
	ServiceMonitor.*) echo "$SM_CRD" ;;
	PrometheusRule.*) echo "$PR_CRD" ;;
	*) return 1 ;;
	esac
}

# ---- generated objects must be valid ----
for input in "$ROOT"/testdata/promtool/*.input.yaml; do
	case=$(basename "$input" .input.yaml)
	mkdir -p "$T/$case"
	if ! timeout 20 "$KRM_FN" <"$input" >"$T/$case/out" 2>"$T/$case/err"; then
		not_ok "schema/$case" "krm-fn failed:" "$(head -20 "$T/$case/err")"
		continue
	fi
	if ! objs=$("$PY" "$HELPER" split "$T/$case/out" "$T/$case" 2>&1); then
		not_ok "schema/$case" "cannot read the output:" "$objs"
		continue
	fi
	if [ -z "$objs" ]; then
		not_ok "schema/$case" "no ServiceMonitor or PrometheusRule generated"
		continue
	fi
	while IFS= read -r obj; do
		base=$(basename "$obj" .yaml)
		name="schema/$case/$base"
		if out=$("$PY" "$HELPER" validate "$(crd_for "$base")" "$obj" 2>&1); then
			ok "$name"
		else
			not_ok "$name" "$out"
		fi
	done <<<"$objs"
done

# ---- broken objects must be refused, for the expected reason ----
for obj in "$ROOT"/testdata/schema/*.yaml; do
	base=$(basename "$obj" .yaml)
	name="schema/broken/$base"
	expect=$(sed -n '1s/^# expect: //p' "$obj")
	kind=$(sed -n 's/^kind: //p' "$obj" | head -1)
	if ! crd=$(crd_for "$kind."); then
		not_ok "$name" "unknown kind \"$kind\""
		continue
	fi
	out=$("$PY" "$HELPER" validate "$crd" "$obj" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		not_ok "$name" "validation passed; it must fail at $expect"
	elif [ "$rc" != 1 ]; then
		not_ok "$name" "validator error (exit $rc):" "$out"
	elif [ -n "$expect" ] &&
		! awk -v p="$expect" 'index($0, p) == 1 { f = 1 } END { exit !f }' <<<"$out"; then
		not_ok "$name" "failed, but not at $expect:" "$out"
	else
		ok "$name"
	fi
done
