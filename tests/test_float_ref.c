/* The float baselines: a case solved by hand, uniform logits giving the mean of V, rows
 * without valid keys, float32 OpenBLAS against float64 within a tolerance (never bitwise),
 * and the float64 reference being deterministic across calls and thread schedules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"

/* d = 32, one query, two keys: logits 0 and ln 3 / s, so the weights are 1/4 and 3/4. */
static void test_hand_computed(void)
{
    int8_t q[32] = {0}, k[64] = {0}, v[64];
    q[0] = 1;
    k[32] = 1; /* key 1: dot product 1, key 0: 0 */
    for (int c = 0; c < 32; c++) {
        v[c] = (int8_t)c;        /* value row 0 */
        v[32 + c] = (int8_t)-c;  /* value row 1 */
    }
    /* logit_1 = s_q s_k * 1 / sqrt(32) = ln 3  =>  s_q s_k = ln 3 * sqrt(32) */
    ak_head_scales sc = {.q = log(3.0) * sqrt(32.0), .k = 1.0, .v = 0.5, .o = 1.0};
    ak_head_quant quant;
    CU_ASSERT_FATAL(ak_head_quant_from_scales(&sc, 32, &quant) == AK_OK);
    ak_attn_job job = {.heads = 1, .nq = 1, .nk = 2, .d = 32, .q = q, .k = k, .v = v,
                       .quant = &quant};
    double out[32];
    float outf[32];
    CU_ASSERT_FATAL(ak_attention_f64(&job, &sc, out) == AK_OK);
    CU_ASSERT_FATAL(ak_attention_f32_blas(&job, &sc, outf) == AK_OK);
    for (int c = 0; c < 32; c++) {
        double want = 0.5 * (0.25 * c + 0.75 * -c); /* = -0.25 c */
        CU_ASSERT_DOUBLE_EQUAL(out[c], want, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(outf[c], want, 1e-5);
    }
}

/* All Q = 0: every valid key has logit 0, so each output is s_v times the mean V row. */
static void test_uniform_logits_mean(void)
{
    ak_inputs in;
    CU_ASSERT_FATAL(ak_inputs_generate(AK_LOGITS_GAUSS1, 1, 40, 50, 64, 3, &in) == AK_OK);
    memset(in.q, 0, 40 * 64);
    ak_head_quant quant;
    CU_ASSERT_FATAL(ak_head_quant_from_scales(&in.scales[0], 64, &quant) == AK_OK);
    ak_pattern causal = {.kind = AK_PATTERN_CAUSAL};
    ak_mask m;
    CU_ASSERT_FATAL(ak_mask_build(&causal, 40, 50, 16, 1, NULL, NULL, 64, &m, NULL) == AK_OK);
    ak_attn_job job = {.heads = 1, .nq = 40, .nk = 50, .d = 64, .q = in.q, .k = in.k,
                       .v = in.v, .quant = &quant, .mask = &m};
    double *out = malloc(40 * 64 * sizeof *out);
    CU_ASSERT_FATAL(ak_attention_f64(&job, in.scales, out) == AK_OK);
    for (int i = 0; i < 40; i++) /* query i sees keys 0 .. i + 10 */
        for (int c = 0; c < 64; c++) {
            double sum = 0.0;
            for (int j = 0; j <= i + 10; j++)
                sum += in.v[j * 64 + c];
            CU_ASSERT_DOUBLE_EQUAL_FATAL(out[i * 64 + c], in.scales[0].v * sum / (i + 11), 1e-12);
        }
    free(out);
    ak_mask_free(&m);
    ak_inputs_free(&in);
}

static void test_rows_without_keys(void)
{
    ak_inputs in;
    CU_ASSERT_FATAL(ak_inputs_generate(AK_LOGITS_GAUSS1, 1, 32, 32, 32, 3, &in) == AK_OK);
    ak_head_quant quant;
    CU_ASSERT_FATAL(ak_head_quant_from_scales(&in.scales[0], 32, &quant) == AK_OK);
    uint8_t bitmap[4] = {1, 0, 0, 0}; /* query block 1 has no key block */
    ak_mask m;
    CU_ASSERT_FATAL(ak_mask_from_bitmap(32, 32, 16, 1, 0, bitmap, &m, NULL) == AK_OK);
    ak_attn_job job = {.heads = 1, .nq = 32, .nk = 32, .d = 32, .q = in.q, .k = in.k,
                       .v = in.v, .quant = &quant, .mask = &m};
    double out[32 * 32];
    float outf[32 * 32];
    CU_ASSERT_FATAL(ak_attention_f64(&job, in.scales, out) == AK_OK);
    CU_ASSERT_FATAL(ak_attention_f32_blas(&job, in.scales, outf) == AK_OK);
    for (int x = 16 * 32; x < 32 * 32; x++)
        CU_ASSERT_FATAL(out[x] == 0.0 && outf[x] == 0.0f);
    ak_mask_free(&m);
    ak_inputs_free(&in);
}

static void test_f32_blas_close_to_f64(void)
{
    for (int masked = 0; masked < 2; masked++) {
        ak_inputs in;
        const uint32_t H = 2, n = 300, d = 64;
        CU_ASSERT_FATAL(ak_inputs_generate(AK_LOGITS_GAUSS3, H, n, n, d, 11, &in) == AK_OK);
        ak_head_quant quant[2];
        for (uint32_t h = 0; h < H; h++)
            CU_ASSERT_FATAL(ak_head_quant_from_scales(&in.scales[h], d, &quant[h]) == AK_OK);
        ak_pattern causal = {.kind = AK_PATTERN_CAUSAL};
        ak_mask m = {0};
        if (masked)
            CU_ASSERT_FATAL(ak_mask_build(&causal, n, n, 32, 1, NULL, NULL, d, &m, NULL) == AK_OK);
        ak_attn_job job = {.heads = H, .nq = n, .nk = n, .d = d, .q = in.q, .k = in.k,
                           .v = in.v, .quant = quant, .mask = masked ? &m : NULL};
        const size_t outs = (size_t)H * n * d;
        double *ref = malloc(outs * sizeof *ref), *again = malloc(outs * sizeof *again);
        float *f = malloc(outs * sizeof *f);
        CU_ASSERT_FATAL(ak_attention_f64(&job, in.scales, ref) == AK_OK);
        CU_ASSERT_FATAL(ak_attention_f64(&job, in.scales, again) == AK_OK);
        CU_ASSERT(!memcmp(ref, again, outs * sizeof *ref)); /* deterministic */
        CU_ASSERT_FATAL(ak_attention_f32_blas(&job, in.scales, f) == AK_OK);
        double sig = 0.0, err = 0.0;
        for (size_t x = 0; x < outs; x++) {
            sig += ref[x] * ref[x];
            err += (f[x] - ref[x]) * (f[x] - ref[x]);
        }
        double sqnr = 10.0 * log10(sig / err);
        printf("\n    float32 OpenBLAS vs float64 (%s): %.1f dB ", masked ? "causal" : "dense", sqnr);
        CU_ASSERT(sqnr > 100.0); /* float32 rounding: ~2^-24 relative per operation */
        free(ref);
        free(again);
        free(f);
        ak_mask_free(&m);
        ak_inputs_free(&in);
    }
}

int ak_test_register(void)
{
    return AK_SUITE("float_ref", {"hand-computed two-key case", test_hand_computed},
                    {"uniform logits give the mean of valid V", test_uniform_logits_mean},
                    {"rows without keys give 0", test_rows_without_keys},
                    {"float32 OpenBLAS within tolerance of float64", test_f32_blas_close_to_f64});
}
