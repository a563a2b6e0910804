/*
 * profiles.h - `krm-fn profiles`: the cost and monitoring profiles a run
 * can use (built-ins and those of catalog files), decoded by the same
 * decoders as a run, listed as text or JSON.
 *
 * Invariants: a profile that does not decode is an error (reported, exit
 * 1), never left out silently; the list is sorted by kind, then name.
 *
 * Ownership: the caller owns catalogs (freed here as soon as parsed) and
 * out.
 */
#ifndef CM_PROFILES_H
#define CM_PROFILES_H

#include <stddef.h>

#include "../core/buf.h"
#include "../core/diag.h"

/*
 * List the profiles of the built-ins and of catalogs[0..n) (streams of
 * CostProfile and MonitoringProfile objects, named names[i] in messages
 * and in the source column) into out: a table when json is 0, else a
 * JSON array of {kind, name, source, description, ...}. Returns an exit
 * code (0, 1 after reporting, 2 out of memory).
 */
int cm_profiles_process(cm_buf *catalogs, const char *const *names, size_t n,
			int json, cm_buf *out, cm_diags *diags);

#endif
