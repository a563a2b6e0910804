/* report.c - see report.h for the contract. */
#include "report.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/decimal.h"
#include "../core/node.h"
#include "../read/parse.h"
#include "../read/resourcelist.h"

#define CM_RECORD_LABEL "costmon.dev/record"
#define CM_RECORD_DATA_KEY "budget.json"
#define CM_ANN_AMOUNT "costmon.dev/budget-amount"

/* One budget, from one or more records (regional copies of a shared
 * budget). Strings point into rec (a jansson object the row owns). */
typedef struct cm_row {
	json_t *rec;
	const char *name, *service, *environment, *scope;
	const char *team, *cost_center, *business_unit, *owner;
	const char *currency, *period, *amount_text;
	cm_dec amount;
	char regions[512]; /* comma-separated, sorted, for shared budgets */
	char where[320];   /* file:line:col of the first record */
} cm_row;

typedef struct cm_total {
	const char *by, *value, *currency, *period;
	cm_dec amount;
	size_t budgets;
} cm_total;

/* A service seen with budget annotations, and where first. */
typedef struct cm_annotated {
	const char *service;
	char where[320];
} cm_annotated;

typedef struct cm_report {
	cm_row *rows;
	size_t n, cap;
	cm_total *totals;
	size_t n_totals, cap_totals;
	cm_diags *diags;
	int errors;
	/* services that carry budget annotations, to check records exist */
	cm_annotated *annotated;
	size_t n_annotated, cap_annotated;
} cm_report;

