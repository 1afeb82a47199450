// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap compare RUN [--baseline K]       each kernel vs the baseline
 * aioremap compare RUN_A RUN_B              same kernel, two run folders
 *
 * Unit of replication: the boot. For each kernel the per-boot estimates
 * of the paired difference (summary.json) are compared with a Welch t
 * interval and a percentile bootstrap interval over boots (the per-boot
 * estimate already carries the within-boot sampling noise, so
 * resampling boots covers both levels); the verdict uses the wider of
 * the two. Rank test: Mann-Whitney on the per-boot estimates.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "stats.h"
#include "util.h"

static double *boot_estimates(json_t *kern, const char *metric, size_t *n)
{
	json_t *a = json_object_get(
		json_object_get(json_object_get(kern, "metrics"), metric),
		"boot_estimates");
	double *v;
	size_t i;
	json_t *x;

	*n = json_array_size(a);
	v = xcalloc(*n + 1, sizeof(*v));
	json_array_foreach(a, i, x) v[i] = json_number_value(x);
	return v;
}

static bool is_control(const char *name)
{
	return strstr(name, "slow-lookup") != NULL;
}

/*
 * Verdict of one interval [lo, hi] (ns, kernel minus baseline) against
 * threshold T: equivalent when the whole interval lies within (-T, T);
 * slower / faster when it excludes 0 (and is not inside the band);
 * otherwise inconclusive (more boots needed).
 */
static const char *verdict_of(double lo, double hi, double T)
{
	if (lo > -T && hi < T)
		return "equivalent";
	if (lo > 0)
		return "slower";
	if (hi < 0)
		return "faster";
	return "inconclusive";
}

/*
 * One sentence explaining a verdict, for people: the report prints it.
 * "not enough data" when even a zero difference could not be shown
 * equivalent at this noise level (MDE above the threshold).
 */
static char *verdict_why(const char *v, double lo, double hi, double mde,
			 double T)
{
	static char buf[256];

	if (!strcmp(v, "equivalent"))
		snprintf(buf, sizeof(buf),
			 "interval [%+.1f, %+.1f] ns lies inside ±%.0f ns", lo,
			 hi, T);
	else if (!strcmp(v, "slower") && lo >= T)
		snprintf(buf, sizeof(buf),
			 "slower by more than the threshold: interval "
			 "[%+.1f, %+.1f] ns is above +%.0f ns",
			 lo, hi, T);
	else if (!strcmp(v, "slower"))
		snprintf(buf, sizeof(buf),
			 "slower: interval [%+.1f, %+.1f] ns excludes 0 and "
			 "reaches past +%.0f ns",
			 lo, hi, T);
	else if (!strcmp(v, "faster"))
		snprintf(buf, sizeof(buf),
			 "faster: interval [%+.1f, %+.1f] ns is below 0", lo,
			 hi);
	else if (mde > T)
		snprintf(buf, sizeof(buf),
			 "not enough data to show equivalence (MDE %.1f ns > "
			 "threshold %.0f ns): more boots needed",
			 mde, T);
	else
		snprintf(buf, sizeof(buf),
			 "interval [%+.1f, %+.1f] ns includes 0 but crosses "
			 "±%.0f ns: the difference is near the threshold; "
			 "more boots needed",
			 lo, hi, T);
	return buf;
}

