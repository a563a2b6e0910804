/*
 * catalog.h - the profiles a run can use: built-ins plus the profile
 * items of the ResourceList.
 *
 * Invariants:
 *   - Built-in profiles are YAML text compiled into the binary and read by
 *     the same decoder as user profiles, so both obey the same rules.
 *   - An item profile (kind CostProfile or MonitoringProfile, apiVersion
 *     costmon.dev/v1alpha1) replaces the built-in of the same name; two
 *     items with one name are an error.
 *   - Profiles are looked up by name and only decoded when used, so a
 *     broken profile that no service uses does not break the build.
 *
 * Ownership: entries point into the items' trees and into the arena the
 * built-ins were parsed into; the catalog's array is malloc'd and freed by
 * cm_catalog_free().
 */
#ifndef CM_CATALOG_H
#define CM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/item.h"
#include "../core/node.h"

typedef struct cm_catalog_entry {
	const char *kind; /* "CostProfile" or "MonitoringProfile" */
	const char *name;
	const cm_node *node; /* the profile object */
	bool builtin;
} cm_catalog_entry;

typedef struct cm_catalog {
	cm_catalog_entry *v;
	size_t n, cap;
} cm_catalog;

/*
 * The service's workload among the items of ix (may be NULL): the one
 * named svc, else the only workload in the list. NULL when there is none
 * or it is ambiguous. Local-config items and costmon objects are never
 * taken. The result points into the items.
 */
const cm_node *cm_find_workload(const cm_index *ix, const char *svc);

/*
 * Build the catalog: built-ins (parsed into a), then the profile items
 * among the items of ix (may be NULL). Returns 0, or -1 after reporting
 * (duplicate item names, a profile without a name, out of memory).
 * Profile items not marked local-config get a warning: kustomize and kpt
 * would send them to the cluster.
 */
int cm_catalog_build(cm_arena *a, const cm_index *ix, cm_catalog *cat,
		     cm_diags *diags);

void cm_catalog_free(cm_catalog *cat);

/* The entry of that kind and name, or NULL. */
const cm_catalog_entry *cm_catalog_find(const cm_catalog *cat,
					const char *kind, const char *name);

/*
 * The names of that kind, sorted, joined by ", " into out (size n), for
 * "unknown profile" messages. Returns out.
 */
char *cm_catalog_names(const cm_catalog *cat, const char *kind, char *out,
		       size_t n);

#endif
