/*
 * node.h - the document tree: YAML data as compact nodes in an arena.
 *
 * Invariants:
 *   - A node is a scalar, a sequence or a mapping. A mapping with n pairs
 *     has 2n children laid out key, value, key, value, in source order; a
 *     sequence with n items has n children.
 *   - Scalars keep their text (len bytes, NUL-terminated, may contain NULs
 *     of their own) and their source style. Any node keeps its explicit
 *     tag (cm_node_tag(); NULL when the tag was implicit). Anchors and
 *     aliases do not survive parsing: an alias is replaced by a copy of
 *     the node it names.
 *   - A node is 24 bytes: a large input is mostly nodes. Its line and
 *     column are not stored but found from its offset in the text it was
 *     read from (cm_stream_pos(), read/parse.h). A tag is rare, so it is
 *     kept in the 8 bytes just before the node's text or children, with
 *     CM_NF_TAG saying so: an array of children (or a text) that carries
 *     a tag is allocated with that slot in front, and only the functions
 *     below make or grow one.
 *   - off/end is a byte range of the source text, meaningful only with a
 *     flag saying what it is (CM_NF_SRC: the node as read, from its first
 *     property to the end of its content; CM_NF_REPLACES: the read node
 *     this node replaced; CM_NF_ALIAS: the alias text the node expands).
 *     The writer (write/splice.h) copies every byte it has no edit for,
 *     so a node made by the function must not carry CM_NF_SRC.
 *   - Nodes and strings live in the arena of the tree they belong to and
 *     are never freed one by one. Functions here that add or replace nodes
 *     take that arena and allocate from it.
 *
 * Ownership: nothing in this API frees; cm_arena_free() releases a whole
 * tree. Every change this API makes to a read node (CM_NF_SRC or
 * CM_NF_REPLACES) is logged in the arena (arena.h): read nodes must be
 * changed through it, never by assigning their fields. A child array belongs to exactly one node of a tree (the parser
 * and cm_node_copy() never share one), so the setters below change it in
 * place; growing a collection writes a fresh array once per call. Scalar
 * text is immutable and may be shared by any number of nodes: a value
 * built once can be put into many items by struct copy.
 */
#ifndef CM_NODE_H
#define CM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum cm_kind {
	CM_NONE = 0,
	CM_SCALAR = 1,
	CM_SEQ = 2,
	CM_MAP = 3,
} cm_kind;

/* Scalar styles; numerically equal to libyaml's yaml_scalar_style_t. */
typedef enum cm_style {
	CM_STYLE_ANY = 0,
	CM_STYLE_PLAIN = 1,
	CM_STYLE_SINGLE = 2,
	CM_STYLE_DOUBLE = 3,
	CM_STYLE_LITERAL = 4,
	CM_STYLE_FOLDED = 5,
} cm_style;

typedef struct cm_node {
	uint8_t kind;   /* cm_kind */
	uint8_t style;  /* cm_style, scalars only */
	uint16_t flags; /* CM_NF_* */
	uint32_t len;   /* scalar bytes, sequence items or mapping pairs */
	uint32_t off;   /* source byte range, see CM_NF_* */
	uint32_t end;
	union {
		const char *str;      /* CM_SCALAR */
		struct cm_node *kids; /* CM_SEQ (len), CM_MAP (2 * len) */
	} u;
} cm_node;

/* Node flags. */
#define CM_NF_SRC 0x1      /* read from the input; off/end is its text */
#define CM_NF_REPLACES 0x2 /* made by the function in place of the read
			    * node whose text is off/end */
#define CM_NF_ALIAS 0x4    /* an alias expanded; off/end is the alias,
			    * the spans inside are the anchored node's */
#define CM_NF_ANCHOR 0x8   /* carries an anchor (aliases may copy it) */
#define CM_NF_FLOW 0x10    /* a collection written in flow style */
#define CM_NF_BARE 0x20    /* a flow mapping without braces (a "k: v"
			    * entry of a flow sequence): no room for more */
#define CM_NF_TAG 0x40     /* has an explicit tag (see cm_node_tag()) */

