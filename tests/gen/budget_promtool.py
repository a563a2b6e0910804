#!/usr/bin/env python3
"""tests/gen/budget_promtool.py - writes testdata/promtool/budget.test.yaml
(the budget alert unit tests): python3 tests/gen/budget_promtool.py >
testdata/promtool/budget.test.yaml. The numbers are explained at the
top of the file it writes."""
NS = "prod-payment-processor-euw1-stable"
GiB = 1073741824
OC = 'instance="opencost.opencost:9003",job="opencost"'
KSM = 'instance="10.0.0.5:8080",job="kube-state-metrics"'

def node(n, cpu, ram, gpu=None):
    out = [(f'node_cpu_hourly_cost{{{OC},node="{n}",instance_type="n2-standard-16",region="europe-west1",provider_id="gce://proj/europe-west1-b/{n}",arch="amd64"}}', cpu),
           (f'node_ram_hourly_cost{{{OC},node="{n}",instance_type="n2-standard-16",region="europe-west1",provider_id="gce://proj/europe-west1-b/{n}",arch="amd64"}}', ram)]
    if gpu is not None:
        out.append((f'node_gpu_hourly_cost{{{OC},node="{n}",instance_type="a2-highgpu-1g",region="europe-west1",provider_id="gce://proj/europe-west1-b/{n}",arch="amd64"}}', gpu))
    return out

def pod(ns, name, svc, n, cores, gib, gpu=None, uid="u"):
    out = [(f'container_cpu_allocation{{{OC},namespace="{ns}",pod="{name}",container="app",node="{n}"}}', cores),
           (f'container_memory_allocation_bytes{{{OC},namespace="{ns}",pod="{name}",container="app",node="{n}"}}', gib * GiB),
           (f'kube_pod_labels{{{KSM},namespace="{ns}",pod="{name}",uid="{uid}-{name}",label_app="{svc}",label_cost_service="{svc}"}}', 1)]
    if gpu:
        out.append((f'container_gpu_allocation{{{OC},namespace="{ns}",pod="{name}",container="app",node="{n}"}}', gpu))
    return out

def series(lst, span=239):
    res = []
    for s, v in lst:
        if isinstance(v, str):
            res.append((s, v))
        else:
            res.append((s, f"{v:g}x{span}" if not isinstance(v, int) or v < 1e9 else f"{v}x{span}"))
    return res

def base_pp():
    # payment-processor: 3 pods of 2 cores + 4 GiB at 0.5/core-h and 0.25/GiB-h: 3 x 2 = $6/h
    out = []
    for p in ("payment-processor-7c9d8b6f5d-bx2kq", "payment-processor-7c9d8b6f5d-h4wzt", "payment-processor-7c9d8b6f5d-r9lmp"):
        out += pod(NS, p, "payment-processor", "n1", 2, 4)
    return out

def others():
    # checkout in the same namespace: 20 cores + 40 GiB = $20/h (above its 3000 budget);
    # ledger in another namespace and a payment-processor pod in pre-prod: big, not ours.
    out = pod(NS, "checkout-5f6b7c8d9f-k2x7z", "checkout", "n1", 20, 40)
    out += pod("prod-ledger", "ledger-6d5c4b3a2f-q8w4n", "ledger", "n1", 40, 80)
    out += pod("pre-payment-processor-euw1-stable", "payment-processor-6b5c4d3f2g-zz9x8", "payment-processor", "n1", 40, 80)
    return out

def fmt(lst):
    lines = []
    for s, v in lst:
        lines.append(f"  - series: '{s}'\n    values: '{v}'")
    return "\n".join(lines)

PP = dict(budget="payment-processor-prod", service="payment-processor", environment="prod", namespace=NS, team="payments-team")
CO = dict(budget="checkout-prod", service="checkout", environment="prod", namespace=NS, team="shop-team")
PPW = dict(PP, period="monthly", severity="warning", budget_alert="warning-80", channel_teams="#team-payment-processor", channel_email="alice.johnson@company.com")
PPC = dict(PP, period="monthly", severity="critical", budget_alert="critical-100", channel_teams="#team-payment-processor,#platform-leadership", channel_email="alice.johnson@company.com,finance-operations@company.com", channel_pagerduty="on-call-engineering")
COW = dict(CO, period="monthly", severity="warning", budget_alert="warning-80", channel_teams="#team-checkout", channel_email="bob.smith@company.com")
COC = dict(CO, period="monthly", severity="critical", budget_alert="critical-100", channel_teams="#team-checkout,#platform-leadership", channel_email="bob.smith@company.com,finance-operations@company.com", channel_pagerduty="on-call-engineering")

def labels(d):
    return "\n".join(f"        {k}: '{v}'" for k, v in d.items())

def alerts(t, name, lst):
    s = f"  - eval_time: {t}\n    alertname: {name}\n    exp_alerts:"
    if not lst:
        return s + " []"
    for d in lst:
        s += "\n    - exp_labels:\n" + labels(d)
    return s

def value(t, expr, v):
    expr = f"sum({expr})"
    return f"  - expr: '{expr}'\n    eval_time: {t}\n    exp_samples:\n    - value: {v}"

