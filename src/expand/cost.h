/*
 * cost.h - expanding a cost profile for one service in one environment.
 *
 * Invariants:
 *   - A plan is produced only from a valid ServiceProfile and a valid
 *     profile: every problem is reported, naming the profile or the
 *     ServiceProfile, the field, and what is allowed.
 *   - budget = base[environment] x multiplier[size], or budgetOverride,
 *     computed exactly (decimal.h) and inside the environment's range.
 *   - Alert channels have {service}, {team}, {costOwner} and
 *     {environment} substituted.
 *   - budget_json (the budget record) is canonical: fixed key order, no
 *     spaces, decimals as strings, the same bytes for the same inputs on
 *     every run.
 *   - A period is monthly, quarterly or yearly; cm_cost_period_hours()
 *     gives its length in hours (730 a month, the FinOps and OpenCost
 *     convention: 8760 / 12).
 *
 * Ownership: every string of a plan lives in the arena passed in.
 */
#ifndef CM_COST_H
#define CM_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../core/decimal.h"
#include "catalog.h"

/* Channel kinds, in the order they are written. */
typedef enum cm_channel_kind {
	CM_CH_TEAMS = 0,
	CM_CH_EMAIL,
	CM_CH_PAGERDUTY,
	CM_CH_SLACK,
	CM_CH_COUNT
} cm_channel_kind;

extern const char *const cm_channel_names[CM_CH_COUNT + 1];

typedef struct cm_cost_alert {
	const char *name;
	cm_dec threshold; /* percent of the budget */
	cm_dec amount;    /* threshold x budget / 100 (in a plan) */
	const char *severity;
	const char **channels[CM_CH_COUNT];
	size_t n_channels[CM_CH_COUNT];
} cm_cost_alert;

typedef struct cm_cost_env {
	const char *name;
	cm_dec base, min, max;
	bool has_min, has_max;
} cm_cost_env;

typedef struct cm_cost_size {
	const char *name;
	cm_dec multiplier;
} cm_cost_size;

typedef struct cm_cost_profile {
	const char *name;
	bool builtin;
	const char *currency;
	const char *period;
	const char *scope; /* budgetScope: "perRegion" (default) or "shared" */
	bool prometheus_alerts; /* prometheusAlerts, default true */
	const char *description;
	cm_cost_env *envs;
	size_t n_envs;
	cm_cost_size *sizes;
	size_t n_sizes;
	cm_cost_alert *alerts; /* channels not yet substituted */
	size_t n_alerts;
} cm_cost_profile;

typedef struct cm_cost_plan {
	cm_cost_profile profile;
	const cm_cost_env *env;
	const cm_cost_size *size;
	const char *service, *team, *environment, *region;
	const char *cost_center, *business_unit, *cost_owner;
	cm_dec amount;   /* the budget for the profile's period */
	bool overridden; /* amount came from budgetOverride */
	cm_cost_alert *alerts; /* substituted, with amounts */
	size_t n_alerts;
	const char *budget_json; /* canonical JSON (see above) */
} cm_cost_plan;

/* Hours in a budget period (730, 2190 or 8760); 730 when unknown. */
int cm_cost_period_hours(const char *period);

/*
 * The budget name a finance tool knows it by: <service>-<environment>,
 * plus -<region> when the budget is per region and a region is set.
 * Written into buf (size n); returns buf.
 */
const char *cm_cost_budget_name(const cm_cost_plan *plan, char *buf,
				size_t n);

/* Default size when the ServiceProfile names none. */
#define CM_DEFAULT_SIZE "medium"

/*
 * Decode the catalog entry e into p. Returns 0, or -1 after reporting
 * each problem (names the profile and the field).
 */
int cm_cost_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			   cm_cost_profile *p, cm_diags *diags);

/*
 * Expand cfg's cost profile. Returns 0 and fills plan, or -1 after
 * reporting every problem found (missing fields, unknown profile,
 * environment or size, a malformed profile, a budget out of range).
 */
int cm_cost_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		   cm_cost_plan *plan, cm_diags *diags);

/*
 * The `krm-fn expand` document: the plan plus the budget of every
 * environment of the profile, as indented JSON into out (a malloc'd
 * string the caller frees). 0, or -1 when out of memory.
 */
int cm_cost_expand_json(const cm_cost_plan *plan, const char *const *labels,
			const char *const *label_values, size_t n_labels,
			char **out);

/*
 * The budget record: the canonical JSON of the plan (budget_json) with
 * the filters (label key: value pairs that select the service's objects
 * in a cost tool) added. Returns an arena string, or NULL when out of
 * memory.
 */
const char *cm_cost_record_json(cm_arena *a, const cm_cost_plan *plan,
				const char *const *filter_keys,
				const char *const *filter_values,
				size_t n_filters);

#endif
