// SPDX-License-Identifier: GPL-2.0
/*
 * Memslot deletion cost: how long each KVM memslot flush takes, whether it
 * invalidated the whole MMU (kvm_mmu_zap_all_fast) or only the slot, how
 * many shadow pages it zapped, and how many MMU pages the guest rebuilt
 * afterwards.  Aggregated per VM (VMM tgid) in per-CPU maps; no per-event
 * wake-ups.
 *
 * Four rungs time the deletion; the engine keeps exactly one of them:
 *  1. own tracepoints kvm_flush_shadow_memslot_enter/_exit (kernel/patches)
 *  2. fentry/fexit on kvm_arch_flush_shadow_memslot(), or kprobe/kretprobe
 *     where fentry cannot reach it
 *  3. syscall tracepoints around KVM_SET_USER_MEMORY_REGION(2) with
 *     memory_size == 0: the whole ioctl, an approximation.
 * The stock kvmmmu tracepoints supply the mode (rungs 2 and 3), the shadow
 * pages zapped and the pages rebuilt.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vsva_memslot.h"
#include "vsva_tpoff.h"
#include "bits.bpf.h"
#include "vm.bpf.h"

#define KVM_SET_USER_MEMORY_REGION	0x4020ae46
#define KVM_SET_USER_MEMORY_REGION2	0x40a0ae49
#define KVM_CREATE_VM			0xae01
/* offsetof(struct kvm_userspace_memory_region{,2}, memory_size) */
#define MEMORY_SIZE_OFF			16

#define MODE_FROM_FLAG			-1	/* mode from zap_all_fast seen */
#define ZAPPED_FROM_COUNT		-1	/* zapped from prepare_zap_page */

struct inflight {
	__u64 start_ns;
	__u64 zapped;
	__u32 all_fast;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u32);
	__type(value, struct vsva_memslot_stats);
} vm_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSVA_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Deletions in flight: lets the hot exit hooks skip the map lookup. */
__u64 inflight_n = 0;

/* classic_tracepoint rung: record layouts from tracefs, set before load */
const volatile struct vsva_tp_offs tp_off = {};

static const struct vsva_memslot_stats zero_stats;

static __always_inline void drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		(*n)++;
}

static __noinline struct vsva_memslot_stats *vm_create(__u32 tgid)
{
	long err;

	if (vm_info_touch(tgid)) {
		drop(VSVA_DROP_VMINFO_FULL);
		return NULL;
	}
	err = bpf_map_update_elem(&vm_stats, &tgid, &zero_stats, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		drop(err == -12 /* ENOMEM */ ? VSVA_DROP_VM_NOMEM :
		     VSVA_DROP_VM_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&vm_stats, &tgid);
}

static __always_inline struct vsva_memslot_stats *vm_get(__u32 tgid)
{
	struct vsva_memslot_stats *st = bpf_map_lookup_elem(&vm_stats, &tgid);

	return st ? st : vm_create(tgid);
}

static __always_inline struct inflight *inflight_get(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!inflight_n)
		return NULL;
	return bpf_map_lookup_elem(&inflight, &tid);
}

static __always_inline void deletion_begin(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight f = { .start_ns = bpf_ktime_get_ns() };

	if (bpf_map_update_elem(&inflight, &tid, &f, BPF_NOEXIST) == 0) {
		__sync_fetch_and_add(&inflight_n, 1);
		return;
	}
	/* A stale entry of this thread (its exit was missed): restart it. */
	if (bpf_map_update_elem(&inflight, &tid, &f, BPF_EXIST))
		drop(VSVA_DROP_INFLIGHT_FULL);
}

