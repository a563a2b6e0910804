/* node.c - see node.h for the contract. */
#include "node.h"

#include <string.h>

/* The tree's memory is mostly nodes: keep them at 24 bytes (node.h). */
_Static_assert(sizeof(cm_node) <= 24, "cm_node grew past 24 bytes");

bool cm_scalar_is(const cm_node *n, const char *s)
{
	size_t len;

	if (!n || n->kind != CM_SCALAR)
		return false;
	len = strlen(s);
	return n->len == len && memcmp(n->u.str, s, len) == 0;
}

/* Index of the value child of key in map, or -1. */
static long cm_map_find(const cm_node *map, const char *key, size_t klen)
{
	uint32_t i;

	if (!map || map->kind != CM_MAP)
		return -1;
	for (i = 0; i < map->len; i++) {
		const cm_node *k = &map->u.kids[2 * i];

		/* Length and first byte before the call: most keys differ
		 * there. */
		if (k->kind == CM_SCALAR && k->len == klen &&
		    (klen == 0 || k->u.str[0] == key[0]) &&
		    memcmp(k->u.str, key, klen) == 0)
			return (long)(2 * i + 1);
	}
	return -1;
}

cm_node *cm_map_get(const cm_node *map, const char *key)
{
	long i = cm_map_find(map, key, strlen(key));

	return i < 0 ? NULL : &map->u.kids[i];
}

cm_node *cm_map_path(const cm_node *map, const char *dotted)
{
	const cm_node *cur = map;
	const char *p = dotted;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		long i = cm_map_find(cur, p, n);

		if (i < 0)
			return NULL;
		cur = &cur->u.kids[i];
		p += n;
		if (*p == '.')
			p++;
	}
	return (cm_node *)cur;
}

const char *cm_map_str(const cm_node *map, const char *dotted)
{
	const cm_node *n = cm_map_path(map, dotted);

	/* Text with a NUL of its own is not a C string: "ResourceList\0x"
	 * must not read as "ResourceList". */
	if (!n || n->kind != CM_SCALAR || strlen(n->u.str) != n->len)
		return NULL;
	return n->u.str;
}

static bool cm_eq_any(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && memcmp(*words, s, len) == 0)
			return true;
	return false;
}

