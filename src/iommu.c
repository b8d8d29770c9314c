// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU measurements: domain attaches, map/unmap, I/O page faults,
 * PASID attach/detach and SVA bind/unbind latency, iommufd HWPT
 * allocation and nested invalidation (bpf/iommu.bpf.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "engine_priv.h"
#include "vsva_iommu.h"
#include "iommu.skel.h"

#define IOMMU_HIST_KMIN	8	/* first bucket: 256 ns */

static void set_autoload(struct iommu_bpf *s, const struct vsva_engine *e)
{
	bool stock = e->iommu_stock.rung == VSVA_RUNG_STOCK_TP;
	bool own_pasid = e->pasid.rung == VSVA_RUNG_OWN_TP;
	bool fentry = e->pasid.rung == VSVA_RUNG_FENTRY;
	bool sva = e->sva.rung == VSVA_RUNG_OWN_TP;
	bool iommufd = e->iommufd.rung == VSVA_RUNG_OWN_TP;

	bpf_program__set_autoload(s->progs.attach_device_to_domain, stock);
	bpf_program__set_autoload(s->progs.io_page_fault, stock);
	bpf_program__set_autoload(s->progs.iommu_map, stock);
	bpf_program__set_autoload(s->progs.iommu_unmap, stock);
	bpf_program__set_autoload(s->progs.own_pasid_attach_enter, own_pasid);
	bpf_program__set_autoload(s->progs.own_pasid_attach_exit, own_pasid);
	bpf_program__set_autoload(s->progs.own_pasid_detach_enter, own_pasid);
	bpf_program__set_autoload(s->progs.own_pasid_detach_exit, own_pasid);
	bpf_program__set_autoload(s->progs.fentry_pasid_attach, fentry);
	bpf_program__set_autoload(s->progs.fexit_pasid_attach,
				  fentry && e->caps.pasid_attach_args == 4);
	bpf_program__set_autoload(s->progs.fexit_pasid_attach3,
				  fentry && e->caps.pasid_attach_args == 3);
	bpf_program__set_autoload(s->progs.fentry_pasid_detach, fentry);
	bpf_program__set_autoload(s->progs.fexit_pasid_detach, fentry);
	bpf_program__set_autoload(s->progs.own_sva_bind_enter, sva);
	bpf_program__set_autoload(s->progs.own_sva_bind_exit, sva);
	bpf_program__set_autoload(s->progs.own_sva_unbind_enter, sva);
	bpf_program__set_autoload(s->progs.own_sva_unbind_exit, sva);
	bpf_program__set_autoload(s->progs.own_hwpt_alloc, iommufd);
	bpf_program__set_autoload(s->progs.own_hwpt_invalidate_enter, iommufd);
	bpf_program__set_autoload(s->progs.own_hwpt_invalidate_exit, iommufd);
}

static int iommu_choices(struct vsva_engine *e, struct vsva_choice **c)
{
	c[0] = &e->iommu_stock;
	c[1] = &e->pasid;
	c[2] = &e->sva;
	c[3] = &e->iommufd;
	return 4;
}

static void iommu_choose(struct vsva_engine *e)
{
	vsva_choose_iommu(&e->caps, &e->iommu_stock);
	vsva_choose_pasid(&e->caps, e->o.force_pasid, &e->pasid);
	vsva_choose_sva(&e->caps, &e->sva);
	vsva_choose_iommufd(&e->caps, &e->iommufd);
}

static struct vsva_choice *iommu_owner(struct vsva_engine *e,
				       const char *prog)
{
	if (strstr(prog, "pasid"))
		return &e->pasid;
	if (strstr(prog, "sva"))
		return &e->sva;
	if (strstr(prog, "hwpt"))
		return &e->iommufd;
	if (strstr(prog, "domain") || strstr(prog, "fault") ||
	    strstr(prog, "map"))
		return &e->iommu_stock;
	return NULL;
}

static int iommu_load(struct vsva_engine *e)
{
	struct iommu_bpf *s;
	int rc;

	s = iommu_bpf__open();
	if (!s)
		return -errno;
	set_autoload(s, e);
	vsva_obj_prepare(s->obj, false);	/* BTF programs only */
	rc = e->vm_info_fd >= 0 ?
	     bpf_map__reuse_fd(s->maps.vm_info, e->vm_info_fd) : 0;
	if (!rc)
		rc = iommu_bpf__load(s);
	if (!rc)
		rc = iommu_bpf__attach(s);
	if (rc) {
		iommu_bpf__destroy(s);
		return rc;
	}
	e->iommu = s;
	if (e->vm_info_fd < 0)
		e->vm_info_fd = bpf_map__fd(s->maps.vm_info);
	return 0;
}

const struct vsva_obj vsva_iommu_obj = {
	.name = "iommu", .choices = iommu_choices, .choose = iommu_choose,
	.load = iommu_load, .owner = iommu_owner,
};

void iommu_close(struct vsva_engine *e)
{
	iommu_bpf__destroy(e->iommu);
	e->iommu = NULL;
}

int iommu_prog_fds(struct vsva_engine *e, int *fds, const char **names,
		   int max)
{
	return e->iommu ? vsva_prog_fds(e->iommu->obj, fds, names, max) : 0;
}

enum { F_ATTACH, F_FAULTS, F_MAP, F_MAPPED, F_UNMAP, F_UNMAPPED, F_HWPT,
       F_PASID_ATTACH, F_PASID_DETACH, F_SVA_BIND, F_SVA_UNBIND, F_INV,
       F_INV_ENTRIES, F_IOMMU_N };

static const struct {
	const char *name, *help;
	enum vsva_mtype type;
} fams[F_IOMMU_N] = {
	[F_ATTACH] = { "vsva_iommu_domain_attach_total",
		"Devices attached to an IOMMU domain.", VSVA_COUNTER },
	[F_FAULTS] = { "vsva_iommu_io_page_faults_total",
		"I/O page faults reported by IOMMU drivers.", VSVA_COUNTER },
	[F_MAP] = { "vsva_iommu_map_total",
		"IOMMU map calls, by the mapping task's VM (kernel/0: kernel "
		"threads).", VSVA_COUNTER },
	[F_MAPPED] = { "vsva_iommu_mapped_bytes_total",
		"Bytes mapped into IOMMU domains.", VSVA_COUNTER },
	[F_UNMAP] = { "vsva_iommu_unmap_total",
		"IOMMU unmap calls.", VSVA_COUNTER },
	[F_UNMAPPED] = { "vsva_iommu_unmapped_bytes_total",
		"Bytes unmapped from IOMMU domains.", VSVA_COUNTER },
	[F_HWPT] = { "vsva_iommufd_hwpt_alloc_total",
		"iommufd HW pagetable allocations, paging or nested, by "
		"result.", VSVA_COUNTER },
	[F_PASID_ATTACH] = { "vsva_iommu_pasid_attach_seconds",
		"Time to attach a domain to a device PASID.", VSVA_HISTOGRAM },
	[F_PASID_DETACH] = { "vsva_iommu_pasid_detach_seconds",
		"Time to detach a domain from a device PASID.", VSVA_HISTOGRAM },
	[F_SVA_BIND] = { "vsva_iommu_sva_bind_seconds",
		"Time to bind a process address space to a device (SVA).",
		VSVA_HISTOGRAM },
	[F_SVA_UNBIND] = { "vsva_iommu_sva_unbind_seconds",
		"Time to unbind an SVA bond.", VSVA_HISTOGRAM },
	[F_INV] = { "vsva_iommufd_hwpt_invalidate_seconds",
		"Time of a nested HWPT cache invalidation (IOMMU_HWPT_INVALIDATE"
		" in the driver).", VSVA_HISTOGRAM },
	[F_INV_ENTRIES] = { "vsva_iommufd_hwpt_invalidate_entries_total",
		"Invalidation entries the driver handled; divide by the "
		"histogram's _count for entries per call.", VSVA_COUNTER },
};

static const char *domain_type_name(__u32 t)
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

/* One count-map entry (a vsva_map_walk callback; @ctx: the families). */
static void add_cnt(struct vsva_engine *e, void *ctx, const void *key,
		    const void *val)
{
	static const char *const kind[] = { "paging", "nested" };
	const struct vsva_iommu_cnt_key *k = key;
	const struct vsva_iommu_cnt *v = val;
	struct vsva_family **f = ctx;
	char vm[VSVA_COMM_LEN + 16], dev[VSVA_DEV_NAME_LEN + 1];
	unsigned int h;

	snprintf(dev, sizeof(dev), "%s", k->dev);
	vsva_vm_label(e, k->tgid, vm, sizeof(vm));
	switch (k->kind) {
	case VSVA_IOMMU_DOMAIN_ATTACH:
	case VSVA_IOMMU_IO_PAGE_FAULT:
		vsva_family_add(f[k->kind == VSVA_IOMMU_DOMAIN_ATTACH ?
				  F_ATTACH : F_FAULTS], v->count,
				"device", dev, NULL);
		break;
	case VSVA_IOMMU_MAP:
	case VSVA_IOMMU_UNMAP:
		h = k->kind == VSVA_IOMMU_MAP;
		vsva_family_add(f[h ? F_MAP : F_UNMAP], v->count, "vm", vm,
				NULL);
		vsva_family_add(f[h ? F_MAPPED : F_UNMAPPED], v->bytes,
				"vm", vm, NULL);
		break;
	default:
		h = k->kind - VSVA_IOMMU_HWPT_PAGING;
		if (h > 3)
			break;
		vsva_family_add(f[F_HWPT], v->count, "vm", vm, "kind",
				kind[h & 1], "result", h < 2 ? "ok" : "error",
				NULL);
	}
}

/* One latency-map entry (a vsva_map_walk callback). */
static void add_lat(struct vsva_engine *e, void *ctx, const void *key,
		    const void *val)
{
	static const int fam[VSVA_IOMMU_OPS] = {
		F_PASID_ATTACH, F_PASID_DETACH, F_SVA_BIND, F_SVA_UNBIND, F_INV,
	};
	const struct vsva_iommu_lat_key *k = key;
	const struct vsva_iommu_lat *v = val;
	struct vsva_family **f = ctx;
	char vm[VSVA_COMM_LEN + 16], dev[VSVA_DEV_NAME_LEN + 1];
	const char *result = k->ok ? "ok" : "error";
	struct vsva_sample *m;

	if (k->op >= VSVA_IOMMU_OPS)
		return;
	snprintf(dev, sizeof(dev), "%s", k->dev);
	if (k->op == VSVA_IOMMU_HWPT_INVALIDATE) {
		vsva_vm_label(e, k->tgid, vm, sizeof(vm));
		m = vsva_family_add(f[F_INV], 0, "vm", vm, "result", result,
				    NULL);
		vsva_family_add(f[F_INV_ENTRIES], v->entries, "vm", vm,
				"result", result, NULL);
	} else {
		m = vsva_family_add(f[fam[k->op]], 0, "device", dev,
				    "domain_type",
				    domain_type_name(k->domain_type),
				    "result", result, NULL);
	}
	if (m && vsva_hist_set(m, (const uint64_t *)v->slots, VSVA_HIST_SLOTS,
			       IOMMU_HIST_KMIN, 1e-9, v->sum_ns * 1e-9))
		f[fam[k->op]]->incomplete = true;
}

void iommu_snapshot(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f[F_IOMMU_N];
	struct vsva_walk cw = {
		.ksz = sizeof(struct vsva_iommu_cnt_key),
		.vsz = sizeof(struct vsva_iommu_cnt), .percpu = true,
		.fn = add_cnt, .ctx = f,
	}, lw = {
		.ksz = sizeof(struct vsva_iommu_lat_key),
		.vsz = sizeof(struct vsva_iommu_lat), .percpu = true,
		.fn = add_lat, .ctx = f,
	};
	int i;

	for (i = 0; i < F_IOMMU_N; i++)
		f[i] = vsva_snap_family(s, fams[i].name, fams[i].help,
					fams[i].type);
	if (!e->iommu)
		return;
	cw.fd = bpf_map__fd(e->iommu->maps.iommu_cnt);
	lw.fd = bpf_map__fd(e->iommu->maps.iommu_lat);
	if (vsva_map_walk(e, &cw) || vsva_map_walk(e, &lw))
		f[0]->incomplete = true;
}

static const char *const drop_name[VSVA_IOMMU_DROPS] = {
	[VSVA_IOMMU_DROP_MAP_FULL] = "iommu_map_full",
	[VSVA_IOMMU_DROP_INFLIGHT_FULL] = "iommu_inflight_map_full",
	[VSVA_IOMMU_DROP_VMINFO_FULL] = "iommu_vm_info_map_full",
};

void iommu_drops(struct vsva_engine *e, struct vsva_family *f)
{
	__u64 total;
	__u32 r;

	for (r = 0; r < VSVA_IOMMU_DROPS; r++) {
		total = 0;
		if (e->iommu)
			vsva_sum_percpu(e, bpf_map__fd(e->iommu->maps.iommu_drops),
				   &r, &total, 1);
		vsva_family_add(f, total, "reason", drop_name[r], NULL);
	}
}

/* Retire the per-VM keys of VMs the GC retired. */
void iommu_forget(struct vsva_engine *e, const __u32 *tgids, int n)
{
	struct vsva_iommu_cnt_key ck, cnext, *cprev = NULL;
	struct vsva_iommu_lat_key lk, lnext, *lprev = NULL;
	int fd, i;

	if (!e->iommu || !n)
		return;
	fd = bpf_map__fd(e->iommu->maps.iommu_cnt);
	while (bpf_map_get_next_key(fd, cprev, &cnext) == 0) {
		ck = cnext;
		cprev = &ck;
		for (i = 0; i < n && !ck.dev[0]; i++) {
			if (ck.tgid != tgids[i])
				continue;
			bpf_map_delete_elem(fd, &ck);
			cprev = NULL;
			break;
		}
	}
	fd = bpf_map__fd(e->iommu->maps.iommu_lat);
	while (bpf_map_get_next_key(fd, lprev, &lnext) == 0) {
		lk = lnext;
		lprev = &lk;
		for (i = 0; i < n && !lk.dev[0]; i++) {
			if (lk.tgid != tgids[i])
				continue;
			bpf_map_delete_elem(fd, &lk);
			lprev = NULL;
			break;
		}
	}
}
