/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva: the probe ladder as data.  A measurement is one entry of a table
 * (src/lib/table.c): its name, its source, its rungs best first (the kernel
 * features each needs, the BPF programs it enables, what it times, the
 * tracefs events a perf recording of it needs) and the metric families it
 * exports.  Detection turns the running kernel into a feature set, with a
 * reason for every feature it lacks; one chooser walks a measurement's
 * rungs and builds its reason from those.
 */
#ifndef VSVA_LADDER_H
#define VSVA_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "vsva/snapshot.h"
#include "vsva_tpoff.h"

enum vsva_rung {
	VSVA_RUNG_NONE = 0,
	VSVA_RUNG_OWN_TP,	/* vsva kernel series tracepoint, tp_btf */
	VSVA_RUNG_FENTRY,	/* fentry/fexit on the kernel function */
	VSVA_RUNG_KPROBE,	/* kprobe/kretprobe on the kernel function */
	VSVA_RUNG_STOCK_TP,	/* stock tracepoint, tp_btf */
	VSVA_RUNG_CLASSIC_TP,	/* stock tracepoint, fields from tracefs */
	VSVA_RUNG_SYSCALL_TP,	/* syscall tracepoints: an approximation */
	VSVA_RUNG_PROCFS,	/* a kernel counter file, e.g. /proc/interrupts */
	VSVA_NRUNGS,
};

const char *vsva_rung_name(enum vsva_rung r);
/* Rung by name ("tracepoint", "fentry", ...); -1 if unknown. */
int vsva_rung_parse(const char *name, enum vsva_rung *r);

/* What a rung can need of the running kernel. */
enum vsva_feature {
	VSVA_F_BTF,		/* kernel BTF: CO-RE, tp_btf */
	VSVA_F_KVM,		/* /dev/kvm */
	VSVA_F_OWN_MEMSLOT_TP,	/* kvm_flush_shadow_memslot_enter/_exit */
	VSVA_F_FLUSH_FENTRY,	/* fentry on kvm_arch_flush_shadow_memslot */
	VSVA_F_FLUSH_KPROBE,	/* kprobe on it */
	VSVA_F_IOCTL_TP,	/* syscalls/sys_{enter,exit}_ioctl */
	VSVA_F_KVMMMU_TP,	/* kvmmmu tracepoints, tp_btf */
	VSVA_F_KVMMMU_CLASSIC,	/* the same through tracefs, fields found */
	VSVA_F_TDP_MMU,		/* KVM's TDP MMU in use (approximation) */
	VSVA_F_IRQ_TP,		/* kvm_{msi,ioapic,pic}_set_irq, kvm_set_irq */
	VSVA_F_IRQ_CLASSIC,	/* the same through tracefs, fields found */
	VSVA_F_PI_IRTE_TP,	/* kvm_pi_irte_update, a known layout */
	VSVA_F_OWN_BYPASS_TP,	/* kvm_irq_bypass_add/_del_producer */
	VSVA_F_IRQBYPASS_TP,	/* irq_bypass_connect/_disconnect */
	VSVA_F_PROC_PI,		/* PIN/NPI/PIW rows in /proc/interrupts */
	VSVA_F_IOMMU_TP,	/* iommu: map, unmap, attach, io_page_fault */
	VSVA_F_OWN_PASID_TP,	/* iommu_{attach,detach}_device_pasid_* */
	VSVA_F_PASID_FENTRY,	/* fentry on iommu_{attach,detach}_device_pasid */
	VSVA_F_OWN_SVA_TP,	/* iommu_sva_{bind,unbind}_device_* */
	VSVA_F_OWN_IOMMUFD_TP,	/* iommufd_hwpt_alloc/_invalidate_* */
	VSVA_F_VMINIT_FENTRY,	/* fentry on kvm_arch_init_vm */
	VSVA_F_VMINIT_KPROBE,	/* kprobe on it */
	VSVA_F_OWN_PASID_REPLACE_TP, /* iommu_replace_device_pasid_* (7.x) */
	VSVA_F_PASID_REPLACE_FENTRY, /* fentry on iommu_replace_device_pasid */
	VSVA_F_OWN_VIOMMU_TP,	/* iommufd_viommu_alloc, _vdevice_alloc,
				   _viommu_invalidate_* (the series on 7.x) */
	VSVA_F_IOMMUFD_FENTRY,	/* fentry on iommufd_hwpt_alloc/_invalidate */
	VSVA_F_MSI_FENTRY,	/* fentry on kvm_set_msi, kvm_set_irq,
				 * kvm_arch_set_irq_inatomic (known forms) */
	VSVA_NFEATURES,
};

#define VSVA_BIT(f)	(1u << (f))

/* The running kernel as the ladder sees it; vsva_features_detect(). */
struct vsva_features {
	uint32_t have;				/* VSVA_BIT(feature) */
	char why[VSVA_NFEATURES][160];		/* why a feature is missing */
	/* what the programs are configured with before load */
	struct vsva_tp_offs tp_off;	/* classic tracepoints' record layout */
	int pi_irte_args;		/* kvm_pi_irte_update: 5 or 6 */
	int pasid_attach_args;		/* iommu_attach_device_pasid: 3 or 4 */
	bool prealloc;			/* Linux < 6.1: non-BTF tracing programs
					 * need preallocated hash maps */
};

void vsva_features_detect(struct vsva_features *f, bool may_mount_tracefs);

