// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap: one binary, one subcommand per job. Each subcommand lives in
 * its own file; a missing one is reported rather than breaking the build.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

#define CMD(fn) int fn(int argc, char **argv) __attribute__((weak))
CMD(cmd_build);
CMD(cmd_boot);
CMD(cmd_parse);
CMD(cmd_stress);
CMD(cmd_bench);
CMD(cmd_summarise);
CMD(cmd_compare);
CMD(cmd_report);
CMD(cmd_plot);
CMD(cmd_fio);
CMD(cmd_variants);
#undef CMD

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{ "variants", cmd_variants, "list kernel variants and what each is" },
	{ "build", cmd_build,
	  "build kernel variants (cached by content hash)" },
	{ "boot", cmd_boot,
	  "boot one kernel, run guest workloads, collect results" },
	{ "parse", cmd_parse,
	  "re-read a saved console log: KTAP results and splats" },
	{ "stress", cmd_stress,
	  "correctness checks and edge cases: verdict matrix" },
	{ "bench", cmd_bench, "interleaved latency benchmark of kernels" },
	{ "summarise", cmd_summarise,
	  "raw samples of a run folder -> summary.json" },
	{ "compare", cmd_compare,
	  "summary.json -> compare.json (kernel vs baseline)" },
	{ "report", cmd_report, "compare.json -> report.md" },
	{ "plot", cmd_plot, "gnuplot plots of a run folder" },
	{ "fio", cmd_fio, "fio jobs with ring remaps inside the guest" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap <command> [options]   (aioremap <command> --help)\n\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f,
		"\nexit status: 0 all good, 1 a check failed or a regression was found,\n"
		"2 usage or setup error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (!cmds[i].fn)
			die(EXIT_USAGE, "'%s' is not built into this binary",
			    argv[1]);
		return cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "aioremap: error: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
