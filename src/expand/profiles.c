/* profiles.c - see profiles.h for the contract. */
#include "profiles.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../core/arena.h"
#include "../core/decimal.h"
#include "../core/node.h"
#include "../read/parse.h"
#include "catalog.h"
#include "cost.h"
#include "monitoring.h"

static const cm_parse_limits cm_plimits = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					   CM_MAX_ALIAS_BYTES};

static json_t *cm_jdec(cm_dec v)
{
	char b[CM_DEC_BUFSZ];

	return json_string(cm_dec_format(v, b));
}

/* The JSON description of a cost profile. */
static json_t *cm_cost_json(const cm_cost_profile *p, const char *source)
{
	json_t *o = json_object(), *envs = json_object(), *sizes = json_object();
	size_t i;

	json_object_set_new(o, "kind", json_string("CostProfile"));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "description",
			    p->description ? json_string(p->description)
					   : json_null());
	json_object_set_new(o, "currency", json_string(p->currency));
	json_object_set_new(o, "period", json_string(p->period));
	for (i = 0; i < p->n_envs; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "base", cm_jdec(p->envs[i].base));
		if (p->envs[i].has_min)
			json_object_set_new(e, "min", cm_jdec(p->envs[i].min));
		if (p->envs[i].has_max)
			json_object_set_new(e, "max", cm_jdec(p->envs[i].max));
		json_object_set_new(envs, p->envs[i].name, e);
	}
	for (i = 0; i < p->n_sizes; i++)
		json_object_set_new(sizes, p->sizes[i].name,
				    cm_jdec(p->sizes[i].multiplier));
	json_object_set_new(o, "environments", envs);
	json_object_set_new(o, "sizes", sizes);
	return o;
}

/* The JSON description of a monitoring profile. */
static json_t *cm_mon_json(const cm_mon_profile *p, const char *source)
{
	json_t *o = json_object(), *slo = json_object(), *sizes = json_object();
	size_t i;

	json_object_set_new(o, "kind", json_string("MonitoringProfile"));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "description",
			    p->description ? json_string(p->description)
					   : json_null());
	if (p->has_traffic && p->has_availability)
		json_object_set_new(slo, "availability", cm_jdec(p->availability));
	if (p->has_traffic && p->has_error_rate)
		json_object_set_new(slo, "errorRate", cm_jdec(p->error_rate));
	if (p->has_traffic && p->has_latency)
		json_object_set_new(slo, "latencyP95ms", cm_jdec(p->latency_ms));
	for (i = 0; i < p->n_sizes; i++)
		json_object_set_new(sizes, p->sizes[i].name,
				    cm_jdec(p->sizes[i].multiplier));
	json_object_set_new(o, "slo", slo);
	json_object_set_new(o, "sizes", sizes);
	return o;
}

