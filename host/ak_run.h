/* Run-and-compare as a library call: every layer of a test-vector directory (vectors/README.md)
 * run on the accelerator through the driver (ak_driver.h) over one of its backends, every
 * output byte compared with o.npy, a pruning layer's outputs with its .npy files (when the
 * device has the pruning unit), the counters with the cycle model's prediction
 * (attnkit/cycle_model.h). `attnkit sim` (host/cli/cmd_sim.c) is a front end that parses flags
 * and prints what this reports; nothing here prints or exits. */
#ifndef AK_RUN_H
#define AK_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "attnkit/cycle_model.h"
#include "attnkit/status.h"
#include "backend_tlm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* With a jittered memory the prediction is the mean of this many draws of its delays. */
#define AK_RUN_JITTER_DRAWS 8

typedef struct {
    const char *vectors;      /* the vector directory (manifest.json, layerNN/) */
    const char *backend;      /* "verilator" (also NULL), "sc-rtl" or "tlm" */
    uint32_t layer;           /* only this layer (as numbered in the manifest); 0: all */
    uint32_t latency;         /* memory latency in cycles (0: 20) */
    uint32_t bytes_per_cycle; /* memory bandwidth a cycle per channel (0: 64) */
    uint64_t jitter_seed;     /* seeded random memory delays and backpressure; 0: off */
    const char *wave;         /* verilator only: an FST waveform file, or NULL (written under a
                                 temporary name, renamed when complete: ak_sim.h) */
    int wave_window;          /* wave: dump only job cycles wave_from..wave_to of each layer */
    uint64_t wave_from, wave_to;
    uint64_t wave_limit;      /* wave: stop dumping at this many bytes (0: no cap) */
    double clock_mhz;         /* the clock of the throughput figures and tlm's period (0: 250) */
    unsigned threads;         /* tlm: host threads for a job (0: one per CPU) */
    int ofx;                  /* debug mode (RTL backends: verilator, sc-rtl): every layer also
                                 writes o_fx (descriptor SHAPE.ofx), compared value by value with
                                 o_fx.npy besides the int8 output; the counters with the cycle
                                 model's prediction of the same debug-mode job */
    uint32_t x_seed;          /* verilator: the model's initial state, 0 zeros, else random
                                 from this seed (ak_sim_config.x_seed) */
} ak_run_opts;

/* A layer's verdict, in the order they are decided: the driver reported a hang or another
 * error, output bytes, o_fx values (debug mode) or pruning outputs differ, the counters differ from the prediction (deterministic memory),
 * the simulated time is not cycles x the clock period (a backend with time). */
typedef enum {
    AK_RUN_PASS,
    AK_RUN_HANG,
    AK_RUN_ERROR,
    AK_RUN_FAIL,
    AK_RUN_CYCLES,
    AK_RUN_TIME
} ak_run_verdict;

