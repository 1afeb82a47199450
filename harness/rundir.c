// SPDX-License-Identifier: GPL-2.0
#include "rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *rundir_create(const char *name)
{
	const char *base_env = getenv("AIOREMAP_RESULTS");
	char *base = base_env && *base_env ? xstrdup(base_env) :
					     project_path("results");
	char stamp[32], *dir, *link, *tmp;
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
	link = xasprintf("%s/latest", base);
	tmp = xasprintf("%s/.latest.%d", base, (int)getpid());
	unlink(tmp);
	if (symlink(strrchr(dir, '/') + 1, tmp) || rename(tmp, link))
		warnx_("cannot update %s: %s", link, strerror(errno));
	free(tmp);
	free(link);
	free(base);
	return dir;
}
