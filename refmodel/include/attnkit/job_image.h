/* The accelerator's view of one attention job in memory: where each buffer lives and the job
 * descriptor that points at them (layout: rtl/regs/attnkit_desc.rdl; docs/architecture.md).
 * The vector writer builds memory images with it and the host driver places real jobs with it,
 * so both agree with the RTL by construction. */
#ifndef ATTNKIT_JOB_IMAGE_H
#define ATTNKIT_JOB_IMAGE_H

#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/hw_params.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every region, and every head inside a tensor region, starts on this boundary (one AXI data
 * beat, hw_params.h), so the accelerator's bursts are always aligned. */
#define AK_JOB_ALIGN AK_BEAT_BYTES

/* Byte addresses and sizes of a job's regions, in this order from `base`:
 * desc (header + quantisation table), q, k, v, kv_off, kv_idx, then o (written by the
 * accelerator). */
typedef struct {
    uint64_t desc, q, k, v, kv_off, kv_idx, o, end;
    uint64_t desc_bytes, q_bytes, kv_bytes, kv_off_bytes, kv_idx_bytes, o_bytes;
    uint64_t q_head_stride, kv_head_stride; /* bytes between heads (o uses q's) */
} ak_job_layout;

/* Bytes between two heads of a [heads][n][d] int8 tensor: n * d rounded up to AK_JOB_ALIGN. */
uint64_t ak_job_head_stride(uint32_t n, uint32_t d);

/* Lays the job out from `base` (a multiple of AK_JOB_ALIGN). The accelerator always walks
 * kv-block lists, so the job needs a mask (a dense one from ak_mask_build for dense attention).
 * AK_EINVAL for a malformed job (ak_attn_job_check), a missing mask or a misaligned base. */
ak_status ak_job_layout_plan(const ak_attn_job *job, uint64_t base, ak_job_layout *lay);

/* The same layout from the job's shape and mask alone, without tensors (the cycle model's
 * view of a job). AK_EINVAL for a missing mask, zero heads or a misaligned base. */
ak_status ak_job_layout_plan_shape(uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                                   const ak_mask *m, uint64_t base, ak_job_layout *lay);

/* Writes the job's input image, bytes [lay->desc, lay->o), into img (which holds
 * lay->o - lay->desc bytes; padding is zeroed): descriptor, quantisation table, tensors with
 * their head strides, and the mask lists. */
ak_status ak_job_image_write(const ak_attn_job *job, const ak_job_layout *lay, uint8_t *img);

/* Reads the int8 output [heads][nq][d] out of the o region (o_img holds lay->o_bytes). */
void ak_job_output_read(const ak_attn_job *job, const ak_job_layout *lay, const uint8_t *o_img,
                        int8_t *out);

#ifdef __cplusplus
}
#endif

#endif
