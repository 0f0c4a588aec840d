/* A layer's fixed-point attention with its output scale chosen by a policy (numerics.md 3.2):
 * the int8 output's scale fixed, given, or calibrated from the layer's own o_fx; saturations
 * counted (3.3). What vecgen, accuracy and the tests call instead of choosing s_o by hand. */
#ifndef ATTNKIT_SCALED_ATTENTION_H
#define ATTNKIT_SCALED_ATTENTION_H

#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/quant.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Above this share of saturated int8 outputs the tools warn (numerics.md 3.3). */
#define AK_SAT_WARN_RATE 0.001

/* Runs `job`, whose job->quant must be `quant` ([H], written here), with scales[h].q/k/v set:
 * sets scales[h].o by `policy` (AK_OSCALE_GIVEN: scales[h].o as passed in), derives the
 * multipliers into quant, fills out and out_fx ([H][nq][d], both required) and *sat.
 * AK_ERANGE when a scale's multiplier cannot be represented; AK_EINVAL for a bad job. */
ak_status ak_attention_scaled(const ak_attn_job *job, ak_head_quant *quant,
                              ak_head_scales *scales, ak_oscale_policy policy, int8_t *out,
                              int32_t *out_fx, unsigned threads, ak_sat_counts *sat);

#ifdef __cplusplus
}
#endif

#endif
