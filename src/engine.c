// SPDX-License-Identifier: GPL-2.0
/*
 * The engine: detect the kernel, choose a rung per measurement, load and
 * attach the BPF programs that won, and turn their maps into snapshots.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "engine_priv.h"
#include "vsva_memslot.h"
#include "memslot.skel.h"

#define HIST_KMIN	10	/* first bucket: 2^10 ns ~ 1 us */

static const char *const mode_name[VSVA_ZAP_MODES] = {
	[VSVA_ZAP_ALL_FAST] = "all_fast",
	[VSVA_ZAP_MEMSLOT] = "memslot",
	[VSVA_ZAP_NONE] = "none",
};

static const char *const drop_name[VSVA_DROPS] = {
	[VSVA_DROP_INFLIGHT_FULL] = "inflight_map_full",
	[VSVA_DROP_VM_FULL] = "vm_stats_map_full",
	[VSVA_DROP_VMINFO_FULL] = "vm_info_map_full",
	[VSVA_DROP_UNMATCHED_EXIT] = "unmatched_exit",
};

uint64_t vsva_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt,
			va_list ap)
{
	if (lvl == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void set_autoload(struct memslot_bpf *s, enum vsva_rung memslot,
			 enum vsva_rung kvmmmu)
{
	bool btf = kvmmmu == VSVA_RUNG_STOCK_TP;
	bool classic = kvmmmu == VSVA_RUNG_CLASSIC_TP;

	bpf_program__set_autoload(s->progs.own_flush_enter,
				  memslot == VSVA_RUNG_OWN_TP);
	bpf_program__set_autoload(s->progs.own_flush_exit,
				  memslot == VSVA_RUNG_OWN_TP);
	bpf_program__set_autoload(s->progs.fentry_flush_memslot,
				  memslot == VSVA_RUNG_FENTRY);
	bpf_program__set_autoload(s->progs.fexit_flush_memslot,
				  memslot == VSVA_RUNG_FENTRY);
	bpf_program__set_autoload(s->progs.kprobe_flush_memslot,
				  memslot == VSVA_RUNG_KPROBE);
	bpf_program__set_autoload(s->progs.kretprobe_flush_memslot,
				  memslot == VSVA_RUNG_KPROBE);
	bpf_program__set_autoload(s->progs.sys_enter_ioctl,
				  memslot == VSVA_RUNG_SYSCALL_TP);
	bpf_program__set_autoload(s->progs.sys_exit_ioctl,
				  memslot == VSVA_RUNG_SYSCALL_TP);
	bpf_program__set_autoload(s->progs.kvm_mmu_zap_all_fast, btf);
	bpf_program__set_autoload(s->progs.kvm_mmu_prepare_zap_page, btf);
	bpf_program__set_autoload(s->progs.kvm_mmu_get_page, btf);
	bpf_program__set_autoload(s->progs.tp_kvm_mmu_zap_all_fast, classic);
	bpf_program__set_autoload(s->progs.tp_kvm_mmu_prepare_zap_page,
				  classic);
	bpf_program__set_autoload(s->progs.tp_kvm_mmu_get_page, classic);
}

static int memslot_choices(struct vsva_engine *e, struct vsva_choice **c)
{
	c[0] = &e->memslot;
	c[1] = &e->kvmmmu;
	return 2;
}

static void memslot_choose(struct vsva_engine *e)
{
	if (e->o.force_memslot)
		vsva_choose_memslot_forced(&e->caps, e->o.force_memslot,
					   &e->memslot);
	else
		vsva_choose_memslot(&e->caps, &e->memslot);
	vsva_choose_kvmmmu(&e->caps, &e->kvmmmu);
	/* fentry and syscall rungs take the zap mode from the kvmmmu
	 * programs: without them the mode is unknown */
	if (e->memslot.rung >= VSVA_RUNG_FENTRY && !e->kvmmmu.rung) {
		snprintf(e->memslot.reason, sizeof(e->memslot.reason),
			 "the zap mode comes from the kvmmmu tracepoints, and "
			 "they are unavailable: %.280s", e->kvmmmu.reason);
		e->memslot.rung = VSVA_RUNG_NONE;
		e->memslot.approximate = false;
	}
}

static struct vsva_choice *memslot_owner(struct vsva_engine *e,
					 const char *prog)
{
	if (strstr(prog, "kvm_mmu_"))
		return &e->kvmmmu;
	if (strstr(prog, "flush") || strstr(prog, "ioctl"))
		return &e->memslot;
	return NULL;	/* sched_process_exit: the VMs' lifetimes */
}

static int memslot_load(struct vsva_engine *e)
{
	struct memslot_bpf *s;
	int rc;

	s = memslot_bpf__open();
	if (!s)
		return -errno;
	set_autoload(s, e->memslot.rung, e->kvmmmu.rung);
	s->rodata->tp_off = e->caps.tp_off;
	vsva_obj_prepare(s->obj, e->caps.prealloc &&
			 (e->memslot.rung == VSVA_RUNG_SYSCALL_TP ||
			  e->memslot.rung == VSVA_RUNG_KPROBE ||
			  e->kvmmmu.rung == VSVA_RUNG_CLASSIC_TP));
	rc = memslot_bpf__load(s);
	if (!rc)
		rc = memslot_bpf__attach(s);
	if (rc) {
		memslot_bpf__destroy(s);
		return rc;
	}
	e->skel = s;
	e->vm_info_fd = bpf_map__fd(s->maps.vm_info);
	return 0;
}

const struct vsva_obj vsva_memslot_obj = {
	.name = "memslot", .choices = memslot_choices,
	.choose = memslot_choose, .load = memslot_load,
	.owner = memslot_owner,
};

int vsva_prog_fds(struct bpf_object *obj, int *fds, const char **names,
		  int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, obj) {
		if (n == max || bpf_program__fd(p) < 0)
			continue;
		fds[n] = bpf_program__fd(p);
		names[n++] = bpf_program__name(p);
	}
	return n;
}

int vsva_engine_open(struct vsva_engine **out,
		     const struct vsva_engine_opts *o, char *err, size_t len)
{
	static const struct vsva_obj *const objs[] = {
		&vsva_memslot_obj, &vsva_irq_obj, &vsva_iommu_obj,
	};
	struct vsva_engine *e = calloc(1, sizeof(*e));
	int i;

	if (!e) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	e->o = *o;
	e->vm_info_fd = -1;
	if (!o->verbose)
		libbpf_set_print(libbpf_quiet);
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		snprintf(err, len, "cannot count possible CPUs");
		goto free_engine;
	}
	e->percpu = calloc(e->ncpus, sizeof(struct vsva_memslot_stats));
	e->vms = calloc(VSVA_MAX_VMS, sizeof(*e->vms));
	if (!e->percpu || !e->vms) {
		snprintf(err, len, "out of memory");
		goto free_percpu;
	}
	vsva_kcaps_detect(&e->caps, !o->no_mount_tracefs);
	vsva_choose_posted(&e->caps, &e->posted);
	/* memslot first: its vm_info becomes the one the others share */
	for (i = 0; i < 3; i++) {
		objs[i]->choose(e);
		vsva_obj_load(e, objs[i]);
	}
	*out = e;
	return 0;
free_percpu:
	free(e->percpu);
free_engine:
	free(e->vms);
	free(e);
	return -1;
}