static __always_inline void record(__u32 tgid, __u32 mode, __u64 ns,
				   __u64 zapped)
{
	struct vsva_memslot_stats *st = vm_get(tgid);
	struct vsva_vm_info *info;

	if (!st)
		return;
	if (mode >= VSVA_ZAP_MODES)
		mode = VSVA_ZAP_MEMSLOT;
	st->zaps[mode]++;
	st->zap_ns_sum[mode] += ns;
	st->zap_slots[mode][vsva_slot(ns, VSVA_HIST_SLOTS)]++;
	st->shadow_zapped[mode] += zapped;
	info = bpf_map_lookup_elem(&vm_info, &tgid);
	if (info) {
		info->last_mode = mode;
		info->deleted = 1;
	}
}

/*
 * End the calling thread's deletion.  @mode and @zapped come from the own
 * tracepoint when it has them, else from what the kvmmmu hooks saw.
 */
static __always_inline void deletion_end(bool ok, int mode, long zapped,
					 bool expect_entry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct inflight *f, cur;
	struct vsva_memslot_stats *st;

	if (!inflight_n)
		goto unmatched;
	f = bpf_map_lookup_elem(&inflight, &tid);
	if (!f)
		goto unmatched;
	cur = *f;
	/* vsvad may have expired it meanwhile: one decrement per entry */
	if (bpf_map_delete_elem(&inflight, &tid) == 0)
		__sync_fetch_and_sub(&inflight_n, 1);

	if (!ok) {
		st = vm_get(id >> 32);
		if (st)
			st->delete_errors++;
		return;
	}
	if (mode == MODE_FROM_FLAG)
		mode = cur.all_fast ? VSVA_ZAP_ALL_FAST : VSVA_ZAP_MEMSLOT;
	if (zapped == ZAPPED_FROM_COUNT)
		zapped = cur.zapped;
	record(id >> 32, mode, bpf_ktime_get_ns() - cur.start_ns, zapped);
	return;
unmatched:
	if (expect_entry)
		drop(VSVA_DROP_UNMATCHED_EXIT);
}

/* Rung 1: the kernel series' own tracepoints. */
SEC("tp_btf/kvm_flush_shadow_memslot_enter")
int BPF_PROG(own_flush_enter)
{
	deletion_begin();
	return 0;
}

/* (struct kvm *, const struct kvm_memory_slot *, bool zap_all, u64 zapped) */
SEC("tp_btf/kvm_flush_shadow_memslot_exit")
int BPF_PROG(own_flush_exit, void *kvm, void *slot, bool zap_all, u64 zapped)
{
	deletion_end(true, zap_all ? VSVA_ZAP_ALL_FAST : VSVA_ZAP_MEMSLOT,
		     zapped, true);
	return 0;
}

/* Rung 2: fentry/fexit on the arch flush. */
SEC("fentry/kvm_arch_flush_shadow_memslot")
int BPF_PROG(fentry_flush_memslot)
{
	deletion_begin();
	return 0;
}

SEC("fexit/kvm_arch_flush_shadow_memslot")
int BPF_PROG(fexit_flush_memslot)
{
	deletion_end(true, MODE_FROM_FLAG, ZAPPED_FROM_COUNT, true);
	return 0;
}

/* Rung 2b: kprobe/kretprobe, where fentry cannot reach KVM (no module
 * BTF before 5.11). */
SEC("kprobe/kvm_arch_flush_shadow_memslot")
int BPF_KPROBE(kprobe_flush_memslot)
{
	deletion_begin();
	return 0;
}

SEC("kretprobe/kvm_arch_flush_shadow_memslot")
int BPF_KRETPROBE(kretprobe_flush_memslot)
{
	deletion_end(true, MODE_FROM_FLAG, ZAPPED_FROM_COUNT, true);
	return 0;
}

