#!/usr/bin/env bash
# tests/dashboard.sh - the generated Grafana dashboards.
#
# For each golden case testdata/golden/dash-*/ that succeeds, krm-fn runs
# on its input and every dashboard it writes (ConfigMap or
# GrafanaDashboard) is taken apart by tests/dashboard.py. Then:
#   1. promql: every query (panels and query variables, with
#      $__rate_interval, $pod and label_values() substituted as Grafana
#      would) parses: they go into a scratch rule file as recording rules
#      and `promtool check rules` must pass on it.
#   2. metrics: every metric a query reads is recorded by the generated
#      recording rules, is ALERTS, or is one the monitoring profile says
#      the service exposes (its request counter and latency histogram,
#      cAdvisor and kube-state-metrics series for its pods; a profile's
#      own panels may read what it declares in them).
#   3. eval: where testdata/dashboard/<case>.test.yaml exists, its
#      synthetic series run through `promtool test rules` with the
#      generated rules: the key panels must show the expected values, and
#      every query must return data for a healthy service ("No data" on
#      any panel fails).
#   4. types: the dashboard JSON type-checks (tsc --noEmit) against
#      Grafana's own types from @grafana/schema (tests/grafana/types.ts),
#      and its schemaVersion is that package's current one. The types
#      come from npm (`make deps` installs them in tests/grafana); without
#      them the check fails under CI (CI=1) and is skipped elsewhere.
#   5. crd: every GrafanaDashboard uses only the grafana-operator v5 CRD
#      fields costmon relies on, with their types and uid rule
#      (tests/dashboard.py crd; the CRD itself is not in this repository).
#   6. uid: the uid is at most 40 characters and differs between every
#      dashboard generated here.
# Each dashboard's texts must also have every template word of the panel
# table filled in (no "@factor0" left in a legend or description), and
# its thresholds must agree with the numbers the generated rules use for
# the same thing (objectives, budgets, burn-rate alert thresholds for the
# SLO window, resource limits): tests/dashboard.py agree.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
PY=$PYTHON
HELPER=$ROOT/tests/dashboard.py
MON=$ROOT/tests/monitoring.py
TYPES=$ROOT/tests/grafana

if ! command -v "$PY" >/dev/null 2>&1 || ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "dashboard" "$PY with PyYAML is missing (Debian package python3-yaml)"
	exit 0
fi
have_promtool=1
command -v promtool >/dev/null 2>&1 || have_promtool=0

# What each monitoring profile of the cases declares the service exposes.
declared_for() {
	case $1 in
	dash-custom-panels)
		echo http_requests_total http_request_duration_seconds_bucket \
			http_request_duration_seconds_count queue_depth \
			jobs_done_total queue_oldest_message_age_seconds ;;
	*)
		echo http_requests_total http_request_duration_seconds_bucket \
			http_request_duration_seconds_count \
			container_memory_working_set_bytes \
			container_cpu_usage_seconds_total \
			kube_pod_container_status_restarts_total ;;
	esac
}

