// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench compare (and the comparison ab prints): one row per figure
 * with each side's median and its distribution-free 95% CI, the change
 * (Hodges-Lehmann shift, in percent of A's median) with its CI, the
 * two-sided p of Mann-Whitney U (Wilcoxon signed-rank for pairs), Holm-
 * adjusted across the figures of the comparison, and a verdict against a
 * noise threshold; warnings for too few runs, large variation, drift over
 * run order and outliers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bench-ab.h"
#include "bench-stats.h"

#define CONF		0.95
#define CV_WARN		0.10	/* coefficient of variation */
#define TREND_P		0.01

/* ---- sides ---- */

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

/* ---- one comparison ---- */

struct summary {
	double med, lo, hi;
	bool ci;
	int n;
};

struct row {
	const char *name;
	struct summary a, b;
	double shift, s_lo, s_hi, dpct, d_lo, d_hi, p_holm;
	bool ci, significant;
	struct st_test t;
	const char *verdict;
};

static const struct figure *fig_find(const struct side *s, const char *name)
{
	int i;

	for (i = 0; i < s->nfig; i++)
		if (!strcmp(s->fig[i].name, name))
			return &s->fig[i];
	return NULL;
}

/* The finite values of @f (pairs: where @g has one too) into @v. */
static int values_of(const struct figure *f, const struct figure *g,
		     double *v)
{
	int i, n = 0;

	for (i = 0; i < f->n; i++)
		if (isfinite(f->v[i]) &&
		    (!g || (i < g->n && isfinite(g->v[i]))))
			v[n++] = f->v[i];
	return n;
}

static void summarise(const double *v, int n, struct summary *s)
{
	s->n = n;
	s->med = n ? st_median(v, n) : NAN;
	s->ci = !st_median_ci(v, n, CONF, &s->lo, &s->hi);
}

static bool higher_is_better(const char *name)
{
	return strstr(name, "per_second") || strstr(name, "throughput");
}

static bool constant(const double *v, int n)
{
	int i;

	for (i = 1; i < n; i++)
		if (v[i] != v[0])
			return false;
	return true;
}

static bool constant_equal(const double *a, int na, const double *b, int nb)
{
	int i;

	for (i = 1; i < na; i++)
		if (a[i] != a[0])
			return false;
	for (i = 0; i < nb; i++)
		if (b[i] != (na ? a[0] : b[0]))
			return false;
	return true;
}

struct cmp {
	struct row *rows;
	int nrows, hidden, only_a, only_b;
	json_object *warnings;
};

static void warn(struct cmp *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct cmp *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(c->warnings, json_object_new_string(buf));
}

/* Warnings about one side's values of one figure, in run order. */
static void side_warnings(struct cmp *c, const struct figure *f,
			  const char *side)
{
	double *v = malloc((f->n + 1) * sizeof(double));
	int n, k;

	if (!v)
		return;
	n = values_of(f, NULL, v);
	if (n >= ST_MIN_TEST && st_cv(v, n) > CV_WARN)
		warn(c, "%s: %s varies a lot (coefficient of variation %.0f%%)",
		     f->name, side, 100 * st_cv(v, n));
	if (n >= ST_MIN_TEST && st_trend_p(v, n) < TREND_P)
		warn(c, "%s: %s drifts over run order (Mann-Kendall p=%.2g): "
		     "the machine changed during the runs", f->name, side,
		     st_trend_p(v, n));
	k = st_outliers(v, n);
	if (k)
		warn(c, "%s: %s has %d outlier%s (beyond 3 IQR)", f->name,
		     side, k, k > 1 ? "s" : "");
	free(v);
}

static int compare_row(const struct figure *fa, const struct figure *fb,
		       const struct compare_opts *o, struct row *r)
{
	int n = fa->n > fb->n ? fa->n : fb->n, na, nb, i;
	double *a = malloc((n + 1) * sizeof(double));
	double *b = malloc((n + 1) * sizeof(double));
	double *d = malloc((n + 1) * sizeof(double));
	int rc = 1;

	if (!a || !b || !d)
		goto out;
	memset(r, 0, sizeof(*r));
	r->name = fa->name;
	if (o->paired) {
		na = values_of(fa, fb, a);
		nb = values_of(fb, fa, b);
	} else {
		na = values_of(fa, NULL, a);
		nb = values_of(fb, NULL, b);
	}
	if (constant_equal(a, na, b, nb))
		goto out;		/* nothing to compare: not shown */
	summarise(a, na, &r->a);
	summarise(b, nb, &r->b);
	if (constant(a, na) && constant(b, nb) && na && nb) {
		/* every run gave the same count on each side: the change is
		 * certain, and no test of ranks can say less */
		r->t = (struct st_test){ .p = 0, .method = ST_CONSTANT };
		r->shift = r->s_lo = r->s_hi = b[0] - a[0];
		r->ci = true;
	} else if (o->paired) {
		for (i = 0; i < na; i++)
			d[i] = b[i] - a[i];
		r->t = st_wilcoxon(d, na);
		r->shift = na ? st_hl_paired(d, na) : NAN;
		r->ci = !st_hl_paired_ci(d, na, CONF, &r->s_lo, &r->s_hi);
	} else {
		r->t = st_mann_whitney(a, na, b, nb);
		r->shift = na && nb ? st_hl_shift(a, na, b, nb) : NAN;
		r->ci = !st_hl_shift_ci(a, na, b, nb, CONF, &r->s_lo,
					&r->s_hi);
	}
	r->dpct = r->a.med ? 100 * r->shift / fabs(r->a.med) : NAN;
	r->d_lo = r->a.med ? 100 * r->s_lo / fabs(r->a.med) : NAN;
	r->d_hi = r->a.med ? 100 * r->s_hi / fabs(r->a.med) : NAN;
	rc = 0;
out:
	free(a);
	free(b);
	free(d);
	return rc;
}

static void verdicts(struct cmp *c, const struct compare_opts *o)
{
	double *p = malloc((c->nrows + 1) * sizeof(double)), *adj;
	int i;

	adj = malloc((c->nrows + 1) * sizeof(double));
	for (i = 0; p && i < c->nrows; i++)
		p[i] = c->rows[i].t.method == ST_NONE ? NAN : c->rows[i].t.p;
	if (p && adj)
		st_holm(p, c->nrows, adj);
	for (i = 0; i < c->nrows; i++) {
		struct row *r = &c->rows[i];
		bool worse;

		r->p_holm = p && adj && !isnan(p[i]) ? adj[i] : NAN;
		r->significant = r->p_holm < o->alpha;
		worse = (r->shift > 0) != higher_is_better(r->name);
		if (r->t.method == ST_NONE)
			r->verdict = "too few runs";
		else if (!r->significant || r->shift == 0 ||
			 (r->a.med && !(fabs(r->dpct) > o->noise_pct)))
			r->verdict = "within noise";
		else
			r->verdict = worse ? "regressed" : "improved";
	}
	free(p);
	free(adj);
}

/* Is @name one of the figures --only names (any, without --only)? */
static bool wanted(const char *only, const char *name)
{
	const char *p = only, *e;

	if (!only)
		return true;
	while (*p) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if (e > p && memmem(name, strlen(name), p, e - p))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

/*
 * A vsva counter, or a histogram's count or sum, that one side does not
 * have: vsvad exports a series only once its label values are used, so
 * that side had none of those events: 0 in each of its runs.
 */
static bool zero_when_absent(const char *name)
{
	return !strncmp(name, "vsva_", 5) && !strstr(name, "_mean") &&
	       (strstr(name, "_total") || strstr(name, "_count") ||
		strstr(name, "_sum"));
}

/* @name as 0 in each run of @s that succeeded (has wall_seconds). */
static struct figure *zeros(const struct side *s, const char *name)
{
	const struct figure *wall = fig_find(s, "wall_seconds");
	struct figure *f = calloc(1, sizeof(*f));
	int i;

	if (!wall || !f || !(f->v = malloc(wall->n * sizeof(double)))) {
		free(f);
		return NULL;
	}
	f->name = (char *)name;
	f->n = wall->n;
	for (i = 0; i < wall->n; i++)
		f->v[i] = isfinite(wall->v[i]) ? 0 : NAN;
	return f;
}

static void zeros_free(struct figure *f)
{
	if (f)
		free(f->v);
	free(f);
}

/* One row: A's figure @fa against B's @fb (either may be NULL: zeros if
 * the figure allows, else not compared); false if not compared. */
static bool add_row(struct cmp *c, const struct side *a, const struct side *b,
		    const struct figure *fa, const struct figure *fb,
		    const struct compare_opts *o)
{
	const char *name = fa ? fa->name : fb->name;
	struct figure *z = NULL;
	bool done = false;

	if (!zero_when_absent(name) && (!fa || !fb))
		return false;
	if (!fa)
		fa = z = zeros(a, name);
	else if (!fb)
		fb = z = zeros(b, name);
	if (!fa || !fb)
		goto out;
	done = true;
	if (compare_row(fa, fb, o, &c->rows[c->nrows])) {
		c->hidden++;
		goto out;
	}
	side_warnings(c, fa, "A");
	side_warnings(c, fb, "B");
	c->nrows++;
out:
	zeros_free(z);
	return done;
}

static int build(struct cmp *c, const struct side *a, const struct side *b,
		 const struct compare_opts *o)
{
	int i;

	c->rows = calloc(a->nfig + b->nfig + 1, sizeof(*c->rows));
	c->warnings = json_object_new_array();
	if (!c->rows)
		return -1;
	for (i = 0; i < a->nfig; i++)
		if (wanted(o->only, a->fig[i].name) &&
		    !add_row(c, a, b, &a->fig[i], fig_find(b, a->fig[i].name), o))
			c->only_a++;
	for (i = 0; i < b->nfig; i++)
		if (wanted(o->only, b->fig[i].name) &&
		    !fig_find(a, b->fig[i].name) &&
		    !add_row(c, a, b, NULL, &b->fig[i], o))
			c->only_b++;
	if (c->only_a || c->only_b)
		warn(c, "figures not in both: %d only in A, %d only in B (not "
		     "compared)", c->only_a, c->only_b);
	verdicts(c, o);
	return 0;
}

/* ---- output ---- */

static void fmt_summary(char *buf, size_t len, const struct summary *s)
{
	if (s->ci)
		snprintf(buf, len, "%.4g [%.4g, %.4g]", s->med, s->lo, s->hi);
	else
		snprintf(buf, len, "%.4g (n<%d: no CI)", s->med, ST_MIN_CI);
}

static void fmt_delta(char *buf, size_t len, const struct row *r)
{
	if (r->t.method != ST_NONE && !r->significant)
		snprintf(buf, len, "~");
	else if (!r->a.med)	/* no percentage of 0 */
		snprintf(buf, len, "%+.4g (A: 0)", r->shift);
	else if (r->ci)
		snprintf(buf, len, "%+.2f%% [%+.2f%%, %+.2f%%]", r->dpct,
			 r->d_lo, r->d_hi);
	else
		snprintf(buf, len, "%+.2f%%", r->dpct);
}

static void print_table(const struct cmp *c, const struct side *a,
			const struct side *b, const struct compare_opts *o,
			bool md, FILE *f)
{
	char sa[96], sb[96], dl[96], p[32];
	int i, w = 6;

	for (i = 0; i < c->nrows; i++)
		if ((int)strlen(c->rows[i].name) > w)
			w = strlen(c->rows[i].name);
	fprintf(f, "%sA: %s (%d runs, %d failed)\n%sB: %s (%d runs, %d failed)\n"
		"%s%s runs; change = Hodges-Lehmann shift in %% of A's median, "
		"95%% CI; p Holm-adjusted over %d figures; noise %.1f%%\n\n",
		md ? "- " : "", a->label, a->nruns, a->failed, md ? "- " : "",
		b->label, b->nruns, b->failed, md ? "- " : "",
		o->paired ? "paired (Wilcoxon signed-rank)" :
			    "independent (Mann-Whitney U)", c->nrows,
		o->noise_pct);
	if (md)
		fprintf(f, "| figure | A median [95%% CI] | B median [95%% CI] | "
			"change [95%% CI] | p | n | verdict |\n|---|---|---|---|"
			"---|---|---|\n");
	else
		fprintf(f, "%-*s  %-32s  %-32s  %-30s  %-8s  %-7s  %s\n", w,
			"figure", "A median [95% CI]", "B median [95% CI]",
			"change [95% CI]", "p", "n", "verdict");
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		fmt_summary(sa, sizeof(sa), &r->a);
		fmt_summary(sb, sizeof(sb), &r->b);
		fmt_delta(dl, sizeof(dl), r);
		if (isnan(r->p_holm))
			snprintf(p, sizeof(p), "-");
		else
			snprintf(p, sizeof(p), "%.3g", r->p_holm);
		if (md)
			fprintf(f, "| `%s` | %s | %s | %s | %s | %d+%d | %s |\n",
				r->name, sa, sb, dl, p, r->a.n, r->b.n,
				r->verdict);
		else
			fprintf(f, "%-*s  %-32s  %-32s  %-30s  %-8s  %3d+%-3d  "
				"%s\n", w, r->name, sa, sb, dl, p, r->a.n,
				r->b.n, r->verdict);
	}
	if (c->hidden)
		fprintf(f, "\n%d figure(s) equal and constant on both sides "
			"(not shown)\n", c->hidden);
	if (json_object_array_length(c->warnings))
		fprintf(f, "\nwarnings:\n");
	for (i = 0; i < (int)json_object_array_length(c->warnings); i++)
		fprintf(f, "%s%s\n", md ? "- " : "  ",
			json_object_get_string(
				json_object_array_get_idx(c->warnings, i)));
}

static void print_csv(const struct cmp *c, FILE *f)
{
	int i;

	fprintf(f, "figure,a_median,a_ci_lo,a_ci_hi,a_n,b_median,b_ci_lo,"
		"b_ci_hi,b_n,change_pct,change_ci_lo_pct,change_ci_hi_pct,"
		"p_value,p_holm,significant,verdict\n");
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		fprintf(f, "%s,%.9g,%.9g,%.9g,%d,%.9g,%.9g,%.9g,%d,%.6g,%.6g,"
			"%.6g,%.6g,%.6g,%s,%s\n", r->name, r->a.med, r->a.lo,
			r->a.hi, r->a.n, r->b.med, r->b.lo, r->b.hi, r->b.n,
			r->dpct, r->d_lo, r->d_hi, r->t.p, r->p_holm,
			r->significant ? "true" : "false", r->verdict);
	}
}

