/* config.c - see config.h for the contract. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../core/item.h"
#include "fields.h"
#include "../core/text.h"

/* How one field's value is stored. */
typedef enum cm_ftype {
	CM_F_LABELS,  /* the nested spec.labels mapping, by hand */
	CM_F_STRING,  /* const char * */
	CM_F_NUMBER,  /* const char *, decimal text */
	CM_F_BOOL,    /* int, -1/0/1 */
	CM_F_COST,    /* the nested spec.cost mapping */
	CM_F_MONITOR, /* the nested spec.monitoring mapping */
	CM_F_NODE,    /* const cm_node *, any shape (checked later) */
	CM_F_DASH,    /* the nested spec.monitoring.dashboard mapping */
} cm_ftype;

typedef struct cm_field {
	const char *name;
	cm_ftype type;
	size_t offset; /* in cm_config */
} cm_field;

#define F(name, type, member) {name, type, offsetof(cm_config, member)}

static const cm_field cm_spec_fields[] = {
	F("service", CM_F_STRING, service),
	F("team", CM_F_STRING, team),
	F("environment", CM_F_STRING, environment),
	F("region", CM_F_STRING, region),
	F("size", CM_F_STRING, size),
	F("costProfile", CM_F_STRING, cost_profile),
	F("cost", CM_F_COST, cost),
	F("monitoringProfile", CM_F_STRING, monitoring_profile),
	F("namespace", CM_F_STRING, namespace_),
	F("monitoring", CM_F_MONITOR, prometheus),
	F("labels", CM_F_LABELS, labels_strict),
	F("failOnWarnings", CM_F_BOOL, fail_on_warnings),
	{NULL, CM_F_STRING, 0},
};

const char *const cm_label_names[CM_LABEL_COUNT + 1] = {
	"service", "team", "costCenter", "businessUnit", "owner",
	"environment", "region", "budget", "monitoringProfile", NULL,
};

static const cm_field cm_cost_fields[] = {
	F("costCenter", CM_F_STRING, cost.cost_center),
	F("businessUnit", CM_F_STRING, cost.business_unit),
	F("costOwner", CM_F_STRING, cost.cost_owner),
	F("budgetOverride", CM_F_NUMBER, cost.budget_override),
	F("budgetRecord", CM_F_STRING, cost.budget_record),
	{NULL, CM_F_STRING, 0},
};

/* spec.monitoring; "overrides", "serviceSelector" and "labels" by hand
 * (offsets 0, 1, 2). */
static const cm_field cm_monitoring_fields[] = {
	F("prometheus", CM_F_BOOL, prometheus),
	F("dynatrace", CM_F_BOOL, dynatrace),
	F("serviceName", CM_F_STRING, service_name),
	{"overrides", CM_F_MONITOR, 0},
	{"serviceSelector", CM_F_MONITOR, 1},
	{"labels", CM_F_MONITOR, 2},
	{"dashboard", CM_F_DASH, 0},
	{NULL, CM_F_STRING, 0},
};

/* spec.monitoring.dashboard */
static const cm_field cm_dashboard_fields[] = {
	F("enabled", CM_F_BOOL, dashboard.enabled),
	F("delivery", CM_F_STRING, dashboard.delivery),
	F("folder", CM_F_STRING, dashboard.folder),
	F("label", CM_F_STRING, dashboard.label),
	F("labelValue", CM_F_STRING, dashboard.label_value),
	F("instanceSelector", CM_F_NODE, dashboard.instance_selector),
	F("allowCrossNamespaceImport", CM_F_BOOL, dashboard.cross_namespace),
	{NULL, CM_F_STRING, 0},
};

/* The SLO keys of an override, from the field table. */
static const char *const *cm_slo_keys(void)
{
	static const char *names[8];

	return cm_fd_names(cm_fd_service_slo, names, 8);
}