static inline bool vsva_has(const struct vsva_features *f,
			    enum vsva_feature x)
{
	return f->have & VSVA_BIT(x);
}

/* ---- the measurement table ------------------------------------------ */

enum vsva_source_id {
	VSVA_SRC_MEMSLOT,	/* bpf/memslot.bpf.c */
	VSVA_SRC_IRQ,		/* bpf/irq.bpf.c */
	VSVA_SRC_IOMMU,		/* bpf/iommu.bpf.c */
	VSVA_SRC_PROCFS,	/* /proc/interrupts */
	VSVA_NSOURCES,
};

/* Measurements, in the table's (and vsva_probe_info's) order. */
enum vsva_mid {
	VSVA_M_MEMSLOT, VSVA_M_MMU_PAGES, VSVA_M_IRQ_INJECTION,
	VSVA_M_IRQ_BYPASS, VSVA_M_BYPASS_CONNECT, VSVA_M_POSTED,
	VSVA_M_IOMMU, VSVA_M_PASID, VSVA_M_SVA, VSVA_M_IOMMUFD,
	VSVA_M_VIOMMU, VSVA_M_VM_LIFECYCLE,
	VSVA_NMEASUREMENTS,
};

#define VSVA_MAX_RUNGS		4
#define VSVA_MAX_PROGS		8
#define VSVA_MAX_FAMILIES	8

struct vsva_rung_def {
	enum vsva_rung rung;		/* VSVA_RUNG_NONE ends the list */
	uint32_t needs;			/* VSVA_BIT()s, all of them */
	const char *uses;		/* what it hooks and times */
	bool approximate;		/* @uses says why */
	uint32_t approx_if;		/* ...or approximate with these */
	const char *approx_why;
	int after;			/* -1, or a measurement (enum vsva_mid)
					 * that must have a rung: @after_why */
	const char *after_why;
	const char *progs[VSVA_MAX_PROGS];	/* BPF programs it enables */
	const char *opt_progs[2];	/* ...and these where the kernel */
	uint32_t opt_needs;		/* has all of @opt_needs */
	const char *perf_events;	/* "sys:event,..." a perf recording
					 * of this rung needs; NULL: perf
					 * cannot record it (fentry, kprobe) */
	const char *perf_filter;	/* for those events, or NULL */
};

/* A metric family a measurement exports. */
struct vsva_family_def {
	const char *name, *help;
	enum vsva_mtype type;
	const char *labels;		/* label names, comma-separated */
	double unit;			/* histograms: seconds per raw unit */
	int kmin;			/* histograms: first bucket 2^kmin units */
};

struct vsva_measurement {
	const char *name;
	enum vsva_source_id source;
	struct vsva_rung_def rungs[VSVA_MAX_RUNGS];	/* best first */
	struct vsva_family_def families[VSVA_MAX_FAMILIES];	/* it exports */
};

extern const struct vsva_measurement vsva_measurements[VSVA_NMEASUREMENTS];
/* Programs a source loads whatever the rungs (NULL-terminated). */
extern const char *const *const vsva_source_always[VSVA_NSOURCES];
extern const char *const vsva_source_name[VSVA_NSOURCES];

/* A family of the table by name, or NULL. */
const struct vsva_family_def *vsva_family_def(const char *name);
/* Family @name of the table in @s, with its help and type; a name the
 * table lacks marks @s incomplete (a bug the tests catch). */
struct vsva_family *vsva_snap_def(struct vsva_snapshot *s, const char *name);
/* A histogram sample from raw log2 slots, with @d's unit and buckets. */
int vsva_hist_set_def(struct vsva_sample *m, const struct vsva_family_def *d,
		      const uint64_t *slots, int nslots, double raw_sum);

/* Measurement by name, or -1. */
int vsva_measurement_find(const char *name);
/* The rung definition @r of @m, or NULL if @m has no such rung. */
const struct vsva_rung_def *vsva_rung_def(const struct vsva_measurement *m,
					  enum vsva_rung r);

struct vsva_choice {
	enum vsva_rung rung;
	bool approximate;
	char reason[512];	/* why this rung (or none), why not higher */
	unsigned int refused;	/* VSVA_BIT(rung): rungs whose programs failed */
	char failed[256];	/* why they failed (appended to reason) */
};

/*
 * Choose @m's rung from @f: the best rung whose features are all there,
 * not refused, and (with @force) the forced one.  @choices holds the
 * other measurements' choices, for rungs that need another measurement.
 * A pure function of its inputs: unit-tested on made-up kernels.
 */
void vsva_choose(int m, const struct vsva_features *f, enum vsva_rung force,
		 const struct vsva_choice *choices, struct vsva_choice *c);

/* Choose every measurement (@force[m]: 0, or the only rung @m may use);
 * @choice[m].refused and .failed are kept. */
void vsva_choose_all(const struct vsva_features *f, const enum vsva_rung *force,
		     struct vsva_choice *choice);

/* "--rung M=RUNG": set @force[M]; -1 with a message naming M's rungs. */
int vsva_rung_option(const char *arg, enum vsva_rung *force, char *err,
		     size_t len);
/* Every measurement as this kernel resolves it: the chosen rung, why the
 * others lost, their programs and the tracefs events perf needs. */
void vsva_probe_print(FILE *out, const struct vsva_features *f,
		      const struct vsva_choice *choice);

#endif /* VSVA_LADDER_H */
