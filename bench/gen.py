#!/usr/bin/env python3
"""bench/gen.py - write a benchmark ResourceList on stdout.

    python3 bench/gen.py N > rl.yaml
    python3 bench/gen.py --small N > rl.yaml   (N one-line ConfigMaps)

The list holds N items: Deployment + Service pairs (N/2 pairs; when N is
odd the last item is a lone Deployment, so N=1 is a single Deployment).
Items are in the annotated form `kpt fn source` produces: each carries
config.kubernetes.io/{index,path} and internal.config.kubernetes.io/
{index,path,seqindent}, with the pair sharing one file (index '0' and
'1'). The functionConfig is a ServiceProfile named "bench" that runs the
whole cost stage (every item gets its labels and budget annotations).

Objects look like real workloads (labels, selector, pod template,
containers with ports, env, resources and probes) and vary per pair. The
output is deterministic: the same N always gives the same bytes.
Standard library only.
"""
import sys

# Name parts, combined per pair so names and values vary.
DOMAINS = [
    "checkout", "payments", "catalog", "search", "inventory", "shipping",
    "accounts", "orders", "reviews", "recommend", "notify", "billing",
    "auth", "cart", "pricing", "media", "ledger", "fraud", "loyalty",
]
ROLES = ["api", "worker", "gateway", "frontend", "sync", "indexer",
         "scheduler", "consumer", "cache", "exporter", "admin"]
NAMESPACES = ["shop", "platform", "payments", "data", "edge"]
CPU_REQ = ["100m", "250m", "500m", "750m"]
MEM_REQ = ["128Mi", "256Mi", "512Mi", "1Gi"]
CPU_LIM = ["500m", "1", "2"]
MEM_LIM = ["256Mi", "512Mi", "1Gi", "2Gi"]
LOG_LEVELS = ["info", "debug", "warn"]


