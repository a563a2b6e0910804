/* monitoring.c - see monitoring.h for the contract. */
#include "monitoring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../core/item.h"
#include "../core/text.h"
#include "../transform/labels.h"
#include "pdec.h"

/* SRE workbook: 2 % of the budget in 1h, 5 % in 6h page; 10 % in 1d and
 * 10 % in 3d open a ticket. Each long window has its short window. */
const cm_burn_def cm_burn_defs[4] = {
	{"1h", "5m", "0.02", 1, CM_CLASS_PAGE},
	{"6h", "30m", "0.05", 6, CM_CLASS_PAGE},
	{"1d", "2h", "0.1", 24, CM_CLASS_TICKET},
	{"3d", "6h", "0.1", 72, CM_CLASS_TICKET},
};

const char *const cm_sli_windows[] = {
	"5m", "30m", "1h", "2h", "6h", "1d", "3d", NULL,
};

/* The Prometheus client libraries' default histogram buckets (Go,
 * Python, Java simpleclient, Ruby, .NET). */
static const char *const cm_default_buckets[] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
	"5", "10", NULL,
};

static const char *const cm_severity_words[] = {"critical", "warning",
						 "info", NULL};

static const char *const cm_mplaceholders[] = {
	"{service}", "{namespace}", "{team}", "{environment}", "{alert}",
	"{workload}", NULL,
};
#define CM_PH_WORKLOAD 5 /* index of {workload}: matchers only */

bool cm_prom_metric_name_ok(const char *s)
{
	size_t i;

	if (!s || !*s || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == ':'))
			return false;
	return true;
}

bool cm_prom_label_name_ok(const char *s)
{
	return cm_prom_metric_name_ok(s) && !strchr(s, ':') &&
	       strncmp(s, "__", 2) != 0;
}

/* ---- decoding ---- */

/*
 * Milliseconds of a Prometheus Operator duration (the CRD pattern
 * ^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$), units
 * in that order, each at most once. Returns the value (0 for "0"), or -1
 * when s does not match or overflows.
 */
long long cm_prom_duration_ms(const char *s)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
		{"y", 365LL * 86400000}, {"w", 7LL * 86400000},
		{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000},
		{"ms", 1},
	};
	size_t u = 0, k;
	long long total = 0;

	if (!s || !*s)
		return -1;
	if (!strcmp(s, "0"))
		return 0;
	while (*s) {
		long long v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (v > 1000000000LL)
				return -1;
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits)
			return -1;
		for (k = u; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t ul = strlen(units[k].unit);

			/* "m" must not take the "m" of "ms". */
			if (!strncmp(s, units[k].unit, ul) &&
			    !(ul == 1 && s[0] == 'm' && s[1] == 's'))
				break;
		}
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[k].ms;
		s += strlen(units[k].unit);
		u = k + 1;
	}
	return total;
}

/*
 * Check a regular expression for what RE2 (Prometheus) rejects: unbalanced
 * parentheses or brackets, a trailing or unknown escape, a back
 * reference, look-around, a repetition of nothing. Returns NULL when it
 * looks fine, else a static description of the problem.
 */
const char *cm_re2_problem(const char *re)
{
	int depth = 0;
	bool can_repeat = false;
	const char *p = re;

	while (*p) {
		char c = *p;

		if (c == '\\') {
			char e = p[1];

			if (!e)
				return "it ends with a lone backslash";
			if (e >= '1' && e <= '9')
				return "back references (\\1) are not supported";
			if (((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) &&
			    !strchr("dDsSwWbBAztnrfvapPxQEC", e))
				return "it has an unknown escape sequence";
			p += 2;
			can_repeat = true;
			continue;
		}
		if (c == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '\\') {
					if (!p[1])
						return "it ends with a lone backslash";
					p++;
				} else if (*p == '[' && p[1] == ':') {
					const char *end = strstr(p, ":]");

					if (!end)
						return "a character class [:...:] is not closed";
					p = end + 1;
				}
				p++;
			}
			if (*p != ']')
				return "a bracket [ is not closed";
			p++;
			can_repeat = true;
			continue;
		}
		if (c == '(') {
			if (p[1] == '?' && (p[2] == '=' || p[2] == '!' ||
					    (p[2] == '<' && (p[3] == '=' || p[3] == '!'))))
				return "look-around (?= (?! (?<= (?<! is not supported";
			if (p[1] == '*' || p[1] == '+')
				return "a repetition has nothing to repeat";
			depth++;
			can_repeat = false;
			p++;
			if (*p == '?') { /* (?i) (?:...) (?P<name>...) */
				p++;
				if (*p == 'P' && p[1] == '<') {
					const char *end = strchr(p, '>');

					if (!end)
						return "a group name (?P<... is not closed";
					p = end + 1;
					continue;
				}
				while (*p && strchr("imsU-", *p))
					p++;
				if (*p == ':')
					p++;
				else if (*p != ')')
					return "it has an unknown group flag after (?";
			}
			continue;
		}
		if (c == ')') {
			if (--depth < 0)
				return "a parenthesis ) has no matching (";
			can_repeat = true;
			p++;
			continue;
		}
		if (c == '*' || c == '+' || c == '?') {
			if (!can_repeat)
				return "a repetition has nothing to repeat";
			p++;
			if (*p == '?')
				p++; /* lazy */
			can_repeat = false;
			continue;
		}
		can_repeat = c != '|';
		p++;
	}
	if (depth > 0)
		return "a parenthesis ( is not closed";
	return NULL;
}

/* A mapping field, or NULL (reported when present but not a mapping). */
static const cm_node *cm_msub(cm_pdec *d, const cm_node *m, const char *key,
			      const char *path)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return NULL;
	if (v->kind != CM_MAP) {
		cm_perr(d, path, "field \"%s\" must be a mapping", path);
		return NULL;
	}
	return v;
}

/* A string field (default def when absent). */
static const char *cm_mstr(cm_pdec *d, const cm_node *m, const char *key,
			   const char *path, const char *def)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return def;
	if (v->kind != CM_SCALAR || v->len == 0) {
		cm_perr(d, path, "field \"%s\" must be a non-empty string",
			path);
		return def;
	}
	return v->u.str;
}

static bool cm_mbool(cm_pdec *d, const cm_node *m, const char *key,
		     const char *path, bool def)
{
	const cm_node *v = cm_map_get(m, key);

	if (!v)
		return def;
	if (cm_scalar_is(v, "true"))
		return true;
	if (cm_scalar_is(v, "false"))
		return false;
	cm_perr(d, path, "field \"%s\" must be true or false", path);
	return def;
}

/* A decimal field; *has says whether it was there. */
static void cm_mnum(cm_pdec *d, const cm_node *m, const char *key,
		    const char *path, cm_dec *out, bool *has)
{
	const cm_node *v = cm_map_get(m, key);

	if (has)
		*has = false;
	if (!v)
		return;
	if (v->kind != CM_SCALAR || cm_dec_parse(v->u.str, out) < 0) {
		cm_perr(d, path, "field \"%s\" must be a number, not \"%s\"",
			path, v->kind == CM_SCALAR ? v->u.str : "a collection");
		return;
	}
	if (has)
		*has = true;
}

/*
 * A Kubernetes quantity: plain number, or with m, k, M, G, T (SI) or Ki,
 * Mi, Gi, Ti (binary) suffix. 0, or -1.
 */
static int cm_quantity(const char *s, cm_dec *out)
{
	static const struct {
		const char *suffix;
		const char *factor;
	} units[] = {
		{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"},
		{"Ti", "1099511627776"}, {"m", "0.001"}, {"k", "1000"},
		{"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"},
	};
	char num[64];
	size_t n = strlen(s), i;
	cm_dec v, f;

	if (n == 0 || n >= sizeof(num))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t sl = strlen(units[i].suffix);

		if (n > sl && !strcmp(s + n - sl, units[i].suffix)) {
			memcpy(num, s, n - sl);
			num[n - sl] = '\0';
			if (cm_dec_parse(num, &v) < 0 ||
			    cm_dec_parse(units[i].factor, &f) < 0)
				return -1;
			return cm_dec_mul(v, f, out);
		}
	}
	return cm_dec_parse(s, out);
}

static void cm_mqty(cm_pdec *d, const cm_node *m, const char *key,
		    const char *path, cm_dec *out, bool *ok)
{
	const cm_node *v = cm_map_get(m, key);

	*ok = false;
	if (!v)
		return;
	if (v->kind != CM_SCALAR || cm_quantity(v->u.str, out) < 0 ||
	    cm_dec_sign(*out) <= 0) {
		cm_perr(d, path,
			"field \"%s\" must be a positive Kubernetes quantity "
			"(e.g. 512M, 1Gi, 500m), not \"%s\"",
			path, v->kind == CM_SCALAR ? v->u.str : "a collection");
		return;
	}
	*ok = true;
}

/* Template text may use only the known placeholders; {workload} only
 * when matcher (a label matcher's value). */
