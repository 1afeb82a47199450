// SPDX-License-Identifier: GPL-2.0
/*
 * `aioremap stress`: run the correctness workloads (claims, edge-case
 * matrix, integrity under repeated remaps) on every kernel, judge each
 * check against uml-config/expectations, and write the verdict matrix
 * (verdicts.json, verdicts.md) into the run folder.
 *
 * A user kernel (--patch, --kernel) is judged against its base `with`
 * from the same run: a check that passes on the base and fails on the
 * user kernel is a regression; failures both share are pre-existing.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expect.h"
#include "guest.h"
#include "kernel.h"
#include "rundir.h"
#include "stress.h"
#include "util.h"

#define MAX_KERNELS 32

struct column {
	const struct kernel *kp;
	const char *spec;
	bool user; /* judged against the base kernel */
	struct guest_result res;
	bool ran;
	char *dir;
};

struct stress_opts {
	const char *kernels;
	const char *patch;
	const char *prebuilt;
	const char *name;
	int duration;
	bool debug;
	bool quick;
	unsigned long long seed;
};

static void stress_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap stress [options]\n"
		"Correctness checks (the patch's claims, ring integrity under repeated\n"
		"remaps, the edge-case matrix) on every kernel, judged against\n"
		"uml-config/expectations. Writes verdicts.md/verdicts.json to the run folder.\n\n"
		"  --kernels a,b,...  kernels to check (default: every variant)\n"
		"  --patch P          also check with+P, judged against `with`\n"
		"  --kernel K         also check a prebuilt UML binary, judged against `with`\n"
		"  --duration S       seconds for the integrity run and looped edge cases\n"
		"                     per kernel (default 120; --quick: 5)\n"
		"  --no-debug         skip the debug overlay (lockdep, KASAN) kernels\n"
		"  --quick            the quick tier: short durations, no debug kernels\n"
		"  --seed N           replay a run (the seed is printed and recorded)\n"
		"  --name NAME        run folder name suffix (default stress)\n\n"
		"exit status: 0 every result matches its expectation, 1 a mismatch,\n"
		"a regression or a kernel splat, 2 usage or setup error.\n");
}

static int add_spec(const char **specs, int n, const char *spec)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(specs[i], spec))
			return n;
	if (n == MAX_KERNELS)
		die(EXIT_USAGE, "at most %d kernels", MAX_KERNELS);
	specs[n] = spec;
	return n + 1;
}

static enum check_status find_status(const struct column *c, const char *name,
				     const char **evidence)
{
	*evidence = "";
	for (int i = 0; i < c->res.nchecks; i++) {
		if (!strcmp(c->res.checks[i].name, name)) {
			*evidence = c->res.checks[i].evidence;
			return c->res.checks[i].status;
		}
	}
	return CHECK_MISSING;
}

static bool is_failure(enum check_status st)
{
	return st == CHECK_FAIL || st == CHECK_MISSING;
}

/* Row names: every check any kernel reported, in first-seen order. */
static char **collect_rows(struct column *cols, int ncols, int *nrows)
{
	char **rows = NULL;
	int n = 0;

	for (int c = 0; c < ncols; c++) {
		for (int i = 0; i < cols[c].res.nchecks; i++) {
			const char *name = cols[c].res.checks[i].name;
			bool seen = false;

			for (int r = 0; r < n && !seen; r++)
				seen = !strcmp(rows[r], name);
			if (seen)
				continue;
			rows = xrealloc(rows, (n + 1) * sizeof(*rows));
			rows[n++] = xstrdup(name);
		}
	}
	*nrows = n;
	return rows;
}

/* Kernel-level pseudo checks: it booted, finished, and logged no splat. */
static void add_kernel_checks(struct column *c)
{
	struct guest_result *r = &c->res;
	bool splat = r->outcome == GUEST_SPLAT;
	bool done = r->outcome == GUEST_OK ||
		    r->outcome == GUEST_CHECK_FAILED || splat;

	r->checks = xrealloc(r->checks, (r->nchecks + 2) * sizeof(*r->checks));
	r->checks[r->nchecks].name = xstrdup("kernel.no-splat");
	r->checks[r->nchecks].status = splat ? CHECK_FAIL : CHECK_PASS;
	r->checks[r->nchecks].evidence =
		xstrdup(splat && r->splat ? r->splat : "");
	r->nchecks++;
	r->checks[r->nchecks].name = xstrdup("kernel.finished");
	r->checks[r->nchecks].status = done ? CHECK_PASS : CHECK_FAIL;
	r->checks[r->nchecks].evidence =
		xasprintf("# outcome: %s after %.1f s (console: %s)",
			  guest_outcome_name(r->outcome), r->seconds,
			  r->console_path ? r->console_path : "-");
	r->nchecks++;
}

