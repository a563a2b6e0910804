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
             svc_labels=True, kind="Deployment", svc_name=None):
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
    name: {svc_name}
    namespace: {ns}
{labels}  spec:
    selector: {{app: {name}}}
    ports:
    - {{name: {port}, port: 80, targetPort: 8080}}
""".format(name=name, ns=ns, port=port, svc_name=svc_name or name,
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


WINDOW_28D = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: api-28d
    annotations: {config.kubernetes.io/local-config: "true"}
  spec:
    endpoint: {port: http, interval: 1m, scrapeTimeout: 10s}
    traffic:
      requestsMetric: http_server_requests_seconds_count
      latencyMetric: http_server_requests_seconds
      latencyBuckets: [0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
      selector:
      - {label: namespace, value: '{namespace}'}
      - {label: service, value: '{service}'}
      - {label: uri, op: '!~', value: '/actuator/.*'}
      errors:
      - {label: status, op: '=~', value: '5..'}
    slo: {availability: 99.9, errorRate: 0.1, latencyP95ms: 300, window: 4w}
    severities:
      prod: {page: critical, ticket: warning}
      default: {page: warning, ticket: info}
"""

BAD_VALUES = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: bad-values
    annotations: {config.kubernetes.io/local-config: "true"}
  spec:
    endpoint: {port: http, interval: every 5 minutes, scrapeTimeout: 2m}
    traffic:
      requestsMetric: http_requests_total
      latencyBuckets: [0.1, 0.05]
      selector:
      - {label: service, value: '{service}'}
      - {label: path, op: '!~', value: '/health\\q'}
      errors:
      - {label: code, op: '=~', value: '5..|(429'}
    severities:
      prod: {page: sev1}
    labels: {'bad key!': x, release: 'two words'}
    annotations: {'also bad!': y}
"""

BAD_WINDOW = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: bad-window
    annotations: {config.kubernetes.io/local-config: "true"}
  spec:
    endpoint: {port: http}
    traffic:
      requestsMetric: http_requests_total
      selector: [{label: service, value: '{service}'}]
      errors: [{label: code, op: '=~', value: '5..'}]
    slo: {availability: 99.9, window: banana}
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
    # A configuration whose SLIs would necessarily stay empty is an error
    # (a Service without labels is not: labels may come later in the build).
    write("err-mon-no-service", rl(workload(svc=False), profile(
        monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-port-mismatch", rl(workload(port="web"), profile(
        monitoring="    monitoring: {prometheus: true}\n")))
    write("mon-warn-service-without-labels", rl(workload(svc_labels=False),
        profile(monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-selector-without-name", rl(workload(svc=False), profile(
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      serviceSelector: {app.kubernetes.io/name: payments}\n"))))
    # The escape hatch when the Service is not in the input.
    write("mon-service-selector-configured", rl(workload(svc=False), profile(
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      serviceName: payments-http\n"
                    "      serviceSelector: {app.kubernetes.io/name: payments}\n"))))
    # Prometheus Operator's service label is the Service's own name.
    write("mon-service-name-differs", rl(
        workload(name="orders-api", svc_name="orders-api-http"),
        profile(svc="orders-api", size="medium",
                monitoring="    monitoring: {prometheus: true}\n")))
    # Two Services with the metrics port: both, as an alternation.
    write("mon-several-services", rl(
        workload(name="orders-api", svc_name="orders-api-http") +
        workload(name="orders-api", svc_name="orders-api-v2").split(
            "- apiVersion: v1\n")[1].join(["- apiVersion: v1\n", ""]),
        profile(svc="orders-api", size="medium",
                monitoring="    monitoring: {prometheus: true}\n")))
    # Non-prod: nothing pages; a 28d window; labels for the Prometheus
    # that must load the objects; a per-environment severity override.
    write("mon-env-int-stable-28d", rl(workload() + WINDOW_28D, profile(
        "api-28d", env="int-stable",
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      labels: {release: kube-prometheus-stack}\n"))))
    write("mon-severity-override", rl(workload(), profile(
        env="pre-stable",
        monitoring=("    monitoring:\n      prometheus: true\n"
                    "      overrides:\n        pre-stable: {pageSeverity: critical, "
                    "ticketSeverity: info, sloLatencyP95ms: 1000}\n"))))
    write("err-mon-bad-monitoring-labels", rl(workload(), profile(
        monitoring=("    monitoring:\n      labels: {'bad key!': x, "
                    "release: 'not a value'}\n      overrides:\n"
                    "        prod: {pageSeverity: urgent}\n"))))
    write("err-mon-bad-values", rl(workload() + BAD_VALUES, profile(
        "bad-values", monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-bad-scrape-timeout", rl(workload() + BAD_VALUES.replace(
        "every 5 minutes", "30s").replace("bad-values", "bad-timeout"), profile(
        "bad-timeout", monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-bad-window", rl(workload() + BAD_WINDOW, profile(
        "bad-window", monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-window-too-short", rl(workload() + BAD_WINDOW.replace(
        "banana", "3d"), profile(
        "bad-window", monitoring="    monitoring: {prometheus: true}\n")))
    write("err-mon-latency-above-buckets", rl(workload(), profile(
        monitoring=("    monitoring:\n      overrides:\n        prod: "
                    "{sloLatencyP95ms: 12000}\n"))))
    # A profile that does not select by the Service's name: a warning.
    write("mon-warn-no-service-app-selector", rl(workload(svc=False) + CUSTOM, profile(
        "team-api", monitoring="    monitoring: {prometheus: true}\n")))
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
