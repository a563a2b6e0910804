#!/usr/bin/env bash
# tests/e2e.sh - end-to-end suite: krm-fn run by the real orchestrators
# installed on this machine, on the example packages in testdata/e2e/
# (see testdata/e2e/README.md):
#
#   kpt fn eval --exec       imperative run, ConfigMap functionConfig from
#                            `-- key=value` arguments
#   kpt fn render --allow-exec  Kptfile pipeline, ServiceProfile configPath
#   kubectl kustomize --enable-alpha-plugins
#                            legacy exec plugin installed by
#                            `make install-plugin`, ServiceProfile as a
#                            transformer
#
# Each orchestrator runs the seed example (payment-processor, size large,
# standard-api-cost, api-observability) in each of int-stable, pre-stable
# and prod, where the budget is 1000, 3000 and 6000. For every run,
# `yamleq.py cost` compares the output with the input as parsed YAML,
# types included ("6000" is a string; comments are ignored), one check
# per aspect:
#
#   objects                 the same objects (files, documents) come out
#   labels                  every object that is neither local-config nor a
#                           costmon.dev object has the 8 cost labels with
#                           the seed's values, each a string
#   budget-annotations      cost.owner (the exact e-mail),
#                           costmon.dev/budget-amount, -currency and
#                           -period, and no costmon.dev/budget (the full
#                           record is in ConfigMap <service>-budget only)
#   pod-templates           the 8 labels on every workload pod template
#                           (the Deployment's at least; CronJob: job
#                           template and its pod template)
#   selectors               spec.selector (Deployment matchLabels, Service,
#                           PodDisruptionBudget) equal to the input; in
#                           kpt's files a block-style selector also keeps
#                           its bytes
#   local-config-unchanged  local-config and costmon.dev items equal to the
#                           input (kpt; for kubectl: the plugin's stream)
#   local-config-dropped    kubectl only: local-config inputs are absent
#                           from kubectl's final output
#   rest-unchanged          every object equal to the input once exactly
#                           the keys costmon adds are removed
#
# and a second run on the first run's output must change nothing, byte for
# byte. The cost aspects leave out the monitoring objects costmon
# generates (they are new); `yamleq.py monitoring` checks them, for every
# orchestrator and environment (monitoringProfile api-observability,
# prometheus and dynatrace on, the seed's prod SLO overrides; namespace
# <env>-payment-processor-euw1-stable, from spec.namespace for render and
# kubectl, from the workload for eval):
#
#   generated-objects       ServiceMonitor payment-processor-monitor,
#                           PrometheusRules payment-processor-recording-rules
#                           and -alert-rules, ConfigMaps
#                           payment-processor-dynatrace-config and
#                           payment-processor-dashboard, the budget
#                           record ConfigMap payment-processor-budget and
#                           PrometheusRule payment-processor-budget-alerts:
#                           each once, in the environment's namespace
#   budget-record           the record's budget.json is canonical JSON
#                           whose name, amount, currency, period,
#                           environment, size and profile match
#   generated-labels        the 8 cost labels (cost.budget of the
#                           environment) and the budget annotations
#   servicemonitor          matchLabels = the Service's own labels, no
#                           namespaceSelector, one endpoint, port http
#   alert-threshold         PaymentProcessorHighErrorRate: 1h/5m clause
#                           above 0.0072 in prod (14.4 x 0.05 %), 0.0144
#                           elsewhere (14.4 x 0.1 %), on the namespace,
#                           reading series the recording rules define
#   dynatrace-json          application.json is JSON: metadata.environment,
#                           namespace, name; the environment's SLOs
#   dashboard               ConfigMap payment-processor-dashboard: label
#                           grafana_dashboard "1", key
#                           payment-processor_<env>.json holding JSON with
#                           that uid and the namespace in every query
#   generated-annotations   no annotation but costmon's own in the output
#   generated-files         kpt: each alone in a new file of its own
#   orchestrator-annotations  in the function's own streams (a spy in its
#                           place keeps them), of both runs: every item
#                           carries exactly the orchestrator annotations
#                           (kpt path/index/ids, kustomize ids) it came
#                           with, none for a new object: nothing is copied
#                           from another item
#
# plus, for kpt, generated-same-files: the second run leaves every
# generated object in its file, once. For kubectl, the plugin run by hand
# on its own output stream changes no byte; on kubectl's re-serialised
# output (keys sorted, long strings folded) it changes no data, key
# order included.
#
# Failures: an unknown key or field makes the orchestrator fail and name
# it; an environment the cost profile lacks (qa) makes it fail and
# list int-stable, pre-stable, prod. A platform team's CostProfile item
# (testdata/e2e/cost-profile.yaml, local-config, prod base 4000) replaces
# the built-in of the same name under every orchestrator: prod budget 8000.
#
# A missing orchestrator (or python3 with PyYAML for the comparisons)
# skips its checks. Everything runs on copies in a temp dir; nothing is
# written into the repository.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
# tmpdir lives under $TEST_TMP when run by tests/run.sh; clean up anyway
# when the suite is run on its own.
trap 'rm -rf "$T"' EXIT
E2E=$ROOT/testdata/e2e
TIMEOUT=${E2E_TIMEOUT:-120}

# The seed example as `kpt fn eval` arguments (environment added per run);
# testdata/e2e/{render,kustomize}/profile.yaml hold the same.
SEED_ARGS=(service=payment-processor team=payments-team size=large
	costProfile=standard-api-cost costCenter=CC-12345
	businessUnit=retail-banking costOwner=alice.johnson@company.com
	monitoringProfile=api-observability prometheus=true dynatrace=true)
# The seed's monitoring.overrides.prod, as flat keys: they apply to the
# configured environment, so only prod runs get them.
PROD_SLO_ARGS=(sloAvailability=99.99 sloErrorRate=0.05 sloLatencyP95ms=200)
ENVS="int-stable pre-stable prod"
# The seed's budget in ENV: base (500 / 1500 / 3000) x 2 (large).
budget_of() {
	case $1 in
	int-stable) echo 1000 ;;
	pre-stable) echo 3000 ;;
	prod) echo 6000 ;;
	esac
}
# The seed's namespace in ENV. The fixtures hold prod's; the suite
# rewrites it in its copies (resources and profiles).
FIXTURE_NS=prod-payment-processor-euw1-stable
ns_of() {
	echo "$1-payment-processor-euw1-stable"
}
# The page threshold of PaymentProcessorHighErrorRate in ENV (its 1h/5m
# clause): 14.4 x the error budget, the error-rate SLO as a fraction.
# prod: the seed's override 0.05 % -> 14.4 x 0.0005; elsewhere the
# profile's default 0.1 % -> 14.4 x 0.001.
threshold_of() {
	case $1 in
	prod) echo 0.0072 ;;
	*) echo 0.0144 ;;
	esac
}
# The SLOs of application.json in ENV: availability, error rate, p95
# latency (ms); prod: the seed's overrides, elsewhere the profile's.
slo_of() {
	case $1 in
	prod) echo 99.99,0.05,200 ;;
	*) echo 99.9,0.1,500 ;;
	esac
}
# env_args ENV: the kpt fn eval arguments for ENV, into the array ARGS.
env_args() {
	ARGS=("${SEED_ARGS[@]}" environment="$1")
	if [ "$1" = prod ]; then ARGS+=("${PROD_SLO_ARGS[@]}"); fi
}
# The prod budget with testdata/e2e/cost-profile.yaml: 4000 x 2.
OVERRIDE_BUDGET=8000
# The messages for environment=qa must list the profile's environments.
ENV_LIST='int-stable, pre-stable, prod'

# --- helpers ---------------------------------------------------------------

# The YAML comparison tool: python3 + PyYAML.
cat >"$T/yamleq.py" <<'PY'
"""yamleq.py - YAML data checks for the e2e suite, strict about scalar
types ("6000" is a string, 6000 a number; comments are ignored).

  yamleq.py objs ACTUAL EXPECTED...
      the objects of the ACTUAL stream equal those of the EXPECTED files,
      keyed by apiVersion/kind/namespace/name.
  yamleq.py cost --env ENV --budget N [--ordered] [--kustomize-output]
                 ACTUAL INPUT...
      costmon's output ACTUAL checked against its input, for the seed
      ServiceProfile (SEED below) in environment ENV with budget N.
      ACTUAL and a single INPUT that are directories are kpt packages:
      files paired by path, documents by position, and a block-style
      selector must also keep its bytes. Otherwise ACTUAL is a
      stream and the INPUT files hold the input objects, paired by
      apiVersion/kind/namespace/name (by position with --ordered).
      --kustomize-output: ACTUAL is kustomize's final output: kustomize's
      own annotations are ignored on both sides and local-config inputs
      must be absent from it (kustomize drops them).
      Prints "ASPECT<TAB>problem" per problem (ASPECTS below).
      The monitoring objects costmon generates (GENERATED below) are left
      out on both sides: they are new, and `monitoring` checks them.
  yamleq.py monitoring --env ENV --budget N --ns NS --threshold T
                 --slo AVAILABILITY,ERRORRATE,LATENCY [--input DIR]
                 [--stream IN OUT]... ACTUAL
      the generated objects in ACTUAL (a kpt package directory, or a
      stream) for the seed in ENV: each once, in namespace NS, labelled
      and annotated like every other object; the ServiceMonitor selects
      the Service's own labels on port http; PaymentProcessorHighErrorRate
      fires above T in its 1h/5m clause; application.json is JSON for ENV
      with these SLOs; no orchestrator annotation on them. --input (kpt):
      each sits alone in a file of its own that the input package lacks.
      --stream: the function's own input and output streams of one run
      (ResourceLists or YAML streams): every output item carries exactly
      the orchestrator annotations the same item had in the input (none
      for a new one), so nothing was copied from another item.
      Prints "ASPECT<TAB>problem" per problem (MON_ASPECTS below) and
      "note<TAB>text" for information.
  yamleq.py same-files DIR1 DIR2
      each generated object occurs once in each kpt package, in the same
      file at the same position, and DIR2 has no file DIR1 lacks.
  yamleq.py same-data A B
      the YAML streams A and B hold the same documents in the same order:
      the same keys in the same order, the same values and types
      (layout, quoting and line folding aside).
  yamleq.py has-local STREAM KIND NAME
      STREAM holds a KIND named NAME annotated local-config.
  yamleq.py field-error RESULTS_YAML PATH TEXT
      the kpt FunctionResultList holds an error result for field PATH
      whose message contains TEXT.
Exit 0 when all is well; 1 with the problems on stdout; 2 on a usage
error or a crash of this script.
"""
import copy
import json
import os
import re
import sys

