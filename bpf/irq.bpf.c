// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts into VMs: software injections (MSI, IOAPIC, PIC, GSI
 * assertions), posted-interrupt IRTE updates, and IRQ bypass producers
 * connecting to KVM (the vsva kernel series' tracepoints).  Counted per
 * VM and interrupt in a per-CPU map; no per-event wake-ups.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vsva_irq.h"
#include "vsva_tpoff.h"
#include "vm.bpf.h"
#include "tp.bpf.h"

#define IOAPIC_MASKED		(1ULL << 16)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VSVA_MAX_IRQ_KEYS);
	__type(key, struct vsva_irq_key);
	__type(value, __u64);
} irq_counts SEC(".maps");

/* CPU c owns entries [c * SLOTS, (c + 1) * SLOTS); the engine sizes it
 * for the possible CPUs and reads it through mmap, without a syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VSVA_IRQ_FAST_SLOTS);
	__type(key, __u32);
	__type(value, struct vsva_irq_fast);
} irq_fast SEC(".maps");

/* Per CPU: how deep count() is running (a nested run skips the cache).
 * A plain array, sized by the engine: its lookup is inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} irq_depth SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VSVA_IRQ_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} irq_drops SEC(".maps");

static const __u64 one = 1;

/* classic_tracepoint rung: record layouts from tracefs, set before load */
const volatile struct vsva_tp_offs tp_off = {};

static __always_inline void drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&irq_drops, &reason);

	if (n)
		(*n)++;
}

static __always_inline bool same_key(const struct vsva_irq_key *a,
				     const struct vsva_irq_key *b)
{
	return a->vm == b->vm && a->kind == b->kind && a->id == b->id;
}

/* This CPU's cache slot for @key. */
static __always_inline struct vsva_irq_fast *fast_slot(
	const struct vsva_irq_key *key)
{
	__u32 idx = bpf_get_smp_processor_id() * VSVA_IRQ_FAST_SLOTS +
		    vsva_irq_fast_idx(key);

	return bpf_map_lookup_elem(&irq_fast, &idx);
}

/* Take this CPU's slot for @key and count; false: a live key holds it. */
static __always_inline bool take_fast(struct vsva_irq_fast *fs,
				      const struct vsva_irq_key *key)
{
	if (!fs)
		return false;
	/* taken: reusable only if its VM was retired */
	if (fs->count && (!is_vm(fs->key.vm) ||
			  bpf_map_lookup_elem(&vm_info, &fs->key.vm)))
		return false;
	/* the engine reads without a lock: count 0 while the key changes */
	fs->count = 0;
	barrier();
	fs->key = *key;
	barrier();
	fs->count = 1;
	return true;
}

/* A VM vsvad retired already: its entries are gone for good, and what
 * still comes for it is unattributed (checked only for keys new here). */
static __always_inline void retired_check(struct vsva_irq_key *key)
{
	if (is_vm(key->vm) && !bpf_map_lookup_elem(&vm_info, &key->vm))
		key->vm = VSVA_UNATTRIBUTED;
}

/* Count in the map (atomically: a nested run may count the same key). */
static __always_inline void count_slow(struct vsva_irq_key *key)
{
	__u64 *n = bpf_map_lookup_elem(&irq_counts, key);

	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	retired_check(key);
	if (!bpf_map_update_elem(&irq_counts, key, &one, BPF_NOEXIST))
		return;
	n = bpf_map_lookup_elem(&irq_counts, key);
	if (n)
		__sync_fetch_and_add(n, 1);	/* another CPU made it */
	else
		drop(VSVA_IRQ_DROP_MAP_FULL);
}

/* A key this CPU's cache slot does not hold. */
static __noinline void count_miss(struct vsva_irq_key *key)
{
	struct vsva_irq_fast *fs;

	retired_check(key);
	fs = fast_slot(key);
	if (fs && fs->count && same_key(&fs->key, key))
		fs->count++;
	else if (!take_fast(fs, key))
		count_slow(key);
}

/* Count one event of @kind/@id for VM @vm (vm_of_task() or vm_of_kvm()). */
static __always_inline void count(enum vsva_irq_kind kind, __u32 id,
				  __u32 vm)
{
	struct vsva_irq_key key = { .vm = vm, .kind = kind, .id = id };
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 *depth = bpf_map_lookup_elem(&irq_depth, &cpu);
	struct vsva_irq_fast *fs;

	if (!depth || *depth) {		/* nested: not the cache */
		count_slow(&key);
		return;
	}
	*depth = 1;
	fs = fast_slot(&key);
	if (fs && fs->count && same_key(&fs->key, &key))
		fs->count++;
	else
		count_miss(&key);
	*depth = 0;
}

SEC("tp_btf/kvm_msi_set_irq")
int BPF_PROG(kvm_msi_set_irq, u64 address, u64 data)
{
	count(VSVA_IRQ_MSI, data & 0xff, vm_of_task());
	return 0;
}

SEC("tp_btf/kvm_ioapic_set_irq")
int BPF_PROG(kvm_ioapic_set_irq, u64 e, int pin, bool coalesced)
{
	if (!(e & IOAPIC_MASKED))
		count(VSVA_IRQ_IOAPIC, pin, vm_of_task());
	return 0;
}

SEC("tp_btf/kvm_pic_set_irq")
int BPF_PROG(kvm_pic_set_irq, u8 chip, u8 pin, u8 elcr, u8 imr)
{
	if (!(imr & (1 << (pin & 7))))
		count(VSVA_IRQ_PIC, chip * 8 + pin, vm_of_task());
	return 0;
}

/* irqfd on an IOAPIC pin asserts then de-asserts: count assertions only */
SEC("tp_btf/kvm_set_irq")
int BPF_PROG(kvm_set_irq, unsigned int gsi, int level)
{
	if (level == 1)
		count(VSVA_IRQ_GSI_ASSERT, gsi, vm_of_task());
	return 0;
}

