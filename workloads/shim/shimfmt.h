/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shim's per-context statistics file (shim-<pid>-<tid>-<n>.tsv), shared
 * by the shim (writer), fiorun (guest-side checks) and the harness (reader).
 * Header only, so the harness can include it without linking the shim.
 *
 * Format: one record per line, tab-separated, first field the key:
 *   aioremap-shim  1
 *   pid|written_at|mode|every|force_error|ring_nr|ring_bytes|home|final  value
 *   calls  <op>  <n>             op: io_submit io_getevents io_cancel
 *                                    io_destroy mremap
 *   submit_ios|events|remaps|remap_failures|errors  <n>
 *   first_error  "<op> <ERRNO> after remap <k>" or "-"
 *   errno  <op>  <ERRNO name>  <n>
 *   hist  <name>  <lo cycles>  <hi cycles>  <count>   name: shim_hist_name
 *   end                           (absent: the file is truncated)
 */
#ifndef AIOREMAP_SHIMFMT_H
#define AIOREMAP_SHIMFMT_H

#include <string.h>
#include <stdint.h>

#define SHIM_MAGIC "aioremap-shim"
#define SHIM_VERSION 1
#define SHIM_NERRNO 160
/* 4 sub-buckets per octave: values 0..7 exact, then 1/4-octave steps. */
#define SHIM_NBUCKETS 256

enum shim_hist {
	SHIM_H_SUBMIT, /* cycles inside the real io_submit syscall */
	SHIM_H_GETEVENTS, /* cycles inside the real io_getevents syscall */
	SHIM_H_REMAP, /* cycles of one mremap() of the ring */
	SHIM_H_OVERHEAD, /* shim cycles per call outside syscall and remap */
	SHIM_NHIST,
};

static const char *const shim_hist_name[SHIM_NHIST] = { "io_submit",
							"io_getevents",
							"mremap", "overhead" };

static inline int shim_bucket(uint64_t x)
{
	int e;

	if (x < 8)
		return (int)x;
	e = 63 - __builtin_clzll(x);
	return 4 * (e - 1) + (int)((x >> (e - 2)) & 3);
}

/* Lowest value of bucket @b (bucket b covers [lo(b), lo(b + 1))). */
static inline uint64_t shim_bucket_lo(int b)
{
	int e;

	if (b < 8)
		return (uint64_t)b;
	if (b >= 252)
		return UINT64_MAX;
	e = b / 4 + 1;
	return (uint64_t)(4 + b % 4) << (e - 2);
}

static inline const char *shim_errno_name(int e)
{
	const char *s = e > 0 ? strerrorname_np(e) : NULL;

	return s ? s : "E?";
}

#endif
