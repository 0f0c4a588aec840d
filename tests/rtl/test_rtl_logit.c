/* RTL unit bench of the logit scaler (rtl/ak_logit.sv, Verilated) against the C model's
 * ak_logit: exact halves, saturation at both ends, every shift, random operands. */
#include <stdio.h>

#include "ak_test.h"
#include "attnkit/rng.h"
#include "online_softmax.h" /* the C model's ak_logit */
#include "rtl_units.h"

static unsigned check(int32_t s, uint32_t mult, unsigned shift)
{
    ak_head_quant q = {.logit_mult = (int32_t)mult, .logit_shift = (int)shift};
    int32_t rtl = ak_rtl_logit(s, mult, shift), c = ak_logit(s, &q);
    if (rtl != c) {
        printf("\n    s=%d mult=%u shift=%u: rtl %d, C %d ", s, mult, shift, rtl, c);
        return 1;
    }
    return 0;
}

static void test_edges_and_random(void)
{
    unsigned bad = 0;
    const uint32_t lo = 1u << 30, hi = (1u << 31) - 1;
    for (unsigned sh = 0; sh <= 62; sh++) { /* every shift, both signs, both multiplier ends */
        bad += check(1 << 21, hi, sh) + check(-(1 << 21), hi, sh);
        bad += check(3, lo, sh) + check(-3, lo, sh) + check(0, hi, sh);
    }
    bad += check(1, lo, 31);  /* exactly 0.5 -> 1 */
    bad += check(-1, lo, 31); /* exactly -0.5 -> 0 */
    ak_rng r;
    ak_rng_seed(&r, 5);
    for (int i = 0; i < 100000 && bad < 5; i++) {
        int32_t s = (int32_t)ak_rng_below(&r, (1u << 22) + 1) - (1 << 21);
        uint32_t m = lo + ak_rng_below(&r, 1u << 30);
        bad += check(s, m, ak_rng_below(&r, 63));
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_logit", {"every shift, halves, saturation, random: RTL == C", test_edges_and_random});
}
