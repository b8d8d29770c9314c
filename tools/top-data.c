// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-top's data: snapshots from the engine or a vsvad's /metrics, and
 * the rows (rates, zap quantiles) built from two of them; JSON and table
 * output for the batch modes.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "top.h"

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
	return NULL;
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
	for (i = 0; i < f->nsamples; i++) {
		const char *v = top_label(&f->samples[i], "vm");

		if (v && !strcmp(v, vm))
			sum += hist_count ? f->samples[i].count
					  : f->samples[i].value;
	}
	return sum;
}

/* Quantile q of a VM's zap histograms (all modes), from bucket deltas. */
double top_zap_quantile(const struct vsva_snapshot *a,
			   const struct vsva_snapshot *b, const char *vm,
			   double q)
{
	const struct vsva_family *fa = vsva_snap_find(a, "vsva_kvm_memslot_zap_seconds");
	const struct vsva_family *fb = vsva_snap_find(b, "vsva_kvm_memslot_zap_seconds");
	double cum[64] = { 0 }, le[64] = { 0 }, total = 0, want;
	int n = 0, i, j, k;

	if (!fb)
		return NAN;
	for (i = 0; i < fb->nsamples; i++) {
		const struct vsva_sample *mb = &fb->samples[i];
		const struct vsva_sample *ma = NULL;

		if (strcmp(top_label(mb, "vm"), vm))
			continue;
		for (j = 0; fa && j < fa->nsamples; j++)
			if (!strcmp(top_label(&fa->samples[j], "vm"), vm) &&
			    !strcmp(top_label(&fa->samples[j], "mode"),
				    top_label(mb, "mode")))
				ma = &fa->samples[j];
		n = mb->nbuckets < 64 ? mb->nbuckets : 64;
		for (k = 0; k < n; k++) {
			le[k] = mb->le[k];
			cum[k] += mb->cum[k] - (ma ? ma->cum[k] : 0);
		}
		total += mb->count - (ma ? ma->count : 0);
	}
	if (total <= 0)
		return NAN;
	want = q * total;
	for (k = 0; k < n; k++)
		if (cum[k] >= want)
			return le[k];
	return INFINITY;
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
	const struct vsva_family *info = vsva_snap_find(b, "vsva_kvm_vm_info");
	int i, n = 0;

	for (i = 0; info && i < info->nsamples && n < MAX_ROWS; i++) {
		const struct vsva_sample *m = &info->samples[i];
		struct row *r = &rows[n];
		const char *vm = top_label(m, "vm");

		snprintf(r->vm, sizeof(r->vm), "%s", vm);
		snprintf(r->comm, sizeof(r->comm), "%s", top_label(m, "comm"));
		r->pid = strtoul(top_label(m, "pid"), NULL, 10);
		r->exited = !strcmp(top_label(m, "state"), "exited");
		if (filter && !strstr(r->comm, filter) &&
		    strtoul(filter, NULL, 10) != r->pid)
			continue;
		r->v[C_DEL] = top_rate(top_sum_vm(a, "vsva_kvm_memslot_zap_total", vm, false),
				   top_sum_vm(b, "vsva_kvm_memslot_zap_total", vm, false), dt);
		r->v[C_P50] = top_zap_quantile(a, b, vm, 0.5);
		r->v[C_P99] = top_zap_quantile(a, b, vm, 0.99);
		r->v[C_ZAPPED] = top_rate(top_sum_vm(a, "vsva_kvm_mmu_shadow_pages_zapped_total", vm, false),
				      top_sum_vm(b, "vsva_kvm_mmu_shadow_pages_zapped_total", vm, false), dt);
		r->v[C_IRQ] = top_rate(top_sum_vm(a, "vsva_kvm_irq_injected_total", vm, false),
				   top_sum_vm(b, "vsva_kvm_irq_injected_total", vm, false), dt);
		r->v[C_PROD] = top_sum_vm(b, "vsva_kvm_irq_bypass_producers", vm, false);
		r->del_total = top_sum_vm(b, "vsva_kvm_memslot_zap_total", vm, false);
		r->v[C_DELS] = r->del_total;
		r->irq_total = top_sum_vm(b, "vsva_kvm_irq_injected_total", vm, false);
		r->zapped_total = top_sum_vm(b, "vsva_kvm_mmu_shadow_pages_zapped_total",
					 vm, false);
		r->inv_total = top_sum_vm(b, "vsva_iommufd_hwpt_invalidate_seconds",
				      vm, true);
		r->v[C_INV] = top_rate(top_sum_vm(a, "vsva_iommufd_hwpt_invalidate_seconds", vm, true),
				   top_sum_vm(b, "vsva_iommufd_hwpt_invalidate_seconds", vm, true), dt);
		n++;
	}
	return n;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	vsva_buf_put(arg, p, size * n);
	return ((struct vsva_buf *)arg)->oom ? 0 : size * n;
}

/* GET the exposition from vsvad and parse it. */
static int fetch(struct source *src, struct vsva_snapshot *s)
{
	struct vsva_buf b = { 0 };
	long status = 0;
	CURLcode rc;
	int ret = -1;

	curl_easy_setopt(src->curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(src->curl);
	curl_easy_getinfo(src->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(src->err, sizeof(src->err), "%s: %s", src->url,
			 curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(src->err, sizeof(src->err), "%s: HTTP %ld", src->url,
			 status);
	else if (!b.p || vsva_expo_parse(b.p, s))
		snprintf(src->err, sizeof(src->err), "%s: not vsvad's "
			 "metrics", src->url);
	else if (!vsva_snap_find(s, "vsva_probe_info"))
		snprintf(src->err, sizeof(src->err), "%s: no vsva_probe_info: "
			 "not a vsvad", src->url);
	else
		ret = 0;
	vsva_buf_free(&b);
	return ret;
}

int top_snap(struct source *src, struct vsva_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (src->url)
		return fetch(src, s);
	return vsva_engine_snapshot(src->engine, s);
}

int top_open_url(struct source *src)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	src->curl = curl_easy_init();
	if (!src->curl)
		return -1;
	curl_easy_setopt(src->curl, CURLOPT_URL, src->url);
	curl_easy_setopt(src->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(src->curl, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(src->curl, CURLOPT_ACCEPT_ENCODING, "");
	return 0;
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
	for (i = 0; pf && i < pf->nsamples; i++)
		fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "",
			top_label(&pf->samples[i], "measurement"),
			top_label(&pf->samples[i], "rung"));
	fprintf(f, "},\"vms\":[");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"vm\":\"%s\",\"pid\":%u,\"comm\":\"%s\","
			"\"exited\":%s", i ? "," : "", r[i].vm, r[i].pid,
			r[i].comm, r[i].exited ? "true" : "false");
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
	char v[32];
	int i, j;

	for (j = 0; j < C_NCOLS; j++)
		fprintf(f, csv ? "%s%s" : "%s%-10s", j ? (csv ? "," : " ") : "",
			col_name[j]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, csv ? "%u,%s" : "%-10u %-10.10s", r[i].pid, r[i].comm);
		for (j = C_DELS; j < C_NCOLS; j++) {
			top_fmt(v, sizeof(v), j, r[i].v[j]);
			fprintf(f, csv ? ",%s" : " %-10s", v);
		}
		fputc('\n', f);
	}
}
