# pperf: one non-recursive GNU Makefile.
# make            build every phase into bin/ and lib/ into build/libpperf.a
# make check      unit (Check) and end-to-end tests; ends with "N passed, N failed"
# make audit      whole pipeline on examples/ (or ROOT=path)
# make asan       build and test with AddressSanitizer and UBSan
# make asan-unit  the unit tests alone under the sanitizers (CI runs it too)
# make valgrind   the end-to-end pipeline under valgrind memcheck
# make score      precision/recall on ../shared/cases
# make bench      speed on a generated corpus (BENCH_ROOT=dir: on dir, against ripgrep)
# make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/pperf
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/pperf
PKG_CONFIG ?= pkg-config
CC ?= cc
VERSION := 0.1.0
# the project's home page, SARIF's tool.driver.informationUri (left out when empty)
HOMEPAGE ?=

PKGS := jansson libcurl libpcre2-8
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
BUILD ?= build
B ?= bin
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPPERF_VERSION='"$(VERSION)"' -Ilib \
	$(if $(HOMEPAGE),-DPPERF_HOMEPAGE='"$(HOMEPAGE)"') \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(CPPFLAGS)
LDLIBS_ALL = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread $(LDLIBS)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

PHASES := discover research audit-query audit-txn audit-runtime aggregate publish
BINS := $(addprefix $(B)/pperf-,$(PHASES)) $(B)/pperf

LIB_SRCS := $(sort $(wildcard lib/*.c lib/py/*.c lib/js/*.c lib/go/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBA := $(BUILD)/libpperf.a

UNIT_SRCS := $(sort $(wildcard t/unit/check_*.c))
UNIT_NAMES := $(patsubst t/unit/check_%.c,%,$(UNIT_SRCS))
# checks compiled into the unit runner (every check file of every auditor)
CHECK_SRCS := $(sort $(filter-out %/main.c,$(wildcard audit-query/*.c audit-txn/*.c audit-runtime/*.c)))

.PHONY: all deps check unit e2e audit asan asan-unit score bench install clean lint valgrind
all: $(BINS)

deps:
	@sh t/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define PHASE_template
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$$(sort $$(wildcard $(1)/*.c)))
$(B)/pperf-$(1): $$($(1)_OBJS) $(LIBA)
	@mkdir -p $(B)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $(LIBA) $$(LDLIBS_ALL)
endef
$(foreach p,$(PHASES),$(eval $(call PHASE_template,$(p))))

$(B)/pperf: pperf.sh
	@mkdir -p $(B)
	sed 's/@VERSION@/$(VERSION)/' pperf.sh > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@

# ---- tests
$(BUILD)/t/suites.h: $(UNIT_SRCS)
	@mkdir -p $(dir $@)
	@for n in $(UNIT_NAMES); do echo "X($$n)"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/t/%.o: t/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -I$(BUILD)/t -It/unit $(CHECK_CFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -MMD -MP -c -o $@ $<

$(BUILD)/t/runner.o: $(BUILD)/t/suites.h
UNIT_OBJS := $(patsubst t/unit/%.c,$(BUILD)/t/%.o,$(UNIT_SRCS)) $(BUILD)/t/runner.o
CHECK_OBJS := $(CHECK_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/t/unit-runner: $(UNIT_OBJS) $(CHECK_OBJS) $(LIBA)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(CHECK_OBJS) $(LIBA) $(CHECK_LIBS) $(LDLIBS_ALL)

$(BUILD)/t/pydump: t/tools/pydump.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

$(BUILD)/t/ixdump: t/tools/ixdump.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

# the fuzz targets with the replay loop of t/fuzz/driver.c (no clang needed): make check replays
# their seeds and t/fuzz/regress/ (t/e2e/73-fuzz-replay.sh)
FUZZ_SRCS := $(sort $(wildcard t/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst t/fuzz/%.c,$(BUILD)/t/%,$(FUZZ_SRCS))
FUZZ_LINK_OBJS := $(CHECK_OBJS) $(patsubst %.c,$(BUILD)/%.o,$(filter-out %/main.c,$(wildcard aggregate/*.c publish/*.c)))

$(BUILD)/t/fuzz_%: t/fuzz/fuzz_%.c t/fuzz/driver.c $(FUZZ_LINK_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< t/fuzz/driver.c $(FUZZ_LINK_OBJS) $(LIBA) $(LDLIBS_ALL)

# LD_PRELOAD shim of t/e2e/70-faults.sh (never sanitized: it is loaded into every phase)
$(BUILD)/t/faultinject.so: t/tools/faultinject.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -fPIC -shared -D_GNU_SOURCE -o $@ $< -ldl

check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/t/unit-runner $(BUILD)/t/pydump $(BUILD)/t/ixdump \
		$(FUZZ_BINS) $(BUILD)/t/faultinject.so
	@PPERF_BIN=$(CURDIR)/$(B) PPERF_TOOLS=$(CURDIR)/$(BUILD)/t sh t/run-tests.sh $(BUILD)

unit: all $(BUILD)/t/unit-runner
	$(BUILD)/t/unit-runner

audit: deps
	@$(MAKE) --no-print-directory all
	@./bin/pperf $(if $(ROOT),"$(ROOT)",examples/app)

asan:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) BUILD=build-asan B=build-asan/bin CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" check

# the unit tests alone under the sanitizers (.ci/run runs it after make check:
# about 1.5 minutes here); -O1 also surfaces -Wformat-truncation that -O2 hides
asan-unit:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MAKE) --no-print-directory BUILD=build-asan B=build-asan/bin \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" unit

score: all
	@sh t/score.sh python ts go

bench: all
	@sh bench/bench.sh

# the end-to-end pipeline under valgrind's memcheck (t/valgrind.sh); not part of check
valgrind: all
	@sh t/valgrind.sh

lint:
	@for m in man/*.[157]; do mandoc -Tlint -Wwarning $$m || exit 1; done

# ---- fuzzing: every t/fuzz/fuzz_<name>.c (an LLVMFuzzerTestOneInput) runs
# under ASan and UBSan over the seeds of t/fuzz/corpus/<name>/, for
# FUZZ_SECONDS each or FUZZ_RUNS inputs; FUZZ=name runs one target.  clang's
# libFuzzer when it links, else the deterministic mutation loop of
# t/fuzz/driver.c.  Objects go to build-fuzz/, crashing inputs to
# build-fuzz/crash-<name>-*.  See t/fuzz/run.sh.
FUZZ_SECONDS ?= 30
fuzz:
	@MAKE="$(MAKE)" FUZZ_SECONDS="$(FUZZ_SECONDS)" FUZZ_RUNS="$(FUZZ_RUNS)" FUZZ="$(FUZZ)" sh t/fuzz/run.sh
.PHONY: fuzz

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for s in 1 5 7; do for m in man/*.$$s; do [ -f "$$m" ] || continue; \
		install -m 644 "$$m" $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done; done
	install -d $(DESTDIR)$(DATADIR)/kb
	install -m 644 research/kb/*.json $(DESTDIR)$(DATADIR)/kb/

clean:
	rm -rf build build-asan build-fuzz bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
