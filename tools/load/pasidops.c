// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-pasidload's operations on iommufd, each ioctl counted and timed
 * under its kind (struct op): the IOAS, the mock device, the HW page
 * tables, the vIOMMU and vDEVICE, the PASIDs' attach, replace and detach,
 * the invalidations, and the teardown.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "pasidload.h"

static const char *const op_names[OP_N] = {
	"ioas_alloc", "mock_device", "rid_replace", "hwpt_alloc_paging",
	"hwpt_alloc_nested", "viommu_alloc", "vdevice_alloc", "pasid_attach",
	"pasid_replace", "pasid_detach", "hwpt_invalidate",
	"viommu_invalidate", "destroy",
};

/* One ioctl, counted and timed under @id; the ioctl's return value. */
static int call(struct run *r, enum op_id id, unsigned long req, void *arg)
{
	struct op *o = &r->op[id];
	uint64_t t0 = now_ns();
	int rc = ioctl(r->fd, req, arg);
	uint64_t dt = now_ns() - t0;

	o->calls++;
	if (rc) {
		o->failed++;
		o->last_errno = errno;
		return rc;
	}
	o->ok++;
	o->ns[o->n++] = dt;
	return 0;
}

static int fail(struct run *r, enum op_id id, const char *what)
{
	fprintf(stderr, "vsva-pasidload: %s: %s\n", what,
		strerror(r->op[id].last_errno));
	return -1;
}

static int test_cmd(struct run *r, enum op_id id, struct pl_test_cmd *c)
{
	c->size = sizeof(*c);
	return call(r, id, PL_IOMMU_TEST_CMD, c);
}

static int destroy(struct run *r, uint32_t obj)
{
	struct pl_destroy d = { .size = sizeof(d), .id = obj };

	if (!obj)
		return 0;
	return call(r, OP_DESTROY, PL_IOMMU_DESTROY, &d);
}

static int ioas_alloc(struct run *r)
{
	struct pl_ioas_alloc a = { .size = sizeof(a) };

	if (call(r, OP_IOAS_ALLOC, PL_IOMMU_IOAS_ALLOC, &a))
		return fail(r, OP_IOAS_ALLOC, "IOMMU_IOAS_ALLOC");
	r->ioas = a.out_ioas_id;
	return 0;
}

static int mock_device(struct run *r)
{
	struct pl_test_cmd c = {
		.op = PL_OP_MOCK_DOMAIN_FLAGS, .id = r->ioas,
		.mock_domain_flags.dev_flags = PL_MOCK_FLAGS_DEVICE_PASID,
	};

	if (test_cmd(r, OP_MOCK_DEVICE, &c))
		return fail(r, OP_MOCK_DEVICE,
			    "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS (PASID)");
	r->stdev = c.mock_domain_flags.out_stdev_id;
	r->idev = c.mock_domain_flags.out_idev_id;
	return 0;
}

static int hwpt_alloc(struct run *r, uint32_t pt, uint32_t flags, bool nested,
		      uint32_t *out)
{
	struct pl_hwpt_selftest data = { .iotlb = PL_TEST_IOTLB_DEFAULT };
	struct pl_hwpt_alloc a = {
		.size = sizeof(a), .flags = flags, .dev_id = r->idev,
		.pt_id = pt,
	};
	enum op_id id = nested ? OP_HWPT_NESTED : OP_HWPT_PAGING;

	if (nested) {
		a.data_type = PL_HWPT_DATA_SELFTEST;
		a.data_len = sizeof(data);
		a.data_uptr = (uintptr_t)&data;
	}
	if (call(r, id, PL_IOMMU_HWPT_ALLOC, &a))
		return fail(r, id, "IOMMU_HWPT_ALLOC");
	*out = a.out_hwpt_id;
	return 0;
}

/* The paging HWPT the PASIDs start on and the device's RID moves to: it
 * must be PASID-compatible upstream (6.15+), a flag 6.12 does not know. */
