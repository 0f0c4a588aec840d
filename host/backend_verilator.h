/* The driver's Verilator backend (backend_verilator.c): the Verilated ak_top with the C AXI4
 * memory model (sim/verilator/ak_sim.h), its options, its open function and what its memory
 * saw. */
#ifndef AK_BACKEND_VERILATOR_H
#define AK_BACKEND_VERILATOR_H

#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "mem_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Zeros mean defaults: memory latency 20 cycles, 64 MiB, 64 bytes a cycle; jitter_seed 0 =
 * deterministic memory; wave = FST file or NULL. */
typedef struct {
    uint32_t latency;
    uint64_t jitter_seed;
    uint32_t bytes_per_cycle;
    uint64_t mem_bytes;
    const char *wave;
} ak_verilator_opts;

/* err (if not NULL) gets the reason when it fails. */
ak_status ak_backend_verilator_open(const ak_verilator_opts *o, ak_backend *be, char *err,
                                    size_t errlen);

/* The memory model's counters (AXI protocol errors among them) of a backend this opened. */
void ak_backend_verilator_mem_stats(const ak_backend *be, ak_mem_stats *st);

#ifdef __cplusplus
}
#endif

#endif
