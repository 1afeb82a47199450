// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap bench: interleaved latency benchmark of kernels (A B B A ...),
 * one guest boot per (kernel, boot) running the `probe` workload, then
 * summarise -> compare -> plot -> report in-process.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "expect.h"
#include "fio.h"
#include "guest.h"
#include "kernel.h"
#include "rundir.h"

/* <results>/latest-calibration: the newest `bench --calibrate` run. */
#define CALIBRATION_LINK "latest-calibration"
#include "stats.h"
#include "stress.h"
#include "util.h"

struct bench_opts {
	char *kernels, *patch, *kernel, *name, *fio_jobs;
	int boots, samples, remap_every, repeat;
	unsigned long long seed;
	double threshold_ns;
	bool quick, calibrate, no_build, no_fio;
};

static void bench_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap bench [options]\n"
		"\n"
		"Boot each kernel BOOTS times, interleaved A B B A ..., running the\n"
		"latency probe (getppid vs io_submit(ctx,0,NULL) etc., rdtsc cycles,\n"
		"ring moved every K iterations); then summarise, compare, plot and\n"
		"report into results/<UTC time>-<name>/ (results/latest).\n"
		"\n"
		"  --kernels a,b,c     kernel specs (default with,without,slow-lookup;\n"
		"                      baseline: without, else the first)\n"
		"  --patch P           compare patch:P against its base `with`\n"
		"  --kernel PATH       compare a prebuilt UML binary against `with`\n"
		"  --boots N           boots per kernel (default 12, quick 4)\n"
		"  --samples N         probe iterations per boot (default 10000,\n"
		"                      quick 5000)\n"
		"  --remap-every K     move the ring every K iterations (default 1000)\n"
		"  --seed S            seed (default 1)\n"
		"  --threshold-ns X    equivalence margin (default %.0f ns)\n"
		"  --quick             fewer boots and samples (<= 90 s)\n"
		"  --calibrate         A/A (with against with) plus the slow-lookup\n"
		"                      control, repeated --repeat N times (default\n"
		"                      20: ~40 min at default boots/samples on a\n"
		"                      loaded 2-core VM; 1: ~2 min smoke check);\n"
		"                      counts how often the A/A reports\n"
		"                      a difference (target <= N/20) and the control\n"
		"                      is detected (target >= N - N/20)\n"
		"  --repeat N          repetitions (--calibrate only)\n"
		"  --name NAME         run folder suffix (default bench/calibrate)\n"
		"  --no-build          use only cached kernels\n"
		"  --no-fio            skip the fio part (fio jobs with and without\n"
		"                      ring remaps, see `aioremap fio --help`)\n"
		"  --fio-jobs a,b      fio-jobs/ to run (default: the default set;\n"
		"                      quick: tmpfs-randwrite-qd32-verify)\n"
		"\n"
		"Verdict of each candidate against the baseline (lookup metric:\n"
		"io_submit(ctx,0,NULL) - getppid() in the same iteration; interval\n"
		"over boots; T = --threshold-ns): equivalent (interval inside\n"
		"(-T, T)), slower / faster (interval excludes 0), inconclusive\n"
		"(interval holds 0 but reaches past T: equivalence not shown;\n"
		"\"not enough data\" when the MDE exceeds T, typical of --quick).\n"
		"The first lines of report.md answer \"does the patch keep the\n"
		"lookup fast?\" with yes / no / not shown and the numbers.\n"
		"\n"
		"exit: 0 every candidate equivalent (or faster) within T, the\n"
		"  slow-lookup control detected, claims and fio as expected;\n"
		"  with --calibrate: A/A differences <= N/20 and control detected\n"
		"  >= N - N/20 of N repetitions\n"
		"1 a candidate slower, equivalence not shown (inconclusive), the\n"
		"  control missed, a boot failed, or a claims/fio result differs\n"
		"  from expectations\n"
		"2 usage or setup error\n",
		DEFAULT_THRESHOLD_NS);
}

struct bk {
	char *dir_name; /* folder and report name */
	struct kernel k;
};

