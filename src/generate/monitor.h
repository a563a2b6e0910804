/*
 * monitor.h - generating the monitoring objects of a service: the
 * ServiceMonitor, the recording and alerting PrometheusRules and the
 * Dynatrace ConfigMap, appended to the items (or replacing the ones a
 * previous run generated).
 *
 * Invariants:
 *   - Objects are named <service>-monitor, <service>-recording-rules,
 *     <service>-alert-rules and <service>-dynatrace-config; their
 *     namespace is spec.namespace, else the service workload's, else none.
 *   - A rerun replaces a generated object in place (same kind, namespace
 *     and name) and never duplicates it; the replaced object's own
 *     orchestrator annotations (kpt's file path and index) are kept, and
 *     no other item's annotations are ever copied onto a generated one.
 *   - Generated objects carry the cost labels and budget annotations, the
 *     profile's extra labels and annotations, and spec.monitoring.labels.
 *   - Generation is a function of the monitoring plan (expand/
 *     monitoring.h): every recording rule and alert is one entry of a
 *     shape table (monitor.c) filled from the plan's values.
 *   - Every value placed inside PromQL is escaped; thresholds are exact
 *     decimals.
 *
 * Ownership: nodes are allocated from the items' arena.
 */
#ifndef CM_MONITOR_H
#define CM_MONITOR_H

#include "../config/config.h"
#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/item.h"
#include "../core/node.h"
#include "../expand/catalog.h"
#include "../transform/labels.h"

/*
 * Generate the monitoring objects for cfg (nothing when no monitoring
 * profile is named) into the items of ix (core/item.h; the sequence may
 * grow, the index is kept). labels are the cost labels to put on them.
 * Returns 0, or -1 after reporting.
 */
int cm_generate_monitoring(cm_arena *a, const cm_config *cfg,
			   const cm_catalog *cat, cm_index *ix,
			   const cm_label_set *labels, cm_diags *diags);

#endif
