// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's engine: pairs each thread's operation enter and exit,
 * charges it to its VM (the thread group: QEMU deletes slots from several
 * threads), and prints per VM and per measurement what perf kvm stat
 * prints per exit reason, plus what only a trace shows: the slowest
 * operations, the MMU rebuild after each deletion, a timeline.
 */
#include <stdlib.h>
#include <string.h>
#include "perf-report.h"

#define KVM_CREATE_VM			0xae01
#define KVM_SET_USER_MEMORY_REGION	0x4020ae46
#define KVM_SET_USER_MEMORY_REGION2	0x40a0ae49
#define REBUILD_GAP_NS			100000000ULL	/* a quiet 100 ms */
#define UNATTRIBUTED			0xffffffffu

const char *const ev_names[EV_N] = {
	[EV_OWN_ENTER] = "kvmmmu:kvm_flush_shadow_memslot_enter",
	[EV_OWN_EXIT] = "kvmmmu:kvm_flush_shadow_memslot_exit",
	[EV_IOCTL_ENTER] = "syscalls:sys_enter_ioctl",
	[EV_IOCTL_EXIT] = "syscalls:sys_exit_ioctl",
	[EV_ZAP_ALL_FAST] = "kvmmmu:kvm_mmu_zap_all_fast",
	[EV_PREPARE_ZAP] = "kvmmmu:kvm_mmu_prepare_zap_page",
	[EV_GET_PAGE] = "kvmmmu:kvm_mmu_get_page",
	[EV_MSI] = "kvm:kvm_msi_set_irq",
	[EV_IOAPIC] = "kvm:kvm_ioapic_set_irq",
	[EV_PIC] = "kvm:kvm_pic_set_irq",
	[EV_SET_IRQ] = "kvm:kvm_set_irq",
	[EV_PASID_ATTACH_ENTER] = "iommu:iommu_attach_device_pasid_enter",
	[EV_PASID_ATTACH_EXIT] = "iommu:iommu_attach_device_pasid_exit",
	[EV_PASID_DETACH_ENTER] = "iommu:iommu_detach_device_pasid_enter",
	[EV_PASID_DETACH_EXIT] = "iommu:iommu_detach_device_pasid_exit",
	[EV_SVA_BIND_ENTER] = "iommu:iommu_sva_bind_device_enter",
	[EV_SVA_BIND_EXIT] = "iommu:iommu_sva_bind_device_exit",
	[EV_SVA_UNBIND_ENTER] = "iommu:iommu_sva_unbind_device_enter",
	[EV_SVA_UNBIND_EXIT] = "iommu:iommu_sva_unbind_device_exit",
	[EV_HWPT_ALLOC] = "iommufd:iommufd_hwpt_alloc",
	[EV_HWPT_INV_ENTER] = "iommufd:iommufd_hwpt_invalidate_enter",
	[EV_HWPT_INV_EXIT] = "iommufd:iommufd_hwpt_invalidate_exit",
	[EV_BYPASS_ADD] = "kvm:kvm_irq_bypass_add_producer",
	[EV_BYPASS_DEL] = "kvm:kvm_irq_bypass_del_producer",
	[EV_IRTE] = "kvm:kvm_pi_irte_update",
	[EV_CONNECT] = "irqbypass:irq_bypass_connect",
	[EV_DISCONNECT] = "irqbypass:irq_bypass_disconnect",
};

const char *const fld_names[F_N] = {
	[F_ZAP_ALL] = "zap_all", [F_ZAPPED] = "zapped", [F_CMD] = "cmd",
	[F_RET] = "ret", [F_CREATED] = "created", [F_DATA] = "data",
	[F_E] = "e", [F_PIN] = "pin", [F_CHIP] = "chip", [F_IMR] = "imr",
	[F_GSI] = "gsi", [F_LEVEL] = "level", [F_DEVICE] = "device",
	[F_DOMAIN_TYPE] = "domain_type", [F_RESULT] = "result",
	[F_NESTED] = "nested", [F_DONE_NUM] = "done_num", [F_SET] = "set",
};

