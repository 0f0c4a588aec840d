/* RTL unit bench of the exp2 unit (rtl/ak_exp2.sv, Verilated): bit-exact with the C model's
 * ak_exp2neg over every input a datapath row can produce up to the point where p is 0, and on
 * random inputs up to 2^25; the RTL also passes Icarus's parser. */
#include <stdio.h>
#include <stdlib.h>

#include "ak_test.h"
#include "attnkit/exp2.h"
#include "attnkit/numerics.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

static void test_every_input_with_nonzero_output(void)
{
    const uint32_t last = (uint32_t)(AK_PROB_FRAC + 3) << AK_LOGIT_FRAC; /* p = 0 beyond */
    uint32_t mismatches = 0, first = 0;
    for (uint32_t a = 0; a <= last; a++) {
        uint32_t rtl = ak_rtl_exp2(a), c = ak_exp2neg(a);
        if (rtl != c && mismatches++ == 0)
            first = a;
    }
    if (mismatches)
        printf("\n    %u mismatches, first at a=%u: rtl %u, C %u ", mismatches, first,
               ak_rtl_exp2(first), ak_exp2neg(first));
    CU_ASSERT_EQUAL(mismatches, 0);
}

static void test_random_full_range(void)
{
    ak_rng r;
    ak_rng_seed(&r, 2026);
    for (int i = 0; i < 200000; i++) {
        uint32_t a = (uint32_t)(ak_rng_u64(&r) >> 39); /* 25 bits */
        CU_ASSERT_EQUAL_FATAL(ak_rtl_exp2(a), ak_exp2neg(a));
    }
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_exp2", {"every input up to p = 0: RTL == C", test_every_input_with_nonzero_output},
                    {"random 25-bit inputs: RTL == C", test_random_full_range});
}