static void cm_mcheck_template(cm_pdec *d, const char *s, const char *path,
			       bool matcher)
{
	const char *p = s;

	while ((p = strchr(p, '{')) != NULL) {
		const char *end = strchr(p, '}');
		size_t i, len;
		int found = 0;

		if (!end)
			break;
		len = (size_t)(end - p + 1);
		for (i = 0; cm_mplaceholders[i]; i++)
			if (len == strlen(cm_mplaceholders[i]) &&
			    !strncmp(p, cm_mplaceholders[i], len) &&
			    (matcher || i != CM_PH_WORKLOAD))
				found = 1;
		/* Regex repetitions like {5,10} are not placeholders. */
		if (!found && strspn(p + 1, "0123456789,") != len - 2) {
			cm_perr(d, path,
				"unknown placeholder \"%.*s\" in \"%s\"; use "
				"{service}, {namespace}, {team}%s or "
				"{environment}",
				(int)len, p, s, matcher ? ", {workload}" : "");
		}
		p = end + 1;
	}
}

static void cm_mmatchers(cm_pdec *d, const cm_node *seq, const char *path,
			 cm_matchers *out)
{
	static const char *const ops[] = {"=", "!=", "=~", "!~", NULL};
	uint32_t i;

	out->v = NULL;
	out->n = 0;
	if (!seq)
		return;
	if (seq->kind != CM_SEQ) {
		cm_perr(d, path,
			"field \"%s\" must be a list of matchers like {label: "
			"service, value: '{service}'}",
			path);
		return;
	}
	out->v = cm_arena_alloc(d->arena, (seq->len ? seq->len : 1) *
						  sizeof(cm_matcher));
	if (!out->v) {
		cm_perr(d, path, "out of memory");
		return;
	}
	for (i = 0; i < seq->len; i++) {
		const cm_node *m = &seq->u.kids[i];
		cm_matcher *mt = &out->v[out->n];
		char p[300];

		snprintf(p, sizeof(p), "%s[%u]", path, i);
		if (m->kind != CM_MAP) {
			cm_perr(d, p, "field \"%s\" must be a mapping with "
				      "label, op and value", p);
			continue;
		}
		cm_pcheck_fields(d, m, p, cm_fd_mon_matcher);
		mt->label = cm_map_str(m, "label");
		mt->op = cm_map_str(m, "op");
		mt->value = cm_map_str(m, "value");
		if (!mt->op)
			mt->op = "=";
		if (!mt->label || !cm_prom_label_name_ok(mt->label)) {
			cm_perr(d, p,
				"matcher label \"%s\" is not a valid Prometheus "
				"label name ([a-zA-Z_][a-zA-Z0-9_]*)",
				mt->label ? mt->label : "");
			continue;
		}
		if (!cm_word_in(mt->op, ops)) {
			cm_perr(d, p, "matcher op \"%s\" must be =, !=, =~ or !~",
				mt->op);
			continue;
		}
		if (!mt->value)
			mt->value = "";
		cm_mcheck_template(d, mt->value, p, true);
		if (mt->op[1] == '~') {
			/* Placeholders become plain (escaped) text. */
			char re[1024];
			const char *v = mt->value, *why;
			size_t n = 0;

			while (*v && n + 2 < sizeof(re)) {
				const char *end = *v == '{' ? strchr(v, '}') : NULL;
				size_t j;
				bool ph = false;

				for (j = 0; end && cm_mplaceholders[j]; j++)
					if ((size_t)(end - v + 1) == strlen(cm_mplaceholders[j]) &&
					    !strncmp(v, cm_mplaceholders[j], (size_t)(end - v + 1)))
						ph = true;
				if (ph) {
					re[n++] = 'x';
					v = end + 1;
				} else {
					re[n++] = *v++;
				}
			}
			re[n] = '\0';
			if ((why = cm_re2_problem(re)) != NULL)
				cm_perr(d, p,
					"matcher value \"%s\" is not a regular "
					"expression Prometheus accepts: %s; write an "
					"RE2 expression such as '5..|429'",
					mt->value, why);
		}
		out->n++;
	}
}

/*
 * The selector of `up` from the series matchers sel, into *out (in d's
 * arena): the matchers of sel on labels the generated ServiceMonitor's
 * targets carry (Prometheus Operator sets namespace, service, job, pod,
 * container, endpoint, instance), never those only the application's
 * own series have (a request's uri or code, a Micrometer tag), which
 * `up` never matches. Without a namespace matcher it gets namespace
 * {namespace}, without a service or job matcher service {service} (the
 * target Services). Out of memory is reported on d.
 */
static void cm_up_matchers(cm_pdec *d, const cm_matchers *sel,
			   cm_matchers *out)
{
	static const char *const target[] = {"namespace", "service", "job",
					     "pod", "container", "endpoint",
					     "instance", NULL};
	bool ns = false, svc = false;
	size_t i;

	out->n = 0;
	out->v = cm_arena_alloc(d->arena, (sel->n + 2) * sizeof(cm_matcher));
	if (!out->v) {
		cm_perr(d, "spec", "out of memory");
		return;
	}
	for (i = 0; i < sel->n; i++) {
		const char *l = sel->v[i].label;

		if (!cm_word_in(l, target))
			continue;
		ns = ns || !strcmp(l, "namespace");
		svc = svc || !strcmp(l, "service") || !strcmp(l, "job");
		out->v[out->n++] = sel->v[i];
	}
	if (!ns)
		out->v[out->n++] = (cm_matcher){"namespace", "=", "{namespace}"};
	if (!svc)
		out->v[out->n++] = (cm_matcher){"service", "=", "{service}"};
}

static void cm_mstrings(cm_pdec *d, const cm_node *seq, const char *path,
			const char ***out, size_t *n)
{
	uint32_t i;

	*out = NULL;
	*n = 0;
	if (!seq)
		return;
	if (seq->kind != CM_SEQ) {
		cm_perr(d, path, "field \"%s\" must be a list of strings", path);
		return;
	}
	*out = cm_arena_alloc(d->arena, (seq->len ? seq->len : 1) * sizeof(char *));
	if (!*out)
		return;
	for (i = 0; i < seq->len; i++) {
		if (seq->u.kids[i].kind != CM_SCALAR) {
			cm_perr(d, path, "every entry of \"%s\" must be a string",
				path);
			continue;
		}
		(*out)[(*n)++] = seq->u.kids[i].u.str;
	}
}

/*
 * Hours of an SLO window: a Prometheus duration in weeks, days and hours
 * only, 7d to 90d. Returns the hours, or -1.
 */
static long cm_window_hours(const char *w)
{
	long long ms;

	if (!w || strpbrk(w, "ymsS") != NULL)
		return -1;
	ms = cm_prom_duration_ms(w);
	if (ms <= 0 || ms % 3600000 != 0)
		return -1;
	if (ms < 7LL * 86400000 || ms > 90LL * 86400000)
		return -1;
	return (long)(ms / 3600000);
}

/* spec.traffic.latencyBuckets: ascending positive numbers (seconds);
 * default the client libraries' buckets. */