struct report *rep_new(void)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vms = calloc(VM_N, sizeof(*r->vms));
	r->drows = calloc(DROW_N, sizeof(*r->drows));
	if (!r->vms || !r->drows) {
		free(r->vms);
		free(r->drows);
		free(r);
		return NULL;
	}
	r->top = 10;
	return r;
}

void rep_free(struct report *r)
{
	int i, k;

	if (!r)
		return;
	for (i = 0; i < VM_N; i++)
		for (k = 0; k < K_N; k++)
			free(r->vms[i].row[k].ns);
	for (i = 0; i < DROW_N; i++)
		free(r->drows[i].st.ns);
	free(r->vms);
	free(r->drows);
	free(r->ops);
	free(r);
}

static int parse_pids(struct report *r, const char *s)
{
	char *end;

	while (*s && r->npids < 64) {
		r->pids[r->npids++] = strtoul(s, &end, 10);
		if (end == s || (*end && *end != ','))
			return -1;
		s = *end ? end + 1 : end;
	}
	return *s ? -1 : 0;
}

int rep_option(struct report *r, const char *o)
{
	static const char *const sorts[] = { "count", "total", "p99", "max" };
	const char *v = strchr(o, '=');
	int i;

	if (!v)
		return -1;
	v++;
	if (!strncmp(o, "format=", 7)) {
		r->fmt = !strcmp(v, "json") ? OUT_JSON :
			 !strcmp(v, "csv") ? OUT_CSV : OUT_TEXT;
	} else if (!strncmp(o, "sort=", 5)) {
		for (i = 0; i < 4 && strcmp(v, sorts[i]); i++)
			;
		if (i == 4)
			return -1;
		r->sort = i;
	} else if (!strncmp(o, "top=", 4)) {
		r->top = strtoul(v, NULL, 10);
	} else if (!strncmp(o, "timeline=", 9)) {
		r->timeline = *v == '1';
	} else if (!strncmp(o, "pids=", 5)) {
		return parse_pids(r, v);
	} else if (!strncmp(o, "lost=", 5)) {
		r->lost = strtoull(v, NULL, 10);
	} else if (!strncmp(o, "lostrec=", 8)) {
		r->lost_records = strtoull(v, NULL, 10);
	} else if (!strncmp(o, "file=", 5)) {
		snprintf(r->file, sizeof(r->file), "%s", v);
	} else if (!strncmp(o, "kernel=", 7)) {
		snprintf(r->kernel, sizeof(r->kernel), "%s", v);
	} else if (!strncmp(o, "host=", 5)) {
		snprintf(r->host, sizeof(r->host), "%s", v);
	} else {
		return -1;
	}
	return 0;
}

int rep_set_field(struct report *r, int ev, const char *name,
		  unsigned int off, unsigned int size, int loc)
{
	int f;

	if (size > 8 || loc < LOC_PLAIN || loc > LOC_REL ||
	    (loc != LOC_PLAIN && size != 4))
		return -1;
	if (ev < 0 || ev >= EV_N || !size || off > 65535)
		return 0;
	for (f = 0; f < F_N; f++)
		if (!strcmp(name, fld_names[f])) {
			r->lay[ev][f] = (struct layout){ off, size, loc };
			return 0;
		}
	return 0;
}

/* Field @f of @s, little-endian, zero-extended; false if absent. */
static bool field(const struct report *r, const struct sample *s, int f,
		  uint64_t *v)
{
	struct layout l = r->lay[s->ev][f];

	*v = 0;
	if (!l.size || l.loc || !s->raw ||
	    (uint32_t)l.off + l.size > s->raw_size)
		return false;
	memcpy(v, (const uint8_t *)s->raw + l.off, l.size);
	return true;
}

/* String field @f of @s (__data_loc or __rel_loc), cut to @len - 1 bytes;
 * bytes a label cannot hold become '_'.  False if absent or out of the
 * record. */
