// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement table: every measurement vsva makes, its rungs best
 * first, the programs each rung enables, the tracefs events a perf
 * recording of it needs, and the metric families it exports.  vsvad,
 * vsva-top, vsva-bench and `vsvad --probe` all read this one table.
 */
#include <string.h>
#include "vsva/ladder.h"

#define B(f)		VSVA_BIT(VSVA_F_##f)
#define KVM		(B(BTF) | B(KVM))
#define NO_AFTER	.after = -1

/* the fentry, kprobe and syscall rungs take the zap mode from kvmmmu */
#define ZAP_MODE	.after = VSVA_M_MMU_PAGES, .after_why = "the zap mode " \
			"comes from the kvmmmu tracepoints, and they are " \
			"unavailable"

#define KVMMMU_EVENTS	"kvmmmu:kvm_mmu_zap_all_fast,kvmmmu:kvm_mmu_prepare_zap_page," \
			"kvmmmu:kvm_mmu_get_page"
#define TDP_MMU		.approx_if = B(TDP_MMU), .approx_why = "approximate: " \
			"KVM's TDP MMU is in use, and kvm_mmu_get_page/" \
			"kvm_mmu_prepare_zap_page see only shadow pages " \
			"(nested guests)"
#define IRQ_EVENTS	"kvm:kvm_msi_set_irq,kvm:kvm_ioapic_set_irq," \
			"kvm:kvm_pic_set_irq,kvm:kvm_set_irq"
#define KWORKER		"; injections deferred to a kworker are counted as " \
			"vm=\"kernel/0\""

