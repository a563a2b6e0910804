/* pipeline.c - see pipeline.h for the contract. */
#include "pipeline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "core/arena.h"
#include "core/item.h"
#include "expand/catalog.h"
#include "expand/cost.h"
#include "expand/dashplan.h"
#include "expand/monitoring.h"
#include "generate/budget.h"
#include "generate/monitor.h"
#include "read/parse.h"
#include "read/resourcelist.h"
#include "transform/labels.h"
#include "write/emit.h"
#include "write/output.h"
#include "write/splice.h"

static const cm_parse_limits cm_limits = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					  CM_MAX_ALIAS_BYTES};

/* An arena big enough for the trees of an input of n bytes: a 40-byte
 * node for as little as two bytes of text ("a: b" lists), plus the
 * function's own objects. */
static cm_arena *cm_arena_for(size_t n)
{
	return cm_arena_new(n > SIZE_MAX / 64 ? SIZE_MAX / 2
					      : n * 24 + ((size_t)64 << 20));
}

/* A shallow copy of the n nodes at v (malloc'd; NULL when n is 0 or out
 * of memory). */
static cm_node *cm_nodes_dup(const cm_node *v, size_t n)
{
	cm_node *c = n ? malloc(n * sizeof(*c)) : NULL;

	if (c)
		memcpy(c, v, n * sizeof(*c));
	return c;
}

/*
 * expand profiles -> transform items -> generate, for a decoded config.
 * items is a sequence of mappings (the profile catalog items among them);
 * generated objects are appended to it. Returns 0, or -1 after
 * reporting. Without a config there is nothing to do.
 */
/* a + b and a * b, saturating at SIZE_MAX / 2 (a limit, not a size). */
static size_t cm_sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX / 2 - b || b > SIZE_MAX / 2 ? SIZE_MAX / 2 : a + b;
}

static size_t cm_sat_mul(size_t a, size_t b)
{
	return b && a > (SIZE_MAX / 2) / b ? SIZE_MAX / 2 : a * b;
}

/*
 * Size the limits for labelling items with set, now that the item count
 * is known: the arena keeps its allowance for the parsed trees and the
 * generated objects, plus copies of the grown mappings (at most twice
 * what parsing used) and each item's new labels; the output may grow by
 * each item's new text. out may be NULL (no output buffer).
 */
static void cm_size_limits(cm_arena *a, const cm_node *items,
			   const cm_label_set *set, cm_buf *out)
{
	size_t n = items->len;

	cm_arena_set_max(
		a, cm_sat_add(cm_sat_add(cm_arena_max(a),
					 cm_sat_mul(cm_arena_used(a), 2)),
			      cm_sat_mul(n, cm_labels_item_arena(set))));
	if (out)
		out->max = cm_sat_add(out->max,
				      cm_sat_mul(n, cm_labels_item_text(set)));
}

/*
 * The functionConfig to use: the ResourceList's, or when there is none
 * the single ServiceProfile among the items (kpt's Kptfile mutator
 * without configPath sends the package, config included, and no config).
 * NULL with an error when there is none or more than one: a run without
 * a config cannot do what was asked, and passing the items through would
 * look like success.
 */
static const cm_node *cm_pick_config(const cm_node *fc, const cm_node *items,
				     cm_diags *diags)
{
	const cm_node *found = NULL;
	size_t n = 0;
	uint32_t i;

	if (fc && !cm_node_is_null(fc))
		return fc;
	for (i = 0; items && i < items->len; i++) {
		const cm_node *it = &items->u.kids[i];
		const cm_node *k = it->kind == CM_MAP ? cm_map_get(it, "kind")
						      : NULL;
		const cm_node *v = it->kind == CM_MAP
					   ? cm_map_get(it, "apiVersion")
					   : NULL;

		if (k && v && cm_scalar_is(k, CM_CONFIG_KIND) &&
		    cm_scalar_is(v, CM_API_VERSION)) {
			found = it;
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n == 0)
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "no functionConfig and no %s among the items; pass "
			    "the %s as the function's config (kpt: configPath: "
			    "profile.yaml in the Kptfile, or kpt fn eval "
			    "--fn-config profile.yaml; kustomize: the "
			    "transformer config), or put exactly one %s "
			    "(apiVersion: %s) in the package",
			    CM_CONFIG_KIND, CM_CONFIG_KIND, CM_CONFIG_KIND,
			    CM_API_VERSION);
	else
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "no functionConfig and %zu %s items, so which one "
			    "applies is unclear; name one as the function's "
			    "config (kpt: configPath in the Kptfile, or kpt fn "
			    "eval --fn-config FILE)",
			    n, CM_CONFIG_KIND);
	return NULL;
}

