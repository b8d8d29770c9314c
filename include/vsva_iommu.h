/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structures shared by bpf/iommu.bpf.c and the engine: IOMMU domain
 * attach, map/unmap, I/O page faults, PASID attach/replace/detach, SVA
 * bind/unbind, iommufd nested HWPTs and vIOMMU objects.
 */
#ifndef VSVA_IOMMU_H
#define VSVA_IOMMU_H

#include "vsva_vm.h"

#define VSVA_DEV_NAME_LEN	32
#define VSVA_MAX_IOMMU_KEYS	4096
#define VSVA_MAX_IOMMU_INFLIGHT	4096

/* Timed operations (entry/exit pairs). */
enum vsva_iommu_op {
	VSVA_IOMMU_PASID_ATTACH = 0,
	VSVA_IOMMU_PASID_DETACH,
	VSVA_IOMMU_SVA_BIND,
	VSVA_IOMMU_SVA_UNBIND,
	VSVA_IOMMU_HWPT_INVALIDATE,	/* per VM: the ioctl caller */
	VSVA_IOMMU_PASID_REPLACE,	/* kernels with PASID replace */
	VSVA_IOMMU_VIOMMU_INVALIDATE,	/* per VM; 6.13+ */
	VSVA_IOMMU_OPS,
};

/* Key of a timed operation: per device, or per VM (dev[0] == 0). */
struct vsva_iommu_lat_key {
	char dev[VSVA_DEV_NAME_LEN];
	__u32 vm;			/* VM id (vsva_vm.h), when dev[0] == 0 */
	__u16 op;
	__u16 ok;			/* result == 0 */
	__u32 domain_type;		/* IOMMU_DOMAIN_* */
};

struct vsva_iommu_lat {
	__u64 count;
	__u64 sum_ns;
	__u64 entries;			/* invalidation entries handled */
	__u64 slots[VSVA_HIST_SLOTS];
	__u64 requested;		/* invalidation entries asked for */
};

/* Counted events. */
enum vsva_iommu_kind {
	VSVA_IOMMU_DOMAIN_ATTACH = 0,	/* per device */
	VSVA_IOMMU_IO_PAGE_FAULT,	/* per device */
	VSVA_IOMMU_MAP,			/* per VM (mapping task) */
	VSVA_IOMMU_UNMAP,		/* per VM */
	VSVA_IOMMU_HWPT_PAGING,		/* per VM, successful */
	VSVA_IOMMU_HWPT_NESTED,		/* per VM, successful */
	VSVA_IOMMU_HWPT_PAGING_FAILED,	/* per VM */
	VSVA_IOMMU_HWPT_NESTED_FAILED,	/* per VM */
	VSVA_IOMMU_VIOMMU_ALLOC,	/* per VM, successful */
	VSVA_IOMMU_VDEVICE_ALLOC,	/* per VM, successful */
	VSVA_IOMMU_VIOMMU_ALLOC_FAILED,	/* per VM */
	VSVA_IOMMU_VDEVICE_ALLOC_FAILED, /* per VM */
	VSVA_IOMMU_KINDS,
};

struct vsva_iommu_cnt_key {
	char dev[VSVA_DEV_NAME_LEN];
	__u32 vm;			/* VM id (vsva_vm.h), when dev[0] == 0 */
	__u32 kind;
};

struct vsva_iommu_cnt {
	__u64 count;
	__u64 bytes;
};

enum vsva_iommu_drop {
	VSVA_IOMMU_DROP_MAP_FULL = 0,
	VSVA_IOMMU_DROP_INFLIGHT_FULL,
	VSVA_IOMMU_DROPS,
};

#endif /* VSVA_IOMMU_H */
