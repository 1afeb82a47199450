// SPDX-License-Identifier: GPL-2.0
/* probe.csv parsing and summarise/compare/report on a fixture run. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "util.h"

#define FIX "fixtures/bench"

static void test_csv_good(void **state)
{
	struct probe_data d;
	char *err = NULL;

	(void)state;
	assert_int_equal(probe_csv_load(FIX "/good.csv", &d, &err), 0);
	assert_int_equal(d.n, 3);
	assert_true(d.col[0][1] == 110 && d.col[1][2] == 100);
	assert_true(d.col[4][0] == 200);
	assert_int_equal(d.remapped[0], 1);
	assert_int_equal(d.remapped[1], 0);
	probe_data_free(&d);
}

static void expect_error(const char *path, const char *needle)
{
	struct probe_data d;
	char *err = NULL;

	assert_int_equal(probe_csv_load(path, &d, &err), -1);
	assert_non_null(err);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	free(err);
}

static void test_csv_bad(void **state)
{
	(void)state;
	expect_error(FIX "/bad/truncated.csv", "truncated");
	expect_error(FIX "/bad/truncated.csv", ":7:");
	expect_error(FIX "/bad/corrupt.csv", ":5: column getppid");
	expect_error(FIX "/bad/noheader.csv", "header has no 'getppid'");
	expect_error(FIX "/bad/missing.csv", "cannot read");
}

static json_t *fixture_summary(void)
{
	struct summarise_opts so = { EST_HL };
	char *err = NULL;
	json_t *s = summarise_run(FIX "/run", &so, &err);

	if (!s)
		fail_msg("summarise: %s", err);
	return s;
}

static void test_summarise(void **state)
{
	json_t *s = fixture_summary(), *k, *b;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(s, "kernel_order")),
			 3);
	k = json_object_get(json_object_get(s, "kernels"), "with");
	assert_int_equal(json_integer_value(json_object_get(k, "n_boots")), 3);
	b = json_array_get(json_object_get(k, "boots"), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "n")), 300);
	assert_true(json_number_value(json_object_get(b, "tsc_hz")) > 2e9);
	/* The planted +350 cycles shows in slow-lookup's estimate. */
	double w = json_number_value(json_object_get(
		json_object_get(json_object_get(k, "metrics"), "lookup"),
		"estimate_cycles"));
	json_t *sl =
		json_object_get(json_object_get(s, "kernels"), "slow-lookup");
	double v = json_number_value(json_object_get(
		json_object_get(json_object_get(sl, "metrics"), "lookup"),
		"estimate_cycles"));
	assert_true(w > 100 && w < 300);
	assert_true(v - w > 250 && v - w < 450);
	json_decref(s);
}

/* The default estimator (fast20) on the same fixture: named in the
 * summary, pairs counted per boot, the planted shift still seen. */
static void test_summarise_default(void **state)
{
	struct summarise_opts so = { EST_DEFAULT };
	char *err = NULL;
	json_t *s = summarise_run(FIX "/run", &so, &err), *k, *b;
	double w, v;

	(void)state;
	assert_non_null(s);
	assert_string_equal(json_string_value(json_object_get(s, "estimator")),
			    "fast20");
	k = json_object_get(json_object_get(s, "kernels"), "with");
	b = json_array_get(json_object_get(k, "boots"), 0);
	b = json_object_get(json_object_get(b, "metrics"), "lookup");
	assert_true(json_integer_value(json_object_get(b, "fast20_pairs")) > 0);
	assert_true(json_integer_value(json_object_get(b, "fast20_pairs")) <=
		    60);
	w = json_number_value(json_object_get(
		json_object_get(json_object_get(k, "metrics"), "lookup"),
		"estimate_cycles"));
	k = json_object_get(json_object_get(s, "kernels"), "slow-lookup");
	v = json_number_value(json_object_get(
		json_object_get(json_object_get(k, "metrics"), "lookup"),
		"estimate_cycles"));
	assert_true(v - w > 150 && v - w < 450);
	json_decref(s);
}

static json_t *find(json_t *c, const char *kernel, const char *metric)
{
	size_t i;
	json_t *r;

	json_array_foreach(
		json_object_get(c, "comparisons"), i,
		r) if (!strcmp(json_string_value(json_object_get(r, "kernel")),
			       kernel) &&
		       !strcmp(json_string_value(json_object_get(r, "metric")),
			       metric)) return r;
	fail_msg("no comparison for %s/%s", kernel, metric);
	return NULL;
}

