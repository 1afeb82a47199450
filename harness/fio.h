/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fio part of the benchmark: for each kernel, boot guests that run
 * the chosen fio-jobs/ through the ring-remap shim with remaps off (mode
 * none) and on (roundtrip or migrate), interleaved A B B A over kernels
 * and over off/on inside each boot; then RUN/fio-summary.json and
 * RUN/plots/fio/ (gnuplot scripts kept). Guests boot with
 * null_blk.memory_backed=1 so /dev/nullb0 keeps data (verify jobs).
 *
 * Fairness: each boot starts with a discarded warm-up fio run (first
 * loads of fio and its libraries over hostfs, first touches of guest
 * memory); then per job `reps` off/on pairs whose order alternates inside
 * the boot, across boots and across jobs (boot 0: off on | on off, boot
 * 1: on off | off on); time-based jobs skip their first 250 ms
 * (ramp_time). The effect of remapping is estimated from the pairs
 * (on/off ratio of adjacent runs) as well as from all runs. A run's
 * verdict is the guest's own checks (fiorun.tsv "check" lines): a failed
 * fio-verify-clean or shim-no-errors fails the run.
 *
 * Layout: RUN/fio/<kernel>/boot-<i>/fiorun[.<n>]/{fiorun.tsv,fio.json,
 * fio.log,shim/shim-*.tsv} (one folder per fio run inside the guest).
 */
#ifndef AIOREMAP_FIO_H
#define AIOREMAP_FIO_H

#include <stdbool.h>

struct fio_bench_opts {
	const char *const *kernels; /* kernel specs (kernel.h), NULL-terminated */
	const char *
		jobs; /* "a,b" (names, .fio optional), "all", NULL: default set */
	const char *
		mode; /* remap mode when on: "migrate" (default) or "roundtrip" */
	unsigned long every; /* remap every N calls; 0: 16 */
	int boots; /* per kernel; 0: 2 */
	int runtime_s; /* per fio run; 0: 1 */
	int reps; /* runs per mode, job and boot; 0: 2 at runtime 1 s, else 1 */
	bool build; /* build missing kernels */
	bool quiet;
	unsigned long long seed;
};

/*
 * Run the fio benchmark into @run_dir (created if needed) and write
 * fio-summary.json and plots there. Returns an exit status: 0 every run
 * passed, 1 a check failed (e.g. remapped runs fail on a kernel without
 * the patch - the summary says which and why), 2 usage/setup error.
 */
int fio_bench(const char *run_dir, const struct fio_bench_opts *o);

/*
 * Re-summarise an existing run folder (RUN/fio/...): fio-summary.json
 * and plots. Returns 0, 1 (a run failed a check) or 2.
 */
int fio_summarise(const char *run_dir, unsigned long long seed);

#endif
