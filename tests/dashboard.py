#!/usr/bin/env python3
"""tests/dashboard.py - helpers of the dashboard suite (tests/dashboard.sh).

Usage: dashboard.py extract KRM_OUT DIR
           write the dashboard of each ConfigMap labelled as one (any
           key ending in .json under data) or GrafanaDashboard of the
           ResourceList KRM_OUT to DIR/<object name>.json and the object
           to DIR/<Kind>.<name>.yaml; print the JSON paths, one a line.
       dashboard.py ts DASH.json OUT.ts
           write DASH.json as a TypeScript module that types it as
           CostmonDashboard (tests/grafana/types.ts).
       dashboard.py queries DASH.json
           print every query of the dashboard (panel targets and query
           variables), one a line as "<where>\\t<PromQL>", with Grafana's
           variables substituted the way Grafana would: $__rate_interval
           by 2m, $pod by .+ (All), label_values(Q, label) by Q.
       dashboard.py scratch DASH.json OUT.rules.yaml
           the queries as recording rules of one group (for promtool
           check rules: each must parse as PromQL).
       dashboard.py metrics DASH.json RULES.yaml DECLARED...
           every metric name a query reads must be recorded by a rule in
           RULES.yaml, be one of DECLARED, or be ALERTS (Prometheus' series
           of the alerting rules). Exit 1 with one line per stranger.
       dashboard.py unit DASH.json RULES.yaml TEMPLATE OUT.test.yaml
           a promtool unit test: TEMPLATE's input series and tests (in
           which "@panel{TITLE}" or "@panel{TITLE}[N]" stands for the
           substituted query N, 0 by default, of the panel titled TITLE),
           plus, at TEMPLATE's eval_time "healthy_at", one test per query
           that it returns data (count(q) > bool 0 is 1).
       dashboard.py filled DASH.json
           no template word of costmon's panel table (@word) is left in
           any string of the dashboard. Exit 1 listing them.
       dashboard.py agree DASH.json RULES.yaml
           every threshold of the dashboard equals the number the
           generated rules use for the same thing: the SLO compliance
           line is service:slo_objective:ratio, the burn-rate lines times
           service:slo_error_budget:ratio are the 1h page and 1d ticket
           alerts' thresholds, the error-rate line is the error-rate
           budget, the latency line the latency objective of
           service:slo:info, the memory and CPU lines the resource alerts'
           limits. Exit 1 with one line per disagreement.
       dashboard.py crd OBJECT.yaml
           check a GrafanaDashboard against the fields of grafana-operator
           v5's CRD that costmon relies on (see GD_SPEC). Exit 1 with one
           line per problem.

Only PyYAML is used (python3-yaml).
"""
import json
import os
import re
import sys

import yaml


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def items(path):
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        sys.exit("%s: not a ResourceList with items" % path)
    return [i for i in doc["items"] if isinstance(i, dict)]


def cmd_extract(krm_out, out_dir):
    for it in items(krm_out):
        kind = it.get("kind")
        name = it.get("metadata", {}).get("name", "")
        text = None
        if kind == "ConfigMap" and name.endswith("-dashboard"):
            data = it.get("data") or {}
            keys = [k for k in data if k.endswith(".json")]
            if len(keys) != 1:
                sys.exit("ConfigMap %s holds %d .json keys, expected 1"
                         % (name, len(keys)))
            text = data[keys[0]]
        elif kind == "GrafanaDashboard":
            text = (it.get("spec") or {}).get("json")
        if text is None:
            continue
        path = os.path.join(out_dir, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(out_dir, "%s.%s.yaml" % (kind, name)), "w",
                  encoding="utf-8") as f:
            yaml.safe_dump(it, f, sort_keys=False)
        print(path)


