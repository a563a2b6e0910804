/*
 * main.c - the krm-fn command: CLI options, the two ways it is run, and
 * the pipeline between them:
 *
 *   read (src/read) -> decode config (src/config) -> transform items
 *   (src/transform) -> write (src/write)
 *
 * KRM function mode (no argument): a ResourceList on stdin, one on stdout.
 * Legacy exec plugin mode (a config file argument): a multi-document
 * stream on stdin, a "---" separated stream on stdout.
 *
 * Exit codes: 0 success (warnings allowed), 1 input or validation error,
 * 2 usage or I/O error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/fields.h"
#include "core/buf.h"
#include "core/diag.h"
#include "expand/profiles.h"
#include "pipeline.h"
#include "read/input.h"
#include "report/report.h"
#include "write/output.h"

#ifndef COSTMON_VERSION
#define COSTMON_VERSION "0.1.0"
#endif


#define CM_DEFAULT_MAX_INPUT ((size_t)256 * 1024 * 1024)
#define CM_ENV_MAX_INPUT "COSTMON_MAX_INPUT_BYTES"

/* The CLI options: the only state shared across the program. */
typedef struct cm_opts {
	size_t max_input;        /* bytes, for stdin and the config file */
	const char *config_path; /* legacy mode when set */
	int expand;              /* the expand subcommand */
	int profiles;            /* the profiles subcommand */
	int schema;              /* the schema subcommand */
	int json;                /* profiles: --output=json */
	int report;              /* the report subcommand */
	int format;              /* report: cm_report_format */
	char **catalogs;         /* expand, profiles: catalog files; report:
				  * inputs (into argv) */
	int n_catalogs;
} cm_opts;

static const char cm_usage[] =
	"Usage:\n"
	"  krm-fn [OPTIONS] < resource-list.yaml\n"
	"  krm-fn [OPTIONS] CONFIG_FILE < resources.yaml\n"
	"  krm-fn expand [OPTIONS] PROFILE_FILE [CATALOG_FILE...]\n"
	"  krm-fn profiles [--output=text|json] [CATALOG_FILE...]\n"
	"  krm-fn schema\n"
	"  krm-fn report [--output=table|csv|json] [FILE...]\n"
	"  krm-fn --help | --version\n"
	"\n"
	"costmon's KRM function: adds cost labels and budgets to Kubernetes\n"
	"resources and generates their monitoring objects, from a\n"
	"ServiceProfile (apiVersion: " CM_API_VERSION ").\n"
	"\n"
	"Modes:\n"
	"  KRM function mode (no CONFIG_FILE): reads a ResourceList\n"
	"  (config.kubernetes.io/v1 or v1beta1; YAML or JSON) on stdin and\n"
	"  writes one ResourceList on stdout. This is how kpt and kustomize's\n"
	"  exec functions run it:\n"
	"    kpt fn eval --exec ./krm-fn DIR -- service=payment-processor ...\n"
	"    kpt fn render --allow-exec\n"
	"    kustomize build --enable-alpha-plugins --enable-exec DIR\n"
	"\n"
	"  Legacy exec plugin mode (CONFIG_FILE given): CONFIG_FILE holds the\n"
	"  ServiceProfile; stdin is a multi-document YAML stream of resources\n"
	"  and stdout the transformed stream. This is how kubectl kustomize\n"
	"  and Harness run it once installed with 'make install-plugin':\n"
	"    kubectl kustomize --enable-alpha-plugins DIR\n"
	"    krm-fn profile.yaml < resources.yaml\n"
	"\n"
	"  expand: prints the expanded cost configuration of the\n"
	"  ServiceProfile in PROFILE_FILE as JSON (budget, budgets of every\n"
	"  environment, labels, alert channels), so a CI job can show and\n"
	"  check budgets. CATALOG_FILEs hold the team's own CostProfiles:\n"
	"    krm-fn expand profile.yaml profiles/cost-profiles.yaml\n"
	"\n"
	"  profiles: lists the built-in profiles and those of the CATALOG_FILEs\n"
	"  (name, source, environments, sizes, SLOs), as a table or as JSON:\n"
	"    krm-fn profiles --output=json examples/profiles/*.yaml\n"
	"\n"
	"  schema: prints the JSON Schema (draft 2020-12) of ServiceProfile,\n"
	"  CostProfile and MonitoringProfile, for editors and CI:\n"
	"    krm-fn schema > costmon.schema.json\n"
	"\n"
	"  report: prints the budgets of a rendered build (a multi-document\n"
	"  stream or a ResourceList, from FILEs or stdin; - is stdin): one\n"
	"  row per service, environment and region, and totals per team,\n"
	"  cost center and business unit for each currency and period.\n"
	"  --output=table (default), csv or json (what a finance sync sends):\n"
	"    kustomize build overlays/prod | krm-fn report --output=csv\n"
	"\n"
	"Options:\n"
	"  --max-input-bytes=N  refuse input larger than N bytes (default\n"
	"                       268435456, i.e. 256 MiB; also settable with\n"
	"                       the " CM_ENV_MAX_INPUT " environment variable)\n"
	"  -h, --help           show this help and exit\n"
	"  --version            show the version and exit\n"
	"\n"
	"Exit status: 0 success (warnings are reported in results), 1 input or\n"
	"validation error, 2 usage or I/O error. Errors are written to stderr\n"
	"and, in KRM function mode, as results in the output ResourceList.\n";

