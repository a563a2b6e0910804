/* fields.c - see fields.h for the contract. */
#include "fields.h"

#include <string.h>

#include <jansson.h>

#include "config.h"

/* One field: name, shape, required, description, allowed words, sub. */
#define FD(n, s, r, d) {n, s, r, d, NULL, NULL}
#define FDW(n, s, r, d, w) {n, s, r, d, w, NULL}
#define FDS(n, s, r, d, sub) {n, s, r, d, NULL, sub}
#define FD_END {NULL, CM_FD_STRING, 0, NULL, NULL, NULL}

/* The logical label names (config.h). */
#define cm_fd_label_names cm_label_names
static const char *const cm_fd_bool_words[] = {"true", "false", NULL};
static const char *const cm_fd_record_words[] = {"cluster", "local", NULL};
static const char *const cm_fd_preset_words[] = {"opencost", "kubecost", "gke",
						  NULL};
static const char *const cm_fd_preset_mode_words[] = {"add", "replace", NULL};
static const char *const cm_fd_severity_words[] = {"critical", "warning",
						    "info", NULL};

/* ---- ServiceProfile ---- */

const cm_fdesc cm_fd_service_cost[] = {
	FD("costCenter", CM_FD_STRING, 1,
	   "Cost center to charge (label cost.costCenter), e.g. CC-12345."),
	FD("businessUnit", CM_FD_STRING, 1,
	   "Business unit (label cost.businessUnit), e.g. retail-banking."),
	FD("costOwner", CM_FD_STRING, 1,
	   "Email address of the budget owner: label cost.owner in its "
	   "label-safe form, the exact address in the annotation cost.owner."),
	FD("budgetOverride", CM_FD_NUMBER, 0,
	   "A positive amount that replaces base x size multiplier; must stay "
	   "inside the environment's min..max."),
	FDW("budgetRecord", CM_FD_STRING, 0,
	    "Where the budget record ConfigMap <service>-budget goes: cluster "
	    "(applied, readable by in-cluster tools; default) or local "
	    "(local-config: kept in the build output only).",
	    cm_fd_record_words),
	FD_END,
};

const cm_fdesc cm_fd_service_slo[] = {
	FD("sloAvailability", CM_FD_NUMBER, 0,
	   "Availability objective in percent, strictly between 0 and 100 "
	   "(e.g. 99.9)."),
	FD("sloErrorRate", CM_FD_NUMBER, 0,
	   "Error-rate objective in percent of requests, strictly between 0 "
	   "and 100 (e.g. 0.1)."),
	FD("sloLatencyP95ms", CM_FD_NUMBER, 0,
	   "95th percentile latency objective in milliseconds, > 0: on a "
	   "histogram bucket, or between two (interpolated)."),
	FDW("pageSeverity", CM_FD_STRING, 0,
	    "Severity of the paging alerts in this environment (default: the "
	    "profile's; built-ins: critical in prod, else warning).",
	    cm_fd_severity_words),
	FDW("ticketSeverity", CM_FD_STRING, 0,
	    "Severity of the ticket alerts in this environment (default "
	    "warning).",
	    cm_fd_severity_words),
	FD_END,
};

static const char *const cm_fd_delivery_words[] = {"ConfigMap",
						    "GrafanaDashboard", NULL};

