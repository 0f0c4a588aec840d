/* Properties of the fixed-point attention that must hold by the spec (docs/numerics.md):
 * the block walker equals the spec transcription for every pattern; a dense block mask gives
 * the dense path's bits at every block size; K/V in masked blocks never reach an output; the
 * thread count and run order never change a bit; extremes stay in range; and accuracy against
 * the float64 reference on the same int8 inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../refmodel/src/key_tile.h"
#include "../refmodel/src/online_softmax.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"

/* A generated workload with its job, ready to run. */
typedef struct {
    ak_inputs in;
    ak_head_quant *quant;
    ak_attn_job job;
    uint64_t outs;
} workload;

static void wl_make(workload *w, ak_logit_dist dist, uint32_t heads, uint32_t nq, uint32_t nk,
                    uint32_t d, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    CU_ASSERT_FATAL(ak_inputs_generate(dist, heads, nq, nk, d, seed, &w->in) == AK_OK);
    w->quant = calloc(heads, sizeof *w->quant);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->quant);
    for (uint32_t h = 0; h < heads; h++) {
        w->in.scales[h].o = w->in.scales[h].v / 8.0; /* a typical calibrated output range */
        CU_ASSERT_FATAL(ak_head_quant_from_scales(&w->in.scales[h], d, &w->quant[h]) == AK_OK);
    }
    w->job = (ak_attn_job){.heads = heads, .nq = nq, .nk = nk, .d = d, .q = w->in.q,
                           .k = w->in.k, .v = w->in.v, .quant = w->quant, .mask = NULL};
    w->outs = (uint64_t)heads * nq * d;
}

static void wl_free(workload *w)
{
    ak_inputs_free(&w->in);
    free(w->quant);
}

/* Outputs of one run. */
typedef struct {
    int8_t *out;
    int32_t *fx;
} result;

static result run(const ak_attn_job *job, uint64_t outs, int reference, unsigned threads)
{
    result r = {malloc(outs), malloc(outs * sizeof(int32_t))};
    CU_ASSERT_FATAL(r.out && r.fx);
    ak_status st = reference ? ak_attention_ref(job, r.out, r.fx)
                             : ak_attention(job, r.out, r.fx, threads);
    CU_ASSERT_EQUAL_FATAL(st, AK_OK);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->fx);
}

static int same(const result *a, const result *b, uint64_t outs)
{
    return !memcmp(a->out, b->out, outs) && !memcmp(a->fx, b->fx, outs * sizeof(int32_t));
}

static void build_mask(ak_pattern_kind kind, double density, const workload *w, uint32_t block,
                       uint64_t seed, ak_mask *m)
{
    ak_pattern p;
    uint32_t kb = (w->job.nk + block - 1) / block;
    CU_ASSERT_FATAL(ak_pattern_for_density(kind, density, kb, seed, &p) == AK_OK);
    const char *why = NULL;
    ak_status st = ak_mask_build(&p, w->job.nq, w->job.nk, block, w->job.heads, w->in.q,
                                 w->in.k, w->job.d, m, &why);
    if (st != AK_OK)
        printf("mask build failed: %s\n", why ? why : "?");
    CU_ASSERT_EQUAL_FATAL(st, AK_OK);
}

