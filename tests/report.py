#!/usr/bin/env python3
"""tests/report.py - the `krm-fn report` checks.

  report.py build KRM_FN DIR      render the test build into DIR/build.yaml
                                  (every service x environment x region in
                                  legacy mode, concatenated as kustomize
                                  build output of several overlays would be)
                                  and DIR/build-rl.yaml (the same as one
                                  ResourceList)
  report.py check FORMAT OUT      check a report (table, csv or json)
                                  against the budgets computed here from
                                  the profiles' numbers

The expected numbers are computed from the profiles independently of
krm-fn: standard-api-cost (USD monthly, size large = x2): int-stable 500,
pre-stable 1500, prod 3000; ledger-cost (EUR monthly, shared by regions):
200.50, 400, 800; settlement-cost (USD quarterly, per region): 300, 600,
1200.
"""
import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal

ENVS = ["int-stable", "pre-stable", "prod"]
REGIONS = ["euw1", "use1"]
SERVICES = [
    # service, team, cost center, business unit, owner, profile, size,
    # monthly/quarterly base per environment, currency, period, shared
    ("payment-processor", "payments-team", "CC-12345", "retail-banking",
     "alice.johnson@company.com", "standard-api-cost", "large",
     {"int-stable": "1000", "pre-stable": "3000", "prod": "6000"},
     "USD", "monthly", False),
    ("ledger", "ledger-team", "CC-777", "retail-banking",
     "bob@company.com", "ledger-cost", "medium",
     {"int-stable": "200.50", "pre-stable": "400", "prod": "800"},
     "EUR", "monthly", True),
    ("nightly-settlement", "payments-team", "CC-12345", "corporate",
     "carol@company.com", "settlement-cost", "medium",
     {"int-stable": "300", "pre-stable": "600", "prod": "1200"},
     "USD", "quarterly", False),
]


def profile(svc, env, region):
    s = [x for x in SERVICES if x[0] == svc][0]
    return """apiVersion: costmon.dev/v1alpha1
kind: ServiceProfile
metadata: {name: %s}
spec:
  service: %s
  team: %s
  environment: %s
  region: %s
  size: %s
  costProfile: %s
  namespace: %s-%s-%s
  cost: {costCenter: %s, businessUnit: %s, costOwner: %s}
""" % (svc, svc, s[1], env, region, s[6], s[5], env, svc, region, s[2],
       s[3], s[4])


def resources(svc, env, region):
    ns = "%s-%s-%s" % (env, svc, region)
    return """apiVersion: v1
kind: Namespace
metadata: {name: %s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec: {containers: [{name: app, image: example/%s:1}]}
""" % (ns, svc, ns, svc, svc, svc)


def build(krm, outdir):
    profiles = open(os.path.join(os.path.dirname(__file__), "..", "testdata",
                                 "report", "profiles.yaml")).read()
    docs = []
    for svc, *_ in SERVICES:
        for env in ENVS:
            for region in REGIONS:
                pf = os.path.join(outdir, "profile.yaml")
                open(pf, "w").write(profile(svc, env, region))
                stdin = resources(svc, env, region) + "---\n" + profiles
                p = subprocess.run([krm, pf], input=stdin, text=True,
                                   capture_output=True)
                if p.returncode != 0:
                    sys.exit("krm-fn failed for %s %s %s: %s" % (
                        svc, env, region, p.stderr))
                # kustomize drops local-config objects
                import yaml
                for d in yaml.safe_load_all(p.stdout):
                    ann = (d.get("metadata") or {}).get("annotations") or {}
                    if ann.get("config.kubernetes.io/local-config") == "true":
                        continue
                    docs.append(d)
    import yaml
    with open(os.path.join(outdir, "build.yaml"), "w") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False)
    with open(os.path.join(outdir, "build-rl.yaml"), "w") as f:
        yaml.safe_dump({"apiVersion": "config.kubernetes.io/v1",
                        "kind": "ResourceList", "items": docs}, f,
                       sort_keys=False)


