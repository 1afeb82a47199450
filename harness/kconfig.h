/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data in uml-config/: kconfig fragments and .config files, variant
 * folders, and kernel spec strings (see kernel.h for the spec syntax).
 */
#ifndef AIOREMAP_KCONFIG_H
#define AIOREMAP_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* One option: value is "y", "m", "\"str\"", "0x10", ... or "n" for
 * "# CONFIG_X is not set". */
struct kconfig_entry {
	char *name; /* "CONFIG_X" */
	char *value;
	char *origin; /* file it came from */
	int line;
};

struct kconfig {
	struct kconfig_entry *e;
	size_t n;
};

/*
 * Parse fragment/.config text. Blank lines and "# comments" are skipped;
 * "CONFIG_X=v" and "# CONFIG_X is not set" are options; a later line for
 * the same option replaces the earlier one (as merge_config.sh does).
 * Anything else is an error: returns -1 and *err = "origin:line: ...".
 * Entries are appended to @kc (which may already hold a fragment).
 */
int kconfig_parse(const char *text, const char *origin, struct kconfig *kc,
		  char **err);
/* Same, reading @path (origin = @path). */
int kconfig_load(const char *path, struct kconfig *kc, char **err);
const struct kconfig_entry *kconfig_get(const struct kconfig *kc,
					const char *name);
void kconfig_free(struct kconfig *kc);

/*
 * Check that every option in @want has the same value in @have (an option
 * absent from @have counts as "n"). Returns the number missing; *report
 * (malloc'd, or NULL when none) holds one line per missing option:
 * "Missing: CONFIG_X=y (requested by uml-config/base.config:3, got n)".
 */
size_t kconfig_check_subset(const struct kconfig *want,
			    const struct kconfig *have, char **report);

/* A variant folder uml-config/variants/<name>/. */
struct variant {
	char *name;
	char *dir; /* absolute */
	char *description; /* first line of description */
	char *patch; /* contents of patch ("" when empty) */
	char *patch_path;
	char *config_path; /* NULL when there is no config fragment */
	char *kernel_args; /* kernel-args joined by spaces, or NULL */
};

/*
 * Load variant @name from @variants_dir. Errors (unknown variant listing
 * the known ones, missing description or patch, bad name) return -1 with
 * *err set.
 */
int variant_load(const char *variants_dir, const char *name,
		 struct variant *out, char **err);
void variant_free(struct variant *v);
/* Sorted, NULL-terminated list of subfolders of @variants_dir. */
char **variant_list_in(const char *variants_dir);
void strv_free(char **v);

enum kspec_kind {
	KSPEC_VARIANT, /* "with", "with+debug" */
	KSPEC_PATCH, /* "patch:/path/x.patch[+debug]" */
	KSPEC_PREBUILT, /* "kernel:/path/linux" */
};

struct kspec {
	enum kspec_kind kind;
	char *name; /* variant name, patch file stem, or binary name */
	char *path; /* patch or kernel path (absolute), else NULL */
	bool debug;
	char *args; /* "@p=v@q=w" suffix as "p=v q=w", else NULL */
};

/*
 * Parse a spec string, "<kernel>[+debug][@param=value...]"; -1 with *err
 * on a malformed one. The @ suffix adds (or overrides) kernel parameters
 * for this boot only: it changes no build, e.g.
 * "slow-lookup@aio.lookup_delay_cycles=4000".
 */
int kspec_parse(const char *spec, struct kspec *out, char **err);
void kspec_free(struct kspec *s);
/*
 * @defaults with every parameter of @override added, replacing a default
 * of the same name ("a=1 b=2" + "b=3 c" -> "a=1 b=3 c"); either may be
 * NULL; returns NULL when both are empty.
 */
char *kargs_merge(const char *defaults, const char *override);
/* Valid variant/kernel name: [A-Za-z0-9._-], 1..40 chars, not "." "..". */
bool kname_valid(const char *name);

#endif
