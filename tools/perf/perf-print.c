// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-perf report as text: per VM and measurement, what perf kvm stat
 * prints per exit reason; the slowest operations; the timeline.  And the
 * report in the format asked for.  Strings
 * from the recording (comm, host name, kernel release) hold any bytes:
 * control characters are shown as '?' (tools/common/textesc.c).
 */
#include <stdlib.h>
#include <string.h>
#include "perf-out.h"
#include "textesc.h"
#include "vsva/names.h"

static double sort_key(const struct stats *st, enum sort s)
{
	return s == SORT_COUNT ? st->count : s == SORT_TOTAL ? st->total :
	       s == SORT_P99 ? st->p99 : st->max;
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

	out_row_key(w, key, sizeof(key));
	fprintf(f, "  %-18s %-*s %9llu %6llu", rep_mname(w->meas), width, key,
		(unsigned long long)w->st.count,
		(unsigned long long)w->st.errors);
	if (w->st.n)
		fprintf(f, " %9.2fus %9.2fus %9.2fus %9.2fus %9.2fus +- "
			"%5.1f%% %5.1f%%", w->st.min * 1e6, w->st.p50 * 1e6,
			w->st.p99 * 1e6, w->st.max * 1e6, w->st.mean * 1e6,
			w->st.mean ? 100 * w->st.sd / w->st.mean : 0,
			total ? 100 * w->st.total / total : 0);
	if (w->flags & KEY_ENTRIES)
		fprintf(f, " (%llu entries)", (unsigned long long)w->entries);
	fputc('\n', f);
}

static void text_vm(struct report *r, struct out_vm *o, FILE *f)
{
	char key[96], name[sizeof(o->name)];
	struct orow *rows;
	double total = 0;
	int n = out_rows(r, o, &rows), i, width = 13;

	for (i = 0; i < n; i++) {
		total += rows[i].st.total;
		out_row_key(&rows[i], key, sizeof(key));
		if ((int)strlen(key) > width)
			width = strlen(key);
	}
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

static void op_text(const struct report *r, const struct op *o, FILE *f)
{
	const char *meas, *key;
	const struct drow *d = out_op_key(r, o, &meas, &key);
	const struct decoder *dec = out_op_decoder(r, o);
	const struct vm *v = rep_vm_find(r, o->tgid);
	char name[40], vm[40];

	snprintf(name, sizeof(name), "%s/%u", v ? v->comm : "?", o->tgid);
	esc_text(vm, sizeof(vm), name);
	fprintf(f, "  %16.9f %4d %8u %-22s %-16s %-9s %10.2fus %s",
		o->start * NS, o->cpu, o->tid, vm, meas, key,
		(o->end - o->start) * 1e-3, o->ok ? "ok   " : "error");
	if (d) {
		fprintf(f, " device=%s", d->dev);
		if (r->keys[o->key]->flags & KEY_DOMAIN)
			fprintf(f, " domain_type=%s",
				vsva_domain_type_name(d->domain_type));
	} else if (dec->op_text) {
		dec->op_text(o, f);
	}
	fputc('\n', f);
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
		(unsigned long long)out_total_events(r),
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

void print_text(struct report *r, struct out_vm *o, int n, FILE *f)
{
	const struct op **v;
	uint64_t i, m;
	int j;

	text_header(r, f);
	for (j = 2; j < n + 2; j++)	/* the VMMs, then the merged two */
		if (!out_empty(r, &o[j < n ? j : j - n]))
			text_vm(r, &o[j < n ? j : j - n], f);
	v = out_slowest(r, &m);
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

/* The report in the format asked for (text here, JSON and CSV in
 * perf-json.c). */
int rep_print(struct report *r, FILE *f)
{
	struct out_vm *o = calloc(VM_N + 2, sizeof(*o));
	int n;

	if (!o)
		return -1;
	n = out_collect(r, o);
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
	return out_total_events(r) ? 0 : 1;
}
