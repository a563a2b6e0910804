/* monitoring.c - see monitoring.h for the contract. */
#include "monitoring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/item.h"
#include "../core/text.h"
#include "pdec.h"

const cm_burn cm_burns[4] = {
	{"1h", "5m", "14.4", 1},
	{"6h", "30m", "6", 1},
	{"1d", "2h", "3", 0},
	{"3d", "6h", "1", 0},
};

static const char *const cm_mplaceholders[] = {
	"{service}", "{namespace}", "{team}", "{environment}", "{alert}", NULL,
};

bool cm_prom_metric_name_ok(const char *s)
{
	size_t i;

	if (!s || !*s || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == ':'))
			return false;
	return true;
}

bool cm_prom_label_name_ok(const char *s)
{
	return cm_prom_metric_name_ok(s) && !strchr(s, ':') &&
	       strncmp(s, "__", 2) != 0;
}

/* ---- decoding ---- */

/* A mapping field, or NULL (reported when present but not a mapping). */
static const cm_node *cm_msub(cm_pdec *d, const cm_node *m, const char *key,
			      const char *path)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return NULL;
	if (v->kind != CM_MAP) {
		cm_perr(d, path, "field \"%s\" must be a mapping", path);
		return NULL;
	}
	return v;
}

/* A string field (default def when absent). */
static const char *cm_mstr(cm_pdec *d, const cm_node *m, const char *key,
			   const char *path, const char *def)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return def;
	if (v->kind != CM_SCALAR || v->len == 0) {
		cm_perr(d, path, "field \"%s\" must be a non-empty string",
			path);
		return def;
	}
	return v->u.str;
}

static bool cm_mbool(cm_pdec *d, const cm_node *m, const char *key,
		     const char *path, bool def)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return def;
	if (cm_scalar_is(v, "true"))
		return true;
	if (cm_scalar_is(v, "false"))
		return false;
	cm_perr(d, path, "field \"%s\" must be true or false", path);
	return def;
}

/* A decimal field; *has says whether it was there. */
static void cm_mnum(cm_pdec *d, const cm_node *m, const char *key,
		    const char *path, cm_dec *out, bool *has)
{
	const cm_node *v = cm_map_get(m, key);

	if (has)
		*has = false;
	if (!v)
		return;
	if (v->kind != CM_SCALAR || cm_dec_parse(v->u.str, out) < 0) {
		cm_perr(d, path, "field \"%s\" must be a number, not \"%s\"",
			path, v->kind == CM_SCALAR ? v->u.str : "a collection");
		return;
	}
	if (has)
		*has = true;
}

/*
 * A Kubernetes quantity: plain number, or with m, k, M, G, T (SI) or Ki,
 * Mi, Gi, Ti (binary) suffix. 0, or -1.
 */
static int cm_quantity(const char *s, cm_dec *out)
{
	static const struct {
		const char *suffix;
		const char *factor;
	} units[] = {
		{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"},
		{"Ti", "1099511627776"}, {"m", "0.001"}, {"k", "1000"},
		{"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"},
	};
	char num[64];
	size_t n = strlen(s), i;
	cm_dec v, f;

	if (n == 0 || n >= sizeof(num))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t sl = strlen(units[i].suffix);

		if (n > sl && !strcmp(s + n - sl, units[i].suffix)) {
			memcpy(num, s, n - sl);
			num[n - sl] = '\0';
			if (cm_dec_parse(num, &v) < 0 ||
			    cm_dec_parse(units[i].factor, &f) < 0)
				return -1;
			return cm_dec_mul(v, f, out);
		}
	}
	return cm_dec_parse(s, out);
}

