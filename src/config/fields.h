/*
 * fields.h - the fields of costmon's own kinds (ServiceProfile,
 * CostProfile, MonitoringProfile, and the ServiceProfile's ConfigMap
 * form), as tables: name, shape, description, allowed words.
 *
 * One source of truth: the decoders take the names they accept from
 * these tables (an unknown field is reported with the table's names), and
 * `krm-fn schema` prints the JSON Schema built from the same tables. A new
 * field is one entry here plus the code that reads its value.
 *
 * Invariants:
 *   - Every table ends with an entry whose name is NULL.
 *   - An entry of shape CM_FD_OBJECT, CM_FD_MAP_OF or CM_FD_LIST_OF has
 *     sub (the fields of the object, of each map value or list element);
 *     other shapes have sub == NULL.
 *
 * Ownership: static, read-only data.
 */
#ifndef CM_FIELDS_H
#define CM_FIELDS_H

#include <stddef.h>

typedef enum cm_fd_shape {
	CM_FD_STRING,   /* a string */
	CM_FD_NUMBER,   /* an exact decimal: a YAML number or a string of one */
	CM_FD_BOOL,     /* true or false */
	CM_FD_PORT,     /* a port name or number */
	CM_FD_STRINGS,  /* a list of strings */
	CM_FD_NUMBERS,  /* a list of exact decimals */
	CM_FD_STRMAP,   /* a mapping of string to string */
	CM_FD_MAPPING,  /* any mapping (e.g. a Kubernetes label selector) */
	CM_FD_NUMMAP,   /* a mapping of name to a decimal */
	CM_FD_OBJECT,   /* a mapping with the fields in sub */
	CM_FD_MAP_OF,   /* a mapping of name to an object with fields sub */
	CM_FD_LIST_OF,  /* a list of objects with fields sub */
} cm_fd_shape;

typedef struct cm_fdesc {
	const char *name;
	cm_fd_shape shape;
	int required;
	const char *description;
	const char *const *words; /* allowed values, NULL-terminated, or NULL */
	const struct cm_fdesc *sub;
} cm_fdesc;

/* spec of a ServiceProfile; data of its ConfigMap form. */
extern const cm_fdesc cm_fd_service_spec[];
extern const cm_fdesc cm_fd_service_flat[];
/* Parts of the ServiceProfile spec, for its decoder. */
extern const cm_fdesc cm_fd_service_cost[];
extern const cm_fdesc cm_fd_service_monitoring[];
extern const cm_fdesc cm_fd_service_slo[];
extern const cm_fdesc cm_fd_service_labels[];
extern const cm_fdesc cm_fd_service_pod_labels[];
extern const cm_fdesc cm_fd_service_dashboard[];

/* spec of a CostProfile and its parts. */
extern const cm_fdesc cm_fd_cost_spec[];
extern const cm_fdesc cm_fd_cost_env[];
extern const cm_fdesc cm_fd_cost_alert[];

/* spec of a MonitoringProfile and its parts. */
extern const cm_fdesc cm_fd_mon_spec[];
extern const cm_fdesc cm_fd_mon_endpoint[];
extern const cm_fdesc cm_fd_mon_traffic[];
extern const cm_fdesc cm_fd_mon_slo[];
extern const cm_fdesc cm_fd_mon_resources[];
extern const cm_fdesc cm_fd_mon_alerts[];
extern const cm_fdesc cm_fd_mon_dynatrace[];
extern const cm_fdesc cm_fd_mon_matcher[];
extern const cm_fdesc cm_fd_mon_severity[];
extern const cm_fdesc cm_fd_mon_dashboard[];
extern const cm_fdesc cm_fd_mon_panel[];

/*
 * The names of table t, NULL-terminated, into names[cap] (at most cap-1
 * names; the rest are left out). Returns names.
 */
const char **cm_fd_names(const cm_fdesc *t, const char **names, size_t cap);

/* The entry of t called name, or NULL. */
const cm_fdesc *cm_fd_find(const cm_fdesc *t, const char *name);

/*
 * `krm-fn schema`: the JSON Schema (draft 2020-12) of the three kinds, as
 * indented JSON text that the caller must free(). NULL when out of memory.
 */
char *cm_fd_schema_json(void);

#endif
