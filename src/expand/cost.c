/* cost.c - see cost.h for the contract. */
#include "cost.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/item.h"
#include "../core/text.h"
#include "pdec.h"

const char *const cm_channel_names[CM_CH_COUNT + 1] = {
	"teams", "email", "pagerduty", "slack", NULL,
};

static const char *const cm_severities[] = {
	"info", "warning", "critical", NULL,
};
static const char *const cm_periods[] = {
	"monthly", "quarterly", "yearly", NULL,
};
static const char *const cm_scopes[] = {
	"perRegion", "shared", NULL,
};
static const char *const cm_placeholders[] = {
	"{service}", "{team}", "{costOwner}", "{environment}", NULL,
};

/* A decimal field >= 0 (or > 0 when positive). true when stored. */
static bool cm_pnum(cm_pdec *d, const cm_node *v, const char *path,
		    bool positive, cm_dec *out)
{
	if (!v || v->kind != CM_SCALAR || cm_dec_parse(v->u.str, out) < 0) {
		cm_perr(d, path, "field \"%s\" must be a number%s, not %s%s%s",
			path, positive ? " > 0" : " >= 0",
			v && v->kind == CM_SCALAR ? "\"" : "",
			v ? (v->kind == CM_SCALAR ? v->u.str : "a collection")
			  : "nothing",
			v && v->kind == CM_SCALAR ? "\"" : "");
		return false;
	}
	if (cm_dec_sign(*out) < 0 || (positive && cm_dec_sign(*out) == 0)) {
		cm_perr(d, path, "field \"%s\" must be a number%s, not %s",
			path, positive ? " > 0" : " >= 0", v->u.str);
		return false;
	}
	return true;
}

/* A template string may only use the known placeholders. */
static void cm_pcheck_template(cm_pdec *d, const char *s, const char *path)
{
	const char *p = s;

	while ((p = strchr(p, '{')) != NULL) {
		const char *end = strchr(p, '}');
		size_t i;
		int found = 0;

		if (!end)
			break;
		for (i = 0; cm_placeholders[i]; i++)
			if ((size_t)(end - p + 1) == strlen(cm_placeholders[i]) &&
			    !strncmp(p, cm_placeholders[i],
				     strlen(cm_placeholders[i])))
				found = 1;
		if (!found) {
			char list[128];

			cm_join(list, sizeof(list), cm_placeholders);
			cm_perr(d, path,
				"unknown placeholder \"%.*s\" in \"%s\"; use "
				"one of %s",
				(int)(end - p + 1), p, s, list);
		}
		p = end + 1;
	}
}

static void cm_decode_envs(cm_pdec *d, const cm_node *m, cm_cost_profile *p)
{
	uint32_t i;

	if (!m || m->kind != CM_MAP || m->len == 0) {
		cm_perr(d, "spec.environments",
			"field \"spec.environments\" must map each environment "
			"to its budget, e.g. prod: {base: 3000, min: 300, max: "
			"50000}");
		return;
	}
	p->envs = cm_arena_alloc(d->arena, m->len * sizeof(cm_cost_env));
	if (!p->envs) {
		cm_perr(d, "spec.environments", "out of memory");
		return;
	}
	for (i = 0; i < m->len; i++) {
		const cm_node *k = &m->u.kids[2 * i];
		const cm_node *v = &m->u.kids[2 * i + 1];
		cm_cost_env *e = &p->envs[p->n_envs];
		char path[256], fpath[300];
		bool ok = true;

		memset(e, 0, sizeof(*e));
		e->name = k->kind == CM_SCALAR ? k->u.str : "?";
		snprintf(path, sizeof(path), "spec.environments.%s", e->name);
		if (v->kind != CM_MAP) {
			cm_perr(d, path,
				"field \"%s\" must be a mapping with base, min "
				"and max",
				path);
			continue;
		}
		cm_pcheck_fields(d, v, path, cm_fd_cost_env);
		snprintf(fpath, sizeof(fpath), "%s.base", path);
		if (!cm_map_get(v, "base")) {
			cm_perr(d, fpath,
				"environment \"%s\" has no base budget; add "
				"\"base\"",
				e->name);
			ok = false;
		} else {
			ok &= cm_pnum(d, cm_map_get(v, "base"), fpath, false,
				      &e->base);
		}
		if (cm_map_get(v, "min")) {
			snprintf(fpath, sizeof(fpath), "%s.min", path);
			ok &= e->has_min = cm_pnum(d, cm_map_get(v, "min"),
						   fpath, false, &e->min);
		}
		if (cm_map_get(v, "max")) {
			snprintf(fpath, sizeof(fpath), "%s.max", path);
			ok &= e->has_max = cm_pnum(d, cm_map_get(v, "max"),
						   fpath, false, &e->max);
		}
		if (ok && e->has_min && e->has_max &&
		    cm_dec_cmp(e->min, e->max) > 0) {
			char a[CM_DEC_BUFSZ], b[CM_DEC_BUFSZ];

			cm_perr(d, path,
				"environment \"%s\" has min %s above max %s; "
				"swap them",
				e->name, cm_dec_format(e->min, a),
				cm_dec_format(e->max, b));
		}
		p->n_envs++;
	}
}