static void cm_mqty(cm_pdec *d, const cm_node *m, const char *key,
		    const char *path, cm_dec *out, bool *ok)
{
	const cm_node *v = cm_map_get(m, key);

	*ok = false;
	if (!v)
		return;
	if (v->kind != CM_SCALAR || cm_quantity(v->u.str, out) < 0 ||
	    cm_dec_sign(*out) <= 0) {
		cm_perr(d, path,
			"field \"%s\" must be a positive Kubernetes quantity "
			"(e.g. 512M, 1Gi, 500m), not \"%s\"",
			path, v->kind == CM_SCALAR ? v->u.str : "a collection");
		return;
	}
	*ok = true;
}

/* Template text may use only the known placeholders. */
static void cm_mcheck_template(cm_pdec *d, const char *s, const char *path)
{
	const char *p = s;

	while ((p = strchr(p, '{')) != NULL) {
		const char *end = strchr(p, '}');
		size_t i, len;
		int found = 0;

		if (!end)
			break;
		len = (size_t)(end - p + 1);
		for (i = 0; cm_mplaceholders[i]; i++)
			if (len == strlen(cm_mplaceholders[i]) &&
			    !strncmp(p, cm_mplaceholders[i], len))
				found = 1;
		/* Regex repetitions like {5,10} are not placeholders. */
		if (!found && strspn(p + 1, "0123456789,") != len - 2) {
			cm_perr(d, path,
				"unknown placeholder \"%.*s\" in \"%s\"; use "
				"{service}, {namespace}, {team} or "
				"{environment}",
				(int)len, p, s);
		}
		p = end + 1;
	}
}

static void cm_mmatchers(cm_pdec *d, const cm_node *seq, const char *path,
			 cm_matchers *out)
{
	static const char *const ops[] = {"=", "!=", "=~", "!~", NULL};
	uint32_t i;

	out->v = NULL;
	out->n = 0;
	if (!seq)
		return;
	if (seq->kind != CM_SEQ) {
		cm_perr(d, path,
			"field \"%s\" must be a list of matchers like {label: "
			"service, value: '{service}'}",
			path);
		return;
	}
	out->v = cm_arena_alloc(d->arena, (seq->len ? seq->len : 1) *
						  sizeof(cm_matcher));
	if (!out->v) {
		cm_perr(d, path, "out of memory");
		return;
	}
	for (i = 0; i < seq->len; i++) {
		const cm_node *m = &seq->u.kids[i];
		cm_matcher *mt = &out->v[out->n];
		char p[300];

		snprintf(p, sizeof(p), "%s[%u]", path, i);
		if (m->kind != CM_MAP) {
			cm_perr(d, p, "field \"%s\" must be a mapping with "
				      "label, op and value", p);
			continue;
		}
		cm_pcheck_fields(d, m, p, cm_fd_mon_matcher);
		mt->label = cm_map_str(m, "label");
		mt->op = cm_map_str(m, "op");
		mt->value = cm_map_str(m, "value");
		if (!mt->op)
			mt->op = "=";
		if (!mt->label || !cm_prom_label_name_ok(mt->label)) {
			cm_perr(d, p,
				"matcher label \"%s\" is not a valid Prometheus "
				"label name ([a-zA-Z_][a-zA-Z0-9_]*)",
				mt->label ? mt->label : "");
			continue;
		}
		if (!cm_word_in(mt->op, ops)) {
			cm_perr(d, p, "matcher op \"%s\" must be =, !=, =~ or !~",
				mt->op);
			continue;
		}
		if (!mt->value)
			mt->value = "";
		cm_mcheck_template(d, mt->value, p);
		out->n++;
	}
}

static void cm_mstrings(cm_pdec *d, const cm_node *seq, const char *path,
			const char ***out, size_t *n)
{
	uint32_t i;

	*out = NULL;
	*n = 0;
	if (!seq)
		return;
	if (seq->kind != CM_SEQ) {
		cm_perr(d, path, "field \"%s\" must be a list of strings", path);
		return;
	}
	*out = cm_arena_alloc(d->arena, (seq->len ? seq->len : 1) * sizeof(char *));
	if (!*out)
		return;
	for (i = 0; i < seq->len; i++) {
		if (seq->u.kids[i].kind != CM_SCALAR) {
			cm_perr(d, path, "every entry of \"%s\" must be a string",
				path);
			continue;
		}
		(*out)[(*n)++] = seq->u.kids[i].u.str;
	}
}

