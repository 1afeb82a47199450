// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap fio: fio jobs through the ring-remap shim inside the guest,
 * remaps off and on, interleaved; fio-summary.json and plots.
 */
#include "fio.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "fiojson.h"
#include "guest.h"
#include "kernel.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"

#define MAX_JOBS 64

/* ---- job files ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool job_is_default(const char *path)
{
	char *s = read_file(path, NULL);
	bool d = s && strstr(s, "; aioremap: default");

	free(s);
	return d;
}

/* Absolute paths of the chosen job files (NULL-terminated), or die. */
static char **pick_jobs(const char *spec)
{
	char *dir = project_path("fio-jobs"), **out;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		die(EXIT_USAGE, "cannot open %s: %s (run from the project)",
		    dir, strerror(errno));
	out = xcalloc(MAX_JOBS + 1, sizeof(*out));
	if (spec && strcmp(spec, "all")) {
		char *s = xstrdup(spec), *save, *tok;

		for (tok = strtok_r(s, ",", &save); tok && n < MAX_JOBS;
		     tok = strtok_r(NULL, ",", &save)) {
			size_t l = strlen(tok);
			char *p = l > 4 && !strcmp(tok + l - 4, ".fio") ?
					  xasprintf("%s/%s", dir, tok) :
					  xasprintf("%s/%s.fio", dir, tok);

			if (access(p, R_OK))
				die(EXIT_USAGE,
				    "--jobs: no job file %s (see ls fio-jobs/)",
				    p);
			out[n++] = p;
		}
		free(s);
	} else {
		while ((e = readdir(d)) && n < MAX_JOBS) {
			size_t l = strlen(e->d_name);
			char *p;

			if (l < 5 || strcmp(e->d_name + l - 4, ".fio"))
				continue;
			p = xasprintf("%s/%s", dir, e->d_name);
			if (spec || job_is_default(p))
				out[n++] = p;
			else
				free(p);
		}
		qsort(out, n, sizeof(*out), cmp_str);
	}
	closedir(d);
	free(dir);
	if (!n)
		die(EXIT_USAGE,
		    "no fio jobs selected (mark default ones with '; aioremap: default')");
	return out;
}

/* ---- running ---- */

static const char *mode_of(bool on, const struct fio_bench_opts *o)
{
	return on ? o->mode : "none";
}

int fio_bench(const char *run_dir, const struct fio_bench_opts *o_in)
{
	struct fio_bench_opts o = *o_in;
	char **jobs;
	size_t nk = 0, nj = 0;
	struct kernel *ks;
	int worst = EXIT_OK, rc;

	if (!o.mode)
		o.mode = "migrate";
	if (strcmp(o.mode, "migrate") && strcmp(o.mode, "roundtrip"))
		die(EXIT_USAGE, "--mode %s: use migrate or roundtrip", o.mode);
	if (!o.every)
		o.every = 16;
	if (o.boots <= 0)
		o.boots = 2;
	if (o.runtime_s <= 0)
		o.runtime_s = 1;
	if (o.reps <= 0)
		o.reps = o.runtime_s <= 1 ? 2 : 1;
	if (!o.kernels || !o.kernels[0])
		die(EXIT_USAGE, "fio: no kernels given");
	jobs = pick_jobs(o.jobs);
	while (jobs[nj])
		nj++;
	while (o.kernels[nk])
		nk++;
	ks = xcalloc(nk, sizeof(*ks));
	for (size_t k = 0; k < nk; k++) {
		rc = kernel_resolve(o.kernels[k], o.build, &ks[k]);
		if (rc)
			return rc;
	}
	if (mkdir_p(run_dir, 0755))
		die(EXIT_USAGE, "cannot create %s: %s", run_dir,
		    strerror(errno));
	progress(
		"fio: %zu kernel(s) x %d boot(s) x %zu job(s) x %d pair(s) remap off/%s, %d s each, + 1 warm-up per boot",
		nk, o.boots, nj, o.reps, o.mode, o.runtime_s);
	for (int b = 0; b < o.boots; b++) {
		for (size_t i = 0; i < nk; i++) {
			/* A B, then B A: drift hits every kernel alike */
			size_t k = b % 2 ? nk - 1 - i : i;
			char **w = xcalloc(2 * nj * o.reps + 2, sizeof(*w));
			/*
			 * null_blk keeps written data (verify jobs on
			 * /dev/nullb0); job sizes stay well below guest RAM
			 */
			char *args[] = { "null_blk.memory_backed=1", NULL };
			struct guest_job gj = { 0 };
			struct guest_result res;
			char *out = xasprintf("%s/fio/%s/boot-%d", run_dir,
					      ks[k].name, b);
			size_t n = 0;

			/* discarded: first fio start in this guest */
			w[n++] = xasprintf(
				"fiorun --job %s --mode none --every %lu --runtime 1 --warmup",
				jobs[0], o.every);
			for (size_t j = 0; j < nj; j++)
				for (int r = 0; r < o.reps; r++)
					for (int h = 0; h < 2; h++) {
						/*
						 * off/on order alternates by
						 * pair, boot and job: A B B A
						 */
						bool on = (h + r + b + (int)j) %
							  2;

						w[n++] = xasprintf(
							"fiorun --job %s --mode %s --every %lu --runtime %d --tag b%d-p%d",
							jobs[j],
							mode_of(on, &o),
							o.every, o.runtime_s, b,
							r);
					}
			gj.kernel = &ks[k];
			gj.out_dir = out;
			gj.workloads = w;
			gj.kernel_args = args;
			gj.seed = o.seed + (unsigned long long)b * 1000 + k;
			gj.quiet = o.quiet;
			gj.deadline_s = 90 + (int)nj * 2 * o.reps *
						     (o.runtime_s * 3 + 20);
			progress("fio: boot %d/%d kernel %s", b + 1, o.boots,
				 ks[k].name);
			if (guest_run(&gj, &res))
				die(EXIT_USAGE, "fio: could not boot %s",
				    ks[k].name);
			progress("fio: kernel %s boot %d: %s in %.1f s",
				 ks[k].name, b, guest_outcome_name(res.outcome),
				 res.seconds);
			if (res.outcome != GUEST_OK &&
			    res.outcome != GUEST_CHECK_FAILED) {
				warnx_("fio: kernel %s boot %d: %s (console %s)",
				       ks[k].name, b,
				       guest_outcome_name(res.outcome),
				       res.console_path);
				worst = EXIT_CHECK;
			}
			guest_result_free(&res);
			for (size_t x = 0; x < n; x++)
				free(w[x]);
			free(w);
			free(out);
		}
	}
	for (size_t k = 0; k < nk; k++)
		kernel_free(&ks[k]);
	free(ks);
	for (size_t j = 0; j < nj; j++)
		free(jobs[j]);
	free(jobs);
	rc = fio_summarise(run_dir, o.seed);
	return rc > worst ? rc : worst;
}

