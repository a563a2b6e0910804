/* budget.c - see budget.h for the contract. */
#include "budget.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/item.h"
#include "../expand/monitoring.h"
#include "object.h"

#define CM_BUDGET_PROMQL_MAX ((size_t)64 * 1024)

/*
 * One part of a pod's hourly cost as OpenCost exports it: the
 * allocation series (per container or per claim), divided by div to
 * reach the price's unit, times the price series joined on `on`.
 */
typedef struct cm_cost_part {
	const char *what;
	const char *allocation; /* metric with namespace and pod labels */
	const char *div;        /* divisor to the price's unit, or NULL */
	const char *price;      /* hourly price metric */
	const char *on;         /* join label of allocation and price */
} cm_cost_part;

static const cm_cost_part cm_cost_parts[] = {
	{"cpu", "container_cpu_allocation", NULL, "node_cpu_hourly_cost", "node"},
	{"memory", "container_memory_allocation_bytes", "1073741824",
	 "node_ram_hourly_cost", "node"},
	{"gpu", "container_gpu_allocation", NULL, "node_gpu_hourly_cost", "node"},
	{"storage", "pod_pvc_allocation", "1073741824", "pv_hourly_cost",
	 "persistentvolume"},
};

#define CM_HOURLY_RECORD "costmon:budget_hourly_cost:sum"

/*
 * The rules of the group, in order: the recorded hourly cost, one
 * projected-spend alert per alert rule of the profile (expanded in
 * cm_budget_rules), and the check that kube-state-metrics exports the
 * service label.
 */
typedef struct cm_budget_rule_shape {
	const char *name;    /* record name or alert name ("%s": CamelCase
			      * alert rule name) */
	const char *expr;    /* printf: selector of the record, hours,
			      * amount (see cm_budget_rules) */
	const char *for_;
	const char *summary; /* printf: budget, alert rule name */
	const char *description;
} cm_budget_rule_shape;

/*
 * Projected spend: the recorded hourly cost averaged over the last 24
 * hours, times the hours in the period. The record is 0 while the
 * service has no pods, so a Job that runs 2 of 24 hours is projected at
 * a twelfth of its running cost; a steady service's projection moves
 * within hours of a cost change, and one younger than a day is projected
 * from the samples since its rule was loaded.
 */
static const cm_budget_rule_shape cm_projected_alert = {
	"CostBudget%s",
	"avg_over_time(" CM_HOURLY_RECORD "{%s}[1d]) * %d > %s",
	"30m",
	"Projected spend of budget %s is above its %s threshold",
	"At the average hourly cost of the last 24 hours (hours without "
	"pods count 0), {{ $labels.budget }} "
	"spends {{ $value | printf \"%%.2f\" }} %s this %s period, above "
	"%s %s (%s%% of the %s %s budget).",
};

static const cm_budget_rule_shape cm_labels_alert = {
	"CostBudgetServiceLabelNotExported",
	"count(kube_pod_labels{%s}) > 0 unless count(kube_pod_labels{%s%s%s!=\"\"}) > 0",
	"1h",
	"kube-state-metrics does not export the pod label %s",
	"Pods run in the namespace but kube_pod_labels has no %s, so the "
	"budget alerts of %s see no spend. Add pods=[%s] to "
	"kube-state-metrics' --metric-labels-allowlist.",
};

typedef struct cm_bgen {
	cm_ob ob; /* arena and sticky out-of-memory flag */
	cm_diags *diags;
	const cm_config *cfg;
	const cm_cost_plan *plan;
	const cm_node *extra_labels; /* the monitoring profile's, or NULL */
	const char *ns;
	cm_buf expr;
} cm_bgen;

static void badd(cm_bgen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void badd(cm_bgen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cm_buf_vaddf(&g->expr, fmt, ap) < 0)
		g->ob.oom = 1;
	va_end(ap);
}

