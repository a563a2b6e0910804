/* dashplan.c - see dashplan.h for the contract. */
#include "dashplan.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../transform/labels.h"
#include "pdec.h"

static const char *const cm_dash_types[] = {"timeseries", "stat", NULL};
static const char *const cm_dash_placeholders[] = {
	"{service}", "{namespace}", "{team}", "{environment}", NULL,
};

char *cm_dash_uid(const char *service, const char *environment,
		  const char *region, char *out)
{
	char full[512];
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i, n;
	int changed = 0;

	/* "_" is in neither a DNS-label service name nor (then) the
	 * environment, so the readable form names one pair only. */
	if (region && !*region)
		region = NULL;
	if (strchr(service, '_') || strchr(environment, '_') ||
	    (region && strchr(region, '_')))
		changed = 1;
	if (region)
		snprintf(full, sizeof(full), "%s_%s_%s", service, environment,
			 region);
	else
		snprintf(full, sizeof(full), "%s_%s", service, environment);
	for (i = 0; service[i]; i++)
		h = (h ^ (unsigned char)service[i]) * 16777619u;
	h = (h ^ 0u) * 16777619u; /* a separator no name contains */
	for (i = 0; environment[i]; i++)
		h = (h ^ (unsigned char)environment[i]) * 16777619u;
	if (region) { /* absent: the hash of the pair, as before */
		h = (h ^ 0u) * 16777619u;
		for (i = 0; region[i]; i++)
			h = (h ^ (unsigned char)region[i]) * 16777619u;
	}
	n = strlen(full);
	for (i = 0; i < n; i++) {
		char c = full[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			full[i] = '-';
			changed = 1;
		}
	}
	if (!changed && n <= CM_DASH_UID_MAX) {
		memcpy(out, full, n + 1);
		return out;
	}
	/* prefix (31) + "-" + 8 hex digits = 40 */
	n = n > CM_DASH_UID_MAX - 9 ? CM_DASH_UID_MAX - 9 : n;
	while (n > 0 && (full[n - 1] == '-' || full[n - 1] == '_'))
		n--;
	snprintf(out, CM_DASH_UID_MAX + 1, "%.*s-%08x", (int)n, full,
		 (unsigned)h);
	return out;
}

/* Template text may use only the known placeholders. */
static void cm_dcheck_template(cm_pdec *d, const char *s, const char *path)
{
	const char *p = s;

	while ((p = strchr(p, '{')) != NULL) {
		const char *end = strchr(p, '}');
		size_t i, len;
		int found = 0;

		if (p[1] == '{') { /* a Grafana legend template {{label}} */
			end = strstr(p + 2, "}}");
			if (!end)
				break;
			p = end + 2;
			continue;
		}
		if (!end)
			break;
		len = (size_t)(end - p + 1);
		for (i = 0; cm_dash_placeholders[i]; i++)
			if (len == strlen(cm_dash_placeholders[i]) &&
			    !strncmp(p, cm_dash_placeholders[i], len))
				found = 1;
		/* Label matchers {a="b"} and regex repetitions {5,10} are
		 * PromQL; a placeholder is a bare lowercase word. */
		if (!found && len > 2 && strspn(p + 1, "abcdefghijklmnopqrstuvwxyz") ==
						   len - 2)
			cm_perr(d, path,
				"unknown placeholder \"%.*s\" in \"%s\"; use "
				"{service}, {namespace}, {team} or "
				"{environment}",
				(int)len, p, s);
		p++; /* a placeholder may sit inside a matcher's braces */
	}
}

/* A non-empty string field of m, or NULL (reported when required or
 * when present with the wrong shape). */
static const char *cm_dstr(cm_pdec *d, const cm_node *m, const char *key,
			   const char *path, bool required)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v) {
		if (required)
			cm_perr(d, path, "field \"%s\" is required", path);
		return NULL;
	}
	if (v->kind != CM_SCALAR || v->len == 0 || cm_node_is_null(v)) {
		cm_perr(d, path, "field \"%s\" must be a non-empty string", path);
		return NULL;
	}
	return v->u.str;
}

