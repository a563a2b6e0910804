# tests/lib.sh - shared helpers for the test suites (sourced, not run).
#
# Each suite calls `ok NAME` or `not_ok NAME REASON` once per check; the
# counts go to $RESULTS (one line per check) so tests/run.sh can total
# them. KRM_FN is the binary under test (absolute path).

: "${KRM_FN:?KRM_FN must name the krm-fn binary under test}"
: "${RESULTS:=/dev/null}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
# Debian's interpreter: `make deps` installs python3-yaml and
# python3-jsonschema for it, whatever python3 comes first on PATH.
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
export PYTHON

ok() {
	printf 'ok - %s\n' "$1"
	printf 'pass %s\n' "$1" >>"$RESULTS"
}

not_ok() {
	local name=$1
	shift
	printf 'not ok - %s\n' "$name"
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
	printf 'fail %s\n' "$name" >>"$RESULTS"
}

# skip NAME REASON: a check that could not run here (missing tool).
skip() {
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
	printf 'skip %s\n' "$1" >>"$RESULTS"
}

# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "command failed: $*"; fi
}

# A fresh directory under $TEST_TMP, which tests/run.sh creates and
# removes when the whole run ends (safe to call as T=$(tmpdir)).
tmpdir() {
	mktemp -d "${TEST_TMP:-${TMPDIR:-/tmp}}/suite.XXXXXX"
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
# holds every (fixed-string) PATTERN.
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

# fresh DST SRC: DST becomes a copy of SRC (a package or directory).
fresh() {
	rm -rf "$1"
	cp -R "$2" "$1"
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

# Where `make install-plugin` puts the binary, under XDG_CONFIG_HOME.
PLUGIN_REL=kustomize/plugin/costmon.dev/v1alpha1/serviceprofile/ServiceProfile

# install_plugin XDG CHECK: `make install-plugin XDG_CONFIG_HOME=XDG` of
# the binary under test, reported as check CHECK. `-o krm-fn` keeps make
# from rebuilding (it never writes into the repository); when KRM_FN is
# not $ROOT/krm-fn (a static or sanitizer build), make runs in a temp dir
# holding a krm-fn symlink to it. Returns 1 when the install failed or
# did not put an executable copy of KRM_FN in the plugin layout.
install_plugin() {
	local xdg=$1 check=$2 dir
	local -a mk=(make -C "$ROOT")
	if ! [ "$KRM_FN" -ef "$ROOT/krm-fn" ]; then
		dir=$(tmpdir)
		ln -sf "$KRM_FN" "$dir/krm-fn"
		mk=(make -C "$dir" -f "$ROOT/Makefile")
	fi
	if ! "${mk[@]}" -s -o krm-fn install-plugin DESTDIR= \
		XDG_CONFIG_HOME="$xdg" >"$xdg.install.log" 2>&1; then
		not_ok "$check" "make install-plugin failed:" "$(cat "$xdg.install.log")"
		return 1
	fi
	if [ -x "$xdg/$PLUGIN_REL" ] && cmp -s "$xdg/$PLUGIN_REL" "$KRM_FN"; then
		ok "$check"
	else
		not_ok "$check" "no executable copy of $KRM_FN at $xdg/$PLUGIN_REL"
		return 1
	fi
}
