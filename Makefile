# vsva: one Makefile builds everything into build/.
#   make deps    install Debian packages (root)
#   make         BPF objects, skeletons, engine library, binaries
#   make check   every test tier; ends with "N passed, N failed"
#   make bench   per-event BPF cost figures
#   make vmlinux regenerate include/$(ARCH)/vmlinux.h from the running kernel

ARCH		?= x86
B		:= build
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
LLVM_STRIP	?= llvm-strip

CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
		   -Wno-missing-field-initializers -Iinclude -I$(B)
LDLIBS_ENGINE	:= -ltraceevent -lbpf -lelf -lz -lcap-ng -lm -lpthread
# -mcpu=v3 pinned: Debian 12's clang 14 and 13's clang 19 default to
# different BPF ISA levels; v3 (jmp32, alu32) loads on Linux 5.1+.
BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		   -Iinclude -Iinclude/$(ARCH) -Wall -Wno-unused-function

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))
# lib/: the library every program links; daemon/: vsvad's own code
ENGINE_SRCS	:= $(wildcard lib/*.c)
ENGINE_OBJS	:= $(patsubst lib/%.c,$(B)/lib/%.o,$(ENGINE_SRCS))
DAEMON_SRCS	:= daemon/http.c daemon/server.c daemon/webconfig.c
DAEMON_OBJS	:= $(patsubst daemon/%.c,$(B)/daemon/%.o,$(DAEMON_SRCS))
DAEMON_LIBS	:= -lmicrohttpd -lyaml -lcrypt -lz
LIB		:= $(B)/libvsva.a
BINS		:= $(B)/vsvad $(B)/vsva-kvmload $(B)/vsva-bench $(B)/vsva-top \
		   $(B)/vsva-perf $(B)/vsva-perf-filter.so $(B)/stats_check
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(B)/%,$(wildcard tests/unit/test_*.c))

.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: kernel all deps check check-unit check-static check-live check-kernel check-matrix bench vmlinux clean
FUZZERS		:= $(B)/fuzz_http $(B)/fuzz_perfdata

all: $(BINS) $(UNIT_TESTS) $(FUZZERS)

deps:
	./scripts/deps.sh

$(B) $(B)/lib $(B)/daemon:
	mkdir -p $@

$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h include/*.h) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

HEADERS		:= $(wildcard include/*.h include/vsva/*.h lib/*.h daemon/*.h)

$(B)/lib/%.o: lib/%.c $(HEADERS) $(SKELS) | $(B)/lib
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/daemon/%.o: daemon/%.c $(HEADERS) | $(B)/daemon
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(ENGINE_OBJS)
	ar rcs $@ $^

$(B)/vsvad: daemon/vsvad.c $(DAEMON_OBJS) $(LIB) $(HEADERS)
	$(CC) $(CFLAGS) $< -o $@ $(DAEMON_OBJS) $(LIB) $(DAEMON_LIBS) $(LDLIBS_ENGINE)

BENCH_SRCS	:= tools/vsva-bench.c tools/bench-bpftrace.c tools/bench-run.c \
		   tools/bench-compare.c tools/bench-plot.c tools/bench-stats.c
$(B)/vsva-bench: $(BENCH_SRCS) tools/bench.h tools/bench-ab.h \
		tools/bench-stats.h $(LIB) $(SKELS) $(HEADERS)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags json-c) $(BENCH_SRCS) \
		-o $@ $(LIB) $(LDLIBS_ENGINE) -ljson-c -lm

# the statistics alone, for the scipy oracle (tests/static/test_stats.sh)
$(B)/stats_check: tests/static/stats_check.c tools/bench-stats.c \
		tools/bench-stats.h | $(B)
	$(CC) $(CFLAGS) -Itools $(filter %.c,$^) -o $@ -lm

$(B)/vsva-top: tools/vsva-top.c tools/top-data.c tools/top-screen.c tools/top.h \
		$(LIB) $(HEADERS)
	$(CC) $(CFLAGS) $(filter %.c,$^) -o $@ $(LIB) -lncursesw -lcurl \
		$(LDLIBS_ENGINE)

PERF_REPORT	:= tools/perf-report.c tools/perf-print.c tools/perf-report.h \
		   include/vsva/names.h

$(B)/vsva-perf: tools/vsva-perf.c $(PERF_REPORT) $(LIB) $(HEADERS)
	$(CC) $(CFLAGS) -Itools tools/vsva-perf.c tools/perf-report.c -o $@ \
		$(LIB) $(LDLIBS_ENGINE)

# the perf dlfilter: loaded by perf script, so self-contained
$(B)/vsva-perf-filter.so: tools/perf-filter.c $(PERF_REPORT) | $(B)
	$(CC) $(CFLAGS) -fPIC -shared -Itools $(filter %.c,$^) -o $@ -lm

# no libbpf: it goes into the QEMU guests' initramfs
$(B)/vsva-kvmload: tools/vsva-kvmload.c tools/kvmguest.c tools/kvmload.h | $(B)
	$(CC) $(CFLAGS) $(filter %.c,$^) -o $@ -lpthread

# libFuzzer + ASan over the sources themselves (the library is built plain)
$(B)/fuzz_http: tests/fuzz/fuzz_http.c daemon/http.c lib/metrics.c lib/expo.c \
		$(HEADERS) | $(B)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Idaemon \
		$(filter %.c,$^) -o $@ -lm

$(B)/fuzz_perfdata: tests/fuzz/fuzz_perfdata.c lib/perfdata.c \
		$(PERF_REPORT) $(HEADERS) | $(B)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Itools \
		$(filter %.c,$^) -o $@ -ltraceevent -lm

# vsva-perf report's engine, alone
$(B)/test_perfreport: tests/unit/test_perfreport.c $(PERF_REPORT) | $(B)
	$(CC) $(CFLAGS) -Itools $(filter %.c,$^) -o $@ -lcmocka -lm

$(B)/test_%: tests/unit/test_%.c $(LIB) $(DAEMON_OBJS) $(HEADERS)
	$(CC) $(CFLAGS) -Ilib -Idaemon $< -o $@ $(DAEMON_OBJS) $(LIB) -lcmocka \
		$(DAEMON_LIBS) $(LDLIBS_ENGINE)

check: all
	./tests/run.sh

check-static: all
	VSVA_TIERS=static ./tests/run.sh

check-unit: all
	VSVA_TIERS=unit ./tests/run.sh

check-kernel: all
	VSVA_TIERS=kernel ./tests/run.sh

check-live: all
	VSVA_TIERS=live ./tests/run.sh

# Debian's own 5.10, 6.1, 6.12 and 7.x kernels under QEMU
check-matrix: all
	VSVA_TIERS=matrix ./tests/run.sh

kernel:
	./kernel/build.sh

bench: all
	./$(B)/vsva-bench cost
	./tools/vsva-bench-http.sh
	./tools/vsva-bench-perf.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > \
		include/$(ARCH)/vmlinux_$$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1\2/').h
	@echo "now point include/$(ARCH)/vmlinux.h at the new file"

clean:
	rm -rf $(B)