def names(i):
    """Name, namespace and a few per-pair values for pair i."""
    d = DOMAINS[i % len(DOMAINS)]
    r = ROLES[(i // len(DOMAINS)) % len(ROLES)]
    return {
        "name": "%s-%s-%d" % (d, r, i),
        "app": "%s-%s" % (d, r),
        "domain": d,
        "role": r,
        "ns": NAMESPACES[i % len(NAMESPACES)],
        "path": "%s-%s-%d/resources.yaml" % (d, r, i),
        "replicas": 1 + i % 5,
        "port": 8080 + (i % 7) * 10,
        "metrics": 9090 + i % 3,
        "cache_port": 6000 + i % 4,
        "version": "1.%d.%d" % (i % 13, i % 7),
        "cpu_req": CPU_REQ[i % len(CPU_REQ)],
        "mem_req": MEM_REQ[(i // 2) % len(MEM_REQ)],
        "cpu_lim": CPU_LIM[i % len(CPU_LIM)],
        "mem_lim": MEM_LIM[(i // 3) % len(MEM_LIM)],
        "log": LOG_LEVELS[i % len(LOG_LEVELS)],
        "delay": 5 + i % 10,
    }


def annotations(v, index):
    """The annotations kpt adds when it reads a package (8 spaces in)."""
    return (
        "    annotations:\n"
        "      config.kubernetes.io/index: '%(index)d'\n"
        "      config.kubernetes.io/path: '%(path)s'\n"
        "      internal.config.kubernetes.io/index: '%(index)d'\n"
        "      internal.config.kubernetes.io/path: '%(path)s'\n"
        "      internal.config.kubernetes.io/seqindent: 'compact'\n"
    ) % dict(v, index=index)


def labels(v, indent):
    pad = " " * indent
    return "".join(pad + line + "\n" for line in (
        "app.kubernetes.io/name: %(app)s" % v,
        "app.kubernetes.io/instance: %(name)s" % v,
        "app.kubernetes.io/component: %(role)s" % v,
        "app.kubernetes.io/part-of: %(domain)s" % v,
        "app.kubernetes.io/version: \"%(version)s\"" % v,
    ))


def deployment(v, index):
    return (
        "- apiVersion: apps/v1\n"
        "  kind: Deployment\n"
        "  metadata:\n"
        "    name: %(name)s\n"
        "    namespace: %(ns)s\n"
        "    labels:\n"
        + labels(v, 6)
        + annotations(v, index)
        + "  spec:\n"
        "    replicas: %(replicas)d\n"
        "    revisionHistoryLimit: 5\n"
        "    selector:\n"
        "      matchLabels:\n"
        "        app.kubernetes.io/name: %(app)s\n"
        "        app.kubernetes.io/instance: %(name)s\n"
        "    strategy:\n"
        "      type: RollingUpdate\n"
        "      rollingUpdate:\n"
        "        maxSurge: 25%%\n"
        "        maxUnavailable: 0\n"
        "    template:\n"
        "      metadata:\n"
        "        labels:\n"
        + labels(v, 10)
        + "        annotations:\n"
        "          prometheus.io/scrape: \"true\"\n"
        "          prometheus.io/port: \"%(metrics)d\"\n"
        "      spec:\n"
        "        serviceAccountName: %(name)s\n"
        "        terminationGracePeriodSeconds: 30\n"
        "        securityContext:\n"
        "          runAsNonRoot: true\n"
        "          runAsUser: 10001\n"
        "          fsGroup: 10001\n"
        "        containers:\n"
        "        - name: %(role)s\n"
        "          image: registry.example.com/%(domain)s/%(role)s:%(version)s\n"
        "          imagePullPolicy: IfNotPresent\n"
        "          args:\n"
        "          - --listen=:%(port)d\n"
        "          - --metrics-listen=:%(metrics)d\n"
        "          - --log-level=%(log)s\n"
        "          ports:\n"
        "          - name: http\n"
        "            containerPort: %(port)d\n"
        "            protocol: TCP\n"
        "          - name: metrics\n"
        "            containerPort: %(metrics)d\n"
        "            protocol: TCP\n"
        "          env:\n"
        "          - name: PORT\n"
        "            value: \"%(port)d\"\n"
        "          - name: CACHE_PORT\n"
        "            value: \"%(cache_port)d\"\n"
        "          - name: CACHE_HOST\n"
        "            value: %(domain)s-cache.%(ns)s.svc.cluster.local\n"
        "          - name: LOG_LEVEL\n"
        "            value: %(log)s\n"
        "          - name: FEATURE_TRACING\n"
        "            value: \"false\"\n"
        "          - name: POD_NAME\n"
        "            valueFrom:\n"
        "              fieldRef:\n"
        "                fieldPath: metadata.name\n"
        "          resources:\n"
        "            requests:\n"
        "              cpu: %(cpu_req)s\n"
        "              memory: %(mem_req)s\n"
        "            limits:\n"
        "              cpu: \"%(cpu_lim)s\"\n"
        "              memory: %(mem_lim)s\n"
        "          readinessProbe:\n"
        "            httpGet:\n"
        "              path: /healthz/ready\n"
        "              port: http\n"
        "            initialDelaySeconds: %(delay)d\n"
        "            periodSeconds: 10\n"
        "            failureThreshold: 3\n"
        "          livenessProbe:\n"
        "            httpGet:\n"
        "              path: /healthz/live\n"
        "              port: http\n"
        "            initialDelaySeconds: 15\n"
        "            periodSeconds: 20\n"
        "          volumeMounts:\n"
        "          - name: config\n"
        "            mountPath: /etc/%(domain)s\n"
        "            readOnly: true\n"
        "        volumes:\n"
        "        - name: config\n"
        "          configMap:\n"
        "            name: %(name)s-config\n"
    ) % v


def service(v, index):
    return (
        "- apiVersion: v1\n"
        "  kind: Service\n"
        "  metadata:\n"
        "    name: %(name)s\n"
        "    namespace: %(ns)s\n"
        "    labels:\n"
        + labels(v, 6)
        + annotations(v, index)
        + "  spec:\n"
        "    type: ClusterIP\n"
        "    selector:\n"
        "      app.kubernetes.io/name: %(app)s\n"
        "      app.kubernetes.io/instance: %(name)s\n"
        "    ports:\n"
        "    - name: http\n"
        "      port: 80\n"
        "      targetPort: http\n"
        "      protocol: TCP\n"
        "    - name: metrics\n"
        "      port: %(metrics)d\n"
        "      targetPort: metrics\n"
        "      protocol: TCP\n"
    ) % v


FUNCTION_CONFIG = (
    "functionConfig:\n"
    "  apiVersion: costmon.dev/v1alpha1\n"
    "  kind: ServiceProfile\n"
    "  metadata:\n"
    "    name: bench\n"
    "  spec:\n"
    "    service: checkout-api-0\n"
    "    team: bench-team\n"
    "    environment: prod\n"
    "    size: large\n"
    "    costProfile: standard-api-cost\n"
    "    cost:\n"
    "      costCenter: CC-12345\n"
    "      businessUnit: retail-banking\n"
    "      costOwner: alice.johnson@company.com\n"
    "    monitoringProfile: api-observability\n"
    "    namespace: shop\n"
    "    monitoring:\n"
    "      serviceName: checkout-api-0\n"
    "      serviceSelector:\n"
    "        app.kubernetes.io/instance: checkout-api-0\n"
)


def small(k):
    """A minimal item (about 60 bytes): many small objects in one list."""
    return ("- apiVersion: v1\n  kind: ConfigMap\n"
            "  metadata: {name: c%06d}\n" % k)


def main(argv):
    args = [a for a in argv[1:] if a != "--small"]
    if len(args) != 1 or not args[0].isdigit():
        sys.stderr.write("usage: python3 bench/gen.py [--small] N > rl.yaml\n")
        return 2
    n = int(args[0])
    out = sys.stdout
    out.write("apiVersion: config.kubernetes.io/v1\n"
              "kind: ResourceList\n")
    out.write("items:\n" if n else "items: []\n")
    for k in range(n):
        if "--small" in argv:
            out.write(small(k))
            continue
        v = names(k // 2)
        out.write(deployment(v, 0) if k % 2 == 0 else service(v, 1))
    out.write(FUNCTION_CONFIG)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
