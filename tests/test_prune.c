/* Pruning and eviction (numerics.md section 11): 16-bit probabilities against float64, exact
 * integer keep counts where float arithmetic would be off by one, ties to the lower index,
 * top-k against a brute-force selection, fused weights, eviction's always-kept keys, the
 * agreement of the integer top-k with a float64 top-k on the same int8 inputs, and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"

static void make_job(ak_inputs *in, ak_head_quant *quant, ak_attn_job *job, ak_logit_dist dist,
                     uint32_t heads, uint32_t n, uint64_t seed)
{
    CU_ASSERT_FATAL(ak_inputs_generate(dist, heads, n, n, 64, seed, in) == AK_OK);
    for (uint32_t h = 0; h < heads; h++)
        CU_ASSERT_FATAL(ak_head_quant_from_scales(&in->scales[h], 64, &quant[h]) == AK_OK);
    *job = (ak_attn_job){.heads = heads, .nq = n, .nk = n, .d = 64, .q = in->q, .k = in->k,
                         .v = in->v, .quant = quant};
}

static void test_prob16_against_float64(void)
{
    for (int dist = 0; dist < AK_LOGITS_COUNT; dist++) {
        ak_inputs in;
        ak_head_quant quant[2];
        ak_attn_job job;
        make_job(&in, quant, &job, (ak_logit_dist)dist, 2, 197, 5);
        uint16_t *p16 = malloc(2 * 3 * 197 * sizeof *p16);
        double *pf = malloc(2 * 3 * 197 * sizeof *pf);
        CU_ASSERT_FATAL(ak_attention_probs(&job, 10, 3, p16) == AK_OK);
        CU_ASSERT_FATAL(ak_attention_probs_f64(&job, in.scales, 10, 3, pf) == AK_OK);
        double worst = 0.0;
        for (int r = 0; r < 6; r++) {
            long sum = 0;
            for (int j = 0; j < 197; j++) {
                double e = fabs(p16[r * 197 + j] / 65536.0 - pf[r * 197 + j]);
                worst = e > worst ? e : worst;
                sum += p16[r * 197 + j];
            }
            /* each P16 is rounded to half an LSB; l carries the rescale roundings */
            CU_ASSERT(labs(sum - 65536) <= 197 / 2 + 2);
        }
        /* half an LSB of rounding plus the model's ~1e-4 relative error of the largest p */
        CU_ASSERT(worst <= 0.5 / 65536 + 2e-4);
        free(p16);
        free(pf);
        ak_inputs_free(&in);
    }
}

static void test_probs_follow_the_mask(void)
{
    ak_inputs in;
    ak_head_quant quant[1];
    ak_attn_job job;
    make_job(&in, quant, &job, AK_LOGITS_GAUSS3, 1, 150, 9);
    uint16_t a[150], b[150];
    CU_ASSERT_FATAL(ak_attention_probs(&job, 149, 1, a) == AK_OK);
    ak_pattern dense = {.kind = AK_PATTERN_DENSE}, causal = {.kind = AK_PATTERN_CAUSAL};
    ak_mask m;
    CU_ASSERT_FATAL(ak_mask_build(&dense, 150, 150, 32, 1, NULL, NULL, 64, &m, NULL) == AK_OK);
    job.mask = &m;
    CU_ASSERT_FATAL(ak_attention_probs(&job, 149, 1, b) == AK_OK);
    CU_ASSERT(!memcmp(a, b, sizeof a));
    ak_mask_free(&m);
    CU_ASSERT_FATAL(ak_mask_build(&causal, 150, 150, 32, 1, NULL, NULL, 64, &m, NULL) == AK_OK);
    CU_ASSERT_FATAL(ak_attention_probs(&job, 40, 1, a) == AK_OK);
    for (int j = 41; j < 150; j++)
        CU_ASSERT_EQUAL_FATAL(a[j], 0);
    CU_ASSERT_EQUAL(ak_attention_probs(&job, 150, 1, a), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_attention_probs(&job, 149, 2, a), AK_EINVAL);
    ak_mask_free(&m);
    ak_inputs_free(&in);
}

/* Rows are independent (numerics.md 11.1): many rows at once, spanning query blocks of a
 * causal block mask, give each row's probabilities as that row alone does. */