def load_dash(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cmd_ts(dash_path, out):
    with open(dash_path, encoding="utf-8") as f:
        text = f.read()
    json.loads(text)  # must be JSON first
    with open(out, "w", encoding="utf-8") as f:
        f.write("import type { CostmonDashboard } from './types';\n"
                "export const dashboard: CostmonDashboard = %s;\n"
                % text.strip())


def substitute(q):
    q = q.replace("$__rate_interval", "2m").replace("${__rate_interval}", "2m")
    q = q.replace('"$pod"', '".+"')
    m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*",
                     q, re.S)
    if m:
        q = m.group(1)
    return q


def queries(dash):
    """[(where, title, index, substituted PromQL)]"""
    out = []
    for p in dash.get("panels", []):
        for i, t in enumerate(p.get("targets") or []):
            out.append(("panel %d %r [%d]" % (p["id"], p["title"], i),
                        p["title"], i, substitute(t["expr"])))
    for v in (dash.get("templating") or {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            out.append(("variable %s" % v["name"], "$" + v["name"], 0,
                        substitute(q)))
    for where, _, _, q in out:
        if "$" in q:
            sys.exit("%s: a variable is left in %s" % (where, q))
    return out


def cmd_queries(dash_path):
    for where, _, _, q in queries(load_dash(dash_path)):
        print("%s\t%s" % (where, q))


def cmd_scratch(dash_path, out):
    rules = [{"record": "dashboard:query%d" % n, "expr": q}
             for n, (_, _, _, q) in enumerate(queries(load_dash(dash_path)))]
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]},
                       f, sort_keys=False)
    print(len(rules))


KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "inf", "nan",
}
FUNCS_OR_AGGS = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\s*\(")


def metric_names(q):
    """The metric names a PromQL expression reads (a small lexer: strings,
    label matchers, grouping label lists and durations are removed, then
    every identifier that is not a keyword or a function call is a
    metric)."""
    q = re.sub(r'"(?:[^"\\]|\\.)*"', '""', q)
    q = re.sub(r"'(?:[^'\\]|\\.)*'", "''", q)
    q = re.sub(r"\{[^{}]*\}", "", q)
    q = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)",
               "", q)
    q = re.sub(r"\[[^\]]*\]", "", q)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", q):
        word = m.group(0)
        rest = q[m.end():]
        if word.lower() in KEYWORDS or re.match(r"\s*\(", rest):
            continue
        if re.match(r"\d", word):
            continue
        names.add(word)
    return names


def recorded(rules_path):
    doc = load_yaml(rules_path)
    return {r["record"] for g in doc.get("groups", []) for r in g.get("rules", [])
            if "record" in r}


def cmd_metrics(dash_path, rules_path, declared):
    allowed = recorded(rules_path) | set(declared) | {"ALERTS"}
    bad = []
    for where, _, _, q in queries(load_dash(dash_path)):
        for name in sorted(metric_names(q) - allowed):
            bad.append("%s reads %s, which no recording rule produces and "
                       "the profile does not declare" % (where, name))
    print("\n".join(bad))
    sys.exit(1 if bad else 0)


def cmd_unit(dash_path, rules_path, template, out):
    dash = load_dash(dash_path)
    qs = queries(dash)
    by_title = {}
    for _, title, i, q in qs:
        by_title[(title, i)] = q
    with open(template, encoding="utf-8") as f:
        doc = yaml.safe_load(f)

    def fill(text):
        def one(m):
            key = (m.group(1), int(m.group(2) or 0))
            if key not in by_title:
                sys.exit("%s: no panel query %r[%d]; panels: %s"
                         % (template, key[0], key[1],
                            sorted({t for t, _ in by_title})))
            return "(" + by_title[key] + ")"
        return re.sub(r"@panel\{([^{}]*)\}(?:\[(\d+)\])?", one, text)

    healthy_at = doc.pop("healthy_at", None)
    tests = doc.get("tests") or []
    for t in tests:
        for e in t.get("promql_expr_test") or []:
            e["expr"] = fill(e["expr"])
    if healthy_at:
        if not tests:
            sys.exit("%s: healthy_at needs a test with input_series" % template)
        t0 = tests[0]
        checks = t0.setdefault("promql_expr_test", [])
        for where, _, _, q in qs:
            checks.append({
                "expr": "count(%s) > bool 0" % q,
                "eval_time": healthy_at,
                "exp_samples": [{"labels": "{}", "value": 1}],
                "#": where,
            })
    for t in tests:
        for e in t.get("promql_expr_test") or []:
            e.pop("#", None)
    doc["rule_files"] = [os.path.basename(rules_path)]
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=10000)
    print(len(qs))


