/* emit.c - see emit.h for the contract. */
#include "emit.h"

#include <errno.h>
#include <stdlib.h>
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

/*
 * The style to write a mapping key in. A quoted key made only of
 * [A-Za-z0-9._/-] that does not read as anything but a string is written
 * plain: the data is the same, and JSON input comes out as ordinary block
 * YAML ("apiVersion:", not "\"apiVersion\":"). Other keys keep their style.
 */
static cm_style cm_key_style(const cm_node *k)
{
	uint32_t i;

	if (k->kind != CM_SCALAR || cm_node_tag(k) || k->len == 0 ||
	    (k->style != CM_STYLE_DOUBLE && k->style != CM_STYLE_SINGLE))
		return (cm_style)k->style;
	for (i = 0; i < k->len; i++) {
		char c = k->u.str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '/' || c == '-'))
			return (cm_style)k->style;
	}
	if (!((k->u.str[0] >= 'a' && k->u.str[0] <= 'z') ||
	      (k->u.str[0] >= 'A' && k->u.str[0] <= 'Z')) ||
	    cm_plain_is_special(k->u.str, k->len))
		return (cm_style)k->style;
	return CM_STYLE_PLAIN;
}

static int cm_emit_node(yaml_emitter_t *e, const cm_node *n);

/*
 * Emit a scalar with the given style. Returns libyaml's 1/0.
 *
 * The event is filled in directly rather than by
 * yaml_scalar_event_initialize(), which would check the text's UTF-8
 * again: every scalar here was validated by the parser or made by the
 * function from such text. The copies are malloc'd, as libyaml frees
 * them (yaml_event_delete) once the event is written.
 */
static int cm_emit_scalar(yaml_emitter_t *e, const cm_node *n, cm_style style)
{
	yaml_event_t ev;
	int implicit = cm_node_tag(n) == NULL;
	unsigned char *value, *tag = NULL;

	value = malloc((size_t)n->len + 1);
	if (!value)
		return 0;
	memcpy(value, n->u.str, (size_t)n->len + 1);
	if (cm_node_tag(n)) {
		size_t tl = strlen(cm_node_tag(n));

		tag = malloc(tl + 1);
		if (!tag) {
			free(value);
			return 0;
		}
		memcpy(tag, cm_node_tag(n), tl + 1);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = YAML_SCALAR_EVENT;
	ev.data.scalar.value = value;
	ev.data.scalar.length = n->len;
	ev.data.scalar.tag = tag;
	ev.data.scalar.plain_implicit = implicit;
	ev.data.scalar.quoted_implicit = implicit;
	ev.data.scalar.style = (yaml_scalar_style_t)style;
	return yaml_emitter_emit(e, &ev);
}

/* Emit any node; mapping keys go through cm_key_style(). 1 or 0. */
static int cm_emit_node(yaml_emitter_t *e, const cm_node *n)
{
	yaml_event_t ev;
	yaml_char_t *tag = (yaml_char_t *)cm_node_tag(n);
	int implicit = cm_node_tag(n) == NULL;
	size_t i, count;

	switch (n->kind) {
	case CM_SCALAR:
		return cm_emit_scalar(e, n, (cm_style)n->style);
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
		for (i = 0; i < count; i += 2) {
			const cm_node *k = &n->u.kids[i];
			cm_node tilde;

			/* An empty plain key is a null that libyaml would
			 * write as '' (a string): write it as ~. */
			if (k->kind == CM_SCALAR && k->len == 0 && !cm_node_tag(k) &&
			    k->style == CM_STYLE_PLAIN) {
				tilde = *k;
				tilde.u.str = "~";
				tilde.len = 1;
				k = &tilde;
			}
			if (!(k->kind == CM_SCALAR
				      ? cm_emit_scalar(e, k, cm_key_style(k))
				      : cm_emit_node(e, k)) ||
			    !cm_emit_node(e, &n->u.kids[i + 1]))
				return 0;
		}
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
			    e.problem ? e.problem
				      : e.error == YAML_MEMORY_ERROR
					    ? "out of memory"
					    : "the YAML writer refused an event");
out:
	yaml_emitter_delete(&e);
	return rc;
}
