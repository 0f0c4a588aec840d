/* Throughput estimates of whole workloads on the accelerator, from the cycle model
 * (attnkit/cycle_model.h) layer by layer, without data: cycles, utilisation, bytes and time
 * per layer; images/s for a vision stack, time to first token and decode tokens/s for a
 * decoder; the roofline bound of the configuration and whether the workload sits on its
 * compute or its memory side (docs/performance-model.md). */
#ifndef ATTNKIT_ESTIMATE_H
#define ATTNKIT_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/cycle_model.h"
#include "attnkit/job_image.h"
#include "attnkit/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    ak_hw_config hw;
    ak_mem_timing mem;
    double clock_mhz;
} ak_estimate_config;

typedef struct {
    uint32_t tokens;          /* tokens entering the layer */
    uint64_t active_blocks;   /* over all heads */
    double density;
    ak_cycle_report rep;      /* the cycle model's figures for the layer's attention */
    uint64_t head_done[64];   /* per head: the cycle its last output write completed (heads
                                 overlap, so head h's share is head_done[h] - head_done[h-1]) */
    double utilisation;       /* MACs / (PEs x cycles) */
    double seconds;           /* at the clock */
    int prune_on_host;        /* the layer prunes or evicts, but beyond the pruning unit's
                                 limits (MaxPruneTokens keys, MaxProbeRows rows): the host's */
} ak_layer_estimate;

typedef struct {
    uint32_t n_layers;
    ak_layer_estimate layer[AK_MAX_LAYERS];
    uint64_t cycles, macs, bytes;  /* totals over the layers (one image / one prefill) */
    double seconds, utilisation;
    double images_per_s;      /* vision: one image = one pass through the stack */
    double ttft_s;            /* decoder: the prefill of the whole prompt */
    uint64_t decode_cycles;   /* decoder: one token (a query against the kept KV cache, every layer) */
    double tokens_per_s;      /* decoder: decode throughput */
    uint32_t kv_tokens;       /* decoder: keys a decode step attends to (the eviction budget) */
    /* the roofline of the configuration: peak MACs a cycle (PEs), memory bytes a cycle, the
     * workload's intensity (MACs per byte moved) and the bound it gives */
    double peak_macs_per_cycle, bytes_per_cycle, intensity, bound_macs_per_cycle;
    int memory_bound;         /* intensity below the ridge point (peak / bandwidth) */
    uint32_t layers_run;      /* layers the cycle model ran; the others repeated the inputs of
                                 an earlier layer and took its figures (ak_estimate_opts) */
} ak_workload_estimate;

/* How ak_estimate_workload_opts works; NULL or all zero: memoised, no progress.
 *
 * Memoised (the default): a layer whose inputs equal an earlier layer's (tokens, mask parts
 * with their resolved seeds, pruning or eviction job; the heads, head dim, block and hardware
 * are the workload's and the configuration's) takes that layer's figures instead of building
 * its mask and running the cycle model again, and the decode step (the same for every layer)
 * runs once. Both are deterministic functions of those inputs, so the result is bit for bit
 * the plain path's (tests/test_estimate.c holds the two together); a 32-layer decoder of
 * identical layers runs the cycle model once instead of 32 times.
 * plain = 1: the reference path, every layer and every decode step run anew. */
typedef struct {
    int plain;
    /* called after each layer (done = layers finished, of n), on the calling thread; NULL: none */
    void (*progress)(void *ctx, uint32_t done, uint32_t n);
    void *progress_ctx;
} ak_estimate_opts;

/* Estimates every layer of w. On error (a layer that does not fit the hardware, a bad
 * parameter) returns AK_EINVAL and writes "<what>: <constraint>" into err. */
ak_status ak_estimate_workload(const ak_workload *w, const ak_estimate_config *cfg,
                               ak_workload_estimate *out, char *err, size_t errlen);

/* The same with options (NULL: as ak_estimate_workload, i.e. memoised). */
ak_status ak_estimate_workload_opts(const ak_workload *w, const ak_estimate_config *cfg,
                                    const ak_estimate_opts *opts, ak_workload_estimate *out,
                                    char *err, size_t errlen);

/* One layer of `heads` heads at nq x nk tokens with the given mask, placed as the driver
 * places jobs (4 KB into the memory window). head_done: NULL or [heads] (cycle_model.h). */
ak_status ak_estimate_layer(const ak_estimate_config *cfg, uint32_t heads, uint32_t nq,
                            uint32_t nk, uint32_t d, const ak_mask *mask, ak_cycle_report *rep,
                            uint64_t *head_done, const char **why);

/* The same with the accelerator's pruning or eviction (prune NULL or mode none: as above):
 * rep->prune_cycles is the pruning unit's share of rep->cycles. AK_EINVAL (with *why) when the
 * spec does not fit the hardware (ak_prune_job_check, MaxPruneTokens keys). */
ak_status ak_estimate_layer_pruned(const ak_estimate_config *cfg, uint32_t heads, uint32_t nq,
                                   uint32_t nk, uint32_t d, const ak_mask *mask,
                                   const ak_prune_job *prune, ak_cycle_report *rep,
                                   uint64_t *head_done, const char **why);

#ifdef __cplusplus
}
#endif

#endif
