/* dashboard.c - see dashboard.h for the contract. */
#include "dashboard.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/item.h"
#include "object.h"

#define CM_DASH_TEXT_MAX ((size_t)1 << 20) /* one query or title */

/* ---- the panels ---- */

/* What a panel needs from the plan; a panel whose needs are not met is
 * left out. CM_NEED_SLO makes one panel per SLO that is on. */
enum {
	CM_NEED_SLO = 1,
	CM_NEED_TRAFFIC = 2,
	CM_NEED_LATENCY = 4, /* the latency SLO is on */
	CM_NEED_RESOURCES = 8,
};

/* Where a panel's thresholds come from (all from the plan). */
typedef enum cm_th_src {
	CM_TH_NONE = 0,   /* green only */
	CM_TH_OBJECTIVE,  /* red below the SLO's objective (good ratio) */
	CM_TH_BUDGET,     /* red below 0 (overspent), orange below 25 % */
	CM_TH_BURN,       /* orange at the 1d ticket, red at the 1h page factor */
	CM_TH_ERROR_SLO,  /* red above the error-rate objective */
	CM_TH_LATENCY_SLO, /* red above the latency objective (seconds) */
	CM_TH_MEMORY,     /* orange at the warning level, red at the limit */
	CM_TH_CPU,        /* the same for CPU cores */
	CM_TH_FIRING,     /* red from one firing alert */
} cm_th_src;

typedef struct cm_query_def {
	const char *expr, *legend;
} cm_query_def;

/*
 * Text templates: @sel is the matchers of the service's recorded series
 * (namespace, service), @rsel the matchers of its pods plus the pod
 * variable, @slo the SLO's slo label, @window the SLO window, @longN and
 * @factorN the long window and burn-rate factor of the plan's alert N
 * (0: 1h ... 3: 3d), @severityN its severity in this environment
 * ("no alert" when it could never fire and is not generated),
 * @target the SLO's good ratio, @budget its error budget, @objective the
 * objective as written.
 */
typedef struct cm_panel_def {
	const char *row;
	const char *title;
	const char *type; /* timeseries, stat, gauge */
	const char *unit; /* Grafana unit id */
	unsigned needs;   /* CM_NEED_* */
	cm_th_src th;
	int w, h;
	const char *description;
	cm_query_def q[4];
} cm_panel_def;

#define SLI CM_REC_SLI
#define SLO_SEL "{@sel,slo=\"@slo\"}"

static const cm_panel_def cm_panels[] = {
	{"Overview", "SLO compliance: @slo (@window)", "stat", "percentunit",
	 CM_NEED_SLO, CM_TH_OBJECTIVE, 4, 5,
	 "Good share of the @slo SLI over the whole @window SLO window "
	 "(recording rule " SLI "@window); red below the objective @target.",
	 {{"1 - " SLI "@window" SLO_SEL, "@slo"}}},
	{"Overview", "Error budget remaining: @slo", "gauge", "percentunit",
	 CM_NEED_SLO, CM_TH_BUDGET, 4, 5,
	 "Share of the @slo error budget (@budget of events over @window) "
	 "still unspent (recording rule " CM_REC_REMAINING "): 100 % intact, "
	 "0 % spent, below 0 overspent.",
	 {{CM_REC_REMAINING SLO_SEL, "@slo"}}},
	{"Overview", "Burn rate: @slo", "timeseries", "suffix:x", CM_NEED_SLO,
	 CM_TH_BURN, 8, 8,
	 "How fast the @slo error budget burns (1x spends it exactly in "
	 "@window), over the long window of each burn-rate alert; each "
	 "alert fires when its long and short windows both burn faster than "
	 "its factor. The lines are the factors of the @long0 alert "
	 "(@severity0, @factor0x) and of the @long2 alert (@severity2, "
	 "@factor2x).",
	 {{SLI "@long0" SLO_SEL " / " CM_REC_BUDGET SLO_SEL,
	   "@long0 (@severity0 above @factor0x)"},
	  {SLI "@long1" SLO_SEL " / " CM_REC_BUDGET SLO_SEL,
	   "@long1 (@severity1 above @factor1x)"},
	  {SLI "@long2" SLO_SEL " / " CM_REC_BUDGET SLO_SEL,
	   "@long2 (@severity2 above @factor2x)"},
	  {SLI "@long3" SLO_SEL " / " CM_REC_BUDGET SLO_SEL,
	   "@long3 (@severity3 above @factor3x)"}}},
	{"Overview", "Firing alerts", "stat", "none", 0, CM_TH_FIRING, 24, 4,
	 "Alerts of this service firing now (Prometheus' ALERTS series of "
	 "the generated alerting rules).",
	 {{"count(ALERTS{alertstate=\"firing\",@sel}) or vector(0)", "firing"}}},

	{"Traffic", "Request rate", "timeseries", "reqps", CM_NEED_TRAFFIC,
	 CM_TH_NONE, 8, 8,
	 "Requests per second over 5 minutes (recording rule "
	 CM_REC_REQUESTS ").",
	 {{CM_REC_REQUESTS "{@sel}", "requests"}}},
	{"Traffic", "Error rate", "timeseries", "percentunit", CM_NEED_TRAFFIC,
	 CM_TH_ERROR_SLO, 8, 8,
	 "Share of failed requests over 5 minutes (recording rules "
	 CM_REC_ERRORS " and " CM_REC_REQUESTS "; 0 while no request has "
	 "failed); the line is the error-rate objective.",
	 {{"(" CM_REC_ERRORS "{@sel} or 0 * " CM_REC_REQUESTS "{@sel}) / "
	   CM_REC_REQUESTS "{@sel}",
	   "errors"}}},
	{"Traffic", "Latency p50 / p95 / p99", "timeseries", "s",
	 CM_NEED_LATENCY, CM_TH_LATENCY_SLO, 8, 8,
	 "Request latency quantiles over 5 minutes from the histogram "
	 "(recording rule " CM_REC_QUANTILE "); the line is the latency "
	 "objective.",
	 {{CM_REC_QUANTILE "{@sel,quantile=\"0.5\"}", "p50"},
	  {CM_REC_QUANTILE "{@sel,quantile=\"0.95\"}", "p95"},
	  {CM_REC_QUANTILE "{@sel,quantile=\"0.99\"}", "p99"}}},

	{"Resources", "Memory per container", "timeseries", "bytes",
	 CM_NEED_RESOURCES, CM_TH_MEMORY, 8, 8,
	 "Working set of each container (cAdvisor), as the memory alerts "
	 "measure it; the lines are their warning level and threshold.",
	 {{"max by (pod, container) (container_memory_working_set_bytes{@rsel})",
	   "{{pod}} {{container}}"}}},
	{"Resources", "CPU per container", "timeseries", "suffix: cores",
	 CM_NEED_RESOURCES, CM_TH_CPU, 8, 8,
	 "CPU cores used by each container (cAdvisor); the lines are the "
	 "warning level and threshold of the CPU alerts.",
	 {{"sum by (pod, container) "
	   "(rate(container_cpu_usage_seconds_total{@rsel}[$__rate_interval]))",
	   "{{pod}} {{container}}"}}},
	{"Resources", "Container restarts", "timeseries", "none",
	 CM_NEED_RESOURCES, CM_TH_NONE, 8, 8,
	 "Restarts of each container (kube-state-metrics) per interval.",
	 {{"sum by (pod, container) "
	   "(increase(kube_pod_container_status_restarts_total{@rsel}"
	   "[$__rate_interval]))",
	   "{{pod}} {{container}}"}}},
};

