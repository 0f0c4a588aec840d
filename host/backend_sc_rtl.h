/* The driver's sc-rtl backend (backend_sc_rtl.c): the Verilated RTL inside SystemC
 * (sim/systemc/ak_sc_rtl_sim.h), its options, its open function and what its memory saw. */
#ifndef AK_BACKEND_SC_RTL_H
#define AK_BACKEND_SC_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "mem_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same ak_top built with `verilator --sc`, its CSRs reached by TLM-2.0 b_transport through
 * an AXI4-Lite bridge, its AXI4 master bridged to a TLM-2.0 memory with the same memory
 * model's timing; the same cycles as the Verilator backend. Options and defaults as
 * ak_verilator_opts (no waveform); no_dmi: the memory refuses DMI (every beat a b_transport).
 * SystemC elaborates once per process: one sc-rtl backend open at a time (AK_EBUSY
 * otherwise). */
typedef struct {
    uint32_t latency;
    uint64_t jitter_seed;
    uint32_t bytes_per_cycle;
    uint64_t mem_bytes;
    int no_dmi;
} ak_sc_rtl_opts;

ak_status ak_backend_sc_rtl_open(const ak_sc_rtl_opts *o, ak_backend *be, char *err,
                                 size_t errlen);

/* The memory model's counters (AXI protocol errors among them) of a backend this opened. */
void ak_backend_sc_rtl_mem_stats(const ak_backend *be, ak_mem_stats *st);

#ifdef __cplusplus
}
#endif

#endif
