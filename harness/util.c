// SPDX-License-Identifier: GPL-2.0
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double start_time = -1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((constructor)) static void util_init(void)
{
	start_time = now_s();
}

double elapsed_s(void)
{
	return now_s() - start_time;
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("aioremap: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("aioremap: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void progress(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "[%7.1fs] ", elapsed_s());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_USAGE, "out of memory");
	return s;
}

int mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, mode) && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return is_dir(path) ? 0 : (errno = ENOTDIR, -1);
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int write_file(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok;

	if (!f) {
		free(tmp);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	return 0;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		if (rm_rf(sub))
			ret = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path))
		ret = -1;
	return ret;
}

static int spawn_wait(char *const argv[], const char *cwd, int out_fd,
		      int err_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int run_cmd(char *const argv[], const char *cwd, const char *log)
{
	int fd = -1, rc;

	if (log) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
	}
	rc = spawn_wait(argv, cwd, fd, fd);
	if (fd >= 0)
		close(fd);
	return rc;
}

int run_capture(char *const argv[], const char *cwd, char **out)
{
	char tmpl[] = "/tmp/aioremap-capture-XXXXXX";
	int fd = mkstemp(tmpl), rc;

	*out = NULL;
	if (fd < 0)
		return -1;
	unlink(tmpl);
	rc = spawn_wait(argv, cwd, fd, -1);
	if (rc >= 0) {
		off_t n = lseek(fd, 0, SEEK_END);
		ssize_t r;

		*out = xmalloc((size_t)n + 1);
		r = pread(fd, *out, (size_t)n, 0);
		(*out)[r > 0 ? r : 0] = '\0';
	}
	close(fd);
	return rc;
}

char *run_first_line(char *const argv[])
{
	char *out = NULL, *nl;

	if (run_capture(argv, NULL, &out) < 0 || !out)
		return xstrdup("?");
	nl = strchr(out, '\n');
	if (nl)
		*nl = 0;
	return out;
}

const char *project_root(void)
{
	static char *root;
	char exe[PATH_MAX];
	ssize_t n;
	char *s;

	if (root)
		return root;
	s = getenv("AIOREMAP_ROOT");
	if (s && *s) {
		root = realpath(s, NULL);
		if (!root)
			die(EXIT_USAGE, "AIOREMAP_ROOT=%s: %s", s,
			    strerror(errno));
		return root;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die(EXIT_USAGE,
		    "cannot read /proc/self/exe; set AIOREMAP_ROOT");
	exe[n] = '\0';
	/* <root>/build/<dir>/<binary> */
	for (int i = 0; i < 3; i++) {
		s = strrchr(exe, '/');
		if (!s || s == exe)
			die(EXIT_USAGE,
			    "cannot find the project root from %s; set AIOREMAP_ROOT",
			    exe);
		*s = '\0';
	}
	root = xstrdup(exe);
	return root;
}

char *project_path(const char *rel)
{
	return xasprintf("%s/%s", project_root(), rel);
}

char *rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}
