// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's state, as the decoders build it: a sample's fields
 * read by the layouts the recording's formats gave (never outside the
 * record), the VM of each thread group, each thread's open operations
 * paired with their ends, rows keyed by device.
 */
#include <stdlib.h>
#include <string.h>
#include "perf-dec.h"

static const struct layout *lay_of(const struct report *r,
				   const struct sample *s, int k)
{
	const struct rep_cons *c = &r->cons[s->con];

	return &r->ev[s->ev].lay[c->fmap[k]];
}

bool field_known(const struct report *r, const struct sample *s, int k)
{
	return lay_of(r, s, k)->size;
}

bool field(const struct report *r, const struct sample *s, int k,
	   uint64_t *v)
{
	struct layout l = *lay_of(r, s, k);

	*v = 0;
	if (!l.size || l.loc || !s->raw ||
	    (uint32_t)l.off + l.size > s->raw_size)
		return false;
	memcpy(v, (const uint8_t *)s->raw + l.off, l.size);
	return true;
}

bool field_str(const struct report *r, const struct sample *s, int k,
	       char *buf, size_t len)
{
	struct layout l = *lay_of(r, s, k);
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

struct vm *vm_get(struct report *r, uint32_t tgid)
{
	struct vm *v = vm_slot(r, tgid);

	if (!v || v->used)
		return v;
	if (r->nvms == VM_N - 1)
		return NULL;
	v->row = calloc(r->nkeys ? r->nkeys : 1, sizeof(*v->row));
	if (!v->row)
		return NULL;
	v->used = true;
	v->tgid = tgid;
	v->rebuild_op = -1;
	r->nvms++;
	return v;
}

struct vm *sample_vm(struct report *r, struct sample *s)
{
	struct vm *v = vm_get(r, s->pid);

	if (v)
		s->vm = v;
	return v;
}

/* @tid's open @cls operation; @make: a free slot for it if it has none. */
static struct pending *pend_get(struct report *r, uint32_t tid, int cls,
				bool make)
{
	uint32_t h = ((tid << 8) ^ (uint32_t)cls) * 2654435761u % PENDING_N;
	struct pending *p, *free_slot = NULL;
	uint32_t i;

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

static int class_of(const struct sample *s, int cls)
{
	return s->dec * DEC_CLASSES + cls;
}

struct pending *op_open(struct report *r, const struct sample *s, int cls)
{
	return pend_get(r, s->tid, class_of(s, cls), false);
}

/* Free @p; its tid stays as a tombstone so probing goes on past it. */
void op_close(struct pending *p)
{
	p->used = 0;
	p->start = 0;
}

static void unpaired(struct report *r, uint32_t tgid)
{
	struct vm *v = vm_get(r, tgid);

	if (v)
		v->unpaired++;
}

void op_begin(struct report *r, const struct sample *s, int cls, bool own)
{
	struct pending *p = pend_get(r, s->tid, class_of(s, cls), true);

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
	p->mark = 0;
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

struct op *op_record(struct report *r, const struct sample *s,
		     const struct pending *p, struct stat_row *row, int key,
		     int32_t drow, bool ok)
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

struct vm *count_key(struct report *r, struct sample *s, int k)
{
	struct vm *v = sample_vm(r, s);

	if (v)
		v->row[key_of(r, s, k)].count++;
	return v;
}

struct vm *count_result(struct report *r, struct sample *s, int k)
{
	uint64_t res;
	struct vm *v;

	if (!field(r, s, 0, &res)) {
		s->bad = true;
		return NULL;
	}
	v = count_key(r, s, k);
	if (v)
		v->row[key_of(r, s, k)].errors += (int32_t)res != 0;
	return v;
}

struct drow *drow_get(struct report *r, const struct sample *s, int k,
		      uint32_t dtype, const char *dev)
{
	uint32_t key = key_of(r, s, k), tgid = s->pid;
	uint32_t h = (tgid * 2654435761u) ^ (key << 24) ^ (dtype * 40503u), i;
	struct drow *d = NULL;
	const char *c;

	for (c = dev; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (i = 0; i < DROW_N; i++) {
		d = &r->drows[(h + i) % DROW_N];
		if (!d->used)
			break;
		if (d->tgid == tgid && d->key == key &&
		    d->domain_type == dtype && !strcmp(d->dev, dev))
			return d;
	}
	if (i == DROW_N || r->ndrows == DROW_N - 1) {
		r->rows_full++;
		return NULL;
	}
	d->used = true;
	d->tgid = tgid;
	d->key = key;
	d->domain_type = dtype;
	snprintf(d->dev, sizeof(d->dev), "%s", dev);
	r->ndrows++;
	return d;
}

void dev_op_end(struct report *r, struct sample *s, int cls, int k)
{
	struct pending *p = op_open(r, s, cls);
	struct vm *v = sample_vm(r, s);
	bool typed = r->keys[key_of(r, s, k)]->flags & KEY_DOMAIN;
	uint64_t dtype = 0, res;
	char dev[DEV_LEN];
	struct drow *d;

	if (!v)
		return;
	if (!field_str(r, s, 0, dev, sizeof(dev)) ||
	    (typed && !field(r, s, 1, &dtype)) || !field(r, s, 2, &res)) {
		s->bad = true;
		goto done;
	}
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	d = drow_get(r, s, k, (uint32_t)dtype, dev);
	if (d)
		op_record(r, s, p, &d->st, d->key, d - r->drows,
			  (int32_t)res == 0);
done:
	if (p)
		op_close(p);
}

void inv_end(struct report *r, struct sample *s, int cls, int k)
{
	struct pending *p = op_open(r, s, cls);
	struct vm *v = sample_vm(r, s);
	uint64_t res, done, asked;
	struct stat_row *row;

	if (!v)
		return;
	v->vmm = true;		/* a vIOMMU's work */
	if (!field(r, s, 0, &res) || !field(r, s, 1, &done)) {
		s->bad = true;
		goto done;
	}
	field(r, s, 2, &asked);		/* 0 where a format lacks it */
	if (!p || !p->start) {
		v->unpaired++;
		return;
	}
	row = &v->row[key_of(r, s, k)];
	row->sum += (uint32_t)done;
	row->sum_req += (uint32_t)asked;
	op_record(r, s, p, row, key_of(r, s, k), -1, (int32_t)res == 0);
done:
	if (p)
		op_close(p);
}
