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
#include <stdio.h>

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
#define CM_KRM_WRITTEN 4
int cm_krm_process(cm_buf *in, cm_buf *out, cm_diags *diags, int *complete);

/*
 * The same, writing a spliced output straight to file (then `*complete`
 * holds CM_KRM_WRITTEN and out stays empty), so that the whole output is
 * never held in memory, and a plan only while it is small. Nothing is
 * written before every check has passed; only a failing write (reported,
 * exit CM_EXIT_USAGE) can leave part of the output on file. Other
 * outputs (errors, input the writer cannot splice) still come in out.
 */
int cm_krm_process_to(cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
		      int *complete);

/*
 * The same two modes with the output written as the tree says (the
 * emitter, splice == CM_MODE_EMIT) instead of the input's own bytes with
 * the edits spliced in. Splicing has three ways to the same bytes:
 *   - CM_MODE_SPLICE (what the functions above do): a plan of the edits,
 *     written from the plan, while it holds few edits for the input's
 *     size; else CM_MODE_DIRECT;
 *   - CM_MODE_DIRECT: a pass over the trees that counts, then one that
 *     writes each edit as it is made, no plan kept; else (the edits do
 *     not come in the order of the input) CM_MODE_PLAN;
 *   - CM_MODE_PLAN: a plan of any size, sorted, then written.
 * For tests that compare them.
 */
#define CM_MODE_EMIT 0
#define CM_MODE_SPLICE 1
#define CM_MODE_PLAN 2
#define CM_MODE_DIRECT 3
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
 * The same, writing a spliced output straight to file (then *sent is 1
 * and out stays empty), as cm_krm_process_to() does.
 */
int cm_legacy_process_to(cm_buf *config, const char *config_name,
			 cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
			 int *sent);

/*
 * `krm-fn expand`: config holds a ServiceProfile (named config_name),
 * catalogs[0..n) optional streams of CostProfile objects. On success out
 * holds the expanded cost configuration as indented JSON.
 */
int cm_expand_process(cm_buf *config, const char *config_name,
		      cm_buf *catalogs, const char *const *catalog_names,
		      size_t n_catalogs, cm_buf *out, cm_diags *diags);

#endif
