// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench: per-event cost of vsva's BPF programs, measured side by side
 * with empty programs attached to the same hooks, in one run.
 *
 * BPF run-time statistics are switched on (BPF_ENABLE_STATS) only while
 * the bench runs.  The workload is vsva-kvmload (memslot deletions in both
 * zap modes) plus a burst of unrelated ioctls, the common case that the
 * syscall-rung filter must make cheap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "vsva/privs.h"
#include "bench_empty.skel.h"
#include "bench.h"
#include "bench-ab.h"

#define GOAL_RATIO	1.5

extern char **environ;

struct opts {
	unsigned long deletions;
	unsigned long ioctls;
	unsigned long irqs;
	enum vsva_rung force[VSVA_NMEASUREMENTS];	/* --rung */
};

struct load_result {
	unsigned long long p50[2], deletions, elapsed;	/* p50 per mode */
	int runs;
};

static unsigned long long json_u64(const char *json, const char *key)
{
	const char *p = strstr(json, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int run_workload(const char *mode, unsigned long n,
			struct load_result *res)
{
	char exe[PATH_MAX], path[PATH_MAX + 16], num[24], out[2048];
	char *argv[] = { path, "-n", num, "--mode", (char *)mode,
			 "--memory", "16", NULL };
	posix_spawn_file_actions_t fa;
	int status, err, pfd[2];
	ssize_t len, got = 0;
	pid_t pid;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0 || pipe(pfd))
		return -1;
	exe[len] = 0;
	snprintf(path, sizeof(path), "%s/vsva-kvmload", dirname(exe));
	snprintf(num, sizeof(num), "%lu", n);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (err) {
		fprintf(stderr, "vsva-bench: cannot run %s: %s\n", path,
			strerror(err));
		close(pfd[0]);
		return -1;
	}
	while (got < (ssize_t)sizeof(out) - 1 &&
	       (len = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += len;
	out[got] = 0;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "vsva-bench: %s --mode %s failed\n", path, mode);
		return -1;
	}
	res->p50[res->runs++ & 1] = json_u64(out, "\"p50\":");
	res->deletions += json_u64(out, "\"deletions\":");
	res->elapsed += json_u64(out, "\"elapsed_ns\":");
	return 0;
}

static int run_irqfd(unsigned long n)
{
	char exe[PATH_MAX], path[PATH_MAX + 16], num[24];
	char *argv[] = { path, "-n", "0", "--memory", "4", "--irqfd", num,
			 NULL };
	posix_spawn_file_actions_t fa;
	ssize_t len;
	int status, err;
	pid_t pid;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0)
		return -1;
	exe[len] = 0;
	snprintf(path, sizeof(path), "%s/vsva-kvmload", dirname(exe));
	snprintf(num, sizeof(num), "%lu", n);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "vsva-bench: vsva-kvmload --irqfd failed\n");
		return -1;
	}
	return 0;
}

static int run_both_modes(unsigned long n, struct load_result *res)
{
	memset(res, 0, sizeof(*res));
	return run_workload("all_fast", n, res) ||
	       run_workload("memslot", n, res) ? -1 : 0;
}

static void other_ioctls(unsigned long n)
{
	struct termios t;
	int fd = open("/dev/null", O_RDONLY);

	while (n--)
		ioctl(fd, TCGETS, &t);	/* ENOTTY: not a KVM ioctl */
	close(fd);
}

/* Switch off empty programs whose real counterpart is not loaded. */
static void match_autoload(struct bench_empty_bpf *s, const char **names,
			   int n)
{
	struct bpf_program *p;
	int i;

	bpf_object__for_each_program(p, s->obj) {
		const char *twin = bpf_program__name(p) + strlen("empty_");
		bool on = false;

		for (i = 0; i < n; i++)
			on |= !strcmp(names[i], twin);
		bpf_program__set_autoload(p, on);
	}
}

static int empty_fd(struct bench_empty_bpf *s, const char *name)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj)
		if (!strcmp(bpf_program__name(p) + strlen("empty_"), name))
			return bpf_program__fd(p);
	return -1;
}

