/* SPDX-License-Identifier: GPL-2.0 */
/* vsva-bench: program statistics, and bpftrace on the same event. */
#ifndef VSVA_BENCH_H
#define VSVA_BENCH_H

#include <sys/types.h>
#include <linux/types.h>
#include "vsva/engine.h"

#define MAX_PROGS	32

struct prog_stat {
	const char *name;
	__u64 ns, cnt;
};

/* run_time_ns and run_cnt of program @fd (BPF_ENABLE_STATS); 0 or -1. */
int prog_stat(int fd, struct prog_stat *s);

/* bpftrace running the same count on the same event, for comparison */
#define BPFTRACE_PROG \
	"tracepoint:kvm:kvm_msi_set_irq { @[pid] = count(); }"

struct bpftrace {
	pid_t pid;
	int nfds;
	int fds[8];		/* its BPF programs */
};

/* Start bpftrace; its programs are the ids that appear once it attached. */
int bpftrace_start(struct bpftrace *bt);
void bpftrace_stop(struct bpftrace *bt);
/* vsva's kvm_msi_set_irq next to bpftrace's program, per event. */
void report_bpftrace(struct bpftrace *bt, struct vsva_engine *e);

#endif /* VSVA_BENCH_H */
