# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Pipeline: vmlinux.h -> bpf/*.bpf.c -> .bpf.o -> bpftool gen skeleton ->
# user/ -> nstrace. Every output goes to $(OUTPUT).

.DEFAULT_GOAL := all
OUTPUT ?= .output
# BPF objects, skeletons and extracted headers; the sanitizer build shares them
GEN ?= $(OUTPUT)
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
BTF ?= /sys/kernel/btf/vmlinux
# Point VMLINUX_H at a pre-generated vmlinux.h to build without local BTF.
VMLINUX_H ?= $(GEN)/vmlinux.h
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# the whole commit, for nstrace --version (a build outside git says unknown)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)

ABS_OUTPUT := $(abspath $(OUTPUT))
comma := ,
KSFT_DIR := $(GEN)/kselftest

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(GEN)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(GEN)/%.skel.h,$(BPF_SRCS))

USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
LIB := $(OUTPUT)/libnstrace.a
BIN := $(OUTPUT)/nstrace

TEST_SRCS := $(wildcard tests/*_test.c)
TEST_BINS := $(patsubst tests/%.c,$(OUTPUT)/tests/%,$(TEST_SRCS))
TEST_SCRIPTS := $(wildcard tests/*.t)
# workload generators: the benchmarks and some tests drive them
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_TOOLS := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))
# the man pages (docs/man/nstrace*.rst; include-*.rst are their shared parts)
RST2MAN ?= rst2man
MAN_DIR := $(OUTPUT)/man
MAN_SRCS := $(wildcard docs/man/nstrace*.rst)
MAN_INCS := $(wildcard docs/man/include-*.rst)
MAN_PAGES := $(patsubst docs/man/%.rst,$(MAN_DIR)/%.8,$(MAN_SRCS))

INCLUDES := -Iinclude -Iuser -I$(GEN)
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	  -DNSTRACE_VERSION='"$(VERSION)"' -DNSTRACE_COMMIT='"$(COMMIT)"' $(INCLUDES)
# What is installed decides whether libbpf, libelf, zlib and json-c are
# linked statically, and the sonames of libmicrohttpd and libcurl (loaded
# at run time). These are decided once, in $(CONFIG_MK), by scripts/config.sh after
# scripts/deps.sh has installed the build packages; nothing computed while
# this file parses depends on what is installed, so a first build on a bare
# machine links exactly as a later one does. make rebuilds the included file
# first and then reads itself again.
CONFIG_MK := $(GEN)/config.mk
ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(CONFIG_MK)
endif
BPF_LIBS := -lbpf -lelf -lz
LDLIBS += $(if $(NST_STATIC_BPF),-Wl$(comma)-Bstatic $(BPF_LIBS) -Wl$(comma)-Bdynamic,$(BPF_LIBS)) \
	  -lsmartcols -lm -lpthread
$(OUTPUT)/user/mhd.o: $(CONFIG_MK)
$(OUTPUT)/user/mhd.o: CFLAGS += $(if $(NST_MHD_SONAME),-DNST_MHD_SONAME='"$(NST_MHD_SONAME)"')
# Container names (user/runtime*.c): json-c linked statically when its
# archive is installed, as libbpf is; libcurl dlopen()ed on first use
# (user/runtime_docker.c says why), so only its soname is needed here.
LDLIBS += $(if $(NST_STATIC_JSONC),-Wl$(comma)-Bstatic -ljson-c -Wl$(comma)-Bdynamic,-ljson-c)
$(OUTPUT)/user/runtime_docker.o: $(CONFIG_MK)
$(OUTPUT)/user/runtime_docker.o: CFLAGS += $(if $(NST_CURL_SONAME),-DNST_CURL_SONAME='"$(NST_CURL_SONAME)"')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	      -Iinclude -Ibpf -I$(dir $(VMLINUX_H))

# Header dependencies: every compile writes TARGET.d, included at the end.
# Compiles also depend on this Makefile: the flags are here, and a tree
# built before the .d files existed is rebuilt once.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@

.PHONY: FORCE all deps test-deps check check-fresh check-built check-plain check-plain-built check-vm check-kernels vm-image demo clean install tests fuzz asan \
	man uninstall deb check-deb \
	check-asan lint clang-tidy cppcheck format-check kmod
# keep the .bpf.o and skeletons: they are build products worth looking at
.SECONDARY:
all: $(BIN) kmod

# The kernel module (kmod/, docs/kmod.md), against KDIR (default: the
# running kernel's headers); without them it says so and is skipped.
kmod:
	$(MAKE) -C kmod OUTPUT=$(ABS_OUTPUT) $(if $(KDIR),KDIR=$(KDIR))

deps: $(CONFIG_MK)
$(CONFIG_MK): scripts/deps.sh scripts/config.sh
	@mkdir -p $(GEN)
	scripts/deps.sh build
	scripts/config.sh $(CC) > $@.tmp && mv $@.tmp $@

$(GEN)/vmlinux.h: | $(CONFIG_MK)
	@mkdir -p $(GEN)
	@test -r $(BTF) || { echo "nstrace: this kernel has no BTF at $(BTF);" \
		"build with VMLINUX_H=/path/to/vmlinux.h or BTF=/path/to/vmlinux" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(BTF) format c > $@.tmp && mv $@.tmp $@

$(GEN)/%.bpf.o: bpf/%.bpf.c Makefile $(VMLINUX_H) | $(CONFIG_MK)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@
	llvm-strip -g $@

$(GEN)/%.skel.h: $(GEN)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# The tracer once more, for kernels with bpf_rdonly_cast (6.2+): its hot
# path reads kernel memory with direct loads instead of probe-read helper
# calls. Same programs and maps: the collector opens either with one
# skeleton (user/tracer_bpf.c).
$(GEN)/nstrace_cast.bpf.o: bpf/nstrace.bpf.c Makefile $(VMLINUX_H) | $(CONFIG_MK)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -DNST_RDONLY_CAST -c $< -o $@
	llvm-strip -g $@
SKELS += $(GEN)/nstrace_cast.skel.h

# Light skeleton for the inventory iterators: the kernel applies the CO-RE
# relocations, so `nstrace ls` never parses the vmlinux BTF (~150 ms here).
LSKELS := $(GEN)/nsiter.lskel.h
$(GEN)/%.lskel.h: $(GEN)/%.bpf.o
	$(BPFTOOL) gen skeleton -L $< name $(subst -,_,$*)_lskel > $@.tmp && mv $@.tmp $@

# The skeletons come first; which object includes which is in its .d.
$(OUTPUT)/user/%.o: user/%.c Makefile | $(SKELS) $(LSKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# The files that print the version are compiled again when it changes (a
# commit, or a change to the tree): the version file is rewritten only then.
VERSION_FILE := $(OUTPUT)/version
$(VERSION_FILE): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@
$(OUTPUT)/user/main.o $(OUTPUT)/user/serve.o $(OUTPUT)/user/version.o: $(VERSION_FILE)

# Made anew from the list of objects, which is rewritten only when it
# changes: an archive updated in place would keep a removed file's object.
OBJ_LIST := $(OUTPUT)/user/objects
$(OBJ_LIST): FORCE
	@mkdir -p $(dir $@)
	@echo '$(USER_OBJS)' | cmp -s - $@ || echo '$(USER_OBJS)' > $@
FORCE:
$(LIB): $(USER_OBJS) $(OBJ_LIST)
	@rm -f $@
	$(AR) rcs $@ $(USER_OBJS)

# $(BIN).link: what the link used (every library and archive the linker
# read, and the shared libraries it records as needed), so that two builds
# can be compared: scripts/fresh-check.sh compares a bare machine's first
# build with one after every package is installed.
$(BIN): $(OUTPUT)/user/main.o $(LIB) $(CONFIG_MK)
	$(CC) $(CFLAGS) $(LDFLAGS) $(filter %.o %.a,$^) $(LDLIBS) -Wl,--trace -o $@ > $@.trace
	{ grep -v '^$(OUTPUT)/' $@.trace | xargs -r realpath -m | sort -u; \
	  objdump -p $@ | awk '$$1 == "NEEDED" { print "NEEDED", $$2 }'; } > $@.link
	@rm -f $@.trace

# nstrace once more, linked against the shared libbpf, libelf and zlib:
# tests/valgrind.t runs both, since its suppressions must hold for either
# linkage (a build without the static archives links this way).
$(OUTPUT)/nstrace-dynamic: $(OUTPUT)/user/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(BPF_LIBS) -ljson-c -lsmartcols -lm -lpthread -o $@

# The kselftest harness is GPL-2.0-only code of others: extracted at build
# time from Debian's linux-source tarball, never committed.
$(KSFT_DIR)/kselftest_harness.h:
	scripts/deps.sh test
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(LINUX_SRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	@touch $@

$(OUTPUT)/tests/%: tests/%.c Makefile $(LIB) $(KSFT_DIR)/kselftest_harness.h $(CONFIG_MK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Wno-sign-compare -I$(KSFT_DIR) -Itests $(LDFLAGS) $< $(LIB) \
		$(LDLIBS) -o $@

tests: $(TEST_BINS)

# libFuzzer targets (clang-14 with libclang-rt-14-dev), under ASan and UBSan.
FUZZ_SRCS := $(wildcard tests/fuzz/*_fuzz.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := user/recfile.c user/event.c user/json.c user/parse.c \
		 user/nsrt.c user/nstypes.c user/procparse.c user/strbuf.c user/evcodec.c \
		 user/identity.c user/columns.c
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       -D_GNU_SOURCE -std=gnu11 -Iinclude -Iuser

FUZZ_LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/fuzz/lib/%.o,$(FUZZ_LIB_SRCS))

$(OUTPUT)/fuzz/lib/%.o: user/%.c Makefile
	@scripts/deps.sh fuzz
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/fuzz/%: tests/fuzz/%.c Makefile $(FUZZ_LIB_OBJS)
	@scripts/deps.sh fuzz
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) $< $(FUZZ_LIB_OBJS) -lz -o $@

fuzz: $(FUZZ_BINS)

# Sanitizer build: user/ and the C tests again under ASan and UBSan, in
# $(SAN_OUTPUT), sharing this build's BPF objects and skeletons. Reports go
# to $(SAN_LOGS), so one that a test did not look at still fails the run.
SAN_OUTPUT := $(OUTPUT)/asan
SAN_LOGS := $(abspath $(SAN_OUTPUT))/logs
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer
CFLAGS += $(SANITIZE)
# fuzz.t runs the fuzz targets, which are sanitized already; valgrind
# cannot run an ASan binary
SAN_TESTS := $(patsubst $(OUTPUT)/%,$(SAN_OUTPUT)/%,$(TEST_BINS)) \
	     $(filter-out tests/fuzz.t tests/valgrind.t,$(TEST_SCRIPTS))

asan: $(SKELS) $(LSKELS) $(KSFT_DIR)/kselftest_harness.h
	$(MAKE) OUTPUT=$(SAN_OUTPUT) GEN=$(GEN) SANITIZE="$(SAN_FLAGS)" all tests

check-asan: asan $(BENCH_TOOLS)
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1 \
	NSTRACE=$(abspath $(SAN_OUTPUT))/nstrace OUTPUT=$(ABS_OUTPUT) \
		prove -v --timer --exec $(abspath scripts/run-test) $(SAN_TESTS)
	@! ls $(SAN_LOGS)/* >/dev/null 2>&1 || \
		{ head -n 60 $(SAN_LOGS)/*; echo "nstrace: sanitizer reports above" >&2; exit 1; }

# Static analysis with zero findings: clang-tidy (checks in .clang-tidy) and
# cppcheck, over a compile_commands.json written from the rules above.
CLANG_TIDY ?= clang-tidy-14
CPPCHECK ?= cppcheck
CLANG_FORMAT ?= clang-format-14
COMPDB := $(OUTPUT)/compile_commands.json
LINT_SRCS := $(wildcard user/*.c) $(BENCH_SRCS) $(TEST_SRCS) $(FUZZ_SRCS)
# bench tools built with a skeleton of their own
BENCH_BPF_TOOLS := bench/rb_producer.c bench/tp_floor.c bench/cost_parts.c

# bpftool's skeletons and the kselftest harness are others' code: -isystem
LINT_CFLAGS = $(subst -I$(GEN),-isystem $(GEN),$(CFLAGS))

$(COMPDB): Makefile scripts/compdb.sh | $(SKELS) $(LSKELS) $(KSFT_DIR)/kselftest_harness.h \
		$(GEN)/bench/rb_producer.skel.h $(GEN)/bench/tp_floor.skel.h \
		$(GEN)/bench/nstrace_parts.skel.h
	{ scripts/compdb.sh $(CC) $(LINT_CFLAGS) -- $(wildcard user/*.c) \
		$(filter-out $(BENCH_BPF_TOOLS),$(BENCH_SRCS)); \
	  scripts/compdb.sh $(CC) $(LINT_CFLAGS) -isystem $(GEN)/bench -- $(BENCH_BPF_TOOLS); \
	  scripts/compdb.sh $(CC) $(LINT_CFLAGS) -Wno-sign-compare -isystem $(KSFT_DIR) -Itests \
		-- $(TEST_SRCS); \
	  scripts/compdb.sh $(CLANG) $(FUZZ_CFLAGS) -- $(FUZZ_SRCS); } | jq -s add > $@.tmp
	mv $@.tmp $@

lint: format-check clang-tidy cppcheck

clang-tidy: $(COMPDB)
	@scripts/deps.sh test
	scripts/clang-tidy.sh $(CLANG_TIDY) $(OUTPUT) $(GEN) $(LINT_SRCS)

# cppcheck reads our headers and the harness, not the system's (it would
# misparse glibc's) nor the skeletons (half a megabyte of BPF object each).
cppcheck: $(KSFT_DIR)/kselftest_harness.h
	@scripts/deps.sh test
	$(CPPCHECK) --quiet --error-exitcode=1 --inline-suppr -j $(shell nproc) \
		--enable=warning,performance,portability --std=c11 -D_GNU_SOURCE -D__x86_64__ \
		-Iinclude -Iuser -Itests -I$(KSFT_DIR) --library=scripts/cppcheck.cfg \
		--suppress=missingIncludeSystem --suppress='*:$(KSFT_DIR)/*' $(LINT_SRCS)

# Kernel style by the repo's .clang-format, as part of `make lint`.
FORMAT_SRCS := $(wildcard user/*.[ch] include/*.h bpf/*.[ch] tests/*.[ch] tests/fuzz/*.c bench/*.c)
format-check:
	@scripts/deps.sh test
	@bad=$$(for f in $(FORMAT_SRCS); do \
		$(CLANG_FORMAT) --dry-run --Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	[ -z "$$bad" ] || { $(CLANG_FORMAT) --dry-run $$bad 2>&1 | head -n 60; \
		echo "format-check: $$(echo $$bad | wc -w) of $(words $(FORMAT_SRCS)) files" \
		"differ from .clang-format ($(CLANG_FORMAT) -i FILE rewrites one)" >&2; exit 1; }

# Every test binary and script writes TAP; prove runs them all, and
# tests/vm/vm.t the same kselftest suite plus the fentry and kmod tests in
# a qemu VM running Debian's current kernel (docs/vm.md). Then the same
# tests again under ASan and UBSan; static analysis first, as the quickest
# to fail. The VM boots first, in the background: its single TCG thread
# runs beside lint and the host tests, and vm.t collects what it printed.
check: test-deps
	@$(MAKE) --no-print-directory check-built

check-built: $(BIN) $(TEST_BINS) $(BENCH_TOOLS) $(FUZZ_BINS) vm-image
	@tests/vm/run.sh start $(ABS_OUTPUT) $(KERNEL); \
	trap 'tests/vm/run.sh stop $(ABS_OUTPUT) $(KERNEL)' EXIT; \
	$(MAKE) lint && $(MAKE) check-plain && $(MAKE) check-asan

check-plain: test-deps
	@$(MAKE) --no-print-directory check-plain-built

check-plain-built: $(BIN) $(OUTPUT)/nstrace-dynamic $(TEST_BINS) $(BENCH_TOOLS) $(FUZZ_BINS) vm-image \
		$(MAN_PAGES)
	KERNEL=$(KERNEL) NSTRACE=$(abspath $(BIN)) OUTPUT=$(ABS_OUTPUT) \
		prove -v --timer --exec $(abspath scripts/run-test) $(TEST_BINS) $(TEST_SCRIPTS) $(VM_T)

# The README's two commands on a bare Debian root (debootstrap, minbase):
# scripts/fresh-check.sh. .ci/run runs it after the suite.
check-fresh:
	scripts/fresh-check.sh $(ABS_OUTPUT)

# Every package group that a test names (`needs GROUP...` in tests/*.t and
# tests/vm/vm.t), installed before the first test is built or runs, so
# that no test depends on another one having installed something first.
TEST_GROUPS = $(sort build test $(shell sed -n 's/^needs //p' $(TEST_SCRIPTS) $(VM_T)))
test-deps:
	@scripts/deps.sh $(TEST_GROUPS)

check-vm: $(TEST_BINS) vm-image
	KERNEL=$(KERNEL) NSTRACE=$(abspath $(BIN)) OUTPUT=$(ABS_OUTPUT) \
		prove -v --exec $(abspath scripts/run-test) $(VM_T)

# The VM: a kernel of tests/vm/kernels.conf (KERNEL, default 6.1: Debian
# bookworm's current one) and its headers (tests/vm/kernel.sh, through a
# private APT configuration, cached per version), kmod/ built against
# them, and an initramfs with static test binaries, in .output/vm/KERNEL/.
# Always rerun: the kernel is re-resolved and the image is cheap.
KERNEL ?= 6.1
VM_DIR := $(OUTPUT)/vm
VM_T := tests/vm/vm.t
# Host only: runtime_test needs a Docker Engine, which the VM has not, and
# containers_test (the resolver over a directory tree) depends on no
# kernel and links json-c, which the static guest build leaves out
VM_HOST_ONLY := tests/runtime_test.c tests/containers_test.c
VM_TEST_BINS := $(patsubst tests/%.c,$(VM_DIR)/tests/%,$(filter-out $(VM_HOST_ONLY),$(TEST_SRCS)))
# The host shell tests that also run in the guest, and the host programs
# they need (copied with their libraries).
VM_SHELL_TESTS ?= kmod.t
VM_HOST_TOOLS ?=
# modules of the VM's kernel to load at boot (with their dependencies)
VM_MODULES ?= virtio_console virtio_pci

$(VM_DIR)/tests/%: tests/%.c Makefile $(LIB) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Wno-sign-compare -I$(KSFT_DIR) -Itests -static $(LDFLAGS) $< \
		$(LIB) -lbpf -lelf -lz -lm -lpthread -o $@

vm-image: $(BIN) $(VM_TEST_BINS) $(BENCH_TOOLS)
	@scripts/deps.sh vm
	tests/vm/kernel.sh $(ABS_OUTPUT) $(KERNEL)
	VM_SHELL_TESTS="$(VM_SHELL_TESTS)" VM_HOST_TOOLS="$(VM_HOST_TOOLS)" \
		VM_MODULES="$(VM_MODULES)" tests/vm/mkinitramfs.sh $(ABS_OUTPUT) $(KERNEL)

# The kernel matrix (tests/vm/kernels.conf): the VM suite on each kernel,
# one after the other, each in .output/vm/NAME/ with its own time limit,
# then a summary table (.output/vm/matrix.txt). KERNELS picks some.
# (After VM_TEST_BINS: a rule's prerequisites expand as make reads it,
# and before its definition the guest's test binaries were left stale.)
KERNELS ?= $(shell tests/vm/kconf.sh names)
check-kernels: $(BIN) $(TEST_BINS) $(VM_TEST_BINS) $(BENCH_TOOLS)
	@scripts/deps.sh vm
	NSTRACE=$(abspath $(BIN)) OUTPUT=$(ABS_OUTPUT) VM_SHELL_TESTS="$(VM_SHELL_TESTS)" \
		VM_HOST_TOOLS="$(VM_HOST_TOOLS)" VM_MODULES="$(VM_MODULES)" \
		tests/vm/matrix.sh $(KERNELS)

$(OUTPUT)/bench/%: bench/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) $< -o $@ -lpthread

# The synthetic ring buffer producer of bench/record.sh: bench only, never
# linked into nstrace.
$(GEN)/bench/rb_producer.bpf.o: bench/rb_producer.bpf.c Makefile $(VMLINUX_H) \
		| $(CONFIG_MK)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@
	llvm-strip -g $@

$(GEN)/bench/rb_producer.skel.h: $(GEN)/bench/rb_producer.bpf.o
	$(BPFTOOL) gen skeleton $< name rb_producer_bpf > $@.tmp && mv $@.tmp $@

# its template event names the slots as nstrace does: user/nstypes.c
$(OUTPUT)/bench/rb_producer: bench/rb_producer.c Makefile \
		$(OUTPUT)/user/nstypes.o | $(GEN)/bench/rb_producer.skel.h
	$(CC) $(CFLAGS) $(DEPFLAGS) -I$(GEN)/bench $< $(OUTPUT)/user/nstypes.o $(LDLIBS) -o $@

# The tracepoint tier's floor (bench/tp_floor.c): bench only, like rb_producer.
$(GEN)/bench/tp_floor.bpf.o: bench/tp_floor.bpf.c Makefile $(VMLINUX_H) \
		| $(CONFIG_MK)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@
	llvm-strip -g $@

$(GEN)/bench/tp_floor.skel.h: $(GEN)/bench/tp_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name tp_floor_bpf > $@.tmp && mv $@.tmp $@

$(OUTPUT)/bench/tp_floor: bench/tp_floor.c Makefile \
		| $(GEN)/bench/tp_floor.skel.h $(GEN)/nstrace.skel.h
	$(CC) $(CFLAGS) $(DEPFLAGS) -I$(GEN)/bench $< $(LDLIBS) -o $@

# Where a traced call's time goes (bench/cost_parts.c): the tracer built
# once more with parts that can be skipped (-DNST_BENCH_PARTS), bench only.
$(GEN)/bench/nstrace_parts.bpf.o: bpf/nstrace.bpf.c Makefile $(VMLINUX_H) | $(CONFIG_MK)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -DNST_RDONLY_CAST -DNST_BENCH_PARTS -c $< -o $@
	llvm-strip -g $@

$(GEN)/bench/nstrace_parts.skel.h: $(GEN)/bench/nstrace_parts.bpf.o
	$(BPFTOOL) gen skeleton $< name nstrace_parts_bpf > $@.tmp && mv $@.tmp $@

$(OUTPUT)/bench/cost_parts: bench/cost_parts.c Makefile \
		| $(GEN)/bench/tp_floor.skel.h $(GEN)/bench/nstrace_parts.skel.h
	$(CC) $(CFLAGS) $(DEPFLAGS) -I$(GEN)/bench $< $(LDLIBS) -lpthread -o $@

demo: $(BIN)
	$(BIN) demo

# Man pages (docs/man/*.rst, reStructuredText as bpftool writes them) built
# with Debian's rst2man. Their column lists are written from the built
# binary's --list-columns (scripts/man-columns.sh), so a page never
# disagrees with it; the shared parts (include-*.rst) are copied beside
# them, and rst2man runs there, reading the page from stdin, so that every
# include resolves in one directory. Any docutils warning fails the build.
$(MAN_DIR)/columns.stamp: $(BIN) scripts/man-columns.sh $(MAN_INCS)
	@scripts/deps.sh docs
	@mkdir -p $(MAN_DIR)
	scripts/man-columns.sh $(BIN) $(MAN_DIR)
	cp $(MAN_INCS) $(MAN_DIR)/
	@touch $@
$(MAN_DIR)/%.8: docs/man/%.rst $(MAN_DIR)/columns.stamp
	cd $(MAN_DIR) && $(RST2MAN) --halt=warning < $(abspath $<) > $*.8.tmp && mv $*.8.tmp $*.8
man: $(MAN_PAGES)

# Where make install puts things, as bpftool's does (sbin: nstrace needs
# root or BPF capabilities). systemd reads PREFIX/lib/systemd/system for
# PREFIX=/usr/local as well; Debian's package passes /lib/systemd/system.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/nstrace
# serve's companions: Grafana's dashboard and Prometheus's scrape configuration
DATA_FILES := deploy/grafana-dashboard.json deploy/prometheus.yml

# The unit's ExecStart names the binary where this install puts it.
install: $(BIN) man
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/nstrace
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 completion/nstrace.bash $(DESTDIR)$(BASHCOMPDIR)/nstrace
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/sbin/nstrace|$(SBINDIR)/nstrace|g' deploy/nstrace.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/nstrace.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/nstrace.service
	install -d $(DESTDIR)$(DATADIR)
	install -m 0644 $(DATA_FILES) $(DESTDIR)$(DATADIR)/

# Exactly what install put there: the directories it shares with others stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nstrace $(DESTDIR)$(BASHCOMPDIR)/nstrace \
		$(DESTDIR)$(SYSTEMDUNITDIR)/nstrace.service \
		$(patsubst $(MAN_DIR)/%,$(DESTDIR)$(MANDIR)/man8/%,$(MAN_PAGES)) \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(DATA_FILES)))
	-rmdir $(DESTDIR)$(DATADIR)

# The Debian package, built with the distribution's own tools (debian/);
# dpkg-buildpackage leaves its files beside the tree: moved to $(OUTPUT)/deb.
# The version is read in the shell: dpkg-parsechangelog may come only with
# the packages that the first line installs.
deb:
	@scripts/deps.sh build docs deb
	dpkg-buildpackage -us -uc -b
	@rm -rf $(OUTPUT)/deb && mkdir -p $(OUTPUT)/deb
	v=$$(dpkg-parsechangelog -S Version) && \
	for f in ../nstrace_$${v}_* ../nstrace-dbgsym_$${v}_*; do \
		[ ! -e "$$f" ] || mv "$$f" $(OUTPUT)/deb/; done && \
	lintian --fail-on error,warning $(OUTPUT)/deb/nstrace_$${v}_*.changes
	@ls $(OUTPUT)/deb/*.deb

# The package installed on a bare Debian root and purged again
# (scripts/fresh-check.sh --deb; the rehearsal does it with its own build).
check-deb: deb
	scripts/fresh-check.sh --deb \
		$(OUTPUT)/deb/nstrace_$$(dpkg-parsechangelog -S Version)_$$(dpkg --print-architecture).deb \
		$(ABS_OUTPUT)

clean:
	rm -rf $(OUTPUT)
	$(MAKE) -C kmod clean OUTPUT=$(ABS_OUTPUT)

-include $(wildcard $(OUTPUT)/user/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/fuzz/*.d \
	$(OUTPUT)/fuzz/lib/*.d $(OUTPUT)/bench/*.d $(VM_DIR)/tests/*.d $(GEN)/*.bpf.o.d \
	$(GEN)/bench/*.bpf.o.d)