int cm_mon_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			  cm_mon_profile *p, cm_diags *diags)
{
	const cm_node *spec = cm_map_get(e->node, "spec");
	const cm_node *m;
	cm_pdec d;

	memset(p, 0, sizeof(*p));
	cm_pdec_init(&d, a, diags, e, "monitoring profile");
	p->name = e->name;
	p->builtin = e->builtin;
	if (!spec || spec->kind != CM_MAP) {
		cm_perr(&d, "spec", "has no spec");
		return -1;
	}
	cm_pcheck_fields(&d, spec, "spec", cm_fd_mon_spec);
	p->description = cm_map_str(spec, "description");

	if ((m = cm_msub(&d, spec, "endpoint", "spec.endpoint"))) {
		cm_pcheck_fields(&d, m, "spec.endpoint", cm_fd_mon_endpoint);
		p->has_endpoint = true;
		p->port = cm_mstr(&d, m, "port", "spec.endpoint.port", NULL);
		p->path = cm_mstr(&d, m, "path", "spec.endpoint.path", "/metrics");
		p->interval = cm_mstr(&d, m, "interval",
				      "spec.endpoint.interval", "30s");
		p->scheme = cm_mstr(&d, m, "scheme", "spec.endpoint.scheme",
				    "http");
		if (!p->port)
			cm_perr(&d, "spec.endpoint.port",
				"the endpoint needs the name of the Service port "
				"to scrape (e.g. port: http)");
		if (strcmp(p->scheme, "http") && strcmp(p->scheme, "https"))
			cm_perr(&d, "spec.endpoint.scheme",
				"field \"spec.endpoint.scheme\" must be http or "
				"https, not \"%s\"",
				p->scheme);
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.endpoint.selector", &p->selector);
	}
	if ((m = cm_msub(&d, spec, "traffic", "spec.traffic"))) {
		cm_matchers sel;

		cm_pcheck_fields(&d, m, "spec.traffic", cm_fd_mon_traffic);
		p->has_traffic = true;
		p->requests_metric = cm_mstr(&d, m, "requestsMetric",
					     "spec.traffic.requestsMetric", NULL);
		p->latency_metric = cm_mstr(&d, m, "latencyMetric",
					    "spec.traffic.latencyMetric", NULL);
		if (!p->requests_metric ||
		    !cm_prom_metric_name_ok(p->requests_metric))
			cm_perr(&d, "spec.traffic.requestsMetric",
				"field \"spec.traffic.requestsMetric\" must be a "
				"valid Prometheus metric name, not \"%s\"",
				p->requests_metric ? p->requests_metric : "");
		if (p->latency_metric &&
		    !cm_prom_metric_name_ok(p->latency_metric))
			cm_perr(&d, "spec.traffic.latencyMetric",
				"field \"spec.traffic.latencyMetric\" must be a "
				"valid Prometheus metric name, not \"%s\"",
				p->latency_metric);
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.traffic.selector", &sel);
		if (sel.n)
			p->selector = sel; /* traffic selector wins */
		cm_mmatchers(&d, cm_map_get(m, "errors"), "spec.traffic.errors",
			     &p->errors);
		if (!p->errors.n)
			cm_perr(&d, "spec.traffic.errors",
				"the traffic needs matchers that mark a failed "
				"request, e.g. [{label: code, op: '=~', value: "
				"'5..'}]");
	}
	if (!p->selector.n && (p->has_endpoint || p->has_traffic))
		cm_perr(&d, "spec.traffic.selector",
			"no label matchers select the service's series; set "
			"spec.traffic.selector or spec.endpoint.selector");
	if ((m = cm_msub(&d, spec, "slo", "spec.slo"))) {
		cm_pcheck_fields(&d, m, "spec.slo", cm_fd_mon_slo);
		cm_mnum(&d, m, "availability", "spec.slo.availability",
			&p->availability, &p->has_availability);
		cm_mnum(&d, m, "errorRate", "spec.slo.errorRate", &p->error_rate,
			&p->has_error_rate);
		cm_mnum(&d, m, "latencyP95ms", "spec.slo.latencyP95ms",
			&p->latency_ms, &p->has_latency);
		p->window = cm_mstr(&d, m, "window", "spec.slo.window", "30d");
	} else {
		p->window = "30d";
	}
	if ((m = cm_msub(&d, spec, "resources", "spec.resources"))) {
		const cm_node *sz;
		bool ok1, ok2, hw;
		uint32_t i;

		cm_pcheck_fields(&d, m, "spec.resources", cm_fd_mon_resources);
		p->has_resources = true;
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.resources.selector", &p->res_selector);
		if (!p->res_selector.n)
			cm_perr(&d, "spec.resources.selector",
				"resource alerts need matchers for the service's "
				"pods, e.g. {label: pod, op: '=~', value: "
				"'{service}-.*'}");
		cm_mqty(&d, m, "memory", "spec.resources.memory",
			&p->memory_bytes, &ok1);
		cm_mqty(&d, m, "cpu", "spec.resources.cpu", &p->cpu_cores, &ok2);
		if (!cm_map_get(m, "memory") || !cm_map_get(m, "cpu"))
			cm_perr(&d, "spec.resources",
				"resource alerts need both memory and cpu base "
				"thresholds");
		cm_mnum(&d, m, "warningPercent",
			"spec.resources.warningPercent", &p->warning_percent, &hw);
		if (!hw)
			cm_dec_parse("80", &p->warning_percent);
		else if (cm_dec_sign(p->warning_percent) <= 0 ||
			 cm_dec_cmp(p->warning_percent, cm_dec_int(100)) >= 0)
			cm_perr(&d, "spec.resources.warningPercent",
				"field \"spec.resources.warningPercent\" must be "
				"between 0 and 100 (exclusive)");
		sz = cm_map_get(m, "sizes");
		if (sz && sz->kind == CM_MAP && sz->len) {
			p->sizes = cm_arena_alloc(a, sz->len * sizeof(cm_mon_size));
			for (i = 0; p->sizes && i < sz->len; i++) {
				const cm_node *k = &sz->u.kids[2 * i];
				const cm_node *v = &sz->u.kids[2 * i + 1];
				char path[200];

				snprintf(path, sizeof(path),
					 "spec.resources.sizes.%s",
					 k->kind == CM_SCALAR ? k->u.str : "?");
				if (k->kind != CM_SCALAR || v->kind != CM_SCALAR ||
				    cm_dec_parse(v->u.str,
						 &p->sizes[p->n_sizes].multiplier) < 0 ||
				    cm_dec_sign(p->sizes[p->n_sizes].multiplier) <= 0) {
					cm_perr(&d, path,
						"field \"%s\" must be a number > 0",
						path);
					continue;
				}
				p->sizes[p->n_sizes++].name = k->u.str;
			}
		} else if (sz) {
			cm_perr(&d, "spec.resources.sizes",
				"field \"spec.resources.sizes\" must map sizes to "
				"multipliers, e.g. {small: 0.75, medium: 1}");
		}
	}
	if ((m = cm_msub(&d, spec, "alerts", "spec.alerts"))) {
		cm_pcheck_fields(&d, m, "spec.alerts", cm_fd_mon_alerts);
		p->crash_looping = cm_mbool(&d, m, "crashLooping",
					    "spec.alerts.crashLooping", true);
		p->job_failures = cm_mbool(&d, m, "jobFailures",
					   "spec.alerts.jobFailures", false);
		p->runbook_url = cm_mstr(&d, m, "runbookUrl",
					 "spec.alerts.runbookUrl", NULL);
		if (p->runbook_url)
			cm_mcheck_template(&d, p->runbook_url,
					   "spec.alerts.runbookUrl");
	} else {
		p->crash_looping = p->has_resources;
	}
	p->labels = cm_msub(&d, spec, "labels", "spec.labels");
	p->annotations = cm_msub(&d, spec, "annotations", "spec.annotations");
	if ((m = cm_msub(&d, spec, "dynatrace", "spec.dynatrace"))) {
		cm_pcheck_fields(&d, m, "spec.dynatrace", cm_fd_mon_dynatrace);
		p->has_dynatrace = true;
		cm_mstrings(&d, cm_map_get(m, "technologies"),
			    "spec.dynatrace.technologies", &p->technologies,
			    &p->n_technologies);
		cm_mstrings(&d, cm_map_get(m, "requestAttributes"),
			    "spec.dynatrace.requestAttributes",
			    &p->request_attributes, &p->n_request_attributes);
	}
	return d.errors ? -1 : 0;
}

