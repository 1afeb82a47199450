// SPDX-License-Identifier: GPL-2.0
#include "console.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Markers of kernel trouble (as ktap.pl and KUnit look for). Any of
 * them fails a run even when every workload said ok.
 */
static const char *const splat_markers[] = {
	"Kernel panic - ",
	"kernel BUG at",
	"BUG: ",
	"WARNING: ",
	"KASAN: ",
	"UBSAN: ",
	"Oops: ",
	"general protection fault",
	"Call Trace:",
	"possible circular locking dependency",
	"possible recursive locking detected",
	"INFO: task ",
	"INFO: rcu_",
	"watchdog: BUG: soft lockup",
	"Unable to handle kernel",
};

const char *console_splat_marker(const char *line)
{
	const char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	/* Our own KTAP lines are never splats, whatever they quote. */
	if (*p == '#' || !strncmp(p, "ok ", 3) || !strncmp(p, "not ok ", 7))
		return NULL;
	for (size_t i = 0; i < sizeof(splat_markers) / sizeof(*splat_markers);
	     i++)
		if (strstr(line, splat_markers[i]))
			return splat_markers[i];
	return NULL;
}

static void push(struct check_result **arr, int *n, const char *name,
		 enum check_status st, const char *evidence)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[*n].name = xstrdup(name);
	(*arr)[*n].status = st;
	(*arr)[*n].evidence = xstrdup(evidence ? evidence : "");
	(*n)++;
}

/*
 * Parse "ok N name # SKIP reason" / "not ok N name" after the indent.
 * Returns 1 when it is a result line.
 */