/* ---- summary ---- */

struct group {
	char *kernel, *job;
	bool on;
	char mode[16];
	int runs, failed, skipped, verify_runs, verify_failed;
	char *skip_reason;
	double iops[64], p50[64], p99[64];
	char tag[64][16]; /* fiorun --tag of each run: pairs off/on runs */
	int nboot;
	int warmups, warmup_failed;
	char failed_checks[256]; /* "name xN, ..." over runs */
	struct fio_result acc; /* one pseudo job per run: merged clat */
	struct shim_stats shim;
	char first_error[200];
};

static struct group *groups;
static size_t ngroups;

static struct group *group_get(const char *kernel, const char *job, bool on)
{
	for (size_t i = 0; i < ngroups; i++)
		if (!strcmp(groups[i].kernel, kernel) &&
		    !strcmp(groups[i].job, job) && groups[i].on == on)
			return &groups[i];
	groups = xrealloc(groups, (ngroups + 1) * sizeof(*groups));
	memset(&groups[ngroups], 0, sizeof(*groups));
	groups[ngroups].kernel = xstrdup(kernel);
	groups[ngroups].job = xstrdup(job);
	groups[ngroups].on = on;
	return &groups[ngroups++];
}

static char *tsv_get(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (!strncmp(l, key, kl) && l[kl] == '\t') {
			const char *v = l + kl + 1;
			size_t n = strcspn(v, "\n");
			char *r = xmalloc(n + 1);

			memcpy(r, v, n);
			r[n] = 0;
			return r;
		}
	}
	return NULL;
}

static bool job_verifies(const char *job_file)
{
	char *s = job_file ? read_file(job_file, NULL) : NULL;
	bool v = s && strstr(s, "\nverify=") && !strstr(s, "\nverify=0");

	free(s);
	return v;
}

static void add_shim(struct shim_stats *a, const struct shim_stats *b)
{
	a->files += b->files;
	a->truncated += b->truncated;
	a->remaps += b->remaps;
	a->remap_failures += b->remap_failures;
	a->errors += b->errors;
	a->ios += b->ios;
	a->events += b->events;
	a->submit_calls += b->submit_calls;
	a->getevents_calls += b->getevents_calls;
	if (!a->first_error[0])
		memcpy(a->first_error, b->first_error, sizeof(a->first_error));
	for (int h = 0; h < SHIM_NHIST; h++)
		for (int i = 0; i < SHIM_NBUCKETS; i++)
			a->hist[h][i] += b->hist[h][i];
}