/*
 * True when the items came from kpt: its package reader marks each item
 * with internal.config.kubernetes.io/seqindent (and, in render,
 * package-path); kustomize never writes these. kpt prints the results
 * of the output ResourceList; kustomize drops them.
 */
static int cm_from_kpt(const cm_node *items)
{
	uint32_t i;

	for (i = 0; items && items->kind == CM_SEQ && i < items->len; i++)
		if (items->u.kids[i].kind == CM_MAP &&
		    (cm_item_annotation(&items->u.kids[i],
					"internal.config.kubernetes.io/seqindent") ||
		     cm_item_annotation(&items->u.kids[i],
					"internal.config.kubernetes.io/package-path")))
			return 1;
	return 0;
}

static int cm_stages(cm_arena *a, const cm_config *cfg, cm_node *items,
		     cm_buf *out, cm_diags *diags)
{
	cm_catalog cat;
	cm_cost_plan plan;
	cm_label_set set;
	cm_index ix;
	int rc = -1;

	memset(&cat, 0, sizeof(cat));
	memset(&ix, 0, sizeof(ix));
	if (cfg->form == CM_CONFIG_NONE)
		return 0;
	/* What every stage asks of the items, read once. */
	if (cm_index_build(&ix, items) < 0) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while reading %u items; split the "
			    "input into smaller lists",
			    items->len);
		goto out;
	}
	if (cm_catalog_build(a, &ix, &cat, diags) < 0)
		goto out;
	if (cm_cost_expand(a, cfg, &cat, &plan, diags) < 0)
		goto out;
	if (cm_labels_build(a, cfg, &plan, &set, diags) < 0)
		goto out;
	cm_size_limits(a, items, &set, out);
	if (cm_labels_apply(a, items, &ix, &set, diags) < 0)
		goto out;
	if (cm_generate_monitoring(a, cfg, &cat, &ix, &set, diags) < 0)
		goto out;
	if (cm_generate_budget(a, cfg, &cat, &plan, &ix, &set, diags) < 0)
		goto out;
	if (cfg->fail_on_warnings == 1 && diags->warnings) {
		char path[64];
		cm_where w = cfg->where;

		w.field_path = cm_config_path(cfg, "failOnWarnings",
					      "failOnWarnings", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%zu warning%s and %s is true, so the run fails; "
			    "fix what the warnings say, or set %s to false",
			    diags->warnings, diags->warnings == 1 ? "" : "s",
			    w.field_path, w.field_path);
		goto out;
	}
	rc = 0;
out:
	cm_index_free(&ix);
	cm_catalog_free(&cat);
	return rc;
}

int cm_krm_error_output(const cm_diags *diags, cm_buf *out)
{
	cm_arena *a = cm_arena_new((size_t)64 << 20);
	cm_diags scratch;
	cm_node doc;
	int rc = -1;

	cm_diags_init(&scratch);
	if (!a)
		goto out;
	if (cm_rl_error_doc(a, CM_RL_V1, diags, &doc) < 0)
		goto out;
	if (cm_emit(&doc, 1, out, &scratch) < 0)
		goto out;
	rc = 0;
out:
	cm_diags_free(&scratch);
	cm_arena_free(a);
	return rc;
}

/*
 * The input's ResourceList again, as it came in, for the output of a
 * failed run: items unchanged, with diags as results. Parses in (kept
 * for this) into a fresh arena *ap. Returns the document, or NULL.
 */
