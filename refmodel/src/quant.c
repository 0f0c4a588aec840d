/* Scales to integer multipliers (docs/numerics.md section 3), the input quantisers of real
 * tensors (3.1) and the output-scale policies (3.2). */
#include "attnkit/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ak_head_quant_range_why(const ak_head_scales *s, uint32_t d, char *buf, size_t len)
{
    if (buf && len)
        buf[0] = '\0';
    if (!s || !buf || d == 0 || !scale_ok(s->q) || !scale_ok(s->k) || !scale_ok(s->v) ||
        !scale_ok(s->o))
        return 0;
    /* the arguments exactly as ak_head_quant_from_scales computes them */
    const double c = (1.4426950408889634 / sqrt((double)d)) * (double)(1L << AK_LOGIT_FRAC);
    const double ml = s->q * s->k * c;
    const double mo = (s->v / s->o) * (1.0 / (double)(1L << AK_OUT_FRAC));
    const double lo = ldexp(1.0, -32), hi = ldexp(1.0, 31); /* shift 62 .. 0 */
    int32_t mult;
    int sh;
    if (ak_quantize_multiplier(ml, &mult, &sh) == AK_ERANGE) {
        snprintf(buf, len,
                 "scales s_q = %.6g, s_k = %.6g give the logit multiplier s_q * s_k * log2(e) / "
                 "sqrt(%u) * 2^%d = %.6g, %s: s_q * s_k must be in [%.6g, %.6g)",
                 s->q, s->k, d, AK_LOGIT_FRAC, ml, ml < lo ? "below 2^-32" : "not below 2^31",
                 lo / c, hi / c);
        return 1;
    }
    if (ak_quantize_multiplier(mo, &mult, &sh) == AK_ERANGE) {
        const double unit = 1.0 / (double)(1L << AK_OUT_FRAC);
        snprintf(buf, len,
                 "output scale s_o = %.6g (s_v = %.6g) gives the output multiplier s_v / s_o / "
                 "2^%d = %.6g, %s: s_o must be in (%.6g, %.6g]",
                 s->o, s->v, AK_OUT_FRAC, mo, mo < lo ? "below 2^-32" : "not below 2^31",
                 s->v * unit / hi, s->v * unit / lo);
        return 1;
    }
    return 0;
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

ak_status ak_input_quant_parse(const char *text, ak_input_quant *q)
{
    if (!text || !q)
        return AK_EINVAL;
    *q = (ak_input_quant){.kind = AK_INQ_MAX, .percentile = 100.0};
    if (!strcmp(text, "max"))
        return AK_OK;
    if (!strcmp(text, "mse")) {
        q->kind = AK_INQ_MSE;
        return AK_OK;
    }
    static const char pfx[] = "percentile:";
    if (strncmp(text, pfx, sizeof pfx - 1))
        return AK_EINVAL;
    char *end;
    double p = strtod(text + sizeof pfx - 1, &end);
    if (end == text + sizeof pfx - 1 || *end || !(p >= 50.0 && p <= 100.0))
        return AK_EINVAL;
    q->kind = AK_INQ_PERCENTILE;
    q->percentile = p;
    return AK_OK;
}

const char *ak_input_quant_name(const ak_input_quant *q, char *buf, unsigned len)
{
    if (q->kind == AK_INQ_PERCENTILE)
        snprintf(buf, len, "percentile:%.10g", q->percentile);
    else
        snprintf(buf, len, "%s", q->kind == AK_INQ_MSE ? "mse" : "max");
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Squared error of quantising x with clip c (numerics.md 3.1, summed in index order). */
static double clip_error(const double *x, uint64_t n, double c)
{
    const double s = c / 127.0;
    double e = 0.0;
    for (uint64_t i = 0; i < n; i++) {
        double r = x[i] - s * (double)ak_sat(ak_round_half_away(x[i] / s), 8);
        e += r * r;
    }
    return e;
}

ak_status ak_input_clip(const double *x, uint64_t n, const ak_input_quant *q, double *clip)
{
    if ((!x && n) || !q || !clip)
        return AK_EINVAL;
    double amax = 0.0;
    for (uint64_t i = 0; i < n; i++)
        amax = fmax(amax, fabs(x[i]));
    *clip = amax;
    if (amax == 0.0 || q->kind == AK_INQ_MAX)
        return AK_OK;
    if (q->kind == AK_INQ_PERCENTILE) {
        double *a = malloc(sizeof *a * n);
        if (!a)
            return AK_ENOMEM;
        for (uint64_t i = 0; i < n; i++)
            a[i] = fabs(x[i]);
        qsort(a, n, sizeof *a, cmp_double);
        double r = ceil(q->percentile * (double)n / 100.0);
        uint64_t rank = r < 1.0 ? 1 : (uint64_t)r;
        *clip = a[(rank > n ? n : rank) - 1];
        free(a);
        if (*clip == 0.0) /* most values are zero: fall back to the largest */
            *clip = amax;
        return AK_OK;
    }
    double best = INFINITY; /* MSE: candidates amax * i / 128, i = 16..128 */
    for (int i = 16; i <= 128; i++) {
        double c = amax * (double)i / 128.0, e = clip_error(x, n, c);
        if (e <= best) { /* ties to the larger clip */
            best = e;
            *clip = c;
        }
    }
    return AK_OK;
}

uint64_t ak_quantize_with_scale(const double *x, uint64_t n, double scale, int8_t *q)
{
    uint64_t clipped = 0;
    for (uint64_t i = 0; i < n; i++) {
        int64_t r = ak_round_half_away(x[i] / scale);
        clipped += r < -128 || r > 127;
        q[i] = (int8_t)ak_sat(r, 8);
    }
    return clipped;
}

const char *ak_oscale_name(ak_oscale_policy p)
{
    return p == AK_OSCALE_FIXED ? "fixed" : p == AK_OSCALE_GIVEN ? "given" : "calibrated";
}

ak_status ak_oscale_from_name(const char *name, ak_oscale_policy *p)
{
    static const ak_oscale_policy all[] = {AK_OSCALE_CALIBRATED, AK_OSCALE_FIXED,
                                           AK_OSCALE_GIVEN};
    for (unsigned i = 0; name && i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, ak_oscale_name(all[i]))) {
            *p = all[i];
            return AK_OK;
        }
    return AK_EINVAL;
}

double ak_output_scale_calibrated(int64_t amax_fx, double s_v)
{
    return amax_fx > 0 ? ((double)amax_fx * s_v) / 8323072.0 : s_v;
}