/* Count one failed check by name in g->failed_checks ("a x2, b x1"). */
static void note_failed_check(struct group *g, const char *name)
{
	char *p = strstr(g->failed_checks, name), buf[600];
	size_t l = strlen(name);

	if (p && p[l] == ' ' && p[l + 1] == 'x') {
		int n = atoi(p + l + 2);
		size_t pre = (size_t)(p - g->failed_checks);
		const char *rest = strchr(p + l + 2, ',');

		snprintf(buf, sizeof(buf), "%.*s%s x%d%s", (int)pre,
			 g->failed_checks, name, n + 1, rest ? rest : "");
	} else {
		snprintf(buf, sizeof(buf), "%s%s%s x1", g->failed_checks,
			 g->failed_checks[0] ? ", " : "", name);
	}
	buf[sizeof(g->failed_checks) - 1] = 0;
	memcpy(g->failed_checks, buf, sizeof(g->failed_checks));
}

/*
 * The guest's own verdicts: "check<TAB>name<TAB>pass|fail|skip" lines of
 * fiorun.tsv. Returns the number of failed checks (noted in @g), or -1
 * when fiorun recorded no check at all (it died before judging).
 */
static int run_checks(const char *meta, struct group *g, int *verify)
{
	int nchecks = 0, nfail = 0;

	*verify = -1; /* fio-verify-clean: -1 absent, 0 failed, 1 passed */
	for (const char *l = meta; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		char name[64], st[16];

		if (strncmp(l, "check\t", 6) ||
		    sscanf(l + 6, "%63[^\t]\t%15[a-z]", name, st) != 2)
			continue;
		nchecks++;
		if (!strcmp(name, "fio-verify-clean") && strcmp(st, "skip"))
			*verify = !strcmp(st, "pass");
		if (!strcmp(st, "fail")) {
			nfail++;
			note_failed_check(g, name);
		}
	}
	return nchecks ? nfail : -1;
}

/* One guest fio run folder. */
static void load_run(const char *kernel, const char *dir, int *bad)
{
	char *p = xasprintf("%s/fiorun.tsv", dir), *meta = read_file(p, NULL);
	char *job, *mode, *ex, *skip, *jf, *wu, *tag, *err = NULL;
	struct fio_result r;
	struct shim_stats ss;
	char shim_err[SHIM_ERR_LEN];
	struct group *g;
	int fio_exit, vfy = -1;
	bool failed = false;

	free(p);
	if (!meta)
		return;
	job = tsv_get(meta, "job");
	mode = tsv_get(meta, "mode");
	ex = tsv_get(meta, "fio_exit");
	skip = tsv_get(meta, "skipped");
	jf = tsv_get(meta, "job_file");
	wu = tsv_get(meta, "warmup");
	tag = tsv_get(meta, "tag");
	if (!job || !mode)
		goto out;
	if (strlen(job) > 4 && !strcmp(job + strlen(job) - 4, ".fio"))
		job[strlen(job) - 4] = 0;
	g = group_get(kernel, job, strcmp(mode, "none") != 0);
	if (!wu)
		snprintf(g->mode, sizeof(g->mode), "%s", mode);
	if (wu && !skip) {
		/* warm-up: its checks count, its numbers do not */
		int vfy, nf = run_checks(meta, g, &vfy);

		g->warmups++;
		if (nf != 0 || !ex || atoi(ex) != 0) {
			g->warmup_failed++;
			g->failed++;
			if (nf < 0)
				note_failed_check(g, "warm-up-unfinished");
			*bad = 1;
		}
		goto out;
	}
	if (skip) {
		g->skipped++;
		if (!g->skip_reason)
			g->skip_reason = xstrdup(skip);
		goto out;
	}
	g->runs++;
	fio_exit = ex ? atoi(ex) : -1;
	failed = fio_exit != 0;
	/* the guest's checks decide first; the host's reading only adds */
	switch (run_checks(meta, g, &vfy)) {
	case -1:
		note_failed_check(g, "fiorun-unfinished");
		failed = true;
		break;
	case 0:
		break;
	default:
		failed = true;
	}
	p = xasprintf("%s/fio.json", dir);
	if (fio_json_load(p, &r, &err)) {
		if (!g->first_error[0])
			snprintf(g->first_error, sizeof(g->first_error), "%s",
				 err);
		free(err);
		err = NULL;
		failed = true;
	} else {
		struct fio_lat m;
		double iops = 0;
		int errs = 0;

		for (size_t i = 0; i < r.njobs; i++) {
			iops += r.jobs[i].rd.iops + r.jobs[i].wr.iops;
			errs += r.jobs[i].error != 0 || r.jobs[i].total_err;
		}
		fio_clat_merge(&r, &m);
		if (g->nboot < 64) {
			snprintf(g->tag[g->nboot], sizeof(g->tag[0]), "%s",
				 tag ? tag : "");
			g->iops[g->nboot] = iops;
			g->p50[g->nboot] = m.p50;
			g->p99[g->nboot] = m.p99;
			g->nboot++;
		}
		g->acc.jobs = xrealloc(
			g->acc.jobs, (g->acc.njobs + 1) * sizeof(*g->acc.jobs));
		memset(&g->acc.jobs[g->acc.njobs], 0, sizeof(struct fio_job));
		g->acc.jobs[g->acc.njobs].rd.clat = m;
		g->acc.njobs++;
		if (errs)
			failed = true;
		if (vfy >= 0 || job_verifies(jf)) {
			g->verify_runs++;
			if (errs || fio_exit || vfy == 0)
				g->verify_failed++;
		}
		fio_result_free(&r);
	}
	free(p);
	memset(&ss, 0, sizeof(ss));
	p = xasprintf("%s/shim", dir);
	/* A load error is not repeated here: fiorun's shim-no-errors says it. */
	(void)shim_dir_load(p, &ss, shim_err, sizeof(shim_err));
	free(p);
	if (!ss.files || ss.truncated || ss.errors || (g->on && !ss.remaps))
		failed = true;
	if (ss.first_error[0] && !g->first_error[0])
		snprintf(g->first_error, sizeof(g->first_error), "%s",
			 ss.first_error);
	add_shim(&g->shim, &ss);
	if (failed) {
		g->failed++;
		*bad = 1;
	}
out:
	free(job);
	free(mode);
	free(ex);
	free(skip);
	free(jf);
	free(wu);
	free(tag);
	free(meta);
}

