// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel specs -> built UML binaries (see kernel.h).
 *
 * One working source tree (build/src/linux-6.1) and one object folder for
 * every non-debug kernel (build/obj-base), a second one for debug kernels
 * (build/obj-debug): ccache does not carry over between O= folders, and an
 * fs/aio.c-only rebuild takes seconds. Switching kernels restores the
 * pristine copies of the files the previous patch touched (fresh mtime, so
 * kbuild rebuilds them), applies the new patch, and runs make. Finished
 * kernels are copied to build/kernels/<name>-<hash>/, written under a
 * temporary name and renamed when complete.
 */
#include "kernel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kconfig.h"
#include "util.h"

#define DEFAULT_TARBALL "/usr/src/linux-source-6.1.tar.xz"
#define SRC_NAME "linux-6.1"

struct kctx {
	char *root, *build, *src_dir, *src, *kernels, *cfg;
	char *tarball;
	char *source_id; /* identity of the unpacked source, for the hash */
	bool unpacked;
};

static void kctx_free(struct kctx *c)
{
	free(c->root);
	free(c->build);
	free(c->src_dir);
	free(c->src);
	free(c->kernels);
	free(c->cfg);
	free(c->tarball);
	free(c->source_id);
}

static int kctx_init(struct kctx *c)
{
	const char *t = getenv("AIOREMAP_LINUX_TARBALL");
	char *stamp_path, *stamp;
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->root = xstrdup(project_root());
	c->build = xasprintf("%s/build", c->root);
	c->src_dir = xasprintf("%s/src", c->build);
	c->src = xasprintf("%s/%s", c->src_dir, SRC_NAME);
	c->kernels = xasprintf("%s/kernels", c->build);
	c->cfg = xasprintf("%s/uml-config", c->root);
	c->tarball = xstrdup(t && *t ? t : DEFAULT_TARBALL);

	stamp_path = xasprintf("%s/.aioremap-source", c->src);
	stamp = read_file(stamp_path, NULL);
	free(stamp_path);
	if (stat(c->tarball, &st) == 0) {
		c->source_id = xasprintf("%s size=%lld mtime=%lld", c->tarball,
					 (long long)st.st_size,
					 (long long)st.st_mtime);
		c->unpacked = stamp && !strcmp(rstrip(stamp), c->source_id);
	} else if (stamp && *rstrip(stamp)) {
		/* tarball gone since: keep using the unpacked tree */
		c->source_id = xstrdup(stamp);
		c->unpacked = true;
	} else {
		fprintf(stderr,
			"aioremap: error: Linux source not found: %s is missing; "
			"run `make deps` (installs linux-source-6.1)\n",
			c->tarball);
		free(stamp);
		return EXIT_USAGE;
	}
	free(stamp);
	return 0;
}

/* ---- small file helpers ---- */

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	}
	close(in);
	if (close(out) || n < 0)
		return -1;
	return chmod(to, mode);
}

static int mkdir_parents(const char *path)
{
	char *d = xstrdup(path), *s = strrchr(d, '/');
	int rc = 0;

	if (s) {
		*s = '\0';
		rc = mkdir_p(d, 0755);
	}
	free(d);
	return rc;
}

static char *sha256_hex(const char *data, size_t len)
{
	char tmpl[] = "/tmp/aioremap-hash-XXXXXX";
	int fd = mkstemp(tmpl);
	char *out = NULL, *argv[] = { "sha256sum", tmpl, NULL };
	int rc;

	if (fd < 0)
		die(EXIT_USAGE, "cannot create a temporary file in /tmp: %s",
		    strerror(errno));
	if (write(fd, data, len) != (ssize_t)len)
		die(EXIT_USAGE, "cannot write %s: %s", tmpl, strerror(errno));
	close(fd);
	rc = run_capture(argv, NULL, &out);
	unlink(tmpl);
	if (rc != 0 || !out || strlen(out) < 64)
		die(EXIT_USAGE, "sha256sum failed (is coreutils installed?)");
	out[64] = '\0';
	return out;
}

static void append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* ---- the build plan for one spec ---- */

struct plan {
	struct kspec spec;
	struct variant var; /* variant (or "with" for patch:) */
	char *patch; /* effective patch text */
	char *frags[3]; /* fragment paths, NULL-terminated */
	char *hash; /* 12 hex */
	char *name, *suffix, *dir, *obj, *log;
};

static void plan_free(struct plan *p)
{
	kspec_free(&p->spec);
	variant_free(&p->var);
	free(p->patch);
	for (int i = 0; i < 3; i++)
		free(p->frags[i]);
	free(p->hash);
	free(p->name);
	free(p->suffix);
	free(p->dir);
	free(p->obj);
	free(p->log);
}

