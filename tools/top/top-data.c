// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-top's data: the rows (rates, zap quantiles) built from two
 * snapshots; JSON and table output for the batch modes.  A snapshot may
 * come from any server (--from): a label can be missing, a string can
 * hold any bytes, histograms can have any buckets; none of it may crash
 * or break the output.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textesc.h"
#include "top.h"

/* vsva-top.c's signal handler sets it; its loop and top-screen.c's read it */
volatile sig_atomic_t top_exiting;

const char *const col_name[C_NCOLS] = {
	"PID", "COMM", "DELS", "DEL/s", "ZAP_P50", "ZAP_P99", "SHZAP/s",
	"IRQ/s", "BYPASS", "INV/s",
};

const char *top_label(const struct vsva_sample *m, const char *name)
{
	int i;

	for (i = 0; i < m->nlabels; i++)
		if (!strcmp(m->lname[i], name))
			return m->lval[i];
	return "";
}

/* Sum of a family's samples for @vm (and @mode when given). */
double top_sum_vm(const struct vsva_snapshot *s, const char *fam,
		     const char *vm, bool hist_count)
{
	const struct vsva_family *f = vsva_snap_find(s, fam);
	double sum = 0;
	int i;

	if (!f)
		return NAN;
	for (i = 0; i < f->nsamples; i++)
		if (!strcmp(top_label(&f->samples[i], "vm"), vm))
			sum += hist_count ? f->samples[i].count
					  : f->samples[i].value;
	return sum;
}

/*
 * Cumulative count of histogram @m at bound @x.  vsvad writes a family's
 * buckets from one below the lowest in use to the lowest that holds every
 * count, alike in each histogram of a scrape but not from one scrape to
 * the next (src/lib/expo.c): a bound below those written holds 0, one above
 * them the count.  Between two written bounds (never from vsvad), the
 * lower one's: a lower bound.
 */