/*
 * The calibration a bench report quotes ("how often would it cry
 * wolf?"): the newest `bench --calibrate` in the results folder, else
 * the one committed in results/examples/. Copied into the run folder
 * (calibration-ref.json, with its source) so the run stays readable
 * from its folder alone.
 */
static void calibration_ref_copy(const char *run)
{
	char *base = rundir_base();
	char *paths[2] = {
		xasprintf("%s/" CALIBRATION_LINK "/calibration.json", base),
		project_path("results/examples/calibration.json"),
	};
	char *err = NULL, *dst = xasprintf("%s/calibration-ref.json", run);

	for (int i = 0; i < 2; i++) {
		json_t *c = path_exists(paths[i]) ?
				    json_load_path(paths[i], &err) :
				    NULL;

		if (!c) {
			free(err);
			err = NULL;
			continue;
		}
		json_object_set_new(c, "source", json_string(paths[i]));
		if (json_save_path(c, dst, &err)) {
			warnx_("%s", err);
			free(err);
		}
		json_decref(c);
		break;
	}
	for (int i = 0; i < 2; i++)
		free(paths[i]);
	free(dst);
	free(base);
}

/* Median of @n values, using @tmp (room for n) as scratch. */
static double probe_median(const double *v, size_t n, double *tmp)
{
	memcpy(tmp, v, n * sizeof(*tmp));
	st_sort(tmp, n);
	return st_quantile(tmp, n, 0.5);
}

/* One benchmark: the boots of every kernel into @run, then analyse. */
static int bench_once(const char *run, struct bk *ks, int nk,
		      const char *baseline, const struct bench_opts *o,
		      json_t *meta, json_t **cmp_out)
{
	json_t *order = json_array(), *kn = json_array(), *s, *c;
	char *err = NULL, *p;
	int total = nk * o->boots, done = 0, rc = EXIT_OK;
	struct summarise_opts so = { EST_DEFAULT };
	struct compare_opts co = { .baseline = baseline,
				   .threshold_ns = o->threshold_ns,
				   .seed = o->seed };

	for (int i = 0; i < nk; i++)
		json_array_append_new(kn, json_string(ks[i].dir_name));
	json_object_set(meta, "kernels", kn);
	json_object_set_new(meta, "boot_order", order);
	p = xasprintf("%s/meta.json", run);
	if (json_save_path(meta, p, &err))
		die(EXIT_USAGE, "%s", err);
	for (int b = 0; b < o->boots; b++) {
		for (int j = 0; j < nk; j++) {
			int i = b % 2 ? nk - 1 - j : j;
			char *out = xasprintf("%s/%s/boot-%d", run,
					      ks[i].dir_name, b);
			char *wl =
				xasprintf("probe --samples %d --remap-every %d",
					  o->samples, o->remap_every);
			char *wls[] = { wl, NULL };
			struct guest_job job = {
				.kernel = &ks[i].k,
				.out_dir = out,
				.deadline_s = 60 + o->samples / 200,
				.workloads = wls,
				.seed = o->seed * 1000003ull + done,
				.quiet = true,
			};
			struct guest_result res = { 0 };
			struct probe_data d;
			char *csv;

			json_array_append_new(
				order, json_pack("{s:s,s:i}", "kernel",
						 ks[i].dir_name, "boot", b));
			if (guest_run(&job, &res))
				die(EXIT_USAGE, "cannot boot %s",
				    ks[i].k.linux_path);
			done++;
			csv = boot_csv_path(out);
			if (res.outcome != GUEST_OK || !csv ||
			    probe_csv_load(csv, &d, &err)) {
				warnx_("boot %d/%d %s: %s (console: %s)%s%s",
				       done, total, ks[i].dir_name,
				       guest_outcome_name(res.outcome),
				       res.console_path ? res.console_path :
							  "?",
				       err ? ": " : "", err ? err : "");
				free(err);
				err = NULL;
				if (res.outcome == GUEST_SETUP_ERROR)
					rc = EXIT_USAGE;
				else if (rc == EXIT_OK)
					rc = EXIT_CHECK;
			} else {
				double *x = xmalloc(d.n * sizeof(*x));
				size_t nf =
					st_fast_pairs(d.col[0], d.col[1], d.n,
						      FAST_PAIR_FRACTION, x);

				double fast = st_hl1(x, nf);
				double gmed = probe_median(d.col[0], d.n, x);

				progress("boot %d/%d %s: io_submit0 - getppid "
					 "fast20 %.1f cycles (%zu fast pairs), "
					 "getppid median %.0f, %.1f s",
					 done, total, ks[i].dir_name, fast, nf,
					 gmed, res.seconds);
				free(x);
				probe_data_free(&d);
			}
			free(csv);
			guest_result_free(&res);
			free(wl);
			free(out);
		}
	}
	if (json_save_path(meta, p, &err))
		die(EXIT_USAGE, "%s", err);
	free(p);
	json_decref(kn);
	s = summarise_run(run, &so, &err);
	if (!s)
		die(EXIT_USAGE, "%s", err);
	p = xasprintf("%s/summary.json", run);
	if (json_save_path(s, p, &err))
		die(EXIT_USAGE, "%s", err);
	/*
	 * Compare what was written (numbers rounded to 10 digits), so that
	 * `aioremap compare` on the folder reproduces compare.json exactly.
	 */
	json_decref(s);
	s = json_load_path(p, &err);
	if (!s)
		die(EXIT_USAGE, "%s", err);
	free(p);
	c = compare_summaries(s, NULL, &co, &err);
	if (!c)
		die(EXIT_USAGE, "%s", err);
	p = xasprintf("%s/compare.json", run);
	if (json_save_path(c, p, &err))
		die(EXIT_USAGE, "%s", err);
	free(p);
	json_decref(s);
	if (rc == EXIT_OK)
		rc = compare_exit_status(c);
	*cmp_out = c;
	return rc;
}

