/* The Verilated ak_top inside a SystemC platform (sim/systemc/ak_sc_rtl.h), behind a C API in
 * the shape of sim/verilator/ak_sim.h: `verilator --sc` of rtl/ak_top.sv, an sc_clock, a
 * reset, a TLM-2.0 target socket bridged to the RTL's AXI4-Lite CSR slave (CSR accesses are
 * b_transport calls of a TLM initiator), and the RTL's AXI4 master bridged to a TLM-2.0 memory
 * target (ak_tlm_memory: DMI, or b_transport with no_dmi) with the timing of the C memory
 * model (sim/mem_model.h) clocked in an SC_METHOD on the clock's rising edge, so the platform
 * counts the same cycles as the plain Verilator harness. The backdoor (mem_read/mem_write) is
 * the TLM memory's.
 *
 * SystemC elaborates once per process: the platform is built by the first ak_sc_rtl_open and
 * lives until the process ends; ak_sc_rtl_close only frees the memory's bytes. One simulation
 * is open at a time (a second open while one is: AK_EBUSY); each open gets a fresh,
 * zeroed memory and timing model with its own configuration and resets the RTL. Nothing exits:
 * every failure is an ak_status (attnkit/status.h). */
#ifndef AK_SC_RTL_SIM_H
#define AK_SC_RTL_SIM_H

#include <stdint.h>

#include "attnkit/status.h"
#include "mem_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t mem_bytes;       /* memory size (0: 64 MiB) */
    uint32_t latency;         /* memory latency in cycles (0: 20) */
    uint64_t jitter_seed;     /* 0: deterministic memory; else seeded delays and backpressure */
    uint32_t bytes_per_cycle; /* memory bandwidth per channel, 1..64 (0: 64) */
    int no_dmi;               /* non-zero: the TLM memory refuses DMI (every beat a b_transport) */
} ak_sc_rtl_config;

/* The memory side's TLM traffic since the open. */
typedef struct {
    uint64_t transactions;    /* b_transport calls the TLM memory answered */
    uint64_t errors;          /* of which with an error response (beats answered SLVERR) */
    uint64_t dmi_grants;      /* DMI pointers it granted */
    uint64_t dmi_beats;       /* beats the bridge moved through a DMI pointer */
    uint64_t transport_beats; /* beats the bridge moved by b_transport */
} ak_sc_rtl_tlm_stats;

/* The clock period: 4 ns (250 MHz) at SystemC's time resolution of 1 ps, the Verilated
 * model's timeprecision (no `timescale in rtl/: Verilator's default, 1ps). */
#define AK_SC_RTL_CLOCK_PS 4000u

typedef struct ak_sc_rtl ak_sc_rtl;

/* Builds the platform on first use, a fresh memory, and resets the RTL (as ak_sim_open). */
ak_status ak_sc_rtl_open(const ak_sc_rtl_config *cfg, ak_sc_rtl **out);
/* Frees the memory; the platform stays for the next open. */
void ak_sc_rtl_close(ak_sc_rtl *s);
/* Holds rst_ni low for 4 cycles, then 1 more cycle; the memory drops its transactions. */
void ak_sc_rtl_reset(ak_sc_rtl *s);

/* One CSR access: a TLM-2.0 b_transport (4 bytes, every byte enabled) into the AXI4-Lite
 * bridge; the bridge clocks the handshakes (1000 cycles at most each). An error response of
 * the slave is AK_EADDRESS. */
ak_status ak_sc_rtl_csr_write(ak_sc_rtl *s, uint32_t addr, uint32_t data);
ak_status ak_sc_rtl_csr_read(ak_sc_rtl *s, uint32_t addr, uint32_t *data);

/* Backdoor into the TLM memory (no cycles, no transactions). */
ak_status ak_sc_rtl_mem_write(ak_sc_rtl *s, uint64_t addr, const void *src, uint64_t n);
ak_status ak_sc_rtl_mem_read(ak_sc_rtl *s, uint64_t addr, void *dst, uint64_t n);
uint64_t ak_sc_rtl_mem_size(const ak_sc_rtl *s);

/* Runs SystemC until irq_o is high or max_cycles rising edges have passed; *cycles (if not
 * NULL) gets the edges run (0 when irq_o is already high). AK_OK or ETIMEOUT. */
ak_status ak_sc_rtl_run_until_irq(ak_sc_rtl *s, uint64_t max_cycles, uint64_t *cycles);
/* Runs n clock cycles. */
void ak_sc_rtl_step(ak_sc_rtl *s, uint64_t n);

int ak_sc_rtl_irq(ak_sc_rtl *s);
uint64_t ak_sc_rtl_cycles(const ak_sc_rtl *s);     /* rising edges since this open */
/* sc_time_stamp() in ps since the last rising edge before this open: cycles x the period
 * after a CSR access or an interrupt, half a period more after a timeout or a step */
uint64_t ak_sc_rtl_time_ps(const ak_sc_rtl *s);
/* The memory timing model's statistics (beats, bursts, SLVERR beats, AXI protocol errors). */
void ak_sc_rtl_mem_stats(const ak_sc_rtl *s, ak_mem_stats *st);
void ak_sc_rtl_get_tlm_stats(const ak_sc_rtl *s, ak_sc_rtl_tlm_stats *st);
const ak_sc_rtl_config *ak_sc_rtl_get_config(const ak_sc_rtl *s); /* with defaults filled in */


#ifdef __cplusplus
}
#endif

#endif
