/* resourcelist.c - see resourcelist.h for the contract. */
#include "resourcelist.h"

#include <string.h>

int cm_rl_decode(cm_arena *a, cm_stream *s, const char *name, cm_rl *rl,
		 cm_diags *diags)
{
	cm_node *root, *items;
	const char *kind, *api;
	unsigned l, c;
	uint32_t i;
	int rc = 0;

	memset(rl, 0, sizeof(*rl));
	if (s->n == 0) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s: no YAML document in the input: expected a "
			    "ResourceList (KRM function mode); to run as a legacy kustomize exec "
			    "plugin, pass the config file as the first argument",
			    name);
		return -1;
	}
	if (s->n > 1) {
		cm_stream_pos(s, &s->docs[1], &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: found %zu YAML documents, expected one "
			    "ResourceList; wrap the resources in a "
			    "ResourceList's items, or pass a config file to use "
			    "the legacy plugin mode that reads a stream",
			    name, l, c, s->n);
		return -1;
	}
	root = &s->docs[0];
	if (root->kind != CM_MAP) {
		cm_stream_pos(s, root, &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: the input is %s, expected a ResourceList "
			    "mapping (apiVersion: %s, kind: ResourceList)",
			    name, l, c, cm_node_shape(root),
			    CM_RL_V1);
		return -1;
	}
	kind = cm_map_str(root, "kind");
	api = cm_map_str(root, "apiVersion");
	if (!kind || strcmp(kind, "ResourceList") != 0) {
		cm_stream_pos(s, root, &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: the input is not a ResourceList (kind "
			    "is \"%s\"); a KRM function reads a ResourceList "
			    "with apiVersion %s; to transform plain resources "
			    "run it as a legacy plugin with a config file "
			    "argument",
			    name, l, c, kind ? kind : "",
			    CM_RL_V1);
		return -1;
	}
	if (!api || (strcmp(api, CM_RL_V1) && strcmp(api, CM_RL_V1BETA1))) {
		cm_stream_pos(s, root, &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: unsupported ResourceList apiVersion "
			    "\"%s\"; use %s (or %s)",
			    name, l, c, api ? api : "",
			    CM_RL_V1, CM_RL_V1BETA1);
		return -1;
	}
	rl->root = root;
	rl->api_version = api;
	rl->config = cm_map_get(root, "functionConfig");
	if (rl->config && cm_node_is_null(rl->config))
		rl->config = NULL;
	items = cm_map_get(root, "items");
	if (!items || cm_node_is_null(items)) {
		if (cm_map_set(a, root, "items", cm_seq_new()) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s: out of memory", name);
			return -1;
		}
		items = cm_map_get(root, "items");
	}
	if (items->kind != CM_SEQ) {
		cm_stream_pos(s, items, &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: \"items\" must be a list of resources, "
			    "not %s",
			    name, l, c, cm_node_shape(items));
		return -1;
	}
	for (i = 0; i < items->len; i++) {
		const cm_node *it = &items->u.kids[i];

		if (it->kind != CM_MAP) {
			cm_stream_pos(s, it, &l, &c);
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s:%u:%u: items[%u] must be a resource "
				    "(a mapping with apiVersion, kind and "
				    "metadata), not %s",
				    name, l, c, i, cm_node_shape(it));
			rc = -1;
		}
	}
	rl->items = items;
	return rc;
}

int cm_stream_check_items(cm_stream *s, const char *name,
			  cm_diags *diags)
{
	size_t i;
	unsigned l, c;
	int rc = 0;

	for (i = 0; i < s->n; i++) {
		const cm_node *d = &s->docs[i];

		if (d->kind == CM_MAP || cm_node_is_null(d))
			continue;
		cm_stream_pos(s, d, &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: document %zu must be a resource (a "
			    "mapping with apiVersion, kind and metadata), not "
			    "%s",
			    name, l, c, i + 1, cm_node_shape(d));
		rc = -1;
	}
	return rc;
}
