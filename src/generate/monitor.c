/* monitor.c - see monitor.h for the contract. */
#include "monitor.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/item.h"
#include "../expand/dashplan.h"
#include "../expand/monitoring.h"
#include "object.h"
#include "dashboard.h"

#define CM_PROMQL_MAX ((size_t)1 << 20)


typedef struct cm_gen {
	cm_ob ob; /* arena and sticky out-of-memory flag */
	cm_diags *diags;
	const cm_config *cfg;
	cm_mon_plan plan;
	cm_buf sel;  /* selector body of the service's series */
	cm_buf rsel; /* selector body of the service's pods */
	cm_buf usel; /* selector body of the service's up series */
} cm_gen;

/*
 * A profile text template with {service}, {namespace}, {team},
 * {environment} and {alert} filled in. The result is plain text (an
 * annotation or a URL), not PromQL, so values go in as they are.
 */
static const char *gsubst(cm_gen *g, const char *t, const char *alert)
{
	const char *res;
	cm_buf out;

	cm_buf_init(&out, 64 * 1024);
	if (cm_mon_fill_text(&out, t, &g->plan, alert ? alert : "") < 0)
		g->ob.oom = 1;
	res = cm_ob_dup(&g->ob, out.data);
	cm_buf_free(&out);
	return res;
}

/* metadata for a generated object: name, namespace, the profile's extra
 * labels (as written) and annotations (templates filled in). */
static cm_node gmeta(cm_gen *g, const char *name)
{
	cm_node md = cm_map_new();
	const cm_node *src;
	uint32_t i;

	cm_ob_puts(&g->ob, &md, "name", name);
	if (g->plan.namespace_)
		cm_ob_puts(&g->ob, &md, "namespace", g->plan.namespace_);
	if (g->plan.profile.labels || g->plan.extra_labels) {
		/* The profile's labels, then spec.monitoring.labels (which
		 * win: e.g. release: for kube-prometheus-stack). */
		const cm_node *srcs[2] = {g->plan.profile.labels,
					  g->plan.extra_labels};
		cm_node lab = cm_map_new();
		size_t k;

		for (k = 0; k < 2; k++)
			for (i = 0; srcs[k] && i < srcs[k]->len; i++)
				if (srcs[k]->u.kids[2 * i].kind == CM_SCALAR &&
				    srcs[k]->u.kids[2 * i + 1].kind == CM_SCALAR)
					cm_ob_puts(&g->ob, &lab, srcs[k]->u.kids[2 * i].u.str,
					      srcs[k]->u.kids[2 * i + 1].u.str);
		cm_ob_put(&g->ob, &md, "labels", lab);
	}
	for (src = g->plan.profile.annotations; src; src = NULL) {
		cm_node ann = cm_map_new();

		for (i = 0; i < src->len; i++)
			if (src->u.kids[2 * i].kind == CM_SCALAR &&
			    src->u.kids[2 * i + 1].kind == CM_SCALAR)
				cm_ob_puts(&g->ob, &ann, src->u.kids[2 * i].u.str,
				      gsubst(g, src->u.kids[2 * i + 1].u.str,
					     NULL));
		cm_ob_put(&g->ob, &md, "annotations", ann);
	}
	return md;
}

static cm_node gobject(cm_gen *g, const char *api, const char *kind,
		       const char *name)
{
	cm_node o = cm_map_new();

	cm_ob_puts(&g->ob, &o, "apiVersion", api);
	cm_ob_puts(&g->ob, &o, "kind", kind);
	cm_ob_put(&g->ob, &o, "metadata", gmeta(g, name));
	return o;
}