static bool field_str(const struct report *r, const struct sample *s, int f,
		      char *buf, size_t len)
{
	struct layout l = r->lay[s->ev][f];
	const uint8_t *raw = s->raw;
	uint32_t loc, off, n, i;
	uint8_t c;

	buf[0] = 0;
	if (!l.size || !l.loc || !raw || (uint32_t)l.off + 4 > s->raw_size)
		return false;
	memcpy(&loc, raw + l.off, 4);
	off = (loc & 0xffff) + (l.loc == LOC_REL ? l.off + 4u : 0);
	n = loc >> 16;
	if (off > s->raw_size || n > s->raw_size - off)
		return false;
	for (i = 0; i < n && i < len - 1 && raw[off + i]; i++) {
		c = raw[off + i];
		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || strchr("._:-+/", c) ?
			 c : '_';
	}
	buf[i] = 0;
	return true;
}

/* VM @tgid's slot: its own, or the empty one where it would go. */
static struct vm *vm_slot(const struct report *r, uint32_t tgid)
{
	uint32_t h = (tgid * 2654435761u) % VM_N, i;
	struct vm *v;

	for (i = 0; i < VM_N; i++) {
		v = &r->vms[(h + i) % VM_N];
		if (!v->used || v->tgid == tgid)
			return v;
	}
	return NULL;
}

struct vm *rep_vm_find(const struct report *r, uint32_t tgid)
{
	struct vm *v = vm_slot(r, tgid);

	return v && v->used ? v : NULL;
}

static struct vm *vm_get(struct report *r, uint32_t tgid)
{
	struct vm *v = vm_slot(r, tgid);

	if (!v || v->used)
		return v;
	if (r->nvms == VM_N - 1)
		return NULL;
	v->used = true;
	v->tgid = tgid;
	v->rebuild_op = -1;
	r->nvms++;
	return v;
}

/* @tid's open @cls operation; @make: a free slot for it if it has none. */
static struct pending *pend_get(struct report *r, uint32_t tid, int cls,
				bool make)
{
	uint32_t h = ((tid * C_N + cls) * 2654435761u) % PENDING_N, i;
	struct pending *p, *free_slot = NULL;

	for (i = 0; i < PENDING_N; i++) {
		p = &r->pend[(h + i) % PENDING_N];
		if (p->used && p->tid == tid && p->cls == cls)
			return p;
		if (!p->used && !free_slot)
			free_slot = p;
		if (!p->used && !p->tid)
			break;		/* never used: @tid is not further */
	}
	if (!make || !free_slot)
		return NULL;
	*free_slot = (struct pending){ .tid = tid, .cls = cls, .used = 1 };
	return free_slot;
}

/* Free @p; its tid stays as a tombstone so probing goes on past it. */
static void pend_done(struct pending *p)
{
	p->used = 0;
	p->start = 0;
}

static int add_ns(struct stat_row *row, uint64_t ns)
{
	uint64_t *bigger;

	if (row->n_ns == row->cap_ns) {
		row->cap_ns = row->cap_ns ? row->cap_ns * 2 : 64;
		bigger = realloc(row->ns, row->cap_ns * sizeof(*row->ns));
		if (!bigger)
			return -1;
		row->ns = bigger;
	}
	row->ns[row->n_ns++] = ns;
	return 0;
}

static void rebuild_close(struct report *r, struct vm *v)
{
	if (v->rebuild_op >= 0 && v->last_page)
		r->ops[v->rebuild_op].rebuild_ns =
			v->last_page - r->ops[v->rebuild_op].end;
	v->rebuild_op = -1;
}

static void unpaired(struct report *r, uint32_t tgid)
{
	struct vm *v = vm_get(r, tgid);

	if (v)
		v->unpaired++;
}

static void op_begin(struct report *r, const struct sample *s, int cls,
		     bool own)
{
	struct pending *p = pend_get(r, s->tid, cls, true);

	if (!p) {
		r->pending_full++;
		return;
	}
	if (p->start)		/* its exit never came */
		unpaired(r, p->tgid);
	p->tgid = s->pid;
	p->start = s->time;
	p->cpu = s->cpu;
	p->own = own;
	p->all_fast = 0;
}

/* @s closes @p: counted in @row (@key, or device-keyed row @drow) and
 * listed for the slowest and the timeline; NULL if the list is full. */
