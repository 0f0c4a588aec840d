/* Accuracy of the fixed-point model against the float64 reference on the same int8 inputs:
 * SQNR of the pre-requantisation output, int8 output error in LSBs, and agreement with the
 * correctly rounded float64 result. */
#ifndef ATTNKIT_ACCURACY_H
#define ATTNKIT_ACCURACY_H

#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t count;          /* output elements compared */
    double sqnr_db;          /* 10 log10(sum ref^2 / sum (o_fx * s_v / 2^16 - ref)^2) */
    double max_err_lsb;      /* max |out - ref / s_o| in int8 LSBs */
    double mean_err_lsb;     /* mean of the same */
    int max_rounded_diff;    /* max |out - sat(round_half_up(ref / s_o))| */
    double exact_fraction;   /* fraction with out == sat(round_half_up(ref / s_o)) */
} ak_accuracy;

/* Sets scales[h].o = max_{i,c} |ref[h][i][c]| / 127 (1.0 if that is 0): per-head output
 * calibration from the float64 reference, as a calibration pass would. */
void ak_calibrate_output_scales(const ak_attn_job *job, const double *ref, ak_head_scales *scales);

/* ref: float64 outputs [H][nq][d]; out_fx and out from ak_attention with the same job. */
ak_status ak_accuracy_measure(const ak_attn_job *job, const ak_head_scales *scales,
                              const double *ref, const int32_t *out_fx, const int8_t *out,
                              ak_accuracy *acc);

#ifdef __cplusplus
}
#endif

#endif