bool cm_plain_is_special(const char *s, size_t len)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES",
		"n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
		"False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "<<",
		"=", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
		"-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL,
	};
	/* Characters that can make up an int, float, sexagesimal or
	 * timestamp in YAML 1.1/1.2, when the text starts like a number. */
	static const char numeric[] = "0123456789abcdefABCDEFxXoO_.:+-tTzZ ";
	/* The first characters of the words above. */
	static const char starts[] = "~nNyYtTfFoO<=.+-";
	bool digit = false;
	size_t i;

	if (len == 0)
		return true;
	/* Most text (names, paths, images) starts with a letter no word
	 * starts with: settled by its first byte. */
	if (len <= 6 && memchr(starts, s[0], sizeof(starts) - 1) &&
	    cm_eq_any(s, len, words))
		return true;
	if (!(s[0] == '+' || s[0] == '-' || s[0] == '.' ||
	      (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (s[i] == '\0' || !memchr(numeric, s[i], sizeof(numeric) - 1))
			return false;
	}
	/* "-" or "." alone, or "-foo"-like words, are strings; anything
	 * numeric-looking with at least one digit is treated as special. */
	return digit;
}

bool cm_node_is_null(const cm_node *n)
{
	return n->kind == CM_SCALAR && n->style == CM_STYLE_PLAIN &&
	       !(n->flags & CM_NF_TAG) &&
	       (n->len == 0 || cm_scalar_is(n, "~") || cm_scalar_is(n, "null") ||
		cm_scalar_is(n, "Null") || cm_scalar_is(n, "NULL"));
}

const char *cm_node_shape(const cm_node *n)
{
	switch (n->kind) {
	case CM_MAP:
		return "a mapping";
	case CM_SEQ:
		return "a list";
	default:
		return n->len ? "a scalar" : "empty";
	}
}

bool cm_scalar_is_string(const cm_node *n)
{
	if (!n || n->kind != CM_SCALAR)
		return false;
	if (n->flags & CM_NF_TAG)
		return strcmp(cm_node_tag(n), "tag:yaml.org,2002:str") == 0;
	if (n->style != CM_STYLE_PLAIN && n->style != CM_STYLE_ANY)
		return true;
	return !cm_plain_is_special(n->u.str, n->len);
}

cm_node cm_str_new(cm_arena *a, const char *s)
{
	cm_node n;
	size_t len = strlen(s);

	memset(&n, 0, sizeof(n));
	if (len > CM_NODE_MAX_LEN)
		return n;
	n.u.str = cm_arena_strndup(a, s, len);
	if (!n.u.str)
		return n;
	n.kind = CM_SCALAR;
	n.len = (uint32_t)len;
	n.style = cm_plain_is_special(s, len) ? CM_STYLE_DOUBLE : CM_STYLE_PLAIN;
	return n;
}

cm_node cm_map_new(void)
{
	cm_node n;

	memset(&n, 0, sizeof(n));
	n.kind = CM_MAP;
	return n;
}

cm_node cm_seq_new(void)
{
	cm_node n;

	memset(&n, 0, sizeof(n));
	n.kind = CM_SEQ;
	return n;
}

/* The tag slot of a node with CM_NF_TAG: the pointer just before its
 * text or children (node.h). */
static const char **cm_tag_slot(const cm_node *n)
{
	const void *p = n->kind == CM_SCALAR ? (const void *)n->u.str
					     : (const void *)n->u.kids;

	return (const char **)p - 1;
}

const char *cm_node_tag(const cm_node *n)
{
	return n->flags & CM_NF_TAG ? *cm_tag_slot(n) : NULL;
}

/*
 * An array of count nodes (uninitialised) in a, with a tag slot in front
 * holding tag when tag is not NULL. NULL when the arena is full.
 */
static cm_node *cm_kids_alloc(cm_arena *a, const char *tag, size_t count)
{
	const char **slot;

	if (count > (SIZE_MAX - sizeof(*slot)) / sizeof(cm_node))
		return NULL;
	if (!tag)
		return cm_arena_alloc(a, count ? count * sizeof(cm_node) : 1);
	slot = cm_arena_alloc(a, sizeof(*slot) + count * sizeof(cm_node));
	if (!slot)
		return NULL;
	*slot = tag;
	return (cm_node *)(void *)(slot + 1);
}

cm_node cm_node_tagged(cm_arena *a, cm_node n, const char *tag)
{
	cm_node none;
	const char **slot;
	char *text;
	size_t count;

	memset(&none, 0, sizeof(none));
	if (!tag)
		return n;
	tag = cm_arena_strndup(a, tag, strlen(tag));
	if (!tag)
		return none;
	if (n.kind == CM_SCALAR) {
		slot = cm_arena_alloc(a, sizeof(*slot) + (size_t)n.len + 1);
		if (!slot)
			return none;
		*slot = tag;
		text = (char *)(slot + 1);
		memcpy(text, n.u.str, n.len);
		text[n.len] = '\0';
		n.u.str = text;
	} else {
		cm_node *kids;

		count = n.kind == CM_MAP ? 2 * (size_t)n.len : n.len;
		kids = cm_kids_alloc(a, tag, count);
		if (!kids)
			return none;
		if (count)
			memcpy(kids, n.u.kids, count * sizeof(cm_node));
		n.u.kids = kids;
	}
	n.flags |= CM_NF_TAG;
	return n;
}

/*
 * Replace coll's children by a fresh array of `count` nodes whose first
 * `keep` are copied from the old array. Returns the new array or NULL
 * (coll unchanged) when the arena is full.
 */
static cm_node *cm_kids_realloc(cm_arena *a, cm_node *coll, size_t keep,
				size_t count)
{
	cm_node *kids = cm_kids_alloc(a, cm_node_tag(coll), count);

	if (!kids)
		return NULL;
	if (coll->flags & (CM_NF_SRC | CM_NF_REPLACES))
		cm_arena_log(a, coll->off); /* a read collection changed */
	if (keep)
		memcpy(kids, coll->u.kids, keep * sizeof(cm_node));
	coll->u.kids = kids;
	return kids;
}

int cm_map_set(cm_arena *a, cm_node *map, const char *key, cm_node value)
{
	size_t klen = strlen(key);
	long i;
	cm_node k, *kids;

	if (!map || map->kind != CM_MAP || value.kind == CM_NONE)
		return -1;
	i = cm_map_find(map, key, klen);
	if (i >= 0) {
		cm_node_replace(a, &map->u.kids[i], value);
		return 0;
	}
	if (map->len >= CM_NODE_MAX_LEN)
		return -1;
	k = cm_str_new(a, key);
	if (k.kind == CM_NONE)
		return -1;
	kids = cm_kids_realloc(a, map, 2 * (size_t)map->len,
			       2 * (size_t)map->len + 2);
	if (!kids)
		return -1;
	kids[2 * map->len] = k;
	kids[2 * map->len + 1] = value;
	map->len++;
	return 0;
}

void cm_node_replace(cm_arena *a, cm_node *old, cm_node value)
{
	if (old->flags & (CM_NF_SRC | CM_NF_REPLACES | CM_NF_ALIAS)) {
		cm_arena_log(a, old->off);
		value.flags = (uint16_t)((value.flags & ~(CM_NF_SRC | CM_NF_ALIAS)) |
					 CM_NF_REPLACES);
		value.off = old->off;
		value.end = old->end;
	}
	*old = value;
}

int cm_map_append(cm_arena *a, cm_node *map, const cm_node *pairs, size_t n)
{
	cm_node *kids;

	if (!map || map->kind != CM_MAP || n > CM_NODE_MAX_LEN - map->len)
		return -1;
	if (n == 0)
		return 0;
	kids = cm_kids_realloc(a, map, 2 * (size_t)map->len,
			       2 * ((size_t)map->len + n));
	if (!kids)
		return -1;
	memcpy(kids + 2 * (size_t)map->len, pairs, 2 * n * sizeof(cm_node));
	map->len += (uint32_t)n;
	return 0;
}

int cm_seq_push(cm_arena *a, cm_node *seq, cm_node item)
{
	cm_node *kids;

	if (!seq || seq->kind != CM_SEQ || item.kind == CM_NONE ||
	    seq->len >= CM_NODE_MAX_LEN)
		return -1;
	kids = cm_kids_realloc(a, seq, seq->len, (size_t)seq->len + 1);
	if (!kids)
		return -1;
	kids[seq->len++] = item;
	return 0;
}

int cm_map_del(cm_arena *a, cm_node *map, const char *key)
{
	long i = cm_map_find(map, key, strlen(key));
	size_t k, total;
	cm_node *old;

	if (i < 0)
		return 0;
	old = map->u.kids;
	total = 2 * (size_t)map->len;
	if (!cm_kids_realloc(a, map, 0, total - 2 ? total - 2 : 1))
		return -1;
	for (k = 0; k < (size_t)i - 1; k++)
		map->u.kids[k] = old[k];
	for (k = (size_t)i + 1; k < total; k++)
		map->u.kids[k - 2] = old[k];
	map->len--;
	return 1;
}

cm_node cm_node_copy(cm_arena *a, const cm_node *src, size_t *budget)
{
	cm_node out, none;
	size_t n, i;

	memset(&none, 0, sizeof(none));
	if (*budget == 0)
		return none;
	(*budget)--;
	out = *src;
	if (src->kind == CM_SCALAR || src->kind == CM_NONE || src->len == 0)
		return out; /* scalar text is immutable: share it */
	n = src->kind == CM_MAP ? 2 * (size_t)src->len : src->len;
	out.u.kids = cm_kids_alloc(a, cm_node_tag(src), n);
	if (!out.u.kids)
		return none;
	for (i = 0; i < n; i++) {
		out.u.kids[i] = cm_node_copy(a, &src->u.kids[i], budget);
		if (out.u.kids[i].kind == CM_NONE)
			return none;
	}
	return out;
}

bool cm_node_equal(const cm_node *x, const cm_node *y)
{
	size_t n, i;

	if (x->kind != y->kind || x->len != y->len)
		return false;
	if ((x->flags & CM_NF_TAG) != (y->flags & CM_NF_TAG) ||
	    ((x->flags & CM_NF_TAG) &&
	     strcmp(cm_node_tag(x), cm_node_tag(y)) != 0))
		return false;
	if (x->kind == CM_SCALAR)
		return memcmp(x->u.str, y->u.str, x->len) == 0;
	n = x->kind == CM_MAP ? 2 * (size_t)x->len : x->len;
	for (i = 0; i < n; i++)
		if (!cm_node_equal(&x->u.kids[i], &y->u.kids[i]))
			return false;
	return true;
}
