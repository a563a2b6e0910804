/*
 * tests/unit.c - unit tests of the small modules: exact decimals, the
 * label-safe form and label key rules, buffer and arena caps, the
 * "did you mean" suggestions, Prometheus durations, the RE2 check, parse
 * positions and tags, and the item index. Prints one "ok"/"not ok" line
 * per check and exits non-zero if any failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../src/core/arena.h"
#include "../src/core/buf.h"
#include "../src/core/decimal.h"
#include "../src/core/item.h"
#include "../src/core/text.h"
#include "../src/expand/monitoring.h"
#include "../src/expand/dashplan.h"
#include "../src/read/parse.h"
#include "../src/transform/labels.h"

static int failures;

static int check(int cond, const char *what);

/* True when node n of text carries CM_NF_SRC and spans exactly want. */
static int span_is(const char *text, const cm_node *n, const char *want)
{
	size_t len = strlen(want);

	return n && (n->flags & CM_NF_SRC) && n->end >= n->off &&
	       n->end - n->off == len && memcmp(text + n->off, want, len) == 0;
}

/* Byte ranges of parsed nodes: a byte-order mark, multi-byte characters
 * and CR LF before them (libyaml counts characters), flow and block
 * collections, properties, aliases, document starts. */
static void test_spans(void)
{
	static const char text[] =
		"\xEF\xBB\xBF# \xC3\xA9\r\n"
		"a: \xF0\x9F\x98\x80 x\r\n"
		"b: {c: 'd', e: [f]}\r\n"
		"g: !!str &h \"i\"\r\n"
		"j: *h\r\n"
		"k:\r\n"
		"  l: |\r\n"
		"    m\r\n"
		"---\r\n"
		"n: \xC3\xA9\r\n";
	static const cm_parse_limits lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					    CM_MAX_ALIAS_BYTES};
	cm_arena *a = cm_arena_new((size_t)1 << 20);
	cm_diags d;
	cm_stream s;
	const cm_node *doc, *b;

	cm_diags_init(&d);
	check(a && cm_parse(a, text, sizeof(text) - 1, "t", &lim, &s, &d) == 0 &&
		      s.n == 2 && s.spans,
	      "spans: the text parses into two documents with byte ranges");
	if (s.n != 2) {
		cm_diags_free(&d);
		cm_arena_free(a);
		return;
	}
	doc = &s.docs[0];
	b = cm_map_get(doc, "b");
	check(span_is(text, cm_map_get(doc, "a"), "\xF0\x9F\x98\x80 x"),
	      "spans: a scalar after a BOM, CR LF and UTF-8, in bytes");
	check(span_is(text, b, "{c: 'd', e: [f]}") && (b->flags & CM_NF_FLOW),
	      "spans: a flow mapping to its closing brace");
	check(span_is(text, cm_map_get(b, "c"), "'d'"),
	      "spans: a quoted scalar with its quotes");
	check(span_is(text, cm_map_get(doc, "g"), "!!str &h \"i\"") &&
		      (cm_map_get(doc, "g")->flags & CM_NF_ANCHOR),
	      "spans: a node from its properties, anchored");
	check(span_is(text, cm_map_get(doc, "j"), "*h") &&
		      (cm_map_get(doc, "j")->flags & CM_NF_ALIAS),
	      "spans: an alias copy spans the alias");
	check(span_is(text, cm_map_path(doc, "k.l"), "|\r\n    m\r\n"),
	      "spans: a literal block to the end of its last line");
	check(span_is(text, cm_map_get(doc, "k"), "l: |\r\n    m\r\n"),
	      "spans: a block mapping to the end of its last value");
	check(s.starts[0] == 0 &&
		      !memcmp(text + s.starts[1], "---\r\n", 5),
	      "spans: the second document starts at its marker");
	check(span_is(text, cm_map_get(&s.docs[1], "n"), "\xC3\xA9"),
	      "spans: positions count bytes in the second document");
	cm_diags_free(&d);
	cm_arena_free(a);
}