/* ---- expansion ---- */

/* "payment-processor" -> "PaymentProcessor". Arena string or NULL. */
static const char *cm_camel(cm_arena *a, const char *s)
{
	char out[128];
	size_t n = 0;
	int up = 1;

	for (; *s && n + 1 < sizeof(out); s++) {
		if (*s == '-' || *s == '_' || *s == '.') {
			up = 1;
			continue;
		}
		out[n++] = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		up = 0;
	}
	return cm_arena_strndup(a, out, n);
}

/*
 * Check one SLO and derive its budget. kind: 0 availability (budget
 * 1 - A/100), 1 error rate (E/100), 2 latency p95 (0.05). path is the
 * field the objective came from (an override), or NULL when it is the
 * profile's default. Reports errors and warnings. Returns 0 or -1.
 */
static int cm_slo_setup(cm_slo *s, int kind, const char *env,
			const char *path, const char *profile,
			const cm_config *cfg, cm_diags *diags)
{
	cm_where w = cfg->where;
	char a[CM_DEC_BUFSZ], b[CM_DEC_BUFSZ], from[200];
	cm_dec hundred = cm_dec_int(100), tmp;
	size_t i;

	w.field_path = path;
	if (path)
		snprintf(from, sizeof(from), "%s", path);
	else
		snprintf(from, sizeof(from), "monitoring profile \"%s\"",
			 profile);
	cm_dec_format(s->objective, a);
	if (kind == 2) {
		if (cm_dec_sign(s->objective) <= 0) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "latency objective %s ms for %s (from %s) "
				    "must be greater than 0",
				    a, env, from);
			return -1;
		}
		cm_dec_parse("0.05", &s->budget);
		return 0;
	}
	if (cm_dec_sign(s->objective) <= 0 ||
	    cm_dec_cmp(s->objective, hundred) >= 0) {
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%s objective %s%% for %s (from %s) must be "
			    "between 0 and 100 (exclusive), e.g. %s",
			    kind == 0 ? "availability" : "error rate", a, env,
			    from, kind == 0 ? "99.9" : "0.1");
		return -1;
	}
	if (kind == 0) {
		if (cm_dec_sub(hundred, s->objective, &tmp) < 0 ||
		    cm_dec_shift(tmp, 2, &s->budget) < 0)
			return -1;
	} else if (cm_dec_shift(s->objective, 2, &s->budget) < 0) {
		return -1;
	}
	for (i = 0; i < 4; i++) {
		cm_dec f, t;

		cm_dec_parse(cm_burns[i].factor, &f);
		if (cm_dec_mul(f, s->budget, &t) < 0 ||
		    cm_dec_cmp(t, cm_dec_int(1)) >= 0)
			cm_diag_add(diags, CM_SEV_WARNING, &w,
				    "%s objective %s%% for %s (from %s) leaves "
				    "an error budget of %s: a %sx burn rate "
				    "(%s/%s windows) would need more than 100%% "
				    "bad requests, so that alert can never fire "
				    "and is left out; use a stricter objective",
				    kind == 0 ? "availability" : "error rate", a,
				    env, from, cm_dec_format(s->budget, b),
				    cm_burns[i].factor, cm_burns[i].long_w,
				    cm_burns[i].short_w);
	}
	return 0;
}

