/* The exp2 unit (docs/numerics.md section 7): table lookup with 6-bit linear interpolation,
 * then a rounding shift by the integer part. */
#include "attnkit/exp2.h"

#include "attnkit/fixed.h"

uint32_t ak_exp2_frac(uint32_t fr)
{
    fr &= (1u << AK_LOGIT_FRAC) - 1u;
    uint32_t k = fr >> AK_EXP_REM_BITS; /* fr is unsigned: a plain shift is floor_shift */
    uint32_t r = fr & ((1u << AK_EXP_REM_BITS) - 1u);
    uint32_t hi = ak_exp2_table[k], lo = ak_exp2_table[k + 1];
    int64_t step = ak_round_shift((int64_t)(hi - lo) * (int64_t)r, AK_EXP_REM_BITS);
    return hi - (uint32_t)step;
}

uint32_t ak_exp2neg(int64_t a)
{
    if (a < 0)
        a = 0; /* outside the domain; the datapath never produces it */
    int64_t ip = ak_floor_shift(a, AK_LOGIT_FRAC);
    uint32_t y = ak_exp2_frac((uint32_t)(a - ip * (INT64_C(1) << AK_LOGIT_FRAC)));
    if (ip > 63)
        return 0;
    return (uint32_t)ak_round_shift((int64_t)y, (unsigned)ip);
}
