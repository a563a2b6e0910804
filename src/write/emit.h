/*
 * emit.h - document trees to block-style YAML text.
 *
 * Invariants:
 *   - Output is block style: every non-empty collection is written as a
 *     block, whatever style it was read in; empty ones as {} and [].
 *   - Every scalar keeps its text, its explicit tag and, where YAML
 *     allows it in block context, its style; libyaml picks a quoted style
 *     only where the kept style cannot represent the text. Lines are
 *     never wrapped, so long values do not churn.
 *   - Documents are separated by "---"; the first has no marker.
 *
 * Ownership: reads the trees, appends to out; owns nothing.
 */
#ifndef CM_EMIT_H
#define CM_EMIT_H

#include <stddef.h>

#include "../core/buf.h"
#include "../core/diag.h"
#include "../core/node.h"

/*
 * Append n documents to out. Returns 0, or -1 after adding an error to
 * diags (out then holds a partial text the caller must not print).
 */
int cm_emit(const cm_node *docs, size_t n, cm_buf *out, cm_diags *diags);

#endif
