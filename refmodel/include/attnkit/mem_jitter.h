/* The random timing of a jittered memory, in one place for the memory model the RTL runs
 * against (sim/mem_model.c) and the cycle model that predicts it (refmodel/src/cycle_model.c):
 * each cycle every channel (R, AW, W) stalls with probability 1/8, and each burst's latency
 * gains 0..2 x latency cycles, all from a seeded xorshift64. */
#ifndef ATTNKIT_MEM_JITTER_H
#define ATTNKIT_MEM_JITTER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t state;
    uint8_t drop_r, drop_aw, drop_w; /* this cycle's stalls */
} ak_jitter;

/* Starts the sequence of `seed` (any value; 0 too) with no stall drawn yet. */
void ak_jitter_seed(ak_jitter *j, uint64_t seed);
/* Draws the stalls of the next cycle. */
void ak_jitter_cycle(ak_jitter *j);
/* Draws a burst's extra latency: 0..2 x latency. */
uint64_t ak_jitter_extra(ak_jitter *j, uint32_t latency);

#ifdef __cplusplus
}
#endif

#endif
