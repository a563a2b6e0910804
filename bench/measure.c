/*
 * measure.c - run a command K times and print its best wall time and its
 * peak resident set size.
 *
 *   measure K IN OUT CMD [ARG...]
 *
 * Each run has stdin from the file IN and stdout to the file OUT
 * (truncated first); stderr is inherited. Prints one line:
 *
 *   <best wall seconds> <peak RSS in KiB> <best CPU seconds>
 *
 * where the RSS is the largest ru_maxrss over the runs and the CPU time
 * the least user plus system time of a run, both taken with wait4() for
 * that child alone (CPU time leaves out the time the child waited for a
 * processor, which on a busy machine is most of the noise in wall time). Exit 0 when every run exited 0; otherwise
 * reports the failing run on stderr and exits 1 (2 on a usage or system
 * error).
 *
 * Why C and not Python or /usr/bin/time: ru_maxrss of a child includes
 * the memory of the process that forked it (Linux keeps the high-water
 * mark across exec), so a child of python3 never reads below ~10 MiB,
 * even for /bin/true. Forked from this small program the figure is the
 * child's own. /usr/bin/time may be missing on a fresh machine.
 */
#define _DEFAULT_SOURCE /* wait4() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run; returns its exit status (wait4 style) or -1. */
static int run_once(const char *in, const char *out, char **argv,
		    double *secs, long *rss_kib, double *cpu)
{
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int st;

	t0 = now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fi = open(in, O_RDONLY);
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fi < 0 || fo < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0) {
			perror("measure: redirect");
			_exit(126);
		}
		close(fi);
		close(fo);
		execvp(argv[0], argv);
		perror("measure: exec");
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	t1 = now();
	*secs = t1 - t0;
	*rss_kib = ru.ru_maxrss; /* KiB on Linux */
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return st;
}

int main(int argc, char **argv)
{
	double best = -1, secs, cpu, best_cpu = -1;
	long peak = 0, rss;
	int k, i, st;

	if (argc < 5 || (k = atoi(argv[1])) < 1) {
		fputs("usage: measure K IN OUT CMD [ARG...]\n", stderr);
		return 2;
	}
	for (i = 0; i < k; i++) {
		st = run_once(argv[2], argv[3], argv + 4, &secs, &rss, &cpu);
		if (st < 0) {
			perror("measure");
			return 2;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			if (WIFSIGNALED(st))
				fprintf(stderr, "measure: %s killed by signal %d\n",
					argv[4], WTERMSIG(st));
			else
				fprintf(stderr, "measure: %s exited %d\n",
					argv[4], WEXITSTATUS(st));
			return 1;
		}
		if (best < 0 || secs < best)
			best = secs;
		if (best_cpu < 0 || cpu < best_cpu)
			best_cpu = cpu;
		if (rss > peak)
			peak = rss;
	}
	printf("%.6f %ld %.6f\n", best, peak, best_cpu);
	return 0;
}
