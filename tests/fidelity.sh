#!/usr/bin/env bash
# tests/fidelity.sh - byte fidelity: every byte the function does not
# change comes out as it was read, in KRM and legacy plugin mode.
#
# Corpus (testdata/fidelity/): a block-style ResourceList with literal and
# folded blocks holding trailing spaces and tabs, indentation indicators,
# keep/strip chomping, emoji, quoted and complex keys, multi-line plain
# scalars, comments in every position, flow mappings, empty and null
# labels/annotations, a label the function overwrites, document markers
# and no final line break; a JSON ResourceList; a flow-style one; a legacy
# stream with comments, empty documents, "..." and "---" markers and a
# flow document. Each runs as read, with CR LF line endings, with a
# byte-order mark, and with both.
#
# For each: the run succeeds; tests/fidelity.py finds the output to be the
# input plus exactly the lines (or flow entries) the function adds;
# its data check finds the items data-equal once those additions are
# removed (and all present); every comment line survives; a second run on
# the output changes nothing but `results`; a run without a profile fails
# and gives the input back byte for byte plus only its `results` entry.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FX=$ROOT/testdata/fidelity
FID=$ROOT/tests/fidelity.py

if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "fidelity" "python3-yaml is not installed"
	exit 0
fi

# comments_kept NAME IN OUT: every comment of IN is in OUT, in order.
comments_kept() {
	local msg
	if msg=$("$PY" "$FID" comments "$2" "$3"); then
		ok "$1"
	else
		not_ok "$1" "$msg"
	fi
}

# The service of the legacy config: its generated objects are named after
# it (a KRM input names it in its own functionConfig).
LEGACY_SERVICE=$("$PY" -c 'import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["spec"]["service"])' "$FX/legacy-config.yaml")

# run_case NAME MODE FILE: MODE krm or legacy.
run_case() {
	local name=$1 mode=$2 src=$3 v in out out2 msg rc svc=()
	[ "$mode" = legacy ] && svc=(--service "$LEGACY_SERVICE")
	for v in plain crlf bom bom-crlf; do
		in=$T/$name.$v.in
		out=$T/$name.$v.out
		out2=$T/$name.$v.out2
		if [ "$v" = plain ]; then
			cp "$src" "$in"
		else
			"$PY" "$FID" variant "$v" "$src" "$in"
		fi
		if [ "$mode" = krm ]; then
			"$KRM_FN" <"$in" >"$out" 2>"$T/err"
		else
			"$KRM_FN" "$FX/legacy-config.yaml" <"$in" >"$out" 2>"$T/err"
		fi
		rc=$?
		if [ "$rc" -ne 0 ]; then
			not_ok "fidelity/$name/$v: runs" "exit $rc" "$(head -5 "$T/err")"
			continue
		fi
		ok "fidelity/$name/$v: runs"
		if msg=$("$PY" "$FID" check "$in" "$out" ${svc[@]+"${svc[@]}"}); then
			ok "fidelity/$name/$v: output is the input plus the function's additions, byte for byte"
		else
			not_ok "fidelity/$name/$v: output is the input plus the function's additions, byte for byte" "$msg"
		fi
		comments_kept "fidelity/$name/$v: comments survive" "$in" "$out"
		if [ "$v" = plain ]; then
			local args=()
			[ "$mode" = legacy ] && args+=(--stream "${svc[@]}")
			if msg=$("$PY" "$FID" data "$in" "$out" ${args[@]+"${args[@]}"}); then
				ok "fidelity/$name: items data-equal once the additions are removed"
			else
				not_ok "fidelity/$name: items data-equal once the additions are removed" "$msg"
			fi
		fi
		# Idempotence: the output, run again, changes nothing (results
		# aside: a warning about a value the first run overwrote does
		# not recur).
		if [ "$mode" = krm ]; then
			"$KRM_FN" <"$out" >"$out2" 2>/dev/null
		else
			"$KRM_FN" "$FX/legacy-config.yaml" <"$out" >"$out2" 2>/dev/null
		fi
		rc=$?
		if [ "$rc" -eq 0 ] && msg=$("$PY" "$FID" same-but-results "$out" "$out2"); then
			ok "fidelity/$name/$v: idempotent"
		else
			not_ok "fidelity/$name/$v: idempotent" "exit $rc" "$msg"
		fi
	done
}

run_case krm-block krm "$FX/krm-block.yaml"
run_case krm-json krm "$FX/krm-json.json"
run_case krm-flow krm "$FX/krm-flow.yaml"
run_case legacy-stream legacy "$FX/legacy-stream.yaml"
# The root's first key on the first line (after a byte-order mark in the
# bom variants), and a warning: `results` written at the root's indentation.
run_case krm-first-line krm "$ROOT/testdata/golden/cost-existing-label-overwritten/input"

