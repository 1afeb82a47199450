// SPDX-License-Identifier: GPL-2.0
/*
 * Boot one UML kernel, feed it a job through the run folder, keep its
 * console, enforce a hard deadline on the whole UML process group, and
 * turn what came back into a guest_result.
 */
#include "guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

const char *guest_outcome_name(enum guest_outcome o)
{
	static const char *const names[] = {
		[GUEST_OK] = "ok",
		[GUEST_CHECK_FAILED] = "check-failed",
		[GUEST_SPLAT] = "kernel-splat",
		[GUEST_TIMEOUT] = "timeout",
		[GUEST_NO_STATUS] = "no-status",
		[GUEST_WRONG_KERNEL] = "wrong-kernel",
		[GUEST_SETUP_ERROR] = "setup-error",
	};
	return names[o];
}

int guest_outcome_exit(enum guest_outcome o)
{
	switch (o) {
	case GUEST_OK:
		return EXIT_OK;
	case GUEST_SETUP_ERROR:
	case GUEST_WRONG_KERNEL:
		return EXIT_USAGE;
	default:
		return EXIT_CHECK;
	}
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Pids of live (non-zombie) processes in process group @pgid. */
static int group_members(pid_t pgid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], buf[512];
	int n = 0;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d))) {
		pid_t pid = atoi(e->d_name);
		char state, *p;
		int ppid, pgrp;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		/* pid (comm) state ppid pgrp; comm may hold spaces */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
		    pgrp == pgid && state != 'Z')
			out[n++] = pid;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * SIGTERM the group, give it @grace seconds, then SIGKILL. UML starts
 * helper processes in the same group; we are their subreaper, so reap
 * everything we can. Returns the number still alive afterwards.
 */
static int kill_group(pid_t pgid, double grace)
{
	pid_t left[256];
	double until;

	kill(-pgid, SIGTERM);
	until = mono() + grace;
	while (mono() < until) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (group_members(pgid, left, 256) == 0)
			return 0;
		usleep(50000);
	}
	kill(-pgid, SIGKILL);
	until = mono() + 5;
	while (mono() < until) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (group_members(pgid, left, 256) == 0)
			return 0;
		usleep(50000);
	}
	return group_members(pgid, left, 256);
}

static int write_job(const struct guest_job *job, const char *dir)
{
	FILE *f;
	char *path = xasprintf("%s/job.conf", dir);
	int ok;

	f = fopen(path, "w");
	free(path);
	if (!f)
		return -1;
	fprintf(f, "# written by aioremap; read by build/guest/init\n");
	fprintf(f, "root=%s\n", project_root());
	fprintf(f, "kernel=%s\n", job->kernel->spec);
	if (job->kernel->release_suffix)
		fprintf(f, "release_suffix=%s\n", job->kernel->release_suffix);
	fprintf(f, "seed=%llu\n", job->seed);
	for (char **w = job->workloads; w && *w; w++)
		fprintf(f, "run=%s\n", *w);
	ok = !ferror(f);
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* The status file: "exit=N", "uname=...", "wrong_kernel=1". */
static void read_status(const char *dir, struct guest_result *res, bool *have,
			bool *wrong)
{
	char *path = xasprintf("%s/status", dir);
	char *text = read_file(path, NULL), *line, *save;

	free(path);
	*have = false;
	*wrong = false;
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "exit=", 5)) {
			res->workload_status = atoi(line + 5);
			*have = true;
		} else if (!strncmp(line, "uname=", 6)) {
			free(res->uname);
			res->uname = xstrdup(line + 6);
		} else if (!strcmp(line, "wrong_kernel=1")) {
			*wrong = true;
		}
	}
	free(text);
}

static void echo_progress(const struct guest_job *job, const char *line)
{
	const char *p = line;
	int indent = 0;

	if (job->quiet)
		return;
	while (*p == ' ') {
		p++;
		indent++;
	}
	if (indent >= 4 &&
	    (!strncmp(p, "not ok ", 7) ||
	     (!strncmp(p, "ok ", 3) && (job->echo_all || strstr(p, "# SKIP")))))
		progress("  %s: %s", job->kernel->name, p);
	else if (indent >= 4 && !strncmp(p, "# remaps:", 9))
		progress("  %s: %s", job->kernel->name, p + 2);
	else if (indent == 0 &&
		 (!strncmp(p, "ok ", 3) || !strncmp(p, "not ok ", 7)))
		progress("  %s: workload %s", job->kernel->name, p);
}

