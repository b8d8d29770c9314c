// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU: domain attaches, map/unmap, I/O page faults (stock iommu
 * tracepoints); PASID attach/replace/detach and SVA bind/unbind latency
 * (the vsva series' tracepoints, or fentry/fexit for PASID attach, replace
 * and detach); iommufd HWPT allocation and nested invalidation, vIOMMU and
 * vDEVICE allocation and vIOMMU invalidation (the series).  Per device or
 * per VM in per-CPU maps; no per-event wake-ups.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vsva_iommu.h"
#include "bits.bpf.h"
#include "vm.bpf.h"


struct inflight_key {
	__u32 tid;
	__u32 op;
};

/* Timed operations are rare (PASID, SVA, invalidations): one shared
 * value each, updated with atomic adds, not one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VSVA_MAX_IOMMU_KEYS);
	__type(key, struct vsva_iommu_lat_key);
	__type(value, struct vsva_iommu_lat);
} iommu_lat SEC(".maps");

/* Counted events, iommu map/unmap included: shared too.  A key is one
 * VM's (or device's), so only that VM's threads meet on it, and a value
 * per CPU would cost 16 bytes a key a CPU: 16 MiB on 256 CPUs full. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VSVA_MAX_IOMMU_KEYS);
	__type(key, struct vsva_iommu_cnt_key);
	__type(value, struct vsva_iommu_cnt);
} iommu_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_IOMMU_INFLIGHT);
	__type(key, struct inflight_key);
	__type(value, __u64);
} iommu_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSVA_IOMMU_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} iommu_drops SEC(".maps");

static const struct vsva_iommu_lat zero_lat;
static const struct vsva_iommu_cnt zero_cnt;

static __always_inline void drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&iommu_drops, &reason);

	if (n)
		(*n)++;
}

/* The VM doing it: the IOMMU hooks carry no struct kvm, so the task's
 * process decides (vm_of_task()); a VM vsvad retired is unattributed. */
static __always_inline __u32 actor(void)
{
	__u32 vm = vm_of_task();

	if (is_vm(vm) && !bpf_map_lookup_elem(&vm_info, &vm))
		return VSVA_UNATTRIBUTED;
	return vm;
}

static __always_inline void dev_name(char *dst, struct device *dev)
{
	if (dev)
		bpf_probe_read_kernel_str(dst, VSVA_DEV_NAME_LEN,
					  BPF_CORE_READ(dev, kobj.name));
}

/* Find or create a per-CPU value; NULL (and a drop) when the map is full. */
static __always_inline void *get_or_create(void *map, void *key,
					   const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		drop(VSVA_IOMMU_DROP_MAP_FULL);
	return v;
}

static __always_inline void count(struct device *dev, __u32 kind, __u64 bytes)
{
	struct vsva_iommu_cnt_key key = { .kind = kind };
	struct vsva_iommu_cnt *c;

	if (dev)
		dev_name(key.dev, dev);
	else
		key.vm = actor();
	c = get_or_create(&iommu_cnt, &key, &zero_cnt);
	if (c) {
		__sync_fetch_and_add(&c->count, 1);
		/* an add of a constant 0 compiles to an atomic OR, which
		 * Linux before 5.12 refuses ("BPF_STX uses reserved
		 * fields"): only the events with bytes add them */
		if (bytes)
			__sync_fetch_and_add(&c->bytes, bytes);
	}
}

static __always_inline void op_begin(__u32 op)
{
	struct inflight_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .op = op };
	__u64 now = bpf_ktime_get_ns();

	if (bpf_map_update_elem(&iommu_inflight, &k, &now, BPF_ANY))
		drop(VSVA_IOMMU_DROP_INFLIGHT_FULL);
}

/* End the calling thread's @op; @dev NULL: per VM.  The operation's
 * value, for its caller to add to, or NULL. */
