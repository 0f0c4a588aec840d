// ak_axi2tlm, the RTL platform's memory bridge (see ak_sc_rtl.h): the RTL's AXI4 master pins
// -> a TLM-2.0 initiator socket to memory. The timing is the C memory model's
// (sim/mem_model.h: latency, one beat a cycle, bandwidth credit, outstanding limits, jitter),
// clocked on each rising edge exactly as the plain Verilator harness (sim/verilator/ak_sim.cpp)
// does: at the edge the master's pins as they stood before it go to ak_mem_tick, then the
// memory's signals for the next cycle (ak_mem_drive) go out. Only the bytes go through the
// socket (the model's storage callbacks): a read beat when the model offers it, a write beat
// when the model stores it, through DMI where the target grants it (invalidate_direct_mem_ptr
// honoured), b_transport otherwise; an error response answers that beat SLVERR. The delay the
// target annotates (and the DMI latencies) are not used: the memory model's cycles govern, so
// the cycle counts are the plain harness's. b_transport is called from an SC_METHOD: the
// target must not wait().
#ifndef AK_AXI2TLM_H
#define AK_AXI2TLM_H

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "mem_model.h"

struct ak_axi2tlm : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<ak_axi2tlm> socket;

    sc_core::sc_in<bool> clk;
    // from the master
    sc_core::sc_in<bool> arvalid, rready, awvalid, wvalid, wlast, bready;
    sc_core::sc_in<uint64_t> araddr, awaddr, wstrb;
    sc_core::sc_in<uint32_t> arlen, arsize, arburst, awlen, awsize, awburst;
    sc_core::sc_in<sc_dt::sc_bv<AK_BEAT_BITS>> wdata;
    // to the master
    sc_core::sc_out<bool> arready, rvalid, rlast, awready, wready, bvalid;
    sc_core::sc_out<uint32_t> rresp, bresp;
    sc_core::sc_out<sc_dt::sc_bv<AK_BEAT_BITS>> rdata;

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
    uint8_t rdata_out_[AK_BEAT_BYTES] = {0}; // what rdata holds (written only on change)
    sc_dt::sc_bv<AK_BEAT_BITS> bv_;
};

#endif
