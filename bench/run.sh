#!/usr/bin/env bash
# bench/run.sh - the costmon benchmark (`make bench`).
#
# Builds ../krm-fn (via make), bench/roundtrip (a bare libyaml
# parse -> emit, the baseline) and bench/out/measure (the timer), then for
# ResourceLists of 1, 100, 1,000 and 10,000 items (made by bench/gen.py,
# kept in bench/out/):
#   - runs krm-fn once and checks it exits 0 and prints a ResourceList
#     with every item;
#   - times krm-fn and the round trip, best of K interleaved runs, and
#     takes the peak RSS of each (bench/measure.c, forked from a small
#     process so ru_maxrss is the child's own);
# and prints the table and the targets (bench/report.py).
#
# Exit 0 when everything ran, even if a target is missed (the report says
# MISSED); non-zero when a build or command fails or krm-fn's output is not
# the expected ResourceList. Takes well under 2 minutes on 2 cores.
#
# Then a list of SMALL (default 100,000) one-line items, which must
# succeed; its time and RSS are printed (SMALL=0 skips it).
#
# Environment: CC (default cc), SIZES (default "1 100 1000 10000"),
# KRM_FN (a krm-fn binary to use instead of building ../krm-fn).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/out
KRM=${KRM_FN:-$ROOT/krm-fn}
CC=${CC:-cc}
SIZES=${SIZES:-"1 100 1000 10000"}

die() {
	echo "bench: error: $*" >&2
	exit 1
}

# Runs per measurement: more for the small, noisy sizes.
reps() {
	if [ "$1" -le 1 ]; then echo 50
	elif [ "$1" -le 100 ]; then echo 30
	elif [ "$1" -le 1000 ]; then echo 10
	else echo 15 # on a shared machine, enough runs to catch quiet ones
	fi
}

# best RUNS: the least time, the largest RSS and the least CPU time of
# measure's lines.
best() {
	awk 'NR == 1 || $1 < t { t = $1 } $2 > m { m = $2 }
	     NR == 1 || $3 < c { c = $3 } END { print t, m, c }' "$1"
}

