#!/usr/bin/env bash
# tests/failures.sh - no silent failures: a configuration that cannot do
# what was asked fails (exit 1, a result, a message naming the field, the
# value and what is allowed), in KRM mode, in legacy plugin mode and under
# the real kpt and kubectl kustomize; a failed KRM run passes its items
# through unchanged; warnings fail the run with failOnWarnings.
#
# Inputs come from tests/failures.py: the seed service (Namespace,
# Deployment, Service) and its ServiceProfile with one change per case.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
FP="$PYTHON $ROOT/tests/failures.py"

# krm NAME SPEC_YAML [FLAGS...] -- PATTERN...: a KRM run that must fail
# with exit 1, print the items unchanged with the results, and say every
# PATTERN in the results and on stderr.
krm_fail() {
	local name=$1 spec=$2 rc p
	shift 2
	local -a flags=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	$FP rl "$spec" ${flags[@]+"${flags[@]}"} >"$T/in.yaml"
	"$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
	$FP results "$T/out.yaml" >"$T/results" 2>&1
	if [ "$rc" != 1 ]; then
		not_ok "$name" "exit $rc, expected 1" "$(cat "$T/err" "$T/results")"
		return
	fi
	if ! $FP same-items "$T/in.yaml" "$T/out.yaml"; then
		not_ok "$name" "the items changed on a failed run"
		return
	fi
	for p in "$@"; do
		if ! grep -qF -- "$p" "$T/results" || ! grep -qF -- "$p" "$T/err"; then
			not_ok "$name" "results or stderr lack '$p':" "$(cat "$T/results")" \
				"stderr:" "$(cat "$T/err")"
			return
		fi
	done
	ok "$name"
}

# krm_ok NAME SPEC_YAML [FLAGS...]: a KRM run that must succeed, quietly.
krm_ok() {
	local name=$1 spec=$2 rc
	shift 2
	$FP rl "$spec" "$@" >"$T/in.yaml"
	"$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then ok "$name"; else
		not_ok "$name" "exit $rc" "$(cat "$T/err")"; fi
}

# legacy_fail NAME SPEC_YAML PATTERN...: legacy plugin mode must exit 1
# with nothing on stdout and every PATTERN on stderr.
legacy_fail() {
	local name=$1 spec=$2 rc
	shift 2
	$FP profile "$spec" >"$T/profile.yaml"
	$FP items >"$T/items.yaml"
	"$KRM_FN" "$T/profile.yaml" <"$T/items.yaml" >"$T/out" 2>"$T/err"; rc=$?
	if [ -s "$T/out" ]; then
		not_ok "$name" "exit $rc, but stdout is not empty"
		return
	fi
	expect_fail "$name" "$rc" "$T/err" "$@"
}

# --- 1. label keys reserved for Kubernetes, kpt, kustomize, costmon -------
krm_fail "case 1: kpt's internal path annotation as a label key" \
	'{labels: {keys: {owner: internal.config.kubernetes.io/path}}}' -- \
	'label key "internal.config.kubernetes.io/path" (for owner, at "spec.labels.keys.owner")' \
	'reserved for Kubernetes, kpt and kustomize' 'cost.example.com/owner'
krm_fail "case 1: local-config key with a value that is not label-safe" \
	'{labels: {keys: {businessUnit: config.kubernetes.io/local-config}}, cost: {businessUnit: Retail Banking}}' -- \
	'"config.kubernetes.io/local-config"' 'spec.labels.keys.businessUnit'
for key in config.k8s.io/id kustomize.config.k8s.io/x kubernetes.io/team k8s.io/team \
	node.kubernetes.io/team; do
	krm_fail "case 1: reserved key $key" "{labels: {keys: {team: $key}}}" -- \
		"label key \"$key\"" 'reserved'
done
krm_fail "case 1: costmon's own annotation key" \
	'{labels: {keys: {costCenter: costmon.dev/budget-amount}}}' -- \
	"is costmon's own budget annotation key"
krm_fail "case 1: reserved prefix for pod templates only" \
	'{labels: {podTemplate: {keys: {team: kubernetes.io/team}}}}' -- \
	'spec.labels.podTemplate.keys.team'
krm_fail "case 1: reserved spec.labels.prefix" \
	'{labels: {prefix: config.kubernetes.io/}}' -- 'spec.labels.prefix' \
	'"config.kubernetes.io/service"'
krm_ok "case 1: app.kubernetes.io/ keys are for users" \
	'{labels: {keys: {team: app.kubernetes.io/part-of}}}'