static const char *cell(enum verdict v, bool user, enum check_status st,
			enum check_status base_st)
{
	if (user) {
		if (is_failure(st) && !is_failure(base_st))
			return "REGRESSION";
		if (is_failure(st))
			return "fail (pre-existing)";
		if (is_failure(base_st))
			return "pass (fixed)";
		return st == CHECK_SKIP ? "skip" : "pass";
	}
	switch (v) {
	case VERDICT_PASS:
		return "pass";
	case VERDICT_XFAIL:
		return "fail (expected)";
	case VERDICT_SKIP:
		return "skip";
	case VERDICT_PROBE:
		return is_failure(st) ? "probe: fail" : "probe: pass";
	case VERDICT_UNEXPECTED_FAIL:
		return "UNEXPECTED FAIL";
	case VERDICT_UNEXPECTED_PASS:
		return "UNEXPECTED PASS";
	}
	return "?";
}

static void first_line(const char *ev, char *buf, size_t sz)
{
	size_t n = strcspn(ev, "\n");

	if (n >= sz)
		n = sz - 1;
	memcpy(buf, ev, n);
	buf[n] = '\0';
}

/*
 * Judge every cell, print the matrix and write verdicts.{md,json}.
 * Returns the number of bad cells (mismatches and regressions).
 */
static int judge(const char *run, struct column *cols, int ncols,
		 const struct expectations *exp, const char *exp_path)
{
	int nrows, bad = 0, base = -1;
	char **rows = collect_rows(cols, ncols, &nrows);
	char *md_path = xasprintf("%s/verdicts.md", run);
	char *js_path = xasprintf("%s/verdicts.json", run);
	FILE *md = fopen(md_path, "w");
	json_t *root = json_object(), *jchecks = json_array(),
	       *jk = json_array();
	char *problems = xstrdup("");

	for (int c = 0; c < ncols; c++)
		if (!strcmp(cols[c].kp->name, "with") && !cols[c].user)
			base = c;
	if (!md)
		die(EXIT_USAGE, "cannot write %s", md_path);
	fprintf(md,
		"# Verdict matrix\n\nExpectations: `%s`. Cells: pass, fail "
		"(expected), UNEXPECTED FAIL/PASS; user kernels: REGRESSION "
		"vs `with`, fail (pre-existing).\n\n| check |",
		exp_path);
	for (int c = 0; c < ncols; c++) {
		json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:f, s:s?}",
				      "name", cols[c].kp->name, "spec",
				      cols[c].spec, "hash", cols[c].kp->hash,
				      "outcome",
				      guest_outcome_name(cols[c].res.outcome),
				      "seconds", cols[c].res.seconds, "uname",
				      cols[c].res.uname);

		json_array_append_new(jk, o);
		fprintf(md, " %s |", cols[c].kp->name);
	}
	fprintf(md, "\n|---|");
	for (int c = 0; c < ncols; c++)
		fprintf(md, "---|");
	fprintf(md, "\n");

	for (int r = 0; r < nrows; r++) {
		json_t *jrow = json_object(), *jcells = json_object();

		fprintf(md, "| `%s` |", rows[r]);
		for (int c = 0; c < ncols; c++) {
			const char *ev, *why, *bev;
			enum check_status st =
				find_status(&cols[c], rows[r], &ev);
			enum check_status bst = CHECK_PASS;
			enum expectation e;
			enum verdict v;
			const char *txt;
			bool is_bad;

			if (cols[c].user && base >= 0)
				bst = find_status(&cols[base], rows[r], &bev);
			e = expect_lookup(exp, rows[r], cols[c].kp->name, &why);
			v = expect_judge(e, st);
			txt = cell(v, cols[c].user, st, bst);
			is_bad = cols[c].user ? !strcmp(txt, "REGRESSION") :
						verdict_is_bad(v);
			/* A splat or a hang is never pre-existing. */
			if (cols[c].user && !strncmp(rows[r], "kernel.", 7) &&
			    is_failure(st))
				is_bad = true;
			fprintf(md, " %s |", txt);
			json_object_set_new(
				jcells, cols[c].kp->name,
				json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}",
					  "status",
					  st == CHECK_PASS ? "pass" :
					  st == CHECK_FAIL ? "fail" :
					  st == CHECK_SKIP ? "skip" :
							     "missing",
					  "expected",
					  e == EXPECT_PASS ? "pass" :
					  e == EXPECT_FAIL ? "fail" :
							     "any",
					  "verdict", txt, "bad", is_bad,
					  "evidence", ev, "why", why));
			if (is_bad) {
				char line[512], *np;

				bad++;
				first_line(ev, line, sizeof(line));
				np = xasprintf("%s- `%s` on `%s`: %s%s%s%s\n",
					       problems, rows[r],
					       cols[c].kp->name, txt,
					       *line ? " — " : "", line,
					       *why ? "" : "");
				free(problems);
				problems = np;
			}
		}
		fprintf(md, "\n");
		json_object_set_new(jrow, "check", json_string(rows[r]));
		json_object_set_new(jrow, "kernels", jcells);
		json_array_append_new(jchecks, jrow);
	}
	fprintf(md, "\n%s\n",
		bad ? "## Mismatches\n" :
		      "Every result matches its expectation.\n");
	fputs(problems, md);
	fclose(md);
	json_object_set_new(root, "kernels", jk);
	json_object_set_new(root, "checks", jchecks);
	json_object_set_new(root, "expectations", json_string(exp_path));
	json_object_set_new(root, "mismatches", json_integer(bad));
	if (json_dump_file(root, js_path, JSON_INDENT(2)))
		die(EXIT_USAGE, "cannot write %s", js_path);
	json_decref(root);

	/* The same matrix on the terminal. */
	{
		char *text = read_file(md_path, NULL);

		if (text)
			fputs(text, stdout);
		free(text);
	}
	for (int r = 0; r < nrows; r++)
		free(rows[r]);
	free(rows);
	free(problems);
	free(md_path);
	free(js_path);
	return bad;
}

