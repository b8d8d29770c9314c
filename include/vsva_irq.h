/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structures shared by bpf/irq.bpf.c and the engine: software interrupt
 * injection, PI IRTE updates and IRQ bypass connections, per VM.
 */
#ifndef VSVA_IRQ_H
#define VSVA_IRQ_H

#include "vsva_vm.h"

#define VSVA_MAX_IRQ_KEYS	8192

enum vsva_irq_kind {
	VSVA_IRQ_MSI = 0,		/* kvm_msi_set_irq; id: vector */
	VSVA_IRQ_IOAPIC,		/* kvm_ioapic_set_irq, unmasked; id: pin */
	VSVA_IRQ_PIC,			/* kvm_pic_set_irq, unmasked; id: chip*8+pin */
	VSVA_IRQ_GSI_ASSERT,		/* kvm_set_irq with level 1; id: GSI */
	VSVA_IRQ_PI_SET,		/* kvm_pi_irte_update set; id: GSI */
	VSVA_IRQ_PI_CLEAR,		/* kvm_pi_irte_update clear; id: GSI */
	VSVA_IRQ_BYPASS_ADD,		/* kvm_irq_bypass_add_producer ok; id: GSI */
	VSVA_IRQ_BYPASS_DEL,		/* kvm_irq_bypass_del_producer; id: GSI */
	VSVA_IRQ_CONNECT,		/* irq_bypass_connect ok; id: host IRQ */
	VSVA_IRQ_DISCONNECT,		/* irq_bypass_disconnect; id: host IRQ */
	VSVA_IRQ_KINDS,
};

/*
 * Key of the per-CPU count map.  vm is the VM id (vsva_vm.h): the VM the
 * hook reached, or the injecting task's (0: a kernel thread, irqfd work
 * deferred to a kworker; VSVA_UNATTRIBUTED: a task that is not a VMM).
 */
struct vsva_irq_key {
	__u32 vm;
	__u16 kind;
	__u16 pad;
	__u32 id;
};

/*
 * Per-CPU direct-mapped cache in front of the count map: the hot path is
 * an array lookup and a compare.  A slot whose VM was retired is reused.
 * A program that runs nested inside another on the same CPU (a device's
 * hard interrupt) leaves the cache alone and counts in the map.
 * One shared array, VSVA_IRQ_FAST_SLOTS entries per CPU, so user space
 * can read it through mmap.
 */
#define VSVA_IRQ_FAST_SLOTS	256

struct vsva_irq_fast {
	struct vsva_irq_key key;
	__u32 pad;
	__u64 count;			/* 0: slot free */
};

static inline __u32 vsva_irq_fast_idx(const struct vsva_irq_key *k)
{
	return (k->vm ^ ((__u32)k->kind << 12) ^ (k->id * 2654435761u)) &
	       (VSVA_IRQ_FAST_SLOTS - 1);
}

enum vsva_irq_drop {
	VSVA_IRQ_DROP_MAP_FULL = 0,
	VSVA_IRQ_DROPS,
};

#endif /* VSVA_IRQ_H */
