// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench compare and ab: one side of a comparison, its figures in run
 * order and its histograms summed over the runs, from a file of vsva-bench
 * run or from ab's runs of one command.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench-ab.h"

static struct figure *fig_get(struct side *s, const char *name, int nruns)
{
	struct figure *f, *bigger;
	int i;

	for (i = 0; i < s->nfig; i++)
		if (!strcmp(s->fig[i].name, name))
			return &s->fig[i];
	bigger = realloc(s->fig, (s->nfig + 1) * sizeof(*s->fig));
	if (!bigger)
		return NULL;
	s->fig = bigger;
	f = &s->fig[s->nfig];
	f->name = strdup(name);
	f->v = malloc(nruns * sizeof(double));
	if (!f->name || !f->v) {
		free(f->name);
		free(f->v);
		return NULL;
	}
	for (i = 0; i < nruns; i++)
		f->v[i] = NAN;
	f->n = nruns;
	s->nfig++;
	return f;
}

static struct hist *hist_get(struct side *s, const char *series)
{
	struct hist *bigger;
	int i;

	for (i = 0; i < s->nhist; i++)
		if (!strcmp(s->hist[i].series, series))
			return &s->hist[i];
	bigger = realloc(s->hist, (s->nhist + 1) * sizeof(*s->hist));
	if (!bigger)
		return NULL;
	s->hist = bigger;
	memset(&s->hist[s->nhist], 0, sizeof(*s->hist));
	s->hist[s->nhist].series = strdup(series);
	return s->hist[s->nhist].series ? &s->hist[s->nhist++] : NULL;
}

/* Add a run's bucket @le (cumulative count @v) to @h, bounds sorted. */
static void hist_add(struct hist *h, double le, double v)
{
	int i, j;

	for (i = 0; i < h->n && h->le[i] < le; i++)
		;
	if (i < h->n && h->le[i] == le) {
		h->cum[i] += v;
		return;
	}
	if (h->n == HIST_MAX)
		return;
	for (j = h->n; j > i; j--) {
		h->le[j] = h->le[j - 1];
		h->cum[j] = h->cum[j - 1];
	}
	h->le[i] = le;
	h->cum[i] = v;
	h->n++;
}

/* A run's histograms into @s's sums. */
static int run_hists(struct side *s, json_object *run)
{
	json_object *hs;
	struct hist *h;

	if (!json_object_object_get_ex(run, "histograms", &hs) ||
	    !json_object_is_type(hs, json_type_object))
		return 0;
	json_object_object_foreach(hs, series, buckets) {
		if (!json_object_is_type(buckets, json_type_object))
			continue;
		h = hist_get(s, series);
		if (!h)
			return -1;
		json_object_object_foreach(buckets, le, v)
			hist_add(h, strtod(le, NULL), json_object_get_double(v));
	}
	return 0;
}

int side_from_runs(struct side *s, json_object *runs)
{
	json_object *run, *ok, *figs;
	struct figure *f;
	int i, n;

	if (!json_object_is_type(runs, json_type_array))
		return -1;
	n = json_object_array_length(runs);
	s->nruns = n;
	for (i = 0; i < n; i++) {
		run = json_object_array_get_idx(runs, i);
		if (!json_object_object_get_ex(run, "ok", &ok) ||
		    !json_object_get_boolean(ok) ||
		    !json_object_object_get_ex(run, "figures", &figs))
			continue;	/* a failed run: NAN in its place */
		if (run_hists(s, run))
			return -1;
		json_object_object_foreach(figs, k, v) {
			if (!json_object_is_type(v, json_type_double) &&
			    !json_object_is_type(v, json_type_int))
				continue;
			f = fig_get(s, k, n);
			if (!f)
				return -1;
			f->v[i] = json_object_get_double(v);
		}
	}
	return 0;
}

void side_free(struct side *s)
{
	int i;

	for (i = 0; i < s->nfig; i++) {
		free(s->fig[i].name);
		free(s->fig[i].v);
	}
	free(s->fig);
	for (i = 0; i < s->nhist; i++)
		free(s->hist[i].series);
	free(s->hist);
	json_object_put(s->root);
	memset(s, 0, sizeof(*s));
}

static const char *get_str(json_object *o, const char *key, const char *def)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : def;
}

int side_load(struct side *s, const char *path, char *err, size_t len)
{
	json_object *v, *runs;

	memset(s, 0, sizeof(*s));
	s->path = (char *)path;
	s->root = json_object_from_file(path);
	if (!s->root) {
		snprintf(err, len, "%s: %s", path, errno == ENOENT ?
			 "no such file" : "not a JSON file");
		return -1;
	}
	if (!json_object_object_get_ex(s->root, "vsva_bench_format", &v) ||
	    !json_object_object_get_ex(s->root, "runs", &runs)) {
		snprintf(err, len, "%s: not a file of vsva-bench run", path);
		return -1;
	}
	if (json_object_get_int(v) != BENCH_FORMAT) {
		snprintf(err, len, "%s: written in format %d by another "
			 "vsva-bench version; this one reads format %d", path,
			 json_object_get_int(v), BENCH_FORMAT);
		return -1;
	}
	s->label = (char *)get_str(s->root, "label", path);
	s->scenario = (char *)get_str(s->root, "scenario", "command");
	if (json_object_object_get_ex(s->root, "failed_runs", &v))
		s->failed = json_object_get_int(v);
	if (side_from_runs(s, runs)) {
		snprintf(err, len, "%s: its runs cannot be read", path);
		return -1;
	}
	return 0;
}
