#!/usr/bin/env bash
# tests/examples-kustomize.sh - the kustomize examples in examples/, run by
# the real tools, exactly as their READMEs tell a user to run them:
#
#   examples/kubectl-plugin/   6 overlays (int-stable, pre-stable, prod x
#                              euw1, euw2) and team-catalog, run by
#                              `kubectl kustomize --enable-alpha-plugins`
#                              with the legacy plugin installed by
#                              `make install-plugin XDG_CONFIG_HOME=DIR`
#                              and XDG_CONFIG_HOME=DIR on kubectl's command
#                              line: Harness's "Kustomize Plugin Path"
#                              (HOME is an empty directory, so the plugin
#                              can only come from DIR)
#   examples/profiles/         the platform team's CostProfile and
#                              MonitoringProfile catalog, pulled into the
#                              team-catalog overlay with `resources:`
#   examples/kustomize-exec/   the base and the 6 exec-form overlays
#                              (transformer config annotated
#                              config.kubernetes.io/function: exec)
#
# For every overlay that kubectl runs with the plugin: exit 0; every object
# carries the 8 cost labels (cost.budget of the environment: 1000 / 3000 /
# 6000 for size large, cost.environment) and the budget annotations; the
# Deployment's pod template has the labels, its selector does not;
# ServiceMonitor payment-processor-monitor, PrometheusRules
# payment-processor-recording-rules, -alert-rules and -budget-alerts and
# ConfigMaps payment-processor-dynatrace-config, -dashboard and
# payment-processor-budget (the budget record, whose budget.json matches)
# each occur once, in the overlay's
# namespace <env>-payment-processor-<region>-stable, with every other
# object; the ServiceMonitor selects the Service's own labels on port
# http; no CostProfile, MonitoringProfile or ServiceProfile comes out; a
# second kubectl run gives byte-identical output. euw1 and euw2 of one
# environment share no namespace. team-catalog: budget 4000 (the catalog's
# payments-api-cost: prod base 2500 x large 1.6) and release:
# kube-prometheus-stack on every generated object. `krm-fn report` over the
# 6 overlays' outputs, as examples/kubectl-plugin/README.md shows it: 6
# budgets and the team's total.
#
# The exec-form overlays, as they are: kubectl has no --enable-exec, and
# kustomize v5.5 inside kubectl sees the config.kubernetes.io/function
# annotation, treats the config as a KRM function, and, exec being off,
# skips it without a word: exit 0, the base's objects in the namespace,
# and no costmon label or object (a spy shows that neither the exec path
# nor the installed legacy plugin is started). The suite checks exactly
# that, then runs the same overlays:
#   - with the annotation removed (a copy), under kubectl with the plugin:
#     the full checks above, and output byte-identical to the matching
#     kubectl-plugin overlay;
#   - with standalone `kustomize build --enable-alpha-plugins --enable-exec`
#     when `kustomize` is on PATH (skipped otherwise: not packaged for
#     Debian);
#   - through the exec path the annotation names, resolved from the
#     overlay directory (as kustomize documents it), by kpt's exec runtime
#     (`kpt fn eval - --exec PATH --fn-config service-profile.yaml`) on
#     kubectl's output (which, the transformer skipped, is the
#     transformer's input): the same checks on the items, when kpt is
#     installed.
#
# Everything runs on copies in a temp dir; nothing is written into the
# repository. Without kubectl or PyYAML every check is skipped.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
TIMEOUT=${EXAMPLES_TIMEOUT:-60}
EX=$T/examples
ENVS="int-stable pre-stable prod"
REGIONS="euw1 euw2"
# Harness's "Kustomize Plugin Path": the directory XDG_CONFIG_HOME names.
PLUGINS=$T/harness-plugins
# An empty HOME for every kubectl run: kustomize falls back to
# ~/.config/kustomize/plugin when XDG_CONFIG_HOME has no plugin root, so
# a plugin installed there must not make a check pass.
mkdir -p "$T/home"

