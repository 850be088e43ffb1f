# smi-witness build.
#
#   make            build build/smi-witness and build/sample-app
#   make test       build and run unit + integration tests (root, real BPF)
#   make demo       run the main job
#   make bench      print the benchmark table (BENCH="capture offline" runs only those)
#   make deps       install missing Debian packages (idempotent, fast when done)
#   make install    install the binary, the sample app and the shipped files
#                   (PREFIX=/usr/local, DESTDIR= for staging)
#   make V=1 ...    show full commands
#
# Everything generated lands in $(OUTPUT); nothing is written next to sources.

OUTPUT    ?= build
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV   := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-9s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

# The targets that build before they run (test, demo, fuzz, soak, bench, install)
# build with one job per CPU: a fresh `make test` spends minutes compiling three
# object trees (release, sanitizers, fuzzing) that do not depend on each other.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.DELETE_ON_ERROR:
.SUFFIXES:
# BPF objects are kept: skeletons embed them and tests load them by path.
.SECONDARY:

# --- packages ---------------------------------------------------------------
# Debian packages the project needs to build, test, demo and bench.
DEB_PACKAGES := make gcc clang llvm libc6-dev pkg-config libbpf-dev bpftool \
	libelf-dev zlib1g-dev libjansson-dev libyaml-dev libpcre2-dev libnghttp2-dev \
	libcmocka-dev libcurl4-openssl-dev libssl-dev openssl libclang-rt-14-dev iproute2 \
	haproxy wrk curl jq tcpdump procps util-linux valgrind libxml2-utils time \
	python3-protobuf python3-yaml protobuf-compiler python3-junitparser python3-pil chromium cmark-gfm \
	nghttp2-client nghttp2-server nghttp2-proxy tshark

# --- flags ------------------------------------------------------------------
WARN      := -Wall -Wextra -Werror
INCLUDES  := -I$(OUTPUT) -Ibpf -Iuserspace
CFLAGS    ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP $(INCLUDES) \
	-DSMIW_VERSION='"$(VERSION)"' -DSMIW_GIT_REV='"$(GIT_REV)"'
LIBS      := -lbpf -lelf -lz -ljansson -lyaml -lpcre2-8 -lcurl -lnghttp2 -lm -lpthread
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) \
	-Wno-unused-parameter -MMD -MP -I$(OUTPUT) -Ibpf