int guest_run(const struct guest_job *job, struct guest_result *res)
{
	int deadline = job->deadline_s ? job->deadline_s : 120;
	int mem = job->mem_mb ? job->mem_mb : 256;
	char *dir, *init, *con_path, *cmd_path, *dir_arg, *mem_arg, *init_arg;
	char *argv[64], linebuf[8192], *text, *vargs = NULL, *save;
	struct sigaction sa = { 0 }, old_int, old_term;
	size_t linelen = 0;
	int pipefd[2], log_fd, argc = 0, status = 0, left;
	bool have_status, wrong, timed_out = false, exited = false;
	double t0;
	pid_t pid;
	FILE *cmdf;
	struct console_scan scan;

	memset(res, 0, sizeof(*res));
	res->workload_status = -1;
	res->outcome = GUEST_SETUP_ERROR;

	if (mkdir_p(job->out_dir, 0755)) {
		warnx_("cannot create %s: %s (choose a writable results folder)",
		       job->out_dir, strerror(errno));
		return -1;
	}
	dir = realpath(job->out_dir, NULL);
	init = project_path("build/guest/init");
	if (access(init, X_OK)) {
		warnx_("%s is missing: run 'make' first", init);
		free(init);
		free(dir);
		return -1;
	}
	if (access(job->kernel->linux_path, X_OK)) {
		warnx_("kernel %s is not executable: run 'make kernels'",
		       job->kernel->linux_path);
		free(init);
		free(dir);
		return -1;
	}
	if (write_job(job, dir)) {
		warnx_("cannot write %s/job.conf: %s", dir, strerror(errno));
		free(init);
		free(dir);
		return -1;
	}
	{
		char *st = xasprintf("%s/status", dir);

		unlink(st); /* never read a stale status */
		free(st);
	}

	mem_arg = xasprintf("mem=%dM", mem);
	init_arg = xasprintf("init=%s", init);
	dir_arg = xasprintf("aioremap_dir=%s", dir);
	argv[argc++] = job->kernel->linux_path;
	argv[argc++] = mem_arg;
	argv[argc++] = "rootfstype=hostfs";
	argv[argc++] = "rootflags=/";
	argv[argc++] = "rw";
	argv[argc++] = init_arg;
	argv[argc++] = "con=null";
	argv[argc++] = "con0=null,fd:1";
	argv[argc++] = dir_arg;
	/* The variant's own parameters first, so the job's can override. */
	if (job->kernel->kernel_args) {
		vargs = xstrdup(job->kernel->kernel_args);
		for (char *a = strtok_r(vargs, " \t\n", &save); a && argc < 40;
		     a = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = a;
	}
	for (char **a = job->kernel_args; a && *a && argc < 62; a++)
		argv[argc++] = *a;
	argv[argc] = NULL;

	cmd_path = xasprintf("%s/cmdline", dir);
	cmdf = fopen(cmd_path, "w");
	if (cmdf) {
		for (int i = 0; i < argc; i++)
			fprintf(cmdf, "%s%s", i ? " " : "", argv[i]);
		fputc('\n', cmdf);
		fclose(cmdf);
	}
	free(cmd_path);

	con_path = xasprintf("%s/console.log", dir);
	log_fd = open(con_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	res->console_path = con_path;
	if (log_fd < 0 || pipe2(pipefd, O_CLOEXEC)) {
		warnx_("cannot write %s: %s", con_path, strerror(errno));
		goto out_free;
	}

	/* Reap UML's helpers even if they get re-parented. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	t0 = mono();
	pid = fork();
	if (pid < 0) {
		warnx_("fork: %s", strerror(errno));
		goto out_close;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], argv);
		dprintf(2, "aioremap: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pipefd[1]);
	pipefd[1] = -1;

	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		double left_s = t0 + deadline - mono();
		ssize_t n;
		char buf[4096];
		int pr;

		if (interrupted || left_s <= 0) {
			timed_out = !interrupted;
			break;
		}
		pr = poll(&pfd, 1,
			  left_s > 0.2 ? 200 : (int)(left_s * 1000) + 1);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				exited = true;
				/* Drain what is left, then stop. */
				while ((n = read(pipefd[0], buf, sizeof(buf))) >
				       0)
					if (write(log_fd, buf, n) != n)
						break;
				break;
			}
			continue;
		}
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0) {
			/* EOF: every writer (UML and helpers) is gone. */
			break;
		}
		if (write(log_fd, buf, n) != n)
			warnx_("short write to %s", con_path);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || linelen == sizeof(linebuf) - 1) {
				linebuf[linelen] = '\0';
				echo_progress(job, linebuf);
				linelen = 0;
			} else {
				linebuf[linelen++] = buf[i];
			}
		}
	}
	if (!exited) {
		if (timed_out || interrupted) {
			/* Give it no chance to outlive us. */
			left = kill_group(pid, 2.0);
		} else {
			/* EOF: UML is shutting down; wait a little. */
			double until = mono() + 10;

			while (mono() < until) {
				if (waitpid(pid, &status, WNOHANG) == pid) {
					exited = true;
					break;
				}
				usleep(20000);
			}
			if (!exited)
				timed_out = true;
			left = kill_group(pid, 2.0);
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	} else {
		left = kill_group(pid, 1.0);
	}
	if (left)
		warnx_("%d UML processes of group %d survived SIGKILL", left,
		       (int)pid);
	res->seconds = mono() - t0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (timed_out || interrupted) {
		const char *msg = interrupted ? "interrupted" : "deadline";

		dprintf(log_fd,
			"\n[aioremap: %s after %.1f s: killed UML process group %d]\n",
			msg, res->seconds, (int)pid);
	}

	/* What came back. */
	text = read_file(con_path, NULL);
	console_scan(text ? text : "", &scan);
	free(text);
	read_status(dir, res, &have_status, &wrong);
	if (!res->uname && scan.uname)
		res->uname = xstrdup(scan.uname);
	res->nchecks = scan.nchecks;
	res->checks = scan.checks;
	scan.checks = NULL;
	scan.nchecks = 0;
	if (scan.splat)
		res->splat = xstrdup(scan.splat);

	if (interrupted)
		res->outcome = GUEST_SETUP_ERROR;
	else if (scan.splat)
		res->outcome = GUEST_SPLAT;
	else if (timed_out)
		res->outcome = GUEST_TIMEOUT;
	else if (wrong)
		res->outcome = GUEST_WRONG_KERNEL;
	else if (!have_status)
		res->outcome = GUEST_NO_STATUS;
	else if (res->workload_status == 2)
		res->outcome = GUEST_SETUP_ERROR;
	else if (res->workload_status != 0)
		res->outcome = GUEST_CHECK_FAILED;
	else
		res->outcome = GUEST_OK;
	for (int i = 0; i < res->nchecks && res->outcome == GUEST_OK; i++)
		if (res->checks[i].status == CHECK_FAIL ||
		    res->checks[i].status == CHECK_MISSING)
			res->outcome = GUEST_CHECK_FAILED;
	console_scan_free(&scan);

	if (interrupted) {
		warnx_("interrupted; console so far in %s", con_path);
		close(log_fd);
		close(pipefd[0]);
		free(vargs);
		free(mem_arg);
		free(init_arg);
		free(dir_arg);
		free(init);
		free(dir);
		signal(interrupted, SIG_DFL);
		raise(interrupted);
		return -1;
	}
out_close:
	if (log_fd >= 0)
		close(log_fd);
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
out_free:
	free(vargs);
	free(mem_arg);
	free(init_arg);
	free(dir_arg);
	free(init);
	free(dir);
	return 0;
}

void guest_result_free(struct guest_result *res)
{
	for (int i = 0; i < res->nchecks; i++) {
		free(res->checks[i].name);
		free(res->checks[i].evidence);
	}
	free(res->checks);
	free(res->uname);
	free(res->splat);
	free(res->console_path);
	memset(res, 0, sizeof(*res));
}
