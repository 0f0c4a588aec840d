/* Tests of numerics.md 3.1-3.3: the input quantisers' clips, the output-scale policies and the
 * saturation counts, each against an independent computation (sorted ranks by hand, 128-bit
 * recounts of the saturating steps, the calibrated scale's no-saturation property). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"

static void test_parse_names(void)
{
    ak_input_quant q;
    char buf[32];
    CU_ASSERT_EQUAL(ak_input_quant_parse("max", &q), AK_OK);
    CU_ASSERT_EQUAL(q.kind, AK_INQ_MAX);
    CU_ASSERT_EQUAL(ak_input_quant_parse("mse", &q), AK_OK);
    CU_ASSERT_EQUAL(q.kind, AK_INQ_MSE);
    CU_ASSERT_EQUAL(ak_input_quant_parse("percentile:99.9", &q), AK_OK);
    CU_ASSERT_EQUAL(q.kind, AK_INQ_PERCENTILE);
    CU_ASSERT_DOUBLE_EQUAL(q.percentile, 99.9, 0.0);
    CU_ASSERT_STRING_EQUAL(ak_input_quant_name(&q, buf, sizeof buf), "percentile:99.9");
    static const char *const bad[] = {"", "min", "percentile:", "percentile:49.9",
                                      "percentile:100.1", "percentile:90x", "percentile:nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(ak_input_quant_parse(bad[i], &q), AK_EINVAL);
    ak_oscale_policy p;
    CU_ASSERT(ak_oscale_from_name("calibrated", &p) == AK_OK && p == AK_OSCALE_CALIBRATED);
    CU_ASSERT(ak_oscale_from_name("fixed", &p) == AK_OK && p == AK_OSCALE_FIXED);
    CU_ASSERT(ak_oscale_from_name("given", &p) == AK_OK && p == AK_OSCALE_GIVEN);
    CU_ASSERT_EQUAL(ak_oscale_from_name("auto", &p), AK_EINVAL);
}

static void test_percentile_clip_by_rank(void)
{
    /* |x| = 1..1000 in a shuffled order with alternating signs: the P-th percentile's rank is
     * ceil(P * 1000 / 100), and the value at rank r is r itself */
    enum { N = 1000 };
    double x[N];
    for (int i = 0; i < N; i++)
        x[i] = (double)((i * 389) % N + 1) * (i % 2 ? -1.0 : 1.0);
    const struct {
        double p, clip;
    } cases[] = {{100.0, 1000.0}, {99.9, 999.0}, {99.0, 990.0}, {50.0, 500.0}, {99.95, 1000.0},
                 {75.05, 751.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ak_input_quant q = {.kind = AK_INQ_PERCENTILE, .percentile = cases[i].p};
        double c = 0.0;
        CU_ASSERT_EQUAL(ak_input_clip(x, N, &q, &c), AK_OK);
        CU_ASSERT_DOUBLE_EQUAL(c, cases[i].clip, 0.0);
    }
    /* clipping counts the elements whose rounded value leaves [-128, 127] */
    int8_t qx[N];
    const double s = 500.0 / 127.0;
    uint64_t want = 0;
    for (int i = 0; i < N; i++)
        want += x[i] / s >= 127.5 || x[i] / s <= -128.5;
    CU_ASSERT_EQUAL(ak_quantize_with_scale(x, N, s, qx), want);
}

/* Squared quantisation error of x with clip c, written out independently. */
static double sq_error(const double *x, int n, double c)
{
    double s = c / 127.0, e = 0.0;
    for (int i = 0; i < n; i++) {
        double r = round(x[i] / s); /* round half away from zero, as the spec */
        r = r > 127 ? 127 : r < -128 ? -128 : r;
        e += (x[i] - s * r) * (x[i] - s * r);
    }
    return e;
}