int stress_matrix(const char *run, const char *sub,
		  const struct kernel *const *ks, int nk, char **workloads,
		  unsigned long long seed, int duration_s, int *bad)
{
	struct column *cols = xcalloc(nk, sizeof(*cols));
	char *exp_path = project_path("uml-config/expectations"), *err;
	struct expectations exp;

	if (expect_load(exp_path, &exp, &err)) {
		warnx_("%s (fix the expectations file)", err);
		free(err);
		free(exp_path);
		free(cols);
		return EXIT_USAGE;
	}
	for (int i = 0; i < nk; i++) {
		struct guest_job job = { 0 };
		bool debug = ks[i]->debug;

		cols[i].kp = ks[i];
		cols[i].spec = ks[i]->spec;
		cols[i].user = !strncmp(ks[i]->spec, "patch:", 6) ||
			       !strncmp(ks[i]->spec, "kernel:", 7);
		cols[i].dir =
			sub ? xasprintf("%s/%s/%s", run, sub, ks[i]->name) :
			      xasprintf("%s/%s", run, ks[i]->name);
		job.kernel = ks[i];
		job.out_dir = cols[i].dir;
		job.workloads = workloads;
		job.seed = seed;
		job.echo_all = true;
		job.mem_mb = debug ? 1024 : 256;
		/* Integrity + looped edge cases + fixed costs; debug is slower. */
		job.deadline_s = (120 + 3 * duration_s) * (debug ? 4 : 1);
		progress("checking %s (%d/%d)", ks[i]->name, i + 1, nk);
		if (guest_run(&job, &cols[i].res)) {
			warnx_("could not boot %s", ks[i]->name);
			return EXIT_USAGE;
		}
		cols[i].ran = true;
		if (cols[i].res.outcome == GUEST_WRONG_KERNEL) {
			warnx_("%s booted as '%s', not the kernel asked for: rebuild with 'make kernels'",
			       ks[i]->name,
			       cols[i].res.uname ? cols[i].res.uname : "?");
			return EXIT_USAGE;
		}
		if (cols[i].res.outcome == GUEST_SPLAT)
			progress("%s: KERNEL SPLAT (see %s)", ks[i]->name,
				 cols[i].res.console_path);
		add_kernel_checks(&cols[i]);
		progress("%s: %s in %.1f s", ks[i]->name,
			 guest_outcome_name(cols[i].res.outcome),
			 cols[i].res.seconds);
	}
	*bad = judge(run, cols, nk, &exp, "uml-config/expectations");
	for (int i = 0; i < nk; i++) {
		guest_result_free(&cols[i].res);
		free(cols[i].dir);
	}
	free(cols);
	expect_free(&exp);
	free(exp_path);
	return EXIT_OK;
}

static void workloads_for(const struct stress_opts *o, char **w, char *buf[3])
{
	int d = o->duration;

	buf[0] = xasprintf("edge --duration %d", d / 10 > 1 ? d / 10 : 1);
	buf[1] = xasprintf("integrity --duration %d", d);
	w[0] = "claims";
	w[1] = buf[0];
	w[2] = buf[1];
	w[3] = NULL;
}

