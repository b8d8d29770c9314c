/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM maps every vsva BPF object declares; the engine makes them one
 * set (bpf_map__reuse_fd), so a VM has one identity and one exit time,
 * and every object attributes work to the same VMs.
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

/* The VMs (key: VM id). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u32);
	__type(value, struct vsva_vm_info);
} vm_info SEC(".maps");

/* Known VMMs (key: tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u32);
	__type(value, struct vsva_vmm);
} vmms SEC(".maps");

/* struct kvm pointer -> VM id, from VM creation to VM destruction. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, __u64);
	__type(value, __u32);
} kvms SEC(".maps");

/* A VMM's VM file descriptor -> VM id (the syscall rungs' way to a VM). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_VMS);
	__type(key, struct vsva_vmfd);
	__type(value, __u32);
} vmfds SEC(".maps");

static __always_inline bool is_vm(__u32 vm)
{
	return vm && vm != VSVA_UNATTRIBUTED;
}

/*
 * The VM the current task works for, by its process alone: 0 for a
 * kernel thread (deferred work), the newest VM of a known VMM, else
 * VSVA_UNATTRIBUTED, so that an irqfd written by a backend process is
 * never charged to that process.
 */
static __always_inline __u32 vm_of_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vsva_vmm *v;

	if (current_is_kthread())
		return 0;
	v = bpf_map_lookup_elem(&vmms, &tgid);
	return v && v->vm ? v->vm : VSVA_UNATTRIBUTED;
}

/*
 * The VM that @kvm is: exact for a VM seen created.  One that predates
 * vsvad is learnt the first time its own VMM works on it; until then
 * (and for a backend's work on it) the task decides, as vm_of_task().
 */
static __always_inline __u32 vm_of_kvm(const void *kvm)
{
	__u64 k = (__u64)kvm;
	__u32 *id = bpf_map_lookup_elem(&kvms, &k), vm;

	if (id)
		return *id;
	vm = vm_of_task();
	if (is_vm(vm))
		bpf_map_update_elem(&kvms, &k, &vm, BPF_NOEXIST);
	return vm;
}

/* The VM behind file descriptor @fd of the current process, else the
 * process's own (a VM fd vsva did not see created). */
static __always_inline __u32 vm_of_fd(__u32 fd)
{
	struct vsva_vmfd k = {
		.tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd,
	};
	__u32 *id = bpf_map_lookup_elem(&vmfds, &k);

	return id ? *id : vm_of_task();
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
