/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kernel is expected to fail which check: data kept beside the
 * variants (uml-config/expectations), never hard-coded in the checks.
 *
 * Each line: <check pattern> <kernel pattern> <pass|fail|any> [why...]
 * Patterns are fnmatch(3) globs; the last matching line wins; a check
 * no line mentions is expected to pass.
 */
#ifndef AIOREMAP_EXPECT_H
#define AIOREMAP_EXPECT_H

#include "guest.h"

enum expectation {
	EXPECT_PASS,
	EXPECT_FAIL,
	EXPECT_ANY, /* a probe: recorded, never fails the run */
};

struct expect_rule {
	char *check;
	char *kernel;
	enum expectation exp;
	char *why;
	int line;
};

struct expectations {
	int n;
	struct expect_rule *rules;
};

/* Parse; on a malformed line, *err = "file:line: what" and -1. */
int expect_parse(const char *text, const char *file, struct expectations *e,
		 char **err);
int expect_load(const char *path, struct expectations *e, char **err);
/* What @kernel should do on @check; *why gets the rule's reason. */
enum expectation expect_lookup(const struct expectations *e, const char *check,
			       const char *kernel, const char **why);
void expect_free(struct expectations *e);

/* Outcome of one check on one kernel against its expectation. */
enum verdict {
	VERDICT_PASS, /* passed, as expected */
	VERDICT_XFAIL, /* failed, as expected */
	VERDICT_SKIP, /* skipped (not a failure) */
	VERDICT_PROBE, /* outcome recorded only (EXPECT_ANY) */
	VERDICT_UNEXPECTED_FAIL,
	VERDICT_UNEXPECTED_PASS,
};

enum verdict expect_judge(enum expectation exp, enum check_status st);
const char *verdict_name(enum verdict v);
/* True for verdicts that fail a run. */
bool verdict_is_bad(enum verdict v);

#endif