uids=()
dashboards=()
for dir in "$ROOT"/testdata/golden/dash-*/; do
	case=$(basename "$dir")
	[ "$(cat "$dir/expected.exit" 2>/dev/null)" = 0 ] || continue
	# inputs that hold a stale dashboard of an earlier run on purpose
	# (the golden suite checks their warning)
	case $case in *-warns) continue ;; esac
	mkdir -p "$T/$case"
	if ! timeout 20 "$KRM_FN" <"$dir/input" >"$T/$case/out" 2>"$T/$case/err"; then
		not_ok "dashboard/$case" "krm-fn failed:" "$(head -20 "$T/$case/err")"
		continue
	fi
	if ! list=$("$PY" "$HELPER" extract "$T/$case/out" "$T/$case" 2>&1); then
		not_ok "dashboard/$case" "cannot read the output:" "$list"
		continue
	fi
	if [ -z "$list" ]; then
		case $case in
		dash-off-*) ok "dashboard/$case (no dashboard, as configured)" ;;
		*) not_ok "dashboard/$case" "no dashboard generated" ;;
		esac
		continue
	fi
	case $case in
	dash-off-*)
		not_ok "dashboard/$case" "a dashboard was generated although it is off"
		continue ;;
	esac
	"$PY" "$MON" rules "$T/$case/out" "$T/$case/rules.yaml" >/dev/null 2>&1 ||
		not_ok "dashboard/$case/rules" "cannot extract the generated rules"
	for json in $list; do
		dashboards+=("$case:$json")
		# uid, service, environment and region (the dashboard's 2nd,
		# 3rd and, with a region, 5th tags)
		uids+=("$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["uid"], *d["tags"][1:3], *d["tags"][4:5])' "$json")")

		# 1. every query is PromQL
		if [ "$have_promtool" = 1 ]; then
			n=$("$PY" "$HELPER" scratch "$json" "$T/$case/queries.rules.yaml" 2>&1) &&
				out=$(cd "$T/$case" && promtool check rules queries.rules.yaml 2>&1)
			if [ $? = 0 ] && grep -q "SUCCESS: $n rules found" <<<"$out"; then
				ok "dashboard/$case/promql ($n queries)"
			else
				not_ok "dashboard/$case/promql" "$n" "$out"
			fi
		else
			skip "dashboard/$case/promql" "promtool is not installed (Debian package prometheus)"
		fi

		# every template word of the panel table is filled in
		if out=$("$PY" "$HELPER" filled "$json" 2>&1); then
			ok "dashboard/$case/filled"
		else
			not_ok "dashboard/$case/filled" "$out"
		fi

		# thresholds agree with the numbers the rules use
		if out=$("$PY" "$HELPER" agree "$json" "$T/$case/rules.yaml" 2>&1); then
			ok "dashboard/$case/agree ($out)"
		else
			not_ok "dashboard/$case/agree" "$out"
		fi

		# 2. every metric comes from a rule or the profile
		# shellcheck disable=SC2046
		if out=$("$PY" "$HELPER" metrics "$json" "$T/$case/rules.yaml" $(declared_for "$case") 2>&1); then
			ok "dashboard/$case/metrics"
		else
			not_ok "dashboard/$case/metrics" "$out"
		fi

		# 3. panels evaluated on synthetic series
		tmpl=$ROOT/testdata/dashboard/$case.test.yaml
		if [ -f "$tmpl" ] && [ "$have_promtool" = 1 ]; then
			if out=$("$PY" "$HELPER" unit "$json" "$T/$case/rules.yaml" "$tmpl" \
				"$T/$case/panels.test.yaml" 2>&1) &&
				out=$(cd "$T/$case" && timeout 120 promtool test rules panels.test.yaml 2>&1); then
				ok "dashboard/$case/eval"
			else
				not_ok "dashboard/$case/eval" "$(head -60 <<<"$out")"
			fi
		elif [ -f "$tmpl" ]; then
			skip "dashboard/$case/eval" "promtool is not installed (Debian package prometheus)"
		fi
	done

	# 5. the GrafanaDashboard form
	for obj in "$T/$case"/GrafanaDashboard.*.yaml; do
		[ -f "$obj" ] || continue
		if out=$("$PY" "$HELPER" crd "$obj" 2>&1); then
			ok "dashboard/$case/crd"
		else
			not_ok "dashboard/$case/crd" "$out"
		fi
	done
done