static int plan_make(struct kctx *c, struct plan *p)
{
	char *vdir = xasprintf("%s/variants", c->cfg), *err = NULL, *text;
	const char *vname = p->spec.kind == KSPEC_PATCH ? "with" : p->spec.name;
	char *hin = NULL;
	size_t hlen = 0;
	int nf = 0;

	if (variant_load(vdir, vname, &p->var, &err)) {
		fprintf(stderr, "aioremap: error: %s\n", err);
		free(err);
		free(vdir);
		return EXIT_USAGE;
	}
	free(vdir);
	p->patch = xstrdup(p->var.patch);
	if (p->spec.kind == KSPEC_PATCH) {
		char *vd = xasprintf("%s/variants/%s", c->cfg, p->spec.name);

		if (is_dir(vd)) {
			fprintf(stderr,
				"aioremap: error: patch %s is named '%s' like a "
				"built-in variant; rename the file\n",
				p->spec.path, p->spec.name);
			free(vd);
			return EXIT_USAGE;
		}
		free(vd);
		text = read_file(p->spec.path, NULL);
		if (!text) {
			fprintf(stderr,
				"aioremap: error: cannot read patch %s: %s\n",
				p->spec.path, strerror(errno));
			return EXIT_USAGE;
		}
		if (!strstr(text, "\n+++ ") && strncmp(text, "+++ ", 4)) {
			fprintf(stderr,
				"aioremap: error: %s is not a unified diff (no "
				"'+++ ' line); make it with `git diff` or "
				"`diff -u`\n",
				p->spec.path);
			free(text);
			return EXIT_USAGE;
		}
		append(&p->patch, &(size_t){ strlen(p->patch) }, text);
		free(text);
	}

	if (p->spec.debug) {
		/* fixes for splats of the debug options themselves */
		char *dp = xasprintf("%s/debug.patch", c->cfg);

		text = read_file(dp, NULL);
		free(dp);
		if (text) {
			append(&p->patch, &(size_t){ strlen(p->patch) }, text);
			free(text);
		}
	}

	p->frags[nf++] = xasprintf("%s/base.config", c->cfg);
	if (p->var.config_path)
		p->frags[nf++] = xstrdup(p->var.config_path);
	if (p->spec.debug)
		p->frags[nf++] = xasprintf("%s/debug.config", c->cfg);

	p->name = p->spec.debug ? xasprintf("%s+debug", p->spec.name) :
				  xstrdup(p->spec.name);
	p->suffix = xasprintf("-aioremap-%s", p->name);

	append(&hin, &hlen, "aioremap-kernel-v1\nname ");
	append(&hin, &hlen, p->name);
	append(&hin, &hlen, "\nsource ");
	append(&hin, &hlen, c->source_id);
	/* A compiler upgrade must not reuse kernels built by the old one. */
	{
		char *gcc_argv[] = { "gcc", "--version", NULL };
		char *ver = run_first_line(gcc_argv);

		append(&hin, &hlen, "\ncompiler ");
		append(&hin, &hlen, ver);
		free(ver);
	}
	for (int i = 0; i < nf; i++) {
		struct kconfig kc = { 0 };

		/* validate fragments early: file:line on a bad one */
		if (kconfig_load(p->frags[i], &kc, &err)) {
			fprintf(stderr, "aioremap: error: %s\n", err);
			free(err);
			free(hin);
			return EXIT_USAGE;
		}
		kconfig_free(&kc);
		text = read_file(p->frags[i], NULL);
		append(&hin, &hlen, "\nfragment ");
		append(&hin, &hlen, strrchr(p->frags[i], '/') + 1);
		append(&hin, &hlen, "\n");
		append(&hin, &hlen, text);
		free(text);
	}
	append(&hin, &hlen, "\npatch\n");
	append(&hin, &hlen, p->patch);
	text = sha256_hex(hin, hlen);
	free(hin);
	text[12] = '\0';
	p->hash = text;
	p->dir = xasprintf("%s/%s-%s", c->kernels, p->name, p->hash);
	p->obj = xasprintf("%s/%s", c->build,
			   p->spec.debug ? "obj-debug" : "obj-base");
	p->log = xasprintf("%s/%s-%s.log", c->kernels, p->name, p->hash);
	return 0;
}

/* ---- running make with progress ---- */