/* Seconds of a Prometheus duration like "30s", "1m", "1h"; 0 if not one. */
static long cm_duration_s(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v <= 0)
		return 0;
	if (!strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return 0;
}

/*
 * Availability is measured from `up`: one scrape of one target is one
 * sample. When a single failed scrape in an hour is already above the
 * 14.4x page threshold, the objective is finer than the signal: say so.
 */
static void cm_check_resolution(const cm_mon_plan *plan, const cm_config *cfg,
				cm_diags *diags)
{
	long secs = plan->profile.interval ? cm_duration_s(plan->profile.interval)
					   : 0;
	cm_dec f, t, one_in;
	char obj[CM_DEC_BUFSZ], th[CM_DEC_BUFSZ];
	cm_where w = cfg->where;

	if (!plan->availability.on || secs <= 0 || secs > 3600)
		return;
	cm_dec_parse("14.4", &f);
	if (cm_dec_mul(f, plan->availability.budget, &t) < 0 ||
	    cm_dec_div(cm_dec_int(1), cm_dec_int(3600 / secs), 6, &one_in) < 0 ||
	    cm_dec_cmp(one_in, t) <= 0)
		return;
	cm_dec_format(plan->availability.objective, obj);
	cm_dec_format(t, th);
	cm_diag_add(diags, CM_SEV_WARNING, &w,
		    "availability objective %s%% for %s is finer than up-based "
		    "availability can measure: a target scraped every %s gives "
		    "%ld samples an hour, so one failed scrape (1/%ld) is already "
		    "above the page threshold %s and pages; use a looser "
		    "availability objective, scrape more often, or rely on the "
		    "error-rate SLO for this precision",
		    obj, plan->environment, plan->profile.interval, 3600 / secs,
		    3600 / secs, th);
}

