/*
 * monitoring.h - expanding a monitoring profile for one service in one
 * environment: the scrape endpoint, the SLOs (profile defaults with the
 * environment's overrides), the resource thresholds for the size, and
 * the label matchers that select the service's series.
 *
 * Invariants:
 *   - Every number is an exact decimal from the text (decimal.h): 99.99 %
 *     gives the error budget 0.0001, 14.4 x 0.0001 is 0.00144.
 *   - Label names and metric names in a plan are valid Prometheus names;
 *     matcher values are templates filled in later and always escaped
 *     when placed in PromQL (cm_promql_quote()).
 *   - An SLO outside its range is an error; a burn-rate alert that can
 *     never fire (factor x budget >= 1) is left out with a warning.
 *   - Burn factors come from the SLO window (7d to 90d): fraction x
 *     window / alert window, cut toward zero after 6 decimal places when
 *     they do not terminate (28d: 13.44, 5.6, 2.8, 0.933333).
 *   - In matchers on the target labels `service` and `job`, {service}
 *     stands for the Kubernetes Service(s) the ServiceMonitor selects
 *     (Prometheus Operator sets both to the Service's name); several
 *     become an escaped alternation. Everywhere else it is spec.service.
 *   - In matchers, {workload} stands for the name of the service's
 *     workload (cm_find_workload()), or spec.service when the input has
 *     no workload; a profile that uses it while several workloads and
 *     none named like the service are in the input is an error.
 *   - A latency objective on a histogram bucket uses that bucket; one
 *     between buckets is interpolated linearly between its neighbours
 *     (an estimate); one above the last finite bucket is an error.
 *
 * Ownership: every string of a plan lives in the arena passed in.
 */
#ifndef CM_MONITORING_H
#define CM_MONITORING_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../core/buf.h"
#include "../core/decimal.h"
#include "catalog.h"

typedef struct cm_matcher {
	const char *label;
	const char *op;    /* "=", "!=", "=~", "!~" */
	const char *value; /* template: {service} {namespace} {team}
			      {environment} {workload} */
} cm_matcher;

typedef struct cm_matchers {
	cm_matcher *v;
	size_t n;
} cm_matchers;

typedef struct cm_mon_size {
	const char *name;
	cm_dec multiplier;
} cm_mon_size;

/* Severities of the two alert classes for one environment ("default":
 * every environment not named). */
typedef struct cm_mon_severity {
	const char *environment;
	const char *page, *ticket;
} cm_mon_severity;

typedef struct cm_mon_profile {
	const char *name;
	bool builtin;
	const char *description;

	bool has_endpoint; /* a ServiceMonitor is generated */
	const char *port, *path, *interval, *scheme;
	const char *scrape_timeout; /* or NULL (Prometheus' default) */

	bool has_traffic; /* HTTP SLOs */
	const char *requests_metric; /* counter, e.g. http_requests_total */
	const char *latency_metric;  /* histogram base name, or NULL */
	cm_matchers selector;        /* the service's series */
	/* The up series: spec.endpoint.selector, else the matchers of
	 * selector on target labels (namespace, service, job, pod,
	 * container, endpoint, instance); request labels never reach up. */
	cm_matchers up_selector;
	cm_matchers errors;          /* what marks a failed request */

	bool has_availability, has_error_rate, has_latency;
	cm_dec availability; /* percent */
	cm_dec error_rate;   /* percent */
	cm_dec latency_ms;
	const char *window; /* SLO window as written, e.g. 30d */
	cm_dec *buckets;    /* upper bounds (s) of the latency histogram, */
	size_t n_buckets;   /* ascending; default the client libraries' */
	cm_mon_severity *severities; /* spec.severities, by environment */
	size_t n_severities;

	bool has_resources;
	cm_matchers res_selector; /* the service's pods */
	cm_dec memory_bytes, cpu_cores, warning_percent;
	cm_mon_size *sizes;
	size_t n_sizes;

	bool crash_looping, job_failures;
	const char *runbook_url; /* template, may use {alert} too */

	const cm_node *labels;      /* extra labels for generated objects */
	const cm_node *annotations; /* extra annotations */
	const cm_node *dashboard;   /* spec.dashboard as written, or NULL
				     * (expand/dashplan.c decodes it) */

	bool has_dynatrace;
	const char **technologies;
	size_t n_technologies;
	const char **request_attributes;
	size_t n_request_attributes;
} cm_mon_profile;