# The GrafanaDashboard fields costmon writes, as grafana-operator v5's CRD
# (grafana.integreatly.org_grafanadashboards.yaml, v5.9.2, version v1beta1)
# defines them; checked by hand against that CRD. spec.instanceSelector is
# the only required field; uid is at most 40 of [a-zA-Z0-9-_]; folder may
# not be set with folderUID or folderRef (costmon sets neither).
GD_SPEC = {
    "required": ["instanceSelector"],
    "fields": {
        "instanceSelector": dict,
        "allowCrossNamespaceImport": bool,
        "folder": str,
        "uid": str,
        "json": str,
    },
}
LABEL_SELECTOR = {"matchLabels": dict, "matchExpressions": list}


def cmd_crd(obj_path):
    obj = load_yaml(obj_path)
    problems = []
    if obj.get("apiVersion") != "grafana.integreatly.org/v1beta1":
        problems.append("apiVersion is %r" % obj.get("apiVersion"))
    if obj.get("kind") != "GrafanaDashboard":
        problems.append("kind is %r" % obj.get("kind"))
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        problems.append("spec is not a mapping")
        spec = {}
    for f in GD_SPEC["required"]:
        if f not in spec:
            problems.append("spec.%s is required" % f)
    for k, v in spec.items():
        t = GD_SPEC["fields"].get(k)
        if t is None:
            problems.append("spec.%s is not a field costmon may write" % k)
        elif not isinstance(v, t):
            problems.append("spec.%s must be %s, not %s"
                            % (k, t.__name__, type(v).__name__))
    uid = spec.get("uid")
    if isinstance(uid, str) and (len(uid) > 40 or
                                 not re.fullmatch(r"[a-zA-Z0-9-_]+", uid)):
        problems.append("spec.uid %r: at most 40 of [a-zA-Z0-9-_]" % uid)
    sel = spec.get("instanceSelector")
    if isinstance(sel, dict):
        for k, v in sel.items():
            if k not in LABEL_SELECTOR or not isinstance(v, LABEL_SELECTOR[k]):
                problems.append("spec.instanceSelector.%s is not a "
                                "LabelSelector field" % k)
        for k, v in (sel.get("matchLabels") or {}).items():
            if not isinstance(v, str):
                problems.append("spec.instanceSelector.matchLabels.%s must "
                                "be a string" % k)
    if isinstance(spec.get("json"), str):
        try:
            d = json.loads(spec["json"])
            if isinstance(uid, str) and d.get("uid") != uid:
                problems.append("spec.uid %r differs from the JSON's uid %r"
                                % (uid, d.get("uid")))
        except ValueError as e:
            problems.append("spec.json is not JSON: %s" % e)
    print("\n".join(problems))
    sys.exit(1 if problems else 0)


def strings(x, path=""):
    if isinstance(x, str):
        yield path, x
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from strings(v, "%s.%s" % (path, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from strings(v, "%s[%d]" % (path, i))


def cmd_filled(dash_path):
    bad = ["%s: %r" % (p, t) for p, t in strings(load_dash(dash_path))
           if re.search(r"@[a-z]", t)]
    print("\n".join(bad))
    sys.exit(1 if bad else 0)


def close(a, b):
    return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b))


def steps(panel):
    th = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    return {st["color"]: st["value"] for st in th}