static void tail_log(const char *log, int lines)
{
	size_t len;
	char *t = read_file(log, &len);
	int seen = 0;
	size_t i = len;

	if (!t)
		return;
	while (i > 0) {
		if (t[i - 1] == '\n' && i != len && ++seen >= lines)
			break;
		i--;
	}
	fprintf(stderr, "---- last lines of %s ----\n%s", log, t + i);
	if (len && t[len - 1] != '\n')
		fputc('\n', stderr);
	fprintf(stderr, "----\n");
	free(t);
}

/* The compiler's first error lines, which -j output may push out of
 * the tail. */
static void first_errors(const char *log)
{
	char *text = read_file(log, NULL), *save = NULL;
	int n = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && n < 5;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strstr(l, ": error: ") || strstr(l, ": fatal error: ")) {
			if (!n++)
				fprintf(stderr, "first errors:\n");
			fprintf(stderr, "  %s\n", l);
		}
	}
	free(text);
}

static volatile pid_t child_pid;

/* Ctrl-C or a kill of the harness stops the whole make, which runs in its
 * own process group, then dies of the same signal. */
static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(-child_pid, SIGTERM);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run argv with output appended to @log, printing a progress line every
 * 15 s with the number of objects built so far. */
static int run_logged(char *const argv[], const char *cwd, const char *log,
		      const char *what)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	off_t off;
	double start = elapsed_s(), last = start;
	unsigned long objs = 0;
	char lastline[160] = "";
	void (*old_int)(int), (*old_term)(int), (*old_hup)(int);
	int st = 0;

	if (fd < 0)
		return -1;
	off = lseek(fd, 0, SEEK_END);
	child_pid = fork();
	if (child_pid < 0) {
		close(fd);
		return -1;
	}
	if (child_pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);

		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (cwd && chdir(cwd))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(fd);
	setpgid(child_pid, child_pid); /* no race with the child's own call */
	old_int = signal(SIGINT, forward_signal);
	old_term = signal(SIGTERM, forward_signal);
	old_hup = signal(SIGHUP, forward_signal);
	for (;;) {
		pid_t r = waitpid(child_pid, &st, WNOHANG);

		if (r == child_pid)
			break;
		if (r < 0 && errno != EINTR) {
			st = 127 << 8; /* lost the child: report a failure */
			break;
		}
		usleep(200 * 1000);
		if (elapsed_s() - last < 15)
			continue;
		last = elapsed_s();
		/* count new compile lines since the last look */
		{
			int rfd = open(log, O_RDONLY | O_CLOEXEC);
			char buf[1 << 16];
			ssize_t n;

			if (rfd < 0)
				continue;
			lseek(rfd, off, SEEK_SET);
			while ((n = read(rfd, buf, sizeof(buf) - 1)) > 0) {
				char *s = buf, *nl;

				buf[n] = '\0';
				while ((nl = strchr(s, '\n'))) {
					*nl = '\0';
					if (!strncmp(s, "  CC ", 5) ||
					    !strncmp(s, "  AS ", 5) ||
					    !strncmp(s, "  LD ", 5) ||
					    !strncmp(s, "  AR ", 5)) {
						objs++;
						snprintf(lastline,
							 sizeof(lastline), "%s",
							 s + 2);
					}
					s = nl + 1;
				}
				off += s - buf;
				lseek(rfd, off, SEEK_SET);
			}
			close(rfd);
		}
		progress("  %s: %.0f s, %lu objects built%s%s", what,
			 elapsed_s() - start, objs, *lastline ? ", last: " : "",
			 lastline);
	}
	child_pid = 0;
	signal(SIGINT, old_int);
	signal(SIGTERM, old_term);
	signal(SIGHUP, old_hup);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static bool have_ccache(void)
{
	const char *path = getenv("PATH");
	char *p, *save = NULL, *dir;
	bool found = false;

	if (!path)
		return false;
	p = xstrdup(path);
	for (dir = strtok_r(p, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *f = xasprintf("%s/ccache", dir);

		found = access(f, X_OK) == 0;
		free(f);
	}
	free(p);
	return found;
}

/* make -C src ARCH=um O=obj [CC="ccache gcc"] [extra...] */
static int kmake(struct kctx *c, const char *obj, const char *log,
		 const char *what, const char *const extra[])
{
	char *argv[16];
	char *o = xasprintf("O=%s", obj);
	char *jobs = xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN));
	int n = 0, rc;

	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = c->src;
	argv[n++] = "ARCH=um";
	argv[n++] = o;
	if (have_ccache()) {
		char *cd = xasprintf("%s/ccache", c->build);

		argv[n++] = "CC=ccache gcc";
		setenv("CCACHE_DIR", cd, 1); /* make distclean drops it */
		free(cd);
	}
	argv[n++] = jobs;
	for (int i = 0; extra[i] && n < 15; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	rc = run_logged(argv, NULL, log, what);
	free(o);
	free(jobs);
	return rc;
}