const cm_fdesc cm_fd_service_dashboard[] = {
	FD("enabled", CM_FD_BOOL, 0,
	   "Generate the Grafana dashboard (default: the monitoring profile's, "
	   "true for the built-ins)."),
	FDW("delivery", CM_FD_STRING, 0,
	    "ConfigMap for the Grafana sidecar (default) or GrafanaDashboard "
	    "for grafana-operator v5.",
	    cm_fd_delivery_words),
	FD("folder", CM_FD_STRING, 0,
	   "Grafana folder (the sidecar's grafana_folder annotation, or the "
	   "GrafanaDashboard's spec.folder)."),
	FD("label", CM_FD_STRING, 0,
	   "Label key the Grafana sidecar selects ConfigMaps by (default "
	   "grafana_dashboard)."),
	FD("labelValue", CM_FD_STRING, 0,
	   "Value of that label (default \"1\")."),
	FD("instanceSelector", CM_FD_MAPPING, 0,
	   "GrafanaDashboard only: the label selector of the Grafana "
	   "instances, e.g. {matchLabels: {dashboards: grafana}}."),
	FD("allowCrossNamespaceImport", CM_FD_BOOL, 0,
	   "GrafanaDashboard only: let Grafana instances in other namespaces "
	   "import it (default true)."),
	FD_END,
};

const cm_fdesc cm_fd_service_monitoring[] = {
	FD("prometheus", CM_FD_BOOL, 0,
	   "Generate the ServiceMonitor and PrometheusRules (default true)."),
	FD("dynatrace", CM_FD_BOOL, 0,
	   "Generate the Dynatrace ConfigMap (default false)."),
	FD("serviceSelector", CM_FD_STRMAP, 0,
	   "Labels of the Service the ServiceMonitor selects; default: the "
	   "labels of the Service in the input that selects the workload."),
	FD("serviceName", CM_FD_STRING, 0,
	   "Name of the Kubernetes Service the metrics come through (the "
	   "`service` target label); default: the Service in the input that "
	   "selects the workload. Needed when the Service is not in the "
	   "input."),
	FD("labels", CM_FD_STRMAP, 0,
	   "Labels for every generated monitoring object, e.g. {release: "
	   "kube-prometheus-stack}."),
	FDS("dashboard", CM_FD_OBJECT, 0,
	    "The Grafana dashboard: delivery form, folder, sidecar label or "
	    "grafana-operator instance selector.",
	    cm_fd_service_dashboard),
	FDS("overrides", CM_FD_MAP_OF, 0,
	    "SLO objectives per environment (each key an environment of the "
	    "cost profile), over the monitoring profile's defaults.",
	    cm_fd_service_slo),
	FD_END,
};

/* The label key mapping and omit list share their shape and words. */
const cm_fdesc cm_fd_service_pod_labels[] = {
	FDW("keys", CM_FD_STRMAP, 0,
	    "Label name -> label key, for pod templates only. A key the "
	    "workload's selector uses may not get another value.",
	    cm_fd_label_names),
	FDW("omit", CM_FD_STRINGS, 0,
	    "Label names to leave off pod templates (e.g. [budget]).",
	    cm_fd_label_names),
	FD_END,
};

const cm_fdesc cm_fd_service_labels[] = {
	FD("strict", CM_FD_BOOL, 0,
	   "true: a value that is not a valid label value is an error instead "
	   "of getting its label-safe form (default false)."),
	FD("prefix", CM_FD_STRING, 0,
	   "A DNS prefix such as cost.example.com/ for the default keys."),
	FDW("preset", CM_FD_STRING, 0,
	    "Also write the label keys a cost tool aggregates on: opencost, "
	    "kubecost or gke.",
	    cm_fd_preset_words),
	FDW("presetMode", CM_FD_STRING, 0,
	    "add (preset keys as well as the cost.* keys; default) or replace "
	    "(preset keys instead of the cost.* keys they cover).",
	    cm_fd_preset_mode_words),
	FDW("keys", CM_FD_STRMAP, 0,
	    "Label name -> label key, everywhere. Keys must differ and may not "
	    "be under kubernetes.io/, k8s.io/ or their subdomains (but "
	    "app.kubernetes.io/), nor costmon.dev/budget*.",
	    cm_fd_label_names),
	FDW("omit", CM_FD_STRINGS, 0, "Label names to leave out everywhere.",
	    cm_fd_label_names),
	FDS("podTemplate", CM_FD_OBJECT, 0,
	    "The same choices for pod templates only.",
	    cm_fd_service_pod_labels),
	FD_END,
};

