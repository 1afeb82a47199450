// SPDX-License-Identifier: GPL-2.0
/*
 * aioremap build / aioremap variants: the command line over kernel.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig.h"
#include "kernel.h"
#include "util.h"

static void build_usage(FILE *f)
{
	fprintf(f,
		"usage: aioremap build [--all] [--debug] [--patch P]... "
		"[--kernel K] [spec...]\n"
		"\n"
		"Build UML kernels, cached by a content hash of (source, config\n"
		"fragments, patch) in build/kernels/<name>-<hash>/. A cached kernel\n"
		"is not rebuilt. Specs:\n"
		"  <variant>              a folder in uml-config/variants/ "
		"(aioremap variants)\n"
		"  <variant>+debug        with uml-config/debug.config (KASAN, "
		"lockdep, ...)\n"
		"  patch:/path/x.patch    your patch on top of 'with', named 'x'\n"
		"  kernel:/path/linux     a prebuilt UML binary: only checked\n"
		"\n"
		"options:\n"
		"  --all        every variant (not +debug unless --debug)\n"
		"  --debug      build the +debug form of every spec given\n"
		"  --patch P    same as patch:P (make kernels PATCH=P)\n"
		"  --kernel K   same as kernel:K (make kernels KERNEL=K)\n"
		"  --kernels L  specs separated by ',' or ' ' (KERNELS=L)\n"
		"  -h, --help   this text\n"
		"  (--boots, --samples, --seed, --threshold-ns, --duration,\n"
		"  --name, --no-debug, --quick are accepted and unused: make\n"
		"  passes them to every command)\n"
		"\n"
		"The source (Debian linux-source-6.1) is unpacked once into\n"
		"build/src/; non-debug kernels share build/obj-base, debug ones\n"
		"build/obj-debug. ccache is used when installed (build/ccache).\n"
		"Exit status: 0 built, 1 a build failed, 2 usage or setup error.\n");
}

static void add(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "debug", no_argument, NULL, 'd' },
		{ "patch", required_argument, NULL, 'p' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernels", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		/* knobs `make` passes to every command: accepted, unused */
		{ "boots", required_argument, NULL, 'i' },
		{ "samples", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 'i' },
		{ "threshold-ns", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'i' },
		{ "no-debug", no_argument, NULL, 'i' },
		{ "quick", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	char **specs = NULL;
	size_t n = 0, built = 0;
	bool all = false, debug = false;
	int c, worst = 0;
	double t0 = elapsed_s();

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'p':
			add(&specs, &n, xasprintf("patch:%s", optarg));
			break;
		case 'k':
			add(&specs, &n, xasprintf("kernel:%s", optarg));
			break;
		case 'K': {
			char *l = xstrdup(optarg), *save = NULL;

			for (char *t = strtok_r(l, ", ", &save); t;
			     t = strtok_r(NULL, ", ", &save))
				add(&specs, &n, xstrdup(t));
			free(l);
			break;
		}
		case 'i':
			break;
		case 'h':
			build_usage(stdout);
			return EXIT_OK;
		default:
			build_usage(stderr);
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		add(&specs, &n, xstrdup(argv[i]));
	if (all) {
		char **v = variant_list();

		if (!*v)
			die(EXIT_USAGE, "no variants in uml-config/variants/");
		/* variants first, in a fixed order: with first (the base) */
		for (char **p = v; *p; p++)
			if (!strcmp(*p, "with"))
				add(&specs, &n, xstrdup(*p));
		for (char **p = v; *p; p++)
			if (strcmp(*p, "with"))
				add(&specs, &n, xstrdup(*p));
		strv_free(v);
	}
	if (!n) {
		fprintf(stderr, "aioremap: error: nothing to build: give "
				"--all or a spec\n\n");
		build_usage(stderr);
		return EXIT_USAGE;
	}
	if (debug) {
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(specs[i]);

			if (!strncmp(specs[i], "kernel:", 7) ||
			    (l > 6 && !strcmp(specs[i] + l - 6, "+debug")))
				continue;
			char *s = xasprintf("%s+debug", specs[i]);

			free(specs[i]);
			specs[i] = s;
		}
	}
	/* check every spec before building anything */
	for (size_t i = 0; i < n; i++) {
		struct kspec ks;
		char *err = NULL;

		if (kspec_parse(specs[i], &ks, &err))
			die(EXIT_USAGE, "%s", err);
		if (ks.kind == KSPEC_VARIANT) {
			char *dir = project_path("uml-config/variants");
			struct variant v;

			if (variant_load(dir, ks.name, &v, &err))
				die(EXIT_USAGE, "%s", err);
			variant_free(&v);
			free(dir);
		} else if (ks.kind == KSPEC_PATCH && access(ks.path, R_OK)) {
			die(EXIT_USAGE, "cannot read patch %s: %s", ks.path,
			    strerror(errno));
		}
		kspec_free(&ks);
	}
	for (size_t i = 0; i < n; i++) {
		struct kernel k;
		int rc = kernel_resolve(specs[i], true, &k);

		if (rc) {
			if (rc == EXIT_USAGE) {
				/* bad input: stop, nothing else to do */
				for (size_t j = 0; j < n; j++)
					free(specs[j]);
				free(specs);
				return rc;
			}
			worst = rc > worst ? rc : worst;
			continue;
		}
		printf("%-24s %s\n", k.name, k.linux_path);
		fflush(stdout);
		built++;
		kernel_free(&k);
	}
	progress("%zu of %zu kernel(s) ready in %.1f s", built, n,
		 elapsed_s() - t0);
	for (size_t j = 0; j < n; j++)
		free(specs[j]);
	free(specs);
	return worst;
}

int cmd_variants(int argc, char **argv)
{
	char *dir = project_path("uml-config/variants");
	char **v;

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: aioremap variants\n\n"
		       "List the kernel variants (uml-config/variants/<name>/: "
		       "patch,\n"
		       "description, optional config and kernel-args) and the "
		       "other\n"
		       "kernel specs. See uml-config/README.md.\n");
		free(dir);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: aioremap variants\n");
		free(dir);
		return EXIT_USAGE;
	}
	v = variant_list_in(dir);
	if (!*v) {
		fprintf(stderr, "aioremap: error: no variants in %s\n", dir);
		free(dir);
		strv_free(v);
		return EXIT_USAGE;
	}
	for (char **p = v; *p; p++) {
		struct variant var;
		char *err = NULL;

		if (variant_load(dir, *p, &var, &err)) {
			printf("%-22s (broken: %s)\n", *p, err);
			free(err);
			continue;
		}
		printf("%-22s %s\n", var.name, var.description);
		if (var.kernel_args)
			printf("%-22s   default kernel args: %s\n", "",
			       var.kernel_args);
		variant_free(&var);
	}
	printf("\nalso: <variant>+debug (uml-config/debug.config), "
	       "patch:/path/x.patch (on top of with),\n"
	       "      kernel:/path/linux (prebuilt UML binary, booted as is);\n"
	       "      any of them @param=value[@...] (kernel parameters for "
	       "the boot, no rebuild,\n"
	       "      e.g. slow-lookup@aio.lookup_delay_cycles=4000)\n");
	strv_free(v);
	free(dir);
	return EXIT_OK;
}