/* ConfigMap data keys: flat, all strings. */
static const cm_field cm_flat_fields[] = {
	F("service", CM_F_STRING, service),
	F("team", CM_F_STRING, team),
	F("environment", CM_F_STRING, environment),
	F("region", CM_F_STRING, region),
	F("size", CM_F_STRING, size),
	F("costProfile", CM_F_STRING, cost_profile),
	F("costCenter", CM_F_STRING, cost.cost_center),
	F("businessUnit", CM_F_STRING, cost.business_unit),
	F("costOwner", CM_F_STRING, cost.cost_owner),
	F("budgetOverride", CM_F_NUMBER, cost.budget_override),
	F("budgetRecord", CM_F_STRING, cost.budget_record),
	F("monitoringProfile", CM_F_STRING, monitoring_profile),
	F("namespace", CM_F_STRING, namespace_),
	F("prometheus", CM_F_BOOL, prometheus),
	F("dynatrace", CM_F_BOOL, dynatrace),
	F("serviceName", CM_F_STRING, service_name),
	F("labelsStrict", CM_F_BOOL, labels_strict),
	F("labelPrefix", CM_F_STRING, labels_prefix),
	F("failOnWarnings", CM_F_BOOL, fail_on_warnings),
	F("labelPreset", CM_F_STRING, labels_preset),
	F("labelPresetMode", CM_F_STRING, labels_preset_mode),
	F("dashboard", CM_F_BOOL, dashboard.enabled),
	F("dashboardDelivery", CM_F_STRING, dashboard.delivery),
	F("dashboardFolder", CM_F_STRING, dashboard.folder),
	F("dashboardLabel", CM_F_STRING, dashboard.label),
	F("dashboardLabelValue", CM_F_STRING, dashboard.label_value),
	F("dashboardInstanceSelector", CM_F_STRING,
	  dashboard.instance_selector_csv),
	F("dashboardAllowCrossNamespaceImport", CM_F_BOOL,
	  dashboard.cross_namespace),
	/* sloAvailability, sloErrorRate, sloLatencyP95ms, labelsOmit,
	 * podLabelsOmit: by hand */
	{NULL, CM_F_STRING, 0},
};

#undef F

void cm_config_init(cm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->prometheus = -1;
	c->dynatrace = -1;
	c->labels_strict = -1;
	c->fail_on_warnings = -1;
	c->dashboard.enabled = -1;
	c->dashboard.cross_namespace = -1;
	c->where = CM_WHERE_NONE;
}

const char *cm_config_path(const cm_config *c, const char *typed,
			   const char *flat, char *buf, size_t n)
{
	if (c->form == CM_CONFIG_CONFIGMAP)
		snprintf(buf, n, "data.%s", flat);
	else
		snprintf(buf, n, "spec.%s", typed);
	return buf;
}

static int cm_label_index(const char *name)
{
	int i;

	for (i = 0; i < CM_LABEL_COUNT; i++)
		if (!strcmp(cm_label_names[i], name))
			return i;
	return -1;
}

/* State shared by the decoding helpers. */
typedef struct cm_dec {
	cm_arena *arena;
	cm_config *out;
	cm_diags *diags;
	cm_where where; /* resource and file of the functionConfig */
	const char *what; /* "ServiceProfile" or "ConfigMap" */
} cm_dec;

