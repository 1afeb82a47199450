/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fio json+ output (fio --output-format=json+), parsed for the fio part of
 * the harness, and the remap shim's cycle histograms (the shim's files are
 * read by workloads/lib/shimsum.h, shared with fiorun).
 *
 * Units: fio latencies in nanoseconds; shim histograms in TSC cycles.
 */
#ifndef AIOREMAP_FIOJSON_H
#define AIOREMAP_FIOJSON_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/lib/shimsum.h"

/* One of fio's slat_ns / clat_ns / lat_ns blocks. */
struct fio_lat {
	long long n;
	double min, max, mean;
	double p50, p90, p99, p999; /* from "percentile"; -1 if absent */
	size_t nbins; /* "bins" (json+ only), sorted by ns */
	uint64_t *bin_ns;
	uint64_t *bin_count;
};

struct fio_dir {
	double iops, bw_bytes;
	long long io_bytes, total_ios;
	struct fio_lat slat, clat, lat;
};

struct fio_job {
	char *name;
	int error; /* fio's "error" (an errno), 0 = none */
	long long total_err; /* "total_err" (continue_on_error), else 0 */
	struct fio_dir rd, wr;
};

struct fio_result {
	char *version;
	size_t njobs;
	struct fio_job *jobs;
};

/*
 * Load a fio json+ file. Returns 0, or -1 with a malloc'd message naming
 * the file and what is wrong (truncated, not JSON, no jobs...) in *err.
 */
int fio_json_load(const char *path, struct fio_result *r, char **err);
void fio_result_free(struct fio_result *r);

/*
 * Merge the clat bins of read and write of every job into one sorted
 * histogram (ns -> count) in @out (bin arrays malloc'd; n/min/max/mean
 * and percentiles recomputed from the bins).
 */
void fio_clat_merge(const struct fio_result *r, struct fio_lat *out);
/* Quantile p in [0,1] of a bins histogram (the bin value); -1 if empty. */
double fio_bins_quantile(const struct fio_lat *l, double p);
void fio_lat_free(struct fio_lat *l);

/*
 * Write "ns,count,cumulative,fraction" CSV of a bins histogram (header
 * line first). Returns 0, or -1 + *err.
 */
int fio_bins_cdf_csv(const struct fio_lat *l, const char *path, char **err);

/* Quantile of a shim histogram (midpoint of the bucket); -1 if empty. */
double shim_hist_quantile(const uint64_t *h, double p);
/* "cycles,count,cumulative,fraction" CSV (bucket lower edges). */
int shim_hist_cdf_csv(const uint64_t *h, const char *path, char **err);

#endif