static double cum_at(const struct vsva_sample *m, double x)
{
	int lo = 0, hi = m->nbuckets, mid;

	if (!m->nbuckets || x > m->le[m->nbuckets - 1])
		return m->count;
	while (lo < hi) {		/* the first bound above @x */
		mid = lo + (hi - lo) / 2;
		if (m->le[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? m->cum[lo - 1] : 0;
}

/* The sample of @f with exactly @m's labels, or NULL. */
static const struct vsva_sample *same_series(const struct vsva_family *f,
					     const struct vsva_sample *m)
{
	int i, k;

	for (i = 0; f && i < f->nsamples; i++) {
		const struct vsva_sample *x = &f->samples[i];

		if (x->nlabels != m->nlabels)
			continue;
		for (k = 0; k < m->nlabels; k++)
			if (strcmp(top_label(x, m->lname[k]), m->lval[k]))
				break;
		if (k == m->nlabels)
			return x;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bounds_add(struct top_hist *h, const struct vsva_sample *m)
{
	double *more;

	if (!m || !m->nbuckets)
		return 0;
	more = realloc(h->le, (h->n + m->nbuckets) * sizeof(*more));
	if (!more)
		return -1;
	h->le = more;
	memcpy(h->le + h->n, m->le, m->nbuckets * sizeof(*more));
	h->n += m->nbuckets;
	return 0;
}

/* Pairs (sample of @fb, the same series in @fa or NULL) for @vm. */
static const struct vsva_sample *pair(const struct vsva_family *fa,
				      const struct vsva_family *fb, int i,
				      const char *vm,
				      const struct vsva_sample **ma)
{
	const struct vsva_sample *mb = &fb->samples[i];

	if (vm && strcmp(top_label(mb, "vm"), vm))
		return NULL;
	*ma = same_series(fa, mb);
	if (*ma && (*ma)->count > mb->count)
		*ma = NULL;		/* counted anew since: all of it */
	return mb;
}

int top_hist_delta(const struct vsva_family *fa, const struct vsva_family *fb,
		   const char *vm, struct top_hist *h)
{
	const struct vsva_sample *ma, *mb;
	int i, k, n = 0;

	memset(h, 0, sizeof(*h));
	for (i = 0; fb && i < fb->nsamples; i++)
		if ((mb = pair(fa, fb, i, vm, &ma)) &&
		    (bounds_add(h, mb) || bounds_add(h, ma)))
			goto free_le;
	if (h->n)
		qsort(h->le, h->n, sizeof(*h->le), cmp_double);
	for (k = 0; k < h->n; k++)
		if (!n || h->le[k] != h->le[n - 1])
			h->le[n++] = h->le[k];
	h->n = n;
	h->cum = calloc(n ? n : 1, sizeof(*h->cum));
	if (!h->cum)
		goto free_le;
	for (i = 0; fb && i < fb->nsamples; i++) {
		if (!(mb = pair(fa, fb, i, vm, &ma)))
			continue;
		for (k = 0; k < n; k++)
			h->cum[k] += cum_at(mb, h->le[k]) -
				     (ma ? cum_at(ma, h->le[k]) : 0);
		h->total += (double)mb->count - (ma ? (double)ma->count : 0);
	}
	return 0;
free_le:
	free(h->le);
	memset(h, 0, sizeof(*h));
	return -1;
}

void top_hist_free(struct top_hist *h)
{
	free(h->le);
	free(h->cum);
	memset(h, 0, sizeof(*h));
}

/* Quantile q of a VM's zap histograms (all modes), from bucket deltas
 * between two scrapes, buckets matched by bound: the bound of the bucket
 * the rank falls in; INFINITY above the last bound, NAN without counts. */
double top_zap_quantile(const struct vsva_snapshot *a,
			   const struct vsva_snapshot *b, const char *vm,
			   double q)
{
	const char *fam = TOP_FAM(kvm_memslot_zap_seconds);
	struct top_hist h;
	double want, v = INFINITY;
	int k;

	if (top_hist_delta(vsva_snap_find(a, fam), vsva_snap_find(b, fam), vm,
			   &h))
		return NAN;
	if (!(h.total > 0)) {
		v = NAN;
		goto free_hist;
	}
	want = q * h.total;
	for (k = 0; k < h.n; k++)
		if (h.cum[k] >= want) {
			v = h.le[k];
			break;
		}
free_hist:
	top_hist_free(&h);
	return v;
}

double top_rate(double a, double b, double dt)
{
	if (isnan(a) || isnan(b) || dt <= 0)
		return NAN;
	return (b - a) / dt;
}

/* Rows from two snapshots @dt seconds apart. */
int top_build_rows(const struct vsva_snapshot *a,
		      const struct vsva_snapshot *b, double dt,
		      struct row *rows, const char *filter)
{
	const struct vsva_family *info = vsva_snap_find(b, TOP_FAM(kvm_vm_info));
	int i, n = 0;

	for (i = 0; info && i < info->nsamples && n < MAX_ROWS; i++) {
		const struct vsva_sample *m = &info->samples[i];
		struct row *r = &rows[n];
		const char *vm = top_label(m, "vm");

		if (!*vm)	/* not a VM anyone can name */
			continue;
		snprintf(r->vm, sizeof(r->vm), "%s", vm);
		snprintf(r->comm, sizeof(r->comm), "%s", top_label(m, "comm"));
		r->pid = strtoul(top_label(m, "pid"), NULL, 10);
		r->exited = !strcmp(top_label(m, "state"), "exited");
		if (filter && !strstr(r->comm, filter) &&
		    strtoul(filter, NULL, 10) != r->pid)
			continue;
		r->v[C_DEL] = top_rate(top_sum_vm(a, TOP_FAM(kvm_memslot_zap_total), vm, false),
				   top_sum_vm(b, TOP_FAM(kvm_memslot_zap_total), vm, false), dt);
		r->v[C_P50] = top_zap_quantile(a, b, vm, 0.5);
		r->v[C_P99] = top_zap_quantile(a, b, vm, 0.99);
		r->v[C_ZAPPED] = top_rate(top_sum_vm(a, TOP_FAM(kvm_mmu_shadow_pages_zapped_total), vm, false),
				      top_sum_vm(b, TOP_FAM(kvm_mmu_shadow_pages_zapped_total), vm, false), dt);
		r->v[C_IRQ] = top_rate(top_sum_vm(a, TOP_FAM(kvm_irq_injected_total), vm, false),
				   top_sum_vm(b, TOP_FAM(kvm_irq_injected_total), vm, false), dt);
		r->v[C_PROD] = top_sum_vm(b, TOP_FAM(kvm_irq_bypass_producers), vm, false);
		r->del_total = top_sum_vm(b, TOP_FAM(kvm_memslot_zap_total), vm, false);
		r->v[C_DELS] = r->del_total;
		r->irq_total = top_sum_vm(b, TOP_FAM(kvm_irq_injected_total), vm, false);
		r->zapped_total = top_sum_vm(b, TOP_FAM(kvm_mmu_shadow_pages_zapped_total),
					 vm, false);
		r->inv_total = top_sum_vm(b, TOP_FAM(iommufd_hwpt_invalidate_seconds),
				      vm, true);
		r->v[C_INV] = top_rate(top_sum_vm(a, TOP_FAM(iommufd_hwpt_invalidate_seconds), vm, true),
				   top_sum_vm(b, TOP_FAM(iommufd_hwpt_invalidate_seconds), vm, true), dt);
		n++;
	}
	return n;
}

void top_fmt(char *buf, size_t len, enum col c, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (c == C_P50 || c == C_P99)
		isinf(v) ? snprintf(buf, len, ">2s") :
			   snprintf(buf, len, "%.0fus", v * 1e6);
	else if (c == C_PROD || c == C_DELS)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
}

double top_nz(double v)
{
	return isnan(v) ? 0 : v;
}

void top_print_json(FILE *f, const struct vsva_snapshot *s,
		       const struct row *r, int n, double dt)
{
	const struct vsva_family *pf = vsva_snap_find(s, "vsva_probe_info");
	char v[32];
	int i, j;

	fprintf(f, "{\"interval_s\":%.3f,\"probes\":{", dt);
	for (i = 0; pf && i < pf->nsamples; i++) {
		fputs(i ? "," : "", f);
		esc_json(f, top_label(&pf->samples[i], "measurement"));
		fputc(':', f);
		esc_json(f, top_label(&pf->samples[i], "rung"));
	}
	fprintf(f, "},\"vms\":[");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"vm\":", i ? "," : "");
		esc_json(f, r[i].vm);
		fprintf(f, ",\"pid\":%u,\"comm\":", r[i].pid);
		esc_json(f, r[i].comm);
		fprintf(f, ",\"exited\":%s", r[i].exited ? "true" : "false");
		for (j = C_DEL; j < C_NCOLS; j++) {
			if (isnan(r[i].v[j]) || isinf(r[i].v[j]))
				snprintf(v, sizeof(v), "null");
			else
				snprintf(v, sizeof(v), "%.9g", r[i].v[j]);
			fprintf(f, ",\"%s\":%s", col_name[j], v);
		}
		fprintf(f, ",\"deletions_total\":%.0f,\"irq_injected_total\":%.0f,"
			"\"shadow_zapped_total\":%.0f,\"invalidations_total\":%.0f}",
			top_nz(r[i].del_total), top_nz(r[i].irq_total),
			top_nz(r[i].zapped_total), top_nz(r[i].inv_total));
	}
	fprintf(f, "]}\n");
}

void top_print_table(FILE *f, const struct row *r, int n, bool csv)
{
	char v[32], comm[11];
	int i, j;

	for (j = 0; j < C_NCOLS; j++)
		fprintf(f, csv ? "%s%s" : "%s%-10s", j ? (csv ? "," : " ") : "",
			col_name[j]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		if (csv) {
			fprintf(f, "%u,", r[i].pid);
			esc_csv(f, r[i].comm);
		} else {
			esc_text(comm, sizeof(comm), r[i].comm);
			fprintf(f, "%-10u %-10s", r[i].pid, comm);
		}
		for (j = C_DELS; j < C_NCOLS; j++) {
			top_fmt(v, sizeof(v), j, r[i].v[j]);
			fprintf(f, csv ? ",%s" : " %-10s", v);
		}
		fputc('\n', f);
	}
}
