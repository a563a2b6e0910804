/*
 * resourcelist.h - recognising the KRM ResourceList in a parsed stream.
 *
 * Invariants: on success rl->root is the stream's one document, a mapping
 * with kind ResourceList and a supported apiVersion; rl->items is a
 * sequence (possibly empty) whose every entry is a mapping; rl->config is
 * the functionConfig node or NULL.
 *
 * Ownership: rl points into the stream's trees; nothing is copied.
 */
#ifndef CM_RESOURCELIST_H
#define CM_RESOURCELIST_H

#include "../core/diag.h"
#include "../core/node.h"
#include "parse.h"

#define CM_RL_V1 "config.kubernetes.io/v1"
#define CM_RL_V1BETA1 "config.kubernetes.io/v1beta1"

typedef struct cm_rl {
	cm_node *root;
	const char *api_version; /* CM_RL_V1 or CM_RL_V1BETA1 */
	cm_node *items;          /* a sequence of mappings */
	cm_node *config;         /* functionConfig, or NULL */
} cm_rl;

/*
 * Find the ResourceList in s (text named name). Returns 0, or -1 after
 * adding errors to diags. A missing or null items field counts as an
 * empty list; it is then created in the root (allocating from a).
 */
int cm_rl_decode(cm_arena *a, cm_stream *s, const char *name, cm_rl *rl,
		 cm_diags *diags);

/*
 * Check that every document of a legacy stream is a resource (a mapping)
 * or empty. Returns 0, or -1 after reporting each bad document.
 */
int cm_stream_check_items(cm_stream *s, const char *name,
			  cm_diags *diags);

#endif
