/* splice.c - see splice.h for the contract. */
#include "splice.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "output.h"

/* How the mapping being walked is written. */
typedef struct sp_ctx sp_ctx;
struct sp_ctx {
	int flow;      /* inside a flow collection */
	int json;      /* ... whose keys are double-quoted (JSON) */
	int guarded;   /* inside an anchored node or an alias copy */
	size_t indent; /* block: column of the keys */
	size_t step;   /* block: how much deeper a nested mapping goes */
	/* indent and step are worked out only where an edit needs them
	 * (sp_resolve()): until then key0 is the first key of the block
	 * mapping entered and up the context it was entered from. */
	const struct cm_node *key0;
	const sp_ctx *up;
};

void cm_splice_init(cm_splice *sp, const char *src, size_t len, size_t max)
{
	const char *nl;

	memset(sp, 0, sizeof(*sp));
	sp->src = src;
	sp->len = len;
	sp->bom = len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3) ? 3 : 0;
	cm_buf_init(&sp->text, max);
	nl = len ? memchr(src, '\n', len) : NULL;
	sp->nl = nl && nl > src && nl[-1] == '\r' ? "\r\n" : "\n";
	sp->nl_len = strlen(sp->nl);
	cm_buf_init(&sp->memo_text, (size_t)1 << 20);
}

void cm_splice_free(cm_splice *sp)
{
	free(sp->v);
	cm_buf_free(&sp->text);
	cm_buf_free(&sp->memo_text);
	sp->v = NULL;
	sp->n = sp->cap = 0;
}

void cm_splice_edit_max(cm_splice *sp, size_t n)
{
	sp->edit_max = n;
}

/* A cheap hash of n bytes of s: the length and the first and last eight
 * bytes (equal texts still get compared in full), mixed so that every
 * byte of them reaches the low bits: the label lines of an item and of
 * its pod template differ only in their indentation and length, and
 * must not share a slot. */
static size_t sp_hash(const char *s, size_t n)
{
	uint64_t a = 0, b = 0, h;

	memcpy(&a, s, n < 8 ? n : 8);
	if (n > 8)
		memcpy(&b, s + n - 8, 8);
	h = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full) ^ n;
	h ^= h >> 31;
	h *= 0xD6E8FEB86659FD93ull;
	return (size_t)(h >> 32);
}

/* ---- edits ---- */

/* How much edit text there is: a count pass only counts it (vlen). */
static size_t sp_len(const cm_splice *sp)
{
	return sp->direct == CM_SPLICE_COUNT ? sp->vlen : sp->text.len;
}

/* Start an edit's text: returns where it begins in sp->text. */
static size_t sp_begin(const cm_splice *sp)
{
	return sp_len(sp);
}

/* Direct mode, with a file: write the pieces waiting (writev) and empty
 * the sink. */
