/*
 * pipeline.h - one run of the function, from input text to output text:
 *
 *   read (parse, recognise the ResourceList) -> decode config
 *   -> transform items -> write (emit YAML)
 *
 * Both ways krm-fn is run, and the fuzz harness, go through here; main.c
 * only deals with arguments, files and stdout.
 *
 * Ownership: each function consumes `in` (frees it as soon as the trees
 * hold their copies, to keep peak memory low) and appends to `out`, which
 * the caller owns. Diagnostics are added to `diags`.
 *
 * Return value: an exit code, CM_EXIT_OK, CM_EXIT_INPUT or CM_EXIT_USAGE.
 */
#ifndef CM_PIPELINE_H
#define CM_PIPELINE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/diag.h"

#define CM_EXIT_OK 0
#define CM_EXIT_INPUT 1
#define CM_EXIT_USAGE 2

/*
 * KRM function mode: in holds a ResourceList. out always receives one
 * ResourceList (the input's items with `results`, or an empty list with
 * the results when the input could not be read as one), unless memory
 * runs out. `*complete` holds CM_KRM_COMPLETE when out may be printed,
 * and CM_KRM_FROM_KPT when the input came from kpt (its items carry the
 * annotations only kpt's package reader writes), which shows the results
 * to the user, so the caller can keep stderr from repeating them. The
 * output is the input's bytes with the function's edits spliced in
 * (write/splice.h); after an error, the items exactly as read.
 */
#define CM_KRM_COMPLETE 1
#define CM_KRM_FROM_KPT 2
int cm_krm_process(cm_buf *in, cm_buf *out, cm_diags *diags, int *complete);

/*
 * The same two modes with the output written as the tree says (the
 * emitter, splice == 0) instead of the input's own bytes with the edits
 * spliced in (splice != 0, what the two functions above do). For tests
 * that compare the two.
 */
int cm_krm_process_mode(cm_buf *in, cm_buf *out, cm_diags *diags,
			int *complete, int splice);
int cm_legacy_process_mode(cm_buf *config, const char *config_name,
			   cm_buf *in, cm_buf *out, cm_diags *diags,
			   int splice);

/*
 * The ResourceList to print when the input could not even be read
 * (too large, I/O error): empty items and the results. 0, or -1.
 */
int cm_krm_error_output(const cm_diags *diags, cm_buf *out);

/*
 * Legacy exec plugin mode: config holds the config file's text (named
 * config_name in messages), in the resource stream. On success out holds
 * the transformed stream; on error out is left empty.
 */
int cm_legacy_process(cm_buf *config, const char *config_name, cm_buf *in,
		      cm_buf *out, cm_diags *diags);

/*
 * `krm-fn expand`: config holds a ServiceProfile (named config_name),
 * catalogs[0..n) optional streams of CostProfile objects. On success out
 * holds the expanded cost configuration as indented JSON.
 */
int cm_expand_process(cm_buf *config, const char *config_name,
		      cm_buf *catalogs, const char *const *catalog_names,
		      size_t n_catalogs, cm_buf *out, cm_diags *diags);

#endif
