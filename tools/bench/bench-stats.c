// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-bench's statistics (see bench-stats.h): the median and its
 * order-statistic CI, Holm's adjustment, Mann-Kendall's trend, outliers
 * and variation, and what the tests on ranks (bench-ranks.c) share with
 * them.  Formulas as scipy 1.10 computes them, so
 * tests/static/test_stats.sh can hold them against it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench-stats.h"

int st_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double *sorted(const double *v, int n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), st_cmp_d);
	return s;
}

double st_median_sorted(const double *s, int n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double st_median(const double *v, int n)
{
	double *s = sorted(v, n), m;

	if (!s || !n) {
		free(s);
		return NAN;
	}
	m = st_median_sorted(s, n);
	free(s);
	return m;
}

/* The standard normal's upper tail, and its inverse by bisection. */
double st_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double st_norm_isf(double p)
{
	double lo = -40, hi = 40, mid;
	int i;

	for (i = 0; i < 200; i++) {
		mid = (lo + hi) / 2;
		if (st_norm_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Largest k >= 1 with cdf(k - 1) <= @tail, from the probabilities @pmf of
 * 0..@max; 0 when even k = 1 is too wide. */
long st_crit(const double *pmf, long max, double tail)
{
	double c = 0;
	long k;

	for (k = 0; k <= max; k++) {
		if (c + pmf[k] > tail * (1 + 1e-12))
			break;
		c += pmf[k];
	}
	return k;		/* cdf(k - 1) = c <= tail */
}

int st_median_ci(const double *v, int n, double conf, double *lo, double *hi)
{
	double *pmf, *s, lp;
	long k, i;

	*lo = *hi = NAN;
	if (n < ST_MIN_CI)
		return -1;
	pmf = malloc((n + 1) * sizeof(*pmf));
	if (!pmf)
		return -1;
	for (i = 0; i <= n; i++) {	/* Binomial(n, 1/2) */
		lp = lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) -
		     n * M_LN2;
		pmf[i] = exp(lp);
	}
	k = st_crit(pmf, n, (1 - conf) / 2);
	free(pmf);
	if (k < 1 || k > n - k + 1)
		return -1;
	s = sorted(v, n);
	if (!s)
		return -1;
	*lo = s[k - 1];
	*hi = s[n - k];
	free(s);
	return 0;
}

/* NAN (no test) sorts last */
static double holm_key(double p)
{
	return isnan(p) ? INFINITY : p;
}

void st_holm(const double *p, int n, double *adj)
{
	int *idx = malloc((n ? n : 1) * sizeof(*idx)), i, j, t, m = 0;
	double run = 0;

	for (i = 0; i < n; i++) {
		adj[i] = isnan(p[i]) ? NAN : 1;	/* nothing can be claimed */
		m += !isnan(p[i]);
	}
	if (!idx)
		return;
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && holm_key(p[idx[j - 1]]) >
				     holm_key(p[idx[j]]); j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (i = 0; i < m; i++) {	/* the m tested, smallest p first */
		run = fmax(run, fmin(1, (m - i) * p[idx[i]]));
		adj[idx[i]] = run;
	}
	free(idx);
}

double st_trend_p(const double *v, int n)
{
	double s = 0, var, tie = 0, *x, z;
	int i, j;

	if (n < ST_MIN_TEST)
		return 1;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s += (v[j] > v[i]) - (v[j] < v[i]);
	x = sorted(v, n);
	if (!x)
		return 1;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && x[j] == x[i]; j++)
			;
		tie += (j - i) * (j - i - 1.0) * (2.0 * (j - i) + 5);
	}
	free(x);
	var = (n * (n - 1.0) * (2.0 * n + 5) - tie) / 18;
	if (var <= 0)
		return 1;
	z = (s - (s > 0) + (s < 0)) / sqrt(var);
	return fmin(1, 2 * st_norm_sf(fabs(z)));
}

/* Quantile @q of sorted @s, linear between order statistics. */
static double quantile(const double *s, int n, double q)
{
	double h = (n - 1) * q;
	int i = (int)h;

	return i + 1 < n ? s[i] + (h - i) * (s[i + 1] - s[i]) : s[n - 1];
}

int st_outliers(const double *v, int n)
{
	double *s = n >= ST_MIN_TEST ? sorted(v, n) : NULL, q1, q3;
	int i, k = 0;

	if (!s)
		return 0;
	q1 = quantile(s, n, 0.25);
	q3 = quantile(s, n, 0.75);
	for (i = 0; i < n; i++)
		k += s[i] < q1 - 3 * (q3 - q1) || s[i] > q3 + 3 * (q3 - q1);
	free(s);
	return k;
}

double st_cv(const double *v, int n)
{
	double m = 0, sq = 0;
	int i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		m += v[i];
	m /= n;
	for (i = 0; i < n; i++)
		sq += (v[i] - m) * (v[i] - m);
	return m ? sqrt(sq / (n - 1)) / fabs(m) : 0;
}
