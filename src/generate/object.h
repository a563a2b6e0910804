/*
 * object.h - what every generator shares: putting a generated object
 * into the items (replacing the one a previous run generated). The
 * service's workload is found with cm_find_workload() (expand/catalog.h).
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
 * Replace the item of the same kind, namespace and name as obj, keeping
 * that item's own orchestrator annotations, or append obj. Returns 0, or
 * -1 when out of memory (items is then unchanged or holds obj).
 */
int cm_gen_upsert(cm_arena *a, cm_node *items, cm_node obj);

#endif
