#!/usr/bin/env bash
# tests/presets.sh - label presets (spec.labels.preset) on every object
# and pod template, with values that are awkward for the target tool:
#   gke: every preset key and value on every object is a valid GCP label
#        (keys: lowercase letter first, [a-z0-9_-], <= 63; values
#        [a-z0-9_-], <= 63), even for a cost center "CC-12345", a
#        business unit "Retail Banking" and an owner's email address;
#   opencost and kubecost: the five default allocation keys (app, team,
#        department, owner, env) are on every pod template;
#   replace: the cost.* keys the preset covers are gone, the others stay.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=$PYTHON

if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "presets" "$PY with PyYAML is missing (Debian package python3-yaml)"
	exit 0
fi

input() { # preset mode
	cat <<EOF2
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: billing-api, namespace: prod-billing}
  spec:
    selector: {matchLabels: {name: billing-api}}
    template:
      metadata: {labels: {name: billing-api}}
      spec: {containers: [{name: app, image: example/billing:1}]}
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: billing-export, namespace: prod-billing}
  spec:
    schedule: "0 1 * * *"
    jobTemplate:
      spec:
        template:
          spec: {restartPolicy: Never, containers: [{name: c, image: example/export:1}]}
functionConfig:
  apiVersion: costmon.dev/v1alpha1
  kind: ServiceProfile
  metadata: {name: billing-api}
  spec:
    service: billing-api
    team: Billing.Team
    environment: prod
    region: eu-west-1
    size: small
    costProfile: worker-cost
    cost: {costCenter: CC-12345, businessUnit: Retail Banking, costOwner: Dana.Smith@Example.com}
    labels: {preset: $1, presetMode: $2}
EOF2
}

for preset in gke opencost kubecost; do
	for mode in add replace; do
		name="presets: $preset ($mode)"
		input $preset $mode >"$T/in.yaml"
		if ! "$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; then
			not_ok "$name" "krm-fn failed" "$(head -5 "$T/err")"
			continue
		fi
		if msg=$("$PY" - "$T/out.yaml" "$preset" "$mode" <<'PY' 2>&1
import re, sys, yaml
out, preset, mode = sys.argv[1:4]
doc = yaml.safe_load(open(out))
GCP_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
GCP_VAL = re.compile(r"^[a-z0-9_-]{0,63}$")
KEYS = {"gke": ["cost_service", "cost_team", "cost_center", "cost_business_unit",
                "cost_owner", "cost_environment", "cost_region"],
        "opencost": ["app", "team", "department", "owner", "env"],
        "kubecost": ["app", "team", "department", "owner", "env"]}[preset]
COVERED = {"gke": ["cost.service", "cost.team", "cost.costCenter", "cost.businessUnit",
                   "cost.owner", "cost.environment", "cost.region"],
           "opencost": ["cost.service", "cost.team", "cost.businessUnit", "cost.owner",
                        "cost.environment"]}
COVERED["kubecost"] = COVERED["opencost"]
problems, places = [], 0

def check(labels, where, want_app=True):
    global places
    places += 1
    for k in KEYS:
        if k == "app" and k in labels and labels[k] != "billing-api" and not want_app:
            continue
        if k not in labels:
            problems.append("%s: no %s" % (where, k))
            continue
        if preset == "gke" and not (GCP_KEY.match(k) and GCP_VAL.match(labels[k])):
            problems.append("%s: %s=%r is not a valid GCP label" % (where, k, labels[k]))
    for k in COVERED[preset]:
        if mode == "replace" and k in labels:
            problems.append("%s: %s still there in replace mode" % (where, k))
        if mode == "add" and k not in labels:
            problems.append("%s: %s missing in add mode" % (where, k))
    if "cost.budget" not in labels:
        problems.append("%s: cost.budget (no preset key) missing" % where)

for it in doc["items"]:
    md = it["metadata"]
    if it["kind"] in ("Deployment", "CronJob"):
        check(md["labels"], "%s metadata" % it["kind"])
        t = it["spec"]["template"] if it["kind"] == "Deployment" else \
            it["spec"]["jobTemplate"]["spec"]["template"]
        check(t["metadata"]["labels"], "%s pod template" % it["kind"])
if preset == "gke":
    v = doc["items"][0]["metadata"]["labels"]
    if v.get("cost_owner") != "dana_smith_at_example_com" or v.get("cost_center") != "cc-12345" \
            or v.get("cost_business_unit") != "retail_banking" or v.get("cost_team") != "billing_team":
        problems.append("gke values not as expected: %r" % v)
print("\n".join(problems) if problems else "%d label sets checked" % places)
sys.exit(1 if problems else 0)
PY
); then
			ok "$name ($msg)"
		else
			not_ok "$name" "$msg"
		fi
	done
done