/*
 * fio with and without ring remaps on every kernel (harness/fio.c), each
 * job's verdict judged like a check: "fio.<job>" against
 * uml-config/expectations (a kernel without the patch is expected to
 * fail remapped jobs), user kernels against `with`.
 */
static int bench_fio(const char *run, struct bk *ks, int nk,
		     const struct bench_opts *o)
{
	const char *specs[17];
	struct fio_bench_opts fo = {
		.kernels = specs,
		.jobs = o->fio_jobs ? o->fio_jobs :
			o->quick    ? "tmpfs-randwrite-qd32-verify" :
				      NULL,
		.boots = o->quick ? 1 : 2,
		.runtime_s = o->quick ? 1 : 2,
		.build = !o->no_build,
		.quiet = true,
		.seed = o->seed,
	};
	char *exp_path = project_path("uml-config/expectations");
	char *path = xasprintf("%s/fio-summary.json", run), *err = NULL;
	struct expectations exp;
	json_t *sum, *kjs, *base;
	int n = 0, rc, bad = 0;

	for (int i = 0; i < nk; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= !strcmp(ks[j].k.spec, ks[i].k.spec);
		if (!dup)
			specs[n++] = ks[i].k.spec;
	}
	specs[n] = NULL;
	progress("fio with and without ring remaps on %d kernels", n);
	rc = fio_bench(run, &fo);
	if (rc == EXIT_USAGE)
		goto out;
	sum = json_load_file(path, 0, NULL);
	if (!sum || expect_load(exp_path, &exp, &err)) {
		warnx_("fio: %s", err ? err : "no fio-summary.json");
		rc = EXIT_USAGE;
		goto out;
	}
	kjs = json_object_get(sum, "kernels");
	base = json_object_get(kjs, "with");
	for (int i = 0; i < nk; i++) {
		json_t *jobs = json_object_get(kjs, ks[i].k.name), *j;
		bool user = !strncmp(ks[i].k.spec, "patch:", 6) ||
			    !strncmp(ks[i].k.spec, "kernel:", 7);
		const char *job;

		json_object_foreach(jobs, job, j)
		{
			const char *v = json_string_value(
				json_object_get(j, "verdict"));
			char *check = xasprintf("fio.%s", job);
			enum check_status st =
				!v || !strcmp(v, "ok") ? CHECK_PASS :
				!strcmp(v, "skipped")  ? CHECK_SKIP :
							 CHECK_FAIL;
			bool is_bad;

			if (user) {
				const char *bv =
					json_string_value(json_object_get(
						json_object_get(base, job),
						"verdict"));

				is_bad = st == CHECK_FAIL && bv &&
					 !strcmp(bv, "ok");
			} else {
				is_bad = verdict_is_bad(expect_judge(
					expect_lookup(&exp, check, ks[i].k.name,
						      NULL),
					st));
			}
			json_object_set_new(j, "expected",
					    json_string(is_bad ? "no" : "yes"));
			if (is_bad) {
				bad++;
				warnx_("fio %s on %s: %s%s%s", job,
				       ks[i].k.name, v ? v : "?",
				       user ? " (regression vs with)" :
					      " (unexpected)",
				       "");
			} else if (st == CHECK_FAIL) {
				progress("fio %s on %s: %s, as expected", job,
					 ks[i].k.name, v);
			}
			free(check);
		}
	}
	json_object_set_new(sum, "mismatches", json_integer(bad));
	if (json_dump_file(sum, path, JSON_INDENT(2)))
		warnx_("cannot update %s", path);
	json_decref(sum);
	expect_free(&exp);
	rc = bad ? EXIT_CHECK : EXIT_OK;
out:
	free(err);
	free(path);
	free(exp_path);
	return rc;
}

