// SPDX-License-Identifier: GPL-2.0
/*
 * Memslot deletion cost: how long each KVM memslot flush takes, whether it
 * invalidated the whole MMU (kvm_mmu_zap_all_fast) or only the slot, how
 * many shadow pages it zapped, and how many MMU pages the guest rebuilt
 * afterwards.  Aggregated per VM (VM id) in per-CPU maps; no per-event
 * wake-ups.  The VMs themselves (kvm_vm_lifecycle) are learnt here too.
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
#include "tp.bpf.h"

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
	__u32 vm;		/* the VM whose slot is deleted */
};

/* A VM being created by this thread (kprobe and syscall rungs). */
struct creating {
	__u64 start_ns;		/* first, as vsva_map_expire() wants */
	__u64 kvm;		/* the struct kvm, 0 on the syscall rung */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	/* the VMs, kernel/0 and unattributed (vsvad sets --max-vms + 2) */
	__uint(max_entries, VSVA_MAX_VMS + 2);
	__type(key, __u32);
	__type(value, struct vsva_memslot_stats);
} vm_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	/* two modes with deletions per VM (vsvad sets 2 * (--max-vms + 2)) */
	__uint(max_entries, 2 * (VSVA_MAX_VMS + 2));
	__type(key, struct vsva_zap_hist_key);
	__type(value, struct vsva_zap_hist);
} zap_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct creating);
} creating SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSVA_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Deletions in flight: lets the hot exit hooks skip the map lookup. */
__u64 inflight_n = 0;
/* VM creations in flight: lets sys_exit_create_vm skip its lookup. */
__u64 creating_n = 0;
/* The last VM id handed out (a collision is caught and skipped). */
__u32 next_vm_id = 0;

/* classic_tracepoint rung: record layouts from tracefs, set before load */
const volatile struct vsva_tp_offs tp_off = {};

static const struct vsva_memslot_stats zero_stats;
static const struct vsva_zap_hist zero_hist;

/* Add to a shared counter: other CPUs update the same VM's. */
#define ADD(field, n)	__sync_fetch_and_add(&(field), (n))

static __always_inline void drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		(*n)++;
}

/* A VM's first stats; one vsvad retired already counts as unattributed
 * (its entries are gone, and would never be freed again). */
static __noinline struct vsva_memslot_stats *vm_create(__u32 vm)
{
	long err;

	if (is_vm(vm) && !bpf_map_lookup_elem(&vm_info, &vm))
		vm = VSVA_UNATTRIBUTED;
	err = bpf_map_update_elem(&vm_stats, &vm, &zero_stats, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		drop(err == -12 /* ENOMEM */ ? VSVA_DROP_VM_NOMEM :
		     VSVA_DROP_VM_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&vm_stats, &vm);
}

static __always_inline struct vsva_memslot_stats *vm_get(__u32 vm)
{
	struct vsva_memslot_stats *st = bpf_map_lookup_elem(&vm_stats, &vm);

	return st ? st : vm_create(vm);
}

static __always_inline struct inflight *inflight_get(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!inflight_n)
		return NULL;
	return bpf_map_lookup_elem(&inflight, &tid);
}

static __always_inline void deletion_begin(__u32 vm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight f = { .start_ns = bpf_ktime_get_ns(), .vm = vm };

	if (bpf_map_update_elem(&inflight, &tid, &f, BPF_NOEXIST) == 0) {
		__sync_fetch_and_add(&inflight_n, 1);
		return;
	}
	/* A stale entry of this thread (its exit was missed): restart it. */
	if (bpf_map_update_elem(&inflight, &tid, &f, BPF_EXIST))
		drop(VSVA_DROP_INFLIGHT_FULL);
}

/* The deletion time histogram of @vm in @mode, made on its first use. */
static __noinline struct vsva_zap_hist *hist_get(__u32 vm, __u32 mode)
{
	struct vsva_zap_hist_key k = { .vm = vm, .mode = mode };
	struct vsva_zap_hist *h = bpf_map_lookup_elem(&zap_hist, &k);
	long err;

	if (h)
		return h;
	err = bpf_map_update_elem(&zap_hist, &k, &zero_hist, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		drop(VSVA_DROP_ZAP_HIST_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&zap_hist, &k);
}

static __always_inline void record(__u32 vm, __u32 mode, __u64 ns,
				   __u64 zapped)
{
	struct vsva_memslot_stats *st = vm_get(vm);
	struct vsva_vm_info *info;
	struct vsva_zap_hist *h;
	__u32 slot;

	if (!st)
		return;
	if (mode >= VSVA_ZAP_MODES)
		mode = VSVA_ZAP_MEMSLOT;
	ADD(st->zaps[mode], 1);
	ADD(st->shadow_zapped[mode], zapped);
	h = hist_get(vm, mode);
	if (h) {
		slot = vsva_slot(ns, VSVA_HIST_SLOTS);
		ADD(h->ns_sum, ns);
		if (slot < VSVA_HIST_SLOTS)
			ADD(h->slots[slot], 1);
	}
	info = bpf_map_lookup_elem(&vm_info, &vm);
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
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
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
		st = vm_get(cur.vm);
		if (st)
			ADD(st->delete_errors, 1);
		return;
	}
	if (mode == MODE_FROM_FLAG)
		mode = cur.all_fast ? VSVA_ZAP_ALL_FAST : VSVA_ZAP_MEMSLOT;
	if (zapped == ZAPPED_FROM_COUNT)
		zapped = cur.zapped;
	record(cur.vm, mode, bpf_ktime_get_ns() - cur.start_ns, zapped);
	return;
unmatched:
	if (expect_entry)
		drop(VSVA_DROP_UNMATCHED_EXIT);
}

