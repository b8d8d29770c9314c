/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vm_info map every vsva BPF object declares; the engine makes them
 * one map (bpf_map__reuse_fd), so a VM has one identity and one exit time.
 */
#ifndef VSVA_VM_BPF_H
#define VSVA_VM_BPF_H

#include "vsva_vm.h"

#define PF_KTHREAD	0x00200000

/*
 * Is the current task a kernel thread?  bpf_get_current_task_btf() is
 * Linux 5.11+; older kernels read the flags through the untyped task.
 * The test is a CO-RE constant, so the verifier only sees the branch
 * this kernel can run.
 */
static __always_inline bool current_is_kthread(void)
{
	struct task_struct *t;

	if (bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->flags & PF_KTHREAD;
	t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, flags) & PF_KTHREAD;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u32);
	__type(value, struct vsva_vm_info);
} vm_info SEC(".maps");

/* Known VMMs; the engine shares one map between the objects. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u32);
	__type(value, struct vsva_vmm);
} vmms SEC(".maps");

/*
 * The VM the current task works for: 0 for a kernel thread (deferred
 * work), the tgid of a known VMM, else VSVA_UNATTRIBUTED, so that an
 * irqfd written by a backend process is never charged to that process.
 */
static __always_inline __u32 vm_owner(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (current_is_kthread())
		return 0;
	return bpf_map_lookup_elem(&vmms, &tgid) ? tgid : VSVA_UNATTRIBUTED;
}

/* Remember the current process as a VMM (it is creating a VM). */
static __always_inline void vmm_created(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vsva_vmm *v, fresh = {
		/* clock ticks (USER_HZ 100) since boot, as /proc shows it */
		.start_ticks = BPF_CORE_READ(t, group_leader, start_boottime) /
			       10000000,
	};

	v = bpf_map_lookup_elem(&vmms, &tgid);
	if (v && v->start_ticks == fresh.start_ticks) {
		__sync_fetch_and_add(&v->created, 1);
		return;
	}
	fresh.created = 1;	/* new, or a new process under an old pid */
	bpf_map_update_elem(&vmms, &tgid, &fresh, BPF_ANY);
}

/* Make sure VM @tgid has its vm_info entry; 0, or -1 if the map is full. */
static __noinline int vm_info_touch(__u32 tgid)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct vsva_vm_info info = {};
	long err;

	if (bpf_map_lookup_elem(&vm_info, &tgid))
		return 0;
	BPF_CORE_READ_STR_INTO(&info.comm, task, group_leader, comm);
	info.first_ns = bpf_ktime_get_ns();
	err = bpf_map_update_elem(&vm_info, &tgid, &info, BPF_NOEXIST);
	return err && err != -17 /* EEXIST */ ? -1 : 0;
}

/*
 * Argument @n of a tp_btf or fentry/fexit context, loaded by its own
 * instruction at a constant offset.  Where the argument's slot depends on
 * the kernel (a read-only flag set from BTF picks the branch), clang would
 * otherwise merge the branches' loads into one at a computed offset, and
 * the verifier refuses a modified ctx pointer.
 */
#define ctx_arg(ctx, n) ({						\
	__u64 __v;							\
	asm volatile("%0 = *(u64 *)(%1 + %2)"				\
		     : "=r"(__v) : "r"(ctx), "i"((n) * 8));		\
	__v;								\
})

#endif /* VSVA_VM_BPF_H */
