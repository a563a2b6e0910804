#!/usr/bin/env bash
# tests/examples-kpt.sh - the examples users copy, run with the real tools:
#
# examples/kpt/ (kpt package: Kptfile pipeline `exec: ./krm-fn`,
# configPath profile.yaml, a Deployment and a Service), on copies:
#
#   kpt-render-*   `kpt fn render --allow-exec PKG`, the command of the
#                  example's README, run from a directory holding a krm-fn
#                  symlink to the binary under test (the Kptfile stays as
#                  shipped): exit 0; the cost labels (cost.budget "6000"),
#                  budget annotations, pod template labels, selectors
#                  unchanged; the 6 generated objects once each in
#                  prod-payment-processor-euw1-stable, each alone in the
#                  file kpt writes for it; the ServiceMonitor selecting the
#                  Service's own labels on port http; Kptfile and
#                  profile.yaml unchanged; a second run changes no byte
#                  (no new file, no second copy)
#   kpt-render-relative-exec-*  the documented trap: the same command
#                  from a directory without krm-fn fails, naming ./krm-fn,
#                  and leaves the package alone
#   kpt-render-unwrap-*  `-o unwrap` prints the result, package untouched
#   kpt-eval-*     the README's `kpt fn eval --exec ./krm-fn PKG -- k=v...`
#                  command, taken from examples/kpt/README.md: the same
#                  checks, and the same files as render, byte for byte
#
# examples/argocd/ (Argo CD Config Management Plugin, sidecar):
#
#   argocd-*-yaml  every YAML file parses (PyYAML) and has the kind and
#                  fields Argo CD and kustomize need: the plugin
#                  (generate, init, discover), the repo-server patch
#                  (sidecar running /var/run/argocd/argocd-cmp-server as
#                  user 999, plugin.yaml mounted at
#                  /home/argocd/cmp-server/config/plugin.yaml, var-files and
#                  plugins mounted, its own /tmp), the install
#                  kustomization, the Application (plugin name
#                  <name>-<version>, path examples/argocd/app), the app's
#                  kustomization (ServiceProfile as transformer)
#   argocd-image-layout  Dockerfile, plugin.yaml and the patch agree on
#                  where krm-fn is installed; the image copies from the
#                  project image's binary path
#   argocd-patch-applies  the install kustomization built by kubectl
#                  kustomize over a stub of Argo CD's argocd-repo-server
#                  (the remote install manifest replaced): the sidecar is
#                  added, every mount has its volume, no volume twice, the
#                  ConfigMap holds plugin.yaml
#   argocd-discover-*, argocd-init-*, argocd-generate-*  the commands of
#                  plugin.yaml, extracted from it and run as the CMP server
#                  runs them: in a copy of examples/argocd/app, with only
#                  the sidecar-like environment Argo CD provides
#                  (ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE, KUBE_VERSION,
#                  ...), krm-fn installed by `make install-plugin
#                  XDG_CONFIG_HOME=...` and COSTMON_XDG_CONFIG_HOME pointing
#                  there. Without a standalone kustomize, `kustomize` on
#                  that PATH is a shim running `kubectl kustomize` (same
#                  kustomize library; `build` dropped). generate's output
#                  holds exactly the labelled Deployment and Service and the
#                  4 generated objects, once each, no local-config object and
#                  no orchestrator annotation, and the same bytes on a
#                  second run; with a misspelt profile field generate
#                  fails and its stderr names the field.
#
# A missing tool (kpt; kubectl and kustomize; python3 with PyYAML) skips
# its checks. Everything runs on copies in a temp dir.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
KPT_EX=$ROOT/examples/kpt
ARGO_EX=$ROOT/examples/argocd
TIMEOUT=${EXAMPLES_TIMEOUT:-60}
NS=prod-payment-processor-euw1-stable

HAVE_PYTHON=0 HAVE_PY=0
"$PYTHON" -c '' 2>/dev/null && HAVE_PYTHON=1
"$PYTHON" -c 'import yaml' 2>/dev/null && HAVE_PY=1

# --- the checker ---------------------------------------------------------------

cat >"$T/ex.py" <<'PY'
"""ex.py - YAML checks for tests/examples-kpt.sh (PyYAML, types strict:
"6000" is a string).

  ex.py pkg DIR ORIG        kpt package DIR after a run; ORIG: the package
                            before. Aspects: PKG_ASPECTS.
  ex.py stream FILE [--with KIND]...
                            a YAML stream (kustomize build, kpt -o unwrap);
                            --with: extra kinds expected once (local config
                            kept by kpt). Aspects: STREAM_ASPECTS.
  ex.py readme-cmd README PREFIX PKG
                            the first command of README's ```sh blocks that
                            starts with PREFIX (backslash lines joined), its
                            /tmp/... argument replaced by PKG; NUL-separated
  ex.py cmd PLUGIN_YAML WHAT
                            plugin.yaml's spec.WHAT command + args
                            (WHAT: init, generate, discover), NUL-separated
  ex.py argocd-yaml DIR ROOT  the example's files; aspects: ARGO_ASPECTS
  ex.py patched FILE PLUGIN_YAML
                            kustomize output of the install kustomization
Prints "ASPECT<TAB>problem" lines; exit 1 when there are any.
"""
import json
import os
import re
import shlex
import sys

try:  # readme-cmd needs no PyYAML
    import yaml
