/* RTL unit bench of the normaliser's pipelined divider (rtl/ak_div_pipe.sv, Verilated, the
 * divider ak_finish instantiates 16 times): bit-exact with sat(round_div(acc * 2^16, l), 24) of
 * the C model on exact halves, the saturation edges and random accumulators; 0 for a row
 * without keys (zero_i); one division accepted every cycle, with or without bubbles, each
 * result out in order after exactly LATENCY clock edges (AK_DIV_LATENCY of hw_params.h, which
 * the cycle model uses). Operands stay in the ranges numerics.md section 6 proves
 * (|acc| < 2^44, 0 < l <= 2^36), with margin: |acc| < 2^45, l < 2^40 (the C helper's domain
 * ends at |acc * 2^17| < 2^62). */
#include <stdio.h>

#include "ak_test.h"
#include "attnkit/fixed.h"
#include "attnkit/hw_params.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

/* clock edges from the one taking an input to the one after which valid_o shows its result,
 * both counted: QBits + 1 = AK_OUT_FX_BITS + 2 (documented in rtl/ak_div_pipe.sv): the RTL's
 * depth, measured against the one constant the cycle model waits for */
#define LATENCY ((unsigned)AK_DIV_LATENCY)
#define STREAM 1024u

static int32_t model(const ak_rtl_div_in *in)
{
    if (in->zero)
        return 0;
    return (int32_t)ak_sat(ak_round_div(in->acc * (INT64_C(1) << AK_OUT_FRAC), (int64_t)in->l),
                           AK_OUT_FX_BITS);
}

/* streams in[0 .. n) through the divider; returns the number of wrong results, latencies and
 * missing or extra results */
static unsigned run(const ak_rtl_div_in *in, unsigned n)
{
    static int32_t q[STREAM];
    static unsigned edges[STREAM];
    unsigned want = 0, bad = 0;
    for (unsigned i = 0; i < n; i++) {
        want += in[i].valid;
        q[i] = -1;
        edges[i] = 0;
    }
    unsigned got = ak_rtl_div_pipe(n, in, q, edges);
    if (got != want) {
        printf("\n    %u results for %u inputs ", got, want);
        bad++;
    }
    for (unsigned i = 0; i < n && bad < 5; i++) {
        if (!in[i].valid)
            continue;
        if (q[i] != model(&in[i]) || edges[i] != LATENCY) {
            printf("\n    input %u acc=%lld l=%llu zero=%d: rtl %d after %u edges, C %d ", i,
                   (long long)in[i].acc, (unsigned long long)in[i].l, in[i].zero, q[i],
                   edges[i], model(&in[i]));
            bad++;
        }
    }
    return bad;
}

static void test_edges(void)
{
    static const struct {
        int64_t acc;
        uint64_t l;
    } e[] = {
        /* exact halves after scaling: acc * 2^16 / l = k + 1/2, both signs */
        {1, UINT64_C(1) << 17},  /* 0.5 -> 1 */
        {-1, UINT64_C(1) << 17}, /* -0.5 -> 0 */
        {3, UINT64_C(1) << 17},  /* 1.5 -> 2 */
        {-3, UINT64_C(1) << 17}, /* -1.5 -> -1 */
        {0, 1},
        {-128, 1}, /* -2^23: the minimum, exact */
        {127, 1},
        {128, 1},  /* 2^23 saturates to 2^23 - 1 */
        {-129, 1}, /* saturates to -2^23 */
        {(INT64_C(1) << 45) - 1, 1}, /* large accumulators: saturate */
        {-(INT64_C(1) << 45), 1},
        {-(INT64_C(1) << 45), (UINT64_C(1) << 40) - 1},
        {INT64_C(1) << 43, UINT64_C(1) << 36},                 /* 128 exactly */
        {-(INT64_C(128) << 36) - 5, UINT64_C(1) << 36},        /* a hair below -128 */
    };
    enum { N = sizeof e / sizeof e[0] };
    ak_rtl_div_in in[2 * N + 2];
    unsigned n = 0;
    for (unsigned i = 0; i < N; i++) /* back to back */
        in[n++] = (ak_rtl_div_in){1, 0, e[i].acc, e[i].l};
    in[n++] = (ak_rtl_div_in){1, 1, 12345, 0};         /* a row without keys: l = 0, q = 0 */
    in[n++] = (ak_rtl_div_in){1, 1, -(INT64_C(1) << 45), 1}; /* zero wins over saturation */
    for (unsigned i = 0; i < N; i++) /* each alone */
        in[n++] = (ak_rtl_div_in){i % 2, 0, e[i].acc, e[i].l};
    CU_ASSERT_EQUAL(run(in, n), 0);
}

static void test_random(void)
{
    static ak_rtl_div_in in[STREAM];
    ak_rng r;
    ak_rng_seed(&r, 99);
    unsigned bad = 0;
    for (int s = 0; s < 20 && bad == 0; s++) {
        for (unsigned i = 0; i < STREAM; i++) {
            uint64_t l = (ak_rng_u64(&r) >> (24 + ak_rng_below(&r, 40))) + 1; /* 1 .. 2^40 */
            int64_t acc;
            if (i % 2) { /* realistic: |acc / l| <= 128, as a convex combination of int8 V */
                int64_t v = (int64_t)ak_rng_below(&r, 256 * 65536) - 128 * 65536;
                acc = ak_floor_div(v * (int64_t)(l >> 1 ? l >> 1 : 1), 32768);
                if (acc >= (INT64_C(1) << 45) || acc < -(INT64_C(1) << 45))
                    acc = 0;
            } else { /* any magnitude up to 2^45 */
                acc = ak_floor_shift((int64_t)ak_rng_u64(&r), 19 + ak_rng_below(&r, 45));
            }
            /* streams 0-9 back to back, then bubbles (1 in 4) and keyless rows (1 in 16) */
            int valid = s < 10 || ak_rng_below(&r, 4) != 0;
            int zero = s >= 10 && ak_rng_below(&r, 16) == 0;
            in[i] = (ak_rtl_div_in){valid, zero, acc, zero ? 0 : l};
        }
        bad += run(in, STREAM);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_div_pipe",
                    {"halves, zero, saturation edges, keyless rows: RTL == C, 26 edges",
                     test_edges},
                    {"20 streams of 1024, bubbles, keyless rows: RTL == C, in order, 26 edges",
                     test_random});
}
