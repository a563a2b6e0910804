#!/usr/bin/env python3
"""tests/dataeq.py - data equality of untouched items, by PyYAML.

Usage: dataeq.py gen N OUT.yaml [--stream] [--config]
           write a ResourceList (or a legacy multi-document stream); with
           --config the list carries the seed's ServiceProfile
       dataeq.py compare IN OUT [--stream] [--strip-added]
           exit 0 when every item of OUT equals the one of IN (types
           included), else print why. --strip-added first removes from OUT
           exactly what the cost stage adds (the cost labels on object
           metadata and pod templates, the budget annotations and the
           exact-value annotations) and checks that they were there.

The generated items mix every scalar style and the values that break
naive YAML writers: strings that look like numbers, booleans, nulls,
octal, dates; block scalars with keep/strip chomping; unicode; long
lines; empty collections; anchors and aliases; kpt's annotations.
"""
import sys

import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python fallback
    Loader = yaml.SafeLoader

TRICKY = [
    '"6000"', "'0755'", '"true"', "'yes'", '"no"', '"on"', '"off"', '"~"',
    '"null"', '""', "''", '"1e3"', '"0x1F"', '"1_000"', '"2024-01-01"',
    '"12:30"', '".inf"', '"-.5"', '"+1"', '"a: b"', '"# not a comment"',
    '"- dash"', '"[x]"', '"{y}"', '" leading"', '"trailing "', '"tab\\there"',
    '"line\\nbreak"', '"quote \\" inside"', "'single '' quote'",
    '"unicode café ☃ 日本"', '"\\u00e9scaped"', '"back\\\\slash"', '"*star"',
    '"&amp"', '"!bang"', '"%pct"', '"@at"', '"`tick"', '"|pipe"', '">gt"',
    "plain words here", "6000", "0755", "true", "null", "~", "3.14", "-7",
    "2024-01-01", "1e3", "0o17", "0x1F", ".nan", "-.inf", "CC-12345",
    "alice.johnson@company.com", "http://x.example.com/a?b=c#d",
]


def item(i, out):
    name = "svc-%05d" % i
    out.append("- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n")
    out.append("    name: %s\n    namespace: ns-%d\n" % (name, i % 7))
    out.append("    annotations:\n")
    out.append("      config.kubernetes.io/index: '%d'\n" % (i % 3))
    out.append("      config.kubernetes.io/path: 'pkg/%s.yaml'\n" % name)
    out.append("      internal.config.kubernetes.io/index: '%d'\n" % (i % 3))
    out.append("      internal.config.kubernetes.io/path: 'pkg/%s.yaml'\n" % name)
    out.append("      internal.config.kubernetes.io/seqindent: 'compact'\n")
    out.append('      config.k8s.io/id: "%d"\n' % i)
    out.append("      kustomize.config.k8s.io/id: |\n        group: apps\n"
               "        kind: Deployment\n        name: %s\n" % name)
    out.append("    labels: &labels%d\n      app: %s\n      tier: \"%s\"\n"
               % (i, name, ["web", "1", "true"][i % 3]))
    out.append("  spec:\n    replicas: %d\n    selector:\n"
               "      matchLabels: *labels%d\n" % (i % 5, i))
    out.append("    template:\n      metadata:\n        labels: *labels%d\n"
               % i)
    out.append("      spec:\n        containers:\n        - name: app\n"
               "          image: \"gcr.io/p/%s:v1.%d\"\n" % (name, i))
    out.append("          args: [\"--port\", \"8080\", --verbose]\n")
    out.append("          env:\n")
    for j in range(6):
        v = TRICKY[(i * 7 + j) % len(TRICKY)]
        out.append("          - name: V%d\n            value: %s\n" % (j, v))
    out.append("          - name: SCRIPT\n            value: |\n"
               "              #!/bin/sh\n              echo \"%d\"\n\n"
               "              exit 0\n" % i)
    out.append("          - name: FOLDED\n            value: >-\n"
               "              folded %d\n              text\n" % i)
    out.append("          resources: {limits: {cpu: 500m, memory: 1Gi}, "
               "requests: {}}\n")
    out.append("          ports: []\n")
    out.append("        nodeSelector: {}\n")
    out.append("        tolerations: ~\n")


SEED_PROFILE = """\
functionConfig:
  apiVersion: costmon.dev/v1alpha1
  kind: ServiceProfile
  metadata:
    name: payment-processor
  spec:
    service: payment-processor
    team: payments-team
    environment: prod
    size: large
    costProfile: standard-api-cost
    cost:
      costCenter: CC-12345
      businessUnit: retail-banking
      costOwner: alice.johnson@company.com
    monitoringProfile: api-observability
    monitoring: {prometheus: false}
"""

