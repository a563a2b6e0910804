/* monitor.c - see monitor.h for the contract. */
#include "monitor.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/item.h"
#include "../expand/monitoring.h"
#include "object.h"

#define CM_PROMQL_MAX ((size_t)1 << 20)

static const char *const cm_windows[] = {
	"5m", "30m", "1h", "2h", "6h", "1d", "3d", NULL,
};

typedef struct cm_gen {
	cm_arena *a;
	cm_diags *diags;
	const cm_config *cfg;
	cm_mon_plan plan;
	int oom;
	char by[256];      /* "namespace, service" */
	char level[256];   /* "namespace_service" */
	char reqbase[256]; /* http_requests (without _total) */
	cm_buf sel;        /* selector body of the service's series */
	cm_buf recsel;     /* equality matchers of it, for recorded series */
	cm_buf rsel;       /* selector body of the service's pods */
	cm_buf expr;       /* scratch */
} cm_gen;

/* ---- node building (sticky out-of-memory flag) ---- */

static cm_node gstr(cm_gen *g, const char *s)
{
	cm_node n = cm_str_new(g->a, s);

	if (n.kind == CM_NONE)
		g->oom = 1;
	return n;
}

static void gput(cm_gen *g, cm_node *map, const char *k, cm_node v)
{
	if (g->oom || v.kind == CM_NONE || cm_map_set(g->a, map, k, v) < 0)
		g->oom = 1;
}

static void gputs(cm_gen *g, cm_node *map, const char *k, const char *v)
{
	if (v)
		gput(g, map, k, gstr(g, v));
}

static void gpush(cm_gen *g, cm_node *seq, cm_node v)
{
	if (g->oom || v.kind == CM_NONE || cm_seq_push(g->a, seq, v) < 0)
		g->oom = 1;
}