static int paging_hwpt(struct run *r)
{
	struct pl_hwpt_alloc a = {
		.size = sizeof(a), .flags = PL_HWPT_ALLOC_PASID,
		.dev_id = r->idev, .pt_id = r->ioas,
	};

	if (!call(r, OP_HWPT_PAGING, PL_IOMMU_HWPT_ALLOC, &a)) {
		r->pasid_flag = true;
		r->s2 = a.out_hwpt_id;
		return 0;
	}
	if (r->op[OP_HWPT_PAGING].last_errno != EOPNOTSUPP)
		return fail(r, OP_HWPT_PAGING, "IOMMU_HWPT_ALLOC (PASID)");
	/* the kernel refused the flag: the probe is not part of the work */
	r->op[OP_HWPT_PAGING].calls--;
	r->op[OP_HWPT_PAGING].failed--;
	return hwpt_alloc(r, r->ioas, 0, false, &r->s2);
}

static int rid_replace(struct run *r, uint32_t pt)
{
	struct pl_test_cmd c = {
		.op = PL_OP_MOCK_DOMAIN_REPLACE, .id = r->stdev,
		.mock_domain_replace.pt_id = pt,
	};

	if (test_cmd(r, OP_RID_REPLACE, &c))
		return fail(r, OP_RID_REPLACE, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	return 0;
}

/* vIOMMU and vDEVICE on the nesting parent, and a nested HWPT on the
 * vIOMMU.  A kernel without vIOMMUs (before 6.13) is not a failure: the
 * JSON says why they are missing. */
static int viommu(struct run *r)
{
	struct pl_viommu_alloc v = {
		.size = sizeof(v), .type = PL_VIOMMU_TYPE_SELFTEST,
		.dev_id = r->idev, .hwpt_id = r->parent,
	};
	struct pl_vdevice_alloc d = { .size = sizeof(d), .dev_id = r->idev,
				      .virt_id = 0x99 };

	if (call(r, OP_VIOMMU_ALLOC, PL_IOMMU_VIOMMU_ALLOC, &v)) {
		int e = r->op[OP_VIOMMU_ALLOC].last_errno;

		if (e != ENOTTY && e != EOPNOTSUPP)
			return fail(r, OP_VIOMMU_ALLOC, "IOMMU_VIOMMU_ALLOC");
		snprintf(r->viommu_why, sizeof(r->viommu_why),
			 "IOMMU_VIOMMU_ALLOC: %s (a kernel without vIOMMU objects)",
			 strerror(e));
		r->op[OP_VIOMMU_ALLOC].calls--;
		r->op[OP_VIOMMU_ALLOC].failed--;
		return 0;
	}
	r->viommu = v.out_viommu_id;
	d.viommu_id = r->viommu;
	if (call(r, OP_VDEVICE_ALLOC, PL_IOMMU_VDEVICE_ALLOC, &d))
		return fail(r, OP_VDEVICE_ALLOC, "IOMMU_VDEVICE_ALLOC");
	r->vdev = d.out_vdevice_id;
	return hwpt_alloc(r, r->viommu, r->pasid_flag ? PL_HWPT_ALLOC_PASID : 0,
			  true, &r->vnested);
}

static int hwpts(struct run *r, const struct opts *o)
{
	uint32_t pasid = r->pasid_flag ? PL_HWPT_ALLOC_PASID : 0;

	if (paging_hwpt(r) || rid_replace(r, r->s2))
		return -1;
	if (hwpt_alloc(r, r->ioas, PL_HWPT_ALLOC_NEST_PARENT, false, &r->parent))
		return -1;
	if (hwpt_alloc(r, r->parent, pasid, true, &r->nested))
		return -1;
	return o->viommu ? viommu(r) : 0;
}

static int pasid_cmd(struct run *r, enum op_id id, uint32_t op,
		     uint32_t pasid, uint32_t pt)
{
	struct pl_test_cmd c = { .op = op, .id = r->stdev,
				 .pasid = { .pasid = pasid, .pt_id = pt } };
	char what[64];

	if (!test_cmd(r, id, &c))
		return 0;
	snprintf(what, sizeof(what), "%s of PASID %u", op_names[id], pasid);
	return fail(r, id, what);
}

static uint32_t nth_pasid(const struct opts *o, unsigned long i)
{
	uint32_t p = o->first_pasid + i;

	/* skip the PASID upstream's mock fails on purpose */
	return p >= PL_TEST_PASID_RESERVED ? p + 1 : p;
}

/* Every PASID attached to the paging HWPT, moved to a nested one (the
 * vIOMMU's where there is one), and detached. */
static int pasids(struct run *r, const struct opts *o)
{
	const struct pl_pasid_ops *p = &r->pasid_op;
	uint32_t target = r->vnested ? r->vnested : r->nested;
	unsigned long i;

	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_ATTACH, p->attach, nth_pasid(o, i),
			      r->s2))
			return -1;
	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_REPLACE, p->replace, nth_pasid(o, i),
			      target))
			return -1;
	for (i = 0; i < o->pasids; i++)
		if (pasid_cmd(r, OP_PASID_DETACH, p->detach, nth_pasid(o, i), 0))
			return -1;
	return 0;
}

