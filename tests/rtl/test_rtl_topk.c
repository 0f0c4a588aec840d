/* Unit bench of rtl/ak_topk.sv (Verilated: sim/unit/topk_unit.cpp): its keep flags equal the
 * reference model's top-k selection (ak_topk_select, refmodel/src/prune.c: a sort, so an
 * independent algorithm) on every k for small n with heavy ties, and on seeded random jobs up
 * to 4000 candidates with scores of every kind the spec produces (sums of 16-bit
 * probabilities over heads, all equal, sorted either way, full 32-bit); and its passes and
 * clock edges follow the documented count. Seed: AK_TOPK_SEED. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ak_test.h"
#include "attnkit/hw_params.h"
#include "attnkit/prune.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

#define LANES (AK_BEAT_BYTES / 4u) /* 32-bit scores a beat */
#define SCORE_BITS 32u

/* The reference's keep flags: 1 for each of the k indices ak_topk_select returns. */
static int reference(const uint32_t *score, uint32_t n, uint32_t k, uint8_t *keep)
{
    uint64_t *s = calloc(n ? n : 1, sizeof *s);
    uint32_t *cand = calloc(n ? n : 1, sizeof *cand), *out = calloc(k ? k : 1, sizeof *out);
    int ok = s && cand && out;
    for (uint32_t i = 0; ok && i < n; i++) {
        s[i] = score[i];
        cand[i] = i;
        keep[i] = 0;
    }
    ok = ok && ak_topk_select(s, cand, n, k, out) == AK_OK;
    for (uint32_t x = 0; ok && x < k; x++)
        keep[out[x]] = 1;
    free(s);
    free(cand);
    free(out);
    return ok;
}

/* The documented timing (rtl/ak_topk.sv): passes, and edges from start to done. */
static unsigned expected_passes(uint32_t n, uint32_t k)
{
    return n == 0 ? 0 : (k == 0 || k >= n) ? 1 : SCORE_BITS + 2;
}

static unsigned expected_edges(uint32_t n, uint32_t k)
{
    const unsigned beats = (n + LANES - 1) / LANES;
    return n == 0 ? 1 : expected_passes(n, k) * (beats + 1);
}

/* One job on the RTL against the reference; returns 1 if equal (else prints how not). */
static int one(const uint32_t *score, uint32_t n, uint32_t k, const char *what)
{
    uint8_t *got = malloc(n ? n : 1), *want = malloc(n ? n : 1);
    int ok = got && want && reference(score, n, k, want);
    unsigned passes = 0;
    const unsigned edges = ok ? ak_rtl_topk(score, n, k, got, &passes) : 0;
    uint32_t first = n;
    for (uint32_t i = 0; ok && i < n && first == n; i++)
        if (got[i] != want[i])
            first = i;
    if (!ok || first < n || passes != expected_passes(n, k) || edges != expected_edges(n, k)) {
        printf("\n  %s n %u k %u: ", what, n, k);
        if (first < n)
            printf("candidate %u (score %u) kept %u, reference %u; ", first, score[first],
                   got[first], want[first]);
        printf("%u passes (documented %u), %u edges (documented %u)\n", passes,
               expected_passes(n, k), edges, expected_edges(n, k));
        ok = 0;
    }
    free(got);
    free(want);
    return ok;
}

/* Every k of every n up to 40, scores in 0..3 (ties everywhere) and distinct. */
static void test_small_exhaustive(void)
{
    ak_rng r;
    ak_rng_seed(&r, 1);
    uint32_t score[40];
    unsigned fails = 0;
    for (uint32_t n = 0; n <= 40 && fails < 5; n++)
        for (int kind = 0; kind < 2; kind++) {
            for (uint32_t i = 0; i < n; i++)
                score[i] = kind ? (uint32_t)ak_rng_u64(&r) : ak_rng_below(&r, 4);
            for (uint32_t k = 0; k <= n && fails < 5; k++)
                fails += !one(score, n, k, kind ? "distinct" : "ties");
        }
    CU_ASSERT_EQUAL(fails, 0);
}

static uint64_t env_seed(void)
{
    const char *s = getenv("AK_TOPK_SEED");
    return s && *s ? strtoull(s, NULL, 0) : 20261202;
}

/* Seeded random jobs: n up to 4000, k anywhere (0, 1, n - 1, n among them), scores of six
 * kinds. */
static void test_random_jobs(void)
{
    const uint64_t seed = env_seed();
    printf("\n  random jobs: AK_TOPK_SEED=%" PRIu64 "\n", seed);
    ak_rng r;
    ak_rng_seed(&r, seed);
    static uint32_t score[4000];
    static const char *const kinds[] = {"P16 sums over 1..16 heads", "all equal", "ascending",
                                        "descending", "32-bit", "two values"};
    unsigned fails = 0;
    for (unsigned job = 0; job < 120 && fails < 5; job++) {
        const uint32_t n = job < 6 ? (uint32_t)(1 + job * 797) : 1 + ak_rng_below(&r, 4000);
        const unsigned kind = job % 6;
        const uint32_t heads = 1 + ak_rng_below(&r, 16), base = (uint32_t)ak_rng_u64(&r);
        for (uint32_t i = 0; i < n; i++) {
            switch (kind) {
            case 0:
                score[i] = 0;
                for (uint32_t h = 0; h < heads; h++)
                    score[i] += ak_rng_below(&r, 65536);
                break;
            case 1: score[i] = base; break;
            case 2: score[i] = i / 3; break;
            case 3: score[i] = n - i / 3; break;
            case 4: score[i] = (uint32_t)ak_rng_u64(&r); break;
            default: score[i] = ak_rng_below(&r, 2) ? base : base / 2; break;
            }
        }
        const uint32_t pick = ak_rng_below(&r, 5);
        const uint32_t k = pick == 0 ? 1 : pick == 1 ? n - 1 : pick == 2 ? n : ak_rng_below(&r, n + 1);
        fails += !one(score, n, k, kinds[kind]);
    }
    CU_ASSERT_EQUAL(fails, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl topk", {"every k of n <= 40, with ties and without", test_small_exhaustive},
                    {"seeded random jobs up to 4000 candidates", test_random_jobs});
}
