/* The online-softmax row unit (docs/numerics.md sections 5, 6, 8 and 11.1). */
#include "online_softmax.h"

#include <string.h>

#include "attnkit/exp2.h"
#include "attnkit/fixed.h"

void ak_row_init(ak_row_state *st, uint32_t d)
{
    st->has_max = 0;
    st->m = 0;
    st->l = 0;
    memset(st->acc, 0, sizeof st->acc[0] * d);
}

int32_t ak_logit_sat(int32_t s, const ak_head_quant *qp, int *saturated)
{
    int64_t prod = (int64_t)s * qp->logit_mult; /* |s| <= 2^21, mult < 2^31: 53 bits */
    int64_t r = ak_round_shift(prod, (unsigned)qp->logit_shift);
    int64_t l = ak_sat(r, AK_LOGIT_BITS);
    *saturated = l != r;
    return (int32_t)l;
}

int32_t ak_logit(int32_t s, const ak_head_quant *qp)
{
    int saturated;
    return ak_logit_sat(s, qp, &saturated);
}

int8_t ak_requant(int32_t o_fx, const ak_head_quant *qp, int *saturated)
{
    int64_t r = ak_round_shift((int64_t)o_fx * qp->out_mult, (unsigned)qp->out_shift);
    int64_t o = ak_sat(r, 8);
    *saturated = o != r;
    return (int8_t)o;
}

void ak_row_tile(ak_row_state *st, const int32_t *L, uint32_t n, const int8_t *v, uint32_t d)
{
    int32_t t = L[0];
    for (uint32_t j = 1; j < n; j++)
        if (L[j] > t)
            t = L[j];
    int32_t ct = (int32_t)ak_ceil_shift(t, AK_LOGIT_FRAC);
    if (!st->has_max) {
        st->m = ct;
        st->has_max = 1;
    } else if (ct > st->m) {
        unsigned delta = (unsigned)(ct - st->m);
        st->l = ak_round_shift(st->l, delta);
        for (uint32_t c = 0; c < d; c++)
            st->acc[c] = ak_round_shift(st->acc[c], delta);
        st->m = ct;
    }
    const int64_t mscaled = (int64_t)st->m * (INT64_C(1) << AK_LOGIT_FRAC);
    for (uint32_t j = 0; j < n; j++) {
        int32_t p = (int32_t)ak_exp2neg(mscaled - L[j]);
        const int8_t *vr = v + (uint64_t)j * d;
        st->l += p;
        for (uint32_t c = 0; c < d; c++)
            st->acc[c] += (int64_t)(p * (int32_t)vr[c]); /* |p * v| <= 2^27 */
    }
}

void ak_row_finish(const ak_row_state *st, const ak_head_quant *qp, uint32_t d, int8_t *out,
                   int32_t *out_fx, uint64_t *sat_fx, uint64_t *sat_out)
{
    for (uint32_t c = 0; c < d; c++) {
        int64_t o = 0;
        if (st->l != 0) {
            int64_t q = ak_round_div(st->acc[c] * (INT64_C(1) << AK_OUT_FRAC), st->l);
            o = ak_sat(q, AK_OUT_FX_BITS);
            *sat_fx += o != q;
        }
        if (out_fx)
            out_fx[c] = (int32_t)o;
        int saturated;
        out[c] = ak_requant((int32_t)o, qp, &saturated);
        *sat_out += (uint64_t)saturated;
    }
}

uint16_t ak_row_prob16(const ak_row_state *st, int32_t L)
{
    if (st->l == 0)
        return 0;
    int64_t p = ak_exp2neg((int64_t)st->m * (INT64_C(1) << AK_LOGIT_FRAC) - L);
    int64_t q = ak_round_div(p * (INT64_C(1) << 16), st->l);
    return (uint16_t)(q > UINT16_MAX ? UINT16_MAX : q);
}