except ImportError:
    yaml = None

NS = "prod-payment-processor-euw1-stable"
LABELS = {
    "cost.service": "payment-processor",
    "cost.team": "payments-team",
    "cost.costCenter": "CC-12345",
    "cost.businessUnit": "retail-banking",
    "cost.owner": "alice.johnson_at_company.com",
    "cost.environment": "prod",
    "cost.budget": "6000",
    "monitoring.profile": "api-observability",
}
ANNOTATIONS = {
    "cost.owner": "alice.johnson@company.com",
    "costmon.dev/budget-amount": "6000",
    "costmon.dev/budget-currency": "USD",
    "costmon.dev/budget-period": "monthly",
}
BUDGET = {"amount": "6000", "environment": "prod", "size": "large",
          "profile": "standard-api-cost", "currency": "USD"}
GENERATED = [
    ("monitoring.coreos.com/v1", "ServiceMonitor", "payment-processor-monitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule",
     "payment-processor-recording-rules"),
    ("monitoring.coreos.com/v1", "PrometheusRule",
     "payment-processor-alert-rules"),
    ("v1", "ConfigMap", "payment-processor-dynatrace-config"),
    ("v1", "ConfigMap", "payment-processor-budget"),
    ("monitoring.coreos.com/v1", "PrometheusRule",
     "payment-processor-budget-alerts"),
    ("v1", "ConfigMap", "payment-processor-dashboard"),
]
INPUTS = [("apps/v1", "Deployment", "payment-processor"),
          ("v1", "Service", "payment-processor")]
APP_SELECTOR = {"app": "payment-processor"}
SERVICE_LABELS = {"app.kubernetes.io/name": "payment-processor",
                  "app.kubernetes.io/component": "api"}
LOCAL = "config.kubernetes.io/local-config"
ORCHESTRATOR = ("config.kubernetes.io/", "internal.config.kubernetes.io/",
                "config.k8s.io/", "kustomize.config.k8s.io/")
PKG_ASPECTS = ("labels", "annotations", "pod-template", "selectors",
               "generated", "servicemonitor", "files")
STREAM_ASPECTS = PKG_ASPECTS[:-1] + ("objects", "no-local-config")
PLUGIN_PATH_RE = re.compile(r"/opt/costmon")


def meta(o):
    m = o.get("metadata") if isinstance(o, dict) else None
    return m if isinstance(m, dict) else {}


def is_local(o):
    v = (meta(o).get("annotations") or {}).get(LOCAL)
    return v is not None and v != "false"


def labelled(o):
    return (isinstance(o, dict) and not is_local(o)
            and not str(o.get("apiVersion", "")).startswith("costmon.dev/"))


def ident(o):
    return (o.get("apiVersion"), o.get("kind"), meta(o).get("name"))


