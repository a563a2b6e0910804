#!/usr/bin/env python3
"""tests/gen/cost_goldens.py - writes the inputs of the cost golden cases
(testdata/golden/cost-*, err-cost-*, expand-*). Run it, then
`UPDATE_GOLDEN=1 SUITES=golden bash tests/run.sh` and review the diff.
Each case is a small variation of one base package, so the inputs stay
readable; the expected outputs are reviewed by hand."""
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "..", "..", "testdata", "golden")

BASE_ITEMS = """\
- apiVersion: v1
  kind: Namespace
  metadata:
    name: {ns}
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'namespace.yaml'
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: payment-processor
    namespace: {ns}
    labels:
      app: payment-processor
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'deployment.yaml'
  spec:
    replicas: 3
    selector:
      matchLabels:
        app: payment-processor
    template:
      metadata:
        labels:
          app: payment-processor
      spec:
        containers:
        - name: app
          image: gcr.io/project/payment-processor:v1.0.0
- apiVersion: v1
  kind: Service
  metadata:
    name: payment-processor
    namespace: {ns}
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'service.yaml'
  spec:
    selector:
      app: payment-processor
    ports:
    - name: http
      port: 80
      targetPort: 8080
"""


def profile(env="prod", size="large", extra="", cost_extra="", drop=(),
            svc="payment-processor", owner="alice.johnson@company.com",
            cost_profile="standard-api-cost", monitoring=True):
    fields = [
        ("service", "    service: %s\n" % svc),
        ("team", "    team: payments-team\n"),
        ("environment", "    environment: %s\n" % env),
        ("region", "    region: euw1\n"),
        ("size", "    size: %s\n" % size if size else ""),
        ("costProfile", "    costProfile: %s\n" % cost_profile),
    ]
    s = "".join(v for k, v in fields if k not in drop)
    cost = [
        ("costCenter", "      costCenter: CC-12345\n"),
        ("businessUnit", "      businessUnit: retail-banking\n"),
        ("costOwner", "      costOwner: %s\n" % owner),
    ]
    s += "    cost:\n" + "".join(v for k, v in cost if k not in drop)
    s += cost_extra
    if monitoring:
        # The label only: monitoring objects have goldens of their own.
        s += ("    monitoringProfile: api-observability\n"
              "    monitoring: {prometheus: false}\n")
    s += extra
    return ("functionConfig:\n  apiVersion: costmon.dev/v1alpha1\n"
            "  kind: ServiceProfile\n  metadata:\n    name: payment-processor\n"
            "  spec:\n" + s)


def rl(items, fc):
    return ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
            "items:\n" + items + fc)


def write(case, files):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)


def items(env="prod"):
    return BASE_ITEMS.format(ns="%s-payment-processor-euw1-stable" % env)


CUSTOM_PROFILE = """\
- apiVersion: costmon.dev/v1alpha1
  kind: CostProfile
  metadata:
    name: {name}
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    currency: {currency}
    environments:
{envs}
    sizes: {{small: 0.5, medium: 1.15, large: 2}}
    alerts:
    - threshold: 90
      severity: warning
      channels:
        slack: ['#{{team}}-costs']
        email: ['{{costOwner}}']
"""

WORKLOADS = """\
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: rs}
  spec:
    selector: {matchLabels: {app: rs}}
    template:
      metadata: {labels: {app: rs}}
      spec: {containers: [{name: c, image: x}]}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db}
  spec:
    serviceName: db
    selector: {matchLabels: {app: db}}
    template:
      metadata: {labels: {app: db}}
      spec: {containers: [{name: c, image: x}]}
    volumeClaimTemplates:
    - metadata:
        name: data
        labels: {app: db}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent}
  spec:
    selector: {matchLabels: {app: agent}}
    template:
      spec: {containers: [{name: c, image: x}]}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: migrate}
  spec:
    template:
      metadata: {}
      spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: report}
  spec:
    schedule: "0 3 * * *"
    jobTemplate:
      spec:
        template:
          metadata: {labels: {app: report}}
          spec: {restartPolicy: OnFailure, containers: [{name: c, image: x}]}
- apiVersion: v1
  kind: ReplicationController
  metadata: {name: legacy-rc}
  spec:
    selector: {app: legacy}
    template:
      metadata: {labels: {app: legacy}}
      spec: {containers: [{name: c, image: x}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: debug, labels: {app: debug}}
  spec: {containers: [{name: c, image: x}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: reader}
  rules: []
- apiVersion: example.com/v1
  kind: Deployment
  metadata: {name: not-a-workload}
  spec:
    template:
      metadata: {labels: {app: custom}}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: catalog-note
    annotations: {config.kubernetes.io/local-config: "true"}
  data: {note: untouched}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: anchored, labels: &l {app: anchored}}
  spec:
    selector: {matchLabels: *l}
    template:
      metadata: {labels: *l}
      spec: {containers: [{name: c, image: x}]}
"""


