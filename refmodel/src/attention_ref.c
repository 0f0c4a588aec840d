/* The reference path: docs/numerics.md transcribed as directly as possible, one query row at a
 * time over every key tile of the key axis, asking ak_mask_valid for each position. It shares
 * only the section-1 primitives and the exp2 unit with the optimised walker (attention.c), so a
 * bit-identical result from both checks the walker's block skipping, tiling and threading. */
#include <stdlib.h>

#include "attnkit/attention.h"
#include "attnkit/exp2.h"
#include "attnkit/fixed.h"
#include "attnkit/numerics.h"

static int valid(const ak_attn_job *job, uint32_t h, uint32_t i, uint32_t j)
{
    return job->mask ? ak_mask_valid(job->mask, h, i, j) : j < job->nk;
}

static void ref_row(const ak_attn_job *job, uint32_t h, uint32_t i, int64_t *acc, int8_t *out,
                    int32_t *out_fx)
{
    const uint32_t d = job->d, nq = job->nq, nk = job->nk;
    const ak_head_quant *qp = &job->quant[h];
    const int8_t *q = job->q + ((uint64_t)h * nq + i) * d;
    const int8_t *k = job->k + (uint64_t)h * nk * d, *v = job->v + (uint64_t)h * nk * d;
    const int64_t one = INT64_C(1) << AK_LOGIT_FRAC;

    /* Section 6 state. */
    int has_max = 0;
    int64_t m = 0, l = 0;
    for (uint32_t c = 0; c < d; c++)
        acc[c] = 0;

    for (uint32_t t0 = 0; t0 < nk; t0 += AK_KEY_TILE) {
        int64_t L[AK_KEY_TILE];
        int in_tile[AK_KEY_TILE];
        int any = 0;
        int64_t tmax = 0;
        for (uint32_t j = t0; j < t0 + AK_KEY_TILE; j++) {
            in_tile[j - t0] = j < nk && valid(job, h, i, j);
            if (!in_tile[j - t0])
                continue;
            /* Section 5: S = Q.K, L = sat(round_shift(S * M_l, sh_l), 24). */
            int64_t s = 0;
            for (uint32_t c = 0; c < d; c++)
                s += (int64_t)q[c] * k[(uint64_t)j * d + c];
            int64_t lj = ak_sat(ak_round_shift(s * qp->logit_mult, (unsigned)qp->logit_shift),
                                AK_LOGIT_BITS);
            L[j - t0] = lj;
            if (!any || lj > tmax)
                tmax = lj;
            any = 1;
        }
        if (!any)
            continue; /* step 1: an empty tile changes nothing */
        int64_t ct = ak_ceil_shift(tmax, AK_LOGIT_FRAC); /* step 2 */
        if (!has_max) {                                   /* step 3 */
            m = ct;
            has_max = 1;
        } else if (ct > m) {
            unsigned delta = (unsigned)(ct - m);
            l = ak_round_shift(l, delta);
            for (uint32_t c = 0; c < d; c++)
                acc[c] = ak_round_shift(acc[c], delta);
            m = ct;
        }
        for (uint32_t j = t0; j < t0 + AK_KEY_TILE; j++) { /* steps 4 and 5 */
            if (!in_tile[j - t0])
                continue;
            int64_t p = ak_exp2neg(m * one - L[j - t0]);
            l += p;
            for (uint32_t c = 0; c < d; c++)
                acc[c] += p * v[(uint64_t)j * d + c];
        }
    }
    for (uint32_t c = 0; c < d; c++) { /* section 8 */
        int64_t o = l == 0 ? 0
                           : ak_sat(ak_round_div(acc[c] * (INT64_C(1) << AK_OUT_FRAC), l),
                                    AK_OUT_FX_BITS);
        if (out_fx)
            out_fx[c] = (int32_t)o;
        out[c] = (int8_t)ak_sat(ak_round_shift(o * qp->out_mult, (unsigned)qp->out_shift), 8);
    }
}

ak_status ak_attention_ref(const ak_attn_job *job, int8_t *out, int32_t *out_fx)
{
    ak_status st = ak_attn_job_check(job, NULL);
    if (st != AK_OK)
        return st;
    if (!out)
        return AK_EINVAL;
    int64_t *acc = malloc(sizeof *acc * job->d);
    if (!acc)
        return AK_ENOMEM;
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint32_t i = 0; i < job->nq; i++) {
            uint64_t o = ((uint64_t)h * job->nq + i) * job->d;
            ref_row(job, h, i, acc, out + o, out_fx ? out_fx + o : NULL);
        }
    free(acc);
    return AK_OK;
}