const cm_fdesc cm_fd_service_spec[] = {
	FD("service", CM_FD_STRING, 1,
	   "Service name, a DNS-1123 label: label cost.service, prefix of "
	   "generated object and alert names."),
	FD("team", CM_FD_STRING, 1, "Owning team: label cost.team."),
	FD("environment", CM_FD_STRING, 1,
	   "One of the cost profile's environments (built-ins: int-stable, "
	   "pre-stable, prod)."),
	FD("region", CM_FD_STRING, 0, "Informational; krm-fn expand prints it."),
	FD("size", CM_FD_STRING, 0,
	   "One of the cost profile's sizes (built-ins: small, medium, large, "
	   "xlarge); default medium."),
	FD("costProfile", CM_FD_STRING, 1,
	   "A built-in cost profile (standard-api-cost, worker-cost, "
	   "batch-cost, minimal-cost) or a CostProfile item."),
	FDS("cost", CM_FD_OBJECT, 1, "Who pays.", cm_fd_service_cost),
	FD("monitoringProfile", CM_FD_STRING, 0,
	   "A built-in monitoring profile (api-observability, "
	   "worker-observability, batch-observability) or a MonitoringProfile "
	   "item; absent: no monitoring objects."),
	FD("namespace", CM_FD_STRING, 0,
	   "Namespace of the generated objects, a DNS-1123 label; default: "
	   "the service workload's namespace."),
	FDS("monitoring", CM_FD_OBJECT, 0, "Monitoring choices.",
	    cm_fd_service_monitoring),
	FDS("labels", CM_FD_OBJECT, 0, "Label keys and which labels to write.",
	    cm_fd_service_labels),
	FD("failOnWarnings", CM_FD_BOOL, 0,
	   "true: any warning fails the run (exit 1, items unchanged); "
	   "kubectl kustomize, Harness and Argo CD hide the stderr of a "
	   "plugin that succeeds (default false)."),
	FD_END,
};

