/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Field offsets of the stock tracepoint records that the classic_tracepoint
 * rung decodes (SEC("tracepoint/...") programs see the raw record).  The
 * engine reads them by field name from the events' tracefs format files
 * and sets them before load; the BPF programs never assume a layout.  The
 * rung exists for kernels whose KVM module has no BTF (before 5.11), where
 * tp_btf and fentry cannot reach KVM.
 */
#ifndef VSVA_TPOFF_H
#define VSVA_TPOFF_H

struct vsva_tp_offs {
	__u32 get_page_created;		/* kvmmmu/kvm_mmu_get_page: bool */
	__u32 msi_data;			/* kvm/kvm_msi_set_irq: __u64 */
	__u32 ioapic_e, ioapic_pin;	/* kvm/kvm_ioapic_set_irq: __u64, int */
	__u32 pic_chip, pic_pin, pic_imr;	/* kvm/kvm_pic_set_irq: __u8 */
	__u32 set_irq_gsi, set_irq_level;	/* kvm/kvm_set_irq: u32, int */
};

#endif /* VSVA_TPOFF_H */