/* Print the check's line; returns cond. */
static int check(int cond, const char *what)
{
	printf("%s - unit: %s\n", cond ? "ok" : "not ok", what);
	failures += !cond;
	return cond;
}

static const cm_parse_limits unit_lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					 CM_MAX_ALIAS_BYTES};

/* True when the len bytes of text parse into a (not NULL) as exactly one
 * document, in *s. */
static int parse_one(cm_arena *a, const char *text, size_t len, cm_stream *s,
		     cm_diags *d)
{
	return a && cm_parse(a, text, len, "t", &unit_lim, s, d) == 0 &&
	       s->n == 1;
}

/* True when node n of stream s starts at line:col. */
static int pos_is(cm_stream *s, const cm_node *n, unsigned line,
		  unsigned col)
{
	unsigned l, c;

	if (!n)
		return 0;
	cm_stream_pos(s, n, &l, &c);
	return l == line && c == col;
}

/* Positions are found from byte offsets as libyaml counts them: lines
 * broken by LF, CR LF, a lone CR, NEL, LS and PS; columns in characters;
 * a byte-order mark not a column. Asked out of order too. */
static void test_positions(void)
{
	static const char lf[] = "\xEF\xBB\xBF" "a: 1\n"
				 "b:\r\n"
				 "  \xC3\xA9\xC3\xA9: x\r"
				 "  c: y\xC2\x85"
				 "  d: z\xE2\x80\xA8"
				 "  e: [1, {f: g}]\n";
	cm_arena *a = cm_arena_new((size_t)1 << 20);
	cm_diags d;
	cm_stream s;
	const cm_node *doc, *b;

	cm_diags_init(&d);
	if (!check(parse_one(a, lf, sizeof(lf) - 1, &s, &d),
		   "positions: the text with every kind of line break parses"))
		goto out;
	doc = &s.docs[0];
	b = cm_map_get(doc, "b");
	check(pos_is(&s, cm_map_get(doc, "a"), 1, 4),
	      "positions: after a byte-order mark");
	check(pos_is(&s, cm_map_get(b, "\xC3\xA9\xC3\xA9"), 3, 7),
	      "positions: after CR LF, a column counts characters");
	check(pos_is(&s, cm_map_get(b, "c"), 4, 6),
	      "positions: after a lone CR");
	check(pos_is(&s, cm_map_get(b, "d"), 5, 6), "positions: after NEL");
	check(pos_is(&s, cm_map_path(doc, "b.e"), 6, 6),
	      "positions: after LS");
	check(pos_is(&s, cm_map_get(doc, "a"), 1, 4) &&
		      pos_is(&s, cm_map_get(b, "d"), 5, 6),
	      "positions: asked again, backwards and forwards");
	check(pos_is(&s, &cm_map_path(doc, "b.e")->u.kids[1], 6, 10),
	      "positions: inside a flow collection");
out:
	cm_diags_free(&d);
	cm_arena_free(a);
}

/* Tags are kept on scalars and collections, through alias copies and
 * the setters that grow a collection; UTF-16 input is read as UTF-8 with
 * positions in its characters. */
