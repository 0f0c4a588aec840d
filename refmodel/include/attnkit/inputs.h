/* Synthetic attention inputs for accuracy studies and tests: real Q, K, V drawn from seeded
 * Gaussians so that the logits have a chosen distribution, quantised to int8 per tensor. */
#ifndef ATTNKIT_INPUTS_H
#define ATTNKIT_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/quant.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AK_LOGITS_GAUSS1, /* logits ~ N(0, 1) */
    AK_LOGITS_GAUSS3, /* logits ~ N(0, 3^2) */
    AK_LOGITS_PEAKY,  /* N(0, 1) plus a first-token sink about 8 nats above the rest */
    AK_LOGITS_EXTREME, /* every Q, K, V element -128 or 127 (random signs): the largest
                          magnitudes; logits up to ~32 nats */
    AK_LOGITS_COUNT
} ak_logit_dist;

const char *ak_logit_dist_name(ak_logit_dist d);
ak_status ak_logit_dist_from_name(const char *name, ak_logit_dist *d);

typedef struct {
    uint32_t heads, nq, nk, d;
    int8_t *q, *k, *v;       /* [heads][n][d] */
    ak_head_scales *scales;  /* [heads]; scales[h].o is 1.0 unless given (has_out_scale) */
    /* Real-valued inputs (ak_inputs_load_npy of float tensors): the tensors before
     * quantisation, [heads][n][d]; NULL for int8 or synthetic inputs. */
    double *real_q, *real_k, *real_v;
    uint64_t clipped[3];     /* elements of Q, K, V the input quantiser saturated */
    int has_out_scale;       /* scales.npy had an output column: scales[h].o is the user's */
} ak_inputs;

ak_status ak_inputs_generate(ak_logit_dist dist, uint32_t heads, uint32_t nq, uint32_t nk,
                             uint32_t d, uint64_t seed, ak_inputs *out);
void ak_inputs_free(ak_inputs *in);

/* Real tensors from q.npy, k.npy and v.npy in dir, each [heads][n][d] (a leading batch
 * dimension of 1 is accepted). float16/32/64 tensors are quantised per head by `iq` (NULL:
 * max, numerics.md 3.1) and kept in real_q/k/v; int8 tensors are taken as they are, with
 * their real scales from scales.npy (float64 [heads][3]: q, k, v, or [heads][4] with the output
 * scale last; a column of a float tensor must hold 0). q may have fewer rows than k and v.
 * NaN or infinite elements and all-zero float heads are errors. On error: AK_EINVAL, AK_EIO or
 * AK_ENOMEM, *out zeroed, and err names the file and what was expected. */
ak_status ak_inputs_load_npy(const char *dir, const ak_input_quant *iq, ak_inputs *out,
                             char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
