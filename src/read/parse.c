/* parse.c - see parse.h for the contract. */
#include "parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* An open collection while its children are being read. */
typedef struct cm_frame {
	size_t start; /* index of its first child on the node stack */
	cm_node node; /* kind, flags, offset; kids filled on close */
	char *anchor; /* malloc'd, or NULL */
	char *tag;    /* malloc'd, or NULL */
	size_t line, col; /* of its start, for messages */
} cm_frame;

typedef struct cm_anchor {
	char *name; /* malloc'd */
	cm_node node;
} cm_anchor;

/*
 * Scalars up to a few lines long (keys, "v1", image names, paths...)
 * repeat all through a large input: a text equal to one stored recently
 * is shared (node.h allows it, scalar text being immutable). A cache,
 * not a set: each slot holds the last text whose hash led there, so it
 * keeps the texts that repeat (keys, and an item's name in its labels
 * and selectors) and lets go of the ones that do not, and it is small
 * enough to stay in the processor's cache while libyaml runs.
 */
#define CM_INTERN_SLOTS_MAX 2048
#define CM_INTERN_MAX_LEN 128

#define CM_INTERN_HEAD 16

typedef struct cm_intern {
	const char *str; /* in the arena, or NULL */
	uint32_t len;
	uint32_t tag; /* the hash's high bits: most misses stop here */
	/* The text's first bytes, so that a short text is compared here,
	 * not where it is stored (a cache miss away). */
	char head[CM_INTERN_HEAD];
} cm_intern;

typedef struct cm_builder {
	cm_arena *arena;
	const char *text;
	size_t text_len;
	const char *name;
	const cm_parse_limits *limits;
	cm_diags *diags;
	size_t alias_budget;
	size_t alias_bytes; /* scalar text aliases may still copy */

	cm_node *stack; /* finished nodes waiting for their parent */
	size_t n, cap;
	cm_frame *frames;
	size_t nframes, fcap;
	cm_anchor *anchors;
	size_t nanchors, acap;
	cm_node *docs;
	size_t ndocs, dcap;
	uint32_t *starts; /* byte offset of each document, malloc'd */
	size_t scap;

	/* Character index (libyaml's marks) to byte offset. */
	size_t base;  /* 3 after a UTF-8 byte-order mark, else 0 */
	int ascii;    /* no byte >= 0x80 after the mark: index + base */
	size_t ci, bi; /* a known pair, moved as marks are asked for */
	int spans;    /* the text can be written back (LF or CR LF breaks) */
	cm_intern *intern; /* nintern slots (a power of two), or NULL */
	size_t nintern;
} cm_builder;

/* Eight bytes of s as one word (any alignment). */
static inline uint64_t cm_word(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

/* Four bytes of s as one word (any alignment). */
static inline uint32_t cm_word4(const char *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
	return w;
}

/* A hash of n bytes of s (at most CM_INTERN_MAX_LEN), eight at a time:
 * texts that differ only in the middle ("orders-api-7/resources.yaml")
 * must not collide. */
static inline size_t cm_text_hash(const char *s, size_t n)
{
	uint64_t h = n * 0x9E3779B97F4A7C15ull, w = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		h = (h ^ cm_word(s + i)) * 0xC2B2AE3D27D4EB4Full;
		h ^= h >> 29;
	}
	if (i < n) {
		if (n >= 8) {
			w = cm_word(s + n - 8); /* the last eight, overlapping */
		} else if (n >= 4) {
			/* The first and last four, overlapping: every byte. */
			w = (uint64_t)cm_word4(s) << 32 | cm_word4(s + n - 4);
		} else {
			w = (uint64_t)(unsigned char)s[0] << 16 |
			    (uint64_t)(unsigned char)s[n / 2] << 8 |
			    (unsigned char)s[n - 1];
		}
		h = (h ^ w) * 0xC2B2AE3D27D4EB4Full;
		h ^= h >> 29;
	}
	return (size_t)(h ^ (h >> 32));
}

