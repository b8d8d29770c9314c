// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's output: per VM and measurement, as a table, JSON or
 * CSV; the slowest operations; the timeline.  A task that never did a
 * VMM's work in the recording is not a VM: what it injected is counted
 * as "unattributed" (kernel workers as "kernel/0"), as vsvad counts it.
 * Strings from the recording (comm, host name, kernel release) hold any
 * bytes: escaped for JSON and CSV, control characters shown as '?' in
 * text (tools/common/textesc.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perf-report.h"
#include "textesc.h"
#include "vsva/names.h"

#define NS	1e-9

struct stats {
	uint64_t count, errors, n;
	double min, p50, p99, max, mean, sd, total;
};

struct out_vm {
	const struct vm *vm;
	char name[40];
	uint32_t pid;
	struct stat_row row[K_N];	/* counts merged; ns borrowed */
	uint64_t unpaired;
	struct drow *d;			/* device rows, merged: owned */
	int nd, capd;
};

/* A row as printed: a key of a measurement and its statistics. */
struct orow {
	int meas;
	const char *key;		/* keyinfo name, or the device op */
	const struct drow *d;		/* device row: its labels */
	bool timed, errs, sum;
	struct stats st;
	uint64_t entries;
};

static const struct {
	const char *name;
	enum meas m;
	bool timed, errs, sum;
} keyinfo[K_N] = {
	[K_ALL_FAST] = { "all_fast", M_MEMSLOT, true, true },
	[K_MEMSLOT] = { "memslot", M_MEMSLOT, true, true },
	[K_NO_ZAP] = { "no_zap", M_MEMSLOT, true, true },
	[K_MSI] = { "msi", M_IRQ },
	[K_IOAPIC] = { "ioapic", M_IRQ },
	[K_PIC] = { "pic", M_IRQ },
	[K_GSI] = { "gsi_assert", M_IRQ },
	[K_CREATED] = { "created", M_MMU },
	[K_ZAPPED] = { "shadow_zapped", M_MMU },
	[K_HWPT_PAGING] = { "hwpt_alloc_paging", M_IOMMUFD, false, true },
	[K_HWPT_NESTED] = { "hwpt_alloc_nested", M_IOMMUFD, false, true },
	[K_HWPT_INV] = { "hwpt_invalidate", M_IOMMUFD, true, true, true },
	[K_BP_ADD] = { "add_producer", M_BYPASS, false, true },
	[K_BP_DEL] = { "del_producer", M_BYPASS, false, true },
	[K_IRTE_SET] = { "irte_set", M_BYPASS },
	[K_IRTE_CLEAR] = { "irte_clear", M_BYPASS },
	[K_CONNECT] = { "connect", M_CONNECT, false, true },
	[K_DISCONNECT] = { "disconnect", M_CONNECT, false, true },
};

static const char *const measname[M_N] = {
	[M_MEMSLOT] = "kvm_memslot_zap", [M_IRQ] = "kvm_irq_injection",
	[M_MMU] = "kvm_mmu_pages", [M_PASID] = "iommu_pasid",
	[M_SVA] = "iommu_sva", [M_IOMMUFD] = "iommufd_nested",
	[M_BYPASS] = "kvm_irq_bypass", [M_CONNECT] = "irq_bypass_connect",
};

static const char *const dopname[D_N] = {
	[D_PASID_ATTACH] = "attach", [D_PASID_DETACH] = "detach",
	[D_SVA_BIND] = "bind", [D_SVA_UNBIND] = "unbind",
};

static int dop_meas(const struct drow *d)
{
	return d->op <= D_PASID_DETACH ? M_PASID : M_SVA;
}

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
	int i;

	for (i = 0; i < o->nd && !x; i++)
		if (o->d[i].op == d->op && o->d[i].domain_type == d->domain_type &&
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
	bigger = realloc(x->st.ns, (x->st.n_ns + d->st.n_ns) * sizeof(uint64_t));
	if (!bigger)
		return -1;
	x->st.ns = (uint64_t *)bigger;
	memcpy(x->st.ns + x->st.n_ns, d->st.ns, d->st.n_ns * sizeof(uint64_t));
	x->st.n_ns += d->st.n_ns;
	return 0;
}

static void out_free(struct out_vm *o, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < o[i].nd; k++)
			free(o[i].d[k].st.ns);
		free(o[i].d);
	}
}

