/* One key tile of a head (up to KEY_TILE consecutive keys) laid out for the row kernels, and the
 * kernels that read it (private to the library). A tile is loaded once and shared by every query
 * row of a work item; keys past the tile's n are zero. Two kernel sets, each with its layout:
 * - portable (key_tile.c): K transposed and V widened to int32, so the dot products (16 keys
 *   as one vector) and the P.V (over the head dimension) are multiply-adds GCC vectorises;
 *   AK_VECTOR_CLONES builds them for x86-64-v4, v3 and the baseline (target_clones);
 * - AVX-512 VNNI (key_tile_vnni.c): K in groups of 4 dimensions and V in groups of 4 keys, as
 *   int8, for the 4-way u8 x s8 dot-product instruction.
 * The best set the CPU has is used (ak_tile_kernels_set changes it, for tests). Integer sums in
 * any order are the same integers, so every set gives the spec's bits (docs/numerics.md
 * sections 5 and 6); tests/test_attention.c checks each against the spec transcription. */
#ifndef ATTNKIT_KEY_TILE_H
#define ATTNKIT_KEY_TILE_H

#include <stdint.h>

#include "attnkit/numerics.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define AK_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define AK_HAVE_VNNI_KERNELS 1
#else
#define AK_VECTOR_CLONES
#define AK_HAVE_VNNI_KERNELS 0
#endif

typedef enum { AK_TILE_PORTABLE, AK_TILE_AVX512_VNNI, AK_TILE_KERNEL_SETS } ak_tile_kernels;

typedef struct {
    ak_tile_kernels kernels; /* the set that loaded it */
    uint32_t n, d;           /* keys (1..KEY_TILE) and head dimension */
    union {
        struct {
            int32_t kt[AK_MAX_HEAD_DIM][AK_KEY_TILE]; /* kt[c][j] = K[j][c] */
            int32_t v[AK_KEY_TILE][AK_MAX_HEAD_DIM];  /* v[j][c] = V[j][c] */
        } wide;
        struct {
            int8_t k4[AK_MAX_HEAD_DIM / 4][AK_KEY_TILE][4]; /* k4[c/4][j][c%4] = K[j][c] */
            int32_t ksum[AK_KEY_TILE];                      /* sum_c K[j][c] */
            int8_t v4[AK_KEY_TILE / 4][AK_MAX_HEAD_DIM][4]; /* v4[j/4][c][j%4] = V[j][c] */
        } vnni;
    };
} ak_key_tile;

/* Whether this CPU (and build) can run a kernel set. */
int ak_tile_kernels_available(ak_tile_kernels k);
/* The set tiles are loaded for from now on (not while a job runs); returns the previous one,
 * or AK_TILE_KERNEL_SETS (and changes nothing) if k is not available. */
ak_tile_kernels ak_tile_kernels_set(ak_tile_kernels k);

/* Loads keys 0..n-1 from k and v (rows of d int8, consecutive rows d apart); either may be NULL
 * when only the other is read (a tile for P.V needs V, one for logits K). */
void ak_key_tile_load(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n, uint32_t d);

/* s[j] = sum_c q[c] K[j][c] for the tile's keys (|s| <= 2^21, section 5); s[j] = 0 past n. */
void ak_key_tile_dots(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE]);

/* pv[c] = sum_j p[j] V[j][c] over the KEY_TILE keys for 0 <= p[j] <= 2^20 (p[j] = 0 past n):
 * |p v| <= 2^27, so every partial sum of the 16 lies in [-2^31, 2^31 - 2^24] (int32). */
void ak_key_tile_pv(const ak_key_tile *t, const int32_t p[AK_KEY_TILE], int32_t *pv);

/* The VNNI set (key_tile_vnni.c). */
void ak_key_tile_load_vnni(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n,
                           uint32_t d);
void ak_key_tile_dots_vnni(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE]);
void ak_key_tile_pv_vnni(const ak_key_tile *t, const int32_t p[AK_KEY_TILE], int32_t *pv);

#endif
