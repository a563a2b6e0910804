#!/usr/bin/env bash
# bench/kustomize.sh - output size and `kubectl kustomize` time on an
# overlay of N resources (default 1000: bench/gen.py's Deployment and
# Service pairs, one file each) with krm-fn as its legacy exec plugin
# transformer (the seed's ServiceProfile, monitoring off so that only the
# cost stage runs).
#
#   bash bench/kustomize.sh [N] [RUNS] KRM_FN...
#
# For the overlay without the transformer (the baseline) and for each
# KRM_FN given (e.g. the binaries before and after a change), prints the
# bytes kubectl kustomize writes, and the best and median wall time and
# CPU time (user + system, kubectl and the plugin) of RUNS runs (default
# 7). The runs of the variants are interleaved, so a change in the
# machine's load hits them alike. Needs kubectl, python3 and
# /usr/bin/time.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-1000}
RUNS=${2:-7}
shift 2 || true
[ $# -gt 0 ] || set -- "$HERE/../krm-fn"
T=$(mktemp -d "${TMPDIR:-/tmp}/costmon-kbench.XXXXXX")
trap 'rm -rf "$T"' EXIT

command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }
for k in "$@"; do [ -x "$k" ] || { echo "no krm-fn at $k" >&2; exit 1; }; done

# The overlay: one file per resource, and the plain copy without plugin.
python3 "$HERE/gen.py" "$N" >"$T/rl.yaml"
python3 - "$T/rl.yaml" "$T/overlay" <<'PY'
import os, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out)
names = []
for i, it in enumerate(doc["items"]):
    ann = it["metadata"].get("annotations", {})
    for k in list(ann):
        if "config.kubernetes.io/" in k:
            del ann[k]
    if not ann:
        it["metadata"].pop("annotations", None)
    name = "r%05d.yaml" % i
    yaml.safe_dump(it, open(os.path.join(out, name), "w"), sort_keys=False)
    names.append(name)
fc = doc["functionConfig"]
fc.setdefault("metadata", {}).setdefault("annotations", {})[
    "config.kubernetes.io/local-config"] = "true"
fc["spec"].pop("monitoringProfile", None)
fc["spec"].pop("monitoring", None)
yaml.safe_dump(fc, open(os.path.join(out, "profile.yaml"), "w"), sort_keys=False)
with open(os.path.join(out, "kustomization.yaml"), "w") as f:
    f.write("resources:\n" + "".join("- %s\n" % n for n in names))
    f.write("transformers:\n- profile.yaml\n")
os.makedirs(out + "-plain")
for n in names:
    os.link(os.path.join(out, n), os.path.join(out + "-plain", n))
with open(os.path.join(out + "-plain", "kustomization.yaml"), "w") as f:
    f.write("resources:\n" + "".join("- %s\n" % n for n in names))
PY

# One plugin directory per binary: XDG_CONFIG_HOME=$T/xdg<i>.
i=0
for k in "$@"; do
	i=$((i + 1))
	mkdir -p "$T/xdg$i/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile"
	cp "$k" "$T/xdg$i/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile/ServiceProfile"
done

# run XDG DIR: appends "wall cpu bytes" of one kubectl kustomize.
run() {
	/usr/bin/time -f "%e %U %S" -o "$T/time" env XDG_CONFIG_HOME="$1" \
		kubectl kustomize --enable-alpha-plugins "$2" >"$T/out.yaml"
	awk -v b="$(wc -c <"$T/out.yaml")" '{ printf "%s %.2f %s\n", $1, $2 + $3, b }' "$T/time"
}

report() { # label file
	sort -n "$2" | awk -v label="$1" -v n="$N" '
		{ w[NR] = $1; b = $3 } END {
		printf "%-34s %5d resources %9d bytes out  wall best %6.2f s median %6.2f s", label, n, b, w[1], w[int((NR + 1) / 2)] }'
	sort -k2 -n "$2" | awk '{ c[NR] = $2 } END {
		printf "  cpu best %6.2f s median %6.2f s\n", c[1], c[int((NR + 1) / 2)] }'
}

run "$T/xdg1" "$T/overlay-plain" >/dev/null # warm-up
for r in $(seq "$RUNS"); do
	run "$T/xdg1" "$T/overlay-plain" >>"$T/plain.times"
	i=0
	for k in "$@"; do
		i=$((i + 1))
		run "$T/xdg$i" "$T/overlay" >>"$T/k$i.times"
	done
done
report "without the plugin" "$T/plain.times"
i=0
for k in "$@"; do
	i=$((i + 1))
	report "with $k" "$T/k$i.times"
done
