/* The online-softmax row unit of docs/numerics.md section 6 (private to the library): the state
 * of one query row, one key-tile update, and the final normalisation and requantisation. This
 * is the block the RTL's softmax unit implements. */
#ifndef ATTNKIT_ONLINE_SOFTMAX_H
#define ATTNKIT_ONLINE_SOFTMAX_H

#include <stdint.h>

#include "attnkit/numerics.h"
#include "attnkit/quant.h"
#include "key_tile.h"

typedef struct {
    int has_max;                    /* false until the first non-empty tile */
    int32_t m;                      /* running maximum, whole base-2 units */
    int64_t l;                      /* running sum of probabilities (< 2^37) */
    int64_t acc[AK_MAX_HEAD_DIM];   /* P.V accumulators (|acc| < 2^44) */
} ak_row_state;

void ak_row_init(ak_row_state *st, uint32_t d);

/* One key tile: n (1..KEY_TILE) valid keys with base-2 logits L[0..n) and value rows
 * v[0..n) (each d int8, consecutive rows `d` apart). */
void ak_row_tile(ak_row_state *st, const int32_t *L, uint32_t n, const int8_t *v, uint32_t d);

/* The same update with n (1..t->n) of a loaded key tile's keys: L has KEY_TILE entries, the
 * first n the keys' logits (the rest are read and ignored). */
void ak_row_update(ak_row_state *st, const int32_t *L, uint32_t n, const ak_key_tile *t);

/* L[j] = ak_logit_sat(s[j], qp) for the KEY_TILE dot products s[] of ak_key_tile_dots (all
 * KEY_TILE entries of L are written); returns how many of the first n saturated
 * (numerics.md 3.3). */
uint32_t ak_row_logits(const int32_t *s, uint32_t n, const ak_head_quant *qp, int32_t *L);

/* o_fx and int8 output of the row (section 8). out_fx may be NULL. Adds the row's saturated
 * o_fx and int8 values to *sat_fx and *sat_out (numerics.md 3.3). */
void ak_row_finish(const ak_row_state *st, const ak_head_quant *qp, uint32_t d, int8_t *out,
                   int32_t *out_fx, uint64_t *sat_fx, uint64_t *sat_out);

/* The requantisation of section 8: sat(round_shift(o_fx M_o, sh_o), 8); *saturated = 1 when
 * the saturation bit. */
int8_t ak_requant(int32_t o_fx, const ak_head_quant *qp, int *saturated);

/* 16-bit probability of a key with logit L once the row's online pass has ended (section 11.1). */
uint16_t ak_row_prob16(const ak_row_state *st, int32_t L);

/* Base-2 logit of one integer dot product (section 5). */
int32_t ak_logit(int32_t s, const ak_head_quant *qp);
/* The same; *saturated = 1 when the 24-bit saturation bit (numerics.md 3.3), else 0. */
int32_t ak_logit_sat(int32_t s, const ak_head_quant *qp, int *saturated);

#endif