static void rerr(cm_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rerr(cm_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cm_diag_vadd(r->diags, CM_SEV_ERROR, NULL, fmt, ap);
	va_end(ap);
	r->errors++;
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A growing array with a maximum. 0 or -1. */
static int grow(void **v, size_t *cap, size_t n, size_t size, size_t max)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > max)
		ncap = max;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* Insert region into the sorted comma-separated list (no duplicates). */
static void add_region(char *list, size_t n, const char *region)
{
	char tmp[512], *tok, *save = NULL;
	const char *parts[64];
	size_t k = 0, i;
	int placed = 0;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (tok = strtok_r(tmp, ",", &save); tok && k < 63;
	     tok = strtok_r(NULL, ",", &save)) {
		int c = strcmp(tok, region);

		if (c == 0)
			return;
		if (c > 0 && !placed) {
			parts[k++] = region;
			placed = 1;
		}
		parts[k++] = tok;
	}
	if (!placed && k < 64)
		parts[k++] = region;
	list[0] = '\0';
	for (i = 0; i < k; i++) {
		size_t len = strlen(list);

		snprintf(list + len, n - len, "%s%s", i ? "," : "", parts[i]);
	}
}

/* Fill row from rec (a record object). 0, or -1 after reporting. */
static int row_from(cm_report *r, cm_row *row, json_t *rec, const char *where)
{
	static const char *const required[] = {
		"name", "service", "environment", "amount", "currency",
		"period", "scope", "team", "costCenter", "businessUnit",
		"owner", NULL,
	};
	size_t i;

	memset(row, 0, sizeof(*row));
	for (i = 0; required[i]; i++)
		if (!jstr(rec, required[i])) {
			rerr(r,
			     "%s: the budget record has no string field \"%s\"; "
			     "regenerate it with this version of krm-fn",
			     where, required[i]);
			return -1;
		}
	row->rec = rec;
	row->name = jstr(rec, "name");
	row->service = jstr(rec, "service");
	row->environment = jstr(rec, "environment");
	row->scope = jstr(rec, "scope");
	row->team = jstr(rec, "team");
	row->cost_center = jstr(rec, "costCenter");
	row->business_unit = jstr(rec, "businessUnit");
	row->owner = jstr(rec, "owner");
	row->currency = jstr(rec, "currency");
	row->period = jstr(rec, "period");
	row->amount_text = jstr(rec, "amount");
	if (cm_dec_parse(row->amount_text, &row->amount) < 0 ||
	    cm_dec_sign(row->amount) < 0) {
		rerr(r, "%s: the budget record's amount \"%s\" is not a decimal "
			"number >= 0",
		     where, row->amount_text);
		return -1;
	}
	if (strcmp(row->period, "monthly") && strcmp(row->period, "quarterly") &&
	    strcmp(row->period, "yearly")) {
		rerr(r, "%s: the budget record's period \"%s\" is not monthly, "
			"quarterly or yearly",
		     where, row->period);
		return -1;
	}
	if (jstr(rec, "region"))
		add_region(row->regions, sizeof(row->regions), jstr(rec, "region"));
	snprintf(row->where, sizeof(row->where), "%s", where);
	return 0;
}

/* True when two records describe the same budget (region aside). */
static bool same_budget(json_t *a, json_t *b)
{
	json_t *ca = json_deep_copy(a), *cb = json_deep_copy(b);
	bool eq;

	json_object_del(ca, "region");
	json_object_del(cb, "region");
	eq = ca && cb && json_equal(ca, cb);
	json_decref(ca);
	json_decref(cb);
	return eq;
}

/* One record: add or merge. rec is consumed. */
static void add_record(cm_report *r, json_t *rec, const char *where)
{
	cm_row row;
	size_t i;

	if (row_from(r, &row, rec, where) < 0) {
		json_decref(rec);
		return;
	}
	for (i = 0; i < r->n; i++) {
		cm_row *o = &r->rows[i];

		if (strcmp(o->name, row.name))
			continue;
		if (!same_budget(o->rec, rec)) {
			rerr(r,
			     "%s: budget \"%s\" is also defined at %s with other "
			     "values; build each service and environment with "
			     "one cost profile, size and budgetScope",
			     where, row.name, o->where);
		} else if (jstr(rec, "region")) {
			add_region(o->regions, sizeof(o->regions),
				   jstr(rec, "region"));
		}
		json_decref(rec);
		return;
	}
	if (grow((void **)&r->rows, &r->cap, r->n, sizeof(cm_row),
		 CM_REPORT_MAX_BUDGETS) < 0) {
		rerr(r, "%s: more than %d budgets, or out of memory", where,
		     CM_REPORT_MAX_BUDGETS);
		json_decref(rec);
		return;
	}
	r->rows[r->n++] = row;
}

/* The label value of item at key, or NULL. */
static const char *label_of(const cm_node *it, const char *key)
{
	const cm_node *l = cm_map_path(it, "metadata.labels");
	const cm_node *v = l && l->kind == CM_MAP ? cm_map_get(l, key) : NULL;

	return v && v->kind == CM_SCALAR ? v->u.str : NULL;
}

static void scan_item(cm_report *r, cm_stream *s, const cm_node *it,
		      const char *name)
{
	const cm_node *v;
	unsigned l, c;
	const char *ann;
	char where[320];
	json_error_t jerr;
	json_t *rec;

	if (it->kind != CM_MAP)
		return;
	ann = NULL;
	v = cm_map_path(it, "metadata.annotations");
	if (v && v->kind == CM_MAP && cm_map_get(v, CM_ANN_AMOUNT))
		ann = label_of(it, "cost.service");
	if (ann) {
		size_t i;

		for (i = 0; i < r->n_annotated; i++)
			if (!strcmp(r->annotated[i].service, ann))
				break;
		if (i == r->n_annotated &&
		    grow((void **)&r->annotated, &r->cap_annotated,
			 r->n_annotated, sizeof(cm_annotated),
			 CM_REPORT_MAX_BUDGETS) == 0) {
			cm_annotated *e = &r->annotated[r->n_annotated++];

			e->service = ann;
			cm_stream_pos(s, it, &l, &c);
			snprintf(e->where, sizeof(e->where), "%s:%u:%u", name,
				 l, c);
		}
	}
	if (!cm_scalar_is(cm_map_get(it, "kind"), "ConfigMap") ||
	    !cm_scalar_is(cm_map_get(it, "apiVersion"), "v1"))
		return;
	if (!label_of(it, CM_RECORD_LABEL) ||
	    strcmp(label_of(it, CM_RECORD_LABEL), "budget"))
		return;
	v = cm_map_path(it, "data");
	v = v && v->kind == CM_MAP ? cm_map_get(v, CM_RECORD_DATA_KEY) : NULL;
	cm_stream_pos(s, v ? v : it, &l, &c);
	snprintf(where, sizeof(where), "%s:%u:%u", name, l, c);
	if (!v || v->kind != CM_SCALAR) {
		rerr(r,
		     "%s: ConfigMap \"%s\" is labelled %s: budget but has no "
		     "data.%s string; regenerate it with krm-fn or remove the "
		     "label",
		     where, cm_map_str(it, "metadata.name") ? cm_map_str(it, "metadata.name") : "?",
		     CM_RECORD_LABEL, CM_RECORD_DATA_KEY);
		return;
	}
	rec = json_loadb(v->u.str, v->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec || !json_is_object(rec)) {
		rerr(r,
		     "%s: data.%s of ConfigMap \"%s\" is not a JSON object (%s "
		     "at character %d of the value); regenerate it with krm-fn",
		     where, CM_RECORD_DATA_KEY,
		     cm_map_str(it, "metadata.name") ? cm_map_str(it, "metadata.name") : "?",
		     rec ? "not an object" : jerr.text, rec ? 0 : jerr.position);
		json_decref(rec);
		return;
	}
	add_record(r, rec, where);
}

/* Add amount to the total (by, value, currency, period). */
static void add_total(cm_report *r, const char *by, const char *value,
		      const cm_row *row)
{
	size_t i;

	for (i = 0; i < r->n_totals; i++) {
		cm_total *t = &r->totals[i];

		if (!strcmp(t->by, by) && !strcmp(t->value, value) &&
		    !strcmp(t->currency, row->currency) &&
		    !strcmp(t->period, row->period)) {
			if (cm_dec_add(t->amount, row->amount, &t->amount) < 0)
				rerr(r, "the total of %s \"%s\" does not fit in "
					"an exact decimal",
				     by, value);
			t->budgets++;
			return;
		}
	}
	if (grow((void **)&r->totals, &r->cap_totals, r->n_totals,
		 sizeof(cm_total), 3 * CM_REPORT_MAX_BUDGETS) < 0) {
		rerr(r, "out of memory while adding the totals");
		return;
	}
	r->totals[r->n_totals++] = (cm_total){by, value, row->currency,
					      row->period, row->amount, 1};
}

static int cmp_rows(const void *x, const void *y)
{
	return strcmp(((const cm_row *)x)->name, ((const cm_row *)y)->name);
}

static const char *const cm_dims[] = {"team", "costCenter", "businessUnit"};

static int dim_index(const char *by)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(cm_dims[i], by))
			return i;
	return 3;
}