static void cm_decode_sizes(cm_pdec *d, const cm_node *m, cm_cost_profile *p)
{
	uint32_t i;

	if (!m || m->kind != CM_MAP || m->len == 0) {
		cm_perr(d, "spec.sizes",
			"field \"spec.sizes\" must map each size to its "
			"multiplier, e.g. {small: 0.5, medium: 1, large: 2}");
		return;
	}
	p->sizes = cm_arena_alloc(d->arena, m->len * sizeof(cm_cost_size));
	if (!p->sizes) {
		cm_perr(d, "spec.sizes", "out of memory");
		return;
	}
	for (i = 0; i < m->len; i++) {
		const cm_node *k = &m->u.kids[2 * i];
		cm_cost_size *s = &p->sizes[p->n_sizes];
		char path[256];

		s->name = k->kind == CM_SCALAR ? k->u.str : "?";
		snprintf(path, sizeof(path), "spec.sizes.%s", s->name);
		if (cm_pnum(d, &m->u.kids[2 * i + 1], path, true,
			    &s->multiplier))
			p->n_sizes++;
	}
}

/* A channel list: a string or a list of strings. */
static void cm_decode_channel(cm_pdec *d, const cm_node *v, const char *path,
			      const char ***out, size_t *n)
{
	uint32_t i, count = v->kind == CM_SEQ ? v->len : 1;

	if (v->kind == CM_MAP) {
		cm_perr(d, path,
			"field \"%s\" must be a list of strings, not a mapping",
			path);
		return;
	}
	*out = cm_arena_alloc(d->arena, (count ? count : 1) * sizeof(char *));
	if (!*out) {
		cm_perr(d, path, "out of memory");
		return;
	}
	for (i = 0; i < count; i++) {
		const cm_node *s = v->kind == CM_SEQ ? &v->u.kids[i] : v;

		if (s->kind != CM_SCALAR || s->len == 0) {
			cm_perr(d, path,
				"every entry of \"%s\" must be a non-empty "
				"string",
				path);
			continue;
		}
		cm_pcheck_template(d, s->u.str, path);
		(*out)[(*n)++] = s->u.str;
	}
}

