// SPDX-License-Identifier: GPL-2.0
/*
 * fiorun: run one fio job under the ring-remap shim (LD_PRELOAD) and
 * report KTAP checks.
 *
 *   fiorun --out DIR --job /abs/fio-jobs/x.fio [--mode none|roundtrip|migrate]
 *          [--every N] [--runtime S] [--shim PATH] [--fio PATH] [--warmup]
 *          [--tag T]
 *
 * Writes DIR/fio.json (fio --output-format=json+), DIR/fio.log (fio's
 * stdout/stderr), DIR/shim/shim-*.tsv (the shim's per-context counters and
 * cycle histograms of io_submit/io_getevents). Mode none still loads the
 * shim (timing only), so remap on and off differ only by the remaps.
 *
 * Checks: fio-exit-ok, fio-no-errors, fio-verify-clean (verify jobs: every
 * byte written was read back and checked), shim-remaps-done (mode != none),
 * shim-no-errors. A job whose device is missing (/dev/nullb0 without
 * CONFIG_BLK_DEV_NULL_BLK) is skipped. Every check's result is also
 * written to DIR/fiorun.tsv ("check<TAB>name<TAB>pass|fail|skip"), so the
 * host's verdict can never disagree with the guest's checks.
 *
 * Environment for the job file: AIOREMAP_RUNTIME (seconds, time-based
 * jobs), AIOREMAP_LOOPS (size-bounded verify jobs: runtime x the job's
 * "; aioremap: loops_per_second N" annotation, at least 1; a verify job
 * has no runtime limit, so fio always verifies everything it wrote),
 * AIOREMAP_TMPFS (a tmpfs folder). fio runs with DIR as its cwd, so any
 * file it drops (verify state) lands in the run folder.
 *
 * --warmup marks the run as a warm-up (fiorun.tsv "warmup 1"): the host
 * keeps its checks but leaves it out of the statistics.
 *
 * Exit: 0 all checks passed or skipped, 1 a check failed, 2 usage/setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "shimsum.h"

#define TMPFS_MAGIC_ 0x01021994
#define NCHECKS 5

static const char *out_dir, *job_path, *mode = "none";
static const char *shim_path, *fio_path = "fio";
static unsigned long every = 16;
static int runtime_s = 3;
static bool warmup;
static const char *tag;
static long loops = 1;

/* Every check's outcome, for fiorun.tsv. */
static const char *const check_names[NCHECKS] = {
	"fio-exit-ok", "fio-no-errors", "fio-verify-clean", "shim-remaps-done",
	"shim-no-errors"
};
static enum ktap_status check_st[NCHECKS];
static bool check_done[NCHECKS];

static void result(enum ktap_status st, int i, const char *reason)
{
	check_st[i] = st;
	check_done[i] = true;
	ktap_result(st, check_names[i], reason);
}

static void check(bool ok, int i)
{
	result(ok ? KTAP_PASS : KTAP_FAIL, i, NULL);
}

enum { C_EXIT, C_ERRORS, C_VERIFY, C_REMAPS, C_SHIM };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fiorun --out DIR --job /abs/fio-jobs/x.fio [--mode none|roundtrip|migrate]\n"
		"              [--every N] [--runtime S] [--shim PATH] [--fio PATH] [--warmup]\n"
		"              [--tag T]\n"
		"Runs fio on the job with the aio ring remap shim preloaded (every N\n"
		"io_submit/io_getevents calls the ring moves; mode none: timing only)\n"
		"and reports KTAP checks: fio-exit-ok fio-no-errors fio-verify-clean\n"
		"shim-remaps-done shim-no-errors (also written to DIR/fiorun.tsv).\n"
		"Time-based jobs run --runtime seconds; verify jobs are size-bounded\n"
		"(loops = runtime x their '; aioremap: loops_per_second N') and always\n"
		"verify every block they wrote. --warmup: a run the host leaves out of\n"
		"its statistics. --tag T: recorded in fiorun.tsv (the host pairs\n"
		"remap-off and -on runs by it).\n"
		"Defaults: --mode none --every 16 --runtime 3 --shim <dir of fiorun>/libaioremap-shim.so\n"
		"Exit: 0 passed/skipped, 1 a check failed, 2 usage/setup error.\n");
}

