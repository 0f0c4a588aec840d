// The Verilated accelerator (rtl/ak_top.sv through `verilator --sc --prefix Vak_top_sc`) as a
// SystemC platform, for SystemC testbenches and for the C API of ak_sc_rtl_sim.h:
//
//   TLM-2.0 initiator --b_transport--> ak_tlm2axilite --AXI4-Lite pins--> Vak_top_sc
//                                                                             | AXI4 pins
//   TLM-2.0 memory target <--DMI / b_transport-- ak_axi2tlm <-----------------+
//                                                 (timing: sim/mem_model.c)
//
// - ak_tlm2axilite: a TLM-2.0 target socket (32-bit data) turned into AXI4-Lite master pins.
//   One access at a time, 4 bytes at an address below 256 (the slave's 8 address bits), byte
//   enables as WSTRB. LT: the annotated delay is waited first, then the handshakes take clock
//   edges (1000 at most per handshake). OKAY -> TLM_OK_RESPONSE; SLVERR/DECERR (unmapped, or a
//   write to a read-only register) -> TLM_ADDRESS_ERROR_RESPONSE; a handshake that never
//   completes -> TLM_GENERIC_ERROR_RESPONSE with timed_out() true.
// - ak_axi2tlm: the RTL's AXI4 master pins -> a TLM-2.0 initiator socket to memory. The
//   timing is the C memory model's (sim/mem_model.h: latency, one beat a cycle, bandwidth
//   credit, outstanding limits, jitter), clocked on each rising edge exactly as the plain
//   Verilator harness (sim/verilator/ak_sim.cpp) does: at the edge the master's pins as they
//   stood before it go to ak_mem_tick, then the memory's signals for the next cycle
//   (ak_mem_drive) go out. Only the bytes go through the socket (the model's storage
//   callbacks): a read beat when the model offers it, a write beat when the model stores it,
//   through DMI where the target grants it (invalidate_direct_mem_ptr honoured), b_transport
//   otherwise; an error response answers that beat SLVERR. The delay the target annotates (and
//   the DMI latencies) are not used: the memory model's cycles govern, so the cycle counts are
//   the plain harness's. b_transport is called from an SC_METHOD: the target must not wait().
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

#include "ak_sc_rtl_sim.h"
#include "mem_model.h"

class Vak_top_sc;

struct ak_tlm2axilite : sc_core::sc_module {
    tlm_utils::simple_target_socket<ak_tlm2axilite> tgt;

    sc_core::sc_in<bool> clk, rst_n; // an access waits for the end of a reset
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

struct ak_axi2tlm : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<ak_axi2tlm> socket;

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

    struct stats_t {
        uint64_t dmi_beats;       // beats moved through a DMI pointer
        uint64_t transport_beats; // beats moved by b_transport (error responses included)
    };

    // The timing of kDefaultTiming until configure() is called.
    explicit ak_axi2tlm(sc_core::sc_module_name name);
    ~ak_axi2tlm() override;
    // A fresh timing model (nothing in flight, statistics zero) with cfg's latency, jitter and
    // bandwidth; cfg.size bounds the addresses passed to the socket: a beat at or beyond it
    // answers SLVERR without a transaction (~0: every address goes to the target). Its
    // signals go out in the next delta cycle. AK_EINVAL / AK_ENOMEM as ak_mem_create (the
    // previous model stays).
    ak_status configure(const ak_mem_config &cfg);
    static const ak_mem_config kDefaultTiming; // latency 20, 64 B a cycle, no jitter, size ~0
    // ak_mem_reset (drops every transaction in flight), signals again in the next delta.
    void reset_timing();
    const ak_mem *timing() const { return mem_; }
    const stats_t &stats() const { return stats_; }
    void clear_stats() { stats_ = stats_t{}; }
    uint64_t edges() const { return edges_; }                     // rising edges seen
    sc_core::sc_time last_edge() const { return last_edge_; }     // when the last one was

  private:
    void edge();
    void drive();
    static int storage_read(void *ctx, uint64_t addr, uint8_t *dst, unsigned n);
    static int storage_write(void *ctx, uint64_t addr, const uint8_t *src, unsigned n,
                             uint64_t strb);
    bool transport(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, unsigned n,
                   const uint8_t *byte_enables);
    void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
    sc_core::sc_event kick_;
    ak_mem *mem_ = nullptr;
    stats_t stats_{};
    bool dmi_valid_ = false;
    tlm::tlm_dmi dmi_;
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
    sc_core::sc_signal<sc_dt::sc_bv<512>> m_rdata, m_wdata;
    Vak_top_sc *dut_;
    void reset_thread();
};

#endif