static void sp_drain(cm_splice *sp)
{
	struct iovec *v = sp->iov;
	size_t n = sp->niov;

	while (n && !sp->werr) {
		/* n <= CM_SPLICE_IOV (256), within Linux's IOV_MAX. */
		ssize_t w = writev(fileno(sp->file), v, (int)n);

		if (w < 0) {
			if (errno != EINTR)
				sp->werr = errno;
			continue;
		}
		while (n && (size_t)w >= v->iov_len) { /* the pieces written */
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n) { /* part of a piece */
			v->iov_base = (char *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
	sp->niov = 0;
	if (sp->sink)
		cm_buf_reset(sp->sink);
}

/* Direct mode, with a file: queue n bytes at s (which stay where they
 * are until sp_drain()). */
static void sp_queue(cm_splice *sp, const char *s, size_t n)
{
	struct iovec *last = sp->niov ? &sp->iov[sp->niov - 1] : NULL;

	if (last && (const char *)last->iov_base + last->iov_len == s) {
		last->iov_len += n; /* contiguous with the piece before */
		return;
	}
	if (sp->niov == CM_SPLICE_IOV)
		sp_drain(sp);
	sp->iov[sp->niov].iov_base = (void *)s;
	sp->iov[sp->niov].iov_len = n;
	sp->niov++;
}

/*
 * Direct mode: append n bytes to the output (or count them). With a
 * file, input bytes (src set) are written from where they are; an edit's
 * text is copied to the sink first (its room is reused by the next edit).
 */
static void sp_out(cm_splice *sp, const char *s, size_t n, int src)
{
	if (!n)
		return;
	sp->total += n;
	if (sp->direct != CM_SPLICE_WRITE || sp->werr)
		return;
	if (!sp->file) {
		if (cm_buf_add(sp->sink, s, n) < 0)
			sp->oom = 1;
		return;
	}
	if (src) {
		sp_queue(sp, s, n);
		return;
	}
	/* The sink never moves: it was given its room at the start. */
	if (sp->sink->len + n >= sp->sink->cap)
		sp_drain(sp);
	if (n >= sp->sink->cap) {
		sp_queue(sp, s, n);
		sp_drain(sp);
		return;
	}
	memcpy(sp->sink->data + sp->sink->len, s, n);
	sp_queue(sp, sp->sink->data + sp->sink->len, n);
	sp->sink->len += n;
	sp->sink->data[sp->sink->len] = '\0';
}

/*
 * Direct mode: the edit at off removing del bytes, whose text is
 * sp->text from mark, goes out now, after the input up to off. Edits
 * must come in the order the plan would sort them to (sp_cmp); one that
 * does not marks the pass unordered, one that overlaps the one before
 * makes the plan fall back, as sp_finish() would.
 */
static void sp_direct_edit(cm_splice *sp, size_t off, size_t del, size_t mark)
{
	if (sp->edited) {
		if (off < sp->prev_off ||
		    (off == sp->prev_off && sp->prev_del && !del)) {
			sp->unordered = 1;
			sp->fallback = 1; /* stops the pass; the caller plans */
			return;
		}
		if (off < sp->prev_off + sp->prev_del) {
			sp->fallback = 1;
			return;
		}
	}
	sp->edited = 1;
	sp->prev_off = off;
	sp->prev_del = del;
	sp_out(sp, sp->src + sp->pos, off - sp->pos, 1);
	if (sp->direct == CM_SPLICE_COUNT) {
		sp->total += sp->vlen - mark;
		sp->vlen = mark;
	} else if (sp->text.len > mark) {
		sp_out(sp, sp->text.data + mark, sp->text.len - mark, 0);
		sp->text.len = mark; /* the text is out: reuse the room */
		sp->text.data[mark] = '\0';
	}
	sp->pos = off + del;
}

void cm_splice_direct(cm_splice *sp, int mode, cm_buf *sink, FILE *file)
{
	sp->direct = mode;
	sp->sink = sink;
	sp->file = mode == CM_SPLICE_WRITE ? file : NULL;
	if (sp->file) {
		/* Edit texts wait in the sink: it must not move. */
		cm_buf_reset(sink);
		if (cm_buf_reserve(sink, CM_SPLICE_CHUNK) < 0)
			sp->oom = 1;
		/* writev() goes past stdio: nothing may wait in it. */
		if (fflush(sp->file) != 0)
			sp->werr = errno ? errno : EIO;
	}
}

int cm_splice_direct_end(cm_splice *sp)
{
	if (!sp->oom && !sp->fallback)
		sp_out(sp, sp->src + sp->pos, sp->len - sp->pos, 1);
	if (sp->file && !sp->oom) {
		sp_drain(sp);
		errno = 0;
		if (!sp->werr && (fflush(sp->file) != 0 || ferror(sp->file)))
			sp->werr = errno ? errno : EIO;
	}
	return sp->oom || sp->werr ? -1 : 0;
}

/* Record an edit at off removing del bytes, whose text was appended to
 * sp->text since mark. */
static void sp_end(cm_splice *sp, size_t off, size_t del, size_t mark)
{
	if (sp->oom || sp->fallback)
		return;
	if (off > sp->len || del > sp->len - off) {
		sp->fallback = 1;
		return;
	}
	if (sp->direct) {
		sp_direct_edit(sp, off, del, mark);
		return;
	}
	if (sp->edit_max && sp->n == sp->edit_max) {
		sp->over = 1; /* stops the pass; the caller writes directly */
		sp->fallback = 1;
		return;
	}
	if (sp->n == sp->cap) {
		size_t ncap = sp->cap ? sp->cap * 2 : 64;
		cm_edit *v;

		if (sp->edit_max && ncap > sp->edit_max)
			ncap = sp->edit_max;
		v = realloc(sp->v, ncap * sizeof(*v));

		if (!v) {
			sp->oom = 1;
			return;
		}
		sp->v = v;
		sp->cap = ncap;
	}
	sp->v[sp->n].off = off;
	sp->v[sp->n].del = del;
	sp->v[sp->n].text = mark;
	sp->v[sp->n].len = sp->text.len - mark;
	if (sp->text.len - mark >= 16) {
		const char *t = sp->text.data + mark;
		size_t n = sp->text.len - mark;
		cm_memo *e = &sp->same[sp_hash(t, n) % CM_SPLICE_MEMO];

		if (e->str && e->len == n &&
		    memcmp(sp->text.data + e->off, t, n) == 0) {
			sp->v[sp->n].text = e->off;
			sp->text.len = mark; /* drop the copy */
			sp->text.data[mark] = '\0';
		} else {
			e->str = t; /* marks the entry used */
			e->off = mark;
			e->len = n;
		}
	}
	sp->v[sp->n].seq = sp->n;
	sp->n++;
}

static void sp_add(cm_splice *sp, const char *s, size_t n)
{
	if (sp->direct == CM_SPLICE_COUNT)
		sp->vlen += n; /* only the length matters */
	else if (!sp->oom && n && cm_buf_add(&sp->text, s, n) < 0)
		sp->oom = 1;
}

static void sp_adds(cm_splice *sp, const char *s)
{
	if (s == sp->nl)
		sp_add(sp, s, sp->nl_len);
	else
		sp_add(sp, s, strlen(s));
}

static void sp_spaces(cm_splice *sp, size_t n)
{
	static const char sp32[] = "                                ";

	while (n) {
		size_t k = n < 32 ? n : 32;

		sp_add(sp, sp32, k);
		n -= k;
	}
}

/* ---- positions in the input ---- */

/* Start of the line holding offset p (the first line starts after a
 * byte-order mark). */
static size_t sp_line_start(const cm_splice *sp, size_t p)
{
	while (p > sp->bom && sp->src[p - 1] != '\n')
		p--;
	return p;
}

/*
 * Where lines go after content that ends at e: e itself when it is at
 * the start of a line (a block scalar ends after its line breaks, maybe
 * after the next line's indentation), else just after the end of e's line
 * (past a trailing comment). sp->len when the text ends first.
 */
static size_t sp_line_after(const cm_splice *sp, size_t e)
{
	size_t p = e;
	const char *nl;

	while (p > 0 && sp->src[p - 1] == ' ')
		p--;
	if (p == 0 || sp->src[p - 1] == '\n')
		return p;
	nl = e < sp->len ? memchr(sp->src + e, '\n', sp->len - e) : NULL;
	return nl ? (size_t)(nl - sp->src) + 1 : sp->len;
}

/* True when lines inserted at p need a line break first (the input ends
 * at p without one). */
static int sp_needs_break(const cm_splice *sp, size_t p)
{
	return p == sp->len && p > 0 && sp->src[p - 1] != '\n';
}

/*
 * True when the text of n ends with a block scalar (n itself, or the last
 * value of its last entries, at any depth). Such a scalar ending the input
 * without a line break would gain one if lines were added after it, so
 * its value would change.
 */
static int sp_ends_in_block_scalar(const cm_node *n)
{
	while ((n->kind == CM_MAP || n->kind == CM_SEQ) && n->len > 0)
		n = n->kind == CM_MAP ? &n->u.kids[2 * n->len - 1]
				      : &n->u.kids[n->len - 1];
	return n->kind == CM_SCALAR &&
	       (n->style == CM_STYLE_LITERAL || n->style == CM_STYLE_FOLDED);
}

/* ---- scalars ---- */

/* True when s can be written plain (block, or flow when flow is set) and
 * reads back as the same string. Conservative: printable ASCII only. */
static int sp_plain_ok(const char *s, size_t n, int flow)
{
	size_t i;

	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) ||
	    s[n - 1] == ' ' || s[n - 1] == ':' || cm_plain_is_special(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return 0;
		if (flow && strchr(",[]{}", c))
			return 0;
		if (c == ':' && i + 1 < n && s[i + 1] == ' ')
			return 0;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			return 0;
	}
	return 1;
}

/* Append s double-quoted, escaped so that YAML and JSON read it back. */
static void sp_quoted(cm_splice *sp, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	sp_add(sp, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = 0;
		size_t skip = 0;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = 0;
		} else if (c < 0x20 || c == 0x7f) {
			cp = c;
		} else if (c == 0xC2 && i + 1 < n &&
			   (unsigned char)s[i + 1] < 0xA0) {
			cp = (unsigned char)s[i + 1]; /* C1 controls, NEL */
			skip = 1;
		} else if (c == 0xE2 && i + 2 < n &&
			   (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xA8 ||
			    (unsigned char)s[i + 2] == 0xA9)) {
			cp = (unsigned char)s[i + 2] == 0xA8 ? 0x2028 : 0x2029;
			skip = 2;
		} else if (c == 0xEF && i + 2 < n &&
			   (unsigned char)s[i + 1] == 0xBB &&
			   (unsigned char)s[i + 2] == 0xBF) {
			cp = 0xFEFF;
			skip = 2;
		} else {
			run++;
			continue;
		}
		sp_add(sp, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			sp_add(sp, esc, 2);
			continue;
		}
		if (cp == '\n')
			sp_add(sp, "\\n", 2);
		else if (cp == '\t')
			sp_add(sp, "\\t", 2);
		else if (cp == '\r')
			sp_add(sp, "\\r", 2);
		else {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = hex[(cp >> 12) & 15];
			esc[3] = hex[(cp >> 8) & 15];
			esc[4] = hex[(cp >> 4) & 15];
			esc[5] = hex[cp & 15];
			sp_add(sp, esc, 6);
		}
		i += skip;
	}
	sp_add(sp, s + n - run, run);
	sp_add(sp, "\"", 1);
}

/* True when s can be single-quoted: printable ASCII or UTF-8 text
 * without line breaks or characters YAML wants escaped. */
static int sp_single_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c >= 0x80)
			return 0;
	}
	return 1;
}

