/* X and initial state (docs/assertions.md): the Verilated accelerator started from random
 * initial state (every variable before reset random, ak_sim_config.x_seed) must behave exactly
 * as from zeros. Under three seeds besides 0:
 *  - driver: a fresh simulation runs the good job, seeded random jobs of tests/sim_jobs.c and a
 *    causal one, each byte for byte equal to ak_attention (the C model), with CYCLES, STALLS and
 *    MACS equal to seed 0's, and no RTL assertion fails;
 *  - CLI: golden vector sets through `attnkit sim --x-seed S --json` pass (outputs against the C
 *    model's o.npy, cycles against the cycle model) with the same cycles per layer as seed 0.
 * An x_seed above 2^31 - 1 is refused (AK_EINVAL). */
#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "ak_test.h"
#include "backend_verilator.h"
#include "sim_jobs.h"

static const uint32_t seeds[] = {0, 1, 0x5eed, 2147483647u};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])
#define N_RANDOM 3 /* random jobs a seed (besides the good and the causal job) */
#define N_JOBS (N_RANDOM + 2)

static ak_drv *open_seeded(uint32_t x_seed)
{
    const ak_verilator_opts vo = {.x_seed = x_seed};
    const ak_drv_config dc = {0};
    ak_backend be;
    ak_drv *d = NULL;
    char err[256] = "";
    if (ak_backend_verilator_open(&vo, &be, err, sizeof err) != AK_OK ||
        ak_drv_open(&be, &dc, &d, err, sizeof err) != AK_OK)
        printf("\n  x_seed %u: opening the Verilated RTL: %s\n", x_seed, err);
    return d;
}

/* the jobs of every seed, the same ones: the good job, N_RANDOM random ones, a causal one */
static int build_job(unsigned i, job_data *w)
{
    if (i == 0) {
        good_job(w);
        return 0;
    }
    if (i == N_JOBS - 1) {
        const ak_pattern causal = {.kind = AK_PATTERN_WINDOW, .window = 2, .causal = AK_CAUSAL_ON};
        return job_make(w, 2, 70, 70, 64, 32, &causal, AK_LOGITS_GAUSS1, 11, NULL) == AK_OK
                   ? 0
                   : -1;
    }
    /* the random configurations, drawn once (the seed printed once) */
    static const random_job_space space = {.max_tokens = 80, .block_sizes = 3, .causal = 1};
    static random_job cfgs[N_RANDOM];
    static int drawn;
    if (!drawn) {
        random_jobs g;
        random_jobs_start(&g, &space, "AK_XINIT", 2718, N_RANDOM);
        for (unsigned k = 0; k < N_RANDOM; k++)
            random_jobs_next(&g, &cfgs[k]);
        drawn = 1;
    }
    char cfg[256];
    random_job_describe(&cfgs[i - 1], "", cfg, sizeof cfg);
    return random_job_build(&cfgs[i - 1], cfg, w);
}

static void test_driver_jobs(void)
{
    uint64_t counters[N_SEEDS][N_JOBS][3];
    memset(counters, 0, sizeof counters);
    for (size_t s = 0; s < N_SEEDS; s++) {
        ak_drv *d = open_seeded(seeds[s]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        for (unsigned i = 0; i < N_JOBS; i++) {
            job_data w;
            if (build_job(i, &w) != 0) {
                CU_FAIL("job build");
                continue;
            }
            ak_drv_result r;
            const uint64_t bad = job_run_compare(d, &w, NULL, NULL, &r);
            if (bad == UINT64_MAX)
                printf("\n  x_seed %u, job %u: the run failed: %s\n", seeds[s], i, r.msg);
            else if (bad)
                printf("\n  x_seed %u, job %u: %llu bytes differ from ak_attention\n", seeds[s],
                       i, (unsigned long long)bad);
            CU_ASSERT_EQUAL(bad, 0);
            counters[s][i][0] = r.cycles;
            counters[s][i][1] = r.stalls;
            counters[s][i][2] = r.macs;
            if (s && memcmp(counters[s][i], counters[0][i], sizeof counters[0][i]))
                printf("\n  x_seed %u, job %u: cycles/stalls/MACs %llu/%llu/%llu, seed 0 "
                       "%llu/%llu/%llu\n",
                       seeds[s], i, (unsigned long long)r.cycles, (unsigned long long)r.stalls,
                       (unsigned long long)r.macs, (unsigned long long)counters[0][i][0],
                       (unsigned long long)counters[0][i][1],
                       (unsigned long long)counters[0][i][2]);
            CU_ASSERT(memcmp(counters[s][i], counters[0][i], sizeof counters[0][i]) == 0);
            CU_ASSERT(r.cycles > 0);
            job_free(&w);
        }
        ak_sim_assert_info ai;
        CU_ASSERT_EQUAL(ak_backend_verilator_assert(ak_drv_backend(d), &ai), 0);
        ak_drv_close(d);
    }
}

/* `attnkit sim --vectors dir --json --x-seed S`: every layer PASS; its cycles into cyc */
static void cli_run(const char *dir, uint32_t seed, double *cyc, int max, int *n)
{
    static char buf[1 << 18];
    char s[16];
    snprintf(s, sizeof s, "%u", seed);
    const char *args[] = {"sim", "--vectors", dir, "--json", "--x-seed", s, NULL};
    const int rc = ak_test_run_cli(buf, sizeof buf, args);
    cJSON *j = cJSON_Parse(buf);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(j, "layers"), *l;
    *n = 0;
    int ok = rc == 0 && cJSON_IsArray(layers);
    cJSON_ArrayForEach(l, layers)
    {
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(l, "result");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(l, "cycles");
        ok = ok && cJSON_IsString(res) && !strcmp(res->valuestring, "PASS") && cJSON_IsNumber(c);
        if (cJSON_IsNumber(c) && *n < max)
            cyc[(*n)++] = c->valuedouble;
    }
    if (!ok)
        printf("\n  attnkit sim --vectors %s --x-seed %u: exit %d\n%.3000s\n", dir, seed, rc, buf);
    CU_ASSERT(ok && *n > 0);
    cJSON_Delete(j);
}

static void test_golden_sets(void)
{
    static const char *const sets[] = {"vectors/golden/dense-n64",
                                       "vectors/golden/ragged-prune-n197"};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        double base[16], cyc[16];
        int nb = 0, n = 0;
        cli_run(sets[k], 0, base, 16, &nb);
        for (size_t s = 1; s < N_SEEDS; s++) {
            cli_run(sets[k], seeds[s], cyc, 16, &n);
            CU_ASSERT_EQUAL(n, nb);
            for (int i = 0; i < n && i < nb; i++)
                if (cyc[i] != base[i]) {
                    printf("\n  %s layer %d, x_seed %u: %.0f cycles, seed 0 %.0f\n", sets[k], i + 1,
                           seeds[s], cyc[i], base[i]);
                    CU_FAIL("cycles differ from seed 0");
                }
        }
    }
}

static void test_bad_seed_refused(void)
{
    const ak_sim_config cfg = {.x_seed = 2147483648u};
    ak_sim *s = NULL;
    CU_ASSERT_EQUAL(ak_sim_open(&cfg, &s), AK_EINVAL);
    CU_ASSERT_PTR_NULL(s);
}

int ak_test_register(void)
{
    return AK_SUITE("xinit", {"driver jobs: random initial state = zeros = C model", test_driver_jobs},
                    {"golden sets: attnkit sim --x-seed, same cycles", test_golden_sets},
                    {"x_seed above 2^31 - 1 refused", test_bad_seed_refused});
}