static __attribute__((noreturn, format(printf, 1, 2))) void
setup_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fiorun: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

struct jobinfo {
	char devices[4][256];
	int ndev;
	bool uses_tmpfs;
	bool verify;
	bool userspace_reap;
	bool time_limited; /* runtime= set */
	double loops_per_s;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
			 e[-1] == '\t'))
		*--e = 0;
	return s;
}

static void scan_job(const char *path, struct jobinfo *ji)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	memset(ji, 0, sizeof(*ji));
	if (!f)
		setup_error("cannot read job file %s: %s", path,
			    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *v;

		if (*s == ';' || *s == '#') {
			char *a = strstr(s, "aioremap: loops_per_second");

			if (a)
				ji->loops_per_s = strtod(a + 26, NULL);
			continue;
		}
		if (*s == '[' || !*s)
			continue;
		v = strchr(s, '=');
		if (v)
			*v++ = 0;
		s = trim(s);
		v = v ? trim(v) : "";
		if (!strcmp(s, "filename")) {
			if (strstr(v, "${AIOREMAP_TMPFS}"))
				ji->uses_tmpfs = true;
			else if (!strncmp(v, "/dev/", 5) && ji->ndev < 4)
				snprintf(ji->devices[ji->ndev++],
					 sizeof(ji->devices[0]), "%s", v);
		} else if (!strcmp(s, "verify") && *v && strcmp(v, "0") &&
			   strcmp(v, "null")) {
			ji->verify = true;
		} else if (!strcmp(s, "runtime")) {
			ji->time_limited = true;
		} else if (!strcmp(s, "userspace_reap")) {
			ji->userspace_reap = !*v || strcmp(v, "0");
		}
	}
	fclose(f);
}

/* Our kernels build null_blk and brd in; Debian's linux.uml has brd.ko. */
static void try_load_module(const char *dev)
{
	const char *mod = strstr(dev, "nullb") ? "null_blk/null_blk" :
			  strstr(dev, "ram")   ? "brd" :
						 NULL;
	struct utsname u;
	char path[512];
	int fd;

	if (!mod || uname(&u))
		return;
	const char *roots[] = { "/usr/lib/uml/modules", "/lib/modules" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/kernel/drivers/block/%s.ko",
			 roots[i], u.release, mod);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!syscall(SYS_finit_module, fd, "", 0))
			ktap_diag("loaded module: %s", path);
		close(fd);
		return;
	}
}

static void write_meta(int fio_exit, const char *skipped);

static void skip_all(const char *reason)
{
	ktap_plan(NCHECKS);
	ktap_diag("skipped: %s", reason);
	for (int i = 0; i < NCHECKS; i++)
		result(KTAP_SKIP, i, reason);
	write_meta(-1, reason);
	exit(0);
}

/* A tmpfs folder for ${AIOREMAP_TMPFS}: our own mount, else /dev/shm. */
static char tmpfs_dir[PATH_MAX];
static bool tmpfs_mounted;

static bool is_tmpfs(const char *p)
{
	struct statfs s;

	return !statfs(p, &s) && s.f_type == TMPFS_MAGIC_;
}

static bool setup_tmpfs(void)
{
	snprintf(tmpfs_dir, sizeof(tmpfs_dir), "%s/tmpfs", out_dir);
	if (!mkdir(tmpfs_dir, 0700) || errno == EEXIST) {
		if (!mount("aioremap-fio", tmpfs_dir, "tmpfs", 0,
			   "size=128m,mode=0700")) {
			tmpfs_mounted = true;
			return true;
		}
		rmdir(tmpfs_dir);
	}
	snprintf(tmpfs_dir, sizeof(tmpfs_dir), "/dev/shm/aioremap-fio-%d",
		 getpid());
	if (is_tmpfs("/dev/shm") && !mkdir(tmpfs_dir, 0700))
		return true;
	return false;
}