static __always_inline struct vsva_iommu_lat *
op_end(__u32 op, struct device *dev, __u32 domain_type, int result)
{
	struct inflight_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .op = op };
	struct vsva_iommu_lat_key key = { .op = op, .ok = result == 0,
					  .domain_type = domain_type };
	struct vsva_iommu_lat *l;
	__u64 *start, ns;
	__u32 slot;

	start = bpf_map_lookup_elem(&iommu_inflight, &k);
	if (!start)
		return NULL;	/* began before vsva attached */
	ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&iommu_inflight, &k);
	if (dev)
		dev_name(key.dev, dev);
	else
		key.vm = actor();
	l = get_or_create(&iommu_lat, &key, &zero_lat);
	if (!l)
		return NULL;
	slot = vsva_slot(ns, VSVA_HIST_SLOTS);
	__sync_fetch_and_add(&l->count, 1);
	__sync_fetch_and_add(&l->sum_ns, ns);
	if (slot < VSVA_HIST_SLOTS)
		__sync_fetch_and_add(&l->slots[slot], 1);
	return l;
}

/* An invalidation's end: @requested entries asked for, @done handled. */
static __always_inline void inval_end(__u32 op, int result, __u32 requested,
				      __u32 done)
{
	struct vsva_iommu_lat *l = op_end(op, NULL, 0, result);

	if (!l)
		return;
	__sync_fetch_and_add(&l->entries, done);
	__sync_fetch_and_add(&l->requested, requested);
}

/* Stock iommu tracepoints. */
SEC("tp_btf/attach_device_to_domain")
int BPF_PROG(attach_device_to_domain, struct device *dev)
{
	count(dev, VSVA_IOMMU_DOMAIN_ATTACH, 0);
	return 0;
}

SEC("tp_btf/io_page_fault")
int BPF_PROG(io_page_fault, struct device *dev)
{
	count(dev, VSVA_IOMMU_IO_PAGE_FAULT, 0);
	return 0;
}

SEC("tp_btf/map")
int BPF_PROG(iommu_map, unsigned long iova, phys_addr_t paddr, size_t size)
{
	count(NULL, VSVA_IOMMU_MAP, size);
	return 0;
}

SEC("tp_btf/unmap")
int BPF_PROG(iommu_unmap, unsigned long iova, size_t size,
	     size_t unmapped_size)
{
	count(NULL, VSVA_IOMMU_UNMAP, unmapped_size);
	return 0;
}

/* The vsva series: PASID attach/detach, SVA bind/unbind. */
SEC("tp_btf/iommu_attach_device_pasid_enter")
int BPF_PROG(own_pasid_attach_enter)
{
	op_begin(VSVA_IOMMU_PASID_ATTACH);
	return 0;
}

SEC("tp_btf/iommu_attach_device_pasid_exit")
int BPF_PROG(own_pasid_attach_exit, struct device *dev, u32 pasid,
	     unsigned int domain_type, int result)
{
	op_end(VSVA_IOMMU_PASID_ATTACH, dev, domain_type, result);
	return 0;
}

SEC("tp_btf/iommu_detach_device_pasid_enter")
int BPF_PROG(own_pasid_detach_enter)
{
	op_begin(VSVA_IOMMU_PASID_DETACH);
	return 0;
}

SEC("tp_btf/iommu_detach_device_pasid_exit")
int BPF_PROG(own_pasid_detach_exit, struct device *dev, u32 pasid,
	     unsigned int domain_type, int result)
{
	op_end(VSVA_IOMMU_PASID_DETACH, dev, domain_type, result);
	return 0;
}

/* The series on 7.x (6.12 has no PASID replace): a PASID moved to
 * another domain. */
SEC("tp_btf/iommu_replace_device_pasid_enter")
int BPF_PROG(own_pasid_replace_enter)
{
	op_begin(VSVA_IOMMU_PASID_REPLACE);
	return 0;
}

SEC("tp_btf/iommu_replace_device_pasid_exit")
int BPF_PROG(own_pasid_replace_exit, struct device *dev, u32 pasid,
	     unsigned int domain_type, int result)
{
	op_end(VSVA_IOMMU_PASID_REPLACE, dev, domain_type, result);
	return 0;
}

SEC("tp_btf/iommu_sva_bind_device_enter")
int BPF_PROG(own_sva_bind_enter)
{
	op_begin(VSVA_IOMMU_SVA_BIND);
	return 0;
}

SEC("tp_btf/iommu_sva_bind_device_exit")
int BPF_PROG(own_sva_bind_exit, struct device *dev, u32 pasid,
	     unsigned int domain_type, int result)
{
	op_end(VSVA_IOMMU_SVA_BIND, dev, domain_type, result);
	return 0;
}