legacy_fail "case 1: legacy mode refuses a reserved key, stdout empty" \
	'{labels: {keys: {owner: internal.config.kubernetes.io/path}}}' \
	'internal.config.kubernetes.io/path'

# --- 2. colliding label keys ----------------------------------------------
krm_fail "case 2: two labels under one key" \
	'{labels: {keys: {team: cost.service}}}' -- \
	'labels "service" and "team" both use the key "cost.service"'
krm_fail "case 2: two pod template labels under one key" \
	'{labels: {podTemplate: {keys: {team: cost.service}}}}' -- \
	'both use the key "cost.service" on pod templates'
krm_fail "case 2: label key equal to a budget annotation key" \
	'{labels: {keys: {budget: costmon.dev/budget}}}' -- \
	'"costmon.dev/budget"'

# --- 3. namespace and names -----------------------------------------------
long=$(printf 'n%.0s' $(seq 300))
for ns in Prod_Payments "$long" 'a"b' "-prod" "prod."; do
	krm_fail "case 3: namespace '${ns:0:20}' is refused" "{namespace: '${ns//\'/\'\'}'}" -- \
		'spec.namespace "' 'is not a valid namespace name (a DNS-1123 label)'
done
krm_fail "case 3: service name is a DNS-1123 label" '{service: Payment_Processor}' -- \
	'service name "Payment_Processor" is not a DNS-1123 label'

krm_fail "case 3: serviceSelector values are label values" \
	"{monitoring: {serviceSelector: {app: 'payment processor'}}}" -- \
	'spec.monitoring.serviceSelector.app: "app: payment processor" is not a valid label value'

# --- 4. a selector's label is never overwritten ----------------------------
krm_fail "case 4: pod template label used by the selector" \
	'{labels: {podTemplate: {keys: {team: app}}}}' -- \
	'label "app" of Deployment payment-processor (spec.template.metadata.labels.app) is used by its spec.selector' \
	'writing "payments-team" over "payment-processor"' \
	'spec.template.metadata.labels.app'
krm_ok "case 4: the same value under a selector label is no change" \
	'{labels: {podTemplate: {keys: {service: app}}}}'

# --- 5. overrides for unknown environments ----------------------------------
krm_fail "case 5: override for an environment the profile lacks" \
	'{monitoring: {overrides: {production: {sloAvailability: 99.5}}}}' -- \
	'spec.monitoring.overrides.production names environment "production"' \
	'use one of: int-stable, pre-stable, prod'

# --- 6. no functionConfig --------------------------------------------------
$FP rl '{}' --profile-item >"$T/in.yaml"
"$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && grep -q 'cost.budget: "6000"' "$T/out.yaml"; then
	ok "case 6: the package's single ServiceProfile is the config"
else
	not_ok "case 6: the package's single ServiceProfile is the config" "exit $rc" "$(cat "$T/err")"
fi
krm_fail "case 6: no config and no ServiceProfile item fails" '{}' --no-config -- \
	'no functionConfig and no ServiceProfile among the items' 'configPath'
krm_fail "case 6: no config and two ServiceProfile items fails" '{}' --two-profiles -- \
	'no functionConfig and 2 ServiceProfile items'

# --- 7. a failed run leaves the items unchanged ------------------------------
krm_fail "case 7: failed run (sloAvailability 100) passes items unchanged" \
	'{monitoring: {overrides: {prod: {sloAvailability: 100}}}}' -- \
	'availability objective 100% for prod' 'spec.monitoring.overrides.prod.sloAvailability'
krm_fail "case 7: failed label pass (selector) passes items unchanged" \
	'{labels: {podTemplate: {keys: {team: app}}}}' -- 'spec.selector'

# --- 10. values: NUL, big numbers, long decimals, full paths -----------------
krm_fail "case 10: NUL in a value is refused" '{cost: {costCenter: "frontend\0evil"}}' -- \
	'field "spec.cost.costCenter" holds a NUL character'
krm_fail "case 10: NUL in a label key is refused" '{labels: {keys: {team: "a\0b"}}}' -- \
	'spec.labels.keys.team' 'NUL'
krm_fail "case 10: budgetOverride 1e40 in digits" \
	"{cost: {budgetOverride: 1$(printf '0%.0s' $(seq 40))}}" -- \
	'spec.cost.budgetOverride "10000000000' 'has more digits than can be held exactly'
krm_fail "case 10: budgetOverride exponent" "{cost: {budgetOverride: '1e4'}}" -- \
	'spec.cost.budgetOverride "1e4" is not a plain decimal number'
