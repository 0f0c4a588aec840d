/* Fixed-point primitives (docs/numerics.md section 1) at their edge values, and against
 * independent 128-bit integer computations of the same definitions on random inputs. */
#include <math.h>

#include "ak_test.h"
#include "attnkit/fixed.h"
#include "attnkit/rng.h"

typedef __int128 i128; /* independent wide arithmetic for the expected values */

static i128 floor_div128(i128 n, i128 d)
{
    i128 q = n / d, r = n % d;
    return (r != 0 && n < 0) ? q - 1 : q;
}

static void test_floor_shift_edges(void)
{
    CU_ASSERT_EQUAL(ak_floor_shift(-1, 1), -1);
    CU_ASSERT_EQUAL(ak_floor_shift(-2, 1), -1);
    CU_ASSERT_EQUAL(ak_floor_shift(-3, 1), -2);
    CU_ASSERT_EQUAL(ak_floor_shift(7, 0), 7);
    CU_ASSERT_EQUAL(ak_floor_shift(INT32_MIN, 31), -1);
    CU_ASSERT_EQUAL(ak_floor_shift(INT32_MIN, 1), INT32_MIN / 2);
    CU_ASSERT_EQUAL(ak_floor_shift(INT64_MIN, 1), -(INT64_C(1) << 62));
    CU_ASSERT_EQUAL(ak_floor_shift(INT64_MIN, 63), -1);
    CU_ASSERT_EQUAL(ak_floor_shift(INT64_MAX, 62), 1);
    CU_ASSERT_EQUAL(ak_floor_shift(INT64_MAX, 63), 0);
    CU_ASSERT_EQUAL(ak_floor_shift(-5, 64), -1);
    CU_ASSERT_EQUAL(ak_floor_shift(5, 200), 0);
}

static void test_round_shift_halves(void)
{
    /* Round half up: ties go towards +infinity. */
    CU_ASSERT_EQUAL(ak_round_shift(5, 1), 3);   /* 2.5 */
    CU_ASSERT_EQUAL(ak_round_shift(-5, 1), -2); /* -2.5 */
    CU_ASSERT_EQUAL(ak_round_shift(1, 1), 1);   /* 0.5 */
    CU_ASSERT_EQUAL(ak_round_shift(-1, 1), 0);  /* -0.5 */
    CU_ASSERT_EQUAL(ak_round_shift(3, 1), 2);   /* 1.5 */
    CU_ASSERT_EQUAL(ak_round_shift(-3, 1), -1); /* -1.5 */
    CU_ASSERT_EQUAL(ak_round_shift(-6, 2), -1); /* -1.5 */
    CU_ASSERT_EQUAL(ak_round_shift(-7, 2), -2); /* -1.75 */
    CU_ASSERT_EQUAL(ak_round_shift(9, 0), 9);
    CU_ASSERT_EQUAL(ak_round_shift(INT32_MIN, 31), -1); /* -1 exactly */
    CU_ASSERT_EQUAL(ak_round_shift(INT32_MIN, 32), 0);  /* -0.5 */
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MIN, 1), -(INT64_C(1) << 62));
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MIN, 64), 0); /* -0.5 */
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MAX, 1), INT64_C(1) << 62); /* 2^62 - 0.5 */
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MAX, 63), 1);
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MIN, 63), -1);
    CU_ASSERT_EQUAL(ak_round_shift(INT64_MAX, 100), 0);
}

static void test_ceil_shift_edges(void)
{
    CU_ASSERT_EQUAL(ak_ceil_shift(1, 12), 1);
    CU_ASSERT_EQUAL(ak_ceil_shift(4096, 12), 1);
    CU_ASSERT_EQUAL(ak_ceil_shift(4097, 12), 2);
    CU_ASSERT_EQUAL(ak_ceil_shift(0, 12), 0);
    CU_ASSERT_EQUAL(ak_ceil_shift(-1, 12), 0);
    CU_ASSERT_EQUAL(ak_ceil_shift(-4096, 12), -1);
    CU_ASSERT_EQUAL(ak_ceil_shift(-4097, 12), -1);
    CU_ASSERT_EQUAL(ak_ceil_shift(-8388608, 12), -2048); /* -2^23, the logit minimum */
    CU_ASSERT_EQUAL(ak_ceil_shift(INT64_MIN, 63), -1);
    CU_ASSERT_EQUAL(ak_ceil_shift(INT64_MAX, 63), 1);
}

static void test_division_edges(void)
{
    CU_ASSERT_EQUAL(ak_floor_div(-7, 2), -4);
    CU_ASSERT_EQUAL(ak_floor_div(7, 2), 3);
    CU_ASSERT_EQUAL(ak_floor_div(-8, 2), -4);
    CU_ASSERT_EQUAL(ak_floor_div(INT64_MIN, 1), INT64_MIN);
    CU_ASSERT_EQUAL(ak_floor_div(INT64_MIN, INT64_MAX), -2);
    CU_ASSERT_EQUAL(ak_round_div(5, 2), 3);   /* 2.5 */
    CU_ASSERT_EQUAL(ak_round_div(-5, 2), -2); /* -2.5 */
    CU_ASSERT_EQUAL(ak_round_div(-1, 2), 0);  /* -0.5 */
    CU_ASSERT_EQUAL(ak_round_div(7, 3), 2);
    CU_ASSERT_EQUAL(ak_round_div(-7, 3), -2);
    CU_ASSERT_EQUAL(ak_round_div(-8, 3), -3);
    /* The largest numerator the datapath produces: -2^60 (acc = -2^44 times 2^16). */
    CU_ASSERT_EQUAL(ak_round_div(-(INT64_C(1) << 60), INT64_C(1) << 37), -(INT64_C(1) << 23));
    /* Outside the domain the result is 0, never undefined behaviour. */
    CU_ASSERT_EQUAL(ak_round_div(INT64_MAX, 3), 0);
    CU_ASSERT_EQUAL(ak_round_div(5, 0), 0);
    CU_ASSERT_EQUAL(ak_floor_div(5, -1), 0);
}

