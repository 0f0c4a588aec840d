/* Fixed-point primitives of docs/numerics.md section 1. Each has exactly the semantics stated
 * in its comment for every input in its domain, and none relies on implementation-defined C
 * (right shift of a negative value, signed overflow). Kernels are written in terms of these,
 * so a reader can check a kernel against the spec line by line. */
#ifndef ATTNKIT_FIXED_H
#define ATTNKIT_FIXED_H

#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* floor(x / 2^s) for s >= 0 (s >= 64 gives 0 or -1). An arithmetic shift with defined
 * semantics for negative x. */
int64_t ak_floor_shift(int64_t x, unsigned s);

/* floor(x / 2^s + 1/2): round half up (towards +inf); s = 0 returns x. Never overflows. */
int64_t ak_round_shift(int64_t x, unsigned s);

/* ceil(x / 2^s) for s >= 0. */
int64_t ak_ceil_shift(int64_t x, unsigned s);

/* floor(n / d) for d > 0. Returns 0 when d <= 0 (outside the domain). */
int64_t ak_floor_div(int64_t n, int64_t d);

/* floor(n / d + 1/2) for d > 0, i.e. division rounded half up. Requires |n| < 2^62 and
 * 0 < d < 2^62 (so 2n + d does not overflow); returns 0 outside that domain. */
int64_t ak_round_div(int64_t n, int64_t d);

/* Clamp x to the signed range of b bits, [-2^(b-1), 2^(b-1) - 1], 1 <= b <= 64. */
int64_t ak_sat(int64_t x, unsigned b);

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
