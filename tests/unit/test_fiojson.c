// SPDX-License-Identifier: GPL-2.0
/*
 * fio json+ and shim statistics parsing against recorded fixtures
 * (tests/fixtures/fio/, recorded from short real fio runs on the host and
 * in the UML guest), including truncated and corrupt files.
 * Run from the tests/ folder (make unit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fio.h"
#include "fiojson.h"
#include "util.h"

#define FX "fixtures/fio/"

static void test_randread_qd1(void **state)
{
	struct fio_result r;
	char *err = NULL;
	uint64_t total = 0;

	(void)state;
	assert_int_equal(fio_json_load(FX "tmpfs-randread-qd1.json", &r, &err),
			 0);
	assert_null(err);
	assert_string_equal(r.version, "fio-3.33");
	assert_int_equal(r.njobs, 1);
	assert_string_equal(r.jobs[0].name, "tmpfs-randread-qd1");
	assert_int_equal(r.jobs[0].error, 0);
	assert_true(r.jobs[0].rd.iops > 1000);
	assert_int_equal(r.jobs[0].wr.total_ios, 0);
	assert_int_equal(r.jobs[0].rd.clat.nbins, 429);
	assert_int_equal(r.jobs[0].rd.clat.n, 373497);
	assert_true(r.jobs[0].rd.clat.p50 == 362);
	for (size_t i = 0; i < r.jobs[0].rd.clat.nbins; i++) {
		total += r.jobs[0].rd.clat.bin_count[i];
		if (i)
			assert_true(r.jobs[0].rd.clat.bin_ns[i] >
				    r.jobs[0].rd.clat.bin_ns[i - 1]);
	}
	/* the bins are the whole histogram */
	assert_int_equal(total, r.jobs[0].rd.clat.n);
	assert_true(r.jobs[0].rd.clat.p90 >= r.jobs[0].rd.clat.p50);
	assert_true(r.jobs[0].rd.clat.p999 >= r.jobs[0].rd.clat.p99);
	fio_result_free(&r);
}

static void test_merge_and_cdf(void **state)
{
	struct fio_result r;
	struct fio_lat m;
	char *err = NULL, *csv, path[] = "/tmp/test_fiojson.XXXXXX";
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(fio_json_load(FX "tmpfs-randwrite-qd32-verify.json",
				       &r, &err),
			 0);
	/* verify job: reads (verify) and writes, 8192 blocks each */
	assert_int_equal(r.jobs[0].rd.clat.n, 8192);
	assert_int_equal(r.jobs[0].wr.clat.n, 8192);
	fio_clat_merge(&r, &m);
	assert_int_equal(m.n, 16384);
	assert_true(m.nbins <=
		    r.jobs[0].rd.clat.nbins + r.jobs[0].wr.clat.nbins);
	/* the merged median lies between the two medians */
	assert_true(m.p50 >= 87552 * 0.9 && m.p50 <= 138240 * 1.1);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fio_bins_cdf_csv(&m, path, &err), 0);
	csv = read_file(path, &len);
	assert_non_null(csv);
	assert_true(!strncmp(csv, "ns,count,cumulative,fraction\n", 29));
	/* the last row reaches fraction 1 with cumulative == n */
	assert_non_null(strstr(csv, ",16384,1.000000000\n"));
	free(csv);
	unlink(path);
	fio_lat_free(&m);
	fio_result_free(&r);
}

static void test_guest_fixture(void **state)
{
	struct fio_result r;
	char *err = NULL;

	(void)state;
	assert_int_equal(
		fio_json_load(FX "uml-tmpfs-randwrite-qd32-verify-migrate.json",
			      &r, &err),
		0);
	assert_int_equal(r.jobs[0].error, 0);
	assert_true(r.jobs[0].wr.iops > 0);
	assert_true(r.jobs[0].wr.clat.nbins > 0);
	fio_result_free(&r);
}

static void expect_error(const char *file, const char *needle)
{
	struct fio_result r;
	char *err = NULL;

	assert_int_equal(fio_json_load(file, &r, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, file));
	assert_non_null(strstr(err, needle));
	free(err);
	assert_int_equal(r.njobs, 0);
}

static void test_truncated(void **state)
{
	(void)state;
	expect_error(FX "truncated.json", "not valid fio JSON");
	expect_error(FX "notjson.json", "not valid fio JSON");
	expect_error(FX "corrupt-jobs.json", "no \"jobs\" array");
	expect_error(FX "does-not-exist.json", "not valid fio JSON");
}

