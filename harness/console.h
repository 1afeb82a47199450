/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a guest console log: KTAP results (wherever they start on a
 * line, nested one level as our init prints them) and kernel splats.
 * Pure functions over text, so recorded logs can be re-read later
 * (`aioremap parse`) and unit-tested.
 */
#ifndef AIOREMAP_CONSOLE_H
#define AIOREMAP_CONSOLE_H

#include "guest.h"

struct console_scan {
	int nchecks;
	struct check_result *checks; /* "<workload>.<check>" */
	int nworkloads;
	struct check_result *workloads; /* init's top-level results */
	int planned_workloads; /* init's plan, -1 if none seen */
	bool init_done; /* "aioremap init: done" seen */
	char *splat; /* excerpt around the first splat */
	int splat_line; /* 1-based line, 0 if none */
	char *uname; /* from "# aioremap init: kernel X" */
};

/* Scan @text (NUL-terminated console log). */
void console_scan(const char *text, struct console_scan *out);
void console_scan_free(struct console_scan *s);
/* The splat marker found in @line, or NULL. */
const char *console_splat_marker(const char *line);

#endif