/* The monitoring profile's spec.dashboard. 0, or -1 after reporting. */
static int cm_dash_profile(cm_arena *a, const cm_catalog_entry *e,
			   const cm_node *dash, bool *enabled,
			   cm_dash_plan *out, cm_diags *diags)
{
	const cm_node *en, *panels;
	cm_pdec d;
	uint32_t i;

	cm_pdec_init(&d, a, diags, e, "monitoring profile");
	*enabled = true;
	if (!dash || cm_node_is_null(dash))
		return 0;
	if (dash->kind != CM_MAP) {
		cm_perr(&d, "spec.dashboard",
			"field \"spec.dashboard\" must be a mapping with enabled "
			"and panels, not %s",
			cm_node_shape(dash));
		return -1;
	}
	cm_pcheck_fields(&d, dash, "spec.dashboard", cm_fd_mon_dashboard);
	en = cm_map_get(dash, "enabled");
	if (en) {
		if (cm_scalar_is(en, "false"))
			*enabled = false;
		else if (!cm_scalar_is(en, "true"))
			cm_perr(&d, "spec.dashboard.enabled",
				"field \"spec.dashboard.enabled\" must be true or "
				"false");
	}
	panels = cm_map_get(dash, "panels");
	if (panels && !cm_node_is_null(panels)) {
		if (panels->kind != CM_SEQ) {
			cm_perr(&d, "spec.dashboard.panels",
				"field \"spec.dashboard.panels\" must be a list "
				"of {title, expr, unit}");
			return -1;
		}
		if (panels->len > CM_DASH_MAX_PANELS) {
			cm_perr(&d, "spec.dashboard.panels",
				"%u panels is more than the %d allowed; split the "
				"dashboard",
				panels->len, CM_DASH_MAX_PANELS);
			return -1;
		}
		out->panels = cm_arena_alloc(a, (panels->len ? panels->len : 1) *
							sizeof(cm_dash_panel));
		if (!out->panels) {
			cm_perr(&d, "spec.dashboard.panels", "out of memory");
			return -1;
		}
		for (i = 0; i < panels->len; i++) {
			const cm_node *m = &panels->u.kids[i];
			cm_dash_panel *p = &out->panels[out->n_panels];
			char path[96], f[128];

			snprintf(path, sizeof(path), "spec.dashboard.panels[%u]", i);
			if (m->kind != CM_MAP) {
				cm_perr(&d, path,
					"field \"%s\" must be a mapping with title, "
					"expr and unit",
					path);
				continue;
			}
			cm_pcheck_fields(&d, m, path, cm_fd_mon_panel);
			snprintf(f, sizeof(f), "%s.title", path);
			p->title = cm_dstr(&d, m, "title", f, true);
			snprintf(f, sizeof(f), "%s.expr", path);
			p->expr = cm_dstr(&d, m, "expr", f, true);
			if (p->expr)
				cm_dcheck_template(&d, p->expr, f);
			snprintf(f, sizeof(f), "%s.unit", path);
			p->unit = cm_dstr(&d, m, "unit", f, false);
			snprintf(f, sizeof(f), "%s.legend", path);
			p->legend = cm_dstr(&d, m, "legend", f, false);
			if (p->legend)
				cm_dcheck_template(&d, p->legend, f);
			snprintf(f, sizeof(f), "%s.type", path);
			p->type = cm_dstr(&d, m, "type", f, false);
			if (p->type && !cm_word_in(p->type, cm_dash_types))
				cm_perr(&d, f,
					"field \"%s\" must be timeseries or stat, "
					"not \"%s\"",
					f, p->type);
			if (!p->unit)
				p->unit = "short";
			if (!p->type)
				p->type = "timeseries";
			if (p->title && p->expr)
				out->n_panels++;
		}
	}
	return d.errors ? -1 : 0;
}

/* "k=v,k2=v2" (the ConfigMap form) as a mapping {matchLabels: {...}}.
 * 0, or -1 after reporting. */
