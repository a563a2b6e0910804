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

#endif
