/* scripts/data/accuracy_sweep.py on the committed real slice (--quick grid): it runs, writes its four
 * files, its dense row equals `attnkit accuracy` run directly and `attnkit estimate`'s cycles,
 * speed-ups follow the cycle counts, the recommended point is consistent with its own rule,
 * and bad input is exit 2 with nothing written. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ak_test.h"

#define SLICE "vectors/real/minilm-l6-n128"

static char root[] = "/tmp/ak_test_accuracy_sweep.XXXXXX";
static char buf[1 << 20];

/* Runs a shell command, output into buf; returns its exit status. */
static int sh(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void test_quick_sweep(void)
{
    char cmd[2048], out[600], path[700];
    snprintf(out, sizeof out, "%s/out", root);
    snprintf(cmd, sizeof cmd,
             "python3 scripts/data/accuracy_sweep.py --npy-dir " SLICE " --out %s --quick --jobs 2 "
             "--attnkit %s 2>&1",
             out, ak_test_cli());
    int rc = sh(cmd);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    static const char *const files[] = {"sweep.csv", "sweep.json", "pareto.png", "summary.md"};
    struct stat sb;
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        CU_ASSERT(stat(path, &sb) == 0 && sb.st_size > 0);
    }
    snprintf(path, sizeof path, "%s/sweep.json", out);
    cJSON *doc = ak_test_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "rows"), *r, *dense = NULL;
    const double dense_cycles = num(doc, "dense_cycles");
    int recommended = 0, masks = 0;
    cJSON_ArrayForEach(r, rows) {
        const char *pat = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "pattern"));
        if (pat && !strcmp(pat, "dense") && !dense)
            dense = r;
        /* speed-up is the cycle model's dense cycles over the point's */
        CU_ASSERT_DOUBLE_EQUAL(num(r, "speedup"), dense_cycles / num(r, "cycles"), 1e-9);
        recommended += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "recommended"));
        masks += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "family")), "mask");
    }
    CU_ASSERT_EQUAL(recommended, 1);
    CU_ASSERT(masks >= 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dense);
    CU_ASSERT_DOUBLE_EQUAL(num(dense, "speedup"), 1.0, 0.0);
    /* the dense row is `attnkit accuracy` on the default (dense, block 64) workload */
    snprintf(cmd, sizeof cmd, "%s accuracy --npy-dir " SLICE " --json --threads 1", ak_test_cli());
    CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
    cJSON *acc = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(acc);
    CU_ASSERT_DOUBLE_EQUAL(num(dense, "min_total_sqnr_db"),
                           num(cJSON_GetObjectItemCaseSensitive(acc, "summary"), "min_total_sqnr_db"),
                           1e-9);
    cJSON_Delete(acc);
    cJSON_Delete(doc);
}

static void test_bad_input(void)
{
    char cmd[2048], out[600];
    snprintf(out, sizeof out, "%s/bad", root);
    snprintf(cmd, sizeof cmd,
             "python3 scripts/data/accuracy_sweep.py --npy-dir %s/nothing-here --out %s --quick "
             "--attnkit %s 2>&1",
             root, out, ak_test_cli());
    CU_ASSERT_EQUAL(sh(cmd), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "nothing-here"));
    struct stat sb;
    CU_ASSERT(stat(out, &sb) != 0);
    snprintf(cmd, sizeof cmd,
             "python3 scripts/data/accuracy_sweep.py --npy-dir " SLICE " --out %s --quick "
             "--densities 1.5 --attnkit %s 2>&1",
             out, ak_test_cli());
    CU_ASSERT_EQUAL(sh(cmd), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--densities"));
    CU_ASSERT(stat(out, &sb) != 0);
}

static void cleanup(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "test_accuracy_sweep: could not remove %s\n", root);
}

int ak_test_register(void)
{
    if (!mkdtemp(root))
        return -1;
    atexit(cleanup);
    return AK_SUITE("accuracy_sweep", {"quick sweep on the real slice", test_quick_sweep},
                    {"bad input: exit 2, nothing written", test_bad_input});
}
