#!/usr/bin/env python3
"""tests/gen/mon_goldens.py - writes the inputs of the monitoring golden
cases (testdata/golden/mon-*, err-mon-*). Run it, then
`UPDATE_GOLDEN=1 SUITES=golden bash tests/run.sh` and review the diff."""
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "..", "..", "testdata", "golden")
NS = "prod-payment-processor-euw1-stable"


def workload(name="payment-processor", ns=NS, port="http", svc=True,
             svc_labels=True, kind="Deployment"):
    s = """\
- apiVersion: apps/v1
  kind: {kind}
  metadata:
    name: {name}
    namespace: {ns}
    labels: {{app: {name}}}
  spec:
    selector:
      matchLabels: {{app: {name}}}
    template:
      metadata:
        labels: {{app: {name}}}
      spec:
        containers:
        - name: app
          image: gcr.io/project/{name}:v1
""".format(name=name, ns=ns, kind=kind)
    if svc:
        s += """\
- apiVersion: v1
  kind: Service
  metadata:
    name: {name}
    namespace: {ns}
{labels}  spec:
    selector: {{app: {name}}}
    ports:
    - {{name: {port}, port: 80, targetPort: 8080}}
""".format(name=name, ns=ns, port=port,
           labels="    labels: {app: %s, tier: backend}\n" % name
           if svc_labels else "")
    return s


def profile(mon_profile="api-observability", extra="", monitoring=None,
            svc="payment-processor", size="large", env="prod"):
    if monitoring is None:
        monitoring = ("    monitoring:\n      prometheus: true\n"
                      "      dynatrace: true\n      overrides:\n"
                      "        prod: {sloAvailability: 99.99, "
                      "sloErrorRate: 0.05, sloLatencyP95ms: 200}\n")
    return ("functionConfig:\n  apiVersion: costmon.dev/v1alpha1\n"
            "  kind: ServiceProfile\n  metadata:\n    name: %s\n  spec:\n"
            "    service: %s\n    team: payments-team\n    environment: %s\n"
            "    size: %s\n    costProfile: standard-api-cost\n"
            "    cost: {costCenter: CC-12345, businessUnit: retail-banking, "
            "costOwner: alice.johnson@company.com}\n"
            "    monitoringProfile: %s\n" % (svc, svc, env, size, mon_profile)
            + monitoring + extra)


def rl(items, fc):
    return ("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
            "items:\n" + items + fc)


def write(case, text):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input"), "w", encoding="utf-8") as f:
        f.write(text)


CUSTOM = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: team-api
    annotations:
      config.kubernetes.io/local-config: "true"
      internal.config.kubernetes.io/path: 'profiles/monitoring.yaml'
  spec:
    endpoint: {port: http, path: /internal/metrics, interval: 15s, scheme: https}
    traffic:
      requestsMetric: api_requests_total
      latencyMetric: api_request_seconds
      selector:
      - {label: kubernetes_namespace, value: '{namespace}'}
      - {label: app, value: '{service}'}
      - {label: owner_team, value: '{team}'}
      errors:
      - {label: status, op: '=~', value: '5..|429'}
    slo: {availability: 99.5, errorRate: 1, latencyP95ms: 1000, window: 28d}
    resources:
      selector:
      - {label: namespace, value: '{namespace}'}
      - {label: container, value: '{service}'}
      memory: 1Gi
      cpu: '2'
      warningPercent: 75
      sizes: {large: 1.25}
    alerts:
      runbookUrl: https://runbooks.example.com/{team}/{alert}
    labels: {release: kube-prometheus-stack, prometheus: team}
    annotations: {owner: '{team}'}
"""


def main():
    write("mon-seed-prod", rl(workload(), profile(
        extra="    namespace: %s\n" % NS)))
    write("mon-worker", rl(workload(name="queue-worker", port="metrics"),
                           profile("worker-observability", svc="queue-worker",
                                   size="medium",
                                   monitoring="    monitoring: {dynatrace: false}\n")))
    write("mon-batch", rl("""\
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: nightly-report, namespace: reports}
  spec:
    schedule: "0 2 * * *"
    jobTemplate:
      spec:
        template:
          spec: {restartPolicy: OnFailure, containers: [{name: report, image: x}]}
""", profile("batch-observability", svc="nightly-report", size="small",
             monitoring="")))
    write("mon-warn-no-service", rl(workload(svc=False), profile(
        monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-warn-port-mismatch", rl(workload(port="web"), profile(
        monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-warn-service-without-labels", rl(workload(svc_labels=False),
        profile(monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-service-selector-configured", rl(workload(svc=False), profile(
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      serviceSelector: {app.kubernetes.io/name: payments}\n"))))
    write("mon-item-profile", rl(workload() + CUSTOM, profile(
        "team-api", monitoring="    monitoring: {prometheus: true}\n").replace(
        "team: payments-team", "team: 'pay\"ments\\\\team'")))
    write("mon-rerun-replaces-generated", rl(workload() + """\
- apiVersion: monitoring.coreos.com/v1
  kind: ServiceMonitor
  metadata:
    name: payment-processor-monitor
    namespace: %s
    annotations:
      internal.config.kubernetes.io/path: 'monitoring/servicemonitor.yaml'
      config.kubernetes.io/index: '0'
      stale: from-an-old-run
  spec:
    selector: {matchLabels: {app: old}}
    endpoints: [{port: old}]
""" % NS, profile(monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-namespace-from-spec", rl(workload(ns="apps"), profile(
        extra="    namespace: monitoring\n",
        monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-warn-no-namespace", rl(workload(ns=None).replace(
        "    namespace: None\n", ""), profile(
        monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-warn-slo-page-impossible", rl(workload(), profile(
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      overrides:\n        prod: {sloAvailability: 90, "
                    "sloErrorRate: 8}\n"))))
    write("mon-warn-dynatrace-without-settings", rl(
        workload(name="queue-worker", port="metrics"),
        profile("worker-observability", svc="queue-worker",
                monitoring="    monitoring: {prometheus: false, dynatrace: true}\n")))
    write("mon-prometheus-off", rl(workload(), profile(
        monitoring="    monitoring: {prometheus: false, dynatrace: true}\n")))
    write("err-mon-slo-out-of-range", rl(workload(), profile(
        monitoring=("    monitoring:\n      overrides:\n        prod: "
                    "{sloAvailability: 100, sloErrorRate: 150, "
                    "sloLatencyP95ms: 0}\n"))))
    write("err-mon-unknown-profile", rl(workload(), profile("api-observabilty")))
    write("err-mon-malformed-profile", rl(workload() + """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: broken
    annotations: {config.kubernetes.io/local-config: "true"}
  spec:
    endpoint: {path: /metrics, scheme: ftp}
    traffic:
      requestsMetric: http-requests
      selector:
      - {label: 'bad label', value: x}
      - {label: service, op: '==', value: '{service}'}
      - {label: ns, value: '{cluster}'}
    resources:
      selector: [{label: pod, value: '{service}'}]
      memory: lots
      cpu: -1
    slo: {availability: high}
    scrape: true
""", profile("broken", monitoring="    monitoring: {prometheus: true}\n")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