#undef SLI
#undef SLO_SEL

/* ---- state ---- */

typedef struct cm_dgen {
	const cm_mon_plan *mon;
	const cm_dash_plan *dash;
	cm_diags *diags;
	int oom;
	int next_id, x, y, line_h; /* layout */
	char sel[4096];  /* recorded series: namespace="..",service=".." */
	char rsel[8192]; /* pods, with pod=~"$pod" */
	char pod_query[8192];
	const cm_slo *slo; /* the SLO of a per-SLO panel */
	const char *slo_label;
} cm_dgen;


/* The SLO of kind i (CM_SLO_*). */
static const cm_slo *cm_plan_slo(const cm_mon_plan *p, int i)
{
	return p->slos[i];
}

/* ---- JSON helpers (sticky out-of-memory flag) ---- */

static json_t *jnew(cm_dgen *g, json_t *v)
{
	if (!v)
		g->oom = 1;
	return v;
}

static void jset(cm_dgen *g, json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v) < 0)
		g->oom = 1;
}

static void jpush(cm_dgen *g, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) < 0)
		g->oom = 1;
}

/* An exact decimal as a JSON number (integers stay integers). */
static json_t *jdec(cm_dgen *g, cm_dec d)
{
	char t[CM_DEC_BUFSZ];

	cm_dec_format(d, t);
	if (cm_dec_is_int(d))
		return jnew(g, json_integer(strtoll(t, NULL, 10)));
	return jnew(g, json_real(strtod(t, NULL)));
}

/* ---- templates ---- */

/*
 * Fill the @words of template t into out (reset first): the longest
 * known word after each '@'. Unknown words stay as written. Returns out's text ("" when memory runs out).
 */
