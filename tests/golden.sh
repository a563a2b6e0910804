#!/usr/bin/env bash
# tests/golden.sh - golden-file suite.
#
# Each directory testdata/golden/<case>/ holds:
#   input       what goes to stdin (any bytes; absent = empty stdin)
#   args        optional: arguments, one per line (paths are relative to
#               the case directory, where the command runs)
#   env         optional: VAR=value lines added to the environment
#   expected.out     exact stdout
#   expected.err     exact stderr
#   expected.exit    exit code
# A case that exits 0 in KRM mode is also run again on its own output,
# which must come back unchanged (idempotence) but for `results`: a
# warning about something the first run changed does not recur.
#
# UPDATE_GOLDEN=1 rewrites the expected files from the current binary;
# review the diff before committing it.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)

run_case() {
	local dir=$1 out=$2 err=$3
	local -a args=() envs=()
	local line rc
	[ -f "$dir/args" ] && while IFS= read -r line; do args+=("$line"); done <"$dir/args"
	[ -f "$dir/env" ] && while IFS= read -r line; do envs+=("$line"); done <"$dir/env"
	local input=/dev/null
	[ -f "$dir/input" ] && input="$dir/input"
	(cd "$dir" && env ${envs[@]+"${envs[@]}"} timeout 20 "$KRM_FN" ${args[@]+"${args[@]}"} <"$input" >"$out" 2>"$err")
	rc=$?
	echo "$rc"
}

for dir in "$ROOT"/testdata/golden/*/; do
	dir=${dir%/}
	name=golden/$(basename "$dir")
	rc=$(run_case "$dir" "$T/out" "$T/err")
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/out" "$dir/expected.out"
		cp "$T/err" "$dir/expected.err"
		echo "$rc" >"$dir/expected.exit"
	fi
	want=$(cat "$dir/expected.exit" 2>/dev/null || echo missing)
	problems=()
	[ "$rc" = "$want" ] || problems+=("exit code $rc, expected $want")
	cmp -s "$T/out" "$dir/expected.out" || problems+=("stdout differs:" "$(diff "$dir/expected.out" "$T/out" | head -20)")
	cmp -s "$T/err" "$dir/expected.err" || problems+=("stderr differs:" "$(diff "$dir/expected.err" "$T/err" | head -20)")
	if [ ${#problems[@]} -eq 0 ]; then ok "$name"; else not_ok "$name" "${problems[@]}"; fi

	# Idempotence: a successful KRM run, fed its own output.
	if [ "$rc" = 0 ] && [ ! -f "$dir/args" ]; then
		env $(cat "$dir/env" 2>/dev/null) timeout 20 "$KRM_FN" <"$T/out" >"$T/out2" 2>"$T/err2"
		rc2=$?
		sed '/^results:/,$d' "$T/out" >"$T/items1"
		sed '/^results:/,$d' "$T/out2" >"$T/items2"
		if [ "$rc2" = 0 ] && cmp -s "$T/items1" "$T/items2"; then
			ok "$name (idempotent)"
		else
			not_ok "$name (idempotent)" "second run exit $rc2" "$(diff "$T/items1" "$T/items2" | head -20)"
		fi
	fi
done