/* label=<quoted value> appended to the scratch buffer. */
static void bmatch(cm_bgen *g, const char *label, const char *value)
{
	badd(g, "%s=", label);
	if (cm_promql_quote(&g->expr, value) < 0)
		g->ob.oom = 1;
}

/* The scratch buffer's text in the arena; the buffer is emptied. */
static const char *btake(cm_bgen *g)
{
	const char *s = cm_ob_dup(&g->ob, g->expr.data);

	cm_buf_reset(&g->expr);
	return s;
}

/* metadata with name, namespace and the monitoring profile's labels. */
static cm_node bmeta(cm_bgen *g, const char *name)
{
	cm_node md = cm_map_new(), lab = cm_map_new();
	const cm_node *src = g->extra_labels;
	uint32_t i;

	cm_ob_puts(&g->ob, &md, "name", name);
	if (g->ns)
		cm_ob_puts(&g->ob, &md, "namespace", g->ns);
	for (i = 0; src && i < src->len; i++)
		if (src->u.kids[2 * i].kind == CM_SCALAR &&
		    src->u.kids[2 * i + 1].kind == CM_SCALAR)
			cm_ob_puts(&g->ob, &lab, src->u.kids[2 * i].u.str,
			      src->u.kids[2 * i + 1].u.str);
	if (lab.len)
		cm_ob_put(&g->ob, &md, "labels", lab);
	return md;
}

/* ---- the record ---- */

static cm_node gen_record(cm_bgen *g, const cm_label_set *ls)
{
	static const int ids[] = {CM_LABEL_SERVICE, CM_LABEL_ENVIRONMENT,
				  CM_LABEL_REGION};
	const char *keys[3], *values[3];
	cm_node cm = cm_map_new(), md = bmeta(g, cm_ob_fmt(&g->ob, "%s-budget",
						      g->plan->service));
	cm_node data = cm_map_new(), *lab, v;
	size_t i, j, n = 0;
	const char *json;
	bool local = g->cfg->cost.budget_record &&
		     !strcmp(g->cfg->cost.budget_record, "local");

	/* The filters: the keys the service's objects carry. A shared
	 * budget covers every region: no region filter. */
	for (i = 0; i < 3; i++) {
		if (ids[i] == CM_LABEL_REGION &&
		    !strcmp(g->plan->profile.scope, "shared"))
			continue;
		for (j = 0; j < ls->n_meta; j++)
			if (ls->meta[j].id == ids[i])
				break;
		if (j < ls->n_meta) {
			keys[n] = ls->meta[j].key;
			values[n++] = ls->meta[j].value;
			continue;
		}
		for (j = 0; j < ls->n_preset_meta; j++)
			if (ls->preset_meta[j].id == ids[i])
				break;
		if (j < ls->n_preset_meta) {
			keys[n] = ls->preset_meta[j].key;
			values[n++] = ls->preset_meta[j].value;
		}
	}
	json = cm_cost_record_json(g->ob.a, g->plan, keys, values, n);
	if (!json) {
		g->ob.oom = 1;
		return cm;
	}
	cm_ob_puts(&g->ob, &cm, "apiVersion", "v1");
	cm_ob_puts(&g->ob, &cm, "kind", "ConfigMap");
	if (!cm_map_get(&md, "labels"))
		cm_ob_put(&g->ob, &md, "labels", cm_map_new());
	lab = cm_map_get(&md, "labels");
	if (lab)
		cm_ob_puts(&g->ob, lab, CM_RECORD_LABEL, CM_RECORD_LABEL_VALUE);
	if (local) {
		cm_node ann = cm_map_new();

		cm_ob_puts(&g->ob, &ann, "config.kubernetes.io/local-config", "true");
		cm_ob_put(&g->ob, &md, "annotations", ann);
	}
	cm_ob_put(&g->ob, &cm, "metadata", md);
	v = cm_ob_str(&g->ob, json);
	cm_ob_put(&g->ob, &data, CM_RECORD_DATA_KEY, v);
	cm_ob_put(&g->ob, &cm, "data", data);
	return cm;
}

