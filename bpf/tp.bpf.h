/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a classic tracepoint program returns.  The kernel runs the BPF
 * programs of a tracepoint before its perf events, and a program that
 * returns 0 drops the sample of every perf user of that event
 * (perf_trace_run_bpf_submit, perf_syscall_enter): vsvad would blind a
 * `perf record -e syscalls:sys_enter_ioctl` running beside it.  1 keeps
 * the sample, and costs nothing when no perf event listens.
 */
#ifndef VSVA_TP_BPF_H
#define VSVA_TP_BPF_H

#define TP_KEEP		1

#endif /* VSVA_TP_BPF_H */