static void cleanup_tmpfs(void)
{
	char f[PATH_MAX + 32];

	if (!tmpfs_dir[0])
		return;
	snprintf(f, sizeof(f), "%s/fio-aioremap.dat", tmpfs_dir);
	unlink(f);
	if (tmpfs_mounted)
		umount(tmpfs_dir);
	rmdir(tmpfs_dir);
}

/* DIR/fiorun.tsv: what ran, for the host side (key TAB value). */
static void write_meta(int fio_exit, const char *skipped)
{
	char p[PATH_MAX + 16];
	const char *base = strrchr(job_path, '/');
	FILE *f;

	snprintf(p, sizeof(p), "%s/fiorun.tsv", out_dir);
	f = fopen(p, "w");
	if (!f)
		setup_error("cannot write %s: %s", p, strerror(errno));
	fprintf(f, "job\t%s\njob_file\t%s\nmode\t%s\nevery\t%lu\n",
		base ? base + 1 : job_path, job_path, mode, every);
	fprintf(f, "runtime\t%d\nloops\t%ld\nfio_exit\t%d\n", runtime_s, loops,
		fio_exit);
	if (warmup)
		fprintf(f, "warmup\t1\n");
	if (tag)
		fprintf(f, "tag\t%s\n", tag);
	if (skipped)
		fprintf(f, "skipped\t%s\n", skipped);
	for (int i = 0; i < NCHECKS; i++) {
		static const char *const st[] = { "pass", "fail", "skip" };

		if (check_done[i])
			fprintf(f, "check\t%s\t%s\n", check_names[i],
				st[check_st[i]]);
	}
	fclose(f);
}

