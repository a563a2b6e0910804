#!/usr/bin/env bash
# bench/kustomize.sh - output size and `kubectl kustomize` wall time on an
# overlay of N resources (default 1000: bench/gen.py's Deployment and
# Service pairs, one file each) with krm-fn as its legacy exec plugin
# transformer (the seed's ServiceProfile, monitoring off so that only the
# cost stage runs).
#
#   bash bench/kustomize.sh [KRM_FN] [N] [RUNS]
#
# Prints the bytes kubectl kustomize writes, the best and median wall
# time of RUNS runs (default 7), and the same for the overlay without
# the transformer (the baseline). Needs kubectl and python3.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KRM=$(cd "$(dirname "${1:-$HERE/../krm-fn}")" && pwd)/$(basename "${1:-krm-fn}")
N=${2:-1000}
RUNS=${3:-7}
T=$(mktemp -d "${TMPDIR:-/tmp}/costmon-kbench.XXXXXX")
trap 'rm -rf "$T"' EXIT

command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }
[ -x "$KRM" ] || { echo "no krm-fn at $KRM" >&2; exit 1; }

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

PLUGIN=$T/xdg/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile
mkdir -p "$PLUGIN"
cp "$KRM" "$PLUGIN/ServiceProfile"

# run DIR: prints "seconds bytes" of one kubectl kustomize.
run() {
	local s e
	s=$(date +%s.%N)
	XDG_CONFIG_HOME=$T/xdg kubectl kustomize --enable-alpha-plugins "$1" >"$T/out.yaml"
	e=$(date +%s.%N)
	echo "$(echo "$e - $s" | bc) $(wc -c <"$T/out.yaml")"
}

measure() { # label dir
	local i
	: >"$T/times"
	run "$2" >/dev/null # warm-up
	for i in $(seq "$RUNS"); do run "$2" >>"$T/times"; done
	sort -n "$T/times" | awk -v label="$1" -v n="$N" '
		{ t[NR] = $1; b = $2 }
		END { printf "%-22s %6d resources  %9d bytes out  best %.3f s  median %.3f s\n",
		      label, n, b, t[1], t[int((NR + 1) / 2)] }'
}

measure "without the plugin" "$T/overlay-plain"
measure "with $(basename "$KRM")" "$T/overlay"