/* "a, b, c" of the keys of object o (in order) into out (size n). */
static void cm_keys(json_t *o, char *out, size_t n)
{
	const char *k;
	json_t *v;
	size_t len = 0;

	out[0] = '\0';
	json_object_foreach(o, k, v) {
		const char *sv = json_is_string(v) ? json_string_value(v) : NULL;
		int w;

		w = snprintf(out + len, n - len, "%s%s%s%s", len ? ", " : "", k,
			     sv ? " " : "", sv ? sv : "");
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	if (!out[0])
		snprintf(out, n, "-");
}

/* The text table of the JSON array list. 0 or -1. */
static int cm_profiles_text(json_t *list, cm_buf *out)
{
	size_t i;
	json_t *p;

	if (cm_buf_addf(out, "%-18s %-24s %-30s %s\n", "KIND", "NAME", "SOURCE",
			"DETAILS") < 0)
		return -1;
	json_array_foreach(list, i, p) {
		const char *kind = json_string_value(json_object_get(p, "kind"));
		char a[512], b[512];
		int rc;

		if (!strcmp(kind, "CostProfile")) {
			json_t *envs = json_object_get(p, "environments"), *e;
			const char *k;
			size_t len = 0;

			a[0] = '\0';
			json_object_foreach(envs, k, e) {
				int w = snprintf(
					a + len, sizeof(a) - len, "%s%s %s",
					len ? ", " : "", k,
					json_string_value(json_object_get(e, "base")));

				if (w < 0 || (size_t)w >= sizeof(a) - len)
					break;
				len += (size_t)w;
			}
			cm_keys(json_object_get(p, "sizes"), b, sizeof(b));
			rc = cm_buf_addf(out, "%-18s %-24s %-30s "
					      "environments (base %s): %s; "
					      "sizes: %s\n",
					 kind,
					 json_string_value(json_object_get(p, "name")),
					 json_string_value(json_object_get(p, "source")),
					 json_string_value(json_object_get(p, "currency")),
					 a, b);
		} else {
			cm_keys(json_object_get(p, "slo"), a, sizeof(a));
			cm_keys(json_object_get(p, "sizes"), b, sizeof(b));
			rc = cm_buf_addf(out, "%-18s %-24s %-30s SLOs: %s; sizes: %s\n",
					 kind,
					 json_string_value(json_object_get(p, "name")),
					 json_string_value(json_object_get(p, "source")),
					 a, b);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Sort order: kind, then name. */
static int cm_cmp_entry(const void *x, const void *y)
{
	const cm_catalog_entry *a = x, *b = y;
	int c = strcmp(a->kind, b->kind);

	return c ? c : strcmp(a->name, b->name);
}

int cm_profiles_process(cm_buf *catalogs, const char *const *names, size_t n,
			int json, cm_buf *out, cm_diags *diags)
{
	size_t total = 0, i, k, count = 0, *first = calloc(n + 1, sizeof(size_t));
	cm_arena *a = NULL;
	cm_stream *streams = calloc(n ? n : 1, sizeof(*streams));
	cm_catalog cat;
	cm_node items = cm_seq_new();
	json_t *list = json_array();
	char *text = NULL;
	int rc = 2;

	memset(&cat, 0, sizeof(cat));
	for (i = 0; i < n; i++)
		total += catalogs[i].len;
	a = cm_arena_new(total * 8 + ((size_t)64 << 20));
	if (!a || !streams || !list || !first)
		goto oom;
	rc = 1;
	for (i = 0; i < n; i++) {
		if (cm_parse(a, catalogs[i].data ? catalogs[i].data : "",
			     catalogs[i].len, names[i], &cm_plimits, &streams[i],
			     diags) < 0)
			goto out;
		cm_buf_free(&catalogs[i]);
		count += streams[i].n;
	}
	items.u.kids = cm_arena_alloc(a, (count ? count : 1) * sizeof(cm_node));
	if (!items.u.kids)
		goto oom;
	for (i = 0; i < n; i++) {
		first[i] = items.len; /* file i's items start here */
		for (k = 0; k < streams[i].n; k++)
			if (streams[i].docs[k].kind == CM_MAP)
				items.u.kids[items.len++] = streams[i].docs[k];
	}
	first[n] = items.len;
	{
		cm_index ix;
		int rc_cat;

		if (cm_index_build(&ix, &items) < 0)
			goto oom;
		rc_cat = cm_catalog_build(a, &ix, &cat, diags);
		cm_index_free(&ix);
		if (rc_cat < 0)
			goto out;
	}
	qsort(cat.v, cat.n, sizeof(*cat.v), cm_cmp_entry);
	for (i = 0; i < cat.n; i++) {
		const cm_catalog_entry *e = &cat.v[i];
		const char *source = "built-in";
		json_t *j;

		for (k = 0; !e->builtin && k < n; k++)
			if (e->node >= items.u.kids + first[k] &&
			    e->node < items.u.kids + first[k + 1])
				source = names[k];
		if (!strcmp(e->kind, "CostProfile")) {
			cm_cost_profile p;

			if (cm_cost_profile_decode(a, e, &p, diags) < 0)
				continue;
			j = cm_cost_json(&p, source);
		} else {
			cm_mon_profile p;

			if (cm_mon_profile_decode(a, e, &p, diags) < 0)
				continue;
			j = cm_mon_json(&p, source);
		}
		if (!j || json_array_append_new(list, j) < 0)
			goto oom;
	}
	if (diags->errors)
		goto out;
	if (json) {
		text = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text || cm_buf_adds(out, text) < 0 ||
		    cm_buf_adds(out, "\n") < 0)
			goto oom;
	} else if (cm_profiles_text(list, out) < 0) {
		goto oom;
	}
	rc = 0;
	goto out;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while listing the profiles");
	rc = 2;
out:
	free(text);
	free(first);
	json_decref(list);
	free(streams);
	cm_catalog_free(&cat);
	cm_arena_free(a);
	return rc;
}
