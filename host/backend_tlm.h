/* The driver's tlm backend (backend_tlm.c): the loosely-timed TLM-2.0 model of the accelerator
 * in a SystemC platform (sim/systemc/ak_tlm_sim.h; docs/systemc.md), its options, its open
 * function and where its host time went. */
#ifndef AK_BACKEND_TLM_H
#define AK_BACKEND_TLM_H

#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "systemc/ak_tlm_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same registers, descriptor, checks and error codes as the RTL, the output of the
 * reference model, and the cycle model's time (simulated time = RTL cycles x clock period with
 * the deterministic memory). Zeros mean defaults: memory latency 20 cycles, 64 bytes a cycle,
 * 64 MiB; jitter_seed 0 = deterministic memory (else one draw of the jittered memory's timing
 * per job); clock 4000 ps; 1 host thread for a job (threads 0; 2 or more: the cycle model
 * beside the reference model's threads - 1); no_dmi 1: b_transport only. */
typedef struct {
    uint32_t latency;
    uint64_t jitter_seed;
    uint32_t bytes_per_cycle;
    uint64_t mem_bytes;
    uint32_t clock_ps;
    unsigned threads;
    int no_dmi;
} ak_tlm_opts;

ak_status ak_backend_tlm_open(const ak_tlm_opts *o, ak_backend *be, char *err, size_t errlen);

/* The model's statistics (the last job's simulated time, host time, DMI and transactions) of a
 * backend this opened. */
void ak_backend_tlm_stats(const ak_backend *be, ak_tlm_stats *st);

#ifdef __cplusplus
}
#endif

#endif