static void cm_mbuckets(cm_pdec *d, const cm_node *seq, cm_mon_profile *p)
{
	const char *const *def = cm_default_buckets;
	size_t n = 0, i;

	if (!seq) {
		while (def[n])
			n++;
	} else if (seq->kind != CM_SEQ || seq->len == 0) {
		cm_perr(d, "spec.traffic.latencyBuckets",
			"field \"spec.traffic.latencyBuckets\" must be a list "
			"of the histogram's bucket bounds in seconds, e.g. "
			"[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, "
			"10]");
		return;
	} else {
		n = seq->len;
	}
	p->buckets = cm_arena_alloc(d->arena, n * sizeof(cm_dec));
	if (!p->buckets) {
		cm_perr(d, "spec.traffic.latencyBuckets", "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		const cm_node *v = seq ? &seq->u.kids[i] : NULL;
		const char *t = v ? (v->kind == CM_SCALAR ? v->u.str : "") : def[i];

		if (cm_dec_parse(t, &p->buckets[i]) < 0 ||
		    cm_dec_sign(p->buckets[i]) <= 0 ||
		    (i > 0 && cm_dec_cmp(p->buckets[i], p->buckets[i - 1]) <= 0)) {
			cm_perr(d, "spec.traffic.latencyBuckets",
				"field \"spec.traffic.latencyBuckets\" must list "
				"positive bucket bounds in seconds in ascending "
				"order (without +Inf); entry %zu is \"%s\"",
				i, t);
			p->n_buckets = 0;
			return;
		}
	}
	p->n_buckets = n;
}

/* spec.severities: {<environment>|default: {page: S, ticket: S}}. */
static void cm_mseverities(cm_pdec *d, const cm_node *m, cm_mon_profile *p)
{
	uint32_t i;

	if (!m)
		return;
	if (m->kind != CM_MAP) {
		cm_perr(d, "spec.severities",
			"field \"spec.severities\" must map environments (or "
			"default) to {page: critical, ticket: warning}");
		return;
	}
	p->severities = cm_arena_alloc(d->arena, (m->len ? m->len : 1) *
							 sizeof(cm_mon_severity));
	if (!p->severities)
		return;
	for (i = 0; i < m->len; i++) {
		const cm_node *k = &m->u.kids[2 * i], *v = &m->u.kids[2 * i + 1];
		cm_mon_severity *sv = &p->severities[p->n_severities];
		char path[200];
		size_t c;

		snprintf(path, sizeof(path), "spec.severities.%s",
			 k->kind == CM_SCALAR ? k->u.str : "?");
		if (k->kind != CM_SCALAR || v->kind != CM_MAP) {
			cm_perr(d, path,
				"field \"%s\" must be a mapping {page: ..., "
				"ticket: ...}",
				path);
			continue;
		}
		cm_pcheck_fields(d, v, path, cm_fd_mon_severity);
		sv->environment = k->u.str;
		sv->page = cm_map_str(v, "page");
		sv->ticket = cm_map_str(v, "ticket");
		for (c = 0; c < 2; c++) {
			const char *w = c ? sv->ticket : sv->page;

			if (w && !cm_word_in(w, cm_severity_words))
				cm_perr(d, path,
					"severity \"%s\" in \"%s.%s\" must be "
					"critical, warning or info",
					w, path, c ? "ticket" : "page");
		}
		p->n_severities++;
	}
}

/* Keys (and, for labels, values) of spec.labels / spec.annotations. */
static void cm_mcheck_meta(cm_pdec *d, const cm_node *m, const char *path,
			   bool values)
{
	uint32_t i;

	for (i = 0; m && i < m->len; i++) {
		const cm_node *k = &m->u.kids[2 * i], *v = &m->u.kids[2 * i + 1];

		if (k->kind != CM_SCALAR || !cm_label_key_ok(k->u.str)) {
			cm_perr(d, path,
				"key \"%s\" in \"%s\" is not a valid Kubernetes "
				"%s key: [prefix/]name, the name at most 63 "
				"letters, digits, '-', '_' or '.', starting and "
				"ending with a letter or digit",
				k->kind == CM_SCALAR ? k->u.str : "?", path,
				values ? "label" : "annotation");
			continue;
		}
		if (v->kind != CM_SCALAR ||
		    (values && !cm_label_value_ok(v->u.str)))
			cm_perr(d, path,
				"value of \"%s.%s\" must be %s",
				path, k->u.str,
				values ? "a valid label value (at most 63 letters, "
					 "digits, '-', '_' or '.', starting and "
					 "ending with a letter or digit)"
				       : "a string");
	}
}

int cm_mon_profile_decode(cm_arena *a, const cm_catalog_entry *e,
			  cm_mon_profile *p, cm_diags *diags)
{
	const cm_node *spec = cm_map_get(e->node, "spec");
	const cm_node *m;
	cm_pdec d;

	memset(p, 0, sizeof(*p));
	cm_pdec_init(&d, a, diags, e, "monitoring profile");
	p->name = e->name;
	p->builtin = e->builtin;
	if (!spec || spec->kind != CM_MAP) {
		cm_perr(&d, "spec", "has no spec");
		return -1;
	}
	cm_pcheck_fields(&d, spec, "spec", cm_fd_mon_spec);
	p->description = cm_map_str(spec, "description");

	if ((m = cm_msub(&d, spec, "endpoint", "spec.endpoint"))) {
		cm_pcheck_fields(&d, m, "spec.endpoint", cm_fd_mon_endpoint);
		p->has_endpoint = true;
		p->port = cm_mstr(&d, m, "port", "spec.endpoint.port", NULL);
		p->path = cm_mstr(&d, m, "path", "spec.endpoint.path", "/metrics");
		p->interval = cm_mstr(&d, m, "interval",
				      "spec.endpoint.interval", "30s");
		p->scheme = cm_mstr(&d, m, "scheme", "spec.endpoint.scheme",
				    "http");
		p->scrape_timeout = cm_mstr(&d, m, "scrapeTimeout",
					    "spec.endpoint.scrapeTimeout", NULL);
		{
			long long iv = cm_prom_duration_ms(p->interval);
			long long to = p->scrape_timeout
					       ? cm_prom_duration_ms(p->scrape_timeout)
					       : 0;

			if (iv <= 0)
				cm_perr(&d, "spec.endpoint.interval",
					"field \"spec.endpoint.interval\" must be a "
					"Prometheus duration greater than 0 such as "
					"30s, 1m or 1m30s (units y w d h m s ms, in "
					"that order), not \"%s\"",
					p->interval);
			if (p->scrape_timeout && to <= 0)
				cm_perr(&d, "spec.endpoint.scrapeTimeout",
					"field \"spec.endpoint.scrapeTimeout\" must "
					"be a Prometheus duration greater than 0 such "
					"as 10s (units y w d h m s ms, in that order), "
					"not \"%s\"",
					p->scrape_timeout);
			else if (p->scrape_timeout && iv > 0 && to > iv)
				cm_perr(&d, "spec.endpoint.scrapeTimeout",
					"field \"spec.endpoint.scrapeTimeout\" (%s) "
					"must not be longer than the interval (%s): "
					"Prometheus refuses such a scrape "
					"configuration",
					p->scrape_timeout, p->interval);
		}
		if (strchr(p->path, ' ') || p->path[0] != '/')
			cm_perr(&d, "spec.endpoint.path",
				"field \"spec.endpoint.path\" must be an HTTP "
				"path starting with / (e.g. /metrics), not "
				"\"%s\"",
				p->path);
		if (!p->port)
			cm_perr(&d, "spec.endpoint.port",
				"the endpoint needs the name of the Service port "
				"to scrape (e.g. port: http)");
		if (strcmp(p->scheme, "http") && strcmp(p->scheme, "https"))
			cm_perr(&d, "spec.endpoint.scheme",
				"field \"spec.endpoint.scheme\" must be http or "
				"https, not \"%s\"",
				p->scheme);
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.endpoint.selector", &p->selector);
		p->up_selector = p->selector;
	}
	if ((m = cm_msub(&d, spec, "traffic", "spec.traffic"))) {
		cm_matchers sel;

		cm_pcheck_fields(&d, m, "spec.traffic", cm_fd_mon_traffic);
		p->has_traffic = true;
		p->requests_metric = cm_mstr(&d, m, "requestsMetric",
					     "spec.traffic.requestsMetric", NULL);
		p->latency_metric = cm_mstr(&d, m, "latencyMetric",
					    "spec.traffic.latencyMetric", NULL);
		if (!p->requests_metric ||
		    !cm_prom_metric_name_ok(p->requests_metric))
			cm_perr(&d, "spec.traffic.requestsMetric",
				"field \"spec.traffic.requestsMetric\" must be a "
				"valid Prometheus metric name, not \"%s\"",
				p->requests_metric ? p->requests_metric : "");
		if (p->latency_metric &&
		    !cm_prom_metric_name_ok(p->latency_metric))
			cm_perr(&d, "spec.traffic.latencyMetric",
				"field \"spec.traffic.latencyMetric\" must be a "
				"valid Prometheus metric name, not \"%s\"",
				p->latency_metric);
		cm_mbuckets(&d, cm_map_get(m, "latencyBuckets"), p);
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.traffic.selector", &sel);
		if (sel.n)
			p->selector = sel; /* traffic selector wins */
		cm_mmatchers(&d, cm_map_get(m, "errors"), "spec.traffic.errors",
			     &p->errors);
		if (!p->errors.n)
			cm_perr(&d, "spec.traffic.errors",
				"the traffic needs matchers that mark a failed "
				"request, e.g. [{label: code, op: '=~', value: "
				"'5..'}]");
	}
	if (!p->selector.n && (p->has_endpoint || p->has_traffic))
		cm_perr(&d, "spec.traffic.selector",
			"no label matchers select the service's series; set "
			"spec.traffic.selector or spec.endpoint.selector");
	if (!p->up_selector.n && p->selector.n)
		cm_up_matchers(&d, &p->selector, &p->up_selector);
	if ((m = cm_msub(&d, spec, "slo", "spec.slo"))) {
		cm_pcheck_fields(&d, m, "spec.slo", cm_fd_mon_slo);
		cm_mnum(&d, m, "availability", "spec.slo.availability",
			&p->availability, &p->has_availability);
		cm_mnum(&d, m, "errorRate", "spec.slo.errorRate", &p->error_rate,
			&p->has_error_rate);
		cm_mnum(&d, m, "latencyP95ms", "spec.slo.latencyP95ms",
			&p->latency_ms, &p->has_latency);
		p->window = cm_mstr(&d, m, "window", "spec.slo.window", "30d");
		if (cm_window_hours(p->window) < 0)
			cm_perr(&d, "spec.slo.window",
				"field \"spec.slo.window\" must be an SLO window "
				"from 7d to 90d in whole hours, written in weeks, "
				"days or hours (e.g. 28d, 30d, 4w, 720h), not "
				"\"%s\"",
				p->window);
	} else {
		p->window = "30d";
	}
	cm_mseverities(&d, cm_map_get(spec, "severities"), p);
	if ((m = cm_msub(&d, spec, "resources", "spec.resources"))) {
		const cm_node *sz;
		bool ok1, ok2, hw;
		uint32_t i;

		cm_pcheck_fields(&d, m, "spec.resources", cm_fd_mon_resources);
		p->has_resources = true;
		cm_mmatchers(&d, cm_map_get(m, "selector"),
			     "spec.resources.selector", &p->res_selector);
		if (!p->res_selector.n)
			cm_perr(&d, "spec.resources.selector",
				"resource alerts need matchers for the service's "
				"pods, e.g. {label: pod, op: '=~', value: "
				"'{service}-.*'}");
		cm_mqty(&d, m, "memory", "spec.resources.memory",
			&p->memory_bytes, &ok1);
		cm_mqty(&d, m, "cpu", "spec.resources.cpu", &p->cpu_cores, &ok2);
		if (!cm_map_get(m, "memory") || !cm_map_get(m, "cpu"))
			cm_perr(&d, "spec.resources",
				"resource alerts need both memory and cpu base "
				"thresholds");
		cm_mnum(&d, m, "warningPercent",
			"spec.resources.warningPercent", &p->warning_percent, &hw);
		if (!hw)
			cm_dec_parse("80", &p->warning_percent);
		else if (cm_dec_sign(p->warning_percent) <= 0 ||
			 cm_dec_cmp(p->warning_percent, cm_dec_int(100)) >= 0)
			cm_perr(&d, "spec.resources.warningPercent",
				"field \"spec.resources.warningPercent\" must be "
				"between 0 and 100 (exclusive)");
		sz = cm_map_get(m, "sizes");
		if (sz && sz->kind == CM_MAP && sz->len) {
			p->sizes = cm_arena_alloc(a, sz->len * sizeof(cm_mon_size));
			for (i = 0; p->sizes && i < sz->len; i++) {
				const cm_node *k = &sz->u.kids[2 * i];
				const cm_node *v = &sz->u.kids[2 * i + 1];
				char path[200];

				snprintf(path, sizeof(path),
					 "spec.resources.sizes.%s",
					 k->kind == CM_SCALAR ? k->u.str : "?");
				if (k->kind != CM_SCALAR || v->kind != CM_SCALAR ||
				    cm_dec_parse(v->u.str,
						 &p->sizes[p->n_sizes].multiplier) < 0 ||
				    cm_dec_sign(p->sizes[p->n_sizes].multiplier) <= 0) {
					cm_perr(&d, path,
						"field \"%s\" must be a number > 0",
						path);
					continue;
				}
				p->sizes[p->n_sizes++].name = k->u.str;
			}
		} else if (sz) {
			cm_perr(&d, "spec.resources.sizes",
				"field \"spec.resources.sizes\" must map sizes to "
				"multipliers, e.g. {small: 0.75, medium: 1}");
		}
	}
	if ((m = cm_msub(&d, spec, "alerts", "spec.alerts"))) {
		cm_pcheck_fields(&d, m, "spec.alerts", cm_fd_mon_alerts);
		p->crash_looping = cm_mbool(&d, m, "crashLooping",
					    "spec.alerts.crashLooping", true);
		p->job_failures = cm_mbool(&d, m, "jobFailures",
					   "spec.alerts.jobFailures", false);
		p->runbook_url = cm_mstr(&d, m, "runbookUrl",
					 "spec.alerts.runbookUrl", NULL);
		if (p->runbook_url)
			cm_mcheck_template(&d, p->runbook_url,
					   "spec.alerts.runbookUrl", false);
	} else {
		p->crash_looping = p->has_resources;
	}
	p->labels = cm_msub(&d, spec, "labels", "spec.labels");
	p->annotations = cm_msub(&d, spec, "annotations", "spec.annotations");
	cm_mcheck_meta(&d, p->labels, "spec.labels", true);
	cm_mcheck_meta(&d, p->annotations, "spec.annotations", false);
	p->dashboard = cm_map_get(spec, "dashboard");
	if ((m = cm_msub(&d, spec, "dynatrace", "spec.dynatrace"))) {
		cm_pcheck_fields(&d, m, "spec.dynatrace", cm_fd_mon_dynatrace);
		p->has_dynatrace = true;
		cm_mstrings(&d, cm_map_get(m, "technologies"),
			    "spec.dynatrace.technologies", &p->technologies,
			    &p->n_technologies);
		cm_mstrings(&d, cm_map_get(m, "requestAttributes"),
			    "spec.dynatrace.requestAttributes",
			    &p->request_attributes, &p->n_request_attributes);
	}
	return d.errors ? -1 : 0;
}

/* ---- expansion ---- */

/* "payment-processor" -> "PaymentProcessor". Arena string or NULL. */
static const char *cm_camel(cm_arena *a, const char *s)
{
	char out[128];
	size_t n = 0;
	int up = 1;

	for (; *s && n + 1 < sizeof(out); s++) {
		if (*s == '-' || *s == '_' || *s == '.') {
			up = 1;
			continue;
		}
		out[n++] = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		up = 0;
	}
	return cm_arena_strndup(a, out, n);
}

static const char *const cm_slo_labels[CM_SLO_KINDS] = {
	"availability", "error-rate", "latency",
};

/*
 * The four burn-rate alerts of slo for a window of hours: factor =
 * fraction x window / long window, cut after 6 places; threshold =
 * factor x budget. 0, or -1 when a number does not fit.
 */
static int cm_slo_burns(cm_slo *s, long hours)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		const cm_burn_def *bd = &cm_burn_defs[i];
		cm_burn *b = &s->burns[i];
		cm_dec fw;

		b->long_w = bd->long_w;
		b->short_w = bd->short_w;
		b->cls = bd->cls;
		if (cm_dec_parse(bd->fraction, &b->fraction) < 0 ||
		    cm_dec_mul(b->fraction, cm_dec_int(hours), &fw) < 0 ||
		    cm_dec_div(fw, cm_dec_int(bd->long_hours), 6, &b->factor) < 0 ||
		    cm_dec_mul(b->factor, s->budget, &b->threshold) < 0)
			return -1;
		b->possible = cm_dec_cmp(b->threshold, cm_dec_int(1)) < 0;
	}
	return 0;
}