static struct op *op_record(struct report *r, const struct sample *s,
			    const struct pending *p, struct stat_row *row,
			    int key, int32_t drow, bool ok)
{
	uint64_t cap;
	struct op *bigger;

	row->count++;
	row->errors += !ok;
	if (ok)
		add_ns(row, s->time >= p->start ? s->time - p->start : 0);
	if (r->nops == r->capops) {
		cap = r->capops ? r->capops * 2 : 1024;
		bigger = realloc(r->ops, cap * sizeof(*r->ops));
		if (!bigger)
			return NULL;
		r->ops = bigger;
		r->capops = cap;
	}
	r->ops[r->nops] = (struct op){
		.start = p->start, .end = s->time, .tgid = s->pid,
		.tid = s->tid, .cpu = p->cpu, .drow = drow, .key = key,
		.ok = ok,
	};
	return &r->ops[r->nops++];
}

/* A memslot operation ends: @key, or -1 to tell it by what it zapped. */
static void op_end(struct report *r, struct sample *s, int key, bool ok)
{
	struct pending *p = pend_get(r, s->tid, C_MEMSLOT, false);
	struct vm *v = vm_get(r, s->pid);
	struct op *o;

	if (!v)
		return;
	s->vm = v;
	v->vmm = true;
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	if (key < 0)
		key = p->all_fast ? K_ALL_FAST : K_NO_ZAP;
	o = op_record(r, s, p, &v->row[key], key, -1, ok);
	if (o) {
		rebuild_close(r, v);
		if (ok && key != K_NO_ZAP) {
			v->rebuild_op = o - r->ops;
			v->last_page = 0;
		}
	}
	pend_done(p);
}

static void ioctl_enter(struct report *r, struct sample *s)
{
	uint64_t cmd;
	struct vm *v;

	if (!field(r, s, F_CMD, &cmd)) {
		r->undecodable++;
		return;
	}
	if (cmd == KVM_CREATE_VM) {
		v = vm_get(r, s->pid);
		if (v)
			v->vmm = true;
		return;
	}
	if (cmd == KVM_SET_USER_MEMORY_REGION ||
	    cmd == KVM_SET_USER_MEMORY_REGION2)
		op_begin(r, s, C_MEMSLOT, false);
}

static void ioctl_exit(struct report *r, struct sample *s)
{
	struct pending *p = pend_get(r, s->tid, C_MEMSLOT, false);
	uint64_t ret;

	if (!p || !p->start || p->own)	/* not an ioctl vsva follows */
		return;
	field(r, s, F_RET, &ret);
	op_end(r, s, -1, (int64_t)ret == 0 || (int32_t)ret == 0);
}

static void own_exit(struct report *r, struct sample *s)
{
	uint64_t zap_all;

	if (!field(r, s, F_ZAP_ALL, &zap_all)) {
		r->undecodable++;
		return;
	}
	op_end(r, s, zap_all & 0xff ? K_ALL_FAST : K_MEMSLOT, true);
}

static void zap_all_fast(struct report *r, struct sample *s)
{
	struct pending *p = pend_get(r, s->tid, C_MEMSLOT, false);

	if (p && p->start)
		p->all_fast = 1;
}

/* A page the guest's MMU created: the rebuild after a deletion goes on
 * until the next deletion or a quiet REBUILD_GAP_NS. */
static void page_created(struct report *r, struct sample *s)
{
	struct vm *v = vm_get(r, s->pid);

	if (!v)
		return;
	s->vm = v;
	v->vmm = true;		/* its vCPU threads fault */
	v->row[K_CREATED].count++;
	if (v->rebuild_op < 0)
		return;
	if (v->last_page && s->time - v->last_page > REBUILD_GAP_NS) {
		rebuild_close(r, v);
		return;
	}
	r->ops[v->rebuild_op].pages++;
	v->last_page = s->time;
}

static struct vm *count_key(struct report *r, struct sample *s, int key)
{
	struct vm *v = vm_get(r, s->pid);

	if (v) {
		v->row[key].count++;
		s->vm = v;
	}
	return v;
}