def expected():
    rows = {}
    totals = {}
    for (svc, team, cc, bu, owner, prof, size, amounts, cur, period,
         shared) in SERVICES:
        for env in ENVS:
            names = ["%s-%s" % (svc, env)] if shared else [
                "%s-%s-%s" % (svc, env, r) for r in REGIONS]
            for name in names:
                rows[name] = (svc, env, ",".join(REGIONS) if shared else
                              name.rsplit("-", 1)[1], team, cc, bu,
                              Decimal(amounts[env]), cur, period)
                for by, val in (("team", team), ("costCenter", cc),
                                ("businessUnit", bu)):
                    k = (by, val, cur, period)
                    a, n = totals.get(k, (Decimal(0), 0))
                    totals[k] = (a + Decimal(amounts[env]), n + 1)
    return rows, totals


def check(fmt, path):
    rows, totals = expected()
    text = open(path).read()
    got_rows, got_totals = {}, {}
    if fmt == "json":
        doc = json.loads(text)
        for b in doc["budgets"]:
            got_rows[b["name"]] = (b["service"], b["environment"],
                                   ",".join(b["regions"]), b["team"],
                                   b["costCenter"], b["businessUnit"],
                                   Decimal(b["amount"]), b["currency"],
                                   b["period"])
            # what a sync job needs: filters by cost labels, alert rules
            f = b["filters"]
            assert f.get("cost.service") == b["service"], b
            assert f.get("cost.environment") == b["environment"], b
            if b["scope"] == "shared":
                assert "cost.region" not in f, b
            else:
                assert f.get("cost.region") == b["regions"][0], b
            assert b["alerts"] and all("amount" in a and "channels" in a
                                       for a in b["alerts"]), b
        for t in doc["totals"]:
            got_totals[(t["by"], t["value"], t["currency"], t["period"])] = (
                Decimal(t["amount"]), t["budgets"])
    elif fmt == "csv":
        for r in csv.DictReader(io.StringIO(text)):
            if r["x_RowType"] == "budget":
                got_rows[r["x_BudgetName"]] = (
                    r["x_Service"], r["x_Environment"], r["RegionId"],
                    r["x_Team"], r["x_CostCenter"], r["x_BusinessUnit"],
                    Decimal(r["x_BudgetAmount"]), r["BillingCurrency"],
                    r["x_BudgetPeriod"])
                json.loads(r["Tags"])
            else:
                col = {"team": "x_Team", "costCenter": "x_CostCenter",
                       "businessUnit": "x_BusinessUnit"}[r["x_TotalBy"]]
                got_totals[(r["x_TotalBy"], r[col], r["BillingCurrency"],
                            r["x_BudgetPeriod"])] = (
                    Decimal(r["x_BudgetAmount"]), int(r["x_Budgets"]))
    else:
        section, by = None, None
        for line in text.splitlines():
            if line.startswith("Budgets"):
                section = "b"
                continue
            if line.startswith("Totals by "):
                section = "t"
                by = {"team": "team", "cost center": "costCenter",
                      "business unit": "businessUnit"}[line[10:]]
                continue
            f = line.split()
            if not f or set(line.strip()) <= {"-", " "} or f[0].startswith("x_"):
                continue
            if section == "b":
                got_rows[f[0]] = (f[1], f[2], f[3], f[5], f[6], f[7],
                                  Decimal(f[9]), f[10], f[11])
            elif section == "t":
                got_totals[(by, f[0], f[1], f[2])] = (Decimal(f[3]),
                                                      int(f[4]))
    problems = []
    if got_rows != rows:
        for k in sorted(set(rows) | set(got_rows)):
            if rows.get(k) != got_rows.get(k):
                problems.append("row %s: expected %s, got %s" % (
                    k, rows.get(k), got_rows.get(k)))
    if got_totals != totals:
        for k in sorted(set(totals) | set(got_totals)):
            if totals.get(k) != got_totals.get(k):
                problems.append("total %s: expected %s, got %s" % (
                    k, totals.get(k), got_totals.get(k)))
    if problems:
        print("\n".join(problems[:20]))
        return 1
    print("%d budgets, %d totals" % (len(rows), len(totals)))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