static json_t *compare_one(const char *kname, json_t *kb, const char *bname,
			   json_t *bb, double hz, const struct compare_opts *o,
			   const char *metric)
{
	size_t nx, ny;
	double *x = boot_estimates(bb, metric, &nx);
	double *y = boot_estimates(kb, metric, &ny);
	double level = 1 - o->alpha, blo = NAN, bhi = NAN, u, prank, lo, hi;
	double base_est, c2ns = 1e9 / hz, mde;
	const char *v;
	struct st_welch w;
	int exact = 0;
	json_t *r = json_object();

	json_object_set_new(r, "kernel", json_string(kname));
	json_object_set_new(r, "baseline", json_string(bname));
	json_object_set_new(r, "metric", json_string(metric));
	json_object_set_new(r, "n_boots", json_pack("[i,i]", (int)nx, (int)ny));
	if (nx < 2 || ny < 2) {
		json_object_set_new(r, "verdict", json_string("inconclusive"));
		json_object_set_new(
			r, "why",
			json_string(
				"not enough data: fewer than 2 boots on a "
				"side, no interval (use --boots 3 or more)"));
		free(x);
		free(y);
		return r;
	}
	st_welch(x, nx, y, ny, level, &w);
	st_boot_diff(x, nx, y, ny, level, o->reps, o->seed, &blo, &bhi);
	prank = st_mann_whitney(x, nx, y, ny, &u, &exact);
	lo = fmin(w.lo, blo);
	hi = fmax(w.hi, bhi);
	base_est = st_mean(x, nx);

	json_object_set_new(r, "diff_cycles", json_real(w.diff));
	json_object_set_new(r, "diff_ns", json_real(w.diff * c2ns));
	json_object_set_new(r, "diff_pct",
			    json_real(base_est ? 100 * w.diff / base_est :
						 NAN));
	json_object_set_new(r, "baseline_cycles", json_real(base_est));
	json_object_set_new(r, "kernel_cycles", json_real(st_mean(y, ny)));
	json_object_set_new(r, "hl_shift_cycles",
			    json_real(st_hl2(x, nx, y, ny)));
	json_object_set_new(r, "ci_level", json_real(level));
	json_object_set_new(r, "ci_cycles", json_pack("[f,f]", lo, hi));
	json_object_set_new(r, "ci_ns",
			    json_pack("[f,f]", lo * c2ns, hi * c2ns));
	json_object_set_new(r, "welch_ci_ns",
			    json_pack("[f,f]", w.lo * c2ns, w.hi * c2ns));
	json_object_set_new(r, "bootstrap_ci_ns",
			    json_pack("[f,f]", blo * c2ns, bhi * c2ns));
	json_object_set_new(r, "se_ns", json_real(w.se * c2ns));
	json_object_set_new(r, "df", json_real(w.df));
	json_object_set_new(r, "p_welch", json_real(w.p));
	json_object_set_new(r, "p_rank", json_real(prank));
	json_object_set_new(r, "rank_u", json_real(u));
	json_object_set_new(r, "rank_exact", json_boolean(exact));
	mde = st_mde(w.se, w.df, o->alpha, o->power) * c2ns;
	v = verdict_of(lo * c2ns, hi * c2ns, o->threshold_ns);
	json_object_set_new(r, "mde_ns", json_real(mde));
	json_object_set_new(r, "enough_data",
			    json_boolean(mde <= o->threshold_ns));
	json_object_set_new(r, "verdict", json_string(v));
	json_object_set_new(r, "why",
			    json_string(verdict_why(v, lo * c2ns, hi * c2ns,
						    mde, o->threshold_ns)));
	free(x);
	free(y);
	return r;
}

static double summary_hz(json_t *s)
{
	const char *k;
	json_t *v;
	double sum = 0;
	int n = 0;

	json_object_foreach(json_object_get(s, "kernels"), k, v)
	{
		double hz = json_number_value(json_object_get(v, "tsc_hz"));

		if (hz > 0) {
			sum += hz;
			n++;
		}
	}
	return n ? sum / n : 0;
}