const struct vsva_measurement vsva_measurements[VSVA_NMEASUREMENTS] = {
[VSVA_M_MEMSLOT] = {
	.name = "kvm_memslot_zap", .source = VSVA_SRC_MEMSLOT,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, KVM | B(OWN_MEMSLOT_TP),
		  "kvm_flush_shadow_memslot_enter/_exit tracepoints (vsva "
		  "kernel series)", NO_AFTER,
		  .progs = { "own_flush_enter", "own_flush_exit" },
		  .perf_events = "kvmmmu:kvm_flush_shadow_memslot_enter,"
				 "kvmmmu:kvm_flush_shadow_memslot_exit" },
		{ VSVA_RUNG_FENTRY, KVM | B(FLUSH_FENTRY),
		  "fentry/fexit on kvm_arch_flush_shadow_memslot", ZAP_MODE,
		  .progs = { "fentry_flush_memslot", "fexit_flush_memslot" } },
		{ VSVA_RUNG_KPROBE, KVM | B(FLUSH_KPROBE),
		  "kprobe/kretprobe on kvm_arch_flush_shadow_memslot", ZAP_MODE,
		  .progs = { "kprobe_flush_memslot",
			     "kretprobe_flush_memslot" } },
		{ VSVA_RUNG_SYSCALL_TP, KVM | B(IOCTL_TP),
		  "approximate: times the whole KVM_SET_USER_MEMORY_REGION(2) "
		  "ioctl that deletes a slot", .approximate = true, ZAP_MODE,
		  .progs = { "sys_enter_ioctl", "sys_exit_ioctl" },
		  .perf_events = "syscalls:sys_enter_ioctl,"
				 "syscalls:sys_exit_ioctl",
		  /* KVM_SET_USER_MEMORY_REGION, ..._REGION2 */
		  .perf_filter = "cmd == 0x4020ae46 || cmd == 0x40a0ae49" },
	},
	.families = { "vsva_kvm_memslot_zap_total",
		      "vsva_kvm_memslot_zap_seconds",
		      "vsva_kvm_memslot_delete_errors_total",
		      "vsva_kvm_vm_info", "vsva_vms_retained" },
},
[VSVA_M_MMU_PAGES] = {
	.name = "kvm_mmu_pages", .source = VSVA_SRC_MEMSLOT,
	.rungs = {
		{ VSVA_RUNG_STOCK_TP, KVM | B(KVMMMU_TP),
		  "kvmmmu tracepoints kvm_mmu_get_page, "
		  "kvm_mmu_prepare_zap_page, kvm_mmu_zap_all_fast", TDP_MMU,
		  NO_AFTER,
		  .progs = { "kvm_mmu_zap_all_fast", "kvm_mmu_prepare_zap_page",
			     "kvm_mmu_get_page" },
		  .perf_events = KVMMMU_EVENTS },
		{ VSVA_RUNG_CLASSIC_TP, KVM | B(KVMMMU_CLASSIC),
		  "kvmmmu tracepoints through tracefs (fields by name from "
		  "their formats)", TDP_MMU, NO_AFTER,
		  .progs = { "tp_kvm_mmu_zap_all_fast",
			     "tp_kvm_mmu_prepare_zap_page",
			     "tp_kvm_mmu_get_page" },
		  .perf_events = KVMMMU_EVENTS },
	},
	.families = { "vsva_kvm_mmu_shadow_pages_zapped_total",
		      "vsva_kvm_mmu_pages_created_total",
		      "vsva_kvm_mmu_pages_rebuilt_total" },
},
[VSVA_M_IRQ_INJECTION] = {
	.name = "kvm_irq_injection", .source = VSVA_SRC_IRQ,
	.rungs = {
		{ VSVA_RUNG_STOCK_TP, KVM | B(IRQ_TP),
		  "kvm tracepoints kvm_msi_set_irq, kvm_ioapic_set_irq, "
		  "kvm_pic_set_irq, kvm_set_irq" KWORKER, NO_AFTER,
		  .progs = { "kvm_msi_set_irq", "kvm_ioapic_set_irq",
			     "kvm_pic_set_irq", "kvm_set_irq" },
		  .perf_events = IRQ_EVENTS },
		{ VSVA_RUNG_CLASSIC_TP, KVM | B(IRQ_CLASSIC),
		  "kvm tracepoints kvm_msi_set_irq, kvm_ioapic_set_irq, "
		  "kvm_pic_set_irq, kvm_set_irq through tracefs (fields by "
		  "name from their formats)" KWORKER, NO_AFTER,
		  .progs = { "tp_kvm_msi_set_irq", "tp_kvm_ioapic_set_irq",
			     "tp_kvm_pic_set_irq", "tp_kvm_set_irq" },
		  .perf_events = IRQ_EVENTS },
	},
	.families = { "vsva_kvm_irq_injected_total",
		      "vsva_kvm_irq_gsi_asserted_total" },
},
[VSVA_M_IRQ_BYPASS] = {
	.name = "kvm_irq_bypass", .source = VSVA_SRC_IRQ,
	.rungs = {
		/* kvm_pi_irte_update too, where the kernel has it */
		{ VSVA_RUNG_OWN_TP, KVM | B(OWN_BYPASS_TP),
		  "kvm_irq_bypass_add_producer/_del_producer tracepoints "
		  "(vsva kernel series)", NO_AFTER,
		  .progs = { "kvm_irq_bypass_add_producer",
			     "kvm_irq_bypass_del_producer",
			     "kvm_pi_irte_update" },
		  .perf_events = "kvm:kvm_irq_bypass_add_producer,"
				 "kvm:kvm_irq_bypass_del_producer,"
				 "kvm:kvm_pi_irte_update" },
		{ VSVA_RUNG_STOCK_TP, KVM | B(PI_IRTE_TP),
		  "approximate: producers inferred from kvm_pi_irte_update "
		  "(set minus clear), which fires only where interrupts can "
		  "be posted", .approximate = true, NO_AFTER,
		  .progs = { "kvm_pi_irte_update" },
		  .perf_events = "kvm:kvm_pi_irte_update" },
	},
	.families = { "vsva_kvm_pi_irte_updates_total",
		      "vsva_kvm_irq_bypass_producers" },
},
[VSVA_M_BYPASS_CONNECT] = {
	.name = "irq_bypass_connect", .source = VSVA_SRC_IRQ,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(IRQBYPASS_TP),
		  "irq_bypass_connect/_disconnect tracepoints (vsva kernel "
		  "series)", NO_AFTER,
		  .progs = { "irq_bypass_connect", "irq_bypass_disconnect" },
		  .perf_events = "irqbypass:irq_bypass_connect,"
				 "irqbypass:irq_bypass_disconnect" },
	},
	.families = { "vsva_irq_bypass_connects_total",
		      "vsva_irq_bypass_disconnects_total",
		      "vsva_irq_bypass_connected" },
},
[VSVA_M_POSTED] = {
	.name = "posted_interrupts", .source = VSVA_SRC_PROCFS,
	.rungs = {
		{ VSVA_RUNG_PROCFS, B(PROC_PI),
		  "/proc/interrupts rows PIN, NPI, PIW", NO_AFTER },
	},
	.families = { "vsva_posted_interrupts_total" },
},
[VSVA_M_IOMMU] = {
	.name = "iommu", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_STOCK_TP, B(BTF) | B(IOMMU_TP),
		  "iommu tracepoints map, unmap, attach_device_to_domain, "
		  "io_page_fault; map/unmap carry no device, so they are "
		  "counted per mapping VM", NO_AFTER,
		  .progs = { "attach_device_to_domain", "io_page_fault",
			     "iommu_map", "iommu_unmap" },
		  .perf_events = "iommu:attach_device_to_domain,"
				 "iommu:io_page_fault,iommu:map,iommu:unmap" },
	},
	.families = { "vsva_iommu_domain_attach_total",
		      "vsva_iommu_io_page_faults_total", "vsva_iommu_map_total",
		      "vsva_iommu_mapped_bytes_total", "vsva_iommu_unmap_total",
		      "vsva_iommu_unmapped_bytes_total" },
},
[VSVA_M_PASID] = {
	.name = "iommu_pasid", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(OWN_PASID_TP),
		  "iommu_attach/detach_device_pasid_enter/_exit tracepoints "
		  "(vsva kernel series)", NO_AFTER,
		  .progs = { "own_pasid_attach_enter", "own_pasid_attach_exit",
			     "own_pasid_detach_enter", "own_pasid_detach_exit" },
		  .perf_events = "iommu:iommu_attach_device_pasid_enter,"
				 "iommu:iommu_attach_device_pasid_exit,"
				 "iommu:iommu_detach_device_pasid_enter,"
				 "iommu:iommu_detach_device_pasid_exit" },
		{ VSVA_RUNG_FENTRY, B(BTF) | B(PASID_FENTRY),
		  "fentry/fexit on iommu_attach_device_pasid, "
		  "iommu_detach_device_pasid", NO_AFTER,
		  .progs = { "fentry_pasid_attach", "fexit_pasid_attach",
			     "fentry_pasid_detach", "fexit_pasid_detach" } },
	},
	.families = { "vsva_iommu_pasid_attach_seconds",
		      "vsva_iommu_pasid_detach_seconds" },
},
[VSVA_M_SVA] = {
	.name = "iommu_sva", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(OWN_SVA_TP),
		  "iommu_sva_bind/unbind_device_enter/_exit tracepoints (vsva "
		  "kernel series)", NO_AFTER,
		  .progs = { "own_sva_bind_enter", "own_sva_bind_exit",
			     "own_sva_unbind_enter", "own_sva_unbind_exit" },
		  .perf_events = "iommu:iommu_sva_bind_device_enter,"
				 "iommu:iommu_sva_bind_device_exit,"
				 "iommu:iommu_sva_unbind_device_enter,"
				 "iommu:iommu_sva_unbind_device_exit" },
	},
	.families = { "vsva_iommu_sva_bind_seconds",
		      "vsva_iommu_sva_unbind_seconds" },
},
[VSVA_M_IOMMUFD] = {
	.name = "iommufd_nested", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(OWN_IOMMUFD_TP),
		  "iommufd_hwpt_alloc, iommufd_hwpt_invalidate_enter/_exit "
		  "tracepoints (vsva kernel series)", NO_AFTER,
		  .progs = { "own_hwpt_alloc", "own_hwpt_invalidate_enter",
			     "own_hwpt_invalidate_exit" },
		  .perf_events = "iommufd:iommufd_hwpt_alloc,"
				 "iommufd:iommufd_hwpt_invalidate_enter,"
				 "iommufd:iommufd_hwpt_invalidate_exit" },
	},
	.families = { "vsva_iommufd_hwpt_alloc_total",
		      "vsva_iommufd_hwpt_invalidate_seconds",
		      "vsva_iommufd_hwpt_invalidate_entries_total" },
},
};