krm_fail "case 10: budgetOverride zero" '{cost: {budgetOverride: 0}}' -- \
	'spec.cost.budgetOverride "0" is not positive'
krm_fail "case 10: 60 significant decimals" \
	"{monitoring: {overrides: {prod: {sloAvailability: '99.$(printf '9%.0s' $(seq 60))'}}}}" -- \
	'spec.monitoring.overrides.prod.sloAvailability "99.999' 'has more than 18 digits after the decimal point'
krm_ok "case 10: trailing zeros are not digits" \
	"{monitoring: {overrides: {prod: {sloErrorRate: '0.0100$(printf '0%.0s' $(seq 60))'}}}}"
krm_fail "case 10: override errors name the full path" \
	"{monitoring: {overrides: {prod: {sloErrorRate: 'abc'}}}}" -- \
	'spec.monitoring.overrides.prod.sloErrorRate "abc" is not a plain decimal number'

# --- failOnWarnings -----------------------------------------------------------
$FP rl '{}' --stale-label >"$T/in.yaml"
"$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && $FP results "$T/out.yaml" | grep -q '^warning: label "cost.team"'; then
	ok "failOnWarnings: off, a warning is a result and exit 0"
else
	not_ok "failOnWarnings: off, a warning is a result and exit 0" "exit $rc"
fi
krm_fail "failOnWarnings: true makes the warning fatal" '{failOnWarnings: true}' --stale-label -- \
	'label "cost.team" of Service' '1 warning and spec.failOnWarnings is true'
cat >"$T/cm.yaml" <<EOF
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
$($FP items --stale-label | "$PYTHON" -c 'import sys,yaml; print(yaml.safe_dump(list(yaml.safe_load_all(sys.stdin))))' | sed 's/^/  /')
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: function-input}
  data: {service: payment-processor, team: payments-team, environment: prod,
    costProfile: standard-api-cost, costCenter: CC-1, businessUnit: bu,
    costOwner: a@example.com, failOnWarnings: "true"}
EOF
"$KRM_FN" <"$T/cm.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
expect_fail "failOnWarnings: ConfigMap form (data.failOnWarnings)" "$rc" "$T/err" \
	'data.failOnWarnings is true'
$FP profile '{failOnWarnings: true}' >"$T/profile.yaml"
$FP items --stale-label >"$T/items.yaml"
"$KRM_FN" "$T/profile.yaml" <"$T/items.yaml" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 1 ] && [ ! -s "$T/out" ] && grep -q 'warning: label "cost.team"' "$T/err"; then
	ok "failOnWarnings: legacy mode shows the warning and fails"
else
	not_ok "failOnWarnings: legacy mode shows the warning and fails" "exit $rc" "$(cat "$T/err")"
fi

# The examples set it, and build without a warning.
n=0
for f in $(grep -rl 'kind: ServiceProfile' "$ROOT/examples" | grep -v README); do
	n=$((n + 1))
	grep -q 'failOnWarnings: true' "$f" || not_ok "examples: failOnWarnings in ${f#$ROOT/}"
done
[ "$n" -gt 5 ] && ok "examples: all $n ServiceProfiles set failOnWarnings: true"
"$KRM_FN" <"$ROOT/examples/quickstart/resource-list.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && ! $FP results "$T/out.yaml" | grep -q .; then
	ok "examples: the quick start runs without a warning"
else
	not_ok "examples: the quick start runs without a warning" "exit $rc" "$($FP results "$T/out.yaml")"
fi

# --- 11. sizes -----------------------------------------------------------------
"$PYTHON" - "$T/big.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
            "functionConfig:\n  apiVersion: costmon.dev/v1alpha1\n"
            "  kind: ServiceProfile\n  metadata: {name: p}\n  spec:\n"
            "    service: p\n    team: t\n    environment: prod\n"
            "    costProfile: standard-api-cost\n"
            "    cost: {costCenter: C, businessUnit: B, costOwner: o@example.com}\n"
            "items:\n")
    for i in range(100000):
        f.write("- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-%d}, data: {k: v}}\n" % i)
