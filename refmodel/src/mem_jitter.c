/* The jittered memory's random timing (mem_jitter.h). */
#include "attnkit/mem_jitter.h"

static uint64_t xorshift(ak_jitter *j)
{
    uint64_t x = j->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return j->state = x;
}

void ak_jitter_seed(ak_jitter *j, uint64_t seed)
{
    j->state = seed ^ 0x9e3779b97f4a7c15ull;
    if (!j->state)
        j->state = 1;
    j->drop_r = j->drop_aw = j->drop_w = 0;
}

void ak_jitter_cycle(ak_jitter *j)
{
    j->drop_r = (xorshift(j) & 7) == 0;
    j->drop_aw = (xorshift(j) & 7) == 0;
    j->drop_w = (xorshift(j) & 7) == 0;
}

uint64_t ak_jitter_extra(ak_jitter *j, uint32_t latency)
{
    return xorshift(j) % (2ull * latency + 1);
}
