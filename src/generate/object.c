/* object.c - see object.h for the contract. */
#include "object.h"

#include <stdbool.h>
#include <string.h>

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
	    (x->tag == NULL) != (y->tag == NULL) ||
	    (x->tag && strcmp(x->tag, y->tag)))
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

int cm_gen_upsert(cm_arena *a, cm_node *items, cm_node obj)
{
	const char *kind = cm_map_str(&obj, "kind");
	const char *name = cm_map_str(&obj, "metadata.name");
	const char *ns = cm_map_str(&obj, "metadata.namespace");
	uint32_t i, k;

	for (i = 0; i < items->len; i++) {
		cm_node *it = &items->u.kids[i];
		const cm_node *old_ann;
		cm_node *md, *ann;

		if (it->kind != CM_MAP ||
		    !cm_scalar_is(cm_map_get(it, "kind"), kind) ||
		    !cm_scalar_is(cm_map_path(it, "metadata.name"), name) ||
		    !cm_ns_same(cm_map_str(it, "metadata.namespace"), ns))
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
			*it = obj;
		return 0;
	}
	return cm_seq_push(a, items, obj);
}