static bool cm_ns_eq(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* ---- the ServiceMonitor ---- */

static bool cm_is_cost_key(const cm_label_set *ls, const char *key)
{
	size_t i;

	for (i = 0; i < ls->n_meta; i++)
		if (!strcmp(ls->meta[i].key, key))
			return true;
	return false;
}

/* True when every target Service of the plan has label k = v. */
static bool cm_all_targets_have(const cm_mon_plan *pl, const char *k,
				const char *v)
{
	size_t t;

	for (t = 0; t < pl->n_targets; t++) {
		const cm_node *have = pl->target_nodes[t]
			? cm_map_get(cm_map_path(pl->target_nodes[t], "metadata.labels"), k)
			: NULL;

		if (!have || !cm_scalar_is(have, v))
			return false;
	}
	return true;
}

/*
 * The ServiceMonitor: it selects the target Services of the plan by
 * spec.monitoring.serviceSelector, else by the labels they all share
 * (cost labels aside). Returns the object; a target set that no label
 * selector can pick is an error (*bad set).
 */
static cm_node gen_service_monitor(cm_gen *g, const cm_label_set *ls, int *bad)
{
	const cm_mon_plan *pl = &g->plan;
	const cm_mon_profile *p = &pl->profile;
	cm_node sm = gobject(g, "monitoring.coreos.com/v1", "ServiceMonitor",
			     cm_ob_fmt(&g->ob, "%s-monitor", pl->service));
	cm_node spec = cm_map_new(), sel = cm_map_new(), ml = cm_map_new();
	cm_node eps = cm_seq_new(), ep = cm_map_new();
	const cm_node *first = pl->n_targets ? pl->target_nodes[0] : NULL;
	const cm_node *labels;
	const char *svc_ns = first ? cm_map_str(first, "metadata.namespace") : NULL;
	uint32_t i;

	if (g->cfg->service_selector) {
		labels = g->cfg->service_selector;
		for (i = 0; i < labels->len; i++)
			cm_ob_puts(&g->ob, &ml, labels->u.kids[2 * i].u.str,
			      labels->u.kids[2 * i + 1].u.str);
	} else if (first) {
		labels = cm_map_path(first, "metadata.labels");
		for (i = 0; labels && labels->kind == CM_MAP && i < labels->len; i++) {
			const cm_node *k = &labels->u.kids[2 * i];
			const cm_node *v = &labels->u.kids[2 * i + 1];

			if (k->kind == CM_SCALAR && v->kind == CM_SCALAR &&
			    !cm_is_cost_key(ls, k->u.str) &&
			    cm_all_targets_have(pl, k->u.str, v->u.str))
				cm_ob_puts(&g->ob, &ml, k->u.str, v->u.str);
		}
		if (ml.len == 0 && pl->n_targets > 1) {
			cm_where sw = cm_item_where(first);
			char names[512] = "";
			size_t t;

			for (t = 0; t < pl->n_targets; t++)
				if (strlen(names) + strlen(pl->targets[t]) + 4 < sizeof(names))
					snprintf(names + strlen(names),
						 sizeof(names) - strlen(names), "%s\"%s\"",
						 t ? ", " : "", pl->targets[t]);
			sw.field_path = "metadata.labels";
			cm_diag_add(g->diags, CM_SEV_ERROR, &sw,
				    "Services %s select the pods of %s and share no "
				    "label, so one ServiceMonitor \"%s-monitor\" "
				    "cannot select them all and their SLIs would "
				    "stay empty; give them a common label such as "
				    "app: %s, or set %s to the one to scrape",
				    names, pl->service, pl->service, pl->service,
				    g->cfg->form == CM_CONFIG_CONFIGMAP
					    ? "data.serviceName"
					    : "spec.monitoring.serviceName");
			*bad = 1;
		} else if (ml.len == 0) {
			/* Labels may still be added later in the build (e.g.
			 * kustomize labels), so this is not certain to fail. */
			cm_where sw = cm_item_where(first);

			sw.field_path = "metadata.labels";
			cm_diag_add(g->diags, CM_SEV_WARNING, &sw,
				    "Service \"%s\" has no labels of its own, so "
				    "ServiceMonitor \"%s-monitor\" selects Services "
				    "labelled app: %s; add that label to the "
				    "Service, or set %s to its labels",
				    pl->targets[0], pl->service, pl->service,
				    g->cfg->form == CM_CONFIG_CONFIGMAP
					    ? "data.serviceSelector"
					    : "spec.monitoring.serviceSelector");
			cm_ob_puts(&g->ob, &ml, "app", pl->service);
		}
	}
	if (ml.len == 0) /* no Service known (see cm_plan_targets) */
		cm_ob_puts(&g->ob, &ml, "app", pl->service);
	cm_ob_put(&g->ob, &sel, "matchLabels", ml);
	cm_ob_put(&g->ob, &spec, "selector", sel);
	if (svc_ns && !cm_ns_eq(svc_ns, pl->namespace_)) {
		cm_node nsel = cm_map_new(), names = cm_seq_new();

		cm_ob_push(&g->ob, &names, cm_ob_str(&g->ob, svc_ns));
		cm_ob_put(&g->ob, &nsel, "matchNames", names);
		cm_ob_put(&g->ob, &spec, "namespaceSelector", nsel);
	}
	cm_ob_puts(&g->ob, &ep, "port", p->port);
	cm_ob_puts(&g->ob, &ep, "path", p->path);
	cm_ob_puts(&g->ob, &ep, "interval", p->interval);
	cm_ob_puts(&g->ob, &ep, "scrapeTimeout", p->scrape_timeout);
	cm_ob_puts(&g->ob, &ep, "scheme", p->scheme);
	cm_ob_push(&g->ob, &eps, ep);
	cm_ob_put(&g->ob, &spec, "endpoints", eps);
	cm_ob_put(&g->ob, &sm, "spec", spec);
	return sm;
}

/* ---- rules: the shapes ---- */

/*
 * Every rule is one entry. expr, summary and description are templates:
 * ${name} is replaced by the value of that variable (cm_var), nothing
 * else is touched ({{ $labels.pod }} stays for Prometheus).
 *
 * Variables: sel (selector of the service's series), esel (sel and the
 * error matchers), usel (the up series' selector: target labels only),
 * rsel (the pods' selector), jsel (the jobs' selector),
 * req (requests counter), lat (latency histogram), w (window), k
 * (matchers of the recorded series: service, namespace), slo (the SLO's
 * label), budget, target, objective (as text), good (the rate of
 * requests faster than the latency objective over w), burn (the burn
 * condition of the alert's class), absent (the missing-SLI condition),
 * mem, memwarn, cpu, cpuwarn (thresholds), service, environment, window,
 * size, what (the SLO in words), burnwords (the pairs in words).
 */

/* When a shape applies. */
enum {
	W_TRAFFIC = 1,    /* the profile measures requests */
	W_SCRAPED = 2,    /* a ServiceMonitor or traffic: targets exist */
	W_LATENCY = 4,    /* the latency SLO is on */
	W_RESOURCES = 8,  /* resource thresholds */
	W_CRASH = 16,     /* crash-loop alert */
	W_JOBS = 32,      /* failed-job alert */
	W_SLO = 64,       /* once per SLO that is on (kind: any or one) */
	W_WINDOWS = 128,  /* once per SLI window (and the SLO window) */
};

typedef struct cm_record_shape {
	const char *record; /* name; ${w} allowed */
	unsigned when;
	int kind; /* W_SLO: the SLO kind, or -1 for every SLO */
	const char *expr;
	const char *quantile; /* extra label quantile, or NULL */
} cm_record_shape;

static const cm_record_shape cm_records[] = {
	{CM_REC_REQUESTS, W_TRAFFIC, -1,
	 "sum by (namespace) (rate(${req}{${sel}}[5m]))", NULL},
	{CM_REC_ERRORS, W_TRAFFIC, -1,
	 "sum by (namespace) (rate(${req}{${esel}}[5m])) or 0 * sum by "
	 "(namespace) (rate(${req}{${sel}}[5m]))", NULL},
	/* Availability counts samples: a pod alive for 2 minutes weighs 4
	 * scrapes, not as much as one alive for the whole window. */
	{CM_REC_SLI "${w}", W_SLO | W_WINDOWS, CM_SLO_AVAILABILITY,
	 "(sum by (namespace) (count_over_time(up{${usel}}[${w}])) - sum by "
	 "(namespace) (sum_over_time(up{${usel}}[${w}]))) / sum by (namespace) "
	 "(count_over_time(up{${usel}}[${w}]))", NULL},
	/* No error series yet (no request has failed) is a ratio of 0. */
	{CM_REC_SLI "${w}", W_SLO | W_WINDOWS, CM_SLO_ERRORS,
	 "(sum by (namespace) (rate(${req}{${esel}}[${w}])) or 0 * sum by "
	 "(namespace) (rate(${req}{${sel}}[${w}]))) / sum by (namespace) "
	 "(rate(${req}{${sel}}[${w}]))", NULL},
	{CM_REC_SLI "${w}", W_SLO | W_WINDOWS, CM_SLO_LATENCY,
	 "1 - (${good}) / sum by (namespace) (rate(${lat}_count{${sel}}[${w}]))",
	 NULL},
	{CM_REC_OBJECTIVE, W_SLO, -1, "vector(${target})", NULL},
	{CM_REC_BUDGET, W_SLO, -1, "vector(${budget})", NULL},
	{CM_REC_REMAINING, W_SLO, -1,
	 "1 - " CM_REC_SLI "${window}{${k},slo=\"${slo}\"} / ${budget}", NULL},
	{CM_REC_INFO, W_SLO, -1, "vector(1)", NULL},
	{CM_REC_QUANTILE, W_LATENCY, -1,
	 "histogram_quantile(0.5, sum by (namespace, le) "
	 "(rate(${lat}_bucket{${sel}}[5m])))", "0.5"},
	{CM_REC_QUANTILE, W_LATENCY, -1,
	 "histogram_quantile(0.95, sum by (namespace, le) "
	 "(rate(${lat}_bucket{${sel}}[5m])))", "0.95"},
	{CM_REC_QUANTILE, W_LATENCY, -1,
	 "histogram_quantile(0.99, sum by (namespace, le) "
	 "(rate(${lat}_bucket{${sel}}[5m])))", "0.99"},
};

typedef struct cm_alert_shape {
	const char *name[CM_SLO_KINDS]; /* suffix; by SLO kind when W_SLO */
	unsigned when;
	int burn_class; /* W_SLO: which burn pairs (cm_sev_class) */
	const char *expr;
	const char *for_; /* or NULL */
	cm_sev_class cls;
	const char *summary, *description;
} cm_alert_shape;

static const cm_alert_shape cm_alerts[] = {
	{{"AvailabilityBudgetBurn", "HighErrorRate", "HighLatency"}, W_SLO,
	 CM_CLASS_PAGE, "${burn}", NULL, CM_CLASS_PAGE,
	 "${service} ${what} is burning its error budget fast",
	 "${service} in ${environment} is spending the ${window} error budget "
	 "of its ${what} objective (${objective}) ${burnwords}: at this pace "
	 "the budget is gone within days."},
	{{"AvailabilityBudgetBurnSlow", "ElevatedErrorRate", "ElevatedLatency"},
	 W_SLO, CM_CLASS_TICKET, "${burn}", NULL, CM_CLASS_TICKET,
	 "${service} ${what} is eroding its error budget",
	 "${service} in ${environment} is spending the ${window} error budget "
	 "of its ${what} objective (${objective}) ${burnwords}."},
	{{"Down"}, W_SCRAPED, 0,
	 "(sum by (namespace) (up{${usel}}) == 0) or absent(up{${usel}})", "5m",
	 CM_CLASS_PAGE, "${service} is down",
	 "Prometheus has no healthy scrape target of ${service} in "
	 "${environment} for 5 minutes: every target is down, or none is "
	 "discovered (check the ServiceMonitor, its labels and the Service's "
	 "port name)."},
	{{"NoTraffic"}, W_TRAFFIC, 0,
	 "sum by (namespace) (rate(${req}{${sel}}[10m])) == 0", "15m",
	 CM_CLASS_TICKET, "${service} receives no requests",
	 "${service} in ${environment} has served no requests for 25 minutes "
	 "although its targets report metrics; check the ingress and the "
	 "callers."},
	/* Pyrra's SLOMetricAbsent: targets are up but the SLI's series are
	 * missing, so no SLO alert can fire. Long enough for deploys. */
	{{"SLOMetricAbsent"}, W_TRAFFIC, 0, "${absent}", "30m", CM_CLASS_TICKET,
	 "${service} exposes no request metrics",
	 "The targets of ${service} in ${environment} are up, but ${missing} "
	 "has been absent for 30 minutes, so its SLO alerts cannot fire; check "
	 "the metric names and labels in the monitoring profile against what "
	 "the service exposes on its /metrics."},
	{{"HighMemoryUsage"}, W_RESOURCES, 0,
	 "max by (namespace, pod, container) "
	 "(container_memory_working_set_bytes{${rsel}}) > ${mem}", "5m",
	 CM_CLASS_PAGE, "${service} uses more memory than its threshold",
	 "Container {{ $labels.container }} of pod {{ $labels.pod }} uses "
	 "{{ $value | humanize }} bytes, above the ${mem} bytes threshold for "
	 "size ${size}."},
	{{"MemoryNearThreshold"}, W_RESOURCES, 0,
	 "max by (namespace, pod, container) "
	 "(container_memory_working_set_bytes{${rsel}}) > ${memwarn}", "15m",
	 CM_CLASS_TICKET, "${service} memory is near its threshold",
	 "Container {{ $labels.container }} of pod {{ $labels.pod }} uses "
	 "{{ $value | humanize }} bytes, above ${memwarn} bytes (the warning "
	 "level of the ${mem} bytes threshold for size ${size})."},
	{{"HighCPUUsage"}, W_RESOURCES, 0,
	 "sum by (namespace, pod, container) "
	 "(rate(container_cpu_usage_seconds_total{${rsel}}[5m])) > ${cpu}",
	 "15m", CM_CLASS_PAGE, "${service} uses more CPU than its threshold",
	 "Container {{ $labels.container }} of pod {{ $labels.pod }} uses "
	 "{{ $value }} cores, above the ${cpu} cores threshold for size "
	 "${size}."},
	{{"CPUNearThreshold"}, W_RESOURCES, 0,
	 "sum by (namespace, pod, container) "
	 "(rate(container_cpu_usage_seconds_total{${rsel}}[5m])) > ${cpuwarn}",
	 "15m", CM_CLASS_TICKET, "${service} CPU is near its threshold",
	 "Container {{ $labels.container }} of pod {{ $labels.pod }} uses "
	 "{{ $value }} cores, above ${cpuwarn} cores (the warning level of "
	 "the ${cpu} cores threshold for size ${size})."},
	{{"CrashLooping"}, W_RESOURCES | W_CRASH, 0,
	 "max_over_time(kube_pod_container_status_waiting_reason{${rsel}${rcomma}"
	 "reason=\"CrashLoopBackOff\"}[5m]) >= 1",
	 "15m", CM_CLASS_TICKET, "${service} is crash looping",
	 "Container {{ $labels.container }} of pod {{ $labels.pod }} has been "
	 "in CrashLoopBackOff for 15 minutes."},
	/* The Job's Failed condition (kube-state-metrics), not its count of
	 * failed pods: a Job whose retry succeeded is fine. Only Jobs
	 * created in the last 24 hours count: a CronJob keeps its last
	 * failed Job (failedJobsHistoryLimit) through later good runs. */
	{{"JobFailed"}, W_JOBS, 0,
	 "kube_job_failed{${jsel},condition=\"true\"} > 0 "
	 "and on (namespace, job_name) "
	 "(time() - kube_job_created{${jsel}} < 86400)", NULL,
	 CM_CLASS_TICKET, "a job of ${service} failed",
	 "Job {{ $labels.job_name }} of ${service} in ${environment} failed. "
	 "The alert clears 24 hours after the Job was created, or when the "
	 "failed Job is deleted (kubectl delete job -n {{ $labels.namespace }} "
	 "{{ $labels.job_name }})."},
};

/* ---- rules: filling the shapes ---- */

/* More variables than the shapes use (about 30); cm_var drops any
 * beyond, which would show as an empty ${name} in every test. */
#define CM_NVARS 48

typedef struct cm_vars {
	const char *name[CM_NVARS];
	const char *value[CM_NVARS];
	size_t n;
} cm_vars;

static void cm_var(cm_vars *v, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name)) {
			v->value[i] = value;
			return;
		}
	if (v->n < CM_NVARS) {
		v->name[v->n] = name;
		v->value[v->n++] = value;
	}
}

