// SPDX-License-Identifier: GPL-2.0
/*
 * fio json+ parsing (jansson) and the shim's cycle histograms (the shim
 * files themselves are read by workloads/lib/shimsum.c).
 */
#include "fiojson.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v && json_is_number(v) ? json_number_value(v) : 0;
}

static int cmp_bin(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Sort parallel arrays by ns (pairs packed as [ns, count]). */
static void set_bins(struct fio_lat *l, uint64_t *pairs, size_t n)
{
	qsort(pairs, n, 2 * sizeof(uint64_t), cmp_bin);
	l->nbins = n;
	l->bin_ns = xcalloc(n ? n : 1, sizeof(uint64_t));
	l->bin_count = xcalloc(n ? n : 1, sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) {
		l->bin_ns[i] = pairs[2 * i];
		l->bin_count[i] = pairs[2 * i + 1];
	}
}

static int parse_lat(json_t *o, struct fio_lat *l, const char *what, char **err)
{
	json_t *pct, *bins;

	memset(l, 0, sizeof(*l));
	l->p50 = l->p90 = l->p99 = l->p999 = -1;
	if (!json_is_object(o)) {
		*err = xasprintf("%s missing", what);
		return -1;
	}
	l->n = (long long)num(o, "N");
	l->min = num(o, "min");
	l->max = num(o, "max");
	l->mean = num(o, "mean");
	pct = json_object_get(o, "percentile");
	if (json_is_object(pct)) {
		l->p50 = json_object_get(pct, "50.000000") ?
				 num(pct, "50.000000") :
				 -1;
		l->p90 = json_object_get(pct, "90.000000") ?
				 num(pct, "90.000000") :
				 -1;
		l->p99 = json_object_get(pct, "99.000000") ?
				 num(pct, "99.000000") :
				 -1;
		l->p999 = json_object_get(pct, "99.900000") ?
				  num(pct, "99.900000") :
				  -1;
	}
	bins = json_object_get(o, "bins");
	if (json_is_object(bins)) {
		size_t n = json_object_size(bins), i = 0;
		uint64_t *pairs = xcalloc(n ? 2 * n : 1, sizeof(uint64_t));
		const char *k;
		json_t *v;

		json_object_foreach(bins, k, v)
		{
			char *end;
			unsigned long long ns = strtoull(k, &end, 10);

			if (*end || !json_is_integer(v) ||
			    json_integer_value(v) < 0) {
				*err = xasprintf("%s bins: bad entry \"%s\"",
						 what, k);
				free(pairs);
				return -1;
			}
			pairs[2 * i] = ns;
			pairs[2 * i + 1] = (uint64_t)json_integer_value(v);
			i++;
		}
		set_bins(l, pairs, n);
		free(pairs);
	}
	return 0;
}

static int parse_dir(json_t *o, struct fio_dir *d, const char *what, char **err)
{
	char *e = NULL;
	char w[64];

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o)) {
		*err = xasprintf("\"%s\" missing", what);
		return -1;
	}
	d->iops = num(o, "iops");
	d->bw_bytes = num(o, "bw_bytes");
	d->io_bytes = (long long)num(o, "io_bytes");
	d->total_ios = (long long)num(o, "total_ios");
	snprintf(w, sizeof(w), "%s.slat_ns", what);
	if (parse_lat(json_object_get(o, "slat_ns"), &d->slat, w, &e))
		goto bad;
	snprintf(w, sizeof(w), "%s.clat_ns", what);
	if (parse_lat(json_object_get(o, "clat_ns"), &d->clat, w, &e))
		goto bad;
	snprintf(w, sizeof(w), "%s.lat_ns", what);
	if (parse_lat(json_object_get(o, "lat_ns"), &d->lat, w, &e))
		goto bad;
	return 0;
bad:
	*err = e;
	return -1;
}

int fio_json_load(const char *path, struct fio_result *r, char **err)
{
	json_error_t je;
	json_t *root, *jobs, *j;
	size_t i;
	char *e = NULL;

	memset(r, 0, sizeof(*r));
	root = json_load_file(path, 0, &je);
	if (!root) {
		*err = xasprintf(
			"%s: not valid fio JSON (%s at line %d) - truncated by a crash or killed guest? re-run the job",
			path, je.text, je.line);
		return -1;
	}
	jobs = json_object_get(root, "jobs");
	if (!json_is_array(jobs) || !json_array_size(jobs)) {
		*err = xasprintf(
			"%s: no \"jobs\" array - not fio --output-format=json+ output",
			path);
		json_decref(root);
		return -1;
	}
	if (json_is_string(json_object_get(root, "fio version")))
		r->version = xstrdup(json_string_value(
			json_object_get(root, "fio version")));
	r->njobs = json_array_size(jobs);
	r->jobs = xcalloc(r->njobs, sizeof(*r->jobs));
	json_array_foreach(jobs, i, j)
	{
		struct fio_job *fj = &r->jobs[i];
		json_t *name = json_object_get(j, "jobname");

		if (!json_is_object(j) || !json_is_string(name)) {
			e = xasprintf("job %zu is not a fio job object", i);
			goto bad;
		}
		fj->name = xstrdup(json_string_value(name));
		fj->error = (int)num(j, "error");
		fj->total_err = (long long)num(j, "total_err");
		if (parse_dir(json_object_get(j, "read"), &fj->rd, "read",
			      &e) ||
		    parse_dir(json_object_get(j, "write"), &fj->wr, "write",
			      &e))
			goto bad;
	}
	json_decref(root);
	return 0;
bad:
	*err = xasprintf("%s: %s", path, e);
	free(e);
	json_decref(root);
	fio_result_free(r);
	return -1;
}

