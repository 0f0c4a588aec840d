/* A small seeded random generator (xoshiro256** seeded by splitmix64) with bit-identical output
 * on every platform, and a Gaussian made from it without libm (Irwin-Hall sum of twelve 32-bit
 * uniforms, exact in double), so generated inputs are reproducible from the seed everywhere.
 * Hand-written because no Debian library specifies its stream across versions. */
#ifndef ATTNKIT_RNG_H
#define ATTNKIT_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t s[4];
} ak_rng;

void ak_rng_seed(ak_rng *r, uint64_t seed);
uint64_t ak_rng_u64(ak_rng *r);
/* Uniform integer in [0, n), n >= 1 (unbiased, by rejection). */
uint32_t ak_rng_below(ak_rng *r, uint32_t n);
/* Approximately standard normal, in [-6, 6]. */
double ak_rng_gauss(ak_rng *r);

#ifdef __cplusplus
}
#endif

#endif