/* Template t with every ${name} replaced; an arena string. */
static const char *gtmpl(cm_gen *g, const cm_vars *v, const char *t)
{
	cm_buf out;
	const char *res;

	cm_buf_init(&out, CM_PROMQL_MAX);
	while (*t) {
		const char *end;
		size_t i;

		if (t[0] == '$' && t[1] == '{' && (end = strchr(t, '}')) != NULL) {
			for (i = 0; i < v->n; i++)
				if (strlen(v->name[i]) == (size_t)(end - t - 2) &&
				    !strncmp(v->name[i], t + 2, (size_t)(end - t - 2)))
					break;
			if (i < v->n) {
				if (cm_buf_adds(&out, v->value[i] ? v->value[i] : "") < 0)
					g->ob.oom = 1;
				t = end + 1;
				continue;
			}
		}
		if (cm_buf_add(&out, t++, 1) < 0)
			g->ob.oom = 1;
	}
	res = cm_ob_dup(&g->ob, out.data);
	cm_buf_free(&out);
	return res;
}

static const char *gdec(cm_gen *g, cm_dec d)
{
	char num[CM_DEC_BUFSZ];

	return cm_ob_fmt(&g->ob, "%s", cm_dec_format(d, num));
}

/* The le matcher of a bucket: whole seconds match "1" and "1.0". */
static const char *gle(cm_gen *g, cm_dec b)
{
	char num[CM_DEC_BUFSZ];

	cm_dec_format(b, num);
	return cm_dec_is_int(b) ? cm_ob_fmt(&g->ob, "le=~\"%s(\\\\.0)?\"", num)
				: cm_ob_fmt(&g->ob, "le=\"%s\"", num);
}