/* True when the n bytes at x and y are equal (n small: no call). */
static inline int cm_text_eq(const char *x, const char *y, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		if (cm_word(x + i) != cm_word(y + i))
			return 0;
	if (n >= 8)
		return cm_word(x + n - 8) == cm_word(y + n - 8);
	if (n >= 4)
		return cm_word4(x) == cm_word4(y) &&
		       cm_word4(x + n - 4) == cm_word4(y + n - 4);
	for (; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* The arena copy of n bytes of s, shared with an equal short text
 * copied recently. NULL when the arena is full. */
static const char *cm_text_copy(cm_builder *b, const char *s, size_t n)
{
	size_t h;
	cm_intern *e;
	char *p;

	if (!b->intern || n > CM_INTERN_MAX_LEN)
		return cm_arena_strndup(b->arena, s, n);
	h = cm_text_hash(s, n);
	e = &b->intern[h & (b->nintern - 1)];
	if (e->str && e->tag == (uint32_t)(h >> 32) && e->len == n &&
	    (n <= CM_INTERN_HEAD
		     ? cm_text_eq(e->head, s, n)
		     : cm_text_eq(e->head, s, CM_INTERN_HEAD) &&
			       cm_text_eq(e->str + CM_INTERN_HEAD,
					  s + CM_INTERN_HEAD,
					  n - CM_INTERN_HEAD)))
		return e->str;
	p = cm_arena_strndup(b->arena, s, n);
	if (p) {
		e->str = p;
		e->len = (uint32_t)n;
		e->tag = (uint32_t)(h >> 32);
		memcpy(e->head, s, n < CM_INTERN_HEAD ? n : CM_INTERN_HEAD);
	}
	return p;
}

/*
 * The byte offset of libyaml's character index ci (marks count
 * characters, a CR LF as two). Moves a cursor from the last answer, so a
 * parse that asks in document order costs one pass over the text.
 */
static inline uint32_t cm_byte_at(cm_builder *b, size_t ci)
{
	const unsigned char *t = (const unsigned char *)b->text;

	if (b->ascii)
		return (uint32_t)(ci + b->base);
	while (b->ci < ci && b->bi < b->text_len) {
		b->bi++;
		while (b->bi < b->text_len && (t[b->bi] & 0xC0) == 0x80)
			b->bi++;
		b->ci++;
	}
	while (b->ci > ci && b->bi > b->base) {
		b->bi--;
		while (b->bi > b->base && (t[b->bi] & 0xC0) == 0x80)
			b->bi--;
		b->ci--;
	}
	return (uint32_t)b->bi;
}

/* Set up cm_byte_at() for b->text. */
static void cm_spans_init(cm_builder *b)
{
	const unsigned char *t = (const unsigned char *)b->text;
	uint64_t high = 0, crs = 0;
	size_t i;

	b->spans = 1;
	b->base = b->text_len >= 3 && t[0] == 0xEF && t[1] == 0xBB &&
			  t[2] == 0xBF
		      ? 3
		      : 0;
	/* One pass over the text: any byte >= 0x80, any CR. */
	for (i = b->base; i + 8 <= b->text_len; i += 8) {
		const uint64_t ones = 0x0101010101010101ull;
		uint64_t w, x;

		memcpy(&w, t + i, 8);
		high |= w;
		x = w ^ (ones * '\r'); /* a zero byte where w has a CR */
		crs |= (x - ones) & ~x & (ones << 7);
	}
	for (; i < b->text_len; i++) {
		high |= t[i];
		crs |= t[i] == '\r';
	}
	b->ascii = !(high & 0x8080808080808080ull);
	/* Line breaks other than LF and CR LF (a lone CR, NEL, LS, PS) would
	 * put lines where the writer does not look for them: such text is
	 * written by the emitter instead. */
	for (i = 0; crs && b->spans && i < b->text_len; i++) {
		const unsigned char *cr = memchr(t + i, '\r', b->text_len - i);

		if (!cr)
			break;
		i = (size_t)(cr - t);
		if (i + 1 >= b->text_len || t[i + 1] != '\n')
			b->spans = 0;
	}
	for (i = 0; b->spans && !b->ascii && i + 1 < b->text_len; i++)
		if ((t[i] == 0xC2 && t[i + 1] == 0x85) ||
		    (t[i] == 0xE2 && i + 2 < b->text_len && t[i + 1] == 0x80 &&
		     (t[i + 2] == 0xA8 || t[i + 2] == 0xA9)))
			b->spans = 0;
	b->ci = 0;
	b->bi = b->base;
}

/* Grow a malloc'd vector so that it holds at least one more element. */
static int cm_vec_reserve(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > ((size_t)-1) / elem)
		return -1;
	p = realloc(*v, ncap * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

/*
 * Move a position (*off, *line, *bol: a byte, its line, where that line
 * starts) forward to byte `to` of t (len bytes), counting line breaks as
 * libyaml does: LF, CR LF, a lone CR, NEL, LS and PS. simple: the text
 * has no breaks but LF and CR LF, so LF alone need be looked for.
 */
static void cm_pos_move(const unsigned char *t, size_t len, int simple,
			size_t to, size_t *off, size_t *line, size_t *bol)
{
	size_t i = *off, brk;

	if (to > len)
		to = len;
	while (simple && i < to) {
		const unsigned char *nl = memchr(t + i, '\n', to - i);

		if (!nl)
			break;
		i = (size_t)(nl - t) + 1;
		(*line)++;
		*bol = i;
	}
	while (!simple && i < to) {
		brk = 0;
		if (t[i] == '\n')
			brk = 1;
		else if (t[i] == '\r')
			brk = i + 1 < len && t[i + 1] == '\n' ? 2 : 1;
		else if (t[i] == 0xC2 && i + 1 < len && t[i + 1] == 0x85)
			brk = 2;
		else if (t[i] == 0xE2 && i + 2 < len && t[i + 1] == 0x80 &&
			 (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
			brk = 3;
		if (!brk) {
			i++;
			continue;
		}
		if (i + brk > to)
			break;
		i += brk;
		(*line)++;
		*bol = i;
	}
	*off = to;
}

/* The column (1-based, in characters) of byte off on the line that
 * starts at byte bol. */
static size_t cm_pos_col(const unsigned char *t, size_t bol, size_t off)
{
	size_t col = 1;

	for (; bol < off; bol++)
		if ((t[bol] & 0xC0) != 0x80)
			col++;
	return col;
}

/* The byte-order mark's length at the start of t: 3 or 0. */
static size_t cm_bom_len(const unsigned char *t, size_t len)
{
	return len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF ? 3
									  : 0;
}

/* Line and column of byte off of t, read from the start. */
static void cm_text_pos(const char *text, size_t len, int simple, size_t off,
			size_t *line, size_t *col)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t at, bol;

	at = bol = cm_bom_len(t, len);
	*line = 1;
	if (off < at)
		off = at;
	cm_pos_move(t, len, simple, off, &at, line, &bol);
	*col = cm_pos_col(t, bol, at);
}

void cm_stream_pos(cm_stream *s, const cm_node *n, unsigned *line,
		   unsigned *col)
{
	const unsigned char *t = (const unsigned char *)s->text;
	size_t off;

	*line = *col = 0;
	if (!t || !(n->flags & (CM_NF_SRC | CM_NF_REPLACES)))
		return;
	off = n->off;
	if (s->pos_line == 0 || off < s->pos_off) {
		s->pos_off = s->pos_bol = cm_bom_len(t, s->len);
		s->pos_line = 1;
	}
	if (off < s->pos_off)
		off = s->pos_off;
	cm_pos_move(t, s->len, s->spans, off, &s->pos_off, &s->pos_line,
		    &s->pos_bol);
	*line = s->pos_line > UINT_MAX ? UINT_MAX : (unsigned)s->pos_line;
	off = cm_pos_col(t, s->pos_bol, s->pos_off);
	*col = off > UINT_MAX ? UINT_MAX : (unsigned)off;
}

/* Line and column (1-based, column in characters) of a byte offset. */
static void cm_offset_pos(const char *text, size_t len, size_t off,
			  size_t *line, size_t *col)
{
	cm_text_pos(text, len, 0, off, line, col);
}

static void cm_error_at(cm_builder *b, size_t line, size_t col,
			const char *fmt, const char *a1, const char *a2)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a1 ? a1 : "", a2 ? a2 : "");
	cm_diag_add(b->diags, CM_SEV_ERROR, NULL, "%s:%zu:%zu: %s", b->name,
		    line, col, msg);
}

static void cm_error_oom(cm_builder *b, const yaml_mark_t *m)
{
	cm_diag_add(b->diags, CM_SEV_ERROR, NULL,
		    "%s:%zu:%zu: out of memory while reading the input; "
		    "give the function more memory or split the input",
		    b->name, m->line + 1, m->column + 1);
}

/* A hint for fixing a libyaml problem, chosen by its text. */
static const char *cm_yaml_hint(const yaml_parser_t *p, const char *text,
				size_t len)
{
	const char *pr = p->problem ? p->problem : "";
	size_t off = p->problem_mark.index;

	if (strstr(pr, "UTF-8") || strstr(pr, "UTF-16"))
		return "the input is not valid UTF-8; re-encode the file as "
		       "UTF-8";
	if (strstr(pr, "control characters"))
		return "remove the control character, or write it as an "
		       "escape inside a double-quoted string";
	if (strstr(pr, "tab character") ||
	    (strstr(pr, "cannot start any token") && off < len &&
	     text[off] == '\t'))
		return "YAML does not allow tabs for indentation; indent with "
		       "spaces";
	if (strstr(pr, "mapping values are not allowed"))
		return "a plain value cannot contain ': '; quote the value or "
		       "fix the indentation of the line";
	if (strstr(pr, "did not find expected key") ||
	    strstr(pr, "did not find expected '-'"))
		return "check the indentation of this line against the lines "
		       "above it";
	if (strstr(pr, "did not find expected ',' or"))
		return "a flow collection or JSON value is not closed or a "
		       "comma is missing";
	if (strstr(pr, "found undefined tag handle"))
		return "declare the tag handle with a %TAG directive or "
		       "remove the tag";
	if (strstr(pr, "found unexpected end of stream") ||
	    strstr(pr, "found unknown escape character"))
		return "close the quoted string or fix the escape sequence";
	return "fix the YAML syntax at this position";
}

static void cm_error_yaml(cm_builder *b, const yaml_parser_t *p)
{
	size_t line, col;
	char where[128] = "";
	char msg[1024];

	if (p->error == YAML_MEMORY_ERROR) {
		cm_diag_add(b->diags, CM_SEV_ERROR, NULL,
			    "%s: out of memory while parsing the input",
			    b->name);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		cm_offset_pos(b->text, b->text_len, p->problem_offset, &line,
			      &col);
	} else {
		line = p->problem_mark.line + 1;
		col = p->problem_mark.column + 1;
	}
	if (p->context)
		snprintf(where, sizeof(where), " (%s started at %zu:%zu)",
			 p->context, (size_t)p->context_mark.line + 1,
			 (size_t)p->context_mark.column + 1);
	snprintf(msg, sizeof(msg), "%s%s; %s",
		 p->problem ? p->problem : "invalid YAML", where,
		 cm_yaml_hint(p, b->text, b->text_len));
	cm_diag_add(b->diags, CM_SEV_ERROR, NULL, "%s:%zu:%zu: %s", b->name,
		    line, col, msg);
}

static char *cm_strdup0(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s);
	p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

/* Remember a finished node under its anchor. 0 or -1 (out of memory). */
static int cm_anchor_put(cm_builder *b, char *name, const cm_node *node)
{
	if (cm_vec_reserve((void **)&b->anchors, &b->acap, b->nanchors,
			   sizeof(cm_anchor)) < 0) {
		free(name);
		return -1;
	}
	b->anchors[b->nanchors].name = name;
	b->anchors[b->nanchors].node = *node;
	b->nanchors++;
	return 0;
}

static inline int cm_push(cm_builder *b, const cm_node *node)
{
	if (b->n == b->cap && cm_vec_reserve((void **)&b->stack, &b->cap,
					      b->n, sizeof(cm_node)) < 0)
		return -1;
	b->stack[b->n++] = *node;
	return 0;
}

/* qsort comparator over key indexes into the stack (see cm_check_dups). */
typedef struct cm_keyref {
	const cm_node *key;
	size_t order;
} cm_keyref;

static int cm_keyref_cmp(const void *x, const void *y)
{
	const cm_keyref *a = x, *b = y;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c = memcmp(a->key->u.str, b->key->u.str, n);

	if (c)
		return c;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	return a->order < b->order ? -1 : (a->order > b->order);
}

static bool cm_same_key(const cm_node *x, const cm_node *y)
{
	return x->kind == CM_SCALAR && y->kind == CM_SCALAR &&
	       x->len == y->len && memcmp(x->u.str, y->u.str, x->len) == 0;
}

/*
 * Report the first repeated scalar key of a mapping whose pairs are
 * kids[0..2*pairs). Returns 0 when all keys differ, 1 after reporting,
 * -1 when out of memory.
 */
static int cm_check_dups(cm_builder *b, const cm_node *kids, size_t pairs)
{
	const cm_node *first = NULL, *dup = NULL;
	size_t i, j;

	if (pairs < 2)
		return 0;
	if (pairs <= 16) {
		for (j = 1; j < pairs && !dup; j++)
			for (i = 0; i < j; i++)
				if (cm_same_key(&kids[2 * i], &kids[2 * j])) {
					first = &kids[2 * i];
					dup = &kids[2 * j];
					break;
				}
	} else {
		cm_keyref *refs = malloc(pairs * sizeof(*refs));
		size_t n = 0;

		if (!refs)
			return -1;
		for (i = 0; i < pairs; i++)
			if (kids[2 * i].kind == CM_SCALAR) {
				refs[n].key = &kids[2 * i];
				refs[n].order = i;
				n++;
			}
		qsort(refs, n, sizeof(*refs), cm_keyref_cmp);
		for (i = 1; i < n; i++)
			if (cm_same_key(refs[i - 1].key, refs[i].key) &&
			    (!dup || refs[i].order < (size_t)(dup - kids) / 2)) {
				first = refs[i - 1].key;
				dup = refs[i].key;
			}
		free(refs);
	}
	if (!dup)
		return 0;
	{
		char firstpos[64];
		size_t line, col;

		cm_text_pos(b->text, b->text_len, b->spans, first->off, &line,
			    &col);
		snprintf(firstpos, sizeof(firstpos), "%zu:%zu", line, col);
		cm_text_pos(b->text, b->text_len, b->spans, dup->off, &line,
			    &col);
		cm_error_at(b, line, col,
			    "duplicate key \"%s\" in a mapping (first at %s); "
			    "remove or rename one of them: YAML keys must be "
			    "unique",
			    dup->u.str, firstpos);
	}
	return 1;
}

/* Close the innermost collection at event ev. 0, or -1 after reporting. */
static int cm_close(cm_builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	cm_frame *f = &b->frames[b->nframes - 1];
	size_t count = b->n - f->start;
	cm_node node = f->node;
	int rc;

	if (node.flags & CM_NF_FLOW) {
		node.end = cm_byte_at(b, ev->end_mark.index);
		if (ev->end_mark.index == ev->start_mark.index) {
			/* No closing bracket: a single pair in a flow list. */
			node.flags |= CM_NF_BARE;
			node.end = count ? b->stack[b->n - 1].end : node.off;
		}
	}
	else
		node.end = count ? b->stack[b->n - 1].end : node.off;

	if (f->node.kind == CM_MAP) {
		if (count % 2) {
			cm_error_at(b, m->line + 1, m->column + 1,
				    "mapping has a key without a value%s%s",
				    NULL, NULL);
			return -1;
		}
		/* An empty mapping has no keys to check, and when it is the
		 * first node of the input b->stack is still NULL, where even
		 * &b->stack[0] is undefined behaviour. */
		rc = count ? cm_check_dups(b, &b->stack[f->start], count / 2)
			   : 0;
		if (rc < 0)
			goto oom;
		if (rc > 0)
			return -1;
		node.len = (uint32_t)(count / 2);
	} else {
		node.len = (uint32_t)count;
	}
	if (count > CM_NODE_MAX_LEN) {
		cm_error_at(b, f->line, f->col,
			    "collection has too many entries%s%s", NULL, NULL);
		return -1;
	}
	node.u.kids = NULL;
	if (f->tag) {
		/* The children are copied behind the tag's slot. */
		node.u.kids = count ? &b->stack[f->start] : NULL;
		node = cm_node_tagged(b->arena, node, f->tag);
		if (node.kind == CM_NONE)
			goto oom;
		free(f->tag);
		f->tag = NULL;
	} else if (count) {
		node.u.kids = cm_arena_alloc(b->arena, count * sizeof(cm_node));
		if (!node.u.kids)
			goto oom;
		memcpy(node.u.kids, &b->stack[f->start],
		       count * sizeof(cm_node));
	}
	b->n = f->start;
	if (f->anchor) {
		rc = cm_anchor_put(b, f->anchor, &node);
		f->anchor = NULL;
		if (rc < 0)
			goto oom;
	}
	b->nframes--;
	if (cm_push(b, &node) < 0)
		goto oom;
	return 0;
oom:
	cm_error_oom(b, m);
	return -1;
}

static int cm_open(cm_builder *b, cm_kind kind, const yaml_event_t *ev,
		   const yaml_char_t *anchor, const yaml_char_t *tag)
{
	cm_frame *f;

	if (b->nframes >= b->limits->max_depth) {
		char lim[32];

		snprintf(lim, sizeof(lim), "%zu", b->limits->max_depth);
		cm_error_at(b, ev->start_mark.line + 1,
			    ev->start_mark.column + 1,
			    "nesting is deeper than the limit of %s levels%s; "
			    "flatten the data (no Kubernetes object needs "
			    "this depth)",
			    lim, "");
		return -1;
	}
	if (cm_vec_reserve((void **)&b->frames, &b->fcap, b->nframes,
			   sizeof(cm_frame)) < 0)
		goto oom;
	f = &b->frames[b->nframes];
	memset(f, 0, sizeof(*f));
	f->start = b->n;
	f->node.kind = (uint8_t)kind;
	f->line = ev->start_mark.line + 1;
	f->col = ev->start_mark.column + 1;
	f->node.flags = CM_NF_SRC;
	f->node.off = cm_byte_at(b, ev->start_mark.index);
	if (anchor)
		f->node.flags |= CM_NF_ANCHOR;
	if ((kind == CM_MAP &&
	     ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE) ||
	    (kind == CM_SEQ &&
	     ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE))
		f->node.flags |= CM_NF_FLOW;
	if (tag && !(f->tag = cm_strdup0((const char *)tag)))
		goto oom;
	if (anchor && !(f->anchor = cm_strdup0((const char *)anchor)))
		goto oom;
	b->nframes++;
	return 0;
oom:
	cm_error_oom(b, &ev->start_mark);
	return -1;
}

static int cm_scalar(cm_builder *b, const yaml_event_t *ev)
{
	cm_node node;
	char *anchor;

	memset(&node, 0, sizeof(node));
	if (ev->data.scalar.length > CM_NODE_MAX_LEN) {
		cm_error_at(b, ev->start_mark.line + 1,
			    ev->start_mark.column + 1,
			    "scalar is too long%s%s", NULL, NULL);
		return -1;
	}
	node.kind = CM_SCALAR;
	node.style = (uint8_t)ev->data.scalar.style;
	node.len = (uint32_t)ev->data.scalar.length;
	node.flags = CM_NF_SRC;
	if (ev->data.scalar.anchor)
		node.flags |= CM_NF_ANCHOR;
	node.off = cm_byte_at(b, ev->start_mark.index);
	node.end = cm_byte_at(b, ev->end_mark.index);
	if (ev->data.scalar.tag) {
		/* An explicit tag (including the non-specific "!") is kept,
		 * the text copied behind its slot. */
		node.u.str = (const char *)ev->data.scalar.value;
		node = cm_node_tagged(b->arena, node,
				      (const char *)ev->data.scalar.tag);
		if (node.kind == CM_NONE)
			goto oom;
	} else {
		node.u.str = cm_text_copy(b, (const char *)ev->data.scalar.value,
					  ev->data.scalar.length);
		if (!node.u.str)
			goto oom;
	}
	if (ev->data.scalar.anchor) {
		anchor = cm_strdup0((const char *)ev->data.scalar.anchor);
		if (!anchor || cm_anchor_put(b, anchor, &node) < 0)
			goto oom;
	}
	if (cm_push(b, &node) < 0)
		goto oom;
	return 0;
oom:
	cm_error_oom(b, &ev->start_mark);
	return -1;
}

/* What cm_measure() found past a limit. */
enum { CM_FITS = 0, CM_TOO_DEEP = 1, CM_TOO_MUCH_TEXT = 2 };

/*
 * Measure a copy of n: CM_TOO_DEEP when n nests more than room collections
 * deep (a scalar is 0 deep, a collection one more than its deepest child),
 * CM_TOO_MUCH_TEXT when its scalars hold more than *bytes bytes of text,
 * else CM_FITS with that text taken off *bytes. Stops at the first limit
 * passed, so the recursion is at most room + 1 deep; visits each node of
 * n at most once, as the copy does.
 */
static int cm_measure(const cm_node *n, size_t room, size_t *bytes)
{
	size_t i, count;
	int rc;

	if (n->kind == CM_SCALAR) {
		if (n->len > *bytes)
			return CM_TOO_MUCH_TEXT;
		*bytes -= n->len;
		return CM_FITS;
	}
	if (n->kind != CM_SEQ && n->kind != CM_MAP)
		return CM_FITS;
	if (room == 0)
		return CM_TOO_DEEP;
	count = n->kind == CM_MAP ? 2 * (size_t)n->len : n->len;
	for (i = 0; i < count; i++) {
		rc = cm_measure(&n->u.kids[i], room - 1, bytes);
		if (rc != CM_FITS)
			return rc;
	}
	return CM_FITS;
}

/*
 * Replace an alias by a copy of its anchored node. The copy counts
 * against every limit:
 *   - its depth, added to the collections open around the alias, against
 *     max_depth (an anchor nested near the limit, aliased inside a node
 *     nested near the limit, would otherwise double the depth, and chains
 *     of such aliases grow it without bound);
 *   - its nodes against the alias node budget;
 *   - its scalar text against the alias byte budget: copies share their
 *     text in memory, but each is written out in full, so a few KB of
 *     long strings aliased 100,000 times would make hundreds of MB of
 *     output ("billion laughs" with long laughs).
 * 0, or -1 after reporting.
 */
static int cm_alias(cm_builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const cm_anchor *found = NULL;
	cm_node copy;
	size_t i, bytes;
	int rc;

	for (i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0) {
			found = &b->anchors[i - 1];
			break;
		}
	if (!found) {
		cm_error_at(b, ev->start_mark.line + 1,
			    ev->start_mark.column + 1,
			    "alias \"*%s\" refers to no anchor defined before "
			    "it%s; define \"&name\" on a complete node first",
			    name, "");
		return -1;
	}
	bytes = b->alias_bytes;
	rc = cm_measure(&found->node, b->limits->max_depth - b->nframes,
			&bytes);
	if (rc != CM_FITS) {
		char lim[32];

		snprintf(lim, sizeof(lim), "%zu",
			 rc == CM_TOO_DEEP ? b->limits->max_depth
					   : b->limits->max_alias_bytes);
		cm_error_at(b, ev->start_mark.line + 1,
			    ev->start_mark.column + 1,
			    rc == CM_TOO_DEEP
				    ? "expanding alias \"*%s\" here would nest "
				      "deeper than the limit of %s levels; "
				      "flatten the data or write it out without "
				      "aliases"
				    : "expanding alias \"*%s\" would copy more "
				      "than %s bytes of text (the alias "
				      "expansion limit guards against alias "
				      "bombs); write the data out without "
				      "aliases",
			    name, lim);
		return -1;
	}
	copy = cm_node_copy(b->arena, &found->node, &b->alias_budget);
	if (copy.kind == CM_NONE) {
		char lim[32];

		if (b->alias_budget != 0) {
			cm_error_oom(b, &ev->start_mark);
			return -1;
		}
		snprintf(lim, sizeof(lim), "%zu", b->limits->max_alias_nodes);
		cm_error_at(b, ev->start_mark.line + 1,
			    ev->start_mark.column + 1,
			    "expanding alias \"*%s\" would make more than %s "
			    "nodes (the alias expansion limit guards against "
			    "alias bombs); write the data out without aliases",
			    name, lim);
		return -1;
	}
	b->alias_bytes = bytes;
	copy.flags = (uint16_t)((copy.flags & ~CM_NF_ANCHOR) | CM_NF_SRC |
				CM_NF_ALIAS);
	copy.off = cm_byte_at(b, ev->start_mark.index);
	copy.end = cm_byte_at(b, ev->end_mark.index);
	if (cm_push(b, &copy) < 0) {
		cm_error_oom(b, &ev->start_mark);
		return -1;
	}
	return 0;
}

static void cm_builder_free(cm_builder *b)
{
	size_t i;

	for (i = 0; i < b->nframes; i++) {
		free(b->frames[i].anchor);
		free(b->frames[i].tag);
	}
	for (i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	free(b->stack);
	free(b->frames);
	free(b->anchors);
	free(b->docs);
	free(b->starts);
	free(b->intern);
}

/*
 * The UTF-8 translation of UTF-16 text t (len bytes, starting with its
 * byte-order mark, which becomes UTF-8's), in the arena: *out and
 * *out_len. Returns 0; -1 (out of memory) or the 1-based byte position
 * of a broken character (an unpaired surrogate, an odd last byte) as a
 * positive number, with *why saying what is wrong.
 */
static long cm_utf16_to_utf8(cm_arena *a, const unsigned char *t, size_t len,
			     const char **out, size_t *out_len,
			     const char **why)
{
	int be = t[0] == 0xFE;
	size_t i, n = 0;
	unsigned char *u;

	if (len / 2 > (SIZE_MAX - 4) / 3)
		return -1;
	u = cm_arena_alloc(a, len / 2 * 3 + 4);
	if (!u)
		return -1;
	for (i = 0; i < len; i += 2) {
		unsigned long c, lo;

		if (i + 1 >= len) {
			*why = "the last character is cut off (an odd number "
			       "of bytes)";
			return (long)i + 1;
		}
		c = be ? (unsigned long)t[i] << 8 | t[i + 1]
		       : (unsigned long)t[i + 1] << 8 | t[i];
		if (c >= 0xDC00 && c <= 0xDFFF) {
			*why = "a low surrogate without a high one";
			return (long)i + 1;
		}
		if (c >= 0xD800 && c <= 0xDBFF) {
			if (i + 3 >= len) {
				*why = "a high surrogate without a low one";
				return (long)i + 1;
			}
			lo = be ? (unsigned long)t[i + 2] << 8 | t[i + 3]
				: (unsigned long)t[i + 3] << 8 | t[i + 2];
			if (lo < 0xDC00 || lo > 0xDFFF) {
				*why = "a high surrogate without a low one";
				return (long)i + 1;
			}
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		}
		if (c < 0x80) {
			u[n++] = (unsigned char)c;
		} else if (c < 0x800) {
			u[n++] = (unsigned char)(0xC0 | c >> 6);
			u[n++] = (unsigned char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			u[n++] = (unsigned char)(0xE0 | c >> 12);
			u[n++] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
			u[n++] = (unsigned char)(0x80 | (c & 0x3F));
		} else {
			u[n++] = (unsigned char)(0xF0 | c >> 18);
			u[n++] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
			u[n++] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
			u[n++] = (unsigned char)(0x80 | (c & 0x3F));
		}
	}
	*out = (const char *)u;
	*out_len = n;
	return 0;
}

int cm_parse(cm_arena *a, const char *text, size_t len, const char *name,
	     const cm_parse_limits *limits, cm_stream *out, cm_diags *diags)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	cm_builder b;
	int rc = -1, done = 0, utf16 = 0;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	if (len >= UINT32_MAX) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s: the input is 4 GiB or more, more than the "
			    "function can read; split it into smaller lists",
			    name);
		return -1;
	}
	if (len >= 2 && (((unsigned char)text[0] == 0xFF &&
			  (unsigned char)text[1] == 0xFE) ||
			 ((unsigned char)text[0] == 0xFE &&
			  (unsigned char)text[1] == 0xFF))) {
		/* UTF-16: read as UTF-8, so that offsets are bytes of a text
		 * positions can be counted in; written by the emitter. */
		const char *why = "";
		long bad = cm_utf16_to_utf8(a, (const unsigned char *)text,
					    len, &text, &len, &why);

		if (bad < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s: out of memory while reading the "
				    "input", name);
			return -1;
		}
		if (bad > 0) {
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s: byte %ld: the input is not valid "
				    "UTF-16: %s; re-encode the file as UTF-8",
				    name, bad, why);
			return -1;
		}
		utf16 = 1;
	}
	b.arena = a;
	b.text = text;
	b.text_len = len;
	b.name = name;
	b.limits = limits;
	b.diags = diags;
	b.alias_budget = limits->max_alias_nodes;
	b.alias_bytes = limits->max_alias_bytes;
	cm_spans_init(&b);
	/* About one slot per 256 bytes of text: 1,024 to 2,048 (64 KiB, to
	 * stay in the processor's cache). */
	for (b.nintern = 1024; b.nintern < CM_INTERN_SLOTS_MAX &&
			       b.nintern < len / 256;
	     b.nintern *= 2)
		;
	b.intern = calloc(b.nintern, sizeof(cm_intern)); /* optional */

	if (!yaml_parser_initialize(&parser)) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "%s: out of memory while starting the parser",
			    name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	while (!done) {
		int ok = 0;

		if (!yaml_parser_parse(&parser, &ev)) {
			cm_error_yaml(&b, &parser);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			ok = 1;
			break;
		case YAML_SCALAR_EVENT:
			ok = cm_scalar(&b, &ev) == 0;
			break;
		case YAML_ALIAS_EVENT:
			ok = cm_alias(&b, &ev) == 0;
			break;
		case YAML_SEQUENCE_START_EVENT:
			ok = cm_open(&b, CM_SEQ, &ev,
				     ev.data.sequence_start.anchor,
				     ev.data.sequence_start.implicit
					     ? NULL
					     : ev.data.sequence_start.tag) == 0;
			break;
		case YAML_MAPPING_START_EVENT:
			ok = cm_open(&b, CM_MAP, &ev,
				     ev.data.mapping_start.anchor,
				     ev.data.mapping_start.implicit
					     ? NULL
					     : ev.data.mapping_start.tag) == 0;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ok = cm_close(&b, &ev) == 0;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (cm_vec_reserve((void **)&b.starts, &b.scap, b.ndocs,
					   sizeof(uint32_t)) < 0) {
				cm_error_oom(&b, &ev.start_mark);
				break;
			}
			b.starts[b.ndocs] = b.ndocs ? cm_byte_at(&b, ev.start_mark.index)
						    : 0;
			ok = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* Anchors are scoped to their document. */
			while (b.nanchors)
				free(b.anchors[--b.nanchors].name);
			if (b.n != 1 ||
			    cm_vec_reserve((void **)&b.docs, &b.dcap, b.ndocs,
					   sizeof(cm_node)) < 0) {
				cm_error_oom(&b, &ev.start_mark);
				break;
			}
			b.docs[b.ndocs++] = b.stack[--b.n];
			ok = 1;
			break;
		default:
			ok = 1;
			break;
		}
		yaml_event_delete(&ev);
		if (!ok)
			goto out;
	}
	out->n = b.ndocs;
	if (b.ndocs) {
		out->docs = cm_arena_alloc(a, b.ndocs * sizeof(cm_node));
		if (!out->docs) {
			out->n = 0;
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s: out of memory after parsing", name);
			goto out;
		}
		memcpy(out->docs, b.docs, b.ndocs * sizeof(cm_node));
		out->starts = cm_arena_alloc(a, b.ndocs * sizeof(uint32_t));
		if (!out->starts) {
			out->n = 0;
			out->docs = NULL;
			cm_diag_add(diags, CM_SEV_ERROR, NULL,
				    "%s: out of memory after parsing", name);
			goto out;
		}
		memcpy(out->starts, b.starts, b.ndocs * sizeof(uint32_t));
	}
	out->spans = b.spans && !utf16;
	out->text = text;
	out->len = len;
	rc = 0;
out:
	yaml_parser_delete(&parser);
	cm_builder_free(&b);
	return rc;
}
