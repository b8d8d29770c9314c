// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's decoders of IOMMU work (the vsva series' tracepoints):
 * iommu_pasid (attach, replace, detach timed per device and domain type;
 * iommufd's attach, replace and detach of a PASID counted per device),
 * iommu_sva (bind, unbind), iommufd_nested (HWPT allocations, nested
 * invalidations) and iommufd_viommu (vIOMMU and vDEVICE allocations,
 * vIOMMU invalidations).  The stock iommu tracepoints are not recorded.
 */
#include "perf-dec.h"

#define TIMED_DEV	(KEY_TIMED | KEY_ERRS | KEY_DEVICE | KEY_DOMAIN)
/* iommu_pasid_exit_class, and the SVA exits */
#define EXIT_FIELDS	{ "device", "domain_type", "result" }

/* iommu_pasid */
enum { K_ATTACH, K_DETACH, K_REPLACE, K_FD_ATTACH, K_FD_REPLACE,
       K_FD_DETACH };
enum { C_ATTACH, C_DETACH, C_REPLACE };

static void attach_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_ATTACH, true);
}

static void attach_exit(struct report *r, struct sample *s)
{
	dev_op_end(r, s, C_ATTACH, K_ATTACH);
}

static void detach_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_DETACH, true);
}

static void detach_exit(struct report *r, struct sample *s)
{
	dev_op_end(r, s, C_DETACH, K_DETACH);
}

static void replace_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_REPLACE, true);
}

static void replace_exit(struct report *r, struct sample *s)
{
	dev_op_end(r, s, C_REPLACE, K_REPLACE);
}

/* iommufd_device_attach/_replace/_detach: one with a PASID is counted
 * on its device (pasid 0 is the device's RID; on 6.12 the event has no
 * pasid field: RIDs only). */
static void fd_event(struct report *r, struct sample *s, int k)
{
	uint64_t pasid, res;
	char dev[DEV_LEN];
	struct drow *d;

	if (!field_known(r, s, 1))
		return;
	if (!field_str(r, s, 0, dev, sizeof(dev)) ||
	    !field(r, s, 1, &pasid) || !field(r, s, 2, &res)) {
		s->bad = true;
		return;
	}
	if (!(uint32_t)pasid || !sample_vm(r, s))
		return;
	d = drow_get(r, s, k, 0, dev);
	if (!d)
		return;
	d->st.count++;
	d->st.errors += (int32_t)res != 0;
}

static void fd_attach(struct report *r, struct sample *s)
{
	fd_event(r, s, K_FD_ATTACH);
}

static void fd_replace(struct report *r, struct sample *s)
{
	fd_event(r, s, K_FD_REPLACE);
}

static void fd_detach(struct report *r, struct sample *s)
{
	fd_event(r, s, K_FD_DETACH);
}

#define FD_FIELDS	{ "device", "pasid", "result" }

const struct decoder dec_pasid = {
	.mid = VSVA_M_PASID,
	.events = (const struct dec_event[]){
		{ "iommu:iommu_attach_device_pasid_enter", attach_enter },
		{ "iommu:iommu_attach_device_pasid_exit", attach_exit,
		  EXIT_FIELDS },
		{ "iommu:iommu_detach_device_pasid_enter", detach_enter },
		{ "iommu:iommu_detach_device_pasid_exit", detach_exit,
		  EXIT_FIELDS },
		{ "iommu:iommu_replace_device_pasid_enter", replace_enter },
		{ "iommu:iommu_replace_device_pasid_exit", replace_exit,
		  EXIT_FIELDS },
		{ "iommufd:iommufd_device_attach", fd_attach, FD_FIELDS },
		{ "iommufd:iommufd_device_replace", fd_replace, FD_FIELDS },
		{ "iommufd:iommufd_device_detach", fd_detach, FD_FIELDS },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_ATTACH] = { "attach", TIMED_DEV },
		[K_DETACH] = { "detach", TIMED_DEV },
		[K_REPLACE] = { "replace", TIMED_DEV },
		[K_FD_ATTACH] = { "iommufd_attach", KEY_ERRS | KEY_DEVICE },
		[K_FD_REPLACE] = { "iommufd_replace", KEY_ERRS | KEY_DEVICE },
		[K_FD_DETACH] = { "iommufd_detach", KEY_ERRS | KEY_DEVICE },
		{ NULL },
	},
};

/* iommu_sva: a bind holds a PASID attach inside it (another class) */
enum { K_BIND, K_UNBIND };
enum { C_BIND, C_UNBIND };

static void bind_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_BIND, true);
}

