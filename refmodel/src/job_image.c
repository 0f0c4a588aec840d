/* Job layout and descriptor encoding (attnkit/job_image.h). Field offsets and positions come
 * from attnkit_desc.h, generated from rtl/regs/attnkit_desc.rdl, the same source as the RTL's
 * ak_desc_pkg. */
#include "attnkit/job_image.h"

#include <string.h>

#include "attnkit/prune.h"
#include "attnkit_desc.h"

static uint64_t align_up(uint64_t x)
{
    return (x + AK_JOB_ALIGN - 1) / AK_JOB_ALIGN * AK_JOB_ALIGN;
}

uint64_t ak_job_head_stride(uint32_t n, uint32_t d)
{
    return align_up((uint64_t)n * d);
}

static uint32_t mask_lists(const ak_mask *m)
{
    return m->heads * m->q_blocks;
}

ak_status ak_job_layout_plan(const ak_attn_job *job, uint64_t base, ak_job_layout *lay)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !job->mask)
        return AK_EINVAL;
    return ak_job_layout_plan_shape(job->heads, job->nq, job->nk, job->d, job->mask, base, lay);
}

ak_status ak_job_layout_plan_shape(uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                                   const ak_mask *m, uint64_t base, ak_job_layout *lay)
{
    if (!m || !lay || base % AK_JOB_ALIGN || heads == 0)
        return AK_EINVAL;
    memset(lay, 0, sizeof *lay);
    lay->q_head_stride = ak_job_head_stride(nq, d);
    lay->kv_head_stride = ak_job_head_stride(nk, d);
    lay->desc_bytes = AK_DESC_QUANT_OFFSET + (uint64_t)AK_DESC_QUANT_SIZE * heads;
    lay->q_bytes = lay->o_bytes = lay->q_head_stride * heads;
    lay->kv_bytes = lay->kv_head_stride * heads;
    lay->kv_off_bytes = 4ull * (mask_lists(m) + 1);
    lay->kv_idx_bytes = 4ull * m->kv_off[mask_lists(m)];
    uint64_t at = base;
    lay->desc = at;
    at = align_up(at + lay->desc_bytes);
    lay->q = at;
    at = align_up(at + lay->q_bytes);
    lay->k = at;
    at = align_up(at + lay->kv_bytes);
    lay->v = at;
    at = align_up(at + lay->kv_bytes);
    lay->kv_off = at;
    at = align_up(at + lay->kv_off_bytes);
    lay->kv_idx = at;
    at = align_up(at + lay->kv_idx_bytes);
    lay->o = at;
    lay->end = align_up(at + lay->o_bytes);
    lay->score = lay->kept = lay->fused = lay->end;
    return AK_OK;
}

uint32_t ak_prune_job_kept(const ak_prune_job *p, uint32_t nk)
{
    if (!p)
        return 0;
    switch (p->mode) {
    case AK_PRUNE_EVIT: return 1 + ak_prune_count(nk, p->keep_ppm);
    case AK_PRUNE_EVICT: return p->budget < nk ? p->budget : nk;
    default: return 0;
    }
}

static ak_status prune_bad(const char **why, const char *text)
{
    if (why)
        *why = text;
    return AK_EINVAL;
}

ak_status ak_prune_job_check(const ak_prune_job *p, uint32_t heads, uint32_t nq, uint32_t nk,
                             uint32_t max_probe_rows, uint32_t max_tokens, const char **why)
{
    if (!p)
        return prune_bad(why, "no pruning spec");
    if (p->mode == AK_PRUNE_NONE)
        return AK_OK;
    if (p->mode <= AK_PRUNE_EVICT && nk > max_tokens)
        return prune_bad(why, "nk: more keys than the pruning unit holds scores for");
    if (p->mode == AK_PRUNE_EVIT) {
        if (p->keep_ppm == 0 || p->keep_ppm > AK_PPM)
            return prune_bad(why, "keep_ppm: the keep rate must be 1..1000000 ppm");
        if (heads > max_probe_rows)
            return prune_bad(why, "heads: more CLS probe rows than the pruning unit holds");
        return AK_OK;
    }
    if (p->mode != AK_PRUNE_EVICT)
        return prune_bad(why, "mode: not 0 (none), 1 (EViT) or 2 (eviction)");
    /* the always-kept keys as ak_kv_evict counts them: sinks clipped to nk, recent to the
       keys after the sinks */
    const uint32_t sinks = p->sinks < nk ? p->sinks : nk;
    const uint32_t recent = p->recent < nk - sinks ? p->recent : nk - sinks;
    if (p->budget == 0 || (uint64_t)p->budget < (uint64_t)sinks + recent)
        return prune_bad(why, "budget: below sinks + recent (each clipped to nk), or 0");
    if (p->window == 0 || p->window > nq)
        return prune_bad(why, "window: must be 1..nq query rows");
    if ((uint64_t)heads * p->window > max_probe_rows)
        return prune_bad(why, "window: heads x window probe rows exceed what the pruning unit "
                              "holds");
    return AK_OK;
}