/* Where the rows of thread group @v are reported: its own, or merged. */
static struct out_vm *out_of(struct out_vm *o, const int *idx,
			     const struct report *r, const struct vm *v)
{
	if (v && v->vmm)
		return &o[idx[v - r->vms]];
	return kernel_comm(v ? v->comm : "") ? &o[1] : &o[0];
}

/* The VMs as reported: VMMs by name, the rest merged. */
static int collect(struct report *r, struct out_vm *o)
{
	int *idx = calloc(VM_N, sizeof(*idx));
	int i, k, n = 2;

	if (!idx)
		return -1;
	memset(o, 0, 2 * sizeof(*o));
	snprintf(o[0].name, sizeof(o[0].name), "unattributed");
	snprintf(o[1].name, sizeof(o[1].name), "kernel/0");
	for (i = 0; i < VM_N; i++) {
		struct vm *v = &r->vms[i];
		struct out_vm *dst;

		if (!v->used)
			continue;
		if (v->vmm) {
			idx[i] = n;
			dst = &o[n++];
			memset(dst, 0, sizeof(*dst));
			dst->vm = v;
			dst->pid = v->tgid;
			snprintf(dst->name, sizeof(dst->name), "%s/%u",
				 v->comm[0] ? v->comm : "?", v->tgid);
			memcpy(dst->row, v->row, sizeof(dst->row));
			dst->unpaired = v->unpaired;
			continue;
		}
		dst = out_of(o, idx, r, v);
		for (k = 0; k < K_N; k++) {
			dst->row[k].count += v->row[k].count;
			dst->row[k].errors += v->row[k].errors;
			dst->row[k].sum += v->row[k].sum;
		}
		dst->unpaired += v->unpaired;
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

/* @o's rows with a count, as printed; how many (*rows: free it). */
static int rows_of(struct out_vm *o, struct orow **rows)
{
	struct orow *v = calloc(K_N + o->nd + 1, sizeof(*v));
	int k, n = 0;

	*rows = v;
	if (!v)
		return 0;
	for (k = 0; k < K_N; k++) {
		if (!o->row[k].count)
			continue;
		v[n] = (struct orow){ .meas = keyinfo[k].m,
			.key = keyinfo[k].name, .timed = keyinfo[k].timed,
			.errs = keyinfo[k].errs, .sum = keyinfo[k].sum,
			.entries = o->row[k].sum };
		stats_of(&o->row[k], &v[n++].st);
	}
	for (k = 0; k < o->nd; k++) {
		v[n] = (struct orow){ .meas = dop_meas(&o->d[k]),
			.key = dopname[o->d[k].op], .d = &o->d[k],
			.timed = true, .errs = true };
		stats_of(&o->d[k].st, &v[n++].st);
	}
	return n;
}

/* A row's key as printed: the device op with its labels. */
static void row_key(const struct orow *w, char *buf, size_t len)
{
	if (w->d)
		snprintf(buf, len, "%s device=%s domain_type=%s", w->key,
			 w->d->dev, vsva_domain_type_name(w->d->domain_type));
	else
		snprintf(buf, len, "%s", w->key);
}

static double sort_key(const struct stats *st, enum sort s)
{
	return s == SORT_COUNT ? st->count : s == SORT_TOTAL ? st->total :
	       s == SORT_P99 ? st->p99 : st->max;
}

static bool empty_vm(const struct out_vm *o)
{
	int k;

	for (k = 0; k < K_N; k++)
		if (o->row[k].count)
			return false;
	return !o->unpaired && !o->nd;
}

static enum sort g_sort;

static int cmp_row(const void *a, const void *b)
{
	double x = sort_key(&((const struct orow *)a)->st, g_sort);
	double y = sort_key(&((const struct orow *)b)->st, g_sort);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void text_row(const struct orow *w, double total, int width, FILE *f)
{
	char key[96];

	row_key(w, key, sizeof(key));
	fprintf(f, "  %-18s %-*s %9llu %6llu", measname[w->meas], width, key,
		(unsigned long long)w->st.count,
		(unsigned long long)w->st.errors);
	if (w->st.n)
		fprintf(f, " %9.2fus %9.2fus %9.2fus %9.2fus %9.2fus +- "
			"%5.1f%% %5.1f%%", w->st.min * 1e6, w->st.p50 * 1e6,
			w->st.p99 * 1e6, w->st.max * 1e6, w->st.mean * 1e6,
			w->st.mean ? 100 * w->st.sd / w->st.mean : 0,
			total ? 100 * w->st.total / total : 0);
	if (w->sum)
		fprintf(f, " (%llu entries)", (unsigned long long)w->entries);
	fputc('\n', f);
}

static void text_vm(struct report *r, struct out_vm *o, FILE *f)
{
	struct orow *rows;
	double total = 0;
	int n = rows_of(o, &rows), i, width = 13;
	char key[96];

	for (i = 0; i < n; i++) {
		total += rows[i].st.total;
		row_key(&rows[i], key, sizeof(key));
		if ((int)strlen(key) > width)
			width = strlen(key);
	}
	char name[sizeof(o->name)];

	g_sort = r->sort;	/* by --sort, largest first */
	qsort(rows, n, sizeof(*rows), cmp_row);
	esc_text(name, sizeof(name), o->name);
	fprintf(f, "\nVM %s\n", name);
	fprintf(f, "  %-18s %-*s %9s %6s %10s %10s %10s %10s %21s %6s\n",
		"measurement", width, "key", "count", "errors", "min", "p50",
		"p99", "max", "mean +- stddev", "time%");
	for (i = 0; i < n; i++)
		text_row(&rows[i], total, width, f);
	if (o->unpaired)
		fprintf(f, "  %llu operation(s) without their enter or exit "
			"(not paired, not counted)\n",
			(unsigned long long)o->unpaired);
	free(rows);
}

static int cmp_op_slow(const void *a, const void *b)
{
	const struct op *x = *(const struct op *const *)a;
	const struct op *y = *(const struct op *const *)b;
	uint64_t dx = x->end - x->start, dy = y->end - y->start;

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

static void op_name(const struct report *r, const struct op *o, char *buf,
		    size_t len)
{
	const struct vm *v = rep_vm_find(r, o->tgid);

	snprintf(buf, len, "%s/%u", v ? v->comm : "?", o->tgid);
}

/* @o's measurement and key; its device row, if it has one. */
static const struct drow *op_key(const struct report *r, const struct op *o,
				 const char **meas, const char **key)
{
	const struct drow *d = o->drow >= 0 ? &r->drows[o->drow] : NULL;

	*meas = measname[d ? dop_meas(d) : (int)keyinfo[o->key].m];
	*key = d ? dopname[d->op] : keyinfo[o->key].name;
	return d;
}

static void op_text(const struct report *r, const struct op *o, FILE *f)
{
	const char *meas, *key;
	const struct drow *d = op_key(r, o, &meas, &key);
	char name[40], vm[40];

	op_name(r, o, name, sizeof(name));
	esc_text(vm, sizeof(vm), name);
	fprintf(f, "  %16.9f %4d %8u %-22s %-16s %-9s %10.2fus %s", o->start * NS,
		o->cpu, o->tid, vm, meas, key, (o->end - o->start) * 1e-3,
		o->ok ? "ok   " : "error");
	if (d)
		fprintf(f, " device=%s domain_type=%s\n", d->dev,
			vsva_domain_type_name(d->domain_type));
	else if (o->key <= K_NO_ZAP)
		fprintf(f, " %8u %10.3fms\n", o->pages, o->rebuild_ns * 1e-6);
	else
		fputc('\n', f);
}

static void op_json(const struct report *r, const struct op *o, FILE *f,
		    bool first)
{
	const char *meas, *key;
	const struct drow *d = op_key(r, o, &meas, &key);
	char vm[40];

	op_name(r, o, vm, sizeof(vm));
	fprintf(f, "%s{\"time\":%.9f,\"cpu\":%d,\"tid\":%u,\"vm\":",
		first ? "" : ",", o->start * NS, o->cpu, o->tid);
	esc_json(f, vm);
	fprintf(f, ",\"measurement\":\"%s\",\"key\":\"%s\",\"seconds\":%.9f,"
		"\"ok\":%s", meas, key, (o->end - o->start) * NS,
		o->ok ? "true" : "false");
	if (d) {
		fputs(",\"device\":", f);
		esc_json(f, d->dev);
		fprintf(f, ",\"domain_type\":\"%s\"",
			vsva_domain_type_name(d->domain_type));
	}
	else if (o->key <= K_NO_ZAP)
		fprintf(f, ",\"mode\":\"%s\",\"pages_rebuilt\":%u,"
			"\"rebuild_seconds\":%.9f", key, o->pages,
			o->rebuild_ns * NS);
	fputc('}', f);
}

/* The slowest @r->top operations, slowest first: NULL-free array. */
static const struct op **slowest(const struct report *r, uint64_t *n)
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

static uint64_t total_events(const struct report *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < EV_N; i++)
		n += r->events[i];
	return n;
}

static void text_header(const struct report *r, FILE *f)
{
	char file[sizeof(r->file)], kernel[sizeof(r->kernel)],
	     host[sizeof(r->host)];

	esc_text(file, sizeof(file), r->file);
	esc_text(kernel, sizeof(kernel), r->kernel);
	esc_text(host, sizeof(host), r->host);
	fprintf(f, "vsva-perf report: %s", file);
	if (r->kernel[0])
		fprintf(f, " (Linux %s on %s)", kernel, host);
	fprintf(f, "\n  %llu vsva events over %.3f s; lost events: %llu%s\n",
		(unsigned long long)total_events(r),
		r->last > r->first ? (r->last - r->first) * NS : 0.0,
		(unsigned long long)r->lost, r->lost ?
		" (INCOMPLETE: every count below may be short)" : "");
	if (r->undecodable)
		fprintf(f, "  %llu events whose fields the recording's format "
			"lacks (not counted)\n",
			(unsigned long long)r->undecodable);
	if (r->pending_full || r->rows_full)
		fprintf(f, "  INCOMPLETE: %llu operations not paired (over %d "
			"threads with one open), %llu not counted (over %d "
			"device rows)\n", (unsigned long long)r->pending_full,
			PENDING_N, (unsigned long long)r->rows_full, DROW_N);
}

static void print_text(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	uint64_t i, m;
	int j;

	text_header(r, f);
	for (j = 2; j < n + 2; j++)
		if (!empty_vm(&o[j < n ? j : j - n]))
			text_vm(r, &o[j < n ? j : j - n], f);
	v = slowest(r, &m);
	if (v && m) {
		fprintf(f, "\nSlowest %llu operations (for a deletion: the MMU "
			"pages rebuilt after it, and for how long):\n",
			(unsigned long long)m);
		fprintf(f, "  %16s %4s %8s %-22s %-16s %-9s %12s %-5s %8s %12s\n",
			"time", "cpu", "tid", "vm", "measurement", "key",
			"latency", "", "rebuilt", "rebuild");
		for (i = 0; i < m; i++)
			op_text(r, v[i], f);
	}
	free(v);
	if (r->timeline) {
		fprintf(f, "\nTimeline:\n");
		for (i = 0; i < r->nops; i++)
			op_text(r, &r->ops[i], f);
	}
}

static void json_row(const struct orow *w, FILE *f)
{
	fprintf(f, "{\"count\":%llu", (unsigned long long)w->st.count);
	if (w->errs)
		fprintf(f, ",\"errors\":%llu",
			(unsigned long long)w->st.errors);
	if (w->timed)
		fprintf(f, ",\"min_seconds\":%.9f,\"p50_seconds\":%.9f,"
			"\"p99_seconds\":%.9f,\"max_seconds\":%.9f,"
			"\"mean_seconds\":%.9f,\"stddev_seconds\":%.9f,"
			"\"total_seconds\":%.9f", w->st.min, w->st.p50,
			w->st.p99, w->st.max, w->st.mean, w->st.sd,
			w->st.total);
	if (w->sum)
		fprintf(f, ",\"entries\":%llu", (unsigned long long)w->entries);
	if (w->d) {
		fprintf(f, ",\"labels\":{\"op\":\"%s\",\"device\":", w->key);
		esc_json(f, w->d->dev);
		fprintf(f, ",\"domain_type\":\"%s\"}",
			vsva_domain_type_name(w->d->domain_type));
	}
	fputc('}', f);
}

static void json_vm(struct out_vm *o, FILE *f, bool first)
{
	struct orow *rows;
	int n = rows_of(o, &rows), m, i;
	bool any = false, open;
	char key[96];

	fprintf(f, "%s{\"vm\":", first ? "" : ",");
	esc_json(f, o->name);
	fprintf(f, ",\"pid\":%u,\"comm\":", o->pid);
	esc_json(f, o->vm ? o->vm->comm : "");
	fprintf(f, ",\"unpaired\":%llu,\"measurements\":{",
		(unsigned long long)o->unpaired);
	for (m = 0; m < M_N; m++) {
		open = false;
		for (i = 0; i < n; i++) {
			if (rows[i].meas != m)
				continue;
			fprintf(f, "%s", open ? "," : any ? ",\"" : "\"");
			if (!open)
				fprintf(f, "%s\":{", measname[m]);
			row_key(&rows[i], key, sizeof(key));
			esc_json(f, key);
			fputc(':', f);
			json_row(&rows[i], f);
			open = any = true;
		}
		if (open)
			fputc('}', f);
	}
	fputs("}}", f);
	free(rows);
}

static void print_json(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	bool first = true;
	uint64_t i, m;
	int j;

	fputs("{\"recording\":{\"file\":", f);
	esc_json(f, r->file);
	fputs(",\"kernel\":", f);
	esc_json(f, r->kernel);
	fputs(",\"host\":", f);
	esc_json(f, r->host);
	fprintf(f, ",\"duration_seconds\":%.9f,\"events\":{",
		r->last > r->first ? (r->last - r->first) * NS : 0.0);
	for (j = 0; j < EV_N; j++)
		fprintf(f, "%s\"%s\":%llu", j ? "," : "", ev_names[j],
			(unsigned long long)r->events[j]);
	fprintf(f, "}},\"lost_events\":%llu,\"lost_records\":%llu,"
		"\"incomplete\":%s,\"undecodable\":%llu,\"unpaired_overflow\":"
		"%llu,\"rows_overflow\":%llu,\"vms\":[",
		(unsigned long long)r->lost,
		(unsigned long long)r->lost_records,
		r->lost || r->pending_full || r->rows_full ? "true" : "false",
		(unsigned long long)r->undecodable,
		(unsigned long long)r->pending_full,
		(unsigned long long)r->rows_full);
	for (j = 2; j < n + 2; j++) {
		struct out_vm *x = &o[j < n ? j : j - n];

		if (empty_vm(x))
			continue;
		json_vm(x, f, first);
		first = false;
	}
	fputs("],\"slowest\":[", f);
	v = slowest(r, &m);
	for (i = 0; v && i < m; i++)
		op_json(r, v[i], f, !i);
	free(v);
	fputc(']', f);
	if (r->timeline) {
		fputs(",\"timeline\":[", f);
		for (i = 0; i < r->nops; i++)
			op_json(r, &r->ops[i], f, !i);
		fputc(']', f);
	}
	fputs("}\n", f);
}

static void print_csv(struct report *r, struct out_vm *o, int n, FILE *f)
{
	struct orow *rows;
	char key[96];
	int j, k, nr;

	fprintf(f, "vm,pid,measurement,key,count,errors,min_seconds,"
		"p50_seconds,p99_seconds,max_seconds,mean_seconds,"
		"stddev_seconds,incomplete\n");
	for (j = 2; j < n + 2; j++) {
		struct out_vm *x = &o[j < n ? j : j - n];

		nr = rows_of(x, &rows);
		for (k = 0; k < nr; k++) {
			row_key(&rows[k], key, sizeof(key));
			esc_csv(f, x->name);
			fprintf(f, ",%u,%s,", x->pid, measname[rows[k].meas]);
			esc_csv(f, key);
			fprintf(f, ",%llu,%llu,",
				(unsigned long long)rows[k].st.count,
				(unsigned long long)rows[k].st.errors);
			if (rows[k].st.n)
				fprintf(f, "%.9f,%.9f,%.9f,%.9f,%.9f,%.9f,",
					rows[k].st.min, rows[k].st.p50,
					rows[k].st.p99, rows[k].st.max,
					rows[k].st.mean, rows[k].st.sd);
			else
				fputs(",,,,,,", f);
			fprintf(f, "%s\n", r->lost ? "true" : "false");
		}
		free(rows);
	}
}

int rep_print(struct report *r, FILE *f)
{
	struct out_vm *o = calloc(VM_N + 2, sizeof(*o));
	int n;

	if (!o)
		return -1;
	n = collect(r, o);
	if (n < 0) {
		free(o);
		return -1;
	}
	if (r->fmt == OUT_JSON)
		print_json(r, o, n, f);
	else if (r->fmt == OUT_CSV)
		print_csv(r, o, n, f);
	else
		print_text(r, o, n, f);
	out_free(o, n);
	free(o);
	return total_events(r) ? 0 : 1;
}