HEAD = """# promtool unit tests: the budget alerts (PrometheusRule
# <service>-budget-alerts) on series shaped as OpenCost and
# kube-state-metrics export them. payment-processor (prod, size large:
# a 6000 USD monthly budget, warning at 80 % = 4800, critical at 100 %)
# and checkout (3000 USD) share the namespace
# prod-payment-processor-euw1-stable. Prices: 0.5 USD per core-hour,
# 0.25 USD per GiB-hour, 2 USD per GPU-hour, 0.01 USD per GiB-hour of
# disk. A month is 730 hours, so the projected spend is 730 x the hourly
# cost averaged over the last 24 hours (here: since the rules were loaded
# at 0, as for a new service):
#   6 USD/h -> 4380: nothing fires;
#   7 USD/h -> 5110: the warning fires, the critical does not;
#   9 USD/h (with a GPU and a persistent volume) -> 6570: both fire.
# In every test checkout costs 20 USD/h in the same namespace, a ledger
# pod 40 USD/h in another namespace and a payment-processor pod of
# pre-production 40 USD/h in its own namespace: payment-processor's
# series and alerts must not move (checkout's own alerts fire, which
# shows its spend is really there). A pod that adds 3 USD/h for 10 minutes and
# stops does not alert (the average peaks at about 6.2 USD/h, under
# 4800 / 730 = 6.58). budget-steady.test.yaml has a steady service whose
# cost rises after a day.
#

rule_files:
- payment-processor.bare.rules.yaml
- checkout.bare.rules.yaml
evaluation_interval: 1m

tests:
"""

def test(name, lst, body):
    return f"- name: '{name}'\n  interval: 1m\n  input_series:\n{fmt(series(lst))}\n  alert_rule_test:\n{body[0]}\n  promql_expr_test:\n{body[1]}\n"

out = HEAD
nodes = node("n1", 0.5, 0.25) + node("n2", 0.5, 0.25, 2)
rec = 'costmon:budget_hourly_cost:sum{budget="payment-processor-prod"}'
# $6
out += test("6 USD an hour (4380 projected): nothing fires for payment-processor; checkout alerts fire",
            nodes + base_pp() + others(),
            ("\n".join([alerts("3h", "CostBudgetWarning80", [COW]), alerts("3h", "CostBudgetCritical100", [COC]),
                        alerts("3h", "CostBudgetServiceLabelNotExported", [])]),
             "\n".join([value("3h", rec, 6), value("3h", rec + " * 730", 4380),
                        value("3h", 'costmon:budget_hourly_cost:sum{budget="checkout-prod"}', 20)])))
# $7
extra = pod(NS, "payment-processor-7c9d8b6f5d-w2n6c", "payment-processor", "n1", 1, 2)
out += test("7 USD an hour (5110 projected): the warning fires, the critical does not",
            nodes + base_pp() + extra + others(),
            ("\n".join([alerts("20m", "CostBudgetWarning80", []), alerts("3h", "CostBudgetWarning80", [PPW, COW]),
                        alerts("3h", "CostBudgetCritical100", [COC])]),
             "\n".join([value("3h", rec, 7), value("3h", rec + " * 730", 5110)])))
# $9 with GPU and PV
gpu = pod(NS, "payment-processor-7c9d8b6f5d-g7p5t", "payment-processor", "n2", 0, 0, gpu=1)
pv = [(f'pod_pvc_allocation{{{OC},namespace="{NS}",pod="payment-processor-7c9d8b6f5d-bx2kq",persistentvolumeclaim="data",persistentvolume="pvc-4b7d2c"}}', 100 * GiB),
      (f'pv_hourly_cost{{{OC},persistentvolume="pvc-4b7d2c",volumename="pvc-4b7d2c",provider_id="projects/proj/zones/europe-west1-b/disks/pvc-4b7d2c"}}', 0.01)]
out += test("9 USD an hour with a GPU and a persistent volume (6570 projected): both fire",
            nodes + base_pp() + gpu + pv + others(),
            ("\n".join([alerts("3h", "CostBudgetWarning80", [PPW, COW]), alerts("3h", "CostBudgetCritical100", [PPC, COC])]),
             "\n".join([value("3h", rec, 9), value("3h", rec + " * 730", 6570)])))
# burst: a 4th pod costing $3/h for 10 minutes at 2h
burst = [(s, "_x119 " + ("%g" % v if v < 1e9 else str(v)) + "x9 stale") for s, v in pod(NS, "payment-processor-7c9d8b6f5d-t8s3m", "payment-processor", "n1", 3, 6)]
out += test("a pod that adds 3 USD an hour for 10 minutes does not alert",
            nodes + base_pp() + burst + others(),
            ("\n".join([alerts(t, "CostBudgetWarning80", [COW]) for t in ("2h5m", "2h30m", "3h")]),
             "\n".join([value("2h5m", rec, 9), value("2h30m", rec, 6)])))
# labels not exported
nolab = [(s.replace(',label_cost_service="payment-processor"', ""), v) for s, v in base_pp()]
nolab = [(s, v) for s, v in nolab if "checkout" not in s]
out += test("kube-state-metrics without the cost.service label: the warning says so, and spend reads 0",
            nodes + nolab,
            ("\n".join([alerts("30m", "CostBudgetServiceLabelNotExported", []),
                        alerts("2h", "CostBudgetServiceLabelNotExported", [dict(PP, severity="warning"), dict(CO, severity="warning")])]),
             value("2h", rec, 0)))
print(out, end="")