static int cm_dash_csv_selector(cm_arena *a, const char *csv, cm_where *w,
				const cm_node **out, cm_diags *diags)
{
	cm_node sel = cm_map_new(), ml = cm_map_new();
	cm_node *res;

	while (*csv) {
		size_t n = strcspn(csv, ",");
		char pair[512], *eq = NULL;

		if (n < sizeof(pair)) {
			memcpy(pair, csv, n);
			pair[n] = '\0';
			eq = strchr(pair, '=');
		}
		if (!eq || eq == pair) {
			cm_diag_add(diags, CM_SEV_ERROR, w,
				    "\"%.*s\" in data.dashboardInstanceSelector is "
				    "not label=value; write e.g. "
				    "dashboardInstanceSelector=dashboards=grafana",
				    (int)(n > 200 ? 200 : n), csv);
			return -1;
		}
		*eq = '\0';
		if (cm_map_set(a, &ml, pair, cm_str_new(a, eq + 1)) < 0)
			return -1;
		csv += n;
		if (*csv == ',')
			csv++;
	}
	if (cm_map_set(a, &sel, "matchLabels", ml) < 0)
		return -1;
	res = cm_arena_alloc(a, sizeof(*res));
	if (!res)
		return -1;
	*res = sel;
	*out = res;
	return 0;
}

/* Check a LabelSelector with matchLabels only. 0, or -1 after reporting. */
static int cm_dash_check_selector(const cm_node *sel, const char *path,
				  cm_where *w, cm_diags *diags)
{
	const cm_node *ml;
	uint32_t i;

	if (sel->kind != CM_MAP || sel->len != 1 ||
	    !(ml = cm_map_get(sel, "matchLabels")) || ml->kind != CM_MAP ||
	    ml->len == 0) {
		cm_diag_add(diags, CM_SEV_ERROR, w,
			    "field \"%s\" must be a label selector with "
			    "matchLabels only, e.g. {matchLabels: {dashboards: "
			    "grafana}} (the labels of the Grafana custom "
			    "resource that should import the dashboard)",
			    path);
		return -1;
	}
	for (i = 0; i < ml->len; i++) {
		const cm_node *k = &ml->u.kids[2 * i], *v = &ml->u.kids[2 * i + 1];

		if (k->kind != CM_SCALAR || v->kind != CM_SCALAR ||
		    !cm_label_key_ok(k->u.str) ||
		    (v->len && !cm_label_value_ok(v->u.str))) {
			cm_diag_add(diags, CM_SEV_ERROR, w,
				    "field \"%s.matchLabels\" must map label keys "
				    "to label values; \"%s\": \"%s\" is not one",
				    path, k->kind == CM_SCALAR ? k->u.str : "?",
				    v->kind == CM_SCALAR ? v->u.str : "?");
			return -1;
		}
	}
	return 0;
}

/* A ServiceProfile field by its typed and its flat (ConfigMap) name. */
typedef struct cm_dash_field {
	const char *typed, *flat;
} cm_dash_field;

/*
 * Report every field f[i] (of n) with set[i] as one that does not apply
 * to the delivery form: `field "<path>" <why>`. Returns 0 when none is
 * set, else -1 after reporting. w is the configuration's place.
 */
static int cm_dash_misplaced(const cm_config *cfg, cm_where w,
			     const cm_dash_field *f, const bool *set, size_t n,
			     const char *why, cm_diags *diags)
{
	char path[160];
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (!set[i])
			continue;
		w.field_path = cm_config_path(cfg, f[i].typed, f[i].flat, path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w, "field \"%s\" %s", path,
			    why);
		rc = -1;
	}
	return rc;
}

