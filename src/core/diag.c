/* diag.c - see diag.h for the contract. */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Make s valid UTF-8 in place by dropping every byte that does not start
 * a complete, well-formed sequence (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF). Messages quote user text that callers
 * cut to fit fixed-size buffers, and a cut can split a multi-byte
 * character; KRM results are written as YAML, which must be UTF-8, so
 * one broken byte would make the whole output unwritable.
 */
static void cm_utf8_repair(char *s)
{
	const unsigned char *r = (const unsigned char *)s;
	unsigned char *w = (unsigned char *)s;

	while (*r) {
		unsigned c = r[0];
		size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
				     : c >= 0xE0 && c <= 0xEF ? 3
				     : c >= 0xF0 && c <= 0xF4 ? 4
							      : 0;
		size_t k;

		for (k = 1; k < n; k++)
			if ((r[k] & 0xC0) != 0x80)
				n = 0; /* also stops at the NUL */
		/* Overlong 3/4-byte forms, surrogates, past U+10FFFF. */
		if ((c == 0xE0 && n && r[1] < 0xA0) ||
		    (c == 0xED && n && r[1] > 0x9F) ||
		    (c == 0xF0 && n && r[1] < 0x90) ||
		    (c == 0xF4 && n && r[1] > 0x8F))
			n = 0;
		if (n == 0) {
			r++;
			continue;
		}
		for (k = 0; k < n; k++)
			*w++ = *r++;
	}
	*w = '\0';
}

/* A copy of s that is valid UTF-8 (see cm_utf8_repair); NULL for NULL. */
static char *cm_dup(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s);
	p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n + 1);
		cm_utf8_repair(p);
	}
	return p;
}

void cm_diags_init(cm_diags *d)
{
	memset(d, 0, sizeof(*d));
}

static void cm_where_free(cm_where *w)
{
	free((char *)w->api_version);
	free((char *)w->kind);
	free((char *)w->name);
	free((char *)w->namespace_);
	free((char *)w->field_path);
	free((char *)w->file_path);
}

void cm_diags_free(cm_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].message);
		cm_where_free(&d->v[i].where);
	}
	free(d->v);
	cm_diags_init(d);
}

/* Storage that never fails, for the entry that reports running out. */
static char cm_oom_message[] = "out of memory while reporting a problem";

void cm_diag_vadd(cm_diags *d, cm_severity sev, const cm_where *where,
		  const char *fmt, va_list ap)
{
	cm_diag e;
	va_list cp;
	int n;

	if (d->n >= CM_DIAG_MAX) {
		char msg[160];

		d->dropped++;
		if (sev == CM_SEV_ERROR)
			d->errors++;
		else if (sev == CM_SEV_WARNING)
			d->warnings++;
		/* Keep the last entry a summary of what was left out. */
		/* Hidden: every problem counted here, and the entry that
		 * this summary replaced. */
		snprintf(msg, sizeof(msg),
			 "%zu more problems are not listed (only the first %d "
			 "are); fix these and run again",
			 d->dropped + 1, CM_DIAG_MAX - 1);
		free(d->v[d->n - 1].message);
		cm_where_free(&d->v[d->n - 1].where);
		d->v[d->n - 1].where = CM_WHERE_NONE;
		d->v[d->n - 1].message = cm_dup(msg);
		if (sev > d->v[d->n - 1].severity)
			d->v[d->n - 1].severity = sev;
		return;
	}
	memset(&e, 0, sizeof(e));
	e.severity = sev;
	e.where = CM_WHERE_NONE;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n >= 0 && (e.message = malloc((size_t)n + 1))) {
		vsnprintf(e.message, (size_t)n + 1, fmt, ap);
		cm_utf8_repair(e.message);
	}
	if (where) {
		e.where.api_version = cm_dup(where->api_version);
		e.where.kind = cm_dup(where->kind);
		e.where.name = cm_dup(where->name);
		e.where.namespace_ = cm_dup(where->namespace_);
		e.where.field_path = cm_dup(where->field_path);
		e.where.file_path = cm_dup(where->file_path);
		e.where.file_index = where->file_index;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		cm_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			/* Keep the report of trouble: overwrite the last entry. */
			free(e.message);
			cm_where_free(&e.where);
			if (d->n == 0)
				return;
			e = d->v[d->n - 1];
			free(e.message);
			cm_where_free(&e.where);
			memset(&d->v[d->n - 1], 0, sizeof(cm_diag));
			d->v[d->n - 1].severity = CM_SEV_ERROR;
			d->v[d->n - 1].message = cm_dup(cm_oom_message);
			d->v[d->n - 1].where = CM_WHERE_NONE;
			d->errors++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	if (!e.message)
		e.message = cm_dup(cm_oom_message);
	d->v[d->n++] = e;
	if (sev == CM_SEV_ERROR)
		d->errors++;
	else if (sev == CM_SEV_WARNING)
		d->warnings++;
}

void cm_diag_add(cm_diags *d, cm_severity sev, const cm_where *where,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cm_diag_vadd(d, sev, where, fmt, ap);
	va_end(ap);
}

const char *cm_severity_name(cm_severity sev)
{
	switch (sev) {
	case CM_SEV_ERROR:
		return "error";
	case CM_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

/* Write s to f; with esc, each '%' as "%%". */
static void cm_put(const char *s, FILE *f, int esc)
{
	for (; *s; s++) {
		if (esc && *s == '%')
			fputc('%', f);
		fputc(*s, f);
	}
}

static void cm_print(const cm_diags *d, cm_severity min_sev, FILE *f,
		     int esc)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const cm_diag *e = &d->v[i];
		const cm_where *w = &e->where;
		const char *sep = " (";

		if (e->severity < min_sev)
			continue;
		fprintf(f, "krm-fn: %s: ", cm_severity_name(e->severity));
		cm_put(e->message ? e->message : cm_oom_message, f, esc);
		if (w->kind || w->name) {
			fprintf(f, "%s", sep);
			cm_put(w->kind ? w->kind : "?", f, esc);
			fputc(' ', f);
			if (w->namespace_) {
				cm_put(w->namespace_, f, esc);
				fputc('/', f);
			}
			cm_put(w->name ? w->name : "?", f, esc);
			sep = ", ";
		}
		if (w->field_path) {
			fprintf(f, "%sfield ", sep);
			cm_put(w->field_path, f, esc);
			sep = ", ";
		}
		if (w->file_path) {
			fprintf(f, "%sfile ", sep);
			cm_put(w->file_path, f, esc);
			sep = ", ";
		}
		fputs(sep[0] == ',' ? ")\n" : "\n", f);
	}
}

void cm_diags_print(const cm_diags *d, cm_severity min_sev, void *stream)
{
	cm_print(d, min_sev, stream, 0);
}

void cm_diags_print_percent_escaped(const cm_diags *d, cm_severity min_sev,
				    void *stream)
{
	cm_print(d, min_sev, stream, 1);
}