json_t *compare_summaries(json_t *s, json_t *other,
			  const struct compare_opts *oin, char **err)
{
	struct compare_opts o = *oin;
	json_t *ks = json_object_get(s, "kernels"), *out, *cmps;
	json_t *order = json_object_get(s, "kernel_order"), *kn;
	const char *base = o.baseline;
	double hz = summary_hz(s);
	size_t i;

	if (o.threshold_ns <= 0)
		o.threshold_ns = DEFAULT_THRESHOLD_NS;
	if (o.alpha <= 0)
		o.alpha = DEFAULT_ALPHA;
	if (o.power <= 0)
		o.power = 0.8;
	if (o.reps <= 0)
		o.reps = 4000;
	if (!json_is_object(ks) || !json_object_size(ks)) {
		*err = xstrdup(
			"summary has no kernels (run `aioremap summarise` "
			"first)");
		return NULL;
	}
	if (hz <= 0) {
		*err = xstrdup("summary has no TSC frequency (probe-meta.txt "
			       "missing?)");
		return NULL;
	}
	if (!other) {
		if (!base)
			base = json_object_get(ks, "without") ?
				       "without" :
				       json_string_value(
					       json_array_get(order, 0));
		if (!json_object_get(ks, base)) {
			*err = xasprintf("baseline kernel '%s' is not in the "
					 "run (kernels: see summary.json "
					 "kernel_order; use --baseline)",
					 base);
			return NULL;
		}
	}
	out = json_object();
	json_object_set_new(out, "format", json_string("aioremap-compare 1"));
	json_object_set_new(out, "mode",
			    json_string(other ? "runs" : "kernels"));
	if (base)
		json_object_set_new(out, "baseline", json_string(base));
	json_object_set_new(out, "threshold_ns", json_real(o.threshold_ns));
	json_object_set_new(out, "alpha", json_real(o.alpha));
	json_object_set_new(out, "power", json_real(o.power));
	json_object_set_new(out, "bootstrap_reps", json_integer(o.reps));
	json_object_set_new(out, "seed", json_integer(o.seed));
	json_object_set_new(out, "tsc_hz", json_real(hz));
	json_object_set_new(out, "estimator",
			    json_copy(json_object_get(s, "estimator")));
	json_object_set_new(
		out, "rule",
		json_string("CI = wider of Welch t and percentile bootstrap "
			    "(over boots) at level 1-alpha; equivalent: CI "
			    "inside (-T, T); slower: CI above 0 and not "
			    "equivalent; faster: CI below 0; else "
			    "inconclusive"));
	cmps = json_array();
	json_array_foreach(order, i, kn)
	{
		const char *k = json_string_value(kn);
		json_t *kb = json_object_get(ks, k), *bb;
		const char *bname;

		if (other) {
			bb = json_object_get(json_object_get(other, "kernels"),
					     k);
			bname = "A";
			if (!bb)
				continue;
		} else {
			if (!strcmp(k, base))
				continue;
			bb = json_object_get(ks, base);
			bname = base;
		}
		for (int m = 0; m < NMETRIC; m++) {
			json_t *r = compare_one(k, kb, bname, bb, hz, &o,
						metrics[m].name);

			/* Two runs: the same kernel on both sides, no
			 * control role (slow-lookup is just a kernel). */
			json_object_set_new(
				r, "role",
				json_string(!other && is_control(k) ?
						    "control" :
						    "candidate"));
			json_array_append_new(cmps, r);
		}
	}
	json_object_set_new(out, "comparisons", cmps);
	return out;
}

int compare_exit_status(json_t *cmp)
{
	size_t i;
	json_t *r;
	int rc = EXIT_OK;

	json_array_foreach(json_object_get(cmp, "comparisons"), i, r)
	{
		const char *v =
			json_string_value(json_object_get(r, "verdict"));
		const char *role =
			json_string_value(json_object_get(r, "role"));
		const char *m = json_string_value(json_object_get(r, "metric"));

		if (!v || !m || strcmp(m, metrics[0].name))
			continue;
		if (role && !strcmp(role, "control")) {
			if (strcmp(v, "slower"))
				rc = EXIT_CHECK;
		} else if (strcmp(v, "equivalent") && strcmp(v, "faster")) {
			rc = EXIT_CHECK;
		}
	}
	return rc;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap compare RUN [--baseline K] [options]\n"
		"       aioremap compare RUN_A RUN_B [options]\n"
		"\n"
		"Compare each kernel of RUN against the baseline kernel (default\n"
		"`without`, else the first), or each kernel of RUN_B against the\n"
		"same kernel in RUN_A. Reads summary.json (made by `summarise` if\n"
		"missing); writes RUN/compare.json (RUN_B/compare-vs-<A>.json).\n"
		"\n"
		"  --baseline K       baseline kernel name\n"
		"  --threshold-ns X   equivalence margin in ns (default %.0f)\n"
		"  --alpha A          1 - confidence level (default %.2f)\n"
		"  --seed S           bootstrap seed (default 1)\n"
		"Unset --baseline, --threshold-ns and --seed are taken from\n"
		"RUN/meta.json (RUN_B's in two-run mode) when it has them, so a\n"
		"copied run folder reproduces its compare.json.\n"
		"\nVerdicts (lookup metric, interval = wider of Welch t and\n"
		"bootstrap over boots at level 1-alpha, T = threshold):\n"
		"  equivalent    whole interval inside (-T, T)\n"
		"  slower        interval above 0 (and not equivalent)\n"
		"  faster        interval below 0 (and not equivalent)\n"
		"  inconclusive  interval holds 0 and reaches past T: equivalence\n"
		"                not shown (\"not enough data\" when MDE > T)\n"
		"\nexit: 0 every candidate equivalent (or faster) and every\n"
		"slow-lookup control slower; 1 a candidate slower, equivalence\n"
		"not shown, or a control missed; 2 usage/data error\n",
		DEFAULT_THRESHOLD_NS, DEFAULT_ALPHA);
}