static void test_tags_utf16(void)
{
	static const char text[] = "a: !!str 1\n"
				   "b: !m &x {c: !t d}\n"
				   "e: *x\n"
				   "f: !s [1]\n";
	/* "k: v\nk2: [1\n" in UTF-16LE with its mark: an error on line 3. */
	static const char u16[] = "\xFF\xFEk\0:\0 \0v\0\n\0k\0" "2\0:\0 "
				  "\0[\0" "1\0\n\0";
	static const char ok16[] = "\xFF\xFEk\0:\0 \0v\0\n\0k\0" "2\0:\0 "
				   "\0w\0\n\0";
	static const char bad16[] = "\xFF\xFEk\0\x00\xD8";
	cm_arena *a = cm_arena_new((size_t)1 << 20);
	cm_diags d;
	cm_stream s;
	cm_node *doc, *m, *e;
	const char *t;

	cm_diags_init(&d);
	if (!check(parse_one(a, text, sizeof(text) - 1, &s, &d),
		   "tags: the tagged text parses"))
		goto out;
	doc = &s.docs[0];
	m = cm_map_get(doc, "b");
	e = cm_map_get(doc, "e");
	t = cm_node_tag(cm_map_get(doc, "a"));
	check(t && !strcmp(t, "tag:yaml.org,2002:str") &&
		      cm_scalar_is(cm_map_get(doc, "a"), "1") &&
		      cm_scalar_is_string(cm_map_get(doc, "a")),
	      "tags: a tagged scalar keeps its tag and text");
	check(m && cm_node_tag(m) && !strcmp(cm_node_tag(m), "!m") &&
		      cm_node_tag(cm_map_get(m, "c")) &&
		      !strcmp(cm_node_tag(cm_map_get(m, "c")), "!t"),
	      "tags: a tagged mapping and its tagged value");
	check(e && cm_node_tag(e) && !strcmp(cm_node_tag(e), "!m") &&
		      cm_node_equal(e, m),
	      "tags: an alias copy keeps the anchored node's tags");
	check(cm_map_set(a, m, "z", cm_str_new(a, "w")) == 0 &&
		      cm_node_tag(m) && !strcmp(cm_node_tag(m), "!m") &&
		      m->len == 2 && !cm_node_equal(e, m),
	      "tags: a mapping grown by the setters keeps its tag");
	check(cm_node_tag(cm_map_get(doc, "f")) &&
		      !strcmp(cm_node_tag(cm_map_get(doc, "f")), "!s") &&
		      cm_map_get(doc, "f")->len == 1,
	      "tags: a tagged sequence");
	check(!cm_node_tag(doc), "tags: an untagged node has none");
	cm_diags_free(&d);
	cm_diags_init(&d);
	check(cm_parse(a, u16, sizeof(u16) - 1, "u", &unit_lim, &s, &d) < 0 &&
		      d.n == 1 && strstr(d.v[0].message, "u:3:1:") != NULL,
	      "utf-16: read as UTF-8, an error has its line and column");
	cm_diags_free(&d);
	cm_diags_init(&d);
	check(cm_parse(a, ok16, sizeof(ok16) - 1, "u", &unit_lim, &s, &d) == 0 &&
		      s.n == 1 && !s.spans &&
		      cm_scalar_is(cm_map_get(&s.docs[0], "k"), "v") &&
		      pos_is(&s, cm_map_get(&s.docs[0], "k2"), 2, 5),
	      "utf-16: a document read, with positions, not for splicing");
	cm_diags_free(&d);
	cm_diags_init(&d);
	check(cm_parse(a, bad16, sizeof(bad16) - 1, "u", &unit_lim, &s, &d) <
			      0 &&
		      d.n == 1 && strstr(d.v[0].message, "not valid UTF-16"),
	      "utf-16: an unpaired surrogate is refused");
out:
	cm_diags_free(&d);
	cm_arena_free(a);
}

/* Which plain texts read as something other than a string. */
static void test_plain_special(void)
{
	static const char *const special[] = {
		"", "~", "null", "NULL", "y", "No", "true", "FALSE", "on",
		"Off", "<<", "=", ".inf", "-.Inf", ".NaN", "1", "-2", "0x1F",
		"0o17", "1.5", "+.5", "1_000", "12:30", "2001-12-14",
		"2001-12-14t21:59:43.10-05:00", NULL,
	};
	static const char *const strings[] = {
		"a", "yesno", "nulls", "-", ".", "-foo", "v1", "1.0.0-rc",
		"web", "ONE", "trueish", "1g", NULL,
	};
	int i, ok = 1;

	for (i = 0; special[i]; i++)
		ok &= cm_plain_is_special(special[i], strlen(special[i]));
	for (i = 0; strings[i]; i++)
		ok &= !cm_plain_is_special(strings[i], strlen(strings[i]));
	check(ok, "plain scalars: nulls, bools, numbers and times are "
		  "special, words are not");
}

