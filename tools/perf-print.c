// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report's output: per VM and measurement, as a table, JSON or
 * CSV; the slowest operations; the timeline.  A task that never did a
 * VMM's work in the recording is not a VM: what it injected is counted
 * as "unattributed" (kernel workers as "kernel/0"), as vsvad counts it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perf-report.h"

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
};

static const struct { const char *name; enum meas m; bool timed; }
keyinfo[K_N] = {
	[K_ALL_FAST] = { "all_fast", M_MEMSLOT, true },
	[K_MEMSLOT] = { "memslot", M_MEMSLOT, true },
	[K_NO_ZAP] = { "no_zap", M_MEMSLOT, true },
	[K_MSI] = { "msi", M_IRQ, false },
	[K_IOAPIC] = { "ioapic", M_IRQ, false },
	[K_PIC] = { "pic", M_IRQ, false },
	[K_GSI] = { "gsi_assert", M_IRQ, false },
	[K_CREATED] = { "created", M_MMU, false },
	[K_ZAPPED] = { "shadow_zapped", M_MMU, false },
};

static const char *const measname[M_N] = {
	[M_MEMSLOT] = "kvm_memslot_zap", [M_IRQ] = "kvm_irq_injection",
	[M_MMU] = "kvm_mmu_pages",
};

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

static bool kernel_comm(const char *c)
{
	return !strncmp(c, "kworker/", 8) || !strncmp(c, "irq/", 4) ||
	       !strncmp(c, "ksoftirqd/", 10) || !c[0];
}

