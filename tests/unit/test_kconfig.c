// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig fragments, the subset check, variant folders and spec strings,
 * against the fixtures in tests/fixtures/kconfig/ (run from tests/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kconfig.h"

#define FIX "fixtures/kconfig/"
#define VARIANTS FIX "root/uml-config/variants"

static void test_parse_good(void **state)
{
	struct kconfig kc = { 0 };
	const struct kconfig_entry *e;
	char *err = NULL;

	(void)state;
	assert_int_equal(kconfig_load(FIX "good.config", &kc, &err), 0);
	assert_null(err);
	assert_int_equal(kc.n, 6);
	e = kconfig_get(&kc, "CONFIG_AIO");
	assert_non_null(e);
	assert_string_equal(e->value, "y");
	assert_int_equal(e->line, 3);
	e = kconfig_get(&kc, "CONFIG_BLK_DEV_UBD");
	assert_non_null(e);
	assert_string_equal(e->value, "n");
	assert_string_equal(kconfig_get(&kc, "CONFIG_LOCALVERSION")->value,
			    "\"\"");
	assert_string_equal(kconfig_get(&kc, "CONFIG_CMDLINE")->value,
			    "\"console=tty0 mem=64M\"");
	/* the later line wins, and remembers where it came from */
	e = kconfig_get(&kc, "CONFIG_HOSTFS");
	assert_string_equal(e->value, "m");
	assert_int_equal(e->line, 10);
	assert_null(kconfig_get(&kc, "CONFIG_TMPFS"));
	kconfig_free(&kc);
	assert_int_equal(kc.n, 0);
}

static void test_parse_malformed(void **state)
{
	struct kconfig kc = { 0 };
	char *err = NULL;

	(void)state;
	assert_int_equal(kconfig_load(FIX "malformed.config", &kc, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, FIX "malformed.config:3:"));
	assert_non_null(strstr(err, "HOSTFS=y"));
	free(err);
	kconfig_free(&kc);

	assert_int_equal(kconfig_load(FIX "malformed-notset.config", &kc, &err),
			 -1);
	assert_non_null(strstr(err, "malformed-notset.config:2:"));
	free(err);
	kconfig_free(&kc);

	assert_int_equal(kconfig_load(FIX "does-not-exist.config", &kc, &err),
			 -1);
	assert_non_null(strstr(err, "No such file"));
	free(err);
	kconfig_free(&kc);
}

static void test_parse_inline(void **state)
{
	static const char *const bad[] = {
		"CONFIG_AIO\n", "CONFIG_AIO=\n",     "CONFIG_A B=y\n",
		"CONFIG_=y\n",	"CONFIG_X=\"open\n", "CONFIG_X=y y\n",
	};
	struct kconfig kc = { 0 };
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kconfig_parse(bad[i], "t", &kc, &err), -1);
		assert_non_null(strstr(err, "t:1:"));
		free(err);
	}
	assert_int_equal(kconfig_parse("  \n\t# just a comment\n"
				       "CONFIG_X=0x10\r\n",
				       "t", &kc, &err),
			 0);
	assert_int_equal(kc.n, 1);
	assert_string_equal(kconfig_get(&kc, "CONFIG_X")->value, "0x10");
	kconfig_free(&kc);
}

static void test_subset(void **state)
{
	struct kconfig want = { 0 }, have = { 0 };
	char *err = NULL, *report = NULL;

	(void)state;
	assert_int_equal(kconfig_load(FIX "want.config", &want, &err), 0);
	assert_int_equal(kconfig_load(FIX "have.config", &have, &err), 0);
	/* KASAN=y missing, UBD wanted off but on; KASAN_VMALLOC absent = n */
	assert_int_equal(kconfig_check_subset(&want, &have, &report), 2);
	assert_non_null(report);
	assert_non_null(strstr(report,
			       "Missing: CONFIG_KASAN=y (requested by " FIX
			       "want.config:2"));
	assert_non_null(strstr(report,
			       "Missing: # CONFIG_BLK_DEV_UBD is not "
			       "set (requested by " FIX "want.config:3"));
	assert_null(strstr(report, "KASAN_VMALLOC"));
	assert_null(strstr(report, "CONFIG_AIO"));
	free(report);

	/* a config is a superset of itself */
	assert_int_equal(kconfig_check_subset(&have, &have, &report), 0);
	assert_null(report);
	kconfig_free(&want);
	kconfig_free(&have);
}

static void test_variant_load(void **state)
{
	struct variant v;
	char *err = NULL;

	(void)state;
	assert_int_equal(variant_load(VARIANTS, "alpha", &v, &err), 0);
	assert_string_equal(v.name, "alpha");
	assert_string_equal(v.description, "the alpha variant");
	assert_string_equal(v.patch, "");
	assert_non_null(v.config_path);
	assert_string_equal(v.kernel_args, "aio.x=1 foo=bar");
	variant_free(&v);

	assert_int_equal(variant_load(VARIANTS, "beta", &v, &err), 0);
	assert_string_equal(v.description, "beta variant");
	assert_null(v.config_path);
	assert_null(v.kernel_args);
	variant_free(&v);

	assert_int_equal(variant_load(VARIANTS, "nodesc", &v, &err), -1);
	assert_non_null(strstr(err, "nodesc/description is missing"));
	free(err);
	assert_int_equal(variant_load(VARIANTS, "nopatch", &v, &err), -1);
	assert_non_null(strstr(err, "nopatch/patch is missing"));
	free(err);

	assert_int_equal(variant_load(VARIANTS, "gamma", &v, &err), -1);
	assert_non_null(strstr(err, "unknown kernel variant 'gamma'"));
	assert_non_null(strstr(err, "known: alpha, beta, nodesc, nopatch"));
	free(err);
	/* no escaping the variants folder */
	assert_int_equal(variant_load(VARIANTS, "../variants", &v, &err), -1);
	free(err);
}