ak_status ak_job_layout_add_prune(ak_job_layout *lay, uint32_t nk, const ak_prune_job *p)
{
    if (!lay || !p || (unsigned)p->mode > AK_PRUNE_EVICT)
        return AK_EINVAL;
    const uint64_t at = align_up(lay->o + lay->o_bytes);
    lay->prune = *p;
    lay->score_bytes = lay->kept_bytes = lay->fused_bytes = 0;
    lay->score = lay->kept = lay->fused = lay->end = at;
    if (p->mode == AK_PRUNE_NONE)
        return AK_OK;
    const uint32_t kept = ak_prune_job_kept(p, nk);
    lay->score_bytes = 4ull * nk;
    lay->kept_bytes = 4ull * kept;
    lay->fused_bytes = p->mode == AK_PRUNE_EVIT ? 2ull * (nk - kept) : 0;
    lay->score = at;
    lay->kept = align_up(lay->score + lay->score_bytes);
    lay->fused = align_up(lay->kept + lay->kept_bytes);
    lay->end = align_up(lay->fused + lay->fused_bytes);
    return AK_OK;
}

ak_status ak_job_layout_add_ofx(ak_job_layout *lay, uint32_t heads, uint32_t nq, uint32_t d)
{
    if (!lay || heads == 0 || nq == 0 || d == 0)
        return AK_EINVAL;
    lay->ofx = align_up(lay->end);
    lay->ofx_bytes = 4ull * heads * nq * d;
    lay->end = align_up(lay->ofx + lay->ofx_bytes);
    return AK_OK;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_addr(uint8_t *desc, uint32_t lo_offset, uint32_t hi_offset, uint64_t a)
{
    put32(desc + lo_offset, (uint32_t)a);
    put32(desc + hi_offset, (uint32_t)(a >> 32));
}

static void put_tensor(uint8_t *dst, const int8_t *src, uint32_t heads, uint32_t n, uint32_t d,
                       uint64_t stride)
{
    for (uint32_t h = 0; h < heads; h++)
        memcpy(dst + h * stride, src + (uint64_t)h * n * d, (uint64_t)n * d);
}

ak_status ak_job_image_write(const ak_attn_job *job, const ak_job_layout *lay, uint8_t *img)
{
    if (!job || !job->mask || !lay || !img)
        return AK_EINVAL;
    const ak_mask *m = job->mask;
    memset(img, 0, lay->o - lay->desc);
    uint8_t *d = img;
    put32(d + AK_DESC_MAGIC_OFFSET, AK_DESC_MAGIC_MAGIC_RESET);
    put32(d + AK_DESC_VERSION_OFFSET, AK_DESC_VERSION_VERSION_RESET);
    put32(d + AK_DESC_HEADS_OFFSET, job->heads);
    put32(d + AK_DESC_NQ_OFFSET, job->nq);
    put32(d + AK_DESC_NK_OFFSET, job->nk);
    put32(d + AK_DESC_SHAPE_OFFSET, job->d << AK_DESC_SHAPE_HEAD_DIM_LSB |
                                        m->block << AK_DESC_SHAPE_BLOCK_LSB |
                                        (uint32_t)!!m->token_causal << AK_DESC_SHAPE_TOKEN_CAUSAL_LSB |
                                        (uint32_t)(m->heads != 1) << AK_DESC_SHAPE_MASK_PER_HEAD_LSB |
                                        (uint32_t)(lay->ofx_bytes != 0) << AK_DESC_SHAPE_OFX_LSB);
    if (lay->ofx_bytes)
        put_addr(d, AK_DESC_OFX_LO_OFFSET, AK_DESC_OFX_HI_OFFSET, lay->ofx);
    put_addr(d, AK_DESC_Q_LO_OFFSET, AK_DESC_Q_HI_OFFSET, lay->q);
    put_addr(d, AK_DESC_K_LO_OFFSET, AK_DESC_K_HI_OFFSET, lay->k);
    put_addr(d, AK_DESC_V_LO_OFFSET, AK_DESC_V_HI_OFFSET, lay->v);
    put_addr(d, AK_DESC_O_LO_OFFSET, AK_DESC_O_HI_OFFSET, lay->o);
    put_addr(d, AK_DESC_KV_OFF_LO_OFFSET, AK_DESC_KV_OFF_HI_OFFSET, lay->kv_off);
    put_addr(d, AK_DESC_KV_IDX_LO_OFFSET, AK_DESC_KV_IDX_HI_OFFSET, lay->kv_idx);
    const ak_prune_job *p = &lay->prune;
    if (p->mode != AK_PRUNE_NONE) { /* mode none: every pruning field 0 */
        put32(d + AK_DESC_PRUNE_OFFSET, (uint32_t)p->mode << AK_DESC_PRUNE_MODE_LSB);
        put32(d + AK_DESC_KEEP_OFFSET, p->mode == AK_PRUNE_EVIT ? p->keep_ppm : 0);
        if (p->mode == AK_PRUNE_EVICT) {
            put32(d + AK_DESC_BUDGET_OFFSET, p->budget);
            put32(d + AK_DESC_SINKS_OFFSET, p->sinks);
            put32(d + AK_DESC_RECENT_OFFSET, p->recent);
            put32(d + AK_DESC_WINDOW_OFFSET, p->window);
        }
        put_addr(d, AK_DESC_SCORE_LO_OFFSET, AK_DESC_SCORE_HI_OFFSET, lay->score);
        put_addr(d, AK_DESC_KEPT_LO_OFFSET, AK_DESC_KEPT_HI_OFFSET, lay->kept);
        if (p->mode == AK_PRUNE_EVIT)
            put_addr(d, AK_DESC_FUSED_LO_OFFSET, AK_DESC_FUSED_HI_OFFSET, lay->fused);
    }
    for (uint32_t h = 0; h < job->heads; h++) {
        uint8_t *e = d + h * AK_DESC_QUANT_SIZE;
        const ak_head_quant *q = &job->quant[h];
        put32(e + AK_DESC_QUANT_LOGIT_MULT_OFFSET, (uint32_t)q->logit_mult);
        put32(e + AK_DESC_QUANT_LOGIT_SHIFT_OFFSET, (uint32_t)q->logit_shift);
        put32(e + AK_DESC_QUANT_OUT_MULT_OFFSET, (uint32_t)q->out_mult);
        put32(e + AK_DESC_QUANT_OUT_SHIFT_OFFSET, (uint32_t)q->out_shift);
    }
    put_tensor(img + (lay->q - lay->desc), job->q, job->heads, job->nq, job->d, lay->q_head_stride);
    put_tensor(img + (lay->k - lay->desc), job->k, job->heads, job->nk, job->d, lay->kv_head_stride);
    put_tensor(img + (lay->v - lay->desc), job->v, job->heads, job->nk, job->d, lay->kv_head_stride);
    const uint32_t lists = mask_lists(m);
    for (uint32_t x = 0; x <= lists; x++)
        put32(img + (lay->kv_off - lay->desc) + 4ull * x, m->kv_off[x]);
    for (uint32_t x = 0; x < m->kv_off[lists]; x++)
        put32(img + (lay->kv_idx - lay->desc) + 4ull * x, m->kv_idx[x]);
    return AK_OK;
}

void ak_job_output_read(const ak_attn_job *job, const ak_job_layout *lay, const uint8_t *o_img,
                        int8_t *out)
{
    for (uint32_t h = 0; h < job->heads; h++)
        memcpy(out + (uint64_t)h * job->nq * job->d, o_img + h * lay->q_head_stride,
               (uint64_t)job->nq * job->d);
}

void ak_job_ofx_read(const ak_job_layout *lay, const uint8_t *ofx_img, int32_t *out_fx)
{
    for (uint64_t x = 0; x < lay->ofx_bytes / 4; x++) {
        const uint8_t *b = ofx_img + 4 * x;
        const uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                           (uint32_t)b[3] << 24;
        /* two's complement without implementation-defined conversion */
        out_fx[x] = u < 0x80000000u ? (int32_t)u : -(int32_t)(0xFFFFFFFFu - u) - 1;
    }
}