static int parse_result(const char *p, enum check_status *st, int *num,
			char *name, size_t namesz)
{
	const char *q;
	size_t n;

	if (!strncmp(p, "not ok ", 7)) {
		*st = CHECK_FAIL;
		p += 7;
	} else if (!strncmp(p, "ok ", 3)) {
		*st = CHECK_PASS;
		p += 3;
	} else {
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	*num = atoi(p);
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	q = strstr(p, " #");
	n = q ? (size_t)(q - p) : strlen(p);
	while (n && p[n - 1] == ' ')
		n--;
	if (n >= namesz)
		n = namesz - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	if (q && *st == CHECK_PASS) {
		const char *d = q + 2;

		while (*d == ' ')
			d++;
		if (!strncasecmp(d, "SKIP", 4))
			*st = CHECK_SKIP;
	}
	return 1;
}

struct pending {
	struct check_result *res;
	int n;
	int planned;
	char *evidence;
	size_t evlen;
};

static void evidence_add(struct pending *p, const char *line)
{
	size_t l = strlen(line);

	if (p->evlen > 16384)
		return;
	p->evidence = xrealloc(p->evidence, p->evlen + l + 2);
	memcpy(p->evidence + p->evlen, line, l);
	p->evlen += l;
	p->evidence[p->evlen++] = '\n';
	p->evidence[p->evlen] = '\0';
}

static void evidence_take(struct pending *p, char **out)
{
	if (p->evlen && p->evidence[p->evlen - 1] == '\n')
		p->evidence[--p->evlen] = '\0';
	*out = p->evlen ? p->evidence : NULL;
	p->evidence = NULL;
	p->evlen = 0;
}

/* Move the subtests of one workload into @out, marking missing ones. */
static void flush_subtests(struct console_scan *out, struct pending *sub,
			   const char *workload)
{
	for (int i = 0; i < sub->n; i++) {
		char *full = xasprintf("%s.%s", workload, sub->res[i].name);

		push(&out->checks, &out->nchecks, full, sub->res[i].status,
		     sub->res[i].evidence);
		free(full);
		free(sub->res[i].name);
		free(sub->res[i].evidence);
	}
	for (int i = sub->n; i < sub->planned; i++) {
		char *full = xasprintf("%s.#%d", workload, i + 1);

		push(&out->checks, &out->nchecks, full, CHECK_MISSING,
		     "planned but never reported (crash or hang?)");
		free(full);
	}
	free(sub->res);
	free(sub->evidence);
	memset(sub, 0, sizeof(*sub));
}

void console_scan(const char *text, struct console_scan *out)
{
	struct pending sub = { 0 }, top = { 0 };
	char current[256] = "";
	const char *line = text;
	int lineno = 0;

	memset(out, 0, sizeof(*out));
	out->planned_workloads = -1;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xmalloc(len + 1), *p;
		int indent = 0, num, plan;
		enum check_status st;
		char name[256];

		memcpy(l, line, len);
		l[len] = '\0';
		rstrip(l);
		lineno++;
		line = eol ? eol + 1 : NULL;

		if (!out->splat_line && console_splat_marker(l)) {
			const char *from = text;
			int skip = lineno - 3;

			/* Excerpt: two lines before, up to 25 after. */
			for (int i = 0; i < skip && from; i++) {
				from = strchr(from, '\n');
				from = from ? from + 1 : NULL;
			}
			if (from) {
				const char *to = from;

				for (int i = 0; i < 28 && to && *to; i++) {
					to = strchr(to, '\n');
					to = to ? to + 1 : NULL;
				}
				out->splat = to ? strndup(from, to - from) :
						  xstrdup(from);
			}
			out->splat_line = lineno;
		}

		p = l;
		while (*p == ' ') {
			p++;
			indent++;
		}
		if (!strncmp(p, "# aioremap init: kernel ", 24)) {
			free(out->uname);
			out->uname = xstrdup(p + 24);
		} else if (strstr(p, "# aioremap init: done")) {
			out->init_done = true;
		} else if (indent >= 4 && !strncmp(p, "# Subtest: ", 11)) {
			if (sub.n || sub.planned)
				flush_subtests(out, &sub,
					       current[0] ? current :
							    "unknown");
			snprintf(current, sizeof(current), "%s", p + 11);
		} else if (sscanf(p, "1..%d", &plan) == 1) {
			if (indent >= 4)
				sub.planned = plan;
			else
				out->planned_workloads = plan;
		} else if (*p == '#') {
			evidence_add(indent >= 4 ? &sub : &top, p);
		} else if (parse_result(p, &st, &num, name, sizeof(name))) {
			struct pending *tgt = indent >= 4 ? &sub : &top;
			char *ev;

			evidence_take(tgt, &ev);
			if (indent >= 4) {
				sub.res = xrealloc(sub.res,
						   (sub.n + 1) *
							   sizeof(*sub.res));
				sub.res[sub.n].name = xstrdup(name);
				sub.res[sub.n].status = st;
				sub.res[sub.n].evidence = ev ? ev : xstrdup("");
				sub.n++;
			} else {
				bool explained = false;

				/* A failed check explains a failed workload. */
				for (int i = 0; i < sub.n; i++)
					explained |= sub.res[i].status ==
						     CHECK_FAIL;
				flush_subtests(out, &sub, name);
				current[0] = '\0';
				if (st == CHECK_FAIL && !explained) {
					/* How it ended (crash, setup error), with init's notes. */
					const char *why = strstr(p, " # ");
					char *full = xasprintf("%s.exit", name);
					char *e2 = xasprintf(
						"%s%s%s", ev ? ev : "",
						ev && why ? "\n" : "",
						why ? why + 1 : "");

					push(&out->checks, &out->nchecks, full,
					     CHECK_FAIL, e2);
					free(full);
					free(e2);
				}
				push(&out->workloads, &out->nworkloads, name,
				     st, ev);
				free(ev);
			}
		}
		free(l);
	}
	/* A workload cut short (panic, hang): keep what it reported. */
	if (sub.n || sub.planned || current[0]) {
		const char *w = current[0] ? current : "unknown";

		flush_subtests(out, &sub, w);
		push(&out->workloads, &out->nworkloads, w, CHECK_MISSING,
		     "workload never finished (crash or hang?)");
	}
	free(top.evidence);
	for (int i = out->nworkloads; i < out->planned_workloads; i++) {
		char *n = xasprintf("#%d", i + 1);

		push(&out->workloads, &out->nworkloads, n, CHECK_MISSING,
		     "workload never started");
		free(n);
	}
}

void console_scan_free(struct console_scan *s)
{
	for (int i = 0; i < s->nchecks; i++) {
		free(s->checks[i].name);
		free(s->checks[i].evidence);
	}
	for (int i = 0; i < s->nworkloads; i++) {
		free(s->workloads[i].name);
		free(s->workloads[i].evidence);
	}
	free(s->checks);
	free(s->workloads);
	free(s->splat);
	free(s->uname);
	memset(s, 0, sizeof(*s));
}
