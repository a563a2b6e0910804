/* item.c - see item.h for the contract. */
#include "item.h"

#include <stdlib.h>
#include <string.h>

const char *cm_item_annotation(const cm_node *item, const char *key)
{
	const cm_node *ann = cm_map_path(item, "metadata.annotations");
	const cm_node *v = cm_map_get(ann, key);

	return v && v->kind == CM_SCALAR ? v->u.str : NULL;
}

bool cm_item_is_local_config(const cm_node *item)
{
	const char *v =
		cm_item_annotation(item, "config.kubernetes.io/local-config");

	return v && strcmp(v, "false") != 0;
}

cm_where cm_item_where(const cm_node *item)
{
	cm_where w = CM_WHERE_NONE;
	const char *idx;

	w.api_version = cm_map_str(item, "apiVersion");
	w.kind = cm_map_str(item, "kind");
	w.name = cm_map_str(item, "metadata.name");
	w.namespace_ = cm_map_str(item, "metadata.namespace");
	w.file_path =
		cm_item_annotation(item, "internal.config.kubernetes.io/path");
	if (!w.file_path)
		w.file_path =
			cm_item_annotation(item, "config.kubernetes.io/path");
	idx = cm_item_annotation(item, "internal.config.kubernetes.io/index");
	if (!idx)
		idx = cm_item_annotation(item, "config.kubernetes.io/index");
	if (idx && w.file_path) {
		char *end;
		long v = strtol(idx, &end, 10);

		if (end != idx && *end == '\0' && v >= 0)
			w.file_index = v;
	}
	return w;
}
