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

/* Moves whenever a VM or a VMM comes or goes: every memo is stale. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vm_gen SEC(".maps");

/* This object's memo of vm_of_task(), one per CPU (the engine sizes it
 * for the possible CPUs); a plain array: its lookup is inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vsva_task_vm);
} task_vm SEC(".maps");

static __always_inline void vm_gen_bump(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&vm_gen, &zero);

	if (g)
		__sync_fetch_and_add(g, 1);
}

/* When the current process started (boot time, ns). */
static __always_inline __u64 task_start_ns(void)
{
	struct task_struct *t;

	if (bpf_core_enum_value_exists(enum bpf_func_id,
				       BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->group_leader->start_boottime;
	t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, group_leader, start_boottime);
}

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
static __noinline __u32 vmm_vm(__u32 tgid)
{
	struct vsva_vmm *v = bpf_map_lookup_elem(&vmms, &tgid);
	__u64 ns;

	if (!v || !v->vm)
		return VSVA_UNATTRIBUTED;
	/* the VMM itself, not a later process under its pid */
	ns = task_start_ns();
	if (v->scanned ? v->start_ns / VSVA_NS_PER_TICK ==
			 ns / VSVA_NS_PER_TICK : v->start_ns == ns)
		return v->vm;
	return VSVA_UNATTRIBUTED;
}

static __always_inline __u32 vm_of_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0, vm;
	__u32 cpu = bpf_get_smp_processor_id();
	struct vsva_task_vm *m;
	__u64 *gen, g;

	if (current_is_kthread())
		return 0;
	m = bpf_map_lookup_elem(&task_vm, &cpu);
	gen = bpf_map_lookup_elem(&vm_gen, &zero);
	if (!m || !gen)
		return vmm_vm(tgid);
	g = *gen + 1;
	/* a nested run on this CPU sees the same task: the same answer */
	if (m->gen == g && (__u32)m->who == tgid)
		return m->who >> 32;
	vm = vmm_vm(tgid);
	m->gen = 0;
	barrier();
	m->who = (__u64)vm << 32 | tgid;
	barrier();
	m->gen = g;
	return vm;
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
 * The syscall rungs see an ioctl number and a descriptor, and any process
 * may issue KVM's numbers on any file: an ioctl counts only on the file
 * KVM made.  The current task's file at @fd, or NULL.
 */
static __always_inline struct file *fd_file(__u32 fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#define KVM_DEV		((10U << 20) | 232)	/* misc major 10, KVM_MINOR */

/* Is @fd /dev/kvm (the character device, wherever its node is)? */
static __always_inline bool fd_is_kvm_dev(__u32 fd)
{
	struct file *f = fd_file(fd);

	return f && BPF_CORE_READ(f, f_inode, i_rdev) == KVM_DEV;
}

#define ANON_INODE_FS_MAGIC	0x09041934

/* Is @fd a VM: the anonymous inode file "kvm-vm" KVM_CREATE_VM returns
 * (anonymous: a file of any file system could be named so)? */
static __always_inline bool fd_is_kvm_vm(__u32 fd)
{
	struct file *f = fd_file(fd);
	const unsigned char *name;
	char buf[8] = {};

	if (!f || BPF_CORE_READ(f, f_inode, i_sb, s_magic) !=
		  ANON_INODE_FS_MAGIC)
		return false;
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	return buf[0] == 'k' && buf[1] == 'v' && buf[2] == 'm' &&
	       buf[3] == '-' && buf[4] == 'v' && buf[5] == 'm' && !buf[6];
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