def load_stream(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load_pkg(d):
    """[(object, relative path, index)] of a kpt package."""
    out = []
    for base, dirs, files in os.walk(d):
        dirs.sort()
        for name in sorted(files):
            if not (name.endswith((".yaml", ".yml")) or name == "Kptfile"):
                continue
            p = os.path.join(base, name)
            for i, o in enumerate(load_stream(p)):
                out.append((o, os.path.relpath(p, d), i))
    return out


def check_objects(objs, add):
    """The aspects common to packages and streams; objs: a list."""
    by = {}
    for o in objs:
        if isinstance(o, dict):
            by.setdefault(ident(o), []).append(o)
    for o in objs:
        if not labelled(o):
            continue
        who = "%s/%s" % (o.get("kind"), meta(o).get("name"))
        labels = meta(o).get("labels") or {}
        for k, v in LABELS.items():
            if labels.get(k) != v:
                add("labels", "%s: label %s is %r, expected %r"
                    % (who, k, labels.get(k), v))
        ann = meta(o).get("annotations") or {}
        for k, v in ANNOTATIONS.items():
            if ann.get(k) != v:
                add("annotations", "%s: annotation %s is %r, expected %r"
                    % (who, k, ann.get(k), v))
        if "costmon.dev/budget" in ann:
            add("annotations", "%s: the whole budget record is on the "
                "object" % who)
        if o.get("kind") == "ConfigMap" and \
                meta(o).get("name") == "payment-processor-budget":
            try:
                budget = json.loads((o.get("data") or {}).get(
                    "budget.json", ""))
                for k, v in BUDGET.items():
                    if budget.get(k) != v:
                        add("annotations", "%s: budget.json %s is %r, "
                            "expected %r" % (who, k, budget.get(k), v))
            except ValueError as e:
                add("annotations", "%s: budget.json is not JSON: %s"
                    % (who, e))
    for i in INPUTS:
        if len(by.get(i, [])) != 1:
            add("labels", "%s %s: %d copies, expected 1"
                % (i[1], i[2], len(by.get(i, []))))
    dep = (by.get(INPUTS[0]) or [{}])[0]
    svc = (by.get(INPUTS[1]) or [{}])[0]
    want = dict(APP_SELECTOR, **LABELS)
    got = (((dep.get("spec") or {}).get("template") or {}).get("metadata")
           or {}).get("labels")
    if got != want:
        add("pod-template", "Deployment pod template labels %r, expected %r"
            % (got, want))
    sel = (dep.get("spec") or {}).get("selector")
    if sel != {"matchLabels": APP_SELECTOR}:
        add("selectors", "Deployment spec.selector changed: %r" % (sel,))
    if (svc.get("spec") or {}).get("selector") != APP_SELECTOR:
        add("selectors", "Service spec.selector changed: %r"
            % ((svc.get("spec") or {}).get("selector"),))
    if (meta(dep).get("labels") or {}).get("app") != "payment-processor":
        add("selectors", "Deployment lost its own label app")
    for k, v in SERVICE_LABELS.items():
        if (meta(svc).get("labels") or {}).get(k) != v:
            add("servicemonitor", "Service lost its own label %s" % k)
    for g in GENERATED:
        found = by.get(g, [])
        if len(found) != 1:
            add("generated", "%s %s: %d copies, expected 1"
                % (g[1], g[2], len(found)))
        for o in found:
            if meta(o).get("namespace") != NS:
                add("generated", "%s %s in namespace %r, expected %s"
                    % (g[1], g[2], meta(o).get("namespace"), NS))
    for sm in by.get(GENERATED[0], []):
        spec = sm.get("spec") or {}
        ml = (spec.get("selector") or {}).get("matchLabels")
        if ml != SERVICE_LABELS:
            add("servicemonitor", "matchLabels %r, expected the Service's "
                "own labels %r" % (ml, SERVICE_LABELS))
        if "namespaceSelector" in spec:
            add("servicemonitor", "unexpected namespaceSelector")
        eps = spec.get("endpoints") or []
        if len(eps) != 1 or eps[0].get("port") != "http":
            add("servicemonitor", "endpoints %r, expected one on port http"
                % (eps,))


def cmd_pkg(d, orig, add):
    items = load_pkg(d)
    check_objects([o for o, _, _ in items], add)
    before = {os.path.relpath(os.path.join(b, f), orig)
              for b, _, fs in os.walk(orig) for f in fs}
    want = set(before)
    for _, kind, name in GENERATED:
        f = "%s/%s_%s.yaml" % (NS, kind.lower(), name)
        want.add(f)
        docs = [(o, i) for o, p, i in items if p == f]
        if (len(docs) != 1 or docs[0][0].get("kind") != kind
                or meta(docs[0][0]).get("name") != name):
            add("files", "%s: holds %r, expected %s %s alone"
                % (f, [(o.get("kind"), meta(o).get("name")) for o, _ in docs],
                   kind, name))
    have = {os.path.relpath(os.path.join(b, f), d)
            for b, _, fs in os.walk(d) for f in fs}
    for f in sorted(have - want):
        add("files", "unexpected file %s" % f)
    for f in sorted(want - have):
        add("files", "missing file %s" % f)


def cmd_stream(path, extra, add):
    objs = load_stream(path)
    check_objects(objs, add)
    want = sorted([(k, n) for _, k, n in INPUTS + GENERATED]
                  + [(k, None) for k in extra])
    have = sorted((o.get("kind"), None if o.get("kind") in extra
                   else meta(o).get("name")) for o in objs)
    if have != want:
        add("objects", "objects %r, expected %r" % (have, want))
    for o in objs:
        if extra:
            break
        who = "%s/%s" % (o.get("kind"), meta(o).get("name"))
        if not labelled(o):
            add("no-local-config", "%s is local config or a costmon object"
                % who)
        for k in meta(o).get("annotations") or {}:
            if k.startswith(ORCHESTRATOR):
                add("no-local-config", "%s keeps annotation %s" % (who, k))


def cmd_readme_cmd(readme, prefix, pkg):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n", " ", block)
        for line in joined.splitlines():
            if line.strip().startswith(prefix):
                words = shlex.split(line, comments=True)
                return [pkg if w.startswith("/tmp/") else w for w in words]
    sys.exit("no command starting with %r in %s" % (prefix, readme))


def cmd_cmd(plugin, what):
    with open(plugin, encoding="utf-8") as f:
        spec = yaml.safe_load(f)["spec"]
    c = spec["discover"]["find"] if what == "discover" else spec[what]
    if what == "discover":
        c = c["command"]
        return list(c) if isinstance(c, list) else list(c["command"]) + list(
            c.get("args") or [])
    return list(c["command"]) + list(c.get("args") or [])


def container(dep, name):
    for c in ((dep.get("spec") or {}).get("template") or {}).get(
            "spec", {}).get("containers") or []:
        if c.get("name") == name:
            return c
    return None


def check_sidecar(dep, add, aspect, full):
    """The sidecar container of a (patch or patched) repo-server Deployment."""
    pod = ((dep.get("spec") or {}).get("template") or {}).get("spec") or {}
    sidecars = [c for c in pod.get("containers") or []
                if c.get("name") != "argocd-repo-server"]
    if len(sidecars) != 1:
        add(aspect, "%d sidecar containers, expected 1" % len(sidecars))
        return
    c = sidecars[0]
    if c.get("command") != ["/var/run/argocd/argocd-cmp-server"]:
        add(aspect, "sidecar command %r" % (c.get("command"),))
    if not c.get("image"):
        add(aspect, "sidecar has no image")
    sc = c.get("securityContext") or {}
    if sc.get("runAsUser") != 999 or sc.get("runAsNonRoot") is not True:
        add(aspect, "sidecar securityContext %r: runAsUser 999 and "
            "runAsNonRoot true needed" % (sc,))
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}
    vols = {}
    for v in pod.get("volumes") or []:
        vols.setdefault(v.get("name"), []).append(v)
    for name, vs in vols.items():
        if len(vs) != 1:
            add(aspect, "volume %s listed %d times" % (name, len(vs)))
    need = {"/var/run/argocd": "var-files",
            "/home/argocd/cmp-server/plugins": "plugins"}
    for path, name in need.items():
        if (mounts.get(path) or {}).get("name") != name:
            add(aspect, "no mount of volume %s at %s" % (name, path))
    pm = mounts.get("/home/argocd/cmp-server/config/plugin.yaml")
    if not pm or pm.get("subPath") != "plugin.yaml":
        add(aspect, "plugin.yaml not mounted (subPath plugin.yaml) at "
            "/home/argocd/cmp-server/config/plugin.yaml")
    else:
        cm = ((vols.get(pm.get("name")) or [{}])[0].get("configMap") or {})
        if cm.get("name") != "costmon-cmp-plugin":
            add(aspect, "plugin.yaml volume %s is not ConfigMap "
                "costmon-cmp-plugin" % pm.get("name"))
    tmp = mounts.get("/tmp")
    if not tmp or tmp.get("name") == "tmp":
        add(aspect, "the sidecar needs its own /tmp volume, not the "
            "repo-server's tmp")
    for m in c.get("volumeMounts") or []:
        if m.get("name") not in vols:
            add(aspect, "mount %s: no volume %s" % (m.get("mountPath"),
                                                    m.get("name")))
    if full and container(dep, "argocd-repo-server") is None:
        add(aspect, "the repo-server container is gone")


