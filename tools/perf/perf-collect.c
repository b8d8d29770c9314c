// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's VMs as reported: a task that never did a VMM's work
 * in the recording is not a VM, so what it did is counted as
 * "unattributed" (kernel workers as "kernel/0"), as vsvad counts it; the
 * rows each VM prints, with their statistics; the slowest operations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perf-out.h"
#include "vsva/names.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static double pct(const uint64_t *v, uint64_t n, int p)
{
	uint64_t i = (n * p + 99) / 100;

	return v[i ? i - 1 : 0] * NS;
}

static void stats_of(struct stat_row *row, struct stats *st)
{
	double sum = 0, sq = 0;
	uint64_t i;

	memset(st, 0, sizeof(*st));
	st->count = row->count;
	st->errors = row->errors;
	st->n = row->n_ns;
	if (!row->n_ns)
		return;
	qsort(row->ns, row->n_ns, sizeof(*row->ns), cmp_u64);
	for (i = 0; i < row->n_ns; i++) {
		sum += row->ns[i] * NS;
		sq += row->ns[i] * NS * row->ns[i] * NS;
	}
	st->min = row->ns[0] * NS;
	st->max = row->ns[row->n_ns - 1] * NS;
	st->p50 = pct(row->ns, row->n_ns, 50);
	st->p99 = pct(row->ns, row->n_ns, 99);
	st->total = sum;
	st->mean = sum / row->n_ns;
	st->sd = sqrt(fmax(0, sq / row->n_ns - st->mean * st->mean));
}

/* A kernel thread's name: what it did is counted as kernel/0, as vsvad
 * counts it (perf's samples carry no kernel-thread flag). */
static bool kernel_comm(const char *c)
{
	static const char *const kthreads[] = {
		"kworker/", "irq/", "ksoftirqd/", "kunit_try_catch",
		"kthreadd", "swapper", "migration/", "rcu_", NULL,
	};
	int i;

	for (i = 0; kthreads[i]; i++)
		if (!strncmp(c, kthreads[i], strlen(kthreads[i])))
			return true;
	return !c[0];
}

/* Merge device row @d into @o's rows (latencies copied). */
static int drow_merge(struct out_vm *o, const struct drow *d)
{
	struct drow *x = NULL, *bigger;
	uint64_t *ns;
	int i;

	for (i = 0; i < o->nd && !x; i++)
		if (o->d[i].key == d->key &&
		    o->d[i].domain_type == d->domain_type &&
		    !strcmp(o->d[i].dev, d->dev))
			x = &o->d[i];
	if (!x) {
		if (o->nd == o->capd) {
			o->capd = o->capd ? o->capd * 2 : 8;
			bigger = realloc(o->d, o->capd * sizeof(*o->d));
			if (!bigger)
				return -1;
			o->d = bigger;
		}
		x = &o->d[o->nd++];
		*x = *d;
		x->st = (struct stat_row){ 0 };
	}
	x->st.count += d->st.count;
	x->st.errors += d->st.errors;
	if (!d->st.n_ns)
		return 0;
	ns = realloc(x->st.ns, (x->st.n_ns + d->st.n_ns) * sizeof(*ns));
	if (!ns)
		return -1;
	x->st.ns = ns;
	memcpy(x->st.ns + x->st.n_ns, d->st.ns, d->st.n_ns * sizeof(*ns));
	x->st.n_ns += d->st.n_ns;
	return 0;
}

void out_free(struct out_vm *o, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < o[i].nd; k++)
			free(o[i].d[k].st.ns);
		free(o[i].d);
	}
	free(o[0].row);		/* the merged ones' own; VMMs' borrowed */
	free(o[1].row);
}

/* Where the rows of thread group @v are reported: its own, or merged. */
static struct out_vm *out_of(struct out_vm *o, const int *idx,
			     const struct report *r, const struct vm *v)
{
	if (v && v->vmm)
		return &o[idx[v - r->vms]];
	return kernel_comm(v ? v->comm : "") ? &o[1] : &o[0];
}

static void merge_rows(const struct report *r, struct out_vm *dst,
		       const struct vm *v)
{
	int k;

	for (k = 0; k < r->nkeys; k++) {
		dst->row[k].count += v->row[k].count;
		dst->row[k].errors += v->row[k].errors;
		dst->row[k].sum += v->row[k].sum;
		dst->row[k].sum_req += v->row[k].sum_req;
	}
	dst->unpaired += v->unpaired;
}

