// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for the latency benchmark: order statistics, robust
 * estimators, rank test, Welch and bootstrap intervals, MDE.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "util.h"

void st_sort(double *x, size_t n)
{
	if (n > 1)
		gsl_sort(x, 1, n);
}

double st_quantile(const double *sorted, size_t n, double p)
{
	if (!n)
		return NAN;
	return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

double st_mean(const double *x, size_t n)
{
	return n ? gsl_stats_mean(x, 1, n) : NAN;
}

double st_sd(const double *x, size_t n)
{
	return n < 2 ? 0.0 : gsl_stats_sd(x, 1, n);
}

double st_trimmed_mean(const double *sorted, size_t n, double trim)
{
	if (!n)
		return NAN;
	return gsl_stats_trmean_from_sorted_data(trim, sorted, 1, n);
}

/* Number of Walsh averages (i <= j) with x_i + x_j <= s. */
static unsigned long long walsh_count(const double *x, size_t n, double s)
{
	unsigned long long cnt = 0;
	long j = (long)n - 1;

	for (long i = 0; i < (long)n; i++) {
		while (j >= 0 && x[i] + x[j] > s)
			j--;
		if (j < i)
			break;
		cnt += j - i + 1;
	}
	return cnt;
}

double st_walsh_kth(const double *x, size_t n, unsigned long long k)
{
	double lo = 2 * x[0], hi = 2 * x[n - 1];

	/* Invariant: count(lo) < k <= count(hi), on sums x_i + x_j. */
	if (walsh_count(x, n, lo) >= k)
		return x[0];
	for (int it = 0; it < 200 && hi - lo > 1e-9 * (fabs(hi) + 1); it++) {
		double mid = lo + (hi - lo) / 2;

		if (walsh_count(x, n, mid) >= k)
			hi = mid;
		else
			lo = mid;
	}
	/* Snap to the largest actual pair sum <= hi (the k-th value). */
	double best = -INFINITY;
	long j = (long)n - 1;

	for (long i = 0; i < (long)n; i++) {
		while (j >= i && x[i] + x[j] > hi)
			j--;
		if (j < i)
			break;
		if (x[i] + x[j] > best)
			best = x[i] + x[j];
	}
	return best / 2;
}

double st_hl1(const double *sorted, size_t n)
{
	unsigned long long N;

	if (!n)
		return NAN;
	N = (unsigned long long)n * (n + 1) / 2;
	if (N % 2)
		return st_walsh_kth(sorted, n, (N + 1) / 2);
	return (st_walsh_kth(sorted, n, N / 2) +
		st_walsh_kth(sorted, n, N / 2 + 1)) /
	       2;
}

size_t st_fast_pairs(const double *x, const double *y, size_t n, double p,
		     double *out)
{
	double tx, ty;
	size_t k = 0;

	if (!n)
		return 0;
	memcpy(out, x, n * sizeof(*out));
	st_sort(out, n);
	tx = st_quantile(out, n, p);
	memcpy(out, y, n * sizeof(*out));
	st_sort(out, n);
	ty = st_quantile(out, n, p);
	for (size_t i = 0; i < n; i++)
		if (x[i] <= tx && y[i] <= ty)
			out[k++] = y[i] - x[i];
	st_sort(out, k);
	return k;
}

double st_hl2(const double *x, size_t nx, const double *y, size_t ny)
{
	size_t m = nx * ny, k = 0;
	double *d, r;

	if (!m)
		return NAN;
	d = xmalloc(m * sizeof(*d));
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			d[k++] = y[j] - x[i];
	st_sort(d, m);
	r = gsl_stats_median_from_sorted_data(d, 1, m);
	free(d);
	return r;
}

struct ranked {
	double v;
	int grp;
};

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v;
	double y = ((const struct ranked *)b)->v;

	return (x > y) - (x < y);
}

/*
 * Number of ways @m items of one group, @n of the other, give
 * U = u: the recurrence f(m,n,u) = f(m-1,n,u-n) + f(m,n-1,u).
 */
static double mw_exact_cdf_upper(size_t m, size_t n, double u)
{
	size_t umax = m * n;
	/* f[i][j][k] flattened: tables of size (m+1)(n+1)(umax+1). */
	size_t sz = (m + 1) * (n + 1) * (umax + 1);
	double *f = xcalloc(sz, sizeof(*f)), tot = 0, up = 0;
#define F(i, j, k) f[((i) * (n + 1) + (j)) * (umax + 1) + (k)]

	for (size_t i = 0; i <= m; i++)
		for (size_t j = 0; j <= n; j++)
			for (size_t k = 0; k <= umax; k++) {
				if (!i || !j) {
					F(i, j, k) = k == 0;
					continue;
				}
				F(i, j, k) = (k >= j ? F(i - 1, j, k - j) : 0) +
					     F(i, j - 1, k);
			}
	for (size_t k = 0; k <= umax; k++) {
		tot += F(m, n, k);
		if ((double)k >= u - 1e-9)
			up += F(m, n, k);
	}
#undef F
	free(f);
	return up / tot;
}