void vsva_engine_close(struct vsva_engine *e)
{
	if (!e)
		return;
	vsva_pi_reader_stop(e->pi_reader);
	iommu_close(e);
	irq_close(e);
	memslot_bpf__destroy(e->skel);
	free(e->percpu);
	free(e->vms);
	free(e);
}

int vsva_engine_choices(struct vsva_engine *e, const char **names,
			const struct vsva_choice **choices, int max)
{
	static const char *const all[] = {
		"kvm_memslot_zap", "kvm_mmu_pages", "kvm_irq_injection",
		"kvm_irq_bypass", "irq_bypass_connect", "posted_interrupts",
		"iommu", "iommu_pasid", "iommu_sva", "iommufd_nested",
	};
	const struct vsva_choice *c[] = {
		&e->memslot, &e->kvmmmu, &e->irq_inj, &e->irq_bypass,
		&e->bypass_connect, &e->posted, &e->iommu_stock, &e->pasid,
		&e->sva, &e->iommufd,
	};
	int i, n = max < 10 ? max : 10;

	for (i = 0; i < n; i++) {
		names[i] = all[i];
		choices[i] = c[i];
	}
	return n;
}

int vsva_engine_prog_fds(struct vsva_engine *e, int *fds, const char **names,
			 int max)
{
	int n = e->skel ? vsva_prog_fds(e->skel->obj, fds, names, max) : 0;

	n += irq_prog_fds(e, fds + n, names + n, max - n);
	return n + iommu_prog_fds(e, fds + n, names + n, max - n);
}

