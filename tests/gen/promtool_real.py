#!/usr/bin/env python3
"""tests/gen/promtool_real.py - writes testdata/promtool/orders-api.test.yaml:
series shaped as Prometheus Operator and the client libraries write them
(service/job = the Kubernetes Service's name, pod and instance labels,
pods coming and going, default histogram buckets). Run it, then
`SUITES=promtool bash tests/run.sh`, and review the diff."""
import os
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                 "testdata", "promtool")
NS="shop"; SVC="orders-api-http"
PODS=["orders-api-7f9c6d5b8-b2x4k","orders-api-7f9c6d5b8-n7q2z","orders-api-7f9c6d5b8-w5t8r","orders-api-7f9c6d5b8-k4m9p","orders-api-7f9c6d5b8-z2c6v"]
def tl(pod, i, extra=""):
    # target labels as Prometheus Operator writes them
    return ('namespace="%s",service="%s",job="%s",endpoint="http",pod="%s",container="app",instance="10.0.1.%d:8080"%s'
            % (NS, SVC, SVC, pod, i+1, extra))
def series(name, labels, values):
    return "  - series: '%s{%s}'\n    values: '%s'\n" % (name, labels, values)
LAB = lambda slo, sev: "{severity: %s, team: shop-team, slo: %s, namespace: shop, service: orders-api, environment: %s}" % (sev, slo, ENV)
ENV="prod"

# ---------------------------------------------------------------- real cluster
out = ['''# promtool unit tests of the rules krm-fn generates for orders-api
# (orders-api.input.yaml), with series shaped as Prometheus Operator and
# the client libraries write them in a real cluster: the target labels
# service and job are the Kubernetes Service's name (orders-api-http, not
# spec.service), every series has pod, instance, endpoint and container
# labels, pods come and go, and the latency histogram has the Prometheus
# client default buckets. tests/promtool.sh writes the rules without
# annotations to orders-api.bare.rules.yaml.
#
# Thresholds (30d window, prod): availability and error rate 99.9 % /
# 0.1 %: budget 0.001, page 0.0144 (1h/5m) / 0.006 (6h/30m), ticket
# 0.003 (1d/2h) / 0.001 (3d/6h). Latency 95 % within 300 ms, between the
# buckets 0.25 and 0.5: good = (0.2 x b(0.25) + 0.05 x b(0.5)) / 0.25.
rule_files:
- orders-api.bare.rules.yaml
evaluation_interval: 5m
group_eval_order:
- orders_api_recording
- orders_api_alerts

tests:
''']
# T1 errors: 3 pods x 1000 req/min; pod 0 starts failing at 1h (its 500
# series appears then), 120 a minute.
t = "- name: 4 % 5xx through a Service not named like the service pages, labelled service=orders-api\n  interval: 1m\n  input_series:\n"
for i in range(3):
    t += series("up", tl(PODS[i], i), "1x120")
    t += series("http_requests_total", tl(PODS[i], i, ',code="200",method="GET"'), "0+1000x120")
t += series("http_requests_total", tl(PODS[0], 0, ',code="500",method="GET"'), "_x60 0+120x60")
t += '''  promql_expr_test:
  # No request has failed yet: the error ratio is 0, not absent.
  - expr: service:slo_sli_error:ratio_rate5m{slo="error-rate"}
    eval_time: 50m
    exp_samples:
    - labels: 'service:slo_sli_error:ratio_rate5m{namespace="shop",service="orders-api",team="shop-team",environment="prod",slo="error-rate"}'
      value: 0
  - expr: round(60 * service:requests:rate5m)
    eval_time: 2h
    exp_samples:
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod"}'
      value: 3120
  - expr: round(1e4 * service:slo_sli_error:ratio_rate1h{slo="error-rate"})
    eval_time: 2h
    exp_samples:
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",slo="error-rate"}'
      value: 385
  alert_rule_test:
  - {eval_time: 50m, alertname: OrdersApiHighErrorRate, exp_alerts: []}
  - eval_time: 2h
    alertname: OrdersApiHighErrorRate
    exp_alerts:
    - exp_labels: %s
  - {eval_time: 2h, alertname: OrdersApiDown, exp_alerts: []}
  # These targets expose no latency histogram: the latency SLO can never
  # fire, and SLOMetricAbsent says so.
  - eval_time: 2h
    alertname: OrdersApiSLOMetricAbsent
    exp_alerts:
    - exp_labels: {severity: warning, team: shop-team, namespace: shop, service: orders-api, environment: prod}

''' % LAB("error-rate", "critical")
out.append(t)

# T2 availability: a day of 3 healthy pods; pod 2 goes away at 12h and
# pod 3 replaces it; at 23h55m pod 4 starts with two failed scrapes.
t = ('''# Availability counts samples: at 1d the 1h window holds 3 x 61 healthy
# samples and pod 4's 2 failed + 3 good ones: 2/188 = 0.0106, below the
# 0.0144 page (averaging per-pod averages gave (0 + 0 + 0 + 0.4) / 4 =
# 0.1, a page). A pod that went away at 12h is not down.
- name: a new pod with two failed start-up scrapes among three healthy ones pages nobody; a pod that went away is not down
  interval: 1m
  input_series:
''')
t += series("up", tl(PODS[0], 0), "1x1440")
t += series("up", tl(PODS[1], 1), "1x1440")
t += series("up", tl(PODS[2], 2), "1x720")
t += series("up", tl(PODS[3], 3), "_x720 1x720")
t += series("up", tl(PODS[4], 4), "_x1435 0 0 1 1 1")
for i in (0, 1):
    t += series("http_requests_total", tl(PODS[i], i, ',code="200"'), "0+1000x1440")
