/* Fixed-point primitives (docs/numerics.md section 1), written with unsigned arithmetic where
 * C would otherwise be implementation-defined (right shift of negatives) or undefined (signed
 * overflow). */
#include "attnkit/fixed.h"

#include <math.h>

#include "attnkit/numerics.h"

#define SIGN64 (UINT64_C(1) << 63)

int64_t ak_floor_shift(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s >= 64)
        return x < 0 ? -1 : 0;
    /* Bias to unsigned (x + 2^63), shift, remove the shifted bias: floor((x + 2^63) / 2^s)
     * - 2^(63-s) = floor(x / 2^s) since 2^63 / 2^s is an integer. */
    uint64_t u = ((uint64_t)x ^ SIGN64) >> s;
    return (int64_t)u - (int64_t)(SIGN64 >> s);
}

int64_t ak_round_shift(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s >= 64)
        return 0; /* |x / 2^s| <= 1/2 and -1/2 rounds up to 0 */
    /* floor(x / 2^s) plus the first dropped bit: x mod 2^s >= 2^(s-1) exactly when bit s-1
     * of x's two's complement is set. */
    uint64_t half_bit = ((uint64_t)x >> (s - 1)) & 1u;
    return ak_floor_shift(x, s) + (int64_t)half_bit;
}

int64_t ak_ceil_shift(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s >= 64)
        return x > 0 ? 1 : 0;
    uint64_t mask = (UINT64_C(1) << s) - 1u;
    return ak_floor_shift(x, s) + (((uint64_t)x & mask) != 0);
}

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

int64_t ak_sat(int64_t x, unsigned b)
{
    if (b >= 64 || b == 0)
        return x;
    int64_t hi = (int64_t)((UINT64_C(1) << (b - 1)) - 1u);
    int64_t lo = -hi - 1;
    return x > hi ? hi : (x < lo ? lo : x);
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
