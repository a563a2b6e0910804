/* labels.c - see labels.h for the contract. */
#include "labels.h"

#include <stdio.h>
#include <string.h>

#include "../core/item.h"
#include "../core/text.h"
#include "../expand/catalog.h"

static const char *const cm_default_keys[CM_LABEL_COUNT] = {
	"cost.service", "cost.team", "cost.costCenter", "cost.businessUnit",
	"cost.owner", "cost.environment", "cost.region", "cost.budget",
	"monitoring.profile",
};

/*
 * OpenCost's and Kubecost's default allocation labels (owner, team,
 * department, product = app, environment = env); GKE cost allocation
 * keys that are valid GCP label keys. In cm_label_id order: service,
 * team, costCenter, businessUnit, owner, environment, region, budget,
 * monitoringProfile.
 */
const cm_label_preset cm_label_presets[] = {
	{"opencost",
	 {"app", "team", NULL, "department", "owner", "env", NULL, NULL, NULL},
	 0},
	{"kubecost",
	 {"app", "team", NULL, "department", "owner", "env", NULL, NULL, NULL},
	 0},
	{"gke",
	 {"cost_service", "cost_team", "cost_center", "cost_business_unit",
	  "cost_owner", "cost_environment", "cost_region", NULL, NULL},
	 1},
	{NULL, {NULL}, 0},
};

static int cm_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

size_t cm_label_safe(const char *s, char *out, size_t n)
{
	size_t len = 0, start = 0;
	const unsigned char *p = (const unsigned char *)s;

	/* Map, keeping at most n-1 bytes; count the full length. */
	for (; *p; p++) {
		const char *rep = NULL;
		char one[2] = {0, 0};

		if ((*p & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation: one '_' per char */
		if (*p == '@')
			rep = "_at_";
		else if (cm_alnum((char)*p) || *p == '-' || *p == '_' ||
			 *p == '.')
			one[0] = (char)*p, rep = one;
		else
			rep = "_";
		for (; *rep; rep++, len++)
			if (len + 1 < n)
				out[len] = *rep;
	}
	if (len + 1 >= n) {
		out[n - 1] = '\0';
		return len;
	}
	out[len] = '\0';
	while (start < len && !cm_alnum(out[start]))
		start++;
	while (len > start && !cm_alnum(out[len - 1]))
		len--;
	memmove(out, out + start, len - start);
	len -= start;
	out[len] = '\0';
	return len;
}

int cm_label_value_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63 || !cm_alnum(s[0]) || !cm_alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!cm_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

int cm_label_key_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;
	size_t i;

	if (slash) {
		size_t plen = (size_t)(slash - s);

		if (plen == 0 || plen > 253 || !cm_alnum(s[0]) ||
		    !cm_alnum(s[plen - 1]))
			return 0;
		for (i = 0; i < plen; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') ||
			      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			      s[i] == '.'))
				return 0;
	}
	return cm_label_value_ok(name);
}

/*
 * Why key may not be a cost label key, or NULL when it may. Reserved:
 * the prefixes kubernetes.io/ and k8s.io/ and their subdomains (where
 * kpt and kustomize keep their own config.kubernetes.io/,
 * internal.config.kubernetes.io/, config.k8s.io/ and
 * kustomize.config.k8s.io/ keys), except app.kubernetes.io/, which
 * Kubernetes documents for users (recommended labels); and costmon's own
 * annotation keys, which the exact value of a label would overwrite.
 */
static const char *cm_label_key_reserved(const char *key)
{
	static const char *const own[] = {
		CM_ANN_BUDGET, CM_ANN_BUDGET_AMOUNT, CM_ANN_BUDGET_CURRENCY,
		NULL,
	};
	static const char *const domains[] = {"kubernetes.io", "k8s.io", NULL};
	const char *slash = strchr(key, '/');
	size_t plen, i;

	for (i = 0; own[i]; i++)
		if (!strcmp(key, own[i]))
			return "is costmon's own budget annotation key";
	if (!slash)
		return NULL;
	plen = (size_t)(slash - key);
	if (plen == strlen("app.kubernetes.io") &&
	    !strncmp(key, "app.kubernetes.io", plen))
		return NULL;
	for (i = 0; domains[i]; i++) {
		size_t dl = strlen(domains[i]);

		if ((plen == dl && !strncmp(key, domains[i], dl)) ||
		    (plen > dl && key[plen - dl - 1] == '.' &&
		     !strncmp(key + plen - dl, domains[i], dl)))
			return "is under a prefix reserved for Kubernetes, kpt "
			       "and kustomize (kubernetes.io/, k8s.io/ and their "
			       "subdomains such as config.kubernetes.io/; only "
			       "app.kubernetes.io/ is for users)";
	}
	return NULL;
}