def cmd_argocd_yaml(d, root, add):
    files = sorted(os.path.relpath(os.path.join(b, f), d)
                   for b, _, fs in os.walk(d) for f in fs
                   if f.endswith((".yaml", ".yml")))
    docs = {}
    for f in files:
        try:
            docs[f] = load_stream(os.path.join(d, f))
        except yaml.YAMLError as e:
            add("parse", "%s: %s" % (f, e))
    if len(files) < 8:
        add("parse", "only %d YAML files: %s" % (len(files), files))

    def one(f, aspect, api, kind):
        ds = docs.get(f) or []
        if (len(ds) != 1 or not isinstance(ds[0], dict)
                or ds[0].get("apiVersion") != api
                or ds[0].get("kind") != kind):
            add(aspect, "%s: expected one %s %s" % (f, api, kind))
            return {}
        return ds[0]

    p = one("plugin.yaml", "plugin", "argoproj.io/v1alpha1",
            "ConfigManagementPlugin")
    spec = p.get("spec") or {}
    if not meta(p).get("name") or not spec.get("version"):
        add("plugin", "metadata.name and spec.version needed")
    for what in ("init", "generate"):
        c = spec.get(what) or {}
        if not isinstance(c.get("command"), list) or not c["command"]:
            add("plugin", "spec.%s.command missing" % what)
    gen = " ".join((spec.get("generate") or {}).get("command", [])
                   + (spec.get("generate") or {}).get("args", []))
    if "kustomize build --enable-alpha-plugins ." not in gen:
        add("plugin", "generate does not run kustomize build "
            "--enable-alpha-plugins .")
    find = ((spec.get("discover") or {}).get("find") or {}).get("command")
    if not isinstance(find, list) or not find:
        add("plugin", "spec.discover.find.command missing")

    dep = one("repo-server-patch.yaml", "patch", "apps/v1", "Deployment")
    if meta(dep).get("name") != "argocd-repo-server":
        add("patch", "patches %r, not argocd-repo-server"
            % meta(dep).get("name"))
    check_sidecar(dep, add, "patch", False)

    k = one("kustomization.yaml", "install", "kustomize.config.k8s.io/v1beta1",
            "Kustomization")
    gens = [g for g in k.get("configMapGenerator") or []
            if g.get("name") == "costmon-cmp-plugin"]
    if len(gens) != 1 or gens[0].get("files") != ["plugin.yaml"]:
        add("install", "configMapGenerator costmon-cmp-plugin from "
            "plugin.yaml missing")
    elif not (gens[0].get("options") or {}).get("disableNameSuffixHash"):
        add("install", "the ConfigMap name must stay costmon-cmp-plugin "
            "(disableNameSuffixHash)")
    if [x.get("path") for x in k.get("patches") or []] != [
            "repo-server-patch.yaml"]:
        add("install", "patches: repo-server-patch.yaml missing")
    if k.get("namespace") != "argocd":
        add("install", "namespace is %r, expected argocd"
            % k.get("namespace"))

    a = one("application.yaml", "application", "argoproj.io/v1alpha1",
            "Application")
    src = (a.get("spec") or {}).get("source") or {}
    want = "%s-%s" % (meta(p).get("name"), spec.get("version"))
    if (src.get("plugin") or {}).get("name") != want:
        add("application", "source.plugin.name %r, expected %r"
            % ((src.get("plugin") or {}).get("name"), want))
    path = src.get("path") or ""
    if not os.path.isfile(os.path.join(root, path, "kustomization.yaml")):
        add("application", "source.path %r has no kustomization.yaml in "
            "the repository" % path)
    prof = one("app/profile.yaml", "app", "costmon.dev/v1alpha1",
               "ServiceProfile")
    dest = ((a.get("spec") or {}).get("destination") or {}).get("namespace")
    if dest != (prof.get("spec") or {}).get("namespace"):
        add("application", "destination namespace %r is not the "
            "ServiceProfile's %r" % (dest, (prof.get("spec") or {}).get(
                "namespace")))

    ak = one("app/kustomization.yaml", "app",
             "kustomize.config.k8s.io/v1beta1", "Kustomization")
    if ak.get("transformers") != ["profile.yaml"]:
        add("app", "transformers %r, expected [profile.yaml]"
            % ak.get("transformers"))
    for r in ak.get("resources") or []:
        if r not in docs and ("app/" + r) not in docs:
            add("app", "resource %s missing" % r)


