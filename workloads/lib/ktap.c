// SPDX-License-Identifier: GPL-2.0
#include "ktap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_num = 1;
static int failures;

static const char *indent(void)
{
	const char *e = getenv("AIOREMAP_KTAP_NESTED");

	return e && *e == '1' ? "    " : "";
}

void ktap_plan(int n)
{
	printf("%sKTAP version 1\n%s1..%d\n", indent(), indent(), n);
	fflush(stdout);
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("%s# ", indent());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void ktap_result(enum ktap_status st, const char *name, const char *reason)
{
	switch (st) {
	case KTAP_PASS:
		printf("%sok %d %s\n", indent(), next_num, name);
		break;
	case KTAP_FAIL:
		failures++;
		printf("%snot ok %d %s\n", indent(), next_num, name);
		break;
	case KTAP_SKIP:
		printf("%sok %d %s # SKIP %s\n", indent(), next_num, name,
		       reason ? reason : "");
		break;
	}
	next_num++;
	fflush(stdout);
}

bool ktap_check(bool ok, const char *name)
{
	ktap_result(ok ? KTAP_PASS : KTAP_FAIL, name, NULL);
	return ok;
}

int ktap_failures(void)
{
	return failures;
}

int ktap_exit_status(void)
{
	return failures ? 1 : 0;
}