static void test_shim_files(void **state)
{
	struct shim_stats s;
	char err[SHIM_ERR_LEN];
	double p50, p99;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(shim_tsv_load(FX "shim-uml-migrate.tsv", &s, err,
				       sizeof(err)),
			 0);
	assert_int_equal(s.files, 1);
	assert_int_equal(s.truncated, 0);
	assert_int_equal(s.remaps, 4088);
	assert_int_equal(s.ios, 16384);
	assert_int_equal(s.errors, 0);
	assert_string_equal(s.first_error, "");
	p50 = shim_hist_quantile(s.hist[SHIM_H_SUBMIT], 0.5);
	p99 = shim_hist_quantile(s.hist[SHIM_H_SUBMIT], 0.99);
	assert_true(p50 > 1000 && p99 >= p50);
	assert_true(shim_hist_quantile(s.hist[SHIM_H_OVERHEAD], 0.5) < 1000);
	/* truncated: parsed, but counted as truncated */
	assert_int_equal(shim_tsv_load(FX "shim-truncated.tsv", &s, err,
				       sizeof(err)),
			 0);
	assert_int_equal(s.files, 2);
	assert_int_equal(s.truncated, 1);
	/* not a shim file */
	assert_int_equal(shim_tsv_load(FX "notjson.json", &s, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a shim statistics file"));
	/* a folder: only its shim-*.tsv files, summed */
	memset(&s, 0, sizeof(s));
	assert_int_equal(shim_dir_load("fixtures/fio", &s, err, sizeof(err)),
			 2);
	assert_int_equal(s.files, 2);
	assert_int_equal(s.truncated, 1);
	assert_int_equal(s.remaps, 4088);
	assert_int_equal(s.ios, 16384);
	assert_int_equal(shim_dir_load(FX "no-such-dir", &s, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot open"));
}

static void test_buckets(void **state)
{
	(void)state;
	for (uint64_t x = 0; x < 100000; x = x * 5 / 4 + 1) {
		int b = shim_bucket(x);

		assert_true(shim_bucket_lo(b) <= x);
		assert_true(x < shim_bucket_lo(b + 1));
	}
	assert_int_equal(shim_bucket(UINT64_MAX), 251);
}

/* @path: keys separated by '.' */
static json_t *jget(json_t *o, const char *path)
{
	char *p = xstrdup(path), *save, *tok;

	for (tok = strtok_r(p, ".", &save); tok && o;
	     tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	free(p);
	return o;
}

static const char *jstr(json_t *o, const char *path)
{
	const char *r = json_string_value(jget(o, path));

	return r ? r : "(missing)";
}

static long long jint(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	return v ? json_integer_value(v) : -1;
}

/*
 * The summary's verdict follows the guest's own checks (fiorun.tsv
 * "check" lines), never "ok" when one failed; warm-up runs are left out
 * of the numbers; off/on pairs are matched by tag. Fixture: a recorded
 * run folder, edited (fixtures/fio/run/README).
 */
static void test_summary_verdicts(void **state)
{
	char dir[] = "/tmp/test_fiojson_run.XXXXXX", *cmd, *p;
	json_t *s, *k;
	json_error_t e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cmd = xasprintf("cp -r " FX "run/fio %s/", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	/* a failed guest check is a failed run: exit status 1 */
	assert_int_equal(fio_summarise(dir, 1), 1);
	p = xasprintf("%s/fio-summary.json", dir);
	s = json_load_file(p, 0, &e);
	free(p);
	assert_non_null(s);
	k = json_object_get(s, "kernels");

	/* slow-lookup: fio exited 0 without errors, but verify failed */
	assert_string_equal(
		jstr(k, "slow-lookup.tmpfs-randwrite-qd32-verify.verdict"),
		"failed with remaps");
	assert_string_equal(
		jstr(k,
		     "slow-lookup.tmpfs-randwrite-qd32-verify.on.failed_checks"),
		"fio-verify-clean x1");
	assert_string_equal(
		jstr(k, "slow-lookup.tmpfs-randwrite-qd32-verify.on.verify"),
		"failed");
	assert_string_equal(
		jstr(k, "slow-lookup.tmpfs-randwrite-qd32-verify.off.status"),
		"ok");
	/* the warm-up counts as a run of its own, not in the statistics */
	assert_int_equal(
		jint(k, "slow-lookup.tmpfs-randwrite-qd32-verify.off.runs"), 2);
	assert_int_equal(
		jint(k,
		     "slow-lookup.tmpfs-randwrite-qd32-verify.off.warmup_runs"),
		1);
	assert_int_equal(
		json_array_size(jget(
			k,
			"slow-lookup.tmpfs-randwrite-qd32-verify.off.iops_per_run")),
		2);
	assert_int_equal(
		jint(k,
		     "slow-lookup.tmpfs-randwrite-qd32-verify.effect_of_remap.iops_paired.pairs"),
		2);

	/* with: every check passed */
	assert_string_equal(jstr(k, "with.tmpfs-randwrite-qd32-verify.verdict"),
			    "ok");
	assert_string_equal(
		jstr(k, "with.tmpfs-randwrite-qd32-verify.on.verify"), "clean");
	assert_int_equal(
		jint(k,
		     "with.tmpfs-randwrite-qd32-verify.effect_of_remap.iops_paired.pairs"),
		1);

	/* fixed: fiorun died before judging its remap-off run */
	assert_string_equal(jstr(k,
				 "fixed.tmpfs-randwrite-qd32-verify.verdict"),
			    "failed without remaps");
	assert_string_equal(
		jstr(k, "fixed.tmpfs-randwrite-qd32-verify.off.failed_checks"),
		"fiorun-unfinished x1");
	json_decref(s);
	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_randread_qd1),
		cmocka_unit_test(test_merge_and_cdf),
		cmocka_unit_test(test_guest_fixture),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_shim_files),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_summary_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