/*
 * The rate of requests faster than the latency objective over ${w}: the
 * bucket's rate when the objective is a bucket; else the linear
 * interpolation between the neighbouring buckets lo < T < hi,
 * ((hi - T) x rate(lo) + (T - lo) x rate(hi)) / (hi - lo), with exact
 * decimal weights (lo = 0: no lower bucket term).
 */
static const char *ggood(cm_gen *g, const cm_vars *v, const cm_slo *s)
{
	const char *bucket = "sum by (namespace) (rate(${lat}_bucket{${sel}${comma}%s}[${w}]))";
	cm_dec a, b, c;

	if (s->on_bucket)
		return gtmpl(g, v, cm_ob_fmt(&g->ob, bucket, gle(g, s->le_hi)));
	if (cm_dec_sub(s->le_hi, s->seconds, &a) < 0 ||
	    cm_dec_sub(s->seconds, s->le_lo, &b) < 0 ||
	    cm_dec_sub(s->le_hi, s->le_lo, &c) < 0) {
		g->ob.oom = 1;
		return "";
	}
	if (cm_dec_sign(s->le_lo) == 0)
		return gtmpl(g, v, cm_ob_fmt(&g->ob, "%s * %s / %s", gdec(g, b),
					cm_ob_fmt(&g->ob, bucket, gle(g, s->le_hi)),
					gdec(g, c)));
	return gtmpl(g, v,
		     cm_ob_fmt(&g->ob, "(%s * %s + %s * %s) / %s", gdec(g, a),
			  cm_ob_fmt(&g->ob, bucket, gle(g, s->le_lo)), gdec(g, b),
			  cm_ob_fmt(&g->ob, bucket, gle(g, s->le_hi)), gdec(g, c)));
}

