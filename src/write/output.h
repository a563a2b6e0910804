/*
 * output.h - assembling what the function writes, and writing it.
 *
 * Invariants:
 *   - The ResourceList written keeps the input root's keys in their
 *     order, with `results` set (replaced if the input had one) when
 *     there is anything to report, and removed otherwise, so that a run
 *     on the function's own output changes nothing.
 *   - Text reaches stdout only once it is complete: a failure before
 *     that prints nothing; a failure while writing is detected (short
 *     write, closed pipe, full disk) and reported.
 *
 * Ownership: nodes are allocated from the caller's arena.
 */
#ifndef CM_OUTPUT_H
#define CM_OUTPUT_H

#include <stdio.h>

#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/node.h"

/*
 * Build the KRM `results` sequence from diags into *out. Returns 0, or -1
 * when the arena is full.
 */
int cm_results_node(cm_arena *a, const cm_diags *diags, cm_node *out);

/*
 * Set or clear `results` on a ResourceList root according to diags.
 * Returns 0, or -1 when the arena is full.
 */
int cm_rl_set_results(cm_arena *a, cm_node *root, const cm_diags *diags);

/*
 * A minimal ResourceList (apiVersion api, empty items) carrying the
 * results, for input that could not be read as one. 0, or -1.
 */
int cm_rl_error_doc(cm_arena *a, const char *api, const cm_diags *diags,
		    cm_node *out);

/*
 * Write len bytes to f and flush it. Returns 0, or -1 with errno set
 * (EPIPE for a closed pipe, ENOSPC for a full disk...).
 */
int cm_write_out(FILE *f, const char *data, size_t len);

#endif
