// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench run and ab: vsva's figures over a run.  A snapshot before
 * and one after, each flattened to "family{labels}" sums (without the vm
 * label: each run is its own VM), and their difference: every counter,
 * each histogram's count, sum and mean, and its buckets.
 */
#include <stdlib.h>
#include <string.h>
#include "vsva/engine.h"
#include "vsva/privs.h"
#include "bench-run.h"

static void flat_add(struct flat *f, const char *key, double v)
{
	int i;
	void *bigger;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].key, key)) {
			f->s[i].v += v;
			return;
		}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		bigger = realloc(f->s, f->cap * sizeof(*f->s));
		if (!bigger)
			return;
		f->s = bigger;
	}
	f->s[f->n].key = strdup(key);
	f->s[f->n++].v = v;
}

static double flat_get(const struct flat *f, const char *key)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].key, key))
			return f->s[i].v;
	return 0;
}

void flat_free(struct flat *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		free(f->s[i].key);
	free(f->s);
	*f = (struct flat){ 0 };
}

/* "family" + @suffix + "{l=v,...}" without the vm label (a run's VM is
 * new each run: its figures are summed over VMs). */
static void series_key(char *buf, size_t len, const char *family,
		       const char *suffix, const struct vsva_sample *smp)
{
	size_t o = snprintf(buf, len, "%s%s", family, suffix);
	bool any = false;
	int i;

	for (i = 0; i < smp->nlabels && o < len; i++) {
		if (!strcmp(smp->lname[i], "vm"))
			continue;
		o += snprintf(buf + o, len - o, "%s%s=%s", any ? "," : "{",
			      smp->lname[i], smp->lval[i]);
		any = true;
	}
	if (any && o < len)
		snprintf(buf + o, len - o, "}");
}

static bool skipped_family(const struct vsva_family *f)
{
	static const char *const skip[] = { "vsva_probe_info",
		"vsva_build_info", "vsva_bpf_prog", "vsva_scrape", NULL };
	int i;

	if (f->type == VSVA_GAUGE)
		return true;
	for (i = 0; skip[i]; i++)
		if (!strncmp(f->name, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* A histogram's cumulative buckets, as "family{labels}" HIST_SEP "le" */
#define HIST_SEP	"|"

static void hist_buckets(struct flat *out, const char *family,
			 const struct vsva_sample *smp)
{
	char key[512];
	size_t o;
	int i;

	series_key(key, sizeof(key), family, "", smp);
	o = strlen(key);
	for (i = 0; i < smp->nbuckets && o < sizeof(key); i++) {
		snprintf(key + o, sizeof(key) - o, HIST_SEP "%.9g", smp->le[i]);
		flat_add(out, key, smp->cum[i]);
	}
	snprintf(key + o, sizeof(key) - o, HIST_SEP "+Inf");
	flat_add(out, key, smp->count);
}

int probes_read(struct probes *p, struct flat *out)
{
	struct vsva_snapshot snap = { 0 };
	char key[512];
	int i, k;

	if (!p->e)
		return 0;
	if (vsva_engine_snapshot(p->e, &snap)) {
		vsva_snap_free(&snap);
		return -1;
	}
	for (i = 0; i < snap.nfam; i++) {
		const struct vsva_family *f = snap.fam[i];

		if (skipped_family(f))
			continue;
		for (k = 0; k < f->nsamples; k++) {
			const struct vsva_sample *smp = &f->samples[k];

			if (f->type == VSVA_COUNTER) {
				series_key(key, sizeof(key), f->name, "", smp);
				flat_add(out, key, smp->value);
				continue;
			}
			series_key(key, sizeof(key), f->name, "_count", smp);
			flat_add(out, key, smp->count);
			series_key(key, sizeof(key), f->name, "_sum", smp);
			flat_add(out, key, smp->sum);
			hist_buckets(out, f->name, smp);
		}
	}
	vsva_snap_free(&snap);
	return 0;
}

/* A bucket's change into @hist: {"family{labels}": {"le": count}} */
static void hist_delta(json_object *hist, const char *key, double d)
{
	const char *sep = strstr(key, HIST_SEP);
	char series[512];
	json_object *h;

	snprintf(series, sizeof(series), "%.*s", (int)(sep - key), key);
	if (!json_object_object_get_ex(hist, series, &h)) {
		h = json_object_new_object();
		json_object_object_add(hist, series, h);
	}
	json_object_object_add(h, sep + 1, json_object_new_double(d));
}

/* Each series' change over the run into @fig, histograms also their
 * mean; each histogram's buckets into @hist. */
void probes_delta(const struct flat *before, const struct flat *after,
			 json_object *fig, json_object *hist)
{
	char key[600], *c;
	double d, n;
	int i;

	for (i = 0; i < after->n; i++) {
		d = after->s[i].v - flat_get(before, after->s[i].key);
		if (strstr(after->s[i].key, HIST_SEP)) {
			hist_delta(hist, after->s[i].key, d);
			continue;
		}
		json_object_object_add(fig, after->s[i].key,
				       json_object_new_double(d));
		c = strstr(after->s[i].key, "_sum");
		if (!c || (c[4] && c[4] != '{'))
			continue;
		snprintf(key, sizeof(key), "%.*s_count%s",
			 (int)(c - after->s[i].key), after->s[i].key, c + 4);
		n = flat_get(after, key) - flat_get(before, key);
		if (n <= 0)
			continue;
		snprintf(key, sizeof(key), "%.*s_mean%s",
			 (int)(c - after->s[i].key), after->s[i].key, c + 4);
		json_object_object_add(fig, key, json_object_new_double(d / n));
	}
}

void probes_open(struct probes *p, bool want)
{
	struct vsva_engine_opts eo = { .retention_s = 0 };

	p->e = NULL;
	if (!want) {
		snprintf(p->why, sizeof(p->why), "--no-vsva");
		return;
	}
	if (vsva_check_privileges(p->why, sizeof(p->why)))
		return;
	if (vsva_engine_open(&p->e, &eo, p->why, sizeof(p->why)))
		p->e = NULL;
}