/*
 * Place a latency objective among the buckets: on one, between two, or
 * below the first (interpolated from 0). Above the last finite bucket
 * there is nothing to interpolate with: an error naming the last
 * buckets. Returns 0 or -1.
 */
static int cm_slo_buckets(cm_slo *s, const cm_mon_profile *p, const char *env,
			  const char *from, const cm_where *w, cm_diags *diags)
{
	char a[CM_DEC_BUFSZ], b[CM_DEC_BUFSZ], c[CM_DEC_BUFSZ];
	size_t i;

	if (cm_dec_shift(s->objective, 3, &s->seconds) < 0)
		return -1;
	for (i = 0; i < p->n_buckets; i++) {
		int cmp = cm_dec_cmp(s->seconds, p->buckets[i]);

		if (cmp == 0) {
			s->le_lo = s->le_hi = p->buckets[i];
			s->on_bucket = true;
			return 0;
		}
		if (cmp < 0) {
			s->le_lo = i ? p->buckets[i - 1] : cm_dec_int(0);
			s->le_hi = p->buckets[i];
			s->on_bucket = false;
			return 0;
		}
	}
	cm_dec_format(s->objective, a);
	cm_dec_format(p->buckets[p->n_buckets - 1], b);
	cm_dec_format(p->n_buckets > 1 ? p->buckets[p->n_buckets - 2]
				       : p->buckets[0], c);
	cm_diag_add(diags, CM_SEV_ERROR, w,
		    "latency objective %s ms for %s (from %s) is above the "
		    "highest finite bucket of the histogram (%s s; the nearest "
		    "buckets are %s s and %s s), so the share of requests "
		    "faster than it cannot be measured; use an objective of at "
		    "most %s s, or list the service's buckets in "
		    "spec.traffic.latencyBuckets of monitoring profile \"%s\"",
		    a, env, from, b, c, b, b, p->name);
	return -1;
}

/*
 * Check one SLO and derive its budget and burn-rate alerts. kind:
 * availability (budget 1 - A/100), error rate (E/100), latency p95
 * (0.05 of requests may be slower). path is the field the objective came
 * from (an override), or NULL when it is the profile's default. Reports
 * errors and warnings. Returns 0 or -1.
 */