/* The ConfigMap form: flat string keys (kpt fn eval -- key=value). */
const cm_fdesc cm_fd_service_flat[] = {
	FD("service", CM_FD_STRING, 1, "As spec.service."),
	FD("team", CM_FD_STRING, 1, "As spec.team."),
	FD("environment", CM_FD_STRING, 1, "As spec.environment."),
	FD("region", CM_FD_STRING, 0, "As spec.region."),
	FD("size", CM_FD_STRING, 0, "As spec.size."),
	FD("costProfile", CM_FD_STRING, 1, "As spec.costProfile."),
	FD("costCenter", CM_FD_STRING, 1, "As spec.cost.costCenter."),
	FD("businessUnit", CM_FD_STRING, 1, "As spec.cost.businessUnit."),
	FD("costOwner", CM_FD_STRING, 1, "As spec.cost.costOwner."),
	FD("budgetOverride", CM_FD_NUMBER, 0, "As spec.cost.budgetOverride."),
	FDW("budgetRecord", CM_FD_STRING, 0, "As spec.cost.budgetRecord.",
	    cm_fd_record_words),
	FD("monitoringProfile", CM_FD_STRING, 0, "As spec.monitoringProfile."),
	FD("namespace", CM_FD_STRING, 0, "As spec.namespace."),
	FDW("prometheus", CM_FD_BOOL, 0, "As spec.monitoring.prometheus.",
	    cm_fd_bool_words),
	FDW("dynatrace", CM_FD_BOOL, 0, "As spec.monitoring.dynatrace.",
	    cm_fd_bool_words),
	FD("serviceName", CM_FD_STRING, 0, "As spec.monitoring.serviceName."),
	FD("serviceSelector", CM_FD_STRING, 0,
	   "As spec.monitoring.serviceSelector, as comma-separated key=value "
	   "pairs."),
	FD("monitoringLabels", CM_FD_STRING, 0,
	   "As spec.monitoring.labels, as comma-separated key=value pairs."),
	FDW("dashboard", CM_FD_BOOL, 0, "As spec.monitoring.dashboard.enabled.",
	    cm_fd_bool_words),
	FDW("dashboardDelivery", CM_FD_STRING, 0,
	    "As spec.monitoring.dashboard.delivery.", cm_fd_delivery_words),
	FD("dashboardFolder", CM_FD_STRING, 0,
	   "As spec.monitoring.dashboard.folder."),
	FD("dashboardLabel", CM_FD_STRING, 0,
	   "As spec.monitoring.dashboard.label."),
	FD("dashboardLabelValue", CM_FD_STRING, 0,
	   "As spec.monitoring.dashboard.labelValue."),
	FD("dashboardInstanceSelector", CM_FD_STRING, 0,
	   "As spec.monitoring.dashboard.instanceSelector.matchLabels, as "
	   "comma-separated key=value pairs."),
	FDW("dashboardAllowCrossNamespaceImport", CM_FD_BOOL, 0,
	    "As spec.monitoring.dashboard.allowCrossNamespaceImport.",
	    cm_fd_bool_words),
	FDW("labelsStrict", CM_FD_BOOL, 0, "As spec.labels.strict.",
	    cm_fd_bool_words),
	FD("labelPrefix", CM_FD_STRING, 0, "As spec.labels.prefix."),
	FDW("labelPreset", CM_FD_STRING, 0, "As spec.labels.preset.",
	    cm_fd_preset_words),
	FDW("labelPresetMode", CM_FD_STRING, 0, "As spec.labels.presetMode.",
	    cm_fd_preset_mode_words),
	FDW("failOnWarnings", CM_FD_BOOL, 0, "As spec.failOnWarnings.",
	    cm_fd_bool_words),
	FD("sloAvailability", CM_FD_NUMBER, 0,
	   "SLO override for the configured environment."),
	FD("sloErrorRate", CM_FD_NUMBER, 0,
	   "SLO override for the configured environment."),
	FD("sloLatencyP95ms", CM_FD_NUMBER, 0,
	   "SLO override for the configured environment."),
	FDW("pageSeverity", CM_FD_STRING, 0,
	    "Paging alert severity for the configured environment.",
	    cm_fd_severity_words),
	FDW("ticketSeverity", CM_FD_STRING, 0,
	    "Ticket alert severity for the configured environment.",
	    cm_fd_severity_words),
	FD("labelsOmit", CM_FD_STRING, 0,
	   "Comma-separated label names to leave out everywhere."),
	FD("podLabelsOmit", CM_FD_STRING, 0,
	   "Comma-separated label names to leave off pod templates."),
	FD_END,
};

/* ---- CostProfile ---- */

static const char *const cm_fd_scope_words[] = {"perRegion", "shared", NULL};
static const char *const cm_fd_periods[] = {
	"monthly", "quarterly", "yearly", NULL,
};
static const char *const cm_fd_severities[] = {
	"info", "warning", "critical", NULL,
};

const cm_fdesc cm_fd_cost_env[] = {
	FD("base", CM_FD_NUMBER, 1, "Budget of size multiplier 1, >= 0."),
	FD("min", CM_FD_NUMBER, 0, "Smallest budget allowed, >= 0."),
	FD("max", CM_FD_NUMBER, 0, "Largest budget allowed, >= 0."),
	FD_END,
};

static const cm_fdesc cm_fd_cost_channels[] = {
	FD("teams", CM_FD_STRINGS, 0,
	   "Teams channels; {service}, {team}, {costOwner}, {environment} "
	   "are filled in."),
	FD("email", CM_FD_STRINGS, 0, "Email addresses (placeholders as teams)."),
	FD("pagerduty", CM_FD_STRINGS, 0, "PagerDuty services."),
	FD("slack", CM_FD_STRINGS, 0, "Slack channels."),
	FD_END,
};

