// SPDX-License-Identifier: GPL-2.0
/* Console scanning against recorded guest console logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console.h"
#include "util.h"

static char *fixture(const char *name)
{
	char *path = xasprintf("fixtures/console/%s", name);
	char *text = read_file(path, NULL);

	if (!text)
		fail_msg("cannot read %s (run from tests/)", path);
	free(path);
	return text;
}

static const struct check_result *find(const struct console_scan *s,
				       const char *name)
{
	for (int i = 0; i < s->nchecks; i++)
		if (!strcmp(s->checks[i].name, name))
			return &s->checks[i];
	return NULL;
}

static void scan_fixture(const char *name, struct console_scan *s)
{
	char *text = fixture(name);

	console_scan(text, s);
	free(text);
}

static void test_clean_boot(void **state)
{
	struct console_scan s;

	(void)state;
	scan_fixture("pass.log", &s);
	assert_null(s.splat);
	assert_true(s.init_done);
	assert_string_equal(s.uname, "6.1.176");
	assert_int_equal(s.planned_workloads, 1);
	assert_int_equal(s.nworkloads, 1);
	assert_int_equal(s.workloads[0].status, CHECK_PASS);
	assert_int_equal(s.nchecks, 2);
	assert_string_equal(s.checks[0].name, "selftest.first");
	assert_int_equal(s.checks[1].status, CHECK_PASS);
	console_scan_free(&s);
}

static void test_failed_check_keeps_evidence(void **state)
{
	const struct check_result *c;
	struct console_scan s;

	(void)state;
	scan_fixture("fail.log", &s);
	assert_null(s.splat);
	c = find(&s, "selftest.second");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->evidence, "got: -22 (EINVAL)"));
	c = find(&s, "selftest.first");
	assert_int_equal(c->status, CHECK_PASS);
	assert_string_equal(c->evidence, "");
	/* The failed check explains the workload's exit 1. */
	assert_null(find(&s, "selftest.exit"));
	assert_int_equal(s.workloads[0].status, CHECK_FAIL);
	console_scan_free(&s);
}

static void test_panic_mid_workload(void **state)
{
	struct console_scan s;

	(void)state;
	scan_fixture("panic.log", &s);
	assert_non_null(s.splat);
	assert_non_null(strstr(s.splat, "Kernel panic - not syncing"));
	assert_true(s.splat_line > 100);
	assert_false(s.init_done);
	assert_int_equal(find(&s, "selftest.first")->status, CHECK_PASS);
	assert_int_equal(find(&s, "selftest.#2")->status, CHECK_MISSING);
	assert_int_equal(s.workloads[0].status, CHECK_MISSING);
	console_scan_free(&s);
}

static void test_hang_is_cut_short(void **state)
{
	struct console_scan s;

	(void)state;
	scan_fixture("hang.log", &s);
	assert_null(s.splat);
	assert_false(s.init_done);
	assert_int_equal(find(&s, "selftest.#2")->status, CHECK_MISSING);
	console_scan_free(&s);
}

static void test_segv_reports_signal(void **state)
{
	const struct check_result *c;
	struct console_scan s;

	(void)state;
	scan_fixture("segv.log", &s);
	assert_true(s.init_done);
	c = find(&s, "selftest.exit");
	assert_non_null(c);
	assert_non_null(strstr(c->evidence, "signal 11"));
	console_scan_free(&s);
}

static void test_kasan_and_lockdep_are_splats(void **state)
{
	struct console_scan s;

	(void)state;
	scan_fixture("kasan.log", &s);
	assert_non_null(s.splat);
	assert_non_null(strstr(s.splat, "KASAN: use-after-free"));
	/* The workload still said ok: the splat must not be lost. */
	assert_int_equal(find(&s, "selftest.second")->status, CHECK_PASS);
	console_scan_free(&s);

	scan_fixture("lockdep.log", &s);
	assert_non_null(s.splat);
	assert_non_null(strstr(s.splat, "circular locking"));
	console_scan_free(&s);
}

static void test_ktap_lines_are_never_splats(void **state)
{
	struct console_scan s;

	(void)state;
	assert_null(console_splat_marker("    # BUG: quoted by a workload"));
	assert_null(console_splat_marker("not ok 3 WARNING: looks-like"));
	assert_non_null(console_splat_marker("[  1.2] BUG: unable to handle"));
	console_scan("KTAP version 1\n1..1\n    1..1\n"
		     "    # expected WARNING: none\n    ok 1 a\nok 1 w\n",
		     &s);
	assert_null(s.splat);
	assert_int_equal(s.nchecks, 1);
	assert_string_equal(s.checks[0].name, "w.a");
	console_scan_free(&s);
}

static void test_skip_and_garbage(void **state)
{
	struct console_scan s;

	(void)state;
	console_scan(
		"junk ok\nok x y\n    1..2\n    ok 1 a # SKIP no device\n"
		"   interleaved printk\n    not ok 2 b\nnot ok 1 w # exit 1\n",
		&s);
	assert_int_equal(s.nchecks, 2);
	assert_int_equal(s.checks[0].status, CHECK_SKIP);
	assert_int_equal(s.checks[1].status, CHECK_FAIL);
	console_scan_free(&s);
	/* A workload that fails without a failed check gets an exit check. */
	console_scan("    1..1\n    ok 1 a\nnot ok 1 w # exit 2\n", &s);
	assert_int_equal(s.nchecks, 2);
	assert_string_equal(s.checks[1].name, "w.exit");
	assert_non_null(strstr(s.checks[1].evidence, "exit 2"));
	assert_int_equal(s.planned_workloads, -1);
	console_scan_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_boot),
		cmocka_unit_test(test_failed_check_keeps_evidence),
		cmocka_unit_test(test_panic_mid_workload),
		cmocka_unit_test(test_hang_is_cut_short),
		cmocka_unit_test(test_segv_reports_signal),
		cmocka_unit_test(test_kasan_and_lockdep_are_splats),
		cmocka_unit_test(test_ktap_lines_are_never_splats),
		cmocka_unit_test(test_skip_and_garbage),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