static void test_probs_of_many_rows_equal_one_at_a_time(void)
{
    ak_inputs in;
    ak_head_quant quant[2];
    ak_attn_job job;
    make_job(&in, quant, &job, AK_LOGITS_GAUSS3, 2, 150, 11);
    ak_pattern causal = {.kind = AK_PATTERN_CAUSAL};
    ak_mask m;
    CU_ASSERT_FATAL(ak_mask_build(&causal, 150, 150, 32, 1, NULL, NULL, 64, &m, NULL) == AK_OK);
    job.mask = &m;
    enum { R0 = 20, ROWS = 101 };
    uint16_t *many = malloc(2 * ROWS * 150 * sizeof *many), one[2 * 150];
    CU_ASSERT_FATAL(many && ak_attention_probs(&job, R0, ROWS, many) == AK_OK);
    for (uint32_t r = 0; r < ROWS; r++) {
        CU_ASSERT_FATAL(ak_attention_probs(&job, R0 + r, 1, one) == AK_OK);
        for (uint32_t h = 0; h < 2; h++)
            CU_ASSERT_FATAL(!memcmp(many + ((uint64_t)h * ROWS + r) * 150, one + h * 150,
                                    150 * sizeof one[0]));
    }
    free(many);
    ak_mask_free(&m);
    ak_inputs_free(&in);
}

static void test_keep_counts_are_exact(void)
{
    uint32_t ppm;
    CU_ASSERT_EQUAL(ak_keep_rate_ppm(0.7, &ppm), AK_OK);
    CU_ASSERT_EQUAL(ppm, 700000u);
    /* 0.7 * 10 is 7.000000000000001 in double: a float ceil would keep 8 */
    CU_ASSERT_EQUAL(ak_prune_count(11, ppm), 7u);
    CU_ASSERT_EQUAL(ak_prune_count(197, ppm), 138u); /* ceil(137.2) */
    CU_ASSERT_EQUAL(ak_prune_count(1, ppm), 0u);
    CU_ASSERT_EQUAL(ak_prune_count(197, AK_PPM), 196u);
    CU_ASSERT_EQUAL(ak_prune_count(197, 1), 1u);
    CU_ASSERT_EQUAL(ak_keep_rate_ppm(0.0, &ppm), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_keep_rate_ppm(1.0000001, &ppm), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_keep_rate_ppm(NAN, &ppm), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_keep_rate_ppm(1e-7, &ppm), AK_EINVAL); /* rounds to 0 ppm */
}

static void test_topk_brute_force_and_ties(void)
{
    ak_rng r;
    ak_rng_seed(&r, 77);
    uint64_t score[300];
    uint32_t cand[300], got[300];
    for (int it = 0; it < 200; it++) {
        uint32_t n = 1 + ak_rng_below(&r, 300), k = ak_rng_below(&r, n + 1);
        for (uint32_t j = 0; j < 300; j++)
            score[j] = ak_rng_below(&r, 8); /* many ties on purpose */
        for (uint32_t x = 0; x < n; x++)
            cand[x] = 299 - x; /* candidates given in descending order */
        CU_ASSERT_FATAL(ak_topk_select(score, cand, n, k, got) == AK_OK);
        /* brute force: k times the best remaining (highest score, then lowest index) */
        uint8_t taken[300] = {0};
        for (uint32_t t = 0; t < k; t++) {
            int best = -1;
            for (uint32_t j = 300 - n; j < 300; j++)
                if (!taken[j] && (best < 0 || score[j] > score[best]))
                    best = (int)j;
            taken[best] = 1;
        }
        uint32_t at = 0;
        for (uint32_t j = 0; j < 300; j++)
            if (taken[j])
                CU_ASSERT_EQUAL_FATAL(got[at++], j); /* ascending and equal */
    }
}

