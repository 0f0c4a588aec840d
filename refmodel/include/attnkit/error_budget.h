/* The error budget of one attention layer on real inputs: how far the accelerator's int8
 * output is from float64 dense attention on the original float tensors, and which step loses
 * what — input quantisation, the fixed-point numerics, output quantisation, the block mask —
 * plus saturation, and for a pruning layer how well its kept tokens agree with a float64 top-k.
 * Each term is an SQNR in dB against the stage before it, so a designer sees where the error
 * comes from (docs/accuracy.md). */
#ifndef ATTNKIT_ERROR_BUDGET_H
#define ATTNKIT_ERROR_BUDGET_H

#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/prune.h"
#include "attnkit/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One head's terms (SQNR in dB; INFINITY when a stage adds no error). */
typedef struct {
    double total_db;        /* int8 out * s_o  vs  float64 dense attention on the real inputs */
    double input_quant_db;  /* float64 dense on the dequantised int8 inputs  vs  on the real ones */
    double fixed_point_db;  /* o_fx * s_v / 2^16  vs  float64 on the int8 inputs, same mask */
    double output_quant_db; /* int8 out * s_o  vs  o_fx * s_v / 2^16 */
    double mask_db;         /* float64 with the mask  vs  dense, both on the real inputs */
    double mass_kept_mean;  /* dense softmax mass on the mask's valid keys: mean over rows */
    double mass_kept_min;   /* and its smallest row */
    ak_sat_counts sat;      /* saturations of this head (numerics.md 3.3) */
    uint64_t outputs;       /* nq * d */
    double scale_o;         /* the output scale used */
} ak_head_budget;

/* The error budget of every head of a layer.
 * job:    the fixed-point job as run (int8 inputs, multipliers, mask).
 * scales: [H] the real scales (s_q, s_k, s_v, s_o).
 * real_q, real_k, real_v: the original float tensors [H][n][d], or all NULL for inputs that
 *         were int8 from the start (then the input-quantisation term is INFINITY and the
 *         dequantised int8 inputs are the reference).
 * out, out_fx: the run's outputs; sat_per_head: NULL, or [H] saturation counts to copy.
 * budget: [H] results. AK_EINVAL, AK_ENOMEM. */
ak_status ak_error_budget(const ak_attn_job *job, const ak_head_scales *scales,
                          const double *real_q, const double *real_k, const double *real_v,
                          const int8_t *out, const int32_t *out_fx, ak_head_budget *budget);

/* How a pruning decision compares with float64's on the same layer. */
typedef struct {
    uint32_t k;            /* tokens kept besides CLS */
    uint32_t common;       /* of them, also kept by float64 */
    uint32_t n_missed;     /* kept by float64, pruned by the fixed point */
    uint32_t missed[16];   /* the first of them (token indices) */
    uint32_t n_extra;      /* kept by the fixed point, pruned by float64 (= n_missed) */
    uint32_t extra[16];
    uint32_t n_near_ties;  /* differing tokens whose float64 score is within `tie_eps` of the
                              cut between float64's k-th and (k+1)-th score */
    double tie_eps;        /* heads * 2^-16: one LSB of the 16-bit probability per head */
    double cls_mass_kept;  /* share of the float64 CLS attention (tokens 1..N-1, summed over
                              heads) on the tokens the fixed point keeps: what EViT's
                              selection preserves; 1 when nothing is pruned */
} ak_prune_agreement;

/* Compares `fixed` (ak_prune_tokens on the job's CLS row) with a top-k of the float64 CLS-row
 * probabilities on the real inputs (or the dequantised int8 ones), summed over heads, under the
 * job's mask. */
ak_status ak_prune_agreement_f64(const ak_attn_job *job, const ak_head_scales *scales,
                                 const double *real_q, const double *real_k,
                                 const ak_prune_result *fixed, ak_prune_agreement *agree);

#ifdef __cplusplus
}
#endif

#endif