static int cm_slo_setup(cm_slo *s, cm_slo_kind kind, const char *path,
			const cm_mon_plan *plan, const cm_config *cfg,
			cm_diags *diags)
{
	cm_where w = cfg->where;
	const char *env = plan->environment;
	char a[CM_DEC_BUFSZ], b[CM_DEC_BUFSZ], f[CM_DEC_BUFSZ], from[200];
	cm_dec hundred = cm_dec_int(100), tmp;
	size_t i;

	s->kind = kind;
	s->label = cm_slo_labels[kind];
	w.field_path = path;
	if (path)
		snprintf(from, sizeof(from), "%s", path);
	else
		snprintf(from, sizeof(from), "monitoring profile \"%s\"",
			 plan->profile.name);
	cm_dec_format(s->objective, a);
	if (kind == CM_SLO_LATENCY) {
		if (cm_dec_sign(s->objective) <= 0) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "latency objective %s ms for %s (from %s) "
				    "must be greater than 0",
				    a, env, from);
			return -1;
		}
		cm_dec_parse("0.05", &s->budget);
		if (cm_slo_buckets(s, &plan->profile, env, from, &w, diags) < 0)
			return -1;
	} else {
		if (cm_dec_sign(s->objective) <= 0 ||
		    cm_dec_cmp(s->objective, hundred) >= 0) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s objective %s%% for %s (from %s) must be "
				    "between 0 and 100 (exclusive), e.g. %s",
				    kind == CM_SLO_AVAILABILITY ? "availability"
								: "error rate",
				    a, env, from,
				    kind == CM_SLO_AVAILABILITY ? "99.9" : "0.1");
			return -1;
		}
		if (kind == CM_SLO_AVAILABILITY) {
			if (cm_dec_sub(hundred, s->objective, &tmp) < 0 ||
			    cm_dec_shift(tmp, 2, &s->budget) < 0)
				return -1;
		} else if (cm_dec_shift(s->objective, 2, &s->budget) < 0) {
			return -1;
		}
	}
	if (cm_dec_sub(cm_dec_int(1), s->budget, &s->target) < 0 ||
	    cm_slo_burns(s, plan->window_hours) < 0) {
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "%s objective %s for %s (from %s) does not give "
			    "exact burn-rate thresholds; use fewer decimals",
			    s->label, a, env, from);
		return -1;
	}
	for (i = 0; i < 4; i++) {
		if (s->burns[i].possible)
			continue;
		cm_diag_add(diags, CM_SEV_WARNING, &w,
			    "%s objective %s for %s (from %s) leaves an error "
			    "budget of %s: a %sx burn rate (%s/%s windows of a "
			    "%s SLO window) would need more than 100%% bad "
			    "requests, so that alert can never fire and is left "
			    "out; use a stricter objective",
			    s->label, a, env, from, cm_dec_format(s->budget, b),
			    cm_dec_format(s->burns[i].factor, f),
			    s->burns[i].long_w, s->burns[i].short_w,
			    plan->window);
	}
	return 0;
}

/*
 * Availability is measured from `up`: one scrape of one target is one
 * sample. When a single failed scrape in an hour is already above the
 * fastest page threshold, the objective is finer than the signal: say so.
 */
static void cm_check_resolution(const cm_mon_plan *plan, const cm_config *cfg,
				cm_diags *diags)
{
	long long ms = plan->profile.interval
			       ? cm_prom_duration_ms(plan->profile.interval)
			       : 0;
	long secs = (long)(ms / 1000);
	const cm_slo *s = &plan->availability;
	cm_dec one_in;
	char obj[CM_DEC_BUFSZ], th[CM_DEC_BUFSZ];
	cm_where w = cfg->where;

	if (!s->on || secs <= 0 || secs > 3600 || !s->burns[0].possible)
		return;
	if (cm_dec_div(cm_dec_int(1), cm_dec_int(3600 / secs), 6, &one_in) < 0 ||
	    cm_dec_cmp(one_in, s->burns[0].threshold) <= 0)
		return;
	cm_dec_format(s->objective, obj);
	cm_dec_format(s->burns[0].threshold, th);
	cm_diag_add(diags, CM_SEV_WARNING, &w,
		    "availability objective %s%% for %s is finer than up-based "
		    "availability can measure: a target scraped every %s gives "
		    "%ld samples an hour, so one failed scrape (1/%ld) is already "
		    "above the page threshold %s and pages; use a looser "
		    "availability objective, scrape more often, or rely on the "
		    "error-rate SLO for this precision",
		    obj, plan->environment, plan->profile.interval, 3600 / secs,
		    3600 / secs, th);
}

/* "28d", "4w" -> "28d"; "36h" -> "36h". Arena string or NULL. */
static const char *cm_window_text(cm_arena *a, long hours)
{
	char buf[32];

	if (hours % 24 == 0)
		snprintf(buf, sizeof(buf), "%ldd", hours / 24);
	else
		snprintf(buf, sizeof(buf), "%ldh", hours);
	return cm_arena_strndup(a, buf, strlen(buf));
}

const char *cm_mon_severity_of(const cm_mon_plan *plan, cm_sev_class c)
{
	return plan->severity[c == CM_CLASS_PAGE ? 0 : 1];
}

/*
 * The severities of environment env into sev[2] (page, ticket): the
 * ServiceProfile's override, else the profile's entry for the
 * environment, else its "default", else costmon's default (prod pages:
 * critical / warning; every other environment warning / warning). *from
 * says which. Override words are not checked here.
 */
static void cm_sev_for(const cm_mon_plan *plan, const cm_config *cfg,
		       const char *env, const char *sev[2], const char **from)
{
	const cm_mon_profile *p = &plan->profile;
	const cm_mon_severity *e = NULL, *def = NULL;
	const cm_slo_override *ov = NULL;
	size_t i, c;

	for (i = 0; i < cfg->n_overrides; i++)
		if (!strcmp(cfg->overrides[i].environment, env))
			ov = &cfg->overrides[i];
	for (i = 0; i < p->n_severities; i++) {
		if (!strcmp(p->severities[i].environment, env))
			e = &p->severities[i];
		else if (!strcmp(p->severities[i].environment, "default"))
			def = &p->severities[i];
	}
	*from = "default";
	for (c = 0; c < 2; c++) {
		const char *o = ov ? (c ? ov->ticket_severity : ov->page_severity)
				   : NULL;
		const char *pe = e ? (c ? e->ticket : e->page) : NULL;
		const char *pd = def ? (c ? def->ticket : def->page) : NULL;

		if (o) {
			sev[c] = o;
			*from = "override";
		} else if (pe || pd) {
			sev[c] = pe ? pe : pd;
			if (strcmp(*from, "override"))
				*from = "profile";
		} else {
			sev[c] = !strcmp(env, "prod") && c == 0 ? "critical"
								: "warning";
		}
	}
}

/* The severities of the plan's environment; every override's words are
 * checked (for every environment, not only this one). 0 or -1. */
static int cm_plan_severity(cm_mon_plan *plan, const cm_config *cfg,
			    cm_diags *diags)
{
	cm_where w = cfg->where;
	size_t i, c;
	int rc = 0;

	for (i = 0; i < cfg->n_overrides; i++) {
		const cm_slo_override *ov = &cfg->overrides[i];

		for (c = 0; c < 2; c++) {
			const char *o = c ? ov->ticket_severity : ov->page_severity;
			const char *key = c ? "ticketSeverity" : "pageSeverity";
			char path[160];

			if (!o || cm_word_in(o, cm_severity_words))
				continue;
			if (cfg->form == CM_CONFIG_CONFIGMAP)
				snprintf(path, sizeof(path), "data.%s", key);
			else
				snprintf(path, sizeof(path),
					 "spec.monitoring.overrides.%s.%s",
					 ov->environment, key);
			w.field_path = path;
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "%s \"%s\" must be critical, warning or info",
				    path, o);
			rc = -1;
		}
	}
	cm_sev_for(plan, cfg, plan->environment, plan->severity,
		   &plan->severity_from);
	return rc;
}

/* ---- the workload and the Services that carry its metrics ---- */

static bool cm_ns_eq(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* True when the item of facts f is a Service of the core group. */
static bool cm_is_service(const cm_item_facts *f)
{
	return cm_facts_changeable(f) && f->kind &&
	       !strcmp(f->kind, "Service") && f->api && !strcmp(f->api, "v1");
}

/* True when every pair of sel (a mapping) is in labels. */
static bool cm_selects(const cm_node *sel, const cm_node *labels)
{
	uint32_t i;

	if (!sel || sel->kind != CM_MAP || sel->len == 0 || !labels)
		return false;
	for (i = 0; i < sel->len; i++) {
		const cm_node *k = &sel->u.kids[2 * i];
		const cm_node *v = &sel->u.kids[2 * i + 1];
		const cm_node *have;

		if (k->kind != CM_SCALAR || v->kind != CM_SCALAR)
			return false;
		have = cm_map_get(labels, k->u.str);
		if (!have || have->kind != CM_SCALAR ||
		    have->len != v->len || memcmp(have->u.str, v->u.str, v->len))
			return false;
	}
	return true;
}

static bool cm_has_port(const cm_node *svc, const char *port)
{
	const cm_node *ports = cm_map_path(svc, "spec.ports");
	uint32_t i;

	for (i = 0; port && ports && ports->kind == CM_SEQ && i < ports->len; i++) {
		const char *pn = cm_map_str(&ports->u.kids[i], "name");

		if (pn && !strcmp(pn, port))
			return true;
	}
	return false;
}

/* Do the profile's series matchers use the target labels service/job? */
static bool cm_uses_targets(const cm_mon_profile *p)
{
	size_t i;

	for (i = 0; i < p->selector.n; i++)
		if ((!strcmp(p->selector.v[i].label, "service") ||
		     !strcmp(p->selector.v[i].label, "job")) &&
		    strstr(p->selector.v[i].value, "{service}"))
			return true;
	return false;
}

/* Does one of matchers m use {workload}? */
static bool cm_matchers_use_workload(const cm_matchers *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strstr(m->v[i].value, "{workload}"))
			return true;
	return false;
}