# paired KRM_RUNS RT_RUNS: the median over the rounds of krm-fn's time
# divided by the round trip's in the same round (a slow spell of the
# machine hits both runs of a round, so their ratio moves less than the
# times do).
paired() {
	paste -d ' ' "$1" "$2" | awk '{ print $1 / $4 }' | sort -g |
		awk '{ v[NR] = $1 }
		     END { if (NR % 2) print v[(NR + 1) / 2];
			   else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# check_rl FILE N: FILE is a ResourceList (as libyaml writes it, block
# style) whose items hold at least the N input items. Generated items and
# results (warnings) are allowed; krm-fn's exit status covers errors.
check_rl() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
path, want = sys.argv[1], int(sys.argv[2])
keys, entries, top = {}, {}, None
with open(path) as f:
    for line in f:
        if line.startswith("- "):  # an entry of the current top-level list
            entries[top] = entries.get(top, 0) + 1
            continue
        m = re.match(r"([A-Za-z]+):(?: (.*))?$", line.rstrip("\n"))
        if m:
            top = m.group(1)
            keys[top] = m.group(2)
items = entries.get("items", 0)
problems = []
if keys.get("apiVersion") != "config.kubernetes.io/v1":
    problems.append("apiVersion is %r" % keys.get("apiVersion"))
if keys.get("kind") != "ResourceList":
    problems.append("kind is %r" % keys.get("kind"))
if "items" not in keys or items < want:
    problems.append("%d items, expected at least %d" % (items, want))
if problems:
    sys.exit("not the expected ResourceList: " + "; ".join(problems))
EOF
}

echo "# building"
[ -n "${KRM_FN:-}" ] || make -s -C "$ROOT" krm-fn
mkdir -p "$OUT"
"$CC" -O2 -o "$HERE/roundtrip" "$HERE/roundtrip.c" -lyaml
"$CC" -O2 -o "$OUT/measure" "$HERE/measure.c"

results=$OUT/results.tsv
: >"$results"
for n in $SIZES; do
	in=$OUT/in-$n.yaml
	kout=$OUT/krm-$n.yaml
	rout=$OUT/rt-$n.yaml
	k=$(reps "$n")
	echo "# $n items: generating, checking, timing (best of $k)"
	python3 "$HERE/gen.py" "$n" >"$in"
	bytes=$(wc -c <"$in")

	# Once per size: krm-fn must succeed and print the whole list.
	"$KRM" <"$in" >"$kout" || die "krm-fn exited $? on $in"
	check_rl "$kout" "$n" || die "krm-fn's output for $in ($kout)"
	"$HERE/roundtrip" <"$in" >"$rout" || die "roundtrip exited $? on $in"
	if cmp -s "$kout" "$rout"; then same=yes; else same=no; fi

	# K rounds, each timing krm-fn then the round trip, so that a slow
	# spell of the machine hits both rather than one of them.
	: >"$OUT/krm-$n.runs"
	: >"$OUT/rt-$n.runs"
	for ((r = 0; r < k; r++)); do
		"$OUT/measure" 1 "$in" "$kout" "$KRM" >>"$OUT/krm-$n.runs" ||
			die "timing krm-fn on $in failed"
		"$OUT/measure" 1 "$in" "$rout" "$HERE/roundtrip" \
			>>"$OUT/rt-$n.runs" || die "timing roundtrip on $in failed"
	done
	read -r ksecs krss kcpu <<<"$(best "$OUT/krm-$n.runs")"
	read -r rsecs rrss rcpu <<<"$(best "$OUT/rt-$n.runs")"
	pair=$(paired "$OUT/krm-$n.runs" "$OUT/rt-$n.runs")
	printf '%s %s %s %s %s %s %s %s %s %s\n' "$n" "$bytes" "$ksecs" "$krss" \
		"$rsecs" "$rrss" "$same" "$kcpu" "$rcpu" "$pair" >>"$results"
done

# Many small items: 100,000 one-line ConfigMaps (about 6 MB) must go
# through (the tree's arena and the output are sized for them).
small=$OUT/small.tsv
rm -f "$small" # no figure left from an earlier run
if [ "${SMALL:-100000}" -gt 0 ]; then
	n=${SMALL:-100000}
	echo "# $n small items: generating, timing (best of 3)"
	python3 "$HERE/gen.py" --small "$n" >"$OUT/small-$n.yaml"
	set +e
	"$KRM" <"$OUT/small-$n.yaml" >"$OUT/small-$n.out" 2>"$OUT/small-$n.err"
	src=$?
	set -e
	[ "$src" -eq 0 ] && check_rl "$OUT/small-$n.out" "$n" || src=1
	: >"$OUT/small-$n.runs"
	for ((r = 0; r < 3; r++)); do
		"$OUT/measure" 1 "$OUT/small-$n.yaml" "$OUT/small-$n.out" "$KRM" \
			>>"$OUT/small-$n.runs" || src=1
	done
	read -r ssecs srss _ <<<"$(best "$OUT/small-$n.runs")"
	printf '%s %s %s %s %s\n' "$n" "$(wc -c <"$OUT/small-$n.yaml")" \
		"$ssecs" "$srss" "$src" >"$small"
fi

echo
python3 "$HERE/report.py" "$results" $([ -s "$small" ] && echo "$small")
status=$?

# Instruction counts do not depend on what else the machine is doing:
# a load-independent view of the time ratio, on the 1,000-item list.
if command -v valgrind >/dev/null 2>&1 && [ -f "$OUT/in-1000.yaml" ]; then
	count() {
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
			<"$OUT/in-1000.yaml" 2>&1 >/dev/null |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
	}
	ki=$(count "$KRM")
	ri=$(count "$HERE/roundtrip")
	if [ -n "$ki" ] && [ -n "$ri" ]; then
		echo
		python3 -c 'import sys; k, r = int(sys.argv[1]), int(sys.argv[2]); print("instructions on 1000 items (callgrind): krm-fn %d, round trip %d, ratio %.2fx" % (k, r, k / r))' "$ki" "$ri"
	fi
fi
exit $status
