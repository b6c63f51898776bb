# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Pipeline: vmlinux.h -> bpf/*.bpf.c -> .bpf.o -> bpftool gen skeleton ->
# user/ -> nstrace. Every output goes to $(OUTPUT).

OUTPUT ?= .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
BTF ?= /sys/kernel/btf/vmlinux
# Point VMLINUX_H at a pre-generated vmlinux.h to build without local BTF.
VMLINUX_H ?= $(OUTPUT)/vmlinux.h
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

ABS_OUTPUT := $(abspath $(OUTPUT))
DEPS_STAMP := $(OUTPUT)/.deps-build
KSFT_DIR := $(OUTPUT)/kselftest

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
LIB := $(OUTPUT)/libnstrace.a
BIN := $(OUTPUT)/nstrace

TEST_SRCS := $(wildcard tests/*_test.c)
TEST_BINS := $(patsubst tests/%.c,$(OUTPUT)/tests/%,$(TEST_SRCS))
TEST_SCRIPTS := $(wildcard tests/*.t)
# workload generators: the benchmarks and some tests drive them
BENCH_TOOLS := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(filter-out %.bpf.c,$(wildcard bench/*.c)))

INCLUDES := -Iinclude -Iuser -I$(OUTPUT)
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	  -DNSTRACE_VERSION='"$(VERSION)"' $(INCLUDES)
LDLIBS += $(shell pkg-config --libs libbpf smartcols libmicrohttpd 2>/dev/null || \
	    echo -lbpf -lsmartcols -lmicrohttpd) -lelf -lz -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	      -Iinclude -Ibpf -I$(dir $(VMLINUX_H))

.PHONY: all deps check check-unit demo clean install tests fuzz
# keep the .bpf.o and skeletons: they are build products worth looking at
.SECONDARY:
all: $(BIN)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(OUTPUT)
	scripts/deps.sh build
	@touch $@

$(OUTPUT)/vmlinux.h: | $(DEPS_STAMP)
	@mkdir -p $(OUTPUT)
	@test -r $(BTF) || { echo "nstrace: this kernel has no BTF at $(BTF);" \
		"build with VMLINUX_H=/path/to/vmlinux.h or BTF=/path/to/vmlinux" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(BTF) format c > $@.tmp && mv $@.tmp $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h) include/nstrace.h $(VMLINUX_H) | $(DEPS_STAMP)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	llvm-strip -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# Light skeleton for the inventory iterators: the kernel applies the CO-RE
# relocations, so `nstrace ls` never parses the vmlinux BTF (~150 ms here).
LSKELS := $(OUTPUT)/nsiter.lskel.h
$(OUTPUT)/%.lskel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton -L $< name $(subst -,_,$*)_lskel > $@.tmp && mv $@.tmp $@
$(USER_OBJS): $(LSKELS)

$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) include/nstrace.h $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(USER_OBJS)
	$(AR) rcs $@ $^

$(BIN): $(OUTPUT)/user/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The kselftest harness is GPL-2.0-only code of others: extracted at build
# time from Debian's linux-source tarball, never committed.
$(KSFT_DIR)/kselftest_harness.h:
	scripts/deps.sh test
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(LINUX_SRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	@touch $@

$(OUTPUT)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIB) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(KSFT_DIR) -Itests $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

tests: $(TEST_BINS)

# libFuzzer targets (clang-14 with libclang-rt-14-dev), under ASan and UBSan.
FUZZ_SRCS := $(wildcard tests/fuzz/*_fuzz.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := user/recfile.c user/evcodec.c user/event.c user/json.c user/strbuf.c user/parse.c \
		 user/nsrt.c
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       -D_GNU_SOURCE -std=gnu11 -Iinclude -Iuser

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS) $(wildcard user/*.h)
	@scripts/deps.sh fuzz
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_LIB_SRCS) -lz -o $@

fuzz: $(FUZZ_BINS)

# Every test binary and script writes TAP; prove runs them all.
check: $(BIN) $(TEST_BINS) $(BENCH_TOOLS) $(FUZZ_BINS)
	NSTRACE=$(abspath $(BIN)) OUTPUT=$(ABS_OUTPUT) \
		prove -v --exec $(abspath scripts/run-test) $(TEST_BINS) $(TEST_SCRIPTS)

$(OUTPUT)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ -lpthread

# The synthetic ring buffer producer of bench/record.sh: bench only, never
# linked into nstrace.
$(OUTPUT)/bench/rb_producer.bpf.o: bench/rb_producer.bpf.c bpf/nstrace.bpf.h include/nstrace.h $(VMLINUX_H) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	llvm-strip -g $@

$(OUTPUT)/bench/rb_producer.skel.h: $(OUTPUT)/bench/rb_producer.bpf.o
	$(BPFTOOL) gen skeleton $< name rb_producer_bpf > $@.tmp && mv $@.tmp $@

$(OUTPUT)/bench/rb_producer: bench/rb_producer.c $(OUTPUT)/bench/rb_producer.skel.h
	$(CC) $(CFLAGS) -I$(OUTPUT)/bench $< $(LDLIBS) -o $@

demo: $(BIN)
	$(BIN) demo

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)/usr/local/sbin/nstrace

clean:
	rm -rf $(OUTPUT)