static void injection(struct report *r, struct sample *s)
{
	uint64_t a, b, c;

	switch (s->ev) {
	case EV_MSI:
		count_key(r, s, K_MSI);
		break;
	case EV_IOAPIC:
		if (field(r, s, F_E, &a) && !(a & (1ULL << 16)))
			count_key(r, s, K_IOAPIC);
		break;
	case EV_PIC:
		if (field(r, s, F_PIN, &a) && field(r, s, F_IMR, &b) &&
		    field(r, s, F_CHIP, &c) && !(b & (1 << (a & 7))))
			count_key(r, s, K_PIC);
		break;
	case EV_SET_IRQ:
		if (field(r, s, F_LEVEL, &a) && (int32_t)a == 1)
			count_key(r, s, K_GSI);
		break;
	}
}

/* Device-keyed row @op of @tgid on @dev with @dtype: found or made;
 * NULL (counted) when DROW_N rows are taken. */
static struct drow *drow_get(struct report *r, uint32_t tgid, int op,
			     uint32_t dtype, const char *dev)
{
	uint32_t h = (tgid * 2654435761u) ^ ((uint32_t)op << 24) ^
		     (dtype * 40503u), i;
	struct drow *d = NULL;
	const char *c;

	for (c = dev; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (i = 0; i < DROW_N; i++) {
		d = &r->drows[(h + i) % DROW_N];
		if (!d->used)
			break;
		if (d->tgid == tgid && d->op == op &&
		    d->domain_type == dtype && !strcmp(d->dev, dev))
			return d;
	}
	if (i == DROW_N || r->ndrows == DROW_N - 1) {
		r->rows_full++;
		return NULL;
	}
	d->used = true;
	d->tgid = tgid;
	d->op = op;
	d->domain_type = dtype;
	snprintf(d->dev, sizeof(d->dev), "%s", dev);
	r->ndrows++;
	return d;
}

/* A PASID attach/detach or SVA bind/unbind exit: its device, domain type
 * and result are in the exit event. */
static void dev_op_end(struct report *r, struct sample *s, int cls, int op)
{
	struct pending *p = pend_get(r, s->tid, cls, false);
	struct vm *v = vm_get(r, s->pid);
	uint64_t dtype, res;
	char dev[DEV_LEN];
	struct drow *d;

	if (!v)
		return;
	s->vm = v;
	if (!field_str(r, s, F_DEVICE, dev, sizeof(dev)) ||
	    !field(r, s, F_DOMAIN_TYPE, &dtype) ||
	    !field(r, s, F_RESULT, &res)) {
		r->undecodable++;
		goto done;
	}
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	d = drow_get(r, s->pid, op, (uint32_t)dtype, dev);
	if (d)
		op_record(r, s, p, &d->st, 0, d - r->drows,
			  (int32_t)res == 0);
done:
	if (p)
		pend_done(p);
}

/* A nested HWPT invalidation ends: timed, with the entries done. */
static void inv_end(struct report *r, struct sample *s)
{
	struct pending *p = pend_get(r, s->tid, C_HWPT_INV, false);
	struct vm *v = vm_get(r, s->pid);
	uint64_t res, n;

	if (!v)
		return;
	s->vm = v;
	v->vmm = true;		/* a vIOMMU's work */
	if (!field(r, s, F_RESULT, &res) || !field(r, s, F_DONE_NUM, &n)) {
		r->undecodable++;
		goto done;
	}
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	v->row[K_HWPT_INV].sum += (uint32_t)n;
	op_record(r, s, p, &v->row[K_HWPT_INV], K_HWPT_INV, -1,
		  (int32_t)res == 0);
done:
	if (p)
		pend_done(p);
}

/* An event counted with its result: errors where it is not 0. */
static struct vm *count_result(struct report *r, struct sample *s, int key)
{
	uint64_t res;
	struct vm *v;

	if (!field(r, s, F_RESULT, &res)) {
		r->undecodable++;
		return NULL;
	}
	v = count_key(r, s, key);
	if (v)
		v->row[key].errors += (int32_t)res != 0;
	return v;
}

static void iommu_event(struct report *r, struct sample *s)
{
	static const struct { int cls, op; } dev_ops[] = {
		[EV_PASID_ATTACH_EXIT - EV_PASID_ATTACH_ENTER] =
			{ C_PASID_ATTACH, D_PASID_ATTACH },
		[EV_PASID_DETACH_EXIT - EV_PASID_ATTACH_ENTER] =
			{ C_PASID_DETACH, D_PASID_DETACH },
		[EV_SVA_BIND_EXIT - EV_PASID_ATTACH_ENTER] =
			{ C_SVA_BIND, D_SVA_BIND },
		[EV_SVA_UNBIND_EXIT - EV_PASID_ATTACH_ENTER] =
			{ C_SVA_UNBIND, D_SVA_UNBIND },
	};
	int i = s->ev - EV_PASID_ATTACH_ENTER;
	uint64_t nested;
	struct vm *v;

	switch (s->ev) {
	case EV_PASID_ATTACH_ENTER:
	case EV_PASID_DETACH_ENTER:
	case EV_SVA_BIND_ENTER:
	case EV_SVA_UNBIND_ENTER:
		op_begin(r, s, dev_ops[i + 1].cls, true);
		break;
	case EV_PASID_ATTACH_EXIT:
	case EV_PASID_DETACH_EXIT:
	case EV_SVA_BIND_EXIT:
	case EV_SVA_UNBIND_EXIT:
		dev_op_end(r, s, dev_ops[i].cls, dev_ops[i].op);
		break;
	case EV_HWPT_ALLOC:
		if (!field(r, s, F_NESTED, &nested)) {
			r->undecodable++;
			break;
		}
		v = count_result(r, s, nested & 0xff ? K_HWPT_NESTED :
						       K_HWPT_PAGING);
		if (v)
			v->vmm = true;
		break;
	case EV_HWPT_INV_ENTER:
		op_begin(r, s, C_HWPT_INV, true);
		break;
	case EV_HWPT_INV_EXIT:
		inv_end(r, s);
		break;
	}
}

static void bypass_event(struct report *r, struct sample *s)
{
	uint64_t set;

	switch (s->ev) {
	case EV_BYPASS_ADD:
		count_result(r, s, K_BP_ADD);
		break;
	case EV_BYPASS_DEL:
		count_result(r, s, K_BP_DEL);
		break;
	case EV_IRTE:
		if (field(r, s, F_SET, &set))
			count_key(r, s, set & 0xff ? K_IRTE_SET : K_IRTE_CLEAR);
		else
			r->undecodable++;
		break;
	case EV_CONNECT:
		count_result(r, s, K_CONNECT);
		break;
	case EV_DISCONNECT:
		count_result(r, s, K_DISCONNECT);
		break;
	}
}

static bool wanted(const struct report *r, uint32_t pid)
{
	int i;

	for (i = 0; i < r->npids; i++)
		if (r->pids[i] == pid)
			return true;
	return !r->npids;
}

void rep_sample(struct report *r, struct sample *s)
{
	uint64_t v;

	s->vm = NULL;
	if (s->ev < 0 || s->ev >= EV_N || !wanted(r, s->pid))
		return;
	r->events[s->ev]++;
	if (!r->first || s->time < r->first)
		r->first = s->time;
	if (s->time > r->last)
		r->last = s->time;
	if (s->ev >= EV_BYPASS_ADD) {
		bypass_event(r, s);
		return;
	}
	if (s->ev >= EV_PASID_ATTACH_ENTER) {
		iommu_event(r, s);
		return;
	}
	switch (s->ev) {
	case EV_OWN_ENTER:
		op_begin(r, s, C_MEMSLOT, true);
		break;
	case EV_OWN_EXIT:
		own_exit(r, s);
		break;
	case EV_IOCTL_ENTER:
		ioctl_enter(r, s);
		break;
	case EV_IOCTL_EXIT:
		ioctl_exit(r, s);
		break;
	case EV_ZAP_ALL_FAST:
		zap_all_fast(r, s);
		break;
	case EV_PREPARE_ZAP:
		count_key(r, s, K_ZAPPED);
		break;
	case EV_GET_PAGE:
		if (field(r, s, F_CREATED, &v) && (v & 0xff))
			page_created(r, s);
		break;
	default:
		injection(r, s);
	}
}