/* The VMs as reported: VMMs by name, the rest merged. */
static int collect(struct report *r, struct out_vm *o)
{
	int i, k, n = 2;

	memset(o, 0, 2 * sizeof(*o));
	snprintf(o[0].name, sizeof(o[0].name), "unattributed");
	snprintf(o[1].name, sizeof(o[1].name), "kernel/0");
	for (i = 0; i < PENDING_N; i++)		/* enters without exits */
		if (r->pend[i].used && r->pend[i].start) {
			struct vm *v = rep_vm_find(r, r->pend[i].tgid);

			if (v)
				v->unpaired++;
			else
				o[0].unpaired++;
		}
	for (i = 0; i < VM_N; i++) {
		struct vm *v = &r->vms[i];
		struct out_vm *dst;

		if (!v->used)
			continue;
		if (v->vmm) {
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
		dst = kernel_comm(v->comm) ? &o[1] : &o[0];
		for (k = 0; k < K_N; k++) {
			dst->row[k].count += v->row[k].count;
			dst->row[k].errors += v->row[k].errors;
		}
		dst->unpaired += v->unpaired;
	}
	return n;
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
	return !o->unpaired;
}

static void text_vm(struct report *r, struct out_vm *o, FILE *f)
{
	struct stats st[K_N];
	double total = 0;
	int order[K_N], k, i, j, t;

	for (k = 0; k < K_N; k++) {
		stats_of(&o->row[k], &st[k]);
		total += st[k].total;
		order[k] = k;
	}
	for (i = 1; i < K_N; i++)	/* by --sort, largest first */
		for (j = i; j > 0 && sort_key(&st[order[j]], r->sort) >
				     sort_key(&st[order[j - 1]], r->sort); j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	fprintf(f, "\nVM %s\n", o->name);
	fprintf(f, "  %-18s %-13s %9s %6s %10s %10s %10s %10s %21s %6s\n",
		"measurement", "key", "count", "errors", "min", "p50", "p99",
		"max", "mean +- stddev", "time%");
	for (i = 0; i < K_N; i++) {
		k = order[i];
		if (!st[k].count)
			continue;
		fprintf(f, "  %-18s %-13s %9llu %6llu", measname[keyinfo[k].m],
			keyinfo[k].name, (unsigned long long)st[k].count,
			(unsigned long long)st[k].errors);
		if (st[k].n)
			fprintf(f, " %9.2fus %9.2fus %9.2fus %9.2fus %9.2fus +- "
				"%5.1f%% %5.1f%%", st[k].min * 1e6,
				st[k].p50 * 1e6, st[k].p99 * 1e6,
				st[k].max * 1e6, st[k].mean * 1e6,
				st[k].mean ? 100 * st[k].sd / st[k].mean : 0,
				total ? 100 * st[k].total / total : 0);
		fputc('\n', f);
	}
	if (o->unpaired)
		fprintf(f, "  %llu operation(s) without their enter or exit "
			"(not paired, not counted)\n",
			(unsigned long long)o->unpaired);
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

static void op_text(const struct report *r, const struct op *o, FILE *f)
{
	char vm[40];

	op_name(r, o, vm, sizeof(vm));
	fprintf(f, "  %16.9f %4d %8u %-22s %-16s %-9s %10.2fus %s %8u %10.3fms\n",
		o->start * NS, o->cpu, o->tid, vm, "kvm_memslot_zap",
		keyinfo[o->key].name, (o->end - o->start) * 1e-3,
		o->ok ? "ok   " : "error", o->pages, o->rebuild_ns * 1e-6);
}

static void op_json(const struct report *r, const struct op *o, FILE *f,
		    bool first)
{
	char vm[40];

	op_name(r, o, vm, sizeof(vm));
	fprintf(f, "%s{\"time\":%.9f,\"cpu\":%d,\"tid\":%u,\"vm\":\"%s\","
		"\"measurement\":\"kvm_memslot_zap\",\"mode\":\"%s\","
		"\"seconds\":%.9f,\"ok\":%s,\"pages_rebuilt\":%u,"
		"\"rebuild_seconds\":%.9f}", first ? "" : ",", o->start * NS,
		o->cpu, o->tid, vm, keyinfo[o->key].name,
		(o->end - o->start) * NS, o->ok ? "true" : "false", o->pages,
		o->rebuild_ns * NS);
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
	fprintf(f, "vsva-perf report: %s", r->file);
	if (r->kernel[0])
		fprintf(f, " (Linux %s on %s)", r->kernel, r->host);
	fprintf(f, "\n  %llu vsva events over %.3f s; lost events: %llu%s\n",
		(unsigned long long)total_events(r),
		r->last > r->first ? (r->last - r->first) * NS : 0.0,
		(unsigned long long)r->lost, r->lost ?
		" (INCOMPLETE: every count below may be short)" : "");
	if (r->undecodable)
		fprintf(f, "  %llu events whose fields the recording's format "
			"lacks (not counted)\n",
			(unsigned long long)r->undecodable);
}

static void print_text(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	uint64_t i, m;
	int j;

	text_header(r, f);
	for (j = 2; j < n; j++)
		if (!empty_vm(&o[j]))
			text_vm(r, &o[j], f);
	for (j = 0; j < 2; j++)
		if (!empty_vm(&o[j]))
			text_vm(r, &o[j], f);
	v = slowest(r, &m);
	if (v && m) {
		fprintf(f, "\nSlowest %llu operations (pages rebuilt after each "
			"deletion, and for how long):\n",
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

static void json_row(const struct stats *st, bool timed, FILE *f)
{
	fprintf(f, "{\"count\":%llu", (unsigned long long)st->count);
	if (timed)
		fprintf(f, ",\"errors\":%llu,\"min_seconds\":%.9f,"
			"\"p50_seconds\":%.9f,\"p99_seconds\":%.9f,"
			"\"max_seconds\":%.9f,\"mean_seconds\":%.9f,"
			"\"stddev_seconds\":%.9f,\"total_seconds\":%.9f",
			(unsigned long long)st->errors, st->min, st->p50,
			st->p99, st->max, st->mean, st->sd, st->total);
	fputc('}', f);
}

/* One measurement's keys (it has some) as a JSON object. */
static void json_meas(struct out_vm *o, int m, FILE *f)
{
	struct stats st;
	bool any = false;
	int k;

	for (k = 0; k < K_N; k++) {
		if ((int)keyinfo[k].m != m || !o->row[k].count)
			continue;
		fprintf(f, "%s\"%s\":", any ? "," : "{", keyinfo[k].name);
		stats_of(&o->row[k], &st);
		json_row(&st, keyinfo[k].timed, f);
		any = true;
	}
	fputc('}', f);
}

static void json_vm(struct out_vm *o, FILE *f, bool first)
{
	bool any = false;
	int m;

	fprintf(f, "%s{\"vm\":\"%s\",\"pid\":%u,\"comm\":\"%s\","
		"\"unpaired\":%llu,\"measurements\":{", first ? "" : ",",
		o->name, o->pid, o->vm ? o->vm->comm : "",
		(unsigned long long)o->unpaired);
	for (m = 0; m < M_N; m++) {
		bool has = false;
		int k;

		for (k = 0; k < K_N; k++)
			has |= (int)keyinfo[k].m == m && o->row[k].count;
		if (!has)
			continue;
		fprintf(f, "%s\"%s\":", any ? "," : "", measname[m]);
		json_meas(o, m, f);
		any = true;
	}
	fputs("}}", f);
}

static void print_json(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	bool first = true;
	uint64_t i, m;
	int j;

	fprintf(f, "{\"recording\":{\"file\":\"%s\",\"kernel\":\"%s\","
		"\"host\":\"%s\",\"duration_seconds\":%.9f,\"events\":{",
		r->file, r->kernel, r->host,
		r->last > r->first ? (r->last - r->first) * NS : 0.0);
	for (j = 0; j < EV_N; j++)
		fprintf(f, "%s\"%s\":%llu", j ? "," : "", ev_names[j],
			(unsigned long long)r->events[j]);
	fprintf(f, "}},\"lost_events\":%llu,\"lost_records\":%llu,"
		"\"incomplete\":%s,\"undecodable\":%llu,\"vms\":[",
		(unsigned long long)r->lost,
		(unsigned long long)r->lost_records,
		r->lost ? "true" : "false",
		(unsigned long long)r->undecodable);
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
	struct stats st;
	int j, k;

	fprintf(f, "vm,pid,measurement,key,count,errors,min_seconds,"
		"p50_seconds,p99_seconds,max_seconds,mean_seconds,"
		"stddev_seconds,incomplete\n");
	for (j = 2; j < n + 2; j++) {
		struct out_vm *x = &o[j < n ? j : j - n];

		for (k = 0; k < K_N; k++) {
			if (!x->row[k].count)
				continue;
			stats_of(&x->row[k], &st);
			fprintf(f, "%s,%u,%s,%s,%llu,%llu,", x->name, x->pid,
				measname[keyinfo[k].m], keyinfo[k].name,
				(unsigned long long)st.count,
				(unsigned long long)st.errors);
			if (st.n)
				fprintf(f, "%.9f,%.9f,%.9f,%.9f,%.9f,%.9f,",
					st.min, st.p50, st.p99, st.max,
					st.mean, st.sd);
			else
				fputs(",,,,,,", f);
			fprintf(f, "%s\n", r->lost ? "true" : "false");
		}
	}
}

int rep_print(struct report *r, FILE *f)
{
	struct out_vm *o = calloc(VM_N + 2, sizeof(*o));
	int n;

	if (!o)
		return -1;
	n = collect(r, o);
	if (r->fmt == OUT_JSON)
		print_json(r, o, n, f);
	else if (r->fmt == OUT_CSV)
		print_csv(r, o, n, f);
	else
		print_text(r, o, n, f);
	free(o);
	return total_events(r) ? 0 : 1;
}
