/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of the shim's statistics files (format in
 * workloads/shim/shimfmt.h), shared by fiorun (guest-side checks) and the
 * harness (fio summaries). Plain C, no harness dependency: errors are
 * reported as one line in a caller buffer.
 */
#ifndef AIOREMAP_SHIMSUM_H
#define AIOREMAP_SHIMSUM_H

#include <stddef.h>
#include <stdint.h>

#include "../shim/shimfmt.h"

#define SHIM_ERR_LEN 512

/* The shim's shim-*.tsv files of one fiorun (summed over contexts). */
struct shim_stats {
	int files, truncated;
	uint64_t remaps, remap_failures, errors, ios, events;
	uint64_t submit_calls, getevents_calls;
	char first_error[160];
	uint64_t hist[SHIM_NHIST][SHIM_NBUCKETS];
};

/*
 * Load (add into @s, which the caller zeroes) one shim .tsv. Returns 0,
 * or -1 with a message in @err (@errlen bytes) for an unreadable file or
 * one that is not a shim file; a file without its "end" line counts in
 * s->truncated.
 */
int shim_tsv_load(const char *path, struct shim_stats *s, char *err,
		  size_t errlen);
/*
 * Every shim-*.tsv in @dir (added into @s); returns the number of files,
 * or -1 + @err at the first directory or file that cannot be loaded.
 */
int shim_dir_load(const char *dir, struct shim_stats *s, char *err,
		  size_t errlen);

#endif
