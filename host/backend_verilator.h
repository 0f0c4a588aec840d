/* The driver's Verilator backend (backend_verilator.c): the Verilated ak_top with the C AXI4
 * memory model (sim/verilator/ak_sim.h), its options, its open function and what its memory
 * saw. */
#ifndef AK_BACKEND_VERILATOR_H
#define AK_BACKEND_VERILATOR_H

#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "mem_model.h"
#include "verilator/ak_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Zeros mean defaults: memory latency 20 cycles, 64 MiB, 64 bytes a cycle; jitter_seed 0 =
 * deterministic memory; wave = FST file or NULL, written as wave + AK_SIM_WAVE_TMP and renamed
 * when the backend closes; wave_window, wave_from, wave_to, wave_limit as in ak_sim_config
 * (job cycles: the backend's job_begin is job cycle 0), x_seed as in ak_sim_config. */
typedef struct {
    uint32_t latency;
    uint64_t jitter_seed;
    uint32_t bytes_per_cycle;
    uint64_t mem_bytes;
    const char *wave;
    int wave_window;
    uint64_t wave_from, wave_to;
    uint64_t wave_limit;
    uint32_t x_seed; /* the model's initial state: 0 zeros, else random from it (ak_sim.h) */
} ak_verilator_opts;

/* err (if not NULL) gets the reason when it fails. */
ak_status ak_backend_verilator_open(const ak_verilator_opts *o, ak_backend *be, char *err,
                                    size_t errlen);

/* The memory model's counters (AXI protocol errors among them) of a backend this opened. */
void ak_backend_verilator_mem_stats(const ak_backend *be, ak_mem_stats *st);

/* The last job's cycles (ak_sim.h): job cycle 0 as a clock cycle since open; the job cycle of
 * the accelerator's last write to the beat holding addr in o or the pruning regions after it
 * (1, or 0 when it wrote none); the job cycle at which the wait for its interrupt ended. */
uint64_t ak_backend_verilator_job_start(const ak_backend *be);
int ak_backend_verilator_last_write(const ak_backend *be, uint64_t addr, uint64_t *job_cycle);
uint64_t ak_backend_verilator_wait_end(const ak_backend *be);
/* DMA confinement (docs/dma-safety.md), what the backend's dma_begin and dma_check do, for a
 * caller that drives the ak_sim itself (be->ctx): confine sets the memory model's regions to
 * those the descriptor at desc_addr names (ak_desc_regions over the sim's memory); dma_text
 * returns 1 and writes "DMA outside the job: read|write 0x... (+N bytes) at job cycle C (K
 * bursts outside)" into msg when a burst went outside them since, else 0. */
ak_status ak_backend_verilator_confine(ak_sim *s, uint64_t desc_addr);
int ak_backend_verilator_dma_text(ak_sim *s, char *msg, size_t len);
/* What became of the waveform so far (the file is complete only once the backend closed). */
void ak_backend_verilator_wave_info(const ak_backend *be, ak_sim_wave_info *wi);
/* The first RTL assertion that failed (1 and *ai), or 0 (ak_sim_assert_failure). */
int ak_backend_verilator_assert(const ak_backend *be, ak_sim_assert_info *ai);

#ifdef __cplusplus
}
#endif

#endif