const cm_fdesc cm_fd_cost_alert[] = {
	FD("name", CM_FD_STRING, 0, "Alert name, unique in the profile."),
	FD("threshold", CM_FD_NUMBER, 1, "Percent of the budget, > 0."),
	FDW("severity", CM_FD_STRING, 1, "Alert severity.", cm_fd_severities),
	FDS("channels", CM_FD_OBJECT, 0, "Where the alert goes.",
	    cm_fd_cost_channels),
	FD_END,
};

const cm_fdesc cm_fd_cost_spec[] = {
	FD("description", CM_FD_STRING, 0, "What services the profile is for."),
	FD("currency", CM_FD_STRING, 1, "ISO 4217 code, three capitals (USD)."),
	FDW("period", CM_FD_STRING, 0, "Budget period (default monthly).",
	    cm_fd_periods),
	FDW("budgetScope", CM_FD_STRING, 0,
	    "perRegion (each region has the whole budget; default) or shared "
	    "(one budget across the regions).",
	    cm_fd_scope_words),
	FD("prometheusAlerts", CM_FD_BOOL, 0,
	   "Generate the projected-spend budget alerts from OpenCost metrics "
	   "(default true)."),
	FDS("environments", CM_FD_MAP_OF, 1,
	    "Environment name -> base budget and range.", cm_fd_cost_env),
	FD("sizes", CM_FD_NUMMAP, 1, "Size name -> budget multiplier, > 0."),
	FDS("alerts", CM_FD_LIST_OF, 0, "Budget alerts.", cm_fd_cost_alert),
	FD_END,
};

/* ---- MonitoringProfile ---- */

static const char *const cm_fd_ops[] = {"=", "!=", "=~", "!~", NULL};
static const char *const cm_fd_schemes[] = {"http", "https", NULL};

const cm_fdesc cm_fd_mon_matcher[] = {
	FD("label", CM_FD_STRING, 1, "Prometheus label name."),
	FDW("op", CM_FD_STRING, 0, "Match operator (default =).", cm_fd_ops),
	FD("value", CM_FD_STRING, 1,
	   "Value; {service}, {namespace}, {team}, {environment} are filled "
	   "in, and {workload}: the name of the service's workload (the one "
	   "named like the service, else the only one in the input; the "
	   "service when the input has none)."),
	FD_END,
};

const cm_fdesc cm_fd_mon_endpoint[] = {
	FD("port", CM_FD_PORT, 0, "Service port name or number to scrape."),
	FD("path", CM_FD_STRING, 0, "Metrics path (default /metrics)."),
	FD("interval", CM_FD_STRING, 0, "Scrape interval, e.g. 30s."),
	FD("scrapeTimeout", CM_FD_STRING, 0,
	   "Scrape timeout, e.g. 10s; not longer than the interval."),
	FDW("scheme", CM_FD_STRING, 0, "Scrape scheme.", cm_fd_schemes),
	FDS("selector", CM_FD_LIST_OF, 0,
	    "Matchers of the up series (default: the target-label matchers "
	    "of traffic.selector).",
	    cm_fd_mon_matcher),
	FD_END,
};

const cm_fdesc cm_fd_mon_traffic[] = {
	FD("requestsMetric", CM_FD_STRING, 0, "Request counter metric name."),
	FD("latencyMetric", CM_FD_STRING, 0,
	   "Latency histogram metric name (without _bucket)."),
	FD("latencyBuckets", CM_FD_NUMBERS, 0,
	   "Bucket bounds (seconds, ascending, without +Inf) the histogram "
	   "exposes; default the client libraries' 0.005 ... 10."),
	FDS("selector", CM_FD_LIST_OF, 0, "Matchers of the service's series.",
	    cm_fd_mon_matcher),
	FDS("errors", CM_FD_LIST_OF, 0, "Matchers of the failed requests.",
	    cm_fd_mon_matcher),
	FD_END,
};

