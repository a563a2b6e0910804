#!/usr/bin/env bash
# tests/e2e.sh - end-to-end suite: krm-fn run by the real orchestrators
# installed on this machine, on the example packages in testdata/e2e/
# (see testdata/e2e/README.md):
#
#   kpt fn eval --exec       imperative run, ConfigMap functionConfig
#   kpt fn render --allow-exec  Kptfile pipeline, ServiceProfile configPath
#   kubectl kustomize --enable-alpha-plugins
#                            legacy exec plugin installed by
#                            `make install-plugin`, ServiceProfile as a
#                            transformer
#
# At this stage the function changes no item, so every run must leave the
# resources data-equal to the inputs (compared as parsed YAML with types:
# "6000" stays a string; comments ignored), and a second run on the first
# run's output must change nothing, byte for byte.
#
# A missing orchestrator (or python3 with PyYAML for the comparisons)
# skips its checks. Everything runs on copies in a temp dir; nothing is
# written into the repository.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
# tmpdir lives under $TEST_TMP when run by tests/run.sh; clean up anyway
# when the suite is run on its own.
trap 'rm -rf "$T"' EXIT
E2E=$ROOT/testdata/e2e
TIMEOUT=${E2E_TIMEOUT:-120}

# --- helpers ---------------------------------------------------------------

# The YAML comparison tool: python3 + PyYAML.
cat >"$T/yamleq.py" <<'PY'
"""yamleq.py - data equality of YAML files, strict about scalar types.

  yamleq.py dirs A B
      same set of files; every file parsed (all documents) equal.
  yamleq.py objs [--ordered] [--strip-kustomize] ACTUAL EXPECTED...
      the objects of the ACTUAL stream equal those of the EXPECTED files,
      keyed by apiVersion/kind/namespace/name (or in order with
      --ordered); --strip-kustomize drops kustomize's own annotations.
  yamleq.py field-error RESULTS_YAML PATH TEXT
      the kpt FunctionResultList holds an error result for field PATH
      whose message contains TEXT.
Exit 0 when equal; otherwise the differences on stdout, exit 1.
"""
import os
import sys