static void test_dense_mask_equals_dense_path(void)
{
    static const uint32_t shapes[][4] = {/* nq, nk, d, heads */
                                         {197, 197, 64, 2}, {64, 64, 32, 1},  {300, 300, 128, 2},
                                         {1, 1, 64, 1},     {17, 200, 32, 3}, {250, 40, 64, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        workload w;
        wl_make(&w, AK_LOGITS_GAUSS3, shapes[s][3], shapes[s][0], shapes[s][1], shapes[s][2],
                100 + s);
        result dense = run(&w.job, w.outs, 1, 1); /* the spec transcription, no mask */
        result walk = run(&w.job, w.outs, 0, 1);  /* the walker, no mask */
        CU_ASSERT(same(&dense, &walk, w.outs));
        for (uint32_t block = 16; block <= 128; block *= 2) {
            ak_mask m;
            build_mask(AK_PATTERN_DENSE, 1.0, &w, block, 1, &m);
            w.job.mask = &m;
            result masked = run(&w.job, w.outs, 0, 2);
            CU_ASSERT(same(&dense, &masked, w.outs));
            w.job.mask = NULL;
            ak_mask_free(&m);
            result_free(&masked);
        }
        result_free(&dense);
        result_free(&walk);
        wl_free(&w);
    }
}

static void test_walker_equals_reference_every_pattern(void)
{
    for (int kind = 0; kind < AK_PATTERN_COUNT; kind++)
        for (int variant = 0; variant < 3; variant++) {
            const uint32_t n = variant == 0 ? 197 : (variant == 1 ? 256 : 333);
            const uint32_t block = variant == 0 ? 64 : (variant == 1 ? 16 : 32);
            const uint32_t d = variant == 0 ? 64 : (variant == 1 ? 32 : 128);
            workload w;
            wl_make(&w, (ak_logit_dist)(variant % AK_LOGITS_COUNT), 2, n, n, d, 7 + kind);
            ak_mask m;
            build_mask((ak_pattern_kind)kind, 0.3, &w, block, 99 + variant, &m);
            w.job.mask = &m;
            result ref = run(&w.job, w.outs, 1, 1);
            result walk = run(&w.job, w.outs, 0, 3);
            if (!same(&ref, &walk, w.outs))
                printf("\n    mismatch: pattern %s n=%u block=%u d=%u ",
                       ak_pattern_name((ak_pattern_kind)kind), n, block, d);
            CU_ASSERT(same(&ref, &walk, w.outs));
            result_free(&ref);
            result_free(&walk);
            ak_mask_free(&m);
            wl_free(&w);
        }
}

/* Overwrites K and V rows [j0, j1) of head h with fresh random values. */
static void scramble_kv(workload *w, uint32_t h, uint32_t j0, uint32_t j1, ak_rng *r)
{
    int8_t *k = (int8_t *)w->in.k, *v = (int8_t *)w->in.v;
    uint64_t base = (uint64_t)h * w->job.nk * w->job.d;
    for (uint64_t x = base + (uint64_t)j0 * w->job.d; x < base + (uint64_t)j1 * w->job.d; x++) {
        k[x] = (int8_t)(ak_rng_below(r, 256) - 128);
        v[x] = (int8_t)(ak_rng_below(r, 256) - 128);
    }
}

static void test_masked_kv_never_reach_outputs(void)
{
    static const ak_pattern_kind kinds[] = {AK_PATTERN_WINDOW, AK_PATTERN_RANDOM,
                                            AK_PATTERN_STRIDED, AK_PATTERN_TOPK};
    ak_rng r;
    ak_rng_seed(&r, 4242);
    unsigned changed_when_active = 0, checks = 0;
    for (size_t t = 0; t < sizeof kinds / sizeof kinds[0]; t++) {
        workload w;
        wl_make(&w, AK_LOGITS_GAUSS1, 2, 200, 200, 32, 31 + t);
        ak_mask m;
        build_mask(kinds[t], 0.3, &w, 32, 5, &m);
        w.job.mask = &m;
        result base = run(&w.job, w.outs, 0, 2);
        for (uint32_t h = 0; h < w.job.heads; h++)
            for (uint32_t qb = 0; qb < m.q_blocks; qb++) {
                /* Scramble every key block masked for (h, qb): its rows must not change. */
                for (uint32_t kb = 0; kb < m.k_blocks; kb++) {
                    uint32_t j0 = kb * m.block, j1 = j0 + m.block < w.job.nk ? j0 + m.block : w.job.nk;
                    if (!ak_mask_valid(&m, h, qb * m.block, j0))
                        scramble_kv(&w, h, j0, j1, &r);
                }
                result after = run(&w.job, w.outs, 0, 2);
                uint32_t i0 = qb * m.block, i1 = i0 + m.block < w.job.nq ? i0 + m.block : w.job.nq;
                uint64_t o0 = ((uint64_t)h * w.job.nq + i0) * w.job.d;
                uint64_t o1 = ((uint64_t)h * w.job.nq + i1) * w.job.d;
                CU_ASSERT(!memcmp(base.out + o0, after.out + o0, o1 - o0));
                CU_ASSERT(!memcmp(base.fx + o0, after.fx + o0, (o1 - o0) * sizeof(int32_t)));
                checks++;
                /* Non-vacuity: scrambling an active block of the same rows does change them. */
                uint32_t count;
                const uint32_t *list = ak_mask_list(&m, h, qb, &count);
                uint32_t j0 = list[0] * m.block;
                uint32_t j1 = j0 + m.block < w.job.nk ? j0 + m.block : w.job.nk;
                scramble_kv(&w, h, j0, j1, &r);
                result active = run(&w.job, w.outs, 0, 2);
                changed_when_active += memcmp(after.fx + o0, active.fx + o0,
                                              (o1 - o0) * sizeof(int32_t)) != 0;
                result_free(&active);
                result_free(&after);
                result_free(&base);
                base = run(&w.job, w.outs, 0, 2);
            }
        result_free(&base);
        ak_mask_free(&m);
        wl_free(&w);
    }
    CU_ASSERT_EQUAL(changed_when_active, checks);
}

static void test_future_keys_never_reach_causal_rows(void)
{
    workload w;
    wl_make(&w, AK_LOGITS_GAUSS3, 1, 150, 150, 64, 77);
    ak_mask m;
    build_mask(AK_PATTERN_CAUSAL, 1.0, &w, 16, 1, &m);
    w.job.mask = &m;
    result base = run(&w.job, w.outs, 0, 1);
    ak_rng r;
    ak_rng_seed(&r, 5);
    scramble_kv(&w, 0, 100, 150, &r); /* keys 100.. are in the future of rows 0..99 */
    result after = run(&w.job, w.outs, 0, 1);
    CU_ASSERT(!memcmp(base.fx, after.fx, 100 * 64 * sizeof(int32_t)));
    CU_ASSERT(memcmp(base.fx + 100 * 64, after.fx + 100 * 64, 50 * 64 * sizeof(int32_t)) != 0);
    result_free(&base);
    result_free(&after);
    ak_mask_free(&m);
    wl_free(&w);
}

static void test_threads_and_order_independent(void)
{
    workload w;
    wl_make(&w, AK_LOGITS_PEAKY, 4, 300, 300, 64, 2024);
    ak_mask m;
    build_mask(AK_PATTERN_TOPK, 0.4, &w, 32, 3, &m);
    w.job.mask = &m;
    result one = run(&w.job, w.outs, 0, 1);
    static const unsigned threads[] = {2, 3, 5, 16, 0};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        result many = run(&w.job, w.outs, 0, threads[t]);
        CU_ASSERT(same(&one, &many, w.outs));
        result_free(&many);
    }
    result again = run(&w.job, w.outs, 0, 1); /* no hidden state between calls */
    CU_ASSERT(same(&one, &again, w.outs));
    result_free(&again);
    /* Heads one at a time, last head first, each with its own one-head mask: same bits. */
    const uint64_t per_head = (uint64_t)w.job.nq * w.job.d;
    for (uint32_t hh = w.job.heads; hh-- > 0;) {
        ak_mask mh;
        uint8_t *bitmap = calloc((size_t)m.q_blocks * m.k_blocks, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(bitmap);
        for (uint32_t qb = 0; qb < m.q_blocks; qb++) {
            uint32_t count;
            const uint32_t *list = ak_mask_list(&m, hh, qb, &count);
            for (uint32_t b = 0; b < count; b++)
                bitmap[(size_t)qb * m.k_blocks + list[b]] = 1;
        }
        CU_ASSERT_FATAL(ak_mask_from_bitmap(m.nq, m.nk, m.block, 1, m.token_causal, bitmap, &mh,
                                            NULL) == AK_OK);
        free(bitmap);
        ak_attn_job j1 = w.job;
        j1.heads = 1;
        j1.q += hh * per_head;
        j1.k += (uint64_t)hh * w.job.nk * w.job.d;
        j1.v += (uint64_t)hh * w.job.nk * w.job.d;
        j1.quant += hh;
        j1.mask = &mh;
        result single = run(&j1, per_head, 0, 2);
        CU_ASSERT(!memcmp(single.out, one.out + hh * per_head, per_head));
        CU_ASSERT(!memcmp(single.fx, one.fx + hh * per_head, per_head * sizeof(int32_t)));
        result_free(&single);
        ak_mask_free(&mh);
    }
    result_free(&one);
    ak_mask_free(&m);
    wl_free(&w);
}

/* Constant V = c: the output is c whatever the logits (a convex combination of equal values),
 * and the most negative inputs stay inside every documented width. */
static void test_extremes(void)
{
    static const int cvals[] = {-128, -1, 0, 1, 127};
    for (size_t ci = 0; ci < sizeof cvals / sizeof cvals[0]; ci++) {
        workload w;
        wl_make(&w, AK_LOGITS_GAUSS3, 1, 130, 130, 128, 9 + ci);
        memset((int8_t *)w.in.v, cvals[ci], w.outs);
        if (ci == 0) { /* Q = K = -128 everywhere: the largest |S| = 2^21 */
            memset((int8_t *)w.in.q, -128, w.outs);
            memset((int8_t *)w.in.k, -128, w.outs);
        }
        w.in.scales[0].o = w.in.scales[0].v; /* out = o_fx / 2^16 */
        CU_ASSERT_FATAL(ak_head_quant_from_scales(&w.in.scales[0], 128, &w.quant[0]) == AK_OK);
        result ref = run(&w.job, w.outs, 1, 1);
        result walk = run(&w.job, w.outs, 0, 2);
        CU_ASSERT(same(&ref, &walk, w.outs));
        for (uint64_t x = 0; x < w.outs; x++) {
            CU_ASSERT_EQUAL_FATAL(walk.out[x], cvals[ci]);
            CU_ASSERT_FATAL(walk.fx[x] >= -(1 << 23) && walk.fx[x] < (1 << 23));
            /* within 17 units of 2^-16 of c: the rescale-rounding bound of numerics.md sec. 8 */
            CU_ASSERT_FATAL(llabs((long long)walk.fx[x] - (long long)cvals[ci] * 65536) <= 17);
        }
        result_free(&ref);
        result_free(&walk);
        wl_free(&w);
    }
}

/* Saturation of the final int8: an output scale far below the output range clips at the ends. */
static void test_output_saturation(void)
{
    workload w;
    wl_make(&w, AK_LOGITS_GAUSS1, 1, 64, 64, 32, 1);
    int8_t *v = (int8_t *)w.in.v; /* columns 0..15 hold 100, columns 16..31 hold -100 */
    for (uint64_t x = 0; x < w.outs; x++)
        v[x] = x % 32 < 16 ? 100 : -100;
    w.in.scales[0].o = w.in.scales[0].v / 1000.0;
    CU_ASSERT_FATAL(ak_head_quant_from_scales(&w.in.scales[0], 32, &w.quant[0]) == AK_OK);
    result r = run(&w.job, w.outs, 0, 1);
    int hi = 0, lo = 0;
    for (uint64_t x = 0; x < w.outs; x++) {
        hi += r.out[x] == 127;
        lo += r.out[x] == -128;
        CU_ASSERT_FATAL(r.out[x] == (x % 32 < 16 ? 127 : -128));
    }
    CU_ASSERT(hi > 0 && lo > 0);
    result_free(&r);
    wl_free(&w);
}

/* A query block with no active key block and token-causal rows before the first key give 0. */
static void test_rows_without_keys(void)
{
    workload w;
    wl_make(&w, AK_LOGITS_GAUSS1, 1, 64, 64, 32, 3);
    uint8_t bitmap[4 * 4] = {1, 0, 0, 0, /* qb 0 */ 0, 0, 0, 0, /* qb 1: empty */
                             1, 1, 1, 0, 0, 0, 1, 1};
    ak_mask m;
    CU_ASSERT_FATAL(ak_mask_from_bitmap(64, 64, 16, 1, 0, bitmap, &m, NULL) == AK_OK);
    w.job.mask = &m;
    result r = run(&w.job, w.outs, 0, 1);
    result ref = run(&w.job, w.outs, 1, 1);
    CU_ASSERT(same(&r, &ref, w.outs));
    for (uint64_t x = 16 * 32; x < 32 * 32; x++)
        CU_ASSERT_FATAL(r.out[x] == 0 && r.fx[x] == 0);
    ak_mask_free(&m);
    result_free(&r);
    result_free(&ref);
    /* Token-causal with more queries than keys: query i sees keys j <= i - 10. */
    workload w2;
    wl_make(&w2, AK_LOGITS_GAUSS1, 1, 40, 30, 32, 4);
    build_mask(AK_PATTERN_CAUSAL, 1.0, &w2, 16, 1, &m);
    w2.job.mask = &m;
    r = run(&w2.job, w2.outs, 0, 1);
    ref = run(&w2.job, w2.outs, 1, 1);
    CU_ASSERT(same(&r, &ref, w2.outs));
    for (uint64_t x = 0; x < 10 * 32; x++)
        CU_ASSERT_FATAL(r.fx[x] == 0);
    int nonzero = 0;
    for (uint64_t x = 10 * 32; x < w2.outs; x++)
        nonzero += r.fx[x] != 0;
    CU_ASSERT(nonzero > 0);
    ak_mask_free(&m);
    result_free(&r);
    result_free(&ref);
    wl_free(&w2);
    wl_free(&w);
}

static void test_invalid_jobs(void)
{
    workload w;
    wl_make(&w, AK_LOGITS_GAUSS1, 1, 16, 16, 32, 1);
    int8_t out[16 * 32];
    const char *why = NULL;
    ak_attn_job j = w.job;
    j.d = 48;
    CU_ASSERT_EQUAL(ak_attn_job_check(&j, &why), AK_EINVAL);
    CU_ASSERT(why && strstr(why, "d:"));
    CU_ASSERT_EQUAL(ak_attention(&j, out, NULL, 1), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_attention_ref(&j, out, NULL), AK_EINVAL);
    j = w.job;
    j.nq = 0;
    CU_ASSERT_EQUAL(ak_attn_job_check(&j, &why), AK_EINVAL);
    CU_ASSERT(why && strstr(why, "nq"));
    j = w.job;
    j.nk = AK_MAX_TOKENS + 1;
    CU_ASSERT_EQUAL(ak_attn_job_check(&j, &why), AK_EINVAL);
    CU_ASSERT(why && strstr(why, "nk"));
    ak_head_quant bad = w.quant[0];
    bad.logit_mult = 5;
    j = w.job;
    j.quant = &bad;
    CU_ASSERT_EQUAL(ak_attn_job_check(&j, &why), AK_EINVAL);
    CU_ASSERT(why && strstr(why, "quant"));
    CU_ASSERT_EQUAL(ak_attention(&w.job, NULL, NULL, 1), AK_EINVAL);
    wl_free(&w);
}

/* SQNR of the pre-requantisation output >= 70 dB and every int8 output within 1 LSB of the
 * correctly rounded float64 result (the acceptance figures; N = 4096 is measured by
 * `attnkit accuracy` in the closing note, this keeps 197 and 1024 in every test run). */
static void test_accuracy_against_float64(void)
{
    static const uint32_t ns[] = {197, 1024};
    for (size_t ni = 0; ni < 2; ni++)
        for (int dist = 0; dist < AK_LOGITS_COUNT; dist++) {
            workload w;
            wl_make(&w, (ak_logit_dist)dist, 2, ns[ni], ns[ni], 64, 1);
            double *ref = malloc(w.outs * sizeof *ref);
            CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
            CU_ASSERT_FATAL(ak_attention_f64(&w.job, w.in.scales, ref) == AK_OK);
            ak_calibrate_output_scales(&w.job, ref, w.in.scales);
            for (uint32_t h = 0; h < w.job.heads; h++)
                CU_ASSERT_FATAL(ak_head_quant_from_scales(&w.in.scales[h], 64, &w.quant[h]) ==
                                AK_OK);
            result r = run(&w.job, w.outs, 0, 0);
            ak_accuracy acc;
            CU_ASSERT_FATAL(ak_accuracy_measure(&w.job, w.in.scales, ref, r.fx, r.out, &acc) ==
                            AK_OK);
            printf("\n    N=%u %-6s SQNR %.2f dB, max diff %d LSB, exact %.4f ", ns[ni],
                   ak_logit_dist_name((ak_logit_dist)dist), acc.sqnr_db, acc.max_rounded_diff,
                   acc.exact_fraction);
            CU_ASSERT(acc.sqnr_db >= 70.0);
            CU_ASSERT(acc.max_rounded_diff <= 1);
            result_free(&r);
            free(ref);
            wl_free(&w);
        }
}

/* The row finish's division (a double quotient corrected by the remainder) equals the spec's
 * ak_round_div on random rows, on exact halves (ties round up) and either side of them, and
 * near the saturation of o_fx, for d = 128 lanes at once. */
static void test_row_finish_division_exact(void)
{
    ak_rng r;
    ak_rng_seed(&r, 2024);
    const ak_head_quant qp = {.logit_mult = INT32_C(1) << 30, .logit_shift = 10,
                              .out_mult = INT32_C(1) << 30, .out_shift = 40};
    ak_row_state st;
    uint64_t halves = 0;
    for (int it = 0; it < 20000; it++) {
        /* every other row has l = m 2^17, so a lane can hold an exact half (below) */
        const int64_t m = (int64_t)ak_rng_below(&r, 1u << 20) + 1;
        st.l = it % 2 ? m << 17
                      : (int64_t)(ak_rng_u64(&r) >> (64 - 1 - ak_rng_below(&r, 37))) + 1;
        for (uint32_t c = 0; c < AK_MAX_HEAD_DIM; c++) {
            /* a quotient up to 2^24 (past the 24-bit saturation), as acc = q l / 2^16 + e */
            const int64_t q = (int64_t)ak_rng_below(&r, 1u << 25) - (1 << 24);
            int64_t acc = (int64_t)(((__int128)q * st.l) >> AK_OUT_FRAC);
            switch (ak_rng_below(&r, 4)) {
            case 0: /* with l = m 2^17, acc = (2q + 1) m gives acc 2^16 / l = q + 1/2 exactly */
                if (it % 2) {
                    acc = (2 * q + 1) * m;
                    halves++;
                }
                break;
            case 1:
                acc += (int64_t)ak_rng_below(&r, 3) - 1;
                break;
            default:
                acc += (int64_t)ak_rng_below(&r, 1u << 20) - (1 << 19);
            }
            st.acc[c] = acc;
        }
        int8_t out[AK_MAX_HEAD_DIM];
        int32_t fx[AK_MAX_HEAD_DIM];
        uint64_t sat_fx = 0, sat_out = 0, want_sat = 0;
        ak_row_finish(&st, &qp, AK_MAX_HEAD_DIM, out, fx, &sat_fx, &sat_out);
        for (uint32_t c = 0; c < AK_MAX_HEAD_DIM; c++) {
            const int64_t q = ak_round_div(st.acc[c] * (INT64_C(1) << AK_OUT_FRAC), st.l);
            const int64_t o = ak_sat(q, AK_OUT_FX_BITS);
            want_sat += o != q;
            if (fx[c] != o) {
                printf("\n    acc %lld l %lld: %d, want %lld ", (long long)st.acc[c],
                       (long long)st.l, fx[c], (long long)o);
                CU_FAIL_FATAL("row finish differs from ak_round_div");
            }
        }
        CU_ASSERT_EQUAL_FATAL(sat_fx, want_sat);
    }
    CU_ASSERT(halves > 100000); /* the ties really were tried */
}

/* Every kernel set this CPU has gives the spec transcription's bits (the walker tests again,
 * under each set), including the extremes that reach the int32 bounds of the tile's P.V. */
static void test_every_kernel_set(void)
{
    int tried = 0;
    for (int k = 0; k < AK_TILE_KERNEL_SETS; k++) {
        if (!ak_tile_kernels_available((ak_tile_kernels)k))
            continue;
        ak_tile_kernels prev = ak_tile_kernels_set((ak_tile_kernels)k);
        test_walker_equals_reference_every_pattern();
        test_dense_mask_equals_dense_path();
        test_extremes();
        test_rows_without_keys();
        ak_tile_kernels_set(prev);
        tried++;
    }
    CU_ASSERT(tried >= 1);
}

int ak_test_register(void)
{
    return AK_SUITE("attention",
                    {"dense block mask == dense path, every block size", test_dense_mask_equals_dense_path},
                    {"walker == spec transcription, every pattern", test_walker_equals_reference_every_pattern},
                    {"K/V in masked blocks never reach an output", test_masked_kv_never_reach_outputs},
                    {"future keys never reach token-causal rows", test_future_keys_never_reach_causal_rows},
                    {"thread count and run order never change a bit", test_threads_and_order_independent},
                    {"constant V and extreme inputs stay in range", test_extremes},
                    {"final int8 saturation", test_output_saturation},
                    {"rows without valid keys give zeros", test_rows_without_keys},
                    {"invalid jobs are rejected with a reason", test_invalid_jobs},
                    {"row finish: division exact against ak_round_div", test_row_finish_division_exact},
                    {"every kernel set == spec transcription", test_every_kernel_set},
                    {"accuracy vs float64: >= 70 dB, within 1 LSB", test_accuracy_against_float64});
}
