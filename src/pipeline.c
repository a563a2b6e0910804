/* pipeline.c - see pipeline.h for the contract. */
#include "pipeline.h"

#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "core/arena.h"
#include "read/parse.h"
#include "read/resourcelist.h"
#include "write/emit.h"
#include "write/output.h"

static const cm_parse_limits cm_limits = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES};

/* An arena big enough for the trees of an input of n bytes. */
static cm_arena *cm_arena_for(size_t n)
{
	return cm_arena_new(n > SIZE_MAX / 16 ? SIZE_MAX / 2
					      : n * 8 + ((size_t)64 << 20));
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
	cm_arena *a = cm_arena_for(in->len);
	cm_stream s;
	cm_rl rl;
	cm_config cfg;
	cm_node errdoc;
	const cm_node *doc = NULL;
	const char *api = CM_RL_V1;
	int rc = CM_EXIT_OK;

	*complete = 0;
	memset(&rl, 0, sizeof(rl));
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
	cm_buf_free(in); /* the trees hold copies */
	if (cm_rl_decode(a, &s, "stdin", &rl, diags) < 0) {
		rc = CM_EXIT_INPUT;
		goto report;
	}
	api = rl.api_version;
	if (cm_config_decode(a, rl.config, NULL, &cfg, diags) < 0)
		rc = CM_EXIT_INPUT;
report:
	cm_buf_free(in);
	/* A failed run still passes the items on, with the results. */
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
	cm_arena_free(a);
	if (rc == CM_EXIT_OK && diags->errors)
		rc = CM_EXIT_INPUT;
	return rc;
}

int cm_legacy_process(cm_buf *config, const char *config_name, cm_buf *in,
		      cm_buf *out, cm_diags *diags)
{
	cm_arena *a = cm_arena_for(config->len + in->len);
	cm_stream cs, s;
	cm_config cfg;
	size_t i, n = 0;
	int rc = CM_EXIT_INPUT;

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
	cm_buf_free(in);
	/* Empty documents carry no resource: drop them. */
	for (i = 0; i < s.n; i++)
		if (s.docs[i].kind == CM_MAP)
			s.docs[n++] = s.docs[i];
	s.n = n;
	if (s.n && cm_emit(s.docs, s.n, out, diags) < 0) {
		cm_buf_reset(out);
		goto out;
	}
	rc = diags->errors ? CM_EXIT_INPUT : CM_EXIT_OK;
out:
	cm_buf_free(config);
	cm_buf_free(in);
	cm_arena_free(a);
	return rc;
}
