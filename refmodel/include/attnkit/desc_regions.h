/* The memory regions a job descriptor names (docs/dma-safety.md): what the accelerator may read
 * and write for the job at a descriptor address, computed from the descriptor's bytes in
 * memory (and the kv_off word it points to) by the register map's rules (rtl/regs/
 * attnkit_desc.rdl, docs/masks.md), not from the RTL. A memory model that records every burst
 * (sim/mem_model.h) checks the accelerator against them: DMA confinement.
 *
 * Every region is widened to whole 64-byte beats (the bus moves whole beats: the first byte's
 * beat to the last byte's beat), and cut at 2^64 - 1: a region never wraps, so an access that
 * wraps past 2^64 lands outside. A descriptor that fails the checks made before any work
 * (magic, version, token and head counts, head dim, block size, 64-byte alignment of the
 * descriptor and of the six buffers) names only its 128-byte header. */
#ifndef ATTNKIT_DESC_REGIONS_H
#define ATTNKIT_DESC_REGIONS_H

#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for every region a descriptor can name (today 10: DESC, Q, K, V, KV_OFF, KV_IDX, O,
 * SCORE, KEPT, FUSED), with room to grow. */
#define AK_DESC_MAX_REGIONS 16u

/* [first, last], both inclusive, beat-aligned; write 0: the accelerator reads it, 1: writes. */
typedef struct {
    const char *name; /* "Q", "KV_IDX", ... (static) */
    uint64_t first, last;
    int write;
} ak_region;

typedef struct {
    unsigned n;
    ak_region r[AK_DESC_MAX_REGIONS];
} ak_region_set;

/* Reads n bytes at addr of the device memory; anything but AK_OK: those bytes are unreadable
 * (outside memory). */
typedef ak_status (*ak_region_reader)(void *ctx, uint64_t addr, void *dst, uint64_t n);

/* The regions the descriptor at desc_addr names. Reads its 128-byte header and, for a
 * descriptor that passes the early checks, the kv_off word kv_off[lists] that sizes kv_idx
 * (lists = heads x q_blocks with mask_per_head, else q_blocks): if that word cannot be read,
 * kv_idx gets its largest size, 2^32 entries. A header that cannot be read names the header
 * alone. AK_EINVAL for a NULL argument. */
ak_status ak_desc_regions(uint64_t desc_addr, ak_region_reader rd, void *ctx, ak_region_set *out);

#ifdef __cplusplus
}
#endif

#endif