/* The labels every recorded series and alert carries. */
static void glabels(cm_gen *g, cm_node *lab)
{
	if (g->plan.namespace_)
		cm_ob_puts(&g->ob, lab, "namespace", g->plan.namespace_);
	cm_ob_puts(&g->ob, lab, "service", g->plan.service);
	cm_ob_puts(&g->ob, lab, "team", g->plan.team);
	cm_ob_puts(&g->ob, lab, "environment", g->plan.environment);
}

static void grecord(cm_gen *g, cm_node *rules, const char *record,
		    const char *expr, const char *slo, const cm_slo *s,
		    const char *quantile)
{
	cm_node r = cm_map_new(), lab = cm_map_new();

	cm_ob_puts(&g->ob, &r, "record", record);
	cm_ob_puts(&g->ob, &r, "expr", expr);
	glabels(g, &lab);
	if (slo)
		cm_ob_puts(&g->ob, &lab, "slo", slo);
	if (s && !strcmp(record, CM_REC_INFO)) {
		cm_ob_puts(&g->ob, &lab, "objective", gdec(g, s->objective));
	}
	if (quantile)
		cm_ob_puts(&g->ob, &lab, "quantile", quantile);
	cm_ob_put(&g->ob, &r, "labels", lab);
	cm_ob_push(&g->ob, rules, r);
}

static void galert(cm_gen *g, cm_node *rules, const char *name,
		   const char *expr, const char *for_, const char *severity,
		   const char *slo, const char *summary, const char *description)
{
	cm_node r = cm_map_new(), lab = cm_map_new(), ann = cm_map_new();
	const char *alert = cm_ob_fmt(&g->ob, "%s%s", g->plan.alert_prefix, name);

	cm_ob_puts(&g->ob, &r, "alert", alert);
	cm_ob_puts(&g->ob, &r, "expr", expr);
	if (for_)
		cm_ob_puts(&g->ob, &r, "for", for_);
	cm_ob_puts(&g->ob, &lab, "severity", severity);
	glabels(g, &lab);
	if (slo)
		cm_ob_puts(&g->ob, &lab, "slo", slo);
	cm_ob_put(&g->ob, &r, "labels", lab);
	cm_ob_puts(&g->ob, &ann, "summary", summary);
	cm_ob_puts(&g->ob, &ann, "description", description);
	if (g->plan.profile.runbook_url)
		cm_ob_puts(&g->ob, &ann, "runbook_url",
		      gsubst(g, g->plan.profile.runbook_url, alert));
	cm_ob_put(&g->ob, &r, "annotations", ann);
	cm_ob_push(&g->ob, rules, r);
}

static bool gwhen(const cm_gen *g, unsigned when)
{
	const cm_mon_plan *pl = &g->plan;
	const cm_mon_profile *p = &pl->profile;

	if ((when & W_TRAFFIC) && !p->has_traffic)
		return false;
	if ((when & W_SCRAPED) && !(p->has_endpoint || p->has_traffic))
		return false;
	if ((when & W_LATENCY) && !pl->latency.on)
		return false;
	if ((when & W_RESOURCES) && !p->has_resources)
		return false;
	if ((when & W_CRASH) && !p->crash_looping)
		return false;
	if ((when & W_JOBS) && !p->job_failures)
		return false;
	return true;
}

/* Variables that depend on one SLO. */
static void gslo_vars(cm_gen *g, cm_vars *v, const cm_slo *s)
{
	static const char *const what[] = {"availability", "error rate",
					   "latency"};

	cm_var(v, "slo", s->label);
	cm_var(v, "budget", gdec(g, s->budget));
	cm_var(v, "target", gdec(g, s->target));
	cm_var(v, "what", what[s->kind]);
	cm_var(v, "objective",
	       s->kind == CM_SLO_LATENCY
		       ? cm_ob_fmt(&g->ob, "95 %% of requests within %s ms%s",
			      gdec(g, s->objective),
			      s->on_bucket ? "" : ", estimated between buckets")
		       : cm_ob_fmt(&g->ob, "%s%%", gdec(g, s->objective)));
}

/* The burn condition of SLO s for the pairs of class cls, and their
 * description in words; NULL when no pair of the class can fire. */