/* Parse a byte count ("1048576"). 0 and sets *out, or -1. */
static int cm_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > SIZE_MAX / 4)
		return -1;
	*out = (size_t)v;
	return 0;
}

/*
 * Fill opts from argv and the environment. Returns -1 to continue, or an
 * exit code when the command is done (help, version, usage error).
 */
static int cm_parse_args(int argc, char **argv, cm_opts *o)
{
	const char *env = getenv(CM_ENV_MAX_INPUT);
	int i;

	o->max_input = CM_DEFAULT_MAX_INPUT;
	o->config_path = NULL;
	o->expand = 0;
	o->profiles = 0;
	o->schema = 0;
	o->json = 0;
	o->report = 0;
	o->format = CM_REPORT_TABLE;
	o->catalogs = NULL;
	o->n_catalogs = 0;
	if (env && *env && cm_parse_size(env, &o->max_input) < 0) {
		fprintf(stderr,
			"krm-fn: error: %s=\"%s\" is not a positive byte count; "
			"set it to a number such as 536870912\n",
			CM_ENV_MAX_INPUT, env);
		return CM_EXIT_USAGE;
	}
	i = 1;
	if (argc > 1 && !strcmp(argv[1], "expand")) {
		o->expand = 1;
		i = 2;
	} else if (argc > 1 && !strcmp(argv[1], "profiles")) {
		o->profiles = 1;
		i = 2;
	} else if (argc > 1 && !strcmp(argv[1], "schema")) {
		o->schema = 1;
		i = 2;
	} else if (argc > 1 && !strcmp(argv[1], "report")) {
		o->report = 1;
		i = 2;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(cm_usage, stdout);
			return fflush(stdout) == 0 && !ferror(stdout)
				       ? CM_EXIT_OK
				       : CM_EXIT_USAGE;
		}
		if (!strcmp(a, "--version")) {
			printf("krm-fn (costmon) %s\n", COSTMON_VERSION);
			return fflush(stdout) == 0 && !ferror(stdout)
				       ? CM_EXIT_OK
				       : CM_EXIT_USAGE;
		}
		if (!strncmp(a, "--max-input-bytes=", 18)) {
			if (cm_parse_size(a + 18, &o->max_input) < 0) {
				fprintf(stderr,
					"krm-fn: error: \"%s\" is not a "
					"positive byte count; use e.g. "
					"--max-input-bytes=536870912\n",
					a + 18);
				return CM_EXIT_USAGE;
			}
			continue;
		}
		if (o->profiles && (!strcmp(a, "--output=json") ||
				    !strcmp(a, "--output=text"))) {
			o->json = a[9] == 'j';
			continue;
		}
		if (o->report && (!strncmp(a, "--output=", 9) ||
				  !strncmp(a, "--format=", 9))) {
			if (!strcmp(a + 9, "table"))
				o->format = CM_REPORT_TABLE;
			else if (!strcmp(a + 9, "csv"))
				o->format = CM_REPORT_CSV;
			else if (!strcmp(a + 9, "json"))
				o->format = CM_REPORT_JSON;
			else {
				fprintf(stderr,
					"krm-fn: error: unknown report format "
					"\"%s\"; use --output=table, "
					"--output=csv or --output=json\n",
					a + 9);
				return CM_EXIT_USAGE;
			}
			continue;
		}
		if (o->report && (a[0] != '-' || a[1] == '\0')) {
			if (!o->catalogs)
				o->catalogs = &argv[i];
			o->catalogs[o->n_catalogs++] = argv[i];
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr,
				"krm-fn: error: unknown option \"%s\"; run "
				"'krm-fn --help' for the options\n",
				a);
			return CM_EXIT_USAGE;
		}
		if (o->schema) {
			fprintf(stderr,
				"krm-fn: error: \"schema\" takes no argument, "
				"got \"%s\"; run 'krm-fn schema'\n",
				a);
			return CM_EXIT_USAGE;
		}
		if (o->profiles) {
			if (!o->catalogs)
				o->catalogs = &argv[i];
			o->catalogs[o->n_catalogs++] = argv[i];
			continue;
		}
		if (o->config_path && o->expand) {
			/* argv outlives the options: keep the catalogs there,
			 * moved to the front of the remaining arguments. */
			if (!o->catalogs)
				o->catalogs = &argv[i];
			o->catalogs[o->n_catalogs++] = argv[i];
			continue;
		}
		if (o->config_path) {
			fprintf(stderr,
				"krm-fn: error: unexpected argument \"%s\"; "
				"krm-fn takes at most one config file\n",
				a);
			return CM_EXIT_USAGE;
		}
		o->config_path = a;
	}
	if (o->expand && !o->config_path) {
		fprintf(stderr,
			"krm-fn: error: \"expand\" needs the path of a %s "
			"file: krm-fn expand profile.yaml [catalog.yaml...]\n",
			CM_CONFIG_KIND);
		return CM_EXIT_USAGE;
	}
	return -1;
}