/* Rung 3: the deleting ioctl, timed from syscall entry to exit. */
SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	__u32 cmd = ctx->args[1];
	__u64 size;

	if (cmd != KVM_SET_USER_MEMORY_REGION &&
	    cmd != KVM_SET_USER_MEMORY_REGION2)
		return 0;
	if (bpf_probe_read_user(&size, sizeof(size),
				(void *)ctx->args[2] + MEMORY_SIZE_OFF)) {
		drop(VSVA_DROP_USER_READ);	/* never silently */
		return 0;
	}
	if (size == 0)
		deletion_begin();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	if (!inflight_n)
		return 0;
	deletion_end(ctx->ret == 0, MODE_FROM_FLAG, ZAPPED_FROM_COUNT, false);
	return 0;
}

/*
 * Stock kvmmmu tracepoints: mode, shadow pages zapped, pages rebuilt.
 * Each has a tp_btf program and a classic tracepoint twin (kernels whose
 * KVM module has no BTF); the engine loads one of the two.
 */
static __always_inline void zap_all_fast(void)
{
	struct inflight *f = inflight_get();

	if (f)
		f->all_fast = 1;
}

static __always_inline void prepare_zap_page(void)
{
	struct inflight *f = inflight_get();
	struct vsva_memslot_stats *st;

	if (f) {
		f->zapped++;
		return;
	}
	st = vm_get(bpf_get_current_pid_tgid() >> 32);
	if (st)
		st->shadow_zapped[VSVA_ZAP_NONE]++;
}

static __always_inline void page_created(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vsva_memslot_stats *st;
	struct vsva_vm_info *info;

	st = vm_get(tgid);
	if (!st)
		return;
	st->pages_created++;
	info = bpf_map_lookup_elem(&vm_info, &tgid);
	if (info && info->deleted && info->last_mode < VSVA_ZAP_MODES)
		st->pages_rebuilt[info->last_mode]++;
}

SEC("tp_btf/kvm_mmu_zap_all_fast")
int BPF_PROG(kvm_mmu_zap_all_fast)
{
	zap_all_fast();
	return 0;
}

SEC("tp_btf/kvm_mmu_prepare_zap_page")
int BPF_PROG(kvm_mmu_prepare_zap_page)
{
	prepare_zap_page();
	return 0;
}

SEC("tp_btf/kvm_mmu_get_page")
int BPF_PROG(kvm_mmu_get_page, void *sp, bool created)
{
	if (created)
		page_created();
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_zap_all_fast")
int tp_kvm_mmu_zap_all_fast(void *ctx)
{
	zap_all_fast();
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_prepare_zap_page")
int tp_kvm_mmu_prepare_zap_page(void *ctx)
{
	prepare_zap_page();
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_get_page")
int tp_kvm_mmu_get_page(void *ctx)
{
	__u8 created = 0;

	bpf_probe_read_kernel(&created, 1, ctx + tp_off.get_page_created);
	if (created)
		page_created();
	return 0;
}

/*
 * kvm_vm_lifecycle: a process that creates a VM is a VMM (vm_owner()
 * attributes work by the VM it does to it, and nothing else).
 */
SEC("fexit/kvm_arch_init_vm")
int BPF_PROG(fexit_kvm_arch_init_vm, void *kvm, unsigned long type, int ret)
{
	if (!ret)
		vmm_created();
	return 0;
}

SEC("kretprobe/kvm_arch_init_vm")
int BPF_KRETPROBE(kretprobe_kvm_arch_init_vm, int ret)
{
	if (!ret)
		vmm_created();
	return 0;
}

/* where neither can reach KVM: the request itself (approximate) */
SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_create_vm(struct trace_event_raw_sys_enter *ctx)
{
	if ((__u32)ctx->args[1] == KVM_CREATE_VM)
		vmm_created();
	return 0;
}

/* A VMM whose thread group died stays visible until the engine retires it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	struct vsva_vm_info *info;
	__u32 tgid;

	/* tp_btf: direct (CO-RE relocated) loads, no probe-read helpers */
	if (task->signal->live.counter != 0)
		return 0;
	tgid = task->tgid;
	info = bpf_map_lookup_elem(&vm_info, &tgid);
	if (info)
		info->exit_ns = bpf_ktime_get_ns();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
