/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernels the harness can boot, named by a spec string:
 *
 *   with, without, fixed, ...   a variant folder under uml-config/variants/
 *   with+debug                   that variant with uml-config/debug.config
 *   patch:/path/to/x.patch       the user's patch on top of `with`
 *                                (named "x", judged against base "with")
 *   kernel:/path/to/linux        a prebuilt UML binary, booted as is
 *
 * Built kernels live in build/kernels/<name>-<hash>/ (linux, .config,
 * patch, build.log), keyed by a content hash of the source version,
 * compiler version, config fragments and patch, so a warm build does
 * nothing and a compiler upgrade rebuilds.
 */
#ifndef AIOREMAP_KERNEL_H
#define AIOREMAP_KERNEL_H

#include <stdbool.h>

struct kernel {
	char *spec; /* as given */
	char *name; /* short name used in results and reports */
	char *linux_path; /* absolute path of the UML binary */
	char *release_suffix; /* "-aioremap-<name>", NULL for kernel: */
	char *hash; /* content hash, NULL for kernel: */
	char *dir; /* build/kernels/<name>-<hash>, NULL for kernel: */
	char *base; /* variant it is judged against, or NULL */
	char *description; /* one line */
	bool debug; /* debug overlay applied */
	char *kernel_args; /* default kernel parameters for this kernel
				 * (space-separated, from the variant's
				 * kernel-args file), or NULL */
};

/*
 * Resolve @spec; when @build is true, build it if it is not cached.
 * Errors (unknown variant, missing patch, not a UML binary, build
 * failure) are reported on stderr naming the fix; returns 0, or
 * EXIT_USAGE for bad input/setup, EXIT_CHECK for a failed build.
 */
int kernel_resolve(const char *spec, bool build, struct kernel *out);
void kernel_free(struct kernel *k);

/* Names of the variant folders (sorted, NULL-terminated, malloc'd). */
char **variant_list(void);

#endif