import yaml


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def diff(a, b, path, out):
    if len(out) >= 10:
        return
    if type(a) is not type(b):
        out.append("%s: %s %r != %s %r" % (path or "/", type(a).__name__, a,
                                           type(b).__name__, b))
    elif isinstance(a, dict):
        for k in a:
            if k not in b:
                out.append("%s/%s: only in the first" % (path, k))
            else:
                diff(a[k], b[k], "%s/%s" % (path, k), out)
        for k in b:
            if k not in a:
                out.append("%s/%s: only in the second" % (path, k))
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append("%s: %d items != %d items" % (path or "/", len(a),
                                                     len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: %r != %r" % (path or "/", a, b))


def key(o):
    if not isinstance(o, dict):
        return repr(o)
    md = o.get("metadata") or {}
    return "%s/%s/%s/%s" % (o.get("apiVersion"), o.get("kind"),
                            md.get("namespace", ""), md.get("name"))


KUSTOMIZE_OWN = ("kustomize.config.k8s.io/", "internal.config.kubernetes.io/",
                 "config.kubernetes.io/origin",
                 "alpha.config.kubernetes.io/transformations")


def strip_kustomize(o):
    ann = (o.get("metadata") or {}).get("annotations")
    if isinstance(ann, dict):
        for k in list(ann):
            if k.startswith(KUSTOMIZE_OWN):
                del ann[k]
        if not ann:
            del o["metadata"]["annotations"]
    return o


def cmd_dirs(a, b):
    def files(d):
        r = set()
        for base, _, names in os.walk(d):
            for n in names:
                r.add(os.path.relpath(os.path.join(base, n), d))
        return r
    fa, fb = files(a), files(b)
    out = ["only in %s: %s" % (a, f) for f in sorted(fa - fb)]
    out += ["only in %s: %s" % (b, f) for f in sorted(fb - fa)]
    for f in sorted(fa & fb):
        d = []
        diff(load(os.path.join(a, f)), load(os.path.join(b, f)), "", d)
        out += ["%s: %s" % (f, x) for x in d]
    return out


def cmd_objs(args):
    ordered = "--ordered" in args
    strip = "--strip-kustomize" in args
    args = [x for x in args if not x.startswith("--")]
    actual = load(args[0])
    expected = [o for f in args[1:] for o in load(f)]
    if strip:
        actual = [strip_kustomize(o) for o in actual]
        expected = [strip_kustomize(o) for o in expected]
    out = []
    if ordered:
        diff(actual, expected, "", out)
        return out
    ka = {key(o): o for o in actual}
    ke = {key(o): o for o in expected}
    if len(ka) != len(actual) or len(ke) != len(expected):
        out.append("duplicate object keys")
    for k in sorted(set(ka) - set(ke)):
        out.append("unexpected object %s" % k)
    for k in sorted(set(ke) - set(ka)):
        out.append("missing object %s" % k)
    for k in sorted(set(ka) & set(ke)):
        d = []
        diff(ka[k], ke[k], "", d)
        out += ["%s: %s" % (k, x) for x in d]
    return out


def cmd_field_error(path, field, text):
    for rl in load(path):
        for item in rl.get("items") or []:
            for r in item.get("results") or []:
                if (r.get("severity") == "error"
                        and (r.get("field") or {}).get("path") == field
                        and text in r.get("message", "")):
                    return []
    return ["no error result for field %s mentioning %r in %s"
            % (field, text, path)]


def main(argv):
    if argv[1] == "dirs":
        out = cmd_dirs(argv[2], argv[3])
    elif argv[1] == "objs":
        out = cmd_objs(argv[2:])
    elif argv[1] == "field-error":
        out = cmd_field_error(argv[2], argv[3], argv[4])
    else:
        sys.exit("yamleq.py: unknown mode %s" % argv[1])
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PY

HAVE_PY=0
python3 -c 'import yaml' 2>/dev/null && HAVE_PY=1

# yamleq NAME MODE ARGS...: ok when the data is equal; needs PyYAML.
yamleq() {
	local name=$1 out
	shift
	if [ "$HAVE_PY" != 1 ]; then
		skip "$name" "python3 with PyYAML (import yaml) not available"
		return
	fi
	if out=$(python3 "$T/yamleq.py" "$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "data differs ($*):" "$out"
	fi
}

# same_bytes NAME A B: ok when two files or trees are byte-identical.
same_bytes() {
	local out
	if out=$(diff -r "$2" "$3" 2>&1); then
		ok "$1"
	else
		not_ok "$1" "bytes differ:" "$(printf '%s\n' "$out" | head -n 30)"
	fi
}

# run_logged LOG CMD...: run CMD (with a time limit), stdout+stderr to
# LOG; returns CMD's exit status.
run_logged() {
	local log=$1
	shift
	timeout "$TIMEOUT" "$@" >"$log" 2>&1
}

# expect_ok NAME RC LOG: ok when RC is 0, else show the log.
expect_ok() {
	if [ "$2" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "exit $2, expected 0; output:" "$(tail -n 30 "$3")"
	fi
}

# expect_fail NAME RC LOG PATTERN...: ok when RC is non-zero and the log
# matches every (fixed-string) PATTERN.
expect_fail() {
	local name=$1 rc=$2 log=$3 p
	shift 3
	if [ "$rc" -eq 0 ]; then
		not_ok "$name" "exit 0, expected a failure; output:" \
			"$(tail -n 30 "$log")"
		return
	fi
	for p in "$@"; do
		if ! grep -qF -- "$p" "$log"; then
			not_ok "$name" "exit $rc, but the output lacks '$p':" \
				"$(tail -n 30 "$log")"
			return
		fi
	done
	ok "$name"
}

# fresh DIR SRC: DIR becomes a copy of the package SRC.
fresh() {
	rm -rf "$1"
	cp -R "$2" "$1"
}

# set_exec KPTFILE PATH: point the pipeline's exec at PATH.
set_exec() {
	sed -i "s|^\\([[:space:]]*- exec:\\).*\$|\\1 $2|" "$1"
	grep -qF -- "- exec: $2" "$1"
}

# --- 1. kpt fn eval --exec (imperative, ConfigMap functionConfig) ----------

kpt_eval() {
	local pkg=$T/eval rc
	fresh "$pkg" "$E2E/eval"
	fresh "$T/eval.orig" "$E2E/eval"

	(cd "$T" && run_logged "$T/eval1.log" kpt fn eval --exec "$KRM_FN" \
		"$pkg" -- service=payment-processor team=payments)
	rc=$?
	expect_ok kpt-eval-exit-0 "$rc" "$T/eval1.log"
	yamleq kpt-eval-data-equal dirs "$T/eval.orig" "$pkg"

	# Idempotence: again, in place; the files must not move a byte.
	fresh "$T/eval.run1" "$pkg"
	(cd "$T" && run_logged "$T/eval2.log" kpt fn eval --exec "$KRM_FN" \
		"$pkg" -- service=payment-processor team=payments)
	rc=$?
	expect_ok kpt-eval-second-run-exit-0 "$rc" "$T/eval2.log"
	same_bytes kpt-eval-idempotent "$T/eval.run1" "$pkg"

	# A misspelt key: kpt fails, the error names it and the fix, both on
	# stderr and in the structured results; the package is untouched.
	(cd "$T" && run_logged "$T/eval-bad.log" kpt fn eval \
		--exec "$KRM_FN" --results-dir "$T/eval-results" "$pkg" \
		-- servce=x)
	rc=$?
	expect_fail kpt-eval-unknown-key-fails "$rc" "$T/eval-bad.log" \
		'servce' 'did you mean "service"'
	if [ -f "$T/eval-results/results.yaml" ]; then
		yamleq kpt-eval-unknown-key-result field-error \
			"$T/eval-results/results.yaml" data.servce \
			'did you mean "service"'
	else
		not_ok kpt-eval-unknown-key-result \
			"kpt wrote no $T/eval-results/results.yaml"
	fi
	same_bytes kpt-eval-failure-leaves-package "$T/eval.run1" "$pkg"
}

# --- 2. kpt fn render --allow-exec (Kptfile pipeline, configPath) -----------

kpt_render() {
	local pkg=$T/render rc
	fresh "$pkg" "$E2E/render"
	# kpt resolves a relative exec path against its own working
	# directory, not the package: use the absolute path of the binary.
	if ! set_exec "$pkg/Kptfile" "$KRM_FN"; then
		not_ok kpt-render-setup "could not point $pkg/Kptfile at $KRM_FN"
		return
	fi
	fresh "$T/render.orig" "$pkg"

	(cd "$T" && run_logged "$T/render1.log" kpt fn render --allow-exec \
		"$pkg")
	rc=$?
	expect_ok kpt-render-exit-0 "$rc" "$T/render1.log"
	yamleq kpt-render-data-equal dirs "$T/render.orig" "$pkg"

	fresh "$T/render.run1" "$pkg"
	(cd "$T" && run_logged "$T/render2.log" kpt fn render --allow-exec \
		"$pkg")
	rc=$?
	expect_ok kpt-render-second-run-exit-0 "$rc" "$T/render2.log"
	same_bytes kpt-render-idempotent "$T/render.run1" "$pkg"

	# The fixture's own relative "./krm-fn": found from a directory
	# holding krm-fn, wherever the package is.
	fresh "$T/render-rel" "$E2E/render"
	mkdir -p "$T/cwd"
	ln -sf "$KRM_FN" "$T/cwd/krm-fn"
	(cd "$T/cwd" && run_logged "$T/render-rel.log" kpt fn render \
		--allow-exec "$T/render-rel")
	rc=$?
	expect_ok kpt-render-relative-exec-from-cwd "$rc" "$T/render-rel.log"

	# A misspelt field in profile.yaml: render fails naming it and
	# writes nothing.
	fresh "$T/render-bad" "$pkg"
	sed -i 's/^  team: payments$/  teem: payments/' \
		"$T/render-bad/profile.yaml"
	fresh "$T/render-bad.before" "$T/render-bad"
	(cd "$T" && run_logged "$T/render-bad.log" kpt fn render \
		--allow-exec "$T/render-bad")
	rc=$?
	expect_fail kpt-render-bad-field-fails "$rc" "$T/render-bad.log" \
		'spec.teem' 'did you mean "team"'
	same_bytes kpt-render-failure-leaves-package "$T/render-bad.before" \
		"$T/render-bad"
}

# --- 3. kubectl kustomize, legacy exec plugin --------------------------------

PLUGIN_REL=kustomize/plugin/costmon.dev/v1alpha1/serviceprofile/ServiceProfile

# install_plugin XDG: the plugin under XDG by the Makefile's own
# `make install-plugin`, with `-o krm-fn` so make never rebuilds (never
# writes into the repository) and installs exactly the binary under test:
# from $ROOT when KRM_FN is $ROOT/krm-fn, else from a temp dir holding a
# krm-fn symlink to $KRM_FN (e.g. a sanitizer build elsewhere).
install_plugin() {
	local xdg=$1 dir=$ROOT
	local -a mk=(make -C "$ROOT")
	if ! [ "$KRM_FN" -ef "$ROOT/krm-fn" ]; then
		dir=$T/mk
		mkdir -p "$dir"
		ln -sf "$KRM_FN" "$dir/krm-fn"
		mk=(make -C "$dir" -f "$ROOT/Makefile")
	fi
	if ! "${mk[@]}" -s -o krm-fn install-plugin DESTDIR= \
		XDG_CONFIG_HOME="$xdg" >"$T/install.log" 2>&1; then
		not_ok make-install-plugin "make install-plugin failed:" \
			"$(cat "$T/install.log")"
		return 1
	fi
	if [ -x "$xdg/$PLUGIN_REL" ] && cmp -s "$xdg/$PLUGIN_REL" "$KRM_FN"
	then
		ok make-install-plugin
	else
		not_ok make-install-plugin \
			"no executable copy of $KRM_FN at $xdg/$PLUGIN_REL"
		return 1
	fi
}

# kk XDG LOG OUT DIR: kubectl kustomize with the plugins under XDG.
kk() {
	(cd "$T" && env -u KUSTOMIZE_PLUGIN_HOME XDG_CONFIG_HOME="$1" \
		timeout "$TIMEOUT" kubectl kustomize --enable-alpha-plugins \
		"$4" >"$3" 2>"$2")
}

kubectl_kustomize() {
	local dir=$T/kustomize rc f
	local -a inputs=()
	fresh "$dir" "$E2E/kustomize"
	install_plugin "$T/xdg" || return
	for f in namespace deployment service configmap; do
		inputs+=("$dir/$f.yaml")
	done

	kk "$T/xdg" "$T/kk1.log" "$T/kk1.yaml" "$dir"
	rc=$?
	expect_ok kubectl-kustomize-exit-0 "$rc" "$T/kk1.log"
	yamleq kubectl-kustomize-data-equal objs --strip-kustomize \
		"$T/kk1.yaml" "${inputs[@]}"

	# Idempotence: the plugin run by hand on kubectl's output, as kubectl
	# runs it (config file argument, stream on stdin).
	(cd "$dir" && timeout "$TIMEOUT" "$KRM_FN" profile.yaml \
		<"$T/kk1.yaml" >"$T/kk2.yaml" 2>"$T/kk2.log")
	rc=$?
	expect_ok kubectl-output-rerun-exit-0 "$rc" "$T/kk2.log"
	yamleq kubectl-output-rerun-data-equal objs --ordered "$T/kk2.yaml" \
		"$T/kk1.yaml"
	same_bytes kubectl-output-rerun-idempotent "$T/kk1.yaml" "$T/kk2.yaml"

	# What kubectl hands the plugin: a spy in its place records argv and
	# the streams, then runs the binary under test.
	mkdir -p "$T/spy" "$(dirname "$T/xdg-spy/$PLUGIN_REL")"
	{
		printf '#!/bin/sh\nspy=%s\nfn=%s\n' "'$T/spy'" "'$KRM_FN'"
		cat <<'SH'
printf '%s\n' "$#" "$@" >"$spy/argv"
cp "$1" "$spy/config.yaml"
tee "$spy/stdin.yaml" | "$fn" "$@" >"$spy/stdout.yaml"
rc=$?
cat "$spy/stdout.yaml"
exit $rc
SH
	} >"$T/xdg-spy/$PLUGIN_REL"
	chmod 0755 "$T/xdg-spy/$PLUGIN_REL"
	kk "$T/xdg-spy" "$T/kk-spy.log" "$T/kk-spy.yaml" "$dir"
	rc=$?
	expect_ok kubectl-spy-exit-0 "$rc" "$T/kk-spy.log"
	if [ "$(head -n 1 "$T/spy/argv" 2>/dev/null)" = 1 ]; then
		ok kubectl-plugin-gets-one-argument
	else
		not_ok kubectl-plugin-gets-one-argument "argv was:" \
			"$(cat "$T/spy/argv" 2>/dev/null)"
	fi
	# argv[1] is kustomize's re-serialised copy of profile.yaml (a temp
	# file), not profile.yaml itself.
	yamleq kubectl-plugin-config-is-profile objs "$T/spy/config.yaml" \
		"$dir/profile.yaml"
	# The stream kubectl sends carries kustomize.config.k8s.io/id
	# annotations (block scalars) it matches the output back by: they
	# must come back unchanged, as must everything else.
	grep -q 'kustomize.config.k8s.io/id' "$T/spy/stdin.yaml" 2>/dev/null &&
		echo "# note: kubectl's plugin stdin carries kustomize.config.k8s.io/id annotations"
	yamleq kubectl-plugin-stream-data-equal objs --ordered \
		"$T/spy/stdout.yaml" "$T/spy/stdin.yaml"
	same_bytes kubectl-plugin-stream-bytes-kept "$T/spy/stdin.yaml" \
		"$T/spy/stdout.yaml"

	# A misspelt field in profile.yaml: kubectl fails naming it.
	fresh "$T/kustomize-bad" "$dir"
	sed -i 's/^    costCenter:/    costCentre:/' \
		"$T/kustomize-bad/profile.yaml"
	kk "$T/xdg" "$T/kk-bad.log" "$T/kk-bad.yaml" "$T/kustomize-bad"
	rc=$?
	expect_fail kubectl-kustomize-bad-field-fails "$rc" "$T/kk-bad.log" \
		'spec.cost.costCentre' 'did you mean "costCenter"'
}

# --- run ----------------------------------------------------------------------

KPT_CHECKS="kpt-eval-exit-0 kpt-eval-data-equal kpt-eval-second-run-exit-0
kpt-eval-idempotent kpt-eval-unknown-key-fails kpt-eval-unknown-key-result
kpt-eval-failure-leaves-package kpt-render-exit-0 kpt-render-data-equal
kpt-render-second-run-exit-0 kpt-render-idempotent
kpt-render-relative-exec-from-cwd kpt-render-bad-field-fails
kpt-render-failure-leaves-package"
KUBECTL_CHECKS="make-install-plugin kubectl-kustomize-exit-0
kubectl-kustomize-data-equal kubectl-output-rerun-exit-0
kubectl-output-rerun-data-equal kubectl-output-rerun-idempotent
kubectl-spy-exit-0 kubectl-plugin-gets-one-argument
kubectl-plugin-config-is-profile kubectl-plugin-stream-data-equal
kubectl-plugin-stream-bytes-kept kubectl-kustomize-bad-field-fails"

if command -v kpt >/dev/null 2>&1; then
	echo "# kpt: $(command -v kpt) $(kpt version 2>/dev/null | head -n 1)"
	kpt_eval
	kpt_render
else
	for c in $KPT_CHECKS; do skip "$c" "kpt not installed"; done
fi

if command -v kubectl >/dev/null 2>&1; then
	echo "# kubectl: $(command -v kubectl)" \
		"$(kubectl version --client 2>/dev/null | tr '\n' ' ')"
	kubectl_kustomize
else
	for c in $KUBECTL_CHECKS; do skip "$c" "kubectl not installed"; done
fi
exit 0