static const cm_node *cm_untouched(cm_buf *in, cm_arena **ap,
				   const cm_diags *diags)
{
	cm_diags scratch;
	cm_stream s;
	cm_rl rl;
	const cm_node *doc = NULL;

	cm_diags_init(&scratch);
	memset(&rl, 0, sizeof(rl));
	cm_arena_free(*ap);
	*ap = cm_arena_for(in->len);
	if (*ap &&
	    cm_parse(*ap, in->data ? in->data : "", in->len, "stdin",
		     &cm_limits, &s, &scratch) == 0 &&
	    (cm_rl_decode(*ap, &s, "stdin", &rl, &scratch), rl.root) &&
	    cm_rl_set_results(*ap, rl.root, diags) == 0)
		doc = rl.root;
	cm_diags_free(&scratch);
	return doc;
}

/* What cm_splice_out() plans over: a KRM run's ResourceList or a legacy
 * run's stream. */
typedef struct cm_splice_job {
	int legacy;
	cm_arena *a;
	const cm_node *root, *orig, *items;
	size_t n_orig;
	int edits;
	const cm_diags *diags;
	const cm_stream *s;
	const cm_node *docs;
	size_t n;
} cm_splice_job;

/* One planning pass of job over sp. 0, or -1 when out of memory. */
static int cm_splice_pass(cm_splice *sp, const cm_splice_job *job)
{
	static const uint32_t none[1];
	const uint32_t *marks;
	size_t n;
	int lost;

	/* Only the subtrees the stages changed need walking. */
	marks = cm_arena_log_sorted(job->a, &n, &lost);
	if (!lost)
		cm_splice_marks(sp, marks ? marks : none, n);
	if (job->legacy)
		return cm_splice_stream(sp, job->s, job->orig, job->docs,
					job->n);
	return cm_splice_krm(sp, job->a, job->root, job->orig, job->n_orig,
			     job->items, job->edits, job->diags);
}

/* The most edits a plan may hold before the writer gives it up for two
 * direct passes: edit records of an eighth of the input's size (at
 * least 1,024 of them), so that the plan stays small next to the trees. */
static size_t cm_plan_edit_max(size_t len)
{
	size_t n = len / 8 / sizeof(cm_edit);

	return n < 1024 ? 1024 : n;
}

#define CM_SPLICE_SENT 2 /* the output is written to file */
#define CM_SPLICE_DONE 1 /* the output is in out */
#define CM_SPLICE_EMIT 0 /* cannot be spliced: emit the tree */
#define CM_SPLICE_OOM -1
#define CM_SPLICE_BIG -2
#define CM_SPLICE_WERR -3
#define CM_SPLICE_BUG -4
#define CM_SPLICE_BUG_MSG                                                    \
	"internal error: the writer's counting and writing passes differ, "  \
	"so the output may be cut short; please report it with the input"

/*
 * The input's bytes with the edits of job spliced in, to file (when not
 * NULL) or into out, in one of the ways of pipeline.h's modes: for
 * CM_MODE_SPLICE a plan of at most cm_plan_edit_max() edits, written
 * from the plan; past that, or for CM_MODE_DIRECT, a pass that only
 * counts, then one that writes as it plans (into out, emptied to file as
 * it goes), so that no plan is held in memory; when those find the edits
 * out of input order, or for CM_MODE_PLAN, a plan of any size, sorted and
 * then written into out (the arena *ap is freed first: the plan no
 * longer needs the trees). The trees must be alive. Returns
 * CM_SPLICE_SENT (written to file), CM_SPLICE_DONE (in out),
 * CM_SPLICE_EMIT (cannot be spliced: nothing written) or a failure
 * (CM_SPLICE_OOM, CM_SPLICE_BIG: nothing written; CM_SPLICE_WERR: the
 * write to file failed with *werr; CM_SPLICE_BUG: the two passes
 * differed; after these two, part of the output may be out).
 */
