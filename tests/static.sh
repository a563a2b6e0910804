#!/usr/bin/env bash
# tests/static.sh - the statically linked binary (make static), which is
# what the container image holds: it is not dynamic, the Dockerfile builds
# and ships exactly it (multi-stage, scratch, nobody, OCI labels), and the
# golden and end-to-end suites pass against it. There is no container
# engine on the build machines, so this is how the image's content is
# proven.
set -u
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
STATIC=${KRM_FN_STATIC:-$ROOT/krm-fn-static}

# The default binary is (re)built here, so the suite never runs a stale
# one (make sanitize does not build it; make is a no-op when it is current).
if [ -z "${KRM_FN_STATIC:-}" ] || [ ! -x "$STATIC" ]; then
	make -s -C "$ROOT" krm-fn-static >"$T/build.log" 2>&1 ||
		{ not_ok "static: make static" "$(tail -20 "$T/build.log")"; exit 0; }
fi
if ldd "$STATIC" 2>&1 | grep -q "not a dynamic executable"; then
	ok "static: ldd says krm-fn-static is not dynamic"
else
	not_ok "static: ldd says krm-fn-static is not dynamic" "$(ldd "$STATIC" 2>&1)"
fi
if env -i "$STATIC" --version | grep -q '^krm-fn (costmon)'; then
	ok "static: runs with an empty environment"
else
	not_ok "static: runs with an empty environment"
fi

# The Dockerfile: a build stage running `make static`, a final stage from
# scratch (no shell) holding that binary, user nobody, stdin/stdout
# entrypoint, OCI labels.
D=$ROOT/Dockerfile
problems=()
[ "$(grep -c '^FROM ' "$D")" -ge 2 ] || problems+=("not multi-stage")
grep -q '^FROM .* AS build$' "$D" || problems+=("no build stage")
grep -q '^RUN make static' "$D" || problems+=("build stage does not run make static")
[ "$(grep '^FROM ' "$D" | tail -1)" = "FROM scratch" ] || problems+=("final stage is not FROM scratch")
grep -q '^COPY --from=build /src/krm-fn-static ' "$D" || problems+=("final stage does not copy krm-fn-static")
grep -q '^USER 65534:65534$' "$D" || problems+=("does not run as nobody (65534)")
grep -q '^ENTRYPOINT \["/usr/local/bin/krm-fn"\]$' "$D" || problems+=("entrypoint is not the binary in exec form")
for l in title description version; do
	grep -q "org.opencontainers.image.$l=" "$D" || problems+=("no OCI label $l")
done
if [ ${#problems[@]} -eq 0 ]; then ok "static: Dockerfile builds and ships the static binary"; else
	not_ok "static: Dockerfile builds and ships the static binary" "${problems[@]}"; fi

# The suites against the static binary (their lines prefixed).
for suite in golden e2e; do
	KRM_FN=$STATIC bash "$ROOT/tests/$suite.sh" 2>&1 | sed 's/^\(not \)\{0,1\}ok - /&static: /'
done
