// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap plot RUN: gnuplot plots of a bench run folder. The .dat data
 * files and .gp scripts stay in RUN/plots/ beside the PNG and SVG, so
 * `cd RUN/plots && gnuplot x.gp` redraws one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "stats.h"
#include "util.h"

#define CDF_POINTS 400

static FILE *xfopen(const char *dir, const char *name, char **err)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	if (!f)
		*err = xasprintf("cannot write %s: %s", p, strerror(errno));
	free(p);
	return f;
}

/* Pooled raw samples of one kernel: column @c, or b - a when c < 0. */
static double *pooled(const char *run, json_t *kern, int c,
		      const struct metric_def *m, size_t *n, char **err)
{
	json_t *boots = json_object_get(kern, "boots"), *b;
	double *v = NULL;
	size_t i;

	*n = 0;
	json_array_foreach(boots, i, b)
	{
		char *csv =
			xasprintf("%s/%s", run,
				  json_string_value(json_object_get(b, "csv")));
		struct probe_data d;

		if (probe_csv_load(csv, &d, err)) {
			free(csv);
			free(v);
			return NULL;
		}
		v = xrealloc(v, (*n + d.n) * sizeof(*v));
		for (size_t j = 0; j < d.n; j++)
			v[*n + j] = c >= 0 ? d.col[c][j] :
					     d.col[m->b][j] - d.col[m->a][j];
		*n += d.n;
		probe_data_free(&d);
		free(csv);
	}
	st_sort(v, *n);
	return v;
}

/* CDF points for probabilities lo..hi. */
static void write_cdf(FILE *f, const double *s, size_t n, double lo, double hi)
{
	for (int i = 0; i <= CDF_POINTS; i++) {
		double p = lo + (hi - lo) * i / CDF_POINTS;

		fprintf(f, "%.3f %.5f\n", st_quantile(s, n, p), p);
	}
}

static const char *const term_lines =
	"set terminal pngcairo size 900,560 noenhanced font ',10'\n"
	"set output '%s.png'\n";

static int run_gp(const char *dir, const char *name, char **err)
{
	char *gp = xasprintf("%s.gp", name),
	     *log = xasprintf("%s/gnuplot.log", dir);
	char *argv[] = { "gnuplot", gp, NULL };
	int rc = run_cmd(argv, dir, log);

	if (rc)
		*err = xasprintf("gnuplot %s/%s failed (exit %d; see %s; is "
				 "gnuplot-nox installed? make deps)",
				 dir, gp, rc, log);
	free(gp);
	free(log);
	return rc ? -1 : 0;
}

/* Finish a script: PNG then the same plot as SVG. */
static void gp_end(FILE *f, const char *name)
{
	fprintf(f,
		"set terminal svg size 900,560 noenhanced dynamic\n"
		"set output '%s.svg'\nreplot\nunset output\n",
		name);
}

