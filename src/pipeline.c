/* pipeline.c - see pipeline.h for the contract. */
#include "pipeline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/arena.h"
#include "expand/catalog.h"
#include "expand/cost.h"
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
static int cm_stages(cm_arena *a, const cm_config *cfg, cm_node *items,
		     cm_diags *diags)
{
	cm_catalog cat;
	cm_cost_plan plan;
	cm_label_set set;
	int rc = -1;

	memset(&cat, 0, sizeof(cat));
	if (cfg->form == CM_CONFIG_NONE)
		return 0;
	if (cm_catalog_build(a, items, &cat, diags) < 0)
		goto out;
	if (cm_cost_expand(a, cfg, &cat, &plan, diags) < 0)
		goto out;
	if (cm_labels_build(a, cfg, &plan, &set, diags) < 0)
		goto out;
	if (cm_labels_apply(a, items, &set, diags) < 0)
		goto out;
	if (cm_generate_monitoring(a, cfg, &cat, items, &set, diags) < 0)
		goto out;
	rc = 0;
out:
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

int cm_krm_process(cm_buf *in, cm_buf *out, cm_diags *diags, int *complete)
{
	return cm_krm_process_mode(in, out, diags, complete, 1);
}

int cm_krm_process_mode(cm_buf *in, cm_buf *out, cm_diags *diags,
			int *complete, int splice)
{
	cm_arena *a = cm_arena_for(in->len);
	cm_stream s;
	cm_rl rl;
	cm_config cfg;
	cm_node errdoc;
	cm_node *orig = NULL;
	size_t n_orig = 0;
	const cm_node *doc = NULL;
	const char *api = CM_RL_V1;
	cm_splice sp;
	int rc = CM_EXIT_OK, spliced = 0;

	*complete = 0;
	memset(&rl, 0, sizeof(rl));
	memset(&s, 0, sizeof(s));
	cm_splice_init(&sp, in->data ? in->data : "", in->len, out->max);
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
	if (cm_rl_decode(a, &s, "stdin", &rl, diags) < 0) {
		rc = CM_EXIT_INPUT;
		goto report;
	}
	api = rl.api_version;
	/* The items as read, to write back what the stages leave alone. */
	n_orig = rl.items->len;
	orig = cm_nodes_dup(rl.items->u.kids, n_orig);
	if (n_orig && !orig) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto report;
	}
	if (cm_config_decode(a, rl.config, NULL, &cfg, diags) < 0 ||
	    cm_stages(a, &cfg, rl.items, diags) < 0)
		rc = CM_EXIT_INPUT;
report:
	/* The input's own bytes, edits spliced in: a failed run passes the
	 * items on exactly as read, with the results. */
	if (splice && rl.root && s.spans) {
		if (cm_splice_krm(&sp, a, rl.root, orig, n_orig, rl.items,
				  diags->errors == 0, diags) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "out of memory while writing the output");
			rc = CM_EXIT_USAGE;
			goto out;
		}
		spliced = !sp.fallback;
	}
	if (spliced) {
		/* The tree is no longer needed: free it before the output
		 * grows. */
		cm_arena_free(a);
		a = NULL;
		if (cm_splice_write(&sp, out) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "the output is larger than the %zu-byte "
				    "limit; split the input into smaller lists",
				    out->max);
			rc = CM_EXIT_INPUT;
		} else {
			*complete = 1;
		}
		goto out;
	}
	/* Otherwise the tree is written out whole. */
	if (rl.root && cm_rl_set_results(a, rl.root, diags) == 0)
		doc = rl.root;
	if (!doc && cm_rl_error_doc(a, api, diags, &errdoc) == 0)
		doc = &errdoc;
	if (!doc) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while writing the results");
		rc = CM_EXIT_USAGE;
	} else if (cm_emit(doc, 1, out, diags) < 0) {
		rc = CM_EXIT_INPUT;
	} else {
		*complete = 1;
	}
out:
	cm_splice_free(&sp);
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

int cm_legacy_process_mode(cm_buf *config, const char *config_name,
			   cm_buf *in, cm_buf *out, cm_diags *diags,
			   int splice)
{
	cm_arena *a = cm_arena_for(config->len + in->len);
	cm_stream cs, s;
	cm_config cfg;
	cm_node items, *orig = NULL;
	cm_splice sp;
	size_t i, n = 0;
	int rc = CM_EXIT_INPUT;

	cm_splice_init(&sp, in->data ? in->data : "", in->len, out->max);
	if (!a) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	if (cm_parse(a, config->data ? config->data : "", config->len,
		     config_name, &cm_limits, &cs, diags) < 0)
		goto out;
	cm_buf_free(config);
	if (cs.n > 1) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s:%u:%u: config file holds %zu documents; put "
			    "exactly one %s in it",
			    config_name, cs.docs[1].line, cs.docs[1].col,
			    cs.n, CM_CONFIG_KIND);
		goto out;
	}
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
	if (cm_stages(a, &cfg, &items, diags) < 0)
		goto out;
	/* The input's bytes with the edits spliced in, or, where that
	 * cannot be done, the whole stream as the tree says. */
	if (!splice)
		sp.fallback = 1;
	else if (cm_splice_stream(&sp, &s, orig, items.u.kids, items.len) < 0) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while writing the output");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	if (!sp.fallback) {
		cm_arena_free(a);
		a = NULL;
		if (cm_splice_write(&sp, out) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "the output is larger than the %zu-byte "
				    "limit; split the input into smaller "
				    "streams",
				    out->max);
			goto out;
		}
	} else if (items.len && cm_emit(items.u.kids, items.len, out, diags) < 0) {
		cm_buf_reset(out);
		goto out;
	}
	rc = diags->errors ? CM_EXIT_INPUT : CM_EXIT_OK;
out:
	cm_splice_free(&sp);
	free(orig);
	cm_buf_free(config);
	cm_buf_free(in);
	cm_arena_free(a);
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
	if (cm_catalog_build(a, &items, &cat, diags) < 0 ||
	    cm_cost_expand(a, &cfg, &cat, &plan, diags) < 0 ||
	    cm_labels_build(a, &cfg, &plan, &set, diags) < 0)
		goto out;
	for (i = 0; i < set.n_meta; i++) {
		keys[i] = set.meta[i].key;
		values[i] = set.meta[i].value;
	}
	if (cm_cost_expand_json(&plan, keys, values, set.n_meta, &json) < 0 ||
	    cm_buf_adds(out, json) < 0 || cm_buf_adds(out, "\n") < 0) {
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