/*
 * Recording rules (stable names: dashboards and budget alerts use them).
 * Every recorded series carries the labels namespace (when known),
 * service (= spec.service, whatever the Kubernetes Service is called),
 * team and environment; the SLO series add slo (availability,
 * error-rate, latency). Names follow level:metric:operations; the level
 * "service" means summed over every target of the service.
 *
 *   service:requests:rate5m                      requests per second
 *   service:requests_errors:rate5m               failed requests per second
 *   service:slo_sli_error:ratio_rate<W>          bad ratio over W, for W in
 *       5m 30m 1h 2h 6h 1d 3d and the SLO window itself (e.g. 30d, 28d)
 *   service:slo_objective:ratio                  good ratio asked (0.9999)
 *   service:slo_error_budget:ratio               bad ratio allowed (0.0001)
 *   service:slo_error_budget_remaining:ratio     1 - SLI(window)/budget:
 *       1 intact, 0 spent, negative overspent
 *   service:slo:info                             1, label objective too
 *       (as written: 99.99, 0.05, 200)
 *   service_quantile:request_duration_seconds:histogram_quantile
 *       latency over 5m, label quantile="0.5", "0.95", "0.99"
 */
#define CM_REC_REQUESTS "service:requests:rate5m"
#define CM_REC_ERRORS "service:requests_errors:rate5m"
#define CM_REC_SLI "service:slo_sli_error:ratio_rate" /* + window */
#define CM_REC_OBJECTIVE "service:slo_objective:ratio"
#define CM_REC_BUDGET "service:slo_error_budget:ratio"
#define CM_REC_REMAINING "service:slo_error_budget_remaining:ratio"
#define CM_REC_INFO "service:slo:info"
#define CM_REC_QUANTILE \
	"service_quantile:request_duration_seconds:histogram_quantile"

/* The SLI windows recorded besides the SLO window. */
extern const char *const cm_sli_windows[]; /* NULL-terminated */

typedef enum cm_slo_kind {
	CM_SLO_AVAILABILITY = 0,
	CM_SLO_ERRORS,
	CM_SLO_LATENCY,
	CM_SLO_KINDS
} cm_slo_kind;

/* Severity classes: an alert's table entry names a class; the plan maps
 * it to the environment's severity (prod: critical / warning). */
typedef enum cm_sev_class { CM_CLASS_PAGE = 0, CM_CLASS_TICKET } cm_sev_class;

/* One multi-window burn-rate alert of an SLO (SRE workbook, Sloth). */
typedef struct cm_burn {
	const char *long_w, *short_w; /* "1h", "5m" */
	cm_dec fraction;  /* of the budget spent in long_w: 0.02 */
	cm_dec factor;    /* fraction x window / long_w, cut after 6 places */
	cm_dec threshold; /* factor x budget: the bad ratio that fires */
	cm_sev_class cls; /* page (1h, 6h) or ticket (1d, 3d) */
	bool possible;    /* threshold < 1; else left out with a warning */
} cm_burn;

/* The four burn-rate alerts: windows, budget fractions, classes. */
typedef struct cm_burn_def {
	const char *long_w, *short_w, *fraction;
	long long_hours;
	cm_sev_class cls;
} cm_burn_def;
extern const cm_burn_def cm_burn_defs[4];

/* One SLO of the plan. */
typedef struct cm_slo {
	bool on;
	cm_slo_kind kind;
	const char *label; /* value of the slo label */
	cm_dec objective;  /* as written: 99.99 (percent), 0.05, 200 (ms) */
	cm_dec budget;     /* allowed bad ratio: 0.0001, 0.0005, 0.05 */
	cm_dec target;     /* 1 - budget, the good ratio asked */
	cm_burn burns[4];
	/* latency: objective in seconds and the buckets around it; lo ==
	 * hi when it is a bucket; lo is 0 below the first bucket. */
	cm_dec seconds, le_lo, le_hi;
	bool on_bucket;
} cm_slo;

