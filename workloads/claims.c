// SPDX-License-Identifier: GPL-2.0
/*
 * claims: the seed patch's two claims as verdicts.
 *
 * (a) After mremap of the ring, io_submit/io_getevents/io_destroy on the
 *     new address succeed and the old address gets EINVAL.
 * (b) With a canary mapped at the old address whose first word equals the
 *     ring's id, io_destroy(old) must neither unmap the canary nor the ring,
 *     and io_destroy(new) must unmap the ring and not the canary.
 *
 * Each claim runs in its own child under a watchdog (ring_child.h). The
 * evidence (return codes, which guard vanished, [aio] lines) is printed as
 * KTAP diagnostics before each result.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aio.h"
#include "ktap.h"
#include "ring.h"
#include "ring_child.h"
#include "ring_work.h"

#define NR_EVENTS 128
#define WHY 256

static uint64_t seed;

static void diag_aio_lines(const char *when)
{
	char *maps = ring_maps_read();
	struct ring_map m[8];
	int n = maps ? ring_maps_find_aio(maps, m, 8) : -1;

	rc_diag("%s: %d [aio] mapping(s)", when, n);
	for (int i = 0; i < n && i < 8; i++)
		rc_diag("%s: [aio] 0x%lx-0x%lx %s", when,
			(unsigned long)m[i].start, (unsigned long)m[i].end,
			m[i].perms);
	free(maps);
}

static const char *const a_checks[] = {
	"claim-a-mremap-returns-new", "claim-a-header-intact-at-new",
	"claim-a-new-address-works",  "claim-a-old-address-einval",
	"claim-a-destroy-new-works",  "claim-a-ring-unmapped-by-destroy-new",
	"claim-a-guards-intact",      NULL,
};

static void claim_a(void *arg)
{
	struct ring_ctx r;
	struct ring_slot dst, old_guards;
	char why[WHY], where[128];
	uintptr_t old;
	long rc, r1, r2, r3;
	int fd;
	char *maps;
	bool ok;

	(void)arg;
	fd = ring_io_file(1 << 20, where, sizeof(where));
	if (fd < 0 || ring_ctx_setup(&r, NR_EVENTS, why, sizeof(why))) {
		rc_diag("setup: %s", fd < 0 ? "no scratch file" : why);
		return;
	}
	old = r.addr;
	rc_diag("io_setup(%d): ring 0x%lx, %zu bytes, id %u, nr %u", NR_EVENTS,
		(unsigned long)old, r.size, r.exp.id, r.exp.nr);
	if (ring_slot_make(&dst, r.size, ring_page(), seed)) {
		rc_diag("setup: cannot place the destination slot");
		return;
	}
	ring_slot_around(&old_guards, old, r.size, ring_page(), seed + 1);
	rc_diag("guards around old: below %s, above %s",
		old_guards.lo.len ? "mapped" : "taken",
		old_guards.hi.len ? "mapped" : "taken");

	rc = ring_ctx_move(&r, dst.addr);
	rc_diag("mremap(0x%lx -> 0x%lx) = %s", (unsigned long)old,
		(unsigned long)dst.addr,
		rc ? ring_errname(-rc) : "new address");
	rc_check(!rc && r.addr == dst.addr, "claim-a-mremap-returns-new");
	if (rc)
		return;

	ok = ring_check_header(ring_hdr(&r), &r.exp, why, sizeof(why));
	if (!ok)
		rc_diag("header at new: %s", why);
	rc_check(ok, "claim-a-header-intact-at-new");

	ok = !ring_roundtrip(r.ctx, fd, why, sizeof(why));
	rc_diag("I/O on the new address: %s", ok ? "ok" : why);
	r1 = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
	rc_diag("io_getevents(new, 0, 1) = %s", ring_errname(r1 < 0 ? -r1 : 0));
	rc_check(ok && r1 == 0, "claim-a-new-address-works");

	{
		struct iocb cb, *cbs[1] = { &cb };
		static char buf[512];

		ring_prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof(buf), 0, 1);
		r1 = RSYS(sys_io_submit(old, 1, cbs));
		r2 = RSYS(sys_io_getevents(old, 0, 1, NULL, NULL));
		r3 = RSYS(sys_io_destroy(old));
	}
	rc_diag("old address: io_submit = %ld (%s), io_getevents = %ld (%s), io_destroy = %ld (%s)",
		r1, ring_errname(r1 < 0 ? -r1 : 0), r2,
		ring_errname(r2 < 0 ? -r2 : 0), r3,
		ring_errname(r3 < 0 ? -r3 : 0));
	rc_check(r1 == -EINVAL && r2 == -EINVAL && r3 == -EINVAL,
		 "claim-a-old-address-einval");

	rc = RSYS(sys_io_destroy(r.ctx));
	rc_diag("io_destroy(new) = %s", ring_errname(rc < 0 ? -rc : 0));
	rc_check(rc == 0, "claim-a-destroy-new-works");

	diag_aio_lines("after io_destroy(new)");
	maps = ring_maps_read();
	ok = maps && ring_maps_find_aio(maps, NULL, 0) == 0;
	ok = ok && !ring_range_any_mapped(dst.addr, r.size);
	free(maps);
	rc_diag("ring at new address: %s",
		ring_range_any_mapped(dst.addr, r.size) ? "still mapped" :
							  "unmapped");
	rc_check(ok, "claim-a-ring-unmapped-by-destroy-new");

	ok = ring_slot_check(&dst, why, sizeof(why));
	if (ok)
		ok = ring_slot_check(&old_guards, why, sizeof(why));
	rc_diag("guards: %s", ok ? "all intact" : why);
	rc_check(ok, "claim-a-guards-intact");
}

static const char *const b_checks[] = {
	"claim-b-destroy-old-einval",
	"claim-b-canary-survives-destroy-old",
	"claim-b-ring-intact-after-destroy-old",
	"claim-b-destroy-new-works",
	"claim-b-canary-survives-destroy-new",
	"claim-b-ring-unmapped-by-destroy-new",
	NULL,
};

static void claim_b(void *arg)
{
	struct ring_ctx r;
	struct ring_slot dst;
	struct ring_guard canary;
	char why[WHY], *maps;
	uintptr_t old;
	long rc;
	bool ok;

	(void)arg;
	if (ring_ctx_setup(&r, NR_EVENTS, why, sizeof(why))) {
		rc_diag("setup: %s", why);
		return;
	}
	old = r.addr;
	if (ring_slot_make(&dst, r.size, ring_page(), seed + 2)) {
		rc_diag("setup: cannot place the destination slot");
		return;
	}
	rc = ring_ctx_move(&r, dst.addr);
	rc_diag("io_setup(%d): ring 0x%lx, %zu bytes, id %u; mremap -> 0x%lx = %s",
		NR_EVENTS, (unsigned long)old, r.size, r.exp.id,
		(unsigned long)dst.addr, rc ? ring_errname(-rc) : "ok");
	if (rc)
		return;
	canary = (struct ring_guard){ .addr = old,
				      .len = r.size,
				      .pattern = seed ^ 0xca9a7,
				      .id_word = true,
				      .id = r.exp.id };
	if (ring_guard_map(&canary, false)) {
		rc_diag("setup: cannot map the canary at 0x%lx: %s",
			(unsigned long)old, ring_errname(errno));
		return;
	}
	rc_diag("canary at old address 0x%lx, first word = ring id %u",
		(unsigned long)old, r.exp.id);

	rc = RSYS(sys_io_destroy(old));
	rc_diag("io_destroy(old) = %s", ring_errname(rc < 0 ? -rc : 0));
	rc_check(rc == -EINVAL, "claim-b-destroy-old-einval");

	ok = ring_guard_check(&canary, why, sizeof(why));
	rc_diag("canary after io_destroy(old): %s", ok ? "intact" : why);
	rc_check(ok, "claim-b-canary-survives-destroy-old");

	ok = ring_range_mapped(dst.addr, r.size);
	if (!ok) {
		snprintf(why, sizeof(why), "ring at new address unmapped");
	} else {
		maps = ring_maps_read();
		ok = ring_maps_check_ring(maps, dst.addr, r.size, 1, why,
					  sizeof(why)) &&
		     ring_check_header(ring_hdr(&r), &r.exp, why, sizeof(why));
		free(maps);
	}
	if (ok) {
		rc = RSYS(sys_io_getevents(r.ctx, 0, 1, NULL, NULL));
		ok = rc == 0;
		snprintf(why, sizeof(why), "io_getevents(new, 0, 1) = %s",
			 ring_errname(rc < 0 ? -rc : 0));
	}
	rc_diag("ring after io_destroy(old): %s",
		ok ? "mapped and working" : why);
	rc_check(ok, "claim-b-ring-intact-after-destroy-old");

	rc = RSYS(sys_io_destroy(r.ctx));
	rc_diag("io_destroy(new) = %s", ring_errname(rc < 0 ? -rc : 0));
	rc_check(rc == 0, "claim-b-destroy-new-works");

	ok = ring_guard_check(&canary, why, sizeof(why));
	rc_diag("canary after io_destroy(new): %s", ok ? "intact" : why);
	rc_check(ok, "claim-b-canary-survives-destroy-new");

	diag_aio_lines("after io_destroy(new)");
	maps = ring_maps_read();
	ok = maps && ring_maps_find_aio(maps, NULL, 0) == 0 &&
	     !ring_range_any_mapped(dst.addr, r.size);
	free(maps);
	if (ok)
		ok = ring_slot_check(&dst, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "ring still mapped (leaked)");
	rc_diag("after io_destroy(new): %s",
		ok ? "ring gone, guards intact" : why);
	rc_check(ok, "claim-b-ring-unmapped-by-destroy-new");
}

static const struct ring_case cases[] = {
	{ "claim-a", "new address works, old address EINVAL", a_checks, claim_a,
	  20, false },
	{ "claim-b", "canary at the old address survives io_destroy", b_checks,
	  claim_b, 20, false },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: claims [--out DIR] [--seed N] [--list] [--help]\n"
		"Checks the aio ring remap patch's two claims (KTAP output).\n"
		"  (a) after mremap, io_* work on the new address, EINVAL on the old\n"
		"  (b) io_destroy(old) spares a canary at the old address; io_destroy(new)\n"
		"      unmaps the ring and spares the canary\n"
		"Each claim runs in a child with a watchdog. Exit: 0 pass, 1 a check\n"
		"failed, 2 usage/setup error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *seed_arg = NULL;
	int c, n = 0;
	size_t ncase = sizeof(cases) / sizeof(cases[0]);

	while ((c = getopt_long(argc, argv, "o:s:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			break;
		case 's':
			seed_arg = optarg;
			break;
		case 'l':
			for (size_t i = 0; i < ncase; i++)
				for (int j = 0; cases[i].checks[j]; j++)
					printf("%s\n", cases[i].checks[j]);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	ring_mount_if_init();
	seed = ring_seed(seed_arg);
	for (size_t i = 0; i < ncase; i++)
		n += rc_count_checks(&cases[i]);
	ktap_plan(n);
	ktap_diag("seed: %llu", (unsigned long long)seed);
	for (size_t i = 0; i < ncase; i++)
		ring_case_run(&cases[i], NULL);
	return ktap_exit_status();
}
