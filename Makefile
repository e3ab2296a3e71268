# SPDX-License-Identifier: GPL-2.0-or-later
# kdump: one flat Makefile. `make` builds build/kdump, `make check` runs the tests (tiers below).
#
# Switches: SANITIZE=address,undefined  WERROR=1  CC=clang  V=1  STATIC=1 (static binary)
#           SHARED=../shared (reference fixtures)  PREFIX=/usr/local  DESTDIR=

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
SHARED ?= $(abspath ../shared)
B ?= build

ifneq ($(V),1)
Q := @
endif

# zstd is optional: built in when its headers are there (ZSTD=0 to leave it out).
ZSTD ?= $(shell $(PKG_CONFIG) --exists libzstd 2>/dev/null && echo 1 || echo 0)

CFLAGS ?= -O2 -g
KD_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -fno-strict-aliasing -D_GNU_SOURCE \
	-I. -pthread -DKD_HAVE_ZSTD=$(ZSTD)
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)
ifneq ($(CC_IS_CLANG),1)
KD_CFLAGS += -Wno-format-truncation
endif
ifeq ($(WERROR),1)
KD_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
KD_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
KD_LDFLAGS += -fsanitize=$(SANITIZE)
endif
LIBS := -lelf -lz -llzo2 -llzma -pthread
ifeq ($(ZSTD),1)
LIBS += -lzstd
endif
ifeq ($(STATIC),1)
KD_LDFLAGS += -static
LIBS += $(shell $(PKG_CONFIG) --static --libs-only-l libelf 2>/dev/null)
# Last on the line: helpers that elfutils 0.192's libelf.a asks for and lacks (Debian trixie;
# base/compat/libelf-search-tree.c says why). Pulled in only where libelf.a needs them.
LIB_COMPAT := $(B)/libkdcompat.a
LIBS += $(LIB_COMPAT)
endif

# A stamp of the flags, so that changing them rebuilds everything.
FLAGS_STAMP := $(B)/.flags
FLAGS_NOW := $(CC) $(CFLAGS) $(KD_CFLAGS) $(LDFLAGS) $(KD_LDFLAGS) $(LIBS)
$(shell mkdir -p $(B); [ -f $(FLAGS_STAMP) ] && [ "`cat $(FLAGS_STAMP)`" = "$(FLAGS_NOW)" ] || echo "$(FLAGS_NOW)" > $(FLAGS_STAMP))

