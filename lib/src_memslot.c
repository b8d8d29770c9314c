// SPDX-License-Identifier: GPL-2.0
/*
 * The memslot source (bpf/memslot.bpf.c): the kvm_memslot_zap and
 * kvm_mmu_pages measurements, per VM, and the VM table's own families.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"
#include "vsva/utf8.h"
#include "vsva_memslot.h"
#include "memslot.skel.h"

static const char *const mode_name[VSVA_ZAP_MODES] = {
	[VSVA_ZAP_ALL_FAST] = "all_fast",
	[VSVA_ZAP_MEMSLOT] = "memslot",
	[VSVA_ZAP_NONE] = "none",
};

static const char *const drop_name[VSVA_DROPS] = {
	[VSVA_DROP_INFLIGHT_FULL] = "inflight_map_full",
	[VSVA_DROP_VM_FULL] = "vm_stats_map_full",
	[VSVA_DROP_VMINFO_FULL] = "vm_capacity",	/* --max-vms */
	[VSVA_DROP_UNMATCHED_EXIT] = "unmatched_exit",
	[VSVA_DROP_VM_NOMEM] = "vm_stats_no_memory",
	[VSVA_DROP_USER_READ] = "ioctl_argument_unreadable",
	[VSVA_DROP_VMMS_FULL] = "vmms_map_full",
	[VSVA_DROP_KVMS_FULL] = "kvms_map_full",
	[VSVA_DROP_VMFDS_FULL] = "vmfds_map_full",
	[VSVA_DROP_CREATING_FULL] = "creating_map_full",
	[VSVA_DROP_VM_ID_TAKEN] = "vm_id_taken",
	[VSVA_DROP_ZAP_HIST_FULL] = "zap_hist_map_full",
};

/* The loaded object, and the in-flight deletions vsvad expired. */
struct memslot_state {
	struct memslot_bpf *s;
	__u64 expired;
};

