/* scripts/regression/regress, the regression runner: a small seeded regression on the Verilated RTL
 * passes and writes JUnit XML that validates against tests/regress/junit.xsd (xmllint), a
 * results.json and a summary; the same seed gives the same test list; a test past its time
 * limit is a failure and the regression goes on; --rerun-failed runs exactly the failures;
 * bad input (unknown simulator, unreadable test list, unwritable output) is named with exit 2.
 * Needs the attnkit CLI with the simulator (AK_CLI). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ak_test.h"

static char dir[] = "/tmp/ak_test_regress_XXXXXX";

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    const int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static int count_passed(const char *results, int *total)
{
    cJSON *j = ak_test_read_json(results);
    int passed = 0;
    *total = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "results")) {
        (*total)++;
        passed += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "passed"));
    }
    cJSON_Delete(j);
    return passed;
}

static void test_small_regression(void)
{
    char out[256], path[512];
    snprintf(out, sizeof out, "%s/run", dir);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 5 --count 8 -j 2 --out %s "
                       ">/dev/null 2>&1",
                       ak_test_cli(), out),
                    0);
    snprintf(path, sizeof path, "%s/results.json", out);
    int total = 0;
    CU_ASSERT_EQUAL(count_passed(path, &total), 8);
    CU_ASSERT_EQUAL(total, 8);
    CU_ASSERT_EQUAL(sh("xmllint --noout --schema tests/regress/junit.xsd %s/junit.xml "
                       "2>/dev/null%s",
                       out, ""),
                    0);
    snprintf(path, sizeof path, "%s/summary.md", out);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);
    /* the same seed gives the same list */
    char again[256];
    snprintf(again, sizeof again, "%s/again", dir);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 5 --count 8 --sim model --out %s "
                       ">/dev/null 2>&1",
                       ak_test_cli(), again),
                    0);
    char cmp[700];
    snprintf(cmp, sizeof cmp, "cmp -s %s/tests.json %s/tests.json", out, again);
    CU_ASSERT_EQUAL(system(cmp), 0);
}

static void test_timeout_and_rerun(void)
{
    char out[256];
    snprintf(out, sizeof out, "%s/slow", dir);
    /* a time limit no test can meet: every test fails as a timeout, none is lost */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 9 --count 3 -j 2 --timeout 0.001 "
                       "--no-wave --out %s >/dev/null 2>&1",
                       ak_test_cli(), out),
                    1);
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", out);
    int total = 0;
    CU_ASSERT_EQUAL(count_passed(path, &total), 0);
    CU_ASSERT_EQUAL(total, 3);
    CU_ASSERT_EQUAL(sh("grep -q 'timeout: no result within\\|timeout: vecgen' %s/junit.xml%s",
                       out, ""),
                    0);
    /* the failures again, now with time enough: all pass */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --rerun-failed -j 2 --out %s "
                       ">/dev/null 2>&1",
                       ak_test_cli(), out),
                    0);
    CU_ASSERT_EQUAL(count_passed(path, &total), 3);
}

static void expect_exit2(const char *args, const char *needle)
{
    char cmd[1024], buf[4096] = "";
    snprintf(cmd, sizeof cmd, "scripts/regression/regress --attnkit %s %s 2>&1", ak_test_cli(), args);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    const int rc = pclose(p);
    const int ok = WEXITSTATUS(rc) == 2 && strstr(buf, needle);
    if (!ok)
        printf("\n  regress %s: exit %d, wanted 2 and '%s': %s\n", args, WEXITSTATUS(rc), needle,
               buf);
    CU_ASSERT(ok);
}

static void test_bad_input(void)
{
    char args[512];
    expect_exit2("--sim spice", "unknown simulator");
    snprintf(args, sizeof args, "--tests %s/none.json --out %s/x", dir, dir);
    expect_exit2(args, "cannot read it");
    expect_exit2("--out /proc/ak_regress", "cannot write there");
    snprintf(args, sizeof args, "--rerun-failed --out %s/empty", dir);
    expect_exit2(args, "no usable last run");
}

static int setup(void)
{
    return mkdtemp(dir) ? 0 : 1;
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_regress: could not remove %s\n", dir);
}

int ak_test_register(void)
{
    if (setup())
        return 1;
    atexit(teardown);
    return AK_SUITE("regress", {"8 seeded tests pass, JUnit validates, same seed same list",
                                test_small_regression},
                    {"time limit is a failure; --rerun-failed", test_timeout_and_rerun},
                    {"bad input: exit 2, named", test_bad_input});
}