static json_t *load_or_summarise(const char *run)
{
	char *p = xasprintf("%s/summary.json", run), *err = NULL;
	json_t *s = path_exists(p) ? json_load_path(p, &err) : NULL;

	if (!s) {
		struct summarise_opts so = { EST_DEFAULT };

		free(err);
		err = NULL;
		s = summarise_run(run, &so, &err);
		if (!s)
			die(EXIT_USAGE, "%s", err);
		if (json_save_path(s, p, &err))
			die(EXIT_USAGE, "%s", err);
	}
	free(p);
	return s;
}

static void print_cmp(json_t *c)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(c, "comparisons"), i, r)
	{
		json_t *ci = json_object_get(r, "ci_ns");

		printf("%-14s vs %-10s %-12s %+8.1f ns  [%+.1f, %+.1f]  MDE "
		       "%.1f ns  p_rank %.3g  %s\n",
		       json_string_value(json_object_get(r, "kernel")),
		       json_string_value(json_object_get(r, "baseline")),
		       json_string_value(json_object_get(r, "metric")),
		       json_number_value(json_object_get(r, "diff_ns")),
		       json_number_value(json_array_get(ci, 0)),
		       json_number_value(json_array_get(ci, 1)),
		       json_number_value(json_object_get(r, "mde_ns")),
		       json_number_value(json_object_get(r, "p_rank")),
		       json_string_value(json_object_get(r, "verdict")));
	}
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "threshold-ns", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts o = { .seed = 1 };
	char *err = NULL, *out, *meta_baseline = NULL;
	json_t *a, *b = NULL, *c;
	int ch, rc;
	bool seed_set = false;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			o.baseline = optarg;
			break;
		case 't':
			o.threshold_ns = atof(optarg);
			if (o.threshold_ns <= 0)
				die(EXIT_USAGE, "--threshold-ns must be > 0");
			break;
		case 'a':
			o.alpha = atof(optarg);
			if (o.alpha <= 0 || o.alpha >= 0.5)
				die(EXIT_USAGE, "--alpha must be in (0, 0.5)");
			break;
		case 's':
			o.seed = strtoul(optarg, NULL, 0);
			seed_set = true;
			break;
		case 'h':
			compare_usage(stdout);
			return EXIT_OK;
		default:
			compare_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		compare_usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!is_dir(argv[i]))
			die(EXIT_USAGE, "%s: not a run folder", argv[i]);
	/*
	 * Unset options come from the run's meta.json (what bench used), so
	 * re-running compare on a copied folder reproduces compare.json.
	 */
	{
		char *mp = xasprintf("%s/meta.json", argv[argc - 1]);
		json_t *meta = path_exists(mp) ? json_load_file(mp, 0, NULL) :
						 NULL;

		if (meta) {
			double t = json_number_value(
				json_object_get(meta, "threshold_ns"));
			const char *b = json_string_value(
				json_object_get(meta, "baseline"));

			if (o.threshold_ns <= 0 && t > 0)
				o.threshold_ns = t;
			if (!o.baseline && b && argc - optind == 1)
				o.baseline = meta_baseline = xstrdup(b);
			if (!seed_set &&
			    json_is_integer(json_object_get(meta, "seed")))
				o.seed = json_integer_value(
					json_object_get(meta, "seed"));
		}
		json_decref(meta);
		free(mp);
	}
	a = load_or_summarise(argv[optind]);
	if (argc - optind == 2) {
		const char *an = strrchr(argv[optind], '/');

		b = load_or_summarise(argv[optind + 1]);
		c = compare_summaries(b, a, &o, &err);
		an = an && an[1] ? an + 1 : argv[optind];
		out = xasprintf("%s/compare-vs-%s.json", argv[optind + 1], an);
	} else {
		c = compare_summaries(a, NULL, &o, &err);
		out = xasprintf("%s/compare.json", argv[optind]);
	}
	if (!c)
		die(EXIT_USAGE, "%s", err);
	if (json_save_path(c, out, &err))
		die(EXIT_USAGE, "%s", err);
	print_cmp(c);
	printf("%s\n", out);
	rc = compare_exit_status(c);
	free(out);
	json_decref(c);
	json_decref(a);
	json_decref(b);
	free(meta_baseline);
	return rc;
}