/*
 * What {workload} stands for, into plan->workload_name: the name of wl
 * (the service's workload), or spec.service when items hold no
 * workload. Several workloads and none named like the service, with a
 * profile whose matchers use {workload}, is an error: the pods cannot be
 * told apart. 0 or -1 (reported).
 */
static int cm_plan_workload(cm_mon_plan *plan, const cm_config *cfg,
			    const cm_index *ix, const cm_node *wl,
			    cm_diags *diags)
{
	const cm_mon_profile *p = &plan->profile;
	char names[512] = "";
	cm_where w = cfg->where;
	size_t n = 0;
	uint32_t i;

	plan->workload_name = wl ? cm_map_str(wl, "metadata.name") : NULL;
	if (!plan->workload_name)
		plan->workload_name = cfg->service;
	if (wl || !ix || !plan->prometheus ||
	    !(cm_matchers_use_workload(&p->selector) ||
	      cm_matchers_use_workload(&p->errors) ||
	      (p->has_resources && cm_matchers_use_workload(&p->res_selector))))
		return 0;
	for (i = 0; i < ix->n; i++) {
		const char *name = ix->v[i].name;
		const char *kind = ix->v[i].kind;

		if (!cm_facts_changeable(&ix->v[i]) ||
		    ix->v[i].workload == CM_WORKLOAD_NONE)
			continue;
		if (strlen(names) + (name ? strlen(name) : 0) +
			    (kind ? strlen(kind) : 0) + 8 < sizeof(names))
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s \"%s\"",
				 n ? ", " : "", kind ? kind : "workload",
				 name ? name : "");
		n++;
	}
	if (!n)
		return 0; /* no workload: {workload} is spec.service */
	w.field_path = NULL;
	cm_diag_add(diags, CM_SEV_ERROR, &w,
		    "monitoring profile \"%s\" matches the pods of service "
		    "\"%s\" by their workload's name ({workload} in its "
		    "matchers), but the input has %zu "
		    "workloads (%s) and none is named \"%s\", so its pods "
		    "cannot be told apart and its resource and crash-loop "
		    "alerts would watch no pod; name the service's workload "
		    "\"%s\", or use a monitoring profile whose "
		    "resources.selector matches its pods without {workload}",
		    p->name, cfg->service, n, names, cfg->service,
		    cfg->service);
	return -1;
}

/*
 * The Services the ServiceMonitor selects, into plan->targets: the
 * Services of the input (same namespace) whose selector matches the
 * workload's pods and which have the profile's metrics port, narrowed to
 * spec.monitoring.serviceName and to serviceSelector's labels when set;
 * with no such Service in the input, spec.monitoring.serviceName. When
 * the profile's series need the name and none is known, or a Service
 * cannot be scraped, that is an error. 0 or -1.
 */
static int cm_plan_targets(cm_arena *a, cm_mon_plan *plan,
			   const cm_config *cfg, const cm_index *ix,
			   cm_diags *diags)
{
	const cm_mon_profile *p = &plan->profile;
	const cm_node *wl = cm_find_workload(ix, cfg->service);
	const cm_node *pods = wl ? cm_item_pod_labels(wl) : NULL;
	const char *ns = wl ? cm_map_str(wl, "metadata.namespace") : NULL;
	const char *wl_kind = wl ? cm_map_str(wl, "kind") : "workload";
	const char *wl_name = wl ? cm_map_str(wl, "metadata.name") : cfg->service;
	bool need = p->has_endpoint || p->has_traffic;
	cm_where w = cfg->where;
	char names[512] = "", path[128], pname[128], psel[128];
	size_t n = 0, nsel = 0;
	uint32_t i;

	plan->workload = wl;
	if (cm_plan_workload(plan, cfg, ix, wl, diags) < 0)
		return -1;
	if (!need || !plan->prometheus)
		return 0;
	cm_config_path(cfg, "monitoring.serviceName", "serviceName", pname,
		       sizeof(pname));
	cm_config_path(cfg, "monitoring.serviceSelector", "serviceSelector",
		       psel, sizeof(psel));
	plan->targets = cm_arena_alloc(a, (ix && ix->n ? ix->n : 1) *
						  sizeof(char *));
	plan->target_nodes = cm_arena_alloc(a, (ix && ix->n ? ix->n : 1) *
						       sizeof(cm_node *));
	if (!plan->targets || !plan->target_nodes)
		return -1;
	for (i = 0; pods && i < ix->n; i++) {
		const cm_node *it = &ix->items->u.kids[i];
		const char *name = ix->v[i].name;

		if (!cm_is_service(&ix->v[i]) || !name ||
		    !cm_ns_eq(ix->v[i].ns, ns) ||
		    !cm_selects(cm_map_path(it, "spec.selector"), pods))
			continue;
		if (cfg->service_name && strcmp(cfg->service_name, name))
			continue;
		if (cfg->service_selector &&
		    !cm_selects(cfg->service_selector,
				cm_map_path(it, "metadata.labels")))
			continue;
		nsel++;
		if (strlen(names) + strlen(name) + 4 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s\"%s\"", names[0] ? ", " : "", name);
		if (p->has_endpoint && !cm_has_port(it, p->port))
			continue;
		plan->target_nodes[n] = it;
		plan->targets[n++] = name;
	}
	/* No Service selects the pods (no workload in the input, or a
	 * Service without a selector): the Service named like the service. */
	for (i = 0; !nsel && ix && i < ix->n; i++) {
		const cm_node *it = &ix->items->u.kids[i];
		const char *name = ix->v[i].name;

		if (!cm_is_service(&ix->v[i]) || !name ||
		    strcmp(name, cfg->service_name ? cfg->service_name : cfg->service) ||
		    (wl && !cm_ns_eq(ix->v[i].ns, ns)))
			continue;
		nsel++;
		snprintf(names, sizeof(names), "\"%s\"", name);
		if (p->has_endpoint && !cm_has_port(it, p->port))
			continue;
		plan->target_nodes[n] = it;
		plan->targets[n++] = name;
	}
	plan->n_targets = n;
	if (n) {
		plan->targets_from = "input";
		return 0;
	}
	w.field_path = NULL;
	if (nsel) {
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "Service%s %s select%s the pods of %s \"%s\" but %s "
			    "no port named \"%s\", so ServiceMonitor "
			    "\"%s-monitor\" would scrape nothing and every SLO "
			    "alert would stay silent; name the metrics port "
			    "\"%s\" in the Service, or use a monitoring profile "
			    "whose endpoint.port matches",
			    nsel > 1 ? "s" : "", names, nsel > 1 ? "" : "s",
			    wl_kind, wl_name, nsel > 1 ? "have" : "has", p->port,
			    cfg->service, p->port);
		return -1;
	}
	if (cfg->service_name) {
		plan->targets[0] = cfg->service_name;
		plan->target_nodes[0] = NULL;
		plan->n_targets = 1;
		plan->targets_from = "spec.monitoring.serviceName";
		if (p->has_endpoint && !cfg->service_selector && ix) {
			char eg[320];

			snprintf(eg, sizeof(eg),
				 cfg->form == CM_CONFIG_CONFIGMAP
					 ? "serviceSelector=app=%s"
					 : "{app: %s}",
				 cfg->service);
			w.field_path = cm_config_path(cfg, "monitoring.serviceSelector",
						      "serviceSelector", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "Service \"%s\" (%s) is not in the input, so "
				    "its labels are unknown and ServiceMonitor "
				    "\"%s-monitor\" cannot select it; set %s to the "
				    "Service's labels, e.g. %s",
				    cfg->service_name, pname, cfg->service, psel,
				    eg);
			return -1;
		}
		return 0;
	}
	if (!ix)
		return 0; /* krm-fn expand: nothing to look in */
	if (!cm_uses_targets(p)) {
		/* The series are not selected by the Service's name, so they
		 * may still match; the ServiceMonitor guesses the labels. */
		if (p->has_endpoint && !cfg->service_selector)
			cm_diag_add(diags, CM_SEV_WARNING, &w,
				    "no Service in the input selects the pods of "
				    "%s \"%s\", so ServiceMonitor \"%s-monitor\" "
				    "selects Services labelled app: %s; add the "
				    "Service to the build, or set %s to its labels",
				    wl_kind, wl_name ? wl_name : cfg->service,
				    cfg->service, cfg->service, psel);
		return 0;
	}
	w.field_path = NULL;
	cm_diag_add(diags, CM_SEV_ERROR, &w,
		    "no Service in the input selects the pods of %s \"%s\"%s%s%s%s, "
		    "so the name Prometheus gives its targets (the Service's "
		    "name, in the service and job labels) is unknown and the "
		    "SLO and Down alerts could never match; add the Service "
		    "to the build, or set %s to the Service's name and %s to "
		    "its labels",
		    wl_kind, wl_name ? wl_name : cfg->service,
		    cfg->service_selector ? " with the labels of " : "",
		    cfg->service_selector ? psel : "",
		    cfg->service_name ? " and the name of " : "",
		    cfg->service_name ? pname : "", pname, psel);
	return -1;
}

