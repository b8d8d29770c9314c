/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Label values that vsvad and vsva-perf both print, so the two never name
 * the same thing differently.
 */
#ifndef VSVA_NAMES_H
#define VSVA_NAMES_H

/* An IOMMU domain type (IOMMU_DOMAIN_*, include/linux/iommu.h). */
static inline const char *vsva_domain_type_name(unsigned int t)
{
	switch (t) {
	case 0:
		return "blocked";
	case 1:
		return "unmanaged";
	case 3:
		return "dma";
	case 4:
		return "identity";
	case 11:
		return "dma_fq";
	case 16:
		return "sva";
	case 32:
		return "platform";
	case 64:
		return "nested";
	default:
		return "other";
	}
}

/* An iommufd HW pagetable's kind (iommufd_nested). */
static inline const char *vsva_hwpt_kind_name(int nested)
{
	return nested ? "nested" : "paging";
}

#endif /* VSVA_NAMES_H */
