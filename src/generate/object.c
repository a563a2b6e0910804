/* object.c - see object.h for the contract. */
#include "object.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/item.h"
#include "../expand/catalog.h"

static bool cm_ns_same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/*
 * Data equality where a mapping's keys may come in any order (kustomize
 * writes them sorted) and scalars compare by text and by whether they
 * read back as strings (6000 and "6000" differ); styles and line folding
 * do not matter.
 */
static bool cm_same_data(const cm_node *x, const cm_node *y)
{
	uint32_t i;

	if (x->kind != y->kind || x->len != y->len ||
	    (cm_node_tag(x) == NULL) != (cm_node_tag(y) == NULL) ||
	    (cm_node_tag(x) &&
	     strcmp(cm_node_tag(x), cm_node_tag(y))))
		return false;
	switch (x->kind) {
	case CM_SCALAR:
		return !memcmp(x->u.str, y->u.str, x->len) &&
		       cm_scalar_is_string(x) == cm_scalar_is_string(y);
	case CM_SEQ:
		for (i = 0; i < x->len; i++)
			if (!cm_same_data(&x->u.kids[i], &y->u.kids[i]))
				return false;
		return true;
	case CM_MAP:
		for (i = 0; i < x->len; i++) {
			const cm_node *k = &x->u.kids[2 * i];
			const cm_node *v;

			if (k->kind != CM_SCALAR)
				return false;
			v = cm_map_get(y, k->u.str);
			if (!v || !cm_same_data(&x->u.kids[2 * i + 1], v))
				return false;
		}
		return true;
	default:
		return true;
	}
}

int cm_gen_upsert(cm_arena *a, cm_index *ix, cm_node obj)
{
	const char *kind = cm_map_str(&obj, "kind");
	const char *name = cm_map_str(&obj, "metadata.name");
	const char *ns = cm_map_str(&obj, "metadata.namespace");
	size_t i;
	uint32_t k;

	for (i = 0; kind && name && i < ix->n; i++) {
		const cm_item_facts *f = &ix->v[i];
		cm_node *it = &ix->items->u.kids[i];
		const cm_node *old_ann;
		cm_node *md, *ann;

		if (!(f->flags & CM_IF_MAP) || !f->kind || strcmp(f->kind, kind) ||
		    !f->name || strcmp(f->name, name) || !cm_ns_same(f->ns, ns))
			continue;
		old_ann = cm_map_path(it, "metadata.annotations");
		md = cm_map_get(&obj, "metadata");
		for (k = 0; old_ann && old_ann->kind == CM_MAP && k < old_ann->len; k++) {
			const cm_node *key = &old_ann->u.kids[2 * k];

			if (key->kind != CM_SCALAR ||
			    !cm_is_orchestrator_key(key->u.str))
				continue;
			ann = cm_map_get(md, "annotations");
			if (!ann) {
				if (cm_map_set(a, md, "annotations", cm_map_new()) < 0)
					return -1;
				ann = cm_map_get(md, "annotations");
			}
			if (ann && cm_map_set(a, ann, key->u.str,
					      old_ann->u.kids[2 * k + 1]) < 0)
				return -1;
		}
		if (!cm_same_data(it, &obj))
			return cm_index_put(a, ix, i, obj);
		return 0;
	}
	return cm_index_put(a, ix, ix->n, obj);
}

/* ---- the object builder ---- */

/* Returns a scalar node in b's arena, or CM_NONE with oom set. */
cm_node cm_ob_str(cm_ob *b, const char *s)
{
	cm_node n = cm_str_new(b->a, s);

	if (n.kind == CM_NONE)
		b->oom = 1;
	return n;
}

/* Stores v under k; on failure (or after one) sets oom and skips. */
void cm_ob_put(cm_ob *b, cm_node *map, const char *k, cm_node v)
{
	if (b->oom || v.kind == CM_NONE || cm_map_set(b->a, map, k, v) < 0)
		b->oom = 1;
}

/* Stores a copy of v under k; a NULL v is no value and stores nothing. */
void cm_ob_puts(cm_ob *b, cm_node *map, const char *k, const char *v)
{
	if (v)
		cm_ob_put(b, map, k, cm_ob_str(b, v));
}

/* Appends v; on failure (or after one) sets oom and skips. */
void cm_ob_push(cm_ob *b, cm_node *seq, cm_node v)
{
	if (b->oom || v.kind == CM_NONE || cm_seq_push(b->a, seq, v) < 0)
		b->oom = 1;
}

/*
 * Returns the formatted text in b's arena, or "" with oom set. The
 * temporary buffer is freed here.
 */
const char *cm_ob_fmt(cm_ob *b, const char *fmt, ...)
{
	cm_buf t;
	va_list ap;
	char *s;

	cm_buf_init(&t, CM_OB_TEXT_MAX);
	va_start(ap, fmt);
	if (cm_buf_vaddf(&t, fmt, ap) < 0)
		b->oom = 1;
	va_end(ap);
	s = cm_arena_strndup(b->a, t.data ? t.data : "", t.len);
	cm_buf_free(&t);
	if (!s)
		b->oom = 1;
	return s ? s : "";
}

/* Returns a copy of s (NULL: "") in b's arena, or "" with oom set. */
const char *cm_ob_dup(cm_ob *b, const char *s)
{
	char *d = cm_arena_strndup(b->a, s ? s : "", s ? strlen(s) : 0);

	if (!d)
		b->oom = 1;
	return d ? d : "";
}

/* Stores rules (arena nodes) in pr; on failure (or after one) sets oom. */
void cm_ob_rule_group(cm_ob *b, cm_node *pr, const char *group, cm_node rules)
{
	cm_node spec = cm_map_new(), groups = cm_seq_new(), grp = cm_map_new();

	cm_ob_puts(b, &grp, "name", group);
	cm_ob_put(b, &grp, "rules", rules);
	cm_ob_push(b, &groups, grp);
	cm_ob_put(b, &spec, "groups", groups);
	cm_ob_put(b, pr, "spec", spec);
}