static int cmp_totals(const void *x, const void *y)
{
	const cm_total *a = x, *b = y;
	int c = dim_index(a->by) - dim_index(b->by);

	if (!c)
		c = strcmp(a->value, b->value);
	if (!c)
		c = strcmp(a->currency, b->currency);
	if (!c)
		c = strcmp(a->period, b->period);
	return c;
}

/* "80% 4800, 100% 6000" */
static void thresholds(const cm_row *row, char *buf, size_t n)
{
	json_t *alerts = json_object_get(row->rec, "alerts");
	size_t i, len;

	buf[0] = '\0';
	for (i = 0; i < json_array_size(alerts); i++) {
		json_t *a = json_array_get(alerts, i);

		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s%% %s", i ? ", " : "",
			 jstr(a, "threshold") ? jstr(a, "threshold") : "?",
			 jstr(a, "amount") ? jstr(a, "amount") : "?");
	}
}

/* ---- output ---- */

static int csv_field(cm_buf *out, const char *s, int last)
{
	int rc = 0;

	if (strpbrk(s, ",\"\n\r")) {
		rc |= cm_buf_adds(out, "\"");
		for (; *s; s++)
			rc |= *s == '"' ? cm_buf_adds(out, "\"\"")
					: cm_buf_add(out, s, 1);
		rc |= cm_buf_adds(out, "\"");
	} else {
		rc |= cm_buf_adds(out, s);
	}
	rc |= cm_buf_adds(out, last ? "\r\n" : ",");
	return rc ? -1 : 0;
}

#define CM_NCOLS 13
static const char *const cm_cols[CM_NCOLS] = {
	"x_BudgetName", "x_Service", "x_Environment", "RegionId",
	"x_BudgetScope", "x_Team", "x_CostCenter", "x_BusinessUnit",
	"x_Owner", "x_BudgetAmount", "BillingCurrency", "x_BudgetPeriod",
	"x_AlertThresholds",
};

