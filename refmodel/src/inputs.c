/* Synthetic inputs with a chosen logit distribution (inputs.h). Real Q, K, V are drawn from
 * the seeded Gaussian of rng.h and quantised per head and tensor, so the same seed gives the
 * same int8 tensors on every machine. */
#include "attnkit/inputs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/rng.h"

static const char *const dist_names[AK_LOGITS_COUNT] = {"gauss1", "gauss3", "peaky", "extreme"};

const char *ak_logit_dist_name(ak_logit_dist d)
{
    return (unsigned)d < AK_LOGITS_COUNT ? dist_names[d] : "?";
}

ak_status ak_logit_dist_from_name(const char *name, ak_logit_dist *d)
{
    for (int i = 0; name && i < AK_LOGITS_COUNT; i++)
        if (strcmp(name, dist_names[i]) == 0) {
            *d = (ak_logit_dist)i;
            return AK_OK;
        }
    return AK_EINVAL;
}

void ak_inputs_free(ak_inputs *in)
{
    if (!in)
        return;
    free(in->q);
    free(in->k);
    free(in->v);
    free(in->scales);
    free(in->real_q);
    free(in->real_k);
    free(in->real_v);
    memset(in, 0, sizeof *in);
}

/* Fills n values of N(0, sigma^2) + shift. */
static void fill(ak_rng *r, double *x, uint64_t n, double sigma, double shift)
{
    for (uint64_t i = 0; i < n; i++)
        x[i] = sigma * ak_rng_gauss(r) + shift;
}

ak_status ak_inputs_generate(ak_logit_dist dist, uint32_t heads, uint32_t nq, uint32_t nk,
                             uint32_t d, uint64_t seed, ak_inputs *out)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    if ((unsigned)dist >= AK_LOGITS_COUNT || heads == 0 || nq == 0 || nk == 0 || d == 0)
        return AK_EINVAL;
    const uint64_t nqd = (uint64_t)nq * d, nkd = (uint64_t)nk * d;
    out->heads = heads, out->nq = nq, out->nk = nk, out->d = d;
    out->q = malloc(nqd * heads);
    out->k = malloc(nkd * heads);
    out->v = malloc(nkd * heads);
    out->scales = calloc(heads, sizeof *out->scales);
    double *x = malloc(sizeof *x * (nqd > nkd ? nqd : nkd));
    if (!out->q || !out->k || !out->v || !out->scales || !x) {
        free(x);
        ak_inputs_free(out);
        return AK_ENOMEM;
    }
    /* Q.K / sqrt(d) with Q, K ~ N(0, s^2) elementwise has standard deviation s^2. */
    const double s = dist == AK_LOGITS_GAUSS3 ? sqrt(3.0) : 1.0;
    /* Peaky: every query and key 0 get a shift b per element, b^2 sqrt(d) = 8, which puts key 0
     * about 8 nats above the others for every query. */
    const double b = dist == AK_LOGITS_PEAKY ? sqrt(8.0 / sqrt((double)d)) : 0.0;
    ak_rng r;
    ak_rng_seed(&r, seed);
    if (dist == AK_LOGITS_EXTREME) { /* integers directly: quantisation never yields -128 */
        for (uint64_t i = 0; i < nqd * heads; i++)
            out->q[i] = ak_rng_below(&r, 2) ? 127 : -128;
        for (uint64_t i = 0; i < nkd * heads; i++) {
            out->k[i] = ak_rng_below(&r, 2) ? 127 : -128;
            out->v[i] = ak_rng_below(&r, 2) ? 127 : -128;
        }
        for (uint32_t h = 0; h < heads; h++)
            out->scales[h] = (ak_head_scales){.q = 1.0 / 64, .k = 1.0 / 64, .v = 1.0 / 128, .o = 1.0};
        free(x);
        return AK_OK;
    }
    for (uint32_t h = 0; h < heads; h++) {
        fill(&r, x, nqd, s, b);
        out->scales[h].q = ak_quantize_symmetric(x, nqd, out->q + (uint64_t)h * nqd);
        fill(&r, x, nkd, s, 0.0);
        for (uint32_t c = 0; c < d; c++)
            x[c] += b;
        out->scales[h].k = ak_quantize_symmetric(x, nkd, out->k + (uint64_t)h * nkd);
        fill(&r, x, nkd, 1.0, 0.0);
        out->scales[h].v = ak_quantize_symmetric(x, nkd, out->v + (uint64_t)h * nkd);
        out->scales[h].o = 1.0;
    }
    free(x);
    return AK_OK;
}
