// SPDX-License-Identifier: GPL-2.0
/*
 * The irq source (bpf/irq.bpf.c): software injection, PI IRTE updates,
 * IRQ bypass producers and connections, per VM.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "priv.h"
#include "vsva_irq.h"
#include "irq.skel.h"

/* The loaded object and its per-CPU cache, mapped read-only. */
struct irq_state {
	struct irq_bpf *s;
	const volatile struct vsva_irq_fast *fast;
};

static size_t fast_bytes(const struct vsva_ctx *c)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)c->ncpus * VSVA_IRQ_FAST_SLOTS *
		   sizeof(struct vsva_irq_fast);

	return (n + page - 1) / page * page;
}

/* The per-CPU cache, readable without a bpf() call. */
static int map_fast(struct vsva_ctx *c, struct irq_state *st)
{
	void *p = mmap(NULL, fast_bytes(c), PROT_READ, MAP_SHARED,
		       bpf_map__fd(st->s->maps.irq_fast), 0);

	if (p == MAP_FAILED)
		return -errno;
	st->fast = p;
	return 0;
}

static void irq_close(void *state, struct vsva_ctx *c)
{
	struct irq_state *st = state;

	if (!st)
		return;
	if (st->fast)
		munmap((void *)st->fast, fast_bytes(c));
	irq_bpf__destroy(st->s);
	free(st);
}

/* Before load: the classic tracepoints' record layout, this kernel's
 * kvm_pi_irte_update, a cache slot per CPU. */
static int irq_config(void *skel, struct vsva_ctx *c)
{
	struct irq_bpf *s = skel;

	s->rodata->tp_off = c->f->tp_off;
	s->rodata->pi_irte_has_desc = c->f->pi_irte_args == 6;
	return bpf_map__set_max_entries(s->maps.irq_fast,
					c->ncpus * VSVA_IRQ_FAST_SLOTS);
}

VSVA_SKEL(irq, irq_config);

static int irq_open(struct vsva_ctx *c, void **state)
{
	struct irq_state *st = calloc(1, sizeof(*st));
	int rc = -ENOMEM;

	if (!st)
		return rc;
	st->s = vsva_skel_open(&irq_skel, c, VSVA_SRC_IRQ, &rc);
	if (!st->s)
		goto free_state;
	rc = map_fast(c, st);
	if (rc)
		goto destroy_skel;
	*state = st;
	return 0;
destroy_skel:
	irq_bpf__destroy(st->s);
free_state:
	free(st);
	return rc;
}

static struct bpf_object *irq_object(void *state)
{
	return state ? ((struct irq_state *)state)->s->obj : NULL;
}

static const char *const path_name[] = {
	[VSVA_IRQ_MSI] = "msi",
	[VSVA_IRQ_IOAPIC] = "ioapic",
	[VSVA_IRQ_PIC] = "pic",
};

/* Per-VM gauges, accumulated while the keys are walked. */
struct vm_gauges {
	__u32 vm;
	long long producers, pi, connected;
	bool any_producer, any_connect, any_pi;
};

/* The gauges of @vm: the last ones, or new (the keys come by VM). */
static struct vm_gauges *gauges_for(struct vm_gauges *g, int *n, int max,
				    __u32 vm)
{
	if (*n && g[*n - 1].vm == vm)
		return &g[*n - 1];
	if (*n == max)
		return NULL;
	memset(&g[*n], 0, sizeof(g[*n]));
	g[*n].vm = vm;
	return &g[(*n)++];
}

static void add_key(struct vsva_ctx *c, struct vsva_family **f,
		    const struct vsva_irq_key *k, __u64 v, struct vm_gauges *g)
{
	char vm[VSVA_VM_LABEL_LEN], id[16];
	long long d = (long long)v;

	vsva_vm_label(c, k->vm, vm, sizeof(vm));
	snprintf(id, sizeof(id), "%u", k->id);
	switch (k->kind) {
	case VSVA_IRQ_MSI:
	case VSVA_IRQ_IOAPIC:
	case VSVA_IRQ_PIC:
		vsva_family_add(f[VSVA_FAM_kvm_irq_injected_total], v, "vm",
				vm, "path", path_name[k->kind], "irq", id,
				NULL);
		break;
	case VSVA_IRQ_GSI_ASSERT:
		vsva_family_add(f[VSVA_FAM_kvm_irq_gsi_asserted_total], v,
				"vm", vm, "gsi", id, NULL);
		break;
	case VSVA_IRQ_PI_SET:
	case VSVA_IRQ_PI_CLEAR:
		vsva_family_add(f[VSVA_FAM_kvm_pi_irte_updates_total], v,
				"vm", vm, "gsi", id, "op",
				k->kind == VSVA_IRQ_PI_SET ? "set" : "clear",
				NULL);
		g->pi += k->kind == VSVA_IRQ_PI_SET ? d : -d;
		g->any_pi = true;
		break;
	case VSVA_IRQ_BYPASS_ADD:
	case VSVA_IRQ_BYPASS_DEL:
		g->producers += k->kind == VSVA_IRQ_BYPASS_ADD ? d : -d;
		g->any_producer = true;
		break;
	case VSVA_IRQ_CONNECT:
	case VSVA_IRQ_DISCONNECT:
		vsva_family_add(f[k->kind == VSVA_IRQ_CONNECT ?
				  VSVA_FAM_irq_bypass_connects_total :
				  VSVA_FAM_irq_bypass_disconnects_total], v,
				"vm", vm, "irq", id, NULL);
		g->connected += k->kind == VSVA_IRQ_CONNECT ? d : -d;
		g->any_connect = true;
		break;
	}
}