/* The answer block of report.md (up to "Exit status"), on stdout. */
static void print_answer(const char *run)
{
	char *p = xasprintf("%s/report.md", run);
	char *md = read_file(p, NULL), *line, *save = NULL;

	for (line = md ? strtok_r(md, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		printf("%s\n", line);
		if (!strncmp(line, "Exit status", 11))
			break;
	}
	fflush(stdout);
	free(md);
	free(p);
}

static void print_verdicts(json_t *c)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(c, "comparisons"), i, r)
	{
		json_t *ci = json_object_get(r, "ci_ns");

		if (strcmp(json_string_value(json_object_get(r, "metric")),
			   metrics[0].name))
			continue;
		progress("%s vs %s: %+.1f ns [%+.1f, %+.1f] MDE %.1f ns: %s",
			 json_string_value(json_object_get(r, "kernel")),
			 json_string_value(json_object_get(r, "baseline")),
			 json_number_value(json_object_get(r, "diff_ns")),
			 json_number_value(json_array_get(ci, 0)),
			 json_number_value(json_array_get(ci, 1)),
			 json_number_value(json_object_get(r, "mde_ns")),
			 json_string_value(json_object_get(r, "verdict")));
	}
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernels", required_argument, NULL, 'K' },
		{ "patch", required_argument, NULL, 'P' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "boots", required_argument, NULL, 'b' },
		{ "samples", required_argument, NULL, 'n' },
		{ "remap-every", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "threshold-ns", required_argument, NULL, 't' },
		{ "quick", no_argument, NULL, 'q' },
		{ "calibrate", no_argument, NULL, 'c' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "name", required_argument, NULL, 'N' },
		{ "no-build", no_argument, NULL, 'B' },
		{ "no-fio", no_argument, NULL, 'F' },
		{ "fio-jobs", required_argument, NULL, 'J' },
		{ "duration", required_argument, NULL, 'D' },
		{ "no-debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .boots = -1,
				.samples = -1,
				.remap_every = 1000,
				.repeat = 0,
				.seed = 1 };
	char *specs[16], *list, *tok, *save = NULL, *run, *err = NULL;
	const char *baseline = NULL;
	int nspec = 0, c, rc = EXIT_OK, rc_claims = EXIT_OK, rc_fio = EXIT_OK;
	struct bk ks[16];
	json_t *meta, *cmdl, *cmp = NULL;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'K':
			o.kernels = optarg;
			break;
		case 'P':
			o.patch = optarg;
			break;
		case 'k':
			o.kernel = optarg;
			break;
		case 'b':
			o.boots = atoi(optarg);
			break;
		case 'n':
			o.samples = atoi(optarg);
			break;
		case 'r':
			o.remap_every = atoi(optarg);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o.threshold_ns = atof(optarg);
			break;
		case 'q':
			o.quick = true;
			break;
		case 'c':
			o.calibrate = true;
			break;
		case 'R':
			o.repeat = atoi(optarg);
			break;
		case 'N':
			o.name = optarg;
			break;
		case 'B':
			o.no_build = true;
			break;
		case 'F':
			o.no_fio = true;
			break;
		case 'J':
			o.fio_jobs = optarg;
			break;
		case 'D':
		case 'd':
			break;
		case 'h':
			bench_usage(stdout);
			return EXIT_OK;
		default:
			bench_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		die(EXIT_USAGE, "unexpected argument '%s' (see --help)",
		    argv[optind]);
	if (o.repeat == 0)
		o.repeat = o.calibrate ? 20 : 1;
	else if (o.repeat > 1 && !o.calibrate)
		die(EXIT_USAGE, "--repeat needs --calibrate");
	if (o.boots < 0)
		o.boots = o.quick ? 4 : 12;
	if (o.samples < 0)
		o.samples = o.quick ? 5000 : 10000;
	if (o.boots < 2 || o.samples < 100 || o.repeat < 1 || o.remap_every < 0)
		die(EXIT_USAGE, "need --boots >= 2, --samples >= 100, "
				"--repeat >= 1, --remap-every >= 0");
	if (o.threshold_ns <= 0)
		o.threshold_ns = DEFAULT_THRESHOLD_NS;
	if (!!o.patch + !!o.kernel + !!o.kernels + o.calibrate > 1)
		die(EXIT_USAGE, "--kernels, --patch, --kernel and --calibrate "
				"are exclusive");
	if (o.patch) {
		specs[nspec++] = xasprintf("patch:%s", o.patch);
		specs[nspec++] = xstrdup("with");
		baseline = "with";
	} else if (o.kernel) {
		specs[nspec++] = xasprintf("kernel:%s", o.kernel);
		specs[nspec++] = xstrdup("with");
		baseline = "with";
	} else if (o.calibrate) {
		specs[nspec++] = xstrdup("with");
		specs[nspec++] = xstrdup("with");
		specs[nspec++] = xstrdup("slow-lookup");
	} else {
		list = xstrdup(o.kernels ? o.kernels :
					   "with,without,slow-lookup");
		for (tok = strtok_r(list, ",", &save); tok && nspec < 16;
		     tok = strtok_r(NULL, ",", &save))
			specs[nspec++] = xstrdup(tok);
		free(list);
	}
	for (int i = 0; i < nspec; i++) {
		rc = kernel_resolve(specs[i], !o.no_build, &ks[i].k);
		if (rc)
			return rc;
		ks[i].dir_name = xstrdup(ks[i].k.name);
		for (int j = 0; j < i; j++)
			if (!strcmp(ks[j].dir_name, ks[i].dir_name)) {
				free(ks[i].dir_name);
				ks[i].dir_name =
					xasprintf("%s-AA", ks[i].k.name);
			}
	}
	if (o.calibrate)
		baseline = ks[0].dir_name;
	else if (!baseline) {
		baseline = ks[0].dir_name;
		for (int i = 0; i < nspec; i++)
			if (!strcmp(ks[i].dir_name, "without"))
				baseline = "without";
	}

	run = rundir_create(o.name	? o.name :
			    o.calibrate ? "calibrate" :
					  "bench");
	progress("bench: %d kernels x %d boots x %d samples, remap every %d "
		 "-> %s",
		 nspec, o.boots, o.samples, o.remap_every, run);

	json_t *kinfo = json_array();

	meta = json_object();
	cmdl = json_array();
	json_array_append_new(cmdl, json_string("aioremap"));
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmdl, json_string(argv[i]));
	json_object_set_new(meta, "format", json_string("aioremap-bench 1"));
	json_object_set_new(meta, "name", json_string(strrchr(run, '/') + 1));
	json_object_set_new(meta, "command_line", cmdl);
	rundir_host_meta(meta);
	json_object_set_new(meta, "seed", json_integer(o.seed));
	json_object_set_new(meta, "seed_str",
			    json_string(xasprintf("%llu", o.seed)));
	json_object_set_new(meta, "boots", json_integer(o.boots));
	json_object_set_new(meta, "samples", json_integer(o.samples));
	json_object_set_new(meta, "remap_every", json_integer(o.remap_every));
	json_object_set_new(meta, "threshold_ns", json_real(o.threshold_ns));
	json_object_set_new(meta, "quick", json_boolean(o.quick));
	json_object_set_new(meta, "calibrate", json_boolean(o.calibrate));
	if (o.calibrate)
		json_object_set_new(meta, "repeat", json_integer(o.repeat));
	json_object_set_new(meta, "baseline", json_string(baseline));
	for (int i = 0; i < nspec; i++)
		json_array_append_new(
			kinfo,
			json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?}", "name",
				  ks[i].dir_name, "spec", ks[i].k.spec, "hash",
				  ks[i].k.hash, "linux", ks[i].k.linux_path,
				  "release_suffix", ks[i].k.release_suffix,
				  "description", ks[i].k.description,
				  "kernel_args", ks[i].k.kernel_args));
	json_object_set_new(meta, "kernel_info", kinfo);
	if (!o.calibrate)
		calibration_ref_copy(run);

	/*
	 * Claims quick check first: a kernel that breaks the patch's claims
	 * is not worth timing, and a user patch must not regress them.
	 */
	if (!o.calibrate) {
		const struct kernel *kps[16];
		char *claims[] = { "claims", NULL };
		int nk = 0, bad = 0;

		for (int i = 0; i < nspec; i++) {
			bool dup = false;

			for (int j = 0; j < i; j++)
				dup |= !strcmp(ks[j].k.name, ks[i].k.name);
			if (!dup)
				kps[nk++] = &ks[i].k;
		}
		progress("claims quick check on %d kernels", nk);
		if (stress_matrix(run, "checks", kps, nk, claims, o.seed, 0,
				  &bad))
			return EXIT_USAGE;
		if (bad) {
			warnx_("claims check: %d result(s) differ from expectations or regress (see %s/verdicts.md)",
			       bad, run);
			rc_claims = EXIT_CHECK;
		}
	}

	if (o.repeat == 1) {
		rc = bench_once(run, ks, nspec, baseline, &o, meta, &cmp);
		/* An A/A run must not report a difference either way. */
		if (o.calibrate && rc == EXIT_OK) {
			size_t i;
			json_t *x;

			json_array_foreach(json_object_get(cmp, "comparisons"), i, x) if (
				!strcmp(json_string_value(
						json_object_get(x, "role")),
					"candidate") &&
				!strcmp(json_string_value(
						json_object_get(x, "metric")),
					metrics[0].name) &&
				strcmp(json_string_value(
					       json_object_get(x, "verdict")),
				       "equivalent")) rc = EXIT_CHECK;
		}
	} else {
		json_t *cal = json_object(), *reps = json_array();
		int differ_aa = 0, detect = 0, nmde = 0;
		double *mdes = xcalloc(o.repeat + 1, sizeof(double));

		for (int r = 0; r < o.repeat; r++) {
			char *sub = xasprintf("%s/rep-%d", run, r);
			struct bench_opts ro = o;
			size_t i;
			json_t *x;

			mkdir_p(sub, 0755);
			ro.seed = o.seed + r;
			json_object_set_new(meta, "seed",
					    json_integer(ro.seed));
			json_object_set_new(meta, "seed_str",
					    json_string_nocheck(xasprintf(
						    "%llu", ro.seed)));
			json_decref(cmp);
			bench_once(sub, ks, nspec, baseline, &ro, meta, &cmp);
			json_array_foreach(json_object_get(cmp, "comparisons"),
					   i, x)
			{
				const char *v = json_string_value(
					json_object_get(x, "verdict"));
				const char *k = json_string_value(
					json_object_get(x, "kernel"));

				if (strcmp(json_string_value(json_object_get(
						   x, "metric")),
					   metrics[0].name))
					continue;
				json_array_append_new(
					reps,
					json_pack(
						"{s:i,s:s,s:s,s:O?,s:O?,s:O?}",
						"rep", r, "kernel", k,
						"verdict", v, "diff_ns",
						json_object_get(x, "diff_ns"),
						"ci_ns",
						json_object_get(x, "ci_ns"),
						"mde_ns",
						json_object_get(x, "mde_ns")));
				if (strstr(k, "slow-lookup")) {
					detect += !strcmp(v, "slower");
				} else {
					if (!strcmp(v, "slower") ||
					    !strcmp(v, "faster"))
						differ_aa++;
					mdes[nmde++] = json_number_value(
						json_object_get(x, "mde_ns"));
				}
			}
			progress("repeat %d/%d done: A/A differences %d, "
				 "control detected %d",
				 r + 1, o.repeat, differ_aa, detect);
			free(sub);
		}
		json_object_set_new(cal, "repeats", json_integer(o.repeat));
		json_object_set_new(cal, "aa_reported_difference",
				    json_integer(differ_aa));
		json_object_set_new(cal, "control_detected",
				    json_integer(detect));
		json_object_set_new(
			cal, "targets",
			json_pack("{s:i,s:i}", "aa_reported_difference_max",
				  o.repeat / 20, "control_detected_min",
				  o.repeat - o.repeat / 20));
		if (nmde) {
			st_sort(mdes, nmde);
			json_object_set_new(
				cal, "mde_ns",
				json_pack("{s:f,s:f,s:f}", "min", mdes[0],
					  "median",
					  st_quantile(mdes, nmde, 0.5), "max",
					  mdes[nmde - 1]));
		}
		free(mdes);
		json_object_set_new(
			cal, "settings",
			json_pack("{s:s,s:i,s:i,s:i,s:f,s:O?,s:O?,s:O?}", "run",
				  strrchr(run, '/') + 1, "boots", o.boots,
				  "samples", o.samples, "remap_every",
				  o.remap_every, "threshold_ns", o.threshold_ns,
				  "estimator",
				  json_object_get(cmp, "estimator"), "host",
				  json_object_get(meta, "host"), "cpu",
				  json_object_get(meta, "cpu")));
		json_object_set_new(cal, "runs", reps);
		progress("calibration: A/A reported a difference in %d of %d "
			 "(target <= %d); control detected in %d of %d "
			 "(target >= %d)",
			 differ_aa, o.repeat, o.repeat / 20, detect, o.repeat,
			 o.repeat - o.repeat / 20);
		/* Summarise/plot/report the last repetition at top level. */
		char *last = xasprintf("%s/rep-%d", run, o.repeat - 1);

		for (int w = 0; w < 2; w++) {
			char *cp = xasprintf("%s/calibration.json",
					     w ? last : run);

			if (json_save_path(cal, cp, &err))
				die(EXIT_USAGE, "%s", err);
			free(cp);
		}
		json_decref(cal);
		rundir_link(run, CALIBRATION_LINK);

		free(run);
		run = last;
		rc = (differ_aa > o.repeat / 20 ||
		      detect < o.repeat - o.repeat / 20) ?
			     EXIT_CHECK :
			     EXIT_OK;
	}
	print_verdicts(cmp);
	if (!o.calibrate && !o.no_fio)
		rc_fio = bench_fio(run, ks, nspec, &o);
	if (plot_run(run, &err))
		warnx_("plots: %s", err);
	if (report_write(run, &err))
		die(EXIT_USAGE, "%s", err);
	progress("report: %s/report.md", run);
	print_answer(run);
	json_decref(cmp);
	json_decref(meta);
	if (rc == EXIT_USAGE || rc_claims == EXIT_USAGE || rc_fio == EXIT_USAGE)
		return EXIT_USAGE;
	return rc ? rc : rc_claims ? rc_claims : rc_fio;
}