static const char *cm_fill_tpl(cm_dgen *g, cm_buf *out, const char *t)
{
	const cm_mon_plan *p = g->mon;
	char obj[CM_DEC_BUFSZ], tgt[CM_DEC_BUFSZ], bud[CM_DEC_BUFSZ];
	char longs[4][16], facs[4][CM_DEC_BUFSZ], sevs[4][32];
	const char *keys[40], *vals[40];
	size_t n = 0, i;

	if (g->slo) {
		cm_dec_format(g->slo->objective, obj);
		cm_dec_format(g->slo->target, tgt);
		cm_dec_format(g->slo->budget, bud);
	} else {
		obj[0] = tgt[0] = bud[0] = '\0';
	}
	keys[n] = "sel", vals[n++] = g->sel;
	keys[n] = "rsel", vals[n++] = g->rsel;
	keys[n] = "slo", vals[n++] = g->slo_label ? g->slo_label : "";
	keys[n] = "window", vals[n++] = p->window ? p->window : "";
	keys[n] = "objective", vals[n++] = obj;
	keys[n] = "target", vals[n++] = tgt;
	keys[n] = "budget", vals[n++] = bud;
	for (i = 0; i < 4; i++) {
		static const char *const lk[4] = {"long0", "long1", "long2", "long3"};
		static const char *const fk[4] = {"factor0", "factor1", "factor2",
						  "factor3"};
		static const char *const sk[4] = {"severity0", "severity1",
						  "severity2", "severity3"};

		snprintf(longs[i], sizeof(longs[i]), "%s", cm_burn_defs[i].long_w);
		facs[i][0] = sevs[i][0] = '\0';
		if (g->slo) {
			cm_dec_format(g->slo->burns[i].factor, facs[i]);
			/* An alert that could never fire is not generated. */
			snprintf(sevs[i], sizeof(sevs[i]), "%s",
				 g->slo->burns[i].possible
					 ? cm_mon_severity_of(p, g->slo->burns[i].cls)
					 : "no alert");
		}
		keys[n] = lk[i], vals[n++] = longs[i];
		keys[n] = fk[i], vals[n++] = facs[i];
		keys[n] = sk[i], vals[n++] = sevs[i];
	}
	cm_buf_reset(out);
	while (*t) {
		size_t k, best = n, blen = 0;

		/* the longest key after '@' ("@factor0x" is @factor0, "x") */
		for (k = 0; *t == '@' && k < n; k++) {
			size_t kl = strlen(keys[k]);

			if (kl > blen && !strncmp(t + 1, keys[k], kl)) {
				best = k;
				blen = kl;
			}
		}
		if (best < n) {
			if (cm_buf_adds(out, vals[best]) < 0)
				g->oom = 1;
			t += 1 + blen;
		} else {
			if (cm_buf_add(out, t, 1) < 0)
				g->oom = 1;
			t++;
		}
	}
	if (cm_buf_add(out, "", 0) < 0 || !out->data)
		g->oom = 1;
	return out->data ? out->data : "";
}

/*
 * A profile's panel text: {service} {namespace} {team} {environment}
 * filled in as written (they are Kubernetes names). Into out (reset).
 */
static const char *cm_fill_profile(cm_dgen *g, cm_buf *out, const char *t)
{
	cm_buf_reset(out);
	if (cm_mon_fill_text(out, t, g->mon, NULL) < 0 || !out->data)
		g->oom = 1;
	return out->data ? out->data : "";
}

/* ---- building panels ---- */

static json_t *cm_datasource(cm_dgen *g)
{
	json_t *ds = jnew(g, json_object());

	if (ds) {
		jset(g, ds, "type", json_string("prometheus"));
		jset(g, ds, "uid", json_string("${datasource}"));
	}
	return ds;
}

/* Place a panel of w x h on the grid (24 columns), left to right. */
static json_t *cm_grid(cm_dgen *g, int w, int h)
{
	json_t *pos = jnew(g, json_object());

	if (g->x + w > 24) {
		g->y += g->line_h;
		g->x = 0;
		g->line_h = 0;
	}
	if (pos) {
		jset(g, pos, "h", json_integer(h));
		jset(g, pos, "w", json_integer(w));
		jset(g, pos, "x", json_integer(g->x));
		jset(g, pos, "y", json_integer(g->y));
	}
	g->x += w;
	if (h > g->line_h)
		g->line_h = h;
	return pos;
}

static json_t *cm_row(cm_dgen *g, const char *title)
{
	json_t *r = jnew(g, json_object());

	if (g->x > 0) {
		g->y += g->line_h;
		g->x = 0;
		g->line_h = 0;
	}
	if (!r)
		return NULL;
	jset(g, r, "type", json_string("row"));
	jset(g, r, "id", json_integer(++g->next_id));
	jset(g, r, "title", json_string(title));
	jset(g, r, "collapsed", json_false());
	jset(g, r, "gridPos", cm_grid(g, 24, 1));
	jset(g, r, "panels", json_array());
	return r;
}

static void cm_step(cm_dgen *g, json_t *steps, const char *color,
		    const cm_dec *value)
{
	json_t *s = jnew(g, json_object());

	if (!s)
		return;
	jset(g, s, "color", json_string(color));
	jset(g, s, "value", value ? jdec(g, *value) : json_null());
	jpush(g, steps, s);
}

/* The thresholds of source th, from the plan. *lines says whether a
 * time series should draw them. */