/* Report a failed read of what (a file name or "stdin"). Returns the
 * exit code for it. */
static int cm_read_failed(cm_read_status st, const char *what,
			  const cm_opts *o, cm_diags *d)
{
	if (st == CM_READ_TOO_LARGE) {
		cm_diag_add(d, CM_SEV_ERROR, NULL,
			    "%s: the input is larger than the limit of %zu "
			    "bytes; raise it with --max-input-bytes=N or %s=N",
			    what, o->max_input, CM_ENV_MAX_INPUT);
		return CM_EXIT_INPUT;
	}
	if (st == CM_READ_NOENT) {
		cm_diag_add(d, CM_SEV_ERROR, NULL,
			    "config file \"%s\" does not exist; pass the path "
			    "of a %s file, or no argument to read a "
			    "ResourceList on stdin",
			    what, CM_CONFIG_KIND);
		return CM_EXIT_USAGE;
	}
	cm_diag_add(d, CM_SEV_ERROR, NULL, "cannot read \"%s\": %s", what,
		    strerror(errno));
	return CM_EXIT_USAGE;
}

/* Write a finished output to stdout. Returns an exit code. */
static int cm_write_stdout(const cm_buf *out, cm_diags *d)
{
	if (cm_write_out(stdout, out->data ? out->data : "", out->len) < 0) {
		cm_diag_add(d, CM_SEV_ERROR, NULL,
			    "cannot write the output: %s", strerror(errno));
		return CM_EXIT_USAGE;
	}
	return CM_EXIT_OK;
}

/* The output cap: a little more than the input may grow to. */
static size_t cm_max_output(const cm_opts *o)
{
	return o->max_input > SIZE_MAX / 4 ? SIZE_MAX / 2
					   : o->max_input * 2 + (64u << 20);
}

static int cm_run_krm(const cm_opts *o, cm_diags *d, int *from_kpt)
{
	cm_buf in, out;
	cm_read_status st;
	int rc, wrc, complete = 0;

	cm_buf_init(&in, o->max_input);
	cm_buf_init(&out, cm_max_output(o));
	st = cm_read_fd(0, &in);
	if (st != CM_READ_OK) {
		rc = cm_read_failed(st, "stdin", o, d);
		cm_buf_free(&in);
		complete = cm_krm_error_output(d, &out) == 0;
	} else {
		/* A spliced output goes to stdout as it is made. */
		rc = cm_krm_process_to(&in, &out, stdout, d, &complete);
	}
	*from_kpt = (complete & CM_KRM_FROM_KPT) != 0;
	wrc = complete && !(complete & CM_KRM_WRITTEN)
		      ? cm_write_stdout(&out, d)
		      : CM_EXIT_OK;
	cm_buf_free(&out);
	return wrc != CM_EXIT_OK ? wrc : rc;
}