/*
 * fentry rung: the functions that inject MSIs and assert GSIs carry the
 * struct kvm, so the count goes to the VM whoever signals its irqfd (a
 * backend process, a device's hard interrupt, a kworker).  The irqfd fast
 * path (kvm_arch_set_irq_inatomic) counts when it delivered; when it
 * could not, the injection is retried through kvm_set_msi and counted
 * there, once (the kvm_msi_set_irq tracepoint fires in both).
 */
#define KVM_IRQ_ROUTING_MSI	2
#define EWOULDBLOCK		11
#define EINVAL			22

SEC("fexit/kvm_arch_set_irq_inatomic")
int BPF_PROG(fexit_set_irq_inatomic, struct kvm_kernel_irq_routing_entry *e,
	     void *kvm, int source, int level, bool line_status, int ret)
{
	if (ret != -EWOULDBLOCK && ret != -EINVAL &&
	    e->type == KVM_IRQ_ROUTING_MSI)
		count(VSVA_IRQ_MSI, e->msi.data & 0xff, vm_of_kvm(kvm));
	return 0;
}

SEC("fentry/kvm_set_msi")
int BPF_PROG(fentry_set_msi, struct kvm_kernel_irq_routing_entry *e,
	     void *kvm, int source, int level)
{
	if (level)
		count(VSVA_IRQ_MSI, e->msi.data & 0xff, vm_of_kvm(kvm));
	return 0;
}

SEC("fentry/kvm_set_irq")
int BPF_PROG(fentry_set_irq, void *kvm, int source, __u32 gsi, int level)
{
	if (level == 1)
		count(VSVA_IRQ_GSI_ASSERT, gsi, vm_of_kvm(kvm));
	return 0;
}

/*
 * Classic tracepoint twins of the four injection programs, for kernels
 * whose KVM module has no BTF: fields at the offsets the engine read from
 * the events' formats.
 */
static __always_inline __u64 field(void *ctx, __u32 off, __u32 size)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, size, ctx + off);
	return v;
}

SEC("tracepoint/kvm/kvm_msi_set_irq")
int tp_kvm_msi_set_irq(void *ctx)
{
	count(VSVA_IRQ_MSI, field(ctx, tp_off.msi_data, 8) & 0xff,
	      vm_of_task());
	return TP_KEEP;
}

SEC("tracepoint/kvm/kvm_ioapic_set_irq")
int tp_kvm_ioapic_set_irq(void *ctx)
{
	if (!(field(ctx, tp_off.ioapic_e, 8) & IOAPIC_MASKED))
		count(VSVA_IRQ_IOAPIC, (__u32)field(ctx, tp_off.ioapic_pin, 4),
		      vm_of_task());
	return TP_KEEP;
}

SEC("tracepoint/kvm/kvm_pic_set_irq")
int tp_kvm_pic_set_irq(void *ctx)
{
	__u8 chip = field(ctx, tp_off.pic_chip, 1);
	__u8 pin = field(ctx, tp_off.pic_pin, 1);

	if (!(field(ctx, tp_off.pic_imr, 1) & (1 << (pin & 7))))
		count(VSVA_IRQ_PIC, chip * 8 + pin, vm_of_task());
	return TP_KEEP;
}

SEC("tracepoint/kvm/kvm_set_irq")
int tp_kvm_set_irq(void *ctx)
{
	if ((int)field(ctx, tp_off.set_irq_level, 4) == 1)
		count(VSVA_IRQ_GSI_ASSERT,
		      (__u32)field(ctx, tp_off.set_irq_gsi, 4), vm_of_task());
	return TP_KEEP;
}

/*
 * The event lost its pi_desc_addr argument after 6.12, and tp_btf
 * arguments are positional: the engine says from BTF which layout this
 * kernel has (as perf's off_cpu does for sched_switch), and the verifier
 * only sees the load of the branch this kernel takes (ctx_arg()).
 */
const volatile bool pi_irte_has_desc = true;	/* 6 arguments (<= 6.12) */

SEC("tp_btf/kvm_pi_irte_update")
int BPF_PROG(kvm_pi_irte_update, unsigned int host_irq, void *vcpu,
	     unsigned int gsi)
{
	bool set;

	if (pi_irte_has_desc)
		set = ctx_arg(ctx, 5);
	else
		set = ctx_arg(ctx, 4);
	count(set ? VSVA_IRQ_PI_SET : VSVA_IRQ_PI_CLEAR, gsi, vm_of_task());
	return 0;
}

/* The vsva kernel series (kernel/patches/0005). */
SEC("tp_btf/kvm_irq_bypass_add_producer")
int BPF_PROG(kvm_irq_bypass_add_producer, unsigned int gsi,
	     unsigned int host_irq, bool posting, int result)
{
	if (!result)
		count(VSVA_IRQ_BYPASS_ADD, gsi, vm_of_task());
	return 0;
}

SEC("tp_btf/kvm_irq_bypass_del_producer")
int BPF_PROG(kvm_irq_bypass_del_producer, unsigned int gsi)
{
	count(VSVA_IRQ_BYPASS_DEL, gsi, vm_of_task());
	return 0;
}

SEC("tp_btf/irq_bypass_connect")
int BPF_PROG(irq_bypass_connect, void *token, int irq, int result)
{
	if (!result)
		count(VSVA_IRQ_CONNECT, irq, vm_of_task());
	return 0;
}

SEC("tp_btf/irq_bypass_disconnect")
int BPF_PROG(irq_bypass_disconnect, void *token, int irq)
{
	count(VSVA_IRQ_DISCONNECT, irq, vm_of_task());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
