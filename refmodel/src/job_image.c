/* Job layout and descriptor encoding (attnkit/job_image.h). Field offsets and positions come
 * from attnkit_desc.h, generated from rtl/regs/attnkit_desc.rdl, the same source as the RTL's
 * ak_desc_pkg. */
#include "attnkit/job_image.h"

#include <string.h>

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
                                        (uint32_t)(m->heads != 1) << AK_DESC_SHAPE_MASK_PER_HEAD_LSB);
    put_addr(d, AK_DESC_Q_LO_OFFSET, AK_DESC_Q_HI_OFFSET, lay->q);
    put_addr(d, AK_DESC_K_LO_OFFSET, AK_DESC_K_HI_OFFSET, lay->k);
    put_addr(d, AK_DESC_V_LO_OFFSET, AK_DESC_V_HI_OFFSET, lay->v);
    put_addr(d, AK_DESC_O_LO_OFFSET, AK_DESC_O_HI_OFFSET, lay->o);
    put_addr(d, AK_DESC_KV_OFF_LO_OFFSET, AK_DESC_KV_OFF_HI_OFFSET, lay->kv_off);
    put_addr(d, AK_DESC_KV_IDX_LO_OFFSET, AK_DESC_KV_IDX_HI_OFFSET, lay->kv_idx);
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
