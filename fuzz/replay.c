/*
 * replay.c - runs the fuzz target (harness.c) over saved inputs without
 * libFuzzer, so `make test` can replay fuzz/corpus under gcc.
 *
 * Usage: fuzz-replay PATH...
 *   Each PATH is a file, or a directory whose regular files (not
 *   recursively, dot files skipped) are each one input, in name order.
 *   Prints "PATH (N bytes): ok" per input and "replayed N inputs" at the
 *   end. Exit status: 0, or 1 when a path cannot be read. An input that
 *   breaks an invariant aborts the process (non-zero status, by signal).
 *
 * Ownership: each input is read into a malloc'd block freed after its run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Read the whole file at path into a malloc'd block (*data, *size).
 * Returns 0, or -1 after printing why.
 */
static int rp_read(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	*data = NULL;
	*size = 0;
	if (!f) {
		fprintf(stderr, "fuzz-replay: cannot open %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				fprintf(stderr, "fuzz-replay: out of memory "
						"reading %s\n",
					path);
				goto out;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "fuzz-replay: cannot read %s\n", path);
		goto out;
	}
	*data = buf;
	*size = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

/* Replay one file; counts it in *count. 0, or -1 if it cannot be read. */
static int rp_file(const char *path, size_t *count)
{
	uint8_t *data;
	size_t size;

	if (rp_read(path, &data, &size) < 0)
		return -1;
	/* The name goes out first, so a crash shows which input it was. */
	printf("%s (%zu bytes): ", path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	printf("ok\n");
	fflush(stdout);
	(*count)++;
	return 0;
}

static int rp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Replay every regular, non-dot file of directory dir, in name order.
 * 0, or -1 if the directory or one of its files cannot be read.
 */
static int rp_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char **names = NULL, **p;
	size_t n = 0, cap = 0, i;
	int rc = -1;

	if (!d) {
		fprintf(stderr, "fuzz-replay: cannot open %s: %s\n", dir,
			strerror(errno));
		goto out;
	}
	while ((e = readdir(d))) {
		char *path;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		len = strlen(dir) + strlen(e->d_name) + 2;
		path = malloc(len);
		if (!path)
			goto out;
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			p = realloc(names, cap * sizeof(*names));
			if (!p) {
				free(path);
				goto out;
			}
			names = p;
		}
		names[n++] = path;
	}
	if (n)
		qsort(names, n, sizeof(*names), rp_cmp);
	rc = 0;
	for (i = 0; i < n; i++)
		if (rp_file(names[i], count) < 0)
			rc = -1;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	struct stat st;
	int i, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-replay FILE_OR_DIR...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int rc;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = rp_dir(argv[i], &count);
		else
			rc = rp_file(argv[i], &count);
		if (rc < 0)
			status = 1;
	}
	printf("replayed %zu inputs\n", count);
	return status;
}
