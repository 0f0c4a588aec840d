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
    ak_head_scales *scales;  /* [heads]; scales[h].o is 1.0 until calibrated by the caller */
} ak_inputs;

ak_status ak_inputs_generate(ak_logit_dist dist, uint32_t heads, uint32_t nq, uint32_t nk,
                             uint32_t d, uint64_t seed, ak_inputs *out);
void ak_inputs_free(ak_inputs *in);

/* Real tensors from q.npy, k.npy and v.npy in dir, each [heads][n][d] (a leading batch
 * dimension of 1 is accepted). float16/32/64 tensors are quantised per head (scale =
 * max|x| / 127); int8 tensors are taken as they are, with their real scales from scales.npy
 * (float64 [heads][3]: q, k, v). q may have fewer rows than k and v. On error: AK_EINVAL or
 * AK_EIO, *out zeroed, and err names the file and what was expected. */
ak_status ak_inputs_load_npy(const char *dir, ak_inputs *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
