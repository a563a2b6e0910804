/*
 * splice.h - writing the input back byte for byte, with the function's
 * edits spliced in.
 *
 * Invariants:
 *   - Every byte of the input outside an edit is copied as it was read:
 *     scalars, quoting, comments, blank lines, indentation, document
 *     markers, byte-order mark, line endings, flow or block style.
 *   - An edit is one of: pairs the function added to a mapping that was
 *     read (written after the mapping's last entry, in its style: block
 *     lines at the indentation of its keys, or ", k: v" entries in a
 *     flow mapping, JSON-quoted when its keys are double-quoted); a value
 *     the function replaced (a label overwritten, a null made a mapping);
 *     an item or document removed, or added (generated objects, written
 *     by the emitter); the ResourceList's `results` removed and written
 *     anew at the end of the root.
 *   - Where an edit cannot be spliced safely (inside an anchored node or
 *     an alias, a kind of change the writer does not know, text that is
 *     not UTF-8), planning says so and the caller writes the tree with
 *     the emitter instead, as a whole.
 *   - Two ways to the same bytes: a plan (the sorted edit list, then
 *     cm_splice_write() or cm_splice_send()), or direct writing
 *     (cm_splice_direct()): a pass that counts, then one that writes each
 *     edit as it is made. Direct writing keeps no edit list, so it needs
 *     the edits made in input order; it says when they are not, and the
 *     caller plans instead. A plan can be kept to a number of edits
 *     (cm_splice_edit_max()), past which the caller writes directly.
 *   - In a plan, an edit whose text equals the text of one made before
 *     shares it: the same labels go into every item.
 *   - The walk skips read subtrees holding no entry of the trees' change
 *     log (cm_splice_marks(), arena.h): they are copied as they are.
 *
 * Ownership: a plan points into the input text (which must outlive it)
 * and owns its edit list and edit texts; the trees it was planned from
 * may be freed before cm_splice_write(). Direct writing needs the trees
 * and the input until its last pass ends; the sink and file are the
 * caller's.
 */
#ifndef CM_SPLICE_H
#define CM_SPLICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/diag.h"
#include "../core/node.h"
#include "../read/parse.h"

typedef struct cm_edit {
	size_t off;  /* where in the input */
	size_t del;  /* input bytes it removes from off */
	size_t text; /* its text: sp->text.data + text, len bytes */
	size_t len;
	size_t seq;  /* order of making, to keep equal offsets stable */
} cm_edit;

/* A scalar the plan has written before, and where its text is. */
typedef struct cm_memo {
	const char *str; /* the node's text (shared by the nodes of a label) */
	unsigned mode;   /* style and context it was written in */
	size_t off, len; /* in memo */
} cm_memo;

#define CM_SPLICE_MEMO 256
#define CM_SPLICE_IOV 256

/* A "key: value" line the plan has written before (the same labels go
 * into every item, at the same depth). */
typedef struct cm_line_memo {
	const char *k, *v; /* the key's and the value's text */
	uint32_t klen, vlen;
	unsigned mode;     /* styles and context */
	size_t indent;
	size_t off, len;   /* in memo_text (len only, in a count pass) */
} cm_line_memo;

/* What the emitter wrote for the generated objects in a counting pass,
 * kept for the writing pass (the same nodes give the same text). */
#define CM_SPLICE_EMITS 64
typedef struct cm_splice_emits {
	struct {
		const void *key; /* the node's children or text */
		uint32_t kind, len;
		size_t off, n;   /* in text */
	} v[CM_SPLICE_EMITS];
	size_t n;
	cm_buf text;
} cm_splice_emits;

typedef struct cm_splice {
	const char *src; /* the input text */
	size_t len;
	size_t bom;      /* 3 after a UTF-8 byte-order mark: not a column */
	cm_edit *v;      /* malloc'd */
	size_t n, cap;
	cm_buf text;     /* the edits' texts */
	const char *nl;  /* "\n", or "\r\n" when the input uses CR LF */
	size_t nl_len;
	/* The same labels go into every item: their text is made once. */
	cm_memo memo[CM_SPLICE_MEMO];
	cm_buf memo_text;
	/* ... and whole edits repeat (the same lines at the same depth in
	 * every item): an edit equal to one made before shares its text. */
	cm_memo same[CM_SPLICE_MEMO];
	cm_line_memo lines[CM_SPLICE_MEMO];
	int fallback;    /* the edits cannot be spliced: emit the tree */
	int oom;
	/* Direct writing (cm_splice_direct()): each edit goes out as it is
	 * made, the input before it first, instead of into the plan. */
	int direct;      /* 0: plan; CM_SPLICE_COUNT or CM_SPLICE_WRITE */
	cm_buf *sink;    /* CM_SPLICE_WRITE: where the output goes */
	FILE *file;      /* ... and where the sink is emptied to, or NULL */
	int werr;        /* errno of a failed write to file, or 0 */
	/* With a file: the pieces waiting to be written with one writev():
	 * stretches of the input as they are, edit texts in the sink. */
	struct iovec iov[CM_SPLICE_IOV];
	size_t niov;
	size_t pos;      /* input bytes written (or counted) so far */
	size_t prev_off, prev_del; /* the edit before, for the order check */
	int edited;      /* an edit was made */
	int unordered;   /* the edits do not come in input order */
	size_t total;    /* bytes of output written (or counted) */
	size_t vlen;     /* CM_SPLICE_COUNT: length of the edit text */
	/* The trees' change log (arena.h), sorted: read subtrees whose
	 * bytes hold no entry are not walked. NULL: walk everything. */
	const uint32_t *marks;
	size_t nmarks, mcur;
	cm_splice_emits *emits; /* the emitter's texts, shared by passes */
	/* A plan of more than edit_max edits (0: no limit) stops: over and
	 * fallback are set (see cm_splice_edit_max()). */
	size_t edit_max;
	int over;
} cm_splice;