static void test_saturation_edges(void)
{
    CU_ASSERT_EQUAL(ak_sat(INT64_MAX, 8), 127);
    CU_ASSERT_EQUAL(ak_sat(INT64_MIN, 8), -128);
    CU_ASSERT_EQUAL(ak_sat(INT32_MIN, 8), -128);
    CU_ASSERT_EQUAL(ak_sat(128, 8), 127);
    CU_ASSERT_EQUAL(ak_sat(127, 8), 127);
    CU_ASSERT_EQUAL(ak_sat(-128, 8), -128);
    CU_ASSERT_EQUAL(ak_sat(-129, 8), -128);
    CU_ASSERT_EQUAL(ak_sat(INT32_MIN, 24), -(1 << 23));
    CU_ASSERT_EQUAL(ak_sat(1 << 23, 24), (1 << 23) - 1);
    CU_ASSERT_EQUAL(ak_sat(INT32_MIN, 32), INT32_MIN);
    CU_ASSERT_EQUAL(ak_sat(INT64_MIN, 64), INT64_MIN);
    CU_ASSERT_EQUAL(ak_sat(INT64_MAX, 48), (INT64_C(1) << 47) - 1);
}

/* Random inputs of every magnitude against __int128 transcriptions of the definitions. */
static void test_random_against_int128(void)
{
    ak_rng r;
    ak_rng_seed(&r, 12345);
    for (int it = 0; it < 200000; it++) {
        int64_t x = (int64_t)ak_rng_u64(&r);
        x = ak_floor_shift(x, ak_rng_below(&r, 64)); /* spread magnitudes */
        unsigned s = ak_rng_below(&r, 66);
        i128 p = (i128)1 << (s < 127 ? s : 126);
        i128 fl = floor_div128(x, p);
        CU_ASSERT_EQUAL_FATAL(ak_floor_shift(x, s), (int64_t)fl);
        i128 rd = s == 0 ? (i128)x : floor_div128(2 * (i128)x + p, 2 * p);
        CU_ASSERT_EQUAL_FATAL(ak_round_shift(x, s), (int64_t)rd);
        i128 ce = -floor_div128(-(i128)x, p);
        CU_ASSERT_EQUAL_FATAL(ak_ceil_shift(x, s), (int64_t)ce);
        int64_t d = (int64_t)(ak_rng_u64(&r) >> (2 + ak_rng_below(&r, 60))) + 1;
        CU_ASSERT_EQUAL_FATAL(ak_floor_div(x, d), (int64_t)floor_div128(x, d));
        int64_t n = ak_floor_shift(x, 2); /* inside round_div's domain */
        if (d < (INT64_C(1) << 62))
            CU_ASSERT_EQUAL_FATAL(ak_round_div(n, d), (int64_t)floor_div128(2 * (i128)n + d, 2 * (i128)d));
    }
}

static void test_quantize_multiplier(void)
{
    int32_t m;
    int sh;
    CU_ASSERT_EQUAL(ak_quantize_multiplier(1.0, &m, &sh), AK_OK);
    CU_ASSERT(m == (INT32_C(1) << 30) && sh == 30);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(0.5, &m, &sh), AK_OK);
    CU_ASSERT(m == (INT32_C(1) << 30) && sh == 31);
    /* f * 2^31 rounds up to 2^31: renormalised to 2^30 with one less shift. */
    CU_ASSERT_EQUAL(ak_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &sh), AK_OK);
    CU_ASSERT(m == (INT32_C(1) << 30) && sh == 30);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(0.0, &m, &sh), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(-1.0, &m, &sh), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(NAN, &m, &sh), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(INFINITY, &m, &sh), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(ldexp(1.0, 40), &m, &sh), AK_ERANGE);
    CU_ASSERT_EQUAL(ak_quantize_multiplier(ldexp(1.0, -40), &m, &sh), AK_ERANGE);
    ak_rng r;
    ak_rng_seed(&r, 7);
    for (int it = 0; it < 10000; it++) {
        double x = ldexp(1.0 + (double)(ak_rng_u64(&r) >> 11) * 0x1p-53,
                         (int)ak_rng_below(&r, 60) - 30);
        CU_ASSERT_EQUAL_FATAL(ak_quantize_multiplier(x, &m, &sh), AK_OK);
        CU_ASSERT_FATAL(m >= (INT32_C(1) << 30) && sh >= 0 && sh <= 62);
        double rel = fabs(ldexp((double)m, -sh) - x) / x;
        CU_ASSERT_FATAL(rel <= 0x1p-31);
    }
}

int ak_test_register(void)
{
    return AK_SUITE("fixed", {"floor_shift at edge values", test_floor_shift_edges},
                    {"round_shift exact halves and extremes", test_round_shift_halves},
                    {"ceil_shift at edge values", test_ceil_shift_edges},
                    {"floor_div and round_div edges", test_division_edges},
                    {"saturation at int8/24/32/48/64 limits", test_saturation_edges},
                    {"random inputs vs int128 definitions", test_random_against_int128},
                    {"quantize_multiplier range and accuracy", test_quantize_multiplier});
}