/* One layer's result. Valid only during the callback that receives it. */
typedef struct {
    int layer;              /* as numbered in the manifest */
    const char *load_error; /* the layer could not be read (nothing else is set), or NULL */
    ak_run_verdict verdict;
    int pass;
    uint32_t heads, nq, nk, d, block;
    uint64_t bytes; /* of the output */
    uint64_t mismatches;
    struct {
        uint32_t head, row, column;
        int8_t expected, actual;
    } first_mismatch; /* when mismatches > 0 */
    /* token pruning or KV-cache eviction (the manifest's memory.prune): the score, kept and
       fused regions compared value by value with score.npy, kept.npy and fused_w.npy (EViT)
       or kv_score.npy and kv_kept.npy (eviction), only when the device has the pruning unit
       (CAPS.prune); a difference fails the layer */
    ak_prune_mode prune_mode;  /* AK_PRUNE_NONE: nothing below applies */
    int prune_checked;         /* the outputs were compared */
    uint64_t prune_values;     /* values compared (scores, kept indices, fused weights) */
    uint64_t prune_mismatches; /* of them, how many differ */
    char prune_note[200];      /* the first difference ("kept[17] = 35, expected 36"), or why
                                  not checked; "" when all matched */
    /* debug mode (opts.ofx): o_fx [heads][nq][d] compared bit for bit with o_fx.npy; a
       difference fails the layer (verdict FAIL) even when every int8 byte matches */
    int ofx_checked;
    uint64_t ofx_values, ofx_mismatches;
    struct {
        uint32_t head, row, column;
        int32_t expected, actual;
    } first_ofx_mismatch; /* when ofx_mismatches > 0 */
    ak_status status;
    ak_drv_result drv; /* counters, hardware error code, message */
    /* verilator: the layer's job cycle 0 as a clock cycle since the simulation opened (FST
       time 2 x that), and for a HANG, ERROR (hardware error) or FAIL on output bytes the job
       cycle of the failure: failure_event "hang" or "hardware_error" (the wait for the
       interrupt ended), "assertion" (an RTL assertion failed then), "write" (the accelerator wrote the first mismatching byte's beat, the
       last time), "not_written" (it never wrote it: the cycle the interrupt came) */
    int has_job_cycles;
    uint64_t job_start_cycle;
    int has_failure_cycle;
    uint64_t failure_cycle;
    const char *failure_event;
    char assertion[64]; /* failure_event "assertion": the RTL assertion that failed at
                           failure_cycle (docs/assertions.md); the result is ERROR */
    /* the cycle model's prediction, when predicted (else why_not_predicted says why) */
    int predicted;
    ak_cycle_report prediction;
    double prediction_sd;    /* jittered memory: sd of the cycles over the draws */
    double prediction_error; /* (predicted - measured) / measured cycles */
    int within_tolerance;    /* within 3 % or 3 sd (jittered memory; otherwise informative) */
    char why_not_predicted[160];
    uint64_t model_macs; /* the reference model's count of the job's MACs */
    uint32_t pes;
    double mac_utilisation, seconds_at_clock, gmac_per_s;
    double host_seconds; /* loading the job, simulating, reading the output back */
    /* a backend with simulated time (tlm): the job's, which must be cycles x clock_ps */
    int has_simulated_time;
    uint64_t simulated_ps;
    uint32_t clock_ps;
    int time_ok;
    /* the manifest's saturation counts of the expected output (a cJSON object), or NULL;
       saturated_out is its "out" when saturated_out_known */
    const struct cJSON *saturation;
    int saturated_out_known;
    double saturated_out;
} ak_run_layer;

typedef struct {
    const char *backend; /* its name */
    uint32_t pes;
    int passed, failed;  /* layers; a layer that could not be read counts as failed */
    uint64_t axi_protocol_errors; /* seen on the master port (verilator, sc-rtl) */
    char first_protocol_error[160];
    int has_tlm_stats;   /* tlm: where the model's host time went */
    ak_tlm_stats tlm;
    /* the vector directory against its manifest (ak_vectors_verify), before anything ran:
       files checked and the time it took; vectors_invalid when a file's SHA-256 differs, a
       file is missing or the manifest is malformed (ak_run then fails, err naming the file) */
    uint32_t vectors_files;
    double vectors_check_seconds;
    int vectors_invalid;
    /* --wave: the file's size once complete, cycles dumped, and whether wave_limit cut it */
    int has_wave;
    uint64_t wave_bytes, wave_dumped_cycles;
    int wave_truncated;
    int wave_truncated_layer;      /* the layer it was cut in */
    uint64_t wave_truncated_cycle; /* that layer's job cycle where it ends */
} ak_run_summary;

typedef void (*ak_run_layer_fn)(void *user, const ak_run_layer *layer);

/* Checks the vector directory against its manifest's checksums (ak_vectors_verify: every
 * file, whatever layer is selected), then opens the backend and the driver, runs the selected
 * layers in manifest order, calls on_layer (if not NULL) after each, fills *sum, closes. AK_OK
 * when every layer was tried (whether it passed is in *sum and the layers); otherwise with err
 * = one line: AK_EINVAL (bad options, a malformed manifest), AK_EIO (manifest unreadable),
 * AK_ENOTFOUND (no such layer), AK_ENOMEM, or the code of the backend's or the driver's open
 * that failed; sum->vectors_invalid when the directory failed the check (err: "vectors: " and
 * the library's reason, naming the file; nothing was simulated). */
ak_status ak_run(const ak_run_opts *o, ak_run_layer_fn on_layer, void *user, ak_run_summary *sum,
                 char *err, size_t errlen);

/* "PASS", "HANG", "ERROR", "FAIL", "CYCLES", "TIME". */
const char *ak_run_verdict_name(ak_run_verdict v);
/* The i-th backend's name (from 0), NULL past the last. */
const char *ak_run_backend_name(size_t i);

#ifdef __cplusplus
}
#endif

#endif
