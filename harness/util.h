/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by every harness file: errors with exit codes,
 * progress lines, running commands with a log, files and paths.
 */
#ifndef AIOREMAP_UTIL_H
#define AIOREMAP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit status everywhere: 0 all good, 1 a check failed, 2 usage/setup. */
enum {
	EXIT_OK = 0,
	EXIT_CHECK = 1,
	EXIT_USAGE = 2,
};

/* Print "aioremap: error: ..." to stderr and exit with @code. */
__attribute__((noreturn, format(printf, 2, 3))) void die(int code,
							 const char *fmt, ...);
/* Print "aioremap: warning: ..." to stderr. */
__attribute__((format(printf, 1, 2))) void warnx_(const char *fmt, ...);
/* Progress line on stderr, prefixed with the seconds since start. */
__attribute__((format(printf, 1, 2))) void progress(const char *fmt, ...);
/* Seconds (monotonic) since the program started. */
double elapsed_s(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/* mkdir -p; returns 0 or -1 with errno set. */
int mkdir_p(const char *path, int mode);
/* Whole file into a NUL-terminated buffer; NULL with errno on failure. */
char *read_file(const char *path, size_t *len);
/* Write atomically (tmp file + rename); 0 or -1 with errno. */
int write_file(const char *path, const char *data, size_t len);
bool path_exists(const char *path);
bool is_dir(const char *path);
/* Remove a tree (like rm -rf, no symlink following); 0 or -1. */
int rm_rf(const char *path);

/*
 * Run argv (argv[0] looked up in PATH) in @cwd (NULL: current), stdin
 * from /dev/null, stdout and stderr appended to @log (NULL: inherit).
 * Returns the exit status, 128+signal if killed, or -1 if it could not
 * be started.
 */
int run_cmd(char *const argv[], const char *cwd, const char *log);
/* Same, capturing stdout into *out (malloc'd, NUL-terminated). */
int run_capture(char *const argv[], const char *cwd, char **out);
/* First line a command prints (malloc'd), or "?" when it cannot run. */
char *run_first_line(char *const argv[]);

/*
 * The project's top folder: $AIOREMAP_ROOT, else two levels above the
 * running binary (build/bin/aioremap -> .).
 */
const char *project_root(void);
/* Absolute path of @rel under the project root (malloc'd). */
char *project_path(const char *rel);
/* Trim trailing whitespace in place; returns s. */
char *rstrip(char *s);

#endif
