// SPDX-License-Identifier: GPL-2.0
#include "rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *rundir_base(void)
{
	const char *base_env = getenv("AIOREMAP_RESULTS");

	return base_env && *base_env ? xstrdup(base_env) :
				       project_path("results");
}

void rundir_link(const char *run, const char *link_name)
{
	char *base = rundir_base();
	char *link = xasprintf("%s/%s", base, link_name);
	char *tmp = xasprintf("%s/.%s.%d", base, link_name, (int)getpid());
	const char *slash = strrchr(run, '/');

	unlink(tmp);
	if (symlink(slash ? slash + 1 : run, tmp) || rename(tmp, link))
		warnx_("cannot update %s: %s", link, strerror(errno));
	free(tmp);
	free(link);
	free(base);
}

char *rundir_create(const char *name)
{
	char *base = rundir_base();
	char stamp[32], *dir;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (mkdir_p(base, 0755) || access(base, W_OK))
		die(EXIT_USAGE,
		    "results folder %s is not writable (%s): fix its permissions or set AIOREMAP_RESULTS",
		    base, strerror(errno ? errno : EACCES));
	dir = xasprintf("%s/%s-%s", base, stamp, name);
	for (int i = 2; path_exists(dir); i++) {
		free(dir);
		dir = xasprintf("%s/%s-%s.%d", base, stamp, name, i);
	}
	if (mkdir_p(dir, 0755))
		die(EXIT_USAGE, "cannot create %s: %s", dir, strerror(errno));
	free(base);
	rundir_link(dir, "latest");
	return dir;
}

static char *cpu_model(void)
{
	char *s = read_file("/proc/cpuinfo", NULL), *p, *r;

	p = s ? strstr(s, "model name") : NULL;
	p = p ? strchr(p, ':') : NULL;
	if (!p) {
		free(s);
		return xstrdup("?");
	}
	p += 2;
	*strchrnul(p, '\n') = 0;
	r = xstrdup(p);
	free(s);
	return r;
}

void rundir_host_meta(json_t *meta)
{
	static char *const tools[][3] = {
		{ "gcc", "--version", NULL },
		{ "fio", "--version", NULL },
		{ "gnuplot", "--version", NULL },
	};
	struct utsname u;
	char *v;

	uname(&u);
	json_object_set_new(meta, "host", json_string(u.nodename));
	json_object_set_new(meta, "host_kernel", json_string(u.release));
	v = cpu_model();
	json_object_set_new(meta, "cpu", json_string(v));
	free(v);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		v = run_first_line(tools[i]);
		json_object_set_new(meta, tools[i][0], json_string(v));
		free(v);
	}
}
