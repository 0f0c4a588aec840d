/* A byte-addressed memory behind an AXI4 slave port (512-bit data), clocked cycle by cycle
 * through plain C structs of the AXI signals, so any harness (Verilator, SystemC, a C test)
 * can put it behind the accelerator's master port.
 *
 * Each cycle: ak_mem_drive() gives the signals the memory drives during the cycle (they depend
 * only on its state: no combinational path from the master's signals), the harness settles the
 * master with them, then ak_mem_tick() is the clock edge: the handshakes of that cycle happen
 * with the master's signals as they stood before the edge.
 *
 * Timing (deterministic by default): arready, awready and wready are 1 (arready drops while
 * AK_MEM_MAX_READS read bursts are outstanding); a read burst accepted at cycle t has its first
 * beat valid at cycle t + latency, then one beat per cycle while rready; bursts are answered in
 * order. Write data beats are taken every cycle (before or after their AW); the B response is
 * valid `latency` cycles after the burst's last beat. With bytes_per_cycle < 64 each channel
 * (R, W) moves a beat only when it has a beat's worth of credit: the credit grows by
 * bytes_per_cycle every cycle up to two beats, and a beat spends 64. With jitter_seed != 0 a seeded xorshift
 * adds 0..2*latency cycles to each burst and drops rvalid, awready and wready in 1 cycle of 8;
 * order is kept. A beat touching a byte outside the memory answers SLVERR (and is not written).
 *
 * Storage: by default the memory keeps its bytes in an array of its own. Created with
 * ak_mem_create_with_storage, it keeps none: every beat's bytes are read and written through
 * the storage's callbacks (a SystemC harness does them as TLM-2.0 transactions), and a callback
 * that fails answers that beat SLVERR. The timing above is the same either way; the storage
 * decides only the bytes and the response. A read beat is fetched once per cycle in which it
 * is offered (at ak_mem_drive), a write beat stored at the edge that matches it with its burst.
 * Functions return ak_status codes; nothing exits or aborts. */
#ifndef AK_MEM_MODEL_H
#define AK_MEM_MODEL_H

#include <stdint.h>

#include "attnkit/hw_params.h"
#include "attnkit/mem_jitter.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_MEM_MAX_READS 16u    /* outstanding read bursts before arready drops */
#define AK_MEM_MAX_WRITES 64u   /* write bursts between AW and B before awready drops */
#define AK_MEM_WBUF_BEATS 256u  /* write beats that may arrive before their AW */
#define AK_MEM_RESP_OKAY 0u
#define AK_MEM_RESP_SLVERR 2u

/* The data bus is the accelerator's: AK_BEAT_BYTES (attnkit/hw_params.h) bytes a beat. */

/* What the master (the accelerator) drives. Byte b of wdata is bits [8b +: 8] of the bus. */
typedef struct {
    uint8_t arvalid, arlen, arsize, arburst;
    uint64_t araddr;
    uint8_t rready;
    uint8_t awvalid, awlen, awsize, awburst;
    uint64_t awaddr;
    uint8_t wvalid, wlast;
    uint8_t wdata[AK_BEAT_BYTES];
    uint64_t wstrb;
    uint8_t bready;
} ak_axi_m2s;

/* What the memory drives back. */
typedef struct {
    uint8_t arready;
    uint8_t rvalid, rlast, rresp;
    uint8_t rdata[AK_BEAT_BYTES];
    uint8_t awready, wready;
    uint8_t bvalid, bresp;
} ak_axi_s2m;

typedef struct {
    uint64_t size;        /* bytes, > 0 */
    uint32_t latency;     /* cycles, >= 1 (0 in a config means the default, 20) */
    uint64_t jitter_seed; /* 0: deterministic */
    uint32_t bytes_per_cycle; /* read and write bandwidth, 1..64 (0 in a config: 64) */
} ak_mem_config;

typedef struct {
    uint64_t cycles;                        /* clock edges seen */
    uint64_t read_bursts, read_beats;       /* accepted AR, R beats delivered */
    uint64_t write_bursts, write_beats;     /* AW accepted, W beats taken */
    uint64_t write_responses;               /* B responses delivered */
    uint64_t slverr_beats;                  /* beats answered SLVERR (out of range, bad burst) */
    uint64_t protocol_errors;               /* master-side AXI rule violations seen */
    char first_protocol_error[160];         /* what the first one was ("" if none) */
} ak_mem_stats;

