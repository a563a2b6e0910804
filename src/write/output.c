/* output.c - see output.h for the contract. */
#include "output.h"

#include <errno.h>
#include <string.h>

/* A plain scalar that is not a string (a number); for file.index. */
static cm_node cm_num_new(cm_arena *a, long v)
{
	char tmp[32];
	cm_node n;

	snprintf(tmp, sizeof(tmp), "%ld", v);
	n = cm_str_new(a, tmp);
	n.style = CM_STYLE_PLAIN;
	return n;
}

/* Add key: string value to map when value is not NULL. 0 or -1. */
static int cm_put(cm_arena *a, cm_node *map, const char *key, const char *v)
{
	if (!v)
		return 0;
	return cm_map_set(a, map, key, cm_str_new(a, v));
}

static int cm_result_node(cm_arena *a, const cm_diag *e, cm_node *out)
{
	const cm_where *w = &e->where;
	cm_node r = cm_map_new();

	if (cm_put(a, &r, "message", e->message) < 0 ||
	    cm_put(a, &r, "severity", cm_severity_name(e->severity)) < 0)
		return -1;
	if (w->kind || w->name) {
		cm_node ref = cm_map_new();

		if (cm_put(a, &ref, "apiVersion", w->api_version) < 0 ||
		    cm_put(a, &ref, "kind", w->kind) < 0 ||
		    cm_put(a, &ref, "name", w->name) < 0 ||
		    cm_put(a, &ref, "namespace", w->namespace_) < 0 ||
		    cm_map_set(a, &r, "resourceRef", ref) < 0)
			return -1;
	}
	if (w->field_path) {
		cm_node f = cm_map_new();

		if (cm_put(a, &f, "path", w->field_path) < 0 ||
		    cm_map_set(a, &r, "field", f) < 0)
			return -1;
	}
	if (w->file_path) {
		cm_node f = cm_map_new();

		if (cm_put(a, &f, "path", w->file_path) < 0)
			return -1;
		if (w->file_index >= 0 &&
		    cm_map_set(a, &f, "index", cm_num_new(a, w->file_index)) < 0)
			return -1;
		if (cm_map_set(a, &r, "file", f) < 0)
			return -1;
	}
	*out = r;
	return 0;
}

int cm_results_node(cm_arena *a, const cm_diags *diags, cm_node *out)
{
	cm_node seq = cm_seq_new();
	size_t i;

	/* One allocation for all entries instead of one per push. */
	if (diags->n) {
		seq.u.kids = cm_arena_alloc(a, diags->n * sizeof(cm_node));
		if (!seq.u.kids)
			return -1;
	}
	for (i = 0; i < diags->n; i++) {
		if (cm_result_node(a, &diags->v[i], &seq.u.kids[i]) < 0)
			return -1;
		seq.len++;
	}
	*out = seq;
	return 0;
}

int cm_rl_set_results(cm_arena *a, cm_node *root, const cm_diags *diags)
{
	cm_node results;

	if (diags->n == 0)
		return cm_map_del(a, root, "results") < 0 ? -1 : 0;
	if (cm_results_node(a, diags, &results) < 0)
		return -1;
	return cm_map_set(a, root, "results", results);
}

int cm_rl_error_doc(cm_arena *a, const char *api, const cm_diags *diags,
		    cm_node *out)
{
	cm_node root = cm_map_new();

	if (cm_put(a, &root, "apiVersion", api) < 0 ||
	    cm_put(a, &root, "kind", "ResourceList") < 0 ||
	    cm_map_set(a, &root, "items", cm_seq_new()) < 0 ||
	    cm_rl_set_results(a, &root, diags) < 0)
		return -1;
	*out = root;
	return 0;
}

int cm_write_out(FILE *f, const char *data, size_t len)
{
	if (len && fwrite(data, 1, len, f) != len) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	if (fflush(f) != 0 || ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
