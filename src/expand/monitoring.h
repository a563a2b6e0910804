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
	const char *value; /* template: {service} {namespace} {team} {environment} */
} cm_matcher;

typedef struct cm_matchers {
	cm_matcher *v;
	size_t n;
} cm_matchers;

typedef struct cm_mon_size {
	const char *name;
	cm_dec multiplier;
} cm_mon_size;

typedef struct cm_mon_profile {
	const char *name;
	bool builtin;
	const char *description;

	bool has_endpoint; /* a ServiceMonitor is generated */
	const char *port, *path, *interval, *scheme;

	bool has_traffic; /* HTTP SLOs */
	const char *requests_metric; /* counter, e.g. http_requests_total */
	const char *latency_metric;  /* histogram base name, or NULL */
	cm_matchers selector;        /* the service's series */
	cm_matchers errors;          /* what marks a failed request */

	bool has_availability, has_error_rate, has_latency;
	cm_dec availability; /* percent */
	cm_dec error_rate;   /* percent */
	cm_dec latency_ms;
	const char *window; /* SLO window, e.g. 30d */

	bool has_resources;
	cm_matchers res_selector; /* the service's pods */
	cm_dec memory_bytes, cpu_cores, warning_percent;
	cm_mon_size *sizes;
	size_t n_sizes;

	bool crash_looping, job_failures;
	const char *runbook_url; /* template, may use {alert} too */

	const cm_node *labels;      /* extra labels for generated objects */
	const cm_node *annotations; /* extra annotations */

	bool has_dynatrace;
	const char **technologies;
	size_t n_technologies;
	const char **request_attributes;
	size_t n_request_attributes;
} cm_mon_profile;

/* One SLO as used for alerting: objective text and its error budget. */
typedef struct cm_slo {
	bool on;
	cm_dec objective; /* as written: 99.99 (percent), 0.05, 200 (ms) */
	cm_dec budget;    /* allowed bad ratio: 0.0001, 0.0005, 0.05 */
} cm_slo;

typedef struct cm_mon_plan {
	cm_mon_profile profile;
	const char *service, *team, *environment, *namespace_, *size;
	bool prometheus, dynatrace;
	cm_slo availability, error_rate, latency;
	cm_dec memory_bytes, cpu_cores; /* size-scaled thresholds */
	cm_dec memory_warning, cpu_warning;
	const char *alert_prefix; /* CamelCase service name */
} cm_mon_plan;

/* The burn-rate windows of the SRE Workbook (30-day SLO): a page fires
 * when both windows of a pair burn faster than factor x budget. */
typedef struct cm_burn {
	const char *long_w, *short_w, *factor;
	int page; /* 1: critical page, 0: warning ticket */
} cm_burn;

extern const cm_burn cm_burns[4];

/*
 * Decode the MonitoringProfile of catalog entry e into p (strings in a).
 * Returns 0, or -1 after reporting every problem.
 */
int cm_mon_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			  cm_mon_profile *p, cm_diags *diags);

/*
 * Expand cfg's monitoring profile (cfg->monitoring_profile must be set).
 * namespace_ is the namespace of the generated objects, or NULL. Returns
 * 0, or -1 after reporting every problem.
 */
int cm_mon_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		  const char *namespace_, cm_mon_plan *plan, cm_diags *diags);

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

/* True when s is a valid Prometheus metric name / label name. */
bool cm_prom_metric_name_ok(const char *s);
bool cm_prom_label_name_ok(const char *s);

#endif
