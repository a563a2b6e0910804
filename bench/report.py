#!/usr/bin/env python3
"""bench/report.py - print the benchmark table and check the targets.

    python3 bench/report.py RESULTS.tsv [SMALL.tsv]

RESULTS.tsv is written by bench/run.sh, one line per input size:

    items  input_bytes  krm_secs  krm_rss_kib  rt_secs  rt_rss_kib  same \
        krm_cpu  rt_cpu  paired

(times are best-of-K wall seconds, RSS the peak in KiB, `same` is yes/no:
whether krm-fn's output equals the round trip's byte for byte; krm_cpu and
rt_cpu the least user plus system seconds of a run; paired the median over
the rounds of krm-fn's wall time over the round trip's in the same round).

SMALL.tsv, when given, holds one line for the list of many small items
(bench/gen.py --small): items  input_bytes  krm_secs  krm_rss_kib  exit.

Prints the table, then each target with "met" or "MISSED". Always exits 0
when the file could be read: a missed target is a finding, not a failure.
"""
import sys

MIB = 1024 * 1024

# (description, items, check(row) -> (ok, measured text))
TARGETS = [
    ("krm-fn (full transform) time <= 0.8x the round trip of the input",
     10000,
     lambda r: (r["krm_s"] <= 0.8 * r["rt_s"],
                "%.2fx best against best; for reference: median of the "
                "rounds' ratios %.2fx, CPU time %.2fx"
                % (r["krm_s"] / r["rt_s"], r["paired"],
                   r["krm_cpu"] / r["rt_cpu"]))),
    ("krm-fn peak RSS <= 4x the input size", 10000,
     lambda r: (r["krm_rss"] * 1024 <= 4 * r["bytes"],
                "%.2fx" % (r["krm_rss"] * 1024 / r["bytes"]))),
    ("krm-fn time <= 5 ms", 1,
     lambda r: (r["krm_s"] <= 0.005, "%.2f ms" % (r["krm_s"] * 1e3))),
    ("krm-fn peak RSS <= 4 MiB", 1,
     lambda r: (r["krm_rss"] * 1024 <= 4 * MIB,
                "%.2f MiB" % (r["krm_rss"] / 1024))),
]


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            rows[int(p[0])] = {
                "items": int(p[0]), "bytes": int(p[1]),
                "krm_s": float(p[2]), "krm_rss": int(p[3]),
                "rt_s": float(p[4]), "rt_rss": int(p[5]), "same": p[6],
                "krm_cpu": float(p[7]), "rt_cpu": float(p[8]),
                "paired": float(p[9]),
            }
    return rows


def mbps(nbytes, secs):
    return nbytes / 1e6 / secs if secs > 0 else float("inf")


def main(argv):
    rows = load(argv[1])
    head = ("items", "input B", "krm ms", "krm MB/s", "krm RSS MiB",
            "RSS/input", "rt ms", "rt MB/s", "rt RSS MiB", "krm/rt time",
            "paired", "CPU")
    fmt = "%7s %11s %9s %9s %12s %10s %9s %9s %11s %12s %7s %6s"
    print(fmt % head)
    for n in sorted(rows):
        r = rows[n]
        print(fmt % (
            r["items"], r["bytes"],
            "%.2f" % (r["krm_s"] * 1e3),
            "%.1f" % mbps(r["bytes"], r["krm_s"]),
            "%.2f" % (r["krm_rss"] / 1024),
            "%.2f" % (r["krm_rss"] * 1024 / r["bytes"]),
            "%.2f" % (r["rt_s"] * 1e3),
            "%.1f" % mbps(r["bytes"], r["rt_s"]),
            "%.2f" % (r["rt_rss"] / 1024),
            "%.2f" % (r["krm_s"] / r["rt_s"]),
            "%.2f" % r["paired"],
            "%.2f" % (r["krm_cpu"] / r["rt_cpu"]),
        ))
    print("(times: best-of-K wall clock incl. process start; MB = 10^6 "
          "bytes; RSS: peak resident set, ru_maxrss; paired: median over "
          "the rounds of krm-fn's time over the round trip's in the same "
          "round; CPU: best user+system time over best)")
    differ = [str(n) for n in sorted(rows) if rows[n]["same"] != "yes"]
    print("krm-fn output identical to the round trip's: %s" %
          ("yes, at every size" if not differ
           else "no, at " + ", ".join(differ) + " items (expected: the "
           "ServiceProfile runs the cost stage, which adds labels and "
           "budget annotations to every item)"))

    print()
    print("Targets:")
    missed = 0
    for desc, n, check in TARGETS:
        if n not in rows:
            print("  [SKIPPED] %s items: %s (size not run)" % (n, desc))
            continue
        ok, got = check(rows[n])
        missed += not ok
        print("  [%s] %d item%s: %s (measured %s)" %
              ("met" if ok else "MISSED", n, "" if n == 1 else "s", desc, got))
    if len(argv) > 2:
        with open(argv[2]) as f:
            p = f.read().split()
        n, nbytes, secs, rss, rc = int(p[0]), int(p[1]), float(p[2]), \
            int(p[3]), int(p[4])
        ok = rc == 0
        missed += not ok
        print("  [%s] %d small items (%.1f MB): the run succeeds (measured: "
              "exit %d, %.2f s, %.1f MB/s, peak RSS %.1f MiB = %.2fx the "
              "input)" % ("met" if ok else "MISSED", n, nbytes / 1e6, rc,
                          secs, mbps(nbytes, secs), rss / 1024,
                          rss * 1024 / nbytes))
    skipped = sum(n not in rows for _, n, _ in TARGETS)
    if missed:
        print("%d target(s) MISSED." % missed)
    elif skipped:
        print("The targets measured were met; %d not measured." % skipped)
    else:
        print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
