/* The regions a job descriptor names (attnkit/desc_regions.h), from the register map's rules:
 * field offsets from attnkit_desc.h (generated from rtl/regs/attnkit_desc.rdl), sizes from
 * its field descriptions and docs/masks.md. Independent of the RTL by design: it is what the
 * RTL is checked against. To add a region, add one add() call with its name and size. */
#include "attnkit/desc_regions.h"

#include <string.h>

#include "attnkit/hw_params.h"
#include "attnkit/numerics.h"
#include "attnkit/job_image.h"
#include "attnkit_desc.h"

#define HDR_BYTES AK_DESC_QUANT_OFFSET /* the header before the quantisation entries */
#define BEAT ((uint64_t)AK_BEAT_BYTES)

static uint32_t get32(const uint8_t *h, uint32_t off)
{
    return (uint32_t)h[off] | (uint32_t)h[off + 1] << 8 | (uint32_t)h[off + 2] << 16 |
           (uint32_t)h[off + 3] << 24;
}

static uint64_t get_addr(const uint8_t *h, uint32_t lo, uint32_t hi)
{
    return (uint64_t)get32(h, hi) << 32 | get32(h, lo);
}

static uint32_t field(uint32_t word, unsigned lsb, unsigned width)
{
    return (word >> lsb) & (width >= 32 ? ~0u : (1u << width) - 1);
}

/* [start, start + bytes) as whole beats, cut at 2^64 - 1; bytes 0: nothing. */
static void add(ak_region_set *s, const char *name, uint64_t start, uint64_t bytes, int write)
{
    if (!bytes || s->n >= AK_DESC_MAX_REGIONS)
        return;
    ak_region *r = &s->r[s->n++];
    r->name = name;
    r->write = write;
    r->first = start & ~(BEAT - 1);
    const uint64_t room = UINT64_MAX - start; /* bytes after the first one */
    const uint64_t last = bytes - 1 > room ? UINT64_MAX : start + (bytes - 1);
    r->last = last | (BEAT - 1);
}

/* a*b, saturating at UINT64_MAX (only reachable with absurd descriptors) */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static int pow2_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return x >= lo && x <= hi && (x & (x - 1)) == 0;
}

