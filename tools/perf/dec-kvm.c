// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf's decoders of KVM's memory work: kvm_memslot_zap (each
 * deletion timed, by zap mode, with the MMU pages the guest rebuilt after
 * it), kvm_mmu_pages, and kvm_vm_lifecycle (who creates VMs is a VMM).
 */
#include "perf-dec.h"

#define KVM_CREATE_VM			0xae01
#define KVM_SET_USER_MEMORY_REGION	0x4020ae46
#define KVM_SET_USER_MEMORY_REGION2	0x40a0ae49
#define REBUILD_GAP_NS			100000000ULL	/* a quiet 100 ms */

/* kvm_memslot_zap */
enum { K_ALL_FAST, K_MEMSLOT, K_NO_ZAP };
enum { C_DELETE };

static void rebuild_close(struct report *r, struct vm *v)
{
	if (v->rebuild_op >= 0 && v->last_page)
		r->ops[v->rebuild_op].rebuild_ns =
			v->last_page - r->ops[v->rebuild_op].end;
	v->rebuild_op = -1;
}

/* A deletion ends: @key, or -1 to tell it by what it zapped. */
static void delete_end(struct report *r, struct sample *s, int key, bool ok)
{
	struct pending *p = op_open(r, s, C_DELETE);
	struct vm *v = sample_vm(r, s);
	struct op *o;
	int k;

	if (!v)
		return;
	v->vmm = true;
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	if (key < 0)
		key = p->mark ? K_ALL_FAST : K_NO_ZAP;
	k = key_of(r, s, key);
	o = op_record(r, s, p, &v->row[k], k, -1, ok);
	if (o) {
		rebuild_close(r, v);
		if (ok && key != K_NO_ZAP) {
			v->rebuild_op = o - r->ops;
			v->last_page = 0;
		}
	}
	op_close(p);
}

static void own_enter(struct report *r, struct sample *s)
{
	op_begin(r, s, C_DELETE, true);
}

static void own_exit(struct report *r, struct sample *s)
{
	uint64_t zap_all;

	if (!field(r, s, 0, &zap_all)) {
		s->bad = true;
		return;
	}
	delete_end(r, s, zap_all & 0xff ? K_ALL_FAST : K_MEMSLOT, true);
}

static void ioctl_enter(struct report *r, struct sample *s)
{
	uint64_t cmd;

	if (!field(r, s, 0, &cmd)) {
		s->bad = true;
		return;
	}
	if (cmd == KVM_SET_USER_MEMORY_REGION ||
	    cmd == KVM_SET_USER_MEMORY_REGION2)
		op_begin(r, s, C_DELETE, false);
}

static void ioctl_exit(struct report *r, struct sample *s)
{
	struct pending *p = op_open(r, s, C_DELETE);
	uint64_t ret;

	if (!p || !p->start || p->own)	/* not an ioctl vsva follows */
		return;
	field(r, s, 0, &ret);
	delete_end(r, s, -1, (int64_t)ret == 0 || (int32_t)ret == 0);
}

/* Inside an ioctl the syscall rung times: the whole MMU is zapped. */
static void zap_all_fast(struct report *r, struct sample *s)
{
	struct pending *p = op_open(r, s, C_DELETE);

	if (p && p->start)
		p->mark = 1;
}

/* A page the guest's MMU created: the rebuild after a deletion goes on
 * until the next deletion or a quiet REBUILD_GAP_NS. */
static void page_rebuilt(struct report *r, struct sample *s)
{
	uint64_t created;
	struct vm *v;

	if (!field(r, s, 0, &created) || !(created & 0xff))
		return;
	v = sample_vm(r, s);
	if (!v || v->rebuild_op < 0)
		return;
	if (v->last_page && s->time - v->last_page > REBUILD_GAP_NS) {
		rebuild_close(r, v);
		return;
	}
	r->ops[v->rebuild_op].pages++;
	v->last_page = s->time;
}

static void delete_text(const struct op *o, FILE *f)
{
	fprintf(f, " %8u %10.3fms", o->pages, o->rebuild_ns * 1e-6);
}

static void delete_json(const struct op *o, const char *key, FILE *f)
{
	fprintf(f, ",\"mode\":\"%s\",\"pages_rebuilt\":%u,"
		"\"rebuild_seconds\":%.9f", key, o->pages, o->rebuild_ns * 1e-9);
}

const struct decoder dec_memslot = {
	.mid = VSVA_M_MEMSLOT,
	.events = (const struct dec_event[]){
		{ "kvmmmu:kvm_flush_shadow_memslot_enter", own_enter },
		{ "kvmmmu:kvm_flush_shadow_memslot_exit", own_exit,
		  { "zap_all" } },
		{ "syscalls:sys_enter_ioctl", ioctl_enter, { "cmd" } },
		{ "syscalls:sys_exit_ioctl", ioctl_exit, { "ret" } },
		{ "kvmmmu:kvm_mmu_zap_all_fast", zap_all_fast },
		{ "kvmmmu:kvm_mmu_get_page", page_rebuilt, { "created" } },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_ALL_FAST] = { "all_fast", KEY_TIMED | KEY_ERRS },
		[K_MEMSLOT] = { "memslot", KEY_TIMED | KEY_ERRS },
		[K_NO_ZAP] = { "no_zap", KEY_TIMED | KEY_ERRS },
		{ NULL },
	},
	.note_rung = VSVA_RUNG_SYSCALL_TP,
	.note = "perf cannot read the ioctl's argument: a deletion that "
		"invalidates the whole MMU is told by the kvm_mmu_zap_all_fast "
		"inside it; creations and memslot-only deletions report as "
		"no_zap",
	.op_text = delete_text,
	.op_json = delete_json,
};

/* kvm_mmu_pages */
enum { K_CREATED, K_ZAPPED };

static void page_get(struct report *r, struct sample *s)
{
	uint64_t created;
	struct vm *v;

	if (!field(r, s, 0, &created) || !(created & 0xff))
		return;
	v = count_key(r, s, K_CREATED);
	if (v)
		v->vmm = true;		/* its vCPU threads fault */
}

static void page_zap(struct report *r, struct sample *s)
{
	count_key(r, s, K_ZAPPED);
}

const struct decoder dec_mmu_pages = {
	.mid = VSVA_M_MMU_PAGES,
	.events = (const struct dec_event[]){
		{ "kvmmmu:kvm_mmu_get_page", page_get, { "created" } },
		{ "kvmmmu:kvm_mmu_prepare_zap_page", page_zap },
		{ NULL },
	},
	.keys = (const struct dec_key[]){
		[K_CREATED] = { "created" },
		[K_ZAPPED] = { "shadow_zapped" },
		{ NULL },
	},
};

/* kvm_vm_lifecycle: a VM's creator is a VMM (no row of its own) */
static void vm_create(struct report *r, struct sample *s)
{
	uint64_t cmd;
	struct vm *v;

	if (!field(r, s, 0, &cmd)) {
		s->bad = true;
		return;
	}
	if (cmd != KVM_CREATE_VM)
		return;
	v = vm_get(r, s->pid);
	if (v)
		v->vmm = true;
}

const struct decoder dec_vm_lifecycle = {
	.mid = VSVA_M_VM_LIFECYCLE,
	.events = (const struct dec_event[]){
		{ "syscalls:sys_enter_ioctl", vm_create, { "cmd" } },
		{ NULL },
	},
};