/* ---- source tree ---- */

static int unpack_source(struct kctx *c)
{
	char *tmp = xasprintf("%s/.unpack.tmp", c->src_dir);
	char *argv[] = { "tar", "-xJf", c->tarball, "-C", tmp, NULL };
	char *log = xasprintf("%s/unpack.log", c->src_dir);
	char *top = NULL, *stamp;
	DIR *d;
	struct dirent *e;
	double t0 = elapsed_s();
	int rc;

	progress("unpacking %s into build/src/%s (once, ~15 s)", c->tarball,
		 SRC_NAME);
	/* a new source invalidates every object folder and patch state */
	rm_rf(tmp);
	rm_rf(c->src);
	for (const char *const *s =
		     (const char *const[]){ "obj-base", "obj-debug", NULL };
	     *s; s++) {
		char *p = xasprintf("%s/%s", c->build, *s);

		rm_rf(p);
		free(p);
	}
	{
		char *p = xasprintf("%s/pristine", c->src_dir);

		rm_rf(p);
		free(p);
		p = xasprintf("%s/applied.patch", c->src_dir);
		unlink(p);
		free(p);
	}
	if (mkdir_p(tmp, 0755)) {
		fprintf(stderr, "aioremap: error: cannot create %s: %s\n", tmp,
			strerror(errno));
		return EXIT_USAGE;
	}
	unlink(log);
	rc = run_cmd(argv, NULL, log);
	if (rc != 0) {
		fprintf(stderr,
			"aioremap: error: unpacking %s failed (exit %d); is the "
			"file complete? reinstall with `make deps`\n",
			c->tarball, rc);
		tail_log(log, 10);
		rm_rf(tmp);
		return EXIT_USAGE;
	}
	d = opendir(tmp);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] != '.') {
			top = xasprintf("%s/%s", tmp, e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	if (!top || rename(top, c->src)) {
		fprintf(stderr, "aioremap: error: unexpected layout in %s\n",
			c->tarball);
		return EXIT_USAGE;
	}
	rm_rf(tmp);
	stamp = xasprintf("%s/.aioremap-source", c->src);
	write_file(stamp, c->source_id, strlen(c->source_id));
	free(stamp);
	free(top);
	free(tmp);
	free(log);
	c->unpacked = true;
	progress("unpacked in %.1f s", elapsed_s() - t0);
	return 0;
}

/* Files a unified diff touches (-p1 paths), NULL-terminated. */
static char **patch_files(const char *patch, char **err)
{
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	const char *s = patch;

	*err = NULL;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len > 4 &&
		    (!strncmp(s, "+++ ", 4) || !strncmp(s, "--- ", 4))) {
			char *f = strndup(s + 4, len - 4), *t, *rel;
			bool dup = false;

			if (!f)
				die(EXIT_USAGE, "out of memory");
			t = strpbrk(f, "\t");
			if (t)
				*t = '\0';
			rstrip(f);
			if (strcmp(f, "/dev/null")) {
				rel = strchr(f, '/');
				if (!rel || !rel[1] || strstr(rel, "/../") ||
				    rel[1] == '/') {
					*err = xasprintf("bad path '%s' in "
							 "patch (need a/... "
							 "b/... paths for "
							 "patch -p1)",
							 f);
					free(f);
					strv_free(v);
					return NULL;
				}
				rel++;
				for (size_t i = 0; i < n; i++)
					dup = dup || !strcmp(v[i], rel);
				if (!dup) {
					v = xrealloc(v,
						     (n + 2) * sizeof(char *));
					v[n++] = xstrdup(rel);
					v[n] = NULL;
				}
			}
			free(f);
		}
		s = nl ? nl + 1 : NULL;
	}
	return v;
}

/* Put the pristine version of every file @patch touches back in place
 * (fresh mtime, so kbuild rebuilds them). */
static int restore_files(struct kctx *c, const char *patch)
{
	char *err = NULL;
	char **files = patch_files(patch, &err);
	int rc = 0;

	if (!files) {
		free(err);
		return -1;
	}
	for (char **f = files; *f; f++) {
		char *tree = xasprintf("%s/%s", c->src, *f);
		char *orig = xasprintf("%s/pristine/%s", c->src_dir, *f);
		char *absent = xasprintf("%s.aioremap-absent", orig);

		if (path_exists(absent)) {
			unlink(tree);
		} else if (path_exists(orig)) {
			if (copy_file(orig, tree, 0644))
				rc = -1;
		}
		free(tree);
		free(orig);
		free(absent);
	}
	strv_free(files);
	return rc;
}

