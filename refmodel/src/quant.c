/* Scales to integer multipliers (docs/numerics.md section 3) and symmetric int8 quantisation. */
#include "attnkit/quant.h"

#include <math.h>

#include "attnkit/fixed.h"
#include "attnkit/numerics.h"

static int scale_ok(double s)
{
    return s > 0.0 && isfinite(s);
}

ak_status ak_head_quant_from_scales(const ak_head_scales *s, uint32_t d, ak_head_quant *out)
{
    if (!s || !out || d == 0 || !scale_ok(s->q) || !scale_ok(s->k) || !scale_ok(s->v) ||
        !scale_ok(s->o))
        return AK_EINVAL;
    /* Evaluation order fixed by the spec so that every implementation gets the same double. */
    double ml = s->q * s->k * (1.4426950408889634 / sqrt((double)d)) * (double)(1L << AK_LOGIT_FRAC);
    double mo = (s->v / s->o) * (1.0 / (double)(1L << AK_OUT_FRAC));
    ak_status st = ak_quantize_multiplier(ml, &out->logit_mult, &out->logit_shift);
    if (st == AK_OK)
        st = ak_quantize_multiplier(mo, &out->out_mult, &out->out_shift);
    return st;
}

double ak_quantize_symmetric(const double *x, uint64_t n, int8_t *q)
{
    double amax = 0.0;
    for (uint64_t i = 0; i < n; i++)
        if (fabs(x[i]) > amax)
            amax = fabs(x[i]);
    double scale = amax > 0.0 ? amax / 127.0 : 1.0;
    for (uint64_t i = 0; i < n; i++)
        q[i] = (int8_t)ak_sat(ak_round_half_away(x[i] / scale), 8);
    return scale;
}
