/*
 * object.h - what every generator shares: the object builder (cm_ob)
 * that builds a generated object's nodes, and putting a generated object
 * into the items (replacing the one a previous run generated). The
 * service's workload is found with cm_find_workload() (expand/catalog.h).
 *
 * Invariants:
 *   - The builder's oom flag is sticky: once a step fails (out of memory,
 *     a node or text over its maximum) every later put and push is
 *     skipped and oom stays 1, so a generator builds a whole object and
 *     checks oom once, before the object is used.
 *   - Every builder function returns something usable even after a
 *     failure: a CM_NONE node (which put and push refuse) or "" for text.
 *   - A rerun replaces a generated object in place (same kind, namespace
 *     and name) and never duplicates it; the replaced item's own
 *     orchestrator annotations (kpt's file path and index) are kept, and
 *     an item that already holds the object's data is left as it is (its
 *     bytes too), so a rerun on re-serialised output changes nothing.
 *
 * Ownership: the builder owns nothing. Nodes and text come from the
 * arena (the builder's a, the items' arena), which the caller owns and
 * which outlives them; put and push store a node in the map or sequence
 * without copying what it points to. Results point into the items.
 */
#ifndef CM_OBJECT_H
#define CM_OBJECT_H

#include "../core/arena.h"
#include "../core/item.h"
#include "../core/node.h"

/* The object builder: an arena and the sticky out-of-memory flag. */
typedef struct cm_ob {
	cm_arena *a;
	int oom; /* 1 once any step failed */
} cm_ob;

/* Most bytes cm_ob_fmt() makes (1 MiB); more sets oom. */
#define CM_OB_TEXT_MAX ((size_t)1 << 20)

/* A scalar node holding a copy of s, or CM_NONE with oom set. */
cm_node cm_ob_str(cm_ob *b, const char *s);

/* Set key k of map to v; a CM_NONE v or a failure sets oom. */
void cm_ob_put(cm_ob *b, cm_node *map, const char *k, cm_node v);

/* Set key k of map to the string v; nothing when v is NULL. */
void cm_ob_puts(cm_ob *b, cm_node *map, const char *k, const char *v);

/* Append v to seq; a CM_NONE v or a failure sets oom. */
void cm_ob_push(cm_ob *b, cm_node *seq, cm_node v);

/*
 * printf-style text in the arena (at most CM_OB_TEXT_MAX bytes). Returns
 * it, or "" with oom set when memory runs out or the text is too long.
 */
const char *cm_ob_fmt(cm_ob *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A copy of s in the arena (s may be NULL: ""); "" with oom set on failure. */
const char *cm_ob_dup(cm_ob *b, const char *s);

/*
 * Replace the item of ix (core/item.h) of the same kind, namespace and
 * name as obj, keeping that item's own orchestrator annotations, or
 * append obj; the index is kept. Returns 0, or -1 when out of memory
 * (the items are then unchanged or hold obj).
 */
int cm_gen_upsert(cm_arena *a, cm_index *ix, cm_node obj);

/*
 * Set spec of PrometheusRule pr to one rule group: spec.groups =
 * [{name: group, rules: rules}]. A failure sets oom.
 */
void cm_ob_rule_group(cm_ob *b, cm_node *pr, const char *group, cm_node rules);

#endif
