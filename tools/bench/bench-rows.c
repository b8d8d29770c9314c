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
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "bench-ab.h"
#include "bench-rows.h"

#define CONF		0.95
#define CV_WARN		0.10	/* coefficient of variation */
#define TREND_P		0.01

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

int compare_build(struct cmp *c, const struct side *a, const struct side *b,
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
