/*
 * dashplan.h - expanding the dashboard part of a service's monitoring:
 * whether a Grafana dashboard is generated, how it is delivered (a
 * ConfigMap for the Grafana sidecar, or a grafana-operator
 * GrafanaDashboard), its uid and title, and the monitoring profile's own
 * panels.
 *
 * Invariants:
 *   - The ServiceProfile's spec.monitoring.dashboard wins over the
 *     monitoring profile's spec.dashboard.enabled; the default is on.
 *   - A setting that cannot take effect is an error, never ignored: a
 *     dashboard asked for while Prometheus is off, instanceSelector or
 *     allowCrossNamespaceImport with ConfigMap delivery, label or
 *     labelValue with GrafanaDashboard delivery, GrafanaDashboard
 *     without an instanceSelector (the operator's CRD requires one).
 *   - uid is at most CM_DASH_UID_MAX characters of [a-zA-Z0-9_-], the
 *     same on every run, and differs between services, environments and
 *     regions: "<service>_<environment>" (with a region,
 *     "<service>_<environment>_<region>") when that fits and no name has
 *     a "_" or a character Grafana refuses, else a prefix of it, "-" and
 *     8 hex digits of a hash of all of them (FNV-1a, 32 bits).
 *
 * Ownership: every string and node of a plan lives in the arena passed
 * in (or in the config's and catalog's trees).
 */
#ifndef CM_DASHPLAN_H
#define CM_DASHPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/node.h"
#include "catalog.h"
#include "monitoring.h"

#define CM_DASH_UID_MAX 40     /* Grafana's limit */
#define CM_DASH_MAX_PANELS 100 /* a profile's own panels */

typedef enum cm_dash_delivery {
	CM_DASH_CONFIGMAP = 0, /* kube-prometheus-stack sidecar */
	CM_DASH_OPERATOR,      /* grafana-operator v5 GrafanaDashboard */
} cm_dash_delivery;

/* A panel of the monitoring profile: PromQL with the placeholders
 * {service} {namespace} {team} {environment}, Grafana's variables
 * ($__rate_interval, $pod) left for Grafana. */
typedef struct cm_dash_panel {
	const char *title;
	const char *expr;
	const char *unit;   /* Grafana unit id; "short" when not given */
	const char *type;   /* "timeseries" or "stat" */
	const char *legend; /* legendFormat, or NULL */
} cm_dash_panel;

typedef struct cm_dash_plan {
	bool on;
	cm_dash_delivery delivery;
	const char *name;   /* <service>-dashboard */
	const char *uid;    /* see the invariants */
	const char *title;  /* "<service> (<environment>)", with a region
			     * "<service> (<environment>, <region>)" */
	const char *region; /* spec.region, or NULL */
	const char *folder; /* or NULL */
	const char *label, *label_value;  /* ConfigMap: the sidecar's label */
	const cm_node *instance_selector; /* GrafanaDashboard: a
					   * LabelSelector mapping */
	bool cross_namespace; /* GrafanaDashboard allowCrossNamespaceImport */
	cm_dash_panel *panels; /* the profile's own */
	size_t n_panels;
} cm_dash_plan;

/*
 * Expand the dashboard settings of cfg and of the monitoring profile of
 * mon (expanded by cm_mon_expand(); cat is the catalog it came from).
 * Returns 0 (out->on tells whether there is a dashboard), or -1 after
 * reporting every problem.
 */
int cm_dash_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		   const cm_mon_plan *mon, cm_dash_plan *out, cm_diags *diags);

/*
 * The plan as JSON text for `krm-fn expand` (fixed key order), malloc'ed
 * into *out (the caller frees it). 0, or -1 (out of memory).
 */
int cm_dash_plan_json(const cm_dash_plan *d, char **out);

/* The uid for service, environment and region (NULL or "" for none)
 * into out (CM_DASH_UID_MAX + 1 bytes). Returns out. */
char *cm_dash_uid(const char *service, const char *environment,
		  const char *region, char *out);

#endif
