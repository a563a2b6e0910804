/*
 * object.h - what every generator shares: finding the service's
 * workload in the items, and putting a generated object into the items
 * (replacing the one a previous run generated).
 *
 * Invariants:
 *   - A rerun replaces a generated object in place (same kind, namespace
 *     and name) and never duplicates it; the replaced item's own
 *     orchestrator annotations (kpt's file path and index) are kept, and
 *     an item that already holds the object's data is left as it is (its
 *     bytes too), so a rerun on re-serialised output changes nothing.
 *
 * Ownership: nodes are allocated from the items' arena; results point
 * into the items.
 */
#ifndef CM_OBJECT_H
#define CM_OBJECT_H

#include "../core/arena.h"
#include "../core/node.h"

/*
 * The service's workload: one named like the service, else the only
 * workload in the list. NULL when there is none or it is ambiguous.
 * Local-config items and costmon objects are never taken.
 */
const cm_node *cm_gen_find_workload(const cm_node *items, const char *svc);

/*
 * Replace the item of the same kind, namespace and name as obj, keeping
 * that item's own orchestrator annotations, or append obj. Returns 0, or
 * -1 when out of memory (items is then unchanged or holds obj).
 */
int cm_gen_upsert(cm_arena *a, cm_node *items, cm_node obj);

#endif
