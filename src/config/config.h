/*
 * config.h - decoding the functionConfig into a plain C struct.
 *
 * The function is configured by a ServiceProfile (apiVersion
 * costmon.dev/v1alpha1) with the service description under spec, or by
 * a ConfigMap whose data holds the same fields as flat keys (what
 * `kpt fn eval --exec ./krm-fn -- key=value` sends).
 *
 * Invariants:
 *   - After a successful decode every field of the struct is either NULL
 *     (unset; -1 for tri-state booleans) or the text the user wrote; no
 *     defaults are filled in here (the expansion stage does that).
 *   - Decoding never accepts a field it does not know: an unknown or
 *     misplaced field, or a value of the wrong shape, is an error that
 *     names the field path and lists what is allowed.
 *
 * Ownership: strings in the struct point into the functionConfig's tree
 * (or its arena) and live as long as that arena.
 */
#ifndef CM_CONFIG_H
#define CM_CONFIG_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/node.h"

#define CM_API_GROUP "costmon.dev"
#define CM_API_VERSION "costmon.dev/v1alpha1"
#define CM_CONFIG_KIND "ServiceProfile"

typedef enum cm_config_form {
	CM_CONFIG_NONE = 0,      /* no functionConfig */
	CM_CONFIG_TYPED = 1,     /* a ServiceProfile */
	CM_CONFIG_CONFIGMAP = 2, /* a ConfigMap with flat data keys */
} cm_config_form;

/* SLO objectives for one environment, as written (decimal text). */
typedef struct cm_slo_override {
	const char *environment;
	const char *availability;   /* sloAvailability, percent */
	const char *error_rate;     /* sloErrorRate, percent */
	const char *latency_p95_ms; /* sloLatencyP95ms */
	const char *page_severity;   /* pageSeverity */
	const char *ticket_severity; /* ticketSeverity */
} cm_slo_override;

/* The logical cost labels, in the order they are written. */
typedef enum cm_label_id {
	CM_LABEL_SERVICE = 0,
	CM_LABEL_TEAM,
	CM_LABEL_COST_CENTER,
	CM_LABEL_BUSINESS_UNIT,
	CM_LABEL_OWNER,
	CM_LABEL_ENVIRONMENT,
	CM_LABEL_REGION,
	CM_LABEL_BUDGET,
	CM_LABEL_MONITORING_PROFILE,
	CM_LABEL_COUNT
} cm_label_id;

/* "service", "team", "costCenter", ... indexed by cm_label_id. */
extern const char *const cm_label_names[CM_LABEL_COUNT + 1];

/* Label key choices for one place (object metadata or pod templates). */
typedef struct cm_label_keys {
	const char *key[CM_LABEL_COUNT]; /* renamed key, or NULL = default */
	int omit[CM_LABEL_COUNT];        /* 1 = leave this label out */
} cm_label_keys;

typedef struct cm_config {
	cm_config_form form;
	const char *name; /* metadata.name */
	cm_where where;   /* the functionConfig, for diagnostics */

	const char *service;
	const char *team;
	const char *environment;
	const char *region;
	const char *size;
	const char *cost_profile;
	struct {
		const char *cost_center;
		const char *business_unit;
		const char *cost_owner;
		const char *budget_override;
		const char *budget_record; /* "cluster" or "local", NULL = cluster */
	} cost;

	const char *monitoring_profile;
	const char *namespace_;
	int prometheus; /* -1 unset, 0 false, 1 true */
	int dynatrace;  /* -1 unset, 0 false, 1 true */
	cm_slo_override *overrides; /* in the arena */
	size_t n_overrides;
	const cm_node *service_selector; /* monitoring.serviceSelector, a
					  * mapping of label: value, or NULL */
	const char *service_name; /* monitoring.serviceName: the Kubernetes
				   * Service the metrics come through */
	const cm_node *monitoring_labels; /* monitoring.labels, or NULL */
	/* spec.monitoring.dashboard (flat: dashboard*). Checked in
	 * expand/dashplan.c. */
	struct {
		int enabled;                 /* -1 unset, 0, 1 */
		const char *delivery;        /* ConfigMap | GrafanaDashboard */
		const char *folder;
		const char *label;           /* sidecar label key */
		const char *label_value;
		const cm_node *instance_selector; /* as written, or NULL */
		const char *instance_selector_csv; /* flat: "k=v,k2=v2" */
		int cross_namespace;         /* -1 unset, 0, 1 */
	} dashboard;

	int fail_on_warnings; /* spec.failOnWarnings: -1 unset, 0, 1 */

	/* spec.labels */
	int labels_strict;         /* -1 unset, 0, 1 */
	const char *labels_prefix; /* DNS prefix for default keys, or NULL */
	const char *labels_preset; /* "opencost", "kubecost", "gke" or NULL */
	const char *labels_preset_mode; /* "add" or "replace", NULL = add */
	cm_label_keys meta;        /* object metadata */
	cm_label_keys pod;         /* pod templates (also gets meta's choices) */
} cm_config;

/*
 * The path of a field as the user wrote it: "spec.cost.costCenter" for a
 * ServiceProfile, "data.costCenter" for a ConfigMap. typed is the spec
 * path without "spec."; flat the ConfigMap key. Returns a static string
 * or one in buf (size n).
 */
const char *cm_config_path(const cm_config *c, const char *typed,
			   const char *flat, char *buf, size_t n);

/* An empty config (form CM_CONFIG_NONE, booleans -1). */
void cm_config_init(cm_config *c);

/*
 * Decode fc (the functionConfig node; NULL or a null scalar means none)
 * into out. where gives the file the config came from (for legacy mode's
 * config file) or NULL. Returns 0, or -1 after adding one error per
 * problem found to diags.
 */
int cm_config_decode(cm_arena *a, const cm_node *fc, const char *file,
		     cm_config *out, cm_diags *diags);

#endif