static void test_prune_tokens(void)
{
    /* 2 heads, 8 tokens: scores 0,5,9,9,1,7,9,2 -> keep ceil(0.5*7)=4: 2,3,6 (ties) and 5 */
    static const uint16_t cls[2][8] = {{100, 2, 4, 5, 0, 3, 4, 1}, {100, 3, 5, 4, 1, 4, 5, 1}};
    ak_prune_result r;
    CU_ASSERT_FATAL(ak_prune_tokens(&cls[0][0], 2, 8, 500000, &r) == AK_OK);
    CU_ASSERT_EQUAL_FATAL(r.n_kept, 5);
    static const uint32_t kept[] = {0, 2, 3, 5, 6}, pruned[] = {1, 4, 7};
    CU_ASSERT(!memcmp(r.kept, kept, sizeof kept));
    CU_ASSERT_EQUAL_FATAL(r.n_pruned, 3);
    CU_ASSERT(!memcmp(r.pruned, pruned, sizeof pruned));
    /* fused weights: 5, 1, 2 of 8 */
    CU_ASSERT_EQUAL(r.fused_w[0], 40960);
    CU_ASSERT_EQUAL(r.fused_w[1], 8192);
    CU_ASSERT_EQUAL(r.fused_w[2], 16384);
    ak_prune_result_free(&r);
    /* Ties at the cut: scores all equal -> the lowest indices are kept. */
    uint16_t flat[10];
    for (int j = 0; j < 10; j++)
        flat[j] = 7;
    CU_ASSERT_FATAL(ak_prune_tokens(flat, 1, 10, 300000, &r) == AK_OK);
    static const uint32_t flat_kept[] = {0, 1, 2, 3}; /* ceil(0.3 * 9) = 3 */
    CU_ASSERT_EQUAL(r.n_kept, 4);
    CU_ASSERT(!memcmp(r.kept, flat_kept, sizeof flat_kept));
    ak_prune_result_free(&r);
    CU_ASSERT_FATAL(ak_prune_tokens(flat, 1, 1, 700000, &r) == AK_OK); /* N = 1: CLS only */
    CU_ASSERT(r.n_kept == 1 && r.n_pruned == 0 && r.kept[0] == 0);
    ak_prune_result_free(&r);
    CU_ASSERT_EQUAL(ak_prune_tokens(flat, 1, 10, 0, &r), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_prune_tokens(flat, 1, 10, AK_PPM + 1, &r), AK_EINVAL);
}

static void test_kv_evict(void)
{
    /* 1 head, 2 rows, 10 keys; sinks 1, recent 2, budget 5: 2 heavy hitters from keys 1..7 */
    static const uint16_t p[2][10] = {{9, 1, 8, 0, 3, 8, 2, 0, 50, 50},
                                      {9, 2, 1, 0, 6, 1, 2, 0, 50, 50}};
    ak_evict_result r;
    CU_ASSERT_FATAL(ak_kv_evict(&p[0][0], 1, 2, 10, 1, 2, 5, &r) == AK_OK);
    static const uint32_t want[] = {0, 2, 4, 8, 9}; /* acc: 3,9,0,9,9,4,0 -> ties 2,4,5 */
    CU_ASSERT_EQUAL_FATAL(r.n_kept, 5);
    CU_ASSERT(!memcmp(r.kept, want, sizeof want));
    ak_evict_result_free(&r);
    CU_ASSERT_FATAL(ak_kv_evict(&p[0][0], 1, 2, 10, 1, 2, 100, &r) == AK_OK);
    CU_ASSERT_EQUAL(r.n_kept, 10);
    ak_evict_result_free(&r);
    CU_ASSERT_EQUAL(ak_kv_evict(&p[0][0], 1, 2, 10, 3, 3, 5, &r), AK_EINVAL);
}

/* The integer top-k against a float64 top-k of the same int8 inputs: equal except where two
 * candidates' float scores differ by less than the P16 resolution (a near-tie). */
static void test_pruning_agrees_with_float64(void)
{
    for (int dist = 0; dist < AK_LOGITS_COUNT; dist++) {
        const uint32_t H = 6, n = 197;
        ak_inputs in;
        ak_head_quant quant[6];
        ak_attn_job job;
        make_job(&in, quant, &job, (ak_logit_dist)dist, H, n, 21);
        uint16_t *p16 = malloc(H * n * sizeof *p16);
        double *pf = malloc(H * n * sizeof *pf);
        CU_ASSERT_FATAL(ak_attention_probs(&job, 0, 1, p16) == AK_OK);
        CU_ASSERT_FATAL(ak_attention_probs_f64(&job, in.scales, 0, 1, pf) == AK_OK);
        ak_prune_result r;
        CU_ASSERT_FATAL(ak_prune_tokens(p16, H, n, 700000, &r) == AK_OK);
        double sf[197] = {0};
        for (uint32_t h = 0; h < H; h++)
            for (uint32_t j = 1; j < n; j++)
                sf[j] += pf[h * n + j];
        /* float top-k: rank by float score */
        uint8_t in_int[197] = {0}, in_flt[197] = {0};
        for (uint32_t x = 1; x < r.n_kept; x++)
            in_int[r.kept[x]] = 1;
        for (uint32_t t = 0; t + 1 < r.n_kept; t++) {
            int best = -1;
            for (uint32_t j = 1; j < n; j++)
                if (!in_flt[j] && (best < 0 || sf[j] > sf[best]))
                    best = (int)j;
            in_flt[best] = 1;
        }
        double cut = 1e9; /* the float score of the weakest float-kept token */
        for (uint32_t j = 1; j < n; j++)
            if (in_flt[j] && sf[j] < cut)
                cut = sf[j];
        int differ = 0;
        for (uint32_t j = 1; j < n; j++)
            if (in_int[j] != in_flt[j]) {
                differ++;
                CU_ASSERT(fabs(sf[j] - cut) <= H * (1.0 / 65536) + 1e-9); /* a near-tie */
            }
        printf("\n    %s: %u kept, %d differ from float64 (near-ties) ",
               ak_logit_dist_name((ak_logit_dist)dist), r.n_kept - 1, differ / 2);
        ak_prune_result_free(&r);
        free(p16);
        free(pf);
        ak_inputs_free(&in);
    }
}

