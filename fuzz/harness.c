/*
 * harness.c - the fuzz target over the input path: bytes in, through the
 * real pipeline (pipeline.h), checked output out.
 *
 * Built two ways (see the Makefile): with clang -fsanitize=fuzzer as
 * fuzz/krm-fuzz, and with fuzz/replay.c as tests/fuzz-replay, which runs
 * the corpus under gcc in `make test`.
 *
 * What one input does:
 *   - KRM mode, always: the whole input is the ResourceList on stdin.
 *   - The low two bits of the first byte pick one more run:
 *       01 ('a', as in "apiVersion"): legacy mode;
 *       11 ('#', as in a first comment line): `krm-fn expand`;
 *       10 ('*', 'f', 'n', 'r', 'v'): `krm-fn report` on the whole
 *          input, in each format;
 *       00: nothing more.
 *     Both split the input into the config file's text and the rest at
 *     the first NUL byte (the NUL is dropped); with no NUL, at the first
 *     line that starts with "---" (config = what comes before, the rest =
 *     that line onward); with neither, everything is config. Legacy mode
 *     reads the rest as the resource stream; expand splits it again at
 *     each NUL into up to FZ_MAX_CATALOGS catalog files.
 *
 * Invariants checked (abort() when one fails, so libFuzzer reports it):
 *   1. An exit code other than CM_EXIT_OK comes with at least one error
 *      diagnostic, and an error always makes the exit code non-zero.
 *   2. KRM mode always produces a complete ResourceList unless the output
 *      limit or memory ran out; "cannot write the output as YAML" means
 *      the tree held something the writer refuses, which is a bug.
 *   3. Every output that may be printed parses with plain libyaml, to the
 *      end of the stream, without error (KRM and expand's JSON: exactly
 *      one document).
 *   4. Idempotence: a run that succeeded, fed its own output, succeeds
 *      again. Without any diagnostic the second output is byte-identical
 *      (legacy mode, which has no results, always); with warnings it
 *      holds the same data once the top-level `results` are set aside, as
 *      in tests/golden.sh: a warning about something the first run
 *      changed does not recur. Runs with errors are exempt: their results
 *      quote positions in the original text, and an error list read back
 *      is not an error. Their output is still run through KRM mode once
 *      more, which must complete.
 *   5. Byte fidelity. (a) The output (the input's bytes with the edits
 *      spliced in) holds the same data as the same run written whole by
 *      the emitter: same kinds, texts, tags, key order, and each scalar
 *      the same type (a string stays a string, 6000 a number), results
 *      aside (after an error the items come out as read, so only
 *      successful runs compare). (b) A run without any diagnostic whose output holds the
 *      input's data gives the input back byte for byte (unless the input
 *      is UTF-16, which is written as UTF-8, or has line breaks other than
 *      LF and CR LF, which the emitter writes): nothing is rewritten that
 *      the function did not change. Both in KRM and in legacy mode.
 *   6. The output krm-fn writes (a plan while it is small, else two
 *      passes over the trees, CM_MODE_SPLICE) is byte for byte the output
 *      of the two direct passes with no plan kept (CM_MODE_DIRECT, which
 *      falls back to a sorted plan when the edits are not in input
 *      order), with the same exit code and diagnostics count. Both
 *      modes.
 *
 * Ownership: everything allocated here is freed before returning, so
 * LeakSanitizer sees the pipeline's own leaks only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../src/core/node.h"
#include "../src/pipeline.h"
#include "../src/read/parse.h"
#include "../src/report/report.h"

/* Inputs larger than this are skipped; the fuzzer uses far less. */
#define FZ_MAX_INPUT ((size_t)1 << 20)
/* Most catalog files one expand run gets. */
#define FZ_MAX_CATALOGS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken invariant with enough context to debug it, then die. */
static void fz_fail(const char *what, const char *detail, size_t dlen)
{
	fprintf(stderr, "fuzz invariant violated: %s\n", what);
	if (detail)
		fprintf(stderr, "--- output (%zu bytes) ---\n%.*s\n--- end ---\n",
			dlen, (int)(dlen > 4096 ? 4096 : dlen), detail);
	abort();
}