int cm_mon_expand(cm_arena *a, const cm_config *cfg, const cm_catalog *cat,
		  const char *namespace_, const cm_index *ix,
		  cm_mon_plan *plan, cm_diags *diags)
{
	const cm_catalog_entry *e;
	const cm_slo_override *ov = NULL;
	cm_where w = cfg->where;
	char list[512], path[128];
	size_t i;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	e = cm_catalog_find(cat, "MonitoringProfile", cfg->monitoring_profile);
	if (!e) {
		cm_catalog_names(cat, "MonitoringProfile", list, sizeof(list));
		w.field_path = cm_config_path(cfg, "monitoringProfile",
					      "monitoringProfile", path,
					      sizeof(path));
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "unknown monitoring profile \"%s\"; known profiles: "
			    "%s (or define it as a MonitoringProfile item "
			    "marked config.kubernetes.io/local-config: \"true\")",
			    cfg->monitoring_profile, list);
		return -1;
	}
	if (cm_mon_profile_decode(a, e, &plan->profile, diags) < 0)
		return -1;
	plan->service = cfg->service;
	plan->team = cfg->team;
	plan->environment = cfg->environment;
	plan->namespace_ = namespace_;
	plan->size = cfg->size && *cfg->size ? cfg->size : "medium";
	plan->prometheus = cfg->prometheus != 0; /* default on */
	plan->dynatrace = cfg->dynatrace == 1;
	plan->alert_prefix = cm_camel(a, cfg->service);
	plan->window_hours = cm_window_hours(plan->profile.window);
	plan->window = cm_window_text(a, plan->window_hours);
	plan->extra_labels = cfg->monitoring_labels;
	for (i = 0; plan->extra_labels && i < plan->extra_labels->len; i++) {
		const char *k = plan->extra_labels->u.kids[2 * i].u.str;
		const char *v = plan->extra_labels->u.kids[2 * i + 1].u.str;

		if (cm_label_key_ok(k) && cm_label_value_ok(v))
			continue;
		w.field_path = cm_config_path(cfg, "monitoring.labels",
					      "monitoringLabels", path,
					      sizeof(path));
		if (!cm_label_key_ok(k))
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "label key \"%s\" in %s "
				    "is not a valid label key: [prefix/]name, the "
				    "name at most 63 letters, digits, '-', '_' or "
				    "'.', starting and ending with a letter or "
				    "digit",
				    k, path);
		else
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "value \"%s\" of label \"%s\" in "
				    "%s is not a valid label "
				    "value: at most 63 letters, digits, '-', '_' "
				    "or '.', starting and ending with a letter or "
				    "digit",
				    v, k, path);
		rc = -1;
	}
	plan->slos[CM_SLO_AVAILABILITY] = &plan->availability;
	plan->slos[CM_SLO_ERRORS] = &plan->error_rate;
	plan->slos[CM_SLO_LATENCY] = &plan->latency;
	if (!plan->alert_prefix || !plan->window)
		return -1;

	/* SLOs: the profile's defaults, then the environment's overrides. */
	for (i = 0; i < cfg->n_overrides; i++)
		if (!strcmp(cfg->overrides[i].environment, cfg->environment))
			ov = &cfg->overrides[i];
	if (cm_plan_severity(plan, cfg, diags) < 0)
		rc = -1;
	if (plan->profile.has_traffic) {
		struct {
			cm_slo *slo;
			bool has;
			cm_dec def;
			const char *over, *field;
		} s[3] = {
			{&plan->availability, plan->profile.has_availability,
			 plan->profile.availability, ov ? ov->availability : NULL,
			 "sloAvailability"},
			{&plan->error_rate, plan->profile.has_error_rate,
			 plan->profile.error_rate, ov ? ov->error_rate : NULL,
			 "sloErrorRate"},
			{&plan->latency,
			 plan->profile.has_latency && plan->profile.latency_metric,
			 plan->profile.latency_ms, ov ? ov->latency_p95_ms : NULL,
			 "sloLatencyP95ms"},
		};

		for (i = 0; i < 3; i++) {
			s[i].slo->on = s[i].has || s[i].over;
			s[i].slo->objective = s[i].def;
			if (s[i].over && cfg->form == CM_CONFIG_CONFIGMAP)
				snprintf(path, sizeof(path), "data.%s",
					 s[i].field);
			else if (s[i].over)
				snprintf(path, sizeof(path),
					 "spec.monitoring.overrides.%s.%s",
					 cfg->environment, s[i].field);
			if (s[i].over &&
			    cm_dec_parse(s[i].over, &s[i].slo->objective) < 0) {
				w.field_path = path;
				cm_diag_add(diags, CM_SEV_ERROR, &w,
					    "%s \"%s\" %s; write a number such "
					    "as %s",
					    path, s[i].over,
					    cm_dec_why(s[i].over),
					    i == 0   ? "99.9"
					    : i == 1 ? "0.1"
						     : "300");
				rc = -1;
				continue;
			}
			if (i == 2 && s[i].over && !plan->profile.latency_metric) {
				w.field_path = path;
				cm_diag_add(diags, CM_SEV_ERROR, &w,
					    "%s asks for a latency objective, but "
					    "monitoring profile \"%s\" has no "
					    "latency histogram to measure it; "
					    "remove the override or use a profile "
					    "with spec.traffic.latencyMetric",
					    path, plan->profile.name);
				s[i].slo->on = false;
				rc = -1;
				continue;
			}
			if (s[i].slo->on &&
			    cm_slo_setup(s[i].slo, (cm_slo_kind)i,
					 s[i].over ? path : NULL, plan, cfg,
					 diags) < 0)
				rc = -1;
		}
	} else if (ov && (ov->availability || ov->error_rate ||
			  ov->latency_p95_ms)) {
		w.field_path = NULL;
		cm_diag_add(diags, CM_SEV_ERROR, &w,
			    "monitoring profile \"%s\" measures no HTTP traffic, "
			    "so the SLO overrides for %s cannot be applied; "
			    "remove them or use a profile with spec.traffic",
			    plan->profile.name, cfg->environment);
		rc = -1;
	}

	if (rc == 0 && plan->prometheus)
		cm_check_resolution(plan, cfg, diags);
	if (plan->profile.has_resources) {
		cm_dec mult = cm_dec_int(1), pct;
		bool found = plan->profile.n_sizes == 0;

		for (i = 0; i < plan->profile.n_sizes; i++)
			if (!strcmp(plan->profile.sizes[i].name, plan->size)) {
				mult = plan->profile.sizes[i].multiplier;
				found = true;
			}
		if (!found) {
			const char *names[32];

			for (i = 0; i < plan->profile.n_sizes && i < 31; i++)
				names[i] = plan->profile.sizes[i].name;
			names[i] = NULL;
			cm_join(list, sizeof(list), names);
			w.field_path = cm_config_path(cfg, "size", "size", path,
						      sizeof(path));
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "size \"%s\" is not in monitoring profile "
				    "\"%s\"; allowed sizes: %s",
				    plan->size, plan->profile.name, list);
			return -1;
		}
		if (cm_dec_mul(plan->profile.memory_bytes, mult,
			       &plan->memory_bytes) < 0 ||
		    cm_dec_mul(plan->profile.cpu_cores, mult,
			       &plan->cpu_cores) < 0 ||
		    cm_dec_mul(plan->memory_bytes, plan->profile.warning_percent,
			       &pct) < 0 ||
		    cm_dec_shift(pct, 2, &plan->memory_warning) < 0 ||
		    cm_dec_mul(plan->cpu_cores, plan->profile.warning_percent,
			       &pct) < 0 ||
		    cm_dec_shift(pct, 2, &plan->cpu_warning) < 0) {
			cm_diag_add(diags, CM_SEV_ERROR, &w,
				    "resource thresholds of monitoring profile "
				    "\"%s\" do not fit an exact decimal",
				    plan->profile.name);
			return -1;
		}
	}
	if (rc == 0 && cm_plan_targets(a, plan, cfg, ix, diags) < 0)
		rc = -1;
	return rc;
}

/* ---- the plan as JSON ---- */

static json_t *cm_jdec(cm_dec d)
{
	char num[CM_DEC_BUFSZ];

	return json_string(cm_dec_format(d, num));
}

