/*
 * budget.h - generating the budget objects of a service: the budget
 * record (ConfigMap <service>-budget) and the budget alerts
 * (PrometheusRule <service>-budget-alerts), appended to the items or
 * replacing the ones a previous run generated (object.h).
 *
 * Invariants:
 *   - The record holds the whole budget once per service, environment
 *     (and region): data["budget.json"] is the canonical record JSON of
 *     cost.h with the label filters that select the service's objects.
 *     It is labelled costmon.dev/record: budget (how `krm-fn report` and
 *     in-cluster tools find it). spec.cost.budgetRecord local marks it
 *     config.kubernetes.io/local-config, so orchestrators drop it.
 *   - The budget alerts project the service's spend over the budget
 *     period from OpenCost's allocation and price metrics, attributed to
 *     the service's pods by namespace and by the service label on its
 *     pod templates as kube-state-metrics exports it (kube_pod_labels,
 *     label_<key with '.', '/' and '-' made '_'>). One alert per alert
 *     rule of the cost profile, at the rule's exact amount; channels
 *     become labels. Nothing is generated when the cost profile sets
 *     prometheusAlerts: false, the ServiceProfile monitoring.prometheus:
 *     false, or the profile has no alert rules.
 *   - Every value placed inside PromQL is escaped.
 *
 * Ownership: nodes are allocated from the items' arena.
 */
#ifndef CM_BUDGET_H
#define CM_BUDGET_H

#include "../config/config.h"
#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/item.h"
#include "../core/node.h"
#include "../expand/catalog.h"
#include "../expand/cost.h"
#include "../transform/labels.h"

/* The label the record ConfigMap carries, and its data key. */
#define CM_RECORD_LABEL "costmon.dev/record"
#define CM_RECORD_LABEL_VALUE "budget"
#define CM_RECORD_DATA_KEY "budget.json"

/*
 * Generate the budget record and alerts for plan into the items of ix
 * (core/item.h; the sequence may grow, the index is kept). labels are
 * the cost labels put on the items. Returns 0, or -1 after reporting.
 */
int cm_generate_budget(cm_arena *a, const cm_config *cfg,
		       const cm_catalog *cat, const cm_cost_plan *plan,
		       cm_index *ix, const cm_label_set *labels,
		       cm_diags *diags);

#endif
