#!/usr/bin/env python3
"""tests/monitoring.py - helpers of the promtool and schema suites.

Usage: monitoring.py rules KRM_OUT RULES [--no-annotations]
           write every PrometheusRule's spec.groups of the ResourceList
           KRM_OUT to RULES (a Prometheus rule file); print the number of
           recording and alerting rules, "RECORDS ALERTS". With
           --no-annotations the rules keep their expr, for and labels but
           lose their annotations, so promtool unit tests need not repeat
           the description texts (templates are checked by
           `promtool check rules` on the full file).
       monitoring.py split KRM_OUT DIR
           write each ServiceMonitor and PrometheusRule of KRM_OUT to
           DIR/<Kind>.<name>.yaml; print the paths, one a line.
       monitoring.py validate CRD OBJECT
           validate OBJECT (a YAML file holding one object) against the
           v1 openAPIV3Schema of the CustomResourceDefinition in CRD, the
           way the API server does with strict field validation: the
           schema with jsonschema's Draft 7 validator (the
           x-kubernetes-* keywords are ignored), unknown fields rejected,
           and the ObjectMeta rules that no CRD schema carries (name,
           namespace, label and annotation syntax). Exit 0 when valid, 1
           with one line per problem when not, 2 when it cannot check.

Only PyYAML and jsonschema (python3-yaml, python3-jsonschema) are used.
"""
import copy
import os
import re
import sys

import yaml


class Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as strings, as JSON would."""


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader)


def items(path):
    doc = load(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        sys.exit("%s: not a ResourceList with items" % path)
    return [i for i in doc["items"] if isinstance(i, dict)]


def cmd_rules(krm_out, out, no_annotations=False):
    groups = []
    for it in items(krm_out):
        if it.get("kind") == "PrometheusRule":
            groups.extend(copy.deepcopy((it.get("spec") or {}).get("groups") or []))
    records = alerts = 0
    for g in groups:
        for r in g.get("rules") or []:
            records += "record" in r
            alerts += "alert" in r
            if no_annotations:
                r.pop("annotations", None)
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": groups}, f, sort_keys=False, width=1 << 20)
    print(records, alerts)


def cmd_split(krm_out, outdir):
    for it in items(krm_out):
        if it.get("kind") not in ("ServiceMonitor", "PrometheusRule"):
            continue
        name = (it.get("metadata") or {}).get("name", "unnamed")
        path = os.path.join(outdir, "%s.%s.yaml" % (it["kind"], name))
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(it, f, sort_keys=False, width=1 << 20)
        print(path)


# ---- validation ----

def crd_schema(crd_path, version="v1"):
    crd = load(crd_path)
    for v in (crd.get("spec") or {}).get("versions") or []:
        if v.get("name") == version:
            return crd["spec"]["names"]["kind"], v["schema"]["openAPIV3Schema"]
    raise ValueError("%s has no version %s" % (crd_path, version))


def strict(schema):
    """The schema as the API server applies it with strict field
    validation: an object schema that lists its properties and does not
    preserve unknown fields rejects any other field. Go's (?i) flag after
    ^ is moved first for Python's re."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if isinstance(out.get("pattern"), str) and out["pattern"].startswith("^(?i)"):
        out["pattern"] = "(?i)^" + out["pattern"][5:]
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def key_problem(key):
    """Why key is not a valid label or annotation key, or None."""
    if not isinstance(key, str):
        return "is not a string"
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        return "has an invalid prefix"
    if not name or len(name) > 63 or not QUALIFIED_NAME.match(name):
        return "has an invalid name part"
    return None


def meta_problems(obj):
    md = obj.get("metadata")
    if not isinstance(md, dict):
        return ["metadata: missing or not a mapping"]
    out = []
    name = md.get("name")
    if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        out.append("metadata.name: %r is not a DNS-1123 subdomain" % (name,))
    ns = md.get("namespace")
    if ns is not None and (not isinstance(ns, str) or len(ns) > 63
                           or not DNS1123_LABEL.match(ns)):
        out.append("metadata.namespace: %r is not a DNS-1123 label" % (ns,))
    for field in ("labels", "annotations"):
        m = md.get(field)
        if m is None:
            continue
        if not isinstance(m, dict):
            out.append("metadata.%s: not a mapping" % field)
            continue
        for k, v in m.items():
            why = key_problem(k)
            if why:
                out.append("metadata.%s: key %r %s" % (field, k, why))
            if not isinstance(v, str):
                out.append("metadata.%s.%s: value %r is not a string" % (field, k, v))
            elif field == "labels" and (len(v) > 63 or not LABEL_VALUE.match(v)):
                out.append("metadata.labels.%s: %r is not a valid label value" % (k, v))
    return out


def cmd_validate(crd_path, obj_path):
    try:
        import jsonschema
    except ImportError as e:  # the suite checks this first
        print("cannot import jsonschema: %s" % e)
        return 2
    try:
        kind, schema = crd_schema(crd_path)
        obj = load(obj_path)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as e:
        print("cannot read: %s" % e)
        return 2
    if not isinstance(obj, dict):
        print("%s: not a mapping" % obj_path)
        return 1
    problems = []
    if obj.get("kind") != kind:
        problems.append("kind: %r, the CRD is for %s" % (obj.get("kind"), kind))
    cls = jsonschema.Draft7Validator
    cls.check_schema(schema)
    v = cls(strict(schema))
    for e in sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        path = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p
                       for p in e.absolute_path).lstrip(".") or "(root)"
        problems.append("%s: %s" % (path, e.message))
    problems += meta_problems(obj)
    for p in problems:
        print(p)
    return 1 if problems else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "rules":
        cmd_rules(argv[2], argv[3], "--no-annotations" in argv[4:])
        return 0
    if len(argv) == 4 and argv[1] == "split":
        cmd_split(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "validate":
        return cmd_validate(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