static int cm_splice_out(const cm_splice_job *job, const char *src,
			 size_t len, int mode, cm_arena **ap,
			 cm_buf *out, FILE *file, int *werr)
{
	cm_splice sp;
	cm_splice_emits em;
	size_t total, start = out->len;
	int rc;

	cm_splice_emits_init(&em);
	cm_splice_init(&sp, src, len, out->max);
	cm_splice_use_emits(&sp, &em); /* generated objects: emitted once */
	if (mode == CM_MODE_SPLICE) {
		/* A plan first, while it stays small: written from it, with
		 * no second walk over the trees. */
		cm_splice_edit_max(&sp, cm_plan_edit_max(len));
		if (cm_splice_pass(&sp, job) == 0 && !sp.over && !sp.oom) {
			if (sp.fallback) {
				rc = CM_SPLICE_EMIT;
				goto out;
			}
			if (cm_splice_size(&sp) > out->max - out->len) {
				rc = CM_SPLICE_BIG;
				goto out;
			}
			if (!file) {
				rc = cm_splice_write(&sp, out) < 0 ? CM_SPLICE_OOM
								   : CM_SPLICE_DONE;
				goto out;
			}
			if (cm_splice_send(&sp, file) < 0) {
				*werr = sp.werr;
				rc = CM_SPLICE_WERR;
				goto out;
			}
			rc = CM_SPLICE_SENT;
			goto out;
		}
		/* More edits than that (or no memory for them): direct. */
		cm_splice_free(&sp);
		cm_splice_init(&sp, src, len, out->max);
		cm_splice_use_emits(&sp, &em);
	}
	if (mode != CM_MODE_PLAN) {
		cm_splice_direct(&sp, CM_SPLICE_COUNT, NULL, NULL);
		if (cm_splice_pass(&sp, job) < 0 ||
		    cm_splice_direct_end(&sp) < 0) {
			rc = CM_SPLICE_OOM;
			goto out;
		}
		if (!sp.unordered) {
			if (sp.fallback) {
				rc = CM_SPLICE_EMIT;
				goto out;
			}
			total = sp.total;
			if (total > out->max - out->len) {
				rc = CM_SPLICE_BIG;
				goto out;
			}
			cm_splice_free(&sp);
			cm_splice_init(&sp, src, len, out->max);
			cm_splice_direct(&sp, CM_SPLICE_WRITE, out, file);
			cm_splice_use_emits(&sp, &em);
			if (!file && cm_buf_reserve(out, total) < 0) {
				rc = CM_SPLICE_OOM;
				goto out;
			}
			if (cm_splice_pass(&sp, job) < 0 ||
			    cm_splice_direct_end(&sp) < 0) {
				*werr = sp.werr;
				rc = sp.werr ? CM_SPLICE_WERR : CM_SPLICE_OOM;
				goto out;
			}
			/* The same trees, the same passes: a difference is a
			 * bug, reported rather than written on. */
			rc = sp.fallback || sp.unordered || sp.total != total
				     ? CM_SPLICE_BUG
				     : file ? CM_SPLICE_SENT : CM_SPLICE_DONE;
			goto out;
		}
		cm_splice_free(&sp);
		cm_splice_init(&sp, src, len, out->max);
		cm_splice_use_emits(&sp, &em);
	}
	if (cm_splice_pass(&sp, job) < 0) {
		rc = CM_SPLICE_OOM;
		goto out;
	}
	if (sp.fallback) {
		rc = CM_SPLICE_EMIT;
		goto out;
	}
	/* The plan holds all it needs: free the trees before the output
	 * grows. */
	cm_arena_free(*ap);
	*ap = NULL;
	rc = cm_splice_write(&sp, out) < 0 ? CM_SPLICE_BIG : CM_SPLICE_DONE;
out:
	if (rc != CM_SPLICE_DONE && rc != CM_SPLICE_SENT) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	cm_splice_free(&sp);
	cm_splice_emits_free(&em);
	return rc;
}

/*
 * Report a failure of cm_splice_out() (how < 0), naming what to split
 * (unit) when the output is over max. Returns the exit code; *partial is
 * set when part of the output may already be out (a write error, the
 * passes differing).
 */
