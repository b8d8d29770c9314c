/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM as every vsva BPF object sees it: its VMM process (tgid), shared
 * between the objects through one vm_info map.
 */
#ifndef VSVA_VM_H
#define VSVA_VM_H

#define VSVA_COMM_LEN		16
#define VSVA_MAX_VMS		1024	/* VMs tracked at once (live + retained) */
#define VSVA_HIST_SLOTS		32	/* log2(ns) slots; the last one is clamped */

/* The "VM" of work that no known VM did (an irqfd signalled by a backend
 * process, say): never charged to an unrelated process. */
#define VSVA_UNATTRIBUTED	0xffffffffu

/* A known VMM (key: tgid): it created a VM, or held one when vsvad started. */
struct vsva_vmm {
	__u64 start_ticks;		/* process start, /proc/PID/stat field 22 */
	__u64 created;			/* VMs it created while vsva watched */
};

/* Shared (not per-CPU) per-VM identity and life cycle (key: VMM tgid). */
struct vsva_vm_info {
	char comm[VSVA_COMM_LEN];	/* comm of the thread-group leader */
	__u64 first_ns;			/* CLOCK_MONOTONIC of the first event */
	__u64 exit_ns;			/* 0 while the VMM lives */
	__u32 last_mode;		/* memslot: mode of the latest deletion */
	__u32 deleted;			/* memslot: rebuild counting on */
};

#endif /* VSVA_VM_H */
