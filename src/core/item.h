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

/* metadata.annotations[key] as text, or NULL. */
const char *cm_item_annotation(const cm_node *item, const char *key);

#endif