static void test_mse_clip(void)
{
    /* Gaussian data with one far outlier: the max clip wastes the range on the outlier, the MSE
     * clip must cut it and lose less than the max clip and less than any other candidate */
    enum { N = 4096 };
    double *x = malloc(sizeof *x * N);
    ak_rng r;
    ak_rng_seed(&r, 7);
    for (int i = 0; i < N; i++)
        x[i] = ak_rng_gauss(&r);
    x[123] = 40.0;
    ak_input_quant q = {.kind = AK_INQ_MSE};
    double c = 0.0;
    CU_ASSERT_EQUAL_FATAL(ak_input_clip(x, N, &q, &c), AK_OK);
    CU_ASSERT(c < 40.0 && c >= 40.0 * 16 / 128);
    const double e = sq_error(x, N, c);
    CU_ASSERT(e < sq_error(x, N, 40.0));
    for (int i = 16; i <= 128; i++)
        CU_ASSERT(e <= sq_error(x, N, 40.0 * i / 128.0));
    /* all zero: clip 0 (the loader turns it into an error) */
    memset(x, 0, sizeof *x * N);
    CU_ASSERT_EQUAL(ak_input_clip(x, N, &q, &c), AK_OK);
    CU_ASSERT_DOUBLE_EQUAL(c, 0.0, 0.0);
    free(x);
}

/* round_shift(a, s) in 128-bit arithmetic: floor(a / 2^s + 1/2). */
static __int128 round_shift128(__int128 a, int s)
{
    if (s == 0)
        return a;
    __int128 d = (__int128)1 << s, t = a + (d >> 1);
    __int128 q = t / d;
    return (t % d != 0 && t < 0) ? q - 1 : q;
}

typedef struct {
    ak_inputs in;
    ak_head_quant *quant;
    int8_t *out;
    int32_t *fx;
    ak_attn_job job;
} run;

static void run_init(run *w, ak_logit_dist dist, uint32_t heads, uint32_t n, uint32_t d,
                     uint64_t seed)
{
    CU_ASSERT_FATAL(ak_inputs_generate(dist, heads, n, n, d, seed, &w->in) == AK_OK);
    const uint64_t outs = (uint64_t)heads * n * d;
    w->quant = calloc(heads, sizeof *w->quant);
    w->out = malloc(outs);
    w->fx = malloc(sizeof *w->fx * outs);
    w->job = (ak_attn_job){.heads = heads, .nq = n, .nk = n, .d = d, .q = w->in.q,
                           .k = w->in.k, .v = w->in.v, .quant = w->quant};
}

static void run_free(run *w)
{
    ak_inputs_free(&w->in);
    free(w->quant);
    free(w->out);
    free(w->fx);
}

static void test_calibrated_never_saturates(void)
{
    /* numerics.md 3.2: with s_o from A = max|o_fx|, no output saturates and the largest
     * magnitude lands on 127 exactly, in every head, for every input distribution */
    for (int dist = 0; dist < AK_LOGITS_COUNT; dist++) {
        run w;
        run_init(&w, (ak_logit_dist)dist, 3, 70, 64, 11 + (uint64_t)dist);
        ak_sat_counts sat;
        CU_ASSERT_EQUAL_FATAL(ak_attention_scaled(&w.job, w.quant, w.in.scales,
                                                  AK_OSCALE_CALIBRATED, w.out, w.fx, 1, &sat),
                              AK_OK);
        CU_ASSERT_EQUAL(sat.out, 0);
        for (uint32_t h = 0; h < 3; h++) {
            const uint64_t per = 70 * 64;
            int32_t amax = 0;
            int omax = 0;
            for (uint64_t x = 0; x < per; x++) {
                amax = abs(w.fx[h * per + x]) > amax ? abs(w.fx[h * per + x]) : amax;
                omax = abs(w.out[h * per + x]) > omax ? abs(w.out[h * per + x]) : omax;
            }
            CU_ASSERT_EQUAL(omax, 127);
            CU_ASSERT_DOUBLE_EQUAL(w.in.scales[h].o,
                                   ((double)amax * w.in.scales[h].v) / 8323072.0, 0.0);
        }
        /* the int8 bits equal ak_attention run with those multipliers: requantising after
         * calibration is the datapath's own section 8 */
        int8_t *again = malloc(3 * 70 * 64);
        CU_ASSERT_EQUAL(ak_attention(&w.job, again, NULL, 2), AK_OK);
        CU_ASSERT(!memcmp(again, w.out, 3 * 70 * 64));
        free(again);
        run_free(&w);
    }
}