/* Save pristine copies of the files (first time only; the tree is
 * pristine at that point). */
static int save_pristine(struct kctx *c, char **files)
{
	for (char **f = files; *f; f++) {
		char *tree = xasprintf("%s/%s", c->src, *f);
		char *orig = xasprintf("%s/pristine/%s", c->src_dir, *f);
		char *absent = xasprintf("%s.aioremap-absent", orig);
		int rc = 0;

		if (!path_exists(orig) && !path_exists(absent)) {
			rc = mkdir_parents(orig);
			if (!rc)
				rc = path_exists(tree) ?
					     copy_file(tree, orig, 0644) :
					     write_file(absent, "", 0);
		}
		free(tree);
		free(orig);
		free(absent);
		if (rc)
			return -1;
	}
	return 0;
}

static int run_patch(struct kctx *c, const char *patch_file, bool dry,
		     char **out)
{
	char *argv[] = { "patch",
			 "-p1",
			 "--forward",
			 "--batch",
			 "--no-backup-if-mismatch",
			 "--reject-file=-",
			 "-i",
			 (char *)patch_file,
			 dry ? "--dry-run" : NULL,
			 NULL };
	char *log = xasprintf("%s/patch.log", c->src_dir);
	int rc;

	unlink(log);
	rc = run_cmd(argv, c->src, log);
	*out = read_file(log, NULL);
	unlink(log);
	free(log);
	return rc;
}

/* Make the working tree = pristine + @p->patch. */
static int sync_tree(struct kctx *c, struct plan *p)
{
	char *state = xasprintf("%s/applied.patch", c->src_dir);
	char *cur = read_file(state, NULL), *err = NULL, *out = NULL;
	char *pf = xasprintf("%s/next.patch", c->src_dir);
	char **files;
	int rc = EXIT_USAGE;

	if (cur && !strcmp(cur, p->patch)) {
		free(cur);
		free(state);
		free(pf);
		return 0; /* already in place: nothing to touch */
	}
	files = patch_files(p->patch, &err);
	if (!files) {
		fprintf(stderr, "aioremap: error: %s: %s\n",
			p->spec.path ? p->spec.path : p->var.patch_path, err);
		goto out;
	}
	if (cur && restore_files(c, cur)) {
		fprintf(stderr,
			"aioremap: error: cannot restore the pristine source "
			"in %s; remove build/src and retry\n",
			c->src);
		goto out;
	}
	/* the tree is pristine from here until the new patch is applied */
	if (write_file(state, "", 0) || save_pristine(c, files)) {
		fprintf(stderr, "aioremap: error: cannot write under %s: %s\n",
			c->src_dir, strerror(errno));
		goto out;
	}
	if (!*files) {
		rc = 0;
		goto out;
	}
	if (write_file(pf, p->patch, strlen(p->patch)))
		goto out;
	if (run_patch(c, pf, true, &out) != 0) {
		fprintf(stderr,
			"aioremap: error: patch %s does not apply to Linux "
			"6.1 (%s) on top of 'with'; patch said:\n%s",
			p->spec.path ? p->spec.path : p->var.patch_path, c->src,
			out ? out : "");
		goto out;
	}
	free(out);
	/* record the files first: a failure half-way is undone next time */
	if (write_file(state, p->patch, strlen(p->patch)))
		goto out;
	if (run_patch(c, pf, false, &out) != 0) {
		fprintf(stderr, "aioremap: error: applying %s failed:\n%s",
			p->spec.path ? p->spec.path : p->var.patch_path,
			out ? out : "");
		goto out;
	}
	rc = 0;
out:
	unlink(pf);
	free(pf);
	free(out);
	free(err);
	strv_free(files);
	free(cur);
	free(state);
	return rc;
}

/* ---- config ---- */

static int check_config(struct plan *p, const char *dotconfig)
{
	struct kconfig want = { 0 }, have = { 0 };
	char *err = NULL, *report = NULL;
	size_t missing;

	for (int i = 0; p->frags[i]; i++) {
		if (kconfig_load(p->frags[i], &want, &err))
			goto bad;
	}
	if (kconfig_load(dotconfig, &have, &err))
		goto bad;
	missing = kconfig_check_subset(&want, &have, &report);
	kconfig_free(&want);
	kconfig_free(&have);
	if (missing) {
		fprintf(stderr,
			"aioremap: error: %zu requested option(s) did not "
			"survive olddefconfig in %s (a dependency is missing; "
			"add it to the fragment):\n%s",
			missing, dotconfig, report);
		free(report);
		return EXIT_USAGE;
	}
	return 0;
bad:
	fprintf(stderr, "aioremap: error: %s\n", err);
	free(err);
	kconfig_free(&want);
	kconfig_free(&have);
	return EXIT_USAGE;
}