ak_status ak_desc_regions(uint64_t desc_addr, ak_region_reader rd, void *ctx, ak_region_set *out)
{
    if (!rd || !out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    uint8_t h[HDR_BYTES];
    if (rd(ctx, desc_addr, h, sizeof h) != AK_OK) {
        add(out, "DESC", desc_addr, HDR_BYTES, 0);
        return AK_OK;
    }
    const uint32_t heads = get32(h, AK_DESC_HEADS_OFFSET), nq = get32(h, AK_DESC_NQ_OFFSET),
                   nk = get32(h, AK_DESC_NK_OFFSET), shape = get32(h, AK_DESC_SHAPE_OFFSET);
    const uint32_t d = field(shape, AK_DESC_SHAPE_HEAD_DIM_LSB, AK_DESC_SHAPE_HEAD_DIM_WIDTH);
    const uint32_t blk = field(shape, AK_DESC_SHAPE_BLOCK_LSB, AK_DESC_SHAPE_BLOCK_WIDTH);
    const int per_head = (int)field(shape, AK_DESC_SHAPE_MASK_PER_HEAD_LSB, 1);
    const uint64_t q = get_addr(h, AK_DESC_Q_LO_OFFSET, AK_DESC_Q_HI_OFFSET),
                   k = get_addr(h, AK_DESC_K_LO_OFFSET, AK_DESC_K_HI_OFFSET),
                   v = get_addr(h, AK_DESC_V_LO_OFFSET, AK_DESC_V_HI_OFFSET),
                   o = get_addr(h, AK_DESC_O_LO_OFFSET, AK_DESC_O_HI_OFFSET),
                   off = get_addr(h, AK_DESC_KV_OFF_LO_OFFSET, AK_DESC_KV_OFF_HI_OFFSET),
                   idx = get_addr(h, AK_DESC_KV_IDX_LO_OFFSET, AK_DESC_KV_IDX_HI_OFFSET);
    /* debug mode (SHAPE.ofx): o_fx int32 [heads][nq][d] at OFX, dense; the field is ignored
       (and not checked) otherwise */
    const int ofx_on = (int)field(shape, AK_DESC_SHAPE_OFX_LSB, 1);
    const uint64_t ofx = ofx_on ? get_addr(h, AK_DESC_OFX_LO_OFFSET, AK_DESC_OFX_HI_OFFSET) : 0;
    const int valid = get32(h, AK_DESC_MAGIC_OFFSET) == AK_DESC_MAGIC_MAGIC_RESET &&
                      get32(h, AK_DESC_VERSION_OFFSET) == AK_DESC_VERSION_VERSION_RESET &&
                      heads >= 1 && nq >= 1 && nk >= 1 && nq <= AK_MAX_TOKENS &&
                      nk <= AK_MAX_TOKENS && pow2_in(d, 32, 128) && pow2_in(blk, 16, 128) &&
                      (desc_addr | q | k | v | o | off | idx | ofx) % BEAT == 0;
    if (!valid) {
        add(out, "DESC", desc_addr, HDR_BYTES, 0);
        return AK_OK;
    }
    /* the descriptor: header and one quantisation entry per head */
    add(out, "DESC", desc_addr, HDR_BYTES + (uint64_t)AK_DESC_QUANT_SIZE * heads, 0);
    /* Q, K, V, O: [heads][n][d] int8, each head starting 64-byte aligned */
    const uint64_t qstride = ak_job_head_stride(nq, d), kvstride = ak_job_head_stride(nk, d);
    add(out, "Q", q, mul_sat(heads, qstride), 0);
    add(out, "K", k, mul_sat(heads, kvstride), 0);
    add(out, "V", v, mul_sat(heads, kvstride), 0);
    /* kv_off uint32 [lists + 1]; kv_idx uint32 [kv_off[lists]] (docs/masks.md) */
    const uint64_t qblocks = ((uint64_t)nq + blk - 1) / blk;
    const uint64_t lists = per_head ? (uint64_t)heads * qblocks : qblocks;
    add(out, "KV_OFF", off, mul_sat(4, lists + 1), 0);
    uint8_t w[4];
    uint64_t active = 1ull << 32; /* unreadable: the most a uint32 list offset reaches */
    if (lists <= UINT64_MAX / 4 - 1 && off <= UINT64_MAX - 4 * lists - 3 &&
        rd(ctx, off + 4 * lists, w, 4) == AK_OK)
        active = get32(w, 0);
    add(out, "KV_IDX", idx, 4 * active, 0);
    add(out, "O", o, mul_sat(heads, qstride), 1);
    if (ofx_on)
        add(out, "OFX", ofx, mul_sat(mul_sat(heads, nq), 4ull * d), 1);
    /* pruning outputs (mode 1 or 2 with parameters the spec accepts) */
    const ak_prune_job p = {
        .mode = (ak_prune_mode)field(get32(h, AK_DESC_PRUNE_OFFSET), AK_DESC_PRUNE_MODE_LSB,
                                     AK_DESC_PRUNE_MODE_WIDTH),
        .keep_ppm = get32(h, AK_DESC_KEEP_OFFSET),
        .budget = get32(h, AK_DESC_BUDGET_OFFSET),
        .sinks = get32(h, AK_DESC_SINKS_OFFSET),
        .recent = get32(h, AK_DESC_RECENT_OFFSET),
        .window = get32(h, AK_DESC_WINDOW_OFFSET)};
    if (p.mode != AK_PRUNE_NONE &&
        ak_prune_job_check(&p, heads, nq, nk, UINT32_MAX, UINT32_MAX, NULL) == AK_OK) {
        const uint32_t kept = ak_prune_job_kept(&p, nk);
        add(out, "SCORE", get_addr(h, AK_DESC_SCORE_LO_OFFSET, AK_DESC_SCORE_HI_OFFSET),
            4ull * nk, 1);
        add(out, "KEPT", get_addr(h, AK_DESC_KEPT_LO_OFFSET, AK_DESC_KEPT_HI_OFFSET),
            4ull * kept, 1);
        if (p.mode == AK_PRUNE_EVIT)
            add(out, "FUSED", get_addr(h, AK_DESC_FUSED_LO_OFFSET, AK_DESC_FUSED_HI_OFFSET),
                2ull * (nk - kept), 1);
    }
    return AK_OK;
}