static int report(struct vsva_engine *e, struct bench_empty_bpf *s,
		  const struct opts *o)
{
	const struct vsva_choice *c[16];
	const char *names[MAX_PROGS], *mnames[16];
	struct prog_stat real, base;
	int fds[MAX_PROGS], n, i, misses = 0;
	struct utsname u;

	uname(&u);
	printf("vsva-bench: per-event cost, vsva programs vs empty programs "
	       "on the same hooks (one run)\n");
	printf("kernel %s; workload: %lu memslot deletions in each zap mode, "
	       "%lu irqfd MSI signals, %lu unrelated ioctls\n", u.release,
	       o->deletions, o->irqs, o->ioctls);
	n = vsva_engine_choices(e, mnames, c, 16);
	for (i = 0; i < n; i++)
		printf("probe %s: %s\n", mnames[i], vsva_rung_name(c[i]->rung));
	printf("\n%-26s %10s %12s %12s %7s  %s\n", "program", "events",
	       "vsva ns/ev", "empty ns/ev", "ratio", "goal <= 1.5x");
	n = vsva_engine_prog_fds(e, fds, names, MAX_PROGS);
	for (i = 0; i < n; i++) {
		double r, b, ratio;

		if (prog_stat(fds[i], &real) ||
		    prog_stat(empty_fd(s, names[i]), &base))
			continue;
		if (!real.cnt || !base.cnt) {
			printf("%-26s %10llu %12s %12s %7s  no events\n",
			       names[i], (unsigned long long)real.cnt, "-", "-",
			       "-");
			continue;
		}
		r = (double)real.ns / real.cnt;
		b = (double)base.ns / base.cnt;
		ratio = r / b;
		misses += ratio > GOAL_RATIO;
		printf("%-26s %10llu %12.1f %12.1f %6.2fx  %s\n", names[i],
		       (unsigned long long)real.cnt, r, b, ratio,
		       ratio <= GOAL_RATIO ? "met" : "MISSED");
	}
	printf("\n%d of %d programs above %.1fx of the empty program\n",
	       misses, n, GOAL_RATIO);
	return 0;
}

/* What a deletion costs the VMM with and without vsva attached. */
/* Median deletion time, the mean of the two modes' medians, in us. */
static double per_del_us(const struct load_result *r)
{
	return (r->p50[0] + r->p50[1]) / 2e3;
}

/*
 * What a deletion costs the VMM with vsva attached, between two runs
 * without (before and after: their spread is the noise floor).
 */
static void print_end_to_end(const struct load_result *before,
			     const struct load_result *with,
			     const struct load_result *after)
{
	double a = per_del_us(before), w = per_del_us(with);
	double c = per_del_us(after), base = (a + c) / 2;

	if (!base)
		return;
	printf("median deletion ioctl as the VMM sees it (vsva-kvmload p50): "
	       "%.1f us with vsva; without: %.1f us before, %.1f us after "
	       "(%+.1f%% vs their mean)\n", w, a, c, (w - base) / base * 100);
	printf("workload run time: %.0f ms with vsva; without: %.0f ms, "
	       "%.0f ms\n", with->elapsed / 1e6, before->elapsed / 1e6,
	       after->elapsed / 1e6);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-bench COMMAND [OPTION]...\n"
"  cost     the per-event cost of each vsva BPF program (below)\n"
"  run      run a command N times with vsva attached; write its figures\n"
"  compare  compare files written by run, with statistics\n"
"  ab       run two commands interleaved (ABBA) and compare them\n"
"vsva-bench COMMAND --help tells more.\n"
"\n"
"Usage: vsva-bench cost [-n DELETIONS] [-i IOCTLS] [-q IRQS] [--rung M=RUNG]...\n"
"Measure the per-event cost of each vsva BPF program next to an empty\n"
"program on the same hook, while vsva-kvmload deletes memslots.\n"
"\n"
"  -n, --deletions N   deletions per zap mode (default 200)\n"
"  -i, --ioctls N      unrelated ioctls to issue (default 200000)\n"
"  -q, --irqs N        irqfd MSI signals (default 200000); bpftrace, if\n"
"                      installed, counts the same event side by side\n"
"      --rung M=RUNG   measure measurement M on RUNG (as vsvad --rung),\n"
"                      e.g. kvm_irq_injection=classic_tracepoint\n"
"  -h, --help          show this help\n"
"\n"
"Needs root (BPF, BPF_ENABLE_STATS and /dev/kvm).\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "deletions", required_argument, NULL, 'n' },
		{ "ioctls", required_argument, NULL, 'i' },
		{ "irqs", required_argument, NULL, 'q' },
		{ "rung", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:i:q:h", lo, NULL)) != -1) {
		unsigned long *dst = c == 'n' ? &o->deletions :
				     c == 'q' ? &o->irqs : &o->ioctls;

		char err[256];

		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'R') {
			if (!vsva_rung_option(optarg, o->force, err,
					      sizeof(err)))
				continue;
			fprintf(stderr, "vsva-bench: %s\n", err);
			return -1;
		}
		if (c != 'n' && c != 'i' && c != 'q')
			return vsva_bad_option("vsva-bench", usage);
		if (vsva_parse_ul(optarg, 0, ULONG_MAX, dst))
			goto bad;
	}
	return vsva_no_operands("vsva-bench cost", argc, argv, optind);