static void test_saturation_counts_recounted(void)
{
    /* fixed s_v / 8 on peaky inputs saturates; the count must equal a 128-bit recount of
     * section 8's requantisation from o_fx */
    run w;
    run_init(&w, AK_LOGITS_PEAKY, 2, 90, 32, 5);
    ak_sat_counts sat;
    CU_ASSERT_EQUAL_FATAL(ak_attention_scaled(&w.job, w.quant, w.in.scales, AK_OSCALE_FIXED,
                                              w.out, w.fx, 2, &sat),
                          AK_OK);
    uint64_t want = 0;
    for (uint32_t h = 0; h < 2; h++)
        for (uint64_t x = 0; x < 90 * 32; x++) {
            __int128 r = round_shift128((__int128)w.fx[h * 90 * 32 + x] * w.quant[h].out_mult,
                                        w.quant[h].out_shift);
            want += r > 127 || r < -128;
        }
    CU_ASSERT(want > 0);
    CU_ASSERT_EQUAL(sat.out, want);
    CU_ASSERT_EQUAL(sat.logits, 0);
    CU_ASSERT_EQUAL(sat.o_fx, 0);
    /* given: s_o is taken as it is */
    for (uint32_t h = 0; h < 2; h++)
        w.in.scales[h].o = 0.5;
    CU_ASSERT_EQUAL(ak_attention_scaled(&w.job, w.quant, w.in.scales, AK_OSCALE_GIVEN, w.out,
                                        w.fx, 1, &sat),
                    AK_OK);
    CU_ASSERT_DOUBLE_EQUAL(w.in.scales[1].o, 0.5, 0.0);
    run_free(&w);

    /* logits: huge input scales push round_shift(S M_l, sh_l) past 24 bits; recount from Q.K */
    run_init(&w, AK_LOGITS_EXTREME, 1, 40, 32, 9);
    w.in.scales[0].q = w.in.scales[0].k = 4.0;
    CU_ASSERT_EQUAL_FATAL(ak_attention_scaled(&w.job, w.quant, w.in.scales, AK_OSCALE_CALIBRATED,
                                              w.out, w.fx, 1, &sat),
                          AK_OK);
    want = 0;
    for (uint32_t i = 0; i < 40; i++)
        for (uint32_t j = 0; j < 40; j++) {
            int64_t s = 0;
            for (uint32_t c = 0; c < 32; c++)
                s += (int64_t)w.in.q[i * 32 + c] * w.in.k[j * 32 + c];
            __int128 l = round_shift128((__int128)s * w.quant[0].logit_mult,
                                        w.quant[0].logit_shift);
            want += l > (1 << 23) - 1 || l < -(1 << 23);
        }
    CU_ASSERT(want > 0);
    CU_ASSERT_EQUAL(sat.logits, want);
    run_free(&w);
}

static void test_next_tokens(void)
{
    CU_ASSERT_EQUAL(ak_prune_next_tokens(197, 700000, 1), 1 + 138 + 1);
    CU_ASSERT_EQUAL(ak_prune_next_tokens(197, 700000, 0), 1 + 138);
    CU_ASSERT_EQUAL(ak_prune_next_tokens(197, 1000000, 1), 197); /* nothing pruned: no fused */
    CU_ASSERT_EQUAL(ak_prune_next_tokens(1, 500000, 1), 1);
}

int ak_test_register(void)
{
    return AK_SUITE("quant", {"quantiser and policy names", test_parse_names},
                    {"percentile clip by rank, clipped count", test_percentile_clip_by_rank},
                    {"mse clip beats every candidate", test_mse_clip},
                    {"calibrated scale never saturates", test_calibrated_never_saturates},
                    {"saturation counts equal a 128-bit recount", test_saturation_counts_recounted},
                    {"EViT next-layer tokens", test_next_tokens});
}
