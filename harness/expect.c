// SPDX-License-Identifier: GPL-2.0
#include "expect.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int expect_parse(const char *text, const char *file, struct expectations *e,
		 char **err)
{
	char *copy = xstrdup(text), *line, *save;
	int lineno = 0;

	memset(e, 0, sizeof(*e));
	*err = NULL;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char check[256], kernel[256], exp[32];
		struct expect_rule *r;
		int used = 0;

		/* strtok_r skips empty lines: count them from the text. */
		lineno = 1;
		for (const char *p = text; p < text + (line - copy); p++)
			lineno += *p == '\n';
		rstrip(line);
		if (!*line || line[strspn(line, " \t")] == '#' ||
		    !line[strspn(line, " \t")])
			continue;
		if (sscanf(line, "%255s %255s %31s %n", check, kernel, exp,
			   &used) < 3) {
			*err = xasprintf(
				"%s:%d: need '<check> <kernel> <pass|fail|any> [why]'",
				file, lineno);
			goto bad;
		}
		e->rules = xrealloc(e->rules, (e->n + 1) * sizeof(*e->rules));
		r = &e->rules[e->n];
		if (!strcmp(exp, "pass"))
			r->exp = EXPECT_PASS;
		else if (!strcmp(exp, "fail"))
			r->exp = EXPECT_FAIL;
		else if (!strcmp(exp, "any"))
			r->exp = EXPECT_ANY;
		else {
			*err = xasprintf(
				"%s:%d: expectation '%s' is not pass, fail or any",
				file, lineno, exp);
			goto bad;
		}
		r->check = xstrdup(check);
		r->kernel = xstrdup(kernel);
		r->why = xstrdup(used ? line + used : "");
		r->line = lineno;
		e->n++;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	expect_free(e);
	return -1;
}

int expect_load(const char *path, struct expectations *e, char **err)
{
	char *text = read_file(path, NULL);
	int rc;

	if (!text) {
		*err = xasprintf("cannot read %s", path);
		memset(e, 0, sizeof(*e));
		return -1;
	}
	rc = expect_parse(text, path, e, err);
	free(text);
	return rc;
}

enum expectation expect_lookup(const struct expectations *e, const char *check,
			       const char *kernel, const char **why)
{
	enum expectation exp = EXPECT_PASS;

	if (why)
		*why = "";
	for (int i = 0; i < e->n; i++) {
		if (fnmatch(e->rules[i].check, check, 0) ||
		    fnmatch(e->rules[i].kernel, kernel, 0))
			continue;
		exp = e->rules[i].exp;
		if (why)
			*why = e->rules[i].why;
	}
	return exp;
}

void expect_free(struct expectations *e)
{
	for (int i = 0; i < e->n; i++) {
		free(e->rules[i].check);
		free(e->rules[i].kernel);
		free(e->rules[i].why);
	}
	free(e->rules);
	memset(e, 0, sizeof(*e));
}

enum verdict expect_judge(enum expectation exp, enum check_status st)
{
	bool failed = st == CHECK_FAIL || st == CHECK_MISSING;

	if (exp == EXPECT_ANY)
		return VERDICT_PROBE;
	if (st == CHECK_SKIP)
		return VERDICT_SKIP;
	if (exp == EXPECT_FAIL)
		return failed ? VERDICT_XFAIL : VERDICT_UNEXPECTED_PASS;
	return failed ? VERDICT_UNEXPECTED_FAIL : VERDICT_PASS;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[VERDICT_PASS] = "pass",
		[VERDICT_XFAIL] = "expected-fail",
		[VERDICT_SKIP] = "skip",
		[VERDICT_PROBE] = "probe",
		[VERDICT_UNEXPECTED_FAIL] = "UNEXPECTED-FAIL",
		[VERDICT_UNEXPECTED_PASS] = "UNEXPECTED-PASS",
	};
	return names[v];
}

bool verdict_is_bad(enum verdict v)
{
	return v == VERDICT_UNEXPECTED_FAIL || v == VERDICT_UNEXPECTED_PASS;
}