def cmd_agree(dash_path, rules_path):
    dash = load_dash(dash_path)
    rules = [r for g in load_yaml(rules_path).get("groups", [])
             for r in g.get("rules", [])]
    vec = {}    # (record, slo) -> value of vector(V)
    info = {}   # slo -> labels of service:slo:info
    for r in rules:
        if "record" not in r:
            continue
        slo = (r.get("labels") or {}).get("slo")
        m = re.fullmatch(r"\s*vector\(([0-9.eE+-]+)\)\s*", r["expr"])
        if m:
            vec[(r["record"], slo)] = float(m.group(1))
        if r["record"] == "service:slo:info":
            info[slo] = r.get("labels") or {}
    alerts = " ".join(r["expr"] for r in rules if "alert" in r)

    def alert_threshold(window, slo):
        m = re.search(r'service:slo_sli_error:ratio_rate%s\{[^}]*slo="%s"[^}]*\}'
                      r" > ([0-9.eE+-]+)" % (window, re.escape(slo)), alerts)
        return float(m.group(1)) if m else None

    def limits(metric):
        vals = []
        for r in rules:
            if "alert" in r and metric in r["expr"]:
                m = re.search(r"\) > ([0-9.eE+-]+)\s*$", r["expr"])
                if m:
                    vals.append(float(m.group(1)))
        return (min(vals), max(vals)) if vals else (None, None)

    bad = []

    def want(what, got, exp):
        if not close(got, exp):
            bad.append("%s: dashboard %r, rules %r" % (what, got, exp))

    checked = 0
    for p in dash.get("panels", []):
        t = p.get("title", "")
        if p.get("type") == "row" or "fieldConfig" not in p:
            continue
        st = steps(p)
        m = re.match(r"SLO compliance: (\S+) ", t)
        if m:
            want(t, st.get("green"),
                 vec.get(("service:slo_objective:ratio", m.group(1))))
            checked += 1
        m = re.match(r"Burn rate: (\S+)$", t)
        if m:
            b = vec.get(("service:slo_error_budget:ratio", m.group(1)))
            page, ticket = alert_threshold("1h", m.group(1)), alert_threshold("1d", m.group(1))
            if b is None:
                bad.append("%s: no budget series" % t)
            else:
                if page is not None:
                    want(t + " (1h page line x budget)", st.get("red") * b, page)
                if ticket is not None:
                    want(t + " (1d ticket line x budget)", st.get("orange") * b, ticket)
            checked += 1
        if t == "Error rate" and "red" in st:
            want(t, st["red"], vec.get(("service:slo_error_budget:ratio", "error-rate")))
            checked += 1
        if t.startswith("Latency") and "red" in st:
            obj = info.get("latency", {}).get("objective")
            want(t + " (seconds x 1000)", st["red"] * 1000,
                 float(obj) if obj else None)
            checked += 1
        for title, metric in (("Memory per container", "container_memory_working_set_bytes"),
                              ("CPU per container", "container_cpu_usage_seconds_total")):
            if t == title:
                lo, hi = limits(metric)
                want(t + " (warning)", st.get("orange"), lo)
                want(t + " (limit)", st.get("red"), hi)
                checked += 1
    print("\n".join(bad) if bad else "%d panels agree with the rules" % checked)
    sys.exit(1 if bad else 0)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "extract" and len(args) == 2:
        cmd_extract(*args)
    elif cmd == "ts" and len(args) == 2:
        cmd_ts(*args)
    elif cmd == "queries" and len(args) == 1:
        cmd_queries(*args)
    elif cmd == "scratch" and len(args) == 2:
        cmd_scratch(*args)
    elif cmd == "metrics" and len(args) >= 2:
        cmd_metrics(args[0], args[1], args[2:])
    elif cmd == "unit" and len(args) == 4:
        cmd_unit(*args)
    elif cmd == "agree" and len(args) == 2:
        cmd_agree(*args)
    elif cmd == "filled" and len(args) == 1:
        cmd_filled(*args)
    elif cmd == "crd" and len(args) == 1:
        cmd_crd(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
