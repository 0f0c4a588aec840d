/* RTL unit bench of the normalisation divider (rtl/ak_div_round.sv, Verilated): bit-exact
 * with sat(round_div(acc * 2^16, l), 24) of the C model on exact halves, the saturation edges
 * and random accumulators, and a latency that never depends on the data. Operands stay in the
 * ranges numerics.md section 6 proves (|acc| < 2^44, 0 < l <= 2^36), with margin: |acc| < 2^45,
 * l < 2^40 (the C helper's domain ends at |acc * 2^17| < 2^62). */
#include <stdio.h>

#include "ak_test.h"
#include "attnkit/fixed.h"
#include "attnkit/numerics.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

#define LATENCY 25u /* documented in rtl/ak_div_round.sv */

static int32_t model(int64_t acc, uint64_t l)
{
    return (int32_t)ak_sat(ak_round_div(acc * (INT64_C(1) << AK_OUT_FRAC), (int64_t)l),
                           AK_OUT_FX_BITS);
}

static unsigned check(int64_t acc, uint64_t l)
{
    unsigned lat;
    int32_t rtl = ak_rtl_div_round(acc, l, &lat);
    if (rtl != model(acc, l) || lat != LATENCY) {
        printf("\n    acc=%lld l=%llu: rtl %d in %u cycles, C %d ", (long long)acc,
               (unsigned long long)l, rtl, lat, model(acc, l));
        return 1;
    }
    return 0;
}

static void test_edges(void)
{
    unsigned bad = 0;
    /* exact halves after scaling: acc * 2^16 / l = k + 1/2, both signs */
    bad += check(1, UINT64_C(1) << 17);          /* 0.5 -> 1 */
    bad += check(-1, UINT64_C(1) << 17);         /* -0.5 -> 0 */
    bad += check(3, UINT64_C(1) << 17);          /* 1.5 -> 2 */
    bad += check(-3, UINT64_C(1) << 17);         /* -1.5 -> -1 */
    bad += check(0, 1);
    bad += check(-128, 1);                       /* -2^23: the minimum, exact */
    bad += check(127, 1);
    bad += check(128, 1);                        /* 2^23 saturates to 2^23 - 1 */
    bad += check(-129, 1);                       /* saturates to -2^23 */
    bad += check((INT64_C(1) << 45) - 1, 1);     /* large accumulators: saturate */
    bad += check(-(INT64_C(1) << 45), 1);
    bad += check(-(INT64_C(1) << 45), (UINT64_C(1) << 40) - 1);
    bad += check((INT64_C(1) << 43), UINT64_C(1) << 36); /* 128 exactly */
    bad += check(-(INT64_C(128) << 36) - 5, UINT64_C(1) << 36); /* a hair below -128 */
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_random(void)
{
    ak_rng r;
    ak_rng_seed(&r, 99);
    unsigned bad = 0;
    for (int i = 0; i < 20000 && bad < 5; i++) {
        uint64_t l = (ak_rng_u64(&r) >> (24 + ak_rng_below(&r, 40))) + 1; /* 1 .. 2^40 */
        int64_t acc;
        if (i % 2) { /* realistic: |acc / l| <= 128, as a convex combination of int8 V */
            int64_t v = (int64_t)ak_rng_below(&r, 256 * 65536) - 128 * 65536;
            acc = ak_floor_div(v * (int64_t)(l >> 1 ? l >> 1 : 1), 32768);
            if (acc >= (INT64_C(1) << 45) || acc < -(INT64_C(1) << 45))
                continue;
        } else { /* any magnitude up to 2^45 */
            acc = ak_floor_shift((int64_t)ak_rng_u64(&r), 19 + ak_rng_below(&r, 45));
        }
        bad += check(acc, l);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_div_round", {"halves, zero, saturation edges: RTL == C, 25 cycles", test_edges},
                    {"random accumulators and sums: RTL == C, 25 cycles", test_random});
}
