/* pdec.c - see pdec.h for the contract. */
#include "pdec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/item.h"
#include "../core/text.h"

void cm_pdec_init(cm_pdec *d, cm_arena *a, cm_diags *diags,
		  const cm_catalog_entry *e, const char *what)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	d->diags = diags;
	d->where = e->builtin ? CM_WHERE_NONE : cm_item_where(e->node);
	snprintf(d->label, sizeof(d->label), "%s%s \"%s\"",
		 e->builtin ? "built-in " : "", what, e->name);
}

void cm_perr(cm_pdec *d, const char *path, const char *fmt, ...)
{
	char msg[768];
	cm_where w = d->where;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w.field_path = path;
	cm_diag_add(d->diags, CM_SEV_ERROR, &w, "%s: %s", d->label, msg);
	d->errors++;
}

bool cm_word_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

void cm_pcheck_keys(cm_pdec *d, const cm_node *m, const char *prefix,
		    const char *const *known)
{
	uint32_t i;

	if (!m || m->kind != CM_MAP)
		return;
	for (i = 0; i < m->len; i++) {
		const cm_node *k = &m->u.kids[2 * i];
		const char *name = k->kind == CM_SCALAR ? k->u.str : "?";
		char path[256], list[256];
		const char *near;

		if (k->kind == CM_SCALAR && cm_word_in(name, known))
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, name);
		near = cm_suggest(name, known);
		cm_join(list, sizeof(list), known);
		cm_perr(d, path, "unknown field \"%s\"%s%s%s; known fields: %s",
			path, near ? "; did you mean \"" : "", near ? near : "",
			near ? "\"?" : "", list);
	}
}

void cm_pcheck_fields(cm_pdec *d, const cm_node *m, const char *prefix,
		      const cm_fdesc *t)
{
	const char *names[64];

	cm_pcheck_keys(d, m, prefix, cm_fd_names(t, names, 64));
}
