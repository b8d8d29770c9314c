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
LDLIBS_ENGINE	:= -ltraceevent -lbpf -lelf -lz -lcap-ng -lyaml -lcrypt -lm -lpthread
# -mcpu=v3 pinned: Debian 12's clang 14 and 13's clang 19 default to
# different BPF ISA levels; v3 (jmp32, alu32) loads on Linux 5.1+.
BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		   -Iinclude -Iinclude/$(ARCH) -Wall -Wno-unused-function

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))
ENGINE_SRCS	:= src/metrics.c src/expo.c src/probe.c src/engine.c src/mapwalk.c \
		   src/load.c src/privs.c src/procirq.c src/pireader.c src/irq.c src/iommu.c src/http.c \
		   src/webconfig.c src/parse.c
ENGINE_OBJS	:= $(patsubst src/%.c,$(B)/%.o,$(ENGINE_SRCS))
LIB		:= $(B)/libvsva.a
BINS		:= $(B)/vsvad $(B)/vsva-kvmload $(B)/vsva-bench $(B)/vsva-top
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(B)/%,$(wildcard tests/unit/test_*.c))

.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: kernel all deps check check-unit check-static check-live check-kernel check-matrix bench vmlinux clean
FUZZERS		:= $(B)/fuzz_http

all: $(BINS) $(UNIT_TESTS) $(FUZZERS)

deps:
	./scripts/deps.sh

$(B):
	mkdir -p $@

$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h include/*.h) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(B)/%.o: src/%.c $(wildcard include/*.h src/*.h) $(SKELS) | $(B)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(ENGINE_OBJS)
	ar rcs $@ $^

$(B)/vsvad: src/vsvad.c $(LIB)
	$(CC) $(CFLAGS) $< -o $@ $(LIB) -lmicrohttpd -lpthread -lz $(LDLIBS_ENGINE)

$(B)/vsva-bench: tools/vsva-bench.c $(LIB) $(SKELS)
	$(CC) $(CFLAGS) $< -o $@ $(LIB) $(LDLIBS_ENGINE)

$(B)/vsva-top: tools/vsva-top.c $(LIB)
	$(CC) $(CFLAGS) $< -o $@ $(LIB) -lncursesw -lcurl $(LDLIBS_ENGINE)

$(B)/vsva-kvmload: tools/vsva-kvmload.c | $(B)
	$(CC) $(CFLAGS) $< -o $@

# libFuzzer + ASan over the sources themselves (the library is built plain)
$(B)/fuzz_http: tests/fuzz/fuzz_http.c src/http.c src/metrics.c src/expo.c \
		$(wildcard include/*.h) | $(B)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
		$(filter %.c,$^) -o $@ -lm

$(B)/test_%: tests/unit/test_%.c $(LIB) $(wildcard src/*.h)
	$(CC) $(CFLAGS) $< -o $@ $(LIB) -lcmocka $(LDLIBS_ENGINE)

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
	./$(B)/vsva-bench
	./tools/vsva-bench-http.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > \
		include/$(ARCH)/vmlinux_$$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1\2/').h
	@echo "now point include/$(ARCH)/vmlinux.h at the new file"

clean:
	rm -rf $(B)