static void add_gauges(struct vsva_ctx *c, struct vsva_family **f,
		       const struct vm_gauges *g, int n)
{
	enum vsva_rung bypass = vsva_rung_of(c, VSVA_M_IRQ_BYPASS);
	char vm[VSVA_VM_LABEL_LEN];
	long long producers;
	int i;

	for (i = 0; i < n; i++) {
		vsva_vm_label(c, g[i].vm, vm, sizeof(vm));
		producers = bypass == VSVA_RUNG_OWN_TP ? g[i].producers :
							 g[i].pi;
		/* a VM that never had an interrupt producer has no gauge */
		if (bypass && vsva_vm_is_vm(g[i].vm) &&
		    (bypass == VSVA_RUNG_OWN_TP ? g[i].any_producer :
						  g[i].any_pi))
			vsva_family_add(f[VSVA_FAM_kvm_irq_bypass_producers],
					producers > 0 ? producers : 0,
					"vm", vm, NULL);
		if (g[i].any_connect)
			vsva_family_add(f[VSVA_FAM_irq_bypass_connected],
					g[i].connected > 0 ? g[i].connected : 0,
					"vm", vm, NULL);
	}
}

struct irq_agg {
	struct vsva_irq_key key;
	__u64 sum;
};

struct irq_aggs {
	struct irq_agg *a;
	int n, cap;
	bool oom;
};

/* Append; agg_merge() adds up the entries of one key afterwards (a key
 * can be in the count map and in a cache slot). */
static void agg_add(struct irq_aggs *g, const struct vsva_irq_key *k, __u64 v)
{
	struct irq_agg *bigger;

	if (g->n == g->cap) {
		bigger = realloc(g->a, (g->cap ? g->cap * 2 : 64) * sizeof(*g->a));
		if (!bigger) {
			g->oom = true;
			return;
		}
		g->a = bigger;
		g->cap = g->cap ? g->cap * 2 : 64;
	}
	g->a[g->n].key = *k;
	g->a[g->n++].sum = v;
}

static void count_add(struct vsva_ctx *c, void *arg, const void *key,
		      const void *val)
{
	const struct vsva_irq_key *k = key;

	/* a VM being retired right now */
	if (vsva_vm_is_vm(k->vm) && !vsva_vm_known(c, k->vm))
		return;
	agg_add(arg, key, *(const __u64 *)val);
}