/* Sum one VM's per-CPU stats into @sum. */
int vsva_sum_percpu(struct vsva_engine *e, int fd, const void *key,
		    __u64 *sum, size_t words)
{
	const __u64 *v = e->percpu;
	size_t i;
	int cpu;

	memset(sum, 0, words * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, key, e->percpu))
		return -1;
	for (cpu = 0; cpu < e->ncpus; cpu++)
		for (i = 0; i < words; i++)
			sum[i] += v[cpu * words + i];
	return 0;
}

/* The memslot measurement's metric families, in exposition order. */
enum { F_ZAPS, F_SECS, F_ERRORS, F_ZAPPED, F_CREATED, F_REBUILT, F_VM_INFO,
       F_MEMSLOT_N };

static const struct {
	const char *name, *help;
	enum vsva_mtype type;
} memslot_fams[F_MEMSLOT_N] = {
	[F_ZAPS] = { "vsva_kvm_memslot_zap_total",
		"KVM memslot deletions (and moves) that flushed the MMU, by "
		"mode: all_fast (whole MMU invalidated) or memslot (only the "
		"slot zapped).", VSVA_COUNTER },
	[F_SECS] = { "vsva_kvm_memslot_zap_seconds",
		"Time to delete a KVM memslot, by zap mode (see vsva_probe_info "
		"for what is timed).", VSVA_HISTOGRAM },
	[F_ERRORS] = { "vsva_kvm_memslot_delete_errors_total",
		"Memslot deletions that the kernel refused (syscall rung "
		"only).", VSVA_COUNTER },
	[F_ZAPPED] = { "vsva_kvm_mmu_shadow_pages_zapped_total",
		"Shadow MMU pages zapped, by the memslot deletion mode that "
		"zapped them; mode=\"none\" outside deletions.", VSVA_COUNTER },
	[F_CREATED] = { "vsva_kvm_mmu_pages_created_total",
		"Shadow MMU pages created (kvm_mmu_get_page).", VSVA_COUNTER },
	[F_REBUILT] = { "vsva_kvm_mmu_pages_rebuilt_total",
		"Shadow MMU pages created after a memslot deletion, by the "
		"mode of the latest deletion: the rebuild cost.", VSVA_COUNTER },
	[F_VM_INFO] = { "vsva_kvm_vm_info",
		"VMs (VMM processes) seen by vsva; state=exited ones are kept "
		"for the retention window.", VSVA_GAUGE },
};

static void add_families(struct vsva_snapshot *s, struct vsva_family **f)
{
	int i;

	for (i = 0; i < F_MEMSLOT_N; i++)
		f[i] = vsva_snap_family(s, memslot_fams[i].name,
					memslot_fams[i].help,
					memslot_fams[i].type);
}

static int vm_cmp(const void *a, const void *b)
{
	__u32 x = ((const struct vsva_vm_entry *)a)->tgid;
	__u32 y = ((const struct vsva_vm_entry *)b)->tgid;

	return x < y ? -1 : x > y;
}

static void vm_cache_add(struct vsva_engine *e, void *ctx, const void *key,
			 const void *val)
{
	struct vsva_vm_entry *v;

	if (e->nvms == VSVA_MAX_VMS) {
		*(bool *)ctx = true;	/* cannot happen: same bound */
		return;
	}
	v = &e->vms[e->nvms++];
	v->tgid = *(const __u32 *)key;
	v->info = *(const struct vsva_vm_info *)val;
	v->info.comm[VSVA_COMM_LEN - 1] = 0;
}