#define CM_SPLICE_COUNT 1
#define CM_SPLICE_WRITE 2

/* A plan over len bytes of src, with at most max bytes of edit text. */
void cm_splice_init(cm_splice *sp, const char *src, size_t len, size_t max);

/* Release the plan's memory (not the input). */
void cm_splice_free(cm_splice *sp);

/*
 * Keep a plan to at most n edits (0: no limit): one that would need more
 * stops with sp->over (and sp->fallback) set, so that the caller can
 * write directly instead, without holding an edit list that grows with
 * the input.
 */
void cm_splice_edit_max(cm_splice *sp, size_t n);

/*
 * Let the planning functions skip read subtrees that hold none of the n
 * sorted source offsets at marks: the change log of the trees' arena
 * (cm_arena_log_sorted()), which must be complete. marks must outlive sp.
 */
void cm_splice_marks(cm_splice *sp, const uint32_t *marks, size_t n);

/*
 * Make sp write directly instead of planning: with CM_SPLICE_COUNT the
 * planning functions below only check that the edits come in the order
 * of the input (else sp->unordered is set) and count the output's bytes
 * (sp->total, once cm_splice_direct_end() ran); with CM_SPLICE_WRITE they
 * append the output to sink as they go, and when file is not NULL write
 * the sink out to file each time it holds CM_SPLICE_CHUNK bytes (so it
 * stays small; a failed write sets sp->werr). No edit list is kept, so a
 * large input's plan takes no memory; the trees must live until the end.
 *
 * The write pass must follow a count pass over the same trees that found
 * no fallback, no unordered edit and a size that fits: then it writes
 * exactly what cm_splice_write() would have. Call on a freshly
 * initialised sp.
 */
void cm_splice_direct(cm_splice *sp, int mode, cm_buf *sink, FILE *file);

/*
 * Let the passes of sp share the emitter's texts through e (initialised
 * with cm_splice_emits_init(), released with cm_splice_emits_free()): the
 * counting pass fills it, the writing pass reads it, so generated objects
 * are emitted once. e must outlive the passes.
 */
void cm_splice_emits_init(cm_splice_emits *e);
void cm_splice_emits_free(cm_splice_emits *e);
void cm_splice_use_emits(cm_splice *sp, cm_splice_emits *e);

#define CM_SPLICE_CHUNK ((size_t)64 << 10)

/*
 * Finish a direct pass: the input after the last edit (and, with a file,
 * the rest of the sink written and flushed). Returns 0, or -1 when the
 * sink is full, memory runs out or a write failed (sp->werr).
 */
int cm_splice_direct_end(cm_splice *sp);

/*
 * Plan a KRM run's output. root is the ResourceList as read (and edited),
 * orig[0..n_orig) the items as they were read (shallow copies made before
 * the stages ran), items the final items sequence. With edits == 0 the
 * items come out exactly as read (a failed run); diags become the new
 * `results` (built in arena a). Returns 0 (check sp->fallback), or -1
 * when out of memory.
 */
int cm_splice_krm(cm_splice *sp, cm_arena *a, const cm_node *root,
		  const cm_node *orig, size_t n_orig, const cm_node *items,
		  int edits, const cm_diags *diags);

/*
 * Plan a legacy run's output: s holds every document as read (their
 * starts give each one's bytes), docs[0..n) the final resources. Returns
 * 0 (check sp->fallback), or -1 when out of memory.
 */
int cm_splice_stream(cm_splice *sp, const cm_stream *s, const cm_node *orig,
		     const cm_node *docs, size_t n);

/*
 * Append the input with the planned edits to out. Returns 0, or -1 when
 * out's maximum is passed or memory runs out (out unchanged then).
 */
int cm_splice_write(const cm_splice *sp, cm_buf *out);

/* The bytes cm_splice_write() would append: the input with the edits. */
size_t cm_splice_size(const cm_splice *sp);

/*
 * Write the input with the planned edits to file with writev(): the
 * stretches of the input and the edit texts from where they are, nothing
 * copied. The plan must be complete (no fallback). Returns 0, or -1 when
 * a write failed (sp->werr holds its errno; part of the output may be
 * out).
 */
int cm_splice_send(cm_splice *sp, FILE *file);

#endif