/* Most nodes a collection may hold; more is refused when building. */
#define CM_NODE_MAX_LEN UINT32_MAX / 4

/* ---- reading ---- */

/* The explicit tag of n ("tag:yaml.org,2002:str", "!"...), or NULL. */
const char *cm_node_tag(const cm_node *n);

/*
 * n with tag added (tag copied into a), for the parser: a scalar gets its
 * text copied behind the tag slot, a collection an array of children
 * with the slot in front (its children, if any, copied in). Returns the
 * tagged node, or one of kind CM_NONE when the arena is full.
 */
cm_node cm_node_tagged(cm_arena *a, cm_node n, const char *tag);

/* True when n is a scalar whose text is exactly s. */
bool cm_scalar_is(const cm_node *n, const char *s);

/*
 * The value of key in map, or NULL when map is NULL, not a mapping, or
 * has no scalar key equal to key. If a mapping has the key twice (the
 * parser refuses that) the first wins.
 */
cm_node *cm_map_get(const cm_node *map, const char *key);

/* The value of a dotted path of mapping keys ("metadata.name"); or NULL. */
cm_node *cm_map_path(const cm_node *map, const char *dotted);

/* The scalar text at a dotted path, or NULL if absent, not a scalar, or
 * holding a NUL byte (so it can be used as a C string safely). */
const char *cm_map_str(const cm_node *map, const char *dotted);

/*
 * True when a plain scalar with this text resolves to something other
 * than a string under YAML 1.1 or 1.2 rules (null, bool, int, float,
 * timestamp, merge/value keys...). Such text must be quoted to stay a
 * string.
 */
bool cm_plain_is_special(const char *s, size_t len);

/* True when n is a null: an untagged plain empty, "~" or "null" scalar. */
bool cm_node_is_null(const cm_node *n);

/* "a mapping", "a list", "a scalar" or "empty", for messages. */
const char *cm_node_shape(const cm_node *n);

/* True when scalar n is a string in the data model (not null/bool/number). */
bool cm_scalar_is_string(const cm_node *n);

/* ---- building (allocates from a; returns NULL / -1 when a is full) ---- */

/*
 * A new scalar holding a copy of s, styled so that it reads back as a
 * string: plain when that is unambiguous, double-quoted otherwise.
 * Returns a node with kind CM_NONE when the arena is full.
 */
cm_node cm_str_new(cm_arena *a, const char *s);

/* An empty mapping or sequence (no allocation). */
cm_node cm_map_new(void);
cm_node cm_seq_new(void);

/*
 * Set key to value in map: replaces the value of an existing key in place
 * (keeping its position) or appends the pair at the end. Returns 0, or -1
 * when the arena is full or map is not a mapping (map unchanged).
 */
int cm_map_set(cm_arena *a, cm_node *map, const char *key, cm_node value);

/*
 * Put value where *old is, recording (CM_NF_REPLACES) the source text of
 * the node it replaces so that the writer can splice it in, and the change
 * in a's log (arena.h).
 */
void cm_node_replace(cm_arena *a, cm_node *old, cm_node value);

/*
 * Append n key/value pairs (pairs[0..2n), keys not yet in map) with one
 * allocation. The nodes are copied by value. Returns 0, or -1 when the
 * arena is full or map is not a mapping (map unchanged).
 */
int cm_map_append(cm_arena *a, cm_node *map, const cm_node *pairs, size_t n);

/* Append an item to a sequence. 0, or -1 (sequence unchanged). */
int cm_seq_push(cm_arena *a, cm_node *seq, cm_node item);

/*
 * Remove key from map if present. Returns 1 if removed, 0 if absent,
 * -1 when the arena is full.
 */
int cm_map_del(cm_arena *a, cm_node *map, const char *key);

/*
 * A deep copy of src into a. *budget counts the nodes that may still be
 * made; the copy fails (kind CM_NONE) when it would go below zero or the
 * arena is full.
 */
cm_node cm_node_copy(cm_arena *a, const cm_node *src, size_t *budget);

/* Deep data equality: same kinds, texts, tags and key order. */
bool cm_node_equal(const cm_node *x, const cm_node *y);

#endif