import yaml

# The seed example's labels; cost.environment and cost.budget come from
# --env and --budget.
SEED = {
    "cost.service": "payment-processor",
    "cost.team": "payments-team",
    "cost.costCenter": "CC-12345",
    "cost.businessUnit": "retail-banking",
    "cost.owner": "alice.johnson_at_company.com",
    "cost.environment": None,
    "cost.budget": None,
    "monitoring.profile": "api-observability",
}
OWNER = "alice.johnson@company.com"
PROFILE = "standard-api-cost"
SIZE = "large"
CURRENCY = "USD"
# What costmon adds: these labels (object metadata and pod templates) and
# these annotations (object metadata only).
COST_LABELS = tuple(SEED)
COST_ANNOTATIONS = ("cost.owner", "costmon.dev/budget-amount",
                    "costmon.dev/budget-currency", "costmon.dev/budget-period")
# Where the pod templates are, by kind.
TEMPLATES = {k: [("spec", "template")] for k in (
    "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
    "ReplicationController")}
TEMPLATES["CronJob"] = [("spec", "jobTemplate"),
                        ("spec", "jobTemplate", "spec", "template")]
ASPECTS = ("objects", "labels", "budget-annotations", "pod-templates",
           "selectors", "local-config-unchanged", "local-config-dropped",
           "rest-unchanged")
LOCAL = "config.kubernetes.io/local-config"
KUSTOMIZE_OWN = ("kustomize.config.k8s.io/", "internal.config.kubernetes.io/",
                 "config.kubernetes.io/origin",
                 "alpha.config.kubernetes.io/transformations")
# The annotations kpt and kustomize keep their bookkeeping in (file path
# and index, ids, sequence indent...).
ORCHESTRATOR = ("internal.config.kubernetes.io/", "config.kubernetes.io/",
                "config.k8s.io/", "kustomize.config.k8s.io/")
# The monitoring objects costmon generates for the seed (monitoring profile
# api-observability, prometheus and dynatrace on).
SERVICE = "payment-processor"
GENERATED = (
    ("monitoring.coreos.com/v1", "ServiceMonitor", SERVICE + "-monitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule",
     SERVICE + "-recording-rules"),
    ("monitoring.coreos.com/v1", "PrometheusRule", SERVICE + "-alert-rules"),
    ("v1", "ConfigMap", SERVICE + "-dynatrace-config"),
    ("v1", "ConfigMap", SERVICE + "-budget"),
    ("monitoring.coreos.com/v1", "PrometheusRule", SERVICE + "-budget-alerts"),
    ("v1", "ConfigMap", SERVICE + "-dashboard"),
)
GENERATED_IDS = {(k, n) for _, k, n in GENERATED}
ALERT = "PaymentProcessorHighErrorRate"
ENDPOINT_PORT = "http"
MON_ASPECTS = ("generated-objects", "budget-record", "generated-labels", "servicemonitor",
               "alert-threshold", "dynatrace-json", "dashboard",
               "generated-annotations",
               "generated-files", "orchestrator-annotations")


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load_items(path):
    """The objects of a YAML stream, or the items of a ResourceList."""
    docs = load(path)
    if (len(docs) == 1 and isinstance(docs[0], dict)
            and docs[0].get("kind") == "ResourceList"):
        return [o for o in docs[0].get("items") or [] if o is not None]
    return docs


