/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The latency benchmark's data pipeline, one way:
 *
 *   RUN/<kernel>/boot-<i>/probe/probe.csv   raw samples (guest probe)
 *     -> summarise -> RUN/summary.json      per boot and per kernel
 *     -> compare   -> RUN/compare.json      each kernel vs the baseline
 *     -> report    -> RUN/report.md         one screen
 *     -> plot      -> RUN/plots/            gnuplot .gp + .dat + png/svg
 *
 * Every step reads only files of the run folder, so a copied folder can
 * be re-summarised and re-plotted anywhere.
 */
#ifndef AIOREMAP_BENCH_H
#define AIOREMAP_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROBE_NCOL 5
extern const char *const probe_cols[PROBE_NCOL];
extern const char *const probe_col_desc[PROBE_NCOL];

/* Paired differences (same loop iteration) the verdict is built on. */
struct metric_def {
	const char *name; /* "lookup" */
	int a, b; /* column b minus column a */
	const char *desc; /* human description */
};
#define NMETRIC 2
extern const struct metric_def metrics[NMETRIC];

struct probe_data {
	size_t n;
	double *col[PROBE_NCOL]; /* cycles */
	unsigned char *remapped;
};

/*
 * Load a probe.csv. Returns 0, or -1 with a malloc'd message naming the
 * file and line in *err.
 */
int probe_csv_load(const char *path, struct probe_data *d, char **err);
void probe_data_free(struct probe_data *d);

/* "key: value" lines of probe-meta.txt into a JSON object (strings, or
 * numbers where they parse). NULL if the file is missing. */
json_t *probe_meta_load(const char *path);

/*
 * Per-boot estimators of a paired difference (same loop iteration).
 * fast20, the default: Hodges-Lehmann over the iterations where both
 * calls are among the fastest 20 % of their own column in that boot.
 * UML's trapped syscalls are bimodal here (~16k and ~150k cycles, the mix
 * drifting with host load); a pair straddling the modes adds +-130k
 * cycles of noise to a ~100-cycle effect, so dropping those pairs cuts
 * the boot-to-boot spread about 3x (measured: sd 30-38 cycles against
 * 100-130 for HL over all pairs, same boots). The selection moves with a
 * constant added to one call, so a fixed extra cost is measured in full.
 * The others use all iterations: hl (Hodges-Lehmann), median, trim25.
 */
enum estimator { EST_HL, EST_MEDIAN, EST_TRIM25, EST_FAST20, EST_COUNT };
#define EST_DEFAULT EST_FAST20
#define FAST_PAIR_FRACTION 0.20
extern const char *const estimator_names[EST_COUNT];
int estimator_parse(const char *s); /* -1 when unknown */

struct summarise_opts {
	int estimator; /* EST_* */
};
/* Summary of a run folder (raw data only). NULL + *err on error. */
json_t *summarise_run(const char *run, const struct summarise_opts *o,
		      char **err);
/* Path of a boot's probe.csv (probe/probe.csv or probe.csv), or NULL. */
char *boot_csv_path(const char *boot_dir);

struct compare_opts {
	const char *baseline; /* NULL: "without" if present, else first */
	double threshold_ns; /* <= 0: default */
	double alpha; /* 0: 0.01 */
	double power; /* 0: 0.8 */
	int reps; /* bootstrap replicates; 0: 4000 */
	unsigned long seed;
};
#define DEFAULT_THRESHOLD_NS 25.0
#define DEFAULT_ALPHA 0.01

/*
 * Compare every kernel of @s (a summary) against the baseline, or when
 * @other is given, each kernel of @s against the same kernel of @other
 * (other = A, s = B). NULL + *err on error.
 */
json_t *compare_summaries(json_t *s, json_t *other,
			  const struct compare_opts *o, char **err);
/* Worst verdict of a compare.json as an exit status: 0, or 1 when a
 * non-control kernel is slower/inconclusive or a control was missed. */
int compare_exit_status(json_t *cmp);

/* Write RUN/report.md from RUN/{meta,summary,compare,verdicts,fio-summary}.json */
int report_write(const char *run, char **err);
/*
 * The answer to the user's question (does the patch keep the lookup
 * fast? yes / no / not shown) with its numbers, as Markdown lines on @f;
 * @meta, @ver, @fio may be NULL. Returns the exit status it implies
 * (0, or 1 when not "yes" or a check/fio result mismatched).
 */
int report_answer(FILE *f, json_t *meta, json_t *cmp, json_t *ver, json_t *fio);
/* Write RUN/plots/ (gnuplot). Returns 0, or -1 + *err. */
int plot_run(const char *run, char **err);

/* JSON helpers. */
json_t *json_load_path(const char *path, char **err);
int json_save_path(json_t *j, const char *path, char **err);

#endif
