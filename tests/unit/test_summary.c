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
	write_file(p, "{\"claims.a\": \"pass\"}", 20);
	free(p);
	assert_int_equal(report_write(run, &err), 0);
	p = xasprintf("%s/report.md", run);
	md = read_file(p, NULL);
	assert_non_null(md);
	assert_non_null(
		strstr(md, "| slow-lookup (control) | without | lookup"));
	assert_non_null(strstr(md, "control detected"));
	assert_non_null(strstr(md, "## Checks (verdicts.json)"));
	assert_non_null(strstr(md, "claims.a"));
	assert_null(strstr(md, "## fio"));
	free(md);
	free(p);
	rm_rf(tmpl);
	json_decref(s);
	json_decref(c);
	free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_summarise),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