typedef struct cm_mon_plan {
	cm_mon_profile profile;
	const char *service, *team, *environment, *namespace_, *size;
	bool prometheus, dynatrace;
	cm_slo availability, error_rate, latency;
	cm_slo *slos[CM_SLO_KINDS]; /* the three above, by kind */
	const char *window;         /* normalised: "30d", "28d", "36h" */
	long window_hours;
	const char *severity[2];    /* by cm_sev_class, this environment */
	const char *severity_from;  /* "profile", "default", or the field */
	cm_dec memory_bytes, cpu_cores; /* size-scaled thresholds */
	cm_dec memory_warning, cpu_warning;
	const char *alert_prefix; /* CamelCase service name */
	/* The Kubernetes Services the ServiceMonitor selects: their names
	 * are the `service` and `job` target labels. */
	const char **targets;
	size_t n_targets;
	const cm_node **target_nodes; /* the Services (NULL: not in
					      * the input), by target */
	const char *targets_from; /* "input", "spec.monitoring.serviceName" */
	const cm_node *workload;  /* the service's workload, or NULL */
	/* What {workload} stands for: the workload's name, or the service
	 * when the input has no workload. */
	const char *workload_name;
	const cm_node *extra_labels; /* spec.monitoring.labels, or NULL */
} cm_mon_plan;

/*
 * Decode the MonitoringProfile of catalog entry e into p (strings in a).
 * Returns 0, or -1 after reporting every problem.
 */
int cm_mon_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			  cm_mon_profile *p, cm_diags *diags);

/*
 * Expand cfg's monitoring profile (cfg->monitoring_profile must be set).
 * namespace_ is the namespace of the generated objects, or NULL. ix
 * (the index of the items, core/item.h; NULL when there is no input, as
 * for `krm-fn expand`) is where the workload and the Services that
 * select its pods are looked up; plan->workload gets the workload (may
 * be NULL). A configuration
 * that leaves an SLI necessarily empty (no target Service known, a
 * Service that cannot be selected or has no such port) is an error.
 * Returns 0, or -1 after reporting every problem.
 */
int cm_mon_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		  const char *namespace_, const cm_index *ix,
		  cm_mon_plan *plan, cm_diags *diags);

/*
 * The plan as canonical JSON text (fixed key order, decimals as
 * strings), malloc'ed into *out (the caller frees it); with the page and
 * ticket severities of each of envs (n_envs, may be 0) as cfg and the
 * profile make them. 0, or -1 (out of memory).
 */
int cm_mon_plan_json(const cm_mon_plan *plan, const cm_config *cfg,
		     const char *const *envs, size_t n_envs, char **out);

/* The severity of class c in the plan's environment. */
const char *cm_mon_severity_of(const cm_mon_plan *plan, cm_sev_class c);

/*
 * Append template t to out with {service}, {namespace}, {team} and
 * {environment} of plan filled in as plain text (an annotation, a label
 * value, a panel title: no escaping), an unknown namespace as "". With
 * alert non-NULL {alert} becomes alert; with NULL it stays as written.
 * Returns 0 (out->data then holds a C string), or -1 when out is full or
 * memory runs out (out then holds a prefix of the text).
 */
int cm_mon_fill_text(cm_buf *out, const char *t, const cm_mon_plan *plan,
		     const char *alert);

/*
 * Append the PromQL selector body for matchers m with placeholders of
 * plan filled in and every value escaped: `a="x",b=~"y"`. A matcher
 * whose value uses {namespace} when the namespace is unknown is left
 * out. extra (may be NULL) is appended as is, after a comma. 0 or -1.
 */
int cm_promql_selector(cm_buf *out, const cm_matchers *m,
		       const cm_mon_plan *plan, const char *extra);

/* Append s as a PromQL double-quoted string literal. 0 or -1. */
int cm_promql_quote(cm_buf *out, const char *s);


/* Milliseconds of a Prometheus Operator duration ("1m30s"), or -1. */
long long cm_prom_duration_ms(const char *s);

/* NULL when re is a regular expression Prometheus (RE2) accepts, else
 * what is wrong with it (a static string). */
const char *cm_re2_problem(const char *re);

/* True when s is a valid Prometheus metric name / label name. */
bool cm_prom_metric_name_ok(const char *s);
bool cm_prom_label_name_ok(const char *s);

#endif
