// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_resolve() on inputs that need no kernel build: prebuilt binaries
 * (good and bad), unknown variants, a missing source package, and a
 * variant that is not built yet. Runs with AIOREMAP_ROOT pointing at
 * tests/fixtures/kconfig/root, so nothing in the real build/ is touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel.h"
#include "util.h"

static int setup(void **state)
{
	(void)state;
	setenv("AIOREMAP_ROOT", "fixtures/kconfig/root", 1);
	/* a "tarball" that exists, so the source is known but not unpacked */
	setenv("AIOREMAP_LINUX_TARBALL", "fixtures/kconfig/good.config", 1);
	return 0;
}

static void test_prebuilt_bad(void **state)
{
	struct kernel k;

	(void)state;
	assert_int_equal(kernel_resolve("kernel:/bin/true", true, &k),
			 EXIT_USAGE);
	assert_null(k.name);
	assert_int_equal(kernel_resolve("kernel:/nonexistent/linux", true, &k),
			 EXIT_USAGE);
	/* not executable */
	assert_int_equal(kernel_resolve("kernel:fixtures/kconfig/good.config",
					true, &k),
			 EXIT_USAGE);
}

static void test_prebuilt_good(void **state)
{
	struct kernel k;

	(void)state;
	if (access("/usr/bin/linux.uml", X_OK))
		skip();
	assert_int_equal(kernel_resolve("kernel:/usr/bin/linux.uml", false, &k),
			 0);
	assert_string_equal(k.name, "linux.uml");
	assert_string_equal(k.linux_path, "/usr/bin/linux.uml");
	assert_null(k.release_suffix);
	assert_null(k.hash);
	assert_null(k.dir);
	assert_false(k.debug);
	kernel_free(&k);
}

static void test_unknown_variant(void **state)
{
	struct kernel k;

	(void)state;
	assert_int_equal(kernel_resolve("nope", false, &k), EXIT_USAGE);
	assert_int_equal(kernel_resolve("nodesc", false, &k), EXIT_USAGE);
	assert_int_equal(kernel_resolve("patch:/nonexistent/x.patch", false,
					&k),
			 EXIT_USAGE);
}

static void test_not_built(void **state)
{
	struct kernel k;

	(void)state;
	/* valid variant, not built, build=false: a usage error, no writes */
	assert_int_equal(kernel_resolve("alpha", false, &k), EXIT_USAGE);
	assert_false(is_dir("fixtures/kconfig/root/build"));
}

static void test_missing_source(void **state)
{
	struct kernel k;

	(void)state;
	setenv("AIOREMAP_LINUX_TARBALL", "/nonexistent/linux-source.tar.xz", 1);
	assert_int_equal(kernel_resolve("alpha", true, &k), EXIT_USAGE);
	assert_false(is_dir("fixtures/kconfig/root/build"));
	setenv("AIOREMAP_LINUX_TARBALL", "fixtures/kconfig/good.config", 1);
}

static void test_variant_list(void **state)
{
	char **v = variant_list();

	(void)state;
	assert_string_equal(v[0], "alpha");
	assert_string_equal(v[1], "beta");
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prebuilt_bad),
		cmocka_unit_test(test_prebuilt_good),
		cmocka_unit_test(test_unknown_variant),
		cmocka_unit_test(test_not_built),
		cmocka_unit_test(test_missing_source),
		cmocka_unit_test(test_variant_list),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
