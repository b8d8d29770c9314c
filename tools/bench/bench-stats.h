/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsva-bench's statistics: distribution-free, as benchstat's (medians with
 * order-statistic confidence intervals, Mann-Whitney U) and for paired
 * runs (Wilcoxon signed-rank, Hodges-Lehmann on the pair differences).
 * Checked against scipy in tests/static/test_stats.sh.  The tests on
 * ranks and the Hodges-Lehmann shifts are bench-ranks.c's; the rest is
 * bench-stats.c's.
 */
#ifndef VSVA_BENCH_STATS_H
#define VSVA_BENCH_STATS_H

#include <stdbool.h>

#define ST_MIN_TEST	4	/* fewer samples: no test */
#define ST_MIN_CI	6	/* fewer: no confidence interval */

/* ST_CONSTANT: no test, every value of each side the same (vsva-bench) */
enum st_method { ST_NONE, ST_EXACT, ST_ASYMPTOTIC, ST_CONSTANT };

struct st_test {
	double stat;		/* U of the first sample, or T (min(W+, W-)) */
	double p;		/* two-sided */
	enum st_method method;
};

/* Median of @v (@n > 0); @v is not changed. */
double st_median(const double *v, int n);
/* Distribution-free CI for the median at @conf (binomial order
 * statistics); -1 (and NAN) when n < ST_MIN_CI or no order statistics
 * reach @conf. */
int st_median_ci(const double *v, int n, double conf, double *lo, double *hi);
/* Mann-Whitney U, two-sided: exact when there are no ties and both samples
 * have at most 50 values, else normal with tie and continuity correction
 * (scipy's formulas); method ST_NONE below ST_MIN_TEST per side. */
struct st_test st_mann_whitney(const double *a, int na, const double *b,
			       int nb);
/* Wilcoxon signed-rank of differences @d, zeros dropped; exact when no
 * ties or zeros and n <= 50, else normal with tie correction. */
struct st_test st_wilcoxon(const double *d, int n);
/* Hodges-Lehmann shift of @b against @a (median of b_j - a_i) and its CI
 * at @conf (Mann-Whitney critical values); CI -1 when too few. */
double st_hl_shift(const double *a, int na, const double *b, int nb);
int st_hl_shift_ci(const double *a, int na, const double *b, int nb,
		   double conf, double *lo, double *hi);
/* Paired: pseudo-median of @d (median of Walsh averages) and its CI from
 * the signed-rank distribution. */
double st_hl_paired(const double *d, int n);
int st_hl_paired_ci(const double *d, int n, double conf, double *lo,
		    double *hi);
/* Holm's step-down adjustment of @n p-values into @adj, over those that
 * are not NAN (no test: NAN stays). */
void st_holm(const double *p, int n, double *adj);
/* Mann-Kendall trend of @v over its order: two-sided p (1 when n < 4). */
double st_trend_p(const double *v, int n);
/* Values beyond Tukey's outer fences (3 IQR). */
int st_outliers(const double *v, int n);
/* Coefficient of variation (sample stddev / mean); 0 when undefined. */
double st_cv(const double *v, int n);

/* bench-stats.c's helpers that bench-ranks.c uses too: qsort's order of
 * doubles; the median of sorted @s; the standard normal's upper tail and
 * its inverse; the largest k >= 1 with cdf(k - 1) <= @tail from the
 * probabilities @pmf of 0..@max (0 when even k = 1 is too wide). */
int st_cmp_d(const void *a, const void *b);
double st_median_sorted(const double *s, int n);
double st_norm_sf(double z);
double st_norm_isf(double p);
long st_crit(const double *pmf, long max, double tail);

#endif /* VSVA_BENCH_STATS_H */