/* DMA confinement (docs/dma-safety.md): the regions a job may read and write. With regions
 * set, every accepted AR and AW burst's byte range (start address, len and size; a range that
 * wraps past 2^64 is never inside) must lie in the union of the regions of its kind (reads in
 * read regions, writes in write regions); the first burst outside is recorded with the edge's
 * cycle (ak_mem_stats.cycles), and all are counted. No regions (the default): no check. */
#define AK_MEM_MAX_REGIONS 16u
typedef struct {
    uint64_t first, last; /* inclusive */
    int write;            /* 0: a read region, 1: a write region */
} ak_mem_region;

typedef struct {
    uint64_t count;        /* bursts outside the regions since they were set */
    int write;             /* the first one's: 1 a write (AW), 0 a read (AR) */
    uint64_t addr, bytes;  /* its start address and bytes (to the end of its last beat) */
    uint64_t cycle;        /* the edge that accepted it, as ak_mem_stats.cycles */
} ak_mem_violation;

/* Where the bytes live when the memory keeps none of its own. addr is a byte address, n <= 64
 * bytes inside one beat. write stores src[i] only where bit i of strb is set. Each returns 0 on
 * success, anything else for an error (the beat answers SLVERR). */
typedef struct {
    void *ctx;
    int (*read)(void *ctx, uint64_t addr, uint8_t *dst, unsigned n);
    int (*write)(void *ctx, uint64_t addr, const uint8_t *src, unsigned n, uint64_t strb);
} ak_mem_storage;

typedef struct ak_mem ak_mem;

/* AK_EINVAL for size 0 or bytes_per_cycle above 64, AK_ENOMEM. The memory starts zeroed. */
ak_status ak_mem_create(const ak_mem_config *cfg, ak_mem **out);
/* A memory whose bytes live in `storage` (copied; its ctx must outlive the memory). cfg->size
 * is the span of addresses [0, size) passed to it: a beat beyond answers SLVERR without a call.
 * AK_EINVAL for a NULL callback and as ak_mem_create. */
ak_status ak_mem_create_with_storage(const ak_mem_config *cfg, const ak_mem_storage *storage,
                                     ak_mem **out);
void ak_mem_destroy(ak_mem *m);

/* Drops every transaction in flight and zeroes the statistics (memory contents stay). */
void ak_mem_reset(ak_mem *m);

/* The slave's signals for the current cycle (stable until the next ak_mem_tick). */
void ak_mem_drive(ak_mem *m, ak_axi_s2m *out);

/* The clock edge: handshakes of the current cycle with the master's signals `in`. */
void ak_mem_tick(ak_mem *m, const ak_axi_m2s *in);

/* Backdoor access (no cycles). AK_ERANGE if [addr, addr + n) leaves the memory; AK_EINVAL
 * for a memory with an external storage (its owner has the backdoor). */
ak_status ak_mem_write(ak_mem *m, uint64_t addr, const void *src, uint64_t n);
ak_status ak_mem_read(const ak_mem *m, uint64_t addr, void *dst, uint64_t n);
ak_status ak_mem_fill(ak_mem *m, uint64_t addr, uint8_t value, uint64_t n);

uint64_t ak_mem_size(const ak_mem *m);
/* Sets the job's regions (n 0: no check; AK_EINVAL above AK_MEM_MAX_REGIONS, or a region with
 * first > last) and clears the violation record. ak_mem_reset keeps the regions and clears the
 * record. */
ak_status ak_mem_set_regions(ak_mem *m, const ak_mem_region *r, unsigned n);
void ak_mem_get_violation(const ak_mem *m, ak_mem_violation *v);
void ak_mem_get_stats(const ak_mem *m, ak_mem_stats *st);
/* Read bursts accepted and not yet fully answered, write bursts not yet responded. */
unsigned ak_mem_outstanding(const ak_mem *m);

#ifdef __cplusplus
}
#endif

#endif