static json_t *cm_thresholds(cm_dgen *g, cm_th_src th, int *lines)
{
	const cm_mon_plan *p = g->mon;
	json_t *t = jnew(g, json_object()), *steps = jnew(g, json_array());
	cm_dec v1, v2;

	*lines = 0;
	if (!t || !steps) {
		json_decref(t);
		json_decref(steps);
		return NULL;
	}
	jset(g, t, "mode", json_string("absolute"));
	switch (th) {
	case CM_TH_OBJECTIVE:
		v1 = g->slo->target;
		cm_step(g, steps, "red", NULL);
		cm_step(g, steps, "green", &v1);
		break;
	case CM_TH_BUDGET:
		v1 = cm_dec_int(0);
		cm_dec_parse("0.25", &v2);
		cm_step(g, steps, "red", NULL);
		cm_step(g, steps, "orange", &v1);
		cm_step(g, steps, "green", &v2);
		break;
	case CM_TH_BURN:
		*lines = 1;
		cm_step(g, steps, "green", NULL);
		cm_step(g, steps, "orange", &g->slo->burns[2].factor);
		cm_step(g, steps, "red", &g->slo->burns[0].factor);
		break;
	case CM_TH_ERROR_SLO:
	case CM_TH_LATENCY_SLO: {
		const cm_slo *s = th == CM_TH_ERROR_SLO ? &p->error_rate
							: &p->latency;

		cm_step(g, steps, "green", NULL);
		if (s->on) {
			*lines = 1;
			cm_step(g, steps, "red",
				th == CM_TH_ERROR_SLO ? &s->budget : &s->seconds);
		}
		break;
	}
	case CM_TH_MEMORY:
	case CM_TH_CPU:
		*lines = 1;
		cm_step(g, steps, "green", NULL);
		cm_step(g, steps, "orange",
			th == CM_TH_MEMORY ? &p->memory_warning : &p->cpu_warning);
		cm_step(g, steps, "red",
			th == CM_TH_MEMORY ? &p->memory_bytes : &p->cpu_cores);
		break;
	case CM_TH_FIRING:
		v1 = cm_dec_int(1);
		cm_step(g, steps, "green", NULL);
		cm_step(g, steps, "red", &v1);
		break;
	case CM_TH_NONE:
	default:
		cm_step(g, steps, "green", NULL);
		break;
	}
	jset(g, t, "steps", steps);
	return t;
}

static json_t *cm_options(cm_dgen *g, const char *type)
{
	json_t *o = jnew(g, json_object()), *x;

	if (!o)
		return NULL;
	if (!strcmp(type, "timeseries")) {
		x = jnew(g, json_object());
		if (x) {
			jset(g, x, "displayMode", json_string("list"));
			jset(g, x, "placement", json_string("bottom"));
			jset(g, x, "showLegend", json_true());
			jset(g, x, "calcs", json_array());
		}
		jset(g, o, "legend", x);
		x = jnew(g, json_object());
		if (x) {
			jset(g, x, "mode", json_string("multi"));
			jset(g, x, "sort", json_string("desc"));
		}
		jset(g, o, "tooltip", x);
		return o;
	}
	x = jnew(g, json_object());
	if (x) {
		json_t *calcs = jnew(g, json_array());

		if (calcs)
			jpush(g, calcs, json_string("lastNotNull"));
		jset(g, x, "calcs", calcs);
		jset(g, x, "fields", json_string(""));
		jset(g, x, "values", json_false());
	}
	jset(g, o, "reduceOptions", x);
	if (!strcmp(type, "gauge")) {
		jset(g, o, "showThresholdMarkers", json_true());
		jset(g, o, "showThresholdLabels", json_false());
	} else {
		jset(g, o, "colorMode", json_string("value"));
		jset(g, o, "graphMode", json_string("area"));
		jset(g, o, "textMode", json_string("value"));
	}
	return o;
}

/*
 * One panel: type, title, description, unit, thresholds th, queries
 * (exprs and legends already filled in, n of them).
 */
static json_t *cm_panel(cm_dgen *g, const char *type, const char *title,
			const char *description, const char *unit,
			cm_th_src th, int w, int h, const char *const *exprs,
			const char *const *legends, size_t n)
{
	json_t *p = jnew(g, json_object()), *fc, *def, *targets, *x;
	int lines = 0;
	size_t i;

	if (!p)
		return NULL;
	jset(g, p, "id", json_integer(++g->next_id));
	jset(g, p, "type", json_string(type));
	jset(g, p, "title", json_string(title));
	if (description)
		jset(g, p, "description", json_string(description));
	jset(g, p, "datasource", cm_datasource(g));
	jset(g, p, "gridPos", cm_grid(g, w, h));
	fc = jnew(g, json_object());
	def = jnew(g, json_object());
	if (fc && def) {
		jset(g, def, "unit", json_string(unit));
		if (!strcmp(type, "gauge")) {
			jset(g, def, "min", json_integer(0));
			jset(g, def, "max", json_integer(1));
		}
		if (!strcmp(type, "stat") && !strcmp(unit, "percentunit"))
			jset(g, def, "decimals", json_integer(3));
		jset(g, def, "thresholds", cm_thresholds(g, th, &lines));
		x = jnew(g, json_object());
		if (x)
			jset(g, x, "mode", json_string(strcmp(type, "timeseries")
							      ? "thresholds"
							      : "palette-classic"));
		jset(g, def, "color", x);
		if (!strcmp(type, "timeseries")) {
			json_t *custom = jnew(g, json_object());
			json_t *ts = jnew(g, json_object());

			if (ts)
				jset(g, ts, "mode",
				     json_string(lines ? "line" : "off"));
			if (custom)
				jset(g, custom, "thresholdsStyle", ts);
			else
				json_decref(ts);
			jset(g, def, "custom", custom);
		}
		jset(g, fc, "defaults", def);
		jset(g, fc, "overrides", json_array());
	} else {
		json_decref(def);
	}
	jset(g, p, "fieldConfig", fc);
	jset(g, p, "options", cm_options(g, type));
	targets = jnew(g, json_array());
	for (i = 0; targets && i < n; i++) {
		json_t *t = jnew(g, json_object());
		char ref[2] = {(char)('A' + i), '\0'};

		if (!t)
			break;
		jset(g, t, "refId", json_string(ref));
		jset(g, t, "datasource", cm_datasource(g));
		jset(g, t, "expr", json_string(exprs[i]));
		if (legends[i])
			jset(g, t, "legendFormat", json_string(legends[i]));
		jset(g, t, "range", strcmp(type, "timeseries") ? json_false()
							     : json_true());
		jset(g, t, "instant", strcmp(type, "timeseries") ? json_true()
							       : json_false());
		jpush(g, targets, t);
	}
	jset(g, p, "targets", targets);
	return p;
}

