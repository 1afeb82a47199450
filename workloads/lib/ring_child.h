/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run one named case in a forked child (its own process group) under a
 * watchdog, so that a SIGSEGV, a hang or an oops-killed task becomes a
 * verdict instead of a stuck run. The child reports diagnostics and
 * results through a pipe; the parent prints them as KTAP (ktap.h) and
 * emits a result for every check the case declared: a check the child
 * never reported is FAIL (SKIP for a probe) with the reason (signal,
 * watchdog, exit status) as evidence.
 */
#ifndef AIOREMAP_RING_CHILD_H
#define AIOREMAP_RING_CHILD_H

#include <stdbool.h>

#include "ktap.h"

struct ring_case {
	const char *name; /* case id, for --only and --list */
	const char *desc; /* one line */
	const char *const *checks; /* NULL-terminated check names */
	void (*fn)(void *arg); /* runs in the child */
	double timeout_s; /* watchdog */
	bool probe; /* unreported checks are SKIP, not FAIL */
};

/* In a case (child) or in a plain program: evidence and verdicts. */
__attribute__((format(printf, 1, 2))) void rc_diag(const char *fmt, ...);
void rc_result(enum ktap_status st, const char *name, const char *reason);
bool rc_check(bool ok, const char *name);
int rc_count_checks(const struct ring_case *c);
/*
 * Fork, run @c->fn(@arg) in the child, relay, and print every declared
 * check. Returns the number of FAIL results printed.
 */
int ring_case_run(const struct ring_case *c, void *arg);

#endif