/* A string from printf-style arguments, via the arena. */
static const char *gfmt(cm_gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *gfmt(cm_gen *g, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	s = cm_arena_strndup(g->a, tmp, strlen(tmp));
	if (!s)
		g->oom = 1;
	return s ? s : "";
}

/* A copy of the scratch buffer's text in the arena. */
static const char *gexpr(cm_gen *g)
{
	char *s = cm_arena_strndup(g->a, g->expr.data ? g->expr.data : "",
				   g->expr.len);

	if (!s)
		g->oom = 1;
	return s ? s : "";
}

static void gadd(cm_gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void gadd(cm_gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cm_buf_vaddf(&g->expr, fmt, ap) < 0)
		g->oom = 1;
	va_end(ap);
}

/*
 * A profile text template with {service}, {namespace}, {team},
 * {environment} and {alert} filled in. The result is plain text (an
 * annotation or a URL), not PromQL, so values go in as they are.
 */
static const char *gsubst(cm_gen *g, const char *t, const char *alert)
{
	const char *vals[][2] = {
		{"{service}", g->plan.service},
		{"{namespace}", g->plan.namespace_ ? g->plan.namespace_ : ""},
		{"{team}", g->plan.team},
		{"{environment}", g->plan.environment},
		{"{alert}", alert ? alert : ""},
	};
	const char *res;
	cm_buf out;

	cm_buf_init(&out, 64 * 1024);
	while (*t) {
		size_t i, hit = 0;

		for (i = 0; i < 5; i++) {
			size_t pl = strlen(vals[i][0]);

			if (!strncmp(t, vals[i][0], pl)) {
				if (cm_buf_adds(&out, vals[i][1]) < 0)
					g->oom = 1;
				t += pl;
				hit = 1;
				break;
			}
		}
		if (!hit && cm_buf_add(&out, t++, 1) < 0)
			g->oom = 1;
	}
	res = cm_arena_strndup(g->a, out.data ? out.data : "", out.len);
	if (!res)
		g->oom = 1;
	cm_buf_free(&out);
	return res ? res : "";
}

/* metadata for a generated object: name, namespace, the profile's extra
 * labels (as written) and annotations (templates filled in). */
static cm_node gmeta(cm_gen *g, const char *name)
{
	cm_node md = cm_map_new();
	const cm_node *src;
	uint32_t i;

	gputs(g, &md, "name", name);
	if (g->plan.namespace_)
		gputs(g, &md, "namespace", g->plan.namespace_);
	for (src = g->plan.profile.labels; src; src = NULL) {
		cm_node lab = cm_map_new();

		for (i = 0; i < src->len; i++)
			if (src->u.kids[2 * i].kind == CM_SCALAR &&
			    src->u.kids[2 * i + 1].kind == CM_SCALAR)
				gputs(g, &lab, src->u.kids[2 * i].u.str,
				      src->u.kids[2 * i + 1].u.str);
		gput(g, &md, "labels", lab);
	}
	for (src = g->plan.profile.annotations; src; src = NULL) {
		cm_node ann = cm_map_new();

		for (i = 0; i < src->len; i++)
			if (src->u.kids[2 * i].kind == CM_SCALAR &&
			    src->u.kids[2 * i + 1].kind == CM_SCALAR)
				gputs(g, &ann, src->u.kids[2 * i].u.str,
				      gsubst(g, src->u.kids[2 * i + 1].u.str,
					     NULL));
		gput(g, &md, "annotations", ann);
	}
	return md;
}

static cm_node gobject(cm_gen *g, const char *api, const char *kind,
		       const char *name)
{
	cm_node o = cm_map_new();

	gputs(g, &o, "apiVersion", api);
	gputs(g, &o, "kind", kind);
	gput(g, &o, "metadata", gmeta(g, name));
	return o;
}

/* ---- finding the workload and its Service ---- */

static bool cm_ns_eq(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

static bool cm_usable(const cm_node *it)
{
	return it->kind == CM_MAP && !cm_item_is_local_config(it) &&
	       !cm_is_costmon_object(it);
}

/* True when every pair of sel (a mapping) is in labels. */
static bool cm_selects(const cm_node *sel, const cm_node *labels)
{
	uint32_t i;

	if (!sel || sel->kind != CM_MAP || sel->len == 0 || !labels)
		return false;
	for (i = 0; i < sel->len; i++) {
		const cm_node *k = &sel->u.kids[2 * i];
		const cm_node *v = &sel->u.kids[2 * i + 1];
		const cm_node *have;

		if (k->kind != CM_SCALAR || v->kind != CM_SCALAR)
			return false;
		have = cm_map_get(labels, k->u.str);
		if (!have || have->kind != CM_SCALAR ||
		    have->len != v->len || memcmp(have->u.str, v->u.str, v->len))
			return false;
	}
	return true;
}

/* The Service that selects the workload's pods (same namespace): one
 * named like the service if several do. */
static const cm_node *cm_find_service(const cm_node *items,
				      const cm_node *wl, const char *svc)
{
	const cm_node *pods = wl ? cm_item_pod_labels(wl) : NULL;
	const char *ns = wl ? cm_map_str(wl, "metadata.namespace") : NULL;
	const cm_node *found = NULL;
	uint32_t i;

	for (i = 0; pods && i < items->len; i++) {
		const cm_node *it = &items->u.kids[i];
		const char *name;

		if (!cm_usable(it) || !cm_scalar_is(cm_map_get(it, "kind"), "Service") ||
		    !cm_scalar_is(cm_map_get(it, "apiVersion"), "v1") ||
		    !cm_ns_eq(cm_map_str(it, "metadata.namespace"), ns) ||
		    !cm_selects(cm_map_path(it, "spec.selector"), pods))
			continue;
		name = cm_map_str(it, "metadata.name");
		if (name && !strcmp(name, svc))
			return it;
		if (!found)
			found = it;
	}
	return found;
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

static cm_node gen_service_monitor(cm_gen *g, const cm_node *items,
				   const cm_node *wl, const cm_label_set *ls)
{
	const cm_mon_profile *p = &g->plan.profile;
	cm_node sm = gobject(g, "monitoring.coreos.com/v1", "ServiceMonitor",
			     gfmt(g, "%s-monitor", g->plan.service));
	cm_node spec = cm_map_new(), sel = cm_map_new(), ml = cm_map_new();
	cm_node eps = cm_seq_new(), ep = cm_map_new();
	const cm_node *svc = NULL, *labels;
	cm_where w = g->cfg->where;
	uint32_t i;

	if (g->cfg->service_selector) {
		labels = g->cfg->service_selector;
		for (i = 0; i < labels->len; i++)
			gputs(g, &ml, labels->u.kids[2 * i].u.str,
			      labels->u.kids[2 * i + 1].u.str);
	} else {
		svc = cm_find_service(items, wl, g->plan.service);
		labels = svc ? cm_map_path(svc, "metadata.labels") : NULL;
		for (i = 0; labels && labels->kind == CM_MAP && i < labels->len; i++) {
			const cm_node *k = &labels->u.kids[2 * i];
			const cm_node *v = &labels->u.kids[2 * i + 1];

			if (k->kind == CM_SCALAR && v->kind == CM_SCALAR &&
			    !cm_is_cost_key(ls, k->u.str))
				gputs(g, &ml, k->u.str, v->u.str);
		}
		if (!svc) {
			w.field_path = NULL;
			cm_diag_add(g->diags, CM_SEV_WARNING, &w,
				    "no Service in the input selects the pods of "
				    "%s \"%s\", so ServiceMonitor \"%s-monitor\" "
				    "selects Services labelled app: %s; add the "
				    "Service to the build, or set "
				    "spec.monitoring.serviceSelector to its labels",
				    wl ? cm_map_str(wl, "kind") : "the workload",
				    wl ? cm_map_str(wl, "metadata.name")
				       : g->plan.service,
				    g->plan.service, g->plan.service);
			gputs(g, &ml, "app", g->plan.service);
		} else if (ml.len == 0) {
			cm_where sw = cm_item_where(svc);

			sw.field_path = "metadata.labels";
			cm_diag_add(g->diags, CM_SEV_WARNING, &sw,
				    "Service \"%s\" has no labels of its own, so "
				    "ServiceMonitor \"%s-monitor\" cannot select "
				    "it; add a label such as app: %s to the "
				    "Service",
				    cm_map_str(svc, "metadata.name"),
				    g->plan.service, g->plan.service);
			gputs(g, &ml, "app", g->plan.service);
		}
		if (svc) {
			const cm_node *ports = cm_map_path(svc, "spec.ports");
			bool has = false;
			char names[512] = "";
			size_t n = 0;

			for (i = 0; ports && ports->kind == CM_SEQ && i < ports->len; i++) {
				const char *pn = cm_map_str(&ports->u.kids[i], "name");

				if (pn && !strcmp(pn, p->port))
					has = true;
				if (pn && n + strlen(pn) + 3 < sizeof(names))
					n += (size_t)snprintf(names + n, sizeof(names) - n,
							      "%s%s", n ? ", " : "", pn);
			}
			if (!has) {
				cm_where sw = cm_item_where(svc);

				sw.field_path = "spec.ports";
				cm_diag_add(g->diags, CM_SEV_WARNING, &sw,
					    "Service \"%s\" has no port named \"%s\" "
					    "(its ports: %s), so ServiceMonitor "
					    "\"%s-monitor\" scrapes nothing; name the "
					    "metrics port \"%s\" or use a monitoring "
					    "profile whose endpoint.port matches",
					    cm_map_str(svc, "metadata.name"), p->port,
					    n ? names : "none named", g->plan.service,
					    p->port);
			}
		}
	}
	gput(g, &sel, "matchLabels", ml);
	gput(g, &spec, "selector", sel);
	if (svc && !cm_ns_eq(cm_map_str(svc, "metadata.namespace"),
			     g->plan.namespace_) &&
	    cm_map_str(svc, "metadata.namespace")) {
		cm_node nsel = cm_map_new(), names = cm_seq_new();

		gpush(g, &names, gstr(g, cm_map_str(svc, "metadata.namespace")));
		gput(g, &nsel, "matchNames", names);
		gput(g, &spec, "namespaceSelector", nsel);
	}
	gputs(g, &ep, "port", p->port);
	gputs(g, &ep, "path", p->path);
	gputs(g, &ep, "interval", p->interval);
	gputs(g, &ep, "scheme", p->scheme);
	gpush(g, &eps, ep);
	gput(g, &spec, "endpoints", eps);
	gput(g, &sm, "spec", spec);
	return sm;
}

/* ---- rules ---- */

static void grecord(cm_gen *g, cm_node *rules, const char *record,
		    const char *expr)
{
	cm_node r = cm_map_new();

	gputs(g, &r, "record", record);
	gputs(g, &r, "expr", expr);
	gpush(g, rules, r);
}

static void galert(cm_gen *g, cm_node *rules, const char *name,
		   const char *expr, const char *for_, const char *severity,
		   const char *slo, const char *summary, const char *description)
{
	cm_node r = cm_map_new(), lab = cm_map_new(), ann = cm_map_new();
	const char *alert = gfmt(g, "%s%s", g->plan.alert_prefix, name);

	gputs(g, &r, "alert", alert);
	gputs(g, &r, "expr", expr);
	if (for_)
		gputs(g, &r, "for", for_);
	gputs(g, &lab, "severity", severity);
	gputs(g, &lab, "team", g->plan.team);
	if (slo)
		gputs(g, &lab, "slo", slo);
	gput(g, &r, "labels", lab);
	gputs(g, &ann, "summary", summary);
	gputs(g, &ann, "description", description);
	if (g->plan.profile.runbook_url)
		gputs(g, &ann, "runbook_url",
		      gsubst(g, g->plan.profile.runbook_url, alert));
	gput(g, &r, "annotations", ann);
	gpush(g, rules, r);
}

/* The recorded series name of an SLI for a window. */
static const char *rec_name(cm_gen *g, const char *sli, const char *w)
{
	return gfmt(g, "%s:%s%s", g->level, sli, w);
}

/* Recording rules for the SLIs that are on. */
static void gen_records(cm_gen *g, cm_node *rules)
{
	const cm_mon_plan *pl = &g->plan;
	const cm_mon_profile *p = &pl->profile;
	cm_buf esel;
	size_t i;

	if (p->has_traffic) {
		cm_buf_reset(&g->expr);
		gadd(g, "sum by (%s) (rate(%s{%s}[5m]))", g->by,
		     p->requests_metric, g->sel.data ? g->sel.data : "");
		grecord(g, rules, rec_name(g, g->reqbase, ":rate5m"), gexpr(g));
	}
	cm_buf_init(&esel, CM_PROMQL_MAX);
	if (pl->error_rate.on) {
		if (cm_promql_selector(&esel, &p->selector, pl, NULL) < 0 ||
		    (esel.len && cm_buf_adds(&esel, ",") < 0) ||
		    cm_promql_selector(&esel, &p->errors, pl, NULL) < 0)
			g->oom = 1;
		for (i = 0; cm_windows[i]; i++) {
			cm_buf_reset(&g->expr);
			gadd(g,
			     "sum by (%s) (rate(%s{%s}[%s])) / sum by (%s) "
			     "(rate(%s{%s}[%s]))",
			     g->by, p->requests_metric, esel.data ? esel.data : "",
			     cm_windows[i], g->by, p->requests_metric,
			     g->sel.data ? g->sel.data : "", cm_windows[i]);
			grecord(g, rules,
				rec_name(g, gfmt(g, "%s_errors", g->reqbase),
					 gfmt(g, ":ratio_rate%s", cm_windows[i])),
				gexpr(g));
		}
	}
	if (pl->latency.on) {
		cm_dec secs;
		char le[CM_DEC_BUFSZ];
		const char *lem;

		cm_dec_shift(pl->latency.objective, 3, &secs);
		cm_dec_format(secs, le);
		/* Client libraries write whole-second bounds as "1" or "1.0". */
		lem = cm_dec_is_int(secs) ? gfmt(g, "le=~\"%s(\\\\.0)?\"", le)
					  : gfmt(g, "le=\"%s\"", le);
		for (i = 0; cm_windows[i]; i++) {
			cm_buf_reset(&g->expr);
			gadd(g,
			     "1 - (sum by (%s) (rate(%s_bucket{%s%s%s}[%s])) / "
			     "sum by (%s) (rate(%s_count{%s}[%s])))",
			     g->by, p->latency_metric,
			     g->sel.data ? g->sel.data : "", g->sel.len ? "," : "",
			     lem, cm_windows[i], g->by, p->latency_metric,
			     g->sel.data ? g->sel.data : "", cm_windows[i]);
			grecord(g, rules,
				rec_name(g, gfmt(g, "%s_slow", p->latency_metric),
					 gfmt(g, ":ratio_rate%s", cm_windows[i])),
				gexpr(g));
		}
	}
	if (pl->availability.on) {
		for (i = 0; cm_windows[i]; i++) {
			cm_buf_reset(&g->expr);
			gadd(g, "1 - avg by (%s) (avg_over_time(up{%s}[%s]))",
			     g->by, g->sel.data ? g->sel.data : "", cm_windows[i]);
			grecord(g, rules,
				rec_name(g, "up_unavailable",
					 gfmt(g, ":ratio_avg%s", cm_windows[i])),
				gexpr(g));
		}
	}
	cm_buf_free(&esel);
}

/*
 * The multi-window multi-burn-rate condition of one SLO over the
 * recorded series sli (e.g. "http_requests_errors"), for the page (1) or
 * ticket (0) pairs. Pairs whose threshold reaches 1 are left out. Returns
 * NULL when no pair is left.
 */
static const char *burn_expr(cm_gen *g, const char *sli, const char *op,
			     const cm_slo *slo, int page)
{
	size_t i;
	int clauses = 0;

	cm_buf_reset(&g->expr);
	for (i = 0; i < 4; i++) {
		cm_dec f, t;
		char th[CM_DEC_BUFSZ];

		if (cm_burns[i].page != page)
			continue;
		cm_dec_parse(cm_burns[i].factor, &f);
		if (cm_dec_mul(f, slo->budget, &t) < 0 ||
		    cm_dec_cmp(t, cm_dec_int(1)) >= 0)
			continue;
		cm_dec_format(t, th);
		gadd(g, "%s(%s:%s:%s%s{%s} > %s and %s:%s:%s%s{%s} > %s)",
		     clauses ? " or " : "", g->level, sli, op,
		     cm_burns[i].long_w, g->recsel.data ? g->recsel.data : "", th,
		     g->level, sli, op, cm_burns[i].short_w,
		     g->recsel.data ? g->recsel.data : "", th);
		clauses++;
	}
	return clauses ? gexpr(g) : NULL;
}

static void gen_slo_alerts(cm_gen *g, cm_node *rules, const cm_slo *slo,
			   const char *sli, const char *op, const char *name_page,
			   const char *name_ticket, const char *slo_label,
			   const char *what)
{
	const cm_mon_plan *pl = &g->plan;
	char obj[CM_DEC_BUFSZ];
	const char *e;

	if (!slo->on)
		return;
	cm_dec_format(slo->objective, obj);
	e = burn_expr(g, sli, op, slo, 1);
	if (e)
		galert(g, rules, name_page, e, NULL, "critical", slo_label,
		       gfmt(g, "%s %s is burning its error budget fast",
			    pl->service, what),
		       gfmt(g,
			    "%s in %s is spending the %s error budget of its "
			    "%s objective (%s) 14.4x (1h/5m) or 6x (6h/30m) "
			    "faster than the %s window allows; at this pace "
			    "the budget is gone within days. Page the on-call "
			    "engineer.",
			    pl->service, pl->environment, pl->profile.window,
			    what, slo_label[0] == 'l' ? gfmt(g, "p95 <= %s ms", obj)
						      : gfmt(g, "%s%%", obj),
			    pl->profile.window));
	e = burn_expr(g, sli, op, slo, 0);
	if (e)
		galert(g, rules, name_ticket, e, NULL, "warning", slo_label,
		       gfmt(g, "%s %s is eroding its error budget",
			    pl->service, what),
		       gfmt(g,
			    "%s in %s is spending the %s error budget of its "
			    "%s objective (%s) 3x (1d/2h) or 1x (3d/6h) faster "
			    "than the window allows. Open a ticket.",
			    pl->service, pl->environment, pl->profile.window,
			    what, slo_label[0] == 'l' ? gfmt(g, "p95 <= %s ms", obj)
						      : gfmt(g, "%s%%", obj)));
}

static void gen_alerts(cm_gen *g, cm_node *rules)
{
	const cm_mon_plan *pl = &g->plan;
	const cm_mon_profile *p = &pl->profile;
	char t1[CM_DEC_BUFSZ], t2[CM_DEC_BUFSZ];

	gen_slo_alerts(g, rules, &pl->availability, "up_unavailable", "ratio_avg",
		       "AvailabilityBudgetBurn", "AvailabilityBudgetBurnSlow",
		       "availability", "availability");
	gen_slo_alerts(g, rules, &pl->error_rate,
		       gfmt(g, "%s_errors", g->reqbase), "ratio_rate",
		       "HighErrorRate", "ElevatedErrorRate", "error-rate",
		       "error rate");
	gen_slo_alerts(g, rules, &pl->latency,
		       gfmt(g, "%s_slow", p->latency_metric ? p->latency_metric : ""),
		       "ratio_rate", "HighLatency", "ElevatedLatency",
		       "latency", "latency");
	if (p->has_endpoint || p->has_traffic) {
		cm_buf_reset(&g->expr);
		gadd(g, "(sum by (%s) (up{%s}) == 0) or absent(up{%s})", g->by,
		     g->sel.data ? g->sel.data : "", g->sel.data ? g->sel.data : "");
		galert(g, rules, "Down", gexpr(g), "5m", "critical", NULL,
		       gfmt(g, "%s is down", pl->service),
		       gfmt(g,
			    "Prometheus has no healthy scrape target of %s in "
			    "%s for 5 minutes: every target is down, or none "
			    "is discovered (check the ServiceMonitor and the "
			    "Service's port name).",
			    pl->service, pl->environment));
	}
	if (p->has_traffic) {
		cm_buf_reset(&g->expr);
		gadd(g, "sum by (%s) (rate(%s{%s}[10m])) == 0", g->by,
		     p->requests_metric, g->sel.data ? g->sel.data : "");
		galert(g, rules, "NoTraffic", gexpr(g), "15m", "warning", NULL,
		       gfmt(g, "%s receives no requests", pl->service),
		       gfmt(g,
			    "%s in %s has served no requests for 25 minutes "
			    "although its targets report metrics; check the "
			    "ingress and the callers.",
			    pl->service, pl->environment));
	}
	if (p->has_resources) {
		/* Memory and CPU, each at its threshold (critical) and at its
		 * warning level. */
		static const struct {
			const char *name, *severity, *for_, *expr, *unit;
			int cpu, warn;
		} res[] = {
			{"HighMemoryUsage", "critical", "5m",
			 "max by (namespace, pod, container) "
			 "(container_memory_working_set_bytes{%s}) > %s",
			 "bytes", 0, 0},
			{"MemoryNearThreshold", "warning", "15m",
			 "max by (namespace, pod, container) "
			 "(container_memory_working_set_bytes{%s}) > %s",
			 "bytes", 0, 1},
			{"HighCPUUsage", "critical", "15m",
			 "sum by (namespace, pod, container) "
			 "(rate(container_cpu_usage_seconds_total{%s}[5m])) > %s",
			 "cores", 1, 0},
			{"CPUNearThreshold", "warning", "15m",
			 "sum by (namespace, pod, container) "
			 "(rate(container_cpu_usage_seconds_total{%s}[5m])) > %s",
			 "cores", 1, 1},
		};
		size_t r;

		for (r = 0; r < sizeof(res) / sizeof(res[0]); r++) {
			cm_dec limit = res[r].cpu ? pl->cpu_cores : pl->memory_bytes;
			cm_dec level = res[r].cpu ? pl->cpu_warning : pl->memory_warning;
			const char *what = res[r].cpu ? "CPU" : "memory";
			const char *value = res[r].cpu ? "{{ $value }}"
						       : "{{ $value | humanize }}";

			cm_dec_format(limit, t1);
			cm_dec_format(level, t2);
			cm_buf_reset(&g->expr);
			gadd(g, res[r].expr, g->rsel.data ? g->rsel.data : "",
			     res[r].warn ? t2 : t1);
			galert(g, rules, res[r].name, gexpr(g), res[r].for_,
			       res[r].severity, NULL,
			       res[r].warn
				       ? gfmt(g, "%s %s is near its threshold",
					      pl->service, what)
				       : gfmt(g, "%s uses more %s than its threshold",
					      pl->service, what),
			       res[r].warn
				       ? gfmt(g,
					      "Container {{ $labels.container }} of "
					      "pod {{ $labels.pod }} uses %s %s, "
					      "above %s %s (the warning level of "
					      "the %s %s threshold for size %s).",
					      value, res[r].unit, t2, res[r].unit,
					      t1, res[r].unit, pl->size)
				       : gfmt(g,
					      "Container {{ $labels.container }} of "
					      "pod {{ $labels.pod }} uses %s %s, "
					      "above the %s %s threshold for size "
					      "%s.",
					      value, res[r].unit, t1, res[r].unit,
					      pl->size));
		}
	}
	if (p->has_resources && p->crash_looping) {
		cm_buf_reset(&g->expr);
		gadd(g,
		     "max_over_time(kube_pod_container_status_waiting_reason{%s%s"
		     "reason=\"CrashLoopBackOff\"}[5m]) >= 1",
		     g->rsel.data ? g->rsel.data : "", g->rsel.len ? "," : "");
		galert(g, rules, "CrashLooping", gexpr(g), "15m", "warning", NULL,
		       gfmt(g, "%s is crash looping", pl->service),
		       gfmt(g,
			    "Container {{ $labels.container }} of pod {{ "
			    "$labels.pod }} has been in CrashLoopBackOff for 15 "
			    "minutes."));
	}
	if (p->job_failures) {
		cm_buf js;

		cm_buf_init(&js, CM_PROMQL_MAX);
		if (pl->namespace_ &&
		    (cm_buf_adds(&js, "namespace=") < 0 ||
		     cm_promql_quote(&js, pl->namespace_) < 0 ||
		     cm_buf_adds(&js, ",") < 0))
			g->oom = 1;
		/* Jobs of a CronJob are named <name>-<schedule time>. */
		if (cm_buf_addf(&js, "job_name=~\"%s(-[0-9]+)?\"", pl->service) < 0)
			g->oom = 1;
		cm_buf_reset(&g->expr);
		/* The Job's Failed condition (kube-state-metrics), not its
		 * count of failed pods: a Job whose retry succeeded is fine. */
		gadd(g, "kube_job_failed{%s,condition=\"true\"} > 0",
		     js.data ? js.data : "");
		galert(g, rules, "JobFailed", gexpr(g), NULL, "warning", NULL,
		       gfmt(g, "a job of %s failed", pl->service),
		       gfmt(g, "Job {{ $labels.job_name }} of %s in %s failed.",
			    pl->service, pl->environment));
		cm_buf_free(&js);
	}
}

static cm_node gen_rule_object(cm_gen *g, const char *suffix,
			       const char *group, cm_node rules)
{
	cm_node pr = gobject(g, "monitoring.coreos.com/v1", "PrometheusRule",
			     gfmt(g, "%s-%s", g->plan.service, suffix));
	cm_node spec = cm_map_new(), groups = cm_seq_new(), grp = cm_map_new();

	gputs(g, &grp, "name", group);
	gput(g, &grp, "rules", rules);
	gpush(g, &groups, grp);
	gput(g, &spec, "groups", groups);
	gput(g, &pr, "spec", spec);
	return pr;
}

/* ---- Dynatrace ---- */

static cm_node gen_dynatrace(cm_gen *g)
{
	const cm_mon_plan *pl = &g->plan;
	cm_node cm = gobject(g, "v1", "ConfigMap",
			     gfmt(g, "%s-dynatrace-config", pl->service));
	cm_node data = cm_map_new(), v;
	json_t *o = json_object(), *md = json_object(), *mon = json_object();
	json_t *tech = json_array(), *attrs = json_array(), *slo = json_object();
	char num[CM_DEC_BUFSZ], *s = NULL;
	size_t i, n;

	if (!o || !md || !mon || !tech || !attrs || !slo) {
		g->oom = 1;
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
		g->oom = 1;
		goto out;
	}
	n = strlen(s);
	{
		char *text = cm_arena_alloc(g->a, n + 2);

		if (!text) {
			g->oom = 1;
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
	gput(g, &data, "application.json", v);
	gput(g, &cm, "data", data);
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

/* Put obj into items (see object.h). */
static void gupsert(cm_gen *g, cm_node *items, cm_node obj)
{
	if (!g->oom && cm_gen_upsert(g->a, items, obj) < 0)
		g->oom = 1;
}

int cm_generate_monitoring(cm_arena *a, const cm_config *cfg,
			   const cm_catalog *cat, cm_node *items,
			   const cm_label_set *ls, cm_diags *diags)
{
	const cm_node *wl;
	const char *ns;
	cm_node gen = cm_seq_new(), recs = cm_seq_new(), alerts = cm_seq_new();
	cm_gen g;
	size_t i;
	int rc = -1;

	if (!cfg->monitoring_profile || !*cfg->monitoring_profile)
		return 0;
	memset(&g, 0, sizeof(g));
	g.a = a;
	g.diags = diags;
	g.cfg = cfg;
	cm_buf_init(&g.sel, CM_PROMQL_MAX);
	cm_buf_init(&g.recsel, CM_PROMQL_MAX);
	cm_buf_init(&g.rsel, CM_PROMQL_MAX);
	cm_buf_init(&g.expr, CM_PROMQL_MAX);

	wl = cm_gen_find_workload(items, cfg->service);
	ns = cfg->namespace_ && *cfg->namespace_ ? cfg->namespace_
	     : wl ? cm_map_str(wl, "metadata.namespace") : NULL;
	if (cm_mon_expand(a, cfg, cat, ns, &g.plan, diags) < 0)
		goto out;
	if (!ns && g.plan.prometheus &&
	    (g.plan.profile.has_traffic || g.plan.profile.has_resources ||
	     g.plan.profile.has_endpoint)) {
		cm_where w = cfg->where;

		cm_diag_add(diags, CM_SEV_WARNING, &w,
			    "no namespace is known for %s, so the monitoring "
			    "objects have none and their rules match the service "
			    "in every namespace; set spec.namespace or give the "
			    "workload a namespace",
			    cfg->service);
	}

	/* Selectors and the aggregation level, from the profile. */
	if (cm_promql_selector(&g.sel, &g.plan.profile.selector, &g.plan, NULL) < 0 ||
	    cm_promql_selector(&g.rsel, &g.plan.profile.res_selector, &g.plan,
			       NULL) < 0)
		g.oom = 1;
	for (i = 0; i < g.plan.profile.selector.n; i++) {
		const cm_matcher *m = &g.plan.profile.selector.v[i];
		cm_matchers one = {(cm_matcher *)m, 1};
		size_t n = strlen(g.by);

		if (strcmp(m->op, "="))
			continue;
		snprintf(g.by + n, sizeof(g.by) - n, "%s%s", n ? ", " : "",
			 m->label);
		n = strlen(g.level);
		snprintf(g.level + n, sizeof(g.level) - n, "%s%s", n ? "_" : "",
			 m->label);
		if (g.recsel.len && cm_buf_adds(&g.recsel, ",") < 0)
			g.oom = 1;
		if (cm_promql_selector(&g.recsel, &one, &g.plan, NULL) < 0)
			g.oom = 1;
		/* A matcher left out (unknown namespace) leaves a comma. */
		if (g.recsel.len && g.recsel.data[g.recsel.len - 1] == ',')
			g.recsel.data[--g.recsel.len] = '\0';
	}
	if (!g.by[0]) {
		snprintf(g.by, sizeof(g.by), "namespace");
		snprintf(g.level, sizeof(g.level), "namespace");
	}
	if (g.plan.profile.requests_metric) {
		size_t n = strlen(g.plan.profile.requests_metric);

		snprintf(g.reqbase, sizeof(g.reqbase), "%.*s",
			 (int)(n > 6 && !strcmp(g.plan.profile.requests_metric + n - 6,
						"_total") ? n - 6 : n),
			 g.plan.profile.requests_metric);
	}

	if (g.plan.prometheus && g.plan.profile.has_endpoint)
		gpush(&g, &gen, gen_service_monitor(&g, items, wl, ls));
	if (g.plan.prometheus) {
		char group[300];
		size_t k;

		snprintf(group, sizeof(group), "%s", g.plan.service);
		for (k = 0; group[k]; k++)
			if (group[k] == '-')
				group[k] = '_';
		gen_records(&g, &recs);
		gen_alerts(&g, &alerts);
		if (recs.len)
			gpush(&g, &gen, gen_rule_object(&g, "recording-rules",
							gfmt(&g, "%s_recording", group),
							recs));
		if (alerts.len)
			gpush(&g, &gen, gen_rule_object(&g, "alert-rules",
							gfmt(&g, "%s_alerts", group),
							alerts));
	}
	if (g.plan.dynatrace) {
		if (g.plan.profile.has_dynatrace) {
			gpush(&g, &gen, gen_dynatrace(&g));
		} else {
			cm_where w = cfg->where;

			cm_diag_add(diags, CM_SEV_WARNING, &w,
				    "dynatrace is on but monitoring profile \"%s\" "
				    "has no dynatrace settings; no Dynatrace "
				    "ConfigMap is generated",
				    g.plan.profile.name);
		}
	}
	if (g.oom)
		goto oom;
	if (cm_labels_apply(a, &gen, ls, diags) < 0)
		goto out;
	for (i = 0; i < gen.len; i++)
		gupsert(&g, items, gen.u.kids[i]);
	if (g.oom)
		goto oom;
	rc = 0;
	goto out;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while generating monitoring objects");
out:
	cm_buf_free(&g.sel);
	cm_buf_free(&g.recsel);
	cm_buf_free(&g.rsel);
	cm_buf_free(&g.expr);
	return rc;
}
