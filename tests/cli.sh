#!/usr/bin/env bash
# tests/cli.sh - the command line: help, version, quiet success, output
# write errors, input limits and the install targets.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
G=$ROOT/testdata/golden

# --help: usage with an example for each mode, on stdout, exit 0.
out=$("$KRM_FN" --help); rc=$?
if [ $rc = 0 ] && grep -q '^Usage:' <<<"$out" && grep -q 'kpt fn eval --exec' <<<"$out" &&
	grep -q 'kubectl kustomize' <<<"$out" && grep -q 'CONFIG_FILE' <<<"$out"; then
	ok "cli: --help shows usage and examples"
else
	not_ok "cli: --help shows usage and examples" "exit $rc"
fi

out=$("$KRM_FN" --version); rc=$?
if [ $rc = 0 ] && grep -Eq '^krm-fn \(costmon\) [0-9]+\.[0-9]+\.[0-9]+' <<<"$out"; then
	ok "cli: --version"
else
	not_ok "cli: --version" "exit $rc, output: $out"
fi

# Quiet on success: nothing on stderr, in both modes.
"$KRM_FN" <"$G/cost-env-prod/input" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && [ ! -s "$T/err" ]; then ok "cli: KRM mode is quiet on success"; else
	not_ok "cli: KRM mode is quiet on success" "exit $rc" "$(cat "$T/err")"; fi
(cd "$G/legacy-stream" && "$KRM_FN" profile.yaml <input >"$T/out" 2>"$T/err"); rc=$?
if [ $rc = 0 ] && [ ! -s "$T/err" ]; then ok "cli: legacy mode is quiet on success"; else
	not_ok "cli: legacy mode is quiet on success" "exit $rc" "$(cat "$T/err")"; fi

# write_error NAME MESSAGE INPUT: krm-fn on INPUT, writing to a full disk
# (MESSAGE "No space left on device") or to a reader that goes away after
# 10 bytes ("Broken pipe"), exits 2 and says "cannot write the output:
# MESSAGE" on stderr.
write_error() {
	local name=$1 msg=$2 input=$3 rc
	if [ "$msg" = "Broken pipe" ]; then
		"$KRM_FN" <"$input" 2>"$T/err" | head -c 10 >/dev/null
		rc=${PIPESTATUS[0]}
	else
		"$KRM_FN" <"$input" >/dev/full 2>"$T/err"; rc=$?
	fi
	if [ "$rc" = 2 ] && grep -q "cannot write the output: $msg" "$T/err"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc" "$(cat "$T/err")"
	fi
}

# A full disk is an I/O error: exit 2 and a message, in both modes.
write_error "cli: full disk is reported (KRM mode)" \
	"No space left on device" "$G/passthrough-block/input"
(cd "$G/legacy-stream" && "$KRM_FN" profile.yaml <input >/dev/full 2>"$T/err"); rc=$?
if [ $rc = 2 ] && grep -q 'No space left on device' "$T/err"; then
	ok "cli: full disk is reported (legacy mode)"
else
	not_ok "cli: full disk is reported (legacy mode)" "exit $rc" "$(cat "$T/err")"
fi

# A reader that goes away: closed pipe is reported, not a silent death.
"$PYTHON" - "$T/big.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
            "functionConfig:\n  apiVersion: costmon.dev/v1alpha1\n"
            "  kind: ServiceProfile\n  metadata: {name: p}\n  spec:\n"
            "    service: p\n    team: t\n    environment: prod\n"
            "    costProfile: standard-api-cost\n"
            "    cost: {costCenter: C, businessUnit: B, costOwner: o@example.com}\n"
            "items:\n")
    for i in range(20000):
        f.write("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-%d\n  data:\n    k: \"%d\"\n" % (i, i))
PY
write_error "cli: closed pipe is reported" "Broken pipe" "$T/big.yaml"

# The same for a large input from kpt (its items carry kpt's annotations),
# read from a file (mapped, not copied) and written as it is spliced: the
# write error is on stderr, not hidden as kpt's results would be.
"$PYTHON" "$ROOT/bench/gen.py" 2000 >"$T/kpt-big.yaml"
write_error "cli: full disk is reported for a large kpt input" \
	"No space left on device" "$T/kpt-big.yaml"
