// SPDX-License-Identifier: GPL-2.0
#include "shimsum.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shim_tsv_load(const char *path, struct shim_stats *s, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool end = false, magic = false;
	int lineno = 0;

	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fld[6] = { 0 }, *save, *tok;
		int n = 0;

		lineno++;
		for (tok = strtok_r(line, "\t\n", &save); tok && n < 6;
		     tok = strtok_r(NULL, "\t\n", &save))
			fld[n++] = tok;
		if (!n)
			continue;
		if (lineno == 1) {
			magic = !strcmp(fld[0], SHIM_MAGIC);
			if (!magic)
				break;
			continue;
		}
		if (!strcmp(fld[0], "end")) {
			end = true;
			continue;
		}
		if (n < 2)
			continue;
		if (!strcmp(fld[0], "remaps"))
			s->remaps += strtoull(fld[1], NULL, 10);
		else if (!strcmp(fld[0], "remap_failures"))
			s->remap_failures += strtoull(fld[1], NULL, 10);
		else if (!strcmp(fld[0], "errors"))
			s->errors += strtoull(fld[1], NULL, 10);
		else if (!strcmp(fld[0], "submit_ios"))
			s->ios += strtoull(fld[1], NULL, 10);
		else if (!strcmp(fld[0], "events"))
			s->events += strtoull(fld[1], NULL, 10);
		else if (!strcmp(fld[0], "calls") && n >= 3) {
			if (!strcmp(fld[1], "io_submit"))
				s->submit_calls += strtoull(fld[2], NULL, 10);
			else if (!strcmp(fld[1], "io_getevents"))
				s->getevents_calls +=
					strtoull(fld[2], NULL, 10);
		} else if (!strcmp(fld[0], "first_error") &&
			   strcmp(fld[1], "-") && !s->first_error[0]) {
			snprintf(s->first_error, sizeof(s->first_error), "%s",
				 fld[1]);
		} else if (!strcmp(fld[0], "hist") && n >= 5) {
			for (int h = 0; h < SHIM_NHIST; h++)
				if (!strcmp(fld[1], shim_hist_name[h]))
					s->hist[h][shim_bucket(
						strtoull(fld[2], NULL, 10))] +=
						strtoull(fld[4], NULL, 10);
		}
	}
	fclose(f);
	if (!magic) {
		snprintf(
			err, errlen,
			"%s: not a shim statistics file (first line is not \"%s\")",
			path, SHIM_MAGIC);
		return -1;
	}
	s->files++;
	if (!end)
		s->truncated++;
	return 0;
}

int shim_dir_load(const char *dir, struct shim_stats *s, char *err,
		  size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		snprintf(err, errlen, "cannot open %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *p;
		int r;

		if (strncmp(e->d_name, "shim-", 5) || l < 9 ||
		    strcmp(e->d_name + l - 4, ".tsv"))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			snprintf(err, errlen, "%s: out of memory", dir);
			closedir(d);
			return -1;
		}
		r = shim_tsv_load(p, s, err, errlen);
		free(p);
		if (r) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}
