// SPDX-License-Identifier: GPL-2.0
/*
 * Every decoder of vsva-perf, one per measurement of the table that a
 * perf recording can hold (tools/perf/dec-*.c).  A measurement whose rungs
 * name perf events and that has no decoder here fails test_perfops.
 */
#include "perf-report.h"

extern const struct decoder dec_memslot, dec_mmu_pages, dec_irq_injection,
	dec_irq_bypass, dec_bypass_connect, dec_iommu, dec_pasid, dec_sva,
	dec_iommufd, dec_viommu, dec_vm_lifecycle;

const struct decoder *const vsva_decoders[] = {
	&dec_memslot,
	&dec_mmu_pages,
	&dec_irq_injection,
	&dec_irq_bypass,
	&dec_bypass_connect,
	&dec_iommu,
	&dec_pasid,
	&dec_sva,
	&dec_iommufd,
	&dec_viommu,
	&dec_vm_lifecycle,
	NULL,
};