/* ---- the alerts ---- */

/* kube-state-metrics' name for the pod label key: label_ and the key
 * with every character outside [a-zA-Z0-9_] made '_'. */
static const char *ksm_label(cm_bgen *g, const char *key)
{
	char buf[400];
	size_t i, n = strlen(key);

	if (n + 7 > sizeof(buf))
		n = sizeof(buf) - 7;
	memcpy(buf, "label_", 6);
	for (i = 0; i < n; i++) {
		char c = key[i];

		buf[6 + i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_')
				     ? c
				     : '_';
	}
	buf[6 + n] = '\0';
	return cm_ob_fmt(&g->ob, "%s", buf);
}

/* "warning-80" -> "Warning80": letters and digits, each run after a
 * separator capitalised. */
static const char *camel(cm_bgen *g, const char *s, size_t index)
{
	char buf[128];
	size_t n = 0;
	int up = 1;

	for (; *s && n + 1 < sizeof(buf); s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9'))) {
			up = 1;
			continue;
		}
		buf[n++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
		up = 0;
	}
	buf[n] = '\0';
	return n ? cm_ob_fmt(&g->ob, "%s", buf) : cm_ob_fmt(&g->ob, "Rule%zu", index + 1);
}

/* The hourly cost of the service's pods, as PromQL. */
static const char *hourly_expr(cm_bgen *g, const char *svc_label)
{
	size_t i;

	for (i = 0; i < sizeof(cm_cost_parts) / sizeof(cm_cost_parts[0]); i++) {
		const cm_cost_part *p = &cm_cost_parts[i];

		badd(g, "%s(sum(\n    sum by (namespace, pod, %s) (%s{", i ? "\n+ " : "",
		     p->on, p->allocation);
		if (g->ns)
			bmatch(g, "namespace", g->ns);
		badd(g, "})%s%s\n    * on (%s) group_left () max by (%s) (%s)\n",
		     p->div ? " / " : "", p->div ? p->div : "", p->on, p->on,
		     p->price);
		badd(g, "    * on (namespace, pod) group_left () max by (namespace, pod) (kube_pod_labels{");
		if (g->ns) {
			bmatch(g, "namespace", g->ns);
			badd(g, ",");
		}
		bmatch(g, svc_label, g->cfg->service);
		badd(g, "})\n  ) or vector(0))");
	}
	return btake(g);
}

static void gen_rule(cm_bgen *g, cm_node *rules, const char *kind,
		     const char *name, const char *expr, const char *for_,
		     cm_node labels, const char *summary,
		     const char *description)
{
	cm_node r = cm_map_new();

	cm_ob_puts(&g->ob, &r, kind, name);
	cm_ob_puts(&g->ob, &r, "expr", expr);
	if (for_)
		cm_ob_puts(&g->ob, &r, "for", for_);
	if (labels.kind == CM_MAP && labels.len)
		cm_ob_put(&g->ob, &r, "labels", labels);
	if (summary) {
		cm_node ann = cm_map_new();

		cm_ob_puts(&g->ob, &ann, "summary", summary);
		cm_ob_puts(&g->ob, &ann, "description", description);
		cm_ob_put(&g->ob, &r, "annotations", ann);
	}
	cm_ob_push(&g->ob, rules, r);
}

/* The labels of the budget series and alerts. */
static cm_node budget_labels(cm_bgen *g, const char *budget)
{
	cm_node l = cm_map_new();

	cm_ob_puts(&g->ob, &l, "budget", budget);
	cm_ob_puts(&g->ob, &l, "service", g->plan->service);
	cm_ob_puts(&g->ob, &l, "environment", g->plan->environment);
	if (g->plan->region && *g->plan->region)
		cm_ob_puts(&g->ob, &l, "region", g->plan->region);
	if (g->ns)
		cm_ob_puts(&g->ob, &l, "namespace", g->ns);
	return l;
}

static cm_node gen_alert_rules(cm_bgen *g, const char *svc_key)
{
	const cm_cost_plan *p = g->plan;
	const char *svc_label = ksm_label(g, svc_key);
	cm_node pr = cm_map_new(), rules = cm_seq_new();
	char budget[512], group[300], num[CM_DEC_BUFSZ], thr[CM_DEC_BUFSZ];
	char total[CM_DEC_BUFSZ];
	const char *sel, *nssel;
	int hours = cm_cost_period_hours(p->profile.period);
	size_t i, c, k;

	cm_cost_budget_name(p, budget, sizeof(budget));
	cm_dec_format(p->amount, total);
	snprintf(group, sizeof(group), "%s_budget", p->service);
	for (k = 0; group[k]; k++)
		if (group[k] == '-')
			group[k] = '_';
	bmatch(g, "budget", budget);
	sel = btake(g);
	if (g->ns)
		bmatch(g, "namespace", g->ns);
	nssel = btake(g);

	gen_rule(g, &rules, "record", CM_HOURLY_RECORD, hourly_expr(g, svc_label),
		 NULL, budget_labels(g, budget), NULL, NULL);
	for (i = 0; i < p->n_alerts; i++) {
		const cm_cost_alert *al = &p->alerts[i];
		const cm_budget_rule_shape *s = &cm_projected_alert;
		cm_node lab = budget_labels(g, budget);

		cm_ob_puts(&g->ob, &lab, "severity", al->severity);
		cm_ob_puts(&g->ob, &lab, "team", p->team);
		cm_ob_puts(&g->ob, &lab, "budget_alert", al->name);
		cm_ob_puts(&g->ob, &lab, "period", p->profile.period);
		for (c = 0; c < CM_CH_COUNT; c++) {
			if (!al->n_channels[c])
				continue;
			for (k = 0; k < al->n_channels[c]; k++)
				badd(g, "%s%s", k ? "," : "", al->channels[c][k]);
			cm_ob_puts(&g->ob, &lab,
				   cm_ob_fmt(&g->ob, "channel_%s", cm_channel_names[c]),
				   btake(g));
		}
		cm_dec_format(al->amount, num);
		cm_dec_format(al->threshold, thr);
		gen_rule(g, &rules, "alert",
			 cm_ob_fmt(&g->ob, s->name, camel(g, al->name, i)),
			 cm_ob_fmt(&g->ob, s->expr, sel, hours, num), s->for_, lab,
			 cm_ob_fmt(&g->ob, s->summary, budget, al->name),
			 cm_ob_fmt(&g->ob, s->description, p->profile.currency,
			      p->profile.period, num, p->profile.currency, thr,
			      total, p->profile.currency));
	}
	{
		const cm_budget_rule_shape *s = &cm_labels_alert;
		cm_node lab = budget_labels(g, budget);

		cm_ob_puts(&g->ob, &lab, "severity", "warning");
		cm_ob_puts(&g->ob, &lab, "team", p->team);
		gen_rule(g, &rules, "alert", s->name,
			 cm_ob_fmt(&g->ob, s->expr, nssel, nssel, *nssel ? "," : "",
			      svc_label),
			 s->for_, lab,
			 cm_ob_fmt(&g->ob, s->summary, svc_key),
			 cm_ob_fmt(&g->ob, s->description, svc_label, budget, svc_key));
	}
	cm_ob_puts(&g->ob, &pr, "apiVersion", "monitoring.coreos.com/v1");
	cm_ob_puts(&g->ob, &pr, "kind", "PrometheusRule");
	cm_ob_put(&g->ob, &pr, "metadata",
		  bmeta(g, cm_ob_fmt(&g->ob, "%s-budget-alerts", p->service)));
	cm_ob_rule_group(&g->ob, &pr, group, rules);
	return pr;
}

int cm_generate_budget(cm_arena *a, const cm_config *cfg,
		       const cm_catalog *cat, const cm_cost_plan *plan,
		       cm_index *ix, const cm_label_set *ls,
		       cm_diags *diags)
{
	const cm_catalog_entry *mon = NULL;
	const cm_node *wl;
	cm_node gen = cm_seq_new();
	cm_bgen g;
	cm_where w = cfg->where;
	char path[128];
	size_t i;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	g.ob.a = a;
	g.diags = diags;
	g.cfg = cfg;
	g.plan = plan;
	cm_buf_init(&g.expr, CM_BUDGET_PROMQL_MAX);

	if (cfg->cost.budget_record && strcmp(cfg->cost.budget_record, "cluster") &&
	    strcmp(cfg->cost.budget_record, "local")) {
		w.field_path = cm_config_path(cfg, "cost.budgetRecord",
					      "budgetRecord", path, sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%s \"%s\" is not a budget record mode; use cluster "
			    "(ConfigMap %s-budget is applied, so in-cluster "
			    "tools and `krm-fn report` on the build output see "
			    "it) or local (marked local-config: kept out of "
			    "the cluster and of kustomize's output)",
			    w.field_path, cfg->cost.budget_record, cfg->service);
		goto out;
	}
	wl = cm_find_workload(ix, cfg->service);
	g.ns = cfg->namespace_ && *cfg->namespace_ ? cfg->namespace_
	       : wl ? cm_map_str(wl, "metadata.namespace") : NULL;
	if (cfg->monitoring_profile && *cfg->monitoring_profile)
		mon = cm_catalog_find(cat, "MonitoringProfile",
				      cfg->monitoring_profile);
	if (mon) {
		const cm_node *l = cm_map_path(mon->node, "spec.labels");

		g.extra_labels = l && l->kind == CM_MAP ? l : NULL;
	}

	cm_ob_push(&g.ob, &gen, gen_record(&g, ls));
	if (plan->profile.prometheus_alerts && cfg->prometheus != 0 &&
	    plan->n_alerts) {
		const char *svc_key = cm_labels_pod_key(ls, CM_LABEL_SERVICE);

		if (!svc_key) {
			w.field_path = cm_config_path(cfg, "labels",
						      "podLabelsOmit", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "the budget alerts of cost profile \"%s\" "
				    "find the service's pods by its service "
				    "label, but pod templates do not get it; "
				    "remove service from %s, or set "
				    "prometheusAlerts: false in the cost "
				    "profile",
				    plan->profile.name,
				    cfg->form == CM_CONFIG_CONFIGMAP
					    ? "data.labelsOmit and "
					      "data.podLabelsOmit"
					    : "labels.omit and "
					      "labels.podTemplate.omit");
			goto out;
		}
		if (!g.ns)
			cm_diag_add(diags, CM_SEV_WARNING, &w,
				    "no namespace is known for %s, so its budget "
				    "alerts count the pods labelled with the "
				    "service in every namespace (another "
				    "environment in the same cluster too); set "
				    "%s or give the workload a namespace",
				    cfg->service,
				    cfg->form == CM_CONFIG_CONFIGMAP
					    ? "data.namespace"
					    : "spec.namespace");
		cm_ob_push(&g.ob, &gen, gen_alert_rules(&g, svc_key));
	}
	if (g.ob.oom)
		goto oom;
	if (cm_labels_apply(a, &gen, NULL, ls, diags) < 0)
		goto out;
	for (i = 0; i < gen.len; i++)
		if (cm_gen_upsert(a, ix, gen.u.kids[i]) < 0)
			goto oom;
	rc = 0;
	goto out;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while generating the budget objects");
out:
	cm_buf_free(&g.expr);
	return rc;
}
