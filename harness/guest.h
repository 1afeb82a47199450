/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot one UML kernel with the host filesystem as root, run guest
 * workloads under our init (build/guest/init), and collect the results.
 *
 * Layout of @out_dir after guest_run():
 *   job.conf       what the guest was asked to run (written by the host)
 *   cmdline        the UML command line used
 *   console.log    everything the kernel and the workloads printed
 *   status         written by the guest init: "exit=N uname=..." lines
 *   <workload>/    each workload's own files (raw samples etc.)
 *
 * A guest workload is build/guest/<name>, run inside the guest as
 *   <name> --out <out_dir>/<name> [args...]
 * printing KTAP (workloads/lib/ktap.h) and exiting 0 (all checks pass),
 * 1 (a check failed) or 2 (usage/setup error).
 */
#ifndef AIOREMAP_GUEST_H
#define AIOREMAP_GUEST_H

#include <stdbool.h>

#include "kernel.h"

struct guest_job {
	const struct kernel *kernel;
	const char *out_dir; /* absolute or relative; created */
	int mem_mb; /* 0: 256 */
	int deadline_s; /* hard wall-clock limit; 0: 120 */
	char **workloads; /* NULL-terminated; "<name> [args...]" each */
	char **kernel_args; /* NULL-terminated extra kernel parameters */
	unsigned long long seed;
	bool quiet; /* no progress lines at all */
	bool echo_all; /* a progress line per check (else failures) */
};

enum check_status {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_SKIP,
	CHECK_MISSING, /* planned but never reported (crash, hang) */
};

struct check_result {
	char *name; /* "<workload>.<check>" */
	enum check_status status;
	char *evidence; /* "# ..." lines printed before the result */
};

enum guest_outcome {
	GUEST_OK, /* init finished, every workload exited 0 */
	GUEST_CHECK_FAILED, /* a workload reported a failed check */
	GUEST_SPLAT, /* panic/BUG/WARNING/KASAN/lockdep on console */
	GUEST_TIMEOUT, /* deadline passed; killed */
	GUEST_NO_STATUS, /* exited without our init's status */
	GUEST_WRONG_KERNEL, /* uname -r does not name the variant */
	GUEST_SETUP_ERROR, /* could not start, or a workload exit 2 */
};

struct guest_result {
	enum guest_outcome outcome;
	int workload_status; /* worst workload exit status, -1 if none */
	char *uname; /* uname -r seen by the guest */
	char *splat; /* console excerpt around the first splat */
	char *console_path;
	double seconds; /* wall time from spawn to exit */
	int nchecks;
	struct check_result *checks;
};

int guest_run(const struct guest_job *job, struct guest_result *res);
void guest_result_free(struct guest_result *res);
const char *guest_outcome_name(enum guest_outcome o);
/* Exit status for a harness command from one outcome (0, 1 or 2). */
int guest_outcome_exit(enum guest_outcome o);

#endif
