// SPDX-License-Identifier: GPL-2.0
/*
 * Guest init (PID 1 inside UML). Mounts the pseudo filesystems, reads
 * the job the host wrote into the run folder (found through the kernel
 * parameter aioremap_dir=..., which the kernel hands to init as an
 * environment variable), checks that the running kernel is the one the
 * host asked for, runs each workload as a KTAP subtest, writes the
 * status file the host reads back, and powers the machine off.
 *
 * job.conf lines (written by harness/guest.c):
 *   root=<project folder>     release_suffix=-aioremap-<variant>
 *   seed=<u64>                run=<workload> [args...]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RUNS 64
#define MAX_ARGS 64

static char *root, *release_suffix, *seed;
static char *runs[MAX_RUNS];
static int nruns;

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* Not reached; if it were, init exiting would panic the kernel. */
	for (;;)
		pause();
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void setup_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void mount_one(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL) && errno != EBUSY)
		printf("# init: mount %s on %s: %s\n", type, dst,
		       strerror(errno));
}

static int read_job(const char *dir)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/job.conf", dir);
	f = fopen(path, "r");
	if (!f) {
		printf("# init: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!v || line[0] == '#')
			continue;
		*v++ = '\0';
		if (!strcmp(line, "root"))
			root = strdup(v);
		else if (!strcmp(line, "release_suffix"))
			release_suffix = strdup(v);
		else if (!strcmp(line, "seed"))
			seed = strdup(v);
		else if (!strcmp(line, "run") && nruns < MAX_RUNS)
			runs[nruns++] = strdup(v);
	}
	fclose(f);
	if (!root) {
		printf("# init: %s has no root= line\n", path);
		return -1;
	}
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Run one workload; returns its exit status (128+sig if killed). */
static int run_one(const char *dir, int idx, char *cmd)
{
	char *argv[MAX_ARGS + 4];
	char prog[4096], out[4096], name[256];
	int argc = 0, st;
	char *tok, *save;
	pid_t pid;

	tok = strtok_r(cmd, " \t", &save);
	if (!tok)
		return 2;
	snprintf(name, sizeof(name), "%s", tok);
	snprintf(prog, sizeof(prog), "%s/build/guest/%s", root, name);
	snprintf(out, sizeof(out), "%s/%s", dir, name);
	if (mkdir(out, 0755) && errno == EEXIST)
		snprintf(out, sizeof(out), "%s/%s.%d", dir, name, idx);
	mkdir(out, 0755);
	argv[argc++] = prog;
	argv[argc++] = "--out";
	argv[argc++] = out;
	while ((tok = strtok_r(NULL, " \t", &save)) && argc < MAX_ARGS)
		argv[argc++] = tok;
	argv[argc] = NULL;

	printf("    # Subtest: %s\n", name);
	pid = fork();
	if (pid < 0) {
		printf("# init: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		setenv("AIOREMAP_KTAP_NESTED", "1", 1);
		setenv("AIOREMAP_SEED", seed ? seed : "1", 1);
		setenv("AIOREMAP_ROOT", root, 1);
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
		setenv("TMPDIR", "/dev/shm", 1);
		execv(prog, argv);
		printf("# init: exec %s: %s\n", prog, strerror(errno));
		_exit(2);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 2;
	}
	if (WIFSIGNALED(st)) {
		printf("# init: %s killed by signal %d (%s)\n", name,
		       WTERMSIG(st), strsignal(WTERMSIG(st)));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("aioremap_dir");
	char status[8192], path[4096];
	struct utsname u;
	int worst = 0, len = 0, i, fd;

	(void)argc;
	(void)argv;
	if (getpid() != 1) {
		fprintf(stderr,
			"usage: boot a kernel with init=%s aioremap_dir=<run folder>\n"
			"(the aioremap guest init; run it through 'aioremap boot')\n",
			argv[0]);
		return 2;
	}
	mount_one("devtmpfs", "/dev", "devtmpfs");
	setup_console();
	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("tmpfs", "/dev/shm", "tmpfs");
	if (is_dir("/sys/kernel/debug")) /* only when built in */
		mount_one("debugfs", "/sys/kernel/debug", "debugfs");
	signal(SIGPIPE, SIG_IGN);

	uname(&u);
	printf("KTAP version 1\n# aioremap init: kernel %s\n", u.release);
	if (!dir || read_job(dir)) {
		printf("1..0 # SKIP no job (aioremap_dir=%s)\n",
		       dir ? dir : "");
		power_off();
	}
	len += snprintf(status + len, sizeof(status) - len, "uname=%s\n",
			u.release);
	if (release_suffix && *release_suffix &&
	    !ends_with(u.release, release_suffix)) {
		printf("1..0 # SKIP wrong kernel: %s does not end in %s\n",
		       u.release, release_suffix);
		len += snprintf(status + len, sizeof(status) - len,
				"wrong_kernel=1\nexit=2\n");
		nruns = 0;
		worst = -1;
	} else {
		printf("1..%d\n", nruns);
	}
	for (i = 0; i < nruns; i++) {
		char name[256];
		int rc;

		sscanf(runs[i], "%255s", name);
		rc = run_one(dir, i + 1, runs[i]);
		if (rc == 0)
			printf("ok %d %s\n", i + 1, name);
		else
			printf("not ok %d %s # exit %d\n", i + 1, name, rc);
		len += snprintf(status + len, sizeof(status) - len,
				"workload=%s exit=%d\n", name, rc);
		/* Setup errors (2) dominate; a failed or crashed one is 1. */
		if (rc == 2)
			worst = 2;
		else if (rc && worst < 1)
			worst = 1;
	}
	if (worst >= 0)
		len += snprintf(status + len, sizeof(status) - len, "exit=%d\n",
				worst > 2 ? 2 : worst);
	snprintf(path, sizeof(path), "%s/status", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, status, len) != len)
			printf("# init: short write to %s\n", path);
		fsync(fd);
		close(fd);
	} else {
		printf("# init: cannot write %s: %s\n", path, strerror(errno));
	}
	printf("# aioremap init: done, powering off\n");
	power_off();
}