static json_t *jnum(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *shim_pcts(const uint64_t *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "p50", jnum(shim_hist_quantile(h, 0.50)));
	json_object_set_new(o, "p90", jnum(shim_hist_quantile(h, 0.90)));
	json_object_set_new(o, "p99", jnum(shim_hist_quantile(h, 0.99)));
	json_object_set_new(o, "p99.9", jnum(shim_hist_quantile(h, 0.999)));
	return o;
}

static double median_of(const double *x, int n)
{
	double *s;
	double m;

	if (n <= 0)
		return -1;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, x, n * sizeof(*s));
	st_sort(s, n);
	m = st_quantile(s, n, 0.5);
	free(s);
	return m;
}

static json_t *group_json(struct group *g, struct fio_lat *pooled)
{
	json_t *o = json_object(), *a, *c, *s;

	json_object_set_new(o, "mode", json_string(g->mode[0] ? g->mode : "?"));
	json_object_set_new(o, "runs", json_integer(g->runs));
	json_object_set_new(o, "failed_runs", json_integer(g->failed));
	if (g->skipped) {
		json_object_set_new(o, "skipped", json_integer(g->skipped));
		json_object_set_new(o, "skip_reason",
				    json_string(g->skip_reason));
	}
	if (g->warmups) {
		json_object_set_new(o, "warmup_runs", json_integer(g->warmups));
		json_object_set_new(o, "warmup_failed",
				    json_integer(g->warmup_failed));
	}
	if (!g->runs) {
		if (g->failed_checks[0])
			json_object_set_new(o, "failed_checks",
					    json_string(g->failed_checks));
		return o;
	}
	json_object_set_new(o, "status",
			    json_string(g->failed ? "failed" : "ok"));
	if (g->first_error[0])
		json_object_set_new(o, "first_error",
				    json_string(g->first_error));
	if (g->failed_checks[0])
		json_object_set_new(o, "failed_checks",
				    json_string(g->failed_checks));
	a = json_array();
	for (int i = 0; i < g->nboot; i++)
		json_array_append_new(a, json_real(g->iops[i]));
	json_object_set_new(o, "iops_per_run", a);
	json_object_set_new(o, "iops_median",
			    jnum(median_of(g->iops, g->nboot)));
	a = json_array();
	for (int i = 0; i < g->nboot; i++)
		json_array_append_new(a, jnum(g->p50[i]));
	json_object_set_new(o, "clat_p50_ns_per_run", a);
	fio_clat_merge(&g->acc, pooled);
	c = json_object();
	json_object_set_new(
		c, "what",
		json_string(
			"fio completion latency (clat), read+write, pooled over runs"));
	json_object_set_new(c, "n", json_integer(pooled->n));
	json_object_set_new(c, "p50", jnum(pooled->p50));
	json_object_set_new(c, "p90", jnum(pooled->p90));
	json_object_set_new(c, "p99", jnum(pooled->p99));
	json_object_set_new(c, "p99.9", jnum(pooled->p999));
	json_object_set_new(c, "mean", json_real(pooled->mean));
	json_object_set_new(o, "clat_ns", c);
	json_object_set_new(o, "verify",
			    json_string(!g->verify_runs	 ? "n/a" :
					g->verify_failed ? "failed" :
							   "clean"));
	s = json_object();
	json_object_set_new(s, "files", json_integer(g->shim.files));
	json_object_set_new(s, "remaps",
			    json_integer((json_int_t)g->shim.remaps));
	json_object_set_new(s, "ios", json_integer((json_int_t)g->shim.ios));
	json_object_set_new(s, "moves_per_100_ios",
			    g->shim.ios ?
				    json_real(100.0 * (double)g->shim.remaps /
					      (double)g->shim.ios) :
				    json_null());
	json_object_set_new(s, "errors",
			    json_integer((json_int_t)g->shim.errors));
	json_object_set_new(s, "remap_failures",
			    json_integer((json_int_t)g->shim.remap_failures));
	json_object_set_new(s, "io_submit_cycles",
			    shim_pcts(g->shim.hist[SHIM_H_SUBMIT]));
	json_object_set_new(s, "io_getevents_cycles",
			    shim_pcts(g->shim.hist[SHIM_H_GETEVENTS]));
	json_object_set_new(s, "mremap_cycles",
			    shim_pcts(g->shim.hist[SHIM_H_REMAP]));
	json_object_set_new(s, "overhead_cycles",
			    shim_pcts(g->shim.hist[SHIM_H_OVERHEAD]));
	json_object_set_new(o, "shim", s);
	return o;
}