static const char *gburn(cm_gen *g, const cm_vars *v, const cm_slo *s,
			 int cls, const char **words)
{
	cm_buf e, wd;
	const char *res = NULL;
	size_t i;
	int n = 0;

	cm_buf_init(&e, CM_PROMQL_MAX);
	cm_buf_init(&wd, 4096);
	for (i = 0; i < 4; i++) {
		const cm_burn *b = &s->burns[i];
		const char *th, *k = gtmpl(g, v, "${k},slo=\"${slo}\"");

		if ((int)b->cls != cls || !b->possible)
			continue;
		th = gdec(g, b->threshold);
		if (cm_buf_addf(&e, "%s(" CM_REC_SLI "%s{%s} > %s and " CM_REC_SLI
				    "%s{%s} > %s)",
				n ? " or " : "", b->long_w, k, th, b->short_w, k,
				th) < 0 ||
		    cm_buf_addf(&wd, "%s%sx (%s/%s)", n ? " or " : "",
				gdec(g, b->factor), b->long_w, b->short_w) < 0)
			g->ob.oom = 1;
		n++;
	}
	if (n) {
		res = cm_arena_strndup(g->ob.a, e.data, e.len);
		*words = cm_ob_fmt(&g->ob, "%s faster than the window allows",
			      wd.data ? wd.data : "");
		if (!res)
			g->ob.oom = 1;
	}
	cm_buf_free(&e);
	cm_buf_free(&wd);
	return res;
}

static void gen_records(cm_gen *g, cm_vars *v, cm_node *rules)
{
	const cm_mon_plan *pl = &g->plan;
	const char *wins[16];
	size_t r, k, w, nw;

	for (r = 0; r < sizeof(cm_records) / sizeof(cm_records[0]); r++) {
		const cm_record_shape *sh = &cm_records[r];

		if (!gwhen(g, sh->when))
			continue;
		if (!(sh->when & W_SLO)) {
			grecord(g, rules, sh->record, gtmpl(g, v, sh->expr), NULL,
				NULL, sh->quantile);
			continue;
		}
		nw = 1;
		wins[0] = NULL;
		if (sh->when & W_WINDOWS) {
			for (nw = 0; cm_sli_windows[nw]; nw++)
				wins[nw] = cm_sli_windows[nw];
			wins[nw++] = pl->window;
		}
		for (k = 0; k < CM_SLO_KINDS; k++) {
			const cm_slo *s = pl->slos[k];

			if (!s->on || (sh->kind >= 0 && (size_t)sh->kind != k))
				continue;
			gslo_vars(g, v, s);
			for (w = 0; w < nw; w++) {
				if (wins[w])
					cm_var(v, "w", wins[w]);
				if (k == CM_SLO_LATENCY && wins[w])
					cm_var(v, "good", ggood(g, v, s));
				grecord(g, rules, gtmpl(g, v, sh->record),
					gtmpl(g, v, sh->expr), s->label, s, NULL);
			}
		}
	}
}

static void gen_alerts(cm_gen *g, cm_vars *v, cm_node *rules)
{
	const cm_mon_plan *pl = &g->plan;
	size_t r, k;

	for (r = 0; r < sizeof(cm_alerts) / sizeof(cm_alerts[0]); r++) {
		const cm_alert_shape *sh = &cm_alerts[r];

		if (!gwhen(g, sh->when))
			continue;
		if (!(sh->when & W_SLO)) {
			galert(g, rules, sh->name[0], gtmpl(g, v, sh->expr),
			       sh->for_, cm_mon_severity_of(pl, sh->cls), NULL,
			       gtmpl(g, v, sh->summary),
			       gtmpl(g, v, sh->description));
			continue;
		}
		for (k = 0; k < CM_SLO_KINDS; k++) {
			const cm_slo *s = pl->slos[k];
			const char *burn, *words = "";

			if (!s->on)
				continue;
			gslo_vars(g, v, s);
			burn = gburn(g, v, s, sh->burn_class, &words);
			if (!burn)
				continue;
			cm_var(v, "burn", burn);
			cm_var(v, "burnwords", words);
			galert(g, rules, sh->name[k], gtmpl(g, v, sh->expr),
			       sh->for_, cm_mon_severity_of(pl, sh->cls), s->label,
			       gtmpl(g, v, sh->summary),
			       gtmpl(g, v, sh->description));
		}
	}
}

