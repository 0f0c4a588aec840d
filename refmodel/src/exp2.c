/* The exp2 unit (docs/numerics.md section 7): table lookup with 6-bit linear interpolation,
 * then a rounding shift by the integer part. The definitions are inline in attnkit/exp2.h;
 * these are their external definitions (C11 6.7.4). */
#include "attnkit/exp2.h"

extern inline uint32_t ak_exp2_frac(uint32_t fr);
extern inline uint32_t ak_exp2neg(int64_t a);
extern inline uint32_t ak_exp2neg_u31(uint32_t a);
