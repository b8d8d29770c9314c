// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt measurements: software injection, PI IRTE updates, IRQ
 * bypass producers and connections (bpf/irq.bpf.c), and posted-interrupt
 * notifications from /proc/interrupts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "engine_priv.h"
#include "vsva_irq.h"
#include "irq.skel.h"

static void set_autoload(struct irq_bpf *s, const struct vsva_engine *e)
{
	bool inj = e->irq_inj.rung == VSVA_RUNG_STOCK_TP;
	bool classic = e->irq_inj.rung == VSVA_RUNG_CLASSIC_TP;
	bool own = e->irq_bypass.rung == VSVA_RUNG_OWN_TP;
	bool pi = e->irq_bypass.rung != VSVA_RUNG_NONE;
	bool conn = e->bypass_connect.rung == VSVA_RUNG_OWN_TP;

	bpf_program__set_autoload(s->progs.kvm_msi_set_irq, inj);
	bpf_program__set_autoload(s->progs.kvm_ioapic_set_irq, inj);
	bpf_program__set_autoload(s->progs.kvm_pic_set_irq, inj);
	bpf_program__set_autoload(s->progs.kvm_set_irq, inj);
	bpf_program__set_autoload(s->progs.tp_kvm_msi_set_irq, classic);
	bpf_program__set_autoload(s->progs.tp_kvm_ioapic_set_irq, classic);
	bpf_program__set_autoload(s->progs.tp_kvm_pic_set_irq, classic);
	bpf_program__set_autoload(s->progs.tp_kvm_set_irq, classic);
	bpf_program__set_autoload(s->progs.kvm_pi_irte_update,
				  pi && e->caps.pi_irte_args == 6);
	bpf_program__set_autoload(s->progs.kvm_pi_irte_update5,
				  pi && e->caps.pi_irte_args == 5);
	bpf_program__set_autoload(s->progs.kvm_irq_bypass_add_producer, own);
	bpf_program__set_autoload(s->progs.kvm_irq_bypass_del_producer, own);
	bpf_program__set_autoload(s->progs.irq_bypass_connect, conn);
	bpf_program__set_autoload(s->progs.irq_bypass_disconnect, conn);
}

static size_t fast_bytes(const struct vsva_engine *e)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)e->ncpus * VSVA_IRQ_FAST_SLOTS *
		   sizeof(struct vsva_irq_fast);

	return (n + page - 1) / page * page;
}

/* The per-CPU cache, readable without a bpf() call. */
static int map_fast(struct vsva_engine *e, struct irq_bpf *s)
{
	void *p = mmap(NULL, fast_bytes(e), PROT_READ, MAP_SHARED,
		       bpf_map__fd(s->maps.irq_fast), 0);

	if (p == MAP_FAILED)
		return -errno;
	e->irq_fast = p;
	return 0;
}

static int irq_choices(struct vsva_engine *e, struct vsva_choice **c)
{
	c[0] = &e->irq_inj;
	c[1] = &e->irq_bypass;
	c[2] = &e->bypass_connect;
	return 3;
}

static void irq_choose(struct vsva_engine *e)
{
	vsva_choose_irq_injection(&e->caps, &e->irq_inj);
	vsva_choose_irq_bypass(&e->caps, &e->irq_bypass);
	vsva_choose_bypass_connect(&e->caps, &e->bypass_connect);
}

static struct vsva_choice *irq_owner(struct vsva_engine *e, const char *prog)
{
	if (strstr(prog, "set_irq"))
		return &e->irq_inj;
	if (strstr(prog, "pi_irte") || strstr(prog, "producer"))
		return &e->irq_bypass;
	if (strstr(prog, "connect"))
		return &e->bypass_connect;
	return NULL;
}

static int irq_load(struct vsva_engine *e)
{
	struct irq_bpf *s;
	int rc;

	s = irq_bpf__open();
	if (!s)
		return -errno;
	set_autoload(s, e);
	s->rodata->tp_off = e->caps.tp_off;
	vsva_obj_prepare(s->obj, e->caps.prealloc &&
			 e->irq_inj.rung == VSVA_RUNG_CLASSIC_TP);
	/* one VM identity for every object */
	rc = e->vm_info_fd >= 0 ?
	     bpf_map__reuse_fd(s->maps.vm_info, e->vm_info_fd) : 0;
	if (!rc)
		rc = bpf_map__set_max_entries(s->maps.irq_fast,
					      e->ncpus * VSVA_IRQ_FAST_SLOTS);
	if (!rc)
		rc = irq_bpf__load(s);
	e->irq = s;
	if (!rc)
		rc = map_fast(e, s);
	if (!rc)
		rc = irq_bpf__attach(s);
	if (rc) {
		irq_close(e);
		return rc;
	}
	if (e->vm_info_fd < 0)
		e->vm_info_fd = bpf_map__fd(s->maps.vm_info);
	return 0;
}