static int cm_splice_failed(int how, int werr, size_t max, const char *unit,
			    cm_diags *diags, int *partial)
{
	*partial = how == CM_SPLICE_WERR || how == CM_SPLICE_BUG;
	switch (how) {
	case CM_SPLICE_BIG:
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "the output is larger than the %zu-byte limit; "
			    "split the input into smaller %s",
			    max, unit);
		return CM_EXIT_INPUT;
	case CM_SPLICE_WERR:
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "cannot write the output: %s", strerror(werr));
		return CM_EXIT_USAGE;
	case CM_SPLICE_BUG:
		cm_diag_add(diags, CM_SEV_ERROR, NULL, CM_SPLICE_BUG_MSG);
		return CM_EXIT_USAGE;
	default:
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while writing the output");
		return CM_EXIT_USAGE;
	}
}

int cm_krm_process(cm_buf *in, cm_buf *out, cm_diags *diags, int *complete)
{
	return cm_krm_process_to(in, out, NULL, diags, complete);
}

static int cm_krm_run(cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
		      int *complete, int splice);

int cm_krm_process_to(cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
		      int *complete)
{
	return cm_krm_run(in, out, file, diags, complete, CM_MODE_SPLICE);
}

int cm_krm_process_mode(cm_buf *in, cm_buf *out, cm_diags *diags,
			int *complete, int splice)
{
	return cm_krm_run(in, out, NULL, diags, complete, splice);
}

static int cm_krm_run(cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
		      int *complete, int splice)
{
	cm_arena *a = cm_arena_for(in->len);
	cm_stream s;
	cm_rl rl;
	cm_config cfg;
	cm_node errdoc;
	cm_node *orig = NULL;
	size_t n_orig = 0;
	const cm_node *doc = NULL, *fc;
	const char *api = CM_RL_V1;
	cm_splice_job job;
	int rc = CM_EXIT_OK, kpt = 0, werr = 0, how, partial;

	*complete = 0;
	memset(&rl, 0, sizeof(rl));
	memset(&s, 0, sizeof(s));
	if (!a) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		cm_buf_free(in);
		return CM_EXIT_USAGE;
	}
	if (cm_parse(a, in->data ? in->data : "", in->len, "stdin", &cm_limits,
		     &s, diags) < 0) {
		rc = CM_EXIT_INPUT;
		goto report;
	}
	/* in is kept: the output is spliced into its bytes, and a failed
	 * run passes the items on as they came in. */
	if (cm_rl_decode(a, &s, "stdin", &rl, diags) < 0) {
		rc = CM_EXIT_INPUT;
		goto report;
	}
	api = rl.api_version;
	kpt = cm_from_kpt(rl.items);
	/* The items as read, to write back what the stages leave alone. */
	n_orig = rl.items->len;
	orig = cm_nodes_dup(rl.items->u.kids, n_orig);
	if (n_orig && !orig) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto report;
	}
	fc = cm_pick_config(rl.config, rl.items, diags);
	if (!fc || cm_config_decode(a, fc, NULL, &cfg, diags) < 0 ||
	    cm_stages(a, &cfg, rl.items, out, diags) < 0)
		rc = CM_EXIT_INPUT;