/* Effect of remapping (on - off) over per-run values. */
static json_t *effect_json(const char *what, const double *off, int noff,
			   const double *on, int non, unsigned long seed)
{
	json_t *o = json_object();
	double lo, hi, moff, mon;

	json_object_set_new(o, "what", json_string(what));
	moff = median_of(off, noff);
	mon = median_of(on, non);
	json_object_set_new(o, "off_median", jnum(moff));
	json_object_set_new(o, "on_median", jnum(mon));
	if (noff < 1 || non < 1)
		return o;
	json_object_set_new(o, "diff_of_medians", json_real(mon - moff));
	if (moff > 0)
		json_object_set_new(o, "diff_pct",
				    json_real(100.0 * (mon - moff) / moff));
	if (noff >= 2 && non >= 2 &&
	    !st_boot_diff(off, noff, on, non, 0.95, 4000, seed, &lo, &hi)) {
		json_object_set_new(o, "ci95_mean_diff",
				    json_pack("[f,f]", lo, hi));
		json_object_set_new(
			o, "method",
			json_string(
				"percentile bootstrap of mean(on) - mean(off) over per-run values (runs treated as independent; see iops_paired)"));
	} else {
		json_object_set_new(
			o, "method",
			json_string(
				"too few runs for an interval (need --boots >= 2)"));
	}
	return o;
}

/*
 * Paired effect: each remap-on run against the remap-off run of the same
 * pair (same boot, adjacent in time, order alternating), as a ratio
 * on/off. Host-load drift between pairs cancels; what is left is the
 * remap effect plus within-pair noise.
 */
static json_t *paired_json(const char *what, const struct group *off,
			   const double *offv, const struct group *on,
			   const double *onv, unsigned long long seed)
{
	json_t *o = json_object(), *a = json_array();
	double r[64], sorted[64];
	int n = 0;

	for (int i = 0; i < on->nboot; i++) {
		if (!on->tag[i][0])
			continue;
		for (int k = 0; k < off->nboot; k++)
			if (!strcmp(off->tag[k], on->tag[i]) && offv[k] > 0) {
				r[n++] = onv[i] / offv[k];
				json_array_append_new(a, json_real(r[n - 1]));
				break;
			}
	}
	json_object_set_new(o, "what", json_string(what));
	json_object_set_new(o, "pairs", json_integer(n));
	json_object_set_new(o, "ratio_per_pair", a);
	if (!n)
		return o;
	memcpy(sorted, r, n * sizeof(*r));
	st_sort(sorted, n);
	json_object_set_new(o, "ratio_median",
			    json_real(st_quantile(sorted, n, 0.5)));
	json_object_set_new(o, "ratio_mean", json_real(st_mean(r, n)));
	if (n >= 3) {
		/* percentile bootstrap of the mean ratio over pairs */
		enum { B = 4000 };
		double *m = xmalloc(B * sizeof(*m)), lo, hi;
		uint64_t x = seed * 2654435761u + 88172645463325252ull;

		for (int b = 0; b < B; b++) {
			double sum = 0;

			for (int i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				sum += r[x % (uint64_t)n];
			}
			m[b] = sum / n;
		}
		st_sort(m, B);
		lo = st_quantile(m, B, 0.025);
		hi = st_quantile(m, B, 0.975);
		free(m);
		json_object_set_new(o, "ci95_ratio_mean",
				    json_pack("[f,f]", lo, hi));
		json_object_set_new(
			o, "method",
			json_string(
				"on/off ratio of the two runs of each pair (same boot, adjacent, order alternating); percentile bootstrap of the mean ratio over pairs"));
	} else {
		json_object_set_new(
			o, "method",
			json_string(
				"on/off ratio per pair; too few pairs for an interval (need >= 3: --boots or --reps)"));
	}
	return o;
}

/* ---- plots ---- */

static FILE *gp_open(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s.gp", dir, name);
	FILE *f = fopen(p, "w");

	free(p);
	if (f)
		fprintf(f,
			"# aioremap fio plot; redraw: cd this folder && gnuplot %s.gp\n"
			"set terminal svg size 900,560 noenhanced dynamic\n"
			"set output '%s.svg'\nset datafile separator ','\n"
			"set grid\nset key bottom right\n",
			name, name);
	return f;
}