static int cm_run_legacy(const cm_opts *o, cm_diags *d)
{
	const char *root = getenv("KUSTOMIZE_PLUGIN_CONFIG_ROOT");
	char name[512];
	cm_buf cfg, in, out;
	cm_read_status st;
	int rc, sent = 0;

	/* Under kustomize the config file is a temporary re-serialised copy
	 * of the transformer config: name the kustomization instead. */
	if (root && *root)
		snprintf(name, sizeof(name),
			 "the transformer config of the kustomization in %s",
			 root);
	else
		snprintf(name, sizeof(name), "%s", o->config_path);

	cm_buf_init(&cfg, o->max_input);
	cm_buf_init(&in, o->max_input);
	cm_buf_init(&out, cm_max_output(o));
	st = cm_read_file(o->config_path, &cfg);
	if (st != CM_READ_OK) {
		rc = cm_read_failed(st, o->config_path, o, d);
		goto out;
	}
	st = cm_read_fd(0, &in);
	if (st != CM_READ_OK) {
		rc = cm_read_failed(st, "stdin", o, d);
		goto out;
	}
	/* A spliced output goes to stdout as it is made (sent). */
	rc = cm_legacy_process_to(&cfg, name, &in, &out, stdout, d, &sent);
	if (rc == CM_EXIT_OK && !sent)
		rc = cm_write_stdout(&out, d);
out:
	cm_buf_free(&cfg);
	cm_buf_free(&in);
	cm_buf_free(&out);
	return rc;
}

/* Releases the n buffers of cats and the array (NULL: nothing). */
static void cm_free_catalogs(cm_buf *cats, int n)
{
	int i;

	for (i = 0; cats && i < n; i++)
		cm_buf_free(&cats[i]);
	free(cats);
}

/*
 * Returns the o->n_catalogs catalog files read into a new array of
 * buffers, which the caller releases with cm_free_catalogs(). On error
 * (out of memory, a file that cannot be read) returns NULL after
 * reporting, with the exit code in *rc.
 */
static cm_buf *cm_read_catalogs(const cm_opts *o, cm_diags *d, int *rc)
{
	cm_buf *cats = calloc((size_t)o->n_catalogs + 1, sizeof(*cats));
	cm_read_status st;
	int n;

	if (!cats) {
		cm_diag_add(d, CM_SEV_ERROR, NULL, "out of memory");
		*rc = CM_EXIT_USAGE;
		return NULL;
	}
	for (n = 0; n < o->n_catalogs; n++) {
		cm_buf_init(&cats[n], o->max_input);
		st = cm_read_file(o->catalogs[n], &cats[n]);
		if (st != CM_READ_OK) {
			*rc = cm_read_failed(st, o->catalogs[n], o, d);
			cm_free_catalogs(cats, n + 1);
			return NULL;
		}
	}
	return cats;
}

static int cm_run_expand(const cm_opts *o, cm_diags *d)
{
	cm_buf cfg, out, *cats = NULL;
	cm_read_status st;
	int rc = CM_EXIT_OK;

	cm_buf_init(&cfg, o->max_input);
	cm_buf_init(&out, cm_max_output(o));
	st = cm_read_file(o->config_path, &cfg);
	if (st != CM_READ_OK) {
		rc = cm_read_failed(st, o->config_path, o, d);
		goto out;
	}
	cats = cm_read_catalogs(o, d, &rc);
	if (!cats)
		goto out;
	rc = cm_expand_process(&cfg, o->config_path, cats,
			       (const char *const *)o->catalogs,
			       (size_t)o->n_catalogs, &out, d);
	if (rc == CM_EXIT_OK)
		rc = cm_write_stdout(&out, d);
out:
	cm_free_catalogs(cats, o->n_catalogs);
	cm_buf_free(&cfg);
	cm_buf_free(&out);
	return rc;
}

static int cm_run_schema(cm_diags *d)
{
	char *text = cm_fd_schema_json();
	int rc = CM_EXIT_OK;

	if (!text) {
		cm_diag_add(d, CM_SEV_ERROR, NULL,
			    "out of memory while writing the schema");
		return CM_EXIT_USAGE;
	}
	if (fputs(text, stdout) < 0 || fputc('\n', stdout) < 0) {
		cm_diag_add(d, CM_SEV_ERROR, NULL,
			    "cannot write the output: %s", strerror(errno));
		rc = CM_EXIT_USAGE;
	}
	free(text);
	return rc;
}