/* a op b formatted equals want. op: '*', '+', '-'. */
static void dec_op(const char *a, char op, const char *b, const char *want)
{
	cm_dec x, y, r;
	char buf[CM_DEC_BUFSZ], what[160];
	int rc;

	rc = cm_dec_parse(a, &x) | cm_dec_parse(b, &y);
	if (!rc)
		rc = op == '*' ? cm_dec_mul(x, y, &r)
		     : op == '+' ? cm_dec_add(x, y, &r)
				 : cm_dec_sub(x, y, &r);
	snprintf(what, sizeof(what), "decimal %s %c %s = %s", a, op, b, want);
	check(rc == 0 && !strcmp(cm_dec_format(r, buf), want), what);
}

static void safe(const char *in, const char *want)
{
	char out[80], what[200];
	size_t n = cm_label_safe(in, out, sizeof(out));

	snprintf(what, sizeof(what), "label-safe \"%s\" -> \"%s\"", in, want);
	check(n == strlen(want) && !strcmp(out, want), what);
}

static void duration(const char *s, long long want)
{
	char what[160];

	snprintf(what, sizeof(what), "prometheus duration \"%s\" = %lld ms", s,
		 want);
	check(cm_prom_duration_ms(s) == want, what);
}

static void re2(const char *re, int ok)
{
	char what[160];

	snprintf(what, sizeof(what), "regex \"%s\" %s", re,
		 ok ? "accepted" : "refused");
	check((cm_re2_problem(re) == NULL) == ok, what);
}


/* True when facts f hold these texts (NULL: absent). */
static int facts_are(const cm_item_facts *f, const char *api,
		     const char *kind, const char *name, const char *ns)
{
	const char *want[4] = {api, kind, name, ns};
	const char *got[4] = {f->api, f->kind, f->name, f->ns};
	int i;

	for (i = 0; i < 4; i++)
		if (!want[i] != !got[i] || (want[i] && strcmp(want[i], got[i])))
			return 0;
	return 1;
}

/* The item index: the facts of each kind of item, and kept when an item
 * is replaced or added. */
static void test_index(void)
{
	static const char text[] =
		"- apiVersion: apps/v1\n"
		"  kind: Deployment\n"
		"  metadata: {name: web, namespace: shop}\n"
		"- apiVersion: v1\n"
		"  kind: ConfigMap\n"
		"  metadata:\n"
		"    name: cat\n"
		"    annotations: {config.kubernetes.io/local-config: \"true\"}\n"
		"- apiVersion: costmon.dev/v1alpha1\n"
		"  kind: CostProfile\n"
		"  metadata: {name: p}\n"
		"- just text\n"
		"- apiVersion: batch/v1\n"
		"  kind: CronJob\n"
		"  metadata: {name: \"a\\0b\"}\n"
		"- apiVersion: v1\n"
		"  kind: ConfigMap\n"
		"  metadata:\n"
		"    name: kept\n"
		"    annotations: {config.kubernetes.io/local-config: \"false\"}\n";
	cm_arena *a = cm_arena_new((size_t)1 << 20);
	cm_diags d;
	cm_stream s;
	cm_index ix;
	cm_node *items, obj;
	const cm_item_facts *v;

	cm_diags_init(&d);
	memset(&ix, 0, sizeof(ix));
	if (!parse_one(a, text, sizeof(text) - 1, &s, &d) ||
	    cm_index_build(&ix, &s.docs[0]) < 0) {
		check(0, "index: the list parses and is indexed");
		goto out;
	}
	items = &s.docs[0];
	v = ix.v;
	check(ix.n == 6 && ix.items == items, "index: one entry per item");
	check(facts_are(&v[0], "apps/v1", "Deployment", "web", "shop") &&
		      v[0].workload == CM_WORKLOAD_TEMPLATE &&
		      cm_facts_changeable(&v[0]),
	      "index: a Deployment's texts, workload kind, changeable");
	check(facts_are(&v[1], "v1", "ConfigMap", "cat", NULL) &&
		      (v[1].flags & CM_IF_LOCAL) && !cm_facts_changeable(&v[1]),
	      "index: a local-config item is not changed");
	check((v[2].flags & CM_IF_COSTMON) && !cm_facts_changeable(&v[2]),
	      "index: costmon's own objects are not changed");
	check(!(v[3].flags & CM_IF_MAP) && !cm_facts_changeable(&v[3]) &&
		      facts_are(&v[3], NULL, NULL, NULL, NULL),
	      "index: an item that is not a mapping has no facts");
	check(v[4].workload == CM_WORKLOAD_CRONJOB &&
		      facts_are(&v[4], "batch/v1", "CronJob", NULL, NULL),
	      "index: a name holding a NUL is no name");
	check(!(v[5].flags & CM_IF_LOCAL) && cm_facts_changeable(&v[5]),
	      "index: local-config \"false\" is not local-config");
	obj = cm_map_new();
	check(cm_map_set(a, &obj, "apiVersion", cm_str_new(a, "v1")) == 0 &&
		      cm_map_set(a, &obj, "kind", cm_str_new(a, "Service")) == 0 &&
		      cm_index_put(a, &ix, 1, obj) == 0 &&
		      facts_are(&ix.v[1], "v1", "Service", NULL, NULL) &&
		      cm_facts_changeable(&ix.v[1]) &&
		      cm_scalar_is(cm_map_get(&items->u.kids[1], "kind"),
				   "Service"),
	      "index: an item replaced gets its facts");
	check(cm_index_put(a, &ix, ix.n, obj) == 0 && ix.n == 7 &&
		      items->len == 7 &&
		      facts_are(&ix.v[6], "v1", "Service", NULL, NULL),
	      "index: an item added gets its facts");
out:
	cm_index_free(&ix);
	cm_diags_free(&d);
	cm_arena_free(a);
}