/* The output cap main.c would use for an input of n bytes. */
static size_t fz_max_output(size_t n)
{
	return n * 2 + ((size_t)64 << 20);
}

/* Print diagnostics when FUZZ_VERBOSE is set (for debugging one input). */
static void fz_show(const cm_diags *d)
{
	if (getenv("FUZZ_VERBOSE"))
		cm_diags_print(d, CM_SEV_INFO, stderr);
}

/*
 * Invariant 1: exit code and error count agree. Invariant 2 for KRM mode
 * (krm != 0): an incomplete output must be explained by a size or memory
 * diagnostic.
 */
static void fz_check_diags(int rc, const cm_diags *d, int krm, int complete)
{
	size_t i;

	if (rc != CM_EXIT_OK && d->errors == 0)
		fz_fail("non-zero exit code without an error diagnostic", NULL,
			0);
	if (rc == CM_EXIT_OK && d->errors != 0)
		fz_fail("exit code 0 with an error diagnostic", NULL, 0);
	if (!krm || complete)
		return;
	for (i = 0; i < d->n; i++)
		if (d->v[i].message &&
		    strstr(d->v[i].message, "cannot write the output as YAML"))
			fz_fail(d->v[i].message, NULL, 0);
}

/*
 * Invariant 3: text parses to the end with libyaml. want_docs is the
 * number of documents required, or -1 for any number.
 */
static void fz_check_yaml(const char *text, size_t len, long want_docs)
{
	yaml_parser_t p;
	yaml_event_t ev;
	long docs = 0;
	int done = 0;

	if (!yaml_parser_initialize(&p))
		abort(); /* out of memory in the harness itself */
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "libyaml: %s at %zu:%zu\n",
				p.problem ? p.problem : "error",
				(size_t)p.problem_mark.line + 1,
				(size_t)p.problem_mark.column + 1);
			yaml_parser_delete(&p);
			fz_fail("output is not valid YAML", text, len);
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT)
			docs++;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (want_docs >= 0 && docs != want_docs)
		fz_fail("output has the wrong number of documents", text, len);
}

/*
 * One KRM run over len bytes of text. Returns the exit code; *out (which
 * the caller frees) receives the output, *complete whether it may be
 * printed and *ndiags how many diagnostics it has. Checks invariants 1-3.
 */
static int fz_krm_once(const char *text, size_t len, cm_buf *out,
		       int *complete, size_t *ndiags)
{
	cm_buf in;
	cm_diags d;
	int rc;

	cm_diags_init(&d);
	cm_buf_init(&in, len);
	cm_buf_init(out, fz_max_output(len));
	if (cm_buf_add(&in, text, len) < 0)
		abort(); /* out of memory in the harness itself */
	rc = cm_krm_process(&in, out, &d, complete);
	cm_buf_free(&in); /* consumed by cm_krm_process; harmless */
	fz_show(&d);
	fz_check_diags(rc, &d, 1, *complete);
	if (*complete)
		fz_check_yaml(out->data ? out->data : "", out->len, 1);
	*ndiags = d.n;
	cm_diags_free(&d);
	return rc;
}

/*
 * Whether two KRM outputs (each one document, invariant 3) hold the same
 * data once their top-level `results` are dropped: same keys in the same
 * order, same texts and tags (styles aside).
 */
static int fz_same_but_results(const cm_buf *x, const cm_buf *y)
{
	static const cm_parse_limits lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					    CM_MAX_ALIAS_BYTES};
	cm_arena *a = cm_arena_new((size_t)1 << 30);
	cm_stream sx, sy;
	cm_diags d;
	int same = 0;

	cm_diags_init(&d);
	if (!a)
		abort(); /* out of memory in the harness itself */
	if (cm_parse(a, x->data ? x->data : "", x->len, "out1", &lim, &sx,
		     &d) < 0 ||
	    cm_parse(a, y->data ? y->data : "", y->len, "out2", &lim, &sy,
		     &d) < 0 ||
	    sx.n != 1 || sy.n != 1)
		goto out;
	if (cm_map_del(a, &sx.docs[0], "results") < 0 ||
	    cm_map_del(a, &sy.docs[0], "results") < 0)
		goto out;
	same = cm_node_equal(&sx.docs[0], &sy.docs[0]);