static void bind_exit(struct report *r, struct sample *s)
{
	dev_op_end(r, s, C_BIND, K_BIND);
}

static void unbind_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_UNBIND, true);
}

static void unbind_exit(struct report *r, struct sample *s)
{
	dev_op_end(r, s, C_UNBIND, K_UNBIND);
}

const struct decoder dec_sva = {
	.mid = VSVA_M_SVA,
	.events = (const struct dec_event[]){
		{ "iommu:iommu_sva_bind_device_enter", bind_enter },
		{ "iommu:iommu_sva_bind_device_exit", bind_exit, EXIT_FIELDS },
		{ "iommu:iommu_sva_unbind_device_enter", unbind_enter },
		{ "iommu:iommu_sva_unbind_device_exit", unbind_exit,
		  EXIT_FIELDS },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_BIND] = { "bind", TIMED_DEV },
		[K_UNBIND] = { "unbind", TIMED_DEV },
		{ NULL },
	},
};

/* An allocation a VMM makes for its guest: counted with its result. */
static void vmm_alloc(struct report *r, struct sample *s, int k)
{
	struct vm *v = count_result(r, s, k);

	if (v)
		v->vmm = true;
}

#define INV_FIELDS	{ "result", "done_num", "entry_num" }
#define INV_KEY		(KEY_TIMED | KEY_ERRS | KEY_ENTRIES)

/* iommufd_nested */
enum { K_PAGING, K_NESTED, K_HWPT_INV };
enum { C_HWPT_INV };

static void hwpt_alloc(struct report *r, struct sample *s)
{
	uint64_t nested;

	if (!field(r, s, 1, &nested)) {
		s->bad = true;
		return;
	}
	vmm_alloc(r, s, nested & 0xff ? K_NESTED : K_PAGING);
}

static void hwpt_inv_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_HWPT_INV, true);
}

static void hwpt_inv_exit(struct report *r, struct sample *s)
{
	inv_end(r, s, C_HWPT_INV, K_HWPT_INV);
}

const struct decoder dec_iommufd = {
	.mid = VSVA_M_IOMMUFD,
	.events = (const struct dec_event[]){
		{ "iommufd:iommufd_hwpt_alloc", hwpt_alloc,
		  { "result", "nested" } },
		{ "iommufd:iommufd_hwpt_invalidate_enter", hwpt_inv_enter },
		{ "iommufd:iommufd_hwpt_invalidate_exit", hwpt_inv_exit,
		  INV_FIELDS },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_PAGING] = { "hwpt_alloc_paging", KEY_ERRS },
		[K_NESTED] = { "hwpt_alloc_nested", KEY_ERRS },
		[K_HWPT_INV] = { "hwpt_invalidate", INV_KEY },
		{ NULL },
	},
};

/* iommufd_viommu (the series on 7.x) */
enum { K_VIOMMU, K_VDEVICE, K_VIOMMU_INV };
enum { C_VIOMMU_INV };

static void viommu_alloc(struct report *r, struct sample *s)
{
	vmm_alloc(r, s, K_VIOMMU);
}

static void vdevice_alloc(struct report *r, struct sample *s)
{
	vmm_alloc(r, s, K_VDEVICE);
}

static void viommu_inv_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_VIOMMU_INV, true);
}

static void viommu_inv_exit(struct report *r, struct sample *s)
{
	inv_end(r, s, C_VIOMMU_INV, K_VIOMMU_INV);
}

const struct decoder dec_viommu = {
	.mid = VSVA_M_VIOMMU,
	.events = (const struct dec_event[]){
		{ "iommufd:iommufd_viommu_alloc", viommu_alloc, { "result" } },
		{ "iommufd:iommufd_vdevice_alloc", vdevice_alloc,
		  { "result" } },
		{ "iommufd:iommufd_viommu_invalidate_enter", viommu_inv_enter },
		{ "iommufd:iommufd_viommu_invalidate_exit", viommu_inv_exit,
		  INV_FIELDS },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_VIOMMU] = { "viommu_alloc", KEY_ERRS },
		[K_VDEVICE] = { "vdevice_alloc", KEY_ERRS },
		[K_VIOMMU_INV] = { "viommu_invalidate", INV_KEY },
		{ NULL },
	},
};

/* iommu: map and unmap fire at DMA rates; vsvad counts them in-kernel */
const struct decoder dec_iommu = {
	.mid = VSVA_M_IOMMU,
	.skip = "the stock iommu tracepoints (map, unmap) can fire at DMA "
		"rates: vsvad counts them in the kernel",
};
