# syntax=docker/dockerfile:1
# costmon's KRM function image: a statically linked krm-fn in an empty
# image, run as nobody. It reads a ResourceList on stdin and writes one on
# stdout, as kpt and kustomize's container functions expect:
#   docker build -t costmon/krm-fn:0.1.0 .
#   kpt fn eval --image costmon/krm-fn:0.1.0 pkg -- service=... team=...
# The build stage runs `make static`, the target the test suite builds and
# runs the end-to-end suite against.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential libyaml-dev libjansson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY src ./src
RUN make static && ./krm-fn-static --version

FROM scratch
COPY --from=build /src/krm-fn-static /usr/local/bin/krm-fn
LABEL org.opencontainers.image.title="costmon krm-fn" \
      org.opencontainers.image.description="KRM function: cost labels, budgets and Prometheus/Dynatrace monitoring objects for Kubernetes resources" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.vendor="costmon"
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/krm-fn"]