t += series("http_requests_total", tl(PODS[2], 2, ',code="200"'), "0+1000x720")
t += series("http_requests_total", tl(PODS[3], 3, ',code="200"'), "_x720 0+1000x720")
t += '''  promql_expr_test:
  - expr: round(1e4 * service:slo_sli_error:ratio_rate1h{slo="availability"})
    eval_time: 1d
    exp_samples:
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",slo="availability"}'
      value: 106
  - expr: service:slo_sli_error:ratio_rate6h{slo="availability"} > 0
    eval_time: 12h30m
    exp_samples: []
  alert_rule_test:
  - {eval_time: 1d, alertname: OrdersApiAvailabilityBudgetBurn, exp_alerts: []}
  - {eval_time: 1d, alertname: OrdersApiAvailabilityBudgetBurnSlow, exp_alerts: []}
  - {eval_time: 1d, alertname: OrdersApiDown, exp_alerts: []}

'''
out.append(t)

# T3 all targets down
t = "- name: every target of the Service down for 10 minutes fires Down, labelled service=orders-api\n  interval: 1m\n  input_series:\n"
for i in range(3):
    t += series("up", tl(PODS[i], i), "1x30 0x30")
    t += series("http_requests_total", tl(PODS[i], i, ',code="200"'), "0+1000x30")
t += '''  alert_rule_test:
  - {eval_time: 30m, alertname: OrdersApiDown, exp_alerts: []}
  - eval_time: 45m
    alertname: OrdersApiDown
    exp_alerts:
    - exp_labels: {severity: critical, team: shop-team, namespace: shop, service: orders-api, environment: prod}

'''
out.append(t)

# T4 SLI absent
t = ('''# The service's /metrics has no http_requests_total (e.g. a framework
# naming it otherwise): every SLO alert is dead, so SLOMetricAbsent opens
# a ticket after 30 minutes, only while the targets are up.
- name: targets up but no request series fires SLOMetricAbsent after 30 minutes
  interval: 1m
  input_series:
''')
for i in range(3):
    t += series("up", tl(PODS[i], i), "1x60")
t += '''  alert_rule_test:
  - {eval_time: 25m, alertname: OrdersApiSLOMetricAbsent, exp_alerts: []}
  - eval_time: 1h
    alertname: OrdersApiSLOMetricAbsent
    exp_alerts:
    - exp_labels: {severity: warning, team: shop-team, namespace: shop, service: orders-api, environment: prod}
  - {eval_time: 1h, alertname: OrdersApiDown, exp_alerts: []}

- name: no target and no request series is Down, not SLOMetricAbsent
  interval: 1m
  input_series:
  - series: 'up{namespace="shop",service="other-http",job="other-http",pod="other-5d8f7c9b6-q2w4e"}'
    values: '1x60'
  alert_rule_test:
  - {eval_time: 1h, alertname: OrdersApiSLOMetricAbsent, exp_alerts: []}
  - eval_time: 1h
    alertname: OrdersApiDown
    exp_alerts:
    - exp_labels: {severity: critical, team: shop-team, namespace: shop, service: orders-api, environment: prod}

'''
out.append(t)

# T5 latency between buckets
BUCKETS = [("0.005",0),("0.01",0),("0.025",0),("0.05",300),("0.1",1500),("0.25",2700),("0.5",2880),("1",3000),("2.5",3000),("5",3000),("10",3000),("+Inf",3000)]
t = ('''# Default client buckets; 3000 requests a minute over 3 pods: 90 % within
# 0.25 s, 96 % within 0.5 s. The estimate at 300 ms is (0.2 x 0.9 + 0.05 x
# 0.96) / 0.25 = 0.912 good, 0.088 slow (above the 0.05 budget: after 6h
# the 3d/6h ticket fires, and 0.088 is far from the 0.3 page). p95 by
# histogram_quantile: 0.25 + 0.25 x (0.95 - 0.9) / 0.06 = 0.4583 s; p50
# 0.05 + 0.05 x (0.5 - 0.1) / 0.4 = 0.1 s; p99 0.5 + 0.5 x 0.03 / 0.04 =
# 0.875 s.
- name: a latency objective between two default buckets is interpolated
  interval: 1m
  input_series:
''')
for i in range(3):
    t += series("up", tl(PODS[i], i), "1x360")
    t += series("http_requests_total", tl(PODS[i], i, ',code="200"'), "0+1000x360")
    for le, n in BUCKETS:
        t += series("http_request_duration_seconds_bucket", tl(PODS[i], i, ',le="%s"' % le), "0+%dx360" % (n // 3))
    t += series("http_request_duration_seconds_count", tl(PODS[i], i), "0+1000x360")
t += '''  promql_expr_test:
  - expr: round(1e3 * service:slo_sli_error:ratio_rate5m{slo="latency"})
    eval_time: 6h
    exp_samples:
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",slo="latency"}'
      value: 88
  - expr: round(1e4 * service_quantile:request_duration_seconds:histogram_quantile)
    eval_time: 6h
    exp_samples:
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",quantile="0.5"}'
      value: 1000
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",quantile="0.95"}'
      value: 4583
    - labels: '{namespace="shop",service="orders-api",team="shop-team",environment="prod",quantile="0.99"}'
      value: 8750
  alert_rule_test:
  - {eval_time: 6h, alertname: OrdersApiHighLatency, exp_alerts: []}
  - eval_time: 6h
    alertname: OrdersApiElevatedLatency
    exp_alerts:
    - exp_labels: %s
''' % LAB("latency", "warning")
out.append(t)
open(os.path.join(D, "orders-api.test.yaml"), "w").write("".join(out))