const struct vsva_obj vsva_irq_obj = {
	.name = "irq", .choices = irq_choices, .choose = irq_choose,
	.load = irq_load, .owner = irq_owner,
};

void irq_close(struct vsva_engine *e)
{
	if (e->irq_fast)
		munmap((void *)e->irq_fast, fast_bytes(e));
	e->irq_fast = NULL;
	irq_bpf__destroy(e->irq);
	e->irq = NULL;
}

int irq_prog_fds(struct vsva_engine *e, int *fds, const char **names, int max)
{
	return e->irq ? vsva_prog_fds(e->irq->obj, fds, names, max) : 0;
}

/* The irq metric families, in exposition order. */
enum { F_INJECTED, F_GSI, F_PI, F_PRODUCERS, F_CONNECTS, F_DISCONNECTS,
       F_CONNECTED, F_IRQ_N };

static const struct {
	const char *name, *help;
	enum vsva_mtype type;
} irq_fams[F_IRQ_N] = {
	[F_INJECTED] = { "vsva_kvm_irq_injected_total",
		"Interrupts KVM injected in software, by path (msi: irq is "
		"the vector; ioapic: the pin; pic: chip*8+pin); vm=\"kernel/0\" "
		"for injections deferred to a kernel worker.", VSVA_COUNTER },
	[F_GSI] = { "vsva_kvm_irq_gsi_asserted_total",
		"GSI assertions (kvm_set_irq with level 1; de-assertions are "
		"not counted).", VSVA_COUNTER },
	[F_PI] = { "vsva_kvm_pi_irte_updates_total",
		"Posted-interrupt IRTE updates (kvm_pi_irte_update), by GSI "
		"and op (set: posting on, clear: back to remapped).",
		VSVA_COUNTER },
	[F_PRODUCERS] = { "vsva_kvm_irq_bypass_producers",
		"IRQ bypass producers (VFIO/vDPA interrupts) connected to the "
		"VM's irqfds; see vsva_probe_info{measurement=\"kvm_irq_bypass\"} "
		"for how it is counted.", VSVA_GAUGE },
	[F_CONNECTS] = { "vsva_irq_bypass_connects_total",
		"IRQ bypass producer/consumer pairs connected, by the "
		"connecting task's VM.", VSVA_COUNTER },
	[F_DISCONNECTS] = { "vsva_irq_bypass_disconnects_total",
		"IRQ bypass producer/consumer pairs disconnected.",
		VSVA_COUNTER },
	[F_CONNECTED] = { "vsva_irq_bypass_connected",
		"IRQ bypass pairs connected now (connects minus disconnects "
		"seen since vsva started).", VSVA_GAUGE },
};

static const char *const path_name[] = {
	[VSVA_IRQ_MSI] = "msi",
	[VSVA_IRQ_IOAPIC] = "ioapic",
	[VSVA_IRQ_PIC] = "pic",
};

/* Per-VM gauges, accumulated while the keys are walked. */
struct vm_gauges {
	__u32 tgid;
	long long producers, pi, connected;
	bool any_producer, any_connect;
};

static struct vm_gauges *gauges_for(struct vm_gauges *g, int *n, int max,
				    __u32 tgid)
{
	int i;

	for (i = 0; i < *n; i++)
		if (g[i].tgid == tgid)
			return &g[i];
	if (*n == max)
		return NULL;
	memset(&g[*n], 0, sizeof(g[*n]));
	g[*n].tgid = tgid;
	return &g[(*n)++];
}

