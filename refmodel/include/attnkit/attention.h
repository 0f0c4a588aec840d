/* Fixed-point block-sparse attention, bit-exact to docs/numerics.md. Two implementations:
 * ak_attention (the block walker: skips masked blocks, multi-threaded over heads x query
 * blocks) and ak_attention_ref (a plain transcription of the spec, single-threaded, over every
 * key tile of a row, checking validity position by position). Tests hold them together. */
#ifndef ATTNKIT_ATTENTION_H
#define ATTNKIT_ATTENTION_H

#include <stdint.h>

#include "attnkit/mask.h"
#include "attnkit/quant.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t heads;              /* H >= 1 */
    uint32_t nq, nk;             /* 1..AK_MAX_TOKENS */
    uint32_t d;                  /* 32, 64 or 128 */
    const int8_t *q;             /* [H][nq][d] */
    const int8_t *k;             /* [H][nk][d] */
    const int8_t *v;             /* [H][nk][d] */
    const ak_head_quant *quant;  /* [H] */
    const ak_mask *mask;         /* NULL: dense (every position valid) */
} ak_attn_job;

/* AK_OK if the job is well formed: shapes in range, pointers set, multipliers in range, the
 * mask's shape matching (nq, nk) and its heads 1 or H. Otherwise AK_EINVAL and *why (if not
 * NULL) names the field and the allowed values. */
ak_status ak_attn_job_check(const ak_attn_job *job, const char **why);

/* out: [H][nq][d] int8. out_fx: NULL or [H][nq][d], the pre-requantisation output (o_fx).
 * threads: worker threads, 0 = one per online CPU. Results never depend on `threads`. */
ak_status ak_attention(const ak_attn_job *job, int8_t *out, int32_t *out_fx, unsigned threads);

/* Saturated values of a run (numerics.md 3.3): logits of valid positions, o_fx and int8
 * outputs. */
typedef struct {
    uint64_t logits, o_fx, out;
} ak_sat_counts;

/* ak_attention that also counts saturations into *sat (set, not added to). */
ak_status ak_attention_counted(const ak_attn_job *job, int8_t *out, int32_t *out_fx,
                               unsigned threads, ak_sat_counts *sat);

/* Section 8's last step for n outputs of one head: out = sat(round_shift(o_fx M_o, sh_o), 8).
 * Returns how many saturated. Used to requantise once a calibrated s_o is known. */
uint64_t ak_requantize(const int32_t *o_fx, uint64_t n, const ak_head_quant *qp, int8_t *out);

/* The spec transcription; same contract, single-threaded. */
ak_status ak_attention_ref(const ak_attn_job *job, int8_t *out, int32_t *out_fx);

/* 16-bit probabilities (numerics.md 11.1) of query rows [row0, row0 + rows) of every head:
 * probs[h][r][j] for all nk keys (0 where invalid). AK_EINVAL for rows outside [0, nq). */
ak_status ak_attention_probs(const ak_attn_job *job, uint32_t row0, uint32_t rows,
                             uint16_t *probs);

/* Multiply-accumulates a job performs (Q.K^T plus P.V over active key tiles, all positions of a
 * tile counted, as hardware would). */
uint64_t ak_attention_macs(const ak_attn_job *job);

#ifdef __cplusplus
}
#endif

#endif