double st_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		       double *u_out, int *exact)
{
	size_t N = nx + ny;
	struct ranked *r;
	double ry = 0, ties = 0, u, mu, var, z, p;

	if (!nx || !ny) {
		if (u_out)
			*u_out = NAN;
		return NAN;
	}
	r = xmalloc(N * sizeof(*r));
	for (size_t i = 0; i < nx; i++)
		r[i] = (struct ranked){ x[i], 0 };
	for (size_t j = 0; j < ny; j++)
		r[nx + j] = (struct ranked){ y[j], 1 };
	qsort(r, N, sizeof(*r), cmp_ranked);
	for (size_t i = 0; i < N;) {
		size_t j = i;

		while (j + 1 < N && r[j + 1].v == r[i].v)
			j++;
		double rank = (i + j) / 2.0 + 1, t = j - i + 1;

		ties += t * t * t - t;
		for (size_t k = i; k <= j; k++)
			if (r[k].grp)
				ry += rank;
		i = j + 1;
	}
	free(r);
	u = ry - ny * (ny + 1) / 2.0;
	if (u_out)
		*u_out = u;
	mu = nx * ny / 2.0;
	if (ties == 0 && nx * ny <= 400) {
		/* Symmetric distribution: P(U >= max(u, mu')) doubled. */
		double hi = u >= mu ? u : nx * ny - u;

		p = 2 * mw_exact_cdf_upper(ny, nx, hi);
		if (exact)
			*exact = 1;
		return p > 1 ? 1 : p;
	}
	if (exact)
		*exact = 0;
	var = nx * ny / 12.0 * ((N + 1) - ties / ((double)N * (N - 1)));
	if (var <= 0)
		return 1.0;
	z = fabs(u - mu) - 0.5;
	if (z < 0)
		z = 0;
	z /= sqrt(var);
	p = 2 * gsl_cdf_ugaussian_Q(z);
	return p > 1 ? 1 : p;
}

int st_welch(const double *x, size_t nx, const double *y, size_t ny,
	     double level, struct st_welch *o)
{
	double vx, vy, a, b, t;

	memset(o, 0, sizeof(*o));
	if (nx < 2 || ny < 2)
		return -1;
	vx = gsl_stats_variance(x, 1, nx);
	vy = gsl_stats_variance(y, 1, ny);
	a = vx / nx;
	b = vy / ny;
	o->diff = st_mean(y, ny) - st_mean(x, nx);
	o->se = sqrt(a + b);
	if (o->se == 0) {
		o->df = nx + ny - 2;
		o->lo = o->hi = o->diff;
		o->p = o->diff == 0 ? 1 : 0;
		return 0;
	}
	o->df = (a + b) * (a + b) / (a * a / (nx - 1) + (b * b) / (ny - 1));
	t = gsl_cdf_tdist_Pinv(0.5 + level / 2, o->df);
	o->lo = o->diff - t * o->se;
	o->hi = o->diff + t * o->se;
	o->p = 2 * gsl_cdf_tdist_Q(fabs(o->diff) / o->se, o->df);
	return 0;
}

int st_boot_diff(const double *x, size_t nx, const double *y, size_t ny,
		 double level, int reps, unsigned long seed, double *lo,
		 double *hi)
{
	gsl_rng *rng;
	double *d;

	if (!nx || !ny || reps < 10)
		return -1;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	d = xmalloc(reps * sizeof(*d));
	for (int r = 0; r < reps; r++) {
		double sx = 0, sy = 0;

		for (size_t i = 0; i < nx; i++)
			sx += x[gsl_rng_uniform_int(rng, nx)];
		for (size_t j = 0; j < ny; j++)
			sy += y[gsl_rng_uniform_int(rng, ny)];
		d[r] = sy / ny - sx / nx;
	}
	st_sort(d, reps);
	*lo = st_quantile(d, reps, (1 - level) / 2);
	*hi = st_quantile(d, reps, 1 - (1 - level) / 2);
	free(d);
	gsl_rng_free(rng);
	return 0;
}

double st_mde(double se, double df, double alpha, double power)
{
	if (df <= 0 || df > 1e6)
		return se * (gsl_cdf_ugaussian_Pinv(1 - alpha / 2) +
			     gsl_cdf_ugaussian_Pinv(power));
	return se * (gsl_cdf_tdist_Pinv(1 - alpha / 2, df) +
		     gsl_cdf_tdist_Pinv(power, df));
}