int cm_mon_plan_json(const cm_mon_plan *pl, const cm_config *cfg,
		     const char *const *envs, size_t n_envs, char **out)
{
	json_t *o = json_object(), *slos = json_array(), *t = json_array();
	json_t *sev = json_object(), *by = json_object();
	size_t i, k;
	int rc = -1;

	*out = NULL;
	if (!o || !slos || !t || !sev || !by)
		goto out;
	json_object_set_new(o, "profile", json_string(pl->profile.name));
	json_object_set_new(o, "environment", json_string(pl->environment));
	if (pl->namespace_)
		json_object_set_new(o, "namespace", json_string(pl->namespace_));
	json_object_set_new(sev, "page", json_string(pl->severity[0]));
	json_object_set_new(sev, "ticket", json_string(pl->severity[1]));
	json_object_set_new(sev, "from", json_string(pl->severity_from));
	json_object_set(o, "severity", sev);
	for (i = 0; i < n_envs; i++) {
		const char *sv[2], *from;
		json_t *e = json_object();

		if (!e)
			goto out;
		cm_sev_for(pl, cfg, envs[i], sv, &from);
		json_object_set_new(e, "page", json_string(sv[0]));
		json_object_set_new(e, "ticket", json_string(sv[1]));
		json_object_set_new(by, envs[i], e);
	}
	if (n_envs)
		json_object_set(o, "severityByEnvironment", by);
	for (i = 0; i < pl->n_targets; i++)
		json_array_append_new(t, json_string(pl->targets[i]));
	json_object_set(o, "targetServices", t);
	if (pl->profile.has_traffic) {
		json_object_set_new(o, "window", json_string(pl->window));
		json_object_set_new(o, "requestsMetric",
				    json_string(pl->profile.requests_metric));
		if (pl->profile.latency_metric) {
			json_t *bk = json_array();

			json_object_set_new(o, "latencyMetric",
					    json_string(pl->profile.latency_metric));
			for (i = 0; bk && i < pl->profile.n_buckets; i++)
				json_array_append_new(bk, cm_jdec(pl->profile.buckets[i]));
			json_object_set_new(o, "latencyBuckets", bk);
		}
	}
	for (k = 0; k < CM_SLO_KINDS; k++) {
		const cm_slo *s = pl->slos[k];
		json_t *so, *burns;

		if (!s || !s->on)
			continue;
		so = json_object();
		burns = json_array();
		if (!so || !burns) {
			json_decref(so);
			json_decref(burns);
			goto out;
		}
		json_object_set_new(so, "slo", json_string(s->label));
		json_object_set_new(so, "objective", cm_jdec(s->objective));
		json_object_set_new(so, "target", cm_jdec(s->target));
		json_object_set_new(so, "errorBudget", cm_jdec(s->budget));
		json_object_set_new(so, "window", json_string(pl->window));
		if (k == CM_SLO_LATENCY) {
			json_object_set_new(so, "seconds", cm_jdec(s->seconds));
			json_object_set_new(so, "bucket",
					    json_string(s->on_bucket ? "exact"
								     : "interpolated"));
			json_object_set_new(so, "bucketLow", cm_jdec(s->le_lo));
			json_object_set_new(so, "bucketHigh", cm_jdec(s->le_hi));
		}
		for (i = 0; i < 4; i++) {
			const cm_burn *b = &s->burns[i];
			json_t *bo = json_object();

			if (!bo)
				continue;
			json_object_set_new(bo, "longWindow", json_string(b->long_w));
			json_object_set_new(bo, "shortWindow", json_string(b->short_w));
			json_object_set_new(bo, "budgetFraction", cm_jdec(b->fraction));
			json_object_set_new(bo, "factor", cm_jdec(b->factor));
			json_object_set_new(bo, "threshold", cm_jdec(b->threshold));
			json_object_set_new(bo, "severity",
					    json_string(cm_mon_severity_of(pl, b->cls)));
			json_object_set_new(bo, "alerted", json_boolean(b->possible));
			json_array_append_new(burns, bo);
		}
		json_object_set_new(so, "burnRates", burns);
		json_array_append_new(slos, so);
	}
	json_object_set(o, "slos", slos);
	if (pl->profile.has_resources) {
		json_t *r = json_object();

		if (r) {
			json_object_set_new(r, "size", json_string(pl->size));
			json_object_set_new(r, "memoryBytes", cm_jdec(pl->memory_bytes));
			json_object_set_new(r, "memoryWarningBytes",
					    cm_jdec(pl->memory_warning));
			json_object_set_new(r, "cpuCores", cm_jdec(pl->cpu_cores));
			json_object_set_new(r, "cpuWarningCores",
					    cm_jdec(pl->cpu_warning));
			json_object_set_new(o, "resources", r);
		}
	}
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	rc = *out ? 0 : -1;
out:
	json_decref(by);
	json_decref(sev);
	json_decref(t);
	json_decref(slos);
	json_decref(o);
	return rc;
}

/* ---- PromQL ---- */

int cm_promql_quote(cm_buf *out, const char *s)
{
	if (cm_buf_add(out, "\"", 1) < 0)
		return -1;
	for (; *s; s++) {
		const char *esc = NULL;
		char one = *s;

		switch (*s) {
		case '\\':
			esc = "\\\\";
			break;
		case '"':
			esc = "\\\"";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			break;
		}
		if (esc ? cm_buf_adds(out, esc) < 0 : cm_buf_add(out, &one, 1) < 0)
			return -1;
	}
	return cm_buf_add(out, "\"", 1);
}

/* Append v, regex-escaped when regex. 0 or -1. */
static int cm_add_value(cm_buf *out, const char *v, int regex)
{
	for (; *v; v++) {
		if (regex && strchr(".+*?()[]{}|^$\\", *v) &&
		    cm_buf_add(out, "\\", 1) < 0)
			return -1;
		if (cm_buf_add(out, v, 1) < 0)
			return -1;
	}
	return 0;
}

/*
 * Append template t with placeholders filled in. regex: the matcher is a
 * regex match, so values are regex-escaped; literal: the template's own
 * text is a plain value turned into a regex (escape it too). targets:
 * {service} stands for the target Services (an alternation when
 * several), else for plan->service.
 */
static int cm_fill(cm_buf *out, const char *t, const cm_mon_plan *plan,
		   int regex, int literal, int targets)
{
	const char *vals[] = {plan->service, plan->namespace_, plan->team,
			      plan->environment, "",
			      plan->workload_name ? plan->workload_name
						  : plan->service};

	while (*t) {
		size_t i, k;
		int hit = 0;

		for (i = 0; cm_mplaceholders[i]; i++) {
			size_t pl = strlen(cm_mplaceholders[i]);

			if (strncmp(t, cm_mplaceholders[i], pl))
				continue;
			if (i == 0 && targets && plan->n_targets > 1) {
				if (cm_buf_add(out, "(", 1) < 0)
					return -1;
				for (k = 0; k < plan->n_targets; k++)
					if ((k && cm_buf_add(out, "|", 1) < 0) ||
					    cm_add_value(out, plan->targets[k], 1) < 0)
						return -1;
				if (cm_buf_add(out, ")", 1) < 0)
					return -1;
			} else if (cm_add_value(out,
						i == 0 && targets && plan->n_targets
							? plan->targets[0]
						: vals[i] ? vals[i]
							  : "",
						regex) < 0) {
				return -1;
			}
			t += pl;
			hit = 1;
			break;
		}
		if (hit)
			continue;
		if (literal && strchr(".+*?()[]{}|^$\\", *t) &&
		    cm_buf_add(out, "\\", 1) < 0)
			return -1;
		if (cm_buf_add(out, t++, 1) < 0)
			return -1;
	}
	return 0;
}

/* Returns 0 or -1; out is the caller's and is only appended to. */
int cm_mon_fill_text(cm_buf *out, const char *t, const cm_mon_plan *plan,
		     const char *alert)
{
	/* in the order of cm_mplaceholders */
	const char *vals[] = {plan->service, plan->namespace_, plan->team,
			      plan->environment, alert};

	while (*t) {
		size_t i, pl = 0;

		for (i = 0; cm_mplaceholders[i]; i++) {
			pl = strlen(cm_mplaceholders[i]);
			if (!strncmp(t, cm_mplaceholders[i], pl) &&
			    (strcmp(cm_mplaceholders[i], "{alert}") || alert))
				break;
		}
		if (cm_mplaceholders[i]) {
			if (cm_buf_adds(out, vals[i] ? vals[i] : "") < 0)
				return -1;
			t += pl;
		} else if (cm_buf_add(out, t++, 1) < 0) {
			return -1;
		}
	}
	return cm_buf_reserve(out, 0);
}

int cm_promql_selector(cm_buf *out, const cm_matchers *m,
		       const cm_mon_plan *plan, const char *extra)
{
	cm_buf val;
	size_t i;
	int first = 1, rc = -1;

	cm_buf_init(&val, 64 * 1024);
	for (i = 0; i < m->n; i++) {
		const cm_matcher *mt = &m->v[i];
		int regex = mt->op[1] == '~', literal = 0;
		int targets = (!strcmp(mt->label, "service") ||
			       !strcmp(mt->label, "job")) &&
			      strstr(mt->value, "{service}") != NULL;
		const char *op = mt->op;

		if (!plan->namespace_ && strstr(mt->value, "{namespace}"))
			continue;
		if (targets && plan->n_targets > 1 && !regex) {
			/* Several Services: an alternation. */
			op = mt->op[0] == '!' ? "!~" : "=~";
			regex = literal = 1;
		}
		cm_buf_reset(&val);
		if (cm_fill(&val, mt->value, plan, regex, literal, targets) < 0)
			goto out;
		if ((!first && cm_buf_adds(out, ",") < 0) ||
		    cm_buf_adds(out, mt->label) < 0 ||
		    cm_buf_adds(out, op) < 0 ||
		    cm_promql_quote(out, val.data ? val.data : "") < 0)
			goto out;
		first = 0;
	}
	if (extra && *extra &&
	    ((!first && cm_buf_adds(out, ",") < 0) || cm_buf_adds(out, extra) < 0))
		goto out;
	rc = 0;
out:
	cm_buf_free(&val);
	return rc;
}