int cm_mon_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		  const char *namespace_, cm_mon_plan *plan, cm_diags *diags)
{
	const cm_catalog_entry *e;
	const cm_slo_override *ov = NULL;
	cm_where w = cfg->where;
	char list[512], path[128];
	size_t i;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	e = cm_catalog_find(cat, "MonitoringProfile", cfg->monitoring_profile);
	if (!e) {
		cm_catalog_names(cat, "MonitoringProfile", list, sizeof(list));
		w.field_path = cm_config_path(cfg, "monitoringProfile",
					      "monitoringProfile", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "unknown monitoring profile \"%s\"; known profiles: "
			    "%s (or define it as a MonitoringProfile item "
			    "marked config.kubernetes.io/local-config: \"true\")",
			    cfg->monitoring_profile, list);
		return -1;
	}
	if (cm_mon_profile_decode(a, e, &plan->profile, diags) < 0)
		return -1;
	plan->service = cfg->service;
	plan->team = cfg->team;
	plan->environment = cfg->environment;
	plan->namespace_ = namespace_;
	plan->size = cfg->size && *cfg->size ? cfg->size : "medium";
	plan->prometheus = cfg->prometheus != 0; /* default on */
	plan->dynatrace = cfg->dynatrace == 1;
	plan->alert_prefix = cm_camel(a, cfg->service);
	if (!plan->alert_prefix)
		return -1;

	/* SLOs: the profile's defaults, then the environment's overrides. */
	for (i = 0; i < cfg->n_overrides; i++)
		if (!strcmp(cfg->overrides[i].environment, cfg->environment))
			ov = &cfg->overrides[i];
	if (plan->profile.has_traffic) {
		struct {
			cm_slo *slo;
			bool has;
			cm_dec def;
			const char *over, *field;
			int kind;
		} s[3] = {
			{&plan->availability, plan->profile.has_availability,
			 plan->profile.availability, ov ? ov->availability : NULL,
			 "sloAvailability", 0},
			{&plan->error_rate, plan->profile.has_error_rate,
			 plan->profile.error_rate, ov ? ov->error_rate : NULL,
			 "sloErrorRate", 1},
			{&plan->latency,
			 plan->profile.has_latency && plan->profile.latency_metric,
			 plan->profile.latency_ms, ov ? ov->latency_p95_ms : NULL,
			 "sloLatencyP95ms", 2},
		};

		for (i = 0; i < 3; i++) {
			s[i].slo->on = s[i].has || s[i].over;
			s[i].slo->objective = s[i].def;
			if (s[i].over && cfg->form == CM_CONFIG_CONFIGMAP)
				snprintf(path, sizeof(path), "data.%s",
					 s[i].field);
			else if (s[i].over)
				snprintf(path, sizeof(path),
					 "spec.monitoring.overrides.%s.%s",
					 cfg->environment, s[i].field);
			if (s[i].over &&
			    cm_dec_parse(s[i].over, &s[i].slo->objective) < 0) {
				w.field_path = path;
				cm_diag_add(diags, CM_SEV_ERROR, &w,
					    "%s \"%s\" %s; write a number such "
					    "as %s",
					    path, s[i].over,
					    cm_dec_why(s[i].over),
					    s[i].kind == 0   ? "99.9"
					    : s[i].kind == 1 ? "0.1"
							     : "300");
				rc = -1;
				continue;
			}
			if (i == 2 && s[i].over && !plan->profile.latency_metric) {
				w.field_path = path;
				cm_diag_add(diags, CM_SEV_WARNING, &w,
					    "monitoring profile \"%s\" has no "
					    "latency histogram, so %s is not "
					    "used; set spec.traffic.latencyMetric",
					    plan->profile.name, s[i].field);
				s[i].slo->on = false;
			}
			if (s[i].over && cfg->form == CM_CONFIG_CONFIGMAP)
				snprintf(path, sizeof(path), "data.%s",
					 s[i].field);
			else if (s[i].over)
				snprintf(path, sizeof(path),
					 "spec.monitoring.overrides.%s.%s",
					 cfg->environment, s[i].field);
			if (s[i].slo->on &&
			    cm_slo_setup(s[i].slo, s[i].kind, cfg->environment,
					 s[i].over ? path : NULL,
					 plan->profile.name, cfg, diags) < 0)
				rc = -1;
		}
	} else if (ov && (ov->availability || ov->error_rate ||
			  ov->latency_p95_ms)) {
		w.field_path = NULL;
		cm_diag_add(diags, CM_SEV_WARNING, &w,
			    "monitoring profile \"%s\" measures no HTTP traffic, "
			    "so the SLO overrides for %s are not used",
			    plan->profile.name, cfg->environment);
	}

	if (rc == 0 && plan->prometheus)
		cm_check_resolution(plan, cfg, diags);
	if (plan->profile.has_resources) {
		cm_dec mult = cm_dec_int(1), pct;
		bool found = plan->profile.n_sizes == 0;

		for (i = 0; i < plan->profile.n_sizes; i++)
			if (!strcmp(plan->profile.sizes[i].name, plan->size)) {
				mult = plan->profile.sizes[i].multiplier;
				found = true;
			}
		if (!found) {
			const char *names[32];

			for (i = 0; i < plan->profile.n_sizes && i < 31; i++)
				names[i] = plan->profile.sizes[i].name;
			names[i] = NULL;
			cm_join(list, sizeof(list), names);
			w.field_path = cm_config_path(cfg, "size", "size", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "size \"%s\" is not in monitoring profile "
				    "\"%s\"; allowed sizes: %s",
				    plan->size, plan->profile.name, list);
			return -1;
		}
		if (cm_dec_mul(plan->profile.memory_bytes, mult,
			       &plan->memory_bytes) < 0 ||
		    cm_dec_mul(plan->profile.cpu_cores, mult,
			       &plan->cpu_cores) < 0 ||
		    cm_dec_mul(plan->memory_bytes, plan->profile.warning_percent,
			       &pct) < 0 ||
		    cm_dec_shift(pct, 2, &plan->memory_warning) < 0 ||
		    cm_dec_mul(plan->cpu_cores, plan->profile.warning_percent,
			       &pct) < 0 ||
		    cm_dec_shift(pct, 2, &plan->cpu_warning) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "resource thresholds of monitoring profile "
				    "\"%s\" do not fit an exact decimal",
				    plan->profile.name);
			return -1;
		}
	}
	return rc;
}