const cm_fdesc cm_fd_mon_slo[] = {
	FD("availability", CM_FD_NUMBER, 0, "Default availability objective, %."),
	FD("errorRate", CM_FD_NUMBER, 0, "Default error-rate objective, %."),
	FD("latencyP95ms", CM_FD_NUMBER, 0, "Default p95 latency objective, ms."),
	FD("window", CM_FD_STRING, 0,
	   "SLO window, 7d to 90d in weeks, days or hours (default 30d)."),
	FD_END,
};

const cm_fdesc cm_fd_mon_resources[] = {
	FDS("selector", CM_FD_LIST_OF, 0, "Matchers of the container series.",
	    cm_fd_mon_matcher),
	FD("memory", CM_FD_STRING, 0, "Base memory, a quantity (512M, 1Gi)."),
	FD("cpu", CM_FD_STRING, 0, "Base CPU, a quantity (500m, 2)."),
	FD("warningPercent", CM_FD_NUMBER, 0, "Warn at this percent of the base."),
	FD("sizes", CM_FD_NUMMAP, 0, "Size name -> multiplier of the base, > 0."),
	FD_END,
};

const cm_fdesc cm_fd_mon_alerts[] = {
	FD("crashLooping", CM_FD_BOOL, 0, "Alert on crash-looping pods."),
	FD("jobFailures", CM_FD_BOOL, 0, "Alert on failed Jobs."),
	FD("runbookUrl", CM_FD_STRING, 0, "Runbook link put on every alert."),
	FD_END,
};

const cm_fdesc cm_fd_mon_dynatrace[] = {
	FD("technologies", CM_FD_STRINGS, 0, "Technologies to monitor."),
	FD("requestAttributes", CM_FD_STRINGS, 0, "Request attributes to capture."),
	FD_END,
};

const cm_fdesc cm_fd_mon_severity[] = {
	FDW("page", CM_FD_STRING, 0, "Severity of the paging alerts.",
	    cm_fd_severity_words),
	FDW("ticket", CM_FD_STRING, 0, "Severity of the ticket alerts.",
	    cm_fd_severity_words),
	FD_END,
};

static const char *const cm_fd_panel_types[] = {"timeseries", "stat", NULL};

const cm_fdesc cm_fd_mon_panel[] = {
	FD("title", CM_FD_STRING, 1, "Panel title."),
	FD("expr", CM_FD_STRING, 1,
	   "PromQL query; {service}, {namespace}, {team}, {environment} are "
	   "filled in."),
	FD("unit", CM_FD_STRING, 0, "Grafana unit, e.g. reqps, s, bytes."),
	FDW("type", CM_FD_STRING, 0, "Panel type (default timeseries).",
	    cm_fd_panel_types),
	FD("legend", CM_FD_STRING, 0, "Legend format, e.g. {{pod}}."),
	FD_END,
};

const cm_fdesc cm_fd_mon_dashboard[] = {
	FD("enabled", CM_FD_BOOL, 0, "Generate the dashboard (default true)."),
	FDS("panels", CM_FD_LIST_OF, 0, "Extra panels, after the built-in ones.",
	    cm_fd_mon_panel),
	FD_END,
};