out:
	fz_show(&d);
	cm_diags_free(&d);
	cm_arena_free(a);
	return same;
}

/* Data equality for invariant 5: kinds, texts, tags, key order, and
 * whether each scalar reads as a string. */
static int fz_same_data(const cm_node *x, const cm_node *y)
{
	size_t i, n;

	if ((cm_node_tag(x) == NULL) != (cm_node_tag(y) == NULL) ||
	    (cm_node_tag(x) &&
	     strcmp(cm_node_tag(x), cm_node_tag(y))))
		return 0;
	if (x->kind == CM_SCALAR && cm_node_is_null(x) && cm_node_is_null(y))
		return 1; /* "", "~" and "null" are the same null */
	if (x->kind != y->kind || x->len != y->len)
		return 0;
	if (x->kind == CM_SCALAR)
		return memcmp(x->u.str, y->u.str, x->len) == 0 &&
		       cm_scalar_is_string(x) == cm_scalar_is_string(y) &&
		       cm_node_is_null(x) == cm_node_is_null(y);
	if (x->kind != CM_SEQ && x->kind != CM_MAP)
		return 1;
	n = x->kind == CM_MAP ? 2 * (size_t)x->len : x->len;
	for (i = 0; i < n; i++)
		if (!fz_same_data(&x->u.kids[i], &y->u.kids[i]))
			return 0;
	return 1;
}

/*
 * Parse x and y (each a stream) and compare their documents with
 * fz_same_data(), empty documents left out, and a top-level `results`
 * dropped when drop_results is set. Returns 1 when equal, 0 when not,
 * -1 when either does not parse.
 */
static int fz_data_eq(const char *x, size_t xn, const char *y, size_t yn,
		      int drop_results)
{
	static const cm_parse_limits lim = {CM_MAX_DEPTH, CM_MAX_ALIAS_NODES,
					    CM_MAX_ALIAS_BYTES};
	cm_arena *a = cm_arena_new((size_t)1 << 30);
	cm_stream sx, sy;
	cm_diags d;
	size_t i, j;
	int same = -1;

	cm_diags_init(&d);
	if (!a)
		abort(); /* out of memory in the harness itself */
	if (cm_parse(a, xn ? x : "", xn, "x", &lim, &sx, &d) < 0 ||
	    cm_parse(a, yn ? y : "", yn, "y", &lim, &sy, &d) < 0)
		goto out;
	same = 0;
	for (i = j = 0;; i++, j++) {
		while (i < sx.n && sx.docs[i].kind != CM_MAP &&
		       cm_node_is_null(&sx.docs[i]))
			i++;
		while (j < sy.n && sy.docs[j].kind != CM_MAP &&
		       cm_node_is_null(&sy.docs[j]))
			j++;
		if (i == sx.n || j == sy.n) {
			same = i == sx.n && j == sy.n;
			break;
		}
		if (drop_results &&
		    (cm_map_del(a, &sx.docs[i], "results") < 0 ||
		     cm_map_del(a, &sy.docs[j], "results") < 0))
			goto out;
		if (!fz_same_data(&sx.docs[i], &sy.docs[j]))
			break;
	}
out:
	cm_diags_free(&d);
	cm_arena_free(a);
	return same;
}

/* True when text starts with a UTF-16 byte-order mark. */
static int fz_utf16(const char *t, size_t n)
{
	return n >= 2 && (((unsigned char)t[0] == 0xFF &&
			   (unsigned char)t[1] == 0xFE) ||
			  ((unsigned char)t[0] == 0xFE &&
			   (unsigned char)t[1] == 0xFF));
}

/* True when text has a line break other than LF and CR LF (a lone CR,
 * NEL, LS, PS): such text is written by the emitter, not spliced. */