static int configure(struct kctx *c, struct plan *p)
{
	char *stamp_path = xasprintf("%s/.aioremap-config", p->obj);
	char *dotconfig = xasprintf("%s/.config", p->obj);
	char *stamp = xasprintf("%s\n", c->source_id), *cur;
	size_t slen = strlen(stamp);
	int rc = 0;

	for (int i = 0; p->frags[i]; i++) {
		char *t = read_file(p->frags[i], NULL);

		append(&stamp, &slen, p->frags[i]);
		append(&stamp, &slen, "\n");
		append(&stamp, &slen, t ? t : "");
		free(t);
	}
	cur = read_file(stamp_path, NULL);
	if (!cur || strcmp(cur, stamp) || !path_exists(dotconfig)) {
		const char *const defcfg[] = { "defconfig", NULL };
		const char *const olddef[] = { "olddefconfig", NULL };
		char *merge[8];
		int n = 0;
		double t0 = elapsed_s();

		progress("configuring %s: defconfig + %s%s%s", p->obj,
			 "base.config",
			 p->var.config_path ? " + variant config" : "",
			 p->spec.debug ? " + debug.config" : "");
		unlink(stamp_path);
		if (mkdir_p(p->obj, 0755)) {
			fprintf(stderr,
				"aioremap: error: cannot create %s: %s\n",
				p->obj, strerror(errno));
			rc = EXIT_USAGE;
			goto out;
		}
		rc = kmake(c, p->obj, p->log, "defconfig", defcfg);
		if (!rc) {
			merge[n++] = "scripts/kconfig/merge_config.sh";
			merge[n++] = "-m";
			merge[n++] = "-O";
			merge[n++] = p->obj;
			merge[n++] = dotconfig;
			for (int i = 0; p->frags[i]; i++)
				merge[n++] = p->frags[i];
			merge[n] = NULL;
			rc = run_cmd(merge, c->src, p->log);
		}
		if (!rc)
			rc = kmake(c, p->obj, p->log, "olddefconfig", olddef);
		if (rc) {
			fprintf(stderr,
				"aioremap: error: configuring the kernel failed; "
				"log: %s\n",
				p->log);
			tail_log(p->log, 20);
			rc = EXIT_USAGE;
			goto out;
		}
		rc = check_config(p, dotconfig);
		if (rc)
			goto out;
		write_file(stamp_path, stamp, strlen(stamp));
		progress("configured in %.1f s; every requested option is set",
			 elapsed_s() - t0);
	} else {
		rc = check_config(p, dotconfig);
	}
out:
	free(cur);
	free(stamp);
	free(stamp_path);
	free(dotconfig);
	return rc;
}

/* ---- install ---- */

static int install(struct kctx *c, struct plan *p)
{
	char *tmp = xasprintf("%s/.tmp-%s-%s.%d", c->kernels, p->name, p->hash,
			      (int)getpid());
	const char *files[][2] = { { "linux", "linux" },
				   { ".config", ".config" } };
	int rc = 0;

	rm_rf(tmp);
	if (mkdir_p(tmp, 0755))
		goto fail;
	for (size_t i = 0; i < 2; i++) {
		char *from = xasprintf("%s/%s", p->obj, files[i][0]);
		char *to = xasprintf("%s/%s", tmp, files[i][1]);

		rc = copy_file(from, to, i == 0 ? 0755 : 0644);
		free(from);
		free(to);
		if (rc)
			goto fail;
	}
	{
		char *f = xasprintf("%s/build.log", tmp);
		char *rel = xasprintf("%s\n", p->suffix);
		char *desc = xasprintf(
			"%s%s%s\n",
			p->spec.kind == KSPEC_PATCH ?
				"user patch on top of with: " :
				"",
			p->spec.kind == KSPEC_PATCH ? p->spec.path :
						      p->var.description,
			p->spec.debug ? " (+debug overlay)" : "");

		rc = copy_file(p->log, f, 0644);
		free(f);
		f = xasprintf("%s/patch", tmp);
		rc = rc ? rc : write_file(f, p->patch, strlen(p->patch));
		free(f);
		f = xasprintf("%s/description", tmp);
		rc = rc ? rc : write_file(f, desc, strlen(desc));
		free(f);
		f = xasprintf("%s/release-suffix", tmp);
		rc = rc ? rc : write_file(f, rel, strlen(rel));
		free(f);
		if (p->var.kernel_args && p->spec.kind == KSPEC_VARIANT) {
			char *a = xasprintf("%s\n", p->var.kernel_args);

			f = xasprintf("%s/kernel-args", tmp);
			rc = rc ? rc : write_file(f, a, strlen(a));
			free(f);
			free(a);
		}
		free(rel);
		free(desc);
		if (rc)
			goto fail;
	}
	if (rename(tmp, p->dir)) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			goto fail;
		rm_rf(tmp); /* built concurrently: keep the other one */
	}
	unlink(p->log);
	free(tmp);
	return 0;
