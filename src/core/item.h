/*
 * item.h - what the stages need to know about one KRM item (a resource
 * in a ResourceList or a document in a legacy stream).
 *
 * Invariants: these functions only read; results point into the item's
 * tree and live as long as it does.
 */
#ifndef CM_ITEM_H
#define CM_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

/*
 * True when the item carries config.kubernetes.io/local-config with any
 * value but "false": such items (profile catalogs, function configs) are
 * read but never changed, and orchestrators drop them from the output.
 */
bool cm_item_is_local_config(const cm_node *item);

/*
 * Where the item is, for diagnostics: apiVersion, kind, metadata.name
 * and metadata.namespace, and the file path and index orchestrators put
 * in the internal.config.kubernetes.io/ (or older config.kubernetes.io/)
 * path and index annotations. field_path is left NULL.
 */
cm_where cm_item_where(const cm_node *item);

/* How a workload holds its pods. */
typedef enum cm_workload {
	CM_WORKLOAD_NONE = 0,
	CM_WORKLOAD_TEMPLATE, /* spec.template: Deployment, ReplicaSet,
			       * StatefulSet, DaemonSet, Job,
			       * ReplicationController */
	CM_WORKLOAD_CRONJOB,  /* spec.jobTemplate(.spec.template) */
	CM_WORKLOAD_POD,      /* a bare Pod: its own metadata */
} cm_workload;

/*
 * The workload kind of item, by kind and API group (apps, extensions,
 * batch, core), so that a custom resource that happens to be called
 * "Deployment" is not taken for one.
 */
cm_workload cm_item_workload(const cm_node *item);

/*
 * The labels of the pods item makes (the pod template's labels, or a
 * Pod's own), or NULL.
 */
const cm_node *cm_item_pod_labels(const cm_node *item);

/* True when the item's orchestrator annotations put it under key, i.e.
 * key starts with internal.config.kubernetes.io/, config.kubernetes.io/,
 * config.k8s.io/ or kustomize.config.k8s.io/. */
bool cm_is_orchestrator_key(const char *key);

/* metadata.annotations[key] as text, or NULL. */
const char *cm_item_annotation(const cm_node *item, const char *key);

/* ---- the index: what the stages ask of every item, read once ---- */

/*
 * What the stages look up about one item. A large list is mostly items,
 * and every look into an item's tree is a cache miss, so each stage
 * reads these instead of the tree.
 */
typedef struct cm_item_facts {
	/* apiVersion, kind, metadata.name, metadata.namespace as
	 * cm_map_str() gives them (NULL when absent or not a string) */
	const char *api, *kind, *name, *ns;
	uint8_t workload; /* cm_item_workload() */
	uint8_t flags;    /* CM_IF_* */
} cm_item_facts;

#define CM_IF_MAP 0x1     /* the item is a mapping */
#define CM_IF_LOCAL 0x2   /* cm_item_is_local_config() */
#define CM_IF_COSTMON 0x4 /* one of costmon's own objects (apiVersion
			   * group costmon.dev): configuration, never
			   * labelled or changed */

/* The facts of item, read from its tree. */
cm_item_facts cm_item_facts_of(const cm_node *item);

/* True when the stages label the item: a mapping, not local-config, not
 * one of costmon's own objects. */
static inline bool cm_facts_changeable(const cm_item_facts *f)
{
	return (f->flags & (CM_IF_MAP | CM_IF_LOCAL | CM_IF_COSTMON)) ==
	       CM_IF_MAP;
}

/*
 * The facts of every item of a sequence.
 *
 * Invariant: v[i] holds the facts of items->u.kids[i] for every i < n, and
 * n == items->len. The stages keep it so: they change the labels and
 * annotations of items but never the facts above (an annotation the
 * labels stage adds is never local-config), and they add or replace
 * items only through cm_index_put().
 */
typedef struct cm_index {
	cm_node *items; /* the sequence (not owned) */
	cm_item_facts *v; /* malloc'd */
	size_t n, cap;
} cm_index;

/* Index items (a sequence). Returns 0, or -1 when out of memory (ix
 * then empty, nothing to free). */
int cm_index_build(cm_index *ix, cm_node *items);

/*
 * Put obj into the indexed sequence, at i when i < ix->n (replacing that
 * item) or at the end, and keep the index. Returns 0, or -1 when out of
 * memory (the sequence and index unchanged).
 */
int cm_index_put(cm_arena *a, cm_index *ix, size_t i, cm_node obj);

void cm_index_free(cm_index *ix);

#endif
