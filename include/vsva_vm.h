/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM as every vsva BPF object sees it.  A VM is one `struct kvm`: it has
 * its own id (a serial, never a pid), learnt when the VM is created and
 * shared between the objects through one vm_info map.  Its VMM (tgid,
 * start time) and its sequence number among that VMM's VMs name it.
 */
#ifndef VSVA_VM_H
#define VSVA_VM_H

#define VSVA_COMM_LEN		16
#define VSVA_MAX_VMS		1024	/* VMs tracked at once (live + retained) */
#define VSVA_HIST_SLOTS		32	/* log2(ns) slots; the last one is clamped */

/* VM ids: 0 is work done by a kernel thread ("kernel/0"), and
 * VSVA_UNATTRIBUTED the "VM" of work no known VM did (an irqfd signalled
 * by a backend process, say): never charged to an unrelated process.
 * BPF numbers the VMs it sees created from 1; vsvad numbers those that
 * existed before it started from VSVA_VM_ID_SCANNED up. */
#define VSVA_UNATTRIBUTED	0xffffffffu
#define VSVA_VM_ID_SCANNED	0x80000000u

/* A known VMM (key: tgid): it created a VM, or held one when vsvad started. */
struct vsva_vmm {
	__u64 start_ns;			/* process start (boot time, ns); two
					 * processes under one pid may start
					 * in the same clock tick */
	__u32 created;			/* VMs it created (or held) so far */
	__u32 vm;			/* its newest VM: work attributed by the
					 * process goes there */
	__u32 scanned;			/* found by vsvad: start_ns is only
					 * as exact as a clock tick */
	__u32 pad;
};

#define VSVA_NS_PER_TICK	10000000ULL	/* USER_HZ 100, as /proc shows */

/* Per CPU: the VM of the task seen last there (vm_of_task()'s memo),
 * valid while the VM generation (vm_gen) has not moved. */
struct vsva_task_vm {
	__u64 who;			/* vm << 32 | tgid, stored at once */
	__u64 gen;			/* vm_gen + 1 when stored; 0: empty */
};

/* A VM file descriptor of a VMM: syscall-rung attribution by VM. */
struct vsva_vmfd {
	__u32 tgid;
	__u32 fd;
};

/* Shared (not per-CPU) per-VM identity and life cycle (key: VM id). */
struct vsva_vm_info {
	char comm[VSVA_COMM_LEN];	/* comm of the VMM's thread-group leader */
	__u64 first_ns;			/* CLOCK_MONOTONIC of its creation (or
					 * of vsvad finding it) */
	__u64 exit_ns;			/* 0 while the VM lives */
	__u64 start_ticks;		/* the VMM's start, /proc/PID/stat
					 * field 22 (clock ticks) */
	__u32 tgid;			/* its VMM */
	__u32 seq;			/* 1 for the VMM's first VM, 2, ... */
	__u32 last_mode;		/* memslot: mode of the latest deletion */
	__u32 deleted;			/* memslot: rebuild counting on */
};

#endif /* VSVA_VM_H */