write_error "cli: closed pipe is reported for a large kpt input" \
	"Broken pipe" "$T/kpt-big.yaml"
# Mapped or read through a pipe, the same bytes come out.
"$KRM_FN" <"$T/kpt-big.yaml" >"$T/out-file" 2>"$T/err"; rc1=$?
cat "$T/kpt-big.yaml" | "$KRM_FN" >"$T/out-pipe" 2>>"$T/err"; rc2=$?
if [ $rc1 = 0 ] && [ $rc2 = 0 ] && cmp -s "$T/out-file" "$T/out-pipe"; then
	ok "cli: a large input from a file and from a pipe give the same output"
else
	not_ok "cli: a large input from a file and from a pipe give the same output" "exit $rc1 $rc2" "$(cat "$T/err")"
fi

# Many tiny items: more edits than the writer's plan may hold (an eighth
# of the input), so it writes with two walks instead; every item is
# labelled, a second run changes nothing, a pipe gives the same bytes.
"$PYTHON" "$ROOT/bench/gen.py" --small 5000 >"$T/tiny.yaml"
"$KRM_FN" <"$T/tiny.yaml" >"$T/tiny1" 2>"$T/err"; rc1=$?
"$KRM_FN" <"$T/tiny1" >"$T/tiny2" 2>>"$T/err"; rc2=$?
cat "$T/tiny.yaml" | "$KRM_FN" >"$T/tiny3" 2>>"$T/err"; rc3=$?
n=$(grep -c '^  metadata: {name: c[0-9]*, labels: {cost.service: checkout-api-0, .*costmon.dev/budget-amount: "6000"' "$T/tiny1")
if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] && [ "$n" = 5000 ] &&
	cmp -s "$T/tiny1" "$T/tiny2" && cmp -s "$T/tiny1" "$T/tiny3"; then
	ok "cli: 5,000 tiny items are labelled, idempotent, file and pipe alike"
else
	not_ok "cli: 5,000 tiny items are labelled, idempotent, file and pipe alike" "exit $rc1 $rc2 $rc3, $n labelled" "$(cat "$T/err")"
fi

# The input cap: default is large enough for the big input; lowering it
# with the environment or the flag refuses it; raising it accepts it.
if "$KRM_FN" <"$T/big.yaml" >/dev/null 2>&1; then ok "cli: default cap accepts a 2 MB list"; else
	not_ok "cli: default cap accepts a 2 MB list"; fi
COSTMON_MAX_INPUT_BYTES=1000 "$KRM_FN" <"$T/big.yaml" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 1 ] && grep -q 'larger than the limit of 1000 bytes' "$T/err" &&
	grep -q 'severity: error' "$T/out" && grep -q '^items: \[\]' "$T/out"; then
	ok "cli: COSTMON_MAX_INPUT_BYTES lowers the cap, results say why"
else
	not_ok "cli: COSTMON_MAX_INPUT_BYTES lowers the cap, results say why" "exit $rc"
fi
COSTMON_MAX_INPUT_BYTES=1000 "$KRM_FN" --max-input-bytes=100000000 <"$T/big.yaml" >/dev/null 2>&1; rc=$?
if [ $rc = 0 ]; then ok "cli: --max-input-bytes overrides the environment"; else
	not_ok "cli: --max-input-bytes overrides the environment" "exit $rc"; fi
COSTMON_MAX_INPUT_BYTES=-5 "$KRM_FN" <"$T/big.yaml" >/dev/null 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q 'COSTMON_MAX_INPUT_BYTES="-5" is not a positive byte count' "$T/err"; then
	ok "cli: a bad COSTMON_MAX_INPUT_BYTES is a usage error"
else
	not_ok "cli: a bad COSTMON_MAX_INPUT_BYTES is a usage error" "exit $rc" "$(cat "$T/err")"
fi

# A config path that is a directory is an I/O error, not a crash.
"$KRM_FN" "$T" </dev/null >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q 'cannot read' "$T/err" && [ ! -s "$T/out" ]; then
	ok "cli: a directory as config file is reported"
else
	not_ok "cli: a directory as config file is reported" "exit $rc" "$(cat "$T/err")"
fi