static const char *const memslot_always[] = { "sched_process_exit", NULL };
static const char *const none_always[] = { NULL };

const char *const *const vsva_source_always[VSVA_NSOURCES] = {
	[VSVA_SRC_MEMSLOT] = memslot_always,
	[VSVA_SRC_IRQ] = none_always,
	[VSVA_SRC_IOMMU] = none_always,
	[VSVA_SRC_PROCFS] = none_always,
};

const char *const vsva_source_name[VSVA_NSOURCES] = {
	[VSVA_SRC_MEMSLOT] = "memslot",
	[VSVA_SRC_IRQ] = "irq",
	[VSVA_SRC_IOMMU] = "iommu",
	[VSVA_SRC_PROCFS] = "procfs",
};

int vsva_measurement_find(const char *name)
{
	int i;

	for (i = 0; i < VSVA_NMEASUREMENTS; i++)
		if (!strcmp(vsva_measurements[i].name, name))
			return i;
	return -1;
}

const struct vsva_rung_def *vsva_rung_def(const struct vsva_measurement *m,
					  enum vsva_rung r)
{
	int i;

	for (i = 0; i < VSVA_MAX_RUNGS && m->rungs[i].rung; i++)
		if (m->rungs[i].rung == r)
			return &m->rungs[i];
	return NULL;
}
