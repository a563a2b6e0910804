# costmon: build, test and install krm-fn.
#
#   make deps             install missing Debian packages (apt-get) and the
#                         test suite's Grafana types (npm)
#   make                  build ./krm-fn
#   make example          build and run it on the bundled example
#   make test             run every test suite
#   make sanitize         build with ASan+UBSan and run the suite
#   make fuzz             build the libFuzzer harness (clang)
#   make bench            run the benchmark
#   make static           build ./krm-fn-static, statically linked (the image's binary)
#   make install          install to $(PREFIX)/bin and the man page (PREFIX=/usr/local)
#   make install-plugin   install as a kustomize exec plugin under
#                         $(XDG_CONFIG_HOME)/kustomize/plugin
#   make uninstall        remove what install and install-plugin put in place

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_POSIX_C_SOURCE=200809L
LDLIBS  := -lyaml -ljansson

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man/man1
XDG_CONFIG_HOME ?= $(HOME)/.config
PLUGIN_DIR := $(XDG_CONFIG_HOME)/kustomize/plugin/costmon.dev/v1alpha1/serviceprofile

# The pipeline, in order: read -> decode config -> expand profiles ->
# transform items -> generate -> write (core: shared by all).
SRCS := \
	src/core/arena.c src/core/buf.c src/core/diag.c src/core/node.c \
	src/core/text.c src/core/item.c src/core/decimal.c \
	src/read/input.c src/read/parse.c src/read/resourcelist.c \
	src/config/config.c src/config/fields.c \
	src/expand/builtin.c src/expand/catalog.c src/expand/cost.c \
	src/expand/monitoring.c src/expand/pdec.c src/expand/profiles.c \
	src/expand/dashplan.c \
	src/transform/labels.c \
	src/generate/monitor.c src/generate/object.c src/generate/budget.c \
	src/generate/dashboard.c \
	src/report/report.c \
	src/write/emit.c src/write/output.c src/write/splice.c \
	src/pipeline.c
MAIN := src/main.c
OBJS := $(SRCS:.c=.o)
HDRS := $(wildcard src/*.h src/*/*.h)

# Debian bookworm packages: build, test tools (python3-yaml: independent
# YAML parser for data-equality checks; python3-jsonschema: CRD schema
# checks; prometheus: promtool; clang: fuzzing).
DEB_PACKAGES := build-essential pkg-config libyaml-dev libjansson-dev \
	python3 python3-yaml python3-jsonschema prometheus clang

.PHONY: all deps example static test sanitize fuzz fuzz-replay bench install install-plugin \
	uninstall clean

all: krm-fn

# The same sources linked statically: no shared libraries at run time,
# so it runs in an empty (scratch) image. The Dockerfile runs this target.
static: krm-fn-static

krm-fn-static: $(SRCS) $(MAIN) $(HDRS)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -static -o $@ $(SRCS) $(MAIN) $(LDLIBS)

krm-fn: $(OBJS) $(MAIN:.c=.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

%.o: %.c $(HDRS)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Grafana's dashboard types (npm registry, versions pinned in
	@# tests/grafana/package-lock.json) for tests/dashboard.sh.
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "installing: nodejs npm"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	cd tests/grafana && npm ci --no-audit --no-fund --loglevel=error

example: krm-fn
	./krm-fn < examples/quickstart/resource-list.yaml

# The whole suite against a given binary (KRM_FN=path overrides).
test: krm-fn krm-fn-static tests/fuzz-replay tests/unit
	KRM_FN=$(CURDIR)/krm-fn bash tests/run.sh

tests/fuzz-replay: fuzz/harness.c fuzz/replay.c $(SRCS) $(HDRS)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ fuzz/harness.c fuzz/replay.c \
		$(SRCS) $(LDLIBS)

tests/unit: tests/unit.c $(SRCS) $(HDRS)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/unit.c $(SRCS) $(LDLIBS)

# The suite against binaries built with ASan and UBSan, in build/sanitize
# (out of tree: the normal build is left alone). Any report aborts.
SAN_DIR    := build/sanitize
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
sanitize:
	mkdir -p $(SAN_DIR)
	$(CC) $(WARN) $(CPPFLAGS) $(SAN_CFLAGS) -o $(SAN_DIR)/krm-fn $(SRCS) $(MAIN) $(LDLIBS)
	$(CC) $(WARN) $(CPPFLAGS) $(SAN_CFLAGS) -o $(SAN_DIR)/fuzz-replay \
		fuzz/harness.c fuzz/replay.c $(SRCS) $(LDLIBS)
	$(CC) $(WARN) $(CPPFLAGS) $(SAN_CFLAGS) -o $(SAN_DIR)/unit tests/unit.c $(SRCS) $(LDLIBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	KRM_FN=$(CURDIR)/$(SAN_DIR)/krm-fn FUZZ_REPLAY=$(CURDIR)/$(SAN_DIR)/fuzz-replay \
	UNIT_BIN=$(CURDIR)/$(SAN_DIR)/unit bash tests/run.sh

fuzz: fuzz/krm-fuzz

fuzz/krm-fuzz: fuzz/harness.c $(SRCS) $(HDRS)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all \
		-o $@ fuzz/harness.c $(SRCS) $(LDLIBS)

bench: krm-fn
	bash bench/run.sh

install: krm-fn
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 krm-fn $(DESTDIR)$(BINDIR)/krm-fn
	install -m 0644 krm-fn.1 $(DESTDIR)$(MANDIR)/krm-fn.1

install-plugin: krm-fn
	install -d $(DESTDIR)$(PLUGIN_DIR)
	install -m 0755 krm-fn $(DESTDIR)$(PLUGIN_DIR)/ServiceProfile

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/krm-fn $(DESTDIR)$(MANDIR)/krm-fn.1 \
		$(DESTDIR)$(PLUGIN_DIR)/ServiceProfile
	-rmdir -p $(DESTDIR)$(PLUGIN_DIR) 2>/dev/null

clean:
	rm -f $(OBJS) $(MAIN:.c=.o) krm-fn krm-fn-static tests/fuzz-replay tests/unit fuzz/krm-fuzz
	rm -rf build
