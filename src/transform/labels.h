/*
 * labels.h - the cost labels and budget annotations, and putting them on
 * the items.
 *
 * Invariants:
 *   - Label keys are valid Kubernetes qualified names and values valid
 *     label values (<= 63 chars, [A-Za-z0-9] at both ends, [-_.A-Za-z0-9]
 *     inside). A value that is not gets its label-safe form (see
 *     cm_label_safe()) and the exact value goes into an annotation with
 *     the same key; in strict mode it is an error instead.
 *   - Labels go on metadata.labels of every item that is neither local
 *     config nor a costmon object, and on the pod templates of workloads
 *     (and a bare Pod's own labels); never on selectors, matchLabels or
 *     volumeClaimTemplates. Budget annotations go on object metadata only.
 *   - Existing labels with another value are overwritten and reported as
 *     warnings; a run on the function's own output changes nothing.
 *   - Preset labels (spec.labels.preset) are added where absent; an item
 *     that has the key with another value keeps it (a warning says so),
 *     because keys such as "app" are often in selectors, which must not
 *     change. With presetMode replace, the cost.* keys the preset covers
 *     are left out.
 *
 * Ownership: a label set's strings live in the arena passed in; the
 * transform allocates the nodes it adds from the items' arena.
 */
#ifndef CM_LABELS_H
#define CM_LABELS_H

#include <stddef.h>

#include "../config/config.h"
#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/item.h"
#include "../core/node.h"
#include "../expand/cost.h"

/* Budget annotation keys. The full budget record is not stamped on
 * every object (it lives once in the <service>-budget ConfigMap);
 * CM_ANN_BUDGET is the key earlier versions wrote it under, removed from
 * items so that a rerun on old output converges. */
#define CM_ANN_BUDGET "costmon.dev/budget"
#define CM_ANN_BUDGET_AMOUNT "costmon.dev/budget-amount"
#define CM_ANN_BUDGET_CURRENCY "costmon.dev/budget-currency"
#define CM_ANN_BUDGET_PERIOD "costmon.dev/budget-period"

/*
 * A label preset: the keys one cost tool aggregates on by default, for
 * some of the logical labels (NULL where the tool has no such key).
 * gke_values: values are lowercased and '.' becomes '_' (GCP label
 * values allow only [a-z0-9_-]).
 */
typedef struct cm_label_preset {
	const char *name;
	const char *key[CM_LABEL_COUNT];
	int gcp_values;
} cm_label_preset;

/* The presets, NULL-name terminated: opencost, kubecost, gke. */
extern const cm_label_preset cm_label_presets[];

typedef struct cm_label {
	int id; /* cm_label_id */
	const char *key;
	const char *value; /* label-safe */
	const char *exact; /* the value as configured, when it differs */
} cm_label;

typedef struct cm_label_set {
	cm_label meta[CM_LABEL_COUNT]; /* object metadata, in order */
	size_t n_meta;
	cm_label pod[CM_LABEL_COUNT]; /* pod templates, in order */
	size_t n_pod;
	cm_label preset_meta[CM_LABEL_COUNT]; /* preset keys (kept when an
					       * item has another value) */
	size_t n_preset_meta;
	cm_label preset_pod[CM_LABEL_COUNT];
	size_t n_preset_pod;
	const char *amount;   /* budget, formatted */
	const char *currency;
	const char *period;

	/* The same as ready-made key/value node pairs, built once and put
	 * into every item by struct copy (their text is shared). */
	cm_node meta_nodes[2 * CM_LABEL_COUNT];
	cm_node pod_nodes[2 * CM_LABEL_COUNT];
	cm_node preset_meta_nodes[2 * CM_LABEL_COUNT];
	cm_node preset_pod_nodes[2 * CM_LABEL_COUNT];
	cm_node ann_nodes[2 * (CM_LABEL_COUNT + 3)]; /* exact values, budget */
	size_t n_ann;
} cm_label_set;

/*
 * The label-safe form of s, written into out (size >= 64): '@' becomes
 * "_at_", every other character outside [A-Za-z0-9-_.] becomes '_', and
 * characters that are not letters or digits are trimmed from both ends.
 * Returns the length, 0 when nothing is left, or > 63 when too long (out
 * then holds a truncated prefix).
 */
size_t cm_label_safe(const char *s, char *out, size_t n);

/* True when s is a valid label value (empty is not accepted here). */
int cm_label_value_ok(const char *s);

/* True when s is a valid label key ([prefix/]name). */
int cm_label_key_ok(const char *s);

/* True when s is a valid GCP label key: 1-63 chars of [a-z0-9_-],
 * starting with a lowercase letter. */
int cm_label_gcp_key_ok(const char *s);

/* True when s is a valid GCP label value: at most 63 chars of
 * [a-z0-9_-]. */
int cm_label_gcp_value_ok(const char *s);

/*
 * The key pods carry label id under (for kube-state-metrics'
 * label_<key>), or NULL when pod templates do not get it.
 */
const char *cm_labels_pod_key(const cm_label_set *set, int id);

/*
 * Build the label set from the config and the cost plan. Returns 0, or
 * -1 after reporting (invalid key, value not label-safe in strict mode,
 * empty or over-long label-safe value).
 */
int cm_labels_build(cm_arena *a, const cm_config *cfg,
		    const cm_cost_plan *plan, cm_label_set *set,
		    cm_diags *diags);

/*
 * Upper bounds on what putting set on one item adds (the pipeline sizes
 * its limits with them, so that the limits grow with the item count, not
 * only with the input's bytes): arena bytes for the new key/value arrays
 * (copies of the item's existing mappings come on top, at most twice
 * their parsed size), and bytes of YAML text in the output.
 */
size_t cm_labels_item_arena(const cm_label_set *set);
size_t cm_labels_item_text(const cm_label_set *set);

/*
 * Put the labels and budget annotations on every item of items (a
 * sequence of mappings) that is not local-config nor one of costmon's
 * own objects. ix is the index of items (core/item.h), or NULL for a
 * list that has none (generated objects). Returns 0, or -1 after
 * reporting: the arena is full, or a pod template label that the
 * workload's selector uses would change value (that item's label is then
 * left as it was).
 */
int cm_labels_apply(cm_arena *a, cm_node *items, const cm_index *ix,
		    const cm_label_set *set, cm_diags *diags);

#endif
