// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement table: every measurement vsva makes, its rungs best
 * first, the programs each rung enables and the tracefs events a perf
 * recording of it needs; the measurements' ids, their sources and the
 * metric families they export are named once in vsva/measurements.def,
 * expanded here.  vsvad, vsva-top, vsva-bench and `vsvad --probe` all
 * read this one table.
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
#define KWORKER_PIN	"; pin injections deferred to a kworker are counted " \
			"as vm=\"kernel/0\""
#define UNATTR		"; injections by a task that is not a known VMM (an " \
			"irqfd written by a backend process) as " \
			"vm=\"unattributed\", and a VMM's own by its newest " \
			"VM (see kvm_vm_lifecycle)"

#define VMS		"; its creator is a VMM; so is a process that held " \
			"VM fds when vsvad started, each fd a VM"

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
},
[VSVA_M_IRQ_INJECTION] = {
	.name = "kvm_irq_injection", .source = VSVA_SRC_IRQ,
	.rungs = {
		{ VSVA_RUNG_FENTRY, KVM | B(IRQ_TP) | B(MSI_FENTRY),
		  "fentry/fexit on kvm_set_msi, kvm_arch_set_irq_inatomic and "
		  "kvm_set_irq: MSIs and GSI assertions counted for the VM "
		  "whoever signals its irqfd (a backend, a device's interrupt, "
		  "a kworker), each once; kvm_ioapic_set_irq and "
		  "kvm_pic_set_irq tracepoints by the injecting process"
		  KWORKER_PIN UNATTR, NO_AFTER,
		  .progs = { "fexit_set_irq_inatomic", "fentry_set_msi",
			     "fentry_set_irq", "kvm_ioapic_set_irq",
			     "kvm_pic_set_irq" } },
		{ VSVA_RUNG_STOCK_TP, KVM | B(IRQ_TP),
		  "kvm tracepoints kvm_msi_set_irq, kvm_ioapic_set_irq, "
		  "kvm_pic_set_irq, kvm_set_irq" KWORKER UNATTR, NO_AFTER,
		  .progs = { "kvm_msi_set_irq", "kvm_ioapic_set_irq",
			     "kvm_pic_set_irq", "kvm_set_irq" },
		  .perf_events = IRQ_EVENTS },
		{ VSVA_RUNG_CLASSIC_TP, KVM | B(IRQ_CLASSIC),
		  "kvm tracepoints kvm_msi_set_irq, kvm_ioapic_set_irq, "
		  "kvm_pic_set_irq, kvm_set_irq through tracefs (fields by "
		  "name from their formats)" KWORKER UNATTR, NO_AFTER,
		  .progs = { "tp_kvm_msi_set_irq", "tp_kvm_ioapic_set_irq",
			     "tp_kvm_pic_set_irq", "tp_kvm_set_irq" },
		  .perf_events = IRQ_EVENTS },
	},
},
[VSVA_M_IRQ_BYPASS] = {
	.name = "kvm_irq_bypass", .source = VSVA_SRC_IRQ,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, KVM | B(OWN_BYPASS_TP),
		  "kvm_irq_bypass_add_producer/_del_producer tracepoints "
		  "(vsva kernel series)", NO_AFTER,
		  .progs = { "kvm_irq_bypass_add_producer",
			     "kvm_irq_bypass_del_producer" },
		  /* the IRTE update counts too, where the kernel has it */
		  .opt_progs = { "kvm_pi_irte_update" },
		  .opt_needs = B(PI_IRTE_TP),
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
},
[VSVA_M_POSTED] = {
	.name = "posted_interrupts", .source = VSVA_SRC_PROCFS,
	.rungs = {
		{ VSVA_RUNG_PROCFS, B(PROC_PI),
		  "/proc/interrupts rows PIN, NPI, PIW", NO_AFTER },
	},
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
},
[VSVA_M_PASID] = {
	.name = "iommu_pasid", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(OWN_PASID_TP),
		  "iommu_attach/detach_device_pasid_enter/_exit tracepoints "
		  "(vsva kernel series)", NO_AFTER,
		  .progs = { "own_pasid_attach_enter", "own_pasid_attach_exit",
			     "own_pasid_detach_enter", "own_pasid_detach_exit" },
		  .opt_progs = { "own_pasid_replace_enter",
				 "own_pasid_replace_exit" },
		  .opt_needs = B(OWN_PASID_REPLACE_TP),
		  .perf_events = "iommu:iommu_attach_device_pasid_enter,"
				 "iommu:iommu_attach_device_pasid_exit,"
				 "iommu:iommu_detach_device_pasid_enter,"
				 "iommu:iommu_detach_device_pasid_exit",
		  /* PASID replace (7.x); iommufd's attach, replace and
		   * detach, which name the PASID on 7.x */
		  .perf_opt_events = "iommu:iommu_replace_device_pasid_enter,"
				     "iommu:iommu_replace_device_pasid_exit,"
				     "iommufd:iommufd_device_attach,"
				     "iommufd:iommufd_device_replace,"
				     "iommufd:iommufd_device_detach" },
		{ VSVA_RUNG_FENTRY, B(BTF) | B(PASID_FENTRY),
		  "fentry/fexit on iommu_attach_device_pasid, "
		  "iommu_detach_device_pasid (and iommu_replace_device_pasid "
		  "where the kernel has it)", NO_AFTER,
		  .progs = { "fentry_pasid_attach", "fexit_pasid_attach",
			     "fentry_pasid_detach", "fexit_pasid_detach" },
		  .opt_progs = { "fentry_pasid_replace", "fexit_pasid_replace" },
		  .opt_needs = B(PASID_REPLACE_FENTRY) },
	},
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
		{ VSVA_RUNG_FENTRY, B(BTF) | B(IOMMUFD_FENTRY),
		  "approximate: fentry/fexit on the ioctl handlers "
		  "iommufd_hwpt_alloc and iommufd_hwpt_invalidate (the whole "
		  "handler is timed; nested is told by the data type, and on "
		  "6.13+ vIOMMU invalidations count as HWPT ones)",
		  .approximate = true, NO_AFTER,
		  .progs = { "fexit_hwpt_alloc", "fentry_hwpt_invalidate",
			     "fexit_hwpt_invalidate" } },
	},
},
[VSVA_M_VIOMMU] = {
	.name = "iommufd_viommu", .source = VSVA_SRC_IOMMU,
	.rungs = {
		{ VSVA_RUNG_OWN_TP, B(BTF) | B(OWN_VIOMMU_TP),
		  "iommufd_viommu_alloc, iommufd_vdevice_alloc, "
		  "iommufd_viommu_invalidate_enter/_exit tracepoints (vsva "
		  "kernel series on 7.x)", NO_AFTER,
		  .progs = { "own_viommu_alloc", "own_vdevice_alloc",
			     "own_viommu_invalidate_enter",
			     "own_viommu_invalidate_exit" },
		  .perf_events = "iommufd:iommufd_viommu_alloc,"
				 "iommufd:iommufd_vdevice_alloc,"
				 "iommufd:iommufd_viommu_invalidate_enter,"
				 "iommufd:iommufd_viommu_invalidate_exit" },
	},
},
[VSVA_M_VM_LIFECYCLE] = {
	.name = "kvm_vm_lifecycle", .source = VSVA_SRC_MEMSLOT,
	.rungs = {
		{ VSVA_RUNG_FENTRY, KVM | B(VMINIT_FENTRY),
		  "fexit on kvm_arch_init_vm, fentry on kvm_arch_destroy_vm: "
		  "a VM is its struct kvm, from creation to destruction" VMS,
		  NO_AFTER, .progs = { "fexit_kvm_arch_init_vm",
				       "fentry_kvm_arch_destroy_vm" } },
		{ VSVA_RUNG_KPROBE, KVM | B(VMINIT_KPROBE),
		  "kprobe/kretprobe on kvm_arch_init_vm, kprobe on "
		  "kvm_arch_destroy_vm: a VM is its struct kvm, from creation "
		  "to destruction" VMS, NO_AFTER,
		  .progs = { "kprobe_kvm_arch_init_vm",
			     "kretprobe_kvm_arch_init_vm",
			     "kprobe_kvm_arch_destroy_vm" } },
		{ VSVA_RUNG_SYSCALL_TP, KVM | B(IOCTL_TP),
		  "approximate: a VM is the fd KVM_CREATE_VM returns, and "
		  "lives until its VMM exits (its destruction is not seen)"
		  VMS, .approximate = true, NO_AFTER,
		  .progs = { "sys_enter_create_vm", "sys_exit_create_vm" },
		  /* a recording needs only to see who creates VMs */
		  .perf_events = "syscalls:sys_enter_ioctl",
		  .perf_filter = "cmd == 0xae01" },
	},
},
};

