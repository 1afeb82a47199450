// SPDX-License-Identifier: GPL-2.0
/*
 * selftest: a guest workload that misbehaves on purpose, so the harness
 * can prove it notices: pass, fail, hang, segfault, kernel panic, and a
 * check of the kernel release the host expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aio.h"
#include "ktap.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: selftest --out DIR [--mode MODE]\n"
		"Guest workload for the harness's own tests.\n"
		"  pass     two passing checks (default)\n"
		"  fail     one passing, one failing check with evidence\n"
		"  hang     plan two checks, report one, then sleep forever\n"
		"  segv     report one check, then die of SIGSEGV\n"
		"  panic    report one check, then crash the kernel (sysrq c)\n"
		"  uname    report uname -r as evidence and pass\n"
		"  remap    minimal patch check: io_getevents on a moved ring = 0\n");
}

/*
 * The smallest difference between a kernel with and without the patch:
 * move the ring, then ask for events at the new address.
 */
static int remap_check(void)
{
	struct timespec zero = { 0, 0 };
	aio_context_t ctx = 0;
	struct io_event ev;
	size_t len = 4096;
	void *dst, *moved;
	long rc;

	ktap_plan(1);
	if (sys_io_setup(1, &ctx)) {
		perror("io_setup");
		return 2;
	}
	/* nr=1 gives a one-page ring; reserve a free spot to move it to. */
	dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	moved = mremap((void *)ctx, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		       dst);
	if (moved == MAP_FAILED) {
		perror("mremap");
		return 2;
	}
	rc = sys_io_getevents((aio_context_t)moved, 0, 1, &ev, &zero);
	ktap_diag("io_getevents(moved ring, 0, 1) = %ld (%s)", rc,
		  rc < 0 ? strerror(errno) : "ok");
	ktap_check(rc == 0, "getevents-on-moved-ring");
	return ktap_exit_status();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *mode = "pass";
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			break;
		case 'm':
			mode = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!strcmp(mode, "pass")) {
		ktap_plan(2);
		ktap_check(true, "first");
		ktap_check(true, "second");
	} else if (!strcmp(mode, "fail")) {
		ktap_plan(2);
		ktap_check(true, "first");
		ktap_diag("expected: 0, got: -22 (EINVAL)");
		ktap_check(false, "second");
	} else if (!strcmp(mode, "hang")) {
		ktap_plan(2);
		ktap_check(true, "first");
		for (;;)
			pause();
	} else if (!strcmp(mode, "segv")) {
		ktap_plan(2);
		ktap_check(true, "first");
		raise(SIGSEGV);
	} else if (!strcmp(mode, "panic")) {
		int fd = open("/proc/sysrq-trigger", O_WRONLY);

		ktap_plan(2);
		ktap_check(true, "first");
		if (fd < 0 || write(fd, "c", 1) != 1)
			perror("sysrq-trigger");
		sleep(30);
	} else if (!strcmp(mode, "uname")) {
		struct utsname u;

		uname(&u);
		ktap_plan(1);
		ktap_diag("release: %s", u.release);
		ktap_check(true, "uname");
	} else if (!strcmp(mode, "remap")) {
		return remap_check();
	} else {
		usage(stderr);
		return 2;
	}
	return ktap_exit_status();
}
