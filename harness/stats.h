/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for the latency benchmark (GSL underneath).
 *
 * Units: everything here is unit-free doubles; callers pass cycles.
 * "sorted" arguments must be ascending (st_sort()).
 */
#ifndef AIOREMAP_STATS_H
#define AIOREMAP_STATS_H

#include <stddef.h>

void st_sort(double *x, size_t n);
/* Quantile p in [0,1] of sorted data, linear interpolation (GSL). */
double st_quantile(const double *sorted, size_t n, double p);
double st_mean(const double *x, size_t n);
/* Sample standard deviation (n-1); 0 when n < 2. */
double st_sd(const double *x, size_t n);
/* Mean of the middle (1-2*trim) of sorted data; trim in [0,0.5). */
double st_trimmed_mean(const double *sorted, size_t n, double trim);
/*
 * One-sample Hodges-Lehmann estimator: median of the n(n+1)/2 Walsh
 * averages (x_i + x_j)/2, i <= j. Exact (bisection on counts, O(n log)),
 * so it is usable on 10^5 samples.
 */
double st_hl1(const double *sorted, size_t n);
/* k-th smallest (1-based) Walsh average of sorted data. */
double st_walsh_kth(const double *sorted, size_t n, unsigned long long k);
/*
 * Fast-pair differences: y[i] - x[i] for the pairs where both x[i] and
 * y[i] lie at or below their own quantile @p (each column's fastest
 * fraction p). Written to @out (room for n), sorted; returns how many.
 * A constant added to every y shifts the result by exactly that constant
 * (the selection moves with it), so kernels that differ by a fixed cost
 * differ by it here too.
 */
size_t st_fast_pairs(const double *x, const double *y, size_t n, double p,
		     double *out);
/* Two-sample Hodges-Lehmann shift: median of y_j - x_i over all pairs. */
double st_hl2(const double *x, size_t nx, const double *y, size_t ny);

/*
 * Mann-Whitney / Wilcoxon rank-sum test of x against y, two-sided.
 * *u gets U of y (number of pairs with y > x, ties count 1/2). The
 * p-value is exact when there are no ties and nx*ny <= 400, otherwise
 * the normal approximation with tie and continuity corrections.
 * *exact (may be NULL) tells which one was used.
 */
double st_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		       double *u, int *exact);

/* Welch's t interval for mean(y) - mean(x). */
struct st_welch {
	double diff, se, df, lo, hi, p;
};
int st_welch(const double *x, size_t nx, const double *y, size_t ny,
	     double level, struct st_welch *out);

/*
 * Percentile bootstrap interval for mean(y) - mean(x): resample x and y
 * (each with replacement) @reps times with a seeded MT19937.
 */
int st_boot_diff(const double *x, size_t nx, const double *y, size_t ny,
		 double level, int reps, unsigned long seed, double *lo,
		 double *hi);

/*
 * Minimum detectable effect: the true difference a two-sided test at
 * @alpha detects with probability @power, given the standard error of
 * the difference and its degrees of freedom (t quantiles; df <= 0 or
 * huge: normal).
 */
double st_mde(double se, double df, double alpha, double power);

#endif