int main(void)
{
	cm_dec d, q;
	char buf[CM_DEC_BUFSZ];
	cm_buf b;
	cm_arena *a;
	static const char *const words[] = {"service", "team", "costProfile",
					    NULL};

	test_positions();
	test_tags_utf16();
	test_plain_special();
	test_index();
	dec_op("1500", '*', "1.15", "1725");
	dec_op("3000", '*', "2.0", "6000");
	dec_op("500", '*', "0.5", "250");
	dec_op("14.4", '*', "0.0001", "0.00144");
	dec_op("100", '-', "99.99", "0.01");
	dec_op("0.1", '+', "0.2", "0.3");
	dec_op("-1.50", '+', "0", "-1.5");
	check(cm_dec_parse("1e3", &d) < 0, "decimal rejects exponents");
	check(cm_dec_parse("", &d) < 0 && cm_dec_parse(".", &d) < 0 &&
		      cm_dec_parse("1.2.3", &d) < 0 &&
		      cm_dec_parse("12a", &d) < 0,
	      "decimal rejects malformed text");
	check(cm_dec_parse("99999999999999999999", &d) < 0,
	      "decimal refuses a mantissa that does not fit");
	cm_dec_parse("0.05", &d);
	check(cm_dec_shift(d, 2, &q) == 0 &&
		      !strcmp(cm_dec_format(q, buf), "0.0005"),
	      "decimal 0.05% as a ratio is 0.0005");
	cm_dec_parse("1", &d);
	cm_dec_parse("3", &q);
	check(cm_dec_div(d, q, 6, &d) == 1 &&
		      !strcmp(cm_dec_format(d, buf), "0.333333"),
	      "decimal 1/3 to 6 places is inexact, truncated");
	cm_dec_parse("2.50", &d);
	cm_dec_parse("2.5", &q);
	check(cm_dec_cmp(d, q) == 0 && d.scale == 1,
	      "decimal values are normalised (2.50 == 2.5)");

	safe("alice.johnson@company.com", "alice.johnson_at_company.com");
	safe("Retail Banking", "Retail_Banking");
	safe("  -x- ", "x");
	safe("café", "caf");
	safe("CC-12345", "CC-12345");
	safe("@@", "at__at");
	{
		char out[80];

		check(cm_label_safe("---", out, sizeof(out)) == 0,
		      "label-safe form of only punctuation is empty");
	}
	check(cm_label_value_ok("payment-processor") &&
		      !cm_label_value_ok("-x") && !cm_label_value_ok("a b") &&
		      !cm_label_value_ok(""),
	      "label value rules");
	check(cm_label_key_ok("cost.service") &&
		      cm_label_key_ok("cost.example.com/center") &&
		      !cm_label_key_ok("Cost.Example.com/center") &&
		      !cm_label_key_ok("a/b/c") && !cm_label_key_ok("/x") &&
		      !cm_label_key_ok("cost team"),
	      "label key rules");
	check(cm_label_gcp_key_ok("cost_center") && cm_label_gcp_key_ok("a") &&
		      cm_label_gcp_key_ok("team-1") &&
		      !cm_label_gcp_key_ok("cost.service") &&
		      !cm_label_gcp_key_ok("costCenter") &&
		      !cm_label_gcp_key_ok("1team") && !cm_label_gcp_key_ok("_x") &&
		      !cm_label_gcp_key_ok("cost/team") && !cm_label_gcp_key_ok("") &&
		      !cm_label_gcp_key_ok("a123456789012345678901234567890123456789012345678901234567890123"),
	      "GCP label key rules (lowercase, digits, _ and -, a letter first, <= 63)");
	check(cm_label_gcp_value_ok("cc-12345") && cm_label_gcp_value_ok("") &&
		      !cm_label_gcp_value_ok("CC-12345") &&
		      !cm_label_gcp_value_ok("alice.johnson"),
	      "GCP label value rules");
	{
		const cm_label_preset *p;
		int found = 0, all_ok = 1, n = 0, i;

		for (p = cm_label_presets; p->name; p++) {
			if (strcmp(p->name, "gke"))
				continue;
			found = p->gcp_values;
			for (i = 0; i < CM_LABEL_COUNT; i++) {
				if (!p->key[i])
					continue;
				n++;
				all_ok &= cm_label_gcp_key_ok(p->key[i]) &&
					  cm_label_key_ok(p->key[i]);
			}
		}
		check(found && n >= 6 && all_ok,
		      "every key of the gke preset is a valid GCP and Kubernetes "
		      "label key, and its values are made GCP-safe");
	}

	cm_buf_init(&b, 8);
	check(cm_buf_adds(&b, "12345678") == 0 &&
		      cm_buf_adds(&b, "9") < 0 && errno == EFBIG &&
		      b.len == 8 && !strcmp(b.data, "12345678"),
	      "buffer refuses to grow past its maximum, unchanged");
	cm_buf_free(&b);

	a = cm_arena_new(4096);
	check(a && cm_arena_alloc(a, 4000) && !cm_arena_alloc(a, 200),
	      "arena refuses allocations past its maximum");
	if (a) {
		cm_arena_set_max(a, 100); /* below what is used: refused */
		check(cm_arena_max(a) == 4096, "arena keeps a limit below use");
		cm_arena_set_max(a, 8192);
		check(cm_arena_max(a) == 8192 && cm_arena_alloc(a, 200) &&
			      !cm_arena_alloc(a, 8192),
		      "arena limit raised once the work is known, still a limit");
	}
	cm_arena_free(a);
	check(cm_dec_why("99.9") == NULL && cm_dec_why("1e40") &&
		      strstr(cm_dec_why("1e40"), "not a plain decimal"),
	      "decimal: why 1e40 is refused");
	check(cm_dec_why("10000000000000000000000000000000000000000") &&
		      strstr(cm_dec_why("10000000000000000000000000000000000000000"),
			     "more digits"),
	      "decimal: why 1e40 in digits is refused (not \"not positive\")");
	check(cm_dec_why("99.9999999999999999999999") &&
		      strstr(cm_dec_why("99.9999999999999999999999"),
			     "more than 18 digits after the decimal point"),
	      "decimal: too many decimals named as such");
	check(cm_dec_parse("99.900000000000000000000000000000", &d) == 0 &&
		      !strcmp(cm_dec_format(d, buf), "99.9"),
	      "decimal: trailing zeros after the point are not digits");
	check(cm_dec_parse("0.000000000000000001", &d) == 0 &&
		      cm_dec_parse("0.0000000000000000001", &d) < 0,
	      "decimal: 18 decimals fit, 19 do not");

	check(cm_suggest("teem", words) && !strcmp(cm_suggest("teem", words), "team"),
	      "suggestion for a typo");
	check(cm_suggest("replicas", words) == NULL,
	      "no suggestion for an unrelated word");

	duration("30s", 30000);
	duration("1m30s", 90000);
	duration("0", 0);
	duration("500ms", 500);
	duration("4w", 2419200000LL);
	duration("28d", 2419200000LL);
	duration("1h1d", -1);
	duration("every 5 minutes", -1);
	duration("30", -1);
	duration("1.5m", -1);
	duration("", -1);
	re2("5..", 1);
	re2("5..|429", 1);
	re2("(?i)get|post", 1);
	re2("[(]x\\d+", 1);
	re2("{service}-([a-z]{5})?", 1);
	re2("5..|(429", 0);
	re2("5..)", 0);
	re2("[abc", 0);
	re2("/health\\q", 0);
	re2("(a)\\1", 0);
	re2("x(?=y)", 0);
	re2("*x", 0);
	re2("x\\", 0);
	{
		char u1[CM_DASH_UID_MAX + 1], u2[CM_DASH_UID_MAX + 1];
		const char *longsvc = "customer-notification-preferences-api";

		check(!strcmp(cm_dash_uid("payment-processor", "prod", NULL, u1),
			      "payment-processor_prod"),
		      "dashboard uid: <service>_<environment> when it fits");
		cm_dash_uid(longsvc, "pre-stable", NULL, u1);
		cm_dash_uid(longsvc, "int-stable", NULL, u2);
		check(strlen(u1) == CM_DASH_UID_MAX && strlen(u2) == CM_DASH_UID_MAX &&
			      strcmp(u1, u2) != 0 &&
			      !strncmp(u1, "customer-notification-preferenc-", 32),
		      "dashboard uid: long names get a prefix and a hash, 40 "
		      "characters, distinct per environment");
		cm_dash_uid(longsvc, "pre-stable", NULL, u2);
		check(!strcmp(u1, u2), "dashboard uid: the same on every run");
		cm_dash_uid("a-b", "c", NULL, u1);
		cm_dash_uid("a", "b-c", NULL, u2);
		check(strcmp(u1, u2) != 0,
		      "dashboard uid: a-b in c and a in b-c differ");
		cm_dash_uid("a_b", "c", NULL, u1);
		cm_dash_uid("a", "b_c", NULL, u2);
		check(strcmp(u1, u2) != 0 && strlen(u1) == strlen("a_b_c-") + 8,
		      "dashboard uid: a_b in c and a in b_c differ (hashed)");
		check(!strcmp(cm_dash_uid("checkout", "pre-stable", "use1", u1),
			      "checkout_pre-stable_use1") &&
			      !strcmp(cm_dash_uid("checkout", "pre-stable", "", u2),
				      "checkout_pre-stable"),
		      "dashboard uid: <service>_<environment>_<region> with a "
		      "region, as before without");
		cm_dash_uid(longsvc, "pre-stable", "use1", u1);
		cm_dash_uid(longsvc, "pre-stable", "euw1", u2);
		check(strlen(u1) == CM_DASH_UID_MAX && strcmp(u1, u2) != 0,
		      "dashboard uid: long names, distinct per region");
		cm_dash_uid("a", "b_c", "d", u1);
		cm_dash_uid("a", "b", "c_d", u2);
		check(strcmp(u1, u2) != 0,
		      "dashboard uid: a in b_c, d and a in b, c_d differ (hashed)");
		cm_dash_uid("svc", "prod eu", NULL, u1);
		check(strspn(u1, "abcdefghijklmnopqrstuvwxyz0123456789-_") ==
			      strlen(u1),
		      "dashboard uid: only [a-zA-Z0-9_-]");
	}
	test_spans();

	return failures ? 1 : 0;
}