# The eval templates must belong to a case (a renamed case must not
# silently drop its test).
for tmpl in "$ROOT"/testdata/dashboard/*.test.yaml; do
	case=$(basename "$tmpl" .test.yaml)
	[ -d "$ROOT/testdata/golden/$case" ] ||
		not_ok "dashboard/eval/$case" "no golden case $case for $tmpl"
done

# 4. Grafana's types
ts_ok=1
if [ ${#dashboards[@]} -eq 0 ]; then
	not_ok "dashboard/generated" "no case produced a dashboard"
	exit 0
fi
if [ ! -f "$TYPES/node_modules/@grafana/schema/package.json" ] ||
	[ ! -x "$TYPES/node_modules/.bin/tsc" ] || ! command -v node >/dev/null 2>&1; then
	ts_ok=0
	if [ -n "${CI:-}" ]; then
		not_ok "dashboard/types" "node or tests/grafana/node_modules is missing; make deps installs them (npm ci in tests/grafana)"
	else
		skip "dashboard/types" "node or tests/grafana/node_modules is missing (run make deps)"
	fi
fi
if [ "$ts_ok" = 1 ]; then
	mkdir -p "$T/ts"
	cp "$TYPES/types.ts" "$T/ts/"
	ln -s "$TYPES/node_modules" "$T/ts/node_modules"
	cat >"$T/ts/tsconfig.json" <<-'EOF'
	{
	  "compilerOptions": {
	    "strict": true, "noEmit": true, "target": "es2020",
	    "module": "es2020", "moduleResolution": "bundler",
	    "skipLibCheck": true, "types": []
	  },
	  "include": ["*.ts"]
	}
	EOF
	n=0
	for d in "${dashboards[@]}"; do
		n=$((n + 1))
		"$PY" "$HELPER" ts "${d#*:}" "$T/ts/d$n.ts" ||
			not_ok "dashboard/types" "cannot write ${d#*:} as TypeScript"
	done
	# A broken copy must fail, so the check is known to be able to.
	sed '0,/"absolute"/s//"absolut"/' "$T/ts/d1.ts" >"$T/ts-broken.ts"
	if out=$(cd "$T/ts" && timeout 300 node_modules/.bin/tsc -p tsconfig.json 2>&1); then
		ok "dashboard/types ($n dashboards against @grafana/schema)"
	else
		not_ok "dashboard/types" "$(head -40 <<<"$out")"
	fi
	mv "$T/ts-broken.ts" "$T/ts/broken.ts"
	rm "$T/ts"/d*.ts
	if out=$(cd "$T/ts" && timeout 300 node_modules/.bin/tsc -p tsconfig.json 2>&1); then
		not_ok "dashboard/types/broken" "a dashboard with thresholds mode \"absolut\" passed the type check"
	elif grep -q 'absolut' <<<"$out"; then
		ok "dashboard/types/broken (refused)"
	else
		not_ok "dashboard/types/broken" "refused for another reason:" "$(head -20 <<<"$out")"
	fi
	want=$(cd "$TYPES" && node --input-type=module -e \
		"import('@grafana/schema').then(m => console.log(m.defaultDashboard.schemaVersion))" 2>&1)
	got=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["schemaVersion"])' "${dashboards[0]#*:}")
	if [ "$want" = "$got" ]; then
		ok "dashboard/schemaVersion ($got, current in @grafana/schema)"
	else
		not_ok "dashboard/schemaVersion" "generated $got, @grafana/schema's default is $want"
	fi
fi

# 6. uids: short enough, one per service, environment and region
bad=
for t in "${uids[@]}"; do
	u=${t%% *}
	[ ${#u} -le 40 ] && [[ $u =~ ^[a-zA-Z0-9_-]+$ ]] || bad="$bad $u"
done
triples=$(printf '%s\n' "${uids[@]}" | sort -u)
dups=$( (cut -d' ' -f1 <<<"$triples" | sort | uniq -d
	cut -d' ' -f2- <<<"$triples" | sort | uniq -d) | tr '\n' ' ')
n=$(wc -l <<<"$triples")
# two regions of one service and environment (dash-region-*) are there
nreg=$(grep -c ' use1$\| euw1$' <<<"$triples")
if [ -z "$bad" ] && [ -z "${dups// /}" ] && [ "$n" -ge 4 ] && [ "$nreg" = 2 ]; then
	ok "dashboard/uid ($n services, environments and regions, one uid each)"
else
	not_ok "dashboard/uid" "invalid:$bad" "shared by two services, environments or regions, or two uids for one: $dups" "regions: $nreg" "$triples"
fi
