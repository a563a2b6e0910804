/*
 * report.h - `krm-fn report`: the budgets of a rendered build.
 *
 * Reads rendered output (a multi-document YAML stream, or a
 * ResourceList), finds the budget records (ConfigMaps labelled
 * costmon.dev/record: budget, see generate/budget.h) and prints one row
 * per budget (service x environment x region, or service x environment
 * for a budget shared by all regions) and totals per team, cost center
 * and business unit for each currency and period.
 *
 * Invariants:
 *   - Amounts are exact decimals; totals never add different currencies
 *     or periods together.
 *   - A budget shared across regions is counted once, whatever the
 *     number of regional builds that carry its record; the same budget
 *     with different contents is an error naming both places.
 *   - Bad input (not YAML, a record whose JSON is malformed or lacks a
 *     field, an object with budget annotations but no record for its
 *     service) is an error with file:line:col, and nothing is printed.
 *   - Output is deterministic: budgets sorted by name, totals by
 *     dimension, value, currency and period.
 *
 * Ownership: the caller owns the inputs (consumed: freed once parsed)
 * and out.
 */
#ifndef CM_REPORT_H
#define CM_REPORT_H

#include <stddef.h>

#include "../core/buf.h"
#include "../core/diag.h"

typedef enum cm_report_format {
	CM_REPORT_TABLE = 0,
	CM_REPORT_CSV,
	CM_REPORT_JSON,
} cm_report_format;

/* Most budgets one report holds. */
#define CM_REPORT_MAX_BUDGETS 100000

/*
 * Report on inputs[0..n) (named names[i] in messages) into out.
 * Returns 0, or -1 after adding one error per problem to diags (out is
 * then empty).
 */
int cm_report_process(cm_buf *inputs, const char *const *names, size_t n,
		      cm_report_format format, cm_buf *out, cm_diags *diags);

#endif
