#!/usr/bin/env python3
"""tests/gen/dash_goldens.py - writes the inputs of the dashboard golden
cases (testdata/golden/dash-*, err-dash-*). Run it, then
`UPDATE_GOLDEN=1 SUITES=golden bash tests/run.sh` and review the diff."""
import os

from mon_goldens import NS, profile, rl, workload, write

SEED_MON = ("    monitoring:\n      prometheus: true\n"
            "      dynatrace: true\n      overrides:\n"
            "        prod: {sloAvailability: 99.99, "
            "sloErrorRate: 0.05, sloLatencyP95ms: 200}\n")
SHOP_NS = "pre-stable-checkout-euw1"


def seed(dashboard="", extra=""):
    return rl(workload(), profile(
        monitoring=SEED_MON + dashboard,
        extra="    namespace: %s\n" % NS + extra))


def checkout(dashboard, env="pre-stable"):
    mon = ("    monitoring:\n      prometheus: true\n      overrides:\n"
           "        %s: {sloAvailability: 99.5, sloErrorRate: 1, "
           "sloLatencyP95ms: 250}\n" % env) + dashboard
    return rl(workload(name="checkout", ns=SHOP_NS),
              profile(svc="checkout", size="medium", env=env, monitoring=mon))


PANELS = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: api-with-queue
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    endpoint: {port: http}
    traffic:
      requestsMetric: http_requests_total
      latencyMetric: http_request_duration_seconds
      selector:
      - {label: namespace, value: '{namespace}'}
      - {label: service, value: '{service}'}
      errors:
      - {label: code, op: '=~', value: '5..'}
    slo: {availability: 99.9, errorRate: 0.5, latencyP95ms: 250, window: 28d}
    dashboard:
      panels:
      - title: Queue depth
        expr: sum(queue_depth{namespace="{namespace}", app="{service}"})
        unit: short
      - title: Jobs done per second
        expr: sum by (queue) (rate(jobs_done_total{namespace="{namespace}"}[$__rate_interval]))
        unit: ops
        legend: '{{queue}}'
      - title: Oldest message
        expr: max(queue_oldest_message_age_seconds{namespace="{namespace}"})
        unit: s
        type: stat
"""

OFF = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: no-dashboard
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    endpoint: {port: http}
    traffic:
      requestsMetric: http_requests_total
      selector:
      - {label: service, value: '{service}'}
      errors:
      - {label: code, op: '=~', value: '5..'}
    slo: {availability: 99.9}
    dashboard: {enabled: false}
"""

NO_LATENCY_SLO = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: errors-only
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    endpoint: {port: http}
    traffic:
      requestsMetric: http_requests_total
      latencyMetric: http_request_duration_seconds
      selector:
      - {label: namespace, value: '{namespace}'}
      - {label: service, value: '{service}'}
      errors:
      - {label: code, op: '=~', value: '5..'}
    slo: {errorRate: 1}
"""

BAD_PANELS = """\
- apiVersion: costmon.dev/v1alpha1
  kind: MonitoringProfile
  metadata:
    name: bad-panels
    annotations:
      config.kubernetes.io/local-config: "true"
  spec:
    endpoint: {port: http}
    traffic:
      requestsMetric: http_requests_total
      selector:
      - {label: service, value: '{service}'}
      errors:
      - {label: code, op: '=~', value: '5..'}
    dashboard:
      enabled: yes please
      panels:
      - {title: No query, unit: short}
      - {title: Typo, expr: 'up{job="{servce}"}'}
      - {title: Pie, expr: up, type: piechart}
      - just a string
"""

OLD_DASHBOARD = """\
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: payment-processor-dashboard
    namespace: %s
    labels: {grafana_dashboard: "1"}
    annotations:
      config.kubernetes.io/index: '2'
      internal.config.kubernetes.io/path: monitoring/dashboard.yaml
  data:
    payment-processor-prod.json: '{"title": "an older dashboard"}'