/* Copy vm_info once per snapshot; labels then cost no bpf() call. */
static int vm_cache_fill(struct vsva_engine *e)
{
	bool lost = false;
	struct vsva_walk w = {
		.fd = e->vm_info_fd, .ksz = sizeof(__u32),
		.vsz = sizeof(struct vsva_vm_info), .fn = vm_cache_add,
		.ctx = &lost,
	};

	e->nvms = 0;
	e->vms_cached = false;
	if (e->vm_info_fd < 0)
		return 0;
	if (vsva_map_walk(e, &w) || lost)
		return -1;
	qsort(e->vms, e->nvms, sizeof(*e->vms), vm_cmp);
	e->vms_cached = true;
	return 0;
}

bool vsva_vm_get(struct vsva_engine *e, __u32 tgid, struct vsva_vm_info *info)
{
	struct vsva_vm_entry key = { .tgid = tgid }, *v;

	if (!e->vms_cached)
		return e->vm_info_fd >= 0 &&
		       !bpf_map_lookup_elem(e->vm_info_fd, &tgid, info);
	v = bsearch(&key, e->vms, e->nvms, sizeof(*e->vms), vm_cmp);
	if (v)
		*info = v->info;
	return v;
}

void vsva_vm_label(struct vsva_engine *e, __u32 tgid, char *buf, size_t len)
{
	struct vsva_vm_info info;

	if (!tgid) {
		snprintf(buf, len, "kernel/0");
		return;
	}
	if (!vsva_vm_get(e, tgid, &info))
		info.comm[0] = 0;
	info.comm[VSVA_COMM_LEN - 1] = 0;
	snprintf(buf, len, "%s/%u", info.comm[0] ? info.comm : "?", tgid);
}

static void add_vm_info(struct vsva_family **f, __u32 tgid,
			const struct vsva_vm_info *info)
{
	char vm[VSVA_COMM_LEN + 16], pid[16];

	snprintf(vm, sizeof(vm), "%s/%u", info->comm, tgid);
	snprintf(pid, sizeof(pid), "%u", tgid);
	vsva_family_add(f[F_VM_INFO], 1, "vm", vm, "pid", pid, "comm",
			info->comm, "state", info->exit_ns ? "exited" : "running",
			NULL);
}

static void add_vm(struct vsva_family **f, __u32 tgid,
		   const struct vsva_vm_info *info,
		   const struct vsva_memslot_stats *st)
{
	char vm[VSVA_COMM_LEN + 16];
	struct vsva_sample *m;
	int i;

	snprintf(vm, sizeof(vm), "%s/%u", info->comm, tgid);
	for (i = 0; i < VSVA_ZAP_MODES; i++) {
		vsva_family_add(f[F_ZAPPED], st->shadow_zapped[i], "vm", vm,
				"mode", mode_name[i], NULL);
		if (i == VSVA_ZAP_NONE)
			continue;
		vsva_family_add(f[F_ZAPS], st->zaps[i], "vm", vm, "mode",
				mode_name[i], NULL);
		m = vsva_family_add(f[F_SECS], 0, "vm", vm, "mode",
				    mode_name[i], NULL);
		if (m && vsva_hist_set(m, (const uint64_t *)st->zap_slots[i],
				       VSVA_HIST_SLOTS, HIST_KMIN, 1e-9,
				       st->zap_ns_sum[i] * 1e-9))
			f[F_SECS]->incomplete = true;
		vsva_family_add(f[F_REBUILT], st->pages_rebuilt[i], "vm", vm,
				"mode", mode_name[i], NULL);
	}
	vsva_family_add(f[F_ERRORS], st->delete_errors, "vm", vm, NULL);
	vsva_family_add(f[F_CREATED], st->pages_created, "vm", vm, NULL);
}

static void vm_stats_add(struct vsva_engine *e, void *ctx, const void *key,
			 const void *val)
{
	__u32 tgid = *(const __u32 *)key;
	struct vsva_vm_info info;

	/* stats of a VM without info: being retired right now */
	if (vsva_vm_get(e, tgid, &info))
		add_vm(ctx, tgid, &info, val);
}