bad:
	usage(stderr);
	return -1;
}

static int cmd_cost(int argc, char **argv)
{
	struct opts o = { .deletions = 200, .ioctls = 200000, .irqs = 200000 };
	struct bpftrace bt = { 0 };
	struct vsva_engine_opts eo = { .retention_s = 300 };
	const char *names[MAX_PROGS];
	struct bench_empty_bpf *s;
	struct vsva_engine *e;
	struct load_result without, with, after;
	int fds[MAX_PROGS], n, stats_fd, rc = 1;
	char err[512];

	if (parse_opts(argc, argv, &o))
		return 2;
	memcpy(eo.force, o.force, sizeof(eo.force));
	if (vsva_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "vsva-bench: %s\n", err);
		return 3;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "vsva-bench: BPF_ENABLE_STATS: %s\n",
			strerror(-stats_fd));
		return 1;
	}
	/* the same workload without any vsva program, first */
	if (run_both_modes(o.deletions, &without))
		goto close_stats;
	if (vsva_engine_open(&e, &eo, err, sizeof(err))) {
		fprintf(stderr, "vsva-bench: %s\n", err);
		goto close_stats;
	}
	n = vsva_engine_prog_fds(e, fds, names, MAX_PROGS);
	s = bench_empty_bpf__open();
	if (!s)
		goto close_engine;
	match_autoload(s, names, n);
	if (bench_empty_bpf__load(s) || bench_empty_bpf__attach(s)) {
		fprintf(stderr, "vsva-bench: loading the empty programs failed\n");
		goto destroy_skel;
	}
	if (bpftrace_start(&bt))
		bpftrace_stop(&bt), bt.pid = 0;
	if (run_both_modes(o.deletions, &with) || run_irqfd(o.irqs))
		goto stop_bpftrace;
	other_ioctls(o.ioctls);
	rc = report(e, s, &o);
	report_bpftrace(&bt, e);
stop_bpftrace:
	bpftrace_stop(&bt);
destroy_skel:
	bench_empty_bpf__destroy(s);
close_engine:
	vsva_engine_close(e);
close_stats:
	close(stats_fd);
	if (!rc && !run_both_modes(o.deletions, &after))
		print_end_to_end(&without, &with, &after);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "cost", cmd_cost }, { "run", cmd_run },
		{ "compare", cmd_compare }, { "ab", cmd_ab },
	};
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vsva-bench: unknown command '%s' (cost, run, compare "
		"or ab)%s\n", argv[1], argv[1][0] == '-' ?
		"; the per-event cost is now vsva-bench cost" : "");
	return 2;
}
