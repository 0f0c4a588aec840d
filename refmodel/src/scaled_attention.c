/* Attention with a policy-chosen output scale (scaled_attention.h, numerics.md 3.2). */
#include "attnkit/scaled_attention.h"

#include <stdlib.h>

ak_status ak_attention_scaled(const ak_attn_job *job, ak_head_quant *quant,
                              ak_head_scales *scales, ak_oscale_policy policy, int8_t *out,
                              int32_t *out_fx, unsigned threads, ak_sat_counts *sat)
{
    if (!job || !quant || job->quant != quant || !scales || !out || !out_fx || !sat)
        return AK_EINVAL;
    ak_status st = AK_OK;
    for (uint32_t h = 0; st == AK_OK && h < job->heads; h++) {
        if (policy == AK_OSCALE_FIXED)
            scales[h].o = scales[h].v / 8.0;
        else if (policy == AK_OSCALE_CALIBRATED)
            scales[h].o = scales[h].v; /* any valid value: o_fx does not depend on it */
        st = ak_head_quant_from_scales(&scales[h], job->d, &quant[h]);
    }
    if (st == AK_OK)
        st = ak_attention_counted(job, out, out_fx, threads, sat);
    if (st != AK_OK || policy != AK_OSCALE_CALIBRATED)
        return st;
    const uint64_t per_head = (uint64_t)job->nq * job->d;
    sat->out = 0;
    for (uint32_t h = 0; st == AK_OK && h < job->heads; h++) {
        const int32_t *fx = out_fx + h * per_head;
        int64_t amax = 0;
        for (uint64_t x = 0; x < per_head; x++)
            amax = llabs(fx[x]) > amax ? llabs(fx[x]) : amax;
        scales[h].o = ak_output_scale_calibrated(amax, scales[h].v);
        st = ak_head_quant_from_scales(&scales[h], job->d, &quant[h]);
        if (st == AK_OK)
            sat->out += ak_requantize(fx, per_head, &quant[h], out + h * per_head);
    }
    return st;
}