const cm_fdesc cm_fd_mon_spec[] = {
	FD("description", CM_FD_STRING, 0, "What services the profile is for."),
	FDS("endpoint", CM_FD_OBJECT, 0, "What the ServiceMonitor scrapes.",
	    cm_fd_mon_endpoint),
	FDS("traffic", CM_FD_OBJECT, 0, "The HTTP traffic metrics of the SLOs.",
	    cm_fd_mon_traffic),
	FDS("slo", CM_FD_OBJECT, 0, "Default SLO objectives.", cm_fd_mon_slo),
	FDS("severities", CM_FD_MAP_OF, 0,
	    "Alert severities per environment (or default): {page, ticket}.",
	    cm_fd_mon_severity),
	FDS("resources", CM_FD_OBJECT, 0, "Resource alert thresholds.",
	    cm_fd_mon_resources),
	FDS("alerts", CM_FD_OBJECT, 0, "Liveness alerts.", cm_fd_mon_alerts),
	FD("labels", CM_FD_STRMAP, 0, "Labels put on every generated rule."),
	FD("annotations", CM_FD_STRMAP, 0,
	   "Annotations put on every generated alert."),
	FDS("dynatrace", CM_FD_OBJECT, 0, "Dynatrace settings.",
	    cm_fd_mon_dynatrace),
	FDS("dashboard", CM_FD_OBJECT, 0, "The Grafana dashboard.",
	    cm_fd_mon_dashboard),
	FD_END,
};

#undef FD
#undef FDW
#undef FDS
#undef FD_END

const char **cm_fd_names(const cm_fdesc *t, const char **names, size_t cap)
{
	size_t i = 0;

	for (; t->name && i + 1 < cap; t++)
		names[i++] = t->name;
	names[i] = NULL;
	return names;
}