static void test_variant_list(void **state)
{
	char **v = variant_list_in(VARIANTS);

	(void)state;
	assert_string_equal(v[0], "alpha");
	assert_string_equal(v[1], "beta");
	assert_string_equal(v[2], "nodesc");
	assert_string_equal(v[3], "nopatch");
	assert_null(v[4]);
	strv_free(v);
	v = variant_list_in(FIX "nowhere");
	assert_null(v[0]);
	strv_free(v);
}

static void test_spec_parse(void **state)
{
	struct kspec s;
	char *err = NULL;

	(void)state;
	assert_int_equal(kspec_parse("with", &s, &err), 0);
	assert_int_equal(s.kind, KSPEC_VARIANT);
	assert_string_equal(s.name, "with");
	assert_false(s.debug);
	kspec_free(&s);

	assert_int_equal(kspec_parse("fixed+debug", &s, &err), 0);
	assert_string_equal(s.name, "fixed");
	assert_true(s.debug);
	kspec_free(&s);

	assert_int_equal(kspec_parse("patch:/a/b/fix-ring.patch", &s, &err), 0);
	assert_int_equal(s.kind, KSPEC_PATCH);
	assert_string_equal(s.name, "fix-ring");
	assert_string_equal(s.path, "/a/b/fix-ring.patch");
	kspec_free(&s);

	assert_int_equal(kspec_parse("patch:rel/x.diff+debug", &s, &err), 0);
	assert_string_equal(s.name, "x");
	assert_true(s.debug);
	assert_true(s.path[0] == '/');
	assert_non_null(strstr(s.path, "/rel/x.diff"));
	kspec_free(&s);

	assert_int_equal(kspec_parse("kernel:/usr/bin/linux.uml", &s, &err), 0);
	assert_int_equal(s.kind, KSPEC_PREBUILT);
	assert_string_equal(s.name, "linux.uml");
	kspec_free(&s);
	assert_int_equal(kspec_parse("kernel:/src/linux-next/linux", &s, &err),
			 0);
	assert_string_equal(s.name, "linux-next");
	kspec_free(&s);

	assert_int_equal(kspec_parse("kernel:/x/linux+debug", &s, &err), -1);
	assert_non_null(strstr(err, "booted as is"));
	free(err);
	assert_int_equal(kspec_parse("patch:", &s, &err), -1);
	free(err);
	assert_int_equal(kspec_parse("a/b", &s, &err), -1);
	assert_non_null(strstr(err, "bad kernel name"));
	free(err);
	assert_int_equal(kspec_parse("", &s, &err), -1);
	free(err);

	/* @ suffix: kernel parameters for the boot, no build change. */
	assert_int_equal(kspec_parse("slow-lookup@aio.lookup_delay_cycles=4000",
				     &s, &err),
			 0);
	assert_string_equal(s.name, "slow-lookup");
	assert_string_equal(s.args, "aio.lookup_delay_cycles=4000");
	assert_false(s.debug);
	kspec_free(&s);
	assert_int_equal(kspec_parse("with+debug@a=1@b", &s, &err), 0);
	assert_string_equal(s.name, "with");
	assert_true(s.debug);
	assert_string_equal(s.args, "a=1 b");
	kspec_free(&s);
	/* An '@' inside a path stays part of the path. */
	assert_int_equal(kspec_parse("patch:/t/v@2/x.patch@q=1", &s, &err), 0);
	assert_string_equal(s.path, "/t/v@2/x.patch");
	assert_string_equal(s.args, "q=1");
	kspec_free(&s);
	assert_int_equal(kspec_parse("kernel:/a@b/linux.uml", &s, &err), 0);
	assert_string_equal(s.path, "/a@b/linux.uml");
	assert_null(s.args);
	kspec_free(&s);
	assert_int_equal(kspec_parse("with@", &s, &err), -1);
	assert_non_null(strstr(err, "needs a kernel parameter"));
	free(err);
	assert_int_equal(kspec_parse("with@=3", &s, &err), -1);
	assert_non_null(strstr(err, "bad kernel parameter '=3'"));
	free(err);
	assert_int_equal(kspec_parse("with@a;rm", &s, &err), -1);
	free(err);

	assert_true(kname_valid("mutant-user-id-only"));
	assert_false(kname_valid(".."));
	assert_false(kname_valid("a b"));
}

static void test_kargs_merge(void **state)
{
	char *m;

	(void)state;
	assert_null(kargs_merge(NULL, NULL));
	assert_null(kargs_merge("", " "));
	m = kargs_merge("aio.lookup_delay_cycles=400", NULL);
	assert_string_equal(m, "aio.lookup_delay_cycles=400");
	free(m);
	m = kargs_merge("aio.lookup_delay_cycles=400",
			"aio.lookup_delay_cycles=4000");
	assert_string_equal(m, "aio.lookup_delay_cycles=4000");
	free(m);
	m = kargs_merge("a=1 b=2  ab=5", "b=3 c");
	assert_string_equal(m, "a=1 ab=5 b=3 c");
	free(m);
	m = kargs_merge(NULL, "x=1");
	assert_string_equal(m, "x=1");
	free(m);
	/* A bare flag overrides its valued form and vice versa. */
	m = kargs_merge("quiet a=1", "quiet=0 a");
	assert_string_equal(m, "quiet=0 a");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_inline),
		cmocka_unit_test(test_subset),
		cmocka_unit_test(test_variant_load),
		cmocka_unit_test(test_variant_list),
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_kargs_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