/* Rung 1: the kernel series' own tracepoints. */
SEC("tp_btf/kvm_flush_shadow_memslot_enter")
int BPF_PROG(own_flush_enter, void *kvm)
{
	deletion_begin(vm_of_kvm(kvm));
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
int BPF_PROG(fentry_flush_memslot, void *kvm)
{
	deletion_begin(vm_of_kvm(kvm));
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
int BPF_KPROBE(kprobe_flush_memslot, void *kvm)
{
	deletion_begin(vm_of_kvm(kvm));
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

	if ((cmd != KVM_SET_USER_MEMORY_REGION &&
	     cmd != KVM_SET_USER_MEMORY_REGION2) || !fd_is_kvm_vm(ctx->args[0]))
		return TP_KEEP;
	if (bpf_probe_read_user(&size, sizeof(size),
				(void *)ctx->args[2] + MEMORY_SIZE_OFF)) {
		drop(VSVA_DROP_USER_READ);	/* never silently */
		return TP_KEEP;
	}
	if (size == 0)	/* args[0]: the VM's fd */
		deletion_begin(vm_of_fd(ctx->args[0]));
	return TP_KEEP;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	if (!inflight_n)
		return TP_KEEP;
	deletion_end(ctx->ret == 0, MODE_FROM_FLAG, ZAPPED_FROM_COUNT, false);
	return TP_KEEP;
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
	st = vm_get(vm_of_task());
	if (st)
		ADD(st->shadow_zapped[VSVA_ZAP_NONE], 1);
}

/* a vCPU thread's fault: the stock event has no way to the VM, so its
 * process decides */
static __always_inline void page_created(void)
{
	__u32 vm = vm_of_task();
	struct vsva_memslot_stats *st;
	struct vsva_vm_info *info;

	st = vm_get(vm);
	if (!st)
		return;
	ADD(st->pages_created, 1);
	info = bpf_map_lookup_elem(&vm_info, &vm);
	if (info && info->deleted && info->last_mode < VSVA_ZAP_MODES)
		ADD(st->pages_rebuilt[info->last_mode], 1);
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
	return TP_KEEP;
}

SEC("tracepoint/kvmmmu/kvm_mmu_prepare_zap_page")
int tp_kvm_mmu_prepare_zap_page(void *ctx)
{
	prepare_zap_page();
	return TP_KEEP;
}

SEC("tracepoint/kvmmmu/kvm_mmu_get_page")
int tp_kvm_mmu_get_page(void *ctx)
{
	__u8 created = 0;

	bpf_probe_read_kernel(&created, 1, ctx + tp_off.get_page_created);
	if (created)
		page_created();
	return TP_KEEP;
}

/*
 * kvm_vm_lifecycle: a VM is born with its struct kvm (fentry and kprobe
 * rungs) or its file descriptor (syscall rung) and gets an id; the process
 * that creates it is a VMM.  Work is attributed by the VM wherever a hook
 * reaches it, by a known VMM's process otherwise, and never to anyone else.
 */
static __always_inline __u32 vmm_add(__u32 tgid, __u32 id, __u64 start_ns)
{
	struct vsva_vmm *v = bpf_map_lookup_elem(&vmms, &tgid), fresh = {
		.start_ns = start_ns, .created = 1, .vm = id,
	};
	bool same;

	if (v) {
		same = v->scanned ? v->start_ns / VSVA_NS_PER_TICK ==
				    start_ns / VSVA_NS_PER_TICK :
				    v->start_ns == start_ns;
		if (same) {
			v->vm = id;
			__sync_fetch_and_add(&v->created, 1);
			return v->created;
		}
	}
	/* new, or a new process under an old pid: its VMs start at 1 */
	if (bpf_map_update_elem(&vmms, &tgid, &fresh, BPF_ANY))
		drop(VSVA_DROP_VMMS_FULL);
	return 1;
}

/* A free VM id in vm_info for @info; 0 if none. */
static __always_inline __u32 vm_id_take(struct vsva_vm_info *info)
{
	__u32 id;
	long err;
	int i;

	for (i = 0; i < 4; i++) {
		id = ++next_vm_id & (VSVA_VM_ID_SCANNED - 1);
		if (!id)
			continue;
		err = bpf_map_update_elem(&vm_info, &id, info, BPF_NOEXIST);
		if (!err)
			return id;
		if (err != -17 /* EEXIST: two CPUs, one id */) {
			drop(VSVA_DROP_VMINFO_FULL);
			return 0;
		}
	}
	drop(VSVA_DROP_VM_ID_TAKEN);
	return 0;
}

static __noinline void vm_created(__u64 kvm, __s64 fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct vsva_vmfd vf = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct vsva_vm_info info = {};
	struct vsva_vm_info *in;
	__u32 id;

	__u64 start_ns = BPF_CORE_READ(t, group_leader, start_boottime);

	BPF_CORE_READ_STR_INTO(&info.comm, t, group_leader, comm);
	info.start_ticks = start_ns / VSVA_NS_PER_TICK;	/* as in /proc */
	info.first_ns = bpf_ktime_get_ns();
	info.tgid = vf.tgid;
	id = vm_id_take(&info);
	if (!id)
		return;
	in = bpf_map_lookup_elem(&vm_info, &id);
	if (in)
		in->seq = vmm_add(vf.tgid, id, start_ns);
	if (kvm && bpf_map_update_elem(&kvms, &kvm, &id, BPF_ANY))
		drop(VSVA_DROP_KVMS_FULL);
	vf.fd = fd;
	if (fd >= 0 && bpf_map_update_elem(&vmfds, &vf, &id, BPF_ANY))
		drop(VSVA_DROP_VMFDS_FULL);
	vm_gen_bump();
}

/* The VM is gone (its last reference): it is retired after retention. */
static __always_inline void vm_destroyed(__u64 kvm)
{
	struct vsva_vm_info *info;
	__u32 *id = bpf_map_lookup_elem(&kvms, &kvm);

	if (!id)
		return;
	info = bpf_map_lookup_elem(&vm_info, id);
	if (info && !info->exit_ns)
		info->exit_ns = bpf_ktime_get_ns();
	bpf_map_delete_elem(&kvms, &kvm);
	vm_gen_bump();
}

/* kprobe and syscall rungs: a creation's entry, then its result. */
static __always_inline void creating_begin(__u64 kvm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct creating c = { .start_ns = bpf_ktime_get_ns(), .kvm = kvm };

	if (!bpf_map_update_elem(&creating, &tid, &c, BPF_NOEXIST)) {
		__sync_fetch_and_add(&creating_n, 1);
		return;
	}
	if (bpf_map_update_elem(&creating, &tid, &c, BPF_EXIST))
		drop(VSVA_DROP_CREATING_FULL);
}

static __always_inline void creating_end(bool ok, __s64 fd)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct creating *c, cur;

	c = bpf_map_lookup_elem(&creating, &tid);
	if (!c)
		return;
	cur = *c;
	if (bpf_map_delete_elem(&creating, &tid) == 0)
		__sync_fetch_and_sub(&creating_n, 1);
	if (ok)
		vm_created(cur.kvm, fd);
}

SEC("fexit/kvm_arch_init_vm")
int BPF_PROG(fexit_kvm_arch_init_vm, void *kvm, unsigned long type, int ret)
{
	if (!ret)
		vm_created((__u64)kvm, -1);
	return 0;
}

SEC("fentry/kvm_arch_destroy_vm")
int BPF_PROG(fentry_kvm_arch_destroy_vm, void *kvm)
{
	vm_destroyed((__u64)kvm);
	return 0;
}

SEC("kprobe/kvm_arch_init_vm")
int BPF_KPROBE(kprobe_kvm_arch_init_vm, void *kvm)
{
	creating_begin((__u64)kvm);
	return 0;
}

SEC("kretprobe/kvm_arch_init_vm")
int BPF_KRETPROBE(kretprobe_kvm_arch_init_vm, int ret)
{
	if (creating_n)
		creating_end(ret == 0, -1);
	return 0;
}

SEC("kprobe/kvm_arch_destroy_vm")
int BPF_KPROBE(kprobe_kvm_arch_destroy_vm, void *kvm)
{
	vm_destroyed((__u64)kvm);
	return 0;
}

/* where neither can reach KVM: the ioctl that returns a VM fd (the
 * struct kvm stays unknown; the fd leads the syscall rungs to the VM) */
SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_create_vm(struct trace_event_raw_sys_enter *ctx)
{
	if ((__u32)ctx->args[1] == KVM_CREATE_VM && fd_is_kvm_dev(ctx->args[0]))
		creating_begin(0);
	return TP_KEEP;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int sys_exit_create_vm(struct trace_event_raw_sys_exit *ctx)
{
	if (creating_n)
		creating_end(ctx->ret >= 0, ctx->ret);
	return TP_KEEP;
}

/* A VM whose VMM died stays visible until the engine retires it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	struct vsva_vm_info *info;
	struct vsva_vmm *v;
	__u32 tgid;

	/* tp_btf: direct (CO-RE relocated) loads, no probe-read helpers */
	if (task->signal->live.counter != 0)
		return 0;
	tgid = task->tgid;
	v = bpf_map_lookup_elem(&vmms, &tgid);
	if (!v)
		return 0;
	vm_gen_bump();	/* its pid may be reused now */
	/* its newest VM; vsvad marks the others (their VMM is gone) */
	info = bpf_map_lookup_elem(&vm_info, &v->vm);
	if (info && !info->exit_ns)
		info->exit_ns = bpf_ktime_get_ns();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
