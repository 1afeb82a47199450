/* SPDX-License-Identifier: GPL-2.0 */
/* Run folders: results/<UTC time>-<name>/ and the results/latest link. */
#ifndef AIOREMAP_RUNDIR_H
#define AIOREMAP_RUNDIR_H

#include <jansson.h>

/*
 * Create a new run folder under $AIOREMAP_RESULTS (default
 * <project>/results) and point results/latest at it. Dies with exit 2
 * and a clear message when the folder cannot be written.
 */
char *rundir_create(const char *name);

/* The results folder: $AIOREMAP_RESULTS, default <project>/results. */
char *rundir_base(void);

/*
 * Point <results>/@link_name at @run (a folder in the results folder),
 * atomically; warns when it cannot.
 */
void rundir_link(const char *run, const char *link_name);

/*
 * What a run folder records about the machine, for every command that
 * writes meta.json: host, host_kernel, cpu, gcc, fio, gnuplot.
 */
void rundir_host_meta(json_t *meta);

#endif