static char *default_shim(void)
{
	static char buf[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	snprintf(buf, sizeof(buf), "%s/libaioremap-shim.so", exe);
	return buf;
}

/* Run fio; returns its exit status (128+sig when killed). */
static int run_fio(const char *shim_dir, const char *json_path, double *seconds)
{
	char log[PATH_MAX + 16], outarg[PATH_MAX + 64], num[32];
	struct timespec t0, t1;
	int deadline = runtime_s * 4 + 60, status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/fio.log", out_dir);
	snprintf(outarg, sizeof(outarg), "--output=%s", json_path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		setup_error("fork: %s", strerror(errno));
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setpgid(0, 0);
		if (chdir(out_dir))
			_exit(127);
		setenv("LD_PRELOAD", shim_path, 1);
		setenv("AIOREMAP_MODE", mode, 1);
		snprintf(num, sizeof(num), "%lu", every);
		setenv("AIOREMAP_EVERY", num, 1);
		setenv("AIOREMAP_OUT", shim_dir, 1);
		snprintf(num, sizeof(num), "%d", runtime_s);
		setenv("AIOREMAP_RUNTIME", num, 1);
		snprintf(num, sizeof(num), "%ld", loops);
		setenv("AIOREMAP_LOOPS", num, 1);
		if (tmpfs_dir[0])
			setenv("AIOREMAP_TMPFS", tmpfs_dir, 1);
		execlp(fio_path, fio_path, "--output-format=json+", outarg,
		       job_path, (char *)NULL);
		fprintf(stderr, "fiorun: cannot run %s: %s\n", fio_path,
			strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > deadline) {
			ktap_diag("fio still running after %d s: killed",
				  deadline);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(50000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*seconds = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Median of a histogram (lower edge of the median bucket). */
static uint64_t hist_median(const uint64_t *h)
{
	uint64_t n = 0, c = 0;

	for (int b = 0; b < SHIM_NBUCKETS; b++)
		n += h[b];
	for (int b = 0; b < SHIM_NBUCKETS; b++) {
		c += h[b];
		if (n && c * 2 >= n)
			return shim_bucket_lo(b);
	}
	return 0;
}

static void print_fio_log_tail(void)
{
	char p[PATH_MAX + 16], line[512];
	FILE *f;
	long lines = 0, skip;

	snprintf(p, sizeof(p), "%s/fio.log", out_dir);
	f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		lines++;
	rewind(f);
	skip = lines > 6 ? lines - 6 : 0;
	while (fgets(line, sizeof(line), f))
		if (skip-- <= 0)
			ktap_diag("fio.log: %s", trim(line));
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "job", required_argument, NULL, 'j' },
		{ "mode", required_argument, NULL, 'm' },
		{ "every", required_argument, NULL, 'e' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "shim", required_argument, NULL, 's' },
		{ "fio", required_argument, NULL, 'f' },
		{ "warmup", no_argument, NULL, 'w' },
		{ "tag", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char shim_dir[PATH_MAX + 8], json_path[PATH_MAX + 16];
	struct jobinfo ji;
	struct shim_stats ss = { 0 };
	char shim_err[SHIM_ERR_LEN];
	int shim_n;
	json_error_t jerr;
	json_t *root = NULL, *jobs;
	double secs;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			out_dir = optarg;
			break;
		case 'j':
			job_path = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'e':
			every = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			runtime_s = atoi(optarg);
			break;
		case 's':
			shim_path = optarg;
			break;
		case 'f':
			fio_path = optarg;
			break;
		case 'w':
			warmup = true;
			break;
		case 't':
			tag = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!out_dir || !job_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(mode, "none") && strcmp(mode, "roundtrip") &&
	    strcmp(mode, "migrate"))
		setup_error("--mode %s: use none, roundtrip or migrate", mode);
	if (!every || runtime_s < 1)
		setup_error("--every must be >= 1 and --runtime >= 1");
	if (job_path[0] != '/')
		setup_error(
			"--job %s: give an absolute path (the guest's cwd is not the project)",
			job_path);
	if (!shim_path)
		shim_path = default_shim();
	if (!shim_path || access(shim_path, R_OK))
		setup_error(
			"shim %s not found: run make (builds build/guest/libaioremap-shim.so) or pass --shim",
			shim_path ? shim_path : "?");
	scan_job(job_path, &ji);
	if (ji.verify && ji.time_limited)
		setup_error(
			"%s: a verify job must not set runtime= (fio stops at the runtime, possibly before verifying anything): make it size-bounded with loops=${AIOREMAP_LOOPS} and '; aioremap: loops_per_second N'",
			job_path);
	if (ji.loops_per_s > 0)
		loops = (long)(ji.loops_per_s * runtime_s + 0.5);
	if (loops < 1)
		loops = 1;
	if (ji.userspace_reap && !strcmp(mode, "migrate"))
		setup_error(
			"%s sets userspace_reap: fio then reads the ring through its own pointer, which migrate mode leaves stale (a PROT_NONE guard). Use --mode roundtrip (the ring is home between calls) or --mode none, or remove userspace_reap",
			job_path);
	for (int i = 0; i < ji.ndev; i++) {
		struct stat st;

		if (stat(ji.devices[i], &st))
			try_load_module(ji.devices[i]);
		if (stat(ji.devices[i], &st) || !S_ISBLK(st.st_mode)) {
			char why[400];

			snprintf(why, sizeof(why),
				 "%s missing (kernel without %s)",
				 ji.devices[i],
				 strstr(ji.devices[i], "nullb") ?
					 "CONFIG_BLK_DEV_NULL_BLK" :
					 "this block device");
			skip_all(why);
		}
	}
	if (ji.uses_tmpfs && !setup_tmpfs())
		skip_all(
			"no tmpfs: cannot mount one and /dev/shm is not tmpfs");

	snprintf(shim_dir, sizeof(shim_dir), "%s/shim", out_dir);
	if (mkdir(shim_dir, 0755) && errno != EEXIST)
		setup_error("mkdir %s: %s", shim_dir, strerror(errno));
	snprintf(json_path, sizeof(json_path), "%s/fio.json", out_dir);
	unlink(json_path);

	write_meta(-1, NULL);
	ktap_plan(NCHECKS);
	ktap_diag("job: %s mode: %s every: %lu runtime: %d s loops: %ld%s",
		  job_path, mode, every, runtime_s, loops,
		  warmup ? " (warm-up)" : "");
	rc = run_fio(shim_dir, json_path, &secs);
	cleanup_tmpfs();
	write_meta(rc, NULL);
	ktap_diag("fio exit: %d after %.1f s", rc, secs);
	if (rc)
		print_fio_log_tail();
	check(rc == 0, C_EXIT);

	/* fio's own error counts from the json+ output */
	root = json_load_file(json_path, 0, &jerr);
	jobs = root ? json_object_get(root, "jobs") : NULL;
	if (!json_is_array(jobs) || !json_array_size(jobs)) {
		ktap_diag("fio.json: %s", root ? "no jobs array" : jerr.text);
		result(KTAP_FAIL, C_ERRORS, NULL);
		result(ji.verify ? KTAP_FAIL : KTAP_SKIP, C_VERIFY,
		       "not a verify job");
	} else {
		long long errs = 0, rbytes = 0, wbytes = 0;
		size_t i;
		json_t *j;

		json_array_foreach(jobs, i, j)
		{
			long long e =
				json_integer_value(json_object_get(j, "error"));
			json_t *te = json_object_get(j, "total_err");
			json_t *rd = json_object_get(j, "read");

			if (e)
				ktap_diag("job %s: error %lld (%s)",
					  json_string_value(json_object_get(
						  j, "jobname")),
					  e, strerror((int)e));
			errs += e != 0;
			if (te)
				errs += json_integer_value(te);
			rbytes += json_integer_value(
				json_object_get(rd, "io_bytes"));
			wbytes += json_integer_value(json_object_get(
				json_object_get(j, "write"), "io_bytes"));
			ktap_diag(
				"iops: read %.0f write %.0f",
				json_real_value(json_object_get(rd, "iops")),
				json_real_value(json_object_get(
					json_object_get(j, "write"), "iops")));
		}
		ktap_diag("fio errors: %lld", errs);
		check(errs == 0, C_ERRORS);
		if (ji.verify) {
			/* every byte written must have been read back */
			ktap_diag(
				"verify: wrote %lld bytes, read back %lld bytes",
				wbytes, rbytes);
			if (wbytes > 0 && rbytes < wbytes)
				ktap_diag(
					"verify incomplete: %lld bytes written but never checked",
					wbytes - rbytes);
			check(errs == 0 && wbytes > 0 && rbytes >= wbytes &&
				      rc == 0,
			      C_VERIFY);
		} else {
			result(KTAP_SKIP, C_VERIFY, "not a verify job");
		}
	}
	json_decref(root);

	shim_n = shim_dir_load(shim_dir, &ss, shim_err, sizeof(shim_err));
	ktap_diag("shim files: %d (truncated %d) remaps: %" PRIu64
		  " ios: %" PRIu64 " submit calls: %" PRIu64
		  " getevents calls: %" PRIu64,
		  ss.files, ss.truncated, ss.remaps, ss.ios, ss.submit_calls,
		  ss.getevents_calls);
	if (ss.ios)
		ktap_diag("moves per 100 I/Os: %.2f",
			  100.0 * (double)ss.remaps / (double)ss.ios);
	ktap_diag("cycles median: io_submit %" PRIu64 " io_getevents %" PRIu64
		  " mremap %" PRIu64 " shim overhead %" PRIu64,
		  hist_median(ss.hist[SHIM_H_SUBMIT]),
		  hist_median(ss.hist[SHIM_H_GETEVENTS]),
		  hist_median(ss.hist[SHIM_H_REMAP]),
		  hist_median(ss.hist[SHIM_H_OVERHEAD]));
	if (!strcmp(mode, "none"))
		result(KTAP_SKIP, C_REMAPS, "mode none");
	else
		check(ss.remaps >= 1, C_REMAPS);
	if (!ss.files)
		ktap_diag(
			"no shim statistics in %s: was the shim loaded (LD_PRELOAD %s)?",
			shim_dir, shim_path);
	if (shim_n < 0)
		ktap_diag("shim statistics: %s", shim_err);
	if (ss.first_error[0])
		ktap_diag("first error: %s", ss.first_error);
	ktap_diag("shim errors: %" PRIu64 " remap failures: %" PRIu64,
		  ss.errors, ss.remap_failures);
	check(shim_n > 0 && !ss.truncated && ss.errors == 0, C_SHIM);
	write_meta(rc, NULL);
	return ktap_exit_status();
}