const cm_fdesc *cm_fd_find(const cm_fdesc *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* ---- JSON Schema ---- */

/* A plain decimal, as cm_dec_parse() reads it. */
#define CM_FD_DECIMAL_RE "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)$"

static json_t *cm_fd_object(const cm_fdesc *t);

static json_t *cm_fd_words(const char *const *w)
{
	json_t *a = json_array();

	for (; a && *w; w++)
		json_array_append_new(a, json_string(*w));
	return a;
}

/* The schema of one field's value. */
static json_t *cm_fd_value(const cm_fdesc *f)
{
	json_t *s = json_object();

	if (!s)
		return NULL;
	if (f->description)
		json_object_set_new(s, "description",
				    json_string(f->description));
	switch (f->shape) {
	case CM_FD_STRING:
		json_object_set_new(s, "type", json_string("string"));
		if (f->words)
			json_object_set_new(s, "enum", cm_fd_words(f->words));
		break;
	case CM_FD_NUMBER:
		json_object_set_new(s, "type",
				    json_pack("[ss]", "number", "string"));
		json_object_set_new(s, "pattern", json_string(CM_FD_DECIMAL_RE));
		break;
	case CM_FD_BOOL:
		if (f->words) /* the ConfigMap form: strings */
			json_object_set_new(s, "enum", cm_fd_words(f->words));
		else
			json_object_set_new(s, "type", json_string("boolean"));
		break;
	case CM_FD_PORT:
		json_object_set_new(s, "type",
				    json_pack("[ss]", "string", "integer"));
		break;
	case CM_FD_STRINGS: {
		json_t *items = json_pack("{ss}", "type", "string");

		if (f->words && items)
			json_object_set_new(items, "enum", cm_fd_words(f->words));
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", items);
		break;
	}
	case CM_FD_NUMBERS:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(
			s, "items",
			json_pack("{s[ss]ss}", "type", "number", "string",
				  "pattern", CM_FD_DECIMAL_RE));
		break;
	case CM_FD_MAPPING:
		json_object_set_new(s, "type", json_string("object"));
		break;
	case CM_FD_STRMAP:
		json_object_set_new(s, "type", json_string("object"));
		json_object_set_new(s, "additionalProperties",
				    json_pack("{ss}", "type", "string"));
		if (f->words)
			json_object_set_new(
				s, "propertyNames",
				json_pack("{so}", "enum", cm_fd_words(f->words)));
		break;
	case CM_FD_NUMMAP:
		json_object_set_new(s, "type", json_string("object"));
		json_object_set_new(
			s, "additionalProperties",
			json_pack("{s[ss]ss}", "type", "number", "string",
				  "pattern", CM_FD_DECIMAL_RE));
		break;
	case CM_FD_OBJECT: {
		json_t *o = cm_fd_object(f->sub);

		json_object_update(s, o);
		json_decref(o);
		break;
	}
	case CM_FD_MAP_OF:
		json_object_set_new(s, "type", json_string("object"));
		json_object_set_new(s, "additionalProperties",
				    cm_fd_object(f->sub));
		break;
	case CM_FD_LIST_OF:
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", cm_fd_object(f->sub));
		break;
	}
	return s;
}

/* An object schema with the fields of t and nothing else. */
static json_t *cm_fd_object(const cm_fdesc *t)
{
	json_t *s = json_object(), *props = json_object(), *req = json_array();

	for (; t->name; t++) {
		json_object_set_new(props, t->name, cm_fd_value(t));
		if (t->required)
			json_array_append_new(req, json_string(t->name));
	}
	json_object_set_new(s, "type", json_string("object"));
	json_object_set_new(s, "properties", props);
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

/* A whole object of kind with spec fields t (or, for the ConfigMap
 * form, data fields). */
static json_t *cm_fd_kind(const char *api, const char *kind,
			  const char *body, const cm_fdesc *t,
			  const char *description)
{
	json_t *s = json_object(), *props = json_object();

	json_object_set_new(s, "description", json_string(description));
	json_object_set_new(s, "type", json_string("object"));
	json_object_set_new(props, "apiVersion",
			    json_pack("{ss}", "const", api));
	json_object_set_new(props, "kind", json_pack("{ss}", "const", kind));
	json_object_set_new(
		props, "metadata",
		json_pack("{sss{s{ss}s{ss}s{ss}}s[s]}", "type", "object",
			  "properties", "name", "type", "string", "labels",
			  "type", "object", "annotations", "type", "object",
			  "required", "name"));
	json_object_set_new(props, body, cm_fd_object(t));
	json_object_set_new(s, "properties", props);
	json_object_set_new(s, "required",
			    json_pack("[ssss]", "apiVersion", "kind",
				      "metadata", body));
	return s;
}

char *cm_fd_schema_json(void)
{
	json_t *root = json_object(), *defs = json_object(), *any;
	char *text;

	json_object_set_new(root, "$schema",
			    json_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_set_new(root, "$id",
			    json_string("https://costmon.dev/schemas/v1alpha1.json"));
	json_object_set_new(root, "title",
			    json_string("costmon " CM_API_VERSION
					" ServiceProfile, CostProfile and "
					"MonitoringProfile"));
	json_object_set_new(
		defs, "ServiceProfile",
		cm_fd_kind(CM_API_VERSION, CM_CONFIG_KIND, "spec",
			   cm_fd_service_spec,
			   "The function's config: the service, its cost and "
			   "its monitoring."));
	json_object_set_new(
		defs, "CostProfile",
		cm_fd_kind(CM_API_VERSION, "CostProfile", "spec",
			   cm_fd_cost_spec,
			   "Budgets per environment and size, and budget "
			   "alerts."));
	json_object_set_new(
		defs, "MonitoringProfile",
		cm_fd_kind(CM_API_VERSION, "MonitoringProfile", "spec",
			   cm_fd_mon_spec,
			   "What to scrape and alert on, and default SLOs."));
	json_object_set_new(
		defs, "ServiceProfileConfigMap",
		cm_fd_kind("v1", "ConfigMap", "data", cm_fd_service_flat,
			   "The ServiceProfile as flat ConfigMap data keys "
			   "(kpt fn eval -- key=value)."));
	json_object_set_new(root, "$defs", defs);
	/* A document is one of the three kinds, chosen by kind. */
	any = json_pack("[{ss}{ss}{ss}]", "$ref", "#/$defs/ServiceProfile",
			"$ref", "#/$defs/CostProfile", "$ref",
			"#/$defs/MonitoringProfile");
	json_object_set_new(root, "oneOf", any);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}
