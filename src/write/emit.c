/* emit.c - see emit.h for the contract. */
#include "emit.h"

#include <errno.h>
#include <string.h>
#include <yaml.h>

typedef struct cm_sink {
	cm_buf *out;
	int err; /* errno of the first failed append */
} cm_sink;

static int cm_sink_write(void *data, unsigned char *p, size_t n)
{
	cm_sink *s = data;

	if (cm_buf_add(s->out, p, n) < 0) {
		s->err = errno;
		return 0;
	}
	return 1;
}

static int cm_emit_node(yaml_emitter_t *e, const cm_node *n)
{
	yaml_event_t ev;
	yaml_char_t *tag = (yaml_char_t *)n->tag;
	int implicit = n->tag == NULL;
	size_t i, count;

	switch (n->kind) {
	case CM_SCALAR:
		if (!yaml_scalar_event_initialize(
			    &ev, NULL, tag, (yaml_char_t *)n->u.str,
			    (int)n->len, implicit, implicit,
			    (yaml_scalar_style_t)n->style))
			return 0;
		return yaml_emitter_emit(e, &ev);
	case CM_SEQ:
		if (!yaml_sequence_start_event_initialize(
			    &ev, NULL, tag, implicit, YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return 0;
		for (i = 0; i < n->len; i++)
			if (!cm_emit_node(e, &n->u.kids[i]))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) &&
		       yaml_emitter_emit(e, &ev);
	case CM_MAP:
		if (!yaml_mapping_start_event_initialize(
			    &ev, NULL, tag, implicit, YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return 0;
		count = 2 * (size_t)n->len;
		for (i = 0; i < count; i++)
			if (!cm_emit_node(e, &n->u.kids[i]))
				return 0;
		return yaml_mapping_end_event_initialize(&ev) &&
		       yaml_emitter_emit(e, &ev);
	default:
		/* A node never filled in: write null rather than nothing. */
		if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
						  (yaml_char_t *)"null", 4, 1,
						  1, YAML_PLAIN_SCALAR_STYLE))
			return 0;
		return yaml_emitter_emit(e, &ev);
	}
}

int cm_emit(const cm_node *docs, size_t n, cm_buf *out, cm_diags *diags)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	cm_sink sink = {out, 0};
	size_t i;
	int rc = -1;

	if (!yaml_emitter_initialize(&e)) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while starting the YAML writer");
		return -1;
	}
	yaml_emitter_set_output(&e, cm_sink_write, &sink);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
	    !yaml_emitter_emit(&e, &ev))
		goto fail;
	for (i = 0; i < n; i++) {
		if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
							  i == 0) ||
		    !yaml_emitter_emit(&e, &ev) ||
		    !cm_emit_node(&e, &docs[i]) ||
		    !yaml_document_end_event_initialize(&ev, 1) ||
		    !yaml_emitter_emit(&e, &ev))
			goto fail;
	}
	if (!yaml_stream_end_event_initialize(&ev) ||
	    !yaml_emitter_emit(&e, &ev) || !yaml_emitter_flush(&e))
		goto fail;
	rc = 0;
	goto out;
fail:
	if (sink.err)
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "the output is larger than the %zu-byte limit (%s); "
			    "split the input into smaller lists",
			    out->max, strerror(sink.err));
	else
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "cannot write the output as YAML: %s; please "
			    "report this with the input that caused it",
			    e.problem ? e.problem : "out of memory");
out:
	yaml_emitter_delete(&e);
	return rc;
}