# --- sources ----------------------------------------------------------------
# The smi-witness library is every userspace .c; main.c is linked only into
# the binary so tests can link the rest.
LIB_SRCS   := $(filter-out userspace/cli/main.c,$(shell find userspace -name '*.c' 2>/dev/null | sort))
LIB_OBJS   := $(LIB_SRCS:%.c=$(OUTPUT)/obj/%.o)
MAIN_OBJ   := $(OUTPUT)/obj/userspace/cli/main.o
APP_SRCS   := $(shell find sample-app/server -name '*.c' 2>/dev/null | sort)
APP_OBJS   := $(APP_SRCS:%.c=$(OUTPUT)/obj/%.o)
BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(BPF_SRCS:bpf/%.bpf.c=$(OUTPUT)/bpf/%.bpf.o)
SKELS      := $(BPF_SRCS:bpf/%.bpf.c=$(OUTPUT)/%.skel.h)
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(OUTPUT)/tests/unit/%)
ITEST_SRCS := $(wildcard tests/integration/*.c)
ITEST_BINS := $(ITEST_SRCS:tests/integration/%.c=$(OUTPUT)/tests/integration/%)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(OUTPUT)/fuzz/%)
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(OUTPUT)/tests/bench/%)
TLIB_SRCS  := $(wildcard tests/lib/*.c)
TLIB_OBJS  := $(TLIB_SRCS:%.c=$(OUTPUT)/obj/%.o)

BIN        := $(OUTPUT)/smi-witness
APP_BIN    := $(OUTPUT)/sample-app
LIBSMIW    := $(OUTPUT)/libsmiw.a

.PHONY: all deps build test test-bins san-bins bench-bins fuzz fuzz-bins demo soak bench clean install uninstall
all: deps
	$(Q)$(MAKE) -j$(JOBS) build

build: $(BIN) $(if $(APP_SRCS),$(APP_BIN))

# dpkg-query per package keeps the nothing-missing case well under a second.
deps:
	$(Q)missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "  DEPS      installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

# --- BPF --------------------------------------------------------------------
# vmlinux.h comes from the running kernel's BTF when there is one, otherwise
# from the committed copy (CO-RE relocates field offsets at load time anyway).
$(OUTPUT)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)if [ -r /sys/kernel/btf/vmlinux ]; then \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@; \
	else cp bpf/vmlinux/vmlinux_x86_64.h $@; fi

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- userspace --------------------------------------------------------------
# Skeletons are order-only prerequisites: they must exist before the first
# compile; after that the .d files say exactly which objects include them.
$(OUTPUT)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBSMIW): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIBSMIW)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LIBS)

$(APP_BIN): $(APP_OBJS) $(LIBSMIW)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# --- tests ------------------------------------------------------------------
$(OUTPUT)/obj/tests/%.o: INCLUDES += -Itests/lib
# The test library plays a TLS server (a stand-in API server): it needs OpenSSL.
$(OUTPUT)/tests/%: LIBS += -lssl -lcrypto

$(OUTPUT)/tests/unit/%: $(OUTPUT)/obj/tests/unit/%.o $(TLIB_OBJS) $(LIBSMIW)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(OUTPUT)/tests/integration/%: $(OUTPUT)/obj/tests/integration/%.o $(TLIB_OBJS) $(LIBSMIW)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LIBS)

test-bins: $(UNIT_BINS) $(ITEST_BINS)

# Helpers of the benchmarks (tests/bench/*.c): load tools and writer timing.
$(OUTPUT)/tests/bench/%: $(OUTPUT)/obj/tests/bench/%.o $(LIBSMIW)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

bench-bins: $(BENCH_BINS)

test: deps
	$(Q)$(MAKE) -j$(JOBS) build test-bins san-bins fuzz-bins
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/run --build $(OUTPUT)

# --- sanitizers -------------------------------------------------------------
# The unit tests once more, linked against the library rebuilt with clang,
# ASan and UBSan in an object tree of its own (as the fuzz build keeps its own).
SAN_FLAGS      := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
SAN_CFLAGS      = -O1 -g $(SAN_FLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP $(INCLUDES) \
	-Itests/lib -DSMIW_VERSION='"$(VERSION)"' -DSMIW_GIT_REV='"$(GIT_REV)"'
SAN_LIB_OBJS   := $(LIB_SRCS:%.c=$(OUTPUT)/san-obj/%.o)
SAN_TLIB_OBJS  := $(TLIB_SRCS:%.c=$(OUTPUT)/san-obj/%.o)
SAN_UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(OUTPUT)/san/tests/unit/%)

$(OUTPUT)/san-obj/%.o: %.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(OUTPUT)/libsmiw-san.a: $(SAN_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/san/tests/unit/%: $(OUTPUT)/san-obj/tests/unit/%.o $(SAN_TLIB_OBJS) $(OUTPUT)/libsmiw-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g $(SAN_FLAGS) -o $@ $^ $(LIBS) -lssl -lcrypto -lcmocka

san-bins: $(SAN_UNIT_BINS)

# --- fuzzing ----------------------------------------------------------------
# libFuzzer targets link the library rebuilt with clang, ASan and UBSan into
# its own object tree, so sanitizer objects never mix with the release build.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) -std=gnu11 \
	-D_GNU_SOURCE -MMD -MP $(INCLUDES) -Itests/lib -DSMIW_VERSION='"$(VERSION)"' \
	-DSMIW_GIT_REV='"$(GIT_REV)"' -DSMIW_FUZZING
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(OUTPUT)/fuzz-obj/%.o)
FUZZ_SECONDS ?= 5

$(OUTPUT)/fuzz-obj/%.o: %.c | $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(OUTPUT)/fuzz/%: $(OUTPUT)/fuzz-obj/tests/fuzz/%.o $(FUZZ_LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-bins: $(FUZZ_BINS)

# Longer runs than the short pass `make test` does.
fuzz: deps
	$(Q)$(MAKE) -j$(JOBS) fuzz-bins
	$(Q)FUZZ_SECONDS=$(if $(filter 5,$(FUZZ_SECONDS)),300,$(FUZZ_SECONDS)) ./tests/run --build $(OUTPUT) --fuzz-only

# Every suite against the reference mesh (all PASS) and a faulty one (FAILs
# exactly what it breaks), and the metrics suite against a mesh that misreports
# its counters; reports under out/, the lab is brought down after.
DEMO_FAULTY ?= faulty-weights
DEMO_METRICS ?= inflate-metrics
DEMO_GAMMA ?= route-redirect-host
demo: deps
	$(Q)$(MAKE) -j$(JOBS) build
	$(Q)$(BIN) doctor >/dev/null || { $(BIN) doctor; exit 1; }
	$(Q)rm -rf out/reference out/$(DEMO_FAULTY) out/$(DEMO_METRICS)
	$(Q)$(BIN) run specs/ --mesh reference --out out
	$(Q)$(BIN) run specs/ --mesh $(DEMO_FAULTY) --out out; test $$? -eq 1
	$(Q)$(BIN) run specs/traffic-metrics.yaml --mesh $(DEMO_METRICS) --out out; test $$? -eq 1
	$(Q)rm -rf out/gamma
	$(Q)$(BIN) run specs/gamma --topology sample-app/topology/gamma.yaml --mesh reference --out out/gamma
	$(Q)$(BIN) run specs/gamma --topology sample-app/topology/gamma.yaml --mesh $(DEMO_GAMMA) --out out/gamma; \
		test $$? -eq 1
	$(Q)$(BIN) matrix out/*/report.json out/gamma/*/report.json --out out
	@echo
	@echo "reference: every assertion PASS; $(DEMO_FAULTY): FAIL on what it breaks;"
	@echo "$(DEMO_METRICS): FAIL on the metrics assertions, reported vs observed (tables above)"
	@echo "Gateway API mesh tests: out/gamma/<mesh>/ (conformance-report.yaml beside report.json);"
	@echo "$(DEMO_GAMMA): FAIL on the redirects that name a hostname"
	@echo "HTML compatibility matrix: out/matrix.html   (Markdown: out/matrix.md)"
	@echo "replay any scenario offline: out/<mesh>/<scenario>/replay.sh"

# 20 runs of every suite against the reference mesh (any FAIL is a false
# alarm) and of each faulty variant against its suites (anything but exactly
# its FAILs is a miss). Not part of `make test` (that runs each accounting
# cheat once, on its focus steps): it takes hours. LAB=name runs it in a lab
# of that name (default sk<pid>), SOAK_RUNS=n changes 20,
# SOAK_VARIANTS="a b" runs only those variants.
SOAK_RUNS ?= 20
soak: deps
	$(Q)$(MAKE) -j$(JOBS) build
	$(Q)./tests/soak.sh $(BIN) $(SOAK_RUNS) "$(LAB)" $(SOAK_VARIANTS)
	$(Q)./tests/soak_gamma.sh $(BIN) $(SOAK_RUNS)

bench: deps
	$(Q)$(MAKE) -j$(JOBS) build bench-bins
	$(Q)./tests/bench/run $(OUTPUT) $(BENCH)

# --- install ----------------------------------------------------------------
# The binary finds what it ships relative to itself (util/file.h:
# file_data_path, file_helper_path), so a staged DESTDIR tree works once
# moved to PREFIX and the source tree is not needed.
PREFIX     ?= /usr/local
BINDIR      = $(PREFIX)/bin
LIBEXECDIR  = $(PREFIX)/libexec/smi-witness
DATADIR     = $(PREFIX)/share/smi-witness
DATA_FILES := sample-app/topology/default.yaml \
	$(shell find specs deploy/sample-app -type f \( -name '*.yaml' -o -name '*.yml' \) 2>/dev/null | sort)

# Like `make`, it installs missing packages first: on a fresh machine it is the first step.
install: deps
	$(Q)$(MAKE) -j$(JOBS) build
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	$(Q)install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/smi-witness
	$(Q)install -m 0755 $(APP_BIN) $(DESTDIR)$(LIBEXECDIR)/sample-app
	$(Q)for f in $(DATA_FILES); do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; \
	done

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(BINDIR)/smi-witness
	$(Q)rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
