/* The exp2 unit of docs/numerics.md section 7: 2^(-a / 2^F) in PROB_FRAC fractional bits,
 * from the versioned 65-entry table (refmodel/tables/exp2_frac.hex) with linear
 * interpolation. */
#ifndef ATTNKIT_EXP2_H
#define ATTNKIT_EXP2_H

#include <stdint.h>

#include "attnkit/numerics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The table, round_half_up(2^20 * 2^(-k/64)) for k = 0..64, compiled in from the .hex file. */
extern const uint32_t ak_exp2_table[AK_EXP_TABLE_SIZE];

/* 2^(-fr / 2^F) * 2^PROB_FRAC for a fraction 0 <= fr < 2^F (21-bit result). */
uint32_t ak_exp2_frac(uint32_t fr);

/* exp2neg(a) for a >= 0: round_shift(ak_exp2_frac(a mod 2^F), floor(a / 2^F)). */
uint32_t ak_exp2neg(int64_t a);

#ifdef __cplusplus
}
#endif

#endif
