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

/* Before load: the classic tracepoints' record layout. */
static int memslot_config(void *skel, struct vsva_ctx *c)
{
	struct memslot_bpf *s = skel;

	s->rodata->tp_off = c->f->tp_off;
	return 0;
}

VSVA_SKEL(memslot, memslot_config);

static int memslot_open(struct vsva_ctx *c, void **state)
{
	struct memslot_state *st = calloc(1, sizeof(*st));
	int rc = -ENOMEM;

	if (st)
		st->s = vsva_skel_open(&memslot_skel, c, VSVA_SRC_MEMSLOT, &rc);
	if (!st || !st->s) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void add_vm_info(struct vsva_ctx *c, struct vsva_family **f, __u32 id,
			const struct vsva_vm_info *info)
{
	char comm[VSVA_UTF8_CLEAN_SIZE(VSVA_COMM_LEN - 1)];
	char vm[VSVA_VM_LABEL_LEN], pid[16];

	vsva_vm_label(c, id, vm, sizeof(vm));
	snprintf(pid, sizeof(pid), "%u", info->tgid);
	vsva_utf8_clean(comm, sizeof(comm), info->comm, VSVA_COMM_LEN);
	vsva_family_add(f[VSVA_FAM_kvm_vm_info], 1, "vm", vm, "pid", pid,
			"comm", comm, "state",
			info->exit_ns ? "exited" : "running", NULL);
}

/* A VM's counters: only for the zap modes it used (a VM that never
 * had a deletion in a mode has no series for it). */
static void add_vm(struct vsva_ctx *c, struct vsva_family **f,
		   const char *vm, const struct vsva_memslot_stats *st)
{
	const char *mode;
	int i;

	for (i = 0; i < VSVA_ZAP_MODES; i++) {
		mode = mode_name[i];
		if (st->shadow_zapped[i])
			vsva_family_add(
				f[VSVA_FAM_kvm_mmu_shadow_pages_zapped_total],
				st->shadow_zapped[i], "vm", vm, "mode", mode,
				NULL);
		if (i == VSVA_ZAP_NONE || !st->zaps[i])
			continue;
		vsva_family_add(f[VSVA_FAM_kvm_memslot_zap_total],
				st->zaps[i], "vm", vm, "mode", mode, NULL);
		vsva_family_add(f[VSVA_FAM_kvm_mmu_pages_rebuilt_total],
				st->pages_rebuilt[i], "vm", vm, "mode", mode,
				NULL);
	}
	/* only the syscall rung sees a deletion fail */
	if (vsva_rung_of(c, VSVA_M_MEMSLOT) == VSVA_RUNG_SYSCALL_TP)
		vsva_family_add(f[VSVA_FAM_kvm_memslot_delete_errors_total],
				st->delete_errors, "vm", vm, NULL);
	vsva_family_add(f[VSVA_FAM_kvm_mmu_pages_created_total],
			st->pages_created, "vm", vm, NULL);
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
	struct vsva_family **f = arg, *secs;
	char vm[VSVA_VM_LABEL_LEN];
	struct vsva_sample *m;

	if (k->mode >= VSVA_ZAP_MODES || !vm_label(c, k->vm, vm, sizeof(vm)))
		return;
	secs = f[VSVA_FAM_kvm_memslot_zap_seconds];
	m = vsva_family_add(secs, 0, "vm", vm, "mode", mode_name[k->mode],
			    NULL);
	if (m && vsva_hist_set_def(m, VSVA_FAM_kvm_memslot_zap_seconds,
				   (const uint64_t *)h->slots, VSVA_HIST_SLOTS,
				   h->ns_sum))
		secs->incomplete = true;
}

static void count_entry(struct vsva_ctx *c, void *arg, const void *key,
			const void *val)
{
	(*(int *)arg)++;
}

/* kvm_vm_lifecycle: how many processes are known VMMs now. */
static void known_vmms(struct vsva_ctx *c, struct vsva_family *f)
{
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
	struct vsva_family *f[VSVA_NFAMILIES];
	struct vsva_walk w = {
		.ksz = sizeof(__u32), .vsz = sizeof(struct vsva_memslot_stats),
		.fn = vm_stats_add, .arg = f,
	}, hw = {
		.ksz = sizeof(struct vsva_zap_hist_key),
		.vsz = sizeof(struct vsva_zap_hist), .fn = zap_hist_add,
		.arg = f,
	};
	int retained = 0, i;

	vsva_snap_source(s, VSVA_SRC_MEMSLOT, f);
	for (i = 0; i < c->nvms; i++) {
		retained += c->vms[i].info.exit_ns != 0;
		add_vm_info(c, f, c->vms[i].id, &c->vms[i].info);
	}
	if (st) {
		w.fd = bpf_map__fd(st->s->maps.vm_stats);
		if (vsva_map_walk(c, &w))
			f[VSVA_FAM_kvm_memslot_zap_total]->incomplete = true;
		hw.fd = bpf_map__fd(st->s->maps.zap_hist);
		if (vsva_map_walk(c, &hw))
			f[VSVA_FAM_kvm_memslot_zap_seconds]->incomplete = true;
	}
	vsva_family_add(f[VSVA_FAM_vms_retained], retained, NULL);
	known_vmms(c, f[VSVA_FAM_kvm_vmms_known]);
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
