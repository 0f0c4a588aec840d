/* xoshiro256** (Blackman and Vigna), seeded through splitmix64; the Gaussian is an Irwin-Hall
 * sum of twelve 32-bit uniforms minus 6, exact in double, so no libm call can vary it. */
#include "attnkit/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void ak_rng_seed(ak_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

uint64_t ak_rng_u64(ak_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint32_t ak_rng_below(ak_rng *r, uint32_t n)
{
    if (n <= 1)
        return 0;
    /* Reject the top partial copy of [0, n) so every value is equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do
        x = ak_rng_u64(r);
    while (x >= limit);
    return (uint32_t)(x % n);
}

double ak_rng_gauss(ak_rng *r)
{
    /* Each uniform is u32 / 2^32; the sum of twelve fits 36 bits, so it is exact in double. */
    uint64_t sum = 0;
    for (int i = 0; i < 12; i++)
        sum += ak_rng_u64(r) >> 32;
    return (double)sum / 4294967296.0 - 6.0;
}
