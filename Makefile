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
LDLIBS_ENGINE	:= -ltraceevent -lbpf -lelf -lz -lcap-ng -ljson-c -lm -lpthread
# -mcpu=v3 pinned: Debian 12's clang 14 and 13's clang 19 default to
# different BPF ISA levels; v3 (jmp32, alu32) loads on Linux 5.1+.
BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		   -Iinclude -Iinclude/$(ARCH) -Wall -Wno-unused-function

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))
# src/lib/: libvsva, the library every program links; src/daemon/:
# vsvad's own code; tools/<program>/: the other programs
ENGINE_SRCS	:= $(wildcard src/lib/*.c)
ENGINE_OBJS	:= $(patsubst src/lib/%.c,$(B)/lib/%.o,$(ENGINE_SRCS))
D		:= src/daemon
# the web config: webconfig.c and its parts (the fuzzer links them alone)
WEBCONFIG_SRCS	:= $(addprefix $(D)/,webconfig.c webyaml.c webparse.c \
		   webcred.c webusers.c webtls.c)
DAEMON_SRCS	:= $(D)/auth.c $(D)/conns.c $(D)/http.c $(D)/httpd.c \
		   $(D)/options.c $(D)/server.c $(D)/servtls.c $(WEBCONFIG_SRCS)
DAEMON_OBJS	:= $(patsubst $(D)/%.c,$(B)/daemon/%.o,$(DAEMON_SRCS))
DAEMON_LIBS	:= -lmicrohttpd -lyaml -lcrypt -lgnutls -lz -lm -lpthread
LIB		:= $(B)/libvsva.a
BINS		:= $(B)/vsvad $(B)/vsva-kvmload $(B)/vsva-pasidload \
		   $(B)/vsva-bench $(B)/vsva-top \
		   $(B)/vsva-perf $(B)/vsva-perf-filter.so $(B)/stats_check \
		   $(B)/mapfill
MANPAGES	:= $(patsubst man/%,$(B)/man/%.gz,$(wildcard man/*.[18]))
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(B)/%,$(wildcard tests/unit/test_*.c))

.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: kernel all deps man programs deb install uninstall check check-unit \
	check-static check-live check-kernel check-matrix bench vmlinux clean
FUZZERS		:= $(B)/fuzz_http $(B)/fuzz_perfdata $(B)/fuzz_webconfig \
		   $(B)/fuzz_parse

all: $(BINS) $(UNIT_TESTS) $(FUZZERS) $(MANPAGES) $(B)/table.json

deps:
	./scripts/deps.sh

$(B) $(B)/lib $(B)/daemon:
	mkdir -p $@

$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h include/*.h) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

HEADERS		:= $(wildcard include/*.h include/vsva/*.h include/vsva/*.def \
		   src/lib/*.h $(D)/*.h)

$(B)/lib/%.o: src/lib/%.c $(HEADERS) $(SKELS) | $(B)/lib
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -c $< -o $@

$(B)/daemon/%.o: $(D)/%.c $(HEADERS) | $(B)/daemon
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -c $< -o $@

$(LIB): $(ENGINE_OBJS)
	ar rcs $@ $^

$(B)/vsvad: $(D)/vsvad.c $(DAEMON_OBJS) $(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		$< -o $@ $(DAEMON_OBJS) $(LIB) $(DAEMON_LIBS) $(LDLIBS_ENGINE)

# the measurement table as JSON, for what is not C (scripts, tests):
# vsva-table reads only the table compiled into libvsva
$(B)/vsva-table: tools/table/vsva-table.c $(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ $(LIB) $(LDLIBS_ENGINE)

$(B)/table.json: $(B)/vsva-table
	$< >$@.tmp && mv $@.tmp $@

# every .c file in tools/bench/ is vsva-bench's
BENCH_SRCS	:= $(wildcard tools/bench/*.c)
$(B)/vsva-bench: $(BENCH_SRCS) $(wildcard tools/bench/*.h) $(LIB) $(SKELS) \
		$(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		$(shell pkg-config --cflags json-c) $(BENCH_SRCS) \
		-o $@ $(LIB) $(LDLIBS_ENGINE) -ljson-c -lm

# tests: fill a process's BPF hash maps, to measure them full
$(B)/mapfill: tests/helpers/mapfill.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

# the statistics alone, for the scipy oracle (tests/static/test_stats.sh)
$(B)/stats_check: tests/static/stats_check.c tools/bench/bench-stats.c \
		tools/bench/bench-ranks.c tools/bench/bench-stats.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Itools/bench $(filter %.c,$^) -o $@ -lm

$(B)/vsva-top: tools/top/vsva-top.c tools/top/top-data.c tools/top/top-screen.c \
		tools/top/top-source.c tools/common/textesc.c tools/common/textesc.h tools/top/top.h \
		$(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Itools/common \
		$(filter %.c,$^) -o $@ $(LIB) -lncursesw -lcurl \
		$(LDLIBS_ENGINE)

# vsva-perf's report engine and decoders (tools/perf/dec-*.c): in
# vsva-perf, its dlfilter, the fuzzer and the unit tests; the dlfilter
# cannot link libvsva, and reads the table's names from its rows
PERF_MAIN	:= tools/perf/vsva-perf.c tools/perf/perf-record.c \
		   tools/perf/perf-choose.c tools/perf/perf-filter.c
PERF_REPORT	:= $(filter-out $(PERF_MAIN),$(wildcard tools/perf/*.c)) \
		   $(wildcard tools/perf/*.h) \
		   tools/common/textesc.c tools/common/textesc.h src/lib/utf8.c \
		   include/vsva/names.h include/vsva/utf8.h include/vsva/ladder.h \
		   include/vsva/measurements.def

$(B)/vsva-perf: tools/perf/vsva-perf.c tools/perf/perf-record.c \
		tools/perf/perf-choose.c $(PERF_REPORT) $(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Itools/common $(filter %.c,$^) -o $@ $(LIB) $(LDLIBS_ENGINE)

# the perf dlfilter: loaded by perf script, so self-contained
$(B)/vsva-perf-filter.so: tools/perf/perf-filter.c $(PERF_REPORT) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-fPIC -shared -Itools/common $(filter %.c,$^) -o $@ -lm

# no libbpf: it goes into the QEMU guests' initramfs
$(B)/vsva-kvmload: tools/load/vsva-kvmload.c tools/load/kvmguest.c \
		tools/load/kvmopts.c tools/load/kvmload.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(filter %.c,$^) -o $@ -lpthread

# no libbpf either: the kernel tier runs it in the guest
$(B)/vsva-pasidload: tools/load/vsva-pasidload.c tools/load/pasidops.c \
		tools/load/pasidload.h tools/load/iommufd-abi.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(filter %.c,$^) -o $@

# libFuzzer + ASan + UBSan over the sources themselves (the library is
# built plain); the first undefined behaviour stops a fuzzer
FUZZ_CC		= $(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		  -fno-sanitize-recover=all
$(B)/fuzz_http: tests/fuzz/fuzz_http.c $(D)/http.c src/lib/metrics.c src/lib/expo.c \
		src/lib/utf8.c \
		$(HEADERS) | $(B)
	$(FUZZ_CC) -Iinclude -I$(D) \
		$(filter %.c,$^) -o $@ -lm

$(B)/fuzz_webconfig: tests/fuzz/fuzz_webconfig.c $(WEBCONFIG_SRCS) \
		$(D)/webconfig.h | $(B)
	$(FUZZ_CC) -I$(D) \
		$(filter %.c,$^) -o $@ -lyaml -lcrypt -lgnutls -lpthread

# the exposition parser and vsva-top's rows from what it parsed
$(B)/fuzz_parse: tests/fuzz/fuzz_parse.c src/lib/parse.c src/lib/parse-store.c src/lib/metrics.c src/lib/expo.c \
		src/lib/utf8.c src/lib/table.c tools/top/top-data.c tools/common/textesc.c tools/top/top.h tools/common/textesc.h \
		$(HEADERS) | $(B)
	$(FUZZ_CC) -Iinclude -Itools/top -Itools/common \
		$(filter %.c,$^) -o $@ -lm

$(B)/fuzz_perfdata: tests/fuzz/fuzz_perfdata.c src/lib/perfdata.c \
		$(PERF_REPORT) $(HEADERS) | $(B)
	$(FUZZ_CC) -Iinclude -Itools/perf -Itools/common \
		$(filter %.c,$^) -o $@ -ltraceevent -lm

# the exposition parser and vsva-top's rows from what it parsed
$(B)/test_parse: tests/unit/test_parse.c tools/top/top-data.c tools/common/textesc.c \
		tools/top/top.h tools/common/textesc.h $(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Itools/top -Itools/common $(filter %.c,$^) -o $@ $(LIB) -lcmocka \
		$(LDLIBS_ENGINE)

# vsva-perf report's engine and decoders, alone
$(B)/test_perfreport $(B)/test_perfdecoders: $(B)/test_%: tests/unit/test_%.c \
		tests/unit/perftest.h $(PERF_REPORT) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Itools/perf -Itools/common $(filter %.c,$^) -o $@ -lcmocka -lm

# vsva-perf's decoders against the measurement table
$(B)/test_perfops: tests/unit/test_perfops.c tools/perf/perf-choose.c \
		$(PERF_REPORT) $(LIB) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Itools/perf -Itools/common \
		$(filter %.c,$^) -o $@ $(LIB) -lcmocka $(LDLIBS_ENGINE)

$(B)/test_%: tests/unit/test_%.c $(LIB) $(DAEMON_OBJS) $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) \
		-Isrc/lib -I$(D) $< -o $@ $(DAEMON_OBJS) $(LIB) -lcmocka \
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

# make kernel [KERNEL=7.3|6.12|all]: the series on 7.3 (upstream's base)
# and its 6.12 backport (Debian 13's kernel), built and cached
KERNEL		?= all
kernel:
	@case "$(KERNEL)" in all) v="7.3 6.12" ;; *) v="$(KERNEL)" ;; esac; \
	for k in $$v; do ./kernel/build.sh $$k || exit; done

bench: all
	./$(B)/vsva-bench cost
	./tools/bench/vsva-bench-http.sh
	./tools/bench/vsva-bench-perf.sh
	./tools/bench/vsva-bench-scale.sh

# make install [PREFIX=/usr/local] [DESTDIR=]; make uninstall
PREFIX		?= /usr/local
SBINDIR		:= $(PREFIX)/sbin
BINDIR		:= $(PREFIX)/bin
LIBDIR		:= $(PREFIX)/lib
MANDIR		:= $(PREFIX)/share/man
DATADIR		:= $(PREFIX)/share/vsva
UNITDIR		?= $(PREFIX)/lib/systemd/system
COMPDIR		:= $(PREFIX)/share/bash-completion/completions
TOOLS		:= vsva-top vsva-perf vsva-bench vsva-kvmload vsva-pasidload

$(B)/man/%.gz: man/% | $(B)
	@mkdir -p $(B)/man
	gzip -9n <$< >$@

man: $(MANPAGES)

# what a package needs: the programs and their man pages
programs: $(BINS) $(MANPAGES)

# make deb: a Debian package from a copy of the tree (tracked and new
# files; outside git, all but the build directory), built with
# dpkg-buildpackage into $(B)/deb and checked by lintian
VERSION		:= $(shell sed -n 's/^\#define VSVA_VERSION[^"]*"\(.*\)"/\1/p' include/vsva/engine.h)
deb:
	rm -rf $(B)/deb && mkdir -p $(B)/deb/vsva-$(VERSION)
	if git rev-parse --git-dir >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			xargs -0 cp --parents -t $(B)/deb/vsva-$(VERSION); \
	else \
		tar -cf - --exclude=./$(B) --exclude=./build . | \
			tar -xf - -C $(B)/deb/vsva-$(VERSION); \
	fi
	cd $(B)/deb/vsva-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -b -us -uc
	lintian --fail-on error $(B)/deb/vsva_$(VERSION)_amd64.changes

install: $(BINS) man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(LIBDIR)/vsva $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(B)/vsvad $(DESTDIR)$(SBINDIR)/
	install -m 755 $(addprefix $(B)/,$(TOOLS)) $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/vsva-perf-filter.so $(DESTDIR)$(LIBDIR)/vsva/
	install -m 644 $(filter %.1.gz,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.8.gz,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 dashboards/* $(DESTDIR)$(DATADIR)/
	sed 's|/usr/local/sbin/vsvad|$(SBINDIR)/vsvad|' dist/vsvad.service \
		>$(DESTDIR)$(UNITDIR)/vsvad.service
	chmod 644 $(DESTDIR)$(UNITDIR)/vsvad.service
	install -m 644 dist/bash-completion/vsva $(DESTDIR)$(COMPDIR)/vsvad
	for t in $(TOOLS); do ln -sf vsvad $(DESTDIR)$(COMPDIR)/$$t; done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vsvad $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS))
	rm -f $(DESTDIR)$(LIBDIR)/vsva/vsva-perf-filter.so
	rm -f $(patsubst $(B)/man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1.gz,$(MANPAGES)))
	rm -f $(patsubst $(B)/man/%,$(DESTDIR)$(MANDIR)/man8/%,$(filter %.8.gz,$(MANPAGES)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(wildcard dashboards/*)))
	rm -f $(DESTDIR)$(UNITDIR)/vsvad.service
	rm -f $(addprefix $(DESTDIR)$(COMPDIR)/,vsvad $(TOOLS))
	-rmdir $(DESTDIR)$(LIBDIR)/vsva $(DESTDIR)$(DATADIR) 2>/dev/null

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > \
		include/$(ARCH)/vmlinux_$$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1\2/').h
	@echo "now point include/$(ARCH)/vmlinux.h at the new file"

clean:
	rm -rf $(B)