/* One IOMMU_HWPT_INVALIDATE of @n entries on a nested HWPT (@viommu
 * false) or a vIOMMU. */
static int invalidate(struct run *r, bool viommu, unsigned long k,
		      unsigned long n)
{
	struct pl_hwpt_invalidate_selftest h[MAX_ENTRIES];
	struct pl_viommu_invalidate_selftest v[MAX_ENTRIES];
	struct pl_hwpt_invalidate inv = { .size = sizeof(inv),
					  .entry_num = n };
	enum op_id id = viommu ? OP_VIOMMU_INVAL : OP_HWPT_INVAL;
	unsigned long i;

	for (i = 0; i < n; i++) {
		h[i] = (struct pl_hwpt_invalidate_selftest){
			.iotlb_id = (k + i) % (PL_MOCK_IOTLB_ID_MAX + 1) };
		v[i] = (struct pl_viommu_invalidate_selftest){
			.vdev_id = 0x99,
			.cache_id = (k + i) % (PL_MOCK_DEV_CACHE_ID_MAX + 1) };
	}
	inv.hwpt_id = viommu ? r->viommu : r->nested;
	inv.data_type = viommu ? PL_VIOMMU_INVALIDATE_DATA_SELFTEST :
				 PL_HWPT_INVALIDATE_DATA_SELFTEST;
	inv.entry_len = viommu ? sizeof(v[0]) : sizeof(h[0]);
	inv.data_uptr = viommu ? (uintptr_t)v : (uintptr_t)h;
	r->inval_req[viommu] += n;
	if (call(r, id, PL_IOMMU_HWPT_INVALIDATE, &inv))
		return fail(r, id, "IOMMU_HWPT_INVALIDATE");
	r->inval_done[viommu] += inv.entry_num;
	return 0;
}

static int invalidations(struct run *r, const struct opts *o)
{
	unsigned long k;

	for (k = 0; k < o->invalidations; k++) {
		if (invalidate(r, false, k, o->entries))
			return -1;
		if (r->viommu && invalidate(r, true, k, o->entries))
			return -1;
	}
	return 0;
}

/* Objects in the reverse order of their dependencies; the mock device's
 * destruction detaches its RID. */
static int teardown(struct run *r)
{
	uint32_t objs[] = { r->vnested, r->vdev, r->viommu, r->nested,
			    r->stdev, r->parent, r->s2, r->ioas };
	size_t i;

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (destroy(r, objs[i]))
			return fail(r, OP_DESTROY, "IOMMU_DESTROY");
	return 0;
}

/* Room for every successful call's time: no kind of operation is done
 * more often than the PASIDs or the invalidations, bar a few set-ups. */
int alloc_timings(struct run *r, const struct opts *o)
{
	size_t cap = (o->pasids > o->invalidations ? o->pasids :
					o->invalidations) + 16;
	int i;

	for (i = 0; i < OP_N; i++) {
		r->op[i].name = op_names[i];
		r->op[i].ns = calloc(cap, sizeof(uint64_t));
		if (!r->op[i].ns)
			return -1;
	}
	return 0;
}

void free_timings(struct run *r)
{
	int i;

	for (i = 0; i < OP_N; i++)
		free(r->op[i].ns);
}

int pasidload_work(struct run *r, const struct opts *o)
{
	if (ioas_alloc(r) || mock_device(r) || hwpts(r, o))
		return -1;
	if (pasids(r, o) || invalidations(r, o))
		return -1;
	return teardown(r);
}
