/* SPDX-License-Identifier: GPL-2.0 */
/* Run folders: results/<UTC time>-<name>/ and the results/latest link. */
#ifndef AIOREMAP_RUNDIR_H
#define AIOREMAP_RUNDIR_H

/*
 * Create a new run folder under $AIOREMAP_RESULTS (default
 * <project>/results) and point results/latest at it. Dies with exit 2
 * and a clear message when the folder cannot be written.
 */
char *rundir_create(const char *name);

#endif