/* Append s single-quoted (' doubled). */
static void sp_single(cm_splice *sp, const char *s, size_t n)
{
	size_t i, run = 0;

	sp_add(sp, "'", 1);
	for (i = 0; i < n; i++) {
		run++;
		if (s[i] == '\'') {
			sp_add(sp, s + i + 1 - run, run);
			sp_add(sp, "'", 1);
			run = 0;
		}
	}
	sp_add(sp, s + n - run, run);
	sp_add(sp, "'", 1);
}

/* Append scalar n in context c: a string plain where that reads back
 * the same (never in JSON), else double-quoted; a null, bool or number
 * as it is. A tagged scalar makes the plan fall back. */
static void sp_scalar_text(cm_splice *sp, const cm_node *n, const sp_ctx *c);

static void sp_scalar(cm_splice *sp, const cm_node *n, const sp_ctx *c)
{
	unsigned mode = (unsigned)n->style | (unsigned)c->flow << 4 |
			(unsigned)c->json << 5;
	cm_memo *m = &sp->memo[((((uintptr_t)n->u.str ^ mode) *
				 0x9E3779B97F4A7C15ull) >> 40) %
			       CM_SPLICE_MEMO];
	size_t start;

	if (m->str == n->u.str && m->mode == mode && n->u.str) {
		if (sp->direct == CM_SPLICE_COUNT)
			sp->vlen += m->len; /* no text was kept */
		else
			sp_add(sp, sp->memo_text.data + m->off, m->len);
		return;
	}
	start = sp_len(sp);
	sp_scalar_text(sp, n, c);
	if (sp->oom || sp->fallback || sp_len(sp) < start)
		return;
	if (sp->direct == CM_SPLICE_COUNT) {
		/* A count pass remembers lengths only (as the write pass
		 * does, an empty text is not remembered). */
		if (sp->vlen == start)
			return;
		m->str = n->u.str;
		m->mode = mode;
		m->off = 0;
		m->len = sp->vlen - start;
		return;
	}
	if (sp->text.len > start &&
	    cm_buf_add(&sp->memo_text, sp->text.data + start,
		       sp->text.len - start) == 0) {
		m->str = n->u.str;
		m->mode = mode;
		m->off = sp->memo_text.len - (sp->text.len - start);
		m->len = sp->text.len - start;
	}
}

static void sp_scalar_text(cm_splice *sp, const cm_node *n, const sp_ctx *c)
{
	if (cm_node_tag(n)) {
		sp->fallback = 1;
		return;
	}
	if (!cm_scalar_is_string(n))
		sp_add(sp, n->u.str, n->len);
	else if (!c->json && n->style == CM_STYLE_PLAIN &&
		 sp_plain_ok(n->u.str, n->len, c->flow))
		sp_add(sp, n->u.str, n->len);
	else if (!c->json && n->style != CM_STYLE_DOUBLE &&
		 sp_single_ok(n->u.str, n->len))
		sp_single(sp, n->u.str, n->len);
	else
		sp_quoted(sp, n->u.str, n->len);
}

/* ---- new nodes ---- */

static void sp_flow_node(cm_splice *sp, const cm_node *n, const sp_ctx *c);

/* Append pairs[0..np) of new nodes in flow style: "k: v, k: v". */
static void sp_flow_pairs(cm_splice *sp, const cm_node *kids, size_t np,
			  const sp_ctx *c)
{
	size_t i;

	for (i = 0; i < np; i++) {
		if (i)
			sp_add(sp, ", ", 2);
		sp_flow_node(sp, &kids[2 * i], c);
		sp_add(sp, ": ", 2);
		sp_flow_node(sp, &kids[2 * i + 1], c);
	}
}

/* Append n (made by the function) in flow style. */
static void sp_flow_node(cm_splice *sp, const cm_node *n, const sp_ctx *c)
{
	size_t i;

	switch (n->kind) {
	case CM_SCALAR:
		sp_scalar(sp, n, c);
		break;
	case CM_MAP:
		if (cm_node_tag(n))
			sp->fallback = 1;
		sp_add(sp, "{", 1);
		sp_flow_pairs(sp, n->u.kids, n->len, c);
		sp_add(sp, "}", 1);
		break;
	case CM_SEQ:
		if (cm_node_tag(n))
			sp->fallback = 1;
		sp_add(sp, "[", 1);
		for (i = 0; i < n->len; i++) {
			if (i)
				sp_add(sp, ", ", 2);
			sp_flow_node(sp, &n->u.kids[i], c);
		}
		sp_add(sp, "]", 1);
		break;
	default:
		sp->fallback = 1;
	}
}

static sp_ctx sp_resolve(const cm_splice *sp, const sp_ctx *c);