int plot_run(const char *run, char **err)
{
	char *sp = xasprintf("%s/summary.json", run);
	char *dir = xasprintf("%s/plots", run);
	json_t *s = json_load_path(sp, err), *order, *ks, *kn;
	size_t i;
	FILE *f;
	int rc = -1, nhz = 0, nsamp = 0;
	double hz = 0, c2ns;

	free(sp);
	if (!s)
		goto out;
	if (mkdir_p(dir, 0755)) {
		*err = xasprintf("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	order = json_object_get(s, "kernel_order");
	ks = json_object_get(s, "kernels");
	json_array_foreach(order, i, kn)
	{
		double h = json_number_value(json_object_get(
			json_object_get(ks, json_string_value(kn)), "tsc_hz"));

		if (h > 0) {
			hz += h;
			nhz++;
		}
	}
	hz = nhz ? hz / nhz : 0;
	if (hz <= 0) {
		*err = xasprintf("%s: no TSC frequency in summary.json "
				 "(probe-meta.txt missing?)",
				 run);
		goto out;
	}
	/* The data files stay in cycles; the plots show ns. */
	c2ns = 1e9 / hz;

	/* 1. Latency CDF of each probe, one curve per kernel, log x. */
	for (int c = -NMETRIC; c < PROBE_NCOL; c++) {
		const struct metric_def *m = c < 0 ? &metrics[-c - 1] : NULL;
		char *name = c < 0 ? xasprintf("diff-%s", m->name) :
				     xasprintf("cdf-%s", probe_cols[c]);
		char *gpn = xasprintf("%s.gp", name);

		json_array_foreach(order, i, kn)
		{
			const char *k = json_string_value(kn);
			size_t n;
			double *v = pooled(run, json_object_get(ks, k), c, m,
					   &n, err);
			char *dn = xasprintf("%s-%s.dat", name, k);

			if (!v) {
				free(dn);
				free(name);
				free(gpn);
				goto out;
			}
			f = xfopen(dir, dn, err);
			if (!f) {
				free(v);
				free(dn);
				free(name);
				free(gpn);
				goto out;
			}
			fprintf(f,
				"# %s, kernel %s: value(cycles) cdf; %zu "
				"samples pooled over boots\n",
				c < 0 ? m->desc : probe_col_desc[c], k, n);
			if (c < 0)
				write_cdf(f, v, n, 0.05, 0.95);
			else
				write_cdf(f, v, n, 0, 0.999);
			nsamp = (int)n;
			fclose(f);
			free(dn);
			free(v);
		}
		f = xfopen(dir, gpn, err);
		if (!f) {
			free(name);
			free(gpn);
			goto out;
		}
		fprintf(f, term_lines, name);
		fprintf(f,
			"ns_per_cycle = %.6f  # TSC %.4f GHz; .dat "
			"files are in cycles\n",
			c2ns, hz / 1e9);
		if (c < 0) {
			fprintf(f,
				"set title 'Paired difference %s in the same "
				"loop iteration: CDF, central 90%%, ~%d calls "
				"per kernel pooled over boots'\n"
				"set xlabel '%s, same iteration (ns)'\n"
				"set xrange [*:*]\nset arrow from 0, graph 0 "
				"to 0, graph 1 nohead dt 2\n",
				m->desc, nsamp, m->desc);
		} else {
			fprintf(f,
				"set title 'Latency CDF of %s per call (UML "
				"guest), ~%d calls per kernel pooled over "
				"boots, up to p99.9'\n"
				"set logscale x\n"
				"set xlabel '%s latency per call (ns, log "
				"scale)'\n",
				probe_col_desc[c], nsamp, probe_col_desc[c]);
		}
		fprintf(f, "set ylabel 'fraction of calls (CDF)'\n"
			   "set key bottom right\nset grid\n"
			   "set yrange [0:1]\n");
		if (c < 0)
			fprintf(f, "set yrange [0.05:0.95]\n");
		fprintf(f, "plot ");
		json_array_foreach(order, i, kn)
		{
			const char *k = json_string_value(kn);

			fprintf(f,
				"%s'%s-%s.dat' using ($1*ns_per_cycle):2 with "
				"lines lw 2 title '%s'",
				i ? ", " : "", name, k, k);
		}
		fprintf(f, "\n");
		gp_end(f, name);
		fclose(f);
		if (run_gp(dir, name, err)) {
			free(name);
			free(gpn);
			goto out;
		}
		free(name);
		free(gpn);
	}

	/* 2. Per-boot estimates (with the median's 95% CI) per kernel. */
	for (int m = 0; m < NMETRIC; m++) {
		char *name = xasprintf("boots-%s", metrics[m].name);
		char *gpn = xasprintf("%s.gp", name);
		char *dn = xasprintf("%s.dat", name), *xtics;
		int x = 0;

		f = xfopen(dir, dn, err);
		if (!f) {
			free(name);
			free(gpn);
			free(dn);
			goto out;
		}
		fprintf(f, "# x estimate(cycles) median median_ci_lo "
			   "median_ci_hi; one index block per kernel\n");
		xtics = xstrdup("");
		json_array_foreach(order, i, kn)
		{
			json_t *b, *boots = json_object_get(
					   json_object_get(
						   ks, json_string_value(kn)),
					   "boots");
			size_t j;

			fprintf(f, "# kernel %s\n", json_string_value(kn));
			{
				char *t = xasprintf(
					"%s%s'%s' %.1f", xtics, i ? ", " : "",
					json_string_value(kn),
					x + (json_array_size(boots) - 1) / 2.0);

				free(xtics);
				xtics = t;
			}
			json_array_foreach(boots, j, b)
			{
				json_t *mo = json_object_get(
					json_object_get(b, "metrics"),
					metrics[m].name);
				json_t *ci = json_object_get(mo, "median_ci95");
				const char *est = json_string_value(
					json_object_get(s, "estimator"));

				fprintf(f, "%d %.3f %.3f %.3f %.3f\n", x++,
					json_number_value(json_object_get(
						mo, est ? est : "hl")),
					json_number_value(
						json_object_get(mo, "median")),
					json_number_value(
						json_array_get(ci, 0)),
					json_number_value(
						json_array_get(ci, 1)));
			}
			fprintf(f, "\n\n");
		}
		fclose(f);
		f = xfopen(dir, gpn, err);
		if (!f) {
			free(name);
			free(gpn);
			free(dn);
			goto out;
		}
		fprintf(f, term_lines, name);
		fprintf(f,
			"ns_per_cycle = %.6f  # TSC %.4f GHz; .dat is in "
			"cycles\n"
			"set title 'Per-boot %s (dots: %s estimate; bars: "
			"median with 95%% CI)'\n"
			"set xlabel 'boots, grouped by kernel'\n"
			"set ylabel '%s per boot (ns)'\n"
			"set xtics (%s)\n"
			"set grid ytics\nset key top left\n"
			"set offsets 0.5,0.5,0,0\nplot ",
			c2ns, hz / 1e9, metrics[m].desc,
			json_string_value(json_object_get(s, "estimator")),
			metrics[m].desc, xtics);
		free(xtics);
		json_array_foreach(order, i, kn)
		{
			fprintf(f,
				"%s'%s' index %zu using 1:($3*ns_per_cycle):"
				"($4*ns_per_cycle):($5*ns_per_cycle) with "
				"errorbars lc %zu notitle, '' index %zu using "
				"1:($2*ns_per_cycle) with points pt 7 lc %zu "
				"title '%s'",
				i ? ", " : "", dn, i, i + 1, i, i + 1,
				json_string_value(kn));
		}
		fprintf(f, "\n");
		gp_end(f, name);
		fclose(f);
		rc = run_gp(dir, name, err);
		free(name);
		free(gpn);
		free(dn);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	json_decref(s);
	free(dir);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	char *err = NULL, *sp;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("usage: aioremap plot RUN\n\n"
		       "Write RUN/plots/: latency CDF per probe and kernel "
		       "(cdf-*.png), paired\ndifference distributions "
		       "(diff-*.png), per-boot estimates with intervals\n"
		       "(boots-*.png), each also as SVG, with the gnuplot "
		       "scripts and data kept.\nRuns `summarise` first when "
		       "RUN/summary.json is missing.\n\nexit: 0 written, 2 "
		       "error\n");
		return EXIT_OK;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: aioremap plot RUN\n");
		return EXIT_USAGE;
	}
	sp = xasprintf("%s/summary.json", argv[1]);
	if (!path_exists(sp)) {
		struct summarise_opts so = { EST_HL };
		json_t *s = summarise_run(argv[1], &so, &err);

		if (!s || json_save_path(s, sp, &err))
			die(EXIT_USAGE, "%s", err);
		json_decref(s);
	}
	free(sp);
	if (plot_run(argv[1], &err))
		die(EXIT_USAGE, "%s", err);
	printf("%s/plots/\n", argv[1]);
	return EXIT_OK;
}