/* The variables every shape may use. */
static void gen_vars(cm_gen *g, cm_vars *v)
{
	const cm_mon_plan *pl = &g->plan;
	const cm_mon_profile *p = &pl->profile;
	cm_buf b;

	cm_buf_init(&b, CM_PROMQL_MAX);
	cm_var(v, "sel", g->sel.data ? g->sel.data : "");
	cm_var(v, "comma", g->sel.len ? "," : "");
	cm_var(v, "usel", g->usel.data ? g->usel.data : "");
	cm_var(v, "rsel", g->rsel.data ? g->rsel.data : "");
	cm_var(v, "rcomma", g->rsel.len ? "," : "");
	cm_var(v, "req", p->requests_metric ? p->requests_metric : "");
	cm_var(v, "lat", p->latency_metric ? p->latency_metric : "");
	cm_var(v, "service", pl->service);
	cm_var(v, "environment", pl->environment);
	cm_var(v, "window", pl->window);
	cm_var(v, "size", pl->size);
	cm_var(v, "mem", gdec(g, pl->memory_bytes));
	cm_var(v, "memwarn", gdec(g, pl->memory_warning));
	cm_var(v, "cpu", gdec(g, pl->cpu_cores));
	cm_var(v, "cpuwarn", gdec(g, pl->cpu_warning));
	/* Recorded series: by spec.service (and the namespace). */
	if (pl->namespace_ &&
	    (cm_buf_adds(&b, "namespace=") < 0 ||
	     cm_promql_quote(&b, pl->namespace_) < 0 || cm_buf_adds(&b, ",") < 0))
		g->ob.oom = 1;
	if (cm_buf_adds(&b, "service=") < 0 || cm_promql_quote(&b, pl->service) < 0)
		g->ob.oom = 1;
	cm_var(v, "k", cm_ob_dup(&g->ob, b.data));
	/* Errors: the service's series and the error matchers. */
	cm_buf_reset(&b);
	if (cm_promql_selector(&b, &p->selector, pl, NULL) < 0 ||
	    (b.len && p->errors.n && cm_buf_adds(&b, ",") < 0) ||
	    cm_promql_selector(&b, &p->errors, pl, NULL) < 0)
		g->ob.oom = 1;
	cm_var(v, "esel", cm_ob_dup(&g->ob, b.data));
	/* Jobs of a CronJob are named <name>-<schedule time>. */
	cm_buf_reset(&b);
	if (pl->namespace_ &&
	    (cm_buf_adds(&b, "namespace=") < 0 ||
	     cm_promql_quote(&b, pl->namespace_) < 0 || cm_buf_adds(&b, ",") < 0))
		g->ob.oom = 1;
	if (cm_buf_addf(&b, "job_name=~") < 0)
		g->ob.oom = 1;
	{
		cm_buf re;

		cm_buf_init(&re, CM_PROMQL_MAX);
		for (const char *c = pl->workload_name ? pl->workload_name
					       : pl->service; *c; c++)
			if ((strchr(".+*?()[]{}|^$\\", *c) && cm_buf_add(&re, "\\", 1) < 0) ||
			    cm_buf_add(&re, c, 1) < 0)
				g->ob.oom = 1;
		if (cm_buf_adds(&re, "(-[0-9]+)?") < 0 ||
		    cm_promql_quote(&b, re.data ? re.data : "") < 0)
			g->ob.oom = 1;
		cm_buf_free(&re);
	}
	cm_var(v, "jsel", cm_ob_dup(&g->ob, b.data));
	/* The SLI's series are missing while the targets are up. */
	cm_buf_reset(&b);
	if (pl->latency.on
		    ? cm_buf_addf(&b, "(absent(%s{%s}) or absent(%s_bucket{%s}))",
				  p->requests_metric ? p->requests_metric : "",
				  g->sel.data ? g->sel.data : "",
				  p->latency_metric ? p->latency_metric : "",
				  g->sel.data ? g->sel.data : "") < 0
		    : cm_buf_addf(&b, "absent(%s{%s})",
				  p->requests_metric ? p->requests_metric : "",
				  g->sel.data ? g->sel.data : "") < 0)
		g->ob.oom = 1;
	if (cm_buf_addf(&b, " and on () (sum(up{%s}) > 0)",
			g->usel.data ? g->usel.data : "") < 0)
		g->ob.oom = 1;
	cm_var(v, "absent", cm_ob_dup(&g->ob, b.data));
	cm_var(v, "missing",
	       pl->latency.on
		       ? cm_ob_fmt(&g->ob, "%s or %s_bucket",
			      p->requests_metric ? p->requests_metric : "",
			      p->latency_metric ? p->latency_metric : "")
		       : cm_ob_fmt(&g->ob, "%s", p->requests_metric ? p->requests_metric : ""));
	cm_buf_free(&b);
}

static cm_node gen_rule_object(cm_gen *g, const char *suffix,
			       const char *group, cm_node rules)
{
	cm_node pr = gobject(g, "monitoring.coreos.com/v1", "PrometheusRule",
			     cm_ob_fmt(&g->ob, "%s-%s", g->plan.service, suffix));

	cm_ob_rule_group(&g->ob, &pr, group, rules);
	return pr;
}

/* ---- Dynatrace ---- */

static cm_node gen_dynatrace(cm_gen *g)
{
	const cm_mon_plan *pl = &g->plan;
	cm_node cm = gobject(g, "v1", "ConfigMap",
			     cm_ob_fmt(&g->ob, "%s-dynatrace-config", pl->service));
	cm_node data = cm_map_new(), v;
	json_t *o = json_object(), *md = json_object(), *mon = json_object();
	json_t *tech = json_array(), *attrs = json_array(), *slo = json_object();
	char num[CM_DEC_BUFSZ], *s = NULL;
	size_t i, n;

	if (!o || !md || !mon || !tech || !attrs || !slo) {
		g->ob.oom = 1;
		goto out;
	}
	json_object_set_new(md, "name", json_string(pl->service));
	json_object_set_new(md, "environment", json_string(pl->environment));
	json_object_set_new(md, "team", json_string(pl->team));
	if (pl->namespace_)
		json_object_set_new(md, "namespace", json_string(pl->namespace_));
	for (i = 0; i < pl->profile.n_technologies; i++)
		json_array_append_new(tech, json_string(pl->profile.technologies[i]));
	for (i = 0; i < pl->profile.n_request_attributes; i++)
		json_array_append_new(attrs,
				      json_string(pl->profile.request_attributes[i]));
	json_object_set(mon, "technologies", tech);
	json_object_set(mon, "requestAttributes", attrs);
	if (pl->availability.on)
		json_object_set_new(slo, "availability",
				    json_string(cm_dec_format(pl->availability.objective, num)));
	if (pl->error_rate.on)
		json_object_set_new(slo, "errorRate",
				    json_string(cm_dec_format(pl->error_rate.objective, num)));
	if (pl->latency.on)
		json_object_set_new(slo, "latencyP95ms",
				    json_string(cm_dec_format(pl->latency.objective, num)));
	json_object_set(o, "metadata", md);
	json_object_set(o, "monitoring", mon);
	json_object_set(o, "slo", slo);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s) {
		g->ob.oom = 1;
		goto out;
	}
	n = strlen(s);
	{
		char *text = cm_arena_alloc(g->ob.a, n + 2);

		if (!text) {
			g->ob.oom = 1;
			goto out;
		}
		memcpy(text, s, n);
		text[n] = '\n';
		text[n + 1] = '\0';
		memset(&v, 0, sizeof(v));
		v.kind = CM_SCALAR;
		v.style = CM_STYLE_LITERAL;
		v.len = (uint32_t)(n + 1);
		v.u.str = text;
	}
	cm_ob_put(&g->ob, &data, "application.json", v);
	cm_ob_put(&g->ob, &cm, "data", data);