SEC("tp_btf/iommu_sva_unbind_device_enter")
int BPF_PROG(own_sva_unbind_enter)
{
	op_begin(VSVA_IOMMU_SVA_UNBIND);
	return 0;
}

SEC("tp_btf/iommu_sva_unbind_device_exit")
int BPF_PROG(own_sva_unbind_exit, struct device *dev, u32 pasid,
	     unsigned int domain_type, int result)
{
	op_end(VSVA_IOMMU_SVA_UNBIND, dev, domain_type, result);
	return 0;
}

/* fentry/fexit rung for PASID attach/detach. */
SEC("fentry/iommu_attach_device_pasid")
int BPF_PROG(fentry_pasid_attach)
{
	op_begin(VSVA_IOMMU_PASID_ATTACH);
	return 0;
}

/* Before 6.11 the function had no attach handle, so its return value is
 * the 4th slot, not the 5th: the engine says which from BTF. */
const volatile bool pasid_attach_handle = true;

SEC("fexit/iommu_attach_device_pasid")
int BPF_PROG(fexit_pasid_attach, struct iommu_domain *domain,
	     struct device *dev)
{
	int ret;

	if (pasid_attach_handle)
		ret = ctx_arg(ctx, 4);
	else
		ret = ctx_arg(ctx, 3);
	op_end(VSVA_IOMMU_PASID_ATTACH, dev, BPF_CORE_READ(domain, type), ret);
	return 0;
}

SEC("fentry/iommu_detach_device_pasid")
int BPF_PROG(fentry_pasid_detach)
{
	op_begin(VSVA_IOMMU_PASID_DETACH);
	return 0;
}

SEC("fexit/iommu_detach_device_pasid")
int BPF_PROG(fexit_pasid_detach, struct iommu_domain *domain,
	     struct device *dev)
{
	op_end(VSVA_IOMMU_PASID_DETACH, dev, BPF_CORE_READ(domain, type), 0);
	return 0;
}

SEC("fentry/iommu_replace_device_pasid")
int BPF_PROG(fentry_pasid_replace)
{
	op_begin(VSVA_IOMMU_PASID_REPLACE);
	return 0;
}

SEC("fexit/iommu_replace_device_pasid")
int BPF_PROG(fexit_pasid_replace, struct iommu_domain *domain,
	     struct device *dev, u32 pasid, void *handle, int ret)
{
	op_end(VSVA_IOMMU_PASID_REPLACE, dev, BPF_CORE_READ(domain, type), ret);
	return 0;
}

/* The vsva series: iommufd HWPT allocation and nested invalidation. */
SEC("tp_btf/iommufd_hwpt_alloc")
int BPF_PROG(own_hwpt_alloc, u32 dev_id, u32 parent_id, bool nested,
	     u32 data_type, u32 flags, u32 hwpt_id, int result)
{
	__u32 kind = nested ? VSVA_IOMMU_HWPT_NESTED : VSVA_IOMMU_HWPT_PAGING;

	if (result)
		kind += VSVA_IOMMU_HWPT_PAGING_FAILED - VSVA_IOMMU_HWPT_PAGING;
	count(NULL, kind, 0);
	return 0;
}

SEC("tp_btf/iommufd_hwpt_invalidate_enter")
int BPF_PROG(own_hwpt_invalidate_enter)
{
	op_begin(VSVA_IOMMU_HWPT_INVALIDATE);
	return 0;
}

SEC("tp_btf/iommufd_hwpt_invalidate_exit")
int BPF_PROG(own_hwpt_invalidate_exit, u32 hwpt_id, u32 data_type,
	     u32 entry_num, u32 done_num, int result)
{
	inval_end(VSVA_IOMMU_HWPT_INVALIDATE, result, entry_num, done_num);
	return 0;
}

/*
 * fentry/fexit rung of iommufd_nested, for kernels without the series:
 * the ioctl handlers.  By then the command is in kernel memory
 * (ucmd->cmd).  Approximate: the nested kind is read from data_type (a
 * paging HWPT may carry driver data too), and on 6.13+ the invalidation
 * handler also serves vIOMMUs, which its command does not tell apart.
 */
