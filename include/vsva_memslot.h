/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structures shared by bpf/memslot.bpf.c and the engine: the memslot
 * deletion measurement (cost of a KVM memslot flush, by zap mode).
 */
#ifndef VSVA_MEMSLOT_H
#define VSVA_MEMSLOT_H

#include "vsva_vm.h"

#define VSVA_MAX_INFLIGHT	4096	/* deletions in progress (one per thread) */

/* How a deletion flushed the MMU. */
enum vsva_zap_mode {
	VSVA_ZAP_ALL_FAST = 0,	/* kvm_mmu_zap_all_fast(): whole MMU obsoleted */
	VSVA_ZAP_MEMSLOT = 1,	/* only the deleted slot's SPTEs zapped */
	VSVA_ZAP_NONE = 2,	/* not inside a deletion (shadow zaps only) */
	VSVA_ZAP_MODES,
};

/* Reasons an event could not be recorded; exported, never silent. */
enum vsva_drop {
	VSVA_DROP_INFLIGHT_FULL = 0,	/* in-flight deletion map full */
	VSVA_DROP_VM_FULL = 1,		/* per-VM stats map full */
	VSVA_DROP_VMINFO_FULL = 2,	/* per-VM info map full */
	VSVA_DROP_UNMATCHED_EXIT = 3,	/* exit hook without its entry */
	VSVA_DROP_VM_NOMEM = 4,		/* per-VM stats: no memory (not full) */
	VSVA_DROP_USER_READ = 5,	/* syscall rung: the ioctl's argument
					 * could not be read (a deletion may
					 * be missed) */
	VSVA_DROP_VMMS_FULL = 6,	/* known-VMM map full: a VMM unknown */
	VSVA_DROP_KVMS_FULL = 7,	/* struct kvm -> VM map full */
	VSVA_DROP_VMFDS_FULL = 8,	/* VM fd -> VM map full */
	VSVA_DROP_CREATING_FULL = 9,	/* VM creations in flight: map full */
	VSVA_DROP_VM_ID_TAKEN = 10,	/* no free VM id found (never seen) */
	VSVA_DROP_ZAP_HIST_FULL = 11,	/* per-VM deletion times map full */
	VSVA_DROPS,
};

/*
 * Value of the per-VM stats map (key: VM id).  Shared, not per CPU:
 * deletions and MMU page events are rare next to interrupts, and a
 * per-CPU value would cost its size times the CPUs for every VM (see
 * vsva_map_memory()); updated with atomic adds.
 */
struct vsva_memslot_stats {
	__u64 zaps[VSVA_ZAP_MODES];		/* successful deletions */
	__u64 shadow_zapped[VSVA_ZAP_MODES];	/* kvm_mmu_prepare_zap_page */
	__u64 pages_created;			/* kvm_mmu_get_page, created */
	__u64 pages_rebuilt[VSVA_ZAP_MODES];	/* created after a deletion */
	__u64 delete_errors;			/* deletions that failed */
};

/* A VM's deletion times in one zap mode: an entry only for the modes a
 * VM used (at most 2 per VM: none has no deletions). */
struct vsva_zap_hist_key {
	__u32 vm;
	__u32 mode;
};

struct vsva_zap_hist {
	__u64 ns_sum;
	__u64 slots[VSVA_HIST_SLOTS];
};

#endif /* VSVA_MEMSLOT_H */