budget_of() {
	case $1 in
	int-stable) echo 1000 ;;
	pre-stable) echo 3000 ;;
	prod) echo 6000 ;;
	esac
}
ns_of() { echo "$1-payment-processor-$2-stable"; }
# team-catalog: payments-api-cost, prod base 2500 x large 1.6.
CATALOG_BUDGET=4000
CATALOG_NS=prod-payment-processor-euw1-stable

# --- the checker --------------------------------------------------------------

cat >"$T/check.py" <<'PY'
"""check.py - checks of kustomize output for tests/examples-kustomize.sh.

  check.py output FILE --env E --ns NS --budget N [--cost-profile P]
                  [--monitoring-profile M] [--release V]
      FILE (a YAML stream, or a ResourceList whose items are checked) is
      the seed's payment-processor built for environment E into namespace
      NS with budget N: the base objects and the 4 generated objects each
      once, all in NS, all with the 8 cost labels and the budget
      annotations; the Deployment's pod template labelled, its selector
      not; the ServiceMonitor on the Service's own labels, port http; no
      costmon.dev object. --release: every generated object has label
      release=V.
  check.py bare FILE --ns NS
      FILE holds the base objects in NS and nothing of costmon: no cost
      label or annotation, no generated object, no costmon.dev object.
  check.py disjoint-ns A B
      no namespace occurs in both A and B.
  check.py exec-path PROFILE
      prints the exec path of PROFILE's config.kubernetes.io/function.
  check.py strip-exec PROFILE
      removes that annotation from PROFILE (rewritten in place).
Prints one line per problem and exits 1 if there is any; 2 on a usage
error.
"""
import json
import sys

import yaml

FN_ANNOTATION = "config.kubernetes.io/function"
BASE = [("Deployment", "payment-processor"), ("Service", "payment-processor"),
        ("ConfigMap", "payment-processor-config")]
GENERATED = [("ServiceMonitor", "payment-processor-monitor"),
             ("PrometheusRule", "payment-processor-recording-rules"),
             ("PrometheusRule", "payment-processor-alert-rules"),
             ("ConfigMap", "payment-processor-dynatrace-config"),
             ("ConfigMap", "payment-processor-budget"),
             ("PrometheusRule", "payment-processor-budget-alerts"),
             ("ConfigMap", "payment-processor-dashboard")]
COSTMON_KINDS = ("CostProfile", "MonitoringProfile", "ServiceProfile")
SERVICE_LABELS = {"app.kubernetes.io/name": "payment-processor",
                  "app.kubernetes.io/component": "api"}
POD_LABELS = {"app": "payment-processor"}


def load(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) == 1 and docs[0].get("kind") == "ResourceList":
        return docs[0].get("items") or []
    return docs


def meta(o):
    return o.get("metadata") or {}


def labels_of(m):
    return (m or {}).get("labels") or {}


def name(o):
    m = meta(o)
    return "%s %s/%s" % (o.get("kind"), m.get("namespace", ""), m.get("name"))


def count(objs, kind, nm):
    return [o for o in objs
            if o.get("kind") == kind and meta(o).get("name") == nm]


def costmon_objects(objs, problems):
    for o in objs:
        if o.get("kind") in COSTMON_KINDS or \
                str(o.get("apiVersion", "")).startswith("costmon.dev/"):
            problems.append("%s is in the output" % name(o))