static int fz_odd_breaks(const char *t, size_t n)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i] == '\r' && (i + 1 >= n || u[i + 1] != '\n'))
			return 1;
		if (i + 1 < n && u[i] == 0xC2 && u[i + 1] == 0x85)
			return 1;
		if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
			return 1;
	}
	return 0;
}

/*
 * Invariant 5 for one run: out (spliced) against emitted (the same run
 * written by the emitter), and against the input when the run reported
 * nothing.
 */
static void fz_check_fidelity(const char *in, size_t inlen, const cm_buf *out,
			      const cm_buf *emitted, size_t ndiags,
			      int drop_results)
{
	const char *o = out->data ? out->data : "";

	if (fz_data_eq(o, out->len, emitted->data ? emitted->data : "",
		       emitted->len, drop_results) != 1)
		fz_fail("spliced output and emitted output hold different data",
			o, out->len);
	if (ndiags == 0 && !fz_utf16(in, inlen) && !fz_odd_breaks(in, inlen) &&
	    fz_data_eq(in, inlen, o, out->len, 0) == 1 &&
	    (out->len != inlen || (inlen && memcmp(o, in, inlen) != 0)))
		fz_fail("output holds the input's data but not its bytes", o,
			out->len);
}

/* Print the second of two outputs that should have matched. */
static void fz_show_second(const cm_buf *out2)
{
	fprintf(stderr, "--- second output (%zu bytes) ---\n%.*s\n", out2->len,
		(int)(out2->len > 4096 ? 4096 : out2->len),
		out2->data ? out2->data : "");
}

/*
 * Invariant 6 in KRM mode: the same input through the planned writer
 * gives what the direct one gave (out, rc, complete, ndiags).
 */
static void fz_krm_plan(const char *text, size_t len, const cm_buf *out,
			int rc, int complete, size_t ndiags)
{
	cm_buf in, pl;
	cm_diags d;
	int cp = 0, rp;

	cm_diags_init(&d);
	cm_buf_init(&in, len);
	cm_buf_init(&pl, fz_max_output(len));
	if (cm_buf_add(&in, text, len) < 0)
		abort(); /* out of memory in the harness itself */
	rp = cm_krm_process_mode(&in, &pl, &d, &cp, CM_MODE_DIRECT);
	cm_buf_free(&in);
	if (rp != rc || cp != complete || d.n != ndiags ||
	    (complete && (pl.len != out->len ||
			  (pl.len && memcmp(pl.data, out->data, pl.len))))) {
		fz_show_second(&pl);
		fz_fail("the direct writer and the planned one differ",
			out->data, out->len);
	}
	cm_buf_free(&pl);
	cm_diags_free(&d);
}

/* KRM mode over the whole input, then over its own output (invariant 4). */
static void fz_krm(const uint8_t *data, size_t size)
{
	cm_buf out1, out2;
	size_t n1 = 0, n2 = 0;
	int rc1, rc2, c1 = 0, c2 = 0;

	cm_buf_init(&out2, 0);
	rc1 = fz_krm_once((const char *)data, size, &out1, &c1, &n1);
	fz_krm_plan((const char *)data, size, &out1, rc1, c1, n1);
	if (!c1)
		goto out;
	{
		cm_buf in, em;
		cm_diags d;
		int ce = 0;

		cm_diags_init(&d);
		cm_buf_init(&in, size);
		cm_buf_init(&em, fz_max_output(size));
		if (cm_buf_add(&in, data, size) < 0)
			abort();
		(void)cm_krm_process_mode(&in, &em, &d, &ce, 0);
		cm_buf_free(&in);
		if (ce && rc1 == CM_EXIT_OK)
			fz_check_fidelity((const char *)data, size, &out1, &em,
					  n1, 1);
		cm_buf_free(&em);
		cm_diags_free(&d);
	}
	rc2 = fz_krm_once(out1.data ? out1.data : "", out1.len, &out2, &c2,
			  &n2);
	if (!c2)
		fz_fail("KRM output, read back, gives no complete output",
			out1.data, out1.len);
	if (rc1 != CM_EXIT_OK)
		goto out;
	if (rc2 != CM_EXIT_OK)
		fz_fail("successful KRM output, read back, is an error",
			out1.data, out1.len);
	if (n1 == 0 && (out1.len != out2.len ||
			(out1.len &&
			 memcmp(out1.data, out2.data, out1.len) != 0))) {
		fz_show_second(&out2);
		fz_fail("KRM mode is not idempotent", out1.data, out1.len);
	}
	if (n1 != 0 && !fz_same_but_results(&out1, &out2)) {
		fz_show_second(&out2);
		fz_fail("KRM mode with warnings is not idempotent (results "
			"aside)",
			out1.data, out1.len);
	}
out:
	cm_buf_free(&out1);
	cm_buf_free(&out2);
}

