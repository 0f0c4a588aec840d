/* Accuracy metrics of the fixed-point model against the float64 reference (accuracy.h). */
#include "attnkit/accuracy.h"

#include <math.h>

#include "attnkit/numerics.h"

void ak_calibrate_output_scales(const ak_attn_job *job, const double *ref, ak_head_scales *scales)
{
    const uint64_t per_head = (uint64_t)job->nq * job->d;
    for (uint32_t h = 0; h < job->heads; h++) {
        double amax = 0.0;
        for (uint64_t x = 0; x < per_head; x++)
            amax = fmax(amax, fabs(ref[h * per_head + x]));
        scales[h].o = amax > 0.0 ? amax / 127.0 : 1.0;
    }
}

ak_status ak_accuracy_measure(const ak_attn_job *job, const ak_head_scales *scales,
                              const double *ref, const int32_t *out_fx, const int8_t *out,
                              ak_accuracy *acc)
{
    if (!job || !scales || !ref || !out_fx || !out || !acc)
        return AK_EINVAL;
    const uint64_t per_head = (uint64_t)job->nq * job->d;
    const double fx_unit = 1.0 / (double)(1L << AK_OUT_FRAC);
    double sig = 0.0, noise = 0.0, err_sum = 0.0, err_max = 0.0;
    uint64_t exact = 0;
    int diff_max = 0;
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint64_t x = 0; x < per_head; x++) {
            const uint64_t e = h * per_head + x;
            const double r = ref[e];
            const double fx = (double)out_fx[e] * fx_unit * scales[h].v;
            sig += r * r;
            noise += (fx - r) * (fx - r);
            const double target = r / scales[h].o; /* in int8 LSBs */
            const double err = fabs((double)out[e] - target);
            err_sum += err;
            err_max = fmax(err_max, err);
            double rounded = fmin(127.0, fmax(-128.0, floor(target + 0.5)));
            int diff = (int)fabs((double)out[e] - rounded);
            diff_max = diff > diff_max ? diff : diff_max;
            exact += diff == 0;
        }
    acc->count = per_head * job->heads;
    acc->sqnr_db = noise > 0.0 ? 10.0 * log10(sig / noise) : INFINITY;
    acc->max_err_lsb = err_max;
    acc->mean_err_lsb = acc->count ? err_sum / (double)acc->count : 0.0;
    acc->max_rounded_diff = diff_max;
    acc->exact_fraction = acc->count ? (double)exact / (double)acc->count : 0.0;
    return AK_OK;
}
