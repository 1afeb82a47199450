/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP output for guest workloads. Every verdict goes through here; no
 * workload prints "ok"/"not ok" by hand. Under the guest init
 * (AIOREMAP_KTAP_NESTED=1 in the environment) lines are indented as a
 * KTAP subtest of the init's own plan.
 *
 * Evidence: ktap_diag() lines ("# key: value") printed before a result
 * belong to that result; the host keeps them in the verdict matrix.
 */
#ifndef AIOREMAP_KTAP_H
#define AIOREMAP_KTAP_H

#include <stdbool.h>

enum ktap_status {
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
};

/* "KTAP version 1" and the plan "1..n". */
void ktap_plan(int n);
__attribute__((format(printf, 1, 2))) void ktap_diag(const char *fmt, ...);
/* One result; @name has no spaces; @reason only shown for SKIP. */
void ktap_result(enum ktap_status st, const char *name, const char *reason);
/* Convenience: pass when @ok. Returns @ok. */
bool ktap_check(bool ok, const char *name);
/* Number of FAIL results so far. */
int ktap_failures(void);
/* Exit status for a workload: 0 if no failures, else 1. */
int ktap_exit_status(void);

#endif