fail:
	fprintf(stderr, "aioremap: error: cannot write %s: %s\n", tmp,
		strerror(errno));
	rm_rf(tmp);
	free(tmp);
	return EXIT_USAGE;
}

/*
 * Compiler warnings ("file.c:12:3: warning: ...") in this build's log; the
 * linker's RWX/executable-stack notes are in every UML build and ignored.
 * Only files that were recompiled show up, i.e. those the patch touched.
 */
static void report_warnings(const char *log)
{
	char *text = read_file(log, NULL), *save = NULL;
	int n = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *w = strstr(l, ": warning: ");
		char *dot;

		if (!w || !strncmp(l, "/usr/bin/ld", 11) ||
		    !strncmp(l, "ld:", 3))
			continue;
		*w = '\0';
		dot = strrchr(l, '.');
		*w = ':';
		if (!dot || !strchr("chS", dot[1]) || dot[2] != ':')
			continue;
		if (n++ < 5)
			warnx_("compiler: %s", l);
	}
	if (n)
		warnx_("%d compiler warning(s); see %s", n, log);
	free(text);
}

/* Half-written kernel folders of builds that died (we hold the lock). */
static void remove_stale_tmp(struct kctx *c)
{
	DIR *d = opendir(c->kernels);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strncmp(e->d_name, ".tmp-", 5)) {
			char *p = xasprintf("%s/%s", c->kernels, e->d_name);

			rm_rf(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
}

static int build(struct kctx *c, struct plan *p)
{
	char *lockp = xasprintf("%s/.build.lock", c->build);
	int lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	double t0 = elapsed_s(), t1;
	char *extra_lv = xasprintf("LOCALVERSION=%s", p->suffix);
	const char *const mk[] = { extra_lv, "linux", NULL };
	char *rel_path = NULL, *rel = NULL;
	int rc;

	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB)) {
		if (lock >= 0 && errno == EWOULDBLOCK) {
			progress("waiting for another kernel build to finish");
			flock(lock, LOCK_EX);
		} else {
			fprintf(stderr, "aioremap: error: cannot open %s: %s\n",
				lockp, strerror(errno));
			free(lockp);
			free(extra_lv);
			return EXIT_USAGE;
		}
	}
	free(lockp);
	if (is_dir(p->dir)) /* built while we waited */
		goto done;
	remove_stale_tmp(c);
	progress("building %s (%s) -> %s", p->name, p->hash, p->dir);
	if (!c->unpacked && (rc = unpack_source(c)))
		goto fail;
	unlink(p->log);
	if ((rc = sync_tree(c, p)))
		goto fail;
	if ((rc = configure(c, p)))
		goto fail;
	t1 = elapsed_s();
	progress("make linux (%s, LOCALVERSION=%s; log %s)", p->obj, p->suffix,
		 p->log);
	rc = kmake(c, p->obj, p->log, "make", mk);
	if (rc) {
		fprintf(stderr,
			"aioremap: error: building %s failed (make exit %d); "
			"log: %s\n",
			p->name, rc, p->log);
		tail_log(p->log, 25);
		first_errors(p->log);
		rc = EXIT_CHECK;
		goto fail;
	}
	rel_path = xasprintf("%s/include/config/kernel.release", p->obj);
	rel = read_file(rel_path, NULL);
	if (!rel || strlen(rstrip(rel)) < strlen(p->suffix) ||
	    strcmp(rel + strlen(rel) - strlen(p->suffix), p->suffix)) {
		fprintf(stderr,
			"aioremap: error: %s says the release is '%s', not "
			"ending in %s (is CONFIG_LOCALVERSION_AUTO on?)\n",
			rel_path, rel ? rel : "?", p->suffix);
		rc = EXIT_CHECK;
		goto fail;
	}
	report_warnings(p->log);
	progress("make done in %.1f s (release %s)", elapsed_s() - t1, rel);
	if ((rc = install(c, p)))
		goto fail;
done:
	progress("built %s in %.1f s: %s/linux", p->name, elapsed_s() - t0,
		 p->dir);
	rc = 0;
