/* The whole accelerator (rtl/ak_top.sv, Verilated) behind a C API: its CSR slave driven by an
 * AXI4-Lite master, its AXI4 master served by the memory model (sim/mem_model.h) every cycle,
 * a backdoor into that memory (the host's memory window), the interrupt, a cycle counter and an
 * optional FST waveform. One clock; every function that takes cycles ticks the model and the
 * memory together. Nothing exits: every failure is an ak_status (attnkit/status.h). */
#ifndef AK_SIM_H
#define AK_SIM_H

#include <stdint.h>

#include "attnkit/status.h"
#include "mem_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t mem_bytes;   /* memory size (0: 64 MiB) */
    uint32_t latency;     /* memory latency in cycles (0: 20) */
    uint64_t jitter_seed; /* 0: deterministic memory; else seeded delays and backpressure */
    uint32_t bytes_per_cycle; /* memory bandwidth per channel, 1..64 (0: 64) */
    const char *wave;     /* FST file to write, or NULL */
} ak_sim_config;

typedef struct ak_sim ak_sim;

/* Builds the model and its memory and resets them. */
ak_status ak_sim_open(const ak_sim_config *cfg, ak_sim **out);
/* Finishes the waveform (if any) and frees everything. */
void ak_sim_close(ak_sim *s);
/* Holds rst_ni low for a few cycles; the memory drops its transactions (contents stay). */
void ak_sim_reset(ak_sim *s);

/* One AXI4-Lite access (all four strobes), clocking until its response; CSR_TIMEOUT cycles at
 * most per handshake. */
ak_status ak_sim_csr_write(ak_sim *s, uint32_t addr, uint32_t data);
ak_status ak_sim_csr_read(ak_sim *s, uint32_t addr, uint32_t *data);

/* Backdoor into the memory model (no cycles). */
ak_status ak_sim_mem_write(ak_sim *s, uint64_t addr, const void *src, uint64_t n);
ak_status ak_sim_mem_read(ak_sim *s, uint64_t addr, void *dst, uint64_t n);
uint64_t ak_sim_mem_size(const ak_sim *s);

/* Clocks until irq_o is high (checked before each cycle) or max_cycles have run; *cycles (if
 * not NULL) gets the cycles run. AK_OK or AK_ETIMEOUT. */
ak_status ak_sim_run_until_irq(ak_sim *s, uint64_t max_cycles, uint64_t *cycles);
/* Clocks n cycles. */
void ak_sim_step(ak_sim *s, uint64_t n);

int ak_sim_irq(ak_sim *s);
uint64_t ak_sim_cycles(const ak_sim *s); /* clock cycles since open */
void ak_sim_mem_stats(const ak_sim *s, ak_mem_stats *st);
const ak_sim_config *ak_sim_get_config(const ak_sim *s); /* with defaults filled in */


#ifdef __cplusplus
}
#endif

#endif