/* The fused-token weight is clamped to 65535 (uint16, 16 fractional bits), also when another
 * pruned token has a non-zero score, and numerics.md 11.2 states that limit and when it bites
 * (issue 13: the spec gave no limit; it then said the clamp bites only for a lone token). */
static void test_fused_weight_clamp(void)
{
    /* 3 heads, CLS + 3 tokens: scores 196605, 196604, 1; keep 1 (token 1) */
    static const uint16_t cls[3][4] = {{9, 65535, 65535, 1}, {9, 65535, 65535, 0},
                                       {9, 65535, 65534, 0}};
    ak_prune_result r;
    CU_ASSERT_FATAL(ak_prune_tokens(&cls[0][0], 3, 4, 333333, &r) == AK_OK); /* k = 1 */
    CU_ASSERT_EQUAL_FATAL(r.n_kept, 2);
    CU_ASSERT_EQUAL(r.kept[1], 1);
    CU_ASSERT_EQUAL_FATAL(r.n_pruned, 2);
    /* round_div(196604 * 2^16, 196605) = 2^16 -> 65535; round_div(2^16, 196605) = 0 */
    CU_ASSERT_EQUAL(r.fused_w[0], 65535);
    CU_ASSERT_EQUAL(r.fused_w[1], 0);
    ak_prune_result_free(&r);
    /* S = 0 with one pruned token: round_div(2^16, 1) -> 65535 */
    static const uint16_t zero[1][3] = {{9, 5, 0}};
    CU_ASSERT_FATAL(ak_prune_tokens(&zero[0][0], 1, 3, 500000, &r) == AK_OK);
    CU_ASSERT_EQUAL_FATAL(r.n_pruned, 1);
    CU_ASSERT_EQUAL(r.fused_w[0], 65535);
    ak_prune_result_free(&r);
    FILE *f = fopen("docs/numerics.md", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char doc[1 << 18];
    doc[fread(doc, 1, sizeof doc - 1, f)] = '\0';
    fclose(f);
    const char *sec = strstr(doc, "### 11.2");
    const char *end = sec ? strstr(sec, "### 11.3") : NULL;
    CU_ASSERT_FATAL(sec && end);
    const char *clamp = strstr(sec, "65535 = 2^16 − 1");
    const char *when = strstr(sec, "score_j ≥ S · (1 − 2^−17)");
    if (!(clamp && clamp < end && when && when < end))
        printf("\n    numerics.md 11.2 does not state the fused weight's limit and when it bites");
    CU_ASSERT(clamp && clamp < end && when && when < end);
}

int ak_test_register(void)
{
    return AK_SUITE("prune", {"P16 within half an LSB (+model error) of float64", test_prob16_against_float64},
                    {"probabilities follow the mask", test_probs_follow_the_mask},
                    {"probabilities of many rows equal one row at a time",
                     test_probs_of_many_rows_equal_one_at_a_time},
                    {"keep counts exact in integers", test_keep_counts_are_exact},
                    {"top-k equals brute force, ties to lower index", test_topk_brute_force_and_ties},
                    {"EViT pruning: kept, pruned, fused weights", test_prune_tokens},
                    {"EViT fused weight clamps to 65535, as 11.2 says", test_fused_weight_clamp},
                    {"KV eviction: sinks, recent, heavy hitters", test_kv_evict},
                    {"integer top-k agrees with float64 but for near-ties", test_pruning_agrees_with_float64});
}