static void gp_run(const char *dir, const char *name, int *failed)
{
	char *gp = xasprintf("%s.gp", name),
	     *log = xasprintf("%s/gnuplot.log", dir);
	char *argv[] = { "gnuplot", gp, NULL };

	if (run_cmd(argv, dir, log)) {
		warnx_("gnuplot %s/%s failed (see %s; make deps installs gnuplot-nox)",
		       dir, gp, log);
		*failed = 1;
	}
	free(gp);
	free(log);
}

static void plot_job(const char *pdir, const char *job, int *failed)
{
	char *name, *p, *err = NULL;
	FILE *f, *dat;
	bool first = true;

	/* clat CDFs */
	name = xasprintf("fio-%s-clat-cdf", job);
	f = gp_open(pdir, name);
	if (!f)
		goto out;
	fprintf(f,
		"set title 'fio %s: completion latency (clat, submit to completion as fio sees it) CDF per kernel, remap off/on'\n"
		"set logscale x\nset xlabel 'clat (microseconds, log scale)'\n"
		"set ylabel 'fraction of I/Os <= x'\nset yrange [0:1]\n",
		job);
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		struct fio_lat m;

		if (strcmp(g->job, job) || !g->acc.njobs)
			continue;
		fio_clat_merge(&g->acc, &m);
		p = xasprintf("%s/fio-%s-clat-%s-%s.csv", pdir, job, g->kernel,
			      g->on ? "on" : "off");
		if (fio_bins_cdf_csv(&m, p, &err)) {
			warnx_("%s", err);
			free(err);
			err = NULL;
		}
		fprintf(f,
			"%s '%s' every ::1 using ($1/1000):4 with lines lw 2 title '%s remap %s'",
			first ? "plot" : ",\\\n    ", strrchr(p, '/') + 1,
			g->kernel, g->on ? g->mode : "off");
		first = false;
		free(p);
		fio_lat_free(&m);
	}
	fprintf(f, "\n");
	fclose(f);
	if (!first)
		gp_run(pdir, name, failed);
	free(name);

	/* percentile bars */
	name = xasprintf("fio-%s-pct", job);
	p = xasprintf("%s/%s.csv", pdir, name);
	dat = fopen(p, "w");
	free(p);
	f = gp_open(pdir, name);
	if (!dat || !f) {
		if (dat)
			fclose(dat);
		if (f)
			fclose(f);
		goto out;
	}
	fprintf(dat, "run,p50,p90,p99,p99.9\n");
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i];
		struct fio_lat m;

		if (strcmp(g->job, job) || !g->acc.njobs)
			continue;
		fio_clat_merge(&g->acc, &m);
		fprintf(dat, "%s/%s,%.3f,%.3f,%.3f,%.3f\n", g->kernel,
			g->on ? g->mode : "off", m.p50 / 1e3, m.p90 / 1e3,
			m.p99 / 1e3, m.p999 / 1e3);
		fio_lat_free(&m);
	}
	fclose(dat);
	fprintf(f,
		"set title 'fio %s: completion latency (clat) percentiles per kernel/remap mode'\n"
		"set style data histograms\nset style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\nset logscale y\n"
		"set ylabel 'clat (microseconds, log scale)'\nset key top left\n"
		"set xtics rotate by -20\n"
		"plot '%s.csv' every ::1 using 2:xtic(1) title 'p50', '' every ::1 using 3 title 'p90', "
		"'' every ::1 using 4 title 'p99', '' every ::1 using 5 title 'p99.9'\n",
		job, name);
	fclose(f);
	gp_run(pdir, name, failed);
	free(name);

	/* shim io_submit / io_getevents CDFs */
	name = xasprintf("fio-%s-shim-cdf", job);
	f = gp_open(pdir, name);
	if (!f)
		goto out;
	fprintf(f,
		"set terminal svg size 900,900 noenhanced dynamic\n"
		"set output '%s.svg'\nset multiplot layout 2,1\n"
		"set logscale x\nset ylabel 'fraction of calls <= x'\n"
		"set yrange [0:1]\n",
		name);
	for (int h = 0; h < 2; h++) {
		const char *call = h ? "io_getevents" : "io_submit";

		first = true;
		fprintf(f,
			"set title 'fio %s: %s syscall time, TSC cycles (shim rdtsc), remap off/on'\n"
			"set xlabel '%s cycles (TSC, log scale)'\n",
			job, call, call);
		for (size_t i = 0; i < ngroups; i++) {
			struct group *g = &groups[i];

			if (strcmp(g->job, job) || !g->shim.files)
				continue;
			p = xasprintf("%s/fio-%s-shim-%s-%s-%s.csv", pdir, job,
				      call, g->kernel, g->on ? "on" : "off");
			if (shim_hist_cdf_csv(g->shim.hist[h ? SHIM_H_GETEVENTS :
							       SHIM_H_SUBMIT],
					      p, &err)) {
				warnx_("%s", err);
				free(err);
				err = NULL;
			}
			fprintf(f,
				"%s '%s' every ::1 using 1:4 with steps lw 2 title '%s remap %s'",
				first ? "plot" : ",\\\n    ",
				strrchr(p, '/') + 1, g->kernel,
				g->on ? g->mode : "off");
			first = false;
			free(p);
		}
		fprintf(f, first ? "plot 0 notitle\n" : "\n");
	}
	fprintf(f, "unset multiplot\n");
	fclose(f);
	gp_run(pdir, name, failed);