PY
"$KRM_FN" <"$T/big.yaml" >"$T/big.out" 2>"$T/err"; rc=$?
# Labelled: the 100,000 items, the budget record ConfigMap and the
# budget alert PrometheusRule. The output is parsed, not grepped: the
# input's flow-style items keep their style, so their labels are flow
# entries and the generated objects' block entries.
n=$("$PYTHON" - "$T/big.out" <<'PY'
import sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
with open(sys.argv[1]) as f:
    items = yaml.load(f, Loader=loader).get("items") or []
names = [str((i.get("metadata") or {}).get("name")) for i in items]
if names[:100000] != ["cm-%d" % k for k in range(100000)] or \
        sorted(names[100000:]) != ["p-budget", "p-budget-alerts"]:
    print("items out of order or missing: %d" % len(items))
    sys.exit()
print(sum(1 for i in items if ((i.get("metadata") or {}).get("labels")
                                or {}).get("cost.budget") == "3000"))
PY
)
if [ $rc = 0 ] && [ "$n" = 100002 ]; then
	ok "case 11: 100,000 small items ($(($(wc -c <"$T/big.yaml") / 1000)) kB) succeed"
else
	not_ok "case 11: 100,000 small items succeed" "exit $rc, $n labelled" "$(head -c 600 "$T/err")"
fi
"$KRM_FN" --max-input-bytes=1000000 <"$T/big.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
if [ $rc = 1 ] && $FP results "$T/out.yaml" | grep -q 'larger than the limit of 1000000 bytes'; then
	ok "case 11: a limit hit is exit 1 with a result naming it"
else
	not_ok "case 11: a limit hit is exit 1 with a result naming it" "exit $rc"
fi
rm -f "$T/big.yaml" "$T/big.out"

# --- orchestrators ------------------------------------------------------------
# mkpkg DIR SPEC_YAML [KPTFILE_EXTRA]: a kpt package of the seed items and
# the profile (profile.yaml), with a Kptfile running the binary under test.
mkpkg() {
	mkdir -p "$1"
	$FP items ${4:-} >"$1/resources.yaml"
	$FP profile "$2" >"$1/profile.yaml"
	cat >"$1/Kptfile" <<EOF
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: pkg
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - exec: $KRM_FN
${3:-      configPath: profile.yaml}
EOF
}

# kpt_fail NAME SPEC PATTERN: kpt fn render fails, the package is
# unchanged, and PATTERN appears exactly once (results, no stderr copy).
kpt_fail() {
	local name=$1 d=$T/kpt.$RANDOM rc c
	mkpkg "$d" "$2" '      configPath: profile.yaml' "${4:-}"
	cp -R "$d" "$d.orig"
	kpt fn render --allow-exec "$d" >"$d.log" 2>&1; rc=$?
	c=$(grep -cF -- "$3" "$d.log")
	if [ $rc != 0 ] && diff -r "$d" "$d.orig" >/dev/null && [ "$c" = 1 ] &&
		! grep -q 'Stderr:' "$d.log"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, message seen $c times; kpt printed:" "$(cat "$d.log")"
	fi
}

if command -v kpt >/dev/null 2>&1; then
	kpt_fail "kpt: case 1 reserved key fails once, package unchanged" \
		'{labels: {keys: {owner: internal.config.kubernetes.io/path}}}' \
		'label key "internal.config.kubernetes.io/path"'
	kpt_fail "kpt: case 7/9 sloAvailability 100 reads once, cleanly" \
		'{monitoring: {overrides: {prod: {sloAvailability: 100}}}}' \
		'availability objective 100% for prod'
	kpt_fail "kpt: case 5 unknown override environment" \
		'{monitoring: {overrides: {production: {sloAvailability: 99.5}}}}' \
		'names environment "production"'
	kpt_fail "kpt: failOnWarnings" '{failOnWarnings: true}' \
		'spec.failOnWarnings is true' --stale-label
	# case 9 in kpt fn eval (ConfigMap functionConfig): two errors, each
	# once, no stderr section, nothing changed.
	d=$T/kpt-eval
	mkdir -p "$d"
	$FP items >"$d/resources.yaml"
	cp -R "$d" "$d.orig"
	kpt fn eval --exec "$KRM_FN" "$d" -- service=payment-processor team=payments-team \
		environment=prod costProfile=standard-api-cost costCenter=CC-1 businessUnit=bu \
		costOwner=a@example.com monitoringProfile=api-observability \
		sloAvailability=100 sloErrorRate=1e3 >"$d.log" 2>&1; rc=$?
	if [ $rc != 0 ] && diff -r "$d" "$d.orig" >/dev/null && ! grep -q 'Stderr:' "$d.log" &&
		[ "$(grep -cF 'availability objective 100% for prod (from data.sloAvailability)' "$d.log")" = 1 ] &&
		[ "$(grep -cF 'data.sloErrorRate "1e3" is not a plain decimal number' "$d.log")" = 1 ]; then
		ok "kpt: case 9 eval errors read once, with their ConfigMap keys"
	else
		not_ok "kpt: case 9 eval errors read once, with their ConfigMap keys" "exit $rc" "$(cat "$d.log")"
	fi
	# case 6: a mutator without configPath.
	d=$T/kpt-noconfig
	mkpkg "$d" '{}' '      # no configPath'
	kpt fn render --allow-exec "$d" >"$d.log" 2>&1; rc=$?
	if [ $rc = 0 ] && grep -q 'cost.budget: "6000"' "$d/resources.yaml"; then
		ok "kpt: case 6 mutator without configPath uses the package's ServiceProfile"
	else
		not_ok "kpt: case 6 mutator without configPath uses the package's ServiceProfile" \
			"exit $rc" "$(cat "$d.log")"
	fi
	d=$T/kpt-noprofile
	mkpkg "$d" '{}' '      # no configPath'
	rm "$d/profile.yaml"
	cp -R "$d" "$d.orig"
	kpt fn render --allow-exec "$d" >"$d.log" 2>&1; rc=$?
	if [ $rc != 0 ] && diff -r "$d" "$d.orig" >/dev/null &&
		grep -q 'no functionConfig and no ServiceProfile among the items' "$d.log"; then
		ok "kpt: case 6 no config at all fails and says how to pass it"
	else
		not_ok "kpt: case 6 no config at all fails and says how to pass it" \
			"exit $rc" "$(cat "$d.log")"
	fi