/* Whether table entry d applies to the plan. */
static bool cm_panel_on(const cm_mon_plan *p, const cm_panel_def *d)
{
	if ((d->needs & CM_NEED_TRAFFIC) && !p->profile.has_traffic)
		return false;
	/* The quantiles are recorded for the latency SLO only. */
	if ((d->needs & CM_NEED_LATENCY) && !p->latency.on)
		return false;
	if ((d->needs & CM_NEED_RESOURCES) && !p->profile.has_resources)
		return false;
	return true;
}

/* The panels of table entry d (one per SLO that is on when per SLO). */
static void cm_table_panels(cm_dgen *g, json_t *panels, const cm_panel_def *d,
			    cm_buf *b1, cm_buf *b2)
{
	int s, n_slo = (d->needs & CM_NEED_SLO) ? 3 : 1;

	for (s = 0; s < n_slo; s++) {
		const char *exprs[4], *legends[4];
		char *copies[8] = {NULL};
		char *title = NULL, *desc = NULL;
		size_t i, n = 0;
		int w = d->w;

		if (d->needs & CM_NEED_SLO) {
			const cm_slo *slo = cm_plan_slo(g->mon, s);
			int on = 0, k;

			if (!slo->on)
				continue;
			for (k = 0; k < 3; k++)
				on += cm_plan_slo(g->mon, k)->on;
			/* Stats of every SLO share one line. */
			if (w < 8)
				w = on ? 12 / on : w;
			g->slo = slo;
			g->slo_label = slo->label;
		} else {
			g->slo = NULL;
			g->slo_label = NULL;
		}
		for (i = 0; i < 4 && d->q[i].expr; i++) {
			copies[2 * i] = strdup(cm_fill_tpl(g, b1, d->q[i].expr));
			copies[2 * i + 1] = strdup(cm_fill_tpl(g, b1, d->q[i].legend));
			exprs[i] = copies[2 * i];
			legends[i] = copies[2 * i + 1];
			if (!exprs[i] || !legends[i])
				g->oom = 1;
			n++;
		}
		title = strdup(cm_fill_tpl(g, b1, d->title));
		desc = strdup(cm_fill_tpl(g, b2, d->description));
		if (!title || !desc)
			g->oom = 1;
		if (!g->oom)
			jpush(g, panels,
			      cm_panel(g, d->type, title, desc, d->unit, d->th, w,
				       d->h, exprs, legends, n));
		for (i = 0; i < 8; i++)
			free(copies[i]);
		free(title);
		free(desc);
	}
	g->slo = NULL;
	g->slo_label = NULL;
}

/* ---- variables ---- */

