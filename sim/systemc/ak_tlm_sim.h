/* The TLM-2.0 model of the accelerator (ak_tlm_accel.h) in a small SystemC platform behind a
 * C API, like sim/verilator/ak_sim.h: the accelerator, a TLM memory (ak_tlm_memory.h) on its
 * initiator socket, a host-side initiator on its CSR socket, and its interrupt. C code builds
 * the platform, reads and writes CSRs (b_transport) and memory (backdoor), and runs simulated
 * time until the interrupt or a cycle budget. Nothing exits: every failure is an ak_status.
 *
 * SystemC elaborates once per process, so the platforms are a fixed pool
 * (AK_TLM_MAX_PLATFORMS), built at the first ak_tlm_open; open takes a free one, configures it
 * and resets it, close gives it back. All share one simulated time (ak_tlm_cycles counts from
 * the platform's open). */
#ifndef AK_TLM_SIM_H
#define AK_TLM_SIM_H

#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_TLM_MAX_PLATFORMS 4

typedef struct {
    uint64_t mem_bytes;        /* memory size (0: 64 MiB) */
    uint32_t latency;          /* memory latency the cycle model assumes, cycles (0: 20) */
    uint32_t bytes_per_cycle;  /* memory bandwidth per channel, 1..64 (0: 64) */
    uint64_t jitter_seed;      /* 0: deterministic memory; else one draw of the jittered
                                  memory's timing per job (the cycle model's jitter) */
    uint32_t clock_ps;         /* clock period in ps (0: 4000, 250 MHz) */
    uint32_t quantum_cycles;   /* TLM global quantum in cycles (0: 10000) */
    unsigned threads;          /* host threads for a job (0: 1); 2 or more: the cycle model
                                  beside the reference model's threads - 1 */
    int no_dmi;                /* 1: the accelerator uses b_transport only, never DMI */
} ak_tlm_config;

typedef struct {
    uint64_t jobs;             /* jobs started */
    uint64_t transactions;     /* b_transport calls of the accelerator to memory */
    uint64_t dmi_accesses;     /* its accesses through a DMI pointer */
    uint64_t dmi_grants;       /* DMI requests the memory granted */
    uint64_t bytes_read, bytes_written;
    uint64_t last_job_ps;      /* the last finished job's simulated time, start to done */
    double host_read_s;        /* host time reading jobs through the socket */
    double host_reference_s;   /* host time in the reference model (ak_attention) */
    double host_cycle_model_s; /* host time in the cycle model */
} ak_tlm_stats;

typedef struct ak_tlm ak_tlm;

ak_status ak_tlm_open(const ak_tlm_config *cfg, ak_tlm **out);
void ak_tlm_close(ak_tlm *s);

/* One 32-bit CSR access through the host initiator (b_transport; its annotated delay is then
 * simulated). The _strb form writes only the bytes of strb (bit b: byte b). AK_EADDRESS
 * for an unmapped register. */
ak_status ak_tlm_csr_write(ak_tlm *s, uint32_t addr, uint32_t data);
ak_status ak_tlm_csr_write_strb(ak_tlm *s, uint32_t addr, uint32_t data, unsigned strb);
ak_status ak_tlm_csr_read(ak_tlm *s, uint32_t addr, uint32_t *data);
/* Any CSR access: len bytes at addr; *tlm_response gets the tlm_response_status (1 =
 * TLM_OK_RESPONSE, -2 = TLM_ADDRESS_ERROR_RESPONSE, ...). */
ak_status ak_tlm_csr_transport(ak_tlm *s, int write, uint64_t addr, uint8_t *data,
                               unsigned len, int *tlm_response);

/* Backdoor into the memory (no time). */
ak_status ak_tlm_mem_write(ak_tlm *s, uint64_t addr, const void *src, uint64_t n);
ak_status ak_tlm_mem_read(ak_tlm *s, uint64_t addr, void *dst, uint64_t n);
uint64_t ak_tlm_mem_size(const ak_tlm *s);

/* Simulates until the interrupt is high (checked first) or max_cycles clock cycles have
 * passed; *cycles (if not NULL) gets the cycles simulated. AK_OK or AK_ETIMEOUT. */
ak_status ak_tlm_run_until_irq(ak_tlm *s, uint64_t max_cycles, uint64_t *cycles);
/* Simulates n clock cycles. */
ak_status ak_tlm_step(ak_tlm *s, uint64_t n);

int ak_tlm_irq(const ak_tlm *s);
uint64_t ak_tlm_cycles(const ak_tlm *s);  /* clock cycles simulated since open */
uint64_t ak_tlm_time_ps(const ak_tlm *s); /* simulated time since open, ps */
void ak_tlm_get_stats(const ak_tlm *s, ak_tlm_stats *st);
const ak_tlm_config *ak_tlm_get_config(const ak_tlm *s); /* with defaults filled in */


#ifdef __cplusplus
}
#endif

#endif