int cm_label_gcp_key_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 63 && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int cm_label_gcp_value_ok(const char *s)
{
	size_t n = strlen(s);

	return n <= 63 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

const char *cm_labels_pod_key(const cm_label_set *set, int id)
{
	size_t i;

	for (i = 0; i < set->n_pod; i++)
		if (set->pod[i].id == id)
			return set->pod[i].key;
	for (i = 0; i < set->n_preset_pod; i++)
		if (set->preset_pod[i].id == id)
			return set->preset_pod[i].key;
	return NULL;
}

/* The preset named by cfg, or NULL. */
static const cm_label_preset *cm_preset_of(const cm_config *cfg)
{
	const cm_label_preset *p;

	if (!cfg->labels_preset)
		return NULL;
	for (p = cm_label_presets; p->name; p++)
		if (!strcmp(p->name, cfg->labels_preset))
			return p;
	return NULL;
}

/* The key of label i for metadata (pod = 0) or pod templates (pod = 1),
 * or NULL when omitted. Writes prefixed keys into buf. */
static const char *cm_key_for(const cm_config *cfg, int i, int pod, char *buf,
			      size_t n)
{
	const cm_label_preset *ps = cm_preset_of(cfg);

	if (cfg->meta.omit[i] || (pod && cfg->pod.omit[i]))
		return NULL;
	/* replace: the preset's key stands in for the default one */
	if (ps && ps->key[i] && cfg->labels_preset_mode &&
	    !strcmp(cfg->labels_preset_mode, "replace") &&
	    !cfg->meta.key[i] && !(pod && cfg->pod.key[i]))
		return NULL;
	if (pod && cfg->pod.key[i])
		return cfg->pod.key[i];
	if (cfg->meta.key[i])
		return cfg->meta.key[i];
	if (cfg->labels_prefix && *cfg->labels_prefix) {
		snprintf(buf, n, "%s%s", cfg->labels_prefix, cm_label_names[i]);
		return buf;
	}
	return cm_default_keys[i];
}

/* A key/value pair of new string nodes at pair[0..1]. 0 or -1. */
static int cm_pair(cm_arena *a, cm_node *pair, const char *k, const char *v)
{
	pair[0] = cm_str_new(a, k);
	pair[1] = cm_str_new(a, v);
	return pair[0].kind == CM_NONE || pair[1].kind == CM_NONE ? -1 : 0;
}

/* Build the ready-made node pairs of set. 0, or -1 when out of memory. */
static int cm_labels_nodes(cm_arena *a, cm_label_set *set)
{
	size_t i;

	for (i = 0; i < set->n_meta; i++)
		if (cm_pair(a, &set->meta_nodes[2 * i], set->meta[i].key,
			    set->meta[i].value) < 0)
			return -1;
	for (i = 0; i < set->n_pod; i++)
		if (cm_pair(a, &set->pod_nodes[2 * i], set->pod[i].key,
			    set->pod[i].value) < 0)
			return -1;
	for (i = 0; i < set->n_preset_meta; i++)
		if (cm_pair(a, &set->preset_meta_nodes[2 * i],
			    set->preset_meta[i].key, set->preset_meta[i].value) < 0)
			return -1;
	for (i = 0; i < set->n_preset_pod; i++)
		if (cm_pair(a, &set->preset_pod_nodes[2 * i],
			    set->preset_pod[i].key, set->preset_pod[i].value) < 0)
			return -1;
	set->n_ann = 0;
	for (i = 0; i < set->n_meta; i++)
		if (set->meta[i].exact &&
		    cm_pair(a, &set->ann_nodes[2 * set->n_ann++],
			    set->meta[i].key, set->meta[i].exact) < 0)
			return -1;
	if (cm_pair(a, &set->ann_nodes[2 * set->n_ann++], CM_ANN_BUDGET_AMOUNT,
		    set->amount) < 0 ||
	    cm_pair(a, &set->ann_nodes[2 * set->n_ann++],
		    CM_ANN_BUDGET_CURRENCY, set->currency) < 0 ||
	    cm_pair(a, &set->ann_nodes[2 * set->n_ann++], CM_ANN_BUDGET_PERIOD,
		    set->period) < 0)
		return -1;
	return 0;
}

/* The config field a label's value comes from (NULL for the budget,
 * which is computed). */
static const char *cm_value_path(const cm_config *cfg, int i, char *buf,
				 size_t n)
{
	static const char *const typed[CM_LABEL_COUNT] = {
		"service", "team", "cost.costCenter", "cost.businessUnit",
		"cost.costOwner", "environment", "region", NULL,
		"monitoringProfile",
	};
	static const char *const flat[CM_LABEL_COUNT] = {
		"service", "team", "costCenter", "businessUnit",
		"costOwner", "environment", "region", NULL,
		"monitoringProfile",
	};

	if (!typed[i])
		return NULL;
	return cm_config_path(cfg, typed[i], flat[i], buf, n);
}

/* The config field that sets the key of label i (for pod templates when
 * pod is set). */
static const char *cm_key_path(const cm_config *cfg, int i, int pod,
			       char *buf, size_t n)
{
	if (cfg->form == CM_CONFIG_CONFIGMAP)
		snprintf(buf, n, "data.labelPrefix");
	else if (pod && cfg->pod.key[i])
		snprintf(buf, n, "spec.labels.podTemplate.keys.%s",
			 cm_label_names[i]);
	else if (cfg->meta.key[i])
		snprintf(buf, n, "spec.labels.keys.%s", cm_label_names[i]);
	else
		snprintf(buf, n, "spec.labels.prefix");
	return buf;
}

/* The index of the first label written under key (0 if none). */
static int cm_label_index_of(const char *key, const cm_config *cfg, int pod)
{
	char kbuf[320];
	int i;

	for (i = 0; i < CM_LABEL_COUNT; i++) {
		const char *k = cm_key_for(cfg, i, pod, kbuf, sizeof(kbuf));

		if (k && !strcmp(k, key))
			return i;
	}
	return 0;
}

/* A preset label's value: the label-safe value, for GCP lowercased with
 * '.' made '_'. An arena string or NULL. */
static const char *cm_preset_value(cm_arena *a, const char *v, int gcp)
{
	char buf[80];
	size_t i, n = strlen(v);

	if (!gcp || n >= sizeof(buf))
		return v;
	for (i = 0; i < n; i++) {
		char c = v[i];

		buf[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a')
			 : c == '.'	      ? '_'
					      : c;
	}
	return cm_arena_strndup(a, buf, n);
}

/*
 * The preset labels of set, from its cost labels' values (metadata and
 * pod templates alike; omit lists apply). 0, or -1 after reporting.
 */
static int cm_presets_build(cm_arena *a, const cm_config *cfg,
			    cm_label_set *set, cm_diags *diags)
{
	const cm_label_preset *ps = cm_preset_of(cfg);
	const char *mode = cfg->labels_preset_mode;
	cm_where w = cfg->where;
	char path[128], list[128];
	const char *names[8];
	int i, pod, k = 0;

	if (mode && strcmp(mode, "add") && strcmp(mode, "replace")) {
		w.field_path = cm_config_path(cfg, "labels.presetMode",
					      "labelPresetMode", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%s \"%s\" is not a preset mode; use add (preset "
			    "keys as well as the cost.* keys) or replace "
			    "(preset keys instead of the cost.* keys they "
			    "cover)",
			    w.field_path, mode);
		return -1;
	}
	if (!cfg->labels_preset || !*cfg->labels_preset) {
		if (!mode)
			return 0;
		w.field_path = cm_config_path(cfg, "labels.presetMode",
					      "labelPresetMode", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%s is set but no preset is named; set "
			    "labels.preset to opencost, kubecost or gke, or "
			    "remove %s",
			    w.field_path, w.field_path);
		return -1;
	}
	if (!ps) {
		for (ps = cm_label_presets; ps->name && k < 7; ps++)
			names[k++] = ps->name;
		names[k] = NULL;
		cm_join(list, sizeof(list), names);
		w.field_path = cm_config_path(cfg, "labels.preset",
					      "labelPreset", path, sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "unknown label preset \"%s\" at %s; use one of %s",
			    cfg->labels_preset, w.field_path, list);
		return -1;
	}
	for (pod = 0; pod <= 1; pod++) {
		for (i = 0; i < CM_LABEL_COUNT; i++) {
			const cm_label *src = NULL;
			cm_label *l;
			const char *value;
			size_t j, n = pod ? set->n_pod : set->n_meta;
			char buf[CM_DEC_BUFSZ + 64];

			if (!ps->key[i] || cfg->meta.omit[i] ||
			    (pod && cfg->pod.omit[i]))
				continue;
			for (j = 0; j < n; j++)
				if ((pod ? set->pod : set->meta)[j].id == i)
					src = &(pod ? set->pod : set->meta)[j];
			/* replace mode left the cost.* key out: take the
			 * value from the config again */
			if (!src) {
				cm_label tmp;
				const char *v[CM_LABEL_COUNT] = {
					cfg->service, cfg->team,
					cfg->cost.cost_center,
					cfg->cost.business_unit,
					cfg->cost.cost_owner, cfg->environment,
					cfg->region, NULL, NULL,
				};

				if (!v[i] || !*v[i])
					continue;
				tmp.value = v[i];
				if (!cm_label_value_ok(v[i])) {
					size_t len = cm_label_safe(v[i], buf,
								   sizeof(buf));

					if (len == 0 || len > 63)
						continue; /* reported for
							   * cost.* already */
					tmp.value = cm_arena_strndup(a, buf, len);
				}
				value = tmp.value;
			} else {
				value = src->value;
			}
			l = pod ? &set->preset_pod[set->n_preset_pod++]
				: &set->preset_meta[set->n_preset_meta++];
			l->id = i;
			l->key = ps->key[i];
			l->exact = NULL;
			l->value = value ? cm_preset_value(a, value,
							   ps->gcp_values)
					 : NULL;
			if (!l->value) {
				cm_diag_add(diags, CM_SEV_ERROR, NULL,
					    "out of memory while building "
					    "labels");
				return -1;
			}
		}
	}
	return 0;
}

/* The logical name of the label already written under key. */
static const char *cm_label_of(const char *key, const cm_config *cfg, int pod)
{
	return cm_label_names[cm_label_index_of(key, cfg, pod)];
}

int cm_labels_build(cm_arena *a, const cm_config *cfg,
		    const cm_cost_plan *plan, cm_label_set *set,
		    cm_diags *diags)
{
	const char *values[CM_LABEL_COUNT];
	char amount[CM_DEC_BUFSZ];
	int i, pod, errors = 0;
	cm_where w = cfg->where;
	char path[128];

	memset(set, 0, sizeof(*set));
	cm_dec_format(plan->amount, amount);
	/* Labels keep pointers to their values: the amount must outlive
	 * this function. */
	set->amount = cm_arena_strndup(a, amount, strlen(amount));
	if (!set->amount)
		goto oom;
	values[CM_LABEL_SERVICE] = plan->service;
	values[CM_LABEL_TEAM] = plan->team;
	values[CM_LABEL_COST_CENTER] = plan->cost_center;
	values[CM_LABEL_BUSINESS_UNIT] = plan->business_unit;
	values[CM_LABEL_OWNER] = plan->cost_owner;
	values[CM_LABEL_ENVIRONMENT] = plan->environment;
	values[CM_LABEL_REGION] = plan->region;
	values[CM_LABEL_BUDGET] = set->amount;
	values[CM_LABEL_MONITORING_PROFILE] = cfg->monitoring_profile;

	for (pod = 0; pod <= 1; pod++) {
		for (i = 0; i < CM_LABEL_COUNT; i++) {
			char kbuf[320], safe[80];
			const char *key = cm_key_for(cfg, i, pod, kbuf, sizeof(kbuf));
			cm_label *l = pod ? &set->pod[set->n_pod]
					  : &set->meta[set->n_meta];
			size_t len;

			if (!key || !values[i] || !*values[i])
				continue;
			/* Report problems once: in the metadata pass, or in
			 * the pod pass for a key only pod templates use. */
			if (!cm_label_key_ok(key)) {
				if (!pod || cfg->pod.key[i]) {
					w.field_path = cm_config_path(
						cfg, "labels", "labelPrefix", path,
						sizeof(path));
					cm_diag_add(diags, CM_SEV_ERROR, &w,
						    "label key \"%s\" (for %s) is "
						    "not a valid Kubernetes label "
						    "key; use [prefix/]name where "
						    "the name is at most 63 "
						    "letters, digits, '-', '_' or "
						    "'.', and the prefix a DNS "
						    "subdomain",
						    key, cm_label_names[i]);
					errors++;
				}
				continue;
			}
			if (cm_label_key_reserved(key)) {
				if (!pod || cfg->pod.key[i]) {
					w.field_path = cm_key_path(cfg, i, pod,
								   path,
								   sizeof(path));
					cm_diag_add(diags, CM_SEV_ERROR, &w,
						    "label key \"%s\" (for %s, "
						    "at \"%s\") %s; choose a key "
						    "under your own prefix, e.g. "
						    "cost.example.com/%s",
						    key, cm_label_names[i],
						    w.field_path,
						    cm_label_key_reserved(key),
						    cm_label_names[i]);
					errors++;
				}
				continue;
			}
			{
				/* Two labels under one key would write a
				 * duplicate key: refuse it. */
				const cm_label *done = pod ? set->pod : set->meta;
				size_t nd = pod ? set->n_pod : set->n_meta, j;

				for (j = 0; j < nd; j++)
					if (!strcmp(done[j].key, key))
						break;
				if (j < nd && pod && !cfg->pod.key[i] &&
				    !cfg->pod.key[cm_label_index_of(
					    done[j].key, cfg, pod)]) {
					/* The same keys as on objects: that
					 * collision is already reported. */
					errors++;
					continue;
				}
				if (j < nd) {
					w.field_path = cm_key_path(
						cfg, i, pod, path, sizeof(path));
					cm_diag_add(diags, CM_SEV_ERROR, &w,
						    "labels \"%s\" and \"%s\" "
						    "both use the key \"%s\"%s; "
						    "give each label its own key "
						    "in %s, or omit one",
						    cm_label_of(done[j].key, cfg,
								pod),
						    cm_label_names[i], key,
						    pod ? " on pod templates"
							: "",
						    cfg->form == CM_CONFIG_CONFIGMAP
							    ? "a ServiceProfile's "
							      "spec.labels.keys "
							      "(a ConfigMap has "
							      "only labelPrefix)"
							    : "spec.labels.keys");
					errors++;
					continue;
				}
			}
			l->id = i;
			l->key = cm_arena_strndup(a, key, strlen(key));
			l->value = values[i];
			if (!cm_label_value_ok(values[i])) {
				w.field_path = cm_value_path(cfg, i, path,
							     sizeof(path));
				if (cfg->labels_strict == 1) {
					if (!pod)
						cm_diag_add(
							diags, CM_SEV_ERROR, &w,
							"value \"%s\" of label "
							"\"%s\" is not a valid "
							"label value (strict "
							"mode); use at most 63 "
							"letters, digits, '-', "
							"'_' or '.', starting and "
							"ending with a letter or "
							"digit, or turn off "
							"%s",
							values[i], key,
							cfg->form == CM_CONFIG_CONFIGMAP
								? "data.labelsStrict"
								: "spec.labels.strict");
					errors += !pod;
					continue;
				}
				len = cm_label_safe(values[i], safe, sizeof(safe));
				if (len == 0 || len > 63) {
					if (!pod)
						cm_diag_add(
							diags, CM_SEV_ERROR, &w,
							"value \"%s\" of label "
							"\"%s\" has %s label-safe "
							"form; shorten it to at "
							"most 63 characters made of "
							"letters, digits, '-', '_' "
							"and '.'",
							values[i], key,
							len ? "an over-long"
							    : "an empty");
					errors += !pod;
					continue;
				}
				l->exact = values[i];
				l->value = cm_arena_strndup(a, safe, len);
			}
			if (!l->key || !l->value)
				goto oom;
			if (pod)
				set->n_pod++;
			else
				set->n_meta++;
		}
	}
	/* The ServiceMonitor's selector is a label selector: the API server
	 * refuses keys and values that are not label keys and values. */
	if (cfg->service_selector)
		for (i = 0; i < (int)cfg->service_selector->len; i++) {
			const cm_node *k = &cfg->service_selector->u.kids[2 * i];
			const cm_node *v = &cfg->service_selector->u.kids[2 * i + 1];
			char spath[320];

			if (cm_label_key_ok(k->u.str) &&
			    (!*v->u.str || cm_label_value_ok(v->u.str)))
				continue;
			if (cfg->form == CM_CONFIG_CONFIGMAP)
				snprintf(spath, sizeof(spath),
					 "data.serviceSelector");
			else
				snprintf(spath, sizeof(spath),
					 "spec.monitoring.serviceSelector.%s",
					 k->u.str);
			w.field_path = spath;
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s: \"%s: %s\" is not a valid label %s; a "
				    "label key is [prefix/]name and a value at most "
				    "63 letters, digits, '-', '_' or '.', starting "
				    "and ending with a letter or digit; use the "
				    "Service's labels as they are",
				    spath, k->u.str, v->u.str,
				    cm_label_key_ok(k->u.str) ? "value" : "key");
			errors++;
		}
	set->currency = plan->profile.currency;
	set->period = plan->profile.period;
	if (cm_presets_build(a, cfg, set, diags) < 0)
		errors++;
	if (errors)
		return -1;
	if (cm_labels_nodes(a, set) < 0)
		goto oom;
	return 0;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while building labels");
	return -1;
}

size_t cm_labels_item_arena(const cm_label_set *set)
{
	/* New pairs on the object and on up to two pod templates, plus the
	 * metadata/labels/annotations keys each of them may need, each
	 * allocation rounded up to the arena's alignment. */
	size_t pairs = set->n_meta + set->n_ann + 2 * set->n_pod + 12;

	return pairs * 2 * sizeof(cm_node) + 16 * 64;
}

size_t cm_labels_item_text(const cm_label_set *set)
{
	size_t n = 128, i;

	/* Values may be quoted and escaped (at most 4 bytes per byte, with
	 * line folding) in the output; keys are label keys (plain). */
	for (i = 0; i < set->n_meta; i++)
		n += strlen(set->meta[i].key) + 4 * strlen(set->meta[i].value) +
		     16;
	for (i = 0; i < set->n_pod; i++)
		n += 2 * (strlen(set->pod[i].key) +
			  4 * strlen(set->pod[i].value) + 24);
	for (i = 0; i < set->n_ann; i++)
		n += 4 * set->ann_nodes[2 * i].len +
		     4 * set->ann_nodes[2 * i + 1].len + 16;
	return n;
}

/* ---- applying ---- */

typedef struct cm_apply {
	cm_arena *arena;
	cm_diags *diags;
	const cm_node *item;
	const cm_node *selector; /* spec.selector of the workload whose pod
				  * template is being labelled, or NULL */
	int oom;
	int errors; /* selector labels we refused to overwrite */
} cm_apply;

/* True when selector (a LabelSelector: matchLabels, matchExpressions; or
 * a plain label map) uses key. */
static int cm_selector_uses(const cm_node *sel, const char *key)
{
	const cm_node *ml, *me;
	uint32_t i;

	if (!sel || sel->kind != CM_MAP)
		return 0;
	ml = cm_map_get(sel, "matchLabels");
	me = cm_map_get(sel, "matchExpressions");
	if (!ml && !me)
		return cm_map_get(sel, key) != NULL; /* a plain map */
	if (ml && ml->kind == CM_MAP && cm_map_get(ml, key))
		return 1;
	if (me && me->kind == CM_SEQ)
		for (i = 0; i < me->len; i++) {
			const cm_node *k = me->u.kids[i].kind == CM_MAP
						   ? cm_map_get(&me->u.kids[i],
								"key")
						   : NULL;

			if (k && cm_scalar_is(k, key))
				return 1;
		}
	return 0;
}

/* The mapping under key in map, created (empty) if absent or null.
 * Returns NULL when out of memory or when the value is not a mapping. */
static cm_node *cm_ensure_map(cm_apply *x, cm_node *map, const char *key)
{
	cm_node *v = cm_map_get(map, key);

	if (v && v->kind == CM_MAP)
		return v;
	if (v && !cm_node_is_null(v))
		return NULL; /* not ours to replace */
	if (cm_map_set(x->arena, map, key, cm_map_new()) < 0) {
		x->oom = 1;
		return NULL;
	}
	return cm_map_get(map, key);
}

/*
 * Put n ready-made key/value pairs into map: a key that is there with
 * another value is replaced in place (and reported when warn is set, as
 * "<what> <key> of <resource> was ..."), or with keep set left as it is
 * (and reported); missing keys are appended with one allocation.
 * where_path names map in the report.
 */
static void cm_put_pairs_mode(cm_apply *x, cm_node *map, const cm_node *pairs,
			      size_t n, const char *what,
			      const char *where_path, int warn, int keep)
{
	cm_node add[2 * (CM_LABEL_COUNT + 4)];
	size_t nadd = 0, i;

	for (i = 0; i < n; i++) {
		const cm_node *k = &pairs[2 * i], *v = &pairs[2 * i + 1];
		cm_node *old = cm_map_get(map, k->u.str);

		if (!old) {
			add[2 * nadd] = *k;
			add[2 * nadd + 1] = *v;
			nadd++;
			continue;
		}
		if (cm_scalar_is(old, v->u.str) && cm_scalar_is_string(old))
			continue;
		if (x->selector && !cm_scalar_is(old, v->u.str) &&
		    cm_selector_uses(x->selector, k->u.str)) {
			cm_where w = cm_item_where(x->item);
			char path[512];

			snprintf(path, sizeof(path), "%s.%s", where_path,
				 k->u.str);
			w.field_path = path;
			cm_diag_add(x->diags, CM_SEV_ERROR, &w,
				    "label \"%s\" of %s %s (%s) is used by its "
				    "spec.selector; writing \"%s\" over \"%s\" "
				    "would make the API server reject it; map "
				    "this cost label to another key in "
				    "spec.labels.podTemplate.keys (or "
				    "spec.labels.keys), or omit it",
				    k->u.str, w.kind ? w.kind : "resource",
				    w.name ? w.name : "?", path, v->u.str,
				    old->kind == CM_SCALAR ? old->u.str
							   : "(not a string)");
			x->errors++;
			continue;
		}
		if (warn && !cm_scalar_is(old, v->u.str)) {
			cm_where w = cm_item_where(x->item);
			char path[512], obj[600];
			const char *was;

			snprintf(path, sizeof(path), "%s.%s", where_path,
				 k->u.str);
			w.field_path = path;
			/* The object as "<Kind> <ns>/<name>", and the old value. */
			snprintf(obj, sizeof(obj), "%s %s%s%s",
				 w.kind ? w.kind : "resource",
				 w.namespace_ ? w.namespace_ : "",
				 w.namespace_ ? "/" : "", w.name ? w.name : "?");
			was = old->kind == CM_SCALAR ? old->u.str : NULL;
			if (keep)
				cm_diag_add(x->diags, CM_SEV_WARNING, &w,
					    "%s \"%s\" of %s is \"%s\"; kept (the "
					    "preset would write \"%s\"); cost tools "
					    "group this object under \"%s\"",
					    what, k->u.str, obj,
					    was ? was : "(not a string)", v->u.str,
					    was ? was : "?");
			else
				cm_diag_add(x->diags, CM_SEV_WARNING, &w,
					    "%s \"%s\" of %s was \"%s\"; "
					    "overwritten with \"%s\"",
					    what, k->u.str, obj,
					    was ? was : "(not a string)", v->u.str);
		}
		if (!keep)
			cm_node_replace(x->arena, old, *v);
	}
	if (nadd && cm_map_append(x->arena, map, add, nadd) < 0)
		x->oom = 1;
}

static void cm_put_pairs(cm_apply *x, cm_node *map, const cm_node *pairs,
			 size_t n, const char *what, const char *where_path,
			 int warn)
{
	cm_put_pairs_mode(x, map, pairs, n, what, where_path, warn, 0);
}

/* Labels on the template metadata of holder (a mapping with metadata). */
static void cm_label_template(cm_apply *x, cm_node *holder, const char *path,
			      const cm_label_set *s)
{
	cm_node *md, *lab;
	char lpath[256];

	if (!holder || holder->kind != CM_MAP)
		return;
	md = cm_ensure_map(x, holder, "metadata");
	if (!md)
		return;
	lab = cm_ensure_map(x, md, "labels");
	if (!lab)
		return;
	snprintf(lpath, sizeof(lpath), "%s.metadata.labels", path);
	cm_put_pairs(x, lab, s->pod_nodes, s->n_pod, "label", lpath, 1);
	cm_put_pairs_mode(x, lab, s->preset_pod_nodes, s->n_preset_pod, "label",
			  lpath, 1, 1);
}

/* The pod templates of a workload of kind wk. */
static void cm_label_pods(cm_apply *x, cm_node *item, cm_workload wk,
			  const cm_label_set *s)
{
	cm_node *spec = cm_map_get(item, "spec");
	cm_node *jt, *jspec;

	if (!spec || spec->kind != CM_MAP)
		return;
	if (wk == CM_WORKLOAD_TEMPLATE) {
		x->selector = cm_map_get(spec, "selector");
		cm_label_template(x, cm_map_get(spec, "template"),
				  "spec.template", s);
		x->selector = NULL;
	} else if (wk == CM_WORKLOAD_CRONJOB) {
		jt = cm_map_get(spec, "jobTemplate");
		if (!jt || jt->kind != CM_MAP)
			return;
		cm_label_template(x, jt, "spec.jobTemplate", s);
		jt = cm_map_get(spec, "jobTemplate"); /* may have moved */
		jspec = jt ? cm_map_get(jt, "spec") : NULL;
		if (jspec && jspec->kind == CM_MAP)
			cm_label_template(x, cm_map_get(jspec, "template"),
					  "spec.jobTemplate.spec.template", s);
	}
}

int cm_labels_apply(cm_arena *a, cm_node *items, const cm_index *ix,
		    const cm_label_set *s, cm_diags *diags)
{
	cm_apply x;
	uint32_t i;

	memset(&x, 0, sizeof(x));
	x.arena = a;
	x.diags = diags;
	for (i = 0; i < items->len && !x.oom; i++) {
		cm_node *it = &items->u.kids[i];
		cm_node *md, *lab, *ann;
		cm_item_facts f = ix && i < ix->n ? ix->v[i]
						  : cm_item_facts_of(it);

		if (!cm_facts_changeable(&f))
			continue;
		x.item = it;
		cm_label_pods(&x, it, (cm_workload)f.workload, s);
		md = cm_ensure_map(&x, it, "metadata");
		if (!md)
			continue;
		lab = cm_ensure_map(&x, md, "labels");
		if (lab) {
			cm_put_pairs(&x, lab, s->meta_nodes, s->n_meta, "label",
				     "metadata.labels", 1);
			cm_put_pairs_mode(&x, lab, s->preset_meta_nodes,
					  s->n_preset_meta, "label",
					  "metadata.labels", 1, 1);
		}
		ann = cm_ensure_map(&x, md, "annotations");
		if (ann) {
			cm_put_pairs(&x, ann, s->ann_nodes, s->n_ann,
				     "annotation", "metadata.annotations", 0);
			if (cm_map_get(ann, CM_ANN_BUDGET) &&
			    cm_map_del(a, ann, CM_ANN_BUDGET) < 0)
				x.oom = 1;
		}
	}
	if (x.oom) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "the working-memory limit of %zu bytes was reached "
			    "while adding labels to %u items; split the input "
			    "into smaller lists",
			    cm_arena_max(a), items->len);
		return -1;
	}
	return x.errors ? -1 : 0;
}
