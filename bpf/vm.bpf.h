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