static void test_compare(void **state)
{
	json_t *s = fixture_summary(), *c, *r, *ci;
	struct compare_opts o = { .seed = 1 };
	char *err = NULL;

	(void)state;
	c = compare_summaries(s, NULL, &o, &err);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "baseline")),
			    "without");
	r = find(c, "slow-lookup", "lookup");
	assert_string_equal(json_string_value(json_object_get(r, "verdict")),
			    "slower");
	ci = json_object_get(r, "ci_cycles");
	assert_true(json_number_value(json_array_get(ci, 0)) < 350);
	assert_true(json_number_value(json_array_get(ci, 1)) > 350);
	r = find(c, "with", "lookup");
	/* Fixture boots: with 201,206,186 vs without 115,100,91 (HL). */
	assert_true(fabs(json_number_value(json_object_get(r, "diff_cycles")) -
			 95.67) < 0.1);
	assert_true(json_number_value(json_object_get(r, "mde_ns")) > 0);
	/* 3 boots of 300 rows cannot prove equivalence within 25 ns. */
	assert_int_equal(compare_exit_status(c), 1);
	json_decref(c);

	o.baseline = "nosuch";
	assert_null(compare_summaries(s, NULL, &o, &err));
	assert_non_null(strstr(err, "nosuch"));
	free(err);
	json_decref(s);
}

static void test_report(void **state)
{
	char tmpl[] = "/tmp/aioremap-test-XXXXXX", *run, *p, *md, *err = NULL;
	json_t *s, *c;
	struct compare_opts o = { .seed = 1 };

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	char *argv[] = { "cp", "-r", FIX "/run", tmpl, NULL };

	assert_int_equal(run_cmd(argv, NULL, NULL), 0);
	run = xasprintf("%s/run", tmpl);
	/* Without summary/compare: a clear error, no report. */
	assert_int_equal(report_write(run, &err), -1);
	assert_non_null(strstr(err, "summarise"));
	s = fixture_summary();
	c = compare_summaries(s, NULL, &o, &err);
	p = xasprintf("%s/summary.json", run);
	assert_int_equal(json_save_path(s, p, &err), 0);
	free(p);
	p = xasprintf("%s/compare.json", run);
	assert_int_equal(json_save_path(c, p, &err), 0);
	free(p);
	p = xasprintf("%s/verdicts.json", run);
	{
		static const char v[] =
			"{\"kernels\": [{\"name\": \"with\", \"outcome\": "
			"\"ok\"}], \"checks\": [{\"check\": \"claims.a\", "
			"\"kernels\": {\"with\": {\"status\": \"fail\", "
			"\"verdict\": \"FAIL (expected pass)\", \"bad\": "
			"true}}}]}";

		write_file(p, v, strlen(v));
	}
	free(p);
	assert_int_equal(report_write(run, &err), 0);
	p = xasprintf("%s/report.md", run);
	md = read_file(p, NULL);
	assert_non_null(md);
	assert_non_null(
		strstr(md, "| slow-lookup (control) | without | lookup"));
	assert_non_null(strstr(md, "control detected"));
	/* The first lines answer the question, with numbers. */
	assert_non_null(strstr(md, "# aioremap bench: run\n\n"
				   "**Does the patch keep the lookup fast? "
				   "no.**"));
	assert_non_null(strstr(md, "- `with` vs `without` ("));
	assert_non_null(strstr(md, "**slower**: +"));
	assert_non_null(strstr(md, "claims quick check: **1 mismatch"));
	assert_non_null(strstr(md, "Exit status 1."));
	assert_non_null(strstr(md, "## Checks (claims quick check"));
	assert_non_null(strstr(md, "`claims.a` on `with`: FAIL"));
	assert_null(strstr(md, "## fio"));
	/* No calibration beside the run: no trust line. */
	assert_null(strstr(md, "How far to trust this"));
	free(md);
	/* With one, the report quotes it under the answer. */
	{
		char *cp[] = { "cp", FIX "/calibration-ref.json", run, NULL };

		assert_int_equal(run_cmd(cp, NULL, NULL), 0);
	}
	assert_int_equal(report_write(run, &err), 0);
	md = read_file(p, NULL);
	assert_non_null(md);
	assert_non_null(strstr(
		md, "Exit status 1. (0: every candidate equivalent within"));
	assert_non_null(strstr(
		md,
		"How far to trust this: the calibration in "
		"`/somewhere/results/latest-calibration/calibration.json` (20 "
		"repetitions of A/A `with` vs `with` and the `slow-lookup` "
		"control, 12 boots x 10000 samples, estimator fast20, T = 25 "
		"ns, host `vm`): the A/A reported a difference in 1 of 20, the "
		"control was detected in 20 of 20, A/A MDE median 11.2 ns (max "
		"21.0)."));
	free(md);
	free(p);
	rm_rf(tmpl);
	json_decref(s);
	json_decref(c);
	free(run);
}

