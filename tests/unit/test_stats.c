// SPDX-License-Identifier: GPL-2.0
/* Statistics of the latency benchmark against known answers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_quantiles(void **state)
{
	double x[] = { 4, 1, 3, 2 };

	(void)state;
	st_sort(x, 4);
	NEAR(st_quantile(x, 4, 0.5), 2.5, 1e-12);
	NEAR(st_quantile(x, 4, 0.25), 1.75, 1e-12);
	NEAR(st_quantile(x, 4, 0.0), 1, 1e-12);
	NEAR(st_quantile(x, 4, 1.0), 4, 1e-12);
	double y[] = { 1, 2, 3, 4, 100 };

	NEAR(st_trimmed_mean(y, 5, 0.2), 3, 1e-12);
}

static void test_hl1_exact(void **state)
{
	double a[] = { 1, 2, 3 };
	double b[] = { 1, 2, 3, 10 };
	double c[] = { 7 };
	/* Ties on a 26-cycle lattice: HL still lands on a Walsh average. */
	double d[] = { 26, 26, 52, 52, 52, 78 };

	(void)state;
	NEAR(st_hl1(a, 3), 2, 1e-9);
	NEAR(st_hl1(b, 4), 2.75, 1e-9);
	NEAR(st_hl1(c, 1), 7, 1e-9);
	NEAR(st_walsh_kth(b, 4, 1), 1, 1e-9);
	NEAR(st_walsh_kth(b, 4, 10), 10, 1e-9);
	NEAR(st_walsh_kth(b, 4, 7), 5.5, 1e-9);
	/* Walsh averages of d: 21 values; the 11th is 52. */
	NEAR(st_hl1(d, 6), 52, 1e-9);
}

/* Brute-force HL on random data agrees with the bisection one. */
static void test_hl1_bruteforce(void **state)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double x[41], w[41 * 42 / 2];
	size_t k = 0;

	(void)state;
	gsl_rng_set(r, 7);
	for (int i = 0; i < 41; i++)
		x[i] = 26 * floor(gsl_ran_cauchy(r, 3));
	st_sort(x, 41);
	for (int i = 0; i < 41; i++)
		for (int j = i; j < 41; j++)
			w[k++] = (x[i] + x[j]) / 2;
	st_sort(w, k);
	NEAR(st_hl1(x, 41), st_quantile(w, k, 0.5), 1e-9);
	gsl_rng_free(r);
}

static void test_hl2(void **state)
{
	double x[] = { 1, 2, 3 }, y[] = { 11, 12, 13 };

	(void)state;
	NEAR(st_hl2(x, 3, y, 3), 10, 1e-12);
}

static void test_mann_whitney(void **state)
{
	double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
	double xt[] = { 1, 2, 2 }, yt[] = { 2, 3, 4 };
	double u;
	int exact;

	(void)state;
	/* No ties, 3 vs 3: U = 9, exact two-sided p = 2/20. */
	NEAR(st_mann_whitney(x, 3, y, 3, &u, &exact), 0.1, 1e-12);
	NEAR(u, 9, 1e-12);
	assert_int_equal(exact, 1);
	NEAR(st_mann_whitney(y, 3, x, 3, &u, &exact), 0.1, 1e-12);
	NEAR(u, 0, 1e-12);
	/* Ties (hand computed): U = 8, var = 4.65, z = 3/sqrt(4.65). */
	NEAR(st_mann_whitney(xt, 3, yt, 3, &u, &exact), 0.16415972847851523,
	     1e-9);
	NEAR(u, 8, 1e-12);
	assert_int_equal(exact, 0);
}

static void test_mde(void **state)
{
	(void)state;
	NEAR(st_mde(1, 0, 0.05, 0.8), 1.959964 + 0.841621, 1e-5);
	NEAR(st_mde(2, 0, 0.01, 0.8), 2 * (2.575829 + 0.841621), 1e-5);
	/* t quantiles are wider than normal ones at few df. */
	assert_true(st_mde(1, 4, 0.01, 0.8) > st_mde(1, 0, 0.01, 0.8) + 1);
}

/* Wider of Welch and bootstrap, as compare.c does. */
static void interval(const double *x, const double *y, size_t n,
		     unsigned long seed, double *lo, double *hi)
{
	struct st_welch w;
	double blo, bhi;

	assert_int_equal(st_welch(x, n, y, n, 0.99, &w), 0);
	assert_int_equal(st_boot_diff(x, n, y, n, 0.99, 2000, seed, &blo, &bhi),
			 0);
	*lo = fmin(w.lo, blo);
	*hi = fmax(w.hi, bhi);
}

