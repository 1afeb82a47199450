// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap summarise RUN: raw probe samples of a run folder ->
 * RUN/summary.json (per boot and per kernel).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "stats.h"
#include "util.h"

const char *const probe_cols[PROBE_NCOL] = { "getppid", "submit0", "getevents0",
					     "submit1", "reap1" };
const char *const probe_col_desc[PROBE_NCOL] = {
	"getppid()",
	"io_submit(ctx, 0, NULL)",
	"io_getevents(ctx, 0, 1, ev, {0,0})",
	"io_submit(ctx, 1, {pread 512})",
	"io_getevents(ctx, 1, 1, ev, NULL)",
};
const struct metric_def metrics[NMETRIC] = {
	{ "lookup", 0, 1, "io_submit(ctx,0,NULL) - getppid()" },
	{ "lookup_ring", 0, 2, "io_getevents(ctx,0,1,{0,0}) - getppid()" },
};
const char *const estimator_names[EST_COUNT] = { "hl", "median", "trim25",
						 "fast20" };

int estimator_parse(const char *s)
{
	for (int i = 0; i < EST_COUNT; i++)
		if (!strcmp(s, estimator_names[i]))
			return i;
	return -1;
}

json_t *json_load_path(const char *path, char **err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j && err)
		*err = xasprintf("%s:%d: %s", path, je.line, je.text);
	return j;
}

int json_save_path(json_t *j, const char *path, char **err)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	int rc;

	if (!s) {
		*err = xasprintf("cannot serialise %s", path);
		return -1;
	}
	rc = write_file(path, s, strlen(s));
	if (!rc)
		rc = 0;
	else
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
	free(s);
	return rc ? -1 : 0;
}

void probe_data_free(struct probe_data *d)
{
	for (int c = 0; c < PROBE_NCOL; c++)
		free(d->col[c]);
	free(d->remapped);
	memset(d, 0, sizeof(*d));
}

#define MAXF 16

static int split_csv(char *line, char **f)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == ',') {
			*p = 0;
			if (n == MAXF)
				return -1;
			f[n++] = p + 1;
		}
	return n;
}

int probe_csv_load(const char *path, struct probe_data *d, char **err)
{
	size_t len, cap = 0, lineno = 1;
	char *buf = read_file(path, &len), *p, *nl, *f[MAXF];
	int idx[PROBE_NCOL], iremap = -1, nf;

	memset(d, 0, sizeof(*d));
	if (!buf) {
		*err = xasprintf("%s: cannot read: %s (did the probe run? see "
				 "the boot's console.log)",
				 path, strerror(errno));
		return -1;
	}
	if (!len || !(nl = strchr(buf, '\n'))) {
		*err = xasprintf("%s: empty or no header line (probe killed "
				 "before writing? rerun the boot)",
				 path);
		goto fail;
	}
	*nl = 0;
	nf = split_csv(buf, f);
	for (int c = 0; c < PROBE_NCOL; c++) {
		idx[c] = -1;
		for (int i = 0; i < nf; i++)
			if (!strcmp(rstrip(f[i]), probe_cols[c]))
				idx[c] = i;
		if (idx[c] < 0) {
			*err = xasprintf("%s:1: header has no '%s' column "
					 "(not a probe.csv?)",
					 path, probe_cols[c]);
			goto fail;
		}
	}
	for (int i = 0; i < nf; i++)
		if (!strcmp(f[i], "remapped"))
			iremap = i;
	for (p = nl + 1; *p; p = nl + 1) {
		lineno++;
		nl = strchr(p, '\n');
		if (!nl) {
			*err = xasprintf("%s:%zu: truncated (last line has no "
					 "newline; the probe or guest was cut "
					 "off: rerun that boot)",
					 path, lineno);
			goto fail;
		}
		*nl = 0;
		if (!*p)
			continue;
		int n = split_csv(p, f);

		if (n != nf) {
			*err = xasprintf("%s:%zu: %d fields, header has %d "
					 "(corrupt file: rerun that boot)",
					 path, lineno, n, nf);
			goto fail;
		}
		if (d->n == cap) {
			cap = cap ? cap * 2 : 4096;
			for (int c = 0; c < PROBE_NCOL; c++)
				d->col[c] = xrealloc(d->col[c],
						     cap * sizeof(double));
			d->remapped = xrealloc(d->remapped, cap);
		}
		for (int c = 0; c < PROBE_NCOL; c++) {
			char *end;
			const char *s = f[idx[c]];
			double v;

			errno = 0;
			v = strtod(s, &end);
			if (errno || end == s || *rstrip(end) || v < 0 ||
			    !isfinite(v)) {
				*err = xasprintf("%s:%zu: column %s: '%s' is "
						 "not a cycle count (corrupt "
						 "file: rerun that boot)",
						 path, lineno, probe_cols[c],
						 s);
				goto fail;
			}
			d->col[c][d->n] = v;
		}
		d->remapped[d->n] = iremap >= 0 && atoi(f[iremap]) != 0;
		d->n++;
	}
	if (!d->n) {
		*err = xasprintf("%s: header only, no samples", path);
		goto fail;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	probe_data_free(d);
	return -1;
}

json_t *probe_meta_load(const char *path)
{
	char *buf = read_file(path, NULL), *line, *save = NULL;
	json_t *o;

	if (!buf)
		return NULL;
	o = json_object();
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *v, *end;
		double num;

		if (!colon)
			continue;
		*colon = 0;
		v = colon + 1;
		while (*v == ' ')
			v++;
		rstrip(v);
		errno = 0;
		num = strtod(v, &end);
		if (*v && !*end && !errno)
			json_object_set_new(o, line, json_real(num));
		else
			json_object_set_new(o, line, json_string(v));
	}
	free(buf);
	return o;
}

