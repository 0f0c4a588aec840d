/* The exp2 unit of docs/numerics.md section 7: 2^(-a / 2^F) in PROB_FRAC fractional bits,
 * from the versioned 65-entry table (refmodel/tables/exp2_frac.hex) with linear
 * interpolation. Inline (the kernels call it per key); exp2.c holds the external definitions. */
#ifndef ATTNKIT_EXP2_H
#define ATTNKIT_EXP2_H

#include <stdint.h>

#include "attnkit/fixed.h"
#include "attnkit/numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The table, round_half_up(2^20 * 2^(-k/64)) for k = 0..64, compiled in from the .hex file. */
extern const uint32_t ak_exp2_table[AK_EXP_TABLE_SIZE];

/* 2^(-fr / 2^F) * 2^PROB_FRAC for a fraction 0 <= fr < 2^F (21-bit result). */
inline uint32_t ak_exp2_frac(uint32_t fr)
{
    fr &= (1u << AK_LOGIT_FRAC) - 1u;
    uint32_t k = fr >> AK_EXP_REM_BITS; /* fr is unsigned: a plain shift is floor_shift */
    uint32_t r = fr & ((1u << AK_EXP_REM_BITS) - 1u);
    uint32_t hi = ak_exp2_table[k], lo = ak_exp2_table[k + 1];
    int64_t step = ak_round_shift((int64_t)(hi - lo) * (int64_t)r, AK_EXP_REM_BITS);
    return hi - (uint32_t)step;
}

/* exp2neg(a) for a >= 0: round_shift(ak_exp2_frac(a mod 2^F), floor(a / 2^F)). */
inline uint32_t ak_exp2neg(int64_t a)
{
    if (a < 0)
        a = 0; /* outside the domain; the datapath never produces it */
    int64_t ip = ak_floor_shift(a, AK_LOGIT_FRAC);
    uint32_t y = ak_exp2_frac((uint32_t)(a - ip * (INT64_C(1) << AK_LOGIT_FRAC)));
    if (ip > 63)
        return 0;
    return (uint32_t)ak_round_shift((int64_t)y, (unsigned)ip);
}

/* ak_exp2neg(a) for 0 <= a < 2^31 in 32-bit arithmetic without branches, so a loop over keys
 * vectorises (the table reads become gathers). Same value for every such a (tests/test_exp2.c
 * compares the two exhaustively up to 2^26 and at the ends): y <= 2^20 < 2^21, so
 * round_shift(y, ip) = (y + 2^(ip-1)) >> ip is 0 from ip = 22 on and the shift can stop there;
 * (2^ip >> 1) is that rounding constant, and 0 when ip = 0. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline uint32_t ak_exp2neg_u31(uint32_t a)
{
    const uint32_t ip = a >> AK_LOGIT_FRAC, fr = a & ((1u << AK_LOGIT_FRAC) - 1u);
    const uint32_t k = fr >> AK_EXP_REM_BITS, r = fr & ((1u << AK_EXP_REM_BITS) - 1u);
    const uint32_t hi = ak_exp2_table[k], lo = ak_exp2_table[k + 1];
    const uint32_t y = hi - (((hi - lo) * r + (1u << (AK_EXP_REM_BITS - 1))) >> AK_EXP_REM_BITS);
    const uint32_t sh = ip < 22 ? ip : 22;
    return (y + ((1u << sh) >> 1)) >> sh;
}

#ifdef __cplusplus
}
#endif

#endif