out:
	free(name);
}

int fio_summarise(const char *run_dir, unsigned long long seed)
{
	char *fdir = xasprintf("%s/fio", run_dir), *pdir, *err = NULL, *p;
	DIR *kd = opendir(fdir), *bd, *rd;
	struct dirent *ke, *be, *re;
	json_t *root, *kernels;
	int bad = 0, plot_failed = 0;

	if (!kd)
		die(EXIT_USAGE, "no fio results in %s (run aioremap fio first)",
		    fdir);
	while ((ke = readdir(kd))) {
		char *kpath;

		if (ke->d_name[0] == '.')
			continue;
		kpath = xasprintf("%s/%s", fdir, ke->d_name);
		bd = opendir(kpath);
		while (bd && (be = readdir(bd))) {
			char *bpath;

			if (strncmp(be->d_name, "boot-", 5))
				continue;
			bpath = xasprintf("%s/%s", kpath, be->d_name);
			rd = opendir(bpath);
			while (rd && (re = readdir(rd))) {
				if (strncmp(re->d_name, "fiorun", 6))
					continue;
				p = xasprintf("%s/%s", bpath, re->d_name);
				load_run(ke->d_name, p, &bad);
				free(p);
			}
			if (rd)
				closedir(rd);
			free(bpath);
		}
		if (bd)
			closedir(bd);
		free(kpath);
	}
	closedir(kd);
	if (!ngroups)
		die(EXIT_USAGE, "no fiorun results under %s", fdir);

	root = json_object();
	json_object_set_new(
		root, "description",
		json_string(
			"fio jobs through the aio ring remap shim; remap off (shim loaded, no moves) vs on; latencies in ns (fio clat), shim call times in TSC cycles"));
	kernels = json_object();
	/* every (kernel, job) gets both an off and an on group */
	for (size_t i = 0, n0 = ngroups; i < n0; i++) {
		char *k = xstrdup(groups[i].kernel),
		     *j = xstrdup(groups[i].job);

		group_get(k, j, !groups[i].on);
		free(k);
		free(j);
	}
	for (size_t i = 0; i < ngroups; i++) {
		struct group *g = &groups[i], *off, *on;
		json_t *kj = json_object_get(kernels, g->kernel), *jj, *eff;
		struct fio_lat m1 = { 0 }, m2 = { 0 };

		if (!kj) {
			kj = json_object();
			json_object_set_new(kernels, g->kernel, kj);
		}
		if (json_object_get(kj, g->job))
			continue;
		off = group_get(g->kernel, g->job, false); /* both exist */
		on = group_get(g->kernel, g->job, true);
		jj = json_object();
		json_object_set_new(jj, "off", group_json(off, &m1));
		json_object_set_new(jj, "on", group_json(on, &m2));
		eff = json_object();
		json_object_set_new(eff, "iops",
				    effect_json("IOPS (read+write), per run",
						off->iops, off->nboot, on->iops,
						on->nboot, seed + i));
		json_object_set_new(
			eff, "iops_paired",
			paired_json("IOPS on/off ratio per off/on pair", off,
				    off->iops, on, on->iops, seed + i + 3));
		json_object_set_new(
			eff, "clat_p50_paired",
			paired_json("fio clat p50 on/off ratio per off/on pair",
				    off, off->p50, on, on->p50, seed + i + 5));
		json_object_set_new(eff, "clat_p50_ns",
				    effect_json("fio clat p50 (ns), per run",
						off->p50, off->nboot, on->p50,
						on->nboot, seed + i + 7));
		json_object_set_new(eff, "clat_p99_ns",
				    effect_json("fio clat p99 (ns), per run",
						off->p99, off->nboot, on->p99,
						on->nboot, seed + i + 13));
		json_object_set_new(
			eff, "shim_io_submit_p50_cycles_off",
			jnum(shim_hist_quantile(off->shim.hist[SHIM_H_SUBMIT],
						0.5)));
		json_object_set_new(
			eff, "shim_io_submit_p50_cycles_on",
			jnum(shim_hist_quantile(on->shim.hist[SHIM_H_SUBMIT],
						0.5)));
		json_object_set_new(jj, "effect_of_remap", eff);
		json_object_set_new(
			jj, "verdict",
			json_string(!off->runs && !on->runs ?
					    "skipped" :
				    off->failed && on->failed ?
					    "failed (also without remaps)" :
				    on->failed	? "failed with remaps" :
				    off->failed ? "failed without remaps" :
						  "ok"));
		if (on->first_error[0])
			json_object_set_new(jj, "first_error_with_remaps",
					    json_string(on->first_error));
		json_object_set_new(kj, off->job, jj);
		fio_lat_free(&m1);
		fio_lat_free(&m2);
	}
	json_object_set_new(root, "kernels", kernels);
	p = xasprintf("%s/fio-summary.json", run_dir);
	if (json_dump_file(root, p, JSON_INDENT(2) | JSON_SORT_KEYS))
		die(EXIT_USAGE, "cannot write %s", p);
	progress("fio: wrote %s", p);
	free(p);
	json_decref(root);

	pdir = xasprintf("%s/plots/fio", run_dir);
	if (mkdir_p(pdir, 0755))
		die(EXIT_USAGE, "cannot create %s", pdir);
	for (size_t i = 0; i < ngroups; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= groups[j].runs &&
				!strcmp(groups[j].job, groups[i].job);
		if (!seen && groups[i].runs)
			plot_job(pdir, groups[i].job, &plot_failed);
	}
	progress("fio: plots in %s%s", pdir,
		 plot_failed ? " (some failed)" : "");
	free(pdir);
	free(fdir);
	free(err);
	for (size_t i = 0; i < ngroups; i++) {
		free(groups[i].kernel);
		free(groups[i].job);
		free(groups[i].skip_reason);
		fio_result_free(&groups[i].acc);
	}
	free(groups);
	groups = NULL;
	ngroups = 0;
	return bad ? EXIT_CHECK : EXIT_OK;
}

