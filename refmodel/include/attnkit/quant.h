/* Per-head quantisation: real scales of Q, K, V and the output, and the integer multipliers
 * derived from them (docs/numerics.md section 3). Only the multipliers enter the datapath. */
#ifndef ATTNKIT_QUANT_H
#define ATTNKIT_QUANT_H

#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double q, k, v, o; /* real value = scale * int8 value */
} ak_head_scales;

typedef struct {
    int32_t logit_mult; /* M_l in [2^30, 2^31) */
    int logit_shift;    /* sh_l in [0, 62] */
    int32_t out_mult;   /* M_o */
    int out_shift;      /* sh_o */
} ak_head_quant;

/* Derives M_l, sh_l, M_o, sh_o for head dim d. AK_EINVAL for a non-positive or non-finite
 * scale, AK_ERANGE when a multiplier's shift falls outside [0, 62]. */
ak_status ak_head_quant_from_scales(const ak_head_scales *s, uint32_t d, ak_head_quant *out);

/* Symmetric per-tensor quantisation of n reals: scale = max|x| / 127 (1 if all zero),
 * q = sat(round_half_away(x / scale), 8). Deterministic: one IEEE division per element. */
double ak_quantize_symmetric(const double *x, uint64_t n, int8_t *q);

#ifdef __cplusplus
}
#endif

#endif