static void row_cells(const cm_row *row, const char **cells, char *thr,
		      size_t n)
{
	thresholds(row, thr, n);
	cells[0] = row->name;
	cells[1] = row->service;
	cells[2] = row->environment;
	cells[3] = row->regions;
	cells[4] = row->scope;
	cells[5] = row->team;
	cells[6] = row->cost_center;
	cells[7] = row->business_unit;
	cells[8] = row->owner;
	cells[9] = row->amount_text;
	cells[10] = row->currency;
	cells[11] = row->period;
	cells[12] = thr;
}

static char *fmt_dec(cm_dec d, char *buf)
{
	return cm_dec_format(d, buf);
}

static int out_csv(const cm_report *r, cm_buf *out)
{
	static const char *const head[] = {
		"x_RowType", "x_TotalBy", "x_BudgetName", "x_Service",
		"x_Environment", "RegionId", "x_BudgetScope", "x_Team",
		"x_CostCenter", "x_BusinessUnit", "x_Owner", "x_BudgetAmount",
		"BillingCurrency", "x_BudgetPeriod", "x_Budgets",
		"x_AlertThresholds", "Tags",
	};
	size_t i, k;
	int rc = 0;

	for (k = 0; k < 17; k++)
		rc |= csv_field(out, head[k], k == 16);
	for (i = 0; i < r->n; i++) {
		const cm_row *row = &r->rows[i];
		const char *c[CM_NCOLS];
		char thr[1024], *tags;

		row_cells(row, c, thr, sizeof(thr));
		tags = json_dumps(json_object_get(row->rec, "filters"),
				  JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc |= csv_field(out, "budget", 0);
		rc |= csv_field(out, "", 0);
		for (k = 0; k < 12; k++)
			rc |= csv_field(out, c[k], 0);
		rc |= csv_field(out, "1", 0);
		rc |= csv_field(out, c[12], 0);
		rc |= csv_field(out, tags ? tags : "{}", 1);
		free(tags);
	}
	for (i = 0; i < r->n_totals; i++) {
		const cm_total *t = &r->totals[i];
		char amt[CM_DEC_BUFSZ], cnt[32];
		int d = dim_index(t->by);

		snprintf(cnt, sizeof(cnt), "%zu", t->budgets);
		rc |= csv_field(out, "total", 0);
		rc |= csv_field(out, t->by, 0);
		for (k = 0; k < 5; k++) /* name .. scope */
			rc |= csv_field(out, "", 0);
		for (k = 0; k < 3; k++)
			rc |= csv_field(out, (int)k == d ? t->value : "", 0);
		rc |= csv_field(out, "", 0); /* owner */
		rc |= csv_field(out, fmt_dec(t->amount, amt), 0);
		rc |= csv_field(out, t->currency, 0);
		rc |= csv_field(out, t->period, 0);
		rc |= csv_field(out, cnt, 0);
		rc |= csv_field(out, "", 0);
		rc |= csv_field(out, "", 1);
	}
	return rc ? -1 : 0;
}

/* A text table: columns padded to their widest cell. */
static int out_grid(cm_buf *out, const char *const *cells, size_t ncols,
		    size_t nrows)
{
	size_t w[CM_NCOLS] = {0}, i, k;
	int rc = 0;

	for (i = 0; i < nrows; i++)
		for (k = 0; k < ncols; k++)
			if (strlen(cells[i * ncols + k]) > w[k])
				w[k] = strlen(cells[i * ncols + k]);
	for (i = 0; i < nrows; i++) {
		for (k = 0; k < ncols; k++)
			rc |= k + 1 < ncols
				      ? cm_buf_addf(out, "%-*s  ", (int)w[k],
						    cells[i * ncols + k])
				      : cm_buf_addf(out, "%s\n",
						    cells[i * ncols + k]);
		if (i == 0) {
			for (k = 0; k < ncols; k++) {
				size_t j;

				for (j = 0; j < w[k]; j++)
					rc |= cm_buf_adds(out, "-");
				rc |= cm_buf_adds(out, k + 1 < ncols ? "  " : "\n");
			}
		}
	}
	return rc ? -1 : 0;
}

static int out_table(const cm_report *r, cm_buf *out)
{
	static const char *const titles[3] = {"team", "cost center",
					      "business unit"};
	static const char *const dimcols[3] = {"x_Team", "x_CostCenter",
					       "x_BusinessUnit"};
	size_t nrows = r->n + 1, i, k, d;
	const char **cells = calloc(nrows * CM_NCOLS, sizeof(char *));
	char (*thr)[1024] = calloc(r->n ? r->n : 1, sizeof(*thr));
	char (*amt)[CM_DEC_BUFSZ + 24] = NULL;
	int rc = -1;

	if (!cells || !thr)
		goto out;
	for (k = 0; k < CM_NCOLS; k++)
		cells[k] = cm_cols[k];
	for (i = 0; i < r->n; i++) {
		row_cells(&r->rows[i], &cells[(i + 1) * CM_NCOLS], thr[i],
			  sizeof(thr[i]));
		for (k = 0; k < CM_NCOLS; k++) /* no empty cells: "-" */
			if (!*cells[(i + 1) * CM_NCOLS + k])
				cells[(i + 1) * CM_NCOLS + k] = "-";
	}
	if (cm_buf_addf(out, "Budgets (%zu)\n\n", r->n) < 0 ||
	    out_grid(out, cells, CM_NCOLS, nrows) < 0)
		goto out;
	amt = calloc(r->n_totals + 1, sizeof(*amt));
	if (!amt)
		goto out;
	for (d = 0; d < 3; d++) {
		size_t n = 1;

		cells[0] = dimcols[d];
		cells[1] = "BillingCurrency";
		cells[2] = "x_BudgetPeriod";
		cells[3] = "x_BudgetAmount";
		cells[4] = "x_Budgets";
		for (i = 0; i < r->n_totals; i++) {
			const cm_total *t = &r->totals[i];
			char *a = amt[i];

			if (dim_index(t->by) != (int)d)
				continue;
			cm_dec_format(t->amount, a);
			snprintf(a + strlen(a) + 1, 20, "%zu", t->budgets);
			cells[n * 5 + 0] = t->value;
			cells[n * 5 + 1] = t->currency;
			cells[n * 5 + 2] = t->period;
			cells[n * 5 + 3] = a;
			cells[n * 5 + 4] = a + strlen(a) + 1;
			n++;
		}
		if (cm_buf_addf(out, "\nTotals by %s\n\n", titles[d]) < 0 ||
		    out_grid(out, cells, 5, n) < 0)
			goto out;
	}
	rc = 0;
out:
	free(amt);
	free(thr);
	free(cells);
	return rc;
}

static int out_json(const cm_report *r, cm_buf *out)
{
	json_t *o = json_object(), *b = json_array(), *t = json_array();
	char *s = NULL, amt[CM_DEC_BUFSZ];
	size_t i;
	int rc = -1;

	if (!o || !b || !t)
		goto out;
	for (i = 0; i < r->n; i++) {
		const cm_row *row = &r->rows[i];
		json_t *e = json_object(), *regions = json_array();
		json_t *filters = json_object_get(row->rec, "filters");
		char tmp[512], *tok, *save = NULL;

		snprintf(tmp, sizeof(tmp), "%s", row->regions);
		for (tok = strtok_r(tmp, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_array_append_new(regions, json_string(tok));
		json_object_set_new(e, "name", json_string(row->name));
		json_object_set_new(e, "amount", json_string(row->amount_text));
		json_object_set_new(e, "currency", json_string(row->currency));
		json_object_set_new(e, "period", json_string(row->period));
		json_object_set_new(e, "service", json_string(row->service));
		json_object_set_new(e, "environment", json_string(row->environment));
		json_object_set_new(e, "regions", regions);
		json_object_set_new(e, "scope", json_string(row->scope));
		json_object_set_new(e, "team", json_string(row->team));
		json_object_set_new(e, "costCenter", json_string(row->cost_center));
		json_object_set_new(e, "businessUnit", json_string(row->business_unit));
		json_object_set_new(e, "owner", json_string(row->owner));
		json_object_set_new(e, "filters",
				    filters ? json_deep_copy(filters) : json_object());
		json_object_set_new(e, "alerts",
				    json_deep_copy(json_object_get(row->rec, "alerts")));
		json_array_append_new(b, e);
	}
	for (i = 0; i < r->n_totals; i++) {
		const cm_total *tt = &r->totals[i];
		json_t *e = json_object();

		json_object_set_new(e, "by", json_string(tt->by));
		json_object_set_new(e, "value", json_string(tt->value));
		json_object_set_new(e, "currency", json_string(tt->currency));
		json_object_set_new(e, "period", json_string(tt->period));
		json_object_set_new(e, "amount",
				    json_string(cm_dec_format(tt->amount, amt)));
		json_object_set_new(e, "budgets", json_integer((json_int_t)tt->budgets));
		json_array_append_new(t, e);
	}
	json_object_set(o, "budgets", b);
	json_object_set(o, "totals", t);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s && cm_buf_adds(out, s) == 0 && cm_buf_adds(out, "\n") == 0)
		rc = 0;
out:
	free(s);
	json_decref(t);
	json_decref(b);
	json_decref(o);
	return rc;
}

int cm_report_process(cm_buf *inputs, const char *const *names, size_t n,
		      cm_report_format format, cm_buf *out, cm_diags *diags)
{
	static const cm_parse_limits lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					    CM_MAX_ALIAS_BYTES};
	size_t total = 0, i, k;
	cm_arena *a;
	cm_report r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.diags = diags;
	for (i = 0; i < n; i++)
		total += inputs[i].len;
	a = cm_arena_new(total * 8 + ((size_t)64 << 20));
	if (!a) {
		cm_diag_add(diags, CM_SEV_ERROR, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		cm_stream s;
		cm_rl rl;
		const cm_node *items;

		if (cm_parse(a, inputs[i].data ? inputs[i].data : "",
			     inputs[i].len, names[i], &lim, &s, diags) < 0) {
			r.errors++;
			continue;
		}
		/* inputs[i] stays: positions in messages are read from it. */
		if (s.n == 1 && s.docs[0].kind == CM_MAP &&
		    cm_scalar_is(cm_map_get(&s.docs[0], "kind"), "ResourceList")) {
			if (cm_rl_decode(a, &s, names[i], &rl, diags) < 0) {
				r.errors++;
				continue;
			}
			items = rl.items;
			for (k = 0; k < items->len; k++)
				scan_item(&r, &s, &items->u.kids[k], names[i]);
			continue;
		}
		if (cm_stream_check_items(&s, names[i], diags) < 0) {
			r.errors++;
			continue;
		}
		for (k = 0; k < s.n; k++)
			scan_item(&r, &s, &s.docs[k], names[i]);
	}
	/* Every service whose objects carry a budget has its record. */
	for (i = 0; i < r.n_annotated; i++) {
		bool found = false;

		for (k = 0; k < r.n && !found; k++)
			found = !strcmp(r.rows[k].service, r.annotated[i].service);
		if (!found)
			rerr(&r,
			     "%s: service \"%s\" has budget annotations but the "
			     "input holds no budget record (ConfigMap %s-budget) "
			     "for it; report on output that keeps it (with "
			     "spec.cost.budgetRecord: local, run the report on "
			     "krm-fn's or kpt's output, not kustomize's), or set "
			     "budgetRecord: cluster",
			     r.annotated[i].where, r.annotated[i].service,
			     r.annotated[i].service);
	}
	if (r.errors || diags->errors)
		goto out;
	if (r.n) /* qsort's base must not be NULL, even for 0 items */
		qsort(r.rows, r.n, sizeof(cm_row), cmp_rows);
	for (i = 0; i < r.n; i++) {
		add_total(&r, "team", r.rows[i].team, &r.rows[i]);
		add_total(&r, "costCenter", r.rows[i].cost_center, &r.rows[i]);
		add_total(&r, "businessUnit", r.rows[i].business_unit, &r.rows[i]);
	}
	if (r.errors)
		goto out;
	if (r.n_totals)
		qsort(r.totals, r.n_totals, sizeof(cm_total), cmp_totals);
	switch (format) {
	case CM_REPORT_CSV:
		rc = out_csv(&r, out);
		break;
	case CM_REPORT_JSON:
		rc = out_json(&r, out);
		break;
	default:
		rc = out_table(&r, out);
		break;
	}
	if (rc < 0) {
		cm_buf_reset(out);
		cm_diag_add(diags, CM_SEV_ERROR, NULL,
			    "out of memory while writing the report");
	}
out:
	for (i = 0; i < r.n; i++)
		json_decref(r.rows[i].rec);
	free(r.annotated);
	free(r.rows);
	free(r.totals);
	cm_arena_free(a);
	return rc;
}