static void cm_decode_alerts(cm_pdec *d, const cm_node *seq,
			     cm_cost_profile *p)
{
	uint32_t i, j;

	if (!seq)
		return;
	if (seq->kind != CM_SEQ) {
		cm_perr(d, "spec.alerts",
			"field \"spec.alerts\" must be a list of alert rules "
			"(threshold, severity, channels)");
		return;
	}
	p->alerts = cm_arena_alloc(d->arena,
				   (seq->len ? seq->len : 1) * sizeof(cm_cost_alert));
	if (!p->alerts) {
		cm_perr(d, "spec.alerts", "out of memory");
		return;
	}
	for (i = 0; i < seq->len; i++) {
		const cm_node *m = &seq->u.kids[i];
		cm_cost_alert *al = &p->alerts[p->n_alerts];
		const cm_node *v;
		char path[64], fpath[128];
		bool ok = true;

		memset(al, 0, sizeof(*al));
		snprintf(path, sizeof(path), "spec.alerts[%u]", i);
		if (m->kind != CM_MAP) {
			cm_perr(d, path, "field \"%s\" must be a mapping", path);
			continue;
		}
		cm_pcheck_fields(d, m, path, cm_fd_cost_alert);
		snprintf(fpath, sizeof(fpath), "%s.threshold", path);
		ok &= cm_pnum(d, cm_map_get(m, "threshold"), fpath, true,
			      &al->threshold);
		snprintf(fpath, sizeof(fpath), "%s.severity", path);
		al->severity = cm_map_str(m, "severity");
		if (!al->severity || !cm_word_in(al->severity, cm_severities)) {
			cm_perr(d, fpath,
				"field \"%s\" must be info, warning or critical, "
				"not \"%s\"",
				fpath, al->severity ? al->severity : "");
			ok = false;
		}
		al->name = cm_map_str(m, "name");
		if (!al->name && ok) {
			char tmp[CM_DEC_BUFSZ + 32], num[CM_DEC_BUFSZ];

			snprintf(tmp, sizeof(tmp), "%s-%s", al->severity,
				 cm_dec_format(al->threshold, num));
			al->name = cm_arena_strndup(d->arena, tmp, strlen(tmp));
		}
		v = cm_map_get(m, "channels");
		if (v && v->kind == CM_MAP) {
			for (j = 0; j < v->len; j++) {
				const cm_node *ck = &v->u.kids[2 * j];
				int kind = -1, c;

				for (c = 0; c < CM_CH_COUNT; c++)
					if (cm_scalar_is(ck, cm_channel_names[c]))
						kind = c;
				snprintf(fpath, sizeof(fpath),
					 "%s.channels.%s", path,
					 ck->kind == CM_SCALAR ? ck->u.str : "?");
				if (kind < 0) {
					char list[128];

					cm_join(list, sizeof(list),
						cm_channel_names);
					cm_perr(d, fpath,
						"unknown channel kind \"%s\"; "
						"use %s",
						ck->kind == CM_SCALAR ? ck->u.str
								      : "?",
						list);
					continue;
				}
				cm_decode_channel(d, &v->u.kids[2 * j + 1],
						  fpath, &al->channels[kind],
						  &al->n_channels[kind]);
			}
		} else if (v) {
			snprintf(fpath, sizeof(fpath), "%s.channels", path);
			cm_perr(d, fpath,
				"field \"%s\" must map channel kinds (teams, "
				"email, pagerduty, slack) to lists",
				fpath);
		}
		if (ok)
			p->n_alerts++;
	}
}