/* ---- command ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap fio [options]\n"
		"       aioremap fio --summarise RUN\n\n"
		"Run fio jobs (fio-jobs/*.fio) in the guest through the aio ring\n"
		"remap shim, remaps off and on, boots interleaved A B B A; write\n"
		"RUN/fio-summary.json and RUN/plots/fio/.\n\n"
		"  --kernels A,B   kernel specs (default with,without)\n"
		"  --jobs LIST     job names (comma list), 'all' (default: the jobs\n"
		"                  marked '; aioremap: default')\n"
		"  --mode M        remap mode when on: migrate (default) or roundtrip\n"
		"  --every N       move the ring every N io_submit/io_getevents (16)\n"
		"  --boots B       boots per kernel (default 2)\n"
		"  --runtime S     seconds per fio run (default 1); verify jobs are\n"
		"                  size-bounded: S x their loops_per_second loops\n"
		"  --reps R        off/on pairs per job and boot (default 2 at 1 s,\n"
		"                  else 1); order alternates A B B A\n"
		"  --out DIR       run folder (default results/<UTC>-<name>)\n"
		"  --name NAME     run folder name (default fio)\n"
		"  --seed N        seed (default: time)\n"
		"  --no-build      fail instead of building a missing kernel\n"
		"  --quiet         fewer progress lines\n"
		"  --summarise RUN re-read RUN/fio/ only: summary and plots\n\n"
		"exit: 0 all runs passed, 1 a run failed a check (e.g. remapped\n"
		"runs on a kernel without the patch), 2 usage/setup error\n");
}

int cmd_fio(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernels", required_argument, NULL, 'k' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "mode", required_argument, NULL, 'm' },
		{ "every", required_argument, NULL, 'e' },
		{ "boots", required_argument, NULL, 'b' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "reps", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-build", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "summarise", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct fio_bench_opts o = { .build = true };
	const char *kspec = "with,without", *out = NULL, *name = "fio";
	char *ks, *save, *tok, *kl[33] = { 0 };
	int c, n = 0;

	o.seed = (unsigned long long)time(NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kspec = optarg;
			break;
		case 'j':
			o.jobs = optarg;
			break;
		case 'm':
			o.mode = optarg;
			break;
		case 'e':
			o.every = strtoul(optarg, NULL, 0);
			if (!o.every)
				die(EXIT_USAGE, "--every %s: need N >= 1",
				    optarg);
			break;
		case 'b':
			o.boots = atoi(optarg);
			if (o.boots < 1 || o.boots > 64)
				die(EXIT_USAGE, "--boots %s: need 1..64",
				    optarg);
			break;
		case 'r':
			o.runtime_s = atoi(optarg);
			if (o.runtime_s < 1)
				die(EXIT_USAGE,
				    "--runtime %s: need seconds >= 1", optarg);
			break;
		case 'R':
			o.reps = atoi(optarg);
			if (o.reps < 1 || o.reps > 16)
				die(EXIT_USAGE, "--reps %s: need 1..16",
				    optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'N':
			o.build = false;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'S':
			return fio_summarise(optarg, o.seed);
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		die(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	}
	ks = xstrdup(kspec);
	for (tok = strtok_r(ks, ",", &save); tok && n < 32;
	     tok = strtok_r(NULL, ",", &save))
		kl[n++] = tok;
	o.kernels = (const char *const *)kl;
	if (!out)
		out = rundir_create(name);
	return fio_bench(out, &o);
}