report:
	/* The input's own bytes, edits spliced in: a failed run passes the
	 * items on exactly as read, with the results. */
	if (splice != CM_MODE_EMIT && rl.root && s.spans) {
		memset(&job, 0, sizeof(job));
		job.a = a;
		job.root = rl.root;
		job.orig = orig;
		job.n_orig = n_orig;
		job.items = rl.items;
		job.edits = diags->errors == 0;
		job.diags = diags;
		how = cm_splice_out(&job, in->data ? in->data : "", in->len,
				    splice, &a, out, file, &werr);
		switch (how) {
		case CM_SPLICE_EMIT:
			break;
		case CM_SPLICE_SENT:
			*complete = CM_KRM_COMPLETE | CM_KRM_WRITTEN;
			goto out;
		case CM_SPLICE_DONE:
			*complete = CM_KRM_COMPLETE;
			goto out;
		default:
			rc = cm_splice_failed(how, werr, out->max, "lists",
					      diags, &partial);
			if (partial)
				*complete = CM_KRM_WRITTEN;
			goto out;
		}
	}
	/* Otherwise the tree is written out whole. */
	if (rl.root && rc == CM_EXIT_OK && !diags->errors) {
		if (cm_rl_set_results(a, rl.root, diags) < 0)
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "the working-memory limit of %zu bytes was "
				    "reached while writing the results; split "
				    "the input into smaller lists",
				    cm_arena_max(a));
		else if (cm_emit(rl.root, 1, out, diags) == 0)
			*complete = 1;
		else
			cm_buf_reset(out); /* the output limit: reported */
	}
	/* A failed run passes the items on unchanged, with the results. */
	if (!*complete && rl.root && (doc = cm_untouched(in, &a, diags)) &&
	    cm_emit(doc, 1, out, diags) == 0)
		*complete = 1;
	if (!*complete) {
		cm_buf_reset(out);
		if (a && cm_rl_error_doc(a, api, diags, &errdoc) == 0 &&
		    cm_emit(&errdoc, 1, out, diags) == 0)
			*complete = 1;
		else
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "out of memory while writing the results");
	}
	if (!*complete)
		rc = CM_EXIT_USAGE;
	else if (diags->errors)
		rc = CM_EXIT_INPUT;
out:
	if ((*complete & CM_KRM_COMPLETE) && kpt)
		*complete |= CM_KRM_FROM_KPT;
	cm_buf_free(in);
	free(orig);
	cm_arena_free(a);
	if (rc == CM_EXIT_OK && diags->errors)
		rc = CM_EXIT_INPUT;
	return rc;
}

int cm_legacy_process(cm_buf *config, const char *config_name, cm_buf *in,
		      cm_buf *out, cm_diags *diags)
{
	return cm_legacy_process_mode(config, config_name, in, out, diags, 1);
}

static int cm_legacy_run(cm_buf *config, const char *config_name,
			 cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
			 int splice, int *sent);

int cm_legacy_process_mode(cm_buf *config, const char *config_name,
			   cm_buf *in, cm_buf *out, cm_diags *diags,
			   int splice)
{
	int sent;

	return cm_legacy_run(config, config_name, in, out, NULL, diags,
			     splice, &sent);
}

int cm_legacy_process_to(cm_buf *config, const char *config_name,
			 cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
			 int *sent)
{
	return cm_legacy_run(config, config_name, in, out, file, diags,
			     CM_MODE_SPLICE, sent);
}