/*
 * One legacy run: config text cfg (clen bytes) and stream text (slen
 * bytes). Returns the exit code; *out (the caller frees it) receives the
 * output. Checks invariants 1 and 3.
 */
static int fz_legacy_once(const char *cfg, size_t clen, const char *stream,
			  size_t slen, cm_buf *out, int splice, size_t *ndiags)
{
	cm_buf c, in;
	cm_diags d;
	int rc;

	cm_diags_init(&d);
	cm_buf_init(&c, clen);
	cm_buf_init(&in, slen);
	cm_buf_init(out, fz_max_output(clen + slen));
	if (cm_buf_add(&c, cfg, clen) < 0 || cm_buf_add(&in, stream, slen) < 0)
		abort(); /* out of memory in the harness itself */
	rc = cm_legacy_process_mode(&c, "config.yaml", &in, out, &d, splice);
	*ndiags = d.n;
	cm_buf_free(&c);
	cm_buf_free(&in);
	fz_show(&d);
	fz_check_diags(rc, &d, 0, 0);
	if (rc == CM_EXIT_OK)
		fz_check_yaml(out->data ? out->data : "", out->len, -1);
	cm_diags_free(&d);
	return rc;
}

/* Where the config text ends and the stream begins (see the top). */
static void fz_split(const uint8_t *data, size_t size, size_t *clen,
		     size_t *sstart)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t i;

	if (nul) {
		*clen = (size_t)(nul - data);
		*sstart = *clen + 1;
		return;
	}
	for (i = 1; i + 3 <= size; i++)
		if (data[i - 1] == '\n' && memcmp(data + i, "---", 3) == 0) {
			*clen = i;
			*sstart = i;
			return;
		}
	*clen = size;
	*sstart = size;
}

/* Legacy mode over the split input, then over its own output. */
static void fz_legacy(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	cm_buf out1, out2, em;
	size_t clen, sstart, n1 = 0, n2 = 0, ne = 0;
	int rc;

	fz_split(data, size, &clen, &sstart);
	cm_buf_init(&out2, 0);
	cm_buf_init(&em, 0);
	rc = fz_legacy_once(text, clen, text + sstart, size - sstart, &out1, 1,
			    &n1);
	{
		/* Invariant 6: the planned writer gives the same. */
		size_t np = 0;
		int rp = fz_legacy_once(text, clen, text + sstart,
					size - sstart, &out2, CM_MODE_DIRECT,
					&np);

		if (rp != rc || np != n1 ||
		    (rc == CM_EXIT_OK &&
		     (out1.len != out2.len ||
		      (out1.len && memcmp(out1.data, out2.data, out1.len))))) {
			fz_show_second(&out2);
			fz_fail("the direct writer and the planned one differ "
				"(legacy mode)",
				out1.data, out1.len);
		}
		cm_buf_free(&out2);
		cm_buf_init(&out2, 0);
	}
	if (rc != CM_EXIT_OK)
		goto out;
	cm_buf_free(&em);
	if (fz_legacy_once(text, clen, text + sstart, size - sstart, &em, 0,
			   &ne) != CM_EXIT_OK)
		fz_fail("legacy mode fails when written by the emitter", NULL, 0);
	fz_check_fidelity(text + sstart, size - sstart, &out1, &em, n1, 0);
	rc = fz_legacy_once(text, clen, out1.data ? out1.data : "", out1.len,
			    &out2, 1, &n2);
	if (rc != CM_EXIT_OK)
		fz_fail("successful legacy output, read back, is an error",
			out1.data, out1.len);
	if (out1.len != out2.len ||
	    (out1.len && memcmp(out1.data, out2.data, out1.len) != 0)) {
		fz_show_second(&out2);
		fz_fail("legacy mode is not idempotent", out1.data, out1.len);
	}
out:
	cm_buf_free(&out1);
	cm_buf_free(&out2);
	cm_buf_free(&em);
}

