// ak_tlm2axilite, the RTL platform's CSR bridge (see ak_sc_rtl.h): a TLM-2.0 target socket
// (32-bit data) turned into AXI4-Lite master pins. One access at a time, 4 bytes at an address
// below 256 (the slave's 8 address bits), byte enables as WSTRB. LT: the annotated delay is
// waited first, then the handshakes take clock edges (1000 at most per handshake). OKAY ->
// TLM_OK_RESPONSE; SLVERR/DECERR (unmapped, or a write to a read-only register) ->
// TLM_ADDRESS_ERROR_RESPONSE; a handshake that never completes -> TLM_GENERIC_ERROR_RESPONSE
// with timed_out() true.
#ifndef AK_TLM2AXILITE_H
#define AK_TLM2AXILITE_H

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

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

#endif
