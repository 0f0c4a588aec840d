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

/* Token pruning or KV-cache eviction done by the accelerator at the end of a job (descriptor
 * PRUNE..WINDOW, docs/numerics.md section 11; the C reference is prune.h). */
typedef enum {
    AK_PRUNE_NONE = 0,  /* attention only */
    AK_PRUNE_EVIT = 1,  /* EViT token pruning on the CLS row (query 0): ak_prune_tokens */
    AK_PRUNE_EVICT = 2  /* KV-cache eviction on the last `window` query rows: ak_kv_evict */
} ak_prune_mode;

typedef struct {
    ak_prune_mode mode;
    uint32_t keep_ppm;                       /* EViT: keep rate, 1..10^6 ppm */
    uint32_t budget, sinks, recent, window;  /* eviction (window: 1..nq query rows) */
} ak_prune_job;

/* Byte addresses and sizes of a job's regions, in this order from `base`:
 * desc (header + quantisation table), q, k, v, kv_off, kv_idx, then o, score, kept and fused
 * (written by the accelerator). The three pruning regions are empty, at o's (aligned) end,
 * unless ak_job_layout_add_prune gave the job a pruning mode. */
typedef struct {
    uint64_t desc, q, k, v, kv_off, kv_idx, o, end;
    uint64_t desc_bytes, q_bytes, kv_bytes, kv_off_bytes, kv_idx_bytes, o_bytes;
    uint64_t q_head_stride, kv_head_stride; /* bytes between heads (o uses q's) */
    ak_prune_job prune;                     /* the descriptor's pruning fields */
    uint64_t score, kept, fused;            /* uint32 [nk], uint32 [kept], uint16 [nk - kept] */
    uint64_t score_bytes, kept_bytes, fused_bytes;
    /* debug mode (descriptor SHAPE.ofx; ak_job_layout_add_ofx): the o_fx region, int32
       [heads][nq][d], after everything else; ofx_bytes 0 (ofx at end): off */
    uint64_t ofx, ofx_bytes;
} ak_job_layout;

/* Tokens (EViT, CLS included) or keys (eviction) the job keeps out of nk: EViT
 * 1 + ak_prune_count(nk, keep_ppm), eviction min(budget, nk), none 0. */
uint32_t ak_prune_job_kept(const ak_prune_job *p, uint32_t nk);

/* The hardware's checks of the pruning fields (ERR PRUNE): mode 0..2; nk at most max_tokens
 * (AK_MAX_PRUNE_TOKENS in the default accelerator: it holds the scores on chip; UINT32_MAX and
 * max_probe_rows UINT32_MAX check the spec alone, as the vectors do); EViT keep_ppm 1..10^6
 * and heads probe rows; eviction budget at least the always-kept keys (sinks clipped to nk,
 * recent to the keys after the sinks, as ak_kv_evict counts them) and at least 1, window
 * 1..nq, heads x window probe rows; probe rows at most max_probe_rows (AK_MAX_PROBE_ROWS in
 * the default accelerator). AK_EINVAL with *why (if not NULL) naming the field; mode none is
 * always AK_OK. */
ak_status ak_prune_job_check(const ak_prune_job *p, uint32_t heads, uint32_t nq, uint32_t nk,
                             uint32_t max_probe_rows, uint32_t max_tokens, const char **why);

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

/* Appends the pruning output regions after o (each AK_JOB_ALIGN-aligned): score nk * 4
 * bytes, kept ak_prune_job_kept * 4, and for EViT fused (nk - kept) * 2; lay->end moves past
 * them and lay->prune = *p. Mode none leaves them empty at o's end. AK_EINVAL for a mode out
 * of range or a missing argument (the parameters are checked by ak_prune_job_check). */
ak_status ak_job_layout_add_prune(ak_job_layout *lay, uint32_t nk, const ak_prune_job *p);

/* Debug mode: appends the o_fx region at lay->end (AK_JOB_ALIGN-aligned), heads * nq * d * 4
 * bytes (int32 [heads][nq][d], dense: d >= 32 keeps every head aligned), and moves lay->end
 * past it; the descriptor then asks the accelerator to write each output's o_fx (numerics.md
 * section 8) besides the int8 output. Call it after ak_job_layout_add_prune, which starts the
 * regions after o afresh. AK_EINVAL for a missing layout or a zero dimension. */
ak_status ak_job_layout_add_ofx(ak_job_layout *lay, uint32_t heads, uint32_t nq, uint32_t d);

/* Writes the job's input image, bytes [lay->desc, lay->o), into img (which holds
 * lay->o - lay->desc bytes; padding is zeroed): descriptor (with lay->prune's fields and the
 * pruning regions' addresses), quantisation table, tensors with their head strides, and the
 * mask lists; with an ofx region (ak_job_layout_add_ofx) SHAPE.ofx and OFX too. */
ak_status ak_job_image_write(const ak_attn_job *job, const ak_job_layout *lay, uint8_t *img);

/* Reads the int8 output [heads][nq][d] out of the o region (o_img holds lay->o_bytes). */
void ak_job_output_read(const ak_attn_job *job, const ak_job_layout *lay, const uint8_t *o_img,
                        int8_t *out);

/* Reads o_fx [heads][nq][d] out of the ofx region (ofx_img holds lay->ofx_bytes, little-endian
 * int32). */
void ak_job_ofx_read(const ak_job_layout *lay, const uint8_t *ofx_img, int32_t *out_fx);

#ifdef __cplusplus
}
#endif

#endif
