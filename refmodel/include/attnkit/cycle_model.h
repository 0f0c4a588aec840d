/* The cycle model of the accelerator (docs/performance-model.md): from the hardware
 * parameters, the memory timing and a job's shape, mask and memory layout, the cycles the RTL
 * (rtl/ak_top.sv) takes for it, its stall cycles, MACs and bytes moved, without any data. It
 * follows the RTL's schedule (docs/architecture.md, "The order of work") cycle by cycle at the
 * level of its controller, AXI masters, normaliser and the memory model of sim/mem_model.h,
 * so with the deterministic memory its cycle count equals the RTL's exactly (a test holds them
 * together). A jittered memory (random delays and backpressure, as sim/mem_model.h draws them)
 * is modelled by drawing the same distribution from a seed: one run is one realisation, and
 * ak_cycle_model_expected averages several. */
#ifndef ATTNKIT_CYCLE_MODEL_H
#define ATTNKIT_CYCLE_MODEL_H

#include <stdint.h>

#include "attnkit/job_image.h"
#include "attnkit/mask.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The accelerator's parameters (ak_top's, plus the ones its submodules fix). */
typedef struct {
    uint32_t rows;           /* query rows per tile = PE array rows (Rows): 16, 32 or 64 */
    uint32_t max_head_dim;   /* MaxHeadDim: 32, 64 or 128 */
    uint32_t max_kv_blocks;  /* MaxKvBlocks: longest kv-block list */
    uint32_t rd_outstanding; /* read bursts the read master keeps in flight: 8 */
    uint32_t max_burst;      /* beats per AXI burst: 64 */
} ak_hw_config;

/* The memory's timing (sim/mem_model.h): one 64-byte beat per cycle per channel at most. */
typedef struct {
    uint32_t latency;      /* cycles from a read burst's address (or a write's last beat) to
                              its first data beat (or response) */
    uint32_t bytes_per_cycle; /* read and write bandwidth, 1..64 (64: a beat every cycle) */
    uint32_t max_reads;    /* read bursts the memory queues: 16 */
    uint32_t max_writes;   /* write bursts awaiting data or response: 64 */
    uint32_t wbuf_beats;   /* write data beats it buffers: 256 */
    uint64_t jitter_seed;  /* 0: deterministic; else each burst's latency gains 0..2 x latency
                              and each channel stalls one cycle in 8, drawn from this seed */
} ak_mem_timing;

/* The defaults of ak_top and of the memory model (latency 20, full bandwidth). */
void ak_hw_config_default(ak_hw_config *hw);
void ak_mem_timing_default(ak_mem_timing *mem);

/* AK_OK if the parameters are consistent; otherwise AK_EINVAL and *why names the parameter
 * and the constraint. */
ak_status ak_hw_config_check(const ak_hw_config *hw, const char **why);
ak_status ak_mem_timing_check(const ak_mem_timing *mem, const char **why);

typedef struct {
    uint64_t cycles;        /* start to done, as the CYCLES CSR counts */
    uint64_t stall_cycles;  /* as the STALLS CSR counts: cycles no slot ran */
    uint64_t macs;          /* as the MACS CSR counts: Rows*16 per Q.K^T cycle, 256 per P.V cycle */
    uint64_t read_bytes, write_bytes;
    uint64_t records;       /* key tiles (plus one per query tile without any) through the pipeline */
    uint64_t slots;         /* slots run */
    uint64_t prune_cycles;  /* of cycles, the pruning unit's: its region check (PruneCheck) and
                               its phase after the attention (docs/architecture.md) */
} ak_cycle_report;

/* One job (every head of one attention layer) whose memory image starts at `lay` (from
 * ak_job_layout_plan_shape; the addresses decide burst splits and beat alignment). A layout
 * with an ofx region (ak_job_layout_add_ofx) is a debug-mode job: each output tile's o_fx
 * write after its int8 one is modelled too. head_end: NULL or [heads], the cycle each head's last output write had its response.
 * AK_EINVAL (with *why) when the job does not fit the hardware: head dim above the maximum or
 * not 32/64/128, block size not 16..128 or below rows, a list longer than max_kv_blocks,
 * tokens out of range. */
ak_status ak_cycle_model_run(const ak_hw_config *hw, const ak_mem_timing *mem, uint32_t heads,
                             uint32_t nq, uint32_t nk, uint32_t d, const ak_mask *mask,
                             const ak_job_layout *lay, ak_cycle_report *out, uint64_t *head_end,
                             const char **why);

/* The mean of `draws` runs on the jittered memory (seeds jitter_seed, jitter_seed + 1, ...;
 * mem->jitter_seed must be non-zero): the expected cycles, stall cycles, MACs and bytes, and
 * (cycles_sd, if not NULL) the standard deviation of the cycles over the draws. */
ak_status ak_cycle_model_expected(const ak_hw_config *hw, const ak_mem_timing *mem,
                                  unsigned draws, uint32_t heads, uint32_t nq, uint32_t nk,
                                  uint32_t d, const ak_mask *mask, const ak_job_layout *lay,
                                  ak_cycle_report *out, double *cycles_sd, const char **why);

/* MAC utilisation: macs / (PEs x cycles), PEs = rows*16 + 256. */
double ak_cycle_utilisation(const ak_hw_config *hw, const ak_cycle_report *r);

#ifdef __cplusplus
}
#endif

#endif
