/* labels.c - see labels.h for the contract. */
#include "labels.h"

#include <stdio.h>
#include <string.h>

#include "../core/item.h"
#include "../expand/catalog.h"

static const char *const cm_default_keys[CM_LABEL_COUNT] = {
	"cost.service", "cost.team", "cost.costCenter", "cost.businessUnit",
	"cost.owner", "cost.environment", "cost.budget", "monitoring.profile",
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

/* The key of label i for metadata (pod = 0) or pod templates (pod = 1),
 * or NULL when omitted. Writes prefixed keys into buf. */
static const char *cm_key_for(const cm_config *cfg, int i, int pod, char *buf,
			      size_t n)
{
	if (cfg->meta.omit[i] || (pod && cfg->pod.omit[i]))
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
	    cm_pair(a, &set->ann_nodes[2 * set->n_ann++], CM_ANN_BUDGET,
		    set->budget_json) < 0)
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
		"cost.costOwner", "environment", NULL, "monitoringProfile",
	};
	static const char *const flat[CM_LABEL_COUNT] = {
		"service", "team", "costCenter", "businessUnit",
		"costOwner", "environment", NULL, "monitoringProfile",
	};

	if (!typed[i])
		return NULL;
	return cm_config_path(cfg, typed[i], flat[i], buf, n);
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
					w.field_path = "spec.labels";
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
							"spec.labels.strict",
							values[i], key);
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
	set->currency = plan->profile.currency;
	set->budget_json = plan->budget_json;
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

/* ---- applying ---- */

typedef struct cm_apply {
	cm_arena *arena;
	cm_diags *diags;
	const cm_node *item;
	int oom;
} cm_apply;

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
 * "<what> <key> of <resource> was ..."); missing keys are appended with
 * one allocation. where_path names map in the report.
 */
static void cm_put_pairs(cm_apply *x, cm_node *map, const cm_node *pairs,
			 size_t n, const char *what, const char *where_path,
			 int warn)
{
	cm_node add[2 * (CM_LABEL_COUNT + 3)];
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
		if (warn && !cm_scalar_is(old, v->u.str)) {
			cm_where w = cm_item_where(x->item);
			char path[512];

			snprintf(path, sizeof(path), "%s.%s", where_path,
				 k->u.str);
			w.field_path = path;
			cm_diag_add(x->diags, CM_SEV_WARNING, &w,
				    "%s \"%s\" of %s %s%s%s was \"%s\"; "
				    "overwritten with \"%s\"",
				    what, k->u.str, w.kind ? w.kind : "resource",
				    w.namespace_ ? w.namespace_ : "",
				    w.namespace_ ? "/" : "",
				    w.name ? w.name : "?",
				    old->kind == CM_SCALAR ? old->u.str
							   : "(not a string)",
				    v->u.str);
		}
		cm_node_replace(old, *v);
	}
	if (nadd && cm_map_append(x->arena, map, add, nadd) < 0)
		x->oom = 1;
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
}

/* The pod templates of a workload. */
static void cm_label_pods(cm_apply *x, cm_node *item, const cm_label_set *s)
{
	cm_workload wk = cm_item_workload(item);
	cm_node *spec = cm_map_get(item, "spec");
	cm_node *jt, *jspec;

	if (!spec || spec->kind != CM_MAP)
		return;
	if (wk == CM_WORKLOAD_TEMPLATE) {
		cm_label_template(x, cm_map_get(spec, "template"),
				  "spec.template", s);
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

int cm_labels_apply(cm_arena *a, cm_node *items, const cm_label_set *s,
		    cm_diags *diags)
{
	cm_apply x;
	uint32_t i;

	memset(&x, 0, sizeof(x));
	x.arena = a;
	x.diags = diags;
	for (i = 0; i < items->len && !x.oom; i++) {
		cm_node *it = &items->u.kids[i];
		cm_node *md, *lab, *ann;

		if (it->kind != CM_MAP || cm_item_is_local_config(it) ||
		    cm_is_costmon_object(it))
			continue;
		x.item = it;
		cm_label_pods(&x, it, s);
		md = cm_ensure_map(&x, it, "metadata");
		if (!md)
			continue;
		lab = cm_ensure_map(&x, md, "labels");
		if (lab)
			cm_put_pairs(&x, lab, s->meta_nodes, s->n_meta, "label",
				     "metadata.labels", 1);
		ann = cm_ensure_map(&x, md, "annotations");
		if (ann)
			cm_put_pairs(&x, ann, s->ann_nodes, s->n_ann,
				     "annotation", "metadata.annotations", 0);
	}
	if (x.oom) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while adding labels");
		return -1;
	}
	return 0;
}
