// A loosely-timed TLM-2.0 model of the attnkit accelerator (rtl/ak_top.sv): the same device as
// the RTL at its boundaries, computed with the reference model and timed with the cycle model.
//
//  - csr: tlm_utils::simple_target_socket, the CSRs of rtl/regs/attnkit_csr.rdl (offsets, fields
//    and reset values from the generated attnkit_csr.h, error codes from attnkit_err.h): 32-bit
//    accesses with byte enables; an unmapped address (inside or outside the 256-byte window)
//    answers TLM_ADDRESS_ERROR_RESPONSE (the RTL's SLVERR); writes to read-only registers are
//    ignored; CTRL.start and CTRL.abort read back 0; STATUS.done is write-1-to-clear; a start
//    while busy is ignored (CTRL.irq_en still takes the written value), as in the RTL.
//  - mem: tlm_utils::simple_initiator_socket to memory, b_transport, DMI when the target grants
//    it. A start reads the descriptor and the job the way the RTL does (descriptor header,
//    quantisation entries, each query tile's kv_off words, list and Q rows, the key tiles of
//    the listed blocks up to the tile's causal limit; whole 64-byte beats), applies the RTL's
//    checks in its order with its error codes, computes the output with ak_attention and
//    writes it back.
//  - irq: level, CTRL.irq_en && STATUS.done, as the RTL's irq_o.
// Time: the job takes exactly the cycle model's prediction (ak_cycle_model_run with the memory
// timing in params.mem) times the clock period from the start (the CTRL write's time plus its
// annotated delay) to STATUS.done and the interrupt. Reads are annotated at the start, each
// head's output write at the cycle its last RTL write has its response, and a
// tlm_utils::tlm_quantumkeeper honours the annotations (syncing at the global quantum). The
// counters CYCLES, STALLS and MACS get the cycle model's values. docs/systemc.md has the rest.
#ifndef AK_TLM_ACCEL_H
#define AK_TLM_ACCEL_H

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "attnkit/cycle_model.h"
#include "attnkit/hw_params.h"
#include "attnkit/job_image.h"

class ak_tlm_accel : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ak_tlm_accel> csr;
    tlm_utils::simple_initiator_socket<ak_tlm_accel> mem;
    sc_core::sc_out<bool> irq;

    struct params {
        sc_core::sc_time clock;     // clock period (default 4 ns: 250 MHz)
        ak_hw_config hw;            // the accelerator's parameters (ak_hw_config_default)
        ak_mem_timing mem;          // the memory behind `mem` as the cycle model sees it
                                    // (ak_mem_timing_default: latency 20, 64 B a cycle); a
                                    // non-zero jitter_seed draws one realisation per job
        unsigned threads;           // host threads for a job (default 1): with 2 or more the
                                    // cycle model runs beside the reference model's
                                    // threads - 1; 0: the reference model on every CPU and
                                    // the cycle model beside it
        bool dmi;                   // use DMI where the memory grants it (default true)
        sc_core::sc_time csr_delay; // annotated on every CSR access (default one clock)
        params();
    };

    struct stats_t {
        uint64_t jobs;              // jobs started
        uint64_t transactions;      // b_transport calls on `mem`
        uint64_t dmi_accesses;      // reads and writes done through a DMI pointer
        uint64_t bytes_read, bytes_written;
        sc_core::sc_time last_start, last_end; // the last finished job: start, done
        double host_read_s, host_reference_s, host_cycle_model_s; // host time spent on jobs
    };

    SC_HAS_PROCESS(ak_tlm_accel);
    explicit ak_tlm_accel(sc_core::sc_module_name name, const params &p = params());

    // New parameters; false (and nothing changes) while a job runs.
    bool configure(const params &p);
    const params &get_params() const { return p_; }
    // Registers to their reset values; a running job is dropped without touching memory or
    // registers again.
    void reset();
    bool irq_level() const { return irq_en_ && done_; }
    bool busy() const { return busy_; }
    const stats_t &stats() const { return stats_; }

private:
    params p_;
    stats_t stats_{};
    // registers
    uint32_t desc_lo_ = 0, desc_hi_ = 0;
    bool irq_en_ = false, done_ = false, error_ = false, busy_ = false;
    uint32_t err_code_ = 0;
    uint64_t cycles_ = 0, stalls_ = 0, macs_ = 0;
    // the job in flight
    sc_core::sc_time t_start_;
    uint64_t job_desc_ = 0;
    bool start_pending_ = false, abort_req_ = false;
    sc_core::sc_time t_abort_;
    unsigned gen_ = 0;               // reset() bumps it: a job of an older generation is dropped
    sc_core::sc_event start_ev_, abort_ev_, irq_ev_;
    tlm_utils::tlm_quantumkeeper qk_;
    // DMI
    bool dmi_valid_ = false;
    tlm::tlm_dmi dmi_;
    uint64_t est_cycles_ = 0;        // a rough clock of the reads so far (error paths only)

    struct job;
    void csr_b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned int csr_transport_dbg(tlm::tlm_generic_payload &gp);
    bool csr_read(uint32_t addr, const sc_core::sc_time &when, uint32_t &v) const;
    int csr_write(uint32_t addr, uint32_t data, const uint8_t be[4], const sc_core::sc_time &when);
    void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
    void job_thread();
    void irq_method();
    void run_job(unsigned gen);
    uint32_t load(job &J);
    uint32_t compute(job &J);
    uint32_t load_prune(job &J, const uint8_t *hdr, uint32_t heads, uint32_t nq, uint32_t nk,
                        uint32_t d, uint32_t B);
    uint32_t prune(job &J, const ak_attn_job &aj);
    bool mem_access(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, uint64_t n);
    bool rd(uint64_t addr, uint64_t n, uint8_t *dst);
    bool wait_until(const sc_core::sc_time &t, unsigned gen);
    void finish(uint32_t code, uint64_t cycles, uint64_t stalls, uint64_t macs);
};

#endif
