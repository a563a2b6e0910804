#!/usr/bin/env python3
"""tests/gen/promtool_windows.py - writes testdata/promtool/window-*.test.yaml
(burn-rate thresholds for 7d, 28d and 30d SLO windows) and
nonprod.test.yaml (severity outside prod), with the series helpers of
promtool_real.py."""
import os
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "promtool_real.py")).read().split("# ---------------------------------------------------------------- real cluster")[0])
def segs(parts):
    """parts: [(increment per step, steps)] -> promtool values text of a
    counter starting at 0."""
    out = []; v = 0; first = True
    for inc, n in parts:
        if first:
            out.append("%d+%dx%d" % (v, inc, n)); v += inc * n; first = False
        else:
            v += inc
            out.append("%d+%dx%d" % (v, inc, n - 1)); v += inc * (n - 1)
    return " ".join(out)

def burn_file(name, rules, group, head, tests):
    t = head + "rule_files:\n- %s\nevaluation_interval: 30m\ngroup_eval_order:\n- %s_recording\n- %s_alerts\n\ntests:\n" % (rules, group, group)
    for tname, good, bad, alerts in tests:
        t += "- name: %s\n  interval: 1m\n  input_series:\n" % tname
        t += series("up", tl(PODS[0], 0), "1x%d" % sum(n for _, n in good))
        t += series("http_requests_total", tl(PODS[0], 0, ',code="200"'), segs(good))
        t += series("http_requests_total", tl(PODS[0], 0, ',code="500"'), segs(bad))
        t += "  alert_rule_test:\n"
        for at, an, labels in alerts:
            if labels is None:
                t += "  - {eval_time: %s, alertname: %s, exp_alerts: []}\n" % (at, an)
            else:
                t += "  - eval_time: %s\n    alertname: %s\n    exp_alerts:\n    - exp_labels: %s\n" % (at, an, labels)
        t += "\n"
    open(os.path.join(D, name), "w").write(t)

# 3 days at 0.2x the budget (2 errors in 10000 a minute), then 2h at 13.5x
# (135 in 10000).
HEALTHY_3D = [(9998, 4320)]
BAD_3D = [(2, 4320)]
B135 = (HEALTHY_3D + [(9865, 120)], BAD_3D + [(135, 120)])
B16 = (HEALTHY_3D + [(9840, 120)], BAD_3D + [(160, 120)])
B3 = (HEALTHY_3D + [(9970, 60)], BAD_3D + [(30, 60)])
B4 = (HEALTHY_3D + [(9960, 60)], BAD_3D + [(40, 60)])
HEAD = '''# promtool unit tests of the burn-rate thresholds for a %s SLO window
# (%s). orders-api's error-rate budget is 0.001 (0.1 %%); factor = budget
# fraction x window / alert window: %s. Three days of
# healthy traffic (0.2x: 2 errors in 10000 requests a minute) come first,
# so the 6h, 1d and 3d windows stay below their thresholds.
'''
ENV = "prod"
burn_file("window-30d.test.yaml", "orders-api.bare.rules.yaml", "orders_api",
    HEAD % ("30-day", "orders-api.input.yaml", "14.4, 6, 3, 1 (page at 0.0144 over 1h and 5m)"), [
    ("13.5x for 2h after 3 healthy days does not page under a 30d window (14.4x)", B135[0], B135[1],
     [("3d2h", "OrdersApiHighErrorRate", None), ("3d2h", "OrdersApiElevatedErrorRate", None)]),
])
burn_file("window-28d.test.yaml", "orders-api-28d.bare.rules.yaml", "orders_api",
    HEAD % ("28-day", "orders-api-28d.input.yaml", "13.44, 5.6, 2.8, 0.933333 (page at 0.01344)"), [
    ("13.5x for 2h after 3 healthy days pages under a 28d window (13.44x)", B135[0], B135[1],
     [("3d", "OrdersApiHighErrorRate", None),
      ("3d2h", "OrdersApiHighErrorRate", LAB("error-rate", "critical")),
      ("3d2h", "OrdersApiElevatedErrorRate", None)]),
])
burn_file("window-7d.test.yaml", "orders-api-7d.bare.rules.yaml", "orders_api",
    HEAD % ("7-day", "orders-api-7d.input.yaml, window 7d", "3.36, 1.4, 0.7, 0.233333 (page at 0.00336)"), [
    ("4x for 1h after 3 healthy days pages under a 7d window (3.36x)", B4[0], B4[1],
     [("3d1h", "OrdersApiHighErrorRate", LAB("error-rate", "critical"))]),
    ("3x for 1h after 3 healthy days does not page under a 7d window", B3[0], B3[1],
     [("3d1h", "OrdersApiHighErrorRate", None)]),
])
ENV = "int-stable"
burn_file("nonprod.test.yaml", "orders-api-int.bare.rules.yaml", "orders_api",
    '''# promtool unit tests: a test environment does not page. orders-api-int
# is orders-api.input.yaml in int-stable: the same thresholds, but its
# paging alerts have severity warning (only prod pages by default), and
# every alert carries environment: int-stable for Alertmanager's routing.
''', [
    ("16x for 2h in int-stable fires the fast-burn alert as a warning, not a page", B16[0], B16[1],
     [("3d2h", "OrdersApiHighErrorRate", LAB("error-rate", "warning"))]),
])