# One static library per folder: base/ at the bottom; conf/, loader/, vmcore/ above it; the
# front end on top: its commands (kdump/main.c + kdump/cmd-*.c, linked whole so that each
# registers itself) over libkdfront (kdump/ and its subfolders: service, initramfs builder,
# capture init).
BASE_SRC := $(wildcard base/*.c)
FRONTLIB_SRC := $(filter-out kdump/main.c kdump/cmd-%.c,$(wildcard kdump/*.c kdump/*/*.c))
VMCORE_SRC := $(wildcard vmcore/*.c)
LOADER_SRC := $(wildcard loader/*.c)
CONF_SRC := $(wildcard conf/*.c)
FRONT_SRC := kdump/main.c $(wildcard kdump/cmd-*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_BASE := $(B)/libkdbase.a
LIB_FRONT := $(B)/libkdfront.a
LIB_VMCORE := $(B)/libvmcore.a
LIB_LOADER := $(B)/libloader.a
LIB_CONF := $(B)/libconf.a
# Link order: users before what they use.
ALL_LIBS := $(LIB_FRONT) $(LIB_CONF) $(LIB_LOADER) $(LIB_VMCORE) $(LIB_BASE)

# Extra objects a library needs (e.g. the loader's embedded purgatory) go here.
LOADER_EXTRA_OBJ :=
-include loader/purgatory.mk

all: build-deps
	$(Q)$(MAKE) --no-print-directory $(B)/kdump

# What a fresh machine lacks is installed first (Debian packages, see .ci/packages.d/).
# NO_DEPS=1 skips it.
build-deps:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps base
endif
deps:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps
endif

$(B)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_BASE): $(call obj,$(BASE_SRC))
$(LIB_FRONT): $(call obj,$(FRONTLIB_SRC))
$(B)/libkdcompat.a: $(call obj,$(wildcard base/compat/*.c))
$(LIB_VMCORE): $(call obj,$(VMCORE_SRC))
$(LIB_LOADER): $(call obj,$(LOADER_SRC)) $(LOADER_EXTRA_OBJ)
$(LIB_CONF): $(call obj,$(CONF_SRC))
$(ALL_LIBS) $(B)/libkdcompat.a:
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/kdump: $(call obj,$(FRONT_SRC)) $(ALL_LIBS) $(LIB_COMPAT)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) $(LDFLAGS) $(KD_LDFLAGS) -o $@ \
		-Wl,--whole-archive $(call obj,$(FRONT_SRC)) -Wl,--no-whole-archive $(ALL_LIBS) $(LIBS)

# ---- tests -----------------------------------------------------------------------------
# tests/test-NAME.c: one cmocka binary per module, linked with tests/support/*.c.
# tests/t-NAME.sh: shell/peer tests (helpers in tests/lib.sh), run with KDUMP=build/kdump.
# tests/t-vm-NAME.sh: QEMU crash cycles (scripts/vm-crash); the tiers below say which runs where.
TEST_SRC := $(wildcard tests/test-*.c)
TEST_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
SUPPORT_SRC := $(wildcard tests/support/*.c)
FAST_TESTS := $(filter-out tests/t-vm-%,$(sort $(wildcard tests/t-*.sh)))
# The VM cycle of `make check`; those of `make check-vm`, one at a time (add new cycles here).
VM_CHECK := tests/t-vm-cycle.sh
VM_TESTS := tests/t-vm-corrupt.sh tests/t-vm-system.sh
# What check-run runs after the unit tests (override it to run a few).
SHELL_TESTS := $(FAST_TESTS) $(VM_CHECK)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tests/%,$(TOOL_SRC))

$(B)/tests/%: tests/%.c $(call obj,$(SUPPORT_SRC)) $(ALL_LIBS) $(LIB_COMPAT) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) -Itests/support $(LDFLAGS) $(KD_LDFLAGS) -o $@ $< \
		$(call obj,$(SUPPORT_SRC)) $(ALL_LIBS) $(LIBS) -lcmocka

$(B)/tests/%: tests/tools/%.c $(call obj,$(SUPPORT_SRC)) $(ALL_LIBS) $(LIB_COMPAT) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  TOOL    $@")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) -Itests/support $(LDFLAGS) $(KD_LDFLAGS) -o $@ $< \
		$(call obj,$(SUPPORT_SRC)) $(ALL_LIBS) $(LIBS) -lcmocka

# tests/shim/NAME.c: LD_PRELOAD shims for fault injection -> build/tests/libNAME.so.
SHIM_SRC := $(wildcard tests/shim/*.c)
SHIM_BIN := $(patsubst tests/shim/%.c,$(B)/tests/lib%.so,$(SHIM_SRC))
$(B)/tests/lib%.so: tests/shim/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  SHIM    $@")
	$(Q)$(CC) -O2 -g -Wall -shared -fPIC -o $@ $< -ldl

tests: $(B)/kdump $(TEST_BIN) $(TOOL_BIN) $(SHIM_BIN)

# ---- fuzz targets -------------------------------------------------------------------------
# tests/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput; its corpus is tests/fuzz/corpus/NAME/
# (and tests/fuzz/NAME.dict an optional libFuzzer dictionary). `make check` links each with
# the replay main tests/fuzz/replay.c into build/fuzz/fuzz-NAME and replays the corpus
# (tests/t-fuzz-replay.sh). `make fuzz FUZZ_SECONDS=N [FUZZ=NAME]` builds them with clang's
# libFuzzer, ASan and UBSan (in build/libfuzzer) and runs each for N seconds: new inputs go to
# build/fuzz-corpus/NAME, crashes to build/fuzz-crash/NAME (fix, then add them to the corpus).
FUZZ_SRC := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
FUZZ ?= $(patsubst tests/fuzz/fuzz-%.c,%,$(FUZZ_SRC))

# Fuzz targets may build their inputs with the vmcore generator (tests/support/vmgen.h).
FUZZ_SUPPORT := $(call obj,tests/support/vmgen.c)
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_SUPPORT) $(ALL_LIBS) $(LIB_COMPAT) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) -Itests/support $(LDFLAGS) $(KD_LDFLAGS) -o $@ $< \
		tests/fuzz/replay.c $(FUZZ_SUPPORT) $(ALL_LIBS) $(LIBS)
$(B)/libfuzzer-bin/%: tests/fuzz/%.c $(FUZZ_SUPPORT) $(ALL_LIBS) $(LIB_COMPAT) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(CC) $(CFLAGS) $(KD_CFLAGS) -Itests/support $(LDFLAGS) $(KD_LDFLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_SUPPORT) $(ALL_LIBS) $(LIBS)
fuzz-build: $(patsubst %,$(B)/libfuzzer-bin/fuzz-%,$(FUZZ))
tests: $(FUZZ_BIN)

fuzz:
	$(Q)$(MAKE) --no-print-directory B=$(B)/libfuzzer CC=clang NO_DEPS=1 \
		SANITIZE=fuzzer-no-link,address,undefined FUZZ="$(FUZZ)" fuzz-build
	$(Q)for t in $(FUZZ); do \
		mkdir -p $(B)/fuzz-corpus/$$t $(B)/fuzz-crash/$$t || exit 1; \
		dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
		echo "== fuzz-$$t for $(FUZZ_SECONDS) s"; \
		$(B)/libfuzzer/libfuzzer-bin/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 $$dict \
			-artifact_prefix=$(B)/fuzz-crash/$$t/ $(B)/fuzz-corpus/$$t \
			tests/fuzz/corpus/$$t || exit 1; \
	done

# The shared fixtures, decompressed once into build/fixtures (make check needs them).
FIX ?= $(B)/fixtures
$(FIX)/%/vmcore.elf:
	@mkdir -p $(dir $@)
	@test -f $(SHARED)/fixtures/$*/vmcore.elf.zst || { echo "missing $(SHARED)/fixtures/$*: set SHARED=" >&2; exit 1; }
	$(if $(Q),@echo "  UNZSTD  $@")
	$(Q)zstd -q -d --long=27 -f $(SHARED)/fixtures/$*/vmcore.elf.zst -o $@.tmp && mv $@.tmp $@
$(FIX)/%/out-d31.kdump:
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  UNZSTD  $@")
	$(Q)zstd -q -d -f $(SHARED)/fixtures/$*/out-d31.kdump.zst -o $@.tmp && mv $@.tmp $@
fixtures: $(FIX)/x86_64-6.1-1G/vmcore.elf $(FIX)/x86_64-6.12-1G/vmcore.elf \
	$(FIX)/x86_64-6.12-1G/out-d31.kdump

# Tiers. `make check`: the unit tests and the fast shell tests, N at a time (tests/run-tests:
# N = KD_TEST_JOBS or nproc, longest first, logs in build/test-logs), with one VM crash cycle
# beside them. `make check-vm`: the other VM cycles (VM_TESTS), one at a time. `make
# check-sanitize`: the unit and fast shell tests again, built with AddressSanitizer + UBSan in
# build/san (no VM cycle: it boots a static kdump, which is not sanitized). `make e2e`: the
# matrix. CI (.ci/run) runs check, check-vm and check-sanitize.
check: deps
	$(Q)$(MAKE) --no-print-directory check-run
check-vm: deps
	$(Q)$(MAKE) --no-print-directory SHELL_TESTS="$(VM_TESTS)" TEST_BIN= check-run
check-sanitize: deps
	$(Q)$(MAKE) --no-print-directory B=$(B)/san SANITIZE=address,undefined FIX=$(abspath $(FIX)) \
		SHELL_TESTS="$(filter-out $(SAN_SKIP),$(FAST_TESTS))" check-run
# Not in the sanitizer pass: t-deb builds the package with the packaging's own flags.
SAN_SKIP := tests/t-deb.sh
# The static kdump that the VM cycles boot as the capture init (built before the tests start,
# not beside them; scripts/vm-crash takes it from KDUMP_STATIC).
VM_STATIC := $(B)/static/kdump
vm-static:
	$(Q)$(MAKE) --no-print-directory $(if $(Q),-s) STATIC=1 SANITIZE= B=$(B)/static $(VM_STATIC)
RUN_VM := $(filter tests/t-vm-%,$(SHELL_TESTS))
check-run: tests fixtures $(if $(RUN_VM),vm-static)
	$(Q)KDUMP=$(B)/kdump KD_BUILD=$(B) KD_FIXTURES=$(FIX) SHARED=$(SHARED) \
		$(if $(RUN_VM),KDUMP_STATIC=$(abspath $(VM_STATIC))) \
		tests/run-tests $(TEST_BIN) $(SHELL_TESTS)

# ---- the main job ------------------------------------------------------------------------
demo: deps
	$(Q)$(MAKE) --no-print-directory demo-run
demo-run: $(B)/kdump
	$(Q)KDUMP=$(B)/kdump KD_FIXTURES=$(FIX) SHARED=$(SHARED) scripts/demo

# A benchmark, not a test: `make bench [VMCORE=path]` (default: the shared 6.1 fixture).
bench: deps
	$(Q)$(MAKE) --no-print-directory $(B)/kdump tests fixtures
	$(Q)KDUMP=$(B)/kdump KD_FIXTURES=$(FIX) SHARED=$(SHARED) scripts/bench $(VMCORE)

# ---- VM crash cycles (scripts/vm-crash: QEMU/TCG, Debian kernels fetched with apt) ------------
# make e2e: the matrix (6.1/6.12, 1/2 CPUs, crash CPU 0/1, local/raw, plain kexec reboot).
# make bench-vm: 4 GiB guest, mixed workload, ours vs baseline; keeps the raw vmcore in
# $(B)/bench-vm for make bench.
e2e: deps
	$(Q)$(MAKE) --no-print-directory $(B)/kdump
	$(Q)scripts/e2e
bench-vm: deps
	$(Q)$(MAKE) --no-print-directory $(B)/kdump
	$(Q)scripts/bench-vm $(B)/bench-vm
.PHONY: e2e bench-vm

SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMCTL ?= /usr/bin/systemctl
# The installed kdump is static whatever the build: `kdump start` makes it the capture
# initramfs's /init, which has no shared libraries. INSTALL_BIN=FILE installs FILE instead
# (tests: a static binary built already).
ifeq ($(STATIC),1)
INSTALL_BIN ?= $(B)/kdump
else
INSTALL_BIN ?= $(B)/static/kdump
endif
install-bin: $(if $(filter $(B)/kdump,$(INSTALL_BIN)),$(B)/kdump)
ifeq ($(INSTALL_BIN),$(B)/static/kdump)
	$(Q)$(MAKE) --no-print-directory B=$(B)/static STATIC=1 SANITIZE= NO_DEPS=1 $(B)/static/kdump
endif
install: install-bin
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/sbin/kdump
	@mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(UDEVRULESDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' scripts/kdump.service >$(DESTDIR)$(SYSTEMDUNITDIR)/kdump.service
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' scripts/kexec-load@.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/kexec-load@.service
	sed 's|@SYSTEMCTL@|$(SYSTEMCTL)|g' scripts/98-kdump.rules >$(DESTDIR)$(UDEVRULESDIR)/98-kdump.rules
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/kdump.service $(DESTDIR)$(UDEVRULESDIR)/98-kdump.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/kexec-load@.service
	install -D -m 0644 kdump/kdump.8 $(DESTDIR)$(PREFIX)/share/man/man8/kdump.8
	install -D -m 0644 conf/kdump.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/kdump.conf.5
	@# The admin's config is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/kdump.conf ] || \
		install -D -m 0644 conf/kdump.conf $(DESTDIR)$(SYSCONFDIR)/kdump.conf

# The Debian package: build/deb/kdump_VERSION_amd64.deb, checked by lintian.
deb:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps deb
	$(Q)dpkg-checkbuilddeps 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null
endif
	$(Q)rm -rf $(B)/deb && mkdir -p $(B)/deb
	$(Q)KD_DEB_DIR=$(abspath $(B)/deb) dpkg-buildpackage -b -us -uc \
		--buildinfo-option=-u$(B)/deb --buildinfo-file=$(B)/deb/kdump_amd64.buildinfo \
		--changes-option=-u$(B)/deb --changes-file=$(B)/deb/kdump_amd64.changes \
		>$(B)/deb/build.log 2>&1 || { tail -40 $(B)/deb/build.log; exit 1; }
	$(Q)ls $(B)/deb/kdump_*_amd64.deb
	$(Q)lintian --fail-on error,warning $(B)/deb/kdump_*_amd64.deb

clean:
	rm -rf $(B)

.PHONY: fuzz fuzz-build bench all build-deps deps tests check check-run check-vm \
	check-sanitize vm-static fixtures demo demo-run install install-bin deb clean
.DELETE_ON_ERROR:
.SECONDARY:
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