/* ---- PromQL ---- */

int cm_promql_quote(cm_buf *out, const char *s)
{
	if (cm_buf_add(out, "\"", 1) < 0)
		return -1;
	for (; *s; s++) {
		const char *esc = NULL;
		char one = *s;

		switch (*s) {
		case '\\':
			esc = "\\\\";
			break;
		case '"':
			esc = "\\\"";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			break;
		}
		if (esc ? cm_buf_adds(out, esc) < 0 : cm_buf_add(out, &one, 1) < 0)
			return -1;
	}
	return cm_buf_add(out, "\"", 1);
}

/* Append value with placeholders filled in; regex-escaped for =~/!~. */
static int cm_fill(cm_buf *out, const char *t, const cm_mon_plan *plan,
		   int regex)
{
	const char *vals[] = {plan->service, plan->namespace_, plan->team,
			      plan->environment, ""};

	while (*t) {
		size_t i;
		int hit = 0;

		for (i = 0; cm_mplaceholders[i]; i++) {
			size_t pl = strlen(cm_mplaceholders[i]);

			if (!strncmp(t, cm_mplaceholders[i], pl)) {
				const char *v = vals[i] ? vals[i] : "";

				for (; *v; v++) {
					if (regex && strchr(".+*?()[]{}|^$\\", *v) &&
					    cm_buf_add(out, "\\", 1) < 0)
						return -1;
					if (cm_buf_add(out, v, 1) < 0)
						return -1;
				}
				t += pl;
				hit = 1;
				break;
			}
		}
		if (!hit && cm_buf_add(out, t++, 1) < 0)
			return -1;
	}
	return 0;
}

int cm_promql_selector(cm_buf *out, const cm_matchers *m,
		       const cm_mon_plan *plan, const char *extra)
{
	cm_buf val;
	size_t i;
	int first = 1, rc = -1;

	cm_buf_init(&val, 64 * 1024);
	for (i = 0; i < m->n; i++) {
		const cm_matcher *mt = &m->v[i];
		int regex = mt->op[1] == '~';

		if (!plan->namespace_ && strstr(mt->value, "{namespace}"))
			continue;
		cm_buf_reset(&val);
		if (cm_fill(&val, mt->value, plan, regex) < 0)
			goto out;
		if ((!first && cm_buf_adds(out, ",") < 0) ||
		    cm_buf_adds(out, mt->label) < 0 ||
		    cm_buf_adds(out, mt->op) < 0 ||
		    cm_promql_quote(out, val.data ? val.data : "") < 0)
			goto out;
		first = 0;
	}
	if (extra && *extra &&
	    ((!first && cm_buf_adds(out, ",") < 0) || cm_buf_adds(out, extra) < 0))
		goto out;
	rc = 0;
out:
	cm_buf_free(&val);
	return rc;
}