static void add_key(struct vsva_engine *e, struct vsva_family **f,
		    const struct vsva_irq_key *k, __u64 v, struct vm_gauges *g)
{
	char vm[VSVA_COMM_LEN + 16], id[16];
	long long d = (long long)v;

	vsva_vm_label(e, k->tgid, vm, sizeof(vm));
	snprintf(id, sizeof(id), "%u", k->id);
	switch (k->kind) {
	case VSVA_IRQ_MSI:
	case VSVA_IRQ_IOAPIC:
	case VSVA_IRQ_PIC:
		vsva_family_add(f[F_INJECTED], v, "vm", vm, "path",
				path_name[k->kind], "irq", id, NULL);
		break;
	case VSVA_IRQ_GSI_ASSERT:
		vsva_family_add(f[F_GSI], v, "vm", vm, "gsi", id, NULL);
		break;
	case VSVA_IRQ_PI_SET:
	case VSVA_IRQ_PI_CLEAR:
		vsva_family_add(f[F_PI], v, "vm", vm, "gsi", id, "op",
				k->kind == VSVA_IRQ_PI_SET ? "set" : "clear",
				NULL);
		g->pi += k->kind == VSVA_IRQ_PI_SET ? d : -d;
		break;
	case VSVA_IRQ_BYPASS_ADD:
	case VSVA_IRQ_BYPASS_DEL:
		g->producers += k->kind == VSVA_IRQ_BYPASS_ADD ? d : -d;
		g->any_producer = true;
		break;
	case VSVA_IRQ_CONNECT:
	case VSVA_IRQ_DISCONNECT:
		vsva_family_add(f[k->kind == VSVA_IRQ_CONNECT ? F_CONNECTS :
				  F_DISCONNECTS], v, "vm", vm, "irq", id, NULL);
		g->connected += k->kind == VSVA_IRQ_CONNECT ? d : -d;
		g->any_connect = true;
		break;
	}
}