static json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *jpair(bool have, double lo, double hi)
{
	json_object *a;

	if (!have)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, jnum(lo));
	json_object_array_add(a, jnum(hi));
	return a;
}

static json_object *jsummary(const struct summary *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "median", jnum(s->med));
	json_object_object_add(o, "ci", jpair(s->ci, s->lo, s->hi));
	json_object_object_add(o, "n", json_object_new_int(s->n));
	return o;
}

static json_object *to_json(const struct cmp *c, const struct side *a,
			    const struct side *b, const struct compare_opts *o,
			    json_object *context)
{
	static const char *const methods[] = { "none", "exact", "asymptotic",
					       "constant" };
	json_object *j = json_object_new_object(), *m, *r1, *s;
	int i;

	m = json_object_new_array();
	for (i = 0; i < c->nrows; i++) {
		const struct row *r = &c->rows[i];

		r1 = json_object_new_object();
		json_object_object_add(r1, "name", json_object_new_string(r->name));
		json_object_object_add(r1, "a", jsummary(&r->a));
		json_object_object_add(r1, "b", jsummary(&r->b));
		json_object_object_add(r1, "delta_pct", jnum(r->dpct));
		json_object_object_add(r1, "delta_ci_pct",
				       jpair(r->ci, r->d_lo, r->d_hi));
		json_object_object_add(r1, "shift", jnum(r->shift));
		json_object_object_add(r1, "test", json_object_new_string(
			o->paired ? "wilcoxon_signed_rank" : "mann_whitney_u"));
		json_object_object_add(r1, "method",
				       json_object_new_string(methods[r->t.method]));
		json_object_object_add(r1, "p_value", jnum(r->t.p));
		json_object_object_add(r1, "p_holm", jnum(r->p_holm));
		json_object_object_add(r1, "significant",
				       json_object_new_boolean(r->significant));
		json_object_object_add(r1, "verdict",
				       json_object_new_string(r->verdict));
		json_object_array_add(m, r1);
	}
	json_object_object_add(j, "metrics", m);
	json_object_object_add(j, "warnings", json_object_get(c->warnings));
	for (i = 0; i < 2; i++) {
		const struct side *x = i ? b : a;

		s = json_object_new_object();
		json_object_object_add(s, "label", json_object_new_string(x->label));
		json_object_object_add(s, "runs", json_object_new_int(x->nruns));
		json_object_object_add(s, "failed_runs",
				       json_object_new_int(x->failed));
		if (x->path)
			json_object_object_add(s, "file",
					       json_object_new_string(x->path));
		json_object_object_add(j, i ? "side_b" : "side_a", s);
	}
	json_object_object_add(j, "paired", json_object_new_boolean(o->paired));
	json_object_object_add(j, "noise_pct", json_object_new_double(o->noise_pct));
	json_object_object_add(j, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(j, "hidden_constant", json_object_new_int(c->hidden));
	json_object_object_add(j, "context", json_object_get(context));
	return j;
}

static int plot(const struct cmp *c, const struct side *a,
		const struct side *b, const char *dir)
{
	struct plot_change *ch = calloc(c->nrows + 1, sizeof(*ch));
	int i, rc;

	if (!ch)
		return -1;
	for (i = 0; i < c->nrows; i++)
		ch[i] = (struct plot_change){ c->rows[i].name, c->rows[i].dpct,
			c->rows[i].ci ? c->rows[i].d_lo : NAN,
			c->rows[i].ci ? c->rows[i].d_hi : NAN };
	rc = compare_plot(a, b, ch, c->nrows, dir);
	free(ch);
	return rc;
}

int compare_print(const struct side *a, const struct side *b,
		  const struct compare_opts *o, json_object *context,
		  FILE *out)
{
	struct cmp c = { 0 };
	json_object *j = NULL;
	int rc = 0;

	if (build(&c, a, b, o)) {
		rc = 1;
		goto out;
	}
	if (!c.nrows && !c.hidden) {
		fprintf(stderr, "vsva-bench: %s and %s have no figure in common\n",
			a->label, b->label);
		rc = EXIT_BENCH_INPUT;
		goto out;
	}
	j = to_json(&c, a, b, o, context);
	if (!strcmp(o->format, "json"))
		fprintf(out, "%s\n", json_object_to_json_string_ext(j,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!strcmp(o->format, "csv"))
		print_csv(&c, out);
	else
		print_table(&c, a, b, o, !strcmp(o->format, "markdown"), out);
	if (o->json_out && json_object_to_file_ext(o->json_out, j,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "vsva-bench: cannot write %s\n", o->json_out);
		rc = 1;
	}
	if (o->plot_dir && plot(&c, a, b, o->plot_dir))
		rc = 1;
out:
	json_object_put(j);
	json_object_put(c.warnings);
	free(c.rows);
	return rc;
}

/* ---- vsva-bench compare ---- */

int parse_noise(const char *s, double *pct)
{
	char *end;

	*pct = strtod(s, &end);
	if (*end || end == s || *pct < 0) {
		fprintf(stderr, "vsva-bench: --noise '%s': expected a "
			"percentage\n", s);
		return -1;
	}
	return 0;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
"Usage: vsva-bench compare [--noise PCT] [--paired] [--markdown | --csv |\n"
"                          --json] [--plot DIR] [--only SUBSTR,...]\n"
"                          A.json B.json [C.json]...\n"
"Compare files written by vsva-bench run: each later file against the\n"
"first. Per figure: medians with 95%% CIs, the change with its CI, the\n"
"p-value (Mann-Whitney U; with --paired, Wilcoxon signed-rank on runs\n"
"taken in pairs), Holm-adjusted, and a verdict against the noise\n"
"threshold (default 2%%). --only keeps the figures whose names hold one\n"
"of the substrings. Exit status: 0 compared, 2 usage, 4 files that cannot\n"
"be compared.\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "noise", required_argument, NULL, 'z' },
		{ "paired", no_argument, NULL, 'P' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "only", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct compare_opts o = { .noise_pct = 2, .alpha = 0.05,
				  .format = "text" };
	struct side base, other;
	char err[512], dir[4096];
	int c, i, rc = 0, k;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (parse_noise(optarg, &o.noise_pct))
				return EXIT_BENCH_USAGE;
			break;
		case 'P': o.paired = true; break;
		case 'm': o.format = "markdown"; break;
		case 'c': o.format = "csv"; break;
		case 'j': o.format = "json"; break;
		case 'p': o.plot_dir = optarg; break;
		case 'O': o.only = optarg; break;
		case 'h': compare_usage(stdout); return 0;
		default: return EXIT_BENCH_USAGE;
		}
	}
	if (argc - optind < 2) {
		compare_usage(stderr);
		return EXIT_BENCH_USAGE;
	}
	if (side_load(&base, argv[optind], err, sizeof(err))) {
		fprintf(stderr, "vsva-bench: %s\n", err);
		side_free(&base);
		return EXIT_BENCH_INPUT;
	}
	for (i = optind + 1; i < argc && !rc; i++) {
		if (side_load(&other, argv[i], err, sizeof(err))) {
			fprintf(stderr, "vsva-bench: %s\n", err);
			rc = EXIT_BENCH_INPUT;
		} else if (strcmp(base.scenario, other.scenario)) {
			fprintf(stderr, "vsva-bench: %s is of scenario '%s', %s "
				"of '%s': not comparable\n", base.path,
				base.scenario, other.path, other.scenario);
			rc = EXIT_BENCH_INPUT;
		} else if (o.paired && base.nruns != other.nruns) {
			fprintf(stderr, "vsva-bench: --paired needs as many runs "
				"on each side (%d and %d)\n", base.nruns,
				other.nruns);
			rc = EXIT_BENCH_INPUT;
		} else {
			struct compare_opts oc = o;

			if (o.plot_dir && argc - optind > 2) {
				snprintf(dir, sizeof(dir), "%s/%d", o.plot_dir,
					 i - optind);
				oc.plot_dir = dir;
			}
			if (i > optind + 1)
				fputc('\n', stdout);
			k = compare_print(&base, &other, &oc, NULL, stdout);
			rc = rc ? rc : k;
		}
		side_free(&other);
	}
	side_free(&base);
	return rc;
}