def check_output(path, env, ns, budget, cost_profile, mon_profile, release):
    problems = []
    objs = load(path)
    want = {
        "cost.service": "payment-processor",
        "cost.team": "payments-team",
        "cost.costCenter": "CC-12345",
        "cost.businessUnit": "retail-banking",
        "cost.owner": "alice.johnson_at_company.com",
        "cost.environment": env,
        "cost.budget": budget,
        "monitoring.profile": mon_profile,
    }
    for kind, nm in BASE + GENERATED:
        found = count(objs, kind, nm)
        if len(found) != 1:
            problems.append("%s %s: %d in the output, want 1"
                            % (kind, nm, len(found)))
    costmon_objects(objs, problems)
    for o in objs:
        m = meta(o)
        if m.get("namespace") != ns:
            problems.append("%s: namespace %r, want %r"
                            % (name(o), m.get("namespace"), ns))
        got = labels_of(m)
        for k, v in want.items():
            if got.get(k) != v:
                problems.append("%s: label %s=%r, want %r"
                                % (name(o), k, got.get(k), v))
        ann = m.get("annotations") or {}
        if ann.get("cost.owner") != "alice.johnson@company.com":
            problems.append("%s: annotation cost.owner=%r"
                            % (name(o), ann.get("cost.owner")))
        if ann.get("costmon.dev/budget-amount") != budget:
            problems.append("%s: annotation costmon.dev/budget-amount=%r, "
                            "want %r" % (name(o),
                                         ann.get("costmon.dev/budget-amount"),
                                         budget))
        if ann.get("costmon.dev/budget-period") != "monthly":
            problems.append("%s: annotation costmon.dev/budget-period=%r"
                            % (name(o), ann.get("costmon.dev/budget-period")))
        if "costmon.dev/budget" in ann:
            problems.append("%s: the whole budget record is on the object"
                            % name(o))
    # the budget record, once, in ConfigMap payment-processor-budget
    for o in count(objs, "ConfigMap", "payment-processor-budget"):
        try:
            b = json.loads((o.get("data") or {}).get("budget.json", ""))
            got_b = (b.get("amount"), b.get("environment"), b.get("profile"))
            if got_b != (budget, env, cost_profile):
                problems.append("%s: budget.json has amount, "
                                "environment, profile %r, want %r"
                                % (name(o), got_b,
                                   (budget, env, cost_profile)))
        except ValueError:
            problems.append("%s: budget.json is not JSON" % name(o))
    for o in count(objs, "Deployment", "payment-processor"):
        spec = o.get("spec") or {}
        tmpl = labels_of((spec.get("template") or {}).get("metadata"))
        for k, v in dict(want, **POD_LABELS).items():
            if tmpl.get(k) != v:
                problems.append("Deployment: pod template label %s=%r, "
                                "want %r" % (k, tmpl.get(k), v))
        sel = (spec.get("selector") or {}).get("matchLabels")
        if sel != POD_LABELS:
            problems.append("Deployment: selector %r, want %r"
                            % (sel, POD_LABELS))
    for o in count(objs, "ServiceMonitor", "payment-processor-monitor"):
        spec = o.get("spec") or {}
        sel = (spec.get("selector") or {}).get("matchLabels")
        if sel != SERVICE_LABELS:
            problems.append("ServiceMonitor: matchLabels %r, want the "
                            "Service's own %r" % (sel, SERVICE_LABELS))
        ports = [e.get("port") for e in spec.get("endpoints") or []]
        if ports != ["http"]:
            problems.append("ServiceMonitor: endpoint ports %r, want "
                            "['http']" % ports)
    if release is not None:
        for kind, nm in GENERATED:
            for o in count(objs, kind, nm):
                got = labels_of(meta(o)).get("release")
                if got != release:
                    problems.append("%s: label release=%r, want %r"
                                    % (name(o), got, release))
    return problems


def check_bare(path, ns):
    problems = []
    objs = load(path)
    for kind, nm in BASE:
        found = count(objs, kind, nm)
        if len(found) != 1:
            problems.append("%s %s: %d in the output, want 1"
                            % (kind, nm, len(found)))
    for kind, nm in GENERATED:
        if count(objs, kind, nm):
            problems.append("%s %s was generated" % (kind, nm))
    costmon_objects(objs, problems)
    for o in objs:
        m = meta(o)
        if m.get("namespace") != ns:
            problems.append("%s: namespace %r, want %r"
                            % (name(o), m.get("namespace"), ns))
        keys = list(labels_of(m)) + list(m.get("annotations") or {})
        for k in keys:
            if k.startswith(("cost.", "costmon.dev/", "monitoring.")):
                problems.append("%s: costmon key %s" % (name(o), k))
    return problems


def namespaces(path):
    return {meta(o).get("namespace") for o in load(path)}