out:
	free(s);
	json_decref(slo);
	json_decref(attrs);
	json_decref(tech);
	json_decref(mon);
	json_decref(md);
	json_decref(o);
	return cm;
}

/* ---- putting them in the list ---- */

/* Put obj into the items of ix (see object.h). */
static void gupsert(cm_gen *g, cm_index *ix, cm_node obj)
{
	if (!g->ob.oom && cm_gen_upsert(g->ob.a, ix, obj) < 0)
		g->ob.oom = 1;
}

/* ---- putting them together ---- */

int cm_generate_monitoring(cm_arena *a, const cm_config *cfg,
			   const cm_catalog *cat, cm_index *ix,
			   const cm_label_set *ls, cm_diags *diags)
{
	const cm_node *wl;
	const char *ns;
	cm_node gen = cm_seq_new(), recs = cm_seq_new(), alerts = cm_seq_new();
	cm_gen g;
	cm_vars v;
	size_t i;
	int rc = -1, bad = 0;

	if (!cfg->monitoring_profile || !*cfg->monitoring_profile)
		return 0;
	memset(&g, 0, sizeof(g));
	memset(&v, 0, sizeof(v));
	g.ob.a = a;
	g.diags = diags;
	g.cfg = cfg;
	cm_buf_init(&g.sel, CM_PROMQL_MAX);
	cm_buf_init(&g.rsel, CM_PROMQL_MAX);
	cm_buf_init(&g.usel, CM_PROMQL_MAX);

	wl = cm_find_workload(ix, cfg->service);
	ns = cfg->namespace_ && *cfg->namespace_ ? cfg->namespace_
	     : wl ? cm_map_str(wl, "metadata.namespace") : NULL;
	if (cm_mon_expand(a, cfg, cat, ns, ix, &g.plan, diags) < 0)
		goto out;
	if (!ns && g.plan.prometheus &&
	    (g.plan.profile.has_traffic || g.plan.profile.has_resources ||
	     g.plan.profile.has_endpoint)) {
		cm_where w = cfg->where;

		cm_diag_add(diags, CM_SEV_WARNING, &w,
			    "no namespace is known for %s, so the monitoring "
			    "objects have none and their rules match the service "
			    "in every namespace; set %s or give the "
			    "workload a namespace",
			    cfg->service,
			    cfg->form == CM_CONFIG_CONFIGMAP ? "data.namespace"
							     : "spec.namespace");
	}
	if (cm_promql_selector(&g.sel, &g.plan.profile.selector, &g.plan, NULL) < 0 ||
	    cm_promql_selector(&g.rsel, &g.plan.profile.res_selector, &g.plan,
			       NULL) < 0 ||
	    cm_promql_selector(&g.usel, &g.plan.profile.up_selector, &g.plan,
			       NULL) < 0)
		g.ob.oom = 1;

	if (g.plan.prometheus && g.plan.profile.has_endpoint)
		cm_ob_push(&g.ob, &gen, gen_service_monitor(&g, ls, &bad));
	if (bad)
		goto out;
	if (g.plan.prometheus) {
		char group[300];
		size_t k;

		snprintf(group, sizeof(group), "%s", g.plan.service);
		for (k = 0; group[k]; k++)
			if (group[k] == '-')
				group[k] = '_';
		gen_vars(&g, &v);
		gen_records(&g, &v, &recs);
		gen_alerts(&g, &v, &alerts);
		if (recs.len)
			cm_ob_push(&g.ob, &gen, gen_rule_object(&g, "recording-rules",
							cm_ob_fmt(&g.ob, "%s_recording", group),
							recs));
		if (alerts.len)
			cm_ob_push(&g.ob, &gen, gen_rule_object(&g, "alert-rules",
							cm_ob_fmt(&g.ob, "%s_alerts", group),
							alerts));
	}
	if (g.plan.dynatrace) {
		if (g.plan.profile.has_dynatrace) {
			cm_ob_push(&g.ob, &gen, gen_dynatrace(&g));
		} else {
			cm_where w = cfg->where;

			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s is true but "
				    "monitoring profile \"%s\" has no dynatrace "
				    "settings, so no Dynatrace ConfigMap can be "
				    "generated; set dynatrace: false or add "
				    "spec.dynatrace to the profile",
				    cfg->form == CM_CONFIG_CONFIGMAP
					    ? "data.dynatrace"
					    : "spec.monitoring.dynatrace",
				    g.plan.profile.name);
			goto out;
		}
	}
	{
		cm_dash_plan dash;

		if (cm_dash_expand(a, cfg, cat, &g.plan, &dash, diags) < 0 ||
		    cm_generate_dashboard(a, &g.plan, &dash, ix, &gen,
					  diags) < 0)
			goto out;
	}
	if (g.ob.oom)
		goto oom;
	if (cm_labels_apply(a, &gen, NULL, ls, diags) < 0)
		goto out;
	for (i = 0; i < gen.len; i++)
		gupsert(&g, ix, gen.u.kids[i]);
	if (g.ob.oom)
		goto oom;
	rc = 0;
	goto out;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while generating monitoring objects");
out:
	cm_buf_free(&g.sel);
	cm_buf_free(&g.rsel);
	cm_buf_free(&g.usel);
	return rc;
}