static void write_meta(const char *run, const struct kernel *const *ks, int nk,
		       const struct stress_opts *o, int argc, char **argv)
{
	json_t *m = json_object(), *jks = json_array(), *cmd = json_array();
	char *path = xasprintf("%s/meta.json", run);

	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	for (int c = 0; c < nk; c++)
		json_array_append_new(
			jks, json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?}",
				       "name", ks[c]->name, "spec", ks[c]->spec,
				       "hash", ks[c]->hash, "binary",
				       ks[c]->linux_path, "dir", ks[c]->dir,
				       "kernel_args", ks[c]->kernel_args));
	json_object_set_new(m, "command", json_string("stress"));
	json_object_set_new(m, "argv", cmd);
	json_object_set_new(m, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(m, "duration_s", json_integer(o->duration));
	rundir_host_meta(m);
	json_object_set_new(m, "kernels", jks);
	if (json_dump_file(m, path, JSON_INDENT(2)))
		warnx_("cannot write %s", path);
	json_decref(m);
	free(path);
}

int cmd_stress(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernels", required_argument, NULL, 'k' },
		{ "patch", required_argument, NULL, 'p' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "duration", required_argument, NULL, 'd' },
		{ "no-debug", no_argument, NULL, 'D' },
		{ "quick", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "boots", required_argument, NULL, 'b' },
		{ "samples", required_argument, NULL, 'S' },
		{ "threshold-ns", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct stress_opts o = { .duration = -1,
				 .debug = true,
				 .name = "stress" };
	const char *specs[MAX_KERNELS];
	struct kernel kernels[MAX_KERNELS];
	const struct kernel *kps[MAX_KERNELS];
	char *run, *wbuf[3], *w[4];
	int nspecs = 0, c, rc = EXIT_OK, bad;

	o.seed = (unsigned long long)time(NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kernels = optarg;
			break;
		case 'p':
			o.patch = optarg;
			break;
		case 'K':
			o.prebuilt = optarg;
			break;
		case 'd':
			o.duration = atoi(optarg);
			if (o.duration <= 0)
				die(EXIT_USAGE,
				    "--duration %s: need seconds > 0", optarg);
			break;
		case 'D':
			o.debug = false;
			break;
		case 'q':
			o.quick = true;
			o.debug = false;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'b':
		case 'S':
		case 't':
			break; /* bench knobs, accepted so make can pass them */
		case 'h':
			stress_usage(stdout);
			return EXIT_OK;
		default:
			stress_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "unexpected argument '%s' (see --help)",
		    argv[optind]);
	if (o.duration < 0)
		o.duration = o.quick ? 5 : 120;

	/* Which kernels. */
	if (o.kernels) {
		char *list = xstrdup(o.kernels), *save;

		for (char *s = strtok_r(list, ", ", &save); s;
		     s = strtok_r(NULL, ", ", &save))
			nspecs = add_spec(specs, nspecs, s);
	} else {
		char **v = variant_list();

		for (char **p = v; p && *p; p++)
			nspecs = add_spec(specs, nspecs, *p);
	}
	if (o.debug) {
		nspecs = add_spec(specs, nspecs, "with+debug");
		nspecs = add_spec(specs, nspecs, "fixed+debug");
	}
	if (o.patch || o.prebuilt)
		nspecs = add_spec(specs, nspecs, "with");
	if (o.patch) {
		nspecs =
			add_spec(specs, nspecs, xasprintf("patch:%s", o.patch));
		if (o.debug)
			nspecs = add_spec(specs, nspecs,
					  xasprintf("patch:%s+debug", o.patch));
	}
	if (o.prebuilt)
		nspecs = add_spec(specs, nspecs,
				  xasprintf("kernel:%s", o.prebuilt));
	if (nspecs == 0)
		die(EXIT_USAGE, "no kernels to check");

	/* Resolve (and build) them all before booting anything. */
	for (int i = 0; i < nspecs; i++) {
		int r;

		progress("kernel %d/%d: %s", i + 1, nspecs, specs[i]);
		r = kernel_resolve(specs[i], true, &kernels[i]);
		if (r)
			return r;
		kps[i] = &kernels[i];
	}

	run = rundir_create(o.name);
	progress("stress run %s, seed %llu, %d s per kernel", run, o.seed,
		 o.duration);
	write_meta(run, kps, nspecs, &o, argc, argv);
	workloads_for(&o, w, wbuf);
	rc = stress_matrix(run, NULL, kps, nspecs, w, o.seed, o.duration, &bad);
	if (rc)
		return rc;
	printf("\nrun folder: %s\n", run);
	if (bad) {
		printf("stress: %d result(s) differ from expectations or regress\n",
		       bad);
		rc = EXIT_CHECK;
	} else {
		printf("stress: every result matches its expectation\n");
	}
	for (int i = 0; i < nspecs; i++)
		kernel_free(&kernels[i]);
	free(wbuf[0]);
	free(wbuf[1]);
	free(run);
	return rc;
}