static void test_planted_shift(void **state)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double x[8], y[8], lo, hi;

	(void)state;
	gsl_rng_set(r, 42);
	for (int i = 0; i < 8; i++) {
		x[i] = 180 + gsl_ran_gaussian(r, 9);
		y[i] = 530 + gsl_ran_gaussian(r, 9);
	}
	interval(x, y, 8, 1, &lo, &hi);
	assert_true(lo < 350 && 350 < hi);
	assert_true(lo > 0);
	assert_true(st_mann_whitney(x, 8, y, 8, NULL, NULL) < 0.01);
	gsl_rng_free(r);
}

/* A/A: the 99% interval excludes 0 in few of 200 synthetic runs. */
static void test_aa_rate(void **state)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int differ = 0, equivalent = 0;

	(void)state;
	gsl_rng_set(r, 4);
	for (int rep = 0; rep < 200; rep++) {
		double x[8], y[8], lo, hi;

		for (int i = 0; i < 8; i++) {
			x[i] = 180 + gsl_ran_gaussian(r, 9);
			y[i] = 180 + gsl_ran_gaussian(r, 9);
		}
		interval(x, y, 8, rep, &lo, &hi);
		differ += lo > 0 || hi < 0;
		/* threshold 25 ns = 57.5 cycles at 2.3 GHz */
		equivalent += lo > -57.5 && hi < 57.5;
	}
	assert_true(differ <= 6); /* expected 2 */
	assert_true(equivalent >= 180); /* "usually equivalent" */
	gsl_rng_free(r);
}

static void test_fast_pairs_exact(void **state)
{
	/* Fastest half of each column: x <= 12, y <= 112. */
	double x[] = { 10, 11, 500, 12, 13 }, y[] = { 110, 900, 111, 112, 113 };
	double out[5];
	size_t k;

	(void)state;
	k = st_fast_pairs(x, y, 5, 0.5, out);
	/* Row 0 (10,110) and row 3 (12,112): both fast. Rows 1 and 2
	 * straddle the modes and are dropped. */
	assert_int_equal(k, 2);
	NEAR(out[0], 100, 1e-12);
	NEAR(out[1], 100, 1e-12);
	assert_int_equal(st_fast_pairs(x, y, 0, 0.4, out), 0);
	/* Anti-correlated columns: no row is fast in both. */
	{
		double a[] = { 1, 2, 3, 4, 5 }, b[] = { 5, 4, 3, 2, 1 };

		assert_int_equal(st_fast_pairs(a, b, 5, 0.2, out), 0);
	}
}

/*
 * Bimodal syscall costs as UML shows them (~16k or ~150k cycles, modes
 * drawn independently per call): the fast-pair estimate recovers a
 * planted 100-cycle difference with a far smaller spread than HL over
 * all pairs, and a constant added to y moves it by exactly that much.
 */
static void test_fast_pairs_bimodal(void **state)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	enum { N = 5000, BOOTS = 12 };
	static double x[N], y[N], y2[N], d[N];
	double fast[BOOTS], all[BOOTS];

	(void)state;
	gsl_rng_set(r, 7);
	for (int b = 0; b < BOOTS; b++) {
		size_t k;
		double e;

		for (int i = 0; i < N; i++) {
			double base = gsl_rng_uniform(r) < 0.4 ? 16000 : 150000;
			double other = gsl_rng_uniform(r) < 0.4 ? 16000 :
								  150000;

			/* Calls in the same iteration share the mode 70%. */
			if (gsl_rng_uniform(r) < 0.7)
				other = base;
			/* Spread measured: fast mode ~+-500, slow ~+-30k. */
			x[i] = base +
			       gsl_ran_gaussian(r, base < 1e5 ? 500 : 30000);
			y[i] = other + 100 +
			       gsl_ran_gaussian(r, other < 1e5 ? 500 : 30000);
			y2[i] = y[i] + 350;
			d[i] = y[i] - x[i];
		}
		k = st_fast_pairs(x, y, N, 0.2, d + 0);
		assert_true(k > N / 20);
		fast[b] = st_hl1(d, k);
		k = st_fast_pairs(x, y2, N, 0.2, d);
		e = st_hl1(d, k);
		NEAR(e - fast[b], 350, 1e-9);
		for (int i = 0; i < N; i++)
			d[i] = y[i] - x[i];
		st_sort(d, N);
		all[b] = st_hl1(d, N);
	}
	NEAR(st_mean(fast, BOOTS), 100, 30);
	print_message("fast20 sd %.1f, hl sd %.1f\n", st_sd(fast, BOOTS),
		      st_sd(all, BOOTS));
	assert_true(st_sd(fast, BOOTS) * 3 < st_sd(all, BOOTS));
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_hl1_exact),
		cmocka_unit_test(test_hl1_bruteforce),
		cmocka_unit_test(test_hl2),
		cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_mde),
		cmocka_unit_test(test_planted_shift),
		cmocka_unit_test(test_aa_rate),
		cmocka_unit_test(test_fast_pairs_exact),
		cmocka_unit_test(test_fast_pairs_bimodal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
