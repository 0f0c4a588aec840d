// The Verilated accelerator (rtl/ak_top.sv through `verilator --sc --prefix Vak_top_sc`) as a
// SystemC platform, for SystemC testbenches and for the C API of ak_sc_rtl_sim.h:
//
//   TLM-2.0 initiator --b_transport--> ak_tlm2axilite --AXI4-Lite pins--> Vak_top_sc
//                                                       <--AXI4 pins----> ak_axi_mem_pins
//                                                                           (sim/mem_model.c)
//
// - ak_tlm2axilite: a TLM-2.0 target socket (32-bit data) turned into AXI4-Lite master pins.
//   One access at a time, 4 bytes at an address below 256 (the slave's 8 address bits), byte
//   enables as WSTRB. LT: the annotated delay is waited first, then the handshakes take clock
//   edges (1000 at most per handshake). OKAY -> TLM_OK_RESPONSE; SLVERR/DECERR (unmapped, or a
//   write to a read-only register) -> TLM_ADDRESS_ERROR_RESPONSE; a handshake that never
//   completes -> TLM_GENERIC_ERROR_RESPONSE with timed_out() true.
// - ak_axi_mem_pins: the RTL's AXI4 master served by the C memory model (sim/mem_model.h) on
//   each rising edge, exactly as the plain Verilator harness (sim/verilator/ak_sim.cpp) does:
//   at the edge the master's pins as they stood before it go to ak_mem_tick, then the
//   memory's signals for the next cycle (ak_mem_drive) go out. Same memory, same cycles.
// - ak_sc_rtl_platform: the clock (AK_SC_RTL_CLOCK_PS, posedge first), the active-low reset
//   signal, the model, both bridges, the interrupt signal; csr_socket() to bind an initiator.
//
// Pin types are Verilator's for --sc: 1 bit bool, 2..32 uint32_t, 33..64 uint64_t, wider
// sc_bv. Build: sim/systemc/sc_rtl.mk (C++ as gnu++17, as Debian's libsystemc was built).
#ifndef AK_SC_RTL_H
#define AK_SC_RTL_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "ak_sc_rtl_sim.h"
#include "mem_model.h"

class Vak_top_sc;

struct ak_tlm2axilite : sc_core::sc_module {
    tlm_utils::simple_target_socket<ak_tlm2axilite> tgt;

    sc_core::sc_in<bool> clk;
    sc_core::sc_out<bool> awvalid, wvalid, bready, arvalid, rready;
    sc_core::sc_out<uint32_t> awaddr, wdata, wstrb, araddr;
    sc_core::sc_in<bool> awready, wready, bvalid, arready, rvalid;
    sc_core::sc_in<uint32_t> bresp, rdata, rresp;

    uint64_t handshake_timeout = 1000; // clock edges per handshake
    explicit ak_tlm2axilite(sc_core::sc_module_name name);
    bool timed_out() const { return timed_out_; } // the last transaction's

  private:
    void b_transport(tlm::tlm_generic_payload &tr, sc_core::sc_time &delay);
    bool write(uint32_t addr, uint32_t data, uint32_t strb, uint32_t &resp);
    bool read(uint32_t addr, uint32_t &data, uint32_t &resp);
    sc_core::sc_mutex bus_;
    bool timed_out_ = false;
};

struct ak_axi_mem_pins : sc_core::sc_module {
    sc_core::sc_in<bool> clk;
    // from the master
    sc_core::sc_in<bool> arvalid, rready, awvalid, wvalid, wlast, bready;
    sc_core::sc_in<uint64_t> araddr, awaddr, wstrb;
    sc_core::sc_in<uint32_t> arlen, arsize, arburst, awlen, awsize, awburst;
    sc_core::sc_in<sc_dt::sc_bv<512>> wdata;
    // to the master
    sc_core::sc_out<bool> arready, rvalid, rlast, awready, wready, bvalid;
    sc_core::sc_out<uint32_t> rresp, bresp;
    sc_core::sc_out<sc_dt::sc_bv<512>> rdata;

    explicit ak_axi_mem_pins(sc_core::sc_module_name name);
    // Serve the master from m (NULL: idle, every signal low); the memory's signals for the
    // current cycle are driven in the next delta cycle (by the module's own process).
    void attach(ak_mem *m);
    void redrive(); // after ak_mem_reset: the memory's signals again, in the next delta
    ak_mem *memory() const { return mem_; }
    uint64_t edges() const { return edges_; }                     // rising edges seen
    sc_core::sc_time last_edge() const { return last_edge_; }     // when the last one was

  private:
    void edge();
    void drive();
    sc_core::sc_event kick_;
    ak_mem *mem_ = nullptr;
    uint64_t edges_ = 0;
    sc_core::sc_time last_edge_;
    ak_axi_m2s m2s_{};
    ak_axi_s2m s2m_{};
    uint8_t rdata_out_[AK_MEM_BEAT_BYTES] = {0}; // what rdata holds (written only on change)
    sc_dt::sc_bv<512> bv_;
};

struct ak_sc_rtl_platform : sc_core::sc_module {
    sc_core::sc_clock clk;
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> rst_n;
    sc_core::sc_signal<bool> irq;

    explicit ak_sc_rtl_platform(sc_core::sc_module_name name);
    ~ak_sc_rtl_platform() override;
    tlm_utils::simple_target_socket<ak_tlm2axilite> &csr_socket() { return csr.tgt; }
    sc_core::sc_time period() const { return clk.period(); }

    ak_tlm2axilite csr;
    ak_axi_mem_pins mem;

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
    sc_core::sc_signal<sc_dt::sc_bv<512>> m_rdata, m_wdata;
    Vak_top_sc *dut_;
};

#endif
