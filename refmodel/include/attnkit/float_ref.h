/* Floating-point baselines on the same int8 inputs: a float64 reference in plain C (the
 * accuracy yardstick) and a float32 attention through OpenBLAS (what a user would pick
 * instead). Both honour the mask's position validity; a row with no valid key gives 0.
 * Compare floats by tolerance only: OpenBLAS results differ bitwise across CPU kernels. */
#ifndef ATTNKIT_FLOAT_REF_H
#define ATTNKIT_FLOAT_REF_H

#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* valid[j] (nk entries) = whether key j is valid for query i of head h (numerics.md
 * section 4): the row's active blocks and the token-causal limit; all keys with no mask. */
void ak_row_validity(const ak_attn_job *job, uint32_t h, uint32_t i, uint8_t *valid);

/* out: [H][nq][d] real outputs: softmax(s_q s_k Q.K^T / sqrt(d)) . (s_v V), in float64 with
 * max subtraction. scales: [H]. */
ak_status ak_attention_f64(const ak_attn_job *job, const ak_head_scales *scales, double *out);

/* Same in float32: cblas_sgemm for Q.K^T and P.V per head (dense GEMMs, as a user of a dense
 * library would), expf softmax with invalid positions excluded. */
ak_status ak_attention_f32_blas(const ak_attn_job *job, const ak_head_scales *scales,
                                float *out);

/* Softmax probabilities of query rows [row0, row0 + rows) in float64: probs[h][r][j] (0 where
 * invalid), the yardstick of the 16-bit probabilities of ak_attention_probs. */
ak_status ak_attention_probs_f64(const ak_attn_job *job, const ak_head_scales *scales,
                                 uint32_t row0, uint32_t rows, double *probs);

#ifdef __cplusplus
}
#endif

#endif