int out_collect(struct report *r, struct out_vm *o)
{
	int *idx = calloc(VM_N, sizeof(*idx));
	int i, n = 2;

	memset(o, 0, 2 * sizeof(*o));
	o[0].row = calloc(r->nkeys + 1, sizeof(*o[0].row));
	o[1].row = calloc(r->nkeys + 1, sizeof(*o[1].row));
	if (!idx || !o[0].row || !o[1].row) {
		free(idx);
		out_free(o, 2);
		return -1;
	}
	snprintf(o[0].name, sizeof(o[0].name), "unattributed");
	snprintf(o[1].name, sizeof(o[1].name), "kernel/0");
	for (i = 0; i < VM_N; i++) {
		struct vm *v = &r->vms[i];
		struct out_vm *dst;

		if (!v->used)
			continue;
		if (!v->vmm) {
			merge_rows(r, out_of(o, idx, r, v), v);
			continue;
		}
		idx[i] = n;
		dst = &o[n++];
		memset(dst, 0, sizeof(*dst));
		dst->vm = v;
		dst->pid = v->tgid;
		snprintf(dst->name, sizeof(dst->name), "%s/%u",
			 v->comm[0] ? v->comm : "?", v->tgid);
		dst->row = v->row;
		dst->unpaired = v->unpaired;
	}
	for (i = 0; i < PENDING_N; i++)		/* enters without exits */
		if (r->pend[i].used && r->pend[i].start)
			out_of(o, idx, r, rep_vm_find(r, r->pend[i].tgid))->unpaired++;
	for (i = 0; i < DROW_N; i++)
		if (r->drows[i].used &&
		    drow_merge(out_of(o, idx, r, rep_vm_find(r, r->drows[i].tgid)),
			       &r->drows[i]))
			r->rows_full++;
	free(idx);
	return n;
}

int out_rows(const struct report *r, struct out_vm *o, struct orow **rows)
{
	struct orow *v = calloc(r->nkeys + o->nd + 1, sizeof(*v));
	const struct dec_key *key;
	int k, n = 0;

	*rows = v;
	if (!v)
		return 0;
	for (k = 0; k < r->nkeys; k++) {
		if (!o->row[k].count)
			continue;
		key = r->keys[k];
		v[n] = (struct orow){ .meas = vsva_decoders[r->kdec[k]]->mid,
			.key = key->name, .flags = key->flags,
			.entries = o->row[k].sum,
			.entries_req = o->row[k].sum_req };
		stats_of(&o->row[k], &v[n++].st);
	}
	for (k = 0; k < o->nd; k++) {
		key = r->keys[o->d[k].key];
		v[n] = (struct orow){
			.meas = vsva_decoders[r->kdec[o->d[k].key]]->mid,
			.key = key->name, .d = &o->d[k], .flags = key->flags };
		stats_of(&o->d[k].st, &v[n++].st);
	}
	return n;
}

void out_row_key(const struct orow *w, char *buf, size_t len)
{
	if (w->d && (w->flags & KEY_DOMAIN))
		snprintf(buf, len, "%s device=%s domain_type=%s", w->key,
			 w->d->dev, vsva_domain_type_name(w->d->domain_type));
	else if (w->d)
		snprintf(buf, len, "%s device=%s", w->key, w->d->dev);
	else
		snprintf(buf, len, "%s", w->key);
}

bool out_empty(const struct report *r, const struct out_vm *o)
{
	int k;

	for (k = 0; k < r->nkeys; k++)
		if (o->row[k].count)
			return false;
	return !o->unpaired && !o->nd;
}

const struct decoder *out_op_decoder(const struct report *r,
				     const struct op *o)
{
	return vsva_decoders[r->kdec[o->key]];
}

const struct drow *out_op_key(const struct report *r, const struct op *o,
			      const char **meas, const char **key)
{
	*meas = rep_mname(out_op_decoder(r, o)->mid);
	*key = r->keys[o->key]->name;
	return o->drow >= 0 ? &r->drows[o->drow] : NULL;
}

static int cmp_op_slow(const void *a, const void *b)
{
	const struct op *x = *(const struct op *const *)a;
	const struct op *y = *(const struct op *const *)b;
	uint64_t dx = x->end - x->start, dy = y->end - y->start;

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

const struct op **out_slowest(const struct report *r, uint64_t *n)
{
	const struct op **v = malloc((r->nops + 1) * sizeof(*v));
	uint64_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < r->nops; i++)
		v[i] = &r->ops[i];
	qsort(v, r->nops, sizeof(*v), cmp_op_slow);
	*n = r->nops < r->top ? r->nops : r->top;
	return v;
}

uint64_t out_total_events(const struct report *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < r->nev; i++)
		n += r->events[i];
	return n;
}
