/* The exp2 unit (docs/numerics.md section 7): the versioned table against 2^(-k/64) computed
 * here with libm, monotonicity over the whole input range, and the documented error bound. */
#include <math.h>

#include "ak_test.h"
#include "attnkit/exp2.h"
#include "attnkit/numerics.h"

/* Documented in numerics.md section 7: relative error of the 21-bit fraction result. */
#define EXP2_REL_BOUND 1.7e-5

static void test_table_entries(void)
{
    CU_ASSERT_EQUAL(ak_exp2_table[0], 1u << AK_PROB_FRAC);
    CU_ASSERT_EQUAL(ak_exp2_table[64], 1u << (AK_PROB_FRAC - 1));
    for (int k = 0; k < AK_EXP_TABLE_SIZE; k++) {
        double exact = ldexp(exp2(-k / 64.0), AK_PROB_FRAC);
        CU_ASSERT_FATAL(fabs((double)ak_exp2_table[k] - exact) <= 0.5 + 1e-9);
        if (k > 0)
            CU_ASSERT_FATAL(ak_exp2_table[k] < ak_exp2_table[k - 1]);
        CU_ASSERT_FATAL(ak_exp2_table[k] < (1u << 21)); /* 21-bit entries */
    }
}

static void test_fraction_error_and_monotone(void)
{
    double worst = 0.0;
    uint32_t prev = UINT32_MAX;
    for (uint32_t fr = 0; fr < (1u << AK_LOGIT_FRAC); fr++) {
        uint32_t y = ak_exp2_frac(fr);
        double exact = ldexp(exp2(-(double)fr / (1 << AK_LOGIT_FRAC)), AK_PROB_FRAC);
        double rel = fabs((double)y - exact) / exact;
        worst = rel > worst ? rel : worst;
        CU_ASSERT_FATAL(y <= prev);
        prev = y;
    }
    printf("\n    worst relative error of the exp2 fraction: %.3g (bound %.3g) ", worst,
           EXP2_REL_BOUND);
    CU_ASSERT(worst <= EXP2_REL_BOUND);
    CU_ASSERT(worst > 1e-6); /* interpolation error is real: guards against a vacuous check */
}

static void test_exp2neg_range(void)
{
    CU_ASSERT_EQUAL(ak_exp2neg(0), 1u << 20);
    for (int k = 0; k <= 20; k++) /* whole numbers are exact powers of two */
        CU_ASSERT_EQUAL(ak_exp2neg((int64_t)k << AK_LOGIT_FRAC), 1u << (20 - k));
    CU_ASSERT_EQUAL(ak_exp2neg((int64_t)21 << AK_LOGIT_FRAC), 1u); /* 0.5 rounds up */
    CU_ASSERT_EQUAL(ak_exp2neg((int64_t)22 << AK_LOGIT_FRAC), 0u);
    CU_ASSERT_EQUAL(ak_exp2neg((int64_t)1 << 24), 0u); /* largest a the datapath makes */
    uint32_t prev = UINT32_MAX;
    for (int64_t a = 0; a <= ((int64_t)23 << AK_LOGIT_FRAC); a++) {
        uint32_t p = ak_exp2neg(a);
        CU_ASSERT_FATAL(p <= prev);
        prev = p;
        double exact = ldexp(exp2(-(double)a / (1 << AK_LOGIT_FRAC)), AK_PROB_FRAC);
        /* fraction error scaled by 2^-ip, plus half an LSB of the final rounding */
        CU_ASSERT_FATAL(fabs((double)p - exact) <= exact * EXP2_REL_BOUND + 0.5 + 1e-9);
    }
}

/* The branch-free 32-bit form equals the spec's exp2neg: every a below 2^26 (every logit
 * difference a row can produce) and the top of its domain. */
static void test_exp2neg_u31_equals_exp2neg(void)
{
    for (uint32_t a = 0; a < (1u << 26); a++)
        if (ak_exp2neg_u31(a) != ak_exp2neg(a))
            CU_FAIL_FATAL("ak_exp2neg_u31 differs from ak_exp2neg");
    for (uint32_t a = UINT32_C(0x7fffffff) - 100000; a < UINT32_C(0x7fffffff); a++)
        CU_ASSERT_EQUAL_FATAL(ak_exp2neg_u31(a), ak_exp2neg(a));
}

int ak_test_register(void)
{
    return AK_SUITE("exp2", {"table entries, width and strict decrease", test_table_entries},
                    {"fraction: monotone, within the documented error", test_fraction_error_and_monotone},
                    {"exp2neg over the whole range", test_exp2neg_range},
                    {"branch-free 32-bit exp2neg equals exp2neg", test_exp2neg_u31_equals_exp2neg});
}