char *boot_csv_path(const char *boot_dir)
{
	char *p = xasprintf("%s/probe/probe.csv", boot_dir);

	if (path_exists(p))
		return p;
	free(p);
	p = xasprintf("%s/probe.csv", boot_dir);
	if (path_exists(p))
		return p;
	free(p);
	return NULL;
}

static json_t *quantiles_json(const double *sorted, size_t n)
{
	static const double qs[] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 };
	static const char *const qn[] = { "q01", "q05", "q25", "median",
					  "q75", "q95", "q99" };
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer(n));
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		json_object_set_new(o, qn[i],
				    json_real(st_quantile(sorted, n, qs[i])));
	json_object_set_new(o, "min", json_real(sorted[0]));
	json_object_set_new(o, "max", json_real(sorted[n - 1]));
	return o;
}

/* Distribution-free 95% interval of the median from order statistics. */
static void median_ci(const double *sorted, size_t n, double *lo, double *hi)
{
	double h = 1.959964 * sqrt((double)n) / 2;
	long j = (long)floor(n / 2.0 - h), k = (long)ceil(n / 2.0 + h);

	if (j < 0)
		j = 0;
	if (k > (long)n - 1)
		k = n - 1;
	*lo = sorted[j];
	*hi = sorted[k];
}

/* Estimators of one paired difference over a boot. */
static json_t *metric_boot_json(const struct probe_data *d,
				const struct metric_def *m,
				double est[EST_COUNT])
{
	double *x = xmalloc(d->n * sizeof(*x)), lo, hi;
	size_t nfast;
	json_t *o;

	nfast = st_fast_pairs(d->col[m->a], d->col[m->b], d->n,
			      FAST_PAIR_FRACTION, x);
	est[EST_FAST20] = st_hl1(x, nfast);
	for (size_t i = 0; i < d->n; i++)
		x[i] = d->col[m->b][i] - d->col[m->a][i];
	st_sort(x, d->n);
	est[EST_HL] = st_hl1(x, d->n);
	if (!nfast) {
		/* Only on crafted data: no row is fast in both columns. */
		warnx_("%s: no iteration has both calls in their fastest "
		       "%.0f%%; fast20 falls back to hl for this boot",
		       m->name, 100 * FAST_PAIR_FRACTION);
		est[EST_FAST20] = est[EST_HL];
	}
	est[EST_MEDIAN] = st_quantile(x, d->n, 0.5);
	est[EST_TRIM25] = st_trimmed_mean(x, d->n, 0.25);
	o = quantiles_json(x, d->n);
	json_object_set_new(o, "hl", json_real(est[EST_HL]));
	json_object_set_new(o, "trim25", json_real(est[EST_TRIM25]));
	json_object_set_new(o, "fast20", json_real(est[EST_FAST20]));
	json_object_set_new(o, "fast20_pairs", json_integer(nfast));
	json_object_set_new(o, "iqr",
			    json_real(st_quantile(x, d->n, 0.75) -
				      st_quantile(x, d->n, 0.25)));
	median_ci(x, d->n, &lo, &hi);
	json_object_set_new(o, "median_ci95", json_pack("[f,f]", lo, hi));
	free(x);
	return o;
}