""" % NS


def main():
    write("dash-seed-configmap", seed())
    write("dash-seed-operator", seed(
        "      dashboard:\n        delivery: GrafanaDashboard\n"
        "        folder: Payments\n"
        "        instanceSelector: {matchLabels: {dashboards: grafana}}\n"))
    write("dash-second-configmap", checkout(
        "      dashboard:\n        folder: Shop\n"
        "        label: shop_dashboard\n        labelValue: 'yes'\n"))
    write("dash-second-operator", checkout(
        "      dashboard:\n        delivery: GrafanaDashboard\n"
        "        instanceSelector:\n          matchLabels: {team: shop, "
        "grafana: shared}\n"
        "        allowCrossNamespaceImport: false\n"))
    write("dash-custom-panels", rl(
        PANELS + workload(name="mailer"),
        profile("api-with-queue", svc="mailer", size="medium",
                monitoring="",
                extra="    namespace: %s\n" % NS)))
    write("dash-off-in-profile", rl(
        OFF + workload(name="mailer"),
        profile("no-dashboard", svc="mailer", size="medium", monitoring="",
                extra="    namespace: %s\n" % NS)))
    write("dash-off-in-service", seed("      dashboard: {enabled: false}\n"))
    write("dash-on-in-service-over-profile", rl(
        OFF + workload(name="mailer"),
        profile("no-dashboard", svc="mailer", size="medium",
                monitoring="    monitoring:\n      dashboard: {enabled: true}\n",
                extra="    namespace: %s\n" % NS)))
    # a latency histogram but no latency SLO: no latency panel (its
    # quantiles are recorded only for the SLO), no availability panels
    write("dash-errors-only", rl(
        NO_LATENCY_SLO + workload(name="mailer"),
        profile("errors-only", svc="mailer", size="medium", monitoring="",
                extra="    namespace: %s\n" % NS)))
    write("dash-rerun-replaces", rl(workload() + OLD_DASHBOARD, profile(
        monitoring=SEED_MON, extra="    namespace: %s\n" % NS)))
    write("dash-worker", rl(
        workload(name="queue-worker", port="metrics"),
        profile("worker-observability", svc="queue-worker", size="medium",
                monitoring="    monitoring: {dynatrace: false}\n")))
    write("dash-batch", rl("""\
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
    # an earlier run's ConfigMap stays when the delivery changes or the
    # dashboard is turned off: a warning says to delete it
    write("dash-switched-delivery-warns", rl(workload() + OLD_DASHBOARD, profile(
        monitoring=SEED_MON + "      dashboard:\n"
        "        delivery: GrafanaDashboard\n"
        "        instanceSelector: {matchLabels: {dashboards: grafana}}\n",
        extra="    namespace: %s\n" % NS)))
    write("dash-turned-off-warns", rl(workload() + OLD_DASHBOARD, profile(
        monitoring=SEED_MON + "      dashboard: {enabled: false}\n",
        extra="    namespace: %s\n" % NS)))
    write("dash-long-uid", rl(
        workload(name="customer-notification-preferences-api",
                 ns="pre-stable-notifications"),
        profile(svc="customer-notification-preferences-api", size="medium",
                env="pre-stable", monitoring="")))
    write("dash-configmap-form", """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
""" + workload() + """\
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: payment-processor}
  data:
    service: payment-processor
    team: payments-team
    environment: int-stable
    size: small
    costProfile: standard-api-cost
    costCenter: CC-12345
    businessUnit: retail-banking
    costOwner: alice.johnson@company.com
    monitoringProfile: api-observability
    dashboardDelivery: GrafanaDashboard
    dashboardFolder: Payments (int)
    dashboardInstanceSelector: dashboards=grafana,env=int
""")
    write("err-dash-configmap-form-bad-selector", """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
""" + workload() + """\
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: payment-processor}
  data:
    service: payment-processor
    team: payments-team
    environment: prod
    costProfile: standard-api-cost
    costCenter: CC-12345
    businessUnit: retail-banking
    costOwner: alice.johnson@company.com
    monitoringProfile: api-observability
    dashboardDelivery: GrafanaDashboard
    dashboardInstanceSelector: dashboards
""")
    write("err-dash-operator-without-selector", seed(
        "      dashboard: {delivery: GrafanaDashboard}\n"))
    write("err-dash-bad-delivery", seed(
        "      dashboard: {delivery: Grafana}\n"))
    write("err-dash-operator-fields-with-configmap", seed(
        "      dashboard:\n        instanceSelector: {matchLabels: "
        "{dashboards: grafana}}\n        allowCrossNamespaceImport: true\n"))
    write("err-dash-sidecar-fields-with-operator", seed(
        "      dashboard:\n        delivery: GrafanaDashboard\n"
        "        label: grafana_dashboard\n        labelValue: '1'\n"
        "        instanceSelector: {matchLabels: {dashboards: grafana}}\n"))
    write("err-dash-bad-selector", seed(
        "      dashboard:\n        delivery: GrafanaDashboard\n"
        "        instanceSelector: {dashboards: grafana}\n"))
    write("err-dash-bad-label", seed(
        "      dashboard: {label: 'grafana dashboard', labelValue: '-1-'}\n"))
    write("err-dash-prometheus-off", rl(workload(), profile(
        monitoring="    monitoring:\n      prometheus: false\n"
                   "      dashboard: {enabled: true}\n",
        extra="    namespace: %s\n" % NS)))
    write("err-dash-unknown-field", seed(
        "      dashboard: {folders: Payments}\n"))
    write("err-dash-bad-panels", rl(
        BAD_PANELS + workload(name="mailer"),
        profile("bad-panels", svc="mailer", size="medium", monitoring="",
                extra="    namespace: %s\n" % NS)))


if __name__ == "__main__":
    main()