/*
 * `krm-fn expand` over the split input: config, then up to
 * FZ_MAX_CATALOGS catalogs separated by NULs (the last takes the rest).
 * Checks invariants 1 and 3.
 */
static void fz_expand(const uint8_t *data, size_t size)
{
	static const char *const names[FZ_MAX_CATALOGS] = {
		"catalog0.yaml", "catalog1.yaml", "catalog2.yaml",
		"catalog3.yaml",
	};
	cm_buf cfg, cats[FZ_MAX_CATALOGS], out;
	cm_diags d;
	size_t clen, pos, n = 0, i;
	int rc;

	cm_diags_init(&d);
	fz_split(data, size, &clen, &pos);
	cm_buf_init(&cfg, clen);
	cm_buf_init(&out, fz_max_output(size));
	if (cm_buf_add(&cfg, data, clen) < 0)
		abort(); /* out of memory in the harness itself */
	while (pos < size && n < FZ_MAX_CATALOGS) {
		const uint8_t *nul = memchr(data + pos, '\0', size - pos);
		size_t len = nul && n + 1 < FZ_MAX_CATALOGS
				     ? (size_t)(nul - (data + pos))
				     : size - pos;

		cm_buf_init(&cats[n], len);
		if (cm_buf_add(&cats[n], data + pos, len) < 0)
			abort();
		n++;
		pos += len + 1;
	}
	rc = cm_expand_process(&cfg, "profile.yaml", cats, names, n, &out, &d);
	fz_show(&d);
	fz_check_diags(rc, &d, 0, 0);
	if (rc == CM_EXIT_OK)
		fz_check_yaml(out.data ? out.data : "", out.len, 1);
	cm_buf_free(&cfg);
	for (i = 0; i < n; i++)
		cm_buf_free(&cats[i]);
	cm_buf_free(&out);
	cm_diags_free(&d);
}

/*
 * `krm-fn report` over the whole input, in each format. Checks
 * invariant 1, and 3 for the JSON (one document); a failed report
 * prints nothing.
 */
static void fz_report(const uint8_t *data, size_t size)
{
	static const char *const names[1] = {"build.yaml"};
	int f;

	for (f = CM_REPORT_TABLE; f <= CM_REPORT_JSON; f++) {
		cm_buf in, out;
		cm_diags d;
		int rc;

		cm_diags_init(&d);
		cm_buf_init(&in, size);
		cm_buf_init(&out, fz_max_output(size));
		if (cm_buf_add(&in, data, size) < 0)
			abort();
		rc = cm_report_process(&in, names, 1, (cm_report_format)f,
				       &out, &d) < 0
			     ? CM_EXIT_INPUT
			     : CM_EXIT_OK;
		fz_show(&d);
		fz_check_diags(rc, &d, 0, 0);
		if (rc != CM_EXIT_OK && out.len)
			abort();
		if (rc == CM_EXIT_OK && f == CM_REPORT_JSON)
			fz_check_yaml(out.data ? out.data : "", out.len, 1);
		cm_buf_free(&in);
		cm_buf_free(&out);
		cm_diags_free(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FZ_MAX_INPUT)
		return 0;
	fz_krm(data, size);
	if (size && (data[0] & 3) == 1)
		fz_legacy(data, size);
	if (size && (data[0] & 3) == 3)
		fz_expand(data, size);
	if (size && (data[0] & 3) == 2)
		fz_report(data, size);
	return 0;
}