else
	skip "kpt: orchestrator cases" "kpt not installed"
fi

# mkkust DIR SPEC_YAML [ITEM_FLAGS]: a kustomization with the seed items
# and the profile as a legacy exec plugin transformer.
mkkust() {
	mkdir -p "$1"
	$FP items ${3:-} >"$1/resources.yaml"
	$FP profile "$2" >"$1/profile.yaml"
	printf 'resources: [resources.yaml]\ntransformers: [profile.yaml]\n' \
		>"$1/kustomization.yaml"
}

# kust_fail NAME SPEC ITEM_FLAGS PATTERN...: kubectl kustomize fails with
# nothing on stdout and every PATTERN in what it prints; nothing garbled.
kust_fail() {
	local name=$1 d=$T/kust.$RANDOM rc p
	mkkust "$d" "$2" "$3"
	shift 3
	XDG_CONFIG_HOME=$XDG kubectl kustomize --enable-alpha-plugins "$d" \
		>"$d.out" 2>"$d.err"; rc=$?
	if [ -s "$d.out" ] || grep -qE '%!|MISSING' "$d.err"; then
		not_ok "$name" "exit $rc; stdout not empty or message garbled:" "$(cat "$d.err")"
		return
	fi
	expect_fail "$name" "$rc" "$d.err" "$@"
}

XDG=$T/xdg
if command -v kubectl >/dev/null 2>&1 && install_plugin "$XDG" "kubectl: plugin installed"; then
	kust_fail "kubectl: case 1 local-config key, value not label-safe" \
		'{labels: {keys: {businessUnit: config.kubernetes.io/local-config}}, cost: {businessUnit: Retail Banking}}' '' \
		'label key "config.kubernetes.io/local-config"'
	kust_fail "kubectl: case 8 a message with % reads correctly" \
		'{monitoring: {overrides: {prod: {sloAvailability: 100}}}}' '' \
		'krm-fn: error: availability objective 100% for prod'
	kust_fail "kubectl: case 8 a value with % reads correctly" \
		'{cost: {costOwner: "50%off@example.com", budgetOverride: "5%"}}' '' \
		'spec.cost.budgetOverride "5%" is not a plain decimal'
	kust_fail "kubectl: case 3 bad namespace" "{namespace: Prod_Payments}" '' \
		'spec.namespace "Prod_Payments" is not a valid namespace name'
	kust_fail "kubectl: failOnWarnings shows the warning and fails" '{failOnWarnings: true}' \
		--stale-label 'krm-fn: warning: label "cost.team"' 'spec.failOnWarnings is true'
	d=$T/kust-ok
	mkkust "$d" '{failOnWarnings: true}'
	XDG_CONFIG_HOME=$XDG kubectl kustomize --enable-alpha-plugins "$d" >"$d.out" 2>"$d.err"
	expect_ok "kubectl: the seed with failOnWarnings builds" $? "$d.err"
else
	skip "kubectl: orchestrator cases" "kubectl not installed"
fi