def main():
    for env, budget in (("int-stable", 1000), ("pre-stable", 3000),
                        ("prod", 6000)):
        write("cost-env-%s" % env, {"input": rl(items(env), profile(env))})
    for size in ("small", "medium", "xlarge"):
        write("cost-size-%s" % size,
              {"input": rl(items(), profile(size=size))})
    write("cost-default-size", {"input": rl(items(), profile(size=None))})
    write("cost-budget-override", {"input": rl(items(), profile(
        cost_extra="      budgetOverride: 7500\n"))})
    write("cost-no-monitoring-profile",
          {"input": rl(items(), profile(monitoring=False))})
    envs = ("      int-stable: {base: 500}\n      pre-stable: {base: 1500}\n"
            "      prod: {base: 4000, min: 300, max: 50000}")
    write("cost-item-profile-overrides-builtin", {"input": rl(
        items() + CUSTOM_PROFILE.format(name="standard-api-cost",
                                        currency="USD", envs=envs),
        profile())})
    envs2 = "      prod: {base: 1500, max: 2000}"
    write("cost-item-profile-decimal", {"input": rl(
        items() + CUSTOM_PROFILE.format(name="team-eur", currency="EUR",
                                        envs=envs2),
        profile(size="medium", cost_profile="team-eur"))})
    write("cost-workloads", {"input": rl(items() + WORKLOADS, profile())})
    write("cost-existing-label-overwritten", {"input": rl(
        items().replace("      app: payment-processor\n    annotations",
                        "      app: payment-processor\n"
                        "      cost.budget: \"5000\"\n"
                        "      cost.team: payments-team\n    annotations", 1),
        profile())})
    write("cost-label-options", {"input": rl(items(), profile(extra=(
        "    labels:\n      prefix: cost.example.com/\n"
        "      keys: {costCenter: cost.example.com/center}\n"
        "      omit: [environment]\n"
        "      podTemplate:\n        omit: [budget, owner]\n"
        "        keys: {service: app.kubernetes.io/part-of}\n")))})
    write("cost-strict-owner-omitted", {"input": rl(items(), profile(extra=(
        "    labels:\n      strict: true\n      omit: [owner]\n")))})
    write("cost-configmap-form", {"input": rl(items(), (
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n"
        "  metadata: {name: function-input}\n  data:\n"
        "    service: payment-processor\n    team: payments-team\n"
        "    environment: pre-stable\n    size: large\n"
        "    costProfile: standard-api-cost\n    costCenter: CC-12345\n"
        "    businessUnit: Retail Banking\n"
        "    costOwner: alice.johnson@company.com\n"
        "    labelsOmit: monitoringProfile\n"
        "    podLabelsOmit: budget\n"))})
    # ---- budget record, region, presets, budget alerts
    shared = CUSTOM_PROFILE.format(
        name="shared-quarterly", currency="EUR",
        envs="      prod: {base: 9000}").replace(
        "    currency: EUR\n",
        "    currency: EUR\n    period: quarterly\n    budgetScope: shared\n")
    write("cost-region-shared-quarterly", {"input": rl(
        items() + shared, profile(size="medium",
                                  cost_profile="shared-quarterly"))})
    write("cost-budget-record-local", {"input": rl(items(), profile(
        cost_extra="      budgetRecord: local\n"))})
    write("cost-record-replaced", {"input": rl(items() + """\
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: payment-processor-budget
    namespace: prod-payment-processor-euw1-stable
    labels: {costmon.dev/record: budget}
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'budget.yaml'
  data:
    budget.json: '{"name":"payment-processor-prod-euw1","amount":"3000"}'
""", profile())})
    write("cost-stale-budget-annotation", {"input": rl(items().replace(
        "      internal.config.kubernetes.io/path: 'deployment.yaml'\n",
        "      internal.config.kubernetes.io/path: 'deployment.yaml'\n"
        "      costmon.dev/budget: '{\"amount\":\"6000\"}'\n", 1),
        profile())})
    write("cost-budget-alerts", {"input": rl(items(), profile(
        monitoring=False))})
    write("cost-budget-alerts-no-namespace", {"input": rl(items().replace(
        "    namespace: prod-payment-processor-euw1-stable\n", ""),
        profile(monitoring=False))})
    off = CUSTOM_PROFILE.format(
        name="no-prometheus", currency="USD",
        envs="      prod: {base: 3000}").replace(
        "    currency: USD\n", "    currency: USD\n    prometheusAlerts: false\n")
    write("cost-budget-alerts-off", {"input": rl(items() + off, profile(
        size="medium", cost_profile="no-prometheus", monitoring=False))})
    existing = items().replace(
        "    name: payment-processor\n    namespace: prod-payment-processor-euw1-stable\n"
        "    annotations:\n      config.kubernetes.io/index: '0'\n"
        "      internal.config.kubernetes.io/path: 'service.yaml'\n",
        "    name: payment-processor\n    namespace: prod-payment-processor-euw1-stable\n"
        "    labels: {team: platform}\n"
        "    annotations:\n      config.kubernetes.io/index: '0'\n"
        "      internal.config.kubernetes.io/path: 'service.yaml'\n", 1)
    write("cost-preset-opencost", {"input": rl(existing, profile(
        monitoring=False, extra="    labels: {preset: opencost}\n"))})
    write("cost-preset-kubecost-replace", {"input": rl(items(), profile(
        monitoring=False,
        extra="    labels: {preset: kubecost, presetMode: replace}\n"))})
    write("cost-preset-gke", {"input": rl(items(), profile(
        monitoring=False, extra="    labels: {preset: gke}\n"))})
    write("cost-preset-configmap-form", {"input": rl(items(), (
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n"
        "  metadata: {name: function-input}\n  data:\n"
        "    service: payment-processor\n    team: payments-team\n"
        "    environment: prod\n    region: use1\n"
        "    costProfile: standard-api-cost\n    costCenter: CC-12345\n"
        "    businessUnit: retail-banking\n"
        "    costOwner: alice.johnson@company.com\n"
        "    labelPreset: gke\n    labelPresetMode: replace\n"
        "    budgetRecord: local\n    prometheus: 'false'\n"))})
    write("err-cost-bad-preset", {"input": rl(items(), profile(
        extra="    labels: {preset: opencosts}\n"))})
    write("err-cost-bad-preset-mode", {"input": rl(items(), profile(
        extra="    labels: {preset: gke, presetMode: both}\n"))})
    write("err-cost-preset-mode-without-preset", {"input": rl(items(), profile(
        extra="    labels: {presetMode: replace}\n"))})
    write("err-cost-bad-budget-record", {"input": rl(items(), profile(
        cost_extra="      budgetRecord: configmap\n"))})
    bad_scope = CUSTOM_PROFILE.format(
        name="bad-scope", currency="USD",
        envs="      prod: {base: 3000}").replace(
        "    currency: USD\n",
        "    currency: USD\n    budgetScope: global\n    prometheusAlerts: maybe\n")
    write("err-cost-bad-budget-scope", {"input": rl(items() + bad_scope,
        profile(size="medium", cost_profile="bad-scope"))})
    write("err-cost-alerts-without-pod-service-label", {"input": rl(
        items(), profile(monitoring=False, extra=(
            "    labels:\n      podTemplate: {omit: [service]}\n")))})
    # ---- errors
    write("err-cost-strict-label-value", {"input": rl(items(), profile(
        extra="    labels:\n      strict: true\n"))})
    write("err-cost-label-too-long", {"input": rl(items(), profile().replace(
        "businessUnit: retail-banking",
        "businessUnit: " + "retail-banking-and-wealth-management-" * 2))})
    write("err-cost-bad-label-key", {"input": rl(items(), profile(extra=(
        "    labels:\n      keys: {team: 'Cost Team'}\n")))})
    write("err-cost-unknown-profile", {"input": rl(items(), profile(
        cost_profile="standard-api"))})
    write("err-cost-unknown-environment", {"input": rl(items(), profile(
        env="qa"))})
    write("err-cost-unknown-size", {"input": rl(items(), profile(
        size="huge"))})
    write("err-cost-missing-required", {"input": rl(items(), profile(
        drop=("team", "costCenter", "environment")))})
    write("err-cost-missing-required-configmap", {"input": rl(items(), (
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n"
        "  metadata: {name: function-input}\n  data:\n"
        "    service: payment-processor\n"))})
    write("err-cost-budget-override-out-of-range", {"input": rl(items(),
        profile(cost_extra="      budgetOverride: 60000\n"))})
    envs3 = "      prod: {base: 3000, min: 300, max: 5000}"
    write("err-cost-budget-out-of-range", {"input": rl(
        items() + CUSTOM_PROFILE.format(name="capped", currency="USD",
                                        envs=envs3),
        profile(cost_profile="capped"))})
    write("err-cost-malformed-profile", {"input": rl(items() + """\
- apiVersion: costmon.dev/v1alpha1
  kind: CostProfile
  metadata:
    name: broken
    annotations:
      config.kubernetes.io/local-config: "true"
      internal.config.kubernetes.io/path: 'profiles/broken.yaml'
  spec:
    currency: dollars
    environments:
      prod: {base: -5, min: 900, max: 100}
      int-stable: {min: 1}
    sizes: {large: 0}
    alerts:
    - threshold: 80
      severity: urgent
      channels: {teams: ['#{squad}'], fax: ['123']}
    budget: 10
""", profile(cost_profile="broken"))})
    write("err-cost-invalid-service", {"input": rl(items(), profile(
        svc="Payment_Processor"))})
    write("err-cost-owner-not-email", {"input": rl(items(), profile(
        owner="alice"))})
    write("err-cost-duplicate-item-profile", {"input": rl(
        items() + CUSTOM_PROFILE.format(name="dup", currency="USD",
                                        envs=envs3) +
        CUSTOM_PROFILE.format(name="dup", currency="USD", envs=envs3),
        profile(cost_profile="dup"))})
    write("cost-profile-not-local-config-warning", {"input": rl(
        items() + CUSTOM_PROFILE.format(name="team-eur", currency="EUR",
                                        envs=envs2).replace(
            '    annotations:\n      config.kubernetes.io/local-config: "true"\n', ''),
        profile(size="medium", cost_profile="team-eur"))})
    # ---- expand subcommand
    sp = "\n".join(l[2:] if l.startswith("  ") else l for l in
                   profile(env="pre-stable").splitlines()[1:]) + "\n"
    write("expand-seed", {"profile.yaml": sp, "args": "expand\nprofile.yaml\n"})
    cat = CUSTOM_PROFILE.format(name="standard-api-cost", currency="USD",
                                envs=envs)
    cat = "\n".join(l[2:] if l.startswith("  ") else l[2:] for l in
                    cat.splitlines()) + "\n"
    write("expand-catalog", {"profile.yaml": sp.replace("pre-stable", "prod"),
                             "catalog.yaml": cat,
                             "args": "expand\nprofile.yaml\ncatalog.yaml\n"})
    write("expand-err-unknown-profile", {
        "profile.yaml": sp.replace("standard-api-cost", "nope"),
        "args": "expand\nprofile.yaml\n"})
    write("usage-expand-no-file", {"args": "expand\n"})
    qcat = "\n".join(l[2:] for l in shared.splitlines()) + "\n"
    write("expand-quarterly", {"profile.yaml": sp.replace("pre-stable", "prod")
                               .replace("standard-api-cost", "shared-quarterly")
                               .replace("size: large", "size: medium"),
                               "catalog.yaml": qcat,
                               "args": "expand\nprofile.yaml\ncatalog.yaml\n"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
