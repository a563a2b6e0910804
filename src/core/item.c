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

static int cm_group_is(const char *api, const char *group)
{
	size_t n = strlen(group);

	if (!api)
		return 0;
	if (!*group)
		return strchr(api, '/') == NULL; /* core: "v1" */
	return !strncmp(api, group, n) && api[n] == '/';
}

cm_workload cm_item_workload(const cm_node *item)
{
	const char *kind = cm_map_str(item, "kind");
	const char *api = cm_map_str(item, "apiVersion");

	if (!kind)
		return CM_WORKLOAD_NONE;
	if ((!strcmp(kind, "Deployment") || !strcmp(kind, "ReplicaSet") ||
	     !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet")) &&
	    (cm_group_is(api, "apps") || cm_group_is(api, "extensions")))
		return CM_WORKLOAD_TEMPLATE;
	if (!strcmp(kind, "Job") && cm_group_is(api, "batch"))
		return CM_WORKLOAD_TEMPLATE;
	if (!strcmp(kind, "ReplicationController") && cm_group_is(api, ""))
		return CM_WORKLOAD_TEMPLATE;
	if (!strcmp(kind, "CronJob") && cm_group_is(api, "batch"))
		return CM_WORKLOAD_CRONJOB;
	if (!strcmp(kind, "Pod") && cm_group_is(api, ""))
		return CM_WORKLOAD_POD;
	return CM_WORKLOAD_NONE;
}

const cm_node *cm_item_pod_labels(const cm_node *item)
{
	switch (cm_item_workload(item)) {
	case CM_WORKLOAD_TEMPLATE:
		return cm_map_path(item, "spec.template.metadata.labels");
	case CM_WORKLOAD_CRONJOB:
		return cm_map_path(item,
				   "spec.jobTemplate.spec.template.metadata.labels");
	case CM_WORKLOAD_POD:
		return cm_map_path(item, "metadata.labels");
	default:
		return NULL;
	}
}

bool cm_is_orchestrator_key(const char *key)
{
	return !strncmp(key, "internal.config.kubernetes.io/", 30) ||
	       !strncmp(key, "config.kubernetes.io/", 21) ||
	       !strncmp(key, "config.k8s.io/", 14) ||
	       !strncmp(key, "kustomize.config.k8s.io/", 24);
}

cm_item_facts cm_item_facts_of(const cm_node *item)
{
	cm_item_facts f;

	memset(&f, 0, sizeof(f));
	if (!item || item->kind != CM_MAP)
		return f;
	f.flags = CM_IF_MAP;
	f.api = cm_map_str(item, "apiVersion");
	f.kind = cm_map_str(item, "kind");
	f.name = cm_map_str(item, "metadata.name");
	f.ns = cm_map_str(item, "metadata.namespace");
	f.workload = (uint8_t)cm_item_workload(item);
	if (cm_item_is_local_config(item))
		f.flags |= CM_IF_LOCAL;
	if (f.api && strncmp(f.api, "costmon.dev/", 12) == 0)
		f.flags |= CM_IF_COSTMON;
	return f;
}

/* Room for n facts in ix. 0 or -1. */
static int cm_index_room(cm_index *ix, size_t n)
{
	size_t cap;
	cm_item_facts *v;

	if (n <= ix->cap)
		return 0;
	cap = ix->cap ? ix->cap : 16;
	while (cap < n)
		cap *= 2;
	v = realloc(ix->v, cap * sizeof(*v));
	if (!v)
		return -1;
	ix->v = v;
	ix->cap = cap;
	return 0;
}

int cm_index_build(cm_index *ix, cm_node *items)
{
	size_t i;

	memset(ix, 0, sizeof(*ix));
	ix->items = items;
	if (!items || items->kind != CM_SEQ)
		return 0;
	if (cm_index_room(ix, items->len) < 0)
		return -1;
	for (i = 0; i < items->len; i++)
		ix->v[i] = cm_item_facts_of(&items->u.kids[i]);
	ix->n = items->len;
	return 0;
}

int cm_index_put(cm_arena *a, cm_index *ix, size_t i, cm_node obj)
{
	if (i < ix->n) {
		ix->items->u.kids[i] = obj;
		ix->v[i] = cm_item_facts_of(&ix->items->u.kids[i]);
		return 0;
	}
	if (cm_index_room(ix, ix->n + 1) < 0 ||
	    cm_seq_push(a, ix->items, obj) < 0)
		return -1;
	ix->v[ix->n] = cm_item_facts_of(&ix->items->u.kids[ix->n]);
	ix->n++;
	return 0;
}

void cm_index_free(cm_index *ix)
{
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}