static void add_gauges(struct vsva_engine *e, struct vsva_family **f,
		       const struct vm_gauges *g, int n)
{
	char vm[VSVA_COMM_LEN + 16];
	long long producers;
	int i;

	for (i = 0; i < n; i++) {
		vsva_vm_label(e, g[i].tgid, vm, sizeof(vm));
		producers = e->irq_bypass.rung == VSVA_RUNG_OWN_TP ?
			    g[i].producers : g[i].pi;
		if (e->irq_bypass.rung && g[i].tgid &&
		    (g[i].any_producer || e->irq_bypass.rung != VSVA_RUNG_OWN_TP))
			vsva_family_add(f[F_PRODUCERS],
					producers > 0 ? producers : 0,
					"vm", vm, NULL);
		if (g[i].any_connect)
			vsva_family_add(f[F_CONNECTED],
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

static void agg_add(struct irq_aggs *g, const struct vsva_irq_key *k, __u64 v)
{
	struct irq_agg *bigger;
	int i;

	for (i = 0; i < g->n; i++) {
		if (g->a[i].key.tgid == k->tgid && g->a[i].key.kind == k->kind &&
		    g->a[i].key.id == k->id) {
			g->a[i].sum += v;
			return;
		}
	}
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

static void count_add(struct vsva_engine *e, void *ctx, const void *key,
		      const void *val)
{
	agg_add(ctx, key, *(const __u64 *)val);
}

/* The count map: one key, per-CPU counts. */
static void collect_counts(struct vsva_engine *e, struct irq_aggs *g)
{
	struct vsva_walk w = {
		.fd = bpf_map__fd(e->irq->maps.irq_counts),
		.ksz = sizeof(struct vsva_irq_key), .vsz = sizeof(__u64),
		.percpu = true, .fn = count_add, .ctx = g,
	};

	if (vsva_map_walk(e, &w))
		g->oom = true;
}

static void collect_slot(struct vsva_engine *e, struct irq_aggs *g,
			 const struct vsva_irq_fast *f)
{
	struct vsva_vm_info info;

	if (!f->count)
		return;
	/* a retired VM's slot waits to be reused */
	if (f->key.tgid && !vsva_vm_get(e, f->key.tgid, &info))
		return;
	agg_add(g, &f->key, f->count);
}

/*
 * Read a slot the BPF side may be writing.  It only increments a live
 * slot's count; taking a slot over writes count 0, the key, count 1, in
 * that order (x86 keeps stores and loads in order).  So the same key
 * read before and after the count means the count belongs to that key.
 */
static bool read_slot(const volatile struct vsva_irq_fast *p,
		      struct vsva_irq_fast *out)
{
	struct vsva_irq_key k2;

	out->key.tgid = p->key.tgid;
	out->key.kind = p->key.kind;
	out->key.id = p->key.id;
	out->count = p->count;
	k2.tgid = p->key.tgid;
	k2.kind = p->key.kind;
	k2.id = p->key.id;
	return k2.tgid == out->key.tgid && k2.kind == out->key.kind &&
	       k2.id == out->key.id;
}

/* The per-CPU cache: each CPU's slot may hold another key. */
static void collect_fast(struct vsva_engine *e, struct irq_aggs *g)
{
	size_t i, n = (size_t)e->ncpus * VSVA_IRQ_FAST_SLOTS;
	struct vsva_irq_fast slot;
	int tries;

	for (i = 0; i < n; i++) {
		for (tries = 0; tries < 100; tries++)
			if (read_slot(&e->irq_fast[i], &slot))
				break;
		if (tries == 100)
			g->oom = true;	/* cannot be: a takeover is 3 stores */
		else
			collect_slot(e, g, &slot);
	}
}

void irq_snapshot(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vm_gauges gauges[VSVA_MAX_VMS];
	struct vsva_family *f[F_IRQ_N];
	struct irq_aggs g = { 0 };
	int i, ng = 0;

	for (i = 0; i < F_IRQ_N; i++)
		f[i] = vsva_snap_family(s, irq_fams[i].name, irq_fams[i].help,
					irq_fams[i].type);
	if (!e->irq)
		return;
	collect_counts(e, &g);
	collect_fast(e, &g);
	if (g.oom)
		f[F_INJECTED]->incomplete = true;
	for (i = 0; i < g.n; i++) {
		struct vm_gauges *vg = gauges_for(gauges, &ng, VSVA_MAX_VMS,
						  g.a[i].key.tgid);

		if (!vg) {
			f[F_INJECTED]->incomplete = true;
			continue;
		}
		add_key(e, f, &g.a[i].key, g.a[i].sum, vg);
	}
	add_gauges(e, f, gauges, ng);
	free(g.a);
}

static const char *const irq_drop_name[VSVA_IRQ_DROPS] = {
	[VSVA_IRQ_DROP_MAP_FULL] = "irq_map_full",
	[VSVA_IRQ_DROP_VMINFO_FULL] = "irq_vm_info_map_full",
};

void irq_drops(struct vsva_engine *e, struct vsva_family *f)
{
	__u64 total;
	__u32 r;

	for (r = 0; r < VSVA_IRQ_DROPS; r++) {
		total = 0;
		if (e->irq)
			vsva_sum_percpu(e, bpf_map__fd(e->irq->maps.irq_drops),
					&r, &total, 1);
		vsva_family_add(f, total, "reason", irq_drop_name[r], NULL);
	}
}

/* Retire the counts of VMs the GC retired. */
void irq_forget(struct vsva_engine *e, const __u32 *tgids, int n)
{
	struct vsva_irq_key key, next, *prev = NULL;
	int fd, i;

	if (!e->irq || !n)
		return;
	fd = bpf_map__fd(e->irq->maps.irq_counts);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		for (i = 0; i < n; i++) {
			if (key.tgid != tgids[i])
				continue;
			bpf_map_delete_elem(fd, &key);
			prev = NULL;	/* restart: the current key is gone */
			break;
		}
	}
}

static const char *const pi_kind[VSVA_PI_ROWS] = {
	[VSVA_PI_NOTIFY] = "notification",
	[VSVA_PI_NESTED] = "nested_notification",
	[VSVA_PI_WAKEUP] = "wakeup",
};

/* Start reading /proc/interrupts beside the map reads of a snapshot.
 * Without the helper thread posted_snapshot() reads it itself. */
void posted_kick(struct vsva_engine *e)
{
	if (e->posted.rung != VSVA_RUNG_PROCFS)
		return;
	if (!e->pi_reader && !e->pi_reader_failed) {
		e->pi_reader = vsva_pi_reader_start();
		e->pi_reader_failed = !e->pi_reader;
	}
	if (e->pi_reader)
		vsva_pi_reader_kick(e->pi_reader);
}

void posted_snapshot(struct vsva_engine *e, struct vsva_snapshot *s)
{
	struct vsva_family *f;
	struct vsva_pi_counts pi;
	char cpu[16], *text;
	int row, i;

	f = vsva_snap_family(s, "vsva_posted_interrupts_total",
		"Posted-interrupt events per CPU from /proc/interrupts: "
		"notification (PIN), nested_notification (NPI), wakeup (PIW).",
		VSVA_COUNTER);
	if (e->posted.rung != VSVA_RUNG_PROCFS)
		return;
	text = e->pi_reader ? vsva_pi_reader_wait(e->pi_reader) :
			      vsva_read_proc_interrupts();
	if (!text || vsva_parse_pi(text, &pi)) {
		f->incomplete = true;
		free(text);
		return;
	}
	for (row = 0; row < VSVA_PI_ROWS; row++) {
		for (i = 0; pi.present[row] && i < pi.ncpus; i++) {
			snprintf(cpu, sizeof(cpu), "%d", pi.cpu[i]);
			vsva_family_add(f, pi.count[row][i], "cpu", cpu,
					"kind", pi_kind[row], NULL);
		}
	}
	vsva_pi_free(&pi);
	free(text);
}