static json_t *cm_templating(cm_dgen *g)
{
	json_t *t = jnew(g, json_object()), *list = jnew(g, json_array());
	json_t *ds = jnew(g, json_object()), *cur;

	if (!t || !list || !ds) {
		json_decref(t);
		json_decref(list);
		json_decref(ds);
		return NULL;
	}
	jset(g, ds, "name", json_string("datasource"));
	jset(g, ds, "label", json_string("Data source"));
	jset(g, ds, "type", json_string("datasource"));
	jset(g, ds, "query", json_string("prometheus"));
	jset(g, ds, "regex", json_string(""));
	jset(g, ds, "hide", json_integer(0));
	jset(g, ds, "refresh", json_integer(1));
	jset(g, ds, "includeAll", json_false());
	jset(g, ds, "multi", json_false());
	jset(g, ds, "options", json_array());
	jpush(g, list, ds);
	if (g->mon->profile.has_resources) {
		json_t *pod = jnew(g, json_object());
		json_t *q = jnew(g, json_object());

		if (pod && q) {
			jset(g, pod, "name", json_string("pod"));
			jset(g, pod, "label", json_string("Pod"));
			jset(g, pod, "type", json_string("query"));
			jset(g, pod, "datasource", cm_datasource(g));
			jset(g, q, "query", json_string(g->pod_query));
			jset(g, q, "refId", json_string("PrometheusVariableQueryEditor-VariableQuery"));
			jset(g, pod, "query", q);
			q = NULL;
			jset(g, pod, "regex", json_string(""));
			jset(g, pod, "hide", json_integer(0));
			jset(g, pod, "refresh", json_integer(2));
			jset(g, pod, "sort", json_integer(1));
			jset(g, pod, "includeAll", json_true());
			jset(g, pod, "allValue", json_string(".*"));
			jset(g, pod, "multi", json_true());
			cur = jnew(g, json_object());
			if (cur) {
				json_t *vals = jnew(g, json_array());

				jset(g, cur, "text", json_string("All"));
				if (vals)
					jpush(g, vals, json_string("$__all"));
				jset(g, cur, "value", vals);
			}
			jset(g, pod, "current", cur);
			jset(g, pod, "options", json_array());
			jpush(g, list, pod);
		} else {
			json_decref(pod);
		}
		json_decref(q);
	}
	jset(g, t, "list", list);
	return t;
}

/* ---- the dashboard ---- */

/* The matchers of the plan; 0 or -1. */
static int cm_dash_selectors(cm_dgen *g)
{
	const cm_mon_plan *p = g->mon;
	cm_buf b;
	int rc = -1;

	cm_buf_init(&b, sizeof(g->rsel) - 64);
	if (p->namespace_ &&
	    (cm_buf_adds(&b, "namespace=") < 0 ||
	     cm_promql_quote(&b, p->namespace_) < 0 || cm_buf_adds(&b, ",") < 0))
		goto out;
	if (cm_buf_adds(&b, "service=") < 0 || cm_promql_quote(&b, p->service) < 0)
		goto out;
	if (b.len >= sizeof(g->sel))
		goto out;
	memcpy(g->sel, b.data, b.len + 1);
	cm_buf_reset(&b);
	if (p->profile.has_resources) {
		if (cm_promql_selector(&b, &p->profile.res_selector, p, NULL) < 0 ||
		    cm_buf_add(&b, "", 0) < 0)
			goto out;
		if (snprintf(g->pod_query, sizeof(g->pod_query),
			     "label_values(container_memory_working_set_bytes{%s}, pod)",
			     b.data ? b.data : "") >= (int)sizeof(g->pod_query) ||
		    snprintf(g->rsel, sizeof(g->rsel), "%s%spod=~\"$pod\"",
			     b.data ? b.data : "", b.len ? "," : "") >=
			    (int)sizeof(g->rsel))
			goto out;
	}
	rc = 0;
out:
	cm_buf_free(&b);
	return rc;
}

static json_t *cm_dash_build(cm_dgen *g)
{
	const cm_mon_plan *p = g->mon;
	const cm_dash_plan *d = g->dash;
	json_t *dash = jnew(g, json_object()), *panels = jnew(g, json_array());
	json_t *tags = jnew(g, json_array()), *x;
	const char *row = NULL;
	cm_buf b1, b2;
	size_t i;

	cm_buf_init(&b1, CM_DASH_TEXT_MAX);
	cm_buf_init(&b2, CM_DASH_TEXT_MAX);
	if (!dash || !panels || !tags) {
		json_decref(panels);
		json_decref(tags);
		goto out;
	}
	jset(g, dash, "uid", json_string(d->uid));
	jset(g, dash, "title", json_string(d->title));
	x = json_sprintf("%s of team %s in %s, generated by costmon from "
			 "monitoring profile %s.",
			 p->service, p->team, p->environment, p->profile.name);
	jset(g, dash, "description", jnew(g, x));
	jpush(g, tags, json_string("costmon"));
	jpush(g, tags, json_string(p->service));
	jpush(g, tags, json_string(p->environment));
	jpush(g, tags, json_string(p->team));
	if (d->region)
		jpush(g, tags, json_string(d->region));
	jset(g, dash, "tags", tags);
	jset(g, dash, "editable", json_false());
	jset(g, dash, "graphTooltip", json_integer(1));
	x = jnew(g, json_object());
	if (x) {
		jset(g, x, "from", json_string("now-6h"));
		jset(g, x, "to", json_string("now"));
	}
	jset(g, dash, "time", x);
	jset(g, dash, "refresh", json_string("1m"));
	jset(g, dash, "schemaVersion", json_integer(CM_DASH_SCHEMA_VERSION));
	jset(g, dash, "templating", cm_templating(g));

	for (i = 0; i < sizeof(cm_panels) / sizeof(cm_panels[0]); i++) {
		const cm_panel_def *pd = &cm_panels[i];

		if (!cm_panel_on(p, pd))
			continue;
		if (!row || strcmp(row, pd->row)) {
			row = pd->row;
			jpush(g, panels, cm_row(g, row));
		}
		cm_table_panels(g, panels, pd, &b1, &b2);
	}
	if (d->n_panels)
		jpush(g, panels, cm_row(g, p->profile.name));
	for (i = 0; i < d->n_panels; i++) {
		const cm_dash_panel *cp = &d->panels[i];
		char desc[300];
		char *title = strdup(cm_fill_profile(g, &b1, cp->title));
		char *expr = strdup(cm_fill_profile(g, &b2, cp->expr));
		char *legend = cp->legend ? strdup(cm_fill_profile(g, &b1, cp->legend))
					  : NULL;
		const char *e1[1], *l1[1];

		if (!title || !expr || (cp->legend && !legend))
			g->oom = 1;
		e1[0] = expr;
		l1[0] = legend;
		snprintf(desc, sizeof(desc), "A panel of monitoring profile %s.",
			 p->profile.name);
		if (!g->oom)
			jpush(g, panels,
			      cm_panel(g, cp->type, title,
				       desc, cp->unit,
				       CM_TH_NONE, 12, 8, e1, l1, 1));
		free(title);
		free(expr);
		free(legend);
	}
	jset(g, dash, "panels", panels);
out:
	cm_buf_free(&b1);
	cm_buf_free(&b2);
	if (g->oom) {
		json_decref(dash);
		return NULL;
	}
	return dash;
}