static int agg_cmp(const void *a, const void *b)
{
	const struct vsva_irq_key *x = &((const struct irq_agg *)a)->key;
	const struct vsva_irq_key *y = &((const struct irq_agg *)b)->key;

	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sort by VM, kind and id, and add up each key's entries: one pass. */
static void agg_merge(struct irq_aggs *g)
{
	int i, n = 0;

	qsort(g->a, g->n, sizeof(*g->a), agg_cmp);
	for (i = 0; i < g->n; i++) {
		if (n && !agg_cmp(&g->a[n - 1], &g->a[i]))
			g->a[n - 1].sum += g->a[i].sum;
		else
			g->a[n++] = g->a[i];
	}
	g->n = n;
}

/* The count map: one key, per-CPU counts. */
static void collect_counts(struct vsva_ctx *c, struct irq_state *st,
			   struct irq_aggs *g)
{
	struct vsva_walk w = {
		.fd = bpf_map__fd(st->s->maps.irq_counts),
		.ksz = sizeof(struct vsva_irq_key), .vsz = sizeof(__u64),
		.percpu = true, .fn = count_add, .arg = g,
	};

	if (vsva_map_walk(c, &w))
		g->oom = true;
}

static void collect_slot(struct vsva_ctx *c, struct irq_aggs *g,
			 const struct vsva_irq_fast *f)
{

	if (!f->count)
		return;
	/* a retired VM's slot waits to be reused */
	if (vsva_vm_is_vm(f->key.vm) && !vsva_vm_known(c, f->key.vm))
		return;
	agg_add(g, &f->key, f->count);
}

/*
 * Read a slot the BPF side may be writing.  It only increments a live
 * slot's count; taking a slot over writes count 0, the key, count 1, in
 * that order, ordered by compiler barriers only (BPF has no store-release
 * before Linux 6.15).  The same key read before and after the count then
 * means the count belongs to that key on a CPU that keeps stores in
 * order: x86, the only target the Makefile builds the BPF programs for
 * (ARCH).  The fences below order this side's loads on any CPU; a port to
 * a weakly ordered one (arm64) needs store-release on the BPF side too.
 */
static bool read_slot(const volatile struct vsva_irq_fast *p,
		      struct vsva_irq_fast *out)
{
	struct vsva_irq_key k2;

	out->key.vm = p->key.vm;
	out->key.kind = p->key.kind;
	out->key.id = p->key.id;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->count = p->count;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	k2.vm = p->key.vm;
	k2.kind = p->key.kind;
	k2.id = p->key.id;
	return k2.vm == out->key.vm && k2.kind == out->key.kind &&
	       k2.id == out->key.id;
}

/* The per-CPU cache: each CPU's slot may hold another key. */
static void collect_fast(struct vsva_ctx *c, struct irq_state *st,
			 struct irq_aggs *g)
{
	size_t i, n = (size_t)c->ncpus * VSVA_IRQ_FAST_SLOTS;
	struct vsva_irq_fast slot;
	int tries;

	for (i = 0; i < n; i++) {
		for (tries = 0; tries < 100; tries++)
			if (read_slot(&st->fast[i], &slot))
				break;
		if (tries == 100)
			g->oom = true;	/* cannot be: a takeover is 3 stores */
		else
			collect_slot(c, g, &slot);
	}
}

static void irq_snapshot(void *state, struct vsva_ctx *c,
			 struct vsva_snapshot *s)
{
	struct irq_state *st = state;
	struct vm_gauges *gauges;
	struct vsva_family *f[VSVA_NFAMILIES], *injected;
	struct irq_aggs g = { 0 };
	int i, ng = 0;

	vsva_snap_source(s, VSVA_SRC_IRQ, f);
	if (!st)
		return;
	injected = f[VSVA_FAM_kvm_irq_injected_total];
	gauges = calloc(c->max_vms + 2, sizeof(*gauges));	/* + kernel,
								 * unattributed */
	if (!gauges) {
		injected->incomplete = true;
		return;
	}
	collect_counts(c, st, &g);
	collect_fast(c, st, &g);
	agg_merge(&g);
	if (g.oom)
		injected->incomplete = true;
	for (i = 0; i < g.n; i++) {
		struct vm_gauges *vg = gauges_for(gauges, &ng, c->max_vms + 2,
						  g.a[i].key.vm);

		if (!vg) {
			injected->incomplete = true;
			continue;
		}
		add_key(c, f, &g.a[i].key, g.a[i].sum, vg);
	}
	add_gauges(c, f, gauges, ng);
	free(gauges);
	free(g.a);
}

static const char *const irq_drop_name[VSVA_IRQ_DROPS] = {
	[VSVA_IRQ_DROP_MAP_FULL] = "irq_map_full",
};

static void irq_drops(void *state, struct vsva_ctx *c, struct vsva_family *f)
{
	struct irq_state *st = state;

	vsva_drops_add(c, st ? bpf_map__fd(st->s->maps.irq_drops) : -1,
		       irq_drop_name, VSVA_IRQ_DROPS, NULL, f);
}

/*
 * Clear the cache slots of retired VMs: a new VMM that gets a retired
 * VM's pid would otherwise count on top of the old count.  The slot's VM
 * has exited, so nothing increments it meanwhile (unless its pid is
 * reused within this very tick).
 */
static void forget_fast(struct vsva_ctx *c, struct irq_state *st,
			const __u32 *ids, int n)
{
	size_t i, slots = (size_t)c->ncpus * VSVA_IRQ_FAST_SLOTS;
	const struct vsva_irq_fast zero = { 0 };
	int fd = bpf_map__fd(st->s->maps.irq_fast), k;
	__u32 idx;

	for (i = 0; i < slots; i++) {
		if (!st->fast[i].count)
			continue;
		for (k = 0; k < n; k++) {
			if (st->fast[i].key.vm != ids[k])
				continue;
			idx = i;
			bpf_map_update_elem(fd, &idx, &zero, BPF_ANY);
			break;
		}
	}
}

/* Retire the counts of VMs the GC retired. */
static void irq_forget(void *state, struct vsva_ctx *c, const __u32 *ids,
		       int n)
{
	struct irq_state *st = state;

	if (!st || !n)
		return;
	vsva_map_forget(bpf_map__fd(st->s->maps.irq_counts),
			sizeof(struct vsva_irq_key),
			offsetof(struct vsva_irq_key, vm), ids, n);
	forget_fast(c, st, ids, n);
}

const struct vsva_source vsva_src_irq = {
	.open = irq_open, .snapshot = irq_snapshot, .drops = irq_drops,
	.forget = irq_forget, .close = irq_close, .object = irq_object,
	.elf = irq_bpf__elf_bytes,
};
