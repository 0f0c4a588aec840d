// The CSR bridge of the RTL platform: TLM-2.0 target -> AXI4-Lite master pins (ak_tlm2axilite.h).
#include "ak_tlm2axilite.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

ak_tlm2axilite::ak_tlm2axilite(sc_core::sc_module_name name)
    : sc_core::sc_module(name), tgt("tgt"), clk("clk"), rst_n("rst_n"), awvalid("awvalid"), wvalid("wvalid"),
      bready("bready"), arvalid("arvalid"), rready("rready"), awaddr("awaddr"), wdata("wdata"),
      wstrb("wstrb"), araddr("araddr"), awready("awready"), wready("wready"), bvalid("bvalid"),
      arready("arready"), rvalid("rvalid"), bresp("bresp"), rdata("rdata"), rresp("rresp")
{
    tgt.register_b_transport(this, &ak_tlm2axilite::b_transport);
}

// AW and W offered together until each is taken, then B accepted: the sequence (and the
// cycles) of ak_sim_csr_write. The ready/valid pins are read in the delta of the rising edge,
// i.e. as they stood before it: a handshake happened at that edge.
bool ak_tlm2axilite::write(uint32_t addr, uint32_t data, uint32_t strb, uint32_t &resp)
{
    awaddr.write(addr);
    wdata.write(data);
    wstrb.write(strb);
    bool aw = true, w = true;
    awvalid.write(true);
    wvalid.write(true);
    for (uint64_t n = 0; aw || w; n++) {
        if (n == handshake_timeout) {
            awvalid.write(false);
            wvalid.write(false);
            return false;
        }
        wait(clk.posedge_event());
        aw &= !awready.read();
        w &= !wready.read();
        awvalid.write(aw);
        wvalid.write(w);
    }
    bready.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            bready.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (bvalid.read()) {
            resp = bresp.read();
            bready.write(false);
            return true;
        }
    }
}

bool ak_tlm2axilite::read(uint32_t addr, uint32_t &data, uint32_t &resp)
{
    araddr.write(addr);
    arvalid.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            arvalid.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (arready.read())
            break;
    }
    arvalid.write(false);
    rready.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            rready.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (rvalid.read()) {
            data = rdata.read();
            resp = rresp.read();
            rready.write(false);
            return true;
        }
    }
}

void ak_tlm2axilite::b_transport(tlm::tlm_generic_payload &tr, sc_time &delay)
{
    const uint64_t addr = tr.get_address();
    const unsigned len = tr.get_data_length();
    unsigned char *p = tr.get_data_ptr();
    const unsigned char *be = tr.get_byte_enable_ptr();
    const unsigned be_len = tr.get_byte_enable_length();
    timed_out_ = false;
    if (addr > 0xff) { // beyond the slave's 8 address bits: never on the bus
        tr.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (len != 4 || tr.get_streaming_width() < len || (be && be_len == 0)) {
        tr.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (!tr.is_read() && !tr.is_write()) { // TLM_IGNORE_COMMAND
        tr.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    uint32_t strb = 0xf;
    if (be) {
        strb = 0;
        for (unsigned i = 0; i < 4; i++)
            strb |= (be[i % be_len] == TLM_BYTE_ENABLED ? 1u : 0u) << i;
    }
    // loosely timed: catch up with the initiator's local time first
    wait(delay);
    delay = SC_ZERO_TIME;
    while (!rst_n.read())
        wait(rst_n.posedge_event());
    bus_.lock();
    uint32_t resp = 0, data = 0;
    bool ok;
    if (tr.is_write()) {
        for (unsigned i = 0; i < 4; i++)
            data |= uint32_t(p[i]) << (8 * i);
        ok = write(uint32_t(addr), data, strb, resp);
    } else {
        ok = read(uint32_t(addr), data, resp);
        if (ok && resp < 2)
            for (unsigned i = 0; i < 4; i++)
                if (strb >> i & 1)
                    p[i] = uint8_t(data >> (8 * i));
    }
    bus_.unlock();
    timed_out_ = !ok;
    tr.set_response_status(!ok ? tlm::TLM_GENERIC_ERROR_RESPONSE
                           : resp >= 2 ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                       : tlm::TLM_OK_RESPONSE);
}