int cm_dashboard_json(const cm_mon_plan *mon, const cm_dash_plan *dash,
		      char **json, cm_diags *diags)
{
	cm_dgen g;
	json_t *root = NULL;
	int rc = -1;

	*json = NULL;
	memset(&g, 0, sizeof(g));
	g.mon = mon;
	g.dash = dash;
	g.diags = diags;
	if (cm_dash_selectors(&g) < 0) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "the label matchers of monitoring profile \"%s\" are "
			    "too long for a dashboard query; shorten them",
			    mon->profile.name);
		goto out;
	}
	root = cm_dash_build(&g);
	if (!root)
		goto oom;
	*json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					 JSON_REAL_PRECISION(15));
	if (!*json)
		goto oom;
	if (strlen(*json) > CM_DASH_JSON_MAX) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "the dashboard of %s is %zu bytes of JSON, more than "
			    "the %zu a ConfigMap or custom resource can hold; "
			    "give monitoring profile \"%s\" fewer panels",
			    mon->service, strlen(*json), CM_DASH_JSON_MAX,
			    mon->profile.name);
		free(*json);
		*json = NULL;
		goto out;
	}
	rc = 0;
	goto out;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while generating the dashboard");
out:
	json_decref(root);
	return rc;
}

/* ---- the Kubernetes object ---- */

/* A literal block scalar holding text and a final newline. */
static cm_node nblock(cm_ob *b, const char *text)
{
	size_t n = strlen(text);
	char *s = cm_arena_alloc(b->a, n + 2);
	cm_node v;

	memset(&v, 0, sizeof(v));
	if (!s) {
		b->oom = 1;
		return v;
	}
	memcpy(s, text, n);
	s[n] = '\n';
	s[n + 1] = '\0';
	v.kind = CM_SCALAR;
	v.style = CM_STYLE_LITERAL;
	v.len = (uint32_t)(n + 1);
	v.u.str = s;
	return v;
}

/*
 * The profile's extra labels or annotations (scalars) into dst; with
 * fill, values get {service} {namespace} {team} {environment} filled in
 * (and {alert} emptied), as on the other generated objects.
 */
static void ncopy_pairs(cm_ob *b, cm_node *dst, const cm_node *src,
			const cm_mon_plan *p, int fill)
{
	uint32_t i;
	cm_buf out;

	cm_buf_init(&out, CM_DASH_TEXT_MAX);
	for (i = 0; src && src->kind == CM_MAP && i < src->len; i++) {
		const char *t;

		if (src->u.kids[2 * i].kind != CM_SCALAR ||
		    src->u.kids[2 * i + 1].kind != CM_SCALAR)
			continue;
		t = src->u.kids[2 * i + 1].u.str;
		cm_buf_reset(&out);
		if (fill && cm_mon_fill_text(&out, t, p, "") < 0)
			b->oom = 1;
		cm_ob_puts(b, dst, src->u.kids[2 * i].u.str,
			   fill ? (out.data ? out.data : "") : t);
	}
	cm_buf_free(&out);
}

/*
 * Warn about a dashboard object of an earlier run that this run does not
 * replace: <service>-dashboard in the same namespace, a GrafanaDashboard
 * or a ConfigMap holding a .json key, of the other delivery form (or of
 * either form when the dashboard is off).
 */