/* The families and sources of vsva/measurements.def, by their ids. */
const struct vsva_family_def vsva_families[VSVA_NFAMILIES] = {
#define VSVA_FAMILY(m, nm, ty, lab, hlp)				\
	[VSVA_FAM_##nm] = { .name = "vsva_" #nm, .help = hlp,		\
			    .type = VSVA_##ty, .labels = lab,		\
			    .measurement = VSVA_M_##m },
#define VSVA_HISTOGRAM(m, nm, lab, u, k, hlp)				\
	[VSVA_FAM_##nm] = { .name = "vsva_" #nm, .help = hlp,		\
			    .type = VSVA_HISTOGRAM, .labels = lab,	\
			    .unit = u, .kmin = k, .measurement = VSVA_M_##m },
#include "vsva/measurements.def"
};

const struct vsva_source_def vsva_sources[VSVA_NSOURCES] = {
#define VSVA_SOURCE(id, nm, ...)					\
	[VSVA_SRC_##id] = { .name = #nm, .always = { __VA_ARGS__ } },
#include "vsva/measurements.def"
};

const struct vsva_family_def *vsva_family_def(const char *name)
{
	int i;

	for (i = 0; i < VSVA_NFAMILIES; i++)
		if (!strcmp(vsva_families[i].name, name))
			return &vsva_families[i];
	return NULL;
}

struct vsva_family *vsva_snap_fam(struct vsva_snapshot *s, enum vsva_fam id)
{
	const struct vsva_family_def *d = &vsva_families[id];

	return vsva_snap_family(s, d->name, d->help, d->type);
}

void vsva_snap_source(struct vsva_snapshot *s, enum vsva_source_id src,
		      struct vsva_family **f)
{
	int i;

	for (i = 0; i < VSVA_NFAMILIES; i++)
		f[i] = vsva_measurements[vsva_families[i].measurement].source ==
		       src ? vsva_snap_fam(s, i) : NULL;
}

int vsva_hist_set_def(struct vsva_sample *m, enum vsva_fam id,
		      const uint64_t *slots, int nslots, double raw_sum)
{
	const struct vsva_family_def *d = &vsva_families[id];

	return vsva_hist_set(m, slots, nslots, d->kmin, d->unit,
			     raw_sum * d->unit);
}

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