fail:
	free(rel_path);
	free(rel);
	free(extra_lv);
	close(lock);
	return rc;
}

/* ---- prebuilt kernels ---- */

static int check_uml_binary(const char *path)
{
	struct stat st;
	size_t len;
	char *data;
	bool elf, uml;

	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "aioremap: error: KERNEL=%s: %s\n", path,
			errno ? strerror(errno) : "not a regular file");
		return EXIT_USAGE;
	}
	if (access(path, X_OK)) {
		fprintf(stderr,
			"aioremap: error: KERNEL=%s is not executable (a UML "
			"kernel is a host program; chmod +x it)\n",
			path);
		return EXIT_USAGE;
	}
	data = read_file(path, &len);
	if (!data) {
		fprintf(stderr, "aioremap: error: cannot read %s: %s\n", path,
			strerror(errno));
		return EXIT_USAGE;
	}
	elf = len > 4 && !memcmp(data, "\177ELF", 4);
	uml = memmem(data, len, "Linux version ", 14) &&
	      memmem(data, len, "UML", 3) &&
	      memmem(data, len, "Kernel panic - not syncing", 26);
	free(data);
	if (!elf || !uml) {
		fprintf(stderr,
			"aioremap: error: KERNEL=%s is not a User-mode Linux "
			"kernel (%s); give the 'linux' binary of an ARCH=um "
			"build, e.g. /usr/bin/linux.uml\n",
			path,
			elf ? "an ELF program without the UML kernel's strings" :
			      "not an ELF executable");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- API ---- */

int kernel_resolve(const char *spec, bool do_build, struct kernel *out)
{
	struct kctx c;
	struct plan p;
	char *err = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (kspec_parse(spec, &p.spec, &err)) {
		fprintf(stderr, "aioremap: error: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	out->spec = xstrdup(spec);
	if (p.spec.kind == KSPEC_PREBUILT) {
		rc = check_uml_binary(p.spec.path);
		if (rc)
			goto fail;
		out->name = xstrdup(p.spec.name);
		out->linux_path = xstrdup(p.spec.path);
		out->base = xstrdup("with");
		out->description = xasprintf("prebuilt UML kernel %s, booted "
					     "as is",
					     p.spec.path);
		out->kernel_args = kargs_merge(NULL, p.spec.args);
		plan_free(&p);
		return 0;
	}
	rc = kctx_init(&c);
	if (rc) {
		plan_free(&p);
		kctx_free(&c);
		goto fail;
	}
	rc = plan_make(&c, &p);
	if (!rc && do_build && !is_dir(p.dir)) {
		if (mkdir_p(c.kernels, 0755) || access(c.build, W_OK) ||
		    access(c.kernels, W_OK)) {
			fprintf(stderr,
				"aioremap: error: cannot write to %s: %s (make "
				"the build folder writable)\n",
				c.kernels, strerror(errno));
			rc = EXIT_USAGE;
		} else {
			rc = build(&c, &p);
		}
	} else if (!rc && !is_dir(p.dir)) {
		fprintf(stderr,
			"aioremap: error: kernel %s is not built; run `aioremap "
			"build %s` (or `make kernels`)\n",
			spec, spec);
		rc = EXIT_USAGE;
	}
	if (!rc) {
		out->name = xstrdup(p.name);
		out->linux_path = xasprintf("%s/linux", p.dir);
		out->release_suffix = xstrdup(p.suffix);
		out->hash = xstrdup(p.hash);
		out->dir = xstrdup(p.dir);
		out->base = p.spec.kind == KSPEC_PATCH ? xstrdup("with") : NULL;
		out->description =
			p.spec.kind == KSPEC_PATCH ?
				xasprintf("user patch %s on top of with",
					  p.spec.path) :
				xasprintf("%s%s", p.var.description,
					  p.spec.debug ? " (+debug overlay)" :
							 "");
		out->debug = p.spec.debug;
		out->kernel_args = kargs_merge(
			p.spec.kind == KSPEC_VARIANT ? p.var.kernel_args : NULL,
			p.spec.args);
	}
	plan_free(&p);
	kctx_free(&c);
	if (!rc)
		return 0;
fail:
	kernel_free(out);
	return rc;
}

void kernel_free(struct kernel *k)
{
	free(k->spec);
	free(k->name);
	free(k->linux_path);
	free(k->release_suffix);
	free(k->hash);
	free(k->dir);
	free(k->base);
	free(k->description);
	free(k->kernel_args);
	memset(k, 0, sizeof(*k));
}

char **variant_list(void)
{
	char *d = project_path("uml-config/variants");
	char **v = variant_list_in(d);

	free(d);
	return v;
}