/* Append the block line "key: value" for scalars k and v at indentation
 * c->indent: made once, then copied (memo). */
static void sp_scalar_line(cm_splice *sp, const cm_node *k, const cm_node *v,
			   const sp_ctx *c)
{
	unsigned mode = (unsigned)k->style | (unsigned)v->style << 3 |
			(unsigned)c->flow << 6 | (unsigned)c->json << 7;
	cm_line_memo *e = &sp->lines[((((uintptr_t)k->u.str * 31 ^
					(uintptr_t)v->u.str ^ c->indent ^ mode) *
				       0x9E3779B97F4A7C15ull) >> 40) %
				     CM_SPLICE_MEMO];
	size_t start;

	if (e->k == k->u.str && e->v == v->u.str && e->klen == k->len &&
	    e->vlen == v->len && e->mode == mode && e->indent == c->indent &&
	    k->u.str && v->u.str) {
		if (sp->direct == CM_SPLICE_COUNT)
			sp->vlen += e->len;
		else
			sp_add(sp, sp->memo_text.data + e->off, e->len);
		return;
	}
	start = sp_len(sp);
	sp_spaces(sp, c->indent);
	sp_scalar(sp, k, c);
	sp_add(sp, ": ", 2);
	sp_scalar(sp, v, c);
	sp_adds(sp, sp->nl);
	if (sp->oom || sp->fallback || sp_len(sp) < start ||
	    (k->flags & CM_NF_TAG) || (v->flags & CM_NF_TAG))
		return;
	if (sp->direct != CM_SPLICE_COUNT) {
		if (cm_buf_add(&sp->memo_text, sp->text.data + start,
			       sp->text.len - start) < 0)
			return; /* not remembered: made again next time */
		e->off = sp->memo_text.len - (sp->text.len - start);
	}
	e->k = k->u.str;
	e->v = v->u.str;
	e->klen = k->len;
	e->vlen = v->len;
	e->mode = mode;
	e->indent = c->indent;
	e->len = sp_len(sp) - start;
}

/* Append block lines "key: value" for pairs[0..np) of new nodes at
 * indentation c->indent. Only scalars and mappings are written here. */
static void sp_block_pairs(cm_splice *sp, const cm_node *kids, size_t np,
			   const sp_ctx *ctx)
{
	sp_ctx r = sp_resolve(sp, ctx);
	const sp_ctx *c = &r;
	size_t i;

	for (i = 0; i < np && !sp->fallback; i++) {
		const cm_node *k = &kids[2 * i], *v = &kids[2 * i + 1];

		if (k->kind != CM_SCALAR) {
			sp->fallback = 1;
			return;
		}
		if (v->kind == CM_SCALAR) {
			sp_scalar_line(sp, k, v, c);
			continue;
		}
		sp_spaces(sp, c->indent);
		sp_scalar(sp, k, c);
		sp_add(sp, ":", 1);
		if (v->kind == CM_MAP && v->len == 0 && !cm_node_tag(v)) {
			sp_add(sp, " {}", 3);
			sp_adds(sp, sp->nl);
		} else if (v->kind == CM_MAP && !cm_node_tag(v)) {
			sp_ctx in = *c;

			in.indent += c->step;
			sp_adds(sp, sp->nl);
			sp_block_pairs(sp, v->u.kids, v->len, &in);
		} else {
			sp->fallback = 1;
		}
	}
}

/*
 * Append the emitter's block text for doc, every non-empty line indented
 * by indent and ended with sp->nl.
 */
void cm_splice_emits_init(cm_splice_emits *e)
{
	e->n = 0;
	cm_buf_init(&e->text, (size_t)64 << 20);
}

void cm_splice_emits_free(cm_splice_emits *e)
{
	cm_buf_free(&e->text);
	e->n = 0;
}

void cm_splice_use_emits(cm_splice *sp, cm_splice_emits *e)
{
	sp->emits = e;
}

/* The identity of doc's content: its children or text (a wrapper made
 * for one item differs in each pass, the item does not). */
static const void *sp_emit_key(const cm_node *doc)
{
	return doc->kind == CM_SCALAR ? (const void *)doc->u.str
				      : (const void *)doc->u.kids;
}

/* The emitter's text for doc kept by an earlier pass, or NULL. */
static const char *sp_emit_found(const cm_splice *sp, const cm_node *doc,
				 size_t *n)
{
	const cm_splice_emits *e = sp->emits;
	size_t i;

	for (i = 0; e && i < e->n; i++)
		if (e->v[i].key == sp_emit_key(doc) &&
		    e->v[i].kind == doc->kind && e->v[i].len == doc->len) {
			*n = e->v[i].n;
			return e->text.data + e->v[i].off;
		}
	return NULL;
}

/* Keep the emitter's text t for doc for a later pass (when there is
 * room; else it is made again). */
static void sp_emit_keep(cm_splice *sp, const cm_node *doc, const cm_buf *t)
{
	cm_splice_emits *e = sp->emits;
	size_t off;

	if (!e || e->n == CM_SPLICE_EMITS || !t->len || !sp_emit_key(doc))
		return;
	off = e->text.len;
	if (cm_buf_add(&e->text, t->data, t->len) < 0)
		return;
	e->v[e->n].key = sp_emit_key(doc);
	e->v[e->n].kind = doc->kind;
	e->v[e->n].len = doc->len;
	e->v[e->n].off = off;
	e->v[e->n].n = t->len;
	e->n++;
}

static void sp_emitted(cm_splice *sp, const cm_node *doc, size_t indent)
{
	cm_buf t;
	cm_diags d;
	const char *text;
	size_t i = 0, len = 0;

	cm_buf_init(&t, sp->text.max);
	cm_diags_init(&d);
	text = sp_emit_found(sp, doc, &len);
	if (!text) {
		if (cm_emit(doc, 1, &t, &d) < 0) {
			sp->oom = 1;
			goto out;
		}
		sp_emit_keep(sp, doc, &t);
		text = t.data ? t.data : "";
		len = t.len;
	}
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;

		if (e > i)
			sp_spaces(sp, indent);
		sp_add(sp, text + i, e - i);
		sp_adds(sp, sp->nl);
		i = e + 1;
	}
out:
	cm_diags_free(&d);
	cm_buf_free(&t);
}

/* ---- walking what was read ---- */

static void sp_walk(cm_splice *sp, const cm_node *n, sp_ctx c);