# Install targets: install, install-plugin, uninstall, under DESTDIR.
if make -s -C "$ROOT" install install-plugin DESTDIR="$T/dest" PREFIX=/usr XDG_CONFIG_HOME=/xdg >/dev/null 2>"$T/err" &&
	[ -x "$T/dest/usr/bin/krm-fn" ] && [ -f "$T/dest/usr/share/man/man1/krm-fn.1" ] &&
	[ -x "$T/dest/xdg/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile/ServiceProfile" ]; then
	ok "cli: make install and install-plugin lay out the binary and the man page"
else
	not_ok "cli: make install and install-plugin lay out the binary and the man page" "$(cat "$T/err")"
fi
if make -s -C "$ROOT" uninstall DESTDIR="$T/dest" PREFIX=/usr XDG_CONFIG_HOME=/xdg >/dev/null 2>&1 &&
	[ ! -e "$T/dest/usr/bin/krm-fn" ] && [ ! -e "$T/dest/usr/share/man/man1/krm-fn.1" ] &&
	[ ! -e "$T/dest/xdg/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile/ServiceProfile" ]; then
	ok "cli: make uninstall removes both"
else
	not_ok "cli: make uninstall removes both"
fi

# function-config.yaml: the function accepts it, and it shows exactly the
# fields the function knows. For each section, an unknown field makes
# krm-fn list the known ones; they must equal the file's keys there.
REF=$ROOT/function-config.yaml
if "$KRM_FN" expand "$REF" >"$T/out" 2>"$T/err" && grep -q '"amount": "6000"' "$T/out"; then
	ok "cli: function-config.yaml expands (budget 6000)"
else
	not_ok "cli: function-config.yaml expands (budget 6000)" "$(cat "$T/err")"
fi
# It sets failOnWarnings: true, so it must run warning-free on a complete
# service (Deployment, Service, ConfigMap).
for f in deployment service configmap; do
	cat "$ROOT/examples/kustomize-exec/base/$f.yaml"; echo ---
done >"$T/ref-stream.yaml"
if "$KRM_FN" "$REF" <"$T/ref-stream.yaml" >"$T/out" 2>"$T/err" &&
	grep -q 'cost.budget: "6000"' "$T/out" && [ ! -s "$T/err" ]; then
	ok "cli: function-config.yaml runs the function (legacy mode)"
else
	not_ok "cli: function-config.yaml runs the function (legacy mode)" "$(cat "$T/err")"
fi
if msg=$("$PYTHON" - "$KRM_FN" "$REF" "$T" <<'PY' 2>&1
import re, subprocess, sys, yaml
krm, ref, tmp = sys.argv[1:4]
doc = yaml.safe_load(open(ref))
problems = []
for path in (["spec"], ["spec", "cost"], ["spec", "labels"],
             ["spec", "labels", "podTemplate"], ["spec", "monitoring"],
             ["spec", "monitoring", "overrides", "prod"]):
    d = yaml.safe_load(open(ref))
    node = d
    for p in path:
        node = node[p]
    documented = set(node)
    node["zzUnknown"] = 1
    f = "%s/drift.yaml" % tmp
    yaml.safe_dump(d, open(f, "w"))
    err = subprocess.run([krm, "expand", f], capture_output=True, text=True).stderr
    m = re.search(r'unknown field "[^"]*zzUnknown" in \w+; known fields: ([^(]*?)(?: \(|$)', err, re.M)
    if not m:
        problems.append("%s: no known-fields list in: %s" % (".".join(path), err.strip()))
        continue
    known = {k.strip() for k in m.group(1).split(",")}
    if known != documented:
        problems.append("%s: function knows %s, file documents %s" % (
            ".".join(path), sorted(known), sorted(documented)))
print("\n".join(problems) or "all sections match")
sys.exit(1 if problems else 0)
PY
); then
	ok "cli: function-config.yaml documents exactly the known fields ($msg)"
else
	not_ok "cli: function-config.yaml documents exactly the known fields" "$msg"
fi

# The man page renders without warnings.
if command -v man >/dev/null 2>&1 &&
	out=$(MANWIDTH=80 man -l -Tutf8 "$ROOT/krm-fn.1" 2>&1 >/dev/null) && [ -z "$out" ]; then
	ok "cli: the man page renders without warnings"
elif ! command -v man >/dev/null 2>&1; then
	skip "cli: the man page renders without warnings" "man is not installed"
else
	not_ok "cli: the man page renders without warnings" "$out"
fi
