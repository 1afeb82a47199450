// SPDX-License-Identifier: GPL-2.0
/* Expectations file parsing, lookup and the verdict for each cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"
#include "util.h"

static const char rules[] =
	"# comment\n"
	"\n"
	"claims.claim-a-*   without   fail  no hook: new address unknown\n"
	"edge.edge-04-*     with      fail  partial move not rejected in 6.1\n"
	"edge.edge-04-*     with+debug fail\n"
	"edge.edge-12-*     *         any   probe only\n"
	"claims.*           mutant-*  fail  each mutant breaks a claim\n"
	"claims.claim-b-*   mutant-mmap-base-only pass\n";

static void test_lookup(void **state)
{
	struct expectations e;
	const char *why;
	char *err;

	(void)state;
	assert_int_equal(expect_parse(rules, "x", &e, &err), 0);
	assert_int_equal(e.n, 6);
	assert_int_equal(expect_lookup(&e, "claims.claim-a-new", "without",
				       &why),
			 EXPECT_FAIL);
	assert_string_equal(why, "no hook: new address unknown");
	/* `without` must not match a `with` rule. */
	assert_int_equal(expect_lookup(&e, "edge.edge-04-partial", "without",
				       NULL),
			 EXPECT_PASS);
	assert_int_equal(expect_lookup(&e, "edge.edge-04-partial", "with",
				       NULL),
			 EXPECT_FAIL);
	assert_int_equal(expect_lookup(&e, "edge.edge-04-partial", "with+debug",
				       NULL),
			 EXPECT_FAIL);
	assert_int_equal(expect_lookup(&e, "edge.edge-12-shrink", "fixed",
				       NULL),
			 EXPECT_ANY);
	/* The last matching line wins. */
	assert_int_equal(expect_lookup(&e, "claims.claim-b-x",
				       "mutant-mmap-base-only", NULL),
			 EXPECT_PASS);
	assert_int_equal(expect_lookup(&e, "claims.claim-b-x",
				       "mutant-user-id-only", NULL),
			 EXPECT_FAIL);
	assert_int_equal(expect_lookup(&e, "integrity.header", "fixed", NULL),
			 EXPECT_PASS);
	expect_free(&e);
}

static void test_malformed(void **state)
{
	struct expectations e;
	char *err;

	(void)state;
	assert_int_equal(
		expect_parse("a b pass\n\nc d maybe\n", "exp", &e, &err), -1);
	assert_string_equal(
		err, "exp:3: expectation 'maybe' is not pass, fail or any");
	free(err);
	assert_int_equal(expect_parse("only-two fields\n", "exp", &e, &err),
			 -1);
	assert_non_null(strstr(err, "exp:1:"));
	free(err);
	assert_int_equal(expect_load("/nonexistent/expectations", &e, &err),
			 -1);
	free(err);
}

static void test_judge(void **state)
{
	(void)state;
	assert_int_equal(expect_judge(EXPECT_PASS, CHECK_PASS), VERDICT_PASS);
	assert_int_equal(expect_judge(EXPECT_PASS, CHECK_FAIL),
			 VERDICT_UNEXPECTED_FAIL);
	assert_int_equal(expect_judge(EXPECT_PASS, CHECK_MISSING),
			 VERDICT_UNEXPECTED_FAIL);
	assert_int_equal(expect_judge(EXPECT_FAIL, CHECK_FAIL), VERDICT_XFAIL);
	assert_int_equal(expect_judge(EXPECT_FAIL, CHECK_PASS),
			 VERDICT_UNEXPECTED_PASS);
	assert_int_equal(expect_judge(EXPECT_FAIL, CHECK_SKIP), VERDICT_SKIP);
	assert_int_equal(expect_judge(EXPECT_ANY, CHECK_FAIL), VERDICT_PROBE);
	assert_true(verdict_is_bad(VERDICT_UNEXPECTED_PASS));
	assert_false(verdict_is_bad(VERDICT_XFAIL));
}

static void test_project_file_parses(void **state)
{
	struct expectations e;
	char *err = NULL;

	(void)state;
	if (expect_load("../uml-config/expectations", &e, &err))
		fail_msg("%s", err);
	assert_true(e.n > 0);
	expect_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_project_file_parses),
	};
	return cmocka_run_group_tests_name("expect", tests, NULL, NULL);
}
