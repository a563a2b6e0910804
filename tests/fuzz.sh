#!/usr/bin/env bash
# tests/fuzz.sh - replays the fuzz corpus (fuzz/corpus) through the fuzz
# harness, built without libFuzzer as tests/fuzz-replay (make builds it
# before the suites run; built here if missing).
#
# Checks:
#   fuzz/replay                the whole corpus in one run, within 60 s
#   fuzz/replay FILE           each input ran to "ok" (on a failed whole
#                              run, each input is rerun alone to name the
#                              culprits)
#   fuzz/fast replay FILE      the hostile inputs (hang-*, alias-*, deep-*)
#   fuzz/fast krm-fn FILE      finish in under 2 s each, through the
#                              harness and through $KRM_FN (exit 0 or 1)
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
REPLAY=${FUZZ_REPLAY:-$ROOT/tests/fuzz-replay}
CORPUS=$ROOT/fuzz/corpus

if [ ! -x "$REPLAY" ]; then
	make -C "$ROOT" tests/fuzz-replay >"$T/build.log" 2>&1
fi
if [ ! -x "$REPLAY" ]; then
	not_ok "fuzz/build tests/fuzz-replay" "$(tail -20 "$T/build.log")"
	exit 0
fi

files=("$CORPUS"/*)
if [ ! -e "${files[0]}" ]; then
	not_ok "fuzz/corpus" "no inputs in $CORPUS"
	exit 0
fi

# Milliseconds since the epoch.
now_ms() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}

# The whole corpus in one process, as `make test` has always run it.
timeout 60 "$REPLAY" "${files[@]}" >"$T/replay.out" 2>"$T/replay.err"
rc=$?
if [ "$rc" = 0 ] && grep -qx "replayed ${#files[@]} inputs" "$T/replay.out"; then
	ok "fuzz/replay (${#files[@]} inputs)"
	whole_ok=1
else
	reason="exit $rc"
	[ "$rc" = 124 ] && reason="timed out after 60 s"
	not_ok "fuzz/replay (${#files[@]} inputs)" "$reason" \
		"$(tail -5 "$T/replay.out")" "$(tail -15 "$T/replay.err")"
	whole_ok=0
fi

# One check per input: from the whole run's log, or rerun alone.
for f in "${files[@]}"; do
	name="fuzz/replay $(basename "$f")"
	if [ "$whole_ok" = 1 ]; then
		if grep -F "$f (" "$T/replay.out" | grep -q ': ok$'; then
			ok "$name"
		else
			not_ok "$name" "no \"ok\" line for it in the replay log"
		fi
		continue
	fi
	timeout 60 "$REPLAY" "$f" >"$T/one.out" 2>"$T/one.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc" "$(tail -15 "$T/one.err")"
	fi
done

# The hostile inputs must be refused (or handled) quickly, each alone.
for f in "$CORPUS"/hang-* "$CORPUS"/alias-* "$CORPUS"/deep-*; do
	[ -e "$f" ] || continue
	base=$(basename "$f")

	start=$(now_ms)
	timeout 5 "$REPLAY" "$f" >/dev/null 2>"$T/fast.err"
	rc=$?
	ms=$(($(now_ms) - start))
	if [ "$rc" = 0 ] && [ "$ms" -lt 2000 ]; then
		ok "fuzz/fast replay $base"
		echo "#   ${ms} ms"
	else
		not_ok "fuzz/fast replay $base" "exit $rc after ${ms} ms" \
			"$(tail -5 "$T/fast.err")"
	fi

	start=$(now_ms)
	timeout 5 "$KRM_FN" <"$f" >/dev/null 2>"$T/fast.err"
	rc=$?
	ms=$(($(now_ms) - start))
	if { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && [ "$ms" -lt 2000 ]; then
		ok "fuzz/fast krm-fn $base"
		echo "#   ${ms} ms"
	else
		not_ok "fuzz/fast krm-fn $base" "exit $rc after ${ms} ms" \
			"$(tail -5 "$T/fast.err")"
	fi
done
exit 0