static int cmp_boot_names(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	long i = strtol(x + 5, NULL, 10), j = strtol(y + 5, NULL, 10);

	return (i > j) - (i < j);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of @dir's entries that start with @prefix (dirs only). */
static char **list_dirs(const char *dir, const char *prefix, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (!dp)
		return NULL;
	while ((e = readdir(dp))) {
		char *p;

		if (e->d_name[0] == '.' ||
		    strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (is_dir(p)) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = xstrdup(e->d_name);
		}
		free(p);
	}
	closedir(dp);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Kernels of a run: meta.json "kernels" order, else sorted folders. */
static char **run_kernels(const char *run, size_t *n)
{
	char *mp = xasprintf("%s/meta.json", run);
	json_t *meta = json_load_file(mp, 0, NULL), *ks;
	char **v = NULL;
	size_t i;
	json_t *k;

	free(mp);
	*n = 0;
	ks = meta ? json_object_get(meta, "kernels") : NULL;
	if (json_is_array(ks) && json_array_size(ks)) {
		json_array_foreach(ks, i, k)
		{
			const char *name = json_string_value(k);

			if (!name)
				continue;
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = xstrdup(name);
		}
	} else {
		size_t nd;
		char **d = list_dirs(run, "", &nd);

		if (d)
			qsort(d, nd, sizeof(*d), cmp_str);
		for (i = 0; i < nd; i++) {
			char *p = xasprintf("%s/%s", run, d[i]);
			size_t nb;
			char **b = list_dirs(p, "boot-", &nb);

			if (nb) {
				v = xrealloc(v, (*n + 1) * sizeof(*v));
				v[(*n)++] = xstrdup(d[i]);
			}
			free_list(b, nb);
			free(p);
		}
		free_list(d, nd);
	}
	json_decref(meta);
	return v;
}

json_t *summarise_run(const char *run, const struct summarise_opts *o,
		      char **err)
{
	size_t nk;
	char **ks = run_kernels(run, &nk);
	json_t *out = json_object(), *kernels = json_object();
	int est = o ? o->estimator : EST_DEFAULT;

	if (!nk) {
		*err = xasprintf("%s: no <kernel>/boot-<i>/ folders with "
				 "probe data (is this a bench run folder?)",
				 run);
		json_decref(out);
		json_decref(kernels);
		return NULL;
	}
	json_object_set_new(out, "format", json_string("aioremap-summary 1"));
	json_object_set_new(out, "run", json_string(run));
	json_object_set_new(out, "estimator",
			    json_string(estimator_names[est]));
	json_object_set_new(
		out, "estimator_note",
		json_string(
			"per boot: estimator of the paired difference (same "
			"loop iteration) in cycles; fast20 = Hodges-Lehmann "
			"over the iterations where both calls are among the "
			"fastest 20% of their own column in the boot (drops "
			"pairs straddling UML's two syscall-cost modes); hl = "
			"Hodges-Lehmann over all iterations (median of Walsh "
			"averages: interpolates between TSC ticks); median; "
			"trim25 = 25% trimmed mean; per kernel: "
			"mean of the per-boot estimates (boots are the unit "
			"of replication)"));
	json_t *korder = json_array();

	for (size_t ki = 0; ki < nk; ki++) {
		char *kdir = xasprintf("%s/%s", run, ks[ki]);
		size_t nb;
		char **boots = list_dirs(kdir, "boot-", &nb);
		json_t *kj = json_object(), *bj = json_array();
		double *be[NMETRIC], hz_sum = 0;
		size_t nused = 0;
		double *pmed[PROBE_NCOL];

		for (int m = 0; m < NMETRIC; m++)
			be[m] = xcalloc(nb + 1, sizeof(double));
		for (int c = 0; c < PROBE_NCOL; c++)
			pmed[c] = xcalloc(nb + 1, sizeof(double));
		if (boots)
			qsort(boots, nb, sizeof(*boots), cmp_boot_names);
		for (size_t bi = 0; bi < nb; bi++) {
			char *bdir = xasprintf("%s/%s", kdir, boots[bi]);
			char *csv = boot_csv_path(bdir), *e = NULL, *mpath;
			struct probe_data d;
			json_t *b, *meta, *probes, *mj;

			if (!csv) {
				warnx_("%s: no probe.csv, boot skipped", bdir);
				free(bdir);
				continue;
			}
			if (probe_csv_load(csv, &d, &e)) {
				*err = e;
				free(csv);
				free(bdir);
				free(be[0]);
				free(be[1]);
				for (int c = 0; c < PROBE_NCOL; c++)
					free(pmed[c]);
				free_list(boots, nb);
				free(kdir);
				json_decref(kj);
				json_decref(bj);
				json_decref(korder);
				json_decref(kernels);
				json_decref(out);
				free_list(ks, nk);
				return NULL;
			}
			mpath = xstrdup(csv);
			*strrchr(mpath, '/') = 0;
			{
				char *t = xasprintf("%s/probe-meta.txt", mpath);

				free(mpath);
				mpath = t;
			}
			meta = probe_meta_load(mpath);
			free(mpath);
			b = json_object();
			json_object_set_new(b, "boot", json_string(boots[bi]));
			json_object_set_new(b, "csv",
					    json_string(csv + strlen(run) + 1));
			json_object_set_new(b, "n", json_integer(d.n));
			double hz = meta ? json_number_value(json_object_get(
						   meta, "tsc_hz")) :
					   0;
			json_object_set_new(b, "tsc_hz", json_real(hz));
			if (meta)
				json_object_set_new(b, "meta", meta);
			hz_sum += hz;
			probes = json_object();
			for (int c = 0; c < PROBE_NCOL; c++) {
				double *x = xmalloc(d.n * sizeof(*x));

				memcpy(x, d.col[c], d.n * sizeof(*x));
				st_sort(x, d.n);
				json_object_set_new(probes, probe_cols[c],
						    quantiles_json(x, d.n));
				pmed[c][nused] = st_quantile(x, d.n, 0.5);
				free(x);
			}
			json_object_set_new(b, "probes", probes);
			mj = json_object();
			for (int m = 0; m < NMETRIC; m++) {
				double e[EST_COUNT];

				json_object_set_new(
					mj, metrics[m].name,
					metric_boot_json(&d, &metrics[m], e));
				be[m][nused] = e[est];
			}
			json_object_set_new(b, "metrics", mj);
			json_object_set_new(b, "estimate",
					    json_real(be[0][nused]));
			json_array_append_new(bj, b);
			nused++;
			probe_data_free(&d);
			free(csv);
			free(bdir);
		}
		if (!nused) {
			warnx_("%s: no boots with probe data", kdir);
		} else {
			double hz = hz_sum / nused;
			json_t *mk = json_object(), *pk = json_object();

			json_object_set_new(kj, "n_boots", json_integer(nused));
			json_object_set_new(kj, "tsc_hz", json_real(hz));
			for (int m = 0; m < NMETRIC; m++) {
				json_t *a = json_array(), *mo = json_object();
				double mean = st_mean(be[m], nused);
				double sd = st_sd(be[m], nused);

				for (size_t i = 0; i < nused; i++)
					json_array_append_new(
						a, json_real(be[m][i]));
				json_object_set_new(mo, "boot_estimates", a);
				json_object_set_new(mo, "estimate_cycles",
						    json_real(mean));
				json_object_set_new(mo, "sd_cycles",
						    json_real(sd));
				json_object_set_new(
					mo, "se_cycles",
					json_real(sd / sqrt((double)nused)));
				json_object_set_new(
					mo, "estimate_ns",
					json_real(hz > 0 ? mean / hz * 1e9 :
							   NAN));
				json_object_set_new(
					mo, "desc",
					json_string(metrics[m].desc));
				json_object_set_new(mk, metrics[m].name, mo);
			}
			json_object_set_new(kj, "metrics", mk);
			for (int c = 0; c < PROBE_NCOL; c++) {
				st_sort(pmed[c], nused);
				json_object_set_new(
					pk, probe_cols[c],
					json_pack("{s:f,s:s}",
						  "median_of_boot_medians",
						  st_quantile(pmed[c], nused,
							      0.5),
						  "call", probe_col_desc[c]));
			}
			json_object_set_new(kj, "probes", pk);
			json_object_set_new(kj, "boots", bj);
			bj = NULL;
			json_object_set_new(kernels, ks[ki], kj);
			json_array_append_new(korder, json_string(ks[ki]));
			kj = NULL;
		}
		json_decref(kj);
		json_decref(bj);
		for (int m = 0; m < NMETRIC; m++)
			free(be[m]);
		for (int c = 0; c < PROBE_NCOL; c++)
			free(pmed[c]);
		free_list(boots, nb);
		free(kdir);
	}
	free_list(ks, nk);
	if (!json_array_size(korder)) {
		*err = xasprintf("%s: no boot has probe data", run);
		json_decref(korder);
		json_decref(kernels);
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, "kernel_order", korder);
	json_object_set_new(out, "kernels", kernels);
	return out;
}

static void summarise_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap summarise RUN [--estimator "
		"fast20|hl|median|trim25]\n"
		"\n"
		"Read RUN/<kernel>/boot-<i>/probe/probe.csv (raw cycles) and write\n"
		"RUN/summary.json: per boot the quantiles of every probe and the\n"
		"paired differences (io_submit(ctx,0,NULL) - getppid, and\n"
		"io_getevents(ctx,0,1,{0,0}) - getppid, same iteration); per kernel\n"
		"the mean of the per-boot estimates. Default estimator: fast20\n"
		"(Hodges-Lehmann over the iterations where both calls are among\n"
		"the fastest 20%% of their column: UML's trapped syscalls are\n"
		"bimodal, and pairs straddling the modes are +-130k cycles of\n"
		"noise); hl: Hodges-Lehmann over all iterations.\n"
		"\nexit: 0 written, 2 bad folder or corrupt data\n");
}

int cmd_summarise(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "estimator", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct summarise_opts so = { EST_DEFAULT };
	char *err = NULL, *path;
	json_t *s;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			so.estimator = estimator_parse(optarg);
			if (so.estimator < 0)
				die(EXIT_USAGE,
				    "--estimator: fast20, hl, median or trim25, "
				    "not '%s'",
				    optarg);
			break;
		case 'h':
			summarise_usage(stdout);
			return EXIT_OK;
		default:
			summarise_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		summarise_usage(stderr);
		return EXIT_USAGE;
	}
	s = summarise_run(argv[optind], &so, &err);
	if (!s)
		die(EXIT_USAGE, "%s", err);
	path = xasprintf("%s/summary.json", argv[optind]);
	if (json_save_path(s, path, &err))
		die(EXIT_USAGE, "%s", err);
	printf("%s\n", path);
	free(path);
	json_decref(s);
	return EXIT_OK;
}
