/*
 * parse.h - YAML/JSON text to document trees, with the input limits.
 *
 * Invariants:
 *   - A successful parse yields every document of the stream, in order,
 *     as trees in the caller's arena (node.h), with anchors resolved and
 *     no alias left.
 *   - Input that is not well-formed, not UTF-8, nests deeper than
 *     limits->max_depth (counting what aliases expand to), has a mapping
 *     with the same key twice, or whose aliases would make more than
 *     limits->max_alias_nodes copied nodes or copy more than
 *     limits->max_alias_bytes of scalar text, is refused: one error
 *     diagnostic "<name>:<line>:<col>: <what>; <fix>" and no documents.
 *     Parsing never runs long on such input: it stops at the first event
 *     past a limit.
 *
 *   - Input of 4 GiB or more is refused (node offsets are 32 bits).
 *     UTF-16 input (with its byte-order mark) is read as its UTF-8
 *     translation.
 *   - Every node read carries CM_NF_SRC and its byte range in the text
 *     (node.h): from its anchor or tag, if any, to the end of its
 *     content; a flow collection's range ends after its closing bracket,
 *     a block collection's at the end of its last child. Alias copies are
 *     marked CM_NF_ALIAS, anchored nodes CM_NF_ANCHOR.
 *
 * Ownership: the caller owns the arena and the input text; the trees hold
 * copies of the scalars, so the text may be freed once cm_parse()
 * returns, unless the caller means to write it back (write/splice.h) or
 * to ask for positions (cm_stream_pos() reads it).
 */
#ifndef CM_PARSE_H
#define CM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/diag.h"
#include "../core/node.h"

/* Default limits; see the README's "Limits" section. */
#define CM_MAX_DEPTH 256
#define CM_MAX_ALIAS_NODES 100000
#define CM_MAX_ALIAS_BYTES ((size_t)16 << 20)

typedef struct cm_parse_limits {
	size_t max_depth;       /* collections open at once */
	size_t max_alias_nodes; /* nodes made by expanding aliases */
	size_t max_alias_bytes; /* scalar text in those nodes */
} cm_parse_limits;

typedef struct cm_stream {
	cm_node *docs; /* in the arena */
	size_t n;
	/* Byte offset where each document begins (its "---" or directives,
	 * or its first node; 0 for the first), in the arena; and whether the
	 * node spans (node.h) can be used to write the text back: true for
	 * UTF-8 text whose line breaks are LF or CR LF, false for UTF-16 or
	 * other line breaks (then the writer re-emits). */
	uint32_t *starts;
	bool spans;
	/* The UTF-8 text the offsets refer to: the input, or its UTF-8
	 * translation (in the arena) when it was UTF-16. For positions. */
	const char *text;
	size_t len;
	/* Where cm_stream_pos() last was: byte, line, start of that line. */
	size_t pos_off, pos_line, pos_bol;
} cm_stream;

/*
 * Parse len bytes of text named name (used in messages, e.g. "stdin").
 * Returns 0 and fills out, or -1 after adding one error to diags (out is
 * then empty). An arena that fills up is reported as an error too.
 */
int cm_parse(cm_arena *a, const char *text, size_t len, const char *name,
	     const cm_parse_limits *limits, cm_stream *out, cm_diags *diags);

/*
 * The 1-based line and column (counting characters, as libyaml does) at
 * which node n of stream s starts; 0 and 0 for a node the function made.
 * Keeps a cursor in s, so that asking in document order reads the text
 * once in all.
 */
void cm_stream_pos(cm_stream *s, const cm_node *n, unsigned *line,
		   unsigned *col);

#endif
