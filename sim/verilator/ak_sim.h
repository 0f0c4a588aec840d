/* The whole accelerator (rtl/ak_top.sv, Verilated) behind a C API: its CSR slave driven by an
 * AXI4-Lite master, its AXI4 master served by the memory model (sim/mem_model.h) every cycle,
 * a backdoor into that memory (the host's memory window), the interrupt, a cycle counter and an
 * optional FST waveform. One clock; every function that takes cycles ticks the model and the
 * memory together. Nothing exits: every failure is an ak_status (attnkit/status.h).
 *
 * Jobs and their cycles: ak_sim_job_begin marks a job's cycle 0 (the driver calls it through
 * the backend just before it starts a job: the STATUS read, DESC_ADDR and CTRL.start writes
 * come after it); a job cycle is a clock cycle counted from there. The waveform's window, the
 * cycle of the accelerator's last write into a watched region (the job's output) and the
 * cycle at which a wait for the interrupt ended are job cycles. In the FST, clock cycle c since
 * open is at time 2c (clock low) and 2c + 1 (the rising edge).
 *
 * The waveform is written to wave + AK_SIM_WAVE_TMP (FST's writer keeps a further
 * wave + AK_SIM_WAVE_TMP + ".hier" beside it while open) and renamed to wave by ak_sim_close:
 * a run that is killed leaves only the temporaries, which a caller may remove by that name. */
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
    /* wave only: with wave_window, only job cycles wave_from..wave_to (both included) of each
       job are dumped (nothing before the first job); wave_limit (bytes, 0: no cap) stops the
       dumping and finishes the file once it holds that many bytes (checked every few hundred
       dumped cycles, so it ends a little above) */
    int wave_window;
    uint64_t wave_from, wave_to;
    uint64_t wave_limit;
    /* the model's initial state (every variable before reset): 0 all zeros; 1..2^31 - 1
       random, from this seed (Verilator's randReset(2), randSeed); AK_EINVAL above */
    uint32_t x_seed;
} ak_sim_config;

#define AK_SIM_WAVE_TMP ".tmp"

/* What became of the waveform. */
typedef struct {
    uint64_t dumped_cycles; /* clock cycles written */
    int truncated;          /* wave_limit reached: nothing dumped after */
    uint64_t truncated_job; /* then: in which job (1 = the first ak_sim_job_begin; 0 before) */
    uint64_t truncated_cycle; /* and at which of its job cycles (the last one dumped) */
    uint64_t bytes;         /* the file's size when last measured */
} ak_sim_wave_info;

typedef struct ak_sim ak_sim;

/* Builds the model and its memory and resets them. AK_EASSERT: an RTL assertion failed in the
 * reset; *out is then the simulation (ak_sim_assert_failure says which), to be closed. */
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
/* The AXI bus between the accelerator and its memory, for abort and reset tests: bursts the
 * memory holds (ak_mem_outstanding: read bursts not fully answered, write bursts without their
 * response), and whether the accelerator drives arvalid, awvalid or wvalid now. */
unsigned ak_sim_mem_outstanding(const ak_sim *s);
int ak_sim_axi_valid(const ak_sim *s);

/* Job cycle 0 is now. The accelerator's writes into [watch, watch + watch_bytes) (its output;
 * watch_bytes 0: none) get the job cycle of each beat's last write recorded. */
void ak_sim_job_begin(ak_sim *s, uint64_t watch, uint64_t watch_bytes);
uint64_t ak_sim_job_cycle(const ak_sim *s);  /* cycles since job cycle 0 (since open before) */
uint64_t ak_sim_job_start(const ak_sim *s);  /* job cycle 0 as a clock cycle since open */
/* 1 and *job_cycle = the job cycle of the edge at which the accelerator last wrote the beat
 * holding addr in this job; 0 when it did not, or addr is not watched. */
int ak_sim_last_write(const ak_sim *s, uint64_t addr, uint64_t *job_cycle);
/* The job cycle at which the last ak_sim_run_until_irq returned (interrupt or max_cycles). */
uint64_t ak_sim_wait_end(const ak_sim *s);
void ak_sim_get_wave_info(const ak_sim *s, ak_sim_wave_info *wi);

/* DMA confinement (docs/dma-safety.md): the memory model's regions for the next job
 * (ak_mem_set_regions; n 0: no check), and its record: 1 and *v if a burst went outside them
 * since they were set, with v->cycle a job cycle (ak_sim_job_cycle's count), else 0. */
ak_status ak_sim_set_dma_regions(ak_sim *s, const ak_mem_region *r, unsigned n);
int ak_sim_dma_violation(const ak_sim *s, ak_mem_violation *v);

/* RTL assertions (docs/assertions.md): a check that fails prints its line on stderr; the first
 * is recorded, and from then on every function here that clocks the model (open's reset, CSR
 * accesses, run_until_irq, step) returns AK_EASSERT (step: does nothing) without clocking.
 * Returns 1 and fills *ai (if not NULL) when an assertion failed, else 0. name and text live
 * as long as s. */
typedef struct {
    const char *name;   /* the assertion's name: the word after "AK_ASSERT " */
    const char *text;   /* its message, from the name on */
    uint64_t cycle;     /* the clock cycle (since open) of the edge at which it failed */
    uint64_t job;       /* the job it failed in (1 = the first ak_sim_job_begin; 0 before) */
    uint64_t job_cycle; /* and its job cycle */
} ak_sim_assert_info;
int ak_sim_assert_failure(const ak_sim *s, ak_sim_assert_info *ai);


#ifdef __cplusplus
}
#endif

#endif