void fio_lat_free(struct fio_lat *l)
{
	free(l->bin_ns);
	free(l->bin_count);
	l->bin_ns = l->bin_count = NULL;
	l->nbins = 0;
}

void fio_result_free(struct fio_result *r)
{
	for (size_t i = 0; i < r->njobs; i++) {
		struct fio_dir *d[2] = { &r->jobs[i].rd, &r->jobs[i].wr };

		free(r->jobs[i].name);
		for (int k = 0; k < 2; k++) {
			fio_lat_free(&d[k]->slat);
			fio_lat_free(&d[k]->clat);
			fio_lat_free(&d[k]->lat);
		}
	}
	free(r->jobs);
	free(r->version);
	memset(r, 0, sizeof(*r));
}

double fio_bins_quantile(const struct fio_lat *l, double p)
{
	uint64_t n = 0, c = 0;
	double want;

	for (size_t i = 0; i < l->nbins; i++)
		n += l->bin_count[i];
	if (!n)
		return -1;
	want = p * (double)n;
	for (size_t i = 0; i < l->nbins; i++) {
		c += l->bin_count[i];
		if ((double)c >= want && c)
			return (double)l->bin_ns[i];
	}
	return (double)l->bin_ns[l->nbins - 1];
}

void fio_clat_merge(const struct fio_result *r, struct fio_lat *out)
{
	size_t n = 0, k = 0, m = 0;
	uint64_t *pairs;
	double sum = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->njobs; i++)
		n += r->jobs[i].rd.clat.nbins + r->jobs[i].wr.clat.nbins;
	pairs = xcalloc(n ? 2 * n : 1, sizeof(uint64_t));
	for (size_t i = 0; i < r->njobs; i++) {
		const struct fio_lat *ls[2] = { &r->jobs[i].rd.clat,
						&r->jobs[i].wr.clat };

		for (int d = 0; d < 2; d++)
			for (size_t b = 0; b < ls[d]->nbins; b++) {
				pairs[2 * k] = ls[d]->bin_ns[b];
				pairs[2 * k + 1] = ls[d]->bin_count[b];
				k++;
			}
	}
	qsort(pairs, n, 2 * sizeof(uint64_t), cmp_bin);
	/* combine equal ns */
	for (size_t i = 0; i < n; i++) {
		if (m && pairs[2 * (m - 1)] == pairs[2 * i]) {
			pairs[2 * (m - 1) + 1] += pairs[2 * i + 1];
			continue;
		}
		pairs[2 * m] = pairs[2 * i];
		pairs[2 * m + 1] = pairs[2 * i + 1];
		m++;
	}
	set_bins(out, pairs, m);
	free(pairs);
	for (size_t i = 0; i < m; i++) {
		out->n += (long long)out->bin_count[i];
		sum += (double)out->bin_ns[i] * (double)out->bin_count[i];
	}
	out->mean = out->n ? sum / (double)out->n : 0;
	out->min = m ? (double)out->bin_ns[0] : 0;
	out->max = m ? (double)out->bin_ns[m - 1] : 0;
	out->p50 = fio_bins_quantile(out, 0.50);
	out->p90 = fio_bins_quantile(out, 0.90);
	out->p99 = fio_bins_quantile(out, 0.99);
	out->p999 = fio_bins_quantile(out, 0.999);
}

int fio_bins_cdf_csv(const struct fio_lat *l, const char *path, char **err)
{
	FILE *f = fopen(path, "w");
	uint64_t n = 0, c = 0;

	if (!f) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < l->nbins; i++)
		n += l->bin_count[i];
	fprintf(f, "ns,count,cumulative,fraction\n");
	for (size_t i = 0; i < l->nbins; i++) {
		c += l->bin_count[i];
		fprintf(f, "%llu,%llu,%llu,%.9f\n",
			(unsigned long long)l->bin_ns[i],
			(unsigned long long)l->bin_count[i],
			(unsigned long long)c, n ? (double)c / (double)n : 0);
	}
	if (fclose(f)) {
		*err = xasprintf("writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- shim histograms (struct shim_stats: workloads/lib/shimsum.h) ---- */

double shim_hist_quantile(const uint64_t *h, double p)
{
	uint64_t n = 0, c = 0;

	for (int b = 0; b < SHIM_NBUCKETS; b++)
		n += h[b];
	if (!n)
		return -1;
	for (int b = 0; b < SHIM_NBUCKETS; b++) {
		c += h[b];
		if (c && (double)c >= p * (double)n)
			return b < 8 ? (double)b :
				       ((double)shim_bucket_lo(b) +
					(double)shim_bucket_lo(b + 1)) /
					       2;
	}
	return -1;
}

int shim_hist_cdf_csv(const uint64_t *h, const char *path, char **err)
{
	FILE *f = fopen(path, "w");
	uint64_t n = 0, c = 0;

	if (!f) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (int b = 0; b < SHIM_NBUCKETS; b++)
		n += h[b];
	fprintf(f, "cycles,count,cumulative,fraction\n");
	for (int b = 0; b < SHIM_NBUCKETS; b++) {
		if (!h[b])
			continue;
		c += h[b];
		fprintf(f, "%llu,%llu,%llu,%.9f\n",
			(unsigned long long)shim_bucket_lo(b),
			(unsigned long long)h[b], (unsigned long long)c,
			(double)c / (double)n);
	}
	if (fclose(f)) {
		*err = xasprintf("writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
