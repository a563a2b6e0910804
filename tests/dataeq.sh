#!/usr/bin/env bash
# tests/dataeq.sh - items come out data-equal to the input, as judged by
# an independent parser (PyYAML), on a large generated input, in both
# modes: with no functionConfig (an error, so the items must come out
# exactly as they came in), exactly; with the seed's ServiceProfile,
# once exactly the labels and annotations the cost stage adds are removed
# (and each of them must be there). kpt/kustomize annotations come out
# byte for byte.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "dataeq" "python3-yaml is not installed"
	exit 0
fi
N=${DATAEQ_ITEMS:-4000}

"$PY" "$ROOT/tests/dataeq.py" gen "$N" "$T/in.yaml"
"$KRM_FN" <"$T/in.yaml" >"$T/out.yaml" 2>"$T/err"; rc=$?
if [ $rc = 1 ] && grep -q 'no functionConfig and no ServiceProfile' "$T/out.yaml"; then
	ok "dataeq: $N-item list ($(wc -c <"$T/in.yaml") bytes) without a config fails and passes items on"
else
	not_ok "dataeq: $N-item list without a config fails and passes items on" "exit $rc" "$(head -5 "$T/err")"
fi
if msg=$("$PY" "$ROOT/tests/dataeq.py" compare "$T/in.yaml" "$T/out.yaml"); then
	ok "dataeq: KRM mode output items data-equal ($msg)"
else
	not_ok "dataeq: KRM mode output items data-equal" "$msg"
fi
# Orchestrator annotations: every such line of the input is in the output,
# the same text, the same number of times.
grep -E '^ +(internal\.config\.kubernetes\.io/|config\.kubernetes\.io/|config\.k8s\.io/|kustomize\.config\.k8s\.io/)' "$T/in.yaml" | sort >"$T/ann.in"
grep -E '^ +(internal\.config\.kubernetes\.io/|config\.kubernetes\.io/|config\.k8s\.io/|kustomize\.config\.k8s\.io/)' "$T/out.yaml" | sort >"$T/ann.out"
if [ -s "$T/ann.in" ] && cmp -s "$T/ann.in" "$T/ann.out"; then
	ok "dataeq: $(wc -l <"$T/ann.in") orchestrator annotation lines kept byte for byte"
else
	not_ok "dataeq: orchestrator annotations kept byte for byte" "$(diff "$T/ann.in" "$T/ann.out" | head)"
fi

"$PY" "$ROOT/tests/dataeq.py" gen "$N" "$T/in-cfg.yaml" --config
if "$KRM_FN" <"$T/in-cfg.yaml" >"$T/out-cfg.yaml" 2>"$T/err" &&
	msg=$("$PY" "$ROOT/tests/dataeq.py" compare "$T/in-cfg.yaml" "$T/out-cfg.yaml" --strip-added); then
	ok "dataeq: KRM mode with the cost stage ($msg)"
else
	not_ok "dataeq: KRM mode with the cost stage" "${msg:-}" "$(head -5 "$T/err")"
fi
grep -E '^ +(internal\.config\.kubernetes\.io/|config\.kubernetes\.io/|config\.k8s\.io/|kustomize\.config\.k8s\.io/)' "$T/out-cfg.yaml" | sort >"$T/ann.cfg"
if cmp -s "$T/ann.in" "$T/ann.cfg"; then
	ok "dataeq: orchestrator annotations kept byte for byte by the cost stage"
else
	not_ok "dataeq: orchestrator annotations kept byte for byte by the cost stage" "$(diff "$T/ann.in" "$T/ann.cfg" | head)"
fi

"$PY" "$ROOT/tests/dataeq.py" gen "$((N / 4))" "$T/in.stream" --stream
cp "$ROOT/testdata/golden/legacy-stream/profile.yaml" "$T/profile.yaml"
if "$KRM_FN" "$T/profile.yaml" <"$T/in.stream" >"$T/out.stream" 2>"$T/err" &&
	msg=$("$PY" "$ROOT/tests/dataeq.py" compare "$T/in.stream" "$T/out.stream" --stream --strip-added); then
	ok "dataeq: legacy mode stream data-equal ($msg)"
else
	not_ok "dataeq: legacy mode stream data-equal" "${msg:-}" "$(head -5 "$T/err")"
fi
