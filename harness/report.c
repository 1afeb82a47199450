// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap report RUN: one screen of Markdown from the run folder's JSON
 * files (meta, summary, compare; verdicts and fio-summary when present).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "util.h"

static json_t *load_opt(const char *run, const char *name)
{
	char *p = xasprintf("%s/%s", run, name);
	json_t *j = path_exists(p) ? json_load_file(p, 0, NULL) : NULL;

	free(p);
	return j;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* Checks: one line per kernel and the mismatches (verdicts.json). */
static void report_checks(FILE *f, json_t *ver)
{
	json_t *ks = json_object_get(ver, "kernels"), *k, *row, *cell;
	size_t i, r;
	int shown = 0;

	fprintf(f,
		"\n## Checks (claims quick check; full matrix: [verdicts.md](verdicts.md))\n\n"
		"| kernel | outcome | pass | expected fail | skip | mismatches |\n"
		"|---|---|---|---|---|---|\n");
	json_array_foreach(ks, i, k)
	{
		const char *name = str(k, "name");
		int pass = 0, xfail = 0, skip = 0, bad = 0;

		json_array_foreach(json_object_get(ver, "checks"), r, row)
		{
			cell = json_object_get(json_object_get(row, "kernels"),
					       name);
			if (!cell)
				continue;
			if (json_is_true(json_object_get(cell, "bad")))
				bad++;
			else if (!strcmp(str(cell, "status"), "skip"))
				skip++;
			else if (!strcmp(str(cell, "status"), "pass"))
				pass++;
			else
				xfail++;
		}
		fprintf(f, "| %s | %s | %d | %d | %d | %s%d%s |\n", name,
			str(k, "outcome"), pass, xfail, skip, bad ? "**" : "",
			bad, bad ? "**" : "");
	}
	json_array_foreach(json_object_get(ver, "checks"), r, row)
	{
		const char *kn;

		json_object_foreach(json_object_get(row, "kernels"), kn, cell)
		{
			if (!json_is_true(json_object_get(cell, "bad")) ||
			    shown >= 8)
				continue;
			if (!shown++)
				fprintf(f, "\nMismatches:\n\n");
			fprintf(f, "- `%s` on `%s`: %s\n", str(row, "check"),
				kn, str(cell, "verdict"));
		}
	}
}

static double jget(json_t *o, const char *path)
{
	char *p = xstrdup(path), *save, *t;
	json_t *j = o;

	for (t = strtok_r(p, ".", &save); t && j;
	     t = strtok_r(NULL, ".", &save))
		j = json_object_get(j, t);
	free(p);
	return j ? json_number_value(j) : 0;
}

/* fio: per kernel and job, remaps off vs on (fio-summary.json). */
static void report_fio(FILE *f, json_t *fio)
{
	json_t *jobs, *j, *eff;
	const char *kn, *job;

	fprintf(f,
		"\n## fio with ring remaps (fio clat = completion latency; plots in plots/fio/)\n\n"
		"| kernel | job | verdict | IOPS off → on | IOPS on/off, paired (95%% CI) | clat p50 off → on (µs) | clat p99 off → on (µs) | moves/100 I/Os | verify |\n"
		"|---|---|---|---|---|---|---|---|---|\n");
	json_object_foreach(json_object_get(fio, "kernels"), kn, jobs)
	{
		json_object_foreach(jobs, job, j)
		{
			json_t *ci;

			/* Paired: each remapped run against its neighbour. */
			eff = json_object_get(
				json_object_get(j, "effect_of_remap"),
				"iops_paired");
			ci = json_object_get(eff, "ci95_ratio_mean");
			fprintf(f, "| %s | %s | %s%s | %.0f → %.0f | ", kn, job,
				str(j, "verdict"),
				!strcmp(str(j, "expected"), "yes") &&
						strcmp(str(j, "verdict"),
						       "ok") &&
						strcmp(str(j, "verdict"),
						       "skipped") ?
					" (expected)" :
					"",
				jget(j, "off.iops_median"),
				jget(j, "on.iops_median"));
			if (json_array_size(ci) == 2)
				fprintf(f, "%.2f [%.2f, %.2f]",
					num(eff, "ratio_median"),
					json_number_value(
						json_array_get(ci, 0)),
					json_number_value(
						json_array_get(ci, 1)));
			else if (json_object_get(eff, "ratio_median"))
				fprintf(f, "%.2f (too few pairs)",
					num(eff, "ratio_median"));
			else
				fprintf(f, "-");
			fprintf(f,
				" | %.0f → %.0f | %.0f → %.0f | %.1f | %s |\n",
				jget(j, "off.clat_ns.p50") / 1e3,
				jget(j, "on.clat_ns.p50") / 1e3,
				jget(j, "off.clat_ns.p99") / 1e3,
				jget(j, "on.clat_ns.p99") / 1e3,
				jget(j, "on.shim.moves_per_100_ios"),
				str(json_object_get(j, "on"), "verify"));
		}
	}
}

static json_t *lookup_row(json_t *cmp, const char *role, size_t *at)
{
	json_t *arr = json_object_get(cmp, "comparisons"), *r;

	for (; *at < json_array_size(arr); (*at)++) {
		r = json_array_get(arr, *at);
		if (!strcmp(str(r, "metric"), metrics[0].name) &&
		    !strcmp(str(r, "role"), role)) {
			(*at)++;
			return r;
		}
	}
	return NULL;
}

/* "+1.2 ns, 99% CI [-8.0, +9.9] ns" (or the reason there is none). */
static void effect(FILE *f, json_t *cmp, json_t *r)
{
	json_t *ci = json_object_get(r, "ci_ns");

	if (!json_object_get(r, "diff_ns")) {
		fprintf(f, "%s", str(r, "why"));
		return;
	}
	fprintf(f, "%+.1f ns, %.0f%% CI [%+.1f, %+.1f] ns, MDE %.1f ns",
		num(r, "diff_ns"), 100 * (1 - num(cmp, "alpha")),
		json_number_value(json_array_get(ci, 0)),
		json_number_value(json_array_get(ci, 1)), num(r, "mde_ns"));
}

static int count_bad_checks(json_t *ver)
{
	json_t *row, *cell;
	const char *kn;
	size_t i;
	int bad = 0;

	json_array_foreach(json_object_get(ver, "checks"), i, row)
		json_object_foreach(json_object_get(row, "kernels"), kn, cell)
			bad += json_is_true(json_object_get(cell, "bad"));
	return bad;
}

/* "- <what>: N mismatch(es) with expectations." (bold when N > 0). */
static int mismatch_line(FILE *f, const char *what, int bad)
{
	fprintf(f, "- %s: %s%d mismatch(es) with expectations%s.\n", what,
		bad ? "**" : "", bad, bad ? "**" : "");
	return bad;
}

int report_answer(FILE *f, json_t *meta, json_t *cmp, json_t *ver, json_t *fio)
{
	const char *base = str(cmp, "baseline"), *ans = "yes", *q;
	bool calib = meta && json_is_true(json_object_get(meta, "calibrate"));
	bool quick = meta && json_is_true(json_object_get(meta, "quick"));
	size_t at = 0;
	json_t *r, *first = NULL;
	int ncand = 0, nctl = 0, rc = EXIT_OK;

	while ((r = lookup_row(cmp, "candidate", &at))) {
		const char *v = str(r, "verdict");

		if (!first)
			first = r;
		ncand++;
		if (!strcmp(v, "slower") || (calib && !strcmp(v, "faster")))
			ans = "no";
		else if (strcmp(v, "equivalent") && strcmp(v, "faster") &&
			 strcmp(ans, "no"))
			ans = "not shown";
	}
	at = 0;
	while ((r = lookup_row(cmp, "control", &at))) {
		nctl++;
		if (strcmp(str(r, "verdict"), "slower") && !strcmp(ans, "yes"))
			ans = "not shown";
	}
	if (strcmp(ans, "yes"))
		rc = EXIT_CHECK;
	if (calib)
		q = "Calibration: does the A/A comparison (the same kernel "
		    "twice) stay equivalent, and is the slow-lookup control "
		    "seen?";
	else if (ncand == 1 && !strcmp(base, "without") &&
		 !strcmp(str(first, "kernel"), "with"))
		q = "Does the patch keep the lookup fast?";
	else
		q = "Are the candidate kernels as fast as the baseline on the "
		    "lookup?";
	fprintf(f, "**%s %s.**\n\n", q, ans);
	at = 0;
	while ((r = lookup_row(cmp, "candidate", &at))) {
		const char *why = str(r, "why");

		fprintf(f, "- `%s` vs `%s` (%s): **%s**: ", str(r, "kernel"),
			base, metrics[0].desc, str(r, "verdict"));
		effect(f, cmp, r);
		fprintf(f, "; %s", why);
		if (quick && !strncmp(why, "not enough data", 15))
			fprintf(f, ": run without QUICK");
		fprintf(f, ".\n");
	}
	at = 0;
	while ((r = lookup_row(cmp, "control", &at))) {
		bool seen = !strcmp(str(r, "verdict"), "slower");

		fprintf(f, "- control `%s` (a known slowdown): **%s**: ",
			str(r, "kernel"),
			seen ? "detected" :
			       "NOT detected (the benchmark "
			       "could not see a known slowdown: "
			       "results are not trustworthy)");
		effect(f, cmp, r);
		fprintf(f, ".\n");
	}
	if (!nctl)
		fprintf(f,
			"- no slow-lookup control in this run: nothing shows "
			"the benchmark could see a slowdown.\n");
	if (ver &&
	    mismatch_line(f, "claims quick check", count_bad_checks(ver)))
		rc = EXIT_CHECK;
	if (fio && mismatch_line(f, "fio with ring remaps",
				 (int)num(fio, "mismatches")))
		rc = EXIT_CHECK;
	fprintf(f,
		"\nExit status %d. (0: every candidate equivalent within "
		"±%.0f ns and the control detected; 1: a candidate slower, "
		"equivalence not shown, the control missed, or a check "
		"mismatch; 2: usage/setup error.)\n\n",
		rc, num(cmp, "threshold_ns"));
	return rc;
}

/*
 * One paragraph under the answer: how often this benchmark cries wolf
 * and what it can see, from the calibration bench copied beside the run
 * (calibration-ref.json).
 */
static void report_calibration_ref(FILE *f, json_t *ref)
{
	json_t *set = json_object_get(ref, "settings");
	json_t *mde = json_object_get(ref, "mde_ns");
	int n = (int)num(ref, "repeats");

	fprintf(f,
		"How far to trust this: the calibration in `%s` (%d "
		"repetitions of A/A `with` vs `with` and the `slow-lookup` "
		"control",
		str(ref, "source"), n);
	if (set)
		fprintf(f,
			", %d boots x %d samples, estimator %s, T = %.0f ns, "
			"host `%s`",
			(int)num(set, "boots"), (int)num(set, "samples"),
			str(set, "estimator"), num(set, "threshold_ns"),
			str(set, "host"));
	fprintf(f,
		"): the A/A reported a difference in %d of %d, the control "
		"was detected in %d of %d",
		(int)num(ref, "aa_reported_difference"), n,
		(int)num(ref, "control_detected"), n);
	if (mde)
		fprintf(f, ", A/A MDE median %.1f ns (max %.1f)",
			num(mde, "median"), num(mde, "max"));
	fprintf(f, ". `make calibrate` redoes it on this machine.\n\n");
}

static void report_calibration(FILE *f, json_t *cal)
{
	int n = (int)num(cal, "repeats");
	json_t *mde = json_object_get(cal, "mde_ns");

	fprintf(f,
		"\n## Calibration (%d repetitions; file calibration.json)\n\n"
		"| measure | count | target |\n|---|---|---|\n"
		"| A/A (same kernel twice) reported a difference | %d of %d "
		"| <= %d |\n"
		"| slow-lookup control detected | %d of %d | >= %d |\n",
		n, (int)num(cal, "aa_reported_difference"), n, n / 20,
		(int)num(cal, "control_detected"), n, n - n / 20);
	if (json_is_object(mde))
		fprintf(f,
			"\nA/A minimum detectable effect per repetition: "
			"median %.1f ns, max %.1f ns.\n",
			num(mde, "median"), num(mde, "max"));
}

/*
 * The kernel parameters each kernel was booted with (variant defaults
 * and @param=value from its spec).
 */
static void report_kernel_args(FILE *f, json_t *meta)
{
	json_t *k;
	size_t i;

	json_array_foreach(
		json_object_get(meta, "kernel_info"), i,
		k) if (json_string_value(json_object_get(k, "kernel_args")))
		fprintf(f, "Kernel `%s` (spec `%s`) booted with `%s`.\n\n",
			str(k, "name"), str(k, "spec"), str(k, "kernel_args"));
}

int report_write(const char *run, char **err)
{
	json_t *meta = load_opt(run, "meta.json");
	json_t *sum = load_opt(run, "summary.json");
	json_t *cmp = load_opt(run, "compare.json");
	json_t *ver = load_opt(run, "verdicts.json");
	json_t *fio = load_opt(run, "fio-summary.json");
	json_t *cal = load_opt(run, "calibration.json");
	json_t *calref = load_opt(run, "calibration-ref.json");
	char *buf = NULL, *path;
	size_t len = 0, i;
	FILE *f;
	json_t *r, *kn;
	int rc;

	if (!sum || !cmp) {
		*err = xasprintf("%s: summary.json and compare.json are needed "
				 "(run `aioremap summarise` and `aioremap "
				 "compare` on it first)",
				 run);
		rc = -1;
		goto out;
	}
	f = open_memstream(&buf, &len);
	fprintf(f, "# aioremap bench: %s\n\n",
		meta		  ? str(meta, "name") :
		strrchr(run, '/') ? strrchr(run, '/') + 1 :
				    run);
	report_answer(f, meta, cmp, ver, fio);
	if (calref && !cal)
		report_calibration_ref(f, calref);
	if (meta)
		fprintf(f,
			"Host `%s` (%s), host kernel %s; %d boots x %d samples "
			"per kernel, remap every %d; seed %s.\n\n",
			str(meta, "host"), str(meta, "cpu"),
			str(meta, "host_kernel"), (int)num(meta, "boots"),
			(int)num(meta, "samples"),
			(int)num(meta, "remap_every"), str(meta, "seed_str"));
	report_kernel_args(f, meta);
	fprintf(f,
		"## Verdict per kernel (lookup: %s)\n\n"
		"Threshold T = %.0f ns, %.0f%% intervals over boots, estimator "
		"%s. Equivalent = whole interval inside (-T, T).\n\n"
		"| kernel | vs | metric | difference ns (%%) | %.0f%% CI ns | "
		"MDE ns | p rank | verdict |\n|---|---|---|---|---|---|---|---|\n",
		metrics[0].desc, num(cmp, "threshold_ns"),
		100 * (1 - num(cmp, "alpha")), str(cmp, "estimator"),
		100 * (1 - num(cmp, "alpha")));
	json_array_foreach(json_object_get(cmp, "comparisons"), i, r)
	{
		json_t *ci = json_object_get(r, "ci_ns");
		const char *v = str(r, "verdict");
		bool ctl = !strcmp(str(r, "role"), "control");

		if (!json_object_get(r, "diff_ns")) {
			fprintf(f, "| %s | %s | %s | - | - | - | - | %s |\n",
				str(r, "kernel"), str(r, "baseline"),
				str(r, "metric"), v);
			continue;
		}
		fprintf(f,
			"| %s%s | %s | %s | %+.1f (%+.1f%%) | [%+.1f, %+.1f] | "
			"%.1f | %.2g | **%s**%s |\n",
			str(r, "kernel"), ctl ? " (control)" : "",
			str(r, "baseline"), str(r, "metric"), num(r, "diff_ns"),
			num(r, "diff_pct"),
			json_number_value(json_array_get(ci, 0)),
			json_number_value(json_array_get(ci, 1)),
			num(r, "mde_ns"), num(r, "p_rank"), v,
			ctl && !strcmp(str(r, "metric"), metrics[0].name) ?
				(strcmp(v, "slower") ?
					 " - control NOT detected" :
					 " - control detected") :
				"");
	}
	fprintf(f,
		"\n## Per kernel (cycles; TSC %.4f GHz)\n\n"
		"| kernel | boots | getppid | io_submit(0) | io_getevents(0) "
		"| real submit | real reap | lookup est. (sd over boots) | "
		"remap |\n|---|---|---|---|---|---|---|---|---|\n",
		num(cmp, "tsc_hz") / 1e9);
	json_array_foreach(json_object_get(sum, "kernel_order"), i, kn)
	{
		json_t *k = json_object_get(json_object_get(sum, "kernels"),
					    json_string_value(kn));
		json_t *p = json_object_get(k, "probes");
		json_t *m = json_object_get(json_object_get(k, "metrics"),
					    metrics[0].name);
		json_t *b0 = json_object_get(
			json_array_get(json_object_get(k, "boots"), 0), "meta");

		fprintf(f, "| %s | %d |", json_string_value(kn),
			(int)num(k, "n_boots"));
		for (int c = 0; c < PROBE_NCOL; c++)
			fprintf(f, " %.0f |",
				num(json_object_get(p, probe_cols[c]),
				    "median_of_boot_medians"));
		fprintf(f, " %.1f (%.1f) | %s |\n", num(m, "estimate_cycles"),
			num(m, "sd_cycles"),
			b0 ? str(b0, "remap_supported") : "?");
	}
	fprintf(f, "\nProbe columns are medians of per-boot medians. "
		   "`remap: no` = the kernel does not follow a moved ring, "
		   "so it was measured unmoved.\n");
	if (cal)
		report_calibration(f, cal);
	if (ver)
		report_checks(f, ver);
	if (fio)
		report_fio(f, fio);
	fprintf(f, "\n## Plots\n\n"
		   "[lookup difference CDF](plots/diff-lookup.svg) · "
		   "[per-boot lookup](plots/boots-lookup.svg) · "
		   "[getppid CDF](plots/cdf-getppid.svg) · "
		   "[io_submit(0) CDF](plots/cdf-submit0.svg) · "
		   "[io_getevents(0) CDF](plots/cdf-getevents0.svg) · "
		   "[real submit](plots/cdf-submit1.svg) · "
		   "[real reap](plots/cdf-reap1.svg)\n\n"
		   "Data: summary.json, compare.json, <kernel>/boot-<i>/probe/"
		   "probe.csv (raw cycles).\n");
	fclose(f);
	path = xasprintf("%s/report.md", run);
	rc = write_file(path, buf, len);
	if (rc)
		*err = xasprintf("cannot write %s", path);
	free(path);
	free(buf);
out:
	json_decref(meta);
	json_decref(sum);
	json_decref(cmp);
	json_decref(ver);
	json_decref(fio);
	json_decref(cal);
	json_decref(calref);
	return rc ? -1 : 0;
}

int cmd_report(int argc, char **argv)
{
	char *err = NULL;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("usage: aioremap report RUN\n\n"
		       "Write RUN/report.md (one screen) from RUN/summary.json "
		       "and RUN/compare.json,\nplus meta.json, "
		       "calibration.json, verdicts.json and fio-summary.json "
		       "when present.\n\nexit: 0 written, 2 missing inputs\n");
		return EXIT_OK;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: aioremap report RUN\n");
		return EXIT_USAGE;
	}
	if (report_write(argv[1], &err))
		die(EXIT_USAGE, "%s", err);
	printf("%s/report.md\n", argv[1]);
	return EXIT_OK;
}
