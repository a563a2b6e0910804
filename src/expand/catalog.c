/* catalog.c - see catalog.h for the contract. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "../core/item.h"
#include "../read/parse.h"
#include "builtin.h"

const cm_node *cm_find_workload(const cm_index *ix, const char *svc)
{
	const cm_node *only = NULL;
	size_t i, count = 0;

	for (i = 0; ix && i < ix->n; i++) {
		const cm_item_facts *f = &ix->v[i];

		if (!cm_facts_changeable(f) ||
		    f->workload == CM_WORKLOAD_NONE)
			continue;
		if (f->name && !strcmp(f->name, svc))
			return &ix->items->u.kids[i];
		only = &ix->items->u.kids[i];
		count++;
	}
	return count == 1 ? only : NULL;
}

static bool cm_is_profile_kind(const char *kind)
{
	return kind && (!strcmp(kind, "CostProfile") ||
			!strcmp(kind, "MonitoringProfile"));
}

/* Add an entry. 0 or -1 (out of memory). */
static int cm_catalog_add(cm_catalog *cat, const char *kind, const char *name,
			  const cm_node *node, bool builtin)
{
	if (cat->n == cat->cap) {
		size_t cap = cat->cap ? cat->cap * 2 : 16;
		cm_catalog_entry *v = realloc(cat->v, cap * sizeof(*v));

		if (!v)
			return -1;
		cat->v = v;
		cat->cap = cap;
	}
	cat->v[cat->n].kind = kind;
	cat->v[cat->n].name = name;
	cat->v[cat->n].node = node;
	cat->v[cat->n].builtin = builtin;
	cat->n++;
	return 0;
}

static cm_catalog_entry *cm_catalog_slot(cm_catalog *cat, const char *kind,
					 const char *name)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (!strcmp(cat->v[i].kind, kind) &&
		    !strcmp(cat->v[i].name, name))
			return &cat->v[i];
	return NULL;
}

int cm_catalog_build(cm_arena *a, const cm_index *ix, cm_catalog *cat,
		     cm_diags *diags)
{
	static const cm_parse_limits lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					    CM_MAX_ALIAS_BYTES};
	cm_stream s;
	size_t i;
	int rc = 0;

	memset(cat, 0, sizeof(*cat));
	for (i = 0; cm_builtin_profiles[i]; i++) {
		if (cm_parse(a, cm_builtin_profiles[i],
			     strlen(cm_builtin_profiles[i]), "built-in profiles",
			     &lim, &s, diags) < 0)
			return -1;
		if (s.n != 1 ||
		    cm_catalog_add(cat, cm_map_str(&s.docs[0], "kind"),
				   cm_map_str(&s.docs[0], "metadata.name"),
				   &s.docs[0], true) < 0)
			goto oom;
	}
	for (i = 0; ix && i < ix->n; i++) {
		const cm_node *it = &ix->items->u.kids[i];
		const char *kind = ix->v[i].kind;
		const char *name = ix->v[i].name;
		cm_where w;
		cm_catalog_entry *e;

		if (!(ix->v[i].flags & CM_IF_COSTMON) ||
		    !cm_is_profile_kind(kind))
			continue;
		w = cm_item_where(it);
		if (!name || !*name) {
			w.field_path = "metadata.name";
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s has no metadata.name; give the profile "
				    "the name services refer to",
				    kind);
			rc = -1;
			continue;
		}
		if (!(ix->v[i].flags & CM_IF_LOCAL))
			cm_diag_add(diags, CM_SEV_WARNING, &w,
				    "%s \"%s\" is not marked "
				    "config.kubernetes.io/local-config: \"true\"; "
				    "add the annotation so kustomize and kpt keep "
				    "it out of the cluster",
				    kind, name);
		e = cm_catalog_slot(cat, kind, name);
		if (e && !e->builtin) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s \"%s\" is defined twice in the input; "
				    "keep one definition",
				    kind, name);
			rc = -1;
			continue;
		}
		if (e) {
			e->node = it; /* an item replaces the built-in */
			e->builtin = false;
		} else if (cm_catalog_add(cat, kind, name, it, false) < 0) {
			goto oom;
		}
	}
	return rc;
oom:
	cm_diag_add(diags, CM_SEV_ERROR, NULL,
		    "out of memory while reading profiles");
	return -1;
}

void cm_catalog_free(cm_catalog *cat)
{
	free(cat->v);
	memset(cat, 0, sizeof(*cat));
}

const cm_catalog_entry *cm_catalog_find(const cm_catalog *cat,
					const char *kind, const char *name)
{
	return cm_catalog_slot((cm_catalog *)cat, kind, name);
}

static int cm_strcmp_p(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

char *cm_catalog_names(const cm_catalog *cat, const char *kind, char *out,
		       size_t n)
{
	const char **names = malloc((cat->n + 1) * sizeof(*names));
	size_t i, k = 0, len = 0;

	if (n)
		out[0] = '\0';
	if (!names)
		return out;
	for (i = 0; i < cat->n; i++)
		if (!strcmp(cat->v[i].kind, kind))
			names[k++] = cat->v[i].name;
	qsort(names, k, sizeof(*names), cm_strcmp_p);
	for (i = 0; i < k; i++) {
		size_t w = strlen(names[i]);

		if (len + w + 3 >= n)
			break;
		if (i) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, names[i], w + 1);
		len += w;
	}
	free(names);
	return out;
}