static int cm_legacy_run(cm_buf *config, const char *config_name,
			 cm_buf *in, cm_buf *out, FILE *file, cm_diags *diags,
			 int splice, int *sent)
{
	cm_arena *a = cm_arena_for(config->len + in->len);
	cm_stream cs, s;
	cm_config cfg;
	cm_node items, *orig = NULL;
	cm_splice_job job;
	size_t i, n = 0;
	int rc = CM_EXIT_INPUT, werr = 0, how = CM_SPLICE_EMIT;

	*sent = 0;
	if (!a) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	if (cm_parse(a, config->data ? config->data : "", config->len,
		     config_name, &cm_limits, &cs, diags) < 0)
		goto out;
	if (cs.n > 1) {
		unsigned l, c;

		cm_stream_pos(&cs, &cs.docs[1], &l, &c);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: config file holds %zu documents; put "
			    "exactly one %s in it",
			    config_name, l, c, cs.n, CM_CONFIG_KIND);
		goto out;
	}
	cm_buf_free(config);
	if (cm_config_decode(a, cs.n ? &cs.docs[0] : NULL, config_name, &cfg,
			     diags) < 0)
		goto out;
	if (cm_parse(a, in->data ? in->data : "", in->len, "stdin", &cm_limits,
		     &s, diags) < 0 ||
	    cm_stream_check_items(&s, "stdin", diags) < 0)
		goto out;
	orig = cm_nodes_dup(s.docs, s.n);
	if (s.n && !orig) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	/* Empty documents carry no resource: the stages never see them. */
	for (i = 0; i < s.n; i++)
		if (s.docs[i].kind == CM_MAP)
			s.docs[n++] = s.docs[i];
	items = cm_seq_new();
	items.u.kids = s.docs;
	items.len = (uint32_t)n;
	if (cm_stages(a, &cfg, &items, out, diags) < 0)
		goto out;
	/* The input's bytes with the edits spliced in, or, where that
	 * cannot be done, the whole stream as the tree says. */
	if (splice != CM_MODE_EMIT) {
		memset(&job, 0, sizeof(job));
		job.legacy = 1;
		job.a = a;
		job.s = &s;
		job.orig = orig;
		job.docs = items.u.kids;
		job.n = items.len;
		how = cm_splice_out(&job, in->data ? in->data : "", in->len,
				    splice, &a, out, file,
				    &werr);
	}
	switch (how) {
	case CM_SPLICE_SENT:
		*sent = 1;
		break;
	case CM_SPLICE_DONE:
		break;
	case CM_SPLICE_EMIT:
		if (items.len &&
		    cm_emit(items.u.kids, items.len, out, diags) < 0) {
			cm_buf_reset(out);
			goto out;
		}
		break;
	default:
		rc = cm_splice_failed(how, werr, out->max, "streams", diags,
				      sent);
		goto out;
	}
	rc = diags->errors ? CM_EXIT_INPUT : CM_EXIT_OK;
out:
	free(orig);
	cm_buf_free(config);
	cm_buf_free(in);
	cm_arena_free(a);
	return rc;
}

/* Add the monitoring plan (and its dashboard's, dash may be NULL) to
 * the expansion JSON *json (replaced). 0 or -1. */
static int cm_expand_add_monitoring(char **json, const cm_mon_plan *mplan,
				    const cm_config *cfg, const cm_cost_plan *cost,
				    const cm_dash_plan *dash)
{
	const char *envs[64];
	char *mon = NULL, *all = NULL, *dj = NULL;
	json_t *o = NULL, *m = NULL, *dm = NULL;
	size_t i, n = 0;
	int rc = -1;

	/* Severities for every environment of the cost profile. */
	for (i = 0; i < cost->profile.n_envs && n < 64; i++)
		envs[n++] = cost->profile.envs[i].name;
	if (cm_mon_plan_json(mplan, cfg, envs, n, &mon) < 0 ||
	    (dash && cm_dash_plan_json(dash, &dj) < 0))
		goto out;
	o = json_loads(*json, JSON_DECODE_ANY, NULL);
	m = json_loads(mon, JSON_DECODE_ANY, NULL);
	dm = dj ? json_loads(dj, JSON_DECODE_ANY, NULL) : NULL;
	if (!o || !m || (dj && !dm) ||
	    (dm && json_object_set(m, "dashboard", dm) < 0) ||
	    json_object_set(o, "monitoring", m) < 0)
		goto out;
	all = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!all)
		goto out;
	free(*json);
	*json = all;
	rc = 0;
out:
	json_decref(dm);
	json_decref(m);
	json_decref(o);
	free(dj);
	free(mon);
	return rc;
}

