// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU measurements: domain attaches, map/unmap, I/O page faults,
 * PASID attach/replace/detach and SVA bind/unbind latency, iommufd HWPT
 * allocation and nested invalidation, vIOMMU and vDEVICE allocation and
 * vIOMMU invalidation (bpf/iommu.bpf.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"
#include "vsva/names.h"
#include "vsva_iommu.h"
#include "iommu.skel.h"


/* The loaded object, and the in-flight operations vsvad expired. */
struct iommu_state {
	struct iommu_bpf *s;
	__u64 expired;
};

/* Before load: iommu_attach_device_pasid's arguments on this kernel. */
static int iommu_config(void *skel, struct vsva_ctx *c)
{
	struct iommu_bpf *s = skel;

	s->rodata->pasid_attach_handle = c->f->pasid_attach_args == 4;
	return 0;
}

VSVA_SKEL(iommu, iommu_config);

static int iommu_open(struct vsva_ctx *c, void **state)
{
	struct iommu_state *st = calloc(1, sizeof(*st));
	int rc = -ENOMEM;

	if (st)
		st->s = vsva_skel_open(&iommu_skel, c, VSVA_SRC_IOMMU, &rc);
	if (!st || !st->s) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void iommu_close(void *state, struct vsva_ctx *c)
{
	struct iommu_state *st = state;

	iommu_bpf__destroy(st->s);
	free(st);
}

static struct bpf_object *iommu_object(void *state)
{
	return state ? ((struct iommu_state *)state)->s->obj : NULL;
}

/* A PASID or invalidation operation whose exit never came. */
static void iommu_expire(void *state, struct vsva_ctx *c)
{
	struct iommu_state *st = state;
	struct bpf_map *m = st->s->maps.iommu_inflight;

	st->expired += vsva_map_expire(bpf_map__fd(m), bpf_map__key_size(m),
				       bpf_map__value_size(m),
				       vsva_inflight_max_age_ns());
}

/* A vIOMMU or vDEVICE allocation count (kinds VIOMMU_ALLOC and on). */
static void add_viommu_cnt(struct vsva_family **f, const char *vm,
			   __u32 kind, __u64 n)
{
	__u32 h = kind - VSVA_IOMMU_VIOMMU_ALLOC;

	if (h > 3)
		return;
	vsva_family_add(f[h & 1 ? VSVA_FAM_iommufd_vdevice_alloc_total :
				  VSVA_FAM_iommufd_viommu_alloc_total], n,
			"vm", vm, "result", h < 2 ? "ok" : "error", NULL);
}

/* An iommufd HWPT allocation count (kinds HWPT_PAGING to _NESTED_FAILED). */
static void add_hwpt_cnt(struct vsva_family **f, const char *vm,
			 __u32 kind, __u64 n)
{
	__u32 h = kind - VSVA_IOMMU_HWPT_PAGING;

	if (h > 3)
		return;
	vsva_family_add(f[VSVA_FAM_iommufd_hwpt_alloc_total], n, "vm", vm,
			"kind", vsva_hwpt_kind_name(h & 1), "result",
			h < 2 ? "ok" : "error", NULL);
}

/* One count-map entry (a vsva_map_walk callback; @arg: the families). */
static void add_cnt(struct vsva_ctx *c, void *arg, const void *key,
		    const void *val)
{
	const struct vsva_iommu_cnt_key *k = key;
	const struct vsva_iommu_cnt *v = val;
	struct vsva_family **f = arg;
	char vm[VSVA_VM_LABEL_LEN], dev[VSVA_DEV_NAME_LEN + 1];
	bool map;

	snprintf(dev, sizeof(dev), "%s", k->dev);
	vsva_vm_label(c, k->vm, vm, sizeof(vm));
	switch (k->kind) {
	case VSVA_IOMMU_DOMAIN_ATTACH:
		vsva_family_add(f[VSVA_FAM_iommu_domain_attach_total],
				v->count, "device", dev, NULL);
		break;
	case VSVA_IOMMU_IO_PAGE_FAULT:
		vsva_family_add(f[VSVA_FAM_iommu_io_page_faults_total],
				v->count, "device", dev, NULL);
		break;
	case VSVA_IOMMU_MAP:
	case VSVA_IOMMU_UNMAP:
		map = k->kind == VSVA_IOMMU_MAP;
		vsva_family_add(f[map ? VSVA_FAM_iommu_map_total :
					VSVA_FAM_iommu_unmap_total],
				v->count, "vm", vm, NULL);
		vsva_family_add(f[map ? VSVA_FAM_iommu_mapped_bytes_total :
					VSVA_FAM_iommu_unmapped_bytes_total],
				v->bytes, "vm", vm, NULL);
		break;
	default:
		if (k->kind >= VSVA_IOMMU_VIOMMU_ALLOC)
			add_viommu_cnt(f, vm, k->kind, v->count);
		else
			add_hwpt_cnt(f, vm, k->kind, v->count);
	}
}

/* An invalidation's entries, handled and asked for (HWPT or vIOMMU). */
static void add_inv_entries(struct vsva_family **f, bool hwpt,
			    const char *vm, const char *result,
			    const struct vsva_iommu_lat *v)
{
	enum vsva_fam done, asked;

	done = hwpt ? VSVA_FAM_iommufd_hwpt_invalidate_entries_total :
		      VSVA_FAM_iommufd_viommu_invalidate_entries_total;
	asked = hwpt ?
		VSVA_FAM_iommufd_hwpt_invalidate_entries_requested_total :
		VSVA_FAM_iommufd_viommu_invalidate_entries_requested_total;
	vsva_family_add(f[done], v->entries, "vm", vm, "result", result,
			NULL);
	vsva_family_add(f[asked], v->requested, "vm", vm, "result", result,
			NULL);
}

/* One latency-map entry (a vsva_map_walk callback). */
static void add_lat(struct vsva_ctx *c, void *arg, const void *key,
		    const void *val)
{
	static const enum vsva_fam fam[VSVA_IOMMU_OPS] = {
		[VSVA_IOMMU_PASID_ATTACH] = VSVA_FAM_iommu_pasid_attach_seconds,
		[VSVA_IOMMU_PASID_DETACH] = VSVA_FAM_iommu_pasid_detach_seconds,
		[VSVA_IOMMU_SVA_BIND] = VSVA_FAM_iommu_sva_bind_seconds,
		[VSVA_IOMMU_SVA_UNBIND] = VSVA_FAM_iommu_sva_unbind_seconds,
		[VSVA_IOMMU_HWPT_INVALIDATE] =
			VSVA_FAM_iommufd_hwpt_invalidate_seconds,
		[VSVA_IOMMU_PASID_REPLACE] =
			VSVA_FAM_iommu_pasid_replace_seconds,
		[VSVA_IOMMU_VIOMMU_INVALIDATE] =
			VSVA_FAM_iommufd_viommu_invalidate_seconds,
	};
	const struct vsva_iommu_lat_key *k = key;
	const struct vsva_iommu_lat *v = val;
	struct vsva_family **f = arg;
	char vm[VSVA_VM_LABEL_LEN], dev[VSVA_DEV_NAME_LEN + 1];
	const char *result = k->ok ? "ok" : "error";
	struct vsva_sample *m;

	if (k->op >= VSVA_IOMMU_OPS)
		return;
	snprintf(dev, sizeof(dev), "%s", k->dev);
	if (k->op == VSVA_IOMMU_HWPT_INVALIDATE ||
	    k->op == VSVA_IOMMU_VIOMMU_INVALIDATE) {
		vsva_vm_label(c, k->vm, vm, sizeof(vm));
		m = vsva_family_add(f[fam[k->op]], 0, "vm", vm, "result",
				    result, NULL);
		add_inv_entries(f, k->op == VSVA_IOMMU_HWPT_INVALIDATE, vm,
				result, v);
	} else {
		m = vsva_family_add(f[fam[k->op]], 0, "device", dev,
				    "domain_type",
				    vsva_domain_type_name(k->domain_type),
				    "result", result, NULL);
	}
	if (m && vsva_hist_set_def(m, fam[k->op],
				   (const uint64_t *)v->slots, VSVA_HIST_SLOTS,
				   v->sum_ns))
		f[fam[k->op]]->incomplete = true;
}

static void iommu_snapshot(void *state, struct vsva_ctx *c,
			   struct vsva_snapshot *s)
{
	struct iommu_state *st = state;
	struct vsva_family *f[VSVA_NFAMILIES];
	struct vsva_walk cw = {
		.ksz = sizeof(struct vsva_iommu_cnt_key),
		.vsz = sizeof(struct vsva_iommu_cnt),
		.fn = add_cnt, .arg = f,
	}, lw = {
		.ksz = sizeof(struct vsva_iommu_lat_key),
		.vsz = sizeof(struct vsva_iommu_lat),
		.fn = add_lat, .arg = f,
	};

	vsva_snap_source(s, VSVA_SRC_IOMMU, f);
	if (!st)
		return;
	cw.fd = bpf_map__fd(st->s->maps.iommu_cnt);
	lw.fd = bpf_map__fd(st->s->maps.iommu_lat);
	if (vsva_map_walk(c, &cw) || vsva_map_walk(c, &lw))
		f[VSVA_FAM_iommu_domain_attach_total]->incomplete = true;
}

static const char *const drop_name[VSVA_IOMMU_DROPS] = {
	[VSVA_IOMMU_DROP_MAP_FULL] = "iommu_map_full",
	[VSVA_IOMMU_DROP_INFLIGHT_FULL] = "iommu_inflight_map_full",
};

static void iommu_drops(void *state, struct vsva_ctx *c,
			struct vsva_family *f)
{
	struct iommu_state *st = state;

	vsva_drops_add(c, st ? bpf_map__fd(st->s->maps.iommu_drops) : -1,
		       drop_name, VSVA_IOMMU_DROPS, NULL, f);
	vsva_family_add(f, st ? st->expired : 0, "reason",
			"iommu_inflight_expired", NULL);
}

/* Retire the per-VM keys of VMs the GC retired (device keys have none). */
static void iommu_forget(void *state, struct vsva_ctx *c, const __u32 *ids,
			 int n)
{
	struct iommu_state *st = state;

	if (!st)
		return;
	vsva_map_forget(bpf_map__fd(st->s->maps.iommu_cnt),
			sizeof(struct vsva_iommu_cnt_key),
			offsetof(struct vsva_iommu_cnt_key, vm), ids, n);
	vsva_map_forget(bpf_map__fd(st->s->maps.iommu_lat),
			sizeof(struct vsva_iommu_lat_key),
			offsetof(struct vsva_iommu_lat_key, vm), ids, n);
}

const struct vsva_source vsva_src_iommu = {
	.open = iommu_open, .snapshot = iommu_snapshot, .drops = iommu_drops,
	.forget = iommu_forget, .expire = iommu_expire, .close = iommu_close,
	.object = iommu_object, .elf = iommu_bpf__elf_bytes,
};