struct iommufd_ucmd___vsva {
	void *cmd;
} __attribute__((preserve_access_index));

struct iommu_hwpt_alloc___vsva {
	__u32 data_type;
} __attribute__((preserve_access_index));

struct iommu_hwpt_invalidate___vsva {
	__u32 entry_num;
} __attribute__((preserve_access_index));

/* The entries each thread's invalidation asked for (entry_num is
 * overwritten with those handled before the handler returns). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VSVA_MAX_IOMMU_INFLIGHT);
	__type(key, __u32);
	__type(value, __u32);
} inval_requested SEC(".maps");

static __always_inline __u32 inval_entry_num(struct iommufd_ucmd___vsva *u)
{
	struct iommu_hwpt_invalidate___vsva *cmd = BPF_CORE_READ(u, cmd);

	return BPF_CORE_READ(cmd, entry_num);
}

SEC("fexit/iommufd_hwpt_alloc")
int BPF_PROG(fexit_hwpt_alloc, struct iommufd_ucmd___vsva *ucmd, int ret)
{
	struct iommu_hwpt_alloc___vsva *cmd = BPF_CORE_READ(ucmd, cmd);
	__u32 kind = BPF_CORE_READ(cmd, data_type) ? VSVA_IOMMU_HWPT_NESTED :
						     VSVA_IOMMU_HWPT_PAGING;

	if (ret)
		kind += VSVA_IOMMU_HWPT_PAGING_FAILED - VSVA_IOMMU_HWPT_PAGING;
	count(NULL, kind, 0);
	return 0;
}

SEC("fentry/iommufd_hwpt_invalidate")
int BPF_PROG(fentry_hwpt_invalidate, struct iommufd_ucmd___vsva *ucmd)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 req = inval_entry_num(ucmd);

	op_begin(VSVA_IOMMU_HWPT_INVALIDATE);
	if (bpf_map_update_elem(&inval_requested, &tid, &req, BPF_ANY))
		drop(VSVA_IOMMU_DROP_INFLIGHT_FULL);
	return 0;
}

SEC("fexit/iommufd_hwpt_invalidate")
int BPF_PROG(fexit_hwpt_invalidate, struct iommufd_ucmd___vsva *ucmd, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 *req = bpf_map_lookup_elem(&inval_requested, &tid);
	__u32 asked = req ? *req : 0;

	bpf_map_delete_elem(&inval_requested, &tid);
	inval_end(VSVA_IOMMU_HWPT_INVALIDATE, ret, asked,
		  inval_entry_num(ucmd));
	return 0;
}

/* The series on 7.x: vIOMMU and vDEVICE objects, vIOMMU invalidation. */
static __always_inline void alloc_done(__u32 ok_kind, __u32 failed_kind,
				       int result)
{
	count(NULL, result ? failed_kind : ok_kind, 0);
}

SEC("tp_btf/iommufd_viommu_alloc")
int BPF_PROG(own_viommu_alloc, u32 dev_id, u32 hwpt_id, u32 type,
	     u32 viommu_id, int result)
{
	alloc_done(VSVA_IOMMU_VIOMMU_ALLOC, VSVA_IOMMU_VIOMMU_ALLOC_FAILED,
		   result);
	return 0;
}

SEC("tp_btf/iommufd_vdevice_alloc")
int BPF_PROG(own_vdevice_alloc, u32 viommu_id, u32 dev_id, u64 virt_id,
	     u32 vdevice_id, int result)
{
	alloc_done(VSVA_IOMMU_VDEVICE_ALLOC, VSVA_IOMMU_VDEVICE_ALLOC_FAILED,
		   result);
	return 0;
}

SEC("tp_btf/iommufd_viommu_invalidate_enter")
int BPF_PROG(own_viommu_invalidate_enter)
{
	op_begin(VSVA_IOMMU_VIOMMU_INVALIDATE);
	return 0;
}

SEC("tp_btf/iommufd_viommu_invalidate_exit")
int BPF_PROG(own_viommu_invalidate_exit, u32 viommu_id, u32 data_type,
	     u32 entry_num, u32 done_num, int result)
{
	inval_end(VSVA_IOMMU_VIOMMU_INVALIDATE, result, entry_num, done_num);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