static void snap_vms(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f[F_MEMSLOT_N];
	struct vsva_walk w = {
		.ksz = sizeof(__u32), .vsz = sizeof(struct vsva_memslot_stats),
		.percpu = true, .fn = vm_stats_add, .ctx = f,
	};
	int retained = 0, i;

	add_families(s, f);
	for (i = 0; i < e->nvms; i++) {
		retained += e->vms[i].info.exit_ns != 0;
		add_vm_info(f, e->vms[i].tgid, &e->vms[i].info);
	}
	if (e->skel) {
		w.fd = bpf_map__fd(e->skel->maps.vm_stats);
		if (vsva_map_walk(e, &w))
			f[F_ZAPS]->incomplete = true;
	}
	vsva_family_add(vsva_snap_family(s, "vsva_vms_retained",
			"VMs whose VMM exited, kept visible until the retention "
			"window (--retention) ends.", VSVA_GAUGE), retained, NULL);
}

static void snap_drops(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f;
	__u64 total;
	__u32 r;

	f = vsva_snap_family(s, "vsva_events_dropped_total",
		"Events the BPF programs could not record, by reason.",
		VSVA_COUNTER);
	for (r = 0; r < VSVA_DROPS; r++) {
		total = 0;
		if (e->skel)
			vsva_sum_percpu(e, bpf_map__fd(e->skel->maps.drops), &r,
					&total, 1);
		vsva_family_add(f, total, "reason", drop_name[r], NULL);
	}
	irq_drops(e, f);
	iommu_drops(e, f);
}

static void snap_probes(struct vsva_engine *e, struct vsva_snapshot *s)
{
	const struct vsva_choice *c[16];
	const char *names[16];
	struct vsva_family *f;
	int i, n;

	f = vsva_snap_family(s, "vsva_probe_info",
		"The probe rung each measurement uses (none: unavailable, "
		"reason says why).", VSVA_GAUGE);
	n = vsva_engine_choices(e, names, c, 16);
	for (i = 0; i < n; i++)
		vsva_family_add(f, 1, "measurement", names[i], "rung",
				vsva_rung_name(c[i]->rung), "approximate",
				c[i]->approximate ? "true" : "false",
				"reason", c[i]->reason, NULL);
}

int vsva_engine_snapshot(struct vsva_engine *e, struct vsva_snapshot *s)
{
	posted_kick(e);
	if (vm_cache_fill(e))
		s->oom = true;	/* the VM list could not be read whole */
	snap_probes(e, s);
	snap_vms(e, s);
	irq_snapshot(e, s);
	iommu_snapshot(e, s);
	snap_drops(e, s);
	posted_snapshot(e, s);	/* last: its read ran beside the others */
	e->vms_cached = false;
	return vsva_snap_incomplete(s) ? -1 : 0;
}

/* Decide whether VM @tgid is due for retirement; mark missed exits. */
static bool vm_expired(struct vsva_engine *e, int fd, __u32 tgid,
		       struct vsva_vm_info *info, uint64_t now)
{
	if (!info->exit_ns) {
		if (kill(tgid, 0) == 0 || errno != ESRCH)
			return false;
		info->exit_ns = now;	/* its exit event was missed */
		bpf_map_update_elem(fd, &tgid, info, BPF_EXIST);
		return false;
	}
	return now - info->exit_ns >= e->o.retention_s * 1000000000ULL;
}

void vsva_engine_gc(struct vsva_engine *e)
{
	__u32 key, next, *prev = NULL, doomed[VSVA_MAX_VMS];
	struct vsva_vm_info info;
	uint64_t now = vsva_mono_ns();
	int fd, n = 0, i;

	fd = e->vm_info_fd;
	if (fd < 0)
		return;
	while (n < VSVA_MAX_VMS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &info) &&
		    vm_expired(e, fd, key, &info, now))
			doomed[n++] = key;
	}
	for (i = 0; i < n; i++) {
		if (e->skel)
			bpf_map_delete_elem(bpf_map__fd(e->skel->maps.vm_stats),
					    &doomed[i]);
		bpf_map_delete_elem(fd, &doomed[i]);
	}
	irq_forget(e, doomed, n);
	iommu_forget(e, doomed, n);
}