def fn_spec(doc):
    ann = meta(doc).get("annotations") or {}
    if FN_ANNOTATION not in ann:
        return None
    return yaml.safe_load(ann[FN_ANNOTATION]) or {}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "output":
        opts = {"--env": None, "--ns": None, "--budget": None,
                "--cost-profile": "standard-api-cost",
                "--monitoring-profile": "api-observability",
                "--release": None}
        path = args[0]
        rest = args[1:]
        while rest:
            if rest[0] not in opts or len(rest) < 2:
                print("check.py: bad option %r" % rest[0], file=sys.stderr)
                return 2
            opts[rest[0]] = rest[1]
            rest = rest[2:]
        problems = check_output(path, opts["--env"], opts["--ns"],
                                opts["--budget"], opts["--cost-profile"],
                                opts["--monitoring-profile"],
                                opts["--release"])
    elif cmd == "bare" and len(args) == 3 and args[1] == "--ns":
        problems = check_bare(args[0], args[2])
    elif cmd == "disjoint-ns" and len(args) == 2:
        both = namespaces(args[0]) & namespaces(args[1])
        problems = ["namespace %r in both" % n for n in sorted(both, key=str)]
    elif cmd == "exec-path" and len(args) == 1:
        with open(args[0], encoding="utf-8") as f:
            spec = fn_spec(yaml.safe_load(f))
        path = ((spec or {}).get("exec") or {}).get("path")
        if not path:
            print("%s: no %s exec path" % (args[0], FN_ANNOTATION))
            return 1
        print(path)
        return 0
    elif cmd == "strip-exec" and len(args) == 1:
        with open(args[0], encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if fn_spec(doc) is None:
            print("%s: no %s annotation" % (args[0], FN_ANNOTATION))
            return 1
        del doc["metadata"]["annotations"][FN_ANNOTATION]
        with open(args[0], "w", encoding="utf-8") as f:
            yaml.safe_dump(doc, f, sort_keys=False)
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as e:  # a crash is a failed check, not a pass
        print("check.py: %s: %s" % (type(e).__name__, e))
        sys.exit(2)
PY

# pycheck NAME ARGS...: ok when check.py ARGS finds nothing wrong.
pycheck() {
	local name=$1 out
	shift
	if out=$("$PYTHON" "$T/check.py" "$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "$(printf '%s\n' "$out" | head -n 20)"
	fi
}

# kk XDG OUT LOG DIR: `XDG_CONFIG_HOME=XDG kubectl kustomize
# --enable-alpha-plugins DIR`, run from $T with an empty HOME.
kk() {
	(cd "$T" && env -u KUSTOMIZE_PLUGIN_HOME HOME="$T/home" \
		XDG_CONFIG_HOME="$1" timeout "$TIMEOUT" \
		kubectl kustomize --enable-alpha-plugins "$4" >"$2" 2>"$3")
}

# run_overlay PREFIX DIR ENV NS BUDGET [check.py output options...]:
# kubectl with the installed plugin, twice; the checks PREFIX-exit-0,
# PREFIX-output, PREFIX-rerun-identical. The output is left in DIR.out.yaml.
run_overlay() {
	local p=$1 dir=$2 env=$3 ns=$4 budget=$5 rc
	shift 5
	kk "$PLUGINS" "$dir.out.yaml" "$dir.log" "$dir"
	rc=$?
	expect_ok "$p-exit-0" "$rc" "$dir.log"
	pycheck "$p-output" output "$dir.out.yaml" --env "$env" --ns "$ns" \
		--budget "$budget" "$@"
	kk "$PLUGINS" "$dir.out2.yaml" "$dir.log2" "$dir"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$p-rerun-identical" "second run: exit $rc:" \
			"$(tail -n 20 "$dir.log2")"
	else
		same_bytes "$p-rerun-identical" "$dir.out.yaml" "$dir.out2.yaml"
	fi
}

# --- the check names (for skipping) -------------------------------------------

overlays() {
	local env region
	for env in $ENVS; do
		for region in $REGIONS; do echo "$env-$region"; done
	done
}

all_checks() {
	local o env a
	echo install-plugin-layout
	for o in $(overlays); do
		for a in exit-0 output rerun-identical; do
			echo "kubectl-plugin-$o-$a"
		done
	done
	for env in $ENVS; do echo "kubectl-plugin-$env-regions-differ"; done
	echo kubectl-plugin-report
	for a in exit-0 output rerun-identical; do
		echo "kubectl-plugin-team-catalog-$a"
	done
	echo kubectl-plugin-missing-plugin-fails
	for o in $(overlays); do
		echo "kustomize-exec-$o-kubectl-skips-silently"
		for a in exit-0 output rerun-identical same-as-kubectl-plugin; do
			echo "kustomize-exec-$o-unannotated-$a"
		done
	done
	echo kustomize-exec-kubectl-starts-nothing
	for o in $(overlays); do
		echo "kustomize-exec-$o-standalone-exit-0"
		echo "kustomize-exec-$o-standalone-output"
		echo "kustomize-exec-$o-standalone-rerun-identical"
	done
	for o in $(overlays); do
		echo "kustomize-exec-$o-exec-path-exit-0"
		echo "kustomize-exec-$o-exec-path-output"
	done
}

if ! command -v kubectl >/dev/null 2>&1; then
	for c in $(all_checks); do skip "$c" "kubectl not installed"; done
	exit 0
fi
if ! "$PYTHON" -c 'import yaml' >/dev/null 2>&1; then
	for c in $(all_checks); do
		skip "$c" "$PYTHON has no PyYAML (make deps installs python3-yaml)"
	done
	exit 0
fi
echo "# kubectl: $(command -v kubectl)" \
	"$(kubectl version --client 2>/dev/null | tr '\n' ' ')"

# Copies of the three examples, with their relative layout.
mkdir -p "$EX"
cp -R "$ROOT/examples/kustomize-exec" "$ROOT/examples/kubectl-plugin" \
	"$ROOT/examples/profiles" "$EX/"

# --- 1. the plugin under Harness's "Kustomize Plugin Path" --------------------

if ! install_plugin "$PLUGINS" install-plugin-layout; then
	for c in $(all_checks | sed 1d); do
		skip "$c" "make install-plugin failed"
	done
	exit 0
fi

# --- 2. examples/kubectl-plugin: the 6 overlays -------------------------------

for env in $ENVS; do
	for region in $REGIONS; do
		o=$env-$region
		run_overlay "kubectl-plugin-$o" "$EX/kubectl-plugin/overlays/$o" \
			"$env" "$(ns_of "$env" "$region")" "$(budget_of "$env")"
	done
	pycheck "kubectl-plugin-$env-regions-differ" disjoint-ns \
		"$EX/kubectl-plugin/overlays/$env-euw1.out.yaml" \
		"$EX/kubectl-plugin/overlays/$env-euw2.out.yaml"
done

# The README's report over the 6 overlays' outputs: 6 budgets named
# payment-processor-<env>-<region>, 1000 / 3000 / 6000 USD monthly, and
# the team's total 20000 USD monthly.
for env in $ENVS; do
	for region in $REGIONS; do
		cat "$EX/kubectl-plugin/overlays/$env-$region.out.yaml"
		echo ---
	done
done >"$T/all-overlays.yaml"
if "$KRM_FN" report --format=json "$T/all-overlays.yaml" >"$T/report.json" 2>"$T/report.err" &&
	msg=$("$PYTHON" - "$T/report.json" <<'PY' 2>&1
import json, sys
doc = json.load(open(sys.argv[1]))
want = {"payment-processor-%s-%s" % (e, r): a
        for e, a in (("int-stable", "1000"), ("pre-stable", "3000"), ("prod", "6000"))
        for r in ("euw1", "euw2")}
got = {b["name"]: b["amount"] for b in doc["budgets"]
       if b["currency"] == "USD" and b["period"] == "monthly"}
team = [t for t in doc["totals"] if t["by"] == "team"]
ok = got == want and team == [{"by": "team", "value": "payments-team",
                                "currency": "USD", "period": "monthly",
                                "amount": "20000", "budgets": 6}]
print("6 budgets, team total 20000 USD" if ok else "got %r, team totals %r" % (got, team))
sys.exit(0 if ok else 1)
PY
); then
	ok "kubectl-plugin-report ($msg)"
else
	not_ok "kubectl-plugin-report" "${msg:-}" "$(head -5 "$T/report.err")"
fi

# --- 3. examples/profiles through the team-catalog overlay --------------------

run_overlay kubectl-plugin-team-catalog \
	"$EX/kubectl-plugin/overlays/team-catalog" prod "$CATALOG_NS" \
	"$CATALOG_BUDGET" --cost-profile payments-api-cost \
	--monitoring-profile payments-api-observability \
	--release kube-prometheus-stack

# Without the plugin under the plugin path, kubectl fails and says where
# it looked.
mkdir -p "$T/no-plugins/kustomize/plugin"
o=$EX/kubectl-plugin/overlays/prod-euw1
kk "$T/no-plugins" "$T/missing.out.yaml" "$T/missing.log" "$o"
rc=$?
if [ "$rc" -ne 0 ] &&
	grep -q "no-plugins/$PLUGIN_REL" "$T/missing.log"; then
	ok kubectl-plugin-missing-plugin-fails
else
	not_ok kubectl-plugin-missing-plugin-fails \
		"exit $rc; want non-zero and the plugin path in:" \
		"$(tail -n 5 "$T/missing.log")"
fi

# --- 4. examples/kustomize-exec -----------------------------------------------

# The binary goes where the exec path of every overlay points
# (overlays/<name>/../../krm-fn). It is a spy that logs its working
# directory, then runs the binary under test; so is a legacy plugin under
# $T/spy-plugins.
EXEC_LOG=$T/exec-spy.log
PLUGIN_LOG=$T/plugin-spy.log
make_spy() {
	mkdir -p "$(dirname "$1")"
	printf '#!/bin/sh\npwd >>%s\nexec %s "$@"\n' "'$2'" "'$KRM_FN'" >"$1"
	chmod 0755 "$1"
}
make_spy "$EX/kustomize-exec/krm-fn" "$EXEC_LOG"
make_spy "$T/spy-plugins/$PLUGIN_REL" "$PLUGIN_LOG"
: >"$EXEC_LOG"
: >"$PLUGIN_LOG"

# 4a. As they are, under kubectl: the exec transformer is skipped, exit 0.
for env in $ENVS; do
	for region in $REGIONS; do
		o=$env-$region
		dir=$EX/kustomize-exec/overlays/$o
		name=kustomize-exec-$o-kubectl-skips-silently
		kk "$T/spy-plugins" "$dir.kubectl.yaml" "$dir.kubectl.log" "$dir"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			not_ok "$name" "exit $rc:" "$(tail -n 20 "$dir.kubectl.log")"
		elif [ -s "$dir.kubectl.log" ]; then
			not_ok "$name" "exit 0 but kubectl said:" \
				"$(tail -n 20 "$dir.kubectl.log")"
		else
			pycheck "$name" bare "$dir.kubectl.yaml" \
				--ns "$(ns_of "$env" "$region")"
		fi
	done
done
if [ -s "$EXEC_LOG" ] || [ -s "$PLUGIN_LOG" ]; then
	not_ok kustomize-exec-kubectl-starts-nothing \
		"exec path started in: $(cat "$EXEC_LOG")" \
		"legacy plugin started in: $(cat "$PLUGIN_LOG")"
else
	ok kustomize-exec-kubectl-starts-nothing
fi

# 4b. The same overlays without the annotation, under kubectl with the
# plugin: the legacy form, which must give exactly what kubectl-plugin/
# gives.
for env in $ENVS; do
	for region in $REGIONS; do
		o=$env-$region
		dir=$T/unannotated/overlays/$o
		mkdir -p "$T/unannotated/overlays"
		[ -d "$T/unannotated/base" ] ||
			cp -R "$EX/kustomize-exec/base" "$T/unannotated/base"
		cp -R "$EX/kustomize-exec/overlays/$o" "$dir"
		p=kustomize-exec-$o-unannotated
		if ! out=$("$PYTHON" "$T/check.py" strip-exec \
			"$dir/service-profile.yaml" 2>&1); then
			for a in exit-0 output rerun-identical same-as-kubectl-plugin; do
				not_ok "$p-$a" "could not remove the annotation: $out"
			done
			continue
		fi
		run_overlay "$p" "$dir" "$env" "$(ns_of "$env" "$region")" \
			"$(budget_of "$env")"
		same_bytes "$p-same-as-kubectl-plugin" \
			"$EX/kubectl-plugin/overlays/$o.out.yaml" "$dir.out.yaml"
	done
done

# 4c. Standalone kustomize, as the README documents it, from another
# directory (the exec path is relative to the overlay, not to the shell).
if command -v kustomize >/dev/null 2>&1; then
	echo "# kustomize: $(command -v kustomize) $(kustomize version 2>/dev/null)"
	for env in $ENVS; do
		for region in $REGIONS; do
			o=$env-$region
			dir=$EX/kustomize-exec/overlays/$o
			p=kustomize-exec-$o-standalone
			for n in 1 2; do
				(cd "$T" && env -u KUSTOMIZE_PLUGIN_HOME HOME="$T/home" \
					timeout "$TIMEOUT" kustomize build \
					--enable-alpha-plugins --enable-exec "$dir" \
					>"$dir.kustomize$n.yaml" 2>"$dir.kustomize$n.log")
				rc=$?
				[ "$n" = 1 ] && expect_ok "$p-exit-0" "$rc" \
					"$dir.kustomize1.log"
			done
			pycheck "$p-output" output "$dir.kustomize1.yaml" \
				--env "$env" --ns "$(ns_of "$env" "$region")" \
				--budget "$(budget_of "$env")"
			same_bytes "$p-rerun-identical" "$dir.kustomize1.yaml" \
				"$dir.kustomize2.yaml"
		done
	done
else
	for o in $(overlays); do
		for a in exit-0 output rerun-identical; do
			skip "kustomize-exec-$o-standalone-$a" \
				"standalone kustomize not installed (not packaged for Debian)"
		done
	done
fi

# 4d. The exec path of the annotation, resolved from the overlay directory,
# run by kpt's exec runtime on what the transformer receives (kubectl's
# output of 4a: the transformer skipped), with the overlay's
# service-profile.yaml as the functionConfig.
if command -v kpt >/dev/null 2>&1; then
	: >"$EXEC_LOG"
	for env in $ENVS; do
		for region in $REGIONS; do
			o=$env-$region
			dir=$EX/kustomize-exec/overlays/$o
			p=kustomize-exec-$o-exec-path
			if ! path=$("$PYTHON" "$T/check.py" exec-path \
				"$dir/service-profile.yaml" 2>&1); then
				not_ok "$p-exit-0" "$path"
				not_ok "$p-output" "not run: no exec path"
				continue
			fi
			(cd "$dir" && timeout "$TIMEOUT" kpt fn eval - --exec "$path" \
				--fn-config service-profile.yaml <"$dir.kubectl.yaml" \
				>"$dir.kpt.yaml" 2>"$dir.kpt.log")
			rc=$?
			if [ "$rc" -eq 0 ] && [ "$(tail -n 1 "$EXEC_LOG")" != "$dir" ]; then
				not_ok "$p-exit-0" "$path from $dir did not start" \
					"$EX/kustomize-exec/krm-fn"
			else
				expect_ok "$p-exit-0" "$rc" "$dir.kpt.log"
			fi
			pycheck "$p-output" output "$dir.kpt.yaml" --env "$env" \
				--ns "$(ns_of "$env" "$region")" --budget "$(budget_of "$env")"
		done
	done
else
	for o in $(overlays); do
		skip "kustomize-exec-$o-exec-path-exit-0" "kpt not installed"
		skip "kustomize-exec-$o-exec-path-output" "kpt not installed"
	done
fi
exit 0