static int memslot_open(struct vsva_ctx *c, void **state)
{
	struct memslot_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	st->s = memslot_bpf__open();
	if (!st->s) {
		rc = -errno;
		free(st);
		return rc;
	}
	st->s->rodata->tp_off = c->f->tp_off;
	rc = vsva_obj_start(st->s->skeleton, c, VSVA_SRC_MEMSLOT);
	if (rc) {
		memslot_bpf__destroy(st->s);
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* The memslot measurement's metric families, in exposition order. */
enum { F_ZAPS, F_SECS, F_ERRORS, F_ZAPPED, F_CREATED, F_REBUILT, F_VM_INFO,
       F_MEMSLOT_N };

/* Their definitions are the measurement table's (lib/table.c). */
static const char *const memslot_fams[F_MEMSLOT_N] = {
	[F_ZAPS] = "vsva_kvm_memslot_zap_total",
	[F_SECS] = "vsva_kvm_memslot_zap_seconds",
	[F_ERRORS] = "vsva_kvm_memslot_delete_errors_total",
	[F_ZAPPED] = "vsva_kvm_mmu_shadow_pages_zapped_total",
	[F_CREATED] = "vsva_kvm_mmu_pages_created_total",
	[F_REBUILT] = "vsva_kvm_mmu_pages_rebuilt_total",
	[F_VM_INFO] = "vsva_kvm_vm_info",
};

static void add_families(struct vsva_snapshot *s, struct vsva_family **f)
{
	int i;

	for (i = 0; i < F_MEMSLOT_N; i++)
		f[i] = vsva_snap_def(s, memslot_fams[i]);
}

static void add_vm_info(struct vsva_ctx *c, struct vsva_family **f, __u32 id,
			const struct vsva_vm_info *info)
{
	char vm[VSVA_VM_LABEL_LEN], pid[16], comm[VSVA_UTF8_CLEAN_SIZE(VSVA_COMM_LEN - 1)];

	vsva_vm_label(c, id, vm, sizeof(vm));
	snprintf(pid, sizeof(pid), "%u", info->tgid);
	vsva_utf8_clean(comm, sizeof(comm), info->comm, VSVA_COMM_LEN);
	vsva_family_add(f[F_VM_INFO], 1, "vm", vm, "pid", pid, "comm",
			comm, "state", info->exit_ns ? "exited" : "running",
			NULL);
}

/* A VM's counters: only for the zap modes it used (a VM that never
 * had a deletion in a mode has no series for it). */
static void add_vm(struct vsva_ctx *c, struct vsva_family **f,
		   const char *vm, const struct vsva_memslot_stats *st)
{
	int i;

	for (i = 0; i < VSVA_ZAP_MODES; i++) {
		if (st->shadow_zapped[i])
			vsva_family_add(f[F_ZAPPED], st->shadow_zapped[i], "vm",
					vm, "mode", mode_name[i], NULL);
		if (i == VSVA_ZAP_NONE || !st->zaps[i])
			continue;
		vsva_family_add(f[F_ZAPS], st->zaps[i], "vm", vm, "mode",
				mode_name[i], NULL);
		vsva_family_add(f[F_REBUILT], st->pages_rebuilt[i], "vm", vm,
				"mode", mode_name[i], NULL);
	}
	/* only the syscall rung sees a deletion fail */
	if (vsva_rung_of(c, VSVA_M_MEMSLOT) == VSVA_RUNG_SYSCALL_TP)
		vsva_family_add(f[F_ERRORS], st->delete_errors, "vm", vm,
				NULL);
	vsva_family_add(f[F_CREATED], st->pages_created, "vm", vm, NULL);
}

/* The label of VM @id; false for a VM being retired right now (its
 * entries may outlive its info for a moment). */
static bool vm_label(struct vsva_ctx *c, __u32 id, char *vm, size_t len)
{

	if (vsva_vm_is_vm(id) && !vsva_vm_known(c, id))
		return false;
	vsva_vm_label(c, id, vm, len);
	return true;
}

static void vm_stats_add(struct vsva_ctx *c, void *arg, const void *key,
			 const void *val)
{
	char vm[VSVA_VM_LABEL_LEN];

	if (vm_label(c, *(const __u32 *)key, vm, sizeof(vm)))
		add_vm(c, arg, vm, val);
}

/* One VM's deletion times in one mode (a zap_hist entry). */
static void zap_hist_add(struct vsva_ctx *c, void *arg, const void *key,
			 const void *val)
{
	const struct vsva_zap_hist_key *k = key;
	const struct vsva_zap_hist *h = val;
	struct vsva_family **f = arg;
	char vm[VSVA_VM_LABEL_LEN];
	struct vsva_sample *m;

	if (k->mode >= VSVA_ZAP_MODES || !vm_label(c, k->vm, vm, sizeof(vm)))
		return;
	m = vsva_family_add(f[F_SECS], 0, "vm", vm, "mode",
			    mode_name[k->mode], NULL);
	if (m && vsva_hist_set_def(m, vsva_family_def(memslot_fams[F_SECS]),
				   (const uint64_t *)h->slots, VSVA_HIST_SLOTS,
				   h->ns_sum))
		f[F_SECS]->incomplete = true;
}

static void count_entry(struct vsva_ctx *c, void *arg, const void *key,
			const void *val)
{
	(*(int *)arg)++;
}

/* kvm_vm_lifecycle: how many processes are known VMMs now. */
static void known_vmms(struct vsva_ctx *c, struct vsva_snapshot *s)
{
	struct vsva_family *f = vsva_snap_def(s, "vsva_kvm_vmms_known");
	int n = 0;
	struct vsva_walk w = {
		.fd = c->vmms_fd, .ksz = sizeof(__u32),
		.vsz = sizeof(struct vsva_vmm), .fn = count_entry, .arg = &n,
	};

	if (!c->choice[VSVA_M_VM_LIFECYCLE].rung)
		return;
	if (vsva_map_walk(c, &w))
		f->incomplete = true;
	else
		vsva_family_add(f, n, NULL);
}

static void memslot_snapshot(void *state, struct vsva_ctx *c,
			     struct vsva_snapshot *s)
{
	struct memslot_state *st = state;
	struct vsva_family *f[F_MEMSLOT_N];
	struct vsva_walk w = {
		.ksz = sizeof(__u32), .vsz = sizeof(struct vsva_memslot_stats),
		.fn = vm_stats_add, .arg = f,
	}, hw = {
		.ksz = sizeof(struct vsva_zap_hist_key),
		.vsz = sizeof(struct vsva_zap_hist), .fn = zap_hist_add,
		.arg = f,
	};
	int retained = 0, i;

	add_families(s, f);
	for (i = 0; i < c->nvms; i++) {
		retained += c->vms[i].info.exit_ns != 0;
		add_vm_info(c, f, c->vms[i].id, &c->vms[i].info);
	}
	if (st) {
		w.fd = bpf_map__fd(st->s->maps.vm_stats);
		if (vsva_map_walk(c, &w))
			f[F_ZAPS]->incomplete = true;
		hw.fd = bpf_map__fd(st->s->maps.zap_hist);
		if (vsva_map_walk(c, &hw))
			f[F_SECS]->incomplete = true;
	}
	vsva_family_add(vsva_snap_def(s, "vsva_vms_retained"), retained, NULL);
	known_vmms(c, s);
}

static void memslot_drops(void *state, struct vsva_ctx *c,
			  struct vsva_family *f)
{
	/* VMs vsvad found at start that --max-vms left out */
	__u64 extra[VSVA_DROPS] = { [VSVA_DROP_VMINFO_FULL] = c->capacity_drops };
	struct memslot_state *st = state;

	vsva_drops_add(c, st ? bpf_map__fd(st->s->maps.drops) : -1, drop_name,
		       VSVA_DROPS, extra, f);
	vsva_family_add(f, st ? st->expired : 0, "reason", "inflight_expired",
			NULL);
}

static void memslot_forget(void *state, struct vsva_ctx *c,
			   const __u32 *ids, int n)
{
	struct memslot_state *st = state;
	struct vsva_zap_hist_key k;
	int i;

	for (i = 0; st && i < n; i++) {
		bpf_map_delete_elem(bpf_map__fd(st->s->maps.vm_stats),
				    &ids[i]);
		k.vm = ids[i];
		for (k.mode = 0; k.mode < VSVA_ZAP_MODES; k.mode++)
			bpf_map_delete_elem(bpf_map__fd(st->s->maps.zap_hist),
					    &k);
	}
}

/* Expire @m's stale entries and take them off its in-flight count. */
static int expire_map(struct bpf_map *m, __u64 *count)
{
	int n = vsva_map_expire(bpf_map__fd(m), bpf_map__key_size(m),
				bpf_map__value_size(m),
				vsva_inflight_max_age_ns());

	if (n)
		__atomic_fetch_sub(count, n, __ATOMIC_SEQ_CST);
	return n;
}

/* A deletion (or a VM creation) whose exit never came (its thread died in between, or vsvad
 * attached in between): drop it, and let the exit hooks skip lookups
 * again once nothing is in flight. */
static void memslot_expire(void *state, struct vsva_ctx *c)
{
	struct memslot_state *st = state;

	st->expired += expire_map(st->s->maps.inflight,
				  &st->s->bss->inflight_n);
	st->expired += expire_map(st->s->maps.creating,
				  &st->s->bss->creating_n);
}

static void memslot_close(void *state, struct vsva_ctx *c)
{
	struct memslot_state *st = state;

	memslot_bpf__destroy(st->s);
	free(st);
}

static struct bpf_object *memslot_object(void *state)
{
	return state ? ((struct memslot_state *)state)->s->obj : NULL;
}

const struct vsva_source vsva_src_memslot = {
	.open = memslot_open, .snapshot = memslot_snapshot,
	.drops = memslot_drops, .forget = memslot_forget,
	.expire = memslot_expire,
	.close = memslot_close, .object = memslot_object,
	.elf = memslot_bpf__elf_bytes,
};
