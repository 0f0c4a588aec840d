/* scripts/regression/regress --slurm on a real SLURM: a single-node cluster on loopback
 * (scripts/regression/slurm_cluster.sh: munged, slurmctld, slurmd from Debian's slurm-wlm and munge,
 * installed by make deps) runs a small regression as a job array; the gathered per-test
 * results must equal a local run of the same seeds (pass/fail, cycles, predicted cycles,
 * message), and the daemons the test started are stopped again. Needs root, like the
 * cluster. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ak_test.h"

static char dir[] = "/tmp/ak_test_slurm_XXXXXX";
static int started;

static cJSON *results_of(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", out);
    return ak_test_read_json(path);
}

static int same_field(const cJSON *a, const cJSON *b, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, k), *y = cJSON_GetObjectItemCaseSensitive(b, k);
    if (!x || !y)
        return x == y;
    char *sx = cJSON_PrintUnformatted(x), *sy = cJSON_PrintUnformatted(y);
    const int same = sx && sy && strcmp(sx, sy) == 0;
    if (!same)
        printf("\n  %s differs: %s vs %s\n", k, sx ? sx : "?", sy ? sy : "?");
    free(sx);
    free(sy);
    return same;
}

static void test_slurm_equals_local(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "scripts/regression/slurm_cluster.sh start %s/cluster > %s/conf.txt", dir, dir);
    const int rc = system(cmd);
    started = 1;
    if (rc != 0)
        printf("\n  starting the test cluster failed (exit %d): see %s/cluster/log\n",
               WEXITSTATUS(rc), dir);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    snprintf(cmd, sizeof cmd,
             "SLURM_CONF=%s/cluster/slurm.conf timeout 900 scripts/regression/regress --attnkit %s --seed 11 --count 6 "
             "--slurm --shards 3 --time 00:20:00 --mem 1G --out %s/slurm > %s/slurm.txt 2>&1",
             dir, ak_test_cli(), dir, dir);
    CU_ASSERT_EQUAL(WEXITSTATUS(system(cmd)), 0);
    snprintf(cmd, sizeof cmd,
             "scripts/regression/regress --attnkit %s --seed 11 --count 6 -j 2 --out %s/local > %s/local.txt 2>&1",
             ak_test_cli(), dir, dir);
    CU_ASSERT_EQUAL(WEXITSTATUS(system(cmd)), 0);
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/slurm", dir);
    snprintf(b, sizeof b, "%s/local", dir);
    cJSON *rs = results_of(a), *rl = results_of(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rl);
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(rs, "results");
    const cJSON *xl = cJSON_GetObjectItemCaseSensitive(rl, "results");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(xs), 6);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(xl), 6);
    for (int i = 0; i < cJSON_GetArraySize(xs) && i < cJSON_GetArraySize(xl); i++) {
        const cJSON *s = cJSON_GetArrayItem(xs, i), *l = cJSON_GetArrayItem(xl, i);
        CU_ASSERT(same_field(s, l, "id") && same_field(s, l, "test") &&
                  same_field(s, l, "passed") && same_field(s, l, "message") &&
                  same_field(s, l, "cycles") && same_field(s, l, "predicted_cycles"));
    }
    cJSON_Delete(rs);
    cJSON_Delete(rl);
}

static void cleanup(void)
{
    char cmd[512];
    if (started) {
        snprintf(cmd, sizeof cmd, "scripts/regression/slurm_cluster.sh stop %s/cluster", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "test_slurm: stopping the test cluster failed\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_slurm: could not remove %s\n", dir);
}

int ak_test_register(void)
{
    if (!mkdtemp(dir))
        return 1;
    atexit(cleanup);
    return AK_SUITE("slurm", {"regression on a one-node SLURM equals the local run",
                              test_slurm_equals_local});
}
