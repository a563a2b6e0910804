/*
 * roundtrip.c - the benchmark's baseline: the least a libyaml-based
 * function can do.
 *
 *   cc -O2 -o bench/roundtrip bench/roundtrip.c -lyaml
 *   bench/roundtrip < in.yaml > out.yaml
 *
 * Reads all of stdin into memory (as krm-fn does), parses it into events
 * with libyaml and hands each event straight to a libyaml emitter writing
 * to stdout, with krm-fn's emitter settings: width -1 (no folding),
 * unicode on, block style for every mapping and sequence. No tree is
 * built. Exit 0 on success, 1 on a parse or emit error, 2 on I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* All of fd 0 in one malloc'd buffer; NULL on error. */
static unsigned char *read_all(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap), *p;
	ssize_t r;

	if (!buf)
		return NULL;
	for (;;) {
		if (n == cap) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		r = read(0, buf + n, cap - n);
		if (r == 0)
			break;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

int main(void)
{
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	yaml_event_t ev;
	unsigned char *in;
	size_t len = 0;
	int done = 0, rc = 0;

	in = read_all(&len);
	if (!in) {
		perror("roundtrip: reading stdin");
		return 2;
	}
	if (!yaml_parser_initialize(&parser) ||
	    !yaml_emitter_initialize(&emitter)) {
		fputs("roundtrip: out of memory\n", stderr);
		return 2;
	}
	yaml_parser_set_input_string(&parser, in, len);
	yaml_emitter_set_output_file(&emitter, stdout);
	yaml_emitter_set_width(&emitter, -1);
	yaml_emitter_set_unicode(&emitter, 1);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "roundtrip: parse error: %s\n",
				parser.problem ? parser.problem : "?");
			rc = 1;
			break;
		}
		if (ev.type == YAML_MAPPING_START_EVENT)
			ev.data.mapping_start.style = YAML_BLOCK_MAPPING_STYLE;
		else if (ev.type == YAML_SEQUENCE_START_EVENT)
			ev.data.sequence_start.style =
				YAML_BLOCK_SEQUENCE_STYLE;
		done = ev.type == YAML_STREAM_END_EVENT;
		/* The emitter takes ownership of the event, even on error. */
		if (!yaml_emitter_emit(&emitter, &ev)) {
			fprintf(stderr, "roundtrip: emit error: %s\n",
				emitter.problem ? emitter.problem : "?");
			rc = 1;
			break;
		}
	}
	if (rc == 0 && !yaml_emitter_flush(&emitter))
		rc = 2;
	yaml_emitter_delete(&emitter);
	yaml_parser_delete(&parser);
	free(in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("roundtrip: writing stdout");
		rc = 2;
	}
	return rc;
}