int cm_expand_process(cm_buf *config, const char *config_name,
		      cm_buf *catalogs, const char *const *catalog_names,
		      size_t n_catalogs, cm_buf *out, cm_diags *diags)
{
	size_t total = config->len, i, k, count = 0;
	cm_arena *a;
	cm_stream cs, *streams = NULL;
	cm_config cfg;
	cm_catalog cat;
	cm_cost_plan plan;
	cm_label_set set;
	cm_node items = cm_seq_new();
	const char *keys[CM_LABEL_COUNT], *values[CM_LABEL_COUNT];
	char *json = NULL;
	int rc = CM_EXIT_INPUT;

	memset(&cat, 0, sizeof(cat));
	for (i = 0; i < n_catalogs; i++)
		total += catalogs[i].len;
	a = cm_arena_for(total);
	streams = calloc(n_catalogs ? n_catalogs : 1, sizeof(*streams));
	if (!a || !streams) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	if (cm_parse(a, config->data ? config->data : "", config->len,
		     config_name, &cm_limits, &cs, diags) < 0)
		goto out;
	if (cs.n != 1) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s: expected exactly one %s document, found %zu",
			    config_name, CM_CONFIG_KIND, cs.n);
		goto out;
	}
	if (cm_config_decode(a, &cs.docs[0], config_name, &cfg, diags) < 0)
		goto out;
	if (cfg.form == CM_CONFIG_NONE) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s: the file is empty; write a %s in it",
			    config_name, CM_CONFIG_KIND);
		goto out;
	}
	for (i = 0; i < n_catalogs; i++) {
		if (cm_parse(a, catalogs[i].data ? catalogs[i].data : "",
			     catalogs[i].len, catalog_names[i], &cm_limits,
			     &streams[i], diags) < 0)
			goto out;
		count += streams[i].n;
	}
	items.u.kids = cm_arena_alloc(a, (count ? count : 1) * sizeof(cm_node));
	if (!items.u.kids) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n_catalogs; i++)
		for (k = 0; k < streams[i].n; k++)
			if (streams[i].docs[k].kind == CM_MAP)
				items.u.kids[items.len++] = streams[i].docs[k];
	{
		cm_index ix;
		int rc_cat = -1;

		if (cm_index_build(&ix, &items) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
			rc = CM_EXIT_USAGE;
		} else
			rc_cat = cm_catalog_build(a, &ix, &cat, diags);
		cm_index_free(&ix);
		if (rc_cat < 0)
			goto out;
	}
	if (cfg.cost_profile && *cfg.cost_profile &&
	    !cm_catalog_find(&cat, "CostProfile", cfg.cost_profile)) {
		char list[512], path[64];
		cm_where w = cfg.where;

		cm_catalog_names(&cat, "CostProfile", list, sizeof(list));
		w.field_path = cm_config_path(&cfg, "costProfile", "costProfile",
					      path, sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "unknown cost profile \"%s\"; known profiles: %s%s; "
			    "if a catalog file defines it, pass that file too: "
			    "krm-fn expand %s CATALOG_FILE... (e.g. "
			    "examples/profiles/cost-profiles.yaml)",
			    cfg.cost_profile, list,
			    n_catalogs ? " (built-in and from the catalog files "
					 "given)"
				       : " (built-in; no catalog file given)",
			    config_name);
		goto out;
	}
	if (cm_cost_expand(a, &cfg, &cat, &plan, diags) < 0 ||
	    cm_labels_build(a, &cfg, &plan, &set, diags) < 0)
		goto out;
	for (i = 0; i < set.n_meta; i++) {
		keys[i] = set.meta[i].key;
		values[i] = set.meta[i].value;
	}
	if (cm_cost_expand_json(&plan, keys, values, set.n_meta, &json) < 0)
		goto oom;
	if (cfg.monitoring_profile && *cfg.monitoring_profile) {
		/* The monitoring plan (no input: target Services unknown
		 * unless spec.monitoring.serviceName names one). */
		cm_mon_plan mplan;
		cm_dash_plan dplan;

		if (cm_mon_expand(a, &cfg, &cat,
				  cfg.namespace_ && *cfg.namespace_ ? cfg.namespace_
								    : NULL,
				  NULL, &mplan, diags) < 0 ||
		    cm_dash_expand(a, &cfg, &cat, &mplan, &dplan, diags) < 0)
			goto out;
		if (cm_expand_add_monitoring(&json, &mplan, &cfg, &plan, &dplan) < 0)
			goto oom;
	}
	if (cm_buf_adds(out, json) < 0 || cm_buf_adds(out, "\n") < 0) {
oom:
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while writing the expansion");
		goto out;
	}
	rc = diags->errors ? CM_EXIT_INPUT : CM_EXIT_OK;
out:
	free(json);
	free(streams);
	cm_catalog_free(&cat);
	cm_arena_free(a);
	return rc;
}