static void cm_dec_error(cm_dec *d, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cm_dec_error(cm_dec *d, const char *path, const char *fmt, ...)
{
	cm_where w = d->where;
	va_list ap;

	w.field_path = path;
	va_start(ap, fmt);
	cm_diag_vadd(d->diags, CM_SEV_ERROR, &w, fmt, ap);
	va_end(ap);
}



static void cm_unknown_field(cm_dec *d, const char *path, const char *key,
			     const char *const *known)
{
	char list[1024];
	const char *near = cm_suggest(key, known);

	cm_join(list, sizeof(list), known);
	if (near)
		cm_dec_error(d, path,
			     "unknown field \"%s\" in %s; did you mean \"%s\"? "
			     "known fields: %s",
			     path, d->what, near, list);
	else
		cm_dec_error(d, path,
			     "unknown field \"%s\" in %s; known fields: %s",
			     path, d->what, list);
}


/* Store one scalar value according to f. 0, or -1 after reporting. */
static int cm_store(cm_dec *d, const cm_field *f, const char *path,
		    const cm_node *v)
{
	char *base = (char *)d->out;

	if (f->type == CM_F_NODE) {
		*(const cm_node **)(base + f->offset) =
			cm_node_is_null(v) ? NULL : v;
		return 0;
	}
	if (v->kind != CM_SCALAR) {
		cm_dec_error(d, path, "field \"%s\" must be %s, not %s", path,
			     f->type == CM_F_BOOL ? "true or false"
			     : f->type == CM_F_NUMBER ? "a number"
						       : "a string",
			     cm_node_shape(v));
		return -1;
	}
	if (cm_node_is_null(v))
		return 0;
	switch (f->type) {
	case CM_F_BOOL: {
		int *p = (int *)(base + f->offset);

		if (cm_scalar_is(v, "true"))
			*p = 1;
		else if (cm_scalar_is(v, "false"))
			*p = 0;
		else {
			cm_dec_error(d, path,
				     "field \"%s\" must be true or false, not "
				     "\"%s\"",
				     path, v->u.str);
			return -1;
		}
		return 0;
	}
	case CM_F_NUMBER:
	case CM_F_STRING:
		*(const char **)(base + f->offset) = v->u.str;
		return 0;
	default:
		return 0;
	}
}

static int cm_decode_overrides(cm_dec *d, const cm_node *ov)
{
	size_t i, k;
	int rc = 0;

	if (ov->kind != CM_MAP) {
		if (cm_node_is_null(ov))
			return 0;
		cm_dec_error(d, "spec.monitoring.overrides",
			     "field \"spec.monitoring.overrides\" must be a "
			     "mapping from environment to SLO values "
			     "(e.g. prod: {sloAvailability: 99.9}), not %s",
			     cm_node_shape(ov));
		return -1;
	}
	d->out->overrides =
		cm_arena_alloc(d->arena, (ov->len ? ov->len : 1) *
						 sizeof(cm_slo_override));
	if (!d->out->overrides) {
		cm_dec_error(d, "spec.monitoring.overrides", "out of memory");
		return -1;
	}
	for (i = 0; i < ov->len; i++) {
		const cm_node *env = &ov->u.kids[2 * i];
		const cm_node *slo = &ov->u.kids[2 * i + 1];
		cm_slo_override *o = &d->out->overrides[d->out->n_overrides];
		char path[256];

		memset(o, 0, sizeof(*o));
		if (env->kind != CM_SCALAR) {
			cm_dec_error(d, "spec.monitoring.overrides",
				     "keys of \"spec.monitoring.overrides\" "
				     "must be environment names");
			rc = -1;
			continue;
		}
		o->environment = env->u.str;
		snprintf(path, sizeof(path), "spec.monitoring.overrides.%s",
			 env->u.str);
		if (slo->kind != CM_MAP) {
			cm_dec_error(d, path,
				     "field \"%s\" must be a mapping of SLO "
				     "values (%s), not %s",
				     path,
				     "sloAvailability, sloErrorRate, "
				     "sloLatencyP95ms, pageSeverity, "
				     "ticketSeverity",
				     cm_node_shape(slo));
			rc = -1;
			continue;
		}
		for (k = 0; k < slo->len; k++) {
			const cm_node *key = &slo->u.kids[2 * k];
			const cm_node *val = &slo->u.kids[2 * k + 1];
			char fpath[384];
			const char **dst = NULL;

			snprintf(fpath, sizeof(fpath), "%s.%s", path,
				 key->kind == CM_SCALAR ? key->u.str : "?");
			if (cm_scalar_is(key, "sloAvailability"))
				dst = &o->availability;
			else if (cm_scalar_is(key, "sloErrorRate"))
				dst = &o->error_rate;
			else if (cm_scalar_is(key, "sloLatencyP95ms"))
				dst = &o->latency_p95_ms;
			else if (cm_scalar_is(key, "pageSeverity"))
				dst = &o->page_severity;
			else if (cm_scalar_is(key, "ticketSeverity"))
				dst = &o->ticket_severity;
			if (!dst) {
				cm_unknown_field(d, fpath,
						 key->kind == CM_SCALAR
							 ? key->u.str
							 : "?",
						 cm_slo_keys());
				rc = -1;
				continue;
			}
			if (val->kind != CM_SCALAR) {
				cm_dec_error(d, fpath,
					     "field \"%s\" must be a number, "
					     "not %s",
					     fpath, cm_node_shape(val));
				rc = -1;
				continue;
			}
			if (!cm_node_is_null(val))
				*dst = val->u.str;
		}
		d->out->n_overrides++;
	}
	return rc;
}

static void cm_unknown_field(cm_dec *d, const char *path, const char *key,
			     const char *const *known);

/* spec.monitoring.serviceSelector: labels (strings) of the Service the
 * ServiceMonitor selects. 0 or -1. */
static int cm_decode_selector(cm_dec *d, const cm_node *m, const char *path)
{
	uint32_t i;

	if (cm_node_is_null(m) || (m->kind == CM_MAP && m->len == 0))
		return 0; /* unset: the Service is found in the input */
	if (m->kind != CM_MAP) {
		cm_dec_error(d, path,
			     "field \"%s\" must be a mapping of Service "
			     "labels, e.g. {app: payment-processor}",
			     path);
		return -1;
	}
	for (i = 0; i < m->len; i++)
		if (m->u.kids[2 * i].kind != CM_SCALAR ||
		    m->u.kids[2 * i + 1].kind != CM_SCALAR) {
			cm_dec_error(d, path,
				     "field \"%s\" must map label names to "
				     "string values",
				     path);
			return -1;
		}
	d->out->service_selector = m;
	return 0;
}

/* spec.monitoring.labels: labels (valid keys and values) for every
 * generated monitoring object. 0 or -1. */
static int cm_decode_mon_labels(cm_dec *d, const cm_node *m, const char *path)
{
	uint32_t i;
	int rc = 0;

	if (cm_node_is_null(m) || (m->kind == CM_MAP && m->len == 0))
		return 0;
	if (m->kind != CM_MAP) {
		cm_dec_error(d, path,
			     "field \"%s\" must be a mapping of labels for the "
			     "generated monitoring objects, e.g. {release: "
			     "kube-prometheus-stack}",
			     path);
		return -1;
	}
	/* Keys and values are checked as labels when the plan is made. */
	for (i = 0; i < m->len; i++) {
		const cm_node *v = &m->u.kids[2 * i + 1];

		if (m->u.kids[2 * i].kind != CM_SCALAR || v->kind != CM_SCALAR) {
			cm_dec_error(d, path,
				     "field \"%s\" must map label keys to "
				     "string values",
				     path);
			rc = -1;
		}
	}
	if (rc == 0)
		d->out->monitoring_labels = m;
	return rc;
}

/* An unknown logical label name at path: report it. */
static void cm_unknown_label(cm_dec *d, const char *path, const char *name)
{
	char list[256];
	const char *near = cm_suggest(name, cm_label_names);

	cm_join(list, sizeof(list), cm_label_names);
	cm_dec_error(d, path,
		     "unknown label \"%s\" at \"%s\"%s%s%s; labels are: %s",
		     name, path, near ? "; did you mean \"" : "",
		     near ? near : "", near ? "\"?" : "", list);
}

/* Mark the labels listed in seq (a list of names) omitted. 0 or -1. */
static int cm_decode_omit(cm_dec *d, const cm_node *seq, const char *path,
			  cm_label_keys *k)
{
	uint32_t i;
	int rc = 0;

	if (seq->kind != CM_SEQ) {
		cm_dec_error(d, path,
			     "field \"%s\" must be a list of label names "
			     "(e.g. [budget, owner]), not %s",
			     path, cm_node_shape(seq));
		return -1;
	}
	for (i = 0; i < seq->len; i++) {
		const cm_node *v = &seq->u.kids[i];
		int idx = v->kind == CM_SCALAR ? cm_label_index(v->u.str) : -1;

		if (idx < 0) {
			cm_unknown_label(d, path,
					 v->kind == CM_SCALAR ? v->u.str : "?");
			rc = -1;
			continue;
		}
		k->omit[idx] = 1;
	}
	return rc;
}

/* Comma-separated label names (ConfigMap form). 0 or -1. */
static int cm_decode_omit_csv(cm_dec *d, const char *csv, const char *path,
			      cm_label_keys *k)
{
	char name[64];
	int rc = 0;

	while (*csv) {
		size_t n = strcspn(csv, ",");
		size_t b = 0, e = n;
		int idx;

		while (b < e && csv[b] == ' ')
			b++;
		while (e > b && csv[e - 1] == ' ')
			e--;
		if (e > b) {
			snprintf(name, sizeof(name), "%.*s", (int)(e - b),
				 csv + b);
			idx = cm_label_index(name);
			if (idx < 0) {
				cm_unknown_label(d, path, name);
				rc = -1;
			} else {
				k->omit[idx] = 1;
			}
		}
		csv += n;
		if (*csv == ',')
			csv++;
	}
	return rc;
}

/*
 * Comma-separated key=value pairs (ConfigMap form of serviceSelector and
 * monitoringLabels) as a mapping in d's arena, stored in *out. Spaces
 * around keys and values are dropped; keys and values are checked as
 * labels later, where the map form is. 0, or -1 after reporting.
 */
static int cm_decode_pairs_csv(cm_dec *d, const char *csv, const char *path,
			       const char *example, const cm_node **out)
{
	cm_node m = cm_map_new(), *res;

	while (*csv) {
		size_t n = strcspn(csv, ",");
		size_t b = 0, e = n;
		char pair[512], *eq, *k, *v, *t;

		while (b < e && csv[b] == ' ')
			b++;
		while (e > b && csv[e - 1] == ' ')
			e--;
		if (e > b) {
			if (e - b >= sizeof(pair)) {
				cm_dec_error(d, path,
					     "a pair in field \"%s\" is longer "
					     "than %zu bytes; label keys and "
					     "values are at most 317 bytes",
					     path, sizeof(pair) - 1);
				return -1;
			}
			memcpy(pair, csv + b, e - b);
			pair[e - b] = '\0';
			eq = strchr(pair, '=');
			if (!eq || eq == pair) {
				cm_dec_error(d, path,
					     "\"%s\" in field \"%s\" is not "
					     "key=value; write comma-separated "
					     "label pairs, e.g. %s",
					     pair, path, example);
				return -1;
			}
			*eq = '\0';
			k = pair;
			v = eq + 1;
			for (t = eq; t > k && t[-1] == ' ';)
				*--t = '\0';
			while (*v == ' ')
				v++;
			if (cm_map_get(&m, k)) {
				cm_dec_error(d, path,
					     "label \"%s\" appears twice in "
					     "field \"%s\"; keep one",
					     k, path);
				return -1;
			}
			if (cm_map_set(d->arena, &m, k,
				       cm_str_new(d->arena, v)) < 0)
				goto oom;
		}
		csv += n;
		if (*csv == ',')
			csv++;
	}
	if (m.len == 0)
		return 0; /* empty: unset */
	res = cm_arena_alloc(d->arena, sizeof(*res));
	if (!res)
		goto oom;
	*res = m;
	*out = res;
	return 0;
oom:
	cm_dec_error(d, path, "out of memory");
	return -1;
}

/* keys: {logicalName: labelKey}. 0 or -1. */
static int cm_decode_keys(cm_dec *d, const cm_node *m, const char *path,
			  cm_label_keys *k)
{
	uint32_t i;
	int rc = 0;

	if (m->kind != CM_MAP) {
		cm_dec_error(d, path,
			     "field \"%s\" must be a mapping from label name "
			     "to label key (e.g. costCenter: "
			     "cost.example.com/center), not %s",
			     path, cm_node_shape(m));
		return -1;
	}
	for (i = 0; i < m->len; i++) {
		const cm_node *key = &m->u.kids[2 * i];
		const cm_node *val = &m->u.kids[2 * i + 1];
		int idx = key->kind == CM_SCALAR ? cm_label_index(key->u.str)
						 : -1;

		if (idx < 0) {
			cm_unknown_label(d, path,
					 key->kind == CM_SCALAR ? key->u.str
								: "?");
			rc = -1;
			continue;
		}
		if (val->kind != CM_SCALAR || cm_node_is_null(val)) {
			cm_dec_error(d, path,
				     "the key for label \"%s\" at \"%s\" must "
				     "be a label key string; to leave the label "
				     "out use omit: [%s]",
				     key->u.str, path, key->u.str);
			rc = -1;
			continue;
		}
		k->key[idx] = val->u.str;
	}
	return rc;
}

/* spec.labels. 0 or -1 after reporting every problem. */
static int cm_decode_labels(cm_dec *d, const cm_node *m)
{
	const char *lnames[8], *pnames[8];
	static const cm_field strict_f = {"strict", CM_F_BOOL,
					  offsetof(cm_config, labels_strict)};
	static const cm_field prefix_f = {"prefix", CM_F_STRING,
					  offsetof(cm_config, labels_prefix)};
	static const cm_field preset_f = {"preset", CM_F_STRING,
					  offsetof(cm_config, labels_preset)};
	static const cm_field mode_f = {"presetMode", CM_F_STRING,
					offsetof(cm_config, labels_preset_mode)};
	uint32_t i, j;
	int rc = 0;

	if (cm_node_is_null(m))
		return 0;
	if (m->kind != CM_MAP) {
		cm_dec_error(d, "spec.labels",
			     "field \"spec.labels\" must be a mapping, not %s",
			     cm_node_shape(m));
		return -1;
	}
	for (i = 0; i < m->len; i++) {
		const cm_node *key = &m->u.kids[2 * i];
		const cm_node *val = &m->u.kids[2 * i + 1];
		char path[256];

		snprintf(path, sizeof(path), "spec.labels.%s",
			 key->kind == CM_SCALAR ? key->u.str : "?");
		if (cm_scalar_is(key, "strict")) {
			rc |= cm_store(d, &strict_f, path, val);
		} else if (cm_scalar_is(key, "prefix")) {
			rc |= cm_store(d, &prefix_f, path, val);
		} else if (cm_scalar_is(key, "preset")) {
			rc |= cm_store(d, &preset_f, path, val);
		} else if (cm_scalar_is(key, "presetMode")) {
			rc |= cm_store(d, &mode_f, path, val);
		} else if (cm_scalar_is(key, "keys")) {
			rc |= cm_decode_keys(d, val, path, &d->out->meta);
		} else if (cm_scalar_is(key, "omit")) {
			rc |= cm_decode_omit(d, val, path, &d->out->meta);
		} else if (cm_scalar_is(key, "podTemplate")) {
			if (val->kind != CM_MAP) {
				cm_dec_error(d, path,
					     "field \"%s\" must be a mapping "
					     "with keys and omit, not %s",
					     path, cm_node_shape(val));
				rc = -1;
				continue;
			}
			for (j = 0; j < val->len; j++) {
				const cm_node *pk = &val->u.kids[2 * j];
				const cm_node *pv = &val->u.kids[2 * j + 1];
				char ppath[300];

				snprintf(ppath, sizeof(ppath), "%s.%s", path,
					 pk->kind == CM_SCALAR ? pk->u.str
							       : "?");
				if (cm_scalar_is(pk, "keys"))
					rc |= cm_decode_keys(d, pv, ppath,
							     &d->out->pod);
				else if (cm_scalar_is(pk, "omit"))
					rc |= cm_decode_omit(d, pv, ppath,
							     &d->out->pod);
				else {
					cm_unknown_field(
						d, ppath,
						pk->kind == CM_SCALAR
							? pk->u.str
							: "?",
						cm_fd_names(
							cm_fd_service_pod_labels,
							pnames, 8));
					rc = -1;
				}
			}
		} else {
			cm_unknown_field(d, path,
					 key->kind == CM_SCALAR ? key->u.str
								: "?",
					 cm_fd_names(cm_fd_service_labels,
						     lnames, 8));
			rc = -1;
		}
	}
	return rc ? -1 : 0;
}

/*
 * Decode mapping m against table t; prefix is the path of m ("spec").
 * Reports every problem. 0 or -1.
 */
static int cm_decode_map(cm_dec *d, const cm_node *m, const char *prefix,
			 const cm_field *t, const cm_fdesc *fd)
{
	const char *names[32];
	size_t i;
	int rc = 0;

	cm_fd_names(fd, names, 32);
	for (i = 0; i < m->len; i++) {
		const cm_node *key = &m->u.kids[2 * i];
		const cm_node *val = &m->u.kids[2 * i + 1];
		const cm_field *f;
		char path[256];

		snprintf(path, sizeof(path), "%s.%s", prefix,
			 key->kind == CM_SCALAR ? key->u.str : "?");
		for (f = t; f->name; f++)
			if (cm_scalar_is(key, f->name))
				break;
		/* The field table says what is known; t how it is stored. */
		if (!f->name || key->kind != CM_SCALAR ||
		    !cm_fd_find(fd, key->u.str)) {
			cm_unknown_field(d, path,
					 key->kind == CM_SCALAR ? key->u.str
								: "?",
					 names);
			rc = -1;
			continue;
		}
		if (f->type == CM_F_LABELS) {
			if (cm_decode_labels(d, val) < 0)
				rc = -1;
			continue;
		}
		if (f->type == CM_F_DASH) {
			if (cm_node_is_null(val))
				continue;
			if (val->kind != CM_MAP) {
				cm_dec_error(d, path,
					     "field \"%s\" must be a mapping "
					     "(e.g. {delivery: ConfigMap, folder: "
					     "Payments}), not %s",
					     path, cm_node_shape(val));
				rc = -1;
				continue;
			}
			if (cm_decode_map(d, val, path, cm_dashboard_fields,
					  cm_fd_service_dashboard) < 0)
				rc = -1;
			continue;
		}
		if (f->type == CM_F_COST || f->type == CM_F_MONITOR) {
			const cm_field *sub = f->type == CM_F_COST
						      ? cm_cost_fields
						      : cm_monitoring_fields;

			if (t == cm_monitoring_fields && f->offset == 1) {
				if (cm_decode_selector(d, val, path) < 0)
					rc = -1;
				continue;
			}
			if (t == cm_monitoring_fields && f->offset == 2) {
				if (cm_decode_mon_labels(d, val, path) < 0)
					rc = -1;
				continue;
			}
			if (t == cm_monitoring_fields) {
				/* "overrides" inside spec.monitoring */
				if (cm_decode_overrides(d, val) < 0)
					rc = -1;
				continue;
			}
			if (val->kind != CM_MAP) {
				if (cm_node_is_null(val))
					continue;
				cm_dec_error(d, path,
					     "field \"%s\" must be a mapping, "
					     "not %s",
					     path, cm_node_shape(val));
				rc = -1;
				continue;
			}
			if (cm_decode_map(d, val, path, sub,
					  f->type == CM_F_COST
						  ? cm_fd_service_cost
						  : cm_fd_service_monitoring) < 0)
				rc = -1;
			continue;
		}
		if (cm_store(d, f, path, val) < 0)
			rc = -1;
	}
	return rc;
}

static int cm_decode_configmap(cm_dec *d, const cm_node *data)
{
	const char *names[48];
	const char *slo[5] = {NULL, NULL, NULL, NULL, NULL};
	size_t i;
	int rc = 0;

	cm_fd_names(cm_fd_service_flat, names, 48);
	for (i = 0; i < data->len; i++) {
		const cm_node *key = &data->u.kids[2 * i];
		const cm_node *val = &data->u.kids[2 * i + 1];
		const cm_field *f;
		char path[256];
		size_t s;

		snprintf(path, sizeof(path), "data.%s",
			 key->kind == CM_SCALAR ? key->u.str : "?");
		if (cm_scalar_is(key, "labelsOmit") ||
		    cm_scalar_is(key, "podLabelsOmit")) {
			if (val->kind != CM_SCALAR) {
				cm_dec_error(d, path,
					     "field \"%s\" must be a "
					     "comma-separated list of label "
					     "names, not %s",
					     path, cm_node_shape(val));
				rc = -1;
			} else if (cm_decode_omit_csv(
					   d, val->u.str, path,
					   cm_scalar_is(key, "labelsOmit")
						   ? &d->out->meta
						   : &d->out->pod) < 0) {
				rc = -1;
			}
			continue;
		}
		if (cm_scalar_is(key, "serviceSelector") ||
		    cm_scalar_is(key, "monitoringLabels")) {
			int sel = cm_scalar_is(key, "serviceSelector");

			if (val->kind != CM_SCALAR) {
				cm_dec_error(d, path,
					     "field \"%s\" must be "
					     "comma-separated key=value label "
					     "pairs, not %s",
					     path, cm_node_shape(val));
				rc = -1;
			} else if (cm_decode_pairs_csv(
					   d, val->u.str, path,
					   sel ? "serviceSelector=app=checkout"
					       : "monitoringLabels=release="
						 "kube-prometheus-stack",
					   sel ? &d->out->service_selector
					       : &d->out->monitoring_labels) <
				   0) {
				rc = -1;
			}
			continue;
		}
		for (s = 0; cm_slo_keys()[s]; s++)
			if (cm_scalar_is(key, cm_slo_keys()[s]))
				break;
		if (cm_slo_keys()[s]) {
			if (val->kind != CM_SCALAR) {
				cm_dec_error(d, path,
					     "field \"%s\" must be a number, "
					     "not %s",
					     path, cm_node_shape(val));
				rc = -1;
			} else if (!cm_node_is_null(val)) {
				slo[s] = val->u.str;
			}
			continue;
		}
		for (f = cm_flat_fields; f->name; f++)
			if (cm_scalar_is(key, f->name))
				break;
		if (!f->name || key->kind != CM_SCALAR ||
		    !cm_fd_find(cm_fd_service_flat, key->u.str)) {
			cm_unknown_field(d, path,
					 key->kind == CM_SCALAR ? key->u.str
								: "?",
					 names);
			rc = -1;
			continue;
		}
		if (cm_store(d, f, path, val) < 0)
			rc = -1;
	}
	if (slo[0] || slo[1] || slo[2] || slo[3] || slo[4]) {
		cm_slo_override *o;

		if (!d->out->environment) {
			cm_dec_error(d, "data.environment",
				     "SLO keys in a ConfigMap apply to the "
				     "configured environment, but "
				     "\"data.environment\" is not set; add "
				     "environment=<name>");
			return -1;
		}
		o = cm_arena_alloc(d->arena, sizeof(*o));
		if (!o) {
			cm_dec_error(d, "data", "out of memory");
			return -1;
		}
		o->environment = d->out->environment;
		o->availability = slo[0];
		o->error_rate = slo[1];
		o->latency_p95_ms = slo[2];
		o->page_severity = slo[3];
		o->ticket_severity = slo[4];
		d->out->overrides = o;
		d->out->n_overrides = 1;
	}
	return rc;
}

/*
 * Refuse every scalar (key or value) of the tree at n that holds a NUL
 * byte: C strings would silently cut it there. path names n. Returns the
 * number of such scalars found (each reported).
 */
static int cm_refuse_nul(cm_dec *d, const cm_node *n, const char *path)
{
	char sub[256];
	uint32_t i;
	int found = 0;

	if (n->kind == CM_SCALAR) {
		if (strlen(n->u.str) == n->len)
			return 0;
		cm_dec_error(d, path,
			     "field \"%s\" holds a NUL character (\\0) after "
			     "\"%s\"; remove it: %s values may not contain NUL",
			     path, n->u.str, d->what);
		return 1;
	}
	if (n->kind == CM_SEQ) {
		for (i = 0; i < n->len; i++) {
			snprintf(sub, sizeof(sub), "%s[%u]", path, i);
			found += cm_refuse_nul(d, &n->u.kids[i], sub);
		}
	} else if (n->kind == CM_MAP) {
		for (i = 0; i < n->len; i++) {
			const cm_node *k = &n->u.kids[2 * i];

			snprintf(sub, sizeof(sub), "%s.%s", path,
				 k->kind == CM_SCALAR ? k->u.str : "?");
			found += cm_refuse_nul(d, k, sub);
			found += cm_refuse_nul(d, &n->u.kids[2 * i + 1], sub);
		}
	}
	return found;
}

int cm_config_decode(cm_arena *a, const cm_node *fc, const char *file,
		     cm_config *out, cm_diags *diags)
{
	const char *api, *kind;
	const cm_node *body;
	cm_dec d;

	cm_config_init(out);
	memset(&d, 0, sizeof(d));
	d.arena = a;
	d.out = out;
	d.diags = diags;
	d.where = CM_WHERE_NONE;
	d.where.file_path = file;
	if (!fc || cm_node_is_null(fc))
		return 0;
	if (fc->kind != CM_MAP) {
		cm_dec_error(&d, NULL,
			     "functionConfig must be a mapping (a %s or a "
			     "ConfigMap), not %s",
			     CM_CONFIG_KIND, cm_node_shape(fc));
		return -1;
	}
	d.where = cm_item_where(fc);
	if (file)
		d.where.file_path = file;
	out->where = d.where;
	api = d.where.api_version;
	kind = d.where.kind;
	out->name = d.where.name;
	if (kind && strcmp(kind, CM_CONFIG_KIND) == 0) {
		if (!api || strcmp(api, CM_API_VERSION) != 0) {
			cm_dec_error(&d, "apiVersion",
				     "unsupported apiVersion \"%s\" for %s; "
				     "use apiVersion: %s",
				     api ? api : "", CM_CONFIG_KIND,
				     CM_API_VERSION);
			return -1;
		}
		out->form = CM_CONFIG_TYPED;
		d.what = CM_CONFIG_KIND;
		body = cm_map_get(fc, "spec");
		if (!body || cm_node_is_null(body))
			return 0;
		if (body->kind != CM_MAP) {
			cm_dec_error(&d, "spec",
				     "field \"spec\" must be a mapping, not %s",
				     cm_node_shape(body));
			return -1;
		}
		if (cm_refuse_nul(&d, body, "spec"))
			return -1;
		return cm_decode_map(&d, body, "spec", cm_spec_fields,
				     cm_fd_service_spec);
	}
	if (kind && strcmp(kind, "ConfigMap") == 0 && api &&
	    strcmp(api, "v1") == 0) {
		out->form = CM_CONFIG_CONFIGMAP;
		d.what = "ConfigMap";
		body = cm_map_get(fc, "data");
		if (!body || cm_node_is_null(body))
			return 0;
		if (body->kind != CM_MAP) {
			cm_dec_error(&d, "data",
				     "field \"data\" must be a mapping, not %s",
				     cm_node_shape(body));
			return -1;
		}
		if (cm_refuse_nul(&d, body, "data"))
			return -1;
		return cm_decode_configmap(&d, body);
	}
	cm_dec_error(&d, "kind",
		     "unknown functionConfig kind \"%s\" (apiVersion \"%s\"); "
		     "costmon takes a %s (apiVersion: %s) or a ConfigMap "
		     "(apiVersion: v1) with the same fields as data keys",
		     kind ? kind : "", api ? api : "", CM_CONFIG_KIND,
		     CM_API_VERSION);
	return -1;
}