ADDED_LABELS = {
    "cost.service": "payment-processor", "cost.team": "payments-team",
    "cost.costCenter": "CC-12345", "cost.businessUnit": "retail-banking",
    "cost.owner": "alice.johnson_at_company.com", "cost.environment": "prod",
    "cost.budget": "6000", "monitoring.profile": "api-observability",
}
ADDED_ANNOTATIONS = ("cost.owner", "costmon.dev/budget-amount",
                     "costmon.dev/budget-currency", "costmon.dev/budget-period")


def generated(item):
    """True for the budget record the cost stage appends."""
    md = item.get("metadata") or {}
    return (item.get("kind") == "ConfigMap" and
            (md.get("labels") or {}).get("costmon.dev/record") == "budget")


def strip_added(inp, out):
    """Remove from out what the cost stage adds, checking each is there.
    Returns a problem description or None."""
    def strip_labels(md_in, md_out, where):
        if not isinstance(md_out, dict):
            return "%s: no metadata" % where
        labels = md_out.get("labels") or {}
        for k, v in ADDED_LABELS.items():
            if labels.get(k) != v:
                return "%s.labels.%s: %r, expected %r" % (where, k,
                                                          labels.get(k), v)
            del labels[k]
        # the legacy profile sets region: euw1, the seed profile none
        if labels.get("cost.region") == "euw1":
            del labels["cost.region"]
        if "labels" not in (md_in or {}) and not labels:
            del md_out["labels"]
        return None

    md_in, md_out = inp.get("metadata"), out.get("metadata")
    d = strip_labels(md_in, md_out, "metadata")
    if d:
        return d
    ann = md_out.get("annotations") or {}
    for k in ADDED_ANNOTATIONS:
        if k not in ann:
            return "metadata.annotations.%s missing" % k
        del ann[k]
    if "annotations" not in (md_in or {}) and not ann:
        del md_out["annotations"]
    kind = inp.get("kind")
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                "Job", "ReplicationController"):
        t_in = inp["spec"]["template"]
        t_out = out["spec"]["template"]
        return strip_labels(t_in.get("metadata"), t_out.get("metadata"),
                            "spec.template.metadata")
    return None


def gen(n, path, stream, config=False):
    out = []
    if not stream:
        out.append("apiVersion: config.kubernetes.io/v1\n"
                   "kind: ResourceList\nitems:\n")
    for i in range(n):
        if stream:
            body = []
            item(i, body)
            text = "".join(body)
            # turn "- key" / "  key" list item into a top-level document
            lines = [ln[2:] for ln in text.splitlines()]
            out.append("---\n" + "\n".join(lines) + "\n")
        else:
            item(i, out)
    if config and not stream:
        out.append(SEED_PROFILE)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(out))


def load_items(path, stream):
    with open(path, encoding="utf-8") as f:
        if stream:
            return [d for d in yaml.load_all(f, Loader=Loader) if d is not None]
        doc = yaml.load(f, Loader=Loader)
        return doc.get("items") or []


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return "%s: %r (%s) != %r (%s)" % (path, a, type(a).__name__, b,
                                           type(b).__name__)
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            return "%s: keys %r != %r" % (path, list(a), list(b))
        for k in a:
            d = first_difference(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: length %d != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != a and b != b:  # NaN
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)


def compare(inp, outp, stream, strip=False):
    a = load_items(inp, stream)
    b = load_items(outp, stream)
    if strip:
        extra = [y for y in b if generated(y)]
        if len(extra) != 1 or not generated(b[-1]):
            print("expected one budget record at the end, found %d" % len(extra))
            return 1
        b = b[:-1]
    if len(a) != len(b):
        print("item count %d != %d" % (len(a), len(b)))
        return 1
    for i, (x, y) in enumerate(zip(a, b)):
        if strip:
            d = strip_added(x, y)
            if d:
                print("items[%d]: %s" % (i, d))
                return 1
        d = first_difference(x, y, "items[%d]" % i)
        if d:
            print(d)
            return 1
    print("%d items data-equal%s" % (len(a), " once the cost labels and "
                                     "annotations are removed" if strip
                                     else ""))
    return 0


def main(argv):
    flags = {a for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    stream = "--stream" in flags
    if len(args) == 4 and args[1] == "gen":
        gen(int(args[2]), args[3], stream, "--config" in flags)
        return 0
    if len(args) == 4 and args[1] == "compare":
        return compare(args[2], args[3], stream, "--strip-added" in flags)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