static int cm_run_profiles(const cm_opts *o, cm_diags *d)
{
	cm_buf out, *cats;
	int rc = CM_EXIT_OK;

	cm_buf_init(&out, cm_max_output(o));
	cats = cm_read_catalogs(o, d, &rc);
	if (!cats)
		goto out;
	rc = cm_profiles_process(cats, (const char *const *)o->catalogs,
				 (size_t)o->n_catalogs, o->json, &out, d);
	if (rc == CM_EXIT_OK)
		rc = cm_write_stdout(&out, d);
out:
	cm_free_catalogs(cats, o->n_catalogs);
	cm_buf_free(&out);
	return rc;
}

static int cm_run_report(const cm_opts *o, cm_diags *d)
{
	size_t n = o->n_catalogs ? (size_t)o->n_catalogs : 1, i, got = 0;
	const char **names = calloc(n, sizeof(*names));
	cm_buf *in = calloc(n, sizeof(*in)), out;
	cm_read_status st;
	int rc = CM_EXIT_OK;

	cm_buf_init(&out, cm_max_output(o));
	if (!names || !in) {
		cm_diag_add(d, CM_SEV_ERROR, NULL, "out of memory");
		rc = CM_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < n; i++, got++) {
		const char *path = o->n_catalogs ? o->catalogs[i] : "-";

		cm_buf_init(&in[i], o->max_input);
		names[i] = strcmp(path, "-") ? path : "stdin";
		st = strcmp(path, "-") ? cm_read_file(path, &in[i])
				       : cm_read_fd(0, &in[i]);
		if (st == CM_READ_NOENT) {
			cm_diag_add(d, CM_SEV_ERROR, NULL,
				    "input file \"%s\" does not exist; pass "
				    "rendered output (e.g. from kustomize "
				    "build), or no file to read stdin",
				    path);
			rc = CM_EXIT_USAGE;
			got++;
			goto out;
		}
		if (st != CM_READ_OK) {
			rc = cm_read_failed(st, names[i], o, d);
			got++;
			goto out;
		}
	}
	if (cm_report_process(in, names, n, (cm_report_format)o->format, &out,
			      d) < 0)
		rc = CM_EXIT_INPUT;
	else
		rc = cm_write_stdout(&out, d);
out:
	for (i = 0; in && i < got; i++)
		cm_buf_free(&in[i]);
	free(in);
	free(names);
	cm_buf_free(&out);
	return rc;
}

int main(int argc, char **argv)
{
	cm_opts opts;
	cm_diags diags;
	int rc, from_kpt = 0;

	cm_diags_init(&diags);
	rc = cm_parse_args(argc, argv, &opts);
	if (rc >= 0)
		goto out;
	/* A closed stdout must be an error we see, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (opts.schema)
		rc = cm_run_schema(&diags);
	else if (opts.profiles)
		rc = cm_run_profiles(&opts, &diags);
	else if (opts.report)
		rc = cm_run_report(&opts, &diags);
	else if (opts.expand)
		rc = cm_run_expand(&opts, &diags);
	else if (opts.config_path)
		rc = cm_run_legacy(&opts, &diags);
	else
		rc = cm_run_krm(&opts, &diags, &from_kpt);
	/* Quiet on success: warnings reach KRM callers as results; the
	 * legacy stream has no such channel, so they go to stderr. kpt
	 * prints the results itself (and stderr after them, escaped and cut
	 * to 4 lines): there the results alone tell it, once. kustomize
	 * drops results, so elsewhere errors also go to stderr; its legacy
	 * plugin runner reads stderr as a format string. */
	if (opts.config_path && !opts.expand &&
	    getenv("KUSTOMIZE_PLUGIN_CONFIG_ROOT"))
		cm_diags_print_percent_escaped(&diags, CM_SEV_WARNING, stderr);
	else if (!from_kpt)
		/* A failed run also shows its warnings: with failOnWarnings
		 * they are what failed it. */
		cm_diags_print(&diags,
			       opts.config_path || opts.report || diags.errors
				       ? CM_SEV_WARNING
				       : CM_SEV_ERROR,
			       stderr);
	if (rc == CM_EXIT_OK && diags.errors)
		rc = CM_EXIT_INPUT;
	if (fclose(stdout) != 0 && rc == CM_EXIT_OK) {
		fprintf(stderr, "krm-fn: error: cannot write the output: %s\n",
			strerror(errno));
		rc = CM_EXIT_USAGE;
	}
out:
	cm_diags_free(&diags);
	return rc;
}
