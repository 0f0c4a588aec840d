/* Fixed-point primitives of docs/numerics.md section 1. Each has exactly the semantics stated
 * in its comment for every input in its domain, and none relies on implementation-defined C
 * (right shift of a negative value, signed overflow). Kernels are written in terms of these,
 * so a reader can check a kernel against the spec line by line. The shifts and the clamp are
 * inline definitions here (the kernels call them per element); fixed.c holds their one external
 * definition (C11 6.7.4). */
#ifndef ATTNKIT_FIXED_H
#define ATTNKIT_FIXED_H

#include <stdint.h>

#include "attnkit/status.h"

/* Two's-complement sign bit, for the shifts below. */
#define AK_SIGN64 (UINT64_C(1) << 63)

#ifdef __cplusplus
extern "C" {
#endif

/* floor(x / 2^s) for s >= 0 (s >= 64 gives 0 or -1). An arithmetic shift with defined
 * semantics for negative x. */
inline int64_t ak_floor_shift(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s >= 64)
        return x < 0 ? -1 : 0;
    /* Bias to unsigned (x + 2^63), shift, remove the shifted bias: floor((x + 2^63) / 2^s)
     * - 2^(63-s) = floor(x / 2^s) since 2^63 / 2^s is an integer. */
    uint64_t u = ((uint64_t)x ^ AK_SIGN64) >> s;
    return (int64_t)u - (int64_t)(AK_SIGN64 >> s);
}

/* floor(x / 2^s + 1/2): round half up (towards +inf); s = 0 returns x. Never overflows. */
inline int64_t ak_round_shift(int64_t x, unsigned s)
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

/* ceil(x / 2^s) for s >= 0. */
inline int64_t ak_ceil_shift(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s >= 64)
        return x > 0 ? 1 : 0;
    uint64_t mask = (UINT64_C(1) << s) - 1u;
    return ak_floor_shift(x, s) + (((uint64_t)x & mask) != 0);
}

/* floor(n / d) for d > 0. Returns 0 when d <= 0 (outside the domain). */
int64_t ak_floor_div(int64_t n, int64_t d);

/* floor(n / d + 1/2) for d > 0, i.e. division rounded half up. Requires |n| < 2^62 and
 * 0 < d < 2^62 (so 2n + d does not overflow); returns 0 outside that domain. */
int64_t ak_round_div(int64_t n, int64_t d);

/* Clamp x to the signed range of b bits, [-2^(b-1), 2^(b-1) - 1], 1 <= b <= 64. */
inline int64_t ak_sat(int64_t x, unsigned b)
{
    if (b >= 64 || b == 0)
        return x;
    int64_t hi = (int64_t)((UINT64_C(1) << (b - 1)) - 1u);
    int64_t lo = -hi - 1;
    return x > hi ? hi : (x < lo ? lo : x);
}

/* Round-half-away-from-zero of a finite double to the nearest integer (the rounding used by
 * ak_quantize_multiplier; inputs there are exact). */
int64_t ak_round_half_away(double x);

/* m ~= mult * 2^-shift with mult in [2^30, 2^31) and 0 <= shift <= 62 (numerics.md sec. 3).
 * AK_EINVAL if m is not positive and finite; AK_ERANGE if the shift falls outside [0, 62]. */
ak_status ak_quantize_multiplier(double m, int32_t *mult, int *shift);

#ifdef __cplusplus
}
#endif

#endif
