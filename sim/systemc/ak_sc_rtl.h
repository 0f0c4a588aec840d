// The Verilated accelerator (rtl/ak_top.sv through `verilator --sc --prefix Vak_top_sc`) as a
// SystemC platform, for SystemC testbenches and for the C API of ak_sc_rtl_sim.h:
//
//   TLM-2.0 initiator --b_transport--> ak_tlm2axilite --AXI4-Lite pins--> Vak_top_sc
//                                                                             | AXI4 pins
//   TLM-2.0 memory target <--DMI / b_transport-- ak_axi2tlm <-----------------+
//                                                 (timing: sim/mem_model.c)
//
// - ak_tlm2axilite (ak_tlm2axilite.h): the CSR target socket turned into AXI4-Lite master pins.
// - ak_axi2tlm (ak_axi2tlm.h): the AXI4 master pins to a TLM-2.0 memory socket, with the C
//   memory model's timing (so the cycles are the plain harness's).
// - ak_sc_rtl_platform: the clock (AK_SC_RTL_CLOCK_PS, posedge first), the active-low reset
//   signal (a power-on reset unless the owner drives it), the model, both bridges, the
//   interrupt signal; csr_socket() to bind a CSR initiator, mem_socket() to bind to memory.
//
// Pin types are Verilator's for --sc: 1 bit bool, 2..32 uint32_t, 33..64 uint64_t, wider
// sc_bv. Build: sim/systemc/sc_rtl.mk (C++ as gnu++17, as Debian's libsystemc was built).
#ifndef AK_SC_RTL_H
#define AK_SC_RTL_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "ak_axi2tlm.h"
#include "ak_sc_rtl_sim.h"
#include "ak_tlm2axilite.h"
#include "mem_model.h"

class Vak_top_sc;

struct ak_sc_rtl_platform : sc_core::sc_module {
    sc_core::sc_clock clk;
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> rst_n;
    sc_core::sc_signal<bool> irq;

    // power_on_reset: a thread holds rst_n low for the first 4 rising edges, then releases it
    // (CSR accesses wait for that); false: the owner drives rst_n (it starts low).
    explicit ak_sc_rtl_platform(sc_core::sc_module_name name, bool power_on_reset = true);
    ~ak_sc_rtl_platform() override;
    tlm_utils::simple_target_socket<ak_tlm2axilite> &csr_socket() { return csr.tgt; }
    tlm_utils::simple_initiator_socket<ak_axi2tlm> &mem_socket() { return mem.socket; }
    sc_core::sc_time period() const { return clk.period(); }

    ak_tlm2axilite csr;
    ak_axi2tlm mem;

  private:
    // AXI4-Lite; the bridge drives its pins from whichever initiator's thread calls it
    template <typename T> using many = sc_core::sc_signal<T, sc_core::SC_MANY_WRITERS>;
    many<bool> s_awvalid, s_wvalid, s_bready, s_arvalid, s_rready;
    many<uint32_t> s_awaddr, s_wdata, s_wstrb, s_araddr;
    sc_core::sc_signal<bool> s_awready, s_wready, s_bvalid, s_arready, s_rvalid;
    sc_core::sc_signal<uint32_t> s_bresp, s_rdata, s_rresp;
    // AXI4
    sc_core::sc_signal<bool> m_arvalid, m_arready, m_rvalid, m_rready, m_rlast;
    sc_core::sc_signal<bool> m_awvalid, m_awready, m_wvalid, m_wready, m_wlast, m_bvalid, m_bready;
    sc_core::sc_signal<uint64_t> m_araddr, m_awaddr, m_wstrb;
    sc_core::sc_signal<uint32_t> m_arlen, m_arsize, m_arburst, m_rresp;
    sc_core::sc_signal<uint32_t> m_awlen, m_awsize, m_awburst, m_bresp;
    sc_core::sc_signal<sc_dt::sc_bv<AK_BEAT_BITS>> m_rdata, m_wdata;
    Vak_top_sc *dut_;
    void reset_thread();
};

#endif
