"""tests/failures.py - inputs and checks for tests/failures.sh.

  failures.py rl SPEC_YAML [--no-config] [--extra ITEMS_YAML]  > input
      A ResourceList: the seed service's items (Namespace, Deployment,
      Service) and a ServiceProfile functionConfig whose spec is the
      seed's, merged with SPEC_YAML (a YAML mapping; null deletes a key).
      --no-config leaves the functionConfig out; --profile-item puts the
      ServiceProfile among the items instead (--two-profiles: two of
      them); --stale-label gives the Service a cost.team label of another
      value (a warning when overwritten).
  failures.py items [--stale-label] > resources.yaml
      The items alone, as a multi-document stream.
  failures.py profile SPEC_YAML > profile.yaml
      The same ServiceProfile alone (legacy mode, kustomize, kpt).
  failures.py same-items INPUT OUTPUT
      Exit 0 when OUTPUT's items equal INPUT's (data equality), else 1.
  failures.py results OUTPUT
      Print OUTPUT's results messages, one a line.
"""
import copy
import sys

import yaml

SEED_SPEC = {
    "service": "payment-processor",
    "team": "payments-team",
    "environment": "prod",
    "region": "euw1",
    "size": "large",
    "costProfile": "standard-api-cost",
    "cost": {
        "costCenter": "CC-12345",
        "businessUnit": "retail-banking",
        "costOwner": "alice.johnson@company.com",
    },
    "monitoringProfile": "api-observability",
    "namespace": "prod-payment-processor-euw1-stable",
    "monitoring": {"prometheus": True, "dynatrace": False},
}

ITEMS = yaml.safe_load("""
- apiVersion: v1
  kind: Namespace
  metadata:
    name: prod-payment-processor-euw1-stable
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: payment-processor
    namespace: prod-payment-processor-euw1-stable
    labels: {app: payment-processor}
  spec:
    replicas: 3
    selector:
      matchLabels: {app: payment-processor}
    template:
      metadata:
        labels: {app: payment-processor}
      spec:
        containers:
        - name: app
          image: gcr.io/project/payment-processor:v1.0.0
          ports: [{name: http, containerPort: 8080}]
- apiVersion: v1
  kind: Service
  metadata:
    name: payment-processor
    namespace: prod-payment-processor-euw1-stable
    labels: {app: payment-processor}
  spec:
    selector: {app: payment-processor}
    ports: [{name: http, port: 80, targetPort: 8080}]
""")


def merge(base, patch):
    for k, v in patch.items():
        if v is None:
            base.pop(k, None)
        elif isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = v
    return base


def profile(spec_yaml):
    spec = merge(copy.deepcopy(SEED_SPEC), yaml.safe_load(spec_yaml) or {})
    return {
        "apiVersion": "costmon.dev/v1alpha1",
        "kind": "ServiceProfile",
        "metadata": {
            "name": "payment-processor",
            "annotations": {"config.kubernetes.io/local-config": "true"},
        },
        "spec": spec,
    }


def dump(doc):
    sys.stdout.write(yaml.safe_dump(doc, sort_keys=False))


def main(argv):
    cmd = argv[1]
    if cmd == "rl":
        rl = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
              "items": copy.deepcopy(ITEMS)}
        prof = profile(argv[2])
        if "--stale-label" in argv:
            svc = rl["items"][2]["metadata"]["labels"]
            svc["cost.team"] = "old-team"
        if "--two-profiles" in argv:
            rl["items"].append(profile(argv[2]))
            rl["items"][-1]["metadata"]["name"] = "other"
        if "--profile-item" in argv or "--two-profiles" in argv:
            rl["items"].append(prof)
        elif "--no-config" not in argv:
            rl["functionConfig"] = prof
        dump(rl)
    elif cmd == "profile":
        dump(profile(argv[2]))
    elif cmd == "items":
        items = copy.deepcopy(ITEMS)
        if "--stale-label" in argv:
            items[2]["metadata"]["labels"]["cost.team"] = "old-team"
        sys.stdout.write(yaml.safe_dump_all(items, sort_keys=False))
    elif cmd == "same-items":
        a = yaml.safe_load(open(argv[2]))
        b = yaml.safe_load(open(argv[3]))
        return 0 if a.get("items") == b.get("items") else 1
    elif cmd == "results":
        doc = yaml.safe_load(open(argv[2])) or {}
        for r in doc.get("results") or []:
            print("%s: %s" % (r.get("severity"), r.get("message")))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
