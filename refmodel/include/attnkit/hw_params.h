/* The accelerator's hardware constants and parameter defaults, defined once.
 * scripts/gen/gen_sv_pkg.py turns each `#define AK_NAME <integer>` below into `localparam int
 * Name` of the generated package ak_pkg (with numerics.h), which the RTL reads; the C models (the cycle model, the
 * memory model of sim/, the host driver) read these defines. Change a value here, never in a
 * copy. The largest head dim, the default of MaxHeadDim, is AK_MAX_HEAD_DIM of numerics.h. */
#ifndef ATTNKIT_HW_PARAMS_H
#define ATTNKIT_HW_PARAMS_H

#include "attnkit/numerics.h"

/* The AXI4 data bus (rtl/ak_axi_rd.sv, rtl/ak_axi_wr.sv, the beat ports of ak_top and ak_ctrl):
 * a beat carries AK_BEAT_BYTES bytes; every address the accelerator reads or writes is
 * beat-aligned (its low AK_BEAT_BYTES_LOG2 bits zero), and AxSIZE is AK_BEAT_BYTES_LOG2. */
#define AK_BEAT_BYTES 64             /* bytes of an AXI data beat */
#define AK_BEAT_BYTES_LOG2 6         /* log2 of BeatBytes: AxSIZE, aligned address bits */
#define AK_BEAT_BITS 512             /* 8 * BeatBytes: the AXI data bus width */

/* ak_ctrl's query-tile contexts in flight: NCtx of rtl/ak_ctrl.sv, handed to ak_ctrl_front
 * and ak_ctrl_slots (a power of two). */
#define AK_QUERY_CONTEXTS 4          /* ak_ctrl NCtx: query-tile contexts in flight */

/* rtl/ak_div_pipe.sv's latency in cycles, from an accepted input to its quotient: one stage
 * per quotient bit (AK_OUT_FX_BITS + 1) plus the input stage. The RTL's depth follows from
 * OutFxBits: tests/rtl/test_rtl_div_pipe.c measures it against this value, and
 * refmodel/src/cycle_model.c asserts the sum at compile time. */
#define AK_DIV_LATENCY 26            /* ak_div_pipe latency: OutFxBits + 2 cycles */

/* The parameter defaults of rtl/ak_top.sv and its submodules: the accelerator that
 * `attnkit sim`, the tests and synthesis build, and ak_hw_config_default (cycle_model.h). */
#define AK_DEFAULT_ROWS 16           /* ak_top Rows: query rows per tile = PE array rows */
#define AK_DEFAULT_MAX_KV_BLOCKS 512 /* ak_top MaxKvBlocks: longest kv-block list */
#define AK_DEFAULT_RD_OUTSTANDING 8  /* ak_axi_rd MaxOutstanding: read bursts in flight */
#define AK_DEFAULT_MAX_BURST 64      /* ak_axi_rd, ak_axi_wr MaxBurst: beats a burst */

/* The pruning unit (rtl/ak_prune.sv, docs/numerics.md section 11): it keeps the final softmax
 * state (row max and sum) of every probe row, the CLS row of each head for EViT or the last
 * WINDOW rows of each head for eviction, and the scores of up to AK_MAX_PRUNE_TOKENS keys; a
 * job with more keys or probe rows ends in ERR PRUNE (ak_prune_job_check, job_image.h). */
#define AK_MAX_PRUNE_TOKENS 256      /* ak_prune MaxTokens: largest nk of a pruning job (scores, flags, kept list, weights on chip) */
#define AK_MAX_PROBE_ROWS 64         /* ak_prune MaxProbeRows: rows whose final softmax state the pruning unit keeps (heads for EViT, heads x window for eviction) */

#endif
