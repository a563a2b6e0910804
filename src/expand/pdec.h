/*
 * pdec.h - what decoding any profile (CostProfile, MonitoringProfile)
 * shares: one context that names the profile in every message, and the
 * checks for unknown fields and listed words.
 *
 * Invariants: every error goes to the diagnostics with the profile's
 * resource and file (none for a built-in) and the field path, and is
 * counted in errors; messages start with `<kind> "<name>": `.
 *
 * Ownership: the context points at the caller's arena and diagnostics.
 */
#ifndef CM_PDEC_H
#define CM_PDEC_H

#include <stdbool.h>

#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/node.h"
#include "../config/fields.h"
#include "catalog.h"

typedef struct cm_pdec {
	cm_arena *arena;
	cm_diags *diags;
	cm_where where;  /* the profile item, or none for a built-in */
	char label[160]; /* e.g. built-in cost profile "standard-api-cost" */
	int errors;
} cm_pdec;

/* Set up d for entry e; what is "cost profile" or "monitoring profile". */
void cm_pdec_init(cm_pdec *d, cm_arena *a, cm_diags *diags,
		  const cm_catalog_entry *e, const char *what);

/* Report an error at field path (may be NULL). */
void cm_perr(cm_pdec *d, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True when s is one of words (NULL-terminated). */
bool cm_word_in(const char *s, const char *const *words);

/* Report every key of mapping m (at path prefix) that is not in known,
 * with the nearest known name when one is close. */
void cm_pcheck_keys(cm_pdec *d, const cm_node *m, const char *prefix,
		    const char *const *known);

/* The same, with the names of field table t (config/fields.h). */
void cm_pcheck_fields(cm_pdec *d, const cm_node *m, const char *prefix,
		      const cm_fdesc *t);

#endif
