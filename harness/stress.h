/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AIOREMAP_STRESS_H
#define AIOREMAP_STRESS_H

#include "kernel.h"

/*
 * Boot each kernel once running @workloads into <run>/[<sub>/]<kernel>/,
 * judge
 * every check against uml-config/expectations (user kernels against
 * `with` from the same list) and write <run>/verdicts.{md,json}.
 * *bad = cells that differ from expectations or regress. Returns 0, or
 * EXIT_USAGE on a setup error.
 */
int stress_matrix(const char *run, const char *sub,
		  const struct kernel *const *ks, int nk, char **workloads,
		  unsigned long long seed, int duration_s, int *bad);

#endif
