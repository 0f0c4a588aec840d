/* Fixed-point primitives (docs/numerics.md section 1), written with unsigned arithmetic where
 * C would otherwise be implementation-defined (right shift of negatives) or undefined (signed
 * overflow). */
#include "attnkit/fixed.h"

#include <math.h>

#include "attnkit/numerics.h"

/* The widths of numerics.h follow from its values (the RTL declares its registers with them). */
_Static_assert(1l << (AK_TOKEN_BITS - 1) == AK_MAX_TOKENS, "AK_TOKEN_BITS holds 0..AK_MAX_TOKENS");
_Static_assert(1l << (AK_SHIFT_BITS - 1) <= AK_MAX_SHIFT && AK_MAX_SHIFT < 1l << AK_SHIFT_BITS,
               "AK_SHIFT_BITS holds 0..AK_MAX_SHIFT");
_Static_assert(1l << (AK_SCORE_BITS - 2) == 128l * 128 * AK_MAX_HEAD_DIM,
               "AK_SCORE_BITS holds +-128 * 128 * AK_MAX_HEAD_DIM");

/* The external definitions of the inline primitives of fixed.h. */
extern inline int64_t ak_floor_shift(int64_t x, unsigned s);
extern inline int64_t ak_round_shift(int64_t x, unsigned s);
extern inline int64_t ak_ceil_shift(int64_t x, unsigned s);
extern inline int64_t ak_sat(int64_t x, unsigned b);

int64_t ak_floor_div(int64_t n, int64_t d)
{
    if (d <= 0)
        return 0;
    /* C11 division truncates towards zero; step down when a negative quotient was cut. */
    int64_t q = n / d, r = n % d;
    return (r != 0 && n < 0) ? q - 1 : q;
}

int64_t ak_round_div(int64_t n, int64_t d)
{
    const int64_t lim = INT64_C(1) << 62;
    if (d <= 0 || d >= lim || n >= lim || n <= -lim)
        return 0;
    return ak_floor_div(2 * n + d, 2 * d);
}

int64_t ak_round_half_away(double x)
{
    return (int64_t)llround(x);
}

ak_status ak_quantize_multiplier(double m, int32_t *mult, int *shift)
{
    if (!(m > 0.0) || !isfinite(m) || !mult || !shift)
        return AK_EINVAL;
    int e;
    double f = frexp(m, &e); /* m = f * 2^e, f in [0.5, 1), exact */
    int64_t q = ak_round_half_away(ldexp(f, AK_MULT_BITS));
    if (q == (INT64_C(1) << 31)) {
        q = INT64_C(1) << 30;
        e += 1;
    }
    int sh = 31 - e;
    if (sh < 0 || sh > 62)
        return AK_ERANGE;
    *mult = (int32_t)q;
    *shift = sh;
    return AK_OK;
}