int cm_dash_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		   const cm_mon_plan *mon, cm_dash_plan *out, cm_diags *diags)
{
	const cm_catalog_entry *e;
	cm_where w = cfg->where;
	char path[160], uid[CM_DASH_UID_MAX + 1];
	const char *sel_path;
	bool profile_on;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	e = cm_catalog_find(cat, "MonitoringProfile", cfg->monitoring_profile);
	if (!e)
		return -1; /* cm_mon_expand() reported it */
	if (cm_dash_profile(a, e, mon->profile.dashboard, &profile_on, out,
			    diags) < 0)
		return -1;
	out->on = cfg->dashboard.enabled == -1 ? profile_on
					       : cfg->dashboard.enabled == 1;
	if (!out->on)
		return 0;
	if (!mon->prometheus) {
		if (cfg->dashboard.enabled == 1) {
			w.field_path = cm_config_path(cfg, "monitoring.dashboard.enabled",
						      "dashboard", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "a dashboard is asked for, but prometheus is "
				    "off: its panels read the Prometheus rules "
				    "that are not generated; turn prometheus on "
				    "or the dashboard off");
			return -1;
		}
		out->on = false;
		return 0;
	}

	/* delivery and its settings */
	if (!cfg->dashboard.delivery ||
	    !strcmp(cfg->dashboard.delivery, "ConfigMap")) {
		out->delivery = CM_DASH_CONFIGMAP;
	} else if (!strcmp(cfg->dashboard.delivery, "GrafanaDashboard")) {
		out->delivery = CM_DASH_OPERATOR;
	} else {
		w.field_path = cm_config_path(cfg, "monitoring.dashboard.delivery",
					      "dashboardDelivery", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "field \"%s\" must be ConfigMap (for the Grafana "
			    "sidecar of kube-prometheus-stack) or "
			    "GrafanaDashboard (for grafana-operator), not \"%s\"",
			    path, cfg->dashboard.delivery);
		return -1;
	}
	out->folder = cfg->dashboard.folder && *cfg->dashboard.folder
			      ? cfg->dashboard.folder
			      : NULL;
	if (out->delivery == CM_DASH_CONFIGMAP) {
		static const cm_dash_field op_only[] = {
			{"monitoring.dashboard.instanceSelector",
			 "dashboardInstanceSelector"},
			{"monitoring.dashboard.allowCrossNamespaceImport",
			 "dashboardAllowCrossNamespaceImport"},
		};
		bool set[2] = {cfg->dashboard.instance_selector ||
				       cfg->dashboard.instance_selector_csv,
			       cfg->dashboard.cross_namespace != -1};

		if (cm_dash_misplaced(cfg, w, op_only, set, 2,
				      "applies to a GrafanaDashboard, but the "
				      "dashboard is delivered as a ConfigMap; "
				      "set delivery: GrafanaDashboard or remove "
				      "the field",
				      diags) < 0)
			rc = -1;
		out->label = cfg->dashboard.label ? cfg->dashboard.label
						  : "grafana_dashboard";
		out->label_value = cfg->dashboard.label_value
					   ? cfg->dashboard.label_value
					   : "1";
		if (!cm_label_key_ok(out->label)) {
			w.field_path = cm_config_path(cfg, "monitoring.dashboard.label",
						      "dashboardLabel", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "field \"%s\": \"%s\" is not a valid label "
				    "key; use the sidecar's label, e.g. "
				    "grafana_dashboard",
				    path, out->label);
			rc = -1;
		}
		if (*out->label_value && !cm_label_value_ok(out->label_value)) {
			w.field_path = cm_config_path(cfg,
						      "monitoring.dashboard.labelValue",
						      "dashboardLabelValue", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "field \"%s\": \"%s\" is not a valid label "
				    "value (63 characters of [A-Za-z0-9-_.], "
				    "starting and ending with a letter or digit)",
				    path, out->label_value);
			rc = -1;
		}
	} else {
		static const cm_dash_field cm_only[] = {
			{"monitoring.dashboard.label", "dashboardLabel"},
			{"monitoring.dashboard.labelValue", "dashboardLabelValue"},
		};
		bool set[2] = {cfg->dashboard.label != NULL,
			       cfg->dashboard.label_value != NULL};

		if (cm_dash_misplaced(cfg, w, cm_only, set, 2,
				      "is the Grafana sidecar's label for a "
				      "ConfigMap, but the dashboard is delivered "
				      "as a GrafanaDashboard, which Grafana "
				      "instances select with instanceSelector; "
				      "remove the field",
				      diags) < 0)
			rc = -1;
		sel_path = cm_config_path(cfg,
					  "monitoring.dashboard.instanceSelector",
					  "dashboardInstanceSelector", path,
					  sizeof(path));
		w.field_path = sel_path;
		if (cfg->dashboard.instance_selector_csv) {
			if (cm_dash_csv_selector(a, cfg->dashboard.instance_selector_csv,
						 &w, &out->instance_selector,
						 diags) < 0)
				return -1;
		} else {
			out->instance_selector = cfg->dashboard.instance_selector;
		}
		if (!out->instance_selector) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "a GrafanaDashboard needs \"%s\" (the "
				    "operator imports it only into the Grafana "
				    "instances it selects), e.g. {matchLabels: "
				    "{dashboards: grafana}}",
				    sel_path);
			rc = -1;
		} else if (cm_dash_check_selector(out->instance_selector,
						  sel_path, &w, diags) < 0) {
			rc = -1;
		}
		/* Grafana rarely runs in the service's namespace. */
		out->cross_namespace = cfg->dashboard.cross_namespace != 0;
	}
	if (rc < 0)
		return -1;
	{
		char buf[600];
		size_t n;

		n = (size_t)snprintf(buf, sizeof(buf), "%s-dashboard", mon->service);
		out->name = cm_arena_strndup(a, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
		out->region = cfg->region && *cfg->region ? cfg->region : NULL;
		if (out->region)
			n = (size_t)snprintf(buf, sizeof(buf), "%s (%s, %s)",
					     mon->service, mon->environment,
					     out->region);
		else
			n = (size_t)snprintf(buf, sizeof(buf), "%s (%s)",
					     mon->service, mon->environment);
		out->title = cm_arena_strndup(a, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	}
	cm_dash_uid(mon->service, mon->environment, out->region, uid);
	out->uid = cm_arena_strndup(a, uid, strlen(uid));
	if (!out->name || !out->title || !out->uid) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while planning the dashboard");
		return -1;
	}
	return 0;
}