int cm_cost_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			   cm_cost_profile *p, cm_diags *diags)
{
	const cm_node *spec = cm_map_get(e->node, "spec");
	cm_pdec d;

	memset(p, 0, sizeof(*p));
	cm_pdec_init(&d, a, diags, e, "cost profile");
	p->name = e->name;
	p->builtin = e->builtin;
	if (!spec || spec->kind != CM_MAP) {
		cm_perr(&d, "spec",
			"has no spec; a CostProfile needs spec.currency, "
			"spec.environments and spec.sizes");
		return -1;
	}
	cm_pcheck_fields(&d, spec, "spec", cm_fd_cost_spec);
	p->description = cm_map_str(spec, "description");
	p->currency = cm_map_str(spec, "currency");
	if (!p->currency || strlen(p->currency) != 3 ||
	    strspn(p->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		cm_perr(&d, "spec.currency",
			"field \"spec.currency\" must be a three-letter ISO 4217 "
			"code such as USD or EUR, not \"%s\"",
			p->currency ? p->currency : "");
	p->period = cm_map_str(spec, "period");
	if (!p->period)
		p->period = "monthly";
	else if (!cm_word_in(p->period, cm_periods))
		cm_perr(&d, "spec.period",
			"field \"spec.period\" must be monthly, quarterly or "
			"yearly, not \"%s\"",
			p->period);
	p->scope = cm_map_str(spec, "budgetScope");
	if (!p->scope)
		p->scope = "perRegion";
	else if (!cm_word_in(p->scope, cm_scopes))
		cm_perr(&d, "spec.budgetScope",
			"field \"spec.budgetScope\" must be perRegion (each "
			"region has its own budget) or shared (one budget for "
			"all regions), not \"%s\"",
			p->scope);
	p->prometheus_alerts = true;
	{
		const cm_node *pa = cm_map_get(spec, "prometheusAlerts");

		if (pa && cm_scalar_is(pa, "false"))
			p->prometheus_alerts = false;
		else if (pa && !cm_scalar_is(pa, "true"))
			cm_perr(&d, "spec.prometheusAlerts",
				"field \"spec.prometheusAlerts\" must be true "
				"or false, not %s%s%s",
				pa->kind == CM_SCALAR ? "\"" : "",
				pa->kind == CM_SCALAR ? pa->u.str
						      : cm_node_shape(pa),
				pa->kind == CM_SCALAR ? "\"" : "");
	}
	cm_decode_envs(&d, cm_map_get(spec, "environments"), p);
	cm_decode_sizes(&d, cm_map_get(spec, "sizes"), p);
	cm_decode_alerts(&d, cm_map_get(spec, "alerts"), p);
	return d.errors ? -1 : 0;
}

/* ---- expansion ---- */

/* Substitute placeholders in t. Returns an arena string or NULL. */
static const char *cm_subst(cm_arena *a, const char *t,
			    const cm_cost_plan *plan)
{
	const char *vals[] = {plan->service, plan->team, plan->cost_owner,
			      plan->environment};
	char out[1024];
	size_t n = 0, i;

	while (*t && n + 1 < sizeof(out)) {
		int hit = 0;

		for (i = 0; cm_placeholders[i]; i++) {
			size_t pl = strlen(cm_placeholders[i]);
			size_t vl = strlen(vals[i]);

			if (!strncmp(t, cm_placeholders[i], pl)) {
				if (n + vl >= sizeof(out))
					return NULL;
				memcpy(out + n, vals[i], vl);
				n += vl;
				t += pl;
				hit = 1;
				break;
			}
		}
		if (!hit)
			out[n++] = *t++;
	}
	if (*t)
		return NULL;
	return cm_arena_strndup(a, out, n);
}

/* DNS-1123 label: [a-z0-9-], alphanumeric at both ends, 1-63 chars. */
static bool cm_dns_label(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* A plausible email address: local@domain.tld, no spaces. */
static bool cm_email(const char *s)
{
	const char *at = strchr(s, '@'), *dot;

	if (!at || at == s || strchr(at + 1, '@') || strpbrk(s, " \t<>,;"))
		return false;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0';
}

typedef struct cm_xctx {
	cm_diags *diags;
	const cm_config *cfg;
	cm_where where;
	int errors;
} cm_xctx;

static void cm_xerr(cm_xctx *x, const char *typed, const char *flat,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void cm_xerr(cm_xctx *x, const char *typed, const char *flat,
		    const char *fmt, ...)
{
	char path[128], msg[1024];
	cm_where w = x->where;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (typed)
		w.field_path = cm_config_path(x->cfg, typed, flat, path,
					      sizeof(path));
	cm_diag_add(x->diags, CM_SEV_ERROR, &w, "%s", msg);
	x->errors++;
}

/* Report a missing required field. */
static void cm_require(cm_xctx *x, const char *v, const char *typed,
		       const char *flat, const char *what)
{
	char path[128];

	if (v && *v)
		return;
	cm_xerr(x, typed, flat,
		"missing required field \"%s\" in %s \"%s\"; set %s",
		cm_config_path(x->cfg, typed, flat, path, sizeof(path)),
		x->cfg->form == CM_CONFIG_CONFIGMAP ? "ConfigMap"
						     : CM_CONFIG_KIND,
		x->cfg->name ? x->cfg->name : "", what);
}

static const cm_cost_env *cm_find_env(const cm_cost_profile *p,
				      const char *name)
{
	size_t i;

	for (i = 0; i < p->n_envs; i++)
		if (!strcmp(p->envs[i].name, name))
			return &p->envs[i];
	return NULL;
}

static const cm_cost_size *cm_find_size(const cm_cost_profile *p,
					const char *name)
{
	size_t i;

	for (i = 0; i < p->n_sizes; i++)
		if (!strcmp(p->sizes[i].name, name))
			return &p->sizes[i];
	return NULL;
}

int cm_cost_period_hours(const char *period)
{
	if (period && !strcmp(period, "quarterly"))
		return 2190;
	if (period && !strcmp(period, "yearly"))
		return 8760;
	return 730;
}

const char *cm_cost_budget_name(const cm_cost_plan *plan, char *buf,
				size_t n)
{
	if (plan->region && *plan->region &&
	    strcmp(plan->profile.scope, "shared") != 0)
		snprintf(buf, n, "%s-%s-%s", plan->service, plan->environment,
			 plan->region);
	else
		snprintf(buf, n, "%s-%s", plan->service, plan->environment);
	return buf;
}

/* The record as a JSON object (a new reference, or NULL), without the
 * filters. */
static json_t *cm_record_object(const cm_cost_plan *plan)
{
	char num[CM_DEC_BUFSZ], name[512];
	json_t *o = json_object(), *alerts = json_array();
	size_t i, c, k;

	if (!o || !alerts)
		goto fail;
#define PUT(key, v) json_object_set_new(o, key, v)
#define PUTS(key, v) if (v) PUT(key, json_string(v))
	PUT("name", json_string(cm_cost_budget_name(plan, name, sizeof(name))));
	PUT("amount", json_string(cm_dec_format(plan->amount, num)));
	PUT("currency", json_string(plan->profile.currency));
	PUT("period", json_string(plan->profile.period));
	PUT("periodHours", json_integer(cm_cost_period_hours(plan->profile.period)));
	PUTS("service", plan->service);
	PUTS("team", plan->team);
	PUTS("environment", plan->environment);
	PUTS("region", plan->region);
	PUT("scope", json_string(plan->profile.scope));
	PUTS("costCenter", plan->cost_center);
	PUTS("businessUnit", plan->business_unit);
	PUTS("owner", plan->cost_owner);
	PUT("base", json_string(cm_dec_format(plan->env->base, num)));
	PUT("multiplier", json_string(cm_dec_format(plan->size->multiplier, num)));
	PUT("override", json_boolean(plan->overridden));
	PUT("size", json_string(plan->size->name));
	PUT("profile", json_string(plan->profile.name));
#undef PUTS
#undef PUT
	for (i = 0; i < plan->n_alerts; i++) {
		const cm_cost_alert *al = &plan->alerts[i];
		json_t *ja = json_object(), *ch = json_object();

		if (!ja || !ch) {
			json_decref(ja);
			json_decref(ch);
			goto fail;
		}
		json_object_set_new(ja, "name", json_string(al->name));
		json_object_set_new(ja, "threshold",
				    json_string(cm_dec_format(al->threshold, num)));
		json_object_set_new(ja, "amount",
				    json_string(cm_dec_format(al->amount, num)));
		json_object_set_new(ja, "severity", json_string(al->severity));
		for (c = 0; c < CM_CH_COUNT; c++) {
			json_t *list;

			if (!al->n_channels[c])
				continue;
			list = json_array();
			for (k = 0; list && k < al->n_channels[c]; k++)
				json_array_append_new(
					list, json_string(al->channels[c][k]));
			json_object_set_new(ch, cm_channel_names[c], list);
		}
		json_object_set_new(ja, "channels", ch);
		json_array_append_new(alerts, ja);
	}
	json_object_set_new(o, "alerts", alerts);
	return o;
fail:
	json_decref(alerts);
	json_decref(o);
	return NULL;
}

/* A JSON value dumped compactly into the arena. NULL when out of memory. */
static const char *cm_dump(cm_arena *a, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	const char *res = s ? cm_arena_strndup(a, s, strlen(s)) : NULL;

	free(s);
	return res;
}

/* Canonical budget JSON. Returns an arena string or NULL. */
static const char *cm_budget_json(cm_arena *a, const cm_cost_plan *plan)
{
	json_t *o = cm_record_object(plan);
	const char *res = cm_dump(a, o);

	json_decref(o);
	return res;
}

const char *cm_cost_record_json(cm_arena *a, const cm_cost_plan *plan,
				const char *const *filter_keys,
				const char *const *filter_values,
				size_t n_filters)
{
	json_t *o = cm_record_object(plan), *f = json_object();
	const char *res = NULL;
	size_t i;

	if (!o || !f)
		goto out;
	for (i = 0; i < n_filters; i++)
		json_object_set_new(f, filter_keys[i],
				    json_string(filter_values[i]));
	json_object_set(o, "filters", f);
	res = cm_dump(a, o);
out:
	json_decref(f);
	json_decref(o);
	return res;
}

int cm_cost_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		   cm_cost_plan *plan, cm_diags *diags)
{
	const cm_catalog_entry *e;
	const char *size;
	cm_xctx x;
	size_t i, c, k;
	char list[512];

	memset(plan, 0, sizeof(*plan));
	memset(&x, 0, sizeof(x));
	x.diags = diags;
	x.cfg = cfg;
	x.where = cfg->where;

	cm_require(&x, cfg->service, "service", "service",
		   "the service name (a DNS-1123 label)");
	cm_require(&x, cfg->team, "team", "team",
		   "the team that owns the service");
	cm_require(&x, cfg->environment, "environment", "environment",
		   "the environment being built (e.g. prod)");
	cm_require(&x, cfg->cost_profile, "costProfile", "costProfile",
		   "the cost profile to expand (e.g. standard-api-cost)");
	cm_require(&x, cfg->cost.cost_center, "cost.costCenter", "costCenter",
		   "the cost center to charge (e.g. CC-12345)");
	cm_require(&x, cfg->cost.business_unit, "cost.businessUnit",
		   "businessUnit", "the business unit (e.g. retail-banking)");
	cm_require(&x, cfg->cost.cost_owner, "cost.costOwner", "costOwner",
		   "the email address of the person who owns the budget");
	if (cfg->service && *cfg->service && !cm_dns_label(cfg->service))
		cm_xerr(&x, "service", "service",
			"service name \"%s\" is not a DNS-1123 label; use at "
			"most 63 lowercase letters, digits and '-', starting "
			"and ending with a letter or digit",
			cfg->service);
	if (cfg->namespace_ && !cm_dns_label(cfg->namespace_)) {
		char npath[64];

		cm_xerr(&x, "namespace", "namespace",
			"%s \"%s\" is not a valid namespace name (a "
			"DNS-1123 label); use at most 63 lowercase letters, "
			"digits and '-', starting and ending with a letter or "
			"digit, e.g. prod-payments",
			cm_config_path(cfg, "namespace", "namespace", npath,
				       sizeof(npath)),
			cfg->namespace_);
	}
	if (cfg->cost.cost_owner && *cfg->cost.cost_owner &&
	    !cm_email(cfg->cost.cost_owner))
		cm_xerr(&x, "cost.costOwner", "costOwner",
			"costOwner \"%s\" is not an email address; use the "
			"owner's address, e.g. alice@example.com",
			cfg->cost.cost_owner);
	if (x.errors)
		return -1;

	e = cm_catalog_find(cat, "CostProfile", cfg->cost_profile);
	if (!e) {
		cm_catalog_names(cat, "CostProfile", list, sizeof(list));
		cm_xerr(&x, "costProfile", "costProfile",
			"unknown cost profile \"%s\"; known profiles: %s (or "
			"define it as a CostProfile item marked "
			"config.kubernetes.io/local-config: \"true\")",
			cfg->cost_profile, list);
		return -1;
	}
	if (cm_cost_profile_decode(a, e, &plan->profile, diags) < 0)
		return -1;

	plan->service = cfg->service;
	plan->team = cfg->team;
	plan->environment = cfg->environment;
	plan->region = cfg->region;
	plan->cost_center = cfg->cost.cost_center;
	plan->business_unit = cfg->cost.business_unit;
	plan->cost_owner = cfg->cost.cost_owner;

	plan->env = cm_find_env(&plan->profile, cfg->environment);
	if (!plan->env) {
		const char *names[64];

		for (i = 0; i < plan->profile.n_envs && i < 63; i++)
			names[i] = plan->profile.envs[i].name;
		names[i] = NULL;
		cm_join(list, sizeof(list), names);
		cm_xerr(&x, "environment", "environment",
			"environment \"%s\" is not in cost profile \"%s\"; "
			"allowed environments: %s",
			cfg->environment, plan->profile.name, list);
	}
	/* An override for an environment the profile does not have would
	 * be silently unused: refuse it, naming the known ones. */
	for (k = 0; cfg->form == CM_CONFIG_TYPED && k < cfg->n_overrides;
	     k++) {
		const char *names[64];
		char opath[320];

		if (cm_find_env(&plan->profile, cfg->overrides[k].environment))
			continue;
		for (i = 0; i < plan->profile.n_envs && i < 63; i++)
			names[i] = plan->profile.envs[i].name;
		names[i] = NULL;
		cm_join(list, sizeof(list), names);
		snprintf(opath, sizeof(opath), "spec.monitoring.overrides.%s",
			 cfg->overrides[k].environment);
		x.where.field_path = opath;
		cm_diag_add(diags, CM_SEV_ERROR, &x.where,
			    "%s names environment \"%s\", which cost profile "
			    "\"%s\" does not have, so its SLOs would never be "
			    "used; use one of: %s",
			    opath, cfg->overrides[k].environment,
			    plan->profile.name, list);
		x.errors++;
	}
	size = cfg->size && *cfg->size ? cfg->size : CM_DEFAULT_SIZE;
	plan->size = cm_find_size(&plan->profile, size);
	if (!plan->size) {
		const char *names[64];

		for (i = 0; i < plan->profile.n_sizes && i < 63; i++)
			names[i] = plan->profile.sizes[i].name;
		names[i] = NULL;
		cm_join(list, sizeof(list), names);
		cm_xerr(&x, cfg->size ? "size" : NULL, "size",
			"size \"%s\"%s is not in cost profile \"%s\"; allowed "
			"sizes: %s",
			size, cfg->size ? "" : " (the default)",
			plan->profile.name, list);
	}
	if (x.errors)
		return -1;

	if (cfg->cost.budget_override) {
		const char *why = cm_dec_why(cfg->cost.budget_override);
		char bpath[64];

		cm_config_path(cfg, "cost.budgetOverride", "budgetOverride",
			       bpath, sizeof(bpath));
		if (why) {
			cm_xerr(&x, "cost.budgetOverride", "budgetOverride",
				"%s \"%s\" %s; write a positive amount such "
				"as 7500 or 1250.50",
				bpath, cfg->cost.budget_override, why);
			return -1;
		}
		cm_dec_parse(cfg->cost.budget_override, &plan->amount);
		if (cm_dec_sign(plan->amount) <= 0) {
			cm_xerr(&x, "cost.budgetOverride", "budgetOverride",
				"%s \"%s\" is not positive; write a positive "
				"amount such as 7500 or 1250.50",
				bpath, cfg->cost.budget_override);
			return -1;
		}
		plan->overridden = true;
	} else if (cm_dec_mul(plan->env->base, plan->size->multiplier,
			      &plan->amount) < 0) {
		cm_xerr(&x, "size", "size",
			"the budget of base x multiplier does not fit in an "
			"exact decimal; use smaller numbers in cost profile "
			"\"%s\"",
			plan->profile.name);
		return -1;
	}
	if ((plan->env->has_min && cm_dec_cmp(plan->amount, plan->env->min) < 0) ||
	    (plan->env->has_max && cm_dec_cmp(plan->amount, plan->env->max) > 0)) {
		char amt[CM_DEC_BUFSZ], lo[CM_DEC_BUFSZ], hi[CM_DEC_BUFSZ];

		cm_dec_format(plan->amount, amt);
		if (plan->env->has_min)
			cm_dec_format(plan->env->min, lo);
		else
			snprintf(lo, sizeof(lo), "0");
		if (plan->env->has_max)
			cm_dec_format(plan->env->max, hi);
		else
			snprintf(hi, sizeof(hi), "unbounded");
		if (plan->overridden)
			cm_xerr(&x, "cost.budgetOverride", "budgetOverride",
				"budgetOverride %s %s is outside the range "
				"%s-%s %s of cost profile \"%s\" for %s; "
				"choose a budget inside the range",
				amt, plan->profile.currency, lo, hi,
				plan->profile.currency, plan->profile.name,
				plan->environment);
		else
			cm_xerr(&x, "size", "size",
				"budget %s %s (base %s x size \"%s\") is "
				"outside the range %s-%s %s of cost profile "
				"\"%s\" for %s; choose another size, set "
				"cost.budgetOverride, or widen the range in "
				"the profile",
				amt, plan->profile.currency,
				cm_dec_format(plan->env->base, list),
				plan->size->name, lo, hi,
				plan->profile.currency, plan->profile.name,
				plan->environment);
		return -1;
	}

	plan->n_alerts = plan->profile.n_alerts;
	plan->alerts = cm_arena_alloc(a, (plan->n_alerts ? plan->n_alerts : 1) *
						 sizeof(cm_cost_alert));
	if (!plan->alerts)
		goto oom;
	for (i = 0; i < plan->n_alerts; i++) {
		cm_cost_alert *dst = &plan->alerts[i];
		cm_dec pct;

		*dst = plan->profile.alerts[i];
		if (cm_dec_mul(dst->threshold, plan->amount, &pct) < 0 ||
		    cm_dec_shift(pct, 2, &dst->amount) < 0)
			dst->amount = plan->amount;
		for (c = 0; c < CM_CH_COUNT; c++) {
			if (!dst->n_channels[c])
				continue;
			dst->channels[c] = cm_arena_alloc(
				a, dst->n_channels[c] * sizeof(char *));
			if (!dst->channels[c])
				goto oom;
			for (k = 0; k < dst->n_channels[c]; k++) {
				dst->channels[c][k] = cm_subst(
					a, plan->profile.alerts[i].channels[c][k],
					plan);
				if (!dst->channels[c][k])
					goto oom;
			}
		}
	}
	plan->budget_json = cm_budget_json(a, plan);
	if (!plan->budget_json)
		goto oom;
	return 0;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while expanding cost profile \"%s\"",
		    plan->profile.name);
	return -1;
}

int cm_cost_expand_json(const cm_cost_plan *plan, const char *const *labels,
			const char *const *label_values, size_t n_labels,
			char **out)
{
	char num[CM_DEC_BUFSZ];
	json_t *o = json_object(), *budgets = json_object(), *lab = json_object();
	json_t *budget = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (!o || !budgets || !lab)
		goto out;
	budget = json_loads(plan->budget_json, 0, NULL);
	if (!budget)
		goto out;
	json_object_set_new(o, "service", json_string(plan->service));
	json_object_set_new(o, "team", json_string(plan->team));
	json_object_set_new(o, "environment", json_string(plan->environment));
	if (plan->region)
		json_object_set_new(o, "region", json_string(plan->region));
	json_object_set_new(o, "costProfile", json_string(plan->profile.name));
	json_object_set_new(o, "budget", budget);
	budget = NULL;
	for (i = 0; i < plan->profile.n_envs; i++) {
		const cm_cost_env *e = &plan->profile.envs[i];
		json_t *b = json_object();
		cm_dec amt;

		if (!b)
			goto out;
		if (cm_dec_mul(e->base, plan->size->multiplier, &amt) < 0)
			amt = e->base;
		json_object_set_new(b, "amount", json_string(cm_dec_format(amt, num)));
		json_object_set_new(b, "period", json_string(plan->profile.period));
		json_object_set_new(b, "base", json_string(cm_dec_format(e->base, num)));
		json_object_set_new(b, "sizeMultiplier",
				    json_string(cm_dec_format(plan->size->multiplier, num)));
		if (e->has_min)
			json_object_set_new(b, "min", json_string(cm_dec_format(e->min, num)));
		if (e->has_max)
			json_object_set_new(b, "max", json_string(cm_dec_format(e->max, num)));
		json_object_set_new(budgets, e->name, b);
	}
	json_object_set(o, "budgets", budgets);
	for (i = 0; i < n_labels; i++)
		json_object_set_new(lab, labels[i], json_string(label_values[i]));
	json_object_set(o, "labels", lab);
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (*out)
		rc = 0;
out:
	json_decref(budget);
	json_decref(lab);
	json_decref(budgets);
	json_decref(o);
	return rc;
}