# Without a profile the run fails (no config is an error unless the
# package holds exactly one ServiceProfile): exit 1, and the items come
# back byte for byte, the input plus only a `results` entry with the error.
for f in krm-block.yaml krm-json.json krm-flow.yaml; do
	"$PY" - "$FX/$f" "$T/noconf.$f" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", newline="").read()
if "\nfunctionConfig:" in text:  # block: the entry runs to the end
    text = re.sub(r"\nfunctionConfig:.*?(?=\n#|\Z)", "\n", text, flags=re.S)
else:  # flow or JSON: the last entry of the root mapping
    i = text.index("functionConfig")
    j = text.rindex(",", 0, i)
    k = text.rstrip().rindex("}")
    text = text[:j] + text[k:]
open(sys.argv[2], "w", encoding="utf-8", newline="").write(text)
EOF
	"$KRM_FN" <"$T/noconf.$f" >"$T/noconf.$f.out" 2>"$T/err"
	rc=$?
	name="fidelity/$f without a profile: exit 1, output the input plus only the error in results"
	if [ "$rc" -ne 1 ]; then
		not_ok "$name" "exit $rc" "$(head -3 "$T/err")"
	elif msg=$("$PY" "$FID" plus-results "$T/noconf.$f" "$T/noconf.$f.out"); then
		ok "$name"
	else
		not_ok "$name" "$msg"
	fi
done

# The checker itself: it must reject an output that rewrites what the
# function does not own (a trailing space dropped, a scalar requoted, a
# comment lost, a line ending changed), or it proves nothing.
"$KRM_FN" <"$FX/krm-block.yaml" >"$T/good.out" 2>/dev/null
n=0
for edit in 's/maxconn 256   $/maxconn 256/' "s/'single key'/\"single key\"/" \
	's/   # the name$//' 's/^kind: ResourceList$/kind: ResourceList\r/'; do
	n=$((n + 1))
	sed "$edit" "$T/good.out" >"$T/bad.out"
	if cmp -s "$T/good.out" "$T/bad.out"; then
		not_ok "fidelity/checker rejects rewrite $n" "sed '$edit' changed nothing"
	elif "$PY" "$FID" check "$FX/krm-block.yaml" "$T/bad.out" >/dev/null; then
		not_ok "fidelity/checker rejects rewrite $n" "sed '$edit' was accepted"
	else
		ok "fidelity/checker rejects rewrite $n ($edit)"
	fi
done

# Generated objects are accepted only as what they are: an appended item
# that is not one (block, flow, JSON), or a generated one that is not after
# the input's last item, is rejected.
for f in krm-block.yaml krm-flow.yaml krm-json.json; do
	"$KRM_FN" <"$FX/$f" >"$T/gen.$f.out" 2>/dev/null
done
n=0
for form in block-extra flow-extra json-extra block-first; do
	n=$((n + 1))
	case $form in
	block-*) f=krm-block.yaml ;;
	flow-*) f=krm-flow.yaml ;;
	json-*) f=krm-json.json ;;
	esac
	"$PY" - "$form" "$T/gen.$f.out" "$T/badgen.out" <<'EOF'
import re, sys
form, src, dst = sys.argv[1:]
text = open(src, encoding="utf-8", newline="").read()
if form == "block-extra":  # a whole item after the generated ones
    new = text.replace("\nfunctionConfig:", "\n- apiVersion: v1\n  kind: ConfigMap\n"
                       "  metadata:\n    name: web-extra\n  data: {k: v}\nfunctionConfig:", 1)
elif form == "block-first":  # a generated-named item before the input's
    new = text.replace("\nitems:\n", "\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                       "  metadata:\n    name: web-budget\n", 1)
else:  # a flow entry after the generated ones, before the closing ]
    q = '"' if form == "json-extra" else ""
    entry = (', {%sapiVersion%s: %sv1%s, %skind%s: %sConfigMap%s, %smetadata%s: '
             '{%sname%s: %sweb-extra%s}}' % ((q,) * 14))
    i = text.index("\n", text.index('"web-budget-alerts"' if q else "name: web-budget-alerts"))
    j = text.rindex("]", 0, text.index("functionConfig"))
    j = text.rindex("}", 0, j) + 1
    new = text[:j] + entry + text[j:]
if new == text:
    sys.exit("no change made")
open(dst, "w", encoding="utf-8", newline="").write(new)
EOF
	if [ $? -ne 0 ]; then
		not_ok "fidelity/checker rejects a non-generated addition $n ($form)" "could not build the case"
	elif "$PY" "$FID" check "$FX/$f" "$T/badgen.out" >/dev/null; then
		not_ok "fidelity/checker rejects a non-generated addition $n ($form)" "accepted"
	else
		ok "fidelity/checker rejects a non-generated addition $n ($form)"
	fi
done
