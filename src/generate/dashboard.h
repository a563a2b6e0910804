/*
 * dashboard.h - generating a service's Grafana dashboard from its
 * monitoring plan: Grafana's dashboard JSON model (built with jansson),
 * delivered as a ConfigMap for the Grafana sidecar of
 * kube-prometheus-stack or as a grafana-operator v5 GrafanaDashboard.
 *
 * Invariants:
 *   - Every panel is one entry of a table in dashboard.c: its row,
 *     title, type, unit, the plan value its thresholds come from, and its
 *     query templates. Queries read the recording rules of the plan
 *     (expand/monitoring.h) wherever one exists, and otherwise only the
 *     series the monitoring profile says the service exposes (cAdvisor
 *     and kube-state-metrics for resources); thresholds are the plan's
 *     exact numbers, the same the alerts use.
 *   - The namespace is written into every query; the only variables are
 *     the Prometheus data source and, when the profile watches
 *     resources, the pod.
 *   - The output depends only on the plans: same input, same bytes.
 *     The object is <service>-dashboard in the namespace of the other
 *     monitoring objects, so a rerun replaces it (generate/monitor.c).
 *
 * Ownership: nodes and their text are allocated from the arena; the
 * JSON tree is freed before returning.
 */
#ifndef CM_DASHBOARD_H
#define CM_DASHBOARD_H

#include "../config/config.h"
#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/item.h"
#include "../core/node.h"
#include "../expand/dashplan.h"
#include "../expand/monitoring.h"

/* Grafana's current dashboard JSON schemaVersion: the default of
 * @grafana/schema 13.2 (tests/dashboard.sh checks it against the package). */
#define CM_DASH_SCHEMA_VERSION 42

/* Largest dashboard JSON: what fits in a ConfigMap (1 MiB of data)
 * with room for the metadata. */
#define CM_DASH_JSON_MAX ((size_t)1000 * 1000)

/*
 * Append the dashboard object of plan dash (nothing when dash->on is
 * false) for the monitoring plan mon to gen (a sequence). ix (the index
 * of the input's items, core/item.h; may be NULL): a dashboard of the
 * other delivery form, or one
 * that is now turned off, left there by an earlier run (same namespace
 * and name) gets a warning, since Grafana would keep loading it.
 * Returns 0, or -1 after reporting (out of memory, JSON over
 * CM_DASH_JSON_MAX).
 */
int cm_generate_dashboard(cm_arena *a, const cm_mon_plan *mon,
			  const cm_dash_plan *dash, const cm_index *ix,
			  cm_node *gen, cm_diags *diags);

/*
 * The dashboard JSON text alone (NUL-terminated, malloc'd, caller
 * frees) in *json, for the same inputs. Returns 0, or -1 after
 * reporting.
 */
int cm_dashboard_json(const cm_mon_plan *mon, const cm_dash_plan *dash,
		      char **json, cm_diags *diags);

#endif
