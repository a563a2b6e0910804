/*
 * diag.h - diagnostics: what the function reports, as KRM `results`
 * entries and as stderr lines.
 *
 * Invariants:
 *   - Every entry has a severity and a message; the other fields are
 *     optional (NULL, or index < 0 for file.index).
 *   - Messages follow the house style: lowercase start, the thing named in
 *     quotes, what was expected and how to fix it.
 *   - Every stored string is valid UTF-8: bytes of a broken sequence (say,
 *     a character cut in half by a fixed-size buffer) are dropped on add.
 *
 * Ownership: the list owns every string in it (copied on add).
 * cm_diags_free() releases them.
 */
#ifndef CM_DIAG_H
#define CM_DIAG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum cm_severity {
	CM_SEV_INFO = 0,
	CM_SEV_WARNING = 1,
	CM_SEV_ERROR = 2,
} cm_severity;

/* Where a diagnostic points: the resource, the field, the file. */
typedef struct cm_where {
	const char *api_version;
	const char *kind;
	const char *name;
	const char *namespace_;
	const char *field_path; /* e.g. "spec.cost.costCenter" */
	const char *file_path;  /* e.g. "deployment.yaml" or "stdin" */
	long file_index;        /* document index in that file, or -1 */
} cm_where;

typedef struct cm_diag {
	cm_severity severity;
	char *message;
	cm_where where; /* strings owned by the list */
} cm_diag;

/* Most entries kept; past that they are counted, not stored, so hostile
 * input (millions of unknown keys) cannot exhaust memory. */
#define CM_DIAG_MAX 1000

typedef struct cm_diags {
	cm_diag *v;
	size_t n;
	size_t cap;
	size_t errors;   /* problems with CM_SEV_ERROR, stored or not */
	size_t warnings; /* problems with CM_SEV_WARNING, stored or not */
	size_t dropped;  /* problems past CM_DIAG_MAX, not stored */
} cm_diags;

#define CM_WHERE_NONE ((cm_where){NULL, NULL, NULL, NULL, NULL, NULL, -1})

void cm_diags_init(cm_diags *d);
void cm_diags_free(cm_diags *d);

/*
 * Add an entry; where may be NULL. Copies every string. If memory runs
 * out the entry is replaced by a fixed "out of memory" error, so an error
 * is never lost. Past CM_DIAG_MAX entries the problem is only counted;
 * the last stored entry then says how many more there were.
 */
void cm_diag_add(cm_diags *d, cm_severity sev, const cm_where *where,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cm_diag_vadd(cm_diags *d, cm_severity sev, const cm_where *where,
		  const char *fmt, va_list ap);

/* "error", "warning" or "info". */
const char *cm_severity_name(cm_severity sev);

/*
 * Print each entry of at least min_sev to stream as one line:
 *   krm-fn: error: <message> (<Kind> <namespace>/<name>, field <path>, file <path>)
 */
void cm_diags_print(const cm_diags *d, cm_severity min_sev, void *stream);

/*
 * The same, with every '%' written as "%%": kustomize's legacy exec
 * plugin runner (kustomize v5, kubectl kustomize) uses the plugin's
 * stderr as the format string of its error message
 * (errors.WrapPrefixf(err, stderr)), which turns "%%" back into '%'.
 */
void cm_diags_print_percent_escaped(const cm_diags *d, cm_severity min_sev,
				    void *stream);

#endif