/* The column of block mapping key k: where its line's indentation ends
 * (at a "? " for a complex key). The text before it on the line is
 * spaces, "- " and "? " only, so bytes are columns. */
static size_t sp_key_col(const cm_splice *sp, const cm_node *k)
{
	size_t ls = sp_line_start(sp, k->off), p = k->off;

	while (p > ls && sp->src[p - 1] == ' ')
		p--;
	if (p > ls && sp->src[p - 1] == '?')
		return p - 1 - ls;
	return k->off - ls;
}

/*
 * The context for the children of mapping or sequence n read in context
 * *up, which must outlive it (the caller's own). The indentation of a
 * block mapping is left to sp_resolve(): most mappings get no edit.
 */
static sp_ctx sp_enter(const cm_node *n, const sp_ctx *up)
{
	sp_ctx c = *up;

	if (n->flags & (CM_NF_ANCHOR | CM_NF_ALIAS))
		c.guarded = 1;
	if (n->flags & CM_NF_FLOW) {
		if (!c.flow && n->kind == CM_MAP && n->len &&
		    n->u.kids[0].kind == CM_SCALAR &&
		    n->u.kids[0].style == CM_STYLE_DOUBLE)
			c.json = 1;
		c.flow = 1;
	} else if (n->kind == CM_MAP && n->len &&
		   (n->u.kids[0].flags & CM_NF_SRC)) {
		c.key0 = &n->u.kids[0];
		c.up = up;
	}
	return c;
}

/* *c with its indentation worked out: the column of its mapping's first
 * key, and how much deeper that is than the mapping around it. */
static sp_ctx sp_resolve(const cm_splice *sp, const sp_ctx *c)
{
	sp_ctx r = *c, up;
	size_t ind;

	if (!r.key0)
		return r;
	up = sp_resolve(sp, r.up);
	r.indent = up.indent;
	r.step = up.step;
	ind = sp_key_col(sp, r.key0);
	if (ind > r.indent && r.indent != (size_t)-1)
		r.step = ind - r.indent;
	r.indent = ind;
	r.key0 = NULL;
	r.up = NULL;
	return r;
}

/* True when an empty value at o follows its key's ':' ("k:" rather than
 * a bare "k" in a flow mapping, or "? k"). */
static int sp_after_colon(const cm_splice *sp, size_t o)
{
	while (o > 0 && (sp->src[o - 1] == ' ' || sp->src[o - 1] == '\t'))
		o--;
	return o > 0 && sp->src[o - 1] == ':';
}

/* Splice value v, made in place of a read node (CM_NF_REPLACES), as the
 * value of a pair in a mapping written in context c. */
static void sp_replace(cm_splice *sp, const cm_node *v, const sp_ctx *c)
{
	size_t o = v->off, e = v->end, m;

	if (c->guarded || e < o || e > sp->len) {
		sp->fallback = 1;
		return;
	}
	if (c->flow) {
		m = sp_begin(sp);
		if (o == e)
			sp_adds(sp, sp_after_colon(sp, o) ? " " : ": ");
		sp_flow_node(sp, v, c);
		sp_end(sp, o, e - o, m);
		return;
	}
	if (o == e && !sp_after_colon(sp, o)) {
		sp->fallback = 1; /* "? key" with no value: not spliced */
		return;
	}
	if (memchr(sp->src + o, '\n', e - o)) {
		/* A block scalar (or a multi-line one): the new value takes
		 * its place and its lines, up to the line break. */
		size_t p = e;

		while (p > o && sp->src[p - 1] == ' ')
			p--;
		if (v->kind != CM_SCALAR || p == o || sp->src[p - 1] != '\n') {
			sp->fallback = 1;
			return;
		}
		m = sp_begin(sp);
		sp_scalar(sp, v, c);
		sp_adds(sp, sp->nl);
		sp_end(sp, o, p - o, m);
		return;
	}
	if (v->kind == CM_SCALAR) {
		m = sp_begin(sp);
		if (o == e)
			sp_add(sp, " ", 1);
		sp_scalar(sp, v, c);
		sp_end(sp, o, e - o, m);
	} else if (v->kind == CM_MAP && (v->len == 0 || cm_node_tag(v))) {
		m = sp_begin(sp);
		while (o > 0 && sp->src[o - 1] == ' ' && o < e)
			o--;
		sp_add(sp, " ", 1);
		sp_flow_node(sp, v, c);
		sp_end(sp, o, e - o, m);
	} else if (v->kind == CM_MAP) {
		/* A null made a mapping: drop the null's text, write the
		 * entries on the lines after it. */
		sp_ctx in = sp_resolve(sp, c);
		size_t at = sp_line_after(sp, e);

		if (e > o) {
			while (o > 0 && sp->src[o - 1] == ' ')
				o--;
			m = sp_begin(sp);
			sp_end(sp, o, e - o, m);
		}
		in.indent += in.step;
		m = sp_begin(sp);
		if (sp_needs_break(sp, at))
			sp_adds(sp, sp->nl);
		sp_block_pairs(sp, v->u.kids, v->len, &in);
		sp_end(sp, at, 0, m);
	} else {
		sp->fallback = 1;
	}
}

/* Edits for mapping n read in context c (c not yet entered). */
static void sp_walk_map(cm_splice *sp, const cm_node *n, sp_ctx outer)
{
	const cm_node *last = NULL;
	size_t i, first_new = n->len, nnew = 0, m, at;
	sp_ctx c = sp_enter(n, &outer);

	for (i = 0; i < n->len && !sp->fallback; i++) {
		const cm_node *k = &n->u.kids[2 * i], *v = &n->u.kids[2 * i + 1];

		if (!(k->flags & CM_NF_SRC)) {
			/* New pairs come after every read one. */
			if (first_new == n->len)
				first_new = i;
			nnew++;
			continue;
		}
		if (nnew) {
			sp->fallback = 1;
			return;
		}
		if (v->flags & CM_NF_SRC) {
			if (v->kind == CM_MAP || v->kind == CM_SEQ)
				sp_walk(sp, v, c); /* a scalar read has no edit */
		} else if (v->flags & CM_NF_REPLACES)
			sp_replace(sp, v, &c);
		else
			sp->fallback = 1;
		last = v;
	}
	if (!nnew || sp->fallback)
		return;
	if (c.guarded || (n->flags & CM_NF_BARE)) {
		sp->fallback = 1;
		return;
	}
	m = sp_begin(sp);
	if (c.flow) {
		if (last) {
			at = last->end;
			sp_add(sp, ", ", 2);
		} else {
			at = n->end ? n->end - 1 : 0;
			if (n->end <= n->off || sp->src[at] != '}') {
				sp->fallback = 1;
				return;
			}
		}
		sp_flow_pairs(sp, &n->u.kids[2 * first_new], nnew, &c);
		sp_end(sp, at, 0, m);
		return;
	}
	if (!last) {
		sp->fallback = 1;
		return;
	}
	at = sp_line_after(sp, last->end);
	if (sp_needs_break(sp, at) && sp_ends_in_block_scalar(last)) {
		sp->fallback = 1; /* the emitter writes it */
		return;
	}
	if (sp_needs_break(sp, at))
		sp_adds(sp, sp->nl);
	sp_block_pairs(sp, &n->u.kids[2 * first_new], nnew, &c);
	sp_end(sp, at, 0, m);
}