def diff(a, b, path, out):
    if len(out) >= 10:
        return
    if type(a) is not type(b):
        out.append("%s: %s %r != %s %r" % (path or "/", type(a).__name__, a,
                                           type(b).__name__, b))
    elif isinstance(a, dict):
        for k in a:
            if k not in b:
                out.append("%s/%s: only in the output" % (path, k))
            else:
                diff(a[k], b[k], "%s/%s" % (path, k), out)
        for k in b:
            if k not in a:
                out.append("%s/%s: only in the input" % (path, k))
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append("%s: %d items != %d items" % (path or "/", len(a),
                                                     len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: %r != %r" % (path or "/", a, b))


def meta(o):
    m = o.get("metadata") if isinstance(o, dict) else None
    return m if isinstance(m, dict) else {}


def key(o):
    if not isinstance(o, dict):
        return repr(o)
    md = meta(o)
    return "%s/%s/%s/%s" % (o.get("apiVersion"), o.get("kind"),
                            md.get("namespace", ""), md.get("name"))


def get(o, path):
    for p in path:
        if not isinstance(o, dict):
            return None
        o = o.get(p)
    return o


def is_local(o):
    v = (meta(o).get("annotations") or {}).get(LOCAL)
    return v is not None and v != "false" and v is not False


def is_generated(o):
    return (isinstance(o, dict)
            and (o.get("kind"), meta(o).get("name")) in GENERATED_IDS)


def orchestrator_annotations(o):
    ann = meta(o).get("annotations")
    if not isinstance(ann, dict):
        return {}
    return {k: v for k, v in ann.items()
            if isinstance(k, str) and k.startswith(ORCHESTRATOR)}


def is_costmon(o):
    return str(o.get("apiVersion", "")).startswith("costmon.dev/")


def strip_kustomize(o):
    ann = meta(o).get("annotations")
    if isinstance(ann, dict):
        for k in list(ann):
            if k.startswith(KUSTOMIZE_OWN):
                del ann[k]
        if not ann:
            del o["metadata"]["annotations"]
    return o


def strip_keys(parent, name, keys, inp_parent):
    """Remove from parent[name] the keys that the input's inp_parent[name]
    lacks; then parent[name] itself when emptied and not in the input."""
    if not isinstance(parent, dict) or not isinstance(parent.get(name), dict):
        return
    inp = inp_parent.get(name) if isinstance(inp_parent, dict) else None
    inp = inp if isinstance(inp, dict) else {}
    d = parent[name]
    for k in keys:
        if k not in inp:
            d.pop(k, None)
    if not d and not (isinstance(inp_parent, dict) and name in inp_parent):
        del parent[name]


def strip_cost(a, e):
    """a without exactly what costmon adds to the input e."""
    a = copy.deepcopy(a)
    strip_keys(a.get("metadata"), "labels", COST_LABELS, e.get("metadata"))
    strip_keys(a.get("metadata"), "annotations", COST_ANNOTATIONS,
               e.get("metadata"))
    for p in TEMPLATES.get(a.get("kind"), []):
        t, et = get(a, p), get(e, p)
        if isinstance(t, dict):
            strip_keys(t.get("metadata"), "labels", COST_LABELS,
                       (et or {}).get("metadata"))
            strip_keys(t, "metadata", (), et)
    return a


class Checker:
    def __init__(self, env, budget):
        self.want = dict(SEED, **{"cost.environment": env,
                                  "cost.budget": budget})
        self.env, self.budget = env, budget
        self.problems = []
        self.labelled = 0
        self.deployment_templates = 0
        self.selector_kinds = set()
        self.local = 0
        self.budget_json = set()

    def fail(self, aspect, fmt, *args):
        if sum(1 for p in self.problems if p[0] == aspect) < 20:
            self.problems.append((aspect, fmt % args))

    def labels(self, aspect, where, labels):
        if not isinstance(labels, dict):
            self.fail(aspect, "%s: no labels", where)
            return
        for k, v in self.want.items():
            got = labels.get(k)
            if type(got) is not str or got != v:
                self.fail(aspect, "%s: label %s is %s %r, want string %r",
                          where, k, type(got).__name__, got, v)

    def annotations(self, name, ann, aspect="budget-annotations"):
        if not isinstance(ann, dict):
            self.fail(aspect, "%s: no annotations", name)
            return
        want = {"cost.owner": OWNER,
                "costmon.dev/budget-amount": self.budget,
                "costmon.dev/budget-currency": CURRENCY,
                "costmon.dev/budget-period": "monthly"}
        for k, v in want.items():
            got = ann.get(k)
            if type(got) is not str or got != v:
                self.fail(aspect,
                          "%s: annotation %s is %s %r, want string %r",
                          name, k, type(got).__name__, got, v)
        if "costmon.dev/budget" in ann:
            self.fail(aspect, "%s: the whole record is still stamped on "
                      "the object (costmon.dev/budget)", name)

    def record(self, name, text, aspect="budget-record"):
        try:
            j = json.loads(text)
        except (TypeError, ValueError) as exc:
            self.fail(aspect,
                      "%s: budget.json %r is not JSON: %s",
                      name, text, exc)
            return
        self.budget_json.add(text)
        canon = json.dumps(j, separators=(",", ":"), ensure_ascii=False)
        if canon != text:
            self.fail(aspect,
                      "%s: budget.json is not canonical JSON: %r",
                      name, text)
        want = {"amount": self.budget, "currency": CURRENCY,
                "period": "monthly", "name": "%s-%s" % (SERVICE, self.env),
                "environment": self.env, "size": SIZE, "profile": PROFILE}
        for k, v in want.items():
            if not isinstance(j, dict) or j.get(k) != v:
                self.fail(aspect,
                          "%s: budget.json .%s is %r, want %r", name,
                          k, j.get(k) if isinstance(j, dict) else j, v)

    def pair(self, a, e, where):
        name = "%s (%s)" % (key(e), where)
        if not isinstance(a, dict) or not isinstance(e, dict):
            self.fail("objects", "%s: not a mapping", name)
            return
        if key(a) != key(e):
            self.fail("objects", "%s: output has %s in its place", name,
                      key(a))
            return
        if is_local(e) or is_costmon(e):
            self.local += 1
            d = []
            diff(a, e, "", d)
            for x in d:
                self.fail("local-config-unchanged", "%s: %s", name, x)
            return
        self.labelled += 1
        self.labels("labels", name, meta(a).get("labels"))
        self.annotations(name, meta(a).get("annotations"))
        for p in TEMPLATES.get(e.get("kind"), []):
            self.labels("pod-templates", "%s %s" % (name, ".".join(p)),
                        get(a, p + ("metadata", "labels")))
            if e.get("kind") == "Deployment":
                self.deployment_templates += 1
        se = get(e, ("spec", "selector"))
        if se is not None:
            self.selector_kinds.add(e.get("kind"))
            d = []
            diff(get(a, ("spec", "selector")), se, "/spec/selector", d)
            for x in d:
                self.fail("selectors", "%s: %s", name, x)
        d = []
        diff(strip_cost(a, e), e, "", d)
        for x in d:
            self.fail("rest-unchanged", "%s: %s", name, x)

    def finish(self, dropped_mode):
        if not self.labelled:
            self.fail("labels", "no object to label was checked")
        if len(self.budget_json) > 1:
            self.fail("budget-annotations",
                      "%d different budget records",
                      len(self.budget_json))
        if not self.deployment_templates:
            self.fail("pod-templates", "no Deployment pod template checked")
        missing = {"Deployment", "Service"} - self.selector_kinds
        if missing:
            self.fail("selectors", "no selector of %s checked",
                      ", ".join(sorted(missing)))
        if not dropped_mode and not self.local:
            self.fail("local-config-unchanged",
                      "no local-config item in the input")


def cmd_cost(args):
    env = budget = None
    ordered = kustomize = False
    paths = []
    it = iter(args)
    for x in it:
        if x == "--env":
            env = next(it)
        elif x == "--budget":
            budget = next(it)
        elif x == "--ordered":
            ordered = True
        elif x == "--kustomize-output":
            kustomize = True
        else:
            paths.append(x)
    if env is None or budget is None or len(paths) < 2:
        sys.exit("yamleq.py cost: need --env, --budget, ACTUAL and INPUT")
    c = Checker(env, budget)
    if os.path.isdir(paths[0]):
        cost_dirs(c, paths[0], paths[1])
    else:
        actual = [o for o in load(paths[0]) if not is_generated(o)]
        inputs = [o for f in paths[1:] for o in load(f)
                  if not is_generated(o)]
        if kustomize:
            actual = [strip_kustomize(o) for o in actual]
            inputs = [strip_kustomize(o) for o in inputs]
            dropped = [o for o in inputs if is_local(o)]
            if not dropped:
                c.fail("local-config-dropped",
                       "no local-config item in the input")
            keys = {key(o) for o in actual}
            for o in dropped:
                if key(o) in keys:
                    c.fail("local-config-dropped", "%s is in the output",
                           key(o))
            inputs = [o for o in inputs if not is_local(o)]
        if ordered:
            if len(actual) != len(inputs):
                c.fail("objects", "%d objects out, %d in", len(actual),
                       len(inputs))
            for i, (a, e) in enumerate(zip(actual, inputs)):
                c.pair(a, e, "document %d" % i)
        else:
            ka = {key(o): o for o in actual}
            ke = {key(o): o for o in inputs}
            if len(ka) != len(actual) or len(ke) != len(inputs):
                c.fail("objects", "duplicate object keys")
            for k in sorted(set(ka) - set(ke)):
                c.fail("objects", "unexpected object %s", k)
            for k in sorted(set(ke) - set(ka)):
                c.fail("objects", "missing object %s", k)
            for k in sorted(set(ka) & set(ke)):
                c.pair(ka[k], ke[k], "stream")
    c.finish(kustomize)
    return ["%s\t%s" % p for p in c.problems]


def selector_blocks(path):
    """The selectors of a file, in order: for each line "selector:" the
    text of its block (None for a flow selector on the line itself)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"^( *)selector:(.*)$", line)
        if not m:
            continue
        if m.group(2).strip():
            out.append(None)
            continue
        j = i + 1
        while (j < len(lines) and lines[j].strip()
               and len(lines[j]) - len(lines[j].lstrip(" "))
               > len(m.group(1))):
            j += 1
        out.append("\n".join(lines[i:j]))
    return out


def selector_bytes(c, f, actual, inp):
    """A selector written in block style keeps its bytes (kpt writes the
    files back; a flow selector is re-laid out as a block, data-equal)."""
    a, e = selector_blocks(actual), selector_blocks(inp)
    if len(a) != len(e):
        c.fail("selectors", "%s: %d selectors out, %d in", f, len(a), len(e))
        return
    for x, y in zip(a, e):
        if y is not None and x != y:
            c.fail("selectors", "%s: selector bytes %r != %r", f, x, y)


def cost_dirs(c, actual, inp):
    def files(d):
        r = set()
        for base, _, names in os.walk(d):
            for n in names:
                r.add(os.path.relpath(os.path.join(base, n), d))
        return r
    fa, fi = files(actual), files(inp)
    for f in sorted(fa - fi):
        # kpt's new files for the generated objects: `monitoring` checks
        # them.
        docs = load(os.path.join(actual, f))
        if not docs or not all(is_generated(o) for o in docs):
            c.fail("objects", "file %s only in the output", f)
    for f in sorted(fi - fa):
        c.fail("objects", "file %s only in the input", f)
    for f in sorted(fa & fi):
        selector_bytes(c, f, os.path.join(actual, f), os.path.join(inp, f))
        a = [o for o in load(os.path.join(actual, f)) if not is_generated(o)]
        e = [o for o in load(os.path.join(inp, f)) if not is_generated(o)]
        if len(a) != len(e):
            c.fail("objects", "%s: %d documents out, %d in", f, len(a),
                   len(e))
        for i, (x, y) in enumerate(zip(a, e)):
            c.pair(x, y, "%s document %d" % (f, i))


def package_objects(d):
    """(object, relative path, document index) of every document of a
    kpt package directory, files in sorted order."""
    out = []
    for base, _, names in sorted(os.walk(d)):
        for n in sorted(names):
            path = os.path.join(base, n)
            rel = os.path.relpath(path, d)
            for i, o in enumerate(load(path)):
                out.append((o, rel, i))
    return out


def rules_of(o):
    """The rules of a PrometheusRule, all groups together."""
    out = []
    for g in get(o, ("spec", "groups")) or []:
        if isinstance(g, dict):
            out += [r for r in g.get("rules") or [] if isinstance(r, dict)]
    return out


# The page clause of an error-rate burn alert: the 1h and 5m series, both
# above the same threshold (the 6h/30m clause follows with " or ").
BURN_1H_5M = re.compile(
    r"([A-Za-z_][A-Za-z0-9_:]*):ratio_rate1h\{([^}]*)\} > ([^ )]+) and "
    r"([A-Za-z_][A-Za-z0-9_:]*):ratio_rate5m\{([^}]*)\} > ([^ )]+)\)")


def cmd_monitoring(args):
    env = budget = ns = threshold = slo = inp = None
    streams = []
    paths = []
    it = iter(args)
    for x in it:
        if x == "--env":
            env = next(it)
        elif x == "--budget":
            budget = next(it)
        elif x == "--ns":
            ns = next(it)
        elif x == "--threshold":
            threshold = next(it)
        elif x == "--slo":
            slo = next(it).split(",")
        elif x == "--input":
            inp = next(it)
        elif x == "--stream":
            streams.append((next(it), next(it)))
        else:
            paths.append(x)
    if (None in (env, budget, ns, threshold, slo) or len(slo) != 3
            or len(paths) != 1):
        sys.exit("yamleq.py monitoring: need --env, --budget, --ns, "
                 "--threshold, --slo A,E,L and ACTUAL")
    c = Checker(env, budget)
    notes = []
    if os.path.isdir(paths[0]):
        placed = package_objects(paths[0])
    else:
        placed = [(o, None, i) for i, o in enumerate(load(paths[0]))]
    objs = [o for o, _, _ in placed]

    # generated-objects: each once, in NS, with its apiVersion.
    found = {}
    for api, kind, name in GENERATED:
        hits = [(o, f, i) for o, f, i in placed if isinstance(o, dict)
                and o.get("kind") == kind and meta(o).get("name") == name]
        where = "%s %s" % (kind, name)
        if len(hits) != 1:
            c.fail("generated-objects", "%s: %d in the output, want 1%s",
                   where, len(hits), "".join(
                       " (%s/%s document %d)" % (meta(o).get("namespace"),
                                                 f, i) for o, f, i in hits))
            if not hits:
                continue
        o, f, i = hits[0]
        found[(kind, name)] = o
        if o.get("apiVersion") != api:
            c.fail("generated-objects", "%s: apiVersion %r, want %r", where,
                   o.get("apiVersion"), api)
        if meta(o).get("namespace") != ns:
            c.fail("generated-objects", "%s: namespace %r, want %r", where,
                   meta(o).get("namespace"), ns)
        # generated-labels: the cost labels and budget annotations.
        c.labels("generated-labels", where, meta(o).get("labels"))
        c.annotations(where, meta(o).get("annotations"), "generated-labels")
        if kind == "ConfigMap" and name == SERVICE + "-budget":
            c.record(where, (o.get("data") or {}).get("budget.json"))
        # generated-annotations: nothing but costmon's own annotations
        # (kpt strips its path and index when it writes the files, and
        # kustomize its ids from its output).
        ann = meta(o).get("annotations") or {}
        extra = sorted(k for k in ann if k not in COST_ANNOTATIONS)
        if extra:
            c.fail("generated-annotations", "%s: unexpected annotations %s",
                   where, ", ".join(extra))
        # generated-files: alone in a file of its own, new to the package.
        if inp is not None and f is not None:
            notes.append("%s %s is in %s" % (kind, name, f))
            others = [x for x, g, _ in placed if g == f and x is not o]
            if others:
                c.fail("generated-files", "%s: shares %s with %s", where, f,
                       ", ".join(key(x) for x in others))
            if os.path.exists(os.path.join(inp, f)):
                c.fail("generated-files",
                       "%s: written into %s, a file of the input package",
                       where, f)

    # servicemonitor: selects the Service's own labels, port http.
    sm = found.get(("ServiceMonitor", SERVICE + "-monitor"))
    svcs = [o for o in objs if isinstance(o, dict) and o.get("kind") ==
            "Service" and meta(o).get("name") == SERVICE]
    if sm is not None:
        if len(svcs) != 1:
            c.fail("servicemonitor", "%d Services %s in the output, want 1",
                   len(svcs), SERVICE)
        else:
            svc = svcs[0]
            own = {k: v for k, v in (meta(svc).get("labels") or {}).items()
                   if k not in COST_LABELS}
            ml = get(sm, ("spec", "selector", "matchLabels"))
            if not own:
                c.fail("servicemonitor", "Service %s has no labels of its "
                       "own to select", SERVICE)
            if ml != own:
                c.fail("servicemonitor", "selector.matchLabels %r, want the "
                       "Service's own labels %r", ml, own)
            if sorted(get(sm, ("spec", "selector")) or {}) != ["matchLabels"]:
                c.fail("servicemonitor", "selector %r has more than "
                       "matchLabels", get(sm, ("spec", "selector")))
            if meta(svc).get("namespace") != ns:
                c.fail("servicemonitor", "Service in %r, want %r",
                       meta(svc).get("namespace"), ns)
            if get(sm, ("spec", "namespaceSelector")) is not None:
                c.fail("servicemonitor", "namespaceSelector %r for a Service "
                       "in the ServiceMonitor's own namespace",
                       get(sm, ("spec", "namespaceSelector")))
            ports = [p.get("name") for p in get(svc, ("spec", "ports")) or []
                     if isinstance(p, dict)]
            if ENDPOINT_PORT not in ports:
                c.fail("servicemonitor", "Service ports %r lack %r", ports,
                       ENDPOINT_PORT)
        eps = get(sm, ("spec", "endpoints"))
        if (not isinstance(eps, list) or len(eps) != 1
                or not isinstance(eps[0], dict)
                or eps[0].get("port") != ENDPOINT_PORT):
            c.fail("servicemonitor", "endpoints %r, want one with port %r",
                   eps, ENDPOINT_PORT)

    # alert-threshold: the page clause of the error-rate alert.
    ar = found.get(("PrometheusRule", SERVICE + "-alert-rules"))
    rr = found.get(("PrometheusRule", SERVICE + "-recording-rules"))
    if ar is not None:
        hits = [r for r in rules_of(ar) if r.get("alert") == ALERT]
        if len(hits) != 1:
            c.fail("alert-threshold", "%d alerts %s, want 1", len(hits),
                   ALERT)
        else:
            expr = str(hits[0].get("expr"))
            m = BURN_1H_5M.search(expr)
            if not m:
                c.fail("alert-threshold", "%s: no 1h/5m clause in %r",
                       ALERT, expr)
            else:
                if m.group(3) != threshold or m.group(6) != threshold:
                    c.fail("alert-threshold", "%s: 1h/5m thresholds %s and "
                           "%s, want %s", ALERT, m.group(3), m.group(6),
                           threshold)
                sel = 'namespace="%s"' % ns
                for g in (2, 5):
                    if sel not in m.group(g).split(","):
                        c.fail("alert-threshold", "%s: selector {%s} lacks "
                               "%s", ALERT, m.group(g), sel)
                # The series the alert reads are recorded.
                recorded = {r.get("record") for r in rules_of(rr or {})}
                for g, w in ((1, "1h"), (4, "5m")):
                    series = "%s:ratio_rate%s" % (m.group(g), w)
                    if series not in recorded:
                        c.fail("alert-threshold", "%s reads %s, which the "
                               "recording rules lack", ALERT, series)
            # Only prod pages; other environments open tickets.
            labels = hits[0].get("labels") or {}
            want_sev = "critical" if env == "prod" else "warning"
            if labels.get("severity") != want_sev:
                c.fail("alert-threshold", "%s: severity %r, want %s",
                       ALERT, labels.get("severity"), want_sev)
            if labels.get("service") != SERVICE or labels.get("environment") != env:
                c.fail("alert-threshold", "%s: labels %r lack service %s "
                       "and environment %s", ALERT, labels, SERVICE, env)

    # dynatrace-json: application.json is JSON for ENV.
    dt = found.get(("ConfigMap", SERVICE + "-dynatrace-config"))
    if dt is not None:
        text = get(dt, ("data", "application.json"))
        try:
            j = json.loads(text)
        except (TypeError, ValueError) as exc:
            c.fail("dynatrace-json", "application.json %r is not JSON: %s",
                   text, exc)
            j = None
        if j is not None:
            want = {"name": SERVICE, "environment": env, "namespace": ns}
            for k, v in want.items():
                got = get(j, ("metadata", k))
                if got != v:
                    c.fail("dynatrace-json", "application.json metadata.%s "
                           "is %r, want %r", k, got, v)
            want = dict(zip(("availability", "errorRate", "latencyP95ms"),
                            slo))
            if j.get("slo") != want:
                c.fail("dynatrace-json", "application.json slo is %r, want "
                       "%r", j.get("slo"), want)

    # dashboard: the sidecar's label, the JSON with the environment's uid
    # and the namespace in its queries.
    db = found.get(("ConfigMap", SERVICE + "-dashboard"))
    if db is not None:
        uid = "%s_%s" % (SERVICE, env)
        if get(db, ("metadata", "labels", "grafana_dashboard")) != "1":
            c.fail("dashboard", "label grafana_dashboard is %r, want '1'",
                   get(db, ("metadata", "labels", "grafana_dashboard")))
        text = get(db, ("data", uid + ".json"))
        try:
            j = json.loads(text)
        except (TypeError, ValueError) as exc:
            c.fail("dashboard", "data.%s.json %r is not JSON: %s", uid,
                   text if text is None else text[:80], exc)
            j = None
        if j is not None:
            if j.get("uid") != uid:
                c.fail("dashboard", "uid %r, want %r", j.get("uid"), uid)
            exprs = [t.get("expr", "") for p in j.get("panels", [])
                     for t in p.get("targets", [])]
            if not exprs or not all('namespace="%s"' % ns in e
                                    for e in exprs):
                c.fail("dashboard", "a query lacks namespace=\"%s\"", ns)

    # orchestrator-annotations: the function's own streams.
    for sin, sout in streams:
        ins = {key(o): o for o in load_items(sin)}
        outs = load_items(sout)
        n = {}
        for o in outs:
            k = key(o)
            n[k] = n.get(k, 0) + 1
            want = orchestrator_annotations(ins[k]) if k in ins else {}
            got = orchestrator_annotations(o)
            if got != want:
                c.fail("orchestrator-annotations", "%s: %s: orchestrator "
                       "annotations %r, the input had %r", sout, k, got,
                       want)
        for k, v in sorted(n.items()):
            if v > 1:
                c.fail("orchestrator-annotations", "%s: %s %d times",
                       sout, k, v)
        gen = [o for o in outs if is_generated(o)]
        if len(gen) != len(GENERATED):
            c.fail("orchestrator-annotations", "%s: %d generated objects in "
                   "the function's output, want %d", sout, len(gen),
                   len(GENERATED))
    return (["%s\t%s" % p for p in c.problems]
            + ["note\t%s" % x for x in notes])


def ordered_diff(a, b, path, out):
    """diff(), and a mapping's keys must also come in the same order."""
    if len(out) >= 10:
        return
    if isinstance(a, dict) and isinstance(b, dict) and list(a) != list(b):
        out.append("%s: keys %s != %s" % (path or "/", list(a), list(b)))
        return
    if type(a) is not type(b) or not isinstance(a, (dict, list)):
        diff(a, b, path, out)
    elif isinstance(a, dict):
        for k in a:
            ordered_diff(a[k], b[k], "%s/%s" % (path, k), out)
    else:
        if len(a) != len(b):
            out.append("%s: %d items != %d items" % (path or "/", len(a),
                                                     len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            ordered_diff(x, y, "%s[%d]" % (path, i), out)


def cmd_same_data(p1, p2):
    a, b = load(p1), load(p2)
    out = []
    if len(a) != len(b):
        out.append("%d documents != %d documents" % (len(a), len(b)))
    for i, (x, y) in enumerate(zip(a, b)):
        d = []
        ordered_diff(x, y, "", d)
        out += ["document %d (%s): %s" % (i, key(x), z) for z in d]
    return out


def cmd_same_files(d1, d2):
    out = []
    p1, p2 = package_objects(d1), package_objects(d2)
    for _, kind, name in GENERATED:
        h1 = [(f, i) for o, f, i in p1 if isinstance(o, dict) and
              o.get("kind") == kind and meta(o).get("name") == name]
        h2 = [(f, i) for o, f, i in p2 if isinstance(o, dict) and
              o.get("kind") == kind and meta(o).get("name") == name]
        if len(h1) != 1 or len(h2) != 1 or h1 != h2:
            out.append("%s %s: at %s after the first run, at %s after the "
                       "second" % (kind, name, h1, h2))
    new = sorted({f for _, f, _ in p2} - {f for _, f, _ in p1})
    if new:
        out.append("files new after the second run: %s" % ", ".join(new))
    return out


def cmd_objs(args):
    actual = load(args[0])
    expected = [o for f in args[1:] for o in load(f)]
    out = []
    ka = {key(o): o for o in actual}
    ke = {key(o): o for o in expected}
    if len(ka) != len(actual) or len(ke) != len(expected):
        out.append("duplicate object keys")
    for k in sorted(set(ka) - set(ke)):
        out.append("unexpected object %s" % k)
    for k in sorted(set(ke) - set(ka)):
        out.append("missing object %s" % k)
    for k in sorted(set(ka) & set(ke)):
        d = []
        diff(ka[k], ke[k], "", d)
        out += ["%s: %s" % (k, x) for x in d]
    return out


def cmd_has_local(path, kind, name):
    for o in load(path):
        if (isinstance(o, dict) and o.get("kind") == kind
                and meta(o).get("name") == name and is_local(o)):
            return []
    return ["no %s %s annotated %s in %s" % (kind, name, LOCAL, path)]


def cmd_field_error(path, field, text):
    for rl in load(path):
        for item in rl.get("items") or []:
            for r in item.get("results") or []:
                if (r.get("severity") == "error"
                        and (r.get("field") or {}).get("path") == field
                        and text in r.get("message", "")):
                    return []
    return ["no error result for field %s mentioning %r in %s"
            % (field, text, path)]


def main(argv):
    if len(argv) < 2:
        sys.exit("yamleq.py: no mode")
    mode, args = argv[1], argv[2:]
    if mode == "objs":
        out = cmd_objs(args)
    elif mode == "cost":
        out = cmd_cost(args)
    elif mode == "monitoring":
        out = cmd_monitoring(args)
    elif mode == "same-files":
        out = cmd_same_files(*args)
    elif mode == "same-data":
        out = cmd_same_data(*args)
    elif mode == "has-local":
        out = cmd_has_local(*args)
    elif mode == "field-error":
        out = cmd_field_error(*args)
    else:
        sys.exit("yamleq.py: unknown mode %s" % mode)
    for line in out:
        print(line)
    return 1 if [x for x in out if not x.startswith("note\t")] else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit as exc:
        if exc.code not in (0, 1, None):
            print(exc.code, file=sys.stderr)
            sys.exit(2)
        raise
    except Exception as exc:  # a crash is not a failed check
        print("yamleq.py: %s: %s" % (type(exc).__name__, exc),
              file=sys.stderr)
        sys.exit(2)
PY
HAVE_PY=0
"$PYTHON" -c 'import yaml' 2>/dev/null && HAVE_PY=1

# yamleq NAME MODE ARGS...: ok when yamleq.py MODE finds nothing wrong;
# needs PyYAML.
yamleq() {
	local name=$1 out
	shift
	if [ "$HAVE_PY" != 1 ]; then
		skip "$name" "python3 with PyYAML (import yaml) not available"
		return
	fi
	if out=$("$PYTHON" "$T/yamleq.py" "$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "yamleq.py $*:" "$out"
	fi
}

KPT_ASPECTS="objects labels budget-annotations pod-templates selectors
local-config-unchanged rest-unchanged"
KUBECTL_ASPECTS="objects labels budget-annotations pod-templates selectors
local-config-dropped rest-unchanged"

# The aspects of `yamleq.py monitoring` (generated-files: kpt only).
KPT_MON_ASPECTS="generated-objects budget-record generated-labels servicemonitor
alert-threshold dynatrace-json dashboard generated-annotations generated-files
orchestrator-annotations"
KUBECTL_MON_ASPECTS="generated-objects budget-record generated-labels servicemonitor
alert-threshold dynatrace-json dashboard generated-annotations
orchestrator-annotations"

# cost_checks PREFIX ASPECTS ENV BUDGET [OPTION...] ACTUAL INPUT...: one
# check PREFIX-ASPECT for each of ASPECTS, by `yamleq.py cost`.
cost_checks() {
	local prefix=$1 aspects=$2 env=$3 budget=$4
	shift 4
	aspect_checks "$prefix" "$aspects" cost --env "$env" \
		--budget "$budget" "$@"
}

# mon_checks PREFIX ASPECTS ENV [OPTION...] ACTUAL: one check
# PREFIX-ASPECT for each of ASPECTS, by `yamleq.py monitoring`, with the
# seed's expectations for ENV.
mon_checks() {
	local prefix=$1 aspects=$2 env=$3
	shift 3
	aspect_checks "$prefix" "$aspects" monitoring --env "$env" \
		--budget "$(budget_of "$env")" --ns "$(ns_of "$env")" \
		--threshold "$(threshold_of "$env")" --slo "$(slo_of "$env")" "$@"
}

# aspect_checks PREFIX ASPECTS MODE ARG...: one check PREFIX-ASPECT for
# each of ASPECTS, from the "ASPECT<TAB>problem" lines of `yamleq.py MODE
# ARG...`; its "note<TAB>text" lines are shown as comments.
aspect_checks() {
	local prefix=$1 aspects=$2 out rc a lines failed=0
	shift 2
	if [ "$HAVE_PY" != 1 ]; then
		for a in $aspects; do
			skip "$prefix-$a" "python3 with PyYAML not available"
		done
		return
	fi
	out=$("$PYTHON" "$T/yamleq.py" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n "s/^note	/# note: $prefix: /p"
	for a in $aspects; do
		lines=$(printf '%s\n' "$out" | grep "^$a	" | cut -f 2-)
		if [ "$rc" -gt 1 ]; then
			not_ok "$prefix-$a" "yamleq.py crashed (exit $rc):" \
				"$out"
		elif [ -n "$lines" ]; then
			not_ok "$prefix-$a" "$lines"
			failed=1
		else
			ok "$prefix-$a"
		fi
	done
	# Exit 1 with nothing under these aspects: the checker and this list
	# disagree.
	if [ "$rc" -eq 1 ] && [ "$failed" -eq 0 ]; then
		not_ok "$prefix-checker" "yamleq.py $1 reported:" "$out"
	fi
}

# run_logged LOG CMD...: run CMD (with a time limit), stdout+stderr to
# LOG; returns CMD's exit status.
run_logged() {
	local log=$1
	shift
	timeout "$TIMEOUT" "$@" >"$log" 2>&1
}

# set_exec KPTFILE PATH: point the pipeline's exec at PATH.
set_exec() {
	sed -i "s|^\\([[:space:]]*- exec:\\).*\$|\\1 $2|" "$1"
	grep -qF -- "- exec: $2" "$1"
}

# set_ns DIR ENV: the fixtures' namespace becomes ENV's in every YAML
# file of DIR (resources, Namespace, the profile's spec.namespace).
set_ns() {
	local ns
	ns=$(ns_of "$2")
	[ "$ns" = "$FIXTURE_NS" ] && return 0
	grep -rlF --include='*.yaml' -- "$FIXTURE_NS" "$1" |
		xargs -r sed -i "s|$FIXTURE_NS|$ns|g"
	! grep -rqF --include='*.yaml' -- "$FIXTURE_NS" "$1" &&
		grep -rqF --include='*.yaml' -- "$ns" "$1"
}

# make_spy SCRIPT DIR: SCRIPT is an executable that runs the binary under
# test with its own arguments, stdin and exit status, and leaves a copy
# of the function's input and output in DIR/stdin.yaml and
# DIR/stdout.yaml: what the function itself saw and returned, before the
# orchestrator turned it into files or its own output.
make_spy() {
	mkdir -p "$2" "$(dirname "$1")"
	{
		printf '#!/bin/sh\nspy=%s\nfn=%s\n' "'$2'" "'$KRM_FN'"
		cat <<'SH'
tee "$spy/stdin.yaml" | "$fn" "$@" >"$spy/stdout.yaml"
rc=$?
cat "$spy/stdout.yaml"
exit $rc
SH
	} >"$1"
	chmod 0755 "$1"
}

# take_spy DIR PREFIX: the streams the spy recorded in DIR become
# PREFIX.in.yaml and PREFIX.out.yaml (missing when it did not run).
take_spy() {
	rm -f "$2.in.yaml" "$2.out.yaml"
	[ -f "$1/stdin.yaml" ] && mv "$1/stdin.yaml" "$2.in.yaml"
	[ -f "$1/stdout.yaml" ] && mv "$1/stdout.yaml" "$2.out.yaml"
	return 0
}

# same_files NAME RUN1 RUN2: each generated object is in the same file of
# the kpt packages RUN1 and RUN2, once, and RUN2 has no new file.
same_files() {
	yamleq "$1" same-files "$2" "$3"
}

# set_env PROFILE ENV: the ServiceProfile's spec.environment becomes ENV.
set_env() {
	sed -i "s|^  environment: .*\$|  environment: $2|" "$1"
	grep -qx -- "  environment: $2" "$1"
}

# add_resource KUSTOMIZATION FILE: FILE goes first in resources:.
add_resource() {
	sed -i "s|^resources:\$|resources:\\n  - $2|" "$1"
	grep -qx -- "  - $2" "$1"
}

# field_error NAME RESULTS_DIR PATH TEXT: kpt's results.yaml has an error
# result for field PATH whose message contains TEXT.
field_error() {
	if [ -f "$2/results.yaml" ]; then
		yamleq "$1" field-error "$2/results.yaml" "$3" "$4"
	else
		not_ok "$1" "kpt wrote no $2/results.yaml"
	fi
}

# --- 1. kpt fn eval --exec (imperative, ConfigMap functionConfig) ----------

# eval_run LOG PKG [FLAG...] -- KEY=VALUE...: kpt fn eval --exec krm-fn
# (or --exec $EVAL_EXEC, a spy).
eval_run() {
	local log=$1 pkg=$2
	shift 2
	(cd "$T" && run_logged "$log" kpt fn eval \
		--exec "${EVAL_EXEC:-$KRM_FN}" "$pkg" "$@")
}

kpt_eval() {
	local env budget pkg rc
	local -a ARGS
	for env in $ENVS; do
		budget=$(budget_of "$env")
		pkg=$T/eval-$env
		fresh "$pkg" "$E2E/eval"
		if ! set_ns "$pkg" "$env"; then
			not_ok kpt-eval-setup "could not set namespace in $pkg"
			return
		fi
		fresh "$pkg.orig" "$pkg"
		env_args "$env"
		# Run through a spy that keeps the function's own streams.
		make_spy "$pkg.spy/fn" "$pkg.spy"
		EVAL_EXEC=$pkg.spy/fn eval_run "$pkg.log1" "$pkg" -- "${ARGS[@]}"
		rc=$?
		take_spy "$pkg.spy" "$pkg.stream1"
		expect_ok "kpt-eval-$env-exit-0" "$rc" "$pkg.log1"
		cost_checks "kpt-eval-$env" "$KPT_ASPECTS" "$env" "$budget" \
			"$pkg" "$pkg.orig"

		# Idempotence: again, in place; the files must not move a byte,
		# and the generated objects stay in their files.
		fresh "$pkg.run1" "$pkg"
		EVAL_EXEC=$pkg.spy/fn eval_run "$pkg.log2" "$pkg" -- "${ARGS[@]}"
		rc=$?
		take_spy "$pkg.spy" "$pkg.stream2"
		expect_ok "kpt-eval-$env-second-run-exit-0" "$rc" "$pkg.log2"
		same_bytes "kpt-eval-$env-idempotent" "$pkg.run1" "$pkg"
		same_files "kpt-eval-$env-generated-same-files" "$pkg.run1" "$pkg"

		# The monitoring objects of the first run; the function's streams
		# of both runs.
		mon_checks "kpt-eval-$env" "$KPT_MON_ASPECTS" "$env" \
			--input "$pkg.orig" \
			--stream "$pkg.stream1.in.yaml" "$pkg.stream1.out.yaml" \
			--stream "$pkg.stream2.in.yaml" "$pkg.stream2.out.yaml" \
			"$pkg.run1"
	done

	# The platform team's CostProfile as a local-config file of the
	# package: kpt passes it to the function, which uses it.
	pkg=$T/eval-cost-profile
	fresh "$pkg" "$E2E/eval"
	cp "$E2E/cost-profile.yaml" "$pkg/"
	fresh "$pkg.orig" "$pkg"
	env_args prod
	eval_run "$pkg.log" "$pkg" -- "${ARGS[@]}"
	rc=$?
	expect_ok kpt-eval-cost-profile-exit-0 "$rc" "$pkg.log"
	cost_checks kpt-eval-cost-profile "$KPT_ASPECTS" prod \
		"$OVERRIDE_BUDGET" "$pkg" "$pkg.orig"

	# A misspelt key (servce for service): kpt fails, the error names it
	# and the fix, on stderr and in the structured results; the package
	# is untouched.
	pkg=$T/eval-bad
	fresh "$pkg" "$E2E/eval"
	fresh "$pkg.orig" "$pkg"
	eval_run "$pkg.log" "$pkg" --results-dir "$pkg.results" \
		-- "${SEED_ARGS[@]/#service=/servce=}" environment=prod
	rc=$?
	expect_fail kpt-eval-unknown-key-fails "$rc" "$pkg.log" \
		'servce' 'did you mean "service"'
	field_error kpt-eval-unknown-key-result "$pkg.results" data.servce \
		'did you mean "service"'
	same_bytes kpt-eval-unknown-key-leaves-package "$pkg.orig" "$pkg"

	# The Service is deployed elsewhere: the error names the flat key,
	# and serviceSelector / monitoringLabels (k=v pairs) let the
	# imperative form select it and add kube-prometheus-stack's label.
	pkg=$T/eval-no-service
	mkdir -p "$pkg"
	cat >"$pkg/deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout}
spec:
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
      - name: app
        image: example/checkout:1
        ports:
        - {name: http, containerPort: 8080}
YAML
	fresh "$pkg.orig" "$pkg"
	local -a CK=(service=checkout team=shop-team environment=pre-stable
		size=small costProfile=standard-api-cost costCenter=CC-9
		businessUnit=shop costOwner=bob@example.com
		monitoringProfile=api-observability serviceName=checkout-svc)
	eval_run "$pkg.log" "$pkg" --results-dir "$pkg.results" -- "${CK[@]}"
	rc=$?
	expect_fail kpt-eval-no-service-names-flat-key "$rc" "$pkg.log" \
		'set data.serviceSelector' 'serviceSelector=app=checkout'
	field_error kpt-eval-no-service-result "$pkg.results" \
		data.serviceSelector 'set data.serviceSelector'
	eval_run "$pkg.log2" "$pkg" -- "${CK[@]}" \
		serviceSelector=app=checkout,tier=web \
		monitoringLabels=release=kube-prometheus-stack
	rc=$?
	expect_ok kpt-eval-service-selector-exit-0 "$rc" "$pkg.log2"
	if grep -rqs 'release: kube-prometheus-stack' "$pkg" &&
		grep -rqs 'tier: web' "$pkg"; then
		ok kpt-eval-service-selector-and-monitoring-labels
	else
		not_ok kpt-eval-service-selector-and-monitoring-labels \
			"no release label or tier selector in the package" \
			"$(ls -R "$pkg")"
	fi

	# An environment the cost profile lacks: kpt fails, and the message
	# lists the profile's environments.
	pkg=$T/eval-qa
	fresh "$pkg" "$E2E/eval"
	fresh "$pkg.orig" "$pkg"
	eval_run "$pkg.log" "$pkg" --results-dir "$pkg.results" \
		-- "${SEED_ARGS[@]}" environment=qa
	rc=$?
	expect_fail kpt-eval-unknown-environment-fails "$rc" "$pkg.log" \
		'environment "qa"' "$ENV_LIST"
	field_error kpt-eval-unknown-environment-result "$pkg.results" \
		data.environment "$ENV_LIST"
	same_bytes kpt-eval-unknown-environment-leaves-package "$pkg.orig" \
		"$pkg"
}

# --- 2. kpt fn render --allow-exec (Kptfile pipeline, configPath) -----------

# render_pkg PKG ENV [EXEC]: PKG becomes a copy of render/ whose Kptfile
# runs the binary under test (or EXEC, a spy) and whose profile and
# resources name ENV and its namespace.
render_pkg() {
	local exe=${3:-$KRM_FN}
	fresh "$1" "$E2E/render"
	# kpt resolves a relative exec path against its own working
	# directory, not the package: use the absolute path of the binary.
	if ! set_exec "$1/Kptfile" "$exe"; then
		not_ok kpt-render-setup "could not point $1/Kptfile at $exe"
		return 1
	fi
	if ! set_env "$1/profile.yaml" "$2"; then
		not_ok "kpt-render-setup" "could not set environment $2 in $1"
		return 1
	fi
	if ! set_ns "$1" "$2"; then
		not_ok "kpt-render-setup" "could not set the namespace in $1"
		return 1
	fi
}

render_run() {
	(cd "$T" && run_logged "$1" kpt fn render --allow-exec "$2")
}

kpt_render() {
	local env budget pkg rc
	for env in $ENVS; do
		budget=$(budget_of "$env")
		pkg=$T/render-$env
		# The pipeline runs a spy (outside the package) that keeps the
		# function's own streams.
		make_spy "$pkg.spy/fn" "$pkg.spy"
		render_pkg "$pkg" "$env" "$pkg.spy/fn" || return
		fresh "$pkg.orig" "$pkg"
		render_run "$pkg.log1" "$pkg"
		rc=$?
		take_spy "$pkg.spy" "$pkg.stream1"
		expect_ok "kpt-render-$env-exit-0" "$rc" "$pkg.log1"
		cost_checks "kpt-render-$env" "$KPT_ASPECTS" "$env" "$budget" \
			"$pkg" "$pkg.orig"

		# Again, in place: no byte moves, the generated objects stay in
		# their files and are not duplicated.
		fresh "$pkg.run1" "$pkg"
		render_run "$pkg.log2" "$pkg"
		rc=$?
		take_spy "$pkg.spy" "$pkg.stream2"
		expect_ok "kpt-render-$env-second-run-exit-0" "$rc" "$pkg.log2"
		same_bytes "kpt-render-$env-idempotent" "$pkg.run1" "$pkg"
		same_files "kpt-render-$env-generated-same-files" "$pkg.run1" \
			"$pkg"

		mon_checks "kpt-render-$env" "$KPT_MON_ASPECTS" "$env" \
			--input "$pkg.orig" \
			--stream "$pkg.stream1.in.yaml" "$pkg.stream1.out.yaml" \
			--stream "$pkg.stream2.in.yaml" "$pkg.stream2.out.yaml" \
			"$pkg.run1"
	done

	# The fixture's own relative "./krm-fn": found from a directory
	# holding krm-fn, wherever the package is.
	fresh "$T/render-rel" "$E2E/render"
	mkdir -p "$T/cwd"
	ln -sf "$KRM_FN" "$T/cwd/krm-fn"
	(cd "$T/cwd" && run_logged "$T/render-rel.log" kpt fn render \
		--allow-exec "$T/render-rel")
	rc=$?
	expect_ok kpt-render-relative-exec-from-cwd "$rc" "$T/render-rel.log"

	# The platform team's CostProfile as a local-config file of the
	# package: kpt passes local-config items to functions.
	pkg=$T/render-cost-profile
	render_pkg "$pkg" prod || return
	cp "$E2E/cost-profile.yaml" "$pkg/"
	fresh "$pkg.orig" "$pkg"
	render_run "$pkg.log" "$pkg"
	rc=$?
	expect_ok kpt-render-cost-profile-exit-0 "$rc" "$pkg.log"
	cost_checks kpt-render-cost-profile "$KPT_ASPECTS" prod \
		"$OVERRIDE_BUDGET" "$pkg" "$pkg.orig"

	# A misspelt field in profile.yaml: render fails naming it and
	# writes nothing.
	pkg=$T/render-bad
	render_pkg "$pkg" prod || return
	sed -i 's/^  team: payments-team$/  teem: payments-team/' \
		"$pkg/profile.yaml"
	fresh "$pkg.orig" "$pkg"
	render_run "$pkg.log" "$pkg"
	rc=$?
	expect_fail kpt-render-bad-field-fails "$rc" "$pkg.log" \
		'spec.teem' 'did you mean "team"'
	same_bytes kpt-render-bad-field-leaves-package "$pkg.orig" "$pkg"

	# An environment the cost profile lacks.
	pkg=$T/render-qa
	render_pkg "$pkg" qa || return
	fresh "$pkg.orig" "$pkg"
	render_run "$pkg.log" "$pkg"
	rc=$?
	expect_fail kpt-render-unknown-environment-fails "$rc" "$pkg.log" \
		'environment "qa"' "$ENV_LIST" 'spec.environment'
	same_bytes kpt-render-unknown-environment-leaves-package \
		"$pkg.orig" "$pkg"
}

# --- 3. kubectl kustomize, legacy exec plugin --------------------------------


# kk XDG LOG OUT DIR: kubectl kustomize with the plugins under XDG.
kk() {
	(cd "$T" && env -u KUSTOMIZE_PLUGIN_HOME XDG_CONFIG_HOME="$1" \
		timeout "$TIMEOUT" kubectl kustomize --enable-alpha-plugins \
		"$4" >"$3" 2>"$2")
}

# kk_dir DIR ENV: DIR becomes a copy of kustomize/ whose profile and
# resources name ENV and its namespace.
kk_dir() {
	fresh "$1" "$E2E/kustomize"
	if ! set_env "$1/profile.yaml" "$2"; then
		not_ok kubectl-setup "could not set environment $2 in $1"
		return 1
	fi
	if ! set_ns "$1" "$2"; then
		not_ok kubectl-setup "could not set the namespace in $1"
		return 1
	fi
}

# kk_spy NAME DIR OUT PREFIX: kubectl kustomize DIR again, with a spy in
# the plugin's place (under $T/xdg-mon), to keep the plugin's own streams
# as PREFIX.in.yaml and PREFIX.out.yaml; ok when it succeeds and its
# output is OUT, byte for byte (what the installed plugin gave).
kk_spy() {
	local rc out
	kk "$T/xdg-mon" "$4.log" "$4.final.yaml" "$2"
	rc=$?
	take_spy "$T/mon-spy" "$4"
	if [ "$rc" -ne 0 ]; then
		not_ok "$1" "exit $rc with the spy; output:" "$(tail -n 30 "$4.log")"
	elif ! out=$(diff "$3" "$4.final.yaml" 2>&1); then
		not_ok "$1" "output differs with the spy in the plugin's place:" \
			"$(printf '%s\n' "$out" | head -n 20)"
	else
		ok "$1"
	fi
}

# The input files of kustomize/, as listed in its kustomization.yaml.
KK_INPUTS="namespace deployment service configmap cronjob local-config"

kubectl_kustomize() {
	local env budget dir rc f
	local -a inputs
	install_plugin "$T/xdg" make-install-plugin || return
	make_spy "$T/xdg-mon/$PLUGIN_REL" "$T/mon-spy"
	for env in $ENVS; do
		budget=$(budget_of "$env")
		dir=$T/kustomize-$env
		kk_dir "$dir" "$env" || return
		inputs=()
		for f in $KK_INPUTS; do inputs+=("$dir/$f.yaml"); done

		kk "$T/xdg" "$dir.log1" "$dir.out1.yaml" "$dir"
		rc=$?
		expect_ok "kubectl-$env-exit-0" "$rc" "$dir.log1"
		cost_checks "kubectl-$env" "$KUBECTL_ASPECTS" "$env" "$budget" \
			--kustomize-output "$dir.out1.yaml" "${inputs[@]}"

		# Idempotence, 1: kubectl kustomize again, on a kustomization
		# whose only resource is the first run's output, with the same
		# transformer.
		mkdir -p "$dir.again"
		cp "$dir.out1.yaml" "$dir.again/resources.yaml"
		cp "$dir/profile.yaml" "$dir.again/"
		printf '%s\n' 'resources:' '  - resources.yaml' \
			'transformers:' '  - profile.yaml' \
			>"$dir.again/kustomization.yaml"
		kk "$T/xdg" "$dir.log2" "$dir.out2.yaml" "$dir.again"
		rc=$?
		expect_ok "kubectl-$env-second-run-exit-0" "$rc" "$dir.log2"
		same_bytes "kubectl-$env-idempotent" "$dir.out1.yaml" \
			"$dir.out2.yaml"

		# The plugin's own streams of both kubectl runs, recorded by a
		# spy in its place.
		kk_spy "kubectl-$env-spy-run" "$dir" "$dir.out1.yaml" \
			"$dir.stream1"
		kk_spy "kubectl-$env-spy-second-run" "$dir.again" \
			"$dir.out2.yaml" "$dir.stream2"

		# Idempotence, 2: the plugin run by hand, as kubectl runs it
		# (config file argument, stream on stdin), on its own output
		# of the first kubectl run (kustomize ids included): not a byte
		# changes.
		(cd "$dir" && timeout "$TIMEOUT" "$KRM_FN" profile.yaml \
			<"$dir.stream1.out.yaml" >"$dir.self.yaml" \
			2>"$dir.self.log")
		rc=$?
		expect_ok "kubectl-$env-plugin-own-output-exit-0" "$rc" \
			"$dir.self.log"
		same_bytes "kubectl-$env-plugin-own-output-idempotent" \
			"$dir.stream1.out.yaml" "$dir.self.yaml"

		# Idempotence, 3: the plugin by hand on kubectl's final output.
		# kustomize re-serialises (keys sorted, long plain strings such
		# as alert descriptions folded at ~80 columns; krm-fn never
		# folds), so the check is on data: the same documents in the
		# same order, every mapping's keys in the same order, the same
		# values with the same types. (A rerun that rebuilt a generated
		# object in its own key order would fail it.)
		(cd "$dir" && timeout "$TIMEOUT" "$KRM_FN" profile.yaml \
			<"$dir.out1.yaml" >"$dir.rerun.yaml" 2>"$dir.rerun.log")
		rc=$?
		expect_ok "kubectl-$env-plugin-rerun-exit-0" "$rc" \
			"$dir.rerun.log"
		yamleq "kubectl-$env-plugin-rerun-idempotent" same-data \
			"$dir.out1.yaml" "$dir.rerun.yaml"

		# The monitoring objects in kubectl's output, and in the
		# plugin's streams.
		mon_checks "kubectl-$env" "$KUBECTL_MON_ASPECTS" "$env" \
			--stream "$dir.stream1.in.yaml" "$dir.stream1.out.yaml" \
			--stream "$dir.stream2.in.yaml" "$dir.stream2.out.yaml" \
			"$dir.out1.yaml"
	done

	# The platform team's CostProfile, local-config, in resources:, run
	# with a spy in the plugin's place that records argv and the streams,
	# then runs the binary under test. kustomize sends local-config
	# resources to legacy plugins on stdin (so the profile replaces the
	# built-in) and drops them from its final output.
	dir=$T/kustomize-cost-profile
	kk_dir "$dir" prod || return
	cp "$E2E/cost-profile.yaml" "$dir/"
	if ! add_resource "$dir/kustomization.yaml" cost-profile.yaml; then
		not_ok kubectl-setup "could not add cost-profile.yaml to $dir"
		return
	fi
	inputs=("$dir/cost-profile.yaml")
	for f in $KK_INPUTS; do inputs+=("$dir/$f.yaml"); done
	mkdir -p "$T/spy" "$(dirname "$T/xdg-spy/$PLUGIN_REL")"
	{
		printf '#!/bin/sh\nspy=%s\nfn=%s\n' "'$T/spy'" "'$KRM_FN'"
		cat <<'SH'
printf '%s\n' "$#" "$@" >"$spy/argv"
cp "$1" "$spy/config.yaml"
tee "$spy/stdin.yaml" | "$fn" "$@" >"$spy/stdout.yaml"
rc=$?
cat "$spy/stdout.yaml"
exit $rc
SH
	} >"$T/xdg-spy/$PLUGIN_REL"
	chmod 0755 "$T/xdg-spy/$PLUGIN_REL"
	kk "$T/xdg-spy" "$dir.log" "$dir.out.yaml" "$dir"
	rc=$?
	expect_ok kubectl-cost-profile-exit-0 "$rc" "$dir.log"
	if [ "$(head -n 1 "$T/spy/argv" 2>/dev/null)" = 1 ]; then
		ok kubectl-plugin-gets-one-argument
	else
		not_ok kubectl-plugin-gets-one-argument "argv was:" \
			"$(cat "$T/spy/argv" 2>/dev/null)"
	fi
	# argv[1] is kustomize's re-serialised copy of profile.yaml (a temp
	# file), not profile.yaml itself.
	yamleq kubectl-plugin-config-is-profile objs "$T/spy/config.yaml" \
		"$dir/profile.yaml"
	yamleq kubectl-plugin-receives-local-config has-local \
		"$T/spy/stdin.yaml" CostProfile standard-api-cost
	# The plugin's own stream, in order: the local-config items (the
	# CostProfile, the setters ConfigMap) come back unchanged, and so do
	# the kustomize.config.k8s.io/id annotations kustomize matches the
	# output back by.
	grep -q 'kustomize.config.k8s.io/id' "$T/spy/stdin.yaml" 2>/dev/null &&
		echo "# note: kubectl's plugin stdin carries kustomize.config.k8s.io/id annotations"
	cost_checks kubectl-plugin-stream "$KPT_ASPECTS" prod \
		"$OVERRIDE_BUDGET" --ordered "$T/spy/stdout.yaml" \
		"$T/spy/stdin.yaml"
	# kubectl's final output: budget 8000, the CostProfile gone.
	cost_checks kubectl-cost-profile "$KUBECTL_ASPECTS" prod \
		"$OVERRIDE_BUDGET" --kustomize-output "$dir.out.yaml" \
		"${inputs[@]}"

	# A misspelt field in profile.yaml: kubectl fails naming it.
	dir=$T/kustomize-bad
	kk_dir "$dir" prod || return
	sed -i 's/^    costCenter:/    costCentre:/' "$dir/profile.yaml"
	kk "$T/xdg" "$dir.log" "$dir.out.yaml" "$dir"
	rc=$?
	expect_fail kubectl-bad-field-fails "$rc" "$dir.log" \
		'spec.cost.costCentre' 'did you mean "costCenter"'

	# An environment the cost profile lacks.
	dir=$T/kustomize-qa
	kk_dir "$dir" qa || return
	kk "$T/xdg" "$dir.log" "$dir.out.yaml" "$dir"
	rc=$?
	expect_fail kubectl-unknown-environment-fails "$rc" "$dir.log" \
		'environment "qa"' "$ENV_LIST" 'spec.environment'
}

# --- run ----------------------------------------------------------------------

# The names of the checks, for skipping when a tool is missing.
kpt_checks() {
	local env a
	for env in $ENVS; do
		printf '%s\n' "kpt-eval-$env-exit-0"
		for a in $KPT_ASPECTS; do printf '%s\n' "kpt-eval-$env-$a"; done
		printf '%s\n' "kpt-eval-$env-second-run-exit-0" \
			"kpt-eval-$env-idempotent" \
			"kpt-eval-$env-generated-same-files"
		for a in $KPT_MON_ASPECTS; do
			printf '%s\n' "kpt-eval-$env-$a"
		done
	done
	printf '%s\n' kpt-eval-cost-profile-exit-0
	for a in $KPT_ASPECTS; do printf '%s\n' "kpt-eval-cost-profile-$a"; done
	printf '%s\n' kpt-eval-unknown-key-fails kpt-eval-unknown-key-result \
		kpt-eval-unknown-key-leaves-package \
		kpt-eval-unknown-environment-fails \
		kpt-eval-unknown-environment-result \
		kpt-eval-unknown-environment-leaves-package
	for env in $ENVS; do
		printf '%s\n' "kpt-render-$env-exit-0"
		for a in $KPT_ASPECTS; do
			printf '%s\n' "kpt-render-$env-$a"
		done
		printf '%s\n' "kpt-render-$env-second-run-exit-0" \
			"kpt-render-$env-idempotent" \
			"kpt-render-$env-generated-same-files"
		for a in $KPT_MON_ASPECTS; do
			printf '%s\n' "kpt-render-$env-$a"
		done
	done
	printf '%s\n' kpt-render-relative-exec-from-cwd \
		kpt-render-cost-profile-exit-0
	for a in $KPT_ASPECTS; do
		printf '%s\n' "kpt-render-cost-profile-$a"
	done
	printf '%s\n' kpt-render-bad-field-fails \
		kpt-render-bad-field-leaves-package \
		kpt-render-unknown-environment-fails \
		kpt-render-unknown-environment-leaves-package
}

kubectl_checks() {
	local env a
	printf '%s\n' make-install-plugin
	for env in $ENVS; do
		printf '%s\n' "kubectl-$env-exit-0"
		for a in $KUBECTL_ASPECTS; do
			printf '%s\n' "kubectl-$env-$a"
		done
		printf '%s\n' "kubectl-$env-second-run-exit-0" \
			"kubectl-$env-idempotent" \
			"kubectl-$env-spy-run" "kubectl-$env-spy-second-run" \
			"kubectl-$env-plugin-own-output-exit-0" \
			"kubectl-$env-plugin-own-output-idempotent" \
			"kubectl-$env-plugin-rerun-exit-0" \
			"kubectl-$env-plugin-rerun-idempotent"
		for a in $KUBECTL_MON_ASPECTS; do
			printf '%s\n' "kubectl-$env-$a"
		done
	done
	printf '%s\n' kubectl-cost-profile-exit-0 \
		kubectl-plugin-gets-one-argument \
		kubectl-plugin-config-is-profile \
		kubectl-plugin-receives-local-config
	for a in $KPT_ASPECTS; do printf '%s\n' "kubectl-plugin-stream-$a"; done
	for a in $KUBECTL_ASPECTS; do
		printf '%s\n' "kubectl-cost-profile-$a"
	done
	printf '%s\n' kubectl-bad-field-fails kubectl-unknown-environment-fails
}

if command -v kpt >/dev/null 2>&1; then
	echo "# kpt: $(command -v kpt) $(kpt version 2>/dev/null | head -n 1)"
	kpt_eval
	kpt_render
else
	for c in $(kpt_checks); do skip "$c" "kpt not installed"; done
fi

if command -v kubectl >/dev/null 2>&1; then
	echo "# kubectl: $(command -v kubectl)" \
		"$(kubectl version --client 2>/dev/null | tr '\n' ' ')"
	kubectl_kustomize
else
	for c in $(kubectl_checks); do skip "$c" "kubectl not installed"; done
fi
exit 0
