// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench's statistics on ranks (see bench-stats.h): Mann-Whitney U and
 * Wilcoxon signed-rank, exact or normal, and the Hodges-Lehmann shifts
 * with confidence intervals from the same distributions.  As scipy 1.10
 * computes them (tests/static/test_stats.sh): average ranks for ties,
 * Mann-Whitney's normal approximation with tie and continuity correction,
 * Wilcoxon's without continuity correction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench-stats.h"

#define EXACT_MAX	50

/* Average ranks (1-based) of @v into @r; the tie term sum(t^3 - t). */
static double ranks(const double *v, int n, double *r)
{
	int *idx = malloc(n * sizeof(*idx)), i, j, k, t;
	double tie = 0;

	if (!idx)
		return -1;
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++)		/* insertion sort of indices */
		for (j = i; j > 0 && v[idx[j - 1]] > v[idx[j]]; j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[idx[j]] == v[idx[i]]; j++)
			;
		for (k = i; k < j; k++)
			r[idx[k]] = (i + 1 + j) / 2.0;
		t = j - i;
		tie += (double)t * t * t - t;
	}
	free(idx);
	return tie;
}

/* P(U = u), u in 0..n1*n2, for samples of @n1 and @n2 without ties. */
static double *mwu_pmf(int n1, int n2)
{
	long w = (long)n1 * n2 + 1, m, u;
	int n;
	double *prev = calloc((n1 + 1) * w, sizeof(double));
	double *cur = calloc((n1 + 1) * w, sizeof(double)), *t, total = 0;

	if (!prev || !cur)
		goto fail;
	for (m = 0; m <= n1; m++)
		prev[m * w] = 1;		/* n = 0: one arrangement */
	for (n = 1; n <= n2; n++) {
		memset(cur, 0, (n1 + 1) * w * sizeof(double));
		cur[0] = 1;
		for (m = 1; m <= n1; m++)
			for (u = 0; u <= m * n; u++)
				cur[m * w + u] = prev[m * w + u] +
					(u >= n ? cur[(m - 1) * w + u - n] : 0);
		t = prev;
		prev = cur;
		cur = t;
	}
	free(cur);
	t = malloc(w * sizeof(double));
	if (!t)
		goto fail_prev;
	for (u = 0; u < w; u++)
		total += prev[n1 * w + u];
	for (u = 0; u < w; u++)
		t[u] = prev[n1 * w + u] / total;
	free(prev);
	return t;
fail:
	free(cur);
fail_prev:
	free(prev);
	return NULL;
}

struct st_test st_mann_whitney(const double *a, int na, const double *b,
			       int nb)
{
	struct st_test t = { .p = NAN, .method = ST_NONE };
	int n = na + nb, i;
	double *all, *r, tie, r1 = 0, u1, u2, mu, s, *pmf, c = 0;

	if (na < ST_MIN_TEST || nb < ST_MIN_TEST)
		return t;
	all = malloc(n * sizeof(*all));
	r = malloc(n * sizeof(*r));
	if (!all || !r)
		goto out;
	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	tie = ranks(all, n, r);
	if (tie < 0)
		goto out;
	for (i = 0; i < na; i++)
		r1 += r[i];
	u1 = r1 - na * (na + 1) / 2.0;
	u2 = (double)na * nb - u1;
	t.stat = u1;
	pmf = !tie && na <= EXACT_MAX && nb <= EXACT_MAX ? mwu_pmf(na, nb) :
							   NULL;
	if (pmf) {
		for (i = 0; i <= (int)fmin(u1, u2); i++)
			c += pmf[i];
		t.p = fmin(1, 2 * c);
		t.method = ST_EXACT;
		free(pmf);
		goto out;
	}
	mu = na * (double)nb / 2;
	s = sqrt(na * (double)nb / 12 * ((n + 1) - tie / ((double)n * (n - 1))));
	t.p = s > 0 ? fmin(1, 2 * st_norm_sf((fmax(u1, u2) - mu - 0.5) / s)) : 1;
	t.method = ST_ASYMPTOTIC;
out:
	free(all);
	free(r);
	return t;
}

/* P(W+ = w), w in 0..n(n+1)/2, for @n signed ranks without ties. */
static double *wsr_pmf(int n)
{
	long max = (long)n * (n + 1) / 2, w;
	double *c = calloc(max + 1, sizeof(double));
	int i;

	if (!c)
		return NULL;
	c[0] = 1;
	for (i = 1; i <= n; i++)
		for (w = max; w >= i; w--)
			c[w] += c[w - i];
	for (w = 0; w <= max; w++)
		c[w] = ldexp(c[w], -n);
	return c;
}

struct st_test st_wilcoxon(const double *d, int n)
{
	struct st_test t = { .p = NAN, .method = ST_NONE };
	double *nz = malloc((n ? n : 1) * sizeof(*nz)), *r, *ab = NULL, tie,
	       rp = 0, rm = 0, se, *pmf, c = 0;
	int m = 0, i;