/* A summary with given per-boot lookup estimates (cycles, 1 GHz). */
static json_t *crafted(const char *const names[], const double est[][6], int nk)
{
	json_t *s = json_object(), *ks = json_object(), *order = json_array();

	for (int k = 0; k < nk; k++) {
		json_t *a = json_array();

		for (int b = 0; b < 6; b++)
			json_array_append_new(a, json_real(est[k][b]));
		json_object_set_new(
			ks, names[k],
			json_pack("{s:f,s:{s:{s:o},s:{s:O}}}", "tsc_hz", 1e9,
				  "metrics", "lookup", "boot_estimates", a,
				  "lookup_ring", "boot_estimates", a));
		json_array_append_new(order, json_string(names[k]));
	}
	json_object_set_new(s, "kernels", ks);
	json_object_set_new(s, "kernel_order", order);
	return s;
}

static char *answer(json_t *s, json_t *meta, int *rc)
{
	struct compare_opts o = { .seed = 1 };
	char *err = NULL, *buf = NULL;
	size_t len = 0;
	json_t *c = compare_summaries(s, NULL, &o, &err);
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(c);
	*rc = report_answer(f, meta, c, NULL, NULL);
	fclose(f);
	assert_int_equal(*rc, compare_exit_status(c));
	json_decref(c);
	json_decref(s);
	return buf;
}

static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not in:\n%s", needle, hay);
}

static void test_answer(void **state)
{
	static const char *const names[] = { "with", "without", "slow-lookup" };
	static const double eq[][6] = { { 100, 101, 99, 100, 102, 98 },
					{ 101, 99, 100, 100, 98, 102 },
					{ 300, 302, 298, 301, 299, 300 } };
	static const double noisy[][6] = { { 100, 160, 40, 130, 70, 100 },
					   { 100, 40, 160, 70, 130, 100 },
					   { 300, 302, 298, 301, 299, 300 } };
	static const double missed[][6] = { { 100, 101, 99, 100, 102, 98 },
					    { 101, 99, 100, 100, 98, 102 },
					    { 100, 160, 40, 130, 70, 100 } };
	json_t *quick = json_pack("{s:b}", "quick", 1);
	char *md;
	int rc;

	(void)state;
	md = answer(crafted(names, eq, 3), NULL, &rc);
	expect_in(md, "**Does the patch keep the lookup fast? yes.**");
	expect_in(md, "**equivalent**: ");
	expect_in(md, "lies inside ±25 ns");
	expect_in(md, "control `slow-lookup` (a known slowdown): **detected**");
	assert_int_equal(rc, 0);
	free(md);

	/* Wide interval around 0, MDE above T: say why, plainly. */
	md = answer(crafted(names, noisy, 3), quick, &rc);
	expect_in(md, "keep the lookup fast? not shown.**");
	expect_in(md, "not enough data to show equivalence (MDE ");
	expect_in(md, "ns > threshold 25 ns)");
	expect_in(md, "run without QUICK");
	assert_int_equal(rc, 1);
	free(md);

	/* Candidate equivalent but the control missed: not shown. */
	md = answer(crafted(names, missed, 3), NULL, &rc);
	expect_in(md, "not shown.**");
	expect_in(md, "**NOT detected");
	assert_int_equal(rc, 1);
	free(md);
	json_decref(quick);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_summarise),
		cmocka_unit_test(test_summarise_default),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
