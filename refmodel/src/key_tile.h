/* One key tile of a head (up to KEY_TILE consecutive keys) laid out for the row kernels, and the
 * kernels that read it (private to the library). The tile is filled once and shared by every
 * query row of a work item: K transposed and widened (kt[c][j] = K[j][c]), V widened
 * (v[j][c] = V[j][c]), keys past the tile's n zero. The kernels (here the dot products; the
 * row unit's update in online_softmax.c) are then plain int32 multiply-adds over a fixed 16
 * keys (logits) or over the head dimension (P.V), loops the
 * compiler vectorises; AK_VECTOR_CLONES builds each for AVX-512, AVX2 and the baseline and picks
 * one at load time (GCC target_clones). Integer sums in any order are the same integers, so
 * every bit equals the spec's (docs/numerics.md sections 5 and 6). */
#ifndef ATTNKIT_KEY_TILE_H
#define ATTNKIT_KEY_TILE_H

#include <stdint.h>

#include "attnkit/numerics.h"

#define AK_MAX_HEAD_DIM 128

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define AK_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AK_VECTOR_CLONES
#endif

typedef struct {
    int32_t kt[AK_MAX_HEAD_DIM][AK_KEY_TILE]; /* K transposed */
    int32_t v[AK_KEY_TILE][AK_MAX_HEAD_DIM];
    uint32_t n, d; /* keys (1..KEY_TILE) and head dimension */
} ak_key_tile;

/* Loads keys 0..n-1 from k and v (rows of d int8, consecutive rows d apart); v may be NULL
 * (a tile for P.V only needs V, one for logits only K: k may be NULL too). */
void ak_key_tile_load(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n, uint32_t d);

/* s[j] = sum_c q[c] K[j][c] for the tile's keys (|s| <= 2^21, section 5); s[j] = 0 past n. */
void ak_key_tile_dots(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE]);

#endif