static void cm_dash_stale(const cm_mon_plan *mon, const cm_dash_plan *dash,
			  const cm_index *ix, cm_diags *diags)
{
	char name[600];
	uint32_t i, k;

	snprintf(name, sizeof(name), "%s-dashboard", mon->service);
	for (i = 0; ix && i < ix->n; i++) {
		const cm_node *it = &ix->items->u.kids[i];
		const char *kind = ix->v[i].kind;
		const char *ns = ix->v[i].ns;
		const cm_node *data;
		bool is_cm = false, same_ns;
		cm_where w;

		if (!(ix->v[i].flags & CM_IF_MAP) || !kind || !ix->v[i].name ||
		    strcmp(ix->v[i].name, name))
			continue;
		same_ns = (!ns && !mon->namespace_) ||
			  (ns && mon->namespace_ && !strcmp(ns, mon->namespace_));
		if (!same_ns)
			continue;
		if (!strcmp(kind, "ConfigMap")) {
			data = cm_map_get(it, "data");
			for (k = 0; data && data->kind == CM_MAP && k < data->len; k++) {
				const cm_node *key = &data->u.kids[2 * k];
				size_t kl = key->kind == CM_SCALAR ? key->len : 0;

				if (kl > 5 && !strcmp(key->u.str + kl - 5, ".json"))
					is_cm = true;
			}
			if (!is_cm || (dash->on && dash->delivery == CM_DASH_CONFIGMAP))
				continue;
		} else if (strcmp(kind, "GrafanaDashboard") ||
			   (dash->on && dash->delivery == CM_DASH_OPERATOR)) {
			continue;
		}
		w = cm_item_where(it);
		w.field_path = NULL;
		cm_diag_add(diags, CM_SEV_WARNING, &w,
			    "%s \"%s\" is a dashboard of an earlier run that this "
			    "run does not replace (%s); Grafana keeps loading it: "
			    "delete it from the package",
			    kind, name,
			    !dash->on ? "the dashboard is now off"
				      : "the delivery is now another form");
	}
}

int cm_generate_dashboard(cm_arena *a, const cm_mon_plan *mon,
			  const cm_dash_plan *dash, const cm_index *ix,
			  cm_node *gen, cm_diags *diags)
{
	cm_node obj = cm_map_new(), md = cm_map_new(), labels = cm_map_new();
	cm_node ann = cm_map_new();
	cm_ob b = {a, 0};
	char *json = NULL;
	int rc = -1;

	cm_dash_stale(mon, dash, ix, diags);
	if (!dash->on)
		return 0;
	if (cm_dashboard_json(mon, dash, &json, diags) < 0)
		return -1;
	cm_ob_puts(&b, &md, "name", dash->name);
	if (mon->namespace_)
		cm_ob_puts(&b, &md, "namespace", mon->namespace_);
	if (dash->delivery == CM_DASH_CONFIGMAP) {
		cm_node data = cm_map_new();
		char key[CM_DASH_UID_MAX + 8];

		ncopy_pairs(&b, &labels, mon->profile.labels, mon, 0);
		ncopy_pairs(&b, &labels, mon->extra_labels, mon, 0);
		cm_ob_puts(&b, &labels, dash->label, dash->label_value);
		if (dash->folder)
			cm_ob_puts(&b, &ann, "grafana_folder", dash->folder);
		ncopy_pairs(&b, &ann, mon->profile.annotations, mon, 1);
		cm_ob_put(&b, &md, "labels", labels);
		if (ann.len)
			cm_ob_put(&b, &md, "annotations", ann);
		cm_ob_puts(&b, &obj, "apiVersion", "v1");
		cm_ob_puts(&b, &obj, "kind", "ConfigMap");
		cm_ob_put(&b, &obj, "metadata", md);
		snprintf(key, sizeof(key), "%s.json", dash->uid);
		cm_ob_put(&b, &data, key, nblock(&b, json));
		cm_ob_put(&b, &obj, "data", data);
	} else {
		cm_node spec = cm_map_new(), yes;
		size_t budget = 4096;

		ncopy_pairs(&b, &labels, mon->profile.labels, mon, 0);
		ncopy_pairs(&b, &labels, mon->extra_labels, mon, 0);
		ncopy_pairs(&b, &ann, mon->profile.annotations, mon, 1);
		if (labels.len)
			cm_ob_put(&b, &md, "labels", labels);
		if (ann.len)
			cm_ob_put(&b, &md, "annotations", ann);
		cm_ob_puts(&b, &obj, "apiVersion", "grafana.integreatly.org/v1beta1");
		cm_ob_puts(&b, &obj, "kind", "GrafanaDashboard");
		cm_ob_put(&b, &obj, "metadata", md);
		cm_ob_put(&b, &spec, "instanceSelector",
		     cm_node_copy(a, dash->instance_selector, &budget));
		if (dash->cross_namespace) {
			yes = cm_str_new(a, "true");
			yes.style = CM_STYLE_PLAIN;
			cm_ob_put(&b, &spec, "allowCrossNamespaceImport", yes);
		}
		if (dash->folder)
			cm_ob_puts(&b, &spec, "folder", dash->folder);
		cm_ob_puts(&b, &spec, "uid", dash->uid);
		cm_ob_put(&b, &spec, "json", nblock(&b, json));
		cm_ob_put(&b, &obj, "spec", spec);
	}
	if (b.oom || cm_seq_push(a, gen, obj) < 0) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while generating the dashboard");
		goto out;
	}
	rc = 0;
out:
	free(json);
	return rc;
}