/* A mapping of scalars as a JSON object (NULL when out of memory). */
static json_t *cm_dash_json_map(const cm_node *m)
{
	json_t *o = json_object();
	uint32_t i;

	for (i = 0; o && m && m->kind == CM_MAP && i < m->len; i++)
		if (m->u.kids[2 * i].kind == CM_SCALAR &&
		    m->u.kids[2 * i + 1].kind == CM_SCALAR &&
		    json_object_set_new(o, m->u.kids[2 * i].u.str,
					json_string(m->u.kids[2 * i + 1].u.str)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

int cm_dash_plan_json(const cm_dash_plan *d, char **out)
{
	json_t *o = json_object(), *panels = json_array(), *x;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (!o || !panels)
		goto out;
	if (json_object_set_new(o, "enabled", json_boolean(d->on)) < 0)
		goto out;
	if (d->on) {
		json_object_set_new(o, "delivery",
				    json_string(d->delivery == CM_DASH_CONFIGMAP
							? "ConfigMap"
							: "GrafanaDashboard"));
		json_object_set_new(o, "name", json_string(d->name));
		json_object_set_new(o, "uid", json_string(d->uid));
		json_object_set_new(o, "title", json_string(d->title));
		if (d->folder)
			json_object_set_new(o, "folder", json_string(d->folder));
		if (d->delivery == CM_DASH_CONFIGMAP) {
			x = json_object();
			if (!x || json_object_set_new(x, d->label,
						      json_string(d->label_value)) < 0 ||
			    json_object_set_new(o, "labels", x) < 0)
				goto out;
		} else {
			json_t *sel = json_object();

			x = cm_dash_json_map(cm_map_get(d->instance_selector,
							"matchLabels"));
			if (!sel || !x) {
				json_decref(sel);
				json_decref(x);
				goto out;
			}
			if (json_object_set_new(sel, "matchLabels", x) < 0) {
				json_decref(sel);
				goto out;
			}
			if (json_object_set_new(o, "instanceSelector", sel) < 0)
				goto out;
			json_object_set_new(o, "allowCrossNamespaceImport",
					    json_boolean(d->cross_namespace));
		}
		for (i = 0; i < d->n_panels; i++)
			if (json_array_append_new(panels,
						  json_string(d->panels[i].title)) < 0)
				goto out;
		if (json_object_set(o, "profilePanels", panels) < 0)
			goto out;
	}
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	rc = *out ? 0 : -1;
out:
	json_decref(panels);
	json_decref(o);
	return rc;
}
