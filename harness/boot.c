// SPDX-License-Identifier: GPL-2.0
/*
 * `aioremap boot`: boot one kernel and run guest workloads (the building
 * block of stress and bench, and the way to poke at one kernel by hand).
 * `aioremap parse`: re-read a saved console log.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "guest.h"
#include "kernel.h"
#include "rundir.h"
#include "util.h"

static const char *const status_names[] = {
	[CHECK_PASS] = "pass",
	[CHECK_FAIL] = "FAIL",
	[CHECK_SKIP] = "skip",
	[CHECK_MISSING] = "MISSING",
};

const char *check_status_name(enum check_status st)
{
	return status_names[st];
}

static void print_checks(const struct check_result *c, int n, bool verbose)
{
	for (int i = 0; i < n; i++) {
		printf("  %-8s %s\n", status_names[c[i].status], c[i].name);
		if ((verbose || c[i].status == CHECK_FAIL ||
		     c[i].status == CHECK_MISSING) &&
		    c[i].evidence && *c[i].evidence) {
			char *ev = xstrdup(c[i].evidence), *save, *l;

			for (l = strtok_r(ev, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				printf("             %s\n", l);
			free(ev);
		}
	}
}

static void boot_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap boot [options]\n"
		"Boot one UML kernel with the host filesystem as root, run guest\n"
		"workloads (build/guest/<name>) under the aioremap init, and report.\n\n"
		"  --kernel SPEC    variant (with, without, fixed, ...), V+debug,\n"
		"                   patch:/path/x.patch or kernel:/path/linux (default with)\n"
		"  --run 'W ARGS'   run workload W with ARGS (repeatable; none: just boot)\n"
		"  --out DIR        run folder (default results/<UTC>-boot-<kernel>)\n"
		"  --mem MB         guest memory (default 256)\n"
		"  --timeout S      hard deadline for the whole boot (default 120)\n"
		"  --seed N         seed handed to the workloads (default: time)\n"
		"  --arg PARAM      extra kernel parameter (repeatable)\n"
		"  --no-build       fail instead of building a missing kernel\n"
		"  --verbose        show the evidence of passing checks too\n"
		"  --quiet          no progress lines\n\n"
		"exit status: 0 all checks passed, 1 a check failed / splat / timeout,\n"
		"2 usage or setup error (also: guest runs a different kernel).\n");
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "run", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "mem", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "arg", required_argument, NULL, 'a' },
		{ "no-build", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *spec = "with", *out = NULL;
	char *runs[65] = { 0 }, *args[65] = { 0 };
	int nruns = 0, nargs = 0, c, rc;
	bool build = true, verbose = false;
	struct guest_job job = { 0 };
	struct guest_result res;
	struct kernel k;

	job.seed = (unsigned long long)time(NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			spec = optarg;
			break;
		case 'r':
			if (nruns == 64)
				die(EXIT_USAGE, "at most 64 --run");
			runs[nruns++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			job.mem_mb = atoi(optarg);
			if (job.mem_mb < 32)
				die(EXIT_USAGE,
				    "--mem %s: need at least 32 (MB)", optarg);
			break;
		case 't':
			job.deadline_s = atoi(optarg);
			if (job.deadline_s <= 0)
				die(EXIT_USAGE,
				    "--timeout %s: need seconds > 0", optarg);
			break;
		case 's':
			job.seed = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			if (nargs == 64)
				die(EXIT_USAGE, "at most 64 --arg");
			args[nargs++] = optarg;
			break;
		case 'n':
			build = false;
			break;
		case 'v':
			verbose = true;
			break;
		case 'q':
			job.quiet = true;
			break;
		case 'h':
			boot_usage(stdout);
			return EXIT_OK;
		default:
			boot_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		boot_usage(stderr);
		die(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	}
	for (int i = 0; i < nruns; i++) {
		char name[256], *path;

		sscanf(runs[i], "%255s", name);
		path = xasprintf("%s/build/guest/%s", project_root(), name);
		if (strchr(name, '/') || access(path, X_OK))
			die(EXIT_USAGE,
			    "unknown workload '%s' (no %s): run 'make', or pick one of build/guest/",
			    name, path);
		free(path);
	}
	rc = kernel_resolve(spec, build, &k);
	if (rc)
		return rc;
	if (!out) {
		char *name = xasprintf("boot-%s", k.name);

		out = rundir_create(name);
		free(name);
	}
	job.kernel = &k;
	job.out_dir = out;
	job.workloads = runs;
	job.kernel_args = args;
	progress("booting %s (%s) -> %s", k.name, k.linux_path, out);
	if (guest_run(&job, &res))
		return EXIT_USAGE;
	printf("kernel %s: uname %s, %s in %.1f s\n", k.name,
	       res.uname ? res.uname : "?", guest_outcome_name(res.outcome),
	       res.seconds);
	print_checks(res.checks, res.nchecks, verbose);
	if (res.splat)
		printf("kernel splat on the console:\n%s\n", res.splat);
	printf("console: %s\n", res.console_path);
	rc = guest_outcome_exit(res.outcome);
	guest_result_free(&res);
	kernel_free(&k);
	return rc;
}

int cmd_parse(int argc, char **argv)
{
	struct console_scan s;
	char *text;
	int rc = EXIT_OK;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: aioremap parse <console.log>\n"
			"Re-read a saved guest console: KTAP results and kernel splats.\n"
			"exit status: 0 all passed, 1 a failure or splat, 2 unreadable.\n");
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	text = read_file(argv[1], NULL);
	if (!text)
		die(EXIT_USAGE, "cannot read %s", argv[1]);
	console_scan(text, &s);
	printf("kernel: %s\n", s.uname ? s.uname : "(unknown)");
	printf("workloads:\n");
	print_checks(s.workloads, s.nworkloads, false);
	printf("checks:\n");
	print_checks(s.checks, s.nchecks, false);
	for (int i = 0; i < s.nchecks; i++)
		if (s.checks[i].status == CHECK_FAIL ||
		    s.checks[i].status == CHECK_MISSING)
			rc = EXIT_CHECK;
	if (!s.init_done) {
		printf("the guest init never finished\n");
		rc = EXIT_CHECK;
	}
	if (s.splat) {
		printf("kernel splat at line %d:\n%s\n", s.splat_line, s.splat);
		rc = EXIT_CHECK;
	}
	console_scan_free(&s);
	free(text);
	return rc;
}