def cmd_patched(path, plugin, add):
    objs = load_stream(path)
    deps = [o for o in objs if o.get("kind") == "Deployment"
            and meta(o).get("name") == "argocd-repo-server"]
    cms = [o for o in objs if o.get("kind") == "ConfigMap"
           and meta(o).get("name") == "costmon-cmp-plugin"]
    if len(deps) != 1:
        add("applies", "%d argocd-repo-server Deployments" % len(deps))
    else:
        check_sidecar(deps[0], add, "applies", True)
        if meta(deps[0]).get("namespace") != "argocd":
            add("applies", "Deployment not in namespace argocd")
    if len(cms) != 1:
        add("applies", "%d ConfigMaps costmon-cmp-plugin" % len(cms))
    else:
        with open(plugin, encoding="utf-8") as f:
            want = yaml.safe_load(f)
        got = yaml.safe_load((cms[0].get("data") or {}).get("plugin.yaml",
                                                             ""))
        if got != want:
            add("applies", "ConfigMap data plugin.yaml differs from "
                "plugin.yaml")


def main(argv):
    out = []

    def add(aspect, msg):
        out.append("%s\t%s" % (aspect, msg))

    mode, args = argv[1], argv[2:]
    if mode in ("readme-cmd", "cmd"):
        words = (cmd_readme_cmd(*args) if mode == "readme-cmd"
                 else cmd_cmd(*args))
        sys.stdout.write("".join(w + "\0" for w in words))
        return 0
    if mode == "pkg":
        cmd_pkg(args[0], args[1], add)
    elif mode == "stream":
        extra = [args[i + 1] for i in range(1, len(args) - 1)
                 if args[i] == "--with"]
        cmd_stream(args[0], extra, add)
    elif mode == "argocd-yaml":
        cmd_argocd_yaml(args[0], args[1], add)
    elif mode == "patched":
        cmd_patched(args[0], args[1], add)
    else:
        sys.exit("ex.py: unknown mode %s" % mode)
    print("\n".join(out))
    return 1 if out else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit:
        raise
    except Exception as exc:  # a crash is not a failed check
        print("ex.py: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)
        sys.exit(2)
PY

# --- helpers -------------------------------------------------------------------

# aspect_checks PREFIX ASPECTS MODE ARG...: one check PREFIX-ASPECT per
# aspect, from the "ASPECT<TAB>problem" lines of `ex.py MODE ARG...`.
aspect_checks() {
	local prefix=$1 aspects=$2 out rc a lines failed=0
	shift 2
	if [ "$HAVE_PY" != 1 ]; then
		for a in $aspects; do
			skip "$prefix-$a" "python3 with PyYAML not available"
		done
		return
	fi
	out=$("$PYTHON" "$T/ex.py" "$@" 2>&1)
	rc=$?
	for a in $aspects; do
		lines=$(printf '%s\n' "$out" | grep "^$a	" | cut -f 2-)
		if [ "$rc" -gt 1 ]; then
			not_ok "$prefix-$a" "ex.py crashed (exit $rc):" "$out"
		elif [ -n "$lines" ]; then
			not_ok "$prefix-$a" "$lines"
			failed=1
		else
			ok "$prefix-$a"
		fi
	done
	if [ "$rc" -eq 1 ] && [ "$failed" -eq 0 ]; then
		not_ok "$prefix-checker" "ex.py $1 reported:" "$out"
	fi
}

# nul_words VAR CMD...: the NUL-separated words CMD prints, into array VAR;
# fails when CMD fails or prints nothing.
nul_words() {
	local -n _words=$1
	shift
	_words=()
	"$@" >"$T/words" 2>"$T/words.err" || return 1
	mapfile -d '' _words <"$T/words"
	[ "${#_words[@]}" -gt 0 ]
}

# --- 1. examples/kpt --------------------------------------------------------------

PKG_ASPECTS="labels annotations pod-template selectors generated
servicemonitor files"
STREAM_ASPECTS="labels annotations pod-template selectors generated
servicemonitor objects no-local-config"
UNWRAP_ASPECTS="labels annotations pod-template selectors generated
servicemonitor objects"

# kpt's working directory: holds krm-fn (a symlink to the binary under
# test), so the Kptfile's own `exec: ./krm-fn` and the README's
# `--exec ./krm-fn` run it, as from the repository root after `make`.
CWD=$T/cwd
mkdir -p "$CWD" "$T/empty"
ln -sf "$KRM_FN" "$CWD/krm-fn"

# in_dir DIR LOG CMD...: CMD in DIR with a time limit, output to LOG.
in_dir() {
	local dir=$1 log=$2
	shift 2
	(cd "$dir" && timeout "$TIMEOUT" "$@" >"$log" 2>&1)
}

kpt_example() {
	local pkg rc
	local -a cmd
	pkg=$T/kpt-render
	fresh "$pkg" "$KPT_EX"
	if [ "$HAVE_PYTHON" = 1 ] && nul_words cmd "$PYTHON" "$T/ex.py" readme-cmd \
		"$KPT_EX/README.md" "kpt fn render" "$pkg"; then
		echo "# kpt render command (README): ${cmd[*]}"
	else
		cmd=(kpt fn render --allow-exec "$pkg")
	fi
	in_dir "$CWD" "$pkg.log1" "${cmd[@]}"
	rc=$?
	expect_ok kpt-render-exit-0 "$rc" "$pkg.log1"
	aspect_checks kpt-render "$PKG_ASPECTS" pkg "$pkg" "$KPT_EX"
	if cmp -s "$KPT_EX/Kptfile" "$pkg/Kptfile" &&
		cmp -s "$KPT_EX/profile.yaml" "$pkg/profile.yaml"; then
		ok kpt-render-local-config-unchanged
	else
		not_ok kpt-render-local-config-unchanged \
			"Kptfile or profile.yaml changed"
	fi
	fresh "$pkg.run1" "$pkg"
	in_dir "$CWD" "$pkg.log2" "${cmd[@]}"
	rc=$?
	expect_ok kpt-render-second-run-exit-0 "$rc" "$pkg.log2"
	same_bytes kpt-render-idempotent "$pkg.run1" "$pkg"

	# The trap: from a directory without krm-fn, ./krm-fn is not found.
	pkg=$T/kpt-trap
	fresh "$pkg" "$KPT_EX"
	in_dir "$T/empty" "$pkg.log" kpt fn render --allow-exec "$pkg"
	rc=$?
	expect_fail kpt-render-relative-exec-fails-elsewhere "$rc" "$pkg.log" \
		'./krm-fn' 'no such file or directory'
	same_bytes kpt-render-relative-exec-leaves-package "$KPT_EX" "$pkg"

	# -o unwrap: the result on stdout, the package untouched.
	pkg=$T/kpt-unwrap
	fresh "$pkg" "$KPT_EX"
	(cd "$CWD" && timeout "$TIMEOUT" kpt fn render --allow-exec "$pkg" \
		-o unwrap >"$pkg.out.yaml" 2>"$pkg.log")
	rc=$?
	expect_ok kpt-render-unwrap-exit-0 "$rc" "$pkg.log"
	same_bytes kpt-render-unwrap-leaves-package "$KPT_EX" "$pkg"
	aspect_checks kpt-render-unwrap "$UNWRAP_ASPECTS" stream \
		"$pkg.out.yaml" --with Kptfile --with ServiceProfile

	# kpt fn eval, as the README writes it.
	pkg=$T/kpt-eval
	fresh "$pkg" "$KPT_EX"
	if [ "$HAVE_PYTHON" != 1 ]; then
		for c in $(kpt_eval_checks); do
			skip "$c" "python3 needed to read the README's command"
		done
		return
	fi
	if ! nul_words cmd "$PYTHON" "$T/ex.py" readme-cmd \
		"$KPT_EX/README.md" "kpt fn eval" "$pkg"; then
		not_ok kpt-eval-readme-command "no kpt fn eval command in" \
			"$KPT_EX/README.md" "$(cat "$T/words.err")"
		return
	fi
	ok kpt-eval-readme-command
	echo "# kpt eval command (README): ${cmd[*]}"
	in_dir "$CWD" "$pkg.log1" "${cmd[@]}"
	rc=$?
	expect_ok kpt-eval-exit-0 "$rc" "$pkg.log1"
	aspect_checks kpt-eval "$PKG_ASPECTS" pkg "$pkg" "$KPT_EX"
	same_bytes kpt-eval-same-files-as-render "$T/kpt-render" "$pkg"
	fresh "$pkg.run1" "$pkg"
	in_dir "$CWD" "$pkg.log2" "${cmd[@]}"
	rc=$?
	expect_ok kpt-eval-second-run-exit-0 "$rc" "$pkg.log2"
	same_bytes kpt-eval-idempotent "$pkg.run1" "$pkg"
}

kpt_eval_checks() {
	local a
	printf '%s\n' kpt-eval-readme-command kpt-eval-exit-0
	for a in $PKG_ASPECTS; do printf '%s\n' "kpt-eval-$a"; done
	printf '%s\n' kpt-eval-same-files-as-render kpt-eval-second-run-exit-0 \
		kpt-eval-idempotent
}

kpt_checks() {
	local a
	printf '%s\n' kpt-render-exit-0
	for a in $PKG_ASPECTS; do printf '%s\n' "kpt-render-$a"; done
	printf '%s\n' kpt-render-local-config-unchanged \
		kpt-render-second-run-exit-0 kpt-render-idempotent \
		kpt-render-relative-exec-fails-elsewhere \
		kpt-render-relative-exec-leaves-package \
		kpt-render-unwrap-exit-0 kpt-render-unwrap-leaves-package
	for a in $UNWRAP_ASPECTS; do printf '%s\n' "kpt-render-unwrap-$a"; done
	kpt_eval_checks
}

# --- 2. examples/argocd -------------------------------------------------------------

ARGO_YAML_ASPECTS="parse plugin patch install application app"

# The environment the CMP server gives plugin commands (sample values):
# Argo CD's build environment, the sidecar's own variables, nothing else.
ARGO_ENV=(
	"ARGOCD_APP_NAME=payment-processor-prod"
	"ARGOCD_APP_NAMESPACE=$NS"
	"ARGOCD_APP_PROJECT_NAME=default"
	"ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567"
	"ARGOCD_APP_REVISION_SHORT=0123456"
	"ARGOCD_APP_SOURCE_PATH=examples/argocd/app"
	"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/platform/costmon.git"
	"ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD"
	"KUBE_VERSION=1.32.4"
	"KUBE_API_VERSIONS=v1,apps/v1,batch/v1,monitoring.coreos.com/v1"
	"HOME=$T/argo-home"
	"PATH=$T/argo-bin:/usr/local/bin:/usr/bin:/bin"
	"COSTMON_XDG_CONFIG_HOME=$T/xdg"
)

# argo_run WHAT DIR OUT ERR [VAR=VALUE...]: plugin.yaml's WHAT command
# (init, generate, discover) in DIR, with ARGO_ENV (and the extra
# variables) only.
argo_run() {
	local what=$1 dir=$2 out=$3 err=$4
	local -a cmd
	shift 4
	if ! nul_words cmd "$PYTHON" "$T/ex.py" cmd "$ARGO_EX/plugin.yaml" \
		"$what"; then
		echo "cannot read spec.$what from plugin.yaml: $(cat "$T/words.err")" \
			>"$err"
		return 125
	fi
	(cd "$dir" && env -i "${ARGO_ENV[@]}" "$@" timeout "$TIMEOUT" \
		"${cmd[@]}" >"$out" 2>"$err")
}

# The files: parse, kinds and fields; the image layout.
argocd_static() {
	local dst=/opt/costmon/$PLUGIN_REL problems=
	aspect_checks argocd-yaml "$ARGO_YAML_ASPECTS" argocd-yaml "$ARGO_EX" \
		"$ROOT"
	grep -qE '^FROM \$\{COSTMON_IMAGE\} AS costmon$' "$ARGO_EX/Dockerfile" &&
		grep -qE '^ARG COSTMON_IMAGE=costmon/krm-fn:[0-9.]+$' \
			"$ARGO_EX/Dockerfile" ||
		problems+="Dockerfile does not build FROM costmon/krm-fn; "
	grep -qE "^COPY --from=costmon .*/usr/local/bin/krm-fn $dst\$" \
		"$ARGO_EX/Dockerfile" ||
		problems+="Dockerfile does not copy /usr/local/bin/krm-fn to $dst; "
	if [ -f "$ROOT/Dockerfile" ] &&
		! grep -q ' /usr/local/bin/krm-fn$' "$ROOT/Dockerfile"; then
		problems+="the project's Dockerfile no longer installs /usr/local/bin/krm-fn; "
	fi
	grep -qF 'COSTMON_XDG_CONFIG_HOME:-/opt/costmon}' "$ARGO_EX/plugin.yaml" ||
		problems+="plugin.yaml's default is not /opt/costmon; "
	grep -qF 'value: /opt/costmon' "$ARGO_EX/repo-server-patch.yaml" ||
		problems+="the patch does not set COSTMON_XDG_CONFIG_HOME=/opt/costmon; "
	if [ -z "$problems" ]; then ok argocd-image-layout; else
		not_ok argocd-image-layout "$problems"; fi
}

# The install kustomization over a stub argocd-repo-server (the parts of
# Argo CD's install manifest the patch meets).
argocd_patch() {
	local dir=$T/argocd-install rc
	fresh "$dir" "$ARGO_EX"
	cat >"$dir/argocd-stub.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: argocd-repo-server
  template:
    metadata:
      labels:
        app.kubernetes.io/name: argocd-repo-server
    spec:
      initContainers:
        - name: copyutil
          image: quay.io/argoproj/argocd:v2.13.3
          command: [/bin/cp, -n, /usr/local/bin/argocd, /var/run/argocd/argocd-cmp-server]
          volumeMounts:
            - {name: var-files, mountPath: /var/run/argocd}
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v2.13.3
          volumeMounts:
            - {name: var-files, mountPath: /var/run/argocd}
            - {name: plugins, mountPath: /home/argocd/cmp-server/plugins}
            - {name: tmp, mountPath: /tmp}
      volumes:
        - {name: var-files, emptyDir: {}}
        - {name: plugins, emptyDir: {}}
        - {name: tmp, emptyDir: {}}
EOF
	sed -i 's|^  - https://raw.githubusercontent.com/argoproj/.*$|  - argocd-stub.yaml|' \
		"$dir/kustomization.yaml"
	if ! grep -q '^  - argocd-stub.yaml$' "$dir/kustomization.yaml"; then
		not_ok argocd-patch-applies "no Argo CD install resource to replace" \
			"in $ARGO_EX/kustomization.yaml"
		return
	fi
	(cd "$T" && env -i PATH="$T/argo-bin:/usr/bin:/bin" HOME="$T/argo-home" \
		timeout "$TIMEOUT" kustomize build "$dir" >"$dir.out.yaml" \
		2>"$dir.log")
	rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok argocd-patch-applies "kustomize build exit $rc:" \
			"$(tail -n 20 "$dir.log")"
		return
	fi
	aspect_checks argocd-patch applies patched "$dir.out.yaml" \
		"$ARGO_EX/plugin.yaml"
}

# The plugin's commands, as the sidecar runs them.
argocd_commands() {
	local app=$T/argocd-app rc
	install_plugin "$T/xdg" argocd-make-install-plugin || return
	fresh "$app" "$ARGO_EX/app"

	argo_run discover "$app" "$app.discover" "$app.discover.err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ -s "$app.discover" ]; then
		ok argocd-discover-matches-app
	else
		not_ok argocd-discover-matches-app "exit $rc, output:" \
			"$(cat "$app.discover" "$app.discover.err")"
	fi
	# A plain kustomization (no ServiceProfile) and the kpt package (no
	# kustomization.yaml): exit 0, no output.
	local other=$T/argocd-plain out='' d
	fresh "$other" "$ARGO_EX/app"
	rm "$other/profile.yaml"
	sed -i '/^transformers:/,$d' "$other/kustomization.yaml"
	fresh "$T/argocd-kpt" "$KPT_EX"
	for d in "$other" "$T/argocd-kpt"; do
		argo_run discover "$d" "$T/discover.out" "$T/discover.err"
		rc=$?
		if [ "$rc" -ne 0 ] || [ -s "$T/discover.out" ]; then
			out+="$d: exit $rc, output '$(cat "$T/discover.out" \
				"$T/discover.err")'; "
		fi
	done
	if [ -z "$out" ]; then ok argocd-discover-ignores-others; else
		not_ok argocd-discover-ignores-others "$out"; fi

	argo_run init "$app" "$app.init" "$app.init.err"
	expect_ok argocd-init-exit-0 "$?" "$app.init.err"
	argo_run init "$app" "$app.init2" "$app.init2.err" \
		COSTMON_XDG_CONFIG_HOME="$T/nowhere"
	expect_fail argocd-init-reports-missing-plugin "$?" "$app.init2.err" \
		"no executable krm-fn at $T/nowhere/$PLUGIN_REL"

	argo_run generate "$app" "$app.out1.yaml" "$app.err1"
	rc=$?
	expect_ok argocd-generate-exit-0 "$rc" "$app.err1"
	aspect_checks argocd-generate "$STREAM_ASPECTS" stream "$app.out1.yaml"
	argo_run generate "$app" "$app.out2.yaml" "$app.err2"
	rc=$?
	expect_ok argocd-generate-second-run-exit-0 "$rc" "$app.err2"
	same_bytes argocd-generate-deterministic "$app.out1.yaml" \
		"$app.out2.yaml"
	same_bytes argocd-generate-leaves-app "$ARGO_EX/app" "$app"

	# A broken profile: generate fails and its stderr, which Argo CD
	# shows, carries krm-fn's message.
	fresh "$app.bad" "$ARGO_EX/app"
	sed -i 's/^  team: payments-team$/  teem: payments-team/' \
		"$app.bad/profile.yaml"
	argo_run generate "$app.bad" "$app.bad.out" "$app.bad.err"
	expect_fail argocd-generate-error-shown "$?" "$app.bad.err" \
		'spec.teem' 'did you mean "team"'
}

argocd_build_checks() {
	local a
	printf '%s\n' argocd-patch-applies argocd-make-install-plugin \
		argocd-discover-matches-app argocd-discover-ignores-others \
		argocd-init-exit-0 argocd-init-reports-missing-plugin \
		argocd-generate-exit-0
	for a in $STREAM_ASPECTS; do printf '%s\n' "argocd-generate-$a"; done
	printf '%s\n' argocd-generate-second-run-exit-0 \
		argocd-generate-deterministic argocd-generate-leaves-app \
		argocd-generate-error-shown
}

# --- run ------------------------------------------------------------------------------

if command -v kpt >/dev/null 2>&1; then
	echo "# kpt: $(command -v kpt) $(kpt version 2>/dev/null | head -n 1)"
	kpt_example
else
	for c in $(kpt_checks); do skip "$c" "kpt not installed"; done
fi

argocd_static

# `kustomize` for the plugin's commands: the real one, or a shim running
# `kubectl kustomize` (kubectl embeds kustomize; `build` is implied).
mkdir -p "$T/argo-bin" "$T/argo-home"
KUSTOMIZE_BY=
if command -v kustomize >/dev/null 2>&1; then
	ln -s "$(command -v kustomize)" "$T/argo-bin/kustomize"
	KUSTOMIZE_BY="kustomize $(kustomize version 2>/dev/null | head -n 1)"
elif command -v kubectl >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # $1 and $@ belong to the shim
	printf '#!/bin/sh\n# kustomize build ARGS... -> kubectl kustomize ARGS...\n[ "$1" = build ] && shift\nexec %s kustomize "$@"\n' \
		"'$(command -v kubectl)'" >"$T/argo-bin/kustomize"
	chmod 0755 "$T/argo-bin/kustomize"
	KUSTOMIZE_BY="kubectl kustomize (no standalone kustomize; shim)"
fi
if [ -z "$KUSTOMIZE_BY" ]; then
	for c in $(argocd_build_checks); do
		skip "$c" "neither kustomize nor kubectl installed"
	done
elif [ "$HAVE_PY" != 1 ]; then
	for c in $(argocd_build_checks); do
		skip "$c" "python3 with PyYAML needed to read plugin.yaml"
	done
else
	echo "# kustomize for plugin.yaml's commands: $KUSTOMIZE_BY"
	argocd_patch
	argocd_commands
fi
exit 0