	if (!nz)
		return t;
	for (i = 0; i < n; i++)
		if (d[i] != 0)
			nz[m++] = d[i];
	r = malloc((m ? m : 1) * sizeof(*r));
	ab = malloc((m ? m : 1) * sizeof(*ab));
	if (!r || !ab || m < ST_MIN_TEST)
		goto out;
	for (i = 0; i < m; i++)
		ab[i] = fabs(nz[i]);
	tie = ranks(ab, m, r);
	if (tie < 0)
		goto out;
	for (i = 0; i < m; i++)
		*(nz[i] > 0 ? &rp : &rm) += r[i];
	t.stat = fmin(rp, rm);
	pmf = !tie && m == n && m <= EXACT_MAX ? wsr_pmf(m) : NULL;
	if (pmf) {
		for (i = 0; i <= (int)t.stat; i++)
			c += pmf[i];
		t.p = fmin(1, 2 * c);
		t.method = ST_EXACT;
		free(pmf);
		goto out;
	}
	se = sqrt((m * (m + 1.0) * (2 * m + 1) - 0.5 * tie) / 24);
	t.p = se > 0 ? fmin(1, 2 * st_norm_sf(fabs(t.stat - m * (m + 1) / 4.0) /
					   se)) : 1;
	t.method = ST_ASYMPTOTIC;
out:
	free(nz);
	free(ab);
	free(r);
	return t;
}

/* All b_j - a_i, sorted. */
static double *differences(const double *a, int na, const double *b, int nb)
{
	double *d = malloc(((size_t)na * nb + 1) * sizeof(*d));
	int i, j;

	if (!d)
		return NULL;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[(size_t)i * nb + j] = b[j] - a[i];
	qsort(d, (size_t)na * nb, sizeof(*d), st_cmp_d);
	return d;
}

double st_hl_shift(const double *a, int na, const double *b, int nb)
{
	double *d = na && nb ? differences(a, na, b, nb) : NULL, m;

	if (!d)
		return NAN;
	m = st_median_sorted(d, na * nb);
	free(d);
	return m;
}

/* [d(k), d(N - k + 1)] of sorted @d, or -1 */
static int order_ci(const double *d, long n, long k, double *lo, double *hi)
{
	if (k < 1 || k > n - k + 1)
		return -1;
	*lo = d[k - 1];
	*hi = d[n - k];
	return 0;
}

int st_hl_shift_ci(const double *a, int na, const double *b, int nb,
		   double conf, double *lo, double *hi)
{
	long nd = (long)na * nb, k;
	double *d, *pmf;
	int rc;

	*lo = *hi = NAN;
	if (na < ST_MIN_CI || nb < ST_MIN_CI)
		return -1;
	pmf = na <= EXACT_MAX && nb <= EXACT_MAX ? mwu_pmf(na, nb) : NULL;
	if (pmf) {
		k = st_crit(pmf, nd, (1 - conf) / 2);
		free(pmf);
	} else {
		k = (long)floor(nd / 2.0 - st_norm_isf((1 - conf) / 2) *
				sqrt(nd * (na + nb + 1.0) / 12));
	}
	d = differences(a, na, b, nb);
	if (!d)
		return -1;
	rc = order_ci(d, nd, k, lo, hi);
	free(d);
	return rc;
}

/* The Walsh averages of @d, sorted. */
static double *walsh(const double *d, int n, long *nw)
{
	double *w = malloc(((size_t)n * (n + 1) / 2 + 1) * sizeof(*w));
	long k = 0;
	int i, j;

	if (!w)
		return NULL;
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			w[k++] = (d[i] + d[j]) / 2;
	qsort(w, k, sizeof(*w), st_cmp_d);
	*nw = k;
	return w;
}

double st_hl_paired(const double *d, int n)
{
	long nw;
	double *w = n ? walsh(d, n, &nw) : NULL, m;

	if (!w)
		return NAN;
	m = st_median_sorted(w, nw);
	free(w);
	return m;
}

int st_hl_paired_ci(const double *d, int n, double conf, double *lo,
		    double *hi)
{
	long nw, k, max = (long)n * (n + 1) / 2;
	double *w, *pmf;
	int rc;

	*lo = *hi = NAN;
	if (n < ST_MIN_CI)
		return -1;
	pmf = n <= EXACT_MAX ? wsr_pmf(n) : NULL;
	if (pmf) {
		k = st_crit(pmf, max, (1 - conf) / 2);
		free(pmf);
	} else {
		k = (long)floor(max / 2.0 - st_norm_isf((1 - conf) / 2) *
				sqrt(n * (n + 1.0) * (2 * n + 1) / 24));
	}
	w = walsh(d, n, &nw);
	if (!w)
		return -1;
	rc = order_ci(w, nw, k, lo, hi);
	free(w);
	return rc;
}