void cm_splice_marks(cm_splice *sp, const uint32_t *marks, size_t n)
{
	sp->marks = marks;
	sp->nmarks = n;
	sp->mcur = 0;
}

/* True when read node n may hold a change: the change log has an entry
 * within its bytes, or n is an alias copy (whose nodes carry the spans of
 * the anchored node), or there is no log. The walk goes forward through
 * the text, so a cursor finds the entry; a step back searches. */
static int sp_changed(cm_splice *sp, const cm_node *n)
{
	size_t lo = sp->mcur, hi = sp->nmarks;

	if (!sp->marks || (n->flags & CM_NF_ALIAS) ||
	    !(n->flags & CM_NF_SRC))
		return 1;
	if (lo > 0 && sp->marks[lo - 1] >= n->off) {
		lo = 0;
		while (lo < hi) { /* the first entry >= n->off */
			size_t mid = lo + (hi - lo) / 2;

			if (sp->marks[mid] < n->off)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
		while (lo < sp->nmarks && sp->marks[lo] < n->off)
			lo++;
	}
	sp->mcur = lo;
	return lo < sp->nmarks && sp->marks[lo] <= n->end;
}

/* Edits for node n (read) in context c. */
static void sp_walk(cm_splice *sp, const cm_node *n, sp_ctx outer)
{
	sp_ctx c;
	size_t i;

	if (!sp_changed(sp, n))
		return; /* unchanged: its bytes are copied as they are */
	if (n->kind == CM_MAP) {
		sp_walk_map(sp, n, outer);
		return;
	}
	if (n->kind != CM_SEQ)
		return;
	c = sp_enter(n, &outer);
	for (i = 0; i < n->len && !sp->fallback; i++) {
		const cm_node *k = &n->u.kids[i];

		if (!(k->flags & CM_NF_SRC))
			sp->fallback = 1; /* the function adds no list entries */
		else if (k->kind == CM_MAP || k->kind == CM_SEQ)
			sp_walk(sp, k, c);
	}
}

/* ---- lists of items or documents ---- */

/*
 * Match the final list fin[0..nf) against what was read, orig[0..no):
 * keep[i] = 1 when orig[i] is still there. Read entries must keep their
 * order. Returns 0, or -1 (fallback set).
 */
static int sp_match(cm_splice *sp, const cm_node *orig, size_t no,
		    const cm_node *fin, size_t nf, unsigned char *keep)
{
	size_t i, k = 0;

	for (i = 0; i < nf; i++) {
		if (!(fin[i].flags & CM_NF_SRC))
			continue;
		while (k < no && !((orig[k].flags & CM_NF_SRC) &&
				   orig[k].off == fin[i].off))
			k++;
		if (k == no) {
			sp->fallback = 1;
			return -1;
		}
		keep[k++] = 1;
	}
	return 0;
}

/*
 * Where the block sequence entry it (an item) begins: the start of the
 * line of its "-", which may sit above the item's first key with comment
 * or blank lines between ("- # note" then "  apiVersion: ..."). Comments
 * above the "-" line stay with the entry before.
 */
static size_t sp_entry_start(const cm_splice *sp, const cm_node *it)
{
	size_t ls = sp_line_start(sp, it->off), cur = ls, p = it->off;

	for (;;) {
		size_t i = cur;

		while (i < p && sp->src[i] == ' ')
			i++;
		if (i < p && sp->src[i] == '-')
			return cur;
		if (i < p && sp->src[i] != '#' && sp->src[i] != '\r' &&
		    sp->src[i] != '\n')
			return ls;
		if (cur == 0)
			return ls;
		p = cur - 1;
		cur = sp_line_start(sp, p);
	}
}

/* Block items: regions from each entry's line to the next's. */
static void sp_block_items(cm_splice *sp, const cm_node *orig, size_t no,
			   const cm_node *fin, size_t nf,
			   const unsigned char *keep, int edits, sp_ctx c)
{
	size_t *rs = malloc((no + 1) * sizeof(size_t));
	size_t i, k = 0, dash, m;

	if (!rs) {
		sp->oom = 1;
		return;
	}
	for (i = 0; i < no; i++)
		rs[i] = sp_entry_start(sp, &orig[i]);
	rs[no] = sp_line_after(sp, orig[no - 1].end);
	for (i = 1; i <= no; i++)
		if (rs[i] < rs[i - 1]) {
			sp->fallback = 1;
			goto out;
		}
	dash = 0;
	while (rs[0] + dash < sp->len && sp->src[rs[0] + dash] == ' ')
		dash++;
	/* Edits are made in the order of the input (a direct pass needs
	 * that): a removed entry goes when the walk passes it. */
	for (i = 0; i < nf && !sp->fallback && !sp->oom; i++) {
		const cm_node *it = &fin[i];

		if (it->flags & CM_NF_SRC) {
			while (k < no && !(keep[k] && orig[k].off == it->off)) {
				if (!keep[k]) {
					m = sp_begin(sp);
					sp_end(sp, rs[k], rs[k + 1] - rs[k], m);
				}
				k++;
			}
			if (edits)
				sp_walk(sp, it, c);
			k++;
			continue;
		}
		{
			cm_node one = cm_seq_new();

			one.u.kids = (cm_node *)it;
			one.len = 1;
			if (sp_needs_break(sp, rs[k]) && k > 0 &&
			    sp_ends_in_block_scalar(&orig[k - 1])) {
				sp->fallback = 1; /* the emitter writes it */
				break;
			}
			m = sp_begin(sp);
			if (sp_needs_break(sp, rs[k]))
				sp_adds(sp, sp->nl);
			sp_emitted(sp, &one, dash);
			sp_end(sp, rs[k], 0, m);
		}
	}
	for (; k < no; k++)
		if (!keep[k]) {
			m = sp_begin(sp);
			sp_end(sp, rs[k], rs[k + 1] - rs[k], m);
		}
out:
	free(rs);
}

/* Flow items "[a, b]": read entries stay, new ones go after them. */
static void sp_flow_items(cm_splice *sp, const cm_node *seq,
			  const cm_node *orig, size_t no, const cm_node *fin,
			  size_t nf, const unsigned char *keep, int edits,
			  sp_ctx c)
{
	size_t i, m, at, seen = 0;
	int any = 0;

	for (i = 0; i < no; i++)
		if (!keep[i]) {
			sp->fallback = 1;
			return;
		}
	if (!no && !c.flow) {
		/* "items: []" under a block root: the new entries become
		 * block lines, as the emitter would write them. */
		size_t o = seq->off;

		at = sp_line_after(sp, seq->end);

		if (seq->end != o + 2 || memcmp(sp->src + o, "[]", 2)) {
			sp->fallback = 1;
			return;
		}
		for (i = 0; i < nf; i++)
			if (fin[i].flags & CM_NF_SRC)
				sp->fallback = 1;
		if (!nf || sp->fallback)
			return;
		while (o > 0 && sp->src[o - 1] == ' ')
			o--;
		m = sp_begin(sp);
		sp_end(sp, o, seq->end - o, m);
		m = sp_begin(sp);
		if (sp_needs_break(sp, at))
			sp_adds(sp, sp->nl);
		for (i = 0; i < nf; i++) {
			cm_node one = cm_seq_new();

			one.u.kids = (cm_node *)&fin[i];
			one.len = 1;
			sp_emitted(sp, &one, sp_resolve(sp, &c).indent);
		}
		sp_end(sp, at, 0, m);
		return;
	}
	c.flow = 1;
	c.json = c.json || !no;
	/* The items' own edits first: edit texts are never nested. */
	for (i = 0; i < nf && !sp->fallback; i++) {
		if (fin[i].flags & CM_NF_SRC) {
			if (any) {
				sp->fallback = 1; /* new entries only at the end */
				return;
			}
			seen++;
			if (edits)
				sp_walk(sp, &fin[i], c);
		} else {
			any = 1;
		}
	}
	if (!any || sp->fallback)
		return;
	m = sp_begin(sp);
	for (i = 0; i < nf; i++) {
		if (fin[i].flags & CM_NF_SRC)
			continue;
		if (seen++)
			sp_add(sp, ", ", 2);
		sp_flow_node(sp, &fin[i], &c);
	}
	if (no) {
		at = orig[no - 1].end;
	} else {
		at = seq->end ? seq->end - 1 : 0;
		if (seq->end <= seq->off || sp->src[at] != ']') {
			sp->fallback = 1;
			return;
		}
	}
	/* After the items' own edits, which end where the last item does. */
	sp_end(sp, at, 0, m);
}

/* ---- the ResourceList ---- */

static int sp_cmp(const void *x, const void *y)
{
	const cm_edit *a = x, *b = y;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	if ((a->del != 0) != (b->del != 0))
		return a->del ? 1 : -1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Sort the edits and check that none overlaps the next. */
static void sp_finish(cm_splice *sp)
{
	size_t i;

	if (sp->fallback || sp->oom || sp->direct)
		return;
	/* Mostly made in input order already: sort only when not. */
	for (i = 1; i < sp->n && sp_cmp(&sp->v[i - 1], &sp->v[i]) < 0; i++)
		;
	if (i < sp->n)
		qsort(sp->v, sp->n, sizeof(*sp->v), sp_cmp);
	for (i = 1; i < sp->n; i++)
		if (sp->v[i].off < sp->v[i - 1].off + sp->v[i - 1].del)
			sp->fallback = 1;
}

int cm_splice_krm(cm_splice *sp, cm_arena *a, const cm_node *root,
		  const cm_node *orig, size_t n_orig, const cm_node *items,
		  int edits, const cm_diags *diags)
{
	const cm_node *last = NULL, *fin = edits ? items->u.kids : orig;
	size_t nf = edits ? items->len : n_orig, i, m;
	unsigned char *keep = NULL;
	sp_ctx top, c;
	int seen_items = 0;

	memset(&top, 0, sizeof(top));
	top.step = 2;
	top.indent = (size_t)-1;
	if (!(root->flags & CM_NF_SRC) || root->kind != CM_MAP) {
		sp->fallback = 1;
		return 0;
	}
	c = sp_enter(root, &top);
	for (i = 0; i < root->len && !sp->fallback && !sp->oom; i++) {
		const cm_node *k = &root->u.kids[2 * i];
		const cm_node *v = &root->u.kids[2 * i + 1];

		if (!(k->flags & CM_NF_SRC) || !(v->flags & CM_NF_SRC)) {
			sp->fallback = 1; /* e.g. items created */
			break;
		}
		if (cm_scalar_is(k, "results")) {
			/* Removed; written anew at the end. */
			size_t o, e;

			if (c.flow) {
				if (last) {
					o = last->end;
					e = v->end;
				} else if (i + 1 < root->len) {
					o = k->off;
					e = root->u.kids[2 * i + 2].off;
				} else {
					o = k->off;
					e = v->end;
				}
			} else {
				o = sp_line_start(sp, k->off);
				e = sp_line_after(sp, v->end);
			}
			m = sp_begin(sp);
			sp_end(sp, o, e - o, m);
			continue;
		}
		if (cm_scalar_is(k, "items") && v == items && !seen_items) {
			seen_items = 1;
			if (v->kind != CM_SEQ || (v->flags & CM_NF_ALIAS)) {
				sp->fallback = 1;
				break;
			}
			keep = calloc(n_orig + 1, 1);
			if (!keep) {
				sp->oom = 1;
				break;
			}
			if (sp_match(sp, orig, n_orig, fin, nf, keep) < 0)
				break;
			if (v->flags & CM_NF_FLOW)
				sp_flow_items(sp, v, orig, n_orig, fin, nf, keep,
					      edits, c);
			else if (n_orig)
				sp_block_items(sp, orig, n_orig, fin, nf, keep,
					       edits, c);
			else
				sp->fallback = 1;
		} else {
			sp_walk(sp, v, c);
		}
		last = v;
	}
	if (!seen_items && !sp->fallback)
		sp->fallback = 1;
	if (diags->n && !sp->fallback && !sp->oom) {
		cm_node res, pair[2], doc = cm_map_new();

		if (cm_results_node(a, diags, &res) < 0) {
			sp->oom = 1;
			goto out;
		}
		pair[0] = cm_str_new(a, "results");
		pair[1] = res;
		if (pair[0].kind == CM_NONE ||
		    cm_map_append(a, &doc, pair, 1) < 0) {
			sp->oom = 1;
			goto out;
		}
		m = sp_begin(sp);
		if (!last) {
			sp->fallback = 1;
		} else if (c.flow) {
			sp_add(sp, ", ", 2);
			c.json = 1;
			sp_flow_pairs(sp, doc.u.kids, 1, &c);
			sp_end(sp, last->end, 0, m);
		} else {
			size_t at = sp_line_after(sp, last->end);

			if (sp_needs_break(sp, at) &&
			    sp_ends_in_block_scalar(last)) {
				sp->fallback = 1; /* the emitter writes it */
				goto out;
			}
			if (sp_needs_break(sp, at))
				sp_adds(sp, sp->nl);
			sp_emitted(sp, &doc, sp_resolve(sp, &c).indent);
			sp_end(sp, at, 0, m);
		}
	}
	sp_finish(sp);
out:
	free(keep);
	return sp->oom ? -1 : 0;
}

/* Remove document i of s (from its start to the next one's). */
static void sp_drop_doc(cm_splice *sp, const cm_stream *s, size_t i)
{
	size_t e = i + 1 < s->n ? s->starts[i + 1] : sp->len;
	size_t m = sp_begin(sp);

	sp_end(sp, s->starts[i], e - s->starts[i], m);
}

int cm_splice_stream(cm_splice *sp, const cm_stream *s, const cm_node *orig,
		     const cm_node *docs, size_t n)
{
	unsigned char *keep = calloc(s->n + 1, 1);
	size_t i, k = 0, m;
	int first = 1; /* no document written before the text's start yet */
	sp_ctx c;

	memset(&c, 0, sizeof(c));
	c.step = 2;
	c.indent = (size_t)-1;
	if (!keep) {
		sp->oom = 1;
		return -1;
	}
	if (!s->spans) {
		sp->fallback = 1;
		goto out;
	}
	/* Empty documents are kept as they are (comments and all). */
	for (i = 0; i < s->n; i++)
		if (orig[i].kind != CM_MAP)
			keep[i] = 1;
	if (sp_match(sp, orig, s->n, docs, n, keep) < 0)
		goto out;
	for (i = 0; i < n && !sp->fallback && !sp->oom; i++) {
		size_t at, j;

		if (docs[i].flags & CM_NF_SRC) {
			/* Edits in input order: a removed document goes when
			 * the walk passes it. */
			while (k < s->n && !(orig[k].flags & CM_NF_SRC &&
					     orig[k].off == docs[i].off)) {
				if (!keep[k])
					sp_drop_doc(sp, s, k);
				k++;
			}
			sp_walk(sp, &docs[i], c);
			k++;
			continue;
		}
		/* A new document, before orig[k] (or at the end). */
		at = k < s->n ? s->starts[k] : sp->len;
		if (sp_needs_break(sp, at) && s->n &&
		    sp_ends_in_block_scalar(&orig[s->n - 1])) {
			/* A line break after a block scalar that ends the
			 * text would become part of its value. */
			sp->fallback = 1; /* the emitter writes it */
			break;
		}
		m = sp_begin(sp);
		if (sp_needs_break(sp, at))
			sp_adds(sp, sp->nl);
		if (at > 0 || !first) {
			sp_add(sp, "---", 3);
			sp_adds(sp, sp->nl);
		}
		first = 0;
		sp_emitted(sp, &docs[i], 0);
		/* The next document that stays must start with its own
		 * marker. */
		for (j = k; j < s->n && !keep[j]; j++)
			;
		if (j < s->n && (sp->len - s->starts[j] < 3 ||
				 memcmp(sp->src + s->starts[j], "---", 3))) {
			sp_add(sp, "---", 3);
			sp_adds(sp, sp->nl);
		}
		sp_end(sp, at, 0, m);
	}
	for (; k < s->n && !sp->fallback; k++)
		if (!keep[k])
			sp_drop_doc(sp, s, k);
	sp_finish(sp);
out:
	free(keep);
	return sp->oom ? -1 : 0;
}

size_t cm_splice_size(const cm_splice *sp)
{
	size_t total = sp->len, i;

	for (i = 0; i < sp->n; i++)
		total += sp->v[i].len - sp->v[i].del;
	return total;
}

int cm_splice_send(cm_splice *sp, FILE *file)
{
	size_t pos = 0, i;

	if (sp->fallback || sp->oom || sp->direct)
		return -1;
	sp->file = file;
	sp->sink = NULL;
	sp->niov = 0;
	/* writev() goes past stdio: nothing may wait in it. */
	errno = 0;
	if (fflush(file) != 0) {
		sp->werr = errno ? errno : EIO;
		return -1;
	}
	for (i = 0; i < sp->n && !sp->werr; i++) {
		const cm_edit *e = &sp->v[i];

		if (e->off > pos)
			sp_queue(sp, sp->src + pos, e->off - pos);
		if (e->len)
			sp_queue(sp, sp->text.data + e->text, e->len);
		pos = e->off + e->del;
	}
	if (pos < sp->len && !sp->werr)
		sp_queue(sp, sp->src + pos, sp->len - pos);
	sp_drain(sp);
	errno = 0;
	if (!sp->werr && (fflush(file) != 0 || ferror(file)))
		sp->werr = errno ? errno : EIO;
	return sp->werr ? -1 : 0;
}

int cm_splice_write(const cm_splice *sp, cm_buf *out)
{
	size_t pos = 0, i, start = out->len;

	if (cm_buf_reserve(out, cm_splice_size(sp)) < 0)
		return -1;
	for (i = 0; i < sp->n; i++) {
		const cm_edit *e = &sp->v[i];

		if (cm_buf_add(out, sp->src + pos, e->off - pos) < 0 ||
		    (e->len &&
		     cm_buf_add(out, sp->text.data + e->text, e->len) < 0))
			goto fail;
		pos = e->off + e->del;
	}
	if (cm_buf_add(out, sp->src + pos, sp->len - pos) < 0)
		goto fail;
	return 0;
fail:
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return -1;
}
